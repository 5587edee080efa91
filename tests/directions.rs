//! Tests that pin the economics: for every lever, moving it one way moves the series it
//! acts on the way the model's mechanism says, over paired replicates (the same seeds
//! in both arms, so that the arms differ only in the lever). Each test would fail if
//! the lever's effect were dropped or its sign flipped.

use catchup::claims::{Run, SectorRun, replicate_seed};
use catchup::scenario::{Edit, parse_scenario};
use catchup::sweep::analysis::mean_ci;

/// A small economy: a catch-up and a leading sector, each with SOEs and institutes.
const BASE: &str = r#"version = 1
name = "directions"
periods = 40

[[sector]]
name = "cu"
regime = "catch-up"
firms_private = 40
firms_soe = 10
institutes = 3

[[sector]]
name = "lead"
regime = "leading"
firms_private = 40
firms_soe = 10
institutes = 3
shift_probability = 0.0
"#;

const REPLICATES: usize = 8;

/// The paired differences `high - low` of `stat` over the replicates.
fn paired(low: &[&str], high: &[&str], stat: impl Fn(&Run) -> f64) -> Vec<f64> {
    (0..REPLICATES)
        .map(|r| {
            let run = |sets: &[&str]| {
                let mut edits = Edit::parse_all(sets).unwrap();
                edits.push(Edit::seed(replicate_seed(17, r)));
                Run::simulate(&parse_scenario(BASE, "directions", &edits).unwrap())
            };
            stat(&run(high)) - stat(&run(low))
        })
        .collect()
}

/// Asserts that raising the lever from `low` to `high` raises (`up`) or lowers the
/// statistic: the 95% interval of the mean paired difference lies on that side of 0.
#[track_caller]
fn moves(what: &str, low: &[&str], high: &[&str], up: bool, stat: impl Fn(&Run) -> f64) {
    let d = paired(low, high, stat);
    let ci = mean_ci(&d);
    let ok = if up { ci.low > 0.0 } else { ci.high < 0.0 };
    assert!(
        ok,
        "{what}: expected it to go {}, got {ci:?} from {d:?}",
        if up { "up" } else { "down" }
    );
}

fn total(s: &SectorRun, column: &str) -> f64 {
    s.sum(column, 1, s.periods())
}

fn mean(s: &SectorRun, column: &str) -> f64 {
    s.mean(column, 1, s.periods())
}

#[test]
fn a_higher_entry_barrier_lowers_entry() {
    moves(
        "entries",
        &["policy.entry_barrier=0"],
        &["policy.entry_barrier=0.8"],
        false,
        |r| total(r.sector("cu"), "entries") + total(r.sector("lead"), "entries"),
    );
}

#[test]
fn a_stronger_bridge_raises_transfers() {
    moves(
        "transfers",
        &["policy.bridge=0.05"],
        &["policy.bridge=0.8"],
        true,
        |r| total(r.sector("cu"), "transfers"),
    );
}

#[test]
fn a_higher_researcher_incentive_raises_transfers_and_institute_staff() {
    let (low, high) = (
        ["policy.researcher_incentive=0.05"],
        ["policy.researcher_incentive=0.8"],
    );
    moves("transfers", &low, &high, true, |r| {
        total(r.sector("cu"), "transfers")
    });
    moves("staff", &low, &high, true, |r| {
        r.sector("cu").last("institute_staff")
    });
}

#[test]
fn a_higher_tariff_lowers_the_import_share() {
    moves(
        "imports",
        &["policy.tariff=0"],
        &["policy.tariff=1"],
        false,
        |r| r.sector("cu").mean("import_share", 1, 10),
    );
}

#[test]
fn without_rescue_more_soes_exit() {
    moves(
        "SOEs left",
        &["policy.bailout=1"],
        &["policy.bailout=0"],
        false,
        |r| r.sector("cu").last("firms_soe") + r.sector("lead").last("firms_soe"),
    );
}

#[test]
fn an_rd_subsidy_costs_money_and_raises_innovation() {
    let (low, high) = (["policy.rd_subsidy=0"], ["policy.rd_subsidy=2"]);
    moves("spending", &low, &high, true, |r| {
        total(r.sector("lead"), "rd_subsidy_spending")
    });
    moves("innovations", &low, &high, true, |r| {
        total(r.sector("lead"), "innovations")
    });
}

#[test]
fn a_production_subsidy_for_soes_costs_money_and_cuts_their_rescues() {
    // The subsidy is not passed on in prices: it adds to SOEs' profits, so fewer of
    // them need rescuing.
    let (low, high) = (
        ["policy.soe.production_subsidy=0"],
        ["policy.soe.production_subsidy=0.3"],
    );
    moves("spending", &low, &high, true, |r| {
        mean(r.sector("cu"), "production_subsidy_spending")
    });
    moves("bailouts", &low, &high, false, |r| {
        total(r.sector("cu"), "bailouts") + total(r.sector("lead"), "bailouts")
    });
}

#[test]
fn procurement_preference_raises_the_soe_share() {
    moves(
        "SOE capacity share",
        &["policy.soe_preference=0"],
        &["policy.soe_preference=0.3"],
        true,
        |r| r.sector("cu").mean("soe_capacity_share", 11, 40),
    );
}

#[test]
fn the_soe_expansion_drive_lowers_utilisation() {
    // With a procurement preference, so that SOEs hold enough of the market to matter.
    // Soft credit matters only where SOEs cannot fund the drive from their own profits
    // (the unit test `an_soe_plans_capacity_beyond_demand_by_its_drive`); here they can.
    let preferred = "policy.soe_preference=0.25";
    moves(
        "utilisation",
        &[preferred, "model.soe_expansion_drive=0"],
        &[preferred, "model.soe_expansion_drive=0.5"],
        false,
        |r| r.sector("cu").mean("utilization", 11, 40),
    );
}

#[test]
fn a_higher_tolerance_abandons_fewer_paths() {
    moves(
        "abandoned",
        &["policy.tolerance=1"],
        &["policy.tolerance=20"],
        false,
        |r| total(r.sector("lead"), "paths_abandoned"),
    );
}

#[test]
fn an_impatient_funder_makes_firms_abandon_more_paths() {
    moves(
        "abandoned",
        &["policy.rd_patience=0"],
        &["policy.rd_patience=1"],
        true,
        |r| total(r.sector("lead"), "paths_abandoned"),
    );
}

#[test]
fn a_consortium_keeps_explorers_off_dead_ends() {
    moves(
        "dead ends",
        &["policy.consortium=false"],
        &["policy.consortium=true"],
        false,
        |r| mean(r.sector("lead"), "firms_on_dead_ends"),
    );
}

#[test]
fn redundant_labour_lowers_soe_labour_productivity() {
    let drive = "model.soe_expansion_drive=0.5";
    moves(
        "SOE productivity",
        &[drive, "model.soe_employment_floor=0"],
        &[drive, "model.soe_employment_floor=0.9"],
        false,
        |r| r.sector("cu").mean("productivity_soe", 11, 40).ln(),
    );
}
