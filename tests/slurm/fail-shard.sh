#!/usr/bin/env bash
# Stands in for the catchup binary in tests/slurm.rs: `catchup sweep ... --shard K/N`
# fails at once when K/N is $FAIL_SHARD, as a task whose node died or that hit its time
# limit would; everything else is handed to the real binary, $CATCHUP_REAL.
set -euo pipefail
: "${CATCHUP_REAL:?set CATCHUP_REAL to the catchup binary}"
previous=""
for arg in "$@"; do
    if [ "$previous" = --shard ] && [ "$arg" = "${FAIL_SHARD:-}" ]; then
        echo "fail-shard.sh: failing shard $arg on purpose" >&2
        exit 1
    fi
    previous="$arg"
done
exec "$CATCHUP_REAL" "$@"
