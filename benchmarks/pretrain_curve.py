"""The laptop pretraining curve: after how many minutes of pretraining on your own
unlabeled text does ELECTRA beat training from scratch, and TF-IDF?

Chinese reviews (13,890 unlabeled training texts, one WordPiece vocabulary trained on
them), the ``tiny`` encoder. Each pretraining job is one ``ElectraRTDPretrainer`` run
(``MLMPretrainer`` for BERT's objective, :mod:`_mlm`) whose learning-rate schedule is
sized for 120 minutes; the discriminator is exported at 15, 30, 60 and 120 minutes and
each export is fine-tuned on 1,000 labelled reviews (a different sample per seed, 3
seeds) and scored on the 3,473 test reviews. Reading one run at several points costs a
quarter of a run per budget, but an early export has not had its learning rate decayed:
``rtd-schedule15`` is a run whose schedule ends at 15 minutes, to show what that costs.

Minutes are 2-core minutes: each job's optimizer steps per minute are measured alone
on 2 threads first (untimed warm-up, alternating repeats, median); the budgets are
those step counts. The jobs can then run side by side on one thread each, and a busy
machine slows them down without changing what they train.

Jobs: ``rtd`` (the paper's Small recipe: generator 1/4 wide, lr 5e-4, temperature 1);
``mlm`` (the same encoder as a masked LM, equal 2-core minutes); and the variants the
small budget suggests, read at 15 and 30 minutes: ``rtd-gen1/8`` (a weaker, cheaper
generator: easier replacements and more steps per minute), ``rtd-temperature``
(sampling temperature annealed from 3 to 1 over the run: near-uniform replacements
first, which the discriminator learns in a few hundred steps), ``rtd-lr1e-3`` (a
narrow model tolerates a larger rate). Each export is fine-tuned twice: with the
package's defaults for a pretrained checkpoint (the paper's fine-tuning recipe: 3
epochs, lr 3e-4, layer-wise decay 0.8), and with the from-scratch settings (lr 5e-4, no
decay, 50 epochs with early stopping) so that only the initialisation differs from the
``from scratch`` row.

Checkpoints live in ``--workdir`` (a killed run resumes from its last epoch); the
measurements are appended to ``results/pretrain_curve/*.jsonl`` as they come.

    python benchmarks/pretrain_curve.py              # everything (about 5 hours on 2 cores)
    python benchmarks/pretrain_curve.py evaluate --jobs rtd --seeds 10
                                                     # 7 more seeds for RTD and the baselines
    python benchmarks/pretrain_curve.py report       # table and figure from what is done
    python benchmarks/pretrain_curve.py --quick      # seconds-long budgets, same code paths
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import transformers
from skorch.callbacks import Callback
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import _harness
from _harness import Seconds, alternating, mean_range
from _mlm import MLMPretrainer
import _report
from _report import plt, publish
from sklearn_electra import ElectraClassifier, ElectraRTDPretrainer, TextTruncationWarning
from sklearn_electra.datasets import load_chinese_reviews
from sklearn_electra.tokenization import train_wordpiece

# name: (estimator class, its parameters, minutes read, minutes the schedule is sized for)
JOBS = {
    "rtd": (ElectraRTDPretrainer, {}, (15, 30, 60, 120), 120),
    "mlm": (MLMPretrainer, {}, (15, 30, 60, 120), 120),
    "rtd-schedule15": (ElectraRTDPretrainer, {}, (15,), 15),
    "rtd-gen1/8": (ElectraRTDPretrainer, {"generator_size": 0.125}, (15, 30), 120),
    "rtd-temperature": (ElectraRTDPretrainer, {"temperature_schedule": (3.0, 1.0)}, (15, 30), 120),
    "rtd-lr1e-3": (ElectraRTDPretrainer, {"lr": 1e-3}, (15, 30), 120),
}
MODES = {  # how an export is fine-tuned
    "defaults": {},
    "scratch settings": {"lr": 5e-4, "layerwise_lr_decay": 1.0, "max_epochs": 50},
}
MAX_LENGTH, BATCH = 128, 32


def cost_key(job):
    """Jobs whose steps cost the same share one calibration (temperature and lr are free)."""
    cls, params, _, _ = JOBS[job]
    return f"{cls.__name__}-{params.get('generator_size', 'default')}"


def folder_name(job):
    return job.replace("/", "_")


class StepBudget(Callback):
    """Export the model at given optimizer steps and stop after the last one; optionally
    anneal the generator's sampling temperature linearly over ``total`` steps."""

    def __init__(self, exports, stop, log, total=None, temperature=None):
        self.exports, self.stop, self.log = exports, stop, log
        self.total, self.temperature = total, temperature

    def on_train_begin(self, net, **kwargs):
        self.step_ = int(net.history[-1].get("steps", 0)) if len(net.history) else 0

    def on_batch_begin(self, net, training=False, **kwargs):
        # A training schedule, like the learning rate's: it changes the module between
        # steps of this one fit, never during an inference call.
        if training and self.temperature is not None:
            start, end = self.temperature
            net.module_.temperature = start + (end - start) * min(1.0, self.step_ / self.total)

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        self.step_ += 1
        for path, step in self.exports.items():
            if self.step_ == step and not os.path.isdir(path):
                net.save_pretrained(path)
        if self.step_ >= self.stop:
            raise KeyboardInterrupt  # skorch ends the fit here; the checkpoint rolls back

    def on_epoch_end(self, net, **kwargs):
        self.log(dict(net.history[-1], batches=None))


