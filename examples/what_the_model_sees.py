"""What the model sees: the discriminator's replaced-token scores and a classifier's evidence.

On BBC News (offline): an ElectraRTDPretrainer learns replaced token detection on the
articles, then marks which words of a sentence with two words swapped look replaced; an
ElectraClassifier learns the five topics, then shows which words of a headline speak for
its topic (occlusion: the drop in the topic's probability when the word is masked). Both
displays are written as PNG figures and as HTML (what a notebook shows).

    python examples/what_the_model_sees.py --output docs/figures   # about 10 minutes on 2 cores
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")

from sklearn_electra import (ElectraClassifier, ElectraRTDPretrainer, ReplacedTokenDisplay,  # noqa: E402
                             TokenEvidenceDisplay)
from sklearn_electra.datasets import load_bbc_news  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="examples/output")
    parser.add_argument("--articles", type=int, default=None, help="training articles to use")
    parser.add_argument("--pretrain-epochs", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=None, help="classifier epochs (None: the recipe)")
    args = parser.parse_args(argv)
    os.makedirs(args.output, exist_ok=True)

    train, test = load_bbc_news()
    train = train.head(args.articles) if args.articles else train
    pretrainer = ElectraRTDPretrainer(max_length=128, max_epochs=args.pretrain_epochs, random_state=0)
    pretrainer.fit(train["text"])
    lines = [line for line in test["text"].iloc[0].split("\n") if line.strip()]
    headline, sentence = lines[0], lines[1].split(". ")[0].rstrip(".") + "."
    words = sentence.split()
    if len(words) > 5:  # swap two words: the discriminator should flag them
        words[2], words[-2] = words[-2], words[2]
    swapped = " ".join(words)
    replaced = ReplacedTokenDisplay.from_estimator(pretrainer, swapped)
    replaced.figure_.savefig(os.path.join(args.output, "replaced_tokens.png"), dpi=120,
                             bbox_inches="tight")

    clf = ElectraClassifier(max_length=128, max_epochs=args.epochs, random_state=0)
    clf.fit(train["text"], train["label"])
    evidence = TokenEvidenceDisplay.from_estimator(clf, headline)
    evidence.figure_.savefig(os.path.join(args.output, "token_evidence.png"), dpi=120,
                             bbox_inches="tight")
    with open(os.path.join(args.output, "displays.html"), "w", encoding="utf-8") as f:
        f.write(replaced._repr_html_() + "\n" + evidence._repr_html_() + "\n")
    print(f"original headline: {headline!r} (topic {test['label'].iloc[0]!r})")
    print(f"a sentence with two words swapped: {swapped!r}")
    print("P(replaced):", ", ".join(f"{t} {s:.2f}" for t, s in zip(replaced.tokens, replaced.scores)))
    print(f"evidence for {evidence.label!r} (P = {evidence.probability:.2f}):",
          ", ".join(f"{t} {s:+.2f}" for t, s in zip(evidence.tokens, evidence.scores)))
    return replaced, evidence


if __name__ == "__main__":
    main()
