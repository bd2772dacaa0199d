//! The frame shared by every chart: background, title, subtitle, legend and
//! footnotes. It returns the area left for the chart body.

use plotters::prelude::DrawingBackend;

use super::PlotError;
use super::canvas::{Anchor, Canvas, Font, Stroke};
use crate::codebook::Language;
use crate::present::format::format_count;
use crate::present::style::{INK, MUTED, Rgb};

/// Left/right page margin in logical pixels.
pub(crate) const MARGIN: f64 = 18.0;
/// Title size.
pub(crate) const TITLE_SIZE: f64 = 17.0;
/// Subtitle, axis titles.
pub(crate) const SUBTITLE_SIZE: f64 = 12.5;
/// Tick labels and legend.
pub(crate) const LABEL_SIZE: f64 = 12.0;
/// Footnotes and value labels.
pub(crate) const SMALL_SIZE: f64 = 11.0;

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Swatch {
    /// A filled box, hatched or not.
    Fill { color: Rgb, hatch: Option<Rgb> },
    /// A confidence-interval whisker.
    Whisker(Rgb),
    /// A point, filled or hollow.
    Dot { fill: Option<Rgb>, outline: Rgb },
    /// A reference line.
    Line { color: Rgb, dashed: bool },
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Title, legend and notes around a chart body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frame {
    pub title: String,
    pub subtitle: Option<String>,
    pub legend: Vec<LegendItem>,
    pub notes: Vec<String>,
}

impl Frame {
    /// Draws the frame; returns the body area `(x0, y0, x1, y1)`.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
    ) -> Result<(f64, f64, f64, f64), PlotError> {
        c.fill(Rgb(255, 255, 255))?;
        let inner = c.width - 2.0 * MARGIN;
        let mut y = 8.0;

        let title_font = Font::new(TITLE_SIZE, INK).bold();
        for line in c.wrap(&self.title, title_font, inner, 2) {
            y += TITLE_SIZE * 1.3;
            c.text(&line, (MARGIN, y), title_font, Anchor::Start)?;
        }
        if let Some(sub) = &self.subtitle {
            let font = Font::new(SUBTITLE_SIZE, MUTED);
            for line in c.wrap(sub, font, inner, 2) {
                y += SUBTITLE_SIZE * 1.45;
                c.text(&line, (MARGIN, y), font, Anchor::Start)?;
            }
        }
        if !self.legend.is_empty() {
            y += 8.0;
            y = self.draw_legend(c, y)?;
        }

        // Notes from the bottom up.
        let note_font = Font::new(SMALL_SIZE, MUTED);
        let mut note_lines = Vec::new();
        for note in &self.notes {
            note_lines.extend(c.wrap(note, note_font, inner, 3));
        }
        let line_height = SMALL_SIZE * 1.35;
        let mut bottom = c.height - 10.0;
        let first_note_baseline = bottom - line_height * (note_lines.len() as f64 - 1.0);
        for (i, line) in note_lines.iter().enumerate() {
            let baseline = first_note_baseline + line_height * i as f64;
            c.text(line, (MARGIN, baseline), note_font, Anchor::Start)?;
        }
        if !note_lines.is_empty() {
            bottom = first_note_baseline - SMALL_SIZE - 8.0;
        }
        Ok((MARGIN, y + 12.0, c.width - MARGIN, bottom))
    }

    /// Legend entries in a row (wrapping); returns the last baseline.
    fn draw_legend<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        top: f64,
    ) -> Result<f64, PlotError> {
        let font = Font::new(LABEL_SIZE, INK);
        let row_height = LABEL_SIZE * 1.6;
        let mut x = MARGIN;
        let mut baseline = top + LABEL_SIZE;
        for item in &self.legend {
            let w = 18.0 + 6.0 + c.text_width(&item.label, font) + 16.0;
            if x > MARGIN && x + w > c.width - MARGIN {
                x = MARGIN;
                baseline += row_height;
            }
            let mid = baseline - LABEL_SIZE * 0.36;
            draw_swatch(c, item.swatch, (x, mid))?;
            c.text(&item.label, (x + 24.0, baseline), font, Anchor::Start)?;
            x += w;
        }
        Ok(baseline)
    }
}

/// Draws a legend swatch 18 px wide centred vertically on `mid`.
pub(crate) fn draw_swatch<DB: DrawingBackend>(
    c: &Canvas<'_, DB>,
    swatch: Swatch,
    (x, mid): (f64, f64),
) -> Result<(), PlotError> {
    match swatch {
        Swatch::Fill { color, hatch } => {
            let (a, b) = ((x, mid - 6.0), (x + 18.0, mid + 6.0));
            c.rect(a, b, Some(color), None)?;
            if let Some(h) = hatch {
                c.hatch(a, b, Stroke::new(h, 1.1), 4.5)?;
                c.rect(a, b, None, Some(Stroke::new(h, 1.0)))?;
            }
        }
        Swatch::Whisker(color) => {
            let s = Stroke::new(color, 1.5);
            c.line(&[(x + 2.0, mid), (x + 16.0, mid)], s)?;
            c.line(&[(x + 2.0, mid - 5.0), (x + 2.0, mid + 5.0)], s)?;
            c.line(&[(x + 16.0, mid - 5.0), (x + 16.0, mid + 5.0)], s)?;
        }
        Swatch::Dot { fill, outline } => {
            c.circle((x + 9.0, mid), 5.0, fill, Some(Stroke::new(outline, 1.6)))?;
        }
        Swatch::Line { color, dashed } => {
            let s = Stroke::new(color, 1.6);
            if dashed {
                c.dashed((x, mid), (x + 18.0, mid), s, 4.0)?;
            } else {
                c.line(&[(x, mid), (x + 18.0, mid)], s)?;
            }
        }
    }
    Ok(())
}

/// `1 caso`, `785 casos` / `1 case`, `785 cases`.
pub(crate) fn cases(n: usize, lang: Language) -> String {
    let count = format_count(n as f64, lang);
    match (lang, n) {
        (Language::Es, 1) => format!("{count} caso"),
        (Language::Es, _) => format!("{count} casos"),
        (Language::En, 1) => format!("{count} case"),
        (Language::En, _) => format!("{count} cases"),
    }
}

/// `Se excluyen 785 casos sin dato` / `785 cases without a value are
/// excluded` (no final period).
pub(crate) fn excluded(n: usize, what_es: &str, what_en: &str, lang: Language) -> String {
    match lang {
        Language::Es => format!(
            "Se excluye{} {} {what_es}",
            if n == 1 { "" } else { "n" },
            cases(n, lang)
        ),
        Language::En => format!(
            "{} {what_en} {} excluded",
            cases(n, lang),
            if n == 1 { "is" } else { "are" }
        ),
    }
}
