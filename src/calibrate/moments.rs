//! The target moments: what each statistic of a run is, how it is checked against
//! the base scenario, and its value in one run. The statistics of firms (growth
//! rates, sizes, skewness, `mad_over_sd`) are the claims' own
//! ([`crate::claims::observe`]), so that a calibrated moment and a claim measure the
//! same thing.

use serde::{Deserialize, Serialize};

use crate::claims::observe::{Run, SectorRun, mad_over_sd, skewness};
use crate::observe::SeriesRow;
use crate::scenario::Ownership;
use crate::scenario::error::{KeyPath, Problem, near_miss};

/// What a moment computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentStat {
    /// A column's value at `period` (default: the last).
    Value,
    /// A column's mean over periods `from` to `to` (default: the whole run).
    Mean,
    /// `column` over `over` (from `over_sector`, default the same sector): each their
    /// value at `period`, or their mean over `from`..`to` when a window is given.
    Ratio,
    /// The least-squares slope of a column against the period over `from` to `to`.
    Slope,
    /// Skewness of the log capacities of the living firms at the end of the run.
    SkewnessLogSize,
    /// Mean absolute deviation over standard deviation of firms' log growth rates of
    /// output, pooled over the last periods of the run (0.80 normal, 0.71 Laplace).
    MadOverSdGrowth,
}

impl MomentStat {
    /// Whether the moment is a statistic of firms rather than of a series.
    pub fn of_firms(self) -> bool {
        matches!(
            self,
            MomentStat::SkewnessLogSize | MomentStat::MadOverSdGrowth
        )
    }
}

/// Which firms a statistic of firms takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnerFilter {
    #[default]
    All,
    Private,
    Soe,
}

impl OwnerFilter {
    fn owners(self) -> &'static [Ownership] {
        match self {
            OwnerFilter::All => &Ownership::ALL,
            OwnerFilter::Private => &[Ownership::Private],
            OwnerFilter::Soe => &[Ownership::Soe],
        }
    }
}

/// A target moment as written in the calibration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MomentSpec {
    /// A name for the tables (letters, digits, `_`, `-`, `.`).
    pub name: String,
    pub stat: MomentStat,
    /// A numeric column of `series.csv` (series statistics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// A sector name, or `all` for the whole economy (statistics of firms: all
    /// sectors' firms pooled, each sector's growth rates taken relative to its own mean).
    #[serde(default = "default_sector")]
    pub sector: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    /// The denominator's column of a ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over: Option<String>,
    /// The denominator's sector of a ratio (default: `sector`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_sector: Option<String>,
    /// Which firms a statistic of firms takes: `all` (default), `private` or `soe`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerFilter>,
    /// The value the model should reproduce.
    pub target: f64,
    /// The moment's weight in the objective, or (exclusive) its standard error `se`,
    /// which gives weight `1 / se^2`. Default: weight 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
}

fn default_sector() -> String {
    "all".to_string()
}

impl MomentSpec {
    /// The moment's weight in the objective.
    pub fn weight(&self) -> f64 {
        match (self.weight, self.se) {
            (Some(w), _) => w,
            (None, Some(se)) => 1.0 / (se * se),
            (None, None) => 1.0,
        }
    }

