"""``pretrainer.py`` part by part: packing, parameters, the epoch's RTD metrics from
per-batch counts (computed by hand), and the generator's and discriminator's outputs.

Models are tiny and pretrained for one epoch on a few sentences (a fraction of a second);
what pretraining is worth is tested in ``tests/test_pretrainer.py``.
"""

import copy
import inspect
import types

import numpy as np
import pytest
import torch
from skorch.history import History
from transformers import ElectraForMaskedLM

from sklearn_electra import ElectraRTDPretrainer
from sklearn_electra.modeling import resolve_model
from sklearn_electra.pretrainer import pack_sequences
from sklearn_electra.rtd import binary_entropy

from .conftest import wrapping_accelerator

TEXTS = ["the cat sat on the mat", "a dog ran in the park"] * 10
FAST = {"max_length": 16, "max_epochs": 1, "random_state": 0, "vocab_size": 60, "verbose": 0}


@pytest.fixture(scope="module")
def pre():
    return ElectraRTDPretrainer(**FAST).fit(TEXTS)


# ------------------------------------------------------------ packing
def _texts(*lengths, first=10):
    """Texts of the given lengths with consecutive ids from ``first``."""
    out, start = [], first
    for n in lengths:
        out.append(np.arange(start, start + n))
        start += n
    return out


def test_rows_split_at_the_text_boundary_nearest_the_middle():
    rows, types_ = pack_sequences(_texts(2, 5, 3), 10, cls_id=2, sep_id=3)
    # a row holds 7 tokens (10 - 3); of the text boundaries (2 and 7) only 2 falls inside
    # the first row, so A = ids 10-11 and B = 12-16
    assert [r.tolist() for r in rows] == [[2, 10, 11, 3, 12, 13, 14, 15, 16, 3], [2, 17, 3, 18, 19, 3]]
    assert [t.tolist() for t in types_] == [[0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1]]
    assert [r.dtype for r in rows] == [np.int32] * 2 and [t.dtype for t in types_] == [np.int8] * 2


def test_a_text_spanning_the_row_splits_at_the_middle_and_ties_take_the_first_boundary():
    rows, types_ = pack_sequences(_texts(9), 10, cls_id=2, sep_id=3)
    assert rows[0].tolist() == [2, 10, 11, 12, 3, 13, 14, 15, 16, 3]  # 7 tokens: 3 + 4
    assert rows[1].tolist() == [2, 17, 3, 18, 3]  # two left: still two segments, 1 + 1
    rows, _ = pack_sequences(_texts(1, 4, 2), 10, cls_id=2, sep_id=3)  # boundaries 1 and 5, middle 3
    assert rows[0].tolist() == [2, 10, 3, 11, 12, 13, 14, 15, 16, 3]


def test_every_tenth_row_is_one_segment_and_a_last_single_token_too():
    rows, types_ = pack_sequences(_texts(7 * 9 + 8 + 1), 10, cls_id=2, sep_id=3)
    assert [len(r) for r in rows] == [10] * 10 + [3]
    assert rows[9].tolist() == [2, *range(73, 81), 3] and types_[9].tolist() == [0] * 10
    assert rows[10].tolist() == [2, 81, 3] and types_[10].tolist() == [0, 0, 0]
    assert all(r.tolist().count(3) == 2 for r in rows[:9])  # two segments


@pytest.mark.parametrize("lengths, expected", [
    # boundaries 1 and 4, middle 3: the nearer one (4), not the first
    ((1, 3, 3), [[2, 10, 11, 12, 13, 3, 14, 15, 16, 3]]),
    # the second row's boundaries (8 and 9, at 1 and 2 in it) count as the first row's do
    ((3, 5, 1, 4), [[2, 10, 11, 12, 3, 13, 14, 15, 16, 3], [2, 17, 18, 3, 19, 20, 21, 22, 3]]),
    # a text ending with the row is no boundary inside it: B would be empty
    ((7, 3), [[2, 10, 11, 12, 3, 13, 14, 15, 16, 3], [2, 17, 3, 18, 19, 3]]),
])
def test_a_row_splits_at_the_nearest_boundary_strictly_inside_it(lengths, expected):
    rows, _ = pack_sequences(_texts(*lengths), 10, cls_id=2, sep_id=3)
    assert [r.tolist() for r in rows] == expected


