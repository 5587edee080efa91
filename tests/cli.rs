//! End-to-end tests of the `catchup` binary: what it writes, what it refuses, and
//! that its results are reproducible. Every run writes into a temporary directory,
//! and every assertion is about structure and behaviour, never a model outcome.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use catchup::scenario::{Scenario, parse_scenario};
use common::{Table, arg, bytes, catchup, entries, tree, write};

/// A small two-sector economy with every lever the tests look at set explicitly, so
/// that changes to the defaults do not move them.
const SMALL: &str = r#"version = 1
name = "small"
seed = 11
periods = 6

[policy]
tariff = 0.1

[[sector]]
name = "alpha"
regime = "catch-up"
firms_private = 30
firms_soe = 5

[[sector]]
name = "beta"
regime = "leading"
firms_private = 20
firms_soe = 5
"#;

/// Enough firms for several chunks (`catchup::model::firms::CHUNK`) per sector, a paradigm shift and
/// snapshots: the case where thread scheduling could leak into the results.
const MULTI_CHUNK: &str = r#"version = 1
name = "multi-chunk"
seed = 7
periods = 10
firm_snapshots = [3, 7]

[[sector]]
name = "alpha"
regime = "catch-up"
firms_private = 36000
firms_soe = 2000

[[sector]]
name = "beta"
regime = "leading"
firms_private = 34000
firms_soe = 1000
paradigm_shifts = [5]
"#;

const SERIES_COLUMNS: &[&str] = &[
    "period",
    "sector",
    "regime",
    "capacity",
    "output",
    "utilization",
    "import_share",
    "soe_output_share",
    "soe_capacity_share",
    "firms_private",
    "firms_soe",
    "entries",
    "exits",
    "bailouts",
    "productivity_mean",
    "productivity_private",
    "productivity_soe",
    "productivity_p90_p10",
    "frontier",
    "gap",
    "innovations",
    "absorptions",
    "transfers",
    "paths_abandoned",
    "rd_spending",
    "subsidy_spending",
    "bailout_spending",
    "tariff_revenue",
    "profit_rate",
    "hhi",
];

const FIRMS_COLUMNS: &[&str] = &[
    "period",
    "id",
    "sector",
    "ownership",
    "age",
    "productivity",
    "capacity",
    "output",
    "net_worth",
    "market_share",
];

/// What every run result holds; `.catchup-result` is the inventory that lets `--force`
/// replace it later (`catchup::output::provenance`).
const RESULT_FILES: &[&str] = &[
    "series.csv",
    "firms.csv",
    "scenario.toml",
    "codebook.json",
    "manifest.json",
    ".catchup-result",
];

/// The scenario saved with a result, parsed back with the library.
fn saved_scenario(result: &Path) -> Scenario {
    let path = result.join("scenario.toml");
    let text = String::from_utf8(bytes(&path)).expect("scenario.toml is UTF-8");
    parse_scenario(&text, "scenario.toml", &[])
        .unwrap_or_else(|e| panic!("the saved scenario.toml does not load: {e}"))
        .into_inner()
}

fn manifest(result: &Path) -> serde_json::Value {
    serde_json::from_slice(&bytes(&result.join("manifest.json"))).expect("manifest.json is JSON")
}

/// Asserts the shape of a result directory: its files, the series' rows (one per
/// sector and one `all` per period, in order), the firm rows, and finite numbers.
fn assert_result_shape(result: &Path, scenario: &Scenario) {
    let files = entries(result);
    for f in RESULT_FILES {
        assert!(
            files.contains(*f),
            "{} lacks {f}: {files:?}",
            result.display()
        );
    }

    let series = Table::read(&result.join("series.csv"));
    for c in SERIES_COLUMNS {
        series.col(c);
    }
    series.assert_numbers_finite("series.csv");
    let per_period = scenario.sector.len() + 1;
    assert_eq!(
        series.rows.len(),
        scenario.periods as usize * per_period,
        "series.csv has one row per sector and one `all` row per period"
    );
    let mut expected_sectors: Vec<&str> = scenario.sector.iter().map(|s| s.name.as_str()).collect();
    expected_sectors.push("all");
    let periods = series.column("period");
    let sectors = series.column("sector");
    let regimes = series.column("regime");
    for (i, (p, s)) in periods.iter().zip(&sectors).enumerate() {
        let t = i / per_period + 1;
        assert_eq!(p.parse::<usize>().ok(), Some(t), "row {i}: period");
        assert_eq!(*s, expected_sectors[i % per_period], "row {i}: sector");
        if let Some(spec) = scenario.sector.get(i % per_period) {
            assert_eq!(regimes[i], spec.regime.as_str(), "row {i}: regime");
        }
    }
    // The `all` row adds up the sectors' counts.
    for block in 0..scenario.periods as usize {
        let all = block * per_period + scenario.sector.len();
        for c in [
            "firms_private",
            "firms_soe",
            "entries",
            "exits",
            "bailouts",
            "innovations",
        ] {
            let sum: f64 = (block * per_period..all)
                .map(|r| series.num(r, c).unwrap())
                .sum();
            assert_eq!(
                series.num(all, c),
                Some(sum),
                "period {}: `all` {c}",
                block + 1
            );
        }
        for r in block * per_period..=all {
            let share = series
                .num(r, "import_share")
                .expect("import_share is always set");
            assert!(
                (0.0..=1.0 + 1e-9).contains(&share),
                "row {r}: import_share {share}"
            );
            if let Some(u) = series.num(r, "utilization") {
                assert!((0.0..=1.0 + 1e-9).contains(&u), "row {r}: utilization {u}");
            }
        }
    }

    let firms = Table::read(&result.join("firms.csv"));
    for c in FIRMS_COLUMNS {
        firms.col(c);
    }
    firms.assert_numbers_finite("firms.csv");
    let recorded: BTreeSet<u32> = scenario
        .firm_snapshots
        .iter()
        .copied()
        .chain([scenario.periods])
        .collect();
    let mut seen = BTreeMap::<(u32, String), Vec<u64>>::new();
    for (i, row) in firms.rows.iter().enumerate() {
        let period: u32 = row[firms.col("period")]
            .parse()
            .expect("period is an integer");
        assert!(
            recorded.contains(&period),
            "firms.csv row {i}: unexpected period {period}"
        );
        let sector = &row[firms.col("sector")];
        assert!(
            expected_sectors[..scenario.sector.len()].contains(&sector.as_str()),
            "row {i}: sector {sector}"
        );
        let ownership = &row[firms.col("ownership")];
        assert!(
            ownership == "private" || ownership == "soe",
            "row {i}: ownership {ownership}"
        );
        let share = firms.num(i, "market_share").unwrap();
        assert!(
            (0.0..=1.0 + 1e-9).contains(&share),
            "row {i}: market_share {share}"
        );
        for c in ["capacity", "productivity", "output"] {
            let v = firms.num(i, c).unwrap();
            assert!(v >= 0.0, "row {i}: {c} = {v}");
        }
        let id: u64 = row[firms.col("id")].parse().expect("id is an integer");
        seen.entry((period, sector.clone())).or_default().push(id);
    }
    for ((period, sector), ids) in &seen {
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "firms.csv: ids of {sector} in period {period} are not unique and ascending"
        );
    }
    let final_rows: usize = seen
        .iter()
        .filter(|((p, _), _)| *p == scenario.periods)
        .map(|(_, ids)| ids.len())
        .sum();
    assert_eq!(
        Some(final_rows as u64),
        manifest(result)["firms_final"].as_u64(),
        "firms.csv lists every living firm at the end"
    );
}

