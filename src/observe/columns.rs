//! The columns of `series.csv`: the one table every recorded series is declared in.
//!
//! Each row gives a column's name, type, how the whole economy's row (`all`) gets it,
//! its chart title and axis, its short label and its meaning. The `columns!` macro
//! derives [`SeriesRow`] (whose field order is the file's column order), the numeric
//! column list, [`SeriesRow::value`] and the [`COLUMNS`] catalogue that charts, the
//! classroom page, sweep metrics, `catchup reference` and the documentation read. How
//! each value is computed from the sector records is in [`super::common`] and
//! [`super::sector_row`], which build a `SeriesRow` literal: a new column the
//! computation forgets does not compile.

use std::sync::LazyLock;

use serde::Serialize;

use crate::output::codebook::Entry;
use crate::output::parquet::{Cell, ColumnSpec};
use crate::scenario::keys::Kind;

/// One column of `series.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// Its values lie in 0 to 1 (a chart's axis then runs from 0 to 1 at least).
    pub share: bool,
    /// Values a chart's axis always includes.
    pub axis_includes: &'static [f64],
    /// The axis title: the quantity and its unit.
    pub unit: &'static str,
    /// A chart's title.
    pub title: &'static str,
    /// A short label (the classroom page's chart menu).
    pub label: &'static str,
    /// How the whole economy's row gets it from the sectors' rows.
    pub all: &'static str,
    /// What it measures.
    pub meaning: &'static str,
    /// Some cells are empty (an `Option` in [`SeriesRow`]): where undefined, or in the
    /// `all` rows when `all` is [`EMPTY`].
    pub may_be_empty: bool,
}

/// A recorded value as a number (`None`: undefined in this row).
pub trait Number {
    /// Whether a value of this type may be undefined (an empty cell).
    const MAY_BE_EMPTY: bool = false;
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
    const MAY_BE_EMPTY: bool = true;
    fn number(&self) -> Option<f64> {
        self.map(Into::into)
    }
}

const SHARE: &[f64] = &[0.0, 1.0];
const ZERO: &[f64] = &[0.0];

/// What the `all` row holds, for the common cases.
const SUM: &str = "sum over sectors";
const RATIO: &str = "the same ratio of the sums over sectors";
pub const EMPTY: &str = "empty";

macro_rules! columns {
    ( $( $name:ident : $ty:ty, $kind:ident, share $share:expr, axis $axis:expr,
         unit $unit:literal, title $title:literal, label $label:literal,
         all $all:expr, meaning $meaning:literal; )* ) => {
        /// One row of `series.csv`: a sector (or the whole economy, `all`) in one
        /// period. Empty cells mean "not defined" (no output, or not meaningful for
        /// `all`).
        #[derive(Debug, Clone, Serialize, PartialEq)]
        pub struct SeriesRow {
            /// The period, 1 to `periods`.
            pub period: u32,
            /// The sector's name, or `all` for the whole economy.
            pub sector: String,
            /// The sector's regime, or `all`.
            pub regime: String,
            $( #[doc = $meaning] pub $name: $ty, )*
        }

        impl SeriesRow {
            /// The numeric columns of `series.csv`, in file order.
            pub const NUMERIC_COLUMNS: &'static [&'static str] =
                &["period", $( stringify!($name), )*];

            /// The value of a numeric column: `None` if the column is not numeric
            /// or unknown, `Some(None)` if the value is undefined in this row.
            pub fn value(&self, column: &str) -> Option<Option<f64>> {
                Self::reader(column).map(|read| read(self))
            }

            /// What reads a numeric column from a row, found once by name for a loop
            /// over rows (a sweep reads its metrics' and bands' series every period);
            /// `None` if the column is not numeric or unknown.
            pub fn reader(column: &str) -> Option<fn(&SeriesRow) -> Option<f64>> {
                Some(match column {
                    "period" => |row: &SeriesRow| row.period.number(),
                    $( stringify!($name) => |row: &SeriesRow| row.$name.number(), )*
                    _ => return None,
                })
            }

            /// The first numeric column, in file order, whose value is defined and
            /// infinite or NaN, with the value.
            pub fn first_non_finite(&self) -> Option<(&'static str, f64)> {
                $(
                    if let Some(v) = self.$name.number() {
                        if !v.is_finite() {
                            return Some((stringify!($name), v));
                        }
                    }
                )*
                None
            }
        }

        /// Every column of `series.csv`, in file order.
        pub static COLUMNS: LazyLock<Vec<Column>> = LazyLock::new(|| vec![
            Column {
                name: "period", kind: Kind::Integer, share: false, axis_includes: &[],
                unit: "period", title: "Period", label: "Period", all: "the period",
                meaning: "The period (year), 1 to `periods`.", may_be_empty: false,
            },
            Column {
                name: "sector", kind: Kind::Text, share: false, axis_includes: &[],
                unit: "", title: "Sector", label: "Sector", all: "`all`",
                meaning: "The sector's name; `all` for the whole economy.", may_be_empty: false,
            },
            Column {
                name: "regime", kind: Kind::Text, share: false, axis_includes: &[],
                unit: "", title: "Regime", label: "Regime", all: "`all`",
                meaning: "The sector's regime: `catch-up`, `parallel` or `leading`.", may_be_empty: false,
            },
            $( Column {
                name: stringify!($name),
                kind: Kind::$kind,
                share: $share,
                axis_includes: $axis,
                unit: $unit,
                title: $title,
                label: $label,
                all: $all,
                meaning: $meaning,
                may_be_empty: <$ty as Number>::MAY_BE_EMPTY,
            }, )*
        ]);
    };
}

