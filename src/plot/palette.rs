//! The one palette of every chart, the page's and the PNG/SVG files': the colours of
//! Okabe and Ito (2008), chosen to stay apart for viewers with red-green colour
//! blindness, each with a marker as a second cue (in print, in grey, on a washed-out
//! projector, colour alone is not enough). The page gets it from `GET /api/scenarios`,
//! so there is no second copy to drift. Black is kept for the whole economy and
//! totals; Okabe and Ito's yellow is left out, too pale for a line on white.

use serde::Serialize;

/// A colour as red, green, blue.
pub type Rgb = (u8, u8, u8);

/// The line colours, in the order series take them: blue, vermillion, bluish green,
/// reddish purple, orange, sky blue.
pub const COLOURS: [Rgb; 6] = [
    (0, 114, 178),
    (213, 94, 0),
    (0, 158, 115),
    (204, 121, 167),
    (230, 159, 0),
    (86, 180, 233),
];

/// The shape drawn along a line (and in its legend swatch) as a second cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Marker {
    Circle,
    Square,
    OpenCircle,
    OpenSquare,
}

const MARKERS: [Marker; 4] = [
    Marker::Circle,
    Marker::Square,
    Marker::OpenCircle,
    Marker::OpenSquare,
];

/// Entries before the palette repeats: every (colour, marker) pair of the first
/// twelve is different (6 colours, 4 markers).
pub const ENTRIES: usize = 12;

/// Markers along a line of any length.
pub const MARKS_PER_LINE: usize = 8;

/// How a series is drawn: a colour, and for the palette's entries a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pen {
    pub rgb: Rgb,
    /// The palette entry, which sets the marker and where along the line it goes;
    /// `None` for black and grey lines, which have no marker.
    pub entry: Option<usize>,
}

/// The whole economy, and totals.
pub const BLACK: Pen = Pen {
    rgb: (0, 0, 0),
    entry: None,
};
/// Reference lines (the frontier).
pub const GREY: Pen = Pen {
    rgb: (150, 150, 150),
    entry: None,
};

/// Paradigm-shift markers: darker than the frontier's grey, and no data colour.
pub const SHIFT: Pen = Pen {
    rgb: (90, 90, 90),
    entry: None,
};

/// Scheduled lever changes: lighter than the paradigm shifts, drawn wider.
pub const CHANGE: Pen = Pen {
    rgb: (185, 185, 185),
    entry: None,
};

/// The `i`-th pen of the palette (cycling after [`ENTRIES`]).
pub fn pen(i: usize) -> Pen {
    let i = i % ENTRIES;
    Pen {
        rgb: COLOURS[i % COLOURS.len()],
        entry: Some(i),
    }
}

impl Pen {
    /// A plain colour with no marker.
    pub fn plain(rgb: Rgb) -> Pen {
        Pen { rgb, entry: None }
    }

    pub fn marker(&self) -> Option<Marker> {
        self.entry.map(|i| MARKERS[i % MARKERS.len()])
    }

    /// Whether the `k`-th of `n` points of a line gets a marker: about
    /// [`MARKS_PER_LINE`] of them, evenly spaced, and shifted by the entry so that
    /// lines that coincide do not hide each other's markers. The page places them by
    /// the same rule (`app.js`, `hasMark`).
    pub fn marks(&self, k: usize, n: usize) -> bool {
        let Some(i) = self.entry else { return false };
        let step = (n / MARKS_PER_LINE).max(1);
        k % step == (i % MARKERS.len()) * step / MARKERS.len()
    }

    /// `#rrggbb`.
    pub fn hex(&self) -> String {
        let (r, g, b) = self.rgb;
        format!("#{r:02x}{g:02x}{b:02x}")
    }
}

/// A palette entry as the page gets it.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub colour: String,
    pub marker: Marker,
}

/// The palette for the page, [`ENTRIES`] entries, and how many markers go on a line.
#[derive(Debug, Serialize)]
pub struct Palette {
    pub entries: Vec<Entry>,
    pub black: String,
    pub marks_per_line: usize,
}

