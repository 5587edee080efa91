//! A table held column by column in memory, typed by its [`ColumnSpec`]s: what the
//! Parquet writer gathers a row group in, what a run kept in memory (the Python
//! package) is, and what a result's tables are read back into ([`super::read`]). The
//! one place that decides which cell a column takes and how a CSV cell reads.

use super::parquet::{Cell, ColumnSpec};
use crate::scenario::keys::Kind;

/// The values of one column, one per row. An empty cell holds a placeholder (0, NaN,
/// `""` or `false`) and is marked undefined in [`Columns::defined`].
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<String>),
    Bool(Vec<bool>),
}

impl Values {
    fn of(kind: Kind) -> Values {
        match kind {
            Kind::Integer => Values::Int(Vec::new()),
            Kind::Number => Values::Float(Vec::new()),
            Kind::Boolean => Values::Bool(Vec::new()),
            Kind::Text => Values::Text(Vec::new()),
        }
    }

    /// The cell of row `r` (its placeholder if the cell is empty).
    pub fn cell(&self, r: usize) -> Cell<'_> {
        match self {
            Values::Int(v) => Cell::Int(v[r]),
            Values::Float(v) => Cell::Float(v[r]),
            Values::Text(v) => Cell::Text(&v[r]),
            Values::Bool(v) => Cell::Bool(v[r]),
        }
    }

    fn clear(&mut self) {
        match self {
            Values::Int(v) => v.clear(),
            Values::Float(v) => v.clear(),
            Values::Text(v) => v.clear(),
            Values::Bool(v) => v.clear(),
        }
    }

    /// Appends a cell; `false` if the column cannot take it (the column is unchanged).
    fn push(&mut self, cell: Cell<'_>) -> bool {
        match (self, cell) {
            (Values::Int(v), Cell::Int(x)) => v.push(x),
            (Values::Int(v), Cell::Empty) => v.push(0),
            (Values::Float(v), Cell::Float(x)) => v.push(x),
            // An integer is a number: a number column takes it.
            (Values::Float(v), Cell::Int(x)) => v.push(x as f64),
            (Values::Float(v), Cell::Empty) => v.push(f64::NAN),
            (Values::Text(v), Cell::Text(x)) => v.push(x.to_string()),
            (Values::Text(v), Cell::Empty) => v.push(String::new()),
            (Values::Bool(v), Cell::Bool(x)) => v.push(x),
            (Values::Bool(v), Cell::Empty) => v.push(false),
            _ => return false,
        }
        true
    }
}

/// A typed table in memory; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    specs: Vec<ColumnSpec>,
    values: Vec<Values>,
    /// Per column, per row: whether the cell holds a value (`false`: empty).
    defined: Vec<Vec<bool>>,
    rows: usize,
}

impl Columns {
    pub fn new(specs: Vec<ColumnSpec>) -> Columns {
        Columns {
            values: specs.iter().map(|c| Values::of(c.kind)).collect(),
            defined: vec![Vec::new(); specs.len()],
            specs,
            rows: 0,
        }
    }

