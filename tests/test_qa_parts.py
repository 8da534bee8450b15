"""``qa.py`` part by part: parameters, the questions' windows and their messages, the loss
hooks, and how ranked spans become answers, rows of ``predict_spans`` and a score.

The span search itself (:func:`sklearn_electra.spans.best_spans`) is replaced by a stand-in
where a test is about what the estimator does with its result; the model is tiny and
trained for one epoch (what it is worth is tested in ``tests/test_qa.py``).
"""

import inspect
import types

import numpy as np
import pandas as pd
import pytest
import torch

import sklearn_electra.qa as qa_module
from sklearn_electra import ElectraQuestionAnswerer, TextTruncationWarning
from sklearn_electra.spans import SpanLoss
from sklearn_electra.squad import squad_f1_score

pytestmark = pytest.mark.filterwarnings("ignore:The model did not learn")
X = [("Who ran?", "Ann ran home."), ("Who sang?", "Bob sang loudly.")] * 4
Y = [{"text": ["Ann"], "answer_start": [0]}, {"text": ["Bob"], "answer_start": [0]}] * 4
SMALL = {"max_length": 32, "doc_stride": 4, "max_question_length": 8}
FAST = {**SMALL, "max_epochs": 1, "random_state": 0, "vocab_size": 60, "verbose": 0}


@pytest.fixture(scope="module")
def qa():
    return ElectraQuestionAnswerer(**FAST).fit(X, Y)


def test_defaults_are_the_references_squad_settings():
    # the reference's SQuAD settings (sklearn_electra.recipe, which cites them):
    # max_seq_length 512, doc_stride 128, max_query_length 64, max_answer_length 30
    params = inspect.signature(ElectraQuestionAnswerer).parameters
    defaults = {name: params[name].default for name in
                ("max_length", "doc_stride", "max_question_length", "max_answer_length",
                 "null_threshold")}
    assert defaults == {"max_length": 512, "doc_stride": 128, "max_question_length": 64,
                        "max_answer_length": 30, "null_threshold": 0.0}
    assert {name: getattr(ElectraQuestionAnswerer(), name) for name in defaults} == defaults
    given = ElectraQuestionAnswerer("small", max_length=64, doc_stride=8, max_question_length=9,
                                    max_answer_length=7, null_threshold=1.5)
    assert (given.model, given.max_length, given.doc_stride, given.max_question_length,
            given.max_answer_length, given.null_threshold) == ("small", 64, 8, 9, 7, 1.5)
    assert ElectraQuestionAnswerer().__sklearn_tags__().target_tags.required is True


@pytest.mark.parametrize("params, message", [
    ({"doc_stride": 21}, "doc_stride=21 must be below max_length - max_question_length - 3 = 21: "
                         "the context tokens a window holds beside the longest question (and "
                         "[CLS], [SEP], [SEP]). Lower doc_stride or max_question_length, or raise "
                         "max_length."),
    ({"doc_stride": -1}, "The 'doc_stride' parameter of ElectraQuestionAnswerer must be an int in "
                         "the range [0, inf). Got -1 instead."),
    ({"max_question_length": 0}, "The 'max_question_length' parameter of ElectraQuestionAnswerer "
                                 "must be an int in the range [1, inf). Got 0 instead."),
    ({"max_answer_length": 0}, "The 'max_answer_length' parameter of ElectraQuestionAnswerer must "
                               "be an int in the range [1, inf). Got 0 instead."),
    # the span loss has no parameters: a criterion__ one is refused, not passed to it
    ({"criterion__weight": 2}, "criterion__weight sets nothing: ElectraQuestionAnswerer's span loss "
                               "has no parameters. Use fit(..., sample_weight=) to weigh questions."),
    ({"null_threshold": "high"}, "The 'null_threshold' parameter of ElectraQuestionAnswerer must be "
                                 "a float in the range (-inf, inf). Got 'high' instead."),
])
def test_parameters_are_checked_at_fit(params, message):
    with pytest.raises(ValueError) as info:
        ElectraQuestionAnswerer(**{**FAST, **params}).fit(X, Y)
    assert str(info.value) == message


@pytest.mark.filterwarnings("ignore::sklearn_electra.TextTruncationWarning")  # questions of 1 token
@pytest.mark.parametrize("params", [{"doc_stride": 20}, {"doc_stride": 0, "max_question_length": 1,
                                                          "max_answer_length": 1},
                                    {"null_threshold": -3.5}])
def test_values_inside_the_constraints_fit(params):
    fitted = ElectraQuestionAnswerer(**{**FAST, **params}).fit(X, Y)
    assert fitted.predict(X[:2]).shape == (2,)


# ------------------------------------------------------------ inputs
def test_an_answer_on_no_token_is_refused_with_its_place(qa):
    context = "Ann ran \u200b home."  # the zero-width space is no token
    with pytest.raises(ValueError) as info:
        qa._make_dataset([("Who?", context)], qa._validate_targets(
            [{"text": ["\u200b"], "answer_start": [8]}], [("Who?", context)], reset=False))
    assert str(info.value) == (
        f"y[0]: the answer {repr(chr(0x200B))} (characters 8-9) covers no token of its context (1 such "
        "answers): the tokenizer drops it (whitespace, control characters). Fix or drop these "
        "answers.")


def test_long_questions_are_cut_with_one_warning_that_counts_them(qa):
    long_question = "who " * 20 + "ran?"
    with pytest.warns(TextTruncationWarning) as record:
        qa.predict([(long_question, "Ann ran home."), ("Who ran?", "Ann ran home."),
                    (long_question, "Bob sang.")])
    assert len(record) == 1
    message = str(record[0].message)
    assert message.startswith("2 of 3 questions are longer than max_question_length=8 tokens")
    assert message.endswith("Raise max_question_length to keep them whole (each window then "
                            "holds less context).")


