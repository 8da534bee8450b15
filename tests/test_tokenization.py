import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers import AutoTokenizer

from sklearn_electra.tokenization import SPECIAL_TOKENS, Truncation, encode_texts, train_wordpiece


def test_training_is_deterministic(reviews):
    texts = reviews[0]["text"].tolist() + ["The quick brown fox jumps over the lazy dog."] * 3
    a = train_wordpiece(texts, vocab_size=1500)
    b = train_wordpiece(texts, vocab_size=1500)
    assert a.get_vocab() == b.get_vocab()
    assert len(a) <= 1500


def test_vocabulary_holds_specials_and_merges():
    tok = train_wordpiece(["unbelievable unbelievably believable"] * 5, vocab_size=60)
    vocab = tok.get_vocab()
    assert all(s in vocab for s in SPECIAL_TOKENS)
    # frequent words become single tokens once enough merges are allowed
    assert tok.tokenize("unbelievable") == ["unbelievable"]


def test_cjk_is_split_per_character():
    tok = train_wordpiece(["我很喜欢这个手机", "手机电池不好"], vocab_size=100)
    assert tok.tokenize("喜欢手机") == ["喜", "欢", "手", "机"]


def test_lowercase_option():
    cased = train_wordpiece(["Apple apple"] * 3, vocab_size=50, lowercase=False)
    assert "Apple" in cased.get_vocab() and "apple" in cased.get_vocab()
    uncased = train_wordpiece(["Apple apple"] * 3, vocab_size=50)
    assert "Apple" not in uncased.get_vocab()


def test_survives_save_and_reload(tmp_path, reviews):
    tok = train_wordpiece(reviews[0]["text"].tolist(), vocab_size=800, lowercase=False)
    tok.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    texts = reviews[1]["text"].tolist()[:50] + ["Mixed CASE text 混合"]
    assert again(texts)["input_ids"] == tok(texts)["input_ids"]
    assert again("a", "b")["token_type_ids"] == [0, 0, 0, 1, 1]


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(max_size=300), min_size=1, max_size=8),
       max_length=st.integers(4, 40))
def test_encode_any_unicode(texts, max_length):
    tok = _TOK
    ids, types, _ = encode_texts(tok, texts, max_length)
    assert len(ids) == len(texts)
    for seq, seg in zip(ids, types):
        assert 2 <= len(seq) <= max_length and len(seg) == len(seq)
        assert seq[0] == tok.cls_token_id and seq[-1] == tok.sep_token_id
        assert seq.max() < len(tok) and not seg.any()


@settings(max_examples=60, deadline=None)
@given(a=st.text(max_size=200), b=st.text(max_size=200), max_length=st.integers(5, 30))
def test_encode_pairs_truncates_longest_first(a, b, max_length):
    ids, types, cut = encode_texts(_TOK, [(a, b)], max_length)
    seq, seg = ids[0], types[0]
    full_a = len(_TOK.backend_tokenizer.encode(a, add_special_tokens=False).ids)
    full_b = len(_TOK.backend_tokenizer.encode(b, add_special_tokens=False).ids)
    assert len(seq) == min(full_a + full_b, max_length - 3) + 3
    assert cut.n_cut == (full_a + full_b > max_length - 3) and cut.n_texts == 1
    seps = np.flatnonzero(seq == _TOK.sep_token_id)
    assert seps[-1] == len(seq) - 1
    # segment 1 starts right after the first [SEP] and runs to the end
    first_sep = int(np.flatnonzero(seg == 0)[-1])
    assert seq[first_sep] == _TOK.sep_token_id and seg[first_sep + 1:].all()


def test_truncation_is_counted_with_the_longest_length():
    _, _, cut = encode_texts(_TOK, ["word " * 100, "short", "word " * 20], 16)
    longest = len(_TOK("word " * 100)["input_ids"])  # with [CLS] and [SEP]
    assert (cut.n_cut, cut.n_texts, cut.longest) == (2, 3, longest) and cut and longest > 100
    _, _, none = encode_texts(_TOK, ["short"], 16)
    assert not none and none.longest == 0
    assert cut.message(16) == ("2 of 3 texts are longer than max_length=16 tokens (the longest "
                               f"has {longest}) and were truncated.")


_TOK = train_wordpiece(["hello world", "ünïcödé text", "中文 文本", "emoji 🙂 test"] * 3, vocab_size=120)


