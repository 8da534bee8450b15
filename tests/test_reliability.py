"""Nothing lost: checkpoints during fit, resume, interrupts, crashes mid-save, safe loading."""

import json
import os
import warnings

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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        crashed.fit(X, y)  # the interrupt ends fit quietly, as in skorch
    assert not [w for w in caught if "interrupted mid-epoch" in str(w.message)]  # it rolled back
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



class Raise(Callback):
    """Raises RuntimeError("boom") after `after` training batches."""

    def __init__(self, after):
        self.after = after

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history[-1]["batches"]) == self.after:
            raise RuntimeError("boom")


class Flags(Callback):
    """Sets an epoch's improvement flags: `flags` maps a history key to the improving epochs."""

    def __init__(self, flags):
        self.flags = flags

    def on_epoch_end(self, net, **kwargs):
        for key, epochs in self.flags.items():
            net.history.record(key, len(net.history) in epochs)


def test_a_snapshot_puts_back_weights_optimizer_history_schedule_and_scaler(data, tmp_path):
    import copy

    X, y, _ = data
    est = ElectraClassifier(**{**PARAMS, "max_epochs": 1}, validation_fraction=None).fit(X[:48], y[:48])
    est.grad_scaler_ = torch.amp.GradScaler("cpu", init_scale=512.0)
    weights, optimizer = _weights(est), copy.deepcopy(est.optimizer_.state_dict())
    n_epochs, schedule = len(est.history_), est.lr_schedule_.state_dict()
    snapshot = checkpoint.training_snapshot(est)
    est.partial_fit(X[48:96], y[48:96])  # moves every part of the state
    est.grad_scaler_ = torch.amp.GradScaler("cpu", init_scale=8.0)
    sum(p.sum() for p in est.module_.parameters()).backward()
    checkpoint.restore_training_snapshot(est, snapshot)
    assert all(torch.equal(v, est.module_.state_dict()[k]) for k, v in weights.items())
    restored = est.optimizer_.state_dict()
    assert restored["param_groups"] == optimizer["param_groups"]  # learning rates included
    assert restored["state"].keys() == optimizer["state"].keys()
    for i, state in optimizer["state"].items():
        assert all(torch.equal(v, restored["state"][i][k]) for k, v in state.items())
    assert len(est.history_) == n_epochs and est.lr_schedule_.state_dict() == schedule
    assert est.grad_scaler_.get_scale() == 512.0
    assert all(p.grad is None for p in est.module_.parameters())  # no stale gradients kept
    # the same parts through a checkpoint's trainer state on disk
    checkpoint.write_trainer_state(est, str(tmp_path / "state"))
    est.partial_fit(X[48:96], y[48:96])
    est.grad_scaler_ = torch.amp.GradScaler("cpu", init_scale=8.0)
    sum(p.sum() for p in est.module_.parameters()).backward()
    checkpoint.load_trainer_state(est, str(tmp_path / "state"))
    assert all(torch.equal(v, est.module_.state_dict()[k]) for k, v in weights.items())
    assert est.optimizer_.state_dict()["param_groups"] == optimizer["param_groups"]
    assert len(est.history_) == n_epochs and est.lr_schedule_.state_dict() == schedule
    assert est.grad_scaler_.get_scale() == 512.0
    assert all(p.grad is None for p in est.module_.parameters())


def test_a_failed_partial_fit_of_a_loaded_model_leaves_it_unscheduled_and_unchanged(data, tmp_path):
    X, y, X_test = data
    ElectraClassifier(**{**PARAMS, "max_epochs": 1}).fit(X, y).save_pretrained(tmp_path / "m")
    loaded = ElectraClassifier.from_pretrained(tmp_path / "m")
    proba = loaded.predict_proba(X_test)
    assert loaded.lr_schedule_ is None
    with pytest.raises(RuntimeError, match="^boom$"):
        loaded.set_params(callbacks=[("boom", Raise(2))]).partial_fit(X, y)
    assert loaded.lr_schedule_ is None and len(loaded.history_) == 0
    np.testing.assert_array_equal(loaded.predict_proba(X_test), proba)


def test_an_interrupt_before_any_checkpoint_keeps_the_weights_and_says_so(data, tmp_path):
    X, y, _ = data
    params = dict(PARAMS, early_stopping=False, checkpoint_dir=tmp_path)
    with pytest.warns(UserWarning, match="interrupted mid-epoch"):
        ElectraClassifier(callbacks=[("stop", InterruptAt(1, 2))], **params).fit(X, y)
    # a second fit into the same folder: the first fit's checkpoint is not this fit's to go back to
    clf = ElectraClassifier(**{**params, "max_epochs": 1}).fit(X, y)
    with pytest.warns(UserWarning, match="interrupted mid-epoch"):
        clf.set_params(callbacks=[("stop", InterruptAt(1, 2))]).fit(X, y)
    assert len(clf.history_) == 1


@pytest.mark.parametrize("validation, flags, best", [
    (None, {"train_loss_best": {1, 3}}, [1, 3]),
    (0.2, {"train_loss_best": {1, 3}, "valid_loss_best": {2}}, [2]),
])
def test_best_is_written_on_the_epochs_that_improved(data, tmp_path, monkeypatch, validation, flags, best):
    X, y, _ = data
    written, original = [], ElectraClassifier._write_checkpoint

    def record(self, path, *args, **kwargs):
        written.append((len(self.history), os.path.basename(path)))
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(ElectraClassifier, "_write_checkpoint", record)
    ElectraClassifier(callbacks=[("flags", Flags(flags))], early_stopping=False,
                      validation_fraction=validation, checkpoint_dir=tmp_path, **PARAMS).fit(X[:64], y[:64])
    assert [epoch for epoch, name in written if name == "best"] == best
    assert [epoch for epoch, name in written if name == "last"] == [1, 2, 3]
    assert "README.md" in os.listdir(tmp_path / "best")  # loadable, with its card


def test_a_trainer_state_that_cannot_be_read_names_the_first_line_of_the_reason(data, tmp_path, monkeypatch):
    import re

    X, y, _ = data
    est = ElectraClassifier(**{**PARAMS, "max_epochs": 1}, validation_fraction=None).fit(X[:32], y[:32])
    pattern = (r"The trainer state in '(.+)' is incomplete or corrupt \((.*)\)\. The model itself can "
               r"still be loaded: delete that folder to load it without the optimizer state\.")

    def reason(folder):
        with pytest.raises(ValueError) as err:
            checkpoint.load_trainer_state(est, str(folder))
        found = re.fullmatch(pattern, str(err.value))
        assert found and found.group(1) == str(folder)
        return found.group(2)

    deep = tmp_path / ("d" * 150) / ("e" * 150)  # the reason names the path: cut at 200
    assert reason(deep) == f"No such file or directory: {deep / 'module.safetensors'}"[:200]
    checkpoint.write_trainer_state(est, str(tmp_path / "state"))
    for error, expected in ((ValueError("first line\nsecond line"), "first line"),
                            (ValueError(), "ValueError")):
        def fail(path, error=error):
            raise error
        monkeypatch.setattr(checkpoint.History, "from_file", fail)
        assert reason(tmp_path / "state") == expected
