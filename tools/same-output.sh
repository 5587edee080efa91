#!/usr/bin/env bash
# Checks that two catchup binaries give byte-identical results on every built-in
# scenario (bench-1m excepted: it takes minutes), on each scenario's default seed.
# Used to show that a refactor leaves the model's behaviour alone:
#     git stash && cargo build --release && cp target/release/catchup /tmp/before
#     git stash pop && cargo build --release
#     tools/same-output.sh /tmp/before target/release/catchup
# Compares series.csv and firms.csv (scenario.toml and manifest.json may differ in
# layout or version). Exits 1 on the first difference.
set -euo pipefail
before="$1"
after="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for name in $("$after" scenarios | awk '{print $1}'); do
    case "$name" in bench-1m|sweep-*) continue ;; esac
    "$before" run "$name" --out "$work/before-$name" -q >/dev/null 2>&1 || { echo "before: $name failed"; exit 1; }
    "$after" run "$name" --out "$work/after-$name" -q >/dev/null 2>&1 || { echo "after: $name failed"; exit 1; }
    for f in series.csv firms.csv; do
        if ! cmp -s "$work/before-$name/$f" "$work/after-$name/$f"; then
            echo "DIFFERS: $name/$f"
            status=1
        fi
    done
    [ "$status" -eq 0 ] && echo "same: $name"
done
exit "$status"
