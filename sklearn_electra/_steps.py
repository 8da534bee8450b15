"""The training and validation steps of :class:`~sklearn_electra._base.ElectraNetBase`.

One batch forward and backward with gradient accumulation, the optimizer step (grad
scaler, clipping, ``on_grad_computed``, the lr schedule's advance), and the schedule an
epoch starts: a fit's linear warmup and decay, or ``partial_fit``'s stream schedule.
Every step reads what the fit resolved from its :class:`~sklearn_electra._base._FitRun`
(``run``), never from swapped attributes.
"""

from __future__ import annotations

import math

import torch
from skorch.utils import TeeGenerator

from .optim import STREAM_HORIZON, LinearWarmupSchedule, StreamSchedule, mark_written

__all__ = ["TrainingStepsMixin"]


class TrainingStepsMixin:
    """``train_step``, ``validation_step`` and ``run_single_epoch`` for a skorch ``NeuralNet``
    whose fit passes a ``run`` (module, optimizer, runtime, pending accumulation)."""

    def train_step(self, batch, run=None, **fit_params):
        """Forward and backward one batch; step the optimizer every
        ``gradient_accumulation_steps`` batches."""
        run.module.train()
        Xi, yi = batch
        accumulating = run.pending + 1 < self.gradient_accumulation_steps
        with self._no_sync(run.module, accumulating):
            y_pred = self.infer(Xi, runtime=run.runtime, module=run.module, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
            self._backward(loss / self.gradient_accumulation_steps, self.grad_scaler_)
        run.pending += 1
        if run.pending == self.gradient_accumulation_steps:
            self._optimizer_step(run)
        return {"loss": loss.detach(), "y_pred": y_pred.detach()}

    def _optimizer_step(self, run):
        if run.pending < self.gradient_accumulation_steps:
            # An epoch's last, incomplete accumulation: rescale to a mean gradient.
            for p in self.module_.parameters():
                if p.grad is not None:
                    p.grad.mul_(self.gradient_accumulation_steps / run.pending)
        self.grad_scaler_.unscale_(run.optimizer)
        self.notify("on_grad_computed", named_parameters=TeeGenerator(self.get_all_learnable_params()),
                    batch=None, training=True)
        params = [p for _, p in self.get_all_learnable_params()]
        if self.max_grad_norm:
            self._clip_grad_norm(params, self.max_grad_norm)
        self.grad_scaler_.step(run.optimizer)
        mark_written(self.optimizer_, params)
        self.grad_scaler_.update()
        run.optimizer.zero_grad(set_to_none=True)
        run.pending = 0
        self.lr_schedule_.advance(self.optimizer_)

    def run_single_epoch(self, iterator, training, prefix, step_fn, run=None, **fit_params):
        """One epoch; training epochs (re)start the lr schedule when needed and
        flush a pending gradient accumulation at the end."""
        if training and iterator is not None:
            self._start_schedule(run, self._steps_per_epoch(iterator))
        super().run_single_epoch(iterator, training, prefix, step_fn, run=run, **fit_params)
        if training and run.pending:
            self._optimizer_step(run)

    def _start_schedule(self, run, steps_per_epoch):
        """Set ``lr_schedule_`` for this epoch: a fit's linear warmup and decay over its
        epochs, or for ``partial_fit`` the stream schedule (an unfinished linear schedule,
        resumed from a checkpoint, runs on first)."""
        schedule = self.lr_schedule_
        if run.incremental:
            if isinstance(schedule, StreamSchedule) and schedule.decay == self.partial_fit_lr:
                return
            if isinstance(schedule, LinearWarmupSchedule) and not schedule.finished:
                return
            step = schedule.step if isinstance(schedule, StreamSchedule) else 0
            self.lr_schedule_ = StreamSchedule(self.recipe_.warmup_for(STREAM_HORIZON),
                                               self.partial_fit_lr, step)
        elif schedule is None or schedule.finished:
            self.lr_schedule_ = LinearWarmupSchedule.for_training(
                steps_per_epoch, run.epochs, self.recipe_.warmup_for)
        else:
            return
        self.lr_schedule_.apply(self.optimizer_)

    def _steps_per_epoch(self, iterator):
        return math.ceil(len(iterator) / self.gradient_accumulation_steps)

    def validation_step(self, batch, run=None, **fit_params):
        """Loss and output on a validation batch, without gradients."""
        run.module.eval()
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, runtime=run.runtime, module=run.module, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}
