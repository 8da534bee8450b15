"""``_base.py`` part by part: the training parameters, fit's keywords, the validation split,
batches, the optimizer, the recipe kept through a checkpoint, and what an interrupt says.

Models are tiny and trained for an epoch or two on eight texts (a fraction of a second);
what training achieves is tested in ``tests/test_classifier.py`` and ``tests/test_base.py``.
"""

import inspect
import warnings

import numpy as np
import pytest
import torch

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer
from sklearn_electra.data import EncodedDataset
from sklearn_electra.recipe import ADAM_EPS
from sklearn_electra.runtime import fit_seeds

pytestmark = pytest.mark.filterwarnings("ignore:The model did not learn")
X = ["great phone", "love it", "battery died", "screen broke"] * 2
Y = ["pos", "pos", "neg", "neg"] * 2
FAST = {"random_state": 0, "vocab_size": 60, "verbose": 0}
BASE_DEFAULTS = {
    "tokenizer": None, "vocab_size": 8000, "lowercase": True, "max_length": 128, "lr": None,
    "max_epochs": None, "batch_size": 32, "predict_batch_size": None, "optimizer": torch.optim.AdamW,
    "weight_decay": 0.01, "warmup_ratio": None, "layerwise_lr_decay": None,
    "gradient_accumulation_steps": 1, "max_grad_norm": 1.0, "validation_fraction": 0.1,
    "early_stopping": True, "n_iter_no_change": 3, "partial_fit_lr": "constant", "callbacks": None,
    "warm_start": False, "checkpoint_dir": None, "verbose": 0, "device": "cpu", "precision": "fp32",
    "quantize": None, "n_threads": None, "accelerator": None, "random_state": None,
}


@pytest.fixture(scope="module")
def clf():
    return ElectraClassifier(max_epochs=1, **FAST).fit(X, Y)


def test_training_parameters_and_their_defaults():
    params = inspect.signature(ElectraClassifier).parameters
    assert {name: params[name].default for name in BASE_DEFAULTS} == BASE_DEFAULTS
    assert {name: getattr(ElectraClassifier(), name) for name in BASE_DEFAULTS} == BASE_DEFAULTS
    given = {name: f"value of {name}" for name in BASE_DEFAULTS}
    est = ElectraClassifier(**given)
    assert {name: getattr(est, name) for name in BASE_DEFAULTS} == given


