"""The model card (``README.md``) that ``save_pretrained`` writes beside the weights.

The Hugging Face Hub renders a checkpoint's ``README.md``: YAML front matter it indexes
(``library_name``, ``pipeline_tag``, ``tags``, ``language``, ``metrics`` and the
``model-index`` of scores), then Markdown. The card says only what the estimator knows:
its parameters, the recipe it resolved (``recipe_``), the history of its fit and the
epoch whose weights it kept, its labels, the text it was trained on (from scratch or
from which checkpoint; how many sequences), and how to load it. Nothing is claimed that
was not measured: the scores are those of the validation split of the fit.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import yaml

from ._version import __version__
from .history import epoch_scores, kept_epoch, training_sequences

__all__ = ["PIPELINE_TAGS", "card_language", "model_card"]

# The Hub's task of each estimator (regression is "text-classification" there too).
PIPELINE_TAGS = {
    "ElectraClassifier": "text-classification",
    "ElectraRegressor": "text-classification",
    "ElectraTagger": "token-classification",
    "ElectraQuestionAnswerer": "question-answering",
    "ElectraEmbedder": "feature-extraction",
}
_TAGS = {
    "ElectraRegressor": ["regression"],
    "ElectraTagger": ["ner"],
    "ElectraRTDPretrainer": ["replaced-token-detection"],
}
# history_ columns under the names the Hub's model-index uses.
_METRIC_TYPES = {"valid_acc": "accuracy", "valid_loss": "loss", "train_loss": "loss"}
# Share of a vocabulary's tokens written in a script before the card names its language.
_SCRIPT_SHARE = 0.2


def _script(char):
    name = unicodedata.name(char, "")
    for script, prefixes in (("ja", ("HIRAGANA", "KATAKANA")), ("ko", ("HANGUL",)),
                             ("zh", ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))):
        if name.startswith(prefixes):
            return script
    return None


def card_language(tokenizer):
    """The language a tokenizer's vocabulary shows, where its script tells it, else None.

    Chinese (``"zh"``) when a fifth of the tokens hold Han characters and none of the
    share is Japanese kana, Japanese (``"ja"``) with kana, Korean (``"ko"``) with Hangul.
    Latin script does not tell English from French, so it names none.

    Examples
    --------
    >>> from sklearn_electra import train_wordpiece
    >>> card_language(train_wordpiece(["今天天气很好", "我们去公园散步"], vocab_size=60))
    'zh'
    >>> card_language(train_wordpiece(["the weather is fine today"], vocab_size=60)) is None
    True
    """
    tokens = [t.removeprefix("##") for t in tokenizer.get_vocab()
              if t not in tokenizer.all_special_tokens]
    counts = {}
    for token in tokens:
        scripts = {_script(c) for c in token} - {None}
        for script in scripts:
            counts[script] = counts.get(script, 0) + 1
    if not tokens:
        return None
    if counts.get("ja", 0) >= _SCRIPT_SHARE * len(tokens) / 4:  # kana beside the Han it uses
        return "ja"
    for script in ("ko", "zh"):
        if counts.get(script, 0) >= _SCRIPT_SHARE * len(tokens):
            return script
    return None


def _auto_class(model):
    name = type(model).__name__
    return "AutoModel" if name == "ElectraModel" else name.replace("Electra", "AutoModel", 1)


_PRESET = re.compile(r"preset '([^']+)'")


def _origin(estimator):
    """``(kind, sentence)``: where the weights started. ``kind`` is ``"scratch"`` (a preset
    trained from random weights on this task), ``"pretrained"`` (replaced token detection
    from random weights), ``"checkpoint"`` (fine-tuning or further pretraining of one), or
    ``"loaded"`` (an encoder used as loaded, or a model loaded without its history)."""
    model = estimator.model
    basis = getattr(getattr(estimator, "recipe_", None), "basis", "") or ""
    # The recipe names the preset; ``model`` is a path once a model has been saved and loaded.
    preset = _PRESET.search(basis)
    if not getattr(estimator, "history_", None):
        if preset is not None:
            return "loaded", (f"loaded from `{model}`, where it had been trained from random "
                              f"weights (preset `{preset.group(1)}`); its training history "
                              "is not saved with a checkpoint")
        return "loaded", f"loaded from `{model}`, with no training here"
    if "pretraining" in basis:
        if preset is not None:
            return "pretrained", (f"pretrained with replaced token detection from random weights "
                                  f"(preset `{preset.group(1)}`)")
        return "checkpoint", f"pretrained further with replaced token detection from `{model}`"
    if preset is not None:
        return "scratch", (f"trained from random weights (preset `{preset.group(1)}`), "
                           "with no pretraining")
    return "checkpoint", f"fine-tuned from the checkpoint `{model}`"


def _front_matter(estimator, scores, language):
    name = type(estimator).__name__
    front = {"library_name": "sklearn_electra"}
    if name in PIPELINE_TAGS:
        front["pipeline_tag"] = PIPELINE_TAGS[name]
    front["tags"] = ["sklearn_electra", "electra", "scikit-learn", *_TAGS.get(name, [])]
    if language is not None:
        front["language"] = [language]
    validation = {k: v for k, v in scores.items() if k.startswith("valid_")}
    if validation:
        front["metrics"] = sorted({_METRIC_TYPES.get(k, k.removeprefix("valid_")) for k in validation})
        task = {"type": PIPELINE_TAGS.get(name, "other")}
        front["model-index"] = [{"name": name, "results": [{
            "task": task,
            "dataset": {"type": "custom", "name": "validation split of the training data"},
            "metrics": [{"type": _METRIC_TYPES.get(k, k.removeprefix("valid_")),
                         "name": k.replace("_", " "), "value": v}
                        for k, v in sorted(validation.items())]}]}]
    return front


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _value(v):
    return f"{v:.6g}" if isinstance(v, float) else f"`{v!r}`"


def model_card(estimator, text=None):
    """The Hub model card of a fitted estimator, as Markdown with YAML front matter.

    Parameters
    ----------
    estimator : fitted sklearn_electra estimator
    text : str, optional
        The author's own words (intended use, data, licence), added as a section.

    Returns
    -------
    str
        The ``README.md`` that ``save_pretrained`` writes.

    Examples
    --------
    >>> from sklearn_electra import ElectraClassifier
    >>> clf = ElectraClassifier(max_length=16, vocab_size=100, max_epochs=1, random_state=0)
    >>> clf = clf.fit(["good phone", "bad phone"] * 10, ["pos", "neg"] * 10)
    >>> card = model_card(clf, text="A demonstration.")
    >>> card.splitlines()[:3]
    ['---', 'library_name: sklearn_electra', 'pipeline_tag: text-classification']
    >>> card.rstrip().endswith("## Notes from the author" + 2 * chr(10) + "A demonstration.")
    True
    """
    name = type(estimator).__name__
    epoch = kept_epoch(estimator)
    scores = epoch_scores(estimator, epoch) if epoch is not None else {}
    language = card_language(estimator.tokenizer_)
    front = yaml.safe_dump(_front_matter(estimator, scores, language), sort_keys=False,
                           allow_unicode=True)
    kind, origin = _origin(estimator)
    sections = [f"---\n{front}---", f"# {name}",
                (f"An ELECTRA model {origin}, with "
                 f"[sklearn_electra](https://pypi.org/project/sklearn-electra/) {__version__}.")]

    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        sections.append(f"## Labels\n\n{len(classes)} labels: "
                        + ", ".join(f"`{c}`" for c in list(classes)))

    history = getattr(estimator, "history_", None)
    if history:
        n = training_sequences(estimator)
        lines = [f"{len(history)} epochs ran; the model holds the weights of epoch {epoch}"
                 + (" (the best validation loss, restored by early stopping)."
                    if epoch != history[-1]["epoch"] else ".")]
        if n is not None:
            lines.append(f"Each epoch trained on {n:,} sequences (a text, or a window of a text "
                         f"longer than `max_length={estimator.max_length}`).")
        if scores:
            lines.append("Scores of the kept epoch: "
                         + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()) + ".")
        columns = sorted({k for row in history for k in epoch_scores(estimator, row["epoch"])})
        rows = [[row["epoch"], *(f"{row[c]:.4f}" if c in row else "" for c in columns)]
                for row in history]
        sections.append("## Training\n\n" + " ".join(lines) + "\n\n" + _table(["epoch", *columns], rows))

    recipe = getattr(estimator, "recipe_", None)
    if recipe is not None:
        rows = [[f.name, _value(getattr(recipe, f.name))] for f in dataclasses.fields(recipe)]
        sections.append("## Recipe\n\nThe settings the fit resolved (`recipe_`), following "
                        "google-research/electra by model size:\n\n" + _table(["setting", "value"], rows))

    params = estimator.get_params(deep=False)
    rows = [[k, _value(v)] for k, v in params.items()
            if v is None or isinstance(v, (bool, int, float, str))]
    sections.append("## Parameters\n\n" + _table(["parameter", "value"], rows))

    auto = _auto_class(estimator._export_module())
    sections.append(
        "## How to load\n\n```python\n"
        f"from sklearn_electra import {name}\n"
        f"est = {name}.from_pretrained(\"path/to/this/folder\")\n\n"
        f"from transformers import AutoTokenizer, {auto}\n"
        f"model = {auto}.from_pretrained(\"path/to/this/folder\")\n"
        "tokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")\n```\n\n"
        "The exported tokenizer encodes text exactly as training did "
        f"(`max_length={estimator.max_length}`, the same truncation).")

    limits = [f"The model was {origin}."]
    if kind == "scratch":
        limits.append("It knows only the words and patterns of its own training data: expect "
                      "it to do worse than a pretrained model on text unlike that data.")
    if language is None:
        limits.append("The language of the training text was not detected from the tokenizer.")
    limits.append("The scores above come from the validation split of the same data; "
                  "they say nothing about other data.")
    sections.append("## Intended use and limits\n\n" + " ".join(limits))

    if text:
        sections.append("## Notes from the author\n\n" + text.strip())
    return "\n\n".join(sections) + "\n"
