"""Displays: both forms (figure and HTML) carry each token and its score, Chinese and English."""

import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sklearn_electra import ElectraRTDPretrainer, ReplacedTokenDisplay, TokenEvidenceDisplay  # noqa: E402
from sklearn_electra import display as display_module  # noqa: E402

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


# ------------------------------------------------------------------ how each form draws
def _replaced(scores=(0.0, 0.25, 1.5), text="ab cd é", offsets=((0, 2), (3, 5), (6, 7))):
    return ReplacedTokenDisplay(text=text, offsets=offsets, scores=list(scores), title="t <1>")


def test_the_figure_draws_each_token_as_a_bar():
    import matplotlib as mpl

    display = _replaced().plot()
    ax = display.ax_
    assert display.tokens == ["ab", "cd", "é"] and display.scores.dtype == np.float64
    bars = ax.patches
    assert [b.get_height() for b in bars] == [0.0, 0.25, 1.5]
    reds = mpl.colormaps["Reds"]
    # Scores are coloured on [0, 1]: 1.5 takes the top colour.
    np.testing.assert_allclose([b.get_facecolor() for b in bars], [reds(0.0), reds(0.25), reds(1.0)])
    assert all(b.get_edgecolor() == mpl.colors.to_rgba("0.4") and b.get_linewidth() == 0.4
               for b in bars)
    labels = ax.get_xticklabels()
    assert [t.get_text() for t in labels] == ["ab", "cd", "é"]
    assert all(t.get_rotation() == 0 and t.get_ha() == "center" and t.get_fontsize() == 8
               for t in labels)
    assert ax.get_xlim() == (-0.6, 2.6) and ax.get_ylabel() == "P(replaced)"
    assert ax.get_title() == "t <1>" and ax.title.get_fontsize() == 9
    assert not ax.lines  # no zero line for scores that cannot be negative
    assert tuple(display.figure_.get_size_inches()) == (4.0, 2.8)  # short tokens: upright, low
    plt.close("all")


def test_many_long_tokens_are_slanted_and_the_figure_widens():
    words = [f"word{i}" for i in range(8)]
    text = " ".join(words)
    offsets, start = [], 0
    for w in words:
        offsets.append((start, start + len(w)))
        start += len(w) + 1
    display = ReplacedTokenDisplay(text=text, offsets=offsets, scores=[0.5] * 8).plot()
    labels = display.ax_.get_xticklabels()
    assert all(t.get_rotation() == 60 and t.get_ha() == "right" for t in labels)
    assert tuple(display.figure_.get_size_inches()) == (pytest.approx(0.45 * 8 + 1.5), 3.4)
    assert display.ax_.get_title() == ""
    six = ReplacedTokenDisplay(text=text, offsets=offsets[:6], scores=[0.5] * 6).plot()
    assert all(t.get_rotation() == 0 and t.get_ha() == "center"
               for t in six.ax_.get_xticklabels())  # six fit upright
    seven = ReplacedTokenDisplay(text=text, offsets=offsets[:7], scores=[0.5] * 7).plot()
    assert all(t.get_rotation() == 60 and t.get_ha() == "right" and t.get_rotation_mode() == "anchor"
               for t in seven.ax_.get_xticklabels())
    # Three letters are a word, not a character: the figure is the taller one for slanted labels.
    three = ReplacedTokenDisplay(text="cat sat mat", offsets=[(0, 3), (4, 7), (8, 11)],
                                 scores=[0.5] * 3).plot()
    assert tuple(three.figure_.get_size_inches()) == (4.0, 3.4)
    cjk = ReplacedTokenDisplay(text="好" * 20, offsets=[(i, i + 1) for i in range(20)],
                               scores=[0.1] * 20).plot()
    assert tuple(cjk.figure_.get_size_inches()) == (pytest.approx(0.3 * 20 + 1.5), 2.8)
    assert all(t.get_rotation() == 0 and t.get_ha() == "center"  # characters stay upright
               for t in cjk.ax_.get_xticklabels())
    plt.close("all")


def test_labels_and_title_ask_for_installed_fonts_that_hold_cjk_glyphs():
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    display = ReplacedTokenDisplay(text="好 ok", offsets=[(0, 1), (2, 4)], scores=[0.2, 0.4],
                                   title="好").plot()
    for text in [*display.ax_.get_xticklabels(), display.ax_.title]:
        families = text.get_fontfamily()
        # the CJK fonts this machine has, in order, then matplotlib's own (always there)
        assert families[-1] == "DejaVu Sans" and set(families) <= installed
        assert families[:-1] == [f for f in display_module._CJK_FONTS if f in installed]
    plt.close("all")


