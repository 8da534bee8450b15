"""The benchmark harness and the docs generator (no model: these are the measuring tools)."""

import os
import subprocess

import pytest

from .test_examples import _load


def test_alternating_warms_up_then_alternates_and_keeps_self_timed_seconds():
    harness = _load("benchmarks/_harness.py")
    calls = []
    methods = {"a": lambda k: calls.append(("a", k)) or 7.0,  # a result, not seconds
               "b": lambda k: calls.append(("b", k)) or harness.Seconds(2.5)}
    times = harness.alternating(methods, repeats=3)
    assert calls == [("a", 0), ("b", 0), ("a", 1), ("b", 1), ("b", 2), ("a", 2), ("a", 3), ("b", 3)]
    assert times["b"] == [2.5, 2.5, 2.5]  # a method that times itself leaves its set-up out
    assert len(times["a"]) == 3 and all(0 <= t < 1 for t in times["a"])
    median, slowest, fastest = harness.rates({"x": [1.0, 2.0, 4.0]}, 8)["x"]
    assert (median, slowest, fastest) == (4.0, 2.0, 8.0)
    assert harness.spread((4.0, 2.0, 8.0)) == "4 (2-8)"
    assert "torch" in harness.environment() and "cores" in harness.environment()


def test_a_missed_target_never_prints_as_the_target():
    harness = _load("benchmarks/_harness.py")
    assert harness.ratio(1.061) == "1.06x" and harness.ratio(0.951, 0.95) == "0.95x"
    assert harness.ratio(0.946, 0.95) == "0.946x"  # 0.95x would read as met
    assert harness.ratio(0.6999, 0.7, unit="") == "0.6999"
    assert harness.verdict(0.946, 0.95) == ">= 0.95x | no"
    assert harness.verdict(0.95, 0.95) == ">= 0.95x | yes"


def test_update_docs_splices_tables_and_collects_every_target(tmp_path):
    docs = _load("benchmarks/update_docs.py")
    (tmp_path / "fit.md").write_text(
        "fit throughput\n\n| corpus | method | seq/s | ours / method | target | met? |\n"
        "|---|---|---|---|---|---|\n| reviews | ours | 800 (790-810) | - | - | - |\n"
        "| reviews | Trainer | 600 (590-610) | 1.33x | >= 1.3x | yes |\n"
        "| BBC | Trainer | 300 (290-310) | 0.90x | >= 0.95x | no |\n\nMeasured on a test.\n")
    (tmp_path / "tag.md").write_text(
        "| max_length | phase | method | sent/s | ours / method | target | met? |\n"
        "|---|---|---|---|---|---|---|\n| 128 | fit | loop | 400 (390-410) | 0.92x | >= 0.95x | no |\n"
        "| 128 | fit | int8 | 300 (290-310) | 0.80x | int8 / pipeline >= 3x | no (2.55x) |\n")
    (tmp_path / "defaults.md").write_text(
        "| corpus | train / test | TF-IDF | tiny | tiny, mean | target | met? |\n|---|---|---|---|---|---|---|\n"
        "| BBC | 1701 / 426 | 0.969, 6 s | 0.890 (0.876-0.906), 52 s | 0.890 | >= 0.9 | no |\n")
    (tmp_path / "notes.md").write_text("| a | b |\n|---|---|\n| 1 | 2 |\n")
    page = ("# Benchmarks\n<!-- targets -->\nold\n<!-- end targets -->\nprose\n"
            "<!-- results: fit -->\nstale table\n<!-- end results -->\nmore prose\n")
    out = docs.update(page, str(tmp_path))
    assert "stale" not in out and "old\n" not in out and out.count("prose") == 2
    assert "| reviews | Trainer | 600 (590-610)" in out and "Measured on a test." in out
    assert "| fit | reviews, Trainer | 1.33x | >= 1.3x | yes |" in out
    assert "| fit | BBC, Trainer | 0.90x | >= 0.95x | **no** |" in out
    # a leading number is named by its header; a verdict with its own measurement keeps it
    assert "| tag | max_length 128, fit, loop | 0.92x | >= 0.95x | **no** |" in out
    assert "| tag | max_length 128, fit, int8 | 2.55x | int8 / pipeline >= 3x | **no** |" in out
    assert "| defaults | BBC, 1701 / 426 | 0.890 | >= 0.9 | **no** |" in out  # a score ends the name
    assert docs.update(out, str(tmp_path)) == out  # idempotent
    with pytest.raises(ValueError, match="missing.md does not exist"):
        docs.update("<!-- results: missing -->\n<!-- end results -->", str(tmp_path))