    pub fn specs(&self) -> &[ColumnSpec] {
        &self.specs
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns: each one's spec, values and which cells are defined.
    pub fn columns(&self) -> impl Iterator<Item = (&ColumnSpec, &Values, &[bool])> {
        self.specs
            .iter()
            .zip(&self.values)
            .zip(&self.defined)
            .map(|((s, v), d)| (s, v, d.as_slice()))
    }

    /// Appends a row: one cell per column, of the column's type (an integer is taken
    /// by a number column; an empty cell only by a nullable column). A row that does
    /// not fit is refused whole, saying which cell, and the table is unchanged.
    pub fn push(&mut self, cells: &[Cell<'_>]) -> Result<(), String> {
        if cells.len() != self.specs.len() {
            return Err(format!(
                "a row of {} cells for {} columns",
                cells.len(),
                self.specs.len()
            ));
        }
        if let Some((cell, spec)) = cells
            .iter()
            .zip(&self.specs)
            .find(|(cell, spec)| !accepts(spec, **cell))
        {
            return Err(format!(
                "{cell:?} in column `{}` ({}{})",
                spec.name,
                spec.kind.as_str(),
                if spec.nullable { ", may be empty" } else { "" }
            ));
        }
        for (i, cell) in cells.iter().enumerate() {
            let pushed = self.values[i].push(*cell);
            debug_assert!(pushed, "checked by `accepts`");
            self.defined[i].push(*cell != Cell::Empty);
        }
        self.rows += 1;
        Ok(())
    }

    /// Appends a row given as CSV cells, each read by its column's type (an empty
    /// cell of a column that is not text is empty; in a nullable text column too).
    pub fn push_text(&mut self, cells: &[&str]) -> Result<(), String> {
        if cells.len() != self.specs.len() {
            return Err(format!(
                "a row of {} cells for {} columns",
                cells.len(),
                self.specs.len()
            ));
        }
        let typed = cells
            .iter()
            .zip(&self.specs)
            .map(|(&text, spec)| text_cell(spec, text))
            .collect::<Result<Vec<_>, _>>()?;
        self.push(&typed)
    }

    /// Empties the table, keeping its columns.
    pub fn clear(&mut self) {
        self.values.iter_mut().for_each(Values::clear);
        self.defined.iter_mut().for_each(Vec::clear);
        self.rows = 0;
    }
}

/// Whether a column takes a cell.
fn accepts(spec: &ColumnSpec, cell: Cell<'_>) -> bool {
    matches!(
        (spec.kind, cell),
        (_, Cell::Empty) if spec.nullable
    ) || matches!(
        (spec.kind, cell),
        (Kind::Integer, Cell::Int(_))
            | (Kind::Number, Cell::Float(_) | Cell::Int(_))
            | (Kind::Text, Cell::Text(_))
            | (Kind::Boolean, Cell::Bool(_))
    )
}

/// A CSV cell read by its column's type.
fn text_cell<'a>(spec: &ColumnSpec, text: &'a str) -> Result<Cell<'a>, String> {
    if text.is_empty() && (spec.kind != Kind::Text || spec.nullable) {
        return Ok(Cell::Empty);
    }
    let cell = match spec.kind {
        Kind::Integer => text.parse().ok().map(Cell::Int),
        Kind::Number => text.parse().ok().map(Cell::Float),
        Kind::Boolean => text.parse().ok().map(Cell::Bool),
        Kind::Text => Some(Cell::Text(text)),
    };
    cell.ok_or_else(|| {
        format!(
            "`{text}` in column `{}`, which holds {} values",
            spec.name,
            spec.kind.as_str()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Columns {
        Columns::new(vec![
            ColumnSpec::new("n", Kind::Integer, true),
            ColumnSpec::new("x", Kind::Number, false),
            ColumnSpec::new("s", Kind::Text, false),
            ColumnSpec::new("b", Kind::Boolean, false),
        ])
    }

    #[test]
    fn cells_and_csv_cells_fill_the_same_typed_columns() {
        let mut by_cell = table();
        by_cell
            .push(&[
                Cell::Int(3),
                Cell::Int(2),
                Cell::Text("a"),
                Cell::Bool(true),
            ])
            .unwrap();
        by_cell
            .push(&[
                Cell::Empty,
                Cell::Float(0.5),
                Cell::Text(""),
                Cell::Bool(false),
            ])
            .unwrap();
        let mut by_text = table();
        by_text.push_text(&["3", "2", "a", "true"]).unwrap();
        by_text.push_text(&["", "0.5", "", "false"]).unwrap();
        // NaN placeholders differ from themselves: compare the defined cells.
        assert_eq!(by_cell.rows(), 2);
        assert_eq!(format!("{by_cell:?}"), format!("{by_text:?}"));
        let (_, values, defined) = by_cell.columns().next().unwrap();
        assert_eq!(values, &Values::Int(vec![3, 0]));
        assert_eq!(defined, [true, false]);
        let (_, values, _) = by_cell.columns().nth(1).unwrap();
        assert_eq!(values, &Values::Float(vec![2.0, 0.5]));
        by_cell.clear();
        assert_eq!(by_cell.rows(), 0);
        assert!(by_cell.columns().all(|(_, _, d)| d.is_empty()));
    }

    #[test]
    fn a_cell_a_column_cannot_take_is_refused_and_the_row_left_out() {
        let mut t = table();
        let e = t
            .push(&[Cell::Int(1), Cell::Empty, Cell::Text("a"), Cell::Bool(true)])
            .unwrap_err();
        assert_eq!(e, "Empty in column `x` (number)");
        let e = t
            .push(&[
                Cell::Float(1.5),
                Cell::Int(1),
                Cell::Text("a"),
                Cell::Bool(true),
            ])
            .unwrap_err();
        assert_eq!(e, "Float(1.5) in column `n` (integer, may be empty)");
        let e = t.push_text(&["1.5", "1", "a", "true"]).unwrap_err();
        assert_eq!(e, "`1.5` in column `n`, which holds integer values");
        assert_eq!(
            t.push_text(&["1"]).unwrap_err(),
            "a row of 1 cells for 4 columns"
        );
        assert_eq!(t.rows(), 0);
        assert!(t.columns().all(|(_, _, d)| d.is_empty()));
    }
}
