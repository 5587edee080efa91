//! What `catchup claims` writes: the table printed on standard output, `claims.csv`
//! (one row per claim part and variant), `report.md` for a referee, a forest plot of
//! the standardised effects (`forest.svg`), and each experiment's arms as bands
//! (`claim-N.svg`, `.png`). Nothing here depends on the clock, so the same command
//! writes the same bytes.

use std::fmt::Write as _;

use super::{ArmBand, Caused, Finding, Options, Outcome, Verdict};
use crate::output::{OutputError, ResultDir};
use crate::plot::figure::{Axis, Band, Figure, Key, KeyStyle, Line, Panel, colour};
use crate::sweep::analysis::Interval;

/// A number as the report prints it: four significant digits.
fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    format!("{x:.digits$}")
}

fn interval(i: &Interval) -> String {
    format!("{} [{}, {}]", num(i.estimate), num(i.low), num(i.high))
}

/// The cells of a finding's row: part, variant, effect, verdict, ablated effect
/// (`none` where no ablation is defined), caused.
fn cells(f: &Finding, none: &str) -> [String; 6] {
    [
        f.part.to_string(),
        f.variant.clone(),
        interval(&f.effect),
        f.verdict.word().to_string(),
        f.ablated
            .as_ref()
            .map(interval)
            .unwrap_or_else(|| none.into()),
        f.caused.word().to_string(),
    ]
}

/// The table printed on standard output.
pub fn table(outcome: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<5} {:<13} {:>34} {:<6} {:>34} {:<6}",
        "part", "variant", "effect [95% CI]", "", "without its mechanism", "caused"
    );
    for f in &outcome.findings {
        let [part, variant, effect, verdict, ablated, caused] = cells(f, "-");
        let _ = writeln!(
            out,
            "{part:<5} {variant:<13} {effect:>34} {verdict:<6} {ablated:>34} {caused:<6}"
        );
    }
    let passing = outcome.findings.iter().filter(|f| f.passes()).count();
    let _ = writeln!(
        out,
        "\n{passing} of {} claim parts hold and are caused by their mechanism ({} runs).",
        outcome.findings.len(),
        outcome.runs
    );
    let limited = limited_parts(outcome);
    if !limited.is_empty() {
        let _ = writeln!(
            out,
            "Known not to hold under some other parameter values or policy strengths: {} (report.md says where; docs/ODD.md section 10).",
            limited.join(", ")
        );
    }
    out
}

/// The parts of the outcome that the registry knows not to pass everywhere, each once,
/// in order.
fn limited_parts(outcome: &Outcome) -> Vec<&'static str> {
    let mut parts: Vec<&'static str> = Vec::new();
    for f in outcome.findings.iter().filter(|f| f.limits.is_some()) {
        if !parts.contains(&f.part) {
            parts.push(f.part);
        }
    }
    parts
}

