//! Writing results: the only place that writes files.
//!
//! A result directory is written whole or not at all: files go into a hidden
//! temporary directory beside the target, which is renamed into place only when
//! everything is written and flushed. An existing result is replaced only when the
//! caller says so (`--force`), and then the old one is moved aside before the new one
//! takes its name.

pub mod atomic;
pub mod codebook;
pub mod columns;
pub mod csv_text;
pub mod lock;
pub mod manifest;
pub mod parquet;
pub mod provenance;
pub mod read;
pub mod workdir;

use std::fs::{self, File};
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

pub use codebook::{CODEBOOK_FILE, Codebook};
pub use lock::{OutputLock, lock_output};
pub use manifest::Manifest;

/// The file format of a result's tables.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// Comma-separated text with a header row (the default: every program reads it).
    #[default]
    Csv,
    /// Apache Parquet, zstd-compressed, typed columns ([`parquet`]).
    Parquet,
}

impl TableFormat {
    pub const NAMES: [&'static str; 2] = ["csv", "parquet"];

    pub fn from_name(name: &str) -> Option<TableFormat> {
        match name {
            "csv" => Some(TableFormat::Csv),
            "parquet" => Some(TableFormat::Parquet),
            _ => None,
        }
    }

    /// The file of a table in this format: `series` -> `series.csv` or `series.parquet`.
    pub fn file(self, stem: &str) -> String {
        match self {
            TableFormat::Csv => format!("{stem}.csv"),
            TableFormat::Parquet => format!("{stem}.parquet"),
        }
    }

    /// The format the table `stem` of the result in `dir` was written in: the one
    /// whose file is there (`None`: neither is).
    pub fn of_table(dir: &Path, stem: &str) -> Option<TableFormat> {
        [TableFormat::Csv, TableFormat::Parquet]
            .into_iter()
            .find(|f| dir.join(f.file(stem)).is_file())
    }
}

/// A table of a result in either format: rows go to [`CsvFile`] as serialized
/// records, to [`parquet::ParquetFile`] as typed cells.
pub enum TableFile {
    Csv(CsvFile),
    Parquet(parquet::ParquetFile),
}

impl TableFile {
    /// Appends a row given as the cells of a CSV record: written as they are to CSV,
    /// each read by its column's type for Parquet (an empty cell is empty). Tables
    /// built as text (a sweep's) so hold the same values in either format.
    pub fn text_row(&mut self, cells: &[&str]) -> Result<(), OutputError> {
        match self {
            TableFile::Csv(f) => f.record(cells),
            TableFile::Parquet(f) => f.text_row(cells),
        }
    }

    pub fn finish(self) -> Result<(), OutputError> {
        match self {
            TableFile::Csv(f) => f.finish(),
            TableFile::Parquet(f) => f.finish(),
        }
    }
}

/// Errors while writing results.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0} already exists; pass --force to replace it, or choose another --out")]
    Exists(PathBuf),
    #[error(
        "{0} exists and is not provably a catchup result ({1}); refusing to replace it \
         even with --force: nothing in it was touched. Remove it yourself or choose another --out"
    )]
    NotAResult(PathBuf, String),
    #[error(
        "{target} is being written by another catchup process ({holder}), which holds \
         {lock}; nothing was touched. Wait for it to finish, or stop it, then try again"
    )]
    Locked {
        target: PathBuf,
        lock: PathBuf,
        holder: String,
    },
    #[error(
        "{0} is in the way of the lock file catchup keeps beside a result ({1}); nothing in \
         it was touched. Move it away or choose another --out"
    )]
    NotALock(PathBuf, String),
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parquet { path: PathBuf, message: String },
    /// A row that does not fit its table (its cells against the columns' types).
    #[error("a row that does not fit its table: {0}")]
    Row(String),
    /// A table or codebook of a result that cannot be read as one.
    #[error("{path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("{path}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
}

impl OutputError {
    /// Whether the user can fix this by changing what they asked for, or by waiting
    /// for another process (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            OutputError::Exists(_)
                | OutputError::NotAResult(..)
                | OutputError::Locked { .. }
                | OutputError::NotALock(..)
        )
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Fails if something exists at `target`, unless `force` is given and it is provably
/// a previous catchup result or an empty directory ([`provenance::check_ours`]):
/// `--force` replaces results, never a user's other files.
pub fn check_target(target: &Path, force: bool) -> Result<(), OutputError> {
    if fs::symlink_metadata(target).is_err() {
        return Ok(());
    }
    if !force {
        return Err(OutputError::Exists(target.to_path_buf()));
    }
    provenance::check_ours(target)
        .map_err(|provenance::NotOurs(why)| OutputError::NotAResult(target.to_path_buf(), why))
}

/// A result directory being written. Dropped without [`ResultDir::commit`], it
/// removes its temporary files, leaving no trace.
pub struct ResultDir {
    target: PathBuf,
    temp: PathBuf,
    /// Where a replaced result is moved while the new one takes its name.
    aside: PathBuf,
    force: bool,
    committed: bool,
    /// The parent folder, when this result created it (removed again, if empty, when
    /// the result is abandoned: a failed run leaves no empty `output/`).
    created_parent: Option<PathBuf>,
}

