"""``ElectraEmbedder``: texts to pooled ELECTRA features, as a scikit-learn transformer."""

from __future__ import annotations

import os

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.utils._param_validation import StrOptions
from transformers import ElectraModel

from ._docs import document_parameters
from ._inference import ElectraInferenceBase, refused
from .runtime import fit_seeds, seeded_torch

__all__ = ["ElectraEmbedder"]


@document_parameters(notes={
    "model": """A checkpoint directory or hub id; a preset gives randomly initialised
        features (useful for tests and as a baseline only).""",
    "batch_size": "Texts per inference batch.",
    "random_state": "Seeds the random initialisation of a preset (checkpoints need no seed).",
})
class ElectraEmbedder(TransformerMixin, ElectraInferenceBase):
    """Pooled discriminator embeddings of texts, to feed any scikit-learn model.

    ``fit`` trains nothing: it loads the checkpoint (or builds the preset and
    trains a tokenizer on ``X``) so that ``transform`` can run. Put it in front
    of a linear model to use a pretrained ELECTRA (for instance one exported by
    :class:`ElectraRTDPretrainer`) as a feature extractor::

        make_pipeline(ElectraEmbedder(model="my-electra/"), LogisticRegression())

    It has no training parameters: to adapt the encoder to labels, fine-tune an
    :class:`ElectraClassifier` instead.

    Parameters
    ----------
    pooling : {"mean", "cls"}, default="mean"
        Average of the token vectors (padding excluded), or the ``[CLS]`` vector.{parameters}

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
        **ElectraInferenceBase._parameter_constraints,
        "pooling": [StrOptions({"mean", "cls"})],
    }
    _onnx_output = "embeddings"

    _INSTEAD = "ElectraEmbedder is a transformer: use transform(X) for its features."
    predict = refused(_INSTEAD)
    predict_proba = refused(_INSTEAD)
    # skorch's training machinery: an embedder never trains.
    _NO_TRAINING = "ElectraEmbedder does not train; fine-tune with ElectraClassifier instead."
    fit_loop = refused(_NO_TRAINING)
    run_single_epoch = refused(_NO_TRAINING)
    train_step = refused(_NO_TRAINING)
    train_step_single = refused(_NO_TRAINING)
    validation_step = refused(_NO_TRAINING)
    get_loss = refused(_NO_TRAINING)
    initialize_criterion = refused(_NO_TRAINING)
    initialize_optimizer = refused(_NO_TRAINING)

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
        with self._transaction():
            self.tokenizer_ = self._prepare_tokenizer(texts, source)
            runtime = self._resolve_runtime()
            # The first of the three seeds a training fit draws: same init for the same random_state.
            init_seed = fit_seeds(self.random_state)[0]
            with runtime.threads(), seeded_torch(init_seed, runtime.device):
                self.initialize()
            self.n_features_out_ = self.module_.config.hidden_size
        return self

    def partial_fit(self, X, y=None, classes=None):
        """Same as :meth:`fit` on first use; afterwards nothing changes.

        Parameters
        ----------
        X : texts
        y : ignored
        classes : None
            In the signature because skorch declares ``classes`` for every ``partial_fit``
            (scikit-learn's metadata routing fails without it); an embedder has no classes.

        Returns
        -------
        self
        """
        if classes is not None:
            raise ValueError("ElectraEmbedder has no classes: call partial_fit(X) without "
                             "classes=.")
        return self if self.initialized_ else self.fit(X, y)

    def _head(self, output, attention_mask):
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