columns! {
    paradigm: Option<u16>, Integer, share false, axis ZERO,
        unit "paradigm number", title "Paradigm", label "Paradigm", all EMPTY,
        meaning "The sector's current technological paradigm (0 until the first shift).";
    capacity: f64, Number, share false, axis ZERO,
        unit "capacity (output per year)", title "Capacity", label "Capacity", all SUM,
        meaning "Productive capacity of the sector's firms, `Σ K`.";
    output: f64, Number, share false, axis ZERO,
        unit "output per year", title "Output", label "Output", all SUM,
        meaning "Output of the sector's firms, `Σ q`.";
    demand: f64, Number, share false, axis ZERO,
        unit "demand (output per year)", title "Demand", label "Demand", all SUM,
        meaning "Domestic demand `D`, met by domestic firms and imports.";
    utilization: Option<f64>, Number, share true, axis SHARE,
        unit "utilisation (0–1)", title "Utilisation (output / capacity)", label "Capacity utilisation", all RATIO,
        meaning "Capacity utilisation `Σ q / Σ K`.";
    overcapacity: Option<f64>, Number, share true, axis SHARE,
        unit "overcapacity (0–1)", title "Overcapacity (1 − utilisation)", label "Overcapacity", all RATIO,
        meaning "Idle capacity, `1 − utilization`.";
    import_share: f64, Number, share true, axis SHARE,
        unit "import share (0–1)", title "Import share of demand", label "Import share of demand", all RATIO,
        meaning "Imports as a share of demand, `M / D`.";
    soe_output_share: Option<f64>, Number, share true, axis SHARE,
        unit "SOE share (0–1)", title "SOE share of output", label "SOE share of output", all RATIO,
        meaning "SOEs' share of the sector's output.";
    soe_capacity_share: Option<f64>, Number, share true, axis SHARE,
        unit "SOE share (0–1)", title "SOE share of capacity", label "SOE share of capacity", all RATIO,
        meaning "SOEs' share of the sector's capacity.";
    firms_private: u64, Integer, share false, axis ZERO,
        unit "firms", title "Private firms", label "Private firms", all SUM,
        meaning "Private firms alive at the end of the period.";
    firms_soe: u64, Integer, share false, axis ZERO,
        unit "firms", title "SOEs", label "SOEs", all SUM,
        meaning "State-owned enterprises alive at the end of the period.";
    entries: u64, Integer, share false, axis ZERO,
        unit "entries per year", title "Entries", label "Entries", all SUM,
        meaning "Firms founded in the period, spin-offs included (they produce from the next period).";
    exits: u64, Integer, share false, axis ZERO,
        unit "exits per year", title "Exits", label "Exits", all SUM,
        meaning "Firms whose exit or closure was decided in the period.";
    bailouts: u64, Integer, share false, axis ZERO,
        unit "bailouts per year", title "Bailouts", label "Bailouts", all SUM,
        meaning "SOEs rescued from negative net worth in the period.";
    spinoffs: u64, Integer, share false, axis ZERO,
        unit "spin-offs per year", title "Spin-offs", label "Spin-offs from institutes", all SUM,
        meaning "Firms founded by research institutes in the period.";
    paradigm_switches: u64, Integer, share false, axis ZERO,
        unit "firms switching per year", title "Switches to a new paradigm", label "Firms switching paradigm", all SUM,
        meaning "Firms that re-tooled for the current paradigm in the period.";
    old_paradigm_capacity_share: Option<f64>, Number, share true, axis SHARE,
        unit "share of capacity (0–1)", title "Capacity still in an old paradigm", label "Capacity in the old paradigm", all RATIO,
        meaning "Share of capacity still in an old paradigm.";
    productivity_mean: Option<f64>, Number, share false, axis ZERO,
        unit "productivity (initial frontier = 1)", title "Mean labour productivity", label "Productivity (mean)", all "output-weighted across sectors",
        meaning "Output-weighted mean labour productivity `a_eff / (1 + x)`, times `q / L` for an SOE with redundant labour (ODD 7.11).";
    productivity_private: Option<f64>, Number, share false, axis ZERO,
        unit "productivity (initial frontier = 1)", title "Labour productivity of private firms", label "Productivity of private firms", all "output-weighted across sectors",
        meaning "The same, over private firms.";
    productivity_soe: Option<f64>, Number, share false, axis ZERO,
        unit "productivity (initial frontier = 1)", title "Labour productivity of SOEs", label "Productivity of SOEs", all "output-weighted across sectors",
        meaning "The same, over SOEs.";
    productivity_p90_p10: Option<f64>, Number, share false, axis &[1.0],
        unit "ratio p90 / p10", title "Productivity dispersion (90th / 10th percentile)", label "Productivity dispersion (p90/p10)", all "pooled over all firms, each relative to its own sector's frontier",
        meaning "Ratio of the 90th to the 10th percentile of firms' labour productivity (from a histogram of productivity relative to the frontier `F*`, from 1/128 to 2 times it, in 200 bins per octave of a piecewise-linear `log2`, each 0.35% to 0.7% wide, interpolated within the bin).";
    frontier: Option<f64>, Number, share false, axis ZERO,
        unit "productivity (initial frontier = 1)", title "Technology frontier", label "Frontier", all "output-weighted mean of the sectors'",
        meaning "The frontier `F*`, raised to this period's best domestic firm (old-paradigm firms at their fading effective productivity included), so that the gap never exceeds 1.";
    gap: Option<f64>, Number, share true, axis SHARE,
        unit "productivity / frontier", title "Productivity gap (mean productivity / frontier)", label "Gap: productivity / frontier", all "output-weighted mean of the sectors'",
        meaning "Distance to the frontier, `productivity_mean / frontier` (1: at the frontier).";
    innovations: u64, Integer, share false, axis ZERO,
        unit "innovations per year", title "Innovations", label "Innovations", all SUM,
        meaning "Successful explorations adopted in the period.";
    absorptions: u64, Integer, share false, axis ZERO,
        unit "absorptions per year", title "Absorptions", label "Absorptions", all SUM,
        meaning "Successful absorptions of foreign technology in the period.";
    transfers: u64, Integer, share false, axis ZERO,
        unit "transfers per year", title "Transfers over the research bridge", label "Transfers from institutes", all SUM,
        meaning "Results taken up from research institutes in the period.";
    paths_abandoned: u64, Integer, share false, axis ZERO,
        unit "paths abandoned per year", title "Technology paths abandoned", label "Paths abandoned", all SUM,
        meaning "Firms that gave up their technology path in the period.";
    firms_on_dead_ends: Option<f64>, Number, share true, axis SHARE,
        unit "share of explorers (0–1)", title "Exploring firms on dead-end paths", label "Explorers on dead ends", all RATIO,
        meaning "Share of exploring firms working on a dead-end path.";
    firms_on_best_path: Option<f64>, Number, share true, axis SHARE,
        unit "share of explorers (0–1)", title "Exploring firms on the most promising path", label "Explorers on the best path", all RATIO,
        meaning "Share of exploring firms working on the path of highest promise (which no agent observes).";
    breakthroughs: u64, Integer, share false, axis ZERO,
        unit "breakthroughs per year", title "Breakthroughs", label "Institute breakthroughs", all SUM,
        meaning "Institute breakthroughs in the period.";
    gain_introduction: Option<f64>, Number, share false, axis ZERO,
        unit "gain per year (initial frontier = 1)", title "Productivity gain from new equipment", label "Gain from foreign equipment", all RATIO,
        meaning "Productivity gained from introduced foreign equipment, `Σ Δa K / Σ K`.";
    gain_absorption: Option<f64>, Number, share false, axis ZERO,
        unit "gain per year (initial frontier = 1)", title "Productivity gain from absorption", label "Gain from absorption", all RATIO,
        meaning "Productivity gained from absorption, `Σ Δa K / Σ K`.";
    gain_innovation: Option<f64>, Number, share false, axis ZERO,
        unit "gain per year (initial frontier = 1)", title "Productivity gain from innovation", label "Gain from innovation", all RATIO,
        meaning "Productivity gained from innovation, `Σ Δa K / Σ K`.";
    gain_transfer: Option<f64>, Number, share false, axis ZERO,
        unit "gain per year (initial frontier = 1)", title "Productivity gain from transfers", label "Gain from transfers", all RATIO,
        meaning "Productivity gained from transfers, `Σ Δa K / Σ K`.";
    rd_spending: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "R&D spending", label "R&D spending", all SUM,
        meaning "Firms' R&D spending, own and subsidised (ODD 7.11).";
    rd_subsidy_spending: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "R&D subsidies", label "R&D subsidy spending", all SUM,
        meaning "The government's match on firms' R&D.";
    production_subsidy_spending: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "Production subsidies", label "Production subsidy spending", all SUM,
        meaning "Production subsidies paid.";
    subsidy_spending: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "Subsidies", label "Subsidy spending", all SUM,
        meaning "R&D and production subsidies.";
    bailout_spending: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "Bailout spending", label "Bailout spending", all SUM,
        meaning "Money spent rescuing SOEs.";
    institute_spending: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "Research institute spending", label "Institute spending", all SUM,
        meaning "Funding of research institutes.";
    tariff_revenue: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "Tariff revenue", label "Tariff revenue", all SUM,
        meaning "Tariffs collected on imports.";
    fiscal_cost: f64, Number, share false, axis ZERO,
        unit "money per year (initial wage = 1)", title "Fiscal cost (subsidies + bailouts + institutes − tariff revenue)", label "Fiscal cost", all SUM,
        meaning "Net cost to the government: subsidies, bailouts and institutes less tariff revenue.";
    investment: f64, Number, share false, axis ZERO,
        unit "capacity ordered per year", title "Investment (capacity ordered)", label "Investment", all SUM,
        meaning "Capacity ordered in the period.";
    profit_rate: Option<f64>, Number, share false, axis ZERO,
        unit "profit / capital value", title "Profit rate", label "Profit rate", all RATIO,
        meaning "Profits over the value of capital, `Σ π / Σ P_K K`.";
    hhi: Option<f64>, Number, share true, axis SHARE,
        unit "HHI (0–1)", title "Concentration (Herfindahl index)", label "Concentration (HHI)", all RATIO,
        meaning "Herfindahl index of output, `Σ q² / (Σ q)²`.";
    mean_price: Option<f64>, Number, share false, axis ZERO,
        unit "price (initial wage = 1)", title "Mean price", label "Mean price", all EMPTY,
        meaning "The price buyers compare against: domestic firms' prices and the import price (tariff included), weighted by market share.";
    import_price: Option<f64>, Number, share false, axis ZERO,
        unit "price (initial wage = 1)", title "Import price", label "Import price", all EMPTY,
        meaning "Price of imports, tariff included.";
    institute_knowledge: Option<f64>, Number, share false, axis ZERO,
        unit "knowledge / frontier", title "Institute knowledge relative to the frontier", label "Institute knowledge / frontier", all EMPTY,
        meaning "Mean knowledge of the sector's research institutes relative to the frontier, `k̄ / F*`.";
    institute_staff: Option<f64>, Number, share false, axis ZERO,
        unit "staff (initial = 1)", title "Institute staff", label "Institute staff", all EMPTY,
        meaning "Mean staff of the sector's research institutes, relative to their initial staff (1).";
    tariff: Option<f64>, Number, share false, axis ZERO,
        unit "tariff rate", title "Tariff", label "Tariff in force", all EMPTY,
        meaning "The tariff in force in the sector.";
    consortium: Option<u8>, Integer, share true, axis SHARE,
        unit "consortium on (1) or off (0)", title "Consortium", label "Consortium on", all EMPTY,
        meaning "Whether a consortium is in force in the sector (1) or not (0).";
}

