//! The reference tables of every catalogued key and column, generated from the
//! catalogues (`scenario::LEVERS`, `scenario::MODEL_PARAMS`, `observe::COLUMNS`):
//! `catchup reference` prints them, and the documentation carries them between
//! markers that a test keeps equal to what this module generates. Pure.

use serde_json::{Value, json};

use crate::observe::COLUMNS;
use crate::scenario::keys::KeyInfo;
use crate::scenario::regime::STRUCTURE;
use crate::scenario::{LEVERS, MODEL_PARAMS, Regime};

/// A table of the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `[policy]`: every lever.
    Levers,
    /// `[model]`: every behavioural constant.
    Model,
    /// The structural keys of a `[[sector]]`, with each regime's default.
    Structure,
    /// The columns of `series.csv`.
    Columns,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Levers,
        Section::Model,
        Section::Structure,
        Section::Columns,
    ];

    /// The section's name on the command line and in the documentation's markers.
    pub fn name(self) -> &'static str {
        match self {
            Section::Levers => "levers",
            Section::Model => "model",
            Section::Structure => "structure",
            Section::Columns => "columns",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A table cell: `|` would end the cell, so it is escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A table of keys: key, type, default, range, (per ownership,) unit, meaning.
fn key_table(keys: &[KeyInfo], levers: bool) -> String {
    let mut out = String::new();
    if levers {
        out.push_str("| key | type | default | range | per ownership | unit | meaning |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
    } else {
        out.push_str("| key | type | default | range | unit | meaning |\n");
        out.push_str("|---|---|---|---|---|---|\n");
    }
    for k in keys {
        let owner = if k.per_ownership { "yes | " } else { "no | " };
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {}{} | {} |\n",
            k.key,
            k.kind.as_str(),
            k.default_text(),
            k.range_text(),
            if levers { owner } else { "" },
            cell(k.unit),
            cell(k.meaning),
        ));
    }
    out
}

/// The structural keys: key, type, the default in each regime, range, unit, meaning.
fn structure_table() -> String {
    let mut out = String::from("| key | type |");
    for r in Regime::ALL {
        out.push_str(&format!(" {} |", r.as_str()));
    }
    out.push_str(" range | unit | meaning |\n|---|---|---|---|---|---|---|---|\n");
    for k in STRUCTURE.iter() {
        let i = &k.info;
        let defaults: Vec<String> = k
            .by_regime
            .iter()
            .map(|&v| KeyInfo { default: v, ..*i }.default_text())
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            i.key,
            i.kind.as_str(),
            defaults.join(" | "),
            i.range_text(),
            cell(i.unit),
            cell(i.meaning),
        ));
    }
    out
}

fn column_table() -> String {
    let mut out = String::from("| column | type | unit | row `all` | meaning |\n");
    out.push_str("|---|---|---|---|---|\n");
    for c in COLUMNS.iter() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.name,
            c.kind.as_str(),
            cell(c.unit),
            cell(c.all),
            cell(c.meaning),
        ));
    }
    out
}

/// One section as a Markdown table.
pub fn markdown(section: Section) -> String {
    match section {
        Section::Levers => key_table(&LEVERS, true),
        Section::Model => key_table(&MODEL_PARAMS, false),
        Section::Structure => structure_table(),
        Section::Columns => column_table(),
    }
}

/// Every section, each under a heading.
pub fn markdown_all() -> String {
    let mut out = String::new();
    for (i, s) in Section::ALL.into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = match s {
            Section::Levers => {
                "## Policy levers (`[policy]`, `[sector.policy]`, schedule `levers`)"
            }
            Section::Model => "## Model parameters (`[model]`)",
            Section::Structure => "## Structural keys of a `[[sector]]`, by regime",
            Section::Columns => "## Columns of `series.csv`",
        };
        out.push_str(&format!("{title}\n\n{}", markdown(s)));
    }
    out
}

fn key_json(k: &KeyInfo) -> Value {
    let (min, max, min_exclusive) = match k.range {
        crate::scenario::keys::Range::Closed { min, max } => (json!(min), json!(max), false),
        crate::scenario::keys::Range::Above { min } => (json!(min), Value::Null, true),
        crate::scenario::keys::Range::Any => (Value::Null, Value::Null, false),
    };
    json!({
        "path": k.path(),
        "key": k.key,
        "type": k.kind.as_str(),
        "default": match k.kind {
            crate::scenario::keys::Kind::Boolean => json!(k.default != 0.0),
            crate::scenario::keys::Kind::Integer => json!(k.default as u64),
            _ => json!(k.default),
        },
        "minimum": min,
        "maximum": max,
        "minimum_exclusive": min_exclusive,
        "per_ownership": k.per_ownership,
        "scheduled": k.scheduled,
        "unit": k.unit,
        "label": k.label,
        "meaning": k.meaning,
    })
}

/// The catalogues as JSON: `levers`, `model` and `structure` (each key with its dotted path, type,
/// default, minimum, maximum, whether the minimum is excluded, whether it may differ by
/// ownership, whether a schedule may change it, unit, label and meaning; structural
/// keys also their default `by_regime`) and `columns`.
pub fn json() -> Value {
    json!({
        "levers": LEVERS.iter().map(key_json).collect::<Vec<_>>(),
        "model": MODEL_PARAMS.iter().map(key_json).collect::<Vec<_>>(),
        "structure": STRUCTURE.iter().map(|k| {
            let mut v = key_json(&k.info);
            v["path"] = json!(format!("sector.NAME.{}", k.info.key));
            v["by_regime"] = Regime::ALL
                .iter()
                .zip(k.by_regime)
                .map(|(r, d)| (r.as_str().to_string(), json!(d)))
                .collect::<serde_json::Map<_, _>>()
                .into();
            v
        }).collect::<Vec<_>>(),
        "columns": COLUMNS.iter().map(|c| json!({
            "name": c.name,
            "type": c.kind.as_str(),
            "share": c.share,
            "unit": c.unit,
            "title": c.title,
            "label": c.label,
            "all": c.all,
            "meaning": c.meaning,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_and_column_has_a_row() {
        assert_eq!(markdown(Section::Levers).lines().count(), LEVERS.len() + 2);
        assert!(markdown(Section::Levers).contains("| `tariff` | number | `0.1` | 0 to 10 | no |"));
        assert!(
            markdown(Section::Model).contains("| `paradigm_drop` | number | `0.7` | 0.01 to 1 |")
        );
        assert_eq!(
            markdown(Section::Columns).lines().count(),
            COLUMNS.len() + 2
        );
        let v = json();
        assert_eq!(v["levers"][0]["path"], "policy.rd_subsidy");
        assert_eq!(v["model"].as_array().unwrap().len(), MODEL_PARAMS.len());
    }
}
