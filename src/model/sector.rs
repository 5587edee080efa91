//! A sector: its frontier, demand, paradigm, paths, firms and institutes, and the
//! period step in the order of `docs/ODD.md` ("Process overview and scheduling").

use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Poisson};
use rayon::prelude::*;

use super::accounts::{AccountsContext, AccountsTally, settle, update_shares};
use std::sync::Arc;

use super::draws::{BetaTable, shared_table};
use super::firms::{CHUNK, Firm, FirmChunk, Firms};
use super::innovation::{InnovationContext, InnovationTally, innovate};
use super::institutes::{InstituteTally, Institutes};
use super::levers::Levers;
use super::pricing::{Pricing, replicator};
use super::record::SectorRecord;
use super::rng::{FirmKey, Phase, stream, uniform};
use super::technology::Paths;
use crate::scenario::{ModelParams, Ownership, Regime, SectorSpec, Structure};

/// The frontier a sector starts from; productivity is measured in its units.
const INITIAL_FRONTIER: f64 = 1.0;
/// Periods over which the extra growth of a new paradigm's frontier fades (e-folding).
const PARADIGM_BOOST_FADE: f64 = 10.0;
/// Initial productivity dispersion: uniform within this share around the mean.
const INITIAL_SPREAD: f64 = 0.1;

/// A sector of the economy and everything in it.
#[derive(Debug, Clone)]
pub struct Sector {
    pub index: u32,
    pub name: String,
    pub regime: Regime,
    pub structure: Structure,
    /// Periods of scheduled paradigm shifts.
    shifts: Vec<u32>,
    /// Foreign frontier `F` of the current paradigm.
    pub frontier: f64,
    /// Best current-paradigm domestic productivity last period.
    pub domestic_best: f64,
    /// Domestic demand `D`, and its initial value.
    pub demand: f64,
    initial_demand: f64,
    /// Wage index: wages (domestic and foreign) grow with the frontier's trend, so
    /// that prices, capital values and debts keep their weight as productivity grows.
    pub wage_index: f64,
    pub paradigm: u16,
    shift_start: Option<u32>,
    pub paths: Paths,
    /// Foreign producers' market share (a replicator competitor like any firm).
    pub import_share: f64,
    /// Foreign unit labour cost `w_f`, set so that imports start at `import_price_ratio`
    /// times the domestic price.
    foreign_wage: f64,
    pub firms: Firms,
    pub institutes: Institutes,
    /// The id of the next entrant. Ids are 32-bit (4 bytes a slot fewer than 64): a
    /// sector can create 2^32 firms in a run, which a run reaches only past some 10^11
    /// firm-periods; the entrant beyond stops the run with an error naming the period.
    next_id: u32,
    /// Initial number of firms: the pool of would-be entrants scales with it.
    entry_pool: f64,
    /// Price of a unit of capacity: `kappa` times the sector's mean unit cost.
    pub capital_price: f64,
    /// Output-weighted mean productivity of current-paradigm firms last period.
    pub mean_productivity: f64,
    /// Firms decided last period to exit and to enter, applied at the start of this one.
    exits: Vec<u32>,
    entrants: Vec<Firm>,
    /// Tabulated Beta draws for innovations and entrants.
    innovation_draw: Arc<BetaTable>,
    entrant_draw: Arc<BetaTable>,
    /// Last period's domestic revenue, the base of institute funding.
    revenue: f64,
    /// Last period's share-weighted mean price that buyers compared (imports
    /// included): what an old-paradigm firm measures its own price against.
    market_price: f64,
}

/// Runs `f` on every chunk of firms and adds up what it returns in chunk order (the
/// first chunk's is the accumulator; `empty()` when there is none). In parallel when
/// there is more than one chunk (a small sector is not worth a fork); a sector of one
/// chunk, such as every sector of a sweep's small economies, goes without the lists
/// of chunks and results (allocated three times a period, they were 3% of a sweep).
fn map_fold<T: Send>(
    firms: &mut Firms,
    f: impl Fn(FirmChunk<'_>) -> T + Sync + Send,
    empty: impl FnOnce() -> T,
    add: impl Fn(&mut T, &T),
) -> T {
    if firms.slots() <= CHUNK {
        return firms.chunks_mut().next().map(f).unwrap_or_else(empty);
    }
    let chunks: Vec<FirmChunk<'_>> = firms.chunks_mut().collect();
    let results: Vec<T> = chunks.into_par_iter().map(f).collect();
    let mut results = results.into_iter();
    let mut total = results.next().unwrap_or_else(empty);
    for t in results {
        add(&mut total, &t);
    }
    total
}

/// The period's wage and prices, set once the frontier has moved.
struct Environment {
    wage: f64,
    /// Cost of a unit of research effort.
    research_cost: f64,
    /// The frontier firms absorb from and are measured against.
    frontier_eff: f64,
    pricing: Pricing,
}

/// The market's outcome for the sector as a whole.
struct Market {
    /// Import price, tariff included.
    import_price: f64,
    /// The share-weighted mean price buyers compared (imports included).
    mean_price: f64,
    /// Sum of market shares before normalisation, domestic and foreign.
    share_total: f64,
}

/// The sector's own money flows of the period.
struct Books {
    imports: f64,
    tariff_revenue: f64,
    institute_spending: f64,
}

/// Everything from outside a sector that its step needs.
pub struct StepInput<'a> {
    pub seed: u64,
    pub period: u32,
    pub model: &'a ModelParams,
    pub levers: Levers,
    /// Whether the record keeps the histogram of firms' productivity (for
    /// `productivity_p90_p10`): observation only, which a sweep that does not report the
    /// series skips.
    pub dispersion: bool,
}

