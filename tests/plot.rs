//! End-to-end tests of the charts: `catchup run --plot`, `catchup plot` (runs and
//! sweeps) and `catchup compare`, through the binary. The SVG files are read as text:
//! titles, axis labels and legend entries must be there, and every drawn series must
//! be one `<polyline>` (bands one `<polygon>`) per unbroken stretch of defined values.
//! PNG files must be PNG, of the size the SVG states.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{catchup, entries};

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// An SVG chart read as text.
struct Svg {
    path: PathBuf,
    text: String,
}

impl Svg {
    fn read(path: &Path) -> Svg {
        Svg {
            path: path.to_path_buf(),
            text: read(path),
        }
    }

    /// The width and height the SVG states.
    fn size(&self) -> (u32, u32) {
        let attr = |name: &str| -> u32 {
            let start = self
                .text
                .find(&format!("{name}=\""))
                .expect("a size attribute")
                + name.len()
                + 2;
            let end = start + self.text[start..].find('"').unwrap();
            self.text[start..end].parse().unwrap()
        };
        assert!(self.text.starts_with("<svg "), "{}", self.path.display());
        (attr("width"), attr("height"))
    }

    /// The contents of its `<text>` elements, unescaped.
    fn texts(&self) -> Vec<String> {
        self.text
            .split("<text ")
            .skip(1)
            .map(|t| {
                let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
                body.trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .collect()
    }

    /// Asserts that every one of `wanted` is the whole text of some `<text>` element.
    #[track_caller]
    fn has_texts(&self, wanted: &[&str]) {
        let texts = self.texts();
        for w in wanted {
            assert!(
                texts.iter().any(|t| t == w),
                "{} has no text {w:?}; it has {texts:?}",
                self.path.display()
            );
        }
    }

    /// Asserts that some `<text>` element starts with `prefix`.
    #[track_caller]
    fn has_text_starting(&self, prefix: &str) {
        let texts = self.texts();
        assert!(
            texts.iter().any(|t| t.starts_with(prefix)),
            "{} has no text starting {prefix:?}; it has {texts:?}",
            self.path.display()
        );
    }

    fn count(&self, element: &str) -> usize {
        self.text.matches(&format!("<{element} ")).count()
    }
}

/// Checks that `stem.png` is a PNG of the size `stem.svg` states, at least 1000 x 500
/// (a single row of panels, 420 pixels high, under its title and legend).
#[track_caller]
fn check_png(dir: &Path, stem: &str) {
    let (w, h) = png_of_svg(dir, stem);
    assert!(
        w >= 1000 && h >= 500,
        "{stem}: {w} x {h} is too small to read"
    );
}

/// Checks that the PNG is a PNG of the size its SVG states; returns the size.
fn png_of_svg(dir: &Path, stem: &str) -> (u32, u32) {
    let svg = Svg::read(&dir.join(format!("{stem}.svg")));
    let png = fs::read(dir.join(format!("{stem}.png"))).unwrap();
    assert!(png.len() > 1000, "{stem}.png is too small to hold a chart");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png is not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), svg.size(), "{stem}: PNG and SVG sizes differ");
    (w, h)
}

