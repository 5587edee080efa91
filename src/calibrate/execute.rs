//! A calibration from start to result: the working folder `<out>.partial/` with the
//! journal, the evaluations (every replicate of a batch of points run in parallel,
//! collected in order), the search against them, the sensitivity at the optimum,
//! and the result written whole.
//!
//! Common random numbers: replicate `r` runs with the seed
//! [`crate::claims::replicate_seed`]`(seed, r)` at every evaluation, so that two
//! parameter sets differ in their parameters only and the objective is a
//! deterministic function of them; the search can compare points without the
//! model's noise passing for a difference.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::error::{CalibrateError, io};
use super::journal::{Evaluation, Journal};
use super::moments::{objective, replicate_means};
use super::report;
use super::search::{self, Settings};
use super::spec::Calibration;
use crate::claims::observe::Run;
use crate::claims::replicate_seed;
use crate::output::{ResultDir, atomic, check_target, workdir};
use crate::scenario::Edit;
use crate::scenario::load::ParsedScenario;
use crate::sweep::workdir::partial_dir;

/// What the working folder holds besides the journal: the calibration file and the
/// base scenario's text, which a resumed calibration must match.
pub const IDENTITY_FILE: &str = "calibration.toml";
pub const JOURNAL_FILE: &str = "journal.bin";

/// How to run a calibration.
pub struct Options<'a> {
    pub out: &'a Path,
    pub threads: usize,
    pub resume: bool,
    pub force: bool,
    /// Evaluate this point of the unit cube alone instead of searching (`--at`): the
    /// moments at known parameter values, as a synthetic check's targets.
    pub at: Option<Vec<f64>>,
    /// Stop as a kill would, once the journal holds this many evaluations: how the
    /// tests interrupt a calibration at a known point to resume it.
    pub stop_after: Option<u64>,
    /// Called once with (evaluations at most to do, evaluations found in the journal).
    pub on_start: &'a mut dyn FnMut(u64, u64),
    /// Called after each evaluation computed (not replayed).
    pub on_evaluation: &'a (dyn Fn() + Sync),
}

/// Why an evaluation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Start,
    Search,
    Sensitivity,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::Search => "search",
            Phase::Sensitivity => "sensitivity",
        }
    }
}

/// Everything a calibration found: what the report is written from.
#[derive(Debug, Clone)]
pub struct Found {
    /// Every evaluation, in order.
    pub evaluations: Vec<Evaluation>,
    pub phases: Vec<Phase>,
    /// The best evaluation of the search (the first of equals).
    pub best: usize,
    /// For each parameter, the evaluations below and above the best point.
    pub sensitivity: Vec<(usize, usize)>,
    /// Evaluations read from the journal rather than computed.
    pub resumed: u64,
}

/// What [`calibrate`] did.
pub struct Outcome {
    pub path: PathBuf,
    pub found: Found,
    pub manifest: report::CalibrationManifest,
}

/// Runs the evaluations the search asks for, answering from the journal first.
struct Evaluator<'a> {
    cal: &'a Calibration,
    /// The base scenario, parsed once for every replicate of every point.
    base: ParsedScenario<'a>,
    pool: rayon::ThreadPool,
    journal: Journal,
    journal_path: PathBuf,
    replayed: Vec<Evaluation>,
    done: Vec<Evaluation>,
    phases: Vec<Phase>,
    stop_after: Option<u64>,
    on_evaluation: &'a (dyn Fn() + Sync),
}

