//! Dot-and-whisker (forest) plot of domain estimates.

use plotters::prelude::DrawingBackend;

use super::bars::{estimate_legend, estimate_title};
use super::canvas::{Anchor, Canvas, Font, Scale, Stroke, nice_ticks};
use super::data::{PointSeries, estimate_chart_api};
use super::frame::{Frame, LABEL_SIZE, LegendItem, SMALL_SIZE, SUBTITLE_SIZE, Swatch};
use super::{ChartOptions, Draw, PlotError, chart_api};
use crate::codebook::Language;
use crate::estimate::EstimateTable;
use crate::present::format::axis_labels;
use crate::present::style::{ACCENT, AXIS, BAND, GRID, INK, MUTED, PRIMARY, Tone};

/// One row per domain: a dot at the estimate and a horizontal whisker for
/// its confidence interval, with the numbers printed on the right
/// (`2.812 (2.650 – 2.974)`). Long domain names fit on the left, which makes
/// this the chart of choice for many domains. Hollow grey dots mark
/// estimates that are not reliable, light dots those to use with caution.
#[derive(Debug, Clone)]
pub struct DotChart {
    pub(crate) series: PointSeries,
    pub(crate) opts: ChartOptions,
    reference: Option<(f64, String)>,
}

chart_api!(DotChart);
estimate_chart_api!(DotChart);

impl DotChart {
    /// A row per estimate of `table` (usually one per domain of a `by`).
    /// A proportion table with several categories gives a row per domain
    /// and category; pick one with [`level`](Self::level).
    pub fn new(table: &EstimateTable) -> Self {
        Self::from_series(PointSeries::from_table(table))
    }

    pub(crate) fn from_series(series: PointSeries) -> Self {
        DotChart {
            series,
            opts: ChartOptions::default(),
            reference: None,
        }
    }

    /// Draws a dashed vertical reference line, e.g. the municipal total or
    /// a published figure; `value` is in the estimate's scale (a proportion
    /// as 0.35, not 35).
    pub fn reference(mut self, value: f64, label: impl Into<String>) -> Self {
        self.reference = Some((value, label.into()));
        self
    }
}

fn dot_style(
    tone: Tone,
) -> (
    Option<crate::present::style::Rgb>,
    crate::present::style::Rgb,
) {
    match tone {
        Tone::Reliable | Tone::Unassessed => (Some(PRIMARY), PRIMARY),
        Tone::Caution => (Some(PRIMARY.lighten(0.75)), PRIMARY),
        Tone::Unreliable => (Some(crate::present::style::Rgb(255, 255, 255)), MUTED),
    }
}

impl Draw for DotChart {
    fn options(&self) -> &ChartOptions {
        &self.opts
    }

    fn default_title(&self) -> String {
        estimate_title(&self.series, self.opts.lang)
    }

    fn default_subtitle(&self) -> Option<String> {
        let level = (self.series.ci_level * 100.0).round();
        Some(match self.opts.lang {
            Language::Es => {
                format!("Punto: estimación; línea: intervalo de confianza al {level}\u{a0}%")
            }
            Language::En => format!("Dot: estimate; line: {level}% confidence interval"),
        })
    }

    fn frame(&self) -> Frame {
        let mut legend = estimate_legend(&self.series, self.opts.lang, true);
        if let Some((_, label)) = &self.reference {
            legend.push(LegendItem {
                label: label.clone(),
                swatch: Swatch::Line {
                    color: ACCENT,
                    dashed: true,
                },
            });
        }
        Frame {
            legend,
            ..Frame::default()
        }
    }

    fn text_table(&self) -> String {
        self.series.text_table(self.opts.lang)
    }

