//! What every key of a scenario is: its type, default, accepted range, meaning and
//! unit, as plain data. The tables of [`super::lever_table`] and
//! [`super::param_table`] are lists of these; validation, the classroom page's sliders,
//! `catchup reference` and the reference documentation all read them, so a key is
//! described once.

use serde::Serialize;

/// The TOML type of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Number,
    Integer,
    Boolean,
    /// Text (only in output columns: `sector`, `regime`).
    Text,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Number => "number",
            Kind::Integer => "integer",
            Kind::Boolean => "boolean",
            Kind::Text => "text",
        }
    }
}

/// The values a key accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Range {
    /// From `min` to `max`, both included.
    Closed { min: f64, max: f64 },
    /// Finite and strictly above `min`.
    Above { min: f64 },
    /// Any value of the type (booleans).
    Any,
}

impl Range {
    pub const fn closed(min: f64, max: f64) -> Range {
        Range::Closed { min, max }
    }
    pub const fn above(min: f64) -> Range {
        Range::Above { min }
    }
    /// Whether `v` is accepted.
    pub fn accepts(self, v: f64) -> bool {
        match self {
            Range::Closed { min, max } => v.is_finite() && min <= v && v <= max,
            Range::Above { min } => v.is_finite() && v > min,
            Range::Any => true,
        }
    }
    /// The largest accepted value, if the range has one.
    pub fn highest(self) -> Option<f64> {
        match self {
            Range::Closed { max, .. } => Some(max),
            Range::Above { .. } | Range::Any => None,
        }
    }
}

/// How the classroom page shows a lever: slider bounds (inside the accepted range, and
/// narrower: a tariff of 10 is valid and a useless slider) and step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Slider {
    pub min: f64,
    pub max: f64,
    pub step: f64,
}

/// One key of a scenario table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KeyInfo {
    /// The key inside its table (`tariff`); [`KeyInfo::path`] gives the dotted path.
    pub key: &'static str,
    /// The table it lives in: `policy` or `model`.
    pub table: &'static str,
    pub kind: Kind,
    /// The default, as a number (booleans: 0 or 1).
    pub default: f64,
    pub range: Range,
    /// May be set separately for private firms and SOEs (`[policy.soe]` and the like).
    pub per_ownership: bool,
    /// May be set per sector and changed by a `[[schedule]]` entry.
    pub scheduled: bool,
    /// What it means, in a sentence or two.
    pub meaning: &'static str,
    /// Its unit or scale.
    pub unit: &'static str,
    /// A short label (the classroom page's slider).
    pub label: &'static str,
    /// The classroom page's slider, for levers.
    pub slider: Option<Slider>,
}

impl KeyInfo {
    /// A key set once for a run (a model parameter or a sector's structure), labelled
    /// by its name.
    pub fn fixed<T: KeyValue>(
        table: &'static str,
        key: &'static str,
        default: T,
        range: Range,
        unit: &'static str,
        meaning: &'static str,
    ) -> KeyInfo {
        KeyInfo {
            key,
            table,
            kind: T::KIND,
            default: default.as_number(),
            range,
            per_ownership: false,
            scheduled: false,
            meaning,
            unit,
            label: key,
            slider: None,
        }
    }

    /// A policy lever: set per sector and by schedules, shown on a slider.
    #[allow(clippy::too_many_arguments)]
    pub fn lever<T: KeyValue>(
        key: &'static str,
        default: T,
        range: Range,
        per_ownership: bool,
        unit: &'static str,
        label: &'static str,
        slider: Option<Slider>,
        meaning: &'static str,
    ) -> KeyInfo {
        KeyInfo {
            per_ownership,
            scheduled: true,
            label,
            slider,
            ..KeyInfo::fixed("policy", key, default, range, unit, meaning)
        }
    }

    /// The dotted path of the economy-wide key: `policy.tariff`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.table, self.key)
    }
    /// The default as it is written in a file.
    pub fn default_text(&self) -> String {
        match self.kind {
            Kind::Boolean => (self.default != 0.0).to_string(),
            Kind::Integer => format!("{}", self.default as u64),
            Kind::Number | Kind::Text => format!("{:?}", self.default),
        }
    }
    /// The accepted range as the reference documentation states it.
    pub fn range_text(&self) -> String {
        match self.range {
            Range::Closed { min, max } => format!("{} to {}", plain(min), plain(max)),
            Range::Above { min } => format!("> {}", plain(min)),
            Range::Any => "any".to_string(),
        }
    }
}

/// A number as a person writes it: `0.5`, `10000`, `-0.99`.
fn plain(v: f64) -> String {
    format!("{v}")
}

/// A value a key may hold, seen as a number for range checks and tables.
pub trait KeyValue: Copy {
    const KIND: Kind;
    fn as_number(self) -> f64;
}

impl KeyValue for f64 {
    const KIND: Kind = Kind::Number;
    fn as_number(self) -> f64 {
        self
    }
}

impl KeyValue for u32 {
    const KIND: Kind = Kind::Integer;
    fn as_number(self) -> f64 {
        f64::from(self)
    }
}

impl KeyValue for bool {
    const KIND: Kind = Kind::Boolean;
    fn as_number(self) -> f64 {
        if self { 1.0 } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_accept_what_they_say() {
        let r = Range::closed(0.0, 1.0);
        assert!(r.accepts(0.0) && r.accepts(1.0) && r.accepts(0.5));
        assert!(!r.accepts(-0.01) && !r.accepts(1.01) && !r.accepts(f64::NAN));
        let a = Range::above(0.0);
        assert!(a.accepts(1e-9) && !a.accepts(0.0) && !a.accepts(f64::INFINITY));
        assert!(Range::Any.accepts(1.0));
    }
}