pub fn for_page() -> Palette {
    Palette {
        entries: (0..ENTRIES)
            .map(|i| {
                let p = pen(i);
                Entry {
                    colour: p.hex(),
                    marker: p.marker().expect("every entry has a marker"),
                }
            })
            .collect(),
        black: BLACK.hex(),
        marks_per_line: MARKS_PER_LINE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sRGB (0-255) to linear light.
    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// What a viewer with full deuteranopia sees: the matrix of Machado, Oliveira and
    /// Fernandes (2009), severity 1, applied in linear RGB.
    fn deuteranope(rgb: Rgb) -> [f64; 3] {
        const M: [[f64; 3]; 3] = [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ];
        let l = [linear(rgb.0), linear(rgb.1), linear(rgb.2)];
        M.map(|row| (row[0] * l[0] + row[1] * l[1] + row[2] * l[2]).clamp(0.0, 1.0))
    }

    /// The same for protanopia.
    fn protanope(rgb: Rgb) -> [f64; 3] {
        const M: [[f64; 3]; 3] = [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ];
        let l = [linear(rgb.0), linear(rgb.1), linear(rgb.2)];
        M.map(|row| (row[0] * l[0] + row[1] * l[1] + row[2] * l[2]).clamp(0.0, 1.0))
    }

    /// Linear RGB to CIELAB (D65).
    fn lab(l: [f64; 3]) -> [f64; 3] {
        let x = 0.4124564 * l[0] + 0.3575761 * l[1] + 0.1804375 * l[2];
        let y = 0.2126729 * l[0] + 0.7151522 * l[1] + 0.0721750 * l[2];
        let z = 0.0193339 * l[0] + 0.1191920 * l[1] + 0.9503041 * l[2];
        let f = |t: f64| {
            let d: f64 = 6.0 / 29.0;
            if t > d.powi(3) {
                t.cbrt()
            } else {
                t / (3.0 * d * d) + 4.0 / 29.0
            }
        };
        let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    /// Colour difference ΔE*ab (CIE 1976): about 2.3 is just noticeable; lines
    /// need far more to be told apart at a glance.
    fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(p, q)| (p - q).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// The least difference between any two of the colours (and black) as the viewer
    /// sees them.
    fn least_difference(colours: &[Rgb], sees: fn(Rgb) -> [f64; 3]) -> f64 {
        let mut least = f64::INFINITY;
        for (i, &a) in colours.iter().enumerate() {
            for &b in &colours[i + 1..] {
                least = least.min(delta_e(lab(sees(a)), lab(sees(b))));
            }
        }
        least
    }

    const APART: f64 = 15.0;

    #[test]
    fn the_palette_stays_apart_under_simulated_deuteranopia_and_protanopia() {
        let mut colours = COLOURS.to_vec();
        colours.push(BLACK.rgb);
        let deut = least_difference(&colours, deuteranope);
        let prot = least_difference(&colours, protanope);
        assert!(deut >= APART, "deuteranopia: least ΔE {deut:.1}");
        assert!(prot >= APART, "protanopia: least ΔE {prot:.1}");
    }

    /// The check can fail: the palette this one replaced (Tableau 10) drew the second
    /// and third sectors in a red and a green that a deuteranope cannot tell apart.
    #[test]
    fn the_check_catches_the_red_and_green_of_the_old_palette() {
        let (red, green) = ((214, 39, 40), (44, 160, 44));
        assert!(least_difference(&[red, green], deuteranope) < APART);
        // For a viewer with full colour vision they are far apart.
        let normal = delta_e(
            lab([linear(red.0), linear(red.1), linear(red.2)]),
            lab([linear(green.0), linear(green.1), linear(green.2)]),
        );
        assert!(normal > 4.0 * APART, "{normal}");
    }

    /// Every colour is dark enough to read as a line on white: a contrast ratio
    /// (WCAG) of at least 2 (Okabe and Ito's yellow has 1.3).
    #[test]
    fn every_colour_shows_on_white() {
        let luminance = |c: Rgb| 0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2);
        for c in COLOURS {
            let ratio = 1.05 / (luminance(c) + 0.05);
            assert!(ratio >= 2.0, "{c:?}: {ratio:.2}");
        }
        assert!(1.05 / (luminance((240, 228, 66)) + 0.05) < 2.0);
    }

    #[test]
    fn the_first_entries_differ_in_colour_or_marker_and_carry_evenly_spaced_marks() {
        for i in 0..ENTRIES {
            for j in i + 1..ENTRIES {
                let (a, b) = (pen(i), pen(j));
                assert!(a.rgb != b.rgb || a.marker() != b.marker(), "{i} {j}");
            }
        }
        assert_eq!(pen(ENTRIES), pen(0));
        for i in 0..ENTRIES {
            let marks = (0..100).filter(|&k| pen(i).marks(k, 100)).count();
            assert!(
                (MARKS_PER_LINE..=MARKS_PER_LINE + 1).contains(&marks),
                "{marks}"
            );
        }
        // Sectors drawn on the same values put their marks at different points.
        assert!((0..100).all(|k| !(pen(0).marks(k, 100) && pen(1).marks(k, 100))));
        assert!(!BLACK.marks(0, 100) && BLACK.marker().is_none());
        let page = for_page();
        assert_eq!(page.entries.len(), ENTRIES);
        assert_eq!(page.entries[1].colour, "#d55e00");
    }
}
