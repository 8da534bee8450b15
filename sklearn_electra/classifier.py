"""``ElectraClassifier``: text (and text-pair) classification with ELECTRA."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from transformers import ElectraForSequenceClassification

from ._base import ElectraNetBase
from ._docs import document_parameters
from ._supervised import SupervisedMixin
from .validation import check_labels

__all__ = ["ElectraClassifier"]


@document_parameters()
class ElectraClassifier(ClassifierMixin, SupervisedMixin, ElectraNetBase):
    """Text classifier fine-tuning an ELECTRA discriminator.

    Wraps :class:`transformers.ElectraForSequenceClassification` as a
    scikit-learn classifier (a skorch ``NeuralNet``). ``X`` holds texts, or
    ``(text_a, text_b)`` pairs (a two-column DataFrame works too) that are
    encoded as sentence pairs with segment ids; ``y`` holds labels of any
    sortable type (strings, ints, ...).

    Parameters
    ----------{parameters}

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
    recipe_ : sklearn_electra.recipe.Recipe
        The learning rate, layer-wise decay and warmup this fit used (the
        parameters, or the paper's recipe for the model where they are None).
    lr_schedule_ : sklearn_electra.optim.LinearWarmupSchedule
        Where the learning-rate schedule stands (``partial_fit`` carries on from it).

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

    Incremental training, with every label announced on the first call:

    >>> clf = ElectraClassifier(max_epochs=1, random_state=0)
    >>> clf = clf.partial_fit(X[:2], y[:2], classes=["neg", "pos"])
    >>> clf.partial_fit(X[2:4], y[2:4]).classes_.tolist()
    ['neg', 'pos']
    """

    _hf_model_class = ElectraForSequenceClassification

    def _check_targets(self, y, inputs):
        y = check_labels(y, len(inputs), type(self).__name__)
        try:
            check_classification_targets(y)
        except TypeError:
            pass  # unsortable mixes get their own message from _learn_classes
        return y

    def _target_values(self, y):
        return y.tolist()

    def _encode_targets(self, y, index):
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
