//! Text of an SVG chart as paths: every `<text>` plotters writes is drawn again as the
//! outlines of its glyphs in the embedded DejaVu Sans, so that the SVG looks the same
//! in any viewer, journal system or vector editor, with no font installed (plotters
//! names a family, here `sans-serif`, which each viewer resolves to a font of its own
//! with other widths). The text itself stays, invisible, over its outlines: it can
//! still be searched, selected and read by a screen reader, and it names the font it
//! was set in.
//!
//! This reads the SVG that plotters-svg 0.3 writes: a text is
//! `<text x=".." y=".." dy=".." text-anchor=".." font-family=".." font-size=".."
//! opacity=".." fill=".." [font-weight="bold"] [transform=".."]>\nTEXT\n</text>`.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve};

/// The family the invisible text names: the font its outlines were drawn from.
pub const EMBEDDED_FAMILY: &str = "DejaVu Sans";

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        // The same font files the PNG text is rendered from (`render::ensure_font`),
        // compiled into the binary: they parse, or no chart could be drawn at all.
        regular: FontRef::try_from_slice(dejavu::sans::regular())
            .expect("the embedded DejaVu Sans parses"),
        bold: FontRef::try_from_slice(dejavu::sans::bold())
            .expect("the embedded DejaVu Sans Bold parses"),
    })
}

/// The value of attribute `name` in a tag's attribute text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// A number in a path: to a hundredth of a pixel, without trailing zeros.
fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The outlines of `text` set at `size` pixels to the em, its anchor point at `(x, y)`
/// (`anchor`: `start`, `middle` or `end`; `dy` as plotters writes it: `0.76em`,
/// `0.5ex` or `-0.5ex` from `y` to the baseline), as SVG path data.
fn outline(
    font: &FontRef<'_>,
    text: &str,
    x: f32,
    y: f32,
    size: f32,
    anchor: &str,
    dy: &str,
) -> String {
    let em = font.units_per_em().unwrap_or(2048.0);
    let s = size / em;
    let glyphs: Vec<GlyphId> = text.chars().map(|c| font.glyph_id(c)).collect();
    let mut advance = 0.0;
    let mut offsets = Vec::with_capacity(glyphs.len());
    for (i, &g) in glyphs.iter().enumerate() {
        if i > 0 {
            advance += font.kern_unscaled(glyphs[i - 1], g);
        }
        offsets.push(advance);
        advance += font.h_advance_unscaled(g);
    }
    let start = match anchor {
        "middle" => x - advance * s / 2.0,
        "end" => x - advance * s,
        _ => x,
    };
    let ex = font
        .outline(font.glyph_id('x'))
        .map_or(0.5 * em, |o| o.bounds.max.y)
        * s;
    let baseline = y + match dy {
        "0.76em" => 0.76 * size,
        "0.5ex" => 0.5 * ex,
        "-0.5ex" => -0.5 * ex,
        other => other
            .strip_suffix("em")
            .and_then(|v| v.parse::<f32>().ok())
            .map_or(0.0, |v| v * size),
    };
    let mut d = String::new();
    for (&g, &offset) in glyphs.iter().zip(&offsets) {
        let Some(o) = font.outline(g) else { continue };
        // Font units have y up; the SVG's y goes down.
        let p = |q: ab_glyph::Point| {
            format!(
                "{} {}",
                num(start + (offset + q.x) * s),
                num(baseline - q.y * s)
            )
        };
        let mut end: Option<ab_glyph::Point> = None;
        for c in &o.curves {
            let (from, to) = match *c {
                OutlineCurve::Line(a, b) => (a, b),
                OutlineCurve::Quad(a, _, b) => (a, b),
                OutlineCurve::Cubic(a, _, _, b) => (a, b),
            };
            if end != Some(from) {
                if end.is_some() {
                    d.push('Z');
                }
                d.push_str(&format!("M{}", p(from)));
            }
            match *c {
                OutlineCurve::Line(_, b) => d.push_str(&format!("L{}", p(b))),
                OutlineCurve::Quad(_, c1, b) => d.push_str(&format!("Q{} {}", p(c1), p(b))),
                OutlineCurve::Cubic(_, c1, c2, b) => {
                    d.push_str(&format!("C{} {} {}", p(c1), p(c2), p(b)))
                }
            }
            end = Some(to);
        }
        if end.is_some() {
            d.push('Z');
        }
    }
    d
}

