"""The optimizer's parts on their own: kernels, parameter groups and the two schedules.

Each is checked against exact values (google-research/electra's ``model/optimization.py``
for the groups and the linear schedule), so that a wrong bound or a dropped key fails here
and not only as a slightly different learning curve.
"""

import math

import pytest
import torch

from sklearn_electra.optim import (STREAM_HORIZON, LinearWarmupSchedule, StreamSchedule,
                                   electra_param_groups, fused_adam_supported, layer_depth,
                                   load_optimizer_state, mark_written, optimizer_kwargs,
                                   schedule_from_state_dict, warmup_linear_factor)


# ------------------------------------------------------------ kernels
@pytest.mark.parametrize("optimizer, device, version, expected", [
    (torch.optim.AdamW, "cpu", "2.4.0", True),  # CPU's fused kernel arrived in 2.4
    (torch.optim.AdamW, "cpu", "2.3.9", False),
    (torch.optim.Adam, "cpu", "3.0.0", True),
    (torch.optim.Adam, "cuda", "2.0.0", True),
    (torch.optim.Adam, "cuda", "1.13.1", False),
    (torch.optim.SGD, "cuda", "2.5.0", False),
    (torch.optim.AdamW, "mps", "2.5.0", False),
    (torch.optim.AdamW, "cpu", "2.10.0+cpu", True),  # compared as numbers, not as strings
])
def test_fused_adam_where_the_device_has_the_kernel(optimizer, device, version, expected):
    assert fused_adam_supported(optimizer, device, version=version) is expected


def test_fused_adam_needs_the_class_not_an_instance():
    p = torch.nn.Parameter(torch.zeros(1))
    assert not fused_adam_supported(torch.optim.AdamW([p]), "cpu", version="2.5.0")


def test_optimizer_kwargs_keep_the_users_and_add_eps_and_the_kernel(monkeypatch):
    from sklearn_electra import optim

    monkeypatch.setattr(optim, "fused_adam_supported", lambda opt, device: device == "cuda")
    assert optimizer_kwargs(torch.optim.AdamW, "cuda", {}, 1e-6) == {"eps": 1e-6, "fused": True}
    assert optimizer_kwargs(torch.optim.AdamW, "cuda", {"fused": False}, 1e-6) == {"fused": False,
                                                                                 "eps": 1e-6}
    assert optimizer_kwargs(torch.optim.AdamW, "cuda", {"foreach": False}, 1e-6) == {
        "foreach": False, "eps": 1e-6, "fused": True}  # only foreach=True rules fused out
    assert optimizer_kwargs(torch.optim.AdamW, "cpu", {}, 1e-6) == {"eps": 1e-6}
    given = {"lr": 0.1}
    optimizer_kwargs(torch.optim.SGD, "cuda", given, 1e-6)
    assert given == {"lr": 0.1}  # the user's dict is not written to


def test_mark_written_bumps_versions_only_after_a_fused_step():
    p = torch.nn.Parameter(torch.zeros(2))
    fused = torch.optim.AdamW([p], fused=fused_adam_supported(torch.optim.AdamW, "cpu"))
    before = p._version
    mark_written(fused, [p])
    assert p._version == before + (1 if fused.param_groups[0]["fused"] else 0)
    loop = torch.optim.AdamW([p], foreach=False)
    before = p._version
    mark_written(loop, [p])
    assert p._version == before


def test_loading_a_state_keeps_this_process_kernel_flags():
    p = torch.nn.Parameter(torch.zeros(2))
    saved = torch.optim.AdamW([p], fused=False, foreach=True, lr=0.5).state_dict()
    resumed = torch.optim.AdamW([p], foreach=False, lr=0.1)
    load_optimizer_state(resumed, saved)
    group = resumed.param_groups[0]
    assert group["lr"] == 0.5  # the saved state is restored
    assert group["foreach"] is False and group["fused"] is None  # but not its kernel


# ------------------------------------------------------------ parameter groups
@pytest.mark.parametrize("name, depth", [
    ("electra.embeddings.word_embeddings.weight", 0),
    ("electra.embeddings_project.bias", 0),
    ("electra.encoder.layer.0.attention.self.query.weight", 1),
    ("electra.encoder.layer.11.output.dense.weight", 12),
    ("discriminator_predictions.dense.weight", 14),
    ("classifier.out_proj.weight", 14),
])
def test_layer_depth_as_the_reference_counts_it(name, depth):
    assert layer_depth(name, 12) == depth


def _named(*names):
    return [(n, torch.nn.Parameter(torch.ones(1))) for n in names]


def test_param_groups_decay_lr_by_depth_and_skip_weight_decay_on_biases_and_norms():
    params = _named("electra.embeddings.word_embeddings.weight",
                    "electra.embeddings.LayerNorm.weight",
                    "electra.encoder.layer.0.output.dense.bias",
                    "electra.encoder.layer.1.output.dense.weight",
                    "electra.encoder.layer.1.output.layer_norm.weight",
                    "classifier.dense.weight")
    frozen = torch.nn.Parameter(torch.ones(1), requires_grad=False)
    groups = electra_param_groups([("electra.frozen", frozen)] + params, lr=1.0,
                                  weight_decay=0.01, layerwise_lr_decay=0.5, n_layers=2)
    got = [(g["lr"], g["initial_lr"], g["weight_decay"], len(g["params"])) for g in groups]
    assert got == [(0.0625, 0.0625, 0.01, 1),  # embeddings: 0.5 ** 4
                   (0.0625, 0.0625, 0.0, 1),  # their LayerNorm
                   (0.125, 0.125, 0.0, 1),  # layer 0's bias
                   (0.25, 0.25, 0.01, 1),  # layer 1
                   (0.25, 0.25, 0.0, 1),  # its layer_norm
                   (1.0, 1.0, 0.01, 1)]  # the head, at lr; the frozen parameter is left out
    assert all(p is not frozen for g in groups for p in g["params"])


