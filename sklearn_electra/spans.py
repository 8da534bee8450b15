"""Extractive question answering's data side: windows over contexts, span labels, span search.

A question and its context become one or more rows ``[CLS] question [SEP]
window-of-context [SEP]``: the context's tokens are cut into windows of what fits
beside the question, consecutive windows overlapping by ``doc_stride`` tokens
(the ``tokenizers`` library's overflow layout, as Hugging Face's ``run_qa.py``
makes them with ``truncation="only_second"``). Every context token keeps its
character offsets into the original context, so an answer found in any window
maps back to the exact characters it came from.

Training labels mark, per row, where the gold answers lying wholly inside the
window start (bit 1) and end (bit 2); a window without one marks ``[CLS]`` as
"no answer here". :class:`SpanLoss` maximizes the probability of *some* gold
start and *some* gold end (several gold answers: their total probability).
"""

from __future__ import annotations

import numpy as np
import torch

from .data import EncodedDataset
from .targets import weighted_mean
from .tokenization import _CHUNK, Truncation, _plain_backend
from .windows import window_starts

__all__ = ["ContextWindows", "encode_contexts", "SpanLoss", "best_spans"]

START, END = 1, 2  # label bits
IGNORED = -100  # question tokens, [SEP]s and padding: never an answer boundary


class ContextWindows(EncodedDataset):
    """Rows of ``[CLS] question [SEP] window [SEP]`` and the map back to the context.

    Attributes
    ----------
    groups : ndarray of int64
        The question of each row (a question's rows are contiguous, in order).
    context_begin : ndarray of int64
        Row position of the window's first context token (``len(question) + 2``).
    token_start : ndarray of int64
        Index, among its context's tokens, of the window's first token.
    offsets : list of ndarray of shape (n_tokens, 2)
        Per question: each context token's ``[start, end)`` characters.
    """

    def __init__(self, input_ids, token_type_ids, labels, groups, context_begin, token_start,
                 offsets):
        super().__init__(input_ids, token_type_ids, labels, groups)
        self.context_begin = np.asarray(context_begin, dtype=np.int64)
        self.token_start = np.asarray(token_start, dtype=np.int64)
        self.offsets = offsets

    def window_size(self, row):
        """Context tokens in row ``row``."""
        return int(self.lengths[row] - self.context_begin[row] - 1)


def _encoded_questions(backend, inputs):
    """Yield ``(question_ids, context_ids, context_offsets)``, chunk by chunk."""
    for begin in range(0, len(inputs), _CHUNK):
        chunk = inputs[begin:begin + _CHUNK]
        questions = backend.encode_batch([q for q, _ in chunk], add_special_tokens=False)
        contexts = backend.encode_batch([c for _, c in chunk], add_special_tokens=False)
        for q, c in zip(questions, contexts):
            yield q.ids, c.ids, np.asarray(c.offsets, dtype=np.int64).reshape(-1, 2)


def encode_contexts(tokenizer, inputs, max_length, doc_stride, max_question_length, answers=None):
    """Rows of every ``(question, context)`` pair, questions cut to ``max_question_length``.

    Parameters
    ----------
    answers : list of lists of (start, end), optional
        Gold character spans per question: the rows are labelled with them.

    Returns
    -------
    dataset : ContextWindows
    cut : Truncation
        Questions longer than ``max_question_length`` tokens (cut), and the longest's length.
    unmatched : list of (question, (start, end))
        Gold answers that cover no token (only whitespace, say): nothing can
        point at them.
    """
    backend = _plain_backend(tokenizer)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    ids, types, groups, begins, token_starts, offsets, n_cut, longest = [], [], [], [], [], [], 0, 0
    for index, (question, context, char_offsets) in enumerate(_encoded_questions(backend, inputs)):
        if len(question) > max_question_length:
            n_cut, longest = n_cut + 1, max(longest, len(question))
        head = [cls, *question[:max_question_length], sep]
        room = max_length - len(head) - 1
        for start in window_starts(len(context), room, doc_stride):
            row = head + list(context[start:start + room]) + [sep]
            row_types = np.ones(len(row), dtype=np.int8)
            row_types[:len(head)] = 0
            ids.append(np.asarray(row, dtype=np.int32))
            types.append(row_types)
            groups.append(index)
            begins.append(len(head))
            token_starts.append(start)
        offsets.append(char_offsets)
    dataset = ContextWindows(ids, types, None, groups, begins, token_starts, offsets)
    cut = Truncation(n_cut, len(inputs), longest)
    if answers is None:
        return dataset, cut, []
    labels, unmatched = _span_labels(dataset, answers)
    return ContextWindows(ids, types, labels, groups, begins, token_starts, offsets), cut, unmatched


