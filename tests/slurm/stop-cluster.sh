#!/usr/bin/env bash
# Stops the cluster started by tests/slurm/start-cluster.sh DIR: slurmd, slurmctld and
# munged, by the pids they wrote under DIR (never by name, so other SLURM daemons on the
# machine are left alone). Safe to call twice, or on a half-started cluster. DIR itself
# is left in place (the caller removes it).
set -uo pipefail

[ "$#" -eq 1 ] || {
    echo "usage: $0 DIR" >&2
    exit 2
}
[ -d "$1" ] || exit 0
dir="$(cd "$1" && pwd -P)"

# The pid in DIR/run/FILE, if that process is still ours: its command line names DIR
# (a stale pid file must not make us signal an unrelated process that got the pid).
pids_of() {
    local pid
    pid="$(cat "$dir/run/$1" 2>/dev/null)" || return 0
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF "$dir/" && echo "$pid"
    return 0
}

# shellcheck source=tests/slurm/process.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/process.sh"

stop() { # stop PIDFILE... : SIGTERM to each, up to 10 s for all to exit, then SIGKILL
    local file pid pids=()
    for file in "$@"; do
        for pid in $(pids_of "$file"); do
            pids+=("$pid")
            kill -TERM "$pid" 2>/dev/null
        done
    done
    [ "${#pids[@]}" -gt 0 ] || return 0
    for _ in $(seq 100); do
        local any=0
        for pid in "${pids[@]}"; do alive "$pid" && any=1; done
        [ "$any" -eq 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if alive "$pid"; then
            echo "stop-cluster: $(cat "/proc/$pid/comm" 2>/dev/null) ($pid) did not stop on SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    for file in "$@"; do rm -f "$dir/run/$file"; done
}

# Jobs first: slurmd leaves running jobs (slurmstepd) alone when it stops, so cancel
# them while the controller is still up, and give them a few seconds to finish.
ctld_pid="$(pids_of slurmctld.pid)"
if [ -n "$ctld_pid" ] && alive "$ctld_pid" && [ -f "$dir/slurm.conf" ] && command -v squeue >/dev/null 2>&1; then
    export SLURM_CONF="$dir/slurm.conf"
    jobs="$(timeout 10 squeue -h -o '%A' 2>/dev/null | sort -u)"
    if [ -n "$jobs" ]; then
        # shellcheck disable=SC2086 # one argument per job id
        timeout 10 scancel $jobs 2>/dev/null
        for _ in $(seq 100); do
            [ -z "$(timeout 5 squeue -h -o '%A' 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
fi

# The SLURM daemons together (each takes about 2 s to exit), then munge, which they use.
stop slurmd.pid slurmctld.pid
stop munged.pid
exit 0