/// The SVG with every visible `<text>` element drawn as a `<path>` of its glyphs,
/// followed by the text itself, made invisible and naming [`EMBEDDED_FAMILY`].
pub fn outline_text(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len() * 3);
    let mut rest = svg;
    while let Some(at) = rest.find("<text ") {
        out.push_str(&rest[..at]);
        let element = &rest[at..];
        let (Some(open_end), Some(close)) = (element.find(">\n"), element.find("\n</text>")) else {
            out.push_str(element);
            return out;
        };
        let tag = &element[..open_end];
        let body = &element[open_end + 2..close];
        let after = close + "\n</text>".len();
        let number = |name: &str| attr(tag, name).and_then(|v| v.parse::<f32>().ok());
        let visible = attr(tag, "opacity").is_none_or(|o| o != "0");
        if let (true, Some(x), Some(y), Some(size)) =
            (visible, number("x"), number("y"), number("font-size"))
        {
            let f = fonts();
            let font = if attr(tag, "font-weight") == Some("bold") {
                &f.bold
            } else {
                &f.regular
            };
            let d = outline(
                font,
                &unescape(body),
                x,
                y,
                size,
                attr(tag, "text-anchor").unwrap_or("start"),
                attr(tag, "dy").unwrap_or("0"),
            );
            out.push_str(&format!(
                "<path d=\"{d}\" fill=\"{}\" opacity=\"{}\"",
                attr(tag, "fill").unwrap_or("#000000"),
                attr(tag, "opacity").unwrap_or("1"),
            ));
            if let Some(t) = attr(tag, "transform") {
                out.push_str(&format!(" transform=\"{t}\""));
            }
            out.push_str("/>\n");
            let family = attr(tag, "font-family").unwrap_or("");
            let hidden = tag
                .replacen(
                    &format!(" font-family=\"{family}\""),
                    &format!(" font-family=\"{EMBEDDED_FAMILY}\""),
                    1,
                )
                .replacen(" opacity=\"1\"", " opacity=\"0\"", 1);
            out.push_str(&hidden);
            out.push_str(&element[open_end..after]);
        } else {
            out.push_str(&element[..after]);
        }
        rest = &element[after..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_outlines_placed_by_its_anchor() {
        let svg = "<svg>\n<text x=\"100\" y=\"50\" dy=\"0.76em\" text-anchor=\"end\" \
                   font-family=\"sans-serif\" font-size=\"20\" opacity=\"1\" fill=\"#112233\" \
                   transform=\"rotate(270, 100, 50)\">\nA&amp;B\n</text>\n</svg>\n";
        let out = outline_text(svg);
        let path = &out[out.find("<path d=\"").unwrap()..];
        assert!(
            path.contains("fill=\"#112233\" opacity=\"1\" transform=\"rotate(270, 100, 50)\"/>")
        );
        // The text stays, invisible, naming the font of its outlines.
        assert!(out.contains(
            "font-family=\"DejaVu Sans\" font-size=\"20\" opacity=\"0\" fill=\"#112233\" \
             transform=\"rotate(270, 100, 50)\">\nA&amp;B\n</text>"
        ));
        assert!(!out.contains("sans-serif"));
        // Three glyphs, each closed; anchored at its end, the text lies left of x = 100
        // and below y = 50 (its top at the anchor).
        let d = &path["<path d=\"".len()..path.find("\" fill").unwrap()];
        let coords: Vec<f32> = d
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter_map(|v| v.parse().ok())
            .collect();
        let xs: Vec<f32> = coords.iter().step_by(2).copied().collect();
        let ys: Vec<f32> = coords.iter().skip(1).step_by(2).copied().collect();
        let max_x = xs.iter().copied().fold(f32::MIN, f32::max);
        let min_x = xs.iter().copied().fold(f32::MAX, f32::min);
        let (min_y, max_y) = (
            ys.iter().copied().fold(f32::MAX, f32::min),
            ys.iter().copied().fold(f32::MIN, f32::max),
        );
        assert!(max_x <= 100.0 && max_x > 97.0, "{max_x}");
        assert!(min_x > 50.0 && min_x < 70.0, "{min_x}");
        assert!(
            min_y >= 50.0 && max_y <= 50.0 + 0.76 * 20.0 + 5.0,
            "{min_y} {max_y}"
        );
        assert!(d.matches('Z').count() >= 3, "{d}");
        // An invisible text (already outlined) is left as it is.
        assert_eq!(outline_text(&out), out);
    }
}
