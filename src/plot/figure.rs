//! What a chart shows, independent of how it is drawn: a figure of panels holding lines
//! and bands, with a title, a subtitle and a shared legend; and the pure helpers that
//! lay it out (axis ranges, tick labels, line segments, the legend's rows, the grid).

pub use super::palette::{BLACK, GREY, Pen};

/// The `i`-th pen of the palette (a colour and a marker), for sectors, scenarios,
/// design points and series.
pub fn colour(i: usize) -> Pen {
    super::palette::pen(i)
}

/// Stroke width of data lines, in pixels. Only data lines are drawn as SVG polylines
/// (axes and grid are plain lines and rectangles), so the polylines of a chart are its
/// data.
pub const LINE_WIDTH: u32 = 3;

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Base 10; only positive values are drawn.
    Log,
}

/// An axis: its label (with units), its scale, and values its range must include
/// (0 for counts and money, 0 and 1 for shares).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub label: String,
    pub scale: Scale,
    pub include: Vec<f64>,
    /// Whether to leave a margin beyond the data (not for the period axis).
    pub pad: bool,
}

impl Axis {
    /// The period axis.
    pub fn period() -> Axis {
        Axis {
            label: "period (years)".into(),
            scale: Scale::Linear,
            include: vec![],
            pad: false,
        }
    }

    /// A linear value axis that includes `include`, with a margin.
    pub fn value(label: impl Into<String>, include: &[f64]) -> Axis {
        Axis {
            label: label.into(),
            scale: Scale::Linear,
            include: include.to_vec(),
            pad: true,
        }
    }

    /// A logarithmic axis.
    pub fn log(label: impl Into<String>) -> Axis {
        Axis {
            label: label.into(),
            scale: Scale::Log,
            include: vec![],
            pad: false,
        }
    }

    /// The range of the axis over `values` (non-finite values, and non-positive ones
    /// on a log axis, are ignored). A log range runs from decade to decade.
    pub fn range(&self, values: impl IntoIterator<Item = f64>) -> (f64, f64) {
        match self.scale {
            Scale::Linear => linear_range(
                values.into_iter().chain(self.include.iter().copied()),
                self.pad,
            ),
            Scale::Log => log_range(values),
        }
    }
}

/// The range of finite values, widened when they are all equal, with a 4% margin on
/// each side when `pad`. `(0, 1)` when there are none.
pub fn linear_range(values: impl IntoIterator<Item = f64>, pad: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - half, hi + half);
    }
    if pad {
        let m = (hi - lo) * 0.04;
        (lo - m, hi + m)
    } else {
        (lo, hi)
    }
}

/// The range of the positive finite values on a log axis, with a margin of 4% of
/// their log span on each side, widened to the enclosing decades when no power of ten
/// would fall inside (so that the axis always has a labelled tick). `(1, 10)` when
/// there are none.
pub fn log_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (1.0, 10.0);
    }
    let (a, b) = (lo.log10(), hi.log10());
    let m = (b - a) * 0.04;
    let (a, b) = (a - m, b + m);
    if b.floor() < a.ceil() || b - a < 1e-9 {
        let a = a.floor();
        let b = b.ceil().max(a + 1.0);
        return (10f64.powf(a), 10f64.powf(b));
    }
    (10f64.powf(a), 10f64.powf(b))
}

/// A tick label: at most four significant digits, no trailing zeros, thousands as
/// `k` and millions as `M` (`12k`, `1.5M`), small magnitudes in plain decimals.
pub fn tick_label(v: f64) -> String {
    tick_label_in(v, v.abs())
}

