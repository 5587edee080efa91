//! The policy in force: economy, sector and ownership layers, changed by the schedule.
//!
//! Precedence, most specific first: sector ownership override, sector override,
//! economy ownership override, economy value. A schedule entry without a sector changes
//! the economy layer; with a sector, that sector's layer.

use crate::scenario::{LeverOverrides, Policy, Scenario, ScheduleEntry};

pub use crate::scenario::{Levers, OwnerLevers};

/// The layers of policy, as changed so far by the schedule.
#[derive(Debug, Clone)]
pub struct PolicyState {
    economy: Policy,
    sectors: Vec<LeverOverrides>,
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
            Some(i) => self.sectors[i].merge(&entry.levers),
            None => self.economy.apply(&entry.levers),
        }
    }

    /// The levers in force in sector `i`.
    pub fn resolve(&self, i: usize) -> Levers {
        self.economy.resolve(&self.sectors[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Ownership, Scenario};

    #[test]
    fn the_most_specific_layer_wins() {
        let mut s = Scenario::default();
        s.policy.tolerance = 3;
        s.policy.soe.tolerance = Some(5);
        s.sector[1].policy.tolerance = Some(2);
        s.sector[2].policy.soe.tolerance = Some(9);
        let st = PolicyState::new(&s);
        assert_eq!(st.resolve(0).by_owner[Ownership::Private].tolerance, 3);
        assert_eq!(st.resolve(0).by_owner[Ownership::Soe].tolerance, 5);
        assert_eq!(st.resolve(1).by_owner[Ownership::Soe].tolerance, 2);
        assert_eq!(st.resolve(2).by_owner[Ownership::Soe].tolerance, 9);
        assert_eq!(st.resolve(2).by_owner[Ownership::Private].tolerance, 3);
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
        let defaults = serde_json::to_value(crate::scenario::Policy::default()).unwrap();
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
