//! Running a sweep from start to result: the runs of a shard ([`super::runs`]), each
//! finished or failed run journaled ([`super::journal`], which is what makes a sweep
//! resumable after any kill) in the working folder ([`super::workdir`]), and the
//! result assembled from the journal ([`super::assemble`]).
//!
//! Layout while a sweep runs: `<out>.partial/` holds `sweep.toml` (what is being run,
//! with the shard), `journal.bin` (one checksummed block per finished run, appended
//! whole; a block torn by a kill is cut off on resume), `index.bin` (where each run
//! is in the journal, rebuilt from it whenever it is opened) and, when asked, `series/`.
//! A result with failed runs keeps it beside it, for `--resume --retry-failed`.
//! When every run of the shard is done, the result is assembled from the records in
//! run order into a temporary directory that is renamed to `<out>`, and the partial
//! directory is removed. Nothing depends on the order in which runs finished, so the
//! result is the same however the work was split, interrupted or scheduled.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::assemble::assemble;
use super::design::{check_points, generate};
use super::error::{SweepError, io};
use super::journal::{Journal, JournalEntry, JournalIndex, Record, read_record};
use super::runs::{RunSpec, Shard, runs_of, simulate};
use super::spec::Sweep;
use super::workdir::{
    INDEX_FILE, JOURNAL_FILE, kept_failures, partial_dir, remove_work_dir, write_atomically,
};
use crate::output::{ResultDir, check_target};
use crate::scenario::load::ParsedScenario;

/// The result's tables by name, each written as `<name>.csv` or `<name>.parquet`
/// ([`crate::output::TableFormat::file`], by `[output] format`).
pub const RUNS: &str = "runs";
pub const BANDS: &str = "bands";
pub const POINTS: &str = "points";
/// The long table of every run's series (`[output] series = true`).
pub const SERIES: &str = "series";
/// The tables' files as CSV, the default format.
pub const RUNS_FILE: &str = "runs.csv";
pub const BANDS_FILE: &str = "bands.csv";
pub const POINTS_FILE: &str = "points.csv";
pub const SWEEP_FILE: &str = "sweep.toml";
pub const BASE_FILE: &str = "base.toml";
pub const MANIFEST_FILE: &str = "manifest.json";
/// The working folder's per-run series files (`series/run-NNNNNNNNNN.csv`).
pub const SERIES_DIR: &str = "series";
pub const SERIES_FILE: &str = "series.csv";

/// What a sweep (or a shard of one) did, written as `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepManifest {
    pub program: String,
    pub version: String,
    /// The build that ran the runs (a merge keeps its first shard's).
    #[serde(flatten)]
    pub source: crate::output::manifest::Source,
    pub sweep: String,
    pub design: String,
    pub factors: Vec<String>,
    pub metrics: Vec<String>,
    pub bands: Vec<String>,
    pub morris_delta: Option<f64>,
    pub replicates: u32,
    pub seed: u64,
    pub points_total: u64,
    pub runs_total: u64,
    /// `K/N`, or `merged` for a merge of all shards.
    pub shard: String,
    pub runs: u64,
    /// Runs found finished on `--resume` and not run again.
    pub runs_resumed: u64,
    /// Runs that failed (status `failed` in runs.csv). Absent from the manifests of
    /// older builds, which stopped at the first failed run: 0.
    #[serde(default)]
    pub runs_failed: u64,
    pub threads: usize,
    /// Firm-periods of all the runs in this result.
    pub firm_steps: u64,
    pub started_at: String,
    pub wall_seconds: f64,
    /// Firm-periods simulated in this session per second of its running phase.
    pub firm_steps_per_second: f64,
    pub runs_per_second: f64,
    pub peak_memory_bytes: Option<u64>,
}

