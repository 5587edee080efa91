//! A sweep's working folder, `<out>.partial/`: where it is, writing its files, whether
//! a kept one holds failed runs to retry, and removing it (only if it is provably a
//! sweep's).

use std::fs;
use std::path::{Path, PathBuf};

use super::error::{SweepError, io};
use super::execute::{SERIES_DIR, SWEEP_FILE};
use super::journal::{Journal, JournalIndex};
use crate::output::{atomic, workdir};

/// The journal of finished and failed runs.
pub(super) const JOURNAL_FILE: &str = "journal.bin";
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
    // Earlier versions wrote `<stem>.tmp` before renaming; now `atomic::is_temporary`.
    let ours = |relative: &Path, is_dir: bool| {
        let mut parts = relative.iter().map(|p| p.to_string_lossy());
        match (parts.next(), parts.next(), parts.next()) {
            (Some(name), None, _) if is_dir => name == SERIES_DIR,
            (Some(name), None, _) => {
                [SWEEP_FILE, "sweep.tmp", JOURNAL_FILE, INDEX_FILE].contains(&name.as_ref())
                    || (name.starts_with(&format!(".{SWEEP_FILE}")) && atomic::is_temporary(&name))
            }
            (Some(dir), Some(file), None) if dir == SERIES_DIR && !is_dir => {
                (file.starts_with("run-") && (file.ends_with(".csv") || file.ends_with(".tmp")))
                    || (file.starts_with(".run-") && atomic::is_temporary(&file))
            }
            _ => false,
        }
    };
    workdir::remove_if_ours(work, ours).map_err(|kept| match kept {
        workdir::Kept::Io { path, source } => SweepError::Io { path, source },
        refused => SweepError::Refused(refused.refusal(work, "sweep")),
    })
}
