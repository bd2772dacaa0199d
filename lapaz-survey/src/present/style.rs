//! The house style: one palette and one set of reliability colours shared by
//! HTML tables and charts, so that a notebook looks like one document.
//!
//! The categorical palette is Okabe–Ito (distinguishable with the common
//! forms of colour blindness); reliability uses the same blue for reliable
//! estimates, a lighter hatched blue for "use with caution" and hatched grey
//! for "not reliable", with green/amber/red badges in tables.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, for CSS and SVG.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Mixes with white: `amount` 0 keeps the colour, 1 gives white.
    pub fn lighten(self, amount: f64) -> Rgb {
        let a = amount.clamp(0.0, 1.0);
        let mix = |c: u8| -> u8 {
            let v = f64::from(c) + (255.0 - f64::from(c)) * a;
            // v is within 0..=255 after the clamp above.
            v.round().clamp(0.0, 255.0) as u8
        };
        Rgb(mix(self.0), mix(self.1), mix(self.2))
    }
}

/// Main colour of single-series charts (Okabe–Ito blue).
pub const PRIMARY: Rgb = Rgb(0x00, 0x72, 0xb2);
/// Accent colour (Okabe–Ito vermillion): reference lines, highlights.
pub const ACCENT: Rgb = Rgb(0xd5, 0x5e, 0x00);
/// Text colour.
pub const INK: Rgb = Rgb(0x1f, 0x29, 0x33);
/// Secondary text (captions, notes, axis titles).
pub const MUTED: Rgb = Rgb(0x52, 0x60, 0x6d);
/// Grid lines and rules.
pub const GRID: Rgb = Rgb(0xe4, 0xe8, 0xee);
/// Background of every other row in row-based charts.
pub const BAND: Rgb = Rgb(0xf6, 0xf8, 0xfa);
/// Axis lines.
pub const AXIS: Rgb = Rgb(0x9a, 0xa5, 0xb1);
/// Fill of estimates that are not reliable.
pub const UNRELIABLE: Rgb = Rgb(0xb8, 0xbe, 0xc6);

/// The categorical palette (Okabe–Ito, without black), in order of use.
pub const PALETTE: [Rgb; 7] = [
    Rgb(0x00, 0x72, 0xb2),
    Rgb(0xe6, 0x9f, 0x00),
    Rgb(0x00, 0x9e, 0x73),
    Rgb(0xcc, 0x79, 0xa7),
    Rgb(0x56, 0xb4, 0xe9),
    Rgb(0xd5, 0x5e, 0x00),
    Rgb(0xf0, 0xe4, 0x42),
];

/// Colour number `i` of the categorical palette; past seven colours the
/// palette repeats in lighter shades.
pub fn palette(i: usize) -> Rgb {
    let base = PALETTE[i % PALETTE.len()];
    let round = i / PALETTE.len();
    if round == 0 {
        base
    } else {
        base.lighten(0.35 * round.min(2) as f64)
    }
}

/// A sequential palette of `n` blues from light to dark, for ordered
/// categories (risk levels, income quintiles).
pub fn sequential(i: usize, n: usize) -> Rgb {
    if n <= 1 {
        return PRIMARY;
    }
    let t = i as f64 / (n - 1) as f64;
    PRIMARY.lighten(0.8 * (1.0 - t))
}

/// How a reliability flag is shown: colour tone and hatching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tone {
    /// Reliable: plain colours.
    #[default]
    Reliable,
    /// Use with caution ("poco fiable"): lighter colour, hatched.
    Caution,
    /// Not reliable ("no fiable"): grey, hatched.
    Unreliable,
    /// No flag was assessed (e.g. a design without a quality standard).
    Unassessed,
}

