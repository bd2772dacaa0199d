//! Stacked proportions: the weighted shares of a categorical variable in
//! each domain, as 100 % bars.

use plotters::prelude::DrawingBackend;
use polars::prelude::DataFrame;

use super::canvas::{Anchor, Canvas, Font, Scale, Stroke};
use super::columns;
use super::frame::{Frame, LABEL_SIZE, LegendItem, SMALL_SIZE, Swatch, excluded};
use super::{ChartOptions, Draw, PlotError, chart_api};
use crate::codebook::Language;
use crate::design::{Label, SurveyDesign};
use crate::estimate::{EstimateTable, Statistic};
use crate::present::estimates::LowercaseFirst as _;
use crate::present::format::{format_number, format_percent};
use crate::present::style::{AXIS, GRID, INK, MUTED, Rgb, palette, sequential};
use crate::present::text::{self, Align};

/// One horizontal bar per domain, split into the weighted shares of each
/// category of a variable (summing to 100 %); shares of at least 5 % are
/// printed inside their segment. Use it for "how do people get to work in
/// each macrodistrict?".
///
/// Shares here are point estimates (no intervals): to judge whether two
/// domains differ, estimate the proportions with their confidence
/// intervals.
///
/// ```
/// use lapaz_survey::polars::prelude::*;
/// use lapaz_survey::present::StackedBars;
///
/// let df = df!(
///     "macro" => ["Centro", "Centro", "Sur", "Sur", "Sur"],
///     "modo"  => ["Minibús", "A pie", "Minibús", "Auto", "Auto"],
///     "w"     => [100.0, 50.0, 80.0, 60.0, 60.0],
/// )?;
/// let chart = StackedBars::from_frame(&df, "macro", "modo", "w")?;
/// let shares = chart.shares();
/// assert_eq!(shares[0].0, "Centro");
/// // Centro: A pie 1/3, Auto 0, Minibús 2/3 (categories in alphabetical order).
/// assert!((shares[0].1[2] - 2.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct StackedBars {
    domains: Vec<Label>,
    categories: Vec<Label>,
    /// Sum of weights per (domain, category).
    totals: Vec<Vec<f64>>,
    /// All domains together.
    overall: Vec<f64>,
    missing_rows: usize,
    domain_name: Label,
    category_name: Label,
    ordered: bool,
    with_total: bool,
    pub(crate) opts: ChartOptions,
}

chart_api!(StackedBars);

impl StackedBars {
    /// Shares of the categories of `category` within each value of `domain`
    /// over the rows of `design` (its subpopulation, if it is one), weighted
    /// by the design's weights; names and labels from its codebook.
    pub fn new(design: &SurveyDesign, domain: &str, category: &str) -> Result<Self, PlotError> {
        let mut chart = Self::from_parts(
            design.data(),
            domain,
            category,
            design.weights(),
            design.in_subset(),
        )?;
        let cb = design.codebook();
        let es = |v: &[Label]| v.iter().map(|l| l.es.clone()).collect::<Vec<_>>();
        chart.domains = columns::value_labels(cb, domain, &es(&chart.domains));
        chart.categories = columns::value_labels(cb, category, &es(&chart.categories));
        chart.domain_name = columns::variable_label(cb, domain, false);
        chart.category_name = columns::variable_label(cb, category, false);
        chart.opts.data_notes = columns::design_notes(design);
        Ok(chart)
    }

