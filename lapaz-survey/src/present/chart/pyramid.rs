//! Population pyramid: estimated population by sex and age group.

use plotters::prelude::DrawingBackend;
use polars::prelude::DataFrame;

use super::canvas::{Anchor, Canvas, Font, Scale, Stroke, nice_ticks};
use super::columns;
use super::frame::{Frame, LABEL_SIZE, LegendItem, SMALL_SIZE, SUBTITLE_SIZE, Swatch, excluded};
use super::{ChartOptions, Draw, PlotError, chart_api};
use crate::codebook::Language;
use crate::design::{Label, SurveyDesign};
use crate::present::format::{axis_labels, format_count, format_number, format_percent};
use crate::present::style::{AXIS, GRID, INK, MUTED, Rgb, palette};
use crate::present::text::{self, Align};

/// Colours of the two sexes (Okabe–Ito blue and orange).
fn sex_color(i: usize) -> Rgb {
    palette(if i == 0 { 0 } else { 1 })
}

/// A population pyramid: horizontal bars of estimated population (sum of
/// weights) by age group, one sex to the left and the other to the right,
/// youngest at the bottom. Groups are five years wide by default, with an
/// open last group (`80+`).
///
/// ```
/// use lapaz_survey::polars::prelude::*;
/// use lapaz_survey::present::Pyramid;
///
/// let df = df!(
///     "sexo"   => ["Hombre", "Mujer", "Mujer", "Hombre", "Mujer"],
///     "edad"   => [4i64, 7, 33, 41, 85],
///     "factor" => [150.0, 140.0, 120.0, 110.0, 90.0],
/// )?;
/// let pyramid = Pyramid::from_frame(&df, "sexo", "edad", "factor")?;
/// assert_eq!(pyramid.sexes(), ["Hombre", "Mujer"]);
/// assert!(pyramid.to_svg()?.contains("80+"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pyramid {
    sexes: [Label; 2],
    /// (sex index, age, weight) of each row with both values.
    rows: Vec<(usize, f64, f64)>,
    missing_rows: usize,
    step: u32,
    top: u32,
    percent: bool,
    pub(crate) opts: ChartOptions,
}

chart_api!(Pyramid);

impl Pyramid {
    /// A pyramid of the rows of `design` (its subpopulation, if it is one),
    /// weighted by the design's weights, from the sex column `sex` and the
    /// age column `age` (for the EMH: `s01a_02` and `s01a_03`).
    pub fn new(design: &SurveyDesign, sex: &str, age: &str) -> Result<Self, PlotError> {
        let mut p = Self::from_parts(
            design.data(),
            sex,
            age,
            design.weights(),
            design.in_subset(),
        )?;
        let es: Vec<String> = p.sexes.iter().map(|l| l.es.clone()).collect();
        let labels = columns::value_labels(design.codebook(), sex, &es);
        if let [a, b] = labels.as_slice() {
            p.sexes = [a.clone(), b.clone()];
        }
        p.opts.data_notes = columns::design_notes(design);
        Ok(p)
    }

    /// A pyramid from the sex column `sex` (two categories: the first is
    /// drawn on the left), the age column `age` (whole years) and the
    /// weights column `weights` of `df`.
    pub fn from_frame(
        df: &DataFrame,
        sex: &str,
        age: &str,
        weights: &str,
    ) -> Result<Self, PlotError> {
        let w = columns::weights(df, weights)?;
        Self::from_parts(df, sex, age, &w, None)
    }