def test_evidence_is_coloured_around_zero_on_its_own_scale():
    import matplotlib as mpl

    display = TokenEvidenceDisplay(text="ab cd", offsets=[(0, 2), (3, 5)], scores=[0.2, -0.1],
                                   label="pos", probability=np.float32(0.75)).plot()
    assert display.probability == 0.75 and type(display.probability) is float
    assert (display._vmin, display._vmax) == (-0.2, 0.2)
    cmap = mpl.colormaps["RdBu_r"]
    np.testing.assert_allclose([b.get_facecolor() for b in display.ax_.patches],
                               [cmap(1.0), cmap(0.25)])
    zero = display.ax_.lines[0]
    assert list(zero.get_ydata()) == [0, 0] and zero.get_color() == "0.3" and zero.get_linewidth() == 0.6
    assert display.ax_.get_ylabel() == "evidence (drop in P when masked)"
    flat = TokenEvidenceDisplay(text="ab", offsets=[(0, 2)], scores=[0.0], label=1, probability=1)
    assert (flat._vmin, flat._vmax) == (-1e-6, 1e-6)  # no evidence: a scale that still divides
    empty = TokenEvidenceDisplay(text="", offsets=[], scores=[], label=1, probability=1)
    assert (empty._vmin, empty._vmax) == (-1.0, 1.0)
    other = _replaced().plot(cmap="Blues")
    np.testing.assert_allclose(other.ax_.patches[1].get_facecolor(), mpl.colormaps["Blues"](0.25))
    plt.close("all")


def test_the_html_shades_each_token_of_the_text_itself():
    import matplotlib as mpl

    html = _replaced(scores=(0.0, 0.9, 0.5), text="<ab> cd é!", offsets=((1, 3), (5, 7), (8, 9)))._repr_html_()
    reds = mpl.colormaps["Reds"]

    def span(score, token):
        r, g, b = (int(255 * c) for c in reds(score)[:3])
        ink = "#fff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#000"
        return (f'<span title="{score:.3f}" data-score="{score:.6f}" style="background:'
                f'rgb({r},{g},{b});color:{ink};border-radius:3px;padding:0 1px">{token}</span>')

    assert html == ("<div class='sklearn-electra-tokens' style='line-height:1.9;font-family:sans-serif'>"
                    "<div style='font-weight:bold'>t &lt;1&gt;</div>&lt;" + span(0.0, "ab") + "&gt; "
                    + span(0.9, "cd") + " " + span(0.5, "é") + "!</div>")
    assert "color:#fff" in span(0.9, "x") and "color:#000" in span(0.0, "x")  # ink follows shade
    untitled = ReplacedTokenDisplay(text="ab", offsets=[(0, 2)], scores=[0.0])._repr_html_()
    assert untitled == ("<div class='sklearn-electra-tokens' style='line-height:1.9;"
                        "font-family:sans-serif'>" + span(0.0, "ab") + "</div>")


def _inks(display):
    return "".join("w" if ink == "fff" else "b"
                   for ink in re.findall(r"color:#(fff|000);", display._repr_html_()))


def test_ink_turns_white_where_the_shade_is_dark():
    # Every colour of both colormaps: black ink on the light ones, white on the dark ends.
    levels = np.arange(256) / 255
    text = "x" * 256
    offsets = [(i, i + 1) for i in range(256)]
    reds = _inks(ReplacedTokenDisplay(text=text, offsets=offsets, scores=levels))
    assert reds == "b" * 133 + "w" * 123
    evidence = _inks(TokenEvidenceDisplay(text=text, offsets=offsets, scores=2 * levels - 1,
                                          label=1, probability=1))
    assert evidence == "w" * 57 + "b" * 142 + "w" * 57


def test_scores_beyond_the_scale_take_the_colours_of_its_ends():
    import matplotlib as mpl

    display = _replaced(scores=np.array([-0.5, 0.5, 2.0], dtype=np.float32))
    assert display.scores.dtype == np.float64  # float32 scores are widened, as documented
    reds = mpl.colormaps["Reds"]
    np.testing.assert_allclose(display._colors(None), [reds(0.0), reds(0.5), reds(1.0)])


