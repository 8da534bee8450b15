"""``long_texts="windows"``: one prediction per text from every token of it, however long.

For :class:`~sklearn_electra.ElectraClassifier` and
:class:`~sklearn_electra.ElectraRegressor`. With the default
``long_texts="truncate"`` a text longer than ``max_length`` is cut (with a
:class:`~sklearn_electra.TextTruncationWarning`). With ``"windows"`` it is read
as overlapping windows (:mod:`sklearn_electra.windows`); the model scores each
window and the scores of a text's windows are pooled (``window_pooling``) into
its one output, in training (the loss sees the pooled output) and in inference.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch.utils.checkpoint import checkpoint
from sklearn.utils._param_validation import Interval, StrOptions

from ._inference import TextTruncationWarning
from ._warnings import warn_caller
from .windows import (POOLINGS, GroupedBatchSampler, TextWindows, WindowCollator, encode_windows,
                      pool_windows)

__all__ = ["LongTextMixin"]


class LongTextMixin:
    """Parameters ``long_texts``, ``stride`` and ``window_pooling`` and the hooks they need."""

    _long_text_constraints = {
        "long_texts": [StrOptions({"truncate", "windows"})],
        "stride": [Interval(numbers.Integral, 0, None, closed="left")],
        "window_pooling": [StrOptions(set(POOLINGS))],
    }
    _truncation_hint = "Pass long_texts='windows' to read every token, or raise max_length."
    # A training batch of up to this many times batch_size windows runs in one pass (its
    # activations all kept, as for any batch); beyond, in checkpointed chunks. Recomputing
    # a chunk costs a second forward (measured: 0.72x the fit throughput on BBC News, where
    # a batch of 32 articles holds ~190 windows), so it is kept for the texts that need it.
    _WINDOWS_IN_ONE_PASS = 8

    def _check_params(self):
        source = super()._check_params()
        if self.long_texts == "windows" and self.stride >= (self.max_length - 3) // 2:
            raise ValueError(
                f"stride={self.stride} must be below (max_length - 3) // 2 = "
                f"{(self.max_length - 3) // 2}: consecutive windows overlap by stride subwords, "
                "and each must move on by at least half of one."
            )
        return source

    def _make_dataset(self, inputs, targets=None, fitting=False):
        if self.long_texts != "windows":
            return super()._make_dataset(inputs, targets, fitting)
        ids, types, groups, n_cut = encode_windows(self.tokenizer_, inputs, self.max_length,
                                                   self.stride)
        if n_cut:  # at every call: served pairs are cut the same way
            warn_caller(
                f"The first text of {n_cut} of {len(inputs)} pairs takes more than half of "
                f"max_length={self.max_length} tokens and was cut to that half: windows keep the "
                "first text whole up to there and slide over the second.",
                TextTruncationWarning,
            )
        labels = None if targets is None else np.asarray(targets)[groups]
        return TextWindows(ids, types, labels, groups)

    def _batch_sampler(self, dataset, batch_size, shuffle, seed=None):
        if isinstance(dataset, TextWindows):
            return GroupedBatchSampler(dataset.groups, dataset.lengths, batch_size, shuffle, seed)
        return super()._batch_sampler(dataset, batch_size, shuffle, seed)

    def _collator(self, dataset):
        if isinstance(dataset, TextWindows):
            return WindowCollator(self.tokenizer_.pad_token_id)
        return super()._collator(dataset)

    def infer(self, x, runtime=None, module=None, **fit_params):
        """The model's output; for a batch of windows, one pooled row per text.

        A batch holds every window of its texts, however many. Up to
        ``_WINDOWS_IN_ONE_PASS`` times ``batch_size`` windows (the batches of ordinary
        documents) they go through the model in one pass. Beyond, in chunks of at most
        ``batch_size`` windows, each trimmed to its own longest window and, with gradients,
        checkpointed (``torch.utils.checkpoint``, the random state kept): its activations are
        recomputed in the backward pass, so memory stays bounded whatever a text's length,
        while the pooled loss's gradient reaches every window exactly.
        """
        if "window_group" not in x:
            return super().infer(x, runtime=runtime, module=module, **fit_params)
        x = {k: v for k, v in x.items() if k != "sample_weight"}  # per text: not per window
        groups = x.pop("window_group")
        chunk = self.batch_size
        if len(groups) <= self._WINDOWS_IN_ONE_PASS * chunk:
            logits = super().infer(x, runtime=runtime, module=module, **fit_params)
        else:
            def run(part):
                return super(LongTextMixin, self).infer(part, runtime=runtime, module=module,
                                                        **fit_params)

            parts = []
            for start in range(0, len(groups), chunk):
                part = {k: v[start:start + chunk] for k, v in x.items()}
                width = int(part["attention_mask"].sum(dim=1).max())
                part = {k: v[:, :width] for k, v in part.items()}
                parts.append(checkpoint(run, part, use_reentrant=False)
                             if torch.is_grad_enabled() else run(part))
            logits = torch.cat(parts)
        return pool_windows(logits, groups, int(groups.max()) + 1, self.window_pooling)

    def _serving_truncation(self):
        """Overflowing windows with our ``stride``: ``[encoding, *encoding.overflowing]`` are
        the windows ``predict`` scores (for single texts; pairs need ``strategy="only_second"``)."""
        settings = super()._serving_truncation()
        return {**settings, "stride": self.stride} if self.long_texts == "windows" else settings

    def forward(self, X, training=False, device="cpu"):
        """One output row per text, in input order; windows are scored in ordinary
        length-sorted batches and pooled afterwards (memory does not grow with a text)."""
        self.check_is_fitted()
        dataset = self.get_dataset(X)
        if not isinstance(dataset, TextWindows):
            return super().forward(dataset, training=training, device=device)
        rows = super().forward(dataset.rows(), training=training, device=device)
        return pool_windows(rows, torch.from_numpy(dataset.groups), int(dataset.groups[-1]) + 1,
                            self.window_pooling)
