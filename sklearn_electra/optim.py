"""Optimizer parameter groups and the learning-rate schedule of ELECTRA.

Both follow google-research/electra's ``model/optimization.py``: layer-wise
learning rates as in ``_get_layer_lrs`` (L181-193), no weight decay on biases and
LayerNorm (L56), and linear decay from step 0 times a linear warmup (L36-45).
Nothing here imports from the rest of the package: the training base builds the
groups with :func:`electra_param_groups` and steps a :class:`LinearWarmupSchedule`
once per optimizer step (not per batch, so gradient accumulation does not
stretch the schedule). Adam runs PyTorch's fused kernel where it has one
(:func:`fused_adam_supported`), and :func:`mark_written` keeps the weights' version
counters honest after such a step.
"""

from __future__ import annotations

import inspect
import math
import re

import torch

__all__ = ["layer_depth", "electra_param_groups", "fused_adam_supported", "optimizer_kwargs",
           "mark_written", "load_optimizer_state", "warmup_linear_factor", "LinearWarmupSchedule",
           "StreamSchedule", "STREAM_HORIZON", "schedule_from_state_dict"]

# Which kernel an optimizer runs is this process's choice (device, torch version), not
# part of the state a checkpoint carries.
_KERNEL_FLAGS = ("fused", "foreach")

# Devices with PyTorch's fused Adam/AdamW kernel: CUDA since 2.0, CPU since 2.4.
_FUSED_SINCE = {"cuda": (2, 0), "cpu": (2, 4)}

# An encoder layer's parameters: "electra.encoder.layer.<i>.<...>" (and the generator's).
_ENCODER_LAYER = re.compile(r"encoder\.layer\.(\d+)\.")


def fused_adam_supported(optimizer, device_type, version=torch.__version__):
    """Whether ``optimizer`` (a class) is Adam or AdamW with a fused kernel on ``device_type``.

    Examples
    --------
    >>> fused_adam_supported(torch.optim.AdamW, "cpu", version="2.5.1+cpu")
    True
    >>> fused_adam_supported(torch.optim.AdamW, "cpu", version="2.3.0")
    False
    >>> fused_adam_supported(torch.optim.SGD, "cuda")
    False
    >>> fused_adam_supported(torch.optim.AdamW, "mps")
    False
    """
    since = _FUSED_SINCE.get(device_type)
    major_minor = tuple(int(part) for part in version.split(".")[:2])
    return (since is not None and major_minor >= since and isinstance(optimizer, type)
            and issubclass(optimizer, (torch.optim.Adam, torch.optim.AdamW)))


def optimizer_kwargs(optimizer, device_type, given, eps):
    """The keyword arguments to build ``optimizer`` (a class) with on ``device_type``.

    ``given`` (the user's ``optimizer__*``) wins; an optimizer that takes ``eps`` gets
    ``eps``, and Adam gets PyTorch's fused kernel where the device has one, unless
    ``foreach`` was asked for (torch refuses both).

    Examples
    --------
    >>> optimizer_kwargs(torch.optim.SGD, "cpu", {"momentum": 0.9}, 1e-6)
    {'momentum': 0.9}
    >>> optimizer_kwargs(torch.optim.AdamW, "mps", {}, 1e-6)
    {'eps': 1e-06}
    >>> optimizer_kwargs(torch.optim.AdamW, "cuda", {"eps": 1e-8}, 1e-6)
    {'eps': 1e-08, 'fused': True}
    >>> optimizer_kwargs(torch.optim.AdamW, "cuda", {"foreach": True}, 1e-6)
    {'foreach': True, 'eps': 1e-06}
    """
    kwargs = dict(given)
    if "eps" in inspect.signature(optimizer).parameters:
        kwargs.setdefault("eps", eps)
    if fused_adam_supported(optimizer, device_type) and not kwargs.get("foreach"):
        # One kernel for all parameters instead of a loop over them: the for-loop
        # step is about a sixth of a tiny model's training step on CPU.
        kwargs.setdefault("fused", True)
    return kwargs


def mark_written(optimizer, params):
    """Bump the version counters of ``params`` after ``optimizer`` stepped, if it is fused.

    PyTorch's fused kernels write the weights without bumping their version counters,
    and a changed counter is how a cached int8 copy of the model (``serving.py``) sees
    that it is stale. The for-loop and foreach kernels bump them themselves.

    Examples
    --------
    >>> p = torch.nn.Parameter(torch.zeros(2))
    >>> opt = torch.optim.AdamW([p], fused=fused_adam_supported(torch.optim.AdamW, "cpu"))
    >>> p.grad = torch.ones(2)
    >>> before = p._version
    >>> opt.step(); mark_written(opt, [p])
    >>> p._version > before
    True
    """
    if any(group.get("fused") for group in optimizer.param_groups):
        for p in params:
            torch.autograd.graph.increment_version(p)


