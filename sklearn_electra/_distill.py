"""Knowledge distillation into :class:`~sklearn_electra.ElectraClassifier`: ``teacher=``.

A fitted classifier (the teacher) labels the training texts with its logits; the
student learns them as soft targets (:class:`~sklearn_electra.targets.Soft`: Hinton
et al.'s temperature-scaled KL divergence, mixed with cross-entropy on the labels where
there are any). ``fit(X)`` without labels learns from the teacher alone, so unlabeled
texts serve. The student takes the teacher's classes and is afterwards an ordinary
fitted classifier: the teacher is not part of its checkpoint.
"""

from __future__ import annotations

import copy
import numbers
import os

from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval

from .targets import SingleLabel, Soft

__all__ = ["DistillationMixin"]


class DistillationMixin:
    """Parameters ``teacher``, ``distill_temperature``, ``distill_alpha``: with a teacher,
    the targets of a fit are soft ones around the teacher's target."""

    _distill_constraints = {
        "teacher": [None, str, os.PathLike, HasMethods(["forward", "predict_proba"])],
        "distill_temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "distill_alpha": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def _fitted_teacher(self):
        """The teacher as a fitted estimator of this class (a directory is loaded)."""
        teacher = self.teacher
        if isinstance(teacher, (str, os.PathLike)):
            teacher = type(self).from_pretrained(teacher, device=self.device)
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
        if not isinstance(teacher.target_.plain, SingleLabel):
            raise ValueError("Only a single-label teacher can be distilled; this one was fitted "
                             f"on {teacher.target_type_!r} targets.")
        return teacher

    def _validate_targets(self, y, inputs, reset, classes=None, sample_weight=None,
                          incremental=False):
        """Soft targets: the teacher's logits and the label index (``-1`` without ``y``)."""
        if self.teacher is None:
            return super()._validate_targets(y, inputs, reset, classes, sample_weight, incremental)
        teacher = self._fitted_teacher()
        if self.class_weight is not None:
            raise ValueError("class_weight does not apply to distillation: the student learns "
                             "the teacher's distribution. Pass class_weight=None (weigh texts "
                             "with sample_weight instead).")
        if reset:
            inner = copy.deepcopy(teacher.target_.plain)
        else:
            inner = self.target_.plain
            if inner.classes_.tolist() != teacher.classes_.tolist():
                raise ValueError(f"The teacher's classes ({teacher.classes_.tolist()}) differ from "
                                 f"this student's ({inner.classes_.tolist()}); call fit() to start "
                                 "over.")
        target = Soft(inner, teacher, self.distill_temperature, self.distill_alpha)
        encoded = target.encode(y, inputs)
        self._set_target(target)
        return encoded
