//! The data behind charts of estimates: one point per domain with its
//! confidence interval and reliability, with labels in both languages so
//! that a chart can switch language after it is built.

use crate::codebook::Language;
use crate::design::Label;
use crate::estimate::{EstimateTable, Statistic};
use crate::present::estimates::{capitalize, flag_label, measure_phrase};
use crate::present::format::{decimals_for, format_number, format_percent};
use crate::present::style::Tone;
use crate::present::text::{self, Align};

/// One estimate to draw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    /// Domain label (`Centro`, `Mujer`, `Total`).
    pub label: Label,
    /// Category of a proportion or count, if any.
    pub level: Option<Label>,
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Reliability tone and its label (`Fiable`, `Poco fiable`, …).
    pub tone: Tone,
    pub flag: Label,
}

/// A series of domain estimates of one statistic.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PointSeries {
    pub points: Vec<Point>,
    /// What is estimated, as a phrase: `Ingreso laboral medio`.
    pub measure: Label,
    /// Unit of the estimate (`Bs/mes`), if any.
    pub unit: Option<String>,
    /// The estimates are proportions, shown as percentages.
    pub percent: bool,
    /// Confidence level of the intervals (0.95).
    pub ci_level: f64,
    /// Name of the domain variable(s) (`Macrodistrito`), if any.
    pub domain: Option<Label>,
}

impl PointSeries {
    /// The points of an estimate table (every estimate, in table order).
    pub(crate) fn from_table(table: &EstimateTable) -> Self {
        let estimates = table.estimates();
        let first = estimates.first();
        let levels: Vec<&Label> = estimates.iter().filter_map(|e| e.level.as_ref()).collect();
        let one_level = levels.windows(2).all(|w| w[0] == w[1]);
        let points = estimates
            .iter()
            .map(|e| {
                let mut label = Label {
                    es: crate::present::estimates::domain_label(e, Language::Es),
                    en: crate::present::estimates::domain_label(e, Language::En),
                };
                // Several categories: name each point by domain and category.
                if let (Some(l), false) = (&e.level, one_level) {
                    if e.domain.is_empty() {
                        label = l.clone();
                    } else {
                        label.es = format!("{} · {}", label.es, l.es);
                        label.en = format!("{} · {}", label.en, l.en);
                    }
                }
                Point {
                    label,
                    level: e.level.clone(),
                    estimate: e.estimate,
                    se: e.se,
                    ci_low: e.ci.low,
                    ci_high: e.ci.high,
                    tone: Tone::from(e.quality),
                    flag: Label {
                        es: flag_label(e.quality, Language::Es),
                        en: flag_label(e.quality, Language::En),
                    },
                }
            })
            .collect();
        let measure = match first {
            Some(e) => {
                let label = table.variable_label(&e.variable);
                let mut m = Label {
                    es: measure_phrase(e.statistic, &e.variable, label, Language::Es),
                    en: measure_phrase(e.statistic, &e.variable, label, Language::En),
                };
                if let (true, Some(l)) = (one_level, levels.first()) {
                    m.es = format!("{}: {}", m.es, l.es);
                    m.en = format!("{}: {}", m.en, l.en);
                }
                m
            }
            None => Label::same(""),
        };
        let domain = (!table.by().is_empty()).then(|| Label {
            es: table
                .by()
                .iter()
                .map(|b| capitalize(&b.label.es))
                .collect::<Vec<_>>()
                .join(" · "),
            en: table
                .by()
                .iter()
                .map(|b| capitalize(&b.label.en))
                .collect::<Vec<_>>()
                .join(" · "),
        });
        PointSeries {
            points,
            measure,
            unit: None,
            percent: first.is_some_and(|e| e.statistic == Statistic::Proportion),
            ci_level: first.map_or(0.95, |e| e.ci.level),
            domain,
        }
    }

