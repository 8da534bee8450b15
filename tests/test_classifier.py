"""Behaviour of ElectraClassifier: learning, labels, inputs, persistence, sklearn contract."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from sklearn_electra import ElectraClassifier, TextTruncationWarning

from .conftest import FAST, fold_scores


def test_learns_real_sentiment(reviews):
    """Beats the majority class on held-out Chinese reviews after a short fit."""
    from sklearn_electra.datasets import load_chinese_reviews

    train, test = load_chinese_reviews()
    train, test = train.sample(2000, random_state=1), test.sample(400, random_state=1)
    with pytest.warns(TextTruncationWarning, match="of 2000 texts are longer than max_length=64"):
        clf = ElectraClassifier(**{**FAST, "max_epochs": 3}).fit(train["text"], train["label"])
    majority = test["label"].value_counts(normalize=True).max()
    with pytest.warns(TextTruncationWarning, match="of 400 texts"):  # whole reviews: some are cut
        assert clf.score(test["text"], test["label"]) > majority + 0.1
    losses = clf.history_[:, "train_loss"]
    assert losses[-1] < losses[0]


def test_predict_returns_original_labels(fitted, reviews):
    _, test = reviews
    pred = fitted.predict(test["text"])
    assert pred.dtype == object and set(pred) <= {"neg", "pos"}
    assert list(fitted.classes_) == ["neg", "pos"] and fitted.n_classes_ == 2
    proba = fitted.predict_proba(test["text"])
    assert proba.shape == (len(test), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(pred, fitted.classes_[proba.argmax(1)])
    assert fitted.score(test["text"], test["label"]) == np.mean(pred == test["label"].to_numpy())


def test_predict_proba_keeps_input_order(fitted, reviews):
    texts = reviews[1]["text"].tolist()[:40]
    proba = fitted.predict_proba(texts)
    single = np.vstack([fitted.predict_proba([t]) for t in texts[:8]])
    np.testing.assert_allclose(proba[:8], single, atol=1e-5)
    np.testing.assert_allclose(fitted.predict_proba(texts[::-1]), proba[::-1], atol=1e-5)


@pytest.mark.parametrize("kind", ["list", "tuple", "series", "frame", "array", "object_array", "index"])
def test_accepts_common_containers(fitted, reviews, kind):
    texts = reviews[1]["text"].tolist()[:10]
    data = {
        "list": texts, "tuple": tuple(texts), "series": pd.Series(texts, index=range(100, 110)),
        "frame": pd.DataFrame({"t": texts}), "array": np.array(texts),
        "object_array": np.array(texts, dtype=object), "index": pd.Index(texts),
    }[kind]
    np.testing.assert_allclose(fitted.predict_proba(data), fitted.predict_proba(texts), atol=1e-6)


@pytest.mark.parametrize("labels", [[0, 1], [3, 7], ["a", "b"], [True, False], [-1.0, 2.0]])
def test_label_types_round_trip(labels):
    X = ["good", "fine", "bad", "awful"] * 4
    y = [labels[0], labels[0], labels[1], labels[1]] * 4
    clf = ElectraClassifier(max_epochs=1, validation_fraction=None, random_state=0).fit(X, y)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.classes_.tolist() == sorted(labels)


def test_pandas_categorical_labels_and_three_classes():
    X = pd.Series(["red apple", "blue sky", "green grass"] * 6)
    y = pd.Series(["r", "b", "g"] * 6, dtype="category")
    clf = ElectraClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (18, 3)
    assert clf.classes_.tolist() == ["b", "g", "r"]


def test_same_seed_same_model_different_seed_different(reviews):
    train, test = reviews
    kw = {**FAST, "max_epochs": 1}
    a = ElectraClassifier(**kw).fit(train["text"], train["label"]).predict_proba(test["text"])
    b = ElectraClassifier(**kw).fit(train["text"], train["label"]).predict_proba(test["text"])
    c = ElectraClassifier(**{**kw, "random_state": 1}).fit(train["text"], train["label"])
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c.predict_proba(test["text"]))


def test_unseeded_fits_differ():
    X, y = ["a b", "c d", "e f", "g h"], [0, 1, 0, 1]
    a = ElectraClassifier(max_epochs=1).fit(X, y).predict_proba(X)
    b = ElectraClassifier(max_epochs=1).fit(X, y).predict_proba(X)
    assert not np.allclose(a, b)


def test_seeded_fit_leaves_global_torch_rng_alone(reviews):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ElectraClassifier(max_epochs=1, random_state=0).fit(["a b", "c d", "e f", "g h"], [0, 1, 0, 1])
    assert torch.equal(torch.rand(3), expected)


def test_text_pairs_use_segment_ids():
    pairs = [("the cat sat", "a cat sat"), ("dogs bark", "the sky is blue"),
             ("it rains", "it is raining"), ("buy milk", "the car is red")] * 6
    y = [1, 0, 1, 0] * 6
    clf = ElectraClassifier(max_epochs=2, random_state=0).fit(pairs, y)
    frame = pd.DataFrame(pairs, columns=["premise", "hypothesis"])
    np.testing.assert_array_equal(clf.predict_proba(frame), clf.predict_proba(pairs))
    batch = next(iter(clf.get_iterator(clf.get_dataset(pairs[:2]))))[0]
    assert batch["token_type_ids"].max() == 1
    swapped = [(b, a) for a, b in pairs[:4]]
    assert not np.allclose(clf.predict_proba(swapped), clf.predict_proba(pairs[:4]))


class _RecordWidths(Callback):
    def initialize(self):
        self.widths = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.widths.append(batch[0]["input_ids"].shape[1])


def test_batches_are_padded_to_their_longest_text(reviews):
    train, _ = reviews
    recorder = _RecordWidths()
    ElectraClassifier(**{**FAST, "max_epochs": 1, "max_length": 128},
                      callbacks=[("widths", recorder)]).fit(train["text"], train["label"])
    assert max(recorder.widths) <= 128
    assert np.mean(recorder.widths) < 0.75 * 128


def test_truncation_is_reported_at_fit_and_at_every_inference_call():
    X = ["word " * 200, "short text", "another short one", "and one more"]
    with pytest.warns(TextTruncationWarning, match=r"1 of 4 texts are longer than max_length=32 "
                                                   r"tokens \(the longest has 202\)") as caught:
        clf = ElectraClassifier(max_epochs=1, max_length=32, vocab_size=100).fit(X, [0, 1, 0, 1])
    cuts = [w for w in caught if issubclass(w.category, TextTruncationWarning)]
    assert len(cuts) == 1 and cuts[0].filename == __file__
    # Two texts that differ only after the cut get the same outputs: the user is told.
    long_a, long_b = "word " * 40 + "good", "word " * 40 + "bad"
    for method in (clf.predict_proba, clf.predict, clf.predict_log_proba):
        with pytest.warns(TextTruncationWarning, match=r"2 of 3 texts .*the longest has 43") as caught:
            out = method([long_a, long_b, "short"])
        assert len(caught) == 1 and caught[0].filename == __file__
        # the same ids: equal up to float noise (a loaded machine's kernels may differ by 1 ulp)
        np.testing.assert_allclose(out[0], out[1], rtol=0, atol=1e-6)
    with pytest.warns(TextTruncationWarning, match="1 of 1 texts"):
        clf.score([long_a], [0])


def test_pickle_round_trips_predictions_exactly(fitted, reviews):
    texts = reviews[1]["text"]
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(texts), fitted.predict_proba(texts))


def test_clone_gives_unfitted_copy_with_same_params(fitted):
    copy = clone(fitted)
    assert copy.get_params() .keys() == fitted.get_params().keys()
    assert copy.get_params(deep=False) == fitted.get_params(deep=False)
    with pytest.raises(NotFittedError, match="This ElectraClassifier instance is not initialized"):
        copy.predict(["text"])


def test_routed_params_reach_model_optimizer_and_callbacks(reviews):
    train, _ = reviews
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}, module__dropout=0.0,
                            module__num_hidden_layers=1, optimizer__betas=(0.8, 0.9))
    clf.set_params(callbacks__early_stopping__patience=7)
    assert clf.get_params()["module__dropout"] == 0.0
    clf.fit(train["text"][:64], train["label"][:64])
    assert clf.module_.config.hidden_dropout_prob == 0.0
    assert clf.module_.config.attention_probs_dropout_prob == 0.0
    assert clf.module_.config.num_hidden_layers == 1
    assert clf.optimizer_.defaults["betas"] == (0.8, 0.9)
    assert dict(clf.callbacks_)["early_stopping"].patience == 7


def test_typo_in_routed_param_is_reported():
    with pytest.raises(ValueError, match="modul_dropout"):
        ElectraClassifier(modul_dropout=0.1).fit(["a", "b"], [0, 1])


def test_unknown_config_key_is_reported():
    with pytest.raises(ValueError, match="module__hiden_size is not an ElectraConfig"):
        ElectraClassifier(module__hiden_size=8).fit(["a", "b"], [0, 1])


def test_optimizer_groups_exclude_bias_and_layernorm_from_decay(fitted):
    assert {g["weight_decay"] for g in fitted.optimizer_.param_groups} == {0.0, 0.01}
    no_decay = [g for g in fitted.optimizer_.param_groups if g["weight_decay"] == 0.0]
    names = {id(p): n for n, p in fitted.module_.named_parameters()}
    assert all(names[id(p)].endswith("bias") or "LayerNorm" in names[id(p)]
               for g in no_decay for p in g["params"])


def test_pipeline_grid_search_and_cross_val_score(reviews):
    train, _ = reviews
    X, y = train["text"][:150], train["label"][:150]
    pipe = make_pipeline(FunctionTransformer(lambda s: [t.strip().lower() for t in s]),
                         ElectraClassifier(**{**FAST, "max_epochs": 1}))
    grid = {"electraclassifier__lr": [1e-4, 1e-3], "electraclassifier__module__dropout": [0.0, 0.1]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.predict(["不错"]).shape == (1,)
    parallel = GridSearchCV(pipe, {"electraclassifier__lr": [1e-4, 1e-3]}, cv=2, n_jobs=2).fit(X, y)
    sequential = GridSearchCV(pipe, {"electraclassifier__lr": [1e-4, 1e-3]}, cv=2, n_jobs=1).fit(X, y)
    np.testing.assert_allclose(parallel.cv_results_["mean_test_score"],
                               sequential.cv_results_["mean_test_score"])
    est, cv = ElectraClassifier(**{**FAST, "max_epochs": 1}), KFold(3, shuffle=True, random_state=0)
    np.testing.assert_array_equal(cross_val_score(est, X, y, cv=cv), fold_scores(est, X, y, cv))
    # The search scored each setting as fitting it on each fold by hand does (cv=2 is
    # stratified for a classifier).
    best = clone(pipe).set_params(**search.best_params_)
    assert search.best_score_ == fold_scores(best, X, y, StratifiedKFold(2)).mean()


def test_keyboard_interrupt_keeps_a_usable_model(reviews):
    train, test = reviews

    class Interrupt(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if training and len(net.history) == 2 and len(net.history[-1]["batches"]) == 3:
                raise KeyboardInterrupt

    clf = ElectraClassifier(**{**FAST, "max_epochs": 5}, callbacks=[("stop", Interrupt())])
    clf.fit(train["text"], train["label"])
    assert len(clf.history_) == 2
    assert clf.predict_proba(test["text"]).shape == (len(test), 2)


def test_partial_fit_and_warm_start_continue_training(reviews):
    train, _ = reviews
    X, y = train["text"][:64], train["label"][:64]
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
    before = clf.module_.electra.embeddings.word_embeddings.weight.detach().clone()
    clf.partial_fit(X, y)
    assert len(clf.history_) == 2
    assert not torch.equal(before, clf.module_.electra.embeddings.word_embeddings.weight)
    vocab = clf.tokenizer_.get_vocab()
    clf.set_params(warm_start=True).fit(["totally new words here"] * 4 + list(X[:4]), ["neg", "pos"] * 4)
    assert clf.tokenizer_.get_vocab() == vocab  # tokenizer kept on warm start
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(["x", "y"], ["neg", "maybe"])


def test_bf16_autocast_runs_on_cpu():
    clf = ElectraClassifier(max_epochs=1, precision="bf16", random_state=0, validation_fraction=None)
    clf.fit(["good one", "bad one", "fine one", "poor one"], [1, 0, 1, 0])
    proba = clf.predict_proba(["good"])
    assert proba.dtype == np.float32 and np.isfinite(proba).all()
