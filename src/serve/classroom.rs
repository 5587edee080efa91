//! What the classroom page may ask for: the levers it shows, with the slider bounds
//! used in class, and the limits that keep each request small.
//!
//! Slider bounds lie inside the ranges `scenario::validate` accepts (a unit test checks
//! it) but are narrower: a tariff of 10 is a valid scenario and a useless slider. A
//! request may still send any value the validator accepts; the bounds only shape the
//! page.

use serde::Serialize;

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
/// Requests served at once. Every request is bounded by the limits above, so the
/// server's memory is bounded by this many of them.
pub const WORKERS: usize = 4;

/// One lever as the page shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LeverDef {
    /// The key in `[policy]`, `[sector.policy]` and schedule `levers`.
    pub key: &'static str,
    /// A short label for the slider.
    pub label: &'static str,
    /// What the lever does, in a sentence.
    pub help: &'static str,
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

const fn slider(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    min: f64,
    max: f64,
    step: f64,
    per_ownership: bool,
) -> LeverDef {
    LeverDef {
        key,
        label,
        help,
        min,
        max,
        step,
        integer: false,
        boolean: false,
        per_ownership,
    }
}

/// Every lever of the model, in the order the page lists them.
pub const LEVERS: &[LeverDef] = &[
    slider(
        "tariff",
        "Tariff",
        "Ad valorem tariff on imports (0.3 = 30%).",
        0.0,
        1.0,
        0.01,
        false,
    ),
    slider(
        "rd_subsidy",
        "R&D subsidy",
        "Government match on firms' own R&D (0.5 adds half again to the budget).",
        0.0,
        2.0,
        0.05,
        true,
    ),
    slider(
        "production_subsidy",
        "Production subsidy",
        "Subsidy per unit of revenue (0.1 = 10% of sales).",
        0.0,
        0.5,
        0.01,
        true,
    ),
    slider(
        "entry_barrier",
        "Entry barrier",
        "Share of would-be entrants kept out.",
        0.0,
        1.0,
        0.05,
        false,
    ),
    slider(
        "soe_preference",
        "SOE preference",
        "Procurement preference: the discount on SOE prices when buyers compare suppliers.",
        0.0,
        0.5,
        0.01,
        false,
    ),
    slider(
        "soe_credit",
        "SOE soft credit",
        "Debt SOEs may take on beyond what their net worth supports, per unit of capital value.",
        0.0,
        5.0,
        0.1,
        false,
    ),
    slider(
        "bailout",
        "Bailout",
        "Probability that an SOE with negative net worth is rescued.",
        0.0,
        1.0,
        0.05,
        false,
    ),
    LeverDef {
        key: "tolerance",
        label: "Tolerance of failure",
        help: "Failures in a row before a firm abandons its technology path.",
        min: 1.0,
        max: 40.0,
        step: 1.0,
        integer: true,
        boolean: false,
        per_ownership: true,
    },
    LeverDef {
        key: "rd_patience",
        label: "Patience of R&D funding",
        help: "Failures in a row after which the government ends a funded research project and the firm must try another path; 0 leaves it to the firm.",
        min: 0.0,
        max: 40.0,
        step: 1.0,
        integer: true,
        boolean: false,
        per_ownership: false,
    },
    slider(
        "bridge",
        "Research bridge",
        "How readily firms take up the results of research institutes.",
        0.0,
        1.0,
        0.05,
        false,
    ),
    slider(
        "researcher_incentive",
        "Researcher incentive",
        "Researchers' share in the value of the results they transfer.",
        0.0,
        1.0,
        0.05,
        false,
    ),
    LeverDef {
        key: "consortium",
        label: "Consortium",
        help: "Parallel verification of technology paths with shared learning.",
        min: 0.0,
        max: 1.0,
        step: 1.0,
        integer: false,
        boolean: true,
        per_ownership: false,
    },
];

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
    fn every_lever_of_the_schema_has_a_slider_and_no_other() {
        let policy = serde_json::to_value(Policy::default()).unwrap();
        let mut schema: Vec<&str> = policy
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !matches!(*k, "private" | "soe"))
            .collect();
        let mut page: Vec<&str> = LEVERS.iter().map(|l| l.key).collect();
        schema.sort_unstable();
        page.sort_unstable();
        assert_eq!(schema, page);
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
