"""int8 inference (``quantize="int8"``) and ONNX export (``to_onnx``)."""

import copy
import importlib.util
import json
import warnings
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklearn_electra import (
    TextTruncationWarning,
    ElectraClassifier,
    ElectraEmbedder,
    ElectraRTDPretrainer,
    ElectraTagger,
)
from sklearn_electra.serving import quantize_module

from .conftest import reporting_cuts, FAST, onnx_feeds

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ort = pytest.importorskip("onnxruntime")


def linear_types(module):
    return {type(m) for m in module.modules() if "Linear" in type(m).__name__}


# ------------------------------------------------------------------ int8
def test_int8_predictions_stay_close_and_the_fp32_model_is_untouched(fitted, reviews):
    clf = copy.deepcopy(fitted)
    _, test = reviews
    proba = clf.predict_proba(test["text"])
    clf.set_params(quantize="int8")
    proba_int8 = clf.predict_proba(test["text"])
    assert linear_types(clf.module_) == {torch.nn.Linear}  # training weights stay fp32
    assert not np.array_equal(proba, proba_int8)  # the int8 model did run
    np.testing.assert_allclose(proba_int8.sum(axis=1), 1, rtol=1e-5)
    assert np.abs(proba - proba_int8).max() < 0.05
    agreement = (clf.classes_[proba.argmax(1)] == clf.predict(test["text"])).mean()
    assert agreement >= 0.95


def test_quantize_module_replaces_every_linear_layer(fitted):
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

    quantized = quantize_module(fitted.module_)
    n_linear = sum(type(m) is torch.nn.Linear for m in fitted.module_.modules())
    assert torch.nn.Linear not in linear_types(quantized)
    assert sum(isinstance(m, DynamicInt8Linear) for m in quantized.modules()) == n_linear
    with pytest.raises(ValueError, match="'int4' is not supported"):
        quantize_module(fitted.module_, "int4")


def test_int8_conversion_keeps_torchs_deprecation_notices_to_itself():
    # torch 2.x announces eager quantization's move to torchao; a user who turns warnings
    # into errors must still be able to serve in int8. Some notices are C++ warn-once ones,
    # which set_warn_always re-emits, so this holds whichever test quantized first (and in
    # this process, where mutation testing can see which function the test runs).
    was = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            quantized = quantize_module(torch.nn.Sequential(torch.nn.Linear(4, 4)))
    finally:
        torch.set_warn_always(was)
    assert type(quantized[0]).__module__.startswith("torch.ao.nn.quantized.dynamic")


@pytest.mark.parametrize("ao", [{}, {"quantization": object()}], ids=["no-module", "no-function"])
def test_a_torch_without_eager_quantization_is_named(fitted, monkeypatch, ao):
    from types import SimpleNamespace

    monkeypatch.setattr(torch, "ao", SimpleNamespace(**ao))
    with pytest.raises(ValueError) as info:
        quantize_module(fitted.module_)
    assert str(info.value) == (
        f"This PyTorch ({torch.__version__}) no longer has torch.ao.quantization.quantize_dynamic; "
        "use quantize=None, or export with to_onnx() and quantize the ONNX model with "
        "onnxruntime.quantization.quantize_dynamic.")


def test_the_int8_copy_is_made_once_per_state_of_the_weights(fitted, monkeypatch):
    from sklearn_electra import serving

    made, real = [], serving.quantize_module
    monkeypatch.setattr(serving, "quantize_module", lambda m, d: made.append(d) or real(m, d))
    clf = copy.deepcopy(fitted).set_params(quantize="int8")
    first = clf.predict_proba(["good"])
    clf.predict_proba(["bad", "fine"])
    assert made == ["int8"]  # reused by the next call
    with torch.no_grad():
        next(clf.module_.parameters()).mul_(1.0)  # an in-place write: the copy may be stale
    np.testing.assert_array_equal(clf.predict_proba(["good"]), first)
    assert made == ["int8", "int8"]


def test_int8_copy_follows_further_training(fitted, reviews):
    train, test = reviews
    clf = copy.deepcopy(fitted).set_params(quantize="int8", max_epochs=1)
    before = clf.predict_proba(test["text"][:20])
    clf.partial_fit(train["text"], train["label"])  # weights change in place
    after = clf.predict_proba(test["text"][:20])
    fresh = copy.deepcopy(clf)
    fresh.__dict__.pop("_quantized", None)
    assert not np.allclose(before, after)
    np.testing.assert_array_equal(after, fresh.predict_proba(test["text"][:20]))


