//! The model's behavioural constants (`[model]`): the one table every parameter is
//! declared in.
//!
//! Each row gives a parameter's name, type, default, accepted range, unit and meaning;
//! the `params!` macro derives [`ModelParams`] and its default, the range checks and
//! the [`MODEL_PARAMS`] catalogue that `catchup reference` and the reference
//! documentation read. ODD (`docs/ODD.md`) gives each parameter's role and source.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::keys::{KeyInfo, KeyValue, Range};

/// Declares the model parameters.
macro_rules! params {
    ( $( $key:ident : $ty:ident = $default:expr,
         range $range:expr, unit $unit:literal, meaning $meaning:literal; )* ) => {
        /// Behavioural constants; see `docs/ODD.md` for each one's role and source.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct ModelParams {
            $( #[doc = $meaning] pub $key: $ty, )*
        }

        impl Default for ModelParams {
            fn default() -> Self {
                ModelParams { $( $key: $default, )* }
            }
        }

        impl ModelParams {
            /// Calls `f` with each parameter and its value.
            pub fn each(&self, mut f: impl FnMut(&'static str, f64)) {
                $( f(stringify!($key), self.$key.as_number()); )*
            }
        }

        /// Every model parameter, in the order of the table.
        pub static MODEL_PARAMS: LazyLock<Vec<KeyInfo>> = LazyLock::new(|| vec![
            $( KeyInfo::fixed("model", stringify!($key), $default as $ty, $range, $unit, $meaning), )*
        ]);
    };
}

params! {
        rd_share: f64 = 0.04,
            range Range::closed(0.0, 1.0), unit "share of revenue",
            meaning "R&D spending as a share of last period's revenue (`nu`).";
        rd_size_elasticity: f64 = 0.25,
            range Range::closed(0.0, 1.0), unit "elasticity",
            meaning "Elasticity of research effort to the R&D budget, relative to a firm of mean size.";
        zeta_imitation: f64 = 0.3,
            range Range::closed(0.0, 100.0), unit "success rate per unit of effort",
            meaning "Productivity of absorption effort in imitating foreign technology (`zeta_im`).";
        zeta_innovation: f64 = 0.6,
            range Range::closed(0.0, 100.0), unit "success rate per unit of effort",
            meaning "Productivity of exploration effort in innovating (`zeta_in`).";
        absorption_step: f64 = 0.2,
            range Range::closed(0.0, 1.0), unit "share of the gap",
            meaning "Share of the gap to the frontier closed by one successful absorption (`theta`).";
        absorb_private: f64 = 1.0,
            range Range::closed(0.0, 1.0), unit "0 to 1",
            meaning "Absorptive capacity of private firms with a full R&D stock.";
        absorb_soe: f64 = 0.7,
            range Range::closed(0.0, 1.0), unit "0 to 1",
            meaning "Absorptive capacity of SOEs with a full R&D stock (SOEs digest foreign technology less well).";
        rd_stock_half: f64 = 5.0,
            range Range::above(0.0), unit "R&D stock (money, deflated)",
            meaning "R&D stock at which absorptive capacity is three quarters of its maximum (it is half at zero stock).";
        rd_stock_decay: f64 = 0.1,
            range Range::closed(0.0, 1.0), unit "share per period",
            meaning "Yearly decay of the accumulated R&D stock.";
        path_learning: f64 = 0.3,
            range Range::closed(0.0, 10.0), unit "success per period of experience",
            meaning "Extra exploration success per period of experience on the current path.";
        path_learning_cap: u32 = 10,
            range Range::closed(0.0, 1000.0), unit "periods",
            meaning "Most periods of path experience that count.";
        dead_end_promise: f64 = 0.02,
            range Range::closed(0.0, 1.0), unit "probability",
            meaning "Promise (chance of success) of a dead-end path.";
        innovation_alpha: f64 = 3.0,
            range Range::above(0.0), unit "shape",
            meaning "First shape parameter of the Beta distribution of innovation draws.";
        innovation_beta: f64 = 3.0,
            range Range::above(0.0), unit "shape",
            meaning "Second shape parameter of the Beta distribution of innovation draws.";
        markup: f64 = 0.2,
            range Range::closed(0.0, 10.0), unit "share of unit cost",
            meaning "Price markup over unit cost (`mu`).";
        selection: f64 = 0.5,
            range Range::closed(0.0, 10.0), unit "strength",
            meaning "Strength of replicator selection: how fast market share moves to cheaper firms (`chi`).";
        wage: f64 = 1.0,
            range Range::above(0.0), unit "money per unit of labour",
            meaning "Domestic wage in period 0 (the numeraire); wages then grow with the frontier's trend.";
        research_cost: f64 = 0.5,
            range Range::above(0.0), unit "wages per unit of effort",
            meaning "Cost of one unit of research effort, in wages, deflated by the market's growth.";
        soe_inefficiency: f64 = 0.05,
            range Range::closed(0.0, 10.0), unit "share of unit cost",
            meaning "SOE X-inefficiency: extra unit cost even without protection.";
        soe_pass_through: f64 = 0.5,
            range Range::closed(0.0, 1.0), unit "share",
            meaning "Share of SOE X-inefficiency passed on in prices (the rest lowers SOE margins).";
        soe_employment_floor: f64 = 0.8,
            range Range::closed(0.0, 1.0), unit "share of capacity",
            meaning "Workforce an SOE keeps: the labour to run this share of its capacity, however little it sells (redundant labour it may not shed). Idle capacity costs it wages and lowers its labour productivity.";
        interest_rate: f64 = 0.03,
            range Range::closed(0.0, 1.0), unit "per period",
            meaning "Interest rate on debt (`r`).";
        depreciation: f64 = 0.05,
            range Range::closed(0.0, 1.0), unit "share per period",
            meaning "Capital depreciation per period (`delta`).";
        capital_output_ratio: f64 = 1.0,
            range Range::above(0.0), unit "mean unit costs per unit of capacity",
            meaning "Price of a unit of capacity, in units of the sector's mean unit cost (`kappa`).";
        target_utilization: f64 = 0.85,
            range Range::closed(0.01, 1.0), unit "share of capacity",
            meaning "Capacity utilisation a firm plans for when it invests.";
        initial_utilization: f64 = 0.8,
            range Range::closed(0.01, 1.0), unit "share of capacity",
            meaning "Utilisation of the initial capacity.";
        max_investment_rate: f64 = 0.3,
            range Range::closed(0.0, 10.0), unit "share of capacity per period",
            meaning "Largest capacity order in one period, as a share of capacity.";
        capacity_disposal: f64 = 0.5,
            range Range::closed(0.0, 1.0), unit "share of excess capacity per period",
            meaning "Share of its capacity beyond what expected demand needs (at the target utilisation) that a private firm sells off each period: under a hard budget idle capacity is shed. SOEs keep theirs.";
        salvage_value: f64 = 0.5,
            range Range::closed(0.0, 1.0), unit "share of the capital price",
            meaning "What capacity sold off fetches, as a share of the capital price; the rest is a loss to net worth.";
        leverage: f64 = 2.0,
            range Range::closed(0.0, 100.0), unit "multiple of net worth",
            meaning "Credit limit of a private firm, as a multiple of its net worth.";
        payout_ratio: f64 = 0.3,
            range Range::closed(0.0, 1.0), unit "share of profit",
            meaning "Share of positive profits paid out to owners rather than retained.";
        equity_ratio: f64 = 0.6,
            range Range::closed(0.0, 1.0), unit "share of capital",
            meaning "Share of initial capital financed by net worth rather than debt.";
        search_response: f64 = 3.0,
            range Range::closed(0.0, 100.0), unit "multiple of routine absorption effort",
            meaning "Problemistic search: a firm that expects to lose `search_trigger` of its buyers or more puts (1 + this) times its routine effort into absorbing known technology this period, and pays for it; less loss, proportionally less.";
        search_trigger: f64 = 0.1,
            range Range::closed(0.001, 1.0), unit "share of buyers per period",
            meaning "Share of its buyers a firm expects to lose in a period at which its search response is full.";
        soe_expansion_drive: f64 = 0.16,
            range Range::closed(0.0, 10.0), unit "share of needed capacity",
            meaning "SOEs' expansion drive: capacity planned beyond what expected demand needs, as a share of it, pursued as far as credit (soft credit, rescues) allows.";
        soe_size: f64 = 2.0,
            range Range::above(0.0), unit "multiple of a private firm",
            meaning "Initial size of an SOE relative to a private firm.";
        bailout_cushion: f64 = 0.2,
            range Range::closed(0.0, 10.0), unit "share of capital value",
            meaning "Net worth left to an SOE after a bailout, as a share of its capital value.";
        exit_share: f64 = 0.01,
            range Range::closed(0.0, 1.0), unit "fraction of the mean share",
            meaning "A private firm exits when its market share falls below this fraction of the mean share.";
        entry_rate: f64 = 0.02,
            range Range::closed(0.0, 1.0), unit "entrants per incumbent per period",
            meaning "Entrants per incumbent per period at a zero profit rate and no entry barrier.";
        entry_sensitivity: f64 = 10.0,
            range Range::closed(0.0, 100.0), unit "per unit of profit rate",
            meaning "How strongly entry responds to the sector's profit rate.";
        entrant_size: f64 = 0.5,
            range Range::above(0.0), unit "multiple of the mean firm",
            meaning "Size of an entrant relative to the mean firm.";
        entrant_alpha: f64 = 2.0,
            range Range::above(0.0), unit "shape",
            meaning "First shape parameter of the Beta distribution of entrant productivity.";
        entrant_beta: f64 = 4.0,
            range Range::above(0.0), unit "shape",
            meaning "Second shape parameter of the Beta distribution of entrant productivity.";
        entrant_low: f64 = -0.15,
            range Range::closed(-0.99, 10.0), unit "deviation from the sector mean",
            meaning "Lowest entrant productivity, as a proportional deviation from the sector mean (-0.15 = 15% below).";
        entrant_high: f64 = 0.15,
            range Range::closed(-0.99, 10.0), unit "deviation from the sector mean",
            meaning "Highest entrant productivity, as a proportional deviation from the sector mean.";
        transfer_rate: f64 = 1.0,
            range Range::closed(0.0, 1.0), unit "probability per period",
            meaning "Rate at which firms take up institute results when bridge and incentive are both 1.";
        transfer_step: f64 = 0.3,
            range Range::closed(0.0, 1.0), unit "share of the gap",
            meaning "Share of the firm-institute knowledge gap closed by one transfer (`phi`).";
        transfer_effort: f64 = 1.0,
            range Range::closed(0.0, 100.0), unit "mean firm efforts",
            meaning "Research effort institute staff add to a firm's own in a joint project over the bridge, in units of the mean firm's effort.";
        institute_learning: f64 = 0.1,
            range Range::closed(0.0, 1.0), unit "share of the gap per period",
            meaning "Speed at which institute knowledge tracks the frontier (`rho`).";
        spinoff_rate: f64 = 0.02,
            range Range::closed(0.0, 1.0), unit "probability per institute per period",
            meaning "Probability per institute per period of founding a spin-off firm.";
        staff_drift: f64 = 0.1,
            range Range::closed(0.0, 1.0), unit "share of the gap per period",
            meaning "Speed at which institute staff drift toward the level the researcher incentive supports.";
        institute_cost: f64 = 0.002,
            range Range::closed(0.0, 1.0), unit "share of revenue per unit of staff",
            meaning "Institute funding per unit of staff, as a share of the sector's revenue.";
        paradigm_drop: f64 = 0.7,
            range Range::closed(0.01, 1.0), unit "multiple of the old frontier",
            meaning "Frontier of a new paradigm relative to the old one (`m`).";
        paradigm_growth_boost: f64 = 2.0,
            range Range::closed(0.0, 100.0), unit "multiple of normal growth",
            meaning "Extra frontier growth right after a shift, as a multiple of normal growth.";
        paradigm_transition: u32 = 5,
            range Range::closed(1.0, 1000.0), unit "periods",
            meaning "Periods over which demand moves to the new paradigm.";
        retool_cost: f64 = 0.5,
            range Range::closed(0.0, 100.0), unit "capital prices per unit of capacity",
            meaning "Cost of re-tooling a unit of capacity for the new paradigm, in units of the capital price.";
        switch_against_imports: bool = true,
            range Range::Any, unit "on or off",
            meaning "Whether a firm of an old paradigm, deciding to re-tool, measures its price against the price at which buyers can import the new paradigm's product (tariff included) rather than against the whole market's mean price.";
        switch_level: f64 = 0.85,
            range Range::closed(0.01, 2.0), unit "share of the new frontier",
            meaning "Productivity of a firm entering the new paradigm, relative to that paradigm's frontier.";
        consortium_evidence: u32 = 20,
            range Range::closed(1.0, 1000000.0), unit "trials",
            meaning "Trials on a path after which the consortium may declare it a dead end.";
        consortium_follow: f64 = 0.5,
            range Range::closed(0.0, 1.0), unit "probability",
            meaning "Probability that a consortium member leaving a path moves to the path with the best pooled record (otherwise to another live path at random).";
}

/// The catalogue entry of a model parameter, by name.
pub fn param(key: &str) -> Option<&'static KeyInfo> {
    MODEL_PARAMS.iter().find(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_matches_the_type_and_accepts_the_defaults() {
        let defaults = serde_json::to_value(ModelParams::default()).unwrap();
        let fields: Vec<&str> = defaults
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let keys: Vec<&str> = MODEL_PARAMS.iter().map(|p| p.key).collect();
        let (mut fields, mut keys) = (fields, keys);
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
        for p in MODEL_PARAMS.iter() {
            // A switch is catalogued as 1 (on) or 0 (off).
            let value = &defaults[p.key];
            let number = value
                .as_f64()
                .or_else(|| value.as_bool().map(|on| if on { 1.0 } else { 0.0 }))
                .unwrap();
            assert_eq!(number, p.default, "{}", p.key);
            assert!(p.range.accepts(p.default), "{}", p.key);
        }
    }
}
