#!/usr/bin/env python3
"""The claims under other values of the model's parameters: are any of them
knife-edge? Run from the repository root, after `cargo build --release`:

    python3 tools/claims-sensitivity.py                  # every [model] parameter, x0.75 and x1.25
    python3 tools/claims-sensitivity.py --factor 0.5     # x0.5 and x1.5
    python3 tools/claims-sensitivity.py --only selection,markup --seed 7
    python3 tools/claims-sensitivity.py --values markup=0.15,0.18,0.2,0.22,0.25 --claims 3,7,9
    python3 tools/claims-sensitivity.py --values sector.heavy.policy.soe_preference=0.1,0.3 --claims 3
    python3 tools/claims-sensitivity.py --joint 30 --factor 0.1

For each numeric parameter of `[model]` (from `catchup reference --json`) it runs
`catchup claims --set model.KEY=VALUE` with VALUE the default times 1 - FACTOR and
1 + FACTOR (integers rounded, moved by at least 1; values kept inside the key's range;
a side the range leaves equal to the default is skipped); a boolean is flipped. With
--values KEY=V1,V2,... it runs one parameter at the values given instead (a scan: where
does a claim turn?); KEY may also be any other scenario key (a dotted path, as with
`catchup --set`: a lever of one experiment's sector, with --claims naming the claims
whose scenario has that sector), which `catchup` itself checks. With --joint N it changes every numeric parameter at once, N
times: each by a factor drawn uniformly from [1 - FACTOR, 1 + FACTOR] (rounded and kept
in range as above; the draws are Python's `random` seeded by the master seed and the
point's number), to see how often each part passes near the defaults; the points'
values go to points.csv. --claims passes `--only` to `catchup claims`. Each
run is the claims' own design (paired replicates, each claim's mechanism switched off;
the arms' own settings override the change, so a parameter an experiment sets, such as
claim 9's shift depth, keeps the experiment's value there).

Writes, in --out (default output/claims-sensitivity):
  runs/seed-S-replicates-R[-claims-C]/KEY=VALUE/ (or joint-FACTOR-K/)
                      each `catchup claims` result (a run whose claims.csv exists is
                      not repeated: the study resumes after an interruption)
  sensitivity.csv     one row per perturbation and claim part: the effect, its 95%
                      interval, the verdict, whether it is caused and passes
  summary.md          per claim part, how many perturbations it passes and which break
                      it (with the effect and interval there); with --values, also a
                      grid of each value's verdicts; the command line

Exit status 0 when the study ran (whatever the claims show), 2 on bad options, 1 when
a run of `catchup claims` failed. Needs only the Python standard library.
"""
import argparse, csv, json, os, random, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catchup_bin import BIN  # noqa: E402
from claims_figures import interval  # noqa: E402


