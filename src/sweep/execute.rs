//! Running a sweep: the runs of a shard, each finished or failed run journaled
//! ([`super::journal`], which is what makes a sweep resumable after any kill), and
//! the assembly of the result.
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
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::analysis::quantile_sorted;
use super::design::{DesignTable, cell_value, check_points, generate};
use super::journal::{Journal, JournalEntry, JournalIndex, Record, RecordHeader, read_record};
use super::spec::{Metric, Stat, Sweep, factor_column};
use crate::engine::World;
use crate::model::rng::mix;
use crate::output::codebook::Entry;
use crate::output::{Codebook, OutputError, ResultDir, atomic, check_target};
use crate::scenario::Edit;
use crate::scenario::{ScenarioError, parse_scenario};

pub const RUNS_FILE: &str = "runs.csv";
pub const BANDS_FILE: &str = "bands.csv";
pub const POINTS_FILE: &str = "points.csv";
pub const SWEEP_FILE: &str = "sweep.toml";
pub const BASE_FILE: &str = "base.toml";
pub const MANIFEST_FILE: &str = "manifest.json";
pub const SERIES_DIR: &str = "series";
/// The journal's index, in the working folder beside `journal.bin` ([`super::journal::JournalIndex`]).
const INDEX_FILE: &str = "index.bin";

/// Errors of a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Bad input: the sweep file or its design, located.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The sweep cannot be done as asked (shards that do not fit together, a folder
    /// holding something else, ...); the message says why and what to do instead.
    #[error("{0}")]
    Refused(String),
    /// A folder given as a sweep result is not one.
    #[error("{dir} is not a finished sweep result: {why}")]
    NotASweep { dir: PathBuf, why: String },
    /// A file a sweep wrote is damaged or inconsistent: not the user's input, so not
    /// bad input, but the message says how to recover.
    #[error("{path} is damaged ({why}); remove it and run the sweep again")]
    Damaged { path: PathBuf, why: String },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// A row could not be formatted (a bug, never the user's input).
    #[error("cannot format {what}")]
    Format {
        what: &'static str,
        #[source]
        source: csv::Error,
    },
    /// One run of the sweep could not be completed (its numbers blew up, or the model
    /// failed): the run is named so that it can be repeated alone.
    #[error("run {id} (design point {point}, replicate {replicate}, seed {seed}) failed: {cause}")]
    RunFailed {
        id: u64,
        point: u64,
        replicate: u32,
        seed: u64,
        cause: crate::runner::RunError,
    },
    /// `--max-failures N` and more than N runs failed: the sweep stopped, its journal
    /// kept for `--resume` (or `--resume --retry-failed`).
    #[error(
        "stopped after {failed} failed runs, more than --max-failures {limit}; the finished \
         runs are kept in {work}: `--resume` continues (with a higher --max-failures), \
         `--resume --retry-failed` runs the failed ones again. {first}"
    )]
    TooManyFailures {
        failed: u64,
        limit: u64,
        work: String,
        /// The failed run with the lowest number, and its error.
        first: String,
    },
}

impl SweepError {
    /// Whether the user can fix this by changing what they asked for (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            SweepError::Input(_) | SweepError::Refused(_) | SweepError::NotASweep { .. } => true,
            SweepError::Output(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One of N disjoint slices of a sweep's runs (1-based), `K/N` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether a design point belongs to this shard. Points are dealt round-robin, so
    /// that shards get similar mixes of the design; all replicates of a point stay
    /// together, so each shard can summarise its points across replicates.
    pub fn has_point(&self, point: u64) -> bool {
        point % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N, such as 3/8; found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index < 1 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A run: a design point, a replicate, and its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpec {
    pub id: u64,
    pub point: u64,
    pub replicate: u32,
    pub seed: u64,
}

/// A run's seed, from the master seed and the run's (point, replicate) alone: never
/// from the order or the place in which runs are scheduled. The top 53 bits of the
/// mix, so that every program reading `runs.csv` (doubles in R, Stata, JavaScript)
/// reads the seed exactly
/// ([`crate::scenario::validate::EXACT_SEED_MAX`]).
pub fn run_seed(master: u64, point: u64, replicate: u32) -> u64 {
    mix(mix(mix(master) ^ point) ^ u64::from(replicate)) >> (64 - 53)
}

/// The design points of a shard, in order, one at a time.
pub fn shard_points(table: &DesignTable, shard: Shard) -> impl Iterator<Item = u64> + '_ {
    (u64::from(shard.index - 1)..table.len()).step_by(shard.count as usize)
}

/// The runs of a shard, in run order, one at a time (never all in memory).
///
/// In a Sobol row or a Morris trajectory every point's replicate `r` uses the same
/// seed (common random numbers): the points differ in their factors only, so the
/// model's own noise does not pass for an effect of the factors.
pub fn runs_of<'a>(
    sweep: &'a Sweep,
    table: &'a DesignTable,
    shard: Shard,
) -> impl Iterator<Item = RunSpec> + 'a {
    let reps = sweep.spec.replicates;
    shard_points(table, shard).flat_map(move |point| {
        let key = table.group(point).unwrap_or(point);
        (0..reps).map(move |replicate| RunSpec {
            id: point * u64::from(reps) + u64::from(replicate),
            point,
            replicate,
            seed: run_seed(sweep.spec.seed, key, replicate),
        })
    })
}

