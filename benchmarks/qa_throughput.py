"""Question-answering throughput: ElectraQuestionAnswerer against Hugging Face's ``run_qa.py`` recipe.

People's Daily as reading comprehension (``load_peoples_daily("mrc")``: sentences of
1 to 1,000 characters, three questions each). Every method trains the same tiny
ELECTRA on the same windows (``max_length=128``, ``doc_stride=32``: the tokenizer's
overflowing encodings) and answers with the same span search, so the rows differ in
how they get there:

* **ours**: ``ElectraQuestionAnswerer``: one training epoch (``partial_fit`` after an
  untimed warm-up fit, no validation split) and ``predict`` on the test questions;
* **run_qa.py, defaults**: the example script as shipped: ``prepare_train_features`` /
  ``prepare_validation_features`` with the fast tokenizer (``truncation="only_second"``,
  ``return_overflowing_tokens``, ``return_offsets_mapping``), every window padded to
  ``max_length`` (``pad_to_max_length=True``), random batches, and
  ``postprocess_qa_predictions``' n-best search (top 20 starts x top 20 ends);
* **run_qa.py, per-batch padding**: the same with ``--pad_to_max_length False``
  (``DataCollatorWithPadding``) and length-sorted batches, written as a plain loop: what a
  careful user gets at best.

Tokenizing, the training step and the span search are all inside the timed window.
Each method runs untimed once, then ``--repeats`` times in alternating order; the table
gives the median questions/s and ours / the strongest baseline.

    python benchmarks/qa_throughput.py [--n-train 1500] [--n-test 1500] [--repeats 3] [--quick]
"""

import argparse

import numpy as np
import torch
from transformers import ElectraForQuestionAnswering

from _baselines import adamw, make_model, random_batches, sorted_batches, step
from _report import plt, publish
from _harness import alternating, rates, ratio as ratio_text, spread, verdict
from sklearn_electra import ElectraQuestionAnswerer, train_wordpiece
from sklearn_electra.data import PadCollator, inference_order
from sklearn_electra.datasets import load_peoples_daily

MAX_LENGTH, DOC_STRIDE, MAX_ANSWER, BATCH, PREDICT_BATCH, N_BEST = 128, 32, 16, 32, 64, 20


def prepare_train_features(tok, questions, contexts, answers):
    """run_qa.py's preprocessing: overflowing windows; the first gold answer's token span,
    or [CLS] where the window does not hold it whole."""
    enc = tok(questions, contexts, truncation="only_second", max_length=MAX_LENGTH,
              stride=DOC_STRIDE, return_overflowing_tokens=True, return_offsets_mapping=True)
    starts, ends = [], []
    for k, offsets in enumerate(enc["offset_mapping"]):
        answer = answers[enc["overflow_to_sample_mapping"][k]]
        sequence = enc.sequence_ids(k)
        first = sequence.index(1)
        last = len(sequence) - 1 - sequence[::-1].index(1)
        if answer["text"]:
            char_start = answer["answer_start"][0]
            char_end = char_start + len(answer["text"][0])
        if not answer["text"] or not (offsets[first][0] <= char_start and offsets[last][1] >= char_end):
            starts.append(0)
            ends.append(0)
            continue
        while first < len(offsets) and offsets[first][0] <= char_start:
            first += 1
        while offsets[last][1] >= char_end:
            last -= 1
        starts.append(first - 1)
        ends.append(last + 1)
    return enc, starts, ends


def prepare_validation_features(tok, questions, contexts):
    enc = tok(questions, contexts, truncation="only_second", max_length=MAX_LENGTH,
              stride=DOC_STRIDE, return_overflowing_tokens=True, return_offsets_mapping=True)
    enc["offset_mapping"] = [[o if s == 1 else None for o, s in zip(offsets, enc.sequence_ids(k))]
                             for k, offsets in enumerate(enc["offset_mapping"])]
    return enc


def postprocess_qa_predictions(contexts, enc, start_logits, end_logits):
    """run_qa.py's utils_qa.postprocess_qa_predictions (SQuAD 2.0, threshold 0)."""
    features = {}
    for k, sample in enumerate(enc["overflow_to_sample_mapping"]):
        features.setdefault(sample, []).append(k)
    answers = []
    for sample, context in enumerate(contexts):
        best, null = None, None
        for k in features[sample]:
            s, e, offsets = start_logits[k], end_logits[k], enc["offset_mapping"][k]
            score = s[0] + e[0]
            null = score if null is None or score < null else null
            for i in np.argsort(s)[-1:-N_BEST - 1:-1]:
                for j in np.argsort(e)[-1:-N_BEST - 1:-1]:
                    if i >= len(offsets) or j >= len(offsets) or offsets[i] is None or \
                            offsets[j] is None or j < i or j - i + 1 > MAX_ANSWER:
                        continue
                    if best is None or s[i] + e[j] > best[0]:
                        best = (s[i] + e[j], offsets[i][0], offsets[j][1])
        answers.append("" if best is None or null > best[0] else context[best[1]:best[2]])
    return answers