#[test]
fn baseline_runs_without_a_scenario_and_writes_a_complete_result() {
    let cwd = tempfile::tempdir().unwrap();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("run");
    let run = catchup(
        cwd.path(),
        [
            "run",
            "--periods",
            "5",
            "--seed",
            "3",
            "--threads",
            "2",
            "--out",
            arg(&out),
        ],
    )
    .ok();
    assert_eq!(
        run.stderr, "",
        "a run not on a terminal prints nothing on stderr (no progress bar)"
    );
    assert!(
        run.stdout.contains(arg(&out)),
        "the summary names the result: {}",
        run.stdout
    );

    // Only the result, with no leftover temporary directory, and nothing in the cwd.
    assert_eq!(entries(parent.path()), BTreeSet::from(["run".to_string()]));
    assert_eq!(entries(cwd.path()), BTreeSet::new());
    assert_eq!(
        entries(&out),
        RESULT_FILES.iter().map(|f| f.to_string()).collect()
    );

    let scenario = saved_scenario(&out);
    assert_eq!(scenario.periods, 5);
    assert_eq!(scenario.seed, 3);
    assert_result_shape(&out, &scenario);

    let m = manifest(&out);
    assert_eq!(m["program"], "catchup");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["scenario"], scenario.name.as_str());
    assert_eq!(m["scenario"], "baseline");
    assert_eq!(m["seed"], 3);
    assert_eq!(m["threads"], 2);
    assert_eq!(m["periods"], 5);
    assert!(
        m["firm_steps"].as_u64().is_some_and(|n| n > 0),
        "firm_steps: {}",
        m["firm_steps"]
    );
    assert!(
        m["wall_seconds"].as_f64().is_some_and(|s| s >= 0.0),
        "wall_seconds: {}",
        m["wall_seconds"]
    );
    let started = m["started_at"].as_str().expect("started_at is a string");
    humantime::parse_rfc3339(started).unwrap_or_else(|e| panic!("started_at {started:?}: {e}"));
}

#[test]
fn quiet_run_prints_nothing() {
    let cwd = tempfile::tempdir().unwrap();
    let out = cwd.path().join("run");
    let run = catchup(
        cwd.path(),
        ["run", "--periods", "3", "--quiet", "--out", arg(&out)],
    )
    .ok();
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
    assert!(out.join("manifest.json").is_file());
}

/// Built-in names, from the listing (one per line, name first).
fn builtin_names(cwd: &Path) -> Vec<String> {
    let list = catchup(cwd, ["scenarios"]).ok();
    assert_eq!(list.stderr, "");
    assert!(
        !list.stdout.contains("(invalid:"),
        "a built-in does not load:\n{}",
        list.stdout
    );
    list.stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// Periods enough to reach every dated event of the scenario (shifts, schedule,
/// snapshots), and at least `min`.
fn periods_covering(s: &Scenario, min: u32) -> u32 {
    let shifts = s
        .sector
        .iter()
        .flat_map(|sec| sec.paradigm_shifts.iter().copied());
    let schedule = s.schedule.iter().map(|e| e.period);
    shifts
        .chain(schedule)
        .chain(s.firm_snapshots.iter().copied())
        .chain([min])
        .max()
        .unwrap_or(min)
}

#[test]
fn every_builtin_scenario_prints_as_toml_that_runs() {
    let cwd = tempfile::tempdir().unwrap();
    let names = builtin_names(cwd.path());
    for required in ["baseline", "bench-1m"] {
        assert!(
            names.iter().any(|n| n == required),
            "`{required}` is not listed: {names:?}"
        );
    }
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "names are listed once: {names:?}"
    );

    for name in &names {
        let printed = catchup(cwd.path(), ["scenarios", name.as_str()]).ok();
        let scenario = parse_scenario(&printed.stdout, name, &[]).unwrap_or_else(|e| {
            panic!("`catchup scenarios {name}` prints an invalid scenario: {e}")
        });
        assert_eq!(&scenario.name, name, "a built-in is named after itself");
        if name == "bench-1m" {
            // A million firms: too slow to run in a debug build; printing and
            // validating it is what is checked here.
            assert!(
                scenario.initial_firms() >= 1_000_000,
                "bench-1m has {} firms",
                scenario.initial_firms()
            );
            continue;
        }
        let file = write(cwd.path(), &format!("{name}.toml"), &printed.stdout);
        let out = cwd.path().join("out").join(name);
        // Three periods, or as many as the scenario's dated events need: a `--periods`
        // before a scheduled event is refused by validation.
        let periods = periods_covering(&scenario, 3).to_string();
        catchup(
            cwd.path(),
            ["run", arg(&file), "--periods", &periods, "--out", arg(&out)],
        )
        .ok();
        assert_result_shape(&out, &saved_scenario(&out));
    }
}

