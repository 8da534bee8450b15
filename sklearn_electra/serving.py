"""Serving a fitted model: int8 dynamic quantization and ONNX export.

Both act on the Hugging Face model inside an estimator (``module_``) and never
change it: quantization returns a copy, export writes files.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import warnings

import torch

__all__ = ["ONNX_INPUTS", "export_onnx", "quantize_module"]

ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def quantize_module(module, dtype="int8"):
    """A copy of ``module`` whose ``nn.Linear`` layers run in int8 (dynamic quantization).

    Weights are quantized once (symmetric, per tensor); activations are
    quantized per batch, on the fly, and the matmuls run in PyTorch's int8
    kernels (fbgemm on x86). Embeddings, LayerNorms and softmax stay in fp32.
    CPU only.

    Parameters
    ----------
    module : torch.nn.Module
        Left unchanged.
    dtype : {"int8"}

    Returns
    -------
    torch.nn.Module
    """
    if dtype != "int8":
        raise ValueError(f"quantize={dtype!r} is not supported; use 'int8' or None.")
    quantization = getattr(torch.ao, "quantization", None)
    if quantization is None or not hasattr(quantization, "quantize_dynamic"):
        raise ValueError(
            f"This PyTorch ({torch.__version__}) no longer has torch.ao.quantization."
            "quantize_dynamic; use quantize=None, or export with to_onnx() and quantize the "
            "ONNX model with onnxruntime.quantization.quantize_dynamic."
        )
    with warnings.catch_warnings():
        # PyTorch announces the move of eager quantization to torchao; the
        # fbgemm kernels used here are the ones that are fast on x86 CPUs today.
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated",
                                category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r".*quantize_per_tensor.*deprecated",
                                category=UserWarning)
        return quantization.quantize_dynamic(module, {torch.nn.Linear}, dtype=torch.qint8,
                                             inplace=False).eval()


class OnnxGraph(torch.nn.Module):
    """What an exported graph computes: padded id tensors in, one output tensor out.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        Called with the three :data:`ONNX_INPUTS` as keyword arguments.
    head : callable
        ``head(model_output, attention_mask) -> tensor``: picks (or pools) the
        output that the estimator returns, e.g. ``.logits``.
    """

    def __init__(self, model, head):
        super().__init__()
        self.model = model
        self.head = head

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids)
        return self.head(out, attention_mask)


def export_onnx(graph, path, output_name, opset=18):
    """Export ``graph`` (an :class:`OnnxGraph`) to ``path`` with dynamic batch and sequence axes.

    Uses the ``torch.export``-based exporter (``dynamo=True``) and writes one
    self-contained file (no external weight files).
    """
    missing = [name for name in ("onnx", "onnxscript") if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(
            f"to_onnx() needs {' and '.join(missing)}: pip install 'sklearn-electra[onnx]' "
            "(or pip install onnx onnxscript)."
        )
    graph = graph.eval()
    device = next(graph.parameters()).device
    # Any sizes >= 2 will do: torch.export specializes dimensions of size 0 or 1.
    example = tuple(torch.full((2, 8), fill, dtype=torch.long, device=device)
                    for fill in (5, 1, 0))  # input_ids, attention_mask, token_type_ids
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    shapes = {name: {0: batch, 1: sequence} for name in ONNX_INPUTS}
    with _quiet_exporter():
        torch.onnx.export(graph, example, os.fspath(path), dynamo=True, opset_version=opset,
                          input_names=list(ONNX_INPUTS), output_names=[output_name],
                          dynamic_shapes=shapes, external_data=False, verbose=False)


@contextlib.contextmanager
def _quiet_exporter():
    """Silence the exporter's progress prints and its notes about optional packages."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch.export", "torch._dynamo",
                                                    "onnxscript")]
    levels = [lg.level for lg in loggers]
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
