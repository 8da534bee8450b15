"""The model card save_pretrained writes: Hub front matter, and only what the fit measured."""

import copy
import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
import yaml
from transformers import AutoModelForSequenceClassification

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer, ElectraTagger, train_wordpiece
from sklearn_electra.history import epoch_scores, kept_epoch
from sklearn_electra.model_card import card_language, model_card


def _read(folder):
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def test_a_classifier_card_holds_its_scores_labels_recipe_and_loading(fitted, tmp_path):
    fitted.save_pretrained(tmp_path, model_card="Trained for the test suite.")
    front, body = _read(tmp_path)
    assert front["library_name"] == "sklearn_electra"
    assert front["pipeline_tag"] == "text-classification"
    assert front["tags"] == ["sklearn_electra", "electra", "scikit-learn"]
    assert front["language"] == ["zh"]  # Chinese reviews
    assert front["metrics"] == ["accuracy", "loss"]
    # The validation scores of the epoch whose weights the model holds, exactly.
    epoch = kept_epoch(fitted)
    row = next(r for r in fitted.history_ if r["epoch"] == epoch)
    metrics = {m["name"]: m["value"] for m in front["model-index"][0]["results"][0]["metrics"]}
    assert metrics == {"valid acc": row["valid_acc"], "valid loss": row["valid_loss"]}
    assert "2 labels: `neg`, `pos`" in body
    assert f"{len(fitted.history_)} epochs ran; the model holds the weights of epoch {epoch}" in body
    assert "Each epoch trained on 360 sequences" in body  # 400 reviews less the 10% held out
    assert sum(line.startswith(f"| {r['epoch']} | ") for r in fitted.history_
               for line in body.splitlines()) == len(fitted.history_)
    assert "| lr | 0.001 |" in body and "`\"random init, preset 'tiny'\"`" in body
    assert "trained from random weights (preset `tiny`), with no pretraining" in body
    assert "AutoModelForSequenceClassification.from_pretrained" in body
    assert body.rstrip().endswith("## Notes from the author\n\nTrained for the test suite.")
    # The card is one more file: transformers and the package still load the folder.
    model = AutoModelForSequenceClassification.from_pretrained(tmp_path)
    assert model.config.id2label == {0: "neg", 1: "pos"}
    np.testing.assert_allclose(ElectraClassifier.from_pretrained(tmp_path).predict_proba(["不错"]),
                               fitted.predict_proba(["不错"]), atol=1e-6)


def test_the_card_reports_the_epoch_early_stopping_restored(fitted):
    restored = copy.deepcopy(fitted)
    stopper = dict(restored.callbacks_)["early_stopping"]
    stopper.best_epoch_ = 1  # as if the later epochs had not improved on the first
    front, body = yaml.safe_load(model_card(restored).split("---")[1]), model_card(restored)
    metrics = {m["name"]: m["value"] for m in front["model-index"][0]["results"][0]["metrics"]}
    assert metrics == {"valid acc": restored.history_[0]["valid_acc"],
                       "valid loss": restored.history_[0]["valid_loss"]}
    assert "the weights of epoch 1 (the best validation loss, restored by early stopping)" in body
    assert epoch_scores(restored, 1)["train_loss"] == restored.history_[0]["train_loss"]


def test_a_tagger_without_validation_claims_no_scores(tmp_path):
    sentences = [["Alice", "met", "Bob", "in", "Paris"], ["Carol", "flew", "to", "Rome"]] * 8
    tags = [["B-PER", "O", "B-PER", "O", "B-LOC"], ["B-PER", "O", "O", "B-LOC"]] * 8
    tagger = ElectraTagger(max_length=16, stride=4, vocab_size=100, max_epochs=1,
                           validation_fraction=None, random_state=0).fit(sentences, tags)
    tagger.save_pretrained(tmp_path)
    front, body = _read(tmp_path)
    assert front["pipeline_tag"] == "token-classification" and "ner" in front["tags"]
    assert "language" not in front  # Latin script does not tell the language
    assert "metrics" not in front and "model-index" not in front
    assert "holds the weights of epoch 1." in body and "AutoModelForTokenClassification" in body
    assert "The language of the training text was not detected" in body


