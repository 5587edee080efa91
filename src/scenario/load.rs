//! From text (a file, a built-in, `--set` overrides) to a validated [`Scenario`].
//!
//! Two stages, like ripgrep's low/high arguments: the text is parsed into a TOML
//! table and deserialized into the schema (types and key names); `--set` overrides
//! are applied to the complete scenario and it is deserialized again; finally
//! [`validate`] checks ranges and consistency. Every problem is placed back into its
//! origin: the file's line and column, or the `--set` argument that caused it.

use std::cell::OnceCell;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::edit::{Edit, Resolved};
use super::error::{
    Diagnostic, KeyPath, Problem, ScenarioError, Segment, line_column, near_miss, number,
};
use super::schema::Scenario;
use super::validate::{ValidScenario, check};

/// Parses and validates a scenario from its text, with `edits` applied. `origin`
/// names the text in messages.
pub fn parse_scenario(
    text: &str,
    origin: &str,
    edits: &[Edit],
) -> Result<ValidScenario, ScenarioError> {
    edit_scenario(text, origin, edits).map(|(scenario, _)| scenario)
}

/// Like [`parse_scenario`], also returning the edited table, from which a scenario
/// file that gives the same scenario can be written.
pub fn edit_scenario(
    text: &str,
    origin: &str,
    edits: &[Edit],
) -> Result<(ValidScenario, toml::Table), ScenarioError> {
    ParsedScenario::parse(text, origin)?.edit(edits)
}

/// A scenario's text parsed, checked for shape and deserialized once, to which edits
/// are then applied any number of times: a sweep or a calibration makes every run's
/// scenario from the same text, and parsing it again for each run was a hundredth of a
/// sweep's time.
pub struct ParsedScenario<'t> {
    text: &'t str,
    origin: &'t str,
    table: toml::Table,
    scenario: Scenario,
}

impl<'t> ParsedScenario<'t> {
    /// Parses `text`; `origin` names it in messages.
    pub fn parse(text: &'t str, origin: &'t str) -> Result<ParsedScenario<'t>, ScenarioError> {
        let table = parse_table(text, origin)?;
        if !table.contains_key("version") {
            return Err(ScenarioError::single(Diagnostic {
                origin: origin.to_string(),
                line: Some(1),
                column: Some(1),
                key: "version".into(),
                message: format!(
                    "missing; expected `version = {}` at the top of the file",
                    super::schema::SCENARIO_VERSION
                ),
                suggestion: None,
            }));
        }
        let locator = Locator::new(text, origin);
        check_shape(&table).map_err(|p| ScenarioError::single(locator.locate(p)))?;
        let scenario: Scenario = deserialize(toml::Value::Table(table.clone()))
            .map_err(|p| ScenarioError::single(locator.locate(p)))?;
        Ok(ParsedScenario {
            text,
            origin,
            table,
            scenario,
        })
    }

    /// The scenario with `edits` applied, validated, and its edited table; problems are
    /// placed in the text or in the edit that caused them.
    pub fn edit(&self, edits: &[Edit]) -> Result<(ValidScenario, toml::Table), ScenarioError> {
        let origin = self.origin;
        let locator = Locator::new(self.text, origin);
        let scenario = &self.scenario;
        let resolved = edits
            .iter()
            .map(|e| e.resolve(scenario))
            .collect::<Result<Vec<_>, _>>()?;
        if resolved.is_empty() {
            let report = check(scenario);
            return if report.total == 0 {
                Ok((ValidScenario::checked(scenario.clone()), self.table.clone()))
            } else {
                Err(ScenarioError::capped(report.problems, report.total, |p| {
                    locator.locate(p)
                }))
            };
        }
        let mut value = toml::Value::Table(self.table.clone());
        // A file without sectors has the default ones, which an edit of a sector needs
        // written out.
        if resolved.iter().any(Resolved::touches_sectors)
            && let toml::Value::Table(t) = &mut value
            && !t.contains_key("sector")
        {
            let sectors = toml::Value::try_from(&scenario.sector).map_err(|e| {
                ScenarioError::plain(
                    origin,
                    format!("internal error writing out the sectors: {e}"),
                    None,
                )
            })?;
            t.insert("sector".into(), sectors);
        }
        for e in &resolved {
            e.apply(&mut value)?;
        }
        let toml::Value::Table(edited_table) = value else {
            unreachable!("a scenario's root is a table, and edits replace only what is inside it")
        };
        check_shape(&edited_table)
            .map_err(|p| ScenarioError::single(locator.place(p, &resolved)))?;
        let edited: Scenario = deserialize(toml::Value::Table(edited_table.clone()))
            .map_err(|p| ScenarioError::single(locator.place(p, &resolved)))?;
        let report = check(&edited);
        if report.total == 0 {
            return Ok((ValidScenario::checked(edited), edited_table));
        }
        // A problem in the file that the file alone does not have was caused by the
        // edits (a renamed sector that the schedule still names, say): it is theirs.
        let before = check(scenario);
        let complete = before.total == before.problems.len();
        Err(ScenarioError::capped(report.problems, report.total, |p| {
            let caused = complete && !before.problems.contains(&p);
            let mut d = locator.place(p, &resolved);
            if caused && d.origin == origin {
                if let (Some(l), Some(c)) = (d.line, d.column) {
                    d.message = format!("{} (see {}:{l}:{c})", d.message, d.origin);
                }
                let mut sources: Vec<&str> = Vec::new();
                for e in &resolved {
                    if !sources.contains(&e.source.as_str()) {
                        sources.push(&e.source);
                    }
                }
                d.origin = sources.join(", ");
                d.line = None;
                d.column = None;
            }
            d
        }))
    }
}

