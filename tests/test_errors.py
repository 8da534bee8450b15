"""Bad input gets a clear ValueError/TypeError naming the problem and the fix."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sklearn_electra import ElectraClassifier

X = ["good phone", "bad phone", "great screen", "poor screen"]
Y = ["pos", "neg", "pos", "neg"]


@pytest.mark.parametrize("bad, error, match", [
    ("just one string", ValueError, "Iterable over raw text documents expected"),
    ([], ValueError, "X is empty"),
    (["ok", None, "ok", "ok"], TypeError, r"X\[1\] is None"),
    (["ok", "ok", float("nan"), "ok"], TypeError, r"X\[2\] is NaN.*fillna"),
    (["ok", "ok", "ok", 3], TypeError, r"X\[3\] is an int"),
    (pd.Series(["ok", "ok", None, "ok"]), TypeError, r"X\[2\] is (None|NaN)"),
    ({"a", "b", "c", "d"}, TypeError, "ordered sequence"),
    (42, TypeError, "list, array or pandas object"),
    (pd.DataFrame({"a": X, "b": X, "c": X}), ValueError, "3 columns"),
    (np.array(X).reshape(2, 1, 2), ValueError, "1-dimensional"),
    ([("a", "b"), "c", ("d", "e"), ("f", "g")], ValueError, r"X\[1\] is a str, but X\[0\] is a text pair"),
])
def test_bad_texts(bad, error, match):
    with pytest.raises(error, match=match):
        ElectraClassifier(max_epochs=1).fit(bad, Y)


@pytest.mark.parametrize("y, error, match", [
    (None, ValueError, "requires y"),
    (["pos", "neg", "pos"], ValueError, "X has 4 texts but y has 3"),
    (["pos"] * 4, ValueError, "single class"),
    (["pos", None, "neg", "pos"], ValueError, r"y\[1\] is missing"),
    (["pos", 1, "neg", 2], TypeError, "mutually sortable"),
    ([0.1, 0.2, 0.3, 0.4], ValueError, r"^y holds continuous values \(0.1\): ElectraClassifier learns "
     "labels. For numeric targets use ElectraRegressor"),
    ([1.0, 2.0, 9.3e18, 1.0], ValueError, r"^y holds continuous values \(1.0\)"),  # int64 overflow
    ([{"a": 1}, "pos", "neg", "pos"], ValueError, r"^y\[0\] is a dict: a label is a string, a number"),
    ([1.0, 0.0, float("-inf"), 1.0], ValueError,
     r"^y\[2\] is -inf: a label must be finite\. For numeric targets use ElectraRegressor\.$"),
    (np.zeros((4, 2, 2)), ValueError, "1-dimensional"),
    (np.full((4, 2), 0.5), ValueError, r"y\[:, 0\] holds continuous values \(0.5\).*several "
     "label columns.*ElectraRegressor"),  # 2-d: several label columns, or labels per text
])
def test_bad_labels(y, error, match):
    with pytest.raises(error, match=match):
        ElectraClassifier(max_epochs=1).fit(X, y)


@pytest.mark.parametrize("params, match", [
    (dict(model="tinyy"), "Unknown model preset 'tinyy'"),
    (dict(model=3), "model"),
    (dict(max_length=513), "exceeds the model's position limit"),
    (dict(lr=-1.0), "'lr' parameter"),
    (dict(precision="fp8"), "'precision' parameter"),
    (dict(precision="fp16"), "needs a CUDA device"),
    (dict(validation_fraction=1.5), "'validation_fraction' parameter"),
    (dict(device="quantum"), "not a valid torch device"),
    (dict(module__num_attention_heads=3), "multiple of num_attention_heads"),
])
def test_bad_params(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ElectraClassifier(max_epochs=1, **params).fit(X, Y)


def test_cuda_requested_without_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        ElectraClassifier(device="cuda").fit(X, Y)
    with pytest.raises(ValueError, match="CUDA is not available"):
        ElectraClassifier(device="cuda:1").fit(X, Y)


def test_predict_before_fit():
    for method in ("predict", "predict_proba", "save_pretrained"):
        with pytest.raises(NotFittedError, match="This ElectraClassifier instance is not initialized"):
            getattr(ElectraClassifier(), method)(X)


def test_hub_id_offline_gets_a_clear_message(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ValueError, match="offline.*local directory"):
        ElectraClassifier(model="nobody/not-a-model").fit(X, Y)


def test_errors_do_not_lose_a_fitted_model(fitted):
    before = fitted.predict_proba(X)
    with pytest.raises(TypeError, match=r"X\[1\] is None, not a string"):
        fitted.predict(["ok", None])
    with pytest.raises(ValueError, match="Iterable over raw text documents expected, string "
                                         "object received"):
        fitted.predict("one string")
    np.testing.assert_array_equal(fitted.predict_proba(X), before)


def test_precision_logic_without_a_gpu(monkeypatch):
    from sklearn_electra.runtime import autocast_settings

    cuda = torch.device("cuda")
    assert autocast_settings(cuda, "fp16") == ("cuda", torch.float16, True)
    assert autocast_settings(torch.device("cpu"), "fp32") == ("cpu", None, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert autocast_settings(cuda, "bf16") == ("cuda", torch.bfloat16, False)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    with pytest.raises(ValueError, match="does not support bf16; use precision='fp16'"):
        autocast_settings(cuda, "bf16")


def test_missing_dataset_package_names_the_extra(monkeypatch):
    import importlib.util

    from sklearn_electra import datasets

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"sklearn-electra\[datasets\]"):
        datasets.load_bbc_news()


def test_a_failed_refit_keeps_the_fitted_model(fitted):
    import pickle

    model = pickle.loads(pickle.dumps(fitted))
    before = model.predict_proba(X)
    for bad_y, message in ((["pos"] * 4, "single class 'pos'"),
                           (["pos", None, "neg", "pos"], r"y\[1\] is missing"),
                           (["pos", "neg"], "X has 4 texts but y has 2 labels")):
        with pytest.raises(ValueError, match=message):
            model.fit(X, bad_y)
    with pytest.raises(ValueError, match="Unknown model preset"):
        model.set_params(model="tinyy").fit(X, Y)
    model.set_params(model="tiny")
    assert model.classes_.tolist() == ["neg", "pos"]
    np.testing.assert_array_equal(model.predict_proba(X), before)
