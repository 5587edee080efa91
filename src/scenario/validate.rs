//! Range and consistency checks on a deserialized scenario.
//!
//! Types and key names were checked by deserialization; here every value is checked
//! against its documented range (`docs/scenario-reference.md`) and the parts against
//! each other (schedule entries name existing sectors, snapshots fall inside the run).

use std::collections::HashSet;

use super::error::{KeyPath, MAX_REPORTED, Problem, listing, near_miss, number};
use super::regime::Structure;
use super::schema::{
    LeverOverrides, ModelParams, OwnershipLevers, Policy, SCENARIO_VERSION, Scenario,
};

/// Largest number of firms a run may start with: about 25 GiB of state, the most a
/// large server would sensibly give one run.
pub const MAX_FIRMS: u64 = 100_000_000;
/// Largest seed: the largest integer a TOML file can hold.
pub const MAX_SEED: u64 = i64::MAX as u64;
/// Largest number of periods of a run.
pub const MAX_PERIODS: u32 = 100_000;
/// Longest scenario or sector name, in characters (a scenario's name is a folder name).
pub const MAX_NAME: usize = 100;

/// The problems of a scenario: the first [`MAX_REPORTED`], and how many in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub total: usize,
}

struct Checker {
    problems: Vec<Problem>,
    total: usize,
}

impl Checker {
    /// Records a problem; past [`MAX_REPORTED`] it is only counted.
    fn push(&mut self, p: Problem) {
        self.total += 1;
        if self.problems.len() < MAX_REPORTED {
            self.problems.push(p);
        }
    }
    /// Whether further problems are only counted (so need no message).
    fn full(&self) -> bool {
        self.problems.len() >= MAX_REPORTED
    }
    fn range(&mut self, path: &KeyPath, key: &str, v: f64, lo: f64, hi: f64) {
        if !v.is_finite() || v < lo || v > hi {
            self.push(Problem::new(
                path.clone().key(key),
                format!(
                    "expected a number from {} to {}, found {}",
                    number(lo),
                    number(hi),
                    number(v)
                ),
            ));
        }
    }
    fn above(&mut self, path: &KeyPath, key: &str, v: f64, lo: f64) {
        if !v.is_finite() || v <= lo {
            self.push(Problem::new(
                path.clone().key(key),
                format!(
                    "expected a finite number above {}, found {}",
                    number(lo),
                    number(v)
                ),
            ));
        }
    }
    fn int_range(&mut self, path: &KeyPath, key: &str, v: u64, lo: u64, hi: u64) {
        if v < lo || v > hi {
            self.push(Problem::new(
                path.clone().key(key),
                format!("expected an integer from {lo} to {hi}, found {v}"),
            ));
        }
    }
    fn fail(&mut self, path: KeyPath, message: impl Into<String>) {
        self.push(Problem::new(path, message));
    }
}

/// The first [`MAX_REPORTED`] problems of the scenario; empty when it is valid.
pub fn validate(s: &Scenario) -> Vec<Problem> {
    check(s).problems
}

/// The first [`MAX_REPORTED`] problems of the scenario and their total number. Each
/// check is linear in the size of the scenario.
pub fn check(s: &Scenario) -> Report {
    let mut c = Checker {
        problems: Vec::new(),
        total: 0,
    };
    let root = KeyPath::root();
    if s.version != SCENARIO_VERSION {
        c.fail(
            root.clone().key("version"),
            format!(
                "expected version = {SCENARIO_VERSION} (the format this build reads), found {}",
                s.version
            ),
        );
    }
    if s.name.chars().count() > MAX_NAME {
        c.fail(
            root.clone().key("name"),
            format!(
                "expected a name of at most {MAX_NAME} characters (it names the output folder), found {}",
                s.name.chars().count()
            ),
        );
    } else if s.name.is_empty()
        || !s
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        || s.name.starts_with('.')
    {
        c.fail(
            root.clone().key("name"),
            format!(
                "expected a name of letters, digits, '-', '_' or '.' (it names the output folder), found {:?}",
                s.name
            ),
        );
    }
    c.int_range(&root, "periods", s.periods.into(), 1, MAX_PERIODS.into());
    // TOML integers are signed 64-bit: a larger seed could not be saved with the run.
    c.int_range(&root, "seed", s.seed, 0, MAX_SEED);
    for (i, &p) in s.firm_snapshots.iter().enumerate() {
        if p < 1 || p > s.periods {
            c.fail(
                root.clone().key("firm_snapshots").index(i),
                format!(
                    "expected a period from 1 to periods = {}, found {p}",
                    s.periods
                ),
            );
        }
    }
    check_model(&mut c, &root.clone().key("model"), &s.model);
    check_policy(&mut c, &root.clone().key("policy"), &s.policy);
    check_sectors(&mut c, s);
    check_schedule(&mut c, s);
    Report {
        problems: c.problems,
        total: c.total,
    }
}

