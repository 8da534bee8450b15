"""Fit and predict throughput of this checkout against another git revision, in one run.

A change that should not cost speed ("fit throughput unchanged") is checked here: the other
revision is checked out into a temporary worktree, and each workload runs in a fresh
subprocess per revision, alternating their order round by round,
so that a busy machine slows both alike. The table gives each side's median seconds and
the ratio (this checkout's throughput over the other's; 1.00x: the same speed).

Workloads (tiny model, real data, fixed settings so both revisions do the same work):
``classifier`` (Chinese reviews, 3,000 texts, 2 epochs, then ``predict_proba`` on 3,000),
``windows`` (BBC News at ``max_length=128`` with ``long_texts="windows"``, 300 articles,
1 epoch, then 300 predicted), ``tagger`` (People's Daily NER, 2,000 sentences, 2 epochs, then
2,000 predicted).

    python benchmarks/revision_ratio.py --base 140d526 [--repeats 3] [--workloads classifier tagger]
"""

import argparse
import os
import subprocess
import sys

import numpy as np
from _harness import ratio, verdict, worktree
from _report import plt, publish

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Each workload prints "<fit seconds> <predict seconds>"; data loading and imports are not timed.
WORKLOADS = {
    "classifier": """
from sklearn_electra import ElectraClassifier
from sklearn_electra.datasets import load_chinese_reviews
train, test = load_chinese_reviews()
train, test = train.sample(3000, random_state=0), test.sample(3000, random_state=0)
clf = ElectraClassifier(max_epochs=2, lr=1e-3, validation_fraction=0.1, random_state=SEED)
fit = timed(lambda: clf.fit(train["text"], train["label"]))
predict = timed(lambda: clf.predict_proba(test["text"]))
""",
    "windows": """
from sklearn_electra import ElectraClassifier
from sklearn_electra.datasets import load_bbc_news
train, test = load_bbc_news()
train, test = train.sample(300, random_state=0), test.sample(300, random_state=0)
clf = ElectraClassifier(max_epochs=1, long_texts="windows", lr=1e-3, random_state=SEED)
fit = timed(lambda: clf.fit(train["text"], train["label"]))
predict = timed(lambda: clf.predict_proba(test["text"]))
""",
    "tagger": """
from sklearn_electra import ElectraTagger
from sklearn_electra.datasets import load_peoples_daily
train, test = load_peoples_daily("ner")
train, test = train.head(2000), test.head(2000)
tagger = ElectraTagger(max_epochs=2, lr=1e-3, random_state=SEED)
fit = timed(lambda: tagger.fit(train["tokens"], train["tags"]))
predict = timed(lambda: tagger.predict(test["tokens"]))
""",
}

PRELUDE = """
import os, sys, time, warnings
sys.path.insert(0, os.environ["TREE"])
warnings.simplefilter("ignore")
import torch, transformers
torch.set_num_threads(int(os.environ.get("THREADS", "2")))
transformers.logging.set_verbosity_error()
SEED = int(os.environ["SEED"])
def timed(fn):
    start = time.perf_counter(); fn(); return time.perf_counter() - start
"""


def run(tree, workload, seed):
    """``(fit seconds, predict seconds)`` of one workload in a fresh interpreter on ``tree``."""
    env = {**os.environ, "TREE": tree, "SEED": str(seed), "PYTHONPATH": tree,
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    code = PRELUDE + WORKLOADS[workload] + "\nprint(fit, predict)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True, cwd=tree).stdout.split()
    return float(out[-2]), float(out[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=list(WORKLOADS))
    parser.add_argument("--name", default="revision_ratio", help="results/<name>.md")
    parser.add_argument("--quick", action="store_true", help="1 repeat, classifier only")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.workloads = 1, ["classifier"]
    with worktree(args.base) as (base, other):
        lines = [(f"This checkout against {base}: median seconds over {args.repeats} alternating "
                  "rounds (a fresh process per run), ratio = this checkout's throughput / the other's"),
                 "", "| workload | step | this checkout | " + base + " | ratio | target | met? |",
                 "|---|---|---|---|---|---|---|"]
        results = {}
        for workload in args.workloads:
            runs = {"this": [], "base": []}
            for repeat in range(args.repeats):  # alternating order: drift falls on both
                order = [("this", ROOT), ("base", other)]
                for who, tree in (order if repeat % 2 == 0 else order[::-1]):
                    runs[who].append(run(tree, workload, repeat))
            for step, column in (("fit", 0), ("predict", 1)):
                ours = np.median([r[column] for r in runs["this"]])
                theirs = np.median([r[column] for r in runs["base"]])
                value = theirs / ours
                results[f"{workload} {step}"] = value
                lines.append(f"| {workload} | {step} | {ours:.1f} s | {theirs:.1f} s | "
                             f"{ratio(value, 0.95)} | {verdict(value, 0.95)} |")
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh(list(results), list(results.values()), color="#4c72b0")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel(f"throughput ratio, this checkout / {base}")
    ax.invert_yaxis()
    publish(args.name, lines, fig, quick=args.quick)


if __name__ == "__main__":
    main()