    pub(crate) fn from_parts(
        df: &DataFrame,
        sex: &str,
        age: &str,
        weights: &[f64],
        keep: Option<&[bool]>,
    ) -> Result<Self, PlotError> {
        columns::check_len(df, weights)?;
        let (labels, codes) = columns::categorical(df, sex)?;
        let ages = columns::numeric(df, age)?;
        let kept = |i: usize| keep.is_none_or(|k| k.get(i).copied().unwrap_or(false));
        // The two categories that occur, in their declared order.
        let mut used: Vec<usize> = codes
            .iter()
            .enumerate()
            .filter(|(i, c)| kept(*i) && c.is_some())
            .filter_map(|(_, c)| *c)
            .collect();
        used.sort_unstable();
        used.dedup();
        if used.len() != 2 {
            let found: Vec<&str> = used
                .iter()
                .filter_map(|&u| labels.get(u))
                .map(String::as_str)
                .collect();
            return Err(PlotError::BadValue {
                column: sex.to_owned(),
                problem: format!(
                    "una pirámide necesita exactamente dos categorías de sexo, pero hay {} ({})",
                    used.len(),
                    found.join(", ")
                ),
                hint: "use la variable de sexo (p. ej. `s01a_02`) o filtre las filas antes de graficar".to_owned(),
            });
        }
        let sexes = [
            Label::same(labels[used[0]].clone()),
            Label::same(labels[used[1]].clone()),
        ];
        let mut rows = Vec::new();
        let mut missing_rows = 0;
        for (i, (code, a)) in codes.iter().zip(&ages).enumerate() {
            if !kept(i) {
                continue;
            }
            match (code, a) {
                (Some(c), Some(a)) if *a >= 0.0 => {
                    let s = if *c == used[0] { 0 } else { 1 };
                    rows.push((s, *a, weights[i]));
                }
                _ => missing_rows += 1,
            }
        }
        if rows.is_empty() {
            return Err(PlotError::NoData(
                "ninguna fila tiene sexo y edad".to_owned(),
            ));
        }
        Ok(Pyramid {
            sexes,
            rows,
            missing_rows,
            step: 5,
            top: 80,
            percent: false,
            opts: ChartOptions::default(),
        })
    }

    /// The two sex labels, left first.
    pub fn sexes(&self) -> [&str; 2] {
        [&self.sexes[0].es, &self.sexes[1].es]
    }

    /// Width of the age groups in years (5 by default).
    pub fn age_step(mut self, years: u32) -> Self {
        self.step = years.clamp(1, 50);
        self
    }

    /// First age of the open last group (80 by default: `80+`).
    pub fn top_age(mut self, age: u32) -> Self {
        self.top = age.clamp(1, 120);
        self
    }

    /// Bars as percentages of the total population instead of counts.
    pub fn percent(mut self) -> Self {
        self.percent = true;
        self
    }

    /// Age-group labels (`0–4`, …, `80+`), youngest first.
    pub(crate) fn group_labels(&self) -> Vec<String> {
        let step = self.step.min(self.top.max(1));
        let mut labels = Vec::new();
        let mut a = 0;
        while a < self.top {
            let b = (a + step).min(self.top) - 1;
            labels.push(if b > a {
                format!("{a}–{b}")
            } else {
                format!("{a}")
            });
            a += step;
        }
        labels.push(format!("{}+", self.top));
        labels
    }

    /// Weighted population per (group, sex), youngest group first.
    pub(crate) fn totals(&self) -> Vec<[f64; 2]> {
        let step = self.step.min(self.top.max(1));
        let groups = self.group_labels().len();
        let mut totals = vec![[0.0; 2]; groups];
        for &(s, age, w) in &self.rows {
            let g = if age >= f64::from(self.top) {
                groups - 1
            } else {
                // age < top ≤ 120: the cast is exact.
                ((age / f64::from(step)).floor() as usize).min(groups - 1)
            };
            totals[g][s] += w;
        }
        totals
    }

    fn population(&self) -> f64 {
        self.rows.iter().map(|r| r.2).sum()
    }

    fn shown(&self, v: f64) -> f64 {
        if self.percent {
            let p = self.population();
            if p > 0.0 { 100.0 * v / p } else { 0.0 }
        } else {
            v
        }
    }
}

impl Draw for Pyramid {
    fn options(&self) -> &ChartOptions {
        &self.opts
    }

    fn default_title(&self) -> String {
        match self.opts.lang {
            Language::Es => "Pirámide de población por sexo y edad".to_owned(),
            Language::En => "Population pyramid by sex and age".to_owned(),
        }
    }

