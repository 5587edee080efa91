//! The charts of a sweep that answer its question: how does each metric move with
//! each factor, and which factors matter?
//!
//! - a grid design: each metric against each factor, the mean over replicates with its
//!   95% interval at every level, in small multiples by the other factors' levels
//!   (panels on one value scale, so that they compare);
//! - any other design (lhs, sobol, saltelli-random, morris, list): each metric against
//!   each factor as a scatter of the design points' means, with binned means and their
//!   95% intervals as the smoother;
//! - a Saltelli design: bars of the first-order and total Sobol indices with their
//!   bootstrap intervals; a Morris design: bars of mu* and sigma with theirs.
//!
//! The numbers are those of `catchup analyze` ([`SweepData`]): the same means,
//! intervals and indices. Pure: data in, [`Figure`]s out.

use std::collections::BTreeMap;

use super::figure::{Axis, Bar, Figure, Intervals, Key, KeyStyle, Line, Panel, Scatter, colour};
use crate::sweep::analysis::{Interval, mean_ci};
use crate::sweep::report::{PointMean, SweepData};
use crate::sweep::spec::{Metric, factor_column};

/// Most panels of a grid chart's small multiples; with more combinations of the other
/// factors, each level's mean is taken over all of them in a single panel.
pub const MAX_MULTIPLES: usize = 12;

/// Distinct values up to which a continuous design's factor is binned by value (a
/// Morris design's levels, an integer factor) rather than into bins of equal counts.
const MAX_LEVELS: usize = 10;

/// Bins of a continuous design's smoother: about this many points per bin, within
/// [`MIN_BINS`, `MAX_BINS`].
const POINTS_PER_BIN: usize = 15;
const MIN_BINS: usize = 3;
const MAX_BINS: usize = 10;

/// A value for a legend or a panel title: at most four significant digits, so that a
/// sampled `0.27237265787452924` reads `0.2724`; integers stay as they are.
pub fn rounded(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let a = v.abs();
    if a < 1e-3 {
        let text = format!("{v:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let digits = a.log10().floor() as i32;
    let decimals = (3 - digits).clamp(0, 12) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A factor's value as written in `points.csv`, rounded when it is a number.
pub fn rounded_cell(cell: &str) -> String {
    match cell.parse::<f64>() {
        Ok(v) => rounded(v),
        Err(_) => cell.to_string(),
    }
}

/// A factor value as a number: booleans are 0 and 1; anything else is no number.
fn numeric(cell: &str) -> Option<f64> {
    match cell {
        "true" => Some(1.0),
        "false" => Some(0.0),
        c => c.parse().ok().filter(|v: &f64| v.is_finite()),
    }
}

/// What a factor's axis says: its key, and its unit from the lever or parameter
/// catalogue when the key names one.
fn factor_axis(key: &str) -> Axis {
    let name = key.rsplit('.').next().unwrap_or(key);
    let unit = crate::scenario::lever_table::lever(name)
        .or_else(|| crate::scenario::MODEL_PARAMS.iter().find(|p| p.key == name))
        .map(|k| k.unit)
        .filter(|u| !u.is_empty());
    match unit {
        Some(u) => Axis::value(format!("{key} ({u})"), &[]),
        None => Axis::value(key, &[]),
    }
}

/// The sweep's metric definitions, from the `sweep.toml` kept in its result: what
/// each metric is and its unit. None if the file cannot be read (the charts then name
/// the metric alone).
pub fn read_metrics(dir: &std::path::Path) -> Vec<Metric> {
    #[derive(serde::Deserialize)]
    struct Metrics {
        #[serde(default)]
        metric: Vec<Metric>,
    }
    std::fs::read_to_string(dir.join(crate::sweep::execute::SWEEP_FILE))
        .ok()
        .and_then(|t| toml::from_str::<Metrics>(&t).ok())
        .map(|m| m.metric)
        .unwrap_or_default()
}

/// A metric's value axis and what it is, in words.
fn metric_axis(name: &str, defs: &[Metric]) -> (Axis, String) {
    let Some(m) = defs.iter().find(|m| m.name == name) else {
        return (Axis::value(name, &[]), String::new());
    };
    let unit = crate::observe::column(&m.series)
        .map(|c| c.unit)
        .unwrap_or_default();
    // The catalogue's units are axis labels of their own ("overcapacity (0–1)").
    let label = if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name}: {unit}")
    };
    // The description quotes names in Markdown's backticks, which a chart would show.
    let mut what = m.describe().replace('`', "");
    if let Some(first) = what.get(..1) {
        what = first.to_uppercase() + &what[1..];
    }
    (Axis::value(label, &[]), format!("{name}: {what}."))
}

fn suffix(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" — {name}")
    }
}

