"""Pretraining throughput: ElectraRTDPretrainer vs the same RTD step in a plain loop.

"ours" is the training epoch as timed by skorch's EpochTimer; "whole fit" adds
tokenizing and packing the texts, which the loop is handed ready-made.

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


def run_loop(module, rows, batch_size, steps, lr):
    opt = torch.optim.AdamW(module.parameters(), lr=lr, weight_decay=0.01)
    module.train()
    done = 0
    while done < steps:
        for i in range(0, len(rows), batch_size):
            ids = torch.as_tensor(np.stack(rows[i:i + batch_size]), dtype=torch.long)
            out = module(input_ids=ids, attention_mask=torch.ones_like(ids),
                         token_type_ids=torch.zeros_like(ids))
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
            done += 1
            if done == steps:
                return


def measure(preset, texts, tok, args):
    kw = dict(model=preset, tokenizer=tok, max_length=args.length, batch_size=args.batch_size,
              lr=5e-4, max_epochs=1, random_state=0)
    # Enough texts for `steps` full batches once packed.
    lengths = np.cumsum([len(e.ids) for e in tok.backend_tokenizer.encode_batch(texts)])
    needed = args.steps * args.batch_size * (args.length - 1)
    texts = texts[: int(np.searchsorted(lengths, needed)) + 1]

    times = {"ours": np.inf, "ours_fit": np.inf, "loop": np.inf}
    # Rows as the estimator packs them; the loop gets them ready-made.
    pre = ElectraRTDPretrainer(**kw)
    pre._check_params()
    pre.tokenizer_ = tok
    all_rows = pre._make_dataset(texts).input_ids
    rows = [r for r in all_rows if len(r) == args.length]

    def time_ours():
        start = time.perf_counter()
        fitted = ElectraRTDPretrainer(**kw).fit(texts)
        # fit also tokenizes and packs; the epoch's duration (skorch's EpochTimer) is the
        # training alone, the same work as the loop's
        times["ours_fit"] = min(times["ours_fit"], time.perf_counter() - start)
        times["ours"] = min(times["ours"], fitted.history_[-1, "dur"])
        return fitted

    def time_loop():
        other = ElectraRTDPretrainer(**kw)
        other._check_params()
        other.tokenizer_ = tok
        torch.manual_seed(0)
        other.initialize()
        start = time.perf_counter()
        run_loop(other.module_, rows, args.batch_size, len(rows) // args.batch_size, 5e-4)
        times["loop"] = min(times["loop"], (time.perf_counter() - start) * len(all_rows) / len(rows))

    # Untimed warm-up: the first forward passes of a shape in a process run ~20% slower
    # (measured: whichever of the two went first lost), which is not what we compare.
    warm = ElectraRTDPretrainer(**kw)
    warm._check_params()
    warm.tokenizer_ = tok
    warm.initialize()
    run_loop(warm.module_, rows, args.batch_size, 2, 5e-4)
    for repeat in range(args.repeats):
        # Alternate who goes first: the machine's load drifts.
        if repeat % 2:
            time_loop()
            pre = time_ours()
        else:
            pre = time_ours()
            time_loop()
    ours, ours_fit, loop = times["ours"], times["ours_fit"], times["loop"]
    n_tokens = pre.history_[-1, "tokens_seen"]
    flops = flops_per_token(pre.module_, args.length, pre.recipe_.mask_prob)
    return {"preset": preset, "tokens": n_tokens, "ours": n_tokens / ours, "loop": n_tokens / loop,
            "ours_fit": n_tokens / ours_fit, "flops_per_token": flops}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["tiny", "small"])
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=12, help="optimizer steps timed per run")
    parser.add_argument("--repeats", type=int, default=2, help="best of N runs (the first run of a shape pays warm-up)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny only, 4 steps, best of 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.presets, args.steps, args.repeats = ["tiny"], 4, 1
    torch.set_num_threads(args.threads)
    train, _ = load_chinese_reviews()
    texts = train["text"].tolist()
    tok = train_wordpiece(texts[:5000], vocab_size=8000)
    peak = matmul_peak(args.threads)
    results = [measure(p, texts, tok, args) for p in args.presets]
    lines = [f"pretraining throughput (RTD, length {args.length}, batch {args.batch_size}, "
             f"{args.steps} steps, {args.threads} threads; fp32 matmul peak measured: "
             f"{peak / 1e9:.1f} GFLOP/s)", "",
             "| preset | ours tokens/s | loop tokens/s | ours/loop | whole fit tokens/s "
             "| GFLOP/token | model GFLOP/s | of peak |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        rate = r["ours"] * r["flops_per_token"]
        lines.append(f"| {r['preset']} | {r['ours']:.0f} | {r['loop']:.0f} | {r['ours'] / r['loop']:.2f}x | "
                     f"{r['ours_fit']:.0f} | {r['flops_per_token'] / 1e9:.4f} | {rate / 1e9:.1f} | "
                     f"{rate / peak:.2f} |")
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
