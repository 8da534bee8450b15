"""The callbacks' own helpers: where the plateau ends and whose interrupt stopped a fit."""

from types import SimpleNamespace

import pytest
from skorch.callbacks import EarlyStopping as SkorchEarlyStopping
from skorch.history import History

from sklearn_electra.callbacks import left_plateau, raised_by_skorch_early_stopping


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
