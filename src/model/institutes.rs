//! Research institutes: knowledge that tracks the frontier, staff that follow the
//! researchers' incentive, breakthroughs in the leading regime, and spin-offs.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution};

use super::rng::uniform;
use crate::scenario::ModelParams;

/// Staff level that a given researcher incentive supports, relative to the initial
/// staff: 1 at the default incentive of 0.2, rising to 2 at 0.47 and above, falling
/// toward a quarter as the incentive goes to 0.
pub fn staff_supported(incentive: f64) -> f64 {
    (0.25 + 3.75 * incentive).min(2.0)
}

/// A sector's institutes, struct of arrays.
#[derive(Debug, Clone, Default)]
pub struct Institutes {
    /// Knowledge `k`, a productivity level.
    pub knowledge: Vec<f64>,
    /// Staff `h`, the institute's capability.
    pub staff: Vec<f64>,
}

/// The outcome of a period for the institutes.
#[derive(Debug, Clone, Default)]
pub struct InstituteTally {
    pub breakthroughs: u64,
    /// Productivity levels of spin-off firms founded this period.
    pub spinoffs: Vec<f64>,
}

impl Institutes {
    pub fn new(n: usize, knowledge: f64) -> Self {
        Institutes {
            knowledge: vec![knowledge; n],
            staff: vec![1.0; n],
        }
    }

    /// One period: staff drift, learning toward the frontier, breakthroughs when
    /// `breakthrough` is given (the leading regime: draws on [0, high]), spin-offs.
    pub fn step(
        &mut self,
        m: &ModelParams,
        frontier: f64,
        incentive: f64,
        breakthrough: Option<(Beta<f64>, f64)>,
        rng: &mut ChaCha8Rng,
    ) -> InstituteTally {
        let mut t = InstituteTally::default();
        let supported = staff_supported(incentive);
        for j in 0..self.knowledge.len() {
            let h = &mut self.staff[j];
            *h += m.staff_drift * (supported - *h);
            let k = &mut self.knowledge[j];
            *k += m.institute_learning * *h * (frontier - *k).max(0.0);
            if let Some((draw, high)) = breakthrough
                && uniform(rng) < 1.0 - (-m.zeta_innovation * *h * m.institute_learning).exp()
            {
                *k *= 1.0 + high * draw.sample(rng);
                t.breakthroughs += 1;
            }
            if uniform(rng) < m.spinoff_rate {
                t.spinoffs.push(*k * (0.9 + 0.1 * uniform(rng)));
            }
        }
        t
    }

    /// Rescales knowledge at a paradigm shift, keeping each institute's distance to the frontier.
    pub fn rescale(&mut self, factor: f64) {
        for k in &mut self.knowledge {
            *k *= factor;
        }
    }

    pub fn mean_knowledge(&self) -> f64 {
        mean(&self.knowledge)
    }

    pub fn mean_staff(&self) -> f64 {
        mean(&self.staff)
    }

    pub fn total_staff(&self) -> f64 {
        self.staff.iter().sum()
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Phase, stream};

    #[test]
    fn knowledge_tracks_the_frontier_and_staff_follow_the_incentive() {
        let m = ModelParams {
            spinoff_rate: 0.0,
            ..ModelParams::default()
        };
        let mut inst = Institutes::new(2, 0.5);
        let mut rng = stream(1, 0, 1, Phase::Sector, 0);
        inst.step(&m, 1.0, 0.2, None, &mut rng);
        // Staff stay at 1 at the default incentive; knowledge closes rho * h of the gap.
        assert!((inst.staff[0] - 1.0).abs() < 1e-12);
        assert!((inst.knowledge[0] - (0.5 + 0.1 * 0.5)).abs() < 1e-12);
        for _ in 0..200 {
            inst.step(&m, 1.0, 0.0, None, &mut rng);
        }
        assert!(
            (inst.staff[0] - 0.25).abs() < 1e-3,
            "staff drift out at no incentive"
        );
        assert!(inst.knowledge[0] <= 1.0);
    }
}
