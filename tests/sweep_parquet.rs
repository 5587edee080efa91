//! Sweeps written as Parquet (`[output] format = "parquet"`, `catchup sweep --format
//! parquet`), through the `catchup` binary: the same tables as the CSV sweep, read back
//! cell for cell by the crate's reader; shards merged into the unsharded sweep's bytes;
//! a misspelt format refused before anything is written. Every sweep is tiny (a few
//! firms, five periods).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use catchup::output::read::read_tables;
use common::{Outcome, arg, bytes, catchup, entries, write};

/// A grid of 4 points × 2 replicates over a small baseline. A wage of 1e308 makes its
/// runs fail (a `failed` status, an error text, empty metrics, no bands); the tariff's
/// values are written as an integer and a float; `time_to` is empty where the gap is
/// never reached; every run's series are kept.
const SWEEP: &str = r#"version = 2
name = "pq"
replicates = 2
seed = 11

[set]
periods = 5
"sector.catch-up.firms_private" = 10
"sector.catch-up.firms_soe" = 2
"sector.parallel.firms_private" = 10
"sector.parallel.firms_soe" = 2
"sector.leading.firms_private" = 10
"sector.leading.firms_soe" = 2

[design]
kind = "grid"

[[design.factor]]
key = "model.wage"
values = [1.0, 1e308]

[[design.factor]]
key = "policy.tariff"
values = [0, 0.3]

[[metric]]
name = "gap_final"
series = "gap"
stat = "final"

[[metric]]
name = "gap_reached"
series = "gap"
stat = "time_to"
threshold = 1e-9
below = true

[output]
series = true
bands = ["gap", "capacity"]
"#;

/// Failed runs: the 4 runs at a wage of 1e308.
const FAILED: u64 = 4;

/// The sweep file written as Parquet by its own `[output] format`.
fn parquet_sweep() -> String {
    format!("{SWEEP}format = \"parquet\"\n")
}

/// The tables of a sweep result, by stem.
const TABLES: [&str; 4] = ["bands", "points", "runs", "series"];

/// Asserts a complete result whose failed runs make exit code 3, and returns it.
#[track_caller]
fn with_failed_runs(outcome: Outcome) -> Outcome {
    assert_eq!(
        outcome.code,
        Some(3),
        "`{}`\nstdout:\n{}\nstderr:\n{}",
        outcome.line,
        outcome.stdout,
        outcome.stderr
    );
    outcome.stderr_has(&[&format!("{FAILED} runs failed")]);
    outcome
}

fn sweep(cwd: &Path, file: &Path, out: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["sweep", arg(file), "--out", arg(out), "--quiet"];
    args.extend_from_slice(extra);
    catchup(cwd, &args)
}

/// The files a sweep result in `ext` holds.
fn result_files(ext: &str) -> BTreeSet<String> {
    let mut files: BTreeSet<String> = TABLES.iter().map(|t| format!("{t}.{ext}")).collect();
    for f in [
        ".catchup-result",
        "base.toml",
        "codebook.json",
        "manifest.json",
        "sweep.toml",
    ] {
        files.insert(f.into());
    }
    files
}

fn codebook(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&bytes(&dir.join("codebook.json"))).expect("codebook.json is JSON")
}

#[test]
fn a_parquet_sweep_reads_back_as_the_csv_sweep_cell_for_cell() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pq.toml", SWEEP);
    let csv = dir.path().join("csv");
    with_failed_runs(sweep(dir.path(), &file, &csv, &[]));
    assert_eq!(entries(&csv), result_files("csv"));
    // Asked for on the command line, or by the sweep file.
    let flag = dir.path().join("flag");
    let run = with_failed_runs(sweep(dir.path(), &file, &flag, &["--format", "parquet"]));
    run.stderr_has(&["runs.parquet"]);
    assert_eq!(entries(&flag), result_files("parquet"));
    let in_file = write(dir.path(), "in-file.toml", &parquet_sweep());
    let by_file = dir.path().join("by-file");
    with_failed_runs(sweep(dir.path(), &in_file, &by_file, &[]));
    for t in TABLES {
        let f = format!("{t}.parquet");
        assert!(bytes(&flag.join(&f)) == bytes(&by_file.join(&f)), "{f}");
    }
    // And `--format csv` overrides the file's parquet.
    let back = dir.path().join("back");
    with_failed_runs(sweep(dir.path(), &in_file, &back, &["--format", "csv"]));
    for t in TABLES {
        let f = format!("{t}.csv");
        assert!(bytes(&csv.join(&f)) == bytes(&back.join(&f)), "{f}");
    }

    // The same tables, columns, types and cells: CSV read by its codebook, Parquet by
    // its schema.
    let want = read_tables(&csv).unwrap();
    let got = read_tables(&flag).unwrap();
    let names = |t: &[catchup::output::read::Table]| -> Vec<String> {
        t.iter().map(|t| t.name.clone()).collect()
    };
    assert_eq!(names(&want), TABLES);
    assert_eq!(names(&got), TABLES);
    for (w, g) in want.iter().zip(&got) {
        assert!(w.columns.rows() > 0, "{} has rows", w.name);
        assert_eq!(w.columns.specs(), g.columns.specs(), "{}", w.name);
        // NaN placeholders of empty cells are unequal to themselves: compare as printed.
        assert_eq!(
            format!("{:?}", w.columns),
            format!("{:?}", g.columns),
            "{}",
            w.name
        );
    }
    // Failed runs, empty metrics and integer-written numbers are among those cells.
    let runs = &got[2].columns;
    let spec = |name: &str| runs.specs().iter().find(|s| s.name == name).unwrap();
    assert!(spec("error").nullable && spec("gap_final").nullable);
    assert_eq!(spec("policy_tariff").kind.as_str(), "number");

    // The codebook describes the Parquet files as it does the CSV files.
    let (cb_csv, cb_pq) = (codebook(&csv), codebook(&flag));
    for t in TABLES {
        assert_eq!(
            cb_csv["files"][format!("{t}.csv")],
            cb_pq["files"][format!("{t}.parquet")],
            "{t}"
        );
    }
    assert_eq!(cb_pq["files"].as_object().unwrap().len(), TABLES.len());

    // `catchup analyze` reads either and finds the same numbers (a factor's value as
    // Parquet gives it back is a number, `1` where the CSV keeps the sweep file's `1.0`).
    for out in [&csv, &flag] {
        catchup(dir.path(), ["analyze", arg(out)]).ok();
    }
    let (a, b) = (
        common::Table::read(&csv.join("analysis/point_means.csv")),
        common::Table::read(&flag.join("analysis/point_means.csv")),
    );
    assert_eq!(a.headers, b.headers);
    assert_eq!(a.rows.len(), b.rows.len());
    assert!(!a.rows.is_empty());
    for (x, y) in a.rows.iter().flatten().zip(b.rows.iter().flatten()) {
        let same_number = x
            .parse::<f64>()
            .ok()
            .zip(y.parse::<f64>().ok())
            .is_some_and(|(x, y)| x == y);
        assert!(x == y || same_number, "point_means.csv: {x} against {y}");
    }
}

