"""A hyperparameter search fanned out over a Dask cluster, with a progress display.

By default a local cluster is started (two worker processes, one thread each:
one fit per core, ``n_threads=1`` so the fits do not fight over the cores).
Point it at a real cluster with the scheduler's address::

    python examples/distributed_search.py                       # local cluster
    python examples/distributed_search.py --scheduler tcp://10.0.0.5:8786

Every worker needs this package and its data installed (the same environment
as the client). The search is an ordinary ``GridSearchCV``; only the joblib
backend changes, so the results are those of a sequential search with the same
``random_state``.
"""

import argparse
import os
import time

import joblib
import pandas as pd
import torch
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from sklearn_electra import ElectraClassifier
from sklearn_electra.datasets import load_chinese_reviews


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (default: start a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="local cluster: worker processes")
    parser.add_argument("--n-texts", type=int, default=1500, help="reviews searched over")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "output"))
    args = parser.parse_args(argv)
    os.makedirs(args.output, exist_ok=True)

    train, _ = load_chinese_reviews()
    X, y = train["text"][: args.n_texts].tolist(), train["label"][: args.n_texts].to_numpy()
    search = GridSearchCV(
        ElectraClassifier(max_length=64, vocab_size=2000, max_epochs=args.epochs,
                          n_threads=1, random_state=0),
        {"lr": [3e-4, 1e-3, 3e-3], "module__dropout": [0.0, 0.1]},
        cv=3, n_jobs=-1,
        verbose=2,  # a line per finished fit, and joblib's running count: the progress display
    )

    if args.scheduler:
        cluster, client = None, Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        # Workers inherit no thread settings from the client.
        client.run(torch.set_num_threads, 1)
        print(f"Searching on {len(client.scheduler_info()['workers'])} Dask workers ...")
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
        elapsed = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    results = pd.DataFrame(search.cv_results_)[
        ["param_lr", "param_module__dropout", "mean_test_score", "std_test_score", "mean_fit_time"]
    ].sort_values("mean_test_score", ascending=False)
    path = os.path.join(args.output, "distributed_search.csv")
    results.to_csv(path, index=False)
    print(results.to_string(index=False))
    print(f"best {search.best_params_}: accuracy {search.best_score_:.3f} "
          f"({elapsed:.0f} s for {len(results) * 3} fits + refit); table in {path}")
    return search


if __name__ == "__main__":
    main()