def test_update_docs_copies_the_marked_figures_and_check_reports_stale_ones(tmp_path):
    docs = _load("benchmarks/update_docs.py")
    results, figures = tmp_path / "results", tmp_path / "figures"
    results.mkdir()
    (results / "fit.png").write_bytes(b"new plot")
    (results / "unmarked.png").write_bytes(b"not on the page")
    page = "<!-- results: fit -->\n<!-- end results -->\n"
    assert docs.sync_figures(page, str(results), str(figures), check=True) == ["fit"]
    assert not figures.exists()  # a check copies nothing
    assert docs.sync_figures(page, str(results), str(figures)) == ["fit"]
    assert (figures / "fit.png").read_bytes() == b"new plot"
    assert not (figures / "unmarked.png").exists()
    assert docs.sync_figures(page, str(results), str(figures), check=True) == []


def test_the_published_page_matches_the_committed_results():
    # The page's tables are generated; a result file committed without regenerating the page
    # (or a hand edit inside a generated block) would publish numbers no run produced.
    # Figures are left out: the PNGs a run writes are not committed.
    docs = _load("benchmarks/update_docs.py")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in ("benchmarks.md", "testing.md", "tracking.md"):
        with open(os.path.join(root, "docs", name), encoding="utf-8") as f:
            page = f.read()
        assert docs.update(page, os.path.join(root, "benchmarks", "results")) == page, (
            f"docs/{name} is out of date with benchmarks/results: run python benchmarks/update_docs.py "
            f"--page docs/{name}")


def test_mutation_map_names_tests_for_every_module_and_scores_without_equivalents(monkeypatch):
    mutation = _load("benchmarks/mutation.py")
    assert set(mutation.package_modules()) == set(mutation.TESTS) | mutation.NOT_MUTATED
    for module, tests in mutation.TESTS.items():
        assert tests and all(os.path.exists(os.path.join(mutation.ROOT, t.split("::")[0])) for t in tests), module
    config = mutation.mutmut_config("targets/labels")
    assert 'only_mutate = ["sklearn_electra/targets/labels.py"]' in config
    assert '"sklearn_electra/targets/labels.py"' in config.splitlines()[1]  # its doctests too
    assert "sklearn_electra/datasets.py" not in mutation.mutmut_config("datasets").splitlines()[1]
    # a deselected test leaves the runs whose selection holds its file, and only those
    (test,) = [t for t in mutation.DESELECTED if t.startswith("tests/test_classifier.py::")]
    assert f'"--deselect={test}"' in mutation.mutmut_config("classifier")
    assert "--deselect" not in mutation.mutmut_config("qa")
    record = {"module": "windows", "counts": {"killed": 6, "timeout": 1, "segfault": 1, "survived": 2,
                                              "no tests": 2},
              "survived": ["sklearn_electra.windows.x_f__mutmut_1", "sklearn_electra.windows.x_f__mutmut_2"],
              "seconds": 60}
    assert mutation.score(record) == (8 / 12, 0)  # a mutant no test reaches counts as alive
    monkeypatch.setitem(mutation.EQUIVALENT, "sklearn_electra.windows.x_f__mutmut_2", "same output")
    assert mutation.score(record) == (8 / 11, 1)
    assert "6 killed, 2 survived of which 1 equivalent, 2 not checked, 2 timeout or crash" in (
        mutation.summary_line(record))
    # A re-check keeps the full run's other verdicts, which mutmut forgets when tests change.
    before = {"counts": {"killed": 6, "survived": 3, "no tests": 1}, "survived": ["a", "b", "c"],
              "not_checked": ["e"]}
    after = {"statuses": {"a": "killed", "b": "survived", "c": "timeout", "d": "not checked",
                          "e": "not checked"}, "module": "windows"}
    merged = mutation.merge_recheck(before, after, ["a", "b", "c"])
    assert merged["counts"] == {"killed": 7, "survived": 1, "no tests": 1, "timeout": 1}
    assert merged["survived"] == ["b"] and merged["not_checked"] == ["e"] and merged["module"] == "windows"
    # A stopped run resumed: only the mutants it did not reach are tested; its survivors stand.
    stopped = {"counts": {"killed": 6, "survived": 1, "not checked": 2, "no tests": 1},
               "survived": ["a"], "not_checked": ["d", "e", "f"]}
    later = {"statuses": {"a": "not checked", "d": "killed", "e": "survived", "f": "no tests"},
             "module": "windows"}
    resumed = mutation.merge_recheck(stopped, later, ["d", "e", "f"], ("not checked", "no tests"))
    assert resumed["counts"] == {"killed": 7, "survived": 2, "no tests": 1}
    assert resumed["survived"] == ["a", "e"] and resumed["not_checked"] == ["f"]
    assert mutation.run_label({"revision": "abc", "date": "d", "seconds": 120, "recheck": {
        "unreached": 3, "revision": "def"}}) == "abc, d, 2 min; its 3 unreached mutants tested at def"
    assert mutation.run_label({"revision": "abc", "date": "d", "seconds": 60, "recheck": {
        "survivors": 2, "revision": "def"}}) == "abc, d, 1 min; its 2 survivors re-tested at def"


