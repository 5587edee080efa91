//! Regime defaults: what a sector inherits from being catch-up, parallel or leading.

use super::schema::{Regime, SectorSpec};

/// A sector's structural parameters with every regime default applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Structure {
    pub initial_productivity: f64,
    pub exploration_share: f64,
    pub paths: u32,
    pub dead_end_share: f64,
    pub promise_low: f64,
    pub promise_high: f64,
    pub import_price_ratio: f64,
    pub initial_import_share: f64,
    pub innovation_low: f64,
    pub innovation_high: f64,
    pub shift_probability: f64,
    pub frontier_growth: f64,
    pub demand_growth: f64,
    pub equipment_level: f64,
    pub institute_knowledge: f64,
}

impl Structure {
    /// The defaults of a regime (the table in `docs/ODD.md`, "Regimes").
    pub fn of_regime(regime: Regime) -> Structure {
        match regime {
            Regime::CatchUp => Structure {
                initial_productivity: 0.3,
                exploration_share: 0.1,
                paths: 1,
                dead_end_share: 0.0,
                promise_low: 0.9,
                promise_high: 0.9,
                import_price_ratio: 0.85,
                initial_import_share: 0.4,
                innovation_low: -0.05,
                innovation_high: 0.05,
                shift_probability: 0.0,
                frontier_growth: 0.015,
                demand_growth: 0.04,
                equipment_level: 0.7,
                institute_knowledge: 0.8,
            },
            Regime::Parallel => Structure {
                initial_productivity: 0.85,
                exploration_share: 0.5,
                paths: 3,
                dead_end_share: 0.0,
                promise_low: 0.5,
                promise_high: 0.9,
                import_price_ratio: 1.0,
                initial_import_share: 0.25,
                innovation_low: -0.08,
                innovation_high: 0.08,
                shift_probability: 0.005,
                frontier_growth: 0.015,
                demand_growth: 0.05,
                equipment_level: 0.8,
                institute_knowledge: 0.9,
            },
            Regime::Leading => Structure {
                initial_productivity: 1.0,
                exploration_share: 0.9,
                paths: 8,
                dead_end_share: 0.5,
                promise_low: 0.3,
                promise_high: 0.9,
                import_price_ratio: 1.15,
                initial_import_share: 0.1,
                innovation_low: -0.12,
                innovation_high: 0.15,
                shift_probability: 0.02,
                frontier_growth: 0.015,
                demand_growth: 0.04,
                equipment_level: 0.8,
                institute_knowledge: 1.0,
            },
        }
    }

    /// The sector's structure: its own values where given, the regime's elsewhere.
    pub fn of_sector(spec: &SectorSpec) -> Structure {
        let d = Structure::of_regime(spec.regime);
        Structure {
            initial_productivity: spec.initial_productivity.unwrap_or(d.initial_productivity),
            exploration_share: spec.exploration_share.unwrap_or(d.exploration_share),
            paths: spec.paths.unwrap_or(d.paths),
            dead_end_share: spec.dead_end_share.unwrap_or(d.dead_end_share),
            promise_low: spec.promise_low.unwrap_or(d.promise_low),
            promise_high: spec.promise_high.unwrap_or(d.promise_high),
            import_price_ratio: spec.import_price_ratio.unwrap_or(d.import_price_ratio),
            initial_import_share: spec.initial_import_share.unwrap_or(d.initial_import_share),
            innovation_low: spec.innovation_low.unwrap_or(d.innovation_low),
            innovation_high: spec.innovation_high.unwrap_or(d.innovation_high),
            shift_probability: spec.shift_probability.unwrap_or(d.shift_probability),
            frontier_growth: spec.frontier_growth.unwrap_or(d.frontier_growth),
            demand_growth: spec.demand_growth.unwrap_or(d.demand_growth),
            equipment_level: spec.equipment_level.unwrap_or(d.equipment_level),
            institute_knowledge: spec.institute_knowledge.unwrap_or(d.institute_knowledge),
        }
    }

    /// Writes every value back into the spec, so a saved scenario needs no regime table.
    pub fn fill(self, spec: &mut SectorSpec) {
        spec.initial_productivity = Some(self.initial_productivity);
        spec.exploration_share = Some(self.exploration_share);
        spec.paths = Some(self.paths);
        spec.dead_end_share = Some(self.dead_end_share);
        spec.promise_low = Some(self.promise_low);
        spec.promise_high = Some(self.promise_high);
        spec.import_price_ratio = Some(self.import_price_ratio);
        spec.initial_import_share = Some(self.initial_import_share);
        spec.innovation_low = Some(self.innovation_low);
        spec.innovation_high = Some(self.innovation_high);
        spec.shift_probability = Some(self.shift_probability);
        spec.frontier_growth = Some(self.frontier_growth);
        spec.demand_growth = Some(self.demand_growth);
        spec.equipment_level = Some(self.equipment_level);
        spec.institute_knowledge = Some(self.institute_knowledge);
    }
}
