"""Accuracy of the task estimators beside the TF-IDF baselines users already have.

``--task regression`` and ``--task multilabel`` put ElectraRegressor and the multi-label
ElectraClassifier (tiny, from scratch, the package's defaults) beside RidgeCV on the VADER
study's human sentiment ratings (``fetch_sentiment_ratings``) and one-vs-rest
LogisticRegression on the entity types of People's Daily sentences
(``load_peoples_daily("entity_types")``); 3 seeds, with fit times. ``--task windows``
trains ElectraClassifier on BBC News at ``max_length=128`` with
``long_texts="truncate"`` and with ``"windows"`` (mean and max pooling), same epochs, 3
seeds, with fit and predict times.

RTD against MLM pretraining, and both against from-scratch and TF-IDF, is
``pretrain_curve.py`` (equal 2-core minutes, 15 to 120 of them).

    python benchmarks/accuracy.py --task regression|multilabel|windows [--seeds 3] [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
import transformers
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, f1_score, r2_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from _harness import mean_range
from _report import plt, publish
from sklearn_electra import ElectraClassifier, ElectraRegressor, TextTruncationWarning
from sklearn_electra.datasets import fetch_sentiment_ratings, load_bbc_news, load_peoples_daily



def run_regression(args):
    """R² of ElectraRegressor (defaults, 3 seeds) and TF-IDF + RidgeCV on human ratings."""
    lines = [f"R² on held-out texts, mean (min-max) over {args.seeds} seeds: ElectraRegressor "
             "(tiny, from scratch, defaults) vs TF-IDF word 1-2-grams + RidgeCV "
             "(alphas 1e-2..1e2); target: the mean of 20+ human sentiment ratings (-4..4)", "",
             "| ratings | train / test | TF-IDF + RidgeCV | ElectraRegressor | fit time (ours) |",
             "|---|---|---|---|---|"]
    results = {}
    for source in ("movie_reviews", "tweets"):
        train, test = fetch_sentiment_ratings(source)
        train, test = train.head(args.n_train), test.head(args.test)
        baseline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                                 RidgeCV(alphas=np.logspace(-2, 2, 9)))
        base = r2_score(test["rating"], baseline.fit(train["text"], train["rating"]).predict(test["text"]))
        ours, seconds = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            reg = ElectraRegressor(max_epochs=args.task_epochs, random_state=seed)
            reg.fit(train["text"], train["rating"])
            seconds.append(time.perf_counter() - start)
            ours.append(reg.score(test["text"], test["rating"]))
        results[source] = {"TF-IDF + RidgeCV": [base], "ElectraRegressor": ours}
        lines.append(f"| {source} | {len(train)} / {len(test)} | {base:.3f} | {mean_range(ours)} | "
                     f"{np.mean(seconds):.0f} s |")
    publish("accuracy_regression", lines, plot_tasks(results, "R²", lines[0]), quick=args.quick)
    return results


def run_multilabel(args):
    """Micro-F1 of the multi-label ElectraClassifier and TF-IDF + one-vs-rest LR."""
    train, test = load_peoples_daily("entity_types")
    train = train.sample(min(args.n_train or 4000, len(train)), random_state=0)
    test = test.sample(min(args.test, len(test)), random_state=0)
    mlb = MultiLabelBinarizer().fit(train["labels"])
    truth = mlb.transform(test["labels"])
    rows = {}
    baseline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                             OneVsRestClassifier(LogisticRegression(max_iter=2000)))
    predicted = baseline.fit(train["text"], mlb.transform(train["labels"])).predict(test["text"])
    rows["TF-IDF + one-vs-rest LR"] = [(predicted, 0.0)]
    rows["all labels"] = [(np.ones_like(truth), 0.0)]
    rows["ElectraClassifier"] = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        clf = ElectraClassifier(max_epochs=args.task_epochs, random_state=seed)
        clf.fit(train["text"], train["labels"])
        rows["ElectraClassifier"].append((mlb.transform(clf.predict(test["text"])),
                                          time.perf_counter() - start))
    lines = [f"People's Daily sentences -> the entity types they name (PER, LOC, ORG; "
             f"{len(train)} train / {len(test)} test), mean (min-max) over {args.seeds} seeds; "
             "ElectraClassifier tiny, from scratch, defaults", "",
             "| model | micro-F1 | samples-F1 | subset accuracy | fit time |", "|---|---|---|---|---|"]
    results = {}
    for name, runs in rows.items():
        micro = [f1_score(truth, p, average="micro") for p, _ in runs]
        samples = [f1_score(truth, p, average="samples", zero_division=1.0) for p, _ in runs]
        subset = [accuracy_score(truth, p) for p, _ in runs]
        results[name] = micro
        fit = f"{np.mean([t for _, t in runs]):.0f} s" if name == "ElectraClassifier" else "-"
        lines.append(f"| {name} | {mean_range(micro)} | {mean_range(samples)} | {mean_range(subset)} | {fit} |")
    results = {"entity types": results}
    publish("accuracy_multilabel", lines, plot_tasks(results, "micro-F1", lines[0]), quick=args.quick)
    return results


def run_windows(args):
    """BBC News at max_length=128: truncation against windows (mean, max), with the time each takes."""
    train, test = load_bbc_news()
    train = train.sample(min(args.n_train or 600, len(train)), random_state=0)
    test = test.head(args.test)
    configs = {"truncate": dict(long_texts="truncate"),
               "windows, mean": dict(long_texts="windows", window_pooling="mean"),
               "windows, max": dict(long_texts="windows", window_pooling="max")}
    epochs = args.task_epochs or 10
    baseline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LogisticRegression(max_iter=2000))
    base = baseline.fit(train["text"], train["label"]).score(test["text"], test["label"])
    results, lines = {"TF-IDF + LR": [base]}, [
        f"BBC News, {len(train)} train / {len(test)} test articles (median ~450 tokens), "
        f"tiny from scratch, max_length=128, stride=32, {epochs} epochs of batches of "
        f"{args.batch_size} articles, {args.seeds} seeds; "
        f"TF-IDF + LR: {base:.3f}", "",
        "| long_texts | accuracy | fit time | predict time (test set) |", "|---|---|---|---|"]
    for name, config in configs.items():
        scores, fit_s, predict_s = [], [], []
        for seed in range(args.seeds):
            clf = ElectraClassifier(max_length=128, max_epochs=epochs, batch_size=args.batch_size,
                                    random_state=seed, **config)
            start = time.perf_counter()
            clf.fit(train["text"], train["label"])
            fit_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            predicted = clf.predict(test["text"])
            predict_s.append(time.perf_counter() - start)
            scores.append(float(np.mean(predicted == test["label"].to_numpy())))
        results[name] = scores
        lines.append(f"| {name} | {mean_range(scores)} | {np.mean(fit_s):.0f} s | {np.mean(predict_s):.1f} s |")
    publish("accuracy_windows", lines, plot_tasks({"BBC News": results}, "accuracy", lines[0]),
            quick=args.quick)
    return {"BBC News": results}


def plot_tasks(results, metric, title):
    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 3.2), squeeze=False)
    for ax, (name, rows) in zip(axes[0], results.items()):
        for k, (row, values) in enumerate(rows.items()):
            ax.bar(k, np.mean(values), color=f"C{k}")
            ax.scatter([k] * len(values), values, color="k", s=8, zorder=3)
        ax.set_xticks(range(len(rows)), [r.replace(" + ", "\n+ ") for r in rows], fontsize=7)
        ax.set_ylabel(metric)
        ax.set_title(name, fontsize=9)
    fig.suptitle(title[:120], fontsize=7)
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("regression", "multilabel", "windows"), required=True)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=None,
                        help="regression/multilabel: training texts (all ratings; 4,000 sentences)")
    parser.add_argument("--task-epochs", type=int, default=None,
                        help="regression/multilabel: max_epochs (None: the package's recipe)")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 training texts, 3 epochs, 500 test texts, 2 seeds (windows: 300 articles, 1 seed)")
    args = parser.parse_args(argv)
    if args.quick:
        args.test, args.seeds = 500, 2
        # Windows multiply an article's work by ~4: fewer articles keep the quick run short.
        args.n_train, args.task_epochs = (300 if args.task == "windows" else 1000), 3
        args.seeds = 1 if args.task == "windows" else args.seeds
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()
    warnings.simplefilter("ignore", TextTruncationWarning)
    if args.task == "regression":
        return run_regression(args)
    if args.task == "multilabel":
        return run_multilabel(args)
    return run_windows(args)


if __name__ == "__main__":
    main()
