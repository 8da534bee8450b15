"""The callbacks' own helpers: where the plateau ends and whose interrupt stopped a fit."""

from types import SimpleNamespace

import pytest
import torch
from skorch.callbacks import EarlyStopping as SkorchEarlyStopping
from skorch.history import History

from sklearn_electra.callbacks import EarlyStopping, left_plateau, raised_by_skorch_early_stopping


def test_the_plateau_is_left_at_its_margin_exactly():
    assert left_plateau(0.95, 1.0) is True  # 5% below, not more, is enough
    assert left_plateau(0.9501, 1.0) is False
    assert left_plateau(0.9, 1.0, margin=0.1) is True and left_plateau(0.91, 1.0, margin=0.1) is False
    assert left_plateau(5.0, None) is True  # no plateau known: nothing to leave


def skorch_stopping():
    """A KeyboardInterrupt raised by skorch's own EarlyStopping, as a fit sees it."""
    stopper = SkorchEarlyStopping(patience=1, threshold=0.0, monitor="valid_loss")
    stopper.initialize()
    stopper.dynamic_threshold_, stopper.misses_, stopper.best_epoch_ = 0.0, 0, 1
    history = History()
    history.new_epoch()
    history.record("epoch", 2)
    history.record("valid_loss", 1.0)
    net = SimpleNamespace(history=history, verbose=0)
    try:
        stopper.on_epoch_end(net)
    except KeyboardInterrupt as exc:
        return exc
    pytest.fail("skorch's EarlyStopping did not raise")


def test_skorch_early_stopping_is_told_apart_from_ctrl_c():
    assert raised_by_skorch_early_stopping(skorch_stopping())
    try:
        raise KeyboardInterrupt  # Ctrl-C, anywhere else
    except KeyboardInterrupt as exc:
        assert not raised_by_skorch_early_stopping(exc)

    def inner():
        raise KeyboardInterrupt

    try:
        inner()  # the innermost frame decides, not the first one
    except KeyboardInterrupt as exc:
        assert not raised_by_skorch_early_stopping(exc)
    assert not raised_by_skorch_early_stopping(KeyboardInterrupt())  # never raised: no traceback


class _Schedule:
    def __init__(self, step, warmup):
        self.step, self.warmup = step, warmup


class _Net:
    """What EarlyStopping reads of a net: its history, schedule, plateau and module."""

    def __init__(self, plateau=None, schedule=None, verbose=0):
        self.history, self.verbose = History(), verbose
        if schedule is not None:  # a plain skorch net has no schedule at all
            self.lr_schedule_ = schedule
        self.module_ = torch.nn.Linear(1, 1)
        self.plateau_calls = []
        if plateau is not None:
            self._plateau_loss = lambda X: self.plateau_calls.append(X) or plateau

    def epoch(self, **scores):
        self.history.new_epoch()
        self.history.record("epoch", len(self.history))
        for name, value in scores.items():
            self.history.record(name, value)


def _stopper(net, X="X", **params):
    stopper = EarlyStopping(**{"patience": 1, "threshold": 0.0, "min_patience_steps": 0, **params})
    stopper.initialize()
    stopper.on_train_begin(net, X=X)
    return stopper


def test_a_new_stopper_has_not_stopped_and_knows_no_plateau():
    stopper = EarlyStopping().initialize()
    assert (stopper.stop_, stopper.start_loss_, stopper.left_start_, stopper.best_step_) == \
        (False, None, True, 0)
    # skorch's positional parameters: monitor, patience, threshold, ...
    assert (EarlyStopping("valid_acc", 7).monitor, EarlyStopping("valid_acc", 7).patience) == \
        ("valid_acc", 7)


def test_each_fit_starts_from_its_own_plateau_and_a_fresh_count():
    net = _Net(plateau=2.0)
    stopper = _stopper(net, X="texts")
    assert net.plateau_calls == ["texts"]  # the plateau of this fit's training data
    assert (stopper.start_loss_, stopper.left_start_) == (2.0, False)
    for loss in (1.0, 1.5):
        net.epoch(valid_loss=loss)
        stopper.on_epoch_end(net)
    assert stopper.stop_ and stopper.best_step_ == 1
    stopper.on_train_begin(net, X="more")  # the next fit (warm start)
    assert (stopper.stop_, stopper.best_step_, stopper.misses_) == (False, 0, 0)
    assert net.plateau_calls == ["texts", "more"]
    # Another monitored score has no plateau: it is judged from the first epoch.
    other = _stopper(_Net(plateau=2.0), monitor="valid_acc", lower_is_better=False)
    assert (other.start_loss_, other.left_start_) == (None, True)
    assert (_stopper(_Net()).start_loss_, _stopper(_Net()).left_start_) == (None, True)


