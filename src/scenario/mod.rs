//! Scenarios: the schema, the regime defaults, loading with located errors, and the
//! scenarios built into the binary. No simulation logic lives here.

pub mod builtin;
pub mod edit;
pub mod error;
pub mod json_schema;
pub mod keys;
pub mod lever_table;
pub(crate) mod load;
pub mod ownership;
pub mod param_table;
pub mod regime;
pub mod schema;
pub mod validate;

pub use edit::Edit;
pub use error::{Diagnostic, ScenarioError};
pub use lever_table::{LEVERS, Levers, OwnerLevers};
pub use load::parse_scenario;
pub use ownership::{Ownership, PerOwner};
pub use param_table::MODEL_PARAMS;
pub use regime::Structure;
pub use schema::*;
pub use validate::ValidScenario;

use std::path::Path;

/// Loads a scenario named on the command line: a path to a file, or the name of a
/// built-in scenario; the built-in baseline when `arg` is `None`.
pub fn load(arg: Option<&str>, sets: &[String]) -> Result<ValidScenario, ScenarioError> {
    load_edited(arg, &Edit::parse_all(sets)?)
}

/// [`load`] with the changes given as [`Edit`]s (the Python package's `set=`).
pub fn load_edited(arg: Option<&str>, edits: &[Edit]) -> Result<ValidScenario, ScenarioError> {
    let source = Source::find(arg.unwrap_or(builtin::BASELINE))?;
    parse_scenario(&source.text, &source.origin, edits)
}

/// The text of a scenario and the name it goes by in messages.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    pub origin: String,
}

const SCENARIO_FILE: &str = "a scenario file (.toml) or a built-in scenario's name";

/// Largest scenario or sweep file read: 4 MiB, far beyond any real scenario, so that a
/// huge file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Reads a scenario or sweep file whole. What is not a readable regular file of at most
/// [`MAX_FILE_BYTES`] is refused, saying what it is: a directory, a device, a broken
/// link or a link loop, a file too large. `what` names the file expected ("a scenario
/// file").
pub fn read_input(path: &Path, what: &str) -> Result<String, ScenarioError> {
    use std::io::Read;
    let origin = path.display().to_string();
    let fail = |message: String| ScenarioError::plain(&origin, message, None);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
            return Err(fail(if link && e.kind() == std::io::ErrorKind::NotFound {
                "is a broken symbolic link: what it points to does not exist".to_string()
            } else if e.raw_os_error() == Some(40) {
                "is a symbolic link loop (too many levels of symbolic links), not a file"
                    .to_string()
            } else if e.kind() == std::io::ErrorKind::NotFound {
                "no such file".to_string()
            } else {
                format!("cannot read the file: {e}")
            }));
        }
    };
    if meta.is_dir() {
        return Err(fail(format!("is a directory; expected {what}")));
    }
    if !meta.is_file() {
        return Err(fail(format!(
            "is not a regular file (a device, a pipe or a socket); expected {what}"
        )));
    }
    let too_large = |size: String| {
        fail(format!(
            "is {size} bytes; a file may have at most {MAX_FILE_BYTES} bytes (4 MiB)"
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len().to_string()));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    let mut bytes = Vec::new();
    // A file that grows while it is read is still cut at the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "is not UTF-8 text (byte {} is not); expected {what}",
            e.utf8_error().valid_up_to()
        ))
    })
}

impl Source {
    /// The base scenario named in a sweep or calibration file in `dir`: a built-in
    /// name means the built-in, whatever files lie around; anything else is a path
    /// relative to that file.
    pub fn base(name: &str, dir: &Path) -> Result<Source, ScenarioError> {
        match builtin::find(name) {
            Some(b) => Ok(Source::builtin(b)),
            None => Source::find(&dir.join(name).display().to_string()),
        }
    }

    fn builtin(b: builtin::Builtin) -> Source {
        Source {
            text: b.text.to_string(),
            origin: format!("built-in scenario `{}`", b.name),
        }
    }

