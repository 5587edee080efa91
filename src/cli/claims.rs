//! `catchup claims`.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::claims::{self, Options};
use crate::output::{OutputError, ResultDir};

#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Paired replicates per arm.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub replicates: u32,
    /// Master seed: replicate r of every arm runs with a seed drawn from it and r.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=crate::scenario::validate::MAX_SEED))]
    pub seed: u64,
    /// Worker threads; the output does not depend on it. Default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Result directory.
    #[arg(long, default_value = "output/claims")]
    pub out: PathBuf,
    /// Check only these claims (numbers, comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=10))]
    pub only: Vec<u8>,
    /// Repeat every experiment on structural variants (3x the firms, half the firms, an
    /// extra sector, a 1.5x horizon) and a second seed; a claim holds only if it holds on all.
    #[arg(long)]
    pub robust: bool,
    /// Change a scenario key in every arm of every experiment, before the arm's own
    /// settings (repeatable; as `catchup run --set`): the claims under other
    /// parameters, e.g. `--set model.search_response=1`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Multiply every sector's firm counts by this factor in every experiment (rounded;
    /// a count above zero stays at least 1), before `--robust`'s variants: the claims
    /// in smaller or larger industries, e.g. `--firms 0.3` or `--firms 10`.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR", value_parser = firms_factor)]
    pub firms: f64,
    /// Lengthen every experiment's run by this factor (paradigm shifts stay where they
    /// are), before `--robust`'s variants, e.g. `--horizon 2`. At least 1: the claims
    /// measure fixed periods of the runs as the experiments define them.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR", value_parser = horizon_factor)]
    pub horizon: f64,
    /// Replace an existing result.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors and the final line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: ClaimsArgs) -> Result<(), Failure> {
    let _lock = super::lock(&args.out)?;
    crate::output::check_target(&args.out, args.force).map_err(Failure::bad_input)?;
    let threads = super::thread_count(args.threads)?;
    let pool = super::worker_pool(threads)?;
    let opts = Options {
        replicates: args.replicates as usize,
        seed: args.seed,
        only: args.only.clone(),
        robust: args.robust,
        sets: args.set.clone(),
        firms: args.firms,
        horizon: args.horizon,
    };
    claims::check_sets(&opts).map_err(Failure::bad_input)?;
    let outcome = pool
        .install(|| claims::check(&opts))
        .map_err(Failure::runtime)?;
    let written = (|| -> Result<PathBuf, OutputError> {
        let result = ResultDir::create(&args.out, args.force)?;
        claims::report::write(&outcome, &opts, &result)?;
        let manifest = serde_json::json!({
            "program": "catchup",
            "version": env!("CARGO_PKG_VERSION"),
            "command": "claims",
            "replicates": opts.replicates,
            "seed": opts.seed,
            "robust": opts.robust,
            "only": opts.only,
            "set": opts.sets,
            "firms": opts.firms,
            "horizon": opts.horizon,
            "runs": outcome.runs,
            "parts": outcome.findings.len(),
            "parts_passing": outcome.findings.iter().filter(|f| f.passes()).count(),
        });
        let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
        result.write_text("manifest.json", &(json + "\n"))?;
        result.commit()
    })()
    .map_err(|e| match e {
        e if e.is_bad_input() => Failure::bad_input(e),
        other => Failure::runtime(other),
    })?;
    if !args.quiet {
        print!("{}", claims::report::table(&outcome));
    }
    println!(
        "{}: claims.csv, report.md, forest.svg and charts",
        written.display()
    );
    if outcome.all_pass() {
        Ok(())
    } else {
        Err(Failure::runtime(anyhow::anyhow!(
            "{} of {} claim parts do not pass (see {})",
            outcome.findings.iter().filter(|f| !f.passes()).count(),
            outcome.findings.len(),
            written.join("report.md").display()
        )))
    }
}

/// A factor from the command line: a finite number within `low..=high` (above `low`
/// when `open_low`).
fn factor(text: &str, low: f64, open_low: bool, high: f64) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number, found `{text}`"))?;
    let above_low = if open_low { value > low } else { value >= low };
    if value.is_finite() && above_low && value <= high {
        Ok(value)
    } else if open_low {
        Err(format!(
            "expected a factor above {low} and at most {high}, found {text}"
        ))
    } else {
        Err(format!(
            "expected a factor from {low} to {high}, found {text}"
        ))
    }
}

fn firms_factor(text: &str) -> Result<f64, String> {
    factor(text, 0.0, true, 1000.0)
}

fn horizon_factor(text: &str) -> Result<f64, String> {
    factor(text, 1.0, false, 100.0)
}