def test_patience_is_spent_once_the_warmup_has_ended():
    net = _Net(schedule=_Schedule(step=9, warmup=10))
    stopper = _stopper(net)
    net.epoch(valid_loss=1.0)
    stopper.on_epoch_end(net)
    net.epoch(valid_loss=2.0)
    stopper.on_epoch_end(net)  # step 9 of a 10-step warmup: not a miss
    assert (stopper.misses_, stopper.stop_) == (0, False)
    net.lr_schedule_.step = 10  # the warmup's last step is behind: a miss
    net.epoch(valid_loss=2.0)
    stopper.on_epoch_end(net)
    assert (stopper.misses_, stopper.stop_) == (1, True)


def test_patience_in_steps_counts_from_the_best_epochs_step():
    net = _Net(schedule=_Schedule(step=5, warmup=0))
    stopper = _stopper(net, min_patience_steps=10)
    net.epoch(valid_loss=1.0)
    stopper.on_epoch_end(net)
    assert stopper.best_step_ == 5
    for step, stops in ((14, False), (15, True)):  # 10 steps after the best: enough
        net.lr_schedule_.step = step
        net.epoch(valid_loss=2.0)
        stopper.on_epoch_end(net)
        assert stopper.stop_ is stops
    no_schedule = _Net()  # without a schedule a step is an epoch
    stopper = _stopper(no_schedule, min_patience_steps=2)
    for loss, stops in ((1.0, False), (2.0, False), (2.0, True)):
        no_schedule.epoch(valid_loss=loss)
        stopper.on_epoch_end(no_schedule)
        assert stopper.stop_ is stops


def test_the_stop_is_told_to_the_sink():
    said = []
    net = _Net(verbose=0)
    stopper = _stopper(net, sink=said.append)  # a logger's sink hears it whatever verbose says
    for loss in (1.0, 2.0):
        net.epoch(valid_loss=loss)
        stopper.on_epoch_end(net)
    assert said == ["Stopping since valid_loss has not improved in the last 1 epochs "
                    "(1 optimizer steps)."]


def test_the_stop_is_printed_only_when_verbose(capsys):
    for verbose, printed in ((0, ""), (1, "Stopping since valid_loss has not improved in the "
                                          "last 1 epochs (1 optimizer steps).\n")):
        net = _Net(verbose=verbose)
        stopper = _stopper(net)
        for loss in (1.0, 2.0):
            net.epoch(valid_loss=loss)
            stopper.on_epoch_end(net)
        assert capsys.readouterr().out == printed


def test_an_epoch_without_the_score_is_not_judged():
    net = _Net()
    stopper = _stopper(net)
    net.epoch(valid_loss=1.0)
    stopper.on_epoch_end(net)
    assert stopper.improved(net) is True
    net.epoch(train_loss=5.0)  # partial_fit: nothing held out
    stopper.on_epoch_end(net)
    assert stopper.improved(net) is None and stopper.misses_ == 0
    net.epoch(valid_loss=3.0)
    stopper.on_epoch_end(net)
    assert stopper.improved(net) is False and stopper.best_epoch_ == 1


def test_the_best_weights_are_a_copy():
    net = _Net()
    stopper = _stopper(net, load_best=True)
    net.epoch(valid_loss=1.0)
    stopper.on_epoch_end(net)
    kept = stopper.best_model_weights_["weight"].clone()
    with torch.no_grad():
        net.module_.weight.add_(1.0)  # training goes on
    assert torch.equal(stopper.best_model_weights_["weight"], kept)
    assert not torch.equal(net.module_.weight, kept)


def test_the_stoppers_own_margin_decides_when_the_plateau_is_left():
    for margin, spends in ((0.05, True), (0.2, False)):
        net = _Net(plateau=1.0)
        stopper = _stopper(net, plateau_margin=margin)
        for loss in (0.9, 0.95):  # 10% below the plateau, then a miss
            net.epoch(valid_loss=loss)
            stopper.on_epoch_end(net)
        assert (stopper.left_start_, stopper.misses_, stopper.stop_) == (spends, int(spends), spends)
