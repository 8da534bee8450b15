"""``tagger.py`` part by part: word splitting, BIO repair, the windows and their labels,
which window each word is read from, and how predictions and scores are made from logits.

A tokenizer with one subword per letter (``"ab"`` is ``a ##b``) makes every window and
label position computable by hand; models are tiny and trained for one epoch (what the
tagger is worth is tested in ``tests/test_tagger.py``).
"""

import math
import string
import warnings

import numpy as np
import pytest
import torch

from sklearn_electra import ElectraTagger
from sklearn_electra.tagger import WindowedDataset, _split, _word_slots, repair_bio, split_words
from sklearn_electra.tokenization import _wrap

pytestmark = pytest.mark.filterwarnings("ignore:The model did not learn")
FAST = {"max_epochs": 1, "random_state": 0, "vocab_size": 60, "verbose": 0}
X = [["Ann", "lives", "in", "Rome"], ["Bob", "runs"]] * 4
Y = [["B-PER", "O", "O", "B-LOC"], ["B-PER", "O"]] * 4


def _letters():
    """Specials, then ``a``..``z`` (ids 5..30), then ``##a``..``##z`` (ids 31..56)."""
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *string.ascii_lowercase,
             *("##" + c for c in string.ascii_lowercase)]
    return _wrap({token: i for i, token in enumerate(vocab)}, True)


def _id(piece):
    return _letters().convert_tokens_to_ids(piece)


@pytest.fixture(scope="module")
def tagger():
    return ElectraTagger(**FAST).fit(X, Y)


# ------------------------------------------------------------ words and tags
@pytest.mark.parametrize("text, words", [
    ("Apple, Inc. is in 北京", ["Apple", ",", "Inc", ".", "is", "in", "北", "京"]),
    ("  two\tspaced\nwords ", ["two", "spaced", "words"]),
    ("Ünïcode STAYS", ["Ünïcode", "STAYS"]),  # no lowercasing, no accent stripping
    ("don't", ["don", "'", "t"]),
    ("", []),
])
def test_split_words(text, words):
    assert split_words(text) == words


@pytest.mark.parametrize("tags, repaired", [
    (["I-PER"], ["B-PER"]),
    (["I-PER", "I-PER"], ["B-PER", "I-PER"]),  # the repaired tag is what the next one follows
    (["B-PER", "I-LOC"], ["B-PER", "B-LOC"]),
    (["B-PER", "I-PER", "I-PER"], ["B-PER", "I-PER", "I-PER"]),
    (["O", "I-X", "O", "I-X"], ["O", "B-X", "O", "B-X"]),
    (["S-X", "I-X"], ["S-X", "B-X"]),  # only B- and I- open an entity I- may continue
    (["PER", "I-PER"], ["PER", "B-PER"]),
    ([], []),
])
def test_repair_bio(tags, repaired):
    assert repair_bio(tags) == repaired


# ------------------------------------------------------------ parameters
def test_own_parameters_and_their_defaults():
    tagger = ElectraTagger("small", stride=4, fix_bio=True, class_weight="balanced")
    assert (tagger.model, tagger.stride, tagger.fix_bio, tagger.class_weight) == ("small", 4, True, "balanced")
    assert repr(ElectraTagger()) == "ElectraTagger()"
    defaults = ElectraTagger()
    assert (defaults.model, defaults.stride, defaults.fix_bio, defaults.class_weight) == ("tiny", 32, False, None)
    assert repr(ElectraTagger(stride=31, fix_bio=True)) == "ElectraTagger(fix_bio=True, stride=31)"


@pytest.mark.parametrize("params, message", [
    ({"max_length": 10, "stride": 8}, "stride=8 must be below max_length - 2 = 8 (the subwords a "
                                      "window holds besides [CLS] and [SEP])."),
    ({"stride": -1}, "The 'stride' parameter of ElectraTagger must be an int in the range [0, inf). "
                     "Got -1 instead."),
    ({"fix_bio": "yes"}, "The 'fix_bio' parameter of ElectraTagger must be an instance of 'bool' or "
                         "an instance of 'numpy.bool'. Got 'yes' instead."),
    ({"class_weight": [1.0]}, "The 'class_weight' parameter of ElectraTagger must be None, a str "
                              "among {'balanced'} or an instance of 'dict'. Got [1.0] instead."),
])
def test_parameters_are_checked_at_fit(params, message):
    with pytest.raises(ValueError) as info:
        ElectraTagger(**params, **FAST).fit(X, Y)
    assert str(info.value) == message


@pytest.mark.parametrize("params", [{"max_length": 10, "stride": 7}, {"stride": 0},
                                    {"class_weight": {"B-PER": 2.0}}, {"class_weight": "balanced"}])
def test_values_inside_the_constraints_fit(params):
    assert ElectraTagger(**params, **FAST).fit(X, Y).classes_.tolist() == ["B-LOC", "B-PER", "O"]


