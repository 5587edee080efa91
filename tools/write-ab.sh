#!/usr/bin/env bash
# Which of two catchup binaries writes a result faster: interleaved runs of bench-1m
# over 2 periods (a million firms' rows, a 150 MB firms.csv, in a fifth of a second),
# 2 threads, each binary ROUNDS times in turn.
#
# Usage (from the repository root):  tools/write-ab.sh A B [ROUNDS]
#   A, B    two catchup binaries (say a copy of target/release/catchup from before a
#           change to the writing, and the one after)
#   ROUNDS  runs of each binary (default 9)
#
# It prints, for each binary, the median, minimum and maximum of the time its runs spent
# outside the simulation (`wall_seconds - simulate_seconds` of manifest.json: writing
# firms.csv, series.csv and the rest of the result, and syncing them), B's median over
# A's, and checks that both wrote the same firms.csv. The share of a full bench-1m run
# is `benches/figures.sh 3 write`; this is the quicker comparison of two builds.
set -euo pipefail

die() { echo "write-ab: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

[[ $# -ge 2 && $# -le 3 ]] || die "usage: tools/write-ab.sh A B [ROUNDS]"
a="$1"; b="$2"; rounds="${3:-9}"
for bin in "$a" "$b"; do [[ -x "$bin" ]] || die "'$bin' is not an executable file"; done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$rounds'"

work="$(mktemp -d "${TMPDIR:-/tmp}/write-ab.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "write-ab: $rounds interleaved rounds of bench-1m over 2 periods, 2 threads; load before: $(uptime | sed 's/.*load average: //')"
: >"$work/a"; : >"$work/b"
for ((r = 1; r <= rounds; r++)); do
    for side in a b; do
        bin="$a"; [[ "$side" == b ]] && bin="$b"
        "$bin" run bench-1m --periods 2 --threads 2 --out "$work/$side-out" --force -q \
            2>"$work/err" || die "$bin failed: $(tail -n 3 "$work/err")"
        m="$work/$side-out/manifest.json"
        awk -v w="$(field wall_seconds "$m")" -v s="$(field simulate_seconds "$m")" \
            'BEGIN { printf "%.6f\n", w - s }' >>"$work/$side"
    done
done
cmp -s "$work/a-out/firms.csv" "$work/b-out/firms.csv" \
    || die "the two binaries wrote different firms.csv files"
report() {
    printf "%-40s median %.4f s, min %.4f s, max %.4f s\n" "$1" "$(median <"$2")" \
        "$(sort -g "$2" | head -n 1)" "$(sort -g "$2" | tail -n 1)"
}
report "A $a" "$work/a"
report "B $b" "$work/b"
awk -v ma="$(median <"$work/a")" -v mb="$(median <"$work/b")" \
    'BEGIN { printf "B / A: %.3f on medians; the same firms.csv\n", mb / ma }'
echo "load after: $(uptime | sed 's/.*load average: //')"
