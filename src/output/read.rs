//! Reading a result's tables back, typed: a CSV file by its columns' types in the
//! result's `codebook.json` (or, for a result older than the codebook, by what its
//! cells hold), a Parquet file by its own schema. What `catchup.load` in Python reads a
//! result directory with. Knows nothing of the model: the codebook says what is there.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::basic::{Repetition, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::reader::RowIter;
use parquet::record::{Field, Row};

use super::codebook::column_kind;
use super::columns::Columns;
use super::parquet::{Cell, ColumnSpec};
use super::{CODEBOOK_FILE, OutputError};
use crate::scenario::keys::Kind;

/// The column `run` a table of per-run files gains, from each file's name.
pub const RUN_COLUMN: &str = "run";

/// The types of a codebook's columns, by file: the part of `codebook.json` a reader
/// needs (see [`super::codebook`] for what writes it).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct CodebookTypes {
    pub files: BTreeMap<String, Vec<CodebookColumn>>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct CodebookColumn {
    pub column: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// When a cell may be empty; `None`: never.
    #[serde(default)]
    pub empty: Option<String>,
}

impl CodebookTypes {
    /// The codebook of the result in `dir`; `None` if it has none (an older result).
    pub fn read(dir: &Path) -> Result<Option<CodebookTypes>, OutputError> {
        let path = dir.join(CODEBOOK_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(OutputError::Io { path, source }),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| unreadable(&path, format!("not a catchup codebook: {e}")))
    }

    /// The typed columns of `file`, as the codebook gives them.
    pub fn specs(&self, file: &str) -> Option<Vec<ColumnSpec>> {
        self.files.get(file).map(|columns| {
            columns
                .iter()
                .map(|c| ColumnSpec::new(&c.column, column_kind(&c.kind), c.empty.is_some()))
                .collect()
        })
    }
}

fn unreadable(path: &Path, message: String) -> OutputError {
    OutputError::Unreadable {
        path: path.to_path_buf(),
        message,
    }
}

/// One table of a result: its name (the file's stem: `series`, `runs`) and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Columns,
}

/// Every table of the result in `dir`: each file its codebook lists (the per-run files
/// of a sweep's `series/` as one table, with a `run` column first), or, without a
/// codebook, every CSV and Parquet file in `dir`.
pub fn read_tables(dir: &Path) -> Result<Vec<Table>, OutputError> {
    if !dir.is_dir() {
        return Err(unreadable(
            dir,
            "no such directory; expected a catchup result (a run's or a sweep's)".into(),
        ));
    }
    let Some(codebook) = CodebookTypes::read(dir)? else {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| OutputError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("csv" | "parquet")
                    )
            })
            .collect();
        files.sort();
        return files
            .iter()
            .map(|p| {
                Ok(Table {
                    name: stem(p),
                    columns: read_table(p, None)?,
                })
            })
            .collect();
    };
    let mut tables = Vec::new();
    for file in codebook.files.keys() {
        let specs = codebook.specs(file);
        let columns = match file.split_once('*') {
            Some((prefix, suffix)) => read_per_run(dir, prefix, suffix, specs)?,
            None => {
                let path = dir.join(file);
                if !path.is_file() {
                    return Err(unreadable(
                        &path,
                        format!("missing, though {CODEBOOK_FILE} lists it"),
                    ));
                }
                read_table(&path, specs)?
            }
        };
        tables.push(Table {
            name: stem(Path::new(file.split('/').next().unwrap_or(file))),
            columns,
        });
    }
    Ok(tables)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The files `PREFIX<run>SUFFIX` (`series/run-0000000012.csv`) as one table, in run
