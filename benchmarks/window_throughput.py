"""Fit and predict throughput with ``long_texts="windows"`` against a plain loop over the same windows.

BBC News articles (median ~450 tokens, so ~5 windows each at ``max_length=128``,
``stride=32``). Both sides run the same tiny ELECTRA on the same windows, made by
:func:`sklearn_electra.windows.encode_windows` (tokenizing is inside the timed
window for both), and pool the windows' logits per article (mean):

* **ours**: ``ElectraClassifier(long_texts="windows")``: one training epoch
  (``partial_fit`` after an untimed warm-up fit, no validation split) and
  ``predict_proba`` on the test articles;
* **plain loop**: what a careful user writes by hand: batches of 32 articles with all
  their windows, sorted by length within buckets and padded per batch, AdamW, mean
  pooling by ``index_add``; prediction in length-sorted batches of 64 windows under
  ``inference_mode`` and pooling afterwards.

Each method runs untimed once, then ``--repeats`` times in alternating order; the table
gives the median articles/s and the ratio ours / loop (target >= 0.95: what the wrapper
costs).

    python benchmarks/window_throughput.py [--n-train 600] [--n-test 400] [--repeats 3] [--quick]
"""

import argparse
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from transformers import ElectraForSequenceClassification

from _baselines import adamw, make_model, step
from _report import plt, publish
from _harness import alternating, rates, ratio, spread, verdict
from sklearn_electra import ElectraClassifier, TextTruncationWarning, train_wordpiece
from sklearn_electra.data import LengthBucketBatchSampler, PadCollator, inference_order
from sklearn_electra.datasets import load_bbc_news
from sklearn_electra.windows import encode_windows, pool_windows

MAX_LENGTH, STRIDE, BATCH, PREDICT_BATCH = 128, 32, 32, 64


def loop_fit_epoch(model, tok, texts, labels, optimizer, seed):
    ids, types, groups, _ = encode_windows(tok, texts, MAX_LENGTH, STRIDE)
    spans = np.split(np.arange(len(groups)), np.flatnonzero(np.diff(groups)) + 1)
    sizes = [sum(len(ids[i]) for i in span) for span in spans]
    collate = PadCollator(tok.pad_token_id)
    model.train()
    for batch in LengthBucketBatchSampler(sizes, BATCH, shuffle=True, seed=seed):
        rows = np.concatenate([spans[t] for t in batch])
        inputs, _ = collate([(ids[i], types[i], None, None) for i in rows])
        local = torch.from_numpy(np.repeat(np.arange(len(batch)), [len(spans[t]) for t in batch]))
        logits = pool_windows(model(**inputs).logits, local, len(batch), "mean")
        step(model, optimizer, F.cross_entropy(logits, torch.as_tensor(labels[batch])))


def loop_predict(model, tok, texts):
    ids, types, groups, _ = encode_windows(tok, texts, MAX_LENGTH, STRIDE)
    order = inference_order([len(r) for r in ids])
    collate = PadCollator(tok.pad_token_id)
    logits = torch.empty(len(ids), model.num_labels)
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(order), PREDICT_BATCH):
            rows = order[start:start + PREDICT_BATCH]
            inputs, _ = collate([(ids[i], types[i], None, None) for i in rows])
            logits[torch.from_numpy(rows)] = model(**inputs).logits
    return torch.softmax(pool_windows(logits, torch.from_numpy(groups), len(texts), "mean"), -1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=600)
    parser.add_argument("--n-test", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="200/200 articles, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_train, args.n_test, args.repeats = 200, 200, 1
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore", TextTruncationWarning)

    train, test = load_bbc_news()
    train, test = train.head(args.n_train), test.head(args.n_test)
    texts, test_texts = train["text"].tolist(), test["text"].tolist()
    tok = train_wordpiece(texts, vocab_size=8000)
    classes = np.unique(train["label"])
    labels = np.searchsorted(classes, train["label"].to_numpy())

    clf = ElectraClassifier(tokenizer=tok, max_length=MAX_LENGTH, stride=STRIDE, batch_size=BATCH,
                            predict_batch_size=PREDICT_BATCH, long_texts="windows", max_epochs=1,
                            lr=5e-4, validation_fraction=None, random_state=0)
    clf.fit(texts, train["label"])  # builds the model; later epochs are partial_fit
    torch.manual_seed(0)
    model = make_model(ElectraForSequenceClassification, tok, "tiny", num_labels=len(classes))
    optimizer = adamw(model, 5e-4)

    n_windows = len(encode_windows(tok, texts, MAX_LENGTH, STRIDE)[2])
    methods = {
        ("fit", "ours"): lambda k: clf.partial_fit(texts, train["label"]),
        ("fit", "plain loop"): lambda k: loop_fit_epoch(model, tok, texts, labels, optimizer, k),
        ("predict", "ours"): lambda k: clf.predict_proba(test_texts),
        ("predict", "plain loop"): lambda k: loop_predict(model, tok, test_texts),
    }
    times = alternating(methods, args.repeats)

    header = (f"long_texts='windows' throughput, articles/s (BBC News, {len(texts)} train / "
              f"{len(test_texts)} test articles, {n_windows} training windows; tiny, "
              f"max_length={MAX_LENGTH}, stride={STRIDE}, mean pooling, {args.threads} threads, "
              f"median of {args.repeats} after a warm-up, alternating order)")
    lines = [header, "", "| phase | ours | plain loop | ours / loop | target | met? |",
             "|---|---|---|---|---|---|"]
    per_phase = {}
    for phase, n in (("fit", len(texts)), ("predict", len(test_texts))):
        measured = rates({name: times[(phase, name)] for name in ("ours", "plain loop")}, n)
        ours, loop = measured["ours"][0], measured["plain loop"][0]
        per_phase[phase] = (ours, loop)
        label = "fit (one epoch)" if phase == "fit" else phase
        lines.append(f"| {label} | {spread(measured['ours'], 1)} | {spread(measured['plain loop'], 1)} | "
                     f"{ratio(ours / loop, 0.95)} | {verdict(ours / loop, 0.95)} |")
    fig, ax = plt.subplots(figsize=(6, 2.8))
    for k, (phase, (ours, loop)) in enumerate(per_phase.items()):
        ax.bar([3 * k, 3 * k + 1], [ours, loop], color=["C0", "C7"])
    ax.set_xticks([0, 1, 3, 4], ["fit: ours", "fit: loop", "predict: ours", "predict: loop"],
                  fontsize=8)
    ax.set_ylabel("articles/s")
    ax.set_title(header[:110], fontsize=7)
    publish("window_throughput", lines, fig, quick=args.quick)
    return per_phase


if __name__ == "__main__":
    main()
