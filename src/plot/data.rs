//! Reading results back for charts: `series.csv` and `firms.csv` of a run, `bands.csv`
//! and `points.csv` of a sweep. Every failure names the file (and line and column).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::PlotError;

/// The sector name of the whole-economy rows.
pub const ECONOMY: &str = "all";

/// A table being read: a CSV file, or a Parquet table turned into CSV text.
type Reader = csv::Reader<Box<dyn std::io::Read>>;

/// Opens `path` (`series.csv`, say), or the Parquet table of the same name
/// (`series.parquet`) when the result was written as Parquet.
fn open(path: &Path) -> Result<Reader, PlotError> {
    let input = crate::output::read::csv_input(path)
        .map_err(PlotError::Output)?
        .ok_or_else(|| PlotError::Missing(path.to_path_buf()))?;
    Ok(csv::Reader::from_reader(input))
}

fn headers(path: &Path, reader: &mut Reader) -> Result<Vec<String>, PlotError> {
    Ok(reader
        .headers()
        .map_err(|source| PlotError::Csv {
            path: path.to_path_buf(),
            source,
        })?
        .iter()
        .map(String::from)
        .collect())
}

fn column(path: &Path, header: &[String], name: &str) -> Result<usize, PlotError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| PlotError::Column {
            path: path.to_path_buf(),
            column: name.to_string(),
        })
}

/// A cell as a number: empty is undefined (NaN).
fn number(
    path: &Path,
    record: &csv::StringRecord,
    index: usize,
    name: &str,
) -> Result<f64, PlotError> {
    let cell = record.get(index).unwrap_or("").trim();
    if cell.is_empty() {
        return Ok(f64::NAN);
    }
    cell.parse().map_err(|_| PlotError::Value {
        path: path.to_path_buf(),
        line: record.position().map_or(0, |p| p.line()),
        column: name.to_string(),
        value: cell.to_string(),
    })
}

