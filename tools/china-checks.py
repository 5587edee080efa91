#!/usr/bin/env python3
"""Print the figures docs/calibration.md quotes for the `china-reform` scenario beyond
its calibration targets: means over 20 runs (seeds 1-20) with 95% intervals of
- the state's share of output in 1990 (period 13),
- SOE over private labour productivity in 1998 and 2007 (periods 21 and 30),
- SOE over private output per unit of capacity (capital productivity) in those years,
- the skewness of firm sizes (capacity) and of log sizes at the end (2012).
Run from the repository root after `cargo build --release`:

    python3 tools/china-checks.py

The binary is $CATCHUP_BIN if set, else $CARGO_TARGET_DIR/release/catchup, else
target/release/catchup. Needs only the Python standard library.
"""
import csv, math, os, statistics, subprocess, tempfile

from catchup_bin import BIN
SEEDS = range(1, 21)
T_975_19 = 2.093  # Student t, 19 degrees of freedom


def skewness(x):
    n = len(x)
    m = sum(x) / n
    m2 = sum((v - m) ** 2 for v in x) / n
    m3 = sum((v - m) ** 3 for v in x) / n
    return m3 / m2 ** 1.5


def interval(xs):
    m = statistics.mean(xs)
    h = T_975_19 * statistics.stdev(xs) / math.sqrt(len(xs))
    return f"{m:.3f} [{m - h:.3f}, {m + h:.3f}]"


def main():
    figures = {}
    for seed in SEEDS:
        with tempfile.TemporaryDirectory() as out:
            run = os.path.join(out, "r")
            subprocess.run([BIN, "run", "china-reform", "--seed", str(seed), "-q",
                            "--out", run], check=True)
            with open(os.path.join(run, "series.csv"), newline="") as f:
                rows = {(r["sector"], int(r["period"])): r for r in csv.DictReader(f)}
            with open(os.path.join(run, "firms.csv"), newline="") as f:
                last = max(int(r["period"]) for r in rows.values() if r["sector"] == "all")
                sizes = [float(r["capacity"]) for r in csv.DictReader(f)
                         if int(r["period"]) == last and float(r["capacity"]) > 0]

        def value(t, column):
            return float(rows[("all", t)][column])

        def add(name, v):
            figures.setdefault(name, []).append(v)

        add("state share of output, 1990", value(13, "soe_output_share"))
        for year, t in [(1998, 21), (2007, 30)]:
            add(f"SOE / private labour productivity, {year}",
                value(t, "productivity_soe") / value(t, "productivity_private"))
            so, sc = value(t, "soe_output_share"), value(t, "soe_capacity_share")
            add(f"SOE / private output per unit of capacity, {year}",
                (so / sc) / ((1 - so) / (1 - sc)))
        add("skewness of firm sizes (capacity), 2012", skewness(sizes))
        add("skewness of log firm sizes, 2012", skewness([math.log(s) for s in sizes]))
    for name, xs in figures.items():
        print(f"{name}: {interval(xs)}")


if __name__ == "__main__":
    main()
