//! `catchup compare`: several runs overlaid, one colour each. An input is a run result
//! directory (read) or a scenario (run into a temporary directory inside the
//! comparison's own unfinished result, and removed before it is committed).

use std::path::{Path, PathBuf};

use super::data::SeriesTable;
use super::{PlotError, ResultKind, Written, charts, detect, dir_name, finish};
use crate::output::{OutputError, ResultDir, check_target};
use crate::runner::{self, RunOptions};
use crate::scenario::ValidScenario;

/// One thing to compare.
#[derive(Debug, Clone)]
pub enum CompareInput {
    /// An existing run result.
    Dir(PathBuf),
    /// A scenario to run; `origin` says where it came from (a file, a built-in).
    Scenario {
        scenario: Box<ValidScenario>,
        origin: String,
    },
}

impl CompareInput {
    /// The name it goes by in legends: the scenario's name, or the directory's.
    pub fn base_label(&self) -> String {
        match self {
            CompareInput::Dir(d) => {
                let name = dir_name(d);
                if name == "." || name == ".." {
                    d.canonicalize().map(|p| dir_name(&p)).unwrap_or(name)
                } else {
                    name
                }
            }
            CompareInput::Scenario { scenario, .. } => scenario.name.clone(),
        }
    }
}

/// The legend labels of the inputs, made unique by numbering repeats
/// (`baseline`, `baseline (2)`).
pub fn labels(inputs: &[CompareInput]) -> Vec<String> {
    unique(inputs.iter().map(CompareInput::base_label).collect())
}

fn unique(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let mut label = name.clone();
        let mut k = 2;
        while out.contains(&label) {
            label = format!("{name} ({k})");
            k += 1;
        }
        out.push(label);
    }
    out
}

/// The default result directory of a comparison: `output/compare-A-vs-B`, with
/// anything but letters, digits, `-`, `_` and `.` in the names turned into `-`.
pub fn default_out(labels: &[String]) -> PathBuf {
    let names: Vec<String> = labels
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        })
        .collect();
    PathBuf::from("output").join(format!("compare-{}", names.join("-vs-")))
}

/// How to compare.
pub struct CompareOptions<'a> {
    pub out: &'a Path,
    pub force: bool,
    /// Worker threads of the runs (recorded in their manifests).
    pub threads: usize,
    /// Leave the titles out of the images.
    pub no_title: bool,
    pub page: super::Page,
    /// Called before a scenario is run, with its label.
    pub on_run: &'a mut dyn FnMut(&str),
}

/// Runs or reads every input and writes the overlaid charts to `opts.out`.
pub fn compare(inputs: &[CompareInput], opts: CompareOptions<'_>) -> Result<Written, PlotError> {
    check_target(opts.out, opts.force)?;
    // Check every directory before running anything.
    for input in inputs {
        if let CompareInput::Dir(d) = input
            && detect(d)? == ResultKind::Sweep
        {
            return Err(PlotError::SweepInComparison(d.clone()));
        }
    }
    let labels = labels(inputs);
    let result = ResultDir::create(opts.out, opts.force)?;
    let runs = result.path(".runs");
    let mut tables = Vec::with_capacity(inputs.len());
    let mut sources = Vec::with_capacity(inputs.len());
    for (i, (input, label)) in inputs.iter().zip(&labels).enumerate() {
        match input {
            CompareInput::Dir(d) => {
                tables.push((label.clone(), SeriesTable::read_run(d)?));
                sources.push(format!("{label}: {}", d.display()));
            }
            CompareInput::Scenario { scenario, origin } => {
                (opts.on_run)(label);
                let target = runs.join(i.to_string());
                let (path, _) = runner::run(
                    scenario,
                    RunOptions {
                        out: &target,
                        force: false,
                        threads: opts.threads,
                        format: crate::output::TableFormat::Csv,
                        on_period: &mut |_| {},
                    },
                )?;
                tables.push((label.clone(), SeriesTable::read_run(&path)?));
                sources.push(format!(
                    "{label}: {origin}, seed {}, {} periods",
                    scenario.seed, scenario.periods
                ));
            }
        }
    }
    if runs.exists() {
        std::fs::remove_dir_all(&runs).map_err(|source| OutputError::Io {
            path: runs.clone(),
            source,
        })?;
    }
    let mut figs = charts::compare_figures(&tables)?;
    for f in &mut figs {
        f.show_title = !opts.no_title;
    }
    let figs = super::laid_out(figs, opts.page)?;
    finish(result, "compare", sources, &figs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_and_out_names_are_safe() {
        let l = unique(vec!["a".into(), "b".into(), "a".into(), "a".into()]);
        assert_eq!(l, vec!["a", "b", "a (2)", "a (3)"]);
        let out = default_out(&["soe-protection".into(), "my run (2)".into()]);
        assert_eq!(
            out,
            PathBuf::from("output/compare-soe-protection-vs-my-run--2-")
        );
        assert_eq!(
            CompareInput::Dir(PathBuf::from("x/y/run-a/")).base_label(),
            "run-a"
        );
    }
}
