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

import numpy as np
import torch
from sklearn.base import RegressorMixin
from transformers import ElectraForSequenceClassification

from ._base import ElectraNetBase
from ._docs import document_parameters
from ._long_texts import LongTextMixin
from .modeling import build_config, resolve_model
from .validation import check_targets

__all__ = ["ElectraRegressor"]


def _rescale_head(model, scale, shift):
    """Make the head's output ``scale * output + shift`` (per target), in place."""
    out = model.classifier.out_proj
    scale = torch.as_tensor(scale, dtype=out.weight.dtype, device=out.weight.device)
    shift = torch.as_tensor(shift, dtype=out.weight.dtype, device=out.weight.device)
    with torch.no_grad():
        out.weight.mul_(scale[:, None])
        out.bias.mul_(scale).add_(shift)


# Exports fold the targets' scale into float32 weights (largest ~3.4e38): leave room.
_LARGEST = 1e30


@document_parameters()
class ElectraRegressor(RegressorMixin, LongTextMixin, ElectraNetBase):
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
    n_outputs_ : int
        Number of targets (columns of ``y``).
    target_mean_, target_scale_ : ndarray of shape (``n_outputs_``,)
        Mean and standard deviation of each target in the first fit's ``y``;
        the model predicts ``(y - target_mean_) / target_scale_``.
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
    def _validate_targets(self, y, inputs, reset, classes=None):
        """Checked targets, standardized with the first fit's statistics (float32, 2-d)."""
        targets = check_targets(y, len(inputs), type(self).__name__)
        if np.abs(targets).max() > _LARGEST:
            raise ValueError(
                f"y holds values up to {np.abs(targets).max():.3g}; the model's float32 weights "
                f"cannot hold targets beyond {_LARGEST:.0e}. Rescale y (e.g. y / 1e6 or log(y))."
            )
        if reset:
            mean, scale = targets.mean(axis=0), targets.std(axis=0)
            constant = np.flatnonzero(scale <= 1e-12 * np.maximum(1.0, np.abs(mean)))
            if len(constant):
                column = "y" if targets.shape[1] == 1 else f"Column {constant[0]} of y"
                raise ValueError(
                    f"{column} is constant ({targets[0, constant[0]].item()!r} for every text): there is "
                    "nothing to learn. A regressor needs targets that vary."
                )
            self.n_outputs_, self.target_mean_, self.target_scale_ = targets.shape[1], mean, scale
        elif targets.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {targets.shape[1]} targets per text but the model was fitted "
                             f"on {self.n_outputs_}; pass the same columns, or call fit() to start over.")
        return ((targets - self.target_mean_) / self.target_scale_).astype(np.float32)

    def _task_config(self):
        return {"num_labels": self.n_outputs_, "problem_type": "regression"}

    def initialize_criterion(self):
        """Mean squared error (of standardized targets)."""
        self.criterion_ = torch.nn.MSELoss(**self.get_params_for("criterion"))
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Mean squared error in float32 (predictions may be bf16/fp16 under autocast)."""
        return self.criterion_(y_pred.float(), y_true.to(y_pred.device).float())

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
        standardized = self.forward(X).double().numpy()
        y = standardized * self.target_scale_ + self.target_mean_
        return y.ravel() if self.n_outputs_ == 1 else y

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

    def _export_metadata(self):
        return {**super()._export_metadata(), "target_mean": self.target_mean_.tolist(),
                "target_scale": self.target_scale_.tolist()}

    def _restore_metadata(self, metadata, config):
        """Targets' statistics from the metadata; a plain HF regression head predicts raw ones."""
        super()._restore_metadata(metadata, config)
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
        self.target_mean_ = np.asarray(mean, dtype=np.float64)
        self.target_scale_ = np.asarray(scale, dtype=np.float64)
        self.n_outputs_ = len(self.target_mean_)
