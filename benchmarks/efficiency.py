"""Arithmetic efficiency of a fine-tuning step: model FLOP/s over the measured fp32 matmul peak.

``ElectraClassifier.fit`` trains on BBC News at ``max_length=128``: every article is
longer, so every batch is a full 32 x 128 block and no FLOP is spent on padding. Per
token a training step costs ``6 x non-embedding parameters`` (forward 2, backward 4)
``+ 12 x layers x length x hidden`` (attention scores and their use, forward and
backward). The time is skorch's epoch time of a fit that follows an untimed warm-up
fit (first calls of a shape are slower), median of ``--repeats`` fits through the shared
harness (:mod:`_harness`), so it includes batching and the optimizer.
The peak is the best fp32 GFLOP/s of a 1024 x 1024 matmul in this process, measured
right before. Target: >= 0.7 of peak for the small preset.

    python benchmarks/efficiency.py [--presets tiny small] [--steps 8] [--quick]
"""

import argparse
import warnings

import torch

from _harness import Seconds, alternating, rates, ratio, spread, verdict
from _report import plt, publish
from pretrain_throughput import encoder_flops_per_token, matmul_peak
from sklearn_electra import ElectraClassifier, TextTruncationWarning
from sklearn_electra.datasets import load_bbc_news
from sklearn_electra.tokenization import train_wordpiece


def measure(preset, texts, labels, tok, args):
    kw = dict(model=preset, tokenizer=tok, max_length=args.length, batch_size=args.batch_size,
              max_epochs=1, validation_fraction=None, random_state=0)
    n = args.steps * args.batch_size
    fitted = {}

    def fit(k):
        fitted["clf"] = ElectraClassifier(**kw).fit(texts[:n], labels[:n])
        return Seconds(fitted["clf"].history_[-1, "dur"])  # the epoch: batching and optimizer included

    tokens = n * args.length
    rate = rates(alternating({preset: fit}, args.repeats), tokens)[preset]
    per_token = encoder_flops_per_token(fitted["clf"].module_, args.length)
    return {"preset": preset, "tokens/s": rate[0], "spread": rate, "GFLOP/token": per_token / 1e9,
            "GFLOP/s": per_token * rate[0] / 1e9}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["tiny", "small"])
    parser.add_argument("--steps", type=int, default=8, help="timed optimizer steps")
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="timed fits (median)")
    parser.add_argument("--quick", action="store_true", help="3 timed steps, 1 fit")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.repeats = 3, 1
    warnings.simplefilter("ignore", TextTruncationWarning)
    torch.set_num_threads(args.threads)

    train, _ = load_bbc_news()
    texts, labels = train["text"].tolist(), train["label"].tolist()
    tok = train_wordpiece(texts, vocab_size=8000)
    peak = matmul_peak(args.threads) / 1e9
    rows = [measure(preset, texts, labels, tok, args) for preset in args.presets]

    header = (f"fine-tuning step efficiency (ElectraClassifier, BBC News, {args.batch_size} x "
              f"{args.length} tokens per step, {args.steps} steps, median of {args.repeats} fits "
              f"after a warm-up, {args.threads} threads; fp32 matmul peak {peak:.1f} GFLOP/s)")
    lines = [header, "", "| preset | tokens/s | GFLOP/token | model GFLOP/s | of peak | target | met? |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        share = r["GFLOP/s"] / peak
        target = 0.7 if r["preset"] == "small" else None
        cells = verdict(share, target, unit="") if target else "- | -"
        lines.append(f"| {r['preset']} | {spread(r['spread'])} | {r['GFLOP/token']:.4f} | "
                     f"{r['GFLOP/s']:.1f} | {ratio(share, target, unit='')} | {cells} |")
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar([r["preset"] for r in rows], [r["GFLOP/s"] / peak for r in rows])
    ax.axhline(0.7, color="k", ls="--", lw=0.8, label="target for small")
    ax.set_ylabel("model FLOP/s / matmul peak")
    ax.set_ylim(0, 1)
    ax.set_title(header, fontsize=6, wrap=True)
    ax.legend(fontsize=8)
    publish("efficiency", lines, fig, quick=args.quick)
    return rows


if __name__ == "__main__":
    main()
