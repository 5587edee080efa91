//! JSON Schemas (draft 2020-12) of scenario and sweep files, for editors: with one,
//! Taplo (Even Better TOML in VS Code) completes keys, shows their meaning and flags
//! unknown keys, wrong types and out-of-range values as you type. Generated from the
//! key catalogues ([`LEVERS`], [`MODEL_PARAMS`], [`STRUCTURE`]) and the column
//! registry, so a new lever, parameter, structural key or column appears in them with
//! no edit here. The loader stays the judge: the schema checks each key alone, not
//! what depends on other keys (a sector named twice, a schedule for a sector that does
//! not exist).

use serde_json::{Map, Value, json};

use super::keys::{KeyInfo, Kind, Range};
use super::regime::STRUCTURE;
use super::schema::{Regime, SCENARIO_VERSION};
use super::{LEVERS, MODEL_PARAMS};

/// The JSON type of a key's kind.
fn json_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Number => "number",
        Kind::Integer => "integer",
        Kind::Boolean => "boolean",
        Kind::Text => "string",
    }
}

/// The schema of one catalogued key: type, range, default and meaning.
fn key_schema(info: &KeyInfo) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!(json_type(info.kind)));
    match info.range {
        Range::Closed { min, max } => {
            s.insert("minimum".into(), number(min, info.kind));
            s.insert("maximum".into(), number(max, info.kind));
        }
        Range::Above { min } => {
            s.insert("exclusiveMinimum".into(), number(min, info.kind));
        }
        Range::Any => {}
    }
    let default = match info.kind {
        Kind::Boolean => json!(info.default != 0.0),
        kind => number(info.default, kind),
    };
    s.insert("default".into(), default);
    let unit = if info.unit.is_empty() {
        String::new()
    } else {
        format!(" Unit: {}.", info.unit)
    };
    s.insert(
        "description".into(),
        json!(format!(
            "{}{unit} Range: {}.",
            info.meaning,
            info.range_text()
        )),
    );
    Value::Object(s)
}

