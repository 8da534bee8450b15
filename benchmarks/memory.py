"""Memory: peak RSS of ``fit`` on 10k vs 100k texts, against token ids and padded tensors.

Each measurement runs in a fresh process, and reads the peak RSS (``VmHWM``) of its own
address space, reset after loading (Linux). The process loads the Chinese reviews,
repeats them up to ``n`` texts, notes its RSS, then runs one epoch of ``ElectraClassifier.fit`` (tiny model, tokenizer trained on
the texts, no validation split); the growth is peak RSS minus that starting RSS. For
contrast a second kind of process only tokenizes the same texts the way a plain loop
does (``padding="max_length"``, ``return_tensors="pt"``) and reports its growth.

What the estimator keeps per text is its token ids (int32) and segment ids (int8),
unpadded, as two small numpy arrays (counted with their headers): growth from 10k to
100k texts should follow those bytes, not the padded int64 tensors
(``3 x n x max_length x 8`` bytes) that the loop materializes. glibc's allocator adds
a share of its own: it raises its mmap threshold as large blocks are freed, after which
the activation buffers of batches of varied shapes are kept in a fragmented heap, so
RSS creeps up with the number of steps. The fit is therefore measured twice, the
second time with ``MALLOC_MMAP_THRESHOLD_`` pinned to glibc's initial 128 KiB.

    python benchmarks/memory.py [--sizes 10000 100000] [--quick]
"""

import argparse
import json
import os
import subprocess
import sys
import warnings

import numpy as np

from _report import plt, publish

MIB = 2**20


