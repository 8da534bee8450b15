"""Predict how positive a sentence is, on the human ratings of the VADER study, offline.

Every sentence of ``fetch_sentiment_ratings("movie_reviews")`` was rated by 20 or more
people from -4 (extremely negative) to +4 (extremely positive); the target is their
mean. An ElectraRegressor (tiny, trained from scratch with the package's defaults) is
compared with TF-IDF + RidgeCV on the same test split, then saved as a Hugging Face
checkpoint that predicts ratings on the -4..4 scale as it is.

Run with ``python examples/sentiment_regression.py`` (about 2 minutes on 2 CPU cores).
"""

import argparse
import tempfile

import numpy as np
from sklearn.dummy import DummyRegressor
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.pipeline import make_pipeline

from sklearn_electra import ElectraRegressor
from sklearn_electra.datasets import fetch_sentiment_ratings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="movie_reviews")
    parser.add_argument("--train-size", type=int, default=None, help="training sentences (all)")
    parser.add_argument("--epochs", type=int, default=None, help="max_epochs (the recipe's)")
    args = parser.parse_args(argv)

    train, test = fetch_sentiment_ratings(args.source)
    train = train.head(args.train_size)
    print(f"{len(train)} training and {len(test)} test sentences; ratings from "
          f"{train['rating'].min():.1f} to {train['rating'].max():.1f}")

    reg = ElectraRegressor(max_epochs=args.epochs, random_state=0, verbose=1)
    reg.fit(train["text"], train["rating"])
    pred = reg.predict(test["text"])

    baseline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                             RidgeCV(alphas=np.logspace(-2, 2, 9)))
    base = baseline.fit(train["text"], train["rating"]).predict(test["text"])
    # The floor: the training ratings' mean for every sentence (R² about 0).
    mean = DummyRegressor().fit(train["text"], train["rating"]).predict(test["text"])
    for name, values in (("ElectraRegressor", pred), ("TF-IDF + RidgeCV", base),
                         ("training mean", mean)):
        print(f"{name:>18}: R² {r2_score(test['rating'], values):.3f}, "
              f"mean absolute error {mean_absolute_error(test['rating'], values):.2f}")

    for text in ["A moving, beautifully acted film.", "Dull, overlong and badly written."]:
        print(f"{reg.predict([text])[0]:+.2f}  {text}")

    with tempfile.TemporaryDirectory() as folder:
        reg.save_pretrained(folder)  # AutoModelForSequenceClassification predicts ratings from it
        again = ElectraRegressor.from_pretrained(folder)
        assert np.allclose(again.predict(test["text"][:5]), pred[:5], atol=1e-4)
    return tuple(r2_score(test["rating"], values) for values in (pred, base, mean))


if __name__ == "__main__":
    main()