def test_rows_nine_and_nineteen_are_single_segments():
    rows, types_ = pack_sequences(_texts(7 * 18 + 8 * 2 + 7), 10, cls_id=2, sep_id=3)
    single = [i for i, r in enumerate(rows) if r.tolist().count(3) == 1]
    assert len(rows) == 21 and single == [9, 19]
    assert {t.dtype for t in types_} == {np.dtype(np.int8)}


def test_nothing_to_pack_gives_no_rows():
    assert pack_sequences([], 10, cls_id=2, sep_id=3) == ([], [])
    assert pack_sequences([np.array([], dtype=np.int64)], 10, cls_id=2, sep_id=3) == ([], [])


# ------------------------------------------------------------ parameters
def test_defaults_are_the_papers():
    params = inspect.signature(ElectraRTDPretrainer).parameters
    own = {name: params[name].default for name in
           ("mask_prob", "generator_size", "disc_weight", "temperature", "generator", "max_epochs",
            "validation_fraction")}
    assert own == {"mask_prob": None, "generator_size": None, "disc_weight": 50.0,
                   "temperature": 1.0, "generator": None, "max_epochs": 10,
                   "validation_fraction": None}
    assert {name: getattr(ElectraRTDPretrainer(), name) for name in own} == own
    given = ElectraRTDPretrainer("small", mask_prob=0.2, generator_size=0.5, disc_weight=10.0,
                                 temperature=2.0, generator="gen/", max_epochs=3,
                                 validation_fraction=0.1)
    assert (given.model, given.mask_prob, given.generator_size, given.disc_weight, given.temperature,
            given.generator, given.max_epochs, given.validation_fraction) == \
        ("small", 0.2, 0.5, 10.0, 2.0, "gen/", 3, 0.1)


@pytest.mark.parametrize("params, message", [
    ({"mask_prob": 0}, "The 'mask_prob' parameter of ElectraRTDPretrainer must be None or a float in "
                       "the range (0.0, 1.0). Got 0 instead."),
    ({"mask_prob": 1}, "The 'mask_prob' parameter of ElectraRTDPretrainer must be None or a float in "
                       "the range (0.0, 1.0). Got 1 instead."),
    ({"generator_size": 0}, "The 'generator_size' parameter of ElectraRTDPretrainer must be None or a "
                            "float in the range (0.0, 1.0]. Got 0 instead."),
    ({"disc_weight": -1.0}, "The 'disc_weight' parameter of ElectraRTDPretrainer must be a float in "
                            "the range [0.0, inf). Got -1.0 instead."),
    ({"temperature": 0}, "The 'temperature' parameter of ElectraRTDPretrainer must be a float in "
                         "the range (0.0, inf). Got 0 instead."),
    ({"generator": 3}, "The 'generator' parameter of ElectraRTDPretrainer must be None, an instance "
                       "of 'str' or an instance of 'os.PathLike'. Got 3 instead."),
    ({"max_length": 64}, "The corpus holds 24 tokens, too few to fill one sequence of "
                         "max_length=64. Add text or lower max_length."),
])
def test_parameters_are_checked_at_fit(params, message):
    texts = TEXTS[:4] if "max_length" in params else TEXTS
    with pytest.raises(ValueError) as info:
        ElectraRTDPretrainer(**{**FAST, **params}).fit(texts)
    assert str(info.value) == message


def test_values_at_the_edges_fit_and_reach_the_module():
    pre = ElectraRTDPretrainer(**FAST, mask_prob=0.3, generator_size=1.0, disc_weight=0.0,
                               temperature=0.5).fit(TEXTS)
    assert (pre.recipe_.mask_prob, pre.recipe_.generator_size) == (0.3, 1.0)
    assert (pre.module_.mask_prob, pre.module_.temperature, pre.module_.disc_weight) == (0.3, 0.5, 0.0)
    disc, gen = pre.module_.discriminator.config, pre.module_.generator.config
    assert gen.hidden_size == disc.hidden_size  # generator_size=1: as wide