/// Writes `claims.csv`, `report.md`, `forest.svg` and the band charts into `result`.
pub fn write(outcome: &Outcome, opts: &Options, result: &ResultDir) -> Result<(), OutputError> {
    let mut csv = result.csv("claims.csv")?;
    csv.record(&[
        "claim",
        "part",
        "variant",
        "replicates",
        "expect",
        "effect",
        "effect_low",
        "effect_high",
        "verdict",
        "ablated",
        "ablated_low",
        "ablated_high",
        "caused",
        "passes",
        "statement",
        "mechanism",
    ])?;
    for f in &outcome.findings {
        let (a, al, ah) = match &f.ablated {
            Some(i) => (
                i.estimate.to_string(),
                i.low.to_string(),
                i.high.to_string(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        csv.record(&[
            &f.claim.to_string(),
            f.part,
            &f.variant,
            &f.replicates.to_string(),
            f.expect.word(),
            &f.effect.estimate.to_string(),
            &f.effect.low.to_string(),
            &f.effect.high.to_string(),
            f.verdict.word(),
            &a,
            &al,
            &ah,
            f.caused.word(),
            if f.passes() { "true" } else { "false" },
            f.statement,
            f.mechanism,
        ])?;
    }
    csv.finish()?;
    result.write_text("forest.svg", &forest_svg(&outcome.findings))?;
    let figures = band_figures(&outcome.bands);
    crate::plot::write_figures(&figures, result).map_err(|e| OutputError::Io {
        path: result.path("claim charts"),
        source: std::io::Error::other(e.to_string()),
    })?;
    result.write_text("report.md", &markdown(outcome, opts, &figures))?;
    Ok(())
}

/// The report for a referee.
fn markdown(outcome: &Outcome, opts: &Options, figures: &[Figure]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# catchup claims: effects over paired replicates\n");
    let mut command = format!(
        "catchup claims --replicates {} --seed {}",
        opts.replicates, opts.seed
    );
    if opts.robust {
        command.push_str(" --robust");
    }
    if !opts.only.is_empty() {
        let only: Vec<String> = opts.only.iter().map(u8::to_string).collect();
        let _ = write!(command, " --only {}", only.join(","));
    }
    for set in &opts.sets {
        let _ = write!(command, " --set '{set}'");
    }
    for (_, option) in opts.structure() {
        let _ = write!(command, " {option}");
    }
    let _ = writeln!(
        md,
        "Reproduce with `{command}` (catchup {}). {} runs.\n",
        env!("CARGO_PKG_VERSION"),
        outcome.runs
    );
    let _ = writeln!(
        md,
        "Each claim of `docs/ODD.md` §1 is an experiment: arms of one built-in scenario that \
         differ only in what the claim is about, run with the same seed per replicate (common \
         random numbers). Each part's effect is the mean of its per-replicate statistic with a \
         95% Student-t interval. **Verdict**: *holds* when the whole interval lies on the side \
         the claim predicts, *weak* when only the estimate does, *fails* otherwise. \
         **Caused**: the same experiment with the named mechanism alone switched off; *yes* \
         when the effect then vanishes (its interval includes zero, it reverses, or at most a \
         quarter of it remains), *n/a* \
         where the part restates an equation of the design. A part passes when it holds and \
         is not *caused: no*.\n"
    );
    let passing = outcome.findings.iter().filter(|f| f.passes()).count();
    let _ = writeln!(
        md,
        "**{passing} of {} parts pass.**\n\n![Standardised effects](forest.svg)\n",
        outcome.findings.len()
    );
    let mut claims: Vec<u8> = outcome.findings.iter().map(|f| f.claim).collect();
    claims.dedup();
    for claim in claims {
        let _ = writeln!(md, "## Claim {claim}\n");
        let _ = writeln!(
            md,
            "| part | variant | effect [95% CI] | verdict | mechanism switched off | caused |\n|---|---|---|---|---|---|"
        );
        // Each part's first finding carries what every variant shares.
        let mut firsts: Vec<&Finding> = Vec::new();
        for f in outcome.findings.iter().filter(|f| f.claim == claim) {
            let _ = writeln!(md, "| {} |", cells(f, "—").join(" | "));
            if !firsts.iter().any(|g| g.part == f.part) {
                firsts.push(f);
            }
        }
        md.push('\n');
        for f in firsts {
            let _ = write!(
                md,
                "- **{}**: {} (expected {}). Mechanism: {}.",
                f.part,
                f.statement,
                f.expect.word(),
                f.mechanism
            );
            if let Some(limits) = f.limits {
                let _ = write!(md, " Known limits: {limits}.");
            }
            md.push('\n');
        }
        let prefix = format!("Claim {claim}:");
        for fig in figures.iter().filter(|f| f.title.starts_with(&prefix)) {
            let _ = writeln!(md, "\n![{}]({}.svg)", fig.title, fig.stem);
        }
        md.push('\n');
    }
    md
}

/// One figure per claim: the shown column of each arm, mean over replicates and its
/// 95% interval, in the shipped variant.
fn band_figures(bands: &[ArmBand]) -> Vec<Figure> {
    let mut experiments: Vec<&str> = bands.iter().map(|b| b.experiment).collect();
    experiments.dedup();
    experiments
        .into_iter()
        .map(|experiment| {
            let arms: Vec<&ArmBand> = bands
                .iter()
                .filter(|b| b.experiment == experiment)
                .collect();
            let first = arms[0];
            let described = crate::plot::charts::describe(first.column);
            let mut fig = Figure::new(
                format!("claim-{experiment}"),
                format!(
                    "Claim {}: {} in sector {}",
                    first.claim, described.title, first.sector
                ),
            );
            fig.subtitle =
                "Mean over paired replicates (line) and its 95% interval (band), per arm.".into();
            let mut panel = Panel::new(first.sector, Axis::period(), described.axis.clone());
            for (j, arm) in arms.iter().enumerate() {
                fig.keys.push(Key {
                    label: arm.arm.clone(),
                    colour: colour(j),
                    style: KeyStyle::Band,
                });
                let points = arm
                    .by_period
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.estimate.is_finite());
                panel.bands.push(Band {
                    colour: colour(j),
                    points: points
                        .clone()
                        .map(|(t, i)| ((t + 1) as f64, i.low, i.high))
                        .collect(),
                });
                panel.lines.push(Line {
                    colour: colour(j),
                    points: points.map(|(t, i)| ((t + 1) as f64, i.estimate)).collect(),
                });
            }
            fig.panels.push(panel);
            fig
        })
        .collect()
}

/// A forest plot: one row per part and variant, the standardised effect (the mean
/// paired effect over its standard deviation, signed so that the claim's direction is
/// to the right) with its interval; green when the part passes, amber when weak or not
/// caused, red when it fails.
fn forest_svg(findings: &[Finding]) -> String {
    const ROW: f64 = 22.0;
    const LEFT: f64 = 190.0;
    const WIDTH: f64 = 760.0;
    const PLOT: f64 = WIDTH - LEFT - 30.0;
    let height = 60.0 + ROW * findings.len() as f64;
    let standardised = |f: &Finding| -> (f64, f64, f64) {
        let s = if f.sd > 0.0 { f.sd } else { 1.0 };
        let e = f.expect.signed(f.effect.estimate) / s;
        let a = f.expect.signed(f.effect.low) / s;
        let b = f.expect.signed(f.effect.high) / s;
        (e, a.min(b), a.max(b))
    };
    let limit = findings
        .iter()
        .map(|f| {
            let (_, lo, hi) = standardised(f);
            lo.abs().max(hi.abs())
        })
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max)
        .min(20.0);
    let x = |v: f64| LEFT + PLOT * (v.clamp(-limit, limit) + limit) / (2.0 * limit);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         font-family=\"DejaVu Sans, sans-serif\" font-size=\"13\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{LEFT}\" y=\"20\">Standardised effect (claim's direction to the right), 95% CI</text>\n"
    );
    let zero = x(0.0);
    let _ = writeln!(
        svg,
        "<line x1=\"{zero}\" y1=\"30\" x2=\"{zero}\" y2=\"{}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>",
        height - 20.0
    );
    for (k, f) in findings.iter().enumerate() {
        let y = 44.0 + ROW * k as f64;
        let (e, lo, hi) = standardised(f);
        let colour = if f.passes() {
            "#1b7837"
        } else if f.verdict == Verdict::Fails {
            "#b2182b"
        } else {
            "#d08c00"
        };
        let flag = if f.caused == Caused::No {
            " (not caused)"
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            "<text x=\"8\" y=\"{}\">{} {}{flag}</text>",
            y + 4.0,
            f.part,
            f.variant
        );
        if e.is_finite() {
            let _ = writeln!(
                svg,
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n\
                 <circle cx=\"{}\" cy=\"{y}\" r=\"4\" fill=\"{colour}\"/>",
                x(lo),
                x(hi),
                x(e)
            );
        }
    }
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        LEFT,
        height - 4.0,
        num(-limit),
        LEFT + PLOT,
        height - 4.0,
        num(limit)
    );
    svg.push_str("</svg>\n");
    svg
}
