"""The measuring harness every benchmark uses, built to survive a shared, noisy machine.

* :func:`alternating`: an untimed warm-up call of every method, then ``repeats`` rounds
  in alternating order, so that drift (thermal, other jobs) falls on every method alike.
  A method may time itself and return :class:`Seconds` (set-up such as building a Trainer or
  tokenizing stays outside); otherwise the whole call is timed.
* :func:`rates`: median and spread (slowest, fastest) of items per second;
  :func:`mean_range`: mean (min-max) of scores over seeds.
* :func:`environment`: the machine and the versions, written under every result table
  (see :func:`_report.publish`); :func:`revision`: the package's git revision;
  :func:`worktree`: another revision checked out beside this one, for before/after runs.
"""

import contextlib
import functools
import os
import platform
import subprocess
import tempfile
import time
from importlib import metadata

import numpy as np
import torch


def alternating(methods, repeats, warmup=True):
    """Seconds per call of each method: ``{key: [seconds, ...]}``, ``repeats`` each.

    ``methods`` maps a key to ``fn(k)``; ``k`` is 0 for the warm-up, then the repeat's
    number (a seed for methods that shuffle). Odd repeats run the methods in reverse
    order. When ``fn`` returns :class:`Seconds` (see :func:`timed`), those are the timed
    seconds; whatever else it returns, the whole call is timed.
    """
    times = {key: [] for key in methods}
    if warmup:
        for fn in methods.values():
            fn(0)
    for repeat in range(repeats):
        for key in (list(methods) if repeat % 2 == 0 else list(methods)[::-1]):
            start = time.perf_counter()
            result = methods[key](repeat + 1)
            elapsed = time.perf_counter() - start
            times[key].append(float(result) if isinstance(result, Seconds) else elapsed)
    return times


class Seconds(float):
    """What a method measured itself (the training part of a call whose set-up is not
    timed), as opposed to any number it may return."""


def timed(fn, *args, **kwargs):
    """:class:`Seconds` that ``fn(*args, **kwargs)`` takes (the part of a method that is measured)."""
    start = time.perf_counter()
    fn(*args, **kwargs)
    return Seconds(time.perf_counter() - start)


def rates(times, n):
    """Items per second: ``{key: (median, slowest, fastest)}`` for ``n`` items per call."""
    return {key: (n / np.median(t), n / max(t), n / min(t)) for key, t in times.items()}


def spread(rate, digits=0):
    """``median (slowest-fastest)`` of one :func:`rates` entry."""
    median, low, high = rate
    return f"{median:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def ratio(value, target=None, unit="x"):
    """``value`` with two decimals, or as many more as it takes for a miss of ``target``
    (at least) not to print as the target itself.

    >>> ratio(1.061), ratio(0.946, 0.95), ratio(0.951, 0.95), ratio(0.6951, 0.7, unit="")
    ('1.06x', '0.946x', '0.95x', '0.695')
    """
    digits = 2
    while target is not None and value < target <= round(value, digits) and digits < 6:
        digits += 1
    return f"{value:.{digits}f}{unit}"


def verdict(value, target, unit="x"):
    """The ``target | met?`` cells of a table row whose ``value`` should be at least ``target``."""
    return f">= {target}{unit} | {'yes' if value >= target else 'no'}"


def mean_range(values, digits=3):
    """``mean (min-max)`` of scores over seeds (the value alone for one seed)."""
    values = list(values)
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


@functools.cache  # asked per result row; one process runs one checkout
def revision():
    """The short git revision of the checkout this harness runs from ("unknown" outside git)."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        return subprocess.run(["git", "-C", here, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@contextlib.contextmanager
def worktree(rev):
    """``(short revision, folder)`` of ``rev`` checked out in a temporary git worktree.

    Each side of a before/after comparison then runs in its own interpreter with its own
    folder first on ``sys.path``; the worktree is removed on exit, also after an error.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    short = subprocess.run(["git", "rev-parse", "--short", rev], cwd=root, check=True,
                           capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, short)
        subprocess.run(["git", "worktree", "add", "--detach", folder, rev], cwd=root, check=True,
                       capture_output=True)
        try:
            yield short, folder
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", folder], check=False, cwd=root,
                           capture_output=True)


def environment():
    """One line: machine, threads and the versions that decide the numbers."""
    versions = []
    for package in ("torch", "transformers", "tokenizers", "skorch", "scikit-learn"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    # int8 and fp32 kernels differ by vector ISA (AVX2 vs AVX-512), and a cloud VM can
    # land on either from one day to the next.
    capability = getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None)
    if capability is not None:
        cpu += f", {capability()}"
    return (f"Measured on {platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} cores, "
            f"torch threads {torch.get_num_threads()}; Python {platform.python_version()}, "
            + ", ".join(versions) + f"; sklearn_electra at {revision()}.")
