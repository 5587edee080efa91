# Helpers shared by tools/bench-ratio.sh and benches/figures.sh; sourced, not run.
# The caller defines die().

# catchup_bin NAME: the catchup binary to measure, into $bin: $CATCHUP_BIN if set (it
# must exist), else target/release/catchup, built when missing. NAME prefixes messages.
catchup_bin() {
    bin="${CATCHUP_BIN:-target/release/catchup}"
    if [[ -n "${CATCHUP_BIN:-}" ]]; then
        [[ -x "$bin" ]] || die "CATCHUP_BIN=$bin is not an executable file"
    elif [[ ! -x "$bin" ]]; then
        echo "$1: $bin missing, building it (cargo build --release)" >&2
        cargo build --release
        [[ -x "$bin" ]] || die "cargo build --release did not produce $bin"
    fi
}

# field KEY FILE -> the number after "KEY": in a manifest (one key per line)
field() {
    local v
    v="$(sed -n "s/^ *\"$1\": *\([-0-9.eE+]*\),\{0,1\} *$/\1/p" "$2" | head -n 1)"
    [[ -n "$v" ]] || die "no numeric '$1' in $2"
    echo "$v"
}

# median of the numbers on standard input, one a line
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1;
    if (NR % 2) printf "%.6g\n", a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# the 1-minute load average
load1() { awk '{ print $1 }' /proc/loadavg; }
