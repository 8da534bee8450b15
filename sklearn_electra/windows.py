"""Texts longer than ``max_length`` as overlapping windows, and their outputs pooled per text.

A text of ``n`` subwords becomes windows of ``budget`` subwords (``[CLS] piece
[SEP]``; for a pair ``[CLS] a [SEP] piece-of-b [SEP]``, the first text whole in
every window), starting every ``budget - stride`` subwords until one reaches the
end: the layout of the ``tokenizers`` library's overflowing encodings
(``Tokenizer.enable_truncation(max_length, stride=stride)``), so that a served
model can cut texts exactly as training did. Training batches hold whole texts
(:class:`GroupedBatchSampler`) and pool the windows' logits into one row per
text inside the graph; inference runs windows in ordinary length-sorted batches
and pools afterwards, so memory stays bounded whatever a text's length.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Sampler

from .data import EncodedDataset, LengthBucketBatchSampler, PadCollator
from .tokenization import _encoded_chunks, _plain_backend

__all__ = ["POOLINGS", "window_starts", "encode_windows", "pool_windows", "TextWindows",
           "GroupedBatchSampler", "WindowCollator"]

POOLINGS = ("mean", "max")


def window_starts(n, budget, stride):
    """Where the windows over ``n`` subwords start (``tokenizers``' overflow layout).

    Examples
    --------
    >>> window_starts(17, 6, 2)
    [0, 4, 8, 12]
    >>> window_starts(5, 6, 2)
    [0]
    """
    starts = [0]
    while starts[-1] + budget < n:
        starts.append(starts[-1] + budget - stride)
    return starts


def encode_windows(tokenizer, texts, max_length, stride):
    """Token ids of every window of every text (or ``(a, b)`` pair).

    A pair's first text is kept whole in each window when it takes at most half
    of the window; a longer one is cut to that half.

    Returns
    -------
    input_ids, token_type_ids : list of 1-d int arrays
        One per window, texts in order and each text's windows in order; int32 ids and
        int8 segment ids (the training set holds them all: 5 bytes a token).
    groups : ndarray of int64
        The text each window belongs to.
    n_cut : int
        Pairs whose first text was cut.
    """
    backend = _plain_backend(tokenizer)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    pairs = len(texts) > 0 and isinstance(texts[0], tuple)
    half = (max_length - 3) // 2  # of a pair's window: [CLS] a [SEP] b [SEP]
    input_ids, type_ids, groups, n_cut = [], [], [], 0
    for index, (a, b) in enumerate(_encoded_chunks(backend, texts, pairs)):
        if pairs:
            n_cut += len(a) > half
            head = [cls, *a[:half], sep]
            body = b
        else:
            head, body = [cls], a
        room = max_length - len(head) - 1
        for start in window_starts(len(body), room, stride):
            ids = head + list(body[start:start + room]) + [sep]
            types = np.zeros(len(ids), dtype=np.int8)
            if pairs:
                types[len(head):] = 1
            input_ids.append(np.asarray(ids, dtype=np.int32))
            type_ids.append(types)
            groups.append(index)
    return input_ids, type_ids, np.asarray(groups, dtype=np.int64), n_cut


def pool_windows(logits, groups, n_groups, how):
    """Pool ``(n_windows, k)`` logits into ``(n_groups, k)``: mean or max per group.

    Examples
    --------
    >>> logits = torch.tensor([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0]])
    >>> pool_windows(logits, torch.tensor([0, 0, 1]), 2, "mean").tolist()
    [[2.0, 1.0], [5.0, 5.0]]
    >>> pool_windows(logits, torch.tensor([0, 0, 1]), 2, "max").tolist()
    [[3.0, 2.0], [5.0, 5.0]]
    """
    index = groups.to(logits.device)
    out = logits.new_zeros((n_groups, logits.shape[1]))
    if how == "max":
        return out.scatter_reduce_(0, index[:, None].expand_as(logits), logits, "amax",
                                   include_self=False)
    counts = torch.bincount(index, minlength=n_groups).clamp_min(1).to(logits.dtype)
    return out.index_add_(0, index, logits) / counts[:, None]


class TextWindows(EncodedDataset):
    """Windows of texts (``groups``: the text of each window) trained as one row per text.

    ``labels`` hold each window's copy of its text's target.
    """

    def __getitem__(self, i):
        return (*super().__getitem__(i), self.groups[i])

    def subset(self, indices):
        part = super().subset(indices)
        return TextWindows(part.input_ids, part.token_type_ids, part.labels, part.groups,
                           part.weights)

    def rows(self):
        """The windows as a plain dataset, one output per window (for inference)."""
        return EncodedDataset(self.input_ids, self.token_type_ids)


class GroupedBatchSampler(Sampler):
    """Batches of ``batch_size`` whole texts: every window of a text in the same batch.

    Texts are batched as :class:`~sklearn_electra.data.LengthBucketBatchSampler`
    batches texts (by their number of tokens, all windows together), then each
    text is expanded into its windows; a batch holds as many windows as its
    texts have.
    """

    def __init__(self, groups, lengths, batch_size, shuffle=True, seed=None):
        groups = np.asarray(groups)
        bounds = np.flatnonzero(np.diff(groups)) + 1  # windows of a text are contiguous
        self.texts = np.split(np.arange(len(groups)), bounds)
        lengths = np.asarray(lengths)
        sizes = [int(lengths[t].sum()) for t in self.texts]
        self.texts_sampler = LengthBucketBatchSampler(sizes, batch_size, shuffle=shuffle, seed=seed)

    def __iter__(self):
        for batch in self.texts_sampler:
            yield np.concatenate([self.texts[t] for t in batch]).tolist()

    def __len__(self):
        return len(self.texts_sampler)


class WindowCollator(PadCollator):
    """Pad windows; add ``window_group`` (each window's text, numbered within the batch)
    to the inputs, and return one target (and sample weight) per text."""

    def __call__(self, items):
        groups = np.asarray([item[4] for item in items])
        _, first, local = np.unique(groups, return_index=True, return_inverse=True)
        inputs, labels = super().__call__([item[:4] for item in items])
        first = torch.from_numpy(first)
        inputs["window_group"] = torch.from_numpy(local.astype(np.int64))
        if "sample_weight" in inputs:
            inputs["sample_weight"] = inputs["sample_weight"][first]
        return inputs, None if labels is None else labels[first]