fn records(
    path: &Path,
    reader: &mut Reader,
) -> impl Iterator<Item = Result<csv::StringRecord, PlotError>> {
    reader.records().map(|r| {
        r.map_err(|source| PlotError::Csv {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// What a run's saved scenario (`scenario.toml`) tells its charts: how each sector's
/// wage index grows, to deflate money by it, and when scheduled lever changes took
/// effect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunContext {
    /// Each sector's wage growth per period (its `frontier_growth`, ODD 7.3).
    pub wage_growth: HashMap<String, f64>,
    /// Each `[[schedule]]` entry: the period it takes effect and its sector (all
    /// sectors when `None`).
    pub changes: Vec<(u32, Option<String>)>,
}

impl RunContext {
    /// Reads the scenario a run was run with.
    pub fn read(path: &Path) -> Result<RunContext, PlotError> {
        if !path.is_file() {
            return Err(PlotError::Missing(path.to_path_buf()));
        }
        let text = crate::scenario::read_input(path, "a scenario file (.toml)")?;
        let scenario = crate::scenario::parse_scenario(&text, &path.display().to_string(), &[])?;
        Ok(RunContext {
            wage_growth: scenario
                .sector
                .iter()
                .map(|s| {
                    let growth = crate::scenario::Structure::of_sector(s).frontier_growth;
                    (s.name.clone(), growth)
                })
                .collect(),
            changes: scenario
                .schedule
                .iter()
                .map(|e| (e.period, e.sector.clone()))
                .collect(),
        })
    }

    /// The periods at which a lever change took effect in `sector` (every change, for
    /// the whole economy).
    pub fn changes_in(&self, sector: &str) -> Vec<f64> {
        let mut out: Vec<f64> = self
            .changes
            .iter()
            .filter(|(_, s)| sector == ECONOMY || s.as_deref().is_none_or(|s| s == sector))
            .map(|&(t, _)| t as f64)
            .collect();
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    }
}

/// A run's `series.csv`, its rows grouped by sector.
#[derive(Debug, Clone)]
pub struct SeriesTable {
    pub path: PathBuf,
    header: Vec<String>,
    /// Sector names in file order, without `all`.
    pub sectors: Vec<String>,
    /// Each sector's regime, in the order of `sectors`.
    pub regimes: Vec<String>,
    /// The rows of each sector and of `all`.
    rows: HashMap<String, Vec<csv::StringRecord>>,
    /// What the run's scenario says, when it was read with the table.
    pub context: Option<RunContext>,
}

impl SeriesTable {
    pub fn read(path: &Path) -> Result<SeriesTable, PlotError> {
        let mut reader = open(path)?;
        let header = headers(path, &mut reader)?;
        let sector = column(path, &header, "sector")?;
        column(path, &header, "period")?;
        let regime = header.iter().position(|h| h == "regime");
        let mut sectors = vec![];
        let mut regimes = vec![];
        let mut rows: HashMap<String, Vec<csv::StringRecord>> = HashMap::new();
        for record in records(path, &mut reader) {
            let record = record?;
            let name = record.get(sector).unwrap_or("").to_string();
            if name != ECONOMY && !rows.contains_key(&name) {
                sectors.push(name.clone());
                regimes.push(regime.and_then(|r| record.get(r)).unwrap_or("").to_string());
            }
            rows.entry(name).or_default().push(record);
        }
        if rows.is_empty() {
            return Err(PlotError::Empty(path.to_path_buf()));
        }
        Ok(SeriesTable {
            path: path.to_path_buf(),
            header,
            sectors,
            regimes,
            rows,
            context: None,
        })
    }

    /// A run result's `series.csv` (or `series.parquet`) with its scenario.
    pub fn read_run(dir: &Path) -> Result<SeriesTable, PlotError> {
        let mut t = SeriesTable::read(&dir.join(crate::runner::SERIES_FILE))?;
        t.context = Some(RunContext::read(&dir.join(crate::runner::SCENARIO_FILE))?);
        Ok(t)
    }

    /// A money column deflated by the wage index, `(1 + g)^t` in period `t` with `g`
    /// the sector's wage growth: money in worker-years at the period's wage, comparable
    /// across periods (undeflated, a constant real cost grows with wages). The whole
    /// economy's is the sum of its sectors', each deflated by its own index. A table
    /// read without its scenario cannot be deflated: the scenario is missing (rather
    /// than money drawn undeflated on an axis that says otherwise).
    pub fn deflated(&self, sector: &str, name: &str) -> Result<Vec<(f64, f64)>, PlotError> {
        let Some(context) = &self.context else {
            return Err(PlotError::Missing(
                self.path.with_file_name(crate::runner::SCENARIO_FILE),
            ));
        };
        let deflate = |s: &str| -> Result<Vec<(f64, f64)>, PlotError> {
            let g = context.wage_growth.get(s).copied().unwrap_or(0.0);
            Ok(self
                .series(s, name)?
                .into_iter()
                .map(|(t, v)| (t, v / (1.0 + g).powf(t)))
                .collect())
        };
        if sector != ECONOMY || self.sectors.is_empty() {
            return deflate(sector);
        }
        let mut total = self.series(ECONOMY, name)?;
        let parts = self
            .sectors
            .iter()
            .map(|s| deflate(s))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, p) in total.iter_mut().enumerate() {
            // Sectors have a row in every period, in the order of `all`'s rows.
            p.1 = parts
                .iter()
                .map(|part| part.get(i).map_or(f64::NAN, |q| q.1))
                .sum();
        }
        Ok(total)
    }

    /// Whether the table has rows for `sector` (a sector name or `all`).
    pub fn has(&self, sector: &str) -> bool {
        self.rows.contains_key(sector)
    }

    /// `(period, value)` of a column for a sector (or `all`), in file order; undefined
    /// values are NaN. No rows: empty.
    pub fn series(&self, sector: &str, name: &str) -> Result<Vec<(f64, f64)>, PlotError> {
        let period = column(&self.path, &self.header, "period")?;
        let col = column(&self.path, &self.header, name)?;
        let Some(rows) = self.rows.get(sector) else {
            return Ok(vec![]);
        };
        rows.iter()
            .map(|r| {
                Ok((
                    number(&self.path, r, period, "period")?,
                    number(&self.path, r, col, name)?,
                ))
            })
            .collect()
    }

    /// The ratio of two columns, period by period (NaN where undefined or the
    /// denominator is not positive).
    pub fn ratio(&self, sector: &str, num: &str, den: &str) -> Result<Vec<(f64, f64)>, PlotError> {
        let n = self.series(sector, num)?;
        let d = self.series(sector, den)?;
        Ok(n.iter()
            .zip(&d)
            .map(|(&(t, a), &(_, b))| (t, if b > 0.0 { a / b } else { f64::NAN }))
            .collect())
    }
}

/// Firm sizes at the last period recorded in `firms.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmSizes {
    /// The last period (0 if the file has no rows).
    pub period: u32,
    /// Each sector's values, sectors in file order.
    pub sectors: Vec<(String, Vec<f64>)>,
}

/// Reads one column of `firms.csv` for the rows of its last period.
pub fn read_firm_sizes(path: &Path, name: &str) -> Result<FirmSizes, PlotError> {
    let mut reader = open(path)?;
    let header = headers(path, &mut reader)?;
    let period = column(path, &header, "period")?;
    let sector = column(path, &header, "sector")?;
    let col = column(path, &header, name)?;
    let mut last = 0u32;
    let mut sectors: Vec<(String, Vec<f64>)> = vec![];
    for record in records(path, &mut reader) {
        let record = record?;
        let cell = record.get(period).unwrap_or("").trim();
        let t: u32 = cell.parse().map_err(|_| PlotError::Value {
            path: path.to_path_buf(),
            line: record.position().map_or(0, |p| p.line()),
            column: "period".into(),
            value: cell.to_string(),
        })?;
        if t > last {
            last = t;
            sectors.clear();
        } else if t < last {
            continue;
        }
        let v = number(path, &record, col, name)?;
        let s = record.get(sector).unwrap_or("");
        match sectors.iter_mut().find(|(n, _)| n == s) {
            Some((_, values)) => values.push(v),
            None => sectors.push((s.to_string(), vec![v])),
        }
    }
    Ok(FirmSizes {
        period: last,
        sectors,
    })
}

/// One row of `bands.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandRow {
    pub period: f64,
    pub n: f64,
    pub mean: f64,
    pub p05: f64,
    pub p95: f64,
}

/// A sweep's `bands.csv`: for each series, sector and design point, its rows.
#[derive(Debug, Clone, Default)]
pub struct Bands {
    /// Series in file order.
    pub series: Vec<String>,
    /// Sector rows in file order (sectors, then `all`).
    pub sectors: Vec<String>,
    /// Design points in file order.
    pub points: Vec<u64>,
    pub rows: HashMap<(String, String, u64), Vec<BandRow>>,
}

impl Bands {
    pub fn read(path: &Path) -> Result<Bands, PlotError> {
        let mut reader = open(path)?;
        let header = headers(path, &mut reader)?;
        let idx = |name: &str| column(path, &header, name);
        let (point, sector, series) = (idx("point")?, idx("sector")?, idx("series")?);
        let cols = [
            idx("period")?,
            idx("n")?,
            idx("mean")?,
            idx("p05")?,
            idx("p95")?,
        ];
        let names = ["period", "n", "mean", "p05", "p95"];
        let mut bands = Bands::default();
        for record in records(path, &mut reader) {
            let record = record?;
            let p = number(path, &record, point, "point")?;
            if !(p >= 0.0 && p.fract() == 0.0) {
                return Err(PlotError::Value {
                    path: path.to_path_buf(),
                    line: record.position().map_or(0, |p| p.line()),
                    column: "point".into(),
                    value: record.get(point).unwrap_or("").into(),
                });
            }
            let p = p as u64;
            let sec = record.get(sector).unwrap_or("").to_string();
            let ser = record.get(series).unwrap_or("").to_string();
            let mut v = [0.0; 5];
            for (k, (&c, n)) in cols.iter().zip(names).enumerate() {
                v[k] = number(path, &record, c, n)?;
            }
            if !bands.series.contains(&ser) {
                bands.series.push(ser.clone());
            }
            if !bands.sectors.contains(&sec) {
                bands.sectors.push(sec.clone());
            }
            if !bands.points.contains(&p) {
                bands.points.push(p);
            }
            bands.rows.entry((ser, sec, p)).or_default().push(BandRow {
                period: v[0],
                n: v[1],
                mean: v[2],
                p05: v[3],
                p95: v[4],
            });
        }
        if bands.rows.is_empty() {
            return Err(PlotError::Empty(path.to_path_buf()));
        }
        Ok(bands)
    }

    pub fn get(&self, series: &str, sector: &str, point: u64) -> &[BandRow] {
        self.rows
            .get(&(series.to_string(), sector.to_string(), point))
            .map_or(&[], Vec::as_slice)
    }
}

/// The scenario key of each factor column of `points.csv`, from a sweep's codebook
/// (none if it cannot be read: the column names are shown instead).
fn codebook_keys(path: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return HashMap::new();
    };
    let files = &json["files"];
    files["points.csv"]
        .as_array()
        .or_else(|| files["points.parquet"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["column"].as_str()?.into(), e["key"].as_str()?.into())))
        .collect()
}