/// One column of `firms.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirmColumn {
    pub name: &'static str,
    pub kind: Kind,
    pub unit: &'static str,
    pub meaning: &'static str,
}

const fn firm(
    name: &'static str,
    kind: Kind,
    unit: &'static str,
    meaning: &'static str,
) -> FirmColumn {
    FirmColumn {
        name,
        kind,
        unit,
        meaning,
    }
}

/// Every column of `firms.csv`, in file order (the fields of [`super::FirmRow`]; a test
/// holds them equal). No cell is ever empty.
pub const FIRM_COLUMNS: &[FirmColumn] = &[
    firm(
        "period",
        Kind::Integer,
        "period",
        "The period at whose end the firm is recorded.",
    ),
    firm("sector", Kind::Text, "", "The firm's sector."),
    firm(
        "id",
        Kind::Integer,
        "",
        "The firm's number, unique within its sector (a dead firm's is never reused).",
    ),
    firm(
        "ownership",
        Kind::Text,
        "",
        "`private` or `soe` (state-owned enterprise).",
    ),
    firm(
        "age",
        Kind::Integer,
        "periods",
        "Periods since the firm was founded.",
    ),
    firm(
        "productivity",
        Kind::Number,
        "productivity (initial frontier = 1)",
        "Labour productivity of the firm's technology, `a`.",
    ),
    firm(
        "capacity",
        Kind::Number,
        "capacity (output per year)",
        "Productive capacity, `K`.",
    ),
    firm(
        "output",
        Kind::Number,
        "output per year",
        "Output in the period, `q`.",
    ),
    firm(
        "net_worth",
        Kind::Number,
        "money (initial wage = 1)",
        "Net worth, `W` (negative for an SOE kept alive by soft credit).",
    ),
    firm(
        "debt",
        Kind::Number,
        "money (initial wage = 1)",
        "Debt, `B`.",
    ),
    firm(
        "market_share",
        Kind::Number,
        "share of demand (0–1)",
        "The firm's share of the sector's demand, `f`.",
    ),
    firm(
        "paradigm",
        Kind::Integer,
        "paradigm number",
        "The paradigm of the firm's technology (its vintage `v`; 0 until the first shift).",
    ),
];

