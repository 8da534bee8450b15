"""``ElectraNetBase``: the training half of every estimator that learns (a skorch ``NeuralNet``).

On top of :class:`~sklearn_electra._inference.ElectraInferenceBase` (model, tokenizer,
inference) it adds ``fit``/``partial_fit`` (``initialize(X, y)`` from its mixin), the
validation split, the default callbacks and Accelerate; the training and validation steps
(accumulation, clipping, grad scaler, lr schedule) are
:class:`~sklearn_electra._steps.TrainingStepsMixin`'s. Estimators override small hooks
(``_validate_targets``, ``_make_dataset``, ``infer``/``_head``, ``get_loss``), never ``fit``.

A fit is one transaction: it resolves a :class:`_FitRun` (device, seeds, the
module and optimizer it trains through) and passes it to the steps; if anything
fails after the input checks, the estimator is put back exactly as it was.
"""

from __future__ import annotations

import math
import numbers
import os
import dataclasses
from dataclasses import dataclass

import numpy as np
import torch
from skorch import NeuralNet
from skorch.history import History
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ._accelerate import AccelerateMixin
from ._callback_order import CallbackOrderMixin
from ._inference import ElectraInferenceBase
from ._initialize import InitializeMixin
from ._steps import TrainingStepsMixin
from ._warnings import warn_caller
from .callbacks import EarlyStopping, raised_by_skorch_early_stopping
from .checkpoint import load_trainer_state, restore_training_snapshot, training_snapshot
from .modeling import build_config, resolve_model
from .optim import STREAM_DECAYS, electra_param_groups, optimizer_kwargs
from .persistence import TRAINER_STATE_DIR
from .recipe import ADAM_EPS, FINETUNING_EPOCHS, Recipe, finetuning_recipe
from .runtime import Runtime, fit_seeds, seeded_torch
from .validation import check_sample_weight

__all__ = ["ElectraNetBase"]

# DataLoader arguments that the length-bucketed batch sampler owns.
_SAMPLER_OWNS = ("sampler", "batch_sampler", "drop_last", "collate_fn")


@dataclass
class _FitRun:
    """What one fit resolved, passed to every step (never stored on the estimator)."""

    runtime: Runtime
    torch_seed: int
    batch_seed: int
    split_seed: int
    module: torch.nn.Module = None  # what the steps call: module_, or Accelerate's wrapper
    optimizer: object = None  # what the steps step: optimizer_, or Accelerate's wrapper
    pending: int = 0  # batches since the last optimizer step (gradient accumulation)
    epochs: int = None  # this fit's epochs (the recipe's, from the optimizer steps per epoch)
    dataset_train: object = None  # the split, for what a fit does after its epochs
    dataset_valid: object = None
    incremental: bool = False  # partial_fit: one pass, no validation split, a stream schedule


