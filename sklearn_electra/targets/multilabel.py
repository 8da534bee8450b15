"""Several labels per text: one sigmoid per label, binary cross-entropy, per-label thresholds.

``y`` is a 0/1 indicator matrix (array, DataFrame whose column names become
``classes_``, sparse matrix: :class:`~sklearn.preprocessing.MultiLabelBinarizer`'s form)
or one list of labels per text; ``predict`` answers in the form of the first fit's ``y``
(``target_type_``: ``"multilabel-indicator"`` or ``"multilabel-sequences"``, scikit-learn's
names). The head is Hugging Face's ``problem_type="multi_label_classification"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .._warnings import warn_caller
from ..validation import check_indicator, check_label_sets, multilabel_format
from ._base import (ClassesTarget, as_classes, entropy, learn_classes, resolve_class_weight,
                    weighted_mean)

__all__ = ["MultiLabel", "best_f1_thresholds"]

_FORMS = {None: "one label per text", "multilabel-indicator": "a 0/1 label matrix",
          "multilabel-sequences": "one list of labels per text"}


def best_f1_thresholds(proba, indicator, default=0.5):
    """Per label, the probability threshold that maximizes that label's F1 on these rows.

    Candidates are the midpoints between consecutive distinct probabilities (and one
    below the lowest), so the choice does not sit on one row's score. A label without a
    positive row keeps ``default``.

    Examples
    --------
    >>> proba = np.array([[0.9, 0.2], [0.4, 0.3], [0.1, 0.1]])
    >>> best_f1_thresholds(proba, np.array([[1, 0], [1, 1], [0, 0]])).round(2).tolist()
    [0.25, 0.25]
    """
    thresholds = np.full(proba.shape[1], default, dtype=np.float64)
    for j in range(proba.shape[1]):
        p, truth = proba[:, j], indicator[:, j] > 0
        if not truth.any():
            continue
        order = np.argsort(-p)
        p_sorted, t_sorted = p[order], truth[order]
        tp = np.cumsum(t_sorted)  # predicting the first k+1 rows positive
        half_f1 = tp / (np.arange(1, len(p) + 1) + truth.sum())  # F1 / 2: the same best cut
        # A cut is only possible between distinct scores: take the last row of each tie (where
        # the count of positives is the same whatever order the tie was sorted in).
        last_of_tie = np.append(p_sorted[1:] < p_sorted[:-1], True)
        k = int(np.flatnonzero(last_of_tie)[np.argmax(half_f1[last_of_tie])])
        below = p_sorted[k + 1] if k + 1 < len(p) else 0.0
        thresholds[j] = (p_sorted[k] + below) / 2
    return thresholds


class MultiLabel(ClassesTarget):
    """Several labels per text: sigmoid outputs, BCE, a threshold per label.

    Parameters
    ----------
    form : {"multilabel-indicator", "multilabel-sequences"}
    threshold : float or "auto"
        Decision threshold; ``"auto"`` uses ``thresholds_``, chosen per label on the
        validation split to maximize its F1 (:meth:`tune`).
    class_weight : None, "balanced" or dict
        Each label is its own binary problem: ``"balanced"`` weighs a label's positive
        rows ``n / (2 * n_pos)`` and its negative ones ``n / (2 * n_neg)``
        (:func:`~sklearn.utils.class_weight.compute_class_weight` per label); a dict
        ``{label: w}`` weighs that label's positive rows by ``w``.
    """

    kind = "multi_label"
    problem_type = "multi_label_classification"
    tunes = True

    def __init__(self, form, threshold=0.5, class_weight=None):
        self.form = form
        self.threshold = threshold
        self.class_weight = class_weight
        self.classes_ = None
        self.thresholds_ = None
        self.positive_weight_ = self.negative_weight_ = None

    # ------------------------------------------------------------ y
    def _matrix(self, y, inputs, columns_must_match):
        if self.form == "multilabel-sequences":
            sets = check_label_sets(y, len(inputs))
            index = {label: i for i, label in enumerate(self.classes_.tolist())}
            unknown = {label for labels in sets for label in labels if label not in index}
            if unknown:
                raise ValueError(f"y contains labels not seen in the first fit (or in classes=): "
                                 f"{sorted(unknown, key=repr)[:10]}. Known: {self.classes_.tolist()}.")
            return self.binarize(sets)
        matrix, names = check_indicator(y, len(inputs))
        if columns_must_match and (matrix.shape[1] != len(self.classes_) or (
                names is not None and list(names) != self.classes_.tolist())):
            found = names if names is not None else f"{matrix.shape[1]} columns"
            raise ValueError(f"y's label columns ({found}) differ from classes_ "
                             f"({self.classes_.tolist()}); pass y[clf.classes_], or call fit() "
                             "to start over.")
        return matrix

    def fit(self, y, inputs, classes=None, incremental=False, sample_weight=None):
        if self.form == "multilabel-sequences":
            sets = check_label_sets(y, len(inputs))
            values = [label for labels in sets for label in labels] if classes is None else classes
            self.classes_ = learn_classes(values, "y" if classes is None else "classes")
            matrix = self.binarize(sets)
        else:
            matrix, names = check_indicator(y, len(inputs))
            columns = names if classes is None else list(classes)
            if columns is not None and len(columns) != matrix.shape[1]:
                raise ValueError(f"classes has {len(columns)} labels but y has {matrix.shape[1]} "
                                 "columns.")
            if matrix.shape[1] < 2:
                raise ValueError("A multi-label y needs at least 2 label columns; for one, pass "
                                 "it as a 1-d array of 0/1 (binary classification).")
            self.classes_ = as_classes(range(matrix.shape[1]) if columns is None else columns)
        if classes is None:  # labels announced by classes= may well be absent from a batch
            self._warn_constant_labels(matrix)
        self._set_class_weight(matrix, incremental)
        return self

    def _set_class_weight(self, matrix, incremental):
        if self.class_weight is None:
            return
        n = len(matrix)
        if isinstance(self.class_weight, str):
            positive, negative = [], []
            for j, label in enumerate(self.classes_.tolist()):
                counts = np.bincount(matrix[:, j].astype(np.int64), minlength=2)[::-1]
                # the label's two sides, positives first (names only serve messages, which
                # no side without rows reaches: it keeps weight 1)
                w = resolve_class_weight(self.class_weight, np.arange(2), counts, n,
                                         incremental=incremental) \
                    if counts.all() or incremental else (1.0, 1.0)
                positive.append(w[0])
                negative.append(w[1])
            self.positive_weight_ = np.asarray(positive, dtype=np.float32)
            self.negative_weight_ = np.asarray(negative, dtype=np.float32)
        else:
            # a dict's weights: no counts needed
            self.positive_weight_ = resolve_class_weight(self.class_weight, self.classes_, None,
                                                         None).astype(np.float32)
            self.negative_weight_ = np.ones(len(self.classes_), dtype=np.float32)

    def continues(self, y, classes=None):
        form = multilabel_format(y)
        if form is None:
            raise ValueError(
                f"y holds {_FORMS[None]}, but this classifier was fitted on {_FORMS[self.form]}; "
                "pass y in that form, or call fit() to start over."
            )
        if classes is not None and learn_classes(classes, "classes").tolist() != \
                self.classes_.tolist():
            raise ValueError(f"classes={list(classes)} differs from the classes learned on the "
                             f"first call ({self.classes_.tolist()}).")

    def encode(self, y, inputs):
        return self._matrix(y, inputs, columns_must_match=True).astype(np.float32)

    def binarize(self, sets):
        """Label sets as a 0/1 matrix in ``classes_`` order (labels outside it are left out)."""
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        matrix = np.zeros((len(sets), len(index)), dtype=np.int8)
        for row, labels in enumerate(sets):
            matrix[row, [index[label] for label in labels if label in index]] = 1
        return matrix

    def indicator(self, y):
        """``y``, in the fitted form, as a 0/1 ``int64`` matrix in ``classes_`` order (scoring)."""
        if self.form == "multilabel-sequences":
            return self.binarize(check_label_sets(y, len(y))).astype(np.int64)
        if isinstance(y, pd.DataFrame) and set(y.columns) == set(self.classes_.tolist()):
            y = y[self.classes_.tolist()]  # the columns in classes_ order
        return check_indicator(y, y.shape[0] if hasattr(y, "shape") else len(y))[0].astype(np.int64)

    def _warn_constant_labels(self, matrix):
        rates = matrix.mean(axis=0)
        constant = [(label, "every") if rate == 1 else (label, "no")
                    for label, rate in zip(self.classes_.tolist(), rates) if rate in (0.0, 1.0)]
        if constant:
            listed = ", ".join(f"{label!r} ({which} text)" for label, which in constant[:5])
            warn_caller(
                f"{len(constant)} labels never vary in y: {listed}. The model learns to predict "
                "them always (or never); add examples of both kinds to learn them.",
            )

    # ------------------------------------------------------------ loss
    def loss(self, logits, target, weight=None):
        """Binary cross-entropy of every (row, label), weighted by the row's sample weight
        times the label's class weight for the row's side, normalized by the weights' sum."""
        target = target.to(logits.device).float()
        losses = F.binary_cross_entropy_with_logits(logits.float(), target, reduction="none")
        w = torch.ones_like(losses)
        if self.positive_weight_ is not None:
            pos = torch.as_tensor(self.positive_weight_, device=logits.device)
            neg = torch.as_tensor(self.negative_weight_, device=logits.device)
            w = target * pos + (1 - target) * neg
        if weight is not None:
            w = w * weight.to(logits.device).float()[:, None]
        return weighted_mean(losses, w)

    def _decision_thresholds(self, threshold):
        threshold = self.threshold if threshold is None else threshold
        if isinstance(threshold, str):  # "auto"
            if self.thresholds_ is None:
                return np.full(len(self.classes_), 0.5)
            return self.thresholds_
        return np.full(len(self.classes_), float(threshold))

    def correct(self, logits, target):
        """Texts whose every label is right (subset accuracy), at the fixed threshold (0.5
        while ``"auto"`` thresholds are not chosen yet)."""
        cut = torch.as_tensor(self._decision_thresholds(None))  # float64, as predict compares
        decided = torch.sigmoid(logits.float().cpu()) >= cut
        return int((decided == target.bool()).all(dim=1).sum()), len(target)

    def strata(self, encoded):
        """Each text's rarest label (texts without one in a stratum of their own), so that
        rare labels land on both sides of the validation split."""
        frequency = encoded.sum(axis=0)
        rarest = np.where(encoded > 0, frequency[None, :], np.inf).argmin(axis=1)
        return np.where(encoded.any(axis=1), rarest, encoded.shape[1])

    def prior_loss(self, encoded, weight=None):
        """The weighted binary cross-entropy of predicting each label's (weighted) rate."""
        y = np.asarray(encoded, dtype=np.float64)
        w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=np.float64)
        pos = np.ones(y.shape[1]) if self.positive_weight_ is None else self.positive_weight_
        neg = np.ones(y.shape[1]) if self.negative_weight_ is None else self.negative_weight_
        w1 = (w[:, None] * y).sum(axis=0) * pos  # per label: the weight on its positives
        w0 = (w[:, None] * (1 - y)).sum(axis=0) * neg
        losses = [entropy([a, b]) * (a + b) for a, b in zip(w1, w0)]
        return float(np.sum(losses) / max(np.sum(w1 + w0), 1e-12))

    def tune(self, logits, encoded):
        """Choose ``thresholds_`` on validation outputs (best F1 per label)."""
        self.thresholds_ = best_f1_thresholds(self.predict_proba(logits), encoded)
        return self

    # ------------------------------------------------------------ outputs
    def predict_proba(self, logits):
        return torch.sigmoid(logits.float()).numpy()

    def predict(self, logits, threshold=None):
        decided = self.predict_proba(logits) >= self._decision_thresholds(threshold)[None, :]
        if self.form == "multilabel-sequences":
            labels = self.classes_.tolist()
            return [[labels[j] for j in np.flatnonzero(row)] for row in decided]
        return decided.astype(np.int64)

    def score(self, y, predicted, sample_weight=None):
        """Subset accuracy (every label of a text right), as scikit-learn's classifiers."""
        from sklearn.metrics import accuracy_score

        if self.form == "multilabel-sequences":
            predicted = self.binarize(predicted)
        return float(accuracy_score(self.indicator(y), predicted, sample_weight=sample_weight))

    # ------------------------------------------------------------ persistence
    def metadata(self):
        meta = {"target": self.kind, "classes": self.classes_.tolist(), "target_type": self.form}
        if self.thresholds_ is not None:
            meta["thresholds"] = self.thresholds_.tolist()
        if self.positive_weight_ is not None:
            meta["positive_weight"] = self.positive_weight_.tolist()
            meta["negative_weight"] = self.negative_weight_.tolist()
        return meta

    def restore(self, metadata, classes):
        self.classes_ = as_classes(classes)
        for key, attr, dtype in (("thresholds", "thresholds_", np.float64),
                                 ("positive_weight", "positive_weight_", np.float32),
                                 ("negative_weight", "negative_weight_", np.float32)):
            if key in metadata:
                setattr(self, attr, np.asarray(metadata[key], dtype=dtype))
        return self

    def attributes(self):
        out = {"classes_": self.classes_, "n_classes_": len(self.classes_),
               "target_type_": self.form}
        if self.thresholds_ is not None:
            out["thresholds_"] = self.thresholds_
        return out
