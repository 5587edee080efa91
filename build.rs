//! Records which source the program was built from, for `manifest.json`: the git
//! commit (`CATCHUP_GIT_COMMIT`) and whether the sources that go into the binary
//! differed from it (`CATCHUP_GIT_DIRTY`: `true` or `false`). Outside a git checkout
//! (a crate unpacked by `cargo install`), `cargo package` left the commit in
//! `.cargo_vcs_info.json`; with neither, both are empty and the manifest says `null`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The parts of the checkout that make up the binary: a change anywhere else (the
/// documents, the tests) does not make the program differ from its commit.
const SOURCES: &[&str] = &["src", "scenarios", "build.rs", "Cargo.toml", "Cargo.lock"];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let (commit, dirty) = from_git(&root)
        .or_else(|| from_vcs_info(&root))
        .unwrap_or_default();
    println!("cargo:rustc-env=CATCHUP_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=CATCHUP_GIT_DIRTY={dirty}");
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit checked out and whether the sources differ from it. Asks cargo to run
/// this again when the commit moves (HEAD, the branch's ref, packed refs), when the
/// index changes (`git add`, a commit) or when a source file changes.
fn from_git(root: &Path) -> Option<(String, String)> {
    // Only the checkout catchup itself lives in: a crate unpacked inside someone
    // else's repository must not take that repository's commit.
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != root.canonicalize().ok()? {
        return None;
    }
    let commit = git(root, &["rev-parse", "HEAD"])?;
    let status = git(
        root,
        &[
            &["status", "--porcelain", "--untracked-files=normal", "--"],
            SOURCES,
        ]
        .concat(),
    )?;
    let branch = git(root, &["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "index", "packed-refs"]
        .into_iter()
        .chain(branch.as_deref())
        .filter_map(|what| git(root, &["rev-parse", "--git-path", what]))
        .map(|path| root.join(path))
        .chain(SOURCES.iter().map(|source| root.join(source)));
    for path in watched {
        // A path that does not exist would make cargo run this on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Some((commit, (!status.is_empty()).to_string()))
}

/// The commit `cargo package` recorded: `{"git": {"sha1": "...", "dirty": true}}`.
fn from_vcs_info(root: &Path) -> Option<(String, String)> {
    let path = root.join(".cargo_vcs_info.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path).ok()?;
    // A two-field lookup does not justify a JSON parser among the build dependencies.
    let sha1 = text
        .split("\"sha1\"")
        .nth(1)?
        .split('"')
        .nth(1)?
        .to_string();
    let dirty = text
        .split("\"dirty\"")
        .nth(1)
        .is_some_and(|rest| rest.trim_start_matches([' ', ':']).starts_with("true"));
    Some((sha1, dirty.to_string()))
}
