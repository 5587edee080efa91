//! Steps 3-6 of a period for one chunk of firms, in one pass: paradigm switching,
//! delivery of ordered (foreign) equipment, R&D (absorption and exploration), and
//! uptake of institute results. It ends by pricing each firm for the market.

use super::draws::BetaTable;
use super::firms::FirmChunk;
use super::levers::Levers;
use super::pricing::Pricing;
use super::rng::{Phase, stream, uniform, uniform_pair};
use super::technology::Paths;
use crate::scenario::ModelParams;

/// What the pass needs from the sector, fixed for the period.
pub struct InnovationContext<'a> {
    pub seed: u64,
    pub sector: u32,
    pub period: u32,
    pub model: &'a ModelParams,
    pub levers: &'a Levers,
    pub pricing: Pricing,
    /// Share of demand that has moved to the current paradigm.
    pub phi: f64,
    /// The foreign frontier `F` of the current paradigm.
    pub frontier: f64,
    /// The frontier firms absorb from: `F`, or the best domestic firm if better in the leading regime.
    pub frontier_eff: f64,
    pub capital_price: f64,
    /// Cost of a unit of research effort this period.
    pub research_cost: f64,
    /// R&D budget of a firm of mean revenue, in units of effort.
    pub mean_budget: f64,
    pub exploration_share: f64,
    pub equipment_level: f64,
    pub innovation_low: f64,
    pub innovation_high: f64,
    pub innovation_draw: &'a BetaTable,
    pub paths: &'a Paths,
    pub institute_knowledge: &'a [f64],
}

/// Sums over a chunk, combined in chunk order.
#[derive(Debug, Clone, Default)]
pub struct InnovationTally {
    pub innovations: u64,
    pub absorptions: u64,
    pub transfers: u64,
    pub paths_abandoned: u64,
    pub switches: u64,
    /// Firms exploring this period, and those of them on a dead-end path.
    pub explorers: u64,
    pub explorers_on_dead_ends: u64,
    /// Capacity-weighted productivity gains by source: sum of `delta a * K`.
    pub gain_introduction: f64,
    pub gain_absorption: f64,
    pub gain_innovation: f64,
    pub gain_transfer: f64,
    /// Exploration tries and successes per path.
    pub trials: Vec<u64>,
    pub successes: Vec<u64>,
    /// Share-weighted compared price and shares, for the market's mean price.
    pub share_price: f64,
    pub share: f64,
}

impl InnovationTally {
    pub fn new(paths: usize) -> Self {
        InnovationTally {
            trials: vec![0; paths],
            successes: vec![0; paths],
            ..Default::default()
        }
    }

    pub fn add(&mut self, o: &InnovationTally) {
        self.innovations += o.innovations;
        self.absorptions += o.absorptions;
        self.transfers += o.transfers;
        self.paths_abandoned += o.paths_abandoned;
        self.switches += o.switches;
        self.explorers += o.explorers;
        self.explorers_on_dead_ends += o.explorers_on_dead_ends;
        self.gain_introduction += o.gain_introduction;
        self.gain_absorption += o.gain_absorption;
        self.gain_innovation += o.gain_innovation;
        self.gain_transfer += o.gain_transfer;
        for (a, b) in self.trials.iter_mut().zip(&o.trials) {
            *a += b;
        }
        for (a, b) in self.successes.iter_mut().zip(&o.successes) {
            *a += b;
        }
        self.share_price += o.share_price;
        self.share += o.share;
    }
}

/// Absorptive capacity: the ownership's base, from half to all of it as the R&D stock grows.
#[inline]
pub fn absorptive_capacity(base: f64, stock: f64, half: f64) -> f64 {
    base * (0.5 + 0.5 * stock / (stock + half))
}