/// The catalogue entry of a column, by name.
pub fn column(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

impl SeriesRow {
    /// The row's cells in file order, typed by [`COLUMNS`], for a Parquet table.
    pub fn cells(&self) -> Vec<Cell<'_>> {
        COLUMNS
            .iter()
            .map(|c| match c.name {
                "sector" => Cell::Text(&self.sector),
                "regime" => Cell::Text(&self.regime),
                name => match (self.value(name).flatten(), c.kind) {
                    (None, _) => Cell::Empty,
                    // Counts and numbers of at most 2^16: exact in the f64 `value` gives.
                    (Some(v), Kind::Integer) => Cell::Int(v as i64),
                    (Some(v), _) => Cell::Float(v),
                },
            })
            .collect()
    }
}

/// The typed columns of `series`, from [`COLUMNS`].
pub fn series_columns() -> Vec<ColumnSpec> {
    COLUMNS
        .iter()
        .map(|c| ColumnSpec::new(c.name, c.kind, c.may_be_empty))
        .collect()
}

/// The typed columns of `firms`, from [`FIRM_COLUMNS`] (never empty).
pub fn firm_columns() -> Vec<ColumnSpec> {
    FIRM_COLUMNS
        .iter()
        .map(|c| ColumnSpec::new(c.name, c.kind, false))
        .collect()
}

