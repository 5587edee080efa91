//! `catchup calibrate`.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::calibrate::{Calibration, Options, calibrate};

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The calibration file (TOML): a base scenario, free parameters with bounds,
    /// target moments, replicates, a budget (see docs/calibration.md).
    pub calibration: PathBuf,
    /// Result directory. Default: output/<calibration name>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (replicates run in parallel), 1 to 1024; results do not depend
    /// on it. Default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Continue an interrupted calibration from its journal in <out>.partial/.
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing result, or discard an interrupted calibration and start over.
    #[arg(long)]
    pub force: bool,
    /// Evaluate the moments at these parameter values (every parameter, KEY=VALUE,
    /// repeated) instead of searching: one evaluation and its sensitivity, written as
    /// a calibration's result. How a synthetic check's targets are made.
    #[arg(long, value_name = "KEY=VALUE")]
    pub at: Vec<String>,
    /// Stop after N evaluations as a kill would, leaving the journal for --resume
    /// (for tests of resuming).
    #[arg(long, value_name = "N", hide = true)]
    pub stop_after: Option<u64>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: CalibrateArgs) -> Result<(), Failure> {
    let cal = Calibration::load(&args.calibration).map_err(Failure::bad_input)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&cal.spec.name));
    let at = if args.at.is_empty() {
        None
    } else {
        Some(cal.point_at(&args.at).map_err(Failure::bad_input)?)
    };
    let threads = super::thread_count(args.threads)?;
    let _lock = super::lock(&out)?;
    let bar = super::progress_bar(
        0,
        args.quiet,
        "{spinner} {pos}/{len} evaluations [{bar:30}] elapsed {elapsed_precise} left at most {eta}",
    );
    let mut on_start = |most: u64, done: u64| {
        bar.set_length(most);
        bar.set_position(done);
        if done > 0 && !args.quiet {
            eprintln!("resuming: {done} evaluations read from the journal");
        }
    };
    let on_evaluation = || bar.inc(1);
    let outcome = calibrate(
        &cal,
        Options {
            out: &out,
            threads,
            resume: args.resume,
            force: args.force,
            at,
            stop_after: args.stop_after,
            on_start: &mut on_start,
            on_evaluation: &on_evaluation,
        },
    );
    bar.finish_and_clear();
    let outcome = outcome.map_err(|e| {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::runtime(e)
        }
    })?;
    if !args.quiet {
        let m = &outcome.manifest;
        let best = &outcome.found.evaluations[outcome.found.best];
        println!(
            "{}: objective {} after {} evaluations ({} resumed, {} for the sensitivity), {:.1} s",
            outcome.path.display(),
            crate::scenario::error::number(best.objective),
            m.evaluations,
            m.evaluations_resumed,
            m.evaluations_sensitivity,
            m.wall_seconds
        );
        println!(
            "  {}",
            crate::calibrate::execute::describe_point(&cal, &best.point)
        );
    }
    Ok(())
}
