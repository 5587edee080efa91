//! `catchup plot`.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::plot::{self, PlotError, PlotOptions};

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A run's result directory (with series.csv) or a sweep's (with bands.csv).
    pub dir: PathBuf,
    /// Where to write the charts. Default: DIR/plots/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace existing charts.
    #[arg(long)]
    pub force: bool,
    /// For a sweep: the most design points drawn per chart (the first ones).
    #[arg(long, default_value_t = plot::DEFAULT_MAX_POINTS as u64, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_points: u64,
    /// Leave the title and subtitle out of the images, for a paper whose caption says
    /// them (plots/manifest.json still gives each chart's title).
    #[arg(long)]
    pub no_title: bool,
    /// No summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The exit code a chart error deserves.
pub(super) fn failure(e: PlotError) -> Failure {
    if e.is_bad_input() {
        Failure::bad_input(e)
    } else {
        Failure::runtime(e)
    }
}

/// The one-line summary of charts written.
pub(super) fn summary(w: &plot::Written) -> String {
    format!(
        "{}: {} charts ({} SVG and PNG files)",
        w.dir.display(),
        w.manifest.charts.len(),
        2 * w.manifest.charts.len()
    )
}

pub fn execute(args: PlotArgs) -> Result<(), Failure> {
    // Charts written into DIR/plots/ lock DIR, so that the lock file lies beside the
    // result rather than in it.
    let _lock = super::lock(args.out.as_deref().unwrap_or(&args.dir))?;
    let written = plot::plot_result(
        &args.dir,
        &PlotOptions {
            out: args.out,
            force: args.force,
            max_points: args.max_points as usize,
            no_title: args.no_title,
        },
    )
    .map_err(failure)?;
    if !args.quiet {
        println!("{}", summary(&written));
    }
    Ok(())
}
