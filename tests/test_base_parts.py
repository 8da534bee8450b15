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

from skorch.callbacks import Callback

from sklearn_electra import (ElectraClassifier, ElectraQuestionAnswerer, ElectraRegressor,
                             ElectraRTDPretrainer, ElectraTagger)
from sklearn_electra.data import EncodedDataset
from sklearn_electra.modeling import build_config, resolve_model
from sklearn_electra.recipe import ADAM_EPS, FINETUNING_EPOCHS, QA_EPOCHS, SCRATCH_EPOCHS
from sklearn_electra.runtime import fit_seeds

pytestmark = pytest.mark.filterwarnings("ignore:The model did not learn")
X = ["great phone", "love it", "battery died", "screen broke"] * 2
TEXTS = ["the cat sat on the mat", "a dog ran in the park"] * 10  # unlabeled, for pretraining
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


def test_partial_fit_without_labels_is_one_pass_that_continues_the_model():
    pre = ElectraRTDPretrainer(max_length=16, max_epochs=5, validation_fraction=0.5, **FAST)
    assert pre.partial_fit(TEXTS) is pre
    rows = len(pre._make_dataset(TEXTS))
    assert pre.n_iter_ == 1 and "valid_loss" not in pre.history_[-1]  # every row trains
    assert sum(b["train_batch_size"] for b in pre.history_[-1]["batches"]) == rows
    module = pre.module_
    pre.partial_fit(TEXTS[:8])
    assert pre.module_ is module and pre.n_iter_ == 2
    with pytest.raises(TypeError, match=r"^ElectraRTDPretrainer\.fit\(\) got unexpected keyword "
                                        r"argument\(s\) \['epochs'\]"):
        pre.partial_fit(TEXTS, epochs=2)


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


def test_the_data_checks_know_a_fit_from_a_partial_fit_and_get_the_weights():
    # incremental: only partial_fit refuses balanced weights (it never sees all the labels)
    with pytest.raises(ValueError, match="partial_fit never sees"):
        ElectraClassifier(class_weight="balanced", **FAST).partial_fit(X, Y)
    balanced = ElectraClassifier(class_weight="balanced", **FAST).initialize(X, Y)
    assert balanced.target_.class_weight_.tolist() == [1.0, 1.0]
    # fitting: a tagger fits on words, and splits raw strings only at prediction
    with pytest.raises(ValueError, match=r"^X\[0\] is a string"):
        ElectraTagger(**FAST).fit(["Ann lives here"], [["B-PER", "O", "O"]])
    # the weights reach the targets (the regressor's scale) and the rows (the loss)
    reg = ElectraRegressor(max_epochs=1, validation_fraction=None, **FAST)
    reg.fit(X, [1.0, 2.0, 3.0, 4.0] * 2, sample_weight=[1, 1, 1, 3] * 2)
    assert reg.target_.mean_.tolist() == [3.0]  # (1 + 2 + 3 + 3 * 4) / 6, not 2.5
    plain = ElectraClassifier(max_epochs=1, validation_fraction=None, **FAST).fit(X, Y)
    weighted = ElectraClassifier(max_epochs=1, validation_fraction=None, **FAST).fit(
        X, Y, sample_weight=[1, 1, 0, 0] * 2)
    assert weighted.history_[0]["train_loss"] != pytest.approx(plain.history_[0]["train_loss"])


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
    train, valid = ElectraRTDPretrainer(validation_fraction=0.5).get_split_datasets(_rows(2), seed=0)
    assert len(train) == len(valid) == 1  # one row each side is enough


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
    assert {group["fused"] for group in optimizer.param_groups} == {True}  # one kernel on CPU
    decays = sorted({group["weight_decay"] for group in optimizer.param_groups})
    assert decays == [0.0, 0.01]  # biases and LayerNorm weights are not decayed
    assert max(group["initial_lr"] for group in optimizer.param_groups) == clf.recipe_.lr
    assert clf.grad_scaler_.is_enabled() is False  # fp32 on a CPU: nothing to scale
    own = ElectraClassifier(max_epochs=1, optimizer=torch.optim.SGD, optimizer__momentum=0.5,
                            weight_decay=0.1, **FAST).fit(X, Y)
    assert type(own.optimizer_) is torch.optim.SGD
    assert {g["momentum"] for g in own.optimizer_.param_groups} == {0.5}
    assert sorted({g["weight_decay"] for g in own.optimizer_.param_groups}) == [0.0, 0.1]


