//! End-to-end tests of `catchup calibrate` through the binary: the shipped synthetic
//! check recovers its known parameters, bad files are refused with located errors and
//! nothing written, an interrupted calibration resumes to the same bytes, and the
//! result does not depend on the number of threads.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{Table, arg, catchup, entries, tree, write};

/// The shipped synthetic check.
fn synthetic() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calibration-synthetic.toml")
}

/// The synthetic check's text with `from` replaced by `to` (which must be there).
fn synthetic_with(from: &str, to: &str) -> String {
    let text = fs::read_to_string(synthetic()).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

/// A result's files but its manifest (timings) and its inventory (sizes of the manifest).
fn result_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(dir);
    files.remove("manifest.json");
    files.remove(".catchup-result");
    files
}

#[test]
fn the_synthetic_check_recovers_its_known_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("syn");
    catchup(
        dir.path(),
        ["calibrate", arg(&synthetic()), "--out", arg(&out), "-q"],
    )
    .ok();
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("calibration.json")).unwrap()).unwrap();
    let value = |i: usize| summary["parameters"][i]["value"].as_f64().unwrap();
    // The truth stated in the file: absorb_private 0.6 (range 0.2 to 1), markup 0.25
    // (range 0.1 to 0.4).
    assert_eq!(summary["parameters"][0]["key"], "model.absorb_private");
    assert!((value(0) - 0.6).abs() < 0.04, "{summary}");
    assert!((value(1) - 0.25).abs() < 0.015, "{summary}");
    // The search improved on its start.
    let evals = Table::read(&out.join("evaluations.csv"));
    let start_best = (0..evals.rows.len())
        .filter(|&r| evals.rows[r][evals.col("phase")] == "start")
        .map(|r| evals.num(r, "objective").unwrap())
        .fold(f64::INFINITY, f64::min);
    let objective = summary["objective"].as_f64().unwrap();
    assert!(objective < start_best / 10.0, "{objective} vs {start_best}");
    // Every moment is in the table, with its interval around the mean.
    let moments = Table::read(&out.join("moments.csv"));
    assert_eq!(moments.rows.len(), 4);
    for r in 0..moments.rows.len() {
        let (lo, mean, hi) = (
            moments.num(r, "ci_low").unwrap(),
            moments.num(r, "simulated").unwrap(),
            moments.num(r, "ci_high").unwrap(),
        );
        assert!(lo <= mean && mean <= hi);
    }
    // The profit rate is identified by the markup far more than by absorption.
    let sens = Table::read(&out.join("sensitivity.csv"));
    assert_eq!(sens.rows.len(), 4 * 2);
    let per_range = |moment: &str, parameter: &str| {
        let r = (0..sens.rows.len())
            .find(|&r| {
                sens.rows[r][sens.col("moment")] == moment
                    && sens.rows[r][sens.col("parameter")] == parameter
            })
            .unwrap();
        sens.num(r, "se_per_range").unwrap()
    };
    assert!(
        per_range("profit_rate_mean", "model.markup").abs()
            > per_range("profit_rate_mean", "model.absorb_private").abs()
    );

    // The calibrated scenario runs, with the calibrated values.
    let run = dir.path().join("run");
    catchup(
        dir.path(),
        ["run", arg(&out.join("best.toml")), "--out", arg(&run), "-q"],
    )
    .ok();
    let scenario: toml::Table =
        toml::from_str(&fs::read_to_string(run.join("scenario.toml")).unwrap()).unwrap();
    assert_eq!(scenario["model"]["markup"].as_float(), Some(value(1)));
    assert_eq!(scenario["periods"].as_integer(), Some(30));
}

#[test]
fn the_targets_are_the_moments_at_the_stated_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("truth");
    catchup(
        dir.path(),
        [
            "calibrate",
            arg(&synthetic()),
            "--out",
            arg(&out),
            "--at",
            "model.absorb_private=0.6",
            "--at",
            "model.markup=0.25",
            "-q",
        ],
    )
    .ok();
    let moments = Table::read(&out.join("moments.csv"));
    for r in 0..moments.rows.len() {
        let (target, simulated) = (
            moments.num(r, "target").unwrap(),
            moments.num(r, "simulated").unwrap(),
        );
        // Targets are written to 4 significant digits.
        assert!(
            (target - simulated).abs() <= 5e-4 * simulated.abs(),
            "{target} vs {simulated}"
        );
    }
    let evals = Table::read(&out.join("evaluations.csv"));
    assert_eq!(evals.rows[0][evals.col("model.absorb_private")], "0.6");
    assert_eq!(evals.rows[0][evals.col("model.markup")], "0.25");
}