def test_padding_left_on_by_a_previous_call_is_ignored():
    from sklearn_electra.tokenization import encode_words

    tok = train_wordpiece(["hello world", "hello there"] * 3, vocab_size=60)
    before = encode_texts(tok, ["hello", "hello world there"], 32)[0]
    words_before = encode_words(tok, [["hello", "world"]])[0][0]
    for switch_on in (lambda b: b.enable_padding(length=8), lambda b: b.enable_truncation(2),
                      lambda b: (b.enable_padding(length=8), b.enable_truncation(2))):
        tok.backend_tokenizer.no_padding()
        tok.backend_tokenizer.no_truncation()
        switch_on(tok.backend_tokenizer)  # as tok(..., padding=..., truncation=...) leaves it
        after, types, _ = encode_texts(tok, ["hello", "hello world there"], 32)
        assert [a.tolist() for a in after] == [b.tolist() for b in before]
        assert encode_words(tok, [["hello", "world"]])[0][0].tolist() == words_before.tolist()
        assert after[0].dtype == np.int32 and types[0].dtype == np.int8  # 4 + 1 bytes a token
    assert encode_texts(tok, [], 8) == ([], [], Truncation(0, 0, 0))


def test_encoding_in_chunks_changes_nothing(monkeypatch, reviews):
    from sklearn_electra import tokenization

    train, _ = reviews
    texts = train["text"].tolist()[:50]
    tok = train_wordpiece(texts, vocab_size=300)
    pairs = list(zip(texts[:25], texts[25:]))
    whole = [encode_texts(tok, x, 64) for x in (texts, pairs)]
    words = tokenization.encode_words(tok, [list(t) for t in texts])
    monkeypatch.setattr(tokenization, "_CHUNK", 7)  # chunk edges inside both lists
    for x, expected in zip((texts, pairs), whole):
        ids, types, n_truncated = encode_texts(tok, x, 64)
        assert n_truncated == expected[2] and len(ids) == len(types) == len(x)
        assert all(np.array_equal(a, b) for a, b in zip(ids, expected[0]))
        assert all(np.array_equal(a, b) for a, b in zip(types, expected[1]))
    chunked = tokenization.encode_words(tok, [list(t) for t in texts])
    assert len(chunked) == len(texts)
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
               for a, b in zip(words, chunked))


def _merge(seq, pair):
    out, j = [], 0
    while j < len(seq):
        if j + 1 < len(seq) and (seq[j], seq[j + 1]) == pair:
            out.append(seq[j] + seq[j + 1][2:])
            j += 2
        else:
            out.append(seq[j])
            j += 1
    return out


def _reference_vocab(word_counts, vocab_size, min_frequency):
    """The vocabulary _learn_vocab must find, the slow way: recount every pair after every merge."""
    from collections import Counter

    from sklearn_electra.tokenization import SPECIAL_TOKENS

    words = sorted(word_counts.items())
    seqs = [[w[0]] + ["##" + c for c in w[1:]] for w, _ in words]
    counts = [c for _, c in words]
    alphabet = Counter()
    for seq, count in zip(seqs, counts):
        for symbol in seq:
            alphabet[symbol] += count
    ranked = sorted(alphabet.items(), key=lambda kv: (-kv[1], kv[0]))
    vocab = list(SPECIAL_TOKENS) + [s for s, _ in ranked[:vocab_size - len(SPECIAL_TOKENS)]]
    while len(vocab) < vocab_size:
        pairs = Counter()
        for seq, count in zip(seqs, counts):
            for pair in zip(seq, seq[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))  # most frequent; ties: smallest pair
        if pairs[best] < min_frequency:
            break
        merged = best[0] + best[1][2:]
        if merged not in vocab:
            vocab.append(merged)
        seqs = [_merge(seq, best) for seq in seqs]
    return {token: i for i, token in enumerate(vocab)}


@settings(max_examples=150, deadline=None)
@given(word_counts=st.dictionaries(st.text("abcd", min_size=1, max_size=7), st.integers(1, 6),
                                   max_size=12),
       vocab_size=st.integers(5, 40), min_frequency=st.integers(0, 3))
def test_the_merge_loop_learns_what_recounting_every_pair_learns(word_counts, vocab_size, min_frequency):
    from sklearn_electra.tokenization import _learn_vocab

    assert _learn_vocab(word_counts, vocab_size, min_frequency) == \
        _reference_vocab(word_counts, vocab_size, min_frequency)