def test_int8_pickles_as_fp32_and_is_not_saved(fitted, tmp_path, reviews):
    _, test = reviews
    clf = copy.deepcopy(fitted).set_params(quantize="int8")
    expected = clf.predict_proba(test["text"][:20])
    restored = pickle.loads(pickle.dumps(clf))
    assert "_quantized" not in vars(restored)
    np.testing.assert_allclose(restored.predict_proba(test["text"][:20]), expected, atol=1e-6)
    assert clone(clf).quantize == "int8"
    clf.save_pretrained(tmp_path / "ckpt")
    meta = json.loads((tmp_path / "ckpt" / "sklearn_electra.json").read_text())
    assert "quantize" not in meta["params"]  # a serving choice, like device
    assert ElectraClassifier.from_pretrained(tmp_path / "ckpt").quantize is None


def test_int8_needs_cpu_fp32(reviews, fitted):
    train, _ = reviews
    bad = ElectraClassifier(**FAST, quantize="int8", precision="bf16")
    with pytest.raises(ValueError) as info:
        bad.fit(train["text"][:32], train["label"][:32])
    assert str(info.value) == (
        "quantize='int8' runs inference on the CPU in fp32 with int8 Linear layers; got "
        "device='cpu', precision='bf16'. Use device='cpu' and precision='fp32', or quantize=None "
        "(on a GPU, precision='bf16' or 'fp16' is the fast path).")
    assert not bad.initialized_  # refused before any training
    clf = copy.deepcopy(fitted).set_params(quantize="int8", precision="bf16")
    with pytest.raises(ValueError, match="precision='fp32'"):
        clf.predict(["text"])
    clf.set_params(quantize="int4", precision="fp32")
    with pytest.raises(ValueError, match="'int4' is not supported"):
        clf.predict(["text"])


def test_int8_tagger_embedder_and_pretrainer(reviews):
    train, _ = reviews
    texts = train["text"].tolist()[:64]
    sentences = [list(t[:20]) for t in texts]
    tags = [["O"] * len(s) for s in sentences]
    for i in range(0, 64, 2):
        tags[i][0] = "B-X"
    tagger = ElectraTagger(**FAST).fit(sentences, tags)
    fp32 = tagger.predict_proba(sentences[:8])
    int8 = tagger.set_params(quantize="int8").predict_proba(sentences[:8])
    assert [p.shape for p in fp32] == [p.shape for p in int8]
    assert max(np.abs(a - b).max() for a, b in zip(fp32, int8)) < 0.05

    emb = ElectraEmbedder(random_state=0).fit(texts)
    fp32 = emb.transform(texts[:8])
    int8 = emb.set_params(quantize="int8").transform(texts[:8])
    assert int8.shape == fp32.shape and not np.array_equal(int8, fp32)
    cosine = (fp32 * int8).sum(1) / np.linalg.norm(fp32, axis=1) / np.linalg.norm(int8, axis=1)
    assert cosine.min() > 0.99

    pre = ElectraRTDPretrainer(max_length=32, vocab_size=500, max_epochs=1, random_state=0,
                               quantize="int8").fit(texts)
    scores = pre.replaced_token_scores(texts[:2])
    assert all(0 <= p <= 1 for row in scores for _, p in row)
    assert len(pre.fill_mask("手机[MASK]好", top_k=3)[0]) == 3


