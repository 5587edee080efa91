//! The scenario file's shape: every key, its type and its default.
//!
//! Structs here mirror the TOML one to one (`deny_unknown_fields` everywhere), so a
//! misspelt key is an error rather than a silent default. Ranges and cross-field
//! consistency are checked in [`super::validate`], not here.

use serde::{Deserialize, Serialize};

pub use super::lever_table::{LeverOverrides, OwnershipLevers, Policy};
pub use super::param_table::ModelParams;

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
    /// The name used in files and in `series.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::CatchUp => "catch-up",
            Regime::Parallel => "parallel",
            Regime::Leading => "leading",
        }
    }
}

/// Ownership of a firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// A private firm: hard budget, exits when its net worth is negative.
    Private,
    /// A state-owned enterprise: soft budget, may be bailed out.
    Soe,
}

impl Ownership {
    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::Private => "private",
            Ownership::Soe => "soe",
        }
    }
    /// Index into per-ownership arrays: private 0, SOE 1.
    pub fn index(self) -> usize {
        match self {
            Ownership::Private => 0,
            Ownership::Soe => 1,
        }
    }
}

/// One sector: its regime, population and any departures from the regime's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SectorSpec {
    /// Unique name, used in `series.csv` and in `--set sector.NAME.…`.
    pub name: String,
    /// Where the industry stands: its structural defaults come from this.
    pub regime: Regime,
    /// Initial number of private firms.
    pub firms_private: u32,
    /// Initial number of SOEs.
    pub firms_soe: u32,
    /// Number of research institutes.
    pub institutes: u32,
    /// Initial domestic demand per initial firm (demand scales with the population).
    pub demand_per_firm: f64,
    /// Periods at which a paradigm shift happens for sure.
    pub paradigm_shifts: Vec<u32>,
    // Structural parameters: each defaults to the regime's value (see
    // `super::regime`); the `scenario.toml` of a run has them all filled in.
    /// Initial productivity relative to the frontier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_productivity: Option<f64>,
    /// Share of R&D effort spent on exploration (`xi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exploration_share: Option<f64>,
    /// Number of technology paths (`P`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<u32>,
    /// Share of paths that are dead ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_end_share: Option<f64>,
    /// Lowest promise of a live path (promise is drawn uniformly from [low, high]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise_low: Option<f64>,
    /// Highest promise of a live path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise_high: Option<f64>,
    /// Pre-tariff import price relative to the initial domestic price (lower = stronger foreign competition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_price_ratio: Option<f64>,
    /// Initial import share of demand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_import_share: Option<f64>,
    /// Lowest innovation draw, as a relative productivity change (negative: a loss, not adopted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub innovation_low: Option<f64>,
    /// Highest innovation draw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub innovation_high: Option<f64>,
    /// Probability per period of a random paradigm shift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift_probability: Option<f64>,
    /// Growth of the foreign frontier per period (`g_F`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frontier_growth: Option<f64>,
    /// Growth of demand per period (`g_D`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_growth: Option<f64>,
    /// Foreign equipment embodies up to this share of the frontier (`psi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equipment_level: Option<f64>,
    /// Initial institute knowledge relative to the frontier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institute_knowledge: Option<f64>,
    /// Lever overrides for this sector.
    pub policy: LeverOverrides,
}

impl Default for SectorSpec {
    fn default() -> Self {
        SectorSpec::named("sector", Regime::CatchUp)
    }
}

impl SectorSpec {
    pub fn named(name: &str, regime: Regime) -> Self {
        SectorSpec {
            name: name.into(),
            regime,
            firms_private: 50,
            firms_soe: 10,
            institutes: 3,
            demand_per_firm: 20.0,
            paradigm_shifts: Vec::new(),
            initial_productivity: None,
            exploration_share: None,
            paths: None,
            dead_end_share: None,
            promise_low: None,
            promise_high: None,
            import_price_ratio: None,
            initial_import_share: None,
            innovation_low: None,
            innovation_high: None,
            shift_probability: None,
            frontier_growth: None,
            demand_growth: None,
            equipment_level: None,
            institute_knowledge: None,
            policy: LeverOverrides::default(),
        }
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
