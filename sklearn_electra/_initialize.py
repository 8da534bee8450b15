"""``initialize(X, y)``: an estimator's tokenizer and model, built as ``fit`` would, untrained."""

from __future__ import annotations

from .runtime import seeded_torch

__all__ = ["InitializeMixin"]


class InitializeMixin:
    """skorch's ``initialize()``, extended with the data ``fit`` would prepare first.

    The host estimator provides ``_initialize_parts()`` (callbacks, model, criterion,
    optimizer, history for a resolved ``tokenizer_``) and the fit-time steps
    (``_check_params``, ``_validate_data``, ``_start_run``, ``_prepare_tokenizer``,
    ``_resolve_recipe``), so that ``initialize(X, y)`` and ``fit(X, y)`` cannot drift apart.
    """

    def initialize(self, X=None, y=None):
        """Build the tokenizer, model, criterion and optimizer without training.

        ``initialize(X, y)`` prepares what ``fit(X, y)`` would start training from: the
        same tokenizer (trained on ``X`` when there is none), labels, recipe and initial
        weights for the same ``random_state``. A model can then be inspected, counted or
        exported before any training, and ``get_dataset(X)`` shows the batches' rows.
        Without data, the ``tokenizer`` given or the checkpoint's is used. ``fit``
        starts over as usual (or continues from here with ``warm_start=True``).

        Parameters
        ----------
        X : texts, optional
            What ``fit`` takes; needed when a preset has no ``tokenizer`` to use.
        y : targets, optional
            What ``fit`` takes (estimators with labels size their head from it).

        Returns
        -------
        self

        Examples
        --------
        >>> from sklearn_electra import ElectraClassifier
        >>> clf = ElectraClassifier(model="tiny").initialize(["good", "bad"] * 10, [1, 0] * 10)
        >>> clf.module_.config.num_labels, clf.recipe_.lr
        (2, 0.0005)
        """
        if X is None and y is None and getattr(self, "tokenizer_", None) is not None:
            return self._initialize_parts()  # skorch's initialize(), as fit calls it
        if X is None and y is not None:
            raise TypeError("initialize got y without X: pass both, as to fit.")
        source = self._check_params()
        if X is None and not (source.pretrained or self.tokenizer is not None):
            raise ValueError(
                f"model={self.model!r} trains its tokenizer on the texts: pass them, "
                "initialize(X, y), or give a tokenizer= (or a checkpoint) to use."
            )
        with self._transaction():
            inputs = None
            if X is None:
                # Estimators with labels size their head from them: they say so here.
                self._validate_targets(None, [], reset=True)
            else:
                inputs = self._validate_data(X, y, reset=True)[0]
            run = self._start_run()
            self.tokenizer_ = self._prepare_tokenizer(inputs, source)
            self.recipe_ = self._resolve_recipe(source)
            with run.runtime.threads(), seeded_torch(run.torch_seed, run.runtime.device):
                return self._initialize_parts()
