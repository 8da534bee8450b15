"""Timing that survives a shared, noisy machine: an untimed warm-up per method, then
repeats in alternating order, so drift (thermal, other jobs) falls on every method alike."""

import time

import numpy as np


def alternating(methods, repeats):
    """Seconds per call of each method: ``{key: [seconds, ...]}``, ``repeats`` each.

    ``methods`` maps a key to ``fn(k)``; ``k`` is 0 for the warm-up, then the repeat's
    number (a seed for methods that shuffle). Odd repeats run the methods in reverse order.
    """
    times = {key: [] for key in methods}
    for fn in methods.values():
        fn(0)
    for repeat in range(repeats):
        for key in (list(methods) if repeat % 2 == 0 else list(methods)[::-1]):
            start = time.perf_counter()
            methods[key](repeat + 1)
            times[key].append(time.perf_counter() - start)
    return times


def rates(times, n):
    """Items per second: ``{key: (median, slowest, fastest)}`` for ``n`` items per call."""
    return {key: (n / np.median(t), n / max(t), n / min(t)) for key, t in times.items()}