/// order, with the run first.
fn read_per_run(
    dir: &Path,
    prefix: &str,
    suffix: &str,
    specs: Option<Vec<ColumnSpec>>,
) -> Result<Columns, OutputError> {
    let (folder, start) = prefix.rsplit_once('/').unwrap_or(("", prefix));
    let folder = dir.join(folder);
    let mut runs: Vec<(u64, PathBuf)> = Vec::new();
    let entries = std::fs::read_dir(&folder).map_err(|source| OutputError::Io {
        path: folder.clone(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| OutputError::Io {
                path: folder.clone(),
                source,
            })?
            .path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let run = name.as_deref().and_then(|n| {
            n.strip_prefix(start)?
                .strip_suffix(suffix)?
                .parse::<u64>()
                .ok()
        });
        if let Some(run) = run {
            runs.push((run, path));
        }
    }
    runs.sort();
    let mut all: Option<Columns> = None;
    for (run, path) in runs {
        let one = read_table(&path, specs.clone())?;
        let table = all.get_or_insert_with(|| {
            let mut with_run = vec![ColumnSpec::new(RUN_COLUMN, Kind::Integer, false)];
            with_run.extend(one.specs().iter().cloned());
            Columns::new(with_run)
        });
        for r in 0..one.rows() {
            let mut cells = vec![Cell::Int(run as i64)];
            cells.extend(one.columns().map(|(_, values, defined)| {
                if defined[r] {
                    values.cell(r)
                } else {
                    Cell::Empty
                }
            }));
            table
                .push(&cells)
                .map_err(|what| unreadable(&path, format!("cannot read {what}")))?;
        }
    }
    Ok(all.unwrap_or_else(|| {
        let mut with_run = vec![ColumnSpec::new(RUN_COLUMN, Kind::Integer, false)];
        with_run.extend(specs.unwrap_or_default());
        Columns::new(with_run)
    }))
}

/// A table of a result as CSV text, for readers that take CSV (the charts, `catchup
/// analyze`): the file at `path` (`bands.csv`), or else the Parquet table of the same
/// name (`bands.parquet`) of a result written as Parquet, converted
/// ([`super::parquet::to_csv`]). `None` if there is neither.
pub fn csv_input(path: &Path) -> Result<Option<Box<dyn std::io::Read>>, OutputError> {
    match File::open(path) {
        Ok(file) => Ok(Some(Box::new(std::io::BufReader::new(file)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parquet = path.with_extension("parquet");
            if !parquet.is_file() {
                return Ok(None);
            }
            let text = super::parquet::to_csv(&parquet)?;
            Ok(Some(Box::new(std::io::Cursor::new(text))))
        }
        // Anything else (no permission, say) is the CSV file's failure, with its cause.
        Err(source) => Err(OutputError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A table file, typed: Parquet by its schema; CSV by `specs` (the codebook's, matched
/// to the header by name) or else by its cells.
pub fn read_table(path: &Path, specs: Option<Vec<ColumnSpec>>) -> Result<Columns, OutputError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => read_parquet(path),
        _ => read_csv(path, specs),
    }
}

fn read_csv(path: &Path, specs: Option<Vec<ColumnSpec>>) -> Result<Columns, OutputError> {
    let csv_error = |source: csv::Error| OutputError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(String::from)
        .collect();
    let records = reader.into_records();
    let Some(specs) = specs else {
        // No codebook: each column is the narrowest type all its cells read as.
        let rows = records.collect::<Result<Vec<_>, _>>().map_err(csv_error)?;
        let specs = header
            .iter()
            .enumerate()
            .map(|(i, name)| infer(name, rows.iter().map(|r| r.get(i).unwrap_or(""))))
            .collect();
        let mut table = Columns::new(specs);
        for (line, row) in rows.iter().enumerate() {
            let cells: Vec<&str> = row.iter().collect();
            table
                .push_text(&cells)
                .map_err(|what| unreadable(path, format!("row {}: {what}", line + 1)))?;
        }
        return Ok(table);
    };
    let specs = header
        .iter()
        .map(|name| {
            specs
                .iter()
                .find(|s| &s.name == name)
                .cloned()
                .ok_or_else(|| {
                    unreadable(
                        path,
                        format!("column `{name}` is not in the result's {CODEBOOK_FILE}"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut table = Columns::new(specs);
    for (line, row) in records.enumerate() {
        let row = row.map_err(csv_error)?;
        let cells: Vec<&str> = row.iter().collect();
        table
            .push_text(&cells)
            .map_err(|what| unreadable(path, format!("row {}: {what}", line + 1)))?;
    }
    Ok(table)
}

/// The narrowest type every cell of a column reads as (empty cells aside).
fn infer<'a>(name: &str, cells: impl Iterator<Item = &'a str> + Clone) -> ColumnSpec {
    let filled = cells.clone().filter(|c| !c.is_empty());
    let kind = if filled.clone().all(|c| c.parse::<i64>().is_ok()) {
        Kind::Integer
    } else if filled.clone().all(|c| c.parse::<f64>().is_ok()) {
        Kind::Number
    } else if filled.clone().all(|c| c.parse::<bool>().is_ok()) {
        Kind::Boolean
    } else {
        Kind::Text
    };
    ColumnSpec::new(name, kind, cells.clone().any(str::is_empty))
}

fn read_parquet(path: &Path) -> Result<Columns, OutputError> {
    let mut rows = ParquetRows::open(path)?;
    let mut table = Columns::new(rows.specs().to_vec());
    let mut line = 0;
    while let Some(row) = rows.next_row()? {
        line += 1;
        let cells =
            row_cells(&row).map_err(|what| unreadable(path, format!("row {line}: {what}")))?;
        table
            .push(&cells)
            .map_err(|what| unreadable(path, format!("row {line}: {what}")))?;
    }
    Ok(table)
}

/// A Parquet table read a row at a time, in its order, with its typed columns: what a
/// sweep's merge streams through, in bounded memory however long the table.
pub struct ParquetRows {
    specs: Vec<ColumnSpec>,
    rows: RowIter<'static>,
    path: PathBuf,
}

impl ParquetRows {
    pub fn open(path: &Path) -> Result<ParquetRows, OutputError> {
        let file = File::open(path).map_err(|source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let reader =
            SerializedFileReader::new(file).map_err(|e| unreadable(path, e.to_string()))?;
        let specs = reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| {
                let kind = match c.physical_type() {
                    Physical::INT64 | Physical::INT32 => Kind::Integer,
                    Physical::DOUBLE | Physical::FLOAT => Kind::Number,
                    Physical::BOOLEAN => Kind::Boolean,
                    _ => Kind::Text,
                };
                let nullable = c.self_type().get_basic_info().repetition() != Repetition::REQUIRED;
                ColumnSpec::new(c.name(), kind, nullable)
            })
            .collect();
        Ok(ParquetRows {
            specs,
            rows: reader.into_iter(),
            path: path.to_path_buf(),
        })
    }

    /// The table's columns, as its schema gives them.
    pub fn specs(&self) -> &[ColumnSpec] {
        &self.specs
    }

    /// The next row; `None` after the last.
    pub fn next_row(&mut self) -> Result<Option<Row>, OutputError> {
        self.rows
            .next()
            .transpose()
            .map_err(|e| unreadable(&self.path, e.to_string()))
    }
}

/// A row's cells, typed (a null is an empty cell); what does not fit a [`Cell`] is
/// refused, saying what it is.
pub fn row_cells(row: &Row) -> Result<Vec<Cell<'_>>, String> {
    row.get_column_iter()
        .map(|(_, field)| match field {
            Field::Null => Ok(Cell::Empty),
            Field::Bool(b) => Ok(Cell::Bool(*b)),
            Field::Long(v) => Ok(Cell::Int(*v)),
            Field::Int(v) => Ok(Cell::Int(i64::from(*v))),
            Field::Double(v) => Ok(Cell::Float(*v)),
            Field::Float(v) => Ok(Cell::Float(f64::from(*v))),
            Field::Str(s) => Ok(Cell::Text(s)),
            other => Err(format!("a value of an unexpected type: {other}")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::columns::Values;

    /// A sweep result of catchup 0.1.0 kept one series file per run: they read as one
    /// table, in run order, with the run first.
    #[test]
    fn per_run_files_read_as_one_table_in_run_order() {
        let dir = tempfile::tempdir().unwrap();
        let codebook = r#"{"format": "catchup codebook 1", "files": {
            "series/run-*.csv": [
                {"column": "period", "type": "integer", "unit": "", "meaning": "", "empty": null},
                {"column": "x", "type": "number", "unit": "", "meaning": "", "empty": "sometimes"}
            ]}}"#;
        std::fs::write(dir.path().join(CODEBOOK_FILE), codebook).unwrap();
        std::fs::create_dir(dir.path().join("series")).unwrap();
        let file = |run: u64, text: &str| {
            let name = format!("series/run-{run:010}.csv");
            std::fs::write(dir.path().join(name), text).unwrap();
        };
        file(12, "period,x\n1,0.5\n");
        file(3, "period,x\n1,\n2,2.5\n");
        std::fs::write(dir.path().join("series/notes.txt"), "not a run").unwrap();
        let tables = read_tables(dir.path()).unwrap();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].name, "series");
        let t = &tables[0].columns;
        let names: Vec<&str> = t.specs().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [RUN_COLUMN, "period", "x"]);
        let cols: Vec<_> = t.columns().collect();
        assert_eq!(cols[0].1, &Values::Int(vec![3, 3, 12]));
        assert_eq!(cols[1].1, &Values::Int(vec![1, 2, 1]));
        assert_eq!(cols[2].2, [false, true, true]);
        // A column the codebook does not know is refused, naming it.
        file(4, "period,y\n1,1\n");
        let e = read_tables(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("column `y` is not in the result's codebook.json"),
            "{e}"
        );
    }
}
