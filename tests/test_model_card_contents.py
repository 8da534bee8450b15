"""What the model card says in the cases the word-for-word card does not meet: a user's own
scorers, an epoch without some score, script-less characters and tiny vocabularies, the
parameters of a real estimator."""

import yaml

from sklearn_electra.model_card import card_language, model_card

from .test_model_card import _estimator, _vocabulary


def _front(card):
    return yaml.safe_load(card[4:].split("\n---\n", 1)[0])


def test_a_users_scorers_are_named_without_valid_and_an_epoch_missing_one_leaves_it_blank():
    est = _estimator("ElectraTagger")
    # A scorer of the kept epoch only (epoch 1), one of them named in Chinese.
    est.history_[0].update({"valid_f1": 0.7, "valid_准确率": 0.6})
    card = model_card(est)
    front = _front(card)
    assert front["metrics"] == ["accuracy", "f1", "loss", "准确率"]
    metrics = front["model-index"][0]["results"][0]["metrics"]
    assert [(m["type"], m["name"], m["value"]) for m in metrics] == [
        ("accuracy", "valid acc", 0.8), ("f1", "valid f1", 0.7), ("loss", "valid loss", 0.4),
        ("准确率", "valid 准确率", 0.6)]
    assert "- 准确率\n" in card  # written as it reads, not escaped: the card is for people
    assert "| epoch | train_loss | valid_acc | valid_f1 | valid_loss | valid_准确率 |" in card
    assert "| 1 | 0.5000 | 0.8000 | 0.7000 | 0.4000 | 0.6000 |" in card
    assert "| 2 | 0.2500 | 0.7500 |  | 0.4500 |  |" in card


def test_characters_of_no_script_and_a_tiny_vocabulary_name_no_language():
    latin = [f"w{i}" for i in range(8)]
    # Private-use characters have no Unicode name: they tell no script, the Han ones still do.
    assert card_language(_vocabulary(["\ue000", "\U000f0001x", "好", "天"] + latin[:6])) == "zh"
    # Four Latin tokens: a fifth of them is under one token, and no token is Korean.
    assert card_language(_vocabulary(latin[:4])) is None


def test_the_limits_say_when_the_language_is_unknown():
    card = model_card(_estimator("ElectraTagger", basis="checkpoint, fine-tuning",
                                 texts=["the cat sat"]))
    assert card.endswith(
        "## Intended use and limits\n\nThe model was fine-tuned from the checkpoint `tiny`. The "
        "language of the training text was not detected from the tokenizer. The scores above "
        "come from the validation split of the same data; they say nothing about other data.\n")


def test_the_parameters_are_the_constructors_own(fitted):
    card = model_card(fitted)
    section = card.split("## Parameters\n\n", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    shown = [line.split(" | ")[0].removeprefix("| ") for line in section]
    params = fitted.get_params(deep=False)
    assert shown == [k for k, v in params.items() if v is None or isinstance(v, (bool, int, float, str))]
    assert "max_length" in shown and not any("__" in k for k in shown)
