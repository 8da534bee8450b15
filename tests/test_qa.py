"""ElectraQuestionAnswerer: tiny models trained for real on a learnable reading task."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer

from sklearn_electra import ElectraQuestionAnswerer, TextTruncationWarning, train_wordpiece
from sklearn_electra.recipe import QA_EPOCHS
from sklearn_electra.spans import END, IGNORED, START, best_spans, encode_contexts
from sklearn_electra.squad import squad_scores

NAMES = ["Ann", "Bob", "Cid", "Dan", "Eve", "Fay", "Gus", "Hal"]
VERBS = ["ran", "sang", "ate", "slept"]
FILLER = ["the", "a", "big", "red", "dog", "cat", "park", "house", "near", "old"]
PARAMS = dict(max_length=48, doc_stride=8, max_question_length=8, batch_size=16, lr=1e-3,
              vocab_size=500, random_state=0)


def reading_task(n, seed, far=60):
    """"Who <verb>?" about a context with one "<name> <verb> today." sentence somewhere in up
    to 2 * ``far`` filler words (often past max_length); a quarter ask "Who swam?": no answer."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for i in range(n):
        name, verb = str(rng.choice(NAMES)), str(rng.choice(VERBS))
        before = " ".join(rng.choice(FILLER, rng.integers(0, far)))
        after = " ".join(rng.choice(FILLER, rng.integers(0, far)))
        context = f"{before}. {name} {verb} today. {after}"
        if i % 4 == 3:
            X.append(("Who swam?", context))
            y.append({"text": [], "answer_start": []})
        else:
            X.append((f"Who {verb}?", context))
            y.append({"text": [name], "answer_start": [context.index(f"{name} {verb} today")]})
    return X, y


@pytest.fixture(scope="module")
def task():
    # Test contexts run longer than any seen in training: up to 300 filler words.
    return reading_task(400, 0), reading_task(100, 1, far=150)


@pytest.fixture(scope="module")
def qa(task):
    (X, y), _ = task
    return ElectraQuestionAnswerer(**PARAMS, max_epochs=20).fit(X, y)


def test_finds_answers_far_beyond_max_length_and_says_when_there_is_none(qa, task):
    _, (X, y) = task
    pred = qa.predict(X)
    tok = qa.tokenizer_
    far = [i for i, answer in enumerate(y) if answer["text"] and
           len(tok(X[i][1][:answer["answer_start"][0]], add_special_tokens=False)["input_ids"])
           > 2 * qa.max_length]
    assert len(far) >= 15
    assert np.mean([pred[i] == y[i]["text"][0] for i in far]) > 0.9
    unanswerable = [i for i, answer in enumerate(y) if not answer["text"]]
    assert np.mean([pred[i] == "" for i in unanswerable]) > 0.8
    scores = squad_scores(y, pred)
    assert scores["exact_match"] > 0.9 and scores["f1"] >= scores["exact_match"]
    assert qa.score(X, y) == pytest.approx(scores["f1"])


def test_null_threshold_decides_no_answer(qa, task):
    _, (X, _) = task
    always = pickle.loads(pickle.dumps(qa)).set_params(null_threshold=float("inf"))
    never = pickle.loads(pickle.dumps(qa)).set_params(null_threshold=float("-inf"))
    assert all(always.predict(X[:20]) != "")
    assert all(never.predict(X[:20]) == "")


def test_outputs_keep_input_order_and_accept_dataframes(qa, task):
    _, (X, _) = task
    X = X[:30]
    pred = qa.predict(X)
    np.testing.assert_array_equal(qa.predict(X[::-1]), pred[::-1])
    frame = pd.DataFrame({"id": range(30), "context": [c for _, c in X], "question": [q for q, _ in X]})
    np.testing.assert_array_equal(qa.predict(frame), pred)


