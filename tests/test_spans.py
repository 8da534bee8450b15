"""Answer spans without a model: token spans of characters, the span loss, the best spans.

Against slow references (every start with every end) and hand-computed values, so that a
bound moved by one or a wrong softmax fails here in milliseconds, not in a QA fit.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_electra.spans import END, IGNORED, START, SpanLoss, _token_span, _window_candidates

# Character offsets of the context tokens "ab", "cd", "e" in "ab cd e".
OFFSETS = np.array([[0, 2], [3, 5], [6, 7]])


@pytest.mark.parametrize("start, end, tokens", [
    (0, 2, (0, 0)),  # exactly the first token
    (0, 5, (0, 1)),
    (1, 4, (0, 1)),  # parts of two tokens: both
    (3, 7, (1, 2)),
    (6, 7, (2, 2)),
    (2, 3, None),  # only the space between tokens
    (7, 9, None),  # past the end
])
def test_a_character_span_maps_to_the_tokens_covering_it(start, end, tokens):
    assert _token_span(OFFSETS, start, end) == tokens


def _reference_candidates(start, end, max_answer_length, k):
    spans = [(start[i] + end[j], i, j) for i in range(len(start)) for j in range(len(end))
             if 0 <= j - i < max_answer_length]
    return sorted(spans, reverse=True)[:k]


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 12), max_answer_length=st.integers(1, 15), k=st.integers(1, 20),
       seed=st.integers(0, 10_000))
def test_window_candidates_are_the_k_best_of_every_start_and_end_in_reach(n, max_answer_length, k, seed):
    rng = np.random.default_rng(seed)
    start, end = rng.normal(size=n), rng.normal(size=n)
    got = sorted(_window_candidates(start, end, max_answer_length, k), reverse=True)
    want = _reference_candidates(start, end, max_answer_length, k)
    assert [(i, j) for _, i, j in got] == [(i, j) for _, i, j in want]  # random scores: no ties
    assert [s for s, _, _ in got] == pytest.approx([s for s, _, _ in want])


def test_span_loss_is_the_mean_of_start_and_end_negative_log_likelihoods():
    # One row: [CLS], a question token (ignored), three context tokens; gold start on the
    # first context token, gold end on the second and on the third (two gold answers).
    labels = torch.tensor([[0, IGNORED, START, END, END]])
    logits = torch.tensor([[[0.5, 0.1], [9.0, 9.0], [2.0, -1.0], [0.0, 1.5], [1.0, 0.5]]])
    candidates = [0, 2, 3, 4]  # the question token takes no part in the softmax
    start = logits[0, candidates, 0]
    end = logits[0, candidates, 1]
    nll_start = torch.logsumexp(start, 0) - start[1]
    nll_end = torch.logsumexp(end, 0) - torch.logsumexp(end[2:], 0)  # both gold ends count
    expected = (nll_start + nll_end) / 2
    assert SpanLoss()(logits, labels).item() == pytest.approx(expected.item(), rel=1e-6)


def test_span_loss_weights_rows_and_no_answer_points_at_cls():
    labels = torch.tensor([[START | END, 0, 0], [0, START, END]])
    logits = torch.tensor([[[3.0, 3.0], [0.0, 0.0], [0.0, 0.0]],
                           [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]])
    per_row = SpanLoss()(logits[:1], labels[:1]).item(), SpanLoss()(logits[1:], labels[1:]).item()
    no_answer = math.log(math.exp(3) + 2) - 3  # [CLS] is the gold start and end
    assert per_row[0] == pytest.approx(no_answer, rel=1e-6)
    weighted = SpanLoss()(logits, labels, torch.tensor([3.0, 1.0])).item()
    assert weighted == pytest.approx((3 * per_row[0] + per_row[1]) / 4, rel=1e-6)
    assert SpanLoss()(logits.half(), labels).dtype == torch.float32  # computed in float32


class _Windows:
    """What _span_labels reads of an encoded QA set: question 0's context "ab cd e fg hi j"
    (six tokens) in two windows of four (tokens 0-3 and 2-5), question 1's in one window."""

    offsets = [np.array([[0, 2], [3, 5], [6, 7], [8, 10], [11, 13], [14, 15]]), OFFSETS[:2]]
    lengths = [8, 8, 6]  # [CLS] question [SEP] context... [SEP]
    context_begin = [3, 3, 3]
    token_start = [0, 2, 0]
    groups = [0, 0, 1]

    def window_size(self, row):
        return [4, 4, 2][row]

    def __len__(self):
        return 3


