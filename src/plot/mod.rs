//! Charts of results, as SVG and PNG: the charts of a run or a sweep
//! (`catchup plot`, `catchup run --plot`) and the overlay of several runs
//! (`catchup compare`).
//!
//! - `data` reads results back (`series.csv`, `firms.csv`, `bands.csv`, `points.csv`);
//! - `charts` turns them into [`Figure`]s (pure);
//! - `figure` is what a chart shows, with the pure layout helpers;
//! - `palette` is the one palette (colours and markers) of these charts and the page;
//! - `render` draws a figure with plotters, text in the embedded DejaVu Sans;
//! - `compare` runs or reads the inputs of a comparison.
//!
//! Charts are written like every result: whole or not at all, into a directory with a
//! `manifest.json`, never over an existing one without `force`.

pub mod charts;
pub mod compare;
pub mod data;
pub mod figure;
pub mod palette;
pub mod render;
pub mod svgtext;
pub mod sweep;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::output::{OutputError, ResultDir, TableFormat};
use crate::runner::{FIRMS_FILE, MANIFEST_FILE, SERIES};
use crate::scenario::ScenarioError;
use crate::sweep::execute::{BANDS, BANDS_FILE, POINTS_FILE};

pub use compare::{CompareInput, CompareOptions, compare};
pub use figure::Figure;

/// Where `catchup plot DIR` writes by default: `DIR/plots`.
pub const PLOTS_DIR: &str = "plots";

/// Most design points a sweep may have for its band charts (a mean line and a band per
/// point over the periods) to be drawn, by default: beyond that the bands are
/// spaghetti, and the charts of each metric against each factor answer instead.
pub const DEFAULT_MAX_POINTS: usize = 6;

/// Errors while reading results or drawing charts.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("{0}: no such directory")]
    NoSuchDir(PathBuf),
    #[error(
        "{0} is neither a run result (it has no series.csv) nor a sweep result (it has no bands.csv)"
    )]
    NotAResult(PathBuf),
    #[error("{0} is a sweep result; compare takes runs (draw a sweep's bands with `catchup plot`)")]
    SweepInComparison(PathBuf),
    #[error("{0}: no such file")]
    Missing(PathBuf),
    #[error("{path}: no column `{column}`")]
    Column { path: PathBuf, column: String },
    #[error("{path}:{line}: column `{column}`: `{value}` is not a number")]
    Value {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
    },
    #[error("{0}: no data rows")]
    Empty(PathBuf),
    #[error("{path}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("cannot draw {path}: {message}")]
    Draw { path: PathBuf, message: String },
    #[error("the embedded font cannot be loaded")]
    Font,
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A sweep result that cannot be analysed.
    #[error(transparent)]
    Sweep(#[from] crate::sweep::SweepError),
    #[error(
        "{requested} leaves each of the {panels} panels of `{chart}` {panel_width} x \
         {panel_height} pixels; at least {} x {} are needed",
        render::MIN_PANEL.0,
        render::MIN_PANEL.1
    )]
    TooSmall {
        chart: String,
        /// The options as given: `--width 300 --height 200`.
        requested: String,
        panels: usize,
        panel_width: u32,
        panel_height: u32,
    },
    /// A scenario of a comparison could not be run.
    #[error(transparent)]
    Run(crate::runner::RunError),
}

impl From<crate::runner::RunError> for PlotError {
    fn from(e: crate::runner::RunError) -> Self {
        match e {
            crate::runner::RunError::Output(o) => PlotError::Output(o),
            other => PlotError::Run(other),
        }
    }
}

impl PlotError {
    /// Whether the user can fix this by changing what they asked for (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        if let PlotError::Output(e) = self {
            return e.is_bad_input();
        }
        if let PlotError::Sweep(e) = self {
            return e.is_bad_input();
        }
        matches!(
            self,
            PlotError::NoSuchDir(_)
                | PlotError::NotAResult(_)
                | PlotError::SweepInComparison(_)
                | PlotError::Missing(_)
                | PlotError::Column { .. }
                | PlotError::Value { .. }
                | PlotError::Empty(_)
                | PlotError::Csv { .. }
                | PlotError::Scenario(_)
                | PlotError::TooSmall { .. }
        )
    }
}

