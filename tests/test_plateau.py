"""Defaults that learn wherever a model can: early stopping that waits for a model to leave
its starting plateau, patience in optimizer steps, a warning for a fit that never learned,
and a step floor for checkpoints on little data."""

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sklearn_electra import ElectraClassifier
from sklearn_electra.callbacks import PLATEAU_MARGIN, left_plateau

# 144 training texts in batches of 16: 9 optimizer steps an epoch; the classes are balanced,
# so the plateau (the loss of predicting the label frequencies) is ln 2.
PARAMS = dict(max_length=16, vocab_size=200, batch_size=16, lr=1e-3, warmup_ratio=0.0,
              random_state=0, module__dropout=0.0)


class Scripted(Callback):
    """Replaces each epoch's validation loss by a scripted value (read at the epoch's end)."""

    def __init__(self, losses):
        self.losses = losses

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            net.history.record_batch("valid_loss", self.losses[len(net.history) - 1])


def _data():
    words = ["good", "bad", "phone", "screen", "battery", "fine"]
    rng = np.random.default_rng(0)
    X = [" ".join(rng.choice(words, size=4)) for _ in range(160)]
    return X, np.array(["a", "b"] * 80, dtype=object)


def _fit(losses, **params):
    X, y = _data()
    clf = ElectraClassifier(**{**PARAMS, "max_epochs": len(losses), **params},
                            callbacks=[("script", Scripted(losses))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y)


def test_no_patience_is_spent_on_the_starting_plateau():
    start = math.log(2)
    # At chance for five epochs (within 5% of ln 2), then learning: patience 1 would have
    # stopped at epoch 2 before; now the first miss that counts is epoch 8's.
    plateau = [start * f for f in (1.01, 0.99, 1.0, 0.98, 0.97)] + [0.4, 0.3, 0.35, 0.36, 0.37]
    clf = _fit(plateau, n_iter_no_change=1, callbacks__early_stopping__min_patience_steps=0)
    assert len(clf.history_) == 8 and dict(clf.callbacks_)["early_stopping"].best_epoch_ == 7
    stopper = dict(clf.callbacks_)["early_stopping"]
    assert stopper.start_loss_ == pytest.approx(start)


@pytest.mark.parametrize("first, stops", [(0.96, False), (0.94, True)])
def test_leaving_the_plateau_means_five_percent_below_it(first, stops):
    # Epoch 1 is the best; the others are misses only once the plateau is left.
    losses = [math.log(2) * first] + [math.log(2) * 0.999] * 5
    clf = _fit(losses, n_iter_no_change=2, callbacks__early_stopping__min_patience_steps=0)
    assert (len(clf.history_) == 3) is stops and (len(clf.history_) == 6) is not stops
    assert left_plateau(math.log(2) * first, math.log(2)) is stops
    assert PLATEAU_MARGIN == 0.05


def test_patience_is_also_a_number_of_optimizer_steps():
    losses = [0.3] + [0.4] * 9  # left at once, then no improvement
    quick = _fit(losses, n_iter_no_change=1, callbacks__early_stopping__min_patience_steps=0)
    assert len(quick.history_) == 2
    steps = _fit(losses, n_iter_no_change=1, callbacks__early_stopping__min_patience_steps=40)
    assert len(steps.history_) == 6  # 9 steps an epoch: 45 >= 40 steps after epoch 1
    default = _fit(losses, n_iter_no_change=1)
    assert len(default.history_) == 10  # 300 steps: more than the 90 of this fit


def test_a_fit_that_never_leaves_the_plateau_says_so():
    X, y = _data()  # the labels alternate: nothing in the texts predicts them
    with pytest.warns(ConvergenceWarning, match=r"The model did not learn: its best validation "
                                                r"loss .* stayed within 5% of the loss of "
                                                r"predicting the label frequencies \(0\.6931\).*"
                                                r"max_epochs; 3 epochs ran.*lr; this fit used "
                                                r"0\.001.*n_iter_no_change"):
        ElectraClassifier(**{**PARAMS, "max_epochs": 3}).fit(X, y)
    learnable = ["good " * 3, "bad " * 3] * 80
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a model that learns: no warning
        ElectraClassifier(**{**PARAMS, "max_epochs": 4}).fit(learnable, y)


def test_the_plateau_is_the_prior_of_each_target():
    from sklearn_electra.targets import MultiLabel, Regression, SingleLabel

    single = SingleLabel().fit(["a", "a", "a", "b"], [None] * 4)
    assert single.prior_loss(np.array([0, 0, 0, 1])) == pytest.approx(
        -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    balanced = SingleLabel(class_weight="balanced").fit(["a", "a", "a", "b"], [None] * 4)
    assert balanced.prior_loss(np.array([0, 0, 0, 1])) == pytest.approx(math.log(2))
    tags = np.empty(2, dtype=object)
    tags[0], tags[1] = np.array([-100, 0, 1, -100]), np.array([-100, 1, -100])
    assert single.prior_loss(tags) == pytest.approx(
        -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)))
    multi = MultiLabel("multilabel-indicator").fit([[1, 0], [0, 0], [1, 1], [1, 0]], [None] * 4)
    rows = np.array([[1, 0], [0, 0], [1, 1], [1, 0]], dtype=np.float32)
    bce = lambda p: -(p * math.log(p) + (1 - p) * math.log(1 - p))  # noqa: E731
    assert multi.prior_loss(rows) == pytest.approx((bce(0.75) + bce(0.25)) / 2)
    reg = Regression().fit([1.0, 2.0, 3.0, 6.0], [None] * 4)
    assert reg.prior_loss(reg.encode([1.0, 2.0, 3.0, 6.0], [None] * 4)) == pytest.approx(1.0)
    assert reg.prior_loss(np.array([[0.0], [2.0]]), weight=np.array([1.0, 3.0])) == \
        pytest.approx(0.75)


