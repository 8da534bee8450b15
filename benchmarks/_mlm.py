"""BERT's masked-language-model objective inside ``ElectraRTDPretrainer``: the paper's
equal-compute baseline, trained by the same estimator so that only the objective differs.

Same packed rows, masking (:func:`sklearn_electra.rtd.mask_tokens`, the same never-masked
tokens), optimizer, parameter groups, learning-rate schedule, clipping, checkpoints and
history as RTD; the encoder is discriminator-sized and predicts the masked tokens through
a vocabulary projection tied to its input embeddings (computed at the masked positions
only, as the RTD generator does). ``save_pretrained`` writes an ``ElectraForMaskedLM``
that ``ElectraClassifier(model=path)`` fine-tunes like any ELECTRA checkpoint.
"""

import torch
import torch.nn.functional as F
from torch import nn
from transformers import ElectraForMaskedLM

from sklearn_electra import ElectraRTDPretrainer
from sklearn_electra.rtd import RTDOutput, generator_config, mask_tokens


class MaskedLM(nn.Module):
    """A discriminator-sized ``ElectraForMaskedLM`` trained on masked positions.

    The model sits in ``discriminator`` because that is what the pretrainer exports
    and fine-tunes; the RTD fields it cannot fill (discriminator loss and counts) are 0.
    """

    def __init__(self, model, special_ids, mask_token_id, mask_prob):
        super().__init__()
        self.discriminator = model
        self.register_buffer("special_ids", torch.as_tensor(sorted(set(special_ids))), persistent=False)
        self.mask_token_id = mask_token_id
        self.mask_prob = mask_prob

    @property
    def config(self):
        return self.discriminator.config

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        real = attention_mask.bool()
        maskable = real & ~torch.isin(input_ids, self.special_ids)
        masked_ids, is_masked = mask_tokens(input_ids, maskable, self.mask_prob, self.mask_token_id)
        original = input_ids[is_masked]  # (M,)
        model = self.discriminator
        hidden = model.electra(input_ids=masked_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state[is_masked]  # (M, H)
        logits = model.generator_lm_head(model.generator_predictions(hidden)).float()  # (M, V)
        loss = F.cross_entropy(logits, original) if len(original) else logits.sum() * 0.0
        zero = torch.zeros((), dtype=torch.long, device=input_ids.device)
        return RTDOutput(
            loss=loss, gen_loss=loss.detach(), disc_loss=loss.new_zeros(()), n_masked=is_masked.sum(),
            gen_correct=(logits.argmax(-1) == original).sum(), n_tokens=real.sum(),
            disc_correct=zero, n_replaced=zero, n_flagged=zero, n_true_flagged=zero,
        )


class MLMPretrainer(ElectraRTDPretrainer):
    """``ElectraRTDPretrainer`` with the masked-LM objective (the ``gen_*`` history columns
    are the MLM's loss and masked-token accuracy; the ``disc_*`` columns mean nothing)."""

    def initialize_module(self):
        super().initialize_module()  # resolves the preset or checkpoint into a discriminator
        rtd = self.module_
        mlm = ElectraForMaskedLM(generator_config(rtd.discriminator.config, 1.0))
        # Start from the checkpoint's encoder when there is one (resuming reloads it all).
        mlm.electra.load_state_dict(rtd.discriminator.electra.state_dict())
        mlm.tie_weights()
        tok = self.tokenizer_
        self.module_ = MaskedLM(mlm, rtd.special_ids.tolist(), tok.mask_token_id,
                                self.recipe_.mask_prob)
        return self