def test_the_target_gets_the_class_weight_and_the_estimators_name():
    class MyTagger(ElectraTagger):
        pass

    target = MyTagger(class_weight={"B-PER": 2.0})._new_target(Y)
    assert type(target).__name__ == "TagSequences" and target.class_weight == {"B-PER": 2.0}
    assert target.estimator == "MyTagger"


# ------------------------------------------------------------ inputs
def test_raw_strings_are_split_only_at_prediction(tagger):
    assert tagger._check_inputs(["Ann lives, here"], fitting=False) == [["Ann", "lives", ",", "here"]]
    with pytest.raises(ValueError, match=r"^X\[0\] is a string"):
        tagger._check_inputs(["Ann lives here"], fitting=True)


def test_empty_sentences_are_skipped_with_their_tags_and_weights():
    X_ = [[], ["Ann"], [], ["Bob", "runs"]] + [[]] * 10
    y_ = [[], ["B-PER"], [], ["B-PER", "O"]] + [[]] * 10
    with pytest.warns(UserWarning) as record:
        sentences, targets, weights = ElectraTagger()._validate_data(
            X_, y_, reset=True, sample_weight=np.arange(1.0, 15.0))
    assert [str(w.message) for w in record] == [
        "Skipping 12 empty sentence(s) (indices [0, 2, 4, 5, 6, 7, 8, 9, 10, 11]): they have no "
        "tokens to learn from."]
    assert sentences == [["Ann"], ["Bob", "runs"]] and weights.tolist() == [2.0, 4.0]
    assert [t.tolist() for t in targets] == [[0], [0, 1]]  # B-PER, O
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, none = ElectraTagger()._validate_data([["Ann", "runs"]], [["B-PER", "O"]], reset=True)
    assert none is None


def test_partial_fit_takes_the_announced_tags_and_refuses_balanced_weights():
    tagger = ElectraTagger(**FAST).partial_fit(X[1:2], Y[1:2], classes=["B-LOC", "B-PER", "O"])
    assert tagger.classes_.tolist() == ["B-LOC", "B-PER", "O"]  # B-LOC is in no sentence yet
    with pytest.raises(ValueError, match=r"^class_weight='balanced' needs the counts of the whole "
                                         r"training set, which partial_fit never sees"):
        ElectraTagger(class_weight="balanced", **FAST).partial_fit(X, Y)


def test_a_new_tokenizer_learns_the_words_as_written():
    assert ElectraTagger()._tokenizer_corpus([["Ann", "lives"], ["x"]]) == ["Ann lives", "x"]


# ------------------------------------------------------------ windows
def _windowed(sentences, targets=None, max_length=7, stride=2):
    tagger = ElectraTagger(max_length=max_length, stride=stride)
    tagger.tokenizer_ = _letters()
    return tagger._make_dataset(sentences, targets)


def test_windows_overlap_by_stride_and_label_first_subwords_only():
    # "ab c de f g": subwords a ##b c d ##e f g (7), words start at 0, 2, 3, 5, 6; a window
    # holds 5 of them: [0, 5) and [3, 7)
    data = _windowed([["ab", "c", "de", "f", "g"], ["h"]],
                     [np.array([10, 11, 12, 13, 14]), np.array([15])])
    cls, sep = _id("[CLS]"), _id("[SEP]")
    a, b_, c, d, e_, f, g, h = (_id(p) for p in ("a", "##b", "c", "d", "##e", "f", "g", "h"))
    assert [r.tolist() for r in data.input_ids] == [[cls, a, b_, c, d, e_, sep],
                                                    [cls, d, e_, f, g, sep], [cls, h, sep]]
    assert all(r.dtype == np.int32 for r in data.input_ids)
    assert [t.tolist() for t in data.token_type_ids] == [[0] * 7, [0] * 6, [0] * 3]
    assert [t.dtype for t in data.token_type_ids] == [np.int8] * 3
    assert data.labels[0].tolist() == [-100, 10, -100, 11, 12, -100, -100]
    assert data.labels[1].tolist() == [-100, 12, -100, 13, 14, -100]
    assert data.labels[2].tolist() == [-100, 15, -100]
    assert data.groups.tolist() == [0, 0, 1] and data.offsets.tolist() == [0, 3, 0]
    assert [s.tolist() for s in data.word_starts] == [[0, 2, 3, 5, 6], [0]]
    assert isinstance(data, WindowedDataset)
    assert _windowed([["ab", "c"]]).labels is None


def test_each_word_is_read_from_the_window_where_it_has_most_context():
    data = _windowed([["ab", "c", "de", "f", "g"], ["h"]])
    begin = np.array([100, 200, 300])  # where each window's slots start
    sentences = np.array([0, 5, 6])
    # word "de" (subword 3) has 1 subword after it in window 0 and 0 before it in window 1
    assert _word_slots(data, begin, sentences).tolist() == [101, 103, 104, 203, 204, 301]


