//! What an experiment sees of one run: every sector's `series.csv` rows, and the firms
//! of the last periods (for growth rates and size distributions). Pure.

use crate::engine::World;
use crate::observe::{SeriesRow, economy_row, sector_row};
use crate::scenario::{Ownership, ValidScenario};

/// A firm at the end of a period, as far as the claims need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirmObs {
    pub id: u32,
    pub owner: Ownership,
    pub output: f64,
    pub capacity: f64,
}

/// Periods at the end of a run whose firms are kept: growth rates are pooled over
/// the `FIRM_PERIODS - 1` transitions between them.
pub const FIRM_PERIODS: u32 = 11;

/// One sector's record over a run.
#[derive(Debug, Clone)]
pub struct SectorRun {
    pub name: String,
    /// One row per period, period `t` at index `t - 1`.
    pub rows: Vec<SeriesRow>,
    /// Living firms at the end of each of the last `FIRM_PERIODS` periods (oldest
    /// first), each sorted by id.
    pub firms: Vec<Vec<FirmObs>>,
}

/// One run of a scenario.
#[derive(Debug, Clone)]
pub struct Run {
    pub sectors: Vec<SectorRun>,
    /// The whole economy's rows (the `all` rows of `series.csv`); no firms.
    pub all: SectorRun,
}

impl Run {
    /// Simulates a (validated) scenario and keeps what the claims look at.
    pub fn simulate(scenario: &ValidScenario) -> Run {
        let mut world = World::new(scenario);
        let mut sectors: Vec<SectorRun> = scenario
            .sector
            .iter()
            .map(|s| SectorRun {
                name: s.name.clone(),
                rows: Vec::with_capacity(scenario.periods as usize),
                firms: Vec::new(),
            })
            .collect();
        let mut all = SectorRun {
            name: "all".into(),
            rows: Vec::with_capacity(scenario.periods as usize),
            firms: Vec::new(),
        };
        for _ in 0..scenario.periods {
            let records = world.step();
            let t = world.period();
            all.rows.push(economy_row(t, &records));
            for ((run, sector), record) in sectors.iter_mut().zip(world.sectors()).zip(&records) {
                run.rows.push(sector_row(sector, record));
                if t + FIRM_PERIODS > scenario.periods {
                    let firms = &sector.firms;
                    let mut obs: Vec<FirmObs> = (0..firms.slots())
                        .filter(|&i| firms.alive[i])
                        .map(|i| FirmObs {
                            id: firms.id[i],
                            owner: firms.owner[i],
                            output: firms.output[i],
                            capacity: firms.capacity[i],
                        })
                        .collect();
                    obs.sort_unstable_by_key(|f| f.id);
                    run.firms.push(obs);
                }
            }
        }
        Run { sectors, all }
    }

    /// The sector called `name`. Experiments name sectors of their own base scenario,
    /// so a missing one is a bug in the registry, caught by its tests.
    pub fn sector(&self, name: &str) -> &SectorRun {
        self.sectors
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("the experiment's scenario has no sector `{name}`"))
    }
}

impl SectorRun {
    /// Periods recorded.
    pub fn periods(&self) -> u32 {
        self.rows.len() as u32
    }

    /// A column at period `t` (NaN where undefined or beyond the run).
    pub fn at(&self, column: &str, t: u32) -> f64 {
        t.checked_sub(1)
            .and_then(|i| self.rows.get(i as usize))
            .and_then(|r| r.value(column).flatten())
            .unwrap_or(f64::NAN)
    }

    /// A column at the last period.
    pub fn last(&self, column: &str) -> f64 {
        self.at(column, self.periods())
    }

    /// The defined values of a column over periods `from..=to` (clipped to the run).
    fn values<'a>(&'a self, column: &'a str, from: u32, to: u32) -> impl Iterator<Item = f64> + 'a {
        let to = to.min(self.periods());
        (from.max(1)..=to)
            .map(move |t| self.at(column, t))
            .filter(|v| !v.is_nan())
    }

    /// Mean of a column over periods `from..=to` (NaN if no value is defined).
    pub fn mean(&self, column: &str, from: u32, to: u32) -> f64 {
        let (n, sum) = self
            .values(column, from, to)
            .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
        if n == 0 { f64::NAN } else { sum / n as f64 }
    }

    /// Sum of a column over periods `from..=to`.
    pub fn sum(&self, column: &str, from: u32, to: u32) -> f64 {
        self.values(column, from, to).sum()
    }

