//! End-to-end tests of batch sweeps through the `catchup` binary: `sweep`, `merge` and
//! `analyze`. Every sweep is a small baseline economy (a few points, two or three
//! replicates, a few periods) written into a temporary directory; every assertion is
//! about structure and behaviour (shapes, byte-identity, exit codes, what is left on
//! disk), never about a model outcome.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use catchup::scenario::parse_scenario;
use common::{Outcome, Table, arg, bytes, catchup, catchup_env, entries, tree, write};

/// The baseline made small: 6 periods, 23 firms in each of its three sectors.
const SMALL: &str = r#"[set]
periods = 6
"sector.catch-up.firms_private" = 20
"sector.catch-up.firms_soe" = 3
"sector.parallel.firms_private" = 20
"sector.parallel.firms_soe" = 3
"sector.leading.firms_private" = 20
"sector.leading.firms_soe" = 3
"#;

/// The baseline's sectors, then the whole economy: the rows of the bands.
const SECTORS: [&str; 4] = ["catch-up", "parallel", "leading", "all"];

/// 2 × 3 points; the last factor varies fastest.
const GRID: &str = r#"[design]
kind = "grid"

[[design.factor]]
key = "policy.tariff"
values = [0.0, 0.3]

[[design.factor]]
key = "policy.tolerance"
values = [1, 4, 8]
"#;
const TARIFFS: [f64; 2] = [0.0, 0.3];

/// Two sampled factors (lhs, sobol, morris designs).
const RANGES: &str = r#"
[[design.factor]]
key = "policy.tariff"
min = 0.0
max = 0.5

[[design.factor]]
key = "policy.bridge"
min = 0.0
max = 0.9
"#;

/// A third sampled factor, an integer one.
const INTEGER_RANGE: &str = r#"
[[design.factor]]
key = "policy.tolerance"
min = 1
max = 10
integer = true
"#;
const TOLERANCES: [f64; 3] = [1.0, 4.0, 8.0];

/// Three metrics: of the whole economy (final and mean) and of one sector.
const METRICS: &str = r#"
[[metric]]
name = "gap_final"
series = "gap"
stat = "final"

[[metric]]
name = "utilization_mean"
series = "utilization"
stat = "mean"

[[metric]]
name = "leading_capacity"
series = "capacity"
sector = "leading"
stat = "final"
"#;
const METRIC_NAMES: [&str; 3] = ["gap_final", "utilization_mean", "leading_capacity"];
const BANDS: [&str; 2] = ["gap", "capacity"];

/// What every sweep result holds (plus `series.csv` when asked).
const RESULT_FILES: [&str; 8] = [
    ".catchup-result",
    "bands.csv",
    "base.toml",
    "codebook.json",
    "manifest.json",
    "points.csv",
    "runs.csv",
    "sweep.toml",
];
/// The files that must not depend on threads, shards or interruptions.
const COMPARED: [&str; 3] = ["runs.csv", "bands.csv", "points.csv"];

/// A sweep file over the small baseline: the header, then `body` (design, metrics, output).
fn sweep_text(name: &str, replicates: u32, seed: u64, body: &str) -> String {
    sweep_on(SMALL, name, replicates, seed, body)
}

/// A sweep file over the baseline with the fixed overrides `set`.
fn sweep_on(set: &str, name: &str, replicates: u32, seed: u64, body: &str) -> String {
    let header = format!("name = \"{name}\"\nreplicates = {replicates}\nseed = {seed}");
    format!("version = 2\n{header}\nbase = \"baseline\"\n\n{set}\n{body}")
}

/// The grid sweep with its metrics and bands; `output` adds lines to `[output]`.
fn grid_sweep(name: &str, replicates: u32, seed: u64, output: &str) -> String {
    sweep_text(
        name,
        replicates,
        seed,
        &format!("{GRID}{METRICS}\n[output]\nbands = [\"gap\", \"capacity\"]\n{output}"),
    )
}

/// Runs `catchup sweep FILE --out OUT EXTRA...` in `cwd`.
fn sweep(cwd: &Path, file: &Path, out: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["sweep", arg(file), "--out", arg(out)];
    args.extend_from_slice(extra);
    catchup(cwd, &args)
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&bytes(&dir.join("manifest.json"))).expect("manifest.json is JSON")
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Asserts that two results have byte-identical runs.csv, bands.csv, points.csv and,
/// when either has one, series.csv.
#[track_caller]
fn assert_same_results(want: &Path, got: &Path, what: &str) {
    for f in COMPARED {
        assert!(
            bytes(&want.join(f)) == bytes(&got.join(f)),
            "{what}: {f} of {} differs from {}",
            got.display(),
            want.display()
        );
    }
    let (a, b) = (want.join("series.csv"), got.join("series.csv"));
    assert_eq!(
        a.is_file(),
        b.is_file(),
        "{what}: series.csv in one result only"
    );
    if a.is_file() {
        assert!(bytes(&a) == bytes(&b), "{what}: series.csv differs");
    }
}

/// The path of the directory a sweep works in before its result appears.
fn partial(out: &Path) -> PathBuf {
    let mut name = out.file_name().expect("a named --out").to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// 1-based line of the `n`-th (0-based) line of `text` that contains `needle`.
#[track_caller]
fn line_of(text: &str, needle: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}-th line with {needle:?} in:\n{text}"))
        .0
        + 1
}

/// Asserts that stderr locates the error at `path:line:column:`.
#[track_caller]
fn assert_located(outcome: &Outcome, path: &Path, line: usize) {
    let prefix = format!("{}:{line}:", path.display());
    let at = outcome.stderr.find(&prefix).unwrap_or_else(|| {
        panic!(
            "stderr of `{}` does not locate the error at {prefix}<column>:\n{}",
            outcome.line, outcome.stderr
        )
    });
    let rest = &outcome.stderr[at + prefix.len()..];
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    assert!(
        digits > 0 && rest[digits..].starts_with(':'),
        "stderr of `{}` names no column after {prefix}:\n{}",
        outcome.line,
        outcome.stderr
    );
}

/// Parses a cell that must be a finite number.
#[track_caller]
fn number(cell: &str, what: &str) -> f64 {
    let v: f64 = cell
        .parse()
        .unwrap_or_else(|e| panic!("{what} = {cell:?} is not a number: {e}"));
    assert!(v.is_finite(), "{what} = {cell}");
    v
}

#[test]
fn a_grid_sweep_writes_one_row_per_run_point_and_band_with_distinct_seeds() {
    let cwd = tempfile::tempdir().unwrap();
    let text = grid_sweep("grid", 3, 2024, "");
    let file = write(cwd.path(), "grid.toml", &text);
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("result");
    let run = sweep(cwd.path(), &file, &out, &["--threads", "2"]).ok();
    assert_eq!(
        run.stderr, "",
        "no progress bar and no message off a terminal"
    );
    assert!(
        run.stdout.contains(arg(&out)) && run.stdout.contains("18 runs"),
        "the summary names the result and the runs: {}",
        run.stdout
    );
    assert_eq!(
        entries(parent.path()),
        names(&["result"]),
        "no partial directory is left beside the result"
    );
    assert_eq!(entries(&out), names(&RESULT_FILES));
    assert_eq!(
        entries(cwd.path()),
        names(&["grid.toml"]),
        "nothing in the cwd"
    );
    assert!(
        bytes(&out.join("sweep.toml")) == text.as_bytes(),
        "sweep.toml is the sweep file"
    );
    let base_text = String::from_utf8(bytes(&out.join("base.toml"))).unwrap();
    let base = parse_scenario(&base_text, "base.toml", &[])
        .unwrap_or_else(|e| panic!("base.toml does not load: {e}"));
    assert_eq!(base.periods, 6, "base.toml has the fixed overrides");
    assert_eq!(
        base.sector
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        SECTORS[..3]
    );
    assert!(base.sector.iter().all(|s| s.firms_private == 20));

    // points.csv: the product of the lists, the last factor fastest.
    let points = Table::read(&out.join("points.csv"));
    assert_eq!(
        points.headers,
        [
            "point",
            "group",
            "role",
            "policy_tariff",
            "policy_tolerance"
        ]
    );
    assert_eq!(points.rows.len(), TARIFFS.len() * TOLERANCES.len());
    for (p, row) in points.rows.iter().enumerate() {
        assert_eq!(row[0], p.to_string(), "points.csv row {p}: point");
        assert_eq!(
            (row[1].as_str(), row[2].as_str()),
            ("", ""),
            "a grid has no groups or roles"
        );
        assert_eq!(
            (
                points.num(p, "policy_tariff"),
                points.num(p, "policy_tolerance")
            ),
            (Some(TARIFFS[p / 3]), Some(TOLERANCES[p % 3])),
            "points.csv row {p}"
        );
    }

    // runs.csv: a row per (point, replicate), in run order, the point's factor values,
    // a finite number per metric, and a seed of its own.
    let runs = Table::read(&out.join("runs.csv"));
    let mut header = vec![
        "run",
        "point",
        "replicate",
        "seed",
        "status",
        "policy_tariff",
        "policy_tolerance",
    ];
    header.extend(METRIC_NAMES);
    header.push("error");
    assert_eq!(runs.headers, header);
    assert_eq!(runs.rows.len(), 6 * 3);
    runs.assert_numbers_finite("runs.csv");
    let mut seeds = BTreeSet::new();
    for (i, row) in runs.rows.iter().enumerate() {
        let (p, r) = (i / 3, i % 3);
        assert_eq!(
            (row[0].as_str(), row[1].as_str(), row[2].as_str()),
            (
                i.to_string().as_str(),
                p.to_string().as_str(),
                r.to_string().as_str()
            ),
            "runs.csv row {i}: run, point, replicate"
        );
        assert_eq!(
            (row[4].as_str(), row[row.len() - 1].as_str()),
            ("ok", ""),
            "runs.csv row {i}: status and error"
        );
        assert_eq!(
            row[5..7],
            points.rows[p][3..5],
            "runs.csv row {i}: factor values"
        );
        for m in METRIC_NAMES {
            number(&row[runs.col(m)], &format!("runs.csv row {i}: {m}"));
        }
        let seed: u64 = row[3].parse().expect("a seed is an unsigned integer");
        assert!(
            seed < 1 << 53,
            "a seed is read exactly as a double (R, Stata, JavaScript): {seed}"
        );
        seeds.insert(seed);
    }
    assert_eq!(
        seeds.len(),
        runs.rows.len(),
        "every run, across replicates and points, has its own seed"
    );

    // bands.csv: point × sector (then all) × band series × period, each over the 3 replicates.
    let bands = Table::read(&out.join("bands.csv"));
    assert_eq!(
        bands.headers,
        [
            "point", "sector", "series", "period", "n", "mean", "p05", "p50", "p95"
        ]
    );
    assert_eq!(bands.rows.len(), 6 * SECTORS.len() * BANDS.len() * 6);
    let mut i = 0;
    for p in 0..6 {
        for sector in SECTORS {
            for series in BANDS {
                for period in 1..=6 {
                    let row = &bands.rows[i];
                    assert_eq!(
                        row[..5],
                        [
                            p.to_string(),
                            sector.into(),
                            series.into(),
                            period.to_string(),
                            "3".into()
                        ],
                        "bands.csv row {i}"
                    );
                    let [_, p05, p50, p95] = ["mean", "p05", "p50", "p95"]
                        .map(|c| number(&row[bands.col(c)], &format!("bands.csv row {i}: {c}")));
                    assert!(
                        p05 <= p50 && p50 <= p95,
                        "bands.csv row {i}: quantiles out of order"
                    );
                    i += 1;
                }
            }
        }
    }
    // A final-period band summarises the replicates' final-period metrics of the same series.
    let band = |p: usize, sector: &str, series: &str, c: &str| -> f64 {
        let i = bands
            .rows
            .iter()
            .position(|r| {
                let final_period = r[3] == "6";
                r[0] == p.to_string() && r[1] == sector && r[2] == series && final_period
            })
            .expect("a final-period band row");
        bands.num(i, c).unwrap()
    };
    for p in 0..6 {
        for (metric, sector, series) in [
            ("gap_final", "all", "gap"),
            ("leading_capacity", "leading", "capacity"),
        ] {
            let mut v: Vec<f64> = (0..3)
                .map(|r| runs.num(p * 3 + r, metric).unwrap())
                .collect();
            v.sort_by(f64::total_cmp);
            let mean = v.iter().sum::<f64>() / 3.0;
            let got = band(p, sector, series, "mean");
            assert!(
                (got - mean).abs() <= 1e-12 * mean.abs().max(1.0),
                "point {p}: band mean {got} of {sector} {series} is not `{metric}`'s {mean}"
            );
            assert_eq!(
                band(p, sector, series, "p50"),
                v[1],
                "point {p}: median of `{metric}`"
            );
        }
    }

    let m = manifest(&out);
    assert_eq!(m["program"], "catchup");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["sweep"], "grid");
    assert_eq!(m["design"], "grid");
    assert_eq!(
        m["factors"],
        serde_json::json!(["policy.tariff", "policy.tolerance"])
    );
    assert_eq!(m["metrics"], serde_json::json!(METRIC_NAMES));
    assert_eq!(m["bands"], serde_json::json!(BANDS));
    assert_eq!(m["replicates"], 3);
    assert_eq!(m["seed"], 2024);
    assert_eq!(m["points_total"], 6);
    assert_eq!(m["runs_total"], 18);
    assert_eq!(m["runs"], 18);
    assert_eq!(m["runs_resumed"], 0);
    assert_eq!(m["shard"], "1/1");
    assert_eq!(m["threads"], 2);
    assert!(
        m["firm_steps"].as_u64().is_some_and(|n| n >= 18 * 69),
        "firm_steps counts every run's firm-periods, 69 firms in the first period alone: {}",
        m["firm_steps"]
    );
    let started = m["started_at"].as_str().expect("started_at is a string");
    humantime::parse_rfc3339(started).unwrap_or_else(|e| panic!("started_at {started:?}: {e}"));
}

