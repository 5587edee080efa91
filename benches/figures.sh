#!/usr/bin/env bash
# Every speed figure the README quotes, from one command, as medians of interleaved runs
# with the machine's load. See benches/README.md for what each figure means.
#
# Usage (from the repository root):  benches/figures.sh [ROUNDS] [PART...]
#   ROUNDS  interleaved rounds per measurement (default 5)
#   PART    any of: ratio scale sweep write instr   (default: the first four)
#     ratio  catchup bench-1m against the reference kernel, 1 and 2 threads, and peak
#            memory per firm: runs tools/bench-ratio.sh ROUNDS
#     scale  cost per firm-period (1 thread) of bench-1m scaled to 1,000, 10,000, 100,000
#            and 1,000,000 initial firms (100 periods), and of 10,000 firms over 100 and
#            400 periods, each as a ratio to the million-firm figure of the same round
#     sweep  runs per second of scenarios/sweep-bench.toml (10,000 runs, 2 threads)
#     write  share of bench-1m's wall time (2 threads) not spent simulating: writing
#            series.csv and firms.csv, the codebook and the manifest
#     instr  instructions and mispredicted branches per firm-period, in all and in each
#            firm pass, counted by valgrind's cachegrind on bench-1m scaled to 10,000
#            firms (one run: the counts do not depend on the machine's load, so they
#            compare two commits on a noisy machine where wall-clock medians cannot)
#
# CATCHUP_BIN measures another binary than target/release/catchup (a build of an older
# commit, to compare instruction counts: CATCHUP_BIN=/tmp/old benches/figures.sh 1 instr).
#
# Absolute rates drift with the machine's load; quote ratios, and only from a run whose
# load warning did not fire.
set -euo pipefail

die() { echo "figures: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/../tools/bench-common.sh"

rounds=5
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then rounds="$1"; shift; fi
[[ "$rounds" -ge 1 ]] || die "ROUNDS must be at least 1"
parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(ratio scale sweep write)
for p in "${parts[@]}"; do
    case "$p" in ratio | scale | sweep | write | instr) ;; *) die "unknown part '$p' (expected ratio, scale, sweep, write or instr)" ;; esac
done
wants() { local p; for p in "${parts[@]}"; do [[ "$p" == "$1" ]] && return 0; done; return 1; }

[[ -f Cargo.toml && -f scenarios/bench-1m.toml && -f scenarios/sweep-bench.toml ]] \
    || die "run me from the repository root (scenarios/bench-1m.toml not found in $(pwd))"
catchup_bin figures

work="$(mktemp -d "${TMPDIR:-/tmp}/figures.XXXXXX")"
trap 'rm -rf "$work"' EXIT

spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3g-%.3g", lo, hi }'; }
loads=()
note_load() { loads+=("$(load1)"); }

echo "catchup speed figures, $rounds interleaved rounds"
echo "date:        $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, commit $(git describe --always --dirty 2>/dev/null || echo '?')"
echo "load before: $(uptime | sed 's/.*load average: //')"
echo

if wants ratio; then
    echo "== ratio: bench-1m against the reference kernel (tools/bench-ratio.sh $rounds)"
    tools/bench-ratio.sh "$rounds"
    echo
fi

# The --set edits that scale bench-1m to N initial firms in all (a tenth SOEs, split
# over its three sectors) and P periods; in the array `sets`.
scale_sets() {
    local n="$1" periods="$2" private soe s
    private=$((n * 9 / 10 / 3)); soe=$((n / 10 / 3))
    sets=(--set "periods=$periods")
    for s in catch-up parallel leading; do
        sets+=(--set "sector.$s.firms_private=$private" --set "sector.$s.firms_soe=$soe")
        # Institutes in proportion (300 per 333,334 firms), at least one.
        sets+=(--set "sector.$s.institutes=$(((n / 3 * 300 + 333333) / 333334))")
    done
}

# bench-1m scaled to N initial firms and P periods, run on one thread: prints ns per
# firm-period.
scaled() {
    local n="$1" periods="$2" out="$work/s"
    local sets
    scale_sets "$n" "$periods"
    "$bin" run bench-1m --threads 1 --out "$out" --force -q "${sets[@]}" \
        || die "catchup run bench-1m at $n firms, $periods periods failed"
    awk -v s="$(field simulate_seconds "$out/manifest.json")" -v f="$(field firm_steps "$out/manifest.json")" \
        'BEGIN { printf "%.3f\n", s / f * 1e9 }'
}

