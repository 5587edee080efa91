//! Range and consistency checks on a deserialized scenario.
//!
//! Types and key names were checked by deserialization; here every value is checked
//! against its documented range (`docs/scenario-reference.md`) and the parts against
//! each other (schedule entries name existing sectors, snapshots fall inside the run).

use std::collections::HashSet;

use super::error::{KeyPath, MAX_REPORTED, Problem, listing, near_miss, number};
use super::keys::{KeyInfo, Kind, Range};
use super::lever_table::lever;
use super::param_table::param;
use super::regime::{Structure, structural};
use super::schema::{
    LeverOverrides, ModelParams, OwnershipLevers, Policy, SCENARIO_VERSION, Scenario,
};

/// Largest number of firms a run may start with: about 25 GiB of state, the most a
/// large server would sensibly give one run.
pub const MAX_FIRMS: u64 = 100_000_000;
/// Largest seed: the largest integer a TOML file can hold. Accepted so that a run of an
/// older sweep, whose seeds went up to it, can still be repeated by its seed.
pub const MAX_SEED: u64 = i64::MAX as u64;
/// Largest seed every reader of a result holds exactly: 2^53 - 1, the largest integer a
/// double represents without loss (R, Stata, Excel and JavaScript read numbers as
/// doubles). Every seed catchup derives, and a sweep's master seed, stays within it.
pub const EXACT_SEED_MAX: u64 = (1 << 53) - 1;
/// Largest number of periods of a run.
pub const MAX_PERIODS: u32 = 100_000;
/// Longest scenario or sector name, in characters (a scenario's name is a folder name).
pub const MAX_NAME: usize = 100;

/// A scenario that passed every check of this module: the only kind the engine
/// ([`crate::engine::World::new`]) accepts, so a scenario that was never validated
/// (say, `paths = 0`) cannot reach it. Read it through `Deref`; to edit one, take the
/// [`Scenario`] out with [`ValidScenario::into_inner`] and check it again.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidScenario(Scenario);

impl ValidScenario {
    /// Checks a scenario: valid, or its problems.
    pub fn new(s: Scenario) -> Result<ValidScenario, Report> {
        let report = check(&s);
        if report.total == 0 {
            Ok(ValidScenario(s))
        } else {
            Err(report)
        }
    }

    /// Wraps a scenario the caller has just checked with no problems.
    pub(super) fn checked(s: Scenario) -> ValidScenario {
        debug_assert_eq!(check(&s).total, 0);
        ValidScenario(s)
    }

    /// The scenario, to edit (it must then be checked again to reach the engine).
    pub fn into_inner(self) -> Scenario {
        self.0
    }
}

impl std::ops::Deref for ValidScenario {
    type Target = Scenario;
    fn deref(&self) -> &Scenario {
        &self.0
    }
}

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

/// Checks a value of a catalogued key against its range.
fn check_key(c: &mut Checker, p: &KeyPath, info: &KeyInfo, v: f64) {
    if info.range.accepts(v) {
        return;
    }
    let expected = match (info.kind, info.range) {
        (Kind::Integer, Range::Closed { min, max }) => {
            format!("an integer from {} to {}", number(min), number(max))
        }
        (_, Range::Closed { min, max }) => {
            format!("a number from {} to {}", number(min), number(max))
        }
        (_, Range::Above { min }) => format!("a finite number above {}", number(min)),
        (_, Range::Any) => unreachable!("a key accepting any value accepts {v}"),
    };
    c.fail(
        p.clone().key(info.key),
        format!("expected {expected}, found {}", number(v)),
    );
}

fn check_model(c: &mut Checker, p: &KeyPath, m: &ModelParams) {
    m.each(|key, v| check_key(c, p, param(key).expect("every field is catalogued"), v));
    if m.entrant_low >= m.entrant_high {
        c.fail(
            p.clone().key("entrant_high"),
            format!(
                "expected entrant_high above entrant_low = {}, found {}",
                m.entrant_low, m.entrant_high
            ),
        );
    }
}

