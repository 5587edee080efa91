#!/usr/bin/env bash
# Starts a throw-away single-node SLURM cluster (munged, slurmctld, slurmd) under DIR.
#
#     tests/slurm/start-cluster.sh DIR      # as root; DIR is created if missing
#     eval "$(tests/slurm/start-cluster.sh DIR)"
#
# Everything the cluster writes -- munge key and socket, slurm.conf, state, spool, pid
# and log files -- lives under DIR; nothing in /etc, /run or /var is touched, and no
# system service is started. On success it prints `export SLURM_CONF=...` lines for the
# client commands (sbatch, squeue, sinfo, scontrol) on stdout; progress goes to stderr.
# Stop it with tests/slurm/stop-cluster.sh DIR. Used by tests/slurm.rs.
set -euo pipefail

die() {
    echo "start-cluster: error: $*" >&2
    exit 1
}
say() { echo "start-cluster: $*" >&2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
[ "$#" -eq 1 ] || die "usage: $0 DIR"
[ "$(id -u)" -eq 0 ] || die "must run as root (slurmd launches jobs as their submitting user)"
for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null 2>&1 || die "\`$tool\` not found: install the Debian packages slurm-wlm and munge"
done

mkdir -p "$1"
dir="$(cd "$1" && pwd -P)"
# A unix socket path must fit in 108 bytes.
[ "${#dir}" -le 80 ] || die "DIR is too long for a unix socket path: $dir"
mkdir -p "$dir"/{munge,state,spool,log,run}
chmod 0700 "$dir/munge"
started="$(date +%s.%N)"

# If anything below fails, stop what was already started.
# shellcheck disable=SC2154 # status is assigned inside the trap
trap 'status=$?; if [ "$status" -ne 0 ]; then say "failed; stopping what was started"; "$here/stop-cluster.sh" "$dir" >&2 || true; fi' EXIT

# ---------------------------------------------------------------- munge
key="$dir/munge/munge.key"
socket="$dir/munge/munge.socket"
if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$key" --force
else
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
fi
chown root:root "$key"
chmod 0400 "$key"
# -f: without it munged refuses a socket in a directory that not everyone may enter
# (DIR is often a private 0700 temporary directory); only root talks to this one.
# The daemons' stdout goes to stderr: stdout is only for the export lines, and a
# caller reading it must not wait for daemons that keep it open.
munged -f \
    --key-file="$key" \
    --socket="$socket" \
    --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" \
    </dev/null >&2 || die "munged did not start; see $dir/log/munged.log"
for _ in $(seq 50); do
    [ -S "$socket" ] && break
    sleep 0.1
done
if command -v munge >/dev/null 2>&1; then
    munge -n --socket="$socket" | unmunge --socket="$socket" >/dev/null \
        || die "munge credentials do not round-trip; see $dir/log/munged.log"
fi
say "munged up ($socket)"

# ---------------------------------------------------------------- ports
port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 40000))
        if ! port_in_use "$p" && [ "$p" != "${1:-}" ]; then
            echo "$p"
            return 0
        fi
    done
    die "no free TCP port found"
}
ctld_port="$(free_port)"
slurmd_port="$(free_port "$ctld_port")"

# ---------------------------------------------------------------- slurm.conf
host="$(hostname -s)"
cpus="$(nproc)"
mem_total_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
# A bit below the machine's, or slurmd finds less than configured and drains the node.
real_mem=$((mem_total_mb * 9 / 10))
[ "$real_mem" -ge 1 ] || real_mem=1
cluster="catchup$$"
conf="$dir/slurm.conf"
cat >"$conf" <<CONF
# A single-node cluster for tests, written by tests/slurm/start-cluster.sh.
ClusterName=$cluster
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# One line per finished job (and array task), for the test to print on failure.
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MpiDefault=none
# No mail from this cluster (the default, /bin/mail, is usually not there).
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# A job waiting on --dependency=afterok of a failed job is cancelled, not left pending.
DependencyParameters=kill_invalid_depend
ReturnToService=2
# Schedule often: this cluster only runs short test jobs.
SchedulerParameters=sched_interval=2
# Finished jobs stay visible (squeue --states=all) for 10 minutes, for their states.
MinJobAge=600
InactiveLimit=0
KillWait=5
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"

# ---------------------------------------------------------------- daemons
# -i: ignore any saved state (there is none in a fresh DIR).
slurmctld -f "$conf" -i </dev/null >&2 || die "slurmctld did not start; see $dir/log/slurmctld.log"
slurmd -f "$conf" -N "$host" </dev/null >&2 || die "slurmd did not start; see $dir/log/slurmd.log"

state=""
for _ in $(seq 300); do
    state="$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)"
    [ "$state" = idle ] && break
    sleep 0.1
done
case "$state" in
    idle) ;;
    *)
        say "node $host not idle after 30 s (state: '${state:-no answer}')"
        for log in slurmctld slurmd; do
            say "---- tail of $dir/log/$log.log"
            tail -n 30 "$dir/log/$log.log" >&2 2>/dev/null || true
        done
        die "cluster did not come up"
        ;;
esac
elapsed="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
say "cluster $cluster up in ${elapsed} s: node $host ($cpus CPUs, ${real_mem} MB), partition debug, ports $ctld_port/$slurmd_port"

echo "export SLURM_CONF=$conf"
