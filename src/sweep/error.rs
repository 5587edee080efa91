//! The errors of a sweep, typed by kind: what the user can fix (exit 2) apart from
//! what failed (exit 1, with its cause).

use std::path::{Path, PathBuf};

use crate::output::OutputError;
use crate::scenario::ScenarioError;

/// Errors of a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Bad input: the sweep file or its design, located.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The sweep cannot be done as asked (shards that do not fit together, a folder
    /// holding something else, ...); the message says why and what to do instead.
    #[error("{0}")]
    Refused(String),
    /// A folder given as a sweep result is not one.
    #[error("{dir} is not a finished sweep result: {why}")]
    NotASweep { dir: PathBuf, why: String },
    /// A file a sweep wrote is damaged or inconsistent: not the user's input, so not
    /// bad input, but the message says how to recover.
    #[error("{path} is damaged ({why}); remove it and run the sweep again")]
    Damaged { path: PathBuf, why: String },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// A row could not be formatted (a bug, never the user's input).
    #[error("cannot format {what}")]
    Format {
        what: &'static str,
        #[source]
        source: csv::Error,
    },
    /// One run of the sweep could not be completed (its numbers blew up, or the model
    /// failed): the run is named so that it can be repeated alone.
    #[error("run {id} (design point {point}, replicate {replicate}, seed {seed}) failed: {cause}")]
    RunFailed {
        id: u64,
        point: u64,
        replicate: u32,
        seed: u64,
        cause: crate::runner::RunError,
    },
    /// `--max-failures N` and more than N runs failed: the sweep stopped, its journal
    /// kept for `--resume` (or `--resume --retry-failed`).
    #[error(
        "stopped after {failed} failed runs, more than --max-failures {limit}; the finished \
         runs are kept in {work}: `--resume` continues (with a higher --max-failures), \
         `--resume --retry-failed` runs the failed ones again. {first}"
    )]
    TooManyFailures {
        failed: u64,
        limit: u64,
        work: String,
        /// The failed run with the lowest number, and its error.
        first: String,
    },
}

impl SweepError {
    /// Whether the user can fix this by changing what they asked for (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            SweepError::Input(_) | SweepError::Refused(_) | SweepError::NotASweep { .. } => true,
            SweepError::Output(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}
