//! The model: agents, levers, regimes and one period, step by step.
//!
//! Pure: no I/O, no clock, no environment, no printing (the processor's features
//! choose how the firm passes are compiled, [`isa`], never what they compute). Every random draw comes from
//! a stream keyed by stable ids ([`rng`]), and every sum over firms is taken per
//! fixed chunk and combined in chunk order, so results do not depend on threads.

pub mod accounts;
pub mod draws;
pub mod firms;
pub mod innovation;
pub mod institutes;
pub mod isa;
pub mod levers;
pub mod pricing;
pub mod record;
pub mod rng;
pub mod sector;
pub mod technology;

pub use firms::{Firm, Firms};
pub use levers::{Levers, PolicyState};
pub use record::SectorRecord;
pub use sector::Sector;
