"""``ElectraRegressor``: one or several real-valued targets per text (or text pair).

The model learns standardized targets (zero mean, unit variance per column, from
the first fit's ``y``), so one learning rate suits ratings on a 1-5 scale and
prices in thousands alike; ``predict`` scales back. Exports hold the scale *in
the weights*: the head's last layer is rewritten to predict raw targets, so a
checkpoint loaded by ``AutoModelForSequenceClassification`` (``problem_type
="regression"``) or served from ONNX answers in the target's own units.
"""

from __future__ import annotations

import copy

import torch
from sklearn.base import RegressorMixin
from transformers import ElectraForSequenceClassification

from ._base import ElectraNetBase
from ._docs import document_parameters
from ._long_texts import LongTextMixin
from ._supervised import SupervisedMixin
from ._weights import SampleWeightMixin
from .modeling import build_config, resolve_model
from .targets import Regression

__all__ = ["ElectraRegressor"]


def _rescale_head(model, scale, shift):
    """Make the head's output ``scale * output + shift`` (per target), in place."""
    out = model.classifier.out_proj
    # In place, the products take the weights' dtype (float32, or half precision).
    scale = torch.as_tensor(scale, device=out.weight.device)
    shift = torch.as_tensor(shift, device=out.weight.device)
    with torch.no_grad():
        out.weight.mul_(scale[:, None])
        out.bias.mul_(scale).add_(shift)


@document_parameters()
class ElectraRegressor(RegressorMixin, LongTextMixin, SampleWeightMixin, SupervisedMixin,
                       ElectraNetBase):
    """Text regressor fine-tuning an ELECTRA discriminator.

    Wraps :class:`transformers.ElectraForSequenceClassification` with
    ``problem_type="regression"`` (as the ELECTRA paper fine-tunes STS-B) as a
    scikit-learn regressor. ``X`` holds texts or ``(text_a, text_b)`` pairs;
    ``y`` one number per text, or one row of numbers per text for several
    targets (a 2-d array or DataFrame). The loss is the mean squared error of
    the standardized targets.

    Parameters
    ----------{parameters}

    Attributes
    ----------
    target_ : sklearn_electra.targets.Regression
        The fitted target (the standardization, the loss).
    n_outputs_ : int
        Number of targets (columns of ``y``).
    target_mean_, target_scale_ : ndarray of shape (``n_outputs_``,)
        Mean and standard deviation of each target in the first fit's ``y``
        (weighted by ``sample_weight``); the model predicts
        ``(y - target_mean_) / target_scale_``.
    tokenizer_, module_, history_, recipe_, lr_schedule_
        As for :class:`ElectraClassifier`; ``valid_loss`` is the mean squared
        error in standardized units (about ``1 - R²`` of the validation split).

    Notes
    -----
    A checkpoint written by :meth:`save_pretrained` predicts raw targets (the
    standardization is folded into the head's last layer); loading it, or
    fine-tuning it on new targets, unfolds it again with the new statistics.
    A Hugging Face regression checkpoint without ``sklearn_electra.json`` is
    taken to predict raw targets too.

    Examples
    --------
    >>> from sklearn_electra import ElectraRegressor
    >>> X = ["awful", "bad", "fine", "good", "great"] * 8
    >>> y = [1.0, 2.0, 3.0, 4.0, 5.0] * 8
    >>> reg = ElectraRegressor(max_epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(["good", "awful"]).shape
    (2,)
    >>> reg.target_mean_.tolist(), reg.n_outputs_
    ([3.0], 1)
    """

    _hf_model_class = ElectraForSequenceClassification
    _onnx_output = "predictions"
    _parameter_constraints = {**ElectraNetBase._parameter_constraints,
                              **LongTextMixin._long_text_constraints}

    def __init__(self, model="tiny", *, long_texts="truncate", stride=32, window_pooling="mean",
                 **kwargs):
        super().__init__(model, **kwargs)
        self.long_texts = long_texts
        self.stride = stride
        self.window_pooling = window_pooling

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------ targets
    def _new_target(self, y):
        return Regression(type(self).__name__)

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Continue training without re-initializing (the standardization stays the first
        fit's).

        Returns
        -------
        self
        """
        if classes is not None:
            raise TypeError("ElectraRegressor.partial_fit takes no classes: it has no labels.")
        return super().partial_fit(X, y, sample_weight=sample_weight, **fit_params)

    # ------------------------------------------------------------ outputs
    def predict(self, X):
        """Predicted targets, in the units of ``y``.

        Parameters
        ----------
        X : list, array, Series or DataFrame of texts (or text pairs)

        Returns
        -------
        ndarray of shape ``(n_samples,)``, or ``(n_samples, n_outputs_)`` for several targets
        """
        standardized = self.forward(X)  # checks fitted before target_ is read
        return self.target_.predict(standardized)

    # ------------------------------------------------------------ persistence
    def _export_module(self):
        """A copy whose head predicts raw targets (what Hugging Face and ONNX users get)."""
        model = copy.deepcopy(self.module_)
        _rescale_head(model, self.target_scale_, self.target_mean_)
        return model

    def initialize_module(self):
        """Build the model; a regression head read from a checkpoint predicts raw targets,
        so it is rewritten to predict this fit's standardized ones."""
        super().initialize_module()
        source = resolve_model(self.model)
        if source.pretrained:
            config = build_config(source)
            if config.problem_type == "regression" and config.num_labels == self.n_outputs_ and \
                    self._hf_model_class.__name__ in (config.architectures or []):
                _rescale_head(self.module_, 1.0 / self.target_scale_,
                              -self.target_mean_ / self.target_scale_)
        return self

    def _restore_target(self, metadata, config):
        """Targets' statistics from the metadata; a plain HF regression head predicts raw ones."""
        if "target_mean" in metadata:
            mean, scale = metadata["target_mean"], metadata["target_scale"]
        elif config.problem_type == "regression" and \
                self._hf_model_class.__name__ in (config.architectures or []):
            mean, scale = [0.0] * config.num_labels, [1.0] * config.num_labels
        else:
            raise ValueError(
                "This checkpoint has no regression head to predict with. To fine-tune it, use "
                "ElectraRegressor(model=path).fit(X, y)."
            )
        return Regression(type(self).__name__).restore(metadata, mean, scale)
