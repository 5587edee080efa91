//! Steps 3-6 of a period for one chunk of firms, in one pass: paradigm switching,
//! delivery of ordered (foreign) equipment, R&D (absorption and exploration), and
//! uptake of institute results. It ends by pricing each firm for the market.

use super::draws::BetaTable;
use super::firms::{BLOCK, FirmChunk};
use super::isa::compiled_for_each_isa;
use super::levers::Levers;
use super::pricing::{Pricing, replicator};
use super::rng::{FirmKey, Phase, uniform, uniform_pair};
use super::technology::Paths;
use crate::scenario::{ModelParams, Ownership, PerOwner};

/// What the pass needs from the sector, fixed for the period.
pub struct InnovationContext<'a> {
    pub seed: u64,
    pub sector: u32,
    pub period: u32,
    pub model: &'a ModelParams,
    pub levers: &'a Levers,
    pub pricing: Pricing,
    /// The foreign frontier `F` of the current paradigm.
    pub frontier: f64,
    /// The frontier firms absorb from: `F`, or the best domestic firm if better in the leading regime.
    pub frontier_eff: f64,
    pub capital_price: f64,
    /// Last period's mean compared price of the market, in this period's money.
    pub market_price: f64,
    /// This period's import price, tariff included: the price at which buyers can get
    /// the current paradigm's product in any quantity (7.4).
    pub import_price: f64,
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
    /// Capacity-weighted productivity gains by source: sum of `delta a * K`.
    pub gain_introduction: f64,
    pub gain_absorption: f64,
    pub gain_innovation: f64,
    pub gain_transfer: f64,
    /// Exploration tries and successes per path. A firm that explores tries once, so
    /// the explorers are counted from the tries (see [`InnovationTally::explorers`]):
    /// counting them in the loop too cost it three more running sums.
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

    /// Firms exploring this period.
    pub fn explorers(&self) -> u64 {
        self.trials.iter().sum()
    }

    /// Firms exploring a path that really is a dead end (hidden from them).
    pub fn explorers_on_dead_ends(&self, paths: &Paths) -> u64 {
        self.trials
            .iter()
            .zip(&paths.dead_end)
            .filter(|&(_, &dead_end)| dead_end)
            .map(|(&tries, _)| tries)
            .sum()
    }

    /// Firms exploring the most promising path.
    pub fn explorers_on_best_path(&self, paths: &Paths) -> u64 {
        self.trials.get(paths.best()).copied().unwrap_or(0)
    }
}

/// Absorptive capacity: the ownership's base, from half to all of it as the R&D stock grows.
#[inline]
pub fn absorptive_capacity(base: f64, stock: f64, half: f64) -> f64 {
    base * (0.5 + 0.5 * stock / (stock + half))
}

/// The share of its buyers the market is taking from firm `i`: what the replicator
/// would take at the firm's quality-adjusted price against the `reference` price, 0
/// for a firm that holds or gains its market. The signal that triggers search: in R&D
/// (7.7) against last period's market price (in this period's wages), for a new
/// technology (7.4) against the import price of the new paradigm's product.
#[inline]
fn market_pressure(x: &InnovationContext<'_>, price: f64, reference: f64) -> f64 {
    (1.0 - replicator(x.model.selection, price, reference)).max(0.0)
}

/// `ratio^elasticity`, with exact fast paths for the common elasticities: a general
/// `powf` per firm and period was a tenth of a large run's time.
#[inline]
pub fn elastic(ratio: f64, elasticity: f64) -> f64 {
    if elasticity == 1.0 {
        ratio
    } else if elasticity == 0.5 {
        ratio.sqrt()
    } else if elasticity == 0.25 {
        ratio.sqrt().sqrt()
    } else if elasticity == 0.0 {
        1.0
    } else {
        ratio.powf(elasticity)
    }
}

/// Whether a uniform draw `u` falls below `scale (1 - e^-z)`, the chance of success of
/// an effort of intensity `z >= 0`.
///
/// The answer is exactly that of computing the exponential, but the exponential is
/// computed only when `u` lies between two cheap bounds of `1 - e^-z` (from the series
/// of `e^z` and `e^-z`), which is a small fraction of the draws.
#[inline]
pub fn succeeds(u: f64, z: f64, scale: f64) -> bool {
    // Relative margin that covers the rounding of the bounds.
    const SLACK: f64 = 1e-9;
    let z2 = z * z;
    // A multiplication, not a division: a division per firm and try was a tenth of the
    // pass. The bounds only need to be bounds; SLACK absorbs the rounding.
    let cubic = z2 * z * (1.0 / 6.0);
    // 1 - e^-z <= z - z^2/2 + z^3/6: most failures are settled here, with no division.
    let upper = (z - 0.5 * z2 + cubic).min(1.0);
    if u >= scale * upper * (1.0 + SLACK) {
        return false;
    }
    // 1 - e^-z >= 1 - 1/P with P = 1 + z + z^2/2 + z^3/6 <= e^z; multiplied out by P > 0.
    let p = 1.0 + z + 0.5 * z2 + cubic;
    if u * p < scale * (p - 1.0) * (1.0 - SLACK) {
        return true;
    }
    u < scale * (1.0 - (-z).exp())
}

/// The draw-free part of a current-paradigm firm's period, computed before its draws.
#[derive(Debug, Clone, Copy)]
struct Prepared {
    /// `delta a * K` of introduction (0 without one).
    gain_introduction: f64,
    /// Own R&D effort, extra (problemistic) effort, the decayed R&D stock.
    effort: f64,
    extra: f64,
    prior_stock: f64,
    /// A joint project is taken up when the firm's draw falls below this.
    joint_threshold: f64,
}

/// [`Prepared`] for a block of firms, one array per field (what a vectorised loop
/// stores), indexed by slot within the block.
struct PreparedBlock {
    gain_introduction: [f64; BLOCK],
    effort: [f64; BLOCK],
    extra: [f64; BLOCK],
    prior_stock: [f64; BLOCK],
    joint_threshold: [f64; BLOCK],
}

impl PreparedBlock {
    fn new() -> Self {
        PreparedBlock {
            gain_introduction: [0.0; BLOCK],
            effort: [0.0; BLOCK],
            extra: [0.0; BLOCK],
            prior_stock: [0.0; BLOCK],
            joint_threshold: [0.0; BLOCK],
        }
    }

    fn get(&self, j: usize) -> Prepared {
        Prepared {
            gain_introduction: self.gain_introduction[j],
            effort: self.effort[j],
            extra: self.extra[j],
            prior_stock: self.prior_stock[j],
            joint_threshold: self.joint_threshold[j],
        }
    }
}

/// What [`prepare`] needs, fixed for the period.
struct Fixed {
    absorb_base: PerOwner<f64>,
    /// `1 + rd_subsidy`: an ownership's R&D budget per unit of its own money.
    subsidised: PerOwner<f64>,
    xi: f64,
    /// `1 - depreciation`, `1 - rd_stock_decay`: the shares of capacity and R&D stock kept.
    capacity_kept: f64,
    stock_kept: f64,
    /// `(1 - xi) search_response`: extra effort per unit of effort and of buyers lost.
    search_push: f64,
    transfer_chance: f64,
    embodied: f64,
    per_research_cost: f64,
    per_mean_budget: f64,
}

/// A current-paradigm firm's state before its period, as [`prepare`] reads it.
#[derive(Clone, Copy)]
struct Before {
    soe: bool,
    a: f64,
    capacity: f64,
    pending: f64,
    revenue: f64,
    rd_stock: f32,
}

/// What [`prepare`] makes of it: the new productivity and capacity (its order book is
/// then empty), the search intensity, and the rest of its period's draw-free part.
#[derive(Clone, Copy)]
struct After {
    a: f64,
    capacity: f64,
    search: f32,
    prepared: Prepared,
}

