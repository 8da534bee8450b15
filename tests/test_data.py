import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_electra.data import EncodedDataset, LengthBucketBatchSampler, PadCollator, inference_order
from sklearn_electra.tokenization import encode_texts, train_wordpiece


@settings(max_examples=80, deadline=None)
@given(lengths=st.lists(st.integers(1, 300), min_size=1, max_size=400),
       batch_size=st.integers(1, 40), shuffle=st.booleans(), seed=st.integers(0, 10))
def test_sampler_yields_every_index_once(lengths, batch_size, shuffle, seed):
    sampler = LengthBucketBatchSampler(lengths, batch_size, shuffle=shuffle, bucket_batches=3, seed=seed)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(1 <= len(b) <= batch_size for b in batches)


def test_inference_batches_follow_length_order():
    lengths = [5, 1, 4, 2, 3]
    batches = list(LengthBucketBatchSampler(lengths, 2, shuffle=False))
    assert [i for b in batches for i in b] == inference_order(lengths).tolist() == [1, 3, 4, 2, 0]


def test_shuffled_epochs_differ_but_are_seeded():
    lengths = np.arange(200) % 37 + 1
    a = LengthBucketBatchSampler(lengths, 8, seed=1)
    b = LengthBucketBatchSampler(lengths, 8, seed=1)
    first, second = list(a), list(a)
    assert first != second
    assert list(b) == first


def test_buckets_cut_padding_on_real_lengths():
    from sklearn_electra.datasets import load_chinese_reviews

    texts = load_chinese_reviews()[0]["text"].sample(400, random_state=0).tolist()  # whole reviews
    tok = train_wordpiece(texts, vocab_size=1000)
    ids, _, _ = encode_texts(tok, texts, 128)
    lengths = np.array([len(x) for x in ids])

    def padded(batches):
        return sum(len(b) * lengths[b].max() for b in batches)

    bucketed = padded(list(LengthBucketBatchSampler(lengths, 16, seed=0)))
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(lengths))
    random = padded([perm[i:i + 16] for i in range(0, len(perm), 16)])
    to_max = 128 * len(lengths)
    assert bucketed < 0.8 * random < to_max
    assert bucketed <= 1.1 * lengths.sum()


def test_collator_pads_to_longest_in_batch():
    ds = EncodedDataset([np.array([2, 7, 3]), np.array([2, 3])],
                        [np.zeros(3, np.int8), np.zeros(2, np.int8)], [1, 0])
    inputs, labels = PadCollator(pad_token_id=0)([ds[0], ds[1]])
    assert inputs["input_ids"].tolist() == [[2, 7, 3], [2, 3, 0]]
    assert inputs["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert labels.tolist() == [1, 0]


def test_collator_pads_token_labels_with_ignore_index():
    ds = EncodedDataset([np.array([2, 7, 3]), np.array([2, 3])],
                        [np.zeros(3, np.int8), np.zeros(2, np.int8)],
                        [np.array([-100, 4, -100]), np.array([-100, -100])])
    inputs, labels = PadCollator()([ds[0], ds[1]])
    assert labels.tolist() == [[-100, 4, -100], [-100, -100, -100]]
    assert labels.dtype == torch.long
    assert inputs["input_ids"].tolist() == [[2, 7, 3], [2, 3, 0]]  # [PAD] is 0 by default


def test_labels_must_match_the_texts_and_lengths_are_integers():
    with pytest.raises(ValueError, match=r"^3 texts but 2 labels\.$"):
        EncodedDataset(*_rows(3), labels=[0, 1])
    # Lengths size arrays and cut slices (per-token outputs), which take integers only.
    lengths = EncodedDataset(*_rows(3)).lengths
    assert lengths.dtype == np.int64 and lengths.tolist() == [2, 3, 4]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3), max_size=300))
def test_inference_order_is_stable(lengths):
    # Equal lengths keep their input order (a sort of 17 or more items may not, unless stable).
    assert inference_order(lengths).tolist() == sorted(range(len(lengths)), key=lengths.__getitem__)


def test_buckets_hold_fifty_batches_by_default():
    # 102 distinct lengths in pairs: one bucket of 51 batches pairs sorted neighbours only;
    # the default (50 batches: 100 items, then 2) leaves a random pair in the last bucket.
    def pairs(**kwargs):
        return sorted(sorted(b) for b in LengthBucketBatchSampler(np.arange(102), 2, seed=0, **kwargs))

    neighbours = [[i, i + 1] for i in range(0, 102, 2)]
    assert pairs(bucket_batches=51) == neighbours
    assert pairs() != neighbours and pairs() == pairs(bucket_batches=50)


def test_subset_keeps_rows():
    ds = EncodedDataset([np.array([2, i, 3]) for i in range(5)], [np.zeros(3, np.int8)] * 5, range(5))
    sub = ds.subset([4, 1])
    assert len(sub) == 2 and sub.labels.tolist() == [4, 1] and sub[0][0][1] == 4