/// A CSV file read whole, by column name.
struct Csv {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn read(path: &Path) -> Csv {
        let mut r = csv::Reader::from_path(path).unwrap();
        let headers = r.headers().unwrap().iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        Csv { headers, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// Values of `column` in the rows where `key` is `value`, in file order.
    fn values(&self, key: &str, value: &str, column: &str) -> Vec<Option<f64>> {
        let (k, c) = (self.col(key), self.col(column));
        self.rows
            .iter()
            .filter(|r| r[k] == value)
            .map(|r| r[c].parse::<f64>().ok())
            .collect()
    }

    /// Distinct values of a column in order of first appearance.
    fn distinct(&self, column: &str) -> Vec<String> {
        let c = self.col(column);
        let mut out: Vec<String> = vec![];
        for r in &self.rows {
            if !out.contains(&r[c]) {
                out.push(r[c].clone());
            }
        }
        out
    }
}

/// Unbroken stretches of defined values: the polylines a series is drawn as.
fn stretches(values: &[Option<f64>]) -> usize {
    let mut n = 0;
    let mut inside = false;
    for v in values {
        let defined = v.is_some_and(f64::is_finite);
        if defined && !inside {
            n += 1;
        }
        inside = defined;
    }
    n
}

/// The same on a log axis: only positive values are drawn.
fn positive_stretches(values: &[Option<f64>]) -> usize {
    let v: Vec<Option<f64>> = values.iter().map(|v| v.filter(|x| *x > 0.0)).collect();
    stretches(&v)
}

/// Element-wise ratio, undefined where either is or the denominator is not positive.
fn ratio(a: &[Option<f64>], b: &[Option<f64>]) -> Vec<Option<f64>> {
    a.iter()
        .zip(b)
        .map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if *b > 0.0 => Some(a / b),
            _ => None,
        })
        .collect()
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
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

const RUN_CHARTS: &[&str] = &[
    "capacity-utilisation",
    "productivity-gap",
    "innovation",
    "ownership-imports",
    "fiscal-cost",
    "firm-sizes",
];

fn chart_files(stems: &[&str]) -> BTreeSet<String> {
    let mut files: BTreeSet<String> = stems
        .iter()
        .flat_map(|s| [format!("{s}.svg"), format!("{s}.png")])
        .collect();
    files.insert("manifest.json".into());
    files.insert(".catchup-result".into());
    files
}

/// Checks the six charts of a run of the baseline (three sectors) in `plots`,
/// against the run's own series.csv and firms.csv.
fn check_run_charts(run: &Path, plots: &Path) {
    assert_eq!(entries(plots), chart_files(RUN_CHARTS));
    for stem in RUN_CHARTS {
        check_png(plots, stem);
    }
    let series = Csv::read(&run.join("series.csv"));
    let sectors = ["catch-up", "parallel", "leading"];
    assert_eq!(
        series.distinct("sector"),
        ["catch-up", "parallel", "leading", "all"]
    );
    let panels = ["catch-up", "parallel", "leading", "all"];
    let v = |sector: &str, column: &str| series.values("sector", sector, column);

    // 1. Capacity (log) of each sector; utilisation of each sector and the economy.
    let svg = Svg::read(&plots.join("capacity-utilisation.svg"));
    svg.has_text_starting("Capacity and utilisation — baseline");
    svg.has_texts(&[
        "catch-up",
        "parallel",
        "leading",
        "whole economy (utilisation)",
        "period (years)",
        "capacity (output per year), log",
        "utilisation (0–1)",
    ]);
    let expected: usize = sectors
        .iter()
        .map(|s| positive_stretches(&v(s, "capacity")) + stretches(&v(s, "utilization")))
        .sum::<usize>()
        + stretches(&v("all", "utilization"));
    assert!(expected >= 7);
    assert_eq!(svg.count("polyline"), expected, "capacity-utilisation");
    assert_eq!(svg.count("polygon"), 0);

    // 2. Productivity against the frontier: frontier, gap, private, SOE per panel.
    let svg = Svg::read(&plots.join("productivity-gap.svg"));
    svg.has_text_starting("Productivity against the frontier, by ownership");
    svg.has_texts(&[
        "private firms",
        "SOEs",
        "all firms (gap)",
        "frontier (= 1)",
        "productivity / frontier",
        "catch-up",
        "parallel",
        "leading",
        "whole economy",
    ]);
    let expected: usize = panels
        .iter()
        .map(|s| {
            let gap = v(s, "gap");
            let frontier = v(s, "frontier");
            (if gap.is_empty() { 0 } else { 1 })
                + stretches(&gap)
                + stretches(&ratio(&v(s, "productivity_private"), &frontier))
                + stretches(&ratio(&v(s, "productivity_soe"), &frontier))
        })
        .sum();
    assert_eq!(svg.count("polyline"), expected, "productivity-gap");

    // 3.-5. Per-sector panels of several columns each.
    for (stem, title, axis, legend, columns) in [
        (
            "innovation",
            "Innovations, absorptions and transfers",
            "firms per year",
            &["innovations", "absorptions", "transfers"][..],
            &["innovations", "absorptions", "transfers"][..],
        ),
        (
            "ownership-imports",
            "SOE shares and import share",
            "share (0–1)",
            &[
                "SOE share of output",
                "SOE share of capacity",
                "import share of demand",
            ][..],
            &["soe_output_share", "soe_capacity_share", "import_share"][..],
        ),
        (
            "fiscal-cost",
            "Fiscal cost",
            "money per year, wage-deflated",
            &[
                "subsidies (R&D and production)",
                "bailouts",
                "research institutes",
                "tariff revenue",
                "fiscal cost",
            ][..],
            &[
                "subsidy_spending",
                "bailout_spending",
                "institute_spending",
                "tariff_revenue",
                "fiscal_cost",
            ][..],
        ),
    ] {
        let svg = Svg::read(&plots.join(format!("{stem}.svg")));
        svg.has_text_starting(&format!("{title} — baseline"));
        svg.has_texts(legend);
        svg.has_texts(&[axis, "period (years)", "catch-up", "whole economy"]);
        let expected: usize = panels
            .iter()
            .flat_map(|s| columns.iter().map(move |c| (s, c)))
            .map(|(s, c)| stretches(&v(s, c)))
            .sum();
        assert!(expected >= panels.len() * columns.len() / 2, "{stem}");
        assert_eq!(svg.count("polyline"), expected, "{stem}");
    }

    // 6. Firm sizes at the last period: one line per sector, labelled with its firms.
    let firms = Csv::read(&run.join("firms.csv"));
    let last = firms.distinct("period").last().cloned().unwrap();
    let svg = Svg::read(&plots.join("firm-sizes.svg"));
    svg.has_text_starting(&format!("Firm size distribution in period {last}"));
    svg.has_texts(&[
        "firm capacity x (output per year, log scale)",
        "share of firms with capacity ≥ x",
    ]);
    for s in sectors {
        let n = firms
            .rows
            .iter()
            .filter(|r| r[firms.col("period")] == last && r[firms.col("sector")] == s)
            .filter(|r| r[firms.col("capacity")].parse::<f64>().unwrap() > 0.0)
            .count();
        assert!(n > 0);
        svg.has_texts(&[&format!("{s} ({} firms)", thousands(n))]);
    }
    assert_eq!(svg.count("polyline"), sectors.len());

    let manifest: serde_json::Value =
        serde_json::from_str(&read(&plots.join("manifest.json"))).unwrap();
    assert_eq!(manifest["kind"], "run");
    assert_eq!(
        manifest["charts"].as_array().unwrap().len(),
        RUN_CHARTS.len()
    );
}

#[test]
fn run_with_plot_draws_the_six_charts_into_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = catchup(
        dir.path(),
        [
            "run",
            "baseline",
            "--periods",
            "10",
            "--out",
            "run",
            "--plot",
        ],
    )
    .ok();
    assert!(out.stdout.contains("run/plots: 6 charts"), "{}", out.stdout);
    let run = dir.path().join("run");
    assert_eq!(
        entries(&run),
        [
            ".catchup-result",
            "codebook.json",
            "firms.csv",
            "manifest.json",
            "plots",
            "scenario.toml",
            "series.csv"
        ]
        .map(String::from)
        .into()
    );
    check_run_charts(&run, &run.join("plots"));
    // Nothing else was left behind.
    assert_eq!(entries(dir.path()), ["run".to_string()].into());
}

