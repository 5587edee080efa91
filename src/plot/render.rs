//! Drawing a [`Figure`] with plotters, as SVG and as PNG, with the DejaVu Sans font
//! embedded in the binary (registered once as `sans-serif`), so that PNG text renders
//! on a machine with no fonts installed.
//!
//! Only data lines are drawn as paths (SVG `<polyline>`) and only bands as filled
//! polygons (`<polygon>`): the frame, the grid and the legend's swatches are lines and
//! rectangles, the markers along lines (the palette's second cue) circles and
//! rectangles, and plotters' own axis lines and tick marks are left out.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, register_font};

use super::PlotError;
use super::figure::{
    BAR_THICKNESS, Figure, KeyStyle, LINE_WIDTH, Panel, Scale, band_segments, drawable,
    legend_rows, segments, tick_label_in,
};
use super::palette::{CHANGE, Marker, Pen, SHIFT};

/// The font family every text is set in.
pub const FAMILY: &str = "sans-serif";

const TITLE_SIZE: f64 = 29.0;
const SUBTITLE_SIZE: f64 = 23.0;
const LEGEND_SIZE: f64 = 24.0;
const PANEL_TITLE_SIZE: f64 = 25.0;
const AXIS_SIZE: f64 = 23.0;
const TICK_SIZE: f64 = 23.0;

/// Outer margin of the figure.
const MARGIN: u32 = 20;
const SWATCH: u32 = 34;
const LEGEND_GAP: u32 = 24;
const LEGEND_ROW: u32 = 30;
const SUBTITLE_ROW: u32 = 27;
const TITLE_ROW: u32 = 36;
/// Width of the y axis's labels and title, unless a bar chart's names need more.
const Y_LABEL_AREA: u32 = 100;
/// Height of the x axis's labels and title.
const X_LABEL_AREA: u32 = 62;

/// The resolution every size above is given at: CSS pixels, 96 to the inch. A figure
/// drawn at another `dpi` has every size (text, lines, markers, margins) scaled by
/// `dpi / 96`, so that it looks the same at a higher resolution.
pub const BASE_DPI: f64 = 96.0;

/// The smallest panel a requested size may leave, in pixels at 96 dpi: below it the
/// axes' labels would overlap the data.
pub const MIN_PANEL: (u32, u32) = (300, 200);

/// Sizes scaled by a figure's `dpi / 96`.
#[derive(Debug, Clone, Copy)]
struct Scaled(f64);

impl Scaled {
    fn px(self, v: u32) -> u32 {
        (v as f64 * self.0).round() as u32
    }

    fn pxi(self, v: i32) -> i32 {
        (v as f64 * self.0).round() as i32
    }

    fn font(self, size: f64, style: FontStyle) -> FontDesc<'static> {
        font(size * self.0, style)
    }
}

/// Registers the embedded font (once per process).
pub fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

fn font(size: f64, style: FontStyle) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, style)
}

fn rgb(c: Pen) -> RGBColor {
    RGBColor(c.rgb.0, c.rgb.1, c.rgb.2)
}

/// Half the width of a marker, in pixels.
const MARK: i32 = 6;

/// A pen's marker (the second cue beside its colour) at `at`: data coordinates of a
/// chart, or pixels of the figure. Open markers are filled white so that they read
/// over their own line.
fn draw_mark<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    pen: Pen,
    k: Scaled,
) -> DrawResult<DB> {
    let c = rgb(pen);
    let m = k.pxi(MARK);
    let (filled, stroke) = (c.filled(), c.stroke_width(k.px(2)));
    let (paper, square) = (WHITE.filled(), [(1 - m, 1 - m), (m - 1, m - 1)]);
    let e = EmptyElement::at(at);
    match pen.marker() {
        None => Ok(()),
        Some(Marker::Circle) => area.draw(&(e + Circle::new((0, 0), m, filled))),
        Some(Marker::Square) => area.draw(&(e + Rectangle::new(square, filled))),
        Some(Marker::OpenCircle) => {
            area.draw(&(e + Circle::new((0, 0), m, paper) + Circle::new((0, 0), m, stroke)))
        }
        Some(Marker::OpenSquare) => {
            area.draw(&(e + Rectangle::new(square, paper) + Rectangle::new(square, stroke)))
        }
    }
}