#[test]
fn sweep_results_do_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "threads.toml",
        &grid_sweep("threads", 2, 77, "series = true"),
    );
    let run = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        sweep(dir.path(), &file, &out, &["--threads", threads, "--quiet"]).ok();
        out
    };
    let one = run("1");
    // One long table: every run's rows, in run order, led by run and point.
    let series = Table::read(&one.join("series.csv"));
    assert_eq!(&series.headers[..3], ["run", "point", "period"]);
    let runs: Vec<&str> = series.column("run");
    let mut distinct = runs.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        (0..12).map(|i| i.to_string()).collect::<Vec<_>>(),
        "series.csv holds every run, in order"
    );
    let points = series.column("point");
    let one_run = Table::read(&one.join("runs.csv"));
    for (r, point) in one_run.column("run").iter().zip(one_run.column("point")) {
        let rows: Vec<usize> = (0..runs.len()).filter(|&i| runs[i] == *r).collect();
        assert!(rows.iter().all(|&i| points[i] == point), "run {r}");
    }
    for threads in ["2", "3"] {
        let other = run(threads);
        assert_same_results(&one, &other, &format!("--threads {threads}"));
        let (m1, m) = (manifest(&one), manifest(&other));
        assert_eq!(m["threads"], threads.parse::<u64>().unwrap());
        assert_eq!(m["firm_steps"], m1["firm_steps"]);
    }
}

/// Every sampled design, its points computed one at a time, gives the same bytes with
/// any number of threads and from shards in any order.
#[test]
fn every_sampled_design_is_the_same_whatever_the_threads_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, extra) in [
        ("sobol", ""),
        ("saltelli-random", ""),
        ("lhs", ""),
        ("morris", "levels = 4\n"),
    ] {
        let body = format!(
            "[design]\nkind = \"{kind}\"\npoints = 4\n{extra}{RANGES}{INTEGER_RANGE}{METRICS}\n[output]\nbands = [\"gap\"]\n"
        );
        let file = write(
            dir.path(),
            &format!("{kind}.toml"),
            &sweep_text(kind, 2, 9, &body),
        );
        let whole = dir.path().join(format!("{kind}-1"));
        sweep(dir.path(), &file, &whole, &["--threads", "1", "--quiet"]).ok();
        let two = dir.path().join(format!("{kind}-2"));
        sweep(dir.path(), &file, &two, &["--threads", "2", "--quiet"]).ok();
        assert_same_results(&whole, &two, &format!("{kind}: --threads 2"));
        let shards: Vec<PathBuf> = (1..=3)
            .map(|k| {
                let out = dir.path().join(format!("{kind}-s{k}"));
                sweep(
                    dir.path(),
                    &file,
                    &out,
                    &["--shard", &format!("{k}/3"), "--quiet"],
                )
                .ok();
                out
            })
            .collect();
        let merged = dir.path().join(format!("{kind}-merged"));
        catchup(
            dir.path(),
            [
                "merge",
                arg(&shards[2]),
                arg(&shards[0]),
                arg(&shards[1]),
                "--out",
                arg(&merged),
            ],
        )
        .ok();
        assert_same_results(&whole, &merged, &format!("{kind}: 3 shards"));
    }
}

#[test]
fn shards_merged_in_any_order_equal_the_unsharded_sweep_byte_for_byte() {
    for series in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let output = if series { "series = true" } else { "" };
        let text = grid_sweep("sharded", 2, 5, output);
        let file = write(dir.path(), "sharded.toml", &text);
        let whole = dir.path().join("whole");
        sweep(dir.path(), &file, &whole, &["--quiet"]).ok();

        let mut shard_points = Vec::new();
        for k in 1..=3 {
            let out = dir.path().join(format!("shard-{k}"));
            sweep(
                dir.path(),
                &file,
                &out,
                &["--shard", &format!("{k}/3"), "--quiet"],
            )
            .ok();
            let m = manifest(&out);
            assert_eq!(m["shard"], format!("{k}/3"));
            assert_eq!(m["runs_total"], 12);
            let runs = Table::read(&out.join("runs.csv"));
            assert_eq!(
                m["runs"],
                runs.rows.len() as u64,
                "shard {k}/3: manifest runs"
            );
            assert!(!runs.rows.is_empty(), "shard {k}/3 has runs");
            let points: BTreeSet<String> =
                runs.column("point").into_iter().map(String::from).collect();
            let listed: BTreeSet<String> = Table::read(&out.join("points.csv"))
                .column("point")
                .into_iter()
                .map(String::from)
                .collect();
            assert_eq!(points, listed, "shard {k}/3 lists the points of its runs");
            shard_points.push(points);
        }
        let mut all = BTreeSet::new();
        for points in &shard_points {
            assert!(
                all.is_disjoint(points),
                "a point is in two shards: {shard_points:?}"
            );
            all.extend(points.iter().cloned());
        }
        assert_eq!(
            all.len(),
            6,
            "the shards cover every point: {shard_points:?}"
        );

        let merged = dir.path().join("merged");
        let shards = [3, 1, 2].map(|k| dir.path().join(format!("shard-{k}")));
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(|s| arg(s)));
        args.extend(["--out", arg(&merged)]);
        let run = catchup(dir.path(), &args).ok();
        assert!(
            run.stdout.contains("12 runs merged from 3 shards"),
            "{}",
            run.stdout
        );
        assert_same_results(&whole, &merged, &format!("merge (series = {series})"));
        let mut expected = names(&RESULT_FILES);
        if series {
            expected.insert("series.csv".into());
        }
        assert_eq!(entries(&merged), expected);
        assert!(bytes(&merged.join("sweep.toml")) == text.as_bytes());
        assert!(bytes(&merged.join("base.toml")) == bytes(&whole.join("base.toml")));
        let m = manifest(&merged);
        assert_eq!(m["shard"], "merged");
        assert_eq!(
            (m["runs"].clone(), m["runs_total"].clone()),
            (12.into(), 12.into())
        );
        assert_eq!(m["firm_steps"], manifest(&whole)["firm_steps"]);
    }
}

#[test]
fn more_shards_than_points_leave_empty_shards_that_still_merge() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "many.toml", &grid_sweep("many", 2, 8, ""));
    let whole = dir.path().join("whole");
    sweep(dir.path(), &file, &whole, &["--quiet"]).ok();
    let shards: Vec<PathBuf> = (1..=8).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, out) in shards.iter().enumerate() {
        sweep(
            dir.path(),
            &file,
            out,
            &["--shard", &format!("{}/8", k + 1), "--quiet"],
        )
        .ok();
    }
    let empty = shards
        .iter()
        .filter(|s| Table::read(&s.join("runs.csv")).rows.is_empty())
        .count();
    assert_eq!(empty, 2, "6 points in 8 shards leave 2 shards empty");
    let merged = dir.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().rev().map(|s| arg(s)));
    args.extend(["--out", arg(&merged)]);
    catchup(dir.path(), &args).ok();
    assert_same_results(&whole, &merged, "merge of 8 shards");
}

/// 100 shards (more than one merge step reads at once, so the merge goes through a
/// round of temporary files) merge into the unsharded sweep's bytes, `series.csv`
/// included, and leave nothing else in the result.
#[test]
fn a_hundred_shards_merge_in_bounded_rounds_into_the_unsharded_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "[design]\nkind = \"lhs\"\npoints = 130\n{RANGES}{METRICS}\n[output]\nseries = true\nbands = [\"gap\"]\n"
    );
    let text = sweep_on(
        &SMALL.replace("periods = 6", "periods = 2"),
        "hundred",
        1,
        6,
        &body,
    );
    let file = write(dir.path(), "hundred.toml", &text);
    let whole = dir.path().join("whole");
    sweep(dir.path(), &file, &whole, &["--quiet"]).ok();
    let shards: Vec<PathBuf> = (1..=100)
        .map(|k| dir.path().join(format!("s{k}")))
        .collect();
    for (k, out) in shards.iter().enumerate() {
        let shard = format!("{}/100", k + 1);
        sweep(
            dir.path(),
            &file,
            out,
            &["--shard", &shard, "--threads", "1", "--quiet"],
        )
        .ok();
    }
    // Given in a scrambled order: every 37th shard, cyclically.
    let merged = dir.path().join("merged");
    let mut args = vec!["merge"];
    args.extend((0..100).map(|i| arg(&shards[(i * 37) % 100])));
    args.extend(["--out", arg(&merged)]);
    let run = catchup(dir.path(), &args).ok();
    assert!(
        run.stdout.contains("130 runs merged from 100 shards"),
        "{}",
        run.stdout
    );
    assert_same_results(&whole, &merged, "merge of 100 shards");
    let mut runs = Table::read(&merged.join("series.csv"))
        .column("run")
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    runs.dedup();
    assert_eq!(runs.len(), 130);
    let mut files = names(&RESULT_FILES);
    files.insert("series.csv".into());
    assert_eq!(
        entries(&merged),
        files,
        "no temporary file is left in the result"
    );
    let m = manifest(&merged);
    assert_eq!(
        (m["runs"].as_u64(), m["shard"].as_str()),
        (Some(130), Some("merged"))
    );
}

