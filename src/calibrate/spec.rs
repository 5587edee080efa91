//! The calibration file: a base scenario with fixed settings, the free parameters
//! with their bounds, the target moments with their weights, replicates, a master
//! seed, a budget of evaluations and the search's settings. Read and checked with the
//! same located errors as scenarios and sweeps (file, line, column, key, near miss).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::moments::{MomentSpec, check_moment};
use crate::scenario::error::{KeyPath, Problem, ScenarioError};
use crate::scenario::load::{Locator, deserialize, parse_table};
use crate::scenario::{Edit, Scenario, Source, parse_scenario};
use crate::sweep::spec::flatten_set;

/// The calibration format version this build reads and writes.
pub const CALIBRATION_VERSION: u32 = 1;

/// Most replicates per evaluation, parameters, and evaluations: far beyond any
/// calibration that finishes in a day, low enough that nothing overflows.
pub const MAX_REPLICATES: u32 = 10_000;
pub const MAX_BUDGET: u32 = 1_000_000;
/// The scrambled Sobol' sequence of the start has this many dimensions.
pub const MAX_PARAMETERS: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// A calibration as written in its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSpec {
    /// Format version; must be [`CALIBRATION_VERSION`].
    pub version: u32,
    /// Names the default output folder.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The base scenario: a built-in name, or a path relative to the calibration file.
    #[serde(default = "default_base")]
    pub base: String,
    /// Fixed settings of the base scenario, by dotted key (as with `--set`).
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    /// Runs per evaluation, each with its own seed; the same seeds at every evaluation.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// Master seed: replicate `r`'s seed comes from it and `r` alone.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Evaluations of the objective the search may make (the sensitivity's come on top).
    pub budget: u32,
    #[serde(default)]
    pub search: SearchSpec,
    #[serde(default)]
    pub parameter: Vec<Parameter>,
    #[serde(default)]
    pub moment: Vec<MomentSpec>,
}

fn default_base() -> String {
    crate::scenario::builtin::BASELINE.to_string()
}
fn default_replicates() -> u32 {
    10
}
fn default_seed() -> u64 {
    1
}

/// How the search goes: a scrambled Sobol' start, then Nelder-Mead from the best
/// start point, in the unit cube of the parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchSpec {
    /// Points of the start (0: the search starts from the middle of the bounds).
    pub start: u32,
    /// Edge of Nelder-Mead's first simplex, as a share of each parameter's range.
    pub step: f64,
    /// Nelder-Mead stops when its simplex is smaller than this (share of the range).
    pub tolerance: f64,
    /// The step of the finite differences of the sensitivity, as a share of the range.
    pub sensitivity_step: f64,
}

impl Default for SearchSpec {
    fn default() -> Self {
        SearchSpec {
            start: 8,
            step: 0.2,
            tolerance: 1e-3,
            sensitivity_step: 0.05,
        }
    }
}

/// A free parameter: a scenario key and its bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Dotted scenario key, as with `--set` (`policy.tariff`, `sector.heavy.policy.soe.bailout`).
    pub key: String,
    pub min: f64,
    pub max: f64,
    /// Search on the logarithm's scale (both bounds positive): for a parameter whose
    /// plausible values span orders of magnitude.
    #[serde(default)]
    pub log: bool,
    /// Round to an integer (for counts such as `tolerance`).
    #[serde(default)]
    pub integer: bool,
}

impl Parameter {
    /// The parameter's value at `u` in [0, 1]: linear or logarithmic between the bounds.
    pub fn value(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let x = if self.log {
            (self.min.ln() + u * (self.max.ln() - self.min.ln())).exp()
        } else {
            self.min + u * (self.max - self.min)
        };
        // Exactly the bounds at the ends, whatever the rounding of exp and ln.
        let x = x.clamp(self.min, self.max);
        if self.integer { x.round() } else { x }
    }

