"""Parameter documentation, rendered for each estimator with its own defaults.

An estimator's docstring holds the line ``{parameters}`` where the shared
parameters go; :func:`document_parameters` (a class decorator) replaces it with
the entries of the parameters that class has, each with the default its own
``__init__`` gives it, so the pretrainer's docs say ``lr : float, default=0.0005``
and the classifier's ``default=0.0003``.
"""

from __future__ import annotations

import inspect

__all__ = ["document_parameters", "parameter_defaults"]

# name -> (type, description); the default is filled in per estimator.
_PARAMETERS = {
    "model": ("str or os.PathLike", """
        A preset to train from scratch (``"tiny"``, ``"small"``, ``"base"``,
        ``"large"``: the ELECTRA paper's discriminator shapes, ``"tiny"`` for
        tests and laptops), a local checkpoint directory (fine-tune it), or a
        hub id (needs a reachable hub). Override the config with
        ``module__<name>``, e.g. ``module__dropout=0.1`` or
        ``module__num_hidden_layers=4``."""),
    "tokenizer": ("None, str, os.PathLike or PreTrainedTokenizerFast", """
        ``None`` takes the checkpoint's tokenizer, or trains a WordPiece
        tokenizer on the training texts when ``model`` is a preset (CJK
        characters are split one per token). Training is deterministic."""),
    "vocab_size": ("int", """
        Vocabulary size of a tokenizer trained from the texts."""),
    "lowercase": ("bool", """
        Whether a trained tokenizer lowercases and strips accents."""),
    "max_length": ("int", """
        Longest input in tokens (special tokens included); longer texts are
        truncated with a :class:`TextTruncationWarning` at fit time. Batches
        are padded only to their longest text."""),
    "long_texts": ('{"truncate", "windows"}', """
        What happens to a text longer than ``max_length`` tokens: ``"truncate"``
        cuts it (with a :class:`TextTruncationWarning`); ``"windows"`` reads all
        of it as overlapping windows of ``max_length`` tokens, scores each and
        pools the scores into the text's one output (``window_pooling``), in
        training and in prediction. Costs one forward pass per window. For text
        pairs the first text is kept whole in every window (cut to half a window
        if longer) and the windows slide over the second."""),
    "stride": ("int", """
        With ``long_texts="windows"``: the overlap, in subwords, between
        consecutive windows of a long text; below ``(max_length - 3) // 2``."""),
    "window_pooling": ('{"mean", "max"}', """
        With ``long_texts="windows"``: how the windows' logits make the text's
        logits, their mean or their per-class maximum."""),
    "lr": ("float or None", """
        Peak learning rate (of the head; lower layers get less with layer-wise
        decay). ``None``: the ELECTRA paper's rate for the model's size when
        ``model`` is a pretrained checkpoint (3e-4 Small, 1e-4 Base, 5e-5 Large,
        sized by the config's hidden size); for a preset, which trains from
        random initialisation, the pretraining rate of its size (5e-4 for
        ``"tiny"`` and ``"small"``, 2e-4 for the others). The value used is
        ``recipe_.lr``."""),
    "max_epochs": ("int or None", """
        Epochs per ``fit`` (and per ``partial_fit`` call). ``None``: the paper's 3
        for a pretrained checkpoint; for a preset, which learns from nothing,
        enough epochs for 1,500 optimizer steps (at least 3, at most 50), early
        stopping ending it sooner. ``recipe_`` and ``history_`` say what ran."""),
    "batch_size": ("int", """
        Texts per training batch (before gradient accumulation)."""),
    "predict_batch_size": ("int or None", """
        Texts per inference batch; ``None`` means ``2 * batch_size``."""),
    "optimizer": ("torch optimizer class", """
        Its extra arguments go through ``optimizer__<name>``."""),
    "weight_decay": ("float", """
        Decoupled weight decay, not applied to biases and LayerNorm weights."""),
    "warmup_ratio": ("float or None", """
        Fraction of the optimizer steps with linear warmup; the learning rate
        decays linearly to zero from the first step, times the warmup factor, as
        in the reference. ``None`` means 0.1."""),
    "layerwise_lr_decay": ("float or None", """
        Layer ``l`` of ``L`` trains at ``lr * layerwise_lr_decay ** (L + 2 - l)``
        (embeddings at ``l = 0``, the head at ``L + 2``: full ``lr``); 1.0
        switches it off. ``None``: the paper's 0.8 (0.9 for Large) for a
        pretrained checkpoint, 1.0 for a preset (random initialisation has no
        pretrained lower layers to protect)."""),
    "gradient_accumulation_steps": ("int", """
        Batches whose gradients are summed before each optimizer step."""),
    "max_grad_norm": ("float or None", """
        Gradient-norm clipping; ``None`` switches it off."""),
    "validation_fraction": ("float or None", """
        Share of the training data held out (stratified when possible) to
        report ``valid_loss`` (and ``valid_acc`` for estimators with labels)
        and for early stopping; ``None`` or 0 trains on everything."""),
    "early_stopping": ("bool", """
        Stop when ``valid_loss`` has not improved for ``n_iter_no_change``
        epochs and restore the best epoch's weights. Needs a validation split."""),
    "n_iter_no_change": ("int", """
        Patience of early stopping, in epochs without improvement, and never fewer
        than 300 optimizer steps since the best epoch. Epochs do not count while the
        learning rate warms up, nor before the validation loss has left its starting
        plateau (5% below the loss of predicting the label frequencies): a model
        trained from random weights, or from a weakly pretrained checkpoint, can sit
        at chance for a while before it finds its signal. A fit that ends still on
        that plateau raises a ``ConvergenceWarning`` naming the settings to change.
        Both rules are ``EarlyStopping``'s (``sklearn_electra.callbacks``);
        ``callbacks__early_stopping__min_patience_steps`` and
        ``callbacks__early_stopping__plateau_margin`` set them."""),
    "partial_fit_lr": ("{\"constant\", \"inverse_sqrt\"}", """
        The learning rate of ``partial_fit``, which makes one pass per call over a
        stream of unknown length: a linear warmup over the first optimizer steps
        (the recipe's ``warmup_ratio`` of 1,000 steps, counted across calls), then
        the recipe's peak rate (``"constant"``, as ``MLPClassifier`` keeps
        ``learning_rate_init``) or the peak times ``sqrt(warmup / step)``
        (``"inverse_sqrt"``). ``fit`` plans its own linear decay instead."""),
    "callbacks": ("list, \"disable\" or None", """
        Extra skorch callbacks, as ``[("name", callback), ...]``. At each event they
        run after the built-in timing and loss scorers and before early stopping and
        checkpointing, so early stopping can monitor a score a callback records
        (``EarlyStopping(monitor="my_score")``); the progress log prints last."""),
    "warm_start": ("bool", """
        If True, ``fit`` continues from the fitted weights (and optimizer
        state) instead of re-initializing."""),
    "checkpoint_dir": ("str, os.PathLike or None", """
        Write checkpoints while training: ``<checkpoint_dir>/last`` after every
        epoch (including the one where early stopping stops) and
        ``<checkpoint_dir>/best`` whenever the monitored loss improves (the
        weights early stopping restores). Both are Hugging Face directories like
        :meth:`save_pretrained` writes; ``last`` also holds ``trainer_state/``
        (optimizer, schedule, history), so
        ``from_pretrained(<checkpoint_dir>/"last").partial_fit(X, y)`` resumes
        where training stopped. Each write is atomic; after a
        ``KeyboardInterrupt`` the estimator goes back to the last completed epoch."""),
    "verbose": ("int", """
        1 prints a per-epoch table and a progress bar."""),
    "device": ("str or torch.device", """
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, or ``"auto"`` (CUDA when present,
        else CPU). A clear error is raised when CUDA is asked for and absent.
        Changing it on a fitted estimator (``set_params(device="cpu")``) moves
        the model at the next call; a model pickled on a GPU unpickles on a
        CPU-only machine (with a ``DeviceWarning``)."""),
    "precision": ("{\"fp32\", \"bf16\", \"fp16\"}", """
        Autocast precision. ``"fp16"`` needs CUDA and uses a gradient scaler;
        ``"bf16"`` needs a GPU (or CPU) with bf16 support."""),
    "quantize": ("{None, \"int8\"}", """
        ``"int8"``: inference runs with every Linear layer quantized to int8
        (PyTorch dynamic quantization, CPU only): 2.2x faster than fp32 for a
        model of ELECTRA-Small's width in the benchmarks, at 0.05 accuracy
        points; it gains nothing on the ``"tiny"`` preset, whose layers are too
        narrow. The fp32 weights are what training updates and what
        :meth:`save_pretrained` and :meth:`to_onnx` write. It can be set on a
        fitted estimator: ``est.set_params(quantize="int8")``."""),
    "n_threads": ("int or None", """
        CPU threads torch may use during a call (restored afterwards); ``None``
        leaves torch's setting. Set it when several fits share a machine, e.g.
        ``n_threads=1`` with ``GridSearchCV(n_jobs=k)`` so that ``k`` processes
        do not fight over the cores. torch's thread count is global to the
        process: concurrent calls in threads share one setting."""),
    "accelerator": ("accelerate.Accelerator or None", """
        Data-parallel training with Hugging Face Accelerate: run the same script
        under ``accelerate launch`` and every process trains on its shard of
        each batch; gradients are averaged, so all processes end with the same
        weights. The accelerator places the model (leave ``device="auto"`` or
        give the accelerator's device) and sets mixed precision
        (``Accelerator(mixed_precision="bf16")``, with ``precision="fp32"``
        here). The estimator keeps the plain model, so it pickles, clones and
        predicts like any other."""),
    "random_state": ("int, RandomState or None", """
        Seeds initialization, dropout, batching and the validation split; with
        an int, two fits on CPU give identical predictions (with the same
        ``n_threads``). On a GPU, some CUDA kernels (e.g. atomics in the
        embedding backward) are not deterministic, so the last digits can differ."""),
}