/// Writes a file of the working folder whole or not at all.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SweepError> {
    atomic::write_file(path, bytes).map_err(io(path))
}

/// Simulates one run and summarises it.
fn simulate(
    sweep: &Sweep,
    table: &DesignTable,
    run: RunSpec,
    series_csv: Option<&Path>,
) -> Result<Record, SweepError> {
    let mut edits = sweep.fixed_sets.clone();
    edits.extend(table.point(run.point).edits(&table.keys));
    edits.push(Edit::seed(run.seed));
    let scenario = parse_scenario(&sweep.base.text, &sweep.base.origin, &edits)?;
    let spec = &sweep.spec;
    let mut rows: Vec<String> = scenario.sector.iter().map(|s| s.name.clone()).collect();
    rows.push("all".into());
    let row_of = |name: &str| rows.iter().position(|r| r == name);
    let periods = scenario.periods as usize;
    let n_bands = spec.output.bands.len();
    let mut bands = vec![f64::NAN; rows.len() * n_bands * periods];
    let metric_rows: Vec<usize> = spec
        .metric
        .iter()
        .map(|m| {
            // `check_points` refuses such a point before any run (a located error);
            // this guards the indexing below.
            row_of(&m.sector).ok_or_else(|| {
                SweepError::Refused(format!(
                    "metric `{}` reads sector `{}`, which design point {} does not have",
                    m.name, m.sector, run.point
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let mut metric_series: Vec<Vec<Option<f64>>> =
        vec![Vec::with_capacity(periods); spec.metric.len()];
    let mut csv_writer = series_csv.map(|_| csv::Writer::from_writer(Vec::new()));

    let failed = |cause: crate::runner::RunError| SweepError::RunFailed {
        id: run.id,
        point: run.point,
        replicate: run.replicate,
        seed: run.seed,
        cause,
    };
    let mut world = World::new(&scenario);
    let mut firm_steps = 0u64;
    for t in 0..periods {
        firm_steps += world.firms();
        let period_rows = crate::runner::observed_step(&mut world).map_err(failed)?;
        for (r, row) in period_rows.iter().enumerate() {
            for (b, series) in spec.output.bands.iter().enumerate() {
                let v = row.value(series).flatten().unwrap_or(f64::NAN);
                bands[(r * n_bands + b) * periods + t] = v;
            }
        }
        for (m, metric) in spec.metric.iter().enumerate() {
            metric_series[m].push(period_rows[metric_rows[m]].value(&metric.series).flatten());
        }
        if let Some(w) = csv_writer.as_mut() {
            for row in &period_rows {
                w.serialize(row).map_err(|source| SweepError::Format {
                    what: "a series row",
                    source,
                })?;
            }
        }
    }
    if let (Some(path), Some(w)) = (series_csv, csv_writer) {
        let bytes = w.into_inner().map_err(|e| SweepError::Format {
            what: "the series",
            source: e.into_error().into(),
        })?;
        write_atomically(path, &bytes)?;
    }
    let metrics = spec
        .metric
        .iter()
        .zip(&metric_series)
        .map(|(m, values)| summarise(m, values).unwrap_or(f64::NAN))
        .collect();
    Ok(Record {
        header: RecordHeader {
            id: run.id,
            point: run.point,
            replicate: run.replicate,
            seed: run.seed,
            periods: scenario.periods,
            rows,
            firm_steps,
            error: None,
        },
        metrics,
        bands,
    })
}

/// A metric's value from its series (index 0 is period 1).
pub fn summarise(m: &Metric, values: &[Option<f64>]) -> Option<f64> {
    match m.stat {
        Stat::Final => values.last().copied().flatten(),
        Stat::Mean => {
            let from = m.from.unwrap_or(1).max(1) as usize;
            let to = (m.to.map_or(values.len(), |t| t as usize)).min(values.len());
            let window: Vec<f64> = values
                .get(from.saturating_sub(1)..to)
                .unwrap_or(&[])
                .iter()
                .flatten()
                .copied()
                .collect();
            (!window.is_empty()).then(|| window.iter().sum::<f64>() / window.len() as f64)
        }
        Stat::TimeTo => {
            let level = m.threshold?;
            values
                .iter()
                .position(|v| v.is_some_and(|v| if m.below { v <= level } else { v >= level }))
                .map(|i| (i + 1) as f64)
        }
    }
}

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

/// The partial directory of a sweep whose result goes to `out`.
pub fn partial_dir(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
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
    let journal_len = fs::metadata(work.join("journal.bin"))
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
    let journal_path = work.join("journal.bin");
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
                let record = match simulate(sweep, &table, run, series_path.as_deref()) {
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

/// Whether `work` is the kept journal of this sweep and shard (`identity`) and
/// records failed runs: what `--retry-failed` runs again after the result is complete.
fn kept_failures(
    work: &Path,
    identity: &str,
    new_index: impl FnOnce(&Path) -> Result<JournalIndex, SweepError>,
) -> Result<bool, SweepError> {
    let journal_path = work.join("journal.bin");
    let same = fs::read_to_string(work.join(SWEEP_FILE)).is_ok_and(|t| t == identity);
    if !same || !journal_path.is_file() {
        return Ok(false);
    }
    let mut index = new_index(&work.join(INDEX_FILE))?;
    Journal::open(&journal_path, &mut index)?;
    index.any_failed()
}

/// Removes a sweep's working folder, but only if it holds nothing but what a sweep
/// writes there (`sweep.toml`, `journal.bin`, `index.bin`, `series/run-*.csv`, and
/// the temporary files of their atomic writes): a user's own folder that happens to be
/// called `<out>.partial` is never touched.
fn remove_work_dir(work: &Path) -> Result<(), SweepError> {
    let Ok(meta) = fs::symlink_metadata(work) else {
        return Ok(());
    };
    let not_ours = |why: String| {
        SweepError::Refused(format!(
            "{} is not a sweep's working folder ({why}); nothing in it was touched. \
             Remove it yourself or choose another --out",
            work.display()
        ))
    };
    if !meta.is_dir() {
        return Err(not_ours("it is not a directory".into()));
    }
    // Earlier versions wrote `<stem>.tmp` before renaming; now `atomic::is_temporary`.
    let ours_at_top = |name: &str| {
        ["sweep.toml", "sweep.tmp", "journal.bin", INDEX_FILE].contains(&name)
            || name
                .strip_prefix(".sweep.toml")
                .is_some_and(|_| atomic::is_temporary(name))
    };
    for entry in fs::read_dir(work).map_err(io(work))? {
        let entry = entry.map_err(io(work))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        if kind.is_file() && ours_at_top(&name) {
            continue;
        }
        if kind.is_dir() && name == SERIES_DIR {
            for run in fs::read_dir(entry.path()).map_err(io(&entry.path()))? {
                let run = run.map_err(io(&entry.path()))?;
                let file = run.file_name().to_string_lossy().into_owned();
                let is_run = (file.starts_with("run-")
                    && (file.ends_with(".csv") || file.ends_with(".tmp")))
                    || (file.starts_with(".run-") && atomic::is_temporary(&file));
                if !run.file_type().map_err(io(&run.path()))?.is_file() || !is_run {
                    return Err(not_ours(format!(
                        "a sweep never writes {SERIES_DIR}/{file}"
                    )));
                }
            }
            continue;
        }
        return Err(not_ours(format!("a sweep never writes {name}")));
    }
    fs::remove_dir_all(work).map_err(io(work))
}

fn number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        v.to_string()
    }
}

/// What [`assemble`] found in the records.
struct Assembled {
    /// Firm-periods of all the runs.
    firm_steps: u64,
    /// Runs that failed.
    failed: u64,
}

/// Writes points.csv, runs.csv, bands.csv (and series/) from the records, in run
/// order. A failed run has a row in runs.csv (status `failed`, its error, no metrics)
/// and no part in bands.csv or series/.
fn assemble(
    sweep: &Sweep,
    sweep_text: &str,
    table: &DesignTable,
    shard: Shard,
    (journal_path, index): (&Path, &JournalIndex),
    series_dir: &Path,
    result: &ResultDir,
) -> Result<Assembled, SweepError> {
    let mut journal = fs::File::open(journal_path).map_err(io(journal_path))?;
    let spec = &sweep.spec;
    let mut points = result.csv(POINTS_FILE)?;
    let mut header = vec!["point".to_string(), "group".into(), "role".into()];
    header.extend(table.keys.iter().map(|k| factor_column(k)));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    points.record(&header)?;
    for p in shard_points(table, shard) {
        let point = table.point(p);
        let mut row = vec![
            p.to_string(),
            point.group.map(|g| g.to_string()).unwrap_or_default(),
            point.role.clone(),
        ];
        row.extend(point.values.iter().map(cell_value));
        let row: Vec<&str> = row.iter().map(String::as_str).collect();
        points.record(&row)?;
    }
    points.finish()?;

    let mut runs_csv = result.csv(RUNS_FILE)?;
    let mut header = vec![
        "run".to_string(),
        "point".into(),
        "replicate".into(),
        "seed".into(),
        "status".into(),
    ];
    header.extend(table.keys.iter().map(|k| factor_column(k)));
    header.extend(spec.metric.iter().map(|m| m.name.clone()));
    header.push("error".into());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    runs_csv.record(&header)?;
    let mut bands_csv = result.csv(BANDS_FILE)?;
    bands_csv.record(&[
        "point", "sector", "series", "period", "n", "mean", "p05", "p50", "p95",
    ])?;

    let mut read = |id: u64| -> Result<Record, SweepError> {
        let at = index.get(id)?.ok_or_else(|| SweepError::Damaged {
            path: journal_path.to_path_buf(),
            why: format!("run {id} is missing from it"),
        })?;
        read_record(journal_path, &mut journal, at)
    };
    let mut firm_steps = 0u64;
    let mut failed = 0u64;
    let n_bands = spec.output.bands.len();
    let reps = u64::from(spec.replicates);
    for p in shard_points(table, shard) {
        // One point's records at a time: memory does not grow with the points.
        let values: Vec<String> = table.point(p).values.iter().map(cell_value).collect();
        let records = (p * reps..(p + 1) * reps)
            .map(&mut read)
            .collect::<Result<Vec<_>, _>>()?;
        for rec in &records {
            firm_steps += rec.header.firm_steps;
            let h = &rec.header;
            let mut row = vec![
                h.id.to_string(),
                h.point.to_string(),
                h.replicate.to_string(),
                h.seed.to_string(),
                if h.error.is_some() { "failed" } else { "ok" }.into(),
            ];
            row.extend(values.iter().cloned());
            if h.error.is_some() {
                failed += 1;
                row.extend(spec.metric.iter().map(|_| String::new()));
            } else {
                row.extend(rec.metrics.iter().map(|&v| number(v)));
            }
            row.push(h.error.clone().unwrap_or_default());
            let row: Vec<&str> = row.iter().map(String::as_str).collect();
            runs_csv.record(&row)?;
        }
        // Bands, over the replicates that finished: they all have the same periods
        // and rows. A point whose every replicate failed has no bands.
        let records: Vec<&Record> = records
            .iter()
            .filter(|r| r.header.error.is_none())
            .collect();
        let Some(first) = records.first().map(|r| &r.header) else {
            continue;
        };
        let periods = first.periods as usize;
        let mut values = Vec::with_capacity(records.len());
        for (r, row_name) in first.rows.iter().enumerate() {
            for (b, series) in spec.output.bands.iter().enumerate() {
                for t in 0..periods {
                    values.clear();
                    values.extend(
                        records
                            .iter()
                            .map(|rec| rec.bands[(r * n_bands + b) * periods + t])
                            .filter(|v| !v.is_nan()),
                    );
                    values.sort_by(f64::total_cmp);
                    let n = values.len();
                    let stats = if n == 0 {
                        [String::new(), String::new(), String::new(), String::new()]
                    } else {
                        let mean = values.iter().sum::<f64>() / n as f64;
                        [
                            number(mean),
                            number(quantile_sorted(&values, 0.05)),
                            number(quantile_sorted(&values, 0.5)),
                            number(quantile_sorted(&values, 0.95)),
                        ]
                    };
                    let point = first.point.to_string();
                    let period = (t + 1).to_string();
                    let n = n.to_string();
                    bands_csv.record(&[
                        point.as_str(),
                        row_name.as_str(),
                        series.as_str(),
                        period.as_str(),
                        n.as_str(),
                        stats[0].as_str(),
                        stats[1].as_str(),
                        stats[2].as_str(),
                        stats[3].as_str(),
                    ])?;
                }
            }
        }
    }
    runs_csv.finish()?;
    bands_csv.finish()?;
    if spec.output.series {
        let dest = result.path(SERIES_DIR);
        fs::create_dir_all(&dest).map_err(io(&dest))?;
        for run in runs_of(sweep, table, shard) {
            if index.get(run.id)?.is_some_and(|e| e.failed) {
                continue;
            }
            let name = format!("run-{:010}.csv", run.id);
            let from = series_dir.join(&name);
            fs::copy(&from, dest.join(&name)).map_err(io(&from))?;
        }
    }
    result.write_text(SWEEP_FILE, sweep_text)?;
    result.write_text(BASE_FILE, &crate::runner::scenario_text(&sweep.scenario))?;
    result.write_codebook(&sweep_codebook(sweep, table))?;
    Ok(Assembled { firm_steps, failed })
}

/// The codebook of a sweep's tables: the fixed columns, each factor with its scenario
/// key (and the catalogue's meaning and unit where the key is in one), each metric.
pub fn sweep_codebook(sweep: &Sweep, table: &DesignTable) -> Codebook {
    let spec = &sweep.spec;
    let first = (!table.is_empty()).then(|| table.point(0));
    let factors: Vec<Entry> = table
        .keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let kind = match first.as_ref().and_then(|p| p.values.get(i)) {
                Some(toml::Value::Integer(_)) => "integer",
                Some(toml::Value::Boolean(_)) => "boolean",
                Some(toml::Value::String(_)) => "text",
                _ => "number",
            };
            let info = crate::scenario::catalogue_entry(key);
            let mut entry = Entry::new(
                &factor_column(key),
                kind,
                info.map_or("", |i| i.unit),
                &format!(
                    "Factor: the design point's value of scenario key `{key}`.{}",
                    info.map(|i| format!(" {}", i.meaning)).unwrap_or_default()
                ),
            );
            entry.key = Some(key.clone());
            entry
        })
        .collect();
    let metrics = spec.metric.iter().map(|m| {
        let unit = crate::observe::column(&m.series).map_or("", |c| c.unit);
        Entry::new(
            &m.name,
            "number",
            if matches!(m.stat, Stat::TimeTo) {
                "period"
            } else {
                unit
            },
            &format!("Metric: {}.", m.describe()),
        )
        .empty_when("for a failed run; and where the series is undefined (see series.csv)")
    });
    let run = Entry::new(
        "run",
        "integer",
        "",
        "The run's number: point × replicates + replicate.",
    );
    let point = Entry::new(
        "point",
        "integer",
        "",
        "The design point (a row of points.csv).",
    );
    let mut runs = vec![
        run,
        point.clone(),
        Entry::new(
            "replicate",
            "integer",
            "",
            "The replicate at its design point, from 0.",
        ),
        Entry::new(
            "seed",
            "integer",
            "",
            "The run's seed, from the master seed and the run's (point, replicate); below 2^53, so exact as a double.",
        ),
        Entry::new(
            "status",
            "text",
            "",
            "`ok`, or `failed` when the run's numbers blew up (its error is in `error`).",
        ),
    ];
    runs.extend(factors.iter().cloned());
    runs.extend(metrics);
    runs.push(
        Entry::new("error", "text", "", "Why the run failed.")
            .empty_when("for a run that finished (`status` = `ok`)"),
    );
    let mut points = vec![
        Entry::new("point", "integer", "", "The design point."),
        Entry::new("group", "integer", "", "The Sobol row or Morris trajectory the point belongs to; its points share their replicates' seeds.")
            .empty_when("in grid, lhs and list designs, which have no groups"),
        Entry::new("role", "text", "", "Sobol: `A`, `B` or `AB<i>` (column i from B); Morris: `base` or `F<i>` (factor i moved).")
            .empty_when("in grid, lhs and list designs"),
    ];
    points.extend(factors);
    let stat = |name: &str, what: &str| {
        Entry::new(name, "number", "the series' unit", what)
            .empty_when("when no replicate has a value (`n` = 0)")
    };
    let bands = vec![
        Entry::new("point", "integer", "", "The design point."),
        Entry::new(
            "sector",
            "text",
            "",
            "The sector, or `all` for the whole economy.",
        ),
        Entry::new(
            "series",
            "text",
            "",
            "The column of series.csv summarised (see the codebook of a run).",
        ),
        Entry::new("period", "integer", "period", "The period."),
        Entry::new(
            "n",
            "integer",
            "runs",
            "Replicates with a value in this period.",
        ),
        stat("mean", "Mean over the replicates."),
        stat("p05", "5th percentile over the replicates."),
        stat("p50", "Median over the replicates."),
        stat("p95", "95th percentile over the replicates."),
    ];
    let mut codebook = Codebook::new()
        .file(RUNS_FILE, runs)
        .file(POINTS_FILE, points)
        .file(BANDS_FILE, bands);
    if spec.output.series {
        // Every run's `series/run-NNNNNNNNNN.csv` has the columns of a run's series.csv.
        codebook = codebook.file("series/run-*.csv", crate::observe::series_codebook());
    }
    codebook
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_on_point_and_replicate_only() {
        use crate::scenario::validate::EXACT_SEED_MAX;
        assert_eq!(run_seed(7, 3, 1), run_seed(7, 3, 1));
        assert_ne!(run_seed(7, 3, 1), run_seed(7, 3, 2));
        assert_ne!(run_seed(7, 3, 1), run_seed(7, 4, 1));
        assert_ne!(run_seed(7, 3, 1), run_seed(8, 3, 1));
        // Every seed is held exactly by a double, and the top bit is used.
        let seeds: Vec<u64> = (0..1000).map(|p| run_seed(7, p, 0)).collect();
        assert!(seeds.iter().all(|&s| s <= EXACT_SEED_MAX));
        assert!(seeds.iter().any(|&s| s > EXACT_SEED_MAX / 2));
        assert!(run_seed(u64::MAX, u64::MAX, u32::MAX) <= EXACT_SEED_MAX);
    }

    #[test]
    fn shards_partition_the_points() {
        for n in 1..6u32 {
            for p in 0..50u64 {
                let owners = (1..=n)
                    .filter(|&k| Shard { index: k, count: n }.has_point(p))
                    .count();
                assert_eq!(owners, 1);
            }
        }
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        assert!("0/5".parse::<Shard>().is_err());
        assert!("6/5".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    /// A small grid sweep: 2 points x 2 replicates of a 4-period baseline.
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
            let journal = Journal::open(&work.join("journal.bin"), &mut index).unwrap();
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
        assert!(partial_dir(&kept).join("journal.bin").is_file());
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

    #[test]
    fn metrics_summarise_a_series() {
        let m = |stat, from, to, threshold, below| Metric {
            name: "m".into(),
            series: "gap".into(),
            sector: "all".into(),
            stat,
            from,
            to,
            threshold,
            below,
        };
        let v = [Some(0.5), None, Some(0.7), Some(0.9)];
        assert_eq!(
            summarise(&m(Stat::Final, None, None, None, false), &v),
            Some(0.9)
        );
        assert_eq!(
            summarise(&m(Stat::Mean, Some(3), Some(4), None, false), &v),
            Some(0.8)
        );
        let whole = summarise(&m(Stat::Mean, None, None, None, false), &v).unwrap();
        assert!((whole - 0.7).abs() < 1e-12, "{whole}");
        assert_eq!(
            summarise(&m(Stat::TimeTo, None, None, Some(0.7), false), &v),
            Some(3.0)
        );
        assert_eq!(
            summarise(&m(Stat::TimeTo, None, None, Some(0.95), false), &v),
            None
        );
        assert_eq!(
            summarise(&m(Stat::TimeTo, None, None, Some(0.6), true), &v),
            Some(1.0)
        );
    }
}
