#!/usr/bin/env python3
"""Print the single-run figures that the built-in scenarios' texts (`description`,
`look_at`, `notice`, `try` in scenarios/*.toml), the lesson plan in docs/teaching.md and
the README quote. Run from the repository root after `cargo build --release`:

    python3 tools/scenario-figures.py                   # every scenario
    python3 tools/scenario-figures.py catch-up baseline # some of them

The binary is $CATCHUP_BIN if set, else $CARGO_TARGET_DIR/release/catchup, else
target/release/catchup. Needs only the Python standard library. Each scenario runs into
a temporary directory with its own seed (42); a "try" runs with its lever change as
`--set`. A change the classroom page makes after stepping to period N holds from period
N + 1 on, so it is run as a schedule entry at period N + 1.

soe-protection and window-of-opportunity are covered here too (their texts and "try"
items; tools/claims.py prints their figures in the ODD §10 table). Not covered: the
README's bench-1m figures (`catchup run bench-1m --periods 10 --format parquet`, and
again without `--format`: `firms_final` in manifest.json and the sizes of firms.parquet
and firms.csv) and the API example in docs/teaching.md (`catchup run catch-up --periods
2`: `gap` and `import_share` at period 1 and the firms living at period 2).
"""
import csv, math, os, statistics, subprocess, sys, tempfile

from catchup_bin import BIN


class Run:
    """One run of a built-in scenario: its rows by sector and period (`all` included)."""

    def __init__(self, name, *sets):
        args = [BIN, "run", name, "--force", "-q"]
        for s in sets:
            args += ["--set", s]
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(args + ["--out", os.path.join(out, "r")], check=True)
            with open(os.path.join(out, "r", "series.csv"), newline="") as f:
                rows = list(csv.DictReader(f))
        self.d = {}
        for r in rows:
            self.d.setdefault(r["sector"], {})[int(r["period"])] = r

    def at(self, sector, period, name):
        try:
            return float(self.d[sector][period][name])
        except ValueError:
            return float("nan")

    def col(self, sector, name, first=1, last=None):
        periods = sorted(self.d[sector])
        last = periods[-1] if last is None else last
        return [self.at(sector, t, name) for t in periods if first <= t <= last]

    def total(self, sector, name, first=1, last=None):
        return sum(self.col(sector, name, first, last))

    def mean(self, sector, name, first=1, last=None):
        xs = [x for x in self.col(sector, name, first, last) if not math.isnan(x)]
        return sum(xs) / len(xs)

    def first(self, sector, name, test, after=1):
        """The first period from `after` on at which test(value) holds, or None."""
        return next((t for t in sorted(self.d[sector])
                     if t >= after and test(self.at(sector, t, name))), None)

    def spans(self, sector, name, test):
        """The runs of periods (first, last) in which test(value) holds."""
        out = []
        for t in sorted(self.d[sector]):
            if test(self.at(sector, t, name)):
                if out and out[-1][1] == t - 1:
                    out[-1] = (out[-1][0], t)
                else:
                    out.append((t, t))
        return out

    def always_from(self, sector, name, test):
        """The first period from which test(value) holds to the end, or None."""
        ts = sorted(self.d[sector])
        start = None
        for t in ts:
            if test(self.at(sector, t, name)):
                start = t if start is None else start
            else:
                start = None
        return start


def r2(x):
    return round(x, 2)


def r3(x):
    return round(x, 3)


def at_list(run, sector, name, periods, digits=2):
    return {t: round(run.at(sector, t, name), digits) for t in periods}


def totals(run, name, sectors):
    return {s: round(run.total(s, name)) for s in sectors}


def say(*args):
    print(" ", *args)


