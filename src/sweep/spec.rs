//! The sweep file: a base scenario, fixed overrides, a design over factors, the
//! number of replicates, a master seed, the summary metrics and the outputs to keep.
//! Read and checked with the same located errors as scenarios.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::observe::SeriesRow;
use crate::output::TableFormat;
use crate::scenario::Edit;
use crate::scenario::error::{KeyPath, Problem, ScenarioError, near_miss};
use crate::scenario::load::{Locator, deserialize, parse_table};
use crate::scenario::{Scenario, Source, parse_scenario};

/// The sweep format version this build writes about, and the newest it reads. Version
/// 1 is read too: it differs only in that its `sobol` design is `saltelli-random`
/// (pseudo-random base samples), so that an old file keeps its points.
pub const SWEEP_VERSION: u32 = 2;

/// A sweep as written in its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Format version; must be [`SWEEP_VERSION`].
    pub version: u32,
    /// Names the default output folder.
    pub name: String,
    /// What the sweep asks.
    #[serde(default)]
    pub description: String,
    /// The base scenario: a built-in name, or a path relative to the sweep file.
    #[serde(default = "default_base")]
    pub base: String,
    /// Runs per design point, each with its own seed.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// Master seed: every run's seed is derived from it and the run's (point, replicate).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Fixed overrides of the base scenario, by dotted key (as with `--set`).
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    pub design: Design,
    /// Summary metrics computed for every run.
    #[serde(default)]
    pub metric: Vec<Metric>,
    #[serde(default)]
    pub output: OutputSpec,
}

fn default_base() -> String {
    crate::scenario::builtin::BASELINE.to_string()
}
fn default_replicates() -> u32 {
    1
}
fn default_seed() -> u64 {
    1
}

/// How design points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Every combination of the factors' `values`.
    Grid,
    /// A Latin hypercube of `points` points over the factors' `[min, max]`.
    Lhs,
    /// A Saltelli design for Sobol indices on a scrambled Sobol' sequence: `points`
    /// base samples, `points (k + 2)` points. (In format version 1: read as
    /// `SaltelliRandom`, the meaning it had then.)
    Sobol,
    /// The same layout on pseudo-random (ChaCha8) base samples.
    #[serde(rename = "saltelli-random")]
    SaltelliRandom,
    /// Morris elementary effects: `points` trajectories on `levels` levels, `points (k + 1)` points.
    Morris,
    /// The parameter sets listed in a CSV `file` (a header of keys, a row per point).
    List,
}

impl DesignKind {
    /// The design's name in a sweep file and in `manifest.json`.
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
            DesignKind::SaltelliRandom => "saltelli-random",
            DesignKind::Morris => "morris",
            DesignKind::List => "list",
        }
    }
}

/// The experiment design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    pub kind: DesignKind,
    /// Points (lhs), base samples (sobol) or trajectories (morris).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// Levels of the Morris grid (even, at least 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<u32>,
    /// CSV file of parameter sets (list), relative to the sweep file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default)]
    pub factor: Vec<Factor>,
}

/// A factor: a scenario key and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Dotted scenario key, as with `--set` (`policy.tariff`, `sector.leading.policy.tolerance`).
    pub key: String,
    /// The values of a grid factor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<toml::Value>,
    /// The range of a sampled factor (lhs, sobol, morris).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Round sampled values to integers (for counts such as `tolerance`).
    #[serde(default)]
    pub integer: bool,
}

/// What a metric computes from a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stat {
    /// The value in the last period.
    Final,
    /// The mean over the periods `from` to `to` (inclusive).
    Mean,
    /// The first period in which the series reaches `threshold` (empty if never).
    TimeTo,
}

/// A summary metric of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// Column name in `runs.csv`.
    pub name: String,
    /// A numeric column of `series.csv`.
    pub series: String,
    /// A sector name, or `all` for the whole economy.
    #[serde(default = "default_sector")]
    pub sector: String,
    pub stat: Stat,
    /// Window of `mean` (default: the whole run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    /// Level of `time_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// For `time_to`: the first period at or below the threshold instead of at or above.
    #[serde(default)]
    pub below: bool,
}

