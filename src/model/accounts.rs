//! Steps 7-10 for one chunk of firms: market shares (replicator), output, accounts,
//! investment orders, bailouts and exit decisions; plus the sums the period records.

use super::firms::{BLOCK, FirmChunk};
use super::isa::compiled_for_each_isa;
use super::levers::Levers;
use super::pricing::{Pricing, replicator};
use super::rng::{FirmKey, Phase, uniform};
use crate::scenario::{ModelParams, Ownership, PerOwner};

/// Bins per octave of the productivity histogram: about 0.35% resolution, enough for
/// percentile ratios without sorting a million firms.
const BINS_PER_OCTAVE: usize = 200;
/// The productivity histogram's range of `log2(a / F)`, whole octaves (so that a bin
/// is found from a float's bits: [`hist_bin`]).
pub const HIST_LOW: f64 = -7.0;
pub const HIST_HIGH: f64 = 1.0;
/// Bins of the productivity histogram over [`HIST_LOW`, `HIST_HIGH`).
pub const HIST_BINS: usize = BINS_PER_OCTAVE * (HIST_HIGH - HIST_LOW) as usize;

/// The mantissa bits of an `f64`.
const MANTISSA_BITS: u32 = 52;
const MANTISSA_MASK: u64 = (1u64 << MANTISSA_BITS) - 1;

/// A cheap, exactly invertible stand-in for `log2(x)` of a positive normal float:
/// exponent plus mantissa fraction. It is monotone and within 0.09 of `log2`, so bins
/// on it are 0.35% to 0.7% wide; `pseudo_exp2` inverts it exactly. The model bins on
/// it in integers ([`hist_bin`]); this float form is the definition tests check.
#[cfg(test)]
fn pseudo_log2(x: f64) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> MANTISSA_BITS) & 0x7FF) as f64 - 1023.0;
    let mantissa = (bits & MANTISSA_MASK) as f64 / (1u64 << MANTISSA_BITS) as f64;
    exponent + mantissa
}

fn pseudo_exp2(y: f64) -> f64 {
    let e = y.floor();
    (1.0 + (y - e)) * e.exp2()
}

/// Histogram bin of a productivity relative to the frontier: the floor of
/// `(pseudo_log2(relative) - HIST_LOW) * BINS_PER_OCTAVE`, clamped to the histogram.
///
/// Taken in integers from the float's bits: the octave from the exponent, the bin
/// within it from the top of the mantissa. That is the exact floor (in floats, the
/// sum of exponent and mantissa rounds) and costs the accounts pass about 20 fewer
/// instructions per firm than floats and a saturating conversion.
#[inline]
pub fn hist_bin(relative: f64) -> usize {
    // Positive, so the sign bit is clear (a NaN falls in the bottom bin).
    let bits = relative.max(f64::MIN_POSITIVE).to_bits();
    let octave = (bits >> MANTISSA_BITS) as i64 - 1023 - HIST_LOW as i64;
    let within = ((bits & MANTISSA_MASK) * BINS_PER_OCTAVE as u64) >> MANTISSA_BITS;
    let bin = octave * BINS_PER_OCTAVE as i64 + within as i64;
    bin.clamp(0, HIST_BINS as i64 - 1) as usize
}

/// `a.max(b)` for numbers that are never NaN, in one instruction: `f64::max` also
/// picks the other number when one is a NaN, which takes four more. (The loop over
/// firms takes several maxima and minima per firm.)
#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if a < b { b } else { a }
}

/// `a.min(b)` for numbers that are never NaN, in one instruction; see [`larger`].
#[inline(always)]
fn smaller(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// Quantiles of a histogram, as productivities relative to the frontier
/// (interpolated within the bin), in one pass; `qs` ascending. `None` when empty.
pub fn hist_quantiles<const N: usize>(hist: &[u32], qs: [f64; N]) -> Option<[f64; N]> {
    // Start at the first occupied bin: the data usually fill a small part of the range.
    let first = hist.iter().position(|&c| c > 0)?;
    let total: u64 = hist[first..].iter().map(|&c| u64::from(c)).sum();
    let width = (HIST_HIGH - HIST_LOW) / HIST_BINS as f64;
    let mut out = [pseudo_exp2(HIST_HIGH); N];
    // Quantile `q` lies in the first bin at whose end at least `q * total` firms are
    // counted; counts are integers, so that is at least `ceil(q * total)` of them.
    // Blocks of bins that do not reach it are skipped by their sum: a run's few
    // thousand firms occupy few of the 1,600 bins, and this runs every period.
    const SKIP: usize = 32;
    let mut seen: u64 = 0;
    let mut b = first;
    for (next, &q) in qs.iter().enumerate() {
        let target = q * total as f64;
        let needed = target.ceil().max(0.0) as u64;
        loop {
            if b + SKIP <= hist.len() {
                let block: u64 = hist[b..b + SKIP].iter().map(|&c| u64::from(c)).sum();
                if seen + block < needed {
                    seen += block;
                    b += SKIP;
                    continue;
                }
            }
            let Some(&c) = hist.get(b) else {
                return Some(out);
            };
            if c > 0 && seen + u64::from(c) >= needed {
                let c = f64::from(c);
                let within = ((target - seen as f64) / c).clamp(0.0, 1.0);
                out[next] = pseudo_exp2(HIST_LOW + (b as f64 + within) * width);
                break;
            }
            seen += u64::from(c);
            b += 1;
        }
    }
    Some(out)
}

/// The `q`-quantile of a histogram; see [`hist_quantiles`].
pub fn hist_quantile(hist: &[u32], q: f64) -> Option<f64> {
    hist_quantiles(hist, [q]).map(|[x]| x)
}

compiled_for_each_isa! {
    /// Step 7, second half: the replicator update of one chunk's shares. Returns their sum.
    pub fn update_shares(
        c: FirmChunk<'_>,
        pricing: &Pricing,
        selection: f64,
        mean_price: f64,
    ) -> f64 = update_shares_body;
}

#[inline(always)]
fn update_shares_body(c: FirmChunk<'_>, pricing: &Pricing, selection: f64, mean_price: f64) -> f64 {
    let mut sum = 0.0;
    for i in 0..c.slots() {
        if !c.alive[i] {
            continue;
        }
        let p = pricing.compared_price(c.a[i], c.owner[i], c.vintage[i]);
        c.share[i] *= replicator(selection, p, mean_price);
        sum += c.share[i];
    }
    sum
}

/// What the accounts pass needs from the sector, fixed for the period.
pub struct AccountsContext<'a> {
    pub seed: u64,
    pub sector: u32,
    pub period: u32,
    pub model: &'a ModelParams,
    pub levers: &'a Levers,
    pub pricing: Pricing,
    /// Sum of all shares after the replicator (domestic and imports): shares are divided by it.
    pub share_total: f64,
    pub demand: f64,
    pub demand_growth: f64,
    pub capital_price: f64,
    /// Exit threshold for private firms, as a normalised share.
    pub exit_share: f64,
    /// Frontier used for the productivity histogram.
    pub frontier_eff: f64,
    /// Whether to fill the productivity histogram (observation only).
    pub dispersion: bool,
}

/// Sums over a chunk, split by ownership where it matters.
#[derive(Debug, Clone)]
pub struct AccountsTally {
    pub firms: PerOwner<u64>,
    pub capacity: PerOwner<f64>,
    pub output: PerOwner<f64>,
    /// Sum of `a_eff * q`, for output-weighted mean productivity.
    pub productivity_output: PerOwner<f64>,
    /// Output and productivity-output of current-paradigm firms only.
    pub current_output: f64,
    pub current_productivity_output: f64,
    /// Profit and capital value of current-paradigm firms: the returns an entrant,
    /// who would produce on the current paradigm, looks at.
    pub current_profit: f64,
    pub current_capital_value: f64,
    /// Capacity of firms still in an old paradigm.
    pub old_capacity: f64,
    pub output_squared: f64,
    pub revenue: f64,
    pub unmet: f64,
    pub profit: f64,
    pub capital_value: f64,
    pub rd_own: f64,
    pub rd_subsidy: f64,
    pub production_subsidy: f64,
    pub bailouts: u64,
    pub bailout_spending: f64,
    pub investment: f64,
    pub best: f64,
    /// Best effective productivity of any firm, old paradigms included (for the record).
    pub best_any: f64,
    /// Firms by productivity relative to the frontier ([`hist_bin`]); empty when the
    /// pass was asked not to record dispersion.
    pub hist: Vec<u32>,
    /// Slots of firms that exit, in ascending order.
    pub exits: Vec<u32>,
}