impl Evaluator<'_> {
    /// Evaluates `points` in order, as many as `room` allows.
    fn batch(
        &mut self,
        points: &[Vec<f64>],
        room: usize,
        phase: Phase,
    ) -> Result<Vec<f64>, CalibrateError> {
        let points = &points[..points.len().min(room)];
        let first = self.done.len();
        // Answered from the journal: the same points, bit for bit, or the journal
        // belongs to another search (a changed build, say).
        let known = self.replayed.len().saturating_sub(first).min(points.len());
        for (i, p) in points[..known].iter().enumerate() {
            let e = &self.replayed[first + i];
            if e.point
                .iter()
                .map(|v| v.to_bits())
                .ne(p.iter().map(|v| v.to_bits()))
            {
                return Err(CalibrateError::Refused(format!(
                    "the journal in {} does not match this calibration: evaluation {} was at \
                     another point (was it written by another build of catchup?); run again \
                     with --force instead of --resume to start over",
                    self.journal_path.display(),
                    first + i
                )));
            }
        }
        let mut out: Vec<Evaluation> = self
            .replayed
            .iter()
            .skip(first)
            .take(known)
            .cloned()
            .collect();
        let fresh = &points[known..];
        if !fresh.is_empty() {
            let r = self.cal.spec.replicates as usize;
            let jobs: Vec<(usize, usize)> = (0..fresh.len())
                .flat_map(|p| (0..r).map(move |rep| (p, rep)))
                .collect();
            let (cal, base) = (self.cal, &self.base);
            let results: Vec<Result<Vec<f64>, CalibrateError>> = self.pool.install(|| {
                jobs.par_iter()
                    .map(|&(p, rep)| replicate_moments(cal, base, &fresh[p], rep))
                    .collect()
            });
            let mut results = results.into_iter();
            for (i, point) in fresh.iter().enumerate() {
                let mut moments = Vec::with_capacity(r * cal.spec.moment.len());
                for _ in 0..r {
                    moments.extend(results.next().expect("one result per job")?);
                }
                let means = replicate_means(&moments, cal.spec.moment.len());
                let e = Evaluation {
                    index: (first + known + i) as u64,
                    point: point.clone(),
                    objective: objective(&cal.spec.moment, &means),
                    moments,
                };
                if self.stop_after.is_some_and(|n| e.index >= n) {
                    return Err(CalibrateError::Stopped(e.index));
                }
                self.journal.append(&e)?;
                (self.on_evaluation)();
                out.push(e);
            }
        }
        let values = out.iter().map(|e| e.objective).collect();
        self.phases.extend(std::iter::repeat_n(phase, out.len()));
        self.done.extend(out);
        Ok(values)
    }
}

/// The moments of one replicate at point `u`.
fn replicate_moments(
    cal: &Calibration,
    base: &ParsedScenario<'_>,
    u: &[f64],
    rep: usize,
) -> Result<Vec<f64>, CalibrateError> {
    let mut edits = cal.edits(u);
    edits.push(Edit::seed(replicate_seed(cal.spec.seed, rep)));
    let (scenario, _) = base.edit(&edits).map_err(|e| {
        CalibrateError::Refused(format!(
            "the parameters at {} make the scenario invalid (a combination of bounds that \
             the scenario refuses; narrow them): {e}",
            describe_point(cal, u)
        ))
    })?;
    let run = Run::simulate(&scenario);
    Ok(cal.spec.moment.iter().map(|m| m.value(&run)).collect())
}

