"""``fit(X, y, sample_weight=None)``: the signature scikit-learn's metadata routing reads.

Estimators that learn from weighted rows (classifier, regressor, tagger, question
answerer) take this mixin; the base validates the weights and rejects every other fit
keyword (transformers 5 models would drop an unknown one without a word).
"""

from __future__ import annotations

__all__ = ["SampleWeightMixin"]


class SampleWeightMixin:
    """``sample_weight`` in ``fit`` and ``partial_fit``: one weight per input.

    The loss is the weighted mean over each batch, as scikit-learn's estimators
    normalize: integer weights train like repeated rows, zero weights leave a row out.
    With ``sklearn.set_config(enable_metadata_routing=True)``, request them with
    ``est.set_fit_request(sample_weight=True)`` inside ``GridSearchCV`` or
    ``cross_validate``; through a ``Pipeline``, pass ``fit(X, y, <step>__sample_weight=w)``.
    """

    _takes_sample_weight = True

    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Train on ``X`` and ``y``, rows weighted by ``sample_weight``.

        Parameters
        ----------
        X : texts (or the estimator's input type)
        y : targets
        sample_weight : array-like of shape (n_samples,), default=None
            One finite weight >= 0 per input (text, sentence, question). ``None``:
            every input weighs 1.

        Returns
        -------
        self
        """
        return super().fit(X, y, sample_weight=sample_weight, **fit_params)

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Continue training without re-initializing; rows weighted by ``sample_weight``.

        Returns
        -------
        self
        """
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight,
                                   **fit_params)
