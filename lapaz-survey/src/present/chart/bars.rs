//! Bar chart of one estimate per domain, with confidence-interval whiskers.

use plotters::prelude::DrawingBackend;

use super::canvas::{Anchor, Canvas, Font, Scale, Stroke, nice_ticks};
use super::data::{PointSeries, estimate_chart_api, tone_label};
use super::frame::{Frame, LABEL_SIZE, LegendItem, SMALL_SIZE, SUBTITLE_SIZE, Swatch};
use super::{ChartOptions, Draw, PlotError, chart_api};
use crate::codebook::Language;
use crate::estimate::EstimateTable;
use crate::present::estimates::LowercaseFirst as _;
use crate::present::format::axis_labels;
use crate::present::style::{AXIS, GRID, INK, MUTED, PRIMARY, Tone};

/// Vertical bars, one per domain, with the confidence interval of each
/// estimate as a whisker and the value above it. Estimates flagged "use with
/// caution" are drawn lighter and hatched, "not reliable" ones grey and
/// hatched; the legend says what each look means.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub(crate) series: PointSeries,
    pub(crate) opts: ChartOptions,
    show_values: bool,
}

chart_api!(BarChart);
estimate_chart_api!(BarChart);

impl BarChart {
    /// A bar per estimate of `table` (usually one per domain of a `by`).
    /// A proportion table with several categories gives a bar per domain
    /// and category; pick one with [`level`](Self::level).
    pub fn new(table: &EstimateTable) -> Self {
        Self::from_series(PointSeries::from_table(table))
    }

    pub(crate) fn from_series(series: PointSeries) -> Self {
        BarChart {
            series,
            opts: ChartOptions::default(),
            show_values: true,
        }
    }

    /// Shows or hides the value labels above the bars (shown by default).
    pub fn values(mut self, show: bool) -> Self {
        self.show_values = show;
        self
    }
}

/// Title like "Ingreso laboral medio por macrodistrito".
pub(crate) fn estimate_title(series: &PointSeries, lang: Language) -> String {
    let measure = series.measure.get(lang);
    match series.domain_name(lang) {
        Some(d) => match lang {
            Language::Es => format!("{measure} por {}", d.to_lowercase_first()),
            Language::En => format!("{measure} by {}", d.to_lowercase_first()),
        },
        None => measure.to_owned(),
    }
}

/// Legend of the whisker and of the reliability tones that appear.
pub(crate) fn estimate_legend(series: &PointSeries, lang: Language, dots: bool) -> Vec<LegendItem> {
    let mut items = vec![LegendItem {
        label: series.ci_name(lang),
        swatch: Swatch::Whisker(INK),
    }];
    let tones = series.tones_present();
    if tones.iter().any(|t| *t != Tone::Reliable) {
        for tone in tones {
            let swatch = if dots {
                dot_swatch(tone)
            } else {
                Swatch::Fill {
                    color: tone.fill(PRIMARY),
                    hatch: tone.hatched().then_some(hatch_color(tone)),
                }
            };
            items.push(LegendItem {
                label: tone_label(tone, lang).to_owned(),
                swatch,
            });
        }
    }
    items
}

pub(crate) fn dot_swatch(tone: Tone) -> Swatch {
    match tone {
        Tone::Reliable | Tone::Unassessed => Swatch::Dot {
            fill: Some(PRIMARY),
            outline: PRIMARY,
        },
        Tone::Caution => Swatch::Dot {
            fill: Some(PRIMARY.lighten(0.75)),
            outline: PRIMARY,
        },
        Tone::Unreliable => Swatch::Dot {
            fill: None,
            outline: MUTED,
        },
    }
}

/// Colour of the hatching lines of a tone.
pub(crate) fn hatch_color(tone: Tone) -> crate::present::style::Rgb {
    match tone {
        Tone::Unreliable => MUTED,
        _ => PRIMARY,
    }
}

impl Draw for BarChart {
    fn options(&self) -> &ChartOptions {
        &self.opts
    }

    fn default_title(&self) -> String {
        estimate_title(&self.series, self.opts.lang)
    }

    fn default_subtitle(&self) -> Option<String> {
        let lang = self.opts.lang;
        Some(match lang {
            Language::Es => format!(
                "Barras: estimación; líneas: intervalo de confianza al {}\u{a0}%",
                (self.series.ci_level * 100.0).round()
            ),
            Language::En => format!(
                "Bars: estimate; lines: {}% confidence interval",
                (self.series.ci_level * 100.0).round()
            ),
        })
    }

