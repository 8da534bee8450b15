"""Peak training memory of ``long_texts="windows"``: a 100k-token text against a 1k-token one.

A training batch holds every window of its texts, so a long enough text used to make a
batch of a thousand windows, all in one forward and backward. Windows now go through
the model in checkpointed chunks of at most ``batch_size`` (exact gradients, see
``docs/design.md``): peak memory should not grow with the text.

Each measurement is a fresh process that fits a tiny classifier for one epoch on two
texts of ``n`` tokens each (one per class; Chinese reviews joined, a token per
character), ``max_length=128``, ``stride=32``, ``batch_size=32``, no validation split,
and reports the growth of its peak RSS (``VmHWM``, reset after loading; Linux) over the
RSS before ``fit``, once as is and once with glibc's mmap threshold pinned to its initial
128 KiB (``memory.py`` says why: the allocator otherwise keeps freed activation buffers in
a fragmented heap, and RSS follows the allocation history more than what is alive).
``--base REV`` measures another git revision the same way, for contrast.

    python benchmarks/window_memory.py [--tokens 1000 100000] [--base REV] [--quick]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from _report import plt, publish
from memory import PINNED

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MIB = 2**20

CHILD = """
import json, os, sys, warnings
sys.path.insert(0, os.environ["TREE"])
sys.path.insert(0, os.environ["BENCH"])
warnings.simplefilter("ignore")
import torch
torch.set_num_threads(2)
from memory import _peak_rss, _reset_peak, _rss
from sklearn_electra import ElectraClassifier
from sklearn_electra.datasets import load_chinese_reviews
n = int(os.environ["N_TOKENS"])
train, _ = load_chinese_reviews()
text = "".join(train["text"].tolist())
texts = [text[:n], text[n:2 * n]]  # CJK characters: about a token each
clf = ElectraClassifier(max_length=128, long_texts="windows", stride=32, batch_size=32,
                        max_epochs=1, validation_fraction=None, random_state=0)
start = _rss()
_reset_peak()
clf.fit(texts, ["a", "b"])
peak = _peak_rss()
windows = len(clf.get_dataset(texts))
print(json.dumps({"growth": peak - start, "windows": windows}))
"""


def measure(tree, n_tokens, env=None):
    env = {**os.environ, "TREE": tree, "BENCH": HERE, "N_TOKENS": str(n_tokens),
           "PYTHONPATH": tree, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           **(env or {})}
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True, capture_output=True,
                         text=True, cwd=tree).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs=2, default=[1000, 100000])
    parser.add_argument("--base", default=None, help="also measure this git revision")
    parser.add_argument("--quick", action="store_true", help="1k vs 10k tokens")
    args = parser.parse_args(argv)
    if args.quick:
        args.tokens = [1000, 10000]
    trees = {"this checkout": ROOT}
    tmp = None
    if args.base:
        tmp = tempfile.mkdtemp()
        other = os.path.join(tmp, "base")
        subprocess.run(["git", "worktree", "add", "--detach", other, args.base], cwd=ROOT,
                       check=True, capture_output=True)
        trees[f"at {args.base}"] = other
    try:
        results = {name: {n: measure(tree, n) for n in args.tokens} for name, tree in trees.items()}
        pinned = {name: {n: measure(tree, n, PINNED) for n in args.tokens}
                  for name, tree in trees.items()}
    finally:
        if tmp:
            subprocess.run(["git", "worktree", "remove", "--force", other], cwd=ROOT,
                           capture_output=True)
    small, large = args.tokens
    header = (f"peak RSS growth of one training epoch with long_texts='windows' (tiny, max_length=128, "
              f"stride=32, batch_size=32) on two texts of {small:,} vs {large:,} tokens, MiB")
    lines = [header, "", "| code | tokens per text | windows | peak RSS growth | ratio to "
             f"{small:,} tokens | mmap threshold pinned | ratio, pinned |",
             "|---|---|---|---|---|---|---|"]
    for name, rows in results.items():
        fixed = pinned[name]
        for n in args.tokens:
            lines.append(f"| {name} | {n:,} | {rows[n]['windows']:,} | "
                         f"{rows[n]['growth'] / MIB:.0f} | "
                         f"{rows[n]['growth'] / max(rows[small]['growth'], 1):.2f}x | "
                         f"{fixed[n]['growth'] / MIB:.0f} | "
                         f"{fixed[n]['growth'] / max(fixed[small]['growth'], 1):.2f}x |")
    fig, ax = plt.subplots(figsize=(6, 3))
    for name, rows in results.items():
        ax.plot(args.tokens, [rows[n]["growth"] / MIB for n in args.tokens], marker="o", label=name)
        ax.plot(args.tokens, [pinned[name][n]["growth"] / MIB for n in args.tokens], marker="o",
                ls="--", label=f"{name}, mmap threshold pinned")
    ax.set_xscale("log")
    ax.set_xlabel("tokens per text")
    ax.set_ylabel("peak RSS growth (MiB)")
    ax.legend()
    ax.set_title(header, fontsize=7)
    publish("window_memory", lines, fig, quick=args.quick)


if __name__ == "__main__":
    main()
