"""Soft targets from a teacher (knowledge distillation), around the teacher's own target.

Each row is the teacher's logits, then the label's index (``-1`` for none)::

    loss = alpha * T**2 * KL(softmax(teacher / T) || softmax(student / T))
           + (1 - alpha) * cross_entropy(student, y)

(Hinton et al., 2015; ``T**2`` keeps the soft gradients' size whatever the
temperature). Rows without a label use the soft loss alone. Predictions, the
head and what a checkpoint holds are the wrapped target's: a distilled student is
an ordinary classifier.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ._base import Target, weighted_mean

__all__ = ["Soft"]


class Soft(Target):
    """Distillation targets around ``inner`` (a fitted single-label target).

    Parameters
    ----------
    inner : SingleLabel
        The teacher's target (classes, class weights): the student's too.
    teacher : estimator
        Fitted; its ``forward(inputs)`` gives the logits. Not pickled with the target.
    temperature, alpha : float
    """

    kind = "soft"

    def __init__(self, inner, teacher, temperature=2.0, alpha=0.5):
        self.inner = inner
        self.teacher = teacher
        self.temperature = temperature
        self.alpha = alpha

    def __getstate__(self):
        return {**vars(self), "teacher": None}  # the teacher is a parameter, not fitted state

    @property
    def plain(self):
        return self.inner

    def fit(self, y, inputs, classes=None, incremental=False, sample_weight=None):
        return self

    def encode(self, y, inputs):
        if self.teacher is None:
            raise ValueError("Soft targets need the teacher: set teacher= and fit again.")
        labels = np.full(len(inputs), -1.0)
        if y is not None:  # labels outside the teacher's classes are an error there
            labels = self.inner.encode(y, inputs).astype(np.float64)
        logits = self.teacher.forward(inputs).double().numpy()
        return np.concatenate([logits, labels[:, None]], axis=1).astype(np.float32)

    @staticmethod
    def _split(target, device):
        target = target.to(device).float()
        return target[:, :-1], target[:, -1].long()

    @property
    def n_outputs(self):
        return self.inner.n_outputs

    @property
    def problem_type(self):
        return self.inner.problem_type

    def config(self):
        return self.inner.config()

    def loss(self, logits, target, weight=None):
        teacher, labels = self._split(target, logits.device)
        student = logits.float()
        t = self.temperature
        w = None if weight is None else weight.to(logits.device).float()
        soft = F.kl_div(F.log_softmax(student / t, dim=-1), F.log_softmax(teacher / t, dim=-1),
                        log_target=True, reduction="none").sum(-1) * t * t
        soft = weighted_mean(soft, w)
        labelled = labels >= 0
        if not labelled.any():
            return soft
        hard = self.inner.loss(student[labelled], labels[labelled],
                               None if w is None else w[labelled])
        return self.alpha * soft + (1 - self.alpha) * hard

    def reference(self, target):
        """Each row's label, or the teacher's choice where it has none."""
        teacher, labels = self._split(torch.as_tensor(target), "cpu")
        return torch.where(labels >= 0, labels, teacher.argmax(-1))

    def correct(self, logits, target):
        """Agreement with the label (with the teacher where there is none)."""
        return int((logits.argmax(-1).cpu() == self.reference(target)).sum()), len(target)

    def strata(self, encoded):
        return self.reference(encoded).numpy()

    def predict_proba(self, logits):
        return self.inner.predict_proba(logits)

    def predict(self, logits, threshold=None):
        return self.inner.predict(logits, threshold)

    def score(self, y, predicted, sample_weight=None):
        return self.inner.score(y, predicted, sample_weight)

    def metadata(self):
        return self.inner.metadata()

    def attributes(self):
        return self.inner.attributes()
