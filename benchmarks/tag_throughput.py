"""Tagging throughput: ElectraTagger vs hand-written loops from the transformers guide.

Every method trains (and then runs) the same ELECTRA token-classification model (same
initial weights) on the same People's Daily NER sentences (character tokens), with the
same tokenizer, batch size, epochs and optimizer settings, in one run through the
shared harness (:mod:`_harness`: an untimed warm-up, then alternating rounds; median and
range). Sentences per second of training (encoding and label alignment are set-up, timed
apart) and of ``predict`` (encoding and mapping back to characters included).

The guide's loops are what a user writes from the transformers token-classification
guide: tokenize with ``is_split_into_words=True`` and ``truncation=True``, align labels
through ``word_ids()``; **padded** pads every sentence to ``max_length`` in random
batches, **sorted batches** batches sentences of similar length and pads each batch to
its longest (as ``DataCollatorForTokenClassification`` pads). Both silently drop every
character beyond ``max_length``; ElectraTagger tags them all through overlapping
windows, so it does strictly more work on long sentences (measured at max_length 128,
where the guide's loops drop over a quarter of the characters, and 256). **loop: our
windows, sorted batches** trains exactly the rows ElectraTagger trains on (its windows
and label rows, from ``initialize(X, y).get_dataset(X, y)``) in the same length-sorted
batches, and scores the same windows: the ratio to it is what the wrapper costs (target
>= 0.95x, fit and predict).

    python benchmarks/tag_throughput.py [--n-sentences 2000] [--max-lengths 128 256]
"""

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from transformers import ElectraForTokenClassification

from _baselines import adamw, inputs, make_model, pad, train
from _harness import Seconds, alternating, rates, ratio, spread, timed, verdict
from _report import plt, publish
from sklearn_electra import ElectraTagger
from sklearn_electra.data import inference_order
from sklearn_electra.datasets import load_peoples_daily
from sklearn_electra.tokenization import train_wordpiece

GUIDE_PADDED, GUIDE_SORTED = "guide's loop: padded", "guide's loop: sorted batches"
SAME_WINDOWS = "loop: our windows, sorted batches"
TARGET = 0.95  # ours / SAME_WINDOWS, fit and predict: what the wrapper costs


def _loop_encode(tok, sentences, tags, classes, max_length):
    """Token ids, label rows (-100 off the first sub-token of a character) and word ids."""
    enc = tok([list(s) for s in sentences], is_split_into_words=True, truncation=True,
              max_length=max_length)
    index = {c: i for i, c in enumerate(classes)}
    ids, labels, words = enc["input_ids"], [], [enc.word_ids(row) for row in range(len(sentences))]
    for row, sentence_tags in enumerate(tags if tags is not None else [None] * len(sentences)):
        if sentence_tags is None:
            continue
        previous, row_labels = None, []
        for word in words[row]:
            first = word is not None and word != previous
            row_labels.append(index[sentence_tags[word]] if first else -100)
            previous = word
        labels.append(row_labels)
    return ids, labels, words


def token_loss(model, ids, labels, batch, width, pad_id):
    """Cross-entropy of ``rows[batch]`` padded to ``width``, on the labelled tokens only."""
    rows, mask = inputs(ids, batch, width, pad_id)
    target = pad([labels[i] for i in batch], width, -100)
    logits = model(input_ids=rows, attention_mask=mask).logits
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=-100)


def loop_fit(tok, sentences, tags, classes, args, batching, seed):
    """One hand-written training run: the model, and the seconds of training alone."""
    ids, labels, _ = _loop_encode(tok, sentences, tags, classes, args.max_length)
    lengths = np.array([len(r) for r in ids])
    torch.manual_seed(seed)
    model = make_model(ElectraForTokenClassification, tok, args.model, num_labels=len(classes))
    optimizer = adamw(model, args.lr)

    def loss(batch, width):
        return token_loss(model, ids, labels, batch, width, tok.pad_token_id)

    return model, timed(train, model, optimizer, batching, lengths, args, seed, loss)


def loop_predict(model, tok, sentences, classes, args, batching):
    ids, _, words = _loop_encode(tok, sentences, None, classes, args.max_length)
    lengths = np.array([len(r) for r in ids])
    order = inference_order(lengths) if batching == "sorted" else np.arange(len(ids))
    out = [None] * len(ids)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(ids), 2 * args.batch_size):
            batch = order[start:start + 2 * args.batch_size]
            width = args.max_length if batching == "padded" else int(lengths[batch].max())
            rows, mask = inputs(ids, batch, width, tok.pad_token_id)
            for row, pred in zip(batch, model(input_ids=rows, attention_mask=mask).logits.argmax(-1)):
                w = words[row]
                firsts = [c for c, x in enumerate(w) if x is not None and (c == 0 or w[c - 1] != x)]
                out[row] = [classes[i] for i in pred[firsts].tolist()]
    return out


def windows_fit(tagger, sentences, tags, args, seed):
    """The loop over exactly the rows ElectraTagger trains on (its windows and label rows,
    from ``initialize(X, y).get_dataset(X, y)``), in the same sorted batches: the model,
    the initialized tagger (its tokenizer and windowing) and the seconds of training."""
    data = tagger.initialize(sentences, tags).get_dataset(sentences, tags)  # set-up
    torch.manual_seed(seed)
    model = make_model(ElectraForTokenClassification, tagger.tokenizer_, args.model,
                       num_labels=len(tagger.classes_))
    optimizer, pad_id = adamw(model, args.lr), tagger.tokenizer_.pad_token_id

    def loss(batch, width):
        return token_loss(model, data.input_ids, data.labels, batch, width, pad_id)

    return model, tagger, timed(train, model, optimizer, "sorted", data.lengths, args, seed, loss)