impl Sector {
    /// Slots of the firms whose exit was decided in the last period: still living
    /// until the start of the next one, when they are removed.
    pub fn exiting(&self) -> &[u32] {
        &self.exits
    }

    /// Sets up a sector at period 0.
    pub fn new(
        index: u32,
        spec: &SectorSpec,
        m: &ModelParams,
        seed: u64,
        consortium: bool,
    ) -> Sector {
        let st = Structure::of_sector(spec);
        let mut rng = stream(seed, index, 0, Phase::Init, u64::MAX);
        let paths = Paths::draw(&st, m.dead_end_promise, &mut rng);
        let n_soe = spec.firms_soe as usize;
        let n = n_soe + spec.firms_private as usize;
        let a0 = st.initial_productivity * INITIAL_FRONTIER;
        let demand = spec.demand_per_firm * n as f64;
        let capital_price = m.capital_output_ratio * m.wage / a0;
        let weight_total = spec.firms_private as f64 + m.soe_size * n_soe as f64;
        let domestic = 1.0 - st.initial_import_share;
        let mut firms = Firms::with_capacity(n);
        let mut share_price = 0.0;
        // Each firm's draws are keyed by its id (its index here).
        let firm_key = FirmKey::new(seed, index, 0, Phase::Init);
        for i in 0..n {
            // Below 2^32: validation allows at most 10^8 firms in all.
            let id = i as u32;
            let mut firm_rng = firm_key.firm(id);
            // SOEs first, then private firms.
            let owner = if i < n_soe {
                Ownership::Soe
            } else {
                Ownership::Private
            };
            let weight = match owner {
                Ownership::Soe => m.soe_size,
                Ownership::Private => 1.0,
            };
            let share = domestic * weight / weight_total;
            let a = a0 * (1.0 + INITIAL_SPREAD * (2.0 * uniform(&mut firm_rng) - 1.0));
            let output = share * demand;
            let capacity = output / m.initial_utilization;
            let passed = match owner {
                Ownership::Soe => m.soe_pass_through * m.soe_inefficiency,
                Ownership::Private => 0.0,
            };
            let price = (1.0 + m.markup) * m.wage / a * (1.0 + passed);
            share_price += share * price;
            let u_path = uniform(&mut firm_rng);
            let path = if consortium {
                i % paths.len()
            } else {
                ((u_path * paths.len() as f64) as usize).min(paths.len() - 1)
            };
            firms.add(Firm {
                id,
                owner,
                age: 0,
                productivity: a,
                capacity,
                net_worth: m.equity_ratio * capital_price * capacity,
                debt: (1.0 - m.equity_ratio) * capital_price * capacity,
                share,
                revenue: price * output,
                output,
                pending: 0.0,
                rd_stock: m.rd_stock_half as f32,
                search: 1.0,
                path: path as u16,
                streak: 0,
                experience: 0,
                vintage: 0,
                rescues: 0,
            });
        }
        let foreign_wage = st.import_price_ratio * m.wage / st.initial_productivity;
        let import_price = (1.0 + m.markup) * foreign_wage / INITIAL_FRONTIER;
        Sector {
            index,
            name: spec.name.clone(),
            regime: spec.regime,
            structure: st,
            shifts: spec.paradigm_shifts.clone(),
            frontier: INITIAL_FRONTIER,
            domestic_best: a0,
            demand,
            initial_demand: demand,
            wage_index: 1.0,
            paradigm: 0,
            shift_start: None,
            paths,
            import_share: st.initial_import_share,
            foreign_wage,
            firms,
            institutes: Institutes::new(
                spec.institutes as usize,
                st.institute_knowledge * INITIAL_FRONTIER,
            ),
            next_id: n as u32,
            entry_pool: n as f64,
            capital_price,
            mean_productivity: a0,
            exits: Vec::new(),
            entrants: Vec::new(),
            revenue: 0.0,
            market_price: share_price + st.initial_import_share * import_price,
            innovation_draw: shared_table(m.innovation_alpha, m.innovation_beta),
            entrant_draw: shared_table(m.entrant_alpha, m.entrant_beta),
        }
    }

    /// The frontier firms absorb from and are measured against: the foreign frontier,
    /// or the best domestic firm once it is ahead (in the leading regime from the
    /// start; in the others when a domestic firm overtakes the foreigners).
    pub fn effective_frontier(&self) -> f64 {
        self.frontier.max(self.domestic_best)
    }

    /// Share of demand that has moved to the current paradigm.
    fn demand_moved(&self, period: u32, m: &ModelParams) -> f64 {
        match self.shift_start {
            Some(s) => (f64::from(period - s + 1) / f64::from(m.paradigm_transition)).min(1.0),
            None => 1.0,
        }
    }

    /// Weight of a new paradigm's early phase, one at the shift and fading with the
    /// e-folding time of its fast frontier growth; zero before any shift.
    fn early_phase(&self, period: u32) -> f64 {
        match self.shift_start {
            Some(s) => (-f64::from(period - s) / PARADIGM_BOOST_FADE).exp(),
            None => 0.0,
        }
    }

    /// The productivity entrants are drawn around. In a mature paradigm a founder
    /// knows what the industry's average firm knows (the sector's mean). In the early
    /// phase of a new paradigm its knowledge is young, public and not yet embodied in
    /// incumbents' routines and capacity, so new firms are founded on its best
    /// practice, the effective frontier (Perez & Soete 1988; Klepper 1996): the window
    /// closes as the paradigm matures. With no current-paradigm producer yet, the
    /// mean is that of a switcher.
    fn entrant_reference(&self, period: u32, producing: bool, m: &ModelParams) -> f64 {
        let mean = if producing {
            self.mean_productivity
        } else {
            self.frontier * m.switch_level
        };
        let w = self.early_phase(period);
        (1.0 - w) * mean + w * self.effective_frontier().max(mean)
    }