# ------------------------------------------------------------ subsets and label arrays
def _rows(n):
    return [np.arange(2 + i) for i in range(n)], [np.zeros(2 + i, dtype=np.int64) for i in range(n)]


def test_a_subset_keeps_the_labels_groups_and_weights_of_its_rows():
    ids, types = _rows(4)
    ds = EncodedDataset(ids, types, labels=[0, 1, 2, 3], groups=[0, 0, 1, 2],
                        weights=[0.5, 1.0, 2.0, 4.0])
    row = ds[1]
    assert row[0].tolist() == [0, 1, 2] and row[2] == 1 and row[3] == 1.0
    assert EncodedDataset(ids, types)[0][2:] == (None, None)
    part = ds.subset([3, 1])
    assert [len(x) for x in part.input_ids] == [5, 3]
    assert part.labels.tolist() == [3, 1] and part.groups.tolist() == [2, 0]
    assert part.weights.tolist() == [4.0, 1.0]
    plain = EncodedDataset(ids, types).subset([2])  # nothing but ids
    assert plain.labels is None and plain.groups is None and plain.weights is None
    empty = ds.subset([])  # an empty validation split is a dataset too
    assert len(empty) == 0 and empty.labels.tolist() == [] and empty.weights.tolist() == []


def test_label_arrays_keep_their_kind():
    ids, types = _rows(2)
    floats = np.array([[0.5, 1.0], [2.0, 3.0]])  # regression targets, label rows
    ds = EncodedDataset(ids, types, labels=floats)
    assert ds.labels.dtype == np.float32 and ds.labels.tolist() == [[0.5, 1.0], [2.0, 3.0]]
    same = np.array([1.5, 2.5], dtype=np.float32)
    assert EncodedDataset(ids, types, labels=same).labels is same  # float32 is not copied
    classes = EncodedDataset(ids, types, labels=[1, 0]).labels
    assert classes.dtype == np.int64 and classes.tolist() == [1, 0]
    tokens = EncodedDataset(ids, types, labels=[np.array([1, 2], dtype=np.int32), [3, 4, 5]]).labels
    assert tokens.dtype == object and [t.dtype for t in tokens] == [np.int64, np.int64]
    assert EncodedDataset([], [], labels=[]).labels.tolist() == []


def test_the_collator_pads_to_the_longest_row_in_int64_with_float32_weights():
    items = [(np.array([2, 5, 3], dtype=np.int8), np.array([0, 0, 1], dtype=np.int8), 1, 0.5),
             ([2, 3], [0, 0], 0, 2.0)]
    inputs, labels = PadCollator(pad_token_id=7)(items)
    assert inputs["input_ids"].tolist() == [[2, 5, 3], [2, 3, 7]]
    assert inputs["token_type_ids"].tolist() == [[0, 0, 1], [0, 0, 0]]
    assert inputs["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert {k: v.dtype for k, v in inputs.items()} == {
        "input_ids": torch.long, "token_type_ids": torch.long, "attention_mask": torch.long,
        "sample_weight": torch.float32}
    assert inputs["sample_weight"].tolist() == [0.5, 2.0]
    assert labels.dtype == torch.long and labels.tolist() == [1, 0]
    unweighted, labels = PadCollator()([(x[0], x[1], np.int32(x[2]), None) for x in items])
    assert "sample_weight" not in unweighted
    assert labels.dtype == torch.long  # the loss takes int64 class indices, whatever was stored


def test_the_collator_stacks_float_rows_and_pads_token_labels():
    rows = [([2, 3], [0, 0], np.array([0.5, 1.0]), None),  # float64 as stored: float32 out
            ([2], [0], np.array([1.5, 0.0]), None)]
    _, labels = PadCollator()(rows)
    assert labels.dtype == torch.float32 and labels.tolist() == [[0.5, 1.0], [1.5, 0.0]]
    tokens = [([2, 3, 4], [0, 0, 0], np.array([1, 2, 0], dtype=np.int32), None),
              ([2], [0], np.array([3], dtype=np.int32), None)]
    _, labels = PadCollator(label_pad_id=-1)(tokens)
    assert labels.dtype == torch.long and labels.tolist() == [[1, 2, 0], [3, -1, -1]]
    assert PadCollator()([([2], [0], None, None)])[1] is None


def test_input_weights_reach_every_row_of_their_input():
    ids, types = _rows(4)
    windows = EncodedDataset(ids, types, groups=[0, 0, 1, 2]).with_input_weights([0.5, 2.0, 3.0])
    assert windows.weights.dtype == np.float32 and windows.weights.tolist() == [0.5, 0.5, 2.0, 3.0]
    rows = EncodedDataset(ids[:2], types[:2]).with_input_weights([1, 4])
    assert rows.weights.dtype == np.float32 and rows.weights.tolist() == [1.0, 4.0]
