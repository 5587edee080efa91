//! One run from a validated scenario to a result directory: the world is stepped and
//! each period's rows are streamed to the result as they are produced.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine::World;
use crate::observe::{
    FirmRow, NonFinite, SeriesRow, check_finite, firm_columns, firm_rows, firms_codebook,
    period_rows, series_codebook, series_columns,
};
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

/// Runs the scenario and writes its result whole. Returns the result's path and manifest.
pub fn run(
    scenario: &ValidScenario,
    opts: RunOptions<'_>,
) -> Result<(PathBuf, Manifest), RunError> {
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let clock = Instant::now();
    let dir = ResultDir::create(opts.out, opts.force)?;
    let mut series = dir.table(SERIES, opts.format, series_columns)?;
    let mut firms = dir.table(FIRMS, opts.format, firm_columns)?;
    let mut firms_written = false;

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
        let rows = observed_step(&mut world)?;
        sim_seconds += sim_clock.elapsed().as_secs_f64();
        let t = world.period();
        for row in &rows {
            match &mut series {
                TableFile::Csv(f) => f.row(row)?,
                TableFile::Parquet(f) => f.row(&row.cells())?,
            }
        }
        if t == scenario.periods || scenario.firm_snapshots.contains(&t) {
            for sector in world.sectors() {
                for row in firm_rows(t, sector) {
                    match &mut firms {
                        TableFile::Csv(f) => f.row(&row)?,
                        TableFile::Parquet(f) => f.row(&row.cells())?,
                    }
                    firms_written = true;
                }
            }
        }
        (opts.on_period)(t);
    }
    if let (TableFile::Csv(f), false) = (&mut firms, firms_written) {
        // A Parquet table has its columns without rows; a CSV file needs its header.
        f.record(&FirmRow::header())?;
    }
    series.finish()?;
    firms.finish()?;
    dir.write_text(SCENARIO_FILE, &scenario_text(scenario))?;
    dir.write_codebook(&run_codebook(opts.format))?;
    let wall_seconds = clock.elapsed().as_secs_f64();
    let manifest = Manifest {
        program: "catchup".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        source: crate::output::manifest::Source::of_this_build(),
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        threads: opts.threads,
        periods: scenario.periods,
        sectors: scenario.sector.len(),
        firms_initial,
        firms_final: world.firms(),
        firm_steps,
        started_at,
        wall_seconds,
        simulate_seconds: sim_seconds,
        firm_steps_per_second: if sim_seconds > 0.0 {
            firm_steps as f64 / sim_seconds
        } else {
            0.0
        },
        peak_memory_bytes: peak_memory_bytes(),
        files: vec![
            opts.format.file(SERIES),
            opts.format.file(FIRMS),
            SCENARIO_FILE.into(),
            CODEBOOK_FILE.into(),
            MANIFEST_FILE.into(),
        ],
    };
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    dir.write_text(MANIFEST_FILE, &(json + "\n"))?;
    let path = dir.commit()?;
    Ok((path, manifest))
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
