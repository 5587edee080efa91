//! `codebook.json`: what every column of a result's tables holds (its type, unit,
//! meaning, when a cell may be empty, and for a sweep's factor columns the scenario key),
//! for programs that read a result without reading the documentation. The entries come
//! from the registries the files are written from (`observe::columns` and the sweep's
//! design); this module only writes them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::parquet::ColumnSpec;
use crate::scenario::keys::Kind;

/// The codebook's file name in a result.
pub const CODEBOOK_FILE: &str = "codebook.json";
/// The `format` field: what a reader can rely on.
const FORMAT: &str = "catchup codebook 1";

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub column: String,
    /// `integer`, `number`, `text` or `boolean` (a factor's may be any).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The unit, or what the number counts; empty for text.
    pub unit: String,
    pub meaning: String,
    /// When a cell is empty; `null`: never. An integer column with empty cells reads as
    /// floating point in pandas unless read as a nullable integer (`Int64`).
    pub empty: Option<String>,
    /// The scenario key a factor column holds (`policy.tariff` for `policy_tariff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl Entry {
    pub fn new(column: &str, kind: &'static str, unit: &str, meaning: &str) -> Entry {
        Entry {
            column: column.to_string(),
            kind,
            unit: unit.to_string(),
            meaning: meaning.to_string(),
            empty: None,
            key: None,
        }
    }

    /// The same, with the cells that may be empty.
    pub fn empty_when(mut self, when: &str) -> Entry {
        self.empty = Some(when.to_string());
        self
    }

    /// The typed column this entry describes: what a table is written with and read
    /// back as, so that the codebook and the file cannot disagree.
    pub fn spec(&self) -> ColumnSpec {
        ColumnSpec::new(&self.column, column_kind(self.kind), self.empty.is_some())
    }
}

/// A codebook type by name (`integer`, `number`, `boolean`, `text`); a factor of any
/// other type reads as text.
pub fn column_kind(name: &str) -> Kind {
    match name {
        "integer" => Kind::Integer,
        "number" => Kind::Number,
        "boolean" => Kind::Boolean,
        _ => Kind::Text,
    }
}

/// The columns of each table of a result, by file name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Codebook {
    format: &'static str,
    files: BTreeMap<String, Vec<Entry>>,
}

impl Codebook {
    pub fn new() -> Codebook {
        Codebook {
            format: FORMAT,
            files: BTreeMap::new(),
        }
    }

    /// Adds a table's columns, in the file's order.
    pub fn file(mut self, name: &str, columns: Vec<Entry>) -> Codebook {
        self.files.insert(name.to_string(), columns);
        self
    }

    pub fn columns(&self, file: &str) -> Option<&[Entry]> {
        self.files.get(file).map(Vec::as_slice)
    }

    /// The typed columns of a file, in its order.
    pub fn specs(&self, file: &str) -> Option<Vec<ColumnSpec>> {
        self.columns(file)
            .map(|entries| entries.iter().map(Entry::spec).collect())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a codebook always serializes") + "\n"
    }
}