    /// The point `u` in [0, 1] at which the parameter is `x` (inside the bounds): the
    /// inverse of [`Parameter::value`], nudged by up to 64 units in the last place where
    /// rounding would otherwise give back a neighbour of `x` rather than `x` itself.
    pub fn unit(&self, x: f64) -> f64 {
        let u = if self.log {
            (x.ln() - self.min.ln()) / (self.max.ln() - self.min.ln())
        } else {
            (x - self.min) / (self.max - self.min)
        }
        .clamp(0.0, 1.0);
        let mut candidates = vec![u];
        let (mut up, mut down) = (u, u);
        for _ in 0..64 {
            up = up.next_up().min(1.0);
            down = down.next_down().max(0.0);
            candidates.extend([up, down]);
        }
        candidates
            .into_iter()
            .find(|&c| self.value(c) == x)
            .unwrap_or(u)
    }

    /// The scenario edit that sets the parameter at `u`.
    pub fn edit(&self, u: f64) -> Edit {
        let x = self.value(u);
        let value = if self.integer {
            toml::Value::Integer(x as i64)
        } else {
            toml::Value::Float(x)
        };
        Edit::new(&self.key, value).from_source(format!("parameter {}={x}", self.key))
    }
}

/// A calibration read and checked.
#[derive(Debug, Clone)]
pub struct Calibration {
    pub spec: CalibrationSpec,
    /// The calibration file's directory: relative paths in it start there.
    pub dir: PathBuf,
    /// The base scenario's text and origin.
    pub base: Source,
    /// The fixed settings as edits.
    pub fixed: Vec<Edit>,
    /// The base scenario with the fixed settings.
    pub scenario: Scenario,
    /// The file's text and name.
    pub text: String,
    pub origin: String,
}

impl Calibration {
    /// Reads, parses and checks a calibration file.
    pub fn load(path: &Path) -> Result<Calibration, ScenarioError> {
        let origin = path.display().to_string();
        let text = crate::scenario::read_input(path, "a calibration file (.toml)")?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Calibration::parse(&text, &origin, &dir)
    }

    /// Parses and checks calibration text; `dir` resolves a relative base path.
    pub fn parse(text: &str, origin: &str, dir: &Path) -> Result<Calibration, ScenarioError> {
        let table = parse_table(text, origin)?;
        let locator = Locator::new(text, origin);
        if !table.contains_key("version") {
            return Err(ScenarioError::single(locator.locate(Problem::new(
                KeyPath::root().key("version"),
                format!(
                    "missing; expected `version = {CALIBRATION_VERSION}` at the top of the file"
                ),
            ))));
        }
        let spec: CalibrationSpec = deserialize(toml::Value::Table(table))
            .map_err(|p| ScenarioError::single(locator.locate(p)))?;
        let fail = |problems: Vec<Problem>| {
            let total = problems.len();
            ScenarioError::capped(problems, total, |p| locator.locate(p))
        };
        let problems = check_spec(&spec);
        if !problems.is_empty() {
            return Err(fail(problems));
        }
        let base = Source::base(&spec.base, dir).map_err(|e| {
            fail(vec![Problem::new(
                KeyPath::root().key("base"),
                format!("cannot load the base scenario: {e}"),
            )])
        })?;
        let mut fixed = Vec::new();
        for (k, v) in &spec.set {
            flatten_set(k, v, &mut fixed);
        }
        let scenario = parse_scenario(&base.text, &base.origin, &fixed)
            .map_err(|e| {
                fail(vec![Problem::new(
                    KeyPath::root().key("set"),
                    format!("the fixed settings do not fit the base scenario: {e}"),
                )])
            })?
            .into_inner();
        let mut problems = Vec::new();
        // Each parameter at each of its bounds (the others as the base has them) must
        // give a valid scenario: the key exists and the range is allowed there.
        for (i, p) in spec.parameter.iter().enumerate() {
            for (end, u) in [("min", 0.0), ("max", 1.0)] {
                let mut edits = fixed.clone();
                edits.push(p.edit(u));
                if let Err(e) = parse_scenario(&base.text, &base.origin, &edits) {
                    let at = if e.diagnostics.iter().any(|d| d.message.contains("unknown")) {
                        "key"
                    } else {
                        end
                    };
                    problems.push(Problem::new(
                        KeyPath::root().key("parameter").index(i).key(at),
                        format!("with `{}` at its {end} the scenario is refused: {e}", p.key),
                    ));
                    break;
                }
            }
        }
        let names: Vec<&str> = scenario.sector.iter().map(|s| s.name.as_str()).collect();
        for (i, m) in spec.moment.iter().enumerate() {
            check_moment(
                m,
                &KeyPath::root().key("moment").index(i),
                &names,
                scenario.periods,
                &mut problems,
            );
        }
        if !problems.is_empty() {
            return Err(fail(problems));
        }
        Ok(Calibration {
            spec,
            dir: dir.to_path_buf(),
            base,
            fixed,
            scenario,
            text: text.to_string(),
            origin: origin.to_string(),
        })
    }