#[test]
fn bad_files_are_refused_with_located_errors_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    for (from, to, parts) in [
        (
            "column = \"gap\"",
            "column = \"gapp\"",
            &["key `moment[0].column`", "did you mean `gap`?"][..],
        ),
        (
            "key = \"model.markup\"",
            "key = \"model.markp\"",
            &["key `parameter[1]", "model.markp"][..],
        ),
        (
            "max = 1.0",
            "max = 1.5",
            &["key `parameter[0].max`", "from 0 to 1"][..],
        ),
        ("budget = 40", "budgit = 40", &["budgit"][..]),
        (
            "from = 5\nto = 30",
            "from = 5\nto = 31",
            &["key `moment[0].to`", "from 1 to 30"][..],
        ),
        (
            "stat = \"skewness_log_size\"",
            "stat = \"skewness_log_size\"\ncolumn = \"gap\"",
            &["key `moment[3].column`"][..],
        ),
        (
            "se = 0.005",
            "se = 0.005\nweight = 2.0",
            &["key `moment[0].se`", "not both"][..],
        ),
    ] {
        let file = write(dir.path(), "bad.toml", &synthetic_with(from, to));
        let out = dir.path().join("out");
        let o = catchup(dir.path(), ["calibrate", arg(&file), "--out", arg(&out)]).refused(parts);
        assert!(o.stderr.contains("bad.toml:"), "{}", o.stderr);
        assert_eq!(
            entries(dir.path()),
            ["bad.toml".to_string()].into(),
            "{from}"
        );
    }
    // A --at that misses a parameter, or leaves its bounds.
    let out = dir.path().join("out");
    catchup(
        dir.path(),
        [
            "calibrate",
            arg(&synthetic()),
            "--out",
            arg(&out),
            "--at",
            "model.markup=0.25",
        ],
    )
    .refused(&["missing: model.absorb_private"]);
    assert!(!out.exists());
}

#[test]
fn an_interrupted_calibration_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "c.toml",
        &synthetic_with("budget = 40", "budget = 20"),
    );
    let whole = dir.path().join("whole");
    catchup(
        dir.path(),
        ["calibrate", arg(&file), "--out", arg(&whole), "-q"],
    )
    .ok();
    // Stopped in the start, in the search, and in the sensitivity (20 + 4
    // evaluations in all), each with a torn block at the end of the journal as a
    // kill while writing would leave.
    for stop in ["5", "13", "22"] {
        let out = dir.path().join(format!("stopped-{stop}"));
        let o = catchup(
            dir.path(),
            [
                "calibrate",
                arg(&file),
                "--out",
                arg(&out),
                "--stop-after",
                stop,
                "-q",
            ],
        );
        assert_eq!(o.code, Some(1), "{}", o.stderr);
        assert!(!out.exists());
        let journal = dir
            .path()
            .join(format!("stopped-{stop}.partial"))
            .join("journal.bin");
        let mut bytes = fs::read(&journal).unwrap();
        bytes.extend_from_slice(b"CEVL\x40\x00\x00");
        fs::write(&journal, bytes).unwrap();
        // Without --resume it is refused, and nothing is touched.
        catchup(dir.path(), ["calibrate", arg(&file), "--out", arg(&out)]).refused(&["--resume"]);
        let o = catchup(
            dir.path(),
            ["calibrate", arg(&file), "--out", arg(&out), "--resume"],
        )
        .ok();
        assert!(
            o.stdout.contains(&format!("({stop} resumed")),
            "{}",
            o.stdout
        );
        assert_eq!(
            result_files(&whole),
            result_files(&out),
            "stopped at {stop}"
        );
        assert!(!dir.path().join(format!("stopped-{stop}.partial")).exists());
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(
            manifest["evaluations_resumed"],
            stop.parse::<u64>().unwrap()
        );
    }
    // A changed file does not resume another's journal.
    let out = dir.path().join("stopped-changed");
    catchup(
        dir.path(),
        [
            "calibrate",
            arg(&file),
            "--out",
            arg(&out),
            "--stop-after",
            "3",
        ],
    );
    let changed = write(
        dir.path(),
        "c.toml",
        &synthetic_with("budget = 40", "budget = 21"),
    );
    catchup(
        dir.path(),
        ["calibrate", arg(&changed), "--out", arg(&out), "--resume"],
    )
    .refused(&["different calibration"]);
}

