"""Question-answering input checks: every accepted form, every bad input's own message."""

import numpy as np
import pandas as pd
import pytest

from sklearn_electra.answers import check_answer_texts, check_answers, check_questions


def test_questions_from_a_frame_or_pairs():
    frame = pd.DataFrame({"context": ["Ann ran.", "Bo sat."], "question": ["Who ran?", "Who sat?"],
                          "id": [1, 2]})
    assert check_questions(frame) == [("Who ran?", "Ann ran."), ("Who sat?", "Bo sat.")]
    assert check_questions([["Q?", "C."], ("R?", "D.")]) == [("Q?", "C."), ("R?", "D.")]


@pytest.mark.parametrize("X, error, message", [
    (pd.DataFrame({"question": ["Q?"]}), ValueError,
     r"^X has no 'context' column \(its columns: \['question'\]\)\. Pass a DataFrame with "
     r"'question' and 'context' columns, or a list of \(question, context\) pairs\.$"),
    (pd.DataFrame({f"c{i}": ["x"] for i in range(12)}), ValueError,
     r"^X has no 'question' and no 'context' column \(its columns: \['c0', .*, 'c9'\]\)\. Pass"),
    (pd.DataFrame({"text": ["Q?"]}), ValueError, r"^X has no 'question' and no 'context' column"),
    ([], ValueError, r"^X is empty: at least one \(question, context\) pair is required\.$"),
    ([("Q?", "C.", "extra")], ValueError, r"^X\[0\] is a tuple of 3 items; each row is a \(question, "
                                          r"context\) pair \(or use a DataFrame with 'question' and "
                                          r"'context' columns\)\.$"),
    ([("Q?", "C."), ("Q?", 3)], TypeError, r"^The context of X\[1\] is .*, not a string\.$"),
    ([(None, "C.")], TypeError, r"^The question of X\[0\] is .*, not a string\. Fill or drop missing"),
])
def test_bad_questions_name_the_row_and_the_fix(X, error, message):
    with pytest.raises(error, match=message):
        check_questions(X)


def test_answer_texts_in_every_form():
    squad = [{"text": ["Paris", "paris"], "answer_start": [0, 9]}, {"text": [], "answer_start": []}]
    assert check_answer_texts(squad) == [["Paris", "paris"], []]
    assert check_answer_texts(pd.Series(["Rome", ""])) == [["Rome"], []]  # "" is no answer
    assert check_answer_texts(np.array(["a", "b"], dtype=object)) == [["a"], ["b"]]
    assert check_answer_texts([("x", "y"), {"text": "z"}]) == [["x", "y"], ["z"]]
    frame = pd.DataFrame({"text": [["Ann"], []]})
    assert check_answer_texts(frame) == [["Ann"], []]
    # Plain Python out of numpy in: str, not numpy's str_, row by row of a 2-D array.
    texts = check_answer_texts(np.array([["a", "b"], ["c", ""]]))
    assert texts == [["a", "b"], ["c"]] and {type(t) for row in texts for t in row} == {str}


@pytest.mark.parametrize("y, error, message", [
    (None, ValueError, r"^y is None; pass one answer per question, e\.g\. SQuAD's \{'text': \['Paris'\], "
                       r"'answer_start': \[17\]\} \(empty lists: no answer\)\.$"),
    ("Paris", ValueError, r"^y must hold one answer per question, not a single string\.$"),
    (pd.DataFrame({f"c{i}": ["x"] for i in range(12)}), ValueError,
     r"^y has no 'text' column \(its columns: \['c0', .*, 'c9'\]\); pass 'text' and 'answer_start' "
     r"columns, or SQuAD's answer dicts\.$"),  # the first ten columns
    ([{"answer_start": [0]}], ValueError, r"^y\[0\] has no 'text' key; SQuAD's form is "
                                          r"\{'text': \[\.\.\.\], 'answer_start': \[\.\.\.\]\}\.$"),
    ([["a"], 7], TypeError, r"^y\[1\] is an int; an answer is SQuAD's dict \{'text': \[\.\.\.\], "
                            r"'answer_start': \[\.\.\.\]\}, or \(for scoring\) its text\.$"),
    ([["a", 3]], TypeError, r"^y\[0\] holds an int as an answer text; answers are strings\.$"),
])
def test_bad_answers_name_the_row_and_the_fix(y, error, message):
    with pytest.raises(error, match=message):
        check_answer_texts(y)


