"""What estimators with targets share: ``target_`` and the hooks that call it.

An estimator says which target its ``y`` needs (``_new_target(y)``, see
:mod:`sklearn_electra.targets`); this mixin fits it on the first call, encodes
``y`` with it, takes the loss, ``valid_acc``, the validation split's strata and the
exported metadata from it, and exposes its fitted attributes (``classes_``, ...).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._warnings import warn_caller
from .callbacks import PLATEAU_MARGIN, left_plateau

__all__ = ["SupervisedMixin"]


class SupervisedMixin:
    """Targets for a :class:`~sklearn_electra._base.ElectraNetBase` estimator."""

    target_ = None

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Continue training without re-initializing.

        The learning-rate schedule carries on where it stopped; once it has
        run out, a new one starts.

        Parameters
        ----------
        X : texts (or the estimator's input type)
        y : labels
        classes : array-like or None, default=None
            Every label the estimator will ever see, as scikit-learn's
            incremental classifiers take it: needed on the first call when that
            first batch does not hold every label; on later calls it must equal
            ``classes_``. ``None`` on the first call learns the labels from ``y``.
        sample_weight : array-like of shape (n_samples,), default=None
            One weight per input.

        Returns
        -------
        self
        """
        return self._fit(X, y, {**fit_params, "sample_weight": sample_weight},
                         reset=not self.initialized_, new_schedule=False, classes=classes)

    # ------------------------------------------------------------ targets
    def _new_target(self, y):
        """The unfitted target for this ``y`` (estimators define it)."""
        raise NotImplementedError

    def _validate_targets(self, y, inputs, reset, classes=None, sample_weight=None,
                          incremental=False):
        """``y`` encoded by ``target_``; ``reset`` fits a new target on it first."""
        if reset:
            target = self._new_target(y).fit(y, inputs, classes, incremental=incremental,
                                             sample_weight=sample_weight)
        else:
            target = self.target_.plain
            target.continues(y, classes)
        encoded = target.encode(y, inputs)
        self._set_target(target)
        return encoded

    def _set_target(self, target):
        """Hold ``target`` as ``target_`` and expose its fitted attributes (``classes_``, ...)."""
        if target is not self.target_:  # get_dataset(X, y) of a fitted estimator changes nothing
            self.target_ = target
            vars(self).update(target.attributes())

    def _task_config(self):
        """The head's size and label names, for the Hugging Face config."""
        return self.target_.config()

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """``target_``'s loss, with the batch's sample weights when it has them."""
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        return self.target_.loss(y_pred, y_true, weight)

    # ------------------------------------------------------------ validation
    def _stratification(self, dataset, n_valid, n_units):
        """Labels to stratify the split on, or None where that cannot work."""
        if dataset.labels is None:
            return None
        labels = dataset.labels
        if dataset.groups is not None:  # one unit per group (the windows of one text)
            labels = labels[np.unique(dataset.groups, return_index=True)[1]]
        strata = self.target_.strata(labels)
        if strata is None:
            return None
        _, counts = np.unique(strata, return_counts=True)
        if counts.min() >= 2 and min(n_valid, n_units - n_valid) >= len(counts):
            return strata
        return None

    def _split_units(self, units, n_valid, seed, dataset):
        stratify = self._stratification(dataset, n_valid, len(units))
        return train_test_split(units, test_size=n_valid, random_state=seed, stratify=stratify)

    def validation_step(self, batch, run=None, **fit_params):
        """Loss and prediction on a validation batch; also counts correct predictions."""
        step = super().validation_step(batch, run=run, **fit_params)
        correct, count = self.target_.correct(step["y_pred"], batch[1])
        self.history.record_batch("valid_correct", correct)
        self.history.record_batch("valid_count", count)
        return step

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Record ``valid_acc`` (accuracy on the validation split) in ``history_``."""
        super().on_epoch_end(net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs)
        batches = self.history[-1]["batches"]
        count = sum(b.get("valid_count", 0) for b in batches)
        if count:
            self.history.record("valid_acc", sum(b.get("valid_correct", 0) for b in batches) / count)

    def _plateau_loss(self, dataset):
        """The loss of predicting the training labels' prior (``target_.prior_loss``)."""
        if dataset is None or dataset.labels is None or not len(dataset):
            return None
        labels, weights = dataset.labels, dataset.weights
        if dataset.groups is not None and labels.dtype != object:  # a text's windows: once
            first = np.unique(dataset.groups, return_index=True)[1]
            labels, weights = labels[first], None if weights is None else weights[first]
        return self.target_.prior_loss(labels, weights)

    def _end_fit(self, run):
        """After training: say so if the model never left its starting plateau, then let the
        target choose its decision settings (per-label thresholds)."""
        if not run.incremental:
            self._warn_if_stuck(run.dataset_train)
        self._tune_target(run.dataset_valid if run.dataset_valid is not None else run.dataset_train)

    def _warn_if_stuck(self, dataset_train):
        """A ``ConvergenceWarning`` when the best loss of the fit (validation, else training)
        stayed on the plateau of predicting the label prior: the model is no better than the
        majority class, and returning it in silence would hide that."""
        start = self._plateau_loss(dataset_train)
        key = "valid_loss" if "valid_loss" in self.history_[-1] else "train_loss"
        losses = [row[key] for row in self.history_ if key in row]
        # No loss: a fit interrupted in its first epoch (it says so itself). No plateau
        # known (start is None): left_plateau answers True.
        if not losses or left_plateau(min(losses), start):
            return
        best = min(losses)
        which = "validation" if key == "valid_loss" else "training"
        warn_caller(
            f"The model did not learn: its best {which} loss ({best:.4g}) stayed within "
            f"{PLATEAU_MARGIN:.0%} of the loss of predicting the label frequencies "
            f"({start:.4g}), so it predicts about as well as the majority class. Train for more "
            f"steps (max_epochs; {self.n_iter_} epochs ran), try another learning rate (lr; "
            f"this fit used {self.recipe_.lr:g}), give early stopping more patience "
            "(n_iter_no_change), or add training data.",
            ConvergenceWarning,
        )

    def _tune_target(self, dataset):
        """Let the target choose its decision settings on ``dataset`` (the validation split,
        else the training rows): multi-label's per-label thresholds."""
        if not self.target_.tunes:
            return
        logits = self.forward(dataset).float()
        labels = dataset.labels
        if dataset.groups is not None:  # windows: one pooled row per text, by text number
            units, first = np.unique(dataset.groups, return_index=True)
            logits, labels = logits[torch.from_numpy(units)], labels[first]
        self.target_.tune(logits, np.asarray(labels))
        vars(self).update(self.target_.attributes())  # thresholds_

    # ------------------------------------------------------------ persistence
    def _export_metadata(self):
        return {**super()._export_metadata(), **self.target_.plain.metadata()}

    def _restore_metadata(self, metadata, config):
        super()._restore_metadata(metadata, config)
        self._set_target(self._restore_target(metadata, config))

    def _restore_target(self, metadata, config):
        """The fitted target from saved metadata, or from the config's label names."""
        if "classes" in metadata:
            classes = metadata["classes"]
        elif self._hf_model_class.__name__ in (config.architectures or []):
            classes = [config.id2label[i] for i in sorted(config.id2label)]
        else:
            raise ValueError(
                f"This checkpoint has no {self._hf_model_class.__name__[len('ElectraFor'):]} head "
                f"to predict with. To fine-tune it, use {type(self).__name__}(model=path).fit(X, y)."
            )
        return self._new_target(None).restore(metadata, classes)
