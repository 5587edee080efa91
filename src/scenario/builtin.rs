//! Scenarios compiled into the binary from `scenarios/*.toml`, so that
//! `catchup run NAME` works anywhere, with no file at hand.

/// A built-in scenario: its name and its TOML text.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub text: &'static str,
}

/// The scenario `catchup run` uses when none is given.
pub const BASELINE: &str = "baseline";

macro_rules! builtin {
    ($name:literal) => {
        Builtin {
            name: $name,
            text: include_str!(concat!("../../scenarios/", $name, ".toml")),
        }
    };
}

/// Every built-in scenario, in the order `catchup scenarios` lists them.
pub const ALL: &[Builtin] = &[
    builtin!("baseline"),
    builtin!("catch-up"),
    builtin!("soe-protection"),
    builtin!("research-bridge"),
    builtin!("trial-and-error"),
    builtin!("three-regimes"),
    builtin!("window-of-opportunity"),
    builtin!("consortium"),
    builtin!("patient-funding"),
    builtin!("china-reform"),
    builtin!("bench-1m"),
];

/// The built-in scenario of that name.
pub fn find(name: &str) -> Option<Builtin> {
    ALL.iter().copied().find(|b| b.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_validates_and_is_named_after_its_file() {
        for b in ALL {
            let s = crate::scenario::parse_scenario(b.text, b.name, &[])
                .unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert_eq!(s.name, b.name);
            assert!(!s.description.is_empty(), "{} has no description", b.name);
            assert!(
                !s.look_at.is_empty(),
                "{} says nothing of what to look at",
                b.name
            );
        }
    }
}
