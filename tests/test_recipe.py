"""The paper's recipe, one test per setting; each fails if the setting is wrong.

Reference: google-research/electra (configure_finetuning.py, configure_pretraining.py,
model/optimization.py, pretrain/pretrain_helpers.py, build_pretraining_dataset.py).
"""

import dataclasses
import math

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer, rtd
from sklearn_electra.modeling import PRESETS
from sklearn_electra.optim import LinearWarmupSchedule, fused_adam_supported, warmup_linear_factor
from sklearn_electra.pretrainer import pack_sequences
from sklearn_electra.recipe import finetuning_recipe, model_size, pretraining_recipe

from .conftest import FAST

CONFIGS = {size: ElectraConfig(**PRESETS[size]) for size in ("small", "base", "large")}


# ------------------------------------------------------------ fine-tuning by size
@pytest.mark.parametrize("size, lr, decay", [("small", 3e-4, 0.8), ("base", 1e-4, 0.8),
                                             ("large", 5e-5, 0.9)])
def test_pretrained_checkpoints_fine_tune_with_the_papers_rate_and_decay(size, lr, decay):
    recipe = finetuning_recipe(CONFIGS[size])
    assert (recipe.lr, recipe.layerwise_lr_decay, recipe.warmup_ratio) == (lr, decay, 0.1)


def test_a_preset_trains_from_scratch_without_layerwise_decay():
    recipe = finetuning_recipe(ElectraConfig(**PRESETS["tiny"]), preset="tiny")
    assert recipe.layerwise_lr_decay == 1.0 and recipe.lr == 5e-4  # small's pretraining rate
    assert finetuning_recipe(CONFIGS["base"], preset="base").lr == 2e-4  # base's pretraining rate
    assert recipe.max_epochs is None and recipe.min_steps == 1500


def test_explicit_parameters_win_and_get_params_keeps_none():
    recipe = finetuning_recipe(CONFIGS["large"], lr=1e-5, layerwise_lr_decay=1.0, warmup_ratio=0.0)
    assert (recipe.lr, recipe.layerwise_lr_decay, recipe.warmup_ratio) == (1e-5, 1.0, 0.0)
    params = ElectraClassifier().get_params()
    assert params["lr"] is None and params["layerwise_lr_decay"] is None and params["warmup_ratio"] is None


def test_size_is_read_from_the_checkpoint_config(tmp_path):
    """A local checkpoint of Base's width (1 layer, to stay small) fine-tunes at Base's rate."""
    config = ElectraConfig(vocab_size=200, embedding_size=64, hidden_size=768, num_hidden_layers=1,
                           num_attention_heads=12, intermediate_size=256)
    ElectraForPreTraining(config).save_pretrained(tmp_path)
    texts = ["a b c", "d e f"] * 8
    pretrained = ElectraRTDPretrainer(model="tiny", max_length=8, vocab_size=200, max_epochs=1).fit(texts * 4)
    pretrained.tokenizer_.save_pretrained(tmp_path)
    clf = ElectraClassifier(model=str(tmp_path), max_length=8, max_epochs=1, random_state=0)
    clf.fit(texts, [0, 1] * 8)
    assert clf.recipe_.lr == 1e-4 and clf.recipe_.layerwise_lr_decay == 0.8
    assert clf.recipe_.basis == "pretrained base (fine-tuning)"


@pytest.mark.parametrize("hidden, size", [(64, "small"), (256, "small"), (384, "small"), (512, "base"),
                                          (768, "base"), (1024, "large"), (2048, "large")])
def test_model_size_is_the_nearest_paper_size(hidden, size):
    assert model_size(hidden) == size


# ------------------------------------------------------------ layer-wise decay and Adam
def _initialized(**params):
    """A classifier initialised on a tiny tokenizer without training (optimizer groups only)."""
    from sklearn_electra.tokenization import train_wordpiece

    tokenizer = train_wordpiece(["a b c d e f g"] * 4, 100)
    clf = ElectraClassifier(**{"max_length": 16, "tokenizer": tokenizer, **params})
    return clf.initialize(["a b", "c d"] * 2, ["x", "y"] * 2)