@pytest.mark.parametrize("params, message", [
    ({"lr": 0}, "The 'lr' parameter of ElectraClassifier must be None or a float in the range (0.0, inf). Got 0 instead."),
    ({"max_epochs": 0}, "The 'max_epochs' parameter of ElectraClassifier must be None or an int in the range [1, inf). Got 0 instead."),
    ({"predict_batch_size": 0}, "The 'predict_batch_size' parameter of ElectraClassifier must be None or an int in the range [1, inf). Got 0 instead."),
    ({"optimizer": "adam"}, "The 'optimizer' parameter of ElectraClassifier must be a callable. Got 'adam' instead."),
    ({"weight_decay": -0.1}, "The 'weight_decay' parameter of ElectraClassifier must be a float in the range [0.0, inf). Got -0.1 instead."),
    ({"warmup_ratio": 1.1}, "The 'warmup_ratio' parameter of ElectraClassifier must be None or a float in the range [0.0, 1.0]. Got 1.1 instead."),
    ({"layerwise_lr_decay": 0}, "The 'layerwise_lr_decay' parameter of ElectraClassifier must be None or a float in the range (0.0, 1.0]. Got 0 instead."),
    ({"gradient_accumulation_steps": 0}, "The 'gradient_accumulation_steps' parameter of ElectraClassifier must be an int in the range [1, inf). Got 0 instead."),
    ({"max_grad_norm": 0}, "The 'max_grad_norm' parameter of ElectraClassifier must be None or a float in the range (0.0, inf). Got 0 instead."),
    ({"validation_fraction": 1}, "The 'validation_fraction' parameter of ElectraClassifier must be None or a float in the range [0.0, 1.0). Got 1 instead."),
    ({"partial_fit_lr": "x"}, "The 'partial_fit_lr' parameter of ElectraClassifier must be a str among {'constant', 'inverse_sqrt'}. Got 'x' instead."),
    ({"early_stopping": "yes"}, "The 'early_stopping' parameter of ElectraClassifier must be an instance of 'bool' or an instance of 'numpy.bool'. Got 'yes' instead."),
    ({"n_iter_no_change": 0}, "The 'n_iter_no_change' parameter of ElectraClassifier must be an int in the range [1, inf). Got 0 instead."),
    ({"callbacks": "x"}, "The 'callbacks' parameter of ElectraClassifier must be None, an instance of 'list' or a str among {'disable'}. Got 'x' instead."),
    ({"warm_start": "yes"}, "The 'warm_start' parameter of ElectraClassifier must be an instance of 'bool' or an instance of 'numpy.bool'. Got 'yes' instead."),
    ({"checkpoint_dir": 3}, "The 'checkpoint_dir' parameter of ElectraClassifier must be None, an instance of 'str' or an instance of 'os.PathLike'. Got 3 instead."),
    ({"accelerator": 3}, "The 'accelerator' parameter of ElectraClassifier must be None or an object implementing 'prepare', 'backward' and 'unwrap_model'. Got 3 instead."),
    ({"iterator_train__sampler": None}, "iterator_train__sampler cannot be set: batches come from a length-bucketed sampler that pads each batch to its longest text. Set batch_size= (or iterator_train__batch_size, iterator_train__shuffle) instead."),
    ({"iterator_valid__collate_fn": None, "iterator_valid__batch_sampler": None}, "iterator_valid__batch_sampler cannot be set: batches come from a length-bucketed sampler that pads each batch to its longest text. Set batch_size= (or iterator_valid__batch_size, iterator_valid__shuffle) instead."),
    ({"criterion__weight": 1}, "criterion__weight sets nothing: ElectraClassifier's loss comes from its targets. Use class_weight= or fit(..., sample_weight=) to weigh it."),
])
def test_each_training_parameter_is_checked_at_fit(params, message):
    with pytest.raises(ValueError) as info:
        ElectraClassifier(**{"max_epochs": 1, **FAST, **params}).fit(X, Y)
    if "partial_fit_lr" in params:  # a set prints in no fixed order
        assert sorted(str(info.value)) == sorted(message)
    else:
        assert str(info.value) == message


@pytest.mark.parametrize("params", [
    {"lr": 1e-9, "warmup_ratio": 0.0, "layerwise_lr_decay": 1.0, "validation_fraction": 0.0,
     "max_grad_norm": None, "predict_batch_size": 1, "weight_decay": 0.0},
    {"warmup_ratio": 1.0, "validation_fraction": None, "callbacks": "disable",
     "gradient_accumulation_steps": 3, "n_iter_no_change": 1, "partial_fit_lr": "inverse_sqrt"},
])
def test_values_at_the_edges_fit(params):
    est = ElectraClassifier(max_epochs=1, **FAST, **params).fit(X, Y)
    assert est.predict(X[:2]).shape == (2,)


def test_inference_batches_are_twice_the_training_batch_unless_set():
    assert ElectraClassifier(batch_size=5)._inference_batch_size() == 10
    assert ElectraClassifier(batch_size=5, predict_batch_size=3)._inference_batch_size() == 3


# ------------------------------------------------------------ fit and partial_fit
def test_fit_starts_over_unless_warm_start(clf):
    est = ElectraClassifier(max_epochs=1, **FAST).fit(X, Y)
    module, tokenizer = est.module_, est.tokenizer_
    est.fit(X, Y)
    assert est.module_ is not module and est.tokenizer_ is not tokenizer
    warm = ElectraClassifier(max_epochs=1, warm_start=True, **FAST).fit(X, Y)
    module, tokenizer, before = warm.module_, warm.tokenizer_, warm.module_.classifier.out_proj.weight.clone()
    warm.fit(X, Y)
    assert warm.module_ is module and warm.tokenizer_ is tokenizer
    assert not torch.equal(warm.module_.classifier.out_proj.weight, before)  # trained on from there


def test_partial_fit_is_one_pass_over_everything_given():
    est = ElectraClassifier(max_epochs=5, **FAST).partial_fit(X, Y, classes=["neg", "pos"])
    assert est.n_iter_ == 1 and "valid_loss" not in est.history_[-1]
    assert sum(b["train_batch_size"] for b in est.history_[-1]["batches"]) == len(X)
    est.partial_fit(X[:3], Y[:3])
    assert est.n_iter_ == 2 and sum(b["train_batch_size"] for b in est.history_[-1]["batches"]) == 3


