//! The policy in force: economy, sector and ownership layers, changed by the schedule.
//!
//! Precedence, most specific first: sector ownership override, sector override,
//! economy ownership override, economy value. A schedule entry without a sector changes
//! the economy layer; with a sector, that sector's layer.

use crate::scenario::{LeverOverrides, OwnershipLevers, Policy, Scenario, ScheduleEntry};

/// Levers that may differ by ownership.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OwnerLevers {
    pub rd_subsidy: f64,
    pub production_subsidy: f64,
    pub tolerance: u32,
}

/// Every lever as it applies to one sector in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levers {
    pub tariff: f64,
    pub entry_barrier: f64,
    pub soe_preference: f64,
    pub soe_credit: f64,
    pub bailout: f64,
    pub bridge: f64,
    pub researcher_incentive: f64,
    /// Failures in a row after which a publicly funded project is ended (0: never).
    pub rd_patience: u32,
    pub consortium: bool,
    /// Indexed by `Ownership::index()`: private 0, SOE 1.
    pub by_owner: [OwnerLevers; 2],
}

/// The layers of policy, as changed so far by the schedule.
#[derive(Debug, Clone)]
pub struct PolicyState {
    economy: Policy,
    sectors: Vec<LeverOverrides>,
}

fn merge_owner(into: &mut OwnershipLevers, from: &OwnershipLevers) {
    into.rd_subsidy = from.rd_subsidy.or(into.rd_subsidy);
    into.production_subsidy = from.production_subsidy.or(into.production_subsidy);
    into.tolerance = from.tolerance.or(into.tolerance);
}

fn merge(into: &mut LeverOverrides, from: &LeverOverrides) {
    into.rd_subsidy = from.rd_subsidy.or(into.rd_subsidy);
    into.production_subsidy = from.production_subsidy.or(into.production_subsidy);
    into.tariff = from.tariff.or(into.tariff);
    into.entry_barrier = from.entry_barrier.or(into.entry_barrier);
    into.soe_preference = from.soe_preference.or(into.soe_preference);
    into.soe_credit = from.soe_credit.or(into.soe_credit);
    into.bailout = from.bailout.or(into.bailout);
    into.tolerance = from.tolerance.or(into.tolerance);
    into.rd_patience = from.rd_patience.or(into.rd_patience);
    into.bridge = from.bridge.or(into.bridge);
    into.researcher_incentive = from.researcher_incentive.or(into.researcher_incentive);
    into.consortium = from.consortium.or(into.consortium);
    merge_owner(&mut into.private, &from.private);
    merge_owner(&mut into.soe, &from.soe);
}

impl PolicyState {
    pub fn new(s: &Scenario) -> Self {
        PolicyState {
            economy: s.policy.clone(),
            sectors: s.sector.iter().map(|sec| sec.policy.clone()).collect(),
        }
    }

    /// Applies a schedule entry; `sector` is the index of the sector it names.
    pub fn apply(&mut self, entry: &ScheduleEntry, sector: Option<usize>) {
        match sector {
            Some(i) => merge(&mut self.sectors[i], &entry.levers),
            None => {
                let mut layer = LeverOverrides::default();
                merge(&mut layer, &entry.levers);
                let e = &mut self.economy;
                e.rd_subsidy = layer.rd_subsidy.unwrap_or(e.rd_subsidy);
                e.production_subsidy = layer.production_subsidy.unwrap_or(e.production_subsidy);
                e.tariff = layer.tariff.unwrap_or(e.tariff);
                e.entry_barrier = layer.entry_barrier.unwrap_or(e.entry_barrier);
                e.soe_preference = layer.soe_preference.unwrap_or(e.soe_preference);
                e.soe_credit = layer.soe_credit.unwrap_or(e.soe_credit);
                e.bailout = layer.bailout.unwrap_or(e.bailout);
                e.tolerance = layer.tolerance.unwrap_or(e.tolerance);
                e.rd_patience = layer.rd_patience.unwrap_or(e.rd_patience);
                e.bridge = layer.bridge.unwrap_or(e.bridge);
                e.researcher_incentive =
                    layer.researcher_incentive.unwrap_or(e.researcher_incentive);
                e.consortium = layer.consortium.unwrap_or(e.consortium);
                merge_owner(&mut e.private, &layer.private);
                merge_owner(&mut e.soe, &layer.soe);
            }
        }
    }