/// A tick label on an axis whose values reach `magnitude`: the suffix (`k`, `M`, `G`)
/// is the axis's, so that its labels read alike (`0`, `5k`, `10k`, not `5000`, `10k`).
pub fn tick_label_in(v: f64, magnitude: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    if a < 1e-12 {
        return "0".into();
    }
    if a < 1e-3 && magnitude.abs() < 1e-3 {
        // Scientific: `1e-5`, `2.5e-5`.
        let text = format!("{v:.2e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let m = magnitude.abs().max(a);
    let (div, suffix) = if m >= 1e9 {
        (1e9, "G")
    } else if m >= 1e6 {
        (1e6, "M")
    } else if m >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let scaled = v / div;
    let digits = scaled.abs().log10().floor() as i32;
    let decimals = (3 - digits).clamp(0, 12) as usize;
    let mut s = format!("{scaled:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s + suffix
}

/// A count with thousands separated by commas: `723,161`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A data line: points in data coordinates; non-finite `y` values are gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The line's colour and marker.
    pub colour: Pen,
    pub points: Vec<(f64, f64)>,
}

/// A band between a lower and an upper line: `(x, low, high)`; non-finite bounds are
/// gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// The band's colour (its marker is its line's).
    pub colour: Pen,
    pub points: Vec<(f64, f64, f64)>,
}

/// Estimates with their 95% intervals, `(x, estimate, low, high)`: each drawn as the
/// pen's marker on a whisker from low to high.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    pub colour: Pen,
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// A cloud of points (a sweep's design points), drawn as small translucent dots so
/// that where they crowd reads darker.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    pub colour: Pen,
    pub points: Vec<(f64, f64)>,
}

/// A horizontal bar from 0 to `estimate` in the row of a category, with a whisker from
/// `low` to `high`. `row` is the category's index in [`Panel::categories`] plus an
/// offset (within ±0.5) that sets bars of one category side by side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub colour: Pen,
    pub row: f64,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// Thickness of a bar, in rows.
pub const BAR_THICKNESS: f64 = 0.36;

/// One chart area: a title, two axes, bands (drawn first), lines, points with
/// intervals, scattered points and bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub bands: Vec<Band>,
    pub lines: Vec<Line>,
    pub intervals: Vec<Intervals>,
    pub scatter: Vec<Scatter>,
    pub bars: Vec<Bar>,
    /// Names of the rows of a bar chart, the first at the top; the y axis then shows
    /// them instead of numbers.
    pub categories: Vec<String>,
    /// Periods at which a paradigm shift took effect (the first period of the new
    /// paradigm), drawn as vertical lines behind the data.
    pub shifts: Vec<f64>,
    /// Periods at which a scheduled lever change took effect, drawn as vertical lines
    /// behind the data (in another grey than paradigm shifts).
    pub changes: Vec<f64>,
    /// Whether the panel shares its value range with the figure's other such panels:
    /// panels meant to be compared with each other (the sectors' fiscal costs, a
    /// sweep's small multiples), rather than each read on its own.
    pub shared_y: bool,
}

impl Panel {
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Panel {
        Panel {
            title: title.into(),
            x,
            y,
            bands: vec![],
            lines: vec![],
            intervals: vec![],
            scatter: vec![],
            bars: vec![],
            categories: vec![],
            shifts: vec![],
            changes: vec![],
            shared_y: false,
        }
    }

    /// The x and y ranges of the panel's data. A bar chart's category axis runs from
    /// half a row below the last category to half a row above the first.
    pub fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let xs = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().filter(|p| p.1.is_finite()).map(|p| p.0))
            .chain(self.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0)))
            .chain(
                self.intervals
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.0)),
            )
            .chain(
                self.scatter
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.0)),
            )
            .chain(
                self.bars
                    .iter()
                    .flat_map(|b| [0.0, b.estimate, b.low, b.high]),
            );
        let ys = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(
                self.bands
                    .iter()
                    .flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])),
            )
            .chain(
                self.intervals
                    .iter()
                    .flat_map(|s| s.points.iter().flat_map(|p| [p.1, p.2, p.3])),
            )
            .chain(
                self.scatter
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.1)),
            );
        let y = if self.categories.is_empty() {
            self.y.range(ys)
        } else {
            (-0.5, self.categories.len() as f64 - 0.5)
        };
        (self.x.range(xs), y)
    }

    /// The y position of the `i`-th category: the first at the top.
    pub fn category_row(&self, i: usize) -> f64 {
        (self.categories.len() - 1 - i) as f64
    }

    /// The polylines the panel's lines are drawn as.
    pub fn polylines(&self) -> usize {
        self.lines
            .iter()
            .map(|l| segments(&l.points, self.x.scale, self.y.scale).len())
            .sum()
    }
}