def data_dir(args):
    """Where the measurements go (``results/quick/`` for ``--quick``)."""
    return os.path.join(_report.RESULTS, "quick" if args.quick else "", args.results)


def append(args, name, row):
    os.makedirs(data_dir(args), exist_ok=True)
    # The report may be written at a later revision than the runs: each row says its own.
    row = {**row, "revision": _harness.revision()}
    with open(os.path.join(data_dir(args), f"{name}.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(row, default=float) + "\n")


def read(args, name):
    path = os.path.join(data_dir(args), f"{name}.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus(args):
    train, test = load_chinese_reviews()
    unlabeled = train["text"].tolist()[: args.unlabeled]
    return train, test, unlabeled


def tokenizer(args, unlabeled):
    path = os.path.join(args.workdir, "tokenizer")
    if not os.path.isdir(path):
        train_wordpiece(unlabeled, vocab_size=8000).save_pretrained(path)
    return transformers.AutoTokenizer.from_pretrained(path)


def estimator(job, tok, threads, **extra):
    cls, params, _, _ = JOBS[job]
    params = {k: v for k, v in params.items() if k != "temperature_schedule"}
    return cls(model="tiny", tokenizer=tok, max_length=MAX_LENGTH, batch_size=BATCH,
               n_threads=threads, random_state=0, **params, **extra)


def calibrate(args, unlabeled, tok):
    """Optimizer steps per minute of each kind of job, alone on ``--threads`` threads."""
    path = os.path.join(args.workdir, "calibration.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    texts = unlabeled[:1500]  # ~25 full batches
    kinds = {cost_key(job): job for job in JOBS}
    steps = {key: [] for key in kinds}

    class Clock(Callback):
        def __init__(self, key):
            self.key = key

        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                steps[self.key].append(time.perf_counter())

    def fit(key):
        def run(k):
            steps[key] = []
            estimator(kinds[key], tok, args.threads, max_epochs=1, callbacks=[Clock(key)]).fit(texts)
            return Seconds(np.median(np.diff(steps[key][2:])))  # per step, past the first
        return run

    # Each call returns its own seconds per step, which the harness records.
    per_step = alternating({key: fit(key) for key in kinds}, args.repeats, warmup=not args.quick)
    rates = {key: 60.0 / float(np.median(v)) for key, v in per_step.items()}
    with open(path, "w") as f:
        json.dump({"threads": args.threads, "steps_per_minute": rates,
                   "spread": {k: [60 / max(v), 60 / min(v)] for k, v in per_step.items()}}, f)
    append(args, "calibration", {"threads": args.threads, **rates})
    return calibrate(args, unlabeled, tok)


def pretrain(job, args):
    """Run (or resume) one job to its last export."""
    _, params, minutes, schedule = JOBS[job]
    _, _, unlabeled = corpus(args)
    tok = tokenizer(args, unlabeled)
    rate = calibrate(args, unlabeled, tok)["steps_per_minute"][cost_key(job)]
    home = os.path.join(args.workdir, folder_name(job))
    # A run cut short by --until is not done: a later call without it carries on.
    if os.path.exists(os.path.join(home, "done" if args.until is None else f"done-{args.until:g}")):
        return
    exports = {os.path.join(home, f"export-{m:g}"): max(1, round(m * args.scale * rate))
               for m in minutes if args.until is None or m <= args.until}
    total = max(1, round(schedule * args.scale * rate))
    rows = len(ElectraRTDPretrainer(tokenizer=tok, max_length=MAX_LENGTH).initialize(unlabeled)
               .get_dataset(unlabeled))
    steps_per_epoch = math.ceil(rows / BATCH)
    epochs = math.ceil(total / steps_per_epoch)
    budget = StepBudget(exports, max(exports.values()), log=lambda row: append(
        args, "history", {"job": job, "minutes": row["steps"] / (args.scale * rate), **row}),
        total=total, temperature=params.get("temperature_schedule"))
    last = os.path.join(home, "checkpoints", "last")
    common = dict(callbacks=[("budget", budget)], checkpoint_dir=os.path.join(home, "checkpoints"),
                  n_threads=args.job_threads)
    if os.path.isdir(last):
        est = JOBS[job][0].from_pretrained(last, **common)
        remaining = epochs - len(est.history_)
        est.set_params(max_epochs=max(1, remaining))
        print(f"{job}: resuming after epoch {len(est.history_)} of {epochs}", flush=True)
        est.partial_fit(unlabeled)
    else:
        est = estimator(job, tok, args.job_threads, max_epochs=epochs, validation_fraction=None)
        est.set_params(**common)
        est.fit(unlabeled)
    missing = [p for p in exports if not os.path.isdir(p)]
    if missing:
        raise RuntimeError(f"{job} ended without exporting {missing}")
    append(args, "jobs", {"job": job, "steps_per_epoch": steps_per_epoch, "epochs": epochs,
                    "schedule_steps": total, "exports": {os.path.basename(p): s for p, s in exports.items()},
                    "steps_per_minute": rate})
    open(os.path.join(home, "done" if args.until is None else f"done-{args.until:g}"), "w").close()


def evaluate(args):
    """Fine-tune every export not yet scored (and the baselines), appending to scores.jsonl."""
    train, test, unlabeled = corpus(args)
    test = test.head(args.test)
    tok = tokenizer(args, unlabeled)
    done = {(r["model"], r["minutes"], r["mode"], r["seed"]) for r in read(args, "scores")}
    points = [("TF-IDF + LR", 0, "-", None), ("from scratch", 0, "defaults", "tiny")]
    for job, (_, _, minutes, _) in JOBS.items():
        if job in args.jobs:
            for m in minutes:
                path = os.path.join(args.workdir, folder_name(job), f"export-{m:g}")
                if os.path.isdir(path):
                    points += [(job, m, mode, path) for mode in MODES]
    for seed in range(args.seeds):
        labeled = train.sample(args.labels, random_state=seed)
        for model, minutes, mode, path in points:
            if (model, minutes, mode, seed) in done:
                continue
            start = time.perf_counter()
            if path is None:
                clf = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)),
                                    LogisticRegression(max_iter=2000))
            else:
                clf = ElectraClassifier(model=path, tokenizer=tok if path == "tiny" else None,
                                        n_threads=args.threads, random_state=seed,
                                        **{**MODES[mode], **args.finetune})
            clf.fit(labeled["text"], labeled["label"])
            score = clf.score(test["text"], test["label"])
            row = {"model": model, "minutes": minutes, "mode": mode, "seed": seed,
                   "accuracy": score, "fit_seconds": time.perf_counter() - start,
                   "epochs": len(getattr(clf, "history_", [])), "labels": args.labels,
                   "test": len(test)}
            append(args, "scores", row)
            print(row, flush=True)


def paired_difference(ours, reference):
    """Median and mean difference over the seeds both have, and on how many ``ours`` is ahead.

    A seed fixes the labelled sample and the fine-tuning's randomness, which move accuracy
    more than the initial weights do here, so the export and the from-scratch model are
    compared seed by seed. The median leads because one fit that stops at the majority
    class (a from-scratch fit did, on one seed of ten) moves a ten-seed mean by a tenth of
    its own drop (0.02 for 0.2) while leaving the median where it was.

    >>> paired_difference({0: 0.75, 1: 0.70, 2: 0.80}, {0: 0.72, 1: 0.71, 2: 0.52})
    'median +0.030, mean +0.100 (2 of 3 ahead)'
    >>> paired_difference({0: 0.7}, {})
    '-'
    """
    common = sorted(set(ours) & set(reference))
    if not common:
        return "-"
    diffs = [ours[s] - reference[s] for s in common]
    return (f"median {np.median(diffs):+.3f}, mean {np.mean(diffs):+.3f} "
            f"({sum(d > 0 for d in diffs)} of {len(diffs)} ahead)")


def report(args):
    scores, history = read(args, "scores"), read(args, "history")
    calibration = {k: v for k, v in (read(args, "calibration") or [{}])[-1].items() if k != "revision"}
    revisions = sorted({r["revision"] for r in scores + history if r.get("revision")})
    by, seeded = {}, {}
    for r in scores:
        by.setdefault((r["model"], r["minutes"], r["mode"]), []).append(r["accuracy"])
        seeded.setdefault((r["model"], r["minutes"], r["mode"]), {})[r["seed"]] = r["accuracy"]
    last = {}  # the last logged epoch at or before each export, per job
    for r in history:
        last.setdefault(r["job"], {})[r["epoch"]] = r
    base = {name: by.get((name, 0, mode), [np.nan]) for name, mode in
            (("TF-IDF + LR", "-"), ("from scratch", "defaults"))}
    lines = [f"Chinese reviews: test accuracy after fine-tuning on {args.labels} labels (mean "
             f"(min-max) over the seeds run) against 2-core minutes of pretraining on "
             f"{len(corpus(args)[2])} unlabeled reviews (tiny encoder; steps per minute measured "
             "alone on 2 threads: " + ", ".join(f"{k} {v:.0f}" for k, v in calibration.items()
                                                if k != "threads") + ")", "",
             f"TF-IDF + LR: {mean_range(base['TF-IDF + LR'])}; from scratch: "
             f"{mean_range(base['from scratch'])}", "",
             "Pretrained and fine-tuned at sklearn_electra " + ", ".join(revisions) if revisions else
             "The runs did not record their revision (the page that quotes them names it); the "
             "last line is where this report was written.", "",
             "| pretraining | minutes | steps | tokens | fine-tuned with defaults "
             "| fine-tuned with scratch settings | seeds | scratch settings - from scratch, "
             "same seeds | discriminator loss / base-rate entropy (last epoch) "
             "| generator (or MLM) accuracy |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for job, (_, _, minutes, _) in JOBS.items():
        rows = sorted(last.get(job, {}).values(), key=lambda r: r["epoch"])
        for m in minutes:
            cells = [mean_range(by[(job, m, mode)]) if (job, m, mode) in by else "-" for mode in MODES]
            if cells == ["-", "-"]:
                continue
            before = [r for r in rows if r["minutes"] <= m * 1.01] or rows[:1]
            h = before[-1] if before else {}
            disc = "-" if job == "mlm" or not h else \
                f"{h['disc_loss']:.3f} / {h['disc_base_entropy']:.3f}"
            gen = f"{h['gen_acc']:.3f}" if h else "-"
            # The export's step (the budget); tokens at the logged epochs' tokens per step.
            steps = round(m * calibration[cost_key(job)]) if cost_key(job) in calibration else None
            work = (f"{steps:,} | {steps * h['tokens_seen'] / h['steps'] / 1e6:.1f}M"
                    if steps and h else "- | -")
            n = len(seeded.get((job, m, "scratch settings"), {}))
            paired = paired_difference(seeded.get((job, m, "scratch settings"), {}),
                                       seeded.get(("from scratch", 0, "defaults"), {}))
            lines.append(f"| {job} | {m:g} | {work} | {cells[0]} | {cells[1]} | {n} | {paired} "
                         f"| {disc} | {gen} |")
    title = (f"Chinese reviews, {args.labels} labels: accuracy after pretraining for N minutes "
             "on 2 cores (tiny)")
    publish(args.results, lines, plot(by, last, base, title), quick=args.quick)
    return by


def plot(by, last, base, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 5.2))
    for k, (name, values) in enumerate(base.items()):
        ax1.axhline(np.mean(values), color=f"C{k + 7}", ls="--", label=name)
    for k, job in enumerate(JOBS):
        # Jobs read at the same minutes would hide each other: shift each a little (log axis).
        shift = 2 ** (0.04 * (k - (len(JOBS) - 1) / 2))
        for mode, marker in zip(MODES, ("o", "s")):
            points = sorted((m, v) for (j, m, md), v in by.items() if j == job and md == mode)
            if points:
                # The defaults (the paper's fine-tuning recipe) fail on these exports: drawn faint.
                ax1.errorbar([m * shift for m, _ in points], [np.mean(v) for _, v in points],
                             yerr=[[np.mean(v) - min(v) for _, v in points],
                                   [max(v) - np.mean(v) for _, v in points]],
                             color=f"C{k}", marker=marker, ls=":" if mode == "defaults" else "-",
                             alpha=0.35 if mode == "defaults" else 1.0,
                             capsize=3, label=f"{job}, {mode}")
        rows = sorted(last.get(job, {}).values(), key=lambda r: r["epoch"])
        if rows and job != "mlm":
            ax2.plot([r["minutes"] for r in rows], [r["disc_loss"] for r in rows], color=f"C{k}",
                     label=f"{job}: discriminator loss")
            ax2.plot([r["minutes"] for r in rows], [r["disc_base_entropy"] for r in rows],
                     color=f"C{k}", ls=":", lw=1, label=f"{job}: base-rate entropy")
    ax1.set_xscale("log", base=2)
    minutes = sorted({m for (_, m, _) in by if m})
    ax1.set_xticks(minutes, [f"{m:g}" for m in minutes])
    ax1.minorticks_off()
    ax1.set_xlabel("pretraining minutes (2 cores)")
    ax1.set_ylabel("test accuracy")
    ax1.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
    # The first epochs' loss (0.6 and more) would flatten the part worth reading.
    base = [r["disc_base_entropy"] for rows in last.values() for r in rows.values()
            if r.get("disc_base_entropy")]
    if base:
        ax2.set_ylim(top=max(base) * 1.1)
    ax2.set_xlabel("pretraining minutes (2 cores)")
    ax2.set_ylabel("discriminator loss per token")
    ax2.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="all",
                        choices=("all", "calibrate", "pretrain", "evaluate", "report"))
    parser.add_argument("--job", help="pretrain: the job to run (one of JOBS)")
    parser.add_argument("--jobs", default=",".join(JOBS), help="jobs to run and report")
    parser.add_argument("--workers", type=int, default=2, help="jobs run side by side")
    parser.add_argument("--job-threads", type=int, default=1, help="threads per job")
    parser.add_argument("--threads", type=int, default=2, help="calibration and fine-tuning")
    parser.add_argument("--workdir", default=None,
                        help="checkpoints (default ~/.cache/sklearn_electra/pretrain_curve)")
    parser.add_argument("--results", default="pretrain_curve",
                        help="name of the measurements' folder and report under results/")
    parser.add_argument("--until", type=float, default=None,
                        help="pretrain: stop after the export at this many minutes (the "
                             "schedule stays sized for the whole job)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--test", type=int, default=None, help="test reviews (all)")
    parser.add_argument("--unlabeled", type=int, default=None, help="unlabeled reviews (all)")
    parser.add_argument("--repeats", type=int, default=3, help="calibration repeats")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every budget")
    parser.add_argument("--quick", action="store_true",
                        help="budgets of seconds, 1,000 unlabeled texts, rtd and mlm, 1 seed, "
                             "300 labels, 300 test texts, 2 fine-tuning epochs")
    if parser.parse_known_args(argv)[0].quick:  # quick defaults; explicit arguments still win
        parser.set_defaults(scale=0.001, unlabeled=1000, jobs="rtd,mlm", seeds=1, labels=300,
                            test=300, repeats=1)
    args = parser.parse_args(argv)
    args.finetune = {"max_epochs": 2} if args.quick else {}
    if args.quick:
        args.workdir = args.workdir or tempfile.mkdtemp(prefix="pretrain_curve_")
        if args.command == "all":
            shutil.rmtree(data_dir(args), ignore_errors=True)
    args.workdir = args.workdir or os.path.expanduser("~/.cache/sklearn_electra/pretrain_curve")
    args.jobs = [j for j in args.jobs.split(",") if j]
    transformers.logging.set_verbosity_error()
    warnings.simplefilter("ignore", TextTruncationWarning)
    warnings.filterwarnings("ignore", message="Training was interrupted")
    torch.set_num_threads(args.threads)
    os.makedirs(args.workdir, exist_ok=True)

    if args.command == "pretrain":
        return pretrain(args.job, args)
    if args.command in ("all", "calibrate"):
        _, _, unlabeled = corpus(args)
        calibrate(args, unlabeled, tokenizer(args, unlabeled))
    if args.command == "all":
        own = [a for a in (argv if argv is not None else sys.argv[1:]) if a not in ("all",)]
        command = [sys.executable, os.path.abspath(__file__), "pretrain", *own,
                   "--workdir", args.workdir, "--scale", str(args.scale),
                   "--unlabeled", str(args.unlabeled or 10**9)]

        def run(job):
            subprocess.run(command + ["--job", job], check=True)

        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(run, args.jobs))
    if args.command in ("all", "evaluate"):
        evaluate(args)
    if args.command in ("all", "evaluate", "report"):
        return report(args)


if __name__ == "__main__":
    main()
