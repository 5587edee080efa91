//! One change to a scenario by its key: what a `--set KEY=VALUE` argument, a sweep's
//! fixed settings and design factors, a claim's arms and the classroom API's settings
//! all are, applied one way.
//!
//! An [`Edit`] names its key by segments (`sector`, `leading`, `policy`, `tolerance`)
//! and carries a typed TOML value, so a sweep's sampled value reaches the scenario as
//! it was drawn, never printed and read back. Sector names are resolved to list
//! positions against the scenario being edited; problems the edit causes are reported
//! against the edit's `source` (`--set policy.tariff=0.3`, or `settings` for the API).

use super::error::{Diagnostic, KeyPath, ScenarioError, Segment, listing, near_miss};
use super::schema::Scenario;

/// One change to a scenario; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The key, one segment per dotted part; a sector by name or position, a schedule
    /// entry by position.
    key: Vec<String>,
    value: toml::Value,
    /// Append `value` to the list at `key` instead of setting it.
    append: bool,
    /// Who asked for it, as messages name it.
    source: String,
}

impl Edit {
    /// Sets the dotted `key` (as with `--set`) to `value`.
    pub fn new(key: &str, value: toml::Value) -> Edit {
        Edit::at(key.split('.').map(String::from).collect(), value)
    }

    /// Sets the key given by its segments (which may themselves hold dots, as JSON
    /// keys can) to `value`.
    pub fn at(key: Vec<String>, value: toml::Value) -> Edit {
        let source = format!("--set {}={value}", key.join("."));
        Edit {
            key,
            value,
            append: false,
            source,
        }
    }

    /// Appends `value` to the list at the dotted `key` (a schedule entry, say),
    /// creating the list when the scenario has none.
    pub fn append(key: &str, value: toml::Value) -> Edit {
        Edit {
            source: format!("{key} += {value}"),
            append: true,
            ..Edit::new(key, value)
        }
    }

    /// Sets the scenario's seed. A seed beyond what a scenario file holds (2^63 - 1)
    /// goes in as text, so that the loader refuses it as it would in a file.
    pub fn seed(seed: u64) -> Edit {
        let value = i64::try_from(seed)
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(seed.to_string()));
        Edit::new("seed", value)
    }

    /// The same edit, named in messages as `source`.
    pub fn from_source(mut self, source: impl Into<String>) -> Edit {
        self.source = source.into();
        self
    }

    /// Reads a `--set KEY=VALUE` argument. The value is read as TOML (`0.3`, `true`,
    /// `[1, 2]`, `"x"`), or else taken as a bare string, so that `regime=leading`
    /// needs no quotes. `KEY+=VALUE` appends to a list instead: a whole entry, such
    /// as `schedule+={period=30, levers={tariff=0}}`.
    pub fn parse(arg: &str) -> Result<Edit, ScenarioError> {
        let source = format!("--set {arg}");
        let Some((key, raw)) = arg.split_once('=') else {
            return Err(ScenarioError::plain(
                &source,
                "expected KEY=VALUE, such as policy.tariff=0.3 or sector.leading.policy.tolerance=5",
                None,
            ));
        };
        let (key, append) = match key.strip_suffix('+') {
            Some(list) => (list.trim(), true),
            None => (key.trim(), false),
        };
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(ScenarioError::plain(
                &source,
                "expected a dotted key such as policy.tariff",
                None,
            ));
        }
        let value = parse_value(raw.trim());
        let edit = if append {
            Edit::append(key, value)
        } else {
            Edit::new(key, value)
        };
        Ok(edit.from_source(source))
    }

    /// Reads every `--set` argument.
    pub fn parse_all(args: &[impl AsRef<str>]) -> Result<Vec<Edit>, ScenarioError> {
        args.iter().map(|a| Edit::parse(a.as_ref())).collect()
    }

    /// The key, dotted.
    pub fn key(&self) -> String {
        self.key.join(".")
    }

    pub fn value(&self) -> &toml::Value {
        &self.value
    }

    /// The edit with its sector names resolved against `scenario`.
    pub(crate) fn resolve(&self, scenario: &Scenario) -> Result<Resolved, ScenarioError> {
        let key = self.key();
        let mut path = KeyPath::root();
        let mut parts = self.key.iter();
        while let Some(part) = parts.next() {
            // Only the top-level `sector` and `schedule` are lists (a schedule entry's
            // own `sector` key is a plain value).
            let is_list = path.0.is_empty() && matches!(part.as_str(), "sector" | "schedule");
            path = path.key(part);
            if !is_list || (self.append && parts.len() == 0) {
                continue;
            }
            let Some(which) = parts.next() else {
                return Err(ScenarioError::plain(
                    &self.source,
                    format!(
                        "expected `{part}.NAME.KEY` or `{part}.INDEX.KEY` (whole lists cannot be set)"
                    ),
                    None,
                ));
            };
            let is_sector = part == "sector";
            let len = if is_sector {
                scenario.sector.len()
            } else {
                scenario.schedule.len()
            };
            let by_name = is_sector
                .then(|| scenario.sector.iter().position(|s| &s.name == which))
                .flatten();
            let index = by_name.or_else(|| which.parse::<usize>().ok().filter(|&i| i < len));
            match index {
                Some(i) => path = path.index(i),
                None => {
                    let names = || scenario.sector.iter().map(|s| s.name.as_str());
                    let there = if is_sector {
                        listing(names())
                    } else if len == 0 {
                        "none in this scenario".to_string()
                    } else {
                        format!("indices 0 to {}", len - 1)
                    };
                    return Err(ScenarioError::single(Diagnostic {
                        origin: self.source.clone(),
                        line: None,
                        column: None,
                        key,
                        message: format!("no {part} named `{which}`; there are {there}"),
                        suggestion: if is_sector {
                            near_miss(which, names())
                        } else {
                            None
                        },
                    }));
                }
            }
        }
        Ok(Resolved {
            source: self.source.clone(),
            path,
            value: self.value.clone(),
            append: self.append,
        })
    }
}