_ROUTED_TRAINING = """
    **kwargs
        Routed parameters: ``module__*`` (config overrides), ``optimizer__*``,
        ``criterion__*``, ``callbacks__*``, and ``iterator_train__*`` /
        ``iterator_valid__*`` for the ``DataLoader`` (``num_workers``, ...;
        ``shuffle`` and ``batch_size`` set the length-bucketed sampler)."""
_ROUTED_INFERENCE = """
    **kwargs
        ``module__*`` config overrides (e.g. ``module__num_hidden_layers``)."""


def parameter_defaults(cls):
    """Every ``__init__`` default along ``cls``'s MRO (our classes only, not skorch's),
    the most derived winning."""
    defaults = {}
    for klass in reversed(cls.__mro__):
        init = klass.__dict__.get("__init__")
        if init is None or not klass.__module__.startswith("sklearn_electra"):
            continue
        for name, p in inspect.signature(init).parameters.items():
            if p.default is not inspect.Parameter.empty:
                defaults[name] = p.default
    return defaults


def _format_default(value):
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}".replace("torch.optim.adamw", "torch.optim")
    return repr(value)


def document_parameters(notes=None):
    """Class decorator: put the shared parameters' docs where the docstring says ``{parameters}``.

    ``notes`` maps a parameter name to a description that replaces the shared
    one for this estimator.
    """
    notes = notes or {}

    def decorate(cls):
        defaults = parameter_defaults(cls)
        entries = []
        for name, (kind, text) in _PARAMETERS.items():
            if name not in defaults:
                continue
            text = f"\n        {inspect.cleandoc(notes[name]).replace(chr(10), chr(10) + ' ' * 8)}" \
                if name in notes else text
            entries.append(f"\n    {name} : {kind}, default={_format_default(defaults[name])}{text}")
        routed = _ROUTED_TRAINING if "lr" in defaults else _ROUTED_INFERENCE
        cls.__doc__ = cls.__doc__.replace("{parameters}", "".join(entries) + routed)
        return cls

    return decorate
