"""``ElectraQuestionAnswerer``: extractive question answering (SQuAD 1.1 and 2.0), nothing cut off."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval
from transformers import ElectraForQuestionAnswering

from ._base import ElectraNetBase
from ._docs import document_parameters
from ._weights import SampleWeightMixin
from ._inference import TextTruncationWarning
from ._warnings import warn_caller
from .recipe import (QA_DOC_STRIDE, QA_EPOCHS, QA_MAX_ANSWER_LENGTH, QA_MAX_LENGTH,
                     QA_MAX_QUESTION_LENGTH)
from .spans import SpanLoss, best_spans, encode_contexts
from .squad import squad_f1_score
from .answers import check_answers, check_questions

__all__ = ["ElectraQuestionAnswerer"]

_SPAN_COLUMNS = ["question", "rank", "start", "end", "text", "score", "null_score"]


@document_parameters(notes={
    "max_length": """
        Longest row in tokens: ``[CLS] question [SEP] window [SEP]``. Longer
        contexts are read as several overlapping windows, never cut. Default:
        the ELECTRA reference's ``max_seq_length`` for SQuAD.""",
    "max_epochs": """
        Epochs per ``fit``. ``None``: the reference's 2 for SQuAD from a pretrained
        checkpoint; for a preset, enough epochs for 1,500 optimizer steps (at
        least 3, at most 50), early stopping ending it sooner.""",
    "batch_size": """
        Rows (windows) per training batch.""",
})
class ElectraQuestionAnswerer(SampleWeightMixin, ElectraNetBase):
    """Extractive question answering fine-tuning an ELECTRA discriminator.

    Wraps :class:`transformers.ElectraForQuestionAnswering`: for each question
    the answer is a span of its context, or nothing (SQuAD 2.0). ``X`` is a
    DataFrame with ``question`` and ``context`` columns (other columns are
    ignored) or a list of ``(question, context)`` pairs; ``y`` holds one answer
    per question in SQuAD's form ``{"text": [...], "answer_start": [...]}``
    (several gold answers allowed, empty lists for "no answer") or a DataFrame
    with ``text`` and ``answer_start`` columns.

    A context longer than a row is read as overlapping windows (``doc_stride``
    tokens of overlap). Training labels each window with the gold answers it
    holds whole, and a window without one as "no answer here" (``[CLS]``);
    with several gold answers the loss is that of their total probability.
    Prediction scores every span of at most ``max_answer_length`` tokens in
    every window, so an answer anywhere in a long context can be found.

    Parameters
    ----------
    doc_stride : int, default=128
        Overlap, in tokens, of consecutive windows of a long context (the
        reference's ``doc_stride``).
    max_question_length : int, default=64
        Questions longer than this many tokens are cut to it, with a
        :class:`TextTruncationWarning` that counts them (the reference's
        ``max_query_length``).
    max_answer_length : int, default=30
        Longest answer considered, in tokens (the reference's value).
    null_threshold : float, default=0.0
        Answer "no answer" (``""``) when the null score (``[CLS]``'s start + end
        logit) exceeds the best span's score by more than this, as SQuAD 2.0's
        ``null_score_diff_threshold``. Raise it to answer more often;
        ``float("inf")`` always answers (SQuAD 1.1).{parameters}

    Attributes
    ----------
    tokenizer_, module_, history_, recipe_, lr_schedule_
        As for :class:`ElectraClassifier`; ``module_`` is an
        :class:`~transformers.ElectraForQuestionAnswering`.

    See Also
    --------
    sklearn_electra.squad.squad_scores : exact match and F1 of predicted answers.

    Examples
    --------
    >>> from sklearn_electra import ElectraQuestionAnswerer
    >>> X = [("Who ran?", "Ann ran home."), ("Who sang?", "Bob sang loudly.")] * 8
    >>> y = [{"text": ["Ann"], "answer_start": [0]}, {"text": ["Bob"], "answer_start": [0]}] * 8
    >>> qa = ElectraQuestionAnswerer(max_length=32, doc_stride=4, max_question_length=8,
    ...                              max_epochs=2, random_state=0).fit(X, y)
    >>> qa.predict([("Who ran?", "Ann ran home.")]).shape
    (1,)
    >>> qa.predict_spans([("Who ran?", "Ann ran home.")]).columns.tolist()
    ['question', 'rank', 'start', 'end', 'text', 'score', 'null_score']
    """

    _hf_model_class = ElectraForQuestionAnswering
    _onnx_output = "span_logits"
    _task_epochs = QA_EPOCHS
    _parameter_constraints = {
        **ElectraNetBase._parameter_constraints,
        "doc_stride": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_question_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_answer_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "null_threshold": [Interval(numbers.Real, None, None, closed="neither")],
    }

    def __init__(self, model="tiny", *, max_length=QA_MAX_LENGTH, doc_stride=QA_DOC_STRIDE,
                 max_question_length=QA_MAX_QUESTION_LENGTH,
                 max_answer_length=QA_MAX_ANSWER_LENGTH, null_threshold=0.0, **kwargs):
        super().__init__(model, max_length=max_length, **kwargs)
        self.doc_stride = doc_stride
        self.max_question_length = max_question_length
        self.max_answer_length = max_answer_length
        self.null_threshold = null_threshold

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _check_params(self):
        source = super()._check_params()
        room = self.max_length - self.max_question_length - 3
        if self.doc_stride >= room:
            raise ValueError(
                f"doc_stride={self.doc_stride} must be below max_length - max_question_length - 3 "
                f"= {room}: the context tokens a window holds beside the longest question (and "
                "[CLS], [SEP], [SEP]). Lower doc_stride or max_question_length, or raise max_length."
            )
        return source

    # ------------------------------------------------------------ inputs
    def _check_inputs(self, X, *, fitting):
        return check_questions(X)

    def _validate_targets(self, y, inputs, reset, classes=None, sample_weight=None,
                          incremental=False):
        """Gold answers as character spans of each context."""
        return check_answers(y, [context for _, context in inputs])

    def _make_dataset(self, inputs, targets=None, fitting=False):
        dataset, cut, unmatched = encode_contexts(
            self.tokenizer_, inputs, self.max_length, self.doc_stride, self.max_question_length,
            answers=targets)
        if unmatched:
            q, (start, end) = unmatched[0]
            raise ValueError(
                f"y[{q}]: the answer {inputs[q][1][start:end]!r} (characters {start}-{end}) covers "
                f"no token of its context ({len(unmatched)} such answers): the tokenizer drops it "
                "(whitespace, control characters). Fix or drop these answers."
            )
        if cut:
            warn_caller(cut.message(self.max_question_length, "questions",
                                    "Raise max_question_length to keep them whole (each window "
                                    "then holds less context).", limit="max_question_length"),
                        TextTruncationWarning)
        return dataset

    # ------------------------------------------------------------ model
    def _head(self, output, attention_mask):
        """Start and end logits, stacked: ``(batch, length, 2)``."""
        return torch.stack([output.start_logits, output.end_logits], dim=-1)

    _criterion_note = ("span loss has no parameters. Use fit(..., sample_weight=) to weigh "
                       "questions.")

    def initialize_criterion(self):
        """The span loss (see :class:`~sklearn_electra.spans.SpanLoss`), which has no
        parameters: ``criterion__*`` is refused, as by every estimator."""
        super().initialize_criterion()
        self.criterion_ = SpanLoss()
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The span loss, each window weighted by its question's ``sample_weight``."""
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        return self.criterion_(y_pred, y_true.to(y_pred.device), weight)

    def _serving_truncation(self):
        """Overflowing windows of the context, ``doc_stride`` apart: encoding a pair
        ``(question, context)`` gives ``[encoding, *encoding.overflowing]``, the rows
        ``predict`` scores (for questions of at most ``max_question_length`` tokens)."""
        return {"strategy": "only_second", "stride": self.doc_stride}

    # ------------------------------------------------------------ outputs
    def _ranked_answers(self, X, n_best):
        """Per question: the answer (``(score, start, end)``; ``start = end = -1`` for no
        answer), then the next-best spans, up to ``n_best`` in all; and the null score."""
        self.check_is_fitted()
        inputs = self._check_inputs(X, fitting=False)
        dataset = self._make_dataset(inputs)
        rows = self.forward(dataset)
        out = []
        for spans, null in best_spans(dataset, rows, self.max_answer_length, n_best):
            if not spans or null - spans[0][0] > self.null_threshold:
                spans = [(null, -1, -1)] + spans[: n_best - 1]
            out.append((spans, null))
        return inputs, out

    def predict(self, X):
        """The answer to each question: a span of its context, or ``""`` for no answer.

        Parameters
        ----------
        X : DataFrame with ``question`` and ``context`` columns, or (question, context) pairs

        Returns
        -------
        ndarray of str, shape (n_questions,)
        """
        inputs, answers = self._ranked_answers(X, 1)
        texts = []
        for (_, context), (spans, _) in zip(inputs, answers):
            _, start, end = spans[0]
            texts.append(context[start:end] if start >= 0 else "")
        return np.asarray(texts, dtype=object)

    def predict_spans(self, X, n_best=1):
        """The answers with their place in the context and their scores.

        Parameters
        ----------
        X : DataFrame with ``question`` and ``context`` columns, or (question, context) pairs
        n_best : int, default=1
            Rows per question: the answer (rank 0, as :meth:`predict` gives it),
            then the next-best spans.

        Returns
        -------
        pandas.DataFrame
            Columns ``question`` (the row of ``X``), ``rank``, ``start`` and
            ``end`` (character offsets into the context: ``context[start:end]``
            is the answer; ``-1`` for no answer), ``text``, ``score`` (start +
            end logit; for no answer the null score) and ``null_score``.
        """
        if isinstance(n_best, bool) or not isinstance(n_best, numbers.Integral) or n_best < 1:
            raise ValueError(f"n_best must be a positive integer; got {n_best!r}.")
        inputs, answers = self._ranked_answers(X, int(n_best))
        records = [
            (q, rank, s, e, context[s:e] if s >= 0 else "", score, null)
            for q, ((_, context), (spans, null)) in enumerate(zip(inputs, answers))
            for rank, (score, s, e) in enumerate(spans)
        ]
        frame = pd.DataFrame.from_records(records, columns=_SPAN_COLUMNS)
        return frame.astype({"question": np.int64, "rank": np.int64, "start": np.int64,
                             "end": np.int64, "score": np.float64, "null_score": np.float64})

    def score(self, X, y):
        """SQuAD's token F1 of the predicted answers (the best over each question's gold answers).

        For exact match too, use :func:`sklearn_electra.squad.squad_scores`
        on :meth:`predict`'s answers.

        Parameters
        ----------
        X : questions and contexts, as for :meth:`predict`
        y : gold answers: SQuAD's dicts, a DataFrame with a ``text`` column, or
            the texts (a list of them per question, or one string)

        Returns
        -------
        float in [0, 1]
        """
        return squad_f1_score(y, self.predict(X))