/// Runs the pass over one chunk.
pub fn innovate(c: FirmChunk<'_>, x: &InnovationContext<'_>) -> InnovationTally {
    let m = x.model;
    let lv = x.levers;
    let mut rng = stream(
        x.seed,
        x.sector,
        x.period,
        Phase::Innovation,
        c.index as u64,
    );
    let mut tally = InnovationTally::new(x.paths.len());
    let paradigm = x.pricing.paradigm;
    let n_paths = x.paths.len();
    let n_inst = x.institute_knowledge.len();
    let absorb_base = [m.absorb_private, m.absorb_soe];
    let xi = x.exploration_share;
    let transfer_chance = lv.bridge * lv.researcher_incentive * m.transfer_rate;

    for i in 0..c.id.len() {
        if !c.alive[i] {
            continue;
        }
        let soe = c.soe[i];
        let owner = &lv.by_owner[usize::from(soe)];
        let kept = c.capacity[i] * (1.0 - m.depreciation);
        let delivered = c.pending[i];

        // Paradigm switch: as demand moves over, a firm that can pay for re-tooling its
        // capacity out of its own net worth switches. Soft credit does not pay for it,
        // so heavy sunk capacity locks a firm in until depreciation shrinks the bill.
        if c.vintage[i] != paradigm {
            let (u, v) = uniform_pair(&mut rng);
            let cost = m.retool_cost * x.capital_price * kept;
            if c.net_worth[i] >= cost && u < x.phi {
                c.net_worth[i] -= cost;
                c.a[i] = x.frontier * m.switch_level * (0.9 + 0.2 * v);
                c.vintage[i] = paradigm;
                c.streak[i] = 0;
                c.experience[i] = 0;
                c.path[i] = ((v * n_paths as f64) as usize).min(n_paths - 1) as u16;
                tally.switches += 1;
            }
        }
        let current = c.vintage[i] == paradigm;

        // Introduction: equipment ordered last period embodies max(a, psi F).
        let embodied = x.equipment_level * x.frontier;
        if delivered > 0.0 && current && embodied > c.a[i] {
            let before = c.a[i];
            let after = (before * kept + embodied * delivered) / (kept + delivered);
            c.a[i] = after;
            tally.gain_introduction += (after - before) * (kept + delivered);
        }
        c.capacity[i] = kept + delivered;
        c.pending[i] = 0.0;
        let k = c.capacity[i];

        if current {
            // Effort grows with the budget less than proportionally (elasticity below one):
            // a firm ten times the mean size does not get ten times the odds.
            let budget = m.rd_share * c.revenue[i] * (1.0 + owner.rd_subsidy) / x.research_cost;
            let effort = if x.mean_budget > 0.0 {
                x.mean_budget * (budget / x.mean_budget).powf(m.rd_size_elasticity)
            } else {
                budget
            };
            let stock = f64::from(c.rd_stock[i]) * (1.0 - m.rd_stock_decay) + effort;
            c.rd_stock[i] = stock as f32;
            let absorb = absorptive_capacity(absorb_base[usize::from(soe)], stock, m.rd_stock_half);
            let (u_abs, u_exp) = uniform_pair(&mut rng);

            // Absorption: the gain is proportional to the gap, so it shrinks as the gap closes.
            let e_abs = (1.0 - xi) * effort;
            if e_abs > 0.0 && u_abs < 1.0 - (-m.zeta_imitation * e_abs * absorb).exp() {
                let gain = m.absorption_step * absorb * (x.frontier_eff - c.a[i]).max(0.0);
                if gain > 0.0 {
                    c.a[i] += gain;
                    tally.absorptions += 1;
                    tally.gain_absorption += gain * k;
                }
            }

            // Exploration along the firm's technology path.
            let e_exp = xi * effort;
            if e_exp > 0.0 {
                let mut path = c.path[i] as usize;
                if lv.consortium && x.paths.dead[path] {
                    path = x.paths.next_path(path as u16, true, uniform(&mut rng)) as usize;
                    c.path[i] = path as u16;
                    c.streak[i] = 0;
                    c.experience[i] = 0;
                    tally.paths_abandoned += 1;
                }
                let learning = 1.0
                    + m.path_learning * f64::from(c.experience[i].min(m.path_learning_cap as u16));
                let chance =
                    (1.0 - (-m.zeta_innovation * e_exp * learning).exp()) * x.paths.promise[path];
                tally.trials[path] += 1;
                tally.explorers += 1;
                tally.explorers_on_dead_ends += u64::from(x.paths.dead_end[path]);
                if u_exp < chance {
                    tally.successes[path] += 1;
                    c.streak[i] = 0;
                    let draw = x.innovation_draw.quantile(uniform(&mut rng));
                    let step = x.innovation_low + (x.innovation_high - x.innovation_low) * draw;
                    if step > 0.0 {
                        let gain = c.a[i] * step;
                        c.a[i] += gain;
                        tally.innovations += 1;
                        tally.gain_innovation += gain * k;
                    }
                } else {
                    c.streak[i] = c.streak[i].saturating_add(1);
                    if u32::from(c.streak[i]) >= owner.tolerance {
                        c.path[i] =
                            x.paths
                                .next_path(path as u16, lv.consortium, uniform(&mut rng));
                        c.streak[i] = 0;
                        c.experience[i] = 0;
                        tally.paths_abandoned += 1;
                    }
                }
                c.experience[i] = c.experience[i].saturating_add(1);
            }

            // Transfer over the bridge: each firm draws once, then which institute.
            if n_inst > 0 {
                let (u_take, u_which) = uniform_pair(&mut rng);
                if u_take < transfer_chance * absorb {
                    let j = ((u_which * n_inst as f64) as usize).min(n_inst - 1);
                    let kj = x.institute_knowledge[j];
                    if kj > c.a[i] {
                        let gain = m.transfer_step * (kj - c.a[i]);
                        c.a[i] += gain;
                        tally.transfers += 1;
                        tally.gain_transfer += gain * k;
                    }
                }
            }
        }

        let p = x.pricing.compared_price(c.a[i], soe, c.vintage[i]);
        tally.share_price += c.share[i] * p;
        tally.share += c.share[i];
    }
    tally
}
