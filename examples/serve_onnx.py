"""Serve a classifier exported with ``to_onnx`` using only onnxruntime, tokenizers and numpy.

No PyTorch, transformers or sklearn_electra is imported: this is what a small
serving container needs (``pip install onnxruntime tokenizers numpy``).

Export first (with sklearn_electra installed)::

    clf = ElectraClassifier(...).fit(X, y)
    clf.to_onnx("served-model")

then::

    python examples/serve_onnx.py served-model "great battery" "screen broke"
    python examples/serve_onnx.py served-model --json < texts.txt   # one text per line
"""

import argparse
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


class OnnxTextClassifier:
    """``predict_proba`` / ``predict`` over an exported ElectraClassifier directory."""

    def __init__(self, path, batch_size=64):
        with open(os.path.join(path, "sklearn_electra.json"), encoding="utf-8") as f:
            self.metadata = json.load(f)
        # tokenizer.json truncates at max_length and pads to the batch's longest.
        self.tokenizer = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        self.session = ort.InferenceSession(os.path.join(path, self.metadata["onnx"]["file"]),
                                            providers=["CPUExecutionProvider"])
        self.classes = np.asarray(self.metadata["classes"], dtype=object)
        self.batch_size = batch_size
        params = self.metadata["params"]
        # long_texts="windows": tokenizer.json cuts long texts into the same overlapping
        # windows as predict (its truncation has the model's stride); logits are pooled.
        self.pooling = params.get("window_pooling") if params.get("long_texts") == "windows" else None
        self.multilabel = self.metadata.get("target_type", "").startswith("multilabel")

    def predict_proba(self, texts):
        texts = list(texts)
        # Sorting by length keeps the padding within each batch small.
        order = np.argsort([len(t) for t in texts], kind="stable")
        proba = np.empty((len(texts), len(self.classes)), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            windows, owner = self._windows([texts[i] for i in rows])
            logits = self._pool(self.session.run(None, self._feeds(windows))[0], owner, len(rows))
            if self.multilabel:  # one sigmoid per label
                proba[rows] = 1 / (1 + np.exp(-logits))
                continue
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            proba[rows] = exp / exp.sum(axis=1, keepdims=True)
        return proba

    def _windows(self, texts):
        """The encodings to score, and the text each belongs to."""
        encodings = self.tokenizer.encode_batch(texts)
        if self.pooling is None:
            return encodings, np.arange(len(texts))
        per_text = [[e, *e.overflowing] for e in encodings]
        owner = np.repeat(np.arange(len(texts)), [len(w) for w in per_text])
        return [w for windows in per_text for w in windows], owner

    def _feeds(self, encodings):
        width = max(len(e.ids) for e in encodings)
        pad = self.tokenizer.padding["pad_id"]
        return {name: np.array([list(getattr(e, attr)) + [fill] * (width - len(e.ids))
                                for e in encodings], dtype=np.int64)
                for name, attr, fill in (("input_ids", "ids", pad), ("attention_mask",
                                         "attention_mask", 0), ("token_type_ids", "type_ids", 0))}

    def _pool(self, logits, owner, n_texts):
        if self.pooling is None:
            return logits
        if self.pooling == "max":
            pooled = np.full((n_texts, logits.shape[1]), -np.inf, dtype=logits.dtype)
            np.maximum.at(pooled, owner, logits)
            return pooled
        pooled = np.zeros((n_texts, logits.shape[1]), dtype=logits.dtype)
        np.add.at(pooled, owner, logits)
        return pooled / np.bincount(owner, minlength=n_texts)[:, None]

    def predict(self, texts):
        proba = self.predict_proba(texts)
        if self.multilabel:
            return [self.classes[row >= 0.5].tolist() for row in proba]
        return self.classes[proba.argmax(axis=1)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="directory written by to_onnx()")
    parser.add_argument("texts", nargs="*", help="texts to classify (default: stdin lines)")
    parser.add_argument("--json", action="store_true", help="print probabilities as JSON")
    args = parser.parse_args(argv)
    texts = args.texts or [line.rstrip("\n") for line in sys.stdin]
    model = OnnxTextClassifier(args.path)
    proba = model.predict_proba(texts)
    if args.json:
        print(json.dumps({"classes": model.classes.tolist(), "proba": proba.tolist()}))
        return
    for text, label, p in zip(texts, model.classes[proba.argmax(axis=1)], proba.max(axis=1)):
        print(f"{label}\t{p:.3f}\t{text}")


if __name__ == "__main__":
    main()
