"""Knowledge distillation into :class:`~sklearn_electra.ElectraClassifier`: ``teacher=``.

A fitted classifier (the teacher) labels the training texts with its logits; the
student learns Hinton et al.'s (2015) soft targets, the temperature-scaled KL
divergence to the teacher's distribution (times ``T**2``, so its gradients keep
their size whatever the temperature), mixed with cross-entropy on the labels
where there are any::

    loss = distill_alpha * T**2 * KL(softmax(teacher / T) || softmax(student / T))
           + (1 - distill_alpha) * cross_entropy(student, y)

``fit(X)`` without labels learns from the teacher alone, so unlabeled texts serve.
The student takes the teacher's ``classes_`` and is afterwards an ordinary fitted
classifier: the teacher is not part of its checkpoint.

Targets are stored as one float row per text: the teacher's logits, then the
label's index (``-1`` for none), so batching, windows and the validation split
handle them like any other target.
"""

from __future__ import annotations

import numbers
import os

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval

__all__ = ["DistillationMixin"]


class DistillationMixin:
    """Parameters ``teacher``, ``distill_temperature``, ``distill_alpha`` and their hooks."""

    _distill_constraints = {
        "teacher": [None, str, os.PathLike, HasMethods(["forward", "predict_proba"])],
        "distill_temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "distill_alpha": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def _fitted_teacher(self):
        """The teacher as a fitted estimator of this class (a directory is loaded)."""
        teacher = self.teacher
        if isinstance(teacher, (str, os.PathLike)):
            return type(self).from_pretrained(teacher, device=self.device)
        if isinstance(teacher, FrozenEstimator):
            teacher = teacher.estimator
        if not isinstance(teacher, type(self)):
            raise TypeError(f"teacher must be a fitted {type(self).__name__} or its checkpoint "
                            f"directory; got {type(teacher).__name__}.")
        try:
            teacher.check_is_fitted()
        except NotFittedError as exc:
            raise ValueError(
                "teacher is not fitted. scikit-learn's clone() (used by GridSearchCV and "
                "cross_val_score) copies estimator parameters unfitted: pass "
                "teacher=FrozenEstimator(fitted_teacher) (sklearn.frozen) or the teacher's "
                "save_pretrained directory."
            ) from exc
        if teacher._multilabel:
            raise ValueError("A multi-label teacher cannot be distilled yet; distill a "
                             "single-label classifier.")
        return teacher

    @property
    def _distilling(self):
        return self.teacher is not None

    def _validate_targets(self, y, inputs, reset, classes=None):
        """The teacher's logits and the label index (``-1`` without ``y``), one row per text."""
        if not self._distilling:
            return super()._validate_targets(y, inputs, reset, classes)
        teacher = self._fitted_teacher()
        if reset:
            self.classes_ = teacher.classes_.copy()
            self.n_classes_ = len(self.classes_)
            self.target_type_ = teacher.target_type_
        elif self.classes_.tolist() != teacher.classes_.tolist():
            raise ValueError(f"The teacher's classes ({teacher.classes_.tolist()}) differ from this "
                             f"student's ({self.classes_.tolist()}); call fit() to start over.")
        labels = np.full(len(inputs), -1.0)
        if y is not None:  # labels outside the teacher's classes are an error there
            labels = super()._validate_targets(y, inputs, reset=False).astype(np.float64)
        logits = teacher.forward(inputs).double().numpy()
        return np.concatenate([logits, labels[:, None]], axis=1).astype(np.float32)

    def _split_targets(self, y_true, device):
        y_true = y_true.to(device).float()
        return y_true[:, :-1], y_true[:, -1].long()

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Hinton's soft-target loss mixed with cross-entropy on the labelled rows."""
        if not self._distilling:
            return super().get_loss(y_pred, y_true, X=X, training=training)
        teacher, labels = self._split_targets(y_true, y_pred.device)
        student = y_pred.float()
        t = self.distill_temperature
        soft = F.kl_div(F.log_softmax(student / t, dim=-1), F.log_softmax(teacher / t, dim=-1),
                        log_target=True, reduction="batchmean") * t * t
        labelled = labels >= 0
        if not labelled.any():
            return soft
        hard = F.cross_entropy(student[labelled], labels[labelled])
        return self.distill_alpha * soft + (1 - self.distill_alpha) * hard

    def _reference(self, y_true):
        """Each row's label, or the teacher's choice where it has none."""
        teacher, labels = self._split_targets(y_true, "cpu")
        return torch.where(labels >= 0, labels, teacher.argmax(-1))

    def _correct(self, y_pred, y_true):
        """Agreement with the label (with the teacher where there is none), for ``valid_acc``."""
        if not self._distilling:
            return super()._correct(y_pred, y_true)
        return int((y_pred.argmax(-1).cpu() == self._reference(y_true)).sum()), len(y_true)

    def _strata(self, labels):
        if not self._distilling:
            return super()._strata(labels)
        return self._reference(torch.as_tensor(labels)).numpy()
