//! Survey-weighted histogram of a numeric variable.

use plotters::prelude::DrawingBackend;
use polars::prelude::DataFrame;

use super::canvas::{Anchor, Canvas, Font, Scale, Stroke, nice_ticks};
use super::columns;
use super::frame::{Frame, LABEL_SIZE, SUBTITLE_SIZE, cases, excluded};
use super::{ChartOptions, Draw, PlotError, chart_api};
use crate::codebook::Language;
use crate::design::{Label, SurveyDesign};
use crate::present::estimates::LowercaseFirst as _;
use crate::present::format::{
    axis_labels, decimals_for, format_count, format_number, format_percent,
};
use crate::present::style::{AXIS, GRID, MUTED, PRIMARY, Rgb};
use crate::present::text::{self, Align};

/// Distribution of a numeric variable where each row counts with its survey
/// weight: bar heights are **estimated population** per interval (or its
/// percentage with [`percent`](Histogram::percent)), not sample counts.
/// Interval limits are round numbers; rows without a value are left out and
/// counted in a footnote.
///
/// ```
/// use lapaz_survey::polars::prelude::*;
/// use lapaz_survey::present::Histogram;
///
/// let df = df!(
///     "minutos" => [10.0, 25.0, 30.0, 45.0, 50.0, 90.0],
///     "factor"  => [120.0, 80.0, 100.0, 150.0, 90.0, 60.0],
/// )?;
/// let chart = Histogram::from_frame(&df, "minutos", "factor")?
///     .label("Tiempo de viaje (minutos)")
///     .bins(5);
/// let svg = chart.to_svg()?;
/// assert!(svg.contains("Tiempo de viaje (minutos)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Histogram {
    values: Vec<f64>,
    weights: Vec<f64>,
    missing_rows: usize,
    missing_weight: f64,
    label: Label,
    bins: usize,
    range: Option<(f64, f64)>,
    percent: bool,
    pub(crate) opts: ChartOptions,
}

chart_api!(Histogram);

/// Intervals and their weighted totals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bins {
    /// Interval limits (`edges.len() == totals.len() + 1`).
    pub edges: Vec<f64>,
    /// Sum of weights per interval.
    pub totals: Vec<f64>,
    /// Rows (and their weight) outside the shown range.
    pub outside_rows: usize,
    pub outside_weight: f64,
}

impl Histogram {
    /// A histogram of `column` over the rows of `design` (its subpopulation,
    /// if it is one), weighted by the design's weights; the axis is labelled
    /// from the design's codebook (`Ingreso laboral (Bs/mes)`).
    pub fn new(design: &SurveyDesign, column: &str) -> Result<Self, PlotError> {
        let mut h = Self::from_parts(design.data(), column, design.weights(), design.in_subset())?;
        h.label = columns::variable_label(design.codebook(), column, true);
        h.opts.data_notes = columns::design_notes(design);
        Ok(h)
    }

    /// A histogram of `column` in `df`, weighted by the column `weights`.
    ///
    /// Errors if a column is missing, `column` is not numeric, or a weight is
    /// missing or negative.
    pub fn from_frame(df: &DataFrame, column: &str, weights: &str) -> Result<Self, PlotError> {
        let w = columns::weights(df, weights)?;
        Self::from_parts(df, column, &w, None)
    }

    /// Builds from the data and one weight per row; `keep` (a subset mask)
    /// leaves rows out.
    pub(crate) fn from_parts(
        df: &DataFrame,
        column: &str,
        weights: &[f64],
        keep: Option<&[bool]>,
    ) -> Result<Self, PlotError> {
        columns::check_len(df, weights)?;
        let raw = columns::numeric(df, column)?;
        let mut values = Vec::with_capacity(raw.len());
        let mut kept_weights = Vec::with_capacity(raw.len());
        let (mut missing_rows, mut missing_weight) = (0, 0.0);
        for (i, (v, &w)) in raw.iter().zip(weights).enumerate() {
            if keep.is_some_and(|k| !k.get(i).copied().unwrap_or(false)) {
                continue;
            }
            match v {
                Some(x) => {
                    values.push(*x);
                    kept_weights.push(w);
                }
                None => {
                    missing_rows += 1;
                    missing_weight += w;
                }
            }
        }
        if values.is_empty() {
            return Err(PlotError::NoData(format!(
                "la columna `{column}` no tiene valores (todas las filas están vacías)"
            )));
        }
        Ok(Histogram {
            values,
            weights: kept_weights,
            missing_rows,
            missing_weight,
            label: Label::same(column),
            bins: 20,
            range: None,
            percent: false,
            opts: ChartOptions::default(),
        })
    }

