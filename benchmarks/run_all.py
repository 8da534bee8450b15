"""Run every benchmark in this folder; results (tables and PNGs) go to ``results/``.

    python benchmarks/run_all.py            # make bench: the full suite (about 2.5 hours on 2 cores)
    python benchmarks/run_all.py --quick    # make bench-quick: about 7 minutes, same code paths
"""

import sys
import time

import accuracy
import augmentation
import calibration
import defaults
import distillation
import efficiency
import fit_throughput
import memory
import predict_throughput
import pretrain_curve
import pretrain_throughput
import qa_throughput
import recipe_scratch
import tag_throughput
import targets
import window_memory
import window_throughput

# (module, its own arguments): accuracy.py runs once per task. pretrain_curve.py runs for hours
# on its own (python benchmarks/pretrain_curve.py); here only with --quick, as a smoke run.
BENCHMARKS = ((fit_throughput, []), (predict_throughput, []), (efficiency, []), (memory, []),
              (tag_throughput, []), (pretrain_throughput, []), (accuracy, ["--task", "regression"]),
              (accuracy, ["--task", "multilabel"]),
              (accuracy, ["--task", "windows", "--batch-size", "8"]), (window_throughput, []),
              (qa_throughput, []), (augmentation, []), (distillation, []),
              (targets, ["--task", "imbalanced"]), (targets, ["--task", "columns"]), (window_memory, []),
              (defaults, []), (calibration, []), (recipe_scratch, []), (pretrain_curve, []))

if __name__ == "__main__":
    args = ["--quick"] if "--quick" in sys.argv[1:] else []
    only = [a for a in sys.argv[1:] if not a.startswith("--")]  # e.g. run_all.py memory accuracy
    for bench, own in BENCHMARKS:
        if only and bench.__name__ not in only:
            continue
        if bench is pretrain_curve and not args:
            continue
        start = time.perf_counter()
        name = " ".join([bench.__name__, *own])
        print(f"\n## {name}\n", flush=True)
        bench.main(own + args)
        print(f"\n({name}: {time.perf_counter() - start:.0f} s)", flush=True)