#[test]
fn unknown_builtin_name_in_scenarios_is_bad_input_with_a_suggestion() {
    let cwd = tempfile::tempdir().unwrap();
    let run = catchup(cwd.path(), ["scenarios", "baselin"]).bad_input();
    assert_eq!(run.stdout, "");
    run.stderr_has(&["baselin", "did you mean `baseline`?"]);
}

#[test]
fn a_builtin_name_and_a_path_to_the_same_text_give_the_same_run() {
    let cwd = tempfile::tempdir().unwrap();
    let text = catchup(cwd.path(), ["scenarios", "baseline"]).ok().stdout;
    write(cwd.path(), "mine.toml", &text);

    let by_name = cwd.path().join("by-name");
    catchup(
        cwd.path(),
        [
            "run",
            "baseline",
            "--periods",
            "4",
            "--seed",
            "5",
            "--out",
            arg(&by_name),
        ],
    )
    .ok();
    assert_eq!(manifest(&by_name)["scenario"], "baseline");

    // A relative path, resolved against the working directory.
    let by_path = cwd.path().join("by-path");
    catchup(
        cwd.path(),
        [
            "run",
            "./mine.toml",
            "--periods",
            "4",
            "--seed",
            "5",
            "--out",
            arg(&by_path),
        ],
    )
    .ok();
    assert_eq!(manifest(&by_path)["scenario"], "baseline");

    for f in ["series.csv", "firms.csv", "scenario.toml"] {
        assert!(
            bytes(&by_name.join(f)) == bytes(&by_path.join(f)),
            "{f} differs between name and path"
        );
    }
}

#[test]
fn saved_scenario_toml_reproduces_the_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let a = dir.path().join("a");
    catchup(
        dir.path(),
        [
            "run",
            arg(&file),
            "--seed",
            "99",
            "--periods",
            "7",
            "--set",
            "policy.rd_subsidy=0.4",
            "--set",
            "sector.alpha.firms_private=40",
            "--set",
            "firm_snapshots=[2, 5]",
            "--out",
            arg(&a),
        ],
    )
    .ok();
    let saved = saved_scenario(&a);
    assert_eq!(
        (saved.seed, saved.periods),
        (99, 7),
        "flags are saved with the run"
    );
    assert_eq!(saved.policy.rd_subsidy, 0.4);
    assert_eq!(saved.sector[0].firms_private, 40);
    assert_eq!(saved.firm_snapshots, vec![2, 5]);
    assert_result_shape(&a, &saved);

    // Copy the saved file out of the result, so that B does not read inside A.
    let again = write(
        dir.path(),
        "again.toml",
        &String::from_utf8(bytes(&a.join("scenario.toml"))).unwrap(),
    );
    let b = dir.path().join("b");
    catchup(dir.path(), ["run", arg(&again), "--out", arg(&b)]).ok();
    for f in ["series.csv", "firms.csv", "scenario.toml"] {
        assert!(
            bytes(&a.join(f)) == bytes(&b.join(f)),
            "{f} of the rerun differs from the original"
        );
    }
    let (ma, mb) = (manifest(&a), manifest(&b));
    for k in [
        "scenario",
        "seed",
        "periods",
        "firms_initial",
        "firms_final",
        "firm_steps",
    ] {
        assert_eq!(ma[k], mb[k], "manifest `{k}`");
    }
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "multi.toml", MULTI_CHUNK);
    let run = |threads: &str, seed: &str| {
        let out = dir.path().join(format!("t{threads}-s{seed}"));
        catchup(
            dir.path(),
            [
                "run",
                arg(&file),
                "--threads",
                threads,
                "--seed",
                seed,
                "--quiet",
                "--out",
                arg(&out),
            ],
        )
        .ok();
        out
    };
    let one = run("1", "7");
    let scenario = saved_scenario(&one);
    assert!(
        scenario
            .sector
            .iter()
            .all(|s| (s.firms_private + s.firms_soe) as usize > 2 * catchup::model::firms::CHUNK),
        "every sector spans several chunks"
    );
    assert_result_shape(&one, &scenario);
    let snapshot_periods: BTreeSet<String> = Table::read(&one.join("firms.csv"))
        .column("period")
        .into_iter()
        .map(String::from)
        .collect();
    let expected: BTreeSet<String> = ["3", "7", "10"].map(String::from).into();
    assert_eq!(
        snapshot_periods, expected,
        "firms.csv has the snapshots and the last period"
    );

    for threads in ["2", "8"] {
        let other = run(threads, "7");
        for f in ["series.csv", "firms.csv", "scenario.toml"] {
            assert!(
                bytes(&one.join(f)) == bytes(&other.join(f)),
                "{f} with --threads {threads} differs from --threads 1"
            );
        }
        let (m1, m) = (manifest(&one), manifest(&other));
        assert_eq!(m["threads"], threads.parse::<u64>().unwrap());
        for k in ["firms_initial", "firms_final", "firm_steps"] {
            assert_eq!(m1[k], m[k], "manifest `{k}` with --threads {threads}");
        }
    }

    let reseeded = run("2", "8");
    assert!(
        bytes(&one.join("series.csv")) != bytes(&reseeded.join("series.csv")),
        "a different seed gives a different series.csv"
    );
}

