//! The scenario file's shape: every key, its type and its default.
//!
//! Structs here mirror the TOML one to one (`deny_unknown_fields` everywhere), so a
//! misspelt key is an error rather than a silent default. Ranges and cross-field
//! consistency are checked in [`super::validate`], not here.

use serde::{Deserialize, Serialize};

pub use super::lever_table::{LeverOverrides, OwnershipLevers, Policy};
pub use super::param_table::ModelParams;
pub use super::regime::SectorSpec;

/// The only scenario format version this build reads.
pub const SCENARIO_VERSION: u32 = 1;

/// A whole scenario: the economy, its sectors, the policy and its schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Format version; must be [`SCENARIO_VERSION`].
    pub version: u32,
    /// Short name, used for the default output folder.
    pub name: String,
    /// What the scenario shows.
    pub description: String,
    /// What to look at in the output to see it.
    pub look_at: String,
    /// For the classroom page: things to notice while the economy runs.
    pub notice: Vec<String>,
    /// For the classroom page: things to try (levers to move, and what to expect).
    #[serde(rename = "try")]
    pub things_to_try: Vec<String>,
    /// Master seed of the run.
    pub seed: u64,
    /// Number of periods (years) to simulate.
    pub periods: u32,
    /// Periods at which `firms.csv` records the firm population, besides the last.
    pub firm_snapshots: Vec<u32>,
    /// Behavioural constants shared by all sectors.
    pub model: ModelParams,
    /// Economy-wide policy levers.
    pub policy: Policy,
    /// The sectors of the economy, each with its regime.
    pub sector: Vec<SectorSpec>,
    /// Lever changes over time.
    pub schedule: Vec<ScheduleEntry>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            version: SCENARIO_VERSION,
            name: "scenario".into(),
            description: String::new(),
            look_at: String::new(),
            notice: Vec::new(),
            things_to_try: Vec::new(),
            seed: 1,
            periods: 100,
            firm_snapshots: Vec::new(),
            model: ModelParams::default(),
            policy: Policy::default(),
            sector: vec![
                SectorSpec::named("catch-up", Regime::CatchUp),
                SectorSpec::named("parallel", Regime::Parallel),
                SectorSpec::named("leading", Regime::Leading),
            ],
            schedule: Vec::new(),
        }
    }
}

/// Where an industry stands relative to the international frontier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Regime {
    /// Far behind the frontier; the path is known.
    #[serde(rename = "catch-up")]
    CatchUp,
    /// Close to the frontier; a few promising paths.
    #[serde(rename = "parallel")]
    Parallel,
    /// At the frontier; many paths, several dead ends.
    #[serde(rename = "leading")]
    Leading,
}

impl Regime {
    /// Every regime, in the order of the regime columns of the structure table.
    pub const ALL: [Regime; 3] = [Regime::CatchUp, Regime::Parallel, Regime::Leading];

    /// The name used in files and in `series.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::CatchUp => "catch-up",
            Regime::Parallel => "parallel",
            Regime::Leading => "leading",
        }
    }
}

impl Default for SectorSpec {
    fn default() -> Self {
        SectorSpec::named("sector", Regime::CatchUp)
    }
}

/// A change of levers from a given period on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleEntry {
    /// First period in which the new values hold.
    pub period: u32,
    /// Sector the change applies to; all sectors when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// The lever values that change.
    pub levers: LeverOverrides,
}