def test_routed_parameters_set_after_a_fit_apply_when_the_next_fit_builds_the_optimizer():
    est = ElectraClassifier(max_epochs=1, **FAST).fit(X, Y)
    optimizer, proba = est.optimizer_, est.predict_proba(X)
    est.set_params(optimizer__betas=(0.5, 0.6), iterator_train__batch_size=3)  # skorch: an error
    assert est.optimizer_ is optimizer and est.get_params_for("optimizer") == {"betas": (0.5, 0.6)}
    np.testing.assert_array_equal(est.predict_proba(X), proba)
    est.fit(X, Y)
    assert est.optimizer_ is not optimizer
    assert {g["betas"] for g in est.optimizer_.param_groups} == {(0.5, 0.6)}
    assert sorted(b["train_batch_size"] for b in est.history_[-1]["batches"] if "train_batch_size" in b) \
        == [1, 3, 3]


def test_the_recipe_reads_the_size_with_module_overrides_and_the_parameters():
    base_sized = ElectraClassifier(module__hidden_size=768, module__num_attention_heads=12)
    recipe = base_sized._resolve_recipe(resolve_model("tiny"))
    assert (recipe.lr, recipe.basis, recipe.min_steps) == (2e-4, "random init, preset 'tiny'", 1500)
    assert ElectraClassifier(lr=3e-3)._resolve_recipe(resolve_model("tiny")).lr == 3e-3
    assert ElectraClassifier()._resolve_recipe(resolve_model("tiny")).lr == 5e-4


def test_a_checkpoint_is_fine_tuned_with_its_tasks_epochs(clf, tmp_path):
    clf.save_pretrained(tmp_path / "clf")
    source = resolve_model(str(tmp_path / "clf"))
    recipe = ElectraClassifier()._resolve_recipe(source)
    assert (recipe.basis, recipe.lr, recipe.min_epochs) == ("pretrained small (fine-tuning)", 3e-4,
                                                             FINETUNING_EPOCHS)
    assert ElectraQuestionAnswerer()._resolve_recipe(source).min_epochs == QA_EPOCHS == 2


def test_a_checkpoint_is_fine_tuned_with_its_own_tokenizer(clf, tmp_path):
    clf.save_pretrained(tmp_path / "clf")
    tuned = ElectraClassifier(str(tmp_path / "clf"), max_epochs=1, **FAST)
    tuned.fit(["zebra quilt", "xylophone jam", "quartz vortex", "jumbo kiwi"] * 2, Y)
    assert tuned.tokenizer_.get_vocab() == clf.tokenizer_.get_vocab()  # not one trained on X


def test_without_max_epochs_a_fit_runs_the_recipes_epochs():
    est = ElectraClassifier(early_stopping=False, validation_fraction=None, **FAST).fit(X, Y)
    # one step per epoch: the recipe's 1,500 steps capped at its most epochs
    assert est.n_iter_ == est.recipe_.epochs_for(1) == SCRATCH_EPOCHS[1]


def test_initialize_alone_resolves_the_recipe():
    fitted = ElectraRTDPretrainer(max_length=16, max_epochs=1, **FAST).fit(TEXTS)
    pre = ElectraRTDPretrainer(max_length=16, **FAST)
    pre.tokenizer_ = fitted.tokenizer_
    assert pre.initialize() is pre
    assert (pre.recipe_.lr, pre.recipe_.mask_prob) == (5e-4, 0.15)
    assert pre.optimizer_.param_groups[0]["initial_lr"] == 5e-4
    assert pre.partial_fit(TEXTS).n_iter_ == 1  # no schedule yet: partial_fit starts one


def test_a_checkpoint_written_without_a_recipe_restores_none():
    pre = ElectraRTDPretrainer()
    pre._restore_metadata({"estimator": "ElectraRTDPretrainer", "params": {}},
                          build_config(resolve_model("tiny")))
    assert pre.recipe_ is None


