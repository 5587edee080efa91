//! The result of a calibration: `best.toml` (the calibrated scenario, which `catchup
//! run` takes), `calibration.json` (best parameters and objective), `moments.csv`
//! (targets against the simulated means with their 95% intervals), `evaluations.csv`
//! (every evaluation), `sensitivity.csv` (each moment's response to each parameter at
//! the optimum), the calibration file as run, and `manifest.json`.

use serde::{Deserialize, Serialize};

use super::execute::Found;
use super::moments::{column, replicate_means};
use super::spec::Calibration;
use crate::output::{OutputError, ResultDir};
use crate::plot::figure::{Axis, Bar, Figure, Key, KeyStyle, Line, Panel, Scatter, colour};
use crate::scenario::load::edit_scenario;
use crate::sweep::analysis::mean_ci;

pub const BEST_FILE: &str = "best.toml";
pub const SUMMARY_FILE: &str = "calibration.json";
pub const MOMENTS_FILE: &str = "moments.csv";
pub const EVALUATIONS_FILE: &str = "evaluations.csv";
pub const SENSITIVITY_FILE: &str = "sensitivity.csv";
/// The calibration file as run.
pub const INPUT_FILE: &str = "calibration.toml";
pub const MANIFEST_FILE: &str = "manifest.json";
/// The charts: the objective's progress, and each moment's miss.
pub const PROGRESS_CHART: &str = "progress";
pub const FIT_CHART: &str = "fit";

/// What a calibration did, written as `manifest.json`. Timing fields and `threads`
/// are the only parts that differ between identical calibrations.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CalibrationManifest {
    pub program: String,
    pub version: String,
    #[serde(flatten)]
    pub source: crate::output::manifest::Source,
    pub command: String,
    pub calibration: String,
    pub base: String,
    pub parameters: Vec<String>,
    pub moments: Vec<String>,
    pub replicates: u32,
    pub seed: u64,
    pub budget: u32,
    /// Evaluations of the search, and of the sensitivity after it.
    pub evaluations: u64,
    pub evaluations_sensitivity: u64,
    /// Evaluations read from the journal on `--resume`.
    pub evaluations_resumed: u64,
    pub runs: u64,
    pub objective: Option<f64>,
    pub threads: usize,
    pub started_at: String,
    pub wall_seconds: f64,
    pub peak_memory_bytes: Option<u64>,
    pub files: Vec<String>,
}

/// One parameter in `calibration.json`.
#[derive(Debug, Clone, Serialize)]
struct BestParameter<'a> {
    key: &'a str,
    value: f64,
    min: f64,
    max: f64,
    log: bool,
    /// Where the value lies between the bounds, 0 to 1 (on the log scale if `log`):
    /// near 0 or 1, the optimum may lie beyond a bound.
    position: f64,
}

#[derive(Debug, Clone, Serialize)]
struct MomentFit<'a> {
    name: &'a str,
    target: f64,
    simulated: f64,
    low: f64,
    high: f64,
    weight: f64,
    contribution: f64,
}

/// A number for a table: the shortest form that reads back exactly (in exponent form
/// for huge or tiny magnitudes), empty when undefined.
fn cell(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        crate::scenario::error::number(v)
    }
}