def test_layerwise_decay_puts_the_head_two_steps_above_the_last_layer():
    clf = _initialized(lr=1.0, layerwise_lr_decay=0.5)
    L = clf.module_.config.num_hidden_layers  # noqa: N806 - the paper's notation
    lr_of = {id(p): g["initial_lr"] for g in clf.optimizer_.param_groups for p in g["params"]}
    for name, p in clf.module_.named_parameters():
        if "embeddings" in name:
            depth = 0
        elif "encoder.layer." in name:
            depth = int(name.split("encoder.layer.")[1].split(".")[0]) + 1
        else:
            depth = L + 2  # the task head (optimization.py _get_layer_lrs)
        assert lr_of[id(p)] == pytest.approx(0.5 ** (L + 2 - depth)), name
    assert lr_of[id(clf.module_.classifier.out_proj.weight)] == 1.0
    assert lr_of[id(clf.module_.electra.encoder.layer[L - 1].output.dense.weight)] == 0.25


def test_adam_epsilon_is_the_references_unless_set():
    assert _initialized().optimizer_.defaults["eps"] == 1e-6
    assert _initialized(optimizer__eps=1e-8).optimizer_.defaults["eps"] == 1e-8
    sgd = _initialized(optimizer=torch.optim.SGD)  # takes no eps: none is passed
    assert "eps" not in sgd.optimizer_.defaults


def test_adamw_runs_fused_on_cpu_unless_opted_out():
    # torch >= 2.4 has the CPU kernel (what CI installs); older torch keeps the loop.
    assert _initialized().optimizer_.defaults["fused"] is fused_adam_supported(torch.optim.AdamW, "cpu")
    assert not _initialized(optimizer__fused=False).optimizer_.defaults["fused"]
    assert not _initialized(optimizer=torch.optim.SGD).optimizer_.defaults.get("fused")
    foreach = _initialized(optimizer__foreach=True).optimizer_.defaults  # torch allows one of the two
    assert foreach["foreach"] and not foreach["fused"]


def test_the_fused_step_trains_the_same_weights_as_the_loop(reviews):
    train, _ = reviews
    X, y = train["text"][:64], train["label"][:64]
    fits = [ElectraClassifier(**{**FAST, "max_epochs": 1}, **extra).fit(X, y)
            for extra in ({}, {"optimizer__fused": False})]
    fused, looped = (clf.module_.state_dict() for clf in fits)
    start = ElectraClassifier(**{**FAST, "max_epochs": 1}).initialize(X, y).module_.state_dict().items()
    # The weights did train, so agreeing below is not trivial.
    assert max(float((fused[name] - p).abs().max()) for name, p in start) > 1e-3
    for name, p in looped.items():
        torch.testing.assert_close(fused[name], p, atol=1e-5, rtol=1e-4, msg=name)


# ------------------------------------------------------------ schedule
def test_lr_decays_linearly_from_step_zero_times_the_warmup():
    total, warmup = 20, 4
    factors = [warmup_linear_factor(s, total, warmup) for s in range(total)]
    expected = [min(1, (s + 1) / warmup) * (1 - s / total) for s in range(total)]
    np.testing.assert_allclose(factors, expected)
    assert factors[warmup - 1] == pytest.approx(1 - (warmup - 1) / total)  # peak below 1


class LrAtStep(Callback):
    """The lr each training batch runs with (read before its step)."""

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            net.history.record_batch("lr", net.optimizer_.param_groups[-1]["lr"])


def test_fit_follows_the_schedule_per_optimizer_step(reviews):
    train, _ = reviews
    clf = ElectraClassifier(**{**FAST, "max_epochs": 2, "gradient_accumulation_steps": 2},
                            warmup_ratio=0.25, validation_fraction=None,
                            callbacks=[("lr", LrAtStep())]).fit(train["text"], train["label"])
    per_epoch = math.ceil(len(clf.history_[0]["batches"]) / 2)  # the last step may hold one batch
    schedule = clf.lr_schedule_
    assert schedule.total == 2 * per_epoch and schedule.warmup == round(0.25 * schedule.total)
    for epoch in range(2):
        seen = clf.history_[epoch, "batches", :, "lr"]
        expected = [FAST["lr"] * warmup_linear_factor(epoch * per_epoch + b // 2, schedule.total,
                                                      schedule.warmup) for b in range(len(seen))]
        np.testing.assert_allclose(seen, expected, rtol=1e-6)


def test_pretraining_warms_up_for_10000_steps_at_most_a_tenth_of_the_run():
    recipe = pretraining_recipe(CONFIGS["small"])
    assert recipe.warmup_for(1_000_000) == 10_000 and recipe.warmup_for(1_000) == 100
    assert LinearWarmupSchedule.for_training(100, 10, recipe.warmup_for).warmup == 100
    assert pretraining_recipe(CONFIGS["small"], warmup_ratio=0.5).warmup_for(1_000_000) == 500_000