fn default_sector() -> String {
    "all".to_string()
}

impl Metric {
    /// What the metric is, in words: `the mean of gap in sector leading, periods 40 to 60`.
    pub fn describe(&self) -> String {
        let of = format!("`{}` of sector `{}`", self.series, self.sector);
        let of = if self.sector == "all" {
            format!("`{}` of the whole economy", self.series)
        } else {
            of
        };
        match self.stat {
            Stat::Final => format!("the value of {of} in the last period"),
            Stat::Mean => format!(
                "the mean of {of} over periods {} to {}",
                self.from.map_or("1".to_string(), |f| f.to_string()),
                self.to.map_or("the last".to_string(), |t| t.to_string())
            ),
            Stat::TimeTo => format!(
                "the first period in which {of} is at or {} {} (empty if never)",
                if self.below { "below" } else { "above" },
                self.threshold.unwrap_or(f64::NAN)
            ),
        }
    }
}

/// The outputs to keep beyond `runs.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSpec {
    /// Write every run's full `series.csv` (under `series/`).
    pub series: bool,
    /// Series summarised across replicates in `bands.csv`.
    pub bands: Vec<String>,
    /// The format of every table of the result: `csv` (the default) or `parquet`
    /// (zstd-compressed, typed columns); `catchup sweep --format` overrides it.
    pub format: TableFormat,
}

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            series: false,
            bands: [
                "gap",
                "productivity_mean",
                "capacity",
                "utilization",
                "import_share",
                "soe_capacity_share",
                "innovations",
                "transfers",
                "fiscal_cost",
            ]
            .map(String::from)
            .to_vec(),
            format: TableFormat::Csv,
        }
    }
}

/// A sweep read and checked: its spec, where it came from, and the base scenario.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub spec: SweepSpec,
    /// The sweep file's directory: relative paths in it start there.
    pub dir: PathBuf,
    /// The base scenario's text and origin, parsed again for every run.
    pub base: Source,
    /// The base scenario with the fixed overrides applied.
    pub scenario: Scenario,
    /// The fixed overrides as `KEY=VALUE` arguments.
    pub fixed_sets: Vec<Edit>,
    /// The sweep file's text and name, to locate later problems in it.
    pub text: String,
    pub origin: String,
}

/// Largest number of runs a sweep may have.
pub const MAX_RUNS: u64 = 100_000_000;

/// Largest list design file, in bytes.
pub const MAX_LIST_BYTES: u64 = 64 << 20;

/// The number of design points the design will have, from the sweep file alone (before
/// anything is generated): `None` for a list design, whose rows are counted as read.
/// Saturates rather than overflows.
pub fn planned_points(d: &Design) -> Option<u128> {
    let k = d.factor.len() as u128;
    let n = u128::from(d.points.unwrap_or(0));
    match d.kind {
        DesignKind::Grid => Some(
            d.factor
                .iter()
                .try_fold(1u128, |acc, f| acc.checked_mul(f.values.len() as u128))
                .unwrap_or(u128::MAX),
        ),
        DesignKind::Lhs => Some(n),
        DesignKind::Sobol | DesignKind::SaltelliRandom => Some(n.saturating_mul(k + 2)),
        DesignKind::Morris => Some(n.saturating_mul(k + 1)),
        DesignKind::List => None,
    }
}

/// The problem with a sweep of `points` design points (so far) and `replicates`
/// replicates, if it has more than [`MAX_RUNS`] runs.
pub fn too_many_runs(points: u128, replicates: u32) -> Option<String> {
    let runs = points.saturating_mul(u128::from(replicates));
    (runs > u128::from(MAX_RUNS)).then(|| {
        let runs = if runs == u128::MAX {
            "more than 2^128".to_string()
        } else {
            runs.to_string()
        };
        format!(
            "the sweep would have {points} design points x {replicates} replicates = {runs} runs; \
             at most {MAX_RUNS} are allowed"
        )
    })
}

