//! The policy levers: the one table every lever is declared in.
//!
//! Each row gives a lever's name, type, default, accepted range, label, unit, slider
//! and meaning. From it the `levers!` macro derives everything else: the `[policy]`
//! table ([`Policy`]), its per-ownership overrides ([`OwnershipLevers`]), the
//! per-sector and schedule overrides ([`LeverOverrides`]), the levers in force in a
//! sector ([`Levers`]), how layers merge and resolve, the range checks, and the
//! [`LEVERS`] catalogue that the classroom page, `catchup reference` and the reference
//! documentation read. Adding a lever is one row here plus the model code that uses
//! it.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::keys::{KeyInfo, KeyValue, Range, Slider};
use super::ownership::{Ownership, PerOwner};

/// Declares the levers: first those that may differ by ownership, then the rest.
macro_rules! levers {
    (
        per_ownership {
            $( $okey:ident : $oty:ident = $odefault:expr,
               range $orange:expr, unit $ounit:literal, label $olabel:literal,
               slider $oslider:expr, meaning $omeaning:literal; )*
        }
        sector_wide {
            $( $skey:ident : $sty:ident = $sdefault:expr,
               range $srange:expr, unit $sunit:literal, label $slabel:literal,
               slider $sslider:expr, meaning $smeaning:literal; )*
        }
    ) => {
        /// Economy-wide levers, with optional per-ownership overrides.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct Policy {
            $( #[doc = $omeaning] pub $okey: $oty, )*
            $( #[doc = $smeaning] pub $skey: $sty, )*
            /// Overrides for private firms.
            pub private: OwnershipLevers,
            /// Overrides for SOEs.
            pub soe: OwnershipLevers,
        }

        impl Default for Policy {
            fn default() -> Self {
                Policy {
                    $( $okey: $odefault, )*
                    $( $skey: $sdefault, )*
                    private: OwnershipLevers::default(),
                    soe: OwnershipLevers::default(),
                }
            }
        }

        /// Levers that may differ by ownership. Unset means "inherit".
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct OwnershipLevers {
            $(
                #[doc = $omeaning]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $okey: Option<$oty>,
            )*
        }

        /// Lever overrides for one sector or one schedule entry. Unset means
        /// "inherit"; each field means what the same field of [`Policy`] means.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct LeverOverrides {
            $(
                #[doc = $omeaning]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $okey: Option<$oty>,
            )*
            $(
                #[doc = $smeaning]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $skey: Option<$sty>,
            )*
            #[serde(skip_serializing_if = "OwnershipLevers::is_empty")]
            pub private: OwnershipLevers,
            #[serde(skip_serializing_if = "OwnershipLevers::is_empty")]
            pub soe: OwnershipLevers,
        }

        /// The levers that may differ by ownership, as they apply to one ownership
        /// in one sector and period.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct OwnerLevers {
            $( #[doc = $omeaning] pub $okey: $oty, )*
        }

        /// Every lever as it applies to one sector in one period.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Levers {
            $( #[doc = $smeaning] pub $skey: $sty, )*
            pub by_owner: PerOwner<OwnerLevers>,
        }

        /// Every lever, in the order of the table.
        pub static LEVERS: LazyLock<Vec<KeyInfo>> = LazyLock::new(|| vec![
            $( KeyInfo::lever(
                stringify!($okey), $odefault as $oty, $orange, true,
                $ounit, $olabel, $oslider, $omeaning,
            ), )*
            $( KeyInfo::lever(
                stringify!($skey), $sdefault as $sty, $srange, false,
                $sunit, $slabel, $sslider, $smeaning,
            ), )*
        ]);

        impl OwnershipLevers {
            pub fn is_empty(&self) -> bool {
                *self == OwnershipLevers::default()
            }
            /// Sets every lever `from` sets.
            pub fn merge(&mut self, from: &OwnershipLevers) {
                $( self.$okey = from.$okey.or(self.$okey); )*
            }
            /// Calls `f` with each lever that is set and its value.
            pub fn each_set(&self, mut f: impl FnMut(&'static str, f64)) {
                $( if let Some(v) = self.$okey { f(stringify!($okey), v.as_number()); } )*
            }
        }

        impl LeverOverrides {
            /// Sets every lever `from` sets (a later layer over an earlier one).
            pub fn merge(&mut self, from: &LeverOverrides) {
                $( self.$okey = from.$okey.or(self.$okey); )*
                $( self.$skey = from.$skey.or(self.$skey); )*
                self.private.merge(&from.private);
                self.soe.merge(&from.soe);
            }
            /// Calls `f` with each lever set at this level (not the ownership
            /// overrides) and its value.
            pub fn each_set(&self, mut f: impl FnMut(&'static str, f64)) {
                $( if let Some(v) = self.$okey { f(stringify!($okey), v.as_number()); } )*
                $( if let Some(v) = self.$skey { f(stringify!($skey), v.as_number()); } )*
            }
        }

        impl Levers {
            /// The value of lever `key` for `owner`, as a number; `None` for an
            /// unknown key.
            pub fn value(&self, key: &str, owner: Ownership) -> Option<f64> {
                match key {
                    $( stringify!($okey) => Some(self.by_owner[owner].$okey.as_number()), )*
                    $( stringify!($skey) => Some(self.$skey.as_number()), )*
                    _ => None,
                }
            }
        }

        impl Policy {
            /// Calls `f` with each economy-wide lever and its value.
            pub fn each(&self, mut f: impl FnMut(&'static str, f64)) {
                $( f(stringify!($okey), self.$okey.as_number()); )*
                $( f(stringify!($skey), self.$skey.as_number()); )*
            }

            /// Lays the overrides over the economy's levers: what they set replaces
            /// the value, ownership overrides merge.
            pub fn apply(&mut self, o: &LeverOverrides) {
                $( self.$okey = o.$okey.unwrap_or(self.$okey); )*
                $( self.$skey = o.$skey.unwrap_or(self.$skey); )*
                self.private.merge(&o.private);
                self.soe.merge(&o.soe);
            }

            /// The levers in force in a sector with overrides `s`. Most specific
            /// first: the sector's ownership override, the sector's value, the
            /// economy's ownership override, the economy's value.
            pub fn resolve(&self, s: &LeverOverrides) -> Levers {
                let owner = |eo: &OwnershipLevers, so: &OwnershipLevers| OwnerLevers {
                    $( $okey: so.$okey.or(s.$okey).or(eo.$okey).unwrap_or(self.$okey), )*
                };
                Levers {
                    $( $skey: s.$skey.unwrap_or(self.$skey), )*
                    by_owner: PerOwner::new(owner(&self.private, &s.private), owner(&self.soe, &s.soe)),
                }
            }
        }
    };
}

levers! {
    per_ownership {
        rd_subsidy: f64 = 0.1,
            range Range::closed(0.0, 5.0), unit "share of own R&D", label "R&D subsidy",
            slider Some(Slider { min: 0.0, max: 2.0, step: 0.05 }),
            meaning "Government match on firms' own R&D, as a share: 0.5 adds half again to the R&D budget.";
        production_subsidy: f64 = 0.0,
            range Range::closed(0.0, 0.9), unit "share of revenue", label "Production subsidy",
            slider Some(Slider { min: 0.0, max: 0.5, step: 0.01 }),
            meaning "Subsidy per unit of revenue (0.1 = 10% of sales).";
        tolerance: u32 = 3,
            range Range::closed(1.0, 10_000.0), unit "periods", label "Tolerance of failure",
            slider Some(Slider { min: 1.0, max: 40.0, step: 1.0 }),
            meaning "Tolerance of trial and error: periods of failure in a row before a firm abandons its technology path.";
    }
    sector_wide {
        tariff: f64 = 0.1,
            range Range::closed(0.0, 10.0), unit "share of the import price", label "Tariff",
            slider Some(Slider { min: 0.0, max: 1.0, step: 0.01 }),
            meaning "Ad valorem tariff on imports (0.3 = 30%).";
        entry_barrier: f64 = 0.2,
            range Range::closed(0.0, 1.0), unit "share of would-be entrants", label "Entry barrier",
            slider Some(Slider { min: 0.0, max: 1.0, step: 0.05 }),
            meaning "Share of would-be entrants kept out.";
        soe_preference: f64 = 0.05,
            range Range::closed(0.0, 0.9), unit "share of the SOE price", label "SOE preference",
            slider Some(Slider { min: 0.0, max: 0.5, step: 0.01 }),
            meaning "Procurement preference: the discount on SOE prices when buyers compare suppliers.";
        soe_credit: f64 = 1.0,
            range Range::closed(0.0, 10.0), unit "debt per unit of capital value", label "SOE soft credit",
            slider Some(Slider { min: 0.0, max: 5.0, step: 0.1 }),
            meaning "Soft credit for SOEs: debt allowed beyond what net worth supports, per unit of capital value.";
        bailout: f64 = 1.0,
            range Range::closed(0.0, 1.0), unit "probability", label "Bailout",
            slider Some(Slider { min: 0.0, max: 1.0, step: 0.05 }),
            meaning "Probability that an SOE with negative net worth is rescued.";
        rd_patience: u32 = 0,
            range Range::closed(0.0, 10_000.0), unit "failures in a row (0: never)", label "Patience of R&D funding",
            slider Some(Slider { min: 0.0, max: 40.0, step: 1.0 }),
            meaning "Patience of public R&D funding: failures in a row on a funded project (a firm with an R&D subsidy) after which the funder ends it and the firm moves to another path; 0 leaves that to the firm's own tolerance.";
        bridge: f64 = 0.2,
            range Range::closed(0.0, 1.0), unit "0 to 1", label "Research bridge",
            slider Some(Slider { min: 0.0, max: 1.0, step: 0.05 }),
            meaning "Strength of the bridge from research institutes to firms: how readily firms take up institutes' results in joint projects.";
        researcher_incentive: f64 = 0.2,
            range Range::closed(0.0, 1.0), unit "share of the value transferred", label "Researcher incentive",
            slider Some(Slider { min: 0.0, max: 1.0, step: 0.05 }),
            meaning "Researchers' share in the value of the results they transfer.";
        consortium: bool = false,
            range Range::Any, unit "on or off", label "Consortium",
            slider None,
            meaning "Parallel verification of technology paths with shared learning (a SEMATECH-style consortium).";
    }
}

/// The catalogue entry of a lever, by name.
pub fn lever(key: &str) -> Option<&'static KeyInfo> {
    LEVERS.iter().find(|l| l.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue and the types agree: every field of `Policy` is a lever of the
    /// table with the same default, and the per-ownership ones are exactly the
    /// fields of `OwnershipLevers`.
    #[test]
    fn the_catalogue_matches_the_types() {
        let policy = serde_json::to_value(Policy::default()).unwrap();
        let fields: Vec<&str> = policy
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !matches!(*k, "private" | "soe"))
            .collect();
        let keys: Vec<&str> = LEVERS.iter().map(|l| l.key).collect();
        let (mut fields, mut keys) = (fields, keys);
        fields.sort_unstable();
        keys.sort_unstable();
        assert_eq!(fields, keys);
        for l in LEVERS.iter() {
            let v = &policy[l.key];
            let n = v
                .as_f64()
                .unwrap_or_else(|| f64::from(u8::from(v.as_bool().unwrap())));
            assert_eq!(n, l.default, "{}", l.key);
            assert!(l.range.accepts(l.default), "{}", l.key);
        }
        let all_set: OwnershipLevers = serde_json::from_value(serde_json::json!({
            "rd_subsidy": 0.1, "production_subsidy": 0.1, "tolerance": 2
        }))
        .unwrap();
        let mut owner_keys = Vec::new();
        all_set.each_set(|k, _| owner_keys.push(k));
        let per_owner: Vec<&str> = LEVERS
            .iter()
            .filter(|l| l.per_ownership)
            .map(|l| l.key)
            .collect();
        assert_eq!(owner_keys, per_owner);
    }

    #[test]
    fn sliders_lie_inside_the_accepted_ranges_and_hold_the_defaults() {
        for l in LEVERS.iter() {
            if let Some(s) = l.slider {
                assert!(s.min < s.max && s.step > 0.0, "{}", l.key);
                assert!(
                    l.range.accepts(s.min) && l.range.accepts(s.max),
                    "{}",
                    l.key
                );
                assert!(s.min <= l.default && l.default <= s.max, "{}", l.key);
            } else {
                assert_eq!(l.kind, super::super::keys::Kind::Boolean, "{}", l.key);
            }
        }
    }

    /// The classroom shows each lever under a label of its own, in words, not its key.
    #[test]
    fn every_lever_is_labelled_in_words() {
        assert_eq!(
            lever("tolerance").map(|l| l.label),
            Some("Tolerance of failure")
        );
        for l in LEVERS.iter() {
            assert_ne!(l.label, l.key, "{}", l.key);
            assert!(
                l.label.chars().next().is_some_and(char::is_uppercase),
                "{}",
                l.key
            );
        }
    }
}
