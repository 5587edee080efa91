//! `catchup schema`.

use clap::{Args, ValueEnum};

use super::Failure;
use crate::scenario::json_schema::{scenario_schema, sweep_schema};

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file's schema: a scenario's or a sweep's.
    pub file: SchemaFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFile {
    Scenario,
    Sweep,
}

pub fn execute(args: SchemaArgs) -> Result<(), Failure> {
    let schema = match args.file {
        SchemaFile::Scenario => scenario_schema(),
        SchemaFile::Sweep => sweep_schema(),
    };
    println!("{schema:#}");
    Ok(())
}
