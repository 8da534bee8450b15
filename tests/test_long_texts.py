"""long_texts="windows": every token of a long text is read, in training and prediction."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from tokenizers import Tokenizer

from sklearn_electra import ElectraClassifier, ElectraRegressor, TextTruncationWarning, train_wordpiece
from sklearn_electra.windows import GroupedBatchSampler, TextWindows, encode_windows

from .conftest import fold_scores

FILLER = "the a of and to in is it that was for on with as at by this film phone very".split()
PARAMS = dict(max_length=24, vocab_size=200, max_epochs=6, batch_size=16, lr=2e-3, stride=4,
              random_state=0)


def late_signal(n, rng):
    """Texts of 40-80 filler words whose label is one word near the end, far past max_length."""
    X, y = [], []
    for _ in range(n):
        label = int(rng.integers(0, 2))
        words = list(rng.choice(FILLER, size=int(rng.integers(40, 80))))
        X.append(" ".join(words + [["awful", "great"][label]] + list(rng.choice(FILLER, size=3))))
        y.append(["neg", "pos"][label])
    return X, y


RNG = np.random.default_rng(0)
TRAIN = late_signal(300, RNG)
TEST = late_signal(100, RNG)


@pytest.fixture(scope="module")
def windowed():
    return ElectraClassifier(**PARAMS, long_texts="windows", window_pooling="max").fit(*TRAIN)


def test_a_signal_past_max_length_is_found_with_windows_only(windowed):
    # (which line the warning points at is test_contracts' job: mutmut's copy adds a frame)
    with pytest.warns(TextTruncationWarning, match="long_texts='windows'"):
        truncated = ElectraClassifier(**PARAMS).fit(*TRAIN)
    with pytest.warns(TextTruncationWarning, match="100 of 100 texts"):
        assert truncated.score(*TEST) < 0.7  # the deciding word is never seen
    assert windowed.score(*TEST) > 0.9


def test_one_row_per_text_in_input_order(windowed):
    X = TEST[0][:20] + ["", "great"]
    proba = windowed.predict_proba(X)
    assert proba.shape == (22, 2)
    np.testing.assert_allclose(windowed.predict_proba(X[::-1]), proba[::-1], atol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-6)
    # pooling the windows by hand gives the same rows
    dataset = windowed.get_dataset(X)
    rows = windowed.forward(dataset.rows())
    by_hand = torch.stack([rows[torch.from_numpy(dataset.groups == i)].max(dim=0).values
                           for i in range(len(X))])
    np.testing.assert_allclose(torch.softmax(by_hand, -1).numpy(), proba, atol=1e-6)
    # Windows without targets (what a user's own loop over get_iterator batches) collate to
    # inputs and no targets, each window numbered by its text within the batch.
    x, target = next(iter(windowed.get_iterator(dataset)))
    numbers = set(x["window_group"].tolist())
    assert target is None and len(x["window_group"]) > len(numbers) > 1  # long texts: several windows
    assert numbers == set(range(len(numbers)))


def test_training_batches_and_validation_split_keep_texts_whole(windowed):
    dataset = windowed.get_dataset(*TRAIN)
    assert isinstance(dataset, TextWindows) and len(dataset) > 3 * len(TRAIN[0])
    # The batches fit draws: whole texts, shuffled by the seed (inference keeps length order).
    sampler = windowed.get_iterator(dataset, training=True, seed=0).batch_sampler
    assert isinstance(sampler, GroupedBatchSampler)
    other = GroupedBatchSampler(dataset.groups, dataset.lengths, batch_size=16, shuffle=True, seed=1)
    in_order = GroupedBatchSampler(dataset.groups, dataset.lengths, batch_size=16, shuffle=False)
    assert [list(b) for b in sampler] not in ([list(b) for b in other], [list(b) for b in in_order])
    seen = []
    for batch in sampler:
        texts = np.unique(dataset.groups[batch])
        assert len(texts) <= 16  # batch_size texts, however many windows
        assert sorted(batch) == np.flatnonzero(np.isin(dataset.groups, texts)).tolist()
        seen.extend(texts)
    assert sorted(seen) == list(range(len(TRAIN[0]))) and len(sampler) == len(list(sampler))
    train, valid = windowed.get_split_datasets(dataset, seed=0)
    assert not set(train.groups) & set(valid.groups)
    assert len(set(valid.groups)) == 30  # validation_fraction of the texts, not of the windows
    assert len(windowed.history_) >= 1 and "valid_acc" in windowed.history_[-1]


def test_memory_is_bounded_for_a_100000_token_text(windowed):
    text = " ".join(["film"] * 100_000)
    assert len(windowed.tokenizer_(text)["input_ids"]) > 100_000
    widest = []
    original = windowed.module_.forward

    def spy(*args, **kwargs):
        widest.append(kwargs["input_ids"].shape[0])
        return original(*args, **kwargs)

    windowed.module_.forward = spy
    try:
        proba = windowed.predict_proba([text, "great"])
    finally:
        del windowed.module_.forward
    assert proba.shape == (2, 2) and np.isfinite(proba).all()
    assert max(widest) <= 2 * windowed.batch_size  # predict_batch_size=None: 2 * batch_size
    assert sum(widest) > 100_000 / 24  # every window was scored


def test_round_trips_pickle_save_load_and_onnx(windowed, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    X = TEST[0][:6]
    proba = windowed.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(windowed)).predict_proba(X), proba)
    windowed.save_pretrained(tmp_path / "saved")
    loaded = ElectraClassifier.from_pretrained(tmp_path / "saved")
    assert loaded.long_texts == "windows" and loaded.window_pooling == "max"
    np.testing.assert_allclose(loaded.predict_proba(X), proba, atol=1e-5)

    # A served model: the tokenizer's own overflowing windows, ONNX logits, numpy max.
    windowed.to_onnx(tmp_path / "onnx")
    tokenizer = Tokenizer.from_file(str(tmp_path / "onnx" / "tokenizer.json"))
    session = ort.InferenceSession(str(tmp_path / "onnx" / "model.onnx"))
    tokenizer.no_padding()
    for text, expected in zip(X, proba):
        encoding = tokenizer.encode(text)
        windows = [encoding, *encoding.overflowing]
        logits = session.run(None, _feeds(windows))[0]
        pooled = logits.max(axis=0)
        np.testing.assert_allclose(np.exp(pooled) / np.exp(pooled).sum(), expected, atol=1e-4)
    served = _load_example("serve_onnx").OnnxTextClassifier(str(tmp_path / "onnx"), batch_size=4)
    np.testing.assert_allclose(served.predict_proba(X + ["", "great"]),
                               windowed.predict_proba(X + ["", "great"]), atol=1e-4)


def _load_example(name):
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples",
                        f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _feeds(encodings):
    width = max(len(e.ids) for e in encodings)
    pad = lambda values: [v + [0] * (width - len(v)) for v in values]  # noqa: E731
    return {"input_ids": np.array(pad([e.ids for e in encodings]), dtype=np.int64),
            "attention_mask": np.array(pad([e.attention_mask for e in encodings]), dtype=np.int64),
            "token_type_ids": np.array(pad([e.type_ids for e in encodings]), dtype=np.int64)}


def test_a_truncating_model_serves_a_tokenizer_without_overlap(windowed, tmp_path):
    # Only windows read the tokenizer's overflow; a cut text's overflow must not overlap either.
    truncating = pickle.loads(pickle.dumps(windowed)).set_params(long_texts="truncate")
    for estimator, stride in ((truncating, 0), (windowed, PARAMS["stride"])):
        estimator.to_onnx(tmp_path / str(stride))
        truncation = Tokenizer.from_file(str(tmp_path / str(stride) / "tokenizer.json")).truncation
        assert (truncation["max_length"], truncation["stride"]) == (24, stride)


@pytest.mark.filterwarnings("ignore::sklearn_electra.TextTruncationWarning")
def test_both_modes_pass_on_the_batching_seed_and_forwards_arguments(windowed):
    truncating = pickle.loads(pickle.dumps(windowed)).set_params(long_texts="truncate")
    X = TEST[0][:8]
    for estimator in (truncating, windowed):
        dataset = estimator.get_dataset(*TRAIN)

        def batches(**kwargs):
            return [list(b) for b in estimator.get_iterator(dataset, **kwargs).batch_sampler]

        assert batches(training=True, seed=1) == batches(training=True, seed=1)
        assert batches(training=True, seed=1) not in (batches(training=True, seed=2), batches())
        # Dropout only in training mode; "meta" holds no data, only where the output went.
        assert not torch.equal(estimator.forward(X, training=True), estimator.forward(X, training=True))
        assert torch.equal(estimator.forward(X), estimator.forward(X))
        assert estimator.forward(X, device="meta").device.type == "meta"
        # predict runs the int8 copy when asked (its outputs differ a little from the float model's)
        int8 = pickle.loads(pickle.dumps(estimator)).set_params(quantize="int8")
        assert 0 < np.abs(int8.predict_proba(X) - estimator.predict_proba(X)).max() < 0.1


def test_int8_and_mean_pooling_and_the_regressor():
    X, y = TRAIN
    clf = ElectraClassifier(**{**PARAMS, "max_epochs": 1}, long_texts="windows").fit(X, y)
    int8 = pickle.loads(pickle.dumps(clf)).set_params(quantize="int8")
    assert np.abs(int8.predict_proba(X[:20]) - clf.predict_proba(X[:20])).max() < 0.1
    # a score that one window decides: max pooling reads it (the other windows score ~0)
    scores = [1.0 if label == "pos" else 0.0 for label in y]
    reg = ElectraRegressor(**{**PARAMS, "max_epochs": 10}, long_texts="windows",
                           window_pooling="max").fit(X, scores)
    truth = np.asarray([1.0 if label == "pos" else 0.0 for label in TEST[1]])
    assert reg.score(TEST[0], truth) > 0.5
    assert reg.predict(TEST[0][:5]).shape == (5,)


def test_multilabel_with_windows():
    X, y = TRAIN
    labels = [[label] + (["long"] if len(text) > 300 else []) for text, label in zip(X, y)]
    clf = ElectraClassifier(**{**PARAMS, "max_epochs": 2}, long_texts="windows",
                            window_pooling="max").fit(X, labels)
    assert clf.predict_proba(X[:4]).shape == (4, 3) and len(clf.predict(X[:4])) == 4


def test_cross_val_score_with_windows():
    X, y = TRAIN[0][:80], TRAIN[1][:80]
    est = ElectraClassifier(**{**PARAMS, "max_epochs": 1}, long_texts="windows")
    # scikit-learn indexes texts, the model trains on windows: each fold must be the fit of
    # exactly its texts' windows and score one pooled row per held-out text.
    np.testing.assert_array_equal(cross_val_score(est, X, y, cv=KFold(2)),
                                  fold_scores(est, X, y, KFold(2)))


def test_pairs_keep_the_first_text_in_every_window():
    tok = train_wordpiece(["what is it", " ".join(FILLER) * 3], vocab_size=80)
    question = "what is it"
    ids, types, groups, n_cut = encode_windows(tok, [(question, " ".join(FILLER * 4))], 24, 4)
    head = tok(question)["input_ids"]  # [CLS] what is it [SEP]
    assert len(ids) > 3 and n_cut == 0 and set(groups) == {0}
    for row, seg in zip(ids, types):
        assert row[:len(head)].tolist() == head and row[-1] == tok.sep_token_id
        assert seg[:len(head)].tolist() == [0] * len(head) and set(seg[len(head):]) == {1}
    long_first = " ".join(FILLER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, _, n_cut = encode_windows(tok, [(long_first, "it")], 24, 4)
    assert n_cut == 1


@settings(max_examples=40, deadline=None)
@given(n_words=st.integers(0, 120), max_length=st.integers(8, 40), stride=st.integers(0, 16))
def test_windows_are_the_tokenizers_overflow_windows(n_words, max_length, stride):
    # A served model cuts texts with Tokenizer.enable_truncation(stride=...): the same windows.
    stride = min(stride, (max_length - 3) // 2 - 1)
    if stride < 0:
        return
    tok = _TOKENIZER
    text = " ".join(FILLER[i % len(FILLER)] for i in range(n_words))
    ids, _, _, _ = encode_windows(tok, [text], max_length, stride)
    backend = Tokenizer.from_str(tok.backend_tokenizer.to_str())
    backend.enable_truncation(max_length=max_length, stride=stride)
    encoding = backend.encode(text)
    assert [row.tolist() for row in ids] == [e.ids for e in [encoding, *encoding.overflowing]]


_TOKENIZER = train_wordpiece([" ".join(FILLER)] * 3, vocab_size=60)


@settings(max_examples=40, deadline=None)
@given(n_a=st.integers(0, 20), n_b=st.integers(0, 100), max_length=st.integers(10, 40),
       stride=st.integers(0, 16))
def test_pair_windows_are_the_tokenizers_only_second_overflow(n_a, n_b, max_length, stride):
    # A first text within half of the window is kept whole in every window: tokenizers'
    # "only_second" overflow, ids and segment ids alike.
    half = (max_length - 3) // 2
    stride = min(stride, half - 1)
    a = " ".join(FILLER[i % len(FILLER)] for i in range(n_a))
    b = " ".join(FILLER[(7 * i) % len(FILLER)] for i in range(n_b))
    if stride < 0 or len(_TOKENIZER(a, add_special_tokens=False)["input_ids"]) > half:
        return
    ids, types, groups, n_cut = encode_windows(_TOKENIZER, [(a, b)], max_length, stride)
    backend = Tokenizer.from_str(_TOKENIZER.backend_tokenizer.to_str())
    backend.enable_truncation(max_length=max_length, stride=stride, strategy="only_second")
    encoding = backend.encode(a, b)
    windows = [encoding, *encoding.overflowing]
    assert [row.tolist() for row in ids] == [w.ids for w in windows]
    assert [row.tolist() for row in types] == [w.type_ids for w in windows]
    assert n_cut == 0 and groups.tolist() == [0] * len(windows)


@pytest.mark.parametrize("max_length", [24, 25])
def test_a_first_text_past_half_the_window_is_cut_to_half_and_counted(max_length):
    tok = _TOKENIZER
    half = (max_length - 3) // 2  # 10 or 11 subwords of the first text at most
    words = [w for w in FILLER if len(tok(w, add_special_tokens=False)["input_ids"]) == 1]
    firsts = [" ".join(words[:n]) for n in (half, half + 1, half + 5)]
    ids, types, groups, n_cut = encode_windows(tok, [(a, "it was") for a in firsts], max_length, 2)
    assert n_cut == 2  # the two longer ones, summed over the batch
    for row, segment, n in zip(ids, types, (half, half + 1, half + 5)):
        head = tok(" ".join(words[:min(n, half)]))["input_ids"]
        assert row.tolist() == head + tok("it was", add_special_tokens=False)["input_ids"] + [tok.sep_token_id]
        assert segment.tolist() == [0] * len(head) + [1] * (len(row) - len(head))
    # Ids and segment ids are stored compactly: 4 bytes and 1 byte a token.
    assert {row.dtype for row in ids} == {np.dtype(np.int32)}
    assert {row.dtype for row in types} == {np.dtype(np.int8)}
    assert encode_windows(tok, [], max_length, 2)[3] == 0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pairs_whose_first_text_takes_half_the_window_are_counted_at_every_call():
    X = [(" ".join(FILLER), "it was"), ("short", "it was")] * 4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = ElectraClassifier(max_length=24, vocab_size=100, max_epochs=1, stride=4,
                                long_texts="windows").fit(X, [0, 1] * 4)
        clf.predict(X[:3])
    messages = [(w.category, str(w.message)) for w in caught if w.category is not ConvergenceWarning]
    assert messages == [(TextTruncationWarning, (
        f"The first text of {n} of {total} pairs takes more than half of max_length=24 tokens and was "
        "cut to that half: windows keep the first text whole up to there and slide over the second."))
        for n, total in ((4, 8), (2, 3))]


def test_sample_weights_follow_each_text_through_its_windows(windowed):
    from sklearn_electra.windows import WindowCollator

    X, y = TRAIN[0][:3], TRAIN[1][:3]
    weighted = windowed.get_dataset(X, y).with_input_weights([2.0, 1.0, 3.0])
    repeated = windowed.get_dataset([X[0]] * 2 + [X[1]] + [X[2]] * 3, [y[0]] * 2 + [y[1]] + [y[2]] * 3)
    collate = WindowCollator(windowed.tokenizer_.pad_token_id)

    def loss(dataset, rows):
        windowed.module_.eval()
        with torch.no_grad():
            x, target = collate([dataset[i] for i in rows])
            return windowed.get_loss(windowed.infer(x), target, X=x).item()

    assert loss(weighted, range(len(weighted))) == pytest.approx(loss(repeated, range(len(repeated))), rel=1e-5)
    # A validation split keeps each window's weight (texts 0 and 2 here).
    part = weighted.subset(np.flatnonzero(weighted.groups != 1))
    assert isinstance(part, TextWindows)
    assert part.weights.tolist() == [2.0 if g == 0 else 3.0 for g in part.groups]


def test_grouped_batches_are_shuffled_by_default_and_seeded():
    groups = np.repeat(np.arange(40), 2)
    lengths = np.tile([10, 6], 40)

    def batches(**kwargs):
        return [list(b) for b in GroupedBatchSampler(groups, lengths, 4, **kwargs)]

    assert batches(seed=3) == batches(seed=3) == batches(shuffle=True, seed=3)
    assert batches(seed=3) != batches(shuffle=False, seed=3) and batches(seed=3) != batches(seed=4)


def test_pooling_gives_a_row_per_group_even_one_with_no_windows():
    from sklearn_electra.windows import pool_windows

    logits = torch.tensor([[1.0, -1.0], [3.0, 1.0], [5.0, 4.0]], dtype=torch.float64)
    # groups 1 (between two others) and 3 (the last) have no windows
    for how, expected in (("mean", [[2.0, 0.0], [0.0, 0.0], [5.0, 4.0], [0.0, 0.0]]),
                          ("max", [[3.0, 1.0], [0.0, 0.0], [5.0, 4.0], [0.0, 0.0]])):
        pooled = pool_windows(logits, torch.tensor([0, 0, 2]), 4, how)
        assert pooled.tolist() == expected and pooled.dtype == torch.float64


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_stride_must_leave_windows_room():
    def fit(max_length, stride):
        return ElectraClassifier(max_length=max_length, stride=stride, long_texts="windows", max_epochs=1,
                                 vocab_size=100).fit(["a b"] * 4, [0, 1] * 2)

    fit(25, 10)  # (25 - 3) // 2 = 11: a window of 22 subwords moves on by 12
    fit(24, 9)
    for max_length, stride, bound in ((25, 11, 11), (24, 10, 10), (24, 20, 10)):
        with pytest.raises(ValueError) as error:
            fit(max_length, stride)
        assert str(error.value) == (
            f"stride={stride} must be below (max_length - 3) // 2 = {bound}: consecutive windows overlap "
            "by stride subwords, and each must move on by at least half of one.")
    with pytest.raises(ValueError, match="long_texts"):
        ElectraClassifier(long_texts="slide").fit(["a b"] * 4, [0, 1] * 2)
