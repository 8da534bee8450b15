"""Where a call runs: devices, precision, threads and moves, resolved without a GPU (CUDA's
answers are stubbed where a rule depends on them)."""

import warnings
from types import SimpleNamespace

import pytest
import torch

from sklearn_electra.runtime import (Runtime, autocast_settings, limit_threads, move_modules,
                                     resolve_device, resolve_runtime)

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def _message(call):
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.fixture
def one_gpu(monkeypatch):
    """A machine that reports one CUDA device (nothing is ever run on it)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


def test_auto_picks_cuda_where_there_is_one(monkeypatch, one_gpu):
    assert resolve_device("auto") == CUDA
    assert resolve_device("cuda:0") == torch.device("cuda:0")
    assert resolve_device(torch.device("cuda")) == CUDA  # a torch.device is taken as it is
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == CPU


def test_devices_that_cannot_run_are_named(monkeypatch, one_gpu):
    assert _message(lambda: resolve_device("cuda:1")) == \
        "device='cuda:1' does not exist: this machine has 1 CUDA device(s)."
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert _message(lambda: resolve_device("cuda")) == (
        "device='cuda' was requested but CUDA is not available on this machine "
        "(torch.cuda.is_available() is False). Use device='cpu' or 'auto'.")
    with pytest.raises(ValueError) as info:
        resolve_device("quantum")
    assert str(info.value).startswith("device='quantum' is not a valid torch device (")
    assert str(info.value).endswith("); use 'cpu', 'cuda', 'cuda:N' or 'auto'.")
    assert isinstance(info.value.__cause__, RuntimeError)  # torch's own reason is kept
    assert _message(lambda: resolve_device(3.5)).startswith("device=3.5 is not a valid")
    assert _message(lambda: resolve_device("cpu", "fp16")).startswith(
        "precision='fp16' needs a CUDA device")


def test_an_accelerator_places_the_model():
    accelerator = SimpleNamespace(device="cpu")
    assert resolve_device("auto", accelerator=accelerator) == CPU
    assert resolve_device("cpu", accelerator=accelerator) == CPU
    assert resolve_device("cpu:0", accelerator=accelerator) == CPU  # same type: agrees
    assert _message(lambda: resolve_device("cuda", accelerator=accelerator)) == (
        "device='cuda' conflicts with the accelerator, which places the model on cpu; pass "
        "device='auto' to let the accelerator choose.")
    assert _message(lambda: resolve_device("auto", "bf16", accelerator=accelerator)) == (
        "precision='bf16' with an accelerator: set mixed precision on the accelerator instead, "
        "e.g. Accelerator(mixed_precision='bf16'), and keep precision='fp32'.")
    # The accelerator's device wins over CUDA's absence: nothing else is checked.
    assert resolve_device("auto", accelerator=SimpleNamespace(device="cuda:0")) == \
        torch.device("cuda:0")


def test_resolve_runtime_carries_every_setting():
    runtime = resolve_runtime("cpu", "bf16", n_threads=3)
    assert runtime == Runtime(CPU, "bf16", 3)
    assert resolve_runtime() == Runtime(CPU, "fp32", None)
    assert resolve_runtime("auto", accelerator=SimpleNamespace(device="cpu")).device == CPU
    with pytest.raises(ValueError, match="conflicts with the accelerator"):
        resolve_runtime("cuda", accelerator=SimpleNamespace(device="cpu"))


def test_autocast_and_the_grad_scaler_follow_the_precision(one_gpu, monkeypatch):
    assert autocast_settings(CPU, "bf16") == ("cpu", torch.bfloat16, False)
    assert _message(lambda: autocast_settings(CPU, "fp16")) == (
        "precision='fp16' needs a CUDA device; on CPU use precision='fp32' (or 'bf16' if the "
        "CPU supports it natively).")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert _message(lambda: autocast_settings(CUDA, "bf16")) == \
        "This GPU does not support bf16; use precision='fp16'."
    assert Runtime(CUDA, "fp16").use_grad_scaler and not Runtime(CUDA, "fp32").use_grad_scaler
    assert Runtime(CUDA).pin_memory and not Runtime(CPU).pin_memory
    with Runtime(CPU, "bf16").autocast():
        assert torch.is_autocast_enabled("cpu")
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    with Runtime(CPU, "fp32").autocast():
        assert not torch.is_autocast_enabled("cpu")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    # The dtype asked for, not the device's default (float16 on CUDA); built, never entered.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "CUDA is not available": it is stubbed
        assert Runtime(CUDA, "bf16").autocast().fast_dtype == torch.bfloat16
        assert Runtime(CUDA, "fp16").autocast().fast_dtype == torch.float16


def test_runtime_moves_nested_batches():
    moved = Runtime(torch.device("meta")).to({"ids": torch.ones(2), "pair": (torch.zeros(1),)})
    assert moved["ids"].device.type == "meta" and moved["pair"][0].device.type == "meta"


def test_threads_are_set_for_the_body_and_restored_by_the_last_call_out():
    own = torch.get_num_threads()
    with limit_threads(None):
        assert torch.get_num_threads() == own
    with Runtime(CPU, n_threads=own + 1).threads():
        assert torch.get_num_threads() == own + 1
        with limit_threads(1):  # another call inside: the latest count holds
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 1  # a call still runs: nothing restored yet
    assert torch.get_num_threads() == own  # the last one out restores the process's own
    with pytest.raises(KeyError, match="a failing body"):
        with limit_threads(1):
            raise KeyError("a failing body")
    assert torch.get_num_threads() == own


def _trained_linear():
    module = torch.nn.Linear(2, 2)
    optimizer = torch.optim.Adam(module.parameters())
    module(torch.ones(1, 2)).sum().backward()
    optimizer.step()
    return module, optimizer


def test_a_move_takes_the_optimizer_and_its_state_along():
    module, optimizer = _trained_linear()
    steps = [optimizer.state[p]["step"].item() for p in module.parameters()]
    other, other_optimizer = _trained_linear()
    # A module without parameters (nothing to move) does not end the moves.
    move_modules([torch.nn.Module(), module], optimizer, torch.device("meta"))
    params = list(module.parameters())
    assert all(p.device.type == "meta" for p in params)
    assert optimizer.param_groups[0]["params"] == params  # the new Parameter objects
    assert [optimizer.state[p]["step"].item() for p in params] == steps
    assert all(optimizer.state[p]["exp_avg"].device.type == "meta" for p in params)
    assert len(optimizer.state) == 2  # nothing left under the old parameters
    # A module already there is left alone, and its optimizer's state is not copied.
    state = [other_optimizer.state[p]["exp_avg"] for p in other.parameters()]
    move_modules([other], other_optimizer, CPU)
    assert other_optimizer.param_groups[0]["params"] == list(other.parameters())
    assert all(other_optimizer.state[p]["exp_avg"] is s for p, s in zip(other.parameters(), state))
    move_modules([other], None, torch.device("meta"))  # no optimizer to repoint
    assert next(other.parameters()).device.type == "meta"


def test_a_move_inside_inference_mode_keeps_weights_trainable():
    module, optimizer = _trained_linear()
    with torch.inference_mode():
        move_modules([module], optimizer, torch.device("meta"))
    assert not any(p.is_inference() for p in module.parameters())
