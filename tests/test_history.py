"""Reading ``history_``: the kept epoch, its scores and the sequences an epoch trained on."""

from types import SimpleNamespace

import numpy as np

from sklearn_electra.history import epoch_scores, kept_epoch, training_sequences

THREE = [{"epoch": 1}, {"epoch": 2}, {"epoch": 3}]


def stopped(load_best, best_epoch=2):
    return SimpleNamespace(history_=THREE, callbacks_=[
        ("early_stopping", SimpleNamespace(load_best=load_best, best_epoch_=best_epoch))])


def test_kept_epoch_is_the_best_only_where_the_stopper_restored_it():
    assert kept_epoch(stopped(load_best=True)) == 2
    assert kept_epoch(stopped(load_best=False)) == 3  # the best is known, the last is kept
    assert kept_epoch(stopped(load_best=True, best_epoch=None)) == 3  # no epoch judged yet


def test_kept_epoch_of_a_model_without_history_or_callbacks():
    assert kept_epoch(SimpleNamespace()) is None  # a loaded checkpoint: no history_
    assert kept_epoch(SimpleNamespace(history_=[])) is None
    assert kept_epoch(SimpleNamespace(history_=THREE)) == 3  # no callbacks_ yet


def test_epoch_scores_keep_numbers_and_drop_flags_and_bookkeeping():
    row = {"epoch": 2, "dur": 1.5, "batches": [], "train_batch_count": 4, "valid_batch_count": 1,
           "train_loss": 0.5, "valid_loss": np.float32(0.25), "valid_loss_best": True,
           "valid_acc_best": np.True_, "valid_f1": 0.75, "note": "text"}
    scores = epoch_scores(SimpleNamespace(history_=[{"epoch": 1}, row]), 2)
    assert scores == {"train_loss": 0.5, "valid_loss": 0.25, "valid_f1": 0.75}
    assert all(type(v) is float for v in scores.values())


def test_training_sequences_counts_training_batches_only():
    def est(*batches):
        return SimpleNamespace(history_=[{"epoch": 1, "batches": list(batches)}, {"epoch": 2}])

    assert training_sequences(est({"train_batch_size": 32}, {"train_batch_size": 5},
                                  {"valid_batch_size": 8})) == 37
    assert training_sequences(est({"valid_batch_size": 8})) is None  # no training batch seen
    assert training_sequences(SimpleNamespace(history_=[{"epoch": 1}])) is None  # no batches kept
    assert training_sequences(SimpleNamespace()) is None