fn check_model(c: &mut Checker, p: &KeyPath, m: &ModelParams) {
    c.range(p, "rd_share", m.rd_share, 0.0, 1.0);
    c.range(p, "rd_size_elasticity", m.rd_size_elasticity, 0.0, 1.0);
    c.range(p, "zeta_imitation", m.zeta_imitation, 0.0, 100.0);
    c.range(p, "zeta_innovation", m.zeta_innovation, 0.0, 100.0);
    c.range(p, "absorption_step", m.absorption_step, 0.0, 1.0);
    c.range(p, "absorb_private", m.absorb_private, 0.0, 1.0);
    c.range(p, "absorb_soe", m.absorb_soe, 0.0, 1.0);
    c.above(p, "rd_stock_half", m.rd_stock_half, 0.0);
    c.range(p, "rd_stock_decay", m.rd_stock_decay, 0.0, 1.0);
    c.range(p, "path_learning", m.path_learning, 0.0, 10.0);
    c.int_range(p, "path_learning_cap", m.path_learning_cap.into(), 0, 1000);
    c.range(p, "dead_end_promise", m.dead_end_promise, 0.0, 1.0);
    c.above(p, "innovation_alpha", m.innovation_alpha, 0.0);
    c.above(p, "innovation_beta", m.innovation_beta, 0.0);
    c.range(p, "markup", m.markup, 0.0, 10.0);
    c.range(p, "selection", m.selection, 0.0, 10.0);
    c.above(p, "wage", m.wage, 0.0);
    c.above(p, "research_cost", m.research_cost, 0.0);
    c.range(p, "soe_inefficiency", m.soe_inefficiency, 0.0, 10.0);
    c.range(p, "soe_employment_floor", m.soe_employment_floor, 0.0, 1.0);
    c.range(p, "soe_pass_through", m.soe_pass_through, 0.0, 1.0);
    c.range(p, "interest_rate", m.interest_rate, 0.0, 1.0);
    c.range(p, "depreciation", m.depreciation, 0.0, 1.0);
    c.above(p, "capital_output_ratio", m.capital_output_ratio, 0.0);
    c.range(p, "target_utilization", m.target_utilization, 0.01, 1.0);
    c.range(p, "initial_utilization", m.initial_utilization, 0.01, 1.0);
    c.range(p, "max_investment_rate", m.max_investment_rate, 0.0, 10.0);
    c.range(p, "leverage", m.leverage, 0.0, 100.0);
    c.range(p, "payout_ratio", m.payout_ratio, 0.0, 1.0);
    c.range(p, "equity_ratio", m.equity_ratio, 0.0, 1.0);
    c.range(p, "soe_expansion_drive", m.soe_expansion_drive, 0.0, 10.0);
    c.above(p, "soe_size", m.soe_size, 0.0);
    c.range(p, "bailout_cushion", m.bailout_cushion, 0.0, 10.0);
    c.range(p, "exit_share", m.exit_share, 0.0, 1.0);
    c.range(p, "entry_rate", m.entry_rate, 0.0, 1.0);
    c.range(p, "entry_sensitivity", m.entry_sensitivity, 0.0, 100.0);
    c.above(p, "entrant_size", m.entrant_size, 0.0);
    c.above(p, "entrant_alpha", m.entrant_alpha, 0.0);
    c.above(p, "entrant_beta", m.entrant_beta, 0.0);
    c.range(p, "entrant_low", m.entrant_low, -0.99, 10.0);
    c.range(p, "entrant_high", m.entrant_high, -0.99, 10.0);
    if m.entrant_low >= m.entrant_high {
        c.fail(
            p.clone().key("entrant_high"),
            format!(
                "expected entrant_high above entrant_low = {}, found {}",
                m.entrant_low, m.entrant_high
            ),
        );
    }
    c.range(p, "transfer_rate", m.transfer_rate, 0.0, 1.0);
    c.range(p, "transfer_step", m.transfer_step, 0.0, 1.0);
    c.range(p, "transfer_effort", m.transfer_effort, 0.0, 100.0);
    c.range(p, "institute_learning", m.institute_learning, 0.0, 1.0);
    c.range(p, "spinoff_rate", m.spinoff_rate, 0.0, 1.0);
    c.range(p, "staff_drift", m.staff_drift, 0.0, 1.0);
    c.range(p, "institute_cost", m.institute_cost, 0.0, 1.0);
    c.range(p, "paradigm_drop", m.paradigm_drop, 0.01, 1.0);
    c.range(
        p,
        "paradigm_growth_boost",
        m.paradigm_growth_boost,
        0.0,
        100.0,
    );
    c.int_range(
        p,
        "paradigm_transition",
        m.paradigm_transition.into(),
        1,
        1000,
    );
    c.range(p, "retool_cost", m.retool_cost, 0.0, 100.0);
    c.range(p, "switch_level", m.switch_level, 0.01, 2.0);
    c.range(p, "consortium_follow", m.consortium_follow, 0.0, 1.0);
    c.int_range(
        p,
        "consortium_evidence",
        m.consortium_evidence.into(),
        1,
        1_000_000,
    );
}

