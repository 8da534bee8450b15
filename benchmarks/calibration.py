"""Are the defaults' probabilities calibrated, and does scikit-learn's calibration fix them?

Per corpus: ``ElectraClassifier(model="tiny")`` with the defaults on all training labels;
the test split cut in two, a calibration half (the data ``CalibratedClassifierCV`` fits
on, around ``FrozenEstimator(clf)``) and an evaluation half. On the evaluation half:
accuracy, log loss and the expected calibration error of the top label
(``sklearn_electra.calibration.expected_calibration_error``, 10 bins), for the model as it
is, with temperature scaling and with Platt's sigmoid; the figure is scikit-learn's
``CalibrationDisplay`` (reliability diagram of one class) for each.

    python benchmarks/calibration.py [--seeds 1] [--corpora reviews bbc] [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _harness import mean_range
from _report import plt, publish
from sklearn.calibration import CalibratedClassifierCV, CalibrationDisplay
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score, log_loss

from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.calibration import expected_calibration_error
from sklearn_electra.datasets import load_bbc_news, load_chinese_reviews

CORPORA = {"reviews": ("Chinese reviews", load_chinese_reviews), "bbc": ("BBC News", load_bbc_news)}
METHODS = ("as trained", "temperature", "sigmoid")


def evaluate(model, X, y, classes):
    proba = model.predict_proba(X)
    return {"accuracy": accuracy_score(y, np.asarray(classes)[proba.argmax(1)]),
            "log loss": log_loss(y, proba, labels=classes),
            "ECE": expected_calibration_error(y, proba, labels=classes)}, proba


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--n-train", type=int, default=None, help="default: all training rows")
    parser.add_argument("--n-test", type=int, default=None, help="default: the whole test split")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1,000 reviews, 1 seed")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.corpora, args.n_train = 1, ["reviews"], 1000
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore", TextTruncationWarning)
    lines = [("Calibration of the tiny defaults, on the evaluation half of each test split "
              f"(mean (min-max) over {args.seeds} seed{'s' if args.seeds > 1 else ''}; the other half calibrates)"), "",
             "| corpus | train / calibrate / evaluate | method | accuracy | log loss | ECE |",
             "|---|---|---|---|---|---|"]
    fig, axes = plt.subplots(1, len(args.corpora), figsize=(5 * len(args.corpora), 4.5), squeeze=False)
    results = {}
    for ax, key in zip(axes[0], args.corpora):
        name, load = CORPORA[key]
        train, test = load()
        if args.n_train:
            train = train.sample(min(args.n_train, len(train)), random_state=0)
        # The halves mix the test split's order.
        test = test.sample(min(args.n_test or len(test), len(test)), random_state=0)
        half = len(test) // 2
        calibrate, evaluated = test.iloc[:half], test.iloc[half:]
        scores = {m: [] for m in METHODS}
        for seed in range(args.seeds):
            start = time.perf_counter()
            clf = ElectraClassifier(random_state=seed).fit(train["text"], train["label"])
            print(f"{name}, seed {seed}: fit {time.perf_counter() - start:.0f} s", flush=True)
            models = {"as trained": clf}
            for method in METHODS[1:]:
                # scikit-learn 1.9's temperature method reads y[0]: give it an array.
                models[method] = CalibratedClassifierCV(FrozenEstimator(clf), method=method).fit(
                    calibrate["text"], calibrate["label"].to_numpy())
            for method, model in models.items():
                measured, proba = evaluate(model, evaluated["text"], evaluated["label"], clf.classes_)
                scores[method].append(measured)
                if seed == 0:
                    positive = clf.classes_[-1]
                    CalibrationDisplay.from_predictions(evaluated["label"] == positive, proba[:, -1],
                                                        n_bins=10, name=method, ax=ax)
        ax.set_title(f"{name}: P({clf.classes_[-1]})")
        for method in METHODS:
            lines.append(f"| {name} | {len(train)} / {len(calibrate)} / {len(evaluated)} | {method} | "
                         + " | ".join(mean_range([s[k] for s in scores[method]])
                                      for k in ("accuracy", "log loss", "ECE")) + " |")
        results[key] = scores
    publish("calibration", lines, fig, quick=args.quick)
    return results


if __name__ == "__main__":
    main()
