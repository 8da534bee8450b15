"""``classifier.py`` part by part: its parameters, and how each output method hands the
model's logits to the fitted target (``target_``) with the estimator's own settings.

The models are tiny and trained for one epoch on eight texts (a fraction of a second);
what the outputs are worth is tested in ``tests/test_classifier.py``.
"""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_electra import ElectraClassifier

X = ["great phone", "love it", "battery died", "screen broke"] * 2
Y = ["pos", "pos", "neg", "neg"] * 2
# One epoch on eight texts learns nothing, and is not meant to.
pytestmark = pytest.mark.filterwarnings("ignore:The model did not learn")
FAST = {"max_epochs": 1, "random_state": 0, "vocab_size": 60, "verbose": 0}


@pytest.fixture(scope="module")
def clf():
    return ElectraClassifier(**FAST).fit(X, Y)


class Recorder:
    """A stand-in for ``target_`` that records what the estimator hands it."""

    def __init__(self, proba):
        self.proba, self.calls = proba, []

    def predict_proba(self, logits):
        self.calls.append(("predict_proba", logits))
        return self.proba

    def predict(self, logits, threshold):
        self.calls.append(("predict", logits, threshold))
        return np.array(["answer"] * len(logits), dtype=object)

    def score(self, y, predicted, sample_weight):
        self.calls.append(("score", y, predicted, sample_weight))
        return 0.25


OWN = {"threshold": "auto", "class_weight": None, "long_texts": "truncate", "stride": 32,
       "window_pooling": "mean", "teacher": None, "distill_temperature": 2.0, "distill_alpha": 0.5}


def test_own_parameters_their_defaults_and_storage():
    params = inspect.signature(ElectraClassifier).parameters
    assert list(params)[:9] == ["model", *OWN]
    assert {name: params[name].default for name in OWN} == OWN
    assert {name: getattr(ElectraClassifier(), name) for name in OWN} == OWN  # stored as shown
    given = {"threshold": 0.3, "class_weight": "balanced", "long_texts": "windows", "stride": 16,
             "window_pooling": "max", "teacher": "some/dir", "distill_temperature": 3.0,
             "distill_alpha": 0.2}
    est = ElectraClassifier("small", **given)
    assert est.model == "small" and {k: getattr(est, k) for k in given} == given
    assert repr(ElectraClassifier(stride=16)) == "ElectraClassifier(stride=16)"


@pytest.mark.parametrize("params, message", [
    ({"threshold": 0}, "The 'threshold' parameter of ElectraClassifier must be a float in the range "
                       "(0.0, 1.0) or a str among {'auto'}. Got 0 instead."),
    ({"threshold": 1}, "The 'threshold' parameter of ElectraClassifier must be a float in the range "
                       "(0.0, 1.0) or a str among {'auto'}. Got 1 instead."),
    ({"threshold": "best"}, "The 'threshold' parameter of ElectraClassifier must be a float in the "
                            "range (0.0, 1.0) or a str among {'auto'}. Got 'best' instead."),
    ({"class_weight": "bal"}, "The 'class_weight' parameter of ElectraClassifier must be None, a str "
                              "among {'balanced'}, an instance of 'dict' or an instance of 'list'. "
                              "Got 'bal' instead."),
    ({"class_weight": 2.0}, "The 'class_weight' parameter of ElectraClassifier must be None, a str "
                            "among {'balanced'}, an instance of 'dict' or an instance of 'list'. "
                            "Got 2.0 instead."),
])
def test_own_parameters_are_checked_at_fit(params, message):
    with pytest.raises(InvalidParameterError) as info:
        ElectraClassifier(**params, **FAST).fit(X, Y)
    assert str(info.value) == message


@pytest.mark.parametrize("params", [{"threshold": 0.01}, {"threshold": 0.99},
                                    {"class_weight": {"pos": 2.0, "neg": 1.0}},
                                    {"class_weight": "balanced"}])
def test_values_inside_the_constraints_fit(params):
    assert ElectraClassifier(**params, **FAST).fit(X, Y).classes_.tolist() == ["neg", "pos"]


def test_the_target_gets_the_threshold_the_class_weight_and_the_estimators_name():
    class MyClassifier(ElectraClassifier):
        pass

    est = MyClassifier(threshold=0.3, class_weight="balanced")
    target = est._new_target([["a"], ["b", "c"]])
    assert type(target).__name__ == "MultiLabel"
    assert target.threshold == 0.3 and target.class_weight == "balanced"
    with pytest.raises(ValueError, match=r"^MyClassifier requires y \(one label per text\); got None\.$"):
        est._new_target(None).fit(None, X)