    /// The moment's value in one run (NaN where undefined: a window without values,
    /// too few firms).
    pub fn value(&self, run: &Run) -> f64 {
        let sector = |name: &str| -> Option<&SectorRun> {
            if name == "all" {
                Some(&run.all)
            } else {
                run.sectors.iter().find(|s| s.name == name)
            }
        };
        let Some(s) = sector(&self.sector) else {
            return f64::NAN;
        };
        let last = s.periods();
        let column = self.column.as_deref().unwrap_or_default();
        let window = || (self.from.unwrap_or(1), self.to.unwrap_or(last));
        match self.stat {
            MomentStat::Value => s.at(column, self.period.unwrap_or(last)),
            MomentStat::Mean => {
                let (a, b) = window();
                s.mean(column, a, b)
            }
            MomentStat::Ratio => {
                let Some(d) = sector(self.over_sector.as_deref().unwrap_or(&self.sector)) else {
                    return f64::NAN;
                };
                let over = self.over.as_deref().unwrap_or_default();
                let (num, den) = if self.from.is_some() || self.to.is_some() {
                    let (a, b) = window();
                    (s.mean(column, a, b), d.mean(over, a, b))
                } else {
                    let t = self.period.unwrap_or(last);
                    (s.at(column, t), d.at(over, t))
                };
                num / den
            }
            MomentStat::Slope => {
                let (a, b) = window();
                slope((a..=b.min(last)).map(|t| (f64::from(t), s.at(column, t))))
            }
            MomentStat::SkewnessLogSize | MomentStat::MadOverSdGrowth => {
                let sectors: Vec<&SectorRun> = if self.sector == "all" {
                    run.sectors.iter().collect()
                } else {
                    vec![s]
                };
                let owners = self.owner.unwrap_or_default().owners();
                let mut x = Vec::new();
                for s in sectors {
                    for &o in owners {
                        if self.stat == MomentStat::SkewnessLogSize {
                            x.extend(s.log_sizes(o));
                        } else {
                            x.extend(s.growth_rates(o));
                        }
                    }
                }
                if self.stat == MomentStat::SkewnessLogSize {
                    skewness(&x)
                } else {
                    mad_over_sd(&x)
                }
            }
        }
    }
}

/// Each moment's mean over replicates, from `values` laid out replicate by replicate
/// (NaN values skipped; NaN if a moment is undefined in every replicate).
pub fn replicate_means(values: &[f64], moments: usize) -> Vec<f64> {
    (0..moments)
        .map(|m| crate::sweep::analysis::mean_ci(&column(values, moments, m)).estimate)
        .collect()
}

/// Moment `m`'s values over the replicates.
pub fn column(values: &[f64], moments: usize, m: usize) -> Vec<f64> {
    values
        .iter()
        .skip(m)
        .step_by(moments.max(1))
        .copied()
        .collect()
}

/// The objective: the weighted sum of squared distances between the moments' means
/// and their targets. Infinite when a moment is undefined (no replicate gave it a
/// value), so that the search moves away from such parameters.
pub fn objective(specs: &[MomentSpec], means: &[f64]) -> f64 {
    specs
        .iter()
        .zip(means)
        .map(|(m, &v)| {
            if v.is_nan() {
                f64::INFINITY
            } else {
                m.weight() * (v - m.target) * (v - m.target)
            }
        })
        .sum()
}

