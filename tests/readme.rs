//! The README's commands, run in the order the README gives them (its first screen,
//! then the later examples) in one fresh folder: none may be refused because an
//! earlier one already wrote its folder, and none may use a result written only later.

mod common;

use std::path::Path;

use common::{catchup, write};

/// The `catchup` command lines of the README's `sh` blocks, in order, with comments
/// removed and `cargo run --release --` read as `catchup`.
fn readme_commands() -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let command = trimmed.split(" #").next().unwrap_or("").trim();
        let command = command.replace("cargo run --release --", "catchup");
        if command.starts_with("catchup ") {
            commands.push(command);
        }
    }
    commands
}

#[test]
fn the_readme_commands_run_in_the_order_given() {
    let commands = readme_commands();
    assert!(commands.len() >= 12, "{commands:?}");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for command in &commands {
        // The classroom server runs until stopped; tests/serve.rs covers it.
        if command.starts_with("catchup serve") {
            continue;
        }
        let (command, redirect) = match command.split_once(" > ") {
            Some((c, file)) => (c.to_string(), Some(file.trim().to_string())),
            None => (command.clone(), None),
        };
        let args: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(|a| {
                if a.starts_with("scenarios/") {
                    repo.join(a).display().to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let run = catchup(dir.path(), &args);
        assert_eq!(
            run.code,
            Some(0),
            "the README's `{command}` failed after the commands before it:\n{}",
            run.stderr
        );
        if let Some(file) = redirect {
            write(dir.path(), &file, &run.stdout);
        }
    }
}
