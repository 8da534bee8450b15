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


# ---------------------------------------------------------------- replace_tokens, drawn by hand
_SMALL = None


def _small():
    """A tokenizer with ~20 whole words, one punctuation mark and a word left in pieces."""
    global _SMALL
    if _SMALL is None:
        from sklearn_electra import train_wordpiece

        _SMALL = train_wordpiece(["the cat sat on a mat and the dog ran far away ."] * 3 + ["xylophone"],
                                 vocab_size=60)
    return _SMALL


def _favouring(tokenizer, tokens, logit):
    ids = tokenizer.convert_tokens_to_ids(tokens)

    def propose(rows, is_masked):
        out = np.zeros((int(is_masked.sum()), len(tokenizer)))
        out[:, ids] = logit
        return out
    return propose


def test_token_kinds():
    from sklearn_electra.augment import _CJK, _PIECE, _PUNCT, _WORD, _kind

    assert [_kind(t) for t in ("##ing", "##", ".", "。", "中", "cat", "é", "\x00")] == \
        [_PIECE, _WORD, _PUNCT, _PUNCT, _CJK, _WORD, _WORD, _WORD]


def test_every_chosen_word_changes_even_to_a_proposal_of_itself():
    tok = _small()
    text = "the cat sat on the mat"
    words = text.split()
    # the model proposes the text's own words, far above everything else
    [variant] = replace_tokens(tok, [text], replace_prob=1.0, random_state=0,
                               propose=_favouring(tok, words, 50.0))[0]
    new = variant.split()
    assert len(new) == len(words) and all(a != b for a, b in zip(words, new))
    assert set(new) <= set(words)  # what the model proposed, never the token itself


def test_a_kind_with_no_other_token_keeps_its_own():
    tok = _small()  # "." is the only punctuation mark the vocabulary has
    variants = replace_tokens(tok, ["the cat ."], n_variants=5, replace_prob=1.0, random_state=0)[0]
    assert all(v.endswith(" .") and v.split()[:2] != ["the", "cat"] for v in variants)
    assert all(a != b for v in variants for a, b in zip(v.split()[:2], ["the", "cat"]))


@pytest.mark.parametrize("temperature, weight", [(None, 20.0), (2.0, 20.0 ** 0.5)])
def test_draws_follow_the_softmax_of_the_logits_over_the_temperature(temperature, weight):
    tok = _small()
    kwargs = {} if temperature is None else {"temperature": temperature}
    variants = replace_tokens(tok, ["the"], n_variants=4000, replace_prob=1.0, random_state=0,
                              propose=_favouring(tok, ["cat"], np.log(20.0)), **kwargs)[0]
    assert len(set(variants)) == 19  # every other whole word of the vocabulary can come
    expected = weight / (weight + 18)  # "cat" against the 18 other words, logit 0 each
    assert np.mean([v == "cat" for v in variants]) == pytest.approx(expected, abs=0.025)


def test_the_model_sees_windows_of_cls_text_sep_with_masks_only_inside():
    tok = _small()
    seen = []

    def spy(rows, is_masked):
        seen.append((rows.copy(), is_masked.copy()))
        return np.zeros((int(is_masked.sum()), len(tok)))

    # "xylophone" is 9 pieces (never replaced): the first two windows of 4 have nothing masked
    text = "xylophone the cat sat on the mat"
    [variant] = replace_tokens(tok, [text], replace_prob=1.0, random_state=0, propose=spy, window=4)[0]
    assert variant.startswith("xylophone ") and all(
        a != b for a, b in zip(variant.split()[1:], text.split()[1:]))
    for rows, is_masked in seen:
        assert rows.shape[1] <= 6 and (rows[:, 0] == tok.cls_token_id).all()
        assert (rows[:, -1] == tok.sep_token_id).all() and (rows == tok.cls_token_id).sum() == len(rows)
        assert not is_masked[:, [0, -1]].any() and (rows[is_masked] == tok.mask_token_id).all()
    seen.clear()
    replace_tokens(tok, ["the " * 600], random_state=0, propose=spy)  # the default window
    assert [rows.shape[1] for rows, _ in seen] == [512, 92]


def test_the_default_rate_replaces_15_percent():
    tok = _small()
    text = "the cat " * 55  # 110 whole words
    variants = replace_tokens(tok, [text], n_variants=40, random_state=0)[0]
    changed = [sum(a != b for a, b in zip(text.split(), v.split())) for v in variants]
    assert set(changed) == {16, 17}  # floor(0.15 * 110 + u) for u uniform in [0, 1): 16.5 on average


def test_empty_texts_and_pairs():
    from sklearn_electra.augment import augment_labeled

    assert replace_tokens(_small(), ["", "  "], n_variants=2, random_state=0) == [["", ""], ["  ", "  "]]
    for call in (lambda: replace_tokens(_small(), [("a", "b")]),
                 lambda: augment_labeled(None, [("a", "b")], [0])):
        with pytest.raises(TypeError, match=r"^X\[0\] is a tuple of 2 items, not a string\.$"):
            call()


def test_augment_labeled_passes_the_augmentation_settings_on():
    from sklearn_electra.augment import augment_labeled

    class Recorder:
        def augment(self, texts, n_variants, **kwargs):
            self.kwargs = kwargs
            return [[f"{t} {i}" for i in range(n_variants)] for t in texts]

    recorder = Recorder()
    X, y = augment_labeled(recorder, ["a", "b"], np.array([1, 0]), n_variants=2, replace_prob=0.3,
                           random_state=1)
    assert recorder.kwargs == {"replace_prob": 0.3, "random_state": 1}
    assert X == ["a", "b", "a 0", "a 1", "b 0", "b 1"] and y.tolist() == [1, 0, 1, 1, 0, 0]
