"""The training and validation steps: what each batch's loss is given, how accumulated
gradients are scaled, which module a fit trains through, and the schedule each pass runs."""

import math

import numpy as np
import torch
from skorch.callbacks import Callback

from sklearn_electra import ElectraClassifier
from sklearn_electra._base import _FitRun
from sklearn_electra.optim import LinearWarmupSchedule, StreamSchedule

from .conftest import FAST, wrapping_accelerator


def data(reviews, n=96):
    train, _ = reviews
    return list(train["text"][:n]), np.asarray(train["label"][:n])


class LossCalls(ElectraClassifier):
    """Records, per ``get_loss`` call, the phase it was told and whether the batch's sample
    weights came with it (a subclass's view of skorch's ``get_loss`` hook)."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        self.__dict__.setdefault("calls_", []).append(
            (training, isinstance(X, dict) and "sample_weight" in X))
        return super().get_loss(y_pred, y_true, X=X, training=training)


def test_get_loss_is_told_the_phase_and_given_the_batch_with_its_weights(reviews):
    X, y = data(reviews)
    clf = LossCalls(**{**FAST, "max_epochs": 1}, validation_fraction=0.25).fit(
        X, y, sample_weight=np.ones(len(X)))
    row = clf.history_[-1]
    n_train, n_valid = row["train_batch_count"], row["valid_batch_count"]
    assert n_valid > 0
    assert clf.calls_ == [(True, True)] * n_train + [(False, True)] * n_valid


class Gradients(Callback):
    """Every optimizer step's gradient as ``on_grad_computed`` sees it, with its keywords."""

    def initialize(self):
        self.seen_ = []
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        flat = torch.cat([p.grad.flatten() for _, p in named_parameters if p.grad is not None])
        self.seen_.append((flat.clone(), kwargs))


def test_accumulated_gradients_are_the_mean_over_their_batches(reviews):
    X, y = data(reviews, 48)
    grads = Gradients()
    clf = ElectraClassifier(**FAST, gradient_accumulation_steps=3, module__dropout=0.0,
                            callbacks=[("grads", grads)]).initialize(X, y)
    batches = list(clf.get_iterator(clf.get_dataset(X, y), training=True, seed=0))
    assert [len(yi) for _, yi in batches] == [16, 16, 16]

    def mean_gradient(*batches):
        clf.module_.zero_grad(set_to_none=True)
        for Xi, yi in batches:
            (clf.get_loss(clf.infer(Xi), yi, X=Xi) / len(batches)).backward()
        flat = torch.cat([p.grad.flatten() for p in clf.module_.parameters() if p.grad is not None])
        clf.module_.zero_grad(set_to_none=True)
        return flat

    expected_three = mean_gradient(*batches)
    clf.module_.train()
    run = _FitRun(clf._resolve_runtime(), 0, 0, 0, module=clf.module_, optimizer=clf.optimizer_,
                  epochs=1)
    clf._start_schedule(run, steps_per_epoch=2)
    for batch in batches[:2]:
        clf.train_step(batch, run=run)
    assert grads.seen_ == [] and run.pending == 2  # no step within an accumulation
    clf.train_step(batches[2], run=run)
    assert run.pending == 0 and clf.lr_schedule_.step == 1
    expected_two = mean_gradient(*batches[:2])  # at the weights the step moved
    clf.module_.train()
    for batch in batches[:2]:
        clf.train_step(batch, run=run)
    clf._optimizer_step(run)  # an epoch's last, incomplete accumulation
    (three, keywords), (two, _) = grads.seen_
    torch.testing.assert_close(three, expected_three, rtol=1e-4, atol=1e-7)
    # Two batches of an accumulation of three: rescaled by 3 / 2 to their mean gradient, not
    # two thirds of it (a pending count of 1 would not tell 3 / pending from 3 * pending).
    torch.testing.assert_close(two, expected_two, rtol=1e-4, atol=1e-7)
    assert keywords == {"batch": None, "training": True}  # the step spans several batches


def test_a_fit_runs_every_batch_through_the_prepared_model_and_syncs_once_per_step(reviews):
    X, y = data(reviews)
    accelerator = wrapping_accelerator()
    clf = ElectraClassifier(**{**FAST, "max_epochs": 1}, accelerator=accelerator,
                            gradient_accumulation_steps=2, validation_fraction=0.25).fit(X, y)
    row = clf.history_[-1]
    n_train, n_valid = row["train_batch_count"], row["valid_batch_count"]
    assert n_train == 5 and n_valid == 1  # 72 and 24 texts (validation batches are larger)
    assert accelerator.wrapped_.calls == n_train + n_valid
    # The first batch of each pair skips the gradient all-reduce; the pair's last syncs.
    assert len(accelerator.unsynced_) == math.ceil(n_train / 2)
    assert all(m is accelerator.wrapped_ for m in accelerator.unsynced_)


def test_a_fit_ends_its_schedule_and_partial_fit_then_streams(reviews):
    X, y = data(reviews)
    clf = ElectraClassifier(**FAST).fit(X, y)
    schedule = clf.lr_schedule_
    assert isinstance(schedule, LinearWarmupSchedule) and schedule.finished
    assert schedule.step == schedule.total == sum(r["train_batch_count"] for r in clf.history_)

    before = [p.detach().clone() for p in clf.module_.parameters()]
    clf.partial_fit(X[:32], y[:32])  # two batches: two optimizer steps at the stream's rate
    stream = clf.lr_schedule_
    assert isinstance(stream, StreamSchedule) and stream.step == 2 and stream.decay == "constant"
    assert clf.optimizer_.param_groups[-1]["lr"] > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, clf.module_.parameters()))

    clf.partial_fit(X[:32], y[:32])
    assert clf.lr_schedule_ is stream and stream.step == 4  # one stream across calls
    # A new decay takes over where the stream is: no second warmup.
    clf.set_params(partial_fit_lr="inverse_sqrt").partial_fit(X[:32], y[:32])
    assert clf.lr_schedule_.decay == "inverse_sqrt" and clf.lr_schedule_.step == 6
