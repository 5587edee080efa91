//! `manifest.json`: what was run, by which program, how big, and how long it took.

use serde::{Deserialize, Serialize};

/// The record of a run. Timing fields (`started_at`, `wall_seconds`,
/// `simulate_seconds`, `firm_steps_per_second`, `peak_memory_bytes`) and `threads`
/// are the only parts that differ between identical runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub program: String,
    pub version: String,
    pub scenario: String,
    pub seed: u64,
    pub threads: usize,
    pub periods: u32,
    pub sectors: usize,
    pub firms_initial: u64,
    pub firms_final: u64,
    /// Firm-periods simulated: the sum over periods of the living firms stepped.
    pub firm_steps: u64,
    /// Start of the run, RFC 3339 in UTC.
    pub started_at: String,
    /// Whole run: setup, simulation and writing.
    pub wall_seconds: f64,
    /// Simulation alone (setup and periods, without writing files).
    pub simulate_seconds: f64,
    pub firm_steps_per_second: f64,
    /// Peak resident memory of the process, where the system reports it.
    pub peak_memory_bytes: Option<u64>,
    pub files: Vec<String>,
}
