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
