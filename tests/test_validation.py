"""Input checks: every accepted container, and each bad input's own message, in full."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from sklearn_electra.validation import (check_indicator, check_label_sets, check_labels,
                                        check_sample_weight, check_tags, check_targets, check_texts,
                                        check_token_lists, describe, is_missing, is_object_like,
                                        multilabel_format)


@pytest.mark.parametrize("value, missing", [
    (None, True), (float("nan"), True), (np.nan, True), (pd.NA, True), (pd.NaT, True),
    ("", False), (0, False), ([None], False), (np.array([np.nan]), False), ({"a": 1}, False),
    ([[1], [1, 2]], False),  # numpy cannot even take the shape of a ragged list
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


@pytest.mark.parametrize("y, form", [
    (np.array([[1, 0], [0, 1]]), "multilabel-indicator"),
    (np.array([[1], [0]]), None),  # one column is one label per text, as type_of_target reads it
    (np.array([1, 0]), None),
    (pd.DataFrame({"a": [1, 0], "b": [0, 1]}), "multilabel-indicator"),
    (pd.DataFrame({"a": [1, 0]}), None),
    (pd.Series([["a"], []]), "multilabel-sequences"),
    (pd.Series([[1, 0], [0, 1]]), "multilabel-indicator"),
    (np.array([{1}, set()], dtype=object), "multilabel-sequences"),
    ([[1, 0], [0]], "multilabel-sequences"),  # ragged lists of numbers are label lists
    ([], None), (None, None), ("ab", None),
])
def test_multilabel_format_reads_each_form_of_y(y, form):
    assert multilabel_format(y) == form


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


# ---------------------------------------------------------------- every other check, every message
_SPLIT_HINT = ("X[0] is a string, but fit expects one list of tokens per sentence, e.g. [['Apple', 'is', "
               "'a', 'company'], ...]. X looks like a flat list of strings: split each text into "
               "tokens first (sklearn_electra.split_words splits them the way predict does).")


@pytest.mark.parametrize("call, error, message", [
    (lambda: check_token_lists("Apple is", allow_text=False), ValueError,
     "Iterable over token lists expected, string object received. Pass one list of tokens per "
     "sentence, e.g. [['Apple', 'is', 'a', 'company']]."),
    (lambda: check_token_lists(pd.DataFrame({"a": [["x"]]}), allow_text=False), TypeError,
     "X must be a list (or Series) of token lists, not a DataFrame; pass one column."),
    (lambda: check_token_lists({("a",)}, allow_text=False), TypeError,
     "X must be an ordered sequence of sentences, not a set."),
    (lambda: check_token_lists(3, allow_text=False), TypeError, "X must be a list of token lists; got int."),
    (lambda: check_token_lists([], allow_text=False), ValueError,
     "X is empty: at least one sentence is required."),
    (lambda: check_token_lists(["Apple is"], allow_text=False), ValueError, _SPLIT_HINT),
    (lambda: check_token_lists([["a"], 5], allow_text=False), TypeError,
     "X[1] is an int; expected a list of tokens."),
    (lambda: check_token_lists([["a", 5]], allow_text=False), TypeError,
     "X[0][1] is an int, not a string token."),
    (lambda: check_tags(None, [["a"]]), ValueError,
     "ElectraTagger requires y (one list of tags per sentence); got None."),
    (lambda: check_tags("O", [["a"]]), ValueError,
     "y must hold one list of tags per sentence, not a single string."),
    (lambda: check_tags([["O"]], [["a"], ["b"]]), ValueError,
     "X has 2 sentences but y has 1 tag lists; they must match."),
    (lambda: check_tags(["O"], [["a"]]), TypeError, "y[0] is a str; expected a list of tags, one per token."),
    (lambda: check_tags([["O"], ["O"]], [["a"], ["b", "c"]]), ValueError,
     "Sentence 1 has 2 tokens but 1 tags; every token needs exactly one tag."),
    (lambda: check_tags([["O", 1]], [["a", "b"]]), TypeError, "y[0][1] is an int, not a string tag."),
    (lambda: check_labels(None, 2, "ElectraClassifier"), ValueError,
     "ElectraClassifier requires y (one label per text); got None."),
    (lambda: check_labels("pos", 1, "ElectraClassifier"), ValueError,
     "y must hold one label per text, not a single string."),
    (lambda: check_labels([[1, 2], [3, 4]], 2, "ElectraClassifier"), ValueError,
     "y must be 1-dimensional (one label per text); got shape (2, 2)."),
    (lambda: check_labels([1, 0], 3, "ElectraClassifier"), ValueError,
     "X has 3 texts but y has 2 labels; they must match."),
    (lambda: check_labels(["a", None], 2, "ElectraClassifier"), ValueError,
     "y[1] is missing (None); drop or fill missing labels first."),
    (lambda: check_indicator(np.array([1, 0]), 2), ValueError,
     "A multi-label y must be 2-dimensional (one 0/1 column per label); got shape (2,)."),
    (lambda: check_indicator([[1, 0]], 2), ValueError, "X has 2 texts but y has 1 rows; they must match."),
    (lambda: check_indicator([[1, 0], [0, 2]], 2), ValueError,
     "y[1, 1] is 2: a 2-d y is a multi-label indicator matrix and holds only 0 and 1 (one column "
     "per label). For several numeric targets use ElectraRegressor; for lists of numeric labels "
     "pass each text's labels as a set."),
    (lambda: check_indicator(np.array([[1, "x"], [0, 1]], dtype=object), 2), ValueError,
     "y[0, 1] is 'x': a 2-d y is a multi-label indicator matrix and holds only 0 and 1 (one column "
     "per label). For several numeric targets use ElectraRegressor; for lists of numeric labels "
     "pass each text's labels as a set."),
    # a list mixing numbers and strings names the string, not the number numpy made "1"
    (lambda: check_indicator([[1, "a"], [0, 1]], 2), ValueError,
     "y[0, 1] is 'a': a 2-d y is a multi-label indicator matrix and holds only 0 and 1 (one column "
     "per label). For several numeric targets use ElectraRegressor; for lists of numeric labels "
     "pass each text's labels as a set."),
    # a complex number is not 1, even with a real part of 1 (numpy would drop 2j with a warning)
    (lambda: check_indicator([[1, 1 + 2j], [0, 1]], 2), ValueError,
     "y[0, 1] is (1+2j): a 2-d y is a multi-label indicator matrix and holds only 0 and 1 (one "
     "column per label). For several numeric targets use ElectraRegressor; for lists of numeric "
     "labels pass each text's labels as a set."),
    # a sparse matrix of complex numbers: densified, then read cell by cell (none is real)
    (lambda: check_indicator(scipy.sparse.csr_matrix(np.array([[1, 2j], [0, 1]])), 2), ValueError,
     "y[0, 0] is (1+0j): a 2-d y is a multi-label indicator matrix and holds only 0 and 1 (one column "
     "per label). For several numeric targets use ElectraRegressor; for lists of numeric labels "
     "pass each text's labels as a set."),
    (lambda: check_indicator(pd.DataFrame({"a": [True, False], "b": pd.array([1, None], "Int64")}), 2),
     ValueError, "y[1, 1] is <NA>: a 2-d y is a multi-label indicator matrix and holds only 0 and "
     "1 (one column per label). For several numeric targets use ElectraRegressor; for lists of "
     "numeric labels pass each text's labels as a set."),
    (lambda: check_label_sets([["a"]], 2), ValueError, "X has 2 texts but y has 1 label lists; they must match."),
    (lambda: check_label_sets([["a"], "b"], 2), TypeError,
     "y[1] is a str, but other rows hold lists of labels. For multi-label y give every text a list "
     "(an empty one for no label), e.g. [['sports'], [], ['politics', 'tech']]."),
    (lambda: check_label_sets([["a"], ["b", None]], 2), ValueError,
     "y[1] holds None; a label list holds labels (strings or numbers), not missing values or lists."),
    (lambda: check_label_sets([[["a"]]], 1), ValueError,
     "y[0] holds a list of 1 items; a label list holds labels (strings or numbers), not missing "
     "values or lists."),
    (lambda: check_targets(None, 1, "ElectraRegressor"), ValueError,
     "ElectraRegressor requires y (one number, or one row of numbers, per text); got None."),
    (lambda: check_targets("1.5", 1, "ElectraRegressor"), ValueError,
     "y must hold one number per text, not a single string."),
    (lambda: check_targets(np.zeros((2, 1, 1)), 2, "ElectraRegressor"), ValueError,
     "y must be 1-d (one target) or 2-d (one column per target); got shape (2, 1, 1)."),
    (lambda: check_targets([1.0], 2, "ElectraRegressor"), ValueError,
     "X has 2 texts but y has 1 targets; they must match."),
    (lambda: check_targets([[], []], 2, "ElectraRegressor"), ValueError,
     "y has no columns: give each text at least one target (y of shape (2,) or (2, n_targets))."),
    (lambda: check_targets([1.0, "2"], 2, "ElectraRegressor"), ValueError,
     "y[1] is a str ('2'), not a number. ElectraRegressor learns numeric targets; for labels use "
     "ElectraClassifier."),
    (lambda: check_targets([[1.0, 2.0], [3.0, None]], 2, "ElectraRegressor"), ValueError,
     "y[1, 1] is None (None), not a number. ElectraRegressor learns numeric targets; for labels use "
     "ElectraClassifier."),
    (lambda: check_targets([1.0, np.nan, 2.0, np.inf], 4, "ElectraRegressor"), ValueError,
     "y has NaN or infinite values in 2 rows (first: [1, 3]); drop or fill them before fitting."),
    # a whole column of NaN: the count is every row, the list only the first ten
    (lambda: check_targets([np.nan] * 12, 12, "ElectraRegressor"), ValueError,
     "y has NaN or infinite values in 12 rows (first: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); drop or "
     "fill them before fitting."),
    # pandas' nullable integers: the missing target is a NaN row, not "not a number"
    (lambda: check_targets(pd.Series([1, None, 2], dtype="Int64"), 3, "ElectraRegressor"), ValueError,
     "y has NaN or infinite values in 1 rows (first: [1]); drop or fill them before fitting."),
    (lambda: check_sample_weight(pd.Series([True, None], dtype="boolean"), 2), ValueError,
     "sample_weight[1] is nan: weights must be finite and >= 0 (1 are not). Drop those rows or fix them."),
    (lambda: check_sample_weight("1", 1), TypeError, "sample_weight must hold one number per text, not a string."),
    (lambda: check_sample_weight([1, "x"], 2), TypeError,
     "sample_weight must hold numbers (one per text); got a list of 2 items."),
    (lambda: check_sample_weight(2.0, 2), ValueError,
     "sample_weight must hold one weight per text, not a single number; for equal weights pass "
     "sample_weight=None."),
    (lambda: check_sample_weight([[1.0], [2.0]], 2), ValueError,
     "sample_weight must be 1-dimensional (one weight per text); got shape (2, 1)."),
    (lambda: check_sample_weight([1.0], 2), ValueError,
     "X has 2 rows but sample_weight has 1 weights; they must match."),
    (lambda: check_sample_weight([1.0, -1.0, np.nan], 3), ValueError,
     "sample_weight[1] is -1.0: weights must be finite and >= 0 (2 are not). Drop those rows or fix them."),
    (lambda: check_sample_weight([0, 0], 2), ValueError,
     "sample_weight is 0 for every row: there is nothing to learn from."),
])
def test_every_check_names_the_problem_in_full(call, error, message):
    with pytest.raises(error) as err:
        call()
    assert str(err.value) == message


def test_the_checks_return_plain_python_data():
    sentences = check_token_lists([("Apple", "is"), np.array(["a", "b"]), pd.Series(["c"]), "x y"],
                                  allow_text=True, split=str.split)
    assert sentences == [["Apple", "is"], ["a", "b"], ["c"], ["x", "y"]]
    assert all(type(t) is str for s in sentences for t in s)  # numpy strings become str
    tags = check_tags([("B-PER", "O"), np.array(["O"])], [["Ann", "runs"], ["x"]])
    assert tags == [["B-PER", "O"], ["O"]] and all(type(t) is str for s in tags for t in s)
    column = check_labels([[1], [0]], 2, "ElectraClassifier")
    assert column.tolist() == [1, 0] and column.dtype.kind == "i"  # a column of numbers
    words = check_labels([["a"], ["b"]], 2, "ElectraClassifier")
    assert words.tolist() == ["a", "b"] and words.dtype == object
    assert check_labels(pd.Series(["x", "y"], dtype="category"), 2, "E").dtype == object
    matrix, names = check_indicator(scipy.sparse.csr_matrix([[1, 0], [0, 1]]), 2)
    assert matrix.tolist() == [[1, 0], [0, 1]] and matrix.dtype == np.int8 and names is None
    matrix, _ = check_indicator([[True, False], [1.0, 0.0]], 2)
    assert matrix.tolist() == [[1, 0], [1, 0]]
    assert check_label_sets(pd.Series([["a", "a", "b"], set()]), 2) == [("a", "b"), ()]
    label_sets = check_label_sets(np.array([["a"], ["b"]]), 2)
    assert label_sets == [("a",), ("b",)] and type(label_sets[0][0]) is str  # not numpy's str_
    assert check_token_lists(["x y", ("a",)], allow_text=True, split=str.split) == [["x", "y"], ["a"]]
    targets = check_targets(pd.DataFrame({"a": [1, 2], "b": [0.5, True]}), 2, "R")
    assert targets.tolist() == [[1.0, 0.5], [2.0, 1.0]] and targets.dtype == np.float64
    assert check_targets(pd.Series([3, 4]), 2, "R").tolist() == [[3.0], [4.0]]
    weights = check_sample_weight(pd.Series([1, 0]), 2)
    assert weights.tolist() == [1.0, 0.0] and weights.dtype == np.float64
    assert check_sample_weight(None, 5) is None
