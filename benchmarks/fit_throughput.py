"""Fit throughput: ElectraClassifier vs HF Trainer, skorch's recipe and hand-written loops.

Every method trains the same ELECTRA model (same config and initial weights, tokenizer,
batch size, epochs, optimizer settings) on the same real texts, in one run, through the
shared harness (:mod:`_harness`): an untimed warm-up fit of each, then ``--repeats``
rounds in alternating order; the table gives the median and the range. Only training is
timed: tokenizing, building the model and constructing a Trainer are set-up, timed
apart (ours: the epochs as skorch's EpochTimer measures them; its whole ``fit``,
tokenization included, is a column of its own).

* **ours**: ``ElectraClassifier.fit`` (length buckets, padding per batch), no validation split.
* **Trainer**: the Hugging Face guide's recipe at its best: ``DataCollatorWithPadding``
  (padding per batch) and ``train_sampling_strategy="group_by_length"``.
* **skorch**: skorch's documented recipe, ``HuggingfacePretrainedTokenizer`` (pads to
  ``max_length``) + ``NeuralNetClassifier``.
* **loop: padded**: a hand-written loop over texts padded to ``max_length``, random batches.
* **loop: per-batch padding**: random batches, each padded to its longest text.
* **loop: sorted batches**: batches as the package makes them (shuffled length buckets),
  padded per batch: the same work as ours, so the ratio is what the wrapper costs.

Targets (the strongest library row is Trainer): on texts of varied length (Chinese
reviews, median 46 tokens) ours >= 1.3x Trainer; on texts of equal length (BBC News cut at
``max_length=128``) >= 0.95x Trainer; against the sorted-batches loop >= 0.95x on both.

    python benchmarks/fit_throughput.py [--n-texts 2000] [--repeats 3] [--quick]

To compare with another version of this package (a regression check), pass
``--baseline-checkout DIR`` (a checkout holding ``sklearn_electra/``) and
``--methods ours,baseline``.

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
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from skorch import NeuralNetClassifier
from skorch.hf import HuggingfacePretrainedTokenizer
from transformers import (
    DataCollatorWithPadding,
    ElectraForSequenceClassification,
    Trainer,
    TrainingArguments,
)
from transformers.utils import logging as hf_logging

from _baselines import adamw, inputs, make_model, train
from _harness import Seconds, alternating, rates, ratio as ratio_text, spread, timed, verdict
from _report import plt, publish
from sklearn_electra import TextTruncationWarning
from sklearn_electra.datasets import load_bbc_news, load_chinese_reviews
from sklearn_electra.tokenization import train_wordpiece

LR = 1e-3
TARGETS = {  # (method, equal lengths?) -> ours / method at least
    ("Trainer", False): 1.3, ("Trainer", True): 0.95,
    ("loop: sorted batches", False): 0.95, ("loop: sorted batches", True): 0.95,
}


def classifier(tok, n_labels, args, seed):
    torch.manual_seed(seed)  # the same initial weights for every method
    return make_model(ElectraForSequenceClassification, tok, args.model, num_labels=n_labels)


def run_trainer(texts, y, tok, args, seed):
    enc = tok(list(texts), truncation=True, max_length=args.max_length)
    data = [{"input_ids": ids, "attention_mask": mask, "token_type_ids": types, "labels": int(t)}
            for ids, mask, types, t in zip(enc["input_ids"], enc["attention_mask"],
                                           enc["token_type_ids"], y)]
    with tempfile.TemporaryDirectory() as out:
        training_args = TrainingArguments(
            output_dir=out, per_device_train_batch_size=args.batch_size,
            num_train_epochs=args.epochs, learning_rate=LR, weight_decay=0.01, max_grad_norm=1.0,
            adam_epsilon=1e-6, train_sampling_strategy="group_by_length", logging_strategy="no",
            save_strategy="no", report_to="none", disable_tqdm=True, use_cpu=True,
            dataloader_num_workers=0, seed=seed)
        trainer = Trainer(model=classifier(tok, int(y.max()) + 1, args, seed), args=training_args,
                          train_dataset=data, data_collator=DataCollatorWithPadding(tok))
        with contextlib.redirect_stdout(io.StringIO()):  # train() prints its metrics
            return timed(trainer.train)


def run_ours(texts, y, tok, args, seed, package=None):
    package = package or sys.modules["sklearn_electra"]
    clf = package.ElectraClassifier(model=args.model, tokenizer=tok, max_length=args.max_length,
                                    batch_size=args.batch_size, max_epochs=args.epochs, lr=LR,
                                    validation_fraction=None, random_state=seed)
    args.whole_fit.setdefault(package.__name__, []).append(timed(clf.fit, texts, y))
    return Seconds(sum(clf.history_[:, "dur"]))


def loop(batching):
    """A hand-written loop; ``batching``: "padded", "per-batch" or "sorted"."""
    def run(texts, y, tok, args, seed):
        rows = tok(list(texts), truncation=True, max_length=args.max_length)["input_ids"]
        lengths = np.array([len(r) for r in rows])
        model = classifier(tok, int(y.max()) + 1, args, seed)
        optimizer, target = adamw(model, LR), torch.as_tensor(y)

        def loss(batch, width):
            ids, mask = inputs(rows, batch, width, tok.pad_token_id)
            logits = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).logits
            return F.cross_entropy(logits, target[batch])
        return timed(train, model, optimizer, batching, lengths, args, seed, loss)
    return run


class _HFModule(torch.nn.Module):
    """The module skorch's recipe wraps: returns logits for CrossEntropyLoss."""

    def __init__(self, tok, n_labels, args, seed):
        super().__init__()
        self.model = classifier(tok, n_labels, args, seed)

    def forward(self, **kwargs):
        return self.model(**kwargs).logits


