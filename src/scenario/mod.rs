//! Scenarios: the schema, the regime defaults, loading with located errors, and the
//! scenarios built into the binary. No simulation logic lives here.

pub mod builtin;
pub mod error;
pub(crate) mod load;
pub mod regime;
pub mod schema;
pub mod validate;

pub use error::{Diagnostic, ScenarioError};
pub use load::parse_scenario;
pub use regime::Structure;
pub use schema::*;

use std::path::Path;

/// Loads a scenario named on the command line: a path to a file, or the name of a
/// built-in scenario; the built-in baseline when `arg` is `None`.
pub fn load(arg: Option<&str>, sets: &[String]) -> Result<Scenario, ScenarioError> {
    let source = Source::find(arg.unwrap_or(builtin::BASELINE))?;
    parse_scenario(&source.text, &source.origin, sets)
}

/// The text of a scenario and the name it goes by in messages.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    pub origin: String,
}

impl Source {
    /// Finds a scenario: a path to a file, or the name of a built-in scenario.
    pub fn find(arg: &str) -> Result<Source, ScenarioError> {
        let path = Path::new(arg);
        if path.is_file() {
            let origin = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| {
                ScenarioError::plain(&origin, format!("cannot read the file: {e}"), None)
            })?;
            return Ok(Source { text, origin });
        }
        if let Some(b) = builtin::find(arg) {
            return Ok(Source {
                text: b.text.to_string(),
                origin: format!("built-in scenario `{}`", b.name),
            });
        }
        let looks_like_path = arg.contains('/') || arg.ends_with(".toml");
        let message = if looks_like_path {
            "no such file".to_string()
        } else {
            format!(
                "neither a file nor a built-in scenario; the built-ins are {}",
                builtin::ALL
                    .iter()
                    .map(|b| b.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Err(ScenarioError::plain(
            arg,
            message,
            error::near_miss(arg, builtin::ALL.iter().map(|b| b.name)),
        ))
    }
}

impl Scenario {
    /// The scenario with every regime default written out, as saved with a run.
    pub fn filled(&self) -> Scenario {
        let mut s = self.clone();
        for sec in &mut s.sector {
            Structure::of_sector(sec).fill(sec);
        }
        s
    }

    /// The scenario as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a validated scenario always serializes")
    }

    /// Total initial firm count.
    pub fn initial_firms(&self) -> u64 {
        self.sector
            .iter()
            .map(|s| u64::from(s.firms_private) + u64::from(s.firms_soe))
            .sum()
    }
}
