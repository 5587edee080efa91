//! `catchup sweep`, `catchup merge` and `catchup analyze`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::output::OutputError;
use crate::sweep::SweepError;
use crate::sweep::{Outcome, Shard, Sweep, SweepOptions, merge, run_sweep, scheduler};

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The sweep file (TOML): a base scenario, a design, replicates, metrics.
    pub sweep: PathBuf,
    /// Result directory. Default: output/<sweep name>/ (with -shard-K-of-N for a shard).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (runs go in parallel), 1 to 1024; results do not depend on it. Default: all cores.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only the K-th of N disjoint slices of the runs (1 <= K <= N), e.g. from a
    /// SLURM job array; put the shards together with `catchup merge`. `auto` takes K and
    /// N from the array scheduler's environment (SLURM, AWS Batch, Kubernetes Indexed
    /// Job, LSF, HTCondor via CATCHUP_SHARD_INDEX, or CATCHUP_SHARD=K/N) and implies
    /// --resume (unless --force), so a
    /// resubmitted task continues its shard or skips it when complete.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<ShardArg>,
    /// Continue an interrupted sweep in the same output directory, skipping finished runs.
    #[arg(long)]
    pub resume: bool,
    /// Replace an existing result, or discard an interrupted one and start over.
    #[arg(long)]
    pub force: bool,
    /// Stop the sweep (resumably, exit 1) once more than N runs have failed. Default:
    /// no limit; failed runs are recorded in runs.csv and the sweep goes on.
    #[arg(long, value_name = "N")]
    pub max_failures: Option<u64>,
    /// With --resume: run the runs recorded as failed again (after a fix, say), and
    /// replace the result if it was complete.
    #[arg(long)]
    pub retry_failed: bool,
    /// Write the design to FILE as a matrix in SALib's row order (for a Saltelli design:
    /// A, AB_1..AB_k, B per base row) and stop: nothing is run. With --force, an existing
    /// FILE is replaced.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "shard", "resume", "retry_failed", "max_failures", "threads", "format"])]
    pub export_salib: Option<PathBuf>,
    /// The format of the result's tables: csv or parquet (zstd-compressed, typed
    /// columns), as with `catchup run --format`. Default: the sweep file's `[output]
    /// format`, else csv. Every shard of a sweep must be written in the same format.
    #[arg(long, value_parser = super::table_format)]
    pub format: Option<crate::output::TableFormat>,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--shard K/N` or `--shard auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    Fixed(Shard),
    Auto,
}

impl std::str::FromStr for ShardArg {
    type Err = String;
    fn from_str(s: &str) -> Result<ShardArg, String> {
        if s == "auto" {
            Ok(ShardArg::Auto)
        } else {
            // The one parser of `K/N`, shared with CATCHUP_SHARD.
            s.parse().map(ShardArg::Fixed)
        }
    }
}

/// The variables `--shard auto` reads, from the environment: the only place they are
/// read. What they mean is decided by the pure [`scheduler::shard_from_vars`].
fn scheduler_vars() -> BTreeMap<String, String> {
    scheduler::VARIABLES
        .iter()
        .filter_map(|&name| {
            std::env::var_os(name).map(|v| (name.to_string(), v.to_string_lossy().into_owned()))
        })
        .collect()
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' result directories (all N of them, in any order).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Directory of the merged result.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing result.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A sweep's (or merged sweep's) result directory.
    pub dir: PathBuf,
    /// Replace an earlier analysis in DIR/analysis/.
    #[arg(long)]
    pub force: bool,
}

fn failure(e: SweepError) -> Failure {
    if e.is_bad_input() {
        Failure::bad_input(e)
    } else {
        Failure::runtime(e)
    }
}

pub fn execute_sweep(args: SweepArgs) -> Result<(), Failure> {
    let mut sweep = Sweep::load(&args.sweep).map_err(Failure::bad_input)?;
    if let Some(format) = args.format {
        sweep.spec.output.format = format;
    }
    if let Some(file) = &args.export_salib {
        return export_salib(&sweep, file, &args);
    }
    let text = sweep.text.clone();
    let (shard, resume) = match args.shard {
        None => (Shard::WHOLE, args.resume),
        Some(ShardArg::Fixed(shard)) => (shard, args.resume),
        // A resubmitted array task continues its shard, or skips it when complete.
        Some(ShardArg::Auto) => {
            let shard =
                scheduler::shard_from_vars(&scheduler_vars()).map_err(Failure::bad_input)?;
            if !args.quiet {
                eprintln!("--shard auto: shard {shard}");
            }
            (shard, args.resume || !args.force)
        }
    };
    if args.retry_failed && !resume {
        return Err(Failure::bad_input(anyhow::anyhow!(
            "--retry-failed runs the failed runs of an earlier sweep again: it needs --resume \
             (or --shard auto without --force)"
        )));
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let name = if shard == Shard::WHOLE {
            sweep.spec.name.clone()
        } else {
            format!(
                "{}-shard-{}-of-{}",
                sweep.spec.name, shard.index, shard.count
            )
        };
        PathBuf::from("output").join(name)
    });
    let threads = super::thread_count(args.threads)?;
    // Held for the whole sweep: a second sweep into the same folder is refused at once.
    let _lock = super::lock(&out)?;
    let bar = super::progress_bar(
        0,
        args.quiet,
        "{spinner} {pos}/{len} runs [{bar:30}] {per_sec} elapsed {elapsed_precise} left {eta}",
    );
    let mut on_start = |todo: u64, done: u64| {
        bar.set_length(todo);
        if done > 0 && !args.quiet {
            eprintln!("resuming: {done} runs already finished, {todo} to go");
        }
    };
    let on_run = || bar.inc(1);
    let outcome = run_sweep(
        &sweep,
        &text,
        SweepOptions {
            out: &out,
            shard,
            threads,
            resume,
            force: args.force,
            max_failures: args.max_failures,
            retry_failed: args.retry_failed,
            on_start: &mut on_start,
            on_run: &on_run,
        },
    );
    bar.finish_and_clear();
    match outcome.map_err(failure)? {
        Outcome::AlreadyComplete(path, failed) => {
            if !args.quiet {
                println!("{}: already complete; nothing to do", path.display());
            }
            runs_failed(failed, &path)
        }
        Outcome::Done(path, m) => {
            if !args.quiet {
                println!(
                    "{}: {} runs ({} resumed{}) of {} in shard {}; {:.1} s, {:.1} runs/s, {:.1} M firm-periods/s",
                    path.display(),
                    m.runs,
                    m.runs_resumed,
                    failed_note(m.runs_failed),
                    m.runs_total,
                    m.shard,
                    m.wall_seconds,
                    m.runs_per_second,
                    m.firm_steps_per_second / 1e6
                );
            }
            runs_failed(m.runs_failed, &path)
        }
    }
}