def test_a_fixed_epoch_count_drops_the_step_floor_and_the_basis_names_the_source():
    fixed = finetuning_recipe(CONFIGS["small"], max_epochs=5)
    assert (fixed.max_epochs, fixed.min_steps, fixed.min_epochs) == (5, None, None)
    assert fixed.epochs_for(1) == 5 and fixed.basis == "pretrained small (fine-tuning)"
    assert finetuning_recipe(CONFIGS["small"], preset="tiny").basis == "random init, preset 'tiny'"


def test_epochs_for_rounds_steps_up_and_counts_an_empty_epoch_as_one_step():
    recipe = finetuning_recipe(CONFIGS["small"], preset="tiny")  # 1,500 steps, 3 to 50 epochs
    assert [recipe.epochs_for(n) for n in (1000, 700, 499, 100, 31, 30, 1, 0)] == \
        [3, 3, 4, 15, 49, 50, 50, 50]
    checkpoint = finetuning_recipe(CONFIGS["small"], task_epochs=2)  # 780 steps, at least 2
    assert [checkpoint.epochs_for(n) for n in (1000, 390, 389, 16)] == [2, 2, 3, 49]
    assert dataclasses.replace(recipe, min_steps=10).epochs_for(1) == 10
    assert dataclasses.replace(recipe, min_steps=10).epochs_for(0) == 10


def test_warmup_is_at_least_one_step_and_rounds_to_the_nearest():
    recipe = finetuning_recipe(CONFIGS["small"])  # 10% warmup, no cap
    assert [recipe.warmup_for(n) for n in (5, 14, 15, 16, 1000)] == [1, 1, 2, 2, 100]


def test_updated_changes_only_what_was_set_between_fits():
    recipe = pretraining_recipe(CONFIGS["small"], max_epochs=None)
    assert recipe.updated() == recipe
    assert recipe.updated(lr=1e-3) == dataclasses.replace(recipe, lr=1e-3)
    # An explicit warmup ratio replaces the pretraining cap of 10,000 steps.
    assert recipe.updated(warmup_ratio=0.2) == dataclasses.replace(recipe, warmup_ratio=0.2,
                                                                    warmup_steps=None)
    scratch = finetuning_recipe(CONFIGS["small"], preset="tiny")
    assert scratch.updated(max_epochs=4) == dataclasses.replace(scratch, max_epochs=4, min_steps=None,
                                                                 min_epochs=None)
    checkpoint = finetuning_recipe(CONFIGS["small"])
    assert checkpoint.updated(max_epochs=4).min_epochs is None


# ------------------------------------------------------------ pretraining by size
@pytest.mark.parametrize("size, lr, generator, mask", [("small", 5e-4, 0.25, 0.15),
                                                       ("base", 2e-4, 1 / 3, 0.15),
                                                       ("large", 2e-4, 0.25, 0.25)])
def test_pretraining_settings_by_size(size, lr, generator, mask):
    recipe = pretraining_recipe(CONFIGS[size])
    assert (recipe.lr, recipe.generator_size, recipe.mask_prob, recipe.layerwise_lr_decay) == \
        pytest.approx((lr, generator, mask, 1.0))
    assert recipe.basis == f"{size} (pretraining)" and recipe.max_epochs is None


def test_explicit_pretraining_parameters_win():
    recipe = pretraining_recipe(CONFIGS["small"], preset="tiny", lr=1e-3, layerwise_lr_decay=0.9,
                                warmup_ratio=0.05, generator_size=0.5, mask_prob=0.3, max_epochs=7)
    assert dataclasses.astuple(recipe) == (1e-3, 0.9, 0.05, None, 7, None, None, 0.5, 0.3,
                                           "small (pretraining), preset 'tiny'")


def test_generator_shapes_of_the_paper():
    large = rtd.generator_config(CONFIGS["large"], pretraining_recipe(CONFIGS["large"]).generator_size)
    assert (large.hidden_size, large.num_attention_heads, large.intermediate_size) == (256, 4, 1024)
    base = rtd.generator_config(CONFIGS["base"], pretraining_recipe(CONFIGS["base"]).generator_size)
    assert (base.hidden_size, base.num_attention_heads, base.intermediate_size) == (256, 4, 1024)
    small = rtd.generator_config(CONFIGS["small"], pretraining_recipe(CONFIGS["small"]).generator_size)
    assert (small.hidden_size, small.num_attention_heads, small.embedding_size) == (64, 1, 128)


