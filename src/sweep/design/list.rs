//! A `list` design: its points read from a CSV file, capped in size.

use super::super::spec::Sweep;
use super::Point;
use crate::scenario::error::ScenarioError;

/// Reads a list design: a CSV header of keys, one row of values per point.
pub(super) fn read_list(sweep: &Sweep) -> Result<(Vec<String>, Vec<Point>), ScenarioError> {
    let path = sweep.design_file().unwrap_or_default();
    let origin = path.display().to_string();
    let fail = |line: Option<u64>, msg: String| {
        ScenarioError::single(crate::scenario::Diagnostic {
            origin: origin.clone(),
            line: line.map(|l| l as usize),
            // A row's problem is the row's: located at its first column.
            column: line.map(|_| 1),
            key: String::new(),
            message: msg,
            suggestion: None,
        })
    };
    let bytes = read_capped(&path).map_err(|msg| fail(None, msg))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let keys: Vec<String> = reader
        .headers()
        .map_err(|e| fail(Some(1), format!("cannot read the header: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    if keys.is_empty() || keys.iter().any(String::is_empty) {
        return Err(fail(
            Some(1),
            "expected a header of scenario keys, such as policy.tariff".into(),
        ));
    }
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let metrics: Vec<&str> = sweep.spec.metric.iter().map(|m| m.name.as_str()).collect();
    if let Some((_, why)) = crate::sweep::spec::factor_column_clashes(&key_refs, &metrics)
        .into_iter()
        .next()
    {
        return Err(fail(Some(1), why));
    }
    let mut points = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row as u64 + 2;
        let record = record.map_err(|e| fail(Some(line), format!("not a valid CSV row: {e}")))?;
        if let Some(why) = crate::sweep::spec::too_many_runs(row as u128 + 1, sweep.spec.replicates)
        {
            return Err(fail(Some(line), why));
        }
        if record.len() != keys.len() {
            return Err(fail(
                Some(line),
                format!(
                    "expected {} values, one per key in the header, found {}",
                    keys.len(),
                    record.len()
                ),
            ));
        }
        points.push(Point::plain(record.iter().map(parse_cell).collect()));
    }
    if points.is_empty() {
        return Err(fail(None, "expected at least one row of values".into()));
    }
    Ok((keys, points))
}

/// The bytes of a list design file: a regular file of at most
/// [`crate::sweep::spec::MAX_LIST_BYTES`], read with that cap whatever it claims to be.
fn read_capped(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cap = crate::sweep::spec::MAX_LIST_BYTES;
    let too_big = || {
        format!(
            "the design file is larger than {} MiB; split the sweep into several",
            cap >> 20
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the design file: {e}"))?;
    if !meta.is_file() {
        return Err(if meta.is_dir() {
            "the design file is a directory; expected a CSV file".into()
        } else {
            "the design file is not a regular file (a device, a pipe or a socket); expected a CSV file"
                .into()
        });
    }
    if meta.len() > cap {
        return Err(too_big());
    }
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read the design file: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the design file: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(bytes)
}

/// A CSV cell as a TOML value: a number or boolean when it reads as one, else a string.
fn parse_cell(cell: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {cell}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(cell.to_string()))
}
