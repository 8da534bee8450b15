"""``ElectraNetBase``: what every sklearn_electra estimator shares.

Data flow, one direction only::

    raw strings -> check_texts -> tokenizer (ids, no padding) -> EncodedDataset
      -> length-bucketed batches -> PadCollator (pad to the batch's longest)
      -> infer (HF model, autocast) -> logits -> estimator-specific output

Subclasses set ``_hf_model_class`` and implement ``_validate_targets(y, inputs,
reset)`` and their prediction methods; the tagger and the pretrainer also replace
the input hooks (``_check_inputs``, ``_tokenizer_corpus``, ``_make_dataset``).
Everything else lives here.
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import os
import pickle
import shutil
import tempfile
import warnings
from types import MappingProxyType

import numpy as np
import pandas as pd
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, EpochTimer, PassthroughScoring, PrintLog, ProgressBar
from skorch.utils import TeeGenerator, to_device
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_parameter_constraints
from torch.utils.data import DataLoader
from tokenizers import Tokenizer
from transformers import PreTrainedTokenizerBase

from .data import EncodedDataset, LengthBucketBatchSampler, PadCollator, inference_order
from .modeling import build_config, load_pretrained, quiet_hf_progress, resolve_model
from .serving import ONNX_INPUTS, OnnxGraph, export_onnx, quantize_module
from .tokenization import encode_texts, resolve_tokenizer, train_wordpiece

__all__ = ["ElectraNetBase", "check_texts", "TextTruncationWarning"]

PARAMETERS_DOC = """
    model : str or os.PathLike, default="tiny"
        A preset to train from scratch (``"tiny"``, ``"small"``, ``"base"``,
        ``"large"``: the ELECTRA paper's discriminator shapes, ``"tiny"`` for
        tests and laptops), a local checkpoint directory (fine-tune it), or a
        hub id (needs a reachable hub). Override the config with
        ``module__<name>``, e.g. ``module__dropout=0.1`` or
        ``module__num_hidden_layers=4``.
    tokenizer : None, str, os.PathLike or PreTrainedTokenizerFast, default=None
        ``None`` takes the checkpoint's tokenizer, or trains a WordPiece
        tokenizer on the training texts when ``model`` is a preset (CJK
        characters are split one per token). Training is deterministic.
    vocab_size : int, default=8000
        Vocabulary size of a tokenizer trained from the texts.
    lowercase : bool, default=True
        Whether a trained tokenizer lowercases and strips accents.
    max_length : int, default=128
        Longest input in tokens (special tokens included); longer texts are
        truncated with a :class:`TextTruncationWarning` at fit time. Batches
        are padded only to their longest text.
    lr : float, default=3e-4
        Peak learning rate (ELECTRA-Small's fine-tuning rate).
    max_epochs : int, default=3
        Epochs per ``fit`` (and per ``partial_fit`` call).
    batch_size : int, default=32
        Texts per training batch (before gradient accumulation).
    predict_batch_size : int or None, default=None
        Texts per inference batch; ``None`` means ``2 * batch_size``.
    optimizer : torch optimizer class, default=torch.optim.AdamW
        Its extra arguments go through ``optimizer__<name>``.
    weight_decay : float, default=0.01
        Decoupled weight decay, not applied to biases and LayerNorm weights.
    warmup_ratio : float, default=0.1
        Fraction of the optimizer steps with linear warmup; the rest decays
        linearly to zero.
    layerwise_lr_decay : float, default=0.8
        Layer ``l`` of ``L`` trains at ``lr * layerwise_lr_decay ** (L + 1 - l)``
        (embeddings at ``l = 0``, heads at full ``lr``); 0.8 as in the paper,
        1.0 switches it off.
    gradient_accumulation_steps : int, default=1
        Batches whose gradients are summed before each optimizer step.
    max_grad_norm : float or None, default=1.0
        Gradient-norm clipping; ``None`` switches it off.
    validation_fraction : float or None, default=0.1
        Share of the training data held out (stratified when possible) to
        report ``valid_loss``/``valid_acc`` and for early stopping; ``None`` or
        0 trains on everything.
    early_stopping : bool, default=True
        Stop when ``valid_loss`` has not improved for ``n_iter_no_change``
        epochs and restore the best epoch's weights. Needs a validation split.
    n_iter_no_change : int, default=3
        Patience of early stopping, in epochs.
    callbacks : list, "disable" or None, default=None
        Extra skorch callbacks, as ``[("name", callback), ...]``.
    warm_start : bool, default=False
        If True, ``fit`` continues from the fitted weights (and optimizer
        state) instead of re-initializing.
    checkpoint_dir : str, os.PathLike or None, default=None
        Write checkpoints while training: ``<checkpoint_dir>/last`` after every
        epoch and ``<checkpoint_dir>/best`` whenever ``valid_loss`` (or
        ``train_loss`` without a validation split) improves. Both are Hugging
        Face directories like :meth:`save_pretrained` writes; ``last`` also
        holds ``trainer_state/`` (optimizer, schedule, history), so
        ``from_pretrained(<checkpoint_dir>/"last").partial_fit(X, y)`` resumes
        where training stopped. Each write is atomic; after a
        ``KeyboardInterrupt`` the estimator goes back to the last completed epoch.
    verbose : int, default=0
        1 prints a per-epoch table and a progress bar.
    device : str or torch.device, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, or ``"auto"`` (CUDA when present,
        else CPU). A clear error is raised when CUDA is asked for and absent.
        Changing it on a fitted estimator (``set_params(device="cpu")``) moves
        the model at the next call; a model pickled on a GPU unpickles on a
        CPU-only machine (with a ``DeviceWarning``).
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Autocast precision. ``"fp16"`` needs CUDA and uses a gradient scaler;
        ``"bf16"`` needs a GPU (or CPU) with bf16 support.
    quantize : {None, "int8"}, default=None
        ``"int8"``: inference (``predict``, ``predict_proba``, ``transform``)
        runs with every Linear layer quantized to int8 (PyTorch dynamic
        quantization, CPU only): 2.2x faster than fp32 for a model of
        ELECTRA-Small's width in the benchmarks, at 0.05 accuracy points; it
        gains nothing on the ``"tiny"`` preset, whose layers are too narrow.
        Training stays in fp32, and the fp32 weights are
        what :meth:`save_pretrained` and :meth:`to_onnx` write. It can be set on a
        fitted estimator: ``clf.set_params(quantize="int8")``.
    n_threads : int or None, default=None
        CPU threads torch may use during ``fit`` and inference (restored
        afterwards); ``None`` leaves torch's setting. Set it when several
        fits share a machine, e.g. ``n_threads=1`` with ``GridSearchCV(n_jobs=k)``
        so that ``k`` processes do not fight over the cores.
    accelerator : accelerate.Accelerator or None, default=None
        Data-parallel training with Hugging Face Accelerate: run the same script
        under ``accelerate launch`` and every process trains on its shard of
        each batch; gradients are averaged, so all processes end with the same
        weights. The accelerator places the model (leave ``device="auto"`` or
        give the accelerator's device) and sets mixed precision
        (``Accelerator(mixed_precision="bf16")``, with ``precision="fp32"``
        here). After ``fit`` the model is unwrapped, so the estimator pickles,
        clones and predicts like any other.
    random_state : int, RandomState or None, default=None
        Seeds initialization, dropout, batching and the validation split; with
        an int, two fits on CPU give identical predictions (with the same
        ``n_threads``). On a GPU, some CUDA kernels (e.g. atomics in the
        embedding backward) are not deterministic, so the last digits can differ.
    **kwargs
        Routed parameters: ``module__*``, ``optimizer__*``,
        ``iterator_train__*``, ``iterator_valid__*``, ``callbacks__*``,
        ``criterion__*``."""

METADATA_FILE = "sklearn_electra.json"
ONNX_FILE = "model.onnx"
# Inside a checkpoint written during fit: what resuming needs beyond the HF files.
TRAINER_STATE_DIR = "trainer_state"
_PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


class TextTruncationWarning(UserWarning):
    """Some texts were longer than ``max_length`` tokens and were cut."""


def _is_missing(value):
    """None, NaN, pd.NA or NaT: a missing value in any of pandas' spellings."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _describe(value):
    if value is None:
        return "None"
    if _is_missing(value):
        return "NaN" if isinstance(value, float) else repr(value)  # pd.NA, NaT
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    if isinstance(value, (tuple, list)):
        return f"{article} {name} of {len(value)} items"
    return f"{article} {name}"


def check_texts(X, *, allow_pairs=True):
    """Validate raw text input and return a list of str or of ``(str, str)`` pairs.

    Accepts lists, tuples, numpy arrays, pandas Series/Index, and DataFrames
    with one text column (or two columns for text pairs when ``allow_pairs``).

    Raises
    ------
    ValueError
        For a bare string, empty input, missing values or a mix of texts and pairs.
    TypeError
        For elements that are not strings.

    Examples
    --------
    >>> check_texts(["a", "b"])
    ['a', 'b']
    >>> check_texts([("premise", "hypothesis")])
    [('premise', 'hypothesis')]
    """
    if isinstance(X, (str, bytes)):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    if isinstance(X, pd.DataFrame) or (isinstance(X, np.ndarray) and X.ndim == 2):
        frame = pd.DataFrame(X)
        if frame.shape[1] == 1:
            X = frame.iloc[:, 0].tolist()
        elif frame.shape[1] == 2 and allow_pairs:
            X = list(zip(frame.iloc[:, 0].tolist(), frame.iloc[:, 1].tolist()))
        else:
            expected = "one text column, or two for text pairs" if allow_pairs else "one text column"
            raise ValueError(f"X has {frame.shape[1]} columns; expected {expected}.")
    elif isinstance(X, (set, frozenset, dict)):
        raise TypeError(f"X must be an ordered sequence of texts, not a {type(X).__name__}.")
    elif isinstance(X, (pd.Series, pd.Index, np.ndarray)):
        if X.ndim != 1:
            raise ValueError(f"X must be 1-dimensional (one text per row); got shape {X.shape}.")
        X = X.tolist()
    elif hasattr(X, "__iter__"):
        X = list(X)
    else:
        raise TypeError(f"X must be a list, array or pandas object of texts; got {type(X).__name__}.")
    if not X:
        raise ValueError("X is empty: at least one text is required.")

    pairs = allow_pairs and isinstance(X[0], (tuple, list))
    out = []
    for i, item in enumerate(X):
        if pairs:
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise ValueError(
                    f"X[{i}] is {_describe(item)}, but X[0] is a text pair: pass either texts, or "
                    "(text_a, text_b) pairs of exactly two texts, not a mix."
                )
            for j, part in enumerate(item):
                if not isinstance(part, str):
                    hint = " Fill or drop missing texts first (e.g. df.fillna(''))." if _is_missing(part) else ""
                    raise TypeError(f"X[{i}][{j}] is {_describe(part)}, not a string.{hint}")
            out.append((str(item[0]), str(item[1])))
        elif isinstance(item, str):
            out.append(str(item))
        else:
            hint = (" Fill or drop missing texts first, e.g. df['text'].fillna('')."
                    if _is_missing(item) else "")
            raise TypeError(f"X[{i}] is {_describe(item)}, not a string.{hint}")
    return out


def _layer_depth(name, n_layers):
    """Depth of a parameter for layer-wise lr decay: embeddings 0, layer i i+1, heads top."""
    if "embeddings" in name:
        return 0
    marker = "encoder.layer."
    if marker in name:
        return int(name.split(marker, 1)[1].split(".", 1)[0]) + 1
    return n_layers + 1


def electra_param_groups(named_parameters, lr, weight_decay, layerwise_lr_decay, n_layers):
    """AdamW parameter groups: no decay on biases and LayerNorm; lr shrinks with depth.

    A parameter at depth ``d`` (see ``_layer_depth``) gets
    ``lr * layerwise_lr_decay ** (n_layers + 1 - d)``, as in ELECTRA's fine-tuning.
    """
    groups = {}
    for name, param in named_parameters:
        if not param.requires_grad:
            continue
        no_decay = name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name
        # Without decay every depth shares one lr: fewer groups, fewer optimizer kernels.
        depth = _layer_depth(name, n_layers) if layerwise_lr_decay != 1.0 else n_layers + 1
        key = (depth, no_decay)
        if key not in groups:
            groups[key] = {
                "params": [],
                "lr": lr * layerwise_lr_decay ** (n_layers + 1 - depth),
                "weight_decay": 0.0 if no_decay else weight_decay,
            }
        groups[key]["params"].append(param)
    return [groups[k] for k in sorted(groups)]


def warmup_linear_factor(step, total, warmup):
    """Learning-rate multiplier: linear warmup over ``warmup`` steps, then linear decay to 0."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


def _write_dir_atomically(path, write):
    """Call ``write(tmpdir)``, then move the result to ``path``, replacing what was there.

    A crash while writing leaves ``path`` as it was.
    """
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.tmp-", dir=parent)
    try:
        write(tmp)
        old = None
        if os.path.exists(path):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=parent)
            os.rmdir(old)
            os.replace(path, old)
        os.replace(tmp, path)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class _EpochCheckpoint(Callback):
    """Writes ``checkpoint_dir``'s ``last`` and ``best`` at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        net._write_epoch_checkpoints()


class ElectraNetBase(NeuralNet):
    """Shared base of the sklearn_electra estimators (a skorch ``NeuralNet``).

    Not used directly: see :class:`~sklearn_electra.ElectraClassifier`. The
    parameters are documented there.
    """

    # Hugging Face model class built by initialize_module (set by subclasses).
    _hf_model_class = None
    # Whether the validation split may be stratified on the targets.
    _stratify = True

    _parameter_constraints = {
        "model": [str, os.PathLike],
        "tokenizer": [None, str, os.PathLike, PreTrainedTokenizerBase],
        "vocab_size": [Interval(numbers.Integral, 16, None, closed="left")],
        "lowercase": ["boolean"],
        "max_length": [Interval(numbers.Integral, 4, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "predict_batch_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "optimizer": [callable],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "warmup_ratio": [Interval(numbers.Real, 0, 1, closed="both")],
        "layerwise_lr_decay": [Interval(numbers.Real, 0, 1, closed="right")],
        "gradient_accumulation_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_grad_norm": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "validation_fraction": [None, Interval(numbers.Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [None, list, StrOptions({"disable"})],
        "warm_start": ["boolean"],
        "checkpoint_dir": [None, str, os.PathLike],
        "verbose": ["verbose"],
        "device": [str, torch.device],
        "precision": [StrOptions(set(_PRECISIONS))],
        "quantize": [None, StrOptions({"int8"})],
        "n_threads": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "accelerator": [None, HasMethods(["prepare", "backward", "unwrap_model"])],
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

    def __init__(
        self,
        model="tiny",
        *,
        tokenizer=None,
        vocab_size=8000,
        lowercase=True,
        max_length=128,
        lr=3e-4,
        max_epochs=3,
        batch_size=32,
        predict_batch_size=None,
        optimizer=torch.optim.AdamW,
        weight_decay=0.01,
        warmup_ratio=0.1,
        layerwise_lr_decay=0.8,
        gradient_accumulation_steps=1,
        max_grad_norm=1.0,
        validation_fraction=0.1,
        early_stopping=True,
        n_iter_no_change=3,
        callbacks=None,
        warm_start=False,
        checkpoint_dir=None,
        verbose=0,
        device="cpu",
        precision="fp32",
        quantize=None,
        n_threads=None,
        accelerator=None,
        random_state=None,
        **kwargs,
    ):
        self.model = model
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.lowercase = lowercase
        self.max_length = max_length
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.predict_batch_size = predict_batch_size
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.layerwise_lr_decay = layerwise_lr_decay
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.max_grad_norm = max_grad_norm
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.checkpoint_dir = checkpoint_dir
        self.verbose = verbose
        self.device = device
        self.precision = precision
        self.quantize = quantize
        self.n_threads = n_threads
        self.accelerator = accelerator
        self.random_state = random_state
        # Routed sub-parameters (module__*, optimizer__*, iterator_train__*, ...).
        self._params_to_validate = set(kwargs)
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ params
    def _get_param_names(self):
        # skorch lists every public attribute; keep private bookkeeping out.
        return [k for k in vars(self) if not k.endswith("_") and not k.startswith("_")]

    def set_params(self, **params):
        """Set parameters, including routed ones (``module__dropout``, ...).

        Invalid values are stored as given and reported by ``fit``, as in
        scikit-learn.
        """
        if "callbacks" in params:
            # skorch would initialize the callbacks right away (and fail on a bad
            # value); store them instead, the next fit initializes them.
            self.callbacks = params.pop("callbacks")
        return super().set_params(**params) if params else self

    def __repr__(self):
        return BaseEstimator.__repr__(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _check_params(self):
        """Validate parameters (skorch never checks ``_parameter_constraints``)."""
        own = {k: getattr(self, k) for k in self._parameter_constraints}
        validate_parameter_constraints(self._parameter_constraints, own,
                                       caller_name=type(self).__name__)
        self._check_quantize(self._resolve_device())
        source = resolve_model(self.model)
        config = build_config(source, self.get_params_for("module"))
        if self.max_length > config.max_position_embeddings:
            raise ValueError(
                f"max_length={self.max_length} exceeds the model's position limit "
                f"({config.max_position_embeddings}); use max_length <= "
                f"{config.max_position_embeddings}."
            )
        return source

    def _resolve_device(self):
        """The ``torch.device`` to run on: ``device`` resolved and checked."""
        if self.accelerator is not None:
            device = torch.device(self.accelerator.device)
            if self.device != "auto" and torch.device(self.device).type != device.type:
                raise ValueError(
                    f"device={self.device!r} conflicts with the accelerator, which places the "
                    f"model on {device}; pass device='auto' to let the accelerator choose."
                )
            if self.precision != "fp32":
                raise ValueError(
                    f"precision={self.precision!r} with an accelerator: set mixed precision on "
                    f"the accelerator instead, e.g. Accelerator(mixed_precision='{self.precision}'),"
                    " and keep precision='fp32'."
                )
            return device
        if isinstance(self.device, str) and self.device == "auto":
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        else:
            try:
                device = torch.device(self.device)
            except (RuntimeError, TypeError) as exc:
                raise ValueError(f"device={self.device!r} is not a valid torch device ({exc}); "
                                 "use 'cpu', 'cuda', 'cuda:N' or 'auto'.") from exc
        if device.type == "cuda":
            if not torch.cuda.is_available():
                raise ValueError(
                    f"device={self.device!r} was requested but CUDA is not available on this "
                    "machine (torch.cuda.is_available() is False). Use device='cpu' or 'auto'."
                )
            if device.index is not None and device.index >= torch.cuda.device_count():
                raise ValueError(
                    f"device={self.device!r} does not exist: this machine has "
                    f"{torch.cuda.device_count()} CUDA device(s)."
                )
        autocast_settings(device, self.precision)
        return device

    def _check_quantize(self, device):
        if self.quantize is not None and (device.type != "cpu" or self.precision != "fp32"):
            raise ValueError(
                f"quantize={self.quantize!r} runs inference on the CPU in fp32 with int8 Linear "
                f"layers; got device={str(device)!r}, precision={self.precision!r}. Use "
                "device='cpu' and precision='fp32', or quantize=None (on a GPU, "
                "precision='bf16' or 'fp16' is the fast path)."
            )

    @contextlib.contextmanager
    def _runtime(self):
        """Run a fit or an inference call on the resolved device with ``n_threads``.

        skorch reads ``self.device`` when it places modules and batches, so the
        resolved ``torch.device`` stands in for ``"auto"`` until the call ends; a
        fitted model that is elsewhere (after ``set_params(device=...)``) is moved.
        """
        device = self._resolve_device()
        requested, threads = self.device, torch.get_num_threads()
        self.device = device
        if self.n_threads is not None:
            torch.set_num_threads(self.n_threads)
        try:
            if self.initialized_:
                self._move_to(device)
            yield device
        finally:
            self.device = requested
            if self.n_threads is not None:
                torch.set_num_threads(threads)

    def _move_to(self, device):
        """Move the fitted modules, and the optimizer's parameters and state with them."""
        optimizer = getattr(self, "optimizer_", None)
        moved = False
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_", None)
            param = next(module.parameters(), None) if isinstance(module, torch.nn.Module) else None
            if param is None or param.device == device:
                continue
            before = list(module.parameters())
            module.to(device)
            moved = True
            if optimizer is None:
                continue
            # Some moves (e.g. to or from "meta") replace the Parameter objects:
            # point the optimizer at the new ones, carrying their state over.
            new = {id(old): p for old, p in zip(before, module.parameters()) if old is not p}
            for group in optimizer.param_groups:
                for i, p in enumerate(group["params"]):
                    if id(p) in new:
                        group["params"][i] = new[id(p)]
                        if p in optimizer.state:
                            optimizer.state[new[id(p)]] = optimizer.state.pop(p)
        if moved and optimizer is not None:
            # load_state_dict casts the state to the parameters' device.
            optimizer.load_state_dict(optimizer.state_dict())

    @contextlib.contextmanager
    def _accelerated(self):
        """Prepare model and optimizer with the accelerator for one fit; unwrap afterwards.

        Unwrapping leaves a plain Hugging Face model and optimizer, so the
        estimator pickles, clones and predicts without the accelerator.
        """
        accelerator = self.accelerator
        if accelerator is None:
            yield
            return
        self.module_, self.optimizer_ = accelerator.prepare(self.module_, self.optimizer_)
        try:
            yield
        finally:
            self.module_ = accelerator.unwrap_model(self.module_, keep_fp32_wrapper=False)
            self.optimizer_ = getattr(self.optimizer_, "optimizer", self.optimizer_)
            accelerator.free_memory()  # drop the accelerator's references to them

    @contextlib.contextmanager
    def _unwrapped(self):
        """``module_`` as the plain model while inside; during accelerated training it is
        wrapped (e.g. in DistributedDataParallel), whose state-dict keys differ."""
        wrapped = self.module_
        if self.accelerator is not None:
            self.module_ = self.accelerator.unwrap_model(wrapped)
        try:
            yield
        finally:
            self.module_ = wrapped

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_quantized", None)  # rebuilt on first use: pickles hold fp32 weights only
        return state

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

    # ----------------------------------------------------------- fit plumbing
    def _task_config(self):
        """Config fields that depend on fitted state: the label names of the head, if any."""
        if not hasattr(self, "classes_"):
            return {}  # the pretrainer and the embedder have no labels
        names = [str(c) for c in self.classes_.tolist()]
        return {
            "num_labels": len(names),
            "id2label": dict(enumerate(names)),
            "label2id": {name: i for i, name in enumerate(names)},
        }

    def fit(self, X, y=None, **fit_params):
        """Train on texts ``X`` with targets ``y``.

        Trains a tokenizer first when training from scratch without one. With
        ``warm_start=True`` a second ``fit`` continues from the current weights
        (and a fresh learning-rate schedule) instead of starting over.

        Returns
        -------
        self
        """
        reset = not (self.warm_start and self.initialized_)
        return self._fit(X, y, fit_params, reset=reset, new_schedule=True)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Continue training for ``max_epochs`` epochs without re-initializing.

        The learning-rate schedule carries on where it stopped; once it has
        run out, a new one starts.

        Returns
        -------
        self
        """
        return self._fit(X, y, fit_params, reset=not self.initialized_, new_schedule=False)

    def _fit(self, X, y, fit_params, *, reset, new_schedule):
        source = self._check_params()
        inputs, targets = self._validate_data(X, y, reset=reset)
        seed_torch = self._draw_seeds()
        if reset:
            self._prepare_tokenizer(inputs, source)
        dataset = self._make_dataset(inputs, targets, fitting=True)
        with self._runtime(), self._torch_rng(seed_torch):
            if reset:
                self.initialize()
            else:
                self._initialize_callbacks()  # pick up callbacks set since the last fit
            if new_schedule:
                self._schedule = None
            with self._accelerated():
                NeuralNet.partial_fit(self, dataset, None, **fit_params)
        return self

    def _draw_seeds(self):
        """Seeds of this fit: torch's is returned, the sampler's and the split's are kept."""
        rng = check_random_state(self.random_state)
        seeds = [int(seed) for seed in rng.randint(0, 2**31 - 1, size=3)]
        if self.accelerator is not None and self.accelerator.num_processes > 1:
            from accelerate.utils import broadcast_object_list

            # All processes must shuffle and split alike, even with random_state=None.
            seeds = broadcast_object_list(seeds)
        seed_torch, seed_batches, seed_split = seeds
        self._seeds = (seed_batches, seed_split)
        return seed_torch

    def _prepare_tokenizer(self, inputs, source):
        """``tokenizer_``: the given or checkpoint tokenizer, else one trained on ``inputs``."""
        self.tokenizer_ = resolve_tokenizer(self.tokenizer, source)
        if self.tokenizer_ is None:
            self.tokenizer_ = train_wordpiece(self._tokenizer_corpus(inputs), self.vocab_size,
                                              lowercase=self.lowercase)

    # Input hooks: texts here; ElectraTagger overrides them for token lists.
    def _check_inputs(self, X, *, fitting):
        """Validated inputs: a list of texts or of ``(text_a, text_b)`` pairs."""
        return check_texts(X, allow_pairs=True)

    def _validate_data(self, X, y, reset):
        """Validated ``(inputs, encoded targets)`` for fitting."""
        inputs = self._check_inputs(X, fitting=True)
        return inputs, self._validate_targets(y, inputs, reset=reset)

    def _tokenizer_corpus(self, inputs):
        """The strings a new tokenizer is trained on."""
        return [t for pair in inputs for t in pair] if isinstance(inputs[0], tuple) else inputs

    @contextlib.contextmanager
    def _torch_rng(self, seed):
        # Seed torch for this fit only; the caller's global RNG state is restored.
        devices = [torch.device(self.device)] if torch.device(self.device).type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            # Always seeded: with random_state=None the seed comes from numpy's
            # global RNG, so successive fits still differ.
            torch.manual_seed(seed)
            yield

    def _make_dataset(self, texts, targets=None, fitting=False):
        """Encode validated inputs into a dataset (``fitting``: the training set)."""
        ids, types, n_truncated = encode_texts(self.tokenizer_, texts, self.max_length)
        if fitting and n_truncated:
            warnings.warn(
                f"{n_truncated} of {len(texts)} texts are longer than max_length="
                f"{self.max_length} tokens and were truncated. Raise max_length to keep more text.",
                TextTruncationWarning, stacklevel=4,
            )
        return EncodedDataset(ids, types, targets)

    def get_dataset(self, X, y=None):
        """An :class:`~sklearn_electra.data.EncodedDataset` of ``X`` (raw inputs or a dataset)."""
        if isinstance(X, EncodedDataset):
            return X
        inputs = self._check_inputs(X, fitting=False)
        targets = None if y is None else self._validate_targets(y, inputs, reset=False)
        return self._make_dataset(inputs, targets)

    def get_split_datasets(self, X, y=None, **fit_params):
        """Hold out ``validation_fraction`` of the data (stratified when possible).

        Rows that share a group (the windows of one long sentence) stay on the
        same side of the split.
        """
        dataset = self.get_dataset(X, y)
        groups = dataset.groups if dataset.groups is not None else np.arange(len(dataset))
        units = np.unique(groups)
        n = len(units)
        n_valid = math.ceil((self.validation_fraction or 0) * n)
        if n_valid < 1 or n - n_valid < 1:
            return dataset, None
        stratify = None
        if self._stratify and dataset.groups is None and dataset.labels is not None:
            _, counts = np.unique(dataset.labels, return_counts=True)
            if counts.min() >= 2 and min(n_valid, n - n_valid) >= len(counts):
                stratify = dataset.labels
        _, valid_units = train_test_split(units, test_size=n_valid, random_state=self._seeds[1],
                                          stratify=stratify)
        in_valid = np.isin(groups, valid_units)
        return dataset.subset(np.flatnonzero(~in_valid)), dataset.subset(np.flatnonzero(in_valid))

    def get_iterator(self, dataset, training=False):
        """Length-bucketed shuffled batches for training, length-sorted ones otherwise."""
        if training:
            sampler = LengthBucketBatchSampler(dataset.lengths, self.batch_size, shuffle=True,
                                               seed=getattr(self, "_seeds", (None,))[0])
            kwargs = self.get_params_for("iterator_train")
        else:
            size = self.predict_batch_size or 2 * self.batch_size
            sampler = LengthBucketBatchSampler(dataset.lengths, size, shuffle=False)
            kwargs = self.get_params_for("iterator_valid")
        kwargs.setdefault("pin_memory", torch.device(self.device).type == "cuda")
        loader = DataLoader(dataset, batch_sampler=sampler,
                            collate_fn=PadCollator(self.tokenizer_.pad_token_id), **kwargs)
        if training and self.accelerator is not None:
            # Each process takes its share of the batches. Validation is not
            # sharded: every process scores the whole split, so all of them
            # see the same valid_loss and stop early together.
            loader = self.accelerator.prepare(loader)
        return loader

    # ------------------------------------------------------------- components
    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
        ]
        # Parameters are not validated yet (get_params reads this), so compare
        # defensively: an invalid value means "off" until fit reports it.
        validating = isinstance(self.validation_fraction, numbers.Real) and self.validation_fraction > 0
        if self.early_stopping is True and validating:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, load_best=True)))
        if isinstance(self.verbose, numbers.Integral) and self.verbose > 0:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks.append(("print_log", PrintLog()))
        if self.checkpoint_dir is not None:
            # Last: the epoch's losses and "best" flags are recorded by then.
            callbacks.append(("checkpoint", _EpochCheckpoint()))
        return callbacks

    def initialize_module(self):
        """Build the Hugging Face model from ``model`` (preset or checkpoint)."""
        self.module_ = self._build_model()
        return self

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

    def initialize_criterion(self):
        """Cross-entropy on logits; ``-100`` marks positions no loss sees."""
        self.criterion_ = torch.nn.CrossEntropyLoss(**self.get_params_for("criterion"))
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """AdamW-style optimizer with ELECTRA's parameter groups, and a grad scaler."""
        named = list(self.get_all_learnable_params())
        n_layers = self.module_.config.num_hidden_layers
        groups = electra_param_groups(named, self.lr, self.weight_decay,
                                      self.layerwise_lr_decay, n_layers)
        for group in groups:
            group["initial_lr"] = group["lr"]
        self.optimizer_ = self.optimizer(groups, lr=self.lr, **self.get_params_for("optimizer"))
        device_type, _, use_scaler = autocast_settings(torch.device(self.device), self.precision)
        self.grad_scaler_ = torch.amp.GradScaler(device_type, enabled=use_scaler)
        self._schedule = None
        self._pending = 0
        return self

    # ---------------------------------------------------------------- steps
    def _autocast(self):
        device_type, dtype, _ = autocast_settings(torch.device(self.device), self.precision)
        return torch.autocast(device_type, dtype=dtype, enabled=dtype is not None)

    def infer(self, x, **fit_params):
        """Run the model on a padded batch dict and return its logits."""
        x = to_device(x, self.device)
        with self._autocast():
            return self.module_(**x, **fit_params).logits

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Cross-entropy in float32 (logits may be bf16/fp16 under autocast)."""
        y_true = to_device(y_true, self.device).reshape(-1)
        if not (y_true != -100).any():
            # A batch with nothing to learn (e.g. only continuation subwords):
            # cross-entropy would be 0/0.
            return y_pred.sum() * 0.0
        return self.criterion_(y_pred.float().reshape(-1, y_pred.shape[-1]), y_true)

    def train_step(self, batch, **fit_params):
        """Forward and backward one batch; step the optimizer every
        ``gradient_accumulation_steps`` batches."""
        self._set_training(True)
        Xi, yi = batch
        accelerator = self.accelerator
        # Between optimizer steps, data-parallel gradients need no all-reduce.
        accumulating = self._pending + 1 < self.gradient_accumulation_steps
        with (accelerator.no_sync(self.module_) if accelerator and accumulating
              else contextlib.nullcontext()):
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
            if accelerator is not None:
                accelerator.backward(loss / self.gradient_accumulation_steps)
            else:
                self.grad_scaler_.scale(loss / self.gradient_accumulation_steps).backward()
        self._pending += 1
        if self._pending == self.gradient_accumulation_steps:
            self._optimizer_step()
        return {"loss": loss.detach(), "y_pred": y_pred.detach()}

    def _optimizer_step(self):
        if self._pending < self.gradient_accumulation_steps:
            # An epoch's last, incomplete accumulation: rescale to a mean gradient.
            for p in self.module_.parameters():
                if p.grad is not None:
                    p.grad.mul_(self.gradient_accumulation_steps / self._pending)
        self.grad_scaler_.unscale_(self.optimizer_)
        self.notify("on_grad_computed",
                    named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=None, training=True)
        if self.max_grad_norm:
            params = [p for _, p in self.get_all_learnable_params()]
            # The accelerator's version unscales fp16 gradients first.
            clip = self.accelerator.clip_grad_norm_ if self.accelerator else torch.nn.utils.clip_grad_norm_
            clip(params, self.max_grad_norm)
        self.grad_scaler_.step(self.optimizer_)
        self.grad_scaler_.update()
        self.optimizer_.zero_grad(set_to_none=True)
        self._pending = 0
        self._schedule["step"] += 1
        self._apply_schedule()

    def _apply_schedule(self):
        """Set every group's lr for the next optimizer step."""
        schedule = self._schedule
        factor = warmup_linear_factor(schedule["step"], schedule["total"], schedule["warmup"])
        for group in self.optimizer_.param_groups:
            group["lr"] = group["initial_lr"] * factor

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """One epoch; training epochs (re)start the lr schedule when needed and
        flush a pending gradient accumulation at the end."""
        if training and iterator is not None:
            schedule = getattr(self, "_schedule", None)
            if schedule is None or schedule["step"] >= schedule["total"]:
                per_epoch = math.ceil(len(iterator) / self.gradient_accumulation_steps)
                total = per_epoch * self.max_epochs
                self._schedule = {"step": 0, "total": total,
                                  "warmup": max(1, round(self.warmup_ratio * total))}
                self._apply_schedule()
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        if training and self._pending:
            self._optimizer_step()

    def validation_step(self, batch, **fit_params):
        """Loss and prediction on a validation batch; also counts correct predictions."""
        self._set_training(False)
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
            mask = yi != -100
            correct = (y_pred.argmax(-1).cpu()[mask] == yi[mask]).sum().item()
        self.history.record_batch("valid_correct", correct)
        self.history.record_batch("valid_count", int(mask.sum()))
        return {"loss": loss, "y_pred": y_pred}

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Record ``valid_acc`` (accuracy on the validation split) in ``history_``."""
        super().on_epoch_end(net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs)
        batches = self.history[-1]["batches"]
        count = sum(b.get("valid_count", 0) for b in batches)
        if count:
            self.history.record("valid_acc", sum(b.get("valid_correct", 0) for b in batches) / count)

    # ----------------------------------------------------------- checkpoints
    def _write_epoch_checkpoints(self):
        """``last`` (with the trainer state) after every epoch, ``best`` when the loss improves."""
        row = self.history[-1]
        stopper = dict(self.callbacks_).get("early_stopping")
        if stopper is not None:
            # Early stopping's notion of "best" (with its threshold): the weights
            # the estimator ends with are the ones in best/.
            improved = stopper.best_epoch_ == row["epoch"]
        else:
            improved = row.get("valid_loss_best", row.get("train_loss_best", False))
        accelerator = self.accelerator
        if accelerator is not None:
            accelerator.wait_for_everyone()
        if accelerator is None or accelerator.is_main_process:
            root = os.fspath(self.checkpoint_dir)
            with self._unwrapped():
                self._write_checkpoint(os.path.join(root, "last"), self._export_module(),
                                       with_metadata=True, trainer_state=True)
                if improved:
                    self._write_checkpoint(os.path.join(root, "best"), self._export_module(),
                                           with_metadata=True)
        if accelerator is not None:
            accelerator.wait_for_everyone()  # every process can now roll back to it
        self._checkpointed_epoch = len(self.history)

    def _write_trainer_state(self, folder):
        """Everything ``partial_fit`` needs to carry on: full module, optimizer, schedule, history."""
        from safetensors.torch import save_model

        os.makedirs(folder)
        save_model(self.module_, os.path.join(folder, "module.safetensors"))
        optimizer = getattr(self.optimizer_, "optimizer", self.optimizer_)  # unwrap Accelerate's
        torch.save(optimizer.state_dict(), os.path.join(folder, "optimizer.pt"))
        state = {"schedule": self._schedule, "grad_scaler": self.grad_scaler_.state_dict()}
        with open(os.path.join(folder, "state.json"), "w", encoding="utf-8") as f:
            json.dump(state, f)
        self.history.to_file(os.path.join(folder, "history.json"))

    def _load_trainer_state(self, folder):
        """Restore what :meth:`_write_trainer_state` wrote (tensors never unpickle code)."""
        from safetensors.torch import load_model
        from skorch.history import History

        device = torch.device(self.device)  # resolved: callers run inside _runtime()
        try:
            load_model(self.module_, os.path.join(folder, "module.safetensors"), device=str(device))
            optimizer_state = torch.load(os.path.join(folder, "optimizer.pt"), weights_only=True,
                                         map_location=device)
            self.optimizer_.load_state_dict(optimizer_state)
            with open(os.path.join(folder, "state.json"), encoding="utf-8") as f:
                state = json.load(f)
            self.history_ = History.from_file(os.path.join(folder, "history.json"))
        except (OSError, ValueError, RuntimeError, KeyError, pickle.UnpicklingError) as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise ValueError(
                f"The trainer state in {folder!r} is incomplete or corrupt ({reason}). The model "
                "itself can still be loaded: delete that folder to load it without the "
                "optimizer state."
            ) from exc
        self._schedule = state["schedule"]
        self.grad_scaler_.load_state_dict(state["grad_scaler"])

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's epoch loop; an interrupt goes back to the last checkpointed epoch."""
        self._checkpointed_epoch = None
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            self._rollback_to_checkpoint()
            raise  # skorch's partial_fit stops training here and calls on_train_end

    def _rollback_to_checkpoint(self):
        last = None if self.checkpoint_dir is None else os.path.join(os.fspath(self.checkpoint_dir), "last")
        if self._checkpointed_epoch is None or last is None:
            if not (self.early_stopping and self.validation_fraction):
                warnings.warn(
                    "Training was interrupted mid-epoch; the weights are those at the interrupt. "
                    "Pass checkpoint_dir= to go back to the last completed epoch instead.",
                    UserWarning, stacklevel=4,
                )
            return
        with self._unwrapped():
            self._load_trainer_state(os.path.join(last, TRAINER_STATE_DIR))
        self._pending = 0
        self.optimizer_.zero_grad(set_to_none=True)

    # ------------------------------------------------------------ inference
    @contextlib.contextmanager
    def _inference(self):
        """What every inference call runs under: the runtime, ``torch.inference_mode``
        and, with ``quantize="int8"``, the int8 copy of the model in ``module_``."""
        with self._runtime() as device, torch.inference_mode():
            if self.quantize is None:
                yield device
                return
            self._check_quantize(device)
            trained = self.module_
            self.module_ = self._quantized_module()
            try:
                yield device
            finally:
                self.module_ = trained

    def _quantized_module(self):
        """The int8 copy of ``module_``, rebuilt whenever the fp32 weights have changed."""
        # Every in-place change of a tensor (optimizer steps, load_state_dict)
        # bumps its _version: a cheap test that the cached copy is still current.
        key = (self.module_, self.quantize, sum(p._version for p in self.module_.parameters()))
        cached = self.__dict__.get("_quantized")
        if cached is None or cached[0] != key:
            self._quantized = (key, quantize_module(self.module_, self.quantize))
        return self._quantized[1]

    def forward_iter(self, X, training=False, device="cpu"):
        """Yield the model's outputs batch by batch, in **length order**.

        Use :meth:`forward` for outputs in input order.
        """
        self.check_is_fitted()
        dataset = self.get_dataset(X)
        # Enter _runtime() per batch, never across a yield: a caller that stops
        # iterating must not leave the resolved device or thread count behind.
        with self._runtime():
            iterator = self.get_iterator(dataset, training=False)
        for batch in iterator:
            with (self._inference() if not training else self._runtime()):
                yp = self.evaluation_step(batch, training=training)
            yield to_device(yp, device=device)

    def forward(self, X, training=False, device="cpu"):
        """Logits for every row of ``X``, in input order.

        Returns a ``(n_rows, n_classes)`` tensor for per-sequence outputs, and a
        list of ``(row_length, n_classes)`` tensors for per-token outputs (each
        row trimmed to its own length).
        """
        self.check_is_fitted()
        dataset = self.get_dataset(X)
        chunks = list(self.forward_iter(dataset, training=training, device=device))
        order = inference_order(dataset.lengths)
        if chunks[0].ndim == 2:
            logits = torch.cat(chunks)
            out = torch.empty_like(logits)
            out[torch.from_numpy(order)] = logits
            return out
        rows = [row for chunk in chunks for row in chunk]  # batches come in `order`
        out = [None] * len(rows)
        for row, index in zip(rows, order):
            out[index] = row[: dataset.lengths[index]]
        return out

    # -------------------------------------------------------- persistence
    def _export_metadata(self):
        """What :meth:`from_pretrained` needs besides the HF files (subclasses extend)."""
        params = {
            k: v for k, v in self.get_params(deep=False).items()
            if k not in ("model", "tokenizer", "device", "n_threads", "quantize", "callbacks",
                         "optimizer", "checkpoint_dir")
            and "__" not in k and (v is None or isinstance(v, (bool, int, float, str)))
        }
        from . import __version__

        metadata = {"estimator": type(self).__name__, "version": __version__, "params": params}
        if hasattr(self, "classes_"):
            metadata["classes"] = self.classes_.tolist()
        return metadata

    def _restore_metadata(self, metadata, config):
        """Restore ``classes_`` from saved metadata, or from the config's label names."""
        if "classes" in metadata:
            classes = metadata["classes"]
        elif self._hf_model_class.__name__ in (config.architectures or []):
            classes = [config.id2label[i] for i in sorted(config.id2label)]
        else:
            raise ValueError(
                f"This checkpoint has no {self._hf_model_class.__name__[len('ElectraFor'):]} head "
                f"to predict with. To fine-tune it, use {type(self).__name__}(model=path).fit(X, y)."
            )
        self.classes_ = np.asarray(classes, dtype=object if _is_object_like(classes) else None)
        self.n_classes_ = len(self.classes_)

    def _export_module(self):
        """The Hugging Face model that :meth:`save_pretrained` writes."""
        return self.module_

    def _onnx_head(self, output, attention_mask):
        """What the exported graph returns from the model's output (see :meth:`to_onnx`)."""
        return output.logits

    _onnx_output = "logits"

    def to_onnx(self, path):
        """Export the fitted model to ONNX, to serve it without PyTorch.

        Writes a directory that ``onnxruntime`` and ``tokenizers`` alone can
        serve (see the serving guide):

        * ``model.onnx``: inputs ``input_ids``, ``attention_mask`` and
          ``token_type_ids`` (int64, shape ``(batch, sequence)``, both axes
          dynamic); one output, the estimator's raw scores (``logits``, or
          ``embeddings`` for :class:`ElectraEmbedder`). Weights are fp32,
          whatever ``quantize`` says.
        * ``tokenizer.json``: the tokenizer with truncation at ``max_length``
          and padding to the batch's longest switched on, so that
          ``Tokenizer.from_file(...).encode_batch(texts)`` yields the inputs.
        * ``sklearn_electra.json``: ``classes`` and the estimator's parameters.

        The directory is replaced atomically. Needs the ``onnx`` and
        ``onnxscript`` packages (``pip install sklearn-electra[onnx]``).

        Parameters
        ----------
        path : str or os.PathLike
            Target directory (created if needed).

        Returns
        -------
        self
        """
        self.check_is_fitted()
        graph = OnnxGraph(self._export_module(), self._onnx_head)

        def write(tmp):
            export_onnx(graph, os.path.join(tmp, ONNX_FILE), self._onnx_output)
            self._serving_tokenizer().save(os.path.join(tmp, "tokenizer.json"))
            metadata = {**self._export_metadata(),
                        "onnx": {"file": ONNX_FILE, "inputs": list(ONNX_INPUTS),
                                 "output": self._onnx_output}}
            with open(os.path.join(tmp, METADATA_FILE), "w", encoding="utf-8") as f:
                json.dump(metadata, f, indent=2, ensure_ascii=False)

        with self._runtime():
            _write_dir_atomically(path, write)
        return self

    def _serving_tokenizer(self):
        """A ``tokenizers.Tokenizer`` that truncates and pads like ``fit``/``predict``."""
        backend = Tokenizer.from_str(self.tokenizer_.backend_tokenizer.to_str())
        backend.enable_truncation(max_length=self.max_length, strategy="longest_first")
        backend.enable_padding(pad_id=self.tokenizer_.pad_token_id,
                               pad_token=self.tokenizer_.pad_token)
        return backend

    def save_pretrained(self, path):
        """Write a Hugging Face checkpoint directory.

        It holds ``config.json``, ``model.safetensors``, the tokenizer files and
        ``sklearn_electra.json`` (labels and parameters). transformers'
        ``AutoModel*`` classes load it as is. The directory is replaced
        atomically: a crash mid-save leaves the previous contents intact.

        Parameters
        ----------
        path : str or os.PathLike
            Target directory (created if needed).
        """
        self.check_is_fitted()
        self._write_checkpoint(path, self._export_module(), with_metadata=True)
        return self

    def _write_checkpoint(self, path, model, with_metadata, trainer_state=False):
        @quiet_hf_progress()
        def write(tmp):
            model.save_pretrained(tmp)
            self.tokenizer_.save_pretrained(tmp)
            if with_metadata:
                with open(os.path.join(tmp, METADATA_FILE), "w", encoding="utf-8") as f:
                    json.dump(self._export_metadata(), f, indent=2, ensure_ascii=False)
            if trainer_state:
                self._write_trainer_state(os.path.join(tmp, TRAINER_STATE_DIR))

        _write_dir_atomically(path, write)

    @classmethod
    def from_pretrained(cls, path, **params):
        """Load a fitted estimator from a directory written by :meth:`save_pretrained`.

        Parameters
        ----------
        path : str or os.PathLike
            Checkpoint directory.
        **params
            Parameters that override the saved ones (e.g. ``device="cuda"``).

        Returns
        -------
        estimator
            Ready to predict; ``fit`` would fine-tune from this checkpoint.
        """
        path = os.fspath(path)
        source = resolve_model(path)
        metadata = {}
        meta_path = os.path.join(path, METADATA_FILE)
        if os.path.isfile(meta_path):
            try:
                with open(meta_path, encoding="utf-8") as f:
                    metadata = json.load(f)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ValueError(f"{meta_path!r} is not valid JSON ({exc}); the checkpoint looks "
                                 "corrupt: write it again with save_pretrained().") from exc
            saved_as = metadata.get("estimator")
            if saved_as and saved_as != cls.__name__:
                raise ValueError(
                    f"{path!r} was saved by {saved_as}; load it with {saved_as}.from_pretrained."
                )
        est = cls(model=path, **{**metadata.get("params", {}), **params})
        est._check_params()
        est.tokenizer_ = resolve_tokenizer(est.tokenizer, source)
        est._restore_metadata(metadata, build_config(source))
        with est._runtime(), est._torch_rng(0):
            est.initialize()
            trainer_state = os.path.join(path, TRAINER_STATE_DIR)
            if os.path.isdir(trainer_state):
                est._load_trainer_state(trainer_state)
        return est


def _is_object_like(values):
    """Keep strings and mixed labels as Python objects rather than fixed-width numpy strings."""
    if hasattr(values, "dtype"):
        return values.dtype.kind in "OUS" or str(values.dtype) in ("string", "str", "category")
    return any(not isinstance(v, (int, float, bool, np.number)) for v in values)


def autocast_settings(device, precision):
    """``(device_type, dtype or None, use_grad_scaler)`` for a device and precision.

    Raises
    ------
    ValueError
        For fp16 off CUDA, or bf16 on a GPU without bf16 support.
    """
    dtype = _PRECISIONS[precision]
    if precision == "fp16" and device.type != "cuda":
        raise ValueError(
            "precision='fp16' needs a CUDA device; on CPU use precision='fp32' (or 'bf16' if "
            "the CPU supports it natively)."
        )
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ValueError("This GPU does not support bf16; use precision='fp16'.")
    return device.type, dtype, precision == "fp16"
