"""Scale-out: device handling, thread hygiene, Accelerate data parallelism, Dask and Ray searches."""

import json
import math
import os
import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback
from transformers import ElectraForSequenceClassification

from sklearn_electra import ElectraClassifier

from .conftest import FAST

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ONE_EPOCH = {**FAST, "max_epochs": 1}


class ThreadProbe(Callback):
    """Records torch's thread count while the fit runs."""

    def on_epoch_begin(self, net, **kwargs):
        net.history.record("threads", torch.get_num_threads())


# ----------------------------------------------------------------- devices
def test_device_auto_resolves_to_what_the_machine_has(reviews):
    train, test = reviews
    clf = ElectraClassifier(device="auto", **ONE_EPOCH).fit(train["text"][:64], train["label"][:64])
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert next(clf.module_.parameters()).device.type == expected
    assert clf.device == "auto"  # the parameter is kept as given
    assert clf.predict(test["text"][:5]).shape == (5,)


def test_changing_device_after_fit_moves_model_and_optimizer_state(fitted):
    # No second real device here: torch's "meta" device stands in for a GPU.
    clf = pickle.loads(pickle.dumps(fitted))
    assert clf.optimizer_.state  # AdamW moments exist after fit
    clf.set_params(device="meta")
    runtime = clf._resolve_runtime()
    assert runtime.device == torch.device("meta")
    clf._place(runtime)  # what every call does first
    assert next(clf.module_.parameters()).device.type == "meta"
    state = next(iter(clf.optimizer_.state.values()))
    assert state["exp_avg"].device.type == "meta"
    assert clf.device == "meta"  # the parameter is never replaced by the resolved device


