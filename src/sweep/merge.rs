//! `catchup merge`: the shards of a sweep put together, streaming, in bounded memory
//! and open files, byte-identical to the unsharded sweep. CSV tables are merged line
//! by line, copied verbatim; Parquet tables row by row, through the same writer the
//! sweep uses, which gives the same rows the same bytes.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::error::{SweepError, io};
use super::execute::{
    BANDS, BASE_FILE, MANIFEST_FILE, POINTS, RUNS, SERIES, SWEEP_FILE, SweepManifest,
};
use super::runs::Shard;
use crate::output::parquet::ParquetFile;
use crate::output::read::{ParquetRows, row_cells};
use crate::output::{CODEBOOK_FILE, ResultDir, TableFormat};

/// Merges shard results into one, byte-identical in its tables to the unsharded sweep.
pub fn merge(
    shards: &[PathBuf],
    out: &Path,
    force: bool,
) -> Result<(PathBuf, SweepManifest), SweepError> {
    if shards.is_empty() {
        return Err(SweepError::Refused(
            "expected at least one shard directory".into(),
        ));
    }
    // One shard at a time, keeping only the first manifest, running sums and each
    // shard's number: memory stays small however many shards there are.
    let mut first: Option<SweepManifest> = None;
    let mut sums = MergeSums::default();
    let mut parsed = Vec::with_capacity(shards.len());
    for dir in shards {
        let m = SweepManifest::read(dir)?;
        sums.add(&m);
        parsed.push(m.shard.clone());
        first.get_or_insert(m);
    }
    let first_text =
        fs::read_to_string(shards[0].join(SWEEP_FILE)).map_err(io(&shards[0].join(SWEEP_FILE)))?;
    for d in &shards[1..] {
        let text = fs::read_to_string(d.join(SWEEP_FILE)).map_err(io(&d.join(SWEEP_FILE)))?;
        if text != first_text {
            return Err(SweepError::Refused(
                "the shards come from different sweep files".into(),
            ));
        }
    }
    let parsed: Vec<Shard> = parsed
        .iter()
        .zip(shards)
        .map(|(s, dir)| {
            s.parse::<Shard>().map_err(|why| SweepError::Damaged {
                path: dir.join(MANIFEST_FILE),
                why,
            })
        })
        .collect::<Result<_, _>>()?;
    let count = parsed[0].count;
    let mut seen = std::collections::BTreeSet::new();
    for (s, dir) in parsed.iter().zip(shards) {
        if s.count != count {
            return Err(SweepError::Refused(format!(
                "{} is shard {s} but others are shards of {count}",
                dir.display()
            )));
        }
        if !seen.insert(s.index) {
            return Err(SweepError::Refused(format!("shard {s} is given twice")));
        }
    }
    // The first few missing shards by name (the count comes from a file: never list
    // billions), then how many more.
    let missing_total = u64::from(count) - seen.len() as u64;
    if missing_total > 0 {
        let named: Vec<String> = (1..=count)
            .filter(|k| !seen.contains(k))
            .take(20)
            .map(|k| format!("{k}/{count}"))
            .collect();
        let more = missing_total - named.len() as u64;
        let more = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        return Err(SweepError::Refused(format!(
            "missing shards: {}{more}",
            named.join(", ")
        )));
    }
    let first = first.expect("at least one shard was read");

    // The shards' format: the one their runs table is written in, the same in all.
    let format = TableFormat::of_table(&shards[0], RUNS).ok_or_else(|| SweepError::Damaged {
        path: shards[0].clone(),
        why: format!("it has neither {RUNS}.csv nor {RUNS}.parquet"),
    })?;
    for dir in &shards[1..] {
        if TableFormat::of_table(dir, RUNS) != Some(format) {
            return Err(SweepError::Refused(format!(
                "{} has no {}, though {} has: the shards were written in different formats \
                 (`[output] format` or `--format`); run them again in one",
                dir.display(),
                format.file(RUNS),
                shards[0].display()
            )));
        }
    }
    let result = ResultDir::create(out, force)?;
    // A shard's series table is sorted by run, led by run and point, as runs is.
    let series = shards[0].join(format.file(SERIES)).is_file();
    let tables = [POINTS, RUNS, BANDS, SERIES];
    for stem in &tables[..if series { 4 } else { 3 }] {
        let file = format.file(stem);
        let inputs: Vec<PathBuf> = shards.iter().map(|d| d.join(&file)).collect();
        let step = match format {
            TableFormat::Csv => MergeStep::CSV,
            TableFormat::Parquet => MergeStep::PARQUET,
        };
        merge_files(&inputs, &result.path(&file), step, &|round, group| {
            result.path(&format!(".{file}.round-{round}-{group}"))
        })?;
    }
    result.write_text(SWEEP_FILE, &first_text)?;
    let base =
        fs::read_to_string(shards[0].join(BASE_FILE)).map_err(io(&shards[0].join(BASE_FILE)))?;
    result.write_text(BASE_FILE, &base)?;
    // Every shard's codebook is the same (it depends on the sweep file alone); a shard
    // from a build before codebooks has none, and the merge then has none either.
    let codebook = shards[0].join(CODEBOOK_FILE);
    if codebook.is_file() {
        let text = fs::read_to_string(&codebook).map_err(io(&codebook))?;
        result.write_text(CODEBOOK_FILE, &text)?;
    }
    let manifest = SweepManifest {
        shard: "merged".into(),
        ..sums.over(first)
    };
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    result.write_text(MANIFEST_FILE, &(json + "\n"))?;
    Ok((result.commit()?, manifest))
}

