//! The JSON API: the catalogue of built-in scenarios, and runs.
//!
//! A run request names a scenario (a built-in to start from, or whole TOML text) and
//! the settings the page changed: seed, periods, regimes, lever values at the start
//! and the schedule of lever changes made so far. The server turns them into a
//! scenario file, checks it with the same loader as `catchup run` (so errors read the
//! same), simulates periods 1 to `until` and answers with the rows of `series.csv`
//! from period `from` on, and the scenario file itself: running that file with
//! `catchup run` gives exactly these rows.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::classroom::{self, LEVERS, LIMITS, LeverDef, Limits};
use super::error::ApiError;
use crate::engine::World;
use crate::observe::{COLUMNS, Column, SeriesRow};
use crate::scenario::error::near_miss;
use crate::scenario::keys::Kind;
use crate::scenario::load::edit_scenario;
use crate::scenario::{
    Edit, LeverOverrides, Ownership, Policy, Regime, Scenario, ScenarioError, ScheduleEntry,
    ValidScenario, builtin, parse_scenario,
};

/// The origin named in messages about the settings of a request (rather than a file).
const SETTINGS: &str = "settings";
/// The origin named in messages about a scenario sent as TOML text.
const SCENARIO_TEXT: &str = "scenario";

/// A run request (`POST /api/run`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// A built-in scenario to start from. Exactly one of `base` and `scenario`.
    pub base: Option<String>,
    /// A whole scenario as TOML text.
    pub scenario: Option<String>,
    /// The master seed (replaces the scenario's).
    pub seed: Option<Value>,
    /// The number of periods of the run (replaces the scenario's); at most
    /// [`classroom::MAX_PERIODS`].
    pub periods: Option<Value>,
    /// Sector name to regime (`catch-up`, `parallel`, `leading`).
    pub regimes: Option<Map<String, Value>>,
    /// Economy-wide lever values at the start: keys of `[policy]`.
    pub policy: Option<Map<String, Value>>,
    /// Sector name to lever values at the start: keys of `[sector.policy]`.
    pub sectors: Option<Map<String, Value>>,
    /// Lever changes during the run, as `[[schedule]]` entries (`period`, `sector`,
    /// `levers`), after any the scenario has.
    pub schedule: Option<Vec<Value>>,
    /// Simulate periods 1 to `until` (0: only check the scenario). Default: all.
    pub until: Option<u32>,
    /// First period whose rows are returned (default 1): the page asks only for the
    /// periods it has not drawn yet.
    pub from: Option<u32>,
    /// Only these numeric columns of `series.csv` (besides `period`, `sector` and
    /// `regime`). Default: all.
    pub columns: Option<Vec<String>>,
    /// Also answer the firms at period `until` (the page's firm view): see
    /// [`FirmView`]. Default: no.
    pub firms: Option<bool>,
}

/// A sector, as the answers name it.
#[derive(Debug, Clone, Serialize)]
pub struct SectorBrief {
    pub name: String,
    pub regime: Regime,
}

/// The answer to a run request.
#[derive(Debug, Serialize)]
pub struct RunReply {
    /// The scenario's name (a built-in's name with `-classroom` appended).
    pub name: String,
    pub seed: u64,
    /// The run's number of periods.
    pub periods: u32,
    /// The last period simulated.
    pub until: u32,
    /// The first period whose rows are included.
    pub from: u32,
    pub sectors: Vec<SectorBrief>,
    /// Living firms after period `until`.
    pub firms: u64,
    /// Rows of `series.csv` for periods `from` to `until`: each sector, then `all`.
    pub rows: Vec<Row>,
    /// The scenario as a TOML file: `catchup run` on it repeats this run exactly.
    pub scenario: String,
    /// The firms at period `until`, when asked for (`firms: true`) and `until` > 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firm_view: Option<FirmView>,
}

/// The firms of a period, for the page's firm view: each sector's living firms (at
/// most [`classroom::MAX_FIRM_POINTS`] in all), those rescued and those closing in
/// the period marked, as columns (one entry per firm), numbers to four significant digits. Sent only
/// when asked for, since it is most of an answer: about 60 bytes a firm, so a
/// built-in's few hundred firms add 10 to 20 kB and the cap 120 kB.
#[derive(Debug, Serialize)]
pub struct FirmView {
    pub period: u32,
    /// Living firms in all sectors, shown or not.
    pub living: u64,
    /// Every `stride`-th firm by id is shown (1: all), so that the same firms are
    /// shown period after period while the population keeps its size.
    pub stride: u64,
    pub sectors: Vec<FirmSector>,
}