impl ResultDir {
    /// Starts a result at `target`.
    pub fn create(target: &Path, force: bool) -> Result<ResultDir, OutputError> {
        check_target(target, force)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let created_parent = (!parent.exists()).then(|| parent.clone());
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "result".into());
        let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let aside = parent.join(format!(".{name}.old-{}", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(io(&temp))?;
        }
        fs::create_dir(&temp).map_err(io(&temp))?;
        Ok(ResultDir {
            target: target.to_path_buf(),
            temp,
            aside,
            force,
            committed: false,
            created_parent,
        })
    }

    /// Path of a file inside the (temporary) result.
    pub fn path(&self, file: &str) -> PathBuf {
        self.temp.join(file)
    }

    /// A CSV writer for a file of the result.
    pub fn csv(&self, file: &str) -> Result<CsvFile, OutputError> {
        let path = self.path(file);
        let f = File::create(&path).map_err(io(&path))?;
        Ok(CsvFile {
            writer: csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f)),
            path,
        })
    }

    /// A table of the result in `format`, named `stem` and the format's extension.
    pub fn table(
        &self,
        stem: &str,
        format: TableFormat,
        columns: impl FnOnce() -> Vec<parquet::ColumnSpec>,
    ) -> Result<TableFile, OutputError> {
        let file = format.file(stem);
        Ok(match format {
            TableFormat::Csv => TableFile::Csv(self.csv(&file)?),
            TableFormat::Parquet => TableFile::Parquet(self.parquet(&file, columns())?),
        })
    }

    /// A table of the result in `format` whose rows are given as text
    /// ([`TableFile::text_row`]): its columns name the CSV file's header and type the
    /// Parquet file's schema.
    pub fn text_table(
        &self,
        stem: &str,
        format: TableFormat,
        columns: Vec<parquet::ColumnSpec>,
    ) -> Result<TableFile, OutputError> {
        let mut table = self.table(stem, format, || columns.clone())?;
        if let TableFile::Csv(f) = &mut table {
            let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            f.record(&names)?;
        }
        Ok(table)
    }

    /// A Parquet table of the result, with these columns.
    pub fn parquet(
        &self,
        file: &str,
        columns: Vec<parquet::ColumnSpec>,
    ) -> Result<parquet::ParquetFile, OutputError> {
        parquet::ParquetFile::create(&self.path(file), columns)
    }

    /// Writes a whole text file of the result.
    pub fn write_text(&self, file: &str, text: &str) -> Result<(), OutputError> {
        let path = self.path(file);
        let mut f = File::create(&path).map_err(io(&path))?;
        f.write_all(text.as_bytes()).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))
    }

    /// Writes the codebook of the result's tables (`codebook.json`).
    pub fn write_codebook(&self, codebook: &Codebook) -> Result<(), OutputError> {
        self.write_text(CODEBOOK_FILE, &codebook.to_json())
    }

    /// Moves the finished result into place.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        // Written last, so that it lists every file: what lets `--force` replace this later.
        provenance::write_inventory(&self.temp).map_err(io(&self.temp))?;
        if fs::symlink_metadata(&self.target).is_ok() {
            check_target(&self.target, self.force)?;
            // The name carries the process id, so it is ours alone.
            let aside = self.aside.clone();
            if aside.exists() {
                fs::remove_dir_all(&aside).map_err(io(&aside))?;
            }
            fs::rename(&self.target, &aside).map_err(io(&self.target))?;
            fs::rename(&self.temp, &self.target).map_err(io(&self.target))?;
            // The new result is in place; losing the old copy now loses nothing asked for.
            let _ = fs::remove_dir_all(&aside);
        } else {
            fs::rename(&self.temp, &self.target).map_err(io(&self.target))?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for ResultDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
            if let Some(parent) = &self.created_parent {
                // Only if empty: anything else put there meanwhile stays.
                let _ = fs::remove_dir(parent);
            }
        }
    }
}

/// A CSV file of a result, flushed and synced on [`CsvFile::finish`].
pub struct CsvFile {
    writer: csv::Writer<BufWriter<File>>,
    path: PathBuf,
}

