"""Token-id datasets, per-batch padding and length-bucketed batching.

Texts are tokenized once into variable-length id arrays; padding happens per
batch, to the longest sequence in that batch. Training batches group texts of
similar length (shuffled buckets); inference batches run in length order and
the caller restores input order with :func:`inference_order`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

__all__ = ["EncodedDataset", "PadCollator", "LengthBucketBatchSampler", "inference_order"]


class EncodedDataset(Dataset):
    """Token ids of ``n`` texts, with optional integer targets.

    Parameters
    ----------
    input_ids : list of 1-d int arrays
        ``[CLS] ... [SEP]`` ids of each text, unpadded.
    token_type_ids : list of 1-d int arrays
        Segment ids, same lengths as ``input_ids``.
    labels : array-like, optional
        One target per row: a class index, a float array of shape
        ``(n,)`` or ``(n, k)`` (regression targets, a multi-label 0/1 row), or
        an int array of token labels per row (``-100`` where no loss applies).
    groups : array-like of int, optional
        The input each row came from, when one input spans several rows
        (the windows of a long sentence); validation splits keep groups whole.
    weights : array-like of float, optional
        One sample weight per row (see :meth:`with_input_weights`).
    """

    def __init__(self, input_ids, token_type_ids, labels=None, groups=None, weights=None):
        if labels is not None and len(labels) != len(input_ids):
            raise ValueError(f"{len(input_ids)} texts but {len(labels)} labels.")
        self.input_ids = input_ids
        self.token_type_ids = token_type_ids
        self.labels = None if labels is None else _as_label_array(labels)
        self.groups = None if groups is None else np.asarray(groups, dtype=np.int64)
        self.weights = None if weights is None else np.asarray(weights, dtype=np.float32)
        self.lengths = np.fromiter((len(ids) for ids in input_ids), dtype=np.int64,
                                   count=len(input_ids))

    def __len__(self):
        return len(self.input_ids)

    def __getitem__(self, i):
        label = None if self.labels is None else self.labels[i]
        weight = None if self.weights is None else self.weights[i]
        return self.input_ids[i], self.token_type_ids[i], label, weight

    def with_input_weights(self, weights):
        """Set one sample weight per *input* (text, sentence, question): each row takes its
        input's (its group's) weight. Returns ``self``."""
        weights = np.asarray(weights, dtype=np.float32)
        self.weights = weights if self.groups is None else weights[self.groups]
        return self

    def subset(self, indices):
        """A new dataset holding the rows ``indices`` (no copy of the id arrays)."""
        indices = np.asarray(indices, dtype=np.int64)
        return EncodedDataset(
            [self.input_ids[i] for i in indices],
            [self.token_type_ids[i] for i in indices],
            None if self.labels is None else self.labels[indices],
            None if self.groups is None else self.groups[indices],
            None if self.weights is None else self.weights[indices],
        )


def _as_label_array(labels):
    """One label per text, one float row per text, or one (ragged) array of token labels."""
    if isinstance(labels, np.ndarray) and labels.dtype.kind == "f":
        return labels.astype(np.float32, copy=False)
    labels = list(labels)
    if labels and np.ndim(labels[0]) > 0:
        out = np.empty(len(labels), dtype=object)
        for i, lab in enumerate(labels):  # element-wise: equal lengths must not broadcast
            out[i] = np.asarray(lab, dtype=np.int64)
        return out
    return np.asarray(labels)


class PadCollator:
    """Pad a list of dataset items to the longest sequence in the batch.

    Returns ``(inputs, labels)`` as skorch expects: ``inputs`` is a dict of
    ``(batch, longest)`` tensors for the Hugging Face model, ``labels`` a tensor
    or ``None``. Float labels (targets, label rows) are stacked as float32; int
    arrays per row are token labels, padded with ``label_pad_id``. Rows with
    sample weights add ``inputs["sample_weight"]`` (skorch's way of passing them to
    ``get_loss``; the model call leaves it out).

    Parameters
    ----------
    pad_token_id : int, default=0
        The id padding ``input_ids`` (``[PAD]`` is 0 in ELECTRA's vocabularies and in the
        tokenizers this package trains; estimators pass their tokenizer's).
    label_pad_id : int, default=-100
        The token label of padding: the ``ignore_index`` of torch's cross-entropy.
    """

    def __init__(self, pad_token_id=0, label_pad_id=-100):
        self.pad_token_id = pad_token_id
        self.label_pad_id = label_pad_id

    def __call__(self, items):
        ids, types, labels, weights = zip(*items)
        width = max(len(x) for x in ids)
        input_ids = torch.full((len(ids), width), self.pad_token_id)  # an int fill: int64
        token_type_ids = torch.zeros((len(ids), width), dtype=torch.long)
        attention_mask = torch.zeros((len(ids), width), dtype=torch.long)
        for row, (seq, seg) in enumerate(zip(ids, types)):
            # Rows may be stored compact (int32, int8): the copy widens them.
            input_ids[row, : len(seq)] = torch.as_tensor(seq)
            token_type_ids[row, : len(seg)] = torch.as_tensor(seg)
            attention_mask[row, : len(seq)] = 1
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask,
                  "token_type_ids": token_type_ids}
        if weights[0] is not None:
            inputs["sample_weight"] = torch.as_tensor(np.asarray(weights, dtype=np.float32))
        return inputs, self._collate_labels(labels, width)

    def _collate_labels(self, labels, width):
        if labels[0] is None:
            return None
        first = np.asarray(labels[0])
        if first.dtype.kind == "f":
            return torch.as_tensor(np.stack(labels), dtype=torch.float32)
        if first.ndim == 0:
            return torch.as_tensor(np.asarray(labels), dtype=torch.long)
        # One label per token (tagging): pad with the id no loss sees.
        out = torch.full((len(labels), width), self.label_pad_id)  # an int fill: int64
        for row, lab in enumerate(labels):  # int32 or int8 rows widen in the copy
            out[row, : len(lab)] = torch.as_tensor(np.asarray(lab))
        return out


def inference_order(lengths):
    """Indices that sort ``lengths`` (stable); inference runs in this order."""
    return np.argsort(np.asarray(lengths), kind="stable")


def stack_rows(chunks, lengths):
    """Padded per-token batches of rows of ``lengths``, yielded in :func:`inference_order`,
    as one tensor of slots.

    Returns ``(slots, begin)``: ``slots`` is every batch's ``(rows, width, n_outputs)``
    flattened to ``(rows * width, n_outputs)`` and concatenated, and ``begin[i]`` is where
    row ``i`` of the input starts in it (its tokens follow; padding after them). One copy
    of the batches, where cutting them row by row costs a tensor per row.

    Examples
    --------
    >>> lengths = [3, 1, 2]  # inference runs rows 1, 2, 0
    >>> chunks = [torch.tensor([[[10.], [0.]], [[20.], [21.]]]),  # rows 1 and 2, width 2
    ...           torch.tensor([[[30.], [31.], [32.]]])]          # row 0, width 3
    >>> slots, begin = stack_rows(chunks, lengths)
    >>> begin.tolist(), slots[begin[0]:begin[0] + lengths[0], 0].tolist()
    ([4, 0, 2], [30.0, 31.0, 32.0])
    """
    widths = np.repeat([chunk.shape[1] for chunk in chunks], [len(chunk) for chunk in chunks])
    begin = np.empty(len(widths), dtype=np.int64)
    begin[inference_order(lengths)] = np.cumsum(widths) - widths
    return torch.cat([chunk.reshape(-1, chunk.shape[-1]) for chunk in chunks]), begin


class LengthBucketBatchSampler(Sampler):
    """Batches of indices with similar lengths.

    With ``shuffle=True`` (training) the indices are shuffled, cut into buckets
    of ``batch_size * bucket_batches`` items, each bucket is sorted by length and
    cut into batches, and the batch order is shuffled: little padding, random
    batch composition, fresh on every epoch. With ``shuffle=False`` (inference)
    batches follow :func:`inference_order`.

    Parameters
    ----------
    lengths : array-like of int
        Length of each item.
    batch_size : int
        Items per batch (the last batch of a bucket may be smaller).
    shuffle : bool, default=True
        Shuffle as described above; otherwise sort by length.
    bucket_batches : int, default=50
        Bucket size in batches. Larger means less padding, less randomness.
    seed : int or None
        Seed of the shuffling; each pass over the sampler draws a new order.

    Examples
    --------
    >>> sampler = LengthBucketBatchSampler([5, 1, 4, 2], batch_size=2, shuffle=False)
    >>> list(sampler)
    [[1, 3], [2, 0]]
    """

    def __init__(self, lengths, batch_size, shuffle=True, bucket_batches=50, seed=None):
        self.lengths = np.asarray(lengths)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.bucket_batches = bucket_batches
        self.rng = np.random.default_rng(seed)

    def _buckets(self, order):
        size = self.batch_size * self.bucket_batches
        return [order[i : i + size] for i in range(0, len(order), size)]

    def __iter__(self):
        if not self.shuffle:
            order = inference_order(self.lengths)
            for i in range(0, len(order), self.batch_size):
                yield order[i : i + self.batch_size].tolist()
            return
        batches = []
        for bucket in self._buckets(self.rng.permutation(len(self.lengths))):
            bucket = bucket[np.argsort(self.lengths[bucket], kind="stable")]
            batches.extend(bucket[i : i + self.batch_size].tolist()
                           for i in range(0, len(bucket), self.batch_size))
        for k in self.rng.permutation(len(batches)):
            yield batches[k]

    def __len__(self):
        # Buckets hold whole batches and only the last bucket can end in a short one, so
        # shuffled or not there are as many batches as in one sorted pass.
        return math.ceil(len(self.lengths) / self.batch_size)
