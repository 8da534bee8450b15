"""Callbacks the training base adds by default, where skorch's own do not fit."""

from __future__ import annotations

from skorch.callbacks import EarlyStopping as _SkorchEarlyStopping

__all__ = ["EarlyStopping", "raised_by_skorch_early_stopping", "left_plateau", "PLATEAU_MARGIN",
           "PATIENCE_MIN_STEPS"]


# A fit has left its starting plateau once its validation loss is this far (relative) below
# the loss of predicting the training labels' prior: wider than the epoch-to-epoch noise of
# a model at chance (about 1-2% on a few hundred validation texts), and a small share of
# what any learning gives.
PLATEAU_MARGIN = 0.05
# Patience is also at least this many optimizer steps (a fifth of a from-scratch run's
# 1,500): three epochs of 25 steps are too few for a model still looking for its signal.
PATIENCE_MIN_STEPS = 300


def left_plateau(loss, start, margin=PLATEAU_MARGIN):
    """Whether ``loss`` lies clearly below the starting ``start`` (None: no plateau known).

    Examples
    --------
    >>> left_plateau(0.66, 0.693), left_plateau(0.65, 0.693), left_plateau(0.9, None)
    (False, True, True)
    """
    return start is None or loss <= start * (1 - margin)


class EarlyStopping(_SkorchEarlyStopping):
    """skorch's early stopping, which asks the training loop to stop instead of interrupting it,
    and spends no patience where a model cannot have learned yet.

    skorch's version raises ``KeyboardInterrupt`` from ``on_epoch_end``: the
    callbacks after it never see that epoch's end, and the interrupt looks like
    Ctrl-C. This one sets ``stop_`` and the loop ends after every callback has
    seen the epoch. Improvement, threshold and ``load_best`` are skorch's.

    Patience is spent only by epochs that

    * end after the learning-rate warmup (a model trained from random weights can sit at
      chance while the rate ramps up), and
    * come after the validation loss has *left the starting plateau*: fallen at least
      ``plateau_margin`` (5%, relative) below the loss of predicting the training labels'
      prior (the loss a model that ignores its input reaches; ``net._plateau_loss``).
      Models trained from scratch, and weakly pretrained ones, sit there for a while before
      they find their signal.

    It stops when ``patience`` such epochs have passed without improvement *and* at least
    ``min_patience_steps`` optimizer steps since the best epoch. An epoch without the
    monitored score (``partial_fit``, which holds out nothing) is not judged.
    """

    def __init__(self, *args, plateau_margin=PLATEAU_MARGIN, min_patience_steps=PATIENCE_MIN_STEPS,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.plateau_margin = plateau_margin
        self.min_patience_steps = min_patience_steps

    def initialize(self):
        super().initialize()
        self.stop_ = False
        self.start_loss_ = None
        self.left_start_ = True
        self.best_step_ = 0
        return self

    def on_train_begin(self, net, X=None, **kwargs):
        super().on_train_begin(net, X=X, **kwargs)
        self.stop_ = False
        self.best_step_ = 0
        plateau = getattr(net, "_plateau_loss", None)
        self.start_loss_ = plateau(X) if plateau is not None and self.monitor == "valid_loss" \
            else None
        self.left_start_ = self.start_loss_ is None

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if self.monitor not in row:
            return  # an epoch without validation (partial_fit): nothing to judge
        score = row[self.monitor]
        schedule = getattr(net, "lr_schedule_", None)
        step = schedule.step if schedule is not None else len(net.history)
        warming_up = schedule is not None and schedule.step < schedule.warmup
        self.left_start_ = self.left_start_ or left_plateau(score, self.start_loss_,
                                                            self.plateau_margin)
        if self._is_score_improved(score):
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(score)
            self.best_epoch_ = row["epoch"]
            self.best_step_ = step
            if self.load_best:
                self.best_model_weights_ = {k: v.detach().clone()
                                            for k, v in net.module_.state_dict().items()}
        elif not warming_up and self.left_start_:
            self.misses_ += 1
        if self.misses_ >= self.patience and step - self.best_step_ >= self.min_patience_steps:
            # skorch's sink rule: print only when verbose, a logger's sink always.
            self._sink(f"Stopping since {self.monitor} has not improved in the last "
                       f"{self.misses_} epochs ({step - self.best_step_} optimizer steps).",
                       verbose=net.verbose)
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
