"""Where the benchmarks put what they measured: a Markdown table and a PNG per script."""

import os

import matplotlib

from _harness import environment

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def publish(name, lines, fig, quick=False):
    """Print the table, write it to ``results/<name>.md`` and the figure to ``<name>.png``.

    ``--quick`` runs write to ``results/quick/``, so they never replace the full results
    that ``docs/benchmarks.md`` quotes.
    """
    table = "\n".join([*lines, "", environment()])
    print(table)
    folder = os.path.join(RESULTS, "quick") if quick else RESULTS
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{name}.md"), "w") as f:
        f.write(table + "\n")
    fig.tight_layout()
    fig.savefig(os.path.join(folder, f"{name}.png"), dpi=120)
    plt.close(fig)