impl Sweep {
    /// Reads, parses and checks a sweep file.
    pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
        let origin = path.display().to_string();
        let text = crate::scenario::read_input(path, "a sweep file (.toml)")?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Sweep::parse(&text, &origin, &dir)
    }

    /// Parses and checks sweep text; `dir` resolves relative paths.
    pub fn parse(text: &str, origin: &str, dir: &Path) -> Result<Sweep, ScenarioError> {
        let table = parse_table(text, origin)?;
        let locator = Locator::new(text, origin);
        if !table.contains_key("version") {
            return Err(ScenarioError::single(locator.locate(Problem::new(
                KeyPath::root().key("version"),
                format!("missing; expected `version = {SWEEP_VERSION}` at the top of the file"),
            ))));
        }
        let mut spec: SweepSpec = deserialize(toml::Value::Table(table))
            .map_err(|p| ScenarioError::single(locator.locate(p)))?;
        // Version 1's `sobol` was pseudo-random: an old file keeps its points.
        if spec.version == 1 && spec.design.kind == DesignKind::Sobol {
            spec.design.kind = DesignKind::SaltelliRandom;
        }
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
        // `set = { policy.tariff = 0.3 }` reads in TOML as a nested table: flatten it to
        // the dotted key it means, rather than replacing the whole `policy` table.
        let mut fixed_sets = Vec::new();
        for (k, v) in &spec.set {
            flatten_set(k, v, &mut fixed_sets);
        }
        let scenario = parse_scenario(&base.text, &base.origin, &fixed_sets).map_err(|e| {
            fail(vec![Problem::new(
                KeyPath::root().key("set"),
                format!("the fixed overrides do not fit the base scenario: {e}"),
            )])
        })?;
        let problems = check_against_scenario(&spec, &scenario);
        if !problems.is_empty() {
            return Err(fail(problems));
        }
        Ok(Sweep {
            spec,
            dir: dir.to_path_buf(),
            base,
            scenario: scenario.into_inner(),
            fixed_sets,
            text: text.to_string(),
            origin: origin.to_string(),
        })
    }

    /// Path of the design's CSV file (list designs).
    pub fn design_file(&self) -> Option<PathBuf> {
        self.spec.design.file.as_ref().map(|f| self.dir.join(f))
    }
}

/// `KEY=VALUE` overrides from a (possibly nested) `set` entry.
pub(crate) fn flatten_set(key: &str, value: &toml::Value, out: &mut Vec<Edit>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten_set(&format!("{key}.{k}"), v, out);
            }
        }
        v => out.push(Edit::new(key, v.clone())),
    }
}

/// Column names of runs.csv that metrics and factors may not take.
const RESERVED_COLUMNS: [&str; 6] = ["run", "point", "replicate", "seed", "status", "error"];

