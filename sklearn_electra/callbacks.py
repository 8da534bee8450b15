"""Callbacks the training base adds by default, where skorch's own do not fit."""

from __future__ import annotations

from skorch.callbacks import EarlyStopping as _SkorchEarlyStopping

__all__ = ["EarlyStopping", "raised_by_skorch_early_stopping"]


class EarlyStopping(_SkorchEarlyStopping):
    """skorch's early stopping, which asks the training loop to stop instead of interrupting it,
    and does not count the epochs of the learning-rate warmup.

    skorch's version raises ``KeyboardInterrupt`` from ``on_epoch_end``: the
    callbacks after it never see that epoch's end, and the interrupt looks like
    Ctrl-C. This one sets ``stop_`` and the loop ends after every callback has
    seen the epoch. Stopping, patience, threshold and ``load_best`` are skorch's.

    An epoch that ends while the net's ``lr_schedule_`` is still warming up is not a
    miss: a model trained from random weights can sit at chance while the rate ramps
    up, and stopping there returned a majority-class classifier (one fit in ten of the
    tiny preset on 1,000 reviews, which learns from the first epoch after warmup). Such
    an epoch can still be the best one, which ``load_best`` keeps.
    """

    def initialize(self):
        super().initialize()
        self.stop_ = False
        return self

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.stop_ = False

    def on_epoch_end(self, net, **kwargs):
        if self.monitor not in net.history[-1]:
            return  # an epoch without validation (partial_fit): nothing to judge
        schedule = getattr(net, "lr_schedule_", None)
        if schedule is not None and schedule.step < schedule.warmup:
            # skorch adds this epoch's miss, if it is one, to misses_: from -1 that is 0,
            # never the patience (at least 1), and counting starts after the warmup.
            self.misses_ = -1
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            if self.misses_ != self.patience:
                raise  # a real Ctrl-C that arrived during this callback
            self.stop_ = True

    def improved(self, net):
        """Whether the epoch just recorded is the best one so far (the one ``load_best`` keeps);
        None for an epoch it did not judge (no validation)."""
        if self.monitor not in net.history[-1]:
            return None
        return self.best_epoch_ == net.history[-1, "epoch"]


def raised_by_skorch_early_stopping(exc):
    """Whether a ``KeyboardInterrupt`` is skorch's ``EarlyStopping`` stopping, not Ctrl-C.

    Users may pass skorch's own callback in ``callbacks=``; it raises from its
    ``on_epoch_end``, which is the innermost frame of the traceback.
    """
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code is _SkorchEarlyStopping.on_epoch_end.__code__
