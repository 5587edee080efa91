//! `catchup completions SHELL` and `catchup man [COMMAND]`: the command line described
//! for shells and for `man`, generated from the same clap definitions that parse it,
//! so they cannot fall behind a new flag.

use std::io::Write;

use clap::{Args, CommandFactory};

use super::{Cli, Failure};
use crate::scenario::error::near_miss;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, elvish, fish, powershell or zsh.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand's page (`catchup man run`) instead of the program's.
    pub command: Option<String>,
}

pub fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "catchup", &mut out);
    write_stdout(&out)
}

pub fn man(args: ManArgs) -> Result<(), Failure> {
    let mut command = Cli::command();
    command.build();
    let page = match &args.command {
        None => command,
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                let hint = near_miss(name, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(Failure::bad_input(anyhow::anyhow!(
                    "no command `{name}`; expected one of {}{hint}",
                    names.join(", ")
                )));
            };
            // The page's title is the command as typed: `catchup-run(1)`.
            sub.clone().name(format!("catchup-{name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Failure::runtime(anyhow::anyhow!("cannot render the man page: {e}")))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    std::io::stdout()
        .write_all(bytes)
        .map_err(|e| Failure::runtime(anyhow::anyhow!("cannot write to standard output: {e}")))
}
