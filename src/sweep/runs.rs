//! The runs of a sweep: which runs a shard has, each run's seed, and running one run
//! into the record the journal keeps.

use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::design::DesignTable;
use super::error::SweepError;
use super::journal::{Record, RecordHeader};
use super::spec::{Metric, Stat, Sweep};
use super::workdir::write_atomically;
use crate::engine::World;
use crate::model::rng::mix;
use crate::observe::{DISPERSION_SERIES, SeriesRow};
use crate::scenario::Edit;
use crate::scenario::load::ParsedScenario;

/// One of N disjoint slices of a sweep's runs (1-based), `K/N` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether a design point belongs to this shard. Points are dealt round-robin, so
    /// that shards get similar mixes of the design; all replicates of a point stay
    /// together, so each shard can summarise its points across replicates.
    pub fn has_point(&self, point: u64) -> bool {
        point % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N, such as 3/8; found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index < 1 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A run: a design point, a replicate, and its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpec {
    pub id: u64,
    pub point: u64,
    pub replicate: u32,
    pub seed: u64,
}

/// A run's seed, from the master seed and the run's (point, replicate) alone: never
/// from the order or the place in which runs are scheduled. The top 53 bits of the
/// mix, so that every program reading `runs.csv` (doubles in R, Stata, JavaScript)
/// reads the seed exactly
/// ([`crate::scenario::validate::EXACT_SEED_MAX`]).
pub fn run_seed(master: u64, point: u64, replicate: u32) -> u64 {
    mix(mix(mix(master) ^ point) ^ u64::from(replicate)) >> (64 - 53)
}

/// The design points of a shard, in order, one at a time.
pub fn shard_points(table: &DesignTable, shard: Shard) -> impl Iterator<Item = u64> + '_ {
    (u64::from(shard.index - 1)..table.len()).step_by(shard.count as usize)
}

/// The runs of a shard, in run order, one at a time (never all in memory).
///
/// In a Sobol row or a Morris trajectory every point's replicate `r` uses the same
/// seed (common random numbers): the points differ in their factors only, so the
/// model's own noise does not pass for an effect of the factors.
pub fn runs_of<'a>(
    sweep: &'a Sweep,
    table: &'a DesignTable,
    shard: Shard,
) -> impl Iterator<Item = RunSpec> + 'a {
    let reps = sweep.spec.replicates;
    shard_points(table, shard).flat_map(move |point| {
        let key = table.group(point).unwrap_or(point);
        (0..reps).map(move |replicate| RunSpec {
            id: point * u64::from(reps) + u64::from(replicate),
            point,
            replicate,
            seed: run_seed(sweep.spec.seed, key, replicate),
        })
    })
}