    fn default_subtitle(&self) -> Option<String> {
        let lang = self.opts.lang;
        let pop = format_count(self.population(), lang);
        Some(match (lang, self.percent) {
            (Language::Es, false) => format!("Población estimada por grupo de edad (total: {pop})"),
            (Language::Es, true) => {
                format!("Porcentaje de la población total ({pop}) por grupo de edad")
            }
            (Language::En, false) => format!("Estimated population by age group (total: {pop})"),
            (Language::En, true) => {
                format!("Percentage of the total population ({pop}) by age group")
            }
        })
    }

    fn frame(&self) -> Frame {
        let lang = self.opts.lang;
        let totals = self.totals();
        let legend = (0..2)
            .map(|s| {
                let sum: f64 = totals.iter().map(|t| t[s]).sum();
                LegendItem {
                    label: format!(
                        "{} ({})",
                        self.sexes[s].get(lang),
                        format_percent(sum / self.population(), 1, lang)
                    ),
                    swatch: Swatch::Fill {
                        color: sex_color(s),
                        hatch: None,
                    },
                }
            })
            .collect();
        let mut notes = vec![match lang {
            Language::Es => "Ponderado con el factor de expansión.".to_owned(),
            Language::En => "Weighted with the expansion factor.".to_owned(),
        }];
        if self.missing_rows > 0 {
            notes.push(format!(
                "{}.",
                excluded(
                    self.missing_rows,
                    "sin sexo o edad",
                    "without sex or age",
                    lang
                )
            ));
        }
        Frame {
            legend,
            notes,
            ..Frame::default()
        }
    }

    fn text_table(&self) -> String {
        let lang = self.opts.lang;
        let head = match lang {
            Language::Es => "Edad",
            Language::En => "Age",
        };
        let rows: Vec<Vec<String>> = self
            .group_labels()
            .into_iter()
            .zip(self.totals())
            .rev()
            .map(|(label, t)| {
                let f = |v: f64| {
                    if self.percent {
                        format_number(self.shown(v), 1, lang)
                    } else {
                        format_count(v, lang)
                    }
                };
                vec![label, f(t[0]), f(t[1])]
            })
            .collect();
        text::table(
            &[head, self.sexes[0].get(lang), self.sexes[1].get(lang)],
            &[Align::Left, Align::Right, Align::Right],
            &rows,
        )
    }