/// A value for a message: its kind and, when short, the value itself.
fn describe(v: &toml::Value) -> String {
    let (kind, text) = match v {
        toml::Value::String(s) => ("a string", format!("{s:?}")),
        toml::Value::Integer(i) => ("an integer", i.to_string()),
        toml::Value::Float(f) => ("a number", number(*f)),
        toml::Value::Boolean(b) => ("a boolean", b.to_string()),
        toml::Value::Datetime(d) => ("a date-time", d.to_string()),
        toml::Value::Array(a) if a.is_empty() => return "an empty array".into(),
        toml::Value::Array(_) => ("an array", v.to_string()),
        toml::Value::Table(_) => return "a table".into(),
    };
    if text.chars().count() <= 40 {
        format!("{kind} `{text}`")
    } else {
        kind.to_string()
    }
}

/// The value at `path` in `root`, if there is one.
fn value_at<'a>(root: &'a toml::Value, path: &KeyPath) -> Option<&'a toml::Value> {
    path.0.iter().try_fold(root, |v, seg| match (seg, v) {
        (Segment::Key(k), toml::Value::Table(t)) => t.get(k),
        (Segment::Index(i), toml::Value::Array(a)) => a.get(*i),
        _ => None,
    })
}

/// Requires a table where the schema has one: serde would otherwise fill a table's
/// fields from an array by position (`policy = [0.3]` setting `rd_subsidy`).
fn want_table<'a>(
    v: Option<&'a toml::Value>,
    path: &KeyPath,
) -> Result<Option<&'a toml::Table>, Problem> {
    match v {
        None => Ok(None),
        Some(toml::Value::Table(t)) => Ok(Some(t)),
        Some(other) => Err(Problem::new(
            path.clone(),
            format!("expected a table, found {}", describe(other)),
        )),
    }
}

fn want_ownership_tables(t: &toml::Table, path: &KeyPath) -> Result<(), Problem> {
    for k in ["private", "soe"] {
        want_table(t.get(k), &path.clone().key(k))?;
    }
    Ok(())
}

