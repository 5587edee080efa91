//! The SLURM recipe in `scenarios/slurm/`, run for real: a throw-away single-node
//! cluster (`tests/slurm/start-cluster.sh`) runs a sweep sharded by a job array and
//! merged by a dependent job, and the merged result must be byte for byte that of the
//! same sweep run unsharded; a shard that failed is resubmitted alone, as the recipe's
//! README says, and the merge follows; shards whose runs partly fail (exit 3) count as
//! done, and the merge records the failures.
//!
//! Needs root and the Debian packages `slurm-wlm` and `munge`, so the tests are
//! `#[ignore]`d: a plain `cargo test` lists them as ignored, and `.ci/run` installs the
//! packages and runs them with `--include-ignored`. Asked to run without SLURM, they
//! fail and say what is missing.

use std::env;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A tiny sweep: 2 × 2 design points, 2 replicates, 10 periods of the baseline.
const SWEEP: &str = r#"version = 1
name = "slurm-smoke"
description = "Tiny sweep for the SLURM test."
base = "baseline"
replicates = 2
seed = 2026
set = { periods = 10 }

[design]
kind = "grid"

[[design.factor]]
key = "policy.tariff"
values = [0.0, 0.3]

[[design.factor]]
key = "policy.bridge"
values = [0.1, 0.6]

[[metric]]
name = "gap_final"
series = "gap"
sector = "all"
stat = "final"
"#;

/// The tiny sweep with a factor whose second value makes every run blow up
/// numerically in period 1: points 2 and 3 fail (in shards 3 and 1), points 0 and 1
/// finish. Failed runs are data: every task and the merge must complete.
const FAILING_SWEEP: &str = r#"version = 2
name = "slurm-failing"
base = "baseline"
replicates = 2
seed = 2026
set = { periods = 10 }

[design]
kind = "grid"

[[design.factor]]
key = "model.wage"
values = [1.0, 1e308]

[[design.factor]]
key = "policy.bridge"
values = [0.1, 0.6]

[[metric]]
name = "gap_final"
series = "gap"
stat = "final"
"#;

/// Array tasks, one shard each.
const SHARDS: usize = 3;
/// From submission until every job is over; the jobs take a few seconds.
const TIMEOUT: Duration = Duration::from_secs(120);
/// The merged files that must equal the unsharded ones.
const COMPARED: [&str; 3] = ["runs.csv", "bands.csv", "points.csv"];
/// Tools the tests need; Debian puts the daemons in /usr/sbin.
const TOOLS: [&str; 8] = [
    "sbatch",
    "squeue",
    "sinfo",
    "scancel",
    "slurmctld",
    "slurmd",
    "munged",
    "bash",
];
/// Job states after which a job does nothing more (squeue's `%T`).
const FINAL_STATES: [&str; 9] = [
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
    "OUT_OF_MEMORY",
];

#[test]
#[ignore = "needs root, slurm-wlm and munge; .ci/run installs them and runs it with --include-ignored"]
fn a_sweep_sharded_by_a_slurm_job_array_merges_to_the_unsharded_result() {
    require_slurm();
    let sweep = Sweep::new();
    let mut cluster = Cluster::start();

    let jobs = cluster.submit(&sweep, env!("CARGO_BIN_EXE_catchup").as_ref(), None);
    let states = cluster.wait(&jobs);
    let expected: Vec<String> = (1..=SHARDS)
        .map(|k| format!("{}_{k} COMPLETED", jobs.array))
        .chain([format!("{} COMPLETED", jobs.merge)])
        .collect();
    cluster.expect_states(&states, &expected);

    // Every shard did a part of the work: together exactly the runs of the sweep.
    let total = data_rows(&sweep.unsharded.join("runs.csv"));
    assert!(total > 0, "the unsharded sweep has no runs");
    let mut shard_rows = Vec::new();
    for k in 1..=SHARDS {
        let runs = sweep.results.join(format!("shard-{k}")).join("runs.csv");
        if !runs.is_file() {
            cluster.fail(&format!("no {}", runs.display()));
        }
        shard_rows.push(data_rows(&runs));
    }
    assert_eq!(
        shard_rows.iter().sum::<usize>(),
        total,
        "the shards' runs.csv rows {shard_rows:?} do not add up to the sweep's {total}"
    );
    assert!(
        shard_rows.iter().all(|&n| n < total),
        "a shard ran the whole sweep: rows per shard {shard_rows:?} of {total}"
    );

    cluster.expect_merged_equals_unsharded(&sweep);
}