def test_the_recipe_takes_the_parameters_or_the_papers_values(pre):
    assert (pre.recipe_.mask_prob, pre.recipe_.generator_size, pre.recipe_.lr) == (0.15, 0.25, 5e-4)
    fitted = ElectraRTDPretrainer(**FAST, lr=1e-3, warmup_ratio=0.2, layerwise_lr_decay=0.9).fit(TEXTS)
    assert (fitted.recipe_.lr, fitted.recipe_.warmup_ratio, fitted.recipe_.layerwise_lr_decay) == \
        (1e-3, 0.2, 0.9)


def test_the_recipe_reads_the_size_with_module_overrides_and_names_the_preset(pre, tmp_path):
    base_sized = ElectraRTDPretrainer(module__hidden_size=768, module__num_attention_heads=12)
    recipe = base_sized._resolve_recipe(resolve_model("tiny"))
    assert (recipe.lr, recipe.generator_size, recipe.basis) == (2e-4, 1 / 3,
                                                                "base (pretraining), preset 'tiny'")
    assert (pre.recipe_.basis, pre.recipe_.max_epochs) == ("small (pretraining), preset 'tiny'", 1)
    pre.save_pretrained(tmp_path / "disc")
    assert ElectraRTDPretrainer()._resolve_recipe(resolve_model(str(tmp_path / "disc"))).basis == \
        "small (pretraining)"


def test_each_text_is_packed_without_its_own_special_tokens(pre):
    tok = pre.tokenizer_
    ids = [tok(t)["input_ids"][1:-1] for t in ("the cat sat", "a dog")]
    dataset = pre._make_dataset(["the cat sat", "a dog"])  # shorter than a row: fine outside fit
    (row,) = dataset.input_ids
    assert dataset.token_type_ids[0].tolist().count(1) == len(ids[1]) + 1  # B and its [SEP]
    assert row.tolist() == pack_sequences([np.array(i) for i in ids], 16, tok.cls_token_id,
                                          tok.sep_token_id)[0][0].tolist()
    assert row.tolist().count(tok.cls_token_id) == 1 and row.tolist().count(tok.sep_token_id) == 2


def test_validation_batches_run_the_model_in_eval_mode_without_gradients():
    est = ElectraRTDPretrainer(**FAST).fit(TEXTS)
    seen = []
    est.module_.discriminator.register_forward_hook(
        lambda module, args, output: seen.append((module.training, torch.is_grad_enabled())))
    est.module_.train()
    run = types.SimpleNamespace(module=est.module_, runtime=est._resolve_runtime())
    batch = next(iter(est.get_iterator(est._make_dataset(TEXTS))))
    est.history_ = _history([{}])
    step = est.validation_step(batch, run=run)
    assert seen == [(False, False)] and step["loss"] is step["y_pred"].loss
    assert set(est.history_[-1]["batches"][-1]) >= {"valid_gen_loss", "valid_n_tokens"}


def test_skorchs_inference_methods_are_refused_with_the_pretrainers_own():
    pre = ElectraRTDPretrainer()
    for name in ("predict", "predict_proba", "forward", "forward_iter"):
        assert not hasattr(pre, name)
    with pytest.raises(AttributeError, match=r"^ElectraRTDPretrainer has no forward\(\): use "
                                             r"fill_mask\(texts\) for the generator's guesses"):
        pre.forward  # noqa: B018


def test_special_tokens_are_never_masked_but_unk_can_be(pre):
    tok = pre.tokenizer_
    assert pre.module_.special_ids.tolist() == sorted({tok.cls_token_id, tok.sep_token_id,
                                                       tok.mask_token_id, tok.pad_token_id})
    assert tok.unk_token_id not in pre.module_.special_ids.tolist()
    assert pre.module_.mask_token_id == tok.mask_token_id


def test_a_saved_generator_is_where_pretraining_continues(pre, tmp_path):
    pre.save_pretrained(tmp_path / "disc", generator_path=tmp_path / "gen")
    saved = ElectraForMaskedLM.from_pretrained(tmp_path / "gen")
    # a step too small to move any weight: what the fit starts from is what it ends with
    go_on = ElectraRTDPretrainer(**FAST, lr=1e-12, model=str(tmp_path / "disc"),
                                 generator=str(tmp_path / "gen")).fit(TEXTS)
    generator = go_on.module_.generator
    for name, weight in saved.state_dict().items():
        if "embeddings" not in name and "generator_lm_head.weight" not in name:  # shared
            torch.testing.assert_close(generator.state_dict()[name], weight)
    assert pre._export_module() is pre.module_.discriminator


