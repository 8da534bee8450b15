"""Predict throughput: ElectraClassifier.predict_proba vs HF pipeline and a plain loop, fp32 and int8.

One classifier (the small preset's width with 4 layers) is fine-tuned from scratch on
Chinese reviews; then the *same* Hugging Face model
scores the same test reviews five ways, each timed best-of-N after an untimed warm-up,
in one run:

* **ours fp32**: ``predict_proba`` (length-sorted batches padded to their longest,
  ``torch.inference_mode``), batch 64;
* **ours int8**: the same with ``quantize="int8"`` (dynamic int8 Linear layers);
* **pipeline**: ``transformers.pipeline("text-classification")`` over the same model and
  tokenizer, ``top_k=None`` (all class scores, as ``predict_proba``), truncation at
  ``max_length``; with its default batch size (1) and with batch 64;
* **loop fp32 / int8**: what a user writes by hand: tokenize with
  ``padding="max_length"``, batches of 64 under ``torch.no_grad``, softmax; int8 with the
  same ``torch.ao.quantization.quantize_dynamic`` call.

Accuracy on the test reviews is reported next to each, so the int8 speed-up is seen
with what it costs. Targets: ours fp32 >= 2x the pipeline, ours int8 >= 3x the
pipeline with <= 0.5 accuracy points lost. The pipeline's better batch size is the
reference.

    python benchmarks/predict_throughput.py [--model small] [--layers 4] [--n-test 2000] [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from transformers import pipeline
from transformers.utils import logging as hf_logging

from _report import plt, publish
from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.datasets import load_chinese_reviews
from sklearn_electra.serving import quantize_module

BATCH = 64


def loop_proba(model, tok, texts, max_length):
    enc = tok(texts, padding="max_length", truncation=True, max_length=max_length,
              return_tensors="pt")
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), BATCH):
            batch = {k: v[start:start + BATCH] for k, v in enc.items()}
            out.append(torch.softmax(model(**batch).logits, -1))
    return torch.cat(out).numpy()


def pipeline_proba(pipe, texts, batch_size, max_length, classes):
    scores = pipe(texts, batch_size=batch_size, top_k=None, truncation=True, max_length=max_length)
    column = {str(c): i for i, c in enumerate(classes)}
    proba = np.zeros((len(texts), len(classes)), dtype=np.float32)
    for row, items in enumerate(scores):
        for item in items:
            proba[row, column[item["label"]]] = item["score"]
    return proba


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="small")
    parser.add_argument("--layers", type=int, default=4,
                        help="encoder layers (the preset's width): a from-scratch ELECTRA-Small "
                             "with all 12 layers does not learn in minutes of CPU, and int8 "
                             "accuracy means nothing on a model that predicts one class")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2, help="best of N timed runs")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="tiny model, 1,000 training and 500 test reviews, best of 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.model, args.layers, args.n_test, args.repeats = "tiny", 2, 500, 1
    torch.set_num_threads(args.threads)
    hf_logging.set_verbosity_error()
    warnings.simplefilter("ignore", TextTruncationWarning)

    train, test = load_chinese_reviews()
    train = train.sample(min(args.n_train, len(train)), random_state=0)
    test = test.sample(min(args.n_test, len(test)), random_state=1)
    texts, truth = test["text"].tolist(), test["label"].to_numpy()

    start = time.perf_counter()
    clf = ElectraClassifier(model=args.model, module__num_hidden_layers=args.layers,
                            max_length=args.max_length, max_epochs=args.epochs, lr=1e-3,
                            validation_fraction=None, predict_batch_size=BATCH, random_state=0)
    clf.fit(train["text"], train["label"])
    train_minutes = (time.perf_counter() - start) / 60
    model, tok, classes = clf.module_.eval(), clf.tokenizer_, clf.classes_
    int8_model = quantize_module(model)
    pipe = pipeline("text-classification", model=model, tokenizer=tok, device="cpu")

    methods = {
        "ours fp32": lambda: clf.set_params(quantize=None).predict_proba(texts),
        "ours int8": lambda: clf.set_params(quantize="int8").predict_proba(texts),
        "pipeline, batch 1": lambda: pipeline_proba(pipe, texts, 1, args.max_length, classes),
        f"pipeline, batch {BATCH}": lambda: pipeline_proba(pipe, texts, BATCH, args.max_length,
                                                           classes),
        "loop fp32": lambda: loop_proba(model, tok, texts, args.max_length),
        "loop int8": lambda: loop_proba(int8_model, tok, texts, args.max_length),
    }
    rows = {}
    for name, fn in methods.items():
        fn()  # warm-up: first calls of a shape are slower, and ours builds its int8 copy here
        best, proba = np.inf, None
        for _ in range(args.repeats):
            begin = time.perf_counter()
            proba = fn()
            best = min(best, time.perf_counter() - begin)
        accuracy = (classes[proba.argmax(1)] == truth).mean()
        rows[name] = {"rate": len(texts) / best, "accuracy": accuracy, "proba": proba}

    reference = max(("pipeline, batch 1", f"pipeline, batch {BATCH}"),
                    key=lambda k: rows[k]["rate"])
    base_accuracy = rows["ours fp32"]["accuracy"]
    header = (f"predict throughput, texts/s (model={args.model} with {args.layers} layers, "
              f"fine-tuned {train_minutes:.1f} min "
              f"on {len(train)} reviews; {len(texts)} test reviews, max_length={args.max_length}, "
              f"{args.threads} threads, best of {args.repeats}; reference: {reference})")
    lines = [header, "",
             "| method | texts/s | vs pipeline | test accuracy | accuracy change (points) "
             "| max abs. prob. difference to ours fp32 |",
             "|---|---|---|---|---|---|"]
    for name, r in rows.items():
        diff = np.abs(r["proba"] - rows["ours fp32"]["proba"]).max()
        lines.append(f"| {name} | {r['rate']:.0f} | {r['rate'] / rows[reference]['rate']:.2f}x | "
                     f"{r['accuracy']:.4f} | {100 * (r['accuracy'] - base_accuracy):+.2f} | "
                     f"{diff:.2g} |")
    publish("predict_throughput", lines, plot(rows, reference, header), quick=args.quick)
    return rows


def plot(rows, reference, title):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = list(rows)
    speedup = [rows[n]["rate"] / rows[reference]["rate"] for n in names]
    bars = ax.barh(names[::-1], speedup[::-1], color=["C0" if n.startswith("ours") else "C7"
                                                      for n in names[::-1]])
    for bar, name in zip(bars, names[::-1]):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {bar.get_width():.2f}x, acc {rows[name]['accuracy']:.3f}", va="center",
                fontsize=8)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel(f"texts/s relative to the {reference}")
    ax.set_xlim(0, max(speedup) * 1.35)
    ax.set_title(title, fontsize=7, wrap=True)
    return fig


if __name__ == "__main__":
    main()
