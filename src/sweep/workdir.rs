//! A sweep's working folder, `<out>.partial/`: where it is, writing its files, whether
//! a kept one holds failed runs to retry, and removing it (only if it is provably a
//! sweep's).

use std::fs;
use std::path::{Path, PathBuf};

use super::error::{SweepError, io};
use super::execute::{SERIES_DIR, SWEEP_FILE};
use super::journal::{Journal, JournalIndex};
use crate::output::atomic;

/// The journal's index, in the working folder beside `journal.bin` ([`super::journal::JournalIndex`]).
pub(super) const INDEX_FILE: &str = "index.bin";

/// The partial directory of a sweep whose result goes to `out`.
pub fn partial_dir(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// Writes a file of the working folder whole or not at all.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SweepError> {
    atomic::write_file(path, bytes).map_err(io(path))
}

/// Whether `work` is the kept journal of this sweep and shard (`identity`) and
/// records failed runs: what `--retry-failed` runs again after the result is complete.
pub(super) fn kept_failures(
    work: &Path,
    identity: &str,
    new_index: impl FnOnce(&Path) -> Result<JournalIndex, SweepError>,
) -> Result<bool, SweepError> {
    let journal_path = work.join("journal.bin");
    let same = fs::read_to_string(work.join(SWEEP_FILE)).is_ok_and(|t| t == identity);
    if !same || !journal_path.is_file() {
        return Ok(false);
    }
    let mut index = new_index(&work.join(INDEX_FILE))?;
    Journal::open(&journal_path, &mut index)?;
    index.any_failed()
}

/// Removes a sweep's working folder, but only if it holds nothing but what a sweep
/// writes there (`sweep.toml`, `journal.bin`, `index.bin`, `series/run-*.csv`, and
/// the temporary files of their atomic writes): a user's own folder that happens to be
/// called `<out>.partial` is never touched.
pub(super) fn remove_work_dir(work: &Path) -> Result<(), SweepError> {
    let Ok(meta) = fs::symlink_metadata(work) else {
        return Ok(());
    };
    let not_ours = |why: String| {
        SweepError::Refused(format!(
            "{} is not a sweep's working folder ({why}); nothing in it was touched. \
             Remove it yourself or choose another --out",
            work.display()
        ))
    };
    if !meta.is_dir() {
        return Err(not_ours("it is not a directory".into()));
    }
    // Earlier versions wrote `<stem>.tmp` before renaming; now `atomic::is_temporary`.
    let ours_at_top = |name: &str| {
        ["sweep.toml", "sweep.tmp", "journal.bin", INDEX_FILE].contains(&name)
            || name
                .strip_prefix(".sweep.toml")
                .is_some_and(|_| atomic::is_temporary(name))
    };
    for entry in fs::read_dir(work).map_err(io(work))? {
        let entry = entry.map_err(io(work))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        if kind.is_file() && ours_at_top(&name) {
            continue;
        }
        if kind.is_dir() && name == SERIES_DIR {
            for run in fs::read_dir(entry.path()).map_err(io(&entry.path()))? {
                let run = run.map_err(io(&entry.path()))?;
                let file = run.file_name().to_string_lossy().into_owned();
                let is_run = (file.starts_with("run-")
                    && (file.ends_with(".csv") || file.ends_with(".tmp")))
                    || (file.starts_with(".run-") && atomic::is_temporary(&file));
                if !run.file_type().map_err(io(&run.path()))?.is_file() || !is_run {
                    return Err(not_ours(format!(
                        "a sweep never writes {SERIES_DIR}/{file}"
                    )));
                }
            }
            continue;
        }
        return Err(not_ours(format!("a sweep never writes {name}")));
    }
    fs::remove_dir_all(work).map_err(io(work))
}