/// A paradigm shift is marked where the run's `paradigm` column goes up, in every
/// chart over periods (and the legend says so); a run without one has no marker.
#[test]
fn paradigm_shifts_are_marked_in_the_run_charts() {
    let dir = tempfile::tempdir().unwrap();
    for (name, periods) in [("window-of-opportunity", "25"), ("catch-up", "10")] {
        catchup(
            dir.path(),
            ["run", name, "--periods", periods, "--out", name, "--plot"],
        )
        .ok();
        let series = Csv::read(&dir.path().join(name).join("series.csv"));
        let sectors = series.distinct("sector");
        let shifted = sectors.iter().filter(|s| *s != "all").any(|s| {
            let p = series.values("sector", s, "paradigm");
            p.windows(2).any(|w| w[1] > w[0])
        });
        assert_eq!(shifted, name == "window-of-opportunity", "{name}");
        let plots = dir.path().join(name).join("plots");
        for stem in ["capacity-utilisation", "productivity-gap", "innovation"] {
            let svg = Svg::read(&plots.join(format!("{stem}.svg")));
            let keyed = svg.texts().iter().any(|t| t == "paradigm shift");
            assert_eq!(keyed, shifted, "{name} {stem}");
        }
    }
}

#[test]
fn plot_draws_a_run_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    catchup(dir.path(), ["run", "--periods", "10", "--out", "r", "-q"]).ok();
    let run = dir.path().join("r");
    catchup(dir.path(), ["plot", "r"]).ok();
    check_run_charts(&run, &run.join("plots"));
    let before = fs::read(run.join("plots/innovation.svg")).unwrap();

    catchup(dir.path(), ["plot", "r"]).refused(&["already exists", "--force"]);
    catchup(dir.path(), ["plot", "r", "--force", "-q"]).ok();
    assert_eq!(fs::read(run.join("plots/innovation.svg")).unwrap(), before);
    // Elsewhere, with --out.
    catchup(dir.path(), ["plot", "r", "--out", "charts", "-q"]).ok();
    check_run_charts(&run, &dir.path().join("charts"));
    assert_eq!(entries(&run).len(), 7, "{:?}", entries(&run));
}

/// `--no-title` leaves the title and subtitle out of the images (and their room),
/// keeps everything else, and the manifest still names each chart.
#[test]
fn no_title_leaves_the_titles_to_the_caption() {
    let dir = tempfile::tempdir().unwrap();
    catchup(dir.path(), ["run", "--periods", "10", "--out", "r", "-q"]).ok();
    catchup(dir.path(), ["plot", "r", "--out", "titled", "-q"]).ok();
    catchup(
        dir.path(),
        ["plot", "r", "--out", "bare", "--no-title", "-q"],
    )
    .ok();
    for stem in RUN_CHARTS {
        let titled = Svg::read(&dir.path().join(format!("titled/{stem}.svg")));
        let bare = Svg::read(&dir.path().join(format!("bare/{stem}.svg")));
        let title = titled.texts()[0].clone();
        assert!(title.contains(" — baseline"), "{stem}: {title}");
        assert!(!bare.texts().contains(&title), "{stem}: the title is drawn");
        assert_eq!(titled.size().0, bare.size().0, "{stem}");
        assert!(bare.size().1 < titled.size().1, "{stem}: no room saved");
        assert_eq!(titled.count("polyline"), bare.count("polyline"), "{stem}");
        png_of_svg(&dir.path().join("bare"), stem);
    }
    let manifest = read(&dir.path().join("bare/manifest.json"));
    assert!(
        manifest.contains("Capacity and utilisation — baseline"),
        "{manifest}"
    );
}