def test_tags_say_multi_label_and_multi_output():
    tags = ElectraClassifier().__sklearn_tags__()
    assert tags.classifier_tags.multi_label is True and tags.target_tags.multi_output is True
    assert tags.input_tags.string is True  # the base's tags are kept


def test_predict_proba_hands_the_logits_to_the_target(clf, monkeypatch):
    logits = clf.forward(X[:3])
    recorder = Recorder(np.array([[0.5, 0.5]] * 3))
    monkeypatch.setattr(clf, "target_", recorder)
    assert clf.predict_proba(X[:3]) is recorder.proba
    (name, given), = recorder.calls
    assert name == "predict_proba"
    torch.testing.assert_close(given, logits)


def test_predict_hands_the_logits_and_the_estimators_threshold(clf, monkeypatch):
    recorder = Recorder(None)
    monkeypatch.setattr(clf, "target_", recorder)
    monkeypatch.setattr(clf, "threshold", 0.7)
    assert clf.predict(X[:2]).tolist() == ["answer", "answer"]
    (name, logits, threshold), = recorder.calls
    assert name == "predict" and threshold == 0.7 and logits.shape == (2, 2)


def test_score_compares_y_with_predict_under_the_sample_weights(clf, monkeypatch):
    recorder = Recorder(None)
    monkeypatch.setattr(clf, "target_", recorder)
    assert clf.score(X[:2], ["pos", "neg"], sample_weight=[1.0, 3.0]) == 0.25
    _, (name, y, predicted, weights) = recorder.calls
    assert name == "score" and y == ["pos", "neg"] and weights == [1.0, 3.0]
    assert predicted.tolist() == ["answer", "answer"]
    assert clf.score(X[:2], ["pos", "neg"]) == 0.25 and recorder.calls[-1][3] is None


def test_the_real_target_scores_accuracy_with_weights(clf):
    predicted = clf.predict(X)
    right = (predicted == np.array(Y)).astype(float)
    weights = np.arange(1.0, 9.0)
    assert clf.score(X, Y) == pytest.approx(right.mean())
    assert clf.score(X, Y, sample_weight=weights) == pytest.approx((right * weights).sum() / weights.sum())


@pytest.mark.parametrize("proba, expected", [
    (np.array([[0.0, 1.0], [0.25, 0.75]]), [[-np.inf, 0.0], [np.log(0.25), np.log(0.75)]]),
])
def test_log_proba_is_the_log_of_each_probability_without_warnings(clf, monkeypatch, proba, expected):
    monkeypatch.setattr(clf, "target_", Recorder(proba))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log(0) is -inf, said once here rather than warned
        logs = clf.predict_log_proba(X[:2])
        assert isinstance(logs, np.ndarray) and logs.shape == (2, 2)  # one array, as documented
        np.testing.assert_allclose(logs, expected)
        columns = [np.array([[0.0, 1.0]] * 2), np.array([[0.5, 0.25, 0.25]] * 2)]
        monkeypatch.setattr(clf, "target_", Recorder(columns))
        logs = clf.predict_log_proba(X[:2])
    assert isinstance(logs, list) and len(logs) == 2  # one array per label column
    np.testing.assert_allclose(logs[0], [[-np.inf, 0.0]] * 2)
    np.testing.assert_allclose(logs[1], np.log([[0.5, 0.25, 0.25]] * 2))


def test_a_saved_classifier_restores_its_target(clf, tmp_path):
    clf.save_pretrained(tmp_path / "clf")
    back = ElectraClassifier.from_pretrained(tmp_path / "clf")
    assert type(back.target_).__name__ == "SingleLabel" and back.classes_.tolist() == ["neg", "pos"]
    np.testing.assert_allclose(back.predict_proba(X), clf.predict_proba(X), atol=1e-6)
    multi = ElectraClassifier(**FAST).fit(X, pd.DataFrame({"a": [1, 0] * 4, "b": [0, 1, 1, 0] * 2}))
    multi.save_pretrained(tmp_path / "multi")
    back = ElectraClassifier.from_pretrained(tmp_path / "multi")
    assert type(back.target_).__name__ == "MultiLabel" and back.classes_.tolist() == ["a", "b"]
