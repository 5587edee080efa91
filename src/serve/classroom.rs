//! What the classroom page may ask for: the levers it shows, with the slider bounds
//! used in class, and the limits that keep each request small.
//!
//! Slider bounds lie inside the ranges `scenario::validate` accepts (a unit test checks
//! it) but are narrower: a tariff of 10 is a valid scenario and a useless slider. A
//! request may still send any value the validator accepts; the bounds only shape the
//! page.

use std::sync::LazyLock;
use std::time::Duration;

use serde::Serialize;

use crate::scenario::keys::{KeyInfo, Kind, Slider};

/// Most firms a classroom run may start with. At about 90 bytes of state per firm a
/// run stays below a few megabytes, and a period takes well under a millisecond.
pub const MAX_FIRMS: u64 = 20_000;
/// Most periods a classroom run may have.
pub const MAX_PERIODS: u32 = 500;
/// Most sectors: each adds a line to every chart and a row per period to each answer.
pub const MAX_SECTORS: usize = 12;
/// Most research institutes over all sectors (each is a little state and work per period).
pub const MAX_INSTITUTES: u64 = 10_000;
/// Largest request body. A lecture's worth of lever changes fits many times over.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Most firms the firm view is sent in one answer (`firms: true` in a run request);
/// past this, every n-th firm by id is sent. At about 60 bytes a firm the view stays
/// near 120 kB, small enough to ask for at every period while playing; the built-ins
/// (100 to 300 firms a sector) are shown whole.
pub const MAX_FIRM_POINTS: usize = 2_000;
/// Runs simulated at once. Every run is bounded by the limits above, so the memory
/// of the runs is bounded by this many of them. Pages, assets and the catalogue are
/// answered beside them, and reading a body takes no worker, so a slow client never
/// holds one.
pub const WORKERS: usize = 4;
/// Connections open at once. Past this, new ones wait in the system's queue until one
/// closes. Each holds at most one body of [`MAX_BODY_BYTES`] in memory, so bodies
/// take at most 256 MB however many clients come; forty students' browsers, each
/// keeping a few connections, fit well within it.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a client may take to send a request's head, and then its whole body
/// (`catchup serve --read-timeout`). A kept-alive connection that sends no new
/// request within it is closed. A megabyte, the largest body, takes well under a
/// second on any classroom network; the default leaves room for a slow phone link.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The charts each built-in scenario shows first on the page, in order: the series
/// its "Notice" texts speak of (a test reads each text against this list), then
/// others worth watching beside them. Presentation mode shows the first four; every
/// chart's title is a menu of all the columns.
pub const DEFAULT_CHARTS: &[(&str, &[&str])] = &[
    (
        "baseline",
        &[
            "gap",
            "innovations",
            "absorptions",
            "soe_capacity_share",
            "firms_on_dead_ends",
            "capacity",
            "utilization",
            "fiscal_cost",
        ],
    ),
    (
        "catch-up",
        &[
            "gap",
            "gain_introduction",
            "import_share",
            "fiscal_cost",
            "tariff_revenue",
            "soe_capacity_share",
            "soe_output_share",
            "capacity",
        ],
    ),
    (
        "china-reform",
        &[
            "soe_output_share",
            "utilization",
            "productivity_soe",
            "import_share",
            "soe_capacity_share",
            "fiscal_cost",
            "gap",
            "firms_private",
        ],
    ),
    (
        "soe-protection",
        &[
            "capacity",
            "utilization",
            "soe_capacity_share",
            "fiscal_cost",
            "production_subsidy_spending",
            "productivity_soe",
            "bailouts",
            "firms_soe",
            "firms_private",
        ],
    ),
    (
        "research-bridge",
        &[
            "transfers",
            "gap",
            "institute_staff",
            "fiscal_cost",
            "institute_spending",
            "innovations",
            "capacity",
            "productivity_mean",
        ],
    ),
    (
        "trial-and-error",
        &[
            "innovations",
            "paths_abandoned",
            "firms_on_dead_ends",
            "productivity_mean",
            "gap",
            "firms_on_best_path",
            "capacity",
            "fiscal_cost",
        ],
    ),
    (
        "three-regimes",
        &[
            "gap",
            "entries",
            "soe_output_share",
            "innovations",
            "firms_on_dead_ends",
            "capacity",
            "soe_capacity_share",
            "fiscal_cost",
        ],
    ),
    (
        "window-of-opportunity",
        &[
            "old_paradigm_capacity_share",
            "gap",
            "import_share",
            "fiscal_cost",
            "soe_output_share",
            "bailouts",
            "firms_soe",
            "tariff_revenue",
        ],
    ),
    (
        "consortium",
        &[
            "firms_on_dead_ends",
            "firms_on_best_path",
            "innovations",
            "productivity_mean",
            "firms_private",
            "gap",
            "capacity",
            "fiscal_cost",
        ],
    ),
    (
        "patient-funding",
        &[
            "innovations",
            "paths_abandoned",
            "firms_on_dead_ends",
            "firms_on_best_path",
            "productivity_mean",
            "rd_subsidy_spending",
            "gap",
            "fiscal_cost",
        ],
    ),
];

