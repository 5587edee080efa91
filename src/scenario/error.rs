//! Errors in scenario input, located to file, line, column and key.

use std::fmt;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A dotted key path such as `sector[1].policy.tariff`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }
    pub fn key(mut self, k: &str) -> Self {
        self.0.push(Segment::Key(k.to_string()));
        self
    }
    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Segment::Index(i));
        self
    }
    /// Whether `self` starts with `prefix` (a key is its own prefix).
    pub fn starts_with(&self, prefix: &KeyPath) -> bool {
        self.0.len() >= prefix.0.len() && self.0[..prefix.0.len()] == prefix.0[..]
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// A problem found in the input, before it is placed in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: KeyPath,
    pub message: String,
    pub suggestion: Option<String>,
}

impl Problem {
    pub fn new(path: KeyPath, message: impl Into<String>) -> Self {
        Problem {
            path,
            message: message.into(),
            suggestion: None,
        }
    }
}

/// A problem placed in its origin: a file (with line and column) or a `--set` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file name, or `--set KEY=VALUE` for a command-line override.
    pub origin: String,
    /// 1-based line and column, when the key is in a file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The key the problem is about, as a dotted path (empty for syntax errors).
    pub key: String,
    pub message: String,
    /// A near miss for a misspelt key or value.
    pub suggestion: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        f.write_str(": ")?;
        if !self.key.is_empty() {
            write!(f, "key `{}`: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// The most problems reported for one input; the rest are counted ("and N more").
pub const MAX_REPORTED: usize = 20;

/// Everything wrong with one scenario input. Never empty.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The first problems found, at most [`MAX_REPORTED`].
    pub diagnostics: Vec<Diagnostic>,
    /// Problems found beyond those reported.
    pub omitted: usize,
}

impl ScenarioError {
    pub fn single(d: Diagnostic) -> Self {
        ScenarioError {
            diagnostics: vec![d],
            omitted: 0,
        }
    }

    /// The first [`MAX_REPORTED`] of `total` problems, placed by `place` (which is
    /// called for those only, so that placing costs nothing for the rest).
    pub fn capped<P>(
        problems: impl IntoIterator<Item = P>,
        total: usize,
        place: impl FnMut(P) -> Diagnostic,
    ) -> Self {
        let diagnostics: Vec<Diagnostic> =
            problems.into_iter().take(MAX_REPORTED).map(place).collect();
        let omitted = total.saturating_sub(diagnostics.len());
        ScenarioError {
            diagnostics,
            omitted,
        }
    }
    /// An error about the input as a whole (an unknown scenario name, an unreadable file).
    pub fn plain(origin: &str, message: impl Into<String>, suggestion: Option<String>) -> Self {
        ScenarioError::single(Diagnostic {
            origin: origin.to_string(),
            line: None,
            column: None,
            key: String::new(),
            message: message.into(),
            suggestion,
        })
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        if self.omitted > 0 {
            let s = if self.omitted == 1 { "" } else { "s" };
            write!(f, "\nand {} more problem{s}", self.omitted)?;
        }
        Ok(())
    }
}

/// A number for a message: as written for ordinary magnitudes, in exponent form for
/// huge or tiny ones (`1e308`, not 309 digits).
pub fn number(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Names for a message, quoted and joined: the first 20, then how many more.
pub fn listing<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let total = names.len();
    let mut text = names
        .take(20)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if total > 20 {
        text.push_str(&format!(" and {} more", total - 20));
    }
    text
}

/// The closest candidate to a misspelt word, if one is close enough to be a likely typo.
pub fn near_miss<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_quotes_the_first_twenty_names_and_counts_the_rest() {
        assert_eq!(listing(["heavy", "light"].into_iter()), "`heavy`, `light`");
        let many: Vec<String> = (0..23).map(|i| format!("s{i}")).collect();
        let text = listing(many.iter().map(String::as_str));
        assert!(text.starts_with("`s0`, `s1`, "), "{text}");
        assert!(text.ends_with("`s19` and 3 more"), "{text}");
    }

    #[test]
    fn near_miss_finds_a_one_letter_typo() {
        assert_eq!(
            near_miss("tarif", ["tariff", "bridge", "bailout"]),
            Some("tariff".into())
        );
        assert_eq!(near_miss("zzzzzz", ["tariff", "bridge"]), None);
    }

    #[test]
    fn line_column_counts_from_one() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 6), (2, 1));
        assert_eq!(line_column(t, 9), (2, 4));
    }

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(number(1e308), "1e308");
        assert_eq!(number(-2.5e-9), "-2.5e-9");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(f64::INFINITY), "inf");
    }

    #[test]
    fn at_most_twenty_problems_are_reported() {
        let d = |i: usize| Diagnostic {
            origin: "s.toml".into(),
            line: Some(i),
            column: Some(1),
            key: String::new(),
            message: "bad".into(),
            suggestion: None,
        };
        let e = ScenarioError::capped(0..5000, 5000, d);
        assert_eq!(e.diagnostics.len(), MAX_REPORTED);
        assert_eq!(e.omitted, 5000 - MAX_REPORTED);
        assert!(e.to_string().ends_with("\nand 4980 more problems"), "{e}");
    }

    #[test]
    fn key_path_displays_dotted_with_indices() {
        let p = KeyPath::root().key("sector").index(1).key("tariff");
        assert_eq!(p.to_string(), "sector[1].tariff");
    }
}
