//! Tables as Apache Parquet, zstd-compressed, with the same columns as the CSV files
//! and each column typed (64-bit integers, doubles, UTF-8 text, booleans; a column
//! that may hold empty cells is nullable, so an integer column with empty cells stays
//! an integer column). Rows are buffered and written a row group at a time, so memory
//! stays bounded however long the table.
//!
//! The writer adds nothing that varies between runs (no time stamp), so the same rows
//! give the same bytes.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical, ZstdLevel};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::{ColumnPath, Type};

use super::OutputError;
use super::columns::{Columns, Values};
use crate::scenario::keys::Kind;

/// Rows per row group: large enough for good compression and fast reads, small enough
/// that a million-firm table is buffered a fraction at a time.
const ROW_GROUP_ROWS: usize = 1 << 17;
/// zstd's own default level: most of the size gain of higher levels at a fraction of
/// their time.
const ZSTD_LEVEL: i32 = 3;

/// A column of a table: its name, type, and whether cells may be empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    pub kind: Kind,
    pub nullable: bool,
}

impl ColumnSpec {
    pub fn new(name: &str, kind: Kind, nullable: bool) -> ColumnSpec {
        ColumnSpec {
            name: name.to_string(),
            kind,
            nullable,
        }
    }
}

/// One cell of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
    Bool(bool),
    /// Undefined (an empty CSV cell).
    Empty,
}

/// A Parquet table being written; [`ParquetFile::finish`] completes it.
pub struct ParquetFile {
    writer: SerializedFileWriter<BufWriter<File>>,
    /// The row group being gathered.
    group: Columns,
    path: PathBuf,
}

fn parquet_error(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> OutputError + '_ {
    move |source| OutputError::Parquet {
        path: path.to_path_buf(),
        message: source.to_string(),
    }
}

