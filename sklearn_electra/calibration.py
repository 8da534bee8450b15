"""How far predicted probabilities are from the accuracy they claim.

Fine-tuned transformers tend to be overconfident (Guo et al., 2017, "On Calibration of
Modern Neural Networks"). scikit-learn's ``CalibratedClassifierCV`` fixes that after the
fact (``method="temperature"``: one temperature for the logits; ``"sigmoid"``: Platt
scaling) on data the model did not train on, around ``FrozenEstimator(clf)``; this module
measures the result with the expected calibration error that paper uses, which
scikit-learn does not provide (``sklearn.calibration.calibration_curve`` gives the bins
of one class; this is the top-label summary over all classes).
"""

from __future__ import annotations

import numpy as np

__all__ = ["expected_calibration_error"]


def expected_calibration_error(y_true, y_prob, *, labels=None, n_bins=10):
    """Expected calibration error of the top label (Guo et al., 2017).

    Predictions are grouped by their confidence (the largest probability) into
    ``n_bins`` equal-width bins over (0, 1]; the error is the mean over predictions of
    ``|accuracy - confidence|`` of their bin. 0 for a model whose 80%-confident answers
    are right 80% of the time, and so on for every bin.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        The true labels.
    y_prob : array-like of shape (n_samples, n_classes)
        Predicted probabilities, columns in the order of ``labels``
        (``predict_proba``'s, with ``labels=clf.classes_``).
    labels : array-like of shape (n_classes,), optional
        The label of each column; by default the sorted labels of ``y_true``.
    n_bins : int, default=10

    Returns
    -------
    float in [0, 1]
        Rounded to 12 decimal places, so that sums of bins print as they add up (0.35, not
        0.35000000000000003).

    Examples
    --------
    Four answers at 75% confidence, three of them right: calibrated.

    >>> expected_calibration_error(["a", "b", "a", "b"], [[0.75, 0.25], [0.25, 0.75],
    ...                                                   [0.75, 0.25], [0.75, 0.25]])
    0.0

    Each in a bin of its own, three right and one wrong: ``(0.1 + 0.2 + 0.4 + 0.7) / 4``.

    >>> expected_calibration_error(["a", "b", "a", "b"], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4],
    ...                                                   [0.7, 0.3]], labels=["a", "b"])
    0.35
    """
    y_true = np.asarray(y_true)
    y_prob = np.asarray(y_prob, dtype=np.float64)
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if y_prob.ndim != 2 or y_prob.shape != (len(y_true), len(labels)):
        raise ValueError(f"y_prob has shape {y_prob.shape}; expected ({len(y_true)}, {len(labels)}): "
                         "one row per label in y_true and one column per label.")
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}.")
    confidence = y_prob.max(axis=1)
    correct = labels[y_prob.argmax(axis=1)] == y_true
    # Bin i holds confidences in (i / n_bins, (i + 1) / n_bins], 0 in the first, with the
    # edges calibration_curve uses.
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], confidence)
    error = 0.0
    for b in np.unique(bins):
        members = bins == b
        error += members.sum() * abs(correct[members].mean() - confidence[members].mean())
    return float(round(error / len(y_true), 12))
