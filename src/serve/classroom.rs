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
    fn the_defaults_sit_on_the_sliders() {
        let policy = serde_json::to_value(Policy::default()).unwrap();
        for lever in LEVERS.iter().filter(|l| !l.boolean) {
            let v = policy[lever.key].as_f64().unwrap();
            assert!(lever.min <= v && v <= lever.max, "{} = {v}", lever.key);
        }
    }
}
