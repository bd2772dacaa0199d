//! [`Figure`]: one survey number as the problem tree shows it — estimate,
//! standard error, confidence interval, CV and reliability flag.

use std::fmt;

use super::format::{self, NBSP};
use crate::codebook::Language;
use crate::estimate::Statistic;
use crate::quality::Quality;

/// z quantile of a two-sided 95 % normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The mark printed beside a flagged figure: nothing, `⚠` (*poco fiable*)
/// or `✖` (*no fiable*).
pub(crate) fn quality_mark(quality: Quality) -> &'static str {
    match quality {
        Quality::Caution => "⚠",
        Quality::Unreliable => "✖",
        _ => "",
    }
}

/// The Spanish label of a quality class (`fiable`, `poco fiable`, …).
pub(crate) fn quality_es(quality: Quality) -> &'static str {
    quality.label(Language::Es)
}

/// A reliability flag attached to a figure: its level, the Spanish reason
/// (e.g. `CV 34,2 % > 30 %`) and the rule that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reliability {
    /// Reliable, caution or unreliable (the crate's [`Quality`]).
    pub level: Quality,
    /// Why, in Spanish (`"n = 41 < 60"`); empty when there is nothing to say.
    pub reason: String,
    /// The rule applied (`"INE Chile"`, `"CEPAL 2023"`); empty if unknown.
    pub scheme: String,
}

impl Reliability {
    /// A flag of `level` with a Spanish `reason`.
    pub fn new(level: Quality, reason: impl Into<String>) -> Self {
        Reliability {
            level,
            reason: reason.into(),
            scheme: String::new(),
        }
    }

    /// Names the rule that produced the flag (`"INE Chile"`).
    pub fn scheme(mut self, scheme: impl Into<String>) -> Self {
        self.scheme = scheme.into();
        self
    }

    /// `no fiable (CV 34,2 % > 30 %; INE Chile)`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.reason.is_empty() {
            parts.push(self.reason.clone());
        }
        if !self.scheme.is_empty() {
            parts.push(self.scheme.clone());
        }
        if parts.is_empty() {
            quality_es(self.level).to_owned()
        } else {
            format!("{} ({})", quality_es(self.level), parts.join("; "))
        }
    }
}

/// One survey number as the problem tree shows it (*cifra*): estimate,
/// standard error (*EE*), confidence interval (*IC*), coefficient of
/// variation (*CV*), unweighted n and a reliability flag.
///
/// Figures usually come from the estimation core (`Figure::from(&estimate)`);
/// [`Figure::new`] builds one by hand, e.g. for a published figure or in
/// a test. The interval defaults to the normal 95 % interval
/// `estimate ± 1.96·SE`; give the one your estimator computed with
/// [`Figure::ci`].
///
/// ```
/// use lapaz_survey::problem::{Figure, Statistic};
///
/// let hogares = Figure::new("Hogares en zonas de riesgo alto", 48_210.0, 3_105.0)
///     .statistic(Statistic::Total)
///     .unit("hogares");
/// assert_eq!(hogares.to_string(),
///     "48.210 hogares (EE\u{a0}3.105; IC\u{a0}95\u{a0}%: 42.124 a 54.296; CV\u{a0}6,4\u{a0}%)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What the number is, in Spanish (`"Personas ocupadas informales"`).
    pub label: String,
    /// The domain it refers to (`"Macrodistrito: Centro"`), if any.
    pub domain: Option<String>,
    /// Kind of statistic (total, mean, proportion, …).
    pub statistic: Statistic,
    /// The estimate.
    pub estimate: f64,
    /// Its design-based standard error.
    pub se: f64,
    /// Lower confidence limit.
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
    /// Confidence level of the interval (0.95).
    pub level: f64,
    /// Coefficient of variation, SE / |estimate|.
    pub cv: f64,
    /// Unweighted number of sample cases behind the estimate, if known.
    pub n: Option<u64>,
    /// Unit of a total or mean (`"personas"`, `"minutos"`), if any.
    pub unit: Option<String>,
    /// The reliability flag, if the figure was assessed.
    pub reliability: Option<Reliability>,
}