    /// The variable's name on the axis and in the title (the column name by
    /// default), e.g. `"Ingreso laboral (Bs/mes)"`.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Label::same(label.into());
        self
    }

    /// About how many intervals to draw (20 by default); the limits are
    /// rounded to nice numbers, so the count may differ slightly.
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = bins.clamp(1, 200);
        self
    }

    /// Shows only values in `[low, high]`; rows outside are counted in a
    /// footnote (useful for long-tailed variables such as income).
    pub fn range(mut self, low: f64, high: f64) -> Self {
        if low.is_finite() && high.is_finite() && high > low {
            self.range = Some((low, high));
        }
        self
    }

    /// Bar heights as percentages of the estimated population with a value,
    /// instead of population counts.
    pub fn percent(mut self) -> Self {
        self.percent = true;
        self
    }

    /// Estimated population with a value (sum of the weights of the rows
    /// with a value).
    pub fn population(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// The intervals and their weighted totals.
    pub(crate) fn compute_bins(&self) -> Bins {
        let (lo, hi) = self.range.unwrap_or_else(|| {
            let lo = self.values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = self
                .values
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        });
        let ((d0, d1), edges, step) = nice_ticks(lo, hi, self.bins);
        let count = edges.len().saturating_sub(1).max(1);
        let mut totals = vec![0.0; count];
        let (mut outside_rows, mut outside_weight) = (0, 0.0);
        for (&v, &w) in self.values.iter().zip(&self.weights) {
            if v < lo || v > hi {
                outside_rows += 1;
                outside_weight += w;
                continue;
            }
            // Intervals are [a, b); the last one also holds its upper limit.
            let i = (((v - d0) / step).floor().max(0.0) as usize).min(count - 1);
            totals[i] += w;
        }
        let edges = if edges.len() >= 2 {
            edges
        } else {
            vec![d0, d1]
        };
        Bins {
            edges,
            totals,
            outside_rows,
            outside_weight,
        }
    }

    fn scale_value(&self, total: f64) -> f64 {
        if self.percent {
            let pop = self.population();
            if pop > 0.0 { 100.0 * total / pop } else { 0.0 }
        } else {
            total
        }
    }
}

impl Draw for Histogram {
    fn options(&self) -> &ChartOptions {
        &self.opts
    }

    fn default_title(&self) -> String {
        match self.opts.lang {
            Language::Es => format!("Distribución de {}", self.label.es.to_lowercase_first()),
            Language::En => format!("Distribution of {}", self.label.en.to_lowercase_first()),
        }
    }

    fn default_subtitle(&self) -> Option<String> {
        Some(match (self.opts.lang, self.percent) {
            (Language::Es, false) => {
                "Población estimada en cada intervalo (ponderada con el factor de expansión)".to_owned()
            }
            (Language::Es, true) => {
                "Porcentaje de la población estimada en cada intervalo (ponderado con el factor de expansión)".to_owned()
            }
            (Language::En, false) => "Estimated population in each interval (weighted)".to_owned(),
            (Language::En, true) => {
                "Percentage of the estimated population in each interval (weighted)".to_owned()
            }
        })
    }

