//! Observation: a period's sector records turned into the rows of `series.csv`, and
//! the firm population into the rows of `firms.csv`. Pure.

use rayon::slice::ParallelSliceMut;
use serde::Serialize;

mod columns;

pub use columns::{
    COLUMNS, Column, FIRM_COLUMNS, FirmColumn, SeriesRow, column, firm_columns, firms_codebook,
    series_codebook, series_columns,
};

use crate::model::accounts::hist_quantiles;
use crate::model::{Sector, SectorRecord};
use crate::output::csv_text;
use crate::output::parquet::Cell;
use crate::scenario::Ownership;

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
        if let Some((series, value)) = row.first_non_finite() {
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

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0 && num.is_finite()).then(|| num / den)
}

/// The one series computed from the productivity histogram, which a world made
/// [`crate::engine::World::without_dispersion`] does not keep.
pub const DISPERSION_SERIES: &str = "productivity_p90_p10";

/// Fields shared by sector and economy rows, computed from summed records.
fn common(period: u32, sector: &str, regime: &str, r: &SectorRecord) -> SeriesRow {
    let capacity = r.capacity.total();
    let output = r.output.total();
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
        soe_output_share: ratio(r.output[Ownership::Soe], output),
        soe_capacity_share: ratio(r.capacity[Ownership::Soe], capacity),
        firms_private: r.firms[Ownership::Private],
        firms_soe: r.firms[Ownership::Soe],
        entries: r.entries,
        exits: r.exits,
        bailouts: r.bailouts,
        spinoffs: r.spinoffs,
        paradigm_switches: r.switches,
        old_paradigm_capacity_share: ratio(r.old_capacity, capacity),
        productivity_mean: ratio(r.productivity_output.total(), output),
        productivity_private: ratio(
            r.productivity_output[Ownership::Private],
            r.output[Ownership::Private],
        ),
        productivity_soe: ratio(
            r.productivity_output[Ownership::Soe],
            r.output[Ownership::Soe],
        ),
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
        // Grows to the sectors' histograms as they are added (none without dispersion).
        hist: Vec::new(),
        ..Default::default()
    };
    let mut weighted_frontier = 0.0;
    let mut weighted_gap = 0.0;
    let mut weight = 0.0;
    for r in records {
        total.add(r);
        let out = r.output.total();
        if out > 0.0 {
            let mean = r.productivity_output.total() / out;
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
    pub id: u32,
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

impl<'a> FirmRow<'a> {
    /// The row of the firm in slot `slot` of `sector`.
    pub fn of(period: u32, sector: &'a Sector, slot: u32) -> FirmRow<'a> {
        let f = &sector.firms;
        let i = slot as usize;
        FirmRow {
            period,
            sector: &sector.name,
            id: f.id[i],
            ownership: f.owner[i].as_str(),
            age: f.age[i],
            productivity: f.a[i],
            capacity: f.capacity[i],
            output: f.output[i],
            net_worth: f.net_worth[i],
            debt: f.debt[i],
            market_share: f.share[i],
            paradigm: f.vintage[i],
        }
    }

    /// The row's cells in the order of [`FIRM_COLUMNS`], for a Parquet table or a CSV
    /// record formatted by hand ([`crate::output::csv_text`]).
    #[inline]
    pub fn cells(&self) -> [Cell<'a>; 12] {
        [
            Cell::Int(i64::from(self.period)),
            Cell::Text(self.sector),
            Cell::Int(i64::from(self.id)),
            Cell::Text(self.ownership),
            Cell::Int(i64::from(self.age)),
            Cell::Float(self.productivity),
            Cell::Float(self.capacity),
            Cell::Float(self.output),
            Cell::Float(self.net_worth),
            Cell::Float(self.debt),
            Cell::Float(self.market_share),
            Cell::Int(i64::from(self.paradigm)),
        ]
    }
}

impl<'a> csv_text::Record<'a, 12> for FirmRow<'a> {
    #[inline]
    fn cells(&self) -> [Cell<'a>; 12] {
        FirmRow::cells(self)
    }

    /// What [`csv_text::push_record`] writes of the row's cells, in code that knows
    /// each field's type: every number is formatted, each into a buffer of its own,
    /// before any is copied into the record. Copied just after it was formatted, a
    /// number's last digits were read back before the processor had written them to
    /// its cache, and waited for them: those copies were a fifth of the time formatting
    /// `firms.csv` took. The generic code formatting every number ahead does not gain
    /// so (it chooses by each cell's kind twice). Writing a million firms' rows takes
    /// 0.905 of the time (`tools/write-ab.sh`; `benches/README.md`, twelfth session).
    #[inline(always)]
    fn push_csv(&self, out: &mut Vec<u8>) {
        let floats = [
            self.productivity,
            self.capacity,
            self.output,
            self.net_worth,
            self.debt,
            self.market_share,
        ];
        if !floats.into_iter().all(csv_text::zmij_writes) {
            return csv_text::push_record(out, &self.cells());
        }
        let mut buffers = [(); 6].map(|()| zmij::Buffer::new());
        let [b0, b1, b2, b3, b4, b5] = &mut buffers;
        let [f0, f1, f2, f3, f4, f5] = floats;
        let floats = [
            b0.format_finite(f0).as_bytes(),
            b1.format_finite(f1).as_bytes(),
            b2.format_finite(f2).as_bytes(),
            b3.format_finite(f3).as_bytes(),
            b4.format_finite(f4).as_bytes(),
            b5.format_finite(f5).as_bytes(),
        ];
        let mut buffers = [(); 4].map(|()| itoa::Buffer::new());
        let [b0, b1, b2, b3] = &mut buffers;
        let period = b0.format(self.period).as_bytes();
        let id = b1.format(self.id).as_bytes();
        let age = b2.format(self.age).as_bytes();
        let paradigm = b3.format(self.paradigm).as_bytes();
        out.extend_from_slice(period);
        out.push(b',');
        csv_text::push_text(out, self.sector, false);
        csv_text::push_plain_fields(out, &[id]);
        out.push(b',');
        csv_text::push_text(out, self.ownership, false);
        csv_text::push_plain_fields(out, &[age]);
        csv_text::push_plain_fields(out, &floats);
        csv_text::push_plain_fields(out, &[paradigm]);
        out.push(b'\n');
    }
}

/// The slots of a sector's living firms in the order of `firms.csv`, by firm id.
pub enum SlotsById {
    /// Slots `0..n`, all living, already in id order (a population that only grew,
    /// with no exit yet): no list to build, 4 bytes a firm saved.
    All(usize),
    /// The living slots, sorted by the id of their firm.
    Sorted(Vec<u32>),
}

impl SlotsById {
    pub fn of(sector: &Sector) -> SlotsById {
        let f = &sector.firms;
        if f.living() == f.slots() && f.id.windows(2).all(|w| w[0] < w[1]) {
            return SlotsById::All(f.slots());
        }
        SlotsById::Sorted(living_by_id(&f.id, &f.alive))
    }

    /// Living firms.
    pub fn len(&self) -> usize {
        match self {
            SlotsById::All(n) => *n,
            SlotsById::Sorted(slots) => slots.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slot of the `i`-th firm by id.
    pub fn slot(&self, i: usize) -> u32 {
        match self {
            SlotsById::All(_) => i as u32,
            SlotsById::Sorted(slots) => slots[i],
        }
    }
}

/// The living slots (`alive`) in the order of their firms' (unique) ids.
///
/// A sector numbers the firms it ever founds, so the living ids are dense, and a
/// firm's place is the number of living firms with a smaller id: a bitmap of the living
/// ids, with the number of living ids before each of its words, gives it in a pass over
/// the slots in their order. Sorting the slots by comparison read two ids at random
/// slots per comparison: 10-18 ms a sector of a million-firm run, a tenth of the time
/// its firms took to write. Ids too sparse for a bitmap (none a sector makes) are
/// sorted by comparison.
fn living_by_id(ids: &[u32], alive: &[bool]) -> Vec<u32> {
    let living = || {
        ids.iter()
            .zip(alive)
            .filter(|&(_, &a)| a)
            .map(|(&id, _)| id)
    };
    let Some(top) = living().max() else {
        return Vec::new();
    };
    if u64::from(top) > 16 * ids.len() as u64 + 64 {
        let mut slots: Vec<u32> = (0..ids.len() as u32)
            .filter(|&i| alive[i as usize])
            .collect();
        slots.par_sort_unstable_by_key(|&i| ids[i as usize]);
        return slots;
    }
    let mut bits = vec![0u64; (top / 64 + 1) as usize];
    for id in living() {
        bits[(id / 64) as usize] |= 1 << (id % 64);
    }
    let mut count = 0u32;
    let before: Vec<u32> = bits
        .iter()
        .map(|w| {
            let b = count;
            count += w.count_ones();
            b
        })
        .collect();
    let mut order = vec![0u32; count as usize];
    for (slot, (&id, _)) in ids.iter().zip(alive).enumerate().filter(|(_, (_, a))| **a) {
        let word = (id / 64) as usize;
        let below = (bits[word] & ((1 << (id % 64)) - 1)).count_ones();
        order[(before[word] + below) as usize] = slot as u32;
    }
    debug_assert_eq!(
        count as usize,
        living().count(),
        "a sector's firm ids are unique"
    );
    order
}

/// The living firms of a sector, ordered by id.
pub fn firm_rows<'a>(period: u32, sector: &'a Sector) -> impl Iterator<Item = FirmRow<'a>> + 'a {
    let slots = SlotsById::of(sector);
    (0..slots.len()).map(move |i| FirmRow::of(period, sector, slots.slot(i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The ranks give the order a comparison sort gives, for dense ids and for ids
        /// too sparse for a bitmap, in any slots, living or not.
        #[test]
        fn living_slots_come_in_id_order(
            mut ids in proptest::collection::vec(0u32..5_000, 0..3_000),
            alive in proptest::collection::vec(any::<bool>(), 3_000),
            sparse in any::<bool>(),
        ) {
            ids.sort_unstable();
            ids.dedup();
            // Ids founded in one order, the slots reused in another.
            let n = ids.len();
            for i in 0..n {
                ids.swap(i, (i * 7919) % n.max(1));
            }
            if sparse {
                // Still below 2^32: 5,000 * 2^19.
                ids.iter_mut().for_each(|id| *id *= 1 << 19);
            }
            let alive = &alive[..n];
            let mut want: Vec<u32> = (0..n as u32).filter(|&i| alive[i as usize]).collect();
            want.sort_by_key(|&i| ids[i as usize]);
            prop_assert_eq!(living_by_id(&ids, alive), want);
        }
    }

    /// A row of the baseline's first period, every value finite.
    fn a_row() -> SeriesRow {
        let scenario = crate::scenario::load(Some("baseline"), &["periods=1".into()]).unwrap();
        let mut world = crate::engine::World::new(&scenario);
        let records = world.step();
        period_rows(world.period(), world.sectors(), &records).remove(0)
    }

    /// A column's reader reads what `value` gives, for every numeric column, and
    /// nothing else has one.
    #[test]
    fn every_numeric_column_has_a_reader_that_reads_its_value() {
        let row = a_row();
        let mut defined = 0;
        for &column in SeriesRow::NUMERIC_COLUMNS {
            let read = SeriesRow::reader(column).expect(column);
            let v = read(&row);
            assert_eq!(
                v.map(f64::to_bits),
                row.value(column).unwrap().map(f64::to_bits)
            );
            defined += usize::from(v.is_some());
        }
        assert!(defined > 20, "{defined} columns defined");
        assert_eq!(row.value("gap"), Some(row.gap));
        assert!(SeriesRow::reader("sector").is_none() && SeriesRow::reader("gapp").is_none());
    }

    /// The check of a row finds the first column in file order whose value is an
    /// infinity or a NaN, and none in a finite row.
    #[test]
    fn the_first_non_finite_column_is_found() {
        let mut row = a_row();
        assert_eq!(row.first_non_finite(), None);
        assert!(check_finite([&row]).is_ok());
        row.gap = Some(f64::NAN);
        assert_eq!(row.first_non_finite().map(|(c, _)| c), Some("gap"));
        row.frontier = Some(f64::NEG_INFINITY);
        assert_eq!(
            row.first_non_finite(),
            Some(("frontier", f64::NEG_INFINITY))
        );
        let e = check_finite([&row]).unwrap_err();
        assert_eq!((e.series, e.period), ("frontier", 1));
    }

    /// `firms.csv` lists the living firms by id, whether the slots have holes (exits) or
    /// not (the list of slots is then not built).
    #[test]
    fn firm_rows_are_the_living_firms_by_id_with_or_without_holes() {
        let scenario = crate::scenario::load(Some("baseline"), &["periods=30".into()]).unwrap();
        let mut world = crate::engine::World::new(&scenario);
        let (mut whole, mut holed) = (false, false);
        for _ in 0..scenario.periods {
            for sector in world.sectors() {
                let f = &sector.firms;
                match SlotsById::of(sector) {
                    SlotsById::All(_) => whole = true,
                    SlotsById::Sorted(_) => holed = true,
                }
                let mut expected: Vec<(u32, f64)> = (0..f.slots())
                    .filter(|&i| f.alive[i])
                    .map(|i| (f.id[i], f.a[i]))
                    .collect();
                expected.sort_by_key(|e| e.0);
                let rows: Vec<(u32, f64)> = firm_rows(1, sector)
                    .map(|r| (r.id, r.productivity))
                    .collect();
                assert_eq!(rows, expected);
            }
            world.step();
        }
        assert!(whole && holed, "both layouts were seen: {whole} {holed}");
    }

    /// A number from its bits: every kind of `f64` comes up, the awkward ones often.
    fn any_number() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            Just(0.0),
            Just(-0.0),
            Just(1e16),
            Just(9999999999999998.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            0.0..1e6,
        ]
    }

    proptest! {
        /// A firm's record, formatted by its own code, is what the `csv` crate writes of
        /// the row: numbers of every magnitude, and sector names to be quoted.
        #[test]
        fn a_firms_csv_record_is_what_the_csv_crate_writes(
            period in any::<u32>(),
            sector in "[a-z ,\"\\-]{0,8}",
            id in any::<u32>(),
            soe in any::<bool>(),
            age in any::<u32>(),
            numbers in proptest::array::uniform6(any_number()),
            paradigm in any::<u16>(),
        ) {
            let [productivity, capacity, output, net_worth, debt, market_share] = numbers;
            let row = FirmRow {
                period,
                sector: &sector,
                id,
                ownership: if soe { Ownership::Soe } else { Ownership::Private }.as_str(),
                age,
                productivity,
                capacity,
                output,
                net_worth,
                debt,
                market_share,
                paradigm,
            };
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            w.serialize(&row).unwrap();
            let expected = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let mut text = Vec::new();
            csv_text::Record::push_csv(&row, &mut text);
            prop_assert_eq!(String::from_utf8(text).unwrap(), expected);
        }
    }

    /// The header of `firms.csv` (the names of `FIRM_COLUMNS`, written when the file is
    /// opened) is the one its rows have.
    #[test]
    fn the_firms_header_is_the_rows_header() {
        let row = FirmRow {
            period: 1,
            sector: "s",
            id: 0,
            ownership: "private",
            age: 0,
            productivity: 1.0,
            capacity: 1.0,
            output: 1.0,
            net_worth: 1.0,
            debt: 0.0,
            market_share: 0.1,
            paradigm: 0,
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header: Vec<&str> = FIRM_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(text.lines().next().unwrap(), header.join(","));
        // The cells are the fields, in the same order and of the columns' types.
        let cells = row.cells();
        assert_eq!(cells.len(), FIRM_COLUMNS.len());
        for (cell, (column, text)) in cells.iter().zip(
            FIRM_COLUMNS
                .iter()
                .zip(text.lines().nth(1).unwrap().split(',')),
        ) {
            let (kind, shown) = match cell {
                Cell::Int(v) => (crate::scenario::keys::Kind::Integer, v.to_string()),
                Cell::Float(v) => (crate::scenario::keys::Kind::Number, format!("{v:?}")),
                Cell::Text(v) => (crate::scenario::keys::Kind::Text, v.to_string()),
                other => panic!("{other:?}"),
            };
            assert_eq!(
                (kind, shown.as_str()),
                (column.kind, text),
                "{}",
                column.name
            );
        }
    }
}
