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
