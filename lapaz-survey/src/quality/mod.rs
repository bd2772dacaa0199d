//! Reliability flags, as national statistics offices publish them.
//!
//! Two published schemes, with their thresholds as plain data you can read
//! and change:
//!
//! - **INE Chile** (2020, *Lineamientos para la evaluación de la calidad de
//!   estimaciones en encuestas de hogares*), as implemented by INE Chile's R
//!   package `calidad` (`assess(scheme = "chile")`): an estimate is *not
//!   reliable* when `n < 60` or `df < 9`; otherwise means, totals and ratios
//!   are *reliable* with `CV ≤ 15%`, *use with caution* up to 30% and *not
//!   reliable* above; proportions in `[0, 1)` are judged by their standard
//!   error instead of the CV: reliable when `SE ≤ p^(2/3)/9` (with `1 − p`
//!   for `p > 0.5`), *caution* otherwise.
//! - **CEPAL 2023** (Gutiérrez, *Diseño y análisis estadístico de las
//!   encuestas de hogares de América Latina*, CEPAL 2023), as `calidad`'s
//!   `assess(scheme = "eclac_2023")`: the design effect must be ≥ 1 (unless
//!   the domain was planned and `n ≥ 100`), the effective sample size
//!   `n/deff ≥ 60` and `df ≥ 9` (unless justified); then means, totals and
//!   ratios are reliable with `CV ≤ 20%` and at least 50 unweighted cases,
//!   *caution* with `CV ≤ 30%` and 30–49 cases (or `CV ≤ 20%` and 30–49
//!   cases), otherwise not reliable; proportions use the log-CV,
//!   `CV/(−ln p)` (`CV/(−ln(1 − p))` for `p ≥ 0.5`), ≤ 0.175 with the same
//!   case counts, and a proportion `≥ 0.5` over the log-CV limit with at
//!   least 30 cases is *caution*.
//!
//! A missing SE, CV or design effect (NaN) makes the estimate not reliable.

use serde::{Deserialize, Serialize};

use crate::codebook::Language;

/// The reliability class of an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// Reliable: publish.
    Reliable,
    /// Use with caution (INE Chile: *poco fiable*).
    Caution,
    /// Not reliable: do not publish as a point figure.
    Unreliable,
    /// No rule was applied.
    NotAssessed,
}

impl Quality {
    /// The class's label.
    pub fn label(self, lang: Language) -> &'static str {
        match (self, lang) {
            (Quality::Reliable, Language::Es) => "fiable",
            (Quality::Caution, Language::Es) => "poco fiable",
            (Quality::Unreliable, Language::Es) => "no fiable",
            (Quality::NotAssessed, Language::Es) => "sin evaluar",
            (Quality::Reliable, Language::En) => "reliable",
            (Quality::Caution, Language::En) => "caution",
            (Quality::Unreliable, Language::En) => "unreliable",
            (Quality::NotAssessed, Language::En) => "not assessed",
        }
    }
}

impl std::fmt::Display for Quality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label(Language::Es))
    }
}

/// INE Chile's thresholds (defaults as published).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IneChile {
    /// Minimum unweighted sample size (60).
    pub min_n: f64,
    /// Minimum degrees of freedom (9).
    pub min_df: f64,
    /// Largest CV of a reliable estimate (0.15).
    pub cv_reliable: f64,
    /// Largest CV of an estimate to use with caution (0.30).
    pub cv_caution: f64,
}

impl Default for IneChile {
    fn default() -> Self {
        IneChile {
            min_n: 60.0,
            min_df: 9.0,
            cv_reliable: 0.15,
            cv_caution: 0.30,
        }
    }
}

/// CEPAL 2023 thresholds (defaults as published).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cepal2023 {
    /// Minimum sample size when a design effect below 1 is accepted for a
    /// planned domain (100).
    pub min_n: f64,
    /// Minimum effective sample size `n/deff` (60).
    pub min_effective_n: f64,
    /// Minimum degrees of freedom (9).
    pub min_df: f64,
    /// Largest CV of a reliable estimate (0.20).
    pub cv_reliable: f64,
    /// Largest CV of an estimate to use with caution (0.30).
    pub cv_caution: f64,
    /// Largest log-CV of a reliable proportion (0.175).
    pub max_log_cv: f64,
    /// Unweighted cases for a reliable estimate (50).
    pub min_cases_reliable: f64,
    /// Unweighted cases below which an estimate is not reliable (30).
    pub min_cases: f64,
    /// The domains were planned in the sample design (`calidad`'s
    /// `domain_info`): a design effect below 1 is then accepted when
    /// `n ≥ min_n`.
    pub planned_domains: bool,
    /// Low degrees of freedom are justified (`calidad`'s `low_df_justified`;
    /// only with `planned_domains`).
    pub low_df_justified: bool,
}