fn schema(columns: &[ColumnSpec]) -> Result<Type, parquet::errors::ParquetError> {
    let fields = columns
        .iter()
        .map(|c| {
            let (physical, logical) = match c.kind {
                Kind::Integer => (Physical::INT64, None),
                Kind::Number => (Physical::DOUBLE, None),
                Kind::Boolean => (Physical::BOOLEAN, None),
                Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            };
            let repetition = if c.nullable {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            Type::primitive_type_builder(&c.name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
}

impl ParquetFile {
    /// Starts a table at `path` with these columns.
    pub fn create(path: &Path, columns: Vec<ColumnSpec>) -> Result<ParquetFile, OutputError> {
        let file = File::create(path).map_err(|source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let schema = Arc::new(schema(&columns).map_err(parquet_error(path))?);
        let level = ZstdLevel::try_new(ZSTD_LEVEL).map_err(parquet_error(path))?;
        // Dictionaries pay for text and counts, which repeat (sector names, periods,
        // ages), and cost a hash per value in columns of doubles, which rarely do.
        let props = columns
            .iter()
            .filter(|c| c.kind == Kind::Number)
            .fold(
                WriterProperties::builder()
                    .set_compression(Compression::ZSTD(level))
                    .set_created_by(format!("catchup {}", env!("CARGO_PKG_VERSION"))),
                |props, c| {
                    props.set_column_dictionary_enabled(ColumnPath::from(c.name.as_str()), false)
                },
            )
            .build();
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(1 << 20, file),
            schema,
            Arc::new(props),
        )
        .map_err(parquet_error(path))?;
        Ok(ParquetFile {
            writer,
            group: Columns::new(columns),
            path: path.to_path_buf(),
        })
    }

    /// Appends a row: one cell per column, of the column's type (an integer is taken
    /// by a number column; an empty cell only by a nullable column).
    pub fn row(&mut self, cells: &[Cell<'_>]) -> Result<(), OutputError> {
        self.group.push(cells).map_err(|what| self.mismatch(what))?;
        self.flush_if_full()
    }

    /// Appends a row given as CSV cells, each parsed by its column's type (an empty
    /// cell is empty): the sweep's tables are built as text, in the exact form the CSV
    /// files hold, and this reads that form back without loss.
    pub fn text_row(&mut self, cells: &[&str]) -> Result<(), OutputError> {
        self.group
            .push_text(cells)
            .map_err(|what| self.mismatch(what))?;
        self.flush_if_full()
    }

    fn flush_if_full(&mut self) -> Result<(), OutputError> {
        if self.group.rows() == ROW_GROUP_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn mismatch(&self, what: String) -> OutputError {
        OutputError::Parquet {
            path: self.path.clone(),
            message: format!("cannot write {what}"),
        }
    }

    /// Writes the rows gathered so far as a row group.
    fn flush(&mut self) -> Result<(), OutputError> {
        if self.group.rows() == 0 {
            return Ok(());
        }
        let path = self.path.clone();
        let mut group = self.writer.next_row_group().map_err(parquet_error(&path))?;
        for (spec, values, defined) in self.group.columns() {
            let mut column = group
                .next_column()
                .map_err(parquet_error(&path))?
                .expect("one column writer per column of the schema");
            // Parquet takes the defined values alone, and a level per row (1: defined).
            let levels: Option<Vec<i16>> = spec
                .nullable
                .then(|| defined.iter().map(|&d| i16::from(d)).collect());
            let levels = levels.as_deref();
            let written = match values {
                Values::Int(v) => {
                    column
                        .typed::<Int64Type>()
                        .write_batch(&only(v, spec, defined), levels, None)
                }
                Values::Float(v) => {
                    column
                        .typed::<DoubleType>()
                        .write_batch(&only(v, spec, defined), levels, None)
                }
                Values::Text(v) => {
                    let bytes: Vec<ByteArray> = v
                        .iter()
                        .zip(defined)
                        .filter(|&(_, &d)| d || !spec.nullable)
                        .map(|(s, _)| ByteArray::from(s.as_str()))
                        .collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&bytes, levels, None)
                }
                Values::Bool(v) => {
                    column
                        .typed::<BoolType>()
                        .write_batch(&only(v, spec, defined), levels, None)
                }
            };
            written.map_err(parquet_error(&path))?;
            column.close().map_err(parquet_error(&path))?;
        }
        group.close().map_err(parquet_error(&path))?;
        self.group.clear();
        Ok(())
    }

    /// Writes the last row group and the footer, and syncs the file.
    pub fn finish(mut self) -> Result<(), OutputError> {
        self.flush()?;
        let path = self.path.clone();
        let buf = self.writer.into_inner().map_err(parquet_error(&path))?;
        let file = buf.into_inner().map_err(|e| OutputError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all()
            .map_err(|source| OutputError::Io { path, source })
    }
}

/// The values of the defined cells: all of them in a column that is never empty.
fn only<'a, T: Copy>(values: &'a [T], spec: &ColumnSpec, defined: &[bool]) -> Cow<'a, [T]> {
    if !spec.nullable {
        return Cow::Borrowed(values);
    }
    Cow::Owned(
        values
            .iter()
            .zip(defined)
            .filter(|&(_, &d)| d)
            .map(|(&v, _)| v)
            .collect(),
    )
}

/// A Parquet table as CSV text (a header, then one line per row; empty cells for
/// nulls, numbers in their shortest exact form): for the readers of results written as
/// CSV, such as the charts.
pub fn to_csv(path: &Path) -> Result<Vec<u8>, OutputError> {
    let file = File::open(path).map_err(|source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = SerializedFileReader::new(file).map_err(parquet_error(path))?;
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |source: csv::Error| OutputError::Csv {
        path: path.to_path_buf(),
        source,
    };
    out.write_record(&names).map_err(csv_error)?;
    let mut cells: Vec<String> = Vec::with_capacity(names.len());
    for row in reader.get_row_iter(None).map_err(parquet_error(path))? {
        let row = row.map_err(parquet_error(path))?;
        cells.clear();
        for (_, field) in row.get_column_iter() {
            cells.push(match field {
                Field::Null => String::new(),
                Field::Bool(b) => b.to_string(),
                Field::Long(v) => v.to_string(),
                Field::Double(v) => v.to_string(),
                Field::Str(s) => s.clone(),
                other => other.to_string(),
            });
        }
        out.write_record(&cells).map_err(csv_error)?;
    }
    let mut bytes = out.into_inner().map_err(|e| OutputError::Io {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    bytes.flush().ok();
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every type and empty cells survive the round trip, across row groups.
    #[test]
    fn a_table_reads_back_as_its_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let columns = vec![
            ColumnSpec::new("n", Kind::Integer, false),
            ColumnSpec::new("x", Kind::Number, true),
            ColumnSpec::new("s", Kind::Text, false),
            ColumnSpec::new("b", Kind::Boolean, false),
        ];
        let mut t = ParquetFile::create(&path, columns).unwrap();
        let mut expected = String::from("n,x,s,b\n");
        let rows = ROW_GROUP_ROWS + 3;
        for i in 0..rows {
            let x = (i % 7 != 0).then(|| i as f64 / 3.0);
            // Large integers too: every seed below 2^53 must survive.
            let n = (i as i64 * 1_000_000_007_919) % ((1 << 53) - 1);
            t.row(&[
                Cell::Int(n),
                x.map_or(Cell::Empty, Cell::Float),
                Cell::Text(if i % 2 == 0 { "all" } else { "catch-up" }),
                Cell::Bool(i % 3 == 0),
            ])
            .unwrap();
            expected.push_str(&format!(
                "{n},{},{},{}\n",
                x.map_or(String::new(), |x| x.to_string()),
                if i % 2 == 0 { "all" } else { "catch-up" },
                i % 3 == 0
            ));
        }
        t.finish().unwrap();
        assert_eq!(String::from_utf8(to_csv(&path).unwrap()).unwrap(), expected);
    }

    #[test]
    fn a_cell_of_the_wrong_type_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut t =
            ParquetFile::create(&path, vec![ColumnSpec::new("n", Kind::Integer, false)]).unwrap();
        let e = t.row(&[Cell::Empty]).unwrap_err().to_string();
        assert!(e.contains("column `n` (integer)"), "{e}");
        let e = t.text_row(&["1.5"]).unwrap_err().to_string();
        assert!(
            e.contains("`1.5` in column `n`, which holds integer values"),
            "{e}"
        );
        t.text_row(&["12"]).unwrap();
        t.finish().unwrap();
        assert_eq!(to_csv(&path).unwrap(), b"n\n12\n");
    }
}