    /// One period, as the phases of `docs/ODD.md` §3 in order; returns what happened
    /// in it. (Phase 1, the policy, is resolved by the caller into `input.levers`.)
    pub fn step(&mut self, input: &StepInput<'_>) -> SectorRecord {
        let (m, lv, t) = (input.model, &input.levers, input.period);
        let mut rng = stream(input.seed, self.index, t, Phase::Sector, 0);
        self.apply_demography();
        self.advance_frontier_and_demand(t, m, &mut rng);
        let env = self.period_environment(t, m, lv);
        let inst = self.step_institutes(m, lv, env.frontier_eff, &mut rng);
        let inno = self.innovate_firms(input, &env);
        self.pool_consortium(m, lv, &inno);
        let market = self.clear_market(m, lv, &env, &inno);
        let mut acc = self.settle_firms(input, &env, &market);
        let books = self.close_books(m, lv, &env, &market, &acc);
        self.draw_entrants(input, &acc, &inst.spinoffs);
        self.exits = std::mem::take(&mut acc.exits);
        self.record(t, lv, &env, &market, &inst, &inno, acc, books)
    }

    /// Phase 0: exits and entries decided at the end of last period take effect.
    fn apply_demography(&mut self) {
        let exits = std::mem::take(&mut self.exits);
        self.firms.remove(&exits);
        for f in std::mem::take(&mut self.entrants) {
            self.firms.add(f);
        }
    }

    /// Phases 2-3: a paradigm shift when scheduled or drawn (it replaces the period's
    /// frontier growth: the new paradigm starts lower, then grows faster); otherwise
    /// the frontier grows. Demand and the wage index grow.
    fn advance_frontier_and_demand(&mut self, t: u32, m: &ModelParams, rng: &mut ChaCha8Rng) {
        let st = self.structure;
        let shift = self.shifts.contains(&t) || uniform(rng) < st.shift_probability;
        if shift {
            self.paradigm = self.paradigm.wrapping_add(1);
            self.frontier *= m.paradigm_drop;
            self.shift_start = Some(t);
            self.paths = Paths::draw(&st, m.dead_end_promise, rng);
            self.institutes.rescale(m.paradigm_drop);
            self.domestic_best = 0.0;
        } else {
            let boost = m.paradigm_growth_boost * self.early_phase(t);
            // The boost speeds up growth only; a declining frontier declines at its own rate.
            let growth = if st.frontier_growth > 0.0 {
                st.frontier_growth * (1.0 + boost)
            } else {
                st.frontier_growth
            };
            self.frontier *= 1.0 + growth;
        }
        self.demand *= 1.0 + st.demand_growth;
        self.wage_index *= 1.0 + st.frontier_growth;
    }

    /// The period's wage, prices and research cost, from the advanced frontier.
    fn period_environment(&self, t: u32, m: &ModelParams, lv: &Levers) -> Environment {
        let wage = m.wage * self.wage_index;
        // Research effort is priced relative to the market's nominal size: prices are
        // stationary (wages grow with productivity), so nominal revenue grows with
        // demand, and a firm of constant share faces stationary odds of success.
        let research_cost = m.research_cost * m.wage * self.demand / self.initial_demand;
        let phi = self.demand_moved(t, m);
        Environment {
            wage,
            research_cost,
            frontier_eff: self.effective_frontier(),
            pricing: Pricing::new(
                wage,
                m.markup,
                m.soe_inefficiency,
                m.soe_pass_through,
                lv.soe_preference,
                self.paradigm,
                1.0 - phi,
            ),
        }
    }

    /// Phase 4: institutes, before firms, so that a transfer uses this period's
    /// knowledge. Where the structure says so (a leading sector, by default), they
    /// also make breakthroughs of their own.
    fn step_institutes(
        &mut self,
        m: &ModelParams,
        lv: &Levers,
        frontier_eff: f64,
        rng: &mut ChaCha8Rng,
    ) -> InstituteTally {
        let st = self.structure;
        let breakthrough = (st.institute_breakthroughs && st.innovation_high > 0.0)
            .then(|| {
                Beta::new(m.innovation_alpha, m.innovation_beta)
                    .ok()
                    .map(|b| (b, st.innovation_high))
            })
            .flatten();
        self.institutes
            .step(m, frontier_eff, lv.researcher_incentive, breakthrough, rng)
    }

    /// Phase 5, firm pass 1: switching, introduction, R&D, transfer; each firm's
    /// price for the market.
    fn innovate_firms(&mut self, input: &StepInput<'_>, env: &Environment) -> InnovationTally {
        let (m, lv) = (input.model, &input.levers);
        let st = self.structure;
        let ctx = InnovationContext {
            seed: input.seed,
            sector: self.index,
            period: input.period,
            model: m,
            levers: lv,
            pricing: env.pricing,
            frontier: self.frontier,
            frontier_eff: env.frontier_eff,
            capital_price: self.capital_price,
            // Prices grow with wages: last period's mean in this period's money.
            market_price: self.market_price * (1.0 + st.frontier_growth),
            import_price: self.import_price(env, lv),
            research_cost: env.research_cost,
            mean_budget: m.rd_share * self.revenue / self.firms.living().max(1) as f64
                * (1.0 + lv.by_owner[Ownership::Private].rd_subsidy)
                / env.research_cost,
            exploration_share: st.exploration_share,
            equipment_level: st.equipment_level,
            innovation_low: st.innovation_low,
            innovation_high: st.innovation_high,
            innovation_draw: &self.innovation_draw,
            paths: &self.paths,
            institute_knowledge: &self.institutes.knowledge,
        };
        let n_paths = self.paths.len();
        map_fold(
            &mut self.firms,
            |c| innovate(c, &ctx),
            || InnovationTally::new(n_paths),
            InnovationTally::add,
        )
    }