def test_a_pretrainer_card_says_it_pretrained_from_random_weights(tmp_path):
    texts = ["the cat sat on the mat and looked at the dog"] * 40
    pretrainer = ElectraRTDPretrainer(max_length=16, vocab_size=60, max_epochs=1, batch_size=8,
                                      random_state=0).fit(texts)
    pretrainer.save_pretrained(tmp_path)
    front, body = _read(tmp_path)
    assert "pipeline_tag" not in front and "replaced-token-detection" in front["tags"]
    assert "pretrained with replaced token detection from random weights (preset `tiny`)" in body
    assert "| generator_size | 0.25 |" in body and "AutoModelForPreTraining" in body


def test_a_checkpoints_best_folder_has_its_card(reviews, tmp_path):
    train, _ = reviews
    clf = ElectraClassifier(max_length=48, vocab_size=500, max_epochs=2, random_state=0,
                            checkpoint_dir=str(tmp_path / "run")).fit(train["text"][:80],
                                                                       train["label"][:80])
    front, body = _read(tmp_path / "run" / "best")
    assert front["library_name"] == "sklearn_electra" and "# ElectraClassifier" in body
    assert (tmp_path / "run" / "last" / "README.md").exists()
    assert clf.history_[-1]["epoch"] == 2


def test_a_loaded_model_and_an_embedder_claim_no_training_they_did_not_do(fitted, tmp_path):
    from sklearn_electra import ElectraEmbedder

    fitted.save_pretrained(tmp_path / "first")
    loaded = ElectraClassifier.from_pretrained(tmp_path / "first")
    card = model_card(loaded)
    assert f"loaded from `{tmp_path / 'first'}`, where it had been trained from random weights " \
           "(preset `tiny`)" in card
    assert "## Training" not in card and "model-index" not in card
    embedder = ElectraEmbedder(model=str(tmp_path / "first")).fit(["a"])
    assert f"loaded from `{tmp_path / 'first'}`, with no training here" in model_card(embedder)


def test_model_card_text_must_be_a_string(fitted, tmp_path):
    with pytest.raises(TypeError, match="model_card must be a string \\(Markdown\\), not dict"):
        fitted.save_pretrained(tmp_path, model_card={"license": "mit"})
    assert not (tmp_path / "README.md").exists()


@pytest.mark.parametrize("texts, language", [
    (["今天天气很好", "我们去公园散步"], "zh"),
    (["ひらがなとカタカナ", "きょうはいいてんきです"], "ja"),
    (["오늘은 날씨가 좋습니다", "우리는 공원에 갑니다"], "ko"),
    (["the weather is fine today", "we walk in the park"], None),
    (["le temps est beau aujourd'hui"], None),
])
def test_the_card_names_a_language_only_where_the_script_tells_it(texts, language):
    assert card_language(train_wordpiece(texts, vocab_size=80)) == language


# ------------------------------------------------------------------ the card, word for word
@dataclasses.dataclass(frozen=True)
class _Recipe:
    lr: float
    layerwise_lr_decay: float
    basis: str