class RunQA:
    """run_qa.py's recipe as a plain loop; ``padded``: its default ``pad_to_max_length``."""

    def __init__(self, tok, seed, padded):
        torch.manual_seed(seed)
        self.model = make_model(ElectraForQuestionAnswering, tok, "tiny")
        self.optimizer = adamw(self.model, 5e-4)
        self.tok, self.padded = tok, padded
        self.collate = PadCollator(tok.pad_token_id)

    def _batches(self, lengths, size, seed):
        if self.padded:  # random batches (the default sampler)
            return random_batches(len(lengths), size, seed)
        return sorted_batches(lengths, size, seed)

    def _inputs(self, enc, rows):
        inputs, _ = self.collate([(enc["input_ids"][i], enc["token_type_ids"][i], None, None) for i in rows])
        if self.padded:
            width = MAX_LENGTH - inputs["input_ids"].shape[1]
            inputs = {k: torch.nn.functional.pad(v, (0, width), value=self.tok.pad_token_id if
                                                 k == "input_ids" else 0) for k, v in inputs.items()}
        return inputs

    def fit_epoch(self, questions, contexts, answers, seed):
        enc, starts, ends = prepare_train_features(self.tok, questions, contexts, answers)
        lengths = [len(ids) for ids in enc["input_ids"]]
        self.model.train()
        for rows in self._batches(lengths, BATCH, seed):
            out = self.model(**self._inputs(enc, rows),
                             start_positions=torch.as_tensor([starts[i] for i in rows]),
                             end_positions=torch.as_tensor([ends[i] for i in rows]))
            step(self.model, self.optimizer, out.loss)

    def predict(self, questions, contexts):
        enc = prepare_validation_features(self.tok, questions, contexts)
        lengths = [len(ids) for ids in enc["input_ids"]]
        order = inference_order(lengths) if not self.padded else np.arange(len(lengths))
        start_logits, end_logits = [None] * len(lengths), [None] * len(lengths)
        self.model.eval()
        with torch.inference_mode():
            for begin in range(0, len(order), PREDICT_BATCH):
                rows = order[begin:begin + PREDICT_BATCH]
                out = self.model(**self._inputs(enc, rows))
                for r, s, e in zip(rows, out.start_logits.numpy(), out.end_logits.numpy()):
                    start_logits[r], end_logits[r] = s[:lengths[r]], e[:lengths[r]]
        return postprocess_qa_predictions(contexts, enc, start_logits, end_logits)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=1500)
    parser.add_argument("--n-test", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="300/300 questions, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_train, args.n_test, args.repeats = 300, 300, 1
    torch.set_num_threads(args.threads)

    train, test = load_peoples_daily("mrc")
    train = train.sample(args.n_train, random_state=0).reset_index(drop=True)
    test = test.sample(args.n_test, random_state=0).reset_index(drop=True)
    questions, contexts, answers = train["question"].tolist(), train["context"].tolist(), \
        train["answers"].tolist()
    test_q, test_c = test["question"].tolist(), test["context"].tolist()
    tok = train_wordpiece(questions + contexts, vocab_size=8000)

    qa = ElectraQuestionAnswerer(tokenizer=tok, max_length=MAX_LENGTH, doc_stride=DOC_STRIDE,
                                 max_question_length=16, max_answer_length=MAX_ANSWER,
                                 batch_size=BATCH, predict_batch_size=PREDICT_BATCH, max_epochs=1,
                                 lr=5e-4, validation_fraction=None, random_state=0)
    qa.fit(train[["question", "context"]], answers)  # builds the model; later epochs are partial_fit
    padded, per_batch = RunQA(tok, 0, padded=True), RunQA(tok, 0, padded=False)
    n_windows = len(prepare_validation_features(tok, questions, contexts)["input_ids"])
    methods = {
        ("fit", "ours"): lambda k: qa.partial_fit(list(zip(questions, contexts)), answers),
        ("fit", "run_qa.py, defaults"): lambda k: padded.fit_epoch(questions, contexts, answers, k),
        ("fit", "run_qa.py, per-batch padding"):
            lambda k: per_batch.fit_epoch(questions, contexts, answers, k),
        ("predict", "ours"): lambda k: qa.predict(list(zip(test_q, test_c))),
        ("predict", "run_qa.py, defaults"): lambda k: padded.predict(test_q, test_c),
        ("predict", "run_qa.py, per-batch padding"): lambda k: per_batch.predict(test_q, test_c),
    }
    times = alternating(methods, args.repeats)

    header = (f"Question answering throughput, questions/s (People's Daily MRC, {len(train)} train / "
              f"{len(test)} test questions, {n_windows} training windows; tiny, "
              f"max_length={MAX_LENGTH}, doc_stride={DOC_STRIDE}, {args.threads} threads, median "
              f"of {args.repeats} after a warm-up, alternating order, min-max in brackets)")
    names = ["ours", "run_qa.py, defaults", "run_qa.py, per-batch padding"]
    lines = [header, "", "| phase | " + " | ".join(names) + " | ours / strongest baseline | target "
             "| met? |", "|---|---|---|---|---|---|---|"]
    per_phase = {}
    for phase, n in (("fit", len(train)), ("predict", len(test))):
        measured = rates({name: times[(phase, name)] for name in names}, n)
        rate = {name: measured[name][0] for name in names}
        strongest = max(names[1:], key=rate.get)
        per_phase[phase] = rate
        ratio = rate["ours"] / rate[strongest]
        label = "fit (one epoch)" if phase == "fit" else phase
        lines.append(f"| {label} | " + " | ".join(spread(measured[name], 1) for name in names) +
                     f" | {ratio_text(ratio, 0.95)} ({strongest}) | {verdict(ratio, 0.95)} |")
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    for k, (phase, rate) in enumerate(per_phase.items()):
        ax.bar([4 * k + i for i in range(3)], [rate[name] for name in names], color=["C0", "C7", "C1"])
    ax.set_xticks([4 * k + i for k in range(2) for i in range(3)],
                  [f"{phase}: {n.replace('run_qa.py, ', '')}" for phase in per_phase for n in names],
                  fontsize=6, rotation=20)
    ax.set_ylabel("questions/s")
    ax.set_title(header[:110], fontsize=7)
    publish("qa_throughput", lines, fig, quick=args.quick)
    return per_phase


if __name__ == "__main__":
    main()