def test_a_word_opening_a_window_without_overlap_is_read_there():
    # stride 0: windows [0, 5) and [5, 7) share nothing; "f" opens the second one at its
    # position 0, the least context a word can have, and is in no other window
    data = _windowed([["ab", "c", "de", "f", "g"]], stride=0)
    assert data.offsets.tolist() == [0, 5]
    begin = np.array([100, 200])
    assert _word_slots(data, begin, np.array([0, 5])).tolist() == [101, 103, 104, 201, 202]


def test_values_are_cut_into_sentences():
    parts = _split(np.arange(6), np.array([0, 2, 2, 6]))
    assert [p.tolist() for p in parts] == [[0, 1], [], [2, 3, 4, 5]]


# ------------------------------------------------------------ outputs
LOGITS = torch.tensor([[0.0, 3.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # B-PER, B-LOC, O


def test_predict_and_predict_proba_read_each_words_logits(tagger, monkeypatch):
    assert tagger.classes_.tolist() == ["B-LOC", "B-PER", "O"]
    monkeypatch.setattr(tagger, "_word_logits", lambda X: (LOGITS, np.array([0, 2, 3])))
    assert tagger.predict(["ignored"]) == [["B-PER", "B-LOC"], ["O"]]
    proba = tagger.predict_proba(["ignored"])
    assert [p.shape for p in proba] == [(2, 3), (1, 3)]
    np.testing.assert_allclose(np.vstack(proba), torch.softmax(LOGITS, -1).numpy(), rtol=1e-6)


def test_fix_bio_repairs_what_predict_returns(tagger, monkeypatch):
    class IO(ElectraTagger):
        classes_ = np.array(["I-LOC", "I-PER", "O"], dtype=object)

    io = IO(fix_bio=True)
    monkeypatch.setattr(io, "_word_logits", lambda X: (LOGITS, np.array([0, 3])))
    assert io.predict(["ignored"]) == [["B-PER", "B-LOC", "O"]]
    io.fix_bio = False
    assert io.predict(["ignored"]) == [["I-PER", "I-LOC", "O"]]


def test_word_logits_follow_the_sentences_words(tagger):
    logits, sentences = tagger._word_logits([["Ann", "lives"], [], ["Rome"]])
    assert sentences.tolist() == [0, 2, 2, 3] and logits.shape == (3, 3)
    alone = tagger._word_logits([["Rome"]])[0]
    torch.testing.assert_close(logits[2:], alone, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("classes, bio", [
    (["B-X", "I-X", "O"], True), (["B-X", "O"], True), (["S-X", "E-X", "O"], True),
    (["O"], False), (["B-X", "NN"], False), (["NN", "VB"], False), (["B-", "O"], False),
])
def test_which_tag_sets_are_bio(classes, bio):
    class Tags(ElectraTagger):
        classes_ = np.array(classes, dtype=object)

    assert Tags()._is_bio() is bio


def test_bio_tags_score_entity_f1(tagger, monkeypatch):
    predicted = [["B-PER", "O", "O", "O"], ["B-PER", "O"]]
    monkeypatch.setattr(tagger, "predict", lambda X: predicted)
    # 2 of 3 true entities found, both found ones right: F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    assert tagger.score(X[:2], Y[:2]) == pytest.approx(0.8)
    with pytest.raises(ValueError, match=r"^y contains tags not seen in fit: \['B-ORG'\]; the tagger "
                                         r"can only predict \['B-LOC', 'B-PER', 'O'\]\.$"):
        tagger.score(X[:2], [["B-ORG", "O", "O", "O"], ["O", "O"]])
    eleven = [f"B-T{i:02d}" for i in range(11)]  # the message lists the first ten
    monkeypatch.setattr(tagger, "predict", lambda X: [["O"] * 11])
    with pytest.raises(ValueError, match=r"^y contains tags not seen in fit: \['B-T00', 'B-T01', "
                                         r"'B-T02', 'B-T03', 'B-T04', 'B-T05', 'B-T06', 'B-T07', "
                                         r"'B-T08', 'B-T09'\]; the tagger"):
        tagger.score([["w"] * 11], [eleven])


def test_other_tags_score_token_accuracy(monkeypatch):
    class POS(ElectraTagger):
        classes_ = np.array(["NN", "VB"], dtype=object)

    pos = POS()
    monkeypatch.setattr(pos, "predict", lambda X: [["NN", "NN", "VB"], ["VB"]])
    assert pos.score([["a", "b", "c"], ["d"]], [["NN", "VB", "VB"], ["VB"]]) == 0.75
    monkeypatch.setattr(pos, "predict", lambda X: [[]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no token to score: NaN, without numpy's empty-mean warning
        assert math.isnan(pos.score([[]], [[]]))
