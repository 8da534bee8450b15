"""Replaced token detection (RTD), ELECTRA's pretraining objective, in one module.

Clark et al. (2020): a small masked-language-model **generator** fills ~15% masked
positions with plausible tokens; the **discriminator** learns, for every token,
whether it is the original or a replacement. Only the discriminator is kept for
fine-tuning. It is not a teacher-student scheme and nothing is generated.

Per batch::

    input_ids (B, L) --mask_tokens--> masked (B, L), is_masked (B, L)
    masked --generator encoder--> hidden (B, L, Hg) --gather masked--> (M, Hg)
        --vocab projection--> logits (M, V) --gumbel sample (float32)--> sampled (M,)
    corrupted = input_ids with sampled tokens at the masked positions
    is_replaced = is_masked & (corrupted != input_ids)   # a lucky sample counts as original
    corrupted --discriminator--> replaced logits (B, L)
    loss = gen_loss (CE at masked positions) + disc_weight * disc_loss (BCE over non-pad tokens)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn
from transformers import ElectraConfig

__all__ = ["mask_tokens", "gumbel_sample", "generator_config", "RTDOutput", "ElectraRTD",
           "binary_entropy"]


def mask_tokens(input_ids, maskable, mask_prob, mask_token_id):
    """Pick ``mask_prob`` of the maskable positions and put ``[MASK]`` on 85% of them.

    The other 15% keep their token (the official code uses no random tokens).

    Parameters
    ----------
    input_ids : LongTensor (B, L)
    maskable : BoolTensor (B, L)
        False for special and padding tokens, which are never masked.
    mask_prob : float
    mask_token_id : int

    Returns
    -------
    masked_ids : LongTensor (B, L)
    is_masked : BoolTensor (B, L)
        The positions the generator must predict.
    """
    is_masked = (torch.rand_like(input_ids, dtype=torch.float32) < mask_prob) & maskable
    use_mask_token = is_masked & (torch.rand_like(input_ids, dtype=torch.float32) < 0.85)
    masked_ids = torch.where(use_mask_token, torch.full_like(input_ids, mask_token_id), input_ids)
    return masked_ids, is_masked


def gumbel_sample(logits, temperature=1.0):
    """Sample one index per row of ``logits`` with the gumbel-max trick, in float32.

    In half precision the noise and the argmax lose the tail of the distribution.
    """
    logits = logits.float()
    # rand_like draws from [0, 1): only 0 needs keeping off log(0).
    uniform = torch.rand_like(logits).clamp_(min=torch.finfo(torch.float32).tiny)
    gumbel = -torch.log(-torch.log(uniform))
    return (logits / max(temperature, 1e-9) + gumbel).argmax(dim=-1)


def generator_config(discriminator_config, size):
    """The generator's config: the discriminator's, with width scaled by ``size``.

    Depth, embedding size, vocabulary and positions stay the same (the embeddings
    are shared); hidden size, heads and intermediate size shrink (1/4 for
    ELECTRA-Small, 1/3 for Base in the paper).
    """
    d = discriminator_config
    heads = max(1, round(d.num_attention_heads * size))
    hidden = max(heads, round(d.hidden_size * size / heads) * heads)
    config = ElectraConfig(**{
        **d.to_dict(),
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "intermediate_size": max(1, round(d.intermediate_size * size)),
        "tie_word_embeddings": True,
        "architectures": ["ElectraForMaskedLM"],
    })
    # The discriminator's task labels are not the generator's (num_labels follows id2label).
    for key in ("id2label", "label2id"):
        config.__dict__.pop(key, None)
    return config


class RTDOutput(NamedTuple):
    """Losses and counts of one RTD step (counts are summed over the batch)."""

    loss: torch.Tensor
    gen_loss: torch.Tensor
    disc_loss: torch.Tensor
    n_masked: torch.Tensor
    gen_correct: torch.Tensor
    n_tokens: torch.Tensor
    disc_correct: torch.Tensor
    n_replaced: torch.Tensor
    n_flagged: torch.Tensor
    n_true_flagged: torch.Tensor

    def detach(self):
        return RTDOutput(*(t.detach() for t in self))


class ElectraRTD(nn.Module):
    """Generator and discriminator with shared embeddings, trained by RTD.

    Parameters
    ----------
    discriminator : ElectraForPreTraining
        Kept for fine-tuning.
    generator : ElectraForMaskedLM
        Its embeddings are replaced by the discriminator's (token, position and
        type embeddings shared), and its output layer is tied to them.
    special_ids : sequence of int
        Token ids never masked: [CLS], [SEP], [MASK] and [PAD], as the reference's
        ``_get_candidates_mask`` (``pretrain/pretrain_helpers.py``); [UNK] can be masked.
    mask_token_id : int
    mask_prob, temperature, disc_weight : float
        Masking rate, sampling temperature, weight of the discriminator loss.
    """

    def __init__(self, discriminator, generator, special_ids, mask_token_id, mask_prob=0.15,
                 temperature=1.0, disc_weight=50.0):
        super().__init__()
        if discriminator.config.embedding_size != generator.config.embedding_size:
            raise ValueError("Generator and discriminator must have the same embedding_size to "
                             "share embeddings.")
        self.discriminator = discriminator
        self.generator = generator
        generator.electra.embeddings = discriminator.electra.embeddings
        generator.generator_lm_head.weight = discriminator.electra.embeddings.word_embeddings.weight
        self.register_buffer("special_ids", torch.as_tensor(sorted(set(special_ids))), persistent=False)
        self.mask_token_id = mask_token_id
        self.mask_prob = mask_prob
        self.temperature = temperature
        self.disc_weight = disc_weight

    @property
    def config(self):
        """The discriminator's config (what is exported and fine-tuned)."""
        return self.discriminator.config

    def generator_logits(self, masked_ids, attention_mask, token_type_ids, is_masked):
        """Vocabulary logits at the masked positions only: (M, V).

        Projecting every position onto the vocabulary would dominate the step of
        a small model; only ~15% of the positions are needed.
        """
        hidden = self.generator.electra(input_ids=masked_ids, attention_mask=attention_mask,
                                        token_type_ids=token_type_ids).last_hidden_state
        hidden = hidden[is_masked]  # (M, Hg)
        return self.generator.generator_lm_head(self.generator.generator_predictions(hidden))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        """One RTD step on a batch; returns :class:`RTDOutput`."""
        real = attention_mask.bool()
        maskable = real & ~torch.isin(input_ids, self.special_ids)
        masked_ids, is_masked = mask_tokens(input_ids, maskable, self.mask_prob, self.mask_token_id)
        original = input_ids[is_masked]  # (M,)

        gen_logits = self.generator_logits(masked_ids, attention_mask, token_type_ids, is_masked)
        gen_loss = F.cross_entropy(gen_logits.float(), original) if len(original) else \
            gen_logits.sum() * 0.0
        with torch.no_grad():
            sampled = gumbel_sample(gen_logits.detach(), self.temperature)
        corrupted = input_ids.clone()
        corrupted[is_masked] = sampled
        is_replaced = corrupted != input_ids  # only masked positions can differ

        disc_logits = self.discriminator(input_ids=corrupted, attention_mask=attention_mask,
                                         token_type_ids=token_type_ids).logits.float()
        disc_loss = F.binary_cross_entropy_with_logits(disc_logits[real], is_replaced[real].float())
        loss = gen_loss + self.disc_weight * disc_loss

        with torch.no_grad():
            flagged = (disc_logits > 0) & real
            return RTDOutput(
                loss=loss, gen_loss=gen_loss.detach(), disc_loss=disc_loss.detach(),
                n_masked=is_masked.sum(), gen_correct=(gen_logits.argmax(-1) == original).sum(),
                n_tokens=real.sum(), disc_correct=((flagged == is_replaced) & real).sum(),
                n_replaced=is_replaced.sum(), n_flagged=flagged.sum(),
                n_true_flagged=(flagged & is_replaced).sum(),
            )


def binary_entropy(p):
    """Entropy (nats) of a Bernoulli(p): the loss of a discriminator that only knows the
    replaced fraction. A discriminator loss above it has learned nothing per token."""
    if p <= 0 or p >= 1:
        return 0.0
    return -(p * math.log(p) + (1 - p) * math.log(1 - p))