/// Runs a bad input and asserts exit 2, an error on stderr, and nothing written:
/// no result, no hidden partial directory, nothing in the working directory.
#[track_caller]
fn refuse(cwd: &Path, args: &[&str]) -> common::Outcome {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("run");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", arg(&out)]);
    let before = entries(cwd);
    let outcome = catchup(cwd, &all).bad_input();
    assert_eq!(outcome.stdout, "", "`{}` printed to stdout", outcome.line);
    assert!(
        outcome.stderr.starts_with("error: "),
        "`{}`: {}",
        outcome.line,
        outcome.stderr
    );
    assert!(!out.exists(), "`{}` wrote {}", outcome.line, out.display());
    assert_eq!(
        entries(parent.path()),
        BTreeSet::new(),
        "`{}` left files beside --out",
        outcome.line
    );
    assert_eq!(
        entries(cwd),
        before,
        "`{}` wrote into the working directory",
        outcome.line
    );
    outcome
}

#[test]
fn bad_scenario_files_are_refused_with_file_line_column_key_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    struct Case {
        file: &'static str,
        text: &'static str,
        /// `file:line:column` suffix expected after the path (`:line:` alone for syntax errors).
        at: &'static str,
        parts: &'static [&'static str],
    }
    let schedule_text = r#"version = 1
periods = 10

[[sector]]
name = "alpha"
regime = "catch-up"

[[sector]]
name = "beta"
regime = "leading"

[[schedule]]
period = 4
sector = "alpah"
levers = { tariff = 0.0 }
"#;
    let cases = [
        Case {
            file: "misspelt.toml",
            text: "version = 1\n[policy]\ntarif = 0.3\n",
            at: ":3:1:",
            parts: &["`policy.tarif`", "unknown key", "did you mean `tariff`?"],
        },
        Case {
            file: "wrong-type.toml",
            text: "version = 1\nperiods = \"many\"\n",
            at: ":2:1:",
            parts: &["`periods`", "many"],
        },
        Case {
            file: "out-of-range.toml",
            text: "version = 1\n[policy]\nbridge = 1.5\n",
            at: ":3:1:",
            parts: &["`policy.bridge`", "1.5"],
        },
        Case {
            file: "negative.toml",
            text: "version = 1\n\n[[sector]]\nname = \"alpha\"\nregime = \"leading\"\nfirms_private = -3\n",
            at: ":6:1:",
            parts: &["`sector[0].firms_private`", "-3"],
        },
        Case {
            file: "regime.toml",
            text: "version = 1\n\n[[sector]]\nname = \"alpha\"\nregime = \"catchup\"\n",
            at: ":5:1:",
            parts: &["`sector[0].regime`", "catchup", "did you mean `catch-up`?"],
        },
        Case {
            file: "schedule.toml",
            text: schedule_text,
            at: ":14:1:",
            parts: &["`schedule[0].sector`", "alpah", "did you mean `alpha`?"],
        },
        Case {
            file: "no-version.toml",
            text: "name = \"x\"\nperiods = 3\n",
            at: ":1:1:",
            parts: &["`version`", "missing"],
        },
        Case {
            file: "syntax.toml",
            text: "version = 1\nperiods = = 3\n",
            at: ":2:",
            parts: &["TOML"],
        },
    ];
    for case in &cases {
        let path = write(dir.path(), case.file, case.text);
        let refused = refuse(dir.path(), &["run", arg(&path)]);
        let located = format!("{}{}", path.display(), case.at);
        refused.stderr_has(&[&located]);
        refused.stderr_has(case.parts);
    }
}

#[test]
fn unknown_scenarios_and_bad_flags_are_refused_and_nothing_is_written() {
    let cwd = tempfile::tempdir().unwrap();
    refuse(cwd.path(), &["run", "baselin"]).stderr_has(&["baselin", "did you mean `baseline`?"]);
    refuse(cwd.path(), &["run", "no-such-file.toml"]).stderr_has(&["no-such-file.toml"]);
    refuse(cwd.path(), &["run", "--periods", "3", "--threads", "0"]).stderr_has(&["--threads"]);
    refuse(cwd.path(), &["run", "--periods", "0"]).stderr_has(&["`periods`"]);
    refuse(cwd.path(), &["run", "--periods", "3", "--no-such-flag"])
        .stderr_has(&["--no-such-flag"]);
    refuse(cwd.path(), &["run", "--periods", "many"]).stderr_has(&["many"]);
}

#[test]
fn set_overrides_reach_the_saved_scenario_and_the_series() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("run");
    catchup(
        dir.path(),
        [
            "run",
            arg(&file),
            "--periods",
            "4",
            "--set",
            "policy.tariff=0.3",
            "--set",
            "sector.beta.policy.tolerance=7",
            "--out",
            arg(&out),
        ],
    )
    .ok();
    let saved = saved_scenario(&out);
    assert_eq!(saved.policy.tariff, 0.3);
    let beta = saved
        .sector
        .iter()
        .find(|s| s.name == "beta")
        .expect("sector beta");
    assert_eq!(beta.policy.tolerance, Some(7));
    let alpha = saved
        .sector
        .iter()
        .find(|s| s.name == "alpha")
        .expect("sector alpha");
    assert_eq!(
        alpha.policy.tolerance, None,
        "a sector override stays in its sector"
    );

    let series = Table::read(&out.join("series.csv"));
    let sectors = series.column("sector");
    for (i, sector) in sectors.iter().enumerate() {
        let tariff = series.num(i, "tariff");
        if *sector == "all" {
            assert_eq!(tariff, None, "row {i}: the `all` row has no tariff");
        } else {
            assert_eq!(tariff, Some(0.3), "row {i}: tariff of {sector}");
        }
    }
}

