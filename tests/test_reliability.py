"""Nothing lost: checkpoints during fit, resume, interrupts, crashes mid-save, safe loading."""

import json
import os

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer
from sklearn_electra import checkpoint

from .conftest import FAST


class LrLog(Callback):
    """Records the learning rate of every optimizer step's first group."""

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            net.history.record_batch("lr", net.optimizer_.param_groups[0]["lr"])


class InterruptAt(Callback):
    """Raises KeyboardInterrupt after `batch` training batches of epoch `epoch`."""

    def __init__(self, epoch, batch):
        self.epoch, self.batch = epoch, batch

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch and len(net.history[-1]["batches"]) == self.batch:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def data(reviews):
    train, test = reviews
    return train["text"][:160].tolist(), train["label"][:160].to_numpy(), test["text"][:40].tolist()


PARAMS = {**FAST, "max_epochs": 3, "module__dropout": 0.0}


def _weights(est):
    return {k: v.detach().clone() for k, v in est.module_.state_dict().items()}


def test_checkpoints_are_plain_hf_dirs_and_best_is_the_final_model(data, tmp_path):
    X, y, X_test = data
    clf = ElectraClassifier(checkpoint_dir=tmp_path, **PARAMS).fit(X, y)
    assert sorted(os.listdir(tmp_path)) == ["best", "last"]  # no temporary leftovers
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(os.listdir(tmp_path / "best"))
    assert "trainer_state" not in os.listdir(tmp_path / "best")
    assert sorted(os.listdir(tmp_path / "last" / "trainer_state")) == [
        "history.json", "module.safetensors", "optimizer.pt", "state.json"]
    best = ElectraClassifier.from_pretrained(tmp_path / "best")
    np.testing.assert_array_equal(best.predict_proba(X_test), clf.predict_proba(X_test))
    last = ElectraClassifier.from_pretrained(tmp_path / "last")
    assert len(last.history_) == 3 and last.lr_schedule_.finished


def test_interrupt_rolls_back_to_the_last_epoch_and_resume_continues_the_schedule(data, tmp_path):
    X, y, X_test = data
    # Uninterrupted reference: 3 epochs, lr logged per step; no validation split, as a
    # resumed partial_fit epoch trains on every text it is given.
    ref = ElectraClassifier(callbacks=[("lr", LrLog())], early_stopping=False,
                            validation_fraction=None, **PARAMS).fit(X, y)
    ref_lrs = ref.history_[2, "batches", :, "lr"]

    crashed = ElectraClassifier(callbacks=[("lr", LrLog()), ("stop", InterruptAt(3, 4))],
                                early_stopping=False, validation_fraction=None,
                                checkpoint_dir=tmp_path, **PARAMS)
    crashed.fit(X, y)  # the interrupt ends fit quietly, as in skorch
    resumed = ElectraClassifier.from_pretrained(tmp_path / "last")
    # The interrupted estimator is back at the end of epoch 2, weights and optimizer alike.
    for k, v in _weights(resumed).items():
        assert torch.equal(v, crashed.module_.state_dict()[k])
    assert crashed.optimizer_.state_dict()["state"][0]["step"] == resumed.optimizer_.state_dict()["state"][0]["step"]
    assert len(resumed.history_) == 2 and resumed.lr_schedule_.step == 2 * resumed.lr_schedule_.total // 3

    resumed.set_params(callbacks=[("lr", LrLog())]).partial_fit(X, y)  # one epoch of the run
    assert len(resumed.history_) == 3
    np.testing.assert_allclose(resumed.history_[2, "batches", :, "lr"], ref_lrs)
    assert resumed.lr_schedule_.finished
    assert resumed.predict(X_test).shape == (len(X_test),)


def test_interrupt_without_checkpoints_keeps_a_usable_model_and_says_so(data):
    X, y, X_test = data
    clf = ElectraClassifier(callbacks=[("stop", InterruptAt(2, 3))], early_stopping=False, **PARAMS)
    with pytest.warns(UserWarning, match="checkpoint_dir"):
        clf.fit(X, y)
    assert clf.predict_proba(X_test).shape == (len(X_test), 2)


def test_a_crash_while_writing_a_checkpoint_leaves_the_previous_one_intact(data, tmp_path, monkeypatch):
    X, y, X_test = data
    calls = []
    original = checkpoint.write_trainer_state

    def crash_on_second_write(net, folder):
        calls.append(folder)
        if len(calls) == 2:
            original(net, folder)  # half-written: the files exist, then the "crash"
            with open(os.path.join(folder, "optimizer.pt"), "r+b") as f:
                f.truncate(10)
            raise OSError("disk full")
        return original(net, folder)

    monkeypatch.setattr(checkpoint, "write_trainer_state", crash_on_second_write)
    with pytest.raises(OSError, match="disk full"):
        ElectraClassifier(checkpoint_dir=tmp_path, **PARAMS).fit(X, y)
    assert sorted(os.listdir(tmp_path)) == ["best", "last"]  # no half-written directory
    last = ElectraClassifier.from_pretrained(tmp_path / "last")  # epoch 1, complete
    assert len(last.history_) == 1
    assert last.predict(X_test).shape == (len(X_test),)


def test_corrupt_trainer_state_gets_a_clear_error(data, tmp_path):
    X, y, _ = data
    ElectraClassifier(checkpoint_dir=tmp_path, **{**PARAMS, "max_epochs": 1}).fit(X, y)
    (tmp_path / "last" / "trainer_state" / "optimizer.pt").write_bytes(b"\x80\x04garbage")
    with pytest.raises(ValueError, match="trainer state .* corrupt.*delete that folder"):
        ElectraClassifier.from_pretrained(tmp_path / "last")


def test_optimizer_state_never_unpickles_code(data, tmp_path):
    """optimizer.pt is read with weights_only=True: a pickle that runs code is refused."""
    X, y, _ = data
    ElectraClassifier(checkpoint_dir=tmp_path, **{**PARAMS, "max_epochs": 1}).fit(X, y)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    torch.save({"state": Evil()}, tmp_path / "last" / "trainer_state" / "optimizer.pt")
    with pytest.raises(ValueError, match="corrupt"):
        ElectraClassifier.from_pretrained(tmp_path / "last")
    assert not (tmp_path / "pwned").exists()


def test_pretrainer_checkpoint_resumes_with_its_generator(reviews, tmp_path):
    texts = reviews[0]["text"].tolist()[:120]
    pre = ElectraRTDPretrainer(checkpoint_dir=tmp_path, **{**FAST, "max_epochs": 2}).fit(texts)
    resumed = ElectraRTDPretrainer.from_pretrained(tmp_path / "last")
    for k, v in pre.module_.state_dict().items():  # discriminator and generator
        assert torch.equal(v, resumed.module_.state_dict()[k]), k
    resumed.set_params(max_epochs=1).partial_fit(texts)
    assert resumed.history_[:, "steps"] == pre.history_[:, "steps"] + [pre.history_[-1, "steps"] * 3 // 2]
    meta = json.loads((tmp_path / "last" / "sklearn_electra.json").read_text())
    assert meta["estimator"] == "ElectraRTDPretrainer" and "checkpoint_dir" not in meta["params"]