/// The charts of a metric against each factor, for every metric.
pub fn factor_figures(name: &str, data: &SweepData, metrics: &[Metric]) -> Vec<Figure> {
    let means = data.point_means();
    // A factor with no numeric value (a list of names) has no axis to draw along.
    let numeric_factors: Vec<usize> = (0..data.manifest.factors.len())
        .filter(|&f| {
            data.points
                .values()
                .any(|p| p.factors.get(f).and_then(|c| numeric(c)).is_some())
        })
        .collect();
    let mut figs = vec![];
    for (m, metric) in data.manifest.metrics.iter().enumerate() {
        let of: Vec<&PointMean> = means.iter().filter(|p| p.metric == m).collect();
        let (axis, what) = metric_axis(metric, metrics);
        if data.manifest.design == "grid" {
            for &f in &numeric_factors {
                figs.push(grid_figure(name, data, metric, &axis, &what, f, &of));
            }
        } else {
            figs.push(scatter_figure(
                name,
                data,
                metric,
                &axis,
                &what,
                &of,
                &numeric_factors,
            ));
        }
    }
    figs
}

/// A grid design's chart of one metric against factor `f`: a panel per combination of
/// the other factors' levels (at most [`MAX_MULTIPLES`]), each the means over
/// replicates with their 95% intervals at every level of `f`, on one value scale.
fn grid_figure(
    name: &str,
    data: &SweepData,
    metric: &str,
    axis: &Axis,
    what: &str,
    f: usize,
    means: &[&PointMean],
) -> Figure {
    let factors = &data.manifest.factors;
    let key = &factors[f];
    let mut fig = Figure::new(
        format!("{metric}-by-{}", factor_column(key)),
        format!("{metric} against {key}{}", suffix(name)),
    );
    let pen = colour(0);
    // Each point's value of f, and the levels of the other factors, as written.
    let mut multiples: BTreeMap<Vec<String>, Vec<(f64, Interval)>> = BTreeMap::new();
    let mut order: Vec<Vec<String>> = vec![];
    for p in means {
        let Some(info) = data.points.get(&p.point) else {
            continue;
        };
        let Some(x) = info.factors.get(f).and_then(|c| numeric(c)) else {
            continue;
        };
        let others: Vec<String> = info
            .factors
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != f)
            .map(|(_, v)| v.clone())
            .collect();
        if !multiples.contains_key(&others) {
            order.push(others.clone());
        }
        multiples.entry(others).or_default().push((x, p.ci));
    }
    let other_keys: Vec<&String> = factors
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != f)
        .map(|(_, k)| k)
        .collect();
    let replicates = data.manifest.replicates;
    let mut subtitle = format!(
        "Mean over {replicates} replicate{} at each level of {key}, with its 95% confidence \
         interval (Student's t).",
        if replicates == 1 { "" } else { "s" }
    );
    if order.len() > MAX_MULTIPLES {
        // Too many combinations for small multiples: each level's mean over every run
        // at that level, whatever the other factors.
        subtitle.push_str(&format!(
            " Averaged over the {} combinations of {}.",
            order.len(),
            names(&other_keys)
        ));
        let mut pooled: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
        for p in means {
            if let Some(x) = data
                .points
                .get(&p.point)
                .and_then(|i| i.factors.get(f))
                .and_then(|c| numeric(c))
            {
                pooled
                    .entry(x.to_bits())
                    .or_default()
                    .extend(data.replicate_values(p.metric, p.point));
            }
        }
        let points = pooled
            .into_iter()
            .map(|(bits, v)| (f64::from_bits(bits), mean_ci(&v)))
            .collect();
        fig.panels
            .push(level_panel(String::new(), key, axis, pen, points));
    } else {
        if !other_keys.is_empty() {
            subtitle.push_str(&format!(
                " One panel for each level of {}.",
                names(&other_keys)
            ));
        }
        for others in order {
            let title = other_keys
                .iter()
                .zip(&others)
                .map(|(k, v)| format!("{} = {}", short_key(k), rounded_cell(v)))
                .collect::<Vec<_>>()
                .join(", ");
            let points = multiples.remove(&others).unwrap_or_default();
            fig.panels.push(level_panel(title, key, axis, pen, points));
        }
    }
    if !what.is_empty() {
        subtitle.push(' ');
        subtitle.push_str(what);
    }
    fig.subtitle = subtitle;
    fig.keys = vec![Key::line(
        "mean over replicates, with its 95% interval",
        pen,
    )];
    fig
}