if wants scale; then
    echo "== scale: ns per firm-period, 1 thread, as a ratio to 1,000,000 firms x 100 periods"
    sizes=("1000 100" "10000 100" "100000 100" "1000000 100" "10000 400")
    for ((i = 1; i <= rounds; i++)); do
        note_load
        for sp in "${sizes[@]}"; do
            read -r n p <<<"$sp"
            scaled "$n" "$p" >>"$work/scale-$n-$p"
        done
        ref="$(tail -n 1 "$work/scale-1000000-100")"
        for sp in "${sizes[@]}"; do
            read -r n p <<<"$sp"
            awk -v x="$(tail -n 1 "$work/scale-$n-$p")" -v r="$ref" 'BEGIN { printf "%.4f\n", x / r }' \
                >>"$work/ratio-$n-$p"
        done
        echo "figures: scale round $i/$rounds, load $(load1)" >&2
    done
    printf '%-22s %12s %22s\n' "initial firms x periods" "ns/firm-period" "ratio to 1M x 100"
    for sp in "${sizes[@]}"; do
        read -r n p <<<"$sp"
        printf '%-22s %12s %12s (%s)\n' "$n x $p" "$(median <"$work/scale-$n-$p")" \
            "$(median <"$work/ratio-$n-$p")" "$(spread <"$work/ratio-$n-$p")"
    done
    echo
fi

if wants sweep; then
    echo "== sweep: scenarios/sweep-bench.toml, 10,000 runs, 2 threads"
    for ((i = 1; i <= rounds; i++)); do
        note_load
        start="$(date +%s.%N)"
        "$bin" sweep scenarios/sweep-bench.toml --threads 2 --out "$work/sweep" --force -q \
            || die "catchup sweep sweep-bench failed"
        end="$(date +%s.%N)"
        runs="$(($(wc -l <"$work/sweep/runs.csv") - 1))"
        awk -v r="$runs" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", r / (b - a) }' >>"$work/sweep-rate"
        echo "figures: sweep round $i/$rounds: $(tail -n 1 "$work/sweep-rate") runs/s ($runs runs), load $(load1)" >&2
    done
    echo "runs per second: $(median <"$work/sweep-rate") (rounds $(spread <"$work/sweep-rate"))"
    echo
fi

if wants write; then
    echo "== write: share of bench-1m's wall time (2 threads) outside the simulation"
    for ((i = 1; i <= rounds; i++)); do
        note_load
        # Each round starts with the disk idle: what earlier parts and rounds wrote (a
        # sweep's files, a 300 MB firms.csv) is otherwise still being written back, and
        # the run's final fsync waits behind it (5.4% against 4.5% alone, 2026-12-07).
        sync
        "$bin" run bench-1m --threads 2 --out "$work/w" --force -q || die "catchup run bench-1m failed"
        m="$work/w/manifest.json"
        awk -v w="$(field wall_seconds "$m")" -v s="$(field simulate_seconds "$m")" \
            'BEGIN { printf "%.4f\n", (w - s) / w }' >>"$work/write"
    done
    echo "writing share: $(median <"$work/write") (rounds $(spread <"$work/write")); firms.csv $(stat -c %s "$work/w/firms.csv") bytes"
    echo
fi

if wants instr; then
    echo "== instr: per firm-period, bench-1m at 10,000 firms x 100 periods, 1 thread, cachegrind"
    command -v valgrind >/dev/null || die "the instr part needs valgrind (apt-get install valgrind)"
    sets=()
    scale_sets 10000 100
    valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes --cachegrind-out-file="$work/cg.out" \
        "$bin" run bench-1m --threads 1 --out "$work/i" --force -q "${sets[@]}" 2>"$work/cg.log" \
        || die "cachegrind run failed: $(tail -n 5 "$work/cg.log")"
    steps="$(field firm_steps "$work/i/manifest.json")"
    # Cachegrind's file: for each function (fn=), lines of "line Ir Bc Bcm Bi Bim";
    # code inlined from other files is counted under the function it is inlined in.
    awk -v steps="$steps" '
        /^fn=/ { fn = substr($0, 4); next }
        /^[0-9]/ {
            pass = "other"
            if (fn ~ /model::innovation::innovate(::avx2)?$/) pass = "innovate"
            else if (fn ~ /model::accounts::settle(::avx2)?$/) pass = "settle"
            else if (fn ~ /model::accounts::update_shares(::avx2)?$/) pass = "update_shares"
            ir[pass] += $2; bcm[pass] += $4 + $6; ir["all"] += $2; bcm["all"] += $4 + $6
        }
        END {
            printf "%-16s %14s %24s\n", "part", "instructions", "mispredicted branches"
            n = split("all innovate settle update_shares other", parts, " ")
            for (i = 1; i <= n; i++)
                printf "%-16s %14.1f %24.2f\n", parts[i], ir[parts[i]] / steps, bcm[parts[i]] / steps
        }' "$work/cg.out"
    echo "($steps firm-periods; \"other\" includes set-up and writing the result)"
    echo
fi

echo "load after:  $(uptime | sed 's/.*load average: //')"
if [[ ${#loads[@]} -gt 0 ]]; then
    echo "load per round (1-minute): ${loads[*]}"
fi
# Alone, a 1-thread measurement keeps the 1-minute load near 1, a 2-thread one near 2.
if awk -v l="$(load1)" 'BEGIN { exit !(l > 2.5) }'; then
    echo "figures: WARNING: 1-minute load $(load1) on $(nproc) cores: something else was running; rerun when the machine is quiet" >&2
fi
