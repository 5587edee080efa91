//! Batch sweeps: experiment designs, run specifications, shards, resume, and the
//! analysis of their results. A run is plain data (a design point, a replicate and a
//! seed derived from both); `execute` runs them and writes the result.

pub mod analysis;
mod assemble;
pub mod design;
pub mod error;
pub mod execute;
pub(crate) mod journal;
mod merge;
pub mod report;
pub mod runs;
pub mod salib;
pub mod scheduler;
pub mod spec;
pub(crate) mod workdir;

pub use error::SweepError;
pub use execute::{Outcome, SweepManifest, SweepOptions, run_sweep};
pub use merge::merge;
pub use runs::Shard;
pub use spec::{Sweep, SweepSpec};