/// What a result directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    Run,
    Sweep,
}

/// Tells a sweep result (`bands`) from a run result (`series`), as CSV or Parquet. A
/// sweep that keeps its runs' series has a `series` table too; a run never has bands.
pub fn detect(dir: &Path) -> Result<ResultKind, PlotError> {
    if !dir.is_dir() {
        return Err(PlotError::NoSuchDir(dir.to_path_buf()));
    }
    if TableFormat::of_table(dir, BANDS).is_some() {
        Ok(ResultKind::Sweep)
    } else if TableFormat::of_table(dir, SERIES).is_some() {
        Ok(ResultKind::Run)
    } else {
        Err(PlotError::NotAResult(dir.to_path_buf()))
    }
}

/// A chart as listed in a charts manifest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChartRecord {
    pub title: String,
    pub svg: String,
    pub png: String,
    pub width: u32,
    pub height: u32,
    pub panels: usize,
}

/// `manifest.json` of a directory of charts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChartsManifest {
    pub program: String,
    pub version: String,
    /// `run`, `sweep` or `compare`.
    pub kind: String,
    /// What was drawn: the result directory, or the comparison's inputs.
    pub sources: Vec<String>,
    pub charts: Vec<ChartRecord>,
}

/// What a chart command wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub dir: PathBuf,
    pub manifest: ChartsManifest,
}

/// Writes every figure as SVG and PNG into the result being written.
pub fn write_figures(figs: &[Figure], result: &ResultDir) -> Result<Vec<ChartRecord>, PlotError> {
    figs.iter()
        .map(|fig| {
            let svg = format!("{}.svg", fig.stem);
            let png = format!("{}.png", fig.stem);
            render::write_svg(fig, &result.path(&svg))?;
            render::write_png(fig, &result.path(&png))?;
            let (width, height) = render::size(fig);
            Ok(ChartRecord {
                title: fig.title.clone(),
                svg,
                png,
                width,
                height,
                panels: fig.panels.len(),
            })
        })
        .collect()
}

/// Writes the charts and their manifest into a new result at `out` and commits it.
pub(crate) fn write_result(
    out: &Path,
    force: bool,
    kind: &str,
    sources: Vec<String>,
    figs: &[Figure],
) -> Result<Written, PlotError> {
    let result = ResultDir::create(out, force)?;
    finish(result, kind, sources, figs)
}

fn finish(
    result: ResultDir,
    kind: &str,
    sources: Vec<String>,
    figs: &[Figure],
) -> Result<Written, PlotError> {
    let charts = write_figures(figs, &result)?;
    let manifest = ChartsManifest {
        program: "catchup".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        kind: kind.into(),
        sources,
        charts,
    };
    let json = serde_json::to_string_pretty(&manifest).expect("a manifest always serializes");
    result.write_text(MANIFEST_FILE, &(json + "\n"))?;
    let dir = result.commit()?;
    Ok(Written { dir, manifest })
}

/// The name a result goes by in chart titles: the scenario (and seed) or sweep of its
/// manifest, else the directory's name.
pub fn result_name(dir: &Path) -> String {
    let manifest = std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    if let Some(m) = manifest {
        if let Some(s) = m.get("scenario").and_then(|v| v.as_str()) {
            return match m.get("seed").and_then(|v| v.as_u64()) {
                Some(seed) => format!("{s}, seed {seed}"),
                None => s.to_string(),
            };
        }
        if let Some(s) = m.get("sweep").and_then(|v| v.as_str()) {
            return format!("sweep {s}");
        }
    }
    dir_name(dir)
}

/// The last component of a path (the path itself if it has none).
pub fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// Options of [`plot_result`].
#[derive(Debug, Clone)]
pub struct PlotOptions {
    /// Where the charts go (default: `DIR/plots`).
    pub out: Option<PathBuf>,
    pub force: bool,
    /// Most design points of a sweep whose band charts are drawn.
    pub max_points: usize,
    /// Leave the titles and subtitles out of the images.
    pub no_title: bool,
    pub page: Page,
}