    /// The point of the unit cube at the values of `KEY=VALUE` arguments (`--at`),
    /// which must give every parameter a number within its bounds.
    pub fn point_at(&self, args: &[String]) -> Result<Vec<f64>, ScenarioError> {
        let fail = |m: String| ScenarioError::plain("--at", m, None);
        let params = &self.spec.parameter;
        let mut point = vec![None; params.len()];
        for arg in args {
            let Some((key, value)) = arg.split_once('=') else {
                return Err(fail(format!("expected KEY=VALUE, found `{arg}`")));
            };
            let key = key.trim();
            let Some(i) = params.iter().position(|p| p.key == key) else {
                return Err(ScenarioError::plain(
                    "--at",
                    format!("`{key}` is not a parameter of this calibration"),
                    crate::scenario::error::near_miss(key, params.iter().map(|p| p.key.as_str())),
                ));
            };
            let p = &params[i];
            let x: f64 = value
                .trim()
                .parse()
                .map_err(|_| fail(format!("`{key}`: expected a number, found `{value}`")))?;
            if !(p.min..=p.max).contains(&x) {
                return Err(fail(format!(
                    "`{key}` = {x} is outside its bounds [{}, {}]",
                    p.min, p.max
                )));
            }
            point[i] = Some(p.unit(x));
        }
        let missing: Vec<&str> = params
            .iter()
            .zip(&point)
            .filter(|(_, u)| u.is_none())
            .map(|(p, _)| p.key.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(fail(format!(
                "give every parameter a value; missing: {}",
                missing.join(", ")
            )));
        }
        Ok(point.into_iter().flatten().collect())
    }

    /// The edits of a point `u` of the unit cube, after the fixed settings.
    pub fn edits(&self, u: &[f64]) -> Vec<Edit> {
        let mut edits = self.fixed.clone();
        edits.extend(self.spec.parameter.iter().zip(u).map(|(p, &u)| p.edit(u)));
        edits
    }
}

