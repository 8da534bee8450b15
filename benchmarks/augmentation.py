"""Does ELECTRA's generator make useful training texts? Accuracy with and without augmentation.

Chinese product reviews (``load_chinese_reviews``) with 500 and 1,000 labels, 3 seeds.
An ``ElectraRTDPretrainer`` (tiny) is pretrained once on the unlabeled training reviews
(``--pretrain-epochs``); its generator augments. For each labelled sample, three
``ElectraClassifier`` fits (tiny, from random weights, the pretrainer's tokenizer, the same
number of optimizer steps, no early stopping) on:

* **none**: the labelled texts;
* **generator**: the labelled texts and one variant of each from
  ``augment_labeled(pretrainer, ..., replace_prob)``;
* **random**: the same with tokens replaced uniformly at random among tokens of their kind
  (``replace_tokens(..., propose=None)``) at the same rate: the baseline that tells
  whether the generator's choices matter or any noise would do.

Test accuracy on ``--n-test`` held-out reviews; mean (min-max) over the seeds.

    python benchmarks/augmentation.py [--labels 500 1000] [--seeds 3] [--quick]
"""

import argparse
import math
import time

import numpy as np
import torch

from _report import plt, publish
from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer
from sklearn_electra.augment import augment_labeled, replace_tokens
from sklearn_electra.datasets import load_chinese_reviews

METHODS = ("none", "generator", "random")


def training_set(method, pretrainer, X, y, replace_prob, seed):
    if method == "none":
        return X, y
    if method == "generator":
        return augment_labeled(pretrainer, X, y, replace_prob=replace_prob, random_state=seed)
    variants = replace_tokens(pretrainer.tokenizer_, X, replace_prob=replace_prob, random_state=seed)
    return X + [v for (v,) in variants], np.concatenate([y, y])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--corpus", type=int, default=None, help="unlabeled reviews to pretrain on")
    parser.add_argument("--pretrain-epochs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=400, help="optimizer steps per fit")
    parser.add_argument("--replace-prob", type=float, default=0.15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="100 labels, 1 seed, short runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.labels, args.seeds, args.n_test, args.pretrain_epochs, args.steps = [100], 1, 100, 1, 10
        args.corpus = 300
    torch.set_num_threads(args.threads)

    train, test = load_chinese_reviews()
    test = test.sample(min(args.n_test, len(test)), random_state=0)
    start = time.perf_counter()
    corpus = train["text"].head(args.corpus) if args.corpus else train["text"]
    pretrainer = ElectraRTDPretrainer(max_length=128, max_epochs=args.pretrain_epochs,
                                      random_state=0).fit(corpus)
    pretrain_minutes = (time.perf_counter() - start) / 60
    print(f"pretrained {args.pretrain_epochs} epochs in {pretrain_minutes:.1f} min: generator "
          f"accuracy {pretrainer.history_[-1, 'gen_acc']:.3f} on masked tokens", flush=True)

    batch = 32
    scores = {(n, m): [] for n in args.labels for m in METHODS}
    for n in args.labels:
        for seed in range(args.seeds):
            sample = train.sample(n, random_state=seed)
            X, y = sample["text"].tolist(), sample["label"].to_numpy()
            for method in METHODS:
                X_fit, y_fit = training_set(method, pretrainer, X, y, args.replace_prob, seed)
                epochs = max(1, round(args.steps / math.ceil(len(X_fit) / batch)))
                clf = ElectraClassifier(tokenizer=pretrainer.tokenizer_, max_length=128,
                                        batch_size=batch, max_epochs=epochs,
                                        validation_fraction=None, random_state=seed)
                clf.fit(X_fit, y_fit)
                scores[(n, method)].append(clf.score(test["text"], test["label"]))
                print(f"{n} labels, seed {seed}, {method}: {len(X_fit)} texts x {epochs} epochs, "
                      f"accuracy {scores[(n, method)][-1]:.3f}", flush=True)

    header = (f"Chinese reviews, test accuracy with and without augmentation ({len(test)} test "
              f"reviews; ElectraClassifier tiny from scratch, ~{args.steps} optimizer steps of "
              f"{batch} texts per fit; augmentation: one variant per text, replace_prob="
              f"{args.replace_prob}; generator of an ElectraRTDPretrainer pretrained "
              f"{args.pretrain_epochs} epochs ({pretrain_minutes:.0f} min) on the unlabeled "
              f"training reviews; mean (min-max) over {args.seeds} seeds)")
    lines = [header, "", "| labels | " + " | ".join(METHODS) + " |", "|---|---|---|---|"]
    fig, ax = plt.subplots(figsize=(6, 3))
    for k, n in enumerate(args.labels):
        cells = []
        for j, method in enumerate(METHODS):
            values = scores[(n, method)]
            cells.append(f"{np.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})")
            ax.errorbar(k + 0.25 * (j - 1), np.mean(values),
                        yerr=[[np.mean(values) - min(values)], [max(values) - np.mean(values)]],
                        fmt="o", color=f"C{j}", label=method if k == 0 else None, capsize=3)
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    ax.set_xticks(range(len(args.labels)), [f"{n} labels" for n in args.labels])
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=8)
    ax.set_title(header[:110], fontsize=7)
    publish("augmentation", lines, fig, quick=args.quick)
    return scores


if __name__ == "__main__":
    main()
