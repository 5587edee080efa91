//! One writer per result: an advisory lock on `<out>.lock`, beside the result.
//!
//! Every command that writes a result (`run`, `sweep`, `merge`, `claims`, `plot`,
//! `analyze`, `compare`) holds the lock of its top-level folder from before it looks
//! at what is on disk until it has finished. A second process asking for the same
//! folder is refused at once, told who holds it, and touches nothing.
//!
//! The lock file lies beside the folder, never in it, so that a result holds only what
//! its inventory lists ([`super::provenance`]). It is removed when the lock is released.
//! The lock itself is the operating system's (`flock` on Unix): it dies with its
//! process, so a file left behind by a killed process blocks nobody; the next command
//! takes it over. A file of that name that catchup did not write is never changed or
//! removed.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::OutputError;

/// First line of a lock file.
const MARKER: &str = "catchup lock";
/// The most of a lock file read back (its holder's description).
const MAX_READ: u64 = 4096;

/// The lock file of a result folder: `<target>.lock`, beside it.
pub fn lock_path(target: &Path) -> PathBuf {
    // `.`, `..` or `/` name no folder of their own: lock the folder they stand for.
    let full;
    let target = if target.file_name().is_none() {
        full = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        &full
    } else {
        target
    };
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "result".into());
    name.push(".lock");
    target.with_file_name(name)
}

/// A held lock on a result folder; released (and its file removed) when dropped.
#[derive(Debug)]
pub struct OutputLock {
    file: Option<File>,
    path: PathBuf,
    /// The parent folder, when the lock created it (removed again if empty).
    created_parent: Option<PathBuf>,
}

/// Takes the lock of the result folder `target`, or says who holds it.
pub fn lock_output(target: &Path) -> Result<OutputLock, OutputError> {
    let path = lock_path(target);
    let io = |source: std::io::Error| OutputError::Io {
        path: path.clone(),
        source,
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let created_parent = (!parent.exists()).then(|| parent.clone());
    fs::create_dir_all(&parent).map_err(io)?;
    let mut lock = OutputLock {
        file: None,
        path: path.clone(),
        created_parent,
    };
    // Another process may remove the file between our open and our lock: then the
    // lock is on a file no longer there, and we try again.
    for _ in 0..100 {
        if let Ok(meta) = fs::symlink_metadata(&path)
            && !meta.is_file()
        {
            return Err(not_a_lock(&path, "it is not a regular file"));
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(OutputError::Locked {
                    target: target.to_path_buf(),
                    lock: path.clone(),
                    holder: holder(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        if !same_file(&file, &path) {
            continue;
        }
        let mut text = String::new();
        (&mut file)
            .take(MAX_READ)
            .read_to_string(&mut text)
            .map_err(io)?;
        if !text.is_empty() && !text.starts_with(MARKER) {
            // Someone else's file: keep it as it is.
            return Err(not_a_lock(&path, "catchup did not write it"));
        }
        let me = format!(
            "{MARKER}\npid {}\ncommand {}\n",
            std::process::id(),
            command_line()
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(me.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
        lock.file = Some(file);
        return Ok(lock);
    }
    Err(io(std::io::Error::other(
        "the lock file kept being replaced by other processes",
    )))
}

fn not_a_lock(path: &Path, why: &str) -> OutputError {
    OutputError::NotALock(path.to_path_buf(), why.to_string())
}

/// This process's command line, shortened.
fn command_line() -> String {
    let mut line = std::env::args().collect::<Vec<_>>().join(" ");
    line = line.replace(['\n', '\r'], " ");
    if line.len() > 300 {
        let mut cut = 300;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push_str(" ...");
    }
    line
}

/// Who holds a lock, as its file says: `pid N (COMMAND)`.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.take(MAX_READ).read_to_string(&mut text);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(str::trim).map(String::from))
    };
    match (field("pid "), field("command ")) {
        (Some(pid), Some(cmd)) => format!("pid {pid}: {cmd}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "a process that has not yet said who it is".into(),
    }
}

/// Whether the open file is still the one at `path` (not removed or replaced).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.is_file()
}

impl OutputLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            // Removed while still locked, so no one can lock the removed file and
            // think they hold the lock of the folder.
            let _ = fs::remove_file(&self.path);
            let _ = file.unlock();
        }
        if let Some(parent) = &self.created_parent {
            let _ = fs::remove_dir(parent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_names_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out/res");
        let lock = lock_output(&target).unwrap();
        assert!(lock.path().ends_with("out/res.lock"));
        let text = fs::read_to_string(lock.path()).unwrap();
        assert!(text.starts_with("catchup lock\npid "), "{text}");
        let e = lock_output(&target).unwrap_err().to_string();
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        drop(lock);
        // Released: the file and the folder made for it are gone.
        assert!(!tmp.path().join("out").exists());
        drop(lock_output(&target).unwrap());
    }

    #[test]
    fn a_stale_lock_file_is_taken_over_and_a_foreign_file_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("res");
        fs::write(lock_path(&target), "catchup lock\npid 999999999\n").unwrap();
        let lock = lock_output(&target).unwrap();
        drop(lock);
        assert!(!lock_path(&target).exists());

        fs::write(lock_path(&target), "my notes").unwrap();
        let e = lock_output(&target).unwrap_err();
        assert!(matches!(e, OutputError::NotALock(..)), "{e}");
        assert_eq!(fs::read_to_string(lock_path(&target)).unwrap(), "my notes");
    }
}