impl SweepManifest {
    /// Reads the manifest of the sweep result in `dir`: a folder without one, or with
    /// another program's, is not a sweep result (bad input); a manifest that cannot be
    /// read for another reason is an I/O failure, its cause kept.
    pub fn read(dir: &Path) -> Result<SweepManifest, SweepError> {
        let path = dir.join(MANIFEST_FILE);
        let not_a_sweep = |why: String| SweepError::NotASweep {
            dir: dir.to_path_buf(),
            why,
        };
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(not_a_sweep(format!("it has no {MANIFEST_FILE}")));
            }
            Err(source) => return Err(SweepError::Io { path, source }),
        };
        serde_json::from_str(&text)
            .map_err(|e| not_a_sweep(format!("{} is not a sweep manifest: {e}", path.display())))
    }
}

/// How to run a sweep.
pub struct SweepOptions<'a> {
    pub out: &'a Path,
    pub shard: Shard,
    pub threads: usize,
    pub resume: bool,
    pub force: bool,
    /// Stop (resumably) once more than this many runs of the shard have failed.
    pub max_failures: Option<u64>,
    /// With `resume`: run the runs recorded as failed again.
    pub retry_failed: bool,
    /// Called once with (runs to do, runs already done), then after each run.
    pub on_start: &'a mut dyn FnMut(u64, u64),
    pub on_run: &'a (dyn Fn() + Sync),
}

/// The outcome of [`run_sweep`].
pub enum Outcome {
    Done(PathBuf, Box<SweepManifest>),
    /// `--resume` on a result that is already complete, with its number of failed runs.
    AlreadyComplete(PathBuf, u64),
}

