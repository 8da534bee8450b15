"""Distillation: a wider teacher distilled into the tiny preset on unlabeled reviews.

Chinese product reviews (``load_chinese_reviews``). The teacher is an
``ElectraClassifier`` twice the tiny preset's width and depth (hidden 128, 4 layers),
trained on ``--labels`` labelled reviews. The student is ``ElectraClassifier(model="tiny",
teacher=FrozenEstimator(teacher))`` fitted on ``--n-unlabeled`` training reviews without labels
(``fit(X)``: soft targets only). Beside them, the tiny preset trained on the same labels
directly: what the student would be without a teacher. All share one tokenizer and
``max_length``.

Reported: test accuracy, the share of the teacher's accuracy the student keeps, and
predict throughput (texts/s on the test reviews) of teacher and student in fp32 and with
``quantize="int8"``; each runs untimed once, then ``--repeats`` times in alternating
order, median (min-max).

    python benchmarks/distillation.py [--labels 2000] [--repeats 3] [--quick]
"""

import argparse
import copy
import time

import torch
from sklearn.frozen import FrozenEstimator

from _report import plt, publish
from _harness import alternating, rates
from sklearn_electra import ElectraClassifier, train_wordpiece
from sklearn_electra.datasets import load_chinese_reviews

TEACHER = dict(module__hidden_size=128, module__embedding_size=128, module__num_hidden_layers=4,
               module__num_attention_heads=4, module__intermediate_size=512)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=2000)
    parser.add_argument("--n-test", type=int, default=1000)
    parser.add_argument("--n-unlabeled", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=4, help="teacher and baseline epochs")
    parser.add_argument("--student-epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="small data, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.labels, args.n_test, args.epochs, args.student_epochs, args.repeats = 100, 100, 1, 1, 1
        args.n_unlabeled = 200
    torch.set_num_threads(args.threads)

    train, test = load_chinese_reviews()
    unlabeled = train["text"].sample(min(args.n_unlabeled, len(train)), random_state=1)
    labelled = train.sample(args.labels, random_state=0)
    test = test.sample(min(args.n_test, len(test)), random_state=0)
    tok = train_wordpiece(unlabeled.tolist(), vocab_size=8000)
    common = dict(tokenizer=tok, max_length=128, validation_fraction=None, random_state=0)

    fits = {}
    start = time.perf_counter()
    teacher = ElectraClassifier(**common, **TEACHER, max_epochs=args.epochs).fit(
        labelled["text"], labelled["label"])
    fits["teacher"] = time.perf_counter() - start
    start = time.perf_counter()
    student = ElectraClassifier(**common, max_epochs=args.student_epochs,
                                teacher=FrozenEstimator(teacher)).fit(unlabeled)
    fits["student"] = time.perf_counter() - start
    start = time.perf_counter()
    alone = ElectraClassifier(**common, max_epochs=args.epochs).fit(labelled["text"], labelled["label"])
    fits["tiny on the labels"] = time.perf_counter() - start

    models = {"teacher": teacher, "student": student, "tiny on the labels": alone}
    accuracy = {name: m.score(test["text"], test["label"]) for name, m in models.items()}
    int8 = {name: copy.deepcopy(m).set_params(quantize="int8")
            for name, m in (("teacher", teacher), ("student", student))}
    accuracy.update({f"{name}, int8": m.score(test["text"], test["label"]) for name, m in int8.items()})

    runs = {("teacher", "fp32"): teacher, ("teacher", "int8"): int8["teacher"],
            ("student", "fp32"): student, ("student", "int8"): int8["student"]}
    texts = test["text"].tolist()
    measured = rates(alternating({key: (lambda k, m=m: m.predict_proba(texts))
                                  for key, m in runs.items()}, args.repeats), len(texts))
    rate = {key: value[0] for key, value in measured.items()}
    spread = {key: value[1:] for key, value in measured.items()}
    n_params = {name: sum(p.numel() for p in models[name].module_.parameters())
                for name in ("teacher", "student")}

    header = (f"Distillation on Chinese reviews: teacher (hidden 128, 4 layers, {n_params['teacher']:,} "
              f"parameters) trained on {len(labelled)} labels, {args.epochs} epochs; student (tiny, "
              f"{n_params['student']:,} parameters) distilled on {len(unlabeled)} unlabeled reviews "
              f"(soft targets only, T=2), {args.student_epochs} epochs; {len(test)} test reviews; "
              f"{args.threads} threads; throughput: median (min-max) of {args.repeats} after a warm-up, "
              "alternating order")
    lines = [header, "", "| model | accuracy | of the teacher's | fit time |", "|---|---|---|---|"]
    for name in ("teacher", "student", "tiny on the labels"):
        lines.append(f"| {name} | {accuracy[name]:.3f} | {accuracy[name] / accuracy['teacher']:.1%} | "
                     f"{fits[name]:.0f} s |")
    for name in ("teacher", "student"):
        lines.append(f"| {name}, int8 | {accuracy[name + ', int8']:.3f} | "
                     f"{accuracy[name + ', int8'] / accuracy['teacher']:.1%} | - |")
    lines += ["", "| predict, texts/s | fp32 | int8 |", "|---|---|---|"]
    for name in ("teacher", "student"):
        lines.append(f"| {name} | " + " | ".join(
            f"{rate[(name, p)]:.0f} ({spread[(name, p)][0]:.0f}-{spread[(name, p)][1]:.0f})"
            for p in ("fp32", "int8")) + " |")
    lines.append(f"| student / teacher | {rate[('student', 'fp32')] / rate[('teacher', 'fp32')]:.2f}x | "
                 f"{rate[('student', 'int8')] / rate[('teacher', 'int8')]:.2f}x |")
    lines.append(f"| student int8 / teacher fp32 | | "
                 f"{rate[('student', 'int8')] / rate[('teacher', 'fp32')]:.2f}x |")

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
    keys = list(runs)
    left.bar(range(4), [rate[k] for k in keys], color=["C7", "C8", "C0", "C9"])
    left.set_xticks(range(4), [f"{a}\n{b}" for a, b in keys], fontsize=7)
    left.set_ylabel("predict texts/s")
    names = ["teacher", "student", "tiny on the labels"]
    right.bar(range(3), [accuracy[n] for n in names], color=["C7", "C0", "C1"])
    right.set_xticks(range(3), names, fontsize=7)
    right.set_ylim(0.5, 1.0)
    right.set_ylabel("test accuracy")
    fig.suptitle(header[:120], fontsize=7)
    publish("distillation", lines, fig, quick=args.quick)
    return accuracy, rate


if __name__ == "__main__":
    main()
