//! Proof that a directory is a catchup result, so that `--force` may replace it.
//!
//! `--force` must never delete anything a user wrote. A file named `manifest.json`
//! proves nothing (browser extensions, npm packages and many other tools write one),
//! so every result carries an inventory, `.catchup-result`, written as the last step
//! before the result is moved into place: a marker line, then one line per file with
//! its size and its path inside the result. A directory may be replaced only when
//!
//! - its `manifest.json` is a JSON object whose `program` is `catchup`, and
//! - its inventory is intact, and every file in it is listed there with the size
//!   catchup wrote (a file the user added or edited makes it not ours), and
//! - every subdirectory is listed or is itself a catchup result (the charts of
//!   `run --plot` under `plots/`, a sweep's `analysis/`), and
//! - nothing in it is a symbolic link or any other kind of entry.
//!
//! An empty directory may also be replaced: there is nothing in it to lose.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The inventory file of a result.
pub const INVENTORY: &str = ".catchup-result";
/// The file whose `program` field must say `catchup`.
pub const MANIFEST: &str = "manifest.json";
/// First line of an inventory, with its format version.
const MARKER: &str = "catchup result inventory 1";

/// Why a directory is not provably a catchup result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotOurs(pub String);

/// Writes the inventory of every file under `dir` (recursively, sorted by path).
pub fn write_inventory(dir: &Path) -> io::Result<()> {
    let mut files = BTreeMap::new();
    list_files(dir, Path::new(""), &mut files)?;
    let mut text = format!("{MARKER}\n");
    for (path, size) in &files {
        text.push_str(&format!("{size}\t{path}\n"));
    }
    let path = dir.join(INVENTORY);
    let mut f = fs::File::create(&path)?;
    io::Write::write_all(&mut f, text.as_bytes())?;
    f.sync_all()
}

/// Every regular file under `dir`, by its `/`-separated relative path, with its size.
/// Anything else (a link, a socket) is an error: catchup writes only plain files.
fn list_files(dir: &Path, rel: &Path, files: &mut BTreeMap<String, u64>) -> io::Result<()> {
    for entry in fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let rel_path = rel.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            list_files(dir, &rel_path, files)?;
        } else if kind.is_file() {
            if rel_path != Path::new(INVENTORY) {
                files.insert(slash_path(&rel_path), entry.metadata()?.len());
            }
        } else {
            return Err(io::Error::other(format!(
                "{} is neither a file nor a directory",
                rel_path.display()
            )));
        }
    }
    Ok(())
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Checks that `dir` is empty or provably a catchup result (see the module's text).
pub fn check_ours(dir: &Path) -> Result<(), NotOurs> {
    let meta = fs::symlink_metadata(dir).map_err(|e| NotOurs(format!("cannot read it: {e}")))?;
    if !meta.is_dir() {
        return Err(NotOurs("it is not a directory".into()));
    }
    let empty = fs::read_dir(dir)
        .map_err(|e| NotOurs(format!("cannot read it: {e}")))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    check_result(dir)
}

fn check_result(dir: &Path) -> Result<(), NotOurs> {
    check_manifest(dir)?;
    let listed = read_inventory(dir)?;
    check_entries(dir, Path::new(""), &listed)
}

fn check_manifest(dir: &Path) -> Result<(), NotOurs> {
    let text = fs::read_to_string(dir.join(MANIFEST))
        .map_err(|_| NotOurs(format!("it has no readable {MANIFEST}")))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| NotOurs(format!("its {MANIFEST} is not JSON")))?;
    match value.get("program").and_then(|p| p.as_str()) {
        Some("catchup") => Ok(()),
        _ => Err(NotOurs(format!(
            "its {MANIFEST} was not written by catchup (no \"program\": \"catchup\")"
        ))),
    }
}

fn read_inventory(dir: &Path) -> Result<BTreeMap<String, u64>, NotOurs> {
    let text = fs::read_to_string(dir.join(INVENTORY)).map_err(|_| {
        NotOurs(format!(
            "it has no {INVENTORY} inventory (results written by catchup before 2026-11-29 have none)"
        ))
    })?;
    let mut lines = text.lines();
    if lines.next() != Some(MARKER) {
        return Err(NotOurs(format!("its {INVENTORY} is not an inventory")));
    }
    lines
        .map(|line| {
            let (size, path) = line
                .split_once('\t')
                .ok_or_else(|| NotOurs(format!("its {INVENTORY} is damaged")))?;
            let size = size
                .parse()
                .map_err(|_| NotOurs(format!("its {INVENTORY} is damaged")))?;
            Ok((path.to_string(), size))
        })
        .collect()
}

