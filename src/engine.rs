//! The world: sectors, the policy schedule, and the period loop, stepped in parallel
//! across sectors (and, inside each, across chunks of firms).

use rayon::prelude::*;

use crate::model::sector::StepInput;
use crate::model::{PolicyState, Sector, SectorRecord};
use crate::scenario::Scenario;

/// A running economy. Built from a validated scenario.
#[derive(Debug, Clone)]
pub struct World {
    scenario: Scenario,
    sectors: Vec<Sector>,
    policy: PolicyState,
    period: u32,
}

impl World {
    /// Sets up the economy at period 0. The scenario must have passed validation.
    pub fn new(scenario: &Scenario) -> World {
        let policy = PolicyState::new(scenario);
        let sectors = scenario
            .sector
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let consortium = policy.resolve(i).consortium;
                Sector::new(i as u32, spec, &scenario.model, scenario.seed, consortium)
            })
            .collect();
        World {
            scenario: scenario.clone(),
            sectors,
            policy,
            period: 0,
        }
    }

    /// The last period simulated (0 before the first step).
    pub fn period(&self) -> u32 {
        self.period
    }

    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Living firms across all sectors.
    pub fn firms(&self) -> u64 {
        self.sectors.iter().map(|s| s.firms.living() as u64).sum()
    }

    /// Simulates one period and returns each sector's record, in sector order.
    pub fn step(&mut self) -> Vec<SectorRecord> {
        self.period += 1;
        let t = self.period;
        // 1. Policy: schedule entries for this period, in file order.
        for entry in self.scenario.schedule.iter().filter(|e| e.period == t) {
            let sector = entry
                .sector
                .as_ref()
                .and_then(|name| self.scenario.sector.iter().position(|s| &s.name == name));
            self.policy.apply(entry, sector);
        }
        let seed = self.scenario.seed;
        let model = &self.scenario.model;
        let policy = &self.policy;
        self.sectors
            .par_iter_mut()
            .enumerate()
            .map(|(i, sector)| {
                let input = StepInput {
                    seed,
                    period: t,
                    model,
                    levers: policy.resolve(i),
                };
                sector.step(&input)
            })
            .collect()
    }
}