/// `key=value, ...` of a point.
pub fn describe_point(cal: &Calibration, u: &[f64]) -> String {
    cal.spec
        .parameter
        .iter()
        .zip(u)
        .map(|(p, &u)| format!("{}={}", p.key, p.value(u)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs a calibration and writes its result.
pub fn calibrate(cal: &Calibration, opts: Options<'_>) -> Result<Outcome, CalibrateError> {
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    let out = opts.out;
    check_target(out, opts.force)?;
    let work = partial_dir(out);
    let identity = format!(
        "{}\n# --at {:?}\n# base scenario ({})\n{}",
        cal.text, opts.at, cal.base.origin, cal.base.text
    );
    let journal_path = work.join(JOURNAL_FILE);
    if work.exists() {
        let previous = fs::read_to_string(work.join(IDENTITY_FILE)).unwrap_or_default();
        if opts.resume {
            if previous != identity {
                return Err(CalibrateError::Refused(format!(
                    "{} holds an interrupted run of a different calibration (or base scenario); \
                     remove it, or run without --resume and with --force to start over",
                    work.display()
                )));
            }
        } else if opts.force {
            remove_work_dir(&work)?;
        } else {
            return Err(CalibrateError::Refused(format!(
                "an interrupted calibration is in {}; pass --resume to continue it, or --force to start over",
                work.display()
            )));
        }
    }
    fs::create_dir_all(&work).map_err(io(&work))?;
    atomic::write_file(&work.join(IDENTITY_FILE), identity.as_bytes())
        .map_err(io(&work.join(IDENTITY_FILE)))?;
    let (journal, replayed) = Journal::open(&journal_path)?;
    let k = cal.spec.parameter.len();
    let budget = cal.spec.budget as usize;
    let resumed = replayed.len() as u64;
    let most = if opts.at.is_some() { 1 } else { budget };
    (opts.on_start)((most + 2 * k) as u64, resumed);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(CalibrateError::Threads)?;
    let mut ev = Evaluator {
        cal,
        base: ParsedScenario::parse(&cal.base.text, &cal.base.origin)?,
        pool,
        journal,
        journal_path: journal_path.clone(),
        replayed,
        done: Vec::new(),
        phases: Vec::new(),
        stop_after: opts.stop_after,
        on_evaluation: opts.on_evaluation,
    };
    let settings = Settings {
        start: cal.spec.search.start,
        step: cal.spec.search.step,
        tolerance: cal.spec.search.tolerance,
        seed: cal.spec.seed,
    };
    match &opts.at {
        Some(u) => {
            ev.batch(std::slice::from_ref(u), 1, Phase::Start)?;
        }
        None => {
            let mut first_batch = true;
            search::minimise(k, settings, &mut |points: &[Vec<f64>]| {
                let room = budget - ev.done.len();
                let phase = if first_batch {
                    Phase::Start
                } else {
                    Phase::Search
                };
                first_batch = false;
                ev.batch(points, room, phase)
            })?;
        }
    }
    let searched = ev.done.len();
    let objectives: Vec<f64> = ev.done.iter().map(|e| e.objective).collect();
    let best = search::first_min(&objectives);
    // Central differences around the best point (one-sided at a bound), with the
    // same replicate seeds: the change of each moment with each parameter.
    let h = cal.spec.search.sensitivity_step;
    let centre = ev.done[best].point.clone();
    let mut around = Vec::with_capacity(2 * k);
    for d in 0..k {
        for sign in [-1.0, 1.0] {
            let mut u = centre.clone();
            u[d] = (u[d] + sign * h).clamp(0.0, 1.0);
            around.push(u);
        }
    }
    ev.batch(&around, usize::MAX, Phase::Sensitivity)?;
    let sensitivity = (0..k)
        .map(|d| (searched + 2 * d, searched + 2 * d + 1))
        .collect();
    let found = Found {
        evaluations: std::mem::take(&mut ev.done),
        phases: std::mem::take(&mut ev.phases),
        best,
        sensitivity,
        resumed,
    };
    drop(ev);

    let result = ResultDir::create(out, opts.force)?;
    let mut manifest = report::write(cal, &found, &result)?;
    manifest.threads = opts.threads;
    manifest.started_at = started_at;
    manifest.wall_seconds = clock.elapsed().as_secs_f64();
    manifest.peak_memory_bytes = crate::runner::peak_memory_bytes();
    report::write_manifest(&manifest, &result)?;
    let path = result.commit()?;
    remove_work_dir(&work)?;
    Ok(Outcome {
        path,
        found,
        manifest,
    })
}

/// Removes a calibration's working folder, but only if it holds nothing but what a
/// calibration writes there: a user's folder that happens to be called
/// `<out>.partial` is never touched.
fn remove_work_dir(work: &Path) -> Result<(), CalibrateError> {
    let ours = |relative: &Path, is_dir: bool| {
        let name = relative.to_string_lossy();
        !is_dir
            && ([IDENTITY_FILE, JOURNAL_FILE].contains(&name.as_ref())
                || (name.starts_with(&format!(".{IDENTITY_FILE}")) && atomic::is_temporary(&name)))
    };
    workdir::remove_if_ours(work, ours).map_err(|kept| match kept {
        workdir::Kept::Io { path, source } => CalibrateError::Io { path, source },
        refused => CalibrateError::Refused(refused.refusal(work, "calibration")),
    })
}
