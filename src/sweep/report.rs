//! `catchup analyze`: from a sweep's result to per-point means with confidence
//! intervals, and Sobol or Morris sensitivity indices, as tables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::analysis::{
    Interval, MorrisInterval, SobolIndex, mean_ci, morris_intervals, sobol_indices,
};
use super::error::SweepError;
use super::execute::{MANIFEST_FILE, POINTS_FILE, RUNS_FILE, SweepManifest};
use super::spec::factor_column;
use crate::output::ResultDir;

/// Bootstrap resamples for Sobol confidence intervals.
pub const BOOTSTRAP: usize = 1000;

/// A table: a title, column names and rows of cells, written as CSV and printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub file: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as aligned text.
    pub fn render(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| shown(c)).collect())
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].len())
                    .chain([self.columns[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        let mut out = format!("{}\n{}\n", self.title, line(&self.columns));
        for r in &rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }
}

/// A number as written in the CSV files: full precision, empty when undefined.
fn fmt(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

/// A cell as printed: numbers with more than four decimals to four; shorter ones (a
/// factor's level, `0.3`) as written.
fn shown(cell: &str) -> String {
    let long = cell.contains('e') || cell.split_once('.').is_some_and(|(_, d)| d.len() > 4);
    match cell.parse::<f64>() {
        Ok(v) if long => format!("{v:.4}"),
        _ => cell.to_string(),
    }
}

/// A sweep result read for analysis: its manifest, its design points (roles and
/// factor values) and each metric's replicate values at each point. `catchup analyze`
/// tabulates it; `catchup plot` charts it, from the same numbers.
pub struct SweepData {
    /// The sweep result's folder.
    pub dir: PathBuf,
    pub manifest: SweepManifest,
    /// The design points in order, each with its group, role and factor values.
    pub points: BTreeMap<u64, PointInfo>,
    /// metric -> point -> replicate values
    values: Vec<BTreeMap<u64, Vec<f64>>>,
}

/// A design point as `points.csv` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct PointInfo {
    /// The Sobol row or Morris trajectory.
    pub group: Option<u64>,
    /// Sobol `A`, `B`, `AB<i>`; Morris `base`, `F<i>`; empty in other designs.
    pub role: String,
    /// The value of each factor of the manifest, in its order, as written.
    pub factors: Vec<String>,
}

/// A metric's mean at a design point, over the replicates where it is defined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointMean {
    /// Index into the manifest's metrics.
    pub metric: usize,
    pub point: u64,
    /// Replicates in which the metric is defined.
    pub n: usize,
    pub ci: Interval,
}

/// A factor's Sobol indices for a metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolRow {
    pub metric: usize,
    pub factor: usize,
    /// Saltelli rows with every output defined (the ones the indices use).
    pub rows: usize,
    pub index: SobolIndex,
}

/// A factor's Morris measures for a metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisRow {
    pub metric: usize,
    pub factor: usize,
    pub trajectories: usize,
    pub index: MorrisInterval,
}

/// A CSV file of a sweep result that cannot be read: an I/O failure, or a file that
/// is not what a sweep writes.
fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> SweepError + '_ {
    move |e| {
        let why = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(source) => SweepError::Io {
                path: path.to_path_buf(),
                source,
            },
            _ => SweepError::Damaged {
                path: path.to_path_buf(),
                why,
            },
        }
    }
}

/// A table of the result, `path` or the Parquet table of the same name, as CSV cells.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), SweepError> {
    let input = crate::output::read::csv_input(path)?.ok_or_else(|| SweepError::Io {
        path: path.to_path_buf(),
        source: std::io::ErrorKind::NotFound.into(),
    })?;
    let mut r = csv::Reader::from_reader(input);
    let header: Vec<String> = r
        .headers()
        .map_err(csv_error(path))?
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.map(|rec| rec.iter().map(String::from).collect()))
        .collect::<Result<Vec<Vec<String>>, _>>()
        .map_err(csv_error(path))?;
    Ok((header, rows))
}

