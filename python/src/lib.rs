//! `catchup._catchup`: the catchup library called from Python, in-process. Each
//! function here turns Python arguments into the library's own types (a scenario by
//! name or file, [`Edit`]s, a sweep file), calls the library as the command line does,
//! and hands back typed columns for `catchup/__init__.py` to make data frames of. No
//! model, file format or message is defined here: bad input raises [`InputError`] with
//! the message the command line prints, a failure [`RunError`].

use std::path::{Path, PathBuf};

use catchup::cli::{EXIT_BAD_INPUT, Failure, lock, thread_count, worker_pool};
use catchup::output::columns::{Columns, Values};
use catchup::output::read::read_tables;
use catchup::output::{OutputError, TableFormat};
use catchup::runner::{self, RunError as LibRunError, RunOptions};
use catchup::scenario::{self, Edit, builtin};
use catchup::sweep::{Outcome, Shard, Sweep, SweepError, SweepOptions, run_sweep};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

create_exception!(
    _catchup,
    InputError,
    PyValueError,
    "Bad input: a scenario, a setting, a sweep file, or a result folder that is in the \
     way. The message is the one the command line prints (exit code 2), naming the file, \
     line, column and key."
);
create_exception!(
    _catchup,
    RunError,
    PyRuntimeError,
    "A failure while running or writing (the command line's exit code 1): the model's \
     numbers blew up, or a file could not be written or read."
);

/// The message the command line prints for an error (`error: ` aside), causes included.
fn message(error: impl Into<anyhow::Error>) -> String {
    format!("{:#}", error.into())
}

fn bad_input(error: impl Into<anyhow::Error>) -> PyErr {
    InputError::new_err(message(error))
}

fn failure(error: impl Into<anyhow::Error>) -> PyErr {
    RunError::new_err(message(error))
}

/// A command-line failure by its exit code.
fn from_failure(f: Failure) -> PyErr {
    if f.code == EXIT_BAD_INPUT {
        InputError::new_err(message(f.error))
    } else {
        RunError::new_err(message(f.error))
    }
}

fn from_output(e: OutputError) -> PyErr {
    if e.is_bad_input() {
        bad_input(e)
    } else {
        failure(e)
    }
}

fn from_run(e: LibRunError) -> PyErr {
    match e {
        LibRunError::Output(o) => from_output(o),
        other => failure(other),
    }
}

fn from_sweep(e: SweepError) -> PyErr {
    if e.is_bad_input() {
        bad_input(e)
    } else {
        failure(e)
    }
}

/// A Python value as the TOML value of a scenario key: a bool, an integer, a float
/// (NumPy's scalars too), a string, a list or tuple, or a dict with string keys.
fn toml_value(key: &str, value: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return value
            .extract::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| {
                InputError::new_err(format!(
                    "set[{key:?}]: {value} is too large for a scenario value (at most 2^63 - 1)"
                ))
            });
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(value.extract::<f64>()?));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(toml::Value::String(s.to_cow()?.into_owned()));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items = value
            .try_iter()?
            .map(|item| toml_value(key, &item?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(toml::Value::Array(items));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let mut table = toml::Table::new();
        for (k, v) in d.iter() {
            let k: String = k.extract().map_err(|_| {
                InputError::new_err(format!("set[{key:?}]: a table's keys must be strings"))
            })?;
            let inner = toml_value(&format!("{key}.{k}"), &v)?;
            table.insert(k, inner);
        }
        return Ok(toml::Value::Table(table));
    }
    // NumPy's integer and boolean scalars are no Python ints: they say what they are.
    if value.hasattr("dtype")? {
        let kind: String = value.getattr("dtype")?.getattr("kind")?.extract()?;
        match kind.as_str() {
            "b" => return Ok(toml::Value::Boolean(value.is_truthy()?)),
            "i" | "u" => {
                return toml_value(key, &value.call_method0("item")?);
            }
            "f" => return Ok(toml::Value::Float(value.extract::<f64>()?)),
            _ => {}
        }
    }
    Err(InputError::new_err(format!(
        "set[{key:?}]: a value of type `{}` is no scenario value; give a number, a bool, \
         a string, a list or a dict",
        value.get_type().name()?
    )))
}

