"""``ElectraEmbedder``: texts to pooled ELECTRA features, as a scikit-learn transformer."""

from __future__ import annotations

import os

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils._param_validation import StrOptions
from skorch.utils import to_device
from transformers import ElectraModel

from ._base import ElectraNetBase

__all__ = ["ElectraEmbedder"]


class ElectraEmbedder(TransformerMixin, ElectraNetBase):
    """Pooled discriminator embeddings of texts, to feed any scikit-learn model.

    ``fit`` trains nothing: it loads the checkpoint (or builds the preset and
    trains a tokenizer on ``X``) so that ``transform`` can run. Put it in front
    of a linear model to use a pretrained ELECTRA (for instance one exported by
    :class:`ElectraRTDPretrainer`) as a feature extractor::

        make_pipeline(ElectraEmbedder(model="my-electra/"), LogisticRegression())

    Parameters
    ----------
    model : str or os.PathLike, default="tiny"
        A checkpoint directory or hub id; a preset gives randomly initialised
        features (useful for tests and as a baseline only).
    pooling : {"mean", "cls"}, default="mean"
        Average of the token vectors (padding excluded), or the ``[CLS]`` vector.
    **kwargs
        ``tokenizer``, ``vocab_size``, ``lowercase``, ``max_length``,
        ``batch_size``, ``predict_batch_size``, ``device``, ``precision``,
        ``random_state`` and routed ``module__*`` as for
        :class:`ElectraClassifier`; training parameters are ignored.

    Attributes
    ----------
    n_features_out_ : int
        The hidden size: the number of output columns.
    tokenizer_, module_
        The tokenizer and the ``ElectraModel`` used.

    Examples
    --------
    >>> from sklearn_electra import ElectraEmbedder
    >>> emb = ElectraEmbedder(random_state=0).fit(["a short text", "another one"])
    >>> emb.transform(["a text"]).shape
    (1, 64)
    >>> emb.get_feature_names_out()[:2].tolist()
    ['electra0', 'electra1']
    """

    _hf_model_class = ElectraModel
    _parameter_constraints = {
        **ElectraNetBase._parameter_constraints,
        "pooling": [StrOptions({"mean", "cls"})],
    }

    def __init__(self, model="tiny", *, pooling="mean", **kwargs):
        super().__init__(model, **kwargs)
        self.pooling = pooling

    def fit(self, X, y=None):
        """Load (or build) the encoder and its tokenizer; nothing is trained, ``y`` is ignored.

        ``X`` is only used to train a tokenizer when ``model`` is a preset.

        Returns
        -------
        self
        """
        return self._load(X)

    @classmethod
    def from_pretrained(cls, path, **params):
        """An embedder over any ELECTRA checkpoint directory, whichever estimator wrote it.

        Same as ``ElectraEmbedder(model=path, **params).fit(X)``, without ``X``.
        """
        return cls(model=os.fspath(path), **params)._load(None)

    def _load(self, X):
        source = self._check_params()
        texts = None if X is None else self._check_inputs(X, fitting=True)
        if texts is None and not source.pretrained:
            raise ValueError("A preset has no tokenizer to load; use fit(X) to train one on X.")
        self._prepare_tokenizer(texts, source)
        with self._runtime(), self._torch_rng(self._draw_seeds()):
            self.initialize()
        self.n_features_out_ = self.module_.config.hidden_size
        return self

    def partial_fit(self, X, y=None, **fit_params):
        """Same as :meth:`fit` on first use; afterwards nothing changes."""
        return self if self.initialized_ else self.fit(X, y)

    def infer(self, x, **fit_params):
        """Pooled hidden states of a padded batch: ``(batch, hidden)``."""
        x = to_device(x, self.device)
        with self._autocast():
            return self._onnx_head(self.module_(**x), x["attention_mask"])

    _onnx_output = "embeddings"

    def _onnx_head(self, output, attention_mask):
        """Pool the last hidden states (what ``transform`` and the ONNX graph return)."""
        hidden = output.last_hidden_state.float()  # (B, L, H)
        if self.pooling == "cls":
            return hidden[:, 0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def transform(self, X):
        """Embed texts (or text pairs).

        Returns
        -------
        ndarray of shape (n_samples, hidden_size), float32
        """
        return self.forward(X).numpy()

    def get_feature_names_out(self, input_features=None):
        """``electra0`` ... ``electra{hidden_size - 1}``."""
        self.check_is_fitted()
        return np.asarray([f"electra{i}" for i in range(self.n_features_out_)], dtype=object)