/// Writes every file but the manifest; returns the manifest to complete.
pub fn write(
    cal: &Calibration,
    found: &Found,
    result: &ResultDir,
) -> Result<CalibrationManifest, OutputError> {
    let spec = &cal.spec;
    let n_moments = spec.moment.len();
    let best = &found.evaluations[found.best];
    let means = replicate_means(&best.moments, n_moments);
    let params = &spec.parameter;

    // best.toml: the base scenario's own text with the fixed settings and the best
    // parameters applied, and its own seed.
    let (_, table) = edit_scenario(&cal.base.text, &cal.base.origin, &cal.edits(&best.point))
        .map_err(|e| OutputError::Row(format!("the calibrated scenario does not load: {e}")))?;
    let mut text = format!(
        "# Calibrated by catchup {} with `catchup calibrate` ({}): the base scenario {}\n\
         # with the calibration's fixed settings and these parameters\n\
         # (objective {}, evaluation {} of {}):\n",
        env!("CARGO_PKG_VERSION"),
        spec.name,
        cal.base.origin,
        best.objective,
        found.best,
        found.evaluations.len()
    );
    for (p, &u) in params.iter().zip(&best.point) {
        text.push_str(&format!("#   {} = {}\n", p.key, p.value(u)));
    }
    text.push_str(&toml::to_string(&table).map_err(|e| OutputError::Row(e.to_string()))?);
    result.write_text(BEST_FILE, &text)?;
    result.write_text(INPUT_FILE, &cal.text)?;

    // moments.csv
    let mut fits = Vec::with_capacity(n_moments);
    let mut csv = result.csv(MOMENTS_FILE)?;
    csv.record(&[
        "moment",
        "stat",
        "sector",
        "target",
        "simulated",
        "ci_low",
        "ci_high",
        "weight",
        "contribution",
        "share_of_objective",
    ])?;
    for (m, spec_m) in spec.moment.iter().enumerate() {
        let ci = mean_ci(&column(&best.moments, n_moments, m));
        let w = spec_m.weight();
        let contribution = if means[m].is_nan() {
            f64::INFINITY
        } else {
            w * (means[m] - spec_m.target).powi(2)
        };
        let stat = serde_json::to_value(spec_m.stat)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        csv.record(&[
            &spec_m.name,
            &stat,
            &spec_m.sector,
            &cell(spec_m.target),
            &cell(ci.estimate),
            &cell(ci.low),
            &cell(ci.high),
            &cell(w),
            &cell(contribution),
            &cell(contribution / best.objective),
        ])?;
        fits.push(MomentFit {
            name: &spec_m.name,
            target: spec_m.target,
            simulated: ci.estimate,
            low: ci.low,
            high: ci.high,
            weight: w,
            contribution,
        });
    }
    csv.finish()?;

    // evaluations.csv
    let mut csv = result.csv(EVALUATIONS_FILE)?;
    let mut header: Vec<String> = vec!["evaluation".into(), "phase".into()];
    header.extend(params.iter().map(|p| p.key.clone()));
    header.push("objective".into());
    header.push("best_so_far".into());
    header.extend(spec.moment.iter().map(|m| m.name.clone()));
    csv.record(&header.iter().map(String::as_str).collect::<Vec<_>>())?;
    let mut best_so_far = f64::INFINITY;
    for (e, phase) in found.evaluations.iter().zip(&found.phases) {
        if *phase != super::execute::Phase::Sensitivity && e.objective < best_so_far {
            best_so_far = e.objective;
        }
        let mut row = vec![e.index.to_string(), phase.name().to_string()];
        row.extend(params.iter().zip(&e.point).map(|(p, &u)| cell(p.value(u))));
        row.push(cell(e.objective));
        row.push(cell(best_so_far));
        row.extend(replicate_means(&e.moments, n_moments).into_iter().map(cell));
        csv.record(&row.iter().map(String::as_str).collect::<Vec<_>>())?;
    }
    csv.finish()?;

    // sensitivity.csv: central (or one-sided) differences at the best point.
    let mut csv = result.csv(SENSITIVITY_FILE)?;
    csv.record(&[
        "moment",
        "parameter",
        "value",
        "derivative",
        "elasticity",
        "se_per_range",
    ])?;
    for (d, (p, &(lo, hi))) in params.iter().zip(&found.sensitivity).enumerate() {
        let (a, b) = (&found.evaluations[lo], &found.evaluations[hi]);
        let (ma, mb) = (
            replicate_means(&a.moments, n_moments),
            replicate_means(&b.moments, n_moments),
        );
        let (xa, xb) = (p.value(a.point[d]), p.value(b.point[d]));
        let du = b.point[d] - a.point[d];
        let x = p.value(best.point[d]);
        for (m, spec_m) in spec.moment.iter().enumerate() {
            let dm = mb[m] - ma[m];
            let derivative = if xb != xa { dm / (xb - xa) } else { f64::NAN };
            let elasticity = derivative * x / means[m];
            // The moment's change over the parameter's whole range, in the moment's
            // standard errors (1/sqrt(weight)): large means the parameter is
            // identified by this moment, near 0 that the moment cannot see it.
            let per_range = if du != 0.0 {
                dm / du * spec_m.weight().sqrt()
            } else {
                f64::NAN
            };
            csv.record(&[
                &spec_m.name,
                &p.key,
                &cell(x),
                &cell(derivative),
                &cell(elasticity),
                &cell(per_range),
            ])?;
        }
    }
    csv.finish()?;

    // calibration.json
    let parameters: Vec<BestParameter> = params
        .iter()
        .zip(&best.point)
        .map(|(p, &u)| BestParameter {
            key: &p.key,
            value: p.value(u),
            min: p.min,
            max: p.max,
            log: p.log,
            position: u,
        })
        .collect();
    let searched = found
        .phases
        .iter()
        .filter(|p| **p != super::execute::Phase::Sensitivity)
        .count() as u64;
    let finite = |v: f64| v.is_finite().then_some(v);
    let summary = serde_json::json!({
        "calibration": spec.name,
        "objective": finite(best.objective),
        "best_evaluation": found.best,
        "evaluations": searched,
        "replicates": spec.replicates,
        "seed": spec.seed,
        "parameters": parameters,
        "moments": fits,
    });
    let json = serde_json::to_string_pretty(&summary).expect("a summary always serializes");
    result.write_text(SUMMARY_FILE, &(json + "\n"))?;

    crate::plot::write_figures(&figures(cal, found), result).map_err(|e| OutputError::Io {
        path: result.path("calibration charts"),
        source: std::io::Error::other(e.to_string()),
    })?;

    let total = found.evaluations.len() as u64;
    Ok(CalibrationManifest {
        program: "catchup".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        source: crate::output::manifest::Source::of_this_build(),
        command: "calibrate".into(),
        calibration: spec.name.clone(),
        base: cal.base.origin.clone(),
        parameters: params.iter().map(|p| p.key.clone()).collect(),
        moments: spec.moment.iter().map(|m| m.name.clone()).collect(),
        replicates: spec.replicates,
        seed: spec.seed,
        budget: spec.budget,
        evaluations: searched,
        evaluations_sensitivity: total - searched,
        evaluations_resumed: found.resumed,
        runs: total * u64::from(spec.replicates),
        objective: finite(best.objective),
        threads: 0,
        started_at: String::new(),
        wall_seconds: 0.0,
        peak_memory_bytes: None,
        files: [
            BEST_FILE,
            SUMMARY_FILE,
            MOMENTS_FILE,
            EVALUATIONS_FILE,
            SENSITIVITY_FILE,
            INPUT_FILE,
            MANIFEST_FILE,
        ]
        .map(String::from)
        .into_iter()
        .chain(
            [PROGRESS_CHART, FIT_CHART]
                .into_iter()
                .flat_map(|stem| [format!("{stem}.svg"), format!("{stem}.png")]),
        )
        .collect(),
    })
}