# ------------------------------------------------------------ the RTD objective
@pytest.fixture(scope="module")
def pretrainer(reviews):
    texts = reviews[0]["text"].tolist()[:200]
    return ElectraRTDPretrainer(**{**FAST, "max_epochs": 1}).fit(texts)


def test_masking_in_forward_spares_cls_sep_mask_pad_but_not_unk(pretrainer, monkeypatch):
    tok = pretrainer.tokenizer_
    seen = {}
    real = rtd.mask_tokens

    def spy(input_ids, maskable, mask_prob, mask_token_id):
        seen["ids"], seen["maskable"] = input_ids, maskable
        return real(input_ids, maskable, mask_prob, mask_token_id)

    monkeypatch.setattr(rtd, "mask_tokens", spy)
    specials = [tok.cls_token_id, tok.unk_token_id, tok.mask_token_id, 10, 11, tok.sep_token_id,
                tok.pad_token_id]
    ids = torch.tensor([specials])
    attention = torch.tensor([[1, 1, 1, 1, 1, 1, 0]])
    with torch.no_grad():
        pretrainer.module_.eval()(input_ids=ids, attention_mask=attention)
    assert seen["maskable"][0].tolist() == [False, True, False, True, True, False, False]


def test_discriminator_loss_sees_no_padding():
    """Logits at padded positions may be anything: the loss is the same."""
    model = _rtd().eval()
    ids = torch.randint(5, 50, (2, 20))
    attention = torch.ones_like(ids)
    attention[1, 12:] = 0
    ids[1, 12:] = 0

    def run(hook):
        torch.manual_seed(0)
        handle = model.discriminator.register_forward_hook(hook) if hook else None
        try:
            with torch.no_grad():
                return model(input_ids=ids, attention_mask=attention)
        finally:
            if handle:
                handle.remove()

    def poison_padding(module, inputs, output):
        output.logits[1, 12:] = 1e4

    plain, poisoned = run(None), run(poison_padding)
    assert float(poisoned.disc_loss) == pytest.approx(float(plain.disc_loss))
    assert int(plain.n_tokens) == 32


@pytest.mark.parametrize("weight", [1.0, 50.0])
def test_loss_is_generator_plus_weighted_discriminator(weight):
    torch.manual_seed(0)
    out = _rtd(disc_weight=weight)(input_ids=torch.randint(5, 50, (3, 16)),
                                   attention_mask=torch.ones(3, 16, dtype=torch.long))
    assert float(out.loss) == pytest.approx(float(out.gen_loss) + weight * float(out.disc_loss), rel=1e-6)


def test_gumbel_sampling_keeps_the_tail_in_float32():
    """In bf16 the noise is too coarse: the tail token (p = 0.0012) is sampled twice too often."""
    torch.manual_seed(0)
    n = 400_000
    logits = torch.tensor([[0.0, -0.05, -3.0, -6.0]]).repeat(n, 1).to(torch.bfloat16)
    freq = torch.bincount(rtd.gumbel_sample(logits), minlength=4).double() / n
    expected = torch.softmax(logits[0].double(), -1)
    assert freq[3] == pytest.approx(float(expected[3]), rel=0.15)
    assert torch.allclose(freq, expected, atol=0.004)


def test_pretraining_rows_hold_two_segments_and_train_type_one(pretrainer, reviews):
    ds = pretrainer._make_dataset(reviews[0]["text"].tolist()[:200])
    sep = pretrainer.tokenizer_.sep_token_id
    two = [t for t in ds.token_type_ids if t.max() == 1]
    assert 0.85 <= len(two) / len(ds) <= 0.95  # every tenth row is one segment
    for ids, types in zip(ds.input_ids, ds.token_type_ids):
        assert ids[-1] == sep and (ids == sep).sum() == 1 + types.max()
        assert types[0] == 0 and np.all(np.diff(types) >= 0)  # [CLS] A [SEP] (B [SEP])

    grads = []

    class TypeGrad(Callback):
        def on_grad_computed(self, net, named_parameters, **kwargs):
            weight = net.module_.discriminator.electra.embeddings.token_type_embeddings.weight
            grads.append(float(weight.grad[1].abs().sum()))

    ElectraRTDPretrainer(**{**FAST, "max_epochs": 1}, callbacks=[("g", TypeGrad())]).fit(
        reviews[0]["text"].tolist()[:120])
    assert grads and all(g > 0 for g in grads)


