"""What the baselines share: the model a hand-written loop trains, its optimizer step, and
the two ways it batches (the documented ones: random batches, or length-sorted batches
padded per batch, which is how the package batches). One copy, so that every benchmark's
"plain loop" is the same loop.
"""

import numpy as np
import torch

from sklearn_electra.data import LengthBucketBatchSampler
from sklearn_electra.modeling import build_config, resolve_model


def make_model(cls, tok, preset="tiny", **config):
    """A randomly initialised ``cls`` (a Hugging Face ELECTRA class) of ``preset``'s shape
    for tokenizer ``tok``; ``config`` adds fields such as ``num_labels``."""
    config = build_config(resolve_model(preset), vocab_size=len(tok),
                          pad_token_id=tok.pad_token_id, **config)
    return cls(config)


def adamw(model, lr):
    """The optimizer of every loop: AdamW with the reference's eps and weight decay."""
    return torch.optim.AdamW(model.parameters(), lr=lr, eps=1e-6, weight_decay=0.01)


def step(model, optimizer, loss):
    """Backward, clip the gradient norm at 1.0, step, clear."""
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def random_batches(n, size, seed):
    """Row indices of shuffled batches (a ``DataLoader(shuffle=True)``)."""
    order = np.random.default_rng(seed).permutation(n)
    return [order[i:i + size] for i in range(0, n, size)]


def sorted_batches(lengths, size, seed):
    """Shuffled batches of rows of similar length (the package's length buckets)."""
    return [np.asarray(b) for b in LengthBucketBatchSampler(lengths, size, shuffle=True, seed=seed)]


def pad(rows, width, value=0):
    """Stack 1-d int sequences into a ``(len(rows), width)`` long tensor, right-padded."""
    out = torch.full((len(rows), width), value, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.as_tensor(row[:width], dtype=torch.long)
    return out
