"""Several labels per text for :class:`~sklearn_electra.ElectraClassifier`.

``y`` may be a 0/1 indicator matrix (array, DataFrame, sparse matrix: one column
per label, as :class:`~sklearn.preprocessing.MultiLabelBinarizer` makes it) or
one list of labels per text; the first fit's form is ``target_type_``
(``"multilabel-indicator"`` or ``"multilabel-sequences"``, scikit-learn's names)
and ``predict`` answers in it. The model gets one sigmoid output per label
(Hugging Face's ``problem_type="multi_label_classification"``) trained with
binary cross-entropy; ``threshold`` turns probabilities into labels.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import torch

from ._warnings import warn_caller
from .validation import check_indicator, check_label_sets, multilabel_format

__all__ = ["MultiLabelMixin"]

_FORMS = {None: "one label per text", "multilabel-indicator": "a 0/1 label matrix",
          "multilabel-sequences": "one list of labels per text"}


class MultiLabelMixin:
    """Multi-label targets on top of :class:`~sklearn_electra._supervised.SupervisedMixin`.

    Every hook falls through to the single-label behaviour unless the
    estimator was fitted on multi-label ``y``.
    """

    target_type_ = None

    @property
    def _multilabel(self):
        return self.target_type_ in ("multilabel-indicator", "multilabel-sequences")

    # ------------------------------------------------------------ targets
    def _validate_targets(self, y, inputs, reset, classes=None):
        form = multilabel_format(y)
        if not reset and (form is not None) != self._multilabel:
            raise ValueError(
                f"y holds {_FORMS[form]}, but this classifier was fitted on "
                f"{_FORMS[self.target_type_ if self._multilabel else None]}; pass y in that "
                "form, or call fit() to start over."
            )
        if form is None:
            encoded = super()._validate_targets(y, inputs, reset, classes)
            if reset:
                self.target_type_ = "binary" if self.n_classes_ == 2 else "multiclass"
            return encoded
        if form == "multilabel-indicator":
            matrix = self._indicator_targets(y, inputs, reset, classes)
        else:
            matrix = self._label_set_targets(y, inputs, reset, classes)
        if reset:
            self.target_type_ = form
            if classes is None:  # labels announced by classes= may well be absent from a batch
                self._warn_constant_labels(matrix)
        self.n_classes_ = len(self.classes_)
        return matrix.astype(np.float32)

    def _indicator_targets(self, y, inputs, reset, classes):
        matrix, names = check_indicator(y, len(inputs))
        columns = names if classes is None else list(classes)
        if columns is not None and len(columns) != matrix.shape[1]:
            raise ValueError(f"classes has {len(columns)} labels but y has {matrix.shape[1]} columns.")
        if reset:
            self.classes_ = self._as_classes(range(matrix.shape[1]) if columns is None else columns)
            if matrix.shape[1] < 2:
                raise ValueError("A multi-label y needs at least 2 label columns; for one, pass it "
                                 "as a 1-d array of 0/1 (binary classification).")
        elif matrix.shape[1] != self.n_classes_ or (
                columns is not None and list(columns) != self.classes_.tolist()):
            found = columns if columns is not None else f"{matrix.shape[1]} columns"
            raise ValueError(f"y's label columns ({found}) differ from classes_ "
                             f"({self.classes_.tolist()}); pass y[clf.classes_], or call fit() "
                             "to start over.")
        return matrix

    def _label_set_targets(self, y, inputs, reset, classes):
        sets = check_label_sets(y, len(inputs))
        if reset:
            values = [label for labels in sets for label in labels] if classes is None else classes
            self.classes_ = self._learn_classes(values, "y" if classes is None else "classes")
        elif classes is not None and self._learn_classes(classes, "classes").tolist() != \
                self.classes_.tolist():
            raise ValueError(f"classes={list(classes)} differs from the classes learned on the "
                             f"first call ({self.classes_.tolist()}).")
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        unknown = {label for labels in sets for label in labels if label not in index}
        if unknown:
            raise ValueError(f"y contains labels not seen in the first fit (or in classes=): "
                             f"{sorted(unknown, key=repr)[:10]}. Known: {self.classes_.tolist()}.")
        return self._binarize(sets)

    def _binarize(self, sets):
        """Label sets as a 0/1 matrix in ``classes_`` order (labels outside it are left out)."""
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        matrix = np.zeros((len(sets), len(index)), dtype=np.int8)
        for row, labels in enumerate(sets):
            matrix[row, [index[label] for label in labels if label in index]] = 1
        return matrix

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

    def _decode(self, predicted):
        """A boolean ``(n, n_labels)`` decision in the form of the fitted ``y``."""
        if self.target_type_ == "multilabel-sequences":
            labels = self.classes_.tolist()
            return [[labels[j] for j in np.flatnonzero(row)] for row in predicted]
        return predicted.astype(np.int64)

    def _indicator(self, y):
        """``y``, in the fitted multi-label form, as a 0/1 matrix in ``classes_`` order (scoring)."""
        if self.target_type_ == "multilabel-sequences":
            return self._binarize(check_label_sets(y, len(y))).astype(np.int64)
        if isinstance(y, pd.DataFrame) and set(y.columns) == set(self.classes_.tolist()):
            y = y[self.classes_.tolist()]  # the columns in classes_ order
        return check_indicator(y, y.shape[0] if hasattr(y, "shape") else len(y))[0].astype(np.int64)

    # ------------------------------------------------------------ model and loss
    def _task_config(self):
        config = super()._task_config()
        if self._multilabel:
            config["problem_type"] = "multi_label_classification"
        return config

    def initialize_criterion(self):
        """Binary cross-entropy on logits for multi-label ``y``, else cross-entropy."""
        if not self._multilabel:
            return super().initialize_criterion()
        self.criterion_ = torch.nn.BCEWithLogitsLoss(**self.get_params_for("criterion"))
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not self._multilabel:
            return super().get_loss(y_pred, y_true, X=X, training=training)
        return self.criterion_(y_pred.float(), y_true.to(y_pred.device).float())

    def _correct(self, y_pred, y_true):
        """Texts whose every label is right (subset accuracy), for ``valid_acc``."""
        if not self._multilabel:
            return super()._correct(y_pred, y_true)
        decided = torch.sigmoid(y_pred.float().cpu()) >= self.threshold
        return int((decided == y_true.bool()).all(dim=1).sum()), len(y_true)

    def _strata(self, labels):
        """Each text's rarest label (texts without one in a stratum of their own), so that
        rare labels land on both sides of the validation split."""
        if labels.ndim != 2:
            return super()._strata(labels)
        frequency = labels.sum(axis=0)
        rarest = np.where(labels > 0, frequency[None, :], np.inf).argmin(axis=1)
        return np.where(labels.any(axis=1), rarest, labels.shape[1])

    # ------------------------------------------------------------ persistence
    def _export_metadata(self):
        return {**super()._export_metadata(), "target_type": self.target_type_}

    def _restore_metadata(self, metadata, config):
        super()._restore_metadata(metadata, config)
        self.target_type_ = metadata.get("target_type") or (
            "multilabel-indicator" if config.problem_type == "multi_label_classification"
            else "binary" if self.n_classes_ == 2 else "multiclass")
