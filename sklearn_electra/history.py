"""Reading a fit's ``history_``: the epoch whose weights the model kept, and its scores.

Early stopping (on by default, ``load_best=True``) restores the weights of the best
epoch, so the model an estimator holds after ``fit`` is not always the last epoch's.
The model card and the training-history display both report the kept epoch.
"""

from __future__ import annotations

import numbers

__all__ = ["epoch_scores", "kept_epoch", "training_sequences"]

# Bookkeeping columns of a skorch history row, not scores.
_NOT_SCORES = ("epoch", "dur", "batches", "train_batch_count", "valid_batch_count")


def kept_epoch(estimator):
    """The epoch (1-based, as ``history_`` counts) whose weights ``estimator`` holds.

    The best epoch when early stopping restored it, else the last one; None before any
    epoch (a model loaded with ``from_pretrained`` has no history).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stopper = SimpleNamespace(load_best=True, best_epoch_=2)
    >>> est = SimpleNamespace(history_=[{"epoch": 1}, {"epoch": 2}, {"epoch": 3}],
    ...                       callbacks_=[("early_stopping", stopper)])
    >>> kept_epoch(est)
    2
    >>> kept_epoch(SimpleNamespace(history_=est.history_, callbacks_=[]))
    3
    """
    history = getattr(estimator, "history_", None)
    if not history:
        return None
    stopper = dict(getattr(estimator, "callbacks_", None) or []).get("early_stopping")
    best = getattr(stopper, "best_epoch_", None)  # None before the stopper's first epoch
    if best is not None and stopper.load_best:
        return int(best)
    return int(history[-1]["epoch"])


def epoch_scores(estimator, epoch):
    """The numeric scores ``history_`` recorded for ``epoch`` (losses, ``valid_acc``, the
    user's scorers), without the bookkeeping columns and the flags (``*_best``: booleans).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> est = SimpleNamespace(history_=[{"epoch": 1, "dur": 0.5, "train_loss": 0.7,
    ...                                  "valid_loss": 0.69, "valid_loss_best": True}])
    >>> epoch_scores(est, 1)
    {'train_loss': 0.7, 'valid_loss': 0.69}
    """
    row = next(r for r in estimator.history_ if r["epoch"] == epoch)
    return {k: float(v) for k, v in row.items()
            if k not in _NOT_SCORES and isinstance(v, numbers.Real) and not isinstance(v, bool)}


def training_sequences(estimator):
    """How many sequences the first epoch trained on, or None: one per text (sentence,
    question) that fits ``max_length``, one per window of a longer one where the estimator
    reads windows.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> est = SimpleNamespace(history_=[{"epoch": 1, "batches": [
    ...     {"train_batch_size": 32}, {"train_batch_size": 4}, {"valid_batch_size": 4}]}])
    >>> training_sequences(est)
    36
    """
    history = getattr(estimator, "history_", None)
    if not history:
        return None
    sizes = [b["train_batch_size"] for b in history[0].get("batches", []) if "train_batch_size" in b]
    return int(sum(sizes)) if sizes else None
