"""``ElectraClassifier``: text (and text-pair) classification with ELECTRA."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from transformers import ElectraForSequenceClassification

from ._base import ElectraNetBase
from ._distill import DistillationMixin
from ._docs import document_parameters
from ._long_texts import LongTextMixin
from ._multilabel import MultiLabelMixin
from ._supervised import SupervisedMixin
from .validation import check_labels

__all__ = ["ElectraClassifier"]


@document_parameters()
class ElectraClassifier(ClassifierMixin, LongTextMixin, DistillationMixin, MultiLabelMixin,
                        SupervisedMixin, ElectraNetBase):
    """Text classifier fine-tuning an ELECTRA discriminator, single- or multi-label.

    Wraps :class:`transformers.ElectraForSequenceClassification` as a
    scikit-learn classifier (a skorch ``NeuralNet``). ``X`` holds texts, or
    ``(text_a, text_b)`` pairs (a two-column DataFrame works too) that are
    encoded as sentence pairs with segment ids; ``y`` holds labels of any
    sortable type (strings, ints, ...).

    For several labels per text, ``y`` is a 0/1 indicator matrix (array,
    DataFrame whose column names become ``classes_``, or sparse matrix) or one
    list of labels per text (an empty list for none). The model then has one
    sigmoid output per label, trained with binary cross-entropy;
    ``predict_proba`` gives each label's probability and ``predict`` answers in
    the form of ``y``; ``score`` is subset accuracy, as in scikit-learn.

    Parameters
    ----------
    threshold : float, default=0.5
        Multi-label only: a label is predicted when its probability is at least
        this.
    teacher : None, ElectraClassifier, FrozenEstimator or str, default=None
        Distill a fitted classifier (or its ``save_pretrained`` directory) into
        this one: its logits on the training texts become soft targets, and
        ``fit(X)`` needs no labels. The student takes its ``classes_`` and does not
        keep it in its checkpoint. For ``clone``/``GridSearchCV``, which copy
        estimator parameters unfitted, pass ``FrozenEstimator(teacher)`` or the
        directory. See :mod:`sklearn_electra._distill`.
    distill_temperature : float, default=2.0
        Softmax temperature ``T`` of the soft targets (Hinton et al., 2015); the
        soft loss is scaled by ``T**2``.
    distill_alpha : float, default=0.5
        Weight of the soft-target loss; ``1 - distill_alpha`` weighs the
        cross-entropy on labels. Rows without a label use the soft loss alone.{parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, in the order of ``predict_proba``'s columns (for an
        indicator matrix: its column names, or 0..k-1).
    n_classes_ : int
        Number of classes (labels).
    target_type_ : str
        The form of the first fit's ``y``: ``"binary"``, ``"multiclass"``,
        ``"multilabel-indicator"`` or ``"multilabel-sequences"``.
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

    Several labels per text, as lists:

    >>> y = [["praise"], ["praise"], ["battery"], ["screen", "defect"]] * 8
    >>> clf = ElectraClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.classes_.tolist(), clf.predict_proba(X[:1]).shape
    (['battery', 'defect', 'praise', 'screen'], (1, 4))
    >>> isinstance(clf.predict(X[:1])[0], list)
    True
    """

    _hf_model_class = ElectraForSequenceClassification
    _parameter_constraints = {
        **ElectraNetBase._parameter_constraints,
        **LongTextMixin._long_text_constraints,
        **DistillationMixin._distill_constraints,
        "threshold": [Interval(numbers.Real, 0, 1, closed="neither")],
    }

    def __init__(self, model="tiny", *, threshold=0.5, long_texts="truncate", stride=32,
                 window_pooling="mean", teacher=None, distill_temperature=2.0, distill_alpha=0.5,
                 **kwargs):
        super().__init__(model, **kwargs)
        self.threshold = threshold
        self.long_texts = long_texts
        self.stride = stride
        self.window_pooling = window_pooling
        self.teacher = teacher
        self.distill_temperature = distill_temperature
        self.distill_alpha = distill_alpha

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

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
            Columns follow ``classes_``. Rows sum to 1; for multi-label ``y``
            each column is that label's own probability.
        """
        logits = self.forward(X).float()
        if self._multilabel:
            return torch.sigmoid(logits).numpy()
        return torch.softmax(logits, dim=-1).numpy()

    def predict(self, X):
        """The label of each text, as in ``classes_`` (original type).

        Returns
        -------
        ndarray of shape (n_samples,)
            For multi-label ``y``: a 0/1 array of shape ``(n_samples, n_classes)``,
            or one list of labels per text when ``y`` was given as lists; a label
            is predicted when its probability reaches ``threshold``.
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        if self._multilabel:
            return self._decode(proba >= self.threshold)
        return self.classes_[proba.argmax(axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy; for multi-label ``y``, subset accuracy (every label of a text right).

        Returns
        -------
        float
        """
        if not self._multilabel:
            return super().score(X, y, sample_weight=sample_weight)
        predicted = self._indicator(self.predict(X)) if self.target_type_ == \
            "multilabel-sequences" else self.predict(X)
        return float(accuracy_score(self._indicator(y), predicted, sample_weight=sample_weight))