    /// Private firms' share of the market (domestic demand) minus SOEs' at period
    /// `t`: positive when the private firms lead the domestic producers (imports take
    /// the rest of the market).
    pub fn private_lead(&self, t: u32) -> f64 {
        let domestic = 1.0 - self.at("import_share", t);
        domestic * (1.0 - 2.0 * self.at("soe_output_share", t))
    }

    /// The gap to the frontier weighted by the domestic firms' share of the market
    /// (domestic demand) at period `t`; 0 once imports have taken all of it, when the
    /// gap itself is undefined. Catch-up is the domestic industry's: the gap alone, a
    /// mean over the firms that still sell, rises when a shakeout leaves only the best
    /// of them, and an industry that lost its market to imports has not caught up.
    pub fn market_gap(&self, t: u32) -> f64 {
        let domestic = 1.0 - self.at("import_share", t);
        if domestic == 0.0 {
            0.0
        } else {
            domestic * self.at("gap", t)
        }
    }

    /// The largest value of `f(t)` over periods `from..=to` (clipped to the run; NaN
    /// values are skipped, NaN if none is defined).
    pub fn max_over(&self, from: u32, to: u32, f: impl Fn(u32) -> f64) -> f64 {
        (from.max(1)..=to.min(self.periods()))
            .map(f)
            .filter(|v| !v.is_nan())
            .fold(f64::NAN, f64::max)
    }

    /// The first period from `from` on at which `test` holds for the column, or the
    /// period after the run when it never does (a censored duration).
    pub fn first_period(&self, column: &str, from: u32, test: impl Fn(f64) -> bool) -> f64 {
        (from.max(1)..=self.periods())
            .find(|&t| {
                let v = self.at(column, t);
                !v.is_nan() && test(v)
            })
            .unwrap_or(self.periods() + 1) as f64
    }

    /// Log growth rates of output of the firms of the given ownership that are alive
    /// and producing at both ends of a period, pooled over the last periods of the run,
    /// each period's rates taken relative to that period's mean (so that the sector's
    /// common growth does not count as dispersion).
    pub fn growth_rates(&self, owner: Ownership) -> Vec<f64> {
        let mut pooled = Vec::new();
        for pair in self.firms.windows(2) {
            let mut rates = Vec::new();
            let mut before = pair[0].iter().peekable();
            for f in pair[1].iter().filter(|f| f.owner == owner) {
                while before.peek().is_some_and(|b| b.id < f.id) {
                    before.next();
                }
                if let Some(b) = before.peek().filter(|b| b.id == f.id)
                    && b.output > 0.0
                    && f.output > 0.0
                {
                    rates.push((f.output / b.output).ln());
                }
            }
            if !rates.is_empty() {
                let mean = rates.iter().sum::<f64>() / rates.len() as f64;
                pooled.extend(rates.iter().map(|r| r - mean));
            }
        }
        pooled
    }

    /// Log capacities of the living firms of the given ownership at the end.
    pub fn log_sizes(&self, owner: Ownership) -> Vec<f64> {
        self.firms
            .last()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|f| f.owner == owner && f.capacity > 0.0)
            .map(|f| f.capacity.ln())
            .collect()
    }
}

/// Sample skewness (the third standardised moment); NaN for fewer than three values
/// or no spread.
pub fn skewness(x: &[f64]) -> f64 {
    let (m2, m3, _) = moments(x);
    if x.len() < 3 || m2 <= 0.0 {
        return f64::NAN;
    }
    m3 / m2.powf(1.5)
}

/// Mean absolute deviation over standard deviation: `sqrt(2/pi)` (0.798) for a normal
/// distribution, `1/sqrt(2)` (0.707) for a Laplace one; lower means fatter tails. Far
/// less driven by a few outliers than the kurtosis. NaN for fewer than two values.
pub fn mad_over_sd(x: &[f64]) -> f64 {
    let (m2, _, _) = moments(x);
    if x.len() < 2 || m2 <= 0.0 {
        return f64::NAN;
    }
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let mad = x.iter().map(|v| (v - mean).abs()).sum::<f64>() / x.len() as f64;
    mad / m2.sqrt()
}