#[test]
fn bad_set_overrides_are_refused_naming_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let f = arg(&file);
    refuse(dir.path(), &["run", f, "--set", "policy.tarif=1"]).stderr_has(&[
        "--set policy.tarif=1",
        "`policy.tarif`",
        "did you mean `tariff`?",
    ]);
    refuse(dir.path(), &["run", f, "--set", "policy.bailout=2"])
        .stderr_has(&["--set policy.bailout=2", "`policy.bailout`"]);
    refuse(
        dir.path(),
        &["run", f, "--set", "sector.bta.policy.tolerance=7"],
    )
    .stderr_has(&[
        "--set sector.bta.policy.tolerance=7",
        "did you mean `beta`?",
    ]);
    refuse(dir.path(), &["run", f, "--set", "policy.tariff"]).stderr_has(&["--set policy.tariff"]);
}

#[test]
fn a_schedule_changes_a_lever_from_its_period_on() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{SMALL}\n[[schedule]]\nperiod = 4\nlevers = {{ tariff = 0.0 }}\n");
    let file = write(dir.path(), "scheduled.toml", &text);
    let out = dir.path().join("run");
    catchup(
        dir.path(),
        ["run", arg(&file), "--periods", "8", "--out", arg(&out)],
    )
    .ok();
    let series = Table::read(&out.join("series.csv"));
    let mut checked = 0;
    for i in 0..series.rows.len() {
        if series.rows[i][series.col("sector")] == "all" {
            continue;
        }
        let period = series.num(i, "period").unwrap();
        let expected = if period < 4.0 { 0.1 } else { 0.0 };
        assert_eq!(
            series.num(i, "tariff"),
            Some(expected),
            "row {i}, period {period}"
        );
        checked += 1;
    }
    assert_eq!(checked, 8 * 2, "every sector row of every period");
}

#[test]
fn an_existing_result_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("run");
    catchup(
        dir.path(),
        ["run", "--periods", "3", "--seed", "1", "--out", arg(&out)],
    )
    .ok();
    let first: Vec<Vec<u8>> = RESULT_FILES.iter().map(|f| bytes(&out.join(f))).collect();

    let again = catchup(
        dir.path(),
        ["run", "--periods", "3", "--seed", "2", "--out", arg(&out)],
    )
    .bad_input();
    again.stderr_has(&[arg(&out), "--force"]);
    let after: Vec<Vec<u8>> = RESULT_FILES.iter().map(|f| bytes(&out.join(f))).collect();
    assert!(first == after, "a refused run changed the existing result");
    assert_eq!(entries(parent.path()), BTreeSet::from(["run".to_string()]));

    catchup(
        dir.path(),
        [
            "run",
            "--periods",
            "3",
            "--seed",
            "2",
            "--force",
            "--out",
            arg(&out),
        ],
    )
    .ok();
    assert_eq!(manifest(&out)["seed"], 2, "--force replaced the result");
    assert!(
        bytes(&out.join("series.csv")) != first[0],
        "the replaced series.csv is the new run's"
    );
    assert_eq!(
        entries(parent.path()),
        BTreeSet::from(["run".to_string()]),
        "--force leaves neither the old result nor a temporary directory beside the new one"
    );
    assert_eq!(
        entries(&out),
        RESULT_FILES.iter().map(|f| f.to_string()).collect()
    );
}

#[test]
fn help_is_printed_for_every_command() {
    let cwd = tempfile::tempdir().unwrap();
    let top = catchup(cwd.path(), ["--help"]).ok();
    for word in ["run", "scenarios"] {
        assert!(
            top.stdout.contains(word),
            "`catchup --help` lacks {word}:\n{}",
            top.stdout
        );
    }
    let run = catchup(cwd.path(), ["run", "--help"]).ok();
    for flag in [
        "--seed",
        "--periods",
        "--threads",
        "--out",
        "--set",
        "--force",
        "--quiet",
    ] {
        assert!(
            run.stdout.contains(flag),
            "`catchup run --help` lacks {flag}:\n{}",
            run.stdout
        );
    }
    let scenarios = catchup(cwd.path(), ["scenarios", "--help"]).ok();
    assert!(
        scenarios.stdout.contains("NAME"),
        "`catchup scenarios --help`:\n{}",
        scenarios.stdout
    );
    assert_eq!(entries(cwd.path()), BTreeSet::new());
}

