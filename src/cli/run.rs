//! `catchup run`.

use std::path::PathBuf;

use clap::Args;

use super::{Failure, lock, progress_bar};
use crate::output::{TableFormat, check_target};
use crate::runner::{self, RunError, RunOptions};
use crate::scenario;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A scenario file, or the name of a built-in scenario (see `catchup scenarios`).
    /// Without it, the built-in baseline runs.
    pub scenario: Option<String>,
    /// Master seed of the run, 0 to 2^63-1 (overrides the scenario's `seed`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=crate::scenario::validate::MAX_SEED))]
    pub seed: Option<u64>,
    /// Number of periods (overrides the scenario's `periods`).
    #[arg(long)]
    pub periods: Option<u32>,
    /// Worker threads, 1 to 1024; the output does not depend on it. Default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Result directory. Default: output/<scenario name>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override any scenario key by its dotted path, validated like the file:
    /// `--set policy.tariff=0.3`, `--set sector.leading.policy.tolerance=6`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// The format of series and firms: csv (the default) or parquet (zstd-compressed,
    /// typed columns; much smaller and faster to read for large runs).
    #[arg(long, default_value = "csv", value_parser = super::table_format)]
    pub format: TableFormat,
    /// Replace an existing result in the output directory.
    #[arg(long)]
    pub force: bool,
    /// Draw the run's charts (SVG and PNG) into the result's plots/ folder right after it
    /// is written (see `catchup plot`).
    #[arg(long)]
    pub plot: bool,
    /// With --plot: how the images are drawn.
    #[command(flatten)]
    pub chart: super::plot::ChartArgs,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: RunArgs) -> Result<(), Failure> {
    let mut sets = args.sets.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    if let Some(periods) = args.periods {
        sets.push(format!("periods={periods}"));
    }
    let scenario = scenario::load(args.scenario.as_deref(), &sets).map_err(Failure::bad_input)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    // Held until the run and its charts are written.
    let _lock = lock(&out)?;
    check_target(&out, args.force).map_err(Failure::bad_input)?;
    let threads = super::thread_count(args.threads)?;
    let pool = super::worker_pool(threads)?;

    let bar = progress_bar(
        u64::from(scenario.periods),
        args.quiet,
        "{spinner} period {pos}/{len} [{bar:40}] {elapsed_precise} (eta {eta})",
    );
    let mut on_period = |t: u32| bar.set_position(u64::from(t));
    let result = pool.install(|| {
        runner::run(
            &scenario,
            RunOptions {
                out: &out,
                force: args.force,
                threads,
                format: args.format,
                on_period: &mut on_period,
            },
        )
    });
    bar.finish_and_clear();
    let (path, manifest) = result.map_err(|e| match e {
        RunError::Output(ref o) if o.is_bad_input() => Failure::bad_input(e),
        other => Failure::runtime(other),
    })?;
    if !args.quiet {
        println!(
            "{}: {} periods, {} sectors, {} firms at the end; {:.2} s ({:.1} M firm-periods/s)",
            path.display(),
            manifest.periods,
            manifest.sectors,
            manifest.firms_final,
            manifest.wall_seconds,
            manifest.firm_steps_per_second / 1e6
        );
    }
    if args.plot {
        // The run's result is complete; its charts appear whole beside it, or not at all.
        let written = crate::plot::plot_result(
            &path,
            &crate::plot::PlotOptions {
                out: None,
                force: args.force,
                no_title: args.chart.no_title,
                page: args.chart.page(),
                ..Default::default()
            },
        )
        .map_err(super::plot::failure)?;
        if !args.quiet {
            println!("{}", super::plot::summary(&written));
        }
    }
    Ok(())
}
