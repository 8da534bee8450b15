"""``ElectraTagger``: token tagging (NER, POS, chunking) that never drops a token."""

from __future__ import annotations

import math
import numbers
import re

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from tokenizers import normalizers, pre_tokenizers
from transformers import ElectraForTokenClassification

from ._base import ElectraNetBase
from ._docs import document_parameters
from ._supervised import SupervisedMixin
from ._warnings import warn_caller
from ._weights import SampleWeightMixin
from .data import EncodedDataset, stack_rows
from .targets import TagSequences
from .tokenization import encode_words
from .windows import window_starts
from .validation import check_tags, check_token_lists

__all__ = ["ElectraTagger", "split_words", "repair_bio"]

_BIO = re.compile(r"^[BIES]-.")
# Raw text is split the way BERT pre-tokenizes, without changing the words:
# spaces around CJK characters, then whitespace and punctuation boundaries.
_CJK_SPACER = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True,
                                         strip_accents=False, lowercase=False)
_WORDS = pre_tokenizers.BertPreTokenizer()


def split_words(text):
    """Split raw text into words, the rule ``ElectraTagger.predict`` applies to strings.

    Words are separated by whitespace; every punctuation character and every CJK
    character is a word of its own. Nothing else changes (no lowercasing).

    Examples
    --------
    >>> split_words("Apple, Inc. is in 北京")
    ['Apple', ',', 'Inc', '.', 'is', 'in', '北', '京']
    """
    return [w for w, _ in _WORDS.pre_tokenize_str(_CJK_SPACER.normalize_str(text))]


