"""ELECTRA model presets and resolution of ``model=`` into a Hugging Face config.

``model`` is one of

* a preset name (``"tiny"``, ``"small"``, ``"base"``, ``"large"``): a randomly
  initialised ELECTRA of the paper's shape, trained from scratch;
* a local directory holding a Hugging Face ELECTRA checkpoint;
* a hub id such as ``"google/electra-small-discriminator"`` (needs a reachable hub).
"""

from __future__ import annotations

import contextlib
import os
import pickle
from dataclasses import dataclass

from safetensors import SafetensorError
from transformers import AutoConfig, ElectraConfig

__all__ = ["PRESETS", "ModelSource", "resolve_model", "build_config", "load_pretrained"]

# Shapes from Clark et al. (2020), Table 6 (discriminator sizes). "tiny" is ours:
# small enough to train in tests and on a laptop in seconds.
PRESETS = {
    "tiny": dict(
        embedding_size=64, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=256, max_position_embeddings=512,
    ),
    "small": dict(
        embedding_size=128, hidden_size=256, num_hidden_layers=12, num_attention_heads=4,
        intermediate_size=1024, max_position_embeddings=512,
    ),
    "base": dict(
        embedding_size=768, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
        intermediate_size=3072, max_position_embeddings=512,
    ),
    "large": dict(
        embedding_size=1024, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
        intermediate_size=4096, max_position_embeddings=512,
    ),
}

# ``module__dropout`` is a convenience alias that sets both dropout rates of the config.
_ALIASES = {"dropout": ("hidden_dropout_prob", "attention_probs_dropout_prob")}
_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                 "pytorch_model.bin.index.json")


@dataclass(frozen=True)
class ModelSource:
    """Where the weights come from: ``kind`` is ``"preset"``, ``"local"`` or ``"hub"``."""

    kind: str
    name: str

    @property
    def pretrained(self) -> bool:
        return self.kind != "preset"


def resolve_model(model) -> ModelSource:
    """Classify ``model=`` and check that a local checkpoint directory is complete.

    Raises
    ------
    TypeError
        If ``model`` is not a string or path.
    ValueError
        For an unknown preset, a missing directory or a directory without
        ``config.json`` or weights.
    """
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(
            f"model must be a preset name ({', '.join(PRESETS)}), a checkpoint directory or a "
            f"hub id; got {type(model).__name__}."
        )
    name = os.fspath(model)
    if name in PRESETS:
        return ModelSource("preset", name)
    if os.path.isdir(name):
        missing = [] if os.path.isfile(os.path.join(name, "config.json")) else ["config.json"]
        if not any(os.path.isfile(os.path.join(name, f)) for f in _WEIGHT_FILES):
            missing.append("model.safetensors (or pytorch_model.bin)")
        if missing:
            raise ValueError(
                f"Checkpoint directory {name!r} is missing {' and '.join(missing)}. Pass a directory "
                "written by save_pretrained(), or a preset name to train from scratch."
            )
        return ModelSource("local", name)
    looks_like_path = name.startswith((".", "/", "~")) or name.endswith(("/", os.sep)) or \
        name.count("/") > 1
    if looks_like_path:
        raise ValueError(f"Checkpoint directory {name!r} does not exist.")
    if "/" not in name:
        raise ValueError(
            f"Unknown model preset {name!r}. Use one of {sorted(PRESETS)}, a local checkpoint "
            "directory, or a hub id such as 'google/electra-small-discriminator'."
        )
    return ModelSource("hub", name)


def _apply_overrides(config, overrides):
    defaults = ElectraConfig()
    for key, value in overrides.items():
        targets = _ALIASES.get(key, (key,))
        for target in targets:
            if not hasattr(defaults, target):
                raise ValueError(
                    f"module__{key} is not an ElectraConfig setting. Valid examples: "
                    "module__dropout, module__hidden_size, module__num_hidden_layers, "
                    "module__num_attention_heads, module__intermediate_size, "
                    "module__classifier_dropout."
                )
            setattr(config, target, value)
    return config


def build_config(source: ModelSource, overrides=None, **task) -> ElectraConfig:
    """Return the ELECTRA config for ``source`` with ``module__*`` overrides and task fields.

    ``task`` holds fields the estimator decides (``vocab_size``, ``num_labels``,
    ``id2label`` ...); for checkpoints ``vocab_size`` is kept from the checkpoint.
    """
    overrides = dict(overrides or {})
    if source.kind == "preset":
        config = ElectraConfig(**PRESETS[source.name])
    else:
        try:
            config = AutoConfig.from_pretrained(source.name)
        except (OSError, ValueError) as exc:
            raise _load_error(source, exc) from exc
        if config.model_type != "electra":
            raise ValueError(
                f"{source.name!r} holds a {config.model_type!r} model, not ELECTRA. sklearn_electra "
                "wraps ELECTRA checkpoints (model_type 'electra')."
            )
        task.pop("vocab_size", None)
    for key, value in task.items():
        setattr(config, key, value)
    config = _apply_overrides(config, overrides)
    if config.hidden_size % config.num_attention_heads:
        raise ValueError(
            f"hidden_size ({config.hidden_size}) must be a multiple of num_attention_heads "
            f"({config.num_attention_heads}); adjust module__hidden_size or "
            "module__num_attention_heads."
        )
    return config


@contextlib.contextmanager
def quiet_hf_progress():
    """Hide transformers' progress bars and load reports (as a context manager or decorator).

    Our own logs say what is happening; a bar per checkpoint write would flood
    a training log that writes one every epoch.
    """
    from transformers.utils import logging as hf_logging

    enabled, verbosity = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    # transformers' load report lists the heads a checkpoint lacks or has in
    # excess: replacing the head is what fine-tuning from a checkpoint means.
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if enabled:
            hf_logging.enable_progress_bar()


@quiet_hf_progress()
def load_pretrained(model_cls, source: ModelSource, config):
    """Instantiate ``model_cls`` from ``config``, loading weights for checkpoints.

    A head whose shape differs from the checkpoint's (a new label set) is
    initialised fresh instead of failing.
    """
    if source.kind == "preset":
        return model_cls(config)
    try:
        return model_cls.from_pretrained(source.name, config=config, ignore_mismatched_sizes=True)
    except (OSError, ValueError, RuntimeError, EOFError, SafetensorError, pickle.UnpicklingError) as exc:
        raise _load_error(source, exc) from exc


def _load_error(source, exc):
    if source.kind == "local":
        return ValueError(
            f"Could not read the checkpoint in {source.name!r}: {exc}. Its files look corrupt or "
            "incomplete; write the directory again with save_pretrained()."
        )
    return ValueError(
        f"Could not load {source.name!r}: {exc}. If this machine is offline, download the "
        "checkpoint elsewhere and pass its local directory as model=..., or use a preset "
        "('tiny', 'small', 'base', 'large') to train from scratch."
    )