#[test]
#[ignore = "needs root, slurm-wlm and munge; .ci/run installs them and runs it with --include-ignored"]
fn shards_with_failed_runs_complete_and_merge_with_the_failures_recorded() {
    require_slurm();
    let sweep = Sweep::of(FAILING_SWEEP, 3);
    let mut cluster = Cluster::start();
    // The shards exit 3 (failed runs recorded); the recipe counts that as done.
    let jobs = cluster.submit(&sweep, env!("CARGO_BIN_EXE_catchup").as_ref(), None);
    let states = cluster.wait(&jobs);
    let expected: Vec<String> = (1..=SHARDS)
        .map(|k| format!("{}_{k} COMPLETED", jobs.array))
        .chain([format!("{} COMPLETED", jobs.merge)])
        .collect();
    cluster.expect_states(&states, &expected);
    cluster.expect_merged_equals_unsharded(&sweep);
    let runs = fs::read_to_string(sweep.results.join("merged").join("runs.csv")).unwrap();
    assert_eq!(runs.matches(",failed,").count(), 4, "{runs}");
}

#[test]
#[ignore = "needs root, slurm-wlm and munge; .ci/run installs them and runs it with --include-ignored"]
fn a_failed_shard_resubmitted_alone_resumes_and_the_merge_follows() {
    require_slurm();
    let sweep = Sweep::new();
    let mut cluster = Cluster::start();

    // Shard 2 fails: the other tasks complete, and the merge is cancelled rather than
    // merging an incomplete sweep.
    let failing = repo().join("tests/slurm/fail-shard.sh");
    let jobs = cluster.submit(&sweep, &failing, None);
    let states = cluster.wait(&jobs);
    let a = &jobs.array;
    cluster.expect_states(
        &states,
        &[
            format!("{a}_1 COMPLETED"),
            format!("{a}_2 FAILED"),
            format!("{a}_3 COMPLETED"),
            format!("{} CANCELLED", jobs.merge),
        ],
    );
    if sweep.results.join("merged").exists() {
        cluster.fail("a merged result appeared although shard 2 failed");
    }

    // As the README says: resubmit only the failed task, with the same sweep, output
    // and number of shards; it resumes, and the merge is queued again.
    let jobs = cluster.submit(&sweep, env!("CARGO_BIN_EXE_catchup").as_ref(), Some("2"));
    let states = cluster.wait(&jobs);
    cluster.expect_states(
        &states,
        &[
            format!("{}_2 COMPLETED", jobs.array),
            format!("{} COMPLETED", jobs.merge),
        ],
    );
    cluster.expect_merged_equals_unsharded(&sweep);
}

/// Fails, saying what is missing, when SLURM cannot run here: the tests run only
/// when asked for (`--include-ignored`), so a missing SLURM is a failure, not a skip.
fn require_slurm() {
    let Some((headline, why)) = missing_prerequisite() else {
        return;
    };
    let rule = "!".repeat(78);
    let banner = format!(
        "\n{rule}\n!! {headline}: the SLURM integration test did not run\n!! {why}\n\
         !! It needs root and the Debian packages slurm-wlm and munge (apt-get install\n\
         !! slurm-wlm munge), or leave this ignored test out.\n{rule}\n"
    );
    panic!("{banner}");
}