#[test]
fn shard_auto_from_a_slurm_array_task_gives_the_folder_and_bytes_of_shard_k_of_n() {
    let text = grid_sweep("auto", 2, 5, "");
    // --shard 2/3, named explicitly, into the default folder.
    let explicit = tempfile::tempdir().unwrap();
    let file = write(explicit.path(), "auto.toml", &text);
    catchup(
        explicit.path(),
        ["sweep", arg(&file), "--shard", "2/3", "--quiet"],
    )
    .ok();
    // The second task of `sbatch --array=0-2`.
    let slurm = [
        ("SLURM_ARRAY_JOB_ID", "4242"),
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_MAX", "2"),
        ("SLURM_ARRAY_TASK_STEP", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    let auto = tempfile::tempdir().unwrap();
    let file = write(auto.path(), "auto.toml", &text);
    let sweep_auto = |extra: &[&str], vars: &[(&str, &str)]| {
        let mut args = vec!["sweep", arg(&file), "--shard", "auto"];
        args.extend_from_slice(extra);
        catchup_env(auto.path(), args, vars)
    };
    sweep_auto(&[], &slurm)
        .ok()
        .stderr_has(&["--shard auto: shard 2/3"]);

    let (want, got) = (explicit.path().join("output"), auto.path().join("output"));
    assert_eq!(entries(&got), entries(&want), "the output folder's name");
    assert_eq!(entries(&got), names(&["auto-shard-2-of-3"]));
    let (want, got) = (
        want.join("auto-shard-2-of-3"),
        got.join("auto-shard-2-of-3"),
    );
    assert_eq!(entries(&got), entries(&want), "the result's files");
    assert_same_results(&want, &got, "--shard auto against --shard 2/3");
    for f in ["sweep.toml", "base.toml"] {
        assert!(bytes(&want.join(f)) == bytes(&got.join(f)), "{f} differs");
    }
    let (m, n) = (manifest(&want), manifest(&got));
    assert_eq!(n["shard"], "2/3");
    for key in ["shard", "runs", "runs_total", "points_total"] {
        assert_eq!(m[key], n[key], "manifest {key}");
    }

    // Resubmitted (a requeued array task), without --resume: skipped, exit 0, untouched.
    let before = tree(&got);
    let again = sweep_auto(&[], &slurm).ok();
    assert!(
        again.stdout.contains("already complete"),
        "{}",
        again.stdout
    );
    // The same shard from another scheduler's variables is recognised too.
    let aws = [
        ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
        ("CATCHUP_SHARD_COUNT", "3"),
    ];
    assert!(
        sweep_auto(&[], &aws)
            .ok()
            .stdout
            .contains("already complete")
    );
    assert!(tree(&got) == before, "a skipped shard is not rewritten");
    // With an explicit shard, --resume on a finished shard says so and exits 0.
    let resumed = catchup_env(
        explicit.path(),
        ["sweep", "auto.toml", "--shard", "2/3", "--resume"],
        &[],
    )
    .ok();
    assert!(
        resumed.stdout.contains("already complete"),
        "{}",
        resumed.stdout
    );

    // Nothing set, out of range, or two schedulers disagreeing: exit 2, naming the
    // variables, and nothing written.
    let empty = tempfile::tempdir().unwrap();
    let file = write(empty.path(), "auto.toml", &text);
    let refused = |vars: &[(&str, &str)], parts: &[&str]| {
        catchup_env(empty.path(), ["sweep", arg(&file), "--shard", "auto"], vars).refused(parts);
        assert!(!empty.path().join("output").exists(), "nothing is written");
    };
    refused(
        &[],
        &[
            "SLURM_ARRAY_TASK_ID",
            "AWS_BATCH_JOB_ARRAY_INDEX",
            "JOB_COMPLETION_INDEX",
            "LSB_JOBINDEX",
            "CATCHUP_SHARD",
        ],
    );
    refused(
        &[("CATCHUP_SHARD", "4/3")],
        &["CATCHUP_SHARD", "1 <= K <= N"],
    );
    refused(
        &slurm[1..4]
            .iter()
            .map(|&(k, v)| {
                if k == "SLURM_ARRAY_TASK_ID" {
                    (k, "3")
                } else {
                    (k, v)
                }
            })
            .collect::<Vec<_>>(),
        &["SLURM_ARRAY_TASK_ID=3", "out of range"],
    );
    refused(
        &[
            &slurm[..],
            &[("JOB_COMPLETION_INDEX", "0"), ("CATCHUP_SHARD_COUNT", "3")],
        ]
        .concat(),
        &["disagree", "SLURM", "Kubernetes"],
    );
}

/// Runs `catchup merge SHARDS... --out OUT` expecting a refusal: exit 2, an error, and
/// nothing at OUT or beside it.
#[track_caller]
fn refused_merge(cwd: &Path, shards: &[&Path]) -> Outcome {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|s| arg(s)));
    args.extend(["--out", arg(&out)]);
    let outcome = catchup(cwd, &args).bad_input();
    assert!(outcome.stderr.starts_with("error: "), "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
    assert!(!out.exists(), "`{}` wrote {}", outcome.line, out.display());
    assert_eq!(
        entries(parent.path()),
        BTreeSet::new(),
        "`{}` left files",
        outcome.line
    );
    outcome
}

#[test]
fn merge_refuses_missing_repeated_mismatched_or_unfinished_shards_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = write(d, "a.toml", &grid_sweep("a", 2, 1, ""));
    let b = write(d, "b.toml", &grid_sweep("a", 2, 2, ""));
    let shard = |file: &Path, name: &str, k: u32, n: u32| {
        let out = d.join(name);
        sweep(d, file, &out, &["--shard", &format!("{k}/{n}"), "--quiet"]).ok();
        out
    };
    let (a1, a2, a3) = (
        shard(&a, "a1", 1, 3),
        shard(&a, "a2", 2, 3),
        shard(&a, "a3", 3, 3),
    );
    let b2 = shard(&b, "b2", 2, 3);
    let a1_of_2 = shard(&a, "a1-of-2", 1, 2);

    refused_merge(d, &[&a1, &a3]).stderr_has(&["missing shards: 2/3"]);
    refused_merge(d, &[&a1, &a2, &a1, &a3]).stderr_has(&["1/3", "given twice"]);
    // A shard of another sweep (another seed), or of another number of shards.
    refused_merge(d, &[&a1, &b2, &a3]).stderr_has(&["different sweep"]);
    refused_merge(d, &[&a1_of_2, &a2, &a3]).stderr_has(&["2/3"]);
    // A shard whose result is not there (yet), and a directory that is no result.
    let unfinished = d.join("a2-still-running");
    refused_merge(d, &[&a1, &unfinished, &a3]).stderr_has(&[arg(&unfinished)]);
    let not_a_result = d.join("empty");
    fs::create_dir(&not_a_result).unwrap();
    refused_merge(d, &[&a1, &a2, &a3, &not_a_result]).stderr_has(&[arg(&not_a_result)]);

    // An existing merge is kept unless forced.
    let merged = d.join("merged");
    catchup(
        d,
        ["merge", arg(&a1), arg(&a2), arg(&a3), "--out", arg(&merged)],
    )
    .ok();
    let before = tree(&merged);
    catchup(
        d,
        ["merge", arg(&a3), arg(&a2), arg(&a1), "--out", arg(&merged)],
    )
    .bad_input()
    .stderr_has(&[arg(&merged), "--force"]);
    assert!(
        tree(&merged) == before,
        "a refused merge changed the result"
    );
    catchup(
        d,
        [
            "merge",
            arg(&a3),
            arg(&a2),
            arg(&a1),
            "--out",
            arg(&merged),
            "--force",
        ],
    )
    .ok();
    let after = tree(&merged);
    for f in COMPARED {
        assert!(
            after[f] == before[f],
            "the forced merge of the same shards differs in {f}"
        );
    }
}

/// A whole block in the journal: magic, payload length, payload, checksum.
const BLOCK_MAGIC: &[u8; 4] = b"CRUN";

/// How many whole blocks (finished runs) `journal.bin` holds, up to the first torn one.
fn journal_blocks(path: &Path) -> usize {
    journal_whole(path).0
}

/// The whole blocks of `journal.bin` up to the first torn one: how many, and their bytes.
fn journal_whole(path: &Path) -> (usize, usize) {
    let Ok(data) = fs::read(path) else {
        return (0, 0);
    };
    let (mut at, mut n) = (0usize, 0usize);
    while let Some(head) = data.get(at..at + 12) {
        if &head[..4] != BLOCK_MAGIC {
            break;
        }
        let len = u64::from_le_bytes(head[4..12].try_into().unwrap());
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_add(at + 20))
            .filter(|&end| end <= data.len());
        let Some(end) = end else { break };
        n += 1;
        at = end;
    }
    (n, at)
}

/// A sweep slow enough in a debug build (24 runs of 60 periods and 345 firms, about a
/// second on two threads) to be killed part way; with every run's series.
fn long_sweep(seed: u64) -> String {
    let set = SMALL
        .replace("periods = 6", "periods = 60")
        .replace("= 20\n", "= 100\n")
        .replace("= 3\n", "= 15\n");
    let grid = GRID.replace("values = [1, 4, 8]", "values = [1, 2, 4, 6, 8, 10]");
    let body =
        format!("{grid}{METRICS}\n[output]\nbands = [\"gap\", \"capacity\"]\nseries = true\n");
    sweep_on(&set, "long", 2, seed, &body)
}
const LONG_RUNS: usize = 24;