/// Width of a text in pixels.
fn text_width(text: &str, size: f64, style: FontStyle) -> u32 {
    font(size, style)
        .box_size(text)
        .map(|(w, _)| w)
        .unwrap_or((text.chars().count() as f64 * size * 0.6) as u32)
}

/// Breaks `text` into lines no wider than `width`, at spaces.
fn wrap(text: &str, width: u32, size: f64, style: FontStyle) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && text_width(&candidate, size, style) > width {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// Where everything goes, in pixels.
struct Layout {
    k: Scaled,
    width: u32,
    height: u32,
    title: Vec<String>,
    subtitle: Vec<String>,
    /// Top of the subtitle.
    subtitle_top: u32,
    legend: Vec<Vec<(usize, u32)>>,
    /// Top of the legend and of the panel grid.
    legend_top: u32,
    body_top: u32,
}

fn layout(fig: &Figure) -> Layout {
    let k = Scaled(fig.dpi / BASE_DPI);
    let (_, rows) = fig.grid();
    let (natural_width, natural_panel) = fig.panel_size();
    let width = k.px(fig.width.unwrap_or(natural_width));
    let inner = width.saturating_sub(2 * k.px(MARGIN));
    let (title, subtitle) = if fig.show_title {
        (
            wrap(&fig.title, inner, TITLE_SIZE * k.0, FontStyle::Bold),
            wrap(&fig.subtitle, inner, SUBTITLE_SIZE * k.0, FontStyle::Normal),
        )
    } else {
        (vec![], vec![])
    };
    let labels: Vec<&str> = fig.keys.iter().map(|key| key.label.as_str()).collect();
    let legend = if labels.is_empty() {
        vec![]
    } else {
        legend_rows(&labels, inner, k.px(SWATCH), k.px(LEGEND_GAP), |s| {
            text_width(s, LEGEND_SIZE * k.0, FontStyle::Normal)
        })
    };
    // Without a title, the legend starts at the margin.
    let subtitle_top = if fig.show_title {
        k.px(MARGIN) + k.px(TITLE_ROW) * title.len().max(1) as u32 + k.px(6)
    } else {
        k.px(MARGIN)
    };
    let legend_top = subtitle_top + k.px(SUBTITLE_ROW) * subtitle.len() as u32 + k.px(2);
    let body_top = legend_top + k.px(LEGEND_ROW) * legend.len() as u32 + k.px(8);
    let height = match fig.height {
        // The panels take what the title and legend leave.
        Some(h) => k.px(h).max(body_top + k.px(8) + rows as u32),
        None => body_top + k.px(natural_panel) * rows as u32 + k.px(8),
    };
    Layout {
        k,
        width,
        height,
        title,
        subtitle,
        subtitle_top,
        legend,
        legend_top,
        body_top,
    }
}

/// The size in pixels a figure is drawn at.
pub fn size(fig: &Figure) -> (u32, u32) {
    let l = layout(fig);
    (l.width, l.height)
}

/// The size of one panel of a figure, in pixels at 96 dpi: what a requested width and
/// height leave for the panels once the title, subtitle and legend are placed.
pub fn drawn_panel_size(fig: &Figure) -> (u32, u32) {
    let l = layout(fig);
    let (columns, rows) = fig.grid();
    let body = l.height.saturating_sub(l.body_top + l.k.px(8));
    let unscale = |v: u32| (v as f64 / l.k.0).floor() as u32;
    (
        unscale(l.width / columns as u32),
        unscale(body / rows.max(1) as u32),
    )
}

fn draw_error<E: std::error::Error + Send + Sync>(
    path: &Path,
) -> impl FnOnce(DrawingAreaErrorKind<E>) -> PlotError + '_ {
    move |e| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The figure as SVG text, every glyph drawn as a path (see [`super::svgtext`]).
pub fn svg_text(fig: &Figure, path: &Path) -> Result<String, PlotError> {
    ensure_font()?;
    let l = layout(fig);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (l.width, l.height)).into_drawing_area();
        draw(fig, &l, &root).map_err(draw_error(path))?;
        root.present().map_err(draw_error(path))?;
    }
    Ok(super::svgtext::outline_text(&out))
}

