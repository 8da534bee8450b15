"""Checkpoints during ``fit``: ``last/`` and ``best/`` every epoch, the trainer state, rollback.

``<checkpoint_dir>/last`` is written after every completed epoch (the one where
early stopping stops included) with ``trainer_state/`` (full model, optimizer,
schedule, history), so that ``from_pretrained(".../last").partial_fit(X, y)``
resumes; ``<checkpoint_dir>/best`` whenever the monitored loss improves. Both are
Hugging Face directories written atomically through :mod:`.persistence`. After a
real interrupt (Ctrl-C), :meth:`EpochCheckpoint.rollback` takes the estimator
back to the last completed epoch.
"""

from __future__ import annotations

import copy
import json
import os
import pickle

import torch
from skorch.callbacks import Callback
from skorch.history import History

from .model_card import model_card
from .optim import load_optimizer_state, schedule_from_state_dict
from .persistence import TRAINER_STATE_DIR

__all__ = ["EpochCheckpoint", "write_trainer_state", "load_trainer_state", "training_snapshot",
           "restore_training_snapshot"]

_FILES = ("module.safetensors", "optimizer.pt", "state.json", "history.json")


def write_trainer_state(net, folder):
    """Everything ``partial_fit`` needs to carry on: full module, optimizer, schedule, history."""
    from safetensors.torch import save_model

    os.makedirs(folder)
    save_model(net.module_, os.path.join(folder, _FILES[0]))
    torch.save(net.optimizer_.state_dict(), os.path.join(folder, _FILES[1]))
    # Written at an epoch's end, so the epoch has set the schedule.
    state = {"schedule": net.lr_schedule_.state_dict(), "grad_scaler": net.grad_scaler_.state_dict()}
    with open(os.path.join(folder, _FILES[2]), "w", encoding="utf-8") as f:
        json.dump(state, f)
    net.history.to_file(os.path.join(folder, _FILES[3]))


def load_trainer_state(net, folder):
    """Restore what :func:`write_trainer_state` wrote (tensors never unpickle code)."""
    from safetensors.torch import load_model

    device = next(net.module_.parameters()).device
    try:
        load_model(net.module_, os.path.join(folder, _FILES[0]), device=str(device))
        optimizer_state = torch.load(os.path.join(folder, _FILES[1]), weights_only=True,
                                     map_location=device)
        load_optimizer_state(net.optimizer_, optimizer_state)
        with open(os.path.join(folder, _FILES[2]), encoding="utf-8") as f:
            state = json.load(f)
        history = History.from_file(os.path.join(folder, _FILES[3]))
    except (OSError, ValueError, RuntimeError, KeyError, pickle.UnpicklingError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise ValueError(
            f"The trainer state in {folder!r} is incomplete or corrupt ({reason}). The model "
            "itself can still be loaded: delete that folder to load it without the "
            "optimizer state."
        ) from exc
    net.history_ = history
    net.lr_schedule_ = schedule_from_state_dict(state["schedule"])
    net.grad_scaler_.load_state_dict(state["grad_scaler"])
    net.optimizer_.zero_grad(set_to_none=True)


def _to_host(value):
    """``value`` with every tensor copied to host memory (nested dicts and lists kept)."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, dict):
        return {k: _to_host(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_host(v) for v in value)
    return copy.deepcopy(value)


def training_snapshot(net):
    """The trainer state, copied to host memory: what training changes in place, to undo a
    failed ``partial_fit``. One copy of the weights and of the optimizer's moments (about
    three times the model's size in RAM for Adam), never on the accelerator."""
    return {"module": _to_host(net.module_.state_dict()),
            "optimizer": _to_host(net.optimizer_.state_dict()),
            "history": copy.deepcopy(net.history_),
            "schedule": None if net.lr_schedule_ is None else net.lr_schedule_.state_dict(),
            "grad_scaler": net.grad_scaler_.state_dict()}


def restore_training_snapshot(net, snapshot):
    """Put back what :func:`training_snapshot` copied."""
    net.module_.load_state_dict(snapshot["module"])
    load_optimizer_state(net.optimizer_, snapshot["optimizer"])
    net.optimizer_.zero_grad(set_to_none=True)
    net.grad_scaler_.load_state_dict(snapshot["grad_scaler"])
    net.history_ = snapshot["history"]
    net.lr_schedule_ = schedule_from_state_dict(snapshot["schedule"])


class EpochCheckpoint(Callback):
    """Write ``last/`` (with the trainer state) after every epoch and ``best/`` on improvement.

    "Improvement" is early stopping's own verdict when it is on (so ``best/``
    holds the weights it restores), else the ``valid_loss_best`` (or
    ``train_loss_best``) flag of the epoch. Under Accelerate the main process
    writes and every process waits for the write, so each can roll back to it.

    Parameters
    ----------
    dirname : str or os.PathLike
        The ``checkpoint_dir``.
    """

    def __init__(self, dirname):
        self.dirname = dirname

    checkpointed_epoch_ = None  # this fit's last written epoch (reset as each fit begins)

    def on_train_begin(self, net, **kwargs):
        self.checkpointed_epoch_ = None

    def _path(self, name):
        return os.path.join(os.fspath(self.dirname), name)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        stopper = dict(net.callbacks_).get("early_stopping")
        improved = stopper.improved(net) if hasattr(stopper, "improved") else None
        if improved is None:  # no early stopping, or an epoch it did not judge
            improved = row["valid_loss_best"] if "valid_loss_best" in row else row["train_loss_best"]
        net._wait_for_everyone()
        if net._is_main_process():
            model, card = net._export_module(), model_card(net)
            net._write_checkpoint(self._path("last"), model, card=card,
                                  extra=lambda tmp: write_trainer_state(net, os.path.join(tmp, TRAINER_STATE_DIR)))
            if improved:
                net._write_checkpoint(self._path("best"), model, card=card)
        net._wait_for_everyone()  # every process can now roll back to it
        self.checkpointed_epoch_ = len(net.history)

    def rollback(self, net):
        """Go back to the last checkpointed epoch of this fit; False if there is none."""
        if self.checkpointed_epoch_ is None:
            return False
        load_trainer_state(net, os.path.join(self._path("last"), TRAINER_STATE_DIR))
        return True
