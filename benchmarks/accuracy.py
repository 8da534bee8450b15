"""Accuracy beside the baseline, and RTD vs MLM pretraining at equal compute.

``--task pretraining`` (the default) is described below. ``--task windows`` trains
ElectraClassifier on BBC News at ``max_length=128`` with ``long_texts="truncate"`` and
with ``"windows"`` (mean and max pooling), same epochs, 3 seeds, with fit and predict times. ``--task regression`` and
``--task multilabel`` put ElectraRegressor and the multi-label ElectraClassifier (tiny,
from scratch, the package's defaults) beside the TF-IDF baselines users already have:
RidgeCV on the VADER study's human sentiment ratings (``fetch_sentiment_ratings``), and
one-vs-rest LogisticRegression on the entity types of People's Daily sentences
(``load_peoples_daily("entity_types")``); 3 seeds, with fit times.

Per corpus (Chinese reviews, BBC News), with one WordPiece tokenizer trained on the
corpus's unlabeled training texts and the same tiny encoder shape throughout:

* **TF-IDF + LogisticRegression** (character 1-3-grams for Chinese, word 1-2-grams for
  English) on the labeled sample: the baseline users already have.
* **from scratch**: ElectraClassifier fine-tuned from random weights.
* **RTD-pretrained**: ElectraRTDPretrainer on all unlabeled training texts for
  ``--pretrain-epochs`` epochs (generator 1/4 of the discriminator's width, as in the
  paper), then fine-tuned.
* **MLM-pretrained**: the same encoder trained as a plain masked language model (BERT's
  objective: predict the 15% masked tokens, loss and vocabulary projection at the masked
  positions only) on the same packed rows, with the same optimizer, batch and peak
  learning rate, for the same wall-clock time as RTD took; then fine-tuned.

Fine-tuning is identical for all three ELECTRA rows (``--labels`` labeled training
texts, epochs, lr, batch, max_length) and repeated over ``--seeds`` seeds; the table
gives mean and min-max over seeds on up to ``--test`` test texts. The paper reports GLUE
79.9 (ELECTRA-Small) vs 75.1 (BERT-Small) at equal compute, after ~4 days on a V100;
this run pretrains for minutes on a CPU, so read it as what a laptop budget buys.

    python benchmarks/accuracy.py [--task pretraining|regression|multilabel|windows] [--seeds 3] [--quick]
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
import transformers
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, f1_score, r2_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from transformers import ElectraForMaskedLM

from _report import plt, publish
from sklearn_electra import (ElectraClassifier, ElectraRegressor, ElectraRTDPretrainer,
                             TextTruncationWarning)
from sklearn_electra.optim import warmup_linear_factor
from sklearn_electra.datasets import (fetch_sentiment_ratings, load_bbc_news, load_chinese_reviews,
                                      load_peoples_daily)
from sklearn_electra.modeling import quiet_hf_progress
from sklearn_electra.rtd import generator_config, mask_tokens
from sklearn_electra.tokenization import train_wordpiece

CORPORA = {
    "Chinese reviews": (load_chinese_reviews, dict(analyzer="char", ngram_range=(1, 3))),
    "BBC News": (load_bbc_news, dict(ngram_range=(1, 2), sublinear_tf=True)),
}
ROWS = ("TF-IDF + LR", "from scratch", "RTD-pretrained", "MLM-pretrained")


def pretrain_mlm(pre, texts, seconds, args):
    """Train a discriminator-sized ElectraForMaskedLM for ``seconds`` of wall-clock time.

    Same packed rows, masking, batch, optimizer and peak lr as the RTD run; the
    warmup-then-linear-decay schedule runs on elapsed time, since the number of steps
    that fit in the budget is not known in advance.
    """
    tok = pre.tokenizer_
    rows = [r for r in pre.get_dataset(texts).input_ids if len(r) == args.max_length]
    rows = torch.as_tensor(np.stack(rows), dtype=torch.long)
    model = ElectraForMaskedLM(generator_config(pre.module_.discriminator.config, 1.0))
    opt = torch.optim.AdamW(model.parameters(), lr=args.pretrain_lr, weight_decay=0.01)
    # Never masked, as in RTD: [CLS], [SEP], [MASK], [PAD] ([UNK] can be).
    special = torch.as_tensor([tok.cls_token_id, tok.sep_token_id, tok.mask_token_id, tok.pad_token_id])
    generator = torch.Generator().manual_seed(0)
    model.train()
    steps, masked_right, masked_total = 0, 0, 0
    start = time.perf_counter()
    while True:
        for index in torch.randperm(len(rows), generator=generator).split(args.batch_size):
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return model, steps, masked_right / max(masked_total, 1)
            for group in opt.param_groups:
                group["lr"] = args.pretrain_lr * warmup_linear_factor(
                    int(1000 * elapsed / seconds), 1000, 100)
            ids = rows[index]  # (B, L), packed: no padding
            masked, is_masked = mask_tokens(ids, ~torch.isin(ids, special), pre.recipe_.mask_prob,
                                            tok.mask_token_id)
            hidden = model.electra(input_ids=masked).last_hidden_state  # (B, L, H)
            logits = model.generator_lm_head(model.generator_predictions(hidden[is_masked]))
            loss = F.cross_entropy(logits, ids[is_masked])  # (M, V) vs (M,)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            steps += 1
            masked_right += int((logits.argmax(-1) == ids[is_masked]).sum())
            masked_total += int(is_masked.sum())


def run_corpus(name, args, workdir):
    loader, tfidf = CORPORA[name]
    train, test = loader()
    unlabeled = train["text"].tolist()[: args.unlabeled]
    labeled = train.sample(min(args.labels, len(train)), random_state=0)
    test = test.sample(min(args.test, len(test)), random_state=0)
    tok = train_wordpiece(unlabeled, vocab_size=8000)
    scores = {row: [] for row in ROWS}

    baseline = make_pipeline(TfidfVectorizer(**tfidf), LogisticRegression(max_iter=2000))
    baseline.fit(labeled["text"], labeled["label"])
    scores["TF-IDF + LR"].append(baseline.score(test["text"], test["label"]))

    pre = ElectraRTDPretrainer(model="tiny", tokenizer=tok, max_length=args.max_length,
                               batch_size=args.batch_size, lr=args.pretrain_lr,
                               max_epochs=args.pretrain_epochs, random_state=0)
    pre.fit(unlabeled)
    rtd_seconds = float(sum(pre.history_[:, "dur"]))
    last = pre.history_[-1]
    rtd_dir = f"{workdir}/{name}-rtd"
    pre.save_pretrained(rtd_dir)

    mlm, mlm_steps, mlm_acc = pretrain_mlm(pre, unlabeled, rtd_seconds, args)
    mlm_dir = f"{workdir}/{name}-mlm"
    with quiet_hf_progress():
        mlm.save_pretrained(mlm_dir)
    tok.save_pretrained(mlm_dir)

    inits = {"from scratch": "tiny", "RTD-pretrained": rtd_dir, "MLM-pretrained": mlm_dir}
    for seed in range(args.seeds):
        for row, model in inits.items():
            clf = ElectraClassifier(model=model, tokenizer=tok, max_length=args.max_length,
                                    batch_size=args.batch_size, lr=args.finetune_lr,
                                    max_epochs=args.finetune_epochs, validation_fraction=None,
                                    random_state=seed)
            clf.fit(labeled["text"], labeled["label"])
            scores[row].append(clf.score(test["text"], test["label"]))
    info = {"minutes": rtd_seconds / 60, "rtd_steps": last["steps"], "mlm_steps": mlm_steps,
            "tokens": last["tokens_seen"], "disc_loss": last["disc_loss"],
            "base_entropy": last["disc_base_entropy"], "disc_recall": last["disc_recall"],
            "gen_acc": last["gen_acc"], "mlm_acc": mlm_acc,
            "labels": len(labeled), "test": len(test), "unlabeled": len(unlabeled)}
    return scores, info


def spread(values, digits=3):
    """``mean (min-max)`` of a list of scores."""
    values = list(values)
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def run_regression(args):
    """R² of ElectraRegressor (defaults, 3 seeds) and TF-IDF + RidgeCV on human ratings."""
    lines = [f"R² on held-out texts, mean (min-max) over {args.seeds} seeds: ElectraRegressor "
             "(tiny, from scratch, defaults) vs TF-IDF word 1-2-grams + RidgeCV "
             "(alphas 1e-2..1e2); target: the mean of 20+ human sentiment ratings (-4..4)", "",
             "| ratings | train / test | TF-IDF + RidgeCV | ElectraRegressor | fit time (ours) |",
             "|---|---|---|---|---|"]
    results = {}
    for source in ("movie_reviews", "tweets"):
        train, test = fetch_sentiment_ratings(source)
        train, test = train.head(args.n_train), test.head(args.test)
        baseline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                                 RidgeCV(alphas=np.logspace(-2, 2, 9)))
        base = r2_score(test["rating"], baseline.fit(train["text"], train["rating"]).predict(test["text"]))
        ours, seconds = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            reg = ElectraRegressor(max_epochs=args.task_epochs, random_state=seed)
            reg.fit(train["text"], train["rating"])
            seconds.append(time.perf_counter() - start)
            ours.append(reg.score(test["text"], test["rating"]))
        results[source] = {"TF-IDF + RidgeCV": [base], "ElectraRegressor": ours}
        lines.append(f"| {source} | {len(train)} / {len(test)} | {base:.3f} | {spread(ours)} | "
                     f"{np.mean(seconds):.0f} s |")
    publish("accuracy_regression", lines, plot_tasks(results, "R²", lines[0]), quick=args.quick)
    return results


def run_multilabel(args):
    """Micro-F1 of the multi-label ElectraClassifier and TF-IDF + one-vs-rest LR."""
    train, test = load_peoples_daily("entity_types")
    train = train.sample(min(args.n_train or 4000, len(train)), random_state=0)
    test = test.sample(min(args.test, len(test)), random_state=0)
    mlb = MultiLabelBinarizer().fit(train["labels"])
    truth = mlb.transform(test["labels"])
    rows = {}
    baseline = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                             OneVsRestClassifier(LogisticRegression(max_iter=2000)))
    predicted = baseline.fit(train["text"], mlb.transform(train["labels"])).predict(test["text"])
    rows["TF-IDF + one-vs-rest LR"] = [(predicted, 0.0)]
    rows["all labels"] = [(np.ones_like(truth), 0.0)]
    rows["ElectraClassifier"] = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        clf = ElectraClassifier(max_epochs=args.task_epochs, random_state=seed)
        clf.fit(train["text"], train["labels"])
        rows["ElectraClassifier"].append((mlb.transform(clf.predict(test["text"])),
                                          time.perf_counter() - start))
    lines = [f"People's Daily sentences -> the entity types they name (PER, LOC, ORG; "
             f"{len(train)} train / {len(test)} test), mean (min-max) over {args.seeds} seeds; "
             "ElectraClassifier tiny, from scratch, defaults", "",
             "| model | micro-F1 | samples-F1 | subset accuracy | fit time |", "|---|---|---|---|---|"]
    results = {}
    for name, runs in rows.items():
        micro = [f1_score(truth, p, average="micro") for p, _ in runs]
        samples = [f1_score(truth, p, average="samples", zero_division=1.0) for p, _ in runs]
        subset = [accuracy_score(truth, p) for p, _ in runs]
        results[name] = micro
        fit = f"{np.mean([t for _, t in runs]):.0f} s" if name == "ElectraClassifier" else "-"
        lines.append(f"| {name} | {spread(micro)} | {spread(samples)} | {spread(subset)} | {fit} |")
    results = {"entity types": results}
    publish("accuracy_multilabel", lines, plot_tasks(results, "micro-F1", lines[0]), quick=args.quick)
    return results


def run_windows(args):
    """BBC News at max_length=128: truncation against windows (mean, max), with the time each takes."""
    train, test = load_bbc_news()
    train = train.sample(min(args.n_train or 600, len(train)), random_state=0)
    test = test.head(args.test)
    configs = {"truncate": dict(long_texts="truncate"),
               "windows, mean": dict(long_texts="windows", window_pooling="mean"),
               "windows, max": dict(long_texts="windows", window_pooling="max")}
    epochs = args.task_epochs or 10
    baseline = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                             LogisticRegression(max_iter=2000))
    base = baseline.fit(train["text"], train["label"]).score(test["text"], test["label"])
    results, lines = {"TF-IDF + LR": [base]}, [
        f"BBC News, {len(train)} train / {len(test)} test articles (median ~450 tokens), "
        f"tiny from scratch, max_length=128, stride=32, {epochs} epochs of batches of "
        f"{args.batch_size} articles, {args.seeds} seeds; "
        f"TF-IDF + LR: {base:.3f}", "",
        "| long_texts | accuracy | fit time | predict time (test set) |", "|---|---|---|---|"]
    for name, config in configs.items():
        scores, fit_s, predict_s = [], [], []
        for seed in range(args.seeds):
            clf = ElectraClassifier(max_length=128, max_epochs=epochs, batch_size=args.batch_size,
                                    random_state=seed, **config)
            start = time.perf_counter()
            clf.fit(train["text"], train["label"])
            fit_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            predicted = clf.predict(test["text"])
            predict_s.append(time.perf_counter() - start)
            scores.append(float(np.mean(predicted == test["label"].to_numpy())))
        results[name] = scores
        lines.append(f"| {name} | {spread(scores)} | {np.mean(fit_s):.0f} s | {np.mean(predict_s):.1f} s |")
    publish("accuracy_windows", lines, plot_tasks({"BBC News": results}, "accuracy", lines[0]),
            quick=args.quick)
    return {"BBC News": results}


def plot_tasks(results, metric, title):
    fig, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 3.2), squeeze=False)
    for ax, (name, rows) in zip(axes[0], results.items()):
        for k, (row, values) in enumerate(rows.items()):
            ax.bar(k, np.mean(values), color=f"C{k}")
            ax.scatter([k] * len(values), values, color="k", s=8, zorder=3)
        ax.set_xticks(range(len(rows)), [r.replace(" + ", "\n+ ") for r in rows], fontsize=7)
        ax.set_ylabel(metric)
        ax.set_title(name, fontsize=9)
    fig.suptitle(title[:120], fontsize=7)
    return fig


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("pretraining", "regression", "multilabel", "windows"),
                        default="pretraining")
    parser.add_argument("--pretrain-epochs", type=int, default=6)
    parser.add_argument("--pretrain-lr", type=float, default=1e-3)
    parser.add_argument("--unlabeled", type=int, default=None, help="unlabeled texts (all)")
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--test", type=int, default=2000)
    parser.add_argument("--finetune-epochs", type=int, default=5)
    parser.add_argument("--finetune-lr", type=float, default=1e-3)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=None,
                        help="regression/multilabel: training texts (all ratings; 4,000 sentences)")
    parser.add_argument("--task-epochs", type=int, default=None,
                        help="regression/multilabel: max_epochs (None: the package's recipe)")
    parser.add_argument("--quick", action="store_true",
                        help="3,000 unlabeled texts, 1 pretraining epoch, 500 test texts, "
                             "2 seeds")
    args = parser.parse_args(argv)
    if args.quick:
        args.unlabeled, args.pretrain_epochs, args.test, args.seeds = 3000, 1, 500, 2
        args.n_train, args.task_epochs = 1000, 3
    torch.set_num_threads(args.threads)
    transformers.logging.set_verbosity_error()
    warnings.simplefilter("ignore", TextTruncationWarning)
    if args.task == "regression":
        return run_regression(args)
    if args.task == "multilabel":
        return run_multilabel(args)
    if args.task == "windows":
        return run_windows(args)

    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name in CORPORA:
            results[name] = run_corpus(name, args, workdir)

    header = (f"test accuracy, mean (min-max) over {args.seeds} fine-tuning seeds (tiny encoder, "
              f"{args.finetune_epochs} fine-tuning epochs, max_length={args.max_length}; "
              f"RTD and MLM pretrained for the same wall-clock time)")
    lines = [header, "", "| corpus | labels / test | " + " | ".join(ROWS) + " |",
             "|---|---|" + "---|" * len(ROWS)]
    for name, (scores, info) in results.items():
        cells = [f"{np.mean(v):.3f}" if len(v) == 1 else
                 f"{np.mean(v):.3f} ({min(v):.3f}-{max(v):.3f})" for v in scores.values()]
        lines.append(f"| {name} | {info['labels']} / {info['test']} | " + " | ".join(cells) + " |")
    lines += ["", "| corpus | unlabeled texts | pretraining (each) | RTD steps | MLM steps "
              "| RTD tokens | RTD disc_loss / base-rate entropy | RTD disc recall "
              "| RTD gen acc | MLM masked acc |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, (_, info) in results.items():
        lines.append(f"| {name} | {info['unlabeled']:,} | {info['minutes']:.1f} min | "
                     f"{info['rtd_steps']} | {info['mlm_steps']} | {info['tokens']:,} | "
                     f"{info['disc_loss']:.4f} / {info['base_entropy']:.4f} | "
                     f"{info['disc_recall']:.3f} | {info['gen_acc']:.3f} | {info['mlm_acc']:.3f} |")
    publish("accuracy", lines, plot(results, header), quick=args.quick)
    return results


def plot(results, title):
    fig, axes = plt.subplots(1, len(results), figsize=(9, 3.5))
    for ax, (name, (scores, info)) in zip(np.atleast_1d(axes), results.items()):
        for k, row in enumerate(ROWS):
            values = scores[row]
            ax.bar(k, np.mean(values), color=f"C{k}")
            ax.scatter([k] * len(values), values, color="k", s=8, zorder=3)
        ax.set_xticks(range(len(ROWS)), [r.replace(" ", "\n", 1) for r in ROWS], fontsize=7)
        low = min(min(v) for v in scores.values())
        ax.set_ylim(max(0.0, low - 0.1), 1.0)
        ax.set_title(f"{name} ({info['minutes']:.1f} min pretraining each)", fontsize=9)
        ax.set_ylabel("test accuracy")
    fig.suptitle(title, fontsize=7)
    return fig


if __name__ == "__main__":
    main()
