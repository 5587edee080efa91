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
# Ports are taken below the kernel's ephemeral range, where no outgoing connection (a
# client of an earlier cluster, say) can be holding one, and only if no socket of any
# state uses them. Another program may still take a port between this check and the
# daemon's bind; the daemons are then started again on new ports (see below).
ephemeral_low="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
[ "$ephemeral_low" -gt 12000 ] || ephemeral_low=32768
port_in_use() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
free_port() {
    local p
    for _ in $(seq 200); do
        p=$((10000 + RANDOM % (ephemeral_low - 10000)))
        if ! port_in_use "$p" && [ "$p" != "${1:-}" ]; then
            echo "$p"
            return 0
        fi
    done
    die "no free TCP port found"
}

# ---------------------------------------------------------------- slurm.conf
host="$(hostname -s)"
cpus="$(nproc)"
mem_total_mb=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
# A bit below the machine's, or slurmd finds less than configured and drains the node.
real_mem=$((mem_total_mb * 9 / 10))
[ "$real_mem" -ge 1 ] || real_mem=1
cluster="catchup$$"
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"
# write_conf CTLD_PORT SLURMD_PORT
write_conf() {
    cat >"$conf" <<CONF
# A single-node cluster for tests, written by tests/slurm/start-cluster.sh.
ClusterName=$cluster
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$1
SlurmdPort=$2
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
}

# ---------------------------------------------------------------- daemons
# shellcheck source=tests/slurm/process.sh
source "$here/process.sh"
pid_in() { cat "$dir/run/$1" 2>/dev/null || true; }
# listening PORT PID: PID (not some other program) listens on PORT.
listening() { ss -Htlnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"; }

# start_daemon NAME PORT COMMAND...: starts a daemon (it forks into the background and
# writes DIR/run/NAME.pid) and waits up to 20 s for it to listen on PORT. Returns 0 once
# it listens, 2 if it exited because the port was taken meanwhile, 1 on anything else.
start_daemon() {
    local name="$1" port="$2" pid="" log="$dir/log/$1.log"
    shift 2
    local before
    before="$({ wc -l <"$log"; } 2>/dev/null || echo 0)"
    "$@" </dev/null >&2 || return 1
    for _ in $(seq 200); do
        pid="$(pid_in "$name.pid")"
        if [ -n "$pid" ] && listening "$port" "$pid"; then return 0; fi
        if [ -n "$pid" ] && ! alive "$pid"; then break; fi
        sleep 0.1
    done
    if tail -n "+$((before + 1))" "$log" 2>/dev/null | grep -q "Address already in use"; then
        return 2
    fi
    say "$name did not listen on port $port within 20 s"
    return 1
}

# Stops the SLURM daemons of a failed attempt (munged stays).
stop_slurm() {
    local name pid
    for name in slurmd slurmctld; do
        pid="$(pid_in "$name.pid")"
        if [ -n "$pid" ] && alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        fi
        rm -f "$dir/run/$name.pid"
    done
}

ctld_port="" slurmd_port=""
for attempt in 1 2 3 4 5; do
    ctld_port="$(free_port)"
    slurmd_port="$(free_port "$ctld_port")"
    write_conf "$ctld_port" "$slurmd_port"
    # -i: ignore any saved state (there is none in a fresh DIR).
    outcome=0
    start_daemon slurmctld "$ctld_port" slurmctld -f "$conf" -i || outcome=$?
    if [ "$outcome" -eq 0 ]; then
        start_daemon slurmd "$slurmd_port" slurmd -f "$conf" -N "$host" || outcome=$?
    fi
    case "$outcome" in
        0) break ;;
        2)
            say "a port was taken meanwhile (attempt $attempt, ports $ctld_port/$slurmd_port); trying others"
            stop_slurm
            ;;
        *) die "the SLURM daemons did not start; see $dir/log/slurmctld.log and $dir/log/slurmd.log" ;;
    esac
done
[ "$outcome" -eq 0 ] || die "no free ports after 5 attempts"

# The node registers with the controller and turns idle. A deadline in seconds, since
# each sinfo can itself wait several seconds for an unanswering controller.
state=""
deadline=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$deadline" ]; do
    state="$(timeout 10 sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)"
    [ "$state" = idle ] && break
    for name in slurmctld slurmd; do
        pid="$(pid_in "$name.pid")"
        [ -n "$pid" ] && alive "$pid" || die "$name exited; see $dir/log/$name.log"
    done
    sleep 0.2
done
case "$state" in
    idle) ;;
    *)
        say "node $host not idle after 60 s (state: '${state:-no answer}')"
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
