//! `catchup serve` (being written).

use clap::Args;

use super::Failure;

#[derive(Debug, Args)]
pub struct ServeArgs {}

pub fn execute(_args: ServeArgs) -> Result<(), Failure> {
    Err(Failure::runtime(anyhow::anyhow!("`catchup serve` is not available in this build yet")))
}
