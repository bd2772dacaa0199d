//! A thin drawing layer over plotters: logical pixels, the house text
//! styles, hatching, linear scales and "nice" axis ticks.
//!
//! Charts are laid out in *logical* pixels (the size a reader sees); the
//! canvas multiplies by a scale (2 for PNG and SVG, for crisp output) and
//! corrects the small differences between plotters' SVG and bitmap text
//! placement, so that both outputs look the same.

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::style::Rgb;
use super::PlotError;
use super::font::FAMILY;

/// Which backend a canvas draws on (text placement differs slightly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Svg,
    Bitmap,
}

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// A text style in logical pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Font {
    pub size: f64,
    pub bold: bool,
    pub color: Rgb,
}

impl Font {
    pub(crate) fn new(size: f64, color: Rgb) -> Self {
        Font {
            size,
            bold: false,
            color,
        }
    }

    pub(crate) fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
}

/// Line style in logical pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stroke {
    pub color: Rgb,
    pub width: f64,
}

impl Stroke {
    pub(crate) fn new(color: Rgb, width: f64) -> Self {
        Stroke { color, width }
    }
}

pub(crate) fn color(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// The drawing surface of one chart.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    scale: f64,
    target: Target,
    /// Logical size.
    pub width: f64,
    pub height: f64,
}

