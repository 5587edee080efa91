//! The charts: of a run (six figures from `series.csv` and `firms.csv`), of a sweep
//! (one figure per band series, from `bands.csv` and `points.csv`), and of a comparison
//! of runs (one figure per main series). Pure: data in, [`Figure`]s out.

use super::PlotError;
use super::data::{Bands, ECONOMY, FirmSizes, Points, SeriesTable};
use super::figure::{
    Axis, BLACK, Band, Figure, GREY, Key, KeyStyle, Line, Panel, Pen, ccdf, colour, ellipsize,
    thousands,
};
use super::palette::{CHANGE, SHIFT};

/// Title of the whole-economy panel.
pub const ECONOMY_TITLE: &str = "whole economy";

/// Most firm-size points drawn per sector (the distribution is thinned evenly in log
/// rank beyond that).
const MAX_SIZE_POINTS: usize = 400;

/// Longest legend label of a design point, in characters.
const MAX_POINT_LABEL: usize = 90;

/// Series drawn on a log scale wherever they are charted (a run's charts and a
/// comparison's): they grow exponentially, and equal slopes are equal growth rates.
pub const LOG_SERIES: &[&str] = &["capacity"];

/// The value axis of money, which is charted deflated by the wage index (see
/// [`SeriesTable::deflated`]).
pub const DEFLATED_MONEY: &str = "money per year, wage-deflated";

/// Whether a column of `series.csv` is money (charted deflated).
pub fn is_money(name: &str) -> bool {
    crate::observe::column(name).is_some_and(|c| c.unit.starts_with("money"))
}

/// The value axis a series is charted on, the same in every chart: log for
/// [`LOG_SERIES`], deflated money, else the catalogue's unit.
pub fn series_axis(name: &str) -> Axis {
    let d = describe(name);
    if LOG_SERIES.contains(&name) {
        Axis::log(format!("{}, log", d.axis.label))
    } else if is_money(name) {
        Axis::value(DEFLATED_MONEY, &d.axis.include)
    } else {
        d.axis
    }
}

/// A series as charted: money deflated by the wage index, anything else as recorded.
pub fn charted(t: &SeriesTable, sector: &str, name: &str) -> Result<Vec<(f64, f64)>, PlotError> {
    if is_money(name) {
        t.deflated(sector, name)
    } else {
        t.series(sector, name)
    }
}

/// The periods of the scheduled lever changes in `sector` (all, for the economy).
fn changes(t: &SeriesTable, sector: &str) -> Vec<f64> {
    t.context
        .as_ref()
        .map(|c| c.changes_in(sector))
        .unwrap_or_default()
}

/// How a series is titled and what its value axis says.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub title: String,
    pub axis: Axis,
}

/// Title and axis (with units) of a numeric column of `series.csv`, from the column
/// catalogue; an unknown name is its own title.
pub fn describe(name: &str) -> Described {
    match crate::observe::column(name) {
        Some(c) => Described {
            title: c.title.to_string(),
            axis: Axis::value(c.unit, c.axis_includes),
        },
        None => Described {
            title: name.to_string(),
            axis: Axis::value(name, &[]),
        },
    }
}

/// The panels of a per-sector chart: each sector titled with its regime, then the
/// whole economy (unless there is a single sector, which it would repeat).
fn sector_panels(t: &SeriesTable) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = t
        .sectors
        .iter()
        .zip(&t.regimes)
        .map(|(s, r)| {
            let title = if r.is_empty() || r == s {
                s.clone()
            } else {
                format!("{s} ({r})")
            };
            (s.clone(), title)
        })
        .collect();
    if (out.len() != 1 || !t.has(&out[0].0)) && t.has(ECONOMY) {
        out.push((ECONOMY.to_string(), ECONOMY_TITLE.to_string()));
    }
    out
}

