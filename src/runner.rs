//! One run from a validated scenario to a result directory: the world is stepped and
//! each period's rows are streamed to the result as they are produced.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::World;
use crate::model::Sector;
use crate::observe::{
    FirmRow, NonFinite, SeriesRow, SlotsById, check_finite, firm_columns, firm_rows,
    firms_codebook, period_rows, series_codebook, series_columns,
};
use crate::output::columns::Columns;
use crate::output::{
    CODEBOOK_FILE, Codebook, Manifest, OutputError, ResultDir, TableFile, TableFormat,
};
use crate::scenario::{Scenario, ValidScenario};

/// The files of a run's result: the tables (`series` and `firms`, `.csv` or `.parquet`
/// by [`TableFormat`]), the scenario and the manifest.
pub const SERIES: &str = "series";
pub const FIRMS: &str = "firms";
pub const SERIES_FILE: &str = "series.csv";
pub const FIRMS_FILE: &str = "firms.csv";
pub const SCENARIO_FILE: &str = "scenario.toml";
pub const MANIFEST_FILE: &str = "manifest.json";

/// Why a run ended without a result. Nothing of it is left on disk.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A recorded value became infinite or NaN.
    #[error(transparent)]
    NonFinite(#[from] NonFinite),
    /// The model stopped on an internal error (a panic) in a period.
    #[error("the model failed in period {period}: {message}")]
    Failed { period: u32, message: String },
}

/// Steps the world one period, turning a panic inside the model into an error that
/// names the period.
pub fn step(world: &mut World) -> Result<Vec<crate::model::SectorRecord>, RunError> {
    let period = world.period() + 1;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world.step())).map_err(|payload| {
        RunError::Failed {
            period,
            message: panic_message(payload.as_ref()),
        }
    })
}

/// One period of a run as every caller (`run`, sweeps, the classroom API) needs it:
/// stepped (see [`step`]), observed as the period's rows of `series.csv` (one per
/// sector, then the economy's), and refused if a value is not finite.
pub fn observed_step(world: &mut World) -> Result<Vec<SeriesRow>, RunError> {
    let records = step(world)?;
    let rows = period_rows(world.period(), world.sectors(), &records);
    check_finite(&rows)?;
    Ok(rows)
}

/// The text of a panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".to_string())
}

/// Where a run's rows go: the result's files ([`run`]) or memory ([`run_in_memory`]).
pub trait Rows {
    fn series(&mut self, row: &SeriesRow) -> Result<(), OutputError>;
    /// The living firms of `sector` at the end of `period`, in the order of
    /// [`firm_rows`].
    fn firms(&mut self, period: u32, sector: &Sector) -> Result<(), OutputError>;
}

/// What [`simulate`] tells of a run, for its manifest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulated {
    pub firms_initial: u64,
    pub firms_final: u64,
    /// Firm-periods simulated.
    pub firm_steps: u64,
    /// Setup, periods and freeing the world, without writing.
    pub simulate_seconds: f64,
}

/// Simulates the scenario period by period, handing each period's rows of `series` and
/// the firms of the recorded periods (the last and `firm_snapshots`) to `rows`, and
/// calling `on_period` after each period with its number.
pub fn simulate(
    scenario: &ValidScenario,
    rows: &mut dyn Rows,
    on_period: &mut dyn FnMut(u32),
) -> Result<Simulated, RunError> {
    let mut sim_seconds = 0.0;
    let sim_clock = Instant::now();
    let mut world = World::new(scenario);
    let firms_initial = world.firms();
    sim_seconds += sim_clock.elapsed().as_secs_f64();
    let mut firm_steps: u64 = 0;
    for _ in 0..scenario.periods {
        let sim_clock = Instant::now();
        firm_steps += world.firms();
        // An infinite or NaN value ends the run: the result is dropped unwritten.
        let period_rows = observed_step(&mut world)?;
        sim_seconds += sim_clock.elapsed().as_secs_f64();
        let t = world.period();
        for row in &period_rows {
            rows.series(row)?;
        }
        if t == scenario.periods || scenario.firm_snapshots.contains(&t) {
            for sector in world.sectors() {
                rows.firms(t, sector)?;
            }
        }
        on_period(t);
    }
    let firms_final = world.firms();
    // Freeing a large world's arrays is the simulation's cost, not writing's (13 ms at
    // bench-1m's 2.2 million firms): timed with it.
    let sim_clock = Instant::now();
    drop(world);
    sim_seconds += sim_clock.elapsed().as_secs_f64();
    Ok(Simulated {
        firms_initial,
        firms_final,
        firm_steps,
        simulate_seconds: sim_seconds,
    })
}