impl Default for Cepal2023 {
    fn default() -> Self {
        Cepal2023 {
            min_n: 100.0,
            min_effective_n: 60.0,
            min_df: 9.0,
            cv_reliable: 0.20,
            cv_caution: 0.30,
            max_log_cv: 0.175,
            min_cases_reliable: 50.0,
            min_cases: 30.0,
            planned_domains: false,
            low_df_justified: false,
        }
    }
}

/// Which reliability rule flags estimates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReliabilityRule {
    /// INE Chile's rule (the default).
    IneChile(IneChile),
    /// CEPAL 2023's rule.
    Cepal2023(Cepal2023),
    /// No flags.
    None,
}

impl Default for ReliabilityRule {
    fn default() -> Self {
        ReliabilityRule::IneChile(IneChile::default())
    }
}

impl ReliabilityRule {
    /// INE Chile with the published thresholds.
    pub fn ine_chile() -> Self {
        ReliabilityRule::IneChile(IneChile::default())
    }

    /// CEPAL 2023 with the published thresholds.
    pub fn cepal_2023() -> Self {
        ReliabilityRule::Cepal2023(Cepal2023::default())
    }

    /// The rule's name.
    pub fn name(&self) -> &'static str {
        match self {
            ReliabilityRule::IneChile(_) => "INE Chile",
            ReliabilityRule::Cepal2023(_) => "CEPAL 2023",
            ReliabilityRule::None => "ninguna",
        }
    }

    /// Classifies one estimate.
    pub fn assess(&self, m: &Measures) -> Quality {
        match self {
            ReliabilityRule::IneChile(t) => assess_ine(t, m),
            ReliabilityRule::Cepal2023(t) => assess_cepal(t, m),
            ReliabilityRule::None => Quality::NotAssessed,
        }
    }
}

impl std::str::FromStr for ReliabilityRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "ine_chile" | "ine" | "chile" => Ok(ReliabilityRule::ine_chile()),
            "cepal_2023" | "cepal" | "eclac_2023" | "eclac" => Ok(ReliabilityRule::cepal_2023()),
            "none" | "ninguna" => Ok(ReliabilityRule::None),
            _ => Err(format!(
                "regla de fiabilidad desconocida `{s}`; use ine-chile, cepal-2023 o none"
            )),
        }
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measures {
    /// The estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Its coefficient of variation `se/estimate`.
    pub cv: f64,
    /// Design effect (NaN when unknown).
    pub deff: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// Unweighted sample size of the domain.
    pub n: f64,
    /// Unweighted cases behind the estimate (for a proportion, the rows with
    /// the level; otherwise `n`).
    pub cases: f64,
    /// Whether the estimate is a proportion (judged by SE / log-CV).
    pub is_proportion: bool,
}

fn ine_quadratic(p: f64) -> f64 {
    if p <= 0.5 {
        p.powf(2.0 / 3.0) / 9.0
    } else {
        (1.0 - p).powf(2.0 / 3.0) / 9.0
    }
}

fn assess_ine(t: &IneChile, m: &Measures) -> Quality {
    if m.n.is_nan() || m.df.is_nan() || m.se.is_nan() {
        return Quality::Unreliable;
    }
    if m.n < t.min_n || m.df < t.min_df {
        return Quality::Unreliable;
    }
    if m.is_proportion && (0.0..1.0).contains(&m.estimate) {
        return if m.se <= ine_quadratic(m.estimate) {
            Quality::Reliable
        } else {
            Quality::Caution
        };
    }
    let cv = m.cv.abs();
    if cv.is_nan() || cv > t.cv_caution {
        Quality::Unreliable
    } else if cv > t.cv_reliable {
        Quality::Caution
    } else {
        Quality::Reliable
    }
}