/// An entry of the legend: how its series is drawn, in its colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub label: String,
    pub colour: Pen,
    pub style: KeyStyle,
}

/// How a legend entry's swatch is drawn: like the series it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStyle {
    /// A line with its pen's marker.
    Line,
    /// A band with a line (sweeps' means and bands).
    Band,
    /// A translucent dot (a scatter of design points).
    Dot,
    /// A filled bar (index charts).
    Bar,
}

impl Key {
    pub fn line(label: impl Into<String>, colour: Pen) -> Key {
        Key::styled(label, colour, KeyStyle::Line)
    }

    pub fn styled(label: impl Into<String>, colour: Pen, style: KeyStyle) -> Key {
        Key {
            label: label.into(),
            colour,
            style,
        }
    }
}

/// A figure: panels on a grid under a title, a subtitle and a shared legend, written
/// as `<stem>.svg` and `<stem>.png`.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub stem: String,
    pub title: String,
    pub subtitle: String,
    pub keys: Vec<Key>,
    pub panels: Vec<Panel>,
    /// Whether the title and subtitle are drawn (`--no-title` leaves them to a
    /// paper's caption; the manifest keeps the title either way).
    pub show_title: bool,
    /// Columns of the panel grid (default: from the number of panels).
    pub columns: Option<usize>,
    /// Height of one panel in pixels (default: from the grid).
    pub panel_height: Option<u32>,
    /// Width of one panel in pixels (default: 560, the figure at least 1000).
    pub panel_width: Option<u32>,
    /// The whole image's width and height in pixels at 96 dpi (`--width`,
    /// `--height`); by default from the grid.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The resolution (`--dpi`): every size is scaled by `dpi / 96`.
    pub dpi: f64,
}

impl Figure {
    pub fn new(stem: impl Into<String>, title: impl Into<String>) -> Figure {
        Figure {
            stem: stem.into(),
            title: title.into(),
            subtitle: String::new(),
            keys: vec![],
            panels: vec![],
            show_title: true,
            columns: None,
            panel_height: None,
            panel_width: None,
            width: None,
            height: None,
            dpi: super::render::BASE_DPI,
        }
    }

    /// Each panel's x and y ranges; the panels marked [`Panel::shared_y`] all get the
    /// union of their y ranges (computed on each panel's own axis, so that a log axis
    /// still runs from decade to decade).
    pub fn ranges(&self) -> Vec<((f64, f64), (f64, f64))> {
        let own: Vec<_> = self.panels.iter().map(Panel::ranges).collect();
        let shared = || own.iter().zip(&self.panels).filter(|(_, p)| p.shared_y);
        let lo = shared().map(|(r, _)| r.1.0).fold(f64::INFINITY, f64::min);
        let hi = shared()
            .map(|(r, _)| r.1.1)
            .fold(f64::NEG_INFINITY, f64::max);
        own.iter()
            .zip(&self.panels)
            .map(|(&(x, y), p)| if p.shared_y { (x, (lo, hi)) } else { (x, y) })
            .collect()
    }

    /// Columns and rows of the panel grid.
    pub fn grid(&self) -> (usize, usize) {
        let n = self.panels.len().max(1);
        // 3 panels (two sectors and the economy) go in a row: a 2 x 2 grid would leave
        // an empty cell.
        let columns = self.columns.unwrap_or(match n {
            1 => 1,
            2 | 4 => 2,
            3 | 5 | 6 | 9 => 3,
            _ => 4,
        });
        let columns = columns.clamp(1, n);
        (columns, n.div_ceil(columns))
    }

    /// Width of the figure and height of one panel, in pixels at 96 dpi, unless
    /// `width` and `height` ask for another size (see `render::drawn_panel_size`).
    pub fn panel_size(&self) -> (u32, u32) {
        let (columns, rows) = self.grid();
        let width = (columns as u32 * self.panel_width.unwrap_or(560)).max(1000);
        let height = self.panel_height.unwrap_or(match (columns, rows) {
            (1, 1) => 470,
            _ => 420,
        });
        (width, height)
    }

