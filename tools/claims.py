#!/usr/bin/env python3
"""Print the single-run figures that docs/ODD.md (section 10) quotes for the built-in
scenarios. Run from the repository root after `cargo build --release`:

    python3 tools/claims.py

The binary is $CATCHUP_BIN if set, else $CARGO_TARGET_DIR/release/catchup, else
target/release/catchup. Needs only the Python standard library. Each scenario is run
into a temporary directory with its default seed (42).
"""
import csv, math, os, subprocess, sys, tempfile

from catchup_bin import BIN


def run(name):
    """Run a built-in scenario; return {sector: {period: row}} without the `all` rows."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([BIN, "run", name, "--out", os.path.join(out, "r"), "--force", "-q"],
                       check=True)
        with open(os.path.join(out, "r", "series.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
    d = {}
    for r in rows:
        if r["sector"] != "all":
            d.setdefault(r["sector"], {})[int(r["period"])] = r
    return d


def num(x):
    try:
        return float(x)
    except ValueError:
        return float("nan")


def at(d, sector, period, col):
    return num(d[sector][period][col])


def col(d, sector, name):
    return [num(d[sector][t][name]) for t in sorted(d[sector])]


def total(d, sector, name):
    return sum(col(d, sector, name))


def mean(d, sector, name):
    xs = [x for x in col(d, sector, name) if not math.isnan(x)]
    return sum(xs) / len(xs)


def main():
    d = run("catch-up")
    s = "lithography"
    print("catch-up: gap at 1,5,10,20,40,100:",
          [round(at(d, s, t, "gap"), 3) for t in (1, 5, 10, 20, 40, 100)],
          "; largest:", round(max(col(d, s, "gap")), 3), "in period",
          1 + col(d, s, "gap").index(max(col(d, s, "gap"))))
    print("catch-up: gain_introduction at 2,5,10,20:",
          [round(at(d, s, t, "gain_introduction"), 4) for t in (2, 5, 10, 20)],
          "; largest from period 20 on:", max(col(d, s, "gain_introduction")[19:]))

    d = run("soe-protection")
    for c in ("capacity", "utilization", "soe_capacity_share", "productivity_soe",
              "productivity_private", "fiscal_cost"):
        print(f"soe-protection @40 {c}: heavy {at(d, 'heavy', 40, c):.3f} "
              f"moderate {at(d, 'moderate', 40, c):.3f}")
    first_level = next((t for t in sorted(d["heavy"])
                        if at(d, "heavy", t, "productivity_soe")
                        >= at(d, "heavy", t, "productivity_private")), "never")
    print("soe-protection: first period heavy's SOE productivity reaches private:", first_level)
    for c in ("bailouts", "bailout_spending"):
        print(f"soe-protection {c} over the run: heavy {total(d, 'heavy', c):.0f} "
              f"moderate {total(d, 'moderate', c):.0f}")
    print("soe-protection SOEs at period 1 and 100: heavy",
          at(d, "heavy", 1, "firms_soe"), at(d, "heavy", 100, "firms_soe"),
          "moderate", at(d, "moderate", 1, "firms_soe"), at(d, "moderate", 100, "firms_soe"))

    d = run("research-bridge")
    for t in (20, 40, 60, 80):
        print(f"research-bridge @{t} gap strong {at(d, 'strong', t, 'gap'):.3f} "
              f"weak {at(d, 'weak', t, 'gap'):.3f}")
    print("research-bridge transfers over the run:",
          {s: total(d, s, "transfers") for s in ("strong", "weak")})

    d = run("trial-and-error")
    print("trial-and-error innovations:", {s: total(d, s, "innovations") for s in d})
    print("trial-and-error mean log productivity:",
          {s: round(sum(math.log(x) for x in col(d, s, "productivity_mean"))
                    / len(d[s]), 3) for s in d})

    d = run("consortium")
    print("consortium mean firms_on_dead_ends:",
          {s: round(mean(d, s, "firms_on_dead_ends"), 3) for s in d})
    print("consortium mean firms_on_best_path:",
          {s: round(mean(d, s, "firms_on_best_path"), 3) for s in d})
    print("consortium innovations:", {s: total(d, s, "innovations") for s in d})
    print("consortium productivity at the end:",
          {s: round(col(d, s, "productivity_mean")[-1], 2) for s in d})

    d = run("window-of-opportunity")
    for t in range(14, 26):
        print(f"window @{t}: old capacity latecomer "
              f"{at(d, 'latecomer', t, 'old_paradigm_capacity_share'):.2f} incumbent "
              f"{at(d, 'incumbent', t, 'old_paradigm_capacity_share'):.2f}; SOEs incumbent "
              f"{at(d, 'incumbent', t, 'firms_soe'):.0f} (exits {at(d, 'incumbent', t, 'exits'):.0f}); "
              f"imports incumbent "
              f"{at(d, 'incumbent', t, 'import_share'):.2f}; gap latecomer "
              f"{at(d, 'latecomer', t, 'gap'):.2f} incumbent {at(d, 'incumbent', t, 'gap'):.2f}")
    print("window: largest import share of incumbent:", round(max(col(d, "incumbent", "import_share")), 2))
    for t in (10, 14, 16, 18, 20, 22, 25, 30, 40, 60):
        imports = at(d, "incumbent", t, "import_share")
        soe = (1 - imports) * at(d, "incumbent", t, "soe_output_share")
        print(f"window @{t}: incumbent's market: private {1 - imports - soe:.2f} "
              f"SOEs {soe:.2f} imports {imports:.2f}")

    b = run("baseline")
    t3 = run("three-regimes")
    print("three-regimes vs baseline, catch-up gap @20:",
          round(at(t3, "lithography", 20, "gap"), 3), round(at(b, "catch-up", 20, "gap"), 3))
    print("parallel entries:", total(t3, "new-energy-vehicles", "entries"),
          total(b, "parallel", "entries"))
    print("parallel SOEs @100:", at(t3, "new-energy-vehicles", 100, "firms_soe"),
          at(b, "parallel", 100, "firms_soe"))
    print("parallel mean fiscal cost:", round(mean(t3, "new-energy-vehicles", "fiscal_cost")),
          round(mean(b, "parallel", "fiscal_cost")))
    print("parallel hhi @100:", round(at(t3, "new-energy-vehicles", 100, "hhi"), 3),
          round(at(b, "parallel", 100, "hhi"), 3))
    print("leading innovations:", total(t3, "quantum-communication", "innovations"),
          total(b, "leading", "innovations"))
    print("leading dead-end share:",
          round(mean(t3, "quantum-communication", "firms_on_dead_ends"), 3),
          round(mean(b, "leading", "firms_on_dead_ends"), 3))
    print("baseline hhi @100:", {s: round(at(b, s, 100, "hhi"), 3) for s in ("catch-up", "parallel", "leading")})

    d = run("patient-funding")
    for name in ("innovations", "paths_abandoned", "rd_subsidy_spending"):
        print(f"patient-funding {name}:", {s: round(total(d, s, name)) for s in d})
    for name in ("firms_on_dead_ends", "firms_on_best_path"):
        print(f"patient-funding mean {name}:", {s: round(mean(d, s, name), 2) for s in d})
    print("patient-funding productivity @100:",
          {s: round(at(d, s, 100, "productivity_mean"), 2) for s in d})


if __name__ == "__main__":
    sys.exit(main())
