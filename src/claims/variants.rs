//! The structural variants of `catchup claims --robust`: the same experiment on a
//! scenario changed in ways no claim should depend on. A claim holds only if it holds
//! on every variant.

use crate::model::rng::mix;
use crate::scenario::ValidScenario;
use crate::scenario::validate::MAX_SEED;
use crate::scenario::{Scenario, ScenarioError};

/// How a variant changes an experiment's scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// The scenario as the experiment defines it.
    None,
    /// Every sector's firm counts multiplied by this factor and rounded; a count that
    /// was not zero stays at least one.
    Firms(f64),
    /// The run lengthened by this factor (paradigm shifts stay where they are).
    Horizon(f64),
    /// An extra sector, a copy of the first, put in front of the others: every sector's
    /// random streams move to another index, and the economy has one more sector.
    ExtraSector,
}

/// A variant: a name, a master seed and a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub seed: u64,
    pub change: Change,
}

impl Variant {
    /// The experiments as defined, at the master seed.
    pub fn shipped(seed: u64) -> Variant {
        Variant {
            name: "shipped".into(),
            seed,
            change: Change::None,
        }
    }

    /// The variants of `--robust`: as shipped, a second master seed, three times the
    /// firms, one more sector, a 1.5 times longer horizon, half the firms (each of the
    /// last four at a seed of its own). Half the firms came last (2026-12-07), so the
    /// others kept their seeds.
    pub fn robust(seed: u64) -> Vec<Variant> {
        let other = |k: u64| mix(seed ^ k.wrapping_mul(0x5851_F42D_4C95_7F2D)) & MAX_SEED;
        vec![
            Variant::shipped(seed),
            Variant {
                name: "second-seed".into(),
                seed: other(1),
                change: Change::None,
            },
            Variant {
                name: "firms-x3".into(),
                seed: other(2),
                change: Change::Firms(3.0),
            },
            Variant {
                name: "extra-sector".into(),
                seed: other(3),
                change: Change::ExtraSector,
            },
            Variant {
                name: "horizon-x1.5".into(),
                seed: other(4),
                change: Change::Horizon(1.5),
            },
            // A smaller industry: fewer firms, so that a shakeout can leave a handful.
            Variant {
                name: "firms-half".into(),
                seed: other(5),
                change: Change::Firms(0.5),
            },
        ]
    }

    pub fn is_shipped(&self) -> bool {
        self.name == "shipped"
    }

    /// The scenario with the variant's change applied, checked again.
    pub fn apply(
        &self,
        valid: ValidScenario,
        origin: &str,
    ) -> Result<ValidScenario, ScenarioError> {
        self.change
            .apply(valid, origin, &format!("variant `{}`", self.name))
    }
}

impl Change {
    /// The scenario with this change applied, checked again; `label` names the change
    /// in an error.
    pub fn apply(
        self,
        valid: ValidScenario,
        origin: &str,
        label: &str,
    ) -> Result<ValidScenario, ScenarioError> {
        if let Change::None = self {
            return Ok(valid);
        }
        let mut s = valid.into_inner();
        match self {
            Change::None => {}
            Change::Firms(factor) => {
                for sec in &mut s.sector {
                    sec.firms_private = scaled_count(sec.firms_private, factor);
                    sec.firms_soe = scaled_count(sec.firms_soe, factor);
                }
            }
            Change::Horizon(f) => s.periods = (f64::from(s.periods) * f).round() as u32,
            Change::ExtraSector => {
                let mut extra = s.sector[0].clone();
                extra.name = unique_name(&s, "extra");
                s.sector.insert(0, extra);
            }
        }
        ValidScenario::new(s).map_err(|report| {
            let p = &report.problems[0];
            ScenarioError::plain(origin, format!("{label}: {}: {}", p.path, p.message), None)
        })
    }
}

/// A firm count times `factor`, rounded; one that was not zero stays at least one, so
/// that a variant never removes an ownership from a sector.
fn scaled_count(count: u32, factor: f64) -> u32 {
    if count == 0 {
        return 0;
    }
    // Saturates at u32::MAX; validation then refuses what is too large.
    ((f64::from(count) * factor).round() as u32).max(1)
}

fn unique_name(s: &Scenario, stem: &str) -> String {
    (0..)
        .map(|i| {
            if i == 0 {
                stem.to_string()
            } else {
                format!("{stem}-{i}")
            }
        })
        .find(|n| s.sector.iter().all(|sec| &sec.name != n))
        .expect("some name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_change_what_they_say_and_stay_valid() {
        let base = crate::scenario::load(Some("soe-protection"), &[]).unwrap();
        for v in Variant::robust(3) {
            let s = v.apply(base.clone(), "test").unwrap();
            match v.change {
                Change::None => assert_eq!(s, base),
                Change::Firms(factor) => {
                    for (changed, shipped) in s.sector.iter().zip(&base.sector) {
                        for (n, n0) in [
                            (changed.firms_private, shipped.firms_private),
                            (changed.firms_soe, shipped.firms_soe),
                        ] {
                            let expected = match n0 {
                                0 => 0.0,
                                _ => (f64::from(n0) * factor).round().max(1.0),
                            };
                            assert_eq!(f64::from(n), expected);
                        }
                    }
                    assert_ne!(s.initial_firms(), base.initial_firms());
                }
                Change::Horizon(_) => assert_eq!(s.periods, 150),
                Change::ExtraSector => {
                    assert_eq!(s.sector.len(), base.sector.len() + 1);
                    assert_eq!(s.sector[0].name, "extra");
                    assert_eq!(s.sector[1..], base.sector[..]);
                }
            }
        }
        let seeds: std::collections::BTreeSet<u64> =
            Variant::robust(3).iter().map(|v| v.seed).collect();
        assert_eq!(seeds.len(), 6, "every variant has a seed of its own");
    }

    #[test]
    fn scaled_counts_round_and_keep_an_ownership_present() {
        assert_eq!(scaled_count(10, 0.5), 5);
        assert_eq!(scaled_count(15, 0.5), 8);
        assert_eq!(scaled_count(1, 0.5), 1);
        assert_eq!(scaled_count(0, 3.0), 0);
        assert_eq!(scaled_count(7, 3.0), 21);
    }
}
