"""Serving a fitted model: int8 dynamic quantization and ONNX export.

Both act on the Hugging Face model inside an estimator (``module_``) and never
change it: quantization returns a copy, export writes files. :class:`ServingMixin`
gives an estimator ``to_onnx`` and the int8 copy its inference runs on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
import warnings

import torch
from tokenizers import Tokenizer

from .persistence import ONNX_FILE, write_dir_atomically, write_metadata

__all__ = ["ONNX_INPUTS", "ServingMixin", "check_quantize", "export_onnx", "quantize_module"]

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


def check_quantize(quantize, device, precision):
    """Refuse ``quantize`` where int8 kernels do not run (off the CPU or outside fp32)."""
    if quantize is not None and (device.type != "cpu" or precision != "fp32"):
        raise ValueError(
            f"quantize={quantize!r} runs inference on the CPU in fp32 with int8 Linear "
            f"layers; got device={str(device)!r}, precision={precision!r}. Use "
            "device='cpu' and precision='fp32', or quantize=None (on a GPU, "
            "precision='bf16' or 'fp16' is the fast path)."
        )


_QUANTIZE_LOCK = threading.Lock()


class ServingMixin:
    """``to_onnx`` and the int8 inference copy, for an estimator with ``module_``.

    Hooks: ``_export_module`` (the model exported), ``_head`` (what the
    graph returns from the model's output) and ``_onnx_output`` (its name).
    """

    _onnx_output = "logits"

    def _inference_module(self, runtime):
        """The model inference runs on: ``module_``, or its int8 copy with ``quantize``."""
        if self.quantize is None:
            return self.module_
        check_quantize(self.quantize, runtime.device, runtime.precision)
        module = self.module_
        # Every in-place change of a tensor (optimizer steps, load_state_dict)
        # bumps its _version: a cheap test that the cached copy is still current.
        key = (module, self.quantize, sum(p._version for p in module.parameters()))
        with _QUANTIZE_LOCK:
            cached = self.__dict__.get("_quantized")
            if cached is None or cached[0] != key:
                cached = (key, quantize_module(module, self.quantize))
                self._quantized = cached
        return cached[1]

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_quantized", None)  # rebuilt on first use: pickles hold fp32 weights only
        return state

    def to_onnx(self, path):
        """Export the fitted model to ONNX, to serve it without PyTorch.

        Writes a directory that ``onnxruntime`` and ``tokenizers`` alone can
        serve (see the serving guide):

        * ``model.onnx``: inputs ``input_ids``, ``attention_mask`` and
          ``token_type_ids`` (int64, shape ``(batch, sequence)``, both axes
          dynamic); one output, the estimator's raw scores (``logits``, or
          ``embeddings`` for :class:`ElectraEmbedder`). Weights are fp32,
          whatever ``quantize`` says. The graph uses ONNX opset 18, which
          onnxruntime runs from version 1.14 on.
        * ``tokenizer.json``: the tokenizer with truncation at ``max_length``
          and padding to the batch's longest switched on, so that
          ``Tokenizer.from_file(...).encode_batch(texts)`` yields the inputs.
        * ``sklearn_electra.json``: ``classes`` and the estimator's parameters.

        The directory is replaced atomically. Needs the ``onnx`` and
        ``onnxscript`` packages (``pip install sklearn-electra[onnx]``).

        Parameters
        ----------
        path : str or os.PathLike
            Target directory (created if needed).

        Returns
        -------
        self
        """
        self.check_is_fitted()
        graph = OnnxGraph(self._export_module(), self._head)

        def write(tmp):
            export_onnx(graph, os.path.join(tmp, ONNX_FILE), self._onnx_output)
            self._serving_tokenizer().save(os.path.join(tmp, "tokenizer.json"))
            write_metadata(tmp, {**self._export_metadata(),
                                 "onnx": {"file": ONNX_FILE, "inputs": list(ONNX_INPUTS),
                                          "output": self._onnx_output}})

        with self._resolve_runtime().threads():
            write_dir_atomically(path, write)
        return self

    def _serving_truncation(self):
        """``Tokenizer.enable_truncation`` settings that cut texts as ``predict`` does."""
        return {"strategy": "longest_first"}

    def _serving_tokenizer(self):
        """A ``tokenizers.Tokenizer`` that truncates and pads like ``fit``/``predict``."""
        backend = Tokenizer.from_str(self.tokenizer_.backend_tokenizer.to_str())
        backend.enable_truncation(max_length=self.max_length, **self._serving_truncation())
        backend.enable_padding(pad_id=self.tokenizer_.pad_token_id,
                               pad_token=self.tokenizer_.pad_token)
        return backend
