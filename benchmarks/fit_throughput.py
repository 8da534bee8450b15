"""Fit throughput: ElectraClassifier vs a hand-written loop, skorch's HF recipe and HF Trainer.

All four train the same ELECTRA model (same config, tokenizer, batch size,
epochs, optimizer) on the same real texts, measured in one run, and report
sequences per second of ``fit`` including tokenization. Ratios are what count:
the absolute numbers depend on the (shared, noisy) machine.

* **ours**: ``ElectraClassifier.fit`` (dynamic padding, length buckets), no
  validation split so that only training is timed.
* **loop**: what a user writes by hand: tokenize with ``padding="max_length"``,
  a shuffled ``DataLoader``, AdamW, forward/backward/step.
* **skorch**: skorch's documented recipe, ``HuggingfacePretrainedTokenizer``
  (pads to ``max_length``) + ``NeuralNetClassifier`` in a Pipeline.

BBC News at ``max_length=128`` truncates every article, so all sequences have the
same length: the wrapper must cost nothing there (target >= 0.95x the loop). The
Chinese reviews vary in length (median 46 tokens): the target is >= 1.5x the loop
and skorch, and >= 1.0x Trainer.

    python benchmarks/fit_throughput.py [--n-texts 2000] [--repeats 2] [--quick]

To compare with another version of this package (a regression check), pass
``--baseline-checkout DIR`` (a checkout holding ``sklearn_electra/``) and
``--methods ours,baseline``: both fit in one run, each warmed up untimed, in
alternating order.

    git worktree add /tmp/main-before main~1
    python benchmarks/fit_throughput.py --baseline-checkout /tmp/main-before --methods ours,baseline
"""

import argparse
import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from skorch import NeuralNetClassifier
from skorch.hf import HuggingfacePretrainedTokenizer
from torch.utils.data import DataLoader, TensorDataset
from transformers import (
    DataCollatorWithPadding,
    ElectraForSequenceClassification,
    Trainer,
    TrainingArguments,
)
from transformers.utils import logging as hf_logging

from _report import plt, publish
from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.datasets import load_bbc_news, load_chinese_reviews
from sklearn_electra.modeling import build_config, resolve_model
from sklearn_electra.tokenization import train_wordpiece

def make_model(tok, n_labels, preset):
    config = build_config(resolve_model(preset), vocab_size=len(tok),
                          pad_token_id=tok.pad_token_id, num_labels=n_labels)
    return ElectraForSequenceClassification(config)


def run_trainer(texts, labels, tok, args):
    classes, y = np.unique(labels, return_inverse=True)
    enc = tok(list(texts), truncation=True, max_length=args.max_length)
    data = [{"input_ids": ids, "attention_mask": mask, "token_type_ids": types, "labels": int(t)}
            for ids, mask, types, t in zip(enc["input_ids"], enc["attention_mask"],
                                           enc["token_type_ids"], y)]
    with tempfile.TemporaryDirectory() as out:
        training_args = TrainingArguments(
            output_dir=out, per_device_train_batch_size=args.batch_size,
            num_train_epochs=args.epochs, learning_rate=1e-3, weight_decay=0.01, max_grad_norm=1.0,
            train_sampling_strategy="group_by_length", logging_strategy="no", save_strategy="no", report_to="none",
            disable_tqdm=True, use_cpu=True, dataloader_num_workers=0, seed=0)
        trainer = Trainer(model=make_model(tok, len(classes), args.model), args=training_args,
                          train_dataset=data, data_collator=DataCollatorWithPadding(tok))
        with contextlib.redirect_stdout(io.StringIO()):  # train() prints its metrics
            trainer.train()


def run_ours(texts, labels, tok, args):
    clf = ElectraClassifier(model=args.model, tokenizer=tok, max_length=args.max_length,
                            batch_size=args.batch_size, max_epochs=args.epochs, lr=1e-3,
                            validation_fraction=None, random_state=0)
    clf.fit(texts, labels)


