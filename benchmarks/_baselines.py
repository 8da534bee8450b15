"""What the baselines share: the model a hand-written loop trains, its optimizer step, and
the two ways it batches (the documented ones: random batches, or length-sorted batches
padded per batch, which is how the package batches). One copy, so that every benchmark's
"plain loop" is the same loop.
"""

import numpy as np
import torch

from sklearn_electra.data import LengthBucketBatchSampler
from sklearn_electra.modeling import build_config, resolve_model
from sklearn_electra.optim import fused_adam_supported


def make_model(cls, tok, preset="tiny", **config):
    """A randomly initialised ``cls`` (a Hugging Face ELECTRA class) of ``preset``'s shape
    for tokenizer ``tok``; ``config`` adds fields such as ``num_labels``."""
    config = build_config(resolve_model(preset), vocab_size=len(tok),
                          pad_token_id=tok.pad_token_id, **config)
    return cls(config)


def adamw(model, lr):
    """The optimizer of every loop: AdamW with the reference's eps and weight decay, fused
    where PyTorch has the kernel (as in the package and in Trainer's default
    ``adamw_torch_fused``)."""
    device = next(model.parameters()).device.type
    return torch.optim.AdamW(model.parameters(), lr=lr, eps=1e-6, weight_decay=0.01,
                             fused=fused_adam_supported(torch.optim.AdamW, device))


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


def batches(batching, lengths, size, seed, max_length):
    """One epoch's ``(row indices, width)``: ``"padded"`` (random batches, every row padded to
    ``max_length``), ``"per-batch"`` (random batches padded to their longest row) or
    ``"sorted"`` (length buckets padded to their longest row, as the package batches)."""
    lengths = np.asarray(lengths)
    order = sorted_batches(lengths, size, seed) if batching == "sorted" else \
        random_batches(len(lengths), size, seed)
    for batch in order:
        yield batch, max_length if batching == "padded" else int(lengths[batch].max())


def train(model, optimizer, batching, lengths, args, seed, loss):
    """The hand-written loop: ``args.epochs`` epochs of :func:`batches` (``args.batch_size``,
    ``args.max_length``), one :func:`step` on ``loss(batch, width)`` per batch."""
    model.train()
    for epoch in range(args.epochs):
        for batch, width in batches(batching, lengths, args.batch_size, seed + epoch, args.max_length):
            step(model, optimizer, loss(batch, width))


def inputs(rows, batch, width, pad_id):
    """``input_ids`` and ``attention_mask`` of ``rows[batch]`` padded to ``width``."""
    ids = pad([rows[i] for i in batch], width, pad_id)
    lengths = torch.as_tensor([min(len(rows[i]), width) for i in batch])
    return ids, (torch.arange(width)[None] < lengths[:, None]).long()


def pad(rows, width, value=0):
    """Stack 1-d int sequences into a ``(len(rows), width)`` long tensor, right-padded."""
    out = torch.full((len(rows), width), value, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.as_tensor(row[:width], dtype=torch.long)
    return out