impl Tone {
    /// CSS class of a table row or badge with this tone.
    pub fn css_class(self) -> &'static str {
        match self {
            Tone::Reliable => "ok",
            Tone::Caution => "warn",
            Tone::Unreliable => "bad",
            Tone::Unassessed => "na",
        }
    }

    /// Fill colour of a bar/point with this tone, given the series colour.
    pub fn fill(self, base: Rgb) -> Rgb {
        match self {
            Tone::Reliable | Tone::Unassessed => base,
            Tone::Caution => base.lighten(0.55),
            Tone::Unreliable => UNRELIABLE,
        }
    }

    /// Whether bars with this tone are hatched.
    pub fn hatched(self) -> bool {
        matches!(self, Tone::Caution | Tone::Unreliable)
    }
}

/// The CSS of every HTML fragment, scoped by the `lpz` class so that it
/// never restyles the rest of a notebook. Explicit background and text
/// colours keep it readable under dark notebook themes.
pub const CSS: &str = "\
.lpz{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;\
font-size:13px;line-height:1.35;color:#1f2933;background:#fff;padding:6px 8px;\
display:inline-block;max-width:100%;box-sizing:border-box;border-radius:4px}\
.lpz table{border-collapse:collapse;margin:0;font-size:13px;color:#1f2933;background:#fff}\
.lpz caption{caption-side:top;text-align:left;font-weight:600;padding:2px 0 6px;color:#1f2933}\
.lpz caption .sub{display:block;font-weight:400;color:#52606d;font-size:12px}\
.lpz th{background:#eef2f6;color:#1f2933;font-weight:600;text-align:right;padding:4px 10px;\
border-bottom:2px solid #c5ced8;white-space:nowrap;vertical-align:bottom}\
.lpz td{padding:3px 10px;text-align:right;border-bottom:1px solid #e4e8ee;\
font-variant-numeric:tabular-nums;white-space:nowrap;color:#1f2933;background:transparent}\
.lpz th.l,.lpz td.l{text-align:left}\
.lpz td.k{font-weight:600}\
.lpz th .dt{display:block;font-weight:400;font-size:11px;color:#52606d}\
.lpz tr.warn td{background:#fff8e6}\
.lpz tr.bad td{background:#f4f5f7;color:#7b8794}\
.lpz tr.bad td.k{color:#52606d}\
.lpz tr.gap td{text-align:center;color:#7b8794;background:#fafbfc}\
.lpz .b{display:inline-block;border-radius:9px;padding:0 8px;font-size:11px;font-weight:600;line-height:18px}\
.lpz .b.ok{background:#e3f4ea;color:#18794e}\
.lpz .b.warn{background:#fdefc8;color:#8a5a00}\
.lpz .b.bad{background:#fde2e1;color:#b42318}\
.lpz .b.na{background:#eef2f6;color:#52606d}\
.lpz .note{font-size:11.5px;color:#52606d;margin-top:6px;max-width:760px;white-space:normal}\
.lpz .synth{background:#fff3cd;color:#6b4e00;border-left:4px solid #e0a800;padding:4px 8px;\
margin:0 0 6px;font-size:12px}\
.lpz dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:0}\
.lpz dt{color:#52606d}\
.lpz dd{margin:0;font-variant-numeric:tabular-nums}\
.lpz .t{font-weight:600;font-size:14px;margin-bottom:4px}\
.lpz code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;background:#f4f5f7;\
padding:0 3px;border-radius:3px;color:#1f2933}\
.lpz .chart svg{max-width:100%;height:auto}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_lighten() {
        assert_eq!(PRIMARY.hex(), "#0072b2");
        assert_eq!(Rgb(0, 0, 0).lighten(1.0), Rgb(255, 255, 255));
        assert_eq!(Rgb(0, 100, 200).lighten(0.0), Rgb(0, 100, 200));
        assert_eq!(Rgb(0, 0, 0).lighten(0.5), Rgb(128, 128, 128));
    }

    #[test]
    fn palette_cycles_lighter() {
        assert_eq!(palette(0), PRIMARY);
        assert_ne!(palette(7), palette(0));
        assert_eq!(palette(7), PRIMARY.lighten(0.35));
    }

    #[test]
    fn sequential_goes_light_to_dark() {
        let light = sequential(0, 4);
        let dark = sequential(3, 4);
        assert_eq!(dark, PRIMARY);
        assert!(light.0 > dark.0 && light.1 > dark.1);
    }
}
