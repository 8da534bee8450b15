"""Input checks: raw texts, token lists, tag lists and label vectors.

Every check returns plain Python data (lists, numpy arrays) or raises a
``ValueError``/``TypeError`` that names the offending row and the fix. Nothing
here imports from the rest of the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["check_texts", "check_token_lists", "check_tags", "check_labels", "is_missing",
           "describe", "is_object_like"]


def is_missing(value):
    """None, NaN, pd.NA or NaT: a missing value in any of pandas' spellings."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def describe(value):
    """A short phrase for a value in an error message: ``"a float"``, ``"NaN"``, ..."""
    if value is None:
        return "None"
    if is_missing(value):
        return "NaN" if isinstance(value, float) else repr(value)  # pd.NA, NaT
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    if isinstance(value, (tuple, list)):
        return f"{article} {name} of {len(value)} items"
    return f"{article} {name}"


def is_object_like(values):
    """Whether labels should stay Python objects rather than fixed-width numpy strings."""
    if hasattr(values, "dtype"):
        return values.dtype.kind in "OUS" or str(values.dtype) in ("string", "str", "category")
    return any(not isinstance(v, (int, float, bool, np.number)) for v in values)


def _as_rows(X, *, allow_pairs):
    """The rows of a list, array or pandas object, before the per-row checks."""
    if isinstance(X, (str, bytes)):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    if isinstance(X, pd.DataFrame) or (isinstance(X, np.ndarray) and X.ndim == 2):
        frame = pd.DataFrame(X)
        if frame.shape[1] == 1:
            return frame.iloc[:, 0].tolist()
        if frame.shape[1] == 2 and allow_pairs:
            return list(zip(frame.iloc[:, 0].tolist(), frame.iloc[:, 1].tolist()))
        expected = "one text column, or two for text pairs" if allow_pairs else "one text column"
        raise ValueError(f"X has {frame.shape[1]} columns; expected {expected}.")
    if isinstance(X, (set, frozenset, dict)):
        raise TypeError(f"X must be an ordered sequence of texts, not a {type(X).__name__}.")
    if isinstance(X, (pd.Series, pd.Index, np.ndarray)):
        if X.ndim != 1:
            raise ValueError(f"X must be 1-dimensional (one text per row); got shape {X.shape}.")
        return X.tolist()
    if hasattr(X, "__iter__"):
        return list(X)
    raise TypeError(f"X must be a list, array or pandas object of texts; got {type(X).__name__}.")


def check_texts(X, *, allow_pairs=True):
    """Validate raw text input and return a list of str or of ``(str, str)`` pairs.

    Accepts lists, tuples, numpy arrays, pandas Series/Index, and DataFrames
    with one text column (or two columns for text pairs when ``allow_pairs``).

    Raises
    ------
    ValueError
        For a bare string, empty input, missing values or a mix of texts and pairs.
    TypeError
        For elements that are not strings.

    Examples
    --------
    >>> check_texts(["a", "b"])
    ['a', 'b']
    >>> check_texts([("premise", "hypothesis")])
    [('premise', 'hypothesis')]
    """
    X = _as_rows(X, allow_pairs=allow_pairs)
    if not X:
        raise ValueError("X is empty: at least one text is required.")
    pairs = allow_pairs and isinstance(X[0], (tuple, list))
    out = []
    for i, item in enumerate(X):
        if pairs:
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise ValueError(
                    f"X[{i}] is {describe(item)}, but X[0] is a text pair: pass either texts, or "
                    "(text_a, text_b) pairs of exactly two texts, not a mix."
                )
            for j, part in enumerate(item):
                if not isinstance(part, str):
                    hint = " Fill or drop missing texts first (e.g. df.fillna(''))." if is_missing(part) else ""
                    raise TypeError(f"X[{i}][{j}] is {describe(part)}, not a string.{hint}")
            out.append((str(item[0]), str(item[1])))
        elif isinstance(item, str):
            out.append(str(item))
        else:
            hint = (" Fill or drop missing texts first, e.g. df['text'].fillna('')."
                    if is_missing(item) else "")
            raise TypeError(f"X[{i}] is {describe(item)}, not a string.{hint}")
    return out