impl SweepData {
    /// Reads the manifest, `points.csv` and `runs.csv` of the sweep result in `dir`.
    pub fn read(dir: &Path) -> Result<SweepData, SweepError> {
        let manifest = SweepManifest::read(dir)?;
        let points_path = dir.join(POINTS_FILE);
        let (header, rows) = read_csv(&points_path)?;
        // A factor's column is its key made a plain name; an older result has the key.
        let factor_columns = manifest
            .factors
            .iter()
            .map(|key| {
                header
                    .iter()
                    .position(|h| *h == factor_column(key) || h == key)
                    .ok_or_else(|| SweepError::Damaged {
                        path: points_path.clone(),
                        why: format!("it has no column for factor `{key}`"),
                    })
            })
            .collect::<Result<Vec<usize>, _>>()?;
        let points = rows
            .iter()
            .filter_map(|r| {
                let p = r.first()?.parse().ok()?;
                let group = r.get(1).and_then(|g| g.parse().ok());
                let factors = factor_columns
                    .iter()
                    .map(|&c| r.get(c).cloned().unwrap_or_default())
                    .collect();
                Some((
                    p,
                    PointInfo {
                        group,
                        role: r.get(2).cloned().unwrap_or_default(),
                        factors,
                    },
                ))
            })
            .collect();
        let (header, runs) = read_csv(&dir.join(RUNS_FILE))?;
        let mut values = Vec::new();
        for m in &manifest.metrics {
            let col = header
                .iter()
                .position(|h| h == m)
                .ok_or_else(|| SweepError::Damaged {
                    path: dir.join(RUNS_FILE),
                    why: format!("it has no column for metric `{m}`"),
                })?;
            let mut per_point: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
            for r in &runs {
                let point: u64 = r.get(1).and_then(|p| p.parse().ok()).unwrap_or(u64::MAX);
                let v = r.get(col).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
                per_point.entry(point).or_default().push(v);
            }
            values.push(per_point);
        }
        Ok(SweepData {
            dir: dir.to_path_buf(),
            manifest,
            points,
            values,
        })
    }

    /// Each metric's mean with its 95% interval at each design point that has runs,
    /// metric by metric, points in order.
    pub fn point_means(&self) -> Vec<PointMean> {
        let mut out = Vec::new();
        for (metric, per_point) in self.values.iter().enumerate() {
            for (&point, vals) in per_point {
                out.push(PointMean {
                    metric,
                    point,
                    n: vals.iter().filter(|v| !v.is_nan()).count(),
                    ci: mean_ci(vals),
                });
            }
        }
        out
    }

    /// A metric's replicate values at a design point (NaN where undefined).
    pub fn replicate_values(&self, metric: usize, point: u64) -> Vec<f64> {
        self.values
            .get(metric)
            .and_then(|m| m.get(&point))
            .cloned()
            .unwrap_or_default()
    }

    /// Whether the design is a Saltelli design, whose Sobol indices can be estimated.
    pub fn is_saltelli(&self) -> bool {
        matches!(self.manifest.design.as_str(), "sobol" | "saltelli-random")
    }

    /// Whether the design is a Morris design.
    pub fn is_morris(&self) -> bool {
        self.manifest.design == "morris"
    }
}

/// The analysis of a sweep result: tables, written under `<dir>/analysis/`.
pub fn analyze(dir: &Path, force: bool) -> Result<Vec<Table>, SweepError> {
    let data = SweepData::read(dir)?;
    if data.manifest.shard != "1/1" && data.manifest.shard != "merged" {
        return Err(SweepError::Refused(format!(
            "{} is shard {} of a sweep; merge the shards first (`catchup merge`)",
            dir.display(),
            data.manifest.shard
        )));
    }
    let mut tables = vec![point_means(&data)];
    if data.is_saltelli() {
        tables.push(sobol_table(&data));
    } else if data.is_morris() {
        tables.push(morris_table(&data)?);
    }
    let result = ResultDir::create(&dir.join("analysis"), force)?;
    for t in &tables {
        let mut csv = result.csv(&t.file)?;
        let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        csv.record(&cols)?;
        for r in &t.rows {
            let r: Vec<&str> = r.iter().map(String::as_str).collect();
            csv.record(&r)?;
        }
        csv.finish()?;
    }
    // Mark the analysis as a catchup result, so that --force may replace it.
    result.write_text(
        MANIFEST_FILE,
        "{\"program\": \"catchup\", \"analysis_of\": \"..\"}\n",
    )?;
    result.commit()?;
    Ok(tables)
}