def baseline():
    b = Run("baseline")
    S = ("catch-up", "parallel", "leading")
    say("notice 1: catch-up gap", at_list(b, "catch-up", "gap", (1, 10, 20)),
        "; parallel gap mean", r2(b.mean("parallel", "gap")),
        "range", r2(min(b.col("parallel", "gap"))), r2(max(b.col("parallel", "gap"))),
        "; leading gap range", r2(min(b.col("leading", "gap"))), r2(max(b.col("leading", "gap"))))
    say("notice 2: innovations", totals(b, "innovations", S),
        "; catch-up absorptions", round(b.total("catch-up", "absorptions")))
    say("notice 3: leading dead-end share at 1", r2(b.at("leading", 1, "firms_on_dead_ends")),
        "mean", r2(b.mean("leading", "firms_on_dead_ends")))
    say("notice 4: soe_capacity_share catch-up", at_list(b, "catch-up", "soe_capacity_share", (1, 100)),
        "; leading zero from", b.always_from("leading", "soe_capacity_share", lambda x: x < 0.005),
        "; parallel", at_list(b, "parallel", "soe_capacity_share", (1, 20, 50, 65, 100)),
        "largest", r2(max(b.col("parallel", "soe_capacity_share"))), "in period",
        max(range(1, 101), key=lambda t: b.at("parallel", t, "soe_capacity_share")),
        "; parallel productivity SOE/private at 50, 100:",
        [r2(b.at("parallel", t, "productivity_soe") / b.at("parallel", t, "productivity_private"))
         for t in (50, 100)])
    t = Run("baseline", "policy.soe_credit=3", "policy.soe_preference=0.25")
    for s in S:
        say(f"try 1 ({s}): soe_capacity_share", at_list(t, s, "soe_capacity_share", (20, 100)),
            "utilization at 20", r2(t.at(s, 20, "utilization")),
            "mean 20-100", r2(t.mean(s, "utilization", 20)))
    t = Run("baseline", "policy.tolerance=1")
    pa = t.col("parallel", "paths_abandoned")
    say("try 2: parallel paths_abandoned median", statistics.median(pa),
        "periods over 100:", sum(x > 100 for x in pa),
        "; innovations", totals(t, "innovations", S), "(default", totals(b, "innovations", S), ")")
    t = Run("baseline", "policy.consortium=true")
    say("try 3: leading dead-end mean", r2(t.mean("leading", "firms_on_dead_ends")),
        "(default", r2(b.mean("leading", "firms_on_dead_ends")), "); innovations",
        round(t.total("leading", "innovations")), "(default", round(b.total("leading", "innovations")), ")")


def catch_up():
    d = Run("catch-up")
    s = "lithography"
    g = d.col(s, "gap")
    say("gap", at_list(d, s, "gap", (1, 10, 20, 25, 30, 40, 60, 80, 100)),
        "largest", r2(max(g)), "in period", 1 + g.index(max(g)))
    gi = d.col(s, "gain_introduction")
    say("gain_introduction largest in period", 1 + gi.index(max(gi)),
        at_list(d, s, "gain_introduction", (2, 5, 10, 20), 4),
        "; gap passes 0.7 in period", d.first(s, "gap", lambda x: x > 0.7))
    say("import_share", at_list(d, s, "import_share", (1, 5, 10)),
        "; fiscal cost positive from", d.always_from(s, "fiscal_cost", lambda x: x > 0),
        at_list(d, s, "fiscal_cost", range(1, 10), 0),
        "; fiscal cost negative in", d.spans(s, "fiscal_cost", lambda x: x < 0))
    im = d.col(s, "import_share", 11)
    say("import_share from period 11 on: largest", r2(max(im)), "in period", 11 + im.index(max(im)),
        "; 2% or more in", d.spans(s, "import_share", lambda x: x >= 0.02))
    say("soe_capacity_share", at_list(d, s, "soe_capacity_share", (1, 100)),
        "soe_output_share", at_list(d, s, "soe_output_share", (1, 100)))
    t = Run("catch-up", "policy.rd_subsidy=1.0")
    say("try rd_subsidy 1: gap", at_list(t, s, "gap", (10, 20)),
        "fiscal_cost at 20", round(t.at(s, 20, "fiscal_cost")), "against", round(d.at(s, 20, "fiscal_cost")))
    t = Run("catch-up", "policy.bridge=0.6", "policy.researcher_incentive=0.6")
    say("try bridge+incentive 0.6: transfers by period", at_list(t, s, "transfers", range(1, 21), 0),
        "default", at_list(d, s, "transfers", range(1, 21), 0),
        "; gap at 10", r2(t.at(s, 10, "gap")))
    for tariff in ("0", "0.5"):
        t = Run("catch-up", f"policy.tariff={tariff}")
        say(f"try tariff {tariff}: gap at 10", r2(t.at(s, 10, "gap")),
            "imports at 5", r2(t.at(s, 5, "import_share")),
            "fiscal cost 1-5", at_list(t, s, "fiscal_cost", range(1, 6), 0))


