"""ElectraRegressor: tiny models trained for real on a learnable signal, and its contracts."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_electra import TextTruncationWarning, ElectraRegressor

from .conftest import fold_scores, onnx_feeds

RNG = np.random.default_rng(0)
FILLER = "the a of and to in is it that was for on with as at by this film phone very".split()


def counted_texts(n, rng):
    """Texts of filler words with k 'great' and m 'awful'; targets k - m (on a 1-10 scale) and k + m."""
    texts, targets = [], []
    for _ in range(n):
        k, m = rng.integers(0, 4, size=2)
        words = list(rng.choice(FILLER, size=rng.integers(3, 10))) + ["great"] * k + ["awful"] * m
        rng.shuffle(words)
        texts.append(" ".join(words))
        targets.append((5.5 + 1.5 * (k - m), float(k + m)))
    return texts, np.asarray(targets)


TRAIN_X, TRAIN_Y = counted_texts(480, RNG)
TEST_X, TEST_Y = counted_texts(120, RNG)
PARAMS = dict(max_length=32, vocab_size=300, max_epochs=8, batch_size=16, lr=2e-3, random_state=0)


@pytest.fixture(scope="module")
def reg():
    return ElectraRegressor(**PARAMS).fit(TRAIN_X, TRAIN_Y[:, 0])


@pytest.fixture(scope="module")
def reg2():
    frame = pd.DataFrame(TRAIN_Y, columns=["score", "count"])
    return ElectraRegressor(**PARAMS).fit(pd.Series(TRAIN_X), frame)


def test_learns_a_signal_in_the_targets_units(reg):
    pred = reg.predict(TEST_X)
    assert pred.shape == (len(TEST_X),) and pred.dtype == np.float64
    assert r2_score(TEST_Y[:, 0], pred) > 0.6
    assert reg.score(TEST_X, TEST_Y[:, 0]) == pytest.approx(r2_score(TEST_Y[:, 0], pred))
    # standardized training: the mean is learned, not left at the head's zero init
    assert abs(pred.mean() - TEST_Y[:, 0].mean()) < 1.0
    np.testing.assert_allclose(reg.target_mean_, [TRAIN_Y[:, 0].mean()])
    np.testing.assert_allclose(reg.target_scale_, [TRAIN_Y[:, 0].std()])


def test_several_targets(reg2):
    pred = reg2.predict(TEST_X)
    assert pred.shape == (len(TEST_X), 2) and reg2.n_outputs_ == 2
    assert (r2_score(TEST_Y, pred, multioutput="raw_values") > 0.5).all()


def test_outputs_keep_input_order_and_pandas_inputs(reg):
    pred = reg.predict(TEST_X[:30])
    np.testing.assert_allclose(reg.predict(TEST_X[:30][::-1]), pred[::-1], atol=1e-5)
    np.testing.assert_allclose(reg.predict(pd.Series(TEST_X[:30], index=range(100, 130))), pred,
                               atol=1e-5)


def test_save_load_pickle_and_hugging_face_give_raw_targets(reg, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    pred = reg.predict(TEST_X[:20])
    reg.save_pretrained(tmp_path / "reg")
    loaded = ElectraRegressor.from_pretrained(tmp_path / "reg")
    np.testing.assert_allclose(loaded.predict(TEST_X[:20]), pred, atol=1e-4)
    # loading unfolds the head back into standardized units: the same weights as before
    for (name, a), b in zip(reg.module_.state_dict().items(), loaded.module_.state_dict().values()):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5, msg=name)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(TEST_X[:20]), pred)

    model = AutoModelForSequenceClassification.from_pretrained(tmp_path / "reg")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "reg")
    assert model.config.problem_type == "regression" and model.config.num_labels == 1
    with torch.no_grad():
        out = model(**tokenizer(TEST_X[:20], padding=True, return_tensors="pt")).logits
    np.testing.assert_allclose(out[:, 0].numpy(), pred, atol=1e-4)


def test_refit_from_its_own_checkpoint_starts_from_its_predictions(reg, tmp_path):
    reg.save_pretrained(tmp_path / "reg")
    # new targets in other units: the loaded head is unfolded with the new statistics
    again = ElectraRegressor(model=str(tmp_path / "reg"), max_epochs=1, lr=1e-12,
                             random_state=0).fit(TRAIN_X, TRAIN_Y[:, 0] * 10 + 3)
    np.testing.assert_allclose(again.predict(TEST_X[:20]), reg.predict(TEST_X[:20]), atol=1e-3)


def test_onnx_and_int8_serve_raw_targets(reg, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    reg.to_onnx(tmp_path / "onnx")
    session = ort.InferenceSession(str(tmp_path / "onnx" / "model.onnx"))
    texts = TEST_X[:7] + ["", "great " * 400]
    feeds = onnx_feeds(tmp_path / "onnx", texts)
    assert session.get_outputs()[0].name == "predictions"
    with pytest.warns(TextTruncationWarning, match=r"1 of 9 texts .*the longest has 402"):
        ours = reg.predict(texts)  # the served tokenizer cuts the long one the same way
    np.testing.assert_allclose(session.run(None, feeds)[0][:, 0], ours, atol=1e-4)
    int8 = clone(reg).set_params(quantize="int8")
    int8.__dict__.update({k: v for k, v in vars(reg).items() if k.endswith("_")})
    assert np.corrcoef(int8.predict(TEST_X), reg.predict(TEST_X))[0, 1] > 0.95


def test_partial_fit_keeps_the_first_statistics(reg):
    est = pickle.loads(pickle.dumps(reg))
    est.set_params(max_epochs=1).partial_fit(TRAIN_X[:50], TRAIN_Y[:50, 0] + 100)
    np.testing.assert_allclose(est.target_mean_, reg.target_mean_)
    with pytest.raises(ValueError, match="fitted on 1"):
        est.partial_fit(TRAIN_X[:50], TRAIN_Y[:50])
    with pytest.raises(TypeError, match="takes no classes"):
        est.partial_fit(TRAIN_X[:50], TRAIN_Y[:50, 0], classes=[0, 1])


@pytest.mark.parametrize("y, match", [
    ([1.0, np.nan, 2.0, 3.0], r"NaN or infinite values in 1 rows \(first: \[1\]\)"),
    ([1.0, 2.0, np.inf, 3.0], r"first: \[2\]"),
    ([1.0, "high", 2.0, 3.0], r"y\[1\] is a str \('high'\), not a number"),
    ([2.5, 2.5, 2.5, 2.5], r"y is constant \(2.5 for every text\)"),
    ([0.0, 1.0, 2.0, 1.9e154], "float32 weights cannot hold"),
    ([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [4.0, 5.0]], "Column 1 of y is constant"),
    ([1.0, 2.0, 3.0], "4 texts but y has 3"),
    (None, "requires y"),
    (np.zeros((4, 1, 1)), "1-d .* or 2-d"),
])
def test_bad_targets_get_clear_errors(y, match):
    with pytest.raises(ValueError, match=match):
        ElectraRegressor(max_epochs=1).fit(["a", "b", "c", "d"], y)


def test_a_failed_fit_keeps_the_fitted_model(reg):
    est = pickle.loads(pickle.dumps(reg))
    before = est.predict(TEST_X[:5])
    with pytest.raises(ValueError, match=r"NaN or infinite values in 1 rows \(first: \[1\]\)"):
        est.fit(TRAIN_X[:4], [1.0, float("nan"), 2.0, 3.0])
    np.testing.assert_array_equal(est.predict(TEST_X[:5]), before)


def test_pipeline_grid_search_and_cross_val_score():
    X, y = TRAIN_X[:160], TRAIN_Y[:160, 0]
    small = dict(PARAMS, max_epochs=2)
    pipe = make_pipeline(FunctionTransformer(lambda s: [t.lower() for t in s]), ElectraRegressor(**small))
    search = GridSearchCV(pipe, {"electraregressor__lr": [1e-3, 2e-3]}, scoring="r2",
                          cv=KFold(2)).fit(X, y)
    assert np.isfinite(search.best_score_)
    scores = cross_val_score(ElectraRegressor(**small), X, y, cv=KFold(2), scoring="r2")
    np.testing.assert_array_equal(scores, fold_scores(ElectraRegressor(**small), X, y, KFold(2), "r2"))
    est = ElectraRegressor(**small)
    assert clone(est).get_params(deep=False) == est.get_params(deep=False)


def test_tags_say_multi_output_text_regressor():
    tags = ElectraRegressor().__sklearn_tags__()
    assert tags.estimator_type == "regressor" and tags.target_tags.multi_output
    assert tags.input_tags.string


def test_a_classification_checkpoint_cannot_predict_as_a_regressor(fitted, tmp_path):
    fitted.save_pretrained(tmp_path / "clf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="saved by ElectraClassifier"):
            ElectraRegressor.from_pretrained(tmp_path / "clf")


# ------------------------------------------------------------------ the target itself
def _target(y, weight=None):
    from sklearn_electra.targets import Regression

    return Regression("MyRegressor").fit(y, [None] * len(y), sample_weight=weight)


def test_the_target_standardizes_each_column_with_the_weights():
    target = _target([[1.0, 10.0], [3.0, 10.0], [5.0, 40.0]])
    assert target.mean_.tolist() == [3.0, 20.0]
    np.testing.assert_allclose(target.scale_, [np.sqrt(8 / 3), np.sqrt(200)])
    assert target.n_outputs == 2 and target.config() == {"num_labels": 2, "problem_type": "regression"}
    weighted = _target([1.0, 3.0, 5.0], weight=np.array([1.0, 0.0, 3.0]))
    assert weighted.mean_.tolist() == [4.0]  # (1 + 3 * 5) / 4, as scikit-learn's scalers
    np.testing.assert_allclose(weighted.scale_, [np.sqrt((9 + 3 * 1) / 4)])
    unweighted = _target([1.0, 3.0, 5.0], weight=np.zeros(3))  # all-zero weights: no weighting
    assert unweighted.mean_.tolist() == [3.0]
    encoded = target.encode([[3.0, 20.0], [5.0, 40.0]], [None, None])
    assert encoded.dtype == np.float32
    np.testing.assert_allclose(encoded, [[0.0, 0.0], [2 / np.sqrt(8 / 3), 20 / np.sqrt(200)]], rtol=1e-6)
    np.testing.assert_allclose(target.predict(torch.as_tensor(encoded)), [[3.0, 20.0], [5.0, 40.0]],
                               rtol=1e-6)
    assert _target([1.0, 2.0]).predict(torch.tensor([[1.0]])).shape == (1,)  # one column: 1-d


def test_the_target_names_what_it_cannot_learn():
    from sklearn_electra.targets import Regression

    def message(call):
        with pytest.raises(ValueError) as info:
            call()
        return str(info.value)

    assert message(lambda: _target([2.5, 2.5])) == \
        "y is constant (2.5 for every text): there is nothing to learn. A regressor needs targets that vary."
    assert message(lambda: _target([[1.0, 7.0], [2.0, 7.0]])).startswith("Column 1 of y is constant (7.0 ")
    # Constant within rounding of a large mean, not only exactly; the first text's value is named.
    assert message(lambda: _target([1e6, 1e6 + 1e-7])) == (
        "y is constant (1000000.0 for every text): there is nothing to learn. A regressor needs "
        "targets that vary.")
    assert message(lambda: _target([-1e-12, 1e-12])).startswith("y is constant")  # at the bound
    assert _target([-1.5e-12, 1.5e-12]).scale_[0] == pytest.approx(1.5e-12)  # above it
    assert Regression().mean_ is None and Regression().scale_ is None  # unfitted: no statistics
    assert _target([1e-7, 2e-7]).scale_[0] == pytest.approx(5e-8)  # small but varying: fine
    assert message(lambda: _target([1.0, 1e31])) == (
        "y holds values up to 1e+31; the model's float32 weights cannot hold targets beyond "
        "1e+30. Rescale y (e.g. y / 1e6 or log(y)).")
    assert _target([1.0, -1e30]).mean_[0] == pytest.approx(-5e29)  # the bound itself is fine
    target = _target([[1.0, 2.0], [2.0, 3.0]])
    assert message(lambda: target.encode([1.0], [None])) == (
        "y has 1 targets per text but the model was fitted on 2; pass the same columns, or call "
        "fit() to start over.")
    assert message(lambda: Regression().fit(None, [None])).startswith("ElectraRegressor requires y")


def test_the_targets_loss_prior_and_score():
    target = _target([0.0, 2.0])
    logits = torch.tensor([[1.0, 0.0], [0.0, 0.0], [3.0, 1.0]])
    encoded = torch.tensor([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    per_row = torch.tensor([0.5, 2.0, 2.0])  # each row's squared error, averaged over its columns
    assert float(target.loss(logits, encoded)) == pytest.approx(float(per_row.mean()))
    weight = torch.tensor([1.0, 0.0, 3.0])
    assert float(target.loss(logits, encoded, weight)) == pytest.approx((0.5 + 6.0) / 4)
    assert target.correct(logits, encoded) == (0, 0)  # no accuracy for numbers
    rows = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0]])
    # The variance around each column's mean (8/3 and 2), averaged over the columns.
    assert target.prior_loss(rows) == pytest.approx((8 / 3 + 2) / 2)
    w = np.array([1.0, 1.0, 2.0])  # means 2.5 and 2.5; rows' errors 4.25, 1.25, 2.25
    assert target.prior_loss(rows, weight=w) == pytest.approx((4.25 + 1.25 + 2 * 2.25) / 4)
    # Computed in float64 whatever the encoded dtype (float32 rounds this variance).
    close = np.array([[10000.1], [10000.3], [10000.7]], dtype=np.float32)
    assert target.prior_loss(close) == target.prior_loss(close.astype(np.float64))
    assert target.prior_loss(close, weight=np.array([1, 2, 1])) == \
        target.prior_loss(close.astype(np.float64), weight=np.array([1.0, 2.0, 1.0]))
    assert target.score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]) == pytest.approx(0.5)
    assert target.score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], sample_weight=[1, 1, 0]) == 1.0


def test_the_target_saves_and_restores_its_statistics():
    from sklearn_electra.targets import Regression

    target = _target([[1.0, 10.0], [3.0, 30.0]])
    meta = target.metadata()
    assert meta == {"target": "regression", "target_mean": [2.0, 20.0], "target_scale": [1.0, 10.0]}
    restored = Regression().restore(meta, [2, 20], [1, 10])  # integers, as a hand-written file
    assert restored.mean_.dtype == restored.scale_.dtype == np.float64
    assert restored.mean_.tolist() == [2.0, 20.0] and restored.scale_.tolist() == [1.0, 10.0]
    attributes = restored.attributes()
    assert attributes["n_outputs_"] == 2 and attributes["target_mean_"].tolist() == [2.0, 20.0]
    assert attributes["target_scale_"].tolist() == [1.0, 10.0]
    assert repr(Regression()).startswith("Regression(")


def test_a_plain_hugging_face_regression_head_predicts_raw_targets(reg, tmp_path):
    import os

    reg.save_pretrained(tmp_path / "reg")
    os.remove(tmp_path / "reg" / "sklearn_electra.json")  # as transformers alone would save it
    loaded = ElectraRegressor.from_pretrained(tmp_path / "reg")
    assert loaded.target_mean_.tolist() == [0.0] and loaded.target_scale_.tolist() == [1.0]
    np.testing.assert_allclose(loaded.predict(TEST_X[:10]), reg.predict(TEST_X[:10]), atol=1e-4)


def test_a_checkpoint_without_a_regression_head_names_the_way_to_fine_tune(fitted, tmp_path):
    import os

    fitted.save_pretrained(tmp_path / "clf")
    os.remove(tmp_path / "clf" / "sklearn_electra.json")
    with pytest.raises(ValueError) as info:
        ElectraRegressor.from_pretrained(tmp_path / "clf")
    assert str(info.value) == ("This checkpoint has no regression head to predict with. To "
                               "fine-tune it, use ElectraRegressor(model=path).fit(X, y).")


def test_partial_fit_takes_no_classes(reg):
    with pytest.raises(TypeError) as info:
        pickle.loads(pickle.dumps(reg)).partial_fit(TRAIN_X[:8], TRAIN_Y[:8, 0], classes=[1, 2])
    assert str(info.value) == "ElectraRegressor.partial_fit takes no classes: it has no labels."


def test_partial_fit_passes_the_weights_on_and_refuses_other_keywords(reg):
    again = pickle.loads(pickle.dumps(reg))
    with pytest.raises(ValueError, match=r"^X has 3 rows but sample_weight has 2 weights"):
        again.partial_fit(TRAIN_X[:3], TRAIN_Y[:3, 0], sample_weight=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"^ElectraRegressor.fit\(\) got unexpected keyword argument\(s\) \['epochs'\]"):
        again.partial_fit(TRAIN_X[:3], TRAIN_Y[:3, 0], epochs=2)


def test_messages_name_the_regressor_fitted_or_loaded(reg, tmp_path):
    import os

    bad = ["many", *TRAIN_Y[1:4, 0]]
    message = r"^y\[0\] is a str \('many'\), not a number\. ElectraRegressor learns numeric targets"
    with pytest.raises(ValueError, match=message):
        ElectraRegressor(**PARAMS).fit(TRAIN_X[:4], bad)
    reg.save_pretrained(tmp_path / "reg")
    with pytest.raises(ValueError, match=message):
        ElectraRegressor.from_pretrained(tmp_path / "reg").partial_fit(TRAIN_X[:4], bad)
    os.remove(tmp_path / "reg" / "sklearn_electra.json")  # a plain Hugging Face checkpoint
    with pytest.raises(ValueError, match=message):
        ElectraRegressor.from_pretrained(tmp_path / "reg").partial_fit(TRAIN_X[:4], bad)


def test_long_text_defaults_are_the_classifiers():
    from sklearn_electra import ElectraClassifier

    shared = ("long_texts", "stride", "window_pooling")
    assert [ElectraRegressor().get_params()[k] for k in shared] == [
        ElectraClassifier().get_params()[k] for k in shared]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_only_a_read_regression_head_with_as_many_targets_is_rescaled(reg, reg2, fitted, tmp_path):
    # A head built fresh (another number of targets, or a classifier's) predicts standardized
    # targets from the start: rescaling it would shift its zero bias.
    y = TRAIN_Y[:40, 0]  # mean 5.5-ish: a rescaled bias would be far from 0
    for name, source in (("two targets", reg2), ("classifier", fitted)):
        source.save_pretrained(tmp_path / name)
        new = ElectraRegressor(model=str(tmp_path / name)).initialize(TRAIN_X[:40], y)
        assert new.module_.classifier.out_proj.bias.tolist() == [0.0], name
    reg.save_pretrained(tmp_path / "same")
    same = ElectraRegressor(model=str(tmp_path / "same")).initialize(TRAIN_X[:40], y)
    assert same.module_.classifier.out_proj.bias.item() != 0.0
