"""ElectraRTDPretrainer and the RTD objective: masking, sampling, sharing, training, export."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.utils import estimator_checks as ec
from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining

from sklearn_electra import TextTruncationWarning, ElectraClassifier, ElectraRTDPretrainer, ElectraTagger
from sklearn_electra import rtd
from sklearn_electra.datasets import load_chinese_reviews
from sklearn_electra.modeling import PRESETS

from .test_sklearn_checks import APPLICABLE

FAST = dict(max_length=64, vocab_size=2000, batch_size=16, lr=1e-3, random_state=0)


@pytest.fixture(scope="module")
def corpus():
    train, _ = load_chinese_reviews()
    return train["text"].tolist()[:400]


@pytest.fixture(scope="module")
def pretrained(corpus):
    return ElectraRTDPretrainer(**FAST, max_epochs=3).fit(corpus)


def _rtd(vocab=50, size=0.25, **kw):
    config = ElectraConfig(vocab_size=vocab, **PRESETS["tiny"])
    return rtd.ElectraRTD(ElectraForPreTraining(config),
                          ElectraForMaskedLM(rtd.generator_config(config, size)),
                          special_ids=[0, 1, 2, 3, 4], mask_token_id=4, **kw)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 1000), mask_prob=st.floats(0.05, 0.9),
       batch=st.integers(1, 6), length=st.integers(1, 40))
def test_masking_never_touches_special_or_pad_tokens(seed, mask_prob, batch, length):
    torch.manual_seed(seed)
    ids = torch.randint(0, 30, (batch, length))
    maskable = ids >= 5
    masked, is_masked = rtd.mask_tokens(ids, maskable, mask_prob, mask_token_id=4)
    assert not (is_masked & ~maskable).any()
    assert torch.equal(masked[~is_masked], ids[~is_masked])
    assert ((masked[is_masked] == 4) | (masked[is_masked] == ids[is_masked])).all()


def test_masked_fraction_and_mask_token_share_on_a_large_batch():
    torch.manual_seed(0)
    ids = torch.randint(5, 1000, (256, 256))
    maskable = torch.rand(ids.shape) < 0.9
    masked, is_masked = rtd.mask_tokens(ids, maskable, 0.15, mask_token_id=4)
    assert is_masked.sum() / maskable.sum() == pytest.approx(0.15, abs=0.005)
    assert (masked[is_masked] == 4).float().mean() == pytest.approx(0.85, abs=0.01)


def test_gumbel_sampling_follows_the_softmax_in_float32():
    torch.manual_seed(0)
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]], dtype=torch.bfloat16).repeat(40000, 1)
    counts = torch.bincount(rtd.gumbel_sample(logits), minlength=4).float() / 40000
    expected = torch.softmax(logits[0].float(), -1)
    assert torch.allclose(counts, expected, atol=0.01)
    cold = rtd.gumbel_sample(logits[:100], temperature=1e-4)
    assert (cold == 0).all()


def test_generator_shares_embeddings_and_ties_its_output_layer():
    model = _rtd(size=0.25)
    disc, gen = model.discriminator, model.generator
    assert gen.electra.embeddings is disc.electra.embeddings
    assert gen.generator_lm_head.weight is disc.electra.embeddings.word_embeddings.weight
    assert gen.config.hidden_size == disc.config.hidden_size // 4
    assert gen.config.num_hidden_layers == disc.config.num_hidden_layers
    names = [n for n, _ in model.named_parameters()]
    assert not any(n.startswith("generator.electra.embeddings.") for n in names)  # counted once


def test_vocab_projection_runs_only_at_masked_positions():
    torch.manual_seed(0)
    model = _rtd()
    seen = []
    model.generator.generator_lm_head.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    ids = torch.randint(5, 50, (4, 30))
    out = model(input_ids=ids, attention_mask=torch.ones_like(ids))
    assert seen == [torch.Size([int(out.n_masked), 50])]
    assert 0 < int(out.n_masked) < ids.numel() // 3


@pytest.mark.parametrize("sampler, replaced", [("original", False), ("other", True)])
def test_replaced_means_sampled_differs_from_original(monkeypatch, sampler, replaced):
    torch.manual_seed(0)
    model = _rtd()
    ids = torch.randint(5, 50, (4, 30))
    picks = {}

    def fake_sample(logits, temperature=1.0):
        original = picks["original"]
        return original if sampler == "original" else (original - 5 + 1) % 45 + 5

    real_mask = rtd.mask_tokens

    def spy_mask(input_ids, maskable, mask_prob, mask_token_id):
        masked, is_masked = real_mask(input_ids, maskable, mask_prob, mask_token_id)
        picks["original"] = input_ids[is_masked]
        return masked, is_masked

    monkeypatch.setattr(rtd, "gumbel_sample", fake_sample)
    monkeypatch.setattr(rtd, "mask_tokens", spy_mask)
    out = model(input_ids=ids, attention_mask=torch.ones_like(ids))
    assert int(out.n_replaced) == (int(out.n_masked) if replaced else 0)


def test_discriminator_loss_ignores_padding():
    torch.manual_seed(0)
    model = _rtd().eval()
    ids = torch.randint(5, 50, (2, 20))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    padded = ids.clone()
    padded[1, 10:] = 0
    out = model(input_ids=padded, attention_mask=mask)
    assert int(out.n_tokens) == 30


def test_short_pretraining_lowers_both_losses(pretrained):
    h = pretrained.history_
    assert h[-1, "gen_loss"] < h[0, "gen_loss"]
    assert h[-1, "disc_loss"] < h[0, "disc_loss"]
    assert h[-1, "replaced_fraction"] == pytest.approx(0.15 * 0.9, abs=0.05)
    assert h[-1, "tokens_seen"] == 3 * h[0, "tokens_seen"] and h[-1, "steps"] == 3 * h[0, "steps"]
    for key in ("gen_acc", "disc_acc", "disc_precision", "disc_recall", "disc_base_entropy"):
        assert 0 <= h[-1, key] <= 1


def test_same_seed_same_pretraining(corpus):
    a = ElectraRTDPretrainer(**FAST, max_epochs=1).fit(corpus[:100]).history_
    b = ElectraRTDPretrainer(**FAST, max_epochs=1).fit(corpus[:100]).history_
    assert a[-1, "gen_loss"] == b[-1, "gen_loss"] and a[-1, "disc_loss"] == b[-1, "disc_loss"]


def test_export_loads_in_transformers_and_fine_tunes(pretrained, tmp_path, corpus):
    pretrained.save_pretrained(tmp_path / "disc", generator_path=tmp_path / "gen")
    model, info = ElectraForPreTraining.from_pretrained(tmp_path / "disc", output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]
    disc = pretrained.module_.discriminator
    assert torch.equal(model.electra.embeddings.word_embeddings.weight,
                       disc.electra.embeddings.word_embeddings.weight)
    gen, info = ElectraForMaskedLM.from_pretrained(tmp_path / "gen", output_loading_info=True)
    assert not info["missing_keys"]

    reviews, _ = load_chinese_reviews()
    clf = ElectraClassifier(model=str(tmp_path / "disc"), max_epochs=1, random_state=0)
    with pytest.warns(TextTruncationWarning, match="of 64 texts are longer than max_length=128"):
        clf.fit(reviews["text"][:64], reviews["label"][:64])  # whole reviews: some are cut
    assert clf.predict(["很好"]).shape == (1,)
    tagger = ElectraTagger(model=str(tmp_path / "disc"), max_epochs=1).fit([["很", "好"]] * 4, [["O", "B-X"]] * 4)
    assert len(tagger.predict([["很", "好", "!"]])[0]) == 3

    # continued pretraining from the exported pair
    more = ElectraRTDPretrainer(model=str(tmp_path / "disc"), generator=str(tmp_path / "gen"),
                                **{**FAST, "vocab_size": 8000}, max_epochs=1).fit(corpus[:100])
    assert more.history_[-1, "gen_loss"] < pretrained.history_[0, "gen_loss"]


def test_fine_tuning_starts_from_the_pretrained_weights(pretrained, tmp_path):
    pretrained.save_pretrained(tmp_path)
    clf = ElectraClassifier(model=str(tmp_path), max_epochs=1, random_state=0)
    clf.initialize(["很好", "很差"], ["pos", "neg"])
    assert clf.tokenizer_.get_vocab() == pretrained.tokenizer_.get_vocab()
    for name in ("embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight"):
        assert torch.equal(clf.module_.electra.get_parameter(name),
                           pretrained.module_.discriminator.electra.get_parameter(name))


def test_fill_mask_and_replaced_token_scores(pretrained):
    guesses = pretrained.fill_mask("这个[MASK]很好", top_k=4)
    assert len(guesses) == 1 and len(guesses[0]) == 4
    probs = [p for _, p in guesses[0]]
    assert probs == sorted(probs, reverse=True) and all(0 <= p <= 1 for p in probs)
    assert pretrained.fill_mask(["没有掩码", "a [MASK] b [MASK]"], top_k=2)[1][1][0][0]
    scores = pretrained.replaced_token_scores(["这个手机很好", ""])
    assert [t for t, _ in scores[0]][:2] == ["[CLS]", "这"] and len(scores[1]) == 2
    assert all(0 <= p <= 1 for _, p in scores[0])


def test_partial_fit_and_warm_start_continue(corpus):
    pre = ElectraRTDPretrainer(**FAST, max_epochs=1).fit(corpus[:100])
    before = pre.module_.discriminator.electra.embeddings.word_embeddings.weight.detach().clone()
    pre.partial_fit(corpus[:100])
    assert len(pre.history_) == 2 and pre.history_[-1, "steps"] == 2 * pre.history_[0, "steps"]
    assert not torch.equal(before, pre.module_.discriminator.electra.embeddings.word_embeddings.weight)
    vocab = pre.tokenizer_.get_vocab()
    pre.set_params(warm_start=True).fit(corpus[100:200])
    assert pre.tokenizer_.get_vocab() == vocab


@pytest.mark.parametrize("X, params, error, match", [
    ("one text", {}, ValueError, "string object received"),
    (["ok", 3], {}, TypeError, r"X\[1\] is an int"),
    ([], {}, ValueError, "X is empty"),
    (["too short"], {}, ValueError, "too few to fill one sequence of max_length=64"),
    (["a b c"] * 50, {"generator_size": 0.0}, ValueError, "generator_size"),
    (["a b c"] * 50, {"generator_size": 1.5}, ValueError, "generator_size"),
    (["a b c"] * 50, {"mask_prob": 1.0}, ValueError, "mask_prob"),
    (["a b c"] * 50, {"mask_prob": 0.0}, ValueError, "mask_prob"),
    ([("a", "b")] * 50, {}, TypeError, "not a string"),
])
def test_bad_input(X, params, error, match):
    with pytest.raises(error, match=match):
        ElectraRTDPretrainer(**{**FAST, **params}, max_epochs=1).fit(X)


def test_non_electra_checkpoint_is_refused(tmp_path):
    from transformers import BertConfig, BertModel

    BertModel(BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64)).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="not ELECTRA"):
        ElectraRTDPretrainer(model=str(tmp_path)).fit(["a b c"] * 50)


def test_clone_keeps_params():
    pre = ElectraRTDPretrainer(model="small", mask_prob=0.2, disc_weight=20.0)
    assert clone(pre).get_params(deep=False) == pre.get_params(deep=False)


@pytest.mark.parametrize("check", APPLICABLE)
def test_sklearn_check(check):
    getattr(ec, check)("ElectraRTDPretrainer", ElectraRTDPretrainer(max_epochs=1, random_state=0))


def test_tokenizer_without_mask_token_is_refused(pretrained):
    import copy

    tok = copy.deepcopy(pretrained.tokenizer_)
    tok.mask_token = None
    with pytest.raises(ValueError, match="no mask token"):
        ElectraRTDPretrainer(tokenizer=tok, max_length=16, max_epochs=1).fit(["a b c d e f g"] * 20)