/// The charts of a scenario with no entry in [`DEFAULT_CHARTS`].
pub const GENERAL_CHARTS: &[&str] = &[
    "gap",
    "capacity",
    "utilization",
    "soe_capacity_share",
    "import_share",
    "innovations",
    "fiscal_cost",
    "transfers",
];

/// The charts the page shows first for a built-in scenario.
pub fn default_charts(scenario: &str) -> &'static [&'static str] {
    DEFAULT_CHARTS
        .iter()
        .find(|(name, _)| *name == scenario)
        .map_or(GENERAL_CHARTS, |(_, charts)| charts)
}

/// One lever as the page shows it: its catalogue entry (`scenario::LEVERS`) in the
/// shape the page's JavaScript reads.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LeverDef {
    /// The key in `[policy]`, `[sector.policy]` and schedule `levers`.
    pub key: &'static str,
    /// A short label for the slider.
    pub label: &'static str,
    /// What the lever does.
    pub help: &'static str,
    /// Its unit or scale.
    pub unit: &'static str,
    /// Slider bounds and step (unused for a checkbox).
    pub min: f64,
    pub max: f64,
    pub step: f64,
    /// A whole number (`tolerance`).
    pub integer: bool,
    /// A checkbox rather than a slider (`consortium`).
    pub boolean: bool,
    /// May differ between private firms and SOEs (`[policy.soe]` and the like).
    pub per_ownership: bool,
}

impl LeverDef {
    fn of(info: &'static KeyInfo) -> LeverDef {
        let slider = info.slider.unwrap_or(Slider {
            min: 0.0,
            max: 1.0,
            step: 1.0,
        });
        LeverDef {
            key: info.key,
            label: info.label,
            help: info.meaning,
            unit: info.unit,
            min: slider.min,
            max: slider.max,
            step: slider.step,
            integer: info.kind == Kind::Integer,
            boolean: info.kind == Kind::Boolean,
            per_ownership: info.per_ownership,
        }
    }
}

/// Every lever of the model, in the order of the lever table.
pub static LEVERS: LazyLock<Vec<LeverDef>> =
    LazyLock::new(|| crate::scenario::LEVERS.iter().map(LeverDef::of).collect());

/// The limits, as the page and the API documentation show them.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Limits {
    pub firms: u64,
    pub periods: u32,
    pub sectors: usize,
    pub institutes: u64,
    pub body_bytes: usize,
}