#[test]
fn an_unwritable_out_is_a_runtime_failure_and_leaves_nothing() {
    let cwd = tempfile::tempdir().unwrap();
    let parent = tempfile::tempdir().unwrap();
    let blocker = write(parent.path(), "a-file", "not a directory\n");
    let out = blocker.join("run");
    let run = catchup(cwd.path(), ["run", "--periods", "2", "--out", arg(&out)]);
    assert_eq!(
        run.code,
        Some(1),
        "a failure to write is a runtime failure: {}",
        run.stderr
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert_eq!(
        entries(parent.path()),
        BTreeSet::from(["a-file".to_string()])
    );
    assert_eq!(bytes(&blocker), b"not a directory\n");
    assert_eq!(entries(cwd.path()), BTreeSet::new());
}

// Regression tests for bugs found in review.

/// TOML integers are signed 64-bit, so the largest seed a saved scenario can hold is
/// 2^63-1: it is accepted and saved; one more is refused up front, clearly.
#[test]
fn the_largest_storable_seed_is_accepted_and_a_larger_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let seed = i64::MAX.to_string();
    catchup(
        dir.path(),
        ["run", "--periods", "2", "--seed", &seed, "--out", arg(&out)],
    )
    .ok();
    assert_eq!(saved_scenario(&out).seed, i64::MAX as u64);

    let too_big = (i64::MAX as u64 + 1).to_string();
    let out2 = dir.path().join("run2");
    let run = catchup(
        dir.path(),
        [
            "run",
            "--periods",
            "2",
            "--seed",
            &too_big,
            "--out",
            arg(&out2),
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--seed"), "{}", run.stderr);
    assert!(!out2.exists());
}

/// `--force` replaces an earlier result, never a folder of the user's other files: not
/// one that merely holds a `manifest.json` (browser extensions and npm packages have
/// one), not a result the user added to or edited.
#[test]
fn force_never_replaces_what_catchup_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let force_into = |out: &Path| {
        catchup(
            dir.path(),
            [
                "run",
                "--periods",
                "2",
                "--force",
                "--quiet",
                "--out",
                arg(out),
            ],
        )
    };
    let refused = |out: &Path, why: &str| {
        let before = tree(out);
        let run = force_into(out);
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(
            run.stderr.contains("not provably a catchup result"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(why), "{}", run.stderr);
        assert!(
            tree(out) == before,
            "a refused --force touched {}",
            out.display()
        );
    };

    // The issue's victim: a browser extension's manifest beside a thesis.
    let victim = dir.path().join("victim");
    write(
        &victim,
        "manifest.json",
        "{\"manifest_version\": 3, \"name\": \"ext\"}\n",
    );
    write(
        &victim.join("src"),
        "thesis.tex",
        "\\documentclass{article}\n",
    );
    refused(&victim, "not written by catchup");

    // A manifest that claims to be catchup's proves nothing without the inventory.
    let forged = dir.path().join("forged");
    write(&forged, "manifest.json", "{\"program\": \"catchup\"}\n");
    write(&forged, "notes.txt", "precious\n");
    refused(&forged, "inventory");

    // A plain folder of files.
    let data = dir.path().join("data");
    write(&data, "notes.txt", "precious\n");
    refused(&data, "manifest.json");

    // A real result the user then added to, or edited.
    let added = dir.path().join("added");
    force_into(&added).ok();
    write(&added, "my-analysis.R", "plot(x)\n");
    refused(&added, "my-analysis.R");
    let edited = dir.path().join("edited");
    force_into(&edited).ok();
    let mut series = bytes(&edited.join("series.csv"));
    series.extend_from_slice(b"a note of mine\n");
    std::fs::write(edited.join("series.csv"), series).unwrap();
    refused(&edited, "series.csv was changed");

    // An untouched result, with its charts, is replaced.
    let ours = dir.path().join("ours");
    catchup(
        dir.path(),
        [
            "run",
            "--periods",
            "2",
            "--quiet",
            "--plot",
            "--out",
            arg(&ours),
        ],
    )
    .ok();
    force_into(&ours).ok();
    assert!(
        !ours.join("plots").exists(),
        "the replaced result's charts went with it"
    );
}

#[test]
fn a_stale_aside_directory_does_not_block_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    catchup(dir.path(), ["run", "--periods", "2", "--out", arg(&out)]).ok();
    let stale = dir.path().join(".run.old");
    std::fs::create_dir(&stale).unwrap();
    write(
        &stale,
        "left-over",
        "from a run killed while replacing its result\n",
    );
    catchup(
        dir.path(),
        [
            "run",
            "--periods",
            "2",
            "--seed",
            "9",
            "--force",
            "--out",
            arg(&out),
        ],
    )
    .ok();
    assert_eq!(manifest(&out)["seed"], 9);
}

#[test]
fn io_errors_name_their_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = write(dir.path(), "a-file", "");
    let run = catchup(
        dir.path(),
        ["run", "--periods", "2", "--out", arg(&blocker.join("run"))],
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stderr.matches("os error").count(), 1, "{}", run.stderr);
}

#[test]
fn thousands_of_errors_are_refused_at_once_with_the_first_twenty() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("version = 1\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "[[schedule]]\nperiod = 5\nsector = \"nope{i}\"\nlevers = {{ tariff = 0.0 }}\n"
        ));
    }
    let path = write(dir.path(), "many.toml", &text);
    let clock = std::time::Instant::now();
    let refused = refuse(dir.path(), &["run", arg(&path)]);
    // Well under a second optimised; minutes when each error re-read the file.
    assert!(clock.elapsed().as_secs_f64() < 5.0, "{:?}", clock.elapsed());
    refused.stderr_has(&[
        &format!("{}:4:1: key `schedule[0].sector`", path.display()),
        "`schedule[19].sector`",
        "and 4980 more problems",
    ]);
    assert!(!refused.stderr.contains("`schedule[20].sector`"));
    assert_eq!(refused.stderr.lines().count(), 21, "{}", refused.stderr);
}

#[test]
fn a_table_written_as_an_array_is_refused_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    for (text, at) in [
        ("policy = [0.3]", ":2:1: key `policy`"),
        ("model = [0.5, 0.9]", ":2:1: key `model`"),
        (
            "sector = [[\"x\", \"leading\", 5, 1]]",
            ":2:11: key `sector[0]`",
        ),
    ] {
        let path = write(dir.path(), "array.toml", &format!("version = 1\n{text}\n"));
        refuse(dir.path(), &["run", arg(&path)]).stderr_has(&[
            &format!("{}{at}", path.display()),
            "expected a table, found an array",
        ]);
    }
    refuse(dir.path(), &["run", "--set", "policy=[0.3]"]).stderr_has(&[
        "--set policy=[0.3]: key `policy`: expected a table, found an array `[0.3]`",
    ]);
}

#[test]
fn unbounded_inputs_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    refuse(
        dir.path(),
        &["run", "--periods", "2", "--threads", "100000"],
    )
    .stderr_has(&["--threads 100000", "at most 1024"]);
    // A name too long or unsafe for a folder: no empty output/ is left behind, with
    // --out or without.
    let long = format!("version = 1\nname = \"{}\"\n", "a".repeat(250));
    let path = write(dir.path(), "long.toml", &long);
    refuse(dir.path(), &["run", arg(&path)]).stderr_has(&[
        &format!("{}:2:1: key `name`", path.display()),
        "at most 100 characters",
    ]);
    for text in [long.as_str(), "version = 1\nname = \"../up\"\n"] {
        let cwd = tempfile::tempdir().unwrap();
        let path = write(cwd.path(), "s.toml", text);
        catchup(cwd.path(), ["run", arg(&path)]).refused(&["key `name`"]);
        assert_eq!(entries(cwd.path()), BTreeSet::from(["s.toml".to_string()]));
    }
    // A file beyond 4 MiB is refused before it is parsed.
    let huge = write(dir.path(), "huge.toml", &"#".repeat(5 << 20));
    refuse(dir.path(), &["run", arg(&huge)]).stderr_has(&["5242880 bytes", "at most 4194304"]);
    let sweep = write(dir.path(), "huge-sweep.toml", &"#".repeat(5 << 20));
    catchup(dir.path(), ["sweep", arg(&sweep)]).refused(&["at most 4194304"]);
}

