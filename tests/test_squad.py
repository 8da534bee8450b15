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


@given(prediction=st.text(max_size=30), gold=st.lists(st.text(max_size=30), max_size=3))
def test_exact_match_never_exceeds_f1(prediction, gold):
    em, f1 = exact_match_score([gold], [prediction]), squad_f1_score([gold], [prediction])
    assert 0.0 <= em <= f1 <= 1.0
    golds = [g for g in gold if g] or [""]  # "" is no answer
    assert (em == 1.0) == (normalize_answer(prediction) in {normalize_answer(g) for g in golds})
