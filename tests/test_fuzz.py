"""Fuzzing every estimator's inputs: each call succeeds, or raises a ValueError/TypeError that
names the problem. Never a stack trace from deep inside torch or tokenizers."""

import os
import re
import traceback
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import sklearn_electra
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sklearn_electra import (ElectraClassifier, ElectraEmbedder, ElectraQuestionAnswerer, ElectraRegressor,
                             ElectraRTDPretrainer, ElectraTagger, split_words)

from .conftest import FAST

# Examples tried per test, reported at the end of the module (pytest -s) and in the notes.
TRIED = Counter()
# FUZZ_SCALE=10 runs ten times as many examples (a longer local campaign).
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))

NASTY = ["", " ", "\t\n", "\x00", "\x00abc\x00", "\u200b\u200c\u200d\ufeff", "\u202eabc\u202c",
         "مرحبا بالعالم", "שלום", "e\u0301\u0301\u0301", "🙂👩‍👩‍👧‍👦🏳️‍🌈", "\ud7ff\ue000\uffff",
         "Ａｂｃ１２３", "\x1b[31mred\x1b[0m", "a" * 100_000, "中文" * 50_000]
texts = st.one_of(st.text(max_size=100), st.sampled_from(NASTY),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
not_texts = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), st.integers(), st.floats(),
                      st.booleans(), st.binary(max_size=5), st.just(["a", "b", "c"]), st.just({"a": 1}))
elements = st.one_of(texts, texts, texts, not_texts)
# Half the batches are all texts (must succeed), half may hold anything.
batches = st.one_of(st.lists(texts, min_size=1, max_size=6), st.lists(elements, max_size=6))


def _containers(items):
    """The same items in the containers users pass: lists, numpy arrays, pandas objects."""
    out = [list(items), tuple(items), np.array(items + [None], dtype=object)[:-1], pd.Series(items, dtype=object),
           pd.DataFrame({"text": pd.Series(items, dtype=object)})]
    if all(isinstance(t, str) for t in items):
        out += [np.array(items, dtype=str), pd.Series(items, dtype="string"),
                pd.Series(items, dtype="category"), pd.Index(items)]
    elif all(isinstance(t, str) or t is None or t is pd.NA for t in items):
        out.append(pd.Series(items, dtype="string"))  # pd.NA for the missing ones
    return out


def _is_valid_text_list(items):
    return len(items) > 0 and all(isinstance(t, str) for t in items)


PACKAGE = os.path.dirname(sklearn_electra.__file__)


def _assert_clear(exc, pattern):
    """Our own error for this input: a ValueError/TypeError raised by the package's checks
    (not numpy's "setting an array element..." or torch's shape errors passing through),
    whose message matches what the package says about this input."""
    message = str(exc)
    assert isinstance(exc, (ValueError, TypeError)), repr(exc)
    origin = traceback.extract_tb(exc.__traceback__)[-1].filename
    assert os.path.abspath(origin).startswith(PACKAGE + os.sep), f"raised in {origin}: {message}"
    assert re.search(pattern, message), f"{message!r} does not match {pattern!r}"
    assert "Traceback" not in message and len(message) < 2000


def _first(items, bad):
    return next(i for i, item in enumerate(items) if bad(item))


def _texts_error(items, allow_pairs=True):
    """What the package says about a batch of texts that is not one: the first bad row."""
    if len(items) == 0:
        return r"^X is empty: at least one text is required\."
    if allow_pairs and isinstance(items[0], (list, tuple)):  # read as pairs; no drawn pair is valid
        i = _first(items, lambda t: not (isinstance(t, (list, tuple)) and len(t) == 2))
        return rf"^X\[{i}\] is .*, but X\[0\] is a text pair"
    i = _first(items, lambda t: not isinstance(t, str))
    return rf"^X\[{i}\] is .*, not a string\."


