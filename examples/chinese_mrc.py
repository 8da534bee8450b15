"""Chinese NER as reading comprehension, from scratch on People's Daily (January 1998), offline.

Every sentence is asked three questions, "文中提到了哪些人名？" (people), "文中提到了哪些地名？"
(places) and "文中提到了哪些机构名？" (organizations): the framing of Li et al. (ACL 2020),
"A Unified MRC Framework for Named Entity Recognition". The answers are the entities of
that type (any one of them counts as right, as with SQuAD's several gold answers), or
nothing when the sentence names none. An ElectraQuestionAnswerer (tiny preset, trained
from random weights) learns to answer them; the script prints SQuAD's exact match and
F1, for the questions with an answer and for those without.

    python examples/chinese_mrc.py                  # 12,000 training questions (~2-3 min on 2 cores;
                                                    # F1 0.77, answering nothing 0.65)
    python examples/chinese_mrc.py --subset 6000 --epochs 4   # about a minute (F1 0.71)
"""

import argparse
import time

import numpy as np

from sklearn_electra import ElectraQuestionAnswerer
from sklearn_electra.datasets import load_peoples_daily
from sklearn_electra.squad import squad_scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=12_000, help="training questions to use")
    parser.add_argument("--test-subset", type=int, default=3_000, help="test questions to use")
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    args = parser.parse_args(argv)

    train, test = load_peoples_daily("mrc")
    train = train.sample(min(args.subset, len(train)), random_state=0)
    test = test.sample(min(args.test_subset, len(test)), random_state=0)
    print(f"People's Daily as reading comprehension: {len(train)} training questions, "
          f"{len(test)} test questions ({(test['answers'].map(lambda a: not a['text'])).mean():.0%} "
          "without an answer)")

    # Sentences run to 1,000 characters: longer ones are read as windows of 128 tokens.
    qa = ElectraQuestionAnswerer(model="tiny", max_length=128, doc_stride=32, max_question_length=16,
                                 max_answer_length=16, max_epochs=args.epochs, batch_size=32,
                                 random_state=0)
    start = time.perf_counter()
    qa.fit(train[["question", "context"]], train["answers"])
    print(f"fit: {time.perf_counter() - start:.0f} s, {len(qa.history_)} epochs "
          f"(valid_loss {qa.history_[-1, 'valid_loss']:.3f})")

    start = time.perf_counter()
    pred = qa.predict(test)
    print(f"predict: {len(test) / (time.perf_counter() - start):.0f} questions/s")
    answerable = test["answers"].map(lambda a: bool(a["text"])).to_numpy()
    scores = {"all": squad_scores(test["answers"], pred),
              "with an answer": squad_scores(test["answers"][answerable], pred[answerable]),
              "without": squad_scores(test["answers"][~answerable], pred[~answerable])}
    for name, s in scores.items():
        print(f"{name:>15}: exact match {s['exact_match']:.3f}, F1 {s['f1']:.3f}")
    for kind in ("PER", "LOC", "ORG"):
        rows = (test["entity_type"] == kind).to_numpy() & answerable
        print(f"{kind}: F1 {squad_scores(test['answers'][rows], pred[rows])['f1']:.3f} "
              f"on {rows.sum()} questions with an answer")
    examples = test[answerable].head(3)
    for (_, row), answer in zip(examples.iterrows(), qa.predict(examples)):
        print(f"  {row['question']} {row['context'][:40]}... -> {answer!r} (gold {row['answers']['text']})")
    # The floor: answering nothing scores 1 on every question without an answer, 0 elsewhere.
    no_answer = float(np.mean(~answerable))
    print(f"answering nothing would score F1 {no_answer:.3f}")
    return {name: s["f1"] for name, s in scores.items()} | {
        "epochs": len(qa.history_), "answered": float(np.mean(pred != "")), "no answer": no_answer}


if __name__ == "__main__":
    main()