def load_optimizer_state(optimizer, state):
    """``optimizer.load_state_dict(state)``, keeping ``optimizer``'s own kernel choice.

    PyTorch restores every saved group setting, ``fused`` included, so a checkpoint
    written before the fused kernel (or on a device with it) would otherwise choose the
    kernel of a run that has ended.

    Examples
    --------
    >>> p = torch.nn.Parameter(torch.zeros(2))
    >>> saved = torch.optim.AdamW([p], fused=False).state_dict()
    >>> resumed = torch.optim.AdamW([p], fused=fused_adam_supported(torch.optim.AdamW, "cpu"))
    >>> load_optimizer_state(resumed, saved)
    >>> resumed.param_groups[0]["fused"] == resumed.defaults["fused"]
    True
    """
    own = [{flag: group[flag] for flag in _KERNEL_FLAGS if flag in group}
           for group in optimizer.param_groups]
    optimizer.load_state_dict(state)
    for group, flags in zip(optimizer.param_groups, own):
        group.update(flags)


def layer_depth(name, n_layers):
    """Depth of a parameter for layer-wise lr decay, as the reference counts it.

    Embeddings (and their projection) are at 0, encoder layer ``i`` at ``i + 1``
    and the task head at ``n_layers + 2`` (one step above the last layer).

    Examples
    --------
    >>> layer_depth("electra.embeddings.word_embeddings.weight", 2)
    0
    >>> layer_depth("electra.embeddings_project.weight", 2)
    0
    >>> layer_depth("electra.encoder.layer.1.output.dense.weight", 2)
    2
    >>> layer_depth("classifier.dense.weight", 2)
    4
    """
    if "embeddings" in name:
        return 0
    layer = _ENCODER_LAYER.search(name)
    return n_layers + 2 if layer is None else int(layer.group(1)) + 1


def electra_param_groups(named_parameters, lr, weight_decay, layerwise_lr_decay, n_layers):
    """AdamW parameter groups: no decay on biases and LayerNorm; lr shrinks with depth.

    A parameter at depth ``d`` (see :func:`layer_depth`) gets
    ``lr * layerwise_lr_decay ** (n_layers + 2 - d)``: the head trains at ``lr``.
    Each group also carries ``initial_lr``, the peak the schedule scales.

    Examples
    --------
    >>> import torch
    >>> params = [("electra.embeddings.word_embeddings.weight", torch.nn.Parameter(torch.ones(2))),
    ...           ("electra.encoder.layer.0.attention.self.query.bias", torch.nn.Parameter(torch.ones(2))),
    ...           ("classifier.out_proj.weight", torch.nn.Parameter(torch.ones(2)))]
    >>> [(round(g["lr"], 4), g["weight_decay"]) for g in electra_param_groups(params, 1.0, 0.01, 0.5, 1)]
    [(0.125, 0.01), (0.25, 0.0), (1.0, 0.01)]
    """
    groups = {}
    for name, param in named_parameters:
        if not param.requires_grad:
            continue
        no_decay = name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name
        # Without decay every depth shares one lr: fewer groups, fewer optimizer kernels.
        depth = layer_depth(name, n_layers) if layerwise_lr_decay != 1.0 else None
        key = (depth, no_decay)
        if key not in groups:
            group_lr = lr if depth is None else lr * layerwise_lr_decay ** (n_layers + 2 - depth)
            groups[key] = {"params": [], "lr": group_lr, "initial_lr": group_lr,
                           "weight_decay": 0.0 if no_decay else weight_decay}
        groups[key]["params"].append(param)
    return [groups[k] for k in sorted(groups)]


def warmup_linear_factor(step, total, warmup):
    """Learning-rate multiplier of optimizer step ``step`` (from 0).

    Linear decay from the first step, ``1 - step / total``, times a linear warmup
    ``min(1, (step + 1) / warmup)``, as ``model/optimization.py`` L36-45 (which
    counts the warmup from ``step``: its first update runs at lr 0; here the step
    being taken counts, so no update is wasted).

    Examples
    --------
    >>> [round(warmup_linear_factor(s, total=4, warmup=2), 3) for s in range(4)]
    [0.5, 0.75, 0.5, 0.25]
    """
    return min(1.0, (step + 1) / warmup) * max(0.0, 1.0 - step / total)


