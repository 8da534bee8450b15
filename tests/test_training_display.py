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


def _display(**given):
    params = dict(epochs=[1, 2, 3], losses={"train_loss": [0.9, 0.6, 0.5], "valid_loss": [1.0, 0.7, 0.8]},
                  scores={"valid_acc": [0.5, 0.7, 0.6], "valid_f1": [0.4, 0.6, 0.5]},
                  lr=[1e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4, 0.0], steps_per_epoch=2, kept_epoch=2,
                  estimator_name="ElectraClassifier")
    return TrainingHistoryDisplay(**{**params, **given}).plot()


def test_every_curve_is_drawn_where_and_as_the_docstring_says():
    display = _display()
    ax, scores, rates = display.ax_, display.score_ax_, display.lr_ax_
    assert list(display.lines_) == ["train_loss", "valid_loss", "valid_acc", "valid_f1", "lr",
                                    "kept epoch"]
    for name, line in display.lines_.items():
        assert line.get_label() == (name if name != "kept epoch" else "kept epoch (2)")
    for name in ("train_loss", "valid_loss"):
        line = display.lines_[name]
        assert line.axes is ax and (line.get_marker(), line.get_linestyle()) == ("o", "-")
        assert line.get_xdata().tolist() == [1, 2, 3]
    # The scores, on their own axis, take the colours after the two losses' (C0, C1).
    for k, name in enumerate(("valid_acc", "valid_f1"), start=3):
        line = display.lines_[name]
        assert line.axes is scores and line.get_color() == f"C{k}"
        assert (line.get_marker(), line.get_linestyle()) == ("s", "--")
    assert display.lines_["valid_f1"].get_ydata().tolist() == [0.4, 0.6, 0.5]
    lr = display.lines_["lr"]
    assert lr.axes is rates and lr.get_color() == "0.6" and lr.get_linewidth() == 1
    assert lr.get_xdata().tolist() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]  # step k ends at k / 2 epochs
    assert lr.get_ydata().tolist() == [1e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4, 0.0]
    kept = display.lines_["kept epoch"]
    assert kept.axes is ax and list(kept.get_xdata()) == [2, 2]
    assert (kept.get_color(), kept.get_linestyle(), kept.get_linewidth()) == ("tab:green", "--", 1)
    assert (ax.get_xlabel(), ax.get_ylabel(), scores.get_ylabel(), rates.get_ylabel()) == \
        ("epoch", "loss", "validation score", "learning rate (top layer)")
    assert rates.spines["right"].get_position() == ("axes", 1.15)  # offset past the scores' axis
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "train_loss", "valid_loss", "valid_acc", "valid_f1", "lr", "kept epoch (2)"]
    assert legend.get_texts()[0].get_fontsize() == 8 and legend._loc == 1  # upper right
    assert ax.get_title() == "ElectraClassifier: training history"
    plt.close("all")


def test_only_what_was_given_is_drawn():
    display = _display(scores=None, kept_epoch=None, estimator_name=None)
    assert list(display.lines_) == ["train_loss", "valid_loss", "lr"]
    assert display.score_ax_ is None and display.scores == {}
    assert display.lr_ax_.spines["right"].get_position() != ("axes", 1.15)  # the only right axis
    assert display.ax_.get_title() == ""
    bare = _display(scores=None, lr=None, kept_epoch=None, base_entropy=[0.6, 0.6, 0.5])
    assert bare.lr_ax_ is None and bare.lr is None
    base = bare.lines_["disc_base_entropy"]
    assert base.get_ydata().tolist() == [0.6, 0.6, 0.5] and base.axes is bare.ax_
    assert (base.get_color(), base.get_linestyle()) == ("k", ":")
    assert base.get_label() == "discriminator base-rate entropy"
    assert list(base.get_xdata()) == [1, 2, 3]
    assert tuple(bare.figure_.get_size_inches()) == (7.0, 4.0)
    whole = TrainingHistoryDisplay(epochs=[1, 2], losses={"train_loss": [1, 0]},
                                   scores={"valid_acc": [0, 1]}, lr=[1, 2], base_entropy=[1, 1])
    assert {whole.losses["train_loss"].dtype, whole.scores["valid_acc"].dtype, whole.lr.dtype,
            whole.base_entropy.dtype} == {np.dtype(np.float64)}  # numbers given as integers too
    plt.close("all")


class _Schedule:
    def __init__(self, step):
        self.step = step

    def factor_at(self, s):
        return (s + 1) / 10


def _estimator(history, step=4):
    from types import SimpleNamespace

    return SimpleNamespace(check_is_fitted=lambda: None, history_=history, callbacks_=[],
                           lr_schedule_=_Schedule(step), recipe_=SimpleNamespace(lr=2.0))


def test_from_estimator_reads_scores_losses_and_rates_from_the_history():
    history = [{"epoch": 1, "train_loss": 0.9, "valid_loss": 1.0, "valid_acc": 0.5,
                "valid_acc_best": True, "valid_loss_best": True, "valid_batch_count": 3,
                "valid_replaced_fraction": 0.15, "valid_disc_base_entropy": 0.4,
                "valid_note": "text", "valid_f1": 0.25},
               {"epoch": 2, "train_loss": 0.8, "valid_acc": 0.75, "valid_note": "more"}]
    display = TrainingHistoryDisplay.from_estimator(_estimator(history))
    assert set(display.scores) == {"valid_acc", "valid_f1"}
    np.testing.assert_array_equal(display.scores["valid_f1"], [0.25, np.nan])  # missing: a gap
    assert set(display.losses) == {"train_loss", "valid_loss"}
    np.testing.assert_array_equal(display.losses["valid_loss"], [1.0, np.nan])
    assert display.epochs.tolist() == [1, 2] and display.epochs.dtype.kind == "i"
    assert display.kept_epoch == 2
    assert display.lr.tolist() == [0.2, 0.4, 0.6, 0.8] and display.steps_per_epoch == 2.0
    assert display.base_entropy is None and display.estimator_name == "SimpleNamespace"
    pretraining = [{"epoch": 1, "gen_loss": 3.0, "disc_loss": 0.5, "train_loss": 28.0,
                    "disc_base_entropy": 0.45, "valid_disc_loss": 0.6}]
    shown = TrainingHistoryDisplay.from_estimator(_estimator(pretraining, step=0))
    assert list(shown.losses) == ["gen_loss", "disc_loss", "valid_disc_loss"]
    assert shown.base_entropy.tolist() == [0.45] and shown.scores == {}
    assert shown.lr is None and shown.steps_per_epoch is None  # no step taken: no rates
    from types import SimpleNamespace

    bare = SimpleNamespace(check_is_fitted=lambda: None, history_=history, callbacks_=[])
    assert TrainingHistoryDisplay._learning_rates(bare, 2) == (None, None)  # no schedule, no recipe
    no_recipe = SimpleNamespace(lr_schedule_=_Schedule(4), recipe_=None)
    assert TrainingHistoryDisplay._learning_rates(no_recipe, 2) == (None, None)
    with pytest.raises(ValueError) as info:
        TrainingHistoryDisplay.from_estimator(SimpleNamespace(check_is_fitted=lambda: None))
    assert str(info.value) == ("This SimpleNamespace has no training history (a model loaded with "
                               "from_pretrained keeps none): fit it first.")
    plt.close("all")