/// A sweep's `points.csv`: each design point's factor values, by point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Points {
    pub keys: Vec<String>,
    pub values: HashMap<u64, Vec<String>>,
}

impl Points {
    pub fn read(path: &Path) -> Result<Points, PlotError> {
        let mut reader = open(path)?;
        let header = headers(path, &mut reader)?;
        let point = column(path, &header, "point")?;
        // Factor columns: everything but the point, group and role columns.
        let factors: Vec<usize> = (0..header.len())
            .filter(|&i| !matches!(header[i].as_str(), "point" | "group" | "role"))
            .collect();
        // A factor's column is its key made a plain name (`policy_tariff`); the
        // codebook beside it gives the key back for the legend. An older result has
        // the keys themselves as columns, and no codebook.
        let keys = codebook_keys(&path.with_file_name(crate::output::CODEBOOK_FILE));
        let mut points = Points {
            keys: factors
                .iter()
                .map(|&i| keys.get(&header[i]).unwrap_or(&header[i]).clone())
                .collect(),
            values: HashMap::new(),
        };
        for record in records(path, &mut reader) {
            let record = record?;
            let p = number(path, &record, point, "point")?;
            let values = factors
                .iter()
                .map(|&i| record.get(i).unwrap_or("").to_string())
                .collect();
            points.values.insert(p as u64, values);
        }
        Ok(points)
    }