class LinearWarmupSchedule:
    """Linear decay over ``total`` optimizer steps, times a linear warmup.

    It sets each group's ``lr`` to ``initial_lr * factor``; its state is three
    integers (:meth:`state_dict`), which checkpoints store as JSON.

    Parameters
    ----------
    total : int
        Optimizer steps the schedule spans.
    warmup : int
        Steps of linear warmup (at least 1).
    step : int, default=0
        Steps already taken (when resuming).

    Examples
    --------
    >>> schedule = LinearWarmupSchedule(total=10, warmup=2)
    >>> schedule.factor, schedule.finished
    (0.5, False)
    >>> schedule.step = 1; round(schedule.factor, 2)
    0.9
    >>> schedule.load_state_dict({"step": 10, "total": 10, "warmup": 2})
    >>> schedule.finished
    True
    """

    def __init__(self, total, warmup, step=0):
        self.total = int(total)
        self.warmup = max(1, int(warmup))
        self.step = int(step)

    @classmethod
    def for_training(cls, steps_per_epoch, epochs, warmup_for):
        """The schedule of ``epochs`` epochs of ``steps_per_epoch`` optimizer steps;
        ``warmup_for(total)`` gives the warmup steps (see ``Recipe.warmup_for``)."""
        total = steps_per_epoch * epochs
        return cls(total, warmup_for(total))

    def factor_at(self, step):
        """The lr multiplier of optimizer step ``step`` of this schedule."""
        return warmup_linear_factor(step, self.total, self.warmup)

    @property
    def factor(self):
        return self.factor_at(self.step)

    @property
    def finished(self):
        return self.step >= self.total

    def apply(self, optimizer):
        """Set every group's lr for the next optimizer step."""
        factor = self.factor
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"] * factor

    def advance(self, optimizer):
        """Count one optimizer step and set the lr of the next one."""
        self.step += 1
        self.apply(optimizer)

    def state_dict(self):
        return {"step": self.step, "total": self.total, "warmup": self.warmup}

    @classmethod
    def from_state_dict(cls, state):
        """The schedule :meth:`state_dict` described, or None for None."""
        return None if state is None else cls(state["total"], state["warmup"], state["step"])

    def load_state_dict(self, state):
        self.step, self.total, self.warmup = int(state["step"]), int(state["total"]), int(state["warmup"])

    def __repr__(self):
        return f"LinearWarmupSchedule(step={self.step}, total={self.total}, warmup={self.warmup})"


# partial_fit sees a stream of unknown length: its warmup is the recipe's for a run of this
# many optimizer steps (100 steps at the reference's 10%).
STREAM_HORIZON = 1000
STREAM_DECAYS = ("constant", "inverse_sqrt")


class StreamSchedule:
    """The learning rate of ``partial_fit`` calls: a linear warmup over the first ``warmup``
    optimizer steps (counted across calls), then the peak rate kept (``"constant"``, as
    scikit-learn's ``MLPClassifier.partial_fit`` keeps ``learning_rate_init``) or decayed as
    ``sqrt(warmup / step)`` (``"inverse_sqrt"``, the rate of Vaswani et al., 2017, which
    needs no planned end).

    Examples
    --------
    >>> s = StreamSchedule(warmup=4, decay="inverse_sqrt")
    >>> [round(s.factor_at(k), 3) for k in (0, 3, 15, 63)]
    [0.25, 1.0, 0.5, 0.25]
    >>> StreamSchedule(warmup=4).factor_at(63), StreamSchedule(warmup=4).finished
    (1.0, False)
    """

    kind = "stream"
    finished = False  # a stream has no planned end

    def __init__(self, warmup, decay="constant", step=0):
        if decay not in STREAM_DECAYS:
            raise ValueError(f"decay must be one of {STREAM_DECAYS}; got {decay!r}.")
        self.warmup = max(1, int(warmup))
        self.decay = decay
        self.step = int(step)

    def factor_at(self, step):
        done = step + 1  # the rate of the (step + 1)-th optimizer step
        warm = min(1.0, done / self.warmup)
        # sqrt(warmup / done) is above 1 until the warmup ends, then decays from 1.
        return warm if self.decay == "constant" else min(warm, math.sqrt(self.warmup / done))

    @property
    def factor(self):
        return self.factor_at(self.step)

    apply = LinearWarmupSchedule.apply
    advance = LinearWarmupSchedule.advance

    def state_dict(self):
        return {"kind": self.kind, "step": self.step, "warmup": self.warmup, "decay": self.decay}

    def __repr__(self):
        return f"StreamSchedule(step={self.step}, warmup={self.warmup}, decay={self.decay!r})"


def schedule_from_state_dict(state):
    """The schedule (linear or stream) that a ``state_dict`` describes; None for None."""
    if state is None:
        return None
    if state.get("kind") == StreamSchedule.kind:
        return StreamSchedule(state["warmup"], state["decay"], state["step"])
    return LinearWarmupSchedule.from_state_dict(state)