/// Delivery, introduction and the effort chain of a current-paradigm firm: everything
/// of its period that needs no draw. A function of numbers with no branch (choices
/// are selections), so that [`prepare_block`] runs it for several firms at once.
///
/// `FOURTH_ROOT` says that the elasticity of effort to the budget is 1/4 (the
/// default), so that the power is two square roots with no test of the elasticity per
/// firm; it gives the same numbers as [`elastic`].
#[inline(always)]
fn prepare<const FOURTH_ROOT: bool>(b: Before, x: &InnovationContext<'_>, f: &Fixed) -> After {
    let m = x.model;
    let kept = b.capacity * f.capacity_kept;
    let delivered = b.pending;
    // Introduction: equipment ordered last period embodies max(a, psi F).
    let introduced = (delivered > 0.0) & (f.embodied > b.a);
    let mixed = (b.a * kept + f.embodied * delivered) / (kept + delivered);
    let a = if introduced { mixed } else { b.a };
    let gain_introduction = if introduced {
        (mixed - b.a) * (kept + delivered)
    } else {
        0.0
    };

    // Effort grows with the budget less than proportionally (elasticity below one):
    // a firm ten times the mean size does not get ten times the odds.
    let budget = m.rd_share * b.revenue * f.subsidised.pick(b.soe) * f.per_research_cost;
    let ratio = budget * f.per_mean_budget;
    let effort = if x.mean_budget > 0.0 {
        x.mean_budget
            * if FOURTH_ROOT {
                ratio.sqrt().sqrt()
            } else {
                elastic(ratio, m.rd_size_elasticity)
            }
    } else {
        budget
    };
    // Problemistic search (Cyert & March 1963; Greve 2003): a firm that is
    // losing buyers puts more of its people and money into research this
    // period, in proportion to the loss up to `search_trigger`; one that holds
    // or gains its market does its routine research. Such search is local: it
    // looks for the cause near the symptom and copies what works elsewhere,
    // so the extra effort goes to absorbing known technology, not to
    // exploring (Cyert & March 1963, ch. 6; exploration is funded from
    // slack). What softens the market's verdict (procurement preference, a
    // tariff) so also softens the pressure to catch up. The firm pays for the
    // extra effort in its R&D bill.
    let price = x.pricing.current_compared_price(a, b.soe);
    let loss = (market_pressure(x, price, x.market_price) / m.search_trigger).min(1.0);
    let extra = (1.0 - f.xi) * effort * m.search_response * loss;
    let search = (1.0 + f.search_push * loss) as f32;

    // A joint project over the bridge: each firm draws once, then which institute.
    // It needs the firm's own research money and people, so take-up grows with
    // absorptive capacity and with the firm's R&D budget up to the mean firm's
    // (Cohen & Levinthal 1990): the bridge serves capable firms rather than
    // sheltering laggards from selection.
    let prior_stock = f64::from(b.rd_stock) * f.stock_kept;
    let capable = absorptive_capacity(f.absorb_base.pick(b.soe), prior_stock, m.rd_stock_half);
    let co_funding = ratio.min(1.0);
    After {
        a,
        capacity: kept + delivered,
        search,
        prepared: Prepared {
            gain_introduction,
            effort,
            extra,
            prior_stock,
            joint_threshold: f.transfer_chance * capable * co_funding,
        },
    }
}

/// A firm's state as [`prepare`] reads it.
#[inline(always)]
fn before(c: &FirmChunk<'_>, i: usize) -> Before {
    Before {
        soe: c.owner[i] == Ownership::Soe,
        a: c.a[i],
        capacity: c.capacity[i],
        pending: c.pending[i],
        revenue: c.revenue[i],
        rd_stock: c.rd_stock[i],
    }
}

/// Writes what [`prepare`] made of a firm's state back to it.
#[inline(always)]
fn write_after(c: &mut FirmChunk<'_>, i: usize, after: &After) {
    c.a[i] = after.a;
    c.capacity[i] = after.capacity;
    c.pending[i] = 0.0;
    c.search[i] = after.search;
}

/// The arrays of a block that [`prepare_block`] only reads.
struct PrepareReads<'a> {
    alive: &'a [bool],
    owner: &'a [Ownership],
    vintage: &'a [u16],
    revenue: &'a [f64],
    rd_stock: &'a [f32],
}

/// [`prepare`] for the current-paradigm firms of one block of slots (`prepared` is
/// indexed as the block). Every slot is computed and the results of the others are
/// dropped by selection: with no branch in it, the compiler runs the loop on several
/// firms at once. The arrays it writes come as separate slices, which the compiler
/// knows overlap nothing (see `accounts::settle_block`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn prepare_block<const FOURTH_ROOT: bool>(
    x: &InnovationContext<'_>,
    f: &Fixed,
    prepared: &mut PreparedBlock,
    read: PrepareReads<'_>,
    a: &mut [f64],
    capacity: &mut [f64],
    pending: &mut [f64],
    search: &mut [f32],
) {
    let paradigm = x.pricing.paradigm;
    let n = read.alive.len().min(BLOCK);
    let (alive, owner, vintage) = (&read.alive[..n], &read.owner[..n], &read.vintage[..n]);
    let (revenue, rd_stock) = (&read.revenue[..n], &read.rd_stock[..n]);
    let (a, capacity, pending, search) = (
        &mut a[..n],
        &mut capacity[..n],
        &mut pending[..n],
        &mut search[..n],
    );
    for j in 0..n {
        let current = alive[j] & (vintage[j] == paradigm);
        let before = Before {
            soe: owner[j] == Ownership::Soe,
            a: a[j],
            capacity: capacity[j],
            pending: pending[j],
            revenue: revenue[j],
            rd_stock: rd_stock[j],
        };
        let after = prepare::<FOURTH_ROOT>(before, x, f);
        a[j] = if current { after.a } else { a[j] };
        capacity[j] = if current { after.capacity } else { capacity[j] };
        pending[j] = if current { 0.0 } else { pending[j] };
        search[j] = if current { after.search } else { search[j] };
        let p = after.prepared;
        prepared.gain_introduction[j] = p.gain_introduction;
        prepared.effort[j] = p.effort;
        prepared.extra[j] = p.extra;
        prepared.prior_stock[j] = p.prior_stock;
        prepared.joint_threshold[j] = p.joint_threshold;
    }
}

compiled_for_each_isa! {
    /// Runs the pass over one chunk.
    pub fn innovate(c: FirmChunk<'_>, x: &InnovationContext<'_>) -> InnovationTally = innovate_body;
}

#[inline(always)]
fn innovate_body(c: FirmChunk<'_>, x: &InnovationContext<'_>) -> InnovationTally {
    // The default elasticity gets a pass of its own (see `prepare`): testing it per
    // firm was 8 instructions of about 390 (cachegrind, benches/figures.sh 1 instr).
    if x.model.rd_size_elasticity == 0.25 {
        innovate_with::<true>(c, x)
    } else {
        innovate_with::<false>(c, x)
    }
}

