"""Numeric targets, one or several columns: a linear head on standardized targets."""

from __future__ import annotations

import numpy as np

from ..validation import check_targets
from ._base import Target, weighted_mean

__all__ = ["Regression"]

# Exports fold the targets' scale into float32 weights (largest ~3.4e38): leave room.
LARGEST = 1e30


class Regression(Target):
    """One or several real-valued targets per text, learned standardized.

    ``fit`` learns each column's mean and standard deviation (weighted by the sample
    weights, when given, as scikit-learn's scalers do); the model predicts
    ``(y - mean_) / scale_`` with the mean squared error, so one learning rate suits
    ratings on a 1-5 scale and prices in thousands alike.

    Examples
    --------
    >>> target = Regression().fit([1.0, 3.0], [None] * 2)
    >>> target.mean_.tolist(), target.scale_.tolist(), target.encode([3.0], [None]).tolist()
    ([2.0], [1.0], [[1.0]])
    """

    kind = "regression"
    problem_type = "regression"

    def __init__(self, estimator="ElectraRegressor"):
        self.estimator = estimator
        self.mean_ = self.scale_ = None

    def _check(self, y, inputs):
        targets = check_targets(y, len(inputs), self.estimator)
        if np.abs(targets).max() > LARGEST:
            raise ValueError(
                f"y holds values up to {np.abs(targets).max():.3g}; the model's float32 weights "
                f"cannot hold targets beyond {LARGEST:.0e}. Rescale y (e.g. y / 1e6 or log(y))."
            )
        return targets

    def fit(self, y, inputs, classes=None, incremental=False, sample_weight=None):
        targets = self._check(y, inputs)
        weights = None if sample_weight is None or not np.any(sample_weight) else sample_weight
        mean = np.average(targets, axis=0, weights=weights)
        scale = np.sqrt(np.average((targets - mean) ** 2, axis=0, weights=weights))
        constant = np.flatnonzero(scale <= 1e-12 * np.maximum(1.0, np.abs(mean)))
        if len(constant):
            column = "y" if targets.shape[1] == 1 else f"Column {constant[0]} of y"
            raise ValueError(
                f"{column} is constant ({targets[0, constant[0]].item()!r} for every text): there "
                "is nothing to learn. A regressor needs targets that vary."
            )
        self.mean_, self.scale_ = mean, scale
        return self

    def encode(self, y, inputs):
        targets = self._check(y, inputs)
        if targets.shape[1] != self.n_outputs:
            raise ValueError(f"y has {targets.shape[1]} targets per text but the model was fitted "
                             f"on {self.n_outputs}; pass the same columns, or call fit() to start "
                             "over.")
        return ((targets - self.mean_) / self.scale_).astype(np.float32)

    @property
    def n_outputs(self):
        return len(self.mean_)

    def config(self):
        return {"num_labels": self.n_outputs, "problem_type": self.problem_type}

    def loss(self, logits, target, weight=None):
        """Squared error averaged over the targets of a row, then the weighted mean over rows."""
        target = target.to(logits.device).float()
        losses = ((logits.float() - target) ** 2).mean(dim=-1)
        return weighted_mean(losses, None if weight is None else weight.to(logits.device))

    def prior_loss(self, encoded, weight=None):
        """The squared error of predicting each column's (weighted) mean: its variance, about
        1 for standardized targets."""
        y = np.asarray(encoded, dtype=np.float64)
        w = None if weight is None else np.asarray(weight, dtype=np.float64)
        mean = np.average(y, axis=0, weights=w)
        return float(np.average(((y - mean) ** 2).mean(axis=1), weights=w))

    def correct(self, logits, target):
        return 0, 0  # no accuracy for numbers

    def predict(self, logits, threshold=None):
        y = logits.double().numpy() * self.scale_ + self.mean_
        return y.ravel() if self.n_outputs == 1 else y

    def score(self, y, predicted, sample_weight=None):
        from sklearn.metrics import r2_score

        return float(r2_score(y, predicted, sample_weight=sample_weight))

    def metadata(self):
        return {"target": self.kind, "target_mean": self.mean_.tolist(),
                "target_scale": self.scale_.tolist()}

    def restore(self, metadata, mean, scale):
        self.mean_ = np.asarray(mean, dtype=np.float64)
        self.scale_ = np.asarray(scale, dtype=np.float64)
        return self

    def attributes(self):
        return {"n_outputs_": self.n_outputs, "target_mean_": self.mean_,
                "target_scale_": self.scale_}
