"""Where and how a call runs: device, precision and CPU threads, resolved into one value.

A call (``fit``, ``predict_proba``, ``transform``, ...) resolves the estimator's
``device``/``precision``/``n_threads`` parameters once into a :class:`Runtime`
and passes that value along. Nothing is written back into the estimator, so two
threads can predict with one fitted estimator at the same time. Nothing here
imports from the rest of the package.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.utils import check_random_state
from skorch.utils import to_device

__all__ = ["PRECISIONS", "Runtime", "resolve_runtime", "resolve_device", "autocast_settings",
           "limit_threads", "move_modules", "seeded_torch", "fit_seeds"]

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def autocast_settings(device, precision):
    """``(device_type, dtype or None, use_grad_scaler)`` for a device and precision.

    Raises
    ------
    ValueError
        For fp16 off CUDA, or bf16 on a GPU without bf16 support.
    """
    dtype = PRECISIONS[precision]
    if precision == "fp16" and device.type != "cuda":
        raise ValueError(
            "precision='fp16' needs a CUDA device; on CPU use precision='fp32' (or 'bf16' if "
            "the CPU supports it natively)."
        )
    if precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ValueError("This GPU does not support bf16; use precision='fp16'.")
    return device.type, dtype, precision == "fp16"


def resolve_device(device, precision="fp32", accelerator=None):
    """The ``torch.device`` a call runs on: ``device`` resolved (``"auto"``) and checked.

    With an Accelerate ``accelerator`` its device wins, and ``device`` must be
    ``"auto"`` or agree with it.

    Raises
    ------
    ValueError
        For an invalid device string, CUDA asked for and absent, a CUDA index
        that does not exist, or a conflict with the accelerator.
    """
    if accelerator is not None:
        resolved = torch.device(accelerator.device)
        if device != "auto" and torch.device(device).type != resolved.type:
            raise ValueError(
                f"device={device!r} conflicts with the accelerator, which places the "
                f"model on {resolved}; pass device='auto' to let the accelerator choose."
            )
        if precision != "fp32":
            raise ValueError(
                f"precision={precision!r} with an accelerator: set mixed precision on "
                f"the accelerator instead, e.g. Accelerator(mixed_precision='{precision}'),"
                " and keep precision='fp32'."
            )
        return resolved
    if isinstance(device, str) and device == "auto":
        resolved = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            resolved = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"device={device!r} is not a valid torch device ({exc}); "
                             "use 'cpu', 'cuda', 'cuda:N' or 'auto'.") from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                "machine (torch.cuda.is_available() is False). Use device='cpu' or 'auto'."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} does not exist: this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    autocast_settings(resolved, precision)
    return resolved


@dataclass(frozen=True)
class Runtime:
    """The resolved settings of one call.

    Parameters
    ----------
    device : torch.device
    precision : {"fp32", "bf16", "fp16"}
    n_threads : int or None
        CPU threads for the call; ``None`` leaves torch's setting.
    """

    device: torch.device
    precision: str = "fp32"
    n_threads: int | None = None

    @property
    def use_grad_scaler(self):
        return autocast_settings(self.device, self.precision)[2]

    @property
    def pin_memory(self):
        """Page-locked batches make host-to-GPU copies asynchronous; useless on a CPU."""
        return self.device.type == "cuda"

    def autocast(self):
        """``torch.autocast`` at this precision (a no-op context in fp32)."""
        device_type, dtype, _ = autocast_settings(self.device, self.precision)
        return torch.autocast(device_type, dtype=dtype, enabled=dtype is not None)

    def threads(self):
        """Use ``n_threads`` CPU threads inside the context (see :func:`limit_threads`)."""
        return limit_threads(self.n_threads)

    def to(self, data):
        """Move a tensor, or a dict/tuple of them, to this device."""
        return to_device(data, self.device)


def resolve_runtime(device="cpu", precision="fp32", n_threads=None, accelerator=None):
    """A :class:`Runtime` from an estimator's parameters (see :func:`resolve_device`).

    Examples
    --------
    >>> resolve_runtime("cpu", "fp32", n_threads=1)
    Runtime(device=device(type='cpu'), precision='fp32', n_threads=1)
    """
    return Runtime(resolve_device(device, precision, accelerator), precision, n_threads)


# torch's thread count is global to the process. Concurrent calls share one
# setting: the first call that asks for a count saves the process's own and the
# last one to finish restores it, so no call ends with another call's count.
_THREADS_LOCK = threading.Lock()
_THREADS_USERS = 0
_THREADS_SAVED = None


@contextlib.contextmanager
def limit_threads(n_threads):
    """Run the body with ``torch.set_num_threads(n_threads)``; ``None`` changes nothing."""
    global _THREADS_USERS, _THREADS_SAVED
    if n_threads is None:
        yield
        return
    with _THREADS_LOCK:
        if _THREADS_USERS == 0:
            _THREADS_SAVED = torch.get_num_threads()
        _THREADS_USERS += 1
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_USERS -= 1
            if _THREADS_USERS == 0:
                torch.set_num_threads(_THREADS_SAVED)


_MOVE_LOCK = threading.Lock()


def move_modules(modules, optimizer, device):
    """Move ``modules`` (and ``optimizer``'s parameters and state with them) to ``device``.

    Modules already there are left alone. Thread-safe: concurrent calls move once.
    Weights moved inside a caller's ``torch.inference_mode()`` would become inference
    tensors, which training cannot update: the move always runs outside it.
    """
    with _MOVE_LOCK, torch.inference_mode(False):
        moved = False
        for module in modules:
            param = next(module.parameters(), None)
            if param is None or param.device == device:
                continue
            before = list(module.parameters())
            module.to(device)
            moved = True
            if optimizer is not None:
                _repoint_optimizer(optimizer, before, list(module.parameters()))
        if moved and optimizer is not None:
            # load_state_dict casts the state to the parameters' device.
            optimizer.load_state_dict(optimizer.state_dict())


def _repoint_optimizer(optimizer, before, after):
    """Some moves (e.g. to or from "meta") replace the Parameter objects: point the
    optimizer at the new ones, carrying their state over."""
    new = {id(old): p for old, p in zip(before, after) if old is not p}
    for group in optimizer.param_groups:
        for i, p in enumerate(group["params"]):
            if id(p) in new:
                group["params"][i] = new[id(p)]
                if p in optimizer.state:
                    optimizer.state[new[id(p)]] = optimizer.state.pop(p)


@contextlib.contextmanager
def seeded_torch(seed, device):
    """Seed torch for the body only; the caller's global RNG state is restored."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def fit_seeds(random_state):
    """The three seeds a fit draws from ``random_state``: the weights' initialisation, the
    batch order and the validation split, in that order.

    An estimator that only initialises (:class:`ElectraEmbedder`) uses the first, so it
    starts from the weights a training fit with the same ``random_state`` starts from.

    Examples
    --------
    >>> fit_seeds(0)
    (209652396, 398764591, 924231285)
    """
    # Below 2**31 - 1: every seed is also a valid numpy.random.RandomState seed.
    draws = check_random_state(random_state).randint(0, np.iinfo(np.int32).max, size=3)
    return tuple(int(s) for s in draws)