# ------------------------------------------------------------ metrics
def _history(batches, previous=None):
    history = History()
    if previous is not None:
        history.new_epoch()
        for key, value in previous.items():
            history.record(key, value)
    history.new_epoch()
    for batch in batches:
        history.new_batch()
        for key, value in batch.items():
            history.record_batch(key, value)
    return history


COUNTS = ("n_masked", "gen_correct", "n_tokens", "disc_correct", "n_replaced", "n_flagged",
          "n_true_flagged")
TRAIN = [dict(zip(("gen_loss", "disc_loss", *COUNTS), values)) for values in (
    (2.0, 0.5, 3, 1, 10, 8, 2, 4, 1),
    (4.0, 0.2, 1, 1, 30, 27, 4, 1, 1),
    (9.0, 0.1, 0, 0, 0, 0, 0, 0, 0),  # no token at all: weighs 1, counts nothing
)]
VALID = [{"valid_" + k: v for k, v in zip(("gen_loss", "disc_loss", *COUNTS),
                                          (1.0, 0.3, 2, 2, 8, 6, 0, 0, 0))}]


def test_the_epochs_metrics_are_sums_of_counts_and_weighted_means_of_losses():
    pre = ElectraRTDPretrainer(gradient_accumulation_steps=2)
    pre.history_ = _history(TRAIN + VALID, previous={"steps": 3, "tokens_seen": 100})
    pre.on_epoch_end(pre)
    row = pre.history_[-1]
    assert row["gen_loss"] == pytest.approx((2.0 * 3 + 4.0 * 1 + 9.0 * 1) / 5)
    assert row["disc_loss"] == pytest.approx((0.5 * 10 + 0.2 * 30 + 0.1 * 1) / 41)
    assert row["gen_acc"] == 0.5 and row["disc_acc"] == 35 / 40
    assert row["disc_precision"] == 2 / 5 and row["disc_recall"] == 2 / 6
    assert row["replaced_fraction"] == 6 / 40
    assert row["disc_base_entropy"] == pytest.approx(binary_entropy(6 / 40))
    assert row["steps"] == 3 + 2 and row["tokens_seen"] == 140  # ceil(3 batches / 2)
    assert row["valid_gen_loss"] == 1.0 and row["valid_disc_loss"] == pytest.approx(0.3)
    assert row["valid_gen_acc"] == 1.0 and row["valid_disc_acc"] == 6 / 8
    # nothing replaced: precision and recall are 0, not a division by zero
    assert row["valid_disc_precision"] == 0 and row["valid_disc_recall"] == 0
    assert row["valid_replaced_fraction"] == 0 and row["valid_disc_base_entropy"] == 0
    assert "valid_steps" not in row and "valid_tokens_seen" not in row


def test_a_first_epoch_without_validation_counts_from_zero():
    pre = ElectraRTDPretrainer()
    pre.history_ = _history(TRAIN[:2])
    pre.on_epoch_end(pre)
    row = pre.history_[-1]
    assert row["steps"] == 2 and row["tokens_seen"] == 40
    assert not any(key.startswith("valid_") for key in row)


def test_each_batch_records_its_losses_and_counts(pre):
    out = types.SimpleNamespace(gen_loss=torch.tensor(1.5), disc_loss=torch.tensor(0.25),
                                **{k: torch.tensor(i) for i, k in enumerate(COUNTS)})
    est = ElectraRTDPretrainer()
    est.history_ = _history([{}])
    est._record(out, "valid_")
    batch = est.history_[-1]["batches"][-1]
    assert batch == {"valid_gen_loss": 1.5, "valid_disc_loss": 0.25,
                     **{"valid_" + k: i for i, k in enumerate(COUNTS)}}
    assert all(type(batch["valid_" + k]) is int for k in COUNTS)
    assert set(pre.history_[-1]["batches"][0]) >= {"gen_loss", "disc_loss", *COUNTS}


def test_the_loss_is_the_modules(pre):
    assert pre.get_loss(types.SimpleNamespace(loss=3.5)) == 3.5