/// Ranges of the levers; shared by the economy, the sectors and the schedule.
fn check_lever(c: &mut Checker, p: &KeyPath, key: &str, v: f64) {
    match key {
        "rd_subsidy" => c.range(p, key, v, 0.0, 5.0),
        "production_subsidy" => c.range(p, key, v, 0.0, 0.9),
        "tariff" => c.range(p, key, v, 0.0, 10.0),
        "soe_preference" => c.range(p, key, v, 0.0, 0.9),
        "soe_credit" => c.range(p, key, v, 0.0, 10.0),
        // entry_barrier, bailout, bridge, researcher_incentive are shares.
        _ => c.range(p, key, v, 0.0, 1.0),
    }
}

fn check_tolerance(c: &mut Checker, p: &KeyPath, v: u32) {
    c.int_range(p, "tolerance", v.into(), 1, 10_000);
}

fn check_patience(c: &mut Checker, p: &KeyPath, v: u32) {
    c.int_range(p, "rd_patience", v.into(), 0, 10_000);
}

fn check_ownership(c: &mut Checker, p: &KeyPath, o: &OwnershipLevers) {
    if let Some(v) = o.rd_subsidy {
        check_lever(c, p, "rd_subsidy", v);
    }
    if let Some(v) = o.production_subsidy {
        check_lever(c, p, "production_subsidy", v);
    }
    if let Some(v) = o.tolerance {
        check_tolerance(c, p, v);
    }
}

fn check_policy(c: &mut Checker, p: &KeyPath, pol: &Policy) {
    check_lever(c, p, "rd_subsidy", pol.rd_subsidy);
    check_lever(c, p, "production_subsidy", pol.production_subsidy);
    check_lever(c, p, "tariff", pol.tariff);
    check_lever(c, p, "entry_barrier", pol.entry_barrier);
    check_lever(c, p, "soe_preference", pol.soe_preference);
    check_lever(c, p, "soe_credit", pol.soe_credit);
    check_lever(c, p, "bailout", pol.bailout);
    check_tolerance(c, p, pol.tolerance);
    check_patience(c, p, pol.rd_patience);
    check_lever(c, p, "bridge", pol.bridge);
    check_lever(c, p, "researcher_incentive", pol.researcher_incentive);
    check_ownership(c, &p.clone().key("private"), &pol.private);
    check_ownership(c, &p.clone().key("soe"), &pol.soe);
}

