//! Batch sweeps: experiment designs, run specifications, shards, resume, and the
//! analysis of their results. A run is plain data (a design point, a replicate and a
//! seed derived from both); `execute` runs them and writes the result.

pub mod analysis;
pub mod design;
pub mod execute;
mod journal;
mod merge;
pub mod report;
pub mod salib;
pub mod scheduler;
pub mod spec;

pub use execute::{Outcome, Shard, SweepManifest, SweepOptions, run_sweep};
pub use merge::merge;
pub use spec::{Sweep, SweepSpec};
