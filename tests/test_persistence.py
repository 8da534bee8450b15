"""save_pretrained / from_pretrained: plain Hugging Face directories both ways."""

import json
import os

import numpy as np
import pytest
import torch
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, ElectraConfig,
                          ElectraForPreTraining, BertConfig, BertModel, pipeline)

from sklearn_electra import ElectraClassifier



@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "model"
    fitted.save_pretrained(path)
    return path


def test_directory_is_a_plain_hf_checkpoint(saved):
    files = set(os.listdir(saved))
    assert {"config.json", "model.safetensors", "tokenizer.json", "sklearn_electra.json"} <= files
    config = json.loads((saved / "config.json").read_text())
    assert config["model_type"] == "electra"
    assert config["id2label"] == {"0": "neg", "1": "pos"}


def test_from_pretrained_predicts_identically(fitted, saved, reviews):
    texts = reviews[1]["text"]
    loaded = ElectraClassifier.from_pretrained(saved)
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
    assert loaded.classes_.tolist() == ["neg", "pos"] and loaded.max_length == fitted.max_length


def test_transformers_loads_the_export(fitted, saved, reviews):
    texts = reviews[1]["text"].tolist()[:5]
    model = AutoModelForSequenceClassification.from_pretrained(saved).eval()
    tok = AutoTokenizer.from_pretrained(saved)
    enc = tok(texts, padding=True, truncation=True, max_length=fitted.max_length, return_tensors="pt")
    with torch.no_grad():
        proba = model(**enc).logits.softmax(-1).numpy()
    np.testing.assert_allclose(proba, fitted.predict_proba(texts), atol=1e-5)
    clf = pipeline("text-classification", model=str(saved), device="cpu")
    assert clf(texts[0])[0]["label"] in {"neg", "pos"}


def test_integer_labels_keep_their_type(tmp_path):
    X, y = ["good", "bad", "fine", "poor"] * 4, [1, 0, 1, 0] * 4
    ElectraClassifier(max_epochs=1, random_state=0).fit(X, y).save_pretrained(tmp_path)
    loaded = ElectraClassifier.from_pretrained(tmp_path)
    assert loaded.classes_.dtype.kind == "i" and loaded.predict(X).dtype.kind == "i"


def test_fine_tune_further_from_a_checkpoint_with_new_labels(saved, reviews):
    train, _ = reviews
    y = np.where(train["text"].str.len() > 30, "long", "short")
    clf = ElectraClassifier(model=str(saved), max_epochs=1, random_state=0).fit(train["text"], y)
    assert clf.classes_.tolist() == ["long", "short"]
    # the encoder came from the checkpoint: same vocabulary, same embedding shape
    assert clf.tokenizer_.get_vocab() == AutoTokenizer.from_pretrained(saved).get_vocab()


def test_fine_tunes_a_bare_discriminator_checkpoint(tmp_path, fitted):
    """A pretrained discriminator (no classification head), as ELECTRA releases them."""
    config = ElectraConfig(**{**fitted.module_.config.to_dict(), "architectures": None})
    ElectraForPreTraining(config).save_pretrained(tmp_path)
    fitted.tokenizer_.save_pretrained(tmp_path)
    clf = ElectraClassifier(model=str(tmp_path), max_epochs=1).fit(["a", "b", "c", "d"], [0, 1, 0, 1])
    assert clf.predict(["a"]).shape == (1,)
    with pytest.raises(ValueError, match="no SequenceClassification head"):
        ElectraClassifier.from_pretrained(tmp_path)


def test_saving_replaces_an_existing_directory(fitted, tmp_path):
    (tmp_path / "stale.txt").write_text("old")
    fitted.save_pretrained(tmp_path)
    assert not (tmp_path / "stale.txt").exists()
    assert not [p for p in os.listdir(tmp_path.parent) if ".tmp-" in p or ".old-" in p]


def test_checkpoint_errors(tmp_path, fitted):
    with pytest.raises(ValueError, match="missing config.json"):
        ElectraClassifier(model=str(tmp_path)).fit(["a", "b"], [0, 1])
    (tmp_path / "config.json").write_text(ElectraConfig().to_json_string())
    with pytest.raises(ValueError, match="missing model.safetensors"):
        ElectraClassifier(model=str(tmp_path)).fit(["a", "b"], [0, 1])
    bert = tmp_path / "bert"
    BertModel(BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64)).save_pretrained(bert)
    with pytest.raises(ValueError, match="not ELECTRA"):
        ElectraClassifier(model=str(bert)).fit(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="does not exist"):
        ElectraClassifier(model=str(tmp_path / "nope") + "/").fit(["a", "b"], [0, 1])


def test_from_pretrained_refuses_another_estimators_directory(saved, tmp_path):
    meta = json.loads((saved / "sklearn_electra.json").read_text())
    assert meta["estimator"] == "ElectraClassifier"
    other = tmp_path / "other"
    other.mkdir()
    for name in os.listdir(saved):
        (other / name).write_bytes((saved / name).read_bytes())
    meta["estimator"] = "ElectraTagger"
    (other / "sklearn_electra.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="ElectraTagger.from_pretrained"):
        ElectraClassifier.from_pretrained(other)


def test_tokenizer_can_be_a_path_or_an_object(saved, fitted):
    X, y = ["good phone", "bad phone", "nice", "awful"], [1, 0, 1, 0]
    by_path = ElectraClassifier(tokenizer=str(saved), max_epochs=1).fit(X, y)
    by_object = ElectraClassifier(tokenizer=fitted.tokenizer_, max_epochs=1).fit(X, y)
    assert by_path.tokenizer_.get_vocab() == by_object.tokenizer_.get_vocab() == fitted.tokenizer_.get_vocab()
    assert by_path.module_.config.vocab_size == len(fitted.tokenizer_)
    with pytest.raises(ValueError, match="Could not load a tokenizer"):
        ElectraClassifier(tokenizer=str(saved / "missing")).fit(X, y)


@pytest.mark.parametrize("damage, match", [
    (lambda d: (d / "model.safetensors").write_bytes((d / "model.safetensors").read_bytes()[:1000]),
     "Could not read the checkpoint.*corrupt or incomplete"),
    (lambda d: (d / "config.json").write_text("{not json"), "Could not read the checkpoint"),
    (lambda d: (d / "tokenizer.json").write_text("{broken"), "Could not load a tokenizer"),
    (lambda d: (d / "sklearn_electra.json").write_text("{broken"), "sklearn_electra.json.*not valid JSON"),
])
def test_corrupt_checkpoints_get_a_clear_error(saved, tmp_path, damage, match):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in os.listdir(saved):
        (copy / name).write_bytes((saved / name).read_bytes())
    damage(copy)
    with pytest.raises(ValueError, match=match):
        ElectraClassifier.from_pretrained(copy)
