//! The world: sectors, the policy schedule, and the period loop, stepped in parallel
//! across sectors (and, inside each, across chunks of firms).

use rayon::prelude::*;

use crate::model::sector::StepInput;
use crate::model::{PolicyState, Sector, SectorRecord};
use crate::scenario::{Scenario, ValidScenario};

/// A running economy. Built from a validated scenario.
#[derive(Debug, Clone)]
pub struct World {
    scenario: Scenario,
    sectors: Vec<Sector>,
    policy: PolicyState,
    period: u32,
    /// Whether records keep the productivity histogram ([`World::without_dispersion`]).
    dispersion: bool,
}

impl World {
    /// Sets up the economy at period 0.
    pub fn new(scenario: &ValidScenario) -> World {
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
            scenario: Scenario::clone(scenario),
            sectors,
            policy,
            period: 0,
            dispersion: true,
        }
    }

    /// The same economy, whose records leave out the histogram of firms' productivity:
    /// `productivity_p90_p10` is then undefined, every other series and the model's
    /// course are unchanged (the histogram is observation only). For sweeps that do not
    /// report the series: it saves filling and merging 1,600 bins per chunk and period.
    pub fn without_dispersion(mut self) -> World {
        self.dispersion = false;
        self
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

    /// The levers in force in sector `i` in the last period simulated.
    pub fn levers(&self, i: usize) -> crate::model::Levers {
        self.policy.resolve(i)
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
        let dispersion = self.dispersion;
        self.sectors
            .par_iter_mut()
            .enumerate()
            .map(|(i, sector)| {
                let input = StepInput {
                    seed,
                    period: t,
                    model,
                    levers: policy.resolve(i),
                    dispersion,
                };
                sector.step(&input)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{economy_row, sector_row};
    use crate::scenario::Ownership;

    /// Every row of a short run, rendered exactly (`{:?}` prints floats round-trip).
    fn rows(scenario: &Scenario, threads: usize) -> Vec<String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut world = World::new(&ValidScenario::new(scenario.clone()).unwrap());
            let mut out = Vec::new();
            for _ in 0..scenario.periods {
                let records = world.step();
                for (s, r) in world.sectors().iter().zip(&records) {
                    out.push(format!("{:?}", sector_row(s, r)));
                }
                out.push(format!("{:?}", economy_row(world.period(), &records)));
            }
            out
        })
    }

    #[test]
    fn a_run_does_not_depend_on_the_number_of_threads() {
        let mut s = Scenario {
            periods: 8,
            ..Scenario::default()
        };
        // Several chunks per sector, so that chunks really run in parallel.
        for sec in &mut s.sector {
            sec.firms_private = 2 * crate::model::firms::CHUNK as u32 + 100;
            sec.firms_soe = 500;
        }
        s.sector[2].paradigm_shifts = vec![4];
        s.policy.consortium = true;
        let one = rows(&s, 1);
        assert_eq!(one, rows(&s, 3));
        assert_eq!(one, rows(&s, 8));
        s.seed += 1;
        assert_ne!(one, rows(&s, 2));
    }

    /// Without dispersion, a run's rows are its rows with dispersion, but for the one
    /// series the histogram gives, which is undefined; the histogram is observation
    /// only, so the course of the economy does not change.
    #[test]
    fn a_world_without_dispersion_differs_only_in_the_dispersion_series() {
        let mut s = Scenario {
            periods: 12,
            ..Scenario::default()
        };
        s.sector[2].paradigm_shifts = vec![5];
        let scenario = ValidScenario::new(s).unwrap();
        let rows_of = |mut world: World| {
            let mut out = Vec::new();
            for _ in 0..scenario.periods {
                let records = world.step();
                for (sector, r) in world.sectors().iter().zip(&records) {
                    out.push(sector_row(sector, r));
                }
                out.push(economy_row(world.period(), &records));
            }
            out
        };
        let full = rows_of(World::new(&scenario));
        let lean = rows_of(World::new(&scenario).without_dispersion());
        assert_eq!(full.len(), lean.len());
        for (mut f, l) in full.into_iter().zip(lean) {
            assert!(
                f.value(crate::observe::DISPERSION_SERIES)
                    .flatten()
                    .is_some()
            );
            assert_eq!(l.value(crate::observe::DISPERSION_SERIES), Some(None));
            f.productivity_p90_p10 = None;
            assert_eq!(format!("{f:?}"), format!("{l:?}"));
        }
    }

    /// A value in the lever's range other than its default, as TOML.
    fn another_value(l: &crate::scenario::keys::KeyInfo) -> String {
        use crate::scenario::keys::Kind;
        match l.kind {
            Kind::Boolean => (l.default == 0.0).to_string(),
            Kind::Integer => format!("{}", l.default as u64 + 2),
            Kind::Number | Kind::Text => format!("{:?}", l.range.highest().unwrap()),
        }
    }

    /// Every lever of the table, set by a schedule entry for the economy, a sector or
    /// an ownership, is in force from the entry's period on and not before.
    #[test]
    fn a_schedule_entry_sets_every_lever_from_its_period_on() {
        for l in crate::scenario::LEVERS.iter() {
            let value = another_value(l);
            let mut layers = vec![
                format!("levers = {{ {} = {value} }}", l.key),
                format!("sector = \"parallel\"\nlevers = {{ {} = {value} }}", l.key),
            ];
            if l.per_ownership {
                layers.push(format!("levers.soe = {{ {} = {value} }}", l.key));
            }
            for layer in layers {
                let text = format!("version = 1\nperiods = 4\n[[schedule]]\nperiod = 3\n{layer}\n");
                let s = crate::scenario::parse_scenario(&text, "s.toml", &[]).unwrap();
                let mut world = World::new(&s);
                let mut seen = Vec::new();
                for _ in 0..4 {
                    world.step();
                    seen.push(world.levers(1).value(l.key, Ownership::Soe).unwrap());
                }
                let set: f64 =
                    value
                        .parse::<f64>()
                        .unwrap_or(if value == "true" { 1.0 } else { 0.0 });
                assert_eq!(seen, [l.default, l.default, set, set], "{}: {layer}", l.key);
            }
        }
    }

    /// A scenario that never passed validation cannot reach the engine: `paths = 0`
    /// (which would overflow in `Sector::new`) is refused by `ValidScenario::new`.
    #[test]
    fn only_a_valid_scenario_makes_a_world() {
        let mut s = Scenario::default();
        s.sector[0].paths = Some(0);
        let report = ValidScenario::new(s).unwrap_err();
        assert_eq!(report.problems[0].path.to_string(), "sector[0].paths");
    }

    #[test]
    fn the_schedule_changes_a_lever_from_its_period_on() {
        let mut s = Scenario {
            periods: 5,
            ..Scenario::default()
        };
        s.schedule.push(crate::scenario::ScheduleEntry {
            period: 3,
            sector: Some("parallel".into()),
            levers: crate::scenario::LeverOverrides {
                tariff: Some(0.4),
                ..Default::default()
            },
        });
        let mut world = World::new(&ValidScenario::new(s).unwrap());
        let tariffs: Vec<(f64, f64)> = (0..5)
            .map(|_| {
                let r = world.step();
                (r[0].tariff, r[1].tariff)
            })
            .collect();
        assert_eq!(
            tariffs,
            vec![(0.1, 0.1), (0.1, 0.1), (0.1, 0.4), (0.1, 0.4), (0.1, 0.4)]
        );
    }
}