    /// Finds a scenario: a path to a file, or the name of a built-in scenario.
    pub fn find(arg: &str) -> Result<Source, ScenarioError> {
        let path = Path::new(arg);
        if path.is_file() {
            let text = read_input(path, SCENARIO_FILE)?;
            let origin = path.display().to_string();
            return Ok(Source { text, origin });
        }
        if let Some(b) = builtin::find(arg) {
            return Ok(Source::builtin(b));
        }
        // Something is there but it is no file (a directory, a device, a link loop):
        // say what it is.
        if std::fs::symlink_metadata(path).is_ok() {
            read_input(path, SCENARIO_FILE)?;
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

/// The catalogue entry of a scenario key by its dotted path, at any level
/// (`policy.tariff`, `sector.NAME.policy.soe.tariff`, `schedule.N.levers.tariff`,
/// `model.rd_share`, `sector.NAME.exploration_share`); `None` for keys outside the
/// catalogues (`periods`, a sector's `regime`).
pub fn catalogue_entry(path: &str) -> Option<&'static keys::KeyInfo> {
    let parts: Vec<&str> = path.split('.').collect();
    let last = *parts.last()?;
    match parts.as_slice() {
        ["model", _] => param_table::param(last),
        _ if parts.contains(&"policy") || parts.contains(&"levers") => lever_table::lever(last),
        ["sector", _, _] => regime::structural(last).map(|k| &k.info),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalogue_entry_is_found_at_every_level_a_key_can_be_written() {
        let table = |path: &str| catalogue_entry(path).map(|k| (k.key, k.table));
        assert_eq!(table("model.rd_share"), Some(("rd_share", "model")));
        for lever in [
            "policy.tariff",
            "policy.soe.tariff",
            "sector.steel.policy.tariff",
            "sector.0.policy.private.tariff",
            "schedule.0.levers.tariff",
            "schedule.2.levers.soe.tariff",
        ] {
            assert_eq!(table(lever), Some(("tariff", "policy")), "{lever}");
        }
        let structural = catalogue_entry("sector.steel.exploration_share").unwrap();
        assert_eq!(structural.key, "exploration_share");
        // Keys outside the catalogues, and catalogue names at the wrong level.
        for other in [
            "periods",
            "sector.steel.regime",
            "model.policy",
            "model.rd_share.x",
            "sector.steel.rd_share",
            "exploration_share",
            "",
        ] {
            assert!(catalogue_entry(other).is_none(), "{other}");
        }
    }

    #[test]
    fn an_input_file_is_read_up_to_four_mebibytes_and_refused_beyond() {
        let dir = tempfile::tempdir().unwrap();
        let at_limit = dir.path().join("big.toml");
        std::fs::write(&at_limit, vec![b'#'; 4 * 1024 * 1024]).unwrap();
        assert_eq!(read_input(&at_limit, SCENARIO_FILE).unwrap().len(), 4 << 20);
        let over = dir.path().join("bigger.toml");
        std::fs::write(&over, vec![b'#'; 4 * 1024 * 1024 + 1]).unwrap();
        let e = read_input(&over, SCENARIO_FILE).unwrap_err().to_string();
        assert!(
            e.contains("is 4194305 bytes; a file may have at most 4194304"),
            "{e}"
        );
        let not_text = dir.path().join("binary.toml");
        std::fs::write(&not_text, [b'a', 0xff]).unwrap();
        let e = read_input(&not_text, SCENARIO_FILE)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not UTF-8 text (byte 1 is not)"), "{e}");
        let e = read_input(dir.path(), SCENARIO_FILE)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a directory"), "{e}");
    }

    /// What a run saves as `scenario.toml` reads back as the same scenario, with every
    /// regime default written out, so that it repeats the run whatever the defaults
    /// become.
    #[test]
    fn a_filled_scenario_written_out_reads_back_the_same() {
        for b in builtin::ALL {
            let s = parse_scenario(b.text, b.name, &[]).unwrap().into_inner();
            let filled = s.filled();
            for sec in &filled.sector {
                let text = toml::to_string(sec).unwrap();
                assert!(text.contains("exploration_share"), "{}: {text}", b.name);
            }
            let text = filled.to_toml();
            let again = parse_scenario(&text, "scenario.toml", &[])
                .unwrap()
                .into_inner();
            assert_eq!(again, filled, "{}", b.name);
            assert_eq!(again.filled(), filled, "{}", b.name);
        }
        let bench = parse_scenario(builtin::find("bench-1m").unwrap().text, "b", &[]).unwrap();
        assert_eq!(bench.initial_firms(), 1_000_002, "as its description says");
    }

    #[test]
    fn a_scenario_argument_is_a_file_or_a_built_in_and_a_miss_says_which_was_meant() {
        assert_eq!(
            Source::find("baseline").unwrap().origin,
            "built-in scenario `baseline`"
        );
        let message = |arg: &str| Source::find(arg).unwrap_err().to_string();
        assert!(message("no-such.toml").ends_with("no such file"));
        assert!(message("no/such").ends_with("no such file"));
        let m = message("basline");
        assert!(m.contains("neither a file nor a built-in scenario"), "{m}");
        assert!(m.ends_with("(did you mean `baseline`?)"), "{m}");
    }

    #[test]
    fn a_missing_file_a_broken_link_and_a_link_loop_are_told_apart() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        let error = |name: &str| {
            read_input(&at(name), SCENARIO_FILE)
                .unwrap_err()
                .to_string()
        };
        assert!(error("absent.toml").ends_with("no such file"));
        symlink(at("absent.toml"), at("broken.toml")).unwrap();
        assert!(error("broken.toml").contains("is a broken symbolic link"));
        symlink(at("b.toml"), at("a.toml")).unwrap();
        symlink(at("a.toml"), at("b.toml")).unwrap();
        assert!(error("a.toml").contains("is a symbolic link loop"));
    }
}
