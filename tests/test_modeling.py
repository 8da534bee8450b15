"""``model=`` resolved to a source, a config and weights (sklearn_electra.modeling), offline."""

import os

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel, ElectraConfig, ElectraForSequenceClassification
from transformers.utils import logging as hf_logging

from sklearn_electra import modeling
from sklearn_electra.modeling import (PRESETS, ModelSource, build_config, load_pretrained,
                                      quiet_hf_progress, resolve_model)

TINY = dict(vocab_size=50, embedding_size=16, hidden_size=16, num_hidden_layers=1,
            num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A two-label ELECTRA classifier written by save_pretrained."""
    folder = tmp_path_factory.mktemp("checkpoint")
    torch.manual_seed(0)
    ElectraForSequenceClassification(ElectraConfig(num_labels=2, **TINY)).save_pretrained(folder)
    return folder


def test_presets_have_the_papers_discriminator_shapes():
    # Clark et al. (2020), Table 6; "tiny" is ours, for tests and laptops
    shape = ("embedding_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
             "intermediate_size", "max_position_embeddings")
    assert {name: tuple(p[k] for k in shape) for name, p in PRESETS.items()} == {
        "tiny": (64, 64, 2, 2, 256, 512),
        "small": (128, 256, 12, 4, 1024, 512),
        "base": (768, 768, 12, 12, 3072, 512),
        "large": (1024, 1024, 24, 16, 4096, 512),
    }
    assert all(set(p) == set(shape) for p in PRESETS.values())


@pytest.mark.parametrize("name", ["tiny", "small", "base", "large"])
def test_a_preset_name_is_trained_from_scratch(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir(name)  # a folder of the same name does not shadow the preset
    source = resolve_model(name)
    assert source == ModelSource("preset", name) and not source.pretrained


def test_a_complete_directory_is_a_local_checkpoint(checkpoint):
    source = resolve_model(checkpoint)  # a path object, read as its string
    assert source == ModelSource("local", str(checkpoint)) and source.pretrained


@pytest.mark.parametrize("weights", ["model.safetensors", "model.safetensors.index.json",
                                     "pytorch_model.bin", "pytorch_model.bin.index.json"])
def test_any_weights_file_hugging_face_writes_completes_a_directory(weights, tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / weights).write_bytes(b"")
    assert resolve_model(str(tmp_path)).kind == "local"


@pytest.mark.parametrize("files, missing", [
    ([], "config.json and model.safetensors (or pytorch_model.bin)"),
    (["model.safetensors"], "config.json"),
    (["config.json"], "model.safetensors (or pytorch_model.bin)"),
    (["config.json", "weights.pt"], "model.safetensors (or pytorch_model.bin)"),
])
def test_an_incomplete_directory_names_what_it_lacks(files, missing, tmp_path):
    for name in files:
        (tmp_path / name).write_text("{}")
    with pytest.raises(ValueError) as info:
        resolve_model(str(tmp_path))
    assert str(info.value) == (
        f"Checkpoint directory {str(tmp_path)!r} is missing {missing}. Pass a directory written "
        "by save_pretrained(), or a preset name to train from scratch.")


def test_a_file_is_not_a_checkpoint_directory(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="does not exist"):
        resolve_model(str(tmp_path / "config.json"))


@pytest.mark.parametrize("name", ["./nope", "/nope", "~/nope", "nope/", "runs/nope/best"])
def test_a_path_that_is_not_there_is_named(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as info:
        resolve_model(name)
    assert str(info.value) == f"Checkpoint directory {name!r} does not exist."


def test_a_trailing_separator_of_either_kind_marks_a_path(tmp_path, monkeypatch):
    # on Windows os.sep is a backslash, and "runs/" is still a folder someone meant
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(modeling.os, "sep", "\\")
    for name in ["nope/", "nope\\"]:
        with pytest.raises(ValueError, match="does not exist"):
            resolve_model(name)


def test_a_name_that_is_neither_preset_nor_hub_id_lists_the_presets():
    with pytest.raises(ValueError) as info:
        resolve_model("tinyy")
    assert str(info.value) == (
        "Unknown model preset 'tinyy'. Use one of ['base', 'large', 'small', 'tiny'], a local "
        "checkpoint directory, or a hub id such as 'google/electra-small-discriminator'.")


def test_an_owner_and_name_is_a_hub_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_model("google/electra-small-discriminator") == ModelSource(
        "hub", "google/electra-small-discriminator")
    assert ModelSource("hub", "a/b").pretrained


@pytest.mark.parametrize("model", [3, None, b"tiny", ["tiny"]])
def test_model_must_be_a_string_or_path(model):
    with pytest.raises(TypeError) as info:
        resolve_model(model)
    assert str(info.value) == (
        "model must be a preset name (tiny, small, base, large), a checkpoint directory or a "
        f"hub id; got {type(model).__name__}.")


def test_a_presets_config_takes_the_task_fields_then_the_overrides():
    config = build_config(ModelSource("preset", "tiny"), {"dropout": 0.3, "hidden_size": 128},
                          vocab_size=77, num_labels=3)
    assert isinstance(config, ElectraConfig)
    assert (config.vocab_size, config.num_labels, config.hidden_size, config.embedding_size,
            config.num_hidden_layers) == (77, 3, 128, 64, 2)
    # the alias sets both dropout rates
    assert config.hidden_dropout_prob == config.attention_probs_dropout_prob == 0.3
    # module__* is the user's last word, over what the estimator decided
    assert build_config(ModelSource("preset", "tiny"), {"vocab_size": 99}, vocab_size=77).vocab_size == 99
    plain = build_config(ModelSource("preset", "small"))
    assert (plain.hidden_size, plain.hidden_dropout_prob) == (256, ElectraConfig().hidden_dropout_prob)


def test_an_unknown_override_lists_valid_ones():
    with pytest.raises(ValueError) as info:
        build_config(ModelSource("preset", "tiny"), {"hiden_size": 32})
    assert str(info.value) == (
        "module__hiden_size is not an ElectraConfig setting. Valid examples: module__dropout, "
        "module__hidden_size, module__num_hidden_layers, module__num_attention_heads, "
        "module__intermediate_size, module__classifier_dropout.")


@pytest.mark.parametrize("overrides, task, sizes", [
    ({"num_attention_heads": 3}, {}, (64, 3)),
    ({}, {"hidden_size": 33}, (33, 2)),
])
def test_heads_must_divide_the_hidden_size(overrides, task, sizes):
    with pytest.raises(ValueError) as info:
        build_config(ModelSource("preset", "tiny"), overrides, **task)
    assert str(info.value) == (
        f"hidden_size ({sizes[0]}) must be a multiple of num_attention_heads ({sizes[1]}); "
        "adjust module__hidden_size or module__num_attention_heads.")


def test_a_checkpoints_config_keeps_its_vocabulary(checkpoint):
    config = build_config(ModelSource("local", str(checkpoint)), {"dropout": 0.0},
                          vocab_size=999, num_labels=4)
    assert (config.vocab_size, config.num_labels, config.hidden_size) == (50, 4, 16)
    assert config.hidden_dropout_prob == 0.0


def test_a_checkpoint_of_another_model_type_is_refused(tmp_path):
    BertModel(BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, vocab_size=30)).save_pretrained(tmp_path)
    with pytest.raises(ValueError) as info:
        build_config(ModelSource("local", str(tmp_path)))
    assert str(info.value) == (
        f"{str(tmp_path)!r} holds a 'bert' model, not ELECTRA. sklearn_electra wraps ELECTRA "
        "checkpoints (model_type 'electra').")


def test_a_corrupt_config_says_to_write_the_directory_again(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError) as info:
        build_config(ModelSource("local", str(tmp_path)))
    message = str(info.value)
    assert message.startswith(f"Could not read the checkpoint in {str(tmp_path)!r}: ")
    assert message.endswith(". Its files look corrupt or incomplete; write the directory again "
                            "with save_pretrained().")
    assert isinstance(info.value.__cause__, (OSError, ValueError))


@pytest.mark.parametrize("error", [OSError("no route to host"), ValueError("bad id")])
def test_a_hub_id_that_cannot_be_read_says_how_to_work_offline(error, monkeypatch):
    def unreachable(name, *args, **kwargs):
        raise error

    monkeypatch.setattr(modeling.AutoConfig, "from_pretrained", unreachable)
    with pytest.raises(ValueError) as info:
        build_config(ModelSource("hub", "someone/electra"))
    assert str(info.value) == (
        f"Could not load 'someone/electra': {error}. If this machine is offline, download the "
        "checkpoint elsewhere and pass its local directory as model=..., or use a preset "
        "('tiny', 'small', 'base', 'large') to train from scratch.")
    assert info.value.__cause__ is error


def test_a_preset_is_built_fresh_from_its_config():
    config = ElectraConfig(num_labels=3, **TINY)
    model = load_pretrained(ElectraForSequenceClassification, ModelSource("preset", "tiny"), config)
    assert isinstance(model, ElectraForSequenceClassification) and model.config is config


def test_a_checkpoint_keeps_its_encoder_and_gets_a_new_head_for_new_labels(checkpoint):
    saved = ElectraForSequenceClassification.from_pretrained(checkpoint)
    config = build_config(ModelSource("local", str(checkpoint)), num_labels=3)
    model = load_pretrained(ElectraForSequenceClassification, ModelSource("local", str(checkpoint)),
                            config)
    assert model.config.num_labels == 3 and model.classifier.out_proj.out_features == 3
    for name, weight in saved.electra.state_dict().items():
        assert torch.equal(model.electra.state_dict()[name], weight), name
    # the same labels: the head is the checkpoint's too
    same = load_pretrained(ElectraForSequenceClassification, ModelSource("local", str(checkpoint)),
                           build_config(ModelSource("local", str(checkpoint)), num_labels=2))
    assert torch.equal(same.classifier.out_proj.weight, saved.classifier.out_proj.weight)


@pytest.mark.parametrize("weights", [b"not safetensors", b""])
def test_corrupt_weights_say_to_write_the_directory_again(weights, checkpoint, tmp_path):
    (tmp_path / "config.json").write_bytes((checkpoint / "config.json").read_bytes())
    (tmp_path / "model.safetensors").write_bytes(weights)
    source = ModelSource("local", str(tmp_path))
    with pytest.raises(ValueError) as info:
        load_pretrained(ElectraForSequenceClassification, source, build_config(source))
    assert str(info.value).startswith(f"Could not read the checkpoint in {str(tmp_path)!r}: ")
    assert str(info.value).endswith("write the directory again with save_pretrained().")


def _hf_state():
    return hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()


@pytest.mark.parametrize("bars", [True, False])
def test_quiet_loading_hides_reports_and_bars_then_restores_them(bars):
    before = _hf_state()
    try:
        hf_logging.set_verbosity_info()
        (hf_logging.enable_progress_bar if bars else hf_logging.disable_progress_bar)()
        seen = []

        class Model:
            def __init__(self, config):
                seen.append(_hf_state())

        load_pretrained(Model, ModelSource("preset", "tiny"), None)
        assert seen == [(hf_logging.ERROR, False)]
        assert _hf_state() == (hf_logging.INFO, bars)
        with pytest.raises(RuntimeError, match="inside"):
            with quiet_hf_progress():
                raise RuntimeError("inside")
        assert _hf_state() == (hf_logging.INFO, bars)  # restored after an error too
    finally:
        hf_logging.set_verbosity(before[0])
        (hf_logging.enable_progress_bar if before[1] else hf_logging.disable_progress_bar)()


def test_a_loaded_checkpoint_predicts_as_saved(checkpoint):
    source = ModelSource("local", str(checkpoint))
    model = load_pretrained(ElectraForSequenceClassification, source, build_config(source)).eval()
    saved = ElectraForSequenceClassification.from_pretrained(checkpoint).eval()
    ids = torch.tensor(np.arange(1, 9).reshape(2, 4))
    with torch.no_grad():
        assert torch.equal(model(input_ids=ids).logits, saved(input_ids=ids).logits)