/// Checks each lever a layer sets (ranges are the same at every layer).
fn check_levers(
    c: &mut Checker,
    p: &KeyPath,
    each: impl FnOnce(&mut dyn FnMut(&'static str, f64)),
) {
    each(&mut |key, v| check_key(c, p, lever(key).expect("every field is catalogued"), v));
}

fn check_policy(c: &mut Checker, p: &KeyPath, pol: &Policy) {
    check_levers(c, p, |f| pol.each(f));
    check_ownership(c, &p.clone().key("private"), &pol.private);
    check_ownership(c, &p.clone().key("soe"), &pol.soe);
}

fn check_ownership(c: &mut Checker, p: &KeyPath, o: &OwnershipLevers) {
    check_levers(c, p, |f| o.each_set(f));
}

fn check_overrides(c: &mut Checker, p: &KeyPath, o: &LeverOverrides) {
    check_levers(c, p, |f| o.each_set(f));
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
        st.each(|key, v| {
            let info = &structural(key).expect("every field is catalogued").info;
            check_key(c, &p, info, v);
        });
        if dead_paths(st.paths, st.dead_end_share) >= st.paths {
            c.fail(
                p.clone().key("dead_end_share"),
                format!(
                    "with {} paths, dead_end_share = {} leaves no live path; expected fewer dead ends",
                    st.paths, st.dead_end_share
                ),
            );
        }
        if st.promise_low > st.promise_high {
            c.fail(
                p.clone().key("promise_high"),
                format!(
                    "expected promise_high >= promise_low = {}, found {}",
                    st.promise_low, st.promise_high
                ),
            );
        }
        if st.innovation_low >= st.innovation_high {
            c.fail(
                p.clone().key("innovation_high"),
                format!(
                    "expected innovation_high above innovation_low = {}, found {}",
                    st.innovation_low, st.innovation_high
                ),
            );
        }
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

    /// Every seed up to the bound survives a trip through a double (what R, Stata and
    /// JavaScript read numbers as); the bound itself is the last such integer.
    #[test]
    fn seeds_up_to_the_exact_bound_survive_a_double() {
        assert_eq!((EXACT_SEED_MAX as f64) as u64, EXACT_SEED_MAX);
        assert_ne!(((EXACT_SEED_MAX + 2) as f64) as u64, EXACT_SEED_MAX + 2);
    }

    /// A quantity that must be positive is refused when infinite or not a number,
    /// not only when too small.
    #[test]
    fn an_infinite_or_nan_positive_quantity_is_refused() {
        for bad in [f64::INFINITY, f64::NAN, 0.0] {
            let mut s = Scenario::default();
            s.sector[0].demand_per_firm = bad;
            let problems = validate(&s);
            assert_eq!(problems.len(), 1, "{bad}");
            assert!(
                problems[0].message.contains("finite number above 0"),
                "{bad}"
            );
        }
    }

    /// The bounds of whole-number keys and names are inclusive: the bound is accepted
    /// and one past it refused.
    #[test]
    fn bounds_of_counts_and_names_are_inclusive() {
        let keys = |s: &Scenario| -> Vec<String> {
            validate(s).iter().map(|p| p.path.to_string()).collect()
        };
        let mut s = Scenario {
            periods: MAX_PERIODS,
            name: "n".repeat(MAX_NAME),
            firm_snapshots: vec![1, MAX_PERIODS],
            ..Scenario::default()
        };
        s.sector[0].name = "s".repeat(MAX_NAME);
        let entry = |period| crate::scenario::schema::ScheduleEntry {
            period,
            sector: None,
            levers: crate::scenario::schema::LeverOverrides {
                tariff: Some(0.1),
                ..Default::default()
            },
        };
        s.schedule = vec![entry(1), entry(MAX_PERIODS)];
        assert_eq!(keys(&s), Vec::<String>::new());

        s.periods = MAX_PERIODS + 1;
        s.name = "n".repeat(MAX_NAME + 1);
        s.firm_snapshots = vec![0, MAX_PERIODS + 2];
        s.sector[0].name = "s".repeat(MAX_NAME + 1);
        s.schedule = vec![entry(0), entry(MAX_PERIODS + 2)];
        assert_eq!(
            keys(&s),
            [
                "name",
                "periods",
                "firm_snapshots[0]",
                "firm_snapshots[1]",
                "sector[0].name",
                "schedule[0].period",
                "schedule[1].period"
            ]
        );
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

    /// Every lever's out-of-range values are refused, naming the key, at each level a
    /// lever can be set: economy, economy ownership, sector, sector ownership and a
    /// schedule entry.
    #[test]
    fn every_lever_is_range_checked_at_every_level() {
        use super::super::keys::Range;
        use super::super::load::parse_scenario;
        for l in crate::scenario::LEVERS.iter() {
            let Range::Closed { min, max } = l.range else {
                continue;
            };
            let mut bad = vec![format!("{:?}", max + 1.0)];
            if min > 0.0 {
                bad.push(format!("{:?}", min - 0.5));
            }
            if l.kind == super::super::keys::Kind::Integer {
                bad = vec![format!("{}", max as u64 + 1)];
                if min > 0.0 {
                    bad.push(format!("{}", min as u64 - 1));
                }
            }
            for v in bad {
                let mut places = vec![
                    (
                        format!("[policy]\n{} = {v}", l.key),
                        format!("policy.{}", l.key),
                    ),
                    (
                        format!("[[sector]]\nname = \"x\"\n[sector.policy]\n{} = {v}", l.key),
                        format!("sector[0].policy.{}", l.key),
                    ),
                    (
                        format!("[[schedule]]\nperiod = 2\nlevers = {{ {} = {v} }}", l.key),
                        format!("schedule[0].levers.{}", l.key),
                    ),
                ];
                if l.per_ownership {
                    places.push((
                        format!("[policy.soe]\n{} = {v}", l.key),
                        format!("policy.soe.{}", l.key),
                    ));
                    places.push((
                        format!(
                            "[[sector]]\nname = \"x\"\n[sector.policy.private]\n{} = {v}",
                            l.key
                        ),
                        format!("sector[0].policy.private.{}", l.key),
                    ));
                }
                for (text, path) in places {
                    let text = format!("version = 1\n{text}\n");
                    let e = parse_scenario(&text, "s.toml", &[])
                        .unwrap_err()
                        .to_string();
                    assert!(e.contains(&format!("key `{path}`")), "{text}\n{e}");
                    assert!(e.contains("expected"), "{e}");
                }
            }
        }
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
