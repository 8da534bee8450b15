"""The ELECTRA paper's training recipe, by model size, resolved for one fit.

Every setting follows google-research/electra (Clark et al., 2020); the source of
each is given next to it and in the docs' recipe page. ``None`` in an estimator's
``lr``, ``layerwise_lr_decay``, ``warmup_ratio`` (and the pretrainer's
``generator_size``, ``mask_prob``) means "what the recipe says for this model",
resolved by :func:`finetuning_recipe` / :func:`pretraining_recipe` into the
fitted attribute ``recipe_``.

A pretrained checkpoint (a local directory or hub id) gets the paper's
fine-tuning settings for its size, read from its config. A preset trains from
random initialisation: layer-wise decay (meant to protect pretrained lower
layers) is off and the learning rate is a from-scratch one. Nothing here imports
from the rest of the package.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

__all__ = ["Recipe", "model_size", "finetuning_recipe", "pretraining_recipe", "ADAM_EPS"]

# Hidden sizes of the paper's discriminators (Table 6).
_HIDDEN = {"small": 256, "base": 768, "large": 1024}

# configure_finetuning.py L54 (1e-4) and L149-151 (large: 5e-5, decay 0.9); the paper's
# Table 7 gives 3e-4 for Small.
FINETUNING_LR = {"small": 3e-4, "base": 1e-4, "large": 5e-5}
# configure_finetuning.py L56 (0.8) and L151 (large: 0.9).
LAYERWISE_LR_DECAY = {"small": 0.8, "base": 0.8, "large": 0.9}
# configure_finetuning.py L60: warmup_proportion = 0.1.
FINETUNING_WARMUP_RATIO = 0.1
# configure_pretraining.py L41 (5e-4) and L119 (base and large: 2e-4).
PRETRAINING_LR = {"small": 5e-4, "base": 2e-4, "large": 2e-4}
# configure_pretraining.py L44: num_warmup_steps = 10000 (of 1M steps).
PRETRAINING_WARMUP_STEPS = 10_000
# configure_pretraining.py L70 (0.25) and L122 (base: 0.33333); large keeps 0.25.
GENERATOR_SIZE = {"small": 0.25, "base": 1 / 3, "large": 0.25}
# configure_pretraining.py L38 (0.15) and L126 (large: 0.25).
MASK_PROB = {"small": 0.15, "base": 0.15, "large": 0.25}
# model/optimization.py L55: epsilon=1e-6.
ADAM_EPS = 1e-6

# configure_finetuning.py L59: num_train_epochs = 3.0.
FINETUNING_EPOCHS = 3
# configure_finetuning.py L138-140: SQuAD-style tasks train 2 epochs at max_seq_length 512; L80-83:
# max_query_length 64, doc_stride 128, max_answer_length 30.
QA_EPOCHS = 2
QA_MAX_LENGTH = 512
QA_DOC_STRIDE = 128
QA_MAX_QUESTION_LENGTH = 64
QA_MAX_ANSWER_LENGTH = 30

# From random initialisation an encoder is trained like a pretraining run: at the
# pretraining rate of its size. Measured for "tiny" on all labels of Chinese reviews and
# BBC News (benchmarks/recipe_scratch.py, docs/recipe.md): 5e-4 was best or on par;
# 1e-3 lost 0.10 on BBC News and 2e-3 collapsed to one class on the reviews.
# A random encoder learns from nothing: it needs optimizer steps, not passes. Three
# epochs of 1,800 BBC articles are 170 steps (measured: 0.46 accuracy at lr 1e-3).
SCRATCH_MIN_STEPS = 1500
SCRATCH_EPOCHS = (3, 50)
# A checkpoint on little data needs a floor of steps too: the reference gives its two
# smallest GLUE tasks 10 epochs instead of 3 (configure_finetuning.py L136-137, rte and sts);
# RTE's 2,490 examples at batch 32 make 78 steps an epoch, 780 in all. Below that many
# steps, a checkpoint trains more epochs than the task's (at most 50); above, the task's.
CHECKPOINT_MIN_STEPS = 780
# A capped warmup: a laptop run of 1,000 steps would never leave 10,000 steps of warmup.
_MAX_PRETRAINING_WARMUP_RATIO = 0.1


@dataclass(frozen=True)
class Recipe:
    """The settings one fit used (the fitted attribute ``recipe_``).

    Attributes
    ----------
    lr : float
        Peak learning rate (of the top layer, with layer-wise decay).
    layerwise_lr_decay : float
        Factor per layer below the head (1.0: off).
    warmup_ratio : float
        Fraction of the run spent warming up.
    warmup_steps : int or None
        At most this many warmup steps (pretraining), else None.
    max_epochs : int or None
        Epochs per fit; None: enough for ``min_steps`` optimizer steps (see :meth:`epochs_for`).
    min_steps : int or None
        With ``max_epochs=None``, the optimizer steps a fit aims for.
    min_epochs : int or None
        With ``max_epochs=None``, at least this many epochs (a checkpoint's task epochs);
        None: the from-scratch floor, 3.
    generator_size, mask_prob : float or None
        Pretraining only.
    basis : str
        Where the settings come from, e.g. ``"pretrained base (fine-tuning)"``.
    """

    lr: float
    layerwise_lr_decay: float
    warmup_ratio: float
    warmup_steps: int | None = None
    max_epochs: int | None = FINETUNING_EPOCHS
    min_steps: int | None = None
    min_epochs: int | None = None
    generator_size: float | None = None
    mask_prob: float | None = None
    basis: str = ""

    def updated(self, lr=None, warmup_ratio=None, max_epochs=None):
        """This recipe with the parameters that are not None (set between fits)."""
        changes = {"lr": lr} if lr is not None else {}
        if warmup_ratio is not None:
            changes.update(warmup_ratio=warmup_ratio, warmup_steps=None)
        if max_epochs is not None:
            changes.update(max_epochs=max_epochs, min_steps=None, min_epochs=None)
        return dataclasses.replace(self, **changes)

    def epochs_for(self, steps_per_epoch):
        """Epochs of a fit whose epochs have ``steps_per_epoch`` optimizer steps.

        Examples
        --------
        >>> Recipe(1e-3, 1.0, 0.1, max_epochs=None, min_steps=1500).epochs_for(50)
        30
        >>> Recipe(1e-3, 1.0, 0.1, max_epochs=None, min_steps=1500).epochs_for(1000)
        3
        >>> Recipe(1e-3, 0.8, 0.1, max_epochs=None, min_steps=780, min_epochs=2).epochs_for(1000)
        2
        """
        if self.max_epochs is not None:
            return self.max_epochs
        low, high = SCRATCH_EPOCHS
        low = low if self.min_epochs is None else self.min_epochs
        return int(min(high, max(low, math.ceil(self.min_steps / max(1, steps_per_epoch)))))

    def warmup_for(self, total_steps):
        """Warmup steps for a run of ``total_steps`` optimizer steps (at least 1)."""
        steps = self.warmup_ratio * total_steps
        if self.warmup_steps is not None:
            steps = min(steps, self.warmup_steps)
        return max(1, round(steps))


def model_size(hidden_size):
    """The paper's size nearest to ``hidden_size`` (on a log scale).

    Examples
    --------
    >>> model_size(256), model_size(384), model_size(768), model_size(1024)
    ('small', 'small', 'base', 'large')
    """
    return min(_HIDDEN, key=lambda s: abs(math.log(hidden_size / _HIDDEN[s])))


def finetuning_recipe(config, preset=None, *, lr=None, layerwise_lr_decay=None, warmup_ratio=None,
                      max_epochs=None, task_epochs=FINETUNING_EPOCHS):
    """Resolve fine-tuning settings; explicit arguments win over the recipe.

    Parameters
    ----------
    config : transformers.ElectraConfig
        The model's config (its hidden size decides the size).
    preset : str or None
        The preset name when training from random initialisation, None for a
        pretrained checkpoint.
    task_epochs : int
        The reference's epochs for the task, from a pretrained checkpoint
        (:data:`FINETUNING_EPOCHS`; :data:`QA_EPOCHS` for question answering).

    Examples
    --------
    >>> from transformers import ElectraConfig
    >>> finetuning_recipe(ElectraConfig(hidden_size=1024)).lr
    5e-05
    >>> r = finetuning_recipe(ElectraConfig(hidden_size=64), preset="tiny")
    >>> r.lr, r.layerwise_lr_decay, r.max_epochs, r.min_steps
    (0.0005, 1.0, None, 1500)
    >>> r = finetuning_recipe(ElectraConfig(hidden_size=256))  # a pretrained Small
    >>> r.min_steps, r.min_epochs, r.epochs_for(29), r.epochs_for(400)
    (780, 3, 27, 3)
    """
    size = model_size(config.hidden_size)
    if preset is None:
        basis = f"pretrained {size} (fine-tuning)"
        default_lr, default_decay = FINETUNING_LR[size], LAYERWISE_LR_DECAY[size]
        min_steps, min_epochs = CHECKPOINT_MIN_STEPS, task_epochs
    else:
        basis = f"random init, preset {preset!r}"
        default_lr, default_decay = PRETRAINING_LR[size], 1.0
        min_steps, min_epochs = SCRATCH_MIN_STEPS, None
    return Recipe(
        lr=default_lr if lr is None else lr,
        layerwise_lr_decay=default_decay if layerwise_lr_decay is None else layerwise_lr_decay,
        warmup_ratio=FINETUNING_WARMUP_RATIO if warmup_ratio is None else warmup_ratio,
        max_epochs=max_epochs,
        min_steps=min_steps if max_epochs is None else None,
        min_epochs=min_epochs if max_epochs is None else None,
        basis=basis,
    )


def pretraining_recipe(config, preset=None, *, lr=None, layerwise_lr_decay=None, warmup_ratio=None,
                       generator_size=None, mask_prob=None, max_epochs=None):
    """Resolve pretraining settings by size; explicit arguments win over the recipe.

    Warmup is the reference's 10,000 steps, capped at 10% of the run, unless
    ``warmup_ratio`` is given.

    Examples
    --------
    >>> from transformers import ElectraConfig
    >>> r = pretraining_recipe(ElectraConfig(hidden_size=768))
    >>> r.lr, round(r.generator_size, 3), r.mask_prob, r.warmup_for(1_000_000)
    (0.0002, 0.333, 0.15, 10000)
    """
    size = model_size(config.hidden_size)
    return Recipe(
        lr=PRETRAINING_LR[size] if lr is None else lr,
        layerwise_lr_decay=1.0 if layerwise_lr_decay is None else layerwise_lr_decay,
        warmup_ratio=_MAX_PRETRAINING_WARMUP_RATIO if warmup_ratio is None else warmup_ratio,
        warmup_steps=PRETRAINING_WARMUP_STEPS if warmup_ratio is None else None,
        max_epochs=max_epochs,
        generator_size=GENERATOR_SIZE[size] if generator_size is None else generator_size,
        mask_prob=MASK_PROB[size] if mask_prob is None else mask_prob,
        basis=f"{size} (pretraining)" + ("" if preset is None else f", preset {preset!r}"),
    )