def test_without_decay_every_depth_shares_a_group():
    params = _named("electra.embeddings.word_embeddings.weight", "electra.encoder.layer.0.x.weight",
                    "classifier.weight", "classifier.bias")
    groups = electra_param_groups(params, lr=0.1, weight_decay=0.01, layerwise_lr_decay=1.0,
                                  n_layers=1)
    assert [(g["lr"], g["weight_decay"], len(g["params"])) for g in groups] == [(0.1, 0.01, 3),
                                                                               (0.1, 0.0, 1)]


# ------------------------------------------------------------ the linear schedule
def test_linear_factor_warms_up_then_decays_to_zero():
    assert [warmup_linear_factor(s, total=10, warmup=4) for s in (0, 1, 3, 4, 9, 10, 12)] == \
        pytest.approx([0.25, 0.45, 0.7, 0.6, 0.1, 0.0, 0.0])


def test_linear_schedule_sets_each_group_and_keeps_its_state():
    p, q = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{"params": [p], "initial_lr": 1.0, "lr": 1.0},
                                 {"params": [q], "initial_lr": 0.5, "lr": 0.5}])
    schedule = LinearWarmupSchedule.for_training(steps_per_epoch=5, epochs=2,
                                                 warmup_for=lambda total: total // 5)
    assert (schedule.total, schedule.warmup, schedule.step) == (10, 2, 0)
    schedule.apply(optimizer)
    assert [g["lr"] for g in optimizer.param_groups] == pytest.approx([0.5, 0.25])
    schedule.advance(optimizer)
    assert schedule.step == 1 and [g["lr"] for g in optimizer.param_groups] == pytest.approx([0.9, 0.45])
    assert [schedule.factor_at(s) for s in (0, 1, 9)] == pytest.approx([0.5, 0.9, 0.1])
    assert schedule.state_dict() == {"step": 1, "total": 10, "warmup": 2}
    again = LinearWarmupSchedule.from_state_dict(schedule.state_dict())
    assert (again.step, again.total, again.warmup) == (1, 10, 2)
    assert repr(again) == "LinearWarmupSchedule(step=1, total=10, warmup=2)"
    assert LinearWarmupSchedule.from_state_dict(None) is None
    again.load_state_dict({"step": "9", "total": "10", "warmup": "3"})
    assert (again.step, again.total, again.warmup) == (9, 10, 3) and not again.finished
    again.step = 10
    assert again.finished


def test_linear_schedule_warms_up_for_at_least_one_step():
    schedule = LinearWarmupSchedule(total=3.0, warmup=0, step=2.0)
    assert (schedule.total, schedule.warmup, schedule.step) == (3, 1, 2)
    assert type(schedule.total) is int and type(schedule.step) is int


# ------------------------------------------------------------ the stream schedule
def test_stream_schedule_warms_up_then_keeps_or_decays_the_rate():
    constant, decaying = StreamSchedule(warmup=4), StreamSchedule(warmup=4, decay="inverse_sqrt")
    assert [constant.factor_at(s) for s in (0, 2, 3, 4, 100)] == [0.25, 0.75, 1.0, 1.0, 1.0]
    assert [decaying.factor_at(s) for s in (0, 3, 4, 15)] == pytest.approx(
        [0.25, 1.0, math.sqrt(4 / 5), 0.5])
    assert StreamSchedule(warmup=0).warmup == 1 and not constant.finished and constant.step == 0
    decaying.step = 15
    assert decaying.factor == 0.5
    assert STREAM_HORIZON == 1000


def test_stream_schedule_state_and_a_bad_decay():
    schedule = StreamSchedule(warmup=3, decay="inverse_sqrt", step=7)
    assert schedule.state_dict() == {"kind": "stream", "step": 7, "warmup": 3, "decay": "inverse_sqrt"}
    assert repr(schedule) == "StreamSchedule(step=7, warmup=3, decay='inverse_sqrt')"
    again = schedule_from_state_dict(schedule.state_dict())
    assert isinstance(again, StreamSchedule) and again.state_dict() == schedule.state_dict()
    linear = schedule_from_state_dict({"step": 1, "total": 4, "warmup": 2})
    assert isinstance(linear, LinearWarmupSchedule) and linear.state_dict() == {
        "step": 1, "total": 4, "warmup": 2}
    assert schedule_from_state_dict(None) is None
    with pytest.raises(ValueError, match=r"decay must be one of \('constant', 'inverse_sqrt'\); "
                                         r"got 'cosine'\."):
        StreamSchedule(warmup=3, decay="cosine")


def test_stream_schedule_steps_optimizer_groups():
    p = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{"params": [p], "initial_lr": 2.0, "lr": 2.0}])
    schedule = StreamSchedule(warmup=2)
    schedule.apply(optimizer)
    assert optimizer.param_groups[0]["lr"] == 1.0
    schedule.advance(optimizer)
    assert schedule.step == 1 and optimizer.param_groups[0]["lr"] == 2.0