# ------------------------------------------------------------ outputs
def test_fill_mask_ranks_the_generators_guesses_per_mask(pre):
    guesses = pre.fill_mask("the [MASK] sat on the [MASK]", top_k=3)
    assert len(guesses) == 2 and [len(g) for g in guesses] == [3, 3]
    for per_mask in guesses:
        probabilities = [p for _, p in per_mask]
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1
        assert all(isinstance(token, str) for token, _ in per_mask)
    both = pre.fill_mask(["the [MASK] sat", "no mask here"], top_k=2)
    assert len(both) == 2 and len(both[0]) == 1 and both[1] == []
    assert [t for t, _ in both[0][0]] == [t for t, _ in pre.fill_mask("the [MASK] sat", top_k=2)[0]]


def test_fill_mask_probabilities_are_the_generators_softmax(pre):
    tok = pre.tokenizer_
    ids = torch.tensor([tok("the [MASK] sat")["input_ids"]])
    masked = ids == tok.mask_token_id
    # fill_mask reads the generator in eval mode; the fixture's model is still in training
    # mode (dropout on) when this test runs before any other inference call
    pre.module_.eval()
    with torch.no_grad():
        logits = pre.module_.generator_logits(ids, torch.ones_like(ids), torch.zeros_like(ids), masked)
    expected = torch.softmax(logits.float(), -1)[0]
    (guesses,) = pre.fill_mask("the [MASK] sat", top_k=4)
    for token, probability in guesses:
        assert probability == pytest.approx(expected[tok.convert_tokens_to_ids(token)].item(), rel=1e-5)
    assert guesses[0][1] == pytest.approx(expected.max().item(), rel=1e-5)


def test_replaced_token_scores_are_the_discriminators_sigmoid(pre):
    (scores,) = pre.replaced_token_scores(["the cat sat"])
    tok = pre.tokenizer_
    ids = tok("the cat sat")["input_ids"]
    assert [t for t, _ in scores] == tok.convert_ids_to_tokens(ids)
    with torch.no_grad():
        logits = pre.module_.discriminator(input_ids=torch.tensor([ids])).logits[0]
    np.testing.assert_allclose([s for _, s in scores], torch.sigmoid(logits).tolist(), rtol=1e-5)


@pytest.mark.parametrize("params", [{"n_variants": 0}, {"n_variants": True}, {"n_variants": "2"},
                                    {"replace_prob": 0}, {"replace_prob": 1.01},
                                    {"temperature": 0}, {"temperature": -1.0}])
def test_augment_refuses_values_out_of_range(pre, params):
    name, value = next(iter(params.items()))
    with pytest.raises(ValueError) as info:
        pre.augment(["the cat sat"], **params)
    assert str(info.value) == (f"{name}={value!r} is out of range: n_variants is an integer >= 1, "
                               "replace_prob in (0, 1], temperature > 0.")


def test_augment_at_the_edges_of_its_ranges(pre):
    out = pre.augment(["the cat sat on the mat"], n_variants=1, replace_prob=1.0, temperature=0.01,
                      random_state=0)
    assert len(out) == 1 and len(out[0]) == 1 and out[0][0] != "the cat sat on the mat"
    same = pre.augment(["the cat sat on the mat"], n_variants=np.int64(2), random_state=3)
    assert same == pre.augment(["the cat sat on the mat"], n_variants=2, random_state=3)
    assert len(same[0]) == 2


def test_only_the_prefixes_batches_make_its_metrics():
    pre = ElectraRTDPretrainer()
    pre.history_ = _history(VALID)  # a validation pass alone
    pre.on_epoch_end(pre)
    row = pre.history_[-1]
    assert row["valid_gen_acc"] == 1.0 and row["valid_disc_acc"] == 6 / 8
    assert "gen_acc" not in row and "steps" not in row


def test_a_count_of_one_is_divided_by_one():
    pre = ElectraRTDPretrainer()
    pre.history_ = _history([dict(zip(("gen_loss", "disc_loss", *COUNTS), (1.0, 1.0, *[1] * 7)))])
    pre.on_epoch_end(pre)
    row = pre.history_[-1]
    assert [row[k] for k in ("gen_acc", "disc_acc", "disc_precision", "disc_recall",
                             "replaced_fraction")] == [1.0] * 5


