"""What the model sees, token by token: displays in the style of scikit-learn's ``*Display``.

* :class:`ReplacedTokenDisplay`: a pretrainer's discriminator, the probability that
  each token was replaced (what replaced token detection learns).
* :class:`TokenEvidenceDisplay`: a classifier's evidence per token, by occlusion:
  how much the probability of a label falls when that token is masked.

``from_estimator(estimator, text)`` computes the scores and plots them;
``plot()`` draws one bar per token (``figure_``, ``ax_``); in a notebook the display
itself shows as the text with each token shaded by its score (``_repr_html_``).
Tokens are shown as the characters of the original text they cover (from the
tokenizer's offsets), so Chinese shows as characters and English as words, with no
``##`` and in the original case.
"""

from __future__ import annotations

import html

import numpy as np

from ._warnings import TextTruncationWarning, warn_caller
from .data import EncodedDataset
from .tokenization import Truncation, _plain_backend
from .validation import check_texts

__all__ = ["ReplacedTokenDisplay", "TokenEvidenceDisplay"]

# Fonts with CJK glyphs, tried in order before matplotlib's default (which has none).
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
              "Arial Unicode MS")


def _token_pieces(estimator, text):
    """``(ids, offsets)`` of ``text``'s tokens that fit in one row of ``max_length``."""
    (text,) = check_texts([text], allow_pairs=False)
    encoding = _plain_backend(estimator.tokenizer_).encode(text, add_special_tokens=False)
    keep = estimator.max_length - 2
    if len(encoding.ids) > keep:
        cut = Truncation(1, 1, len(encoding.ids) + 2)
        warn_caller(cut.message(estimator.max_length, hint="The display shows the tokens the "
                                "model reads."), TextTruncationWarning)
    return text, np.asarray(encoding.ids[:keep], dtype=np.int64), encoding.offsets[:keep]


class _TokenScoresDisplay:
    """Tokens of a text (as its own characters) with one score each."""

    _score_name = "score"
    _cmap = "Reds"
    _vmin, _vmax = 0.0, 1.0

    def __init__(self, *, text, offsets, scores, title=None):
        self.text = text
        self.offsets = [tuple(int(i) for i in o) for o in offsets]
        self.scores = np.asarray(scores, dtype=np.float64)
        self.title = title

    @property
    def tokens(self):
        """Each token as the characters of ``text`` it covers."""
        return [self.text[a:b] for a, b in self.offsets]

    def _colors(self, cmap):
        import matplotlib

        cmap = matplotlib.colormaps[cmap or self._cmap]
        # Scores beyond the scale take the colormap's under/over colours (its ends by default).
        return cmap(matplotlib.colors.Normalize(self._vmin, self._vmax)(self.scores))

    def plot(self, ax=None, *, cmap=None):
        """One bar per token, its height the score, its label the token.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure otherwise.
        cmap : str, optional
            A matplotlib colormap name for the bars.

        Returns
        -------
        self
            With ``figure_`` and ``ax_`` set.
        """
        import matplotlib.pyplot as plt
        from matplotlib import font_manager

        tokens = self.tokens
        short = all(len(t) <= 2 for t in tokens)  # CJK characters fit upright
        if ax is None:
            _, ax = plt.subplots(figsize=(max(4.0, (0.3 if short else 0.45) * len(tokens) + 1.5),
                                          2.8 if short else 3.4))
        installed = {f.name for f in font_manager.fontManager.ttflist}
        fonts = [f for f in _CJK_FONTS if f in installed] + ["DejaVu Sans"]
        positions = np.arange(len(self.scores))
        ax.bar(positions, self.scores, color=self._colors(cmap), edgecolor="0.4", linewidth=0.4)
        ax.set_xticks(positions, tokens, rotation=0 if short or len(tokens) <= 6 else 60,
                      ha="center" if short or len(tokens) <= 6 else "right",
                      rotation_mode="anchor", fontfamily=fonts, fontsize=8)
        ax.set_xlim(-0.6, len(self.scores) - 0.4)
        ax.set_ylabel(self._score_name)
        if self._vmin < 0:
            ax.axhline(0, color="0.3", linewidth=0.6)
        if self.title:
            ax.set_title(self.title, fontfamily=fonts, fontsize=9)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _repr_html_(self):
        """The text with every token shaded by its score (hover for the value)."""
        colors = self._colors(None)
        parts, last = [], 0
        for (a, b), score, rgba in zip(self.offsets, self.scores, colors):
            parts.append(html.escape(self.text[last:a]))
            r, g, bl = (int(255 * c) for c in rgba[:3])
            ink = "#fff" if 0.299 * r + 0.587 * g + 0.114 * bl < 140 else "#000"
            parts.append(f'<span title="{score:.3f}" data-score="{score:.6f}" style="background:'
                         f'rgb({r},{g},{bl});color:{ink};border-radius:3px;padding:0 1px">'
                         f"{html.escape(self.text[a:b])}</span>")
            last = b
        parts.append(html.escape(self.text[last:]))
        title = f"<div style='font-weight:bold'>{html.escape(self.title)}</div>" if self.title else ""
        return (f"<div class='sklearn-electra-tokens' style='line-height:1.9;font-family:sans-serif'>"
                f"{title}{''.join(parts)}</div>")


