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

    def predict_proba(self, texts):
        texts = list(texts)
        # Sorting by length keeps the padding within each batch small.
        order = np.argsort([len(t) for t in texts], kind="stable")
        proba = np.empty((len(texts), len(self.classes)), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            rows = order[start:start + self.batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in rows])
            feeds = {name: np.array([getattr(e, attr) for e in encodings], dtype=np.int64)
                     for name, attr in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                                        ("token_type_ids", "type_ids"))}
            logits = self.session.run(None, feeds)[0]
            logits = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            proba[rows] = exp / exp.sum(axis=1, keepdims=True)
        return proba

    def predict(self, texts):
        return self.classes[self.predict_proba(texts).argmax(axis=1)]


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
