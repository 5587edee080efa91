//! What one sector did in one period: raw sums and counts, from which `observe`
//! derives the recorded series. Plain data.

use crate::scenario::PerOwner;

/// A sector's period, as sums (so that sectors add up to the economy).
#[derive(Debug, Clone, Default)]
pub struct SectorRecord {
    pub period: u32,
    pub paradigm: u16,
    pub firms: PerOwner<u64>,
    pub capacity: PerOwner<f64>,
    pub output: PerOwner<f64>,
    pub productivity_output: PerOwner<f64>,
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

impl SectorRecord {
    /// Adds another sector's sums and counts into this one (the whole economy's
    /// record). Levels that do not add up (period, paradigm, frontier, prices,
    /// institutes' means, the levers in force) are left alone: the economy's row
    /// weights or omits them. The destructuring names every field, so a new field
    /// must be placed on one side or the other before this compiles.
    pub fn add(&mut self, other: &SectorRecord) {
        let SectorRecord {
            period: _,
            paradigm: _,
            firms,
            capacity,
            output,
            productivity_output,
            demand,
            imports,
            output_squared,
            entries,
            exits,
            bailouts,
            spinoffs,
            switches,
            explorers,
            explorers_on_dead_ends,
            explorers_on_best_path,
            old_capacity,
            innovations,
            absorptions,
            transfers,
            paths_abandoned,
            breakthroughs,
            gain_introduction,
            gain_absorption,
            gain_innovation,
            gain_transfer,
            rd_own,
            rd_subsidy,
            production_subsidy,
            bailout_spending,
            institute_spending,
            tariff_revenue,
            revenue,
            profit,
            capital_value,
            investment,
            frontier: _,
            import_price: _,
            mean_price: _,
            institute_knowledge: _,
            institute_staff: _,
            tariff: _,
            consortium: _,
            hist,
        } = other;
        self.firms += *firms;
        self.capacity += *capacity;
        self.output += *output;
        self.productivity_output += *productivity_output;
        self.demand += demand;
        self.imports += imports;
        self.output_squared += output_squared;
        self.entries += entries;
        self.exits += exits;
        self.bailouts += bailouts;
        self.spinoffs += spinoffs;
        self.switches += switches;
        self.explorers += explorers;
        self.explorers_on_dead_ends += explorers_on_dead_ends;
        self.explorers_on_best_path += explorers_on_best_path;
        self.old_capacity += old_capacity;
        self.innovations += innovations;
        self.absorptions += absorptions;
        self.transfers += transfers;
        self.paths_abandoned += paths_abandoned;
        self.breakthroughs += breakthroughs;
        self.gain_introduction += gain_introduction;
        self.gain_absorption += gain_absorption;
        self.gain_innovation += gain_innovation;
        self.gain_transfer += gain_transfer;
        self.rd_own += rd_own;
        self.rd_subsidy += rd_subsidy;
        self.production_subsidy += production_subsidy;
        self.bailout_spending += bailout_spending;
        self.institute_spending += institute_spending;
        self.tariff_revenue += tariff_revenue;
        self.revenue += revenue;
        self.profit += profit;
        self.capital_value += capital_value;
        self.investment += investment;
        if self.hist.len() < hist.len() {
            self.hist.resize(hist.len(), 0);
        }
        for (a, b) in self.hist.iter_mut().zip(hist) {
            *a += b;
        }
    }
}