def test_an_estimator_without_labels_takes_no_classes():
    with pytest.raises(TypeError, match=r"^ElectraRTDPretrainer\.partial_fit takes no classes: it "
                                        r"has no labels\.$"):
        ElectraRTDPretrainer().partial_fit(["some text"], classes=[0, 1])


def test_fit_accepts_sample_weight_where_it_is_used_and_nothing_else():
    with pytest.raises(TypeError) as info:
        ElectraClassifier(max_epochs=1, **FAST).fit(X, Y, weights=[1.0] * 8, epochs=2)
    assert str(info.value) == ("ElectraClassifier.fit() got unexpected keyword argument(s) "
                               "['epochs', 'weights']; it accepts sample_weight. Set estimator "
                               "parameters with set_params() or the constructor.")
    with pytest.raises(TypeError) as info:
        ElectraRTDPretrainer().fit(["some text"] * 4, sample_weight=[1.0] * 4)
    assert str(info.value) == ("ElectraRTDPretrainer.fit() got unexpected keyword argument(s) "
                               "['sample_weight']; it accepts no keyword besides X and y. Set "
                               "estimator parameters with set_params() or the constructor.")
    with pytest.raises(ValueError, match=r"^X has 8 rows but sample_weight has 2 weights"):
        ElectraClassifier(max_epochs=1, **FAST).fit(X, Y, sample_weight=[1.0, 2.0])


def test_n_iter_counts_the_epochs_of_fit_and_each_partial_fit():
    est = ElectraClassifier(max_epochs=2, early_stopping=False, **FAST)
    with pytest.raises(AttributeError, match=r"^n_iter_ is set by fit or partial_fit\.$"):
        est.n_iter_  # noqa: B018
    assert est.fit(X, Y).n_iter_ == 2
    assert est.partial_fit(X, Y).n_iter_ == 3


def test_a_run_draws_the_three_seeds_of_its_random_state():
    run = ElectraClassifier(random_state=7, device="cpu")._start_run()
    assert (run.torch_seed, run.batch_seed, run.split_seed) == tuple(fit_seeds(7))
    assert run.runtime.device == torch.device("cpu") and run.incremental is False


# ------------------------------------------------------------ the split and the batches
def _rows(n, groups=None):
    ids = [np.arange(2, 4 + i % 3, dtype=np.int32) for i in range(n)]
    return EncodedDataset(ids, [np.zeros(len(i), np.int8) for i in ids], groups=groups)


@pytest.mark.parametrize("fraction, n_valid", [(0.25, 2), (0.01, 1), (0.5, 4), (None, 0), (0.0, 0)])
def test_the_split_holds_out_the_fraction_rounded_up(fraction, n_valid):
    train, valid = ElectraRTDPretrainer(validation_fraction=fraction).get_split_datasets(_rows(8), seed=0)
    assert len(train) == 8 - n_valid and (valid is None if n_valid == 0 else len(valid) == n_valid)


def test_no_split_when_it_would_leave_no_training_row():
    data = _rows(2, groups=[0, 0])  # one unit: all of it would be held out
    train, valid = ElectraRTDPretrainer(validation_fraction=0.5).get_split_datasets(data, seed=0)
    assert train is data and valid is None


def test_the_split_keeps_the_rows_of_a_group_together():
    groups = [0, 0, 0, 1, 2, 2, 3, 3]
    data = _rows(8, groups=groups)
    for seed in range(5):
        train, valid = ElectraRTDPretrainer(validation_fraction=0.25).get_split_datasets(data, seed=seed)
        assert set(train.groups.tolist()).isdisjoint(valid.groups.tolist())
        assert len(set(valid.groups.tolist())) == 1  # ceil(0.25 * 4 groups)
        assert sorted(train.groups.tolist() + valid.groups.tolist()) == groups