/// The manifest of a run: what was run, by which build, how big, how long.
fn manifest(
    scenario: &ValidScenario,
    threads: usize,
    sim: Simulated,
    (started_at, clock): (String, Instant),
    files: Vec<String>,
) -> Manifest {
    Manifest {
        program: "catchup".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        source: crate::output::manifest::Source::of_this_build(),
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        threads,
        periods: scenario.periods,
        sectors: scenario.sector.len(),
        firms_initial: sim.firms_initial,
        firms_final: sim.firms_final,
        firm_steps: sim.firm_steps,
        started_at,
        wall_seconds: clock.elapsed().as_secs_f64(),
        simulate_seconds: sim.simulate_seconds,
        firm_steps_per_second: if sim.simulate_seconds > 0.0 {
            sim.firm_steps as f64 / sim.simulate_seconds
        } else {
            0.0
        },
        peak_memory_bytes: peak_memory_bytes(),
        instruction_set: Some(crate::model::isa::chosen().as_str().into()),
        files,
    }
}

fn start() -> (String, Instant) {
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    (started_at, Instant::now())
}

/// How to run: where to write and what to tell the caller.
pub struct RunOptions<'a> {
    pub out: &'a Path,
    pub force: bool,
    pub threads: usize,
    /// The format of `series` and `firms`.
    pub format: TableFormat,
    /// Called after each period with the period number.
    pub on_period: &'a mut dyn FnMut(u32),
}

/// The tables of a result being written.
struct FileRows {
    series: TableFile,
    firms: TableFile,
}

impl Rows for FileRows {
    fn series(&mut self, row: &SeriesRow) -> Result<(), OutputError> {
        match &mut self.series {
            TableFile::Csv(f) => f.row(row),
            TableFile::Parquet(f) => f.row(&row.cells()),
        }
    }

    fn firms(&mut self, period: u32, sector: &Sector) -> Result<(), OutputError> {
        match &mut self.firms {
            // The biggest table of a result: its rows are formatted in parallel.
            TableFile::Csv(f) => {
                let slots = SlotsById::of(sector);
                f.rows_in_parallel(slots.len(), |i| FirmRow::of(period, sector, slots.slot(i)))
            }
            TableFile::Parquet(f) => {
                for row in firm_rows(period, sector) {
                    f.row(&row.cells())?;
                }
                Ok(())
            }
        }
    }
}

/// Runs the scenario and writes its result whole. Returns the result's path and manifest.
pub fn run(
    scenario: &ValidScenario,
    opts: RunOptions<'_>,
) -> Result<(PathBuf, Manifest), RunError> {
    let started = start();
    let dir = ResultDir::create(opts.out, opts.force)?;
    let mut tables = FileRows {
        series: dir.table(SERIES, opts.format, series_columns)?,
        // Its header is written here: its rows are formatted by hand.
        firms: dir.text_table(FIRMS, opts.format, firm_columns())?,
    };
    let sim = simulate(scenario, &mut tables, opts.on_period)?;
    tables.series.finish()?;
    tables.firms.finish()?;
    dir.write_text(SCENARIO_FILE, &scenario_text(scenario))?;
    dir.write_codebook(&run_codebook(opts.format))?;
    let files = vec![
        opts.format.file(SERIES),
        opts.format.file(FIRMS),
        SCENARIO_FILE.into(),
        CODEBOOK_FILE.into(),
        MANIFEST_FILE.into(),
    ];
    let manifest = manifest(scenario, opts.threads, sim, started, files);
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    dir.write_text(MANIFEST_FILE, &(json + "\n"))?;
    let path = dir.commit()?;
    Ok((path, manifest))
}

/// A run kept in memory: the tables a result would hold, typed as in Parquet, and the
/// manifest (listing no files).
#[derive(Debug, Clone)]
pub struct InMemory {
    pub series: Columns,
    pub firms: Columns,
    pub manifest: Manifest,
}

/// The tables of a run kept in memory.
struct MemoryRows {
    series: Columns,
    firms: Columns,
}