/// Starts `catchup sweep FILE --out OUT --threads 1`, kills it with SIGKILL once its
/// journal holds `at_least` finished runs, and returns how many whole runs the journal
/// holds after the kill.
#[cfg(unix)]
fn kill_part_way(cwd: &Path, file: &Path, out: &Path, at_least: usize) -> usize {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let journal = partial(out).join("journal.bin");
    let mut child = common::spawn_catchup(
        cwd,
        &[
            "sweep",
            arg(file),
            "--out",
            arg(out),
            "--threads",
            "1",
            "--quiet",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("the sweep can be waited for") {
            panic!(
                "the sweep ended ({status}) before {at_least} runs were journaled and it could be \
                 killed; make `long_sweep` longer"
            );
        }
        if journal_blocks(&journal) >= at_least {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the sweep did not journal {at_least} runs in 120 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL is sent");
    let status = child.wait().expect("the killed sweep is reaped");
    assert_eq!(
        status.signal(),
        Some(9),
        "the sweep was to be killed part way, but it ended with {status}; make `long_sweep` longer"
    );
    journal_blocks(&journal)
}

#[cfg(unix)]
#[test]
fn a_sweep_killed_part_way_resumes_to_the_same_result_as_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = long_sweep(31);
    let file = write(dir.path(), "long.toml", &text);
    let reference = dir.path().join("reference");
    sweep(
        dir.path(),
        &file,
        &reference,
        &["--threads", "2", "--quiet"],
    )
    .ok();

    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let work = partial(&out);
    let journal = work.join("journal.bin");
    let done = kill_part_way(dir.path(), &file, &out, 3);
    assert!(
        (3..LONG_RUNS).contains(&done),
        "{done} of {LONG_RUNS} runs journaled"
    );
    assert!(!out.exists(), "a killed sweep leaves no result");
    assert!(journal.is_file(), "a killed sweep leaves its journal");

    // A block torn mid-write: the beginning of a whole block (magic, length and a few
    // bytes of payload) with nothing after it.
    let whole = bytes(&journal);
    let mut torn = whole.clone();
    torn.extend_from_slice(&whole[..40]);
    fs::write(&journal, &torn).unwrap();
    // The journal's index is derived from the journal: a working folder left by a
    // build that kept the index in memory (no `index.bin`) resumes like any other.
    let index = work.join("index.bin");
    assert!(index.is_file(), "a killed sweep leaves its index");
    fs::remove_file(&index).unwrap();

    // Without --resume, the interrupted sweep is neither continued nor discarded.
    sweep(dir.path(), &file, &out, &[])
        .bad_input()
        .stderr_has(&["--resume", arg(&work)]);
    // An edited sweep file, or another shard, is not resumed from this journal.
    write(dir.path(), "long.toml", &long_sweep(32));
    sweep(dir.path(), &file, &out, &["--resume"])
        .bad_input()
        .stderr_has(&[arg(&work), "different sweep"]);
    write(dir.path(), "long.toml", &text);
    sweep(dir.path(), &file, &out, &["--resume", "--shard", "1/2"])
        .bad_input()
        .stderr_has(&[arg(&work)]);
    assert!(
        bytes(&journal) == torn,
        "a refused resume changed the journal"
    );
    assert!(!out.exists());

    let resumed = sweep(dir.path(), &file, &out, &["--resume", "--threads", "2"]).ok();
    resumed.stderr_has(&[&format!(
        "resuming: {done} runs already finished, {} to go",
        LONG_RUNS - done
    )]);
    assert!(
        resumed
            .stdout
            .contains(&format!("{LONG_RUNS} runs ({done} resumed)")),
        "{}",
        resumed.stdout
    );
    let m = manifest(&out);
    assert_eq!(m["runs_resumed"], done as u64);
    assert_eq!(m["runs"], LONG_RUNS as u64);
    assert_eq!(m["firm_steps"], manifest(&reference)["firm_steps"]);
    assert_same_results(&reference, &out, "resumed after kill -9");
    assert_eq!(
        entries(parent.path()),
        names(&["out"]),
        "the partial directory is gone"
    );

    // Resuming a finished result does nothing.
    let before = tree(&out);
    let again = sweep(dir.path(), &file, &out, &["--resume"]).ok();
    assert!(
        again.stdout.contains("already complete"),
        "{}",
        again.stdout
    );
    assert!(tree(&out) == before, "--resume changed a finished result");
    assert_eq!(entries(parent.path()), names(&["out"]));
}

#[test]
fn an_existing_sweep_result_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let first_file = write(dir.path(), "first.toml", &grid_sweep("grid", 2, 1, ""));
    let second_file = write(dir.path(), "second.toml", &grid_sweep("grid", 2, 2, ""));
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("result");
    sweep(dir.path(), &first_file, &out, &["--quiet"]).ok();
    let first = tree(&out);

    sweep(dir.path(), &second_file, &out, &[])
        .bad_input()
        .stderr_has(&[arg(&out), "--force"]);
    assert!(tree(&out) == first, "a refused sweep changed the result");
    assert_eq!(
        entries(parent.path()),
        names(&["result"]),
        "a refused sweep left a partial directory"
    );

    sweep(dir.path(), &second_file, &out, &["--force", "--quiet"]).ok();
    assert_eq!(manifest(&out)["seed"], 2, "--force replaced the result");
    assert!(
        bytes(&out.join("runs.csv")) != first["runs.csv"],
        "the new runs.csv is the new sweep's"
    );
    assert_eq!(entries(parent.path()), names(&["result"]));
    assert_eq!(entries(&out), names(&RESULT_FILES));

    // --force replaces a result, never a folder of other files.
    let data = parent.path().join("data");
    fs::create_dir(&data).unwrap();
    write(&data, "notes.txt", "precious\n");
    sweep(dir.path(), &first_file, &data, &["--force"])
        .bad_input()
        .stderr_has(&["not provably a catchup result"]);
    assert_eq!(entries(&data), names(&["notes.txt"]));
    assert_eq!(entries(parent.path()), names(&["data", "result"]));

    // Nor a folder with another program's manifest.json (the issue's victim).
    let victim = parent.path().join("victim");
    write(&victim, "manifest.json", "{\"manifest_version\": 3}\n");
    write(
        &victim.join("src"),
        "thesis.tex",
        "\\documentclass{article}\n",
    );
    let before = tree(&victim);
    sweep(dir.path(), &first_file, &victim, &["--force"])
        .bad_input()
        .stderr_has(&["not provably a catchup result", "not written by catchup"]);
    assert!(
        tree(&victim) == before,
        "a refused sweep touched the folder"
    );
}

/// A user's folder that happens to have the name of a sweep's working folder
/// (`<out>.partial`) is never removed, with or without `--force`.
#[test]
fn a_user_folder_named_like_a_working_folder_is_never_removed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &grid_sweep("grid", 2, 1, ""));
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let work = partial(&out);
    write(&work, "thesis.tex", "\\documentclass{article}\n");
    let before = tree(&work);
    for flags in [&[][..], &["--force"][..], &["--resume"][..]] {
        sweep(dir.path(), &file, &out, flags)
            .bad_input()
            .stderr_has(&[arg(&work)]);
        assert!(
            tree(&work) == before,
            "sweep {flags:?} touched {}",
            work.display()
        );
    }
}

#[test]
fn an_interrupted_sweep_is_neither_restarted_nor_resumed_as_another_but_discarded_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &grid_sweep("grid", 2, 1, ""));
    let reference = dir.path().join("reference");
    sweep(dir.path(), &file, &reference, &["--quiet"]).ok();

    // What a sweep of something else left when it was killed.
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let work = partial(&out);
    fs::create_dir(&work).unwrap();
    write(&work, "sweep.toml", "another sweep\n");
    write(&work, "journal.bin", "CRUN and the rest of a torn block");
    let left = tree(&work);

    sweep(dir.path(), &file, &out, &[])
        .bad_input()
        .stderr_has(&[arg(&work), "--resume", "--force"]);
    for flags in [&["--resume"][..], &["--resume", "--force"][..]] {
        sweep(dir.path(), &file, &out, flags)
            .bad_input()
            .stderr_has(&[arg(&work), "different sweep"]);
    }
    assert!(
        tree(&work) == left,
        "a refused sweep touched the partial directory"
    );
    assert!(!out.exists());

    sweep(dir.path(), &file, &out, &["--force", "--quiet"]).ok();
    assert_eq!(manifest(&out)["runs_resumed"], 0);
    assert_same_results(&reference, &out, "started over with --force");
    assert_eq!(
        entries(parent.path()),
        names(&["out"]),
        "the partial directory is gone"
    );
}

/// Runs a sweep that must be refused: exit 2, an error on stderr, and nothing written at
/// --out, beside it or in the working directory.
#[track_caller]
fn refused_sweep(cwd: &Path, file: &Path, extra: &[&str]) -> Outcome {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let before = entries(cwd);
    let outcome = sweep(cwd, file, &out, extra).bad_input();
    assert_eq!(outcome.stdout, "", "`{}` printed to stdout", outcome.line);
    assert!(
        outcome.stderr.starts_with("error: "),
        "`{}`: {}",
        outcome.line,
        outcome.stderr
    );
    assert!(
        !out.exists() && !partial(&out).exists(),
        "`{}` wrote",
        outcome.line
    );
    assert_eq!(
        entries(parent.path()),
        BTreeSet::new(),
        "`{}` left files",
        outcome.line
    );
    assert_eq!(
        entries(cwd),
        before,
        "`{}` wrote into the cwd",
        outcome.line
    );
    outcome
}

#[test]
fn bad_sweep_files_are_refused_with_file_line_column_key_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let good = grid_sweep("bad", 2, 1, "");
    let lhs = sweep_text(
        "bad",
        2,
        1,
        &format!("[design]\nkind = \"lhs\"\n{RANGES}{METRICS}"),
    );
    let morris = sweep_text(
        "bad",
        1,
        1,
        &format!("[design]\nkind = \"morris\"\npoints = 2\nlevels = 3\n{RANGES}{METRICS}"),
    );
    struct Case {
        file: &'static str,
        text: String,
        /// The line the error is at: the n-th line containing this text.
        at: (&'static str, usize),
        parts: &'static [&'static str],
    }
    let cases = [
        Case {
            file: "series.toml",
            text: good.replacen("series = \"gap\"", "series = \"gapp\"", 1),
            at: ("series = \"gapp\"", 0),
            parts: &["`metric[0].series`", "`gapp`", "did you mean `gap`?"],
        },
        Case {
            file: "band.toml",
            text: good.replace(
                "bands = [\"gap\", \"capacity\"]",
                "bands = [\"gap\", \"capacty\"]",
            ),
            at: ("bands = ", 0),
            parts: &["`output.bands[1]`", "`capacty`", "did you mean `capacity`?"],
        },
        Case {
            file: "top-level.toml",
            text: good.replace("seed = 1\n", "sed = 1\n"),
            at: ("sed = 1", 0),
            parts: &["`sed`", "unknown key", "did you mean `seed`?"],
        },
        Case {
            file: "no-values.toml",
            text: good.replace("values = [1, 4, 8]\n", ""),
            at: ("[[design.factor]]", 1),
            parts: &["`design.factor[1].values`", "values"],
        },
        Case {
            file: "no-points.toml",
            text: lhs,
            at: ("[design]", 0),
            parts: &["`design.points`"],
        },
        Case {
            file: "odd-levels.toml",
            text: morris,
            at: ("levels = 3", 0),
            parts: &["`design.levels`", "even"],
        },
    ];
    for case in &cases {
        assert!(case.text != good, "{}: the case changes nothing", case.file);
        let path = write(dir.path(), case.file, &case.text);
        let refused = refused_sweep(dir.path(), &path, &[]);
        assert_located(&refused, &path, line_of(&case.text, case.at.0, case.at.1));
        refused.stderr_has(case.parts);
    }

    // A factor key the scenario does not have: found when the design points are checked.
    let path = write(
        dir.path(),
        "factor-key.toml",
        &good.replace("key = \"policy.tariff\"", "key = \"policy.tarif\""),
    );
    refused_sweep(dir.path(), &path, &[]).stderr_has(&[
        "design point 0",
        "`policy.tarif`",
        "did you mean `tariff`?",
    ]);
}

#[test]
fn bad_sweep_flags_and_missing_files_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ok.toml", &grid_sweep("ok", 1, 1, ""));
    refused_sweep(dir.path(), &file, &["--threads", "0"]).stderr_has(&["--threads"]);
    for shard in ["0/3", "4/3", "3", "a/b"] {
        refused_sweep(dir.path(), &file, &["--shard", shard]).stderr_has(&["--shard", shard]);
    }
    let missing = dir.path().join("no-such-sweep.toml");
    refused_sweep(dir.path(), &missing, &[]).stderr_has(&["no-such-sweep.toml"]);
}

#[test]
fn a_sweep_without_out_goes_to_output_named_after_the_sweep_and_its_shard() {
    let cwd = tempfile::tempdir().unwrap();
    write(cwd.path(), "named.toml", &grid_sweep("named", 1, 1, ""));
    catchup(cwd.path(), ["sweep", "named.toml", "--quiet"]).ok();
    catchup(
        cwd.path(),
        ["sweep", "named.toml", "--shard", "2/3", "--quiet"],
    )
    .ok();
    assert_eq!(entries(cwd.path()), names(&["named.toml", "output"]));
    let output = cwd.path().join("output");
    assert_eq!(entries(&output), names(&["named", "named-shard-2-of-3"]));
    assert_eq!(manifest(&output.join("named"))["shard"], "1/1");
    assert_eq!(manifest(&output.join("named-shard-2-of-3"))["shard"], "2/3");
}