def test_pack_sequences_keeps_every_token_in_order():
    texts = [np.arange(5, 5 + n, dtype=np.int32) for n in (3, 7, 2, 9, 4, 30, 1)]
    rows, types = pack_sequences(texts, max_length=8, cls_id=2, sep_id=3)
    assert all(len(r) == 8 for r in rows[:-1]) and 3 <= len(rows[-1]) <= 8
    body = np.concatenate([r[(r != 2) & (r != 3)] for r in rows])
    assert body.tolist() == np.concatenate(texts).tolist()
    assert all(len(r) == len(t) for r, t in zip(rows, types))


def _rtd(vocab=50, size=0.25, **kw):
    config = ElectraConfig(vocab_size=vocab, **PRESETS["tiny"])
    return rtd.ElectraRTD(ElectraForPreTraining(config), ElectraForMaskedLM(rtd.generator_config(config, size)),
                          special_ids=[0, 2, 3, 4], mask_token_id=4, **kw)


@pytest.mark.slow
def test_rtd_learns_uniform_replacements_below_the_base_rate(reviews):
    """With replacements drawn near-uniformly (temperature 1000) the task is easy: within a few
    hundred steps the discriminator's loss falls clearly below the base-rate entropy."""
    texts = reviews[0]["text"].tolist()[:400]
    pre = ElectraRTDPretrainer(max_length=64, vocab_size=2000, batch_size=16, temperature=1000.0,
                               max_epochs=12, random_state=0).fit(texts)
    last = pre.history_[-1]
    assert last["steps"] <= 400
    assert last["disc_loss"] < 0.75 * last["disc_base_entropy"]
    assert last["disc_recall"] > 0.3


# ------------------------------------------------------------ epochs, and changes between fits
def test_a_preset_trains_for_enough_steps_and_a_checkpoint_for_three_epochs_or_its_floor(
        reviews, monkeypatch, tmp_path):
    from sklearn_electra import recipe

    monkeypatch.setattr(recipe, "SCRATCH_MIN_STEPS", 20)  # 64 texts, batch 16: 4 steps an epoch
    train, _ = reviews
    X, y = train["text"][:64], train["label"][:64]
    params = {**FAST, "validation_fraction": None}
    del params["max_epochs"]
    scratch = ElectraClassifier(**params).fit(X, y)
    assert scratch.recipe_.max_epochs is None and len(scratch.history_) == 5
    assert ElectraClassifier(**params, max_epochs=2).fit(X, y).history_[-1, "epoch"] == 2
    scratch.save_pretrained(tmp_path)
    # A checkpoint trains the paper's 3 epochs, or enough for the step floor on little data
    # (the reference's RTE/STS schedule: 780 steps, 195 epochs here, capped at 50).
    assert recipe.CHECKPOINT_MIN_STEPS == 780
    tuned = ElectraClassifier(model=str(tmp_path), **params)
    assert tuned.initialize(X, y).recipe_.epochs_for(4) == 50
    monkeypatch.setattr(recipe, "CHECKPOINT_MIN_STEPS", 8)  # 2 epochs: fewer than the paper's
    assert len(tuned.fit(X, y).history_) == 3 and tuned.recipe_.min_epochs == 3
    monkeypatch.setattr(recipe, "CHECKPOINT_MIN_STEPS", 20)  # 5 epochs of 4 steps
    assert len(tuned.fit(X, y).history_) == 5


def test_set_params_between_partial_fits_applies_lr_and_epochs(fitted, reviews):
    import copy

    train, _ = reviews
    clf = copy.deepcopy(fitted)
    ratios = [g["initial_lr"] / clf.recipe_.lr for g in clf.optimizer_.param_groups]
    clf.set_params(lr=FAST["lr"] / 10, max_epochs=1).partial_fit(train["text"][:64], train["label"][:64])
    assert clf.recipe_.lr == FAST["lr"] / 10 and len(clf.history_) == len(fitted.history_) + 1
    assert [g["initial_lr"] / clf.recipe_.lr for g in clf.optimizer_.param_groups] == pytest.approx(ratios)
    assert max(g["initial_lr"] for g in clf.optimizer_.param_groups) == pytest.approx(FAST["lr"] / 10)
