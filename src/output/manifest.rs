//! `manifest.json`: what was run, by which program, how big, and how long it took.

use serde::{Deserialize, Serialize};

/// The record of a run. Timing fields (`started_at`, `wall_seconds`,
/// `simulate_seconds`, `firm_steps_per_second`, `peak_memory_bytes`), `threads` and
/// `instruction_set` are the only parts that differ between identical runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub program: String,
    pub version: String,
    #[serde(flatten)]
    pub source: Source,
    pub scenario: String,
    pub seed: u64,
    pub threads: usize,
    pub periods: u32,
    pub sectors: usize,
    pub firms_initial: u64,
    pub firms_final: u64,
    /// Firm-periods simulated: the sum over periods of the living firms stepped.
    pub firm_steps: u64,
    /// Start of the run, RFC 3339 in UTC.
    pub started_at: String,
    /// Whole run: setup, simulation and writing.
    pub wall_seconds: f64,
    /// Simulation alone (setup, periods and freeing the model's memory, without
    /// writing files).
    pub simulate_seconds: f64,
    pub firm_steps_per_second: f64,
    /// Peak resident memory of the process, where the system reports it.
    pub peak_memory_bytes: Option<u64>,
    /// The compiled form the firm passes ran in (`model::isa`): "x86-64-v3" or
    /// "baseline". It changes the speed, never the numbers. Absent from older manifests.
    #[serde(default)]
    pub instruction_set: Option<String>,
    pub files: Vec<String>,
}

/// The source the program was built from (recorded by `build.rs`), so that a result
/// names the exact code that made it. Absent from older manifests: `None`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Source {
    /// The git commit, when built from a git checkout (or a package made from one).
    #[serde(default)]
    pub git_commit: Option<String>,
    /// Whether the sources that go into the binary differed from that commit (a
    /// result of a dirty build cannot be repeated from the commit alone).
    #[serde(default)]
    pub git_dirty: Option<bool>,
}

impl Source {
    /// The source of this build.
    pub fn of_this_build() -> Source {
        let commit = env!("CATCHUP_GIT_COMMIT");
        Source {
            git_commit: (!commit.is_empty()).then(|| commit.to_string()),
            git_dirty: match env!("CATCHUP_GIT_DIRTY") {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_without_the_source_still_reads() {
        let old = r#"{"program": "catchup", "version": "0.1.0", "scenario": "s", "seed": 1,
            "threads": 1, "periods": 2, "sectors": 1, "firms_initial": 3, "firms_final": 3,
            "firm_steps": 6, "started_at": "2026-01-01T00:00:00Z", "wall_seconds": 0.1,
            "simulate_seconds": 0.1, "firm_steps_per_second": 60.0,
            "peak_memory_bytes": null, "files": []}"#;
        let m: Manifest = serde_json::from_str(old).unwrap();
        assert_eq!(m.source, Source::default());
        assert_eq!(m.instruction_set, None);
    }

    /// A build from a git checkout (or from a package that recorded its commit) knows
    /// its commit; one from a bare copy of the sources says it does not.
    #[test]
    fn this_build_names_its_commit_when_it_has_one() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let has_commit = root.join(".git").exists() || root.join(".cargo_vcs_info.json").exists();
        let s = Source::of_this_build();
        if !has_commit {
            assert_eq!(s, Source::default());
            return;
        }
        let commit = s.git_commit.expect("built from a git checkout");
        assert_eq!(commit.len(), 40);
        assert!(commit.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(s.git_dirty.is_some());
    }
}