impl AccountsTally {
    /// Nothing counted, no histogram: what chunks' tallies are added to.
    pub fn empty() -> Self {
        AccountsTally {
            firms: PerOwner::default(),
            capacity: PerOwner::default(),
            output: PerOwner::default(),
            productivity_output: PerOwner::default(),
            current_output: 0.0,
            current_productivity_output: 0.0,
            current_profit: 0.0,
            current_capital_value: 0.0,
            old_capacity: 0.0,
            output_squared: 0.0,
            revenue: 0.0,
            unmet: 0.0,
            profit: 0.0,
            capital_value: 0.0,
            rd_own: 0.0,
            rd_subsidy: 0.0,
            production_subsidy: 0.0,
            bailouts: 0,
            bailout_spending: 0.0,
            investment: 0.0,
            best: 0.0,
            best_any: 0.0,
            hist: Vec::new(),
            exits: Vec::new(),
        }
    }

    pub fn add(&mut self, o: &AccountsTally) {
        self.firms += o.firms;
        self.capacity += o.capacity;
        self.output += o.output;
        self.productivity_output += o.productivity_output;
        self.current_output += o.current_output;
        self.current_productivity_output += o.current_productivity_output;
        self.current_profit += o.current_profit;
        self.current_capital_value += o.current_capital_value;
        self.old_capacity += o.old_capacity;
        self.output_squared += o.output_squared;
        self.revenue += o.revenue;
        self.unmet += o.unmet;
        self.profit += o.profit;
        self.capital_value += o.capital_value;
        self.rd_own += o.rd_own;
        self.rd_subsidy += o.rd_subsidy;
        self.production_subsidy += o.production_subsidy;
        self.bailouts += o.bailouts;
        self.bailout_spending += o.bailout_spending;
        self.investment += o.investment;
        self.best = self.best.max(o.best);
        self.best_any = self.best_any.max(o.best_any);
        if self.hist.len() < o.hist.len() {
            self.hist.resize(o.hist.len(), 0);
        }
        for (a, b) in self.hist.iter_mut().zip(&o.hist) {
            *a += b;
        }
        self.exits.extend_from_slice(&o.exits);
    }
}

compiled_for_each_isa! {
    /// Runs the accounts pass over one chunk.
    pub fn settle(c: FirmChunk<'_>, x: &AccountsContext<'_>) -> AccountsTally = settle_body;
}

#[inline(always)]
fn settle_body(c: FirmChunk<'_>, x: &AccountsContext<'_>) -> AccountsTally {
    // One copy of the loop each way: a test of the flag inside it costs the pass about
    // 3% more instructions, even when it is always true.
    if x.dispersion {
        settle_chunk::<true>(c, x)
    } else {
        settle_chunk::<false>(c, x)
    }
}

/// What a firm's ownership changes in its accounts, as numbers: the loop looks a
/// firm's up by its ownership instead of choosing each by a branch on it. A private
/// firm's make the SOE's terms vanish (no employment floor, drive or soft credit).
#[derive(Clone, Copy)]
struct OwnerTerms {
    /// Share of its capacity whose workforce the firm keeps however little it sells.
    employment_floor: f64,
    /// Capacity planned per unit of what expected demand needs: one plus the drive.
    expansion: f64,
    /// Soft credit per unit of capital value.
    soft_credit: f64,
    production_subsidy: f64,
    rd_subsidy: f64,
}

impl OwnerTerms {
    fn of(owner: Ownership, m: &ModelParams, lv: &Levers) -> OwnerTerms {
        let (employment_floor, drive, soft_credit) = match owner {
            Ownership::Soe => (m.soe_employment_floor, m.soe_expansion_drive, lv.soe_credit),
            Ownership::Private => (0.0, 0.0, 0.0),
        };
        OwnerTerms {
            employment_floor,
            expansion: 1.0 + drive,
            soft_credit,
            production_subsidy: lv.by_owner[owner].production_subsidy,
            rd_subsidy: lv.by_owner[owner].rd_subsidy,
        }
    }
}

/// What [`settle_block`] leaves for the sums, one array per number, indexed by slot
/// within the block.
struct Settled {
    capacity: [f64; BLOCK],
    output: [f64; BLOCK],
    /// Effective productivity (an old paradigm's faded) and its product with output.
    a_eff: [f64; BLOCK],
    productivity_output: [f64; BLOCK],
    /// Labour productivity times output.
    labour_output: [f64; BLOCK],
    output_squared: [f64; BLOCK],
    revenue: [f64; BLOCK],
    /// Demand the firm could not meet (it goes to imports).
    unmet: [f64; BLOCK],
    profit: [f64; BLOCK],
    capital_value: [f64; BLOCK],
    rd_own: [f64; BLOCK],
    order: [f64; BLOCK],
    /// Labour productivity relative to the frontier, for the histogram.
    relative: [f64; BLOCK],
}

impl Settled {
    fn new() -> Self {
        Settled {
            capacity: [0.0; BLOCK],
            output: [0.0; BLOCK],
            a_eff: [0.0; BLOCK],
            productivity_output: [0.0; BLOCK],
            labour_output: [0.0; BLOCK],
            output_squared: [0.0; BLOCK],
            revenue: [0.0; BLOCK],
            unmet: [0.0; BLOCK],
            profit: [0.0; BLOCK],
            capital_value: [0.0; BLOCK],
            rd_own: [0.0; BLOCK],
            order: [0.0; BLOCK],
            relative: [0.0; BLOCK],
        }
    }
}

/// What [`settle_block`] needs, fixed for the period.
struct Fixed<'a> {
    x: &'a AccountsContext<'a>,
    terms: PerOwner<OwnerTerms>,
    per_share_total: f64,
    per_capital_price: f64,
    per_frontier: f64,
    /// Capacity planned per unit of expected demand, before an SOE's drive.
    planned: f64,
    /// `1 - depreciation`: the share of capacity kept.
    capacity_kept: f64,
}

/// The arrays of a block that [`settle_block`] only reads.
struct BlockReads<'a> {
    alive: &'a [bool],
    owner: &'a [Ownership],
    vintage: &'a [u16],
    a: &'a [f64],
    search: &'a [f32],
}