/// Most files one merge step reads at once. More shards are merged in rounds, through
/// temporary files of up to this many shards each, so that open files (and the lines
/// held, one per file) stay bounded however many shards there are: 10,000 shards
/// would otherwise exceed a usual limit of 1,024 open files.
const MERGE_FANOUT: usize = 64;

/// How tables of one format are merged: a step merging `inputs` (each sorted by point)
/// into `output`, and how many inputs one step reads at once.
#[derive(Clone, Copy)]
struct MergeStep {
    merge: fn(&[PathBuf], &Path) -> Result<(), SweepError>,
    fanout: usize,
}

impl MergeStep {
    const CSV: MergeStep = MergeStep {
        merge: merge_csv,
        fanout: MERGE_FANOUT,
    };
    /// An open Parquet table holds a decoded page of each column and a batch of rows
    /// (megabytes for a long series table) where a CSV file holds a line: fewer at once
    /// keep the merge's memory bounded to about what 64 CSV files and one writer take.
    const PARQUET: MergeStep = MergeStep {
        merge: merge_parquet,
        fanout: 16,
    };
}

/// Merges `inputs` into `output` with `step` ([`merge_csv`], [`merge_parquet`]) in
/// rounds of at most `step.fanout` files; `scratch(round, group)` names a temporary
/// file, removed as soon as the next round has read it. Merging is associative here
/// (every point's rows come from one file and stay together), so the rounds change no
/// byte.
fn merge_files(
    inputs: &[PathBuf],
    output: &Path,
    step: MergeStep,
    scratch: &dyn Fn(usize, usize) -> PathBuf,
) -> Result<(), SweepError> {
    let mut level: Vec<PathBuf> = inputs.to_vec();
    let mut round = 0;
    while level.len() > step.fanout {
        let mut next = Vec::with_capacity(level.len().div_ceil(step.fanout));
        for (g, group) in level.chunks(step.fanout).enumerate() {
            let tmp = scratch(round, g);
            (step.merge)(group, &tmp)?;
            next.push(tmp);
        }
        if round > 0 {
            for p in &level {
                fs::remove_file(p).map_err(io(p))?;
            }
        }
        level = next;
        round += 1;
    }
    (step.merge)(&level, output)?;
    if round > 0 {
        for p in &level {
            fs::remove_file(p).map_err(io(p))?;
        }
    }
    Ok(())
}

/// A shard's table read a row at a time, with each row's design point.
trait PointRows {
    type Row;
    fn next_row(&mut self) -> Result<Option<(u64, Self::Row)>, SweepError>;
}

/// Merges tables whose rows are sorted by design point, each point's rows in one of
/// them, calling `emit` on every row in point order: a point's rows stay together and
/// in their order, as a single writer wrote them.
fn merge_by_point<R: PointRows>(
    mut inputs: Vec<R>,
    mut emit: impl FnMut(R::Row) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let mut current = inputs
        .iter_mut()
        .map(R::next_row)
        .collect::<Result<Vec<_>, _>>()?;
    // The next row is the one of the lowest point; ties keep the shard order (they
    // cannot happen: a point belongs to one shard).
    while let Some((point, i)) = current
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().map(|(p, _)| (*p, i)))
        .min()
    {
        let (_, row) = current[i].take().expect("the head just found");
        emit(row)?;
        // The rest of this point's rows come from the same shard.
        loop {
            match inputs[i].next_row()? {
                Some((p, row)) if p == point => emit(row)?,
                next => {
                    current[i] = next;
                    break;
                }
            }
        }
    }
    Ok(())
}

/// A CSV table's lines, verbatim, after its header.
struct CsvLines {
    reader: BufReader<fs::File>,
    path: PathBuf,
    /// The column of the point: first in points and bands, second (after the run) in
    /// runs and series.
    column: usize,
}

