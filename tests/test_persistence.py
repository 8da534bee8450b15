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
    (lambda d: (d / "sklearn_electra.json").write_text("{broken"),
     r"sklearn_electra.json' is not valid JSON \(.+\); the checkpoint looks corrupt: write it again "
     r"with save_pretrained\(\)\.$"),
])
def test_corrupt_checkpoints_get_a_clear_error(saved, tmp_path, damage, match):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in os.listdir(saved):
        (copy / name).write_bytes((saved / name).read_bytes())
    damage(copy)
    with pytest.raises(ValueError, match=match):
        ElectraClassifier.from_pretrained(copy)


def test_metadata_names_the_class_version_and_the_plain_parameters(tmp_path):
    from sklearn_electra import __version__
    from .conftest import FAST

    est = ElectraClassifier(**{**FAST, "max_epochs": 1, "max_length": 48}, validation_fraction=None,
                            class_weight={"好": 2.0, "坏": 1.0}, module__hidden_dropout_prob=0.2)
    est.fit(["好 手机", "坏 手机", "好", "坏"], ["好", "坏", "好", "坏"])
    est.save_pretrained(tmp_path / "m")
    text = (tmp_path / "m" / "sklearn_electra.json").read_text(encoding="utf-8")
    meta = json.loads(text)
    assert (meta["estimator"], meta["version"]) == ("ElectraClassifier", __version__)
    params = meta["params"]
    assert params["max_length"] == 48 and params["random_state"] == 0 and params["lr"] == 1e-3
    assert "validation_fraction" in params and params["validation_fraction"] is None
    # a dict is no JSON-safe parameter, the module's settings live in config.json, the device
    # is where a model runs, not what it is
    assert not {"class_weight", "module__hidden_dropout_prob", "device", "model"} & set(params)
    # written for a person to read: indented, labels as they are, not as \u escapes
    assert text.startswith('{\n  "estimator": "ElectraClassifier",\n') and '"好"' in text
    again = ElectraClassifier.from_pretrained(tmp_path / "m")
    assert again.max_length == 48 and again.validation_fraction is None
    assert list(again.predict(["好 手机", "坏"])) == list(est.predict(["好 手机", "坏"]))


def test_metadata_round_trips_under_a_locale_that_is_not_utf8(tmp_path):
    # Windows' code pages and a bare C locale cannot encode every label: the file is UTF-8
    import subprocess
    import sys

    import sklearn_electra
    from sklearn_electra.persistence import read_metadata, write_metadata

    meta = {"classes": ["好", "café"]}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_metadata(tmp_path / "a", meta)
    # the C locale reads what was written here and writes it again, with this same package
    script = ("import sys; from sklearn_electra.persistence import write_metadata, read_metadata; "
              "write_metadata(sys.argv[2], read_metadata(sys.argv[1]))")
    package_root = os.path.dirname(os.path.dirname(sklearn_electra.__file__))
    env = dict(os.environ, LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0", PYTHONPATH=package_root)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "a"), str(tmp_path / "b")],
                          env=env, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert read_metadata(tmp_path / "b") == meta
    assert json.loads((tmp_path / "b" / "sklearn_electra.json").read_text(encoding="utf-8")) == meta


def test_from_pretrained_takes_a_tokenizer_given_in_place_of_the_saved_one(saved, tmp_path):
    from sklearn_electra.tokenization import train_wordpiece

    other = train_wordpiece(["entirely other words"] * 3, vocab_size=40)
    other.save_pretrained(tmp_path / "tok")
    est = ElectraClassifier.from_pretrained(saved, tokenizer=str(tmp_path / "tok"))
    assert est.tokenizer_.get_vocab() == other.get_vocab()


def test_model_card_must_be_text(fitted, tmp_path):
    with pytest.raises(TypeError) as err:
        fitted.save_pretrained(tmp_path / "m", model_card=3)
    assert str(err.value) == "model_card must be a string (Markdown), not int."
    fitted.save_pretrained(tmp_path / "m", model_card="Trained on phone reviews; not for medical text.")
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "Trained on phone reviews; not for medical text." in card


def test_an_atomic_write_happens_beside_its_target_and_leaves_one_folder(tmp_path, monkeypatch):
    from sklearn_electra.persistence import write_dir_atomically

    target, written = tmp_path / "model", []

    def write(name):
        def into(tmp):
            written.append(tmp)
            (tmp_path / tmp / name).write_text(name)
        return into

    write_dir_atomically(target, write("a"))
    # beside the target and hidden: the final rename stays on one file system, so it is atomic
    assert os.path.dirname(written[0]) == str(tmp_path)
    assert os.path.basename(written[0]).startswith(".model.tmp-")
    moves, real_replace = [], os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (moves.append((a, b)), real_replace(a, b))[1])
    write_dir_atomically(target, write("b"))
    (aside_from, aside_to), (new_from, new_to) = moves
    assert aside_from == str(target) and os.path.dirname(aside_to) == str(tmp_path)
    assert os.path.basename(aside_to).startswith(".model.old-")
    assert (new_from, new_to) == (written[1], str(target))
    assert os.listdir(target) == ["b"] and os.listdir(tmp_path) == ["model"]


def test_a_failed_write_raises_its_own_error_and_leaves_what_was_there(tmp_path):
    import shutil

    from sklearn_electra.persistence import write_dir_atomically

    def fail(tmp):
        (tmp_path / tmp / "half").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="^disk full$"):
        write_dir_atomically(tmp_path / "new", fail)
    assert os.listdir(tmp_path) == []
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "x").write_text("old")
    with pytest.raises(RuntimeError, match="^disk full$"):
        write_dir_atomically(tmp_path / "kept", fail)
    assert os.listdir(tmp_path) == ["kept"] and (tmp_path / "kept" / "x").read_text() == "old"

    def vanish(tmp):  # a writer that cleaned up after itself before failing
        shutil.rmtree(tmp)
        raise RuntimeError("gave up")

    with pytest.raises(RuntimeError, match="^gave up$"):
        write_dir_atomically(tmp_path / "kept", vanish)
    assert os.listdir(tmp_path) == ["kept"]