/// The size and resolution of every image (`--width`, `--height`, `--dpi`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// Width and height of each image in pixels at 96 dpi; by default from its panels.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Every size is scaled by `dpi / 96`: `--width 800 --dpi 300` gives a 2500 pixel
    /// wide image that looks like the 800 pixel one.
    pub dpi: f64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            width: None,
            height: None,
            dpi: render::BASE_DPI,
        }
    }
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            out: None,
            force: false,
            max_points: DEFAULT_MAX_POINTS,
            no_title: false,
            page: Page::default(),
        }
    }
}

/// Draws the charts of a run or a sweep result into `DIR/plots` (or `opts.out`).
pub fn plot_result(dir: &Path, opts: &PlotOptions) -> Result<Written, PlotError> {
    let kind = detect(dir)?;
    let out = opts.out.clone().unwrap_or_else(|| dir.join(PLOTS_DIR));
    // Refuse early, before reading anything.
    crate::output::check_target(&out, opts.force)?;
    let name = result_name(dir);
    let source = vec![dir.display().to_string()];
    match kind {
        ResultKind::Run => {
            let series = data::SeriesTable::read_run(dir)?;
            let sizes = data::read_firm_sizes(&dir.join(FIRMS_FILE), "capacity")?;
            let figs = titled(charts::run_figures(&name, &series, &sizes)?, opts);
            write_result(&out, opts.force, "run", source, &laid_out(figs, opts.page)?)
        }
        ResultKind::Sweep => {
            let figs = sweep_charts(dir, &name, opts.max_points)?;
            let figs = laid_out(titled(figs, opts), opts.page)?;
            write_result(&out, opts.force, "sweep", source, &figs)
        }
    }
}

/// The charts of a sweep: each metric against each factor, the sensitivity indices of
/// a Sobol or Morris design, and the band charts when the design is small enough for
/// them to be read.
fn sweep_charts(dir: &Path, name: &str, max_points: usize) -> Result<Vec<Figure>, PlotError> {
    let data = crate::sweep::report::SweepData::read(dir)?;
    let metrics = sweep::read_metrics(dir);
    let mut figs = sweep::factor_figures(name, &data, &metrics);
    figs.extend(sweep::index_figures(name, &data)?);
    let bands = data::Bands::read(&dir.join(BANDS_FILE))?;
    if bands.points.len() <= max_points {
        let points = data::Points::read(&dir.join(POINTS_FILE))?;
        figs.extend(charts::sweep_figures(name, &bands, &points));
    }
    Ok(figs)
}

/// The figures at the requested size and resolution; a size that leaves a panel too
/// small to read is refused.
pub fn laid_out(mut figs: Vec<Figure>, page: Page) -> Result<Vec<Figure>, PlotError> {
    for f in &mut figs {
        f.width = page.width;
        f.height = page.height;
        f.dpi = page.dpi;
        if page.width.is_some() || page.height.is_some() {
            let (panel_width, panel_height) = render::drawn_panel_size(f);
            if panel_width < render::MIN_PANEL.0 || panel_height < render::MIN_PANEL.1 {
                let requested = [("--width", page.width), ("--height", page.height)]
                    .iter()
                    .filter_map(|(name, v)| v.map(|v| format!("{name} {v}")))
                    .collect::<Vec<_>>()
                    .join(" ");
                return Err(PlotError::TooSmall {
                    chart: f.stem.clone(),
                    requested,
                    panels: f.panels.len(),
                    panel_width,
                    panel_height,
                });
            }
        }
    }
    Ok(figs)
}

/// The figures with their titles shown or not, as the options say.
fn titled(mut figs: Vec<Figure>, opts: &PlotOptions) -> Vec<Figure> {
    for f in &mut figs {
        f.show_title = !opts.no_title;
    }
    figs
}