def test_a_mutation_score_stands_for_the_code_it_was_run_on(monkeypatch):
    mutation = _load("benchmarks/mutation.py")
    if subprocess.run(["git", "-C", mutation.ROOT, "rev-parse"], capture_output=True).returncode:
        pytest.skip("the fingerprint reads git's index; this copy is not a git checkout")
    files = mutation.code_files("embedder")
    # its selection, the test file it imports from, the shared modules and the package
    assert {"tests/test_embedder.py", "tests/test_inference.py", "tests/test_sklearn_checks.py",
            "tests/conftest.py", "sklearn_electra/embedder.py", "pyproject.toml"} <= set(files)
    assert "tests/test_squad.py" not in files and not any(f.endswith(".pyc") for f in files)
    now = mutation.code_fingerprint("embedder")
    assert now != mutation.code_fingerprint("squad")  # other tests, another fingerprint
    assert mutation.on_code_now({"module": "embedder", "code": now})
    assert not mutation.on_code_now({"module": "embedder", "code": "0" * 12})
    assert not mutation.on_code_now({"module": "embedder"})  # a run from before fingerprints
    assert not mutation.on_code_now({"module": "embedder", "code": now, "recheck": {"code": "0" * 12}})
    # The committed table's "on this code?" column is today's: a package or test change made
    # after the runs turns those modules' answer to "no" once the table is regenerated.
    with open(os.path.join(mutation.ROOT, "benchmarks", "results", "mutation.md"), encoding="utf-8") as f:
        assert mutation.table(mutation.records()) == f.read(), (
            "benchmarks/results/mutation.md is out of date with the code: run python benchmarks/mutation.py "
            "report && python benchmarks/update_docs.py --page docs/testing.md")
    # so is the environment that orders a mutant's tests and picks hypothesis' examples
    assert {k: mutation.environment()[k] for k in ("PYTHONHASHSEED", "CI")} == {"PYTHONHASHSEED": "0", "CI": "1"}
    monkeypatch.setattr(mutation, "RUN_SETTINGS", ("OMP_NUM_THREADS",))
    assert mutation.code_fingerprint("embedder") != now
    monkeypatch.undo()
    # the selection is part of it: a test deselected from the run changes what was measured
    monkeypatch.setitem(mutation.DESELECTED, "tests/test_embedder.py::test_x", "why")
    assert mutation.code_fingerprint("embedder") != now


def test_the_order_check_finds_a_kill_that_a_test_order_made(tmp_path):
    mutation = _load("benchmarks/mutation.py")
    mutants = tmp_path / "mutants"
    mutants.mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.mutmut]\npytest_add_cli_args = ["-p", "no:cacheprovider"]\n')
    # test_reads passes only after test_sets, as a test that leans on a shared fixture's state
    (mutants / "test_shared.py").write_text(
        "STATE = []\n\ndef test_sets():\n    STATE.append(1)\n\ndef test_reads():\n    assert STATE\n\n"
        "def test_alone():\n    assert True\n")
    tests = {name: f"test_shared.py::test_{name}" for name in ("sets", "reads", "alone")}
    (mutants / "mutmut-stats.json").write_text(mutation.json.dumps({
        "tests_by_mangled_function_name": {"pkg.x_f": [tests["reads"]], "pkg.x_g": [tests["sets"]],
                                           "pkg.x_h": [tests["alone"], tests["reads"]]},
        "duration_by_test": {tests["sets"]: 0.0, tests["reads"]: 0.0, tests["alone"]: 0.0}}))
    statuses = {"pkg.x_f__mutmut_1": "killed", "pkg.x_f__mutmut_2": "survived", "pkg.x_g__mutmut_1": "killed",
                "pkg.x_h__mutmut_1": "survived"}
    checked = mutation.order_check(tmp_path, statuses, children=1)
    # x_h's survivor is not checked (a survivor's verdict needs no test to fail)
    assert checked == {"orders": 2, "functions": 2, "failed": {"pkg.x_f": tests["reads"]}}
    assert mutation.mutmut_orders(tmp_path, ["pkg.x_h"])["pkg.x_h"] in (
        [tests["alone"], tests["reads"]], [tests["reads"], tests["alone"]])
    record = {"module": "windows", "counts": {"killed": 1}, "survived": [], "order_check": checked,
              "revision": "abc", "date": "d", "seconds": 60}
    assert mutation.order_label(record) == f"failed: x_f ({tests['reads']})"
    assert f"- windows.py: x_f ({tests['reads']})" in mutation.table([record])
    passed = {"orders": 3, "functions": 2, "failed": {}}
    assert mutation.order_label({**record, "order_check": passed}) == "passed (3 test orders)"
    # a re-test's verdicts count only once they are checked too
    assert mutation.order_label({**record, "order_check": passed, "recheck": {}}) == "not checked"
    assert mutation.order_label({**record, "order_check": passed, "recheck": {"order_check": passed}}) == (
        "passed (6 test orders)")
    assert mutation.order_label({"module": "windows"}) == "not checked"
