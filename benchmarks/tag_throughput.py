"""Tagging throughput: ElectraTagger vs a hand-written loop padded to max_length.

Both train (and then run) the same ELECTRA token-classification model on the
same People's Daily NER sentences (character tokens), with the same tokenizer,
batch size, epochs and optimizer, measured in one run. Sentences per second of
``fit`` and of ``predict`` (tokenization and label alignment included).

The loop is what a user writes from the transformers docs: tokenize with
``is_split_into_words=True``, ``padding="max_length"``, ``truncation=True``,
align labels through ``word_ids()``. It silently drops every character beyond
``max_length``; ElectraTagger tags them all through overlapping windows, so it
does strictly more work on long sentences. Measured at max_length 128 (the loop
drops over a quarter of the characters) and 256. Target: >= 1.5x on fit.

    python benchmarks/tag_throughput.py [--n-sentences 2000] [--max-lengths 128 256]
"""

import argparse
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset
from transformers import ElectraForTokenClassification

from _report import plt, publish
from sklearn_electra import ElectraTagger
from sklearn_electra.datasets import load_peoples_daily
from sklearn_electra.modeling import build_config, resolve_model
from sklearn_electra.tokenization import train_wordpiece

def _loop_encode(tok, sentences, tags, classes, max_length):
    enc = tok([list(s) for s in sentences], is_split_into_words=True, truncation=True,
              padding="max_length", max_length=max_length, return_tensors="pt")
    index = {c: i for i, c in enumerate(classes)}
    labels = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
    for row, sentence_tags in enumerate(tags):
        previous = None
        for col, word in enumerate(enc.word_ids(row)):
            if word is not None and word != previous:
                labels[row, col] = index[sentence_tags[word]]
            previous = word
    return enc, labels


def loop_fit(tok, sentences, tags, classes, args):
    enc, labels = _loop_encode(tok, sentences, tags, classes, args.max_length)
    config = build_config(resolve_model(args.model), vocab_size=len(tok),
                          pad_token_id=tok.pad_token_id, num_labels=len(classes))
    model = ElectraForTokenClassification(config)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    data = TensorDataset(enc["input_ids"], enc["attention_mask"], labels)
    model.train()
    for _ in range(args.epochs):
        for ids, mask, target in DataLoader(data, batch_size=args.batch_size, shuffle=True):
            logits = model(input_ids=ids, attention_mask=mask).logits
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(classes)),
                                                     target.reshape(-1), ignore_index=-100)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad()
    return model


def loop_predict(model, tok, sentences, classes, args):
    enc = tok([list(s) for s in sentences], is_split_into_words=True, truncation=True,
              padding="max_length", max_length=args.max_length, return_tensors="pt")
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(sentences), 2 * args.batch_size):
            batch = slice(start, start + 2 * args.batch_size)
            logits = model(input_ids=enc["input_ids"][batch],
                           attention_mask=enc["attention_mask"][batch]).logits
            for row, pred in enumerate(logits.argmax(-1)):
                words = enc.word_ids(start + row)
                firsts = [c for c, w in enumerate(words) if w is not None and (c == 0 or words[c - 1] != w)]
                out.append([classes[i] for i in pred[firsts].tolist()])
    return out


def measure(sentences, tags, classes, tok, args, max_length):
    args = argparse.Namespace(**{**vars(args), "max_length": max_length})
    lengths = np.array([len(s) for s in sentences])
    dropped = np.clip(lengths + 2 - max_length, 0, None).sum() / lengths.sum()
    times = {k: np.inf for k in ("ours_fit", "loop_fit", "ours_predict", "loop_predict")}
    for _ in range(args.repeats):
        start = time.perf_counter()
        tagger = ElectraTagger(model=args.model, tokenizer=tok, max_length=max_length,
                               stride=32, batch_size=args.batch_size, max_epochs=args.epochs,
                               lr=2e-3, validation_fraction=None, random_state=0)
        tagger.fit(sentences, tags)
        times["ours_fit"] = min(times["ours_fit"], time.perf_counter() - start)
        start = time.perf_counter()
        tagger.predict(sentences)
        times["ours_predict"] = min(times["ours_predict"], time.perf_counter() - start)

        start = time.perf_counter()
        model = loop_fit(tok, sentences, tags, classes, args)
        times["loop_fit"] = min(times["loop_fit"], time.perf_counter() - start)
        start = time.perf_counter()
        loop_predict(model, tok, sentences, classes, args)
        times["loop_predict"] = min(times["loop_predict"], time.perf_counter() - start)
    rate = {k: len(sentences) * (args.epochs if k.endswith("fit") else 1) / v for k, v in times.items()}
    return {"max_length": max_length, "dropped": dropped, **rate}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sentences", type=int, default=2000)
    parser.add_argument("--max-lengths", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="500 sentences, best of 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_sentences, args.repeats = min(args.n_sentences, 500), 1
    torch.set_num_threads(args.threads)

    train, _ = load_peoples_daily("ner")
    sample = train.sample(min(args.n_sentences, len(train)), random_state=0)
    sentences, tags = list(sample["tokens"]), list(sample["tags"])
    classes = sorted({t for s in tags for t in s})
    tok = train_wordpiece([" ".join(s) for s in sentences], vocab_size=8000)
    results = [measure(sentences, tags, classes, tok, args, m) for m in args.max_lengths]

    header = (f"tagging throughput, sentences/s (model={args.model}, batch={args.batch_size}, "
              f"{len(sentences)} People's Daily sentences, {args.epochs} epoch, {args.threads} "
              f"threads, best of {args.repeats})")
    lines = [header, "",
             "| max_length | characters the loop drops | fit: ours | fit: loop | fit ratio "
             "| predict: ours | predict: loop | predict ratio |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['max_length']} | {100 * r['dropped']:.1f}% | {r['ours_fit']:.0f} | {r['loop_fit']:.0f} "
            f"| {r['ours_fit'] / r['loop_fit']:.2f}x | {r['ours_predict']:.0f} | "
            f"{r['loop_predict']:.0f} | {r['ours_predict'] / r['loop_predict']:.2f}x |")
    publish("tag_throughput", lines, _plot(results, header), quick=args.quick)
    return results


def _plot(results, title):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    x = np.arange(len(results))
    for ax, step in zip(axes, ("fit", "predict")):
        ax.bar(x - 0.2, [r[f"ours_{step}"] for r in results], 0.4, label="ElectraTagger (no token dropped)")
        ax.bar(x + 0.2, [r[f"loop_{step}"] for r in results], 0.4, label="loop (padded, truncating)")
        ax.set_xticks(x, [f"max_length={r['max_length']}" for r in results])
        ax.set_ylabel("sentences / second")
        ax.set_title(step)
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])  # headroom for the legend
    axes[0].legend(fontsize=7, loc="upper left", ncol=2)
    fig.suptitle(title, fontsize=7)
    return fig


if __name__ == "__main__":
    main()
