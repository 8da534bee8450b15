"""What estimators with labels share: ``classes_``, label encoding, ``partial_fit(classes=)``,
the stratified validation split, validation accuracy and the label names in exports.

An estimator adds three hooks: ``_check_targets(y, inputs)`` (shape and type
checks), ``_target_values(y)`` (the labels as one flat list) and
``_encode_targets(y, index)`` (labels to class indices).
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from .validation import is_object_like

__all__ = ["SupervisedMixin"]


class SupervisedMixin:
    """Labels for a :class:`~sklearn_electra._base.ElectraNetBase` estimator.

    ``_label_noun``, ``_class_noun`` and ``_estimator_kind`` name things in
    messages (``"tag"``, ``"tag"``, ``"tagger"`` for the tagger); ``_stratify`` says whether the validation split may be stratified on them.
    """

    _label_noun = "label"
    _class_noun = "class"
    _estimator_kind = "classifier"
    _stratify = True

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Continue training for ``max_epochs`` epochs without re-initializing.

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

        Returns
        -------
        self
        """
        return self._fit(X, y, fit_params, reset=not self.initialized_, new_schedule=False,
                         classes=classes)

    # ------------------------------------------------------------ labels
    def _validate_targets(self, y, inputs, reset, classes=None):
        """Checked ``y`` encoded as class indices; ``reset`` learns ``classes_`` first."""
        y = self._check_targets(y, inputs)
        if reset:
            self.classes_ = self._learn_classes(self._target_values(y) if classes is None else classes,
                                                "y" if classes is None else "classes")
            self.n_classes_ = len(self.classes_)
        elif classes is not None:
            given = self._learn_classes(classes, "classes")
            if given.tolist() != self.classes_.tolist():
                raise ValueError(
                    f"classes={given.tolist()} differs from the classes learned on the first call "
                    f"({self.classes_.tolist()}); pass the same classes, or call fit() to start over."
                )
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        unknown = {v for v in self._target_values(y) if v not in index}
        if unknown:
            raise ValueError(
                f"y contains {self._label_noun}s not seen in the first fit (or in classes=): "
                f"{sorted(unknown, key=repr)[:10]}. Known: {self.classes_.tolist()}."
            )
        return self._encode_targets(y, index)

    def _learn_classes(self, values, source):
        """The sorted label set of ``values``; ``source`` names them in errors."""
        values = list(values)
        try:
            learned = np.unique(np.asarray(values, dtype=object if is_object_like(values) else None))
        except TypeError as exc:
            kinds = sorted({type(v).__name__ for v in values})
            raise TypeError(
                f"Labels must be mutually sortable; {source} mixes {', '.join(kinds)}. Convert them "
                "to one type, e.g. y.astype(str)."
            ) from exc
        if len(learned) < 2:
            what = f"a single {self._class_noun} {learned[0]!r}" if len(learned) else \
                f"no {self._label_noun}s"
            raise ValueError(f"{source} has {what}; a {self._estimator_kind} needs at least 2 "
                             f"{self._class_noun}{'es' if self._class_noun == 'class' else 's'}.")
        return self._as_classes(learned)

    @staticmethod
    def _as_classes(values):
        values = list(values)
        return np.asarray(values, dtype=object if is_object_like(values) else None)

    def _task_config(self):
        """The head's size and label names, for the Hugging Face config."""
        names = [str(c) for c in self.classes_.tolist()]
        return {"num_labels": len(names), "id2label": dict(enumerate(names)),
                "label2id": {name: i for i, name in enumerate(names)}}

    # ------------------------------------------------------------ validation
    def _stratification(self, dataset, n_valid, n_units):
        """Labels to stratify the split on, or None where that cannot work."""
        if not self._stratify or dataset.labels is None:
            return None
        labels = dataset.labels
        if dataset.groups is not None:  # one unit per group (the windows of one text)
            labels = labels[np.unique(dataset.groups, return_index=True)[1]]
        strata = self._strata(labels)
        _, counts = np.unique(strata, return_counts=True)
        if counts.min() >= 2 and min(n_valid, n_units - n_valid) >= len(counts):
            return strata
        return None

    def _strata(self, labels):
        """One stratum per row for the split: the label itself."""
        return labels

    def _split_units(self, units, n_valid, seed, dataset):
        stratify = self._stratification(dataset, n_valid, len(units))
        return train_test_split(units, test_size=n_valid, random_state=seed, stratify=stratify)

    def validation_step(self, batch, run=None, **fit_params):
        """Loss and prediction on a validation batch; also counts correct predictions."""
        step = super().validation_step(batch, run=run, **fit_params)
        correct, count = self._correct(step["y_pred"], batch[1])
        self.history.record_batch("valid_correct", correct)
        self.history.record_batch("valid_count", count)
        return step

    def _correct(self, y_pred, y_true):
        """``(correct, counted)`` predictions of a batch; ``-100`` marks what is not counted."""
        mask = y_true != -100
        return (y_pred.argmax(-1).cpu()[mask] == y_true[mask]).sum().item(), int(mask.sum())

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Record ``valid_acc`` (accuracy on the validation split) in ``history_``."""
        super().on_epoch_end(net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs)
        batches = self.history[-1]["batches"]
        count = sum(b.get("valid_count", 0) for b in batches)
        if count:
            self.history.record("valid_acc", sum(b.get("valid_correct", 0) for b in batches) / count)

    # ------------------------------------------------------------ persistence
    def _export_metadata(self):
        return {**super()._export_metadata(), "classes": self.classes_.tolist()}

    def _restore_metadata(self, metadata, config):
        """Restore ``classes_`` from saved metadata, or from the config's label names."""
        super()._restore_metadata(metadata, config)
        if "classes" in metadata:
            classes = metadata["classes"]
        elif self._hf_model_class.__name__ in (config.architectures or []):
            classes = [config.id2label[i] for i in sorted(config.id2label)]
        else:
            raise ValueError(
                f"This checkpoint has no {self._hf_model_class.__name__[len('ElectraFor'):]} head "
                f"to predict with. To fine-tune it, use {type(self).__name__}(model=path).fit(X, y)."
            )
        self.classes_ = self._as_classes(classes)
        self.n_classes_ = len(self.classes_)