def test_a_display_shows_only_the_tokens_the_model_reads(pretrainer):
    from sklearn_electra import TextTruncationWarning

    text = " ".join(["battery"] * 40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore", UserWarning)  # glyphs; ours is one too, so:
        warnings.simplefilter("always", TextTruncationWarning)
        display = ReplacedTokenDisplay.from_estimator(pretrainer, text)
    said = [str(w.message) for w in caught]
    longest = len(pretrainer.tokenizer_(text, add_special_tokens=False)["input_ids"]) + 2
    assert said == [f"1 of 1 texts are longer than max_length=32 tokens (the longest has {longest}) "
                    "and were truncated. The display shows the tokens the model reads."]  # once
    assert longest == 42
    assert len(display.tokens) == 30  # max_length=32 less [CLS] and [SEP]
    expected = pretrainer.replaced_token_scores([" ".join(["battery"] * 30)])[0][1:-1]
    np.testing.assert_allclose(display.scores, [s for _, s in expected], atol=1e-5)
    assert display.ax_.get_title() == "P(replaced) per token"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", TextTruncationWarning)  # 30 tokens fit: no warning
        assert len(ReplacedTokenDisplay.from_estimator(pretrainer, " ".join(["battery"] * 30)).tokens) == 30
    plt.close("all")


def test_evidence_defaults_to_the_predicted_label(fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        display = TokenEvidenceDisplay.from_estimator(fitted, "质量很好，很满意")
    proba = fitted.predict_proba(["质量很好，很满意"])[0]
    predicted = fitted.classes_[proba.argmax()]
    assert display.label == predicted
    assert display.ax_.get_title() == f"evidence for {predicted!r} (P = {proba.max():.2f})"
    plt.close("all")


def test_evidence_needs_one_label_column():
    from sklearn_electra import ElectraClassifier

    X = ["good phone", "bad screen"] * 8
    y = np.array([["pos", "a"], ["neg", "b"]] * 8, dtype=object)
    clf = ElectraClassifier(max_length=16, vocab_size=60, max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError) as info:
        TokenEvidenceDisplay.from_estimator(clf, "good")
    assert str(info.value) == ("TokenEvidenceDisplay shows the evidence for one label; this "
                               "classifier has several label columns. Fit one on the column to show.")


def test_a_display_reads_one_text_not_a_pair(pretrainer):
    with pytest.raises(TypeError, match=r"^X\[0\] is a tuple of 2 items, not a string\.$"):
        ReplacedTokenDisplay.from_estimator(pretrainer, ("good", "phone"))
    empty = ReplacedTokenDisplay.from_estimator(pretrainer, "")  # nothing to score, nothing cut
    assert empty.tokens == [] and empty.scores.shape == (0,) and not empty.ax_.patches
    plt.close("all")


@pytest.fixture(scope="module")
def keywords():
    """A classifier that learned its keywords: "great" is pos, "awful" neg, neither none."""
    from sklearn_electra import ElectraClassifier

    X = ["great phone", "great screen", "awful phone", "awful screen", "phone", "screen",
         "a phone", "the screen"] * 6
    y = ["pos", "pos", "neg", "neg", "none", "none", "none", "none"] * 6
    return ElectraClassifier(max_length=16, vocab_size=60, batch_size=8, lr=5e-3, max_epochs=10,
                             random_state=0).fit(X, y)


def test_evidence_is_the_drop_from_the_whole_text(keywords):
    import matplotlib as mpl

    proba = keywords.predict_proba(["great phone", "[MASK] phone", "great [MASK]"])
    pos = keywords.classes_.tolist().index("pos")
    assert proba[0].argmax() == pos and proba[1].argmax() != pos  # masking "great" loses it
    fig, ax = plt.subplots()
    display = TokenEvidenceDisplay.from_estimator(keywords, "great phone", ax=ax, cmap="PuOr")
    assert display.label == "pos" and display.ax_ is ax
    np.testing.assert_allclose(display.scores, proba[0, pos] - proba[1:, pos], atol=1e-5)
    assert display.scores[0] > 0.5  # "great" carries the label
    assert display.ax_.get_title() == f"evidence for 'pos' (P = {proba[0, pos]:.2f})"
    puor = mpl.colormaps["PuOr"]
    norm = mpl.colors.Normalize(display._vmin, display._vmax)
    np.testing.assert_allclose([b.get_facecolor() for b in ax.patches], puor(norm(display.scores)))
    plt.close("all")


def test_replaced_token_display_takes_a_colormap(pretrainer):
    import matplotlib as mpl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        display = ReplacedTokenDisplay.from_estimator(pretrainer, "good phone", cmap="Greens")
    np.testing.assert_allclose([b.get_facecolor() for b in display.ax_.patches],
                               mpl.colormaps["Greens"](display.scores))
    plt.close("all")