/// An edit whose key is a path into the scenario's table.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub source: String,
    pub path: KeyPath,
    value: toml::Value,
    append: bool,
}

impl Resolved {
    /// Whether the edit goes into the list of sectors.
    pub fn touches_sectors(&self) -> bool {
        self.path.0.first() == Some(&Segment::Key("sector".into()))
    }

    /// Writes the edit into a scenario's table: a key is set (creating the tables on
    /// its way; a table merged into one already there), a list item replaced, an
    /// appended value pushed.
    pub fn apply(&self, root: &mut toml::Value) -> Result<(), ScenarioError> {
        let fail = |msg: String| {
            ScenarioError::single(Diagnostic {
                origin: self.source.clone(),
                line: None,
                column: None,
                key: self.path.to_string(),
                message: msg,
                suggestion: None,
            })
        };
        let mut node = root;
        let segments = &self.path.0;
        for (i, seg) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            node = match seg {
                Segment::Key(k) => {
                    let toml::Value::Table(t) = node else {
                        return Err(fail(format!("`{k}` is inside a value that is not a table")));
                    };
                    if last && self.append {
                        let list = t
                            .entry(k.clone())
                            .or_insert_with(|| toml::Value::Array(Vec::new()));
                        let toml::Value::Array(list) = list else {
                            return Err(fail(format!("`{k}` is not a list")));
                        };
                        list.push(self.value.clone());
                        return Ok(());
                    }
                    if last {
                        match t.get_mut(k) {
                            Some(old) => merge_into(old, &self.value),
                            None => {
                                t.insert(k.clone(), self.value.clone());
                            }
                        }
                        return Ok(());
                    }
                    t.entry(k.clone())
                        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                }
                Segment::Index(idx) => {
                    let toml::Value::Array(a) = node else {
                        return Err(fail("expected a list here".into()));
                    };
                    let Some(item) = a.get_mut(*idx) else {
                        return Err(fail(format!("no item {idx} in the list")));
                    };
                    if last {
                        *item = self.value.clone();
                        return Ok(());
                    }
                    item
                }
            };
        }
        Ok(())
    }
}

