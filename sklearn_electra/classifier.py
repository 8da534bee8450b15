"""``ElectraClassifier``: text (and text-pair) classification with ELECTRA."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from transformers import ElectraForSequenceClassification

from ._base import PARAMETERS_DOC, ElectraNetBase, _is_missing, _is_object_like

__all__ = ["ElectraClassifier"]

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
            if _is_missing(label):
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
