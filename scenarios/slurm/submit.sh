#!/usr/bin/env bash
# Submits a catchup sweep to SLURM: a job array of SHARDS tasks, one shard each, and a
# merge job that starts once every task has succeeded.
#
#     scenarios/slurm/submit.sh SWEEP OUT SHARDS [SBATCH OPTION...]
#
#     SWEEP   the sweep file (.toml)
#     OUT     the result directory: OUT/shard-K per task, OUT/merged at the end,
#             OUT/logs for the jobs' logs
#     SHARDS  into how many disjoint slices to cut the runs (= array tasks)
#     SBATCH OPTION...  passed on to both sbatch calls, e.g. --partition=short
#             --account=myproject --cpus-per-task=8 --time=1:00:00; they override
#             the #SBATCH defaults in sweep-array.sbatch and merge.sbatch
#
# Environment:
#     CATCHUP  the catchup binary (default: catchup on PATH); made absolute here
#     TASKS    which array tasks to submit (default: 1-SHARDS); e.g. TASKS=3 or
#              TASKS=2,5 to rerun failed shards -- they resume -- and merge again;
#              TASKS=1-200%20 runs at most 20 tasks at a time
#
# Prints the two job ids as shell assignments on stdout,
#     ARRAY_JOB_ID=1234
#     MERGE_JOB_ID=1235
# and what it did on stderr.
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
die() {
    echo "submit.sh: error: $*" >&2
    exit 2
}

[ "$#" -ge 3 ] || usage
sweep="$1"
out="$2"
shards="$3"
shift 3

[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a positive whole number, not \`$shards\`"
[ -f "$sweep" ] || die "no sweep file \`$sweep\`"
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a SLURM login node"
tasks="${TASKS:-1-$shards}"

# Absolute paths: the jobs may start in another directory, on another node.
sweep="$(cd "$(dirname "$sweep")" && pwd -P)/$(basename "$sweep")"
mkdir -p "$out/logs"
out="$(cd "$out" && pwd -P)"
catchup="${CATCHUP:-catchup}"
if resolved="$(command -v "$catchup")" && [ -n "$resolved" ]; then
    case "$resolved" in
        /*) catchup="$resolved" ;;
        *) catchup="$(pwd -P)/$resolved" ;;
    esac
else
    echo "submit.sh: warning: \`$catchup\` not found here (no such program, nor on PATH); the jobs will look for it on their nodes" >&2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

# The jobs read their parameters from the environment, which sbatch passes on.
export SWEEP="$sweep" OUT="$out" SHARDS="$shards" CATCHUP="$catchup"

# --parsable prints "jobid" or "jobid;cluster".
array_id="$(sbatch --parsable --export=ALL \
    --array="$tasks" \
    --output="$out/logs/sweep-%A_%a.out" \
    "$@" "$here/sweep-array.sbatch")" || die "sbatch refused the array job (see its message above)"
array_id="${array_id%%;*}"
[[ "$array_id" =~ ^[0-9]+$ ]] || die "sbatch gave no job id for the array: \`$array_id\`"

# afterok: only if every task succeeded; --kill-on-invalid-dep: if one failed, the merge
# is cancelled instead of waiting forever.
if ! merge_id="$(sbatch --parsable --export=ALL \
    --dependency="afterok:$array_id" \
    --kill-on-invalid-dep=yes \
    --output="$out/logs/merge-%j.out" \
    "$@" "$here/merge.sbatch")"; then
    echo "submit.sh: error: array job $array_id is queued, but sbatch refused the merge job" \
        "(see its message above); once the array is done, merge with:" \
        "OUT=$out SHARDS=$shards CATCHUP=$catchup sbatch $here/merge.sbatch" >&2
    echo "ARRAY_JOB_ID=$array_id"
    exit 1
fi
merge_id="${merge_id%%;*}"
[[ "$merge_id" =~ ^[0-9]+$ ]] || die "sbatch gave no job id for the merge: \`$merge_id\`"

echo "submit.sh: array job $array_id: shards $tasks of $shards of $sweep -> $out/shard-K" >&2
echo "submit.sh: merge job $merge_id: after the array succeeds -> $out/merged" >&2
echo "submit.sh: logs in $out/logs; watch with: squeue -j $array_id,$merge_id" >&2
echo "ARRAY_JOB_ID=$array_id"
echo "MERGE_JOB_ID=$merge_id"
