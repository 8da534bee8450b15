"""ElectraTagger: alignment, windows, labels, evaluation, persistence, sklearn contract."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils import estimator_checks as ec
from transformers import AutoModelForTokenClassification, pipeline

from sklearn_electra import ElectraTagger, repair_bio, split_words
from sklearn_electra.data import inference_order
from sklearn_electra.datasets import load_peoples_daily
from sklearn_electra.windows import window_starts

from .conftest import fold_scores
from .test_sklearn_checks import APPLICABLE

FAST = dict(max_length=32, stride=8, vocab_size=2000, max_epochs=2, batch_size=16, lr=2e-3,
            random_state=0)


@pytest.fixture(scope="module")
def ner():
    train, test = load_peoples_daily("ner")
    return train.sample(300, random_state=0), test.sample(100, random_state=0)


@pytest.fixture(scope="module")
def tagger(ner):
    """A tiny tagger with short windows, so long sentences span many windows."""
    train, _ = ner
    return ElectraTagger(**FAST).fit(train["tokens"], train["tags"])


def test_learns_real_pos_tagging():
    train, test = load_peoples_daily("pos")
    train, test = train.sample(600, random_state=0), test.sample(150, random_state=0)
    tagger = ElectraTagger(**{**FAST, "max_length": 64, "max_epochs": 3}).fit(train["tokens"], train["tags"])
    flat = pd.Series([t for tags in train["tags"] for t in tags])
    test = test[test["tags"].map(lambda tags: set(tags) <= set(flat))]  # rare tags: see test below
    majority = flat.value_counts(normalize=True).iloc[0]
    assert tagger.score(test["tokens"], test["tags"]) > majority + 0.15  # token accuracy
    assert tagger.history_[-1, "train_loss"] < tagger.history_[0, "train_loss"]


def test_ner_score_is_entity_f1(tagger, ner):
    from seqeval.metrics import f1_score

    _, test = ner
    pred = tagger.predict(test["tokens"])
    assert tagger.score(test["tokens"], test["tags"]) == pytest.approx(f1_score(list(test["tags"]), pred))
    assert tagger._is_bio()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sentences=st.lists(
    st.one_of(
        st.lists(st.text(max_size=8), min_size=0, max_size=40),
        st.integers(1, 2000).map(lambda n: ["北", "京", "x", "", "🙂", "\x00"] * (n // 6 + 1))),
    min_size=1, max_size=4))
def test_every_token_gets_a_prediction(tagger, sentences):
    pred = tagger.predict(sentences)
    proba = tagger.predict_proba(sentences)
    assert [len(p) for p in pred] == [len(s) for s in sentences]
    assert [p.shape for p in proba] == [(len(s), len(tagger.classes_)) for s in sentences]
    assert all(set(p) <= set(tagger.classes_) for p in pred)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_labels_sit_on_first_subwords(tagger, data):
    n_tags = len(tagger.classes_)
    sentences = data.draw(st.lists(st.lists(st.text(max_size=12), max_size=60), min_size=1, max_size=3))
    targets = [np.array(data.draw(st.lists(st.integers(0, n_tags - 1), min_size=len(s), max_size=len(s))),
                        dtype=np.int64) for s in sentences]
    ds = tagger._make_dataset(sentences, targets)
    for s, (sentence, starts) in enumerate(zip(sentences, ds.word_starts)):
        seen = {}
        for k in np.flatnonzero(ds.groups == s):
            labels, offset = ds.labels[k], ds.offsets[k]
            assert len(ds.input_ids[k]) <= tagger.max_length and labels[0] == labels[-1] == -100
            for i in np.flatnonzero(labels != -100):
                seen.setdefault(offset + i - 1, set()).add(labels[i])
        # every word is labelled (on its first subword only), with its own tag
        assert sorted(seen) == sorted(starts.tolist())
        assert all(seen[p] == {targets[s][w]} for w, p in enumerate(starts))
        assert np.all(np.diff(starts) >= 1) and (len(starts) == 0 or starts[0] == 0)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 3000), budget=st.integers(2, 200), data=st.data())
def test_windows_cover_everything_with_overlap(n, budget, data):
    stride = data.draw(st.integers(0, budget - 1))
    # One layout for every estimator: tokenizers' overflowing encodings, which exports use.
    starts = window_starts(n, budget, stride)
    assert starts[0] == 0 and min(starts[-1] + budget, n) == n  # covers both ends
    if n <= budget:
        assert starts == [0]
        return
    assert starts == list(range(0, starts[-1] + 1, budget - stride))  # budget - stride apart
    assert starts[-1] < n - budget + (budget - stride)  # no window starts after the end is read
    assert starts[-2] + budget < n  # the last window is needed


def test_each_word_is_predicted_from_its_best_window(tagger, monkeypatch):
    """Fake logits that encode (window, position) and check the window chosen per word."""
    sentence = [str(i % 10) for i in range(90)]
    ds = tagger.get_dataset([sentence, ["7", "3"]])  # the short one runs first, padded
    assert len(ds) > 4

    def fake_forward_iter(dataset, **kwargs):
        # Batches of 3 windows in inference order, padded to their longest, as the
        # real iterator yields them; padding is marked -1 so reading it would show.
        order = inference_order(dataset.lengths)
        for at in range(0, len(order), 3):
            batch = order[at:at + 3]
            chunk = torch.full((len(batch), int(dataset.lengths[batch].max()), len(tagger.classes_)), -1.0)
            for i, k in enumerate(batch):
                chunk[i, :dataset.lengths[k], 0] = int(k)
                chunk[i, :dataset.lengths[k], 1] = torch.arange(int(dataset.lengths[k]))
            yield chunk

    monkeypatch.setattr(tagger, "forward_iter", fake_forward_iter)
    logits, sentences = tagger._word_logits(ds)
    assert sentences.tolist() == [0, 90, 92]
    assert logits[90:, :2].tolist() == [[len(ds) - 1, 1], [len(ds) - 1, 2]]
    sizes = ds.lengths[:-1] - 2
    for w, p in enumerate(ds.word_starts[0]):
        k, pos = int(logits[w, 0]), int(logits[w, 1]) - 1
        assert ds.offsets[k] + pos == p
        best = max(min(p - o, o + z - 1 - p) for o, z in zip(ds.offsets, sizes) if o <= p < o + z)
        assert min(pos, sizes[k] - 1 - pos) == best


def test_raw_strings_are_split_into_words(tagger):
    assert split_words("Apple is a company.") == ["Apple", "is", "a", "company", "."]
    assert split_words("我在北京") == ["我", "在", "北", "京"]
    pred = tagger.predict(["我在北京工作", ["我", "在"]])
    assert [len(p) for p in pred] == [6, 2]


def test_fix_bio_repairs_predictions(tagger, ner):
    _, test = ner
    repaired = clone(tagger).set_params(fix_bio=True)
    repaired.__dict__.update({k: v for k, v in vars(tagger).items() if k.endswith("_")})
    raw = tagger.predict(test["tokens"])
    assert repaired.predict(test["tokens"]) == [repair_bio(p) for p in raw]
    assert repair_bio(["I-PER", "O", "B-LOC", "I-LOC", "I-PER"]) == ["B-PER", "O", "B-LOC", "I-LOC", "B-PER"]


def test_non_bio_tags_score_token_accuracy():
    X = [["a", "b", "c"], ["b", "c"]] * 6
    y = [["x", "y", "z"], ["y", "z"]] * 6
    tagger = ElectraTagger(max_epochs=1, random_state=0).fit(X, y)
    assert not tagger._is_bio()
    pred = tagger.predict(X)
    expected = np.mean([p == t for ps, ts in zip(pred, y) for p, t in zip(ps, ts)])
    assert tagger.score(X, y) == pytest.approx(expected)


@pytest.mark.parametrize("X, y, error, match", [
    ("a sentence", [["O"]], ValueError, "string object received"),
    (["Apple", "is", "big"], [["B-ORG"], ["O"], ["O"]], ValueError, "flat list of strings"),
    ([["a", "b"]], [["O"]], ValueError, "Sentence 0 has 2 tokens but 1 tags"),
    ([["a"], ["b", "c"]], [["O"], ["O", "B-X", "O"]], ValueError, "Sentence 1 has 2 tokens but 3"),
    ([["a", 1]], [["O", "O"]], TypeError, r"X\[0\]\[1\] is an int, not a string token"),
    ([["a", "b"]], [["O", None]], TypeError, r"y\[0\]\[1\] is None, not a string tag"),
    ([["a", "b"]], ["O O"], TypeError, r"y\[0\] is a str"),
    ([["a", "b"]], [["O", "O"]], ValueError, "single tag 'O'"),
    ([["a"], ["b"]], [["O"]], ValueError, "X has 2 sentences but y has 1"),
    ([], [], ValueError, "X is empty"),
    (pd.DataFrame({"t": [["a"]]}), [["O"]], TypeError, "not a DataFrame"),
])
def test_bad_input(X, y, error, match):
    with pytest.raises(error, match=match):
        ElectraTagger(max_epochs=1).fit(X, y)


def test_empty_sentences_are_skipped_with_a_warning():
    X = [["a", "b"], [], ["c"], []]
    y = [["B-X", "I-X"], [], ["O"], []]
    with pytest.warns(UserWarning, match=r"Skipping 2 empty sentence\(s\) \(indices \[1, 3\]\)"):
        tagger = ElectraTagger(max_epochs=1, validation_fraction=None).fit(X, y)
    assert tagger.predict([[], ["a"]])[0] == []


def test_unseen_tags_at_score_time(tagger, ner):
    _, test = ner
    tokens = test["tokens"].iloc[0]
    with pytest.raises(ValueError, match=r"tags not seen in fit: \['B-MISC'\]"):
        tagger.score([tokens], [["B-MISC"] + ["O"] * (len(tokens) - 1)])


def test_stride_must_fit_in_the_window():
    with pytest.raises(ValueError, match="stride=30 must be below max_length - 2 = 30"):
        ElectraTagger(max_length=32, stride=30).fit([["a", "b"]], [["O", "B-X"]])


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="This ElectraTagger instance is not initialized yet"):
        ElectraTagger().predict([["a"]])


def test_pickle_clone_and_pandas_input(tagger, ner):
    _, test = ner
    again = pickle.loads(pickle.dumps(tagger))
    for a, b in zip(again.predict_proba(test["tokens"]), tagger.predict_proba(test["tokens"])):
        np.testing.assert_array_equal(a, b)
    assert tagger.predict(pd.Series(list(test["tokens"]))) == tagger.predict(list(test["tokens"]))
    copy = clone(tagger)
    assert copy.get_params(deep=False) == tagger.get_params(deep=False)
    with pytest.raises(NotFittedError, match="This ElectraTagger instance is not initialized yet"):
        copy.predict([["a"]])


def test_save_and_load_as_hf_token_classifier(tagger, ner, tmp_path):
    _, test = ner
    tagger.save_pretrained(tmp_path)
    loaded = ElectraTagger.from_pretrained(tmp_path)
    assert loaded.stride == tagger.stride and loaded.classes_.tolist() == tagger.classes_.tolist()
    for a, b in zip(loaded.predict_proba(test["tokens"]), tagger.predict_proba(test["tokens"])):
        np.testing.assert_array_equal(a, b)
    model = AutoModelForTokenClassification.from_pretrained(tmp_path)
    assert set(model.config.id2label.values()) == set(tagger.classes_)
    ner_pipe = pipeline("token-classification", model=str(tmp_path), device="cpu")
    assert all(e["entity"] in set(tagger.classes_) for e in ner_pipe("我在北京工作"))


def test_fine_tunes_from_a_classifier_checkpoint(fitted, tmp_path):
    fitted.save_pretrained(tmp_path)
    tagger = ElectraTagger(model=str(tmp_path), max_epochs=1).fit([["很", "好"], ["不", "好"]] * 4,
                                                                   [["O", "B-X"], ["O", "O"]] * 4)
    assert tagger.module_.config.num_labels == 2
    assert tagger.tokenizer_.get_vocab() == fitted.tokenizer_.get_vocab()


def test_grid_search_with_kfold(ner):
    train, _ = ner
    X, y = list(train["tokens"][:90]), list(train["tags"][:90])
    search = GridSearchCV(ElectraTagger(**{**FAST, "max_epochs": 1}), {"lr": [1e-3, 3e-3]},
                          cv=KFold(2, shuffle=True, random_state=0)).fit(X, y)
    # Each setting's score is its folds' entity F1, as fitting each fold by hand gives it.
    for lr, score in zip((1e-3, 3e-3), search.cv_results_["mean_test_score"]):
        by_hand = fold_scores(ElectraTagger(**{**FAST, "max_epochs": 1, "lr": lr}), X, y,
                              KFold(2, shuffle=True, random_state=0))
        assert score == by_hand.mean()


def test_validation_split_keeps_windows_of_a_sentence_together(tagger, ner):
    train, _ = ner
    ds = tagger._make_dataset(list(train["tokens"]), tagger._validate_targets(train["tags"], list(train["tokens"]), reset=False))
    fit_part, valid_part = tagger.get_split_datasets(ds, seed=0)
    assert not set(fit_part.groups) & set(valid_part.groups)
    assert len(fit_part) + len(valid_part) == len(ds)


@pytest.mark.parametrize("check", APPLICABLE)
def test_sklearn_check(check):
    getattr(ec, check)("ElectraTagger", ElectraTagger(max_epochs=1, random_state=0))
