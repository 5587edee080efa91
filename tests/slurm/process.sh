# Shell functions shared by start-cluster.sh and stop-cluster.sh (sourced, not run).

# alive PID: the process is running, and not a zombie waiting for its parent.
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [ "${stat%% *}" != Z ]
}
