//! Unit costs and prices: what a firm's productivity means in the market.

use crate::scenario::{Ownership, PerOwner};

/// Everything needed to price a firm, fixed for one sector and period.
#[derive(Debug, Clone, Copy)]
pub struct Pricing {
    pub wage: f64,
    pub markup: f64,
    /// The sector's current paradigm.
    pub paradigm: u16,
    /// How much of an old-paradigm firm's productivity still counts: `1 - phi`,
    /// where `phi` is the share of demand that has moved to the new paradigm.
    pub old_paradigm_worth: f64,
    /// What ownership does to costs and prices, as factors.
    by_owner: PerOwner<OwnerFactors>,
}

/// What a firm's ownership does to its cost and prices, as factors worked out once per
/// period: computed per firm from the ownership, they were a division and several
/// selections per firm in every pass that prices firms. A private firm's are exactly 1,
/// so multiplying by them changes nothing.
#[derive(Debug, Clone, Copy)]
struct OwnerFactors {
    /// `1 + x_ineff`: unit cost over an efficient producer's.
    cost: f64,
    /// `1 / (1 + x_ineff)`: labour productivity per unit of productivity.
    labour: f64,
    /// `1 + pass_through x_ineff`: price over an efficient producer's.
    passed: f64,
    /// `1 - preference` for an SOE: the discount procurement gives its price.
    compared: f64,
}

impl OwnerFactors {
    /// `x_ineff` is the ownership's X-inefficiency: an SOE's slack (Leibenstein 1966);
    /// none for a private firm under a hard budget.
    fn new(x_ineff: f64, pass_through: f64, preference: f64) -> OwnerFactors {
        OwnerFactors {
            cost: 1.0 + x_ineff,
            labour: 1.0 / (1.0 + x_ineff),
            passed: 1.0 + pass_through * x_ineff,
            compared: 1.0 - preference,
        }
    }
}

/// An old-paradigm product never becomes worthless outright, so that prices stay finite.
const MIN_OLD_PARADIGM_WORTH: f64 = 0.02;

impl Pricing {
    /// The pricing of a period: `soe_inefficiency` is an SOE's X-inefficiency,
    /// `soe_pass_through` the share of it passed on in its price (the rest eats its
    /// margin), `soe_preference` procurement's discount on an SOE's price.
    pub fn new(
        wage: f64,
        markup: f64,
        soe_inefficiency: f64,
        soe_pass_through: f64,
        soe_preference: f64,
        paradigm: u16,
        old_paradigm_worth: f64,
    ) -> Pricing {
        Pricing {
            wage,
            markup,
            paradigm,
            old_paradigm_worth,
            by_owner: PerOwner::new(
                OwnerFactors::new(0.0, soe_pass_through, 0.0),
                OwnerFactors::new(soe_inefficiency, soe_pass_through, soe_preference),
            ),
        }
    }

    /// Productivity as it counts in this period, for buyers' comparisons and for the
    /// record: full in the current paradigm, fading with the demand that has moved
    /// away in an old one. Costs and prices use the firm's own productivity.
    #[inline]
    pub fn effective(&self, a: f64, vintage: u16) -> f64 {
        if vintage == self.paradigm {
            a
        } else {
            a * self.old_paradigm_worth.max(MIN_OLD_PARADIGM_WORTH)
        }
    }

    /// Unit labour cost of an efficient producer, `w / a`.
    #[inline]
    fn efficient_cost(&self, a: f64) -> f64 {
        self.wage / a.max(1e-12)
    }

    /// Unit cost `c = w / a (1 + x_ineff)`.
    #[inline]
    pub fn unit_cost(&self, a_eff: f64, owner: Ownership) -> f64 {
        self.efficient_cost(a_eff) * self.by_owner[owner].cost
    }

    /// Labour productivity `w / c`: productivity net of X-inefficiency, as recorded.
    #[inline]
    pub fn labour_productivity(&self, a_eff: f64, owner: Ownership) -> f64 {
        a_eff * self.by_owner[owner].labour
    }

    /// Price `p = (1 + mu) w / a (1 + pass_through x_ineff)`: the markup over the cost
    /// of an efficient producer of the same productivity, plus the part of an SOE's
    /// X-inefficiency that buyers can be made to pay. The rest eats into the SOE's
    /// margin, which is what makes slack costly under a soft budget.
    #[inline]
    pub fn price(&self, a_eff: f64, owner: Ownership) -> f64 {
        self.price_by(a_eff, &self.by_owner[owner])
    }

