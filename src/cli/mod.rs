//! The command line: parses arguments, calls the library, prints. The only place that
//! reads argv or prints.

mod calibrate;
mod claims;
mod compare;
mod plot;
mod reference;
mod run;
mod scenarios;
mod schema;
mod serve;
mod shell;
mod sweep;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for bad input: a bad scenario, a bad flag, an existing result.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for a failure while running or writing.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a sweep or merge whose result is complete but holds failed runs
/// (status `failed` in runs.csv): distinct from 1, where there is no result, so that a
/// script can tell "look at the failed runs" from "nothing was written".
pub const EXIT_RUNS_FAILED: u8 = 3;

/// catchup: an agent-based simulation of catch-up industrialization.
///
/// Private firms, state-owned enterprises and research institutes in industries that
/// are catching up, running in parallel or leading, under policy levers.
#[derive(Debug, Parser)]
#[command(name = "catchup", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its result (series.csv, firms.csv, scenario.toml, manifest.json).
    Run(run::RunArgs),
    /// List the built-in scenarios, or print one as TOML.
    Scenarios(scenarios::ScenariosArgs),
    /// Run a batch sweep over a design of scenario parameters, with replicates.
    Sweep(sweep::SweepArgs),
    /// Put the results of a sweep's shards together.
    Merge(sweep::MergeArgs),
    /// Per-point means with confidence intervals, and Sobol or Morris indices, of a sweep.
    Analyze(sweep::AnalyzeArgs),
    /// Draw the charts of a run or a sweep (SVG and PNG).
    Plot(plot::PlotArgs),
    /// Run (or read) several scenarios and overlay their charts.
    Compare(compare::CompareArgs),
    /// Check the model's claims (docs/ODD.md §1) over paired replicates, with the
    /// mechanism behind each switched off; exit 0 only when every claim holds.
    Claims(claims::ClaimsArgs),
    /// Calibrate a scenario's parameters to target moments (method of simulated
    /// moments, common random numbers): best.toml, moments.csv, evaluations.csv,
    /// sensitivity.csv (docs/calibration.md).
    Calibrate(calibrate::CalibrateArgs),
    /// Serve the classroom page: pick a scenario, move levers, watch the economy evolve.
    Serve(serve::ServeArgs),
    /// Print the reference tables of every lever, model parameter and output column
    /// (Markdown, or JSON with --json), generated from the catalogues the program uses.
    Reference(reference::ReferenceArgs),
    /// Print the JSON Schema of scenario, sweep or calibration files, for editors that complete and
    /// check TOML keys (Taplo, Even Better TOML): see docs/scenario-reference.md.
    Schema(schema::SchemaArgs),
    /// Print a shell's completion script (bash, elvish, fish, powershell, zsh).
    Completions(shell::CompletionsArgs),
    /// Print the man page of catchup, or of one command (`catchup man run`), as roff.
    Man(shell::ManArgs),
}

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: EXIT_BAD_INPUT,
            error: error.into(),
        }
    }
    pub fn runtime(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: EXIT_FAILURE,
            error: error.into(),
        }
    }
    /// A complete sweep result in which `failed` runs failed.
    pub fn runs_failed(failed: u64, dir: &std::path::Path) -> Self {
        Failure {
            code: EXIT_RUNS_FAILED,
            error: anyhow::anyhow!(
                "{failed} run{} failed; their errors are in the `status` and `error` columns of {}",
                if failed == 1 { "" } else { "s" },
                dir.join(
                    crate::output::TableFormat::of_table(dir, crate::sweep::execute::RUNS)
                        .unwrap_or_default()
                        .file(crate::sweep::execute::RUNS)
                )
                .display()
            ),
        }
    }
}

/// `--format`: a table format by name.
pub fn table_format(name: &str) -> Result<crate::output::TableFormat, String> {
    crate::output::TableFormat::from_name(name).ok_or_else(|| {
        let hint = crate::scenario::error::near_miss(name, crate::output::TableFormat::NAMES)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        format!("expected csv or parquet{hint}")
    })
}

/// Most worker threads one process may ask for.
pub const MAX_THREADS: usize = 1024;

/// The worker threads to use: as asked (1 to [`MAX_THREADS`]), or one per core.
pub fn thread_count(requested: Option<usize>) -> Result<usize, Failure> {
    match requested {
        Some(0) => Err(Failure::bad_input(anyhow::anyhow!(
            "--threads must be at least 1"
        ))),
        Some(n) if n > MAX_THREADS => Err(Failure::bad_input(anyhow::anyhow!(
            "--threads {n} is too many: at most {MAX_THREADS} (the output does not depend on it)"
        ))),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// A pool of `threads` worker threads (see [`thread_count`]).
pub fn worker_pool(threads: usize) -> Result<rayon::ThreadPool, Failure> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::runtime(anyhow::anyhow!("cannot start the worker threads: {e}")))
}

/// A progress bar on standard error drawn with `template` (indicatif's), hidden when
/// `quiet` or when standard error is not a terminal.
pub fn progress_bar(len: u64, quiet: bool, template: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Takes the lock of the result folder `out` for as long as the guard lives (see
/// [`crate::output::lock`]); held by another process, it is refused as bad input.
pub fn lock(out: &std::path::Path) -> Result<crate::output::OutputLock, Failure> {
    crate::output::lock_output(out).map_err(|e| {
        if e.is_bad_input() {
            Failure::bad_input(e)
        } else {
            Failure::runtime(e)
        }
    })
}

/// The environment variable that picks the compiled form of the firm passes.
pub const ISA_VARIABLE: &str = "CATCHUP_ISA";

/// `CATCHUP_ISA=baseline` runs the firm passes as compiled for every x86-64 processor,
/// whatever this one has ([`crate::model::isa`]): the same numbers, more slowly. For
/// checking that claim, and for speed figures of the baseline form. Unset, the best
/// form the processor runs is used; any other value is refused.
fn apply_isa_variable() -> Result<(), Failure> {
    let Some(value) = std::env::var_os(ISA_VARIABLE) else {
        return Ok(());
    };
    if value == "baseline" {
        // Read before anything runs, so the choice is not made yet.
        if !crate::model::isa::force_baseline() {
            return Err(Failure::runtime(anyhow::anyhow!(
                "{ISA_VARIABLE}=baseline came too late: the firm passes had already run"
            )));
        }
        return Ok(());
    }
    Err(Failure::bad_input(anyhow::anyhow!(
        "environment variable {ISA_VARIABLE}: expected `baseline` (or leave it unset for the \
         best form this processor runs), got `{}`",
        value.to_string_lossy()
    )))
}

/// Parses the command line, runs it, and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Err(f) = apply_isa_variable() {
        eprintln!("error: {:#}", f.error);
        return ExitCode::from(f.code);
    }
    let outcome = match cli.command {
        Command::Run(args) => run::execute(args),
        Command::Scenarios(args) => scenarios::execute(args),
        Command::Sweep(args) => sweep::execute_sweep(args),
        Command::Merge(args) => sweep::execute_merge(args),
        Command::Analyze(args) => sweep::execute_analyze(args),
        Command::Plot(args) => plot::execute(args),
        Command::Compare(args) => compare::execute(args),
        Command::Serve(args) => serve::execute(args),
        Command::Claims(args) => claims::execute(args),
        Command::Calibrate(args) => calibrate::execute(args),
        Command::Reference(args) => reference::execute(args),
        Command::Schema(args) => schema::execute(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