FILLER = "the a of and to in is it that was for on with as at by this film phone very".split()


def _planted_past_the_first_window(n, rng):
    """Documents of 60-120 filler words; the deciding word sits in the last two thirds."""
    X, y = [], []
    for _ in range(n):
        label = int(rng.integers(0, 2))
        words = list(rng.choice(FILLER, size=int(rng.integers(60, 120))))
        words.insert(int(rng.integers(len(words) // 3, len(words))), ["awful", "great"][label])
        X.append(" ".join(words))
        y.append(["neg", "pos"][label])
    return X, y


@pytest.mark.slow
def test_windows_with_defaults_learn_a_task_that_sits_at_chance_for_a_while():
    rng = np.random.default_rng(1)
    X, y = _planted_past_the_first_window(300, rng)
    X_test, y_test = _planted_past_the_first_window(200, rng)
    clf = ElectraClassifier(max_length=16, vocab_size=200, stride=2, long_texts="windows",
                            window_pooling="max", random_state=0).fit(X, y)  # defaults otherwise
    # Truncation cannot see the deciding word: it lies past the first window of every text.
    first_window = [set(clf.tokenizer_.decode(ids[1:-1]).split())
                    for ids in clf.get_dataset(X_test).subset(
                        np.unique(clf.get_dataset(X_test).groups, return_index=True)[1]).input_ids]
    assert all(not ({"awful", "great"} & words) for words in first_window)
    # The model sat at chance past the third epoch after the warmup (where patience 3 in
    # epochs stopped it: 0.515, at chance, before this change), then learned.
    warmup_epochs = math.ceil(clf.lr_schedule_.warmup / (clf.lr_schedule_.total / len(clf.history_)))
    plateau = [row["valid_loss"] > math.log(2) * (1 - PLATEAU_MARGIN) for row in clf.history_]
    assert all(plateau[:warmup_epochs + 3]), clf.history_[:, "valid_loss"]
    assert clf.score(X_test, y_test) > 0.9


@pytest.mark.slow
def test_a_self_pretrained_checkpoint_fine_tunes_past_the_majority_with_defaults(tmp_path):
    from sklearn_electra import ElectraRTDPretrainer
    from sklearn_electra.datasets import load_chinese_reviews

    train, test = load_chinese_reviews()
    cut = lambda texts: texts.str[:62].tolist()  # noqa: E731 - whole within max_length=64
    pre = ElectraRTDPretrainer(model="tiny", max_length=64, max_epochs=2, random_state=0)
    pre.fit(cut(train["text"].sample(3000, random_state=1)))
    pre.save_pretrained(tmp_path)
    labelled, held_out = train.sample(1000, random_state=2), test.sample(1000, random_state=2)
    clf = ElectraClassifier(model=str(tmp_path), max_length=64, random_state=0)
    clf.fit(cut(labelled["text"]), labelled["label"])  # the defaults for a checkpoint
    # 1,000 labels are 29 optimizer steps an epoch: the step floor (780) gives 27 epochs where
    # the paper's 3 (87 steps) left this checkpoint at the majority class (0.502).
    assert clf.recipe_.min_steps == 780 and len(clf.history_) > 10
    majority = held_out["label"].value_counts(normalize=True).max()
    assert clf.score(cut(held_out["text"]), held_out["label"]) > majority + 0.05