/// Least-squares slope of `y` on `x` over the pairs whose `y` is defined; NaN for
/// fewer than two.
pub fn slope(points: impl Iterator<Item = (f64, f64)>) -> f64 {
    let pts: Vec<(f64, f64)> = points.filter(|(_, y)| !y.is_nan()).collect();
    if pts.len() < 2 {
        return f64::NAN;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    sxy / sxx
}

/// Checks a moment against the base scenario's sectors and periods, adding located
/// problems to `out`.
pub fn check_moment(
    m: &MomentSpec,
    at: &KeyPath,
    sectors: &[&str],
    periods: u32,
    out: &mut Vec<Problem>,
) {
    let mut push = |key: &str, message: String, suggestion: Option<String>| {
        let mut p = Problem::new(at.clone().key(key), message);
        p.suggestion = suggestion;
        out.push(p);
    };
    if m.name.is_empty()
        || !m
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        push(
            "name",
            "expected a name of letters, digits, '-', '_' or '.'".into(),
            None,
        );
    }
    if !m.target.is_finite() {
        push("target", "expected a finite target".into(), None);
    }
    match (m.weight, m.se) {
        (Some(_), Some(_)) => push(
            "se",
            "give a `weight` or a standard error `se`, not both".into(),
            None,
        ),
        (Some(w), None) if !(w.is_finite() && w > 0.0) => {
            push("weight", "expected a positive weight".into(), None)
        }
        (None, Some(se)) if !(se.is_finite() && se > 0.0 && (1.0 / (se * se)).is_finite()) => {
            push("se", "expected a positive standard error".into(), None)
        }
        _ => {}
    }
    let known = |name: &str| name == "all" || sectors.contains(&name);
    let sector_problem = |name: &str| {
        (
            format!(
                "no sector `{name}` in the base scenario; expected `all` or one of {}",
                sectors.join(", ")
            ),
            near_miss(name, sectors.iter().copied().chain(["all"])),
        )
    };
    if !known(&m.sector) {
        let (msg, s) = sector_problem(&m.sector);
        push("sector", msg, s);
    }
    let column_problem = |name: &str| {
        (!SeriesRow::NUMERIC_COLUMNS.contains(&name)).then(|| {
            (
                format!("`{name}` is not a numeric column of series.csv"),
                near_miss(name, SeriesRow::NUMERIC_COLUMNS.iter().copied()),
            )
        })
    };
    let stat = m.stat;
    if stat.of_firms() {
        for (key, given) in [
            ("column", m.column.is_some()),
            ("period", m.period.is_some()),
            ("from", m.from.is_some()),
            ("to", m.to.is_some()),
            ("over", m.over.is_some()),
            ("over_sector", m.over_sector.is_some()),
        ] {
            if given {
                push(
                    key,
                    "a statistic of firms takes no `{key}`: it reads the firms of the last periods of the run"
                        .replace("{key}", key),
                    None,
                );
            }
        }
        return;
    }
    if m.owner.is_some() {
        push(
            "owner",
            "only statistics of firms (skewness_log_size, mad_over_sd_growth) take an `owner`; \
             series have their own columns by ownership (soe_output_share, productivity_soe, ...)"
                .into(),
            None,
        );
    }
    match &m.column {
        None => push("column", "expected a `column` of series.csv".into(), None),
        Some(c) => {
            if let Some((msg, s)) = column_problem(c) {
                push("column", msg, s);
            }
        }
    }
    if stat == MomentStat::Ratio {
        match &m.over {
            None => push(
                "over",
                "a ratio needs the denominator's column `over`".into(),
                None,
            ),
            Some(c) => {
                if let Some((msg, s)) = column_problem(c) {
                    push("over", msg, s);
                }
            }
        }
        if let Some(o) = m.over_sector.as_deref().filter(|o| !known(o)) {
            let (msg, s) = sector_problem(o);
            push("over_sector", msg, s);
        }
    } else {
        for (key, given) in [
            ("over", m.over.is_some()),
            ("over_sector", m.over_sector.is_some()),
        ] {
            if given {
                push(key, format!("only a ratio takes `{key}`"), None);
            }
        }
    }
    let in_run = |t: u32| (1..=periods).contains(&t);
    let window_stat = matches!(stat, MomentStat::Mean | MomentStat::Slope);
    let has_window = m.from.is_some() || m.to.is_some();
    if let Some(t) = m.period {
        if window_stat || (stat == MomentStat::Ratio && has_window) {
            push(
                "period",
                "give a `period` or a window `from`..`to`, not both".into(),
                None,
            );
        } else if !in_run(t) {
            push(
                "period",
                format!("expected a period from 1 to {periods} (the base scenario's `periods`)"),
                None,
            );
        }
    }
    if stat == MomentStat::Value && has_window {
        push(
            "from",
            "a value is taken at one `period`; use stat = \"mean\" for a window".into(),
            None,
        );
    }
    for (key, t) in [("from", m.from), ("to", m.to)] {
        if let Some(t) = t.filter(|&t| !in_run(t)) {
            push(
                key,
                format!(
                    "expected a period from 1 to {periods} (the base scenario's `periods`), found {t}"
                ),
                None,
            );
        }
    }
    let (a, b) = (m.from.unwrap_or(1), m.to.unwrap_or(periods));
    if a > b {
        push("to", "expected `to` >= `from`".into(), None);
    } else if stat == MomentStat::Slope && a == b {
        push(
            "to",
            "a slope needs a window of at least two periods".into(),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_objective_weighs_squared_misses() {
        let specs = [
            moment("stat = \"value\"\ncolumn = \"gap\"\nweight = 2.0"),
            moment("stat = \"value\"\ncolumn = \"gap\"\nse = 0.5"),
        ];
        // Replicates (0.5, 3.0) and (1.5, NaN): means 1.0 and 3.0.
        let means = replicate_means(&[0.5, 3.0, 1.5, f64::NAN], 2);
        assert_eq!(means, vec![1.0, 3.0]);
        // 2 (1 - 1)^2 + 4 (3 - 1)^2
        assert_eq!(objective(&specs, &means), 16.0);
        assert_eq!(objective(&specs, &[1.0, f64::NAN]), f64::INFINITY);
    }

    #[test]
    fn the_slope_of_a_line_is_its_slope() {
        let s = slope((1..=5).map(|t| (f64::from(t), 2.0 * f64::from(t) + 1.0)));
        assert!((s - 2.0).abs() < 1e-12);
        assert!(slope([(1.0, 1.0), (2.0, f64::NAN)].into_iter()).is_nan());
    }

    fn moment(toml_text: &str) -> MomentSpec {
        toml::from_str(&format!("name = \"m\"\ntarget = 1.0\n{toml_text}")).unwrap()
    }

    #[test]
    fn moments_read_a_run() {
        let s = crate::scenario::load(Some("soe-protection"), &["periods=15".into()]).unwrap();
        let run = Run::simulate(&s);
        let heavy = &run.sectors[0].name;
        let m = moment(&format!(
            "stat = \"mean\"\ncolumn = \"utilization\"\nsector = \"{heavy}\"\nfrom = 5\nto = 15"
        ));
        let direct = run.sectors[0].mean("utilization", 5, 15);
        assert_eq!(m.value(&run), direct);
        assert!(direct > 0.0 && direct <= 1.0);
        let share = moment("stat = \"value\"\ncolumn = \"soe_output_share\"\nperiod = 15");
        assert_eq!(share.value(&run), run.all.at("soe_output_share", 15));
        let ratio = moment(
            "stat = \"ratio\"\ncolumn = \"productivity_soe\"\nover = \"productivity_private\"\nfrom = 10\nto = 15",
        );
        let r =
            run.all.mean("productivity_soe", 10, 15) / run.all.mean("productivity_private", 10, 15);
        assert_eq!(ratio.value(&run), r);
        let skew = moment("stat = \"skewness_log_size\"\nowner = \"private\"");
        assert!(skew.value(&run).is_finite());
        let shape = moment("stat = \"mad_over_sd_growth\"");
        let v = shape.value(&run);
        assert!(v > 0.0 && v <= 1.0, "{v}");
        let trend = moment("stat = \"slope\"\ncolumn = \"period\"\nfrom = 2\nto = 9");
        assert!((trend.value(&run) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_moment_is_checked_against_the_scenario() {
        let check = |text: &str| {
            let mut out = Vec::new();
            check_moment(&moment(text), &KeyPath::root(), &["heavy"], 20, &mut out);
            out.iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect::<Vec<_>>()
        };
        assert!(check("stat = \"mean\"\ncolumn = \"gap\"\nfrom = 3\nto = 9").is_empty());
        assert!(check("stat = \"mean\"\ncolumn = \"gap\"\nto = 21")[0].starts_with("to:"));
        assert!(
            check("stat = \"value\"\ncolumn = \"gap\"\nsector = \"hevy\"")[0]
                .starts_with("sector:")
        );
        assert!(check("stat = \"ratio\"\ncolumn = \"gap\"")[0].starts_with("over:"));
        assert!(check("stat = \"mad_over_sd_growth\"\ncolumn = \"gap\"")[0].starts_with("column:"));
        assert!(
            check("stat = \"mean\"\ncolumn = \"gap\"\nowner = \"soe\"")[0].starts_with("owner:")
        );
        assert!(
            check("stat = \"slope\"\ncolumn = \"gap\"\nfrom = 4\nto = 4")[0].starts_with("to:")
        );
        assert!(
            check("stat = \"mean\"\ncolumn = \"gap\"\nweight = 1.0\nse = 0.1")[0]
                .starts_with("se:")
        );
    }
}
