"""The contracts of scikit-learn's numeric-only estimator checks, on texts, for all estimators.

Checks such as ``check_dict_unchanged`` or ``check_methods_sample_order_invariance``
build numeric matrices with ``make_blobs``, which a text estimator rejects by design
(see test_sklearn_checks.py). The property each one guards is tested here with real texts.
"""

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_electra import (ElectraClassifier, ElectraEmbedder, ElectraQuestionAnswerer, ElectraRegressor,
                             ElectraRTDPretrainer, ElectraTagger)

from .conftest import FAST

SMALL = {**FAST, "max_epochs": 1}


def _texts(reviews, n=60):
    return reviews[0]["text"].tolist()[:n]


def _case(name, reviews):
    """(unfitted estimator, X, y, output function) for each estimator."""
    texts = _texts(reviews)
    labels = reviews[0]["label"].tolist()[:60]
    if name == "classifier":
        return ElectraClassifier(**SMALL), texts, labels, lambda e, X: e.predict_proba(X)
    if name == "regressor":
        ratings = [len(t) % 7 + (2.0 if label == "pos" else 0.0) for t, label in zip(texts, labels)]
        return ElectraRegressor(**SMALL), texts, ratings, lambda e, X: e.predict(X)
    if name == "tagger":
        tokens = [list(t[:30]) for t in texts]
        tags = [["P" if c in "，。！？" else "O" for c in s] for s in tokens]
        return (ElectraTagger(**SMALL), tokens, tags,
                lambda e, X: np.concatenate([p.ravel() for p in e.predict_proba(X)]))
    if name == "qa":
        pairs = [("什么？", t) for t in texts]
        answers = [{"text": [t[:2]] if t[:2].strip() else [], "answer_start": [0] if t[:2].strip() else []}
                   for t in texts]
        return (ElectraQuestionAnswerer(**{**SMALL, "doc_stride": 8, "max_question_length": 8}), pairs,
                answers, lambda e, X: e.predict_spans(X, n_best=2)[["start", "end", "score"]].to_numpy())
    if name == "embedder":
        return ElectraEmbedder(**SMALL), texts, None, lambda e, X: e.transform(X)
    return (ElectraRTDPretrainer(**{**SMALL, "max_length": 48}), texts, None,
            lambda e, X: np.asarray([s for row in e.replaced_token_scores(X) for _, s in row]))


NAMES = ["classifier", "regressor", "tagger", "qa", "embedder", "pretrainer"]


@pytest.fixture(scope="module", params=NAMES)
def case(request, reviews):
    est, X, y, output = _case(request.param, reviews)
    return request.param, est, X, y, output


@pytest.fixture(scope="module")
def fitted_case(case):
    name, est, X, y, output = case
    params_before = copy.deepcopy(est.get_params(deep=False))
    returned = est.fit(X, y)
    return name, est, X, y, output, params_before, returned


def test_fit_returns_self_and_leaves_params_alone(fitted_case):
    # check_estimators_fit_returns_self, check_dont_overwrite_parameters,
    # check_estimators_overwrite_params
    name, est, X, y, output, params_before, returned = fitted_case
    assert returned is est
    after = est.get_params(deep=False)
    for key, value in params_before.items():
        assert repr(after[key]) == repr(value), key


def test_inference_does_not_change_the_estimator(fitted_case):
    # check_dict_unchanged
    name, est, X, y, output, _, _ = fitted_case
    before = {k: repr(v) for k, v in vars(est).items() if k not in ("history_",)}
    output(est, X[:10])
    after = {k: repr(v) for k, v in vars(est).items() if k not in ("history_",)}
    assert before == after


def test_outputs_follow_sample_order_and_do_not_depend_on_the_batch(fitted_case):
    # check_methods_sample_order_invariance, check_methods_subset_invariance
    name, est, X, y, output, _, _ = fitted_case
    X = X[:24]
    order = np.random.default_rng(0).permutation(len(X))
    whole = [output(est, [x]) for x in X]
    permuted = output(est, [X[i] for i in order])
    np.testing.assert_allclose(np.ravel(permuted), np.concatenate([whole[i].ravel() for i in order]),
                               rtol=1e-4, atol=1e-5)


def test_refit_with_the_same_seed_is_idempotent(fitted_case):
    # check_fit_idempotent
    name, est, X, y, output, _, _ = fitted_case
    again = clone(est).fit(X, y)
    np.testing.assert_array_equal(output(again, X[:10]), output(est, X[:10]))


def test_unfitted_estimators_raise_not_fitted(case):
    # check_estimators_unfitted / check_fit_check_is_fitted for every inference method
    name, est, X, y, output = case
    with pytest.raises(NotFittedError, match=f"This {type(est).__name__} instance is not initialized"):
        output(clone(est), X[:2])


def test_pickle_and_pipeline_give_the_same_outputs(fitted_case):
    # check_estimators_pickle, check_pipeline_consistency
    name, est, X, y, output, _, _ = fitted_case
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(output(loaded, X[:10]), output(est, X[:10]))
    if name in ("classifier", "regressor", "embedder"):
        pipe = make_pipeline(FunctionTransformer(lambda s: s), clone(est)).fit(X, y)
        method = {"classifier": "predict_proba", "regressor": "predict"}.get(name, "transform")
        step = getattr(pipe, method)
        np.testing.assert_array_equal(step(X[:10]), output(est, X[:10]))