def run_loop(texts, labels, tok, args):
    classes, y = np.unique(labels, return_inverse=True)
    enc = tok(list(texts), padding="max_length", truncation=True, max_length=args.max_length,
              return_tensors="pt")
    data = TensorDataset(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"],
                         torch.as_tensor(y))
    model = make_model(tok, len(classes), args.model)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    model.train()
    for _ in range(args.epochs):
        for ids, mask, types, target in DataLoader(data, batch_size=args.batch_size, shuffle=True):
            logits = model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
            loss = torch.nn.functional.cross_entropy(logits, target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad()


class _HFModule(torch.nn.Module):
    """The module skorch's recipe wraps: returns logits for CrossEntropyLoss."""

    def __init__(self, tok, n_labels, preset):
        super().__init__()
        self.model = make_model(tok, n_labels, preset)

    def forward(self, **kwargs):
        return self.model(**kwargs).logits


def run_skorch(texts, labels, tok, args):
    classes, y = np.unique(labels, return_inverse=True)
    pipe = Pipeline([
        ("tokenizer", HuggingfacePretrainedTokenizer(tok, max_length=args.max_length,
                                                     return_token_type_ids=True)),
        ("net", NeuralNetClassifier(
            _HFModule, module__tok=tok, module__n_labels=len(classes), module__preset=args.model,
            criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW, lr=1e-3,
            optimizer__weight_decay=0.01, max_epochs=args.epochs, batch_size=args.batch_size,
            train_split=False, iterator_train__shuffle=True, verbose=0)),
    ])
    pipe.fit(list(texts), y)


def load_baseline(checkout):
    """``sklearn_electra`` from another checkout, imported as ``sklearn_electra_baseline``."""
    package = os.path.join(os.path.abspath(checkout), "sklearn_electra")
    spec = importlib.util.spec_from_file_location(
        "sklearn_electra_baseline", os.path.join(package, "__init__.py"),
        submodule_search_locations=[package])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_baseline(texts, labels, tok, args):
    clf = args.baseline.ElectraClassifier(model=args.model, tokenizer=tok, max_length=args.max_length,
                                          batch_size=args.batch_size, max_epochs=args.epochs, lr=1e-3,
                                          validation_fraction=None, random_state=0)
    clf.fit(texts, labels)


METHODS = {"ours": run_ours, "loop": run_loop, "skorch": run_skorch, "Trainer": run_trainer,
           "baseline": run_baseline}


def measure(corpus, texts, labels, args):
    tok = train_wordpiece(texts, vocab_size=8000)
    lengths = np.array([len(x) for x in tok(list(texts), truncation=True,
                                             max_length=args.max_length)["input_ids"]])
    times = {name: [] for name in args.methods}
    if args.warmup:
        for name in args.methods:  # first passes of a shape are slower: untimed
            METHODS[name](texts[:4 * args.batch_size], labels[:4 * args.batch_size], tok, args)
    for repeat in range(args.repeats):
        # Alternate the order so that neither side always runs on a warmer machine.
        for name in (args.methods if repeat % 2 == 0 else args.methods[::-1]):
            torch.manual_seed(0)
            start = time.perf_counter()
            METHODS[name](texts, labels, tok, args)
            times[name].append(time.perf_counter() - start)
    rows = {name: len(texts) * args.epochs / min(t) for name, t in times.items()}
    padding = args.max_length / lengths.mean()
    return {"corpus": corpus, "padding": padding, **rows}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-texts", type=int, default=2000)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2, help="best of N runs per method")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="500 texts, best of 1")
    parser.add_argument("--methods", default="ours,loop,skorch,Trainer",
                        help="comma-separated subset of " + ",".join(METHODS))
    parser.add_argument("--baseline-checkout", help="another checkout to compare 'ours' with")
    parser.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True,
                        help="an untimed short fit of each method first")
    args = parser.parse_args(argv)
    args.methods = args.methods.split(",")
    if "baseline" in args.methods:
        if not args.baseline_checkout:
            parser.error("--methods baseline needs --baseline-checkout DIR")
        args.baseline = load_baseline(args.baseline_checkout)
    if args.quick:
        args.n_texts, args.repeats = min(args.n_texts, 500), 1
    torch.set_num_threads(args.threads)
    hf_logging.set_verbosity_error()
    warnings.simplefilter("ignore", TextTruncationWarning)  # BBC articles are cut on purpose

    results = []
    for corpus, loader in (("Chinese reviews", load_chinese_reviews), ("BBC News", load_bbc_news)):
        train, _ = loader()
        sample = train.sample(min(args.n_texts, len(train)), random_state=0)
        results.append(measure(corpus, sample["text"].tolist(), sample["label"].to_numpy(), args))

    header = (f"fit throughput, sequences/s (model={args.model}, max_length={args.max_length}, "
              f"batch={args.batch_size}, {args.n_texts} texts, {args.epochs} epoch, "
              f"{args.threads} threads, best of {args.repeats}, alternating order)")
    others = [m for m in args.methods if m != "ours"]
    lines = [header, "",
             "| corpus | max_length / mean length | " + " | ".join(args.methods) + " | "
             + " | ".join(f"ours/{m}" for m in others) + " |",
             "|---|---|" + "---|" * (len(args.methods) + len(others))]
    for r in results:
        lines.append(f"| {r['corpus']} | {r['padding']:.2f} | "
                     + " | ".join(f"{r[m]:.0f}" for m in args.methods) + " | "
                     + " | ".join(f"{r['ours'] / r[m]:.2f}x" for m in others) + " |")
    name = "fit_throughput" if "baseline" not in args.methods else "fit_throughput_vs_baseline"
    publish(name, lines, plot(results, header, args.methods), quick=args.quick)
    return results


def plot(results, title, methods):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / len(methods)
    x = np.arange(len(results))
    for k, name in enumerate(methods):
        ax.bar(x + (k - (len(methods) - 1) / 2) * width, [r[name] for r in results], width, label=name)
    ax.set_xticks(x, [f"{r['corpus']}\n(pad factor {r['padding']:.2f})" for r in results])
    ax.set_ylabel("sequences / second")
    ax.set_title(title, fontsize=8)
    ax.legend()
    return fig


if __name__ == "__main__":
    main()
