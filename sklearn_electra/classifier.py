"""``ElectraClassifier``: text (and text-pair) classification with ELECTRA."""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from transformers import ElectraForSequenceClassification

from ._base import ElectraNetBase, _is_object_like

__all__ = ["ElectraClassifier"]

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
        If True, ``fit`` continues from the fitted weights instead of
        re-initializing.
    verbose : int, default=0
        1 prints a per-epoch table and a progress bar.
    device : str or torch.device, default="cpu"
        ``"cpu"``, ``"cuda"`` or ``"cuda:1"``. A clear error is raised when
        CUDA is asked for and absent.
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Autocast precision. ``"fp16"`` needs CUDA and uses a gradient scaler;
        ``"bf16"`` needs a GPU (or CPU) with bf16 support.
    random_state : int, RandomState or None, default=None
        Seeds initialization, dropout, batching and the validation split; with
        an int, two fits on CPU give identical predictions.
    **kwargs
        Routed parameters: ``module__*``, ``optimizer__*``,
        ``iterator_train__*``, ``iterator_valid__*``, ``callbacks__*``,
        ``criterion__*``."""


class ElectraClassifier(ClassifierMixin, ElectraNetBase):
    __doc__ = f"""Text classifier fine-tuning an ELECTRA discriminator.

    Wraps :class:`transformers.ElectraForSequenceClassification` as a
    scikit-learn classifier (a skorch ``NeuralNet``). ``X`` holds texts, or
    ``(text_a, text_b)`` pairs (a two-column DataFrame works too) that are
    encoded as sentence pairs with segment ids; ``y`` holds labels of any
    sortable type (strings, ints, ...).

    Parameters
    ----------{PARAMETERS_DOC}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, in the order of ``predict_proba``'s columns.
    n_classes_ : int
        Number of classes.
    tokenizer_ : transformers.PreTrainedTokenizerFast
        The tokenizer used (trained or loaded).
    module_ : transformers.ElectraForSequenceClassification
        The fitted model.
    history_ : skorch.History
        Per-epoch ``train_loss``, ``valid_loss``, ``valid_acc``, ``dur``.

    See Also
    --------
    sklearn_electra.ElectraTagger : token tagging (NER).

    Examples
    --------
    >>> from sklearn_electra import ElectraClassifier
    >>> X = ["great phone", "love it", "battery died", "screen broke"] * 8
    >>> y = ["pos", "pos", "neg", "neg"] * 8
    >>> clf = ElectraClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['neg', 'pos'], dtype=object)
    >>> clf.predict_proba(["great battery"]).shape
    (1, 2)
    >>> clf.predict(["great battery"])[0] in clf.classes_
    True
    """

    _hf_model_class = ElectraForSequenceClassification

    def _validate_targets(self, y, inputs, reset):
        n = len(inputs)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y (one label per text); got None.")
        if isinstance(y, str):
            raise ValueError("y must hold one label per text, not a single string.")
        y = np.asarray(y, dtype=object if _is_object_like(y) else None)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional (one label per text); got shape {y.shape}.")
        if len(y) != n:
            raise ValueError(f"X has {n} texts but y has {len(y)} labels; they must match.")
        for i, label in enumerate(y):
            if label is None or (isinstance(label, float) and math.isnan(label)):
                raise ValueError(f"y[{i}] is missing ({label!r}); drop or fill missing labels first.")
        if reset:
            try:
                check_classification_targets(y)
                classes, encoded = np.unique(y, return_inverse=True)
            except TypeError as exc:
                kinds = sorted({type(v).__name__ for v in y})
                raise TypeError(
                    f"Labels must be mutually sortable; y mixes {', '.join(kinds)}. Convert them "
                    "to one type, e.g. y.astype(str)."
                ) from exc
            if len(classes) < 2:
                raise ValueError(
                    f"y has a single class ({classes[0]!r}); a classifier needs at least 2 classes."
                )
            self.classes_ = classes
            self.n_classes_ = len(classes)
            return encoded
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        unknown = [v for v in y.tolist() if v not in index]
        if unknown:
            raise ValueError(
                f"y contains labels not seen in the first fit: {sorted(set(map(repr, unknown)))[:5]}. "
                f"Known classes: {self.classes_.tolist()}."
            )
        return np.fromiter((index[v] for v in y.tolist()), dtype=np.int64, count=len(y))

    def predict_proba(self, X):
        """Class probabilities for each text.

        Parameters
        ----------
        X : list, array, Series or DataFrame of texts (or text pairs)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        logits = self.forward(X)
        return torch.softmax(logits.float(), dim=-1).numpy()

    def predict(self, X):
        """Most probable label of each text, as in ``classes_`` (original type).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        return self.classes_[proba.argmax(axis=1)]