#[test]
fn a_scenario_path_that_is_no_file_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("folder.toml");
    std::fs::create_dir(&folder).unwrap();
    refuse(dir.path(), &["run", arg(&folder)]).stderr_has(&["is a directory"]);
    let a = dir.path().join("loop-a.toml");
    let b = dir.path().join("loop-b.toml");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    refuse(dir.path(), &["run", arg(&a)]).stderr_has(&["symbolic link loop"]);
    let broken = dir.path().join("broken.toml");
    std::os::unix::fs::symlink(dir.path().join("gone.toml"), &broken).unwrap();
    refuse(dir.path(), &["run", arg(&broken)]).stderr_has(&["broken symbolic link"]);
    refuse(dir.path(), &["run", "/dev/zero"]).stderr_has(&["/dev/zero: is not a regular file"]);
    for r in [
        refuse(dir.path(), &["run", arg(&folder)]),
        refuse(dir.path(), &["run", "/dev/zero"]),
        catchup(dir.path(), ["sweep", arg(&folder)]).bad_input(),
    ] {
        assert!(!r.stderr.contains("no such file"), "{}", r.stderr);
    }
}

#[test]
fn messages_speak_the_users_words() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "version = 1\n[[sector]]\nname = \"a\"\nregime = 2\n",
            "key `sector[0].regime`: expected one of `catch-up`, `parallel`, `leading`, found an integer `2`",
        ),
        (
            "version = 1\npolicy = 3\n",
            "key `policy`: expected a table, found an integer `3`",
        ),
        (
            "version = 1\nperiods = 1e308\n",
            "key `periods`: expected a whole number from 0 to 4294967295, found a number `1e308`",
        ),
        (
            "version = 1\n[model]\nmarkup = 1e308\n",
            "key `model.markup`: expected a number from 0 to 10, found 1e308",
        ),
    ];
    for (text, says) in cases {
        let path = write(dir.path(), "m.toml", text);
        let r = refuse(dir.path(), &["run", arg(&path)]);
        r.stderr_has(&[says]);
        for leak in ["struct", "unit variant", "u32", "000000000000"] {
            assert!(!r.stderr.contains(leak), "{leak}: {}", r.stderr);
        }
    }
    // A clash made by --set is the --set's, not the built-in file's.
    let r = refuse(dir.path(), &["run", "--set", "sector.0.name=leading"]);
    r.stderr_has(&["error: --set sector.0.name=leading: key `sector[2].name`"]);
    assert!(!r.stderr.contains("error: built-in"), "{}", r.stderr);
}

/// One small sector, so that long runs stay quick.
const TINY: &str = "version = 1\nname = \"tiny\"\n\n[[sector]]\nname = \"a\"\nregime = \"parallel\"\nfirms_private = 3\nfirms_soe = 1\ninstitutes = 1\n";

#[test]
fn a_run_that_blows_up_numerically_ends_with_an_error_naming_period_and_series() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = write(dir.path(), "tiny.toml", TINY);
    for (sets, says) in [
        (
            vec!["--set", "model.wage=1e308"],
            "in period 1: `rd_spending` of sector `a` is inf",
        ),
        (
            vec!["--set", "sector.a.demand_per_firm=1e308"],
            "in period 1: `capacity` of sector `a` is inf",
        ),
        // The documented range of periods goes to 100000; the frontier overflows long
        // before (it panicked in the model at period 14405).
        (vec!["--periods", "14405"], "` of sector `a` is inf"),
    ] {
        // Without --out: not even an empty output/ is left.
        let cwd = tempfile::tempdir().unwrap();
        let mut args = vec!["run", arg(&tiny)];
        args.extend(sets);
        let run = catchup(cwd.path(), &args);
        assert_eq!(run.code, Some(1), "`{}`: {}", run.line, run.stderr);
        run.stderr_has(&["error: the run blew up numerically", says]);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(
            entries(cwd.path()),
            BTreeSet::new(),
            "`{}` left files",
            run.line
        );
    }
}

/// A result folder in use by another process is refused at once, naming the holder,
/// and nothing is touched; the lock file lies beside the result, never in it, and is
/// gone when the command ends. A file of that name that catchup did not write is kept.
#[test]
fn a_result_folder_locked_by_another_process_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--periods", "2", "--quiet", "--out", arg(&out)];
        args.extend_from_slice(extra);
        catchup(dir.path(), &args)
    };
    let held = common::hold_lock(&out, "4242");
    let clock = std::time::Instant::now();
    run(&[]).refused(&[
        "is being written by another catchup process",
        "pid 4242: catchup held-by-test",
        "r.lock",
    ]);
    assert!(clock.elapsed().as_secs() < 10, "{:?}", clock.elapsed());
    assert!(!out.exists());
    common::release_lock(held, &out);

    // The file the test left holds no lock now: it is taken over, and removed at the end.
    run(&[]).ok();
    assert_eq!(entries(dir.path()), BTreeSet::from(["r".to_string()]));
    let before = tree(&out);
    let held = common::hold_lock(&out, "4243");
    run(&["--force"]).refused(&["pid 4243"]);
    catchup(dir.path(), ["plot", arg(&out), "--quiet"]).refused(&["pid 4243"]);
    assert!(tree(&out) == before, "a refused command touched the result");
    common::release_lock(held, &out);
    // The charts are a result inside the result; the lock is the result's.
    catchup(dir.path(), ["plot", arg(&out), "--quiet"]).ok();
    run(&["--force"]).ok();
    assert_eq!(entries(dir.path()), BTreeSet::from(["r".to_string()]));

    // Someone's own `r.lock` is neither used, changed nor removed.
    std::fs::write(dir.path().join("r.lock"), "my notes").unwrap();
    run(&["--force"]).refused(&["r.lock", "catchup did not write it"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.lock")).unwrap(),
        "my notes"
    );
}