/// The column of `runs.csv` and `points.csv` that holds a factor: its scenario key with
/// every character but an ASCII letter, digit or `_` made `_` (`policy.tariff` ->
/// `policy_tariff`). A dot breaks pandas' `query`, SQL without quotes and Stata, which
/// allows no dots in a name; the codebook (`codebook.json`) maps each column back to
/// its key.
pub fn factor_column(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Factors whose columns clash, by the factor's index: with a reserved column of
/// runs.csv, with a metric's column, or with an earlier factor's (`a.b_c` and `a_b.c`
/// both make `a_b_c`).
pub fn factor_column_clashes(keys: &[&str], metrics: &[&str]) -> Vec<(usize, String)> {
    let metrics: HashSet<&str> = metrics.iter().copied().collect();
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(keys.len());
    let mut out = Vec::new();
    for (i, &key) in keys.iter().enumerate() {
        let column = factor_column(key);
        if RESERVED_COLUMNS.contains(&column.as_str()) || metrics.contains(column.as_str()) {
            out.push((
                i,
                format!("factor `{key}` would be column `{column}` of runs.csv, which is already a column (run, point, replicate, seed, status, error and the metrics)"),
            ));
        }
        match seen.get(&column) {
            Some(&other) if other != key => out.push((
                i,
                format!("factors `{other}` and `{key}` would both be column `{column}` of runs.csv (a column name has `_` for every other character)"),
            )),
            _ => {
                seen.insert(column, key);
            }
        }
    }
    out
}

fn check_spec(s: &SweepSpec) -> Vec<Problem> {
    let mut out = Vec::new();
    let root = KeyPath::root();
    if !(1..=SWEEP_VERSION).contains(&s.version) {
        out.push(Problem::new(
            root.clone().key("version"),
            format!(
                "expected version = {SWEEP_VERSION} (or 1, whose `sobol` is `saltelli-random`), found {}",
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
    if s.replicates < 1 {
        out.push(Problem::new(
            root.clone().key("replicates"),
            "expected at least 1 replicate",
        ));
    }
    if s.seed > crate::scenario::validate::EXACT_SEED_MAX {
        out.push(Problem::new(
            root.clone().key("seed"),
            "expected a seed from 0 to 2^53-1 (9007199254740991), the largest integer every \
             program reading runs.csv holds exactly",
        ));
    }
    let design = root.clone().key("design");
    let d = &s.design;
    // Checked here, from the numbers in the file, before any design is generated.
    if u64::from(s.replicates) > MAX_RUNS {
        out.push(Problem::new(
            root.clone().key("replicates"),
            format!(
                "expected at most {MAX_RUNS} replicates (the most runs a sweep may have), found {}",
                s.replicates
            ),
        ));
    } else if let Some(why) = planned_points(d).and_then(|p| too_many_runs(p, s.replicates.max(1)))
    {
        let at = match d.kind {
            DesignKind::Grid => design.clone().key("factor"),
            _ => design.clone().key("points"),
        };
        out.push(Problem::new(at, why));
    }
    let needs_points = matches!(
        d.kind,
        DesignKind::Lhs | DesignKind::Sobol | DesignKind::SaltelliRandom | DesignKind::Morris
    );
    if d.kind == DesignKind::Sobol {
        check_sobol_size(d, &design, &mut out);
    }
    match (needs_points, d.points) {
        (true, None) | (true, Some(0)) => out.push(Problem::new(
            design.clone().key("points"),
            "expected a positive number of points (lhs), base samples (sobol) or trajectories (morris)",
        )),
        (false, Some(_)) => out.push(Problem::new(
            design.clone().key("points"),
            "only lhs, sobol and morris designs take `points`",
        )),
        _ => {}
    }
    if d.kind == DesignKind::Morris {
        match d.levels {
            Some(l) if l >= 2 && l % 2 == 0 => {}
            _ => out.push(Problem::new(
                design.clone().key("levels"),
                "a morris design needs an even number of `levels`, at least 2 (4 is usual)",
            )),
        }
    } else if d.levels.is_some() {
        out.push(Problem::new(
            design.clone().key("levels"),
            "only morris designs take `levels`",
        ));
    }
    if d.kind == DesignKind::List {
        if d.file.is_none() {
            out.push(Problem::new(
                design.clone().key("file"),
                "a list design needs a CSV `file`",
            ));
        }
        if !d.factor.is_empty() {
            out.push(Problem::new(
                design.clone().key("factor"),
                "a list design takes its factors from the CSV file's header, not [[design.factor]]",
            ));
        }
    } else {
        if d.file.is_some() {
            out.push(Problem::new(
                design.clone().key("file"),
                "only list designs take a `file`",
            ));
        }
        if d.factor.is_empty() {
            out.push(Problem::new(
                design.clone().key("factor"),
                "expected at least one [[design.factor]]",
            ));
        }
    }
    if s.set.contains_key("seed") {
        out.push(Problem::new(
            root.clone().key("set").key("seed"),
            "run seeds come from the sweep's own `seed` (the master seed); set that instead",
        ));
    }
    // Sets, so that each check stays linear in the number of factors and metrics.
    let mut factor_keys = std::collections::HashSet::with_capacity(d.factor.len());
    for (i, f) in d.factor.iter().enumerate() {
        let p = design.clone().key("factor").index(i);
        if f.key == "seed" {
            out.push(Problem::new(
                p.clone().key("key"),
                "the seed cannot be a factor: each run's seed comes from the master seed; use replicates",
            ));
        }
        if !factor_keys.insert(f.key.as_str()) {
            out.push(Problem::new(
                p.clone().key("key"),
                format!("factor `{}` appears twice", f.key),
            ));
        }
        if d.kind == DesignKind::Grid {
            if f.values.is_empty() {
                out.push(Problem::new(
                    p.clone().key("values"),
                    "a grid factor needs a non-empty list of `values`",
                ));
            }
            if f.min.is_some() || f.max.is_some() {
                out.push(Problem::new(
                    p.clone().key("min"),
                    "a grid factor takes `values`, not `min`/`max`",
                ));
            }
        } else if d.kind != DesignKind::List {
            match (f.min, f.max) {
                (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() && lo < hi => {}
                _ => out.push(Problem::new(
                    p.clone().key("max"),
                    "a sampled factor needs finite `min` < `max`",
                )),
            }
            if !f.values.is_empty() {
                out.push(Problem::new(
                    p.clone().key("values"),
                    "a sampled factor takes `min` and `max`, not `values`",
                ));
            }
        }
    }
    let keys: Vec<&str> = d.factor.iter().map(|f| f.key.as_str()).collect();
    let metrics: Vec<&str> = s.metric.iter().map(|m| m.name.as_str()).collect();
    for (i, why) in factor_column_clashes(&keys, &metrics) {
        // The seed as a factor has its own message below.
        if keys[i] == "seed" {
            continue;
        }
        out.push(Problem::new(
            design.clone().key("factor").index(i).key("key"),
            why,
        ));
    }
    let mut metric_names = std::collections::HashSet::with_capacity(s.metric.len());
    for (i, m) in s.metric.iter().enumerate() {
        let p = root.clone().key("metric").index(i);
        if m.name.is_empty()
            || !m
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push(Problem::new(
                p.clone().key("name"),
                "expected a column name of letters, digits and '_'",
            ));
        }
        if RESERVED_COLUMNS.contains(&m.name.as_str()) {
            out.push(Problem::new(
                p.clone().key("name"),
                format!("`{}` is already a column of runs.csv (run, point, replicate, seed, status, error and the factors); choose another name", m.name),
            ));
        }
        if !metric_names.insert(m.name.as_str()) {
            out.push(Problem::new(
                p.clone().key("name"),
                format!("metric `{}` appears twice", m.name),
            ));
        }
        check_series_name(&mut out, p.clone().key("series"), &m.series);
        match m.stat {
            Stat::TimeTo if m.threshold.is_none_or(|t| !t.is_finite()) => out.push(Problem::new(
                p.clone().key("threshold"),
                "a time_to metric needs a finite `threshold`",
            )),
            Stat::Mean => {
                if let (Some(a), Some(b)) = (m.from, m.to)
                    && a > b
                {
                    out.push(Problem::new(p.clone().key("to"), "expected `to` >= `from`"));
                }
            }
            _ => {}
        }
    }
    for (i, b) in s.output.bands.iter().enumerate() {
        check_series_name(
            &mut out,
            root.clone().key("output").key("bands").index(i),
            b,
        );
    }
    out
}

/// A `sobol` design draws from a scrambled sequence of limited length and dimension
/// ([`super::design::SOBOL_MAX_POINTS`], [`super::design::SOBOL_MAX_FACTORS`]).
fn check_sobol_size(d: &Design, design: &KeyPath, out: &mut Vec<Problem>) {
    use super::design::{SOBOL_MAX_FACTORS, SOBOL_MAX_POINTS};
    if d.points.is_some_and(|n| n > SOBOL_MAX_POINTS) {
        out.push(Problem::new(
            design.clone().key("points"),
            format!(
                "a sobol design takes at most {SOBOL_MAX_POINTS} base samples (the length of its \
                 scrambled sequence), found {}; for more, use kind = \"saltelli-random\"",
                d.points.unwrap_or_default()
            ),
        ));
    }
    if d.factor.len() > SOBOL_MAX_FACTORS {
        out.push(Problem::new(
            design.clone().key("factor"),
            format!(
                "a sobol design takes at most {SOBOL_MAX_FACTORS} factors (its sequence has {} \
                 dimensions, 2 per factor), found {}; for more, use kind = \"saltelli-random\"",
                2 * SOBOL_MAX_FACTORS,
                d.factor.len()
            ),
        ));
    }
}

fn check_series_name(out: &mut Vec<Problem>, path: KeyPath, name: &str) {
    if !SeriesRow::NUMERIC_COLUMNS.contains(&name) {
        let mut p = Problem::new(
            path,
            format!("`{name}` is not a numeric column of series.csv"),
        );
        p.suggestion = near_miss(name, SeriesRow::NUMERIC_COLUMNS.iter().copied());
        out.push(p);
    }
}

/// Checks that refer to the base scenario: metric sectors exist, windows fit the run.
fn check_against_scenario(s: &SweepSpec, scenario: &Scenario) -> Vec<Problem> {
    let mut out = Vec::new();
    let names: Vec<&str> = scenario.sector.iter().map(|x| x.name.as_str()).collect();
    let known: std::collections::HashSet<&str> = names.iter().copied().collect();
    for (i, m) in s.metric.iter().enumerate() {
        let p = KeyPath::root().key("metric").index(i);
        if m.sector != "all" && !known.contains(m.sector.as_str()) {
            let mut pr = Problem::new(
                p.clone().key("sector"),
                format!(
                    "no sector `{}` in the base scenario; expected `all` or one of {}",
                    m.sector,
                    names.join(", ")
                ),
            );
            pr.suggestion = near_miss(&m.sector, names.iter().copied().chain(["all"]));
            out.push(pr);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = r#"version = 1
name = "t"
base = "baseline"
replicates = 2
seed = 5
set = { periods = 8 }

[design]
kind = "grid"

[[design.factor]]
key = "policy.tariff"
values = [0.0, 0.3]

[[metric]]
name = "gap_final"
series = "gap"
stat = "final"
"#;

    #[test]
    fn a_grid_sweep_parses_with_its_fixed_overrides() {
        let s = Sweep::parse(GRID, "s.toml", Path::new(".")).unwrap();
        assert_eq!(s.scenario.periods, 8);
        assert_eq!(
            s.fixed_sets,
            vec![Edit::new("periods", toml::Value::Integer(8))]
        );
        assert_eq!(s.spec.replicates, 2);
    }

    #[test]
    fn a_misspelt_series_is_located_with_a_suggestion() {
        let text = GRID.replace("series = \"gap\"", "series = \"gapp\"");
        let e = Sweep::parse(&text, "s.toml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:17:1: key `metric[0].series`"), "{e}");
        assert!(e.contains("did you mean `gap`?"), "{e}");
    }

    #[test]
    fn an_unknown_design_key_is_rejected() {
        let text = GRID.replace("kind = \"grid\"", "kind = \"grid\"\npoints = 3");
        let e = Sweep::parse(&text, "s.toml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("key `design.points`: only lhs, sobol and morris"),
            "{e}"
        );
    }

    #[test]
    fn a_metric_on_a_missing_sector_is_rejected() {
        let text = GRID.replace("stat = \"final\"", "stat = \"final\"\nsector = \"leadng\"");
        let e = Sweep::parse(&text, "s.toml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `leading`?"), "{e}");
    }

    #[test]
    fn thousands_of_repeated_metrics_are_refused_at_once_with_the_first_twenty() {
        let mut text = GRID.to_string();
        for _ in 0..5000 {
            text.push_str(
                "\n[[metric]]\nname = \"gap_final\"\nseries = \"gap\"\nstat = \"final\"\n",
            );
        }
        let clock = std::time::Instant::now();
        let e = Sweep::parse(&text, "s.toml", Path::new(".")).unwrap_err();
        assert!(clock.elapsed().as_secs_f64() < 5.0, "{:?}", clock.elapsed());
        assert_eq!(e.diagnostics.len(), 20);
        assert_eq!(e.omitted, 4980);
        assert!(
            e.diagnostics[0]
                .to_string()
                .starts_with("s.toml:21:1: key `metric[1].name`: metric `gap_final` appears twice"),
            "{e}"
        );
    }
}