/// One sector's firms in a [`FirmView`].
#[derive(Debug, Serialize)]
pub struct FirmSector {
    pub name: String,
    /// The frontier (productivity axis reference) and paradigm at the period.
    pub frontier: f64,
    pub paradigm: u16,
    /// Living firms at the end of the period.
    pub firms: FirmPoints,
}

/// Firms as columns: the i-th entry of each vector is the i-th firm.
#[derive(Debug, Default, Serialize)]
pub struct FirmPoints {
    pub id: Vec<u64>,
    pub soe: Vec<bool>,
    pub productivity: Vec<f64>,
    pub capacity: Vec<f64>,
    /// Capacity of a paradigm the sector has left.
    pub old_paradigm: Vec<bool>,
    /// Rescued from insolvency in the period (a bailout).
    pub rescued: Vec<bool>,
    /// Its exit (or closure) was decided in the period: it is gone in the next.
    pub exiting: Vec<bool>,
}

/// What the firm view needs of one firm.
#[derive(Debug, Clone, Copy)]
struct FirmPoint {
    id: u64,
    soe: bool,
    productivity: f64,
    capacity: f64,
    vintage: u16,
    rescues: u16,
    exiting: bool,
}

impl FirmPoints {
    fn push(&mut self, f: &FirmPoint, paradigm: u16, rescued: bool) {
        self.id.push(f.id);
        self.soe.push(f.soe);
        self.productivity.push(significant(f.productivity));
        self.capacity.push(significant(f.capacity));
        self.old_paradigm.push(f.vintage < paradigm);
        self.rescued.push(rescued);
        self.exiting.push(f.exiting);
    }
}

