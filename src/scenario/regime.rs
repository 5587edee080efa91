//! Regime defaults: what a sector inherits from being catch-up, parallel or leading.
//! The one table of every structural key of a `[[sector]]`.
//!
//! Each row gives a key's type, accepted range, unit, meaning and its default in each
//! regime; the `structure!` macro derives the sector table ([`SectorSpec`], where
//! each structural key is optional), the values in force ([`Structure`]), the regime
//! defaults, the range checks and the [`STRUCTURE`] catalogue that `catchup reference`
//! and the documentation read. A regime's behaviour lives here only, so a fourth
//! regime would be one more column (and a name in [`Regime`]).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::keys::{KeyInfo, KeyValue, Range};
use super::schema::{LeverOverrides, Regime};

/// A structural key: its catalogue entry and its default in each regime, in the
/// order of [`Regime::ALL`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StructuralKey {
    pub info: KeyInfo,
    pub by_regime: [f64; 3],
}

/// Declares the structural keys.
macro_rules! structure {
    ( $( $key:ident : $ty:ident, range $range:expr, unit $unit:literal,
         regimes [$cu:expr, $pa:expr, $le:expr], meaning $meaning:literal; )* ) => {
        /// One sector: its regime, population and any departures from the regime's
        /// defaults.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct SectorSpec {
            /// Unique name, used in `series.csv` and in `--set sector.NAME.…`.
            pub name: String,
            /// Where the industry stands: its structural defaults come from this.
            pub regime: Regime,
            /// Initial number of private firms.
            pub firms_private: u32,
            /// Initial number of SOEs.
            pub firms_soe: u32,
            /// Number of research institutes.
            pub institutes: u32,
            /// Initial domestic demand per initial firm (demand scales with the population).
            pub demand_per_firm: f64,
            /// Periods at which a paradigm shift happens for sure.
            pub paradigm_shifts: Vec<u32>,
            // Structural keys: each defaults to the regime's value; the
            // `scenario.toml` of a run has them all filled in.
            $(
                #[doc = $meaning]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $key: Option<$ty>,
            )*
            /// Lever overrides for this sector.
            pub policy: LeverOverrides,
        }

        impl SectorSpec {
            pub fn named(name: &str, regime: Regime) -> Self {
                SectorSpec {
                    name: name.into(),
                    regime,
                    firms_private: 50,
                    firms_soe: 10,
                    institutes: 3,
                    demand_per_firm: 20.0,
                    paradigm_shifts: Vec::new(),
                    $( $key: None, )*
                    policy: LeverOverrides::default(),
                }
            }
        }

        /// A sector's structural keys with every regime default applied.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Structure {
            $( #[doc = $meaning] pub $key: $ty, )*
        }

        impl Structure {
            /// The defaults of a regime.
            pub fn of_regime(regime: Regime) -> Structure {
                match regime {
                    Regime::CatchUp => Structure { $( $key: $cu, )* },
                    Regime::Parallel => Structure { $( $key: $pa, )* },
                    Regime::Leading => Structure { $( $key: $le, )* },
                }
            }

            /// The sector's structure: its own values where given, the regime's elsewhere.
            pub fn of_sector(spec: &SectorSpec) -> Structure {
                let d = Structure::of_regime(spec.regime);
                Structure { $( $key: spec.$key.unwrap_or(d.$key), )* }
            }

            /// Writes every value back into the spec, so a saved scenario needs no
            /// regime table.
            pub fn fill(self, spec: &mut SectorSpec) {
                $( spec.$key = Some(self.$key); )*
            }

            /// Calls `f` with each key and its value.
            pub fn each(&self, mut f: impl FnMut(&'static str, f64)) {
                $( f(stringify!($key), self.$key.as_number()); )*
            }
        }

        /// Every structural key, in the order of the table.
        pub static STRUCTURE: LazyLock<Vec<StructuralKey>> = LazyLock::new(|| vec![
            $( StructuralKey {
                info: KeyInfo::fixed("sector", stringify!($key), $cu as $ty, $range, $unit, $meaning),
                by_regime: [
                    KeyValue::as_number($cu as $ty),
                    KeyValue::as_number($pa as $ty),
                    KeyValue::as_number($le as $ty),
                ],
            }, )*
        ]);
    };
}

