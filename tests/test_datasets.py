"""Offline corpora: shapes, de-duplication, deterministic splits, NER conversion."""

import pandas as pd
import pytest

from sklearn_electra import datasets


def test_classification_sets_are_deduplicated_and_split_deterministically():
    for loader, labels in ((datasets.load_bbc_news, 5), (datasets.load_chinese_reviews, 2)):
        train, test = loader()
        again, _ = loader()
        assert list(train.columns) == ["text", "label"] and train.equals(again)
        assert train["label"].nunique() == test["label"].nunique() == labels
        everything = list(train["text"]) + list(test["text"])
        assert len(set(everything)) == len(everything) and all(t.strip() for t in everything)
    bbc_train, bbc_test = datasets.load_bbc_news()
    assert len(bbc_train) + len(bbc_test) == 2127  # 2,225 articles less 98 duplicates
    assert any("£" in t for t in bbc_train["text"])  # Windows-1252 files decoded


def test_ner_conversion_merges_consecutive_person_words():
    chars, tags = datasets._ner_sentence([("江", "nr"), ("泽民", "nr"), ("在", "p"), ("北京", "ns"),
                                          ("中共中央", "nt"), ("上海", "ns"), ("广州", "ns")])
    assert chars == list("江泽民在北京中共中央上海广州")
    assert tags == ["B-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "I-ORG",
                    "I-ORG", "B-LOC", "I-LOC", "B-LOC", "I-LOC"]


def test_peoples_daily_forms():
    ner_train, ner_test = datasets.load_peoples_daily("ner")
    pos_train, _ = datasets.load_peoples_daily("pos")
    assert all(len(a) == len(b) for a, b in zip(ner_train["tokens"], ner_train["tags"]))
    assert all(len(t) == 1 for t in ner_train["tokens"].iloc[0])
    assert {t for tags in ner_train["tags"] for t in tags} == {"O", "B-PER", "I-PER", "B-LOC", "I-LOC",
                                                              "B-ORG", "I-ORG"}
    assert "n" in {t for tags in pos_train["tags"] for t in tags}
    assert len(ner_train) + len(ner_test) > 18000
    with pytest.raises(ValueError, match="'ner', 'pos', 'entity_types' or 'mrc'"):
        datasets.load_peoples_daily("chunks")


def test_peoples_daily_entity_types_are_the_ner_annotations():
    ner_train, _ = datasets.load_peoples_daily("ner")
    types_train, types_test = datasets.load_peoples_daily("entity_types")
    assert len(types_train) == len(ner_train) and len(types_test) > 3000
    for (_, ner), (_, row) in zip(ner_train.head(500).iterrows(), types_train.head(500).iterrows()):
        assert row["text"] == "".join(ner["tokens"])
        assert row["labels"] == sorted({tag[2:] for tag in ner["tags"] if tag.startswith("B-")})
    assert (types_train["labels"].map(len) == 0).any() and (types_train["labels"].map(len) == 3).any()


def test_peoples_daily_mrc_asks_each_sentence_about_each_entity_type():
    ner, _ = datasets.load_peoples_daily("ner")
    train, test = datasets.load_peoples_daily("mrc")
    assert len(train) == 3 * len(ner) and set(train["context"]).isdisjoint(test["context"])
    assert train.groupby("sentence")["question"].apply(list).map(len).eq(3).all()
    for row in train.head(300).itertuples():
        answers = row.answers
        assert all(row.context[s:s + len(t)] == t for t, s in zip(answers["text"], answers["answer_start"]))
        tags = ner.iloc[row.sentence]["tags"]
        assert "".join(ner.iloc[row.sentence]["tokens"]) == row.context
        assert len(answers["text"]) == sum(t == "B-" + row.entity_type for t in tags)
    assert datasets.MRC_QUESTIONS["LOC"] == "文中提到了哪些地名？"


def test_sentiment_ratings_are_the_published_human_means():
    # `make install` fetches the archive; a test never does (download_if_missing=False).
    train, test = datasets.fetch_sentiment_ratings("movie_reviews", download_if_missing=False)
    assert list(train.columns) == ["text", "rating", "rating_sd"]
    assert 10000 < len(train) + len(test) <= 10605
    frame = pd.concat([train, test])
    assert frame["rating"].between(-4, 4).all() and (frame["rating_sd"] >= 0).all()
    first = frame[frame["text"].str.startswith("The Rock is destined")]
    assert first["rating"].tolist() == [2.26666666667] and first["rating_sd"].tolist() == [1.06249]
    assert frame["text"].is_unique
    sizes = {s: sum(map(len, datasets.fetch_sentiment_ratings(s, download_if_missing=False)))
             for s in ("tweets", "amazon_reviews", "nyt_editorials")}
    assert sizes["tweets"] == 4200 and sizes["amazon_reviews"] > 3600 and sizes["nyt_editorials"] > 5000
    with pytest.raises(ValueError, match="source must be one of"):
        datasets.fetch_sentiment_ratings("imdb")


def test_sentiment_ratings_say_how_to_get_them(tmp_path):
    with pytest.raises(OSError, match="download_if_missing=True"):
        datasets.fetch_sentiment_ratings(data_home=tmp_path, download_if_missing=False)


def test_unlabeled_corpora():
    for name in ("bbc_news", "chinese_reviews", "peoples_daily", "penn_treebank"):
        texts = datasets.unlabeled_corpus(name)
        assert len(texts) > 1000 and all(isinstance(t, str) and t for t in texts[:100])
    assert set(datasets.unlabeled_corpus("chinese_reviews")).isdisjoint(
        datasets.unlabeled_corpus("chinese_reviews", split="test"))
    with pytest.raises(ValueError, match="Unknown corpus"):
        datasets.unlabeled_corpus("wikipedia")