    /// The legend label of a point: `point 3: policy.tariff=0.3, ...`, numbers rounded
    /// to four significant digits (a sampled design's values have seventeen).
    pub fn label(&self, point: u64) -> String {
        match self.values.get(&point) {
            Some(values) if !self.keys.is_empty() => {
                let parts: Vec<String> = self
                    .keys
                    .iter()
                    .zip(values)
                    .map(|(k, v)| format!("{k}={}", super::sweep::rounded_cell(v)))
                    .collect();
                format!("point {point}: {}", parts.join(", "))
            }
            _ => format!("point {point}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn series_are_read_by_sector_with_gaps() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "series.csv",
            "period,sector,regime,gap,frontier\n1,a,catch-up,0.5,2\n1,all,all,0.5,\n2,a,catch-up,,2\n2,all,all,0.6,0\n",
        );
        let t = SeriesTable::read(&p).unwrap();
        assert_eq!(t.sectors, vec!["a"]);
        assert_eq!(t.regimes, vec!["catch-up"]);
        let s = t.series("a", "gap").unwrap();
        assert_eq!(s[0], (1.0, 0.5));
        assert!(s[1].1.is_nan());
        let r = t.ratio("all", "gap", "frontier").unwrap();
        assert!(r[0].1.is_nan() && r[1].1.is_nan());
        assert!(t.series("b", "gap").unwrap().is_empty());
        let e = t.series("a", "gapp").unwrap_err().to_string();
        assert!(e.contains("no column `gapp`"), "{e}");
    }

    #[test]
    fn money_is_deflated_by_each_sectors_wage_index_and_changes_are_placed() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "series.csv",
            "period,sector,fiscal_cost\n1,a,11\n1,b,2\n1,all,13\n2,a,121\n2,b,2\n2,all,123\n",
        );
        let mut t = SeriesTable::read(&p).unwrap();
        // No scenario: no wage growth to deflate by.
        let e = t.deflated("a", "fiscal_cost").unwrap_err().to_string();
        assert!(e.ends_with("scenario.toml: no such file"), "{e}");
        t.context = Some(RunContext {
            wage_growth: [("a".to_string(), 0.1), ("b".to_string(), 0.0)].into(),
            changes: vec![(5, Some("a".into())), (3, None)],
        });
        let a = t.deflated("a", "fiscal_cost").unwrap();
        assert!((a[0].1 - 10.0).abs() < 1e-12 && (a[1].1 - 100.0).abs() < 1e-12);
        assert_eq!(t.deflated("b", "fiscal_cost").unwrap()[1], (2.0, 2.0));
        // The economy: the sum of its sectors, each deflated by its own index.
        let all = t.deflated("all", "fiscal_cost").unwrap();
        assert!((all[0].1 - 12.0).abs() < 1e-12 && (all[1].1 - 102.0).abs() < 1e-12);
        let c = t.context.as_ref().unwrap();
        assert_eq!(c.changes_in("a"), vec![3.0, 5.0]);
        assert_eq!(c.changes_in("b"), vec![3.0]);
        assert_eq!(c.changes_in("all"), vec![3.0, 5.0]);
    }

    #[test]
    fn a_bad_number_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "series.csv", "period,sector,gap\n1,a,x\n");
        let e = SeriesTable::read(&p)
            .unwrap()
            .series("a", "gap")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("series.csv:2: column `gap`: `x` is not a number"),
            "{e}"
        );
    }

    #[test]
    fn firm_sizes_come_from_the_last_period() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "firms.csv",
            "period,sector,capacity\n3,a,1\n3,b,9\n7,a,2\n7,a,3\n7,b,4\n",
        );
        let f = read_firm_sizes(&p, "capacity").unwrap();
        assert_eq!(f.period, 7);
        assert_eq!(
            f.sectors,
            vec![
                ("a".to_string(), vec![2.0, 3.0]),
                ("b".to_string(), vec![4.0])
            ]
        );
        let e = read_firm_sizes(&dir.path().join("none.csv"), "capacity").unwrap_err();
        assert!(matches!(e, PlotError::Missing(_)));
    }

    #[test]
    fn bands_and_points_are_read_and_labelled() {
        let dir = tempfile::tempdir().unwrap();
        let b = write(
            dir.path(),
            "bands.csv",
            "point,sector,series,period,n,mean,p05,p50,p95\n0,a,gap,1,2,0.5,0.4,0.5,0.6\n0,all,gap,1,2,0.5,0.4,0.5,0.6\n1,a,gap,1,0,,,,\n",
        );
        let bands = Bands::read(&b).unwrap();
        assert_eq!(bands.series, vec!["gap"]);
        assert_eq!(bands.sectors, vec!["a", "all"]);
        assert_eq!(bands.points, vec![0, 1]);
        assert_eq!(bands.get("gap", "a", 0)[0].p95, 0.6);
        assert!(bands.get("gap", "a", 1)[0].mean.is_nan());
        assert!(bands.get("gap", "b", 0).is_empty());
        let p = write(
            dir.path(),
            "points.csv",
            "point,group,role,policy.tariff,policy.tolerance\n0,,,0,2\n1,,,0.3,2\n",
        );
        let points = Points::read(&p).unwrap();
        assert_eq!(
            points.label(1),
            "point 1: policy.tariff=0.3, policy.tolerance=2"
        );
        assert_eq!(points.label(7), "point 7");

        // Today's columns have no dots; the codebook gives the keys back.
        let sub = dir.path().join("new");
        let p = write(
            &sub,
            "points.csv",
            "point,group,role,policy_tariff\n0,,,0\n1,,,0.3\n",
        );
        assert_eq!(
            Points::read(&p).unwrap().label(1),
            "point 1: policy_tariff=0.3"
        );
        write(
            &sub,
            "codebook.json",
            r#"{"files": {"points.csv": [{"column": "point"}, {"column": "policy_tariff", "key": "policy.tariff"}]}}"#,
        );
        assert_eq!(
            Points::read(&p).unwrap().label(1),
            "point 1: policy.tariff=0.3"
        );
    }
}
