//! The firm passes' two compiled forms (`catchup::model::isa`) give the same results,
//! byte for byte: every built-in scenario, and a large economy with a paradigm shift and
//! another elasticity of effort, run in the form this processor picks and with
//! `CATCHUP_ISA=baseline`.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// Two sectors of several chunks each; a paradigm shift (switchers go through the
/// scalar form of the effort chain), SOEs, and an elasticity of effort other than the
/// default (the general form of the pass).
const LARGE: &str = r#"version = 1
name = "large"
seed = 11
periods = 12
firm_snapshots = [4, 8]

[model]
rd_size_elasticity = 0.5

[[sector]]
name = "alpha"
regime = "catch-up"
firms_private = 20000
firms_soe = 3000

[[sector]]
name = "beta"
regime = "leading"
firms_private = 18000
firms_soe = 1500
paradigm_shifts = [4]
"#;

/// The form the binary should pick on this processor, as its manifest names it.
fn best_form() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2")
            && std::arch::is_x86_feature_detected!("lzcnt")
            && std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("movbe");
        if avx2 {
            return "x86-64-v3";
        }
    }
    "baseline"
}

fn run(dir: &Path, scenario: &str, out: &str, env: &[(&str, &str)]) -> PathBuf {
    let out = dir.join(out);
    catchup_env(
        dir,
        [
            "run",
            scenario,
            "--quiet",
            "--threads",
            "2",
            "--out",
            arg(&out),
        ],
        env,
    )
    .ok();
    out
}

fn instruction_set(out: &Path) -> String {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    m["instruction_set"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Runs `scenario` both ways and checks that the outputs are the same bytes.
fn same_either_way(dir: &Path, scenario: &str, tag: &str) {
    let best = run(dir, scenario, &format!("{tag}-best"), &[]);
    let baseline = run(
        dir,
        scenario,
        &format!("{tag}-baseline"),
        &[("CATCHUP_ISA", "baseline")],
    );
    assert_eq!(instruction_set(&best), best_form(), "{scenario}");
    assert_eq!(instruction_set(&baseline), "baseline", "{scenario}");
    for f in ["series.csv", "firms.csv"] {
        assert!(
            bytes(&best.join(f)) == bytes(&baseline.join(f)),
            "{scenario}: {f} differs between the {} form and the baseline",
            best_form()
        );
    }
}

#[test]
fn both_forms_give_the_same_bytes_on_every_built_in_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let listing = catchup(dir.path(), ["scenarios"]).ok().stdout;
    let names: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "bench-1m")
        .collect();
    assert!(names.len() >= 8, "{listing}");
    for name in names {
        same_either_way(dir.path(), name, name);
    }
}

#[test]
fn both_forms_give_the_same_bytes_on_a_large_economy() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "large.toml", LARGE);
    same_either_way(dir.path(), arg(&file), "large");
}

#[test]
fn an_unknown_form_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    catchup_env(
        dir.path(),
        ["run", "baseline", "--quiet", "--out", arg(&out)],
        &[("CATCHUP_ISA", "avx512")],
    )
    .refused(&["CATCHUP_ISA", "`baseline`", "`avx512`"]);
    assert!(!out.exists(), "nothing is written");
}
