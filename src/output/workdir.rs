//! Removing a working folder (`<out>.partial/` of a sweep or a calibration) only when
//! everything in it is provably what the command writes there: a folder the user
//! pointed `--out` at by mistake is never deleted.

use std::fs;
use std::path::{Path, PathBuf};

/// Why a working folder was left in place.
#[derive(Debug)]
pub enum Kept {
    /// It is a file, a link or something else that is not a directory.
    NotADirectory,
    /// It holds this entry (a path relative to the folder), which the command never writes.
    Foreign(PathBuf),
    /// Reading or removing it failed.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Kept {
    /// Why `work`, the working folder of a `what` ("sweep", "calibration"), was kept,
    /// as a message for the user; callers keep an I/O failure as their own I/O error.
    pub fn refusal(&self, work: &Path, what: &str) -> String {
        let why = match self {
            Kept::NotADirectory => "it is not a directory".to_string(),
            Kept::Foreign(name) => format!("a {what} never writes {}", name.display()),
            Kept::Io { path, source } => format!("{}: {source}", path.display()),
        };
        format!(
            "{} is not a {what}'s working folder ({why}); nothing in it was touched. \
             Remove it yourself or choose another --out",
            work.display()
        )
    }
}

/// Removes `work` and everything in it if `ours(relative path, is a directory)` accepts
/// every entry, at every depth (a directory's contents are checked only when the
/// directory itself is accepted); a link or special file is never ours. Nothing is
/// removed unless everything is. A missing folder is fine: there is nothing to remove.
pub fn remove_if_ours(work: &Path, ours: impl Fn(&Path, bool) -> bool) -> Result<(), Kept> {
    let Ok(meta) = fs::symlink_metadata(work) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(Kept::NotADirectory);
    }
    check(work, Path::new(""), &ours)?;
    fs::remove_dir_all(work).map_err(io(work))
}

/// Checks the entries of `work/relative` and, below the accepted directories, theirs.
fn check(work: &Path, relative: &Path, ours: &impl Fn(&Path, bool) -> bool) -> Result<(), Kept> {
    let dir = work.join(relative);
    for entry in fs::read_dir(&dir).map_err(io(&dir))? {
        let entry = entry.map_err(io(&dir))?;
        let name = relative.join(entry.file_name());
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        let accepted = (kind.is_file() || kind.is_dir()) && ours(&name, kind.is_dir());
        if !accepted {
            return Err(Kept::Foreign(name));
        }
        if kind.is_dir() {
            check(work, &name, ours)?;
        }
    }
    Ok(())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Kept + '_ {
    move |source| Kept::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(rel: &Path, is_dir: bool) -> bool {
        match rel.to_str() {
            Some("journal.bin") => !is_dir,
            Some("series") => is_dir,
            Some(s) => s.starts_with("series/run-") && !is_dir,
            None => false,
        }
    }

    #[test]
    fn a_folder_of_our_files_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("w.partial");
        fs::create_dir_all(work.join("series")).unwrap();
        fs::write(work.join("journal.bin"), b"x").unwrap();
        fs::write(work.join("series/run-1.csv"), b"x").unwrap();
        remove_if_ours(&work, ours).unwrap();
        assert!(!work.exists());
        // Gone already: nothing to do.
        remove_if_ours(&work, ours).unwrap();
    }

    #[test]
    fn one_foreign_file_at_any_depth_keeps_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("w.partial");
        fs::create_dir_all(work.join("series")).unwrap();
        fs::write(work.join("journal.bin"), b"x").unwrap();
        fs::write(work.join("series/notes.txt"), b"mine").unwrap();
        match remove_if_ours(&work, ours) {
            Err(Kept::Foreign(p)) => assert_eq!(p, Path::new("series/notes.txt")),
            other => panic!("{other:?}"),
        }
        assert!(work.join("series/notes.txt").exists());
        assert!(work.join("journal.bin").exists());
    }

    #[test]
    fn a_file_where_the_folder_should_be_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join("w.partial");
        fs::write(&work, b"mine").unwrap();
        assert!(matches!(
            remove_if_ours(&work, ours),
            Err(Kept::NotADirectory)
        ));
        assert!(work.exists());
    }
}
