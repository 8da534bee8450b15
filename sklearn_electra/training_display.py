"""A fit's learning curves in the style of scikit-learn's ``*Display`` classes.

:class:`TrainingHistoryDisplay` draws what ``history_`` recorded: the losses per epoch
(training and validation; for the pretrainer the generator's and the discriminator's,
with the discriminator's base-rate entropy, the loss of a model that knows only how many
tokens were replaced), the validation scores, the learning rate of every optimizer step
(the top layer's peak rate times the schedule), and the epoch whose weights the model kept.
"""

from __future__ import annotations

import numpy as np

from .history import kept_epoch

__all__ = ["TrainingHistoryDisplay"]

_PRETRAINING_LOSSES = ("gen_loss", "disc_loss", "valid_gen_loss", "valid_disc_loss")


def _column(history, key):
    return np.array([row.get(key, np.nan) for row in history], dtype=np.float64)


class TrainingHistoryDisplay:
    """Learning curves of one fit: losses, validation scores, learning rate, kept epoch.

    Build it with :meth:`from_estimator`; :meth:`plot` draws it (``figure_``, ``ax_``:
    the loss axis; ``score_ax_``: validation scores, right; ``lr_ax_``: the learning rate,
    right, offset; ``lines_``: every curve by name).

    Parameters
    ----------
    epochs : array of int
        The epochs, as ``history_`` counts them (from 1).
    losses : dict of str to array
        Per-epoch losses by name (``train_loss``, ``valid_loss``, ``gen_loss``, ...).
    scores : dict of str to array, optional
        Per-epoch validation scores by name (``valid_acc``, your scorers').
    lr : array, optional
        The learning rate of each optimizer step, in order.
    steps_per_epoch : float, optional
        Optimizer steps an epoch, to place ``lr`` on the epoch axis.
    kept_epoch : int, optional
        The epoch whose weights the model holds.
    base_entropy : array, optional
        The pretrainer's ``disc_base_entropy`` per epoch.
    estimator_name : str, optional

    Examples
    --------
    >>> from sklearn_electra import ElectraClassifier, TrainingHistoryDisplay
    >>> clf = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=3, random_state=0)
    >>> clf = clf.fit(["good phone", "bad phone", "fine screen", "awful battery"] * 10,
    ...               ["pos", "neg", "pos", "neg"] * 10)
    >>> display = TrainingHistoryDisplay.from_estimator(clf)
    >>> sorted(display.lines_)
    ['kept epoch', 'lr', 'train_loss', 'valid_acc', 'valid_loss']
    >>> display.lines_["valid_loss"].get_ydata().tolist() == clf.history_[:, "valid_loss"]
    True
    """

    def __init__(self, *, epochs, losses, scores=None, lr=None, steps_per_epoch=None,
                 kept_epoch=None, base_entropy=None, estimator_name=None):
        self.epochs = np.asarray(epochs)
        self.losses = {k: np.asarray(v, dtype=np.float64) for k, v in losses.items()}
        self.scores = {k: np.asarray(v, dtype=np.float64) for k, v in (scores or {}).items()}
        self.lr = None if lr is None else np.asarray(lr, dtype=np.float64)
        self.steps_per_epoch = steps_per_epoch
        self.kept_epoch = kept_epoch
        self.base_entropy = None if base_entropy is None else np.asarray(base_entropy, dtype=np.float64)
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Read a fitted estimator's ``history_``, ``recipe_`` and schedule, and plot them.

        Parameters
        ----------
        estimator : fitted sklearn_electra estimator (any, the pretrainer included)
        ax : matplotlib Axes, optional
            Where to draw the losses; a new figure when None.

        Returns
        -------
        TrainingHistoryDisplay
        """
        estimator.check_is_fitted()
        history = getattr(estimator, "history_", None)
        if not history:
            raise ValueError(f"This {type(estimator).__name__} has no training history (a model "
                             "loaded with from_pretrained keeps none): fit it first.")
        keys = {k for row in history for k in row}
        pretraining = "disc_loss" in keys
        names = ([k for k in _PRETRAINING_LOSSES if k in keys] if pretraining
                 else [k for k in ("train_loss", "valid_loss") if k in keys])
        scores = sorted(k for k in keys if k.startswith("valid_") and not k.endswith(("loss", "_best"))
                        and k not in ("valid_batch_count", "valid_disc_base_entropy",
                                      "valid_replaced_fraction")
                        and all(isinstance(row.get(k, 0.0), (int, float)) for row in history))
        lr, per_epoch = cls._learning_rates(estimator, len(history))
        display = cls(epochs=_column(history, "epoch").astype(int),
                      losses={k: _column(history, k) for k in names},
                      scores={k: _column(history, k) for k in scores}, lr=lr,
                      steps_per_epoch=per_epoch, kept_epoch=kept_epoch(estimator),
                      base_entropy=_column(history, "disc_base_entropy") if pretraining else None,
                      estimator_name=type(estimator).__name__)
        return display.plot(ax=ax)

    @staticmethod
    def _learning_rates(estimator, n_epochs):
        """The top layer's rate at every optimizer step taken, and steps per epoch."""
        schedule, recipe = getattr(estimator, "lr_schedule_", None), getattr(estimator, "recipe_", None)
        if schedule is None or recipe is None or schedule.step == 0:
            return None, None
        return (np.array([recipe.lr * schedule.factor_at(s) for s in range(schedule.step)]),
                schedule.step / n_epochs)

    def plot(self, ax=None):
        """Draw the curves; returns ``self`` with ``figure_``, ``ax_``, ``score_ax_``,
        ``lr_ax_`` and ``lines_``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        self.ax_, self.figure_, self.lines_ = ax, ax.figure, {}
        for name, values in self.losses.items():
            (self.lines_[name],) = ax.plot(self.epochs, values, "o-", label=name)
        if self.base_entropy is not None:
            (self.lines_["disc_base_entropy"],) = ax.plot(
                self.epochs, self.base_entropy, "k:", label="discriminator base-rate entropy")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        self.score_ax_ = self.lr_ax_ = None
        if self.scores:
            self.score_ax_ = ax.twinx()
            # A twin axis restarts the colour cycle: the scores take the colours after the losses'.
            for k, (name, values) in enumerate(self.scores.items(), start=len(self.losses) + 1):
                (self.lines_[name],) = self.score_ax_.plot(self.epochs, values, "s--", label=name,
                                                           color=f"C{k}")
            self.score_ax_.set_ylabel("validation score")
        if self.lr is not None:
            self.lr_ax_ = ax.twinx()
            if self.score_ax_ is not None:  # a third y axis, offset to the right
                self.lr_ax_.spines["right"].set_position(("axes", 1.15))
            x = np.arange(1, len(self.lr) + 1) / self.steps_per_epoch
            (self.lines_["lr"],) = self.lr_ax_.plot(x, self.lr, color="0.6", lw=1, label="lr")
            self.lr_ax_.set_ylabel("learning rate (top layer)")
        if self.kept_epoch is not None:
            self.lines_["kept epoch"] = ax.axvline(self.kept_epoch, color="tab:green", ls="--",
                                                   lw=1, label=f"kept epoch ({self.kept_epoch})")
        handles = [line for line in self.lines_.values()]
        ax.legend(handles=handles, labels=[h.get_label() for h in handles], fontsize=8,
                  loc="upper right")
        if self.estimator_name:
            ax.set_title(f"{self.estimator_name}: training history")
        return self
