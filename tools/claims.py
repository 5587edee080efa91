#!/usr/bin/env python3
"""Print the single-run figures that docs/ODD.md (section 10) quotes for the built-in
scenarios. Run from the repository root after `cargo build --release`:

    python3 tools/claims.py

Needs pandas. Each scenario is run into a temporary directory with its default seed.
"""
import subprocess, sys, tempfile, os
import numpy as np
import pandas as pd

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "catchup")


def run(name):
    out = tempfile.mkdtemp()
    subprocess.run([BIN, "run", name, "--out", os.path.join(out, "r"), "-q"], check=True)
    d = pd.read_csv(os.path.join(out, "r", "series.csv"))
    return d[d.sector != "all"]


def at(d, sector, period, col):
    return d[(d.sector == sector) & (d.period == period)][col].iloc[0]


def main():
    d = run("catch-up")
    print("catch-up: gap at 1,5,10,20,40,100:",
          [round(at(d, "lithography", t, "gap"), 3) for t in (1, 5, 10, 20, 40, 100)])
    print("catch-up: gain_introduction at 2,5,10,20:",
          [round(at(d, "lithography", t, "gain_introduction"), 4) for t in (2, 5, 10, 20)])

    d = run("soe-protection")
    for col in ("capacity", "utilization", "soe_capacity_share", "productivity_soe",
                "productivity_private", "fiscal_cost"):
        print(f"soe-protection @40 {col}: heavy {at(d, 'heavy', 40, col):.3f} "
              f"moderate {at(d, 'moderate', 40, col):.3f}")
    g = d.groupby("sector").bailouts.sum()
    print("soe-protection bailouts over the run:", g.to_dict())

    d = run("research-bridge")
    for t in (20, 40, 60, 80):
        print(f"research-bridge @{t} gap strong {at(d, 'strong', t, 'gap'):.3f} "
              f"weak {at(d, 'weak', t, 'gap'):.3f}")
    print("research-bridge transfers over the run:", d.groupby("sector").transfers.sum().to_dict())

    d = run("trial-and-error")
    g = d.groupby("sector", sort=False)
    print("trial-and-error innovations:", g.innovations.sum().to_dict())
    print("trial-and-error mean log productivity:",
          g.productivity_mean.apply(lambda x: round(np.log(x).mean(), 3)).to_dict())

    d = run("consortium")
    g = d.groupby("sector", sort=False)
    print("consortium mean firms_on_dead_ends:", g.firms_on_dead_ends.mean().round(3).to_dict())
    print("consortium productivity at the end:", g.productivity_mean.last().round(2).to_dict())
    print("consortium innovations:", g.innovations.sum().to_dict())

    d = run("window-of-opportunity")
    for t in (14, 16, 18, 20, 25, 30):
        print(f"window @{t}: old capacity latecomer "
              f"{at(d, 'latecomer', t, 'old_paradigm_capacity_share'):.2f} incumbent "
              f"{at(d, 'incumbent', t, 'old_paradigm_capacity_share'):.2f}; imports incumbent "
              f"{at(d, 'incumbent', t, 'import_share'):.2f}; gap latecomer "
              f"{at(d, 'latecomer', t, 'gap'):.2f} incumbent {at(d, 'incumbent', t, 'gap'):.2f}")

    b = run("baseline")
    t3 = run("three-regimes")
    print("three-regimes vs baseline, catch-up gap @20:",
          round(at(t3, "lithography", 20, "gap"), 3), round(at(b, "catch-up", 20, "gap"), 3))
    print("parallel hhi @100:", round(at(t3, "new-energy-vehicles", 100, "hhi"), 3),
          round(at(b, "parallel", 100, "hhi"), 3))
    print("parallel entries:", t3[t3.sector == "new-energy-vehicles"].entries.sum(),
          b[b.sector == "parallel"].entries.sum())
    print("leading innovations:", t3[t3.sector == "quantum-communication"].innovations.sum(),
          b[b.sector == "leading"].innovations.sum())
    print("leading dead-end share:",
          round(t3[t3.sector == "quantum-communication"].firms_on_dead_ends.mean(), 3),
          round(b[b.sector == "leading"].firms_on_dead_ends.mean(), 3))
    print("baseline hhi @100:", {s: round(at(b, s, 100, "hhi"), 3) for s in ("catch-up", "parallel", "leading")})


if __name__ == "__main__":
    sys.exit(main())