/// Steps 7-9 for one block of slots: market share, output, accounts,
/// investment and disposal, everything of a firm's period but its exit or bailout.
/// Every slot is computed and a dead one's results are dropped by selection: with no
/// branch in it, the compiler runs the loop on several firms at once.
///
/// The arrays it writes come as separate slices: as function arguments the compiler
/// knows that they overlap nothing (a `&mut` argument is exclusive), so the vectorised
/// loop needs no run-time checks of overlap (taken from one `FirmChunk`, it needed so
/// many that it was not vectorised at all).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn settle_block(
    f: &Fixed<'_>,
    out: &mut Settled,
    read: BlockReads<'_>,
    share: &mut [f64],
    capacity: &mut [f64],
    net_worth: &mut [f64],
    debt: &mut [f64],
    pending: &mut [f64],
    revenue: &mut [f64],
    output: &mut [f64],
    age: &mut [u32],
) {
    // Everything fixed for the period as locals: read through a reference in the
    // loop, the compiler cannot tell it from the arrays the loop writes, and reads
    // it again at every firm (and cannot run a disposal's reads unconditionally).
    let x = f.x;
    let m = x.model;
    let pricing = x.pricing;
    let terms_by_owner = f.terms;
    let (demand, cp) = (x.demand, x.capital_price);
    let (per_share_total, per_capital_price, per_frontier) =
        (f.per_share_total, f.per_capital_price, f.per_frontier);
    let (planned, capacity_kept) = (f.planned, f.capacity_kept);
    let (rd_share, depreciation, interest_rate) = (m.rd_share, m.depreciation, m.interest_rate);
    let (payout_ratio, max_investment_rate, leverage) =
        (m.payout_ratio, m.max_investment_rate, m.leverage);
    let capacity_disposal = m.capacity_disposal;
    // Per unit of capacity sold: the proceeds, and the loss on its capital value.
    let proceeds_per_unit = m.salvage_value * cp;
    let loss_per_unit = (1.0 - m.salvage_value) * cp;
    let paradigm = pricing.paradigm;
    let n = read.alive.len().min(BLOCK);
    let (alive, owner, vintage) = (&read.alive[..n], &read.owner[..n], &read.vintage[..n]);
    let (a, search) = (&read.a[..n], &read.search[..n]);
    let (share, capacity, net_worth, debt) = (
        &mut share[..n],
        &mut capacity[..n],
        &mut net_worth[..n],
        &mut debt[..n],
    );
    let (pending, revenue, output, age) = (
        &mut pending[..n],
        &mut revenue[..n],
        &mut output[..n],
        &mut age[..n],
    );
    for i in 0..n {
        let alive = alive[i];
        let soe = owner[i] == Ownership::Soe;
        let current = vintage[i] == paradigm;
        let terms = terms_by_owner.pick(soe);

        // Market: demand by share, output up to capacity; the rest goes to imports.
        let new_share = share[i] * per_share_total;
        // Buyers move between paradigms only by the replicator's comparison of
        // quality-adjusted prices (an old vintage's falls with its worth): the share a
        // firm holds is the demand it is asked for.
        let wanted = new_share * demand;
        let k = capacity[i];
        let q = smaller(wanted, k);
        let a_eff = pricing.effective(a[i], vintage[i]);
        let (cost, price) = pricing.unit_cost_and_price(a[i], soe);

        // Accounts.
        let new_revenue = price * q;
        let rd_own = rd_share * revenue[i] * f64::from(search[i]);
        let production_subsidy = terms.production_subsidy * new_revenue;
        let value = cp * k;
        // Labour, in units of output it could make: an SOE keeps the workforce of a
        // share of its capacity however little it sells (redundant labour it may not
        // shed; Bai, Li, Tao & Wang 2000), so idle capacity costs it wages and shows
        // as low labour productivity.
        let employed = larger(q, terms.employment_floor * k);
        let profit = new_revenue - cost * employed + production_subsidy
            - rd_own
            - depreciation * value
            - interest_rate * debt[i];
        // Owners (the state, for SOEs) take a share of positive profits.
        let retained = profit - payout_ratio * profit.max(0.0);
        let mut new_net_worth = net_worth[i] + retained;
        let mut new_debt = debt[i];
        let mut new_capacity = k;

        // Investment toward expected demand. An SOE plans beyond it by its expansion
        // drive (size, output and employment count for its managers), as far as
        // credit allows: it is soft credit and rescues that let the drive run ahead
        // of the market (Kornai's investment hunger; Kornai 1986).
        let target = wanted * planned * terms.expansion;
        let kept = k * capacity_kept;
        // Nobody adds capacity to a paradigm that demand is leaving.
        let wished = if current {
            smaller((target - kept).max(0.0), max_investment_rate * k)
        } else {
            0.0
        };
        // Disposal. Under a hard budget idle capacity is a cost (depreciation,
        // interest) with a resale value, so a private firm sells off part of what it
        // holds beyond expected demand, at a loss; an SOE keeps its capacity, as it
        // keeps its workforce (Kornai's soft budget: no pressure to adjust). (A firm
        // that holds more than its target orders nothing.)
        // (Worked out for every firm and taken where it applies: a choice, not a
        // branch.)
        let disposing = !soe & (kept > target);
        let sold = capacity_disposal * (kept - target);
        if disposing {
            new_capacity -= sold;
            new_net_worth -= loss_per_unit * sold;
            new_debt = (new_debt - proceeds_per_unit * sold).max(0.0);
        }
        let soft = terms.soft_credit * value;
        let debt_limit = leverage * new_net_worth.max(0.0) + soft;
        let internal = (retained + depreciation * value).max(0.0);
        let room = (debt_limit - new_debt + internal).max(0.0);
        let order = smaller(wished, room * per_capital_price);
        new_debt = (new_debt + cp * order - internal).max(0.0);

        // A dead slot keeps what it holds.
        let keep = |new: f64, old: f64| if alive { new } else { old };
        share[i] = keep(new_share, share[i]);
        capacity[i] = keep(new_capacity, capacity[i]);
        net_worth[i] = keep(new_net_worth, net_worth[i]);
        debt[i] = keep(new_debt, debt[i]);
        pending[i] = keep(order, pending[i]);
        revenue[i] = keep(new_revenue, revenue[i]);
        output[i] = keep(q, output[i]);
        age[i] = if alive {
            age[i].saturating_add(1)
        } else {
            age[i]
        };

        let labour = if employed > 0.0 {
            pricing.labour_productivity_if(a_eff, soe) * (q / employed)
        } else {
            pricing.labour_productivity_if(a_eff, soe)
        };
        let j = i;
        out.capacity[j] = k;
        out.output[j] = q;
        out.a_eff[j] = a_eff;
        out.productivity_output[j] = a_eff * q;
        out.labour_output[j] = labour * q;
        out.output_squared[j] = q * q;
        out.revenue[j] = new_revenue;
        out.unmet[j] = wanted - q;
        out.profit[j] = profit;
        out.capital_value[j] = value;
        out.rd_own[j] = rd_own;
        out.order[j] = order;
        out.relative[j] = labour * per_frontier;
    }
}

