//! The scenario file's shape: every key, its type and its default.
//!
//! Structs here mirror the TOML one to one (`deny_unknown_fields` everywhere), so a
//! misspelt key is an error rather than a silent default. Ranges and cross-field
//! consistency are checked in [`super::validate`], not here.

use serde::{Deserialize, Serialize};

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

/// Behavioural constants; see `docs/ODD.md` for each one's role and source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelParams {
    /// R&D spending as a share of last period's revenue (`nu`).
    pub rd_share: f64,
    /// Elasticity of research effort to the R&D budget, relative to a firm of mean size.
    pub rd_size_elasticity: f64,
    /// Imitation productivity of absorption effort (`zeta_im`).
    pub zeta_imitation: f64,
    /// Innovation productivity of exploration effort (`zeta_in`).
    pub zeta_innovation: f64,
    /// Share of the gap to the frontier closed by one successful absorption (`theta`).
    pub absorption_step: f64,
    /// Absorptive capacity of private firms at full R&D stock.
    pub absorb_private: f64,
    /// Absorptive capacity of SOEs at full R&D stock (weaker digestion).
    pub absorb_soe: f64,
    /// R&D stock at which absorptive capacity is three quarters of its maximum.
    pub rd_stock_half: f64,
    /// Yearly decay of the R&D stock.
    pub rd_stock_decay: f64,
    /// Extra exploration success per period of experience on the current path.
    pub path_learning: f64,
    /// Cap on the periods of path experience that count.
    pub path_learning_cap: u32,
    /// Promise of a dead-end technology path.
    pub dead_end_promise: f64,
    /// Shape `alpha` of the Beta distribution of innovation draws.
    pub innovation_alpha: f64,
    /// Shape `beta` of the Beta distribution of innovation draws.
    pub innovation_beta: f64,
    /// Price markup over unit cost (`mu`).
    pub markup: f64,
    /// Replicator selection strength (`chi`).
    pub selection: f64,
    /// Domestic wage at period 0 (the numeraire). Wages then grow with the frontier's trend.
    pub wage: f64,
    /// Cost of one unit of research effort, in wages, deflated by the market's growth.
    pub research_cost: f64,
    /// SOE X-inefficiency: extra unit cost without protection.
    pub soe_inefficiency: f64,
    /// Share of SOE X-inefficiency passed on in prices (the rest lowers SOE margins).
    pub soe_pass_through: f64,
    /// Workforce an SOE keeps, as the labour needed to run this share of its capacity,
    /// however little it produces (redundant labour it may not shed).
    pub soe_employment_floor: f64,
    /// Interest rate on debt (`r`).
    pub interest_rate: f64,
    /// Capital depreciation per period (`delta`).
    pub depreciation: f64,
    /// Capital-output ratio: price of a unit of capacity in units of the sector's mean unit cost (`kappa`).
    pub capital_output_ratio: f64,
    /// Utilisation a firm plans for when it invests.
    pub target_utilization: f64,
    /// Utilisation of initial capacity.
    pub initial_utilization: f64,
    /// Largest capacity order in one period, as a share of capacity.
    pub max_investment_rate: f64,
    /// Credit limit of a private firm as a multiple of its net worth.
    pub leverage: f64,
    /// Share of positive profits paid out to owners rather than retained.
    pub payout_ratio: f64,
    /// Share of initial capital financed by net worth rather than debt.
    pub equity_ratio: f64,
    /// SOEs' expansion drive: capacity they plan beyond what expected demand needs, as
    /// a share of it, pursued as far as credit allows.
    pub soe_expansion_drive: f64,
    /// Initial size of an SOE relative to a private firm.
    pub soe_size: f64,
    /// Net worth left to an SOE after a bailout, as a share of its capital value.
    pub bailout_cushion: f64,
    /// A private firm exits below this share, as a fraction of the mean firm share.
    pub exit_share: f64,
    /// Entrants per incumbent per period at zero profit rate and no barrier.
    pub entry_rate: f64,
    /// How strongly entry responds to the sector's profit rate.
    pub entry_sensitivity: f64,
    /// Entrant size relative to the mean firm.
    pub entrant_size: f64,
    /// Shape `alpha` of the Beta draw of an entrant's productivity relative to the sector mean.
    pub entrant_alpha: f64,
    /// Shape `beta` of the same draw.
    pub entrant_beta: f64,
    /// Lowest entrant productivity, relative to the sector mean (-0.15: 15% below).
    pub entrant_low: f64,
    /// Highest entrant productivity, relative to the sector mean.
    pub entrant_high: f64,
    /// Uptake rate of institute results at bridge = incentive = 1.
    pub transfer_rate: f64,
    /// Share of the firm-institute gap closed by one transfer (`phi`).
    pub transfer_step: f64,
    /// Research effort institute staff add to a firm's own in a joint project, in units
    /// of the mean firm's effort.
    pub transfer_effort: f64,
    /// Speed at which institute knowledge tracks the frontier (`rho`).
    pub institute_learning: f64,
    /// Probability per institute per period of a spin-off firm.
    pub spinoff_rate: f64,
    /// Speed of researcher drift toward the staff level the incentive supports.
    pub staff_drift: f64,
    /// Institute funding per unit of staff, as a share of the sector's revenue.
    pub institute_cost: f64,
    /// New paradigm frontier relative to the old one (`m`).
    pub paradigm_drop: f64,
    /// Extra frontier growth, as a multiple of normal, right after a shift.
    pub paradigm_growth_boost: f64,
    /// Periods over which demand moves to the new paradigm.
    pub paradigm_transition: u32,
    /// Re-tooling cost per unit of capacity, in units of the capital price.
    pub retool_cost: f64,
    /// Productivity of a firm entering the new paradigm, relative to its frontier.
    pub switch_level: f64,
    /// Trials on a path after which the consortium may declare it a dead end.
    pub consortium_evidence: u32,
    /// Probability that a consortium member leaving a path moves to the path with the
    /// best pooled record (otherwise to another live path at random).
    pub consortium_follow: f64,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            rd_share: 0.04,
            rd_size_elasticity: 0.25,
            zeta_imitation: 0.3,
            zeta_innovation: 0.6,
            absorption_step: 0.2,
            absorb_private: 1.0,
            absorb_soe: 0.7,
            rd_stock_half: 5.0,
            rd_stock_decay: 0.1,
            path_learning: 0.3,
            path_learning_cap: 10,
            dead_end_promise: 0.02,
            innovation_alpha: 3.0,
            innovation_beta: 3.0,
            markup: 0.2,
            selection: 0.5,
            wage: 1.0,
            research_cost: 0.5,
            soe_inefficiency: 0.05,
            soe_pass_through: 0.5,
            soe_employment_floor: 0.8,
            interest_rate: 0.03,
            depreciation: 0.05,
            capital_output_ratio: 1.0,
            target_utilization: 0.85,
            initial_utilization: 0.8,
            max_investment_rate: 0.3,
            leverage: 2.0,
            payout_ratio: 0.3,
            equity_ratio: 0.6,
            soe_expansion_drive: 0.08,
            soe_size: 2.0,
            bailout_cushion: 0.2,
            exit_share: 0.01,
            entry_rate: 0.02,
            entry_sensitivity: 10.0,
            entrant_size: 0.5,
            entrant_alpha: 2.0,
            entrant_beta: 4.0,
            entrant_low: -0.15,
            entrant_high: 0.15,
            transfer_rate: 1.0,
            transfer_step: 0.3,
            transfer_effort: 1.0,
            institute_learning: 0.1,
            spinoff_rate: 0.02,
            staff_drift: 0.1,
            institute_cost: 0.002,
            paradigm_drop: 0.7,
            paradigm_growth_boost: 2.0,
            paradigm_transition: 5,
            retool_cost: 0.5,
            switch_level: 0.85,
            consortium_evidence: 20,
            consortium_follow: 0.5,
        }
    }
}

