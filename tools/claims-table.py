#!/usr/bin/env python3
"""Bring the claims table of docs/ODD.md (section 10) up to date with a
`catchup claims --robust` result. Run from the repository root:

    target/release/catchup claims --robust --out output/claims --force
    python3 tools/claims-table.py output/claims/claims.csv          # prints the new rows
    python3 tools/claims-table.py output/claims/claims.csv --write  # and writes them

Each row of the table is found by its part (`| 3c ...`); its label and any unit after
the interval (`5.7 [5.42, 5.98] periods`) are kept, and the figures are the
`shipped` variant's: effect and 95% interval, verdict, the effect with the mechanism
switched off, whether it is caused, and how many variants pass (with, when not all do,
what the others show). Numbers have three significant digits; thousands get commas.
Needs only the Python standard library.
"""
import csv, os, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from claims_figures import interval  # noqa: E402

ODD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "ODD.md")
VARIANT_NAMES = {
    "shipped": "as shipped",
    "second-seed": "on the second seed",
    "firms-x3": "on 3x the firms",
    "extra-sector": "on the extra sector",
    "horizon-x1.5": "on the 1.5x horizon",
    "firms-half": "on half the firms",
}


def passing(rows):
    passes = [r for r in rows if r["passes"] == "true"]
    text = f"{len(passes)} of {len(rows)}"
    others = {}
    for r in rows:
        if r["passes"] != "true":
            why = r["verdict"] if r["verdict"] != "holds" else "not caused"
            others.setdefault(why, []).append(VARIANT_NAMES.get(r["variant"], r["variant"]))
    if others:
        parts = [f"{why} {', '.join(names)}" for why, names in others.items()]
        text += " (" + "; ".join(parts) + ")"
    return text


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    with open(sys.argv[1], newline="") as f:
        by_part = {}
        for r in csv.DictReader(f):
            by_part.setdefault(r["part"], []).append(r)
    with open(ODD) as f:
        lines = f.read().split("\n")
    changed = 0
    for i, line in enumerate(lines):
        m = re.match(r"\| (\d+[a-z]?) ([^|]*)\|([^|]*)\|", line)
        if not m or m.group(1) not in by_part:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 6:
            continue
        rows = by_part[m.group(1)]
        shipped = next(r for r in rows if r["variant"] == "shipped")
        unit = re.sub(r"^[^\]]*\]", "", cells[1]) if "]" in cells[1] else ""
        new = [
            cells[0],
            interval(shipped, "effect") + unit,
            shipped["verdict"],
            interval(shipped, "ablated"),
            shipped["caused"],
            passing(rows),
        ]
        text = "| " + " | ".join(new) + " |"
        if text != line:
            changed += 1
        lines[i] = text
        print(text)
    if "--write" in sys.argv:
        with open(ODD, "w") as f:
            f.write("\n".join(lines))
        print(f"{changed} rows of {ODD} changed", file=sys.stderr)


if __name__ == "__main__":
    main()
