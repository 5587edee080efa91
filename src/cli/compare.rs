//! `catchup compare` (being written).

use clap::Args;

use super::Failure;

#[derive(Debug, Args)]
pub struct CompareArgs {}

pub fn execute(_args: CompareArgs) -> Result<(), Failure> {
    Err(Failure::runtime(anyhow::anyhow!("`catchup compare` is not available in this build yet")))
}
