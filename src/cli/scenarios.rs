//! `catchup scenarios`.

use clap::Args;

use super::Failure;
use crate::scenario::{builtin, error::near_miss, parse_scenario};

#[derive(Debug, Args)]
pub struct ScenariosArgs {
    /// Print this built-in scenario as TOML (a starting point for your own file).
    pub name: Option<String>,
}

pub fn execute(args: ScenariosArgs) -> Result<(), Failure> {
    match args.name {
        Some(name) => {
            let Some(b) = builtin::find(&name) else {
                let hint = near_miss(&name, builtin::ALL.iter().map(|b| b.name))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(Failure::bad_input(anyhow::anyhow!(
                    "no built-in scenario named `{name}`{hint}; `catchup scenarios` lists them"
                )));
            };
            print!("{}", b.text);
        }
        None => {
            let width = builtin::ALL.iter().map(|b| b.name.len()).max().unwrap_or(0);
            for b in builtin::ALL {
                let description = parse_scenario(b.text, b.name, &[])
                    .map(|s| first_sentence(&s.description))
                    .unwrap_or_else(|e| format!("(invalid: {e})"));
                println!("{:width$}  {description}", b.name);
            }
        }
    }
    Ok(())
}

/// The first sentence of a description, for a one-line listing.
fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(i) => text[..=i].to_string(),
        None => text,
    }
}
