//! `catchup sweep SWEEP --export-salib FILE`: a sweep's design as a matrix in the row
//! order of SALib's samplers, so that SALib (or any tool that reads its layout) can
//! analyse the points, or outputs computed at them, without reordering.
//!
//! SALib's `saltelli.sample` and `sobol.sample` (with `calc_second_order=False`) give,
//! for each base row, A, AB_1 … AB_k, B; catchup's Saltelli designs keep A, B, AB_1 …
//! AB_k, so only those rows are reordered. Morris trajectories (base, then one factor
//! moved per row) and the other designs are in point order in both.

use std::io::Write;
use std::path::Path;

use super::design::{DesignTable, set_value};
use super::spec::{DesignKind, Sweep};
use crate::output::atomic::AtomicFile;
use crate::scenario::error::{KeyPath, Problem, ScenarioError};

/// The design's point numbers in SALib's row order, one at a time.
pub fn salib_order(table: &DesignTable) -> impl Iterator<Item = u64> + '_ {
    let row = table.keys.len() as u64 + 2;
    let saltelli = matches!(table.kind, DesignKind::Sobol | DesignKind::SaltelliRandom);
    (0..table.len()).map(move |i| {
        if !saltelli {
            return i;
        }
        // Within a base row, A stays first, AB_1..AB_k move up one, B goes last.
        let (start, r) = (i - i % row, i % row);
        match r {
            0 => start,
            r if r == row - 1 => start + 1,
            r => start + r + 1,
        }
    })
}

/// Writes the matrix: a `#` comment naming the factors (which `numpy.loadtxt` skips),
/// then one line per point, values separated by spaces, in the shortest form that
/// reads back to the same number. Point by point: memory does not grow with the
/// design. Returns the number of rows.
pub fn write_salib(
    sweep: &Sweep,
    table: &DesignTable,
    out: &mut impl Write,
) -> Result<u64, ExportError> {
    let io = |source| ExportError::Io {
        path: "the matrix".into(),
        source,
    };
    writeln!(out, "# {}", table.keys.join(" ")).map_err(io)?;
    let mut rows = 0;
    for p in salib_order(table) {
        let cells: Vec<String> = table
            .point(p)
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                toml::Value::Float(x) => Ok(x.to_string()),
                toml::Value::Integer(x) => Ok(x.to_string()),
                other => Err(not_numeric(sweep, table, p, i, other)),
            })
            .collect::<Result<_, _>>()?;
        writeln!(out, "{}", cells.join(" ")).map_err(io)?;
        rows += 1;
    }
    Ok(rows)
}

/// A value SALib cannot hold (a string, a boolean, a list): located at the factor's
/// `values` in the sweep file, or at the row of a list design's CSV file.
fn not_numeric(
    sweep: &Sweep,
    table: &DesignTable,
    point: u64,
    factor: usize,
    value: &toml::Value,
) -> ScenarioError {
    let key = &table.keys[factor];
    let message = format!(
        "design point {point} has {key} = {}, which is not a number; SALib's matrix holds \
         numbers only",
        set_value(value)
    );
    if table.kind == DesignKind::List {
        let file = sweep.design_file().unwrap_or_default();
        return ScenarioError::single(crate::scenario::Diagnostic {
            origin: file.display().to_string(),
            // The header is line 1; point p is the row after it.
            line: Some(point as usize + 2),
            column: Some(1),
            key: key.clone(),
            message,
            suggestion: None,
        });
    }
    let at = KeyPath::root()
        .key("design")
        .key("factor")
        .index(factor)
        .key("values");
    let locator = crate::scenario::load::Locator::new(&sweep.text, &sweep.origin);
    ScenarioError::single(locator.locate(Problem::new(at, message)))
}

/// Why the export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Input(#[from] ScenarioError),
    #[error("{0} already exists; pass --force to replace it")]
    Exists(String),
    #[error("{0} is not a regular file; refusing to replace it")]
    NotAFile(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl ExportError {
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ExportError::Io { .. })
    }
}