#[test]
fn a_run_without_plot_has_no_charts() {
    let dir = tempfile::tempdir().unwrap();
    catchup(dir.path(), ["run", "--periods", "3", "--out", "r", "-q"]).ok();
    assert!(!dir.path().join("r/plots").exists());
}

const SWEEP: &str = r#"version = 1
name = "tiny"
base = "soe-protection"
replicates = 3
seed = 5
set = { periods = 8 }

[design]
kind = "grid"

[[design.factor]]
key = "policy.rd_subsidy"
values = [0.0, 0.2, 0.4]

[[metric]]
name = "gap_final"
series = "gap"
stat = "final"

[output]
bands = ["gap", "capacity", "soe_capacity_share"]
"#;

#[test]
fn plot_draws_a_small_sweep_as_bands_one_colour_per_point() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("tiny.toml"), SWEEP).unwrap();
    catchup(dir.path(), ["sweep", "tiny.toml", "--out", "sw", "-q"]).ok();
    catchup(dir.path(), ["plot", "sw", "-q"]).ok();
    let plots = dir.path().join("sw/plots");
    let stems = ["gap", "capacity", "soe_capacity_share"];
    assert_eq!(
        entries(&plots),
        chart_files(&[
            "gap_final-by-policy_rd_subsidy",
            "gap",
            "capacity",
            "soe_capacity_share"
        ])
    );
    let bands = Csv::read(&dir.path().join("sw/bands.csv"));
    let points = Csv::read(&dir.path().join("sw/points.csv"));
    let sectors = bands.distinct("sector");
    assert_eq!(sectors, ["moderate", "heavy", "all"]);
    // Legends give values rounded (0.0 reads 0).
    let labels: Vec<String> = points
        .rows
        .iter()
        .map(|r| {
            let v: f64 = r[points.col("policy_rd_subsidy")].parse().unwrap();
            format!("point {}: policy.rd_subsidy={v}", r[0])
        })
        .collect();
    assert_eq!(labels[0], "point 0: policy.rd_subsidy=0");
    assert_eq!(labels.len(), 3);
    for stem in stems {
        check_png(&plots, stem);
        let svg = Svg::read(&plots.join(format!("{stem}.svg")));
        svg.has_text_starting(
            "Mean across replicates (line) and its 5–95% band (shaded), 3 replicates",
        );
        let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        svg.has_texts(&label_refs);
        svg.has_texts(&["moderate", "heavy", "whole economy", "period (years)"]);
        // One line and one band per point and sector, broken where undefined.
        let (mut lines, mut polys) = (0, 0);
        for s in &sectors {
            for p in ["0", "1", "2"] {
                let rows: Vec<&Vec<String>> = bands
                    .rows
                    .iter()
                    .filter(|r| r[0] == *p && r[1] == *s && r[2] == stem)
                    .collect();
                assert_eq!(rows.len(), 8);
                let col = |name: &str| -> Vec<Option<f64>> {
                    rows.iter()
                        .map(|r| r[bands.col(name)].parse().ok())
                        .collect()
                };
                lines += stretches(&col("mean"));
                let both: Vec<Option<f64>> = col("p05")
                    .iter()
                    .zip(col("p95"))
                    .map(|(a, b)| a.and(b))
                    .collect();
                polys += stretches(&both);
            }
        }
        assert!(
            lines >= 9 && polys >= 9,
            "{stem}: {lines} lines, {polys} bands"
        );
        assert_eq!(svg.count("polyline"), lines, "{stem}");
        assert_eq!(svg.count("polygon"), polys, "{stem}");
    }
    let gap = Svg::read(&plots.join("gap.svg"));
    gap.has_texts(&["productivity / frontier"]);
    gap.has_text_starting("Productivity gap (mean productivity / frontier) — sweep tiny");

    // Band charts only for designs of at most --max-points points: with 2, none.
    catchup(
        dir.path(),
        ["plot", "sw", "--max-points", "2", "--out", "two", "-q"],
    )
    .ok();
    let two = entries(&dir.path().join("two"));
    assert!(!two.contains("gap.svg"), "{two:?}");
    assert!(
        two.contains("gap_final-by-policy_rd_subsidy.svg"),
        "{two:?}"
    );
}

