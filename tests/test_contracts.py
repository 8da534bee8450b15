"""Contracts users rely on without reading the code: atomic saves, callback order, one-pass
partial_fit, pairs cut as served, truncation that says so."""

import os

import pytest

from sklearn_electra import persistence


def _write_files(content):
    def write(folder):
        for name in ("config.json", "model.safetensors"):
            with open(os.path.join(folder, name), "w") as f:
                f.write(content)
    return write


def _contents(path):
    return {name: open(os.path.join(path, name)).read() for name in sorted(os.listdir(path))}


@pytest.mark.parametrize("fail_at", ["write", "move old aside", "move new in"])
def test_a_failed_save_leaves_a_complete_checkpoint(tmp_path, monkeypatch, fail_at):
    target = tmp_path / "best"
    persistence.write_dir_atomically(target, _write_files("old"))
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append((src, dst))
        step = "move old aside" if len(calls) == 1 else "move new in"
        if step == fail_at and len(calls) <= 2:
            raise OSError(f"injected failure: {step}")
        return real_replace(src, dst)

    def write(folder):
        if fail_at == "write":
            raise OSError("injected failure: write")
        _write_files("new")(folder)

    monkeypatch.setattr(persistence.os, "replace", replace)
    with pytest.raises(OSError, match="injected failure"):
        persistence.write_dir_atomically(target, write)
    assert _contents(target) == {"config.json": "old", "model.safetensors": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["best"]  # no temporary left behind
    monkeypatch.setattr(persistence.os, "replace", real_replace)
    persistence.write_dir_atomically(target, _write_files("new"))
    assert _contents(target) == {"config.json": "new", "model.safetensors": "new"}


class RecordedScore:
    """A user callback that records a score of its own at each epoch's end (scripted here)."""

    def __new__(cls, scores):
        from skorch.callbacks import Callback

        class _Recorded(Callback):
            def on_epoch_end(self, net, **kwargs):
                net.history.record("my_score", scores[len(net.history) - 1])

        return _Recorded()


def test_early_stopping_monitors_a_score_a_user_callback_records():
    from sklearn_electra import ElectraClassifier

    X, y = ["good phone", "bad phone", "fine screen", "broken screen"] * 10, [1, 0, 1, 0] * 10
    scores = [0.9, 0.5, 0.7, 0.8, 0.95, 0.1, 0.1, 0.1]  # epoch 2 is best; patience 2 ends at 4
    clf = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=8, n_iter_no_change=2,
                            warmup_ratio=0.0, random_state=0,
                            callbacks=[("mine", RecordedScore(scores))],
                            callbacks__early_stopping__monitor="my_score")
    clf.fit(X, y)
    names = [name for name, _ in clf.callbacks_]
    assert names.index("mine") < names.index("early_stopping") < names.index("print_log")
    assert len(clf.history_) == 4 and clf.callbacks_[names.index("early_stopping")][1].best_epoch_ == 2
