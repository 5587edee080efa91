//! Observation: a period's sector records turned into the rows of `series.csv`, and
//! the firm population into the rows of `firms.csv`. Pure.

use serde::Serialize;

use crate::model::accounts::{HIST_BINS, hist_quantiles};
use crate::model::{Sector, SectorRecord};

/// One row of `series.csv`: a sector (or the whole economy, `all`) in one period.
/// Empty cells mean "not defined" (no output, or not meaningful for `all`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SeriesRow {
    pub period: u32,
    pub sector: String,
    pub regime: String,
    pub paradigm: Option<u16>,
    pub capacity: f64,
    pub output: f64,
    pub demand: f64,
    pub utilization: Option<f64>,
    pub overcapacity: Option<f64>,
    pub import_share: f64,
    pub soe_output_share: Option<f64>,
    pub soe_capacity_share: Option<f64>,
    pub firms_private: u64,
    pub firms_soe: u64,
    pub entries: u64,
    pub exits: u64,
    pub bailouts: u64,
    pub spinoffs: u64,
    pub paradigm_switches: u64,
    pub old_paradigm_capacity_share: Option<f64>,
    pub productivity_mean: Option<f64>,
    pub productivity_private: Option<f64>,
    pub productivity_soe: Option<f64>,
    pub productivity_p90_p10: Option<f64>,
    pub frontier: Option<f64>,
    pub gap: Option<f64>,
    pub innovations: u64,
    pub absorptions: u64,
    pub transfers: u64,
    pub paths_abandoned: u64,
    pub firms_on_dead_ends: Option<f64>,
    pub firms_on_best_path: Option<f64>,
    pub breakthroughs: u64,
    pub gain_introduction: Option<f64>,
    pub gain_absorption: Option<f64>,
    pub gain_innovation: Option<f64>,
    pub gain_transfer: Option<f64>,
    pub rd_spending: f64,
    pub rd_subsidy_spending: f64,
    pub production_subsidy_spending: f64,
    pub subsidy_spending: f64,
    pub bailout_spending: f64,
    pub institute_spending: f64,
    pub tariff_revenue: f64,
    pub fiscal_cost: f64,
    pub investment: f64,
    pub profit_rate: Option<f64>,
    pub hhi: Option<f64>,
    pub mean_price: Option<f64>,
    pub import_price: Option<f64>,
    pub institute_knowledge: Option<f64>,
    pub institute_staff: Option<f64>,
    pub tariff: Option<f64>,
    pub consortium: Option<u8>,
}

/// A recorded value as a number (`None`: undefined in this row).
trait Number {
    fn number(&self) -> Option<f64>;
}

impl Number for f64 {
    fn number(&self) -> Option<f64> {
        Some(*self)
    }
}

impl Number for u64 {
    fn number(&self) -> Option<f64> {
        Some(*self as f64)
    }
}

impl Number for u32 {
    fn number(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

impl<T: Copy + Into<f64>> Number for Option<T> {
    fn number(&self) -> Option<f64> {
        self.map(Into::into)
    }
}

/// A run whose numbers left the range of floating point: a recorded value became
/// infinite or not a number. The run cannot go on meaningfully and nothing of it is
/// kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the run blew up numerically in period {period}: `{series}` of {where_} is {value}; \
     the scenario's parameters drive the economy beyond what can be computed \
     (try smaller growth rates, levels or fewer periods)"
)]
pub struct NonFinite {
    pub period: u32,
    /// `sector `NAME`` or `the whole economy`.
    pub where_: String,
    /// The column of `series.csv`.
    pub series: &'static str,
    pub value: f64,
}

/// Fails on the first row with a value that is not finite, naming period, sector and
/// column.
pub fn check_finite<'a>(rows: impl IntoIterator<Item = &'a SeriesRow>) -> Result<(), NonFinite> {
    for row in rows {
        let bad = SeriesRow::NUMERIC_COLUMNS
            .iter()
            .find_map(|&c| match row.value(c) {
                Some(Some(v)) if !v.is_finite() => Some((c, v)),
                _ => None,
            });
        if let Some((series, value)) = bad {
            return Err(NonFinite {
                period: row.period,
                where_: if row.sector == "all" {
                    "the whole economy".to_string()
                } else {
                    format!("sector `{}`", row.sector)
                },
                series,
                value,
            });
        }
    }
    Ok(())
}

