"""Generator augmentation: readable texts, the asked-for share of tokens replaced, labels aligned."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_electra import ElectraRTDPretrainer
from sklearn_electra.augment import augment_labeled, replace_tokens
from sklearn_electra.datasets import load_bbc_news

SPECIALS = ("[MASK]", "[UNK]", "[CLS]", "[SEP]", "[PAD]", "##")


@pytest.fixture(scope="module")
def pretrainer(reviews):
    train, _ = reviews
    return ElectraRTDPretrainer(max_length=64, vocab_size=2000, max_epochs=1, random_state=0).fit(
        train["text"])


@pytest.fixture(scope="module")
def english_pretrainer():
    train, _ = load_bbc_news()
    return ElectraRTDPretrainer(max_length=64, vocab_size=2000, max_epochs=1, random_state=0).fit(
        train["text"].head(150))


def _changed(tokenizer, original, variant):
    a, b = tokenizer.tokenize(original), tokenizer.tokenize(variant)
    assert len(a) == len(b)  # replacements never split or merge tokens
    return sum(x != y for x, y in zip(a, b)), len(a)


@pytest.mark.parametrize("replace_prob", [0.15, 0.3])
def test_replaces_about_replace_prob_of_the_tokens(pretrainer, reviews, replace_prob):
    texts = reviews[1]["text"].head(60).tolist()
    variants = pretrainer.augment(texts, n_variants=2, replace_prob=replace_prob, random_state=0)
    counts = np.array([_changed(pretrainer.tokenizer_, t, v) for t, vs in zip(texts, variants) for v in vs])
    assert counts[:, 0].sum() / counts[:, 1].sum() == pytest.approx(replace_prob, abs=0.03)
    assert all(len(vs) == 2 for vs in variants)


def test_chinese_stays_chinese_and_keeps_everything_not_replaced(pretrainer, reviews):
    texts = [t for t in reviews[1]["text"].tolist() if len(t) < 60][:30]
    for text, (variant,) in zip(texts, pretrainer.augment(texts, random_state=1)):
        assert not any(s in variant and s not in text for s in SPECIALS)
        tokens = pretrainer.tokenizer_.tokenize(text)
        if all(len(t) == 1 for t in tokens):  # one character per token: positions line up
            assert len(variant) == len(text)


def test_english_keeps_its_spacing_and_case(english_pretrainer):
    texts = load_bbc_news()[1]["text"].head(10).str.slice(0, 300).tolist()
    for text, (variant,) in zip(texts, english_pretrainer.augment(texts, replace_prob=0.2,
                                                                   random_state=0)):
        assert variant != text and not any(s in variant and s not in text for s in SPECIALS)
        words, new_words = text.split(), variant.split()
        assert len(new_words) == len(words)  # a word for a word: no spaces added or lost
        # Words left alone keep their case (the tokenizer lowercases; the text does not).
        assert all(v == w for w, v in zip(words, new_words) if v.lower() == w.lower())


def test_reproducible_with_random_state(pretrainer, reviews):
    texts = reviews[1]["text"].head(10).tolist()
    first = pretrainer.augment(texts, n_variants=3, random_state=7)
    assert first == pretrainer.augment(texts, n_variants=3, random_state=7)
    assert first != pretrainer.augment(texts, n_variants=3, random_state=8)


def test_random_replacement_baseline_has_the_same_rate(pretrainer, reviews):
    texts = reviews[1]["text"].head(60).tolist()
    variants = replace_tokens(pretrainer.tokenizer_, texts, replace_prob=0.15, random_state=0)
    counts = np.array([_changed(pretrainer.tokenizer_, t, v) for t, (v,) in zip(texts, variants)])
    assert counts[:, 0].sum() / counts[:, 1].sum() == pytest.approx(0.15, abs=0.03)


def test_augment_labeled_keeps_labels_aligned(pretrainer, reviews):
    train = reviews[0].head(20)
    X, y = augment_labeled(pretrainer, train["text"], train["label"], n_variants=2, random_state=0)
    assert len(X) == len(y) == 60 and isinstance(y, pd.Series)
    assert X[:20] == train["text"].tolist() and y.iloc[:20].tolist() == train["label"].tolist()
    assert y.iloc[20:].tolist() == np.repeat(train["label"].to_numpy(), 2).tolist()
    indicator = np.eye(2, dtype=int)[np.arange(20) % 2]
    X2, y2 = augment_labeled(pretrainer, train["text"], indicator, keep_original=False, random_state=0)
    assert len(X2) == 20 and (y2 == indicator).all()
    with pytest.raises(ValueError, match="X has 20 texts but y has 3 labels"):
        augment_labeled(pretrainer, train["text"], [1, 2, 3])


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(max_size=80), min_size=1, max_size=4))
def test_any_unicode_text_augments(pretrainer, texts):
    variants = pretrainer.augment(texts, n_variants=2, replace_prob=0.5, random_state=0)
    assert [len(v) for v in variants] == [2] * len(texts)
    assert all(isinstance(v, str) for vs in variants for v in vs)


def test_bad_arguments_get_clear_errors(pretrainer):
    with pytest.raises(ValueError, match="replace_prob=0 is out of range"):
        pretrainer.augment(["a"], replace_prob=0)
    with pytest.raises(ValueError, match="n_variants=0 is out of range"):
        pretrainer.augment(["a"], n_variants=0)
