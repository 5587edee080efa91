//! `catchup reference`.

use clap::Args;

use super::Failure;
use crate::reference::{Section, json, markdown, markdown_all};
use crate::scenario::error::near_miss;

#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// Only this table: levers, model, structure or columns.
    #[arg(long)]
    pub section: Option<String>,
    /// The catalogues as JSON (every key's dotted path, type, default, range, unit and
    /// meaning; every column's) instead of Markdown tables.
    #[arg(long)]
    pub json: bool,
}

pub fn execute(args: ReferenceArgs) -> Result<(), Failure> {
    if args.json {
        if args.section.is_some() {
            return Err(Failure::bad_input(anyhow::anyhow!(
                "--json prints every catalogue; leave out --section"
            )));
        }
        println!("{:#}", json());
        return Ok(());
    }
    match args.section {
        None => print!("{}", markdown_all()),
        Some(name) => {
            let Some(section) = Section::from_name(&name) else {
                let names = Section::ALL.map(Section::name);
                let hint = near_miss(&name, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(Failure::bad_input(anyhow::anyhow!(
                    "--section {name}: expected one of levers, model, structure, columns{hint}"
                )));
            };
            print!("{}", markdown(section));
        }
    }
    Ok(())
}
