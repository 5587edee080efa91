//! `catchup claims`: each pattern the model claims to reproduce (`docs/ODD.md` §1) as
//! a registered experiment with paired replicates, an effect with a 95% interval, a
//! verdict by a written rule, and an ablation that switches the causing mechanism off.
//!
//! - `observe`: what an experiment sees of a run.
//! - `registry`: the experiments, one per claim, each with its parts.
//! - `variants`: the structural variants of `--robust`.
//! - `report`: the table, `claims.csv`, `report.md` and the charts.
//!
//! Replicates are paired (common random numbers): replicate `r` of every arm of an
//! experiment runs with the same seed, so that the arms differ only in what the
//! experiment changes. Seeds come from the master seed and the replicate number alone;
//! runs are collected in a fixed order, so the output does not depend on threads.

pub mod observe;
pub mod registry;
pub mod report;
pub mod variants;

use rayon::prelude::*;

use crate::model::rng::mix;
use crate::scenario::Edit;
use crate::scenario::{ScenarioError, Source, ValidScenario, parse_scenario};
use crate::sweep::analysis::{Interval, mean_ci};
pub use observe::{Run, SectorRun};
pub use registry::{Experiment, Part};
pub use variants::{Change, Variant};

/// The sign an effect must have for a claim part to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Positive,
    Negative,
}

impl Expect {
    /// `x` in the direction the claim expects: positive when it goes that way.
    pub fn signed(self, x: f64) -> f64 {
        match self {
            Expect::Positive => x,
            Expect::Negative => -x,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Expect::Positive => "> 0",
            Expect::Negative => "< 0",
        }
    }
}

/// The verdict on an effect, by this rule: it **holds** when its whole 95% interval lies
/// on the expected side of zero; it is **weak** when the estimate lies on that side but
/// the interval includes zero; it **fails** otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Holds,
    Weak,
    Fails,
}

impl Verdict {
    pub fn of(effect: &Interval, expect: Expect) -> Verdict {
        let (lo, hi) = match expect {
            Expect::Positive => (effect.low, effect.high),
            Expect::Negative => (-effect.high, -effect.low),
        };
        let estimate = expect.signed(effect.estimate);
        if lo > 0.0 && hi > 0.0 {
            Verdict::Holds
        } else if estimate > 0.0 {
            Verdict::Weak
        } else {
            Verdict::Fails
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Weak => "weak",
            Verdict::Fails => "fails",
        }
    }
}

/// Whether switching the mechanism off removed the effect: **yes** when the ablated
/// effect's 95% interval includes zero, or its estimate goes the other way, or it is at
/// most a quarter of the full effect (the mechanism accounts for three quarters or
/// more: with common random numbers a tiny remainder can be significant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caused {
    Yes,
    No,
    /// No ablation: the part restates an equation of the model's design (claims 1, 2).
    NotTested,
}

/// The largest share of the full effect that may remain without the mechanism.
pub const REMAINDER: f64 = 0.25;

impl Caused {
    pub fn of(full: &Interval, ablated: &Interval, expect: Expect) -> Caused {
        let left = expect.signed(ablated.estimate);
        if ablated.contains(0.0) || left <= REMAINDER * expect.signed(full.estimate) {
            Caused::Yes
        } else {
            Caused::No
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Caused::Yes => "yes",
            Caused::No => "no",
            Caused::NotTested => "n/a",
        }
    }
}

/// What was found for one claim part on one variant.
#[derive(Debug, Clone)]
pub struct Finding {
    pub claim: u8,
    pub part: &'static str,
    pub statement: &'static str,
    pub variant: String,
    pub expect: Expect,
    pub replicates: usize,
    pub effect: Interval,
    pub verdict: Verdict,
    pub mechanism: &'static str,
    /// Where the part is known not to pass (the registry's `Part::limits`).
    pub limits: Option<&'static str>,
    pub ablated: Option<Interval>,
    pub caused: Caused,
    /// Standard deviation of the paired effects (for standardised effects).
    pub sd: f64,
}

impl Finding {
    /// A part passes when its effect holds and, where an ablation is defined, the
    /// effect vanishes without its mechanism.
    pub fn passes(&self) -> bool {
        self.verdict == Verdict::Holds && self.caused != Caused::No
    }
}

