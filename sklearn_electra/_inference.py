"""``ElectraInferenceBase``: a skorch ``NeuralNet`` that loads a model and runs it, no training.

Data flow of every inference call, one direction only::

    raw inputs -> _check_inputs -> tokenizer (ids, no padding) -> EncodedDataset
      -> length-sorted batches -> PadCollator (pad to the batch's longest)
      -> infer (HF model under autocast) -> outputs, put back in input order

Each call resolves ``device``/``precision``/``n_threads`` into a
:class:`~sklearn_electra.runtime.Runtime` and passes it along; nothing is swapped
into ``self`` for the length of a call, so threads may share a fitted estimator.
:class:`~sklearn_electra._base.ElectraNetBase` adds training on top.
"""

from __future__ import annotations

import contextlib
import inspect
import numbers
import os
from types import MappingProxyType

import torch
from skorch import NeuralNet
from sklearn.base import BaseEstimator
from sklearn.utils._metadata_requests import _MetadataRequester
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from torch.utils.data import DataLoader
from transformers import PreTrainedTokenizerBase

from ._warnings import TextTruncationWarning, warn_caller
from .data import EncodedDataset, LengthBucketBatchSampler, PadCollator, inference_order, stack_rows
from .modeling import build_config, load_pretrained, resolve_model
from .persistence import PretrainedMixin
from .runtime import PRECISIONS, move_modules, resolve_runtime
from .serving import ServingMixin, check_quantize
from .tokenization import encode_texts, resolve_tokenizer, train_wordpiece
from .validation import check_texts

__all__ = ["ElectraInferenceBase", "TextTruncationWarning", "refused"]


class refused:  # noqa: N801 - used like a decorator-less method definition
    """An inherited method that does not fit an estimator.

    ``hasattr(estimator, name)`` is False (so scikit-learn's Pipeline and
    ``available_if`` checks see no such method), and calling it raises an
    ``AttributeError`` that says what to call instead.
    """

    def __init__(self, instead):
        self.instead = instead

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        owner = owner or type(obj)
        raise AttributeError(f"{owner.__name__} has no {self.name}(): {self.instead}")


