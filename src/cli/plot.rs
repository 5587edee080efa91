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
    /// For a sweep: draw the band charts (each series over the periods, a band per
    /// design point) only if the design has at most this many points.
    #[arg(long, default_value_t = plot::DEFAULT_MAX_POINTS as u64, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_points: u64,
    #[command(flatten)]
    pub chart: ChartArgs,
    /// No summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How the images are drawn: `plot`, `run --plot` and `compare` share these.
#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    /// Leave the title and subtitle out of the images, for a paper whose caption says
    /// them (the charts' manifest.json still gives each chart's title).
    #[arg(long)]
    pub no_title: bool,
    /// Width of each image in pixels at 96 dpi (default: from its panels, 1000 to 2240).
    #[arg(long, value_parser = clap::value_parser!(u32).range(300..=20000))]
    pub width: Option<u32>,
    /// Height of each image in pixels at 96 dpi; the panels share what the title and
    /// legend leave (default: from its panels).
    #[arg(long, value_parser = clap::value_parser!(u32).range(200..=20000))]
    pub height: Option<u32>,
    /// Resolution: every size (text, lines, margins) is scaled by DPI / 96, so that
    /// `--width 800 --dpi 300` draws the 800-pixel chart 2500 pixels wide.
    #[arg(long, default_value_t = 96, value_parser = clap::value_parser!(u32).range(24..=1200))]
    pub dpi: u32,
}

impl ChartArgs {
    pub fn page(&self) -> plot::Page {
        plot::Page {
            width: self.width,
            height: self.height,
            dpi: self.dpi as f64,
        }
    }
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
            no_title: args.chart.no_title,
            page: args.chart.page(),
        },
    )
    .map_err(failure)?;
    if !args.quiet {
        println!("{}", summary(&written));
    }
    Ok(())
}
