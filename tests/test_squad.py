"""SQuAD's metrics: the official normalization for English, per character for Chinese."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_electra.squad import (answer_tokens, exact_match_score, normalize_answer, squad_f1_score,
                                   squad_scores)


@pytest.mark.parametrize("text, normalized", [
    ("The Cat!", "cat"),
    ("  a  theater,  an apple ", "theater apple"),  # articles go as words only
    ("“Quoted” – text", "“quoted” – text"),  # the SQuAD script drops ASCII punctuation only
    ("北京，中国。", "北京中国"),  # and CMRC's Chinese punctuation
    ("", ""),
])
def test_normalization_follows_the_official_scripts(text, normalized):
    assert normalize_answer(text) == normalized


def test_chinese_is_scored_per_character_and_english_per_word():
    assert answer_tokens("2008年北京奥运会") == ["2008", "年", "北", "京", "奥", "运", "会"]
    assert squad_f1_score(["北京市"], ["北京"]) == pytest.approx(0.8)
    assert squad_f1_score(["cat sat on mat"], ["the cat sat"]) == pytest.approx(2 / 3)
    assert exact_match_score(["北京，"], ["北京"]) == 1.0


def test_several_gold_answers_and_no_answer():
    gold = [{"text": ["Paris", "the city of Paris"], "answer_start": [0, 10]},
            {"text": [], "answer_start": []}, [], ["Rome"]]
    assert squad_scores(gold, ["city of Paris", "", "nothing", ""]) == {"exact_match": 0.5, "f1": 0.5}


def test_bad_predictions_get_clear_errors():
    with pytest.raises(ValueError, match="y_pred has 1 answers but y_true has 2 rows"):
        exact_match_score(["a", "b"], ["a"])
    with pytest.raises(TypeError, match=r"y_pred\[0\] is NoneType, not a string"):
        squad_f1_score(["a"], [None])
    with pytest.raises(TypeError, match=r"y_pred\[1\] is int, not a string"):
        exact_match_score(["a", "b"], ["a", 3])


@given(prediction=st.text(max_size=30), gold=st.lists(st.text(max_size=30), max_size=3))
def test_exact_match_never_exceeds_f1(prediction, gold):
    em, f1 = exact_match_score([gold], [prediction]), squad_f1_score([gold], [prediction])
    assert 0.0 <= em <= f1 <= 1.0
    golds = [g for g in gold if g] or [""]  # "" is no answer
    assert (em == 1.0) == (normalize_answer(prediction) in {normalize_answer(g) for g in golds})


# The first and last code point of each CJK block CMRC's script reads per character, and the
# one just outside it (symbols, a Yi syllable, private use, a Latin ligature, unassigned).
CJK_BLOCKS = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0xF900, 0xFAFF),
              (0x2F800, 0x2FA1F)]


@pytest.mark.parametrize("first, last", CJK_BLOCKS)
def test_every_cjk_block_is_read_per_character_to_its_edges(first, last):
    for inside in (first, last):
        assert answer_tokens(f"x{chr(inside)}y") == ["x", chr(inside), "y"], hex(inside)
    for outside in (first - 1, last + 1):
        assert answer_tokens(f"x{chr(outside)}y") == [f"x{chr(outside)}y"], hex(outside)


def test_cjk_punctuation_is_dropped_and_other_symbols_are_kept():
    # 、 and 〽 open and close the punctuation of "CJK Symbols and Punctuation"; ！ and ･ that
    # of the full-width forms; 〄 (a symbol) and Ａ (a full-width letter) are no punctuation.
    assert normalize_answer("北、京〽！･") == "北京"
    assert normalize_answer("〄Ａ") == "〄ａ"


def test_f1_counts_repeated_tokens_and_an_empty_side():
    # gold "x y y", predicted "y y z z": 2 tokens in common, precision 2/4, recall 2/3
    assert squad_f1_score(["x y y"], ["y y z z"]) == pytest.approx(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3))
    assert squad_f1_score(["x x"], ["x"]) == pytest.approx(2 * 1 * 0.5 / 1.5)  # a token counts as often as it repeats
    assert squad_f1_score(["cat"], [""]) == 0.0  # an answer where there is none
    assert squad_f1_score([""], ["cat"]) == 0.0  # no answer where there is one
    assert squad_f1_score([""], [""]) == 1.0
    assert squad_f1_score(["the"], ["a"]) == 1.0  # both normalize to nothing
    # The mean over questions, the best gold answer per question.
    assert squad_f1_score([["x y", "z"], ["w"]], ["z", "v"]) == 0.5
