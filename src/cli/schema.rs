//! `catchup schema`.

use clap::{Args, ValueEnum};

use super::Failure;
use crate::scenario::json_schema::{calibration_schema, scenario_schema, sweep_schema};

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file's schema: a scenario's, a sweep's or a calibration's.
    pub file: SchemaFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFile {
    Scenario,
    Sweep,
    Calibration,
}

pub fn execute(args: SchemaArgs) -> Result<(), Failure> {
    let schema = match args.file {
        SchemaFile::Scenario => scenario_schema(),
        SchemaFile::Sweep => sweep_schema(),
        SchemaFile::Calibration => calibration_schema(),
    };
    println!("{schema:#}");
    Ok(())
}