impl PointRows for CsvLines {
    type Row = Vec<u8>;
    fn next_row(&mut self) -> Result<Option<(u64, Vec<u8>)>, SweepError> {
        let mut line = Vec::new();
        let n = self
            .reader
            .read_until(b'\n', &mut line)
            .map_err(io(&self.path))?;
        if n == 0 {
            return Ok(None);
        }
        let point = line
            .split(|&b| b == b',')
            .nth(self.column)
            .and_then(|f| std::str::from_utf8(f).ok())
            .and_then(|f| f.trim().parse().ok())
            .unwrap_or(u64::MAX);
        Ok(Some((point, line)))
    }
}

/// Merges CSV tables (see [`merge_by_point`]), copying lines verbatim so the merge is
/// byte-identical to a single writer's output. Every header must be the first's.
fn merge_csv(inputs: &[PathBuf], output: &Path) -> Result<(), SweepError> {
    let mut readers = Vec::new();
    let mut header: Option<Vec<u8>> = None;
    for path in inputs {
        let mut reader = BufReader::new(fs::File::open(path).map_err(io(path))?);
        let mut h = Vec::new();
        reader.read_until(b'\n', &mut h).map_err(io(path))?;
        match &header {
            None => header = Some(h.clone()),
            Some(first) if *first != h => {
                return Err(SweepError::Damaged {
                    path: path.clone(),
                    why: "its header differs from the first shard's".into(),
                });
            }
            _ => {}
        }
        let column = usize::from(h.starts_with(b"run,"));
        readers.push(CsvLines {
            reader,
            path: path.clone(),
            column,
        });
    }
    let mut out = std::io::BufWriter::new(fs::File::create(output).map_err(io(output))?);
    out.write_all(&header.unwrap_or_default())
        .map_err(io(output))?;
    merge_by_point(readers, |line| out.write_all(&line).map_err(io(output)))?;
    let file = out.into_inner().map_err(|e| SweepError::Io {
        path: output.to_path_buf(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io(output))
}

/// A Parquet table's rows, with the column of the point.
struct TypedRows {
    rows: ParquetRows,
    column: usize,
}

impl PointRows for TypedRows {
    type Row = parquet::record::Row;
    fn next_row(&mut self) -> Result<Option<(u64, Self::Row)>, SweepError> {
        let Some(row) = self.rows.next_row()? else {
            return Ok(None);
        };
        let point = match row.get_column_iter().nth(self.column) {
            Some((_, parquet::record::Field::Long(p))) => u64::try_from(*p).unwrap_or(u64::MAX),
            _ => u64::MAX,
        };
        Ok(Some((point, row)))
    }
}

/// Merges Parquet tables (see [`merge_by_point`]) into one written as the sweep writes
/// its tables, so the same rows make the same bytes. Every table's columns must be the
/// first's.
fn merge_parquet(inputs: &[PathBuf], output: &Path) -> Result<(), SweepError> {
    let mut readers = Vec::new();
    for path in inputs {
        let rows = ParquetRows::open(path)?;
        if let Some(first) = readers.first().map(|r: &TypedRows| r.rows.specs())
            && first != rows.specs()
        {
            return Err(SweepError::Damaged {
                path: path.clone(),
                why: "its columns differ from the first shard's".into(),
            });
        }
        let column = rows
            .specs()
            .iter()
            .position(|c| c.name == "point")
            .ok_or_else(|| SweepError::Damaged {
                path: path.clone(),
                why: "it has no column `point`".into(),
            })?;
        readers.push(TypedRows { rows, column });
    }
    let Some(first) = readers.first() else {
        return Err(SweepError::Refused("nothing to merge".into()));
    };
    let mut out = ParquetFile::create(output, first.rows.specs().to_vec())?;
    merge_by_point(readers, |row| {
        let cells = row_cells(&row).map_err(|why| SweepError::Damaged {
            path: output.to_path_buf(),
            why,
        })?;
        Ok(out.row(&cells)?)
    })?;
    Ok(out.finish()?)
}

/// What a merged manifest adds up over its shards, one shard at a time.
#[derive(Default)]
struct MergeSums {
    runs: u64,
    runs_resumed: u64,
    runs_failed: u64,
    firm_steps: u64,
    wall_seconds: f64,
    firm_steps_per_second: f64,
    runs_per_second: f64,
    peak_memory_bytes: Option<u64>,
}

impl MergeSums {
    fn add(&mut self, m: &SweepManifest) {
        self.runs += m.runs;
        self.runs_resumed += m.runs_resumed;
        self.runs_failed += m.runs_failed;
        self.firm_steps += m.firm_steps;
        // The shards ran side by side: the longest is the merged sweep's wall time,
        // and the rates add up.
        self.wall_seconds = self.wall_seconds.max(m.wall_seconds);
        self.firm_steps_per_second += m.firm_steps_per_second;
        self.runs_per_second += m.runs_per_second;
        self.peak_memory_bytes = self.peak_memory_bytes.max(m.peak_memory_bytes);
    }

    /// `base` (the first shard's manifest) with these sums.
    fn over(self, base: SweepManifest) -> SweepManifest {
        SweepManifest {
            runs: self.runs,
            runs_resumed: self.runs_resumed,
            runs_failed: self.runs_failed,
            firm_steps: self.firm_steps,
            wall_seconds: self.wall_seconds,
            firm_steps_per_second: self.firm_steps_per_second,
            runs_per_second: self.runs_per_second,
            peak_memory_bytes: self.peak_memory_bytes,
            ..base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 5,000 shards' files (points dealt round-robin, two lines per point) merge in
    /// three rounds into the file of a single writer, and the rounds' temporary files
    /// are gone.
    #[test]
    fn thousands_of_shards_merge_in_rounds_into_the_single_writers_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (shards, points) = (5_000usize, 12_000usize);
        let line = |p: usize, r: usize| format!("{p},{r},x\n");
        let mut whole = String::from("point,row,v\n");
        let mut files = vec![String::from("point,row,v\n"); shards];
        for p in 0..points {
            for r in 0..2 {
                whole.push_str(&line(p, r));
                files[p % shards].push_str(&line(p, r));
            }
        }
        let inputs: Vec<PathBuf> = files
            .iter()
            .enumerate()
            .map(|(k, text)| {
                let path = dir.path().join(format!("in-{k}.csv"));
                fs::write(&path, text).unwrap();
                path
            })
            .collect();
        let scratch = dir.path().join("scratch");
        fs::create_dir(&scratch).unwrap();
        let out = dir.path().join("out.csv");
        let rounds = std::cell::Cell::new(0);
        merge_files(&inputs, &out, MergeStep::CSV, &|round, group| {
            rounds.set(rounds.get().max(round + 1));
            scratch.join(format!("{round}-{group}"))
        })
        .unwrap();
        assert_eq!(fs::read_to_string(&out).unwrap(), whole);
        // 5,000 -> 79 -> 2 -> 1.
        assert_eq!(rounds.get(), 2);
        assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0);
    }

    /// Parquet tables of 150 shards (more than one step reads) merge in rounds into
    /// the bytes one writer gives the same rows: empty cells and text included.
    #[test]
    fn parquet_shards_merge_in_rounds_into_the_single_writers_bytes() {
        use crate::output::parquet::{Cell, ColumnSpec};
        use crate::scenario::keys::Kind;
        let dir = tempfile::tempdir().unwrap();
        let (shards, points) = (150usize, 400usize);
        let columns = vec![
            ColumnSpec::new("run", Kind::Integer, false),
            ColumnSpec::new("point", Kind::Integer, false),
            ColumnSpec::new("v", Kind::Number, true),
            ColumnSpec::new("s", Kind::Text, true),
        ];
        let row = |p: usize, r: usize| {
            let v = if p.is_multiple_of(3) {
                Cell::Empty
            } else {
                Cell::Float(p as f64 / 7.0)
            };
            let s = if r == 0 {
                Cell::Text("a,b")
            } else {
                Cell::Empty
            };
            [Cell::Int((2 * p + r) as i64), Cell::Int(p as i64), v, s]
        };
        let whole_path = dir.path().join("whole.parquet");
        let mut whole = ParquetFile::create(&whole_path, columns.clone()).unwrap();
        let inputs: Vec<PathBuf> = (0..shards)
            .map(|k| dir.path().join(format!("in-{k}.parquet")))
            .collect();
        let mut files: Vec<ParquetFile> = inputs
            .iter()
            .map(|p| ParquetFile::create(p, columns.clone()).unwrap())
            .collect();
        for p in 0..points {
            for r in 0..2 {
                whole.row(&row(p, r)).unwrap();
                files[p % shards].row(&row(p, r)).unwrap();
            }
        }
        whole.finish().unwrap();
        files.into_iter().for_each(|f| f.finish().unwrap());
        let scratch = dir.path().join("scratch");
        fs::create_dir(&scratch).unwrap();
        let out = dir.path().join("out.parquet");
        merge_files(&inputs, &out, MergeStep::PARQUET, &|round, group| {
            scratch.join(format!("{round}-{group}.parquet"))
        })
        .unwrap();
        assert!(fs::read(&out).unwrap() == fs::read(&whole_path).unwrap());
        assert_eq!(fs::read_dir(&scratch).unwrap().count(), 0);
    }
}
