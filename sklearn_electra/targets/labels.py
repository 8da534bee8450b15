"""One label per text (binary, multiclass) and one tag per token: softmax heads."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils.multiclass import type_of_target

from ..validation import check_labels, check_tags, describe, multilabel_format
from ._base import (ClassesTarget, as_classes, entropy, learn_classes, resolve_class_weight,
                    weighted_mean)

__all__ = ["SingleLabel", "TagSequences", "label_type"]


def label_type(values, row):
    """scikit-learn's ``type_of_target`` of one column of labels, and a value to show when it
    is ``"continuous"``; the package's own message where scikit-learn refuses the labels
    for one value (infinite or complex). ``row(i)`` names row ``i`` in that message
    (``"y[3]"``, ``"y[3, 1]"``). ``TypeError`` (labels that do not sort) is left to the caller.

    Examples
    --------
    >>> label_type(np.array([0.5, 1.0]), "y[{}]".format)
    ('continuous', 0.5)
    >>> label_type(np.array([1.0, 9.3e18]), "y[{}]".format)  # beyond int64: continuous too
    ('continuous', 1.0)
    """
    try:
        with np.errstate(invalid="ignore"):  # its cast of an infinite value warns before it raises
            kind = type_of_target(values)
    except ValueError:  # scikit-learn refuses infinite and complex values before it looks
        listed = values.tolist()
        i = next((i for i, v in enumerate(listed) if isinstance(v, complex)
                  or isinstance(v, float) and not np.isfinite(v)), None)
        if i is None:
            raise  # a reason of scikit-learn's that we do not know to name better
        if isinstance(listed[i], complex):
            raise ValueError(f"{row(i)} is {listed[i]!r}: a label is a string, a number or a "
                             "bool.") from None
        raise ValueError(f"{row(i)} is {listed[i]!r}: a label must be finite. For numeric "
                         "targets use ElectraRegressor.") from None
    listed = values.tolist()
    example = next((v for v in listed if not float(v).is_integer()), listed[0]) \
        if kind.startswith("continuous") else None
    return kind, example

IGNORED = -100  # positions no loss sees (transformers' convention)


class SingleLabel(ClassesTarget):
    """One class per row, a softmax head trained with (weighted) cross-entropy.

    ``encode`` gives class indices; the loss and accuracy skip ``-100``, so the
    same object serves rows of token labels (:class:`TagSequences`).

    Parameters
    ----------
    class_weight : None, "balanced" or dict
        As scikit-learn's classifiers read it.
    estimator : str
        The estimator's name, for messages.

    Examples
    --------
    >>> target = SingleLabel().fit(["pos", "neg", "pos"], [None] * 3)
    >>> target.classes_.tolist(), target.encode(["neg", "pos"], [None] * 2).tolist()
    (['neg', 'pos'], [0, 1])
    """

    kind = "single_label"
    problem_type = "single_label_classification"
    noun, class_noun, estimator_kind = "label", "class", "classifier"

    def __init__(self, class_weight=None, estimator="ElectraClassifier"):
        self.class_weight = class_weight
        self.estimator = estimator
        self.classes_ = None
        self.class_weight_ = None

    # ------------------------------------------------------------ y
    def _check(self, y, inputs):
        y = check_labels(y, len(inputs), self.estimator)
        try:
            kind, example = label_type(y, "y[{}]".format)
        except TypeError:
            return y  # unsortable mixes get their own message from learn_classes
        if kind.startswith("continuous"):
            raise ValueError(
                f"y holds continuous values ({example!r}): {self.estimator} learns labels. For "
                "numeric targets use ElectraRegressor; to keep them as labels, convert them "
                "first (e.g. y.astype(str))."
            )
        if kind == "unknown":  # objects: one that is no label, numbers, or a mix (named later)
            listed = y.tolist()
            i = next((i for i, v in enumerate(listed)
                      if not isinstance(v, (str, bool, int, float, np.generic))), None)
            if i is not None:
                raise ValueError(f"y[{i}] is {describe(y[i])}: a label is a string, a number or "
                                 "a bool.")
            if not any(isinstance(v, str) for v in listed):
                # scikit-learn's metrics refuse such a y too, so a search's scoring would fail
                raise ValueError(
                    f"y holds numbers as Python objects (dtype object), which scikit-learn reads "
                    f"as an unknown kind of target; convert them first, e.g. "
                    f"y.astype({type(listed[0]).__name__!r})."
                )
        return y

    def _values(self, y):
        return y.tolist()

    def _indices(self, y, index):
        return np.fromiter((index[v] for v in y.tolist()), dtype=np.int64, count=len(y))

    def fit(self, y, inputs, classes=None, incremental=False, sample_weight=None):
        checked = self._check(y, inputs)
        values = self._values(checked)
        source = "y" if classes is None else "classes"
        self.classes_ = learn_classes(values if classes is None else classes, source, self.noun,
                                      self.class_noun, self.estimator_kind)
        self._set_class_weight(values, incremental)
        return self

    def _set_class_weight(self, values, incremental):
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        counts = np.bincount([index[v] for v in values if v in index], minlength=len(index))
        weights = resolve_class_weight(self.class_weight, self.classes_, counts, len(values),
                                       incremental=incremental)
        self.class_weight_ = None if weights is None else weights.astype(np.float32)

    def continues(self, y, classes=None):
        if multilabel_format(y) is not None:
            raise ValueError("y holds several labels per text, but this classifier was fitted on "
                             "one label per text; pass y in that form, or call fit() to start "
                             "over.")
        if classes is None:
            return
        given = learn_classes(classes, "classes", self.noun, self.class_noun, self.estimator_kind)
        if given.tolist() != self.classes_.tolist():
            raise ValueError(
                f"classes={given.tolist()} differs from the classes learned on the first call "
                f"({self.classes_.tolist()}); pass the same classes, or call fit() to start over."
            )

    def encode(self, y, inputs):
        checked = self._check(y, inputs)
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        unknown = {v for v in self._values(checked) if v not in index}
        if unknown:
            raise ValueError(
                f"y contains {self.noun}s not seen in the first fit (or in classes=): "
                f"{sorted(unknown, key=repr)[:10]}. Known: {self.classes_.tolist()}."
            )
        return self._indices(checked, index)

    # ------------------------------------------------------------ loss
    def loss(self, logits, target, weight=None):
        """Cross-entropy over the rows (or tokens) not marked ``-100``, each weighted by its
        row's sample weight times its class's weight, normalized by the weights' sum."""
        target = target.to(logits.device).reshape(logits.shape[:-1])
        logits = logits.float().reshape(-1, logits.shape[-1])
        flat = target.reshape(-1)
        counted = flat != IGNORED
        safe = flat.clamp_min(0)
        losses = F.cross_entropy(logits, safe, reduction="none")
        w = counted.float()
        if weight is not None:  # one per row, shared by a row's tokens
            row = weight.to(logits.device).float().reshape(-1, *[1] * (target.ndim - 1))
            w = w * row.expand(target.shape).reshape(-1)
        if self.class_weight_ is not None:
            w = w * torch.as_tensor(self.class_weight_, device=logits.device)[safe]
        return weighted_mean(losses, w)

    def correct(self, logits, target):
        mask = target != IGNORED
        return int((logits.argmax(-1).cpu()[mask] == target[mask]).sum()), int(mask.sum())

    def strata(self, encoded):
        return encoded

    def prior_loss(self, encoded, weight=None):
        """Entropy of the (sample- and class-weighted) label distribution: the cross-entropy
        of predicting it for every row."""
        labels = encoded
        w = np.ones(len(encoded)) if weight is None else np.asarray(weight)
        if encoded.dtype == object:  # rows of tags: a row's weight goes to each of its tokens
            labels = np.concatenate([np.ravel(r) for r in encoded])
            w = np.repeat(w, [np.size(r) for r in encoded])
        keep = labels != IGNORED
        labels, w = labels[keep].astype(np.int64), w[keep]
        if self.class_weight_ is not None:
            w = w * self.class_weight_[labels]
        return entropy(np.bincount(labels, weights=w))

    # ------------------------------------------------------------ outputs
    def predict_proba(self, logits):
        return torch.softmax(logits.float(), dim=-1).numpy()

    def predict(self, logits, threshold=None):
        return self.classes_[logits.argmax(-1).numpy()]

    def score(self, y, predicted, sample_weight=None):
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, predicted, sample_weight=sample_weight))

    # ------------------------------------------------------------ persistence
    def metadata(self):
        meta = {"target": self.kind, "classes": self.classes_.tolist(),
                "target_type": "binary" if len(self.classes_) == 2 else "multiclass"}
        if self.class_weight_ is not None:
            meta["class_weight"] = self.class_weight_.tolist()
        return meta

    def restore(self, metadata, classes):
        self.classes_ = as_classes(classes)
        weights = metadata.get("class_weight")
        self.class_weight_ = None if weights is None else np.asarray(weights, dtype=np.float32)
        return self

    def attributes(self):
        return {"classes_": self.classes_, "n_classes_": len(self.classes_),
                "target_type_": "binary" if len(self.classes_) == 2 else "multiclass"}


class TagSequences(SingleLabel):
    """One tag per token of each sentence (:class:`~sklearn_electra.ElectraTagger`).

    ``encode`` gives one index array per sentence; the windows of a sentence carry
    them on first subwords, ``-100`` elsewhere, which the loss skips.
    """

    kind = "tags"
    problem_type = None
    noun, class_noun, estimator_kind = "tag", "tag", "tagger"

    def _check(self, y, inputs):
        return check_tags(y, inputs)

    def continues(self, y, classes=None):
        if classes is not None:
            SingleLabel.continues(self, None, classes)

    def _values(self, y):
        return [t for sentence in y for t in sentence]

    def _indices(self, y, index):
        return [np.fromiter((index[t] for t in sentence), dtype=np.int64, count=len(sentence))
                for sentence in y]

    def strata(self, encoded):
        return None  # tag sequences have no one label to stratify on

    def metadata(self):
        meta = super().metadata()
        del meta["target_type"]
        return meta

    def attributes(self):
        return {"classes_": self.classes_, "n_classes_": len(self.classes_)}