/// The accounts pass over one chunk, filling the productivity histogram if `DISPERSION`.
#[inline(always)]
fn settle_chunk<const DISPERSION: bool>(
    c: FirmChunk<'_>,
    x: &AccountsContext<'_>,
) -> AccountsTally {
    // Every array's length, stated before anything else is set up: called at the
    // loop instead, the same checks left the loop 11 instructions longer per firm
    // (more of its values spilled to the stack; cachegrind, benches/figures.sh).
    let n = c.slots();
    let m = x.model;
    let lv = x.levers;
    // A firm draws from its own stream, keyed by its id, not by its slot.
    let key = FirmKey::new(x.seed, x.sector, x.period, Phase::Accounts);
    // Loop invariants, divided once rather than per firm.
    let fixed = Fixed {
        x,
        terms: PerOwner::from_fn(|o| OwnerTerms::of(o, m, lv)),
        per_share_total: 1.0 / x.share_total,
        per_capital_price: 1.0 / x.capital_price,
        per_frontier: 1.0 / x.frontier_eff,
        planned: (1.0 + x.demand_growth) / m.target_utilization,
        capacity_kept: 1.0 - m.depreciation,
    };
    let mut settled = Settled::new();
    // The sums are a local, not the tally this returns (which may live where the
    // caller puts it): the compiler cannot tell that memory from the firm arrays the
    // loop writes, and would store every sum there at every firm. Exits and the
    // histogram are kept apart too, as a vector that may grow takes its neighbours'
    // sums out of registers. The histogram is an array, so that a bin (never past
    // the end) is not bounds-checked.
    let mut t = AccountsTally::empty();
    // Revenue and own R&D by ownership: the subsidies on them follow at the end, each
    // as an ownership's rate times its sum, rather than as two more sums in the loop.
    let mut revenue_by_owner = PerOwner::<f64>::default();
    let mut rd_own_by_owner = PerOwner::<f64>::default();
    let mut exits = Vec::new();
    let mut hist = [0u32; HIST_BINS];
    let base = c.index * super::firms::CHUNK;
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        let r = start..end;
        settle_block(
            &fixed,
            &mut settled,
            BlockReads {
                alive: &c.alive[r.clone()],
                owner: &c.owner[r.clone()],
                vintage: &c.vintage[r.clone()],
                a: &c.a[r.clone()],
                search: &c.search[r.clone()],
            },
            &mut c.share[r.clone()],
            &mut c.capacity[r.clone()],
            &mut c.net_worth[r.clone()],
            &mut c.debt[r.clone()],
            &mut c.pending[r.clone()],
            &mut c.revenue[r.clone()],
            &mut c.output[r.clone()],
            &mut c.age[r],
        );
        for i in start..end {
            if !c.alive[i] {
                continue;
            }
            let j = i - start;
            let owner = c.owner[i];
            // Exit, or a bailout for an SOE under a soft budget. Rescue saves an SOE
            // from insolvency, not from irrelevance: one whose market share falls
            // below the minimum scale is closed or merged into another, as private
            // firms exit. Both rules are tested for every firm, and the ownership
            // only in the rare case of insolvency: one branch on the owner per firm
            // cost more than this.
            let exit = if c.share[i] < x.exit_share {
                true
            } else if c.net_worth[i] < 0.0 {
                let rescued =
                    owner == Ownership::Soe && uniform(&mut key.firm(c.id[i])) < lv.bailout;
                if rescued {
                    let rescue = -c.net_worth[i] + m.bailout_cushion * settled.capital_value[j];
                    c.net_worth[i] += rescue;
                    c.debt[i] = (c.debt[i] - rescue).max(0.0);
                    t.bailouts += 1;
                    t.bailout_spending += rescue;
                    c.rescues[i] = c.rescues[i].saturating_add(1);
                }
                !rescued
            } else {
                false
            };
            if exit {
                exits.push((base + i) as u32);
            }

            let q = settled.output[j];
            t.firms[owner] += 1;
            t.capacity[owner] += settled.capacity[j];
            t.output[owner] += q;
            t.best_any = larger(t.best_any, settled.a_eff[j]);
            t.productivity_output[owner] += settled.labour_output[j];
            if c.vintage[i] == x.pricing.paradigm {
                t.current_output += q;
                t.current_productivity_output += settled.productivity_output[j];
                t.current_profit += settled.profit[j];
                t.current_capital_value += settled.capital_value[j];
                t.best = larger(t.best, settled.a_eff[j]);
            } else {
                t.old_capacity += settled.capacity[j];
            }
            t.output_squared += settled.output_squared[j];
            revenue_by_owner[owner] += settled.revenue[j];
            t.unmet += settled.unmet[j];
            t.profit += settled.profit[j];
            rd_own_by_owner[owner] += settled.rd_own[j];
            t.investment += settled.order[j];
            if DISPERSION {
                hist[hist_bin(settled.relative[j])] += 1;
            }
        }
    }
    let subsidy_on = |sums: &PerOwner<f64>, rate: fn(&OwnerTerms) -> f64| {
        PerOwner::from_fn(|o| rate(&fixed.terms[o]) * sums[o]).total()
    };
    AccountsTally {
        revenue: revenue_by_owner.total(),
        production_subsidy: subsidy_on(&revenue_by_owner, |o| o.production_subsidy),
        rd_own: rd_own_by_owner.total(),
        rd_subsidy: subsidy_on(&rd_own_by_owner, |o| o.rd_subsidy),
        // The capital value of all the capacity, as one product rather than a sum of
        // one per firm (the loop has more sums than registers to keep them in).
        capital_value: x.capital_price * t.capacity.total(),
        exits,
        hist: if DISPERSION {
            hist.to_vec()
        } else {
            Vec::new()
        },
        ..t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pseudo_logarithm_inverts_exactly_and_stays_near_log2() {
        for &x in &[0.01, 0.3, 0.5, 0.77, 1.0, 1.5, 1.99] {
            let y = pseudo_log2(x);
            assert!((pseudo_exp2(y) - x).abs() < 1e-12 * x);
            assert!((y - f64::log2(x)).abs() < 0.09);
        }
    }

    /// The bin from the bits is the floor of the float formula wherever that is not
    /// within rounding of a bin's edge.
    #[test]
    fn bins_from_bits_are_the_floor_of_the_pseudo_logarithm() {
        let mut x = 0.003;
        while x < 3.0 {
            let y = (pseudo_log2(x) - HIST_LOW) * BINS_PER_OCTAVE as f64;
            if (y - y.round()).abs() > 1e-9 {
                let expected = (y.floor().max(0.0) as usize).min(HIST_BINS - 1);
                assert_eq!(hist_bin(x), expected, "{x}");
            }
            x *= 1.000_37;
        }
        // Edges exactly: the first value of an octave, and of a bin within one.
        assert_eq!(hist_bin(1.0), 7 * BINS_PER_OCTAVE);
        assert_eq!(hist_bin(0.5), 6 * BINS_PER_OCTAVE);
        assert_eq!(hist_bin(1.5), 7 * BINS_PER_OCTAVE + BINS_PER_OCTAVE / 2);
        assert_eq!(hist_bin(f64::NAN), 0);
        assert_eq!(hist_bin(f64::INFINITY), HIST_BINS - 1);
    }

    /// Productivities beyond the histogram's range fall in its end bins instead of
    /// indexing past it (found by cargo-mutants: nothing tested the top clamp).
    #[test]
    fn out_of_range_productivities_fall_in_the_end_bins() {
        assert_eq!(hist_bin(1e9), HIST_BINS - 1);
        assert_eq!(hist_bin(2.0 * HIST_HIGH.exp2()), HIST_BINS - 1);
        assert_eq!(hist_bin(0.0), 0);
        assert_eq!(hist_bin(-1.0), 0);
        assert!(hist_bin(1.0) < HIST_BINS - 1);
    }

    /// Quantiles interpolate linearly inside a bin, in the pseudo-logarithm: pinned
    /// exactly (found by cargo-mutants: the tolerances below let a wrong interpolation
    /// pass).
    #[test]
    fn quantiles_interpolate_within_their_bin() {
        let width = (HIST_HIGH - HIST_LOW) / HIST_BINS as f64;
        let at = |bin: usize, within: f64| pseudo_exp2(HIST_LOW + (bin as f64 + within) * width);
        let mut h = vec![0u32; HIST_BINS];
        h[700] = 4;
        h[900] = 6;
        // 20% of 10 firms is half of bin 700's 4; 70% is half of bin 900's 6 past the 4.
        let [a, b] = hist_quantiles(&h, [0.2, 0.7]).unwrap();
        assert_eq!(a, at(700, 0.5));
        assert_eq!(b, at(900, 0.5));
        let [lo, hi] = hist_quantiles(&h, [0.0, 1.0]).unwrap();
        assert_eq!((lo, hi), (at(700, 0.0), at(900, 1.0)));
    }

    /// The quantiles by the plain walk over every bin, float counts and all: the
    /// definition [`hist_quantiles`] must agree with exactly.
    fn quantiles_by_walking<const N: usize>(hist: &[u32], qs: [f64; N]) -> Option<[f64; N]> {
        let first = hist.iter().position(|&c| c > 0)?;
        let total: u64 = hist.iter().map(|&c| u64::from(c)).sum();
        let width = (HIST_HIGH - HIST_LOW) / HIST_BINS as f64;
        let mut out = [pseudo_exp2(HIST_HIGH); N];
        let (mut next, mut seen) = (0, 0.0);
        for (b, &c) in hist.iter().enumerate().skip(first) {
            let c = f64::from(c);
            while next < N && c > 0.0 && seen + c >= qs[next] * total as f64 {
                let within = ((qs[next] * total as f64 - seen) / c).clamp(0.0, 1.0);
                out[next] = pseudo_exp2(HIST_LOW + (b as f64 + within) * width);
                next += 1;
            }
            seen += c;
        }
        Some(out)
    }

    /// Skipping blocks of bins changes nothing: sparse and dense histograms, quantiles
    /// in one bin, at the ends, and in the last (partial) block.
    #[test]
    fn skipping_blocks_of_bins_gives_the_plain_walks_quantiles() {
        let mut state = 12345u64;
        let mut next = move || {
            state = crate::model::rng::mix(state);
            state
        };
        for case in 0..400 {
            let mut h = vec![0u32; HIST_BINS];
            let occupied = [1, 2, 5, 40, 1600][case % 5];
            let (lo, span) = match case % 3 {
                0 => (0, HIST_BINS),
                1 => (HIST_BINS - 40, 40),
                _ => ((next() % 1500) as usize, 100),
            };
            for _ in 0..occupied {
                h[lo + (next() % span as u64) as usize] += 1 + (next() % 7) as u32;
            }
            let qs = [0.0, 0.1, 0.1, 0.5, 0.9, 0.999, 1.0];
            assert_eq!(
                hist_quantiles(&h, qs),
                quantiles_by_walking(&h, qs),
                "case {case}"
            );
        }
        let mut h = vec![0u32; HIST_BINS];
        h[HIST_BINS - 1] = 3;
        let qs = [0.1, 0.9];
        assert_eq!(hist_quantiles(&h, qs), quantiles_by_walking(&h, qs));
    }

    #[test]
    fn histogram_quantiles_recover_known_ratios() {
        let mut h = vec![0u32; HIST_BINS];
        for r in [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4] {
            h[hist_bin(r)] += 1;
        }
        let p10 = hist_quantile(&h, 0.1).unwrap();
        let p90 = hist_quantile(&h, 0.9).unwrap();
        assert!((p10 - 0.5).abs() < 0.01, "{p10}");
        assert!((p90 - 1.3).abs() < 0.02, "{p90}");
        assert_eq!(hist_quantile(&vec![0; HIST_BINS], 0.5), None);
        let [a, b] = hist_quantiles(&h, [0.1, 0.9]).unwrap();
        assert_eq!((a, b), (p10, p90));
    }
}