def check_token_lists(X, *, allow_text, split=None):
    """Validate sentences given as token lists (or raw strings, split by ``split``, when ``allow_text``).

    Examples
    --------
    >>> check_token_lists([["Apple", "is"], ("a", "company")], allow_text=False)
    [['Apple', 'is'], ['a', 'company']]
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(
            "Iterable over token lists expected, string object received. Pass one list of tokens "
            "per sentence, e.g. [['Apple', 'is', 'a', 'company']]."
        )
    if isinstance(X, pd.DataFrame):
        raise TypeError("X must be a list (or Series) of token lists, not a DataFrame; pass one column.")
    if isinstance(X, (set, frozenset, dict)):
        raise TypeError(f"X must be an ordered sequence of sentences, not a {type(X).__name__}.")
    if not hasattr(X, "__iter__"):
        raise TypeError(f"X must be a list of token lists; got {type(X).__name__}.")
    X = list(X)
    if not X:
        raise ValueError("X is empty: at least one sentence is required.")
    sentences = []
    for i, sentence in enumerate(X):
        if isinstance(sentence, str):
            if not allow_text:
                raise ValueError(
                    f"X[{i}] is a string, but fit expects one list of tokens per sentence, e.g. "
                    "[['Apple', 'is', 'a', 'company'], ...]. X looks like a flat list of strings: "
                    "split each text into tokens first (sklearn_electra.split_words splits them "
                    "the way predict does)."
                )
            sentences.append(split(sentence))
            continue
        if not isinstance(sentence, (list, tuple, np.ndarray, pd.Series)):
            raise TypeError(f"X[{i}] is {describe(sentence)}; expected a list of tokens.")
        tokens = list(sentence)
        for j, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(f"X[{i}][{j}] is {describe(token)}, not a string token.")
        sentences.append([str(t) for t in tokens])
    return sentences


def check_tags(y, sentences):
    """Validate one list of string tags per sentence, of the sentence's length.

    Examples
    --------
    >>> check_tags([["B-PER", "O"]], [["Ann", "runs"]])
    [['B-PER', 'O']]
    """
    if y is None:
        raise ValueError("ElectraTagger requires y (one list of tags per sentence); got None.")
    if isinstance(y, (str, bytes)):
        raise ValueError("y must hold one list of tags per sentence, not a single string.")
    y = list(y)
    if len(y) != len(sentences):
        raise ValueError(f"X has {len(sentences)} sentences but y has {len(y)} tag lists; they must match.")
    out = []
    for i, (tokens, tags) in enumerate(zip(sentences, y)):
        if not isinstance(tags, (list, tuple, np.ndarray, pd.Series)):
            raise TypeError(f"y[{i}] is {describe(tags)}; expected a list of tags, one per token.")
        tags = list(tags)
        if len(tags) != len(tokens):
            raise ValueError(f"Sentence {i} has {len(tokens)} tokens but {len(tags)} tags; "
                             "every token needs exactly one tag.")
        for j, tag in enumerate(tags):
            if not isinstance(tag, str):
                raise TypeError(f"y[{i}][{j}] is {describe(tag)}, not a string tag.")
        out.append([str(t) for t in tags])
    return out


def check_labels(y, n_rows, estimator):
    """One label per text, none missing: a 1-d array (objects kept as objects).

    Examples
    --------
    >>> check_labels(["pos", "neg"], 2, "ElectraClassifier").tolist()
    ['pos', 'neg']
    """
    if y is None:
        raise ValueError(f"{estimator} requires y (one label per text); got None.")
    if isinstance(y, str):
        raise ValueError("y must hold one label per text, not a single string.")
    y = np.asarray(y, dtype=object if is_object_like(y) else None)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional (one label per text); got shape {y.shape}.")
    if len(y) != n_rows:
        raise ValueError(f"X has {n_rows} texts but y has {len(y)} labels; they must match.")
    for i, label in enumerate(y):
        if is_missing(label):
            raise ValueError(f"y[{i}] is missing ({label!r}); drop or fill missing labels first.")
    return y
