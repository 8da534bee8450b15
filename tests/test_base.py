"""The base's contracts: one test per leak the one-class base had (issue: "One base made of parts").

Each test here failed on the single-class base and passes on the composed one.
"""

import copy
import pickle
import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_electra import ElectraClassifier, ElectraEmbedder, ElectraRTDPretrainer

from .conftest import FAST

TRAINING_PARAMS = {"lr", "max_epochs", "optimizer", "weight_decay", "warmup_ratio", "layerwise_lr_decay",
                   "gradient_accumulation_steps", "max_grad_norm", "validation_fraction",
                   "early_stopping", "n_iter_no_change", "callbacks", "warm_start", "checkpoint_dir",
                   "accelerator", "predict_batch_size", "verbose"}


@pytest.fixture(scope="module")
def data(reviews):
    train, test = reviews
    return train["text"][:160].tolist(), train["label"][:160].to_numpy(), test["text"][:40].tolist()


# ------------------------------------------------------------ inherited methods
def test_embedder_has_no_predict_and_says_to_call_transform(reviews):
    texts = reviews[1]["text"][:30].tolist()
    emb = ElectraEmbedder(random_state=0).fit(texts)
    assert not hasattr(emb, "predict") and not hasattr(emb, "predict_proba")
    with pytest.raises(AttributeError, match=r"use transform\(X\)"):
        emb.predict(texts)
    # forward, which transform uses, answers in input order (texts have varied lengths)
    one_by_one = np.vstack([emb.transform([t]) for t in texts])
    np.testing.assert_allclose(emb.transform(texts), one_by_one, atol=1e-5)


def test_pretrainer_refuses_skorch_inference_and_names_its_own(reviews):
    pre = ElectraRTDPretrainer(**{**FAST, "max_epochs": 1}).fit(reviews[0]["text"][:60])
    for method in ("predict", "predict_proba", "forward", "forward_iter"):
        assert not hasattr(pre, method)
        with pytest.raises(AttributeError, match=r"fill_mask\(texts\).*replaced_token_scores\(texts\)"):
            getattr(pre, method)(["很好"])


def test_embedder_exposes_no_training_parameter():
    params = set(ElectraEmbedder().get_params())
    assert not params & TRAINING_PARAMS
    for method in ("fit_loop", "train_step", "validation_step", "get_loss", "initialize_optimizer"):
        assert not hasattr(ElectraEmbedder(), method), method
    assert "lr :" not in ElectraEmbedder.__doc__ and "pooling :" in ElectraEmbedder.__doc__


def test_each_estimator_documents_its_own_defaults():
    doc = ElectraRTDPretrainer.__doc__
    assert "max_epochs : int or None, default=10" in doc
    assert "validation_fraction : float or None, default=None" in doc
    assert "pretraining rate" in doc  # its own description of lr
    assert "max_epochs : int or None, default=None" in ElectraClassifier.__doc__
    assert "validation_fraction : float or None, default=0.1" in ElectraClassifier.__doc__
    assert "batch_size : int, default=64" in ElectraEmbedder.__doc__
    assert "batch_size : int, default=32" in ElectraClassifier.__doc__


# ------------------------------------------------------------ partial_fit(classes=)
def test_partial_fit_takes_classes_like_scikit_learns_incremental_classifiers(data):
    X, y, X_test = data
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1})
    only_neg = [t for t, label in zip(X, y) if label == "neg"][:32]
    clf.partial_fit(only_neg, ["neg"] * len(only_neg), classes=["pos", "neg"])
    assert clf.classes_.tolist() == ["neg", "pos"]
    assert clf.predict_proba(X_test).shape == (len(X_test), 2)
    clf.partial_fit(X[:32], y[:32])  # later calls may omit classes
    clf.partial_fit(X[:32], y[:32], classes=["neg", "pos"])  # or repeat them
    with pytest.raises(ValueError, match="differs from the classes learned"):
        clf.partial_fit(X[:32], y[:32], classes=["neg", "pos", "meh"])
    with pytest.raises(ValueError, match=r"not seen in the first fit \(or in classes=\): \['meh'\]"):
        ElectraClassifier(**FAST).partial_fit(X[:3], ["neg", "pos", "meh"], classes=["neg", "pos"])
    with pytest.raises(ValueError, match="classes has a single class 'neg'"):
        ElectraClassifier(**FAST).partial_fit(X[:2], ["neg", "neg"], classes=["neg"])


