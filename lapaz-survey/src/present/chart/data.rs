//! The data behind charts of estimates: one point per domain with its
//! confidence interval and reliability, independent of how the estimates
//! were computed.

use crate::codebook::Language;
use crate::present::format::{decimals_for, format_number, format_percent};
use crate::present::style::Tone;
use crate::present::text::{self, Align};

/// One estimate to draw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    /// Domain label (`Centro`, `Mujer`, `Total`).
    pub label: String,
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Reliability tone and its label (`Fiable`, `Poco fiable`, …).
    pub tone: Tone,
    pub flag: String,
}

/// A series of domain estimates of one statistic.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PointSeries {
    pub points: Vec<Point>,
    /// What is estimated, as a phrase: `Ingreso laboral medio`.
    pub measure: String,
    /// Unit of the estimate (`Bs/mes`), if any.
    pub unit: Option<String>,
    /// The estimates are proportions, shown as percentages.
    pub percent: bool,
    /// Confidence level of the intervals (0.95).
    pub ci_level: f64,
    /// Name of the domain variable (`Macrodistrito`), if any.
    pub domain: Option<String>,
    /// Legend label of each reliability tone that appears.
    pub tone_labels: Vec<(Tone, String)>,
}

impl PointSeries {
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

    /// The numbers as an aligned text table (the fallback of a chart).
    pub(crate) fn text_table(&self, lang: Language) -> String {
        let domain = self.domain.clone().unwrap_or_else(|| match lang {
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
                    p.label.clone(),
                    self.value_label(p.estimate, lang),
                    format!(
                        "{} – {}",
                        self.value_label(p.ci_low, lang),
                        self.value_label(p.ci_high, lang)
                    ),
                    p.flag.clone(),
                ]
            })
            .collect();
        text::table(
            &[&domain, est, &ci, flag],
            &[Align::Left, Align::Right, Align::Right, Align::Left],
            &rows,
        )
    }

    /// The default legend text of a tone.
    pub(crate) fn tone_label(&self, tone: Tone, lang: Language) -> String {
        self.tone_labels
            .iter()
            .find(|(t, _)| *t == tone)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| default_tone_label(tone, lang).to_owned())
    }

    /// Tones present, in the order reliable → caution → not reliable.
    pub(crate) fn tones_present(&self) -> Vec<Tone> {
        [Tone::Reliable, Tone::Caution, Tone::Unreliable]
            .into_iter()
            .filter(|t| self.points.iter().any(|p| p.tone == *t))
            .collect()
    }
}

/// Fallback names of the reliability tones.
pub(crate) fn default_tone_label(tone: Tone, lang: Language) -> &'static str {
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
                    label: label.to_owned(),
                    estimate: est,
                    se,
                    ci_low: est - 1.96 * se,
                    ci_high: est + 1.96 * se,
                    tone,
                    flag: default_tone_label(tone, Language::Es).to_owned(),
                })
                .collect(),
            measure: "Ingreso laboral medio".to_owned(),
            unit: Some("Bs/mes".to_owned()),
            percent: false,
            ci_level: 0.95,
            domain: Some("Macrodistrito".to_owned()),
            tone_labels: Vec::new(),
        }
    }
}