    fn draw_body<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
    ) -> Result<(), PlotError> {
        let lang = self.opts.lang;
        let s = &self.series;
        let k = s.factor();
        let n = s.points.len();
        if n == 0 {
            return c.no_estimates(lang, (x0, y0, x1, y1));
        }
        let label_font = Font::new(LABEL_SIZE, INK);
        let value_font = Font::new(SMALL_SIZE, INK);
        let head_font = Font::new(SMALL_SIZE, MUTED).bold();

        // Left: domain labels (at most 30 % of the width).
        let max_label = (x1 - x0) * 0.3;
        let labels: Vec<String> = s
            .points
            .iter()
            .map(|p| c.ellipsize(p.label.get(lang), label_font, max_label))
            .collect();
        let label_w = labels
            .iter()
            .map(|l| c.text_width(l, label_font))
            .fold(0.0, f64::max);
        // Right: "estimate (low – high)".
        let texts: Vec<String> = s
            .points
            .iter()
            .map(|p| {
                format!(
                    "{} ({} – {})",
                    s.value_label(p.estimate, lang),
                    s.value_label(p.ci_low, lang),
                    s.value_label(p.ci_high, lang)
                )
            })
            .collect();
        let header = match lang {
            Language::Es => format!("Estimación ({})", s.ci_name(lang)),
            Language::En => format!("Estimate ({})", s.ci_name(lang)),
        };
        let text_w = texts
            .iter()
            .map(|t| c.text_width(t, value_font))
            .fold(c.text_width(&header, head_font), f64::max);
        let px0 = x0 + label_w + 14.0;
        let px1 = x1 - text_w - 18.0;

        let lo = s
            .points
            .iter()
            .map(|p| p.ci_low.min(p.estimate) * k)
            .chain(self.reference.iter().map(|(v, _)| v * k))
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        let hi = s
            .points
            .iter()
            .map(|p| p.ci_high.max(p.estimate) * k)
            .chain(self.reference.iter().map(|(v, _)| v * k))
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        // Proportions and counts start at zero when close to it.
        let lo = if lo >= 0.0 && lo < (hi - lo) * 0.6 {
            0.0
        } else {
            lo
        };
        let ((d0, d1), ticks, step) = nice_ticks(lo, hi, 5);

        let axis_h = LABEL_SIZE * 2.2
            + if s.axis_title(lang).is_empty() {
                0.0
            } else {
                SUBTITLE_SIZE * 1.6
            };
        let top = y0 + SMALL_SIZE * 1.8;
        let bottom = y1 - axis_h;
        let row_h = ((bottom - top) / n as f64).min(44.0);
        let plot_bottom = top + row_h * n as f64;
        let xs = Scale::new((d0, d1), (px0, px1));

        // Light banding helps the eye follow a row (under everything else).
        for i in (1..n).step_by(2) {
            let y = top + row_h * i as f64;
            c.rect((px0, y), (px1, y + row_h), Some(BAND), None)?;
        }
        // Column header of the numbers.
        c.text(&header, (x1, top - 6.0), head_font, Anchor::End)?;
        // Grid and ticks.
        let tick_font = Font::new(LABEL_SIZE, MUTED);
        let tick_labels = axis_labels(&ticks, step, lang);
        for (t, label) in ticks.iter().zip(&tick_labels) {
            let x = xs.map(*t);
            let stroke = if *t == 0.0 {
                Stroke::new(AXIS, 1.2)
            } else {
                Stroke::new(GRID, 1.0)
            };
            c.line(&[(x, top), (x, plot_bottom)], stroke)?;
            c.text(
                label,
                (x, plot_bottom + LABEL_SIZE + 6.0),
                tick_font,
                Anchor::Middle,
            )?;
        }
        c.line(
            &[(px0, plot_bottom), (px1, plot_bottom)],
            Stroke::new(AXIS, 1.0),
        )?;
        let unit = s.axis_title(lang);
        if !unit.is_empty() {
            c.text(
                &unit,
                (
                    (px0 + px1) / 2.0,
                    plot_bottom + LABEL_SIZE * 2.2 + SUBTITLE_SIZE,
                ),
                Font::new(SUBTITLE_SIZE, MUTED),
                Anchor::Middle,
            )?;
        }
        if let Some((v, _)) = &self.reference {
            let x = xs.map(v * k);
            c.dashed((x, top), (x, plot_bottom), Stroke::new(ACCENT, 1.6), 5.0)?;
        }

        let radius = (row_h * 0.2).clamp(3.0, 6.0);
        for (i, p) in s.points.iter().enumerate() {
            let y = top + row_h * (i as f64 + 0.5);
            let muted = p.tone == Tone::Unreliable;
            let font = if muted {
                Font::new(LABEL_SIZE, MUTED)
            } else {
                label_font
            };
            c.text_mid(&labels[i], (px0 - 10.0, y), font, Anchor::End)?;
            let (wl, wh) = (xs.map(p.ci_low * k), xs.map(p.ci_high * k));
            let whisker = if muted { MUTED } else { INK };
            if wl.is_finite() && wh.is_finite() {
                let st = Stroke::new(whisker, 1.6);
                c.line(&[(wl, y), (wh, y)], st)?;
                c.line(&[(wl, y - radius), (wl, y + radius)], st)?;
                c.line(&[(wh, y - radius), (wh, y + radius)], st)?;
            }
            if p.estimate.is_finite() {
                let (fill, outline) = dot_style(p.tone);
                c.circle(
                    (xs.map(p.estimate * k), y),
                    radius,
                    fill,
                    Some(Stroke::new(outline, 1.8)),
                )?;
            }
            let vf = if muted {
                Font::new(SMALL_SIZE, MUTED)
            } else {
                value_font
            };
            c.text_mid(&texts[i], (x1, y), vf, Anchor::End)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::chart::data::sample;

    #[test]
    fn one_dot_per_domain_and_printed_intervals() -> Result<(), PlotError> {
        let chart = DotChart::from_series(sample::series()).reference(2700.0, "Total municipal");
        let svg = chart.to_svg()?;
        // Each filled-and-outlined dot is two <circle>s: 9 rows, then the
        // legend's reliable and caution dots (2 each) and hollow dot (1).
        assert_eq!(svg.matches("<circle").count(), 2 * 9 + 2 + 2 + 1);
        assert!(svg.contains("3.250 (3.093 – 3.407)"));
        assert!(svg.contains("Total municipal"));
        let dir = std::env::temp_dir().join("lapaz-present-unit");
        std::fs::create_dir_all(&dir).map_err(|e| PlotError::Draw(e.to_string()))?;
        chart.save_png(dir.join("dots.png"))?;
        chart.save_svg(dir.join("dots.svg"))?;
        Ok(())
    }
}
