//! What a release needs besides the program: licences, citation, changelog and package
//! metadata that agree with each other, shell completions and man pages generated from
//! the real command line, and the commit recorded in every result.

mod common;

use std::path::Path;

use common::catchup;

fn repo_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"))
}

#[test]
fn the_package_metadata_names_the_licences_that_ship() {
    let manifest: toml::Table = repo_file("Cargo.toml").parse().expect("Cargo.toml is TOML");
    let package = manifest["package"].as_table().expect("a [package] table");
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    for key in [
        "description",
        "rust-version",
        "readme",
        "keywords",
        "categories",
    ] {
        assert!(package.contains_key(key), "Cargo.toml lacks `{key}`");
    }
    assert!(repo_file("LICENSE-MIT").starts_with("MIT License"));
    assert!(
        repo_file("LICENSE-APACHE").contains("Apache License\n                        Version 2.0")
    );
    // Everything the package includes exists (a missing file would make `cargo package`
    // ship less than intended).
    for entry in package["include"].as_array().expect("an include list") {
        let entry = entry.as_str().unwrap().trim_start_matches('/');
        let path = entry.trim_end_matches("/**");
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(path).exists(),
            "Cargo.toml includes {entry}, which does not exist"
        );
    }
}

#[test]
fn the_citation_names_this_version() {
    let cff = repo_file("CITATION.cff");
    assert!(cff.contains("cff-version: 1.2.0\n"));
    assert!(
        cff.contains(&format!("\nversion: {}\n", env!("CARGO_PKG_VERSION"))),
        "CITATION.cff must give version {}",
        env!("CARGO_PKG_VERSION")
    );
    assert!(cff.contains("\nlicense: MIT OR Apache-2.0\n"));
}

/// Keep a Changelog: an `Unreleased` section first, then versions newest first, each
/// with only the standard kinds of change.
#[test]
fn the_changelog_keeps_the_format() {
    let text = repo_file("CHANGELOG.md");
    assert!(text.starts_with("# Changelog\n"));
    let versions: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(versions.first(), Some(&"[Unreleased]"), "{versions:?}");
    assert!(
        versions
            .iter()
            .any(|v| v.starts_with(&format!("[{}]", env!("CARGO_PKG_VERSION")))),
        "CHANGELOG.md has no section for {}",
        env!("CARGO_PKG_VERSION")
    );
    for kind in text.lines().filter_map(|l| l.strip_prefix("### ")) {
        assert!(
            [
                "Added",
                "Changed",
                "Deprecated",
                "Removed",
                "Fixed",
                "Security"
            ]
            .contains(&kind),
            "`### {kind}` is not a kind of change of Keep a Changelog"
        );
    }
}

const COMMANDS: [&str; 14] = [
    "run",
    "scenarios",
    "sweep",
    "merge",
    "analyze",
    "plot",
    "compare",
    "claims",
    "calibrate",
    "serve",
    "reference",
    "schema",
    "completions",
    "man",
];

#[test]
fn completions_know_every_command_and_bash_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "elvish", "fish", "powershell", "zsh"] {
        let out = catchup(dir.path(), ["completions", shell]).ok();
        for command in COMMANDS {
            assert!(
                out.stdout.contains(command),
                "the {shell} completions lack `{command}`"
            );
        }
    }
    let script = dir.path().join("catchup.bash");
    let out = catchup(dir.path(), ["completions", "bash"]).ok();
    std::fs::write(&script, out.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(
        check.status.success(),
        "bash refuses the completion script: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    catchup(dir.path(), ["completions", "tcsh"]).refused(&["tcsh", "bash"]);
}

#[test]
fn man_pages_describe_the_program_and_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let page = catchup(dir.path(), ["man"]).ok().stdout;
    assert!(page.contains(".TH catchup 1"), "{page}");
    for command in COMMANDS {
        assert!(page.contains(command), "the man page lacks `{command}`");
    }
    let run = catchup(dir.path(), ["man", "run"]).ok().stdout;
    assert!(run.contains(".TH catchup-run 1"), "{run}");
    assert!(run.contains("\\-\\-seed"), "`catchup man run` lacks --seed");
    catchup(dir.path(), ["man", "rnu"]).refused(&["no command `rnu`", "did you mean `run`?"]);
}

/// The commit in the manifest is the checkout's: the build script runs again when the
/// commit moves, so a result never names a stale one.
#[test]
fn a_result_names_the_commit_it_was_built_from() {
    let head = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .expect("git runs (the tests run from a git checkout)");
    let head = String::from_utf8(head.stdout).unwrap().trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    catchup(
        dir.path(),
        ["run", "--periods", "2", "--out", out.to_str().unwrap()],
    )
    .ok();
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["git_commit"], head.as_str());
    assert!(m["git_dirty"].is_boolean(), "{}", m["git_dirty"]);
}