/// Mean and 95% interval over replicates of one column of one arm, per period: what
/// the report's band charts draw.
#[derive(Debug, Clone)]
pub struct ArmBand {
    pub claim: u8,
    /// The experiment's first part (`4a`), which names its chart.
    pub experiment: &'static str,
    pub arm: String,
    pub sector: &'static str,
    pub column: &'static str,
    pub by_period: Vec<Interval>,
}

/// Options of [`check`].
#[derive(Debug, Clone)]
pub struct Options {
    pub replicates: usize,
    pub seed: u64,
    /// Claim numbers to check; all when empty.
    pub only: Vec<u8>,
    /// Repeat each experiment on the structural variants and a second seed.
    pub robust: bool,
    /// Scenario edits (`KEY=VALUE`, as `catchup run --set`) applied to every arm of
    /// every experiment before its own settings: the claims under other parameters.
    pub sets: Vec<String>,
    /// Every sector's firm counts multiplied by this factor in every experiment (1: as
    /// the experiments define them), before any variant's change.
    pub firms: f64,
    /// Every experiment's run lengthened by this factor (1: as defined), before any
    /// variant's change.
    pub horizon: f64,
}

impl Options {
    /// The structural changes the user asked for, applied to every experiment's
    /// scenario before a variant's own, each with the command-line option that asks
    /// for it (for errors and the report's command).
    fn structure(&self) -> Vec<(Change, String)> {
        let mut changes = Vec::new();
        if self.firms != 1.0 {
            changes.push((Change::Firms(self.firms), format!("--firms {}", self.firms)));
        }
        if self.horizon != 1.0 {
            changes.push((
                Change::Horizon(self.horizon),
                format!("--horizon {}", self.horizon),
            ));
        }
        changes
    }
}

/// Everything `catchup claims` found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub bands: Vec<ArmBand>,
    pub runs: u64,
}

impl Outcome {
    /// Whether every checked part passes on every variant.
    pub fn all_pass(&self) -> bool {
        self.findings.iter().all(Finding::passes)
    }
}

/// Seed of replicate `r` under a master seed: the same for every arm (common random
/// numbers), independent of everything else.
pub fn replicate_seed(master: u64, r: usize) -> u64 {
    mix(mix(master) ^ r as u64) & crate::scenario::validate::MAX_SEED
}

/// The scenario of one arm: the base, the arm's settings, the ablation's, the variant
/// applied, and the replicate's seed.
fn arm_scenario(
    base: &Source,
    sets: &[String],
    structure: &[(Change, String)],
    variant: &Variant,
    seed: u64,
) -> Result<ValidScenario, ScenarioError> {
    let mut edits = Edit::parse_all(sets)?;
    edits.push(Edit::seed(seed));
    let mut scenario = parse_scenario(&base.text, &base.origin, &edits)?;
    for (change, option) in structure {
        scenario = change.apply(scenario, &base.origin, option)?;
    }
    variant.apply(scenario, &base.origin)
}

/// Checks that the user's edits ([`Options::sets`]) and structural changes apply to
/// every selected experiment's scenario, so that a misspelt key or a scenario they
/// make invalid is refused before any run.
pub fn check_sets(opts: &Options) -> Result<(), ScenarioError> {
    for exp in selected(opts) {
        let base = Source::find(exp.base)?;
        arm_scenario(
            &base,
            &opts.sets,
            &opts.structure(),
            &Variant::shipped(opts.seed),
            0,
        )?;
    }
    Ok(())
}

/// The experiments `opts` selects, in the registry's order.
fn selected(opts: &Options) -> Vec<Experiment> {
    registry::all()
        .into_iter()
        .filter(|e| opts.only.is_empty() || opts.only.contains(&e.claim))
        .collect()
}