/// Why the tests cannot run here, if they cannot: a headline and the detail.
fn missing_prerequisite() -> Option<(&'static str, String)> {
    let missing: Vec<&str> = TOOLS
        .iter()
        .copied()
        .filter(|tool| find(tool).is_none())
        .collect();
    if !missing.is_empty() {
        return Some((
            "SLURM IS NOT INSTALLED",
            format!(
                "not found on PATH nor in the sbin directories: {}",
                missing.join(", ")
            ),
        ));
    }
    let uid = command("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some((
            "SLURM CANNOT RUN HERE",
            "not root: the test's single-node cluster runs slurmd, which must be root".into(),
        ));
    }
    None
}

/// The sweep file in a temporary directory, its unsharded result (the reference), and
/// where the SLURM jobs put theirs.
struct Sweep {
    work: tempfile::TempDir,
    file: PathBuf,
    unsharded: PathBuf,
    results: PathBuf,
}

impl Sweep {
    fn new() -> Sweep {
        Sweep::of(SWEEP, 0)
    }

    /// The sweep `text`, run whole first, which must exit with `code` (0, or 3 when
    /// some of its runs fail).
    fn of(text: &str, code: i32) -> Sweep {
        let work = tempfile::Builder::new()
            .prefix("catchup-slurm-work-")
            .tempdir()
            .expect("a temporary directory");
        let file = work.path().join("slurm-smoke.toml");
        fs::write(&file, text).expect("write the sweep file");
        // The whole sweep in one process, with a thread count unlike the shards' (one
        // CPU each), which must not matter.
        let unsharded = work.path().join("unsharded");
        let out = run(Command::new(env!("CARGO_BIN_EXE_catchup"))
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&unsharded)
            .args(["--threads", "2", "--quiet"]));
        assert_eq!(
            out.status.code(),
            Some(code),
            "the unsharded sweep\n{}",
            show(&out)
        );
        let results = work.path().join("results");
        Sweep {
            work,
            file,
            unsharded,
            results,
        }
    }
}

/// The two jobs `submit.sh` queues.
struct Jobs {
    array: String,
    merge: String,
    submitted: Instant,
}

/// A single-node cluster under a temporary directory, stopped when dropped (also when
/// a test panics).
struct Cluster {
    dir: tempfile::TempDir,
    conf: PathBuf,
    /// The results directory whose job logs `fail` shows, once there is one.
    results: Option<PathBuf>,
}