/// `--format parquet`: the same tables as the CSV run, cell for cell, typed (integers
/// stay integers, empty cells are nulls), byte-identical on any number of threads, and
/// the charts read them.
#[test]
fn a_parquet_run_holds_the_csv_runs_cells_typed() {
    use parquet::basic::{Repetition, Type as Physical};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    let pq = dir.path().join("pq");
    let pq2 = dir.path().join("pq2");
    let common = ["run", "soe-protection", "--periods", "12", "--seed", "5"];
    catchup(
        dir.path(),
        common.iter().copied().chain(["--out", arg(&csv)]),
    )
    .ok();
    for (out, threads) in [(&pq, "1"), (&pq2, "2")] {
        catchup(
            dir.path(),
            common.iter().copied().chain([
                "--format",
                "parquet",
                "--threads",
                threads,
                "--out",
                arg(out),
            ]),
        )
        .ok();
    }
    for f in ["series.parquet", "firms.parquet", "codebook.json"] {
        assert!(
            bytes(&pq.join(f)) == bytes(&pq2.join(f)),
            "{f} depends on --threads"
        );
    }
    let files: Vec<String> = entries(&pq).into_iter().collect();
    assert_eq!(
        files,
        [
            ".catchup-result",
            "codebook.json",
            "firms.parquet",
            "manifest.json",
            "scenario.toml",
            "series.parquet"
        ]
    );
    let codebook: serde_json::Value =
        serde_json::from_slice(&bytes(&pq.join("codebook.json"))).unwrap();
    let manifest = manifest(&pq);
    assert_eq!(manifest["files"][0], "series.parquet");
    for table in ["series", "firms"] {
        let path = pq.join(format!("{table}.parquet"));
        let text = catchup::output::parquet::to_csv(&path).unwrap();
        let from_parquet = Table::read_bytes(&text);
        let from_csv = Table::read(&csv.join(format!("{table}.csv")));
        assert_eq!(from_parquet.headers, from_csv.headers, "{table}");
        assert_eq!(from_parquet.rows.len(), from_csv.rows.len(), "{table}");
        for (i, (a, b)) in from_parquet.rows.iter().zip(&from_csv.rows).enumerate() {
            for (c, (x, y)) in a.iter().zip(b).enumerate() {
                let same = match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(x), Ok(y)) => x == y,
                    _ => x == y,
                };
                assert!(
                    same,
                    "{table} row {i} column {}: {x} against {y}",
                    from_csv.headers[c]
                );
            }
        }
        // Each column has the codebook's type, and is nullable exactly when the
        // codebook says a cell may be empty.
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let entries = codebook["files"][format!("{table}.parquet")]
            .as_array()
            .unwrap();
        assert_eq!(schema.num_columns(), entries.len());
        for (column, entry) in schema.columns().iter().zip(entries) {
            assert_eq!(column.name(), entry["column"]);
            let physical = match entry["type"].as_str().unwrap() {
                "integer" => Physical::INT64,
                "number" => Physical::DOUBLE,
                "text" => Physical::BYTE_ARRAY,
                other => panic!("type {other}"),
            };
            assert_eq!(column.physical_type(), physical, "{}", column.name());
            let nullable = column.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
            assert_eq!(nullable, !entry["empty"].is_null(), "{}", column.name());
        }
    }
    catchup(dir.path(), ["plot", arg(&pq)]).ok();
    assert!(pq.join("plots").is_dir());
    catchup(
        dir.path(),
        [
            "run",
            "--format",
            "parqet",
            "--out",
            arg(&dir.path().join("x")),
        ],
    )
    .refused(&["expected csv or parquet", "did you mean `parquet`?"]);
}

/// `codebook.json` names every column of every table, in file order, with a type, and
/// says which may be empty: the integer columns empty in the `all` rows among them.
#[test]
fn the_codebook_describes_every_column_of_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    catchup(dir.path(), ["run", "--periods", "3", "--out", arg(&out)]).ok();
    let codebook: serde_json::Value =
        serde_json::from_slice(&bytes(&out.join("codebook.json"))).unwrap();
    assert_eq!(codebook["format"], "catchup codebook 1");
    let files = codebook["files"].as_object().unwrap();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["firms.csv", "series.csv"]
    );
    for (file, entries) in files {
        let table = Table::read(&out.join(file));
        let entries = entries.as_array().unwrap();
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e["column"].as_str().unwrap())
            .collect();
        assert_eq!(names, table.headers, "{file}");
        for (c, e) in entries.iter().enumerate() {
            assert!(
                ["integer", "number", "text"].contains(&e["type"].as_str().unwrap()),
                "{file} {e}"
            );
            assert!(!e["meaning"].as_str().unwrap().is_empty(), "{file} {e}");
            let column = table.column(names[c]);
            if e["empty"].is_null() {
                assert!(
                    column.iter().all(|v| !v.is_empty()),
                    "{file}: `{}` has empty cells",
                    names[c]
                );
            }
            if e["type"] == "integer" {
                assert!(
                    column
                        .iter()
                        .all(|v| v.is_empty() || v.parse::<i64>().is_ok()),
                    "{file}: `{}` is not integer",
                    names[c]
                );
            }
        }
    }
    let paradigm = &files["series.csv"].as_array().unwrap()[3];
    assert_eq!(paradigm["column"], "paradigm");
    assert!(
        paradigm["empty"].as_str().unwrap().contains("`all`"),
        "{paradigm}"
    );
}