fn assess_cepal(t: &Cepal2023, m: &Measures) -> Quality {
    let deff_ok = m.deff >= 1.0 || (m.deff < 1.0 && t.planned_domains && m.n >= t.min_n);
    if !deff_ok {
        return Quality::Unreliable;
    }
    if m.n / m.deff < t.min_effective_n || m.n.is_nan() {
        return Quality::Unreliable;
    }
    let df_ok = m.df >= t.min_df || (t.planned_domains && t.low_df_justified);
    if !df_ok || m.df.is_nan() {
        return Quality::Unreliable;
    }
    let cases = m.cases;
    if m.is_proportion && (0.0..=1.0).contains(&m.estimate) {
        let p = m.estimate;
        let log_cv = if p < 0.5 {
            m.cv / (-p.ln())
        } else {
            m.cv / (-(1.0 - p).ln())
        };
        let log_ok = log_cv <= t.max_log_cv;
        return if log_ok && cases >= t.min_cases_reliable {
            Quality::Reliable
        } else if log_ok && cases >= t.min_cases {
            Quality::Caution
        } else if !log_ok && p >= 0.5 && cases >= t.min_cases {
            Quality::Caution
        } else {
            Quality::Unreliable
        };
    }
    let cv = m.cv.abs();
    if cv.is_nan() || cv > t.cv_caution {
        Quality::Unreliable
    } else if cv > t.cv_reliable {
        if cases >= t.min_cases {
            Quality::Caution
        } else {
            Quality::Unreliable
        }
    } else if cases >= t.min_cases_reliable {
        Quality::Reliable
    } else if cases >= t.min_cases {
        Quality::Caution
    } else {
        Quality::Unreliable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(estimate: f64, se: f64, deff: f64, n: f64, df: f64, prop: bool) -> Measures {
        Measures {
            estimate,
            se,
            cv: se / estimate,
            deff,
            df,
            n,
            cases: n,
            is_proportion: prop,
        }
    }

    #[test]
    fn ine_chile_mean_thresholds() {
        let r = ReliabilityRule::ine_chile();
        assert_eq!(
            r.assess(&m(100.0, 10.0, 1.5, 200.0, 30.0, false)),
            Quality::Reliable
        );
        assert_eq!(
            r.assess(&m(100.0, 20.0, 1.5, 200.0, 30.0, false)),
            Quality::Caution
        );
        assert_eq!(
            r.assess(&m(100.0, 31.0, 1.5, 200.0, 30.0, false)),
            Quality::Unreliable
        );
        assert_eq!(
            r.assess(&m(100.0, 1.0, 1.5, 59.0, 30.0, false)),
            Quality::Unreliable
        );
        assert_eq!(
            r.assess(&m(100.0, 1.0, 1.5, 60.0, 8.0, false)),
            Quality::Unreliable
        );
    }

    #[test]
    fn ine_chile_proportion_uses_se() {
        let r = ReliabilityRule::ine_chile();
        // p = 0.1: limit 0.1^(2/3)/9 = 0.02393
        assert_eq!(
            r.assess(&m(0.1, 0.023, 1.5, 200.0, 30.0, true)),
            Quality::Reliable
        );
        assert_eq!(
            r.assess(&m(0.1, 0.025, 1.5, 200.0, 30.0, true)),
            Quality::Caution
        );
        // p = 0.9 uses 1 − p.
        assert_eq!(
            r.assess(&m(0.9, 0.023, 1.5, 200.0, 30.0, true)),
            Quality::Reliable
        );
    }

    #[test]
    fn cepal_2023_rules() {
        let r = ReliabilityRule::cepal_2023();
        assert_eq!(
            r.assess(&m(100.0, 10.0, 1.5, 200.0, 30.0, false)),
            Quality::Reliable
        );
        // deff < 1 outside planned domains.
        assert_eq!(
            r.assess(&m(100.0, 10.0, 0.9, 200.0, 30.0, false)),
            Quality::Unreliable
        );
        // effective sample size 200/4 = 50 < 60.
        assert_eq!(
            r.assess(&m(100.0, 10.0, 4.0, 200.0, 30.0, false)),
            Quality::Unreliable
        );
        assert_eq!(
            r.assess(&m(100.0, 25.0, 1.0, 200.0, 30.0, false)),
            Quality::Caution
        );
        // log-CV of p = 0.2 with se 0.02: cv 0.1 / 1.609 = 0.062.
        assert_eq!(
            r.assess(&m(0.2, 0.02, 1.2, 200.0, 30.0, true)),
            Quality::Reliable
        );
    }
}