/// The classroom limits.
pub const LIMITS: Limits = Limits {
    firms: MAX_FIRMS,
    periods: MAX_PERIODS,
    sectors: MAX_SECTORS,
    institutes: MAX_INSTITUTES,
    body_bytes: MAX_BODY_BYTES,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::SeriesRow;
    use crate::scenario::{Policy, Scenario, validate::validate};

    fn with_lever(key: &str, value: f64) -> Scenario {
        let mut policy = serde_json::to_value(Policy::default()).unwrap();
        let integer = LEVERS.iter().any(|l| l.key == key && l.integer);
        policy[key] = if integer {
            serde_json::json!(value as u32)
        } else {
            serde_json::json!(value)
        };
        Scenario {
            policy: serde_json::from_value(policy).unwrap(),
            ..Scenario::default()
        }
    }

    #[test]
    fn slider_bounds_lie_inside_the_validated_ranges() {
        for lever in LEVERS.iter().filter(|l| !l.boolean) {
            for v in [lever.min, lever.max] {
                let problems = validate(&with_lever(lever.key, v));
                assert!(problems.is_empty(), "{} = {v}: {problems:?}", lever.key);
            }
            assert!(lever.min < lever.max && lever.step > 0.0, "{}", lever.key);
        }
    }

    #[test]
    fn every_classroom_builtin_has_its_charts_and_they_are_columns() {
        let builtins: Vec<&str> = crate::serve::api::classroom_builtins()
            .iter()
            .map(|b| b.name)
            .collect();
        for name in &builtins {
            assert!(
                DEFAULT_CHARTS.iter().any(|(n, _)| n == name),
                "{name} has no default charts"
            );
        }
        for (name, charts) in DEFAULT_CHARTS.iter().chain([&("general", GENERAL_CHARTS)]) {
            assert!(*name == "general" || builtins.contains(name), "{name}");
            assert!(
                (4..=9).contains(&charts.len()),
                "{name}: {} charts",
                charts.len()
            );
            for (i, c) in charts.iter().enumerate() {
                assert!(
                    SeriesRow::NUMERIC_COLUMNS.contains(c),
                    "{name}: `{c}` is no column"
                );
                assert!(!charts[..i].contains(c), "{name}: `{c}` twice");
            }
        }
    }

    /// What a Notice text says, and the series it speaks of: the phrases of the
    /// built-ins' texts that name a series, each with its column.
    const SPOKEN_OF: &[(&str, &str)] = &[
        ("gap", "gap"),
        ("innovat", "innovations"),
        ("absorptions", "absorptions"),
        ("dead end", "firms_on_dead_ends"),
        ("dead-end", "firms_on_dead_ends"),
        ("best path", "firms_on_best_path"),
        ("most promising path", "firms_on_best_path"),
        ("share of capacity", "soe_capacity_share"),
        ("share of its capacity", "soe_capacity_share"),
        ("share of output", "soe_output_share"),
        ("capacity and output", "soe_output_share"),
        ("gain from foreign equipment", "gain_introduction"),
        ("import", "import_share"),
        ("tariff revenue", "tariff_revenue"),
        ("fiscal cost", "fiscal_cost"),
        ("utilisation", "utilization"),
        ("more capacity", "capacity"),
        ("old paradigm", "old_paradigm_capacity_share"),
        ("old capacity", "old_paradigm_capacity_share"),
        ("soe productivity", "productivity_soe"),
        ("productivity of soes", "productivity_soe"),
        ("mean productivity", "productivity_mean"),
        ("productivity in the", "productivity_mean"),
        ("(productivity", "productivity_mean"),
        ("rescue", "bailouts"),
        ("bailout", "bailouts"),
        ("are closed", "firms_soe"),
        ("squeezed out", "firms_private"),
        ("shake-out", "firms_private"),
        ("transfers", "transfers"),
        ("institute staff", "institute_staff"),
        ("abandon", "paths_abandoned"),
        ("entries", "entries"),
        ("r&d grants", "rd_subsidy_spending"),
        ("production subsidy", "production_subsidy_spending"),
    ];

    #[test]
    fn each_notice_speaks_only_of_series_its_scenario_charts() {
        for b in crate::serve::api::classroom_builtins() {
            let scenario = crate::scenario::parse_scenario(b.text, b.name, &[]).unwrap();
            let charts = default_charts(b.name);
            for text in &scenario.notice {
                let lower = text.to_lowercase();
                let spoken: Vec<&str> = SPOKEN_OF
                    .iter()
                    .filter(|(phrase, _)| lower.contains(phrase))
                    .map(|(_, column)| *column)
                    .collect();
                assert!(
                    !spoken.is_empty() || lower.contains("nobody sees"),
                    "{}: no series found in {text:?}: add its phrase to SPOKEN_OF",
                    b.name
                );
                for column in spoken {
                    assert!(
                        charts.contains(&column),
                        "{}: a Notice text speaks of `{column}`, which its default charts \
                         {charts:?} do not show: {text:?}",
                        b.name
                    );
                }
                // A column named in backquotes is a series too (a sector may share
                // a column's name: `consortium`).
                for quoted in text.split('`').skip(1).step_by(2) {
                    let sector = scenario.sector.iter().any(|s| s.name == quoted);
                    if !sector && SeriesRow::NUMERIC_COLUMNS.contains(&quoted) {
                        assert!(
                            charts.contains(&quoted),
                            "{}: `{quoted}` in {text:?}",
                            b.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_defaults_sit_on_the_sliders() {
        let policy = serde_json::to_value(Policy::default()).unwrap();
        for lever in LEVERS.iter().filter(|l| !l.boolean) {
            let v = policy[lever.key].as_f64().unwrap();
            assert!(lever.min <= v && v <= lever.max, "{} = {v}", lever.key);
        }
    }
}
