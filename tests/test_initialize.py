"""``initialize(X, y)``: the tokenizer and model ``fit`` would start from, without training."""

import copy

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer, ElectraTagger

from .conftest import FAST


class InitialWeights(Callback):
    """The weights as training begins (what ``fit`` built before its first step)."""

    def on_train_begin(self, net, **kwargs):
        self.state_ = copy.deepcopy(net.module_.state_dict())


def test_initialize_builds_what_fit_starts_from(reviews):
    X, y = reviews[0]["text"][:60], reviews[0]["label"][:60]
    built = ElectraClassifier(**FAST).initialize(X, y)
    grab = InitialWeights()
    fitted = ElectraClassifier(**FAST, callbacks=[("grab", grab)]).fit(X, y)

    assert built.tokenizer_.get_vocab() == fitted.tokenizer_.get_vocab()
    assert built.recipe_ == fitted.recipe_
    assert built.classes_.tolist() == fitted.classes_.tolist()
    assert built.module_.config.num_labels == len(fitted.classes_)
    state = built.module_.state_dict()
    assert state.keys() == grab.state_.keys()
    assert all(torch.equal(state[k], grab.state_[k]) for k in state)
    # Untrained: nothing has moved yet, and fit trains from these weights.
    assert not all(torch.equal(state[k], fitted.module_.state_dict()[k]) for k in state)
    assert len(built.history_) == 0


def test_initialize_shows_the_rows_pretraining_packs(reviews):
    texts = reviews[0]["text"][:80].tolist()
    pre = ElectraRTDPretrainer(max_length=32, vocab_size=2000).initialize(texts)
    rows = pre.get_dataset(texts).input_ids
    assert all(len(r) == 32 for r in rows[:-1]) and len(rows) > 5
    assert type(pre.module_.generator).__name__ == "ElectraForMaskedLM"
    fitted = ElectraRTDPretrainer(max_length=32, vocab_size=2000, max_epochs=1).fit(texts)
    assert fitted.history_[-1, "train_batch_count"] == -(-len(rows) // pre.batch_size)


def test_initialize_without_data_uses_the_checkpoint(tmp_path, reviews):
    X, y = reviews[0]["text"][:40], reviews[0]["label"][:40]
    ElectraClassifier(**FAST).fit(X, y).save_pretrained(tmp_path)
    pre = ElectraRTDPretrainer(model=str(tmp_path)).initialize()
    assert pre.tokenizer_.get_vocab() == ElectraClassifier.from_pretrained(tmp_path).tokenizer_.get_vocab()
    assert "preset" not in pre.recipe_.basis  # continued pretraining of a checkpoint
    with pytest.raises(ValueError, match="requires y"):
        ElectraClassifier(model=str(tmp_path)).initialize()


def test_initialize_errors_name_the_fix(reviews):
    with pytest.raises(ValueError, match=r"^model='tiny' trains its tokenizer on the texts: pass "
                                         r"them, initialize\(X, y\), or give a tokenizer= \(or a "
                                         r"checkpoint\) to use\.$"):
        ElectraClassifier().initialize()
    with pytest.raises(ValueError, match="requires y"):
        ElectraTagger().initialize([["a", "b"]])
    with pytest.raises(TypeError, match=r"^initialize got y without X: pass both, as to fit\.$"):
        ElectraClassifier().initialize(None, [0, 1])


def test_a_failed_initialize_keeps_the_fitted_model(reviews):
    X, y = reviews[0]["text"][:40], reviews[0]["label"][:40]
    clf = ElectraClassifier(**FAST).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="X has 40 texts but y has 10 labels"):
        clf.initialize(X, y[:10])
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert len(clf.history_) == FAST["max_epochs"]


def test_warm_start_fits_from_the_initialized_weights(reviews):
    X, y = reviews[0]["text"][:40], reviews[0]["label"][:40]
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}, warm_start=True).initialize(X, y)
    with torch.no_grad():  # weights a fresh initialisation would never give
        clf.module_.classifier.out_proj.bias.fill_(3.0)
    grab = InitialWeights()
    clf.set_params(callbacks=[("grab", grab)]).fit(X, y)
    assert torch.all(grab.state_["classifier.out_proj.bias"] == 3.0)