structure! {
    initial_productivity: f64, range Range::closed(0.01, 2.0), unit "share of the frontier",
        regimes [0.3, 0.85, 1.0],
        meaning "Initial productivity relative to the foreign frontier.";
    exploration_share: f64, range Range::closed(0.0, 1.0), unit "share of R&D effort",
        regimes [0.1, 0.5, 0.9],
        meaning "Share of R&D effort spent exploring new technology (the rest absorbs foreign technology) (`xi`).";
    paths: u32, range Range::closed(1.0, 1000.0), unit "paths",
        regimes [1, 3, 8],
        meaning "Number of technology paths (`P`).";
    dead_end_share: f64, range Range::closed(0.0, 1.0), unit "share of paths",
        regimes [0.0, 0.0, 0.5],
        meaning "Share of paths that are dead ends (at least one path must stay live).";
    promise_low: f64, range Range::closed(0.0, 1.0), unit "probability of success",
        regimes [0.9, 0.5, 0.3],
        meaning "Lower bound of a live path's promise (chance of success), drawn uniformly.";
    promise_high: f64, range Range::closed(0.0, 1.0), unit "probability of success",
        regimes [0.9, 0.9, 0.9],
        meaning "Upper bound of a live path's promise.";
    import_price_ratio: f64, range Range::closed(0.01, 100.0), unit "multiple of the initial domestic price",
        regimes [0.85, 1.0, 1.15],
        meaning "Import price before the tariff, relative to the initial domestic price (lower means stronger foreign competition).";
    initial_import_share: f64, range Range::closed(0.0, 0.99), unit "share of demand",
        regimes [0.4, 0.25, 0.1],
        meaning "Initial share of imports in demand.";
    innovation_low: f64, range Range::closed(-0.99, 10.0), unit "relative productivity change",
        regimes [-0.05, -0.08, -0.12],
        meaning "Lower end of an innovation's proportional productivity step (draws of 0 or less bring nothing).";
    innovation_high: f64, range Range::closed(-0.99, 10.0), unit "relative productivity change",
        regimes [0.05, 0.08, 0.15],
        meaning "Upper end of an innovation's proportional productivity step.";
    shift_probability: f64, range Range::closed(0.0, 1.0), unit "probability per period",
        regimes [0.0, 0.005, 0.02],
        meaning "Probability per period of a random paradigm shift.";
    frontier_growth: f64, range Range::closed(-0.5, 1.0), unit "growth per period",
        regimes [0.015, 0.015, 0.015],
        meaning "Growth of the foreign technology frontier per period (`g_F`).";
    demand_growth: f64, range Range::closed(-0.5, 1.0), unit "growth per period",
        regimes [0.04, 0.05, 0.04],
        meaning "Growth of demand per period (`g_D`).";
    equipment_level: f64, range Range::closed(0.0, 1.0), unit "share of the frontier",
        regimes [0.7, 0.8, 0.8],
        meaning "Share of the frontier embodied in the best foreign equipment a firm can buy (`psi`).";
    institute_knowledge: f64, range Range::closed(0.01, 2.0), unit "share of the frontier",
        regimes [0.8, 0.9, 1.0],
        meaning "Initial knowledge of the research institutes relative to the frontier.";
    institute_breakthroughs: bool, range Range::Any, unit "yes or no",
        regimes [false, false, true],
        meaning "Whether the sector's research institutes make breakthroughs of their own, beyond the frontier: jumps in their knowledge drawn like innovations on [0, `innovation_high`], on top of their learning toward the frontier (at the frontier there is no one to learn from).";
}

/// The catalogue entry of a structural key, by name.
pub fn structural(key: &str) -> Option<&'static StructuralKey> {
    STRUCTURE.iter().find(|k| k.info.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_regime_default_is_in_range() {
        for k in STRUCTURE.iter() {
            for v in k.by_regime {
                assert!(k.info.range.accepts(v), "{} = {v}", k.info.key);
            }
        }
        for (i, regime) in Regime::ALL.into_iter().enumerate() {
            let st = Structure::of_regime(regime);
            st.each(|key, v| assert_eq!(structural(key).unwrap().by_regime[i], v, "{key}"));
        }
    }
}
