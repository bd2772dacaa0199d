//! The embedded font: DejaVu Sans (regular and bold), compiled into the
//! crate so that charts never depend on the fonts installed on a machine.
//! See `assets/README.md` for its origin and licence.
//!
//! Text is measured with this font for every output, and drawn with it
//! (through `ab_glyph`) into PNGs. SVG files name the same family and leave
//! drawing to the viewer.

use std::sync::OnceLock;

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _};

use super::PlotError;

/// The font family written in SVG files (viewers use the first they have).
pub(crate) const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

static REGULAR_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static BOLD_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");

static REGULAR: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
static BOLD: OnceLock<Option<FontRef<'static>>> = OnceLock::new();

/// The regular or bold face.
pub(crate) fn face(bold: bool) -> Result<&'static FontRef<'static>, PlotError> {
    let (cell, bytes) = if bold {
        (&BOLD, BOLD_BYTES)
    } else {
        (&REGULAR, REGULAR_BYTES)
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).ok())
        .as_ref()
        .ok_or(PlotError::Font)
}

/// ab_glyph's scale for a CSS font size (em) in pixels: ab_glyph scales by
/// the height `ascent − descent`, CSS by the em.
pub(crate) fn px_scale(font: &FontRef<'static>, em: f64) -> PxScale {
    let units = font.units_per_em().unwrap_or(2048.0);
    let height = font.height_unscaled();
    // Chart font sizes are small positive numbers: the cast is exact enough.
    PxScale::from((em * f64::from(height) / f64::from(units)) as f32)
}

/// Advance width of `text` at a CSS font size of `em` pixels, kerning
/// included.
pub(crate) fn text_width(text: &str, em: f64, bold: bool) -> Result<f64, PlotError> {
    let font = face(bold)?;
    let scaled = font.as_scaled(px_scale(font, em));
    let mut width = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    Ok(f64::from(width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_load_and_cover_spanish() -> Result<(), PlotError> {
        for bold in [false, true] {
            let font = face(bold)?;
            for c in "áéíóúñÁÉÍÓÚÑüÜ¿¡°±×–—…≤≥".chars() {
                assert_ne!(font.glyph_id(c).0, 0, "missing glyph {c}");
            }
        }
        Ok(())
    }

    #[test]
    fn width_grows_with_text_and_size() -> Result<(), PlotError> {
        let a = text_width("Periférica", 12.0, false)?;
        let b = text_width("Periférica", 24.0, false)?;
        assert!(a > 40.0 && a < 90.0, "{a}");
        assert!((b / a - 2.0).abs() < 0.01);
        assert!(text_width("Periférica", 12.0, true)? > a);
        Ok(())
    }
}