const COMPARED: &[&str] = &[
    "gap",
    "productivity_mean",
    "capacity",
    "utilization",
    "soe_capacity_share",
    "import_share",
    "fiscal_cost",
    "innovations",
];

#[test]
fn compare_runs_two_builtins_and_names_both_in_every_legend() {
    let dir = tempfile::tempdir().unwrap();
    let out = catchup(
        dir.path(),
        ["compare", "baseline", "soe-protection", "--periods", "10"],
    )
    .ok();
    let cmp = dir.path().join("output/compare-baseline-vs-soe-protection");
    assert!(
        out.stdout
            .contains("compare-baseline-vs-soe-protection: 8 charts"),
        "{}",
        out.stdout
    );
    assert_eq!(entries(&cmp), chart_files(COMPARED));
    for stem in COMPARED {
        check_png(&cmp, stem);
        let svg = Svg::read(&cmp.join(format!("{stem}.svg")));
        svg.has_texts(&[
            "baseline",
            "soe-protection",
            "whole economy",
            "period (years)",
        ]);
        svg.has_text_starting("Comparing baseline, soe-protection; their sectors differ");
        // The sectors differ: one panel, a line per scenario.
        assert_eq!(svg.count("polyline"), 2, "{stem}");
    }
    Svg::read(&cmp.join("soe_capacity_share.svg"))
        .has_texts(&["SOE share of capacity", "SOE share (0–1)"]);
    Svg::read(&cmp.join("fiscal_cost.svg")).has_texts(&["money per year, wage-deflated"]);
    // Capacity on a log scale, as in a run's charts.
    Svg::read(&cmp.join("capacity.svg")).has_texts(&["capacity (output per year), log"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&cmp.join("manifest.json"))).unwrap();
    assert_eq!(manifest["kind"], "compare");
    assert_eq!(
        manifest["sources"][1],
        "soe-protection: built-in scenario `soe-protection`, seed 42, 10 periods"
    );
    // Nothing but the result in output/.
    assert_eq!(
        entries(&dir.path().join("output")),
        ["compare-baseline-vs-soe-protection".to_string()].into()
    );

    catchup(
        dir.path(),
        ["compare", "baseline", "soe-protection", "--periods", "10"],
    )
    .refused(&["already exists", "--force"]);
    catchup(
        dir.path(),
        [
            "compare",
            "baseline",
            "soe-protection",
            "--periods",
            "10",
            "--force",
            "-q",
        ],
    )
    .ok();
}

#[test]
fn compare_overlays_sectors_when_every_input_has_the_same() {
    let dir = tempfile::tempdir().unwrap();
    catchup(
        dir.path(),
        ["run", "baseline", "--periods", "10", "--out", "first", "-q"],
    )
    .ok();
    catchup(
        dir.path(),
        [
            "compare",
            "first",
            "baseline",
            "--periods",
            "10",
            "--seed",
            "3",
            "--out",
            "cmp",
            "-q",
        ],
    )
    .ok();
    let cmp = dir.path().join("cmp");
    assert_eq!(entries(&cmp), chart_files(COMPARED));
    let a = Csv::read(&dir.path().join("first/series.csv"));
    for stem in ["capacity", "innovations", "fiscal_cost"] {
        let svg = Svg::read(&cmp.join(format!("{stem}.svg")));
        svg.has_texts(&[
            "first",
            "baseline",
            "whole economy",
            "catch-up",
            "parallel",
            "leading",
        ]);
        svg.has_text_starting("Comparing first, baseline.");
        // Four panels (the economy and three sectors), a line per input.
        assert_eq!(svg.count("polyline"), 8, "{stem}");
    }
    // The first input's gap, panel by panel, broken where undefined.
    let svg = Svg::read(&cmp.join("gap.svg"));
    let first: usize = ["all", "catch-up", "parallel", "leading"]
        .iter()
        .map(|s| stretches(&a.values("sector", s, "gap")))
        .sum();
    assert!(svg.count("polyline") >= first + 4);

    // The same scenario twice is told apart.
    catchup(
        dir.path(),
        [
            "compare",
            "baseline",
            "baseline",
            "--periods",
            "5",
            "--out",
            "twice",
            "-q",
        ],
    )
    .ok();
    Svg::read(&dir.path().join("twice/gap.svg")).has_texts(&["baseline", "baseline (2)"]);
}