def _sentences_error(batch):
    """The first sentence that is neither a text nor a list of string tokens."""
    if len(batch) == 0:
        return r"^X is empty: at least one sentence is required\."
    i = _first(batch, lambda s: not (isinstance(s, str) or (isinstance(s, list)
                                                             and all(isinstance(t, str) for t in s))))
    if isinstance(batch[i], list):
        j = _first(batch[i], lambda t: not isinstance(t, str))
        return rf"^X\[{i}\]\[{j}\] is .*, not a string token\."
    return rf"^X\[{i}\] is .*; expected a list of tokens\."


# How the package names a bad y: the row, the column, or the mismatch.
Y_ERROR = (r"^(y\b|y\[|Column \d+ of y|column '.+' of y |X has \d+ texts but y has \d+ (labels|label lists|rows)"
           r"|A multi-label y|Labels must be mutually sortable; (y|column '.+' of y) mixes)")


# Texts and questions of any length are drawn here, so many are cut: the property under test
# is which exceptions bad input gets. Whether a cut is reported (once, with the count) is
# test_properties.py's property.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn_electra.TextTruncationWarning")

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def embedder(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("embed") / "model"
    fitted.save_pretrained(path)
    return ElectraEmbedder.from_pretrained(path)


@pytest.fixture(scope="module")
def tagger(reviews):
    train, _ = reviews
    tokens = [list(t[:40]) for t in train["text"][:80]]
    tags = [["P" if c in "，。！？" else "O" for c in s] for s in tokens]
    return ElectraTagger(**{**FAST, "max_epochs": 1}).fit(tokens, tags)


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    print("\nfuzz examples tried:", dict(TRIED), "total", sum(TRIED.values()))


@settings(max_examples=int(60 * SCALE), **SETTINGS)
@given(items=batches, which=st.integers(0, 8))
def test_classifier_and_embedder_inference_on_anything(fitted, embedder, items, which):
    containers = _containers(items)
    X = containers[which % len(containers)]
    TRIED["predict/transform"] += 1
    for call, width in ((fitted.predict_proba, 2), (embedder.transform, embedder.n_features_out_)):
        try:
            out = call(X)
        except Exception as exc:  # noqa: BLE001 - the property is about which exceptions
            assert not _is_valid_text_list(items), f"valid input rejected: {exc!r}"
            _assert_clear(exc, _texts_error(items))
        else:
            assert _is_valid_text_list(items)
            assert out.shape == (len(items), width) and np.isfinite(out).all()
            TRIED[f"{call.__name__}: succeeded"] += 1


labels = st.one_of(st.sampled_from(["pos", "neg", "中性", ""]), st.integers(-2, 2), st.booleans(),
                   st.floats(allow_nan=True, allow_infinity=False, width=16), st.none(),
                   st.just(pd.NA))


@settings(max_examples=int(25 * SCALE), **SETTINGS)
@given(data=st.data(), which=st.integers(0, 8))
def test_classifier_fit_on_anything(data, which):
    if data.draw(st.booleans(), label="well-formed"):
        items = data.draw(st.lists(texts, min_size=2, max_size=5), label="texts")
        kind = data.draw(st.sampled_from([str, int, bool]), label="label type")
        y = [kind(i % 2) if kind is not str else ["pos", "neg"][i % 2] for i in range(len(items))]
    else:
        items = data.draw(st.lists(elements, min_size=1, max_size=5), label="items")
        y = data.draw(st.lists(labels, min_size=1, max_size=5), label="y")
    containers = _containers(items)
    X = containers[which % len(containers)]
    TRIED["classifier fit"] += 1
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1, "vocab_size": 100}, validation_fraction=None)
    try:
        clf.fit(X, y)
    except Exception as exc:  # noqa: BLE001
        if not _is_valid_text_list(items):
            _assert_clear(exc, _texts_error(items))  # X is checked before y
        elif len(y) != len(items):
            _assert_clear(exc, rf"^X has {len(items)} texts but y has {len(y)} ")
        else:
            _assert_clear(exc, Y_ERROR)
    else:
        assert _is_valid_text_list(items) and len(y) == len(items)
        assert len(set(map(repr, clf.classes_))) >= 2
        assert clf.predict(X).shape == (len(items),)
        TRIED["classifier fit: succeeded"] += 1


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                    st.booleans(), st.none(), st.just("3.5"), st.just(pd.NA))
label_lists = st.lists(st.sampled_from(["a", "b", "中", "", 1]), max_size=3)
targets = st.one_of(
    st.lists(numbers, min_size=1, max_size=5),                                    # regression
    st.lists(st.lists(numbers, min_size=2, max_size=2), min_size=1, max_size=5),   # two targets
    st.lists(st.lists(st.sampled_from([0, 1]), min_size=3, max_size=3), min_size=1, max_size=5),
    st.lists(st.one_of(label_lists, label_lists, st.sampled_from(["a", None, 2.5])), min_size=1,
             max_size=5),                                                         # label lists
)