/// Runs every selected experiment (on every variant, with `robust`) and judges it.
/// Fails only if an experiment's own scenario does not load, which is a bug in the
/// registry (its tests load every one).
pub fn check(opts: &Options) -> Result<Outcome, ScenarioError> {
    let experiments = selected(opts);
    let variants = if opts.robust {
        Variant::robust(opts.seed)
    } else {
        vec![Variant::shipped(opts.seed)]
    };

    // One job per (experiment, variant, ablation or none, replicate); each runs every
    // arm of its experiment with the replicate's seed and returns its parts' effects.
    struct Job<'a> {
        exp: &'a Experiment,
        base: Source,
        variant: &'a Variant,
        ablation: Option<usize>,
        replicate: usize,
    }
    let mut jobs = Vec::new();
    for exp in &experiments {
        let base = Source::find(exp.base)?;
        for variant in &variants {
            let ablations = exp.ablations();
            for ablation in std::iter::once(None).chain((0..ablations.len()).map(Some)) {
                for replicate in 0..opts.replicates {
                    jobs.push(Job {
                        exp,
                        base: base.clone(),
                        variant,
                        ablation,
                        replicate,
                    });
                }
            }
        }
    }
    let structure = opts.structure();
    type JobResult = (Vec<f64>, Vec<Vec<f64>>);
    let results: Vec<Result<JobResult, ScenarioError>> = jobs
        .par_iter()
        .map(|job| {
            let seed = replicate_seed(job.variant.seed, job.replicate);
            let extra: Vec<String> = match job.ablation {
                Some(a) => job.exp.ablations()[a]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                None => Vec::new(),
            };
            let mut runs = Vec::with_capacity(job.exp.arms.len());
            for arm in &job.exp.arms {
                let mut sets = opts.sets.clone();
                sets.extend(arm.sets.iter().map(|s| s.to_string()));
                sets.extend(extra.iter().cloned());
                let scenario = arm_scenario(&job.base, &sets, &structure, job.variant, seed)?;
                runs.push(Run::simulate(&scenario));
            }
            let effects = job.exp.parts.iter().map(|p| (p.effect)(&runs)).collect();
            // The shipped variant's un-ablated runs feed the band charts.
            let bands = if job.ablation.is_none() && job.variant.is_shipped() {
                runs.iter()
                    .map(|run| {
                        let s = run.sector(job.exp.show.0);
                        (1..=s.periods()).map(|t| s.at(job.exp.show.1, t)).collect()
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ok((effects, bands))
        })
        .collect();
    let runs = jobs.iter().map(|j| j.exp.arms.len() as u64).sum();

    // Collect in job order: experiments, variants, ablations, replicates.
    let mut results = results.into_iter();
    let mut findings = Vec::new();
    let mut bands = Vec::new();
    for exp in &experiments {
        for variant in &variants {
            let n_ablations = exp.ablations().len();
            // effects[ablation + 1][part][replicate]
            let mut effects = vec![vec![Vec::new(); exp.parts.len()]; n_ablations + 1];
            let mut arm_series: Vec<Vec<Vec<f64>>> = vec![Vec::new(); exp.arms.len()];
            for slot in effects.iter_mut() {
                for _ in 0..opts.replicates {
                    let (values, series) = results.next().expect("one result per job")?;
                    for (p, v) in values.into_iter().enumerate() {
                        slot[p].push(v);
                    }
                    for (a, s) in series.into_iter().enumerate() {
                        arm_series[a].push(s);
                    }
                }
            }
            for (p, part) in exp.parts.iter().enumerate() {
                let values = &effects[0][p];
                let effect = mean_ci(values);
                let ablated = part.ablation.map(|sets| {
                    let a = exp
                        .ablations()
                        .iter()
                        .position(|s| *s == sets)
                        .expect("every part's ablation is listed");
                    mean_ci(&effects[a + 1][p])
                });
                let caused = match &ablated {
                    Some(i) => Caused::of(&effect, i, part.expect),
                    None => Caused::NotTested,
                };
                findings.push(Finding {
                    claim: exp.claim,
                    part: part.id,
                    statement: part.statement,
                    variant: variant.name.clone(),
                    expect: part.expect,
                    replicates: values.iter().filter(|v| !v.is_nan()).count(),
                    effect,
                    verdict: Verdict::of(&effect, part.expect),
                    mechanism: part.mechanism,
                    limits: part.limits,
                    ablated,
                    caused,
                    sd: sd(values),
                });
            }
            if variant.is_shipped() {
                for (arm, series) in exp.arms.iter().zip(arm_series) {
                    let periods = series.iter().map(Vec::len).max().unwrap_or(0);
                    let by_period = (0..periods)
                        .map(|t| {
                            let vals: Vec<f64> = series
                                .iter()
                                .map(|s| s.get(t).copied().unwrap_or(f64::NAN))
                                .collect();
                            mean_ci(&vals)
                        })
                        .collect();
                    bands.push(ArmBand {
                        claim: exp.claim,
                        experiment: exp.parts[0].id,
                        arm: arm.label.to_string(),
                        sector: exp.show.0,
                        column: exp.show.1,
                        by_period,
                    });
                }
            }
        }
    }
    Ok(Outcome {
        findings,
        bands,
        runs,
    })
}

/// Sample standard deviation of the non-NaN values (0 for fewer than two).
fn sd(values: &[f64]) -> f64 {
    let kept: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if kept.len() < 2 {
        return 0.0;
    }
    let mean = kept.iter().sum::<f64>() / kept.len() as f64;
    (kept.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (kept.len() - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(estimate: f64, low: f64, high: f64) -> Interval {
        Interval {
            estimate,
            low,
            high,
        }
    }

    fn options(firms: f64, horizon: f64) -> Options {
        Options {
            replicates: 2,
            seed: 1,
            only: vec![3],
            robust: false,
            sets: Vec::new(),
            firms,
            horizon,
        }
    }

    #[test]
    fn firms_and_horizon_scale_every_arm_before_the_variant() {
        let base = Source::find("soe-protection").unwrap();
        let shipped = arm_scenario(&base, &[], &[], &Variant::shipped(1), 5).unwrap();
        let opts = options(0.5, 2.0);
        let changed = arm_scenario(&base, &[], &opts.structure(), &Variant::shipped(1), 5).unwrap();
        assert_eq!(changed.periods, 2 * shipped.periods);
        assert_eq!(changed.sector.len(), shipped.sector.len());
        for (c, s) in changed.sector.iter().zip(&shipped.sector) {
            assert_eq!(2 * c.firms_private, s.firms_private);
            assert_eq!(2 * c.firms_soe, s.firms_soe);
        }
        // A variant's change comes on top: three times the halved firms.
        let x3 = Variant::robust(1)
            .into_iter()
            .find(|v| v.change == Change::Firms(3.0))
            .unwrap();
        let both = arm_scenario(&base, &[], &opts.structure(), &x3, 5).unwrap();
        assert_eq!(
            both.sector[0].firms_private,
            3 * changed.sector[0].firms_private
        );
        // Factors of one change nothing.
        assert!(options(1.0, 1.0).structure().is_empty());
        // A scenario the change makes invalid is refused, naming the change.
        let err = check_sets(&options(1.0, 100_000.0))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--horizon 100000: periods"), "{err}");
    }

    #[test]
    fn verdicts_follow_the_written_rule() {
        use Expect::*;
        assert_eq!(
            Verdict::of(&interval(1.0, 0.5, 1.5), Positive),
            Verdict::Holds
        );
        assert_eq!(
            Verdict::of(&interval(1.0, -0.5, 2.5), Positive),
            Verdict::Weak
        );
        assert_eq!(
            Verdict::of(&interval(-1.0, -1.5, -0.5), Positive),
            Verdict::Fails
        );
        assert_eq!(
            Verdict::of(&interval(-1.0, -1.5, -0.5), Negative),
            Verdict::Holds
        );
        assert_eq!(
            Verdict::of(&interval(0.2, -0.1, 0.5), Negative),
            Verdict::Fails
        );
        let full = interval(1.0, 0.9, 1.1);
        assert_eq!(
            Caused::of(&full, &interval(0.1, -0.1, 0.3), Positive),
            Caused::Yes
        );
        assert_eq!(
            Caused::of(&full, &interval(0.5, 0.1, 0.9), Positive),
            Caused::No
        );
        assert_eq!(
            Caused::of(&full, &interval(0.2, 0.19, 0.21), Positive),
            Caused::Yes
        );
        assert_eq!(
            Caused::of(&full, &interval(-0.5, -0.9, -0.1), Positive),
            Caused::Yes
        );
        let down = interval(-1.0, -1.1, -0.9);
        assert_eq!(
            Caused::of(&down, &interval(-0.5, -0.6, -0.4), Negative),
            Caused::No
        );
        assert_eq!(
            Caused::of(&down, &interval(-0.2, -0.3, -0.1), Negative),
            Caused::Yes
        );
    }

    #[test]
    fn replicate_seeds_differ_and_stay_in_range() {
        let seeds: std::collections::BTreeSet<u64> =
            (0..100).map(|r| replicate_seed(7, r)).collect();
        assert_eq!(seeds.len(), 100);
        assert!(
            seeds
                .iter()
                .all(|&s| s <= crate::scenario::validate::MAX_SEED)
        );
        assert_ne!(replicate_seed(7, 0), replicate_seed(8, 0));
    }
}