/// A number as JSON: an integer key's bounds as integers.
fn number(v: f64, kind: Kind) -> Value {
    if kind == Kind::Integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// A table with these keys and no others.
fn closed_table(description: &str, properties: Map<String, Value>) -> Value {
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The levers that may differ by ownership (`[policy.soe]`).
fn ownership_levers(who: &str) -> Value {
    let properties = LEVERS
        .iter()
        .filter(|l| l.per_ownership)
        .map(|l| (l.key.to_string(), key_schema(l)))
        .collect();
    closed_table(
        &format!("Levers for {who} alone, overriding the table above for them."),
        properties,
    )
}

/// Every lever, with the `private` and `soe` tables: `[policy]`, a sector's
/// `[sector.policy]` and a schedule entry's `levers`.
fn levers(description: &str) -> Value {
    let mut properties: Map<String, Value> = LEVERS
        .iter()
        .map(|l| (l.key.to_string(), key_schema(l)))
        .collect();
    properties.insert("private".into(), ownership_levers("private firms"));
    properties.insert("soe".into(), ownership_levers("state-owned enterprises"));
    closed_table(description, properties)
}

fn integer(description: &str, minimum: u64) -> Value {
    json!({ "type": "integer", "minimum": minimum, "description": description })
}

fn text(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn list_of(items: Value, description: &str) -> Value {
    json!({ "type": "array", "items": items, "description": description })
}

fn regimes() -> Vec<&'static str> {
    Regime::ALL.iter().map(|r| r.as_str()).collect()
}

/// The schema of a scenario file.
pub fn scenario_schema() -> Value {
    let model = closed_table(
        "Behavioural constants shared by all sectors (docs/scenario-reference.md).",
        MODEL_PARAMS
            .iter()
            .map(|p| (p.key.to_string(), key_schema(p)))
            .collect(),
    );
    let mut sector: Map<String, Value> = Map::new();
    sector.insert(
        "name".into(),
        text("Unique name, used in series.csv and in `--set sector.NAME.…`."),
    );
    sector.insert(
        "regime".into(),
        json!({
            "enum": regimes(),
            "description": "Where the industry stands against the frontier; the structural keys' defaults come from it.",
        }),
    );
    sector.insert(
        "firms_private".into(),
        integer("Initial number of private firms.", 0),
    );
    sector.insert("firms_soe".into(), integer("Initial number of SOEs.", 0));
    sector.insert(
        "institutes".into(),
        integer("Number of research institutes.", 0),
    );
    sector.insert(
        "demand_per_firm".into(),
        json!({
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Initial domestic demand per initial firm (demand scales with the population).",
        }),
    );
    sector.insert(
        "paradigm_shifts".into(),
        list_of(
            integer("A period.", 1),
            "Periods at which a paradigm shift happens for sure.",
        ),
    );
    for key in STRUCTURE.iter() {
        let mut s = key_schema(&key.info);
        // The default depends on the regime: say each.
        if let Value::Object(m) = &mut s {
            m.remove("default");
            let defaults: Vec<String> = Regime::ALL
                .iter()
                .zip(key.by_regime)
                .map(|(r, v)| format!("{} {v}", r.as_str()))
                .collect();
            let d = m["description"].as_str().unwrap_or_default().to_string();
            m.insert(
                "description".into(),
                json!(format!("{d} Default by regime: {}.", defaults.join(", "))),
            );
        }
        sector.insert(key.info.key.to_string(), s);
    }
    sector.insert(
        "policy".into(),
        levers("Lever overrides for this sector; unset levers inherit `[policy]`."),
    );
    let mut sector = closed_table("A sector of the economy.", sector);
    sector["required"] = json!(["name", "regime"]);
    let mut schedule = closed_table(
        "A change of levers from a period on.",
        [
            (
                "period".to_string(),
                integer("First period in which the new values hold.", 1),
            ),
            (
                "sector".to_string(),
                text("The sector it applies to; every sector when absent."),
            ),
            (
                "levers".to_string(),
                levers("The lever values that change."),
            ),
        ]
        .into_iter()
        .collect(),
    );
    schedule["required"] = json!(["period", "levers"]);
    let properties = [
        (
            "version",
            json!({ "const": SCENARIO_VERSION, "description": "The scenario format's version." }),
        ),
        (
            "name",
            text("Short name, used for the default output folder."),
        ),
        ("description", text("What the scenario shows.")),
        ("look_at", text("What to look at in the output to see it.")),
        (
            "notice",
            list_of(
                json!({ "type": "string" }),
                "For the classroom page: things to notice while the economy runs.",
            ),
        ),
        (
            "try",
            list_of(
                json!({ "type": "string" }),
                "For the classroom page: things to try, and what to expect.",
            ),
        ),
        (
            "seed",
            json!({
                "type": "integer", "minimum": 0, "maximum": super::validate::MAX_SEED,
                "description": "Master seed of the run.",
            }),
        ),
        (
            "periods",
            integer("Number of periods (years) to simulate.", 1),
        ),
        (
            "firm_snapshots",
            list_of(
                integer("A period.", 1),
                "Periods at which firms.csv records the firms, besides the last.",
            ),
        ),
        ("model", model),
        ("policy", levers("Economy-wide policy levers.")),
        (
            "sector",
            list_of(sector, "The sectors of the economy, each with its regime."),
        ),
        ("schedule", list_of(schedule, "Lever changes over time.")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut root = closed_table(
        "A catchup scenario file (docs/scenario-reference.md).",
        properties,
    );
    let root_map = root.as_object_mut().expect("an object");
    root_map.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root_map.insert("title".into(), json!("catchup scenario"));
    root
}

/// The names of the numeric columns of `series.csv`, which metrics and bands take.
fn series_columns() -> Vec<&'static str> {
    crate::observe::SeriesRow::NUMERIC_COLUMNS.to_vec()
}

/// The schema of a sweep file.
pub fn sweep_schema() -> Value {
    use crate::sweep::spec::SWEEP_VERSION;
    let factor = {
        let mut f = closed_table(
            "A factor: a scenario key and the values it takes (a list, or a range for lhs, sobol and morris designs).",
            [
                (
                    "key",
                    text("The scenario key by its dotted path: `policy.tariff`, `sector.leading.policy.tolerance`, `model.rd_share`."),
                ),
                (
                    "values",
                    json!({ "type": "array", "minItems": 1, "description": "The values of a grid design." }),
                ),
                ("min", json!({ "type": "number", "description": "Lowest value (lhs, sobol, saltelli-random, morris)." })),
                ("max", json!({ "type": "number", "description": "Highest value (lhs, sobol, saltelli-random, morris)." })),
                ("integer", json!({ "type": "boolean", "default": false, "description": "Round drawn values to integers." })),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        );
        f["required"] = json!(["key"]);
        f
    };
    let design = {
        let mut d = closed_table(
            "The design: which points of the factors' space are run.",
            [
                (
                    "kind",
                    json!({ "enum": ["grid", "lhs", "sobol", "saltelli-random", "morris", "list"], "description": "The kind of design (docs/sweep-reference.md)." }),
                ),
                ("points", integer("Points (lhs), base rows (sobol, saltelli-random) or trajectories (morris).", 1)),
                ("levels", integer("Levels of a morris design's grid.", 2)),
                ("file", text("A list design's CSV file, relative to the sweep file.")),
                ("factor", list_of(factor, "The factors.")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        );
        d["required"] = json!(["kind"]);
        d
    };
    let metric = {
        let mut m = closed_table(
            "A metric: one number per run in runs.csv.",
            [
                ("name", text("The metric's column in runs.csv.")),
                (
                    "series",
                    json!({ "enum": series_columns(), "description": "The column of series.csv it is taken from." }),
                ),
                ("sector", json!({ "type": "string", "default": "all", "description": "The sector, or `all` for the whole economy." })),
                (
                    "stat",
                    json!({ "enum": ["final", "mean", "time_to"], "description": "The last value, the mean over `from` to `to`, or the first period at the `threshold`." }),
                ),
                ("from", integer("First period of a mean.", 1)),
                ("to", integer("Last period of a mean.", 1)),
                ("threshold", json!({ "type": "number", "description": "The threshold of `time_to`." })),
                ("below", json!({ "type": "boolean", "default": false, "description": "`time_to`: the first period at or below the threshold (else at or above)." })),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        );
        m["required"] = json!(["name", "series", "stat"]);
        m
    };
    let output = closed_table(
        "What the result keeps beyond runs.csv.",
        [
            (
                "series",
                json!({ "type": "boolean", "default": false, "description": "Keep every run's full series." }),
            ),
            (
                "bands",
                list_of(
                    json!({ "enum": series_columns() }),
                    "Series summarised across replicates in bands.csv.",
                ),
            ),
            (
                "format",
                json!({ "enum": crate::output::TableFormat::NAMES, "default": "csv", "description": "The format of every table of the result: csv, or parquet (zstd-compressed, typed columns)." }),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    let properties = [
        (
            "version",
            json!({ "enum": (1..=SWEEP_VERSION).collect::<Vec<u32>>(), "description": "The sweep format's version." }),
        ),
        ("name", text("Short name, used for the default output folder.")),
        ("description", text("What the sweep asks.")),
        (
            "base",
            json!({ "type": "string", "default": "baseline", "description": "The base scenario: a built-in's name or a file relative to the sweep file." }),
        ),
        ("replicates", integer("Runs per design point, each with its own seed.", 1)),
        (
            "seed",
            json!({ "type": "integer", "minimum": 0, "maximum": crate::scenario::validate::EXACT_SEED_MAX, "description": "The master seed: every run's seed comes from it." }),
        ),
        (
            "set",
            json!({ "type": "object", "description": "Fixed settings of the base scenario, by key (`periods = 80`, `policy.tariff = 0.3`)." }),
        ),
        ("design", design),
        ("metric", list_of(metric, "The metrics of each run.")),
        ("output", output),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut root = closed_table(
        "A catchup sweep file (docs/sweep-reference.md).",
        properties,
    );
    root["required"] = json!(["version", "name", "design"]);
    let root_map = root.as_object_mut().expect("an object");
    root_map.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root_map.insert("title".into(), json!("catchup sweep"));
    root
}

/// The schema of a calibration file (`catchup calibrate`, docs/calibration.md).
pub fn calibration_schema() -> Value {
    use crate::calibrate::spec::{CALIBRATION_VERSION, MAX_BUDGET, MAX_REPLICATES};
    let table = |description: &str, properties: Vec<(&str, Value)>, required: &[&str]| {
        let mut t = closed_table(
            description,
            properties
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        t["required"] = json!(required);
        t
    };
    let share = |description: &str| json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": description });
    let search = table(
        "How the search goes: a scrambled Sobol' start, then Nelder-Mead from its best point.",
        vec![
            (
                "start",
                integer("Sobol' start points (0: the middle of the box).", 0),
            ),
            (
                "step",
                share("Edge of the first simplex, as a share of each range."),
            ),
            (
                "tolerance",
                json!({ "type": "number", "minimum": 0, "exclusiveMaximum": 1, "description": "Stop when the simplex is smaller than this share of the range." }),
            ),
            (
                "sensitivity_step",
                json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 0.5, "description": "Finite-difference step of the sensitivity, as a share of the range." }),
            ),
        ],
        &[],
    );
    let parameter = table(
        "A free parameter: a scenario key and its bounds.",
        vec![
            (
                "key",
                text(
                    "The scenario key by its dotted path, as with --set: `model.markup`, `sector.heavy.policy.soe.bailout`.",
                ),
            ),
            (
                "min",
                json!({ "type": "number", "description": "Lower bound." }),
            ),
            (
                "max",
                json!({ "type": "number", "description": "Upper bound." }),
            ),
            (
                "log",
                json!({ "type": "boolean", "default": false, "description": "Search on the log scale (min > 0)." }),
            ),
            (
                "integer",
                json!({ "type": "boolean", "default": false, "description": "Round to an integer." }),
            ),
        ],
        &["key", "min", "max"],
    );
    let moment = table(
        "A target moment: a statistic of the run, its target and its weight or standard error.",
        vec![
            ("name", text("The moment's name in the tables.")),
            (
                "stat",
                json!({ "enum": ["value", "mean", "ratio", "slope", "skewness_log_size", "mad_over_sd_growth"], "description": "What the moment computes (docs/calibration.md)." }),
            ),
            (
                "column",
                json!({ "enum": series_columns(), "description": "The column of series.csv (not for statistics of firms)." }),
            ),
            (
                "sector",
                json!({ "type": "string", "default": "all", "description": "The sector, or `all` for the whole economy." }),
            ),
            (
                "period",
                integer(
                    "The period of a value (default: the last) or of a ratio's values.",
                    1,
                ),
            ),
            ("from", integer("First period of a window.", 1)),
            ("to", integer("Last period of a window.", 1)),
            (
                "over",
                json!({ "enum": series_columns(), "description": "A ratio's denominator column." }),
            ),
            (
                "over_sector",
                text("A ratio's denominator sector (default: `sector`)."),
            ),
            (
                "owner",
                json!({ "enum": ["all", "private", "soe"], "default": "all", "description": "Which firms a statistic of firms takes." }),
            ),
            (
                "target",
                json!({ "type": "number", "description": "The value to reproduce." }),
            ),
            (
                "weight",
                json!({ "type": "number", "exclusiveMinimum": 0, "description": "The moment's weight (or give `se`)." }),
            ),
            (
                "se",
                json!({ "type": "number", "exclusiveMinimum": 0, "description": "The target's standard error: weight 1/se^2." }),
            ),
        ],
        &["name", "stat", "target"],
    );
    let mut root = table(
        "A catchup calibration file (docs/calibration.md).",
        vec![
            (
                "version",
                json!({ "enum": [CALIBRATION_VERSION], "description": "The calibration format's version." }),
            ),
            (
                "name",
                text("Short name, used for the default output folder."),
            ),
            ("description", text("What the calibration fits.")),
            (
                "base",
                json!({ "type": "string", "default": "baseline", "description": "The base scenario: a built-in's name or a file relative to the calibration file." }),
            ),
            (
                "set",
                json!({ "type": "object", "description": "Fixed settings of the base scenario, by key (`periods = 40`)." }),
            ),
            (
                "replicates",
                json!({ "type": "integer", "minimum": 1, "maximum": MAX_REPLICATES, "default": 10, "description": "Runs per evaluation, the same seeds at every evaluation." }),
            ),
            (
                "seed",
                json!({ "type": "integer", "minimum": 0, "maximum": crate::scenario::validate::EXACT_SEED_MAX, "description": "The master seed of the replicates' seeds." }),
            ),
            (
                "budget",
                json!({ "type": "integer", "minimum": 1, "maximum": MAX_BUDGET, "description": "Evaluations of the search, the start's included." }),
            ),
            ("search", search),
            ("parameter", list_of(parameter, "The free parameters.")),
            ("moment", list_of(moment, "The target moments.")),
        ],
        &["version", "name", "budget", "parameter", "moment"],
    );
    let root_map = root.as_object_mut().expect("an object");
    root_map.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root_map.insert("title".into(), json!("catchup calibration"));
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An integer key's bounds are written as JSON integers, so that an editor offers
    /// `3`, not `3.0`; a fraction, a value beyond the range a float holds exactly, and a
    /// real key's bounds stay floats.
    #[test]
    fn integer_bounds_are_json_integers_and_others_stay_floats() {
        assert!(number(3.0, Kind::Integer).is_i64());
        assert_eq!(number(3.0, Kind::Integer), json!(3));
        assert!(number(-20.0, Kind::Integer).is_i64());
        assert!(number(2.5, Kind::Integer).is_f64());
        assert!(number(9.0e15, Kind::Integer).is_f64());
        assert!(number(-9.0e15, Kind::Integer).is_f64());
        assert!(number(8.9e15, Kind::Integer).is_i64());
        assert!(number(3.0, Kind::Number).is_f64());
    }
}
