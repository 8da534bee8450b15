"""Train an ELECTRA classifier from scratch on real Chinese product reviews, offline.

Steps: a small GridSearchCV over a Pipeline picks the learning rate and dropout
on a slice of the training data, the best setting is refit on the whole
training split, and the result is compared with a TF-IDF + LogisticRegression
baseline on the same test split. A learning curve from ``history_`` is written
to ``examples/output/learning_curve.png``.

Run with ``make demo`` (about 3-4 minutes on 2 CPU cores).
"""

import argparse
import os
import time
import unicodedata

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, classification_report  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from sklearn_electra import ElectraClassifier  # noqa: E402
from sklearn_electra.datasets import load_chinese_reviews  # noqa: E402


def clean(texts):
    """NFKC-normalize (full-width to half-width) and collapse whitespace."""
    return [" ".join(unicodedata.normalize("NFKC", t).split()) for t in texts]


def plot_history(history, path):
    epochs = history[:, "epoch"]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax_loss.plot(epochs, history[:, "train_loss"], "o-", label="train")
    ax_loss.plot(epochs, history[:, "valid_loss"], "o-", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="Loss")
    ax_loss.legend()
    ax_acc.plot(epochs, history[:, "valid_acc"], "o-", color="tab:green")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Validation accuracy")
    fig.suptitle("ElectraClassifier (tiny, from scratch) on Chinese reviews")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-size", type=int, default=3000, help="texts used by the grid search")
    parser.add_argument("--train-size", type=int, default=None, help="texts for the final fit (all)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of the final fit")
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "output"))
    args = parser.parse_args(argv)
    os.makedirs(args.output, exist_ok=True)

    train, test = load_chinese_reviews()
    if args.train_size:
        train = train.sample(args.train_size, random_state=0)
    print(f"Chinese reviews: {len(train)} train / {len(test)} test texts, "
          f"labels {sorted(train['label'].unique())}")

    pipe = make_pipeline(
        FunctionTransformer(clean),
        ElectraClassifier(model="tiny", max_length=256, max_epochs=3, random_state=0),
    )
    grid = {"electraclassifier__lr": [3e-4, 1e-3],
            "electraclassifier__module__dropout": [0.0, 0.1]}
    search_set = train.sample(min(args.search_size, len(train)), random_state=0)
    start = time.perf_counter()
    search = GridSearchCV(pipe, grid, cv=2, refit=False).fit(search_set["text"], search_set["label"])
    print(f"\nGrid search on {len(search_set)} texts ({time.perf_counter() - start:.0f} s):")
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        print(f"  {params}  accuracy {score:.3f}")
    print(f"  best: {search.best_params_}")

    model = clone(pipe).set_params(**search.best_params_, electraclassifier__max_epochs=args.epochs)
    start = time.perf_counter()
    model.fit(train["text"], train["label"])
    fit_seconds = time.perf_counter() - start
    pred = model.predict(test["text"])

    baseline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
        LogisticRegression(max_iter=2000, C=4.0),
    ).fit(clean(train["text"]), train["label"])
    base_pred = baseline.predict(clean(test["text"]))
    # The floor any model must clear: always answer the training set's most frequent label.
    majority = DummyClassifier().fit(train["text"], train["label"]).score(test["text"], test["label"])

    print(f"\nElectraClassifier (tiny, from scratch, {args.epochs} epochs, {fit_seconds:.0f} s):")
    print(classification_report(test["label"], pred, digits=3))
    print("TF-IDF (char 1-3 grams) + LogisticRegression:")
    print(classification_report(test["label"], base_pred, digits=3))
    print(f"Test accuracy: ElectraClassifier {accuracy_score(test['label'], pred):.3f}, "
          f"TF-IDF + LogisticRegression {accuracy_score(test['label'], base_pred):.3f}, "
          f"majority class {majority:.3f}")

    curve = os.path.join(args.output, "learning_curve.png")
    plot_history(model[-1].history_, curve)
    print(f"Learning curve written to {curve}")
    return accuracy_score(test["label"], pred), accuracy_score(test["label"], base_pred), majority


if __name__ == "__main__":
    main()