    /// Keeps the points of one category (matched in Spanish or English).
    pub(crate) fn keep_level(&mut self, level: &str) {
        self.points.retain(|p| {
            p.level
                .as_ref()
                .is_some_and(|l| l.es == level || l.en == level)
        });
        // Points are now one category per domain: name them by domain only.
        for p in &mut self.points {
            if let Some(l) = &p.level {
                for (name, cat) in [(&mut p.label.es, &l.es), (&mut p.label.en, &l.en)] {
                    if let Some(stripped) = name.strip_suffix(&format!(" · {cat}")) {
                        *name = stripped.to_owned();
                    }
                }
            }
        }
        if let Some(l) = self.points.first().and_then(|p| p.level.clone())
            && !self.measure.es.ends_with(&format!(": {}", l.es))
        {
            self.measure.es = format!("{}: {}", self.measure.es, l.es);
            self.measure.en = format!("{}: {}", self.measure.en, l.en);
        }
    }

    /// Values as drawn (percentages are multiplied by 100).
    pub(crate) fn factor(&self) -> f64 {
        if self.percent { 100.0 } else { 1.0 }
    }

    /// Decimals that suit the standard errors of the series.
    pub(crate) fn decimals(&self) -> usize {
        let min_se = self
            .points
            .iter()
            .map(|p| p.se * self.factor())
            .filter(|s| s.is_finite() && *s > 0.0)
            .fold(f64::INFINITY, f64::min);
        if min_se.is_finite() {
            decimals_for(min_se)
        } else {
            1
        }
    }

    /// A value label (`2.812`, `34,5 %`).
    pub(crate) fn value_label(&self, v: f64, lang: Language) -> String {
        let d = self.decimals();
        if self.percent {
            format_percent(v, d.min(2), lang)
        } else {
            format_number(v, d, lang)
        }
    }

    /// `IC 95 %` / `95% CI`.
    pub(crate) fn ci_name(&self, lang: Language) -> String {
        let level = format_number(self.ci_level * 100.0, 0, lang);
        match lang {
            Language::Es => format!("IC {level}\u{a0}%"),
            Language::En => format!("{level}% CI"),
        }
    }

    /// The axis title: unit or `%`.
    pub(crate) fn axis_title(&self, lang: Language) -> String {
        if self.percent {
            match lang {
                Language::Es => "Porcentaje (%)".to_owned(),
                Language::En => "Percent (%)".to_owned(),
            }
        } else {
            self.unit.clone().unwrap_or_default()
        }
    }

    /// The domain variable's name in `lang`, if any.
    pub(crate) fn domain_name(&self, lang: Language) -> Option<String> {
        self.domain.as_ref().map(|d| d.get(lang).to_owned())
    }

    /// The numbers as an aligned text table (the fallback of a chart).
    pub(crate) fn text_table(&self, lang: Language) -> String {
        let domain = self.domain_name(lang).unwrap_or_else(|| match lang {
            Language::Es => "Dominio".to_owned(),
            Language::En => "Domain".to_owned(),
        });
        let (est, flag) = match lang {
            Language::Es => ("Estimación", "Fiabilidad"),
            Language::En => ("Estimate", "Reliability"),
        };
        let ci = self.ci_name(lang);
        let rows: Vec<Vec<String>> = self
            .points
            .iter()
            .map(|p| {
                vec![
                    p.label.get(lang).to_owned(),
                    self.value_label(p.estimate, lang),
                    format!(
                        "{} – {}",
                        self.value_label(p.ci_low, lang),
                        self.value_label(p.ci_high, lang)
                    ),
                    p.flag.get(lang).to_owned(),
                ]
            })
            .collect();
        text::table(
            &[&domain, est, &ci, flag],
            &[Align::Left, Align::Right, Align::Right, Align::Left],
            &rows,
        )
    }

    /// Tones present, in the order reliable → caution → not reliable.
    pub(crate) fn tones_present(&self) -> Vec<Tone> {
        [Tone::Reliable, Tone::Caution, Tone::Unreliable]
            .into_iter()
            .filter(|t| self.points.iter().any(|p| p.tone == *t))
            .collect()
    }
}