    fn draw_body<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
    ) -> Result<(), PlotError> {
        let lang = self.opts.lang;
        let labels = self.group_labels();
        let totals = self.totals();
        let groups = labels.len();
        let label_font = Font::new(SMALL_SIZE, INK);
        let tick_font = Font::new(LABEL_SIZE, MUTED);
        let max = totals
            .iter()
            .flat_map(|t| t.iter().map(|&v| self.shown(v)))
            .fold(0.0, f64::max);
        let (_, ticks, step) = nice_ticks(0.0, if max > 0.0 { max } else { 1.0 }, 3);
        let extent = ticks.last().copied().unwrap_or(1.0);

        // Centre column for the age labels.
        let centre_w = labels
            .iter()
            .map(|l| c.text_width(l, label_font))
            .fold(0.0, f64::max)
            + 16.0;
        let mid = (x0 + x1) / 2.0;
        let (left_in, right_in) = (mid - centre_w / 2.0, mid + centre_w / 2.0);
        let (left_out, right_out) = (x0 + 6.0, x1 - 6.0);
        let lx = Scale::new((0.0, extent), (left_in, left_out));
        let rx = Scale::new((0.0, extent), (right_in, right_out));
        let top = y0 + SUBTITLE_SIZE * 1.8;
        let bottom = y1 - LABEL_SIZE * 2.0 - SUBTITLE_SIZE * 1.6;
        let row_h = (bottom - top) / groups as f64;

        // Sex names above each half.
        let head = Font::new(SUBTITLE_SIZE, INK).bold();
        c.text(
            &format!("◀ {}", self.sexes[0].get(lang)),
            (left_in - 4.0, y0 + SUBTITLE_SIZE),
            head,
            Anchor::End,
        )?;
        c.text(
            &format!("{} ▶", self.sexes[1].get(lang)),
            (right_in + 4.0, y0 + SUBTITLE_SIZE),
            head,
            Anchor::Start,
        )?;

        let tick_labels = axis_labels(&ticks, step, lang);
        for (t, tick_label) in ticks.iter().zip(&tick_labels) {
            for scale in [&lx, &rx] {
                let x = scale.map(*t);
                let stroke = if *t == 0.0 {
                    Stroke::new(AXIS, 1.2)
                } else {
                    Stroke::new(GRID, 1.0)
                };
                c.line(&[(x, top), (x, bottom)], stroke)?;
                let label = if self.percent {
                    format!("{tick_label}\u{a0}%")
                } else {
                    tick_label.clone()
                };
                c.text(
                    &label,
                    (x, bottom + LABEL_SIZE + 6.0),
                    tick_font,
                    Anchor::Middle,
                )?;
            }
        }
        for (g, label) in labels.iter().enumerate() {
            // Youngest at the bottom.
            let yb = bottom - row_h * g as f64;
            let ya = yb - row_h;
            let pad = (row_h * 0.1).min(2.0);
            let (l, r) = (self.shown(totals[g][0]), self.shown(totals[g][1]));
            if l > 0.0 {
                c.rect(
                    (lx.map(l), ya + pad),
                    (left_in, yb - pad),
                    Some(sex_color(0)),
                    None,
                )?;
            }
            if r > 0.0 {
                c.rect(
                    (right_in, ya + pad),
                    (rx.map(r), yb - pad),
                    Some(sex_color(1)),
                    None,
                )?;
            }
            c.text_mid(label, (mid, (ya + yb) / 2.0), label_font, Anchor::Middle)?;
        }
        let axis = match (lang, self.percent) {
            (Language::Es, false) => "Población estimada",
            (Language::Es, true) => "% de la población total",
            (Language::En, false) => "Estimated population",
            (Language::En, true) => "% of total population",
        };
        c.text(
            axis,
            (mid, y1 - 4.0),
            Font::new(SUBTITLE_SIZE, MUTED),
            Anchor::Middle,
        )?;
        let age = match lang {
            Language::Es => "Edad",
            Language::En => "Age",
        };
        c.text(
            age,
            (mid, y0 + SUBTITLE_SIZE),
            Font::new(SMALL_SIZE, MUTED).bold(),
            Anchor::Middle,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn sample() -> Result<Pyramid, Box<dyn std::error::Error>> {
        let df = df!(
            "sexo" => [Some("Mujer"), Some("Hombre"), Some("Mujer"), None, Some("Hombre")],
            "edad" => [Some(3i64), Some(4), Some(82), Some(30), None],
            "w" => [10.0, 20.0, 30.0, 40.0, 50.0],
        )?;
        Ok(Pyramid::from_frame(&df, "sexo", "edad", "w")?)
    }

    #[test]
    fn groups_and_totals() -> Result<(), Box<dyn std::error::Error>> {
        let p = sample()?;
        let labels = p.group_labels();
        assert_eq!(labels.len(), 17);
        assert_eq!(labels[0], "0–4");
        assert_eq!(labels[16], "80+");
        let t = p.totals();
        // Text sexes are ordered alphabetically: Hombre left, Mujer right.
        assert_eq!(p.sexes(), ["Hombre", "Mujer"]);
        assert_eq!(t[0], [20.0, 10.0]);
        assert_eq!(t[16], [0.0, 30.0]);
        assert_eq!(p.missing_rows, 2);
        let p10 = p.clone().age_step(10).top_age(60);
        assert_eq!(
            p10.group_labels(),
            ["0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60+"]
        );
        Ok(())
    }

    #[test]
    fn needs_two_sexes() -> Result<(), Box<dyn std::error::Error>> {
        let df = df!("s" => ["a", "b", "c"], "e" => [1i64, 2, 3], "w" => [1.0, 1.0, 1.0])?;
        assert!(matches!(
            Pyramid::from_frame(&df, "s", "e", "w"),
            Err(PlotError::BadValue { .. })
        ));
        Ok(())
    }
}