def test_predict_spans_slices_the_context(qa, task):
    _, (X, _) = task
    spans = qa.predict_spans(X[:12], n_best=3)
    assert spans.columns.tolist() == ["question", "rank", "start", "end", "text", "score", "null_score"]
    assert (spans.groupby("question")["rank"].apply(list) == pd.Series([[0, 1, 2]] * 12)).all()
    for row in spans.itertuples():
        assert X[row.question][1][row.start:row.end] == row.text
        assert (row.start == -1) == (row.text == "") == (row.score == row.null_score)
    np.testing.assert_array_equal(spans[spans["rank"] == 0]["text"].to_numpy(), qa.predict(X[:12]))
    alternatives = spans[spans["rank"] > 0]
    assert (alternatives.groupby("question")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    with pytest.raises(ValueError, match="n_best must be a positive integer"):
        qa.predict_spans(X[:1], n_best=0)


_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=40, deadline=None)
@given(question=st.text(max_size=40), context=_TEXT)
def test_spans_of_any_unicode_context_slice_it(qa, question, context):
    n_question = len(qa.tokenizer_(question, add_special_tokens=False)["input_ids"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spans = qa.predict_spans([(question, context)], n_best=5)
    cut = [str(w.message) for w in caught if issubclass(w.category, TextTruncationWarning)]
    # The question alone can be cut (a context never is): said once, with its length.
    assert cut == ([f"1 of 1 questions are longer than max_question_length={qa.max_question_length}"
                    f" tokens (the longest has {n_question}) and were truncated. Raise "
                    "max_question_length to keep them whole (each window then holds less "
                    "context)."] if n_question > qa.max_question_length else [])
    for row in spans.itertuples():
        assert -1 <= row.start <= row.end <= len(context)
        assert context[max(row.start, 0):max(row.end, 0)] == row.text
        if row.start >= 0:
            assert row.text.strip() and row.end > row.start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TextTruncationWarning)  # said above
        assert spans["text"].iloc[0] == qa.predict([(question, context)])[0]


@pytest.fixture(scope="module")
def plain_tokenizer():
    corpus = ["the quick brown fox jumps over the lazy dog", "北京是中国的首都", "naïve café Ünïcode"]
    return train_wordpiece(corpus * 3, vocab_size=200)


@settings(max_examples=60, deadline=None)
@given(context=_TEXT, data=st.data(), max_length=st.integers(16, 40), stride=st.integers(0, 6))
def test_gold_answers_label_the_windows_that_hold_them(plain_tokenizer, context, data, max_length,
                                                       stride):
    offsets = np.asarray(plain_tokenizer.backend_tokenizer.encode(context, add_special_tokens=False)
                         .offsets).reshape(-1, 2)
    question = "where is it?"
    answers = []
    if len(offsets):
        first = data.draw(st.integers(0, len(offsets) - 1))
        last = data.draw(st.integers(first, min(len(offsets) - 1, first + stride)))
        answers = [(int(offsets[first, 0]), int(offsets[last, 1]))]
    dataset, _, unmatched = encode_contexts(plain_tokenizer, [(question, context)], max_length, stride,
                                            8, answers=[answers])
    assert not unmatched
    # Windows cover every context token, in order, overlapping by at least stride.
    seen = set()
    for row in range(len(dataset)):
        seen |= set(range(dataset.token_start[row], dataset.token_start[row] + dataset.window_size(row)))
    assert seen == set(range(len(offsets)))
    found = set()
    for row, labels in enumerate(dataset.labels):
        begin, first = dataset.context_begin[row], dataset.token_start[row]
        assert (labels[1:begin] == IGNORED).all() and labels[-1] == IGNORED
        starts = np.flatnonzero(labels[begin:-1] & START) + first
        ends = np.flatnonzero(labels[begin:-1] & END) + first
        if len(starts):
            found.add((int(offsets[starts[0], 0]), int(offsets[ends[0], 1])))
        else:
            assert labels[0] == START | END
    # An answer of at most stride + 1 tokens lies whole in some window.
    assert found == set(answers)


@settings(max_examples=30, deadline=None)
@given(n_tokens=st.integers(0, 120), max_length=st.integers(16, 40), stride=st.integers(0, 6))
def test_windows_are_the_tokenizers_overflowing_encodings(plain_tokenizer, n_tokens, max_length, stride):
    # What a served model's tokenizer.json (truncation only_second, stride) gives for a pair.
    question, context = "the fox?", " ".join(["quick brown dog"] * n_tokens)[: n_tokens * 4]
    dataset, _, _ = encode_contexts(plain_tokenizer, [(question, context)], max_length, stride, 8)
    backend = Tokenizer.from_str(plain_tokenizer.backend_tokenizer.to_str())
    backend.enable_truncation(max_length=max_length, strategy="only_second", stride=stride)
    encoding = backend.encode(question, context)
    windows = [encoding, *encoding.overflowing] if context else [encoding]
    assert [w.ids for w in windows] == [row.tolist() for row in dataset.input_ids]
    assert [w.type_ids for w in windows] == [row.tolist() for row in dataset.token_type_ids]


def test_best_spans_search_every_span_within_max_answer_length(plain_tokenizer):
    dataset, _, _ = encode_contexts(plain_tokenizer, [("q", "the quick brown fox jumps")], 32, 4, 8)
    n = dataset.window_size(0)
    begin = dataset.context_begin[0]
    logits = torch.full((dataset.lengths[0], 2), -5.0)
    logits[begin + 1, 0], logits[begin + 3, 1] = 4.0, 3.0  # "quick brown fox"
    logits[begin + 4, 1] = 10.0  # "jumps" as an end: too far for max_answer_length=3
    logits[0] = torch.tensor([1.0, 1.0])
    (spans, null), = best_spans(dataset, [logits], max_answer_length=3, n_best=2)
    assert n == 5 and null == 2.0
    assert spans[0] == (7.0, 4, 19) and spans[1][0] < 7.0


def test_questions_are_cut_with_a_warning_that_counts_them(qa):
    long_question = " ".join(["who"] * 30) + "?"
    with pytest.warns(TextTruncationWarning, match=r"1 of 2 questions are longer than "
                                                   r"max_question_length=8"):
        qa.predict([(long_question, "Ann ran today."), ("Who ran?", "Ann ran today.")])


def test_pickle_and_checkpoint_round_trips(qa, task, tmp_path):
    _, (X, _) = task
    spans = qa.predict_spans(X[:20])
    again = pickle.loads(pickle.dumps(qa)).predict_spans(X[:20])
    pd.testing.assert_frame_equal(again, spans)
    qa.save_pretrained(tmp_path / "qa")
    loaded = ElectraQuestionAnswerer.from_pretrained(tmp_path / "qa")
    assert loaded.doc_stride == qa.doc_stride and loaded.max_answer_length == qa.max_answer_length
    pd.testing.assert_frame_equal(loaded.predict_spans(X[:20]), spans, atol=1e-4)


def test_export_gives_hugging_face_the_same_logits(qa, task, tmp_path):
    # run_qa.py's prepare_validation_features: the tokenizer's own overflowing windows.
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    _, (X, _) = task
    X = X[:8]
    qa.save_pretrained(tmp_path / "qa")
    model = AutoModelForQuestionAnswering.from_pretrained(tmp_path / "qa").eval()
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "qa")
    features = tokenizer([q for q, _ in X], [c for _, c in X], truncation="only_second",
                         max_length=qa.max_length, stride=qa.doc_stride,
                         return_overflowing_tokens=True, padding=True, return_tensors="pt")
    mapping = features.pop("overflow_to_sample_mapping")
    with torch.no_grad():
        out = model(**features)
    ours = qa.forward(qa.get_dataset(X))
    assert len(ours) == len(mapping)
    for row, logits in enumerate(ours):
        n = len(logits)
        assert features["input_ids"][row, :n].tolist() == qa.get_dataset(X).input_ids[row].tolist()
        np.testing.assert_allclose(out.start_logits[row, :n], logits[:, 0], atol=1e-4)
        np.testing.assert_allclose(out.end_logits[row, :n], logits[:, 1], atol=1e-4)


