//! The JSON Schemas `catchup schema scenario|sweep|calibration` prints, checked with the
//! `jsonschema` crate: every built-in scenario, every scenario as a run writes it out
//! (every default filled in) and every example sweep is valid; a misspelt key, a value
//! out of range, an unknown regime or series is not.

mod common;

use std::path::Path;

use catchup::scenario::{builtin, parse_scenario};
use common::catchup;
use serde_json::Value;

fn schema(file: &str) -> jsonschema::Validator {
    let dir = tempfile::tempdir().unwrap();
    let out = catchup(dir.path(), ["schema", file]).ok();
    let schema: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&schema).unwrap()
}

/// A TOML file as the JSON value an editor checks against the schema.
fn json(toml_text: &str) -> Value {
    toml::from_str(toml_text).unwrap()
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_built_in_scenario_and_every_filled_one_is_valid() {
    let validator = schema("scenario");
    for b in builtin::ALL {
        assert_eq!(
            errors(&validator, &json(b.text)),
            Vec::<String>::new(),
            "{}",
            b.name
        );
        // As a run writes it: every structural key of every sector written out.
        let filled = parse_scenario(b.text, b.name, &[])
            .unwrap()
            .filled()
            .to_toml();
        assert_eq!(
            errors(&validator, &json(&filled)),
            Vec::<String>::new(),
            "{} filled",
            b.name
        );
    }
}

#[test]
fn what_the_loader_refuses_key_by_key_the_schema_refuses_too() {
    let validator = schema("scenario");
    let base = builtin::find("baseline").unwrap().text;
    let cases = [
        ("tariff = 0.1", "tarif = 0.1", "/policy"),
        ("tariff = 0.1", "tariff = 11.0", "/policy/tariff"),
        ("tariff = 0.1", "tariff = \"high\"", "/policy/tariff"),
        (
            "regime = \"leading\"",
            "regime = \"lead\"",
            "/sector/2/regime",
        ),
        ("periods = 100", "periods = 100\nperiod = 5", ""),
    ];
    let with_policy = format!("{base}\n[policy]\ntariff = 0.1\n");
    assert!(errors(&validator, &json(&with_policy)).is_empty());
    for (from, to, path) in cases {
        let text = with_policy.replacen(from, to, 1);
        assert_ne!(text, with_policy, "{from}");
        // The loader refuses each of them...
        assert!(parse_scenario(&text, "t.toml", &[]).is_err(), "{to}");
        // ...and so does the schema, at the same key.
        let found = errors(&validator, &json(&text));
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{path}:"))),
            "{to}: {found:?}"
        );
    }
    // In a sector's `[policy.soe]`: a lever that may differ by ownership, out of its
    // range, and one that may not.
    let soe = |lever: &str| {
        format!(
            "{base}\n[[sector]]\nname = \"x\"\nregime = \"parallel\"\n[sector.policy.soe]\n{lever}\n"
        )
    };
    assert!(errors(&validator, &json(&soe("tolerance = 5"))).is_empty());
    for (lever, path) in [
        ("tolerance = 0", "/sector/3/policy/soe/tolerance:"),
        ("bailout = 0.5", "/sector/3/policy/soe:"),
    ] {
        assert!(
            parse_scenario(&soe(lever), "t.toml", &[]).is_err(),
            "{lever}"
        );
        let found = errors(&validator, &json(&soe(lever)));
        assert!(
            found.iter().any(|e| e.starts_with(path)),
            "{lever}: {found:?}"
        );
    }
}

#[test]
fn every_example_sweep_is_valid_and_a_misspelt_one_is_not() {
    let validator = schema("sweep");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("sweep-") && name.ends_with(".toml")) {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            errors(&validator, &json(&text)),
            Vec::<String>::new(),
            "{name}"
        );
    }
    assert!(seen >= 4, "the example sweeps in scenarios/");
    let text = std::fs::read_to_string(dir.join("sweep-protection-tolerance.toml")).unwrap();
    for (from, to, path) in [
        ("series = \"gap\"", "series = \"gapp\"", "/metric/0/series"),
        ("kind = \"grid\"", "kind = \"gird\"", "/design/kind"),
        ("replicates = 10", "replicats = 10", ""),
        ("stat = \"final\"", "stat = \"last\"", "/metric/0/stat"),
    ] {
        let bad = text.replacen(from, to, 1);
        assert_ne!(bad, text, "{from}");
        let found = errors(&validator, &json(&bad));
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{path}:"))),
            "{to}: {found:?}"
        );
    }
}

#[test]
fn the_example_calibration_is_valid_and_a_misspelt_one_is_not() {
    let validator = schema("calibration");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calibration-synthetic.toml");
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(errors(&validator, &json(&text)), Vec::<String>::new());
    for (from, to, path) in [
        ("column = \"gap\"", "column = \"gapp\"", "/moment/0/column"),
        ("stat = \"mean\"", "stat = \"average\"", "/moment/0/stat"),
        ("budget = 40", "budgit = 40", ""),
        ("replicates = 8", "replicates = 0", "/replicates"),
        ("step = 0.2", "step = 2.0", "/search/step"),
        ("min = 0.1", "minimum = 0.1", "/parameter/1"),
    ] {
        assert!(text.contains(from), "{from}");
        let found = errors(&validator, &json(&text.replacen(from, to, 1)));
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{path}:"))),
            "{to}: {found:?}"
        );
    }
}
