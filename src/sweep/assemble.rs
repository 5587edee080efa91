//! Assembling a sweep's result from its journal: `points`, `runs`, `bands` and
//! `series` in run order, whatever the order runs finished in, and the codebook of
//! those tables. Every row is built as the text of its CSV record and written in the
//! sweep's format (`[output] format`): a Parquet table reads each cell by the type its
//! codebook entry gives, so both formats hold the same values in the same columns.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::analysis::quantile_sorted;
use super::design::{DesignTable, cell_value};
use super::error::{SweepError, io};
use super::execute::{BANDS, BASE_FILE, POINTS, RUNS, SERIES, SWEEP_FILE};
use super::journal::{JournalIndex, Record, read_record};
use super::runs::{Shard, runs_of, shard_points};
use super::spec::{Stat, Sweep, factor_column};
use crate::output::codebook::Entry;
use crate::output::parquet::ColumnSpec;
use crate::output::{Codebook, ResultDir, TableFile, TableFormat};

fn number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        v.to_string()
    }
}

/// What [`assemble`] found in the records.
pub(super) struct Assembled {
    /// Firm-periods of all the runs.
    pub firm_steps: u64,
    /// Runs that failed.
    pub failed: u64,
}

/// Writes points.csv, runs.csv, bands.csv (and series.csv) from the records, in run
/// order. A failed run has a row in runs.csv (status `failed`, its error, no metrics)
/// and no part in bands.csv or series.csv.
pub(super) fn assemble(
    sweep: &Sweep,
    sweep_text: &str,
    table: &DesignTable,
    shard: Shard,
    (journal_path, index): (&Path, &JournalIndex),
    series_dir: &Path,
    result: &ResultDir,
) -> Result<Assembled, SweepError> {
    let mut journal = fs::File::open(journal_path).map_err(io(journal_path))?;
    let spec = &sweep.spec;
    let format = spec.output.format;
    let codebook = sweep_codebook(sweep, table);
    // Each table's columns are its codebook entries: the header and types agree with
    // the codebook by construction.
    let open = |stem: &str| -> Result<TableFile, SweepError> {
        let columns = codebook
            .specs(&format.file(stem))
            .expect("the codebook lists every table of the result");
        Ok(result.text_table(stem, format, columns)?)
    };
    let mut points = open(POINTS)?;
    for p in shard_points(table, shard) {
        let point = table.point(p);
        let mut row = vec![
            p.to_string(),
            point.group.map(|g| g.to_string()).unwrap_or_default(),
            point.role.clone(),
        ];
        row.extend(point.values.iter().map(cell_value));
        let row: Vec<&str> = row.iter().map(String::as_str).collect();
        points.text_row(&row)?;
    }
    points.finish()?;

    let mut runs_table = open(RUNS)?;
    let mut bands_table = open(BANDS)?;

    let mut read = |id: u64| -> Result<Record, SweepError> {
        let at = index.get(id)?.ok_or_else(|| SweepError::Damaged {
            path: journal_path.to_path_buf(),
            why: format!("run {id} is missing from it"),
        })?;
        read_record(journal_path, &mut journal, at)
    };
    let mut firm_steps = 0u64;
    let mut failed = 0u64;
    let n_bands = spec.output.bands.len();
    let reps = u64::from(spec.replicates);
    for p in shard_points(table, shard) {
        // One point's records at a time: memory does not grow with the points.
        let values: Vec<String> = table.point(p).values.iter().map(cell_value).collect();
        let records = (p * reps..(p + 1) * reps)
            .map(&mut read)
            .collect::<Result<Vec<_>, _>>()?;
        for rec in &records {
            firm_steps += rec.header.firm_steps;
            let h = &rec.header;
            let mut row = vec![
                h.id.to_string(),
                h.point.to_string(),
                h.replicate.to_string(),
                h.seed.to_string(),
                if h.error.is_some() { "failed" } else { "ok" }.into(),
            ];
            row.extend(values.iter().cloned());
            if h.error.is_some() {
                failed += 1;
                row.extend(spec.metric.iter().map(|_| String::new()));
            } else {
                row.extend(rec.metrics.iter().map(|&v| number(v)));
            }
            row.push(h.error.clone().unwrap_or_default());
            let row: Vec<&str> = row.iter().map(String::as_str).collect();
            runs_table.text_row(&row)?;
        }
        // Bands, over the replicates that finished: they all have the same periods
        // and rows. A point whose every replicate failed has no bands.
        let records: Vec<&Record> = records
            .iter()
            .filter(|r| r.header.error.is_none())
            .collect();
        let Some(first) = records.first().map(|r| &r.header) else {
            continue;
        };
        let periods = first.periods as usize;
        let mut values = Vec::with_capacity(records.len());
        for (r, row_name) in first.rows.iter().enumerate() {
            for (b, series) in spec.output.bands.iter().enumerate() {
                for t in 0..periods {
                    values.clear();
                    values.extend(
                        records
                            .iter()
                            .map(|rec| rec.bands[(r * n_bands + b) * periods + t])
                            .filter(|v| !v.is_nan()),
                    );
                    values.sort_by(f64::total_cmp);
                    let n = values.len();
                    let stats = if n == 0 {
                        [String::new(), String::new(), String::new(), String::new()]
                    } else {
                        let mean = values.iter().sum::<f64>() / n as f64;
                        [
                            number(mean),
                            number(quantile_sorted(&values, 0.05)),
                            number(quantile_sorted(&values, 0.5)),
                            number(quantile_sorted(&values, 0.95)),
                        ]
                    };
                    let point = first.point.to_string();
                    let period = (t + 1).to_string();
                    let n = n.to_string();
                    bands_table.text_row(&[
                        point.as_str(),
                        row_name.as_str(),
                        series.as_str(),
                        period.as_str(),
                        n.as_str(),
                        stats[0].as_str(),
                        stats[1].as_str(),
                        stats[2].as_str(),
                        stats[3].as_str(),
                    ])?;
                }
            }
        }
    }
    runs_table.finish()?;
    bands_table.finish()?;
    if spec.output.series {
        let columns = codebook
            .specs(&format.file(SERIES))
            .expect("the codebook lists the series of a sweep that keeps them");
        write_series(sweep, table, shard, index, series_dir, result, columns)?;
    }
    result.write_text(SWEEP_FILE, sweep_text)?;
    result.write_text(BASE_FILE, &crate::runner::scenario_text(&sweep.scenario))?;
    result.write_codebook(&codebook)?;
    Ok(Assembled { firm_steps, failed })
}