/// `--export-salib FILE`: the checked design, written in SALib's row order.
fn export_salib(sweep: &Sweep, file: &std::path::Path, args: &SweepArgs) -> Result<(), Failure> {
    let table = crate::sweep::design::generate(sweep).map_err(Failure::bad_input)?;
    crate::sweep::design::check_points(sweep, &table).map_err(Failure::bad_input)?;
    let rows = crate::sweep::salib::export_salib(sweep, &table, file, args.force).map_err(|e| {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::runtime(e)
        }
    })?;
    if !args.quiet {
        println!(
            "{}: {rows} rows of {} factors in SALib's row order",
            file.display(),
            table.keys.len()
        );
    }
    Ok(())
}

/// ", N failed" in a summary line, or nothing when every run finished.
fn failed_note(failed: u64) -> String {
    if failed == 0 {
        String::new()
    } else {
        format!(", {failed} failed")
    }
}

/// Exit 0 when every run of the result finished, [`super::EXIT_RUNS_FAILED`] otherwise.
fn runs_failed(failed: u64, dir: &std::path::Path) -> Result<(), Failure> {
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::runs_failed(failed, dir))
    }
}

pub fn execute_merge(args: MergeArgs) -> Result<(), Failure> {
    let _lock = super::lock(&args.out)?;
    let (path, m) = merge(&args.shards, &args.out, args.force).map_err(failure)?;
    println!(
        "{}: {} runs{} merged from {} shards",
        path.display(),
        m.runs,
        if m.runs_failed > 0 {
            format!(" ({} failed)", m.runs_failed)
        } else {
            String::new()
        },
        args.shards.len()
    );
    runs_failed(m.runs_failed, &path)
}

pub fn execute_analyze(args: AnalyzeArgs) -> Result<(), Failure> {
    // `analyze` has no --out: its folder is always DIR/analysis/. The lock is the whole
    // result's, so that the lock file lies beside it rather than in it.
    let _lock = super::lock(&args.dir)?;
    let tables = crate::sweep::report::analyze(&args.dir, args.force).map_err(|e| match e {
        SweepError::Output(OutputError::Exists(path)) => Failure::bad_input(anyhow::anyhow!(
            "{} already exists; pass --force to replace it",
            path.display()
        )),
        SweepError::Output(OutputError::NotAResult(path, why)) => {
            Failure::bad_input(anyhow::anyhow!(
                "{} exists and is not provably a catchup analysis ({why}); refusing to replace \
                 it even with --force: nothing in it was touched. Remove it yourself",
                path.display()
            ))
        }
        e => failure(e),
    })?;
    for t in &tables {
        println!("{}", t.render());
    }
    println!("written to {}", args.dir.join("analysis").display());
    // The same numbers as charts: each metric against each factor, and the indices.
    println!("charts: catchup plot {}", args.dir.display());
    Ok(())
}