/// Writes the matrix to `path` whole or not at all (a temporary file beside it,
/// renamed); an existing file is replaced only with `force`, and never a directory.
/// Returns the number of rows.
pub fn export_salib(
    sweep: &Sweep,
    table: &DesignTable,
    path: &Path,
    force: bool,
) -> Result<u64, ExportError> {
    let shown = path.display().to_string();
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.is_file() {
            return Err(ExportError::NotAFile(shown));
        }
        if !force {
            return Err(ExportError::Exists(shown));
        }
    }
    let io = |source| ExportError::Io {
        path: shown.clone(),
        source,
    };
    let mut out = AtomicFile::create(path).map_err(io)?;
    let rows = write_salib(sweep, table, &mut out)?;
    out.commit().map_err(io)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::design::generate;

    fn sweep(design: &str) -> Sweep {
        let text =
            format!("version = 2\nname = \"t\"\nseed = 2\nset = {{ periods = 3 }}\n\n{design}");
        Sweep::parse(&text, "s.toml", Path::new(".")).unwrap()
    }

    fn text_of(s: &Sweep, t: &DesignTable) -> Result<String, ExportError> {
        let mut out = Vec::new();
        write_salib(s, t, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    const TWO_RANGES: &str = "[[design.factor]]\nkey = \"policy.tariff\"\nmin = 0.0\nmax = 0.5\n\
                              [[design.factor]]\nkey = \"policy.tolerance\"\nmin = 1\nmax = 9\ninteger = true\n";

    #[test]
    fn saltelli_rows_come_out_as_a_ab_then_b() {
        for kind in ["sobol", "saltelli-random"] {
            let s = sweep(&format!(
                "[design]\nkind = \"{kind}\"\npoints = 3\n{TWO_RANGES}"
            ));
            let t = generate(&s).unwrap();
            assert_eq!(
                salib_order(&t).collect::<Vec<_>>(),
                vec![0, 2, 3, 1, 4, 6, 7, 5, 8, 10, 11, 9],
                "{kind}"
            );
            let text = text_of(&s, &t).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], "# policy.tariff policy.tolerance");
            assert_eq!(lines.len(), 1 + 12);
            // Row 1 is AB1: factor 1 from B, factor 2 from A; row 3 is B.
            let cells = |l: &str| l.split(' ').map(String::from).collect::<Vec<_>>();
            let (a, ab1, b) = (cells(lines[1]), cells(lines[2]), cells(lines[4]));
            assert_eq!((&ab1[0], &ab1[1]), (&b[0], &a[1]));
            // Values read back exactly; the integer factor stays an integer.
            let x: f64 = a[0].parse().unwrap();
            assert_eq!(toml::Value::Float(x), t.point(0).values[0]);
            assert!(a[1].parse::<i64>().is_ok(), "{}", a[1]);
        }
    }

    #[test]
    fn other_designs_keep_point_order_and_refuse_values_that_are_not_numbers() {
        let s = sweep(&format!(
            "[design]\nkind = \"morris\"\npoints = 2\nlevels = 4\n{TWO_RANGES}"
        ));
        let t = generate(&s).unwrap();
        assert_eq!(
            salib_order(&t).collect::<Vec<_>>(),
            (0..6).collect::<Vec<_>>()
        );
        let s = sweep(
            "[design]\nkind = \"grid\"\n[[design.factor]]\nkey = \"policy.tariff\"\nvalues = [0.0, 0.1]\n\
             [[design.factor]]\nkey = \"policy.consortium\"\nvalues = [true, false]\n",
        );
        let t = generate(&s).unwrap();
        let e = text_of(&s, &t).unwrap_err().to_string();
        assert!(
            e.starts_with("s.toml:13:1: key `design.factor[1].values`: design point 0 has policy.consortium = true, which is not a number"),
            "{e}"
        );
    }
}
