"""The callbacks a training estimator starts with, and the order they run in (no training here:
``initialize_callbacks`` builds them from the parameters alone)."""

import pytest
from skorch.callbacks import Callback, EarlyStopping as SkorchEarlyStopping, PrintLog, ProgressBar

from sklearn_electra import ElectraClassifier
from sklearn_electra.callbacks import EarlyStopping
from sklearn_electra.checkpoint import EpochCheckpoint

BUILT_IN = ["epoch_timer", "train_loss", "valid_loss"]


class Mine(Callback):
    pass


def _callbacks(estimator):
    return estimator.initialize_callbacks().callbacks_


def _names(estimator):
    return [name for name, _ in _callbacks(estimator)]


def test_defaults_stop_early_on_the_validation_loss_and_restore_the_best_epoch():
    callbacks = dict(_callbacks(ElectraClassifier(n_iter_no_change=5)))
    assert list(callbacks) == [*BUILT_IN, "early_stopping", "print_log"]
    stop = callbacks["early_stopping"]
    assert type(stop) is EarlyStopping
    assert (stop.monitor, stop.patience, stop.load_best) == ("valid_loss", 5, True)
    assert (callbacks["train_loss"].name, callbacks["train_loss"].on_train) == ("train_loss", True)
    assert (callbacks["valid_loss"].name, callbacks["valid_loss"].on_train) == ("valid_loss", False)


@pytest.mark.parametrize("params", [dict(early_stopping=False), dict(validation_fraction=None),
                                    dict(validation_fraction=0.0)])
def test_no_early_stopping_without_a_validation_split_or_when_turned_off(params):
    assert _names(ElectraClassifier(**params)) == [*BUILT_IN, "print_log"]


@pytest.mark.parametrize("verbose, bar", [(0, False), (1, True), (2, True), ("loud", False), (0.5, False)])
def test_a_progress_bar_only_for_a_positive_whole_verbosity(verbose, bar):
    # An invalid verbose is reported by fit; until then it means no bar, not an error here.
    estimator = ElectraClassifier(verbose=verbose, early_stopping=False)
    assert _names(estimator) == [*BUILT_IN, *(["progress_bar"] if bar else []), "print_log"]
    if bar:
        assert isinstance(dict(_callbacks(estimator))["progress_bar"], ProgressBar)


def test_deciding_callbacks_run_after_the_users_and_skorchs_stopper_after_checkpointing(tmp_path):
    ours = EarlyStopping(monitor="train_loss")
    estimator = ElectraClassifier(
        verbose=1, checkpoint_dir=tmp_path,
        callbacks=[("mine", Mine()), ("stop", SkorchEarlyStopping(patience=2)), ("ours", ours),
                   ("stop_class", SkorchEarlyStopping), ("log", PrintLog)])
    callbacks = _callbacks(estimator)
    assert [name for name, _ in callbacks] == [
        *BUILT_IN, "progress_bar", "mine", "ours", "early_stopping", "checkpoint", "stop", "stop_class",
        "print_log", "log"]
    checkpoint = dict(callbacks)["checkpoint"]
    assert isinstance(checkpoint, EpochCheckpoint) and str(checkpoint.dirname) == str(tmp_path)
    # Without a split, checkpointing still follows the user's callbacks.
    plain = ElectraClassifier(validation_fraction=None, checkpoint_dir=tmp_path, callbacks=[("mine", Mine)])
    assert _names(plain) == [*BUILT_IN, "mine", "checkpoint", "print_log"]