#[cfg(test)]
mod mechanism_tests {
    use super::*;
    use crate::model::firms::{Firm, Firms};
    use crate::model::levers::PolicyState;
    use crate::scenario::Scenario;

    fn soe_in_trouble() -> Firm {
        Firm {
            id: 7,
            owner: Ownership::Soe,
            age: 10,
            productivity: 1.0,
            capacity: 100.0,
            net_worth: 1.0,
            // Interest alone on this debt wipes out the net worth.
            debt: 1000.0,
            share: 0.01,
            revenue: 10.0,
            output: 1.0,
            pending: 0.0,
            rd_stock: 0.0,
            search: 1.0,
            path: 0,
            streak: 0,
            experience: 0,
            vintage: 0,
            rescues: 0,
        }
    }

    fn settle_one(bailout: f64) -> (Firm, AccountsTally) {
        let mut levers = PolicyState::new(&Scenario::default()).resolve(0);
        levers.bailout = bailout;
        settle_with(soe_in_trouble(), &ModelParams::default(), &levers, 0.0)
    }

    /// Settles one firm alone in a market of demand 100 at a capital price of 1.
    fn settle_with(
        firm: Firm,
        model: &ModelParams,
        levers: &Levers,
        exit_share: f64,
    ) -> (Firm, AccountsTally) {
        settle_at(firm, model, levers, exit_share, 1.0)
    }

    /// [`settle_with`] at another capital price.
    fn settle_at(
        firm: Firm,
        model: &ModelParams,
        levers: &Levers,
        exit_share: f64,
        capital_price: f64,
    ) -> (Firm, AccountsTally) {
        let ctx = AccountsContext {
            capital_price,
            exit_share,
            ..context(model, levers)
        };
        settle_in(firm, &ctx)
    }

    /// The market of [`settle_with`]: demand 100, capital price 1, frontier 1.
    fn context<'a>(model: &'a ModelParams, levers: &'a Levers) -> AccountsContext<'a> {
        AccountsContext {
            seed: 1,
            sector: 0,
            period: 1,
            model,
            levers,
            pricing: Pricing::for_tests(),
            share_total: 1.0,
            demand: 100.0,
            demand_growth: 0.0,
            capital_price: 1.0,
            exit_share: 0.0,
            frontier_eff: 1.0,
            dispersion: true,
        }
    }

    /// Settles one firm alone in the market `ctx`.
    fn settle_in(firm: Firm, ctx: &AccountsContext<'_>) -> (Firm, AccountsTally) {
        let (after, tally) = settle_chunk_of(&[firm], 0, ctx);
        (after[0], tally)
    }

    #[test]
    fn the_r_and_d_bill_grows_with_the_firms_search_intensity() {
        let levers = PolicyState::new(&Scenario::default()).resolve(0);
        let model = ModelParams::default();
        let routine = Firm {
            owner: Ownership::Private,
            net_worth: 100.0,
            debt: 0.0,
            ..soe_in_trouble()
        };
        let searching = Firm {
            search: 2.5,
            ..routine
        };
        let (a, _) = settle_with(routine, &model, &levers, 0.0);
        let (b, _) = settle_with(searching, &model, &levers, 0.0);
        // Both make a loss, which is retained whole: the gap is the extra R&D bill.
        let extra = model.rd_share * routine.revenue * 1.5;
        assert!(
            ((a.net_worth - b.net_worth) - extra).abs() < 1e-9,
            "{} {}",
            a.net_worth,
            b.net_worth
        );
    }

    #[test]
    fn a_bailout_keeps_an_soe_alive_and_is_booked_as_fiscal_cost() {
        let (after, tally) = settle_one(1.0);
        assert!(tally.exits.is_empty());
        assert_eq!(tally.bailouts, 1);
        assert_eq!(after.rescues, 1, "the firm records its rescue");
        // Net worth is restored to the cushion on its capital value.
        let cushion = ModelParams::default().bailout_cushion * 100.0;
        assert!(
            (after.net_worth - cushion).abs() < 1e-9,
            "{}",
            after.net_worth
        );
        assert!(tally.bailout_spending > 0.0);
        let record = crate::model::SectorRecord {
            bailout_spending: tally.bailout_spending,
            hist: vec![0; HIST_BINS],
            ..Default::default()
        };
        let row = crate::observe::economy_row(1, &[record]);
        assert_eq!(row.bailout_spending, tally.bailout_spending);
        assert_eq!(row.fiscal_cost, tally.bailout_spending);
    }

    #[test]
    fn without_a_soft_budget_an_soe_in_the_red_exits() {
        let (_, tally) = settle_one(0.0);
        assert_eq!(tally.exits, vec![0]);
        assert_eq!(tally.bailouts, 0);
        assert_eq!(tally.bailout_spending, 0.0);
    }

    #[test]
    fn output_is_demand_up_to_capacity_and_the_rest_is_unmet() {
        let (after, tally) = settle_one(1.0);
        // Share 1% of demand 100 is 1 unit, well within capacity.
        assert!((after.output - 1.0).abs() < 1e-12);
        assert_eq!(tally.unmet, 0.0);
    }

    /// A healthy firm with a tenth of a market of 100, ample net worth and no debt.
    fn healthy(owner: Ownership) -> Firm {
        Firm {
            owner,
            net_worth: 1e6,
            debt: 0.0,
            share: 0.1,
            capacity: 20.0,
            ..soe_in_trouble()
        }
    }

    fn levers() -> Levers {
        PolicyState::new(&Scenario::default()).resolve(0)
    }

    #[test]
    fn rescue_saves_an_soe_from_insolvency_but_not_from_irrelevance() {
        // Share 1% against a minimum of 2%: closed although rescue is certain.
        let (_, tally) = settle_with(soe_in_trouble(), &ModelParams::default(), &levers(), 0.02);
        assert_eq!((tally.exits, tally.bailouts), (vec![0], 0));
    }

