"""Several label columns per text, each with its own classes: one softmax head per column.

scikit-learn's "multiclass-multioutput" (sentiment *and* topic for each text): one
encoder, one linear output of ``sum(n_classes)`` units whose consecutive slices are the
columns' heads. ``classes_`` is a list of arrays, ``predict`` gives one column per
target, ``predict_proba`` a list of arrays, ``score`` the mean of the columns' accuracies
(as :class:`~sklearn.multioutput.MultiOutputClassifier`).

An export holds the one ``(hidden, sum(n_classes))`` output layer; its ``id2label``
names each unit ``"<column>=<label>"`` and ``sklearn_electra.json`` holds the columns and
their classes. ``AutoModelForSequenceClassification`` loads it; take a softmax over each
column's slice of its logits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..validation import describe, is_missing
from ._base import Target, as_classes, head_config, learn_classes
from .labels import SingleLabel, label_type

__all__ = ["MultiOutput", "label_columns"]


def label_columns(y, n_rows):
    """``y`` as ``(list of 1-d label arrays, column names or None)``: one per column.

    Examples
    --------
    >>> columns, names = label_columns(pd.DataFrame({"mood": ["+", "-"], "topic": ["a", "b"]}), 2)
    >>> [c.tolist() for c in columns], names
    ([['+', '-'], ['a', 'b']], ['mood', 'topic'])
    """
    names = [str(c) for c in y.columns] if isinstance(y, pd.DataFrame) else None
    if isinstance(y, pd.DataFrame):
        columns = [y[c].to_numpy() for c in y.columns]
    else:
        matrix = np.asarray(y, dtype=object) if not isinstance(y, np.ndarray) else y
        if matrix.ndim != 2:
            raise ValueError(f"Several label columns need a 2-d y (one column per target); got "
                             f"shape {matrix.shape}.")
        columns = [matrix[:, j] for j in range(matrix.shape[1])]
    if columns and len(columns[0]) != n_rows:
        raise ValueError(f"X has {n_rows} texts but y has {len(columns[0])} rows; they must match.")
    out = []
    for j, column in enumerate(columns):
        column = as_classes(column.tolist())
        for i, label in enumerate(column.tolist()):
            if is_missing(label):
                raise ValueError(f"y[{i}, {j}] is missing ({label!r}); drop or fill missing labels "
                                 "first.")
            if isinstance(label, (list, tuple, set, dict)):
                raise ValueError(f"y[{i}, {j}] is {describe(label)}; each column holds one label "
                                 "per text.")
        where = f"column {names[j]!r} of y" if names else f"y[:, {j}]"
        try:
            learn_classes(column.tolist(), where)
        except ValueError:
            pass  # a single class: each column's target says so when it is fitted
        kind, example = label_type(column, lambda i, j=j: f"y[{i}, {j}]")
        if kind.startswith("continuous"):
            raise ValueError(
                f"{where} holds continuous values ({example!r}): a 2-d y is read as several "
                "label columns, or as a 0/1 indicator of several labels per text. For numeric "
                "targets use ElectraRegressor."
            )
        out.append(column)
    return out, names


class MultiOutput(Target):
    """One :class:`~sklearn_electra.targets.SingleLabel` per column, heads side by side.

    Parameters
    ----------
    class_weight : None, "balanced" or list of dict
        ``"balanced"`` applies to every column; a list gives each column's dict (as
        scikit-learn's multi-output forests take it).
    """

    kind = "multi_output"
    problem_type = "single_label_classification"

    def __init__(self, class_weight=None, estimator="ElectraClassifier"):
        self.class_weight = class_weight
        self.estimator = estimator
        self.columns_ = None
        self.names_ = None

    def _column_weights(self, n_columns):
        if isinstance(self.class_weight, dict):
            raise ValueError("With several label columns, class_weight is 'balanced' or a list "
                             "of one dict per column.")
        if isinstance(self.class_weight, list):
            if len(self.class_weight) != n_columns:
                raise ValueError(f"class_weight has {len(self.class_weight)} dicts but y has "
                                 f"{n_columns} columns.")
            return self.class_weight
        return [self.class_weight] * n_columns

    def fit(self, y, inputs, classes=None, incremental=False, sample_weight=None):
        columns, names = label_columns(y, len(inputs))
        if len(columns) < 2:
            raise ValueError("Several label columns need at least 2 columns; for one, pass a 1-d y.")
        if classes is not None and len(classes) != len(columns):
            raise ValueError(f"classes has {len(classes)} entries but y has {len(columns)} "
                             "columns; pass one list of classes per column.")
        weights = self._column_weights(len(columns))
        self.columns_ = [
            SingleLabel(weights[j], self.estimator).fit(
                column, inputs, None if classes is None else classes[j], incremental)
            for j, column in enumerate(columns)]
        self.names_ = names
        return self

    def continues(self, y, classes=None):
        if classes is not None:
            for target, given in zip(self.columns_, classes):
                target.continues(None, given)

    def encode(self, y, inputs):
        columns, names = label_columns(y, len(inputs))
        if len(columns) != len(self.columns_) or (names is not None and self.names_ is not None
                                                   and names != self.names_):
            raise ValueError(f"y has columns {names or len(columns)}, but the model was fitted on "
                             f"{self.names_ or len(self.columns_)}; pass the same columns, or call "
                             "fit() to start over.")
        # Float rows: batches stack them whole (integer arrays per row are token labels).
        return np.stack([t.encode(c, inputs) for t, c in zip(self.columns_, columns)],
                        axis=1).astype(np.float32)

    # ------------------------------------------------------------ head and loss
    @property
    def bounds(self):
        """Where each column's slice of the logits begins and ends."""
        return np.cumsum([0] + [t.n_outputs for t in self.columns_])

    def _slices(self, logits):
        b = self.bounds
        return [logits[..., b[j]:b[j + 1]] for j in range(len(self.columns_))]

    @property
    def n_outputs(self):
        return int(self.bounds[-1])

    def config(self):
        names = self.names_ or [str(j) for j in range(len(self.columns_))]
        return head_config([f"{name}={label}" for name, t in zip(names, self.columns_)
                            for label in t.classes_.tolist()], self.problem_type)

    def loss(self, logits, target, weight=None):
        """The mean over columns of each column's cross-entropy."""
        target = target.to(logits.device).long()
        parts = [t.loss(part, target[:, j], weight)
                 for j, (t, part) in enumerate(zip(self.columns_, self._slices(logits)))]
        return torch.stack(parts).mean()

    def correct(self, logits, target):
        """Texts whose every column is right."""
        target = target.long()
        right = torch.stack([part.argmax(-1).cpu() == target[:, j]
                             for j, part in enumerate(self._slices(logits))], dim=1)
        return int(right.all(dim=1).sum()), len(target)

    def strata(self, encoded):
        """Each text's combination of labels, where every combination has two texts; else the
        first column's labels."""
        combos = np.unique(encoded, axis=0, return_inverse=True)[1].ravel()
        return combos if np.bincount(combos).min() >= 2 else encoded[:, 0]

    def prior_loss(self, encoded, weight=None):
        """The mean over columns of each column's prior loss (as the loss is their mean)."""
        encoded = np.asarray(encoded).astype(np.int64)
        return float(np.mean([t.prior_loss(encoded[:, j], weight)
                              for j, t in enumerate(self.columns_)]))

    # ------------------------------------------------------------ outputs
    def predict_proba(self, logits):
        return [t.predict_proba(part) for t, part in zip(self.columns_, self._slices(logits))]

    def predict(self, logits, threshold=None):
        columns = [t.predict(part) for t, part in zip(self.columns_, self._slices(logits))]
        out = np.empty((len(logits), len(columns)), dtype=object)
        for j, column in enumerate(columns):
            out[:, j] = column
        return out if any(c.dtype == object for c in columns) else out.astype(np.result_type(*columns))

    def score(self, y, predicted, sample_weight=None):
        columns, _ = label_columns(y, len(predicted))
        return float(np.mean([t.score(c, predicted[:, j], sample_weight)
                              for j, (t, c) in enumerate(zip(self.columns_, columns))]))

    # ------------------------------------------------------------ persistence
    def metadata(self):
        return {"target": self.kind, "classes": [t.classes_.tolist() for t in self.columns_],
                "columns": self.names_, "target_type": "multiclass-multioutput",
                "class_weight": [None if t.class_weight_ is None else t.class_weight_.tolist()
                                 for t in self.columns_]}

    def restore(self, metadata, classes):
        weights = metadata.get("class_weight") or [None] * len(classes)
        self.columns_ = [SingleLabel(None, self.estimator).restore({"class_weight": w}, c)
                         for c, w in zip(classes, weights)]
        self.names_ = metadata.get("columns")
        return self

    def attributes(self):
        return {"classes_": [t.classes_ for t in self.columns_],
                "n_classes_": [len(t.classes_) for t in self.columns_],
                "target_type_": "multiclass-multioutput", "n_outputs_": len(self.columns_)}