impl SeriesRow {
    /// The numeric columns of `series.csv`, in file order.
    pub const NUMERIC_COLUMNS: &'static [&'static str] = &[
        "period",
        "paradigm",
        "capacity",
        "output",
        "demand",
        "utilization",
        "overcapacity",
        "import_share",
        "soe_output_share",
        "soe_capacity_share",
        "firms_private",
        "firms_soe",
        "entries",
        "exits",
        "bailouts",
        "spinoffs",
        "paradigm_switches",
        "old_paradigm_capacity_share",
        "productivity_mean",
        "productivity_private",
        "productivity_soe",
        "productivity_p90_p10",
        "frontier",
        "gap",
        "innovations",
        "absorptions",
        "transfers",
        "paths_abandoned",
        "firms_on_dead_ends",
        "firms_on_best_path",
        "breakthroughs",
        "gain_introduction",
        "gain_absorption",
        "gain_innovation",
        "gain_transfer",
        "rd_spending",
        "rd_subsidy_spending",
        "production_subsidy_spending",
        "subsidy_spending",
        "bailout_spending",
        "institute_spending",
        "tariff_revenue",
        "fiscal_cost",
        "investment",
        "profit_rate",
        "hhi",
        "mean_price",
        "import_price",
        "institute_knowledge",
        "institute_staff",
        "tariff",
        "consortium",
    ];

    /// The value of a numeric column: `None` if the column is not numeric or unknown,
    /// `Some(None)` if the value is undefined in this row.
    pub fn value(&self, column: &str) -> Option<Option<f64>> {
        Some(match column {
            "period" => self.period.number(),
            "paradigm" => self.paradigm.number(),
            "capacity" => self.capacity.number(),
            "output" => self.output.number(),
            "demand" => self.demand.number(),
            "utilization" => self.utilization.number(),
            "overcapacity" => self.overcapacity.number(),
            "import_share" => self.import_share.number(),
            "soe_output_share" => self.soe_output_share.number(),
            "soe_capacity_share" => self.soe_capacity_share.number(),
            "firms_private" => self.firms_private.number(),
            "firms_soe" => self.firms_soe.number(),
            "entries" => self.entries.number(),
            "exits" => self.exits.number(),
            "bailouts" => self.bailouts.number(),
            "spinoffs" => self.spinoffs.number(),
            "paradigm_switches" => self.paradigm_switches.number(),
            "old_paradigm_capacity_share" => self.old_paradigm_capacity_share.number(),
            "productivity_mean" => self.productivity_mean.number(),
            "productivity_private" => self.productivity_private.number(),
            "productivity_soe" => self.productivity_soe.number(),
            "productivity_p90_p10" => self.productivity_p90_p10.number(),
            "frontier" => self.frontier.number(),
            "gap" => self.gap.number(),
            "innovations" => self.innovations.number(),
            "absorptions" => self.absorptions.number(),
            "transfers" => self.transfers.number(),
            "paths_abandoned" => self.paths_abandoned.number(),
            "firms_on_dead_ends" => self.firms_on_dead_ends.number(),
            "firms_on_best_path" => self.firms_on_best_path.number(),
            "breakthroughs" => self.breakthroughs.number(),
            "gain_introduction" => self.gain_introduction.number(),
            "gain_absorption" => self.gain_absorption.number(),
            "gain_innovation" => self.gain_innovation.number(),
            "gain_transfer" => self.gain_transfer.number(),
            "rd_spending" => self.rd_spending.number(),
            "rd_subsidy_spending" => self.rd_subsidy_spending.number(),
            "production_subsidy_spending" => self.production_subsidy_spending.number(),
            "subsidy_spending" => self.subsidy_spending.number(),
            "bailout_spending" => self.bailout_spending.number(),
            "institute_spending" => self.institute_spending.number(),
            "tariff_revenue" => self.tariff_revenue.number(),
            "fiscal_cost" => self.fiscal_cost.number(),
            "investment" => self.investment.number(),
            "profit_rate" => self.profit_rate.number(),
            "hhi" => self.hhi.number(),
            "mean_price" => self.mean_price.number(),
            "import_price" => self.import_price.number(),
            "institute_knowledge" => self.institute_knowledge.number(),
            "institute_staff" => self.institute_staff.number(),
            "tariff" => self.tariff.number(),
            "consortium" => self.consortium.number(),
            _ => return None,
        })
    }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0 && num.is_finite()).then(|| num / den)
}