# ------------------------------------------------------------ thread safety
@pytest.mark.parametrize("params", [{"device": "auto", "n_threads": 1}, {"quantize": "int8"}],
                         ids=["auto-device", "int8"])
def test_concurrent_predict_proba_equals_sequential(fitted, reviews, params):
    texts = reviews[1]["text"].tolist()
    clf = pickle.loads(pickle.dumps(fitted)).set_params(**params)
    # Batches differ with the slice (and int8 quantizes activations per batch): compare slice to slice.
    expected = [clf.predict_proba(texts[i * 7:]) for i in range(4)]
    threads_before = torch.get_num_threads()
    start = threading.Barrier(4)
    results, errors = [None] * 4, []

    def work(i):
        try:
            start.wait()
            results[i] = [clf.predict_proba(texts[i * 7:]) for _ in range(3)]
        except Exception as exc:  # surfaced below with its traceback
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    for i, runs in enumerate(results):
        for proba in runs:
            np.testing.assert_array_equal(proba, expected[i])
    # nothing was left swapped in: the parameter, the fp32 model, the thread count
    assert clf.get_params()["device"] == params.get("device", "cpu")
    assert all(type(m) is torch.nn.Linear for m in clf.module_.modules()
               if isinstance(m, torch.nn.Linear) or "Linear" in type(m).__name__)
    assert torch.get_num_threads() == threads_before


# ------------------------------------------------------------ early stopping + checkpoints
class ScriptedValidLoss(Callback):
    """Replaces each epoch's validation losses with a scripted value, so early stopping
    fires at a known epoch (batch losses are read by valid_loss at the epoch's end)."""

    def __init__(self, losses):
        self.losses = losses

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            net.history.record_batch("valid_loss", self.losses[len(net.history) - 1])


def test_early_stopping_with_checkpoints_keeps_the_stopping_epoch(data, tmp_path):
    X, y, X_test = data
    # epoch 2 is best; patience 2 stops after epoch 4, before max_epochs=8
    script = ScriptedValidLoss([1.0, 0.5, 0.6, 0.7, 0.1, 0.1, 0.1, 0.1])
    clf = ElectraClassifier(**{**FAST, "max_epochs": 8}, n_iter_no_change=2, checkpoint_dir=tmp_path,
                            module__dropout=0.0, callbacks=[("script", script)],
                            callbacks__early_stopping__min_patience_steps=0)
    clf.fit(X, y)
    assert len(clf.history_) == 4  # the stopping epoch is recorded, nothing rolled back
    assert clf.history_[-1, "epoch"] == 4
    last = ElectraClassifier.from_pretrained(tmp_path / "last")
    assert len(last.history_) == 4 and last.history_[:, "valid_loss"] == clf.history_[:, "valid_loss"]
    best = ElectraClassifier.from_pretrained(tmp_path / "best")
    # load_best restored epoch 2's weights; best/ holds them
    np.testing.assert_array_equal(best.predict_proba(X_test), clf.predict_proba(X_test))
    assert not np.array_equal(last.predict_proba(X_test), clf.predict_proba(X_test))


def test_early_stopping_does_not_count_warmup_epochs(data):
    X, y, _ = data
    # 144 training texts in batches of 16: 9 steps an epoch, 72 in all; warmup 0.45 of them
    # (32 steps) covers epochs 1-3. Epoch 2 is best; patience 1 would stop at epoch 3.
    script = ScriptedValidLoss([1.0, 0.5, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9])
    clf = ElectraClassifier(**{**FAST, "max_epochs": 8}, n_iter_no_change=1, warmup_ratio=0.45,
                            callbacks=[("script", script)],
                            callbacks__early_stopping__min_patience_steps=0)
    clf.fit(X, y)
    assert clf.lr_schedule_.warmup == 32
    assert len(clf.history_) == 4  # epoch 3 ended in the warmup; epoch 4 is the miss
    assert dict(clf.callbacks_)["early_stopping"].best_epoch_ == 2  # a warmup epoch stays best