    /// Phase 6: the consortium pools the period's trials and successes by path.
    fn pool_consortium(&mut self, m: &ModelParams, lv: &Levers, inno: &InnovationTally) {
        if lv.consortium {
            self.paths.pool(
                &inno.trials,
                &inno.successes,
                u64::from(m.consortium_evidence),
            );
        }
    }

    /// This period's import price, tariff included.
    fn import_price(&self, env: &Environment, lv: &Levers) -> f64 {
        env.pricing.import_price(
            self.foreign_wage * self.wage_index,
            self.frontier,
            lv.tariff,
        )
    }

    /// Phase 7, firm pass 2: replicator shares, with imports as one competitor.
    fn clear_market(
        &mut self,
        m: &ModelParams,
        lv: &Levers,
        env: &Environment,
        inno: &InnovationTally,
    ) -> Market {
        let import_price = self.import_price(env, lv);
        let share_sum = inno.share + self.import_share;
        let mean_price = if share_sum > 0.0 {
            (inno.share_price + self.import_share * import_price) / share_sum
        } else {
            import_price
        };
        self.market_price = mean_price;
        let pricing = env.pricing;
        let domestic_sum = map_fold(
            &mut self.firms,
            |c| update_shares(c, &pricing, m.selection, mean_price),
            || 0.0,
            |sum, chunk| *sum += chunk,
        );
        self.import_share *= replicator(m.selection, import_price, mean_price);
        let mut share_total = domestic_sum + self.import_share;
        if share_total <= 0.0 {
            // Nobody left with a share (an empty sector): foreigners serve the market.
            self.import_share = 1.0;
            share_total = 1.0;
        }
        self.import_share /= share_total;
        Market {
            import_price,
            mean_price,
            share_total,
        }
    }

    /// Phase 8, firm pass 3: output, accounts, investment, bailouts, exit decisions.
    fn settle_firms(
        &mut self,
        input: &StepInput<'_>,
        env: &Environment,
        market: &Market,
    ) -> AccountsTally {
        let m = input.model;
        let living = self.firms.living().max(1) as f64;
        let actx = AccountsContext {
            seed: input.seed,
            sector: self.index,
            period: input.period,
            model: m,
            levers: &input.levers,
            pricing: env.pricing,
            share_total: market.share_total,
            demand: self.demand,
            demand_growth: self.structure.demand_growth,
            capital_price: self.capital_price,
            exit_share: m.exit_share * (1.0 - self.import_share) / living,
            frontier_eff: env.frontier_eff,
            dispersion: input.dispersion,
        };
        map_fold(
            &mut self.firms,
            |c| settle(c, &actx),
            AccountsTally::empty,
            AccountsTally::add,
        )
    }

    /// The sector's own books after the firms settled: imports and tariff revenue,
    /// institute funding (out of last period's revenue), and the sector-level state
    /// the next period starts from (revenue, mean productivity, capital price, best
    /// firm).
    fn close_books(
        &mut self,
        m: &ModelParams,
        lv: &Levers,
        env: &Environment,
        market: &Market,
        acc: &AccountsTally,
    ) -> Books {
        // Imports: the foreigners' share plus demand domestic capacity could not serve.
        let imports = self.import_share * self.demand + acc.unmet;
        let tariff_revenue = lv.tariff * market.import_price / (1.0 + lv.tariff) * imports;
        let institute_spending = m.institute_cost * self.institutes.total_staff() * self.revenue;
        self.revenue = acc.revenue;
        if acc.current_output > 0.0 {
            self.mean_productivity = acc.current_productivity_output / acc.current_output;
        }
        self.capital_price = m.capital_output_ratio * env.wage / self.mean_productivity.max(1e-12);
        self.domestic_best = acc.best;
        Books {
            imports,
            tariff_revenue,
            institute_spending,
        }
    }