def parameters():
    """The [model] table of `catchup reference --json`."""
    out = subprocess.run([BIN, "reference", "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["model"]


def inside(p, v):
    """Whether value v is within parameter p's range.

    >>> inside({"minimum": 0.0, "minimum_exclusive": True, "maximum": None}, 0.0)
    False
    >>> inside({"minimum": 0.0, "maximum": 1.0}, 1.0)
    True
    """
    lo, hi = p.get("minimum"), p.get("maximum")
    if lo is not None and (v < lo or (p.get("minimum_exclusive") and v == lo)):
        return False
    return hi is None or v <= hi


def into_range(p, v):
    """v moved to the nearer end of p's range if outside it; a number kept to six
    significant digits (the values appear in file names and tables).

    >>> into_range({"type": "number", "minimum": 0.0, "maximum": 1.0}, 1.0625)
    1.0
    >>> into_range({"type": "integer", "minimum": 1, "maximum": 1000}, 0)
    1
    """
    lo, hi = p.get("minimum"), p.get("maximum")
    if lo is not None:
        v = max(v, lo)
    if hi is not None:
        v = min(v, hi)
    if p["type"] != "integer":
        v = float(f"{v:.6g}")
    return v


def perturbations(p, factor):
    """The values to try for parameter p: [] when none differs from its default.

    >>> perturbations({"type": "number", "default": 0.2, "minimum": 0.0, "maximum": 10.0}, 0.25)
    [0.15, 0.25]
    >>> perturbations({"type": "number", "default": 1.0, "minimum": 0.0, "maximum": 1.0}, 0.25)
    [0.75]
    >>> perturbations({"type": "number", "default": 0.85, "minimum": 0.01, "maximum": 1.0}, 0.25)
    [0.6375, 1.0]
    >>> perturbations({"type": "integer", "default": 5, "minimum": 1, "maximum": 1000}, 0.1)
    [4, 6]
    >>> perturbations({"type": "integer", "default": 1, "minimum": 1, "maximum": 1000}, 0.25)
    [2]
    >>> perturbations({"type": "number", "default": 0.0, "minimum": 0.0, "maximum": 1.0}, 0.25)
    []
    >>> perturbations({"type": "boolean", "default": True}, 0.25)
    [False]
    """
    d = p["default"]
    if p["type"] == "boolean":
        return [not d]
    values = []
    for sign in (-1, 1):
        v = d * (1 + sign * factor)
        if p["type"] == "integer":
            v = round(v)
            if v == d:
                v = d + sign
        else:
            v = into_range(p, v)
        if v != d and inside(p, v) and v not in values:
            values.append(v)
    return values


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def joint_point(params, factor, seed, k):
    """Point k of --joint: every numeric parameter times its own uniform factor.

    >>> ps = [{"key": "markup", "type": "number", "default": 0.2, "minimum": 0.0, "maximum": 10.0},
    ...       {"key": "absorb_private", "type": "number", "default": 1.0, "minimum": 0.0, "maximum": 1.0},
    ...       {"key": "switch_against_imports", "type": "boolean", "default": True}]
    >>> point = joint_point(ps, 0.1, 1, 0)
    >>> [key for key, _ in point]
    ['markup', 'absorb_private']
    >>> 0.18 <= point[0][1] <= 0.22 and 0.9 <= point[1][1] <= 1.0
    True
    >>> point == joint_point(ps, 0.1, 1, 0) != joint_point(ps, 0.1, 1, 1)
    True
    """
    rng = random.Random(f"claims-sensitivity {seed} {k}")
    point = []
    for p in params:
        if p["type"] == "boolean":
            continue
        v = p["default"] * rng.uniform(1 - factor, 1 + factor)
        if p["type"] == "integer":
            v = round(v)
        v = into_range(p, v)
        if not inside(p, v):  # an exclusive minimum reached by clamping
            v = p["default"]
        point.append((p["key"], v))
    return point


def run(name, settings, args, runs):
    """`catchup claims` with `settings` (model keys and values) changed; returns the
    rows of its claims.csv."""
    out = os.path.join(runs, name)
    table = os.path.join(out, "claims.csv")
    if not os.path.exists(table):
        cmd = [BIN, "claims", "--replicates", str(args.replicates), "--seed", str(args.seed),
               "--out", out, "--force", "-q"]
        for key, value in settings:
            cmd += ["--set", f"{scenario_key(key)}={text(value)}"]
        if args.claims:
            cmd += ["--only", args.claims]
        done = subprocess.run(cmd, capture_output=True, text=True)
        # Exit 1 means a claim failed: that is a finding, not an error.
        if done.returncode not in (0, 1) or not os.path.exists(table):
            sys.exit(f"claims-sensitivity: `{' '.join(cmd)}` failed ({done.returncode}): "
                     f"{done.stderr.strip()}")
    with open(table, newline="") as f:
        return list(csv.DictReader(f))


def scenario_key(key):
    """The `--set` path of a parameter: a [model] key, or a dotted scenario key as given.

    >>> scenario_key("markup"), scenario_key("sector.heavy.policy.tariff")
    ('model.markup', 'sector.heavy.policy.tariff')
    """
    return key if "." in key else f"model.{key}"


def parse_values(spec, params):
    """`KEY=V1,V2,...` as (the parameter, its values), each checked against its range;
    a dotted key other than `model.KEY` is another scenario key, its values numbers or
    booleans that `catchup` checks.

    >>> ps = [{"key": "markup", "type": "number", "default": 0.2, "minimum": 0.0, "maximum": 10.0},
    ...       {"key": "paradigm_transition", "type": "integer", "default": 5, "minimum": 1, "maximum": 1000}]
    >>> parse_values("markup=0.15,0.25", ps)[1]
    [0.15, 0.25]
    >>> parse_values("paradigm_transition=2,8", ps)[1]
    [2, 8]
    >>> parse_values("markup=11", ps)
    Traceback (most recent call last):
    ...
    ValueError: markup = 11.0 is outside its range (0.0 to 10.0)
    >>> parse_values("model.markup=0.25", ps)[1]
    [0.25]
    >>> parse_values("markp=0.1", ps)
    Traceback (most recent call last):
    ...
    ValueError: unknown model parameter 'markp'
    >>> p, values = parse_values("sector.heavy.policy.soe_preference=0.1,0.3", ps)
    >>> p["key"], values
    ('sector.heavy.policy.soe_preference', [0.1, 0.3])
    >>> parse_values("sector.heavy.policy.consortium=true", ps)[1]
    [True]
    >>> parse_values("sector.impatient.policy.rd_patience=2,3", ps)[1]
    [2, 3]
    >>> parse_values("sector.heavy.policy.tariff=high", ps)
    Traceback (most recent call last):
    ...
    ValueError: sector.heavy.policy.tariff: expected a number, true or false, got 'high'
    """
    key, _, listed = spec.partition("=")
    key = key.removeprefix("model.")
    if "." in key:
        # Another scenario key: its default is the experiment's, its range `catchup`'s.
        p = {"key": key, "type": "scenario", "default": ""}
    else:
        p = next((p for p in params if p["key"] == key), None)
    if p is None:
        raise ValueError(f"unknown model parameter '{key}'")
    if not listed:
        raise ValueError(f"expected KEY=V1,V2,... , got '{spec}'")
    values = []
    for item in listed.split(","):
        if p["type"] == "scenario":
            if item in ("true", "false"):
                v = item == "true"
            else:
                try:
                    v = int(item) if item.lstrip("-").isdigit() else float(item)
                except ValueError:
                    raise ValueError(f"{key}: expected a number, true or false, "
                                     f"got '{item}'") from None
        elif p["type"] == "boolean":
            if item not in ("true", "false"):
                raise ValueError(f"{key} is on or off: expected true or false, got '{item}'")
            v = item == "true"
        elif p["type"] == "integer":
            v = int(item)
        else:
            v = float(item)
        if p["type"] != "scenario" and not isinstance(v, bool) and not inside(p, v):
            raise ValueError(f"{key} = {v} is outside its range "
                             f"({p.get('minimum')} to {p.get('maximum')})")
        values.append(v)
    return p, values


def verdict(r):
    """A claims.csv row's outcome in a word."""
    if r["passes"] == "true":
        return "passes"
    return r["verdict"] if r["verdict"] != "holds" else "not caused"


def write_csv(path, rows):
    """`rows` (dicts with the same keys) written whole or not at all."""
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["parameter"])
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factor", type=float, default=0.25,
                    help="relative change of each parameter, both ways (default 0.25)")
    ap.add_argument("--only", help="only these parameters (comma-separated keys)")
    ap.add_argument("--values", metavar="KEY=V1,V2,...",
                    help="one parameter at these values instead of --factor's changes")
    ap.add_argument("--joint", type=int, metavar="N",
                    help="N points changing every numeric parameter at once instead")
    ap.add_argument("--claims", help="only these claims (passed to `catchup claims --only`)")
    ap.add_argument("--replicates", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="output/claims-sensitivity")
    args = ap.parse_args()
    if not 0 < args.factor < 1:
        ap.error(f"--factor must lie strictly between 0 and 1, got {args.factor}")
    if args.replicates < 2:
        ap.error("--replicates must be at least 2")
    if not os.path.exists(BIN):
        sys.exit(f"claims-sensitivity: no binary at {BIN} (cargo build --release, or set CATCHUP_BIN)")

    params = parameters()
    if args.values and args.only:
        ap.error("--values names its one parameter: leave --only out")
    if args.joint is not None and (args.values or args.only):
        ap.error("--joint changes every parameter: leave --values and --only out")
    if args.joint is not None and args.joint < 1:
        ap.error("--joint needs at least one point")
    if args.values:
        try:
            scanned, values = parse_values(args.values, params)
        except ValueError as e:
            ap.error(f"--values: {e}")
        params = [scanned]
    if args.only:
        wanted = args.only.split(",")
        known = {p["key"] for p in params}
        unknown = [k for k in wanted if k not in known]
        if unknown:
            ap.error(f"unknown model parameter(s): {', '.join(unknown)}")
        params = [p for p in params if p["key"] in wanted]

    # The runs of one seed, replicate count and set of claims, kept apart from others'.
    runs = os.path.join(args.out, "runs", f"seed-{args.seed}-replicates-{args.replicates}"
                        + (f"-claims-{args.claims.replace(',', '-')}" if args.claims else ""))
    os.makedirs(runs, exist_ok=True)
    rows = []
    # Each run of the plan: (its name, the parameter and value it shows in the tables,
    # the default, the settings it makes). `design` is the plan's options as the
    # command line gave them, `changes` what it changes, both for summary.md.
    def one_change(p, v):
        return (f"{p['key']}={text(v)}", p["key"], text(p["default"]), text(v), [(p["key"], v)])

    if args.joint:
        plan = []
        points = []
        for k in range(args.joint):
            point = joint_point(params, args.factor, args.seed, k)
            name = f"joint-{args.factor:g}-{k}"
            plan.append((name, name, "", "", point))
            points += [{"point": name, "parameter": key, "value": text(v)} for key, v in point]
        write_csv(os.path.join(args.out, "points.csv"), points)
        design = f"--joint {args.joint} --factor {args.factor}"
        changes = (f"{len(plan)} points, each changing every numeric parameter by a factor "
                   f"from [{1 - args.factor:g}, {1 + args.factor:g}] (points.csv)")
    elif args.values:
        plan = [one_change(params[0], v) for v in values]
        design = f"--values {args.values}"
        default = params[0]["default"]
        changes = (f"{len(plan)} values of {params[0]['key']}"
                   + (f" (default {text(default)})" if default != "" else
                      " (the experiment's value otherwise)"))
    else:
        plan = [one_change(p, v) for p in params for v in perturbations(p, args.factor)]
        design = f"--factor {args.factor}"
        changes = (f"{len(plan)} perturbations of {len(params)} parameters "
                   f"(each x{1 - args.factor:g} and x{1 + args.factor:g}, booleans flipped)")
    for n, (name, parameter, default, value, settings) in enumerate(plan, 1):
        print(f"[{n}/{len(plan)}] {name} (default {default})" if default else
              f"[{n}/{len(plan)}] {name}", file=sys.stderr)
        for r in run(name, settings, args, runs):
            rows.append({"parameter": parameter, "default": default, "value": value,
                         "part": r["part"], "effect": r["effect"], "effect_low": r["effect_low"],
                         "effect_high": r["effect_high"], "verdict": r["verdict"],
                         "caused": r["caused"], "passes": r["passes"]})

    write_csv(os.path.join(args.out, "sensitivity.csv"), rows)

    parts = sorted({r["part"] for r in rows}, key=lambda s: (int(s.rstrip("abcdefgh")), s))
    lines = [
        "# The claims under other values of the model's parameters", "",
        f"Command: `python3 tools/claims-sensitivity.py {design}"
        + f" --replicates {args.replicates} --seed {args.seed}"
        + (f" --only {args.only}" if args.only else "")
        + (f" --claims {args.claims}" if args.claims else "") + "`", "",
        changes + ".", "",
        "| part | passes | where it does not |", "|---|---|---|",
    ]
    for part in parts:
        mine = [r for r in rows if r["part"] == part]
        bad = [r for r in mine if r["passes"] != "true"]
        why = "; ".join(
            (f"{r['parameter']} = {r['value']}: " if r["value"] else f"{r['parameter']}: ")
            + verdict(r) + (f" ({interval(r, 'effect')})" if r["effect"] else "")
            for r in bad)
        lines.append(f"| {part} | {len(mine) - len(bad)} of {len(mine)} | {why or '—'} |")
    if args.values:
        key = params[0]["key"]
        lines += ["", f"| {key} | " + " | ".join(parts) + " |",
                  "|---|" + "---|" * len(parts)]
        for v in values:
            mine = {r["part"]: r for r in rows if r["value"] == text(v)}
            lines.append(f"| {text(v)} | " + " | ".join(verdict(mine[p]) for p in parts) + " |")
    tmp = os.path.join(args.out, "summary.md.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, os.path.join(args.out, "summary.md"))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