def _texts(n):
    from sklearn_electra.datasets import load_chinese_reviews

    train, _ = load_chinese_reviews()
    texts = train["text"].tolist()
    labels = train["label"].tolist()
    reps = -(-n // len(texts))
    return (texts * reps)[:n], (labels * reps)[:n]


def _rss():
    import psutil

    return psutil.Process().memory_info().rss


def _reset_peak():
    """Restart the peak-RSS count here (Linux >= 4.0); imports and loading are not counted."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # then the peak includes imports and loading, which both sizes share


def _peak_rss():
    # VmHWM belongs to this process's own address space. getrusage's ru_maxrss would
    # not do: Linux carries it across exec, so it starts at the parent's RSS.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (this benchmark needs Linux)")


def child(kind, n, max_length):
    """Runs in its own process: prints one JSON line of measurements."""
    import torch

    from sklearn_electra import ElectraClassifier, TextTruncationWarning

    torch.set_num_threads(2)
    warnings.simplefilter("ignore", TextTruncationWarning)
    texts, labels = _texts(n)
    start = _rss()
    _reset_peak()
    result = {"kind": kind, "n": n}
    if kind == "fit":
        clf = ElectraClassifier(max_length=max_length, max_epochs=1, validation_fraction=None,
                                random_state=0)
        clf.fit(texts, labels)
        peak = _peak_rss()  # before encoding the texts again below
        dataset = clf.get_dataset(texts)  # the encoding fit kept
        # Two small numpy arrays per text: their data and their ~100-byte headers.
        result["token_bytes"] = int(sum(sys.getsizeof(a) for a in dataset.input_ids)
                                    + sum(sys.getsizeof(a) for a in dataset.token_type_ids))
        result["n_tokens"] = int(dataset.lengths.sum())
    else:
        from sklearn_electra.tokenization import train_wordpiece

        tok = train_wordpiece(texts[:20000], vocab_size=8000)
        enc = tok(texts, padding="max_length", truncation=True, max_length=max_length,
                  return_tensors="pt")
        result["padded_bytes"] = int(sum(t.nbytes for t in enc.values()))
        peak = _peak_rss()
    result["growth"] = peak - start
    result["start"] = start
    print(json.dumps(result))


# glibc's initial mmap threshold (see the module docstring).
PINNED = {"MALLOC_MMAP_THRESHOLD_": "131072"}


def measure(kind, n, max_length, env=None):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind, str(n),
                          "--max-length", str(max_length)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10000, 100000])
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--quick", action="store_true", help="1,000 vs 4,000 texts")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child[0], int(args.child[1]), args.max_length)
    if args.quick:
        args.sizes = [1000, 4000]

    small, large = args.sizes
    fit = {n: measure("fit", n, args.max_length) for n in args.sizes}
    pinned = {n: measure("fit", n, args.max_length, PINNED) for n in args.sizes}
    padded = {n: measure("padded", n, args.max_length) for n in args.sizes}
    d_growth = fit[large]["growth"] - fit[small]["growth"]
    d_pinned = pinned[large]["growth"] - pinned[small]["growth"]
    d_tokens = fit[large]["token_bytes"] - fit[small]["token_bytes"]
    d_padded = padded[large]["padded_bytes"] - padded[small]["padded_bytes"]
    d_loop = padded[large]["growth"] - padded[small]["growth"]

    header = (f"peak RSS growth of fit (tiny model, 1 epoch, max_length={args.max_length}) on "
              f"{small:,} vs {large:,} Chinese reviews (repeated), MiB")
    lines = [header, "",
             "| texts | tokens | fit: peak RSS growth | fit, mmap threshold pinned "
             "| token + segment ids (unpadded) "
             "| padded int64 tensors (a loop's) | loop tokenization: peak RSS growth |",
             "|---|---|---|---|---|---|---|"]
    for n in args.sizes:
        lines.append(f"| {n:,} | {fit[n]['n_tokens']:,} | {fit[n]['growth'] / MIB:.0f} | "
                     f"{pinned[n]['growth'] / MIB:.0f} | "
                     f"{fit[n]['token_bytes'] / MIB:.1f} | {padded[n]['padded_bytes'] / MIB:.0f} | "
                     f"{padded[n]['growth'] / MIB:.0f} |")
    lines += ["", f"From {small:,} to {large:,} texts: fit grew by {d_growth / MIB:.0f} MiB more "
              f"({d_pinned / MIB:.0f} MiB with glibc's mmap threshold pinned); "
              f"the ids it keeps grew by {d_tokens / MIB:.1f} MiB, padded tensors would grow by "
              f"{d_padded / MIB:.0f} MiB (the loop's tokenization alone grew by "
              f"{d_loop / MIB:.0f} MiB). Extra fit memory per extra token id: "
              f"{d_growth / max(d_tokens, 1):.1f} bytes per byte of ids "
              f"({d_pinned / max(d_tokens, 1):.1f} pinned)."]
    # The target: the extra memory of 10x the texts follows the ids kept, well under what
    # padded tensors alone would add.
    share = d_growth / max(d_padded, 1)
    lines += ["", "| measure | extra fit memory / extra padded-tensor bytes | target | met? |",
              "|---|---|---|---|",
              f"| fit memory, {small:,} -> {large:,} texts | {share:.2f}x | < 1.0x | "
              f"{'yes' if share < 1 else 'no'} |"]
    publish("memory", lines, plot(args.sizes, fit, pinned, padded, header), quick=args.quick)
    return fit, padded


def plot(sizes, fit, pinned, padded, title):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = np.arange(len(sizes))
    series = {
        "fit: peak RSS growth": [fit[n]["growth"] / MIB for n in sizes],
        "fit, mmap threshold pinned": [pinned[n]["growth"] / MIB for n in sizes],
        "ids kept (unpadded)": [fit[n]["token_bytes"] / MIB for n in sizes],
        "padded int64 tensors": [padded[n]["padded_bytes"] / MIB for n in sizes],
        "loop tokenization: growth": [padded[n]["growth"] / MIB for n in sizes],
    }
    width = 0.16
    for k, (name, values) in enumerate(series.items()):
        ax.bar(x + (k - 2) * width, values, width, label=name)
    ax.set_xticks(x, [f"{n:,} texts" for n in sizes])
    ax.set_ylabel("MiB")
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=8)
    return fig


if __name__ == "__main__":
    main()
