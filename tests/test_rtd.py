"""Replaced token detection's parts on their own, against exact values.

The pretrainer's tests show that RTD learns; these pin what each step computes (masking
rates, sampling, the generator's shape, the shared embeddings, every count a step reports
and both losses), so that a wrong count or bound fails here.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining

from sklearn_electra import rtd
from sklearn_electra.modeling import PRESETS

SPECIAL = [0, 2, 3, 4]  # [PAD], [CLS], [SEP], [MASK]: the pretrainer leaves [UNK] (1) maskable
MASK = 4


def _model(vocab=40, size=0.25, **kw):
    torch.manual_seed(0)
    config = ElectraConfig(vocab_size=vocab, **PRESETS["tiny"])
    return rtd.ElectraRTD(ElectraForPreTraining(config),
                          ElectraForMaskedLM(rtd.generator_config(config, size)),
                          special_ids=SPECIAL, mask_token_id=MASK, **kw)


def _batch():
    ids = torch.tensor([[2, 10, 11, 12, 13, 14, 3, 0, 0],
                        [2, 20, 21, 22, 1, 3, 0, 0, 0]])
    return ids, (ids != 0).long()


# ------------------------------------------------------------ masking and sampling
def test_mask_tokens_masks_the_share_asked_and_puts_mask_on_85_percent():
    torch.manual_seed(0)
    ids = torch.randint(5, 100, (400, 400))
    maskable = torch.rand(ids.shape) < 0.8
    masked, is_masked = rtd.mask_tokens(ids, maskable, 0.3, MASK)
    assert not is_masked[~maskable].any()  # specials and padding are never masked
    assert is_masked[maskable].float().mean().item() == pytest.approx(0.3, abs=0.005)
    with_mask = masked == MASK
    assert (with_mask <= is_masked).all()
    assert with_mask[is_masked].float().mean().item() == pytest.approx(0.85, abs=0.005)
    # The other 15% and every unmasked position keep their own token: no random tokens.
    assert torch.equal(masked[~with_mask], ids[~with_mask])


@pytest.mark.parametrize("first, second, masked, with_mask", [
    (0.25, 0.0, False, False),  # the first draw is not below mask_prob: not masked
    (0.2499, 0.85, True, False),  # masked; the second draw is not below 0.85: keeps its token
    (0.2499, 0.8499, True, True),  # masked with [MASK]
])
def test_a_draw_at_the_rate_is_not_taken(monkeypatch, first, second, masked, with_mask):
    # P(draw < p) = p: a draw equal to mask_prob is not masked, one equal to 0.85 keeps its token.
    ids = torch.tensor([[7, 8]])
    draws = iter([torch.full((1, 2), first), torch.full((1, 2), second)])
    monkeypatch.setattr(torch, "rand_like", lambda t, dtype=None: next(draws))
    out, is_masked = rtd.mask_tokens(ids, torch.ones_like(ids, dtype=torch.bool), 0.25, MASK)
    assert is_masked.tolist() == [[masked, masked]]
    assert out.tolist() == ([[MASK, MASK]] if with_mask else [[7, 8]])


def test_gumbel_sampling_follows_the_softmax_and_its_temperature():
    torch.manual_seed(0)
    logits = torch.log(torch.tensor([0.1, 0.2, 0.7])).expand(20000, 3)
    counts = torch.bincount(rtd.gumbel_sample(logits), minlength=3).float() / 20000
    assert counts.tolist() == pytest.approx([0.1, 0.2, 0.7], abs=0.015)
    # Temperature 0.5 squares the odds: 1:4:49.
    counts = torch.bincount(rtd.gumbel_sample(logits, temperature=0.5), minlength=3).float() / 20000
    assert counts.tolist() == pytest.approx([1 / 54, 4 / 54, 49 / 54], abs=0.015)
    # Temperature 0 is the argmax (no division by zero); half precision is sampled in float32.
    assert rtd.gumbel_sample(logits[:100], temperature=0.0).eq(2).all()
    assert rtd.gumbel_sample(torch.zeros(2, 3, 5)).shape == (2, 3)  # one index per row, any batch shape
    half = torch.tensor([[0.0, 8.0]], dtype=torch.float16).expand(5000, 2)
    assert rtd.gumbel_sample(half).float().mean().item() == pytest.approx(1 - 1 / (1 + math.e ** 8),
                                                                          abs=0.01)


@pytest.mark.parametrize("preset, size, hidden, heads, intermediate", [
    ("small", 0.25, 64, 1, 256),  # the paper's Small generator: a quarter of 256 / 4 / 1024
    ("base", 1 / 3, 256, 4, 1024),  # Base: a third of 768 / 12 / 3072
    ("tiny", 0.5, 32, 1, 128),
])
def test_generator_config_scales_the_width_only(preset, size, hidden, heads, intermediate):
    disc = ElectraConfig(vocab_size=123, **PRESETS[preset], id2label={0: "a", 1: "b"})
    gen = rtd.generator_config(disc, size)
    assert (gen.hidden_size, gen.num_attention_heads, gen.intermediate_size) == (hidden, heads, intermediate)
    assert (gen.num_hidden_layers, gen.embedding_size, gen.vocab_size, gen.max_position_embeddings) == \
        (disc.num_hidden_layers, disc.embedding_size, 123, disc.max_position_embeddings)
    assert gen.tie_word_embeddings is True and gen.architectures == ["ElectraForMaskedLM"]
    # The discriminator's task labels are not the generator's.
    assert disc.num_labels == 2 and gen.num_labels is None
    assert "id2label" not in gen.to_dict() and "label2id" not in gen.to_dict()


def test_generator_config_keeps_one_unit_and_ties_its_output_whatever_the_discriminator():
    disc = ElectraConfig(vocab_size=50, hidden_size=8, embedding_size=8, num_attention_heads=2,
                         intermediate_size=4, num_hidden_layers=1, tie_word_embeddings=False)
    gen = rtd.generator_config(disc, 0.25)
    assert (gen.num_attention_heads, gen.hidden_size, gen.intermediate_size) == (1, 2, 1)
    assert gen.tie_word_embeddings is True  # the output layer is the shared embeddings


def test_binary_entropy_is_the_loss_of_knowing_only_the_rate():
    assert rtd.binary_entropy(0.5) == pytest.approx(math.log(2))
    assert rtd.binary_entropy(0.1) == pytest.approx(-(0.1 * math.log(0.1) + 0.9 * math.log(0.9)))
    assert rtd.binary_entropy(0.0) == rtd.binary_entropy(1.0) == rtd.binary_entropy(1.5) == 0.0


# ------------------------------------------------------------ the module
def test_generator_and_discriminator_share_embeddings_and_the_output_layer():
    model = _model()
    disc, gen = model.discriminator, model.generator
    assert gen.electra.embeddings is disc.electra.embeddings
    assert gen.generator_lm_head.weight is disc.electra.embeddings.word_embeddings.weight
    assert model.special_ids.tolist() == SPECIAL and model.config is disc.config
    assert (model.mask_prob, model.temperature, model.disc_weight) == (0.15, 1.0, 50.0)
    assert "special_ids" not in model.state_dict()  # derived from the tokenizer, not saved


def test_embedding_sizes_must_match_to_share():
    config = ElectraConfig(vocab_size=40, **PRESETS["tiny"])
    other = rtd.generator_config(config, 0.5)
    other.embedding_size = config.embedding_size * 2
    with pytest.raises(ValueError, match="^Generator and discriminator must have the same "
                                         "embedding_size to share embeddings.$"):
        rtd.ElectraRTD(ElectraForPreTraining(config), ElectraForMaskedLM(other), SPECIAL, MASK)


def test_a_step_reports_exact_counts_and_losses(monkeypatch):
    model = _model(disc_weight=7.0).eval()  # no dropout: the step can be recomputed by hand
    ids, attention = _batch()
    chosen = torch.zeros_like(ids, dtype=torch.bool)
    chosen[0, [1, 3, 5]] = chosen[1, [2, 4]] = True  # [UNK] (id 1) at [1, 4] can be masked

    def fixed_mask(input_ids, maskable, mask_prob, mask_token_id):
        assert mask_prob == 0.15 and mask_token_id == MASK
        # Specials and padding are not maskable; [UNK] is.
        assert maskable.tolist() == [[False, True, True, True, True, True, False, False, False],
                                     [False, True, True, True, True, False, False, False, False]]
        return torch.where(chosen, torch.full_like(input_ids, MASK), input_ids), chosen

    monkeypatch.setattr(rtd, "mask_tokens", fixed_mask)
    samples = torch.tensor([10, 30, 14, 31, 1])  # rows 0 and 1: two samples equal the original
    monkeypatch.setattr(rtd, "gumbel_sample", lambda logits, temperature: samples)
    types = torch.zeros_like(ids)
    types[:, 4:] = 1  # a second segment: the step must pass token types to both models
    out = model(ids, attention, types)
    replaced = torch.zeros_like(chosen)
    replaced[0, 3] = replaced[1, 2] = True  # 12 -> 30 and 21 -> 31; the others drew their own token
    # The generator's loss: cross-entropy at the masked positions, against the originals.
    masked = torch.where(chosen, torch.full_like(ids, MASK), ids)
    gen_logits = model.generator(input_ids=masked, attention_mask=attention,
                                 token_type_ids=types).logits[chosen]
    assert out.gen_loss.item() == pytest.approx(F.cross_entropy(gen_logits, ids[chosen]).item(), rel=1e-5)
    assert out.gen_correct.item() == (gen_logits.argmax(-1) == ids[chosen]).sum().item()
    # The discriminator's: BCE over real tokens of the corrupted input, against "replaced".
    corrupted = ids.clone()
    corrupted[chosen] = samples
    disc_logits = model.discriminator(input_ids=corrupted, attention_mask=attention,
                                      token_type_ids=types).logits
    real = attention.bool()
    expected = F.binary_cross_entropy_with_logits(disc_logits[real], replaced[real].float())
    assert out.disc_loss.item() == pytest.approx(expected.item(), rel=1e-5)
    assert out.loss.item() == pytest.approx(out.gen_loss.item() + 7.0 * out.disc_loss.item(), rel=1e-6)
    flagged = (disc_logits > 0) & real
    assert (out.n_masked.item(), out.n_tokens.item(), out.n_replaced.item()) == (5, 13, 2)
    assert out.n_flagged.item() == flagged.sum().item()
    assert out.n_true_flagged.item() == (flagged & replaced).sum().item()
    assert out.disc_correct.item() == ((flagged == replaced) & real).sum().item()
    assert not out.gen_loss.requires_grad and out.loss.requires_grad
    assert all(not t.requires_grad for t in out.detach())


@pytest.mark.parametrize("bias, flagged", [(30.0, True), (0.5, True), (0.0, False), (-30.0, False)])
def test_counts_of_a_discriminator_that_flags_everything_or_nothing(monkeypatch, bias, flagged):
    model = _model()
    ids, attention = _batch()
    torch.manual_seed(1)
    with torch.no_grad():
        model.discriminator.discriminator_predictions.dense_prediction.weight.zero_()
        model.discriminator.discriminator_predictions.dense_prediction.bias.fill_(bias)
    out = model(ids, attention)
    n_tokens, n_replaced = 13, out.n_replaced.item()
    assert out.n_tokens.item() == n_tokens and n_replaced <= out.n_masked.item()
    assert out.n_flagged.item() == (n_tokens if flagged else 0)
    assert out.n_true_flagged.item() == (n_replaced if flagged else 0)
    assert out.disc_correct.item() == (n_replaced if flagged else n_tokens - n_replaced)


def test_a_step_with_nothing_masked_has_zero_generator_loss():
    model = _model(mask_prob=0.0)
    ids, attention = _batch()
    out = model(ids, attention)
    assert (out.n_masked.item(), out.n_replaced.item(), out.gen_correct.item()) == (0, 0, 0)
    assert out.gen_loss.item() == 0.0 and out.loss.item() == pytest.approx(50.0 * out.disc_loss.item())
    out.loss.backward()  # the empty generator loss still joins the graph