/// The last part of a key (`tariff` for `policy.tariff`), for panel titles.
fn short_key(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn names(keys: &[&String]) -> String {
    keys.iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A panel of means with intervals at the levels of a factor, joined by a line.
fn level_panel(
    title: String,
    key: &str,
    axis: &Axis,
    pen: super::figure::Pen,
    mut points: Vec<(f64, Interval)>,
) -> Panel {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut panel = Panel::new(title, factor_axis(key), axis.clone());
    panel.shared_y = true;
    // A margin of a tenth of the levels' span on each side, so that the first and
    // last whiskers stand clear of the frame.
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let m = (last.0 - first.0) * 0.1;
        panel.x.include = vec![first.0 - m, last.0 + m];
    }
    panel.lines.push(Line {
        colour: pen,
        points: points.iter().map(|(x, c)| (*x, c.estimate)).collect(),
    });
    panel.intervals.push(Intervals {
        colour: pen,
        points: points
            .iter()
            .map(|(x, c)| (*x, c.estimate, c.low, c.high))
            .collect(),
    });
    panel
}

/// A continuous design's chart of one metric: a panel per factor, the design points'
/// means as dots, and binned means with 95% intervals as the smoother.
fn scatter_figure(
    name: &str,
    data: &SweepData,
    metric: &str,
    axis: &Axis,
    what: &str,
    means: &[&PointMean],
    factors: &[usize],
) -> Figure {
    let mut fig = Figure::new(
        format!("{metric}-by-factor"),
        format!("{metric} against each factor{}", suffix(name)),
    );
    let (dots, smooth) = (colour(5), colour(1));
    let n = means.iter().filter(|p| p.ci.estimate.is_finite()).count();
    let replicates = data.manifest.replicates;
    let mut subtitle = format!(
        "Dots: the {n} design points of the {} design, each the mean over {replicates} \
         replicate{}. Line: the mean of the dots in bins of the factor (by level when it \
         has at most {MAX_LEVELS}, else of equal counts), with its 95% confidence \
         interval.",
        data.manifest.design,
        if replicates == 1 { "" } else { "s" }
    );
    if !what.is_empty() {
        subtitle.push(' ');
        subtitle.push_str(what);
    }
    fig.subtitle = subtitle;
    fig.keys = vec![
        Key::styled("design point (mean over replicates)", dots, KeyStyle::Dot),
        Key::line("binned mean, with its 95% interval", smooth),
    ];
    for &f in factors {
        let key = &data.manifest.factors[f];
        let xy: Vec<(f64, f64)> = means
            .iter()
            .filter_map(|p| {
                let x = numeric(data.points.get(&p.point)?.factors.get(f)?)?;
                p.ci.estimate.is_finite().then_some((x, p.ci.estimate))
            })
            .collect();
        let mut panel = Panel::new(short_key(key), factor_axis(key), axis.clone());
        panel.shared_y = true;
        let bins = binned(&xy);
        panel.lines.push(Line {
            colour: smooth,
            points: bins.iter().map(|(x, c)| (*x, c.estimate)).collect(),
        });
        panel.intervals.push(Intervals {
            colour: smooth,
            points: bins
                .iter()
                .map(|(x, c)| (*x, c.estimate, c.low, c.high))
                .collect(),
        });
        panel.scatter.push(Scatter {
            colour: dots,
            points: xy,
        });
        fig.panels.push(panel);
    }
    fig
}

/// Binned means of `y` against `x`: by distinct `x` when there are at most
/// [`MAX_LEVELS`] of them, else in bins of about equal counts (equal `x` values never
/// split across bins); each bin at the mean of its `x`, with the mean of its `y` and
/// its 95% interval.
pub fn binned(xy: &[(f64, f64)]) -> Vec<(f64, Interval)> {
    let mut sorted: Vec<(f64, f64)> = xy
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut levels: Vec<f64> = sorted.iter().map(|p| p.0).collect();
    levels.dedup();
    let groups: Vec<&[(f64, f64)]> = if levels.len() <= MAX_LEVELS {
        sorted.chunk_by(|a, b| a.0 == b.0).collect()
    } else {
        let bins = (sorted.len() / POINTS_PER_BIN).clamp(MIN_BINS, MAX_BINS);
        let size = sorted.len().div_ceil(bins);
        let mut out = vec![];
        let mut start = 0;
        while start < sorted.len() {
            let mut end = (start + size).min(sorted.len());
            while end < sorted.len() && sorted[end].0 == sorted[end - 1].0 {
                end += 1;
            }
            out.push(&sorted[start..end]);
            start = end;
        }
        out
    };
    groups
        .into_iter()
        .map(|g| {
            let x = g.iter().map(|p| p.0).sum::<f64>() / g.len() as f64;
            let ys: Vec<f64> = g.iter().map(|p| p.1).collect();
            (x, mean_ci(&ys))
        })
        .collect()
}

/// Bar charts of the sensitivity indices, a panel per metric: the Sobol indices of a
/// Saltelli design, or the Morris measures of a Morris design; none for other designs.
pub fn index_figures(
    name: &str,
    data: &SweepData,
) -> Result<Vec<Figure>, crate::sweep::SweepError> {
    let factors = &data.manifest.factors;
    let metrics = &data.manifest.metrics;
    let (first, second) = (colour(0), colour(1));
    let mut fig;
    if data.is_saltelli() {
        let rows = data.sobol();
        fig = Figure::new("sobol-indices", format!("Sobol indices{}", suffix(name)));
        let n = rows.first().map_or(0, |r| r.rows);
        fig.subtitle = format!(
            "The share of each metric's variance a factor explains alone (first order, S1) \
             and with all its interactions (total, ST), from {n} Saltelli rows; whiskers: \
             95% bootstrap intervals ({} resamples). ST much above S1: the factor acts \
             through interactions; both near 0: it does not matter.",
            crate::sweep::report::BOOTSTRAP
        );
        fig.keys = vec![
            Key::styled("first order S1", first, KeyStyle::Bar),
            Key::styled("total ST", second, KeyStyle::Bar),
        ];
        for (m, metric) in metrics.iter().enumerate() {
            let mut panel = Panel::new(
                metric.as_str(),
                Axis::value("Sobol index (share of variance)", &[0.0, 1.0]),
                Axis::value("", &[]),
            );
            panel.categories = factors.clone();
            for r in rows.iter().filter(|r| r.metric == m) {
                let row = panel.category_row(r.factor);
                panel.bars.push(bar(first, row + 0.2, r.index.first));
                panel.bars.push(bar(second, row - 0.2, r.index.total));
            }
            fig.panels.push(panel);
        }
    } else if data.is_morris() {
        let rows = data.morris()?;
        fig = Figure::new(
            "morris-indices",
            format!("Morris screening{}", suffix(name)),
        );
        let r = rows.first().map_or(0, |r| r.trajectories);
        fig.subtitle = format!(
            "Elementary effects of each factor over its whole range, from {r} trajectories: \
             mu*, the mean absolute effect (how much the factor matters), and sigma, their \
             standard deviation (how much its effect depends on the other factors or is \
             nonlinear); whiskers: 95% bootstrap intervals ({} resamples). In the metric's \
             units.",
            crate::sweep::report::BOOTSTRAP
        );
        fig.keys = vec![
            Key::styled("mu* (mean absolute effect)", first, KeyStyle::Bar),
            Key::styled("sigma (spread of the effects)", second, KeyStyle::Bar),
        ];
        for (m, metric) in metrics.iter().enumerate() {
            let mut panel = Panel::new(
                metric.as_str(),
                Axis::value(format!("effect on {metric} over a factor's range"), &[0.0]),
                Axis::value("", &[]),
            );
            panel.categories = factors.clone();
            for r in rows.iter().filter(|r| r.metric == m) {
                let row = panel.category_row(r.factor);
                panel.bars.push(bar(first, row + 0.2, r.index.mu_star));
                panel.bars.push(bar(second, row - 0.2, r.index.sigma));
            }
            fig.panels.push(panel);
        }
    } else {
        return Ok(vec![]);
    }
    // Wide panels (the factor names take a good part of the width), on the usual grid.
    fig.panel_width = Some(720);
    fig.panel_height = Some((140 + 64 * factors.len() as u32).max(320));
    Ok(vec![fig])
}

fn bar(colour: super::figure::Pen, row: f64, i: Interval) -> Bar {
    Bar {
        colour,
        row,
        estimate: i.estimate,
        low: i.low,
        high: i.high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_rounded_for_legends() {
        assert_eq!(rounded(0.27237265787452924), "0.2724");
        assert_eq!(rounded(3.0), "3");
        assert_eq!(rounded(1234.5678), "1235");
        assert_eq!(rounded(-0.5), "-0.5");
        assert_eq!(rounded(0.000_123_456), "1.235e-4");
        assert_eq!(rounded_cell("0.30000000000000004"), "0.3");
        assert_eq!(rounded_cell("true"), "true");
        assert_eq!(numeric("true"), Some(1.0));
        assert_eq!(numeric("x"), None);
    }

    #[test]
    fn bins_follow_levels_or_equal_counts() {
        // Three levels: a bin each, at the level, with the mean of its values.
        let xy: Vec<(f64, f64)> = (0..30)
            .map(|i| ((i % 3) as f64, (i % 3) as f64 * 10.0 + (i % 2) as f64))
            .collect();
        let b = binned(&xy);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].0, 1.0);
        assert!((b[1].1.estimate - 10.5).abs() < 1e-12);
        assert!(b[1].1.low < 10.5 && b[1].1.high > 10.5);
        // 100 distinct values: equal-count bins, in order of x, covering every point.
        let xy: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, 2.0 * i as f64)).collect();
        let b = binned(&xy);
        assert_eq!(b.len(), 6);
        assert!(b.windows(2).all(|w| w[0].0 < w[1].0));
        for (x, c) in &b {
            assert!(
                (c.estimate - 2.0 * x).abs() < 1e-9,
                "a linear y is its bin's x"
            );
        }
        assert!(binned(&[(f64::NAN, 1.0)]).is_empty());
    }
}
