"""Data-parallel training with Hugging Face Accelerate, as a mixin (the way skorch's
``AccelerateMixin`` in ``skorch/hf.py`` composes it).

The training base calls these hooks at the points where a data-parallel run
differs from a plain one; with ``accelerator=None`` each does the plain thing.
The estimator's ``module_`` and ``optimizer_`` stay the plain objects: a fit
trains through the wrapped ones it gets from :meth:`_prepared`, so the fitted
estimator pickles, clones and predicts without the accelerator.
"""

from __future__ import annotations

import contextlib

import torch

from .runtime import resolve_runtime

__all__ = ["AccelerateMixin"]


class AccelerateMixin:
    """Hooks for an ``accelerator`` parameter (``accelerate.Accelerator`` or None)."""

    def _resolve_runtime(self):
        """The accelerator, when given, decides the device (see ``runtime.resolve_device``)."""
        return resolve_runtime(self.device, self.precision, self.n_threads, self.accelerator)

    @contextlib.contextmanager
    def _prepared(self, module, optimizer):
        """``(module, optimizer)`` to train through during one fit, unwrapped afterwards."""
        accelerator = self.accelerator
        if accelerator is None:
            yield module, optimizer
            return
        wrapped_module, wrapped_optimizer = accelerator.prepare(module, optimizer)
        try:
            yield wrapped_module, wrapped_optimizer
        finally:
            # Mixed precision patches the module's forward in place; this undoes it.
            accelerator.unwrap_model(wrapped_module, keep_fp32_wrapper=False)
            accelerator.free_memory()  # drop the accelerator's references to them

    def _shard(self, loader):
        """Each process takes its share of the training batches."""
        return loader if self.accelerator is None else self.accelerator.prepare(loader)

    def _shared_seeds(self, seeds):
        """All processes must shuffle and split alike, even with random_state=None."""
        accelerator = self.accelerator
        if accelerator is None or accelerator.num_processes == 1:
            return seeds
        from accelerate.utils import broadcast_object_list

        return broadcast_object_list(list(seeds))

    def _no_sync(self, module, accumulating):
        """Between optimizer steps, data-parallel gradients need no all-reduce."""
        if self.accelerator is None or not accumulating:
            return contextlib.nullcontext()
        return self.accelerator.no_sync(module)

    def _backward(self, loss, grad_scaler):
        if self.accelerator is None:
            grad_scaler.scale(loss).backward()
        else:
            self.accelerator.backward(loss)

    def _clip_grad_norm(self, params, max_norm):
        # The accelerator's version unscales fp16 gradients first.
        clip = torch.nn.utils.clip_grad_norm_ if self.accelerator is None else self.accelerator.clip_grad_norm_
        clip(params, max_norm)

    def _wait_for_everyone(self):
        if self.accelerator is not None:
            self.accelerator.wait_for_everyone()

    def _is_main_process(self):
        return self.accelerator is None or self.accelerator.is_main_process