/// Checks that every table of the scenario's schema is written as a table.
pub(crate) fn check_shape(root: &toml::Table) -> Result<(), Problem> {
    let top = KeyPath::root();
    want_table(root.get("model"), &top.clone().key("model"))?;
    let policy = top.clone().key("policy");
    if let Some(t) = want_table(root.get("policy"), &policy)? {
        want_ownership_tables(t, &policy)?;
    }
    for (list, inner) in [("sector", "policy"), ("schedule", "levers")] {
        let Some(toml::Value::Array(items)) = root.get(list) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let path = top.clone().key(list).index(i);
            let Some(item) = want_table(Some(item), &path)? else {
                continue;
            };
            let path = path.key(inner);
            if let Some(t) = want_table(item.get(inner), &path)? {
                want_ownership_tables(t, &path)?;
            }
        }
    }
    Ok(())
}

/// Parses TOML text into a table; a syntax error is located in the text.
pub(crate) fn parse_table(text: &str, origin: &str) -> Result<toml::Table, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| line_column(text, s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        ScenarioError::single(Diagnostic {
            origin: origin.to_string(),
            line,
            column,
            key: String::new(),
            message: format!("not valid TOML: {}", e.message().trim()),
            suggestion: None,
        })
    })
}

/// Deserializes with the path of the failing key, and a near miss for unknown names.
pub(crate) fn deserialize<T: serde::de::DeserializeOwned>(
    value: toml::Value,
) -> Result<T, Problem> {
    let original = value.clone();
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let mut path = KeyPath::root();
        for seg in e.path().iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => path = path.index(*index),
                serde_path_to_error::Segment::Map { key }
                | serde_path_to_error::Segment::Enum { variant: key } => path = path.key(key),
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        // The toml deserializer appends "\nin `table`"; the path says that better.
        let full = e.inner().to_string();
        let message = full
            .split('\n')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let message = plain_words(&message, value_at(&original, &path), &path);
        let mut problem = Problem::new(path, message.clone());
        // serde words these as "unknown field `x`, expected one of `a`, `b`" (and the
        // same for variants): the first quoted word is the typo, the rest the choices.
        if message.starts_with("unknown field") || message.starts_with("unknown variant") {
            let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
            if let Some((typo, choices)) = quoted.split_first() {
                problem.suggestion = near_miss(typo, choices.iter().copied());
                if message.starts_with("unknown field") {
                    if problem.path.0.last() != Some(&Segment::Key(typo.to_string())) {
                        problem.path = problem.path.clone().key(typo);
                    }
                    let kind = if choices.is_empty() {
                        "no keys are allowed here".to_string()
                    } else {
                        format!(
                            "expected one of {}",
                            choices
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    problem.message = format!("unknown key; {kind}");
                }
            }
        }
        problem
    })
}

