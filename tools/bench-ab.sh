#!/usr/bin/env bash
# Which of two catchup binaries runs the firm passes faster: interleaved runs of bench-1m
# scaled to N initial firms (100 periods, 1 thread), each binary ROUNDS times in turn.
#
# Usage (from the repository root):  tools/bench-ab.sh A B [N] [ROUNDS]
#   A, B    two catchup binaries (say a copy of target/release/catchup from before a
#           change, and the one after)
#   N       initial firms (default 30000: a run of about a second, in the caches)
#   ROUNDS  runs of each binary (default 21)
#
# It prints, for each binary, the median and the minimum of the CPU time (user + system)
# of its runs, and B's over A's. CPU time leaves out the time the machine's hypervisor
# takes the core away (steal), but not a neighbour slowing the core it shares: on the
# development machines single runs vary by a third, and the runs fall in two groups (a
# quiet core and a shared one), so that the minimum of one binary can come from the
# quiet group and the other's not. Interleaving puts both binaries in the same
# conditions; quote the ratio of the medians, with the load the script prints, and
# check its direction against `benches/figures.sh 1 instr`.
set -euo pipefail

die() { echo "bench-ab: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

[[ $# -ge 2 && $# -le 4 ]] || die "usage: tools/bench-ab.sh A B [N] [ROUNDS]"
a="$1"; b="$2"; n="${3:-30000}"; rounds="${4:-21}"
for bin in "$a" "$b"; do [[ -x "$bin" ]] || die "'$bin' is not an executable file"; done
[[ "$n" =~ ^[1-9][0-9]*$ && "$n" -ge 30 ]] || die "N must be a whole number of at least 30, got '$n'"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$rounds'"
command -v /usr/bin/time >/dev/null || die "needs /usr/bin/time (apt-get install time)"

# bench-1m scaled as benches/figures.sh scales it: a tenth SOEs, over three sectors,
# institutes in proportion.
sets=(--set periods=100)
for s in catch-up parallel leading; do
    sets+=(--set "sector.$s.firms_private=$((n * 9 / 10 / 3))" --set "sector.$s.firms_soe=$((n / 10 / 3))")
    sets+=(--set "sector.$s.institutes=$(((n / 3 * 300 + 333333) / 333334))")
done

work="$(mktemp -d "${TMPDIR:-/tmp}/bench-ab.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "bench-ab: $rounds interleaved rounds of bench-1m at $n firms, 1 thread; load before: $(uptime | sed 's/.*load average: //')"
: >"$work/a"; : >"$work/b"
for ((r = 1; r <= rounds; r++)); do
    for side in a b; do
        bin="$a"; [[ "$side" == b ]] && bin="$b"
        /usr/bin/time -o "$work/t" -f "%U %S" "$bin" run bench-1m --threads 1 --out "$work/out" \
            --force -q "${sets[@]}" >/dev/null 2>"$work/err" \
            || die "$bin failed: $(tail -n 3 "$work/err")"
        awk '{ print $1 + $2 }' "$work/t" >>"$work/$side"
    done
done
report() { printf "%-40s median %.3f s, min %.3f s\n" "$1" "$(median <"$2")" "$(sort -g "$2" | head -n 1)"; }
report "A $a" "$work/a"
report "B $b" "$work/b"
awk -v ma="$(median <"$work/a")" -v mb="$(median <"$work/b")" \
    -v na="$(sort -g "$work/a" | head -n 1)" -v nb="$(sort -g "$work/b" | head -n 1)" \
    'BEGIN { printf "B / A: %.3f on medians, %.3f on minima\n", mb / ma, nb / na }'
echo "load after: $(uptime | sed 's/.*load average: //')"