#[inline(always)]
fn innovate_with<const FOURTH_ROOT: bool>(
    mut c: FirmChunk<'_>,
    x: &InnovationContext<'_>,
) -> InnovationTally {
    let m = x.model;
    let lv = x.levers;
    // Each firm draws from its own stream, keyed by its id: its draws do not depend on
    // its slot or chunk.
    let key = FirmKey::new(x.seed, x.sector, x.period, Phase::Innovation);
    let mut tally = InnovationTally::new(x.paths.len());
    let paradigm = x.pricing.paradigm;
    let n_paths = x.paths.len();
    let n_inst = x.institute_knowledge.len();
    let absorb_base = PerOwner::new(m.absorb_private, m.absorb_soe);
    let xi = x.exploration_share;
    // What an old-paradigm firm measures its price against in deciding to re-tool.
    let switch_reference = if m.switch_against_imports {
        x.import_price
    } else {
        x.market_price
    };
    let follow = lv.consortium.then_some(m.consortium_follow);
    // Loop invariants, divided once rather than per firm.
    let fixed = Fixed {
        absorb_base,
        subsidised: PerOwner::from_fn(|o| 1.0 + lv.by_owner[o].rd_subsidy),
        xi,
        capacity_kept: 1.0 - m.depreciation,
        stock_kept: 1.0 - m.rd_stock_decay,
        search_push: (1.0 - xi) * m.search_response,
        transfer_chance: lv.bridge * lv.researcher_incentive * m.transfer_rate,
        embodied: x.equipment_level * x.frontier,
        per_research_cost: 1.0 / x.research_cost,
        per_mean_budget: if x.mean_budget > 0.0 {
            1.0 / x.mean_budget
        } else {
            0.0
        },
    };
    let mut prepared = PreparedBlock::new();

    let n = c.slots();
    for block in (0..n).step_by(BLOCK) {
        let end = (block + BLOCK).min(n);
        // The draw-free part of the block's current-paradigm firms first.
        let r = block..end;
        prepare_block::<FOURTH_ROOT>(
            x,
            &fixed,
            &mut prepared,
            PrepareReads {
                alive: &c.alive[r.clone()],
                owner: &c.owner[r.clone()],
                vintage: &c.vintage[r.clone()],
                revenue: &c.revenue[r.clone()],
                rd_stock: &c.rd_stock[r.clone()],
            },
            &mut c.a[r.clone()],
            &mut c.capacity[r.clone()],
            &mut c.pending[r.clone()],
            &mut c.search[r],
        );
        for i in block..end {
            if !c.alive[i] {
                continue;
            }
            let mut rng = key.firm(c.id[i]);
            let owner = c.owner[i];
            let owner_levers = &lv.by_owner[owner];
            let p = if c.vintage[i] == paradigm {
                prepared.get(i - block)
            } else {
                // Paradigm switch. A firm changes its technology when the market tells it to
                // (search triggered by failing performance; Cyert & March 1963, Nelson &
                // Winter 1982): each period it re-tools with the chance that it is losing its
                // buyers to the new technology, the share the replicator would take from it
                // at its quality-adjusted price against the price at which buyers can get
                // the new paradigm's product in any quantity: the import price, tariff
                // included (foreign supply is elastic, domestic newcomers' capacity is not;
                // imports carry new technology, Keller 2004). Whatever softens that
                // comparison (imports made dearer, procurement preference) delays the switch
                // (Arrow's replacement effect: protected rents in the old technology). It must pay for
                // re-tooling its capacity out of its own net worth; soft credit does not pay
                // for it, so heavy sunk capacity locks a firm in until depreciation shrinks
                // the bill.
                // The shift destroys the competence of the old paradigm (Tushman & Anderson
                // 1986): what carries over is the capacity to learn the new one, so a switcher
                // starts as far up the new frontier as its absorptive capacity (its R&D stock;
                // Cohen & Levinthal 1990) takes it.
                let kept = c.capacity[i] * (1.0 - m.depreciation);
                let (u, v) = uniform_pair(&mut rng);
                let cost = m.retool_cost * x.capital_price * kept;
                if c.net_worth[i] >= cost
                    && u < market_pressure(
                        x,
                        x.pricing.compared_price(c.a[i], owner, c.vintage[i]),
                        switch_reference,
                    )
                {
                    c.net_worth[i] -= cost;
                    let capable = absorptive_capacity(
                        absorb_base[owner],
                        f64::from(c.rd_stock[i]),
                        m.rd_stock_half,
                    );
                    c.a[i] = x.frontier * m.switch_level * capable * (0.9 + 0.2 * v);
                    c.vintage[i] = paradigm;
                    c.streak[i] = 0;
                    c.experience[i] = 0;
                    c.path[i] = ((v * n_paths as f64) as usize).min(n_paths - 1) as u16;
                    tally.switches += 1;
                    let after = prepare::<FOURTH_ROOT>(before(&c, i), x, &fixed);
                    write_after(&mut c, i, &after);
                    after.prepared
                } else {
                    // Still in an old paradigm: no introduction, no research.
                    c.capacity[i] = kept + c.pending[i];
                    c.pending[i] = 0.0;
                    c.search[i] = 1.0;
                    let price = x.pricing.compared_price(c.a[i], owner, c.vintage[i]);
                    tally.share_price += c.share[i] * price;
                    tally.share += c.share[i];
                    continue;
                }
            };
            tally.gain_introduction += p.gain_introduction;
            let k = c.capacity[i];

            // The joint project's researchers add to the firm's effort this period
            // (and so to its R&D stock).
            let (u_take, u_which) = uniform_pair(&mut rng);
            let joint = n_inst > 0 && u_take < p.joint_threshold;
            let effort = if joint {
                p.effort + m.transfer_effort * x.mean_budget
            } else {
                p.effort
            };
            let extra = p.extra;
            let stock = p.prior_stock + effort + extra;
            c.rd_stock[i] = stock as f32;
            let absorb = absorptive_capacity(absorb_base[owner], stock, m.rd_stock_half);
            let (u_abs, u_exp) = uniform_pair(&mut rng);

            // Absorption: the gain is proportional to the gap, so it shrinks as the gap closes.
            let e_abs = (1.0 - xi) * effort + extra;
            if e_abs > 0.0 && succeeds(u_abs, m.zeta_imitation * e_abs * absorb, 1.0) {
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
                    path =
                        x.paths
                            .next_path(path as u16, Some(m.consortium_follow), uniform(&mut rng))
                            as usize;
                    c.path[i] = path as u16;
                    c.streak[i] = 0;
                    c.experience[i] = 0;
                    tally.paths_abandoned += 1;
                }
                let learning = 1.0
                    + m.path_learning * f64::from(c.experience[i].min(m.path_learning_cap as u16));
                let intensity = m.zeta_innovation * e_exp * learning;
                tally.trials[path] += 1;
                if succeeds(u_exp, intensity, x.paths.promise[path]) {
                    tally.successes[path] += 1;
                    c.streak[i] = 0;
                    let draw = x.innovation_draw.quantile(uniform(&mut rng));
                    let step = x.innovation_low + (x.innovation_high - x.innovation_low) * draw;
                    // A step below zero is a try that brings nothing: gain 0, with no
                    // branch on the draw (a mispredicted one every fourth success).
                    let gain = c.a[i] * step.max(0.0);
                    c.a[i] += gain;
                    tally.innovations += u64::from(step > 0.0);
                    tally.gain_innovation += gain * k;
                } else {
                    c.streak[i] = c.streak[i].saturating_add(1);
                    // A publicly funded project ends at the funder's milestone: after
                    // `rd_patience` failures in a row the grant stops, and the firm
                    // moves on to a new project to keep its funding (Manso 2011;
                    // Azoulay, Graff Zivin & Manso 2011). A patient funder (0) leaves
                    // the decision to the firm's own tolerance.
                    let streak = u32::from(c.streak[i]);
                    let funded = owner_levers.rd_subsidy > 0.0;
                    let milestone = funded && lv.rd_patience > 0 && streak >= lv.rd_patience;
                    if streak >= owner_levers.tolerance || milestone {
                        // The firm gives up on its path. With no other path to try (a
                        // catch-up sector knows one), it starts its next attempt on the
                        // same path and keeps what it learnt there.
                        let next = x.paths.next_path(path as u16, follow, uniform(&mut rng));
                        c.streak[i] = 0;
                        if usize::from(next) != path {
                            c.path[i] = next;
                            c.experience[i] = 0;
                            tally.paths_abandoned += 1;
                        }
                    }
                }
                c.experience[i] = c.experience[i].saturating_add(1);
            }

            // The joint project's knowledge: where the institute knows more than the
            // firm, the firm takes over part of the difference.
            if joint {
                let j = ((u_which * n_inst as f64) as usize).min(n_inst - 1);
                let kj = x.institute_knowledge[j];
                tally.transfers += 1;
                if kj > c.a[i] {
                    let gain = m.transfer_step * (kj - c.a[i]);
                    c.a[i] += gain;
                    tally.gain_transfer += gain * k;
                }
            }

            // The price for the market. Computed again even where R&D left productivity
            // alone: whether it did is random, and a branch on it was mispredicted
            // more often than a division costs.
            let price = x.pricing.compared_price(c.a[i], owner, c.vintage[i]);
            tally.share_price += c.share[i] * price;
            tally.share += c.share[i];
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::firms::{Firm, Firms};
    use crate::model::levers::PolicyState;
    use crate::model::rng::stream;
    use crate::scenario::{Ownership, Regime, Scenario, Structure};

    fn firm(a: f64) -> Firm {
        Firm {
            id: 0,
            owner: Ownership::Private,
            age: 5,
            productivity: a,
            capacity: 10.0,
            net_worth: 10.0,
            debt: 0.0,
            share: 0.5,
            revenue: 100.0,
            output: 8.0,
            pending: 0.0,
            rd_stock: 1e9,
            search: 1.0,
            path: 0,
            streak: 0,
            experience: 0,
            vintage: 0,
            rescues: 0,
        }
    }

    /// A context in which every try succeeds (huge research productivity) and only
    /// the mechanism under test is switched on.
    struct Setup {
        model: ModelParams,
        levers: Levers,
        paths: Paths,
        table: BetaTable,
        knowledge: Vec<f64>,
    }

    impl Setup {
        fn new() -> Setup {
            let mut model = ModelParams {
                zeta_imitation: 1e6,
                zeta_innovation: 1e6,
                depreciation: 0.0,
                ..ModelParams::default()
            };
            model.absorb_private = 1.0;
            let mut levers = PolicyState::new(&Scenario::default()).resolve(0);
            levers.bridge = 0.0;
            let st = Structure::of_regime(Regime::CatchUp);
            let paths = Paths::draw(
                &st,
                model.dead_end_promise,
                &mut stream(1, 0, 0, Phase::Init, 0),
            );
            Setup {
                model,
                levers,
                paths,
                table: BetaTable::new(3.0, 3.0),
                knowledge: Vec::new(),
            }
        }

        /// No absorption; a bridge whose joint project every capable firm takes, to
        /// one institute that knows 0.9.
        fn with_bridge() -> Setup {
            let mut s = Setup::new();
            s.model.zeta_imitation = 0.0;
            s.model.transfer_rate = 1.0;
            s.levers.bridge = 1.0;
            s.levers.researcher_incentive = 1.0;
            s.knowledge = vec![0.9];
            s
        }

        fn context(&self, exploration_share: f64) -> InnovationContext<'_> {
            InnovationContext {
                seed: 1,
                sector: 0,
                period: 1,
                model: &self.model,
                levers: &self.levers,
                pricing: Pricing::for_tests(),
                frontier: 1.0,
                frontier_eff: 1.0,
                capital_price: 1.0,
                market_price: 1.0,
                import_price: 1.0,
                research_cost: 1.0,
                mean_budget: 0.0,
                exploration_share,
                equipment_level: 0.7,
                innovation_low: -0.1,
                innovation_high: 0.1,
                innovation_draw: &self.table,
                paths: &self.paths,
                institute_knowledge: &self.knowledge,
            }
        }
    }

    /// `firms` in slots from 0, through one pass in `ctx` over every chunk; their
    /// states after, in the same order, and the tally.
    fn run_all(
        firms: impl IntoIterator<Item = Firm>,
        ctx: &InnovationContext<'_>,
    ) -> (Vec<Firm>, InnovationTally) {
        let mut all = Firms::default();
        for f in firms {
            all.add(f);
        }
        let mut tally = InnovationTally::new(ctx.paths.len());
        for chunk in all.chunks_mut() {
            tally.add(&innovate(chunk, ctx));
        }
        ((0..all.slots()).map(|i| all.get(i)).collect(), tally)
    }

    /// `paths` paths of a leading sector, drawn as at set-up with dead ends of no
    /// promise: the regime's share of dead ends, or `dead_end_share`.
    fn leading_paths(paths: u32, dead_end_share: Option<f64>) -> Paths {
        let leading = Structure::of_regime(Regime::Leading);
        let st = Structure {
            paths,
            dead_end_share: dead_end_share.unwrap_or(leading.dead_end_share),
            ..leading
        };
        Paths::draw(&st, 0.0, &mut stream(2, 0, 0, Phase::Init, 0))
    }

    fn run_one(f: Firm, ctx: &InnovationContext<'_>) -> (Firm, InnovationTally) {
        let (after, tally) = run_all([f], ctx);
        (after[0], tally)
    }

    /// The default elasticity's own pass gives what the general pass gives with that
    /// elasticity, firm by firm and in the tally, and `innovate` takes the pass that
    /// fits the elasticity; with another elasticity the firms end elsewhere (so the
    /// comparison can tell passes apart).
    #[test]
    fn the_default_elasticitys_pass_is_the_general_pass() {
        #[derive(Clone, Copy)]
        enum Pass {
            Chosen,
            FourthRoot,
            General,
        }
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.3;
        s.model.zeta_innovation = 0.3;
        let run = |s: &Setup, pass: Pass| {
            let mut ctx = s.context(0.5);
            ctx.mean_budget = 4.0;
            let mut firms = Firms::default();
            for id in 0..200 {
                firms.add(Firm {
                    id,
                    revenue: 10.0 + 7.0 * id as f64,
                    ..firm(0.3 + 0.003 * id as f64)
                });
            }
            let chunk = firms.chunks_mut().next().unwrap();
            let tally = match pass {
                Pass::Chosen => innovate(chunk, &ctx),
                Pass::FourthRoot => innovate_with::<true>(chunk, &ctx),
                Pass::General => innovate_with::<false>(chunk, &ctx),
            };
            let states: Vec<Firm> = (0..200).map(|i| firms.get(i)).collect();
            (states, format!("{tally:?}"))
        };
        s.model.rd_size_elasticity = 0.25;
        let quarter = run(&s, Pass::General);
        assert_eq!(run(&s, Pass::FourthRoot), quarter);
        assert_eq!(run(&s, Pass::Chosen), quarter);
        s.model.rd_size_elasticity = 0.5;
        let half = run(&s, Pass::General);
        assert_ne!(half.0, quarter.0);
        assert_eq!(run(&s, Pass::Chosen), half);
    }

    /// A firm's draws are keyed by its id, not its slot: the same firm alone in slot 0
    /// and in slot 7 of a chunk behind other firms ends the pass in the same state.
    #[test]
    fn a_firms_draws_do_not_depend_on_its_slot() {
        let mut s = Setup::new();
        // Odds well inside (0, 1), so that what happens depends on the draws.
        s.model.zeta_imitation = 0.3;
        s.model.zeta_innovation = 0.3;
        let mut ctx = s.context(0.5);
        ctx.mean_budget = 4.0;
        let mut outcomes = Vec::new();
        for id in 0..40 {
            let f = Firm { id, ..firm(0.5) };
            let (alone, _) = run_one(f, &ctx);
            let mut firms = Firms::default();
            for other in 0..7 {
                firms.add(Firm {
                    id: 1000 + other,
                    ..firm(0.3)
                });
            }
            let slot = firms.add(f);
            assert_eq!(slot, 7);
            innovate(firms.chunks_mut().next().unwrap(), &ctx);
            assert_eq!(firms.get(slot), alone, "firm {id}");
            outcomes.push(alone.productivity.to_bits());
        }
        outcomes.sort_unstable();
        outcomes.dedup();
        assert!(outcomes.len() > 2, "the draws decide something");
    }

    #[test]
    fn the_bounded_success_test_agrees_with_the_exponential() {
        let mut rng = stream(3, 0, 0, Phase::Init, 0);
        for _ in 0..200_000 {
            let u = uniform(&mut rng);
            let z = 8.0 * uniform(&mut rng) * uniform(&mut rng);
            let scale = if uniform(&mut rng) < 0.5 {
                1.0
            } else {
                uniform(&mut rng)
            };
            assert_eq!(
                succeeds(u, z, scale),
                u < scale * (1.0 - (-z).exp()),
                "u={u} z={z}"
            );
        }
        // The edges: no effort never succeeds; certainty always does.
        assert!(!succeeds(0.0, 0.0, 1.0));
        assert!(succeeds(0.999_999, 50.0, 1.0));
    }

    #[test]
    fn fast_elasticities_agree_with_powf() {
        for &r in &[0.0, 0.01, 0.5, 1.0, 3.7, 1e6] {
            for &e in &[0.0, 0.25, 0.3, 0.5, 1.0] {
                let exact: f64 = if e == 0.0 { 1.0 } else { f64::powf(r, e) };
                assert!(
                    (elastic(r, e) - exact).abs() <= 1e-12 * exact.max(1.0),
                    "{r}^{e}"
                );
            }
        }
    }

    #[test]
    fn absorption_closes_the_stated_share_of_the_gap() {
        let s = Setup::new();
        let (after, tally) = run_one(firm(0.4), &s.context(0.0));
        // Full R&D stock: absorptive capacity is the private base, 1.
        let expected = 0.4 + s.model.absorption_step * 1.0 * (1.0 - 0.4);
        assert!(
            (after.productivity - expected).abs() < 1e-6,
            "{}",
            after.productivity
        );
        assert_eq!(tally.absorptions, 1);
        assert!((tally.gain_absorption - (expected - 0.4) * 10.0).abs() < 1e-5);
        // An SOE's base is lower (0.7): the step closes that much less of the gap.
        let soe = Firm {
            owner: Ownership::Soe,
            ..firm(0.4)
        };
        let (after, _) = run_one(soe, &s.context(0.0));
        let expected = 0.4 + s.model.absorption_step * s.model.absorb_soe * (1.0 - 0.4);
        assert!(
            (after.productivity - expected).abs() < 1e-6,
            "{}",
            after.productivity
        );
    }

    #[test]
    fn absorption_brings_nothing_at_the_frontier() {
        let s = Setup::new();
        let (after, tally) = run_one(firm(1.0), &s.context(0.0));
        assert_eq!(after.productivity, 1.0);
        assert_eq!(tally.absorptions, 0);
    }

    #[test]
    fn new_equipment_lifts_productivity_to_the_capacity_weighted_mean() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        let mut f = firm(0.3);
        f.pending = 10.0;
        let (after, tally) = run_one(f, &s.context(0.0));
        // Half the capacity is new and embodies 0.7 of the frontier.
        assert!((after.productivity - 0.5).abs() < 1e-12);
        assert_eq!(after.capacity, 20.0);
        assert!((tally.gain_introduction - 0.2 * 20.0).abs() < 1e-9);
        // Beyond psi F, introduction brings nothing.
        let mut f = firm(0.8);
        f.pending = 10.0;
        let (after, tally) = run_one(f, &s.context(0.0));
        assert_eq!(after.productivity, 0.8);
        assert_eq!(tally.gain_introduction, 0.0);
        // The equipment embodies a share of this period's frontier: at a frontier of
        // 2, the same half of new capacity brings the firm to (0.3 + 1.4) / 2.
        let mut ctx = s.context(0.0);
        ctx.frontier = 2.0;
        let mut f = firm(0.3);
        f.pending = 10.0;
        let (after, _) = run_one(f, &ctx);
        assert!(
            (after.productivity - 0.85).abs() < 1e-12,
            "{}",
            after.productivity
        );
    }

    /// Capacity wears out at the depreciation rate before the equipment ordered last
    /// period is added, and the new equipment's productivity is weighed against what
    /// is left of the old.
    #[test]
    fn capacity_depreciates_before_new_equipment_is_added() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        s.model.depreciation = 0.1;
        let mut f = firm(0.3);
        f.pending = 3.0;
        let (after, tally) = run_one(f, &s.context(0.0));
        // 10 * 0.9 = 9 kept at 0.3, 3 new at 0.7 of the frontier.
        assert!((after.capacity - 12.0).abs() < 1e-12, "{}", after.capacity);
        let mixed = (9.0 * 0.3 + 3.0 * 0.7) / 12.0;
        assert!((after.productivity - mixed).abs() < 1e-12);
        assert!((tally.gain_introduction - (mixed - 0.3) * 12.0).abs() < 1e-9);
        assert_eq!(after.pending, 0.0);
        // Nothing delivered: the capacity only wears out.
        let (after, _) = run_one(firm(0.3), &s.context(0.0));
        assert!((after.capacity - 9.0).abs() < 1e-12, "{}", after.capacity);
        assert_eq!(after.productivity, 0.3);
    }

    #[test]
    fn a_firm_losing_buyers_puts_extra_effort_into_absorption_only() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        // No R&D stock to start with, so the stock after the period is its effort.
        let stock_gain = |f: Firm| f64::from(f.rd_stock);
        let run = |s: &Setup, market_price: f64, xi: f64| {
            let mut ctx = s.context(xi);
            ctx.market_price = market_price;
            let novice = Firm {
                rd_stock: 0.0,
                ..firm(0.5)
            };
            run_one(novice, &ctx).0
        };
        // Far dearer than the market (market price 0.01): it loses buyers beyond the
        // trigger, so its effort on absorption is (1 + response) times the routine.
        let (holding, losing) = (run(&s, 1e6, 0.1), run(&s, 0.01, 0.1));
        assert_eq!(
            holding.search, 1.0,
            "a firm that keeps its buyers searches routinely"
        );
        let push = 0.9 * s.model.search_response;
        assert!((f64::from(losing.search) - (1.0 + push)).abs() < 1e-6);
        let routine = stock_gain(holding);
        assert!(routine > 0.0);
        assert!((stock_gain(losing) / routine - (1.0 + push)).abs() < 1e-3);
        // The search is local: a firm that only explores (xi = 1) gets no extra effort.
        let explorer = run(&s, 0.01, 1.0);
        assert_eq!(explorer.search, 1.0);
        // Without the response, losing buyers changes nothing.
        s.model.search_response = 0.0;
        assert_eq!(run(&s, 0.01, 0.1), holding);
    }

    /// A firm of an old paradigm (vintage 1 against the current 0) that can pay for
    /// re-tooling, with the given R&D stock; nothing but the switch can move it.
    fn old_vintage(stock: f32) -> Firm {
        Firm {
            vintage: 1,
            rescues: 0,
            rd_stock: stock,
            search: 1.0,
            net_worth: 100.0,
            ..firm(0.9)
        }
    }

    #[test]
    fn research_effort_is_the_budget_over_the_cost_of_research() {
        let s = Setup::new();
        // Cheap enough (price 0.6 against a market price of 1) to lose no buyers, so no
        // extra search; no R&D stock yet.
        let fresh = Firm {
            rd_stock: 0.0,
            ..firm(2.0)
        };
        let stock = |research_cost: f64| {
            let mut ctx = s.context(0.0);
            ctx.research_cost = research_cost;
            f64::from(run_one(fresh, &ctx).0.rd_stock)
        };
        let budget = s.model.rd_share
            * fresh.revenue
            * (1.0 + s.levers.by_owner[Ownership::Private].rd_subsidy);
        assert!((stock(1.0) - budget).abs() < 1e-5, "{}", stock(1.0));
        assert!((stock(2.0) - budget / 2.0).abs() < 1e-5, "{}", stock(2.0));
    }

    /// A research subsidy for SOEs only raises an SOE's research effort, not a private
    /// firm's: each firm's budget is its own ownership's.
    #[test]
    fn a_subsidy_for_one_ownership_funds_only_its_firms() {
        let mut s = Setup::new();
        s.levers.by_owner[Ownership::Private].rd_subsidy = 0.0;
        s.levers.by_owner[Ownership::Soe].rd_subsidy = 1.0;
        let ctx = s.context(0.0);
        let fresh = |owner| Firm {
            owner,
            rd_stock: 0.0,
            ..firm(2.0)
        };
        let stock = |owner| f64::from(run_one(fresh(owner), &ctx).0.rd_stock);
        let unsubsidised = s.model.rd_share * 100.0;
        assert!((stock(Ownership::Private) - unsubsidised).abs() < 1e-5);
        assert!((stock(Ownership::Soe) - 2.0 * unsubsidised).abs() < 1e-5);
    }

    /// An old-paradigm firm that does not re-tool gets the equipment it ordered added
    /// to what is left of its capacity, but no new technology with it, and does no
    /// research this period.
    #[test]
    fn an_old_paradigm_firm_keeps_its_technology_and_does_no_research() {
        let mut s = Setup::new();
        s.model.depreciation = 0.1;
        let old = Firm {
            pending: 3.0,
            net_worth: 0.0,
            search: 1.5,
            ..old_vintage(5.0)
        };
        let old = Firm {
            productivity: 0.3,
            ..old
        };
        // Too poor to pay for re-tooling, however many buyers it loses.
        assert!(s.model.retool_cost > 0.0);
        let (after, tally) = run_one(old, &s.context(0.5));
        assert_eq!((after.vintage, tally.switches), (1, 0));
        assert!((after.capacity - 12.0).abs() < 1e-12, "{}", after.capacity);
        assert_eq!((after.productivity, after.pending), (0.3, 0.0));
        assert_eq!((after.rd_stock, after.search), (5.0, 1.0));
        assert_eq!(tally.gain_introduction, 0.0);
        assert_eq!(tally.absorptions + tally.innovations, 0);
        // It still sells: its share, at its price quality-adjusted for the old
        // paradigm's fading worth, counts in the market's mean price.
        let price = Pricing::for_tests().compared_price(0.3, Ownership::Private, 1);
        assert_ne!(price, 1.0);
        assert_eq!(tally.share, old.share);
        assert!((tally.share_price - old.share * price).abs() < 1e-9 * price);
    }

    /// Take-up of joint projects: the bridge's chance times absorptive capacity times
    /// how much of the mean firm's R&D budget the firm can put in. With no R&D stock
    /// (half the base capacity) and half the mean budget, a quarter of the firms join,
    /// within five standard deviations over 20,000 firms; at the mean budget and a
    /// large stock, all of them.
    #[test]
    fn joint_projects_are_taken_up_in_proportion_to_capacity_and_co_funding() {
        let s = Setup::with_bridge();
        let budget = 0.04 * 100.0 * 1.1;
        let mut ctx = s.context(0.0);
        let n = 20_000;
        let transfers = |ctx: &InnovationContext<'_>, stock: f32| {
            let firms = (0..n).map(|id| Firm {
                id,
                rd_stock: stock,
                ..firm(0.5)
            });
            run_all(firms, ctx).1.transfers as f64
        };
        ctx.mean_budget = 2.0 * budget;
        let expected = f64::from(n) * 0.25;
        let sd = (expected * 0.75).sqrt();
        let got = transfers(&ctx, 0.0);
        assert!(
            (got - expected).abs() < 5.0 * sd,
            "{got} against {expected}"
        );
        ctx.mean_budget = budget;
        assert_eq!(transfers(&ctx, 1e9), f64::from(n));
        // A capable, fully co-funding firm takes one up with the chance the bridge,
        // the researchers' incentive and the transfer rate make together.
        let mut partial = Setup::with_bridge();
        partial.levers.bridge = 0.5;
        partial.levers.researcher_incentive = 0.8;
        partial.model.transfer_rate = 0.5;
        let mut ctx = partial.context(0.0);
        ctx.mean_budget = budget;
        let expected = f64::from(n) * 0.5 * 0.8 * 0.5;
        let sd = (expected * (1.0 - 0.2)).sqrt();
        let got = transfers(&ctx, 1e9);
        assert!(
            (got - expected).abs() < 5.0 * sd,
            "{got} against {expected}"
        );
    }

    #[test]
    fn a_switcher_starts_as_far_up_the_new_frontier_as_its_absorptive_capacity_takes_it() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        // The old product is all but worthless (Pricing::for_tests), so buyers leave at
        // once and the firm re-tools for sure; the same seed gives both the same draw.
        let mut ctx = s.context(0.0);
        ctx.capital_price = 2.0;
        let (capable, _) = run_one(old_vintage(1e9), &ctx);
        let (novice, tally) = run_one(old_vintage(0.0), &ctx);
        assert_eq!((capable.vintage, novice.vintage, tally.switches), (0, 0, 1));
        // No R&D stock: half the absorptive capacity, so half as far up.
        assert!((novice.productivity / capable.productivity - 0.5).abs() < 1e-6);
        let level = capable.productivity / s.model.switch_level;
        assert!((0.9..=1.1).contains(&level), "{level}");
        // Re-tooling is paid from net worth: `retool_cost` times the capital value of
        // the capacity kept (10 units, no depreciation here, at a capital price of 2).
        let bill = s.model.retool_cost * 2.0 * 10.0;
        assert!(
            (novice.net_worth - (100.0 - bill)).abs() < 1e-12,
            "{}",
            novice.net_worth
        );
    }

    /// `n` firms at productivity 0.5 with no R&D stock and `experience` periods on
    /// their path, through one pass in `ctx`; their states after and the tally.
    fn run_many(
        n: u32,
        experience: u16,
        ctx: &InnovationContext<'_>,
    ) -> (Vec<Firm>, InnovationTally) {
        let firms = (0..n).map(|id| Firm {
            id,
            rd_stock: 0.0,
            experience,
            ..firm(0.5)
        });
        run_all(firms, ctx)
    }

    /// Whether `got` successes of `n` tries are within five standard deviations of
    /// the chance `p`.
    fn within_chance(got: u64, n: u32, p: f64) -> bool {
        let expected = f64::from(n) * p;
        let sd = (expected * (1.0 - p)).sqrt();
        (got as f64 - expected).abs() < 5.0 * sd
    }

    /// A firm splits its effort: the exploration share goes to exploring, the rest to
    /// absorbing. Absorbing succeeds with the chance `1 - e^-z` of the intensity
    /// `z = zeta_imitation * effort * absorptive capacity`; exploring with the path's
    /// promise times `1 - e^-z`, `z = zeta_innovation * effort * learning`, where
    /// learning grows with the periods spent on the path. A find moves productivity
    /// by a step drawn between `innovation_low` and `innovation_high`; a step below
    /// zero is a try that brings nothing.
    #[test]
    fn absorption_and_exploration_succeed_with_the_chances_their_efforts_give() {
        let n = 20_000;
        let mut s = Setup::new();
        s.levers.by_owner[Ownership::Private].tolerance = 1000;
        s.levers.rd_patience = 0;
        s.paths.promise[0] = 0.8;
        // Absorbing alone (exploring finds nothing with no research productivity).
        s.model.zeta_imitation = 0.5;
        s.model.zeta_innovation = 0.0;
        let xi = 0.3;
        let mut ctx = s.context(xi);
        // Prices the firms keep their buyers at: no extra effort from search.
        ctx.market_price = 1e3;
        let (after, tally) = run_many(n, 2, &ctx);
        let effort = f64::from(after[0].rd_stock);
        assert!(effort > 0.0 && (effort - 1.0).abs() > 0.1, "{effort}");
        let absorb = absorptive_capacity(1.0, effort, s.model.rd_stock_half);
        let p = 1.0 - (-0.5 * (1.0 - xi) * effort * absorb).exp();
        assert!((0.05..0.95).contains(&p), "{p}");
        assert!(
            within_chance(tally.absorptions, n, p),
            "{} of {n}, p {p}",
            tally.absorptions
        );
        assert_eq!(tally.trials[0], u64::from(n));
        assert_eq!(tally.successes[0], 0);

        // Exploring alone, two periods into the path.
        s.model.zeta_imitation = 0.0;
        s.model.zeta_innovation = 0.5;
        let mut ctx = s.context(xi);
        ctx.market_price = 1e3;
        let (after, tally) = run_many(n, 2, &ctx);
        let learning = 1.0 + s.model.path_learning * 2.0;
        let p = 0.8 * (1.0 - (-0.5 * xi * effort * learning).exp());
        assert!((0.05..0.95).contains(&p), "{p}");
        assert_eq!(tally.absorptions, 0);
        assert_eq!(tally.trials[0], u64::from(n));
        assert!(
            within_chance(tally.successes[0], n, p),
            "{} of {n}, p {p}",
            tally.successes[0]
        );
        // Steps are Beta(3, 3) on [-0.1, 0.1] here: half the finds bring nothing.
        let found = tally.successes[0] as u32;
        assert!(
            within_chance(tally.innovations, found, 0.5),
            "{} of {found}",
            tally.innovations
        );
        let steps: Vec<f64> = after.iter().map(|f| f.productivity / 0.5 - 1.0).collect();
        assert_eq!(
            steps.iter().filter(|&&x| x > 0.0).count() as u64,
            tally.innovations
        );
        let largest = steps.iter().copied().fold(0.0, f64::max);
        assert!(
            steps.iter().all(|&x| x >= 0.0) && largest <= 0.1 + 1e-12,
            "{largest}"
        );
        assert!(largest > 0.08, "{largest}");
        let gained: f64 = after
            .iter()
            .map(|f| (f.productivity - 0.5) * f.capacity)
            .sum();
        assert!(
            (tally.gain_innovation - gained).abs() < 1e-9 * gained,
            "{gained}"
        );

        // With more experience on the path, more finds; the learning stops at its cap.
        let capped = u16::try_from(s.model.path_learning_cap).unwrap();
        let (_, tally) = run_many(n, capped + 5, &ctx);
        let learning = 1.0 + s.model.path_learning * f64::from(capped);
        let p = 0.8 * (1.0 - (-0.5 * xi * effort * learning).exp());
        assert!(
            within_chance(tally.successes[0], n, p),
            "{} of {n}, p {p}",
            tally.successes[0]
        );
    }

    /// A joint project goes to any of the institutes with equal chance.
    #[test]
    fn a_joint_project_goes_to_any_institute_alike() {
        let mut s = Setup::with_bridge();
        s.knowledge = vec![0.6, 0.7, 0.8, 0.9];
        let mut ctx = s.context(0.0);
        ctx.mean_budget = 0.04 * 100.0 * 1.1;
        let n = 4000;
        let (states, tally) = run_all((0..n).map(|id| Firm { id, ..firm(0.5) }), &ctx);
        assert_eq!(tally.transfers, u64::from(n));
        let mut by_institute = [0u32; 4];
        for f in &states {
            let gap = (f.productivity - 0.5) / s.model.transfer_step;
            let j = s
                .knowledge
                .iter()
                .position(|k| ((k - 0.5) - gap).abs() < 1e-9);
            by_institute[j.expect("the gain closes a share of one institute's gap")] += 1;
        }
        for count in by_institute {
            assert!(within_chance(u64::from(count), n, 0.25), "{by_institute:?}");
        }
        // The tally's transfer gain is the capacity-weighted rise in productivity,
        // and its share-weighted price each firm's share at its new price.
        let gained: f64 = states
            .iter()
            .map(|f| (f.productivity - 0.5) * f.capacity)
            .sum();
        assert!((tally.gain_transfer - gained).abs() < 1e-9 * gained);
        let pricing = Pricing::for_tests();
        let share_price: f64 = states
            .iter()
            .map(|f| f.share * pricing.compared_price(f.productivity, f.owner, f.vintage))
            .sum();
        assert!((tally.share_price - share_price).abs() < 1e-9 * share_price);
        assert!((tally.share - 0.5 * f64::from(n)).abs() < 1e-9);
    }

    /// A bridge with no institutes at the other end transfers nothing.
    #[test]
    fn without_institutes_the_bridge_brings_nothing() {
        let mut s = Setup::with_bridge();
        s.knowledge.clear();
        let mut ctx = s.context(0.0);
        ctx.mean_budget = 0.04 * 100.0 * 1.1;
        let (after, tally) = run_one(firm(0.5), &ctx);
        assert_eq!((tally.transfers, after.productivity), (0, 0.5));
    }

    /// A firm that puts nothing into exploration does not explore: no try is counted,
    /// and its record on its path (failures in a row, experience) stays as it was.
    #[test]
    fn a_firm_that_does_not_explore_keeps_its_record_on_its_path() {
        let s = Setup::new();
        let before = Firm {
            streak: 1,
            experience: 3,
            ..firm(0.4)
        };
        let (after, tally) = run_one(before, &s.context(0.0));
        assert_eq!(tally.explorers(), 0);
        assert_eq!(
            (after.streak, after.experience, after.path),
            (1, 3, before.path)
        );
        // With a share for exploration the same firm tries once and gains experience.
        let (after, tally) = run_one(before, &s.context(0.5));
        assert_eq!((tally.explorers(), after.experience), (1, 4));
    }

    /// A joint project needs the firm's own research money: where no firm spends on
    /// research (so the sector's mean budget is 0), nobody takes one up, however open
    /// the bridge.
    #[test]
    fn without_research_money_nobody_takes_up_a_joint_project() {
        let mut s = Setup::with_bridge();
        s.model.rd_share = 0.0;
        let ctx = s.context(0.0);
        assert_eq!(ctx.mean_budget, 0.0);
        let firms = (0..50).map(|id| Firm { id, ..firm(0.5) });
        let (after, tally) = run_all(firms, &ctx);
        assert_eq!(tally.transfers, 0);
        assert!(after.iter().all(|f| f.productivity == 0.5));
    }

    /// Under a consortium, a firm on a path the consortium has found dead moves to
    /// another before it explores; without one it stays until its own tolerance.
    #[test]
    fn a_consortium_moves_its_members_off_a_path_it_found_dead() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        s.paths = leading_paths(4, None);
        s.paths.dead[1] = true;
        s.levers.by_owner[Ownership::Private].tolerance = 1000;
        let f = Firm {
            path: 1,
            experience: 3,
            streak: 2,
            ..firm(0.5)
        };
        s.levers.consortium = false;
        let (stays, tally) = run_one(f, &s.context(1.0));
        assert_eq!(
            (stays.path, tally.paths_abandoned, tally.trials[1]),
            (1, 0, 1)
        );
        s.levers.consortium = true;
        let (moves, tally) = run_one(f, &s.context(1.0));
        assert_ne!(moves.path, 1);
        assert_eq!(tally.paths_abandoned, 1);
        assert_eq!(tally.trials[usize::from(moves.path)], 1);
        // It starts afresh there: one period of experience, the one just spent.
        assert_eq!(moves.experience, 1);
    }

    /// Where a switcher starts varies by firm, evenly within a tenth either side of
    /// the level its absorptive capacity takes it to (a share of the new frontier).
    #[test]
    fn switchers_start_evenly_within_a_tenth_of_their_level() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        s.paths = leading_paths(4, None);
        let mut ctx = s.context(0.0);
        ctx.frontier = 2.0;
        let n = 2000;
        let (states, tally) = run_all(
            (0..n).map(|id| Firm {
                id,
                ..old_vintage(1e9)
            }),
            &ctx,
        );
        assert_eq!(tally.switches, u64::from(n));
        // Full R&D stock: absorptive capacity 1 (to within 1e-9).
        let level = 2.0 * s.model.switch_level;
        let starts: Vec<f64> = states.iter().map(|f| f.productivity / level).collect();
        let lowest = starts.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = starts.iter().copied().fold(0.0, f64::max);
        let mean = starts.iter().sum::<f64>() / f64::from(n);
        assert!(lowest > 0.9 - 1e-6 && lowest < 0.905, "{lowest}");
        assert!(highest < 1.1 && highest > 1.095, "{highest}");
        // Uniform on [0.9, 1.1]: standard deviation 0.2 / sqrt(12) per firm.
        let se = 0.2 / 12f64.sqrt() / f64::from(n).sqrt();
        assert!((mean - 1.0).abs() < 5.0 * se, "{mean}");
        // And it starts on any of the new paradigm's paths with equal chance.
        let mut on_path = [0u32; 4];
        for f in &states {
            on_path[usize::from(f.path)] += 1;
        }
        let (expected, sd) = (f64::from(n) / 4.0, (f64::from(n) * 0.25 * 0.75).sqrt());
        for count in on_path {
            assert!(
                (f64::from(count) - expected).abs() < 5.0 * sd,
                "{on_path:?}"
            );
        }
    }

    #[test]
    fn a_firm_that_keeps_its_buyers_does_not_switch() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        let mut ctx = s.context(0.0);
        // Its quality-adjusted price is far below that of the imported new technology:
        // no buyer leaves it.
        ctx.import_price = 1e6;
        let (after, tally) = run_one(old_vintage(1e9), &ctx);
        assert_eq!((after.vintage, tally.switches), (1, 0));
        assert_eq!(after.productivity, 0.9);
    }

    /// An old-paradigm firm measures its price against the imported new technology,
    /// not against the whole market: a tariff that makes the import dearer lowers the
    /// switch rate, however cheap the rest of the market is. With the whole-market
    /// comparison (`switch_against_imports = false`) the tariff changes nothing.
    #[test]
    fn a_dearer_import_of_the_new_technology_lowers_the_switch_rate() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        let rate = |s: &Setup, tariff: f64| {
            let mut ctx = s.context(0.0);
            // The old product keeps a fifth of its worth: compared at 1.2 / 0.9 / 0.2 =
            // 6.67. The rest of the market is far cheaper.
            ctx.pricing.old_paradigm_worth = 0.2;
            ctx.market_price = 1.0;
            ctx.import_price = 5.0 * (1.0 + tariff);
            let switches: u64 = (0..400)
                .map(|id| {
                    run_one(
                        Firm {
                            id,
                            ..old_vintage(1e9)
                        },
                        &ctx,
                    )
                    .1
                    .switches
                })
                .sum();
            switches as f64 / 400.0
        };
        // Against an import at 5 it loses 0.5 (6.67 - 5) / 5 = 1/6 of its buyers.
        let (open, protected) = (rate(&s, 0.05), rate(&s, 0.4));
        assert!((0.08..0.2).contains(&open), "{open}");
        assert_eq!(protected, 0.0);
        s.model.switch_against_imports = false;
        assert_eq!(rate(&s, 0.05), 1.0);
        assert_eq!(rate(&s, 0.4), 1.0);
    }

    #[test]
    fn a_firm_abandons_a_dead_end_after_tolerance_failures() {
        let mut s = Setup::new();
        s.model.zeta_imitation = 0.0;
        s.paths = leading_paths(4, Some(0.5));
        let dead = s.paths.dead_end.iter().position(|&d| d).unwrap() as u16;
        s.levers.by_owner[Ownership::Private].tolerance = 3;
        let mut f = firm(1.0);
        f.path = dead;
        let ctx = s.context(1.0);
        for period in 1..=3 {
            let (after, tally) = run_one(f, &ctx);
            f = after;
            // One explorer, on a dead end (what claim 6 counts), never on the best path.
            assert_eq!(
                (
                    tally.explorers(),
                    tally.explorers_on_dead_ends(&s.paths),
                    tally.explorers_on_best_path(&s.paths)
                ),
                (1, 1, 0)
            );
            assert_eq!(tally.trials[usize::from(dead)], 1);
            if period < 3 {
                assert_eq!((f.path, f.streak, tally.paths_abandoned), (dead, period, 0));
            } else {
                assert_ne!(f.path, dead);
                assert_eq!((f.streak, f.experience, tally.paths_abandoned), (0, 1, 1));
            }
        }
    }

    #[test]
    fn transfer_closes_the_stated_share_of_the_gap_to_institute_knowledge() {
        let mut s = Setup::with_bridge();
        // A firm of the mean firm's R&D budget (4.4 units of effort) co-funds in full.
        let mut ctx = s.context(0.0);
        ctx.mean_budget = 0.04 * 100.0 * 1.1;
        let (after, tally) = run_one(firm(0.5), &ctx);
        assert!((after.productivity - (0.5 + s.model.transfer_step * 0.4)).abs() < 1e-12);
        assert_eq!(tally.transfers, 1);
        // The institute's researchers join the firm's effort: the R&D stock grows by
        // the firm's own effort plus `transfer_effort` mean efforts.
        let own = 1e9_f32 as f64 * (1.0 - s.model.rd_stock_decay) + ctx.mean_budget;
        let expected = own + s.model.transfer_effort * ctx.mean_budget;
        assert!((f64::from(after.rd_stock) - expected).abs() <= 1e-6 * expected);
        // The same at a stock small enough for f32 to show the researchers' effort.
        let (after, tally) = run_one(
            Firm {
                rd_stock: 1e4,
                ..firm(0.5)
            },
            &ctx,
        );
        assert_eq!(tally.transfers, 1);
        // Priced at 2.4 against a market price of 1, it is losing buyers and puts
        // `search_response` times its own effort more into absorption (7.7).
        let own = 1e4 * (1.0 - s.model.rd_stock_decay)
            + ctx.mean_budget * (1.0 + s.model.search_response);
        let expected = own + s.model.transfer_effort * ctx.mean_budget;
        assert!(
            (f64::from(after.rd_stock) - expected).abs() <= 1e-3,
            "{} {expected}",
            after.rd_stock
        );
        // A firm with no R&D budget of its own cannot co-fund a joint project.
        let mut broke = firm(0.5);
        broke.revenue = 0.0;
        let (after, tally) = run_one(broke, &ctx);
        assert_eq!((after.productivity, tally.transfers), (0.5, 0));
        // No bridge, no transfer.
        s.levers.bridge = 0.0;
        let mut ctx = s.context(0.0);
        ctx.mean_budget = 0.04 * 100.0 * 1.1;
        let (after, tally) = run_one(firm(0.5), &ctx);
        assert_eq!((after.productivity, tally.transfers), (0.5, 0));
    }

    /// Fails every exploration try: all paths are dead ends of promise 0.
    fn failing_paths(s: &mut Setup, paths: u32) {
        s.model.zeta_imitation = 0.0;
        s.paths = leading_paths(paths, Some(1.0));
    }

    #[test]
    fn with_a_single_path_a_firm_at_its_tolerance_keeps_its_experience() {
        let mut s = Setup::new();
        failing_paths(&mut s, 1);
        s.levers.by_owner[Ownership::Private].tolerance = 2;
        let ctx = s.context(1.0);
        let mut f = firm(1.0);
        for _ in 0..4 {
            let (after, tally) = run_one(f, &ctx);
            f = after;
            assert_eq!(tally.paths_abandoned, 0);
        }
        assert_eq!((f.path, f.experience, f.streak), (0, 4, 0));
    }

    #[test]
    fn an_impatient_funder_ends_a_funded_project_at_its_milestone() {
        let mut s = Setup::new();
        failing_paths(&mut s, 4);
        s.levers.by_owner[Ownership::Private].tolerance = 30;
        s.levers.rd_patience = 2;
        s.levers.by_owner[Ownership::Private].rd_subsidy = 0.5;
        let ctx = s.context(1.0);
        let (f, tally) = run_one(firm(1.0), &ctx);
        // One failure is not yet the milestone.
        assert_eq!((tally.paths_abandoned, f.streak), (0, 1));
        let (f, tally) = run_one(f, &ctx);
        // Ended after 2 failures; the new path has this period's experience only.
        assert_eq!((tally.paths_abandoned, f.experience), (1, 1));
        // An unfunded firm follows its own tolerance only.
        s.levers.by_owner[Ownership::Private].rd_subsidy = 0.0;
        let ctx = s.context(1.0);
        let (f, _) = run_one(firm(1.0), &ctx);
        let (f, tally) = run_one(f, &ctx);
        assert_eq!((tally.paths_abandoned, f.streak), (0, 2));
        // A patient funder (0) leaves it to the firm.
        s.levers.by_owner[Ownership::Private].rd_subsidy = 0.5;
        s.levers.rd_patience = 0;
        let ctx = s.context(1.0);
        let (f, _) = run_one(firm(1.0), &ctx);
        let (_, tally) = run_one(f, &ctx);
        assert_eq!(tally.paths_abandoned, 0);
    }
}

