"""``ElectraClassifier``: text (and text-pair) classification with ELECTRA."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from transformers import ElectraForSequenceClassification

from ._base import ElectraNetBase
from ._distill import DistillationMixin
from ._docs import document_parameters
from ._long_texts import LongTextMixin
from ._supervised import SupervisedMixin
from ._weights import SampleWeightMixin
from .targets import classification_target, restore_classification_target

__all__ = ["ElectraClassifier"]


@document_parameters()
class ElectraClassifier(ClassifierMixin, LongTextMixin, DistillationMixin, SampleWeightMixin,
                        SupervisedMixin, ElectraNetBase):
    """Text classifier fine-tuning an ELECTRA discriminator: single-label, multi-label or
    several label columns.

    Wraps :class:`transformers.ElectraForSequenceClassification` as a
    scikit-learn classifier (a skorch ``NeuralNet``). ``X`` holds texts, or
    ``(text_a, text_b)`` pairs (a two-column DataFrame works too) that are
    encoded as sentence pairs with segment ids; ``y`` is read as scikit-learn's
    :func:`~sklearn.utils.multiclass.type_of_target` reads it, and picks the target
    (:mod:`sklearn_electra.targets`) that ``target_`` holds:

    * one label per text, of any sortable type: a softmax head, cross-entropy;
    * several labels per text, as a 0/1 indicator matrix (array, DataFrame whose
      column names become ``classes_``, sparse matrix) or one list of labels per
      text (an empty list for none): one sigmoid per label, binary cross-entropy;
      ``predict`` answers in the form of ``y``; ``score`` is subset accuracy;
    * several label columns, each with its own classes (a DataFrame or 2-d array of
      labels, scikit-learn's "multiclass-multioutput"): one encoder, one softmax
      head per column; ``classes_`` is a list of arrays, ``predict_proba`` a list of
      arrays, ``score`` the mean of the columns' accuracies.

    Parameters
    ----------
    threshold : float or "auto", default="auto"
        Multi-label only: a label is predicted when its probability is at least
        this. ``"auto"``: one threshold per label (``thresholds_``), the one that
        maximizes that label's F1 on the validation split (on the training texts when
        ``validation_fraction=None``). Rare labels need it: at 0.5 a model predicts
        them too seldom (see docs/benchmarks.md, "Imbalanced labels").
    class_weight : None, "balanced", dict or list of dict, default=None
        Weights of the classes in the loss, as scikit-learn's classifiers take it.
        ``"balanced"``: ``n_samples / (n_classes * count)`` per class
        (:func:`~sklearn.utils.class_weight.compute_class_weight`); multi-label:
        per label, its positive and negative texts balanced; a dict ``{label:
        weight}`` (multi-label: the weight of a label's positive texts); several
        label columns: ``"balanced"`` or one dict per column. Combined with
        ``sample_weight`` by product.
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
    target_ : sklearn_electra.targets.Target
        The fitted target: how ``y`` is encoded, the loss, how logits become
        predictions.
    classes_ : ndarray of shape (n_classes,), or list of ndarray
        The labels, in the order of ``predict_proba``'s columns (for an
        indicator matrix: its column names, or 0..k-1); one array per column for
        several label columns.
    n_classes_ : int or list of int
        Number of classes (labels), per column for several label columns.
    target_type_ : str
        The form of the first fit's ``y``: ``"binary"``, ``"multiclass"``,
        ``"multilabel-indicator"``, ``"multilabel-sequences"`` or
        ``"multiclass-multioutput"``.
    thresholds_ : ndarray of shape (n_classes,)
        Multi-label only: each label's F1-maximizing threshold on the validation
        split (used with ``threshold="auto"``).
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

    Weighted texts, and classes weighted against imbalance:

    >>> w = [1.0, 1.0, 2.0, 0.0] * 8
    >>> clf = ElectraClassifier(max_epochs=1, class_weight="balanced", random_state=0)
    >>> clf.fit(X, y, sample_weight=w).target_.class_weight_.tolist()
    [1.0, 1.0]

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

    Several label columns, each with its own classes:

    >>> import pandas as pd
    >>> y = pd.DataFrame({"mood": ["pos", "pos", "neg", "neg"] * 8,
    ...                   "topic": ["phone", "phone", "battery", "screen"] * 8})
    >>> clf = ElectraClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> [c.tolist() for c in clf.classes_], clf.predict(X[:1]).shape
    ([['neg', 'pos'], ['battery', 'phone', 'screen']], (1, 2))
    """

    _hf_model_class = ElectraForSequenceClassification
    _parameter_constraints = {
        **ElectraNetBase._parameter_constraints,
        **LongTextMixin._long_text_constraints,
        **DistillationMixin._distill_constraints,
        "threshold": [Interval(numbers.Real, 0, 1, closed="neither"), StrOptions({"auto"})],
        "class_weight": [None, StrOptions({"balanced"}), dict, list],
    }

    def __init__(self, model="tiny", *, threshold="auto", class_weight=None, long_texts="truncate",
                 stride=32, window_pooling="mean", teacher=None, distill_temperature=2.0,
                 distill_alpha=0.5, **kwargs):
        super().__init__(model, **kwargs)
        self.threshold = threshold
        self.class_weight = class_weight
        self.long_texts = long_texts
        self.stride = stride
        self.window_pooling = window_pooling
        self.teacher = teacher
        self.distill_temperature = distill_temperature
        self.distill_alpha = distill_alpha

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def _new_target(self, y):
        return classification_target(y, threshold=self.threshold, class_weight=self.class_weight,
                                     estimator=type(self).__name__)

    def predict_proba(self, X):
        """Class probabilities for each text.

        Parameters
        ----------
        X : list, array, Series or DataFrame of texts (or text pairs)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or list of such arrays
            Columns follow ``classes_``. Rows sum to 1; for multi-label ``y``
            each column is that label's own probability; for several label
            columns, one array per column.
        """
        logits = self.forward(X)  # checks fitted before target_ is read
        return self.target_.predict_proba(logits)

    def predict_log_proba(self, X):
        """Logarithms of :meth:`predict_proba` (same shapes).

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or list of such arrays
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return [np.log(p) for p in proba] if isinstance(proba, list) else np.log(proba)

    def predict(self, X):
        """The label of each text, as in ``classes_`` (original type).

        Returns
        -------
        ndarray of shape (n_samples,)
            For multi-label ``y``: a 0/1 array of shape ``(n_samples, n_classes)``,
            or one list of labels per text when ``y`` was given as lists; a label
            is predicted when its probability reaches ``threshold`` (``"auto"``:
            its own ``thresholds_``). For several label columns: an array of shape
            ``(n_samples, n_columns)``.
        """
        logits = self.forward(X)
        return self.target_.predict(logits, self.threshold)

    def score(self, X, y, sample_weight=None):
        """Accuracy; subset accuracy for multi-label ``y`` (every label of a text right); the
        mean of the columns' accuracies for several label columns.

        Returns
        -------
        float
        """
        return self.target_.score(y, self.predict(X), sample_weight)

    def _restore_target(self, metadata, config):
        """The kind of target the metadata (or a Hugging Face config's labels) describes."""
        super()._restore_target(metadata, config)  # checks there is a head to restore
        return restore_classification_target(metadata, config, type(self).__name__)
