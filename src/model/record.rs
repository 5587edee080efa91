//! What one sector did in one period: raw sums and counts, from which `observe`
//! derives the recorded series. Plain data.

/// A sector's period, as sums (so that sectors add up to the economy).
#[derive(Debug, Clone, Default)]
pub struct SectorRecord {
    pub period: u32,
    pub paradigm: u16,
    /// Per ownership: index 0 private, 1 SOE.
    pub firms: [u64; 2],
    pub capacity: [f64; 2],
    pub output: [f64; 2],
    pub productivity_output: [f64; 2],
    pub demand: f64,
    pub imports: f64,
    pub output_squared: f64,
    pub entries: u64,
    pub exits: u64,
    pub bailouts: u64,
    pub spinoffs: u64,
    pub switches: u64,
    pub explorers: u64,
    pub explorers_on_dead_ends: u64,
    /// Explorers on the path of highest promise.
    pub explorers_on_best_path: u64,
    /// Capacity still in an old paradigm.
    pub old_capacity: f64,
    pub innovations: u64,
    pub absorptions: u64,
    pub transfers: u64,
    pub paths_abandoned: u64,
    pub breakthroughs: u64,
    pub gain_introduction: f64,
    pub gain_absorption: f64,
    pub gain_innovation: f64,
    pub gain_transfer: f64,
    pub rd_own: f64,
    pub rd_subsidy: f64,
    pub production_subsidy: f64,
    pub bailout_spending: f64,
    pub institute_spending: f64,
    pub tariff_revenue: f64,
    pub revenue: f64,
    pub profit: f64,
    pub capital_value: f64,
    pub investment: f64,
    /// The frontier productivity is measured against.
    pub frontier: f64,
    pub import_price: f64,
    pub mean_price: f64,
    pub institute_knowledge: f64,
    pub institute_staff: f64,
    pub tariff: f64,
    pub consortium: bool,
    /// Firm counts by `ln(a / frontier)`; see `accounts::HIST_BINS`.
    pub hist: Vec<u32>,
}