@settings(max_examples=int(30 * SCALE), **SETTINGS)
@given(y=targets, extra=st.sampled_from([0, 0, 0, 1]), regress=st.booleans(), frame=st.booleans())
# Each once raised from scikit-learn or from a bare next(): infinite labels, in one column and
# in two, and an integer-valued float beyond int64 (continuous to scikit-learn).
@example(y=[float("inf")], extra=0, regress=False, frame=False)
@example(y=[[0.0, float("inf")]], extra=0, regress=False, frame=False)
@example(y=[[0.0, 9.223372036854776e18]], extra=0, regress=False, frame=False)
@example(y=[[0.0, 9.223372036854776e18]], extra=0, regress=False, frame=True)  # a column's name
@example(y=[[0.0, 0.0], [0.0, "3.5"]], extra=0, regress=False, frame=True)
@example(y=[[]], extra=0, regress=True, frame=False)  # no columns: numpy's empty max()
def test_regressor_and_multilabel_fit_on_any_targets(y, extra, regress, frame):
    n = len(y) + extra
    X = [f"text {i} 文本" for i in range(n)]
    if frame and all(isinstance(row, list) and len(row) == len(y[0]) for row in y):
        y = pd.DataFrame(y, columns=[f"c{j}" for j in range(len(y[0]))]) if y[0] else y
    estimator = ElectraRegressor if regress else ElectraClassifier
    TRIED[f"{estimator.__name__} targets"] += 1
    est = estimator(**{**FAST, "max_epochs": 1, "vocab_size": 100}, validation_fraction=None)
    try:
        est.fit(X, y)
    except Exception as exc:  # noqa: BLE001
        if len(y) != n:
            _assert_clear(exc, rf"^X has {n} texts but y has {len(y)} ")
        else:
            _assert_clear(exc, Y_ERROR)
    else:
        out = est.predict(X)
        assert len(out) == n
        if regress:
            assert np.isfinite(out).all()
        TRIED[f"{estimator.__name__} targets: succeeded"] += 1


tokens = st.one_of(st.text(max_size=12), st.sampled_from(NASTY[:-2]), st.just("x" * 5000))
sentences = st.lists(st.one_of(tokens, tokens, tokens, not_texts), max_size=30)


@settings(max_examples=int(40 * SCALE), **SETTINGS)
@given(batch=st.one_of(st.lists(st.one_of(st.lists(tokens, max_size=30), texts), min_size=1, max_size=4),
                      st.lists(st.one_of(sentences, texts, not_texts), max_size=4)))
def test_tagger_predict_on_anything(tagger, batch):
    TRIED["tagger predict"] += 1
    try:
        out = tagger.predict(batch)
    except Exception as exc:  # noqa: BLE001
        ok = batch and all(isinstance(s, str) or (isinstance(s, list) and all(isinstance(t, str) for t in s))
                           for s in batch)
        assert not ok, f"valid input rejected: {exc!r}"
        _assert_clear(exc, _sentences_error(batch))
    else:
        for sentence, tags in zip(batch, out):
            n = len(sentence) if isinstance(sentence, list) else len(split_words(sentence))
            assert len(tags) == n and set(tags) <= set(tagger.classes_)
        TRIED["tagger predict: succeeded"] += 1


