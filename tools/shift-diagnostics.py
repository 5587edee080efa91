#!/usr/bin/env python3
"""Print what happens around a paradigm shift in `catch-up`, the figures ODD §10 quotes
for claims 9b and 9c: means (and standard deviations) over 15 seeds (100-114) of three
arms, all with a shift at period 30 of depth DEPTH (`model.paradigm_drop`, default 0.3):
low tariff (0.05), high tariff (0.4), and low tariff with the entry barrier lifted at
the shift. For each: the old-paradigm capacity share over periods 31-50, the last
period with old-paradigm capacity, paradigm switches and entrants over 30-50, the mean
log productivity over 31-50 (differences to the low-tariff arm) and over 45-50.
Run from the repository root after `cargo build --release`:

    python3 tools/shift-diagnostics.py [DEPTH]

The binary is $CATCHUP_BIN if set, else $CARGO_TARGET_DIR/release/catchup, else
target/release/catchup. Needs only the Python standard library.
"""
import csv, math, os, statistics as st, subprocess, sys, tempfile

from catchup_bin import BIN
SEEDS = range(100, 115)
ARMS = {
    "low": ["sector.lithography.policy.tariff=0.05"],
    "high": ["sector.lithography.policy.tariff=0.4"],
    "entry": ["sector.lithography.policy.tariff=0.05",
              'schedule+={period=30, sector="lithography", levers={entry_barrier=0}}'],
}


def run(tmp, seed, depth, sets, tag):
    out = os.path.join(tmp, f"{tag}-{seed}")
    args = [BIN, "run", "catch-up", "-q", "--force", "--out", out,
            "--set", f"seed={seed}", "--set", f"model.paradigm_drop={depth}",
            "--set", "sector.lithography.paradigm_shifts=[30]"]
    for s in sets:
        args += ["--set", s]
    subprocess.run(args, check=True, capture_output=True)
    with open(os.path.join(out, "series.csv")) as f:
        return [r for r in csv.DictReader(f) if r["sector"] == "lithography"]


def mean(rows, key, first, last, f=lambda x: x):
    return st.mean(f(float(r[key])) for r in rows if first <= int(r["period"]) <= last)


def total(rows, key, first, last):
    return sum(int(r[key]) for r in rows if first <= int(r["period"]) <= last)


def main():
    depth = sys.argv[1] if len(sys.argv) > 1 else "0.3"
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            rows = {tag: run(tmp, seed, depth, sets, tag) for tag, sets in ARMS.items()}
            base = mean(rows["low"], "productivity_mean", 31, 50, math.log)
            for tag, r in rows.items():
                last_old = max([int(x["period"]) for x in r
                                if float(x["old_paradigm_capacity_share"]) > 0] + [0])
                for name, value in [
                    ("old-paradigm capacity share, 31-50", mean(r, "old_paradigm_capacity_share", 31, 50)),
                    ("last period with old capacity", last_old),
                    ("paradigm switches, 30-50", total(r, "paradigm_switches", 30, 50)),
                    ("entrants, 30-50", total(r, "entries", 30, 50)),
                    ("mean log productivity, 31-50, minus low", mean(r, "productivity_mean", 31, 50, math.log) - base),
                    ("mean log productivity, 45-50", mean(r, "productivity_mean", 45, 50, math.log)),
                ]:
                    figures.setdefault(name, {}).setdefault(tag, []).append(value)
    print(f"catch-up, shift at 30 of depth {depth}, seeds {SEEDS.start}-{SEEDS.stop - 1}: mean (sd)")
    print(f"{'':42s}" + "".join(f"{t:>20s}" for t in ARMS))
    for name, by_arm in figures.items():
        cells = "".join(f"{st.mean(v):>12.4f} ({st.stdev(v):.3f})" for v in by_arm.values())
        print(f"{name:42s}{cells}")


if __name__ == "__main__":
    main()