/// `series`: every finished run's series in one long table, in run order, each row
/// led by its run and design point. The rows are the runs' own lines from the working
/// folder: copied verbatim to CSV, so a run's rows are byte for byte its `series.csv`,
/// or read by their columns' types into Parquet.
fn write_series(
    sweep: &Sweep,
    table: &DesignTable,
    shard: Shard,
    index: &JournalIndex,
    series_dir: &Path,
    result: &ResultDir,
    columns: Vec<ColumnSpec>,
) -> Result<(), SweepError> {
    let names: Vec<&str> = crate::observe::COLUMNS.iter().map(|c| c.name).collect();
    let header = names.join(",");
    let mut out = match sweep.spec.output.format {
        TableFormat::Csv => {
            let path = result.path(&TableFormat::Csv.file(SERIES));
            let mut file = std::io::BufWriter::new(fs::File::create(&path).map_err(io(&path))?);
            writeln!(file, "run,point,{header}").map_err(io(&path))?;
            SeriesOut::Lines(file, path)
        }
        format => SeriesOut::Typed(Box::new(result.text_table(SERIES, format, columns)?)),
    };
    for run in runs_of(sweep, table, shard) {
        if index.get(run.id)?.is_some_and(|e| e.failed) {
            continue;
        }
        let from = series_dir.join(format!("run-{:010}.csv", run.id));
        let text = fs::read(&from).map_err(io(&from))?;
        let end = text.iter().position(|&b| b == b'\n');
        let (first, rows) =
            end.map_or((text.as_slice(), &[][..]), |e| (&text[..e], &text[e + 1..]));
        if first.trim_ascii_end() != header.as_bytes() {
            return Err(SweepError::Damaged {
                path: from,
                why: "its header is not that of series.csv".into(),
            });
        }
        out.run(run.id, run.point, rows, &from)?;
    }
    out.finish()
}

/// Where the long series table goes: CSV lines, or a typed table (boxed: a Parquet
/// writer is large).
enum SeriesOut {
    Lines(std::io::BufWriter<fs::File>, std::path::PathBuf),
    Typed(Box<TableFile>),
}