/// Central moments 2, 3 and 4 (population divisors).
fn moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    (m2 / n, m3 / n, m4 / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sector whose rows have the given import and SOE output shares, period 1 first.
    fn market(shares: &[(f64, f64)]) -> SectorRun {
        let rows = shares
            .iter()
            .enumerate()
            .map(|(i, &(imports, soe))| {
                let record = crate::model::SectorRecord {
                    hist: vec![0; crate::model::accounts::HIST_BINS],
                    ..Default::default()
                };
                let mut row = crate::observe::economy_row(i as u32 + 1, &[record]);
                row.import_share = imports;
                row.soe_output_share = Some(soe);
                row
            })
            .collect();
        SectorRun {
            name: "s".into(),
            rows,
            firms: Vec::new(),
        }
    }

    #[test]
    fn the_market_gap_weights_the_gap_by_the_domestic_share_of_the_market() {
        let mut s = market(&[(0.25, 0.0), (1.0, 0.0), (0.5, 0.0)]);
        s.rows[0].gap = Some(0.8);
        // Imports take it all: nobody at home sells, and the gap is undefined.
        s.rows[1].gap = None;
        assert!((s.market_gap(1) - 0.75 * 0.8).abs() < 1e-12);
        assert_eq!(s.market_gap(2), 0.0);
        assert!(s.market_gap(3).is_nan(), "domestic firms sell, but no gap");
        assert!(s.market_gap(4).is_nan(), "beyond the run");
    }

    #[test]
    fn the_private_lead_is_private_minus_soe_share_of_the_whole_market() {
        // Imports take 20%; SOEs sell 75% of the rest (60% of the market), private
        // firms 25% of it (20%): the private firms trail by 40 points.
        let s = market(&[(0.2, 0.75), (0.5, 0.1), (0.0, 0.5)]);
        assert!((s.private_lead(1) - (0.2 - 0.6)).abs() < 1e-12);
        assert!((s.private_lead(2) - (0.45 - 0.05)).abs() < 1e-12);
        assert!(s.private_lead(3).abs() < 1e-12);
        assert!(s.private_lead(4).is_nan(), "beyond the run");
        // The largest over a window, clipped to the run; NaN with nothing defined.
        assert!((s.max_over(1, 9, |t| s.private_lead(t)) - 0.4).abs() < 1e-12);
        assert!((s.max_over(1, 1, |t| s.private_lead(t)) + 0.4).abs() < 1e-12);
        assert!(s.max_over(5, 9, |t| s.private_lead(t)).is_nan());
        assert_eq!(
            s.max_over(1, 3, |t| if t == 2 { f64::NAN } else { -f64::from(t) }),
            -1.0
        );
    }

    #[test]
    fn moments_of_known_samples() {
        // Symmetric: no skew.
        assert!(skewness(&[1.0, 2.0, 3.0, 4.0, 5.0]).abs() < 1e-12);
        // A long right tail.
        assert!(skewness(&[1.0, 1.0, 1.0, 1.0, 10.0]) > 1.0);
        assert!(skewness(&[1.0, 1.0]).is_nan());
        // Two-point distribution: every deviation equals the standard deviation.
        assert!((mad_over_sd(&[-1.0, 1.0, -1.0, 1.0]) - 1.0).abs() < 1e-12);
        // A normal sample (inverse-CDF at evenly spaced points) is near sqrt(2/pi).
        let normal: Vec<f64> = (1..2000)
            .map(|i| {
                let p = f64::from(i) / 2000.0;
                // Acklam-free check: the logistic quantile scaled to unit variance is
                // close enough to normal in its ratio (0.780) to tell it from Laplace.
                (p / (1.0 - p)).ln() * 3f64.sqrt() / std::f64::consts::PI
            })
            .collect();
        assert!(mad_over_sd(&normal) > 0.75);
        let laplace: Vec<f64> = (1..2000)
            .map(|i| {
                let p = f64::from(i) / 2000.0;
                if p < 0.5 {
                    (2.0 * p).ln()
                } else {
                    -(2.0 * (1.0 - p)).ln()
                }
            })
            .collect();
        assert!((mad_over_sd(&laplace) - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01);
    }

    #[test]
    fn a_run_records_every_period_and_the_last_two_firm_populations() {
        let s = crate::scenario::load(Some("catch-up"), &["periods=12".into()]).unwrap();
        let run = Run::simulate(&s);
        let sector = &run.sectors[0];
        assert_eq!(sector.periods(), 12);
        assert_eq!(sector.at("period", 12), 12.0);
        assert!(sector.at("gap", 13).is_nan());
        assert_eq!(sector.firms.len(), FIRM_PERIODS as usize);
        assert!(sector.firms.iter().all(|f| !f.is_empty()));
        assert!(!sector.growth_rates(Ownership::Private).is_empty());
        assert_eq!(sector.mean("period", 1, 12), 6.5);
        assert_eq!(sector.first_period("period", 1, |p| p >= 5.0), 5.0);
        assert_eq!(sector.first_period("period", 1, |p| p > 50.0), 13.0);
    }
}