/// The charts: the objective of every evaluation of the search and the best so far
/// (log scale); and each moment's miss at the optimum in its standard errors, with
/// the 95% interval over replicates.
fn figures(cal: &Calibration, found: &Found) -> Vec<Figure> {
    let spec = &cal.spec;
    let mut progress = Figure::new(
        PROGRESS_CHART,
        format!("Calibration {}: the objective", spec.name),
    );
    progress.subtitle = format!(
        "Weighted squared distance of the moments (means of {} replicates) from their targets, \
         at each evaluation of the search (dots) and the best so far (line).",
        spec.replicates
    );
    let mut panel = Panel::new(
        "objective",
        Axis::value("evaluation", &[0.0]),
        Axis::log("objective"),
    );
    let searched: Vec<&super::journal::Evaluation> = found
        .evaluations
        .iter()
        .zip(&found.phases)
        .filter(|(_, p)| **p != super::execute::Phase::Sensitivity)
        .map(|(e, _)| e)
        .collect();
    panel.scatter.push(Scatter {
        colour: colour(0),
        points: searched
            .iter()
            .filter(|e| e.objective.is_finite() && e.objective > 0.0)
            .map(|e| (e.index as f64, e.objective))
            .collect(),
    });
    let mut best = f64::INFINITY;
    panel.lines.push(Line {
        colour: colour(1),
        points: searched
            .iter()
            .map(|e| {
                best = best.min(e.objective);
                (e.index as f64, if best > 0.0 { best } else { f64::NAN })
            })
            .collect(),
    });
    progress.keys = vec![
        Key::styled("an evaluation", colour(0), KeyStyle::Dot),
        Key::line("best so far", colour(1)),
    ];
    progress.panels.push(panel);

    let best = &found.evaluations[found.best];
    let n = spec.moment.len();
    let mut fit = Figure::new(
        FIT_CHART,
        format!("Calibration {}: the moments at the optimum", spec.name),
    );
    fit.subtitle = "Each moment's miss, simulated mean minus target, in the moment's standard \
                    errors (1/sqrt(weight)); whiskers: 95% interval over replicates. 0 is a \
                    perfect fit."
        .into();
    let mut panel = Panel::new(
        "miss",
        Axis::value("(simulated - target) / standard error", &[0.0]),
        Axis::value("", &[]),
    );
    panel.categories = spec.moment.iter().map(|m| m.name.clone()).collect();
    for (m, moment) in spec.moment.iter().enumerate() {
        let ci = mean_ci(&column(&best.moments, n, m));
        let scale = moment.weight().sqrt();
        let row = panel.category_row(m);
        panel.bars.push(Bar {
            colour: colour(0),
            row,
            estimate: (ci.estimate - moment.target) * scale,
            low: (ci.low - moment.target) * scale,
            high: (ci.high - moment.target) * scale,
        });
    }
    fit.keys = vec![Key::styled("miss", colour(0), KeyStyle::Bar)];
    fit.panel_width = Some(720);
    fit.panel_height = Some((140 + 48 * n as u32).max(320));
    fit.panels.push(panel);
    vec![progress, fit]
}

/// Writes `manifest.json`.
pub fn write_manifest(m: &CalibrationManifest, result: &ResultDir) -> Result<(), OutputError> {
    let json = serde_json::to_string_pretty(m).expect("a manifest always serializes");
    result.write_text(MANIFEST_FILE, &(json + "\n"))
}
