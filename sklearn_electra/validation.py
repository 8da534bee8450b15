"""Input checks: raw texts, token lists, tag lists and label vectors.

Every check returns plain Python data (lists, numpy arrays) or raises a
``ValueError``/``TypeError`` that names the offending row and the fix. Nothing
here imports from the rest of the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["check_texts", "check_token_lists", "check_tags", "check_labels", "check_indicator",
           "check_label_sets", "check_targets", "multilabel_format", "is_missing",
           "describe", "is_object_like", "check_sample_weight"]


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
    """Whether labels should stay Python objects rather than fixed-width numpy strings.

    ``values`` is any iterable of labels; anything but a number or a bool is an object.
    """
    # np.bool_ is no np.number: without it, a numpy array's bools would become objects.
    return any(not isinstance(v, (int, float, bool, np.number, np.bool_)) for v in values)


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
    if y.ndim == 2 and y.shape[1] == 1:  # a column: nested lists of one label each
        y = y.ravel()
        if y.dtype == object and not is_object_like(y.tolist()):
            y = np.asarray(y.tolist())  # numbers, as type_of_target reads [[1], [0]]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional (one label per text); got shape {y.shape}.")
    if len(y) != n_rows:
        raise ValueError(f"X has {n_rows} texts but y has {len(y)} labels; they must match.")
    for i, label in enumerate(y):
        if is_missing(label):
            raise ValueError(f"y[{i}] is missing ({label!r}); drop or fill missing labels first.")
    return y


# ---------------------------------------------------------------- several labels per text
_SET_TYPES = (list, tuple, set, frozenset, np.ndarray, pd.Series)


def multilabel_format(y):
    """How ``y`` holds several labels per text, or ``None`` for one label per text.

    ``"multilabel-indicator"``: a 2-d 0/1 matrix (array, nested lists of numbers,
    DataFrame or sparse matrix), one column per label, as
    :class:`~sklearn.preprocessing.MultiLabelBinarizer` makes it.
    ``"multilabel-sequences"``: one list (tuple, set) of labels per text. Lists of
    numbers that all have the same length (2 or more) read as an indicator matrix, as
    in scikit-learn, and one number per list is a column of single labels
    (:func:`~sklearn.utils.multiclass.type_of_target` calls ``[[1], [0]]`` binary);
    give numeric labels as sets to mean label lists.

    Examples
    --------
    >>> multilabel_format([["sports"], [], ["politics", "tech"]])
    'multilabel-sequences'
    >>> multilabel_format([[1, 0], [0, 1]])
    'multilabel-indicator'
    >>> multilabel_format(["pos", "neg"]) is None
    True
    >>> multilabel_format([[1], [0]]) is None
    True
    """
    if y is None or isinstance(y, (str, bytes)):
        return None
    if hasattr(y, "toarray") or (isinstance(y, pd.DataFrame) and y.shape[1] > 1):
        return "multilabel-indicator"
    if isinstance(y, pd.DataFrame):
        return None
    if isinstance(y, np.ndarray) and y.dtype != object:
        return "multilabel-indicator" if y.ndim == 2 and y.shape[1] > 1 else None
    values = list(y)
    if not values or not any(isinstance(v, _SET_TYPES) for v in values):
        return None
    lengths = {len(v) for v in values if isinstance(v, _SET_TYPES)}
    numeric = all(isinstance(v, (list, tuple, np.ndarray)) and len(v) and
                  all(isinstance(x, (bool, int, float, np.number)) for x in v) for v in values)
    if numeric and len(lengths) == 1:  # a matrix of numbers, as type_of_target reads it
        return None if lengths == {1} else "multilabel-indicator"
    return "multilabel-sequences"


_REAL = (bool, int, float, np.bool_, np.integer, np.floating)


def check_indicator(y, n_rows):
    """A 0/1 label matrix as ``(matrix of int8, column names or None)``.

    Examples
    --------
    >>> matrix, names = check_indicator(pd.DataFrame({"a": [1, 0], "b": [1, 1]}), 2)
    >>> matrix.tolist(), names
    ([[1, 1], [0, 1]], ['a', 'b'])
    """
    names = list(y.columns) if isinstance(y, pd.DataFrame) else None
    matrix = y.toarray() if hasattr(y, "toarray") else np.asarray(y)
    if matrix.dtype.kind not in "biuf" and not hasattr(y, "toarray"):
        # Lists mixing 1 and "a" become strings ("1", "a"): read as objects instead, so each
        # cell keeps the value the user gave and a message names the right one.
        matrix = np.asarray(y, dtype=object)
    if matrix.ndim != 2:
        raise ValueError(f"A multi-label y must be 2-dimensional (one 0/1 column per label); got "
                         f"shape {matrix.shape}.")
    if len(matrix) != n_rows:
        raise ValueError(f"X has {n_rows} texts but y has {len(matrix)} rows; they must match.")
    if matrix.dtype.kind in "biuf":
        values = matrix.astype(np.float64)
    else:  # objects or complex numbers: only real numbers can be 0 or 1 (1+2j is not 1)
        values = np.array([[v if isinstance(v, _REAL) else np.nan for v in row] for row in matrix],
                          dtype=np.float64)
    bad = np.argwhere(~np.isin(values, (0.0, 1.0)))
    if len(bad):
        row, col = bad[0].tolist()
        value = matrix[row, col].item() if hasattr(matrix[row, col], "item") else matrix[row, col]
        raise ValueError(
            f"y[{row}, {col}] is {value!r}: a 2-d y is a multi-label indicator matrix "
            "and holds only 0 and 1 (one column per label). For several numeric targets use "
            "ElectraRegressor; for lists of numeric labels pass each text's labels as a set."
        )
    return values.astype(np.int8), names


def check_label_sets(y, n_rows):
    """One collection of labels per text (possibly empty), as a list of tuples.

    Examples
    --------
    >>> check_label_sets([["a", "b"], [], ("c",)], 3)
    [('a', 'b'), (), ('c',)]
    """
    rows = y.tolist() if isinstance(y, (pd.Series, np.ndarray)) else list(y)
    if len(rows) != n_rows:
        raise ValueError(f"X has {n_rows} texts but y has {len(rows)} label lists; they must match.")
    out = []
    for i, labels in enumerate(rows):
        if not isinstance(labels, _SET_TYPES):
            raise TypeError(
                f"y[{i}] is {describe(labels)}, but other rows hold lists of labels. For "
                "multi-label y give every text a list (an empty one for no label), e.g. "
                "[['sports'], [], ['politics', 'tech']]."
            )
        labels = list(labels)
        for label in labels:
            if is_missing(label) or isinstance(label, _SET_TYPES):
                raise ValueError(f"y[{i}] holds {describe(label)}; a label list holds labels "
                                 "(strings or numbers), not missing values or lists.")
        out.append(tuple(dict.fromkeys(labels)))  # a label said twice counts once
    return out


# ---------------------------------------------------------------- numeric targets
def check_targets(y, n_rows, estimator):
    """Finite numeric targets as a float64 ``(n_rows, n_targets)`` matrix.

    Examples
    --------
    >>> check_targets([1.5, 2, -3], 3, "ElectraRegressor").tolist()
    [[1.5], [2.0], [-3.0]]
    """
    if y is None:
        raise ValueError(f"{estimator} requires y (one number, or one row of numbers, per text); "
                         "got None.")
    if isinstance(y, (str, bytes)):
        raise ValueError("y must hold one number per text, not a single string.")
    values = np.asarray(y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else y,
                        dtype=object)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    if values.ndim != 2:
        raise ValueError(f"y must be 1-d (one target) or 2-d (one column per target); got shape "
                         f"{values.shape}.")
    if len(values) != n_rows:
        raise ValueError(f"X has {n_rows} texts but y has {len(values)} targets; they must match.")
    if values.shape[1] == 0:
        raise ValueError("y has no columns: give each text at least one target (y of shape "
                         f"({n_rows},) or ({n_rows}, n_targets)).")
    out = np.empty(values.shape, dtype=np.float64)
    for (i, j), v in np.ndenumerate(values):
        if isinstance(v, (str, bytes)) or not isinstance(v, (bool, int, float, np.number)):
            at = f"y[{i}]" if values.shape[1] == 1 else f"y[{i}, {j}]"
            raise ValueError(f"{at} is {describe(v)} ({v!r}), not a number. {estimator} learns "
                             "numeric targets; for labels use ElectraClassifier.")
        out[i, j] = float(v)
    bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
    if len(bad):
        raise ValueError(
            f"y has NaN or infinite values in {len(bad)} rows (first: {bad[:10].tolist()}); drop "
            "or fill them before fitting."
        )
    return out


# ---------------------------------------------------------------- sample weights
def check_sample_weight(sample_weight, n_rows):
    """One finite weight >= 0 per input, not all zero, as float64 (``None`` stays ``None``).

    Examples
    --------
    >>> check_sample_weight([1, 0, 2.5], 3).tolist()
    [1.0, 0.0, 2.5]
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, (str, bytes)):
        raise TypeError("sample_weight must hold one number per text, not a string.")
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)  # pandas' NA becomes NaN
    except (TypeError, ValueError) as exc:
        raise TypeError(f"sample_weight must hold numbers (one per text); got "
                        f"{describe(sample_weight)}.") from exc
    if weights.ndim == 0:
        raise ValueError("sample_weight must hold one weight per text, not a single number; "
                         "for equal weights pass sample_weight=None.")
    if weights.ndim != 1:
        raise ValueError(f"sample_weight must be 1-dimensional (one weight per text); got shape "
                         f"{weights.shape}.")
    if len(weights) != n_rows:
        raise ValueError(f"X has {n_rows} rows but sample_weight has {len(weights)} weights; "
                         "they must match.")
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if len(bad):
        raise ValueError(f"sample_weight[{bad[0]}] is {float(weights[bad[0]])!r}: weights must be "
                         f"finite and >= 0 ({len(bad)} are not). Drop those rows or fix them.")
    if not weights.any():
        raise ValueError("sample_weight is 0 for every row: there is nothing to learn from.")
    return weights