/// Fields shared by sector and economy rows, computed from summed records.
fn common(period: u32, sector: &str, regime: &str, r: &SectorRecord) -> SeriesRow {
    let capacity = r.capacity[0] + r.capacity[1];
    let output = r.output[0] + r.output[1];
    let utilization = ratio(output, capacity);
    let subsidy = r.rd_subsidy + r.production_subsidy;
    let deciles = hist_quantiles(&r.hist, [0.1, 0.9]);
    SeriesRow {
        period,
        sector: sector.to_string(),
        regime: regime.to_string(),
        paradigm: None,
        capacity,
        output,
        demand: r.demand,
        utilization,
        overcapacity: utilization.map(|u| 1.0 - u),
        import_share: ratio(r.imports, r.demand).unwrap_or(0.0),
        soe_output_share: ratio(r.output[1], output),
        soe_capacity_share: ratio(r.capacity[1], capacity),
        firms_private: r.firms[0],
        firms_soe: r.firms[1],
        entries: r.entries,
        exits: r.exits,
        bailouts: r.bailouts,
        spinoffs: r.spinoffs,
        paradigm_switches: r.switches,
        old_paradigm_capacity_share: ratio(r.old_capacity, capacity),
        productivity_mean: ratio(r.productivity_output[0] + r.productivity_output[1], output),
        productivity_private: ratio(r.productivity_output[0], r.output[0]),
        productivity_soe: ratio(r.productivity_output[1], r.output[1]),
        productivity_p90_p10: deciles.and_then(|[p10, p90]| ratio(p90, p10)),
        frontier: None,
        gap: None,
        innovations: r.innovations,
        absorptions: r.absorptions,
        transfers: r.transfers,
        paths_abandoned: r.paths_abandoned,
        firms_on_dead_ends: ratio(r.explorers_on_dead_ends as f64, r.explorers as f64),
        firms_on_best_path: ratio(r.explorers_on_best_path as f64, r.explorers as f64),
        breakthroughs: r.breakthroughs,
        gain_introduction: ratio(r.gain_introduction, capacity),
        gain_absorption: ratio(r.gain_absorption, capacity),
        gain_innovation: ratio(r.gain_innovation, capacity),
        gain_transfer: ratio(r.gain_transfer, capacity),
        rd_spending: r.rd_own + r.rd_subsidy,
        rd_subsidy_spending: r.rd_subsidy,
        production_subsidy_spending: r.production_subsidy,
        subsidy_spending: subsidy,
        bailout_spending: r.bailout_spending,
        institute_spending: r.institute_spending,
        tariff_revenue: r.tariff_revenue,
        fiscal_cost: subsidy + r.bailout_spending + r.institute_spending - r.tariff_revenue,
        investment: r.investment,
        profit_rate: ratio(r.profit, r.capital_value),
        hhi: ratio(r.output_squared, output * output),
        mean_price: None,
        import_price: None,
        institute_knowledge: None,
        institute_staff: None,
        tariff: None,
        consortium: None,
    }
}

/// The row of one sector.
pub fn sector_row(sector: &Sector, r: &SectorRecord) -> SeriesRow {
    let mut row = common(r.period, &sector.name, sector.regime.as_str(), r);
    row.paradigm = Some(r.paradigm);
    row.frontier = Some(r.frontier);
    row.gap = row.productivity_mean.and_then(|p| ratio(p, r.frontier));
    row.mean_price = Some(r.mean_price);
    row.import_price = Some(r.import_price);
    row.institute_knowledge = ratio(r.institute_knowledge, r.frontier);
    row.institute_staff = Some(r.institute_staff);
    row.tariff = Some(r.tariff);
    row.consortium = Some(u8::from(r.consortium));
    row
}