/// Economy-wide levers, with optional per-ownership overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Government match on own R&D, as a share.
    pub rd_subsidy: f64,
    /// Subsidy per unit of revenue.
    pub production_subsidy: f64,
    /// Ad valorem tariff on imports.
    pub tariff: f64,
    /// Share of would-be entrants kept out.
    pub entry_barrier: f64,
    /// Procurement price discount for SOEs in the share comparison.
    pub soe_preference: f64,
    /// Soft credit for SOEs: debt allowed beyond what net worth supports, per unit of capital value.
    pub soe_credit: f64,
    /// Probability that an SOE with negative net worth is rescued.
    pub bailout: f64,
    /// Periods of failure before a technology path is abandoned.
    pub tolerance: u32,
    /// Patience of public R&D funding: failures in a row on a funded project after
    /// which the funder ends it and the firm moves to another path (0: the funder
    /// leaves that to the firm's own tolerance).
    pub rd_patience: u32,
    /// Strength of the institute-to-firm bridge.
    pub bridge: f64,
    /// Researchers' share in the value of transferred results.
    pub researcher_incentive: f64,
    /// Parallel verification of paths with shared learning.
    pub consortium: bool,
    /// Overrides for private firms.
    pub private: OwnershipLevers,
    /// Overrides for SOEs.
    pub soe: OwnershipLevers,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            rd_subsidy: 0.1,
            production_subsidy: 0.0,
            tariff: 0.1,
            entry_barrier: 0.2,
            soe_preference: 0.05,
            soe_credit: 1.0,
            bailout: 1.0,
            tolerance: 3,
            rd_patience: 0,
            bridge: 0.2,
            researcher_incentive: 0.2,
            consortium: false,
            private: OwnershipLevers::default(),
            soe: OwnershipLevers::default(),
        }
    }
}

/// Levers that may differ by ownership. Unset means "inherit".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OwnershipLevers {
    /// Government match on own R&D for this ownership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rd_subsidy: Option<f64>,
    /// Subsidy per unit of revenue for this ownership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub production_subsidy: Option<f64>,
    /// Trial-and-error tolerance for this ownership (how failure is judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<u32>,
}

impl OwnershipLevers {
    pub fn is_empty(&self) -> bool {
        *self == OwnershipLevers::default()
    }
}

/// Lever overrides for one sector or one schedule entry. Unset means "inherit"; each
/// field means what the same field of [`Policy`] means.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeverOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rd_subsidy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub production_subsidy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tariff: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_barrier: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soe_preference: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soe_credit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bailout: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rd_patience: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub researcher_incentive: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consortium: Option<bool>,
    #[serde(skip_serializing_if = "OwnershipLevers::is_empty")]
    pub private: OwnershipLevers,
    #[serde(skip_serializing_if = "OwnershipLevers::is_empty")]
    pub soe: OwnershipLevers,
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