fn point_means(data: &SweepData) -> Table {
    let metrics = &data.manifest.metrics;
    let rows = data
        .point_means()
        .into_iter()
        .map(|m| {
            let mut row = vec![m.point.to_string()];
            // The factor values, so that the table reads on its own (and joins
            // nothing to be plotted).
            match data.points.get(&m.point) {
                Some(p) => row.extend(p.factors.iter().cloned()),
                None => row.extend(data.manifest.factors.iter().map(|_| String::new())),
            }
            row.extend([
                metrics[m.metric].clone(),
                m.n.to_string(),
                fmt(m.ci.estimate),
                fmt(m.ci.low),
                fmt(m.ci.high),
            ]);
            row
        })
        .collect();
    let mut columns = vec!["point".to_string()];
    columns.extend(data.manifest.factors.iter().map(|k| factor_column(k)));
    columns.extend(["metric", "n", "mean", "ci_low", "ci_high"].map(String::from));
    Table {
        file: "point_means.csv".into(),
        title: "Mean of each metric at each design point, with 95% confidence intervals across replicates".into(),
        columns,
        rows,
    }
}

/// Mean over replicates of a metric at each point (NaN if undefined everywhere).
fn means(data: &SweepData, m: usize) -> BTreeMap<u64, f64> {
    data.values[m]
        .iter()
        .map(|(p, v)| (*p, mean_ci(v).estimate))
        .collect()
}

impl SweepData {
    /// Sobol indices of every factor for every metric (a Saltelli design's rows: group
    /// j has A, B and AB1..ABk), with bootstrap intervals seeded by the master seed.
    pub fn sobol(&self) -> Vec<SobolRow> {
        let k = self.manifest.factors.len();
        let mut out = Vec::new();
        for m in 0..self.manifest.metrics.len() {
            let y = means(self, m);
            let mut blocks: BTreeMap<u64, (f64, f64, Vec<f64>)> = BTreeMap::new();
            for (point, info) in &self.points {
                let (Some(j), Some(&v)) = (info.group, y.get(point)) else {
                    continue;
                };
                let entry = blocks
                    .entry(j)
                    .or_insert_with(|| (f64::NAN, f64::NAN, vec![f64::NAN; k]));
                match info.role.as_str() {
                    "A" => entry.0 = v,
                    "B" => entry.1 = v,
                    r => {
                        if let Some(i) = r.strip_prefix("AB").and_then(|i| i.parse::<usize>().ok())
                            && (1..=k).contains(&i)
                        {
                            entry.2[i - 1] = v;
                        }
                    }
                }
            }
            // Rows with an undefined output anywhere are left out.
            let complete: Vec<&(f64, f64, Vec<f64>)> = blocks
                .values()
                .filter(|(a, b, ab)| {
                    a.is_finite() && b.is_finite() && ab.iter().all(|v| v.is_finite())
                })
                .collect();
            let y_a: Vec<f64> = complete.iter().map(|b| b.0).collect();
            let y_b: Vec<f64> = complete.iter().map(|b| b.1).collect();
            let y_ab: Vec<Vec<f64>> = (0..k)
                .map(|i| complete.iter().map(|b| b.2[i]).collect())
                .collect();
            if y_a.len() < 2 {
                continue;
            }
            let indices = sobol_indices(&y_a, &y_b, &y_ab, BOOTSTRAP, self.manifest.seed);
            out.extend(
                indices
                    .into_iter()
                    .enumerate()
                    .map(|(factor, index)| SobolRow {
                        metric: m,
                        factor,
                        rows: y_a.len(),
                        index,
                    }),
            );
        }
        out
    }