    /// The polylines the figure's data lines are drawn as.
    pub fn polylines(&self) -> usize {
        self.panels.iter().map(Panel::polylines).sum()
    }

    /// The polygons its bands are drawn as.
    pub fn polygons(&self) -> usize {
        self.panels
            .iter()
            .map(|p| {
                p.bands
                    .iter()
                    .map(|b| band_segments(&b.points, p.y.scale).len())
                    .sum::<usize>()
            })
            .sum()
    }
}

pub fn drawable(x: f64, y: f64, xs: Scale, ys: Scale) -> bool {
    let ok = |v: f64, s: Scale| v.is_finite() && (s == Scale::Linear || v > 0.0);
    ok(x, xs) && ok(y, ys)
}

/// The runs of drawable points of a line (gaps split it), each drawn as one polyline.
pub fn segments(points: &[(f64, f64)], xs: Scale, ys: Scale) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![];
    let mut run = vec![];
    for &(x, y) in points {
        if drawable(x, y, xs, ys) {
            run.push((x, y));
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// The runs of a band where both bounds are drawable, each drawn as one polygon:
/// along the upper bound, then back along the lower.
pub fn band_segments(points: &[(f64, f64, f64)], ys: Scale) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![];
    let mut run: Vec<(f64, f64, f64)> = vec![];
    let flush = |run: &mut Vec<(f64, f64, f64)>, out: &mut Vec<Vec<(f64, f64)>>| {
        if !run.is_empty() {
            let mut poly: Vec<(f64, f64)> = run.iter().map(|p| (p.0, p.2)).collect();
            poly.extend(run.iter().rev().map(|p| (p.0, p.1)));
            out.push(poly);
            run.clear();
        }
    };
    for &p in points {
        if drawable(p.0, p.1, Scale::Linear, ys) && drawable(p.0, p.2, Scale::Linear, ys) {
            run.push(p);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Lays the legend's entries out in rows no wider than `width`: for each row, the
/// entries' indices and x offsets. `measure` gives a label's width in pixels; an entry
/// is its swatch, a gap, its label and a trailing space.
pub fn legend_rows(
    labels: &[&str],
    width: u32,
    swatch: u32,
    gap: u32,
    measure: impl Fn(&str) -> u32,
) -> Vec<Vec<(usize, u32)>> {
    let mut rows: Vec<Vec<(usize, u32)>> = vec![];
    let mut x = 0;
    for (i, label) in labels.iter().enumerate() {
        let w = swatch + gap / 2 + measure(label) + gap;
        if rows.is_empty() || (x > 0 && x + w > width) {
            rows.push(vec![]);
            x = 0;
        }
        rows.last_mut().expect("a row was pushed").push((i, x));
        x += w;
    }
    rows
}

/// Shortens `text` to at most `max` characters, ending it with `…` if cut.
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Complementary cumulative distribution of positive values: for each kept value `x`
/// (largest first), the share of all values at least `x`. At most about `max_points`
/// points are kept, spaced evenly in log rank, always with the largest and the
/// smallest.
pub fn ccdf(values: &[f64], max_points: usize) -> Vec<(f64, f64)> {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    v.sort_by(|a, b| b.total_cmp(a));
    let n = v.len();
    if n == 0 {
        return vec![];
    }
    let ranks: Vec<usize> = if n <= max_points.max(2) {
        (1..=n).collect()
    } else {
        let m = max_points.max(2);
        let mut r: Vec<usize> = (0..m)
            .map(|i| {
                let t = i as f64 / (m - 1) as f64;
                ((n as f64).powf(t).round() as usize).clamp(1, n)
            })
            .collect();
        r.dedup();
        r
    };
    ranks
        .into_iter()
        .map(|r| (v[r - 1], r as f64 / n as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ranges_include_what_is_asked_and_pad() {
        assert_eq!(linear_range([1.0, 3.0], false), (1.0, 3.0));
        let (lo, hi) = linear_range([1.0, 3.0], true);
        assert!((lo - 0.92).abs() < 1e-12 && (hi - 3.08).abs() < 1e-12);
        assert_eq!(linear_range([f64::NAN], true), (0.0, 1.0));
        assert_eq!(linear_range([2.0, 2.0], false), (1.8, 2.2));
        assert_eq!(linear_range([0.0], false), (-1.0, 1.0));
        let share = Axis::value("share", &[0.0, 1.0]);
        let (lo, hi) = share.range([0.3, 0.5]);
        assert!(lo < 0.0 && hi > 1.0);
        let (lo, hi) = Axis::period().range([1.0, 10.0, f64::NAN]);
        assert_eq!((lo, hi), (1.0, 10.0));
    }

    #[test]
    fn log_ranges_are_padded_and_hold_a_power_of_ten() {
        let (lo, hi) = log_range([0.3, 45.0, -1.0, 0.0]);
        let m = (45f64 / 0.3).log10() * 0.04;
        assert!((lo.log10() - (0.3f64.log10() - m)).abs() < 1e-12);
        assert!((hi.log10() - (45f64.log10() + m)).abs() < 1e-12);
        // No power of ten inside: the enclosing decades.
        assert_eq!(log_range([2.0, 8.0]), (1.0, 10.0));
        assert_eq!(log_range([10.0]), (10.0, 100.0));
        assert_eq!(log_range([]), (1.0, 10.0));
    }

    #[test]
    fn marked_panels_share_their_value_range_and_grids_are_full() {
        let panel = |ys: &[f64], shared: bool| {
            let mut p = Panel::new("", Axis::period(), Axis::value("v", &[]));
            p.lines.push(Line {
                colour: BLACK,
                points: ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect(),
            });
            p.shared_y = shared;
            p
        };
        let mut fig = Figure::new("f", "t");
        fig.panels = vec![
            panel(&[0.0, 1.0], true),
            panel(&[5.0, 9.0], true),
            panel(&[100.0, 200.0], false),
        ];
        let r = fig.ranges();
        assert_eq!(r[0].1, r[1].1);
        assert!(r[0].1.0 < 0.0 && r[0].1.1 > 9.0);
        assert_eq!(r[2].1, fig.panels[2].ranges().1);
        // Three panels in a row: no empty cell.
        assert_eq!(fig.grid(), (3, 1));
        fig.panels.push(panel(&[1.0], false));
        assert_eq!(fig.grid(), (2, 2));
    }

    #[test]
    fn a_bar_chart_has_a_row_per_category_the_first_on_top() {
        let mut p = Panel::new("", Axis::value("index", &[0.0, 1.0]), Axis::value("", &[]));
        p.categories = vec!["a".into(), "b".into(), "c".into()];
        p.bars.push(Bar {
            colour: BLACK,
            row: p.category_row(0),
            estimate: 0.5,
            low: 0.2,
            high: 1.3,
        });
        assert_eq!(p.category_row(0), 2.0);
        assert_eq!(p.category_row(2), 0.0);
        let ((x0, x1), (y0, y1)) = p.ranges();
        assert!(x0 < 0.0 && x1 > 1.3);
        assert_eq!((y0, y1), (-0.5, 2.5));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(0.30000000000000004), "0.3");
        assert_eq!(tick_label(1.0), "1");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(1500.0), "1500");
        assert_eq!(tick_label(12_000.0), "12k");
        assert_eq!(tick_label(-12_500.0), "-12.5k");
        assert_eq!(tick_label(1_500_000.0), "1.5M");
        assert_eq!(tick_label(0.001), "0.001");
        assert_eq!(tick_label(0.000_01), "1e-5");
        assert_eq!(tick_label(10f64.powf(-6.0)), "1e-6");
        assert_eq!(tick_label(0.000_025), "2.5e-5");
        assert_eq!(tick_label_in(0.0005, 1.0), "0.0005");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(723_161), "723,161");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(tick_label(1e-13), "0");
        assert_eq!(tick_label_in(5000.0, 20_000.0), "5k");
        assert_eq!(tick_label_in(2500.0, 20_000.0), "2.5k");
        assert_eq!(tick_label_in(0.0, 20_000.0), "0");
        assert_eq!(tick_label_in(500_000.0, 2e6), "0.5M");
    }

    #[test]
    fn gaps_split_lines_and_bands() {
        let pts = [
            (1.0, 1.0),
            (2.0, f64::NAN),
            (3.0, 2.0),
            (4.0, 3.0),
            (5.0, 0.0),
        ];
        assert_eq!(segments(&pts, Scale::Linear, Scale::Linear).len(), 2);
        // Zero is a gap on a log axis.
        let s = segments(&pts, Scale::Linear, Scale::Log);
        assert_eq!(s, vec![vec![(1.0, 1.0)], vec![(3.0, 2.0), (4.0, 3.0)]]);
        assert!(segments(&[], Scale::Linear, Scale::Linear).is_empty());

        let band = [
            (1.0, 0.0, 1.0),
            (2.0, 0.5, 2.0),
            (3.0, f64::NAN, f64::NAN),
            (4.0, 1.0, 1.0),
        ];
        let polys = band_segments(&band, Scale::Linear);
        assert_eq!(polys.len(), 2);
        assert_eq!(
            polys[0],
            vec![(1.0, 1.0), (2.0, 2.0), (2.0, 0.5), (1.0, 0.0)]
        );
    }

    #[test]
    fn a_figure_counts_its_polylines_and_picks_a_grid() {
        let mut f = Figure::new("x", "X");
        for _ in 0..4 {
            let mut p = Panel::new("p", Axis::period(), Axis::value("v", &[0.0]));
            p.lines.push(Line {
                colour: BLACK,
                points: vec![(1.0, 1.0), (2.0, f64::NAN), (3.0, 1.0)],
            });
            p.bands.push(Band {
                colour: BLACK,
                points: vec![(1.0, 0.0, 1.0), (2.0, 0.0, 1.0)],
            });
            f.panels.push(p);
        }
        assert_eq!(f.polylines(), 8);
        assert_eq!(f.polygons(), 4);
        assert_eq!(f.grid(), (2, 2));
        f.panels.pop();
        // Three panels in a row, not a 2 x 2 grid with an empty cell.
        assert_eq!(f.grid(), (3, 1));
        f.columns = Some(1);
        assert_eq!(f.grid(), (1, 3));
        let (w, h) = f.panel_size();
        assert!(w >= 1000 && h >= 300);
    }

    #[test]
    fn legend_entries_wrap_into_rows() {
        let labels = ["aaaa", "bb", "cccccc", "d"];
        let rows = legend_rows(&labels, 60, 10, 4, |s| 5 * s.len() as u32);
        // Widths: 10 + 2 + 20 + 4 = 36, 26, 46, 21.
        assert_eq!(
            rows,
            vec![vec![(0, 0)], vec![(1, 0)], vec![(2, 0)], vec![(3, 0)]]
        );
        let rows = legend_rows(&labels, 100, 10, 4, |s| 5 * s.len() as u32);
        assert_eq!(rows, vec![vec![(0, 0), (1, 36)], vec![(2, 0), (3, 46)]]);
        // An entry wider than the row still gets a row of its own.
        let rows = legend_rows(&["x"], 1, 10, 4, |_| 50);
        assert_eq!(rows, vec![vec![(0, 0)]]);
    }

    #[test]
    fn long_labels_are_ellipsized() {
        assert_eq!(ellipsize("abc", 3), "abc");
        assert_eq!(ellipsize("abcdef", 4), "abc…");
    }

    #[test]
    fn the_ccdf_is_the_share_at_least_as_large() {
        let c = ccdf(&[1.0, 4.0, 2.0, 0.0, 3.0], 100);
        assert_eq!(c, vec![(4.0, 0.25), (3.0, 0.5), (2.0, 0.75), (1.0, 1.0)]);
        assert!(ccdf(&[0.0, -1.0, f64::NAN], 10).is_empty());
        let many: Vec<f64> = (1..=100_000).map(f64::from).collect();
        let c = ccdf(&many, 200);
        assert!(c.len() <= 200 && c.len() > 100, "{}", c.len());
        assert_eq!(c[0], (100_000.0, 1e-5));
        assert_eq!(*c.last().unwrap(), (1.0, 1.0));
        assert!(c.windows(2).all(|w| w[0].0 >= w[1].0 && w[0].1 < w[1].1));
    }
}