/// Four significant digits: a point on a chart needs no more, and the answer is a
/// third shorter than with every digit.
fn significant(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(3 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// Each sector's living firms, ordered by id.
fn firm_points(world: &World) -> Vec<Vec<FirmPoint>> {
    world
        .sectors()
        .iter()
        .map(|sector| {
            let f = &sector.firms;
            let mut exiting = vec![false; f.slots()];
            for &slot in sector.exiting() {
                exiting[slot as usize] = true;
            }
            let mut points: Vec<FirmPoint> = (0..f.slots())
                .filter(|&i| f.alive[i])
                .map(|i| FirmPoint {
                    id: u64::from(f.id[i]),
                    soe: f.owner[i] == Ownership::Soe,
                    productivity: f.a[i],
                    capacity: f.capacity[i],
                    vintage: f.vintage[i],
                    rescues: f.rescues[i],
                    exiting: exiting[i],
                })
                .collect();
            points.sort_unstable_by_key(|p| p.id);
            points
        })
        .collect()
}

/// The firm view of the world's last period, `before` being the firms at the end of
/// the period before it: the rescued are those whose count of rescues went up.
fn firm_view(world: &World, before: &[Vec<FirmPoint>]) -> FirmView {
    let now = firm_points(world);
    let living: u64 = now.iter().map(|s| s.len() as u64).sum();
    let stride = living.div_ceil(classroom::MAX_FIRM_POINTS as u64).max(1);
    let mut room = classroom::MAX_FIRM_POINTS;
    let sectors = world
        .sectors()
        .iter()
        .zip(now.iter().zip(before))
        .map(|(sector, (now, before))| {
            let mut out = FirmSector {
                name: sector.name.clone(),
                frontier: sector.frontier,
                paradigm: sector.paradigm,
                firms: FirmPoints::default(),
            };
            let earlier = |id: u64| {
                before
                    .binary_search_by_key(&id, |p| p.id)
                    .ok()
                    .map(|i| before[i])
            };
            // Ids are assigned in order of founding: a fixed stride over them is a
            // sample that keeps its firms from period to period.
            for f in now.iter().filter(|f| f.id % stride == 0) {
                if room == 0 {
                    break;
                }
                room -= 1;
                let rescued = earlier(f.id).is_some_and(|b| f.rescues > b.rescues);
                out.firms.push(f, sector.paradigm, rescued);
            }
            out
        })
        .collect();
    FirmView {
        period: world.period(),
        living,
        stride,
        sectors,
    }
}

/// A row of the answer: whole, or only the columns asked for. Whole rows are
/// serialized straight from [`SeriesRow`] (no JSON tree in between), which keeps a
/// long answer's memory near the size of its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Row {
    Whole(Box<SeriesRow>),
    Some(Map<String, Value>),
}

/// Parses and runs a request body.
pub fn run_json(body: &[u8]) -> Result<RunReply, ApiError> {
    let request: RunRequest = serde_json::from_slice(body).map_err(|e| bad_json(&e))?;
    run(&request)
}

/// A JSON syntax or shape error, with a near miss for a misspelt field.
fn bad_json(e: &serde_json::Error) -> ApiError {
    let message = e.to_string();
    let mut hint = String::new();
    if message.starts_with("unknown field") {
        let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
        if let Some((typo, choices)) = quoted.split_first()
            && let Some(s) = near_miss(typo, choices.iter().copied())
        {
            hint = format!(" (did you mean `{s}`?)");
        }
    }
    ApiError::BadRequest(format!("malformed request: {message}{hint}"))
}

/// Builds the scenario a request describes, simulates it and collects the rows.
pub fn run(request: &RunRequest) -> Result<RunReply, ApiError> {
    let (scenario, text) = build(request)?;
    check_limits(&scenario)?;
    let until = request.until.unwrap_or(scenario.periods);
    if until > scenario.periods {
        return Err(ApiError::BadRequest(format!(
            "`until` = {until} is beyond the run's last period, periods = {}",
            scenario.periods
        )));
    }
    let from = request.from.unwrap_or(1);
    if from == 0 {
        return Err(ApiError::BadRequest(
            "`from` is a period, counted from 1".into(),
        ));
    }
    let columns = request.columns.as_deref().map(column_set).transpose()?;

    let mut world = World::new(&scenario);
    let mut rows = Vec::new();
    let want_firms = request.firms == Some(true) && until > 0;
    let mut before = Vec::new();
    for _ in 0..until {
        if want_firms && world.period() + 1 == until {
            before = firm_points(&world);
        }
        // Infinite or NaN values would go out as `null`: the run is refused instead.
        let period_rows = crate::runner::observed_step(&mut world)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let t = world.period();
        if t < from {
            continue;
        }
        rows.extend(
            period_rows
                .into_iter()
                .map(|row| row_json(row, columns.as_ref())),
        );
    }
    Ok(RunReply {
        name: scenario.name.clone(),
        seed: scenario.seed,
        periods: scenario.periods,
        until,
        from,
        sectors: scenario
            .sector
            .iter()
            .map(|s| SectorBrief {
                name: s.name.clone(),
                regime: s.regime,
            })
            .collect(),
        firms: world.firms(),
        rows,
        scenario: download_text(request, &text, until),
        firm_view: want_firms.then(|| firm_view(&world, &before)),
    })
}

/// The requested columns, each checked against `series.csv`'s numeric columns.
fn column_set(columns: &[String]) -> Result<BTreeSet<&'static str>, ApiError> {
    columns
        .iter()
        .map(|c| {
            SeriesRow::NUMERIC_COLUMNS
                .iter()
                .copied()
                .find(|known| *known == c)
                .ok_or_else(|| {
                    let hint = near_miss(c, SeriesRow::NUMERIC_COLUMNS.iter().copied())
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    ApiError::BadRequest(format!(
                        "`columns`: `{c}` is not a numeric column of series.csv{hint}"
                    ))
                })
        })
        .collect()
}

/// A row of the answer, keeping only the requested columns.
fn row_json(row: SeriesRow, columns: Option<&BTreeSet<&'static str>>) -> Row {
    let Some(keep) = columns else {
        return Row::Whole(Box::new(row));
    };
    // Through the row's own serialization, so that a column reads the same whole or
    // chosen (counts as integers, undefined values as null).
    let Ok(Value::Object(mut map)) = serde_json::to_value(&row) else {
        unreachable!("a row serializes to an object")
    };
    map.retain(|k, _| {
        matches!(k.as_str(), "period" | "sector" | "regime") || keep.contains(k.as_str())
    });
    Row::Some(map)
}