    /// The levers in force in sector `i`.
    pub fn resolve(&self, i: usize) -> Levers {
        let e = &self.economy;
        let s = &self.sectors[i];
        let owner = |eo: &OwnershipLevers, so: &OwnershipLevers| OwnerLevers {
            rd_subsidy: so
                .rd_subsidy
                .or(s.rd_subsidy)
                .or(eo.rd_subsidy)
                .unwrap_or(e.rd_subsidy),
            production_subsidy: so
                .production_subsidy
                .or(s.production_subsidy)
                .or(eo.production_subsidy)
                .unwrap_or(e.production_subsidy),
            tolerance: so
                .tolerance
                .or(s.tolerance)
                .or(eo.tolerance)
                .unwrap_or(e.tolerance),
        };
        Levers {
            tariff: s.tariff.unwrap_or(e.tariff),
            entry_barrier: s.entry_barrier.unwrap_or(e.entry_barrier),
            soe_preference: s.soe_preference.unwrap_or(e.soe_preference),
            soe_credit: s.soe_credit.unwrap_or(e.soe_credit),
            bailout: s.bailout.unwrap_or(e.bailout),
            bridge: s.bridge.unwrap_or(e.bridge),
            researcher_incentive: s.researcher_incentive.unwrap_or(e.researcher_incentive),
            rd_patience: s.rd_patience.unwrap_or(e.rd_patience),
            consortium: s.consortium.unwrap_or(e.consortium),
            by_owner: [owner(&e.private, &s.private), owner(&e.soe, &s.soe)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn the_most_specific_layer_wins() {
        let mut s = Scenario::default();
        s.policy.tolerance = 3;
        s.policy.soe.tolerance = Some(5);
        s.sector[1].policy.tolerance = Some(2);
        s.sector[2].policy.soe.tolerance = Some(9);
        let st = PolicyState::new(&s);
        assert_eq!(st.resolve(0).by_owner[0].tolerance, 3);
        assert_eq!(st.resolve(0).by_owner[1].tolerance, 5);
        assert_eq!(st.resolve(1).by_owner[1].tolerance, 2);
        assert_eq!(st.resolve(2).by_owner[1].tolerance, 9);
        assert_eq!(st.resolve(2).by_owner[0].tolerance, 3);
    }

    #[test]
    fn a_schedule_entry_changes_the_lever_from_then_on() {
        let s = Scenario::default();
        let mut st = PolicyState::new(&s);
        let entry = ScheduleEntry {
            period: 40,
            sector: None,
            levers: LeverOverrides {
                tariff: Some(0.0),
                ..Default::default()
            },
        };
        assert_eq!(st.resolve(0).tariff, 0.1);
        st.apply(&entry, None);
        assert_eq!(st.resolve(0).tariff, 0.0);
        let entry = ScheduleEntry {
            period: 50,
            sector: Some("leading".into()),
            levers: LeverOverrides {
                tariff: Some(0.4),
                ..Default::default()
            },
        };
        st.apply(&entry, Some(2));
        assert_eq!(st.resolve(2).tariff, 0.4);
        assert_eq!(st.resolve(1).tariff, 0.0);
    }

    /// A value of the lever's type that differs from its default.
    fn other_value(default: &serde_json::Value) -> serde_json::Value {
        match default {
            serde_json::Value::Bool(b) => serde_json::json!(!b),
            serde_json::Value::Number(n) if n.is_u64() => {
                serde_json::json!(n.as_u64().unwrap() + 4)
            }
            _ => serde_json::json!(0.37),
        }
    }

    /// Every lever of the schema, through a schedule entry at the economy's and at a
    /// sector's level, changes what `resolve` gives: a lever that `merge` or `apply`
    /// forgot would be silently dropped from schedules.
    #[test]
    fn a_schedule_entry_changes_every_lever() {
        let defaults = serde_json::to_value(Policy::default()).unwrap();
        let mut keys: Vec<(Option<&str>, &str, serde_json::Value)> = Vec::new();
        for (key, value) in defaults.as_object().unwrap() {
            match key.as_str() {
                "private" | "soe" => {}
                k => keys.push((None, k, other_value(value))),
            }
        }
        for owner in ["private", "soe"] {
            for k in ["rd_subsidy", "production_subsidy"] {
                keys.push((Some(owner), k, serde_json::json!(0.37)));
            }
            keys.push((Some(owner), "tolerance", serde_json::json!(7)));
        }
        assert!(keys.len() > 10);
        for (owner, key, value) in keys {
            let levers: LeverOverrides = serde_json::from_value(match owner {
                None => serde_json::json!({ key: value }),
                Some(o) => serde_json::json!({ o: { key: value } }),
            })
            .unwrap();
            for sector in [None, Some(1)] {
                let mut st = PolicyState::new(&Scenario::default());
                let before = st.resolve(1);
                let entry = ScheduleEntry {
                    period: 5,
                    sector: sector.map(|_| "parallel".to_string()),
                    levers: levers.clone(),
                };
                st.apply(&entry, sector);
                assert_ne!(st.resolve(1), before, "{owner:?} {key} at {sector:?}");
            }
        }
    }
}