    fn frame(&self) -> Frame {
        Frame {
            legend: estimate_legend(&self.series, self.opts.lang, false),
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

        // Vertical extent: bars start at zero; whiskers may go beyond.
        let lo = s
            .points
            .iter()
            .map(|p| p.ci_low.min(p.estimate) * k)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        let hi = s
            .points
            .iter()
            .map(|p| p.ci_high.max(p.estimate) * k)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let headroom = (hi - lo) * 0.07;
        let ((d0, d1), ticks, step) = nice_ticks(lo, hi + headroom, 5);

        let tick_font = Font::new(LABEL_SIZE, MUTED);
        let tick_labels: Vec<String> = axis_labels(&ticks, step, lang);
        let tick_w = tick_labels
            .iter()
            .map(|l| c.text_width(l, tick_font))
            .fold(0.0, f64::max);
        let px0 = x0 + tick_w + 10.0;
        let px1 = x1;

        // Category labels: wrapped to the slot, up to three lines.
        let slot = (px1 - px0) / n as f64;
        let label_font = Font::new(LABEL_SIZE, INK);
        let labels: Vec<Vec<String>> = s
            .points
            .iter()
            .map(|p| c.wrap(p.label.get(lang), label_font, slot - 6.0, 3))
            .collect();
        let max_lines = labels.iter().map(Vec::len).max().unwrap_or(1) as f64;
        let line_h = LABEL_SIZE * 1.25;
        let axis_title = s.domain_name(lang).unwrap_or_default();
        let title_h = if axis_title.is_empty() {
            0.0
        } else {
            SUBTITLE_SIZE * 1.8
        };
        let py1 = y1 - 8.0 - max_lines * line_h - title_h;
        let unit = s.axis_title(lang);
        let py0 = y0
            + if unit.is_empty() {
                4.0
            } else {
                SUBTITLE_SIZE * 1.6
            };
        let ys = Scale::new((d0, d1), (py1, py0));

        // Unit above the value axis.
        if !unit.is_empty() {
            c.text(
                &unit,
                (x0, y0 + SUBTITLE_SIZE * 0.9),
                Font::new(SUBTITLE_SIZE, MUTED),
                Anchor::Start,
            )?;
        }
        // Grid and tick labels.
        for (t, label) in ticks.iter().zip(&tick_labels) {
            let y = ys.map(*t);
            let stroke = if *t == 0.0 {
                Stroke::new(AXIS, 1.2)
            } else {
                Stroke::new(GRID, 1.0)
            };
            c.line(&[(px0, y), (px1, y)], stroke)?;
            c.text_mid(label, (px0 - 8.0, y), tick_font, Anchor::End)?;
        }

        let bar_w = (slot * 0.62).min(90.0);
        let cap = (slot * 0.2).min(12.0);
        let value_font = Font::new(SMALL_SIZE, INK);
        for (i, p) in s.points.iter().enumerate() {
            let cx = px0 + slot * (i as f64 + 0.5);
            let base = ys.map(0.0_f64.clamp(d0, d1));
            let top = ys.map(p.estimate * k);
            let fill = p.tone.fill(PRIMARY);
            let (a, b) = ((cx - bar_w / 2.0, top), (cx + bar_w / 2.0, base));
            if p.estimate.is_finite() {
                c.rect(a, b, Some(fill), None)?;
                if p.tone.hatched() {
                    let h = hatch_color(p.tone);
                    c.hatch(a, b, Stroke::new(h, 1.2), 7.0)?;
                    c.rect(a, b, None, Some(Stroke::new(h, 1.2)))?;
                }
            }
            // Whisker.
            let whisker = if p.tone == Tone::Unreliable {
                MUTED
            } else {
                INK
            };
            let (wl, wh) = (ys.map(p.ci_low * k), ys.map(p.ci_high * k));
            if wl.is_finite() && wh.is_finite() {
                let st = Stroke::new(whisker, 1.5);
                c.line(&[(cx, wl), (cx, wh)], st)?;
                c.line(&[(cx - cap / 2.0, wl), (cx + cap / 2.0, wl)], st)?;
                c.line(&[(cx - cap / 2.0, wh), (cx + cap / 2.0, wh)], st)?;
            }
            // Value label above the whisker (or the bar).
            if self.show_values && p.estimate.is_finite() {
                let text = s.value_label(p.estimate, lang);
                if c.text_width(&text, value_font) <= slot - 2.0 {
                    let above = wh.min(top).min(base);
                    let font = if p.tone == Tone::Unreliable {
                        Font::new(SMALL_SIZE, MUTED)
                    } else {
                        value_font
                    };
                    c.text(&text, (cx, above - 5.0), font, Anchor::Middle)?;
                }
            }
            // Category label.
            for (j, line) in labels[i].iter().enumerate() {
                let baseline = py1 + 6.0 + LABEL_SIZE + j as f64 * line_h;
                c.text(line, (cx, baseline), label_font, Anchor::Middle)?;
            }
        }
        if !axis_title.is_empty() {
            c.text(
                &axis_title,
                ((px0 + px1) / 2.0, y1 - 4.0),
                Font::new(SUBTITLE_SIZE, MUTED),
                Anchor::Middle,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::chart::data::sample;

    #[test]
    fn svg_has_one_bar_per_domain_and_spanish_text() -> Result<(), PlotError> {
        let chart = BarChart::from_series(sample::series());
        let svg = chart.to_svg()?;
        assert!(svg.starts_with("<svg width=\"760\" height=\"440\""));
        assert!(svg.contains("Ingreso laboral medio por macrodistrito"));
        assert!(svg.contains("Periférica"));
        assert!(svg.contains("No fiable"));
        assert!(svg.contains("IC 95"));
        Ok(())
    }

    #[test]
    fn png_is_written() -> Result<(), PlotError> {
        let chart = BarChart::from_series(sample::series());
        let png = chart.to_png()?;
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let dir = std::env::temp_dir().join("lapaz-present-unit");
        std::fs::create_dir_all(&dir).map_err(|e| PlotError::Draw(e.to_string()))?;
        chart.save_png(dir.join("bars.png"))?;
        chart.save_svg(dir.join("bars.svg"))?;
        chart
            .clone()
            .language(Language::En)
            .save_png(dir.join("bars-en.png"))?;
        Ok(())
    }
}