class ElectraInferenceBase(PretrainedMixin, ServingMixin, NeuralNet):
    """Shared base of every sklearn_electra estimator: model, tokenizer and inference.

    Not used directly. Subclasses set ``_hf_model_class`` and may replace the
    input hooks (``_check_inputs``, ``_tokenizer_corpus``, ``_make_dataset``)
    and the output hook (``_head``).
    """

    _hf_model_class = None
    _truncation_hint = "Raise max_length to keep more text."
    _parameter_constraints = {
        "model": [str, os.PathLike],
        "tokenizer": [None, str, os.PathLike, PreTrainedTokenizerBase],
        "vocab_size": [Interval(numbers.Integral, 16, None, closed="left")],
        "lowercase": ["boolean"],
        "max_length": [Interval(numbers.Integral, 4, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "precision": [StrOptions(set(PRECISIONS))],
        "quantize": [None, StrOptions({"int8"})],
        "n_threads": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    # skorch sets these in NeuralNet.__init__; scikit-learn forbids attributes
    # other than parameters there (check_no_attributes_set_in_init), so the
    # unfitted values live on the class and fitting sets instance values.
    initialized_ = False
    history_ = None
    virtual_params_ = MappingProxyType({})
    # NeuralNet attributes we do not expose as parameters.
    compile = False
    use_caching = False
    torch_load_kwargs = None
    predict_nonlinearity = None

    def __init_subclass__(cls, **kwargs):
        # An estimator's __init__ names its own parameters and passes the rest on as
        # **kwargs; scikit-learn reads defaults from the signature (repr, clone checks),
        # so the signature lists the inherited parameters too, with their defaults.
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        own = inspect.signature(init).parameters.values()
        rest = [p for p in own if p.kind == p.VAR_KEYWORD]
        if not rest:
            return
        named = [p for p in own if p.kind != p.VAR_KEYWORD]
        inherited = inspect.signature(super(cls, cls).__init__).parameters.values()
        extra = [p.replace(kind=p.KEYWORD_ONLY) for p in inherited
                 if p.kind == p.KEYWORD_ONLY and p.name not in {q.name for q in named}]
        init.__signature__ = inspect.signature(init).replace(parameters=named + extra + rest)

    def __init__(self, model="tiny", *, tokenizer=None, vocab_size=8000, lowercase=True,
                 max_length=128, batch_size=64, device="cpu", precision="fp32", quantize=None,
                 n_threads=None, random_state=None, **kwargs):
        self.model = model
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.lowercase = lowercase
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.quantize = quantize
        self.n_threads = n_threads
        self.random_state = random_state
        # Routed sub-parameters (module__*, optimizer__*, iterator_train__*, ...).
        self._params_to_validate = set(kwargs)
        vars(self).update(kwargs)

    # skorch's own inference and persistence paths that would give wrong or
    # partial results here; each estimator defines its own outputs.
    predict = refused("use the estimator's own output method (transform, predict_proba, ...).")
    predict_proba = refused("use the estimator's own output method (transform, predict, ...).")
    save_params = refused("use save_pretrained(path), or checkpoint_dir= while training.")
    load_params = refused("use from_pretrained(path).")

    # ------------------------------------------------------------ params
    def _get_param_names(self):
        # skorch lists every public attribute; keep private bookkeeping out.
        return [k for k in vars(self) if not k.endswith("_") and not k.startswith("_")]

    def set_params(self, **params):
        """Set parameters, including routed ones (``module__dropout``, ...).

        As in scikit-learn, setting a parameter changes nothing else: values are
        stored as given (invalid ones reported by ``fit``; a misspelt routing prefix
        at once) and read when used. A fitted estimator keeps its trained model and
        optimizer: ``module__*`` and ``optimizer__*`` apply when a ``fit`` builds
        new ones, not in a ``warm_start`` fit or ``partial_fit``, which continue
        the ones they have.

        Examples
        --------
        >>> from sklearn_electra import ElectraClassifier
        >>> clf = ElectraClassifier(max_epochs=1, vocab_size=60, random_state=0)
        >>> clf = clf.fit(["good", "bad", "fine", "awful"] * 2, [1, 0, 1, 0] * 2)
        >>> weights = clf.module_.classifier.out_proj.weight.clone()
        >>> clf = clf.set_params(module__hidden_dropout_prob=0.0, optimizer__weight_decay=0.0)
        >>> bool((clf.module_.classifier.out_proj.weight == weights).all())  # still the trained model
        True
        """
        if "callbacks" in params:
            # skorch would initialize the callbacks right away (and fail on a bad
            # value); store them instead, the next fit initializes them.
            self.callbacks = params.pop("callbacks")
        if self.initialized_:
            # On a fitted net skorch re-initializes the model for module__* (a random
            # model in place of the trained one) and fails with "Something went wrong,
            # please open an issue" for the others (optimizer__*, iterator_*__*):
            # store them as skorch does before a fit. callbacks__* set the callbacks.
            routed = [k for k in params if "__" in k and not k.startswith("callbacks__")]
            for key in routed:
                setattr(self, key, params.pop(key))
                self._params_to_validate.add(key)
            if routed:
                self._validate_params()  # a misspelt prefix fails now, as skorch's would
        return super().set_params(**params) if params else self

    def __repr__(self):
        return BaseEstimator.__repr__(self)

    def get_metadata_routing(self):
        """A consumer of metadata, as scikit-learn's estimators are (``set_fit_request``).

        skorch's router also sends metadata to its ``train_split``; the validation split
        here is our own and takes none.
        """
        return _MetadataRequester.get_metadata_routing(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _check_params(self):
        """Validate parameters (skorch never checks ``_parameter_constraints``).

        Returns the resolved model source.
        """
        own = {k: getattr(self, k) for k in self._parameter_constraints}
        validate_parameter_constraints(self._parameter_constraints, own,
                                       caller_name=type(self).__name__)
        runtime = self._resolve_runtime()
        check_quantize(self.quantize, runtime.device, self.precision)
        source = resolve_model(self.model)
        config = build_config(source, self.get_params_for("module"))
        if self.max_length > config.max_position_embeddings:
            raise ValueError(
                f"max_length={self.max_length} exceeds the model's position limit "
                f"({config.max_position_embeddings}); use max_length <= "
                f"{config.max_position_embeddings}."
            )
        return source

    def _resolve_runtime(self):
        """This call's :class:`~sklearn_electra.runtime.Runtime` (device checked, never stored)."""
        return resolve_runtime(self.device, self.precision, self.n_threads)

    def _place(self, runtime):
        """Move the fitted modules (and an optimizer's state) to the call's device, once."""
        modules = [getattr(self, name + "_", None) for name in self._modules + self._criteria]
        modules = [m for m in modules if isinstance(m, torch.nn.Module)]
        move_modules(modules, getattr(self, "optimizer_", None), runtime.device)

    def __setstate__(self, state):
        # skorch maps a "cuda" model to the CPU when CUDA is absent (with a
        # DeviceWarning); "auto" is resolved the same way, then kept.
        requested = state.get("device")
        if isinstance(requested, str) and requested == "auto":
            state["device"] = "cuda" if torch.cuda.is_available() else "cpu"
        super().__setstate__(state)
        if isinstance(requested, str) and requested == "auto":
            self.device = requested
        elif isinstance(requested, str) and isinstance(self.device, torch.device):
            self.device = str(self.device)  # skorch's fallback; keep the parameter a string

    @contextlib.contextmanager
    def _transaction(self, undo=None):
        """All or nothing: if the body fails, the estimator is put back as it was.

        Attributes are restored wholesale; ``undo()`` reverts what the body
        changed in place (weights trained by ``partial_fit``).
        """
        before = dict(vars(self))
        try:
            yield
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            if undo is not None:
                undo()
            raise

    # ------------------------------------------------------------ inputs
    def _prepare_tokenizer(self, inputs, source):
        """The given or checkpoint tokenizer, else one trained on ``inputs``."""
        tokenizer = resolve_tokenizer(self.tokenizer, source)
        if tokenizer is None:
            tokenizer = train_wordpiece(self._tokenizer_corpus(inputs), self.vocab_size,
                                        lowercase=self.lowercase)
        return tokenizer

    def _check_inputs(self, X, *, fitting):
        """Validated inputs: a list of texts or of ``(text_a, text_b)`` pairs."""
        return check_texts(X, allow_pairs=True)

    def _tokenizer_corpus(self, inputs):
        """The strings a new tokenizer is trained on."""
        return [t for pair in inputs for t in pair] if isinstance(inputs[0], tuple) else inputs

    def _validate_targets(self, y, inputs, reset, classes=None, sample_weight=None,
                          incremental=False):
        """Encoded targets; ``None`` for estimators without labels (``y`` is ignored)."""
        return None

    def _make_dataset(self, inputs, targets=None, fitting=False):
        """Encode validated inputs into a dataset (``fitting``: the training set)."""
        return EncodedDataset(*self._encode_texts(inputs), targets)

    def _encode_texts(self, inputs):
        """``(input_ids, token_type_ids)`` of texts (or pairs) cut to ``max_length``, with one
        :class:`TextTruncationWarning` for the call when any was cut, at fit and at inference
        alike (two texts that differ only after the cut get the same outputs)."""
        ids, types, cut = encode_texts(self.tokenizer_, inputs, self.max_length)
        if cut:
            warn_caller(cut.message(self.max_length, hint=self._truncation_hint),
                        TextTruncationWarning)
        return ids, types

    def get_dataset(self, X, y=None):
        """An :class:`~sklearn_electra.data.EncodedDataset` of ``X`` (raw inputs or a dataset)."""
        if isinstance(X, EncodedDataset):
            return X
        inputs = self._check_inputs(X, fitting=False)
        targets = None if y is None else self._validate_targets(y, inputs, reset=False)
        return self._make_dataset(inputs, targets)

    def _inference_batch_size(self):
        return self.batch_size

    def get_iterator(self, dataset, training=False, runtime=None):
        """Length-sorted batches, each padded to its longest row."""
        runtime = runtime or self._resolve_runtime()
        sampler = self._batch_sampler(dataset, self._inference_batch_size(), shuffle=False)
        return self._loader(dataset, sampler, self.get_params_for("iterator_valid"), runtime)

    def _batch_sampler(self, dataset, batch_size, shuffle, seed=None):
        """Which rows go together in a batch: similar lengths."""
        return LengthBucketBatchSampler(dataset.lengths, batch_size, shuffle=shuffle, seed=seed)

    def _collator(self, dataset):
        """How a batch's rows become padded tensors."""
        return PadCollator(self.tokenizer_.pad_token_id)

    def _loader(self, dataset, sampler, kwargs, runtime):
        kwargs.setdefault("pin_memory", runtime.pin_memory)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=self._collator(dataset), **kwargs)

    # ------------------------------------------------------------ model
    def initialize(self):
        """Build the model on the resolved device (no optimizer: nothing trains)."""
        runtime = self._resolve_runtime()
        # skorch registers module_ (device moves, pickling) while this context is set.
        with self._current_init_context("module"):
            self.initialize_module()
        self._place(runtime)
        self.initialized_ = True
        return self

    def initialize_module(self):
        """Build the Hugging Face model from ``model`` (preset or checkpoint)."""
        self.module_ = self._build_model()
        return self

    def _task_config(self):
        """Config fields that depend on fitted state (the label names of a head)."""
        return {}

    def _build_model(self):
        """``_hf_model_class`` from the preset or checkpoint, sized for ``tokenizer_``."""
        source = resolve_model(self.model)
        config = build_config(
            source, self.get_params_for("module"),
            vocab_size=len(self.tokenizer_), pad_token_id=self.tokenizer_.pad_token_id,
            **self._task_config(),
        )
        model = load_pretrained(self._hf_model_class, source, config)
        if len(self.tokenizer_) > model.get_input_embeddings().num_embeddings:
            model.resize_token_embeddings(len(self.tokenizer_))
        return model

    # ------------------------------------------------------------ inference
    def _head(self, output, attention_mask):
        """What the estimator returns from the model's output (also the ONNX graph's output)."""
        return output.logits

    def infer(self, x, runtime=None, module=None, **fit_params):
        """Run ``module`` (default ``module_``) on a padded batch dict; return :meth:`_head`'s output."""
        runtime = runtime or self._resolve_runtime()
        # Sample weights ride in the batch dict for get_loss (skorch's convention); the
        # model never sees them.
        x = runtime.to({k: v for k, v in x.items() if k != "sample_weight"})
        with runtime.autocast():
            output = (module or self.module_)(**x, **fit_params)
            return self._head(output, x["attention_mask"])

    def evaluation_step(self, batch, training=False, runtime=None, module=None):
        """The model's output for one batch, without gradients unless ``training``."""
        self.check_is_fitted()
        module = module or self.module_
        if module.training != training:
            module.train(training)
        with torch.inference_mode(not training), torch.set_grad_enabled(training):
            return self.infer(batch[0], runtime=runtime, module=module)

    @contextlib.contextmanager
    def _inference(self):
        """``(runtime, module)`` for one inference call: the model placed, in eval mode,
        int8 with ``quantize``, under ``inference_mode``, autocast and ``n_threads``."""
        runtime = self._resolve_runtime()
        self._place(runtime)
        module = self._inference_module(runtime)
        if module.training:
            module.eval()
        with runtime.threads(), torch.inference_mode(), runtime.autocast():
            yield runtime, module

    def forward_iter(self, X, training=False, device="cpu"):
        """Yield the model's outputs batch by batch, in **length order**.

        Use :meth:`forward` for outputs in input order.
        """
        self.check_is_fitted()
        runtime = self._resolve_runtime()
        dataset = self.get_dataset(X)
        self._place(runtime)
        module = self.module_ if training else self._inference_module(runtime)
        for batch in self.get_iterator(dataset, training=False, runtime=runtime):
            # The thread limit is taken per batch, never across a yield: a caller
            # that stops iterating must not leave its thread count behind.
            with runtime.threads():
                out = self.evaluation_step(batch, training=training, runtime=runtime, module=module)
            yield out.to(device) if isinstance(out, torch.Tensor) else out

    def forward(self, X, training=False, device="cpu"):
        """Outputs for every row of ``X``, in input order.

        Returns a ``(n_rows, n_outputs)`` tensor for per-sequence outputs, and a
        list of ``(row_length, n_outputs)`` tensors for per-token outputs (each
        row trimmed to its own length).
        """
        self.check_is_fitted()
        dataset = self.get_dataset(X)
        chunks = list(self.forward_iter(dataset, training=training, device=device))
        if chunks[0].ndim == 2:
            logits = torch.cat(chunks)
            out = torch.empty_like(logits)
            out[torch.from_numpy(inference_order(dataset.lengths))] = logits
            return out
        slots, begin = stack_rows(chunks, dataset.lengths)
        return [slots[b:b + n] for b, n in zip(begin.tolist(), dataset.lengths.tolist())]