impl Cluster {
    fn start() -> Cluster {
        // The munge socket lives under DIR, and a socket path must be short.
        let mut builder = tempfile::Builder::new();
        builder.prefix("catchup-slurm-");
        let base = env::temp_dir();
        let dir = if base.as_os_str().len() <= 40 {
            builder.tempdir_in(base)
        } else {
            builder.tempdir_in("/tmp")
        }
        .expect("a temporary directory for the cluster");
        let cluster = Cluster {
            conf: dir.path().join("slurm.conf"),
            dir,
            results: None,
        };
        let started = Instant::now();
        let out = run(command("bash")
            .arg(repo().join("tests/slurm/start-cluster.sh"))
            .arg(cluster.dir.path())
            .stderr(Stdio::inherit()));
        if !out.status.success() {
            cluster.fail(&format!("start-cluster.sh failed\n{}", show(&out)));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let conf = stdout
            .lines()
            .find_map(|line| line.strip_prefix("export SLURM_CONF="))
            .map(|conf| PathBuf::from(conf.trim()));
        if conf.as_deref() != Some(cluster.conf.as_path()) {
            cluster.fail(&format!(
                "start-cluster.sh printed no `export SLURM_CONF={}`\n{}",
                cluster.conf.display(),
                show(&out)
            ));
        }
        eprintln!(
            "slurm test: cluster up in {:.1} s under {}",
            started.elapsed().as_secs_f64(),
            cluster.dir.path().display()
        );
        cluster
    }

    /// `scenarios/slurm/submit.sh` as a user would call it, with `catchup` as the
    /// binary, one CPU per task (the recipe's default of 4 is more than this node may
    /// have) and `tasks` as `TASKS` if given.
    fn submit(&mut self, sweep: &Sweep, catchup: &Path, tasks: Option<&str>) -> Jobs {
        self.results = Some(sweep.results.clone());
        let mut submit = self.command("bash");
        submit
            .arg(repo().join("scenarios/slurm/submit.sh"))
            .arg(&sweep.file)
            .arg(&sweep.results)
            .arg(SHARDS.to_string())
            .args(["--cpus-per-task=1", "--time=00:10:00"])
            .env("CATCHUP", catchup)
            .env("CATCHUP_REAL", env!("CARGO_BIN_EXE_catchup"))
            .env("FAIL_SHARD", format!("2/{SHARDS}"))
            .current_dir(sweep.work.path());
        match tasks {
            Some(tasks) => submit.env("TASKS", tasks),
            None => submit.env_remove("TASKS"),
        };
        let out = run(&mut submit);
        if !out.status.success() {
            self.fail(&format!("submit.sh failed\n{}", show(&out)));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let id = |name: &str| {
            assignment(&stdout, name).unwrap_or_else(|| {
                self.fail(&format!(
                    "submit.sh printed no {name}=<job id>\n{}",
                    show(&out)
                ))
            })
        };
        let jobs = Jobs {
            array: id("ARRAY_JOB_ID"),
            merge: id("MERGE_JOB_ID"),
            submitted: Instant::now(),
        };
        eprintln!(
            "slurm test: submitted array job {} (tasks {}), merge job {}",
            jobs.array,
            tasks.unwrap_or("all"),
            jobs.merge
        );
        jobs
    }

    /// Waits until the merge and every task of the array are over; returns their
    /// states as `"<id> <state>"`, sorted.
    fn wait(&self, jobs: &Jobs) -> Vec<String> {
        let ids = format!("{},{}", jobs.array, jobs.merge);
        loop {
            let states = self.job_states(&ids);
            let over = |state: &str| FINAL_STATES.contains(&state);
            let merge_over = states
                .iter()
                .any(|(id, state)| *id == jobs.merge && over(state));
            if merge_over && states.iter().all(|(_, state)| over(state)) {
                eprintln!(
                    "slurm test: jobs over {:.1} s after submission",
                    jobs.submitted.elapsed().as_secs_f64()
                );
                let mut states: Vec<String> = states
                    .into_iter()
                    .map(|(id, state)| format!("{id} {state}"))
                    .collect();
                states.sort();
                return states;
            }
            if jobs.submitted.elapsed() > TIMEOUT {
                self.fail(&format!(
                    "the jobs did not finish within {} s; states: {states:?}",
                    TIMEOUT.as_secs()
                ));
            }
            sleep(Duration::from_millis(500));
        }
    }

    #[track_caller]
    fn expect_states(&self, states: &[String], expected: &[String]) {
        let mut expected = expected.to_vec();
        expected.sort();
        if states != expected {
            self.fail(&format!("job states {states:?}\n    expected {expected:?}"));
        }
    }

    /// The merged runs.csv, bands.csv and points.csv are the unsharded ones, byte for
    /// byte.
    fn expect_merged_equals_unsharded(&self, sweep: &Sweep) {
        let merged = sweep.results.join("merged");
        for name in COMPARED {
            let want = fs::read(sweep.unsharded.join(name))
                .unwrap_or_else(|e| panic!("cannot read the unsharded {name}: {e}"));
            let got = fs::read(merged.join(name))
                .unwrap_or_else(|e| self.fail(&format!("cannot read the merged {name}: {e}")));
            if got != want {
                self.fail(&format!(
                    "the merged {name} differs from the unsharded one: {}",
                    first_difference(&want, &got)
                ));
            }
        }
        eprintln!(
            "slurm test: merged {} are byte-identical to the unsharded sweep's",
            COMPARED.join(", ")
        );
    }

    /// `(job id, state)` of the jobs in `ids` (comma-separated), array tasks one by
    /// one; empty while the controller does not answer.
    fn job_states(&self, ids: &str) -> Vec<(String, String)> {
        let out = run(self.command("squeue").args([
            "--noheader",
            "--states=all",
            "--jobs",
            ids,
            "--format=%i %T",
        ]));
        if !out.status.success() {
            return Vec::new();
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| {
                let (id, state) = line.trim().split_once(' ')?;
                Some((id.to_string(), state.trim().to_string()))
            })
            .collect()
    }

    /// A command that talks to this cluster.
    fn command(&self, program: &str) -> Command {
        let mut command = command(program);
        command.env("SLURM_CONF", &self.conf);
        command
    }

    /// Panics with `message` and everything that could explain it: the cluster's
    /// logs and the jobs' logs.
    fn fail(&self, message: &str) -> ! {
        let mut report = format!("{message}\n");
        let log = self.dir.path().join("log");
        let mut files = vec![
            (log.join("jobcomp.txt"), 40),
            (log.join("slurmctld.log"), 60),
            (log.join("slurmd.log"), 60),
            (log.join("munged.log"), 20),
        ];
        if let Some(Ok(entries)) = self.results.as_ref().map(|r| fs::read_dir(r.join("logs"))) {
            let mut logs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            logs.sort();
            files.extend(logs.into_iter().map(|path| (path, 40)));
        }
        for (path, lines) in files {
            let _ = writeln!(report, "---- {} (last {lines} lines)", path.display());
            match fs::read_to_string(&path) {
                Ok(text) => {
                    let all: Vec<&str> = text.lines().collect();
                    for line in &all[all.len().saturating_sub(lines)..] {
                        let _ = writeln!(report, "{line}");
                    }
                }
                Err(e) => {
                    let _ = writeln!(report, "(cannot read: {e})");
                }
            }
        }
        panic!("{report}");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = command("bash")
            .arg(repo().join("tests/slurm/stop-cluster.sh"))
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .output();
        match out {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!("slurm test: stop-cluster.sh failed\n{}", show(&out)),
            Err(e) => eprintln!("slurm test: cannot run stop-cluster.sh: {e}"),
        }
    }
}

/// The repository root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the sbin directories appended, where Debian puts the daemons (a non-login
/// root shell may lack them).
fn search_path() -> OsString {
    let mut dirs: Vec<PathBuf> = env::var_os("PATH")
        .map(|path| env::split_paths(&path).collect())
        .unwrap_or_default();
    for extra in ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
        if !dirs.iter().any(|dir| dir == Path::new(extra)) {
            dirs.push(PathBuf::from(extra));
        }
    }
    env::join_paths(dirs).expect("PATH entries without separators")
}

fn find(tool: &str) -> Option<PathBuf> {
    env::split_paths(&search_path())
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file())
}

/// A command with the extended PATH.
fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env("PATH", search_path());
    command
}

/// Runs `command` to the end, its output captured unless redirected.
fn run(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn show(out: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Lines after the header.
fn data_rows(path: &Path) -> usize {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines().count().saturating_sub(1)
}

/// The value of `NAME=<digits>` in `text`.
fn assignment(text: &str, name: &str) -> Option<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(name)?.strip_prefix('='))
        .map(|value| value.trim().to_string())
        .find(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
}

/// Where two files first differ, by line, for the failure message.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let want = String::from_utf8_lossy(want);
    let got = String::from_utf8_lossy(got);
    let (mut w, mut g) = (want.lines(), got.lines());
    let mut number = 0;
    loop {
        number += 1;
        match (w.next(), g.next()) {
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return "the same lines, different line endings".into(),
            (a, b) => {
                return format!(
                    "line {number}:\n  unsharded: {}\n  merged:    {}",
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)")
                );
            }
        }
    }
}