    /// Morris measures of every factor for every metric, from the elementary effects
    /// along each trajectory, with bootstrap intervals seeded by the master seed.
    pub fn morris(&self) -> Result<Vec<MorrisRow>, SweepError> {
        let k = self.manifest.factors.len();
        let delta = self
            .manifest
            .morris_delta
            .ok_or_else(|| SweepError::Damaged {
                path: self.dir.join(MANIFEST_FILE),
                why: "a morris sweep's manifest without morris_delta".into(),
            })?;
        let mut out = Vec::new();
        for m in 0..self.manifest.metrics.len() {
            let y = means(self, m);
            let mut effects: Vec<Vec<f64>> = vec![Vec::new(); k];
            let mut previous: Option<(u64, f64)> = None;
            // Points of a trajectory are consecutive: base, then one factor moved per step.
            for (point, info) in &self.points {
                let v = y.get(point).copied().unwrap_or(f64::NAN);
                if info.role == "base" {
                    previous = info.group.map(|g| (g, v));
                    continue;
                }
                if let (Some((g, before)), Some(i)) = (
                    previous,
                    info.role
                        .strip_prefix('F')
                        .and_then(|i| i.parse::<usize>().ok()),
                ) && Some(g) == info.group
                    && (1..=k).contains(&i)
                {
                    if before.is_finite() && v.is_finite() {
                        effects[i - 1].push((v - before) / delta);
                    }
                    previous = Some((g, v));
                }
            }
            let indices = morris_intervals(&effects, BOOTSTRAP, self.manifest.seed);
            out.extend(
                indices
                    .into_iter()
                    .enumerate()
                    .map(|(factor, index)| MorrisRow {
                        metric: m,
                        factor,
                        trajectories: effects[factor].len(),
                        index,
                    }),
            );
        }
        Ok(out)
    }
}

fn sobol_table(data: &SweepData) -> Table {
    let rows = data
        .sobol()
        .into_iter()
        .map(|r| {
            let (s1, st) = (r.index.first, r.index.total);
            vec![
                data.manifest.metrics[r.metric].clone(),
                data.manifest.factors[r.factor].clone(),
                r.rows.to_string(),
                fmt(s1.estimate),
                fmt(s1.low),
                fmt(s1.high),
                fmt(st.estimate),
                fmt(st.low),
                fmt(st.high),
            ]
        })
        .collect();
    Table {
        file: "sobol.csv".into(),
        title: format!(
            "Sobol indices (first order S1, total ST) with 95% bootstrap intervals ({BOOTSTRAP} resamples)"
        ),
        columns: [
            "metric", "factor", "rows", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn morris_table(data: &SweepData) -> Result<Table, SweepError> {
    let rows = data
        .morris()?
        .into_iter()
        .map(|r| {
            let i = r.index;
            vec![
                data.manifest.metrics[r.metric].clone(),
                data.manifest.factors[r.factor].clone(),
                r.trajectories.to_string(),
                fmt(i.mu),
                fmt(i.mu_star.estimate),
                fmt(i.mu_star.low),
                fmt(i.mu_star.high),
                fmt(i.sigma.estimate),
                fmt(i.sigma.low),
                fmt(i.sigma.high),
            ]
        })
        .collect();
    Ok(Table {
        file: "morris.csv".into(),
        title: format!(
            "Morris elementary effects per unit of each factor's range: mu, mu* (mean absolute), sigma, with 95% bootstrap intervals ({BOOTSTRAP} resamples)"
        ),
        columns: [
            "metric",
            "factor",
            "trajectories",
            "mu",
            "mu_star",
            "mu_star_low",
            "mu_star_high",
            "sigma",
            "sigma_low",
            "sigma_high",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}
