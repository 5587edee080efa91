//! `catchup calibrate`: the method of simulated moments with common random numbers.
//! The parameters named in a calibration file are searched, within their bounds, for
//! the values whose simulated moments (replicate means) come closest to the targets
//! in the weighted squared distance.
//!
//! - `spec`: the calibration file, checked with located errors.
//! - `moments`: what each target moment measures in a run; the objective.
//! - `search`: a scrambled Sobol' start, then Nelder-Mead, in the unit cube (pure).
//! - `journal`: every evaluation, checksummed, for `--resume`.
//! - `execute`: evaluations in parallel, the search against them, the sensitivity.
//! - `report`: the result's files.
//!
//! See `docs/calibration.md`.

pub mod error;
pub mod execute;
pub mod journal;
pub mod moments;
pub mod report;
pub mod search;
pub mod spec;

pub use error::CalibrateError;
pub use execute::{Options, Outcome, calibrate};
pub use spec::Calibration;
