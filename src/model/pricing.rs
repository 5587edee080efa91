//! Unit costs and prices: what a firm's productivity means in the market.

use crate::scenario::Ownership;

/// Everything needed to price a firm, fixed for one sector and period.
#[derive(Debug, Clone, Copy)]
pub struct Pricing {
    pub wage: f64,
    pub markup: f64,
    pub soe_inefficiency: f64,
    /// Share of an SOE's X-inefficiency passed on in its price; the rest eats its margin.
    pub soe_pass_through: f64,
    pub soe_preference: f64,
    /// The sector's current paradigm.
    pub paradigm: u16,
    /// How much of an old-paradigm firm's productivity still counts: `1 - phi`,
    /// where `phi` is the share of demand that has moved to the new paradigm.
    pub old_paradigm_worth: f64,
}

/// An old-paradigm product never becomes worthless outright, so that prices stay finite.
const MIN_OLD_PARADIGM_WORTH: f64 = 0.02;

impl Pricing {
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

    /// X-inefficiency `x_ineff`: an SOE's slack (Leibenstein 1966); none for a
    /// private firm under a hard budget.
    #[inline]
    fn inefficiency(&self, owner: Ownership) -> f64 {
        match owner {
            Ownership::Soe => self.soe_inefficiency,
            Ownership::Private => 0.0,
        }
    }

    /// Unit cost `c = w / a (1 + x_ineff)`.
    #[inline]
    pub fn unit_cost(&self, a_eff: f64, owner: Ownership) -> f64 {
        let ineff = self.inefficiency(owner);
        self.wage / a_eff.max(1e-12) * (1.0 + ineff)
    }

    /// Labour productivity `w / c`: productivity net of X-inefficiency, as recorded.
    #[inline]
    pub fn labour_productivity(&self, a_eff: f64, owner: Ownership) -> f64 {
        let ineff = self.inefficiency(owner);
        // The reciprocal is loop-invariant, so a loop divides once, not per firm.
        a_eff * (1.0 / (1.0 + ineff))
    }

    /// Price `p = (1 + mu) w / a (1 + pass_through x_ineff)`: the markup over the cost
    /// of an efficient producer of the same productivity, plus the part of an SOE's
    /// X-inefficiency that buyers can be made to pay. The rest eats into the SOE's
    /// margin, which is what makes slack costly under a soft budget.
    #[inline]
    pub fn price(&self, a_eff: f64, owner: Ownership) -> f64 {
        let passed = self.soe_pass_through * self.inefficiency(owner);
        (1.0 + self.markup) * self.unit_cost(a_eff, Ownership::Private) * (1.0 + passed)
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
        match owner {
            Ownership::Soe => p * (1.0 - self.soe_preference),
            Ownership::Private => p,
        }
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
        Pricing {
            wage: 1.0,
            markup: 0.2,
            soe_inefficiency: 0.1,
            soe_pass_through: 0.5,
            soe_preference: 0.05,
            paradigm: 0,
            old_paradigm_worth: 0.0,
        }
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
        Pricing {
            wage: 1.0,
            markup: 0.2,
            soe_inefficiency: 0.15,
            soe_pass_through: 0.5,
            soe_preference: 0.05,
            paradigm: 1,
            old_paradigm_worth: 0.5,
        }
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