fn check_entries(dir: &Path, rel: &Path, listed: &BTreeMap<String, u64>) -> Result<(), NotOurs> {
    let here = dir.join(rel);
    let entries =
        fs::read_dir(&here).map_err(|e| NotOurs(format!("cannot read {}: {e}", here.display())))?;
    for entry in entries {
        let entry = entry.map_err(|e| NotOurs(format!("cannot read {}: {e}", here.display())))?;
        let rel_path: PathBuf = rel.join(entry.file_name());
        let name = slash_path(&rel_path);
        let kind = entry
            .file_type()
            .map_err(|e| NotOurs(format!("cannot read {name}: {e}")))?;
        if kind.is_file() {
            if rel_path == Path::new(INVENTORY) {
                continue;
            }
            let size = entry
                .metadata()
                .map_err(|e| NotOurs(format!("cannot read {name}: {e}")))?
                .len();
            match listed.get(&name) {
                Some(&s) if s == size => {}
                Some(_) => {
                    return Err(NotOurs(format!(
                        "{name} was changed after catchup wrote it"
                    )));
                }
                None => return Err(NotOurs(format!("catchup did not write {name}"))),
            }
        } else if kind.is_dir() {
            let prefix = format!("{name}/");
            if listed.keys().any(|k| k.starts_with(&prefix)) {
                check_entries(dir, &rel_path, listed)?;
            } else {
                // A result nested in this one (charts, an analysis) proves itself.
                check_result(&entry.path())
                    .map_err(|NotOurs(why)| NotOurs(format!("{name}/: {why}")))?;
            }
        } else {
            return Err(NotOurs(format!(
                "{name} is a link or special file, which catchup never writes"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join(MANIFEST), "{\"program\": \"catchup\"}").unwrap();
        fs::write(dir.join("series.csv"), "a,b\n1,2\n").unwrap();
        write_inventory(dir).unwrap();
    }

    #[test]
    fn a_result_with_its_inventory_is_ours() {
        let tmp = tempfile::tempdir().unwrap();
        result(tmp.path());
        assert_eq!(check_ours(tmp.path()), Ok(()));
        // A nested result proves itself.
        result(&tmp.path().join("plots"));
        assert_eq!(check_ours(tmp.path()), Ok(()));
    }

    #[test]
    fn an_empty_directory_may_be_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(check_ours(tmp.path()), Ok(()));
    }

    #[test]
    fn a_manifest_alone_proves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(MANIFEST), "{\"program\": \"catchup\"}").unwrap();
        fs::create_dir(tmp.path().join("src")).unwrap();
        fs::write(tmp.path().join("src/thesis.tex"), "\\documentclass").unwrap();
        assert!(check_ours(tmp.path()).is_err());
    }

    #[test]
    fn another_programs_manifest_is_not_ours() {
        let tmp = tempfile::tempdir().unwrap();
        result(tmp.path());
        fs::write(tmp.path().join(MANIFEST), "{\"manifest_version\": 3}").unwrap();
        assert!(check_ours(tmp.path()).is_err());
    }

    #[test]
    fn an_added_or_edited_file_makes_it_not_ours() {
        let tmp = tempfile::tempdir().unwrap();
        result(tmp.path());
        fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let why = check_ours(tmp.path()).unwrap_err().0;
        assert!(why.contains("notes.txt"), "{why}");

        let tmp = tempfile::tempdir().unwrap();
        result(tmp.path());
        fs::write(tmp.path().join("series.csv"), "a,b\n1,2\n3,4\n").unwrap();
        let why = check_ours(tmp.path()).unwrap_err().0;
        assert!(why.contains("changed"), "{why}");

        let tmp = tempfile::tempdir().unwrap();
        result(tmp.path());
        fs::create_dir(tmp.path().join("drafts")).unwrap();
        fs::write(tmp.path().join("drafts/a.md"), "mine").unwrap();
        assert!(check_ours(tmp.path()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_not_ours() {
        let tmp = tempfile::tempdir().unwrap();
        result(tmp.path());
        std::os::unix::fs::symlink("/etc", tmp.path().join("etc")).unwrap();
        assert!(check_ours(tmp.path()).is_err());
    }
}