def test_a_model_pickled_for_cuda_loads_and_predicts_on_a_cpu_only_machine(fitted, reviews):
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    clf = pickle.loads(pickle.dumps(fitted))
    clf.device = "cuda"  # what a model fitted on a GPU carries into its pickle
    data = pickle.dumps(clf)
    with pytest.warns(UserWarning, match="CUDA"):
        loaded = pickle.loads(data)
    assert loaded.device == "cpu"
    texts = reviews[1]["text"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


def test_gpu_paths_without_a_gpu(monkeypatch, fitted):
    """The device logic a GPU box would take: auto picks CUDA, batches get pinned memory."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    clf = ElectraClassifier(device="auto", precision="bf16")
    assert clf._resolve_runtime().device == torch.device("cuda")
    with pytest.raises(ValueError, match="1 CUDA device"):
        ElectraClassifier(device="cuda:1")._resolve_runtime()
    gpu = pickle.loads(pickle.dumps(fitted))
    gpu.device = "cuda"
    loader = gpu.get_iterator(gpu.get_dataset(["很好", "不好"]))
    assert loader.pin_memory
    assert not fitted.get_iterator(fitted.get_dataset(["很好"])).pin_memory


def test_device_auto_survives_pickling(fitted, reviews):
    clf = pickle.loads(pickle.dumps(fitted))
    clf.set_params(device="auto")
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.device == "auto"
    texts = reviews[1]["text"][:20]
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))


# ----------------------------------------------------------------- threads
def test_n_threads_applies_during_fit_and_predict_and_is_restored(reviews):
    train, test = reviews
    before = torch.get_num_threads()
    clf = ElectraClassifier(n_threads=1, callbacks=[("probe", ThreadProbe())], **ONE_EPOCH)
    clf.fit(train["text"][:64], train["label"][:64])
    assert clf.history_[:, "threads"] == [1]
    assert torch.get_num_threads() == before
    seen = []
    original = clf.infer

    def spy(x, **kw):
        seen.append(torch.get_num_threads())
        return original(x, **kw)

    clf.infer = spy
    clf.predict(test["text"][:5])
    assert seen and set(seen) == {1} and torch.get_num_threads() == before


def test_n_threads_is_validated():
    with pytest.raises(ValueError, match="n_threads"):
        ElectraClassifier(n_threads=0).fit(["a b", "c d"], [0, 1])


# ------------------------------------------------------------- accelerate
accelerate = pytest.importorskip("accelerate")


def test_single_process_accelerator_trains_exactly_like_a_plain_fit(reviews):
    train, test = reviews
    X, y = train["text"][:120], train["label"][:120]
    plain = ElectraClassifier(**FAST).fit(X, y)
    accelerated = ElectraClassifier(accelerator=accelerate.Accelerator(cpu=True), **FAST).fit(X, y)
    # Unwrapped after training: a plain Hugging Face model and torch optimizer.
    assert type(accelerated.module_) is ElectraForSequenceClassification
    assert type(accelerated.optimizer_) is torch.optim.AdamW
    texts = test["text"]
    np.testing.assert_allclose(accelerated.predict_proba(texts), plain.predict_proba(texts), atol=1e-6)
    # It pickles, clones and trains again (GridSearchCV deep-copies the accelerator).
    loaded = pickle.loads(pickle.dumps(accelerated))
    np.testing.assert_array_equal(loaded.predict_proba(texts), accelerated.predict_proba(texts))
    refit = clone(accelerated).set_params(max_epochs=1).fit(X, y)
    assert refit.predict(texts[:3]).shape == (3,)
    search = GridSearchCV(clone(accelerated).set_params(max_epochs=1), {"lr": [1e-3, 3e-3]},
                          cv=2, refit=False).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_tagger_and_pretrainer_train_under_an_accelerator(reviews):
    from sklearn_electra import ElectraRTDPretrainer, ElectraTagger

    texts = reviews[0]["text"].tolist()[:80]
    acc = accelerate.Accelerator(cpu=True)
    pre = ElectraRTDPretrainer(accelerator=acc, **ONE_EPOCH).fit(texts)
    plain = ElectraRTDPretrainer(**ONE_EPOCH).fit(texts)
    assert type(pre.module_) is type(plain.module_)
    assert pre.history_[-1, "disc_loss"] == pytest.approx(plain.history_[-1, "disc_loss"], rel=1e-5)
    tokens = [list(t[:30]) for t in texts]
    tags = [["P" if c in "，。！" else "O" for c in t] for t in tokens]
    tagger = ElectraTagger(accelerator=acc, **ONE_EPOCH).fit(tokens, tags)
    assert [len(p) for p in tagger.predict(tokens[:3])] == [len(t) for t in tokens[:3]]


def test_accelerator_conflicts_get_clear_errors():
    acc = accelerate.Accelerator(cpu=True)
    with pytest.raises(ValueError, match="device='auto'"):
        ElectraClassifier(accelerator=acc, device="meta").fit(["a b", "c d"], [0, 1])
    with pytest.raises(ValueError, match="mixed_precision='bf16'"):
        ElectraClassifier(accelerator=acc, precision="bf16").fit(["a b", "c d"], [0, 1])
    with pytest.raises(ValueError, match="accelerator"):
        ElectraClassifier(accelerator="yes").fit(["a b", "c d"], [0, 1])


@pytest.mark.slow
def test_accelerate_launch_two_processes_end_with_identical_weights(tmp_path):
    """`accelerate launch` on two CPU processes (gloo): the data are sharded, the weights agree."""
    env = {**os.environ, "ACCELERATE_USE_CPU": "true", "OMP_NUM_THREADS": "1", "PYTHONPATH": ROOT,
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run(
        [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
         "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
         "--main_process_port", "0", os.path.join(ROOT, "examples", "data_parallel_train.py"),
         "--n-train", "300", "--epochs", "2", "--output", str(tmp_path / "model"),
         "--weights-dir", str(tmp_path / "weights")],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    w0 = load_file(tmp_path / "weights" / "rank0.safetensors")
    w1 = load_file(tmp_path / "weights" / "rank1.safetensors")
    assert w0.keys() == w1.keys() and all(torch.equal(w0[k], w1[k]) for k in w0)
    info = [json.loads((tmp_path / "weights" / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [i["num_processes"] for i in info] == [2, 2]
    # 270 training texts in batches of 32 = 9 batches, shared by two processes.
    assert [i["train_batches"] for i in info] == [math.ceil(9 / 2)] * 2
    model = ElectraClassifier.from_pretrained(tmp_path / "model")
    assert torch.equal(model.module_.state_dict()["classifier.out_proj.weight"],
                       w0["classifier.out_proj.weight"])
    assert set(model.predict(["很好", "太差了"])) <= {"neg", "pos"}


# ------------------------------------------------------- distributed search
GRID = {"lr": [1e-3, 3e-3], "module__dropout": [0.0, 0.1]}


@pytest.fixture(scope="module")
def search_data(reviews):
    train, _ = reviews
    return train["text"][:120].tolist(), train["label"][:120].to_numpy()


@pytest.fixture(scope="module")
def sequential_search(search_data):
    X, y = search_data
    est = ElectraClassifier(n_threads=1, **ONE_EPOCH)
    return GridSearchCV(est, GRID, cv=2, n_jobs=1).fit(X, y)


def _same_search(a, b):
    assert a.best_params_ == b.best_params_
    np.testing.assert_array_equal(a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"])


@pytest.mark.slow
def test_grid_search_with_two_local_processes_matches_the_sequential_one(search_data, sequential_search):
    X, y = search_data
    search = GridSearchCV(ElectraClassifier(n_threads=1, **ONE_EPOCH), GRID, cv=2, n_jobs=2).fit(X, y)
    _same_search(search, sequential_search)
    np.testing.assert_array_equal(search.predict_proba(X), sequential_search.predict_proba(X))


@pytest.mark.slow
def test_grid_search_on_a_local_dask_cluster_matches_the_sequential_one(search_data, sequential_search):
    distributed = pytest.importorskip("distributed")
    X, y = search_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dask's port and memory-limit chatter
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            client.run(torch.set_num_threads, 1)
            with joblib.parallel_backend("dask"):
                search = GridSearchCV(ElectraClassifier(n_threads=1, **ONE_EPOCH), GRID, cv=2,
                                      n_jobs=-1).fit(X, y)
            workers = client.run(os.getpid)
    assert len(set(workers.values())) == 2
    _same_search(search, sequential_search)


@pytest.mark.slow
def test_grid_search_on_ray_matches_the_sequential_one(search_data, sequential_search):
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    X, y = search_data
    register_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    try:
        with joblib.parallel_backend("ray"):
            search = GridSearchCV(ElectraClassifier(n_threads=1, **ONE_EPOCH), GRID, cv=2,
                                  n_jobs=-1).fit(X, y)
    finally:
        ray.shutdown()
    _same_search(search, sequential_search)


@pytest.mark.slow
@pytest.mark.filterwarnings("default::sklearn_electra.TextTruncationWarning")  # whole reviews
def test_distributed_search_example_runs_on_a_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        import distributed_search
    finally:
        sys.path.pop(0)
    search = distributed_search.main(["--n-texts", "90", "--epochs", "1", "--output", str(tmp_path)])
    assert len(search.cv_results_["params"]) == 6
    assert (tmp_path / "distributed_search.csv").read_text().count("\n") == 7


def test_an_abandoned_forward_iter_leaves_device_and_threads_as_they_were(fitted, reviews):
    clf = pickle.loads(pickle.dumps(fitted)).set_params(device="auto", n_threads=1)
    before = torch.get_num_threads()
    batches = clf.forward_iter(reviews[1]["text"][:40])
    next(batches)  # stop after the first batch
    assert clf.device == "auto" and torch.get_num_threads() == before