/// A two-sector scenario file, as a sweep's base.
const TWO_SECTORS: &str = r#"version = 1
name = "two"
periods = 4

[[sector]]
name = "alpha"
regime = "catch-up"
firms_private = 15
firms_soe = 2

[[sector]]
name = "beta"
regime = "leading"
firms_private = 10
firms_soe = 2
"#;

/// A metric of a sector of [`TWO_SECTORS`].
const BETA_METRIC: &str = r#"
[[metric]]
name = "beta_gap"
series = "gap"
sector = "beta"
stat = "final"

[output]
bands = ["gap"]
"#;

#[test]
fn a_base_scenario_file_is_found_beside_the_sweep_file() {
    let cwd = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    write(elsewhere.path(), "two.toml", TWO_SECTORS);
    let text = format!(
        "version = 1\nname = \"on-two\"\nbase = \"two.toml\"\nreplicates = 2\n\n{GRID}{BETA_METRIC}"
    );
    let file = write(elsewhere.path(), "on-two.toml", &text);
    let out = cwd.path().join("out");
    sweep(cwd.path(), &file, &out, &["--quiet"]).ok();
    let base = String::from_utf8(bytes(&out.join("base.toml"))).unwrap();
    let base = parse_scenario(&base, "base.toml", &[]).expect("base.toml loads");
    assert_eq!((base.name.as_str(), base.periods), ("two", 4));
    let bands = Table::read(&out.join("bands.csv"));
    let sectors: BTreeSet<&str> = bands.column("sector").into_iter().collect();
    assert_eq!(sectors, BTreeSet::from(["alpha", "beta", "all"]));
    assert_eq!(bands.rows.len(), 6 * 3 * 4, "points × rows × periods");
    let runs = Table::read(&out.join("runs.csv"));
    runs.col("beta_gap");
    runs.assert_numbers_finite("runs.csv");
    assert_eq!(entries(cwd.path()), names(&["out"]));
}

#[test]
fn analyze_writes_point_means_with_intervals_and_keeps_an_analysis_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &grid_sweep("grid", 3, 9, ""));
    let out = dir.path().join("grid");
    sweep(dir.path(), &file, &out, &["--quiet"]).ok();
    let sweep_files = tree(&out);

    let analysis = out.join("analysis");
    let run = catchup(dir.path(), ["analyze", arg(&out)]).ok();
    for part in [
        "Mean of each metric",
        "ci_low",
        "gap_final",
        &analysis.display().to_string(),
    ] {
        assert!(
            run.stdout.contains(part),
            "the printout lacks {part:?}:\n{}",
            run.stdout
        );
    }
    assert!(entries(&analysis).contains("point_means.csv"));
    let means = Table::read(&analysis.join("point_means.csv"));
    assert_eq!(
        means.headers,
        [
            "point",
            "policy_tariff",
            "policy_tolerance",
            "metric",
            "n",
            "mean",
            "ci_low",
            "ci_high"
        ]
    );
    assert_eq!(means.rows.len(), 6 * METRIC_NAMES.len());
    let runs = Table::read(&out.join("runs.csv"));
    let points = Table::read(&out.join("points.csv"));
    let mut seen = BTreeSet::new();
    for (i, row) in means.rows.iter().enumerate() {
        let (point, metric) = (row[0].clone(), row[3].clone());
        // The point's factor values, as points.csv has them.
        let p: usize = point.parse().expect("a point number");
        for (c, factor) in ["policy_tariff", "policy_tolerance"].iter().enumerate() {
            assert_eq!(
                row[1 + c],
                points.rows[p][points.col(factor)],
                "row {i}: {factor}"
            );
        }
        assert!(
            METRIC_NAMES.contains(&metric.as_str()),
            "row {i}: metric {metric}"
        );
        assert_eq!(row[4], "3", "row {i}: n is the replicates");
        let [mean, low, high] = [5, 6, 7].map(|c| {
            number(
                &row[c],
                &format!("point_means.csv row {i}: {}", means.headers[c]),
            )
        });
        assert!(
            low <= mean && mean <= high,
            "row {i}: {low} <= {mean} <= {high}"
        );
        let by_hand = (0..3)
            .map(|r| runs.num(p * 3 + r, &metric).unwrap())
            .sum::<f64>()
            / 3.0;
        assert!(
            (mean - by_hand).abs() <= 5.1e-5,
            "row {i}: mean {mean} of {metric} at point {p} is not {by_hand}"
        );
        assert!(
            seen.insert((point, metric)),
            "row {i} repeats a point and metric"
        );
    }
    let first = tree(&analysis);

    let refused = catchup(dir.path(), ["analyze", arg(&out)]).bad_input();
    refused.stderr_has(&["--force", "analysis already exists"]);
    // `analyze` has no --out to suggest.
    assert!(!refused.stderr.contains("--out"), "{}", refused.stderr);
    assert!(
        tree(&analysis) == first,
        "a refused analysis changed the earlier one"
    );
    catchup(dir.path(), ["analyze", arg(&out), "--force"]).ok();
    assert!(
        tree(&analysis) == first,
        "the same sweep gives the same analysis"
    );
    let mut after = tree(&out);
    after.retain(|k, _| !k.starts_with("analysis"));
    assert!(
        after == sweep_files,
        "analyze changed the sweep's own files"
    );
}

#[test]
fn analyze_of_a_sobol_sweep_writes_first_and_total_indices_per_metric_and_factor() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!("[design]\nkind = \"sobol\"\npoints = 8\n{RANGES}{METRICS}");
    let file = write(dir.path(), "sobol.toml", &sweep_text("sobol", 1, 4, &body));
    let out = dir.path().join("sobol");
    sweep(dir.path(), &file, &out, &["--quiet"]).ok();
    let points = Table::read(&out.join("points.csv"));
    assert_eq!(
        points.rows.len(),
        8 * (2 + 2),
        "a Saltelli design: N (k + 2) points"
    );
    let roles: Vec<&str> = points.column("role");
    assert_eq!(roles[..4], ["A", "B", "AB1", "AB2"]);
    assert_eq!(manifest(&out)["design"], "sobol");
    // The pseudo-random design keeps the layout, and is what `sobol` means in a
    // version-1 sweep file; both are analysed alike.
    let random = dir.path().join("random");
    let random_text = sweep_text(
        "sobol",
        1,
        4,
        &body.replace("\"sobol\"", "\"saltelli-random\""),
    );
    let random_file = write(dir.path(), "random.toml", &random_text);
    sweep(dir.path(), &random_file, &random, &["--quiet"]).ok();
    assert_eq!(manifest(&random)["design"], "saltelli-random");
    assert!(bytes(&random.join("points.csv")) != bytes(&out.join("points.csv")));
    let old = dir.path().join("old");
    let old_file = write(
        dir.path(),
        "old.toml",
        &sweep_text("sobol", 1, 4, &body).replacen("version = 2", "version = 1", 1),
    );
    sweep(dir.path(), &old_file, &old, &["--quiet"]).ok();
    assert_eq!(manifest(&old)["design"], "saltelli-random");
    assert!(bytes(&random.join("points.csv")) == bytes(&old.join("points.csv")));
    let run = catchup(dir.path(), ["analyze", arg(&random)]).ok();
    assert!(run.stdout.contains("Sobol indices"), "{}", run.stdout);

    let run = catchup(dir.path(), ["analyze", arg(&out)]).ok();
    assert!(run.stdout.contains("Sobol"), "{}", run.stdout);
    let analysis = out.join("analysis");
    assert_eq!(
        entries(&analysis),
        names(&[
            ".catchup-result",
            "manifest.json",
            "point_means.csv",
            "sobol.csv"
        ])
    );
    let sobol = Table::read(&analysis.join("sobol.csv"));
    assert_eq!(
        sobol.headers,
        [
            "metric", "factor", "rows", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"
        ]
    );
    let pairs: Vec<(&str, &str)> = sobol
        .rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = METRIC_NAMES
        .iter()
        .flat_map(|m| ["policy.tariff", "policy.bridge"].map(|f| (*m, f)))
        .collect();
    assert_eq!(pairs, expected, "one row per metric and factor");
    for (i, row) in sobol.rows.iter().enumerate() {
        assert_eq!(row[2], "8", "row {i}: every base sample is used");
        let [s1_low, s1_high, st_low, st_high] = ["S1_low", "S1_high", "ST_low", "ST_high"]
            .map(|c| number(&row[sobol.col(c)], &format!("sobol.csv row {i}: {c}")));
        for c in ["S1", "ST"] {
            number(&row[sobol.col(c)], &format!("sobol.csv row {i}: {c}"));
        }
        assert!(s1_low <= s1_high && st_low <= st_high, "row {i}: intervals");
    }
}

/// Point numbers of a Saltelli design of `n` rows and `k` factors in SALib's order.
fn salib_rows(n: usize, k: usize) -> Vec<usize> {
    (0..n)
        .flat_map(|j| {
            let a = j * (k + 2);
            std::iter::once(a)
                .chain(a + 2..a + k + 2)
                .chain(std::iter::once(a + 1))
        })
        .collect()
}

#[test]
fn export_salib_writes_the_design_in_salib_row_order_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["sobol", "saltelli-random", "morris"] {
        let levels = if kind == "morris" { "levels = 4\n" } else { "" };
        let body = format!(
            "[design]\nkind = \"{kind}\"\npoints = 4\n{levels}{RANGES}{INTEGER_RANGE}{METRICS}"
        );
        let file = write(
            dir.path(),
            &format!("{kind}.toml"),
            &sweep_text(kind, 1, 4, &body),
        );
        let matrix = dir.path().join(format!("{kind}.txt"));
        let run = catchup(
            dir.path(),
            ["sweep", arg(&file), "--export-salib", arg(&matrix)],
        )
        .ok();
        assert!(
            run.stdout
                .contains("rows of 3 factors in SALib's row order"),
            "{}",
            run.stdout
        );
        // Nothing was run: no output folder.
        assert!(
            !dir.path().join("output").exists(),
            "{kind}: a sweep was run"
        );
        // The rows are points.csv's, reordered as SALib orders them.
        let out = dir.path().join(format!("{kind}-run"));
        sweep(dir.path(), &file, &out, &["--quiet"]).ok();
        let points = Table::read(&out.join("points.csv"));
        let text = fs::read_to_string(&matrix).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("# policy.tariff policy.bridge policy.tolerance")
        );
        let rows: Vec<Vec<f64>> = lines
            .map(|l| l.split(' ').map(|c| number(c, kind)).collect())
            .collect();
        let order: Vec<usize> = if kind == "morris" {
            (0..points.rows.len()).collect()
        } else {
            salib_rows(4, 3)
        };
        assert_eq!(rows.len(), order.len(), "{kind}");
        for (r, &p) in order.iter().enumerate() {
            let want: Vec<f64> = points.rows[p][3..6]
                .iter()
                .map(|c| number(c, "points.csv"))
                .collect();
            assert_eq!(rows[r], want, "{kind}: row {r} is point {p}");
        }
        // An existing file is kept unless forced.
        catchup(
            dir.path(),
            ["sweep", arg(&file), "--export-salib", arg(&matrix)],
        )
        .refused(&["already exists; pass --force to replace it"]);
        catchup(
            dir.path(),
            [
                "sweep",
                arg(&file),
                "--export-salib",
                arg(&matrix),
                "--force",
            ],
        )
        .ok();
        assert_eq!(fs::read_to_string(&matrix).unwrap(), text);
    }
    // Exporting is not running: --shard, --resume and --out are refused with it.
    let file = dir.path().join("sobol.toml");
    let other = dir.path().join("other.txt");
    for flag in [&["--shard", "1/2"][..], &["--resume"], &["--out", "x"]] {
        let mut args = vec!["sweep", arg(&file), "--export-salib", arg(&other)];
        args.extend_from_slice(flag);
        catchup(dir.path(), &args).refused(&["cannot be used with"]);
    }
    // A value SALib cannot hold is refused at its factor, and nothing is written.
    let body = format!(
        "[design]\nkind = \"grid\"\n\n[[design.factor]]\nkey = \"policy.consortium\"\nvalues = [true, false]\n{METRICS}"
    );
    let text = sweep_text("flags", 1, 4, &body);
    let file = write(dir.path(), "flags.toml", &text);
    let outcome = catchup(dir.path(), ["sweep", arg(&file), "--export-salib", arg(&other)])
        .refused(&["key `design.factor[0].values`: design point 0 has policy.consortium = true, which is not a number"]);
    assert_located(&outcome, &file, line_of(&text, "values = [true", 0));
    assert!(!other.exists());
}

