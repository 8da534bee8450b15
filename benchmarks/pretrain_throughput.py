"""Pretraining throughput: ElectraRTDPretrainer vs the same RTD step in a plain loop.

"ours" is the training epoch as timed by skorch's EpochTimer; "whole fit" adds
tokenizing and packing the texts, which the loop is handed ready-made (the rows that
``initialize(texts).get_dataset(texts)`` shows, every one of them: both train the same
tokens). Measured through the shared harness: an untimed warm-up of each, then
alternating rounds; median and range.

Both run the identical ``ElectraRTD`` module (generator + discriminator, shared
embeddings, vocabulary projection only at masked positions) on the same packed
rows of real text (Chinese reviews), with AdamW and gradient clipping; the loop
has no skorch, no callbacks, no metrics. Target: ours >= 0.95x the loop (the
estimator adds nothing).

It also reports the arithmetic rate: model FLOP/s of a training step divided by
the fp32 matmul peak measured in the same run. Per token a training step costs
6 x the non-embedding parameters (discriminator and generator) + the generator's
vocabulary projection at the masked positions (6 x E x V x mask rate) +
attention (12 x layers x length x hidden, per model).

    python benchmarks/pretrain_throughput.py [--presets tiny small] [--steps 20]
"""

import argparse
import time

import numpy as np
import torch

from _baselines import adamw, inputs, step
from _harness import Seconds, alternating, rates, ratio as ratio_text, spread, timed, verdict
from _report import plt, publish
from sklearn_electra import ElectraRTDPretrainer
from sklearn_electra.datasets import load_chinese_reviews
from sklearn_electra.tokenization import train_wordpiece

def matmul_peak(threads, n=1024, seconds=1.0):
    """fp32 GFLOP/s of a square matmul, best of repeated runs."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up
    best, deadline = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        a @ b
        best = max(best, 2 * n ** 3 / (time.perf_counter() - start))
    return best


def encoder_flops_per_token(model, length):
    """Training FLOPs per token of one ELECTRA model: 6 x non-embedding params + attention."""
    c = model.config
    embeddings = sum(p.numel() for p in model.electra.embeddings.parameters())
    params = sum(p.numel() for p in model.parameters()) - embeddings
    return 6 * params + 12 * c.num_hidden_layers * length * c.hidden_size


def flops_per_token(module, length, mask_prob):
    # The generator's output layer is tied to the shared word embeddings, so the
    # per-model count leaves it out; it is counted at the masked positions only.
    c = module.generator.config
    return (encoder_flops_per_token(module.discriminator, length)
            + encoder_flops_per_token(module.generator, length)
            + 6 * c.embedding_size * c.vocab_size * mask_prob)


def run_loop(module, rows, batch_size, lr):
    """One epoch over ``rows`` in order (the last batch padded to its longest row)."""
    optimizer = adamw(module, lr)
    module.train()
    for i in range(0, len(rows), batch_size):
        batch = np.arange(i, min(i + batch_size, len(rows)))
        ids, mask = inputs(rows, batch, max(len(rows[j]) for j in batch), 0)
        out = module(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
        step(module, optimizer, out.loss)


def measure(preset, texts, tok, args):
    kw = dict(model=preset, tokenizer=tok, max_length=args.length, batch_size=args.batch_size,
              lr=5e-4, max_epochs=1)
    # Enough texts for `steps` full batches once packed.
    lengths = np.cumsum([len(e.ids) for e in tok.backend_tokenizer.encode_batch(texts)])
    needed = args.steps * args.batch_size * (args.length - 1)
    texts = texts[: int(np.searchsorted(lengths, needed)) + 1]
    # The rows exactly as the estimator packs them: the loop trains the same rows, all of them.
    rows = ElectraRTDPretrainer(**kw).initialize(texts).get_dataset(texts).input_ids
    n_tokens = int(sum(len(r) for r in rows))
    whole, fitted = [], {}

    def ours(k):
        start = time.perf_counter()
        fitted["pre"] = ElectraRTDPretrainer(**kw, random_state=k).fit(texts)
        whole.append(time.perf_counter() - start)  # tokenizing and packing included
        # The epoch as skorch's EpochTimer measures it: the same work as the loop's.
        return Seconds(fitted["pre"].history_[-1, "dur"])

    def loop(k):
        module = ElectraRTDPretrainer(**kw, random_state=k).initialize(texts).module_  # set-up
        return timed(run_loop, module, rows, args.batch_size, 5e-4)

    times = alternating({"ours": ours, "loop": loop}, args.repeats)
    pre = fitted["pre"]
    assert pre.history_[-1, "tokens_seen"] == n_tokens, "the loop and ours must train the same tokens"
    measured = rates({**times, "ours_fit": whole[-args.repeats:]}, n_tokens)
    flops = flops_per_token(pre.module_, args.length, pre.recipe_.mask_prob)
    return {"preset": preset, "tokens": n_tokens, "flops_per_token": flops,
            **{key: rate[0] for key, rate in measured.items()},
            "spread": {key: rate for key, rate in measured.items()}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["tiny", "small"])
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=12, help="optimizer steps timed per run")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds after a warm-up (median)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny only, 4 steps, 1 round")
    args = parser.parse_args(argv)
    if args.quick:
        args.presets, args.steps, args.repeats = ["tiny"], 4, 1
    torch.set_num_threads(args.threads)
    train, _ = load_chinese_reviews()
    texts = train["text"].tolist()
    tok = train_wordpiece(texts[:5000], vocab_size=8000)
    peak = matmul_peak(args.threads)
    results = [measure(p, texts, tok, args) for p in args.presets]
    lines = [f"pretraining throughput, tokens/s, median (range) of {args.repeats} rounds after an "
             f"untimed warm-up, alternating order (RTD, length {args.length}, batch "
             f"{args.batch_size}, about {args.steps} steps, {args.threads} threads; both train "
             f"every packed row; fp32 matmul peak measured: {peak / 1e9:.1f} GFLOP/s)", "",
             "| preset | ours tokens/s | loop tokens/s | ours/loop | target | met? "
             "| whole fit tokens/s | GFLOP/token | model GFLOP/s | of peak |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rate = r["ours"] * r["flops_per_token"]
        ratio = r["ours"] / r["loop"]
        lines.append(f"| {r['preset']} | {spread(r['spread']['ours'])} | {spread(r['spread']['loop'])} | "
                     f"{ratio_text(ratio, 0.95)} | {verdict(ratio, 0.95)} | "
                     f"{spread(r['spread']['ours_fit'])} | {r['flops_per_token'] / 1e9:.4f} | "
                     f"{rate / 1e9:.1f} | {rate / peak:.2f} |")
    publish("pretrain_throughput", lines, _plot(results, peak, lines[0]), quick=args.quick)
    return results, peak


def _plot(results, peak, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    x = np.arange(len(results))
    ax1.bar(x - 0.2, [r["ours"] for r in results], 0.4, label="ElectraRTDPretrainer")
    ax1.bar(x + 0.2, [r["loop"] for r in results], 0.4, label="plain loop")
    ax1.set_xticks(x, [r["preset"] for r in results])
    ax1.set_ylabel("tokens / second")
    ax1.set_yscale("log")
    ax1.legend(fontsize=7)
    ax2.bar(x, [r["ours"] * r["flops_per_token"] / peak for r in results])
    ax2.set_xticks(x, [r["preset"] for r in results])
    ax2.set_ylabel("model FLOP/s / matmul peak")
    fig.suptitle(title, fontsize=7)
    return fig


if __name__ == "__main__":
    main()