# ------------------------------------------------------------------ ONNX
@pytest.fixture(scope="module")
def exported(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx") / "served"
    fitted.to_onnx(path)
    return path


def test_onnx_logits_match_pytorch_for_any_batch_and_length(fitted, exported, reviews):
    _, test = reviews
    session = ort.InferenceSession(str(exported / "model.onnx"))
    assert [(i.name, i.shape) for i in session.get_inputs()] == [
        (name, ["batch", "sequence"]) for name in ("input_ids", "attention_mask", "token_type_ids")]
    assert [(o.name, o.shape) for o in session.get_outputs()] == [("logits", ["batch", 2])]
    # one self-contained file: no external weights beside it
    assert sorted(os.listdir(exported)) == ["model.onnx", "sklearn_electra.json", "tokenizer.json"]
    texts = test["text"].tolist()
    for batch in ([texts[0]], texts[:3], texts[:17] + ["", "x " * 5000]):
        feeds = onnx_feeds(exported, batch)
        logits = session.run(None, feeds)[0]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours = fitted.forward(batch).numpy()
        cut = [w for w in caught if issubclass(w.category, TextTruncationWarning)]
        assert len(cut) == (len(batch) == 19)  # the served tokenizer cuts the long one too
        np.testing.assert_allclose(logits, ours, atol=1e-4)
    assert feeds["input_ids"].shape[1] == fitted.max_length  # truncation as in predict
    meta = json.loads((exported / "sklearn_electra.json").read_text())
    assert meta["classes"] == fitted.classes_.tolist()
    assert meta["onnx"] == {"file": "model.onnx", "output": "logits",
                            "inputs": ["input_ids", "attention_mask", "token_type_ids"]}
    import onnx

    opsets = {o.domain: o.version for o in onnx.load(str(exported / "model.onnx")).opset_import}
    assert opsets[""] == 18  # the documented opset (onnxruntime >= 1.14)


def test_onnx_serving_example_runs_without_torch(fitted, exported, reviews):
    _, test = reviews
    texts = test["text"].tolist()[:30]
    # The serving script must work where torch and transformers are not installed.
    blocker = ("import sys, runpy; sys.modules['torch'] = None; sys.modules['transformers'] = None;"
               " sys.modules['sklearn_electra'] = None; sys.argv = sys.argv[1:];"
               " runpy.run_path(sys.argv[0], run_name='__main__')")
    result = subprocess.run(
        [sys.executable, "-c", blocker, os.path.join(ROOT, "examples", "serve_onnx.py"),
         str(exported), "--json"], input="\n".join(texts), capture_output=True, text=True,
        timeout=120, check=True)
    served = json.loads(result.stdout)
    assert served["classes"] == fitted.classes_.tolist()
    np.testing.assert_allclose(served["proba"], fitted.predict_proba(texts), atol=1e-4)


def test_onnx_pairs_tagger_and_embedder(tmp_path, reviews):
    train, _ = reviews
    texts = train["text"].tolist()[:64]
    pairs = list(zip(texts[:32], texts[32:]))
    with pytest.warns(TextTruncationWarning, match="of 32 texts"):  # pairs past max_length=64
        clf = ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(pairs, [i % 2 for i in range(32)])
    clf.to_onnx(tmp_path / "pairs")
    session = ort.InferenceSession(str(tmp_path / "pairs" / "model.onnx"))
    logits = session.run(None, onnx_feeds(tmp_path / "pairs", pairs[:5]))[0]
    with pytest.warns(TextTruncationWarning, match="of 5 texts"):  # cut as the served tokenizer cuts
        np.testing.assert_allclose(logits, clf.forward(pairs[:5]).numpy(), atol=1e-4)

    emb = ElectraEmbedder(random_state=0, pooling="mean").fit(texts)
    emb.to_onnx(tmp_path / "emb")
    session = ort.InferenceSession(str(tmp_path / "emb" / "model.onnx"))
    assert session.get_outputs()[0].name == "embeddings"
    vectors = session.run(None, onnx_feeds(tmp_path / "emb", texts[:6]))[0]
    np.testing.assert_allclose(vectors, emb.transform(texts[:6]), atol=1e-4)

    pre = ElectraRTDPretrainer(max_length=32, vocab_size=500, max_epochs=1,
                               random_state=0).fit(texts)
    pre.to_onnx(tmp_path / "pre")
    session = ort.InferenceSession(str(tmp_path / "pre" / "model.onnx"))
    feeds = onnx_feeds(tmp_path / "pre", texts[:3])
    replaced = 1 / (1 + np.exp(-session.run(None, feeds)[0]))  # (B, L) replaced-token logits
    scored = reporting_cuts(pre, texts[:3], lambda: pre.replaced_token_scores(texts[:3]))
    for row, mask, scores in zip(replaced, feeds["attention_mask"], scored):
        np.testing.assert_allclose(row[mask == 1], [p for _, p in scores], atol=1e-4)

    sentences = [list(t[:30]) for t in texts]
    tags = [["B-X"] + ["O"] * (len(s) - 1) for s in sentences]
    tagger = ElectraTagger(**{**FAST, "max_epochs": 1}).fit(sentences, tags)
    tagger.to_onnx(tmp_path / "tagger")
    session = ort.InferenceSession(str(tmp_path / "tagger" / "model.onnx"))
    dataset = tagger.get_dataset(sentences[:4])  # the tagger's own word-aligned windows
    width = dataset.lengths.max()
    feeds = {name: np.zeros((len(dataset), width), dtype=np.int64)
             for name in ("input_ids", "attention_mask", "token_type_ids")}
    for i, (ids, types) in enumerate(zip(dataset.input_ids, dataset.token_type_ids)):
        feeds["input_ids"][i, :len(ids)] = ids
        feeds["attention_mask"][i, :len(ids)] = 1
        feeds["token_type_ids"][i, :len(ids)] = types
    logits = session.run(None, feeds)[0]  # (windows, L, n_tags)
    for row, ref in zip(logits, tagger.forward(dataset)):
        np.testing.assert_allclose(row[: len(ref)], ref.numpy(), atol=1e-4)


def test_onnx_export_needs_onnx_packages(fitted, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    for missing, named in ((("onnxscript",), "onnxscript"), (("onnx", "onnxscript"), "onnx and onnxscript")):
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name in missing else real(name, *a))
        with pytest.raises(ImportError) as info:
            fitted.to_onnx(tmp_path / "x")
        assert str(info.value) == (f"to_onnx() needs {named}: pip install 'sklearn-electra[onnx]' "
                                   "(or pip install onnx onnxscript).")
        assert not (tmp_path / "x").exists()