/// Writes the figure as an SVG file.
pub fn write_svg(fig: &Figure, path: &Path) -> Result<(), PlotError> {
    let text = svg_text(fig, path)?;
    std::fs::write(path, text).map_err(|e| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Writes the figure as a PNG file.
pub fn write_png(fig: &Figure, path: &Path) -> Result<(), PlotError> {
    ensure_font()?;
    let l = layout(fig);
    let root = BitMapBackend::new(path, (l.width, l.height)).into_drawing_area();
    draw(fig, &l, &root).map_err(draw_error(path))?;
    root.present().map_err(draw_error(path))
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    fig: &Figure,
    l: &Layout,
    root: &DrawingArea<DB, Shift>,
) -> DrawResult<DB> {
    let k = l.k;
    root.fill(&WHITE)?;
    let left = k.px(MARGIN) as i32;
    for (i, line) in l.title.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (left, (k.px(MARGIN) + k.px(TITLE_ROW) * i as u32) as i32),
            k.font(TITLE_SIZE, FontStyle::Bold).color(&BLACK),
        ))?;
    }
    let grey = RGBColor(80, 80, 80);
    for (i, line) in l.subtitle.iter().enumerate() {
        let y = l.subtitle_top + k.px(SUBTITLE_ROW) * i as u32;
        root.draw(&Text::new(
            line.clone(),
            (left, y as i32),
            k.font(SUBTITLE_SIZE, FontStyle::Normal).color(&grey),
        ))?;
    }
    let swatch = k.px(SWATCH) as i32;
    for (r, row) in l.legend.iter().enumerate() {
        let mid = (l.legend_top + k.px(LEGEND_ROW) * r as u32 + k.px(LEGEND_ROW) / 2) as i32;
        for &(i, x) in row {
            let key = &fig.keys[i];
            let x = left + x as i32;
            let c = rgb(key.colour);
            let box_ = [(x, mid - k.pxi(10)), (x + swatch, mid + k.pxi(10))];
            match key.style {
                KeyStyle::Line | KeyStyle::Band => {
                    if key.style == KeyStyle::Band {
                        root.draw(&Rectangle::new(box_, c.mix(0.2).filled()))?;
                    }
                    root.draw(&Rectangle::new(
                        [(x, mid - k.pxi(2)), (x + swatch, mid + k.pxi(2))],
                        c.filled(),
                    ))?;
                    draw_mark(root, (x + swatch / 2, mid), key.colour, k)?;
                }
                KeyStyle::Dot => {
                    for dx in [-10, 0, 10] {
                        root.draw(&Circle::new(
                            (x + swatch / 2 + k.pxi(dx), mid),
                            k.pxi(5),
                            c.mix(0.5).filled(),
                        ))?;
                    }
                }
                KeyStyle::Bar => root.draw(&Rectangle::new(box_, c.mix(0.75).filled()))?,
            }
            root.draw(&Text::new(
                key.label.clone(),
                (x + swatch + k.pxi(LEGEND_GAP as i32 / 2), mid),
                k.font(LEGEND_SIZE, FontStyle::Normal)
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    let (_, body) = root.split_vertically(l.body_top);
    let (columns, rows) = fig.grid();
    let areas = body.split_evenly((rows, columns));
    for ((panel, ranges), area) in fig.panels.iter().zip(fig.ranges()).zip(&areas) {
        draw_panel(panel, ranges, area, k)?;
    }
    Ok(())
}

/// Width of the y axis's label area: room for a bar chart's category names.
fn y_label_area(panel: &Panel, k: Scaled) -> u32 {
    let names = panel
        .categories
        .iter()
        .map(|c| text_width(c, TICK_SIZE * k.0, FontStyle::Normal) + k.px(24))
        .max()
        .unwrap_or(0);
    names.max(k.px(Y_LABEL_AREA))
}

type Ranges = ((f64, f64), (f64, f64));

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    ranges: Ranges,
    area: &DrawingArea<DB, Shift>,
    k: Scaled,
) -> DrawResult<DB> {
    let ((x0, x1), (y0, y1)) = ranges;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(k.px(8))
        .margin_bottom(k.px(4))
        .margin_left(k.px(MARGIN))
        .margin_right(k.px(MARGIN + 20))
        .x_label_area_size(k.px(X_LABEL_AREA))
        .y_label_area_size(y_label_area(panel, k));
    if !panel.title.is_empty() {
        builder.caption(&panel.title, k.font(PANEL_TITLE_SIZE, FontStyle::Bold));
    }
    match (panel.x.scale, panel.y.scale) {
        (Scale::Linear, Scale::Linear) => {
            let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
            fill(&mut chart, panel, ranges, k)
        }
        (Scale::Log, Scale::Log) => {
            let mut chart = builder.build_cartesian_2d(
                (x0..x1).log_scale().with_key_points(log_ticks(x0, x1)),
                (y0..y1).log_scale().with_key_points(log_ticks(y0, y1)),
            )?;
            fill(&mut chart, panel, ranges, k)
        }
        (Scale::Linear, Scale::Log) => {
            let mut chart = builder.build_cartesian_2d(
                x0..x1,
                (y0..y1).log_scale().with_key_points(log_ticks(y0, y1)),
            )?;
            fill(&mut chart, panel, ranges, k)
        }
        (Scale::Log, Scale::Linear) => {
            let mut chart = builder.build_cartesian_2d(
                (x0..x1).log_scale().with_key_points(log_ticks(x0, x1)),
                y0..y1,
            )?;
            fill(&mut chart, panel, ranges, k)
        }
    }
}

/// The ticks of a log axis from `lo` to `hi`: 1, 2 and 5 times each power of ten, so
/// that an axis spanning a decade or two still has several labels (plotters' own log
/// ticks start at the first power of ten, leaving the part below it bare); over many
/// decades, the powers of ten alone.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi >= lo && hi.is_finite()) {
        return vec![];
    }
    let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |m: &[f64]| -> Vec<f64> {
        (a..=b)
            .flat_map(|e| m.iter().map(move |m| m * 10f64.powi(e)))
            .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
            .collect()
    };
    let all = within(&[1.0, 2.0, 5.0]);
    if all.len() <= 9 { all } else { within(&[1.0]) }
}

