"""SQuAD's evaluation: exact match and token F1 of predicted answers against gold answers.

The normalization is the official SQuAD script's (``evaluate-v2.0.py``:
lower case, drop ASCII punctuation, drop the articles *a*, *an*, *the*, collapse
whitespace), and, for text without spaces between words, the CMRC 2018 script's:
every CJK character is a token of its own and CJK punctuation is dropped. English
text is scored exactly as the SQuAD script scores it; Chinese text per character.

A question may have several gold answers (the best match counts) or none (SQuAD
2.0's unanswerable questions: only the empty prediction ``""`` scores, with 1).
"""

from __future__ import annotations

import collections
import re
import string
import unicodedata

import numpy as np

from .answers import check_answer_texts

__all__ = ["normalize_answer", "answer_tokens", "exact_match_score", "squad_f1_score", "squad_scores"]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCTUATION = frozenset(string.punctuation)


def _is_cjk(char):
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F)


def _is_cjk_punctuation(char):
    # CJK symbols and punctuation, and the full-width forms block (，。？！：；（） ...).
    code = ord(char)
    return (0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF) and \
        unicodedata.category(char).startswith("P")


def normalize_answer(text):
    """Lower case, drop punctuation and articles, collapse whitespace (SQuAD's rule).

    Examples
    --------
    >>> normalize_answer("The  Eiffel Tower!")
    'eiffel tower'
    >>> normalize_answer("北京，中国。")
    '北京中国'
    """
    text = "".join(c for c in text.lower()
                   if c not in _ASCII_PUNCTUATION and not _is_cjk_punctuation(c))
    return " ".join(_ARTICLES.sub(" ", text).split())


def answer_tokens(text):
    """The tokens F1 counts: whitespace-separated words, every CJK character on its own.

    Examples
    --------
    >>> answer_tokens("the Big Apple")
    ['big', 'apple']
    >>> answer_tokens("上海浦东 airport")
    ['上', '海', '浦', '东', 'airport']
    """
    spaced = "".join(f" {c} " if _is_cjk(c) else c for c in normalize_answer(text))
    return spaced.split()


def _f1(prediction, gold):
    pred, true = answer_tokens(prediction), answer_tokens(gold)
    common = sum((collections.Counter(pred) & collections.Counter(true)).values())
    if common == 0:  # no overlap, or an empty side: only two empty answers agree
        return float(pred == true)
    precision, recall = common / len(pred), common / len(true)
    return 2 * precision * recall / (precision + recall)


def _gold_texts(y_true):
    """Each row's gold answer texts, ``[""]`` for an unanswerable row."""
    return [texts or [""] for texts in check_answer_texts(y_true)]


def _per_question(y_true, y_pred, metric):
    golds = _gold_texts(y_true)
    predictions = list(y_pred)
    if len(predictions) != len(golds):
        raise ValueError(f"y_pred has {len(predictions)} answers but y_true has {len(golds)} rows.")
    for i, p in enumerate(predictions):
        if not isinstance(p, str):
            raise TypeError(f"y_pred[{i}] is {type(p).__name__}, not a string (an answer text).")
    return np.array([max(metric(p, g) for g in gold) for p, gold in zip(predictions, golds)])


def exact_match_score(y_true, y_pred):
    """Share of questions whose predicted answer equals a gold answer after normalization.

    Parameters
    ----------
    y_true : answers
        Per question: a gold answer text, a list of them, or SQuAD's
        ``{"text": [...], "answer_start": [...]}``; empty for no answer.
    y_pred : sequence of str
        The predicted answers (``""`` for no answer), as
        :meth:`ElectraQuestionAnswerer.predict` returns them.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> exact_match_score([["Paris", "paris, France"], []], ["the Paris", ""])
    1.0
    """
    return float(_per_question(y_true, y_pred,
                               lambda p, g: float(normalize_answer(p) == normalize_answer(g))).mean())


def squad_f1_score(y_true, y_pred):
    """Mean over questions of the best token F1 between the prediction and a gold answer.

    Parameters are as for :func:`exact_match_score`.

    Examples
    --------
    >>> squad_f1_score(["New York City"], ["New York"])
    0.8
    >>> round(squad_f1_score(["北京市"], ["北京"]), 3)
    0.8
    """
    return float(_per_question(y_true, y_pred, _f1).mean())


def squad_scores(y_true, y_pred):
    """Both SQuAD metrics, as the official script reports them (fractions, not percent).

    Examples
    --------
    >>> squad_scores(["New York City", ""], ["New York", ""])
    {'exact_match': 0.5, 'f1': 0.9}
    """
    return {"exact_match": exact_match_score(y_true, y_pred), "f1": squad_f1_score(y_true, y_pred)}
