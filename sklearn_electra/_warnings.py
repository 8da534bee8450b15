"""Warnings that point at the user's line, however deep inside the package they are raised."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn_caller", "TextTruncationWarning"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _callers():
    """Folders of scikit-learn, joblib and skorch: ``Pipeline``, ``set_output`` and the
    searches (through joblib) call our methods on the user's behalf, and skorch's
    ``NeuralNet.partial_fit`` runs our epoch loop inside ``fit``, so the user's line is
    the call into them."""
    import joblib
    import sklearn
    import skorch

    return tuple(os.path.dirname(os.path.abspath(m.__file__)) for m in (sklearn, joblib, skorch))


def _inside(filename):
    return filename.startswith(_PACKAGE) or filename.startswith(_callers())


class TextTruncationWarning(UserWarning):
    """Some texts were longer than ``max_length`` tokens and were cut (one warning per call,
    with how many and the longest one's length)."""


def warn_caller(message, category=UserWarning):
    """``warnings.warn`` at the first frame outside sklearn_electra (the user's call).

    A fixed ``stacklevel`` breaks whenever a mixin adds a layer between the user's
    ``fit`` and the check that warns.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and _inside(os.path.abspath(frame.f_code.co_filename)):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
