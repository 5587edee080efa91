//! `catchup analyze`: from a sweep's result to per-point means with confidence
//! intervals, and Sobol or Morris sensitivity indices, as tables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::analysis::{Interval, mean_ci, morris_indices, sobol_indices};
use super::error::SweepError;
use super::execute::{MANIFEST_FILE, POINTS_FILE, RUNS_FILE, SweepManifest};
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

/// A cell as printed: numbers to four decimals.
fn shown(cell: &str) -> String {
    match cell.parse::<f64>() {
        Ok(v) if cell.contains('.') || cell.contains('e') => format!("{v:.4}"),
        _ => cell.to_string(),
    }
}

/// Per-point metric values (one per replicate) and the points' roles.
struct Loaded {
    /// The sweep result's folder.
    dir: PathBuf,
    manifest: SweepManifest,
    /// point -> (group, role)
    roles: BTreeMap<u64, (Option<u64>, String)>,
    /// metric -> point -> replicate values
    values: Vec<BTreeMap<u64, Vec<f64>>>,
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

fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), SweepError> {
    let mut r = csv::Reader::from_path(path).map_err(csv_error(path))?;
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

fn load(dir: &Path) -> Result<Loaded, SweepError> {
    let manifest = SweepManifest::read(dir)?;
    let (_, points) = read_csv(&dir.join(POINTS_FILE))?;
    let roles = points
        .iter()
        .filter_map(|r| {
            let p = r.first()?.parse().ok()?;
            let group = r.get(1).and_then(|g| g.parse().ok());
            Some((p, (group, r.get(2).cloned().unwrap_or_default())))
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
    Ok(Loaded {
        dir: dir.to_path_buf(),
        manifest,
        roles,
        values,
    })
}

/// The analysis of a sweep result: tables, written under `<dir>/analysis/`.
pub fn analyze(dir: &Path, force: bool) -> Result<Vec<Table>, SweepError> {
    let data = load(dir)?;
    if data.manifest.shard != "1/1" && data.manifest.shard != "merged" {
        return Err(SweepError::Refused(format!(
            "{} is shard {} of a sweep; merge the shards first (`catchup merge`)",
            dir.display(),
            data.manifest.shard
        )));
    }
    let mut tables = vec![point_means(&data)];
    match data.manifest.design.as_str() {
        "sobol" | "saltelli-random" => tables.push(sobol_table(&data)),
        "morris" => tables.push(morris_table(&data)?),
        _ => {}
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

fn point_means(data: &Loaded) -> Table {
    let mut rows = Vec::new();
    for (m, name) in data.manifest.metrics.iter().enumerate() {
        for (point, vals) in &data.values[m] {
            let ci: Interval = mean_ci(vals);
            let n = vals.iter().filter(|v| !v.is_nan()).count();
            rows.push(vec![
                point.to_string(),
                name.clone(),
                n.to_string(),
                fmt(ci.estimate),
                fmt(ci.low),
                fmt(ci.high),
            ]);
        }
    }
    Table {
        file: "point_means.csv".into(),
        title: "Mean of each metric at each design point, with 95% confidence intervals across replicates".into(),
        columns: ["point", "metric", "n", "mean", "ci_low", "ci_high"].map(String::from).to_vec(),
        rows,
    }
}

/// Mean over replicates of a metric at each point (NaN if undefined everywhere).
fn means(data: &Loaded, m: usize) -> BTreeMap<u64, f64> {
    data.values[m]
        .iter()
        .map(|(p, v)| (*p, mean_ci(v).estimate))
        .collect()
}

fn sobol_table(data: &Loaded) -> Table {
    let k = data.manifest.factors.len();
    let mut rows = Vec::new();
    for (m, name) in data.manifest.metrics.iter().enumerate() {
        let y = means(data, m);
        // Rows of the Saltelli design: group j has A, B and AB1..ABk.
        let mut blocks: BTreeMap<u64, (f64, f64, Vec<f64>)> = BTreeMap::new();
        for (point, (group, role)) in &data.roles {
            let (Some(j), Some(&v)) = (group, y.get(point)) else {
                continue;
            };
            let entry = blocks
                .entry(*j)
                .or_insert_with(|| (f64::NAN, f64::NAN, vec![f64::NAN; k]));
            match role.as_str() {
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
            .filter(|(a, b, ab)| a.is_finite() && b.is_finite() && ab.iter().all(|v| v.is_finite()))
            .collect();
        let y_a: Vec<f64> = complete.iter().map(|b| b.0).collect();
        let y_b: Vec<f64> = complete.iter().map(|b| b.1).collect();
        let y_ab: Vec<Vec<f64>> = (0..k)
            .map(|i| complete.iter().map(|b| b.2[i]).collect())
            .collect();
        let indices = if y_a.len() >= 2 {
            sobol_indices(&y_a, &y_b, &y_ab, BOOTSTRAP, data.manifest.seed)
        } else {
            Vec::new()
        };
        for (i, idx) in indices.iter().enumerate() {
            rows.push(vec![
                name.clone(),
                data.manifest.factors[i].clone(),
                y_a.len().to_string(),
                fmt(idx.first.estimate),
                fmt(idx.first.low),
                fmt(idx.first.high),
                fmt(idx.total.estimate),
                fmt(idx.total.low),
                fmt(idx.total.high),
            ]);
        }
    }
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

fn morris_table(data: &Loaded) -> Result<Table, SweepError> {
    let k = data.manifest.factors.len();
    let delta = data
        .manifest
        .morris_delta
        .ok_or_else(|| SweepError::Damaged {
            path: data.dir.join(MANIFEST_FILE),
            why: "a morris sweep's manifest without morris_delta".into(),
        })?;
    let mut rows = Vec::new();
    for (m, name) in data.manifest.metrics.iter().enumerate() {
        let y = means(data, m);
        let mut effects: Vec<Vec<f64>> = vec![Vec::new(); k];
        let mut previous: Option<(u64, f64)> = None;
        // Points of a trajectory are consecutive: base, then one factor moved per step.
        for (point, (group, role)) in &data.roles {
            let v = y.get(point).copied().unwrap_or(f64::NAN);
            if role == "base" {
                previous = group.map(|g| (g, v));
                continue;
            }
            if let (Some((g, before)), Some(i)) = (
                previous,
                role.strip_prefix('F').and_then(|i| i.parse::<usize>().ok()),
            ) && Some(g) == *group
                && (1..=k).contains(&i)
            {
                if before.is_finite() && v.is_finite() {
                    effects[i - 1].push((v - before) / delta);
                }
                previous = Some((g, v));
            }
        }
        for (i, idx) in morris_indices(&effects).iter().enumerate() {
            rows.push(vec![
                name.clone(),
                data.manifest.factors[i].clone(),
                effects[i].len().to_string(),
                fmt(idx.mu),
                fmt(idx.mu_star),
                fmt(idx.sigma),
            ]);
        }
    }
    Ok(Table {
        file: "morris.csv".into(),
        title: "Morris elementary effects per unit of each factor's range: mu, mu* (mean absolute), sigma"
            .into(),
        columns: ["metric", "factor", "trajectories", "mu", "mu_star", "sigma"]
            .map(String::from)
            .to_vec(),
        rows,
    })
}