def _estimator(name, *, history=True, stopper=True, basis="preset 'tiny', fine-tuning",
               classes=("B-PER", "O"), model="tiny", texts=("今天天气很好", "我们去公园散步")):
    """A stand-in with what the card reads of an estimator, under ``name`` (the card's key)."""
    rows = [{"epoch": 1, "dur": 1.5, "train_loss": 0.5, "valid_loss": 0.4, "valid_acc": 0.8,
             "valid_loss_best": True, "batches": [{"train_batch_size": 16}, {"train_batch_size": 4},
                                                  {"valid_batch_size": 5}]},
            {"epoch": 2, "dur": 1.4, "train_loss": 0.25, "valid_loss": 0.45, "valid_acc": 0.75,
             "valid_loss_best": False, "batches": []}]
    head = {"ElectraTagger": "ElectraForTokenClassification",
            "ElectraRTDPretrainer": "ElectraForPreTraining", "ElectraEmbedder": "ElectraModel"}
    attributes = dict(
        model=model, max_length=32, tokenizer_=train_wordpiece(list(texts), vocab_size=60),
        recipe_=_Recipe(1e-4, 0.8, basis), history_=rows if history else None,
        callbacks_=[("early_stopping", SimpleNamespace(load_best=True, best_epoch_=1))] if stopper else [],
        get_params=lambda deep=False: {"model": model, "max_length": 32, "lr": 1e-4, "ids": [1],
                                       "device": None, "lowercase": True, "callbacks": object()},
        _export_module=lambda: type(head.get(name, "ElectraForSequenceClassification"), (), {})())
    if classes is not None:
        attributes["classes_"] = list(classes)
    return type(name, (SimpleNamespace,), {})(**attributes)


TAGGER_CARD = """---
library_name: sklearn_electra
pipeline_tag: token-classification
tags:
- sklearn_electra
- electra
- scikit-learn
- ner
language:
- zh
metrics:
- accuracy
- loss
model-index:
- name: ElectraTagger
  results:
  - task:
      type: token-classification
    dataset:
      type: custom
      name: validation split of the training data
    metrics:
    - type: accuracy
      name: valid acc
      value: 0.8
    - type: loss
      name: valid loss
      value: 0.4
---

# ElectraTagger

An ELECTRA model trained from random weights (preset `tiny`), with no pretraining, with \
[sklearn_electra](https://pypi.org/project/sklearn-electra/) VERSION.

## Labels

2 labels: `B-PER`, `O`

## Training

2 epochs ran; the model holds the weights of epoch 1 (the best validation loss, restored by \
early stopping). Each epoch trained on 20 sequences (a text, or a window of a text longer than \
`max_length=32`). Scores of the kept epoch: train_loss 0.5000, valid_loss 0.4000, valid_acc 0.8000.

| epoch | train_loss | valid_acc | valid_loss |
|---|---|---|---|
| 1 | 0.5000 | 0.8000 | 0.4000 |
| 2 | 0.2500 | 0.7500 | 0.4500 |

## Recipe

The settings the fit resolved (`recipe_`), following google-research/electra by model size:

| setting | value |
|---|---|
| lr | 0.0001 |
| layerwise_lr_decay | 0.8 |
| basis | `"preset 'tiny', fine-tuning"` |

## Parameters

| parameter | value |
|---|---|
| model | `'tiny'` |
| max_length | `32` |
| lr | 0.0001 |
| device | `None` |
| lowercase | `True` |

## How to load

```python
from sklearn_electra import ElectraTagger
est = ElectraTagger.from_pretrained("path/to/this/folder")

from transformers import AutoTokenizer, AutoModelForTokenClassification
model = AutoModelForTokenClassification.from_pretrained("path/to/this/folder")
tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")
```

The exported tokenizer encodes text exactly as training did (`max_length=32`, the same truncation).

## Intended use and limits

The model was trained from random weights (preset `tiny`), with no pretraining. It knows only \
the words and patterns of its own training data: expect it to do worse than a pretrained model on \
text unlike that data. The scores above come from the validation split of the same data; they say \
nothing about other data.

## Notes from the author

Mine.
"""


def test_the_card_word_for_word():
    from sklearn_electra import __version__

    card = model_card(_estimator("ElectraTagger"), text="  Mine.\n")
    assert card == TAGGER_CARD.replace("VERSION", __version__)