impl CsvFile {
    pub fn row<T: serde::Serialize>(&mut self, row: &T) -> Result<(), OutputError> {
        self.writer
            .serialize(row)
            .map_err(|source| OutputError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    /// Writes records `0..count`, record `i` being `record_of(i)`, formatted in parallel
    /// on the current thread pool ([`csv_text`]): the same bytes as [`CsvFile::row`] on
    /// each one's cells, in order, without a header.
    pub fn rows_in_parallel<'a, const N: usize, R: csv_text::Record<'a, N>>(
        &mut self,
        count: usize,
        record_of: impl Fn(usize) -> R + Sync,
    ) -> Result<(), OutputError> {
        let path = &self.path;
        // What went through the csv writer (and its buffer) goes first; the formatted
        // blocks are large, so they go to the file unbuffered.
        self.writer.flush().map_err(io(path))?;
        let mut file: &File = self.writer.get_ref().get_ref();
        let mut writeback = Writeback::from(file.stream_position().map_err(io(path))?);
        csv_text::format_in_parallel(count, record_of, |text| {
            file.write_all(text).map_err(io(path))?;
            if let Some((from, len)) = writeback.wrote(text.len()) {
                start_writeback(file, from, len);
            }
            Ok(())
        })
    }

    /// Writes one record of plain fields (a header, or a row built by hand).
    pub fn record(&mut self, names: &[&str]) -> Result<(), OutputError> {
        self.writer
            .write_record(names)
            .map_err(|source| OutputError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    pub fn finish(self) -> Result<(), OutputError> {
        let path = self.path.clone();
        let buf = self.writer.into_inner().map_err(|e| OutputError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        let file = buf.into_inner().map_err(|e| OutputError::Io {
            path: path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io(&path))
    }
}

/// Bytes written since the kernel was last asked to start writing them to disk:
/// [`CsvFile::rows_in_parallel`] asks it every [`Writeback::STEP`] bytes, so that the
/// writes of a big table overlap its formatting and the `fsync` of [`CsvFile::finish`]
/// finds little left to do (it was a tenth of a second for a 300 MB `firms.csv`).
struct Writeback {
    /// Where the bytes not yet handed to the kernel start.
    from: u64,
    pending: u64,
}

impl Writeback {
    /// Enough to make the requests few (150 for a 300 MB file), small enough that the
    /// last one leaves the `fsync` little to wait for.
    const STEP: u64 = 2 << 20;

    fn from(offset: u64) -> Writeback {
        Writeback {
            from: offset,
            pending: 0,
        }
    }

    /// `len` more bytes were written; returns the range (start, length) to hand to the
    /// kernel now, if any.
    fn wrote(&mut self, len: usize) -> Option<(u64, u64)> {
        self.pending += len as u64;
        if self.pending < Self::STEP {
            return None;
        }
        let range = (self.from, self.pending);
        self.from += self.pending;
        self.pending = 0;
        Some(range)
    }
}

/// Asks the kernel to start writing bytes `from..from + len` of the file to disk now,
/// without waiting for it. Only those bytes: asked for the whole file (`0, 0`) after
/// every block, the kernel went through all of the file's pages each time, a fifth of
/// the time taken to write a 300 MB `firms.csv`. Elsewhere than Linux, the `fsync` does
/// it all.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(from), Ok(len)) = (libc::off64_t::try_from(from), libc::off64_t::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for the duration of the call (borrowed from `file`),
    // and the call only schedules writes of its pages; an error only means the writes
    // wait for the `fsync`, which reports any failure.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), from, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _len: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranges handed to the kernel follow one another from the first byte of the
    /// rows, each at least a step long, and leave less than a step behind.
    #[test]
    fn writeback_asks_for_each_written_byte_once_in_steps() {
        let mut w = Writeback::from(100);
        let mut next = 100;
        let mut asked = 0;
        let blocks = [140_000usize, 1, 3 << 20, 0, 900_000, 2 << 20, 77];
        for _ in 0..20 {
            for &len in &blocks {
                if let Some((from, len)) = w.wrote(len) {
                    assert_eq!(from, next);
                    assert!(len >= Writeback::STEP, "{len}");
                    next += len;
                    asked += 1;
                }
            }
        }
        let total: u64 = 20 * blocks.iter().map(|&b| b as u64).sum::<u64>();
        assert!(asked > 20, "{asked}");
        assert!(100 + total - next < Writeback::STEP);
        assert_eq!(next + w.pending, 100 + total);

        // A step exactly is handed over at once.
        let mut w = Writeback::from(7);
        assert_eq!(
            w.wrote(Writeback::STEP as usize),
            Some((7, Writeback::STEP))
        );
        assert_eq!(w.wrote(1), None);
    }

    #[test]
    fn a_result_appears_only_on_commit_and_never_over_another() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("run");
        let r = ResultDir::create(&target, false).unwrap();
        r.write_text("a.txt", "hello").unwrap();
        assert!(!target.exists());
        r.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "hello");
        assert!(matches!(
            ResultDir::create(&target, false),
            Err(OutputError::Exists(_))
        ));

        // Only a result (with a catchup manifest and its inventory) may be replaced.
        assert!(matches!(
            ResultDir::create(&target, true),
            Err(OutputError::NotAResult(..))
        ));
        let r = ResultDir::create(&dir.path().join("other"), false).unwrap();
        r.write_text("a.txt", "hello").unwrap();
        r.write_text("manifest.json", "{\"program\": \"catchup\"}")
            .unwrap();
        r.commit().unwrap();
        fs::remove_dir_all(&target).unwrap();
        fs::rename(dir.path().join("other"), &target).unwrap();

        // Abandoned: no trace left, old result untouched.
        let r = ResultDir::create(&target, true).unwrap();
        r.write_text("a.txt", "new").unwrap();
        drop(r);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "hello");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        // Forced: replaced.
        let r = ResultDir::create(&target, true).unwrap();
        r.write_text("a.txt", "new").unwrap();
        r.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