@settings(max_examples=int(12 * SCALE), **SETTINGS)
@given(corpus=st.one_of(st.lists(texts, min_size=1, max_size=8).map(lambda t: t + NASTY[:12]),
                        st.lists(elements, max_size=8)))
@example(corpus=[["a", "b", "c"]])  # a list in X: a bad row for the pretrainer, not a pair
def test_pretrainer_fit_on_anything(corpus):
    TRIED["pretrainer fit"] += 1
    pre = ElectraRTDPretrainer(**{**FAST, "max_epochs": 1, "vocab_size": 100, "max_length": 16})
    try:
        pre.fit(corpus)
    except Exception as exc:  # noqa: BLE001
        if _is_valid_text_list(corpus):  # texts, but not enough of them to pretrain on
            _assert_clear(exc, r"^The corpus holds \d+ tokens, too few to fill one sequence of "
                               r"max_length=16\. Add text or lower max_length\.")
        else:  # the pretrainer reads single texts: a list in X is a bad row, not a pair
            _assert_clear(exc, _texts_error(corpus, allow_pairs=False))
    else:
        assert _is_valid_text_list(corpus)
        assert pre.history_[-1, "tokens_seen"] > 0
        TRIED["pretrainer fit: succeeded"] += 1


contexts = st.one_of(st.text(max_size=100), st.sampled_from(NASTY[:-2]), st.just("长文" * 2500),
                     st.text(alphabet=st.characters(codec="utf-8"), max_size=40))


@st.composite
def qa_rows(draw, well_formed):
    """A (question, context) row and its answer: well formed (texts; a slice of the context
    as the answer, or none), or anything at all."""
    question = draw(texts if well_formed else st.one_of(texts, not_texts))
    context = draw(contexts if well_formed else st.one_of(contexts, not_texts))
    kind = draw(st.sampled_from(["slice", "slice", "none"] + ([] if well_formed else ["anything"])))
    if kind == "slice" and isinstance(context, str) and context:
        start = draw(st.integers(0, len(context) - 1))
        end = draw(st.integers(start + 1, min(len(context), start + 20)))
        answer = {"text": [context[start:end]], "answer_start": [start]}
    elif kind in ("none", "slice"):
        answer = draw(st.sampled_from([{"text": [], "answer_start": []}, "", []]))
    else:
        answer = draw(st.one_of(not_texts, texts, st.fixed_dictionaries(
            {"text": st.lists(st.one_of(texts, not_texts), max_size=2),
             "answer_start": st.lists(st.one_of(st.integers(-5, 50), not_texts), max_size=2)})))
    return (question, context), answer


@settings(max_examples=int(25 * SCALE), **SETTINGS)
@given(rows=st.booleans().flatmap(lambda ok: st.lists(qa_rows(ok), min_size=1, max_size=4)),
       frame=st.booleans())
def test_question_answerer_fit_on_anything(rows, frame):
    X = [x for x, _ in rows]
    y = [a for _, a in rows]
    if frame:
        X = pd.DataFrame(X, columns=["question", "context"])
    TRIED["QA fit"] += 1
    qa = ElectraQuestionAnswerer(**{**FAST, "max_epochs": 1, "vocab_size": 100}, doc_stride=8,
                                 max_question_length=8, validation_fraction=None)
    try:
        qa.fit(X, y)
    except Exception as exc:  # noqa: BLE001
        bad = next((i for i, ((q, c), _) in enumerate(rows)
                    if not (isinstance(q, str) and isinstance(c, str))), None)
        if bad is not None:  # the rows are checked before the answers
            part = "question" if not isinstance(rows[bad][0][0], str) else "context"
            _assert_clear(exc, rf"^The {part} of X\[{bad}\] is .*, not a string\.")
        else:
            _assert_clear(exc, r"^y\[\d+\]")
    else:
        spans = qa.predict_spans(X, n_best=2)
        for row in spans.itertuples():
            context = rows[row.question][0][1]
            assert context[max(row.start, 0):max(row.end, 0)] == row.text
        assert len(qa.predict(X)) == len(rows)
        TRIED["QA fit: succeeded"] += 1