#[test]
fn bad_input_is_refused_with_exit_code_2_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    catchup(d, ["plot", "missing"]).refused(&["missing: no such directory"]);
    fs::create_dir(d.join("empty")).unwrap();
    catchup(d, ["plot", "empty"]).refused(&[
        "empty is neither a run result (it has no series.csv) nor a sweep result (it has no bands.csv)",
    ]);
    assert_eq!(entries(&d.join("empty")).len(), 0);

    // A run whose firms.csv is gone, or whose series.csv is damaged.
    catchup(d, ["run", "--periods", "3", "--out", "r", "-q"]).ok();
    fs::remove_file(d.join("r/firms.csv")).unwrap();
    catchup(d, ["plot", "r"]).refused(&["firms.csv: no such file"]);
    // Without its scenario a run's money cannot be deflated; a damaged one is located.
    catchup(d, ["run", "--periods", "3", "--out", "r3", "-q"]).ok();
    fs::remove_file(d.join("r3/scenario.toml")).unwrap();
    catchup(d, ["plot", "r3"]).refused(&["scenario.toml: no such file"]);
    fs::write(
        d.join("r3/scenario.toml"),
        "version = 2\nperiods = \"many\"\n",
    )
    .unwrap();
    catchup(d, ["plot", "r3"]).refused(&["scenario.toml:2:", "periods"]);
    assert!(!d.join("r3/plots").exists());
    catchup(d, ["run", "--periods", "3", "--out", "r2", "-q"]).ok();
    // The first row's capacity (the fifth column) is no number.
    let series = read(&d.join("r2/series.csv"));
    let mut lines: Vec<String> = series.lines().map(String::from).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(lines[0].split(',').nth(4), Some("capacity"));
    cells[4] = "zero";
    lines[1] = cells.join(",");
    fs::write(d.join("r2/series.csv"), lines.join("\n") + "\n").unwrap();
    catchup(d, ["plot", "r2"])
        .refused(&["series.csv:2: column `capacity`: `zero` is not a number"]);
    assert!(!d.join("r/plots").exists() && !d.join("r2/plots").exists());
    assert!(
        !entries(&d.join("r2"))
            .iter()
            .any(|e| e.starts_with('.') && e != ".catchup-result"),
        "a refused plot left a temporary folder"
    );

    // Compare: one input, an unknown scenario, a directory that is no run.
    catchup(d, ["compare", "baseline"]).refused(&[]);
    catchup(d, ["compare", "baseline", "no-such-scenario"])
        .refused(&["neither a file nor a built-in scenario"]);
    catchup(d, ["compare", "baseline", "empty"]).refused(&["neither a run result"]);
    catchup(
        d,
        [
            "compare",
            "baseline",
            "soe-protection",
            "--set",
            "policy.tarif=0.3",
        ],
    )
    .refused(&["did you mean `tariff`?"]);
    fs::write(d.join("tiny.toml"), SWEEP).unwrap();
    catchup(d, ["sweep", "tiny.toml", "--out", "sw", "-q"]).ok();
    catchup(d, ["compare", "sw", "baseline", "--out", "x"]).refused(&["sw is a sweep result"]);
    assert!(!d.join("output").exists() && !d.join("x").exists());
}

/// A sweep of `design` over the baseline with the metric `gap_final`, run in `dir`.
fn run_sweep(dir: &Path, name: &str, replicates: u32, design: &str) -> PathBuf {
    let text = format!(
        "version = 1\nname = \"{name}\"\nbase = \"baseline\"\nreplicates = {replicates}\n\
         seed = 5\nset = {{ periods = 6 }}\n\n{design}\n\n[[metric]]\nname = \"gap_final\"\n\
         series = \"gap\"\nstat = \"final\"\n\n[[metric]]\nname = \"overcapacity\"\n\
         series = \"overcapacity\"\nstat = \"mean\"\n"
    );
    fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    catchup(dir, ["sweep", &format!("{name}.toml"), "--out", name, "-q"]).ok();
    dir.join(name)
}

const THREE_FACTORS: &str = r#"[[design.factor]]
key = "policy.tariff"
min = 0.0
max = 0.6

[[design.factor]]
key = "policy.rd_subsidy"
min = 0.0
max = 1.0

[[design.factor]]
key = "policy.tolerance"
min = 1
max = 20
integer = true
"#;

