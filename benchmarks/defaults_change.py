"""What a change of defaults did: the same default fit, this checkout against another revision.

``revision_ratio.py`` holds the settings fixed and compares speed; this script leaves every
setting at its default, so a change to the defaults themselves (the epochs rule, early
stopping, the step floor) shows as what a user gets: the score, the epochs the fit ran, its
fit time, and whether it warned that it never left the starting plateau. Each fit runs in a
fresh interpreter on its revision's tree, the two revisions alternating per seed.

Tasks (tiny model, from scratch, nothing but ``random_state`` set):

* ``ner``: People's Daily NER (``load_peoples_daily("ner")``, all 15,195 training
  sentences), ``ElectraTagger()``, entity-level micro F1 on the 3,799 test sentences;
* ``ner-3000``: the same on 3,000 training sentences (``examples/chinese_ner.py --subset``'s
  scale: 94 optimizer steps an epoch, where early stopping decides the length of the fit).

    python benchmarks/defaults_change.py --base 140d526 [--seeds 2] [--tasks ner ner-3000]
"""

import argparse
import json
import os
import subprocess
import sys

from _harness import mean_range, worktree
from _report import plt, publish

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TASKS = {
    "ner": ("People's Daily NER, 15,195 sentences", None),
    "ner-3000": ("People's Daily NER, 3,000 sentences", 3000),
}

# Prints one JSON line: the test score, the epochs run, fit seconds, and whether the fit
# warned that it ended on the plateau (ConvergenceWarning).
FIT = """
import json, os, sys, time, warnings
sys.path.insert(0, os.environ["TREE"])
import torch, transformers
from sklearn.exceptions import ConvergenceWarning
torch.set_num_threads(int(os.environ["THREADS"]))
transformers.logging.set_verbosity_error()
from sklearn_electra import ElectraTagger
from sklearn_electra.datasets import load_peoples_daily
train, test = load_peoples_daily("ner")
n = int(os.environ["N_TRAIN"] or 0)
if n:
    train = train.sample(n, random_state=0)
tagger = ElectraTagger(random_state=int(os.environ["SEED"]))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    start = time.perf_counter()
    tagger.fit(train["tokens"], train["tags"])
    seconds = time.perf_counter() - start
print(json.dumps(dict(
    score=tagger.score(test["tokens"], test["tags"]), epochs=len(tagger.history_),
    seconds=seconds,
    plateau=any(issubclass(w.category, ConvergenceWarning) for w in caught))))
"""


def fit(tree, task, seed, threads):
    """One default fit of ``task`` on the package in ``tree``, in a fresh interpreter."""
    env = {**os.environ, "TREE": tree, "SEED": str(seed), "THREADS": str(threads),
           "N_TRAIN": str(TASKS[task][1] or ""), "PYTHONPATH": tree, "HF_HUB_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run([sys.executable, "-c", FIT], env=env, check=True, capture_output=True,
                         text=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", default="defaults_change", help="results/<name>.md")
    parser.add_argument("--quick", action="store_true", help="1 seed, ner-3000 only")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.tasks = 1, ["ner-3000"]
    with worktree(args.base) as (base, other):
        runs = {}
        for task in args.tasks:
            for seed in range(args.seeds):  # alternating order: drift falls on both
                order = [("this", ROOT), (base, other)]
                for who, tree in (order if seed % 2 == 0 else order[::-1]):
                    result = fit(tree, task, seed, args.threads)
                    print(task, who, seed, result, flush=True)
                    runs.setdefault((task, who), []).append(result)
    lines = [(f"Defaults, this checkout against {base}: tiny from scratch, nothing set but "
              f"`random_state`; entity-level micro F1 on the test sentences, mean (min-max) over "
              f"{args.seeds} seeds, a fresh process per fit, {args.threads} threads"), "",
             "| task | revision | F1 | epochs run, per seed | fit time (s) | ended on the plateau |",
             "|---|---|---|---|---|---|"]
    fig, ax = plt.subplots(figsize=(6, 3))
    for i, task in enumerate(args.tasks):
        for j, who in enumerate(("this", base)):
            got = runs[(task, who)]
            label = "this checkout" if who == "this" else base
            lines.append(
                f"| {TASKS[task][0]} | {label} | {mean_range([r['score'] for r in got])} | "
                f"{', '.join(str(r['epochs']) for r in got)} | "
                f"{mean_range([r['seconds'] for r in got], 0)} | "
                f"{sum(r['plateau'] for r in got)} of {len(got)} |")
            ax.scatter([r["seconds"] for r in got], [r["score"] for r in got], marker="os"[i % 2],
                       color=("#4c72b0", "#999999")[j], label=f"{TASKS[task][0]}, {label}")
    ax.set_xlabel("fit time (s)")
    ax.set_ylabel("entity F1 (test)")
    ax.legend(fontsize=7)
    publish(args.name, lines, fig, quick=args.quick)


if __name__ == "__main__":
    main()