impl Rows for MemoryRows {
    fn series(&mut self, row: &SeriesRow) -> Result<(), OutputError> {
        self.series.push(&row.cells()).map_err(OutputError::Row)
    }

    fn firms(&mut self, period: u32, sector: &Sector) -> Result<(), OutputError> {
        for row in firm_rows(period, sector) {
            self.firms.push(&row.cells()).map_err(OutputError::Row)?;
        }
        Ok(())
    }
}

/// Runs the scenario, keeping its tables in memory: nothing is written. `threads` is
/// what the manifest records; the caller runs this in a pool of that many threads.
pub fn run_in_memory(scenario: &ValidScenario, threads: usize) -> Result<InMemory, RunError> {
    let started = start();
    let mut kept = MemoryRows {
        series: Columns::new(series_columns()),
        firms: Columns::new(firm_columns()),
    };
    let sim = simulate(scenario, &mut kept, &mut |_| {})?;
    Ok(InMemory {
        series: kept.series,
        firms: kept.firms,
        manifest: manifest(scenario, threads, sim, started, Vec::new()),
    })
}

/// The codebook of a run's tables.
pub fn run_codebook(format: TableFormat) -> Codebook {
    Codebook::new()
        .file(&format.file(SERIES), series_codebook())
        .file(&format.file(FIRMS), firms_codebook())
}

/// The scenario as saved with a run: every default filled in, so that the file alone
/// repeats the run.
pub fn scenario_text(scenario: &Scenario) -> String {
    format!(
        "# The scenario exactly as run by catchup {}; `catchup run` on this file repeats the run.\n{}",
        env!("CARGO_PKG_VERSION"),
        scenario.filled().to_toml()
    )
}

/// Peak resident set size of this process (Linux `VmHWM`), if known.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::read::{read_table, read_tables};

    /// A run kept in memory holds the tables a run writes, and reading the result back
    /// (CSV by its codebook, or Parquet) gives them again, cell for cell.
    #[test]
    fn a_run_in_memory_is_the_run_written_and_read_back() {
        let scenario = crate::scenario::load(
            Some("baseline"),
            &["periods=6".into(), "firm_snapshots=[3]".into()],
        )
        .unwrap();
        let kept = run_in_memory(&scenario, 1).unwrap();
        assert_eq!(kept.series.rows(), 6 * (scenario.sector.len() + 1));
        assert!(kept.firms.rows() > 0);
        assert!(kept.manifest.files.is_empty());
        assert_eq!(kept.manifest.firm_steps, {
            let mut world = World::new(&scenario);
            let mut steps = 0;
            for _ in 0..6 {
                steps += world.firms();
                world.step();
            }
            steps
        });
        let dir = tempfile::tempdir().unwrap();
        for format in [TableFormat::Csv, TableFormat::Parquet] {
            let out = dir.path().join(format.file("run"));
            run(
                &scenario,
                RunOptions {
                    out: &out,
                    force: false,
                    threads: 1,
                    format,
                    on_period: &mut |_| {},
                },
            )
            .unwrap();
            let tables = read_tables(&out).unwrap();
            let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(names, ["firms", "series"], "{format:?}");
            // NaN placeholders are unequal to themselves: compare as printed.
            let shown = |c: &Columns| format!("{c:?}");
            assert_eq!(shown(&tables[0].columns), shown(&kept.firms), "{format:?}");
            assert_eq!(shown(&tables[1].columns), shown(&kept.series), "{format:?}");
        }
        // Without a codebook (an older result), a CSV's types come from its cells.
        let csv = dir.path().join("run.csv").join(SERIES_FILE);
        let inferred = read_table(&csv, None).unwrap();
        assert_eq!(inferred.rows(), kept.series.rows());
        let spec = |name: &str| {
            let s = inferred.specs().iter().find(|s| s.name == name).unwrap();
            (s.kind, s.nullable)
        };
        use crate::scenario::keys::Kind;
        assert_eq!(spec("sector"), (Kind::Text, false));
        assert_eq!(spec("firms_private"), (Kind::Integer, false));
        assert_eq!(
            spec("paradigm"),
            (Kind::Integer, true),
            "empty in the `all` rows"
        );
        assert_eq!(spec("capacity"), (Kind::Number, false));
    }
}
