"""The callbacks every training estimator starts with, and the order they run in.

skorch runs its built-in callbacks, then the user's, then the progress log. Ours add early
stopping (with ``early_stopping=True`` and a validation split) and epoch checkpoints
(``checkpoint_dir``); both act on an epoch's scores, so they run after the user's callbacks,
which may record the scores they read.
"""

from __future__ import annotations

import numbers

from skorch.callbacks import EarlyStopping as SkorchEarlyStopping
from skorch.callbacks import EpochTimer, PassthroughScoring, PrintLog, ProgressBar

from .callbacks import EarlyStopping
from .checkpoint import EpochCheckpoint

__all__ = ["CallbackOrderMixin"]


def _raises_to_stop(callback):
    """Whether ``callback`` (a class or an instance) is skorch's EarlyStopping, not ours."""
    kind = callback if isinstance(callback, type) else type(callback)
    return issubclass(kind, SkorchEarlyStopping) and not issubclass(kind, EarlyStopping)


class CallbackOrderMixin:
    """``_default_callbacks`` from the estimator's parameters, and ``_yield_callbacks``'s order."""

    @property
    def _default_callbacks(self):
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
        ]
        # Parameters are not validated yet (get_params reads this), so compare
        # defensively: an invalid value means "off" until fit reports it.
        if isinstance(self.verbose, numbers.Integral) and self.verbose > 0:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks.append(("print_log", PrintLog()))
        validating = isinstance(self.validation_fraction, numbers.Real) and self.validation_fraction > 0
        if self.early_stopping is True and validating:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, load_best=True)))
        if self.checkpoint_dir is not None:
            # After early stopping: its verdict on the epoch decides what best/ holds.
            callbacks.append(("checkpoint", EpochCheckpoint(self.checkpoint_dir)))
        return callbacks

    # Built-in callbacks that act on an epoch's scores: they go after the user's callbacks,
    # which may record the scores they read.
    _DECIDING_CALLBACKS = ("early_stopping", "checkpoint")

    def _yield_callbacks(self):
        """skorch's order (built-in, the user's, then the progress log), with early stopping
        and checkpointing moved after the user's callbacks."""
        items = list(super()._yield_callbacks())
        deciding = [item for item in items if item[0] in self._DECIDING_CALLBACKS]
        # skorch's own EarlyStopping, given by a user, stops by raising: after checkpointing,
        # so that the epoch it stops at is written.
        raising = [item for item in items if item not in deciding and _raises_to_stop(item[1])]
        rest = [item for item in items if item not in deciding and item not in raising]
        # skorch yields the progress logs last, its default one (an instance) first.
        at = next(i for i, item in enumerate(rest) if isinstance(item[1], PrintLog))
        yield from rest[:at] + deciding + raising + rest[at:]