    /// The shares from a table of estimated **proportions** by domain
    /// (`design.by(["macrodistrito"])?.prop("modo_principal")?`): design-based
    /// estimates, so the bars agree with the table's numbers. Errors if the
    /// table holds other statistics.
    pub fn from_table(table: &EstimateTable) -> Result<Self, PlotError> {
        let est = table.estimates();
        if est.is_empty() {
            return Err(PlotError::NoData(
                "la tabla de estimaciones está vacía".to_owned(),
            ));
        }
        if let Some(e) = est
            .iter()
            .find(|e| e.statistic != Statistic::Proportion || e.level.is_none())
        {
            return Err(PlotError::BadValue {
                column: e.variable.clone(),
                problem: format!(
                    "el gráfico apilado necesita proporciones por categoría, pero la tabla tiene `{}`",
                    e.statistic.name(Language::Es)
                ),
                hint: "estime con `.prop(\"variable\")` sobre una variable categórica".to_owned(),
            });
        }
        let mut domains: Vec<Label> = Vec::new();
        let mut categories: Vec<Label> = Vec::new();
        for e in est {
            let d = Label {
                es: crate::present::estimates::domain_label(e, Language::Es),
                en: crate::present::estimates::domain_label(e, Language::En),
            };
            if !domains.contains(&d) {
                domains.push(d);
            }
            if let Some(l) = &e.level
                && !categories.contains(l)
            {
                categories.push(l.clone());
            }
        }
        let mut totals = vec![vec![0.0; categories.len()]; domains.len()];
        for e in est {
            let d = crate::present::estimates::domain_label(e, Language::Es);
            let di = domains.iter().position(|x| x.es == d);
            let ci = e
                .level
                .as_ref()
                .and_then(|l| categories.iter().position(|x| x == l));
            if let (Some(di), Some(ci)) = (di, ci) {
                // Share × domain population: shares within a domain are kept
                // and domains add up by their size for the "Total" bar.
                if e.estimate.is_finite() && e.population.is_finite() {
                    totals[di][ci] = e.estimate.max(0.0) * e.population;
                }
            }
        }
        let overall = (0..categories.len())
            .map(|c| totals.iter().map(|row| row[c]).sum())
            .collect();
        let by = table.by();
        let domain_name = Label {
            es: by
                .iter()
                .map(|b| b.label.es.clone())
                .collect::<Vec<_>>()
                .join(" · "),
            en: by
                .iter()
                .map(|b| b.label.en.clone())
                .collect::<Vec<_>>()
                .join(" · "),
        };
        let variable = est.first().map(|e| e.variable.clone()).unwrap_or_default();
        Ok(StackedBars {
            domains,
            categories,
            totals,
            overall,
            missing_rows: 0,
            domain_name,
            category_name: Label::same(variable),
            ordered: false,
            with_total: false,
            opts: ChartOptions::default(),
        })
    }

    /// Shares of the categories of `category` within each value of `domain`
    /// in `df`, weighted by the column `weights`.
    pub fn from_frame(
        df: &DataFrame,
        domain: &str,
        category: &str,
        weights: &str,
    ) -> Result<Self, PlotError> {
        let w = columns::weights(df, weights)?;
        Self::from_parts(df, domain, category, &w, None)
    }

    pub(crate) fn from_parts(
        df: &DataFrame,
        domain: &str,
        category: &str,
        weights: &[f64],
        keep: Option<&[bool]>,
    ) -> Result<Self, PlotError> {
        columns::check_len(df, weights)?;
        let (domains, dcodes) = columns::categorical(df, domain)?;
        let (categories, ccodes) = columns::categorical(df, category)?;
        let mut totals = vec![vec![0.0; categories.len()]; domains.len()];
        let mut missing_rows = 0;
        for (i, (d, c)) in dcodes.iter().zip(&ccodes).enumerate() {
            if keep.is_some_and(|k| !k.get(i).copied().unwrap_or(false)) {
                continue;
            }
            match (d, c) {
                (Some(d), Some(c)) => totals[*d][*c] += weights[i],
                _ => missing_rows += 1,
            }
        }
        // Keep domains and categories that occur.
        let used_cats: Vec<usize> = (0..categories.len())
            .filter(|&c| totals.iter().any(|row| row[c] > 0.0))
            .collect();
        let mut kept_domains = Vec::new();
        let mut kept_totals = Vec::new();
        for (d, row) in totals.iter().enumerate() {
            if row.iter().sum::<f64>() > 0.0 {
                kept_domains.push(Label::same(domains[d].clone()));
                kept_totals.push(used_cats.iter().map(|&c| row[c]).collect::<Vec<f64>>());
            }
        }
        if kept_domains.is_empty() || used_cats.is_empty() {
            return Err(PlotError::NoData(format!(
                "ninguna fila tiene `{domain}` y `{category}` con peso positivo"
            )));
        }
        let categories: Vec<Label> = used_cats
            .iter()
            .map(|&c| Label::same(categories[c].clone()))
            .collect();
        let overall = (0..categories.len())
            .map(|c| kept_totals.iter().map(|row: &Vec<f64>| row[c]).sum())
            .collect();
        Ok(StackedBars {
            domains: kept_domains,
            categories,
            totals: kept_totals,
            overall,
            missing_rows,
            domain_name: Label::same(domain),
            category_name: Label::same(category),
            ordered: false,
            with_total: false,
            opts: ChartOptions::default(),
        })
    }