def test_the_exported_tokenizer_decodes_pads_and_cuts_as_an_electra_tokenizer_does():
    tok = train_wordpiece(["unbelievable believable"] * 4 + ["un be lie va ble"], vocab_size=25)
    ids = tok("unbelievable")["input_ids"]
    assert len(ids) > 3  # split into subwords that the decoder joins again
    assert tok.decode(ids, skip_special_tokens=True) == "unbelievable"
    encoded = tok(["un", "unbelievable believable"])
    assert set(encoded) == {"input_ids", "token_type_ids", "attention_mask"}
    batch = tok.pad([{"input_ids": i} for i in encoded["input_ids"]])  # what data collators call
    assert [len(row) for row in batch["input_ids"]] == [len(encoded["input_ids"][1])] * 2
    assert batch["attention_mask"][0].count(1) == len(encoded["input_ids"][0])
    assert tok.model_max_length == 512
    assert len(tok("un " * 600, truncation=True)["input_ids"]) == 512


def test_a_word_over_100_characters_is_unknown_and_control_characters_are_dropped():
    tok = train_wordpiece(["aa b"] * 3, vocab_size=20)
    assert "[UNK]" not in tok.tokenize("a" * 100)
    assert tok.tokenize("a" * 101) == ["[UNK]"]
    assert tok("a\x07b\x00")["input_ids"] == tok("ab")["input_ids"]


def test_the_default_vocabulary_holds_8000_symbols():
    # 9,000 distinct CJK characters, one word each: the alphabet alone fills the vocabulary
    tok = train_wordpiece(["".join(chr(0x4E00 + i) for i in range(9000))])
    assert len(tok) == 8000 and all(s in tok.get_vocab() for s in SPECIAL_TOKENS)


def test_words_keep_int32_ids():
    from sklearn_electra.tokenization import encode_words

    ids, starts = encode_words(_TOK, [["hello", "world"]])[0]
    assert ids.dtype == np.int32 and starts.tolist() == [0, 1]


def test_resolve_tokenizer_loads_checks_and_names_each_problem(tmp_path):
    import types

    from tokenizers import Tokenizer
    from tokenizers.models import WordPiece
    from transformers import PreTrainedTokenizerFast

    from sklearn_electra.modeling import ModelSource
    from sklearn_electra.tokenization import resolve_tokenizer

    assert resolve_tokenizer(None) is None
    assert resolve_tokenizer(None, ModelSource("preset", "electra-tiny")) is None  # a preset: train one
    _TOK.save_pretrained(tmp_path / "tok")
    loaded = resolve_tokenizer(None, ModelSource("local", str(tmp_path / "tok")))
    assert loaded("hello world")["input_ids"] == _TOK("hello world")["input_ids"]
    assert resolve_tokenizer(tmp_path / "tok").get_vocab() == _TOK.get_vocab()
    assert resolve_tokenizer(_TOK) is _TOK

    raw = Tokenizer(WordPiece({"[UNK]": 0}, unk_token="[UNK]"))
    with pytest.raises(TypeError) as err:
        resolve_tokenizer(raw)
    assert str(err.value) == (
        "Pass a transformers tokenizer, e.g. PreTrainedTokenizerFast(tokenizer_object="
        "your_tokenizer, cls_token='[CLS]', ...), so that the special tokens are known.")
    for bad, name in ((42, "int"), (types.SimpleNamespace(backend_tokenizer=raw), "SimpleNamespace")):
        with pytest.raises(TypeError) as err:
            resolve_tokenizer(bad)
        assert str(err.value) == ("tokenizer must be None, a path, or a fast transformers tokenizer; "
                                  f"got {name}.")
    missing = tmp_path / "nothing"
    missing.mkdir()
    with pytest.raises(ValueError) as err:
        resolve_tokenizer(missing)
    message = str(err.value)
    assert message.startswith(f"Could not load a tokenizer from {str(missing)!r}: ")
    assert message.endswith(". Pass a directory holding tokenizer.json (as written by "
                            "save_pretrained), or tokenizer=None to train one on the training texts.")
    bare = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]")
    with pytest.raises(ValueError) as err:
        resolve_tokenizer(bare)
    assert str(err.value) == ("The tokenizer has no cls_token_id, sep_token_id, pad_token_id; "
                              "ELECTRA needs [CLS], [SEP] and [PAD].")