    /// Phase 9: entrants, more with the current paradigm's profits and fewer behind
    /// the barrier, and the institutes' spin-offs; they join at phase 0 of the next
    /// period.
    fn draw_entrants(&mut self, input: &StepInput<'_>, acc: &AccountsTally, spinoffs: &[f64]) {
        let (m, lv, t) = (input.model, &input.levers, input.period);
        let profit_rate = if acc.capital_value > 0.0 {
            acc.profit / acc.capital_value
        } else {
            0.0
        };
        // Would-be entrants look at the returns of the technology they would enter
        // with, the current paradigm's, not at losses of firms stuck in an old one.
        let entry_profit_rate = if acc.current_capital_value > 0.0 {
            acc.current_profit / acc.current_capital_value
        } else {
            profit_rate
        };
        let rate = m.entry_rate
            * (1.0 - lv.entry_barrier)
            * (m.entry_sensitivity * entry_profit_rate)
                .clamp(-5.0, 3.0)
                .exp()
            * self.entry_pool;
        let mut erng = stream(input.seed, self.index, t, Phase::Entry, 0);
        let n_entrants = if rate > 0.0 {
            Poisson::new(rate)
                .map(|p| p.sample(&mut erng) as u64)
                .unwrap_or(0)
        } else {
            0
        };
        let n_firms = acc.firms.total().max(1) as f64;
        let mean_capacity = acc.capacity.total() / n_firms;
        let mean_share = (1.0 - self.import_share) / n_firms;
        let reference = self.entrant_reference(t, acc.current_output > 0.0, m);
        let mut founded: Vec<f64> = (0..n_entrants)
            .map(|_| {
                reference
                    * (1.0
                        + m.entrant_low
                        + (m.entrant_high - m.entrant_low)
                            * self.entrant_draw.quantile(uniform(&mut erng)))
            })
            .collect();
        founded.extend(spinoffs.iter().copied());
        let n_paths = self.paths.len();
        for a in founded {
            let capacity = m.entrant_size * mean_capacity.max(1e-9);
            let path = ((uniform(&mut erng) * n_paths as f64) as usize).min(n_paths - 1);
            self.entrants.push(Firm {
                id: self.next_id,
                owner: Ownership::Private,
                age: 0,
                productivity: a,
                capacity,
                net_worth: m.equity_ratio * self.capital_price * capacity,
                debt: (1.0 - m.equity_ratio) * self.capital_price * capacity,
                share: m.entrant_size * mean_share,
                revenue: 0.0,
                output: 0.0,
                pending: 0.0,
                rd_stock: 0.0,
                search: 1.0,
                path: path as u16,
                streak: 0,
                experience: 0,
                vintage: self.paradigm,
                rescues: 0,
            });
            self.next_id = self.next_id.checked_add(1).unwrap_or_else(|| {
                panic!(
                    "sector {} has created 2^32 firms, as many as firm ids can number",
                    self.index
                )
            });
        }
    }