/// Runs the Parquet sweep in `n` shards into `dir/<n>-K`, and returns their folders.
fn shards(dir: &Path, file: &Path, n: u32) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let out = dir.join(format!("{n}-{k}"));
            let run = sweep(dir, file, &out, &["--shard", &format!("{k}/{n}")]);
            // A shard without failed runs exits 0, one with them 3.
            assert!(
                matches!(run.code, Some(0 | 3)),
                "shard {k}/{n}: {}",
                run.stderr
            );
            out
        })
        .collect()
}

fn merge(cwd: &Path, shards: &[PathBuf], out: &Path) -> Outcome {
    let mut args = vec!["merge"];
    args.extend(shards.iter().rev().map(|s| arg(s)));
    args.extend(["--out", arg(out)]);
    catchup(cwd, &args)
}

#[test]
fn parquet_shards_merge_into_the_unsharded_sweeps_bytes_whatever_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "pq.toml", &parquet_sweep());
    let whole = dir.path().join("whole");
    with_failed_runs(sweep(dir.path(), &file, &whole, &[]));
    // 4 points in 3 shards, and in 5 (one of them empty).
    for n in [3, 5] {
        let parts = shards(dir.path(), &file, n);
        let merged = dir.path().join(format!("merged-{n}"));
        with_failed_runs(merge(dir.path(), &parts, &merged));
        assert_eq!(entries(&merged), result_files("parquet"), "{n} shards");
        for f in TABLES
            .iter()
            .map(|t| format!("{t}.parquet"))
            .chain(["codebook.json".into(), "base.toml".into()])
        {
            assert!(
                bytes(&whole.join(&f)) == bytes(&merged.join(&f)),
                "{f} of {n} shards merged differs from the unsharded sweep's"
            );
        }
    }

    // Shards of one sweep in two formats are refused, and nothing is written.
    let csv_shard = dir.path().join("csv-1");
    let run = sweep(
        dir.path(),
        &file,
        &csv_shard,
        &["--shard", "1/3", "--format", "csv"],
    );
    assert!(matches!(run.code, Some(0 | 3)), "{}", run.stderr);
    let mixed = [csv_shard, dir.path().join("3-2"), dir.path().join("3-3")];
    let out = dir.path().join("mixed");
    merge(dir.path(), &mixed, &out)
        .bad_input()
        .stderr_has(&["written in different formats"]);
    assert!(!out.exists());
}

#[test]
fn a_misspelt_format_is_refused_at_its_key_with_a_suggestion_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{SWEEP}format = \"parket\"\n");
    let file = write(dir.path(), "bad.toml", &text);
    let out = dir.path().join("bad");
    let line = text.lines().count();
    sweep(dir.path(), &file, &out, &[]).refused(&[
        &format!("{}:{line}:", file.display()),
        "key `output.format`",
        "`parket`",
        "did you mean `parquet`?",
    ]);
    assert_eq!(entries(dir.path()), ["bad.toml".to_string()].into());

    let file = write(dir.path(), "good.toml", SWEEP);
    sweep(dir.path(), &file, &out, &["--format", "parket"])
        .refused(&["parket", "did you mean `parquet`?"]);
    assert!(!out.exists());

    // The sweep file's JSON Schema lists the key and its values.
    let schema = catchup(dir.path(), ["schema", "sweep"]).ok();
    let schema: serde_json::Value = serde_json::from_str(&schema.stdout).unwrap();
    let format = &schema["properties"]["output"]["properties"]["format"];
    assert_eq!(format["enum"], serde_json::json!(["csv", "parquet"]));
    assert_eq!(format["default"], "csv");
}