/// Writes `value` over `old`: a table into a table key by key (so that setting
/// `policy.soe = { bailout = 0.5 }` keeps the other SOE levers, as a file's
/// `[policy.soe]` would), anything else replacing what was there.
fn merge_into(old: &mut toml::Value, value: &toml::Value) {
    match (old, value) {
        (toml::Value::Table(old), toml::Value::Table(new)) => {
            for (k, v) in new {
                match old.get_mut(k) {
                    Some(o) => merge_into(o, v),
                    None => {
                        old.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (old, value) => *old = value.clone(),
    }
}

/// A `--set` value as TOML, or the raw text as a string.
fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_argument_reads_its_value_as_toml_or_as_a_bare_string() {
        let e = Edit::parse("sector.leading.policy.tolerance=5").unwrap();
        assert_eq!(e.key(), "sector.leading.policy.tolerance");
        assert_eq!(e.value(), &toml::Value::Integer(5));
        assert_eq!(
            Edit::parse("sector.0.regime=leading").unwrap().value(),
            &toml::Value::String("leading".into())
        );
        assert!(Edit::parse("policy.tariff").is_err());
        assert!(Edit::parse("policy..tariff=1").is_err());
    }

    #[test]
    fn a_typed_edit_keeps_its_value_exactly() {
        // A sampled value that prints with 17 digits reaches the scenario unchanged.
        let x = 0.272_372_657_874_529_24;
        let e = Edit::new("policy.tariff", toml::Value::Float(x));
        assert_eq!(e.value().as_float(), Some(x));
        assert_eq!(Edit::parse(&format!("policy.tariff={x}")).unwrap(), e);
    }

    #[test]
    fn sectors_resolve_by_name_or_position_and_a_miss_suggests_a_name() {
        let s = Scenario::default();
        let name = s.sector[1].name.clone();
        let by_name = Edit::new(&format!("sector.{name}.regime"), "leading".into());
        let by_index = Edit::new("sector.1.regime", "leading".into());
        assert_eq!(
            by_name.resolve(&s).unwrap().path,
            by_index.resolve(&s).unwrap().path
        );
        let typo = format!("sector.{}x.regime", name);
        let e = Edit::new(&typo, "leading".into()).resolve(&s).unwrap_err();
        let d = &e.diagnostics[0];
        assert!(
            d.message.starts_with(&format!("no sector named `{name}x`")),
            "{}",
            d.message
        );
        assert_eq!(d.suggestion.as_deref(), Some(name.as_str()));
    }

    #[test]
    fn a_table_merges_into_the_table_it_sets() {
        let s = Scenario::default();
        let mut root: toml::Value = toml::from_str::<toml::Table>(
            "[policy]\ntariff = 0.1\n[policy.soe]\nbailout = 0.9\ntolerance = 3\n",
        )
        .unwrap()
        .into();
        let soe: toml::Value = toml::from_str::<toml::Table>("bailout = 0.5")
            .unwrap()
            .into();
        let e = Edit::new("policy.soe", soe).resolve(&s).unwrap();
        e.apply(&mut root).unwrap();
        assert_eq!(root["policy"]["soe"]["bailout"].as_float(), Some(0.5));
        assert_eq!(root["policy"]["soe"]["tolerance"].as_integer(), Some(3));
        assert_eq!(root["policy"]["tariff"].as_float(), Some(0.1));
        // A plain value replaces.
        let e = Edit::parse("policy.tariff=0.3")
            .unwrap()
            .resolve(&s)
            .unwrap();
        e.apply(&mut root).unwrap();
        assert_eq!(root["policy"]["tariff"].as_float(), Some(0.3));
    }

    #[test]
    fn an_appended_entry_creates_the_list_and_is_pushed() {
        let mut root = toml::Value::Table(toml::Table::new());
        let entry: toml::Value = toml::from_str::<toml::Table>("period = 3").unwrap().into();
        let e = Edit::append("schedule", entry.clone())
            .resolve(&Scenario::default())
            .unwrap();
        e.apply(&mut root).unwrap();
        e.apply(&mut root).unwrap();
        assert_eq!(
            root["schedule"],
            toml::Value::Array(vec![entry.clone(), entry])
        );
    }

    /// An append made in code (not from `--set`) names itself as one in messages.
    #[test]
    fn an_append_names_itself_in_its_errors() {
        let entry: toml::Value = toml::from_str::<toml::Table>("period = 3").unwrap().into();
        let mut root: toml::Value = toml::from_str::<toml::Table>("schedule = 1")
            .unwrap()
            .into();
        let err = Edit::append("schedule", entry)
            .resolve(&Scenario::default())
            .unwrap()
            .apply(&mut root)
            .unwrap_err()
            .to_string();
        assert!(err.contains("schedule += {"), "{err}");
        assert!(!err.contains("--set"), "{err}");
    }

    #[test]
    fn a_plus_equals_argument_appends_a_whole_entry() {
        let e = Edit::parse("schedule += {period = 30, levers = {entry_barrier = 0}}").unwrap();
        let mut root = toml::Value::Table(toml::Table::new());
        e.resolve(&Scenario::default())
            .unwrap()
            .apply(&mut root)
            .unwrap();
        let entries = root["schedule"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["period"].as_integer(), Some(30));
        assert_eq!(entries[0]["levers"]["entry_barrier"].as_integer(), Some(0));
        // Without the `+`, a whole list is refused as before.
        let set = Edit::parse("schedule={period = 30}").unwrap();
        assert!(set.resolve(&Scenario::default()).is_err());
    }
}