/// A vertical or horizontal rule from `a` to `b` (data coordinates), `width` pixels
/// wide: a filled rectangle, not a line, so that the SVG's polylines stay the data's
/// alone, and not a stroked rectangle of no width, which SVG viewers do not draw.
fn rule<DB, X, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    a: (f64, f64),
    b: (f64, f64),
    width: u32,
    colour: RGBColor,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let plot = chart.plotting_area();
    let (base_x, base_y) = plot.get_base_pixel();
    let (pa, pb) = (plot.map_coordinate(&a), plot.map_coordinate(&b));
    let (x0, x1) = (pa.0.min(pb.0) - base_x, pa.0.max(pb.0) - base_x);
    let (y0, y1) = (pa.1.min(pb.1) - base_y, pa.1.max(pb.1) - base_y);
    let (w, half) = (width.max(1) as i32, width.max(1) as i32 / 2);
    // Widen the thin side to the rule's width.
    let corners = if x1 - x0 < y1 - y0 {
        [(x0 - half, y0), (x0 - half + w, y1)]
    } else {
        [(x0, y0 - half), (x1, y0 - half + w)]
    };
    plot.strip_coord_spec()
        .draw(&Rectangle::new(corners, colour.filled()))
}

fn fill<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    panel: &Panel,
    (xr, yr): Ranges,
    k: Scaled,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    // Linear axes share their suffix (k, M) across labels; log axes span decades, so
    // each label has its own.
    let magnitude = |(lo, hi): (f64, f64), scale: Scale| match scale {
        Scale::Linear => lo.abs().max(hi.abs()),
        Scale::Log => 0.0,
    };
    let (mx, my) = (magnitude(xr, panel.x.scale), magnitude(yr, panel.y.scale));
    let fmt_x = move |v: &f64| tick_label_in(*v, mx);
    // A bar chart's rows are named: a tick at a whole row gets its category.
    let categories = panel.categories.clone();
    let fmt_y = move |v: &f64| {
        if categories.is_empty() {
            return tick_label_in(*v, my);
        }
        let row = v.round();
        if (v - row).abs() > 1e-6 || row < 0.0 || row as usize >= categories.len() {
            return String::new();
        }
        categories[categories.len() - 1 - row as usize].clone()
    };
    let y_labels = if panel.categories.is_empty() {
        7
    } else {
        panel.categories.len()
    };
    // As many x labels as fit: about one per 75 pixels of a narrow panel (plotters
    // then picks the roundest step that gives at most that many).
    let (plot_width, _) = chart.plotting_area().dim_in_pixel();
    let x_labels = (plot_width as usize / k.px(75).max(1) as usize).clamp(3, 8);
    let grid = RGBColor(225, 225, 225);
    chart
        .configure_mesh()
        .x_desc(panel.x.label.as_str())
        .y_desc(panel.y.label.as_str())
        .label_style(k.font(TICK_SIZE, FontStyle::Normal))
        .axis_desc_style(k.font(AXIS_SIZE, FontStyle::Normal))
        .axis_style(TRANSPARENT)
        .bold_line_style(grid.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .draw()?;
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        RGBColor(110, 110, 110).stroke_width(1),
    ))?;
    // Lever changes and paradigm shifts, behind the data. `yr` is the axis range the
    // chart was built on, so the line spans the panel.
    for &x in &panel.changes {
        rule(chart, (x, yr.0), (x, yr.1), k.px(4), rgb(CHANGE))?;
    }
    for &x in &panel.shifts {
        rule(chart, (x, yr.0), (x, yr.1), k.px(2), rgb(SHIFT))?;
    }
    for band in &panel.bands {
        for poly in band_segments(&band.points, panel.y.scale) {
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                rgb(band.colour).mix(0.18).filled(),
            )))?;
        }
    }
    // Design points: small translucent dots, under the lines that summarise them.
    for cloud in &panel.scatter {
        let c = rgb(cloud.colour).mix(0.35).filled();
        let r = k.pxi(4);
        chart.draw_series(
            cloud
                .points
                .iter()
                .filter(|&&(x, y)| drawable(x, y, panel.x.scale, panel.y.scale))
                .map(|&p| Circle::new(p, r, c)),
        )?;
    }
    // Bars, from 0 to the estimate, with their whiskers.
    let half = BAR_THICKNESS / 2.0;
    for bar in &panel.bars {
        let c = rgb(bar.colour);
        if bar.estimate.is_finite() {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, bar.row - half), (bar.estimate, bar.row + half)],
                c.mix(0.75).filled(),
            )))?;
        }
        if bar.low.is_finite() && bar.high.is_finite() && bar.high > bar.low {
            let (w, cap) = (k.px(2), half / 2.0);
            rule(chart, (bar.low, bar.row), (bar.high, bar.row), w, BLACK)?;
            for end in [bar.low, bar.high] {
                rule(chart, (end, bar.row - cap), (end, bar.row + cap), w, BLACK)?;
            }
        }
    }
    for line in &panel.lines {
        let c = rgb(line.colour);
        for seg in segments(&line.points, panel.x.scale, panel.y.scale) {
            if seg.len() == 1 {
                chart.draw_series(std::iter::once(Circle::new(seg[0], k.pxi(4), c.filled())))?;
            }
            chart.draw_series(LineSeries::new(seg, c.stroke_width(k.px(LINE_WIDTH))))?;
        }
    }
    // Whiskers of estimates.
    for set in &panel.intervals {
        for &(x, _, lo, hi) in &set.points {
            if drawable(x, lo, panel.x.scale, panel.y.scale)
                && drawable(x, hi, panel.x.scale, panel.y.scale)
            {
                rule(chart, (x, lo), (x, hi), k.px(3), rgb(set.colour))?;
            }
        }
    }
    // Markers over all the lines, so that no line hides another's.
    let area = chart.plotting_area();
    for line in &panel.lines {
        let n = line.points.len();
        for (i, &(x, y)) in line.points.iter().enumerate() {
            if line.colour.marks(i, n) && drawable(x, y, panel.x.scale, panel.y.scale) {
                draw_mark(area, (x, y), line.colour, k)?;
            }
        }
    }
    // Every estimate is marked, in its pen's marker (a black dot for a plain pen).
    for set in &panel.intervals {
        for &(x, y, _, _) in &set.points {
            if !drawable(x, y, panel.x.scale, panel.y.scale) {
                continue;
            }
            if set.colour.marker().is_some() {
                draw_mark(area, (x, y), set.colour, k)?;
            } else {
                area.draw(&Circle::new((x, y), k.pxi(MARK), rgb(set.colour).filled()))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::figure::{Axis, Band, Key, Line};

    fn figure() -> Figure {
        let mut fig = Figure::new("t", "A title");
        fig.subtitle = "A subtitle".into();
        fig.keys = vec![Key::line("one", Pen::plain((200, 0, 0)))];
        for _ in 0..3 {
            let mut p = Panel::new(
                "panel",
                Axis::period(),
                Axis::value("value (units)", &[0.0]),
            );
            p.lines.push(Line {
                colour: Pen::plain((200, 0, 0)),
                points: vec![
                    (1.0, 1.0),
                    (2.0, 2.0),
                    (3.0, f64::NAN),
                    (4.0, 1.0),
                    (5.0, 3.0),
                ],
            });
            p.bands.push(Band {
                colour: Pen::plain((0, 0, 200)),
                points: vec![(1.0, 0.5, 1.5), (2.0, 1.0, 3.0)],
            });
            fig.panels.push(p);
        }
        fig
    }

    #[test]
    fn only_data_lines_are_polylines_and_only_bands_polygons() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.svg");
        let fig = figure();
        write_svg(&fig, &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert_eq!(svg.matches("<polyline").count(), fig.polylines());
        assert_eq!(fig.polylines(), 6);
        assert_eq!(svg.matches("<polygon").count(), fig.polygons());
        let (w, h) = size(&fig);
        assert!(svg.starts_with(&format!("<svg width=\"{w}\" height=\"{h}\"")));
        for text in [
            "A title",
            "A subtitle",
            "one",
            "panel",
            "value (units)",
            "period (years)",
        ] {
            assert!(
                svg.contains(&format!(">\n{text}\n</text>")),
                "{text} is missing"
            );
        }
    }

    #[test]
    fn log_axes_tick_one_two_and_five_or_the_decades() {
        assert_eq!(
            log_ticks(1500.0, 21_000.0),
            vec![2000.0, 5000.0, 10_000.0, 20_000.0]
        );
        assert_eq!(log_ticks(0.9, 10.0), vec![1.0, 2.0, 5.0, 10.0]);
        // Four decades: twelve candidates, so the decades alone.
        assert_eq!(log_ticks(1.0, 9999.0), vec![1.0, 10.0, 100.0, 1000.0]);
        assert!(log_ticks(0.0, 10.0).is_empty());
    }

    #[test]
    fn png_text_is_drawn_with_the_embedded_font() {
        // `draw` expects the font registered, as the public renderers do first; alone
        // (the first test of the process to draw) it would find no font.
        ensure_font().unwrap();
        let fig = figure();
        let (w, h) = size(&fig);
        let draw_into = |fig: &Figure| {
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                draw(fig, &layout(fig), &root).unwrap();
                root.present().unwrap();
            }
            buf
        };
        let with = draw_into(&fig);
        let mut untitled = fig.clone();
        untitled.title = String::new();
        let without = draw_into(&untitled);
        // The title band (y 20 to 50) has dark pixels only when there is a title.
        let dark = |buf: &[u8]| {
            (20..50)
                .flat_map(|y| (0..w).map(move |x| ((y * w + x) * 3) as usize))
                .filter(|&i| buf[i] < 100 && buf[i + 1] < 100 && buf[i + 2] < 100)
                .count()
        };
        assert!(dark(&with) > 200, "{}", dark(&with));
        assert_eq!(dark(&without), 0);
    }
}