fn check_overrides(c: &mut Checker, p: &KeyPath, o: &LeverOverrides) {
    let pairs = [
        ("rd_subsidy", o.rd_subsidy),
        ("production_subsidy", o.production_subsidy),
        ("tariff", o.tariff),
        ("entry_barrier", o.entry_barrier),
        ("soe_preference", o.soe_preference),
        ("soe_credit", o.soe_credit),
        ("bailout", o.bailout),
        ("bridge", o.bridge),
        ("researcher_incentive", o.researcher_incentive),
    ];
    for (key, v) in pairs {
        if let Some(v) = v {
            check_lever(c, p, key, v);
        }
    }
    if let Some(t) = o.tolerance {
        check_tolerance(c, p, t);
    }
    if let Some(v) = o.rd_patience {
        check_patience(c, p, v);
    }
    check_ownership(c, &p.clone().key("private"), &o.private);
    check_ownership(c, &p.clone().key("soe"), &o.soe);
}

fn check_sectors(c: &mut Checker, s: &Scenario) {
    let root = KeyPath::root();
    if s.sector.is_empty() {
        c.fail(
            root.clone().key("sector"),
            "expected at least one [[sector]]",
        );
    }
    let mut total_firms: u64 = 0;
    let mut seen: HashSet<&str> = HashSet::with_capacity(s.sector.len());
    for (i, sec) in s.sector.iter().enumerate() {
        let p = root.clone().key("sector").index(i);
        if sec.name.chars().count() > MAX_NAME {
            c.fail(
                p.clone().key("name"),
                format!(
                    "expected a sector name of at most {MAX_NAME} characters, found {}",
                    sec.name.chars().count()
                ),
            );
        } else if sec.name.is_empty()
            || !sec
                .name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-_".contains(ch))
        {
            c.fail(
                p.clone().key("name"),
                format!(
                    "expected a sector name of letters, digits, '-' or '_', found {:?}",
                    sec.name
                ),
            );
        }
        if sec.name == "all" {
            c.fail(
                p.clone().key("name"),
                "the name `all` is reserved for the whole economy in series.csv",
            );
        }
        if !seen.insert(sec.name.as_str()) {
            c.fail(
                p.clone().key("name"),
                format!("sector names must be unique; `{}` appears twice", sec.name),
            );
        }
        let firms = u64::from(sec.firms_private) + u64::from(sec.firms_soe);
        total_firms += firms;
        if firms == 0 {
            c.fail(
                p.clone().key("firms_private"),
                "expected at least one firm in the sector (firms_private + firms_soe >= 1)",
            );
        }
        c.int_range(&p, "institutes", sec.institutes.into(), 0, 1_000_000);
        c.above(&p, "demand_per_firm", sec.demand_per_firm, 0.0);
        for (j, &t) in sec.paradigm_shifts.iter().enumerate() {
            if t < 1 || t > s.periods {
                c.fail(
                    p.clone().key("paradigm_shifts").index(j),
                    format!(
                        "expected a period from 1 to periods = {}, found {t}",
                        s.periods
                    ),
                );
            }
        }
        let st = Structure::of_sector(sec);
        c.range(
            &p,
            "initial_productivity",
            st.initial_productivity,
            0.01,
            2.0,
        );
        c.range(&p, "exploration_share", st.exploration_share, 0.0, 1.0);
        c.int_range(&p, "paths", st.paths.into(), 1, 1000);
        c.range(&p, "dead_end_share", st.dead_end_share, 0.0, 1.0);
        if dead_paths(st.paths, st.dead_end_share) >= st.paths {
            c.fail(
                p.clone().key("dead_end_share"),
                format!(
                    "with {} paths, dead_end_share = {} leaves no live path; expected fewer dead ends",
                    st.paths, st.dead_end_share
                ),
            );
        }
        c.range(&p, "promise_low", st.promise_low, 0.0, 1.0);
        c.range(&p, "promise_high", st.promise_high, 0.0, 1.0);
        if st.promise_low > st.promise_high {
            c.fail(
                p.clone().key("promise_high"),
                format!(
                    "expected promise_high >= promise_low = {}, found {}",
                    st.promise_low, st.promise_high
                ),
            );
        }
        c.range(&p, "import_price_ratio", st.import_price_ratio, 0.01, 100.0);
        c.range(
            &p,
            "initial_import_share",
            st.initial_import_share,
            0.0,
            0.99,
        );
        c.range(&p, "innovation_low", st.innovation_low, -0.99, 10.0);
        c.range(&p, "innovation_high", st.innovation_high, -0.99, 10.0);
        if st.innovation_low >= st.innovation_high {
            c.fail(
                p.clone().key("innovation_high"),
                format!(
                    "expected innovation_high above innovation_low = {}, found {}",
                    st.innovation_low, st.innovation_high
                ),
            );
        }
        c.range(&p, "shift_probability", st.shift_probability, 0.0, 1.0);
        c.range(&p, "frontier_growth", st.frontier_growth, -0.5, 1.0);
        c.range(&p, "demand_growth", st.demand_growth, -0.5, 1.0);
        c.range(&p, "equipment_level", st.equipment_level, 0.0, 1.0);
        c.range(&p, "institute_knowledge", st.institute_knowledge, 0.01, 2.0);
        check_overrides(c, &p.clone().key("policy"), &sec.policy);
    }
    if total_firms > MAX_FIRMS {
        c.fail(
            root.key("sector"),
            format!("expected at most {MAX_FIRMS} firms in all, found {total_firms}"),
        );
    }
}