    fn frame(&self) -> Frame {
        let lang = self.opts.lang;
        let bins = self.compute_bins();
        let total = self.population() + self.missing_weight;
        let mut notes = Vec::new();
        if self.missing_rows > 0 {
            let share = format_percent(self.missing_weight / total, 1, lang);
            notes.push(match lang {
                Language::Es => format!(
                    "{} ({share} de la población).",
                    excluded(self.missing_rows, "sin dato", "without a value", lang)
                ),
                Language::En => format!(
                    "{} ({share} of the population).",
                    excluded(self.missing_rows, "sin dato", "without a value", lang)
                ),
            });
        }
        if bins.outside_rows > 0 {
            let share = format_percent(bins.outside_weight / self.population(), 1, lang);
            notes.push(match lang {
                Language::Es => format!(
                    "{} ({share}) {} fuera del rango mostrado.",
                    cases(bins.outside_rows, lang),
                    if bins.outside_rows == 1 {
                        "queda"
                    } else {
                        "quedan"
                    }
                ),
                Language::En => format!(
                    "{} ({share}) {} outside the range shown.",
                    cases(bins.outside_rows, lang),
                    if bins.outside_rows == 1 {
                        "falls"
                    } else {
                        "fall"
                    }
                ),
            });
        }
        Frame {
            notes,
            ..Frame::default()
        }
    }

