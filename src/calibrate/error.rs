//! The errors of a calibration, typed by kind: what the user can fix (exit 2) apart
//! from what failed (exit 1, with its cause).

use std::path::{Path, PathBuf};

use crate::output::OutputError;
use crate::scenario::ScenarioError;

#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// Bad input: the calibration file, located.
    #[error(transparent)]
    Input(#[from] ScenarioError),
    /// The calibration cannot be done as asked; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// A file the calibration wrote is damaged or is not what it should be.
    #[error("{path} is damaged ({why}); remove it and run the calibration again")]
    Damaged { path: PathBuf, why: String },
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `--stop-after N`: stopped, as a kill would, with N evaluations in the journal.
    #[error("stopped after {0} evaluations, as asked; --resume continues")]
    Stopped(u64),
    #[error("cannot start the worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}

impl CalibrateError {
    /// Whether the user can fix this by changing what they asked for (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            CalibrateError::Input(_) | CalibrateError::Refused(_) => true,
            CalibrateError::Output(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CalibrateError + '_ {
    move |source| CalibrateError::Io {
        path: path.to_path_buf(),
        source,
    }
}