/// The edits of `set=` (in the order given), `seed=` and `periods=`.
fn edits(
    sets: Vec<(String, Bound<'_, PyAny>)>,
    seed: Option<u64>,
    periods: Option<u32>,
) -> PyResult<Vec<Edit>> {
    let mut edits = Vec::new();
    for (key, value) in sets {
        let value = toml_value(&key, &value)?;
        let source = format!("set[{key:?}] = {value}");
        edits.push(Edit::new(&key, value).from_source(source));
    }
    if let Some(seed) = seed {
        edits.push(Edit::seed(seed).from_source(format!("seed={seed}")));
    }
    if let Some(periods) = periods {
        edits.push(
            Edit::new("periods", toml::Value::Integer(i64::from(periods)))
                .from_source(format!("periods={periods}")),
        );
    }
    Ok(edits)
}

/// A table as Python values: one tuple a column, `(name, type, data, defined)`. `data`
/// holds little-endian `int64`, `float64` or `uint8` (booleans) as bytes, or for text a
/// pair `(codes, categories)`: `uint32` codes into a list of strings. `defined` is a
/// `uint8` mask (1: a value) for a column with empty cells, else `None`.
fn table<'py>(py: Python<'py>, columns: &Columns) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for (spec, values, defined) in columns.columns() {
        let data: Bound<'py, PyAny> = match values {
            Values::Int(v) => bytes(py, v.iter().flat_map(|x| x.to_le_bytes())),
            Values::Float(v) => bytes(py, v.iter().flat_map(|x| x.to_le_bytes())),
            Values::Bool(v) => bytes(py, v.iter().map(|&b| u8::from(b))),
            Values::Text(v) => {
                let mut categories: Vec<&str> = Vec::new();
                let mut index = std::collections::HashMap::new();
                let codes = v.iter().map(|s| {
                    *index.entry(s.as_str()).or_insert_with(|| {
                        categories.push(s);
                        categories.len() as u32 - 1
                    })
                });
                let codes: Vec<u8> = codes.flat_map(u32::to_le_bytes).collect();
                (PyBytes::new(py, &codes), PyList::new(py, categories)?)
                    .into_pyobject(py)?
                    .into_any()
            }
        };
        let mask = if defined.iter().all(|&d| d) {
            py.None().into_bound(py)
        } else {
            bytes(py, defined.iter().map(|&d| u8::from(d)))
        };
        list.append((spec.name.as_str(), spec.kind.as_str(), data, mask))?;
    }
    Ok(list)
}

fn bytes<'py>(py: Python<'py>, data: impl Iterator<Item = u8>) -> Bound<'py, PyAny> {
    PyBytes::new(py, &data.collect::<Vec<u8>>()).into_any()
}

/// Runs a scenario. Without `out`, in memory: returns `{"tables": {"series": ..,
/// "firms": ..}, "manifest": JSON, "scenario": TOML}`; with `out`, writes the result
/// there as `catchup run --out` does and returns what [`load`] reads of it.
#[pyfunction]
#[pyo3(signature = (scenario=None, *, sets=Vec::new(), seed=None, periods=None, threads=None, out=None, format="csv", force=false))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: Option<String>,
    sets: Vec<(String, Bound<'py, PyAny>)>,
    seed: Option<u64>,
    periods: Option<u32>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    format: &str,
    force: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let format = TableFormat::from_name(format).ok_or_else(|| {
        InputError::new_err(format!(
            "format={format:?}: expected \"csv\" or \"parquet\""
        ))
    })?;
    let edits = edits(sets, seed, periods)?;
    let scenario = scenario::load_edited(scenario.as_deref(), &edits).map_err(bad_input)?;
    let threads = thread_count(threads).map_err(from_failure)?;
    let pool = worker_pool(threads).map_err(from_failure)?;
    let Some(out) = out else {
        let kept = py
            .detach(|| pool.install(|| runner::run_in_memory(&scenario, threads)))
            .map_err(from_run)?;
        let result = PyDict::new(py);
        let tables = PyDict::new(py);
        tables.set_item(runner::SERIES, table(py, &kept.series)?)?;
        tables.set_item(runner::FIRMS, table(py, &kept.firms)?)?;
        result.set_item("tables", tables)?;
        result.set_item(
            "manifest",
            serde_json::to_string(&kept.manifest).map_err(failure)?,
        )?;
        result.set_item("scenario", runner::scenario_text(&scenario))?;
        // The codebook a CSV result of the run would hold.
        let codebook = runner::run_codebook(TableFormat::Csv).to_json();
        result.set_item("codebook", codebook)?;
        result.set_item("path", py.None())?;
        return Ok(result);
    };
    py.detach(|| {
        // Held until the result is written, as by `catchup run`.
        let _lock = lock(&out).map_err(from_failure)?;
        pool.install(|| {
            runner::run(
                &scenario,
                RunOptions {
                    out: &out,
                    force,
                    threads,
                    format,
                    on_period: &mut |_| {},
                },
            )
        })
        .map_err(from_run)
    })?;
    load(py, out)
}

