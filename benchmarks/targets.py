"""Kinds of targets on real data: imbalanced classes, rare labels, several label columns.

``--task imbalanced``: Chinese reviews with the positive class cut to 1 in 10 (1,500
training texts), scored on a balanced held-out set (minority F1, balanced accuracy):
``ElectraClassifier`` with the defaults and with ``class_weight="balanced"``, beside
TF-IDF + LogisticRegression with and without ``class_weight="balanced"``. Then rare labels:
People's Daily sentences -> which of seven part-of-speech categories with sentence rates
of 5-20% the annotators marked in them (multi-label, micro-F1), with ``threshold=0.5``,
``"auto"`` (the default) and ``"auto"`` with ``class_weight="balanced"``, beside predicting
every label and TF-IDF + one-vs-rest LR (balanced).

``--task columns``: several label columns per text. The VADER study's sentences
(``fetch_sentiment_ratings``, all four sources) labelled with where they come from
(tweet, movie review, product review, NYT editorial) and the sign of their mean human
rating (negative below -0.5, positive above 0.5, neutral between): one classifier with
a head per column, against one ``ElectraClassifier`` per column and one TF-IDF + LR per
column (accuracy per column, fit time).

    python benchmarks/targets.py --task imbalanced|columns [--seeds 2] [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch
import transformers
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from _harness import mean_range
from _report import plt, publish
from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.datasets import fetch_sentiment_ratings, load_chinese_reviews, load_peoples_daily


def tfidf_lr(**kwargs):
    return make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                         LogisticRegression(max_iter=2000, **kwargs))


def timed(fit):
    start = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - start


def bar_figure(results, metric, title):
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = list(results)
    ax.barh(names, [np.mean(v) for v in results.values()], color="#4c72b0")
    ax.set_xlabel(metric)
    ax.set_title(title, fontsize=8)
    ax.invert_yaxis()
    return fig


def run_imbalanced(args):
    train, test = load_chinese_reviews()
    pos, neg = train[train["label"] == "pos"], train[train["label"] == "neg"]
    n_pos = args.n_train // 10
    data = pd.concat([pos.sample(n_pos, random_state=0),
                      neg.sample(args.n_train - n_pos, random_state=0)]).sample(frac=1, random_state=0)
    test = pd.concat([test[test["label"] == "pos"].head(args.test // 2),
                      test[test["label"] == "neg"].head(args.test // 2)])
    truth = test["label"].to_numpy()

    def scores(pred):
        return f1_score(truth, pred, pos_label="pos"), balanced_accuracy_score(truth, pred)

    rows = {"TF-IDF + LR": [scores(tfidf_lr().fit(data["text"], data["label"]).predict(test["text"]))],
            "TF-IDF + LR, balanced": [scores(tfidf_lr(class_weight="balanced").fit(
                data["text"], data["label"]).predict(test["text"]))]}
    times = {}
    for name, params in (("ElectraClassifier, defaults", {}),
                         ("ElectraClassifier, class_weight='balanced'", {"class_weight": "balanced"})):
        rows[name], times[name] = [], []
        for seed in range(args.seeds):
            clf, seconds = timed(lambda: ElectraClassifier(random_state=seed, max_epochs=args.task_epochs,
                                                           **params).fit(data["text"], data["label"]))
            rows[name].append(scores(clf.predict(test["text"])))
            times[name].append(seconds)
    lines = [f"Chinese reviews, positives cut to 1 in 10 ({len(data)} train: {n_pos} pos), balanced "
             f"test of {len(test)}; mean (min-max) over {args.seeds} seeds; ElectraClassifier tiny, "
             "from scratch", "",
             "| model | minority (pos) F1 | balanced accuracy | fit time |", "|---|---|---|---|"]
    for name, runs in rows.items():
        fit = f"{np.mean(times[name]):.0f} s" if name in times else "-"
        lines.append(f"| {name} | {mean_range([r[0] for r in runs])} | "
                     f"{mean_range([r[1] for r in runs])} | {fit} |")

    # Rare labels: POS categories the annotators marked, 5-20% of sentences each.
    pos_train, pos_test = load_peoples_daily("pos")
    pos_train = pos_train.sample(min(args.n_train * 2, len(pos_train)), random_state=0)
    pos_test = pos_test.sample(min(args.test, len(pos_test)), random_state=0)
    rates = pd.Series([t for tags in pos_train["tags"] for t in set(tags)]).value_counts() / len(pos_train)
    chosen = sorted(rates[(rates >= 0.05) & (rates <= 0.20)].index[:7])

    def as_task(frame):
        text = ["".join(tokens) for tokens in frame["tokens"]]
        return text, [sorted(set(tags) & set(chosen)) for tags in frame["tags"]]

    X, y = as_task(pos_train)
    X_test, y_test = as_task(pos_test)
    mlb = MultiLabelBinarizer(classes=chosen).fit(y)
    gold = mlb.transform(y_test)
    ml = {"every label": [f1_score(gold, np.ones_like(gold), average="micro")]}
    base = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                         OneVsRestClassifier(LogisticRegression(max_iter=2000, class_weight="balanced")))
    ml["TF-IDF + one-vs-rest LR, balanced"] = [
        f1_score(gold, base.fit(X, mlb.transform(y)).predict(X_test), average="micro")]
    for name, params in (("ElectraClassifier, threshold=0.5", {"threshold": 0.5}),
                         ("ElectraClassifier, defaults (threshold='auto')", {}),
                         ("ElectraClassifier, 'auto' + class_weight='balanced'",
                          {"class_weight": "balanced"})):
        ml[name] = []
        for seed in range(args.seeds):
            clf = ElectraClassifier(random_state=seed, max_epochs=args.task_epochs, **params).fit(X, y)
            ml[name].append(f1_score(gold, mlb.transform(clf.predict(X_test)), average="micro"))
    lines += ["", f"People's Daily sentences -> which of {len(chosen)} POS categories ({', '.join(chosen)}; "
              f"sentence rates {rates[chosen].min():.2f}-{rates[chosen].max():.2f}) they hold "
              f"({len(X)} train / {len(X_test)} test), micro-F1, mean (min-max) over {args.seeds} seeds",
              "", "| model | micro-F1 |", "|---|---|"]
    lines += [f"| {name} | {mean_range(v)} |" for name, v in ml.items()]
    fig = bar_figure({**{k: [r[0] for r in v] for k, v in rows.items()}}, "minority F1", lines[0])
    publish("targets_imbalanced", lines, fig, quick=args.quick)


def run_columns(args):
    frames = []
    for source in ("tweets", "movie_reviews", "amazon_reviews", "nyt_editorials"):
        train, test = fetch_sentiment_ratings(source)
        frames.append((train.assign(source=source), test.assign(source=source)))
    per = args.n_train // 4
    train = pd.concat([tr.sample(min(per, len(tr)), random_state=0) for tr, _ in frames])
    test = pd.concat([te.sample(min(args.test // 4, len(te)), random_state=0) for _, te in frames])

    def labels(frame):
        polarity = np.where(frame["rating"] > 0.5, "positive",
                            np.where(frame["rating"] < -0.5, "negative", "neutral"))
        return pd.DataFrame({"source": frame["source"].to_numpy(), "polarity": polarity})

    y, y_test = labels(train), labels(test)
    columns = list(y.columns)
    rows, times = {}, {}
    rows["TF-IDF + LR per column"] = [[(tfidf_lr().fit(train["text"], y[c]).predict(test["text"])
                                        == y_test[c]).mean() for c in columns]]
    rows["one ElectraClassifier, a head per column"], times["one ElectraClassifier, a head per column"] = [], []
    rows["one ElectraClassifier per column"], times["one ElectraClassifier per column"] = [], []
    for seed in range(args.seeds):
        clf, seconds = timed(lambda: ElectraClassifier(random_state=seed, max_epochs=args.task_epochs)
                             .fit(train["text"], y))
        pred = clf.predict(test["text"])
        rows["one ElectraClassifier, a head per column"].append(
            [(pred[:, j] == y_test[c].to_numpy()).mean() for j, c in enumerate(columns)])
        times["one ElectraClassifier, a head per column"].append(seconds)
        accs, total = [], 0.0
        for c in columns:
            single, seconds = timed(lambda: ElectraClassifier(random_state=seed, max_epochs=args.task_epochs)
                                    .fit(train["text"], y[c]))
            accs.append((single.predict(test["text"]) == y_test[c].to_numpy()).mean())
            total += seconds
        rows["one ElectraClassifier per column"].append(accs)
        times["one ElectraClassifier per column"].append(total)
    majority = [y_test[c].value_counts(normalize=True).max() for c in columns]
    lines = [f"VADER sentences ({len(train)} train / {len(test)} test) -> two label columns: source "
             "(4 classes) and polarity of the mean human rating (3 classes); accuracy per column, mean "
             f"(min-max) over {args.seeds} seeds; ElectraClassifier tiny, from scratch, defaults", "",
             "| model | source | polarity | fit time |", "|---|---|---|---|",
             f"| majority class | {majority[0]:.3f} | {majority[1]:.3f} | - |"]
    for name, runs in rows.items():
        fit = f"{np.mean(times[name]):.0f} s" if name in times else "-"
        lines.append(f"| {name} | {mean_range([r[0] for r in runs])} | "
                     f"{mean_range([r[1] for r in runs])} | {fit} |")
    fig = bar_figure({k: [np.mean(r) for r in v] for k, v in rows.items()}, "mean accuracy", lines[0])
    publish("targets_columns", lines, fig, quick=args.quick)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["imbalanced", "columns"], default="imbalanced")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=1500)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--task-epochs", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="400 texts, 2 epochs, 1 seed")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_train, args.test, args.task_epochs, args.seeds = 400, 200, 2, 1
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()
    warnings.simplefilter("ignore", TextTruncationWarning)
    return run_imbalanced(args) if args.task == "imbalanced" else run_columns(args)


if __name__ == "__main__":
    main()