/// The scenario of a request, validated, and its text: running that text repeats
/// the run.
fn build(request: &RunRequest) -> Result<(ValidScenario, String), ApiError> {
    let (text, origin, from_builtin) = match (&request.base, &request.scenario) {
        (Some(name), None) => {
            let b = builtin::find(name).ok_or_else(|| unknown_builtin(name))?;
            (
                b.text.to_string(),
                format!("built-in scenario `{name}`"),
                true,
            )
        }
        (None, Some(text)) => (text.clone(), SCENARIO_TEXT.to_string(), false),
        _ => {
            return Err(ApiError::BadRequest(
                "give exactly one of `base` (a built-in scenario's name) and `scenario` \
                 (a scenario as TOML text)"
                    .into(),
            ));
        }
    };
    // Checked as sent first, so that a problem in the text is placed on its line and
    // is never taken for one of the settings.
    let as_sent = parse_scenario(&text, &origin, &[])?;
    let mut edits = settings_edits(request)?;
    if edits.is_empty() && !from_builtin {
        return Ok((as_sent, text));
    }
    if from_builtin {
        let name = format!("{}-classroom", as_sent.name);
        edits.push(Edit::new("name", toml::Value::String(name)).from_source(SETTINGS));
    }
    let (scenario, table) = edit_scenario(&text, &origin, &edits)?;
    let text = toml::to_string(&table).map_err(|e| {
        ApiError::BadRequest(format!("the settings do not make a scenario file: {e}"))
    })?;
    Ok((scenario, text))
}