# ------------------------------------------------------------ model and loss
def test_the_head_stacks_start_then_end_logits(qa):
    output = types.SimpleNamespace(start_logits=torch.tensor([[1.0, 2.0]]),
                                   end_logits=torch.tensor([[3.0, 4.0]]))
    assert qa._head(output, None).tolist() == [[[1.0, 3.0], [2.0, 4.0]]]


def test_the_loss_weighs_windows_by_their_sample_weight(qa, monkeypatch):
    assert isinstance(qa.criterion_, SpanLoss)
    seen = []
    monkeypatch.setattr(qa, "criterion_", lambda pred, true, weight: seen.append(weight) or 7.0)
    weight = torch.tensor([2.0])
    assert qa.get_loss(torch.zeros(1, 3, 2), torch.zeros(1, 3), X={"sample_weight": weight}) == 7.0
    assert qa.get_loss(torch.zeros(1, 3, 2), torch.zeros(1, 3), X={}) == 7.0
    assert qa.get_loss(torch.zeros(1, 3, 2), torch.zeros(1, 3), X=None) == 7.0
    assert seen[0] is weight and seen[1:] == [None, None]


def test_the_served_tokenizer_overflows_the_context_by_doc_stride(qa):
    assert qa._serving_truncation() == {"strategy": "only_second", "stride": 4}


# ------------------------------------------------------------ answers
SPANS = [([(5.0, 0, 3), (4.0, 4, 7)], 1.0),  # a span well above the null score
         ([], 2.0),                          # no span at all
         ([(1.0, 0, 3), (0.5, 4, 8)], 3.0)]  # null 2 above the best span


@pytest.fixture
def ranked(qa, monkeypatch):
    """The estimator with ``best_spans`` answering ``SPANS``; the calls are recorded."""
    calls = []

    def best_spans(dataset, rows, max_answer_length, n_best):
        calls.append((len(rows), max_answer_length, n_best))
        return SPANS

    monkeypatch.setattr(qa_module, "best_spans", best_spans)
    return calls


CONTEXTS = [("q0", "Ann ran home."), ("q1", "Bob sang loudly."), ("q2", "Cid ate lunch now.")]


def test_no_answer_wins_when_the_null_score_beats_the_best_span_by_the_threshold(qa, ranked,
                                                                                 monkeypatch):
    inputs, answers = qa._ranked_answers(CONTEXTS, 2)
    assert inputs == CONTEXTS and ranked == [(3, 30, 2)]
    assert answers == [([(5.0, 0, 3), (4.0, 4, 7)], 1.0), ([(2.0, -1, -1)], 2.0),
                       ([(3.0, -1, -1), (1.0, 0, 3)], 3.0)]
    monkeypatch.setattr(qa, "null_threshold", 2.0)  # a difference of exactly 2 still answers
    assert qa._ranked_answers(CONTEXTS, 2)[1][2] == ([(1.0, 0, 3), (0.5, 4, 8)], 3.0)


def test_predict_slices_each_context_or_answers_nothing(qa, ranked):
    answers = qa.predict(CONTEXTS)
    assert answers.tolist() == ["Ann", "", ""] and answers.dtype == object
    assert ranked[0][2] == 1


def test_predict_spans_rows_and_columns(qa, ranked):
    frame = qa.predict_spans(CONTEXTS, n_best=np.int64(2))
    assert frame.columns.tolist() == ["question", "rank", "start", "end", "text", "score",
                                      "null_score"]
    assert frame.values.tolist() == [
        [0, 0, 0, 3, "Ann", 5.0, 1.0], [0, 1, 4, 7, "ran", 4.0, 1.0],
        [1, 0, -1, -1, "", 2.0, 2.0],
        [2, 0, -1, -1, "", 3.0, 3.0], [2, 1, 0, 3, "Cid", 1.0, 3.0]]
    assert frame.dtypes.tolist()[:4] == [np.int64] * 4
    assert frame.dtypes.tolist()[5:] == [np.float64] * 2
    assert ranked[0][2] == 2 and type(ranked[0][2]) is int


@pytest.mark.parametrize("n_best", [0, -1, 1.0, True, "2", None])
def test_n_best_must_be_a_positive_integer(qa, n_best):
    with pytest.raises(ValueError) as info:
        qa.predict_spans(CONTEXTS, n_best=n_best)
    assert str(info.value) == f"n_best must be a positive integer; got {n_best!r}."


def test_score_is_squads_f1_of_the_predictions(qa, monkeypatch):
    monkeypatch.setattr(qa, "predict", lambda X: np.array(["New York", ""], dtype=object))
    y = [{"text": ["New York City"], "answer_start": [0]}, {"text": [], "answer_start": []}]
    assert qa.score(["ignored"], y) == pytest.approx((0.8 + 1.0) / 2)
    assert qa.score(["ignored"], y) == squad_f1_score(y, ["New York", ""])


def test_a_real_fit_answers_with_spans_of_each_context(qa):
    frame = qa.predict_spans(X[:2], n_best=3)
    for row in frame.itertuples():
        context = X[row.question][1]
        assert row.text == (context[row.start:row.end] if row.start >= 0 else "")
    assert pd.Series(frame["question"]).value_counts().sort_index().tolist() == [3, 3]
    default = qa.predict_spans(X[:2])  # n_best=1: the answer predict gives, one row each
    assert default["rank"].tolist() == [0, 0]
    assert default["text"].tolist() == qa.predict(X[:2]).tolist()