def test_skorchs_own_early_stopping_is_not_taken_for_ctrl_c(data, tmp_path):
    from skorch.callbacks import EarlyStopping

    X, y, _ = data
    script = ScriptedValidLoss([1.0, 0.5, 0.6, 0.7, 0.1, 0.1])
    clf = ElectraClassifier(**{**FAST, "max_epochs": 6}, early_stopping=False, checkpoint_dir=tmp_path,
                            callbacks=[("script", script), ("stop", EarlyStopping(patience=2))])
    clf.fit(X, y)
    assert len(clf.history_) == 4  # not rolled back to epoch 3
    assert len(ElectraClassifier.from_pretrained(tmp_path / "last").history_) == 4


# ------------------------------------------------------------ transactional fit
class Boom(Callback):
    def __init__(self, when="on_train_begin", after=0):
        self.when, self.after = when, after

    def initialize(self):
        self.calls_ = 0
        return self

    def on_train_begin(self, net, **kwargs):
        if self.when == "on_train_begin":
            raise RuntimeError("boom")

    def on_batch_end(self, net, training=False, **kwargs):
        if self.when == "on_batch_end" and training:
            self.calls_ += 1
            if self.calls_ > self.after:
                raise RuntimeError("boom")


def test_a_failed_refit_leaves_the_fitted_estimator_as_it_was(fitted, reviews):
    _, test = reviews
    clf = copy.deepcopy(fitted)
    proba, classes, tokenizer = clf.predict_proba(test["text"]), clf.classes_, clf.tokenizer_
    n_epochs = len(clf.history_)
    new_texts = ["完全不同的文本 %d" % i for i in range(40)]
    new_labels = ["a", "b", "c", "d"] * 10
    with pytest.raises(RuntimeError, match="boom"):
        clf.set_params(callbacks=[("boom", Boom())]).fit(new_texts, new_labels)
    assert clf.classes_ is classes and clf.tokenizer_ is tokenizer and len(clf.history_) == n_epochs
    np.testing.assert_array_equal(clf.predict_proba(test["text"]), proba)


def test_a_failed_partial_fit_leaves_weights_and_optimizer_as_they_were(fitted, reviews):
    train, test = reviews
    clf = copy.deepcopy(fitted)
    proba = clf.predict_proba(test["text"])
    optimizer_step = clf.optimizer_.state_dict()["state"][0]["step"].item()
    schedule, n_epochs = clf.lr_schedule_.state_dict(), len(clf.history_)
    with pytest.raises(RuntimeError, match="boom"):
        clf.set_params(callbacks=[("boom", Boom("on_batch_end", after=3))]).partial_fit(
            train["text"], train["label"])
    np.testing.assert_array_equal(clf.predict_proba(test["text"]), proba)
    assert clf.optimizer_.state_dict()["state"][0]["step"].item() == optimizer_step
    assert clf.lr_schedule_.state_dict() == schedule and len(clf.history_) == n_epochs
    # and it still trains
    clf.set_params(callbacks=None, max_epochs=1).partial_fit(train["text"][:64], train["label"][:64])
    assert len(clf.history_) == n_epochs + 1


def test_a_first_fit_that_fails_leaves_no_fitted_state(data):
    X, y, _ = data
    clf = ElectraClassifier(**FAST, callbacks=[("boom", Boom())])
    with pytest.raises(RuntimeError, match="boom"):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_") and not hasattr(clf, "tokenizer_") and not clf.initialized_


# ------------------------------------------------------------ routed iterator parameters
def test_iterator_batch_size_and_shuffle_route_to_the_sampler(data):
    X, y, _ = data
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}, validation_fraction=None,
                            iterator_train__batch_size=8, iterator_train__shuffle=False).fit(X, y)
    assert clf.history_[-1, "train_batch_count"] == len(X) // 8
    with pytest.raises(ValueError, match=r"iterator_train__sampler cannot be set.*batch_size="):
        ElectraClassifier(**FAST, iterator_train__sampler=None).fit(X, y)