def research_bridge():
    d = Run("research-bridge")
    tr = d.col("strong", "transfers")
    say("strong transfers a period from period 2 on", min(tr[1:]), "to", max(tr), "; 5-95%",
        sorted(tr)[len(tr) // 20], sorted(tr)[-len(tr) // 20 - 1],
        "; totals", totals(d, "transfers", ("strong", "weak")))
    say("gap strong", at_list(d, "strong", "gap", (10, 20, 80)), "weak", at_list(d, "weak", "gap", (10, 20, 80)))
    say("institute_staff strong", at_list(d, "strong", "institute_staff", (1, 20, 40, 80)),
        "max", r2(max(d.col("strong", "institute_staff"))),
        "weak", at_list(d, "weak", "institute_staff", (1, 20, 40, 80)))
    ratio = [d.at("strong", t, "institute_spending") / d.at("weak", t, "institute_spending")
             for t in range(25, 81)]
    more = [d.at("strong", t, "fiscal_cost") - d.at("weak", t, "fiscal_cost") for t in range(25, 81)]
    say("institute spending strong/weak from 25 on:", r2(min(ratio)), "to", r2(max(ratio)),
        "; fiscal cost strong minus weak from 25 on:", round(min(more)), "to", round(max(more)))
    t = Run("research-bridge", "sector.strong.policy.researcher_incentive=0.05")
    say("try strong incentive 0.05: strong transfers", round(t.total("strong", "transfers")),
        "staff at 80", r2(t.at("strong", 80, "institute_staff")))
    t = Run("research-bridge", "sector.weak.policy.bridge=0.6")
    say("try weak bridge 0.6: weak transfers", round(t.total("weak", "transfers")),
        "a period max", max(t.col("weak", "transfers")), "median", statistics.median(t.col("weak", "transfers")))
    t = Run("research-bridge", "sector.weak.policy.researcher_incentive=0.5")
    ratio = [t.at("weak", p, "institute_spending") / d.at("weak", p, "institute_spending")
             for p in range(10, 81)]
    more = [t.at("weak", p, "fiscal_cost") - d.at("weak", p, "fiscal_cost") for p in range(10, 81)]
    say("try weak incentive 0.5: weak transfers", round(t.total("weak", "transfers")),
        "staff", at_list(t, "weak", "institute_staff", (20, 40, 80)),
        "; institute spending against default from 10 on:", r2(min(ratio)), "to", r2(max(ratio)),
        "; fiscal cost minus default from 10 on:", round(min(more)), "to", round(max(more)))


def trial_and_error():
    d = Run("trial-and-error")
    L = ("leading-t1", "leading-t5", "leading-t30")
    say("innovations", totals(d, "innovations", L))
    pa = d.col("leading-t1", "paths_abandoned")
    say("t1 paths abandoned a period", min(pa), "to", max(pa), "(from period 2:", min(pa[1:]), ")",
        "; t30 total", round(d.total("leading-t30", "paths_abandoned")),
        "; t30 dead-end mean", r2(d.mean("leading-t30", "firms_on_dead_ends")))
    say("productivity around shifts t5", at_list(d, "leading-t5", "productivity_mean", (24, 25, 26, 49, 50, 51, 74, 75, 76)))
    say("catch-up productivity at 100", {s: r2(d.at(s, 100, "productivity_mean")) for s in ("catch-up-t1", "catch-up-t30")})
    t = Run("trial-and-error", "policy.consortium=true")
    say("try consortium: dead-end means", {s: r2(t.mean(s, "firms_on_dead_ends")) for s in L},
        "innovations", totals(t, "innovations", L))
    t = Run("trial-and-error", "sector.leading-t1.policy.tolerance=3")
    say("try t1 tolerance 3: paths abandoned", round(t.total("leading-t1", "paths_abandoned")),
        "(default", round(d.total("leading-t1", "paths_abandoned")), ") innovations",
        round(t.total("leading-t1", "innovations")))
    t = Run("trial-and-error", "schedule+={period=31, sector=\"leading-t30\", levers={tolerance=5}}")
    s = "leading-t30"
    say("try t30 to 5 after period 30: dead-end share", at_list(t, s, "firms_on_dead_ends", (30, 35, 38, 40, 43, 45)),
        "; innovations a period 31-50", r2(t.mean(s, "innovations", 31, 50)),
        "against", r2(d.mean(s, "innovations", 31, 50)))


def consortium():
    d = Run("consortium")
    S = ("alone", "consortium")
    say("dead-end share at 1", {s: r2(d.at(s, 1, "firms_on_dead_ends")) for s in S},
        "; consortium zero from", d.always_from("consortium", "firms_on_dead_ends", lambda x: x == 0),
        "; alone from 6 on", r2(min(d.col("alone", "firms_on_dead_ends", 6))), "to",
        r2(max(d.col("alone", "firms_on_dead_ends", 6))),
        "mean", r2(d.mean("alone", "firms_on_dead_ends")))
    say("best path: consortium half or more from", d.always_from("consortium", "firms_on_best_path", lambda x: x >= 0.5),
        "; alone from 10 on", r2(min(d.col("alone", "firms_on_best_path", 10))), "to",
        r2(max(d.col("alone", "firms_on_best_path", 10))),
        "; means", {s: r2(d.mean(s, "firms_on_best_path")) for s in S},
        "; innovations", totals(d, "innovations", S))
    say("productivity", {s: at_list(d, s, "productivity_mean", (20, 80)) for s in S},
        "; alone firms_private", at_list(d, "alone", "firms_private", (1, 20, 22, 30, 40, 46, 60, 80), 0),
        "min at", min(range(20, 81), key=lambda t: d.at("alone", t, "firms_private")))
    for s in S:
        fp = d.col(s, "firms_private")
        top = 1 + fp.index(max(fp))
        low = top + fp[top - 1:].index(min(fp[top - 1:]))
        say(f"{s} firms_private largest", round(max(fp)), "in period", top,
            "then smallest", round(min(fp[top - 1:])), "in period", low)
    ahead = [t for t in range(1, 81) if d.at("consortium", t, "productivity_mean")
             > d.at("alone", t, "productivity_mean")]
    say("consortium ahead in productivity in", len(ahead), "periods:", ahead)
    t = Run("consortium", "schedule+={period=21, sector=\"alone\", levers={consortium=true}}")
    say("try consortium on after period 20: alone dead ends zero from",
        t.always_from("alone", "firms_on_dead_ends", lambda x: x == 0),
        "; innovations 21-80 alone", round(t.total("alone", "innovations", 21)),
        "against", round(d.total("alone", "innovations", 21)),
        "consortium", round(d.total("consortium", "innovations", 21)))
    t = Run("consortium", "policy.tolerance=1")
    say("try tolerance 1: alone dead-end mean", r2(t.mean("alone", "firms_on_dead_ends")),
        "; innovations", totals(t, "innovations", S))


def patient_funding():
    d = Run("patient-funding")
    S = ("impatient", "patient")
    say("innovations", totals(d, "innovations", S), "grants", totals(d, "rd_subsidy_spending", S))
    say("paths abandoned", totals(d, "paths_abandoned", S),
        "dead-end mean", {s: r2(d.mean(s, "firms_on_dead_ends")) for s in S},
        "best-path mean", {s: r2(d.mean(s, "firms_on_best_path")) for s in S})
    say("productivity at 100", {s: r2(d.at(s, 100, "productivity_mean")) for s in S},
        "around shifts", {s: at_list(d, s, "productivity_mean", (24, 25, 49, 50, 74, 75)) for s in S})
    t = Run("patient-funding", "sector.impatient.policy.rd_patience=5")
    say("try impatient patience 5: innovations", totals(t, "innovations", S),
        "paths abandoned", totals(t, "paths_abandoned", S))
    t = Run("patient-funding", "sector.impatient.policy.rd_subsidy=0")
    say("try impatient subsidy 0: innovations", totals(t, "innovations", S))
    t = Run("patient-funding", "sector.patient.policy.tolerance=30")
    say("try patient tolerance 30: dead-end mean", r2(t.mean("patient", "firms_on_dead_ends")),
        "innovations", totals(t, "innovations", S))


def three_regimes():
    b = Run("baseline")
    d = Run("three-regimes")
    c, p, l = "lithography", "new-energy-vehicles", "quantum-communication"
    say("gap", at_list(d, c, "gap", (10, 20)), "baseline", at_list(b, "catch-up", "gap", (10, 20)))
    say("entries", round(d.total(p, "entries")), "baseline", round(b.total("parallel", "entries")),
        "; soe_output_share", at_list(d, p, "soe_output_share", (20, 100)),
        "baseline", at_list(b, "parallel", "soe_output_share", (20, 100)))
    say("innovations", round(d.total(l, "innovations")), "baseline", round(b.total("leading", "innovations")),
        "; dead-end mean", r2(d.mean(l, "firms_on_dead_ends")), "baseline", r2(b.mean("leading", "firms_on_dead_ends")))
    t = Run("three-regimes", f"sector.{l}.policy.consortium=false")
    say("try consortium off: dead-end mean", r2(t.mean(l, "firms_on_dead_ends")),
        "innovations", round(t.total(l, "innovations")))
    t = Run("three-regimes", f"sector.{p}.policy.entry_barrier=0.2", f"sector.{p}.policy.soe_preference=0.05")
    say("try baseline barrier and preference: entries", round(t.total(p, "entries")),
        "soe_output_share at 20", r2(t.at(p, 20, "soe_output_share")))


def soe_protection():
    d = Run("soe-protection")
    H, M = "heavy", "moderate"
    say("capacity at 20", {s: round(d.at(s, 20, "capacity")) for s in (H, M)},
        "ratio", r2(d.at(H, 20, "capacity") / d.at(M, 20, "capacity")),
        "; utilization at 20", {s: r2(d.at(s, 20, "utilization")) for s in (H, M)},
        "mean 20-100", {s: r2(d.mean(s, "utilization", 20)) for s in (H, M)})
    say("heavy soe_capacity_share", at_list(d, H, "soe_capacity_share", (1, 19, 20, 40, 100)),
        "; moderate", at_list(d, M, "soe_capacity_share", (1, 20, 40, 100)),
        "; heavy firms_private", at_list(d, H, "firms_private", (1, 20, 30, 35, 40, 60, 100), 0),
        "largest", round(max(d.col(H, "firms_private"))),
        "in period", max(range(1, 101), key=lambda t: d.at(H, t, "firms_private")))
    say("heavy fiscal_cost", at_list(d, H, "fiscal_cost", range(1, 7), 0),
        "positive from", d.always_from(H, "fiscal_cost", lambda x: x > 0),
        "; at 20 heavy", round(d.at(H, 20, "fiscal_cost")), "moderate", round(d.at(M, 20, "fiscal_cost")),
        "ratio", r2(d.at(H, 20, "fiscal_cost") / d.at(M, 20, "fiscal_cost")),
        "; heavy production subsidy at 20", round(d.at(H, 20, "production_subsidy_spending")))
    say("productivity SOE/private at 20", {s: (r2(d.at(s, 20, "productivity_soe")),
                                              r2(d.at(s, 20, "productivity_private"))) for s in (H, M)},
        "; bailouts", totals(d, "bailouts", (H, M)),
        "; firms_soe", {s: at_list(d, s, "firms_soe", (1, 20, 30, 40, 60, 80, 100), 0) for s in (H, M)},
        "; moderate's first closed by period", d.first(M, "firms_soe", lambda x: x < 20))
    t = Run("soe-protection", "sector.heavy.policy.soe_preference=0")
    say("try heavy preference 0: soe_capacity_share at 20", r2(t.at(H, 20, "soe_capacity_share")),
        "(default", r2(d.at(H, 20, "soe_capacity_share")), "); utilization at 20",
        r2(t.at(H, 20, "utilization")), "; fiscal cost at 20", round(t.at(H, 20, "fiscal_cost")),
        "(default", round(d.at(H, 20, "fiscal_cost")), ")")
    t = Run("soe-protection", 'schedule+={period=21, sector="heavy", levers={bailout=0}}')
    diff = next((p for p in range(1, 101) if t.d[H][p] != d.d[H][p]), None)
    say("try heavy bailout 0 after period 20: first period that differs", diff,
        "; heavy bailouts by period in the default run from 21 on",
        {p: int(d.at(H, p, "bailouts")) for p in range(21, 101) if d.at(H, p, "bailouts") > 0},
        "; with the change: exits", {p: int(t.at(H, p, "exits")) for p in range(21, 101)
                                     if t.at(H, p, "exits") != d.at(H, p, "exits")},
        "firms_soe", at_list(t, H, "firms_soe", (20, 40, 60, 80, 100), 0),
        "; utilization mean 21-100", r2(t.mean(H, "utilization", 21)),
        "(default", r2(d.mean(H, "utilization", 21)), ")")
    t = Run("soe-protection", "sector.heavy.policy.soe_credit=0")
    say("try heavy soft credit 0: heavy identical", t.d[H] == d.d[H],
        "; first period that differs", next((p for p in range(1, 101) if t.d[H][p] != d.d[H][p]), None))
    t = Run("soe-protection", "sector.moderate.policy.bailout=0")
    say("try moderate bailout 0: firms_soe", at_list(t, M, "firms_soe", (1, 10, 20, 30, 40, 60, 100), 0),
        "none from", t.always_from(M, "firms_soe", lambda x: x == 0))
    t = Run("soe-protection", "sector.heavy.policy.tariff=0")
    say("try heavy tariff 0: utilization at 20", r2(t.at(H, 20, "utilization")),
        "soe_capacity_share at 20", r2(t.at(H, 20, "soe_capacity_share")),
        "(default", r2(d.at(H, 20, "soe_capacity_share")), ")")


def window_of_opportunity():
    d = Run("window-of-opportunity")
    L, I = "latecomer", "incumbent"
    old = "old_paradigm_capacity_share"
    gone = lambda run, s: run.always_from(s, old, lambda x: x == 0)
    say("latecomer paradigm_switches 15-18", at_list(d, L, "paradigm_switches", range(15, 19), 0),
        "sum", round(d.total(L, "paradigm_switches", 15, 18)),
        "; incumbent", at_list(d, I, "paradigm_switches", range(15, 31), 0))
    say("old capacity latecomer", at_list(d, L, old, range(15, 20)), "gone from", gone(d, L),
        "; incumbent", at_list(d, I, old, range(15, 26)), "gone from", gone(d, I),
        "; incumbent firms_soe", at_list(d, I, "firms_soe", range(14, 27), 0),
        "exits", at_list(d, I, "exits", range(18, 27), 0))
    market = {}
    for t in (14, 20, 22, 24, 25, 26, 28, 30):
        m = d.at(I, t, "import_share")
        soe = (1 - m) * d.at(I, t, "soe_output_share")
        market[t] = (round(1 - m - soe, 2), round(soe, 2), round(m, 2))
    say("incumbent market (private, SOEs, imports)", market,
        "; soe_output_share", at_list(d, I, "soe_output_share", (1, 14, 20, 24, 25)))
    gl, gi = d.col(L, "gap", 15, 40), d.col(I, "gap", 15, 40)
    say("gap latecomer", at_list(d, L, "gap", range(14, 21)), "lowest in period", 15 + gl.index(min(gl)),
        "; incumbent", at_list(d, I, "gap", range(14, 28)), "lowest in period", 15 + gi.index(min(gi)))
    im = d.col(I, "import_share")
    say("incumbent import share largest", r2(max(im)), "in period", 1 + im.index(max(im)),
        at_list(d, I, "import_share", (14, 20, 25, 28, 30, 35)),
        "; tariff revenue largest", round(max(d.col(I, "tariff_revenue"))),
        "; fiscal cost negative in", d.spans(I, "fiscal_cost", lambda x: x < 0))
    b = d.col(I, "bailouts")
    say("incumbent bailouts", round(sum(b)), "first in period", d.first(I, "bailouts", lambda x: x > 0),
        "largest", max(b), "in period", 1 + b.index(max(b)), "; latecomer", round(d.total(L, "bailouts")))
    t = Run("window-of-opportunity", "sector.incumbent.policy.soe_credit=1")
    say("try incumbent soft credit 1: old capacity at 20", r2(t.at(I, 20, old)), "gone from", gone(t, I),
        "firms_soe", at_list(t, I, "firms_soe", range(20, 27), 0),
        "exits", at_list(t, I, "exits", range(20, 27), 0),
        "bailouts", round(t.total(I, "bailouts")))
    t = Run("window-of-opportunity", "policy.bailout=0")
    say("try bailout 0: incumbent firms_soe", at_list(t, I, "firms_soe", (1, 10, 14, 15, 20, 21, 22), 0),
        "old capacity", at_list(t, I, old, range(18, 26)), "gone from", gone(t, I),
        "bailout spending", round(t.total(I, "bailout_spending")))
    t = Run("window-of-opportunity", "sector.incumbent.policy.tariff=0")
    fc = t.col(I, "fiscal_cost", 15, 30)
    say("try incumbent tariff 0: old capacity at 20", r2(t.at(I, 20, old)), "gone from", gone(t, I),
        "; fiscal cost periods 15-30: smallest", round(min(fc)), "largest", round(max(fc)),
        "in period", 15 + fc.index(max(fc)))


def china_reform():
    d = Run("china-reform")
    say("state share of output 1978/1990/2007/2012",
        [r3(d.at("all", t, "soe_output_share")) for t in (1, 13, 30, 35)])
    say("heavy utilisation", at_list(d, "heavy", "utilization", (1, 5, 20, 35)),
        "first period below 0.8", d.first("heavy", "utilization", lambda v: v < 0.8))
    say("SOE / private productivity 1998, 2007",
        [r3(d.at("all", t, "productivity_soe") / d.at("all", t, "productivity_private"))
         for t in (21, 30)])
    say("import share 1992, 2007", [r3(d.at("all", t, "import_share")) for t in (15, 30)])
    t = Run("china-reform", 'schedule+={period=21, sector="light", levers={bailout=1}}')
    say("try light bailout 1 from 1998: state share 2007", r3(t.at("all", 30, "soe_output_share")),
        "imports 2007", r3(t.at("all", 30, "import_share")),
        "fiscal cost 2007", round(t.at("all", 30, "fiscal_cost")), "against", round(d.at("all", 30, "fiscal_cost")),
        "gap 2007", r2(t.at("all", 30, "gap")), "against", r2(d.at("all", 30, "gap")))
    t = Run("china-reform", "sector.heavy.policy.soe_preference=0.2")
    say("try heavy preference 0.2: heavy SOE share of output 2012", r2(t.at("heavy", 35, "soe_output_share")),
        "against", r2(d.at("heavy", 35, "soe_output_share")),
        "heavy utilisation 2012", r2(t.at("heavy", 35, "utilization")),
        "state share 2007", r2(t.at("all", 30, "soe_output_share")))


SCENARIOS = {
    "baseline": baseline,
    "catch-up": catch_up,
    "soe-protection": soe_protection,
    "research-bridge": research_bridge,
    "trial-and-error": trial_and_error,
    "consortium": consortium,
    "patient-funding": patient_funding,
    "three-regimes": three_regimes,
    "window-of-opportunity": window_of_opportunity,
    "china-reform": china_reform,
}


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    for name in names:
        print(name)
        SCENARIOS[name]()


if __name__ == "__main__":
    sys.exit(main())