/// Number of dead-end paths among `paths` (rounded to the nearest whole path).
pub fn dead_paths(paths: u32, share: f64) -> u32 {
    (f64::from(paths) * share).round() as u32
}

fn check_schedule(c: &mut Checker, s: &Scenario) {
    let names: HashSet<&str> = s.sector.iter().map(|sec| sec.name.as_str()).collect();
    for (i, e) in s.schedule.iter().enumerate() {
        let p = KeyPath::root().key("schedule").index(i);
        if e.period < 1 || e.period > s.periods {
            c.fail(
                p.clone().key("period"),
                format!(
                    "expected a period from 1 to periods = {}, found {}",
                    s.periods, e.period
                ),
            );
        }
        if let Some(name) = &e.sector
            && !names.contains(name.as_str())
        {
            if c.full() {
                // Only counted: naming the sectors and a near miss cost a pass over them.
                c.total += 1;
            } else {
                let mut pr = Problem::new(
                    p.clone().key("sector"),
                    format!(
                        "no sector named `{name}`; the sectors are {}",
                        listing(s.sector.iter().map(|sec| sec.name.as_str()))
                    ),
                );
                pr.suggestion = near_miss(name, s.sector.iter().map(|sec| sec.name.as_str()));
                c.push(pr);
            }
        }
        if e.levers == LeverOverrides::default() {
            c.fail(
                p.clone().key("levers"),
                "expected at least one lever to change",
            );
        }
        check_overrides(c, &p.clone().key("levers"), &e.levers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scenario_is_valid() {
        assert_eq!(validate(&Scenario::default()), vec![]);
    }

    #[test]
    fn a_share_above_one_is_rejected() {
        let mut s = Scenario::default();
        s.policy.bridge = 1.5;
        let problems = validate(&s);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path.to_string(), "policy.bridge");
        assert!(problems[0].message.contains("from 0 to 1"));
    }

    #[test]
    fn a_schedule_naming_a_missing_sector_suggests_the_near_miss() {
        let mut s = Scenario::default();
        s.schedule.push(super::super::schema::ScheduleEntry {
            period: 10,
            sector: Some("leadng".into()),
            levers: LeverOverrides {
                tariff: Some(0.0),
                ..Default::default()
            },
        });
        let problems = validate(&s);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].suggestion.as_deref(), Some("leading"));
    }

    #[test]
    fn all_dead_paths_is_inconsistent() {
        let mut s = Scenario::default();
        s.sector[2].dead_end_share = Some(1.0);
        let problems = validate(&s);
        assert!(
            problems
                .iter()
                .any(|p| p.path.to_string() == "sector[2].dead_end_share")
        );
    }
}