#[test]
fn analyze_of_a_morris_sweep_writes_elementary_effects_per_metric_and_factor() {
    let dir = tempfile::tempdir().unwrap();
    let design = "[design]\nkind = \"morris\"\npoints = 4\nlevels = 4\n";
    let body = format!("{design}{RANGES}{INTEGER_RANGE}{METRICS}");
    let file = write(
        dir.path(),
        "morris.toml",
        &sweep_text("morris", 1, 6, &body),
    );
    let out = dir.path().join("morris");
    sweep(dir.path(), &file, &out, &["--quiet"]).ok();
    let m = manifest(&out);
    assert_eq!(m["design"], "morris");
    let delta = m["morris_delta"]
        .as_f64()
        .expect("a morris sweep records its step");
    assert!(
        (delta - 2.0 / 3.0).abs() < 1e-12,
        "delta for 4 levels: {delta}"
    );
    let points = Table::read(&out.join("points.csv"));
    assert_eq!(points.rows.len(), 4 * (3 + 1), "r (k + 1) points");
    for (t, trajectory) in points.rows.chunks(4).enumerate() {
        assert!(
            trajectory.iter().all(|r| r[1] == t.to_string()),
            "trajectory {t}: group"
        );
        let mut roles: Vec<&str> = trajectory.iter().map(|r| r[2].as_str()).collect();
        roles.sort_unstable();
        assert_eq!(roles, ["F1", "F2", "F3", "base"], "trajectory {t}: roles");
    }

    let run = catchup(dir.path(), ["analyze", arg(&out)]).ok();
    assert!(run.stdout.contains("Morris"), "{}", run.stdout);
    let morris = Table::read(&out.join("analysis").join("morris.csv"));
    assert_eq!(
        morris.headers,
        [
            "metric",
            "factor",
            "trajectories",
            "mu",
            "mu_star",
            "mu_star_low",
            "mu_star_high",
            "sigma",
            "sigma_low",
            "sigma_high"
        ]
    );
    assert_eq!(morris.rows.len(), METRIC_NAMES.len() * 3);
    for (i, row) in morris.rows.iter().enumerate() {
        assert_eq!(row[0], METRIC_NAMES[i / 3], "row {i}: metric");
        assert_eq!(
            row[1],
            ["policy.tariff", "policy.bridge", "policy.tolerance"][i % 3]
        );
        assert_eq!(row[2], "4", "row {i}: one effect per trajectory");
        let [mu, mu_star, sigma] = ["mu", "mu_star", "sigma"]
            .map(|c| number(&row[morris.col(c)], &format!("morris.csv row {i}: {c}")));
        assert!(
            mu_star >= mu.abs(),
            "row {i}: mu* {mu_star} < |mu| {}",
            mu.abs()
        );
        assert!(sigma >= 0.0, "row {i}: sigma {sigma}");
        // The bootstrap intervals hold their estimates.
        for (c, estimate) in [("mu_star", mu_star), ("sigma", sigma)] {
            let [low, high] = [format!("{c}_low"), format!("{c}_high")]
                .map(|h| number(&row[morris.col(&h)], &format!("morris.csv row {i}: {h}")));
            assert!(
                0.0 <= low && low <= estimate && estimate <= high,
                "row {i}: {c} {low} <= {estimate} <= {high}"
            );
        }
    }
}

#[test]
fn analyze_refuses_a_single_shard_and_accepts_the_merged_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = write(d, "grid.toml", &grid_sweep("grid", 2, 3, ""));
    let shards = [1, 2].map(|k| {
        let out = d.join(format!("shard-{k}"));
        sweep(d, &file, &out, &["--shard", &format!("{k}/2"), "--quiet"]).ok();
        out
    });
    let before = tree(&shards[0]);
    catchup(d, ["analyze", arg(&shards[0])])
        .bad_input()
        .stderr_has(&["1/2", "merge"]);
    assert!(
        tree(&shards[0]) == before,
        "a refused analysis wrote into the shard"
    );

    let merged = d.join("merged");
    catchup(
        d,
        [
            "merge",
            arg(&shards[1]),
            arg(&shards[0]),
            "--out",
            arg(&merged),
        ],
    )
    .ok();
    catchup(d, ["analyze", arg(&merged)]).ok();
    let whole = d.join("whole");
    sweep(d, &file, &whole, &["--quiet"]).ok();
    catchup(d, ["analyze", arg(&whole)]).ok();
    assert!(
        bytes(&merged.join("analysis/point_means.csv"))
            == bytes(&whole.join("analysis/point_means.csv")),
        "the merged sweep's analysis is the unsharded one's"
    );

    let nothing = d.join("nothing");
    fs::create_dir(&nothing).unwrap();
    catchup(d, ["analyze", arg(&nothing)])
        .bad_input()
        .stderr_has(&[arg(&nothing)]);
    assert_eq!(entries(&nothing), BTreeSet::new());
}

#[test]
fn help_is_printed_for_sweep_merge_and_analyze() {
    let cwd = tempfile::tempdir().unwrap();
    let top = catchup(cwd.path(), ["--help"]).ok();
    for word in ["sweep", "merge", "analyze"] {
        assert!(
            top.stdout.contains(word),
            "`catchup --help` lacks {word}:\n{}",
            top.stdout
        );
    }
    for (command, parts) in [
        (
            "sweep",
            &[
                "SWEEP",
                "--out",
                "--threads",
                "--shard",
                "--resume",
                "--force",
                "--quiet",
            ][..],
        ),
        ("merge", &["SHARDS", "--out", "--force"][..]),
        ("analyze", &["DIR", "--force"][..]),
    ] {
        let help = catchup(cwd.path(), [command, "--help"]).ok();
        for part in parts {
            assert!(
                help.stdout.contains(part),
                "`catchup {command} --help` lacks {part}:\n{}",
                help.stdout
            );
        }
    }
    assert_eq!(entries(cwd.path()), BTreeSet::new());
}

// Tests of bugs found while writing these tests; each is ignored until fixed.

/// `--resume` on a finished result must check that it is the result of the sweep (and
/// shard) asked for, as it does for an interrupted one: the SLURM scripts pass `--resume`
/// every time, so an edited sweep file would otherwise silently keep the old result.
/// (docs/sweep-reference.md 6.3 lists this behaviour under "Further points".)
#[test]
fn resume_refuses_a_finished_result_of_another_sweep_or_shard() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "first.toml", &grid_sweep("grid", 2, 1, ""));
    let edited = write(dir.path(), "edited.toml", &grid_sweep("grid", 2, 2, ""));
    let out = dir.path().join("result");
    sweep(dir.path(), &first, &out, &["--quiet"]).ok();
    let before = tree(&out);
    let other = sweep(dir.path(), &edited, &out, &["--resume"]);
    assert_eq!(
        other.code,
        Some(2),
        "`{}` reported a result of another sweep as its own:\n{}{}",
        other.line,
        other.stdout,
        other.stderr
    );
    let shard = sweep(dir.path(), &first, &out, &["--resume", "--shard", "2/3"]);
    assert_eq!(
        shard.code,
        Some(2),
        "`{}` reported the whole sweep as shard 2/3:\n{}{}",
        shard.line,
        shard.stdout,
        shard.stderr
    );
    assert!(tree(&out) == before);
}

/// A journal whose tail starts like a block but has a nonsense length (a corrupt or
/// foreign tail, not only a clean tear) is cut off like any torn block.
#[cfg(unix)]
#[test]
fn a_journal_block_with_a_corrupt_length_is_cut_off_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "long.toml", &long_sweep(41));
    let out = dir.path().join("out");
    let done = kill_part_way(dir.path(), &file, &out, 2);
    let journal = partial(&out).join("journal.bin");
    // Only the whole blocks, so that the corrupt head is read as the next block's.
    let (blocks, len) = journal_whole(&journal);
    assert_eq!(blocks, done);
    let mut data = bytes(&journal)[..len].to_vec();
    data.extend_from_slice(BLOCK_MAGIC);
    data.extend_from_slice(&[0xff; 8]);
    fs::write(&journal, &data).unwrap();
    let resumed = sweep(dir.path(), &file, &out, &["--resume"]).ok();
    resumed.stderr_has(&[&format!("resuming: {done} runs already finished")]);
    assert_eq!(manifest(&out)["runs_resumed"], done as u64);
}

/// The messages for scenario and sweep files name the file, line and column of the
/// culprit; a factor key the scenario lacks is on a line of the sweep file too.
/// A factor that renames the sector a metric reads: refused before anything runs, at
/// the metric's `sector` in the sweep file, naming the point and the near miss; exit 2,
/// and no `.partial/` (nor anything else) is left.
#[test]
fn a_metric_on_a_sector_a_factor_renames_is_refused_up_front_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "[design]\nkind = \"grid\"\n\n[[design.factor]]\nkey = \"sector.2.name\"\nvalues = [\"leading\", \"leading-2\"]\n{METRICS}"
    );
    let text = sweep_text("renamed", 2, 5, &body);
    let file = write(dir.path(), "renamed.toml", &text);
    let out = dir.path().join("renamed");
    for extra in [&[][..], &["--shard", "1/2"], &["--resume"]] {
        let outcome = sweep(dir.path(), &file, &out, extra).refused(&[
            "key `metric[2].sector`: metric `leading_capacity` reads sector `leading`, which \
             design point 1 (sector.2.name = \"leading-2\") does not have; its sectors are \
             catch-up, parallel, leading-2 (did you mean `leading-2`?)",
        ]);
        assert_located(&outcome, &file, line_of(&text, "sector = \"leading\"", 0));
        assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
        assert_eq!(
            entries(dir.path()),
            names(&["renamed.toml"]),
            "{extra:?}: the sweep left files behind"
        );
    }
    // The same design with a metric of the whole economy runs.
    let fine = text.replace("sector = \"leading\"\n", "");
    let file = write(dir.path(), "fine.toml", &fine);
    sweep(dir.path(), &file, &out, &["--quiet"]).ok();
}

#[test]
fn an_invalid_factor_key_is_located_at_its_line_in_the_sweep_file() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        grid_sweep("bad", 2, 1, "").replace("key = \"policy.tariff\"", "key = \"policy.tarif\"");
    let path = write(dir.path(), "factor-key.toml", &text);
    let refused = refused_sweep(dir.path(), &path, &[]);
    assert_located(&refused, &path, line_of(&text, "policy.tarif", 0));
    refused.stderr_has(&["`design.factor[0].key`", "did you mean `tariff`?"]);
}