/// Reads a result folder (a run's or a sweep's, CSV or Parquet): `{"tables": {name:
/// columns}, "manifest": JSON, "codebook": JSON or None, "scenario": TOML or None,
/// "path": str}`.
#[pyfunction]
fn load(py: Python<'_>, dir: PathBuf) -> PyResult<Bound<'_, PyDict>> {
    // A folder that is no result is bad input; a result that cannot be read, a failure.
    if !dir.is_dir() {
        return Err(InputError::new_err(format!(
            "{}: no such folder; expected a catchup result (a run's or a sweep's)",
            dir.display()
        )));
    }
    let manifest = read_text(&dir, "manifest.json")?.ok_or_else(|| {
        InputError::new_err(format!(
            "{}: not a catchup result: it has no manifest.json",
            dir.display()
        ))
    })?;
    let tables = py.detach(|| read_tables(&dir)).map_err(from_output)?;
    let result = PyDict::new(py);
    let by_name = PyDict::new(py);
    for t in &tables {
        by_name.set_item(&t.name, table(py, &t.columns)?)?;
    }
    result.set_item("tables", by_name)?;
    result.set_item("manifest", manifest)?;
    result.set_item("codebook", read_text(&dir, "codebook.json")?)?;
    // A run keeps its scenario; a sweep its base scenario beside the sweep file.
    let scenario = match read_text(&dir, runner::SCENARIO_FILE)? {
        Some(text) => Some(text),
        None => read_text(&dir, "base.toml")?,
    };
    result.set_item("scenario", scenario)?;
    result.set_item("sweep", read_text(&dir, "sweep.toml")?)?;
    result.set_item("path", dir.display().to_string())?;
    Ok(result)
}

fn read_text(dir: &Path, file: &str) -> PyResult<Option<String>> {
    let path = dir.join(file);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(failure(
            anyhow::Error::new(e).context(path.display().to_string()),
        )),
    }
}

/// Runs a sweep file (`path`), or sweep text (`text`, relative paths from the current
/// folder), as `catchup sweep` does. Returns the result's folder and its number of
/// failed runs.
#[pyfunction]
#[pyo3(signature = (path=None, *, text=None, out=None, threads=None, force=false, resume=false, retry_failed=false, max_failures=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    path: Option<PathBuf>,
    text: Option<String>,
    out: Option<PathBuf>,
    threads: Option<usize>,
    force: bool,
    resume: bool,
    retry_failed: bool,
    max_failures: Option<u64>,
) -> PyResult<(String, u64)> {
    let sweep = match (path, text) {
        (Some(path), None) => Sweep::load(&path).map_err(bad_input)?,
        (None, Some(text)) => {
            Sweep::parse(&text, "sweep text", Path::new(".")).map_err(bad_input)?
        }
        _ => {
            return Err(InputError::new_err(
                "give a sweep file (path) or the sweep's text (text=), one of them",
            ));
        }
    };
    if retry_failed && !resume {
        return Err(InputError::new_err(
            "retry_failed runs the failed runs of an earlier sweep again: it needs resume=True",
        ));
    }
    let out = out.unwrap_or_else(|| PathBuf::from("output").join(&sweep.spec.name));
    let threads = thread_count(threads).map_err(from_failure)?;
    let outcome = py.detach(|| {
        let _lock = lock(&out).map_err(from_failure)?;
        run_sweep(
            &sweep,
            &sweep.text,
            SweepOptions {
                out: &out,
                shard: Shard::WHOLE,
                threads,
                resume,
                force,
                max_failures,
                retry_failed,
                on_start: &mut |_, _| {},
                on_run: &|| {},
            },
        )
        .map_err(from_sweep)
    })?;
    Ok(match outcome {
        Outcome::Done(path, manifest) => (path.display().to_string(), manifest.runs_failed),
        Outcome::AlreadyComplete(path, failed) => (path.display().to_string(), failed),
    })
}

/// The built-in scenarios: `(name, description, look_at, text)` each, in the order
/// `catchup scenarios` lists them.
#[pyfunction]
fn scenarios() -> PyResult<Vec<(String, String, String, String)>> {
    builtin::ALL
        .iter()
        .map(|b| {
            let s = scenario::parse_scenario(b.text, b.name, &[]).map_err(failure)?;
            Ok((
                b.name.to_string(),
                s.description.trim().to_string(),
                s.look_at.trim().to_string(),
                b.text.to_string(),
            ))
        })
        .collect()
}

#[pymodule]
fn _catchup(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("RunError", m.py().get_type::<RunError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
