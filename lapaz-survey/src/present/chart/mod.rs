//! Charts of survey estimates and weighted data, drawn with plotters in the
//! house style and shown inline in notebooks, saved as SVG or PNG.
//!
//! | chart | shows | built from |
//! |---|---|---|
//! | [`BarChart`] | one estimate per domain, bars with CI whiskers | estimates by domain |
//! | [`DotChart`] | dot-and-whisker (forest) plot of domain estimates | estimates by domain |
//! | [`Histogram`] | distribution of a numeric variable, weighted | data + weights |
//! | [`Pyramid`] | population by sex and age group, weighted | data + weights |
//! | [`StackedBars`] | shares of a categorical variable by domain, weighted | data + weights |
//!
//! Every chart has the same finishing methods: `title`, `subtitle`, `note`,
//! `language` (Spanish by default), `size`, then `to_svg`, `to_png`,
//! `save_svg`, `save_png`, `to_html` and, with the `notebook` feature,
//! `evcxr_display` (a chart at the end of a cell is drawn inline).
//!
//! Text is drawn with an embedded copy of DejaVu Sans, so PNGs look the
//! same on every machine and no system fonts are needed. Estimates that a
//! reliability flag marks as not reliable are drawn hatched (caution) or
//! hatched grey (not reliable), and a legend explains them.

mod bars;
mod canvas;
mod columns;
mod data;
mod dots;
mod font;
mod frame;
mod histogram;
mod png;
mod pyramid;
mod stacked;

use std::path::Path;

use plotters::prelude::*;

pub use bars::BarChart;
pub use dots::DotChart;
pub use histogram::Histogram;
pub use pyramid::Pyramid;
pub use stacked::StackedBars;

use super::error::PlotError;
use super::html::{Html, escape};
use crate::codebook::Language;
use canvas::{Canvas, Target};
use frame::Frame;

/// Default chart width in logical pixels.
pub const DEFAULT_WIDTH: u32 = 760;
/// Default chart height in logical pixels.
pub const DEFAULT_HEIGHT: u32 = 440;
/// Resolution multiplier of PNG (and SVG coordinates): 2 gives crisp
/// images on high-density screens and in printed reports.
const SCALE: f64 = 2.0;

/// Settings shared by every chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartOptions {
    pub lang: Language,
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub note: Option<String>,
    pub width: u32,
    pub height: u32,
    /// Notes the data add (synthetic data, subpopulation), both languages.
    pub data_notes: Vec<crate::design::Label>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            lang: Language::Es,
            title: None,
            subtitle: None,
            note: None,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
            data_notes: Vec::new(),
        }
    }
}

/// What each chart kind provides to the shared renderer.
pub(crate) trait Draw {
    /// The shared settings.
    fn options(&self) -> &ChartOptions;
    /// Title when the user gives none.
    fn default_title(&self) -> String;
    /// Subtitle when the user gives none.
    fn default_subtitle(&self) -> Option<String>;
    /// The frame (title, legend, notes) around the body.
    fn frame(&self) -> Frame;
    /// Draws the chart body inside `area` (x0, y0, x1, y1 in logical px).
    fn draw_body<DB: DrawingBackend>(
        &self,
        canvas: &Canvas<'_, DB>,
        area: (f64, f64, f64, f64),
    ) -> Result<(), PlotError>;
    /// The chart's numbers as a plain-text table.
    fn text_table(&self) -> String;
}

fn title_of<C: Draw>(chart: &C) -> String {
    chart
        .options()
        .title
        .clone()
        .unwrap_or_else(|| chart.default_title())
}

fn subtitle_of<C: Draw>(chart: &C) -> Option<String> {
    chart
        .options()
        .subtitle
        .clone()
        .or_else(|| chart.default_subtitle())
}

fn draw_all<C: Draw, DB: DrawingBackend>(
    chart: &C,
    root: &DrawingArea<DB, plotters::coord::Shift>,
    target: Target,
) -> Result<(), PlotError> {
    let o = chart.options();
    let canvas = Canvas::new(root, SCALE, target, f64::from(o.width), f64::from(o.height));
    let mut frame = chart.frame();
    frame.title = title_of(chart);
    frame.subtitle = subtitle_of(chart);
    for n in &o.data_notes {
        frame.notes.push(n.get(o.lang).to_owned());
    }
    if let Some(n) = &o.note {
        frame.notes.push(n.clone());
    }
    let body = frame.draw(&canvas)?;
    chart.draw_body(&canvas, body)?;
    root.present().map_err(|e| PlotError::Draw(e.to_string()))
}