def test_a_new_lr_scales_every_group_and_keeps_their_ratios(clf):
    est = ElectraClassifier(max_epochs=1, layerwise_lr_decay=0.5, **FAST).fit(X, Y)
    for group in est.optimizer_.param_groups:
        group["lr"] = group["initial_lr"] / 4  # mid-schedule (the fit's schedule ended at 0)
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


class _Interrupt(Callback):
    """Ctrl-C in the middle of the first epoch."""

    def on_batch_end(self, net, **kwargs):
        raise KeyboardInterrupt


class _Seen(Callback):
    """What each epoch's hooks are given."""

    def initialize(self):
        self.seen = []
        return self

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.seen.append(("begin", len(dataset_train), len(dataset_valid)))

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.seen.append(("end", len(dataset_train), len(dataset_valid)))


def test_each_epochs_hooks_get_the_split_and_validation_batches_are_inference_sized():
    seen = _Seen()
    est = ElectraClassifier(max_epochs=2, early_stopping=False, validation_fraction=0.5,
                            batch_size=2, callbacks=[("seen", seen)], **FAST).fit(X, Y)
    assert seen.seen == [("begin", 4, 4), ("end", 4, 4)] * 2
    # held-out rows go in batches of twice batch_size, in one pass, as predict's
    assert [b["valid_batch_size"] for b in est.history_[-1]["batches"] if "valid_batch_size" in b] == [4]


def test_a_keyboard_interrupt_ends_the_fit_and_says_where_the_weights_are():
    est = ElectraClassifier(max_epochs=3, early_stopping=False, callbacks=[("ctrl_c", _Interrupt())],
                            **FAST)
    with pytest.warns(UserWarning, match="^Training was interrupted mid-epoch"):
        assert est.fit(X, Y) is est
    assert len(est.history_) == 1


def test_the_interrupt_warning_points_at_the_users_fit():
    est = ElectraClassifier(max_epochs=3, early_stopping=False, callbacks=[("ctrl_c", _Interrupt())],
                            **FAST)
    with pytest.warns(UserWarning, match="^Training was interrupted mid-epoch") as record:
        est.fit(X, Y)  # through the sample-weight mixin, the base and skorch's partial_fit
    assert [w.filename for w in record if "interrupted" in str(w.message)] == [__file__]


def test_an_interrupt_with_checkpoints_goes_back_to_the_last_completed_epoch(tmp_path):
    est = ElectraClassifier(max_epochs=2, early_stopping=False, checkpoint_dir=tmp_path, **FAST)
    est.fit(X, Y)
    saved = {k: v.clone() for k, v in est.module_.state_dict().items()}
    with torch.no_grad():
        for weight in est.module_.parameters():
            weight.add_(1.0)  # half an epoch's changes
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est._on_interrupt()  # rolled back: nothing to warn about
    for name, weight in est.module_.state_dict().items():
        torch.testing.assert_close(weight, saved[name])


def test_trim_for_prediction_drops_the_optimizer_and_keeps_the_predictions():
    est = ElectraClassifier(max_epochs=1, **FAST).fit(X, Y)
    proba = est.predict_proba(X)
    est.trim_for_prediction()  # skorch's: what only training needs goes
    assert est.optimizer_ is None
    np.testing.assert_array_equal(est.predict_proba(X), proba)


class _Sharding:
    """An Accelerate stand-in on one CPU process that marks what it prepares."""

    device, num_processes = "cpu", 1

    def prepare(self, *objects):
        return objects if len(objects) > 1 else ("sharded", objects[0])

    def backward(self, loss):
        loss.backward()

    def unwrap_model(self, module):
        return module


def test_only_training_batches_are_sharded_across_processes(clf):
    est = ElectraClassifier(accelerator=_Sharding(), device="auto", **FAST)
    est.tokenizer_ = clf.tokenizer_
    dataset = clf.get_dataset(X)
    assert est.get_iterator(dataset, training=True, seed=0)[0] == "sharded"
    # every process scores the whole validation split, so all stop early together
    assert est.get_iterator(dataset).batch_sampler.batch_size == 64