def test_onnx_export_matches_within_1e_4(qa, task, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    _, (X, _) = task
    question, context = X[0]
    qa.to_onnx(tmp_path / "onnx")
    encoding = Tokenizer.from_file(str(tmp_path / "onnx" / "tokenizer.json")).encode(question, context)
    windows = [encoding, *encoding.overflowing]
    session = ort.InferenceSession(str(tmp_path / "onnx" / "model.onnx"))
    ours = qa.forward(qa.get_dataset([(question, context)]))
    assert len(windows) == len(ours) > 1
    for window, logits in zip(windows, ours):
        feeds = {"input_ids": np.array([window.ids]), "attention_mask": np.array([window.attention_mask]),
                 "token_type_ids": np.array([window.type_ids])}
        (span_logits,) = session.run(None, feeds)
        np.testing.assert_allclose(span_logits[0, :len(logits)], logits.numpy(), atol=1e-4)


def test_int8_inference(qa, task):
    _, (X, y) = task
    int8 = pickle.loads(pickle.dumps(qa)).set_params(quantize="int8")
    assert int8.score(X, y) > 0.8


def test_recipe_from_a_checkpoint_is_the_references(qa, task, tmp_path, monkeypatch):
    from sklearn_electra import recipe

    monkeypatch.setattr(recipe, "CHECKPOINT_MIN_STEPS", 1)  # the task's epochs, not the floor's
    defaults = ElectraQuestionAnswerer().get_params()
    assert (defaults["max_length"], defaults["doc_stride"], defaults["max_question_length"],
            defaults["max_answer_length"]) == (512, 128, 64, 30)  # configure_finetuning.py L80-83, L139
    (X, y), _ = task
    qa.save_pretrained(tmp_path / "qa")
    tuned = ElectraQuestionAnswerer(model=tmp_path / "qa", **{**PARAMS, "lr": None},
                                    early_stopping=False).fit(X[:64], y[:64])
    assert tuned.recipe_.min_epochs == QA_EPOCHS == 2 and len(tuned.history_) == 2
    assert tuned.recipe_.lr == 3e-4 and tuned.recipe_.layerwise_lr_decay == 0.8  # size "small"


@pytest.mark.parametrize("X, y, error, match", [
    ([("Who?", "Ann ran.")], [{"text": ["Bob"], "answer_start": [0]}], ValueError,
     r"y\[0\]: the answer 'Bob' is not at answer_start=0 of its context \(the context has 'Ann' there\)"),
    ([("Who?", "Ann ran.")], [{"text": ["Ann"], "answer_start": [40]}], ValueError,
     r"cannot start at answer_start=40: its context has 8 characters"),
    ([("Who?", "Ann ran.")], [{"text": ["Ann"], "answer_start": [0.0]}], TypeError,
     r"answer_start 0.0 is a float, not an integer"),
    ([("Who?", "Ann ran.")], ["Ann"], ValueError, r"without answer_start"),
    ([("Who?", "Ann ran.")], [{"text": ["Ann", "ran"], "answer_start": [0]}], ValueError,
     r"2 answer texts but 1 answer_start"),
    ([("Who?", "Ann  ran.")], [{"text": [" "], "answer_start": [3]}], ValueError,
     r"y\[0\]: the answer ' ' \(characters 3-4\) covers no token"),
    (pd.DataFrame({"question": ["Who?"], "text": ["Ann ran."]}), [{"text": [], "answer_start": []}],
     ValueError, r"X has no 'context' column"),
    ([("Who?", None)], [{"text": [], "answer_start": []}], TypeError,
     r"The context of X\[0\] is None, not a string"),
    ([(1, "Ann ran.")], [{"text": [], "answer_start": []}], TypeError,
     r"The question of X\[0\] is an int, not a string"),
    ([("Who?", "Ann ran.")], [], ValueError, r"X has 1 questions but y has 0 answers"),
])
def test_bad_input_gets_a_clear_error(X, y, error, match):
    with pytest.raises(error, match=match):
        ElectraQuestionAnswerer(**PARAMS, max_epochs=1).fit(X, y)


def test_doc_stride_must_leave_room_for_the_window():
    with pytest.raises(ValueError, match=r"doc_stride=40 must be below max_length - "
                                         r"max_question_length - 3 = 37"):
        ElectraQuestionAnswerer(max_length=48, max_question_length=8, doc_stride=40).fit(
            [("Who?", "Ann ran.")], [{"text": ["Ann"], "answer_start": [0]}])


def test_an_error_leaves_a_fitted_model_as_it_was(qa, task):
    _, (X, _) = task
    before = qa.predict(X[:5])
    with pytest.raises(ValueError, match=r"the answer 'Bob' is not at answer_start=0"):
        qa.partial_fit([("Who?", "Ann ran.")], [{"text": ["Bob"], "answer_start": [0]}])
    np.testing.assert_array_equal(qa.predict(X[:5]), before)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        qa.predict(X[:2])