fn device_size(o: &ChartOptions) -> (u32, u32) {
    let w = (f64::from(o.width.max(200)) * SCALE).round() as u32;
    let h = (f64::from(o.height.max(150)) * SCALE).round() as u32;
    (w, h)
}

pub(crate) fn render_svg<C: Draw>(chart: &C) -> Result<String, PlotError> {
    font::face(false)?;
    let o = chart.options();
    let (w, h) = device_size(o);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_all(chart, &root, Target::Svg)?;
    }
    // Drawn at twice the size for sub-pixel precision; shown at the
    // logical size (the viewBox keeps the drawing coordinates).
    let opening = format!("<svg width=\"{w}\" height=\"{h}\"");
    let title = title_of(chart);
    let replacement = format!(
        "<svg width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\"",
        o.width.max(200),
        o.height.max(150),
        escape(&title)
    );
    let svg = svg.replacen(&opening, &replacement, 1);
    // An accessible title as the first child.
    let svg = match svg.find('>') {
        Some(end) => format!(
            "{}<title>{}</title>{}",
            &svg[..=end],
            escape(&title),
            &svg[end + 1..]
        ),
        None => svg,
    };
    Ok(svg)
}

pub(crate) fn render_png<C: Draw>(chart: &C) -> Result<Vec<u8>, PlotError> {
    font::face(false)?;
    let (w, h) = device_size(chart.options());
    let mut pixels = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw_all(chart, &root, Target::Bitmap)?;
    }
    // Drawn at twice the logical size: 144 dpi prints at the logical size.
    png::encode_rgb(&pixels, w, h, 72.0 * SCALE)
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    std::fs::write(path, bytes).map_err(|source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn render_html<C: Draw>(chart: &C) -> Result<Html, PlotError> {
    let svg = render_svg(chart)?;
    let text = format!("{}\n{}", title_of(chart), chart.text_table());
    Ok(Html::styled(
        &format!("<div class=\"chart\">{svg}</div>"),
        text,
    ))
}

/// Implements the finishing methods shared by every chart type.
macro_rules! chart_api {
    ($t:ty) => {
        impl $t {
            /// Replaces the default title.
            pub fn title(mut self, title: impl Into<String>) -> Self {
                self.opts.title = Some(title.into());
                self
            }

            /// Replaces the default subtitle (the line under the title).
            pub fn subtitle(mut self, subtitle: impl Into<String>) -> Self {
                self.opts.subtitle = Some(subtitle.into());
                self
            }

            /// Adds a footnote, e.g. the data source.
            pub fn note(mut self, note: impl Into<String>) -> Self {
                self.opts.note = Some(note.into());
                self
            }

            /// Language of the default texts and number format (Spanish by
            /// default).
            pub fn language(mut self, lang: $crate::codebook::Language) -> Self {
                self.opts.lang = lang;
                self
            }

            /// Size in logical pixels (the PNG has twice as many); at least
            /// 200 × 150.
            pub fn size(mut self, width: u32, height: u32) -> Self {
                self.opts.width = width.max(200);
                self.opts.height = height.max(150);
                self
            }

            /// The chart as an SVG document.
            pub fn to_svg(&self) -> Result<String, $crate::present::PlotError> {
                $crate::present::chart::render_svg(self)
            }

            /// The chart as a PNG image (twice the logical size).
            pub fn to_png(&self) -> Result<Vec<u8>, $crate::present::PlotError> {
                $crate::present::chart::render_png(self)
            }

            /// Writes the chart as an SVG file.
            pub fn save_svg(
                &self,
                path: impl AsRef<std::path::Path>,
            ) -> Result<(), $crate::present::PlotError> {
                let svg = self.to_svg()?;
                $crate::present::chart::write_file(path.as_ref(), svg.as_bytes())
            }

            /// Writes the chart as a PNG file.
            pub fn save_png(
                &self,
                path: impl AsRef<std::path::Path>,
            ) -> Result<(), $crate::present::PlotError> {
                let png = self.to_png()?;
                $crate::present::chart::write_file(path.as_ref(), &png)
            }

            /// The chart as an HTML fragment (inline SVG) with a text
            /// fallback listing its numbers.
            pub fn to_html(&self) -> Result<$crate::present::Html, $crate::present::PlotError> {
                $crate::present::chart::render_html(self)
            }

            /// Draws the chart inline in an evcxr notebook cell. A drawing
            /// error is shown in the cell and printed to standard error.
            #[cfg(feature = "notebook")]
            pub fn evcxr_display(&self) {
                match self.to_html() {
                    Ok(html) => html.evcxr_display(),
                    Err(e) => $crate::present::display::show_error(&e),
                }
            }
        }
    };
}
pub(crate) use chart_api;
