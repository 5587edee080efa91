//! Helpers for driving the `catchup` binary and reading its results.
//!
//! Each test file compiles its own copy and uses only some of them.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one invocation of the binary did.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for messages.
    pub line: String,
}

impl Outcome {
    /// Asserts a zero exit code and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "`{}` failed\nstdout:\n{}\nstderr:\n{}",
            self.line,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts the exit code for bad input (2) and that stderr names every part.
    #[track_caller]
    pub fn refused(self, parts: &[&str]) -> Self {
        let s = self.bad_input();
        s.stderr_has(parts);
        s
    }

    /// Asserts the exit code for bad input (2) and returns self.
    #[track_caller]
    pub fn bad_input(self) -> Self {
        assert_eq!(
            self.code,
            Some(2),
            "`{}` should have been refused as bad input\nstdout:\n{}\nstderr:\n{}",
            self.line,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that stderr contains every one of `parts`.
    #[track_caller]
    pub fn stderr_has(&self, parts: &[&str]) {
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "stderr of `{}` lacks {part:?}:\n{}",
                self.line,
                self.stderr
            );
        }
    }
}

/// Runs `catchup` with `args` in the working directory `cwd` (always a temporary
/// directory, so that nothing can land in the repository), with no array-scheduler
/// variables in its environment.
pub fn catchup<I, S>(cwd: &Path, args: I) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    catchup_env(cwd, args, &[])
}

/// A path as a command-line argument (temporary paths are UTF-8).
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Writes a scenario (or any text) file and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    fs::create_dir_all(dir).expect("the folder is made");
    let path = dir.join(name);
    fs::write(&path, text).expect("the file is written");
    path
}

/// Names of the entries of a directory, hidden ones included, sorted.
pub fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The bytes of a file, with its path in the panic message.
pub fn bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A CSV file read whole.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        Table::read_bytes(&bytes(path))
    }

    /// CSV text read whole.
    pub fn read_bytes(text: &[u8]) -> Table {
        let mut reader = csv::Reader::from_reader(text);
        let headers = reader
            .headers()
            .expect("a header row")
            .iter()
            .map(String::from)
            .collect();
        let rows = reader
            .records()
            .map(|r| {
                r.unwrap_or_else(|e| panic!("bad CSV row: {e}"))
                    .iter()
                    .map(String::from)
                    .collect()
            })
            .collect();
        Table { headers, rows }
    }

    /// Index of a column, failing with the header list if it is missing.
    #[track_caller]
    pub fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.headers))
    }

    /// The cells of one column, in row order.
    #[track_caller]
    pub fn column(&self, name: &str) -> Vec<&str> {
        let c = self.col(name);
        self.rows.iter().map(|r| r[c].as_str()).collect()
    }

    /// A numeric cell; `None` when the cell is empty.
    #[track_caller]
    pub fn num(&self, row: usize, name: &str) -> Option<f64> {
        let cell = &self.rows[row][self.col(name)];
        if cell.is_empty() {
            return None;
        }
        Some(
            cell.parse().unwrap_or_else(|e| {
                panic!("`{name}` = {cell:?} in row {row} is not a number: {e}")
            }),
        )
    }

    /// Asserts that every cell that reads as a number is finite (no NaN or infinity).
    #[track_caller]
    pub fn assert_numbers_finite(&self, what: &str) {
        for (i, row) in self.rows.iter().enumerate() {
            for (h, cell) in self.headers.iter().zip(row) {
                if let Ok(v) = cell.parse::<f64>() {
                    assert!(v.is_finite(), "{what}: `{h}` in row {i} is {cell}");
                }
            }
        }
    }
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for name in entries(dir) {
            let path = dir.join(&name);
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under the root");
                out.insert(rel.display().to_string(), bytes(&path));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Starts `catchup` with `args` in `cwd` without waiting for it (silent).
pub fn spawn_catchup(cwd: &Path, args: &[&str]) -> std::process::Child {
    use std::process::Stdio;
    Command::new(env!("CARGO_BIN_EXE_catchup"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RAYON_NUM_THREADS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the catchup binary starts")
}

/// Holds the lock of the result folder `out` (its `<out>.lock`) from this process, as
/// a running catchup would, until the file is dropped.
pub fn hold_lock(out: &Path, pid: &str) -> fs::File {
    let mut name = out.file_name().expect("a named folder").to_os_string();
    name.push(".lock");
    let path = out.with_file_name(name);
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .expect("the lock file opens");
    file.try_lock().expect("the lock is free");
    std::io::Write::write_all(
        &mut &file,
        format!("catchup lock\npid {pid}\ncommand catchup held-by-test\n").as_bytes(),
    )
    .expect("the lock file is written");
    file
}

/// Releases a lock taken with [`hold_lock`] and waits until it is free. Dropping the
/// file is not enough when tests run in parallel: a process another test is spawning
/// at that moment may still hold a copy of the descriptor between its fork and its
/// exec, and the lock belongs to the open file, so it stays held for that instant.
pub fn release_lock(held: fs::File, out: &Path) {
    drop(held);
    let mut name = out.file_name().expect("a named folder").to_os_string();
    name.push(".lock");
    let path = out.with_file_name(name);
    let clock = std::time::Instant::now();
    loop {
        let file = fs::File::open(&path).expect("the lock file opens");
        if file.try_lock().is_ok() {
            return;
        }
        assert!(
            clock.elapsed().as_secs() < 10,
            "the lock stayed held after it was released"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Runs `catchup` in `cwd` in an environment where the only array-scheduler variables
/// (those `--shard auto` reads) are `vars`.
pub fn catchup_env<I, S>(cwd: &Path, args: I, vars: &[(&str, &str)]) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    let mut command = Command::new(env!("CARGO_BIN_EXE_catchup"));
    command
        .args(&args)
        .current_dir(cwd)
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("CATCHUP_ISA");
    for name in catchup::sweep::scheduler::VARIABLES {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    let output = command.output().expect("the catchup binary starts");
    let shown: String = vars.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        line: format!("{shown}catchup {}", args.join(" ")),
    }
}