def windows_predict(model, tagger, sentences, args):
    """The same windows scored in sorted batches (the tag of each window's tokens; merging
    the windows back into sentences, which ours also does, is left out)."""
    data = tagger.get_dataset(sentences)
    order = inference_order(data.lengths)
    model.eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(order), 2 * args.batch_size):
            batch = order[start:start + 2 * args.batch_size]
            rows, mask = inputs(data.input_ids, batch, int(data.lengths[batch].max()),
                                tagger.tokenizer_.pad_token_id)
            out.append(model(input_ids=rows, attention_mask=mask).logits.argmax(-1))
    return out


def measure(sentences, tags, classes, tok, args, max_length):
    args = argparse.Namespace(**{**vars(args), "max_length": max_length})
    lengths = np.array([len(s) for s in sentences])
    dropped = np.clip(lengths + 2 - max_length, 0, None).sum() / lengths.sum()
    fitted = {}

    def ours_params(k):
        return dict(model=args.model, tokenizer=tok, max_length=max_length, stride=32,
                    batch_size=args.batch_size, max_epochs=args.epochs, lr=args.lr,
                    validation_fraction=None, random_state=k)

    def ours_fit(k):
        tagger = ElectraTagger(**ours_params(k)).fit(sentences, tags)
        fitted["ours"] = tagger
        return Seconds(sum(tagger.history_[:, "dur"]))  # the epochs; encoding is set-up

    def loop_fit_method(batching):
        def run(k):
            fitted[batching], seconds = loop_fit(tok, sentences, tags, classes, args, batching, k)
            return seconds
        return run

    def same_windows_fit(k):
        fitted["windows"], fitted["tagger"], seconds = windows_fit(
            ElectraTagger(**ours_params(k)), sentences, tags, args, k)
        return seconds

    methods = {("fit", "ours"): ours_fit,
               ("fit", GUIDE_PADDED): loop_fit_method("padded"),
               ("fit", GUIDE_SORTED): loop_fit_method("sorted"),
               ("fit", SAME_WINDOWS): same_windows_fit,
               ("predict", "ours"): lambda k: fitted["ours"].predict(sentences),
               ("predict", GUIDE_PADDED):
                   lambda k: loop_predict(fitted["padded"], tok, sentences, classes, args, "padded"),
               ("predict", GUIDE_SORTED):
                   lambda k: loop_predict(fitted["sorted"], tok, sentences, classes, args, "sorted"),
               ("predict", SAME_WINDOWS):
                   lambda k: windows_predict(fitted["windows"], fitted["tagger"], sentences, args)}
    times = alternating(methods, args.repeats)
    out = {"max_length": max_length, "dropped": dropped}
    for phase, n in (("fit", len(sentences) * args.epochs), ("predict", len(sentences))):
        out[phase] = rates({name: t for (p, name), t in times.items() if p == phase}, n)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sentences", type=int, default=2000)
    parser.add_argument("--max-lengths", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds per method (median)")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="500 sentences, 1 round")
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

    header = (f"tagging throughput, sentences/s, median (range) of {args.repeats} rounds after an "
              f"untimed warm-up, alternating order (model={args.model}, batch={args.batch_size}, "
              f"{len(sentences)} People's Daily sentences, {args.epochs} epoch, {args.threads} "
              "threads; fit: training alone, encoding timed apart)")
    lines = [header, "", "| max_length | characters the loops drop | phase | method | sentences/s "
             "| ours / method | target | met? |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for phase in ("fit", "predict"):
            ours = r[phase]["ours"][0]
            for name, rate in r[phase].items():
                target = TARGET if name == SAME_WINDOWS else None
                cells = verdict(ours / rate[0], target) if target else "- | -"
                lines.append(f"| {r['max_length']} | {100 * r['dropped']:.1f}% | {phase} | {name} | "
                             f"{spread(rate)} | {'-' if name == 'ours' else ratio(ours / rate[0], target)} | "
                             f"{cells} |")
    publish("tag_throughput", lines, _plot(results, header), quick=args.quick)
    return results


def _plot(results, title):
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    x = np.arange(len(results))
    names = list(results[0]["fit"])
    width = 0.8 / len(names)
    for ax, phase in zip(axes, ("fit", "predict")):
        for k, name in enumerate(names):
            median = np.array([r[phase][name][0] for r in results])
            err = [median - [r[phase][name][1] for r in results],
                   np.array([r[phase][name][2] for r in results]) - median]
            ax.bar(x + (k - (len(names) - 1) / 2) * width, median, width, yerr=err, capsize=2,
                   label=name)
        ax.set_xticks(x, [f"max_length={r['max_length']}" for r in results])
        ax.set_ylabel("sentences / second")
        ax.set_title(phase)
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])  # headroom for the legend
    axes[0].legend(fontsize=7, loc="upper left", ncol=3)
    fig.suptitle(title[:160], fontsize=7)
    return fig


if __name__ == "__main__":
    main()