fn unknown_builtin(name: &str) -> ApiError {
    let names: Vec<&str> = classroom_builtins().iter().map(|s| s.name).collect();
    let hint = near_miss(name, names.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    ApiError::NotFound(format!(
        "no built-in scenario named `{name}`{hint}; the classroom has {}",
        names.join(", ")
    ))
}

/// The request's settings as scenario edits, in a fixed order: seed, periods, the
/// economy's levers, regimes, sectors' levers, then schedule entries appended after
/// the scenario's own. Problems they cause are reported against `settings`.
fn settings_edits(r: &RunRequest) -> Result<Vec<Edit>, ApiError> {
    let set = |key: &[&str], value: &Value, path: &str| -> Result<Edit, ApiError> {
        let key = key.iter().map(|k| k.to_string()).collect();
        Ok(Edit::at(key, to_toml(value, path)?).from_source(SETTINGS))
    };
    let mut edits = Vec::new();
    for (key, value) in [("seed", &r.seed), ("periods", &r.periods)] {
        if let Some(v) = value {
            edits.push(set(&[key], v, key)?);
        }
    }
    if let Some(policy) = &r.policy {
        edits.push(set(&["policy"], &Value::Object(policy.clone()), "policy")?);
    }
    for (name, regime) in r.regimes.iter().flatten() {
        let path = format!("regimes.{name}");
        edits.push(set(&["sector", name, "regime"], regime, &path)?);
    }
    for (name, levers) in r.sectors.iter().flatten() {
        let path = format!("sectors.{name}");
        if !levers.is_object() {
            return Err(ApiError::BadRequest(format!(
                "`{path}`: expected an object of lever values, such as {{\"tariff\": 0.3}}"
            )));
        }
        edits.push(set(&["sector", name, "policy"], levers, &path)?);
    }
    for (i, entry) in r.schedule.iter().flatten().enumerate() {
        if !entry.is_object() {
            return Err(ApiError::BadRequest(format!(
                "`schedule[{i}]`: expected an object such as \
                 {{\"period\": 5, \"levers\": {{\"tariff\": 0.3}}}}"
            )));
        }
        let value = to_toml(entry, &format!("schedule[{i}]"))?;
        edits.push(Edit::append("schedule", value).from_source(SETTINGS));
    }
    Ok(edits)
}

/// A JSON value as TOML. Types are left to the scenario loader to judge, so that a
/// wrong type gets the same message as in a file; only what TOML cannot hold is
/// refused here.
fn to_toml(value: &Value, path: &str) -> Result<toml::Value, ApiError> {
    Ok(match value {
        Value::Null => {
            return Err(ApiError::BadRequest(format!(
                "`{path}`: null is not a value; leave the key out to keep the scenario's value"
            )));
        }
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml::Value::Integer(i),
            (None, Some(_)) if n.is_u64() => {
                return Err(ApiError::BadRequest(format!(
                    "`{path}`: {n} is too large; the largest whole number a scenario holds is {}",
                    i64::MAX
                )));
            }
            (None, Some(f)) => toml::Value::Float(f),
            (None, None) => {
                return Err(ApiError::BadRequest(format!(
                    "`{path}`: {n} is not a number a scenario can hold"
                )));
            }
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| to_toml(v, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(obj) => toml::Value::Table(
            obj.iter()
                .map(|(k, v)| Ok((k.clone(), to_toml(v, &format!("{path}.{k}"))?)))
                .collect::<Result<_, ApiError>>()?,
        ),
    })
}

/// Refuses a valid scenario that is too big for the classroom.
fn check_limits(s: &Scenario) -> Result<(), ApiError> {
    let firms = s.initial_firms();
    let institutes: u64 = s.sector.iter().map(|x| u64::from(x.institutes)).sum();
    let mut problems = Vec::new();
    if firms > classroom::MAX_FIRMS {
        problems.push(format!(
            "{firms} firms; the classroom runs at most {} (run bigger economies with `catchup run`)",
            classroom::MAX_FIRMS
        ));
    }
    if s.periods > classroom::MAX_PERIODS {
        problems.push(format!(
            "periods = {}; the classroom runs at most {}",
            s.periods,
            classroom::MAX_PERIODS
        ));
    }
    if s.sector.len() > classroom::MAX_SECTORS {
        problems.push(format!(
            "{} sectors; the classroom draws at most {}",
            s.sector.len(),
            classroom::MAX_SECTORS
        ));
    }
    if institutes > classroom::MAX_INSTITUTES {
        problems.push(format!(
            "{institutes} research institutes; the classroom runs at most {}",
            classroom::MAX_INSTITUTES
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::OverLimit(format!(
            "too large for the classroom: {}",
            problems.join("; ")
        )))
    }
}

/// The scenario file to download: the text that was run, headed by where it came from.
fn download_text(request: &RunRequest, text: &str, until: u32) -> String {
    let origin = match &request.base {
        Some(name) => format!("the built-in scenario `{name}`"),
        None => "a scenario sent as text".to_string(),
    };
    format!(
        "# Made on the catchup classroom page from {origin}; the page showed periods 1 to {until}.\n\
         # `catchup run` on this file repeats the run exactly: its series.csv holds the page's numbers.\n\
         # Lever changes made during the run are the [[schedule]] entries at the end.\n{text}"
    )
}

/// A built-in scenario as the page needs it.
#[derive(Debug, Serialize)]
pub struct ScenarioInfo {
    pub name: &'static str,
    pub description: String,
    pub look_at: String,
    pub notice: Vec<String>,
    #[serde(rename = "try")]
    pub things_to_try: Vec<String>,
    pub seed: u64,
    pub periods: u32,
    pub firms: u64,
    /// The economy-wide levers (`[policy]`, with its ownership overrides).
    pub policy: Policy,
    pub sectors: Vec<SectorInfo>,
    /// The scenario's own lever changes (`[[schedule]]`): the page marks them.
    pub schedule: Vec<ScheduleEntry>,
    /// The columns the page charts first ([`classroom::default_charts`]).
    pub charts: &'static [&'static str],
}

/// A sector of a built-in scenario.
#[derive(Debug, Serialize)]
pub struct SectorInfo {
    pub name: String,
    pub regime: Regime,
    pub firms_private: u32,
    pub firms_soe: u32,
    pub institutes: u32,
    pub paradigm_shifts: Vec<u32>,
    /// The sector's own lever values (`[sector.policy]`); absent ones inherit.
    pub policy: LeverOverrides,
}

/// Everything the page loads at start: the limits, the levers and the scenarios.
#[derive(Debug, Serialize)]
pub struct Catalogue {
    pub limits: Limits,
    pub levers: &'static [LeverDef],
    pub regimes: [Regime; 3],
    /// Columns of `series.csv` a chart may show, with their labels.
    pub columns: Vec<&'static Column>,
    /// The colours and markers of the charts, the same as the PNG and SVG charts'.
    pub palette: crate::plot::palette::Palette,
    pub scenarios: Vec<ScenarioInfo>,
}

/// The built-in scenarios small enough for the classroom (`bench-1m` is not).
pub fn classroom_builtins() -> Vec<builtin::Builtin> {
    builtin::ALL
        .iter()
        .copied()
        .filter(|b| parse_scenario(b.text, b.name, &[]).is_ok_and(|s| check_limits(&s).is_ok()))
        .collect()
}

/// Information on one built-in scenario.
fn info(b: builtin::Builtin) -> Result<ScenarioInfo, ScenarioError> {
    let s = parse_scenario(b.text, b.name, &[])?.into_inner();
    Ok(ScenarioInfo {
        name: b.name,
        firms: s.initial_firms(),
        description: s.description,
        look_at: s.look_at,
        notice: s.notice,
        things_to_try: s.things_to_try,
        seed: s.seed,
        periods: s.periods,
        policy: s.policy,
        schedule: s.schedule,
        charts: classroom::default_charts(b.name),
        sectors: s
            .sector
            .into_iter()
            .map(|x| SectorInfo {
                name: x.name,
                regime: x.regime,
                firms_private: x.firms_private,
                firms_soe: x.firms_soe,
                institutes: x.institutes,
                paradigm_shifts: x.paradigm_shifts,
                policy: x.policy,
            })
            .collect(),
    })
}

/// The catalogue as JSON text, built once: the built-ins are compiled in.
pub fn catalogue_json() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let catalogue = Catalogue {
            limits: LIMITS,
            levers: &LEVERS,
            regimes: Regime::ALL,
            columns: COLUMNS.iter().filter(|c| c.kind != Kind::Text).collect(),
            palette: crate::plot::palette::for_page(),
            scenarios: classroom_builtins()
                .into_iter()
                .map(|b| info(b).expect("every built-in scenario is valid (tested)"))
                .collect(),
        };
        serde_json::to_string(&catalogue).expect("the catalogue always serializes")
    })
}