    /// What the period did, as sums for `observe`.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        t: u32,
        lv: &Levers,
        env: &Environment,
        market: &Market,
        inst: &InstituteTally,
        inno: &InnovationTally,
        acc: AccountsTally,
        books: Books,
    ) -> SectorRecord {
        SectorRecord {
            period: t,
            paradigm: self.paradigm,
            firms: acc.firms,
            capacity: acc.capacity,
            output: acc.output,
            productivity_output: acc.productivity_output,
            demand: self.demand,
            imports: books.imports,
            output_squared: acc.output_squared,
            entries: self.entrants.len() as u64,
            exits: self.exits.len() as u64,
            bailouts: acc.bailouts,
            spinoffs: inst.spinoffs.len() as u64,
            switches: inno.switches,
            explorers: inno.explorers(),
            // The paths explored this period: the paradigm's, unchanged since the pass.
            explorers_on_dead_ends: inno.explorers_on_dead_ends(&self.paths),
            explorers_on_best_path: inno.explorers_on_best_path(&self.paths),
            old_capacity: acc.old_capacity,
            innovations: inno.innovations,
            absorptions: inno.absorptions,
            transfers: inno.transfers,
            paths_abandoned: inno.paths_abandoned,
            breakthroughs: inst.breakthroughs,
            gain_introduction: inno.gain_introduction,
            gain_absorption: inno.gain_absorption,
            gain_innovation: inno.gain_innovation,
            gain_transfer: inno.gain_transfer,
            rd_own: acc.rd_own,
            rd_subsidy: acc.rd_subsidy,
            production_subsidy: acc.production_subsidy,
            bailout_spending: acc.bailout_spending,
            institute_spending: books.institute_spending,
            tariff_revenue: books.tariff_revenue,
            revenue: acc.revenue,
            profit: acc.profit,
            capital_value: acc.capital_value,
            investment: acc.investment,
            // Measured against this period's best, so the gap never exceeds one.
            frontier: env.frontier_eff.max(acc.best_any),
            import_price: market.import_price,
            mean_price: market.mean_price,
            institute_knowledge: self.institutes.mean_knowledge(),
            institute_staff: self.institutes.mean_staff(),
            tariff: lv.tariff,
            consortium: lv.consortium,
            hist: acc.hist,
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each phase of the period alone, on a small sector of the default scenario.

    use super::*;
    use crate::scenario::{LeverOverrides, PerOwner, Policy};

    fn sector(regime: Regime) -> (Sector, ModelParams) {
        let m = ModelParams::default();
        let spec = SectorSpec::named("s", regime);
        (Sector::new(0, &spec, &m, 7, false), m)
    }

    fn levers(edit: impl FnOnce(&mut Policy)) -> Levers {
        let mut p = Policy::default();
        edit(&mut p);
        p.resolve(&LeverOverrides::default())
    }

    fn input(m: &ModelParams, period: u32, levers: Levers) -> StepInput<'_> {
        StepInput {
            seed: 7,
            period,
            model: m,
            levers,
            dispersion: true,
        }
    }

    /// The first period up to its R&D: the environment and what the firms' pass found.
    fn first_period_rd(
        s: &mut Sector,
        m: &ModelParams,
        lv: Levers,
    ) -> (Environment, InnovationTally) {
        let env = s.period_environment(1, m, &lv);
        let inno = s.innovate_firms(&input(m, 1, lv), &env);
        (env, inno)
    }

    /// Every chunk's result is added, in chunk order, whether the sector has several
    /// chunks (run in parallel), one, or none.
    #[test]
    fn map_fold_adds_every_chunk_in_order() {
        let chunks_of = |firms: &mut Firms| {
            map_fold(
                firms,
                |c| vec![(c.index, c.id.len())],
                Vec::new,
                |all: &mut Vec<(usize, usize)>, one: &Vec<(usize, usize)>| all.extend(one),
            )
        };
        let m = ModelParams::default();
        let mut spec = SectorSpec::named("s", Regime::CatchUp);
        spec.firms_soe = 0;
        spec.firms_private = 2 * CHUNK as u32 + 7;
        let mut big = Sector::new(0, &spec, &m, 7, false);
        assert_eq!(
            chunks_of(&mut big.firms),
            vec![(0, CHUNK), (1, CHUNK), (2, 7)]
        );
        spec.firms_private = 30;
        let mut small = Sector::new(0, &spec, &m, 7, false);
        assert_eq!(chunks_of(&mut small.firms), vec![(0, 30)]);
        assert_eq!(chunks_of(&mut Firms::default()), vec![]);
    }

    #[test]
    fn demography_removes_the_exits_and_adds_the_entrants_decided_last_period() {
        let (mut s, m) = sector(Regime::CatchUp);
        // Step until a period decides some exit or entry (the first few usually do).
        let mut t = 0;
        while s.exits.len() + s.entrants.len() == 0 {
            t += 1;
            assert!(t <= 20, "twenty periods decided nothing");
            s.step(&input(&m, t, levers(|_| {})));
        }
        let before = s.firms.living();
        let (exits, entrants) = (s.exits.len(), s.entrants.len());
        s.apply_demography();
        assert_eq!(s.firms.living(), before - exits + entrants);
        assert!(s.exits.is_empty() && s.entrants.is_empty());
    }

    /// Firm ids are 32-bit: the entrant given the last id is founded, and the period
    /// then stops with a message (a run reports it as the model's failure in that
    /// period) rather than ever reusing an id.
    #[test]
    fn the_entrant_given_the_last_id_stops_the_period() {
        let (mut s, m) = sector(Regime::CatchUp);
        s.next_id = u32::MAX;
        for t in 1..=20 {
            let stepped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                s.step(&input(&m, t, levers(|_| {})))
            }));
            match stepped {
                Ok(_) => assert!(s.entrants.is_empty(), "an entrant but no stop"),
                Err(payload) => {
                    let message = crate::runner::panic_message(payload.as_ref());
                    assert!(message.contains("2^32 firms"), "{message}");
                    assert_eq!(s.entrants.len(), 1);
                    assert_eq!(s.entrants[0].id, u32::MAX);
                    return;
                }
            }
        }
        panic!("twenty periods founded no entrant");
    }

    #[test]
    fn the_record_adds_up_its_firms() {
        let (mut s, m) = sector(Regime::CatchUp);
        for t in 1..=3 {
            s.apply_demography();
            let record = s.step(&input(&m, t, levers(|_| {})));
            // This period's firms, those that will exit at the next period's start included.
            let sum = |v: &[f64]| -> f64 {
                v.iter()
                    .zip(&s.firms.alive)
                    .filter(|(_, alive)| **alive)
                    .map(|(x, _)| x)
                    .sum()
            };
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
            assert!(record.revenue > 0.0);
            assert!(close(record.revenue, sum(&s.firms.revenue)), "period {t}");
            assert!(
                close(record.output.total(), sum(&s.firms.output)),
                "period {t}"
            );
        }
    }

    #[test]
    fn a_scheduled_shift_drops_the_frontier_and_starts_a_paradigm() {
        let (mut s, m) = sector(Regime::CatchUp);
        s.shifts = vec![1];
        let frontier = s.frontier;
        let mut rng = stream(7, 0, 1, Phase::Sector, 0);
        s.advance_frontier_and_demand(1, &m, &mut rng);
        assert_eq!(s.paradigm, 1);
        assert_eq!(s.frontier, frontier * m.paradigm_drop);
        assert_eq!(s.shift_start, Some(1));
        assert_eq!(s.domestic_best, 0.0);
    }

    #[test]
    fn without_a_shift_frontier_and_demand_grow_at_their_rates() {
        let (mut s, m) = sector(Regime::CatchUp);
        let (frontier, demand) = (s.frontier, s.demand);
        let mut rng = stream(7, 0, 1, Phase::Sector, 0);
        s.advance_frontier_and_demand(1, &m, &mut rng);
        assert_eq!(s.paradigm, 0);
        assert_eq!(s.frontier, frontier * (1.0 + s.structure.frontier_growth));
        assert_eq!(s.demand, demand * (1.0 + s.structure.demand_growth));
    }

    /// Institutes' own breakthroughs follow the structural key, not the regime's name.
    #[test]
    fn institute_breakthroughs_follow_the_structure() {
        let breakthroughs = |regime: Regime, on: bool| {
            let m = ModelParams::default();
            let mut spec = SectorSpec::named("s", regime);
            spec.institute_breakthroughs = Some(on);
            spec.institutes = 20;
            let mut s = Sector::new(0, &spec, &m, 7, false);
            (1..=20)
                .map(|t| s.step(&input(&m, t, levers(|_| {}))).breakthroughs)
                .sum::<u64>()
        };
        assert_eq!(breakthroughs(Regime::Leading, false), 0);
        assert!(breakthroughs(Regime::Leading, true) > 0);
        assert!(breakthroughs(Regime::CatchUp, true) > 0);
    }

    /// The market phase alone: a higher tariff raises the import price buyers compare
    /// and leaves imports a smaller share.
    #[test]
    fn a_higher_tariff_keeps_more_buyers_at_home() {
        let import_share = |tariff: f64| {
            let (mut s, m) = sector(Regime::CatchUp);
            let lv = levers(|p| p.tariff = tariff);
            let (env, inno) = first_period_rd(&mut s, &m, lv);
            let market = s.clear_market(&m, &lv, &env, &inno);
            (s.import_share, market.import_price)
        };
        let (low, low_price) = import_share(0.0);
        let (high, high_price) = import_share(0.5);
        assert!(high_price > low_price);
        assert!(high < low, "import share {high} at tariff 0.5, {low} at 0");
    }

    /// The market phase alone: the mean price buyers compare is the share-weighted mean
    /// of the firms' compared prices and the import price; every share, imports' too,
    /// moves by the replicator against it; and the imports' share is divided by the
    /// total, which the accounts divide the firms' shares by. Two chunks, so that the
    /// chunks' sums are added.
    #[test]
    fn the_market_moves_every_share_against_the_share_weighted_mean_price() {
        let m = ModelParams::default();
        let mut spec = SectorSpec::named("s", Regime::CatchUp);
        spec.firms_private = CHUNK as u32 + 100;
        let mut s = Sector::new(0, &spec, &m, 7, false);
        assert_eq!(s.firms.chunks_mut().count(), 2);
        let lv = levers(|p| p.tariff = 0.3);
        let (env, inno) = first_period_rd(&mut s, &m, lv);
        // Shares that add up to more than one, as after entrants joined: without
        // clipped shares the replicator keeps the total, so only then does the
        // division by the total show.
        s.firms.share.iter_mut().for_each(|x| *x *= 1.25);
        let inno = InnovationTally {
            share: 1.25 * inno.share,
            share_price: 1.25 * inno.share_price,
            ..inno
        };
        let living: Vec<usize> = (0..s.firms.slots()).filter(|&i| s.firms.alive[i]).collect();
        let shares: Vec<f64> = living.iter().map(|&i| s.firms.share[i]).collect();
        let prices: Vec<f64> = living
            .iter()
            .map(|&i| {
                let f = &s.firms;
                env.pricing.compared_price(f.a[i], f.owner[i], f.vintage[i])
            })
            .collect();
        let imports_before = s.import_share;
        assert!(imports_before > 0.0 && imports_before < 1.0);
        let market = s.clear_market(&m, &lv, &env, &inno);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);

        let import_price = market.import_price;
        assert!(close(import_price, s.import_price(&env, &lv)));
        assert!(
            import_price != 1.0,
            "a price of 1 would hide a product for a quotient"
        );
        let weighted: f64 = shares.iter().zip(&prices).map(|(s, p)| s * p).sum();
        let domestic: f64 = shares.iter().sum();
        let mean = (weighted + imports_before * import_price) / (domestic + imports_before);
        assert!(
            close(market.mean_price, mean),
            "{} {mean}",
            market.mean_price
        );
        assert_eq!(s.market_price, market.mean_price);

        let mut total = 0.0;
        for ((&i, share), price) in living.iter().zip(&shares).zip(&prices) {
            let moved = share * replicator(m.selection, *price, mean);
            assert!(close(s.firms.share[i], moved), "slot {i}");
            total += moved;
        }
        let imports_moved = imports_before * replicator(m.selection, import_price, mean);
        total += imports_moved;
        assert!(close(market.share_total, total));
        assert!((total - 1.0).abs() > 0.1, "{total}");
        assert!(close(s.import_share, imports_moved / total));
    }

    /// A sector with nobody left to sell: foreigners serve the whole market, at the
    /// import price.
    #[test]
    fn a_market_with_no_shares_left_goes_to_imports() {
        let (mut s, m) = sector(Regime::CatchUp);
        let lv = levers(|_| {});
        let (env, inno) = first_period_rd(&mut s, &m, lv);
        s.firms.share.iter_mut().for_each(|x| *x = 0.0);
        s.import_share = 0.0;
        let empty = InnovationTally {
            share: 0.0,
            share_price: 0.0,
            ..inno
        };
        let market = s.clear_market(&m, &lv, &env, &empty);
        assert_eq!(market.mean_price, market.import_price);
        assert_eq!(market.share_total, 1.0);
        assert_eq!(s.import_share, 1.0);
    }

    /// The sector's books: imports are the foreigners' share of demand plus what
    /// domestic capacity could not serve; the tariff's revenue is its part of what
    /// buyers paid for imports; institutes are paid out of last period's revenue; the
    /// next period's mean productivity, capital price and best firm come from this
    /// period's firms (the mean stays when nobody produces on the current paradigm).
    #[test]
    fn the_books_take_imports_tariffs_and_next_periods_prices_from_the_period() {
        let (mut s, mut m) = sector(Regime::CatchUp);
        m.capital_output_ratio = 2.5;
        m.institute_cost = 0.01;
        m.wage = 1.7;
        let lv = levers(|p| p.tariff = 0.3);
        let env = s.period_environment(1, &m, &lv);
        s.import_share = 0.2;
        s.demand = 1000.0;
        s.revenue = 500.0;
        let market = Market {
            import_price: 2.0,
            mean_price: 1.5,
            share_total: 1.0,
        };
        let mut acc = AccountsTally::empty();
        acc.unmet = 30.0;
        acc.revenue = 800.0;
        acc.current_output = 400.0;
        acc.current_productivity_output = 400.0 * 0.6;
        acc.best = 0.9;
        let staff = s.institutes.total_staff();
        assert!(staff > 0.0 && env.wage != 1.0);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);

        let books = s.close_books(&m, &lv, &env, &market, &acc);
        assert!(
            close(books.imports, 0.2 * 1000.0 + 30.0),
            "{}",
            books.imports
        );
        assert!(close(books.tariff_revenue, 0.3 * 2.0 / 1.3 * 230.0));
        assert!(close(books.institute_spending, 0.01 * staff * 500.0));
        assert_eq!(s.revenue, 800.0);
        assert!(close(s.mean_productivity, 0.6));
        assert!(close(s.capital_price, 2.5 * env.wage / 0.6));
        assert_eq!(s.domestic_best, 0.9);

        acc.current_output = 0.0;
        acc.current_productivity_output = 0.0;
        s.close_books(&m, &lv, &env, &market, &acc);
        assert!(close(s.mean_productivity, 0.6));
    }

    /// Would-be entrants come at a rate of the pool, the entry rate, the barrier and
    /// the current paradigm's profit rate (the whole sector's when no capital is on the
    /// current paradigm, none when there is no capital), its effect bounded: their
    /// number is the Poisson draw of the period's entry stream at that rate. Each is
    /// founded at a share of the mean firm's size and market, on the sector's equity
    /// ratio, near the mean productivity; spin-offs come after them at their own.
    #[test]
    fn entrants_come_at_the_rate_that_profits_and_the_barrier_give() {
        let (mut s, mut m) = sector(Regime::CatchUp);
        m.entry_rate = 0.5;
        m.entry_sensitivity = 2.0;
        m.entrant_size = 0.4;
        m.equity_ratio = 0.7;
        s.entry_pool = 200.0;
        s.import_share = 0.25;
        let lv = levers(|p| p.entry_barrier = 0.2);
        let mut acc = AccountsTally::empty();
        acc.firms = PerOwner::new(40, 10);
        acc.capacity = PerOwner::new(300.0, 200.0);
        acc.profit = -30.0;
        acc.capital_value = 400.0;
        acc.current_profit = 20.0;
        acc.current_capital_value = 250.0;
        acc.current_output = 100.0;
        let t = 3;
        let expected = |profit_rate: f64| -> usize {
            let rate = 0.5 * (1.0 - 0.2) * (2.0 * profit_rate).exp() * 200.0;
            let mut erng = stream(7, 0, t, Phase::Entry, 0);
            Poisson::new(rate).unwrap().sample(&mut erng) as usize
        };
        let draw = |s: &mut Sector, acc: &AccountsTally, spinoffs: &[f64]| -> Vec<Firm> {
            s.entrants.clear();
            s.draw_entrants(&input(&m, t, lv), acc, spinoffs);
            s.entrants.clone()
        };

        let entrants = draw(&mut s, &acc, &[]);
        assert_eq!(entrants.len(), expected(20.0 / 250.0));
        // No capital on the current paradigm: the whole sector's profit rate.
        acc.current_profit = 0.0;
        acc.current_capital_value = 0.0;
        assert_eq!(draw(&mut s, &acc, &[]).len(), expected(-30.0 / 400.0));
        // No capital at all: no profit, the plain rate.
        acc.capital_value = 0.0;
        acc.profit = 0.0;
        assert_eq!(draw(&mut s, &acc, &[]).len(), expected(0.0));
        // A profit rate of 10 counts as 1.5 (2 x 1.5 = 3, the bound).
        acc.current_profit = 2500.0;
        acc.current_capital_value = 250.0;
        assert_eq!(draw(&mut s, &acc, &[]).len(), expected(1.5));
        let counts = [
            expected(0.08),
            expected(-0.075),
            expected(0.0),
            expected(1.5),
        ];
        assert!(counts.windows(2).all(|w| w[0] != w[1]), "{counts:?}");

        // Each entrant has 0.4 of the mean firm's capacity (500 / 50) and market (0.75 / 50).
        let reference = s.mean_productivity;
        let first = s.next_id;
        let with_spinoffs = draw(&mut s, &acc, &[0.77, 0.88]);
        let n = with_spinoffs.len() - 2;
        assert_eq!(n, expected(1.5));
        assert_eq!(s.next_id, first + n as u32 + 2);
        for (k, e) in with_spinoffs.iter().enumerate() {
            assert_eq!(e.id, first + k as u32);
            assert_eq!(e.owner, Ownership::Private);
            assert!((e.capacity - 0.4 * 500.0 / 50.0).abs() < 1e-12);
            assert!((e.share - 0.4 * 0.75 / 50.0).abs() < 1e-12);
            let value = s.capital_price * e.capacity;
            assert!((e.net_worth - 0.7 * value).abs() < 1e-9 * value);
            assert!((e.debt - 0.3 * value).abs() < 1e-9 * value);
            assert_eq!(e.vintage, s.paradigm);
            assert!(usize::from(e.path) < s.paths.len());
            if k < n {
                let (low, high) = (1.0 + m.entrant_low, 1.0 + m.entrant_high);
                let relative = e.productivity / reference;
                assert!(relative >= low && relative <= high, "{relative}");
            }
        }
        assert_eq!(with_spinoffs[n].productivity, 0.77);
        assert_eq!(with_spinoffs[n + 1].productivity, 0.88);
    }

    /// The entry phase alone: behind a full barrier only the institutes' spin-offs
    /// enter; without one, would-be entrants come too.
    #[test]
    fn a_full_entry_barrier_admits_only_spin_offs() {
        let entrants = |barrier: f64| {
            let (mut s, m) = sector(Regime::CatchUp);
            let lv = levers(|p| p.entry_barrier = barrier);
            let step = input(&m, 1, lv);
            let env = s.period_environment(1, &m, &lv);
            let inno = s.innovate_firms(&step, &env);
            let market = s.clear_market(&m, &lv, &env, &inno);
            let acc = s.settle_firms(&step, &env, &market);
            s.draw_entrants(&step, &acc, &[0.5, 0.6]);
            s.entrants.len()
        };
        assert_eq!(entrants(1.0), 2);
        assert!(entrants(0.0) > 2);
    }
}
