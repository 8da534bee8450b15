"""Tokenizers: resolve one from a checkpoint or object, or train a WordPiece one from texts.

Training is deterministic. The ``tokenizers`` library's WordPiece and BPE trainers
break ties between equally frequent pairs by hash-map order, so two trainings on
the same texts give different vocabularies (huggingface/tokenizers#1794). We keep
the library's normalizer, pre-tokenizer and WordPiece model (the fast Rust
encoder), and learn the vocabulary ourselves with the same bottom-up merge
procedure, breaking ties by the symbols themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import heapq
import os
from collections import Counter, defaultdict

import numpy as np
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import AutoTokenizer, PreTrainedTokenizerBase, PreTrainedTokenizerFast

__all__ = ["SPECIAL_TOKENS", "train_wordpiece", "resolve_tokenizer", "encode_texts", "encode_words",
           "Truncation"]

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_PREFIX = "##"


def _learn_vocab(word_counts, vocab_size, min_frequency):
    """Learn a WordPiece vocabulary by greedy pair merges with deterministic ties.

    Each word starts as characters (``"p", "##l", "##a"``); the most frequent
    adjacent pair is merged until ``vocab_size`` symbols exist or no pair occurs
    ``min_frequency`` times. Ties go to the lexicographically smallest pair.
    """
    words = sorted(word_counts.items())
    seqs = [[w[0]] + [_PREFIX + c for c in w[1:]] for w, _ in words]
    counts = [c for _, c in words]

    alphabet = Counter()
    for seq, count in zip(seqs, counts):
        for sym in seq:
            alphabet[sym] += count
    budget = vocab_size - len(SPECIAL_TOKENS)
    ranked = sorted(alphabet.items(), key=lambda kv: (-kv[1], kv[0]))
    vocab = list(SPECIAL_TOKENS) + [sym for sym, _ in ranked[:budget]]
    known = set(vocab)

    pair_counts = defaultdict(int)
    where = defaultdict(set)
    for i, (seq, count) in enumerate(zip(seqs, counts)):
        for pair in zip(seq, seq[1:]):
            pair_counts[pair] += count
            where[pair].add(i)
    heap = [(-c, pair) for pair, c in pair_counts.items()]
    heapq.heapify(heap)

    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair) != -neg:
            continue  # stale entry: the pair's count changed after it was pushed
        if -neg < min_frequency:
            break
        left, right = pair
        merged = left + right[len(_PREFIX):]
        if merged not in known:
            known.add(merged)
            vocab.append(merged)
        for i in sorted(where.pop(pair)):
            old, count = seqs[i], counts[i]
            new, j = [], 0
            while j < len(old):
                if j + 1 < len(old) and old[j] == left and old[j + 1] == right:
                    new.append(merged)
                    j += 2
                else:
                    new.append(old[j])
                    j += 1
            old_pairs, new_pairs = Counter(zip(old, old[1:])), Counter(zip(new, new[1:]))
            for p in old_pairs.keys() | new_pairs.keys():
                delta = (new_pairs[p] - old_pairs[p]) * count
                if not delta:
                    continue
                pair_counts[p] += delta
                if p in new_pairs:
                    where[p].add(i)
                else:
                    where[p].discard(i)
                if pair_counts[p] > 0:
                    heapq.heappush(heap, (-pair_counts[p], p))
                else:
                    del pair_counts[p]
            seqs[i] = new
    return {tok: i for i, tok in enumerate(vocab)}


def _bert_parts(lowercase: bool):
    """BERT's normalizer and pre-tokenizer: the tokenizer's steps before WordPiece."""
    # BertNormalizer's defaults are BERT's: clean_text drops control characters,
    # handle_chinese_chars puts spaces around every CJK character (Chinese is tokenized per
    # character as in BERT/ELECTRA's Chinese models), accents are stripped when lowercasing.
    return normalizers.BertNormalizer(lowercase=lowercase), pre_tokenizers.BertPreTokenizer()


def train_wordpiece(texts, vocab_size=8000, *, lowercase=True, min_frequency=2):
    """Train a WordPiece tokenizer on ``texts``, identically on every run.

    Parameters
    ----------
    texts : iterable of str
        Training texts (pairs are flattened by the caller).
    vocab_size : int, default=8000
        Upper bound on the vocabulary, special tokens included.
    lowercase : bool, default=True
        Lowercase and strip accents before splitting (uncased ELECTRA).
    min_frequency : int, default=2
        Pairs seen fewer times than this are not merged.

    Returns
    -------
    transformers.PreTrainedTokenizerFast
        With ``[CLS] A [SEP] B [SEP]`` templates and segment ids.

    Examples
    --------
    >>> tok = train_wordpiece(["the cat sat", "the cat ran", "猫坐着"], vocab_size=40)
    >>> tok.convert_ids_to_tokens(tok("the cat 猫")["input_ids"])
    ['[CLS]', 'the', 'cat', '猫', '[SEP]']
    """
    normalizer, pre_tokenizer = _bert_parts(lowercase)
    word_counts = Counter()
    for text in texts:
        word_counts.update(w for w, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    vocab = _learn_vocab(word_counts, vocab_size, min_frequency)
    return _wrap(vocab, lowercase)


def _wrap(vocab, lowercase):
    # WordPiece's defaults are BERT's: "[UNK]" for the unknown token, which a word over 100
    # characters also becomes.
    tok = Tokenizer(models.WordPiece(vocab))
    tok.normalizer, tok.pre_tokenizer = _bert_parts(lowercase)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    tok.decoder = decoders.WordPiece(prefix=_PREFIX)
    # The generic fast class keeps our normalizer through save/reload; the
    # Bert/Electra classes rebuild it from their own defaults (lowercasing).
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]",
        model_input_names=["input_ids", "token_type_ids", "attention_mask"],
        model_max_length=512,
    )


def resolve_tokenizer(tokenizer, source=None):
    """Return a fast tokenizer from an object, a path, or the checkpoint ``source``.

    Returns ``None`` when there is nothing to load and one must be trained.
    """
    if tokenizer is None:
        if source is None or not source.pretrained:
            return None
        tokenizer = source.name
    if isinstance(tokenizer, Tokenizer):
        raise TypeError(
            "Pass a transformers tokenizer, e.g. "
            "PreTrainedTokenizerFast(tokenizer_object=your_tokenizer, cls_token='[CLS]', ...), "
            "so that the special tokens are known."
        )
    if isinstance(tokenizer, (str, os.PathLike)):
        try:
            tokenizer = AutoTokenizer.from_pretrained(os.fspath(tokenizer))
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"Could not load a tokenizer from {os.fspath(tokenizer)!r}: {exc}. Pass a directory "
                "holding tokenizer.json (as written by save_pretrained), or tokenizer=None to train "
                "one on the training texts."
            ) from exc
    if not isinstance(tokenizer, PreTrainedTokenizerBase) or not hasattr(tokenizer, "backend_tokenizer"):
        raise TypeError(
            f"tokenizer must be None, a path, or a fast transformers tokenizer; got "
            f"{type(tokenizer).__name__}."
        )
    missing = [n for n in ("cls_token_id", "sep_token_id", "pad_token_id")
               if getattr(tokenizer, n) is None]
    if missing:
        raise ValueError(f"The tokenizer has no {', '.join(missing)}; ELECTRA needs [CLS], [SEP] and [PAD].")
    return tokenizer


def _plain_backend(tokenizer):
    """The Rust tokenizer, without the padding/truncation a previous call left on it.

    ``tokenizer(..., padding="max_length", truncation=True)`` switches both on in
    the shared backend and leaves them on; we pad per batch and cut ourselves.
    """
    backend = tokenizer.backend_tokenizer
    if backend.padding is None and backend.truncation is None:
        return backend
    backend = Tokenizer.from_str(backend.to_str())
    backend.no_padding()
    backend.no_truncation()
    return backend


def _pair_lengths(la, lb, budget):
    """The lengths a pair keeps under ``tokenizers``' ``longest_first`` truncation to
    ``budget`` tokens: the shorter text whole if it takes at most half, else both cut to
    half, the odd token to the longer text (to the second on a tie), as
    ``tokenizers/src/utils/truncation.rs`` computes them, so that training encodes a pair
    as an exported ``tokenizer.json`` and ``AutoTokenizer(a, b, truncation="longest_first")``
    do.

    Examples
    --------
    >>> _pair_lengths(100, 100, 125), _pair_lengths(40, 100, 125), _pair_lengths(200, 70, 125)
    ((62, 63), (40, 85), (63, 62))
    """
    short, long_ = sorted((la, lb))
    long_ = max(short, budget - short)
    if short + long_ > budget:
        short, long_ = budget // 2, budget // 2 + budget % 2
    keep_a, keep_b = (long_, short) if la > lb else (short, long_)
    return min(la, keep_a), min(lb, keep_b)


@dataclass(frozen=True)
class Truncation:
    """How many of ``n_texts`` texts were cut, and the longest one's length in tokens
    (with its special tokens) before the cut. False when nothing was cut."""

    n_cut: int = 0
    n_texts: int = 0
    longest: int = 0

    def __bool__(self):
        return self.n_cut > 0

    def message(self, max_length, what="texts", hint="", limit="max_length"):
        """The :class:`~sklearn_electra.TextTruncationWarning` text for this cut."""
        return (f"{self.n_cut} of {self.n_texts} {what} are longer than {limit}={max_length} "
                f"tokens (the longest has {self.longest}) and were truncated. {hint}").rstrip()


def encode_texts(tokenizer, texts, max_length):
    """Token ids for single texts or ``(a, b)`` pairs, truncated to ``max_length``.

    Returns ``(input_ids, token_type_ids, truncation)``; ids are 1-d int32
    arrays of varying length (``[CLS] a [SEP] (b [SEP])``), never padded;
    ``truncation`` is a :class:`Truncation` (what was cut, for the warning).
    """
    backend = _plain_backend(tokenizer)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    pairs = len(texts) > 0 and isinstance(texts[0], tuple)
    specials = 3 if pairs else 2
    budget = max_length - specials
    input_ids, type_ids, n_cut, longest = [], [], 0, 0
    for a, b in _encoded_chunks(backend, texts, pairs):
        ta, tb = _pair_lengths(len(a), len(b), budget) if pairs else (min(len(a), budget), 0)
        if (ta, tb) != (len(a), len(b)):
            n_cut += 1
            longest = max(longest, len(a) + len(b) + specials)
        ids = [cls, *a[:ta], sep] + ([*b[:tb], sep] if pairs else [])
        input_ids.append(np.asarray(ids, dtype=np.int32))
        types = np.zeros(len(ids), dtype=np.int8)
        types[ta + 2:] = 1
        type_ids.append(types)
    return input_ids, type_ids, Truncation(n_cut, len(texts), longest)


# Texts encoded per call: an Encoding object (tokens, offsets, masks) costs tens of
# bytes per token, so encoding a whole corpus at once would peak at many times the
# memory of the int32 ids that are kept.
_CHUNK = 2048


def _encoded_chunks(backend, texts, pairs):
    """Yield ``(ids_a, ids_b)`` per text (``ids_b`` empty for single texts), chunk by chunk."""
    for start in range(0, len(texts), _CHUNK):
        chunk = texts[start:start + _CHUNK]
        if pairs:
            first = backend.encode_batch([a for a, _ in chunk], add_special_tokens=False)
            second = [e.ids for e in backend.encode_batch([b for _, b in chunk],
                                                          add_special_tokens=False)]
        else:
            first = backend.encode_batch(list(chunk), add_special_tokens=False)
            second = [[]] * len(first)
        yield from zip((e.ids for e in first), second)


def encode_words(tokenizer, sentences):
    """Subword ids of pre-split sentences, and where each word starts.

    Every word gets at least one subword: a word the tokenizer turns into
    nothing (an empty string, a lone control character) becomes ``[UNK]``, so
    that it still gets a prediction.

    Returns
    -------
    list of ``(ids, starts)``
        ``ids``: int32 subword ids without special tokens; ``starts[w]``: the
        position in ``ids`` of word ``w``'s first subword.

    Examples
    --------
    >>> tok = train_wordpiece(["new york", "new york is big"], vocab_size=40)
    >>> ids, starts = encode_words(tok, [["New", "", "York"]])[0]
    >>> tok.convert_ids_to_tokens(ids.tolist()), starts.tolist()
    (['new', '[UNK]', 'york'], [0, 1, 2])
    """
    backend = _plain_backend(tokenizer)
    unk = tokenizer.unk_token_id
    encodings = (enc for start in range(0, len(sentences), _CHUNK)
                 for enc in backend.encode_batch([list(s) for s in sentences[start:start + _CHUNK]],
                                                 is_pretokenized=True, add_special_tokens=False))
    out = []
    for enc, words in zip(encodings, sentences):
        pieces = [[] for _ in words]
        for token_id, word in zip(enc.ids, enc.word_ids):
            pieces[word].append(token_id)
        ids, starts = [], np.empty(len(words), dtype=np.int64)
        for w, word_pieces in enumerate(pieces):
            starts[w] = len(ids)
            ids.extend(word_pieces or [unk])
        out.append((np.asarray(ids, dtype=np.int32), starts))
    return out
