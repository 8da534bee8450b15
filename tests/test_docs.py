"""The documentation site builds in strict mode (a Sphinx warning is a failure)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_docs_build_strict(tmp_path):
    pytest.importorskip("sphinx")
    out = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         os.path.join(ROOT, "docs"), str(tmp_path / "html")],
        env={**os.environ, "PYTHONPATH": ROOT, "HF_HUB_OFFLINE": "1"},
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-5000:]
    api = (tmp_path / "html" / "api.html").read_text(encoding="utf-8")
    # The reference is generated from the docstrings, parameters included.
    for name in ("ElectraClassifier", "ElectraRegressor", "ElectraQuestionAnswerer", "squad_scores", "TokenEvidenceDisplay", "augment_labeled", "fetch_sentiment_ratings", "ElectraTagger", "ElectraRTDPretrainer", "ElectraEmbedder",
                 "checkpoint_dir", "n_threads", "accelerator", "load_chinese_reviews"):
        assert name in api, name
    for page in ("getting_started", "classifier", "multilabel", "regression", "tagger", "qa", "little_data", "embedder", "pretraining", "scaling",
                 "faq", "benchmarks", "design"):
        assert (tmp_path / "html" / f"{page}.html").exists(), page