impl Figure {
    /// A figure from an estimate and its standard error, with the normal
    /// 95 % interval and CV = SE / |estimate|.
    pub fn new(label: impl Into<String>, estimate: f64, se: f64) -> Self {
        Figure {
            label: label.into(),
            domain: None,
            statistic: Statistic::Mean,
            estimate,
            se,
            ci_low: estimate - Z95 * se,
            ci_high: estimate + Z95 * se,
            level: 0.95,
            cv: cv(estimate, se),
            n: None,
            unit: None,
            reliability: None,
        }
    }

    /// A population total (*total*) from an estimate and its SE, with the
    /// normal 95 % interval: `Figure::new(..).statistic(Statistic::Total)`.
    pub fn total(label: impl Into<String>, estimate: f64, se: f64) -> Self {
        Figure::new(label, estimate, se).statistic(Statistic::Total)
    }

    /// A proportion between 0 and 1 (*proporción*) from an estimate and
    /// its SE, with the normal 95 % interval (prefer the estimator's own,
    /// e.g. logit, interval via [`Figure::ci`]).
    pub fn proportion(label: impl Into<String>, estimate: f64, se: f64) -> Self {
        Figure::new(label, estimate, se).statistic(Statistic::Proportion)
    }

    /// Sets the kind of statistic.
    pub fn statistic(mut self, statistic: Statistic) -> Self {
        self.statistic = statistic;
        self
    }

    /// Sets the confidence interval the estimator computed (level 95 %
    /// unless [`Figure::level`] says otherwise).
    pub fn ci(mut self, low: f64, high: f64) -> Self {
        self.ci_low = low;
        self.ci_high = high;
        self
    }

    /// Sets the confidence level of the interval (e.g. `0.90`).
    pub fn level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }

    /// Sets the coefficient of variation (when the estimator reports its own).
    pub fn cv(mut self, cv: f64) -> Self {
        self.cv = cv;
        self
    }

    /// Sets the unweighted sample size.
    pub fn n(mut self, n: u64) -> Self {
        self.n = Some(n);
        self
    }

    /// Sets the unit (`"personas"`, `"hogares"`, `"minutos"`).
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the domain (`"Sexo: Mujer"`).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Attaches a reliability flag.
    pub fn reliability(mut self, flag: Reliability) -> Self {
        self.reliability = Some(flag);
        self
    }

    /// The flag's class; `None` when the figure was not assessed.
    pub fn reliability_level(&self) -> Option<Quality> {
        self.reliability
            .as_ref()
            .map(|r| r.level)
            .filter(|q| *q != Quality::NotAssessed)
    }

    /// True when a flag says the figure is not fully reliable (caution or
    /// unreliable).
    pub fn needs_note(&self) -> bool {
        matches!(
            self.reliability_level(),
            Some(Quality::Caution | Quality::Unreliable)
        )
    }

    /// Replaces the label (`Figure::from(&estimate).label("…")`).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The label with its domain: `Tiempo de viaje — Sexo: Mujer`.
    pub fn full_label(&self) -> String {
        match &self.domain {
            Some(d) if !d.is_empty() => format!("{} — {d}", self.label),
            _ => self.label.clone(),
        }
    }

    /// Decimals used for estimate, SE and CI (whole numbers for totals).
    fn decimals(&self) -> usize {
        match self.statistic {
            Statistic::Total | Statistic::Count => 0,
            Statistic::Proportion => 1,
            _ => format::decimals_for_se(self.se),
        }
    }

    /// Formats a value on this figure's scale (percent for proportions),
    /// without unit.
    pub(crate) fn fmt_value(&self, x: f64) -> String {
        match self.statistic {
            Statistic::Proportion => format::number(x * 100.0, self.decimals()),
            _ => format::number(x, self.decimals()),
        }
    }

    /// The estimate with its unit: `48.210 hogares`, `23,4 %`.
    pub fn estimate_text(&self) -> String {
        let value = self.fmt_value(self.estimate);
        match (self.statistic, &self.unit) {
            (Statistic::Proportion, _) => format!("{value}{NBSP}%"),
            (_, Some(u)) if !u.is_empty() => format!("{value} {u}"),
            _ => value,
        }
    }

    /// The standard error on the estimate's scale (`3.105`, `1,2 pp`).
    pub fn se_text(&self) -> String {
        let value = self.fmt_value(self.se);
        if self.statistic == Statistic::Proportion {
            format!("{value}{NBSP}pp")
        } else {
            value
        }
    }

    /// The interval: `42.124 a 54.296`, `19,3 % a 27,5 %`.
    pub fn ci_text(&self) -> String {
        let pct = if self.statistic == Statistic::Proportion {
            format!("{NBSP}%")
        } else {
            String::new()
        };
        format!(
            "{}{pct} a {}{pct}",
            self.fmt_value(self.ci_low),
            self.fmt_value(self.ci_high)
        )
    }

    /// The CV as a percentage (`6,4 %`).
    pub fn cv_text(&self) -> String {
        if self.cv.is_finite() {
            format::percent(self.cv)
        } else {
            format::MISSING.to_owned()
        }
    }

    /// The confidence level label (`IC 95 %`).
    pub fn ci_label(&self) -> String {
        format!("IC{NBSP}{}", format::level(self.level))
    }

    /// Checks the numbers are usable: finite estimate, finite non-negative
    /// SE, an interval that contains the estimate. Returns the Spanish
    /// reason when they are not.
    pub(crate) fn problem_with_numbers(&self) -> Option<String> {
        if !self.estimate.is_finite() {
            return Some("la estimación no es un número finito".to_owned());
        }
        if !self.se.is_finite() || self.se < 0.0 {
            return Some("falta el error estándar o es negativo".to_owned());
        }
        if !(self.ci_low.is_finite() && self.ci_high.is_finite()) {
            return Some("falta el intervalo de confianza".to_owned());
        }
        if self.ci_low > self.ci_high {
            return Some("el límite inferior del intervalo supera al superior".to_owned());
        }
        if !(0.0 < self.level && self.level < 1.0) {
            return Some("el nivel de confianza debe estar entre 0 y 1".to_owned());
        }
        None
    }
}