/// Legend names of the reliability tones.
pub(crate) fn tone_label(tone: Tone, lang: Language) -> &'static str {
    match (tone, lang) {
        (Tone::Reliable, Language::Es) => "Fiable",
        (Tone::Caution, Language::Es) => "Poco fiable (usar con cautela)",
        (Tone::Unreliable, Language::Es) => "No fiable",
        (Tone::Unassessed, Language::Es) => "Sin evaluar",
        (Tone::Reliable, Language::En) => "Reliable",
        (Tone::Caution, Language::En) => "Use with caution",
        (Tone::Unreliable, Language::En) => "Not reliable",
        (Tone::Unassessed, Language::En) => "Not assessed",
    }
}

/// The builder methods shared by the charts of estimates.
macro_rules! estimate_chart_api {
    ($t:ty) => {
        impl $t {
            /// Names what is estimated in the title, replacing the default
            /// `Media de <column>`: e.g. `"Ingreso laboral medio"`.
            pub fn measure(mut self, es: impl Into<String>) -> Self {
                let text = es.into();
                self.series.measure = $crate::design::Label {
                    en: text.clone(),
                    es: text,
                };
                self
            }

            /// The unit shown on the value axis (`"Bs/mes"`, `"minutos"`).
            pub fn unit(mut self, unit: impl Into<String>) -> Self {
                self.series.unit = Some(unit.into());
                self
            }

            /// Keeps only one category of a proportion or count table (its
            /// label in Spanish or English), e.g. `.level("Minibús")`.
            pub fn level(mut self, level: &str) -> Self {
                self.series.keep_level(level);
                self
            }

            /// Orders the estimates from the largest to the smallest.
            pub fn sorted(mut self) -> Self {
                self.series
                    .points
                    .sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
                self
            }

            /// Number of estimates drawn.
            pub fn len(&self) -> usize {
                self.series.points.len()
            }

            /// Whether there is nothing to draw.
            pub fn is_empty(&self) -> bool {
                self.series.points.is_empty()
            }
        }
    };
}
pub(crate) use estimate_chart_api;

#[cfg(test)]
pub(crate) mod sample {
    //! A hand-made series for unit tests of the charts.
    use super::*;

    pub(crate) fn series() -> PointSeries {
        let raw = [
            ("Centro", 3250.0, 80.0, Tone::Reliable),
            ("Cotahuma", 2610.0, 95.0, Tone::Reliable),
            ("Max Paredes", 2380.0, 110.0, Tone::Reliable),
            ("Periférica", 2470.0, 120.0, Tone::Reliable),
            ("San Antonio", 2550.0, 105.0, Tone::Reliable),
            ("Sur", 4120.0, 260.0, Tone::Caution),
            ("Mallasa", 2980.0, 520.0, Tone::Caution),
            ("Hampaturi", 1650.0, 560.0, Tone::Unreliable),
            ("Zongo", 1420.0, 610.0, Tone::Unreliable),
        ];
        PointSeries {
            points: raw
                .iter()
                .map(|&(label, est, se, tone)| Point {
                    label: Label::same(label),
                    level: None,
                    estimate: est,
                    se,
                    ci_low: est - 1.96 * se,
                    ci_high: est + 1.96 * se,
                    tone,
                    flag: Label {
                        es: tone_label(tone, Language::Es).to_owned(),
                        en: tone_label(tone, Language::En).to_owned(),
                    },
                })
                .collect(),
            measure: Label {
                es: "Ingreso laboral medio".to_owned(),
                en: "Mean labour income".to_owned(),
            },
            unit: Some("Bs/mes".to_owned()),
            percent: false,
            ci_level: 0.95,
            domain: Some(Label {
                es: "Macrodistrito".to_owned(),
                en: "Macrodistrict".to_owned(),
            }),
        }
    }
}