/// A grid: each metric against each factor, a panel per level of the other factor
/// (one value scale), the mean and its interval at each level; no band charts for 9
/// points; `analysis/point_means.csv` carries the factor values.
#[test]
fn plot_draws_each_metric_against_each_factor_of_a_grid() {
    let dir = tempfile::tempdir().unwrap();
    let grid = "[design]\nkind = \"grid\"\n\n[[design.factor]]\nkey = \"policy.tariff\"\n\
                values = [0.0, 0.2, 0.5]\n\n[[design.factor]]\nkey = \"policy.tolerance\"\n\
                values = [1, 3, 8]\n";
    let sw = run_sweep(dir.path(), "grid", 3, grid);
    catchup(dir.path(), ["plot", "grid", "-q"]).ok();
    let plots = sw.join("plots");
    let stems = [
        "gap_final-by-policy_tariff",
        "gap_final-by-policy_tolerance",
        "overcapacity-by-policy_tariff",
        "overcapacity-by-policy_tolerance",
    ];
    assert_eq!(entries(&plots), chart_files(&stems));
    for stem in stems {
        check_png(&plots, stem);
    }
    let svg = Svg::read(&plots.join("gap_final-by-policy_tariff.svg"));
    svg.has_text_starting("gap_final against policy.tariff — sweep grid");
    svg.has_texts(&[
        "tolerance = 1",
        "tolerance = 3",
        "tolerance = 8",
        "policy.tariff (share of the import price)",
        "gap_final: productivity / frontier",
        "mean over replicates, with its 95% interval",
    ]);
    // One line of means per panel, through the three levels.
    assert_eq!(svg.count("polyline"), 3);
    let by_tolerance = Svg::read(&plots.join("gap_final-by-policy_tolerance.svg"));
    by_tolerance.has_texts(&["tariff = 0", "tariff = 0.2", "tariff = 0.5"]);

    // The same sweep analysed: every row of point_means.csv names its factor values.
    catchup(dir.path(), ["analyze", "grid"]).ok();
    let means = Csv::read(&sw.join("analysis/point_means.csv"));
    let points = Csv::read(&sw.join("points.csv"));
    for row in &means.rows {
        let p: usize = row[means.col("point")].parse().unwrap();
        for f in ["policy_tariff", "policy_tolerance"] {
            assert_eq!(row[means.col(f)], points.rows[p][points.col(f)], "{f}");
        }
    }
}

/// How many significant digits a number written in decimal has.
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap();
    mantissa
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .trim_start_matches('0')
        .len()
}

/// A Sobol design: a scatter of the points against each factor with binned means,
/// bars of the first-order and total indices; legends of the band charts (asked for
/// with --max-points) give the sampled values rounded. A Morris design: bars of mu*
/// and sigma.
#[test]
fn plot_draws_scatter_smoothers_and_index_bars_of_sampled_designs() {
    let dir = tempfile::tempdir().unwrap();
    let sobol = format!("[design]\nkind = \"sobol\"\npoints = 8\n\n{THREE_FACTORS}");
    let sw = run_sweep(dir.path(), "sob", 1, &sobol);
    catchup(dir.path(), ["plot", "sob", "-q"]).ok();
    let plots = sw.join("plots");
    let stems = [
        "gap_final-by-factor",
        "overcapacity-by-factor",
        "sobol-indices",
    ];
    assert_eq!(entries(&plots), chart_files(&stems));
    let points = Csv::read(&sw.join("points.csv"));
    let n = points.rows.len();
    assert_eq!(n, 8 * (3 + 2));
    let scatter = Svg::read(&plots.join("gap_final-by-factor.svg"));
    scatter.has_texts(&[
        "tariff",
        "rd_subsidy",
        "tolerance",
        "design point (mean over replicates)",
        "binned mean, with its 95% interval",
        "policy.tolerance (periods)",
    ]);
    // A dot per point in each factor's panel, and a smoother line in each.
    assert!(
        scatter.count("circle") >= 3 * n,
        "{}",
        scatter.count("circle")
    );
    assert_eq!(scatter.count("polyline"), 3);
    let bars = Svg::read(&plots.join("sobol-indices.svg"));
    bars.has_texts(&[
        "policy.tariff",
        "policy.rd_subsidy",
        "policy.tolerance",
        "first order S1",
        "total ST",
        "gap_final",
        "overcapacity",
        "Sobol index (share of variance)",
    ]);

    // Band charts asked for: legends with rounded values, where points.csv has more
    // digits.
    catchup(
        dir.path(),
        ["plot", "sob", "--max-points", "64", "--out", "all", "-q"],
    )
    .ok();
    let gap = Svg::read(&dir.path().join("all/gap.svg"));
    let long = points
        .rows
        .iter()
        .flat_map(|r| r[3..].to_vec())
        .filter(|v| significant_digits(v) > 4)
        .count();
    assert!(long > 0, "the design has no long values to round");
    let legends: Vec<String> = gap
        .texts()
        .into_iter()
        .filter(|t| t.starts_with("point "))
        .collect();
    assert_eq!(legends.len(), n);
    for label in &legends {
        for part in label.split_once(": ").unwrap().1.split(", ") {
            let value = part.split_once('=').unwrap().1;
            assert!(significant_digits(value) <= 4, "{label}");
        }
    }

    let morris = format!("[design]\nkind = \"morris\"\npoints = 4\nlevels = 4\n\n{THREE_FACTORS}");
    let sw = run_sweep(dir.path(), "mor", 1, &morris);
    catchup(dir.path(), ["plot", "mor", "-q"]).ok();
    let bars = Svg::read(&sw.join("plots/morris-indices.svg"));
    bars.has_texts(&[
        "policy.tariff",
        "mu* (mean absolute effect)",
        "sigma (spread of the effects)",
        "effect on gap_final over a factor's range",
    ]);
    Svg::read(&sw.join("plots/gap_final-by-factor.svg")).has_texts(&["tariff"]);
}