/// The codebook entries of `series.csv`, from [`COLUMNS`].
pub fn series_codebook() -> Vec<Entry> {
    COLUMNS
        .iter()
        .map(|c| {
            let entry = Entry::new(c.name, c.kind.as_str(), c.unit, c.meaning);
            match (c.may_be_empty, c.all == EMPTY) {
                (false, _) => entry,
                (true, true) => entry.empty_when(
                    "in the rows of the whole economy (`sector` = `all`), where it is not defined",
                ),
                (true, false) => entry.empty_when(
                    "where undefined: its denominator is zero (no output, capacity, demand or exploring firms)",
                ),
            }
        })
        .collect()
}

/// The codebook entries of `firms.csv`, from [`FIRM_COLUMNS`].
pub fn firms_codebook() -> Vec<Entry> {
    FIRM_COLUMNS
        .iter()
        .map(|c| Entry::new(c.name, c.kind.as_str(), c.unit, c.meaning))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_lists_the_file_columns_in_order() {
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        let mut numeric = names.clone();
        numeric.retain(|n| !matches!(*n, "sector" | "regime"));
        assert_eq!(numeric, SeriesRow::NUMERIC_COLUMNS);
        assert_eq!(&names[..3], ["period", "sector", "regime"]);
        for c in COLUMNS.iter() {
            assert_eq!(c.share, c.axis_includes == SHARE, "{}", c.name);
        }
    }
}