/// A kill while the partial directory is created (before its `sweep.toml` is written) or
/// removed (after the result is in place, e.g. while a big `series/` is deleted) leaves
/// it empty or half emptied; `--resume`, which the SLURM recipe relies on after a kill,
/// must then carry on instead of failing. (docs/sweep-reference.md 6.3 lists the first
/// case under "Further points".)
#[test]
fn resume_carries_on_after_a_kill_left_an_empty_partial_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &grid_sweep("grid", 2, 1, ""));

    // Killed after the result was in place, while the partial directory was removed.
    let done = dir.path().join("done");
    sweep(dir.path(), &file, &done, &["--quiet"]).ok();
    let before = tree(&done);
    fs::create_dir(partial(&done)).unwrap();
    let again = sweep(dir.path(), &file, &done, &["--resume"]);
    assert_eq!(
        again.code,
        Some(0),
        "`{}` on a finished result:\n{}",
        again.line,
        again.stderr
    );
    assert!(tree(&done) == before);

    // Killed before any run was journaled, or even the sweep's identity written.
    let fresh = dir.path().join("fresh");
    fs::create_dir(partial(&fresh)).unwrap();
    let resumed = sweep(dir.path(), &file, &fresh, &["--resume", "--quiet"]);
    assert_eq!(
        resumed.code,
        Some(0),
        "`{}` with an empty partial directory:\n{}",
        resumed.line,
        resumed.stderr
    );
    assert_same_results(&done, &fresh, "resumed from an empty partial directory");
}

/// A grid on `model.wage` whose middle value makes every run blow up numerically in
/// period 1 (`rd_spending` becomes infinite), while the other two run normally: points
/// 0 and 2 finish, point 1 (runs 2 and 3) fails.
fn blow_up_sweep(name: &str) -> String {
    let body = format!(
        "[design]\nkind = \"grid\"\n\n[[design.factor]]\nkey = \"model.wage\"\nvalues = [1.0, 1e308, 2.0]\n{METRICS}\n[output]\nbands = [\"gap\"]\n"
    );
    sweep_text(name, 2, 5, &body)
}

/// Asserts the exit code of a complete result with failed runs (3), naming runs.csv.
#[track_caller]
fn with_failed_runs(outcome: Outcome, failed: u64) -> Outcome {
    assert_eq!(
        outcome.code,
        Some(3),
        "`{}`\nstdout:\n{}\nstderr:\n{}",
        outcome.line,
        outcome.stdout,
        outcome.stderr
    );
    outcome.stderr_has(&[&format!(
        "{failed} runs failed; their errors are in the `status` and `error` columns of "
    )]);
    outcome
}

#[test]
fn failed_runs_are_recorded_with_their_error_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "blow.toml", &blow_up_sweep("blow"));
    let out = dir.path().join("blow");
    let run = with_failed_runs(sweep(dir.path(), &file, &out, &["--threads", "2"]), 2);
    assert!(
        run.stdout.contains("6 runs (0 resumed, 2 failed) of 6"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let runs = Table::read(&out.join("runs.csv"));
    assert_eq!(runs.rows.len(), 6);
    let (status, error) = (runs.col("status"), runs.col("error"));
    for (i, row) in runs.rows.iter().enumerate() {
        let failed = i == 2 || i == 3;
        assert_eq!(row[status], if failed { "failed" } else { "ok" }, "run {i}");
        for m in METRIC_NAMES {
            assert_eq!(row[runs.col(m)].is_empty(), failed, "run {i}: {m}");
        }
        if failed {
            assert!(
                row[error].starts_with("the run blew up numerically in period 1: `rd_spending`"),
                "run {i}: {}",
                row[error]
            );
        } else {
            assert_eq!(row[error], "", "run {i}");
        }
    }
    // bands.csv summarises the runs that finished: point 1 has no rows, the others
    // (3 sectors and `all`) x 1 band x 6 periods each, over both replicates.
    let bands = Table::read(&out.join("bands.csv"));
    let points: BTreeSet<&str> = bands.column("point").into_iter().collect();
    assert_eq!(points, BTreeSet::from(["0", "2"]));
    assert_eq!(bands.rows.len(), 2 * 4 * 6);
    assert!(bands.column("n").iter().all(|n| *n == "2"));
    assert_eq!(manifest(&out)["runs_failed"], 2);
    // The journal is kept for --retry-failed; the result is complete without it.
    assert!(partial(&out).join("journal.bin").is_file());

    // The same bytes whatever the threads, and from shards: the shard holding point 1
    // exits 3, the other 0, and their merge exits 3.
    let one = dir.path().join("one");
    with_failed_runs(sweep(dir.path(), &file, &one, &["--threads", "1"]), 2);
    assert_same_results(&out, &one, "--threads 1");
    let s1 = dir.path().join("s1");
    let s2 = dir.path().join("s2");
    sweep(dir.path(), &file, &s1, &["--shard", "1/2"]).ok();
    let second = sweep(dir.path(), &file, &s2, &["--shard", "2/2"]);
    assert_eq!(second.code, Some(3), "{}", second.stderr);
    let merged = dir.path().join("merged");
    let m = catchup(
        dir.path(),
        ["merge", arg(&s2), arg(&s1), "--out", arg(&merged)],
    );
    assert_eq!(m.code, Some(3), "{}", m.stderr);
    assert!(
        m.stdout.contains("6 runs (2 failed) merged from 2 shards"),
        "{}",
        m.stdout
    );
    assert_same_results(&out, &merged, "merged shards");
    assert_eq!(manifest(&merged)["runs_failed"], 2);

    // --resume on the complete result: nothing to do, still exit 3, the journal kept.
    let again = with_failed_runs(sweep(dir.path(), &file, &out, &["--resume"]), 2);
    assert!(
        again.stdout.contains("already complete; nothing to do"),
        "{}",
        again.stdout
    );
    assert!(partial(&out).join("journal.bin").is_file());
    // --resume --retry-failed runs only the two failed runs again (they fail the same
    // way) and replaces the result with the same bytes.
    let before = bytes(&out.join("runs.csv"));
    let retry = with_failed_runs(
        sweep(dir.path(), &file, &out, &["--resume", "--retry-failed"]),
        2,
    );
    retry.stderr_has(&["resuming: 4 runs already finished, 2 to go"]);
    assert_eq!(manifest(&out)["runs_resumed"], 4);
    assert!(bytes(&out.join("runs.csv")) == before);
    // --force starts over, discarding the kept journal.
    with_failed_runs(sweep(dir.path(), &file, &out, &["--force"]), 2);
    assert_same_results(&one, &out, "--force");
    // A sweep without failures keeps no journal.
    let clean = write(dir.path(), "clean.toml", &grid_sweep("clean", 1, 3, ""));
    sweep(dir.path(), &clean, &dir.path().join("clean"), &[]).ok();
    assert!(!partial(&dir.path().join("clean")).exists());
}

#[test]
fn max_failures_stops_the_sweep_resumably_and_retry_failed_needs_resume() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "blow.toml", &blow_up_sweep("blow"));
    let whole = dir.path().join("whole");
    with_failed_runs(sweep(dir.path(), &file, &whole, &[]), 2);

    // Two failures are not more than 2: the sweep completes.
    let two = dir.path().join("two");
    with_failed_runs(sweep(dir.path(), &file, &two, &["--max-failures", "2"]), 2);
    assert_same_results(&whole, &two, "--max-failures 2");

    // More than 1: stopped with exit 1, no result, the journal kept and named.
    let out = dir.path().join("out");
    let stop = sweep(
        dir.path(),
        &file,
        &out,
        &["--max-failures", "1", "--threads", "1"],
    );
    assert_eq!(stop.code, Some(1), "{}", stop.stderr);
    stop.stderr_has(&[
        "stopped after 2 failed runs, more than --max-failures 1; the finished runs are kept in ",
        "The first: run 2 (design point 1, replicate 0, seed ",
        "the run blew up numerically in period 1",
    ]);
    assert!(!out.exists());
    assert!(journal_blocks(&partial(&out).join("journal.bin")) >= 2);
    // Resumed with the same limit, it stops again at once, running nothing.
    let blocks = journal_blocks(&partial(&out).join("journal.bin"));
    let again = sweep(
        dir.path(),
        &file,
        &out,
        &["--resume", "--max-failures", "1"],
    );
    assert_eq!(again.code, Some(1), "{}", again.stderr);
    again.stderr_has(&["stopped after 2 failed runs"]);
    assert_eq!(journal_blocks(&partial(&out).join("journal.bin")), blocks);
    assert!(!out.exists());
    // Resumed without a limit, it ends with the uninterrupted result.
    with_failed_runs(
        sweep(dir.path(), &file, &out, &["--resume", "--threads", "2"]),
        2,
    );
    assert_same_results(&whole, &out, "stopped by --max-failures, then resumed");

    // --retry-failed without --resume is bad input: exit 2, nothing written.
    let fresh = dir.path().join("fresh");
    sweep(dir.path(), &file, &fresh, &["--retry-failed"])
        .refused(&["--retry-failed", "needs --resume"]);
    assert!(!fresh.exists() && !partial(&fresh).exists());
    // --max-failures takes a whole number.
    sweep(dir.path(), &file, &fresh, &["--max-failures", "-1"]).bad_input();
    assert!(!fresh.exists() && !partial(&fresh).exists());
}

/// Two sweeps into one folder: the second, with `--resume` or `--force`, is refused at
/// once with the first one's pid and command and touches nothing. The lock dies with
/// its process: the file a killed sweep leaves beside the result blocks no one.
#[cfg(unix)]
#[test]
fn a_second_sweep_into_a_folder_in_use_is_refused_at_once_and_a_killed_one_blocks_nobody() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let cwd = tempfile::tempdir().unwrap();
    // Longer than `long_sweep`, so that it is still running when the second one starts.
    let text = long_sweep(7).replace("replicates = 2", "replicates = 40");
    let file = write(cwd.path(), "long.toml", &text);
    let out = cwd.path().join("long");
    let lock = cwd.path().join("long.lock");
    let mut first = common::spawn_catchup(
        cwd.path(),
        &[
            "sweep",
            arg(&file),
            "--out",
            arg(&out),
            "--threads",
            "1",
            "--quiet",
        ],
    );
    let pid = format!("pid {}", first.id());
    let deadline = Instant::now() + Duration::from_secs(120);
    // Locked, and past its checks: the partial folder is being written.
    while !(fs::read_to_string(&lock).is_ok_and(|t| t.contains(&pid))
        && journal_blocks(&partial(&out).join("journal.bin")) >= 1)
    {
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first sweep ended early"
        );
        assert!(Instant::now() < deadline, "no lock file in 120 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    let identity = bytes(&partial(&out).join("sweep.toml"));
    for extra in ["--resume", "--force"] {
        let clock = Instant::now();
        sweep(cwd.path(), &file, &out, &[extra, "--quiet"]).refused(&[
            "is being written by another catchup process",
            &pid,
            "sweep",
            "long.lock",
        ]);
        assert!(
            clock.elapsed() < Duration::from_secs(10),
            "refused only after {:?}",
            clock.elapsed()
        );
    }
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first sweep ended before the second was refused; make this sweep longer"
    );
    assert_eq!(bytes(&partial(&out).join("sweep.toml")), identity);
    assert!(!out.exists());

    first.kill().unwrap();
    assert_eq!(first.wait().unwrap().signal(), Some(9));
    assert!(lock.exists(), "a killed sweep leaves its lock file");
    sweep(cwd.path(), &file, &out, &["--resume", "--quiet"]).ok();
    assert_eq!(manifest(&out)["runs"], 480);
    assert_eq!(
        entries(cwd.path()),
        names(&["long", "long.toml"]),
        "the lock file and the partial folder are gone"
    );
}