fn check_spec(s: &CalibrationSpec) -> Vec<Problem> {
    let mut out = Vec::new();
    let root = KeyPath::root();
    if s.version != CALIBRATION_VERSION {
        out.push(Problem::new(
            root.clone().key("version"),
            format!(
                "expected version = {CALIBRATION_VERSION}, found {}",
                s.version
            ),
        ));
    }
    if s.name.is_empty()
        || s.name.starts_with('.')
        || !s
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        out.push(Problem::new(
            root.clone().key("name"),
            format!(
                "expected a name of letters, digits, '-', '_' or '.', found {:?}",
                s.name
            ),
        ));
    }
    if !(1..=MAX_REPLICATES).contains(&s.replicates) {
        out.push(Problem::new(
            root.clone().key("replicates"),
            format!(
                "expected 1 to {MAX_REPLICATES} replicates, found {}",
                s.replicates
            ),
        ));
    }
    if s.seed > crate::scenario::validate::EXACT_SEED_MAX {
        out.push(Problem::new(
            root.clone().key("seed"),
            "expected a seed from 0 to 2^53-1 (9007199254740991)",
        ));
    }
    if !(1..=MAX_BUDGET).contains(&s.budget) {
        out.push(Problem::new(
            root.clone().key("budget"),
            format!("expected 1 to {MAX_BUDGET} evaluations, found {}", s.budget),
        ));
    }
    if s.set.contains_key("seed") {
        out.push(Problem::new(
            root.clone().key("set").key("seed"),
            "replicate seeds come from the calibration's own `seed` (the master seed); set that instead",
        ));
    }
    let search = root.clone().key("search");
    let share = |v: f64| v.is_finite() && v > 0.0 && v <= 1.0;
    if !share(s.search.step) {
        out.push(Problem::new(
            search.clone().key("step"),
            "expected a share of the range, above 0 and at most 1",
        ));
    }
    if !(s.search.tolerance.is_finite() && s.search.tolerance >= 0.0 && s.search.tolerance < 1.0) {
        out.push(Problem::new(
            search.clone().key("tolerance"),
            "expected a share of the range, from 0 to below 1",
        ));
    }
    if !(share(s.search.sensitivity_step) && s.search.sensitivity_step <= 0.5) {
        out.push(Problem::new(
            search.clone().key("sensitivity_step"),
            "expected a share of the range, above 0 and at most 0.5",
        ));
    }
    if s.search.start > crate::sweep::design::SOBOL_MAX_POINTS {
        out.push(Problem::new(
            search.key("start"),
            format!(
                "expected at most {} start points (the length of the scrambled Sobol' sequence)",
                crate::sweep::design::SOBOL_MAX_POINTS
            ),
        ));
    }
    if s.parameter.is_empty() {
        out.push(Problem::new(
            root.clone().key("parameter"),
            "expected at least one [[parameter]] to calibrate",
        ));
    }
    if s.parameter.len() > MAX_PARAMETERS {
        out.push(Problem::new(
            root.clone().key("parameter"),
            format!("expected at most {MAX_PARAMETERS} parameters"),
        ));
    }
    let mut keys = HashSet::new();
    for (i, p) in s.parameter.iter().enumerate() {
        let at = root.clone().key("parameter").index(i);
        if p.key == "seed" {
            out.push(Problem::new(
                at.clone().key("key"),
                "the seed cannot be calibrated: replicate seeds come from the master seed",
            ));
        }
        if !keys.insert(p.key.as_str()) {
            out.push(Problem::new(
                at.clone().key("key"),
                format!("parameter `{}` appears twice", p.key),
            ));
        }
        if !(p.min.is_finite() && p.max.is_finite() && p.min < p.max) {
            out.push(Problem::new(
                at.clone().key("max"),
                "expected finite `min` < `max`",
            ));
        } else if p.log && p.min <= 0.0 {
            out.push(Problem::new(
                at.clone().key("min"),
                "a parameter on a log scale needs `min` > 0",
            ));
        }
        if p.integer && (p.min.fract() != 0.0 || p.max.fract() != 0.0) {
            out.push(Problem::new(
                at.clone().key("min"),
                "an integer parameter needs whole-number bounds",
            ));
        }
        if p.integer && p.log {
            out.push(Problem::new(
                at.clone().key("log"),
                "an integer parameter cannot be on a log scale",
            ));
        }
    }
    if s.moment.is_empty() {
        out.push(Problem::new(
            root.clone().key("moment"),
            "expected at least one [[moment]] to fit",
        ));
    }
    let mut names = HashSet::new();
    for (i, m) in s.moment.iter().enumerate() {
        if !names.insert(m.name.as_str()) {
            out.push(Problem::new(
                root.clone().key("moment").index(i).key("name"),
                format!("moment `{}` appears twice", m.name),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SMALL: &str = r#"version = 1
name = "t"
base = "catch-up"
set = { periods = 12 }
replicates = 2
seed = 3
budget = 6

[[parameter]]
key = "policy.tariff"
min = 0.0
max = 0.5

[[moment]]
name = "gap"
stat = "mean"
column = "gap"
from = 5
to = 12
target = 0.7
se = 0.05
"#;

    fn err(text: &str) -> String {
        Calibration::parse(text, "c.toml", Path::new("."))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_small_calibration_parses() {
        let c = Calibration::parse(SMALL, "c.toml", Path::new(".")).unwrap();
        assert_eq!(c.scenario.periods, 12);
        assert_eq!(c.spec.parameter.len(), 1);
        assert_eq!(c.edits(&[0.5]).len(), 2);
    }

    #[test]
    fn values_map_the_unit_interval_to_the_bounds() {
        let p = |log, integer| Parameter {
            key: "k".into(),
            min: 0.1,
            max: 10.0,
            log,
            integer,
        };
        assert_eq!(p(false, false).value(0.0), 0.1);
        assert_eq!(p(false, false).value(1.0), 10.0);
        assert!((p(false, false).value(0.5) - 5.05).abs() < 1e-12);
        assert!((p(true, false).value(0.5) - 1.0).abs() < 1e-12);
        assert_eq!(p(true, false).value(1.0), 10.0);
        assert_eq!(p(false, true).value(0.5), 5.0);
        assert_eq!(p(false, false).value(2.0), 10.0);
        // The inverse gives the value back exactly where some point does, and
        // within rounding everywhere.
        let q = |min, max| Parameter {
            min,
            max,
            ..p(false, false)
        };
        assert_eq!(q(0.2, 1.0).value(q(0.2, 1.0).unit(0.6)), 0.6);
        assert_eq!(q(0.1, 0.4).value(q(0.1, 0.4).unit(0.25)), 0.25);
        for (log, x) in [
            (false, 0.8),
            (true, 0.8),
            (false, 0.1),
            (true, 10.0),
            (true, 3.7),
        ] {
            let q = p(log, false);
            assert!(
                (q.value(q.unit(x)) - x).abs() <= 1e-15 * x,
                "log {log}, {x}"
            );
        }
    }

    #[test]
    fn at_takes_every_parameter_within_its_bounds() {
        let c = Calibration::parse(SMALL, "c.toml", Path::new(".")).unwrap();
        let u = c.point_at(&["policy.tariff=0.2".into()]).unwrap();
        assert_eq!(c.spec.parameter[0].value(u[0]), 0.2);
        let e = c
            .point_at(&["policy.tarif=0.2".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `policy.tariff`"), "{e}");
        assert!(c.point_at(&["policy.tariff=0.9".into()]).is_err());
        assert!(c.point_at(&[]).is_err());
    }

    #[test]
    fn problems_are_located_with_near_misses() {
        let e = err(&SMALL.replace("column = \"gap\"", "column = \"gapp\""));
        assert!(e.starts_with("c.toml:17:1: key `moment[0].column`"), "{e}");
        assert!(e.contains("did you mean `gap`?"), "{e}");
        let e = err(&SMALL.replace("min = 0.0", "min = -1.0"));
        assert!(e.contains("key `parameter[0].min`"), "{e}");
        let e = err(&SMALL.replace("key = \"policy.tariff\"", "key = \"policy.tarif\""));
        assert!(e.contains("key `parameter[0]"), "{e}");
        assert!(e.contains("tariff"), "{e}");
        let e = err(&SMALL.replace("budget = 6", "budgt = 6"));
        assert!(e.contains("budgt"), "{e}");
        let e = err(&SMALL.replace("to = 12", "to = 13"));
        assert!(e.contains("key `moment[0].to`"), "{e}");
        let e = err(&SMALL.replace("version = 1\n", ""));
        assert!(e.contains("key `version`: missing"), "{e}");
    }
}