/// Simulates one run and summarises it; `base` is the sweep's base scenario, parsed
/// once for all runs.
pub(super) fn simulate(
    sweep: &Sweep,
    base: &ParsedScenario<'_>,
    table: &DesignTable,
    run: RunSpec,
    series_csv: Option<&Path>,
) -> Result<Record, SweepError> {
    let mut edits = sweep.fixed_sets.clone();
    edits.extend(table.point(run.point).edits(&table.keys));
    edits.push(Edit::seed(run.seed));
    let (scenario, _) = base.edit(&edits)?;
    let spec = &sweep.spec;
    let mut rows: Vec<String> = scenario.sector.iter().map(|s| s.name.clone()).collect();
    rows.push("all".into());
    let row_of = |name: &str| rows.iter().position(|r| r == name);
    let periods = scenario.periods as usize;
    let n_bands = spec.output.bands.len();
    let mut bands = vec![f64::NAN; rows.len() * n_bands * periods];
    let metric_rows: Vec<usize> = spec
        .metric
        .iter()
        .map(|m| {
            // `check_points` refuses such a point before any run (a located error);
            // this guards the indexing below.
            row_of(&m.sector).ok_or_else(|| {
                SweepError::Refused(format!(
                    "metric `{}` reads sector `{}`, which design point {} does not have",
                    m.name, m.sector, run.point
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let mut metric_series: Vec<Vec<Option<f64>>> =
        vec![Vec::with_capacity(periods); spec.metric.len()];
    let mut csv_writer = series_csv.map(|_| csv::Writer::from_writer(Vec::new()));

    let failed = |cause: crate::runner::RunError| SweepError::RunFailed {
        id: run.id,
        point: run.point,
        replicate: run.replicate,
        seed: run.seed,
        cause,
    };
    // A sweep computes what its result holds: the productivity histogram only for a
    // metric or band of its series, or a sweep keeping every run's series.
    let reads_dispersion = series_csv.is_some()
        || spec.metric.iter().any(|m| m.series == DISPERSION_SERIES)
        || spec.output.bands.iter().any(|b| b == DISPERSION_SERIES);
    let mut world = World::new(&scenario);
    if !reads_dispersion {
        world = world.without_dispersion();
    }
    // The series read every period, each found by name once (the spec's are checked
    // before any run; an unknown one reads as undefined).
    let reader = |series: &str| SeriesRow::reader(series).unwrap_or(|_| None);
    let band_readers: Vec<_> = spec.output.bands.iter().map(|b| reader(b)).collect();
    let metric_readers: Vec<_> = spec.metric.iter().map(|m| reader(&m.series)).collect();
    let mut firm_steps = 0u64;
    for t in 0..periods {
        firm_steps += world.firms();
        let period_rows = crate::runner::observed_step(&mut world).map_err(failed)?;
        for (r, row) in period_rows.iter().enumerate() {
            for (b, read) in band_readers.iter().enumerate() {
                bands[(r * n_bands + b) * periods + t] = read(row).unwrap_or(f64::NAN);
            }
        }
        for (m, read) in metric_readers.iter().enumerate() {
            metric_series[m].push(read(&period_rows[metric_rows[m]]));
        }
        if let Some(w) = csv_writer.as_mut() {
            for row in &period_rows {
                w.serialize(row).map_err(|source| SweepError::Format {
                    what: "a series row",
                    source,
                })?;
            }
        }
    }
    if let (Some(path), Some(w)) = (series_csv, csv_writer) {
        let bytes = w.into_inner().map_err(|e| SweepError::Format {
            what: "the series",
            source: e.into_error().into(),
        })?;
        write_atomically(path, &bytes)?;
    }
    let metrics = spec
        .metric
        .iter()
        .zip(&metric_series)
        .map(|(m, values)| summarise(m, values).unwrap_or(f64::NAN))
        .collect();
    Ok(Record {
        header: RecordHeader {
            id: run.id,
            point: run.point,
            replicate: run.replicate,
            seed: run.seed,
            periods: scenario.periods,
            rows,
            firm_steps,
            error: None,
        },
        metrics,
        bands,
    })
}

/// A metric's value from its series (index 0 is period 1).
pub fn summarise(m: &Metric, values: &[Option<f64>]) -> Option<f64> {
    match m.stat {
        Stat::Final => values.last().copied().flatten(),
        Stat::Mean => {
            let from = m.from.unwrap_or(1).max(1) as usize;
            let to = (m.to.map_or(values.len(), |t| t as usize)).min(values.len());
            let window: Vec<f64> = values
                .get(from.saturating_sub(1)..to)
                .unwrap_or(&[])
                .iter()
                .flatten()
                .copied()
                .collect();
            (!window.is_empty()).then(|| window.iter().sum::<f64>() / window.len() as f64)
        }
        Stat::TimeTo => {
            let level = m.threshold?;
            values
                .iter()
                .position(|v| v.is_some_and(|v| if m.below { v <= level } else { v >= level }))
                .map(|i| (i + 1) as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::spec::{Metric, Stat};

    #[test]
    fn seeds_depend_on_point_and_replicate_only() {
        use crate::scenario::validate::EXACT_SEED_MAX;
        assert_eq!(run_seed(7, 3, 1), run_seed(7, 3, 1));
        assert_ne!(run_seed(7, 3, 1), run_seed(7, 3, 2));
        assert_ne!(run_seed(7, 3, 1), run_seed(7, 4, 1));
        assert_ne!(run_seed(7, 3, 1), run_seed(8, 3, 1));
        // Every seed is held exactly by a double, and the top bit is used.
        let seeds: Vec<u64> = (0..1000).map(|p| run_seed(7, p, 0)).collect();
        assert!(seeds.iter().all(|&s| s <= EXACT_SEED_MAX));
        assert!(seeds.iter().any(|&s| s > EXACT_SEED_MAX / 2));
        assert!(run_seed(u64::MAX, u64::MAX, u32::MAX) <= EXACT_SEED_MAX);
    }

    #[test]
    fn shards_partition_the_points() {
        for n in 1..6u32 {
            for p in 0..50u64 {
                let owners = (1..=n)
                    .filter(|&k| Shard { index: k, count: n }.has_point(p))
                    .count();
                assert_eq!(owners, 1);
            }
        }
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        assert!("0/5".parse::<Shard>().is_err());
        assert!("6/5".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    /// A small grid sweep: 2 points x 2 replicates of a 4-period baseline.
    #[test]
    fn metrics_summarise_a_series() {
        let m = |stat, from, to, threshold, below| Metric {
            name: "m".into(),
            series: "gap".into(),
            sector: "all".into(),
            stat,
            from,
            to,
            threshold,
            below,
        };
        let v = [Some(0.5), None, Some(0.7), Some(0.9)];
        assert_eq!(
            summarise(&m(Stat::Final, None, None, None, false), &v),
            Some(0.9)
        );
        assert_eq!(
            summarise(&m(Stat::Mean, Some(3), Some(4), None, false), &v),
            Some(0.8)
        );
        let whole = summarise(&m(Stat::Mean, None, None, None, false), &v).unwrap();
        assert!((whole - 0.7).abs() < 1e-12, "{whole}");
        assert_eq!(
            summarise(&m(Stat::TimeTo, None, None, Some(0.7), false), &v),
            Some(3.0)
        );
        assert_eq!(
            summarise(&m(Stat::TimeTo, None, None, Some(0.95), false), &v),
            None
        );
        assert_eq!(
            summarise(&m(Stat::TimeTo, None, None, Some(0.6), true), &v),
            Some(1.0)
        );
    }
}