/// One built-in scenario as JSON, with its TOML text.
pub fn scenario_json(name: &str) -> Result<Value, ApiError> {
    let b = classroom_builtins()
        .into_iter()
        .find(|b| b.name == name)
        .ok_or_else(|| unknown_builtin(name))?;
    let mut value = serde_json::to_value(info(b)?).expect("scenario info always serializes");
    value["toml"] = Value::String(b.text.to_string());
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(v: Value) -> Result<RunReply, ApiError> {
        run_json(v.to_string().as_bytes())
    }

    /// The rows as JSON, as a client sees them.
    fn rows(r: &RunReply) -> Vec<Value> {
        serde_json::from_value(serde_json::to_value(&r.rows).unwrap()).unwrap()
    }

    fn gap(reply: &RunReply, period: u64, sector: &str) -> f64 {
        rows(reply)
            .iter()
            .find(|r| r["period"] == period && r["sector"] == sector)
            .and_then(|r| r["gap"].as_f64())
            .unwrap_or_else(|| panic!("no gap for {sector} in period {period}"))
    }

    #[test]
    fn a_builtin_runs_to_the_period_asked_and_returns_the_rows_from_the_period_asked() {
        let r = request(json!({"base": "soe-protection", "until": 5, "from": 4})).unwrap();
        assert_eq!((r.until, r.from, r.periods), (5, 4, 100));
        // Two sectors and `all`, for periods 4 and 5.
        let rows = rows(&r);
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0]["period"], 4);
        assert_eq!(rows[2]["sector"], "all");
        assert_eq!(r.name, "soe-protection-classroom");
    }

    #[test]
    fn the_rows_are_those_of_the_downloaded_file() {
        let r = request(json!({
            "base": "catch-up",
            "seed": 7,
            "periods": 30,
            "policy": {"tariff": 0.4},
            "sectors": {"lithography": {"bridge": 0.7}},
            "schedule": [{"period": 3, "levers": {"rd_subsidy": 1.0}}],
            "until": 6
        }))
        .unwrap();
        let again = request(json!({"scenario": r.scenario, "until": 6})).unwrap();
        assert_eq!(r.rows, again.rows);
        let s = parse_scenario(&r.scenario, "download", &[]).unwrap();
        assert_eq!(s.seed, 7);
        assert_eq!(s.periods, 30);
        assert_eq!(s.policy.tariff, 0.4);
        assert_eq!(s.sector[0].policy.bridge, Some(0.7));
        assert_eq!(s.schedule.len(), 1);
        assert_eq!(s.schedule[0].levers.rd_subsidy, Some(1.0));
    }

    #[test]
    fn a_scheduled_change_takes_effect_from_its_period() {
        let base = json!({"base": "catch-up", "until": 8});
        let mut changed = base.clone();
        changed["schedule"] = json!([{"period": 6, "levers": {"tariff": 0.9}}]);
        let (a, b) = (request(base).unwrap(), request(changed).unwrap());
        for t in 1..=5 {
            assert_eq!(gap(&a, t, "lithography"), gap(&b, t, "lithography"));
        }
        let tariff = |r: &RunReply, t: u64| {
            rows(r)
                .iter()
                .find(|x| x["period"] == t && x["sector"] == "lithography")
                .unwrap()["tariff"]
                .clone()
        };
        assert_eq!(tariff(&b, 5), json!(0.1));
        assert_eq!(tariff(&b, 6), json!(0.9));
    }

    #[test]
    fn ownership_overrides_of_the_scenario_survive_a_sector_change() {
        let r = request(json!({
            "base": "soe-protection",
            "sectors": {"heavy": {"tariff": 0.2, "soe": {"tolerance": 4}}},
            "until": 0
        }))
        .unwrap();
        let s = parse_scenario(&r.scenario, "download", &[]).unwrap();
        assert_eq!(s.sector[1].policy.tariff, Some(0.2));
        assert_eq!(s.sector[1].policy.soe.production_subsidy, Some(0.1));
        assert_eq!(s.sector[1].policy.soe.tolerance, Some(4));
        assert!(r.rows.is_empty());
    }

    #[test]
    fn default_sectors_are_written_out_when_changed() {
        let r = request(json!({
            "scenario": "version = 1\nperiods = 5\n",
            "regimes": {"leading": "parallel"},
            "until": 1
        }))
        .unwrap();
        assert_eq!(r.sectors[2].regime, Regime::Parallel);
        assert_eq!(r.sectors.len(), 3);
    }

    #[test]
    fn bad_settings_name_the_key_and_suggest_the_intended_one() {
        let e = request(json!({"base": "baseline", "policy": {"tarif": 0.3}})).unwrap_err();
        assert_eq!(e.status(), 400);
        let text = e.to_string();
        assert!(
            text.starts_with("settings: key `policy.tarif`: unknown key"),
            "{text}"
        );
        assert!(text.ends_with("(did you mean `tariff`?)"), "{text}");

        let e = request(json!({"base": "baseline", "policy": {"tariff": 12}})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "settings: key `policy.tariff`: expected a number from 0 to 10, found 12"
        );
        let e =
            request(json!({"base": "baseline", "regimes": {"parallel": "leadin"}})).unwrap_err();
        assert!(e.to_string().contains("(did you mean `leading`?)"), "{e}");
        let e = request(json!({"base": "baseline", "sectors": {"paralel": {}}})).unwrap_err();
        assert!(e.to_string().contains("(did you mean `parallel`?)"), "{e}");
        let e = request(json!({"base": "baseline", "sed": 3})).unwrap_err();
        assert!(e.to_string().contains("(did you mean `seed`?)"), "{e}");
        let e = request(json!({"base": "basline"})).unwrap_err();
        assert_eq!(e.status(), 404);
        assert!(e.to_string().contains("(did you mean `baseline`?)"), "{e}");
    }

    #[test]
    fn a_bad_scenario_text_is_located_in_the_text() {
        let e = request(json!({"scenario": "version = 1\n[policy]\nbailout = 2.0\n"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "scenario:3:1: key `policy.bailout`: expected a number from 0 to 1, found 2"
        );
        let body = e.to_json();
        assert_eq!(body["diagnostics"][0]["line"], 3);
        assert_eq!(body["kind"], "invalid-scenario");
    }

    #[test]
    fn the_classroom_limits_hold() {
        // bench-1m is a built-in, but not one for the classroom.
        let e = request(json!({"base": "bench-1m", "until": 1})).unwrap_err();
        assert_eq!(e.status(), 422, "{e}");
        assert!(e.to_string().contains("1000002 firms"), "{e}");
        let big = "version = 1\n[[sector]]\nname = \"x\"\nfirms_private = 20001\nfirms_soe = 0\n";
        let e = request(json!({"scenario": big, "until": 1})).unwrap_err();
        assert_eq!(e.status(), 422);
        assert!(e.to_string().contains("20001 firms"), "{e}");
        let e = request(json!({"base": "baseline", "periods": 501})).unwrap_err();
        assert_eq!(e.status(), 422);
        let e = request(json!({"base": "baseline", "periods": 10, "until": 11})).unwrap_err();
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn columns_can_be_chosen() {
        let r = request(json!({"base": "catch-up", "until": 1, "columns": ["gap"]})).unwrap();
        let rows = rows(&r);
        let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
        assert_eq!(rows[0]["period"], 1);
        let e = request(json!({"base": "catch-up", "until": 1, "columns": ["gapp"]})).unwrap_err();
        assert!(e.to_string().contains("(did you mean `gap`?)"), "{e}");
    }

    /// The series row of a sector at a period.
    fn row_of(reply: &RunReply, period: u64, sector: &str) -> Value {
        rows(reply)
            .into_iter()
            .find(|r| r["period"] == period && r["sector"] == sector)
            .unwrap()
    }

    #[test]
    fn the_firm_view_agrees_with_the_series_of_its_period() {
        // soe-protection rescues SOEs in `moderate` and closes firms in both sectors.
        let mut seen = (0, 0);
        for until in [5, 12, 20, 33] {
            let r = request(
                json!({"base": "soe-protection", "until": until, "from": until, "firms": true}),
            )
            .unwrap();
            let view = r.firm_view.as_ref().expect("a firm view when asked for");
            assert_eq!((view.period, view.stride), (until, 1));
            assert_eq!(view.living, r.firms);
            for s in &view.sectors {
                let row = row_of(&r, u64::from(until), &s.name);
                let count = |flags: &[bool]| flags.iter().filter(|&&x| x).count() as u64;
                let firms = &s.firms;
                assert_eq!(
                    firms.soe.len() as u64 - count(&firms.soe),
                    row["firms_private"]
                );
                assert_eq!(count(&firms.soe), row["firms_soe"], "{} at {until}", s.name);
                assert_eq!(
                    count(&firms.rescued),
                    row["bailouts"],
                    "{} at {until}",
                    s.name
                );
                assert_eq!(count(&firms.exiting), row["exits"], "{} at {until}", s.name);
                assert!(firms.id.windows(2).all(|w| w[0] < w[1]), "ordered by id");
                // Only SOEs are rescued.
                assert!(
                    firms
                        .rescued
                        .iter()
                        .zip(&firms.soe)
                        .all(|(r, soe)| !r || *soe)
                );
                seen.0 += count(&firms.rescued);
                seen.1 += count(&firms.exiting);
            }
        }
        assert!(
            seen.0 > 0 && seen.1 > 0,
            "rescues and exits were seen: {seen:?}"
        );
        // Not asked for, not sent.
        let r = request(json!({"base": "soe-protection", "until": 2})).unwrap();
        assert!(r.firm_view.is_none());
    }

    #[test]
    fn the_firm_view_marks_old_paradigm_firms_and_keeps_to_its_cap() {
        // window-of-opportunity shifts the paradigm in period 15: the incumbent keeps
        // old capacity for a few periods.
        let r = request(
            json!({"base": "window-of-opportunity", "until": 17, "from": 17, "firms": true}),
        )
        .unwrap();
        let view = r.firm_view.unwrap();
        let old: usize = view
            .sectors
            .iter()
            .map(|s| s.firms.old_paradigm.iter().filter(|&&x| x).count())
            .sum();
        assert!(old > 0, "old-paradigm firms at period 17");
        // An economy over the cap is sampled, every `stride`-th firm by id.
        let big = "version = 1\nperiods = 3\n[[sector]]\nname = \"x\"\nfirms_private = 4500\nfirms_soe = 500\n";
        let r = request(json!({"scenario": big, "until": 2, "firms": true})).unwrap();
        let view = r.firm_view.unwrap();
        let shown: usize = view.sectors.iter().map(|s| s.firms.id.len()).sum();
        assert!(view.living > classroom::MAX_FIRM_POINTS as u64);
        assert_eq!(
            view.stride,
            view.living.div_ceil(classroom::MAX_FIRM_POINTS as u64)
        );
        assert!(
            shown <= classroom::MAX_FIRM_POINTS && shown > classroom::MAX_FIRM_POINTS / 2,
            "{shown}"
        );
        assert!(
            view.sectors[0]
                .firms
                .id
                .iter()
                .all(|id| id % view.stride == 0)
        );
    }

    #[test]
    fn significant_keeps_four_digits() {
        assert_eq!(significant(1234.567), 1235.0);
        assert_eq!(significant(0.012345), 0.01235);
        assert_eq!(significant(-3.45678), -3.457);
        assert_eq!(significant(0.0), 0.0);
    }

    #[test]
    fn the_catalogue_lists_every_classroom_builtin() {
        let v: Value = serde_json::from_str(catalogue_json()).unwrap();
        let names: Vec<&str> = v["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"baseline") && !names.contains(&"bench-1m"));
        assert_eq!(v["levers"].as_array().unwrap().len(), LEVERS.len());
    }
}
