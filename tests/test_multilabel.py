"""Multi-label ElectraClassifier: indicator matrices and label lists, trained for real."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MultiLabelBinarizer

from sklearn_electra import ElectraClassifier

from .conftest import fold_scores, onnx_feeds

MARKERS = {"sports": "football", "politics": "election", "tech": "software"}
PARAMS = dict(max_length=48, vocab_size=600, max_epochs=10, batch_size=16, lr=2e-3, random_state=0)


def marked(texts, rng):
    """Real review texts, each given a random set of topics whose marker word is inserted."""
    out, labels = [], []
    for text in texts:
        topics = [t for t in MARKERS if rng.random() < 0.4]
        words = [MARKERS[t] for t in topics]
        cut = int(rng.integers(0, len(text) + 1))
        out.append(text[:cut] + " " + " ".join(words) + " " + text[cut:])
        labels.append(topics)
    return out, labels


@pytest.fixture(scope="module")
def data(reviews):
    rng = np.random.default_rng(0)
    train, test = reviews
    X, y = marked([t[:20] for t in train["text"]], rng)
    X_test, y_test = marked([t[:20] for t in test["text"]], rng)
    return X, y, X_test, y_test


@pytest.fixture(scope="module")
def clf(data):
    X, y, _, _ = data
    return ElectraClassifier(**PARAMS).fit(X, y)


def indicator(labels, classes=tuple(sorted(MARKERS))):
    return MultiLabelBinarizer(classes=list(classes)).fit_transform(labels)


def test_label_lists_learn_every_label_and_answer_as_lists(clf, data):
    _, _, X_test, y_test = data
    assert clf.target_type_ == "multilabel-sequences"
    assert clf.classes_.tolist() == ["politics", "sports", "tech"]
    pred = clf.predict(X_test)
    assert isinstance(pred, list) and all(isinstance(p, list) for p in pred)
    truth = indicator(y_test)
    micro = f1_score(truth, indicator(pred), average="micro")
    all_positive = f1_score(truth, np.ones_like(truth), average="micro")
    assert micro > 0.8 and micro > all_positive + 0.2  # all-negative scores 0
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3) and ((proba >= 0) & (proba <= 1)).all()
    assert not np.allclose(proba.sum(axis=1), 1)  # one sigmoid per label, not a softmax
    assert clf.score(X_test, y_test) == pytest.approx(
        np.mean([set(p) == set(t) for p, t in zip(pred, y_test)]))
    assert "valid_acc" in clf.history[-1]


def test_threshold_decides_which_labels_are_predicted(clf, data):
    X_test = data[2][:40]
    proba = clf.predict_proba(X_test)
    strict = clone(clf).set_params(threshold=0.99)
    strict.__dict__.update({k: v for k, v in vars(clf).items() if k.endswith("_")})
    expected = [[c for c, p in zip(clf.classes_, row) if p >= 0.99] for row in proba]
    assert strict.predict(X_test) == expected


def test_indicator_dataframe_names_classes_and_answers_as_a_matrix(data):
    X, y, X_test, y_test = data
    frame = pd.DataFrame(indicator(y), columns=["politics", "sports", "tech"])[["tech", "sports",
                                                                                  "politics"]]
    est = ElectraClassifier(**{**PARAMS, "max_epochs": 8}).fit(pd.Series(X), frame)
    assert est.target_type_ == "multilabel-indicator"
    assert est.classes_.tolist() == ["tech", "sports", "politics"]  # the columns' order, kept
    pred = est.predict(X_test)
    assert pred.shape == (len(X_test), 3) and set(np.unique(pred)) <= {0, 1}
    truth = pd.DataFrame(indicator(y_test), columns=["politics", "sports", "tech"])[est.classes_]
    assert f1_score(truth, pred, average="micro") > 0.75
    # score reads a DataFrame by column name, and takes sparse matrices
    reordered = truth[["politics", "sports", "tech"]]
    assert est.score(X_test, reordered) == est.score(X_test, truth) == \
        est.score(X_test, sp.csr_matrix(truth.to_numpy()))
    with pytest.raises(ValueError, match=r"pass y\[clf.classes_\]"):
        est.partial_fit(X[:20], frame[["sports", "tech", "politics"]].iloc[:20])


def test_sparse_and_numpy_indicators_and_rows_without_labels(data):
    X, y, _, _ = data
    matrix = indicator(y)
    matrix[:, 0] = 0  # a label nobody has
    with pytest.warns(UserWarning, match=r"1 labels never vary in y: 0 \(no text\)"):
        est = ElectraClassifier(**{**PARAMS, "max_epochs": 1}).fit(X, sp.csr_matrix(matrix))
    assert est.classes_.tolist() == [0, 1, 2]
    assert (matrix.sum(axis=1) == 0).any()  # texts with no label are fine
    assert est.predict(X[:3]).shape == (3, 3)


def test_stratified_split_survives_rare_label_sets(data):
    X, y, _, _ = data
    y = [list(labels) for labels in y]
    y[0], y[1] = ["rare"], ["rare", "tech"]  # a label on two texts only
    est = ElectraClassifier(**{**PARAMS, "max_epochs": 1}).fit(X, y)
    assert "rare" in est.classes_
    strata = est.target_.strata(indicator(y, est.classes_).astype(np.float32))
    assert strata[0] == strata[1] == est.classes_.tolist().index("rare")


def test_partial_fit_with_classes_and_form_checks(data):
    X, y, _, _ = data
    est = ElectraClassifier(**{**PARAMS, "max_epochs": 1})
    est.partial_fit(X[:30], y[:30], classes=["politics", "sports", "tech", "weather"])
    assert est.classes_.tolist() == ["politics", "sports", "tech", "weather"]
    est.partial_fit(X[30:60], y[30:60])
    with pytest.raises(ValueError, match=r"not seen in the first fit.*'opera'"):
        est.partial_fit(X[:2], [["opera"], []])
    with pytest.raises(ValueError, match="fitted on one list of labels per text"):
        est.partial_fit(X[:2], ["sports", "tech"])
    single = ElectraClassifier(**{**PARAMS, "max_epochs": 1}).fit(X[:40], ["a", "b"] * 20)
    with pytest.raises(ValueError, match="fitted on one label per text"):
        single.partial_fit(X[:2], [["a"], ["b"]])


@pytest.mark.parametrize("y, error, match", [
    ([[0.5, 1.0], [1.0, 0.0], [0.0, 1.0]], ValueError, r"y\[:, 0\] holds continuous values"),
    ([["a"], "b", ["c"]], TypeError, r"y\[1\] is a str, but other rows hold lists"),
    ([["a"], [None], ["c"]], ValueError, r"y\[1\] holds None"),
    ([["a"], ["b"]], ValueError, "3 texts but y has 2 label lists"),
    (pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, "x"]}), TypeError,
     "mutually sortable; column 'b' of y mixes int, str"),
])
def test_bad_multilabel_targets_get_clear_errors(y, error, match):
    with pytest.raises(error, match=match):
        ElectraClassifier(max_epochs=1).fit(["one", "two", "three"], y)


def test_export_loads_in_hugging_face_as_multi_label(clf, data, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    X_test = data[2][:12]
    clf.save_pretrained(tmp_path / "ml")
    loaded = ElectraClassifier.from_pretrained(tmp_path / "ml")
    assert loaded.target_type_ == "multilabel-sequences" and loaded.predict(X_test) == clf.predict(X_test)
    model = AutoModelForSequenceClassification.from_pretrained(tmp_path / "ml")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "ml")
    assert model.config.problem_type == "multi_label_classification"
    with torch.no_grad():
        encoded = tokenizer(X_test, padding=True, truncation=True, max_length=clf.max_length,
                            return_tensors="pt")
        logits = model(**encoded).logits
    np.testing.assert_allclose(torch.sigmoid(logits).numpy(), clf.predict_proba(X_test), atol=1e-5)
    scores = pipeline("text-classification", model=model, tokenizer=tokenizer, top_k=None)(X_test[:1])
    by_label = {s["label"]: s["score"] for s in scores[0]}
    np.testing.assert_allclose([by_label[c] for c in clf.classes_], clf.predict_proba(X_test[:1])[0],
                               atol=1e-5)
    assert pickle.loads(pickle.dumps(clf)).predict(X_test) == clf.predict(X_test)


def test_onnx_logits_match_for_multi_label(clf, data, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    clf.to_onnx(tmp_path / "onnx")
    texts = data[2][:5] + [""]
    feeds = onnx_feeds(tmp_path / "onnx", texts)
    logits = ort.InferenceSession(str(tmp_path / "onnx" / "model.onnx")).run(None, feeds)[0]
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), clf.predict_proba(texts), atol=1e-4)


def test_grid_search_with_multilabel_scorers(data):
    X, y, _, _ = data
    X, Y = X[:160], indicator(y[:160])
    small = {**PARAMS, "max_epochs": 2}
    pipe = make_pipeline(FunctionTransformer(lambda s: s), ElectraClassifier(**small))
    search = GridSearchCV(pipe, {"electraclassifier__threshold": [0.3, 0.5]}, cv=KFold(2),
                          scoring=["f1_micro", "f1_samples"], refit="f1_micro").fit(X, Y)
    assert np.isfinite(search.cv_results_["mean_test_f1_samples"]).all()
    scores = cross_val_score(ElectraClassifier(**small), X, y[:160], cv=KFold(2))  # label lists
    np.testing.assert_array_equal(scores, fold_scores(ElectraClassifier(**small), X, y[:160], KFold(2)))
    assert search.best_params_ == {"electraclassifier__threshold": max(
        (0.3, 0.5), key=lambda t: fold_scores(clone(pipe).set_params(electraclassifier__threshold=t),
                                              X, Y, KFold(2), scoring="f1_micro").mean())}


def test_tags_say_multi_label():
    assert ElectraClassifier().__sklearn_tags__().classifier_tags.multi_label
