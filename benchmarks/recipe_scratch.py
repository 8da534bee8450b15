"""Which learning rate trains a randomly initialised preset best (the from-scratch recipe).

The paper's recipe is for fine-tuning pretrained encoders; a preset trains from
random initialisation, where layer-wise decay has nothing to protect and the
pretrained learning rates are too small. This script fine-tunes
``ElectraClassifier(model=<preset>, lr=...)`` with the other defaults (the
from-scratch epochs rule, batch 32, warmup 10%, no layer-wise decay, early stopping)
on all training labels of the Chinese reviews and BBC News, for several learning
rates and seeds, and prints test accuracy (how the from-scratch rate in
``sklearn_electra.recipe`` was chosen).

    python benchmarks/recipe_scratch.py [--model tiny] [--lrs 3e-4,1e-3,2e-3] [--seeds 2] [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch

from _report import plt, publish
from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.datasets import load_bbc_news, load_chinese_reviews


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--lrs", default="5e-4,1e-3,2e-3")
    parser.add_argument("--corpora", default="reviews,bbc")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=None, help="default: all training rows")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1,000 training rows of the reviews, 2 rates, 1 seed")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_train, args.seeds, args.lrs, args.corpora = 1000, 1, "5e-4,2e-3", "reviews"
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore", TextTruncationWarning)
    lrs = [float(v) for v in args.lrs.split(",")]

    rows = []
    chosen = {"reviews": ("Chinese reviews", load_chinese_reviews), "bbc": ("BBC News", load_bbc_news)}
    for corpus, loader in (chosen[c] for c in args.corpora.split(",")):
        train, test = loader()
        if args.n_train:
            train = train.sample(min(args.n_train, len(train)), random_state=0)
        for lr in lrs:
            scores, seconds = [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                clf = ElectraClassifier(model=args.model, lr=lr, random_state=seed)
                clf.fit(train["text"], train["label"])
                seconds.append(time.perf_counter() - start)
                scores.append(clf.score(test["text"], test["label"]))
            rows.append({"corpus": corpus, "lr": lr, "mean": np.mean(scores), "min": np.min(scores),
                         "max": np.max(scores), "seconds": np.mean(seconds), "n_train": len(train),
                         "epochs": len(clf.history_)})
            print(rows[-1], flush=True)

    header = (f"from-scratch fine-tuning accuracy by lr (model={args.model}, other parameters default, "
              f"{args.seeds} seeds, {args.threads} threads)")
    lines = [header, "", "| corpus | training rows | lr | mean accuracy | min | max | fit seconds "
             "| epochs run (last seed) |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['corpus']} | {r['n_train']} | {r['lr']:g} | {r['mean']:.3f} | {r['min']:.3f} | "
              f"{r['max']:.3f} | {r['seconds']:.0f} | {r['epochs']} |" for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        sub = [r for r in rows if r["corpus"] == corpus]
        ax.errorbar([r["lr"] for r in sub], [r["mean"] for r in sub],
                    yerr=[[r["mean"] - r["min"] for r in sub], [r["max"] - r["mean"] for r in sub]],
                    marker="o", capsize=3, label=corpus)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("test accuracy")
    ax.set_title(header, fontsize=7)
    ax.legend()
    publish(f"recipe_scratch_{args.model}", lines, fig, quick=args.quick)
    return rows


if __name__ == "__main__":
    main()