def run_skorch(texts, y, tok, args, seed):
    features = HuggingfacePretrainedTokenizer(tok, max_length=args.max_length,
                                              return_token_type_ids=True).fit_transform(list(texts))
    net = NeuralNetClassifier(
        _HFModule, module__tok=tok, module__n_labels=int(y.max()) + 1, module__args=args,
        module__seed=seed, criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW,
        lr=LR, optimizer__weight_decay=0.01, optimizer__eps=1e-6, max_epochs=args.epochs,
        batch_size=args.batch_size, train_split=False, iterator_train__shuffle=True, verbose=0)
    net.initialize()  # set-up: builds the model
    return timed(net.partial_fit, features, y)


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


def run_baseline(texts, y, tok, args, seed):
    return run_ours(texts, y, tok, args, seed, package=args.baseline)


METHODS = {"ours": run_ours, "Trainer": run_trainer, "skorch": run_skorch,
           "loop: padded": loop("padded"), "loop: per-batch padding": loop("per-batch"),
           "loop: sorted batches": loop("sorted"), "baseline": run_baseline}


def measure(corpus, texts, labels, args):
    tok = train_wordpiece(texts, vocab_size=8000)
    lengths = np.array([len(x) for x in tok(list(texts), truncation=True,
                                             max_length=args.max_length)["input_ids"]])
    _, y = np.unique(labels, return_inverse=True)
    args.whole_fit = {}
    methods = {name: (lambda k, fn=METHODS[name]: fn(texts, y, tok, args, k)) for name in args.methods}
    times = alternating(methods, args.repeats, warmup=args.warmup)
    whole = args.whole_fit.get("sklearn_electra", [])[-args.repeats:]  # not the warm-up's
    n = len(texts) * args.epochs
    return {"corpus": corpus, "padding": args.max_length / lengths.mean(),
            "equal": bool(lengths.min() == lengths.max() or np.mean(lengths == args.max_length) > 0.9),
            "rates": rates(times, n), "whole": rates({"ours": whole}, n)["ours"] if whole else None}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-texts", type=int, default=2000)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per method (median)")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="500 texts, 1 round")
    parser.add_argument("--methods", default=",".join(m for m in METHODS if m != "baseline"),
                        help="comma-separated subset of " + ",".join(METHODS))
    parser.add_argument("--baseline-checkout", help="another checkout to compare 'ours' with")
    parser.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True,
                        help="an untimed fit of each method first")
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

    header = (f"fit throughput, sequences/s of training, median (range) of {args.repeats} rounds "
              f"after an untimed warm-up, alternating order (model={args.model}, "
              f"max_length={args.max_length}, batch={args.batch_size}, {args.n_texts} texts, "
              f"{args.epochs} epoch, {args.threads} threads; set-up timed apart)")
    lines = [header, "", "| corpus | lengths | method | sequences/s | ours / method | target | met? |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        kind = "equal" if r["equal"] else f"varied (max_length / mean {r['padding']:.2f})"
        ours = r["rates"]["ours"][0]
        for m in args.methods:
            target = TARGETS.get((m, r["equal"]))
            ratio = ours / r["rates"][m][0]
            lines.append(f"| {r['corpus']} | {kind} | {m} | {spread(r['rates'][m])} | "
                         + ("-" if m == "ours" else ratio_text(ratio, target)) + " | "
                         + (verdict(ratio, target) if target else "- | -")
                         + " |")
        if r["whole"]:
            lines.append(f"| {r['corpus']} | {kind} | ours, whole fit (tokenizing included) | "
                         f"{spread(r['whole'])} | - | - | - |")
    name = "fit_throughput" if "baseline" not in args.methods else "fit_throughput_vs_baseline"
    publish(name, lines, plot(results, header, args.methods), quick=args.quick)
    return results


def plot(results, title, methods):
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / len(methods)
    x = np.arange(len(results))
    for k, name in enumerate(methods):
        median = np.array([r["rates"][name][0] for r in results])
        low = median - np.array([r["rates"][name][1] for r in results])
        high = np.array([r["rates"][name][2] for r in results]) - median
        ax.bar(x + (k - (len(methods) - 1) / 2) * width, median, width, yerr=[low, high],
               capsize=2, label=name)
    ax.set_xticks(x, [f"{r['corpus']}\n(pad factor {r['padding']:.2f})" for r in results])
    ax.set_ylabel("sequences / second (training)")
    ax.set_title(title[:150], fontsize=7)
    ax.legend(fontsize=7)
    return fig


if __name__ == "__main__":
    main()
