"""Input checks of extractive question answering: (question, context) pairs and SQuAD answers.

Every check returns plain Python data or raises a ``ValueError``/``TypeError`` that names
the offending row and the fix, as :mod:`sklearn_electra.validation` does for texts and labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validation import _as_rows, describe, is_missing

__all__ = ["check_questions", "check_answers", "check_answer_texts"]


def check_questions(X):
    """``(question, context)`` pairs from a DataFrame with ``question`` and ``context``
    columns (others are ignored) or from a sequence of pairs.

    Examples
    --------
    >>> check_questions(pd.DataFrame({"id": [7], "question": ["Who?"], "context": ["Ann ran."]}))
    [('Who?', 'Ann ran.')]
    """
    if isinstance(X, pd.DataFrame):
        missing = [c for c in ("question", "context") if c not in X.columns]
        if missing:
            raise ValueError(
                f"X has no {' and no '.join(repr(c) for c in missing)} column (its columns: "
                f"{list(X.columns)[:10]}). Pass a DataFrame with 'question' and 'context' columns, "
                "or a list of (question, context) pairs."
            )
        X = X[["question", "context"]]
    rows = _as_rows(X, allow_pairs=True)
    if not rows:
        raise ValueError("X is empty: at least one (question, context) pair is required.")
    out = []
    for i, row in enumerate(rows):
        if not (isinstance(row, (tuple, list)) and len(row) == 2):
            raise ValueError(f"X[{i}] is {describe(row)}; each row is a (question, context) pair "
                             "(or use a DataFrame with 'question' and 'context' columns).")
        for part, name in zip(row, ("question", "context")):
            if not isinstance(part, str):
                hint = " Fill or drop missing rows first." if is_missing(part) else ""
                raise TypeError(f"The {name} of X[{i}] is {describe(part)}, not a string.{hint}")
        out.append((str(row[0]), str(row[1])))
    return out


def _as_list(value):
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return list(value)
    return [value]


def _answer_rows(y):
    """Per row, ``(texts, starts)``; ``starts`` is None where only texts are given."""
    if y is None:
        raise ValueError("y is None; pass one answer per question, e.g. SQuAD's "
                         "{'text': ['Paris'], 'answer_start': [17]} (empty lists: no answer).")
    if isinstance(y, (str, bytes)):
        raise ValueError("y must hold one answer per question, not a single string.")
    if isinstance(y, pd.DataFrame):
        if "text" not in y.columns:
            raise ValueError(f"y has no 'text' column (its columns: {list(y.columns)[:10]}); pass "
                             "'text' and 'answer_start' columns, or SQuAD's answer dicts.")
        starts = y["answer_start"].tolist() if "answer_start" in y.columns else [None] * len(y)
        return [(_as_list(t), None if s is None else _as_list(s))
                for t, s in zip(y["text"].tolist(), starts)]
    rows = []
    for i, answer in enumerate(y.tolist() if isinstance(y, (pd.Series, np.ndarray)) else list(y)):
        if isinstance(answer, dict):
            if "text" not in answer:
                raise ValueError(f"y[{i}] has no 'text' key; SQuAD's form is "
                                 "{'text': [...], 'answer_start': [...]}.")
            starts = answer.get("answer_start")
            rows.append((_as_list(answer["text"]), None if starts is None else _as_list(starts)))
        elif isinstance(answer, (str, list, tuple, np.ndarray)):
            rows.append((_as_list(answer), None))
        else:
            raise TypeError(f"y[{i}] is {describe(answer)}; an answer is SQuAD's dict "
                            "{'text': [...], 'answer_start': [...]}, or (for scoring) its text.")
    return rows


def _checked_texts(texts, i):
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"y[{i}] holds {describe(text)} as an answer text; answers are strings.")
    return [t for t in texts if t]  # "" means no answer


def check_answer_texts(y):
    """Each question's gold answer texts (an empty list: no answer).

    Examples
    --------
    >>> check_answer_texts([{"text": ["Paris"], "answer_start": [3]}, "", ["a", "b"]])
    [['Paris'], [], ['a', 'b']]
    """
    return [_checked_texts(texts, i) for i, (texts, _) in enumerate(_answer_rows(y))]


def check_answers(y, contexts):
    """Each question's gold answers as ``(start, end)`` character spans of its context.

    Examples
    --------
    >>> check_answers([{"text": ["Ann"], "answer_start": [0]}, {"text": [], "answer_start": []}],
    ...               ["Ann ran.", "It rained."])
    [[(0, 3)], []]
    """
    rows = _answer_rows(y)
    if len(rows) != len(contexts):
        raise ValueError(f"X has {len(contexts)} questions but y has {len(rows)} answers; they must match.")
    out = []
    for i, ((texts, starts), context) in enumerate(zip(rows, contexts)):
        if not _checked_texts(texts, i):  # no answer ("" or an empty list): no start needed
            out.append([])
            continue
        if starts is None:
            raise ValueError(f"y[{i}] gives answer texts without answer_start; training needs where "
                             "each answer starts in its context: {'text': [...], 'answer_start': [...]}.")
        if len(starts) != len(texts):
            raise ValueError(f"y[{i}] has {len(texts)} answer texts but {len(starts)} answer_start "
                             "values; give one start per text.")
        spans = []
        for text, start in zip(texts, starts):
            if not text:  # "" beside real answers (every text is a string: checked above)
                continue
            if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
                raise TypeError(f"y[{i}]: answer_start {start!r} is {describe(start)}, not an "
                                "integer (a character offset into the context).")
            start = int(start)
            if not 0 <= start <= len(context) - len(text):
                raise ValueError(
                    f"y[{i}]: the answer {text!r} cannot start at answer_start={start}: its context "
                    f"has {len(context)} characters. answer_start counts characters from 0."
                )
            found = context[start:start + len(text)]
            if found != text:
                raise ValueError(
                    f"y[{i}]: the answer {text!r} is not at answer_start={start} of its context "
                    f"(the context has {found!r} there). answer_start counts characters (not "
                    "bytes or tokens) from 0."
                )
            spans.append((start, start + len(text)))
        out.append(sorted(set(spans)))
    return out
