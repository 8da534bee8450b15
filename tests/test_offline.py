"""Offline by construction: no socket is opened by import, fit, save or load from presets or dirs."""

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs in a fresh interpreter with every way of opening a connection replaced by a refusal
# that is counted, *before* the package (and transformers / huggingface_hub) is imported.
SCRIPT = textwrap.dedent("""
    import socket, sys
    attempts = []
    def refuse(*args, **kwargs):
        attempts.append(repr(args)[:80])
        raise OSError("network blocked by test")
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse

    from sklearn_electra import (ElectraClassifier, ElectraEmbedder, ElectraRTDPretrainer,
                                 ElectraTagger)
    X = ["很好用", "太差了", "还不错", "不推荐", "满意", "失望"] * 4
    y = ["pos", "neg"] * 12
    out = sys.argv[1]
    ElectraClassifier(max_epochs=1, vocab_size=200, random_state=0).fit(X, y).save_pretrained(out)
    ElectraClassifier.from_pretrained(out).predict(X)
    ElectraClassifier(model=out, max_epochs=1).fit(X, y)
    ElectraEmbedder.from_pretrained(out).transform(X)
    ElectraTagger(model=out, max_epochs=1).fit([list(t) for t in X],
                                               [["O"] * (len(t) - 1) + ["B"] for t in X])
    ElectraRTDPretrainer(max_epochs=1, max_length=16, vocab_size=200).fit(X * 5)
    if len(sys.argv) > 2:
        try:
            ElectraClassifier(model=sys.argv[2]).fit(X, y)
        except ValueError as exc:
            print("HUB ERROR:", exc)
    print("ATTEMPTS:", len(attempts), attempts)
""")


def _run(tmp_path, *args, offline_env):
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env.update(PYTHONPATH=ROOT, TOKENIZERS_PARALLELISM="false")
    if offline_env:
        env["HF_HUB_OFFLINE"] = "1"
    script = tmp_path / "offline_check.py"
    script.write_text(SCRIPT)
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "model"), *args], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow
def test_no_network_call_even_without_hf_hub_offline(tmp_path):
    stdout = _run(tmp_path, offline_env=False)
    assert "ATTEMPTS: 0 []" in stdout


@pytest.mark.slow
def test_an_unreachable_hub_id_says_the_machine_is_offline(tmp_path):
    stdout = _run(tmp_path, "google/electra-small-discriminator", offline_env=True)
    assert "ATTEMPTS: 0 []" in stdout
    assert "offline" in stdout and "pass its local directory as model=" in stdout
