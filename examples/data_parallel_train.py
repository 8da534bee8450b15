"""Data-parallel training with Hugging Face Accelerate: the same estimator, N processes.

Launch it with Accelerate; every process runs this script, trains on its share
of each epoch's batches, and gradients are averaged, so all processes end with
the same weights::

    # two CPU processes (what the tests run), on any machine
    ACCELERATE_USE_CPU=1 accelerate launch --multi_gpu --num_processes 2 examples/data_parallel_train.py

    # every GPU of this machine, bf16 autocast
    accelerate launch --multi_gpu --mixed_precision bf16 examples/data_parallel_train.py

Run without ``accelerate launch`` it trains in a single process. The main
process writes the fitted model as a Hugging Face directory (``--output``);
with ``--weights-dir`` each process also writes its own final weights, so the
processes can be compared.
"""

import argparse
import json
import os

import torch
from accelerate import Accelerator
from safetensors.torch import save_file
from sklearn.metrics import accuracy_score

from sklearn_electra import ElectraClassifier
from sklearn_electra.datasets import load_chinese_reviews


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=4000, help="training reviews")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32, help="per process")
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--output", default=os.path.join(os.path.dirname(__file__), "output",
                                                         "data_parallel_model"))
    parser.add_argument("--weights-dir", default=None, help="write each process's final weights here")
    args = parser.parse_args(argv)

    accelerator = Accelerator()
    train, test = load_chinese_reviews()
    X, y = train["text"][: args.n_train], train["label"][: args.n_train]

    clf = ElectraClassifier(
        args.preset, max_length=64, vocab_size=2000, max_epochs=args.epochs,
        batch_size=args.batch_size, lr=1e-3, validation_fraction=0.1,
        accelerator=accelerator, device="auto", random_state=0,
    )
    clf.fit(X, y)

    if args.weights_dir:
        os.makedirs(args.weights_dir, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in clf.module_.state_dict().items()}
        rank = accelerator.process_index
        save_file(state, os.path.join(args.weights_dir, f"rank{rank}.safetensors"))
        train_batches = sum("train_loss" in b for b in clf.history_[0, "batches"])
        with open(os.path.join(args.weights_dir, f"rank{rank}.json"), "w") as f:
            json.dump({"num_processes": accelerator.num_processes, "train_batches": train_batches}, f)
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        clf.save_pretrained(args.output)
        test = test[:1000]
        accuracy = accuracy_score(test["label"], clf.predict(test["text"]))
        accelerator.print(
            f"{accelerator.num_processes} process(es) on {accelerator.device}: "
            f"{len(clf.history_)} epochs, test accuracy {accuracy:.3f}; model in {args.output}"
        )
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
