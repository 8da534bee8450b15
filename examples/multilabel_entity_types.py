"""Tag each Chinese news sentence with the kinds of entity it names (multi-label), offline.

``load_peoples_daily("entity_types")`` gives every People's Daily sentence (January
1998) the set of entity types its annotators marked in it: PER, LOC, ORG, or none.
``y`` is one list of labels per sentence; ElectraClassifier (tiny, from scratch) learns
one sigmoid per label and ``predict`` answers with lists again. Compared with TF-IDF
character n-grams + one-vs-rest LogisticRegression on the same split.

Run with ``python examples/multilabel_entity_types.py`` (about 3 minutes on 2 CPU cores).
"""

import argparse
import itertools

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from sklearn_electra import ElectraClassifier
from sklearn_electra.datasets import load_peoples_daily


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=4000)
    parser.add_argument("--test-size", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=None, help="max_epochs (the recipe's)")
    args = parser.parse_args(argv)

    train, test = load_peoples_daily("entity_types")
    train = train.sample(args.train_size, random_state=0)
    test = test.sample(args.test_size, random_state=0)

    clf = ElectraClassifier(max_epochs=args.epochs, random_state=0, verbose=1)
    clf.fit(train["text"], train["labels"])  # lists of labels: ['LOC', 'PER'], [], ...
    predicted = clf.predict(test["text"])

    mlb = MultiLabelBinarizer(classes=clf.classes_).fit([])
    truth = mlb.transform(test["labels"])
    print(classification_report(truth, mlb.transform(predicted), target_names=clf.classes_,
                                zero_division=0))
    baseline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                             OneVsRestClassifier(LogisticRegression(max_iter=2000)))
    base = baseline.fit(train["text"], mlb.transform(train["labels"])).predict(test["text"])
    ours = f1_score(truth, mlb.transform(predicted), average="micro")
    theirs = f1_score(truth, base, average="micro")
    # The floor: the best single answer given to every sentence (e.g. always ['LOC']).
    constant = max(f1_score(truth, np.tile(mlb.transform([labels]), (len(truth), 1)),
                            average="micro", zero_division=0)
                   for k in range(1, len(clf.classes_) + 1)
                   for labels in itertools.combinations(clf.classes_, k))
    print(f"micro-F1: ElectraClassifier {ours:.3f}, TF-IDF + one-vs-rest LR {theirs:.3f}, "
          f"best constant answer {constant:.3f}")
    for text, labels in zip(test["text"][:3], predicted[:3]):
        print(labels, text[:40])
    return ours, theirs, constant


if __name__ == "__main__":
    main()