/// `--width`, `--height` and `--dpi` set every image's size, in `plot`, `run --plot`
/// and `compare`; a size that leaves no room for the panels is refused.
#[test]
fn width_height_and_dpi_set_every_image() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    catchup(d, ["run", "--periods", "5", "--out", "r", "-q"]).ok();
    for (out, dpi, size) in [("a", "96", (900, 700)), ("b", "192", (1800, 1400))] {
        catchup(
            d,
            [
                "plot", "r", "--out", out, "--width", "900", "--height", "700", "--dpi", dpi, "-q",
            ],
        )
        .ok();
        for stem in RUN_CHARTS {
            assert_eq!(png_of_svg(&d.join(out), stem), size, "{out}/{stem}");
        }
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&d.join(out).join("manifest.json"))).unwrap();
        assert_eq!(manifest["charts"][0]["width"], size.0);
        assert_eq!(manifest["charts"][0]["height"], size.1);
    }
    // At 192 dpi the same chart, twice the pixels: text and lines scaled alike.
    let a = Svg::read(&d.join("a/innovation.svg"));
    let b = Svg::read(&d.join("b/innovation.svg"));
    assert_eq!(a.texts(), b.texts());
    assert_eq!(a.count("polyline"), b.count("polyline"));

    catchup(
        d,
        [
            "run",
            "--periods",
            "3",
            "--out",
            "r2",
            "--plot",
            "--width",
            "1200",
            "--height",
            "800",
            "-q",
        ],
    )
    .ok();
    assert_eq!(png_of_svg(&d.join("r2/plots"), "fiscal-cost"), (1200, 800));
    catchup(
        d,
        [
            "compare", "r", "r2", "--out", "c", "--width", "800", "--height", "600", "-q",
        ],
    )
    .ok();
    for stem in COMPARED {
        assert_eq!(png_of_svg(&d.join("c"), stem), (800, 600), "{stem}");
    }

    catchup(
        d,
        [
            "plot", "r", "--out", "x", "--width", "300", "--height", "200",
        ],
    )
    .refused(&[
        "--width 300 --height 200 leaves each of the",
        "at least 300 x 200",
    ]);
    catchup(d, ["plot", "r", "--out", "x", "--dpi", "0"]).refused(&["--dpi"]);
    catchup(d, ["plot", "r", "--out", "x", "--width", "wide"]).refused(&["--width"]);
    assert!(!d.join("x").exists());
}

/// Every text of an SVG chart is drawn as the outlines of the embedded DejaVu Sans (a
/// path just before it); the text stays for search and selection, invisible, naming
/// that font, and no generic family is left for a viewer to substitute.
#[test]
fn svg_text_is_drawn_as_outlines_of_the_embedded_font() {
    let dir = tempfile::tempdir().unwrap();
    catchup(
        dir.path(),
        ["run", "--periods", "5", "--out", "r", "--plot", "-q"],
    )
    .ok();
    for stem in RUN_CHARTS {
        let svg = Svg::read(&dir.path().join(format!("r/plots/{stem}.svg")));
        assert!(!svg.text.contains("sans-serif"), "{stem}");
        let pieces: Vec<&str> = svg.text.split("<text ").collect();
        assert!(pieces.len() > 10, "{stem}: too few texts");
        for (before, text) in pieces.iter().zip(&pieces[1..]) {
            let open = &text[..text.find('>').unwrap()];
            assert!(
                open.contains("font-family=\"DejaVu Sans\""),
                "{stem}: {open}"
            );
            assert!(
                open.contains(" opacity=\"0\""),
                "{stem}: a visible text: {open}"
            );
            let outline = before.trim_end().rsplit('\n').next().unwrap();
            assert!(
                outline.starts_with("<path d=\"M") && outline.ends_with("/>"),
                "{stem}: no outline before the text {open}: {outline}"
            );
        }
    }
}

/// A scheduled lever change is marked in the run's charts over periods, and the
/// legend says so; a run without a schedule has no such marker.
#[test]
fn scheduled_lever_changes_are_marked() {
    let dir = tempfile::tempdir().unwrap();
    let base = catchup(dir.path(), ["scenarios", "catch-up"]).ok().stdout;
    let scheduled = format!("{base}\n[[schedule]]\nperiod = 4\nlevers = {{ tariff = 0.4 }}\n");
    fs::write(dir.path().join("s.toml"), scheduled).unwrap();
    for (input, out, marked) in [("s.toml", "s", true), ("catch-up", "c", false)] {
        catchup(
            dir.path(),
            ["run", input, "--periods", "8", "--out", out, "--plot", "-q"],
        )
        .ok();
        for stem in ["capacity-utilisation", "productivity-gap", "fiscal-cost"] {
            let svg = Svg::read(&dir.path().join(format!("{out}/plots/{stem}.svg")));
            let keyed = svg.texts().iter().any(|t| t == "scheduled lever change");
            assert_eq!(keyed, marked, "{out} {stem}");
        }
    }
}