/// serde's "invalid type: floating point `1000…0.0`, expected u32" in the user's
/// words: what was expected (a table, not `struct Policy`) and what was found, as
/// written in the file.
fn plain_words(message: &str, found: Option<&toml::Value>, path: &KeyPath) -> String {
    let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    else {
        return message.to_string();
    };
    let Some((_, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_string();
    };
    let is_regime = path.0.last() == Some(&Segment::Key("regime".into()));
    let expected = match expected.trim() {
        e if e.starts_with("struct ") || e.starts_with("a map") => "a table".to_string(),
        "u8" => format!("a whole number from 0 to {}", u8::MAX),
        "u16" => format!("a whole number from 0 to {}", u16::MAX),
        "u32" => format!("a whole number from 0 to {}", u32::MAX),
        "u64" => format!("a whole number from 0 to {}", u64::MAX),
        "usize" => format!("a whole number from 0 to {}", usize::MAX),
        "i64" => "a whole number".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a sequence" => "an array".to_string(),
        _ if is_regime => "one of `catch-up`, `parallel`, `leading`".to_string(),
        "string only" => "a string".to_string(),
        e if e.starts_with("enum ") => "a string".to_string(),
        e => e.to_string(),
    };
    match found {
        Some(v) => format!("expected {expected}, found {}", describe(v)),
        None => format!("expected {expected}"),
    }
}

/// Places problems into the text they came from.
pub(crate) struct Locator<'a> {
    pub text: &'a str,
    pub origin: &'a str,
    /// The text parsed with spans, once, on the first problem to place.
    spans: OnceCell<Option<Spanned<DeTable<'a>>>>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(text: &'a str, origin: &'a str) -> Self {
        Locator {
            text,
            origin,
            spans: OnceCell::new(),
        }
    }

    /// The problem located in the text (no overrides involved).
    pub(crate) fn locate(&self, p: Problem) -> Diagnostic {
        self.place(p, &[])
    }

    fn place(&self, p: Problem, edits: &[Resolved]) -> Diagnostic {
        // The last edit that touches the key is the one that set it.
        if let Some(o) = edits
            .iter()
            .rev()
            .find(|o| p.path.starts_with(&o.path) || o.path.starts_with(&p.path))
        {
            return Diagnostic {
                origin: o.source.clone(),
                line: None,
                column: None,
                key: p.path.to_string(),
                message: p.message,
                suggestion: p.suggestion,
            };
        }
        let root = self
            .spans
            .get_or_init(|| DeTable::parse(self.text).ok())
            .as_ref();
        let (line, column) = root
            .and_then(|root| locate(root, &p.path))
            .map(|span| line_column(self.text, span.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Diagnostic {
            origin: self.origin.to_string(),
            line,
            column,
            key: p.path.to_string(),
            message: p.message,
            suggestion: p.suggestion,
        }
    }
}

/// The span of the deepest part of `path` present in the text: the key itself when
/// it is there, else its nearest enclosing table.
fn locate(root: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<Range<usize>> {
    let mut span: Option<Range<usize>> = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut table = Some(root.get_ref());
    for seg in &path.0 {
        match seg {
            Segment::Key(k) => {
                let t = match (table, current) {
                    (Some(t), _) => t,
                    (None, Some(DeValue::Table(t))) => t,
                    _ => break,
                };
                let Some((key, value)) = t
                    .iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                else {
                    break;
                };
                span = Some(key.span());
                current = Some(value.get_ref());
                table = None;
            }
            Segment::Index(i) => {
                let Some(DeValue::Array(a)) = current else {
                    break;
                };
                let Some(item) = a.get(*i) else { break };
                span = Some(item.span());
                current = Some(item.get_ref());
                table = None;
            }
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str, sets: &[&str]) -> String {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Edit::parse_all(&sets)
            .and_then(|edits| parse_scenario(text, "s.toml", &edits))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_minimal_file_gets_every_default() {
        let s = parse_scenario("version = 1\n", "s.toml", &[]).unwrap();
        assert_eq!(*s, Scenario::default());
    }

    #[test]
    fn a_misspelt_key_names_line_column_and_near_miss() {
        let e = err("version = 1\n[policy]\ntarif = 0.3\n", &[]);
        assert_eq!(
            e,
            "s.toml:3:1: key `policy.tarif`: unknown key; expected one of `rd_subsidy`, `production_subsidy`, `tolerance`, `tariff`, `entry_barrier`, `soe_preference`, `soe_credit`, `bailout`, `rd_patience`, `bridge`, `researcher_incentive`, `consortium`, `private`, `soe` (did you mean `tariff`?)"
        );
    }

    #[test]
    fn a_wrong_type_names_the_key() {
        let e = err("version = 1\nperiods = \"many\"\n", &[]);
        assert_eq!(
            e,
            "s.toml:2:1: key `periods`: expected a whole number from 0 to 4294967295, found a string `\"many\"`"
        );
        // No Rust type names, no 309-digit numbers, no "unit variant".
        let e = err("version = 1\nperiods = 1e308\n", &[]);
        assert!(e.ends_with("found a number `1e308`"), "{e}");
        let e = err("version = 1\npolicy = 3\n", &[]);
        assert_eq!(
            e,
            "s.toml:2:1: key `policy`: expected a table, found an integer `3`"
        );
        let e = err("version = 1\n[[sector]]\nname = \"a\"\nregime = 2\n", &[]);
        assert_eq!(
            e,
            "s.toml:4:1: key `sector[0].regime`: expected one of `catch-up`, `parallel`, `leading`, found an integer `2`"
        );
        let e = err("version = 1\n[model]\nwage = 1e308\nmarkup = 1e300\n", &[]);
        assert!(e.ends_with("found 1e300"), "{e}");
    }

    #[test]
    fn a_table_written_as_an_array_is_refused() {
        for (text, key, line, column) in [
            ("policy = [0.3]", "policy", 2, 1),
            ("model = [0.5, 0.9]", "model", 2, 1),
            ("sector = [[\"x\", \"leading\", 5, 1]]", "sector[0]", 2, 11),
            ("[policy]\nsoe = [0.3]", "policy.soe", 3, 1),
            (
                "[[sector]]\nname = \"a\"\npolicy = [0.1]",
                "sector[0].policy",
                4,
                1,
            ),
            (
                "[[schedule]]\nperiod = 2\nlevers = [0.3]",
                "schedule[0].levers",
                4,
                1,
            ),
        ] {
            let e = err(&format!("version = 1\n{text}\n"), &[]);
            assert!(
                e.starts_with(&format!(
                    "s.toml:{line}:{column}: key `{key}`: expected a table, found"
                )),
                "{text}: {e}"
            );
        }
        let e = err("version = 1\n", &["policy=[0.3]"]);
        assert_eq!(
            e,
            "--set policy=[0.3]: key `policy`: expected a table, found an array `[0.3]`"
        );
    }

    #[test]
    fn errors_stop_after_twenty_and_each_check_is_linear() {
        let mut text = String::from("version = 1\n");
        for i in 0..5000 {
            text.push_str(&format!(
                "[[schedule]]\nperiod = 5\nsector = \"nope{i}\"\nlevers = {{ tariff = 0.0 }}\n"
            ));
        }
        let clock = std::time::Instant::now();
        let e = parse_scenario(&text, "s.toml", &[]).unwrap_err();
        // Well under a second even unoptimised (it took minutes when each error
        // re-parsed the file).
        assert!(clock.elapsed().as_secs_f64() < 5.0, "{:?}", clock.elapsed());
        assert_eq!(e.diagnostics.len(), 20);
        assert_eq!(e.omitted, 4980);
        assert!(e.to_string().ends_with("\nand 4980 more problems"));
        assert!(
            e.to_string()
                .starts_with("s.toml:4:1: key `schedule[0].sector`: no sector named `nope0`")
        );
    }

    #[test]
    fn a_problem_caused_by_set_names_the_set_not_the_file() {
        let e = err("version = 1\n", &["sector.0.name=leading"]);
        assert_eq!(
            e,
            "--set sector.0.name=leading: key `sector[2].name`: sector names must be unique; `leading` appears twice"
        );
        let text = "version = 1\n[[sector]]\nname = \"a\"\n[[sector]]\nname = \"b\"\n[[schedule]]\nperiod = 2\nsector = \"b\"\nlevers = { tariff = 0.0 }\n";
        let e = err(text, &["sector.1.name=c"]);
        assert!(
            e.starts_with("--set sector.1.name=c: key `schedule[0].sector`: no sector named `b`"),
            "{e}"
        );
        assert!(e.ends_with("(see s.toml:8:1)"), "{e}");
    }

    /// A problem the file had before any edit stays the file's, located in it, even
    /// when an unrelated `--set` is given.
    #[test]
    fn a_problem_of_the_file_stays_the_files_whatever_the_edits() {
        let text = "version = 1\n[[sector]]\nname = \"a\"\nregime = \"leading\"\n[sector.policy]\nbridge = 2.0\n";
        let e = err(text, &["seed=3"]);
        assert_eq!(
            e,
            "s.toml:6:1: key `sector[0].policy.bridge`: expected a number from 0 to 1, found 2"
        );
    }

    #[test]
    fn a_scalar_where_a_list_belongs_asks_for_an_array() {
        let e = err("version = 1\nfirm_snapshots = 3\n", &[]);
        assert_eq!(
            e,
            "s.toml:2:1: key `firm_snapshots`: expected an array, found an integer `3`"
        );
    }

    /// serde's names of what it expected become plain words: an enum is written as a
    /// string (the regime has its own list of values).
    #[test]
    fn serde_type_names_become_plain_words() {
        let three = toml::Value::Integer(3);
        let at = |key: &str| KeyPath::root().key("sector").index(0).key(key);
        assert_eq!(
            plain_words(
                "invalid type: integer `3`, expected enum Shape",
                Some(&three),
                &at("shape")
            ),
            "expected a string, found an integer `3`"
        );
        assert_eq!(
            plain_words(
                "invalid type: integer `3`, expected enum Regime",
                Some(&three),
                &at("regime")
            ),
            "expected one of `catch-up`, `parallel`, `leading`, found an integer `3`"
        );
        assert_eq!(
            plain_words(
                "invalid type: integer `3`, expected u16",
                Some(&three),
                &at("x")
            ),
            "expected a whole number from 0 to 65535, found an integer `3`"
        );
    }

    #[test]
    fn values_in_messages_are_described_by_kind() {
        assert_eq!(describe(&toml::Value::Array(vec![])), "an empty array");
        assert_eq!(
            describe(&toml::Value::Array(vec![toml::Value::Integer(1)])),
            "an array `[1]`"
        );
        assert_eq!(describe(&toml::Value::Integer(3)), "an integer `3`");
        assert_eq!(describe(&toml::Value::String("x".repeat(41))), "a string");
    }

    #[test]
    fn an_out_of_range_value_in_a_sector_is_located() {
        let text = "version = 1\n[[sector]]\nname = \"a\"\nregime = \"leading\"\n[sector.policy]\nbridge = 2.0\n";
        let e = err(text, &[]);
        assert_eq!(
            e,
            "s.toml:6:1: key `sector[0].policy.bridge`: expected a number from 0 to 1, found 2"
        );
    }

    #[test]
    fn a_misspelt_regime_suggests_the_variant() {
        let e = err(
            "version = 1\n[[sector]]\nname = \"a\"\nregime = \"catchup\"\n",
            &[],
        );
        assert!(e.contains("(did you mean `catch-up`?)"), "{e}");
        assert!(e.starts_with("s.toml:4:1: key `sector[0].regime`"), "{e}");
    }

    #[test]
    fn missing_version_is_an_error() {
        let e = err("periods = 3\n", &[]);
        assert!(e.contains("key `version`: missing"), "{e}");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let e = err("version = 1\nperiods = = 3\n", &[]);
        assert!(e.starts_with("s.toml:2:"), "{e}");
    }

    #[test]
    fn set_overrides_by_dotted_path_and_sector_name() {
        let text = "version = 1\n[[schedule]]\nperiod = 5\nlevers = { tariff = 0.0 }\n";
        let s = parse_scenario(
            text,
            "s.toml",
            &[Edit::parse("schedule.0.sector=leading").unwrap()],
        )
        .unwrap();
        assert_eq!(s.schedule[0].sector.as_deref(), Some("leading"));
        let sets = vec![
            "policy.tariff=0.3".to_string(),
            "sector.leading.policy.tolerance=7".to_string(),
            "sector.catch-up.regime=parallel".to_string(),
        ];
        let s =
            parse_scenario("version = 1\n", "s.toml", &Edit::parse_all(&sets).unwrap()).unwrap();
        assert_eq!(s.policy.tariff, 0.3);
        assert_eq!(s.sector[2].policy.tolerance, Some(7));
        assert_eq!(s.sector[0].regime, super::super::schema::Regime::Parallel);
    }

    #[test]
    fn set_errors_name_the_argument() {
        let e = err("version = 1\n", &["policy.tarif=0.3"]);
        assert!(
            e.starts_with("--set policy.tarif=0.3: key `policy.tarif`: unknown key"),
            "{e}"
        );
        assert!(e.ends_with("(did you mean `tariff`?)"), "{e}");
        let e = err("version = 1\n", &["policy.bailout=1.5"]);
        assert_eq!(
            e,
            "--set policy.bailout=1.5: key `policy.bailout`: expected a number from 0 to 1, found 1.5"
        );
        let e = err("version = 1\n", &["sector.leadin.policy.tariff=0"]);
        assert!(e.contains("(did you mean `leading`?)"), "{e}");
    }
}