#[test]
fn the_result_does_not_depend_on_threads_and_force_replaces_only_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "c.toml",
        &synthetic_with("budget = 40", "budget = 12"),
    );
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        catchup(
            dir.path(),
            [
                "calibrate",
                arg(&file),
                "--out",
                arg(out),
                "--threads",
                threads,
                "-q",
            ],
        )
        .ok();
    }
    assert_eq!(result_files(&one), result_files(&two));
    for f in [
        "best.toml",
        "calibration.json",
        "moments.csv",
        "evaluations.csv",
        "sensitivity.csv",
        "calibration.toml",
        "manifest.json",
        "progress.svg",
        "progress.png",
        "fit.svg",
        "fit.png",
    ] {
        assert!(one.join(f).is_file(), "{f}");
    }
    // An existing result is replaced only with --force; a user's folder never.
    catchup(dir.path(), ["calibrate", arg(&file), "--out", arg(&one)]).refused(&["--force"]);
    catchup(
        dir.path(),
        ["calibrate", arg(&file), "--out", arg(&one), "--force", "-q"],
    )
    .ok();
    let mine = dir.path().join("mine");
    write(&mine, "notes.txt", "mine");
    catchup(
        dir.path(),
        ["calibrate", arg(&file), "--out", arg(&mine), "--force"],
    )
    .refused(&["not provably a catchup result"]);
    assert_eq!(fs::read_to_string(mine.join("notes.txt")).unwrap(), "mine");
    // Nor a user's folder that happens to be called like a working folder.
    let work = dir.path().join("fresh.partial");
    write(&work, "notes.txt", "mine");
    let fresh = dir.path().join("fresh");
    catchup(
        dir.path(),
        ["calibrate", arg(&file), "--out", arg(&fresh), "--force"],
    )
    .refused(&["not a calibration's working folder", "notes.txt"]);
    assert_eq!(fs::read_to_string(work.join("notes.txt")).unwrap(), "mine");
    assert!(!fresh.exists());
}

/// The values `scenarios/china-reform.toml` ships, as `--at` settings of its
/// calibration's parameters.
const CHINA_SHIPPED: &[&str] = &[
    "policy.soe_preference=0.089",
    "sector.heavy.policy.soe_preference=0.0146",
    "schedule.0.levers.entry_barrier=0.664",
    "schedule.4.levers.entry_barrier=0.223",
    "schedule.6.levers.bailout=0.262",
    "sector.light.firms_soe=62",
    "model.soe_expansion_drive=0.292",
    "sector.heavy.policy.soe.production_subsidy=0.08",
];

#[test]
fn the_china_scenario_still_fits_the_figures_it_was_calibrated_to() {
    // If this fails after a change to the model, calibrate the scenario again
    // (`catchup calibrate scenarios/china-reform-calibration.toml`), write the new
    // values into the scenario and here, and update docs/calibration.md.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("china");
    let mut args = vec![
        "calibrate".to_string(),
        arg(&root.join("scenarios/china-reform-calibration.toml")).to_string(),
        "--out".into(),
        arg(&out).to_string(),
        "-q".into(),
    ];
    for at in CHINA_SHIPPED {
        args.extend(["--at".to_string(), at.to_string()]);
    }
    catchup(dir.path(), &args).ok();
    // The scenario ships these values: the calibration file's base is the scenario.
    let scenario = fs::read_to_string(root.join("scenarios/china-reform.toml")).unwrap();
    for at in CHINA_SHIPPED {
        let value = at.split('=').nth(1).unwrap();
        assert!(
            scenario.contains(&format!("= {value}")),
            "{at} is not in the scenario"
        );
    }
    let moments = Table::read(&out.join("moments.csv"));
    let names = moments.column("moment");
    for name in ["soe_share_1978", "soe_share_2007", "heavy_utilisation_2012"] {
        let r = names.iter().position(|n| *n == name).unwrap();
        let (target, simulated) = (
            moments.num(r, "target").unwrap(),
            moments.num(r, "simulated").unwrap(),
        );
        // Within 0.015 of the published figure (the targets' standard errors are 0.01
        // and 0.02).
        assert!(
            (target - simulated).abs() < 0.015,
            "{name}: {simulated} vs {target}"
        );
    }
}