def test_training_batches_are_shuffled_and_sized_by_the_parameters(clf):
    dataset = clf.get_dataset(X)
    loader = clf.get_iterator(dataset, training=True, seed=0)
    assert loader.batch_sampler.batch_size == 32 and loader.batch_sampler.shuffle is True
    loader = clf.get_iterator(dataset)
    assert loader.batch_sampler.batch_size == 64 and loader.batch_sampler.shuffle is False
    routed = ElectraClassifier(**FAST, batch_size=4, iterator_train__batch_size=3,
                               iterator_train__shuffle=False, iterator_valid__batch_size=5,
                               iterator_valid__shuffle=True)
    routed.tokenizer_ = clf.tokenizer_
    train = routed.get_iterator(dataset, training=True)
    valid = routed.get_iterator(dataset)
    assert (train.batch_sampler.batch_size, train.batch_sampler.shuffle) == (3, False)
    assert (valid.batch_sampler.batch_size, valid.batch_sampler.shuffle) == (5, True)
    plain = ElectraClassifier(**FAST, batch_size=4)
    plain.tokenizer_ = clf.tokenizer_
    assert plain.get_iterator(dataset, training=True).batch_sampler.batch_size == 4
    first = [b for b in clf.get_iterator(dataset, training=True, seed=1).batch_sampler]
    assert first == [b for b in clf.get_iterator(dataset, training=True, seed=1).batch_sampler]


# ------------------------------------------------------------ components
def test_the_optimizer_is_adamw_with_the_references_eps_over_electras_groups(clf):
    assert clf.criterion_ is None
    optimizer = clf.optimizer_
    assert type(optimizer) is torch.optim.AdamW and ADAM_EPS == 1e-6
    assert {group["eps"] for group in optimizer.param_groups} == {1e-6}
    decays = sorted({group["weight_decay"] for group in optimizer.param_groups})
    assert decays == [0.0, 0.01]  # biases and LayerNorm weights are not decayed
    assert max(group["initial_lr"] for group in optimizer.param_groups) == clf.recipe_.lr
    assert clf.grad_scaler_.is_enabled() is False  # fp32 on a CPU: nothing to scale
    own = ElectraClassifier(max_epochs=1, optimizer=torch.optim.SGD, optimizer__momentum=0.5,
                            weight_decay=0.1, **FAST).fit(X, Y)
    assert type(own.optimizer_) is torch.optim.SGD
    assert {g["momentum"] for g in own.optimizer_.param_groups} == {0.5}
    assert sorted({g["weight_decay"] for g in own.optimizer_.param_groups}) == [0.0, 0.1]


def test_a_new_lr_scales_every_group_and_keeps_their_ratios(clf):
    est = ElectraClassifier(max_epochs=1, layerwise_lr_decay=0.5, **FAST).fit(X, Y)
    before = [(g["initial_lr"], g["lr"]) for g in est.optimizer_.param_groups]
    assert len({lr for lr, _ in before}) > 1  # layer-wise decay: several rates
    est.set_params(lr=est.recipe_.lr * 2, warmup_ratio=0.3, max_epochs=4)
    est._update_recipe()
    after = [(g["initial_lr"], g["lr"]) for g in est.optimizer_.param_groups]
    for (lr0, now0), (lr1, now1) in zip(before, after):
        assert lr1 == pytest.approx(2 * lr0) and now1 == pytest.approx(2 * now0)
    assert (est.recipe_.warmup_ratio, est.recipe_.max_epochs) == (0.3, 4)


def test_the_recipe_travels_with_a_checkpoint(clf, tmp_path):
    assert clf._export_metadata()["recipe"]["lr"] == clf.recipe_.lr
    clf.save_pretrained(tmp_path / "clf")
    back = ElectraClassifier.from_pretrained(tmp_path / "clf")
    assert back.recipe_ == clf.recipe_


def test_an_interrupt_without_checkpoints_says_where_the_weights_are(clf):
    est = ElectraClassifier(max_epochs=1, early_stopping=False, **FAST).fit(X, Y)
    with pytest.warns(UserWarning) as record:
        est._on_interrupt()
    assert [str(w.message) for w in record] == [
        "Training was interrupted mid-epoch; the weights are those at the interrupt. Pass "
        "checkpoint_dir= to go back to the last completed epoch instead."]
    est.set_params(early_stopping=True, validation_fraction=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est._on_interrupt()  # early stopping restores the best epoch: nothing to say
    est.set_params(validation_fraction=None)
    with pytest.warns(UserWarning, match="^Training was interrupted mid-epoch"):
        est._on_interrupt()


def test_a_fit_runs_max_epochs_without_early_stopping():
    est = ElectraClassifier(max_epochs=3, early_stopping=False, **FAST).fit(X, Y)
    assert len(est.history_) == 3 and all("valid_loss" in row for row in est.history_)
