"""Pretrain ELECTRA (replaced token detection) on unlabeled reviews, then fine-tune on few labels.

1. An ElectraRTDPretrainer pretrains a tiny discriminator (with a generator 1/4 its
   width) on the *unlabeled* texts of the Chinese-review training split.
2. An ElectraClassifier is fine-tuned from the exported checkpoint on a small labeled
   sample, next to the same classifier trained from scratch with the same tokenizer,
   architecture and fine-tuning budget (epochs, learning rate, batch size), over
   several seeds. TF-IDF + LogisticRegression on the same labels is shown for context.

The report is honest by construction: it prints the pretraining steps, tokens seen
and the discriminator's loss next to the base-rate entropy of the replaced fraction
(a discriminator at that loss has learned nothing per token yet). At laptop budgets,
a few minutes of CPU, pretraining is orders of magnitude below the paper's budget and
does not help yet: on 2 cores, RTD on all 13,890 reviews needs about two hours to
fine-tune as well as training from scratch on 1,000 labels, and stays below TF-IDF
(benchmarks/pretrain_curve.py; the pretraining guide's "How much text and compute is
enough" gives the curve).

    python examples/pretrain_then_finetune.py [--pretrain-epochs 2] [--labels 1000]
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
import transformers
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer, TextTruncationWarning
from sklearn_electra.datasets import load_chinese_reviews

# Keep the report readable: transformers lists the (expected) new classification head
# and draws progress bars on every load; truncation of long reviews is expected too.
transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
warnings.simplefilter("ignore", TextTruncationWarning)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pretrain-epochs", type=int, default=2)
    parser.add_argument("--pretrain-texts", type=int, default=None, help="unlabeled texts (all)")
    parser.add_argument("--labels", type=int, default=1000, help="labeled texts for fine-tuning")
    parser.add_argument("--test", type=int, default=2000, help="test texts")
    parser.add_argument("--finetune-epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--output", default=None, help="where to keep the pretrained checkpoint")
    args = parser.parse_args(argv)

    train, test = load_chinese_reviews()
    unlabeled = train["text"].tolist()
    if args.pretrain_texts:
        unlabeled = unlabeled[: args.pretrain_texts]
    test = test.sample(min(args.test, len(test)), random_state=0)

    pre = ElectraRTDPretrainer(model="tiny", max_length=128, batch_size=32, lr=1e-3,
                               max_epochs=args.pretrain_epochs, random_state=0)
    start = time.perf_counter()
    pre.fit(unlabeled)
    minutes = (time.perf_counter() - start) / 60
    print(f"Pretraining on {len(unlabeled)} unlabeled reviews: {minutes:.1f} min, "
          f"{pre.history_[-1, 'steps']} steps, {pre.history_[-1, 'tokens_seen']} tokens seen")
    print("epoch  gen_loss  gen_acc  disc_loss  base-rate entropy  disc_acc  precision  recall")
    for row in pre.history_:
        print(f"{row['epoch']:5d}  {row['gen_loss']:8.3f}  {row['gen_acc']:7.3f}  {row['disc_loss']:9.4f}"
              f"  {row['disc_base_entropy']:17.4f}  {row['disc_acc']:8.3f}  {row['disc_precision']:9.3f}"
              f"  {row['disc_recall']:6.3f}")
    learned = pre.history_[-1, "disc_loss"] < pre.history_[-1, "disc_base_entropy"] - 0.01
    print("The discriminator's loss is " + ("below" if learned else "not yet below") +
          " the base-rate entropy: it has " + ("" if learned else "not yet ") +
          "learned to tell replaced tokens apart.\n")

    checkpoint = args.output or tempfile.mkdtemp(prefix="electra-rtd-")
    pre.save_pretrained(checkpoint)

    scores = {"RTD-pretrained": [], "from scratch": []}
    finetune = dict(max_epochs=args.finetune_epochs, lr=1e-3, batch_size=32, max_length=128,
                    validation_fraction=None)
    for seed in range(args.seeds):
        labeled = train.sample(args.labels, random_state=seed)
        for name, model in (("RTD-pretrained", checkpoint), ("from scratch", "tiny")):
            clf = ElectraClassifier(model=model, tokenizer=pre.tokenizer_, random_state=seed, **finetune)
            clf.fit(labeled["text"], labeled["label"])
            scores[name].append(clf.score(test["text"], test["label"]))
    baseline = []
    for seed in range(args.seeds):
        labeled = train.sample(args.labels, random_state=seed)
        tfidf = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
                              LogisticRegression(max_iter=2000, C=4.0))
        baseline.append(tfidf.fit(labeled["text"], labeled["label"]).score(test["text"], test["label"]))
    scores["TF-IDF + LogisticRegression"] = baseline

    print(f"Fine-tuning on {args.labels} labels, {args.finetune_epochs} epochs, {args.seeds} seeds, "
          f"test {len(test)} reviews:")
    for name, values in scores.items():
        print(f"  {name:28s} accuracy {np.mean(values):.3f} (min {np.min(values):.3f}, "
              f"max {np.max(values):.3f})")
    if not args.output:
        print(f"(checkpoint left in {checkpoint})")
    return {k: float(np.mean(v)) for k, v in scores.items()}, pre.history_


if __name__ == "__main__":
    main()