def test_a_pretrainers_card_without_validation_or_labels():
    card = model_card(_estimator("ElectraRTDPretrainer", stopper=False, classes=None,
                                 basis="preset 'small', pretraining", texts=["the cat sat"]))
    front = yaml.safe_load(card[4:].split("\n---\n", 1)[0])
    # Every epoch's validation scores are in the table, but the front matter claims only the
    # kept epoch's: here the last one (no stopper restored another).
    assert front["tags"] == ["sklearn_electra", "electra", "scikit-learn", "replaced-token-detection"]
    assert "pipeline_tag" not in front and "language" not in front
    assert front["model-index"][0]["results"][0]["task"] == {"type": "other"}
    assert [m["value"] for m in front["model-index"][0]["results"][0]["metrics"]] == [0.75, 0.45]
    assert "the model holds the weights of epoch 2." in card
    assert "An ELECTRA model pretrained with replaced token detection from random weights (preset " \
           "`small`), with" in card
    assert "## Labels" not in card and "It knows only" not in card
    assert "The language of the training text was not detected from the tokenizer." in card
    assert "## Notes from the author" not in card
    assert "from transformers import AutoTokenizer, AutoModelForPreTraining\n" in card
    quiet = model_card(_estimator("ElectraTagger", history=False, classes=None))
    assert "## Training" not in quiet and "metrics" not in quiet


@pytest.mark.parametrize("params, origin", [
    (dict(basis="preset 'tiny', pretraining"),
     ("pretrained", "pretrained with replaced token detection from random weights (preset `tiny`)")),
    (dict(basis="checkpoint, pretraining", model="me/electra"),
     ("checkpoint", "pretrained further with replaced token detection from `me/electra`")),
    (dict(basis="checkpoint, fine-tuning", model="google/electra-small-discriminator"),
     ("checkpoint", "fine-tuned from the checkpoint `google/electra-small-discriminator`")),
    (dict(basis="preset 'base', fine-tuning"),
     ("scratch", "trained from random weights (preset `base`), with no pretraining")),
    (dict(history=False, basis="preset 'tiny', fine-tuning", model="saved/"),
     ("loaded", "loaded from `saved/`, where it had been trained from random weights (preset "
                "`tiny`); its training history is not saved with a checkpoint")),
    (dict(history=False, basis="", model="saved/"), ("loaded", "loaded from `saved/`, with no training here")),
])
def test_the_card_says_where_the_weights_started(params, origin):
    from sklearn_electra.model_card import _origin

    assert _origin(_estimator("ElectraClassifier", **params)) == origin


def _vocabulary(tokens):
    specials = ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"]
    return SimpleNamespace(get_vocab=lambda: {t: i for i, t in enumerate(specials + tokens)},
                           all_special_tokens=specials)


def test_a_language_is_named_from_a_fifth_of_the_tokens():
    latin = [f"w{i}" for i in range(20)]
    assert card_language(_vocabulary(["好", "##天"] + latin[:8])) == "zh"  # 2 of 10: a fifth
    assert card_language(_vocabulary(["好", "##天"] + latin[:9])) is None  # 2 of 11
    assert card_language(_vocabulary(["한", "국"] + latin[:8])) == "ko"
    assert card_language(_vocabulary(["한", "국"] + latin[:9])) is None
    # Kana: a twentieth of the tokens is enough (Japanese writes most words in Han).
    assert card_language(_vocabulary(["ひ"] + latin[:19])) == "ja"
    assert card_language(_vocabulary(["ひ"] + latin[:20])) is None
    assert card_language(_vocabulary(["カ", "漢", "字", "好"] + latin[:6])) == "ja"  # kana beats Han
    assert card_language(_vocabulary([])) is None  # only special tokens
    assert card_language(_vocabulary(["\uf900", "\uf901"] + latin[:8])) == "zh"  # compatibility ideographs


def test_the_card_loads_with_the_auto_class_of_the_head():
    from sklearn_electra.model_card import _auto_class

    assert _auto_class(type("ElectraModel", (), {})()) == "AutoModel"
    assert _auto_class(type("ElectraForQuestionAnswering", (), {})()) == "AutoModelForQuestionAnswering"