def repair_bio(tags):
    """Turn an ``I-X`` that follows neither ``B-X`` nor ``I-X`` into ``B-X``.

    Examples
    --------
    >>> repair_bio(["O", "I-PER", "I-PER", "B-LOC", "I-ORG"])
    ['O', 'B-PER', 'I-PER', 'B-LOC', 'B-ORG']
    """
    out, previous = [], "O"
    for tag in tags:
        if tag.startswith("I-") and (previous[:2] not in ("B-", "I-") or previous[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
        previous = tag
    return out


class WindowedDataset(EncodedDataset):
    """Windows of tokenized sentences, with the map back to each sentence's words.

    ``groups[k]`` is the sentence of window ``k``, ``offsets[k]`` its first
    subword, ``word_starts[s]`` the first-subword position of every word of
    sentence ``s``. Subsets (the train/validation split) are plain datasets.
    """

    def __init__(self, input_ids, token_type_ids, labels, groups, offsets, word_starts):
        super().__init__(input_ids, token_type_ids, labels, groups)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.word_starts = word_starts


def _word_slots(dataset, begin, sentences):
    """Where each word's first subword sits in :func:`~sklearn_electra.data.stack_rows`'s
    slots, read from the window in which it sees the most context on its shorter side.

    ``begin`` is each window's first slot, ``sentences`` the bounds of each sentence's words.
    """
    # Windows of one sentence are contiguous, in order (see _make_dataset).
    windows = np.searchsorted(dataset.groups, np.arange(len(dataset.word_starts) + 1))
    # Most sentences fit one window, starting at subword 0: one vectorized read for all.
    first = windows[:-1].repeat(np.diff(sentences))
    slots = begin[first] + 1 + np.concatenate(dataset.word_starts)
    for s in np.flatnonzero(np.diff(windows) > 1):
        starts, own = dataset.word_starts[s], np.arange(windows[s], windows[s + 1])
        sizes = dataset.lengths[own] - 2
        pos = starts[None, :] - dataset.offsets[own][:, None]  # (n_windows, n_words)
        context = np.minimum(pos, sizes[:, None] - 1 - pos)
        context[(pos < 0) | (pos >= sizes[:, None])] = -1
        best = context.argmax(axis=0)
        slots[sentences[s]:sentences[s + 1]] = begin[own[best]] + 1 + pos[best, np.arange(len(starts))]
    return slots


def _split(values, sentences):
    """``values`` (one row per word) cut into one array per sentence."""
    return [values[a:b] for a, b in zip(sentences[:-1], sentences[1:])]


@document_parameters(notes={"stride": """
    Overlap, in subwords, between consecutive windows of a long sentence.
    Must be below ``max_length - 2``."""})
class ElectraTagger(SampleWeightMixin, SupervisedMixin, ElectraNetBase):
    """Token tagger (NER, POS, chunking) fine-tuning an ELECTRA discriminator.

    Wraps :class:`transformers.ElectraForTokenClassification`. ``X`` holds one
    list of tokens per sentence (for ``predict``, raw strings too: they are
    split by :func:`split_words`); ``y`` one list of string tags per sentence.

    Every token gets a prediction. A word split into several subwords is
    labelled on its first subword (the others are ignored by the loss) and
    predicted from it; a token the tokenizer drops (empty, a control
    character) is encoded as ``[UNK]``. Sentences longer than ``max_length``
    subwords are cut into overlapping windows, for training and prediction, and
    each word's prediction comes from the window where it has the most context
    on both sides.

    Parameters
    ----------
    fix_bio : bool, default=False
        Repair predicted BIO sequences: an ``I-X`` that follows neither ``B-X``
        nor ``I-X`` becomes ``B-X`` (see :func:`repair_bio`).
    class_weight : None, "balanced" or dict, default=None
        Weights of the tags in the loss: ``"balanced"`` gives each tag
        ``n_tokens / (n_tags * count)`` (:func:`~sklearn.utils.class_weight.compute_class_weight`
        over the training tokens); a dict ``{tag: weight}``, 1 for the others.{parameters}

    Attributes
    ----------
    target_ : sklearn_electra.targets.TagSequences
        The fitted target (tags, their class weights, the loss).
    classes_ : ndarray of str
        The tags, in the order of ``predict_proba``'s columns.
    tokenizer_, module_, history_
        As for :class:`ElectraClassifier`; ``valid_acc`` is token accuracy.

    Notes
    -----
    Empty sentences in ``fit`` are skipped with a warning (there is nothing to
    learn from them); ``predict`` returns ``[]`` for them. With
    ``GridSearchCV``/``cross_val_score`` pass ``cv=KFold(...)``: stratified
    splits do not apply to tag sequences. For a per-entity report use
    seqeval: ``seqeval.metrics.classification_report(y, tagger.predict(X))``.

    Examples
    --------
    >>> from sklearn_electra import ElectraTagger
    >>> X = [["苹", "果", "是", "公", "司"], ["我", "在", "北", "京"]] * 8
    >>> y = [["B-ORG", "I-ORG", "O", "O", "O"], ["O", "O", "B-LOC", "I-LOC"]] * 8
    >>> tagger = ElectraTagger(max_epochs=2, random_state=0).fit(X, y)
    >>> tagger.classes_.tolist()
    ['B-LOC', 'B-ORG', 'I-LOC', 'I-ORG', 'O']
    >>> [len(tags) for tags in tagger.predict([["苹", "果"], "我在北京"])]
    [2, 4]
    """

    _hf_model_class = ElectraForTokenClassification
    _parameter_constraints = {
        **ElectraNetBase._parameter_constraints,
        "stride": [Interval(numbers.Integral, 0, None, closed="left")],
        "fix_bio": ["boolean"],
        "class_weight": [None, StrOptions({"balanced"}), dict],
    }

    def __init__(self, model="tiny", *, stride=32, fix_bio=False, class_weight=None, **kwargs):
        super().__init__(model, **kwargs)
        self.stride = stride
        self.fix_bio = fix_bio
        self.class_weight = class_weight

    def _check_params(self):
        source = super()._check_params()
        if self.stride >= self.max_length - 2:
            raise ValueError(
                f"stride={self.stride} must be below max_length - 2 = {self.max_length - 2} "
                "(the subwords a window holds besides [CLS] and [SEP])."
            )
        return source

    # ------------------------------------------------------------ inputs
    def _check_inputs(self, X, *, fitting):
        return check_token_lists(X, allow_text=not fitting, split=split_words)

    def _new_target(self, y):
        return TagSequences(self.class_weight, type(self).__name__)

    def _validate_data(self, X, y, reset, classes=None, sample_weight=None, incremental=False):
        sentences, targets, weights = super()._validate_data(X, y, reset, classes, sample_weight,
                                                             incremental)
        empty = [i for i, s in enumerate(sentences) if not s]
        if empty:
            warn_caller(f"Skipping {len(empty)} empty sentence(s) (indices {empty[:10]}): they "
                        "have no tokens to learn from.")
            keep = [i for i, s in enumerate(sentences) if s]
            sentences, targets = [sentences[i] for i in keep], [targets[i] for i in keep]
            weights = None if weights is None else weights[keep]
        return sentences, targets, weights

    def _tokenizer_corpus(self, inputs):
        return [" ".join(sentence) for sentence in inputs]

    def _make_dataset(self, inputs, targets=None, fitting=False):
        budget = self.max_length - 2
        cls, sep = self.tokenizer_.cls_token_id, self.tokenizer_.sep_token_id
        encoded = encode_words(self.tokenizer_, inputs)
        rows, labels, groups, offsets = [], [], [], []
        for s, (ids, starts) in enumerate(encoded):
            for start in window_starts(len(ids), budget, self.stride):
                piece = ids[start:start + budget]
                rows.append(np.concatenate([[cls], piece, [sep]]).astype(np.int32))
                groups.append(s)
                offsets.append(start)
                if targets is not None:
                    # Labels on first subwords inside the window; -100 elsewhere.
                    row_labels = np.full(len(piece) + 2, -100, dtype=np.int64)
                    inside = (starts >= start) & (starts < start + len(piece))
                    row_labels[1 + starts[inside] - start] = targets[s][inside]
                    labels.append(row_labels)
        types = [np.zeros(len(r), dtype=np.int8) for r in rows]
        return WindowedDataset(rows, types, labels if targets is not None else None, groups,
                               offsets, [starts for _, starts in encoded])

    # ------------------------------------------------------------ inference
    def _word_logits(self, X):
        """Every word's logits, sentence after sentence, as one ``(n_words, n_classes)``
        tensor, and the bounds of each sentence's rows in it (``n_sentences + 1``)."""
        self.check_is_fitted()
        dataset = self.get_dataset(X)
        slots, begin = stack_rows(list(self.forward_iter(dataset)), dataset.lengths)
        sentences = np.cumsum([0] + [len(starts) for starts in dataset.word_starts])
        return slots[torch.from_numpy(_word_slots(dataset, begin, sentences))], sentences

    def predict_proba(self, X):
        """Per-token class probabilities.

        Parameters
        ----------
        X : list of token lists, or of raw strings (split by :func:`split_words`)

        Returns
        -------
        list of ndarray of shape (n_tokens, n_classes)
            One array per sentence; columns follow ``classes_``.
        """
        logits, sentences = self._word_logits(X)
        return _split(torch.softmax(logits.float(), dim=-1).numpy(), sentences)

    def predict(self, X):
        """One tag per token, for every sentence.

        Returns
        -------
        list of list of str
            ``len(result[i]) == len(X[i])`` for token lists, or the number of
            words :func:`split_words` finds in a raw string.
        """
        logits, sentences = self._word_logits(X)
        tags = [t.tolist() for t in _split(self.classes_[logits.argmax(-1).numpy()], sentences)]
        return [repair_bio(t) for t in tags] if self.fix_bio else tags

    def score(self, X, y):
        """Entity-level micro F1 (seqeval) for BIO/BIOES tags, token accuracy otherwise.

        Raises
        ------
        ValueError
            If ``y`` holds tags the tagger was not trained on.
        """
        pred = self.predict(X)
        true = check_tags(y, pred)
        unknown = sorted({t for s in true for t in s} - set(self.classes_.tolist()))
        if unknown:
            raise ValueError(f"y contains tags not seen in fit: {unknown[:10]}; the tagger can only "
                             f"predict {self.classes_.tolist()}.")
        if self._is_bio():
            from seqeval.metrics import f1_score

            return float(f1_score(true, pred))
        flat_true = [t for s in true for t in s]
        flat_pred = [t for s in pred for t in s]
        return float(np.mean(np.asarray(flat_true) == np.asarray(flat_pred))) if flat_true else math.nan

    def _is_bio(self):
        tags = self.classes_.tolist()
        return any(_BIO.match(t) for t in tags) and all(t == "O" or _BIO.match(t) for t in tags)
