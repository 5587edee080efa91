//! `catchup plot` (being written).

use clap::Args;

use super::Failure;

#[derive(Debug, Args)]
pub struct PlotArgs {}

pub fn execute(_args: PlotArgs) -> Result<(), Failure> {
    Err(Failure::runtime(anyhow::anyhow!("`catchup plot` is not available in this build yet")))
}
