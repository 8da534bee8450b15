"""New training texts from old ones: tokens replaced by ELECTRA's generator (or at random).

Masked-language-model augmentation (Kobayashi, NAACL 2018; Ng et al., EMNLP 2020,
SSMBA): pick about ``replace_prob`` of a text's tokens, mask them, and put in their
place what a masked language model proposes. ELECTRA trains exactly such a model, its
generator, so a fitted :class:`~sklearn_electra.ElectraRTDPretrainer` augments with
``augment``; :func:`augment_labeled` does it for a labelled set.

Replacements keep a text readable. A position is replaced only by a token of its own
kind: a CJK character by a CJK character, a punctuation mark by a punctuation mark, a
whole word by a whole word (pieces of a word split into subwords are never replaced,
so no ``##`` ever shows). The new text is the original with the replaced tokens'
characters (from the tokenizer's offsets) swapped for the new tokens' text: spacing,
case and everything not replaced stay as they were. Every chosen position changes
(the original token is never drawn again).
"""

from __future__ import annotations

import unicodedata

import numpy as np
from sklearn.utils import _safe_indexing, check_random_state

from .tokenization import _plain_backend
from .validation import check_texts

__all__ = ["replace_tokens", "augment_labeled"]

_NEVER, _WORD, _PIECE, _CJK, _PUNCT = range(5)
_PREFIX = "##"


def _kind(token):
    if token.startswith(_PREFIX) and len(token) > len(_PREFIX):
        return _PIECE
    if len(token) == 1 and unicodedata.category(token).startswith("P"):
        return _PUNCT
    if len(token) == 1 and "CJK" in unicodedata.name(token, ""):
        return _CJK
    return _WORD


def _vocabulary_kinds(tokenizer):
    """The kind of every vocabulary id (special tokens and ``[UNK]``: never drawn)."""
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    kinds = np.array([_kind(t) for t in tokens])
    kinds[tokenizer.all_special_ids] = _NEVER
    return kinds


def _uniform(rows, is_masked):
    return np.zeros((int(is_masked.sum()), 1))  # broadcasts: every allowed token alike