    fn text_table(&self) -> String {
        let lang = self.opts.lang;
        let bins = self.compute_bins();
        let (interval, pop) = match (lang, self.percent) {
            (Language::Es, false) => ("Intervalo", "Población estimada"),
            (Language::Es, true) => ("Intervalo", "% de la población"),
            (Language::En, false) => ("Interval", "Estimated population"),
            (Language::En, true) => ("Interval", "% of population"),
        };
        let step = bins
            .edges
            .get(1)
            .zip(bins.edges.first())
            .map_or(1.0, |(b, a)| b - a);
        let decimals = if step >= 1.0 {
            0
        } else {
            decimals_for(step * 10.0).min(3)
        };
        let rows: Vec<Vec<String>> = bins
            .totals
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let a = bins.edges.get(i).copied().unwrap_or(f64::NAN);
                let b = bins.edges.get(i + 1).copied().unwrap_or(f64::NAN);
                let value = if self.percent {
                    format_number(self.scale_value(t), 1, lang)
                } else {
                    format_count(t, lang)
                };
                vec![
                    format!(
                        "{} – {}",
                        format_number(a, decimals, lang),
                        format_number(b, decimals, lang)
                    ),
                    value,
                ]
            })
            .collect();
        text::table(&[interval, pop], &[Align::Left, Align::Right], &rows)
    }

    fn draw_body<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
    ) -> Result<(), PlotError> {
        let lang = self.opts.lang;
        let bins = self.compute_bins();
        let heights: Vec<f64> = bins.totals.iter().map(|&t| self.scale_value(t)).collect();
        let top = heights.iter().copied().fold(0.0, f64::max);
        let ((_, v1), yticks, ystep) = nice_ticks(0.0, if top > 0.0 { top * 1.04 } else { 1.0 }, 5);

        let tick_font = Font::new(LABEL_SIZE, MUTED);
        let ylabels: Vec<String> = axis_labels(&yticks, ystep, lang);
        let tick_w = ylabels
            .iter()
            .map(|l| c.text_width(l, tick_font))
            .fold(0.0, f64::max);
        let px0 = x0 + tick_w + 10.0;
        let px1 = x1 - 8.0;
        let py0 = y0 + SUBTITLE_SIZE * 2.0;
        let py1 = y1 - LABEL_SIZE * 2.0 - SUBTITLE_SIZE * 1.8;
        let first = bins.edges.first().copied().unwrap_or(0.0);
        let last = bins.edges.last().copied().unwrap_or(1.0);
        let xs = Scale::new((first, last), (px0, px1));
        let ys = Scale::new((0.0, v1), (py1, py0));

        let unit = match (lang, self.percent) {
            (Language::Es, false) => "Población estimada",
            (Language::Es, true) => "% de la población",
            (Language::En, false) => "Estimated population",
            (Language::En, true) => "% of population",
        };
        c.text(
            unit,
            (x0, y0 + SUBTITLE_SIZE * 0.9),
            Font::new(SUBTITLE_SIZE, MUTED),
            Anchor::Start,
        )?;
        for (t, label) in yticks.iter().zip(&ylabels) {
            let y = ys.map(*t);
            let stroke = if *t == 0.0 {
                Stroke::new(AXIS, 1.2)
            } else {
                Stroke::new(GRID, 1.0)
            };
            c.line(&[(px0, y), (px1, y)], stroke)?;
            c.text_mid(label, (px0 - 8.0, y), tick_font, Anchor::End)?;
        }
        for (i, &h) in heights.iter().enumerate() {
            let (Some(&a), Some(&b)) = (bins.edges.get(i), bins.edges.get(i + 1)) else {
                continue;
            };
            if h <= 0.0 {
                continue;
            }
            let (xa, xb) = (xs.map(a), xs.map(b));
            c.rect((xa, ys.map(h)), (xb, ys.map(0.0)), Some(PRIMARY), None)?;
            // A thin white gap between bars.
            c.line(
                &[(xb, ys.map(h)), (xb, ys.map(0.0))],
                Stroke::new(Rgb(255, 255, 255), 1.0),
            )?;
        }
        c.line(&[(px0, py1), (px1, py1)], Stroke::new(AXIS, 1.2))?;
        // x labels on a coarser set of round numbers.
        let (_, xticks, xstep) = nice_ticks(first, last, 6);
        let xticks: Vec<f64> = xticks
            .into_iter()
            .filter(|t| *t >= first - 1e-9 && *t <= last + 1e-9)
            .collect();
        let xlabels = axis_labels(&xticks, xstep, lang);
        for (t, label) in xticks.iter().zip(&xlabels) {
            let x = xs.map(*t);
            c.line(&[(x, py1), (x, py1 + 4.0)], Stroke::new(AXIS, 1.0))?;
            c.text(
                label,
                (x, py1 + 6.0 + LABEL_SIZE),
                tick_font,
                Anchor::Middle,
            )?;
        }
        c.text(
            self.label.get(lang),
            ((px0 + px1) / 2.0, y1 - 4.0),
            Font::new(SUBTITLE_SIZE, MUTED),
            Anchor::Middle,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn sample() -> Result<Histogram, Box<dyn std::error::Error>> {
        let df = df!(
            "y" => [Some(1.0), Some(2.0), Some(2.5), Some(9.0), None],
            "w" => [10.0, 20.0, 30.0, 40.0, 50.0],
        )?;
        Ok(Histogram::from_frame(&df, "y", "w")?.bins(4))
    }

    #[test]
    fn bins_hold_the_weights() -> Result<(), Box<dyn std::error::Error>> {
        let h = sample()?;
        let bins = h.compute_bins();
        // Range 1..9 with about 4 bins → round limits 0, 2, …, 10; a value
        // on a limit (2.0) belongs to the interval that starts there.
        assert_eq!(bins.edges, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(bins.totals, vec![10.0, 50.0, 0.0, 0.0, 40.0]);
        assert_eq!(h.population(), 100.0);
        assert_eq!(h.missing_rows, 1);
        Ok(())
    }

    #[test]
    fn range_counts_rows_outside() -> Result<(), Box<dyn std::error::Error>> {
        let h = sample()?.range(0.0, 5.0);
        let bins = h.compute_bins();
        assert_eq!(bins.outside_rows, 1);
        assert_eq!(bins.outside_weight, 40.0);
        assert_eq!(bins.totals.iter().sum::<f64>(), 60.0);
        let svg = h.to_svg()?;
        assert!(svg.contains("fuera del rango"));
        assert!(svg.contains("sin dato"));
        Ok(())
    }

    #[test]
    fn percent_heights_sum_to_100() -> Result<(), Box<dyn std::error::Error>> {
        let h = sample()?.percent();
        let total: f64 = h
            .compute_bins()
            .totals
            .iter()
            .map(|&t| h.scale_value(t))
            .sum();
        assert!((total - 100.0).abs() < 1e-9);
        Ok(())
    }
}
