"""Text input checks: every accepted container, and each bad input's own message."""

import numpy as np
import pandas as pd
import pytest

from sklearn_electra.validation import check_texts, describe, is_missing, is_object_like


@pytest.mark.parametrize("value, missing", [
    (None, True), (float("nan"), True), (np.nan, True), (pd.NA, True), (pd.NaT, True),
    ("", False), (0, False), ([None], False), (np.array([np.nan]), False), ({"a": 1}, False),
])
def test_is_missing_knows_pandas_spellings_and_leaves_containers_alone(value, missing):
    assert is_missing(value) is missing


@pytest.mark.parametrize("value, phrase", [
    (None, "None"), (float("nan"), "NaN"), (pd.NA, "<NA>"), (3, "an int"), (2.5, "a float"),
    (b"x", "a bytes"), ((1, 2), "a tuple of 2 items"), (["a"], "a list of 1 items"),
    ({"k": 1}, "a dict"), (np.int64(1), "an int64"),
])
def test_describe_names_a_value_for_a_message(value, phrase):
    assert describe(value) == phrase


@pytest.mark.parametrize("values, objects", [
    (np.array(["a", "b"]), True), (np.array([1, 2]), False), (pd.Series(["a"], dtype="string"), True),
    (pd.Series(["a", "b"], dtype="category"), True), ([1, 2.5, True], False), ([1, "a"], True),
    (np.array([b"a"]), True), (np.array([1.5]), False),
])
def test_labels_that_stay_python_objects(values, objects):
    assert is_object_like(values) is objects


def test_every_container_of_texts_and_pairs():
    assert check_texts(("a", "b")) == ["a", "b"]
    assert check_texts(np.array(["a", "b"])) == ["a", "b"]
    assert check_texts(pd.Series(["a", "b"], index=[5, 3])) == ["a", "b"]
    assert check_texts(pd.Index(["a"])) == ["a"]
    assert check_texts(pd.DataFrame({"t": ["a", "b"]})) == ["a", "b"]
    assert check_texts(np.array([["q", "c"], ["r", "d"]])) == [("q", "c"), ("r", "d")]
    assert check_texts(pd.DataFrame({"q": ["q"], "c": ["c"]})) == [("q", "c")]
    assert check_texts(iter(["a"])) == ["a"]
    assert check_texts([["q", "c"]]) == [("q", "c")]


@pytest.mark.parametrize("X, kwargs, error, message", [
    ("a text", {}, ValueError, r"^Iterable over raw text documents expected, string object received\.$"),
    (b"bytes", {}, ValueError, r"^Iterable over raw text documents expected"),
    ([], {}, ValueError, r"^X is empty: at least one text is required\.$"),
    (pd.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"]}), {}, ValueError,
     r"^X has 3 columns; expected one text column, or two for text pairs\.$"),
    (pd.DataFrame({"a": ["x"], "b": ["y"]}), {"allow_pairs": False}, ValueError,
     r"^X has 2 columns; expected one text column\.$"),
    ({"a", "b"}, {}, TypeError, r"^X must be an ordered sequence of texts, not a set\.$"),
    ({"a": 1}, {}, TypeError, r"^X must be an ordered sequence of texts, not a dict\.$"),
    (np.array([[["a"]]]), {}, ValueError, r"^X must be 1-dimensional \(one text per row\); got shape \(1, 1, 1\)\.$"),
    (42, {}, TypeError, r"^X must be a list, array or pandas object of texts; got int\.$"),
    (["a", 3], {}, TypeError, r"^X\[1\] is an int, not a string\.$"),
    (["a", None], {}, TypeError, r"^X\[1\] is None, not a string\. Fill or drop missing texts first, "
                                 r"e\.g\. df\['text'\]\.fillna\(''\)\.$"),
    ([("q", "c"), "text"], {}, ValueError,
     r"^X\[1\] is a str, but X\[0\] is a text pair: pass either texts, or \(text_a, text_b\) pairs"),
    ([("q", "c"), ("q", "c", "d")], {}, ValueError, r"^X\[1\] is a tuple of 3 items, but X\[0\] is a text pair"),
    ([("q", None)], {}, TypeError, r"^X\[0\]\[1\] is None, not a string\. Fill or drop missing texts "
                                   r"first \(e\.g\. df\.fillna\(''\)\)\.$"),
    ([("q", 5)], {}, TypeError, r"^X\[0\]\[1\] is an int, not a string\.$"),
    ([("q", "c")], {"allow_pairs": False}, TypeError, r"^X\[0\] is a tuple of 2 items, not a string\.$"),
])
def test_bad_texts_get_their_own_message(X, kwargs, error, message):
    with pytest.raises(error, match=message):
        check_texts(X, **kwargs)