def test_span_labels_mark_the_answers_wholly_inside_each_window():
    from sklearn_electra.spans import _span_labels

    # tokens 0-1, 1-3 (starting where the first ends), 3-4 (ends past window 0), and the space
    answers = [[(0, 5), (3, 10), (8, 13), (2, 3)], []]
    labels, unmatched = _span_labels(_Windows(), answers)
    n = IGNORED
    assert [label.tolist() for label in labels] == [
        [0, n, n, START, START | END, 0, END, n],   # token 1 ends one answer and starts another
        [0, n, n, 0, START, END, 0, n],             # only the answer inside tokens 2-5
        [START | END, n, n, 0, 0, n],               # no answer: [CLS] is the start and the end
    ]
    assert unmatched == [(0, (2, 3))]


# ------------------------------------------------------------- the best spans of a question
def _two_windows(logits_by_row, token_starts=(0, 1)):
    """Question 0 of the context "ab cd ef gh" (four tokens) in two rows ``[CLS] q [SEP]``
    + three context tokens + ``[SEP]``, starting at ``token_starts``; ``logits_by_row``
    maps a row to ``{row position: (start logit, end logit)}``, every other logit -10."""
    from sklearn_electra.spans import ContextWindows

    rows = [np.arange(7, dtype=np.int32)] * 2
    windows = ContextWindows(rows, [np.zeros(7, dtype=np.int8)] * 2, None, [0, 0], [3, 3],
                             list(token_starts), [np.array([[0, 2], [3, 5], [6, 8], [9, 11]])])
    logits = []
    for row in (0, 1):
        row_logits = torch.full((7, 2), -10.0)
        for position, pair in logits_by_row[row].items():
            row_logits[position] = torch.tensor(pair)
        logits.append(row_logits)
    return windows, logits


def test_the_null_score_is_the_lowest_cls_start_plus_end_over_the_windows():
    from sklearn_electra.spans import best_spans

    # [CLS] scores 2 + (-1) in the first window and 0.5 + 3 in the second.
    windows, logits = _two_windows({0: {0: (2.0, -1.0)}, 1: {0: (0.5, 3.0)}})
    (_, null), = best_spans(windows, logits, max_answer_length=2, n_best=1)
    assert null == 1.0


def test_a_span_seen_by_two_windows_keeps_its_best_score():
    from sklearn_electra.spans import best_spans

    # "cd" (context token 1) is row position 4 of the first window and 3 of the second.
    windows, logits = _two_windows({0: {4: (3.0, 3.0)}, 1: {3: (1.0, 1.0)}})
    (spans, _), = best_spans(windows, logits, max_answer_length=1, n_best=1)
    assert spans == [(6.0, 3, 5)]


def test_spans_that_tie_rank_in_the_order_of_the_context():
    from sklearn_electra.spans import best_spans

    # The first row's best span ("gh", token 3) is found before the second row's ("cd",
    # token 1): the tie goes to the span that comes first in the context all the same.
    windows, logits = _two_windows({0: {5: (2.5, 2.5)}, 1: {4: (2.5, 2.5)}}, token_starts=(1, 0))
    (spans, _), = best_spans(windows, logits, max_answer_length=1, n_best=1)
    assert spans == [(5.0, 3, 5)]


# ----------------------------------------------------------------- encoding the contexts
@pytest.fixture(scope="module")
def tokenizer():
    from sklearn_electra import train_wordpiece

    return train_wordpiece(["who ran where when", "ann ran to the park today"] * 3, vocab_size=120)


def test_only_questions_longer_than_max_question_length_count_as_cut(tokenizer):
    from sklearn_electra.spans import encode_contexts
    from sklearn_electra.tokenization import Truncation

    n_question = len(tokenizer("who ran where when", add_special_tokens=False)["input_ids"])
    pairs = [("who ran where when", "ann ran"), ("who ran", "ann ran")]
    _, cut, _ = encode_contexts(tokenizer, pairs, 32, 4, n_question)
    assert cut == Truncation(0, 2, 0)  # a question of exactly max_question_length tokens is whole
    _, cut, _ = encode_contexts(tokenizer, pairs, 32, 4, n_question - 1)
    assert cut == Truncation(1, 2, n_question)


def test_labelled_windows_keep_the_map_back_to_the_context(tokenizer):
    from sklearn_electra.spans import encode_contexts

    pairs = [("who ran", "ann ran to the park today " * 3), ("where", "the park")]
    plain, _, _ = encode_contexts(tokenizer, pairs, 16, 2, 4)
    labelled, _, _ = encode_contexts(tokenizer, pairs, 16, 2, 4, answers=[[(0, 3)], []])
    assert len(set(plain.groups.tolist())) == 2 and len(plain) > 2  # the first question has windows
    np.testing.assert_array_equal(labelled.groups, plain.groups)
    np.testing.assert_array_equal(labelled.context_begin, plain.context_begin)
    np.testing.assert_array_equal(labelled.token_start, plain.token_start)
    assert len(labelled.offsets) == 2
    for got, want in zip(labelled.offsets, plain.offsets):
        np.testing.assert_array_equal(got, want)
    assert labelled.labels[0][labelled.context_begin[0]] == START | END  # the answer "ann"