/// CV = SE / |estimate| (infinite for a zero estimate with positive SE).
fn cv(estimate: f64, se: f64) -> f64 {
    if estimate == 0.0 {
        if se == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        se / estimate.abs()
    }
}

impl fmt::Display for Figure {
    /// `48.210 hogares (EE 3.105; IC 95 %: 42.124 a 54.296; CV 6,4 %)`, with
    /// the flag appended when it is not *fiable*.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (EE{NBSP}{}; {}: {}; CV{NBSP}{})",
            self.estimate_text(),
            self.se_text(),
            self.ci_label(),
            self.ci_text(),
            self.cv_text()
        )?;
        if self.needs_note()
            && let Some(r) = &self.reliability
        {
            write!(f, " {} {}", quality_mark(r.level), quality_es(r.level))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportions_read_as_percentages_with_points_for_the_se() {
        let p = Figure::new("Usa minibús", 0.5432, 0.021)
            .statistic(Statistic::Proportion)
            .ci(0.502, 0.584);
        assert_eq!(p.estimate_text(), "54,3\u{a0}%");
        assert_eq!(p.se_text(), "2,1\u{a0}pp");
        assert_eq!(p.ci_text(), "50,2\u{a0}% a 58,4\u{a0}%");
    }

    #[test]
    fn default_interval_is_normal_95() {
        let m = Figure::new("Minutos", 40.0, 2.0);
        assert!((m.ci_low - (40.0 - 1.959_963_984_540_054 * 2.0)).abs() < 1e-12);
        assert!((m.cv - 0.05).abs() < 1e-15);
        assert_eq!(m.problem_with_numbers(), None);
    }

    #[test]
    fn flags_are_appended_when_not_reliable() {
        let f = Figure::new("Desocupados en Zongo", 310.0, 140.0)
            .statistic(Statistic::Total)
            .reliability(Reliability::new(Quality::Unreliable, "CV 45,2 % > 30 %"));
        assert!(f.to_string().ends_with("✖ no fiable"), "{f}");
        assert!(f.needs_note());
    }

    #[test]
    fn invalid_numbers_are_named() {
        let f = Figure::new("x", f64::NAN, 1.0);
        assert!(f.problem_with_numbers().is_some());
        let g = Figure::new("x", 1.0, -1.0);
        assert!(g.problem_with_numbers().is_some());
    }
}
