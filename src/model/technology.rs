//! Technology paths, the consortium's shared record of them, and paradigms.

use rand_chacha::ChaCha8Rng;

use super::rng::uniform;
use crate::scenario::Structure;
use crate::scenario::validate::dead_paths;

/// The technology paths of a sector's current paradigm.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Hidden promise of each path: the chance that a well-funded try succeeds.
    pub promise: Vec<f64>,
    /// Consortium record of the paradigm: tries and successes on each path.
    pub trials: Vec<u64>,
    pub successes: Vec<u64>,
    /// Paths the consortium has declared dead ends.
    pub dead: Vec<bool>,
    /// Which paths really are dead ends: hidden from firms, used only to record
    /// how many explorers work on one.
    pub dead_end: Vec<bool>,
}

impl Paths {
    /// Draws a paradigm's paths: `round(P * dead_end_share)` dead ends at
    /// `dead_promise`, the rest uniform on [promise_low, promise_high], in random order.
    pub fn draw(st: &Structure, dead_promise: f64, rng: &mut ChaCha8Rng) -> Paths {
        let p = st.paths as usize;
        let dead = dead_paths(st.paths, st.dead_end_share) as usize;
        let mut promise: Vec<f64> = (0..p)
            .map(|i| {
                if i < dead {
                    dead_promise
                } else {
                    st.promise_low + (st.promise_high - st.promise_low) * uniform(rng)
                }
            })
            .collect();
        // Fisher-Yates, so that path 0 is not always a dead end.
        for i in (1..p).rev() {
            let j = (uniform(rng) * (i + 1) as f64) as usize;
            promise.swap(i, j.min(i));
        }
        Paths {
            trials: vec![0; p],
            successes: vec![0; p],
            dead: vec![false; p],
            dead_end: promise
                .iter()
                .map(|&x| x <= dead_promise && dead > 0)
                .collect(),
            promise,
        }
    }

    pub fn len(&self) -> usize {
        self.promise.len()
    }

    pub fn is_empty(&self) -> bool {
        self.promise.is_empty()
    }

    /// Posterior mean success rate of a path under a uniform prior.
    fn posterior(&self, p: usize) -> f64 {
        (self.successes[p] as f64 + 1.0) / (self.trials[p] as f64 + 2.0)
    }

    /// Adds a period's pooled tries and declares dead ends: a path with at least
    /// `evidence` tries whose posterior success rate is under a third of the best
    /// well-tried path's.
    pub fn pool(&mut self, trials: &[u64], successes: &[u64], evidence: u64) {
        for p in 0..self.len() {
            self.trials[p] += trials[p];
            self.successes[p] += successes[p];
        }
        let best = (0..self.len())
            .filter(|&p| self.trials[p] >= evidence)
            .map(|p| self.posterior(p))
            .fold(0.0_f64, f64::max);
        let live_left = self.dead.iter().filter(|d| !**d).count();
        let mut live = live_left;
        for p in 0..self.len() {
            if !self.dead[p]
                && self.trials[p] >= evidence
                && self.posterior(p) < best / 3.0
                && live > 1
            {
                self.dead[p] = true;
                live -= 1;
            }
        }
    }

    /// The path of highest promise (the first of equals), which nobody in the model
    /// observes: recorded to show whether firms find it.
    pub fn best(&self) -> usize {
        (0..self.len())
            .rev()
            .max_by(|&x, &y| self.promise[x].total_cmp(&self.promise[y]))
            .unwrap_or(0)
    }

    /// The path a firm moves to when it leaves `current`.
    ///
    /// Alone (`follow` is `None`), a firm cannot tell paths apart and picks another one
    /// at random. In a consortium it avoids declared dead ends and, with probability
    /// `follow`, moves to the path with the best shared record; otherwise it spreads to
    /// another live path.
    pub fn next_path(&self, current: u16, follow: Option<f64>, u: f64) -> u16 {
        let n = self.len();
        if n <= 1 {
            return 0;
        }
        let cur = current as usize;
        let Some(follow) = follow else {
            let r = ((u * (n - 1) as f64) as usize).min(n - 2);
            return (if r >= cur { r + 1 } else { r }) as u16;
        };
        if u < follow {
            let best = (0..n).filter(|&p| !self.dead[p]).max_by(|&x, &y| {
                self.posterior(x)
                    .total_cmp(&self.posterior(y))
                    .then(y.cmp(&x))
            });
            if let Some(b) = best
                && b != cur
            {
                return b as u16;
            }
        }
        let others: Vec<usize> = (0..n).filter(|&p| !self.dead[p] && p != cur).collect();
        if others.is_empty() {
            return current;
        }
        // The part of `u` not used by the choice above, again uniform on [0, 1).
        let v = if u < follow {
            u / follow
        } else {
            (u - follow) / (1.0 - follow)
        };
        others[((v * others.len() as f64) as usize).min(others.len() - 1)] as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Phase, stream};
    use crate::scenario::Regime;

    #[test]
    fn a_leading_sector_has_its_share_of_dead_ends() {
        let st = Structure::of_regime(Regime::Leading);
        let mut rng = stream(1, 0, 0, Phase::Init, 0);
        let p = Paths::draw(&st, 0.02, &mut rng);
        assert_eq!(p.len(), 8);
        assert_eq!(p.promise.iter().filter(|&&x| x == 0.02).count(), 4);
        assert!(
            p.promise
                .iter()
                .all(|&x| x == 0.02 || (0.3..=0.9).contains(&x))
        );
    }

    #[test]
    fn a_lone_firm_never_picks_its_own_path_again() {
        let st = Structure::of_regime(Regime::Leading);
        let p = Paths::draw(&st, 0.02, &mut stream(1, 0, 0, Phase::Init, 0));
        for k in 0..100 {
            let u = k as f64 / 100.0;
            let next = p.next_path(3, None, u);
            assert_ne!(next, 3);
            assert!((next as usize) < p.len());
        }
    }

    #[test]
    fn the_consortium_declares_a_path_without_successes_dead() {
        let st = Structure::of_regime(Regime::Parallel);
        let mut p = Paths::draw(&st, 0.02, &mut stream(1, 0, 0, Phase::Init, 0));
        p.pool(&[30, 30, 30], &[0, 10, 12], 20);
        assert_eq!(p.dead, vec![true, false, false]);
        // Followers go to the best record, never to the dead end.
        assert_eq!(p.next_path(0, Some(0.5), 0.1), 2);
        for k in 0..100 {
            assert_ne!(p.next_path(1, Some(0.5), k as f64 / 100.0), 0);
        }
    }
}