    #[test]
    fn an_soe_pays_its_redundant_labour_and_shows_it_in_labour_productivity() {
        // Output 10 on capacity 20: utilisation 0.5, below the floor.
        let floor = ModelParams {
            soe_employment_floor: 0.8,
            ..ModelParams::default()
        };
        let none = ModelParams {
            soe_employment_floor: 0.0,
            ..floor.clone()
        };
        let (with, t_with) = settle_with(healthy(Ownership::Soe), &floor, &levers(), 0.0);
        let (without, t_without) = settle_with(healthy(Ownership::Soe), &none, &levers(), 0.0);
        let p = Pricing::for_tests();
        let idle_wages = p.unit_cost(1.0, Ownership::Soe) * (0.8 * 20.0 - 10.0);
        let retained = |f: &Firm| f.net_worth - 1e6;
        // Losses are retained whole; the payout only takes a share of profits.
        let lost = retained(&without) - retained(&with);
        assert!(
            lost > 0.0 && lost <= idle_wages + 1e-9,
            "{lost} vs {idle_wages}"
        );
        let labour = |t: &AccountsTally, o: Ownership| t.productivity_output[o] / t.output[o];
        assert!(
            (labour(&t_with, Ownership::Soe) / labour(&t_without, Ownership::Soe) - 10.0 / 16.0)
                .abs()
                < 1e-12
        );
        // A private firm keeps only the labour its output needs.
        let (_, private) = settle_with(healthy(Ownership::Private), &floor, &levers(), 0.0);
        assert!(
            (labour(&private, Ownership::Private) - p.labour_productivity(1.0, Ownership::Private))
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn an_soe_plans_capacity_beyond_demand_by_its_drive() {
        let m = ModelParams {
            soe_expansion_drive: 0.5,
            depreciation: 0.0,
            max_investment_rate: 10.0,
            ..ModelParams::default()
        };
        // At full use of a capacity of 10 (output 10).
        let full = |owner| Firm {
            capacity: 10.0,
            ..healthy(owner)
        };
        let (soe, _) = settle_with(full(Ownership::Soe), &m, &levers(), 0.0);
        let (private, _) = settle_with(full(Ownership::Private), &m, &levers(), 0.0);
        // Demand-based target: output 10 / target utilisation; the SOE's 1.5 times that.
        let target = 10.0 / m.target_utilization;
        assert!((private.pending - (target - 10.0)).abs() < 1e-9);
        assert!((soe.pending - (1.5 * target - 10.0)).abs() < 1e-9);
        assert!(soe.pending > private.pending);
        // Without credit or funds of its own the drive builds nothing.
        let broke = Firm {
            net_worth: -1.0,
            debt: 1e6,
            ..healthy(Ownership::Soe)
        };
        let mut hard = levers();
        hard.soe_credit = 0.0;
        hard.bailout = 0.0;
        let (after, _) = settle_with(broke, &m, &hard, 0.0);
        assert_eq!(after.pending, 0.0);
    }

    /// A firm plans its capacity for next period's demand: this period's output grown
    /// at the market's rate, over the target utilisation.
    #[test]
    fn a_firm_plans_capacity_for_demand_grown_at_the_markets_rate() {
        let m = ModelParams {
            depreciation: 0.0,
            max_investment_rate: 10.0,
            ..ModelParams::default()
        };
        let lv = levers();
        let ctx = AccountsContext {
            demand_growth: 0.1,
            ..context(&m, &lv)
        };
        let full = Firm {
            capacity: 10.0,
            ..healthy(Ownership::Private)
        };
        let (after, _) = settle_in(full, &ctx);
        let target = 10.0 * 1.1 / m.target_utilization;
        assert!(
            (after.pending - (target - 10.0)).abs() < 1e-9,
            "{}",
            after.pending
        );
    }

    /// A model in which a firm may order up to twenty times its capacity, with 10%
    /// depreciation and no disposal: what it orders is set by its funds and credit.
    fn investing() -> ModelParams {
        ModelParams {
            depreciation: 0.1,
            max_investment_rate: 20.0,
            capacity_disposal: 0.0,
            ..ModelParams::default()
        }
    }

    /// A private firm without debt holding the whole market (demand 100) on a
    /// capacity of 10: it wants far more capacity.
    fn whole_market() -> Firm {
        Firm {
            share: 1.0,
            capacity: 10.0,
            debt: 0.0,
            ..healthy(Ownership::Private)
        }
    }

    /// Investment is paid first from the firm's own funds, its retained profit and its
    /// depreciation allowance (rate times the capital value of its capacity), and
    /// borrowed for the rest.
    #[test]
    fn investment_is_paid_from_retained_profit_and_depreciation_before_borrowing() {
        let m = investing();
        let eager = whole_market();
        let (after, _) = settle_at(eager, &m, &levers(), 0.0, 2.0);
        let retained = after.net_worth - eager.net_worth;
        let own_funds = retained + 0.1 * 2.0 * 10.0;
        // A small loss after depreciation, which the allowance more than covers.
        assert!(
            own_funds > 1.0 && after.pending > 0.0,
            "{own_funds} {}",
            after.pending
        );
        let borrowed = 2.0 * after.pending - own_funds;
        assert!(borrowed > 0.0, "{borrowed}");
        assert!(
            (after.debt - (eager.debt + borrowed)).abs() < 1e-9,
            "{} {}",
            after.debt,
            eager.debt + borrowed
        );
    }

    /// Where credit binds, a firm orders what it may borrow (leverage times its net
    /// worth) plus its own funds (retained profit and depreciation allowance), at the
    /// capital price.
    #[test]
    fn where_credit_binds_own_funds_add_to_what_a_firm_can_order() {
        let m = investing();
        let small = Firm {
            net_worth: 1.0,
            ..whole_market()
        };
        let (after, _) = settle_at(small, &m, &levers(), 0.0, 2.0);
        let own_funds = (after.net_worth - small.net_worth) + 0.1 * 2.0 * 10.0;
        assert!(own_funds > 1.0 && after.net_worth > 0.0, "{own_funds}");
        let room = m.leverage * after.net_worth + own_funds;
        let wanted = 100.0 / m.target_utilization - 10.0 * 0.9;
        assert!(room / 2.0 < wanted, "credit binds");
        assert!(
            (after.pending - room / 2.0).abs() < 1e-9,
            "{} {}",
            after.pending,
            room / 2.0
        );
    }

    /// Soft credit: an SOE may borrow its soft-credit rate times the capital value of
    /// its capacity beyond what its net worth carries. With no net worth to borrow on,
    /// the extra capacity it can order is that value over the capital price.
    #[test]
    fn soft_credit_lets_an_soe_borrow_on_its_capital_value() {
        let m = ModelParams {
            depreciation: 0.0,
            max_investment_rate: 20.0,
            ..ModelParams::default()
        };
        let soe = Firm {
            share: 1.0,
            capacity: 10.0,
            net_worth: 0.0,
            ..healthy(Ownership::Soe)
        };
        let mut hard = levers();
        hard.soe_credit = 0.0;
        hard.bailout = 0.0;
        let soft = Levers {
            soe_credit: 0.5,
            ..hard
        };
        let (without, _) = settle_at(soe, &m, &hard, 0.0, 2.0);
        let (with, _) = settle_at(soe, &m, &soft, 0.0, 2.0);
        // 0.5 of a capital value of 2 x 10, at a capital price of 2: 5 units more.
        let extra = with.pending - without.pending;
        assert!(
            (extra - 5.0).abs() < 1e-9,
            "{} {}",
            with.pending,
            without.pending
        );
    }

    #[test]
    fn investment_stops_where_credit_and_own_funds_run_out() {
        let m = ModelParams {
            depreciation: 0.0,
            max_investment_rate: 20.0,
            ..ModelParams::default()
        };
        // All of a demand of 100 against a capacity of 10: it wants to grow.
        let eager = Firm {
            share: 1.0,
            capacity: 10.0,
            ..healthy(Ownership::Private)
        };
        let (funded, _) = settle_with(eager, &m, &levers(), 0.0);
        let wanted = 100.0 / m.target_utilization - 10.0;
        assert!((funded.pending - wanted).abs() < 1e-9, "{}", funded.pending);
        // The same firm under debt beyond what its net worth can carry orders nothing.
        let (indebted, _) = settle_with(
            Firm {
                net_worth: 1.0,
                debt: 1e6,
                ..eager
            },
            &m,
            &levers(),
            0.0,
        );
        assert_eq!(indebted.pending, 0.0);
    }

    /// A private firm making a loss (its interest bill dwarfs its revenue), so that its
    /// whole profit is retained and moves its net worth one for one.
    fn loss_maker() -> Firm {
        Firm {
            debt: 1e6,
            ..healthy(Ownership::Private)
        }
    }

    /// The sums a chunk hands on are its firms' own numbers: one firm's output squared
    /// (for concentration), its R&D bill and the subsidy on it, the production subsidy
    /// paid on its revenue, its capital value, and its place in the histogram of labour productivity relative to the frontier.
    #[test]
    fn a_firms_numbers_reach_the_tally() {
        let mut subsidised = levers();
        subsidised.by_owner[Ownership::Soe].production_subsidy = 0.1;
        subsidised.by_owner[Ownership::Soe].rd_subsidy = 0.5;
        let firm = Firm {
            search: 1.5,
            ..healthy(Ownership::Soe)
        };
        let m = ModelParams::default();
        let ctx = AccountsContext {
            frontier_eff: 2.0,
            capital_price: 3.0,
            ..context(&m, &subsidised)
        };
        let (after, t) = settle_in(firm, &ctx);
        // Demand 10 (a tenth of 100) on a capacity of 20.
        assert_eq!(after.output, 10.0);
        assert_eq!(t.output_squared, 100.0);
        assert!((t.rd_own - m.rd_share * firm.revenue * 1.5).abs() < 1e-12);
        assert!((t.production_subsidy - 0.1 * after.revenue).abs() < 1e-12);
        assert!(t.production_subsidy > 0.0);
        assert!((t.rd_subsidy - 0.5 * t.rd_own).abs() < 1e-12);
        // The capital value of the capacity the firm held, at the capital price of 3.
        assert_eq!(t.capital_value, 3.0 * 20.0);
        // Labour productivity: the SOE's workforce, at least its floor's share of
        // capacity, against its output; relative to a frontier of 2.
        let employed = after.output.max(m.soe_employment_floor * firm.capacity);
        let labour = Pricing::for_tests().labour_productivity(1.0, Ownership::Soe)
            * (after.output / employed);
        let mut expected = vec![0; t.hist.len()];
        expected[hist_bin(labour / 2.0)] = 1;
        assert_eq!(t.hist, expected);
        // The bins tell the frontier's factor of 2 (or 4) apart.
        assert_ne!(hist_bin(labour / 2.0), hist_bin(labour));
        assert_ne!(hist_bin(labour / 2.0), hist_bin(labour * 2.0));
    }

    /// A firm with no capacity sells nothing and employs nobody: it adds nothing to
    /// the output-weighted labour productivity, and sits in the histogram at the
    /// productivity of its technology.
    #[test]
    fn a_firm_without_capacity_adds_no_output_and_is_binned_at_its_technology() {
        let m = ModelParams::default();
        let empty = Firm {
            capacity: 0.0,
            ..healthy(Ownership::Private)
        };
        let (after, t) = settle_with(empty, &m, &levers(), 0.0);
        assert_eq!((after.output, t.output_squared), (0.0, 0.0));
        assert_eq!(t.productivity_output.total(), 0.0);
        let labour = Pricing::for_tests().labour_productivity(1.0, Ownership::Private);
        let mut expected = vec![0; t.hist.len()];
        expected[hist_bin(labour)] = 1;
        assert_eq!(t.hist, expected);
    }

    /// A production subsidy adds its rate times the firm's revenue to its profit.
    #[test]
    fn a_production_subsidy_pays_its_rate_on_revenue() {
        let m = ModelParams::default();
        let mut subsidised = levers();
        subsidised.by_owner[Ownership::Private].production_subsidy = 0.1;
        let (without, _) = settle_with(loss_maker(), &m, &levers(), 0.0);
        let (with, _) = settle_with(loss_maker(), &m, &subsidised, 0.0);
        assert!(without.net_worth < loss_maker().net_worth, "a loss");
        assert!(with.revenue > 0.0);
        let gain = with.net_worth - without.net_worth;
        assert!((gain - 0.1 * with.revenue).abs() < 1e-6, "{gain}");
    }

    /// Depreciation is charged on the capital value of the capacity held: rate times
    /// capital price times capacity.
    #[test]
    fn depreciation_is_charged_on_the_capital_value() {
        // No disposal: how much a firm sells depends on depreciation too.
        let without = ModelParams {
            depreciation: 0.0,
            capacity_disposal: 0.0,
            ..ModelParams::default()
        };
        let with = ModelParams {
            depreciation: 0.1,
            ..without.clone()
        };
        let (a, _) = settle_at(loss_maker(), &without, &levers(), 0.0, 2.0);
        let (b, _) = settle_at(loss_maker(), &with, &levers(), 0.0, 2.0);
        let charge = a.net_worth - b.net_worth;
        assert!((charge - 0.1 * 2.0 * 20.0).abs() < 1e-6, "{charge}");
    }

    #[test]
    fn a_private_firm_sells_off_idle_capacity_at_a_loss_and_an_soe_keeps_its_own() {
        let m = ModelParams {
            depreciation: 0.0,
            capacity_disposal: 0.5,
            salvage_value: 0.4,
            ..ModelParams::default()
        };
        // Demand 10 (a tenth of 100) against a capacity of 40: the target is 10 / u*.
        let idle = |owner| Firm {
            capacity: 40.0,
            debt: 1000.0,
            ..healthy(owner)
        };
        let target = 10.0 / m.target_utilization;
        let sold = 0.5 * (40.0 - target);
        let (private, _) = settle_with(idle(Ownership::Private), &m, &levers(), 0.0);
        assert!(
            (private.capacity - (40.0 - sold)).abs() < 1e-9,
            "{}",
            private.capacity
        );
        assert_eq!(private.pending, 0.0);
        let (kept, _) = settle_with(
            idle(Ownership::Private),
            &ModelParams {
                capacity_disposal: 0.0,
                ..m.clone()
            },
            &levers(),
            0.0,
        );
        // The proceeds (40% of the capital price of 1) repay debt; the rest is a loss.
        assert!((kept.debt - private.debt - 0.4 * sold).abs() < 1e-9);
        let loss = (1.0 - 0.4) * sold;
        assert!((kept.net_worth - private.net_worth - loss).abs() < 1e-6);
        // At a capital price of 2, each unit sold brings twice the proceeds and loses
        // twice the value; the depreciation, interest and R&D bills are the same (no
        // depreciation here), so the differences with and without disposal double.
        let at_2 = |m: &ModelParams| settle_at(idle(Ownership::Private), m, &levers(), 0.0, 2.0).0;
        let (sold_at_2, kept_at_2) = (
            at_2(&m),
            at_2(&ModelParams {
                capacity_disposal: 0.0,
                ..m.clone()
            }),
        );
        assert!((sold_at_2.capacity - private.capacity).abs() < 1e-9);
        assert!((kept_at_2.debt - sold_at_2.debt - 2.0 * 0.4 * sold).abs() < 1e-9);
        assert!((kept_at_2.net_worth - sold_at_2.net_worth - 2.0 * loss).abs() < 1e-6);
        // An SOE keeps its idle capacity (and the workforce on it).
        let (soe, _) = settle_with(idle(Ownership::Soe), &m, &levers(), 0.0);
        assert_eq!(soe.capacity, 40.0);
        // A firm that uses its capacity sells nothing.
        let (busy, _) = settle_with(
            Firm {
                capacity: 10.0,
                ..healthy(Ownership::Private)
            },
            &m,
            &levers(),
            0.0,
        );
        assert_eq!(busy.capacity, 10.0);
    }

    /// Settles `firms` as one chunk, the chunk `index` of its sector, in `ctx`: their
    /// states after, in the same order, and the tally.
    fn settle_chunk_of(
        firms: &[Firm],
        index: usize,
        ctx: &AccountsContext<'_>,
    ) -> (Vec<Firm>, AccountsTally) {
        let mut all = Firms::default();
        for &f in firms {
            all.add(f);
        }
        let mut chunk = all.chunks_mut().next().unwrap();
        chunk.index = index;
        let tally = settle(chunk, ctx);
        ((0..all.slots()).map(|i| all.get(i)).collect(), tally)
    }

    /// The sector's sums split firms by paradigm: output, productivity, profit and
    /// capital value of the current paradigm's firms (what entrants look at, and the
    /// capital price's mean productivity), the capacity stuck in an old one, and the
    /// best current firm apart from the best of any; and by ownership. Each sum of a
    /// pair of firms is the sum of what each settles to alone.
    #[test]
    fn the_tally_splits_firms_by_paradigm_and_ownership() {
        let m = ModelParams::default();
        let lv = levers();
        let ctx = AccountsContext {
            capital_price: 2.0,
            ..context(&m, &lv)
        };
        // Demand 10 for a capacity of 8: it sells 8 and orders more.
        let current = Firm {
            productivity: 0.8,
            capacity: 8.0,
            ..healthy(Ownership::Private)
        };
        // An SOE in an old paradigm with a technology so far ahead that, at its
        // paradigm's fading worth, it is still the best of any firm.
        let old = Firm {
            id: 8,
            vintage: 1,
            productivity: 100.0,
            capacity: 30.0,
            share: 0.2,
            ..healthy(Ownership::Soe)
        };
        let (_, c) = settle_in(current, &ctx);
        let (_, o) = settle_in(old, &ctx);
        let (_, t) = settle_chunk_of(&[current, old], 0, &ctx);
        assert!(c.output.total() > 0.0 && o.output.total() > 0.0);
        assert!(c.profit != 0.0 && o.profit != 0.0 && c.profit != o.profit);
        assert_eq!(t.firms, PerOwner::new(1, 1));
        assert_eq!(t.capacity, PerOwner::new(8.0, 30.0));
        assert_eq!(t.output, PerOwner::new(c.output.total(), o.output.total()));
        assert_eq!(
            t.productivity_output,
            PerOwner::new(c.productivity_output.total(), o.productivity_output.total())
        );
        // The current paradigm's sums are the current firm's alone.
        assert_eq!(t.current_output, c.output.total());
        assert_eq!(t.current_output, c.current_output);
        assert_eq!(o.current_output, 0.0);
        let a_eff = 0.8;
        assert_eq!(t.current_productivity_output, a_eff * c.output.total());
        assert_eq!(t.current_profit, c.profit);
        assert_eq!(t.current_capital_value, 2.0 * 8.0);
        assert_eq!(t.old_capacity, 30.0);
        assert_eq!(c.old_capacity, 0.0);
        assert_eq!(t.best, a_eff);
        let old_eff = Pricing::for_tests().effective(100.0, 1);
        assert!(old_eff > a_eff);
        assert_eq!(t.best_any, old_eff);
        // Every firm's sums, whatever its paradigm.
        assert_eq!(t.profit, c.profit + o.profit);
        assert_eq!(t.revenue, c.revenue + o.revenue);
        assert_eq!(t.unmet, c.unmet + o.unmet);
        assert_eq!(t.investment, c.investment + o.investment);
        assert!(c.investment > 0.0, "the current firm orders capacity");
        assert_eq!(o.investment, 0.0, "nobody adds capacity to an old paradigm");
        assert_eq!(t.capital_value, 2.0 * 38.0);
        assert_eq!(t.unmet, 2.0);
    }

    /// A firm below the minimum share exits, and so does a private firm in the red;
    /// each is listed by its slot counted from the start of the sector.
    #[test]
    fn exits_are_numbered_by_their_slot_in_the_sector() {
        let m = ModelParams::default();
        let lv = levers();
        let ctx = AccountsContext {
            exit_share: 0.02,
            ..context(&m, &lv)
        };
        let fine = healthy(Ownership::Private);
        let small = Firm {
            share: 0.01,
            ..fine
        };
        let broke = Firm {
            debt: 1e6,
            net_worth: 0.0,
            ..fine
        };
        let (_, t) = settle_chunk_of(&[fine, small, fine, broke], 0, &ctx);
        assert_eq!(t.exits, vec![1, 3]);
        // Slots count from the start of the sector, not of the chunk.
        let (_, third) = settle_chunk_of(&[fine, small, fine, broke], 2, &ctx);
        let base = 2 * crate::model::firms::CHUNK as u32;
        assert_eq!(third.exits, vec![base + 1, base + 3]);
        // At exactly the minimum share a firm stays.
        let at_minimum = Firm {
            share: 0.02,
            ..fine
        };
        assert!(settle_chunk_of(&[at_minimum], 0, &ctx).1.exits.is_empty());
        // Insolvency is a negative net worth (ODD 7.13): a firm left with exactly
        // nothing, and owing nothing, stays.
        let nothing = Firm {
            share: 0.0,
            capacity: 0.0,
            output: 0.0,
            revenue: 0.0,
            pending: 0.0,
            net_worth: 0.0,
            debt: 0.0,
            ..fine
        };
        let no_minimum = AccountsContext {
            exit_share: 0.0,
            ..context(&m, &lv)
        };
        let (after, t) = settle_chunk_of(&[nothing], 0, &no_minimum);
        assert_eq!(after[0].net_worth, 0.0);
        assert!(t.exits.is_empty(), "{:?}", t.exits);
    }

    /// A rescue pays the SOE's negative net worth and the cushion on its capital
    /// value, and that money first pays down its debt.
    #[test]
    fn a_rescue_restores_the_cushion_and_pays_down_debt() {
        let m = ModelParams::default();
        let mut soft = levers();
        soft.bailout = 1.0;
        let mut hard = levers();
        hard.bailout = 0.0;
        let (rescued, t) = settle_at(soe_in_trouble(), &m, &soft, 0.0, 2.0);
        let (left, _) = settle_at(soe_in_trouble(), &m, &hard, 0.0, 2.0);
        assert!(left.net_worth < 0.0);
        let cushion = m.bailout_cushion * 2.0 * 100.0;
        let rescue = -left.net_worth + cushion;
        assert!((t.bailout_spending - rescue).abs() < 1e-9);
        assert!((rescued.net_worth - cushion).abs() < 1e-9);
        assert!(left.debt > rescue, "the debt outlasts the rescue");
        assert!((rescued.debt - (left.debt - rescue)).abs() < 1e-9);
        // A rescue larger than the debt leaves none, not a negative debt.
        let little_debt = Firm {
            debt: 0.0,
            net_worth: -50.0,
            ..soe_in_trouble()
        };
        let (after, t) = settle_at(little_debt, &m, &soft, 0.0, 2.0);
        assert!(t.bailout_spending > 0.0);
        assert_eq!(after.debt, 0.0);
    }
}

#[cfg(test)]
mod tally_tests {
    use super::*;

    /// A tally whose every number is `base` times a field's own number, so that a field
    /// added to the wrong one, subtracted or dropped shows. A struct literal: a new
    /// field that `add` must learn about does not compile here until it is listed.
    fn tally(base: f64) -> AccountsTally {
        let n = |k: u32| base * f64::from(k);
        let count = |k: u32| (base as u64) * u64::from(k);
        AccountsTally {
            firms: PerOwner::new(count(1), count(2)),
            capacity: PerOwner::new(n(3), n(4)),
            output: PerOwner::new(n(5), n(6)),
            productivity_output: PerOwner::new(n(7), n(8)),
            current_output: n(9),
            current_productivity_output: n(10),
            current_profit: n(11),
            current_capital_value: n(12),
            old_capacity: n(13),
            output_squared: n(14),
            revenue: n(15),
            unmet: n(16),
            profit: n(17),
            capital_value: n(18),
            rd_own: n(19),
            rd_subsidy: n(20),
            production_subsidy: n(21),
            bailouts: count(22),
            bailout_spending: n(23),
            investment: n(24),
            best: n(25),
            best_any: n(26),
            hist: vec![count(28) as u32, count(29) as u32],
            exits: vec![count(30) as u32],
        }
    }

    #[test]
    fn adding_tallies_sums_every_sum_keeps_the_best_and_appends_the_exits() {
        // What a chunk after the first adds to the sector's tally.
        let mut sum = tally(1.0);
        sum.add(&tally(10.0));
        let mut expected = tally(11.0);
        expected.best = tally(10.0).best;
        expected.best_any = tally(10.0).best_any;
        expected.exits = vec![30, 300];
        assert_eq!(format!("{sum:?}"), format!("{expected:?}"));
    }

    #[test]
    fn the_first_chunk_added_to_the_empty_tally_brings_its_histogram() {
        // The sector's tally starts empty, with no histogram; the first chunk's
        // histogram must not be cut to that length.
        let mut sum = AccountsTally::empty();
        sum.add(&tally(1.0));
        assert_eq!(sum.hist, tally(1.0).hist);
        assert_eq!(format!("{sum:?}"), format!("{:?}", tally(1.0)));
    }
}