class ReplacedTokenDisplay(_TokenScoresDisplay):
    """A pretrainer's discriminator on a text: ``P(replaced)`` per token.

    Parameters
    ----------
    text : str
    offsets : list of (start, end)
        Each token's characters in ``text``.
    scores : array of float
        ``P(replaced)`` per token.
    title : str, optional

    Attributes
    ----------
    figure_, ax_
        Set by :meth:`plot`.

    Examples
    --------
    >>> from sklearn_electra import ElectraRTDPretrainer
    >>> pre = ElectraRTDPretrainer(max_length=16, max_epochs=1, random_state=0).fit(
    ...     ["the cat sat on the mat", "a dog ran in the park"] * 20)
    >>> display = ReplacedTokenDisplay.from_estimator(pre, "the dog sat on the mat")
    >>> display.tokens
    ['the', 'dog', 'sat', 'on', 'the', 'mat']
    >>> bool(((display.scores >= 0) & (display.scores <= 1)).all())
    True
    """

    _score_name = "P(replaced)"

    @classmethod
    def from_estimator(cls, estimator, text, *, ax=None, cmap=None):
        """Score ``text`` with a fitted :class:`~sklearn_electra.ElectraRTDPretrainer` and plot it.

        Returns
        -------
        ReplacedTokenDisplay
        """
        estimator.check_is_fitted()
        text, ids, offsets = _token_pieces(estimator, text)
        # Score the part the display shows (it has warned once about the rest): the tokens
        # of a prefix that ends where a token ends are that token and the ones before it.
        shown = text[:offsets[-1][1]] if offsets else text
        scored = estimator.replaced_token_scores([shown])[0][1:-1]  # without [CLS] and [SEP]
        display = cls(text=text, offsets=offsets, scores=[s for _, s in scored],
                      title="P(replaced) per token")
        return display.plot(ax=ax, cmap=cmap)


class TokenEvidenceDisplay(_TokenScoresDisplay):
    """A classifier's evidence per token, by occlusion.

    A token's score is the probability of ``label`` given the whole text minus
    the probability with that token replaced by ``[MASK]``: positive where the
    token speaks for the label, negative where it speaks against it.

    Parameters
    ----------
    text : str
    offsets : list of (start, end)
    scores : array of float
    label : object
        The label the evidence is for.
    probability : float
        Its probability given the whole text.
    title : str, optional

    Examples
    --------
    >>> from sklearn_electra import ElectraClassifier
    >>> clf = ElectraClassifier(max_epochs=2, random_state=0).fit(
    ...     ["great phone", "love it", "battery died", "screen broke"] * 8,
    ...     ["pos", "pos", "neg", "neg"] * 8)
    >>> display = TokenEvidenceDisplay.from_estimator(clf, "great battery", label="pos")
    >>> display.tokens, display.label
    (['great', 'battery'], 'pos')
    """

    _score_name = "evidence (drop in P when masked)"
    _cmap = "RdBu_r"

    def __init__(self, *, text, offsets, scores, label, probability, title=None):
        super().__init__(text=text, offsets=offsets, scores=scores, title=title)
        self.label = label
        self.probability = float(probability)
        bound = max(1e-6, float(np.abs(self.scores).max())) if len(self.scores) else 1.0
        self._vmin, self._vmax = -bound, bound

    @classmethod
    def from_estimator(cls, estimator, text, *, label=None, ax=None, cmap=None):
        """Occlusion evidence of a fitted :class:`~sklearn_electra.ElectraClassifier` and its plot.

        Parameters
        ----------
        estimator : ElectraClassifier
        text : str
        label : optional
            One of ``classes_``; default: the predicted (most probable) one.

        Returns
        -------
        TokenEvidenceDisplay
        """
        estimator.check_is_fitted()
        text, ids, offsets = _token_pieces(estimator, text)
        tok = estimator.tokenizer_
        row = np.concatenate([[tok.cls_token_id], ids, [tok.sep_token_id]])
        rows = np.tile(row, (len(ids) + 1, 1))  # the text, then one row per masked token
        rows[np.arange(1, len(ids) + 1), np.arange(1, len(ids) + 1)] = tok.mask_token_id
        dataset = EncodedDataset(list(rows), [np.zeros_like(row)] * len(rows))
        logits = estimator.forward(dataset).float()
        proba = estimator.target_.predict_proba(logits)
        if isinstance(proba, list):
            raise ValueError("TokenEvidenceDisplay shows the evidence for one label; this "
                             "classifier has several label columns. Fit one on the column to show.")
        classes = estimator.classes_.tolist()
        if label is None:
            column = int(proba[0].argmax())
        elif label in classes:
            column = classes.index(label)
        else:
            raise ValueError(f"label={label!r} is not one of the classifier's classes {classes}.")
        scores = proba[0, column] - proba[1:, column]
        display = cls(text=text, offsets=offsets, scores=scores, label=classes[column],
                      probability=proba[0, column],
                      title=f"evidence for {classes[column]!r} (P = {proba[0, column]:.2f})")
        return display.plot(ax=ax, cmap=cmap)
