#!/usr/bin/env bash
# Speed of catchup as a ratio to the bare reference kernel (shared/bench/limit).
#
# Usage (from the repository root):  tools/bench-ratio.sh [ROUNDS]     (default 5)
#
# The machines are shared and noisy, so absolute firm-periods/s drift from session to
# session. This script interleaves, ROUNDS times:
#     kernel 2 threads, catchup bench-1m --threads 2, kernel 1 thread, catchup --threads 1
# and prints the medians, the median of the per-round ratios catchup / kernel for 1 and
# 2 threads, catchup's 1 -> 2 thread scaling, peak memory per initial firm, and the load
# averages (`uptime`) before and after (the load after counts the benchmark's own busy
# threads, about 1.5 on its own; the load before is the one that tells a busy machine).
# Quote the ratios, not the absolute figures.
#
# Environment:
#   CATCHUP_BIN      the catchup binary to measure (default target/release/catchup, built
#                    when missing)
#   BENCH_LIMIT_SRC  the kernel's sources (default ../shared/bench/limit, else /work/shared/bench/limit)
#   BENCH_LIMIT_DIR  where the kernel is copied and built; reused when already built
#                    (default ${TMPDIR:-/tmp}/catchup-bench-limit)
set -euo pipefail

die() { echo "bench-ratio: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

rounds="${1:-5}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$rounds'"
[[ $# -le 1 ]] || die "usage: tools/bench-ratio.sh [ROUNDS]"

# --- where we are ---------------------------------------------------------------------
[[ -f Cargo.toml && -f scenarios/bench-1m.toml && -d tools ]] \
    || die "run me from the repository root (Cargo.toml and scenarios/bench-1m.toml not found in $(pwd))"
grep -q '^name *= *"catchup"' Cargo.toml || die "Cargo.toml here is not catchup's"
command -v cargo >/dev/null || die "cargo not found on PATH"

catchup_bin bench-ratio

# --- the reference kernel ---------------------------------------------------------------
src="${BENCH_LIMIT_SRC:-}"
if [[ -z "$src" ]]; then
    if [[ -f ../shared/bench/limit/Cargo.toml ]]; then src=../shared/bench/limit
    else src=/work/shared/bench/limit; fi
fi
[[ -f "$src/Cargo.toml" && -f "$src/Cargo.lock" && -d "$src/src" ]] \
    || die "reference kernel not found at '$src' (set BENCH_LIMIT_SRC)"
kdir="${BENCH_LIMIT_DIR:-${TMPDIR:-/tmp}/catchup-bench-limit}"
kbin="$kdir/target/release/limit"
same_sources() {
    cmp -s "$src/Cargo.toml" "$kdir/Cargo.toml" && cmp -s "$src/Cargo.lock" "$kdir/Cargo.lock" \
        && diff -rq "$src/src" "$kdir/src" >/dev/null 2>&1
}
if [[ ! -x "$kbin" ]] || ! same_sources; then
    echo "bench-ratio: building the reference kernel in $kdir" >&2
    rm -rf "$kdir"
    mkdir -p "$kdir"
    cp -r "$src/Cargo.toml" "$src/Cargo.lock" "$src/src" "$kdir/"
    chmod -R u+w "$kdir"     # the shared copy is read-only
    cargo build --release --locked --quiet --manifest-path "$kdir/Cargo.toml" \
        || die "building the reference kernel failed"
    [[ -x "$kbin" ]] || die "kernel build did not produce $kbin"
fi

# --- helpers ------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-ratio.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# kernel THREADS -> firm-periods/s (it prints "52.3M firm-periods/s (2 threads) checksum ...")
kernel() {
    local out m
    out="$(RAYON_NUM_THREADS="$1" "$kbin" 1000000 100)" || die "kernel run failed ($1 threads)"
    m="$(sed -n 's/^\([0-9.]*\)M firm-periods\/s.*/\1/p' <<<"$out")"
    [[ -n "$m" ]] || die "cannot read the kernel's output: $out"
    awk -v m="$m" 'BEGIN { printf "%.0f\n", m * 1e6 }'
}


# catchup THREADS -> appends "fps simulate_seconds peak_bytes firms_initial firms_final" to $work/c$THREADS
catchup() {
    local out="$work/b" man
    "$bin" run bench-1m --threads "$1" --out "$out" --force -q \
        || die "catchup run bench-1m --threads $1 failed"
    man="$out/manifest.json"
    [[ -f "$man" ]] || die "no $man after the run"
    echo "$(field firm_steps_per_second "$man") $(field simulate_seconds "$man")" \
         "$(field peak_memory_bytes "$man") $(field firms_initial "$man") $(field firms_final "$man")" >>"$work/c$1"
    firms_csv_bytes="$(stat -c %s "$out/firms.csv" 2>/dev/null || echo '?')"
}

col() { awk -v c="$1" '{ print $c }' "$2"; }
mps() { awk -v x="$1" 'BEGIN { printf "%.1f", x / 1e6 }'; }

# --- the interleaved rounds -------------------------------------------------------------
load_before="$(uptime)"
echo "bench-ratio: $rounds rounds; load before: ${load_before##*load average: }" >&2
if awk -v l="$(load1)" 'BEGIN { exit !(l > 1.5) }'; then
    echo "bench-ratio: WARNING: 1-minute load $(load1) > 1.5 on $(nproc) cores; figures will be noisy" >&2
fi
: >"$work/k1"; : >"$work/k2"; : >"$work/c1"; : >"$work/c2"; : >"$work/r1"; : >"$work/r2"; : >"$work/s"; : >"$work/load"
firms_csv_bytes='?'
for ((i = 1; i <= rounds; i++)); do
    k2="$(kernel 2)"; echo "$k2" >>"$work/k2"
    catchup 2; c2="$(tail -n 1 "$work/c2" | awk '{ print $1 }')"
    k1="$(kernel 1)"; echo "$k1" >>"$work/k1"
    catchup 1; c1="$(tail -n 1 "$work/c1" | awk '{ print $1 }')"
    awk -v c="$c2" -v k="$k2" 'BEGIN { printf "%.6f\n", c / k }' >>"$work/r2"
    awk -v c="$c1" -v k="$k1" 'BEGIN { printf "%.6f\n", c / k }' >>"$work/r1"
    awk -v a="$c2" -v b="$c1" 'BEGIN { printf "%.6f\n", a / b }' >>"$work/s"
    load1 >>"$work/load"
    printf 'bench-ratio: round %d/%d  kernel %s/%s M/s, catchup %s/%s M/s (1/2 threads), load %s\n' \
        "$i" "$rounds" "$(mps "$k1")" "$(mps "$k2")" "$(mps "$c1")" "$(mps "$c2")" "$(load1)" >&2
done
load_after="$(uptime)"

# --- summary ------------------------------------------------------------------------------
k1m="$(median <"$work/k1")"; k2m="$(median <"$work/k2")"
c1m="$(col 1 "$work/c1" | median)"; c2m="$(col 1 "$work/c2" | median)"
s1m="$(col 2 "$work/c1" | median)"; s2m="$(col 2 "$work/c2" | median)"
r1m="$(median <"$work/r1")"; r2m="$(median <"$work/r2")"; sm="$(median <"$work/s")"
firms="$(col 4 "$work/c2" | head -n 1)"; firms_final="$(col 5 "$work/c2" | head -n 1)"
p1m="$(col 3 "$work/c1" | median)"; p2m="$(col 3 "$work/c2" | median)"
range() { sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }'; }

echo "catchup bench-1m vs reference kernel (1,000,000 firms x 100 periods), $rounds interleaved rounds"
echo "date:          $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, commit $(git describe --always --dirty 2>/dev/null || echo '?')"
echo "load before:   ${load_before##*load average: }"
echo "load after:    ${load_after##*load average: }   (includes the benchmark's own 1-2 busy threads)"
printf 'kernel:        %s M firm-periods/s (1 thread), %s M (2 threads)   [medians]\n' "$(mps "$k1m")" "$(mps "$k2m")"
printf 'catchup:       %s M firm-periods/s (1 thread), %s M (2 threads)   [medians; simulate_seconds %.2f / %.2f]\n' \
    "$(mps "$c1m")" "$(mps "$c2m")" "$s1m" "$s2m"
printf 'ratio catchup/kernel, 1 thread:   %.3f  (rounds %s)\n' "$r1m" "$(range "$work/r1")"
printf 'ratio catchup/kernel, 2 threads:  %.3f  (rounds %s)\n' "$r2m" "$(range "$work/r2")"
printf 'catchup scaling 1 -> 2 threads:   %.3f  (rounds %s; kernel %.3f from medians)\n' \
    "$sm" "$(range "$work/s")" "$(awk -v a="$k2m" -v b="$k1m" 'BEGIN { print a / b }')"
printf 'peak memory per initial firm:     %.0f bytes (2 threads), %.0f (1 thread); %s initial firms\n' \
    "$(awk -v p="$p2m" -v f="$firms" 'BEGIN { print p / f }')" \
    "$(awk -v p="$p1m" -v f="$firms" 'BEGIN { print p / f }')" "$firms"
# The population grows over the run, and the peak is at its end: memory per firm alive then.
printf 'peak memory per final firm:       %.0f bytes (2 threads); %s firms at the end\n' \
    "$(awk -v p="$p2m" -v f="$firms_final" 'BEGIN { print p / f }')" "$firms_final"
echo "firms.csv:     $firms_csv_bytes bytes (last run)"
printf 'load per round: %s\n' "$(paste -sd ' ' "$work/load")"
# Alone, the benchmark keeps the 1-minute load near 1-1.5 on 2 cores; above 2 something else ran.
if awk '$1 > 2 { busy = 1 } END { exit !busy }' "$work/load"; then
    echo "bench-ratio: WARNING: 1-minute load above 2 during the rounds: something else was running; rerun when the machine is quiet" >&2
fi