def test_fill_mask_gives_five_guesses_by_default_and_takes_no_pairs(pre):
    assert [len(g) for g in pre.fill_mask("the [MASK] sat")] == [5]
    for method in (pre.fill_mask, pre.replaced_token_scores):
        with pytest.raises(TypeError, match=r"^X\[0\] is a tuple of 2 items, not a string\.$"):
            method([("the [MASK] sat", "on the mat")])


def test_augment_draws_from_the_generator_at_the_given_temperature_and_rate(pre):
    text = ["the cat sat on the mat"]
    assert pre.augment(text, random_state=5) == pre.augment(text, n_variants=1, temperature=1.0,
                                                            replace_prob=0.15, random_state=5)
    # a confident generator (its logits scaled up), where the temperature changes the draws
    confident = copy.deepcopy(pre)
    norm = confident.module_.generator.generator_predictions.LayerNorm
    with torch.no_grad():
        norm.weight.mul_(20)
        norm.bias.mul_(20)
    default, warm, hotter = ([confident.augment(text, replace_prob=1.0, random_state=seed, **kw)
                              for seed in range(4)] for kw in ({}, {"temperature": 1.0},
                                                               {"temperature": 2.0}))
    assert default == warm != hotter
    # nearly greedy: the generator's top guess whatever the seed (not a random token)
    cold = {tuple(pre.augment(text, n_variants=2, replace_prob=1.0, temperature=1e-4,
                              random_state=seed)[0]) for seed in range(3)}
    assert len(cold) == 1
    hot = [pre.augment(text, replace_prob=1.0, temperature=50.0, random_state=seed)[0][0]
           for seed in range(3)]
    assert len(set(hot)) > 1
    for variant in hot:  # every word replaced, word for word
        words = variant.split()
        assert len(words) == 6 and all(a != b for a, b in zip(words, text[0].split()))


def test_augment_shows_the_generator_windows_of_max_length(pre, monkeypatch):
    lengths = []
    generator_logits = pre.module_.generator_logits

    def spy(ids, *args):
        lengths.append(ids.shape[1])
        return generator_logits(ids, *args)

    monkeypatch.setattr(pre.module_, "generator_logits", spy)
    long_text = " ".join(["the cat sat on the mat"] * 6)  # 36 words, more than a window
    pre.augment([long_text], replace_prob=0.5, random_state=0)
    assert max(lengths) == 16 and len(lengths) > 1  # 14 tokens and [CLS], [SEP] per window


def test_every_step_runs_through_the_module_the_accelerator_prepared():
    accelerator = wrapping_accelerator()
    pre = ElectraRTDPretrainer(**{**FAST, "validation_fraction": 0.5, "batch_size": 2},
                               accelerator=accelerator, device="auto").fit(TEXTS)
    batches = pre.history_[-1]["batches"]
    assert accelerator.wrapped_.calls == len(batches) > 2  # training and validation batches
    assert any("valid_n_tokens" in b for b in batches)


def test_long_texts_are_packed_whole(pre):
    long_text = " ".join(["the cat sat on the mat"] * 20)  # 120 tokens: never cut
    n_tokens = len(pre.tokenizer_(long_text)["input_ids"]) - 2
    dataset = pre._make_dataset([long_text])
    packed = sum(len(row) for row in dataset.input_ids) - sum(
        r.tolist().count(pre.tokenizer_.cls_token_id) + r.tolist().count(pre.tokenizer_.sep_token_id)
        for r in dataset.input_ids)
    assert n_tokens > 100 and packed == n_tokens


def test_a_tokenizer_without_a_mask_token_is_refused(pre):
    tok = copy.deepcopy(pre.tokenizer_)
    tok.mask_token = None
    with pytest.raises(ValueError) as info:
        ElectraRTDPretrainer(**FAST, tokenizer=tok).fit(TEXTS)
    assert str(info.value) == "The tokenizer has no mask token; RTD pretraining needs [MASK]."


def test_a_preset_named_as_generator_is_refused():
    with pytest.raises(ValueError) as info:
        ElectraRTDPretrainer(**FAST, generator="tiny").fit(TEXTS)
    assert str(info.value) == (
        "generator='tiny' names a preset, not a checkpoint: generator= continues from a directory "
        "written by save_pretrained(path, generator_path=...). Leave it None for a new generator "
        "(sized by generator_size=).")