/// The rows of one period: one per sector, in sector order, then the whole economy's.
pub fn period_rows(period: u32, sectors: &[Sector], records: &[SectorRecord]) -> Vec<SeriesRow> {
    let mut rows: Vec<SeriesRow> = sectors
        .iter()
        .zip(records)
        .map(|(sector, record)| sector_row(sector, record))
        .collect();
    rows.push(economy_row(period, records));
    rows
}

/// The row of the whole economy (`sector = all`): sums of the sectors; productivity,
/// frontier and gap output-weighted across sectors; dispersion pooled over firms'
/// productivity relative to their own sector's frontier.
pub fn economy_row(period: u32, records: &[SectorRecord]) -> SeriesRow {
    let mut total = SectorRecord {
        period,
        hist: vec![0; HIST_BINS],
        ..Default::default()
    };
    let mut weighted_frontier = 0.0;
    let mut weighted_gap = 0.0;
    let mut weight = 0.0;
    for r in records {
        for k in 0..2 {
            total.firms[k] += r.firms[k];
            total.capacity[k] += r.capacity[k];
            total.output[k] += r.output[k];
            total.productivity_output[k] += r.productivity_output[k];
        }
        total.demand += r.demand;
        total.imports += r.imports;
        total.output_squared += r.output_squared;
        total.entries += r.entries;
        total.exits += r.exits;
        total.bailouts += r.bailouts;
        total.spinoffs += r.spinoffs;
        total.switches += r.switches;
        total.explorers += r.explorers;
        total.explorers_on_dead_ends += r.explorers_on_dead_ends;
        total.explorers_on_best_path += r.explorers_on_best_path;
        total.old_capacity += r.old_capacity;
        total.innovations += r.innovations;
        total.absorptions += r.absorptions;
        total.transfers += r.transfers;
        total.paths_abandoned += r.paths_abandoned;
        total.breakthroughs += r.breakthroughs;
        total.gain_introduction += r.gain_introduction;
        total.gain_absorption += r.gain_absorption;
        total.gain_innovation += r.gain_innovation;
        total.gain_transfer += r.gain_transfer;
        total.rd_own += r.rd_own;
        total.rd_subsidy += r.rd_subsidy;
        total.production_subsidy += r.production_subsidy;
        total.bailout_spending += r.bailout_spending;
        total.institute_spending += r.institute_spending;
        total.tariff_revenue += r.tariff_revenue;
        total.profit += r.profit;
        total.capital_value += r.capital_value;
        total.investment += r.investment;
        for (a, b) in total.hist.iter_mut().zip(&r.hist) {
            *a += b;
        }
        let out = r.output[0] + r.output[1];
        if out > 0.0 {
            let mean = (r.productivity_output[0] + r.productivity_output[1]) / out;
            weighted_frontier += r.frontier * out;
            weighted_gap += mean / r.frontier * out;
            weight += out;
        }
    }
    let mut row = common(period, "all", "all", &total);
    row.frontier = ratio(weighted_frontier, weight);
    row.gap = ratio(weighted_gap, weight);
    row
}

/// One row of `firms.csv`: a living firm at the end of a recorded period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FirmRow<'a> {
    pub period: u32,
    pub sector: &'a str,
    pub id: u64,
    pub ownership: &'static str,
    pub age: u32,
    pub productivity: f64,
    pub capacity: f64,
    pub output: f64,
    pub net_worth: f64,
    pub debt: f64,
    pub market_share: f64,
    pub paradigm: u16,
}

/// The living firms of a sector, ordered by id.
pub fn firm_rows<'a>(period: u32, sector: &'a Sector) -> impl Iterator<Item = FirmRow<'a>> + 'a {
    let f = &sector.firms;
    let mut slots: Vec<u32> = (0..f.slots() as u32)
        .filter(|&i| f.alive[i as usize])
        .collect();
    slots.sort_unstable_by_key(|&i| f.id[i as usize]);
    slots.into_iter().map(move |i| {
        let i = i as usize;
        FirmRow {
            period,
            sector: &sector.name,
            id: f.id[i],
            ownership: if f.soe[i] { "soe" } else { "private" },
            age: f.age[i],
            productivity: f.a[i],
            capacity: f.capacity[i],
            output: f.output[i],
            net_worth: f.net_worth[i],
            debt: f.debt[i],
            market_share: f.share[i],
            paradigm: f.vintage[i],
        }
    })
}
