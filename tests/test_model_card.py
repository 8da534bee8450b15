"""The model card save_pretrained writes: Hub front matter, and only what the fit measured."""

import copy

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