impl SeriesOut {
    /// Appends a run's rows (its series file's lines after the header), led by its
    /// run and point.
    fn run(&mut self, run: u64, point: u64, rows: &[u8], from: &Path) -> Result<(), SweepError> {
        let (run, point) = (run.to_string(), point.to_string());
        match self {
            SeriesOut::Lines(out, path) => {
                let lead = format!("{run},{point},");
                for line in rows.split_inclusive(|&b| b == b'\n') {
                    out.write_all(lead.as_bytes()).map_err(io(path))?;
                    out.write_all(line).map_err(io(path))?;
                }
            }
            SeriesOut::Typed(out) => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(rows);
                for record in reader.records() {
                    let record = record.map_err(|e| SweepError::Damaged {
                        path: from.to_path_buf(),
                        why: format!("not CSV: {e}"),
                    })?;
                    let mut cells = vec![run.as_str(), point.as_str()];
                    cells.extend(record.iter());
                    out.text_row(&cells)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<(), SweepError> {
        match self {
            SeriesOut::Lines(out, path) => {
                let file = out.into_inner().map_err(|e| SweepError::Io {
                    path: path.clone(),
                    source: e.into_error(),
                })?;
                file.sync_all().map_err(io(&path))
            }
            SeriesOut::Typed(out) => Ok(out.finish()?),
        }
    }
}

/// The codebook of a sweep's tables, by their files in the sweep's format: the fixed
/// columns, each factor with its scenario key (and the catalogue's meaning and unit
/// where the key is in one), each metric.
pub fn sweep_codebook(sweep: &Sweep, table: &DesignTable) -> Codebook {
    let spec = &sweep.spec;
    let file = |stem: &str| spec.output.format.file(stem);
    let first = (!table.is_empty()).then(|| table.point(0));
    let factors: Vec<Entry> = table
        .keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let info = crate::scenario::catalogue_entry(key);
            // A catalogued key's type is its catalogue's: a number key's values may be
            // written as integers (`values = [0, 0.3]`), and a column typed by its
            // first value would then refuse the rest. Any other key: its first value's.
            let kind = match (info, first.as_ref().and_then(|p| p.values.get(i))) {
                (Some(info), _) => info.kind.as_str(),
                (None, Some(toml::Value::Integer(_))) => "integer",
                (None, Some(toml::Value::Boolean(_))) => "boolean",
                (None, Some(toml::Value::String(_))) => "text",
                _ => "number",
            };
            let mut entry = Entry::new(
                &factor_column(key),
                kind,
                info.map_or("", |i| i.unit),
                &format!(
                    "Factor: the design point's value of scenario key `{key}`.{}",
                    info.map(|i| format!(" {}", i.meaning)).unwrap_or_default()
                ),
            );
            entry.key = Some(key.clone());
            entry
        })
        .collect();
    let metrics = spec.metric.iter().map(|m| {
        let unit = crate::observe::column(&m.series).map_or("", |c| c.unit);
        Entry::new(
            &m.name,
            "number",
            if matches!(m.stat, Stat::TimeTo) {
                "period"
            } else {
                unit
            },
            &format!("Metric: {}.", m.describe()),
        )
        .empty_when("for a failed run; and where the series is undefined (see series.csv)")
    });
    let run = Entry::new(
        "run",
        "integer",
        "",
        "The run's number: point × replicates + replicate.",
    );
    let point = Entry::new(
        "point",
        "integer",
        "",
        "The design point (a row of points.csv).",
    );
    let mut runs = vec![
        run.clone(),
        point.clone(),
        Entry::new(
            "replicate",
            "integer",
            "",
            "The replicate at its design point, from 0.",
        ),
        Entry::new(
            "seed",
            "integer",
            "",
            "The run's seed, from the master seed and the run's (point, replicate); below 2^53, so exact as a double.",
        ),
        Entry::new(
            "status",
            "text",
            "",
            "`ok`, or `failed` when the run's numbers blew up (its error is in `error`).",
        ),
    ];
    runs.extend(factors.iter().cloned());
    runs.extend(metrics);
    runs.push(
        Entry::new("error", "text", "", "Why the run failed.")
            .empty_when("for a run that finished (`status` = `ok`)"),
    );
    let mut points = vec![
        Entry::new("point", "integer", "", "The design point."),
        Entry::new("group", "integer", "", "The Sobol row or Morris trajectory the point belongs to; its points share their replicates' seeds.")
            .empty_when("in grid, lhs and list designs, which have no groups"),
        Entry::new("role", "text", "", "Sobol: `A`, `B` or `AB<i>` (column i from B); Morris: `base` or `F<i>` (factor i moved).")
            .empty_when("in grid, lhs and list designs"),
    ];
    points.extend(factors);
    let stat = |name: &str, what: &str| {
        Entry::new(name, "number", "the series' unit", what)
            .empty_when("when no replicate has a value (`n` = 0)")
    };
    let bands = vec![
        Entry::new("point", "integer", "", "The design point."),
        Entry::new(
            "sector",
            "text",
            "",
            "The sector, or `all` for the whole economy.",
        ),
        Entry::new(
            "series",
            "text",
            "",
            "The column of series.csv summarised (see the codebook of a run).",
        ),
        Entry::new("period", "integer", "period", "The period."),
        Entry::new(
            "n",
            "integer",
            "runs",
            "Replicates with a value in this period.",
        ),
        stat("mean", "Mean over the replicates."),
        stat("p05", "5th percentile over the replicates."),
        stat("p50", "Median over the replicates."),
        stat("p95", "95th percentile over the replicates."),
    ];
    let mut codebook = Codebook::new()
        .file(&file(RUNS), runs)
        .file(&file(POINTS), points)
        .file(&file(BANDS), bands);
    if spec.output.series {
        // Every finished run's series, led by its run and point.
        let mut series = vec![run, point.clone()];
        series.extend(crate::observe::series_codebook());
        codebook = codebook.file(&file(SERIES), series);
    }
    codebook
}
