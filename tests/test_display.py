"""Displays: both forms (figure and HTML) carry each token and its score, Chinese and English."""

import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sklearn_electra import ElectraRTDPretrainer, ReplacedTokenDisplay, TokenEvidenceDisplay  # noqa: E402

TEXTS = {"chinese": "质量很好，很满意！", "english": "The Battery died after 2 days."}


@pytest.fixture(scope="module")
def pretrainer(reviews):
    corpus = reviews[0]["text"].tolist() + ["The battery died after two days, sadly."] * 30
    return ElectraRTDPretrainer(max_length=32, vocab_size=2000, max_epochs=1, random_state=0).fit(corpus)


def _html_scores(display):
    found = re.findall(r'data-score="([-0-9.e]+)"[^>]*>([^<]*)</span>', display._repr_html_())
    return [text for _, text in found], np.array([float(s) for s, _ in found])


def _both_forms_carry(display, tokens, scores):
    assert display.tokens == tokens
    np.testing.assert_allclose(display.scores, scores, atol=1e-4)  # batch-padding float noise
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    heights = [bar.get_height() for bar in display.ax_.patches]
    assert labels == tokens and np.allclose(heights, display.scores)
    assert display.figure_ is display.ax_.figure
    html_tokens, html_scores = _html_scores(display)
    assert html_tokens == tokens and np.allclose(html_scores, display.scores, atol=1e-5)
    plt.close(display.figure_)


@pytest.mark.parametrize("language", ["chinese", "english"])
def test_replaced_token_display(pretrainer, language):
    text = TEXTS[language]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no CJK font on a bare machine: glyph warnings
        display = ReplacedTokenDisplay.from_estimator(pretrainer, text)
    scored = pretrainer.replaced_token_scores([text])[0][1:-1]
    if language == "chinese":
        assert display.tokens[:4] == ["质", "量", "很", "好"] and "，" in display.tokens
    else:
        assert display.tokens[:3] == ["The", "Battery", "died"]  # the text's own case, no ##
    tokens = display.tokens
    assert "".join(tokens) == "".join(text.split())
    _both_forms_carry(display, tokens, [s for _, s in scored])


@pytest.mark.parametrize("language", ["chinese", "english"])
def test_token_evidence_display_is_occlusion(fitted, language):
    text = TEXTS[language]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        display = TokenEvidenceDisplay.from_estimator(fitted, text, label="pos")
    column = fitted.classes_.tolist().index("pos")
    # Independently: the text with each token's characters replaced by [MASK].
    masked = [text[:a] + "[MASK]" + text[b:] for a, b in display.offsets]
    whole = fitted.predict_proba([text])[0, column]
    expected = whole - fitted.predict_proba(masked)[:, column]
    assert display.label == "pos" and display.probability == pytest.approx(whole, abs=1e-5)
    _both_forms_carry(display, [text[a:b] for a, b in display.offsets], expected)


def test_evidence_for_an_unknown_label_is_an_error(fitted):
    with pytest.raises(ValueError, match=r"label='maybe' is not one of the classifier's classes"):
        TokenEvidenceDisplay.from_estimator(fitted, "好", label="maybe")


def test_plot_into_given_axes(pretrainer):
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        display = ReplacedTokenDisplay.from_estimator(pretrainer, "good", ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    plt.close(fig)