    /// Names of the domain and category variables in titles (the column
    /// names by default), e.g. `("Macrodistrito", "Modo principal de transporte")`.
    pub fn names(mut self, domain: impl Into<String>, category: impl Into<String>) -> Self {
        self.domain_name = Label::same(domain.into());
        self.category_name = Label::same(category.into());
        self
    }

    /// The categories are ordered (risk levels, quintiles): colour them with
    /// shades of one colour instead of distinct colours.
    pub fn ordered(mut self) -> Self {
        self.ordered = true;
        self
    }

    /// Adds a first bar with all domains together ("Total").
    pub fn with_total(mut self) -> Self {
        self.with_total = true;
        self
    }

    /// The category labels (Spanish), in drawing order.
    pub fn categories(&self) -> Vec<&str> {
        self.categories.iter().map(|c| c.es.as_str()).collect()
    }

    /// Each domain with the shares of the categories (summing to 1).
    pub fn shares(&self) -> Vec<(String, Vec<f64>)> {
        self.domains
            .iter()
            .zip(&self.totals)
            .map(|(d, row)| (d.es.clone(), normalise(row)))
            .collect()
    }

    fn color(&self, c: usize) -> Rgb {
        if self.ordered {
            sequential(c, self.categories.len())
        } else {
            palette(c)
        }
    }

    /// Bars in drawing order, top first: (label, shares, is_total).
    fn bars(&self) -> Vec<(Label, Vec<f64>, bool)> {
        let mut bars = Vec::new();
        if self.with_total {
            bars.push((Label::same("Total"), normalise(&self.overall), true));
        }
        for (d, row) in self.domains.iter().zip(&self.totals) {
            bars.push((d.clone(), normalise(row), false));
        }
        bars
    }
}

fn normalise(row: &[f64]) -> Vec<f64> {
    let sum: f64 = row.iter().sum();
    row.iter()
        .map(|v| if sum > 0.0 { v / sum } else { 0.0 })
        .collect()
}

/// Relative luminance, to pick white or dark text on a fill.
fn is_dark(c: Rgb) -> bool {
    let l = 0.2126 * f64::from(c.0) + 0.7152 * f64::from(c.1) + 0.0722 * f64::from(c.2);
    l < 140.0
}

impl Draw for StackedBars {
    fn options(&self) -> &ChartOptions {
        &self.opts
    }

    fn default_title(&self) -> String {
        let lang = self.opts.lang;
        let category = crate::present::estimates::capitalize(self.category_name.get(lang));
        let domain = self.domain_name.get(lang).to_lowercase_first();
        match lang {
            Language::Es => format!("{category} por {domain}"),
            Language::En => format!("{category} by {domain}"),
        }
    }

    fn default_subtitle(&self) -> Option<String> {
        Some(match self.opts.lang {
            Language::Es => {
                "Distribución porcentual estimada (ponderada con el factor de expansión)".to_owned()
            }
            Language::En => "Estimated percentage distribution (weighted)".to_owned(),
        })
    }