def test_answer_spans_are_character_offsets_sorted_once():
    contexts = ["Ann met Bo. Ann left.", "It rained.", "Zed"]
    y = [{"text": ["Ann", "Bo", "Ann", "Ann"], "answer_start": [12, 8, 0, 12]},
         {"text": [""], "answer_start": [0]},  # no answer: no start needed
         {"text": ["Zed"], "answer_start": [np.int64(0)]}]
    assert check_answers(y, contexts) == [[(0, 3), (8, 10), (12, 15)], [], [(0, 3)]]
    frame = pd.DataFrame({"text": [["Bo"]], "answer_start": [[8]]})
    assert check_answers(frame, contexts[:1]) == [[(8, 10)]]
    # An answer that ends exactly where its context ends is inside it.
    assert check_answers([{"text": ["left."], "answer_start": [16]}], contexts[:1]) == [[(16, 21)]]
    # An empty text beside real ones is skipped.
    assert check_answers([{"text": ["", "Bo"], "answer_start": [0, 8]}], contexts[:1]) == [[(8, 10)]]


@pytest.mark.parametrize("y, error, message", [
    ([{"text": ["Ann"]}], ValueError, r"^y\[0\] gives answer texts without answer_start; training "
                                      r"needs where each answer starts in its context: \{'text': "
                                      r"\[\.\.\.\], 'answer_start': \[\.\.\.\]\}\.$"),
    (pd.DataFrame({"text": [["Ann"]]}), ValueError, r"^y\[0\] gives answer texts without answer_start"),
    ([{"text": ["Ann", 3], "answer_start": [0, 0]}], TypeError,
     r"^y\[0\] holds an int as an answer text; answers are strings\.$"),
    ([{"text": [3], "answer_start": [0]}], TypeError, r"^y\[0\] holds an int as an answer text"),
    ([{"text": ["Ann", "Bo"], "answer_start": [0]}], ValueError,
     r"^y\[0\] has 2 answer texts but 1 answer_start values; give one start per text\.$"),
    ([{"text": ["Ann"], "answer_start": [True]}], TypeError,
     r"^y\[0\]: answer_start True is .*, not an integer \(a character offset"),
    ([{"text": ["Ann"], "answer_start": [0.0]}], TypeError, r"^y\[0\]: answer_start 0\.0 is"),
    ([{"text": ["Ann"], "answer_start": [-1]}], ValueError,
     r"^y\[0\]: the answer 'Ann' cannot start at answer_start=-1: its context has 10 characters\."),
    ([{"text": ["Bo."], "answer_start": [8]}], ValueError,
     r"^y\[0\]: the answer 'Bo\.' cannot start at answer_start=8: its context has 10 characters\."),
    ([{"text": ["Bo"], "answer_start": [7]}], ValueError,
     r"^y\[0\]: the answer 'Bo' is not at answer_start=7 of its context \(the context has ' B' there\)\. "
     r"answer_start counts characters \(not bytes or tokens\) from 0\.$"),
])
def test_bad_spans_name_the_row_and_the_fix(y, error, message):
    with pytest.raises(error, match=message):
        check_answers(y, ["Ann met Bo"])


def test_answers_and_questions_must_match_in_number():
    with pytest.raises(ValueError, match=r"^X has 2 questions but y has 1 answers; they must match\.$"):
        check_answers([{"text": [], "answer_start": []}], ["a", "b"])