/// The periods at which `sector` (every sector, for the whole economy) entered a new
/// paradigm: where its `paradigm` column goes up. A result written before the column
/// existed has no shifts to show.
fn shifts(t: &SeriesTable, sector: &str) -> Vec<f64> {
    let sectors: Vec<&str> = if sector == ECONOMY {
        t.sectors.iter().map(String::as_str).collect()
    } else {
        vec![sector]
    };
    let mut out: Vec<f64> = sectors
        .into_iter()
        .flat_map(|s| {
            let paradigm = t.series(s, "paradigm").unwrap_or_default();
            paradigm
                .windows(2)
                .filter(|w| w[1].1 > w[0].1)
                .map(|w| w[1].0)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// Adds the legend entries of the paradigm-shift and lever-change markers if any
/// panel has one.
fn key_shifts(fig: &mut Figure) {
    if fig.panels.iter().any(|p| !p.shifts.is_empty()) {
        fig.keys.push(Key::line("paradigm shift", SHIFT));
    }
    if fig.panels.iter().any(|p| !p.changes.is_empty()) {
        fig.keys.push(Key::line("scheduled lever change", CHANGE));
    }
}

/// A constant line over the periods of `like`.
fn constant(like: &[(f64, f64)], v: f64) -> Vec<(f64, f64)> {
    like.iter().map(|&(t, _)| (t, v)).collect()
}

/// One figure of per-sector panels, each with the same columns in the same colours.
fn per_sector(
    t: &SeriesTable,
    stem: &str,
    title: String,
    subtitle: &str,
    axis: Axis,
    columns: &[(&str, &str, Pen)],
    shared: bool,
) -> Result<Figure, PlotError> {
    let mut fig = Figure::new(stem, title);
    fig.subtitle = subtitle.to_string();
    fig.keys = columns
        .iter()
        .map(|&(_, label, c)| Key::line(label, c))
        .collect();
    for (sector, panel_title) in sector_panels(t) {
        let mut panel = Panel::new(panel_title, Axis::period(), axis.clone());
        panel.shifts = shifts(t, &sector);
        panel.changes = changes(t, &sector);
        // The sectors compare on one scale; the economy, their sum, has its own.
        panel.shared_y = shared && sector != ECONOMY;
        for &(column, _, c) in columns {
            panel.lines.push(Line {
                colour: c,
                points: charted(t, &sector, column)?,
            });
        }
        fig.panels.push(panel);
    }
    key_shifts(&mut fig);
    Ok(fig)
}

/// The six charts of a run. `name` (the scenario, say) goes into every title.
pub fn run_figures(
    name: &str,
    t: &SeriesTable,
    sizes: &FirmSizes,
) -> Result<Vec<Figure>, PlotError> {
    let suffix = if name.is_empty() {
        String::new()
    } else {
        format!(" — {name}")
    };
    let several = t.sectors.len() > 1;
    let mut figs = vec![];

    // 1. Capacity (top) and utilisation (bottom), one line per sector.
    let mut fig = Figure::new(
        "capacity-utilisation",
        format!("Capacity and utilisation{suffix}"),
    );
    fig.subtitle = "Top: productive capacity of each sector, on a log scale (equal slopes, \
                    equal growth rates). Bottom: utilisation, output / capacity; 1 − \
                    utilisation is overcapacity."
        .into();
    fig.columns = Some(1);
    fig.panel_height = Some(350);
    let mut cap = Panel::new("", Axis::period(), series_axis("capacity"));
    let mut util = Panel::new(
        "",
        Axis::period(),
        Axis::value("utilisation (0–1)", &[0.0, 1.0]),
    );
    for (i, s) in t.sectors.iter().enumerate() {
        fig.keys.push(Key::line(s.as_str(), colour(i)));
        cap.lines.push(Line {
            colour: colour(i),
            points: t.series(s, "capacity")?,
        });
        util.lines.push(Line {
            colour: colour(i),
            points: t.series(s, "utilization")?,
        });
    }
    if several || t.sectors.is_empty() {
        fig.keys
            .push(Key::line(format!("{ECONOMY_TITLE} (utilisation)"), BLACK));
        util.lines.push(Line {
            colour: BLACK,
            points: t.series(ECONOMY, "utilization")?,
        });
        if t.sectors.is_empty() {
            cap.lines.push(Line {
                colour: BLACK,
                points: t.series(ECONOMY, "capacity")?,
            });
        }
    }
    cap.shifts = shifts(t, ECONOMY);
    util.shifts = cap.shifts.clone();
    cap.changes = changes(t, ECONOMY);
    util.changes = cap.changes.clone();
    fig.panels = vec![cap, util];
    key_shifts(&mut fig);
    figs.push(fig);

    // 2. Productivity against the frontier, by ownership.
    let mut fig = Figure::new(
        "productivity-gap",
        format!("Productivity against the frontier, by ownership{suffix}"),
    );
    fig.subtitle = "Output-weighted mean labour productivity relative to the frontier \
                    (1 = at the frontier): private firms, SOEs and all firms (the gap)."
        .into();
    let private = colour(0);
    let soe = colour(3);
    fig.keys = vec![
        Key::line("private firms", private),
        Key::line("SOEs", soe),
        Key::line("all firms (gap)", BLACK),
        Key::line("frontier (= 1)", GREY),
    ];
    for (sector, title) in sector_panels(t) {
        let mut p = Panel::new(
            title,
            Axis::period(),
            Axis::value("productivity / frontier", &[0.0, 1.0]),
        );
        p.shifts = shifts(t, &sector);
        p.changes = changes(t, &sector);
        let gap = t.series(&sector, "gap")?;
        p.lines.push(Line {
            colour: GREY,
            points: constant(&gap, 1.0),
        });
        // All firms first: private firms, usually most of output, draw over it.
        p.lines.push(Line {
            colour: BLACK,
            points: gap,
        });
        p.lines.push(Line {
            colour: private,
            points: t.ratio(&sector, "productivity_private", "frontier")?,
        });
        p.lines.push(Line {
            colour: soe,
            points: t.ratio(&sector, "productivity_soe", "frontier")?,
        });
        fig.panels.push(p);
    }
    key_shifts(&mut fig);
    figs.push(fig);

    // 3. Innovation, absorption, transfer.
    figs.push(per_sector(
        t,
        "innovation",
        format!("Innovations, absorptions and transfers{suffix}"),
        "Firms per year that innovated (a productivity gain from exploring a technology \
         path), absorbed the frontier (imitation), or took up an institute result over \
         the research bridge (transfer).",
        Axis::value("firms per year", &[0.0]),
        &[
            ("innovations", "innovations", colour(4)),
            ("absorptions", "absorptions", colour(2)),
            ("transfers", "transfers", colour(1)),
        ],
        false,
    )?);

    // 4. SOE shares and the import share.
    figs.push(per_sector(
        t,
        "ownership-imports",
        format!("SOE shares and import share{suffix}"),
        "Shares of SOEs in domestic output and capacity, and of imports in demand.",
        Axis::value("share (0–1)", &[0.0, 1.0]),
        &[
            ("soe_output_share", "SOE share of output", colour(3)),
            ("soe_capacity_share", "SOE share of capacity", colour(6)),
            ("import_share", "import share of demand", colour(9)),
        ],
        false,
    )?);

    // 5. Fiscal cost.
    figs.push(per_sector(
        t,
        "fiscal-cost",
        format!("Fiscal cost{suffix}"),
        "Government flows per year, deflated by the wage index (wages grow with the \
         frontier's trend): what they cost in the period's wages, comparable across \
         periods. Fiscal cost = subsidies + bailouts + institute spending − tariff \
         revenue. The sectors share one scale.",
        series_axis("fiscal_cost"),
        &[
            (
                "subsidy_spending",
                "subsidies (R&D and production)",
                colour(0),
            ),
            ("bailout_spending", "bailouts", colour(3)),
            ("institute_spending", "research institutes", colour(2)),
            ("tariff_revenue", "tariff revenue", colour(1)),
            ("fiscal_cost", "fiscal cost", BLACK),
        ],
        true,
    )?);

    // 6. Firm sizes at the last period, log-log.
    figs.push(firm_size_figure(&suffix, t, sizes));
    Ok(figs)
}

fn firm_size_figure(suffix: &str, t: &SeriesTable, sizes: &FirmSizes) -> Figure {
    let mut fig = Figure::new(
        "firm-sizes",
        format!("Firm size distribution in period {}{suffix}", sizes.period),
    );
    fig.subtitle = "Complementary cumulative distribution of capacity over living firms, \
                    log-log: the share of firms at least as large as x. A straight line is a \
                    power law; slope −1 is Zipf's law."
        .into();
    let mut p = Panel::new(
        "",
        Axis::log("firm capacity x (output per year, log scale)"),
        Axis::log("share of firms with capacity ≥ x"),
    );
    for (name, values) in &sizes.sectors {
        // The sector's colour in the other charts.
        let i = t
            .sectors
            .iter()
            .position(|s| s == name)
            .unwrap_or(t.sectors.len() + p.lines.len());
        let points = ccdf(values, MAX_SIZE_POINTS);
        let n = values.iter().filter(|v| v.is_finite() && **v > 0.0).count();
        fig.keys.push(Key::line(
            format!("{name} ({} firms)", thousands(n)),
            colour(i),
        ));
        p.lines.push(Line {
            colour: colour(i),
            points,
        });
    }
    if sizes.sectors.is_empty() {
        fig.subtitle
            .push_str(" No living firms at the last period.");
    }
    fig.panels.push(p);
    fig
}

/// The band charts of a small sweep: one per band series, a panel per sector, a mean
/// line and a 5–95% band per design point.
pub fn sweep_figures(name: &str, bands: &Bands, points: &Points) -> Vec<Figure> {
    let shown = &bands.points;
    let suffix = if name.is_empty() {
        String::new()
    } else {
        format!(" — {name}")
    };
    let mut figs = vec![];
    for series in &bands.series {
        let d = describe(series);
        let mut fig = Figure::new(series.as_str(), format!("{}{suffix}", d.title));
        let replicates = bands
            .rows
            .iter()
            .filter(|((s, _, _), _)| s == series)
            .flat_map(|(_, rows)| rows.iter().map(|r| r.n))
            .filter(|n| n.is_finite())
            .fold(0.0, f64::max);
        let mut subtitle = format!(
            "Mean across replicates (line) and its 5–95% band (shaded), {} replicate{} per \
             design point",
            replicates,
            if replicates == 1.0 { "" } else { "s" }
        );
        subtitle.push('.');
        fig.subtitle = subtitle;
        fig.keys = shown
            .iter()
            .enumerate()
            .map(|(j, &p)| Key {
                label: ellipsize(&points.label(p), MAX_POINT_LABEL),
                colour: colour(j),
                style: KeyStyle::Band,
            })
            .collect();
        for sector in &bands.sectors {
            let title = if sector == ECONOMY {
                ECONOMY_TITLE
            } else {
                sector
            };
            let mut panel = Panel::new(title, Axis::period(), d.axis.clone());
            for (j, &p) in shown.iter().enumerate() {
                let rows = bands.get(series, sector, p);
                panel.bands.push(Band {
                    colour: colour(j),
                    points: rows.iter().map(|r| (r.period, r.p05, r.p95)).collect(),
                });
                panel.lines.push(Line {
                    colour: colour(j),
                    points: rows.iter().map(|r| (r.period, r.mean)).collect(),
                });
            }
            fig.panels.push(panel);
        }
        figs.push(fig);
    }
    figs
}

/// The series a comparison overlays.
pub const COMPARED: &[&str] = &[
    "gap",
    "productivity_mean",
    "capacity",
    "utilization",
    "soe_capacity_share",
    "import_share",
    "fiscal_cost",
    "innovations",
];

/// The charts of a comparison: one per series of [`COMPARED`], a line per input in its
/// colour, a panel for the whole economy and, when every input has the same sectors,
/// one per sector.
pub fn compare_figures(inputs: &[(String, SeriesTable)]) -> Result<Vec<Figure>, PlotError> {
    let same_sectors = inputs.windows(2).all(|w| w[0].1.sectors == w[1].1.sectors);
    let mut panels = vec![(ECONOMY.to_string(), ECONOMY_TITLE.to_string())];
    if same_sectors
        && let Some((_, first)) = inputs.first()
        && (first.sectors.len() > 1 || !first.has(ECONOMY))
    {
        panels.extend(first.sectors.iter().map(|s| (s.clone(), s.clone())));
    }
    let names: Vec<&str> = inputs.iter().map(|(l, _)| l.as_str()).collect();
    let mut figs = vec![];
    for &series in COMPARED {
        let d = describe(series);
        let axis = series_axis(series);
        let mut fig = Figure::new(series, d.title.clone());
        fig.subtitle = if same_sectors {
            format!("Comparing {}.", names.join(", "))
        } else {
            format!(
                "Comparing {}; their sectors differ, so only the whole economy is compared.",
                names.join(", ")
            )
        };
        fig.keys = names
            .iter()
            .enumerate()
            .map(|(i, n)| Key::line(*n, colour(i)))
            .collect();
        for (sector, title) in &panels {
            let mut panel = Panel::new(title.as_str(), Axis::period(), axis.clone());
            // Money compares across sectors on one scale, as in a run's charts.
            panel.shared_y = is_money(series) && sector != ECONOMY;
            for (i, (_, t)) in inputs.iter().enumerate() {
                panel.lines.push(Line {
                    colour: colour(i),
                    points: charted(t, sector, series)?,
                });
            }
            fig.panels.push(panel);
        }
        figs.push(fig);
    }
    Ok(figs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_column_has_a_title_and_an_axis() {
        for &c in crate::observe::SeriesRow::NUMERIC_COLUMNS {
            if c == "period" {
                continue;
            }
            let d = describe(c);
            assert_ne!(d.title, c, "{c} has no title");
            assert!(!d.axis.label.is_empty());
        }
        assert_eq!(describe("unknown").title, "unknown");
        assert_eq!(describe("import_share").axis.include, vec![0.0, 1.0]);
    }
}