def replace_tokens(tokenizer, texts, *, n_variants=1, replace_prob=0.15, random_state=None,
                   propose=None, temperature=1.0, window=510):
    """``n_variants`` new versions of each text with about ``replace_prob`` of its tokens replaced.

    Parameters
    ----------
    tokenizer : transformers.PreTrainedTokenizerFast
        A WordPiece tokenizer (``##`` continuation pieces), as the estimators train.
    texts : list of str
    n_variants : int, default=1
    replace_prob : float, default=0.15
        Expected share of a text's tokens replaced (rounded at random per variant,
        so short texts change on average at this rate).
    random_state : int, RandomState or None
        Seeds the choice of positions and the draws: the same seed, the same texts.
    propose : callable or None
        ``propose(rows, is_masked) -> logits``: ``rows`` are ``(n_variants, L)`` id
        arrays ``[CLS] ... [SEP]`` with ``[MASK]`` at the chosen positions,
        ``is_masked`` marks them; the logits have a row per masked position
        (row-major order) over the vocabulary. ``None`` draws uniformly among the
        tokens of each position's kind (the random-replacement baseline).
    temperature : float, default=1.0
        Divides the logits before drawing.
    window : int, default=510
        Tokens shown to ``propose`` at once: longer texts go in consecutive pieces.

    Returns
    -------
    list of list of str
        ``n_variants`` texts per input text.

    Examples
    --------
    >>> from sklearn_electra import train_wordpiece
    >>> tok = train_wordpiece(["the cat sat on the mat", "a dog ran"] * 5, vocab_size=60)
    >>> variants = replace_tokens(tok, ["the cat sat."], n_variants=2, replace_prob=0.5,
    ...                           random_state=0)
    >>> [len(v) for v in variants], variants[0][0] != "the cat sat."
    ([2], True)
    """
    texts = check_texts(texts, allow_pairs=False)
    rng = check_random_state(random_state)
    kinds = _vocabulary_kinds(tokenizer)
    propose = propose or _uniform
    mask_id = tokenizer.mask_token_id
    out = []
    for encoding, text in zip(_plain_backend(tokenizer).encode_batch(texts, add_special_tokens=False),
                              texts):
        if not encoding.ids:  # nothing to replace: an empty text stays as it is
            out.append([text] * n_variants)
            continue
        ids = np.asarray(encoding.ids)
        offsets = encoding.offsets
        own = kinds[ids]
        # A word followed by its ## pieces is not replaceable: neither are the pieces.
        whole = np.append(own[1:] != _PIECE, True)
        candidates = np.flatnonzero((own != _NEVER) & (own != _PIECE) & whole &
                                    (ids != tokenizer.unk_token_id))
        choices = []
        for _ in range(n_variants):
            k = min(len(candidates), int(np.floor(replace_prob * len(ids) + rng.random_sample())))
            choices.append(np.sort(rng.choice(candidates, size=k, replace=False)))
        new_ids = [ids.copy() for _ in range(n_variants)]
        for begin in range(0, len(ids), window):
            stop = min(begin + window, len(ids))
            is_masked = np.zeros((n_variants, stop - begin + 2), dtype=bool)
            for v, chosen in enumerate(choices):
                inside = chosen[(chosen >= begin) & (chosen < stop)]
                is_masked[v, 1 + inside - begin] = True
            if not is_masked.any():
                continue
            rows = np.tile(np.concatenate([[tokenizer.cls_token_id], ids[begin:stop],
                                           [tokenizer.sep_token_id]]), (n_variants, 1))
            original = rows[is_masked]
            rows[is_masked] = mask_id
            logits = np.asarray(propose(rows, is_masked), dtype=np.float64)[:, :len(kinds)] / temperature
            allowed = kinds[None, :] == kinds[original][:, None]
            allowed[np.arange(len(original)), original] = False  # every chosen token changes
            gumbel = -np.log(-np.log(rng.uniform(1e-12, 1.0, size=allowed.shape)))
            drawn = np.where(allowed, logits + gumbel, -np.inf).argmax(axis=1)
            # A position whose kind has no other token keeps its own.
            drawn = np.where(allowed.any(axis=1), drawn, original)
            for (v, position), token in zip(np.argwhere(is_masked), drawn):
                new_ids[v][begin + position - 1] = token
        tokens = tokenizer.convert_ids_to_tokens
        variants = []
        for chosen, replaced in zip(choices, new_ids):
            pieces, last = [], 0
            for position, token in zip(chosen, tokens(replaced[chosen].tolist())):
                start, end = offsets[position]
                pieces += [text[last:start], token]
                last = end
            variants.append("".join(pieces) + text[last:])
        out.append(variants)
    return out


def augment_labeled(augmenter, X, y, *, n_variants=1, keep_original=True, **kwargs):
    """A labelled set grown by augmentation, each new text with its source's label.

    Parameters
    ----------
    augmenter : ElectraRTDPretrainer
        Fitted; its ``augment(texts, n_variants=..., **kwargs)`` makes the texts.
    X : list, array or Series of str
    y : labels, one per text (list, array, Series; 2-d for several per text)
    n_variants : int, default=1
    keep_original : bool, default=True
        Put the original texts first.
    **kwargs
        ``replace_prob``, ``temperature``, ``random_state`` for ``augment``.

    Returns
    -------
    X_new : list of str
        The originals (with ``keep_original``), then each text's variants in turn.
    y_new : same type as ``y``
        ``y_new[i]`` is the label of the text ``X_new[i]`` came from.
    """
    texts = check_texts(X, allow_pairs=False)
    if len(texts) != len(y):
        raise ValueError(f"X has {len(texts)} texts but y has {len(y)} labels; they must match.")
    variants = augmenter.augment(texts, n_variants=n_variants, **kwargs)
    sources = np.repeat(np.arange(len(texts)), n_variants)
    new = [v for vs in variants for v in vs]
    if keep_original:
        new, sources = texts + new, np.concatenate([np.arange(len(texts)), sources])
    return new, _safe_indexing(y, sources)