    fn frame(&self) -> Frame {
        let lang = self.opts.lang;
        let legend = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| LegendItem {
                label: c.get(lang).to_owned(),
                swatch: Swatch::Fill {
                    color: self.color(i),
                    hatch: None,
                },
            })
            .collect();
        let mut notes = vec![match lang {
            Language::Es => {
                "Estimaciones puntuales; compare dominios con sus intervalos de confianza."
                    .to_owned()
            }
            Language::En => {
                "Point estimates; compare domains using their confidence intervals.".to_owned()
            }
        }];
        if self.missing_rows > 0 {
            notes.push(format!(
                "{}.",
                excluded(self.missing_rows, "sin dato", "without a value", lang)
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
        let mut header: Vec<&str> = vec![self.domain_name.get(lang)];
        header.extend(self.categories.iter().map(|c| c.get(lang)));
        let mut align = vec![Align::Left];
        align.extend(std::iter::repeat_n(Align::Right, self.categories.len()));
        let rows: Vec<Vec<String>> = self
            .bars()
            .into_iter()
            .map(|(label, shares, _)| {
                let mut row = vec![label.get(lang).to_owned()];
                row.extend(shares.iter().map(|s| format_number(s * 100.0, 1, lang)));
                row
            })
            .collect();
        format!("(%)\n{}", text::table(&header, &align, &rows))
    }

    fn draw_body<DB: DrawingBackend>(
        &self,
        c: &Canvas<'_, DB>,
        (x0, y0, x1, y1): (f64, f64, f64, f64),
    ) -> Result<(), PlotError> {
        let lang = self.opts.lang;
        let bars = self.bars();
        let label_font = Font::new(LABEL_SIZE, INK);
        let max_label = (x1 - x0) * 0.3;
        let labels: Vec<String> = bars
            .iter()
            .map(|(l, _, _)| c.ellipsize(l.get(lang), label_font, max_label))
            .collect();
        let label_w = labels
            .iter()
            .map(|l| c.text_width(l, label_font))
            .fold(0.0, f64::max);
        let px0 = x0 + label_w + 12.0;
        let px1 = x1 - 4.0;
        let xs = Scale::new((0.0, 1.0), (px0, px1));
        let top = y0 + 2.0;
        let bottom = y1 - LABEL_SIZE * 2.2;
        let gap_total = if self.with_total { 10.0 } else { 0.0 };
        let row_h = ((bottom - top - gap_total) / bars.len() as f64).min(46.0);
        let tick_font = Font::new(LABEL_SIZE, MUTED);
        let plot_bottom = top + row_h * bars.len() as f64 + gap_total;
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let x = xs.map(t);
            c.line(&[(x, top), (x, plot_bottom)], Stroke::new(GRID, 1.0))?;
            c.text(
                &format_percent(t, 0, lang),
                (x, plot_bottom + LABEL_SIZE + 6.0),
                tick_font,
                Anchor::Middle,
            )?;
        }
        let value_size = SMALL_SIZE;
        for (i, ((_, shares, is_total), label)) in bars.iter().zip(&labels).enumerate() {
            let offset = if self.with_total && !is_total {
                gap_total
            } else {
                0.0
            };
            let ya = top + row_h * i as f64 + offset + row_h * 0.14;
            let yb = top + row_h * (i + 1) as f64 + offset - row_h * 0.14;
            let font = if *is_total {
                label_font.bold()
            } else {
                label_font
            };
            c.text_mid(label, (px0 - 8.0, (ya + yb) / 2.0), font, Anchor::End)?;
            let mut acc = 0.0;
            for (k, &share) in shares.iter().enumerate() {
                if share <= 0.0 {
                    continue;
                }
                let (xa, xb) = (xs.map(acc), xs.map(acc + share));
                let fill = self.color(k);
                c.rect((xa, ya), (xb, yb), Some(fill), None)?;
                // White separators between segments.
                c.line(&[(xb, ya), (xb, yb)], Stroke::new(Rgb(255, 255, 255), 1.0))?;
                let text = format_percent(share, 0, lang);
                let text_font = Font::new(
                    value_size,
                    if is_dark(fill) {
                        Rgb(255, 255, 255)
                    } else {
                        INK
                    },
                );
                if share >= 0.05 && c.text_width(&text, text_font) + 6.0 <= xb - xa {
                    c.text_mid(
                        &text,
                        ((xa + xb) / 2.0, (ya + yb) / 2.0),
                        text_font,
                        Anchor::Middle,
                    )?;
                }
                acc += share;
            }
        }
        c.line(&[(px0, top), (px0, plot_bottom)], Stroke::new(AXIS, 1.2))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn shares_per_domain_and_total() -> Result<(), Box<dyn std::error::Error>> {
        let df = df!(
            "d" => [Some("A"), Some("A"), Some("B"), Some("B"), None],
            "c" => [Some("x"), Some("y"), Some("y"), None, Some("x")],
            "w" => [1.0, 3.0, 2.0, 5.0, 7.0],
        )?;
        let chart = StackedBars::from_frame(&df, "d", "c", "w")?.with_total();
        let shares = chart.shares();
        assert_eq!(shares[0], ("A".to_owned(), vec![0.25, 0.75]));
        assert_eq!(shares[1], ("B".to_owned(), vec![0.0, 1.0]));
        assert_eq!(chart.missing_rows, 2);
        let bars = chart.bars();
        assert_eq!(bars[0].0.es, "Total");
        assert_eq!(bars[0].1, vec![1.0 / 6.0, 5.0 / 6.0]);
        let svg = chart.to_svg()?;
        assert!(svg.contains("75\u{a0}%"));
        Ok(())
    }
}
