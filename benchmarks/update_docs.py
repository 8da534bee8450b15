"""Regenerate the measured parts of ``docs/benchmarks.md`` from ``benchmarks/results/``.

The page's prose is written by hand; its tables are not. Between the markers

    <!-- results: fit_throughput -->
    ...
    <!-- end results -->

goes the table that ``results/fit_throughput.md`` holds (with the machine and versions
line), and ``results/fit_throughput.png`` is copied to ``docs/figures/``. Between
``<!-- targets -->`` and ``<!-- end targets -->`` goes a table of every row, from every
result file, that has a target: the row, the measured value, the target and whether it
is met. Run it after a full ``make bench``; ``--check`` fails when the page is
out of date.

    python benchmarks/update_docs.py [--check] [--results DIR] [--page docs/benchmarks.md]
"""

import argparse
import filecmp
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULT_BLOCK = re.compile(r"(<!-- results: ([\w.-]+) -->\n)(.*?)(<!-- end results -->)", re.S)
TARGET_BLOCK = re.compile(r"(<!-- targets -->\n)(.*?)(<!-- end targets -->)", re.S)
MEASUREMENT = re.compile(r"^[\d.,]+( \(|x$|, )")  # a median (range), a ratio, a score with its time
NUMBER = re.compile(r"^[\d.,]+%?$")


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def target_rows(name, table):
    """``(benchmark, row, measured, target, met)`` for each row of ``table`` with a target.

    A table has targets when its header has ``target`` and ``met?`` columns; the measured
    value is the column before ``target``, unless the verdict carries its own ("no (2.55x)"
    for a target on another ratio than the column's). The row is named by the columns
    before the first measurement ("800 (790-810)", "1.33x"); a plain number there, such as
    a ``max_length``, is named with its header.
    """
    lines = [line for line in table.splitlines() if line.startswith("|")]
    rows = []
    for k, line in enumerate(lines):
        header = cells(line)
        if "target" not in header or "met?" not in header or k + 1 >= len(lines):
            continue
        at, met = header.index("target"), header.index("met?")
        for row in lines[k + 2:]:
            values = cells(row)
            if len(values) != len(header) or set(values[0]) <= set("-"):
                break
            if values[at] in ("-", ""):
                continue
            label = []
            for column, v in zip(header, values[:at - 1]):
                if MEASUREMENT.match(v):
                    break
                label.append(f"{column} {v}" if NUMBER.match(v) else v)
            measured, verdict = values[at - 1], values[met]
            own = re.match(r"^(yes|no) \((.+)\)$", verdict)
            if own:
                verdict, measured = own.groups()
            rows.append((name, ", ".join(label), measured, values[at], verdict))
    return rows


def render_targets(results):
    lines = ["| benchmark | row | measured | target | met? |", "|---|---|---|---|---|"]
    for name in sorted(results):
        for bench, row, measured, target, met in target_rows(name, results[name]):
            mark = f"**{met}**" if met.startswith("no") else met
            lines.append(f"| {bench} | {row} | {measured} | {target} | {mark} |")
    return "\n".join(lines) + "\n"


def update(page, results_dir):
    """The page with every marked block replaced; raises if a block names no result file."""
    results = {}
    for filename in os.listdir(results_dir):
        if filename.endswith(".md"):
            with open(os.path.join(results_dir, filename), encoding="utf-8") as f:
                results[filename[:-3]] = f.read()

    def table(match):
        name = match.group(2)
        if name not in results:
            raise ValueError(f"docs mark results: {name}, but {results_dir}/{name}.md does not exist; "
                             "run the benchmark (make bench) or fix the marker.")
        return match.group(1) + "\n" + results[name].strip() + "\n\n" + match.group(4)

    page = RESULT_BLOCK.sub(table, page)
    return TARGET_BLOCK.sub(lambda m: m.group(1) + "\n" + render_targets(results) + "\n" + m.group(3), page)


def sync_figures(page, results_dir, figures_dir, check=False):
    """Copy the PNG of every result the page marks into ``figures_dir``; return the names
    whose figure was missing or different there (with ``check``, copy nothing)."""
    stale = []
    for name in sorted({m.group(2) for m in RESULT_BLOCK.finditer(page)}):
        source, target = (os.path.join(d, f"{name}.png") for d in (results_dir, figures_dir))
        if os.path.exists(source) and not (os.path.exists(target)
                                           and filecmp.cmp(source, target, shallow=False)):
            stale.append(name)
            if not check:
                os.makedirs(figures_dir, exist_ok=True)
                shutil.copyfile(source, target)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    parser.add_argument("--page", default=os.path.join(HERE, "..", "docs", "benchmarks.md"))
    parser.add_argument("--figures", default=os.path.join(HERE, "..", "docs", "figures"))
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    with open(args.page, encoding="utf-8") as f:
        before = f.read()
    after = update(before, args.results)
    stale = sync_figures(after, args.results, args.figures, check=args.check)
    if args.check:
        if after != before or stale:
            print(f"{args.page} or its figures ({', '.join(stale) or 'none stale'}) are out of "
                  "date: run python benchmarks/update_docs.py", file=sys.stderr)
            return 1
        return 0
    with open(args.page, "w", encoding="utf-8") as f:
        f.write(after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