def _token_span(offsets, start, end):
    """The first and last context token covering characters ``[start, end)``, or None."""
    first = int(np.searchsorted(offsets[:, 1], start, side="right"))
    last = int(np.searchsorted(offsets[:, 0], end, side="left")) - 1
    return (first, last) if first <= last else None


def _span_labels(dataset, answers):
    """Per row: ``START``/``END`` bits on the boundaries of the gold answers wholly inside
    its window (on ``[CLS]`` where there is none), 0 on the other candidates, ``IGNORED``
    on question tokens and separators. Also the answers that cover no token."""
    token_spans, unmatched = [], []
    for q, spans in enumerate(answers):
        found = []
        for span in spans:
            tokens = _token_span(dataset.offsets[q], *span)
            if tokens is None:
                unmatched.append((q, span))
            else:
                found.append(tokens)
        token_spans.append(found)
    labels = []
    for row in range(len(dataset)):
        label = np.full(dataset.lengths[row], IGNORED, dtype=np.int64)
        begin, first, size = dataset.context_begin[row], dataset.token_start[row], dataset.window_size(row)
        label[0] = 0
        label[begin:begin + size] = 0
        for start, end in token_spans[dataset.groups[row]]:
            if first <= start and end < first + size:
                label[begin + start - first] |= START
                label[begin + end - first] |= END
        if not label[begin:begin + size].any():
            label[0] = START | END
        labels.append(label)
    return labels, unmatched


class SpanLoss(torch.nn.Module):
    """Negative log-likelihood of the gold starts and ends (each summed over the gold
    positions, softmax over a row's candidates: ``[CLS]`` and the context), averaged
    over start and end as in ``ElectraForQuestionAnswering``.

    Called with ``(logits, labels, weight=None)``: ``logits`` of shape ``(batch,
    length, 2)`` (start, end), ``labels`` as :func:`encode_contexts` makes them,
    padded with ``IGNORED``; ``weight`` one sample weight per row (the weighted mean
    over rows).
    """

    def forward(self, logits, labels, weight=None):
        candidate = (labels != IGNORED)[..., None]
        gold = torch.stack([(labels & START) != 0, (labels & END) != 0], dim=-1) & candidate
        logits = logits.float()
        total = logits.masked_fill(~candidate, -torch.inf).logsumexp(dim=1)  # (batch, 2)
        hit = logits.masked_fill(~gold, -torch.inf).logsumexp(dim=1)
        losses = (total - hit).mean(dim=1)  # (batch,): start and end, averaged
        return weighted_mean(losses, weight)


def _window_candidates(start_logits, end_logits, max_answer_length, k):
    """The ``k`` best ``(score, first, last)`` token spans of one window (last - first <
    ``max_answer_length``), exactly: every start against every end in reach."""
    n = len(start_logits)
    reach = min(max_answer_length, n)
    scores = np.full((reach, n), -np.inf, dtype=np.float64)
    for d in range(reach):  # d = last - first
        scores[d, : n - d] = start_logits[: n - d] + end_logits[d:]
    flat = scores.ravel()
    k = min(k, int(np.isfinite(flat).sum()))
    if k == 0:
        return []
    top = np.argpartition(-flat, k - 1)[:k]
    d, first = np.divmod(top, n)
    return [(float(flat[t]), int(f), int(f + dd)) for t, f, dd in zip(top, first, d)]


def best_spans(dataset, row_logits, max_answer_length, n_best):
    """The ``n_best`` highest-scoring answer spans of every question, and its null score.

    A span's score is its start logit plus its end logit in the window where it
    scores highest; the null score ("no answer") is the lowest ``[CLS]`` start +
    end score over the question's windows (the window that sees the answer best
    decides), as in ``run_qa.py``'s post-processing.

    Parameters
    ----------
    dataset : ContextWindows
    row_logits : list of tensors of shape (row_length, 2), one per row
    max_answer_length : int
        Longest answer, in tokens.
    n_best : int

    Returns
    -------
    list of ``(spans, null_score)`` per question
        ``spans``: up to ``n_best`` ``(score, char_start, char_end)``, best first,
        each character span once.
    """
    out = []
    bounds = np.searchsorted(dataset.groups, np.arange(len(dataset.offsets) + 1))
    for q, offsets in enumerate(dataset.offsets):
        best, null = {}, np.inf
        for row in range(bounds[q], bounds[q + 1]):
            logits = row_logits[row].double().numpy()
            null = min(null, logits[0, 0] + logits[0, 1])
            begin, size = dataset.context_begin[row], dataset.window_size(row)
            window = logits[begin:begin + size]
            first = dataset.token_start[row]
            for score, i, j in _window_candidates(window[:, 0], window[:, 1], max_answer_length,
                                                  n_best):
                span = (int(offsets[first + i, 0]), int(offsets[first + j, 1]))
                if score > best.get(span, -np.inf):
                    best[span] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:n_best]
        out.append(([(score, s, e) for (s, e), score in ranked], float(null)))
    return out