#[cfg(test)]
mod tally_tests {
    use super::*;

    /// A tally whose every number is `base` times a field's own number. A struct
    /// literal: a new field that `add` must learn about does not compile here until it
    /// is listed.
    fn tally(base: u64) -> InnovationTally {
        let n = |k: u64| base * k;
        let x = |k: u64| (base * k) as f64;
        InnovationTally {
            innovations: n(1),
            absorptions: n(2),
            transfers: n(3),
            paths_abandoned: n(4),
            switches: n(5),
            gain_introduction: x(9),
            gain_absorption: x(10),
            gain_innovation: x(11),
            gain_transfer: x(12),
            trials: vec![n(13), n(14)],
            successes: vec![n(15), n(16)],
            share_price: x(17),
            share: x(18),
        }
    }

    #[test]
    fn adding_tallies_sums_every_field() {
        // What a chunk after the first adds to the sector's tally.
        let mut sum = tally(1);
        sum.add(&tally(10));
        assert_eq!(format!("{sum:?}"), format!("{:?}", tally(11)));
    }
}

#[cfg(test)]
mod explorer_tests {
    use super::*;

    /// The explorer counts come from the tries per path: all of them, those on paths
    /// that really are dead ends, and those on the most promising path.
    #[test]
    fn explorers_are_counted_from_the_tries_per_path() {
        let paths = Paths {
            promise: vec![0.3, 0.0, 0.8, 0.0],
            trials: vec![0; 4],
            successes: vec![0; 4],
            dead: vec![false; 4],
            dead_end: vec![false, true, false, true],
        };
        let tally = InnovationTally {
            trials: vec![3, 5, 7, 11],
            ..InnovationTally::new(4)
        };
        assert_eq!(tally.explorers(), 26);
        assert_eq!(tally.explorers_on_dead_ends(&paths), 16);
        assert_eq!(tally.explorers_on_best_path(&paths), 7);
        // Nobody explored: every count is zero.
        let idle = InnovationTally::new(4);
        assert_eq!(
            (
                idle.explorers(),
                idle.explorers_on_dead_ends(&paths),
                idle.explorers_on_best_path(&paths)
            ),
            (0, 0, 0)
        );
    }
}