    #[inline(always)]
    fn price_by(&self, a_eff: f64, factors: &OwnerFactors) -> f64 {
        (1.0 + self.markup) * self.efficient_cost(a_eff) * factors.passed
    }

    /// [`Pricing::unit_cost`] and [`Pricing::price`] of a firm, its ownership given as
    /// whether it is an SOE: the same numbers, in the form of a choice between the two
    /// ownerships' factors, which a loop the compiler vectorises needs (see
    /// `model::accounts::settle_block`).
    #[inline(always)]
    pub fn unit_cost_and_price(&self, a_eff: f64, soe: bool) -> (f64, f64) {
        let factors = self.by_owner.pick(soe);
        (
            self.efficient_cost(a_eff) * factors.cost,
            self.price_by(a_eff, &factors),
        )
    }

    /// [`Pricing::labour_productivity`], the ownership given as whether it is an SOE.
    #[inline(always)]
    pub fn labour_productivity_if(&self, a_eff: f64, soe: bool) -> f64 {
        a_eff * self.by_owner.pick(soe).labour
    }

    /// [`Pricing::compared_price`] of a firm in the current paradigm, its ownership
    /// given as whether it is an SOE: the same number, in the form of a choice
    /// between the two ownerships' factors, which a loop the compiler vectorises
    /// needs (see `model::innovation::prepare_block`).
    #[inline(always)]
    pub fn current_compared_price(&self, a: f64, soe: bool) -> f64 {
        let factors = self.by_owner.pick(soe);
        self.price_by(a, &factors) * factors.compared
    }

    /// The price buyers compare, quality-adjusted for an old paradigm's fading worth;
    /// an SOE's is discounted by procurement preference.
    #[inline]
    pub fn compared_price(&self, a: f64, owner: Ownership, vintage: u16) -> f64 {
        let p = if vintage == self.paradigm {
            self.price(a, owner)
        } else {
            self.price(a, owner) / self.old_paradigm_worth.max(MIN_OLD_PARADIGM_WORTH)
        };
        p * self.by_owner[owner].compared
    }

    /// Import price `(1 + mu) w_f / F (1 + tariff)`.
    #[inline]
    pub fn import_price(&self, foreign_wage: f64, frontier: f64, tariff: f64) -> f64 {
        (1.0 + self.markup) * foreign_wage / frontier.max(1e-12) * (1.0 + tariff)
    }
}

#[cfg(test)]
impl Pricing {
    /// Prices of a sector in the current paradigm 0, for the mechanism tests.
    pub fn for_tests() -> Pricing {
        Pricing::new(1.0, 0.2, 0.1, 0.5, 0.05, 0, 0.0)
    }
}

/// Replicator factor `1 - chi (p - p_bar) / p_bar`, never negative.
#[inline]
pub fn replicator(selection: f64, price: f64, mean_price: f64) -> f64 {
    // Written with the reciprocal so that, in a loop over firms, the division by the
    // (fixed) mean price is done once rather than per firm.
    (1.0 - selection * (price - mean_price) * (1.0 / mean_price)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pricing() -> Pricing {
        Pricing::new(1.0, 0.2, 0.15, 0.5, 0.05, 1, 0.5)
    }

    #[test]
    fn a_tariff_raises_the_import_price_by_its_rate() {
        let p = pricing();
        let free = p.import_price(1.0, 1.0, 0.0);
        assert!((free - 1.2).abs() < 1e-12);
        assert!((p.import_price(1.0, 1.0, 0.3) - free * 1.3).abs() < 1e-12);
    }

    #[test]
    fn soes_pass_on_part_of_their_slack_and_are_compared_at_a_discount() {
        let p = pricing();
        assert!((p.unit_cost(1.0, Ownership::Soe) - 1.15).abs() < 1e-12);
        assert!((p.price(1.0, Ownership::Soe) - 1.2 * 1.075).abs() < 1e-12);
        assert!((p.compared_price(1.0, Ownership::Soe, 1) - 1.2 * 1.075 * 0.95).abs() < 1e-12);
        assert!((p.compared_price(1.0, Ownership::Private, 1) - 1.2).abs() < 1e-12);
    }

    #[test]
    fn old_paradigm_productivity_fades_with_demand() {
        let p = pricing();
        assert_eq!(p.effective(2.0, 1), 2.0);
        assert_eq!(p.effective(2.0, 0), 1.0);
    }

    #[test]
    fn the_replicator_rewards_cheaper_firms() {
        assert!(replicator(1.0, 0.9, 1.0) > 1.0);
        assert!(replicator(1.0, 1.1, 1.0) < 1.0);
        assert_eq!(replicator(1.0, 3.0, 1.0), 0.0);
    }
}