fn draw_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> PlotError {
    PlotError::Draw(e.to_string())
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    pub(crate) fn new(
        area: &'a DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
        target: Target,
        width: f64,
        height: f64,
    ) -> Self {
        Canvas {
            area,
            scale,
            target,
            width,
            height,
        }
    }

    fn px(&self, v: f64) -> i32 {
        // Chart coordinates are small (a few thousand pixels at most).
        (v * self.scale).round() as i32
    }

    fn pt(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.px(x), self.px(y))
    }

    fn width_px(&self, w: f64) -> u32 {
        (w * self.scale).round().max(1.0) as u32
    }

    /// Fills the whole canvas.
    pub(crate) fn fill(&self, c: Rgb) -> Result<(), PlotError> {
        self.area.fill(&color(c)).map_err(draw_err)
    }

    /// A filled rectangle between two corners, optionally outlined.
    pub(crate) fn rect(
        &self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        fill: Option<Rgb>,
        outline: Option<Stroke>,
    ) -> Result<(), PlotError> {
        let (a, b) = (
            self.pt((x0.min(x1), y0.min(y1))),
            self.pt((x0.max(x1), y0.max(y1))),
        );
        if let Some(f) = fill {
            self.area
                .draw(&Rectangle::new([a, b], color(f).filled()))
                .map_err(draw_err)?;
        }
        if let Some(s) = outline {
            self.area
                .draw(&Rectangle::new(
                    [a, b],
                    color(s.color).stroke_width(self.width_px(s.width)),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    }

    /// A polyline.
    pub(crate) fn line(&self, points: &[(f64, f64)], stroke: Stroke) -> Result<(), PlotError> {
        let pts: Vec<(i32, i32)> = points.iter().map(|&p| self.pt(p)).collect();
        self.area
            .draw(&PathElement::new(
                pts,
                color(stroke.color).stroke_width(self.width_px(stroke.width)),
            ))
            .map_err(draw_err)
    }

    /// A dashed straight line.
    pub(crate) fn dashed(
        &self,
        from: (f64, f64),
        to: (f64, f64),
        stroke: Stroke,
        dash: f64,
    ) -> Result<(), PlotError> {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len <= 0.0 {
            return Ok(());
        }
        let mut t = 0.0;
        while t < len {
            let t1 = (t + dash).min(len);
            let a = (from.0 + dx * t / len, from.1 + dy * t / len);
            let b = (from.0 + dx * t1 / len, from.1 + dy * t1 / len);
            self.line(&[a, b], stroke)?;
            t += 2.0 * dash;
        }
        Ok(())
    }

    /// A circle, filled and/or outlined.
    pub(crate) fn circle(
        &self,
        center: (f64, f64),
        radius: f64,
        fill: Option<Rgb>,
        outline: Option<Stroke>,
    ) -> Result<(), PlotError> {
        let c = self.pt(center);
        let r = self.width_px(radius);
        if let Some(f) = fill {
            self.area
                .draw(&Circle::new(c, r, color(f).filled()))
                .map_err(draw_err)?;
        }
        if let Some(s) = outline {
            self.area
                .draw(&Circle::new(
                    c,
                    r,
                    color(s.color).stroke_width(self.width_px(s.width)),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    }

    /// Diagonal hatching inside a rectangle (lines at 45°, `spacing` apart).
    pub(crate) fn hatch(
        &self,
        (xa, ya): (f64, f64),
        (xb, yb): (f64, f64),
        stroke: Stroke,
        spacing: f64,
    ) -> Result<(), PlotError> {
        let (x0, x1) = (xa.min(xb), xa.max(xb));
        let (y0, y1) = (ya.min(yb), ya.max(yb));
        let (w, h) = (x1 - x0, y1 - y0);
        if w <= 1.0 || h <= 1.0 || spacing <= 0.0 {
            return Ok(());
        }
        // Lines x + y = x0 + y0 + d, clipped to the rectangle.
        let mut d = spacing / 2.0;
        while d < w + h {
            let start = (x0 + (d - h).max(0.0), y0 + d.min(h));
            let end = (x0 + d.min(w), y0 + (d - w).max(0.0));
            self.line(&[start, end], stroke)?;
            d += spacing;
        }
        Ok(())
    }

    /// Width of a text in logical pixels (measured with the embedded font).
    pub(crate) fn text_width(&self, text: &str, font: Font) -> f64 {
        super::font::text_width(text, font.size, font.bold)
            // A rough estimate if the font cannot load (never expected).
            .unwrap_or(text.chars().count() as f64 * font.size * 0.6)
    }

    /// Draws `text` with its baseline at `y` (logical pixels).
    pub(crate) fn text(
        &self,
        text: &str,
        (x, y): (f64, f64),
        font: Font,
        anchor: Anchor,
    ) -> Result<(), PlotError> {
        let width = self.text_width(text, font);
        let left = match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - width / 2.0,
            Anchor::End => x - width,
        };
        match self.target {
            Target::Svg => self.svg_text(text, (left, y), font),
            Target::Bitmap => self.bitmap_text(text, (left, y), font),
        }
    }

    /// The muted "no estimates to show" notice, centred in `area`, that a
    /// chart draws instead of an empty plot.
    pub(crate) fn no_estimates(
        &self,
        lang: crate::codebook::Language,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
    ) -> Result<(), PlotError> {
        let msg = match lang {
            crate::codebook::Language::Es => "Sin estimaciones para mostrar",
            crate::codebook::Language::En => "No estimates to show",
        };
        self.text(
            msg,
            ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
            Font::new(super::frame::LABEL_SIZE, crate::present::style::MUTED),
            Anchor::Middle,
        )
    }

    /// SVG: a `<text>` element; plotters places its baseline 0.76 em below
    /// the given point and writes `font-size = size / 1.24`.
    fn svg_text(
        &self,
        text: &str,
        (left, baseline): (f64, f64),
        font: Font,
    ) -> Result<(), PlotError> {
        let em = font.size * self.scale;
        let style = if font.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        let mut ts = TextStyle::from((FAMILY, em * 1.24, style).into_font())
            .pos(Pos::new(HPos::Left, VPos::Top));
        ts.color = color(font.color).to_backend_color();
        let top = baseline - 0.76 * font.size;
        self.area
            .draw_text(text, &ts, self.pt((left, top)))
            .map_err(draw_err)
    }

    /// Bitmap: glyphs rasterised with the embedded font and blended pixel by
    /// pixel (plotters' own bitmap text ignores side bearings).
    fn bitmap_text(
        &self,
        text: &str,
        (left, baseline): (f64, f64),
        font: Font,
    ) -> Result<(), PlotError> {
        use ab_glyph::{Font as _, ScaleFont as _, point};
        let face = super::font::face(font.bold)?;
        let scaled = face.as_scaled(super::font::px_scale(face, font.size * self.scale));
        let (r, g, b) = (font.color.0, font.color.1, font.color.2);
        let mut caret = (left * self.scale) as f32;
        let base = (baseline * self.scale) as f32;
        let mut prev = None;
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scaled.scale(), point(caret, base));
            caret += scaled.h_advance(id);
            prev = Some(id);
            let Some(outline) = face.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (ox, oy) = (bounds.min.x as i32, bounds.min.y as i32);
            let mut result = Ok(());
            outline.draw(|gx, gy, coverage| {
                if coverage <= 0.0 || result.is_err() {
                    return;
                }
                let pixel = (ox + gx as i32, oy + gy as i32);
                let c = RGBAColor(r, g, b, f64::from(coverage.min(1.0)));
                result = self.area.draw_pixel(pixel, &c).map_err(draw_err);
            });
            result?;
        }
        Ok(())
    }

    /// Draws `text` centred vertically on `y` (for labels beside marks).
    pub(crate) fn text_mid(
        &self,
        text: &str,
        (x, y): (f64, f64),
        font: Font,
        anchor: Anchor,
    ) -> Result<(), PlotError> {
        // Cap height of DejaVu Sans is 0.73 em: centre the capitals.
        self.text(text, (x, y + 0.365 * font.size), font, anchor)
    }

    /// Splits `text` into at most `max_lines` lines no wider than `width`
    /// (breaking at spaces); the last line is cut with "…" if needed.
    pub(crate) fn wrap(&self, text: &str, font: Font, width: f64, max_lines: usize) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if self.text_width(&candidate, font) <= width || current.is_empty() {
                current = candidate;
            } else {
                lines.push(std::mem::take(&mut current));
                current = word.to_owned();
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines {
            let rest = lines.split_off(max_lines - 1).join(" ");
            lines.push(rest);
        }
        if let Some(last) = lines.last_mut()
            && self.text_width(last, font) > width
        {
            *last = self.ellipsize(last, font, width);
        }
        lines
    }

    /// Cuts `text` with "…" to fit `width`.
    pub(crate) fn ellipsize(&self, text: &str, font: Font, width: f64) -> String {
        if self.text_width(text, font) <= width {
            return text.to_owned();
        }
        let chars: Vec<char> = text.chars().collect();
        let mut n = chars.len();
        while n > 1 {
            n -= 1;
            let cut: String = chars[..n].iter().collect::<String>().trim_end().to_owned() + "…";
            if self.text_width(&cut, font) <= width {
                return cut;
            }
        }
        "…".to_owned()
    }
}

/// A linear map from data values to logical pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub(crate) fn new((d0, d1): (f64, f64), (r0, r1): (f64, f64)) -> Self {
        Scale { d0, d1, r0, r1 }
    }

    pub(crate) fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// "Nice" ticks covering `[lo, hi]`: about `target` steps of 1, 2, 2.5 or 5
/// times a power of ten. Returns the widened domain and the ticks.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> ((f64, f64), Vec<f64>, f64) {
    let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
    if !lo.is_finite() || !hi.is_finite() {
        return ((0.0, 1.0), vec![0.0, 0.5, 1.0], 0.5);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.75)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut k = 0.0;
    loop {
        let t = start + k * step;
        if t > end + step * 1e-9 {
            break;
        }
        // Avoid "-0" and float dust such as 0.30000000000000004.
        let t = (t / step).round() * step;
        ticks.push(if t == 0.0 { 0.0 } else { t });
        k += 1.0;
    }
    ((start, end), ticks, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_cover_the_range() {
        let ((a, b), ticks, step) = nice_ticks(0.0, 4_120.0, 5);
        assert_eq!(step, 1000.0);
        assert_eq!((a, b), (0.0, 5000.0));
        assert_eq!(ticks, vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]);

        let ((a, b), ticks, step) = nice_ticks(0.12, 0.38, 5);
        assert!((step - 0.05).abs() < 1e-12);
        assert!((a - 0.1).abs() < 1e-12 && (b - 0.4).abs() < 1e-12);
        assert_eq!(ticks.len(), 7); // 0,10 … 0,40

        let ((a, b), _, _) = nice_ticks(5.0, 5.0, 4);
        assert!(a < 5.0 && b > 5.0);
    }

    #[test]
    fn scale_maps_linearly_and_inverts() {
        let s = Scale::new((0.0, 10.0), (100.0, 0.0));
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(10.0), 0.0);
        assert_eq!(s.map(2.5), 75.0);
    }
}
