//! catchup: an agent-based simulation of catch-up industrialization.
//!
//! The crate is layered so that data flows one way (see `ARCHITECTURE.md`):
//! [`scenario`] (files to a validated scenario) -> [`model`] and [`engine`] (the
//! simulation, pure) -> [`observe`] (records to rows, pure) -> [`output`] and
//! [`runner`] (files) -> [`cli`] (the command line).

pub mod calibrate;
pub mod claims;
pub mod cli;
pub mod engine;
pub mod model;
pub mod observe;
pub mod output;
pub mod plot;
pub mod reference;
pub mod runner;
pub mod scenario;
pub mod serve;
pub mod sweep;

pub use engine::World;
pub use scenario::Scenario;
