"""TrainingHistoryDisplay draws exactly what the fit recorded."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sklearn_electra import (ElectraClassifier, ElectraRTDPretrainer,  # noqa: E402
                             TrainingHistoryDisplay)
from sklearn_electra.history import kept_epoch  # noqa: E402


def test_the_lines_are_the_history_the_schedule_and_the_kept_epoch(fitted):
    display = TrainingHistoryDisplay.from_estimator(fitted)
    history = fitted.history_
    for name in ("train_loss", "valid_loss", "valid_acc"):
        np.testing.assert_array_equal(display.lines_[name].get_ydata(), history[:, name])
        np.testing.assert_array_equal(display.lines_[name].get_xdata(), history[:, "epoch"])
    assert display.lines_["valid_acc"].axes is display.score_ax_
    assert list(display.lines_["kept epoch"].get_xdata()) == [kept_epoch(fitted)] * 2
    # One point per optimizer step: the recipe's peak rate times the schedule's factor.
    schedule, lr = fitted.lr_schedule_, display.lines_["lr"].get_ydata()
    assert len(lr) == schedule.step
    warmup, total = schedule.warmup, schedule.total
    assert lr[0] == pytest.approx(fitted.recipe_.lr / warmup * 1.0)
    assert lr[warmup - 1] == pytest.approx(fitted.recipe_.lr * (1 - (warmup - 1) / total))
    assert lr.argmax() == warmup - 1
    assert display.lines_["lr"].get_xdata()[-1] == pytest.approx(len(history))
    assert display.figure_ is display.ax_.figure and display.ax_.get_xlabel() == "epoch"
    plt.close("all")


def test_a_pretrainers_display_shows_both_losses_and_the_base_rate():
    texts = ["the cat sat on the mat and looked at the dog"] * 40
    pretrainer = ElectraRTDPretrainer(max_length=16, vocab_size=60, max_epochs=2, batch_size=8,
                                      random_state=0).fit(texts)
    display = TrainingHistoryDisplay.from_estimator(pretrainer)
    for name in ("gen_loss", "disc_loss", "disc_base_entropy"):
        np.testing.assert_array_equal(display.lines_[name].get_ydata(), pretrainer.history_[:, name])
    assert "train_loss" not in display.lines_  # generator + 50 x discriminator: another scale
    assert display.score_ax_ is None and "discriminator base-rate entropy" in [
        t.get_text() for t in display.ax_.get_legend().get_texts()]
    plt.close("all")


def test_it_draws_on_the_axes_given_and_a_stream_keeps_its_rate(reviews):
    train, _ = reviews
    clf = ElectraClassifier(max_length=48, vocab_size=500, batch_size=16, random_state=0)
    for _ in range(2):
        clf.partial_fit(train["text"][:64], train["label"][:64], classes=["neg", "pos"])
    fig, ax = plt.subplots()
    display = TrainingHistoryDisplay.from_estimator(clf, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    lr = display.lines_["lr"].get_ydata()
    # 2 calls of 4 steps, inside the stream's warmup (a tenth of 1,000 steps): linear in steps.
    assert clf.lr_schedule_.warmup == 100 and len(lr) == 8
    np.testing.assert_allclose(lr, clf.recipe_.lr * np.arange(1, 9) / 100)
    assert "valid_loss" not in display.lines_  # partial_fit holds nothing out
    plt.close("all")


def test_a_model_without_history_gets_a_clear_error(fitted, tmp_path):
    fitted.save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="This ElectraClassifier has no training history"):
        TrainingHistoryDisplay.from_estimator(ElectraClassifier.from_pretrained(tmp_path))
