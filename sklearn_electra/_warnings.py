"""Warnings that point at the user's line, however deep inside the package they are raised."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_caller"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def warn_caller(message, category=UserWarning):
    """``warnings.warn`` at the first frame outside sklearn_electra (the user's call).

    A fixed ``stacklevel`` breaks whenever a mixin adds a layer between the user's
    ``fit`` and the check that warns.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