/// Runs (the shard of) a sweep and writes its result. `sweep_text` is the sweep
/// file's text, kept with the result and used to recognise the sweep on `--resume`.
pub fn run_sweep(
    sweep: &Sweep,
    sweep_text: &str,
    opts: SweepOptions<'_>,
) -> Result<Outcome, SweepError> {
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    let table = generate(sweep)?;
    check_points(sweep, &table)?;
    // The shard's runs are never listed: they are generated again for each pass.
    let runs = || runs_of(sweep, &table, opts.shard);
    let runs_total = table.len() * u64::from(sweep.spec.replicates);
    if runs_total > super::spec::MAX_RUNS {
        return Err(SweepError::Refused(format!(
            "the sweep has {runs_total} runs; at most {} are allowed",
            super::spec::MAX_RUNS
        )));
    }

    let out = opts.out;
    let work = partial_dir(out);
    let identity = format!("{}\n--shard {}\n", sweep_text, opts.shard);
    // `--resume --retry-failed` on a finished result with failed runs: run those again
    // from the journal kept beside it, and replace the result.
    let mut replace = false;
    if out.exists() {
        if opts.resume && !opts.force && out.join(MANIFEST_FILE).is_file() {
            let finished = fs::read_to_string(out.join(SWEEP_FILE)).unwrap_or_default();
            let manifest: Option<SweepManifest> = fs::read_to_string(out.join(MANIFEST_FILE))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok());
            let manifest = match manifest {
                Some(m) if finished == sweep_text && m.shard == opts.shard.to_string() => m,
                _ => {
                    return Err(SweepError::Refused(format!(
                        "{} holds the result of a different sweep or shard; choose another --out",
                        out.display()
                    )));
                }
            };
            let kept = kept_failures(&work, &identity, |path| {
                JournalIndex::create(path, opts.shard, table.len(), sweep.spec.replicates)
            })?;
            if kept && opts.retry_failed {
                replace = true;
            } else {
                // A kill between the commit and the clean-up leaves the partial behind;
                // one kept for its failed runs stays for a later --retry-failed.
                if !kept {
                    remove_work_dir(&work)?;
                }
                return Ok(Outcome::AlreadyComplete(
                    out.to_path_buf(),
                    manifest.runs_failed,
                ));
            }
        } else {
            check_target(out, opts.force)?;
        }
    }
    // A partial directory with no journal yet holds no finished run: a kill came
    // before the first run ended, so it is simply started over.
    let journal_len = fs::metadata(work.join(JOURNAL_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    if work.exists() && journal_len == 0 {
        remove_work_dir(&work)?;
    }
    if work.exists() {
        let previous = fs::read_to_string(work.join(SWEEP_FILE)).unwrap_or_default();
        if opts.resume {
            if previous != identity {
                return Err(SweepError::Refused(format!(
                    "{} holds an interrupted run of a different sweep or shard; \
                     remove it, or run without --resume and with --force to start over",
                    work.display()
                )));
            }
        } else if opts.force {
            remove_work_dir(&work)?;
        } else {
            return Err(SweepError::Refused(format!(
                "an interrupted sweep is in {}; pass --resume to continue it, or --force to start over",
                work.display()
            )));
        }
    }
    let series_dir = work.join(SERIES_DIR);
    fs::create_dir_all(&work).map_err(io(&work))?;
    if sweep.spec.output.series {
        fs::create_dir_all(&series_dir).map_err(io(&series_dir))?;
    }
    write_atomically(&work.join(SWEEP_FILE), identity.as_bytes())?;

    // What is already done: the whole blocks of the journal, less the failed runs
    // that `--retry-failed` asks to run again.
    let journal_path = work.join(JOURNAL_FILE);
    let index_path = work.join(INDEX_FILE);
    let new_index =
        || JournalIndex::create(&index_path, opts.shard, table.len(), sweep.spec.replicates);
    let mut index = new_index()?;
    let journal = Journal::open(&journal_path, &mut index)?;
    // Where the run is in the journal, if it is done (and not to be run again).
    let done = |run: &RunSpec| -> Result<Option<JournalEntry>, SweepError> {
        Ok(index
            .get(run.id)?
            .filter(|e| !(e.failed && opts.retry_failed)))
    };
    let (mut todo, mut resumed, mut failed_before) = (0u64, 0u64, 0u64);
    let mut first_failure: Option<(u64, JournalEntry)> = None;
    for run in runs() {
        let Some(entry) = done(&run)? else {
            todo += 1;
            continue;
        };
        resumed += 1;
        if let Some(e) = Some(entry).filter(|e| e.failed) {
            failed_before += 1;
            first_failure.get_or_insert((run.id, e));
        }
    }
    let too_many = |failed: u64, first: String| {
        opts.max_failures
            .filter(|&limit| failed > limit)
            .map(|limit| SweepError::TooManyFailures {
                failed,
                limit,
                work: work.display().to_string(),
                first,
            })
    };
    // Already past the limit: stop before running anything more.
    if let Some((_, entry)) = first_failure {
        let mut file = fs::File::open(&journal_path).map_err(io(&journal_path))?;
        let record = read_record(&journal_path, &mut file, entry)?;
        if let Some(e) = too_many(failed_before, first_failure_text(&record)) {
            return Err(e);
        }
    }
    (opts.on_start)(todo, resumed);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(SweepError::Threads)?;
    let steps = AtomicU64::new(0);
    let failures = AtomicU64::new(failed_before);
    // The failed run of this session with the lowest number, for the message.
    let first_new = std::sync::Mutex::new(None::<Record>);
    let base = ParsedScenario::parse(&sweep.base.text, &sweep.base.origin)?;
    let run_clock = Instant::now();
    let ran = pool.install(|| {
        // Handed out one at a time as threads free up: the order does not matter,
        // since every run's result depends on its point and seed alone.
        runs()
            .filter_map(|r| match done(&r) {
                Ok(Some(_)) => None,
                Ok(None) => Some(Ok(r)),
                Err(e) => Some(Err(e)),
            })
            .par_bridge()
            .try_for_each(|run| {
                let run = run?;
                let series_path = sweep
                    .spec
                    .output
                    .series
                    .then(|| series_dir.join(format!("run-{:010}.csv", run.id)));
                // A run that fails is data: its error is recorded and the sweep goes on.
                let record = match simulate(sweep, &base, &table, run, series_path.as_deref()) {
                    Err(SweepError::RunFailed { cause, .. }) => {
                        Record::failed(run, &cause.to_string())
                    }
                    other => other?,
                };
                steps.fetch_add(record.header.firm_steps, Ordering::Relaxed);
                journal.append(&record)?;
                (opts.on_run)();
                if record.header.error.is_some() {
                    let failed = failures.fetch_add(1, Ordering::SeqCst) + 1;
                    let mut first = first_new.lock().unwrap_or_else(|p| p.into_inner());
                    if first.as_ref().is_none_or(|f| f.header.id > run.id) {
                        *first = Some(record);
                    }
                    if let Some(e) = too_many(
                        failed,
                        first.as_ref().map(first_failure_text).unwrap_or_default(),
                    ) {
                        return Err(e);
                    }
                }
                Ok::<(), SweepError>(())
            })
    });
    // On any error (more failures than allowed, a full disk) the journal is kept:
    // `--resume` carries on from it.
    ran?;
    let run_seconds = run_clock.elapsed().as_secs_f64();

    drop(journal);
    drop(index);
    let mut index = new_index()?;
    Journal::open(&journal_path, &mut index)?;
    let result = ResultDir::create(out, opts.force || replace)?;
    let assembled = assemble(
        sweep,
        sweep_text,
        &table,
        opts.shard,
        (&journal_path, &index),
        &series_dir,
        &result,
    )?;
    let session_steps = steps.load(Ordering::Relaxed);
    let manifest = SweepManifest {
        program: "catchup".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        source: crate::output::manifest::Source::of_this_build(),
        sweep: sweep.spec.name.clone(),
        design: sweep.spec.design.kind.name().into(),
        factors: table.keys.clone(),
        metrics: sweep.spec.metric.iter().map(|m| m.name.clone()).collect(),
        bands: sweep.spec.output.bands.clone(),
        morris_delta: table.morris_delta,
        replicates: sweep.spec.replicates,
        seed: sweep.spec.seed,
        points_total: table.len(),
        runs_total,
        shard: opts.shard.to_string(),
        runs: resumed + todo,
        runs_resumed: resumed,
        runs_failed: assembled.failed,
        threads: opts.threads,
        firm_steps: assembled.firm_steps,
        started_at,
        wall_seconds: clock.elapsed().as_secs_f64(),
        firm_steps_per_second: if run_seconds > 0.0 {
            session_steps as f64 / run_seconds
        } else {
            0.0
        },
        runs_per_second: if run_seconds > 0.0 {
            todo as f64 / run_seconds
        } else {
            0.0
        },
        peak_memory_bytes: crate::runner::peak_memory_bytes(),
    };
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    result.write_text(MANIFEST_FILE, &(json + "\n"))?;
    let path = result.commit()?;
    // The journal of a result with failed runs is kept for `--resume --retry-failed`.
    if assembled.failed == 0 {
        remove_work_dir(&work)?;
    }
    Ok(Outcome::Done(path, Box::new(manifest)))
}

/// "the first: run R (design point P, replicate I, seed S): ERROR", for a failed run's
/// record.
fn first_failure_text(r: &Record) -> String {
    let h = &r.header;
    format!(
        "The first: run {} (design point {}, replicate {}, seed {}): {}",
        h.id,
        h.point,
        h.replicate,
        h.seed,
        h.error.as_deref().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_sweep() -> (Sweep, String) {
        let text = "version = 1\nname = \"t\"\nreplicates = 2\nseed = 4\nset = { periods = 4 }\n\
                    [design]\nkind = \"grid\"\n[[design.factor]]\nkey = \"policy.tariff\"\nvalues = [0.0, 0.2]\n\
                    [[metric]]\nname = \"gap_final\"\nseries = \"gap\"\nstat = \"final\"\n\
                    [output]\nbands = [\"gap\"]\n";
        let sweep = Sweep::parse(text, "t.toml", Path::new(".")).unwrap();
        (sweep, text.to_string())
    }

    fn sweep_into(
        sweep: &Sweep,
        text: &str,
        out: &Path,
        resume: bool,
        retry_failed: bool,
    ) -> SweepManifest {
        let opts = SweepOptions {
            out,
            shard: Shard::WHOLE,
            threads: 1,
            resume,
            force: false,
            max_failures: None,
            retry_failed,
            on_start: &mut |_, _| {},
            on_run: &|| {},
        };
        match run_sweep(sweep, text, opts).unwrap() {
            Outcome::Done(_, m) => *m,
            Outcome::AlreadyComplete(..) => panic!("nothing was run"),
        }
    }

    /// A run recorded as failed (by an older build with a bug, say) is not run again on
    /// `--resume`, and `--retry-failed` runs it again: the result is then a clean sweep's.
    #[test]
    fn a_failed_run_in_the_journal_is_kept_on_resume_and_run_again_on_retry() {
        let (sweep, text) = small_sweep();
        let dir = tempfile::tempdir().unwrap();
        let clean = dir.path().join("clean");
        assert_eq!(
            sweep_into(&sweep, &text, &clean, false, false).runs_failed,
            0
        );
        let table = generate(&sweep).unwrap();
        let runs: Vec<RunSpec> = runs_of(&sweep, &table, Shard::WHOLE).collect();
        // An interrupted sweep whose journal holds run 1 as failed, and nothing else.
        let journal_of = |out: &Path| {
            let work = partial_dir(out);
            fs::create_dir_all(&work).unwrap();
            let identity = format!("{text}\n--shard 1/1\n");
            fs::write(work.join(SWEEP_FILE), identity).unwrap();
            let mut index =
                JournalIndex::create(&work.join(INDEX_FILE), Shard::WHOLE, 2, 2).unwrap();
            let journal = Journal::open(&work.join(JOURNAL_FILE), &mut index).unwrap();
            journal
                .append(&Record::failed(runs[1], "a bug,\n  since fixed"))
                .unwrap();
        };
        let kept = dir.path().join("kept");
        journal_of(&kept);
        let m = sweep_into(&sweep, &text, &kept, true, false);
        assert_eq!((m.runs_failed, m.runs_resumed), (1, 1));
        let csv = fs::read_to_string(kept.join(RUNS_FILE)).unwrap();
        let row = csv.lines().nth(2).unwrap();
        assert!(row.starts_with("1,0,1,"), "{row}");
        assert!(
            row.ends_with(",failed,0.0,,\"a bug, since fixed\""),
            "{row}"
        );
        // Its journal stays beside the complete result, and --retry-failed runs the
        // run again and replaces the result with the clean one.
        assert!(partial_dir(&kept).join(JOURNAL_FILE).is_file());
        let m = sweep_into(&sweep, &text, &kept, true, true);
        assert_eq!((m.runs_failed, m.runs_resumed), (0, 3));
        for f in [RUNS_FILE, BANDS_FILE, POINTS_FILE] {
            assert_eq!(
                fs::read(clean.join(f)).unwrap(),
                fs::read(kept.join(f)).unwrap(),
                "{f}"
            );
        }
        assert!(!partial_dir(&kept).exists());
        // The same from an interrupted sweep, straight away.
        let retried = dir.path().join("retried");
        journal_of(&retried);
        let m = sweep_into(&sweep, &text, &retried, true, true);
        assert_eq!((m.runs_failed, m.runs_resumed), (0, 0));
        assert_eq!(
            fs::read(clean.join(RUNS_FILE)).unwrap(),
            fs::read(retried.join(RUNS_FILE)).unwrap()
        );
    }
}
