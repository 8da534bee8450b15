"""Hugging Face checkpoint directories: ``save_pretrained`` / ``from_pretrained``.

A checkpoint is a plain Hugging Face directory (``config.json``,
``model.safetensors``, tokenizer files) plus ``sklearn_electra.json``: the
estimator's class, labels and parameters. This module owns the file names that
checkpoints, ONNX exports and training checkpoints share, and writes every
directory atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from ._version import __version__
from .model_card import model_card as build_model_card
from .modeling import build_config, quiet_hf_progress, resolve_model
from .runtime import seeded_torch
from .tokenization import resolve_tokenizer

__all__ = ["METADATA_FILE", "MODEL_CARD_FILE", "ONNX_FILE", "TRAINER_STATE_DIR", "PretrainedMixin",
           "write_dir_atomically", "write_metadata", "read_metadata"]

METADATA_FILE = "sklearn_electra.json"
MODEL_CARD_FILE = "README.md"
ONNX_FILE = "model.onnx"
# Inside a checkpoint written during fit: what resuming needs beyond the HF files.
TRAINER_STATE_DIR = "trainer_state"
# Parameters that describe where or how a model runs, not the model: never saved.
_NOT_SAVED = ("model", "tokenizer", "device", "n_threads", "quantize", "callbacks", "optimizer",
              "checkpoint_dir", "accelerator", "teacher")


def write_dir_atomically(path, write):
    """Call ``write(tmpdir)``, then move the result to ``path``, replacing what was there.

    Whatever fails, and wherever, a complete directory is on disk afterwards: the old
    one if the new one did not land, else the new one. A crash while writing leaves
    ``path`` as it was; if the old directory was moved aside and the new one cannot be
    moved in, the old one is put back.
    """
    path = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.tmp-", dir=parent)
    old = None
    try:
        write(tmp)
        if os.path.exists(path):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=parent)
            os.rmdir(old)
            os.replace(path, old)
        os.replace(tmp, path)
    except BaseException:
        if old is not None and os.path.exists(old) and not os.path.exists(path):
            os.replace(old, path)  # the swap failed half-way: the previous one goes back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_metadata(folder, metadata):
    """Write ``sklearn_electra.json`` into ``folder``."""
    with open(os.path.join(folder, METADATA_FILE), "w", encoding="utf-8") as f:
        json.dump(metadata, f, indent=2, ensure_ascii=False)


def read_metadata(path):
    """The ``sklearn_electra.json`` of a checkpoint directory, or ``{}`` if it has none."""
    meta_path = os.path.join(os.fspath(path), METADATA_FILE)
    if not os.path.isfile(meta_path):
        return {}
    try:
        with open(meta_path, encoding="utf-8") as f:
            return json.load(f)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{meta_path!r} is not valid JSON ({exc}); the checkpoint looks "
                         "corrupt: write it again with save_pretrained().") from exc


class PretrainedMixin:
    """``save_pretrained``/``from_pretrained`` for an estimator with ``module_`` and ``tokenizer_``.

    Hooks: ``_export_module`` (the model written), ``_export_metadata`` and
    ``_restore_metadata`` (what the HF files do not hold, e.g. labels), and
    ``_restore_training_state`` (what a training checkpoint adds).
    """

    def _export_module(self):
        """The Hugging Face model that :meth:`save_pretrained` writes."""
        return self.module_

    def _export_metadata(self):
        """What :meth:`from_pretrained` needs besides the HF files (subclasses extend)."""
        params = {
            k: v for k, v in self.get_params(deep=False).items()
            if k not in _NOT_SAVED and "__" not in k
            and (v is None or isinstance(v, (bool, int, float, str)))
        }
        return {"estimator": type(self).__name__, "version": __version__, "params": params}

    def _restore_metadata(self, metadata, config):
        """Restore fitted attributes from saved metadata (and the model's config)."""

    def _restore_training_state(self, path):
        """Load what a training checkpoint holds besides the model (nothing by default)."""

    def save_pretrained(self, path, model_card=None):
        """Write a Hugging Face checkpoint directory.

        It holds ``config.json``, ``model.safetensors``, the tokenizer files,
        ``sklearn_electra.json`` (labels and parameters) and a model card,
        ``README.md``, in the Hub's format (see :func:`~sklearn_electra.model_card.model_card`).
        transformers' ``AutoModel*`` classes load it as is. The directory is replaced
        atomically: a crash mid-save leaves the previous contents intact.

        Parameters
        ----------
        path : str or os.PathLike
            Target directory (created if needed).
        model_card : str, optional
            Your own words for the model card (intended use, data, licence), added to
            what the estimator knows about itself.

        Returns
        -------
        self
        """
        self.check_is_fitted()
        if model_card is not None and not isinstance(model_card, str):
            raise TypeError(f"model_card must be a string (Markdown), not {type(model_card).__name__}.")
        # Built before anything is written: a card that cannot be made fails the save.
        card = build_model_card(self, model_card)
        self._write_checkpoint(path, self._export_module(), card=card)
        return self

    def _write_checkpoint(self, path, model, card=None, extra=None):
        """Write ``model`` and the tokenizer; with a model ``card`` (Markdown) also the
        estimator's metadata and the card, which make it loadable by :meth:`from_pretrained`
        (``extra(tmpdir)`` adds files)."""

        @quiet_hf_progress()
        def write(tmp):
            model.save_pretrained(tmp)
            self.tokenizer_.save_pretrained(tmp)
            if card is not None:
                write_metadata(tmp, self._export_metadata())
                with open(os.path.join(tmp, MODEL_CARD_FILE), "w", encoding="utf-8") as f:
                    f.write(card)
            if extra is not None:
                extra(tmp)

        write_dir_atomically(path, write)

    @classmethod
    def from_pretrained(cls, path, **params):
        """Load a fitted estimator from a directory written by :meth:`save_pretrained`.

        Parameters
        ----------
        path : str or os.PathLike
            Checkpoint directory.
        **params
            Parameters that override the saved ones (e.g. ``device="cuda"``).

        Returns
        -------
        estimator
            Ready to predict; ``fit`` would fine-tune from this checkpoint.
        """
        path = os.fspath(path)
        source = resolve_model(path)
        metadata = read_metadata(path)
        saved_as = metadata.get("estimator")
        if saved_as and saved_as != cls.__name__:
            raise ValueError(f"{path!r} was saved by {saved_as}; load it with {saved_as}.from_pretrained.")
        est = cls(model=path, **{**metadata.get("params", {}), **params})
        est._check_params()
        est.tokenizer_ = resolve_tokenizer(est.tokenizer, source)
        est._restore_metadata(metadata, build_config(source))
        runtime = est._resolve_runtime()
        with runtime.threads(), seeded_torch(0, runtime.device):
            est.initialize()
            est._restore_training_state(path)
        return est
