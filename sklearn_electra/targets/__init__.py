"""One object per kind of target: how ``y`` becomes a head, a loss and a prediction.

As scikit-learn's ``sklearn._loss`` gives linear models and gradient boosting one loss
object per problem, an estimator here holds one fitted target, ``target_``, chosen at
``fit`` from ``y``; its hooks (loss, validation accuracy, split strata, outputs,
metadata) call it and carry no mode flags.

=====================  ==========================================  =========================
target                 ``y``                                       head and loss
=====================  ==========================================  =========================
:class:`SingleLabel`   one label per text                          softmax, cross-entropy
:class:`TagSequences`  one tag per token                           softmax per token
:class:`MultiLabel`    0/1 matrix, or a list of labels per text    sigmoid per label, BCE
:class:`MultiOutput`   several label columns                       one softmax per column
:class:`Regression`    one or several numbers per text             linear, squared error
:class:`Soft`          a teacher's logits (and labels)             Hinton's distillation
=====================  ==========================================  =========================

Sample weights (one per row) and class weights meet in ``loss``: each row's loss is
weighted by their product and the batch's loss is the weighted mean, as scikit-learn's
estimators normalize it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import multilabel_format
from ._base import Target, weighted_mean
from .labels import SingleLabel, TagSequences
from .multilabel import MultiLabel, best_f1_thresholds
from .multioutput import MultiOutput
from .regression import Regression
from .soft import Soft

__all__ = ["Target", "SingleLabel", "TagSequences", "MultiLabel", "MultiOutput", "Regression",
           "Soft", "classification_target", "restore_classification_target", "weighted_mean",
           "best_f1_thresholds"]


def _label_matrix(y):
    """Whether ``y`` is 2-d with several columns of labels: a DataFrame, a 2-d array, or nested
    lists (or arrays) of numbers of one length, as ``type_of_target`` reads them. Nested lists
    of strings stay label lists (one list of labels per text), the multi-label form."""
    if isinstance(y, pd.DataFrame):
        return y.shape[1] > 1
    if y is None or hasattr(y, "toarray") or isinstance(y, (str, bytes, pd.Series)):
        return False
    if not isinstance(y, np.ndarray):
        rows = list(y)
        if not rows or not all(isinstance(r, (list, tuple, np.ndarray)) for r in rows) or any(
                not isinstance(v, (bool, int, float, np.number)) for r in rows for v in r):
            return False
    try:
        values = np.asarray(y)
    except (ValueError, TypeError):
        return False  # ragged: label lists
    if values.ndim != 2 or values.shape[1] < 2:
        return False
    return values.dtype != object or not any(
        isinstance(v, (list, tuple, set, frozenset, np.ndarray)) for v in values.ravel())


def _is_indicator(y):
    """Whether a label matrix (:func:`_label_matrix`) holds 0s and 1s only."""
    values = np.asarray(y, dtype=object).ravel()
    numeric = all(isinstance(v, (bool, int, float, np.number)) for v in values)
    return numeric and bool(np.isin(values, [0, 1]).all())


def classification_target(y, *, threshold=0.5, class_weight=None, estimator="ElectraClassifier"):
    """The unfitted target for a classifier's ``y``, read as :func:`~sklearn.utils.multiclass.type_of_target` reads it.

    A 2-d ``y`` of 0/1 is a multi-label indicator ("multilabel-indicator"); a 2-d ``y``
    of other labels (a DataFrame, a 2-d array, nested lists of numbers), several label
    columns ("multiclass-multioutput"); one list of labels per text (nested lists of
    strings, even of one length), multi-label ("multilabel-sequences"); anything else one
    label per text.

    Examples
    --------
    >>> type(classification_target(["a", "b"])).__name__
    'SingleLabel'
    >>> type(classification_target([[1], [0]])).__name__  # one column: binary
    'SingleLabel'
    >>> type(classification_target([[1, 0], [0, 1]])).__name__
    'MultiLabel'
    >>> type(classification_target(np.array([["+", "a"], ["-", "b"]]))).__name__
    'MultiOutput'
    >>> type(classification_target([[0, 2], [1, 0]])).__name__  # numbers: type_of_target's reading
    'MultiOutput'
    >>> type(classification_target([["a", "b"], ["a", "c"]])).__name__  # lists of labels
    'MultiLabel'
    """
    if _label_matrix(y) and not _is_indicator(y):
        return MultiOutput(class_weight, estimator)
    form = multilabel_format(y)
    if form is not None:
        return MultiLabel(form, threshold, class_weight)
    return SingleLabel(class_weight, estimator)


def restore_classification_target(metadata, config, estimator):
    """The fitted target that ``sklearn_electra.json`` (or a plain Hugging Face config) describes.

    Every classifier's metadata holds ``classes`` and ``target_type`` (from before targets
    were objects too); a Hugging Face checkpoint without metadata gives its ``id2label`` and
    ``problem_type``. ``estimator`` names the classifier in the target's messages.
    """
    target_type = metadata.get("target_type")
    if "classes" in metadata:
        classes = metadata["classes"]
    else:
        classes = [config.id2label[i] for i in sorted(config.id2label)]
        target_type = "multilabel-indicator" if \
            config.problem_type == "multi_label_classification" else None
    if target_type == "multiclass-multioutput":
        return MultiOutput(None, estimator).restore(metadata, classes)
    if target_type in ("multilabel-indicator", "multilabel-sequences"):
        return MultiLabel(target_type, metadata.get("params", {}).get("threshold", 0.5)) \
            .restore(metadata, classes)
    return SingleLabel(None, estimator).restore(metadata, classes)