/// Sizes are checked from the sweep file before anything is allocated: replicates or
/// points near 2^32, grid products, Sobol' N (k + 2) and Morris r (k + 1) beyond the
/// limit are refused at once at their key; a list design is read only if it is a
/// regular file of at most 64 MiB, and its rows are counted against the limit as read.
#[test]
fn oversized_sweeps_are_refused_at_their_key_before_anything_is_allocated() {
    use std::time::{Duration, Instant};
    let cwd = tempfile::tempdir().unwrap();
    let range = "[[design.factor]]\nkey = \"policy.tariff\"\nmin = 0.0\nmax = 0.5\n\
                 [[design.factor]]\nkey = \"policy.bridge\"\nmin = 0.0\nmax = 1.0\n";
    let sampled = |kind: &str, points: u64, extra: &str| {
        format!("[design]\nkind = \"{kind}\"\npoints = {points}\n{extra}{range}")
    };
    let ten = "values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
    let grid: String = [
        "policy.tariff",
        "policy.bridge",
        "policy.bailout",
        "policy.tolerance",
    ]
    .iter()
    .chain(&[
        "policy.rd_subsidy",
        "policy.consortium",
        "policy.credit",
        "policy.entry",
    ])
    .chain(&["model.wage"])
    .map(|k| format!("[[design.factor]]\nkey = \"{k}\"\n{ten}\n"))
    .collect();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            sweep_text("r", 4_294_967_295, 1, &sampled("lhs", 2, "")),
            "replicates = ",
            "expected at most 100000000 replicates",
        ),
        (
            sweep_text("p", 1, 1, &sampled("lhs", 4_294_967_295, "")),
            "points = ",
            "4294967295 design points x 1 replicates = 4294967295 runs; at most 100000000",
        ),
        (
            sweep_text("p2", 30, 1, &sampled("lhs", 4_000_000, "")),
            "points = ",
            "= 120000000 runs",
        ),
        (
            sweep_text("s", 1, 1, &sampled("saltelli-random", 30_000_000, "")),
            "points = ",
            "120000000 design points x 1 replicates",
        ),
        (
            sweep_text("s2", 1, 1, &sampled("sobol", 65_537, "")),
            "points = ",
            "a sobol design takes at most 65536 base samples (the length of its scrambled sequence), found 65537; for more, use kind = \"saltelli-random\"",
        ),
        (
            sweep_text("m", 2, 1, &sampled("morris", 20_000_000, "levels = 4\n")),
            "points = ",
            "60000000 design points x 2 replicates = 120000000 runs",
        ),
        (
            sweep_text("g", 1, 1, &format!("[design]\nkind = \"grid\"\n{grid}")),
            "[[design.factor]]",
            "1000000000 design points x 1 replicates",
        ),
    ];
    for (text, at, says) in cases {
        let file = write(cwd.path(), "big.toml", &text);
        let clock = Instant::now();
        let outcome = refused_sweep(cwd.path(), &file, &[]);
        assert!(
            clock.elapsed() < Duration::from_secs(5),
            "refused only after {:?}",
            clock.elapsed()
        );
        outcome.stderr_has(&[says]);
        assert_located(&outcome, &file, line_of(&text, at, 0));
    }

    // List designs: a device, a file over 64 MiB, too many rows for the replicates.
    let list = |name: &str, replicates: u32, csv: &str| {
        let text = sweep_text(
            name,
            replicates,
            1,
            &format!("[design]\nkind = \"list\"\nfile = \"{csv}\"\n"),
        );
        write(cwd.path(), "list.toml", &text)
    };
    #[cfg(unix)]
    refused_sweep(cwd.path(), &list("z", 1, "/dev/zero"), &[])
        .stderr_has(&["/dev/zero", "not a regular file"]);
    refused_sweep(cwd.path(), &list("d", 1, "."), &[]).stderr_has(&["is a directory"]);
    let huge = cwd.path().join("huge.csv");
    fs::File::create(&huge)
        .unwrap()
        .set_len((64 << 20) + 1)
        .unwrap();
    refused_sweep(cwd.path(), &list("h", 1, "huge.csv"), &[])
        .stderr_has(&["huge.csv", "larger than 64 MiB"]);
    fs::remove_file(&huge).unwrap();
    write(cwd.path(), "rows.csv", "policy.tariff\n0.1\n0.2\n0.3\n");
    let outcome = refused_sweep(cwd.path(), &list("w", 50_000_000, "rows.csv"), &[]);
    outcome.stderr_has(&[
        "rows.csv:4",
        "3 design points x 50000000 replicates = 150000000 runs",
    ]);
}

/// Errors are typed by kind: a folder that is not a sweep result is bad input (exit
/// 2), a result's file that cannot be read is a failure (exit 1) with its cause, and a
/// damaged result says which file (exit 1).
#[test]
fn a_sweep_result_that_cannot_be_read_fails_with_its_cause_not_as_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", &grid_sweep("small", 1, 2, ""));
    let done = dir.path().join("done");
    sweep(dir.path(), &file, &done, &["--quiet"]).ok();

    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    catchup(dir.path(), ["analyze", arg(&empty)])
        .refused(&["is not a finished sweep result", "manifest.json"]);

    // runs.csv replaced by a directory: reading it fails (EISDIR), which is not the
    // user's input.
    let broken = dir.path().join("broken");
    fs::create_dir(&broken).unwrap();
    for name in ["manifest.json", "sweep.toml", "points.csv"] {
        fs::copy(done.join(name), broken.join(name)).unwrap();
    }
    fs::create_dir(broken.join("runs.csv")).unwrap();
    let out = catchup(dir.path(), ["analyze", arg(&broken)]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    out.stderr_has(&["runs.csv", "directory"]);

    // A runs.csv whose rows do not match its header is damaged.
    fs::remove_dir(broken.join("runs.csv")).unwrap();
    fs::write(broken.join("runs.csv"), "run,point\n1\n").unwrap();
    let out = catchup(dir.path(), ["analyze", arg(&broken)]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    out.stderr_has(&["runs.csv is damaged"]);
}

/// `codebook.json` of a sweep names every column of runs.csv, points.csv and bands.csv
/// in file order, and gives each factor column (`policy_tariff`) its scenario key.
#[test]
fn the_codebook_of_a_sweep_describes_every_column_and_maps_factors_to_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &grid_sweep("cb", 1, 3, ""));
    let out = dir.path().join("cb");
    sweep(dir.path(), &file, &out, &["--quiet"]).ok();
    let codebook: serde_json::Value =
        serde_json::from_slice(&bytes(&out.join("codebook.json"))).unwrap();
    let files = codebook["files"].as_object().unwrap();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["bands.csv", "points.csv", "runs.csv"]
    );
    for (file, entries) in files {
        let names: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["column"].as_str().unwrap())
            .collect();
        assert_eq!(names, Table::read(&out.join(file)).headers, "{file}");
    }
    let runs = files["runs.csv"].as_array().unwrap();
    let factor = runs
        .iter()
        .find(|e| e["column"] == "policy_tariff")
        .unwrap();
    assert_eq!(factor["key"], "policy.tariff");
    assert_eq!(factor["type"], "number");
    assert!(
        factor["meaning"].as_str().unwrap().contains("tariff"),
        "{factor}"
    );
    let tolerance = runs
        .iter()
        .find(|e| e["column"] == "policy_tolerance")
        .unwrap();
    assert_eq!(tolerance["type"], "integer");
    let metric = runs.iter().find(|e| e["column"] == "gap_final").unwrap();
    assert!(
        metric["meaning"]
            .as_str()
            .unwrap()
            .contains("`gap` of the whole economy in the last period"),
        "{metric}"
    );
    assert_eq!(manifest(&out)["factors"][0], "policy.tariff");
}

/// A factor's column would be a metric's: refused, located at the factor's key.
#[test]
fn a_factor_column_that_clashes_with_a_metric_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        grid_sweep("clash", 1, 3, "").replace("name = \"gap_final\"", "name = \"policy_tariff\"");
    let path = write(dir.path(), "clash.toml", &text);
    let refused = refused_sweep(dir.path(), &path, &[]);
    assert_located(
        &refused,
        &path,
        line_of(&text, "key = \"policy.tariff\"", 0),
    );
    refused.stderr_has(&["factor `policy.tariff` would be column `policy_tariff` of runs.csv"]);
}

/// A master seed above 2^53 - 1 could not be read exactly by R or JavaScript: refused.
#[test]
fn a_master_seed_beyond_53_bits_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = grid_sweep("big", 1, 1 << 53, "");
    let path = write(dir.path(), "big.toml", &text);
    let refused = refused_sweep(dir.path(), &path, &[]);
    assert_located(&refused, &path, line_of(&text, "seed = ", 0));
    refused.stderr_has(&["expected a seed from 0 to 2^53-1 (9007199254740991)"]);
    let ok = grid_sweep("edge", 1, (1 << 53) - 1, "");
    let path = write(dir.path(), "edge.toml", &ok);
    sweep(dir.path(), &path, &dir.path().join("edge"), &["--quiet"]).ok();
}

/// A sweep keeps the histogram of firms' productivity only when its result reports the
/// series made from it (`productivity_p90_p10`): asked for in a metric or a band, the
/// series is there, and the other metrics and bands are those of the same sweep
/// without it, byte for byte (the histogram is observation only).
#[test]
fn a_sweep_computes_the_dispersion_series_only_when_it_reports_it() {
    let cwd = tempfile::tempdir().unwrap();
    let dispersion_metric = "[[metric]]\nname = \"dispersion_mean\"\nseries = \"productivity_p90_p10\"\nstat = \"mean\"\n";
    let lean_text = sweep_text(
        "lean",
        2,
        31,
        &format!("{GRID}{METRICS}\n[output]\nbands = [\"gap\"]\n"),
    );
    let full_text = sweep_text(
        "full",
        2,
        31,
        &format!(
            "{GRID}{METRICS}{dispersion_metric}\n[output]\nbands = [\"gap\", \"productivity_p90_p10\"]\n"
        ),
    );
    let lean_out = cwd.path().join("lean-out");
    let full_out = cwd.path().join("full-out");
    sweep(
        cwd.path(),
        &write(cwd.path(), "lean.toml", &lean_text),
        &lean_out,
        &[],
    )
    .ok();
    sweep(
        cwd.path(),
        &write(cwd.path(), "full.toml", &full_text),
        &full_out,
        &[],
    )
    .ok();

    let lean = Table::read(&lean_out.join("runs.csv"));
    let full = Table::read(&full_out.join("runs.csv"));
    for name in ["gap_final", "utilization_mean", "leading_capacity"] {
        assert_eq!(lean.column(name), full.column(name), "{name}");
    }
    let dispersion = full.column("dispersion_mean");
    assert_eq!(dispersion.len(), 12);
    for cell in dispersion {
        number(cell, "dispersion_mean");
    }

    let lean_bands = Table::read(&lean_out.join("bands.csv"));
    let full_bands = Table::read(&full_out.join("bands.csv"));
    let series = full_bands.col("series");
    let (gap, spread): (Vec<_>, Vec<_>) = full_bands.rows.iter().partition(|r| r[series] == "gap");
    assert_eq!(gap, lean_bands.rows.iter().collect::<Vec<_>>());
    assert!(!spread.is_empty());
    assert!(spread.iter().all(|r| r[series] == "productivity_p90_p10"));
    let mean = full_bands.col("mean");
    for row in spread {
        number(&row[mean], "a band of productivity_p90_p10");
    }
}
