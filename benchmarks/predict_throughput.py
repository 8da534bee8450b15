"""Predict throughput: ElectraClassifier.predict_proba vs HF pipeline and plain loops, fp32 and int8.

One classifier (the small preset's width with 4 layers) is fine-tuned from scratch on
Chinese reviews at the recipe's from-scratch rate for its size (5e-4; at 1e-3 it stayed
at the majority class, where int8's accuracy change means nothing); then the *same*
Hugging Face model scores the same texts several ways, in one run through the shared
harness (:mod:`_harness`: an untimed warm-up of each, then alternating rounds; median
and range):

* **ours fp32**: ``predict_proba`` (length-sorted batches padded to their longest,
  ``torch.inference_mode``), batch 64; **ours int8**: the same with ``quantize="int8"``;
* **pipeline**: ``transformers.pipeline("text-classification")`` over the same model and
  tokenizer, ``top_k=None`` (all class scores, as ``predict_proba``), truncation at
  ``max_length``: with its default batch size (1) and with its best batch size, chosen by
  an untimed probe of 1, 8, 16, 32, 64 and 128 on the first 256 texts;
* **loop: padded fp32 / int8**: a hand-written loop, texts padded to ``max_length``,
  batches of 64 under ``torch.no_grad``; int8 with the same ``quantize_dynamic`` call;
* **loop: sorted batches**: the hand-written loop batching as the package does (sorted
  by length, each batch padded to its longest): the ratio is what the wrapper costs.

Texts of varied length are the test reviews; texts of equal length are BBC News articles
cut at ``max_length`` (scored by the same reviews model: throughput only, no accuracy).
Targets: ours fp32 / the pipeline at its best batch size >= 1.5x on varied lengths and
>= 0.95x on equal lengths; ours / the sorted-batches loop >= 0.95x; ours int8 >= 3x the
pipeline with <= 0.5 accuracy points lost.

    python benchmarks/predict_throughput.py [--model small] [--layers 4] [--n-test 2000] [--quick]
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
import torch
from transformers import pipeline
from transformers.utils import logging as hf_logging

from _baselines import inputs
from _harness import alternating, rates, ratio as ratio_text, spread, timed, verdict
from _report import plt, publish
from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.data import inference_order
from sklearn_electra.datasets import load_bbc_news, load_chinese_reviews
from sklearn_electra.serving import quantize_module

BATCH = 64


def loop_proba(model, tok, texts, max_length, sort=False):
    """A hand-written loop: ``sort``: length-sorted batches padded per batch, else all
    texts padded to ``max_length``."""
    if not sort:
        enc = tok(texts, padding="max_length", truncation=True, max_length=max_length,
                  return_tensors="pt")
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), BATCH):
                out.append(torch.softmax(model(**{k: v[start:start + BATCH] for k, v in enc.items()})
                                         .logits, -1))
        return torch.cat(out).numpy()
    ids = tok(texts, truncation=True, max_length=max_length)["input_ids"]
    order = inference_order([len(r) for r in ids])
    proba = np.zeros((len(texts), model.num_labels), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            rows, mask = inputs(ids, batch, max(len(ids[i]) for i in batch), tok.pad_token_id)
            proba[batch] = torch.softmax(model(input_ids=rows, attention_mask=mask,
                                               token_type_ids=torch.zeros_like(rows)).logits, -1)
    return proba


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
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per method (median)")
    parser.add_argument("--no-equal", action="store_true", help="skip the equal-length texts")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="tiny model, 500 test reviews, 1 round")
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
                            max_length=args.max_length, max_epochs=args.epochs,
                            validation_fraction=None, predict_batch_size=BATCH, random_state=0)
    clf.fit(train["text"], train["label"])
    train_minutes = (time.perf_counter() - start) / 60
    model, tok, classes = clf.module_.eval(), clf.tokenizer_, clf.classes_
    int8_model = quantize_module(model)
    with tempfile.TemporaryDirectory() as saved:  # the same fitted model, served in int8
        clf.save_pretrained(saved)
        int8_clf = ElectraClassifier.from_pretrained(saved, quantize="int8")
    pipe = pipeline("text-classification", model=model, tokenizer=tok, device="cpu")
    probe = texts[:256]
    best_batch = min((1, 8, 16, 32, 64, 128), key=lambda b: timed(
        pipeline_proba, pipe, probe, b, args.max_length, classes))

    corpora = {"varied": texts}
    if not args.no_equal:
        articles = load_bbc_news()[1]["text"].head(len(texts) // 2).tolist()
        corpora["equal"] = articles
    results = {}
    for kind, docs in corpora.items():
        scorers = {
            "ours fp32": lambda: clf.predict_proba(docs),
            "ours int8": lambda: int8_clf.predict_proba(docs),
            "pipeline, batch 1": lambda: pipeline_proba(pipe, docs, 1, args.max_length, classes),
            f"pipeline, best batch ({best_batch})":
                lambda: pipeline_proba(pipe, docs, best_batch, args.max_length, classes),
            "loop: padded fp32": lambda: loop_proba(model, tok, docs, args.max_length),
            "loop: padded int8": lambda: loop_proba(int8_model, tok, docs, args.max_length),
            "loop: sorted batches fp32": lambda: loop_proba(model, tok, docs, args.max_length, sort=True),
        }
        if kind == "equal":  # batch 1 is far behind; the reference is the best batch
            del scorers["pipeline, batch 1"]
        outputs = {}  # each method's last probabilities, to check they agree

        def keep(name, fn):
            def run(k):
                outputs[name] = fn()
            return run
        measured = rates(alternating({name: keep(name, fn) for name, fn in scorers.items()},
                                     args.repeats), len(docs))
        rows = {}
        for name, rate in measured.items():
            proba = outputs[name]
            rows[name] = {"rate": rate, "proba": proba,
                          "accuracy": (classes[proba.argmax(1)] == truth).mean() if kind == "varied"
                          else np.nan}
        results[kind] = rows

    reference = f"pipeline, best batch ({best_batch})"
    majority = np.unique(truth, return_counts=True)[1].max() / len(truth)
    header = (f"predict throughput, texts/s, median (range) of {args.repeats} rounds after an untimed "
              f"warm-up, alternating order (model={args.model} with {args.layers} layers, fine-tuned "
              f"{train_minutes:.1f} min on {len(train)} reviews; {len(texts)} test reviews (varied "
              f"lengths; the majority class scores {majority:.4f}), "
              f"{len(corpora.get('equal', []))} BBC articles cut at max_length="
              f"{args.max_length} (equal lengths); {args.threads} threads; reference: the pipeline "
              f"at its best batch size, {best_batch})")
    lines = [header, "",
             "| lengths | method | texts/s | ours fp32 / method | target | met? | test accuracy "
             "| accuracy change (points) | max abs. prob. difference to ours fp32 |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind, rows in results.items():
        ours, base = rows["ours fp32"], rows["ours fp32"]["accuracy"]
        for name, r in rows.items():
            ratio = ours["rate"][0] / r["rate"][0]
            target = {reference: 1.5 if kind == "varied" else 0.95,
                      "loop: sorted batches fp32": 0.95}.get(name)
            cells = verdict(ratio, target) if target else "- | -"
            if name == "ours int8" and kind == "varied":
                speed = r["rate"][0] / rows[reference]["rate"][0]
                lost = 100 * (base - r["accuracy"])
                cells = (f"int8 / pipeline >= 3x, <= 0.5 points lost | "
                         f"{'yes' if speed >= 3 and lost <= 0.5 else 'no'} ({ratio_text(speed, 3)})")
            diff = np.abs(r["proba"] - ours["proba"]).max()
            accuracy = "- | -" if kind == "equal" else \
                f"{r['accuracy']:.4f} | {100 * (r['accuracy'] - base):+.2f}"  # BBC: speed only
            lines.append(f"| {kind} | {name} | {spread(r['rate'])} | "
                         + ("-" if name == "ours fp32" else ratio_text(ratio, target)) + f" | {cells} | "
                         f"{accuracy} | {diff:.2g} |")
    publish("predict_throughput", lines, plot(results, reference, header), quick=args.quick)
    return results


def plot(results, reference, title):
    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 3.5), squeeze=False)
    for ax, (kind, rows) in zip(axes[0], results.items()):
        names = list(rows)
        speedup = [rows[n]["rate"][0] / rows[reference]["rate"][0] for n in names]
        bars = ax.barh(names[::-1], speedup[::-1],
                       color=["C0" if n.startswith("ours") else "C7" for n in names[::-1]])
        for bar in bars:
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {bar.get_width():.2f}x",
                    va="center", fontsize=8)
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xlabel(f"texts/s relative to the {reference}")
        ax.set_xlim(0, max(speedup) * 1.3)
        ax.set_title(f"{kind} lengths", fontsize=9)
    fig.suptitle(title[:170], fontsize=7)
    return fig


if __name__ == "__main__":
    main()
