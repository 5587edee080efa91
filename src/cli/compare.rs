//! `catchup compare`.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Failure;
use super::plot::{failure, summary};
use crate::plot::compare::{default_out, labels};
use crate::plot::{CompareInput, CompareOptions, compare};
use crate::scenario::{self, Source};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenarios (built-in names or files, run with their own seed and
    /// periods unless --seed or --periods say otherwise) or run result directories.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO_OR_DIR")]
    pub inputs: Vec<String>,
    /// Seed of every scenario run (not of result directories, which are read as they are).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=crate::scenario::validate::MAX_SEED))]
    pub seed: Option<u64>,
    /// Periods of every scenario run.
    #[arg(long)]
    pub periods: Option<u32>,
    /// Override a key of every scenario run, as with `catchup run --set`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Where to write the charts. Default: output/compare-<A>-vs-<B>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing comparison.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub chart: super::plot::ChartArgs,
    /// No progress lines and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: CompareArgs) -> Result<(), Failure> {
    let mut sets = args.sets.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    if let Some(periods) = args.periods {
        sets.push(format!("periods={periods}"));
    }
    let mut inputs = Vec::with_capacity(args.inputs.len());
    for arg in &args.inputs {
        let path = Path::new(arg);
        if path.is_dir() {
            inputs.push(CompareInput::Dir(path.to_path_buf()));
        } else {
            let source = Source::find(arg).map_err(Failure::bad_input)?;
            let scenario = scenario::Edit::parse_all(&sets)
                .and_then(|edits| scenario::parse_scenario(&source.text, &source.origin, &edits))
                .map_err(Failure::bad_input)?;
            inputs.push(CompareInput::Scenario {
                scenario: Box::new(scenario),
                origin: source.origin,
            });
        }
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&labels(&inputs)));
    let _lock = super::lock(&out)?;
    let threads = rayon::current_num_threads();
    let quiet = args.quiet;
    let mut on_run = |label: &str| {
        if !quiet {
            eprintln!("running {label} ...");
        }
    };
    let written = compare(
        &inputs,
        CompareOptions {
            out: &out,
            force: args.force,
            threads,
            no_title: args.chart.no_title,
            page: args.chart.page(),
            on_run: &mut on_run,
        },
    )
    .map_err(failure)?;
    if !args.quiet {
        println!("{}", summary(&written));
    }
    Ok(())
}
