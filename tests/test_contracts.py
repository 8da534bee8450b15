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
