//! Every design point checked before anything runs: it must make a valid scenario,
//! with every sector a metric reads; the first failure is located in the sweep file.

use super::super::spec::Sweep;
use super::{DesignTable, set_value};
use crate::scenario::error::{KeyPath, Problem, ScenarioError, near_miss};

/// Why a design point cannot be run.
enum PointProblem {
    /// The point's values do not make a valid scenario.
    Scenario(ScenarioError),
    /// Metric `metric` reads a sector the point's scenario does not have (a factor
    /// renamed it, say); `sectors` are the ones it has.
    MetricSector { metric: usize, sectors: Vec<String> },
}

/// Checks that every point gives a valid scenario, and one with every sector a metric
/// reads, before anything is run or written; the first failing point (the lowest
/// number) is reported, located at the factor's key or the metric's sector in the
/// sweep file.
pub fn check_points(sweep: &Sweep, table: &DesignTable) -> Result<(), ScenarioError> {
    use rayon::prelude::*;
    let base = crate::scenario::load::ParsedScenario::parse(&sweep.base.text, &sweep.base.origin)?;
    let failure = (0..table.len())
        .into_par_iter()
        .filter_map(|i| {
            let p = table.point(i);
            let mut edits = sweep.fixed_sets.clone();
            edits.extend(p.edits(&table.keys));
            match base.edit(&edits) {
                Err(e) => Some((i, PointProblem::Scenario(e))),
                Ok((scenario, _)) => missing_metric_sector(sweep, &scenario).map(|p| (i, p)),
            }
        })
        .min_by_key(|(i, _)| *i);
    let Some((i, problem)) = failure else {
        return Ok(());
    };
    let values: Vec<String> = table
        .keys
        .iter()
        .zip(&table.point(i).values)
        .map(|(k, v)| format!("{k} = {}", set_value(v)))
        .collect();
    let problem = match problem {
        PointProblem::Scenario(e) => scenario_problem(sweep, i, &values, &e),
        PointProblem::MetricSector { metric, sectors } => {
            let m = &sweep.spec.metric[metric];
            let mut p = Problem::new(
                KeyPath::root().key("metric").index(metric).key("sector"),
                format!(
                    "metric `{}` reads sector `{}`, which design point {i} ({}) does not \
                     have; its sectors are {}",
                    m.name,
                    m.sector,
                    values.join(", "),
                    sectors.join(", ")
                ),
            );
            p.suggestion = near_miss(&m.sector, sectors.iter().map(String::as_str));
            p
        }
    };
    let locator = crate::scenario::load::Locator::new(&sweep.text, &sweep.origin);
    Err(ScenarioError::single(locator.locate(problem)))
}

/// The first metric whose sector `scenario` lacks.
fn missing_metric_sector(
    sweep: &Sweep,
    scenario: &crate::scenario::Scenario,
) -> Option<PointProblem> {
    let has = |name: &str| name == "all" || scenario.sector.iter().any(|s| s.name == name);
    let metric = sweep.spec.metric.iter().position(|m| !has(&m.sector))?;
    Some(PointProblem::MetricSector {
        metric,
        sectors: scenario.sector.iter().map(|s| s.name.clone()).collect(),
    })
}

/// The problem of a point whose values make no valid scenario, at the factor that
/// failed (a list design's factors live in its CSV header: then at `design`).
fn scenario_problem(sweep: &Sweep, i: u64, values: &[String], e: &ScenarioError) -> Problem {
    let diagnostic = e.diagnostics.first();
    let factor = diagnostic.and_then(|d| {
        sweep
            .spec
            .design
            .factor
            .iter()
            .position(|f| d.origin.starts_with(&format!("--set {}=", f.key)))
    });
    let detail = diagnostic.map_or_else(
        || e.to_string(),
        |d| {
            if d.key.is_empty() {
                d.message.clone()
            } else {
                format!("key `{}`: {}", d.key, d.message)
            }
        },
    );
    let mut problem = Problem::new(
        match factor {
            Some(f) => KeyPath::root()
                .key("design")
                .key("factor")
                .index(f)
                .key("key"),
            None => KeyPath::root().key("design"),
        },
        format!(
            "design point {i} ({}) is not a valid scenario: {detail}",
            values.join(", ")
        ),
    );
    problem.suggestion = diagnostic.and_then(|d| d.suggestion.clone());
    if detail.contains("expected a whole number") {
        problem.suggestion = Some("integer = true".into());
    }
    problem
}