class ElectraNetBase(InitializeMixin, AccelerateMixin, TrainingStepsMixin, CallbackOrderMixin,
                     ElectraInferenceBase):
    """Shared base of the sklearn_electra estimators that train (a skorch ``NeuralNet``).

    Not used directly: see :class:`~sklearn_electra.ElectraClassifier`. The
    parameters are documented there.
    """

    _parameter_constraints = {
        **ElectraInferenceBase._parameter_constraints,
        "lr": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "max_epochs": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "predict_batch_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "optimizer": [callable],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "warmup_ratio": [None, Interval(numbers.Real, 0, 1, closed="both")],
        "layerwise_lr_decay": [None, Interval(numbers.Real, 0, 1, closed="right")],
        "gradient_accumulation_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_grad_norm": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "validation_fraction": [None, Interval(numbers.Real, 0, 1, closed="left")],
        "partial_fit_lr": [StrOptions(set(STREAM_DECAYS))],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [None, list, StrOptions({"disable"})],
        "warm_start": ["boolean"],
        "checkpoint_dir": [None, str, os.PathLike],
        "verbose": ["verbose"],
        "accelerator": [None, HasMethods(["prepare", "backward", "unwrap_model"])],
    }

    lr_schedule_ = None
    recipe_ = None
    _task_epochs = FINETUNING_EPOCHS  # the reference's epochs for this task (from a checkpoint)

    def __init__(self, model="tiny", *, tokenizer=None, vocab_size=8000, lowercase=True,
                 max_length=128, lr=None, max_epochs=None, batch_size=32, predict_batch_size=None,
                 optimizer=torch.optim.AdamW, weight_decay=0.01, warmup_ratio=None,
                 layerwise_lr_decay=None, gradient_accumulation_steps=1, max_grad_norm=1.0,
                 validation_fraction=0.1, early_stopping=True, n_iter_no_change=3,
                 partial_fit_lr="constant", callbacks=None,
                 warm_start=False, checkpoint_dir=None, verbose=0, device="cpu", precision="fp32",
                 quantize=None, n_threads=None, accelerator=None, random_state=None, **kwargs):
        super().__init__(model, tokenizer=tokenizer, vocab_size=vocab_size, lowercase=lowercase,
                         max_length=max_length, batch_size=batch_size, device=device,
                         precision=precision, quantize=quantize, n_threads=n_threads,
                         random_state=random_state, **kwargs)
        self.lr = lr
        self.max_epochs = max_epochs
        self.predict_batch_size = predict_batch_size
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.layerwise_lr_decay = layerwise_lr_decay
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.max_grad_norm = max_grad_norm
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.partial_fit_lr = partial_fit_lr
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.checkpoint_dir = checkpoint_dir
        self.verbose = verbose
        self.accelerator = accelerator

    def _check_params(self):
        source = super()._check_params()
        for prefix in ("iterator_train", "iterator_valid"):
            clash = sorted(set(self.get_params_for(prefix)) & set(_SAMPLER_OWNS))
            if clash:
                raise ValueError(
                    f"{prefix}__{clash[0]} cannot be set: batches come from a length-bucketed "
                    "sampler that pads each batch to its longest text. Set batch_size= (or "
                    f"{prefix}__batch_size, {prefix}__shuffle) instead."
                )
        return source

    def _inference_batch_size(self):
        return self.predict_batch_size or 2 * self.batch_size

    # ------------------------------------------------------------ fit
    def fit(self, X, y=None, **fit_params):
        """Train on ``X`` (with targets ``y`` for estimators that have them).

        Trains a tokenizer first when training from scratch without one. With
        ``warm_start=True`` a second ``fit`` continues from the current weights
        (and a fresh learning-rate schedule) instead of starting over. If the
        fit fails, a previously fitted estimator is left exactly as it was.

        Returns
        -------
        self
        """
        reset = not (self.warm_start and self.initialized_)
        return self._fit(X, y, fit_params, reset=reset, new_schedule=True)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """One pass over ``X`` without re-initializing (see :meth:`fit` for a whole run).

        As scikit-learn's incremental estimators: one epoch whatever ``max_epochs``, no
        validation split (every text trains) and no best-epoch restore. The learning rate
        follows a stream schedule across calls (``partial_fit_lr``); an interrupted fit's
        own schedule, resumed from a checkpoint, runs on first.

        Returns
        -------
        self
        """
        if classes is not None:
            raise TypeError(f"{type(self).__name__}.partial_fit takes no classes: it has no labels.")
        return self._fit(X, y, fit_params, reset=not self.initialized_, new_schedule=False)

    _takes_sample_weight = False  # SampleWeightMixin says otherwise

    def _fit_keywords(self, fit_params):
        """The sample weights among ``fit``'s keywords; any other keyword is an error
        (nothing is passed on to the model, which would drop it without a word)."""
        fit_params = dict(fit_params)
        sample_weight = fit_params.pop("sample_weight", None) if self._takes_sample_weight else None
        if fit_params:
            accepted = "sample_weight" if self._takes_sample_weight else "no keyword besides X and y"
            raise TypeError(
                f"{type(self).__name__}.fit() got unexpected keyword argument(s) "
                f"{sorted(fit_params)}; it accepts {accepted}. Set estimator parameters with "
                "set_params() or the constructor."
            )
        return sample_weight

    def _fit(self, X, y, fit_params, *, reset, new_schedule, classes=None):
        sample_weight = self._fit_keywords(fit_params)
        source = self._check_params()
        snapshot = {}  # taken once the input is known to be good, in host memory
        undo = None if reset else (
            lambda: snapshot and restore_training_snapshot(self, snapshot["state"]))
        with self._transaction(undo):
            inputs, targets, weights = self._validate_data(
                X, y, reset=reset, classes=classes, sample_weight=sample_weight,
                incremental=not new_schedule)
            if not reset:
                snapshot["state"] = training_snapshot(self)
            run = self._start_run()
            run.incremental = not new_schedule
            if reset:
                self.tokenizer_ = self._prepare_tokenizer(inputs, source)
                self.recipe_ = self._resolve_recipe(source)
            dataset = self._make_dataset(inputs, targets, fitting=True)
            if weights is not None:
                dataset.with_input_weights(weights)
            with run.runtime.threads(), seeded_torch(run.torch_seed, run.runtime.device):
                if reset:
                    self.initialize()
                else:
                    self._place(run.runtime)
                    self._initialize_callbacks()  # pick up callbacks set since the last fit
                    self._update_recipe()
                if new_schedule:
                    self.lr_schedule_ = None
                with self._prepared(self.module_, self.optimizer_) as (run.module, run.optimizer):
                    NeuralNet.partial_fit(self, dataset, None, run=run)
                self._end_fit(run)
        return self

    def _end_fit(self, run):
        """After the epochs (and the best epoch's weights restored): nothing by default."""

    def _plateau_loss(self, dataset):
        """The loss a model that ignores its input reaches on ``dataset`` (early stopping spends
        no patience above it); None where unknown."""
        return None

    def _resolve_recipe(self, source):
        """The settings this fit trains with: the parameters, and the paper's recipe where
        they are None (see :mod:`sklearn_electra.recipe`)."""
        config = build_config(source, self.get_params_for("module"))
        return finetuning_recipe(config, None if source.pretrained else source.name, lr=self.lr,
                                 layerwise_lr_decay=self.layerwise_lr_decay,
                                 warmup_ratio=self.warmup_ratio, max_epochs=self.max_epochs,
                                 task_epochs=self._task_epochs)

    def _update_recipe(self):
        """Parameters set since the last fit, for a fit that continues (``partial_fit``,
        ``warm_start``): ``lr`` scales every group's peak (keeping the layer-wise
        ratios), ``warmup_ratio`` applies to the next schedule, ``max_epochs`` to this
        call. ``layerwise_lr_decay`` needs new groups: it applies at the next ``fit``."""
        recipe = self.recipe_.updated(self.lr, self.warmup_ratio, self.max_epochs)
        for group in self.optimizer_.param_groups:
            group["initial_lr"] *= recipe.lr / self.recipe_.lr
            group["lr"] *= recipe.lr / self.recipe_.lr
        self.recipe_ = recipe

    def _validate_data(self, X, y, reset, classes=None, sample_weight=None, incremental=False):
        """Validated ``(inputs, encoded targets, sample weights or None)`` for fitting."""
        inputs = self._check_inputs(X, fitting=True)
        weights = check_sample_weight(sample_weight, len(inputs))
        targets = self._validate_targets(y, inputs, reset=reset, classes=classes,
                                         sample_weight=weights, incremental=incremental)
        return inputs, targets, weights

    @property
    def n_iter_(self):
        """Epochs run: by the last ``fit`` and the ``partial_fit`` calls since (one each)."""
        if self.history_ is None:
            raise AttributeError("n_iter_ is set by fit or partial_fit.")
        return len(self.history_)

    def _start_run(self):
        """Resolve this fit's device and draw its seeds (torch, batches, split)."""
        seeds = self._shared_seeds(list(fit_seeds(self.random_state)))
        return _FitRun(self._resolve_runtime(), *seeds)

    def fit_loop(self, X, y=None, epochs=None, run=None, **fit_params):
        """The epoch loop (skorch's, passing this fit's :class:`_FitRun` to every step).

        Early stopping ends it after the epoch every callback has seen; a real
        ``KeyboardInterrupt`` goes back to the last checkpointed epoch.
        """
        fit_params.pop("_routing_method", None)  # skorch's own marker, not a fit keyword
        if run.incremental:  # one pass over everything given, as scikit-learn's partial_fit
            dataset_train, dataset_valid = self.get_dataset(X, y), None
        else:
            dataset_train, dataset_valid = self.get_split_datasets(X, y, seed=run.split_seed)
        run.dataset_train, run.dataset_valid = dataset_train, dataset_valid
        on_epoch = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        iterator_train = self.get_iterator(dataset_train, training=True, runtime=run.runtime,
                                           seed=run.batch_seed)
        iterator_valid = None if dataset_valid is None else \
            self.get_iterator(dataset_valid, training=False, runtime=run.runtime)
        run.epochs = 1 if run.incremental else \
            epochs or self.recipe_.epochs_for(self._steps_per_epoch(iterator_train))
        try:
            for _ in range(run.epochs):
                self.notify("on_epoch_begin", **on_epoch)
                self.run_single_epoch(iterator_train, training=True, prefix="train",
                                      step_fn=self.train_step, run=run, **fit_params)
                self.run_single_epoch(iterator_valid, training=False, prefix="valid",
                                      step_fn=self.validation_step, run=run, **fit_params)
                self.notify("on_epoch_end", **on_epoch)
                if any(isinstance(cb, EarlyStopping) and cb.stop_ for _, cb in self.callbacks_):
                    break
        except KeyboardInterrupt as exc:
            if not raised_by_skorch_early_stopping(exc):
                self._on_interrupt()
                raise  # skorch's partial_fit ends training here and calls on_train_end
        return self

    def _on_interrupt(self):
        checkpoint = dict(self.callbacks_).get("checkpoint")
        if checkpoint is not None and checkpoint.rollback(self):
            return
        if not (self.early_stopping and self.validation_fraction):
            warn_caller("Training was interrupted mid-epoch; the weights are those at the "
                        "interrupt. Pass checkpoint_dir= to go back to the last completed epoch "
                        "instead.")

    def _export_metadata(self):
        metadata = super()._export_metadata()
        if self.recipe_ is not None:
            metadata["recipe"] = dataclasses.asdict(self.recipe_)
        return metadata

    def _restore_metadata(self, metadata, config):
        super()._restore_metadata(metadata, config)
        # The recipe the model was trained with: resuming needs its optimizer groups.
        self.recipe_ = Recipe(**metadata["recipe"]) if "recipe" in metadata else None

    def _restore_training_state(self, path):
        folder = os.path.join(os.fspath(path), TRAINER_STATE_DIR)
        if os.path.isdir(folder):
            load_trainer_state(self, folder)

    # ------------------------------------------------------------ data
    def get_split_datasets(self, X, y=None, seed=None, **fit_params):
        """Hold out ``validation_fraction`` of the data (stratified when possible).

        Rows that share a group (the windows of one long sentence) stay on the
        same side of the split.
        """
        dataset = self.get_dataset(X, y)
        groups = dataset.groups if dataset.groups is not None else np.arange(len(dataset))
        units = np.unique(groups)
        n_valid = math.ceil((self.validation_fraction or 0) * len(units))
        if n_valid < 1 or len(units) - n_valid < 1:
            return dataset, None
        _, valid_units = self._split_units(units, n_valid, seed, dataset)
        in_valid = np.isin(groups, valid_units)
        return dataset.subset(np.flatnonzero(~in_valid)), dataset.subset(np.flatnonzero(in_valid))

    def _split_units(self, units, n_valid, seed, dataset):
        return train_test_split(units, test_size=n_valid, random_state=seed)

    def get_iterator(self, dataset, training=False, runtime=None, seed=None):
        """Length-bucketed shuffled batches for training, length-sorted ones otherwise.

        ``iterator_train__batch_size`` / ``__shuffle`` (and the ``iterator_valid__``
        ones) set the sampler; other ``iterator_*__`` arguments go to the ``DataLoader``.
        """
        runtime = runtime or self._resolve_runtime()
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        size = kwargs.pop("batch_size", self.batch_size if training else self._inference_batch_size())
        shuffle = kwargs.pop("shuffle", training)
        loader = self._loader(dataset, self._batch_sampler(dataset, size, shuffle, seed), kwargs, runtime)
        # Validation is not sharded: every process scores the whole split, so all
        # of them see the same valid_loss and stop early together.
        return self._shard(loader) if training else loader

    # ------------------------------------------------------------ components
    def _initialize_parts(self):
        """Build callbacks, model, criterion, optimizer and history on the resolved device."""
        runtime = self._resolve_runtime()
        self.check_training_readiness()
        if self.recipe_ is None:  # initialize() called directly, or a checkpoint without one
            self.recipe_ = self._resolve_recipe(resolve_model(self.model))
        self._initialize_virtual_params()
        self._initialize_callbacks()
        # skorch registers module_/criterion_/optimizer_ (device moves, pickling)
        # while these contexts are set.
        with self._current_init_context("module"):
            self.initialize_module()
        with self._current_init_context("criterion"):
            self.initialize_criterion()
        self._place(runtime)  # before the optimizer exists: it is built on placed weights
        with self._current_init_context("optimizer"):
            self.initialize_optimizer(runtime)
        self.history_ = History()  # a new one: a failed refit leaves the fitted history alone
        self._validate_params()
        self.initialized_ = True
        return self

    # What a refused criterion__* parameter's message says of this estimator's loss.
    _criterion_note = ("loss comes from its targets. Use class_weight= or fit(..., "
                       "sample_weight=) to weigh it.")

    def initialize_criterion(self):
        """No criterion module: ``get_loss`` computes the loss (a target's, which knows the
        class and sample weights), so there is nothing for ``criterion__*`` to set."""
        given = self.get_params_for("criterion")
        if given:
            raise ValueError(f"criterion__{sorted(given)[0]} sets nothing: "
                             f"{type(self).__name__}'s {self._criterion_note}")
        self.criterion_ = None
        return self

    def initialize_optimizer(self, runtime=None):
        """The optimizer over ELECTRA's parameter groups, and a grad scaler for fp16.

        Adam gets the reference's ``eps=1e-6`` and PyTorch's fused kernel on CPU and
        CUDA, unless ``optimizer__*`` says otherwise (:func:`~.optim.optimizer_kwargs`).
        """
        runtime = runtime or self._resolve_runtime()
        recipe = self.recipe_
        named = list(self.get_all_learnable_params())
        groups = electra_param_groups(named, recipe.lr, self.weight_decay, recipe.layerwise_lr_decay,
                                      self.module_.config.num_hidden_layers)
        kwargs = optimizer_kwargs(self.optimizer, runtime.device.type,
                                  self.get_params_for("optimizer"), ADAM_EPS)
        self.optimizer_ = self.optimizer(groups, lr=recipe.lr, **kwargs)
        self.grad_scaler_ = torch.amp.GradScaler(runtime.device.type, enabled=runtime.use_grad_scaler)
        self.lr_schedule_ = None
        return self
