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
//! A missing SE or CV (NaN) makes the estimate not reliable under both
//! rules; a missing design effect only under CEPAL's, the rule that uses it.
//!
//! # Deliberate differences from `calidad`
//!
//! **A proportion estimated as exactly 0 or 1 is *not reliable* under both
//! rules.** When none (or all) of a domain's sampled units have the level,
//! the linearised variable is zero in every unit, so the standard error is
//! 0 *by construction*, not because the estimate is precise; the CV is 0
//! (p = 1) or undefined (p = 0). INE Chile's quadratic test `SE ≤
//! p^(2/3)/9` then reads `0 ≤ 0` and `calidad` declares the estimate
//! reliable, and CEPAL's log-CV is 0 for p = 1: the tests are vacuous, they
//! carry no evidence of precision. The flag is also kept symmetric: the
//! `No` level at 0 and the `Sí` level at 1 are the same information and get
//! the same flag. We recognise such an estimate by its value (0 or 1, up to
//! rounding) or by its cases (none). Publish it, if at
//! all, as "no case in the sample" or with a one-sided bound (e.g. the
//! `beta` interval), or pool the domain with another.
//!
//! **The design effect under INE Chile.** INE Chile's rule does not use the
//! design effect (neither do its *Lineamientos* nor `calidad`'s `"chile"`
//! scheme), so an estimate with `deff = ∞` or NaN (the simple random
//! sampling variance is 0 or unknown, e.g. a quantile) is judged on `n`,
//! `df` and the SE/CV alone, which already measure its precision with the
//! actual design. Under CEPAL `deff = ∞` means an effective sample size
//! `n/deff = 0 < 60`, and NaN fails `deff ≥ 1`: both are not reliable.

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

/// A proportion of 0 or 1: no sampled unit of the domain has the level, or
/// all do, so its SE is 0 by construction (see the module docs). Within
/// `1e-12` of 0 or 1 counts as 0 or 1 (rounding of weighted sums; no real
/// domain has weights spread over twelve orders of magnitude).
fn degenerate_proportion(m: &Measures) -> bool {
    const EPS: f64 = 1e-12;
    m.is_proportion
        && (m.estimate.abs() <= EPS || (1.0 - m.estimate).abs() <= EPS || m.cases == 0.0)
}

fn assess_ine(t: &IneChile, m: &Measures) -> Quality {
    if m.n.is_nan() || m.df.is_nan() || m.se.is_nan() {
        return Quality::Unreliable;
    }
    if m.n < t.min_n || m.df < t.min_df || degenerate_proportion(m) {
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
    if degenerate_proportion(m) || m.deff.is_nan() {
        return Quality::Unreliable;
    }
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

    /// `calidad` calls these reliable (`0 ≤ 0` in the quadratic test); the
    /// SE is 0 by construction, so we do not (see the module docs).
    #[test]
    fn proportion_of_zero_or_one_is_not_reliable() {
        for r in [ReliabilityRule::ine_chile(), ReliabilityRule::cepal_2023()] {
            for p in [0.0, 1.0, 1.0 - 1e-15] {
                let mut x = m(p, 0.0, 1.5, 500.0, 40.0, true);
                x.cases = if p == 0.0 { 0.0 } else { 500.0 };
                assert_eq!(r.assess(&x), Quality::Unreliable, "{} p = {p}", r.name());
            }
            // No case with the level even if rounding left a tiny estimate.
            let mut x = m(1e-9, 1e-10, 1.5, 500.0, 40.0, true);
            x.cases = 0.0;
            assert_eq!(r.assess(&x), Quality::Unreliable, "{}", r.name());
        }
        // The quadratic test still decides near, but not at, the bounds:
        // p = 0.01, limit 0.01^(2/3)/9 = 0.00517.
        let r = ReliabilityRule::ine_chile();
        let mut near = m(0.01, 0.005, 1.5, 500.0, 40.0, true);
        near.cases = 5.0;
        assert_eq!(r.assess(&near), Quality::Reliable);
        near.se = 0.006;
        assert_eq!(r.assess(&near), Quality::Caution);
        // Means are judged by their CV as before.
        assert_eq!(
            r.assess(&m(1.0, 0.05, 1.5, 500.0, 40.0, false)),
            Quality::Reliable
        );
    }

    /// INE Chile does not use the design effect; CEPAL requires a finite
    /// one (effective sample size `n/deff ≥ 60`, `deff ≥ 1`).
    #[test]
    fn infinite_or_missing_deff() {
        let ine = ReliabilityRule::ine_chile();
        let cepal = ReliabilityRule::cepal_2023();
        for deff in [f64::INFINITY, f64::NAN] {
            assert_eq!(
                ine.assess(&m(100.0, 10.0, deff, 200.0, 30.0, false)),
                Quality::Reliable,
                "INE Chile judges by n, df and CV: deff = {deff}"
            );
            assert_eq!(
                ine.assess(&m(100.0, 20.0, deff, 200.0, 30.0, false)),
                Quality::Caution
            );
            assert_eq!(
                cepal.assess(&m(100.0, 10.0, deff, 200.0, 30.0, false)),
                Quality::Unreliable,
                "CEPAL: deff = {deff}"
            );
            assert_eq!(
                cepal.assess(&m(0.2, 0.02, deff, 200.0, 30.0, true)),
                Quality::Unreliable,
                "CEPAL proportion: deff = {deff}"
            );
        }
        // A planned domain does not rescue an infinite or missing deff.
        let planned = ReliabilityRule::Cepal2023(Cepal2023 {
            planned_domains: true,
            ..Cepal2023::default()
        });
        for deff in [f64::INFINITY, f64::NAN] {
            assert_eq!(
                planned.assess(&m(100.0, 10.0, deff, 200.0, 30.0, false)),
                Quality::Unreliable
            );
        }
    }

    /// Through the estimator: in a domain where every sampled household
    /// owns its dwelling, both levels (p = 1 and p = 0) are not reliable,
    /// while the mixed domain is judged by the SE test.
    #[test]
    fn estimated_proportions_at_the_bounds() {
        use crate::design::{DesignSpec, SurveyDesign};
        use polars::prelude::*;
        let rows = 160;
        let psu: Vec<i32> = (0..rows).map(|i| (i % 40) as i32).collect();
        let zona: Vec<&str> = (0..rows)
            .map(|i| if i % 2 == 0 { "norte" } else { "sur" })
            .collect();
        let tenencia: Vec<&str> = (0..rows)
            .map(|i| {
                if i % 2 == 0 || i % 3 == 0 {
                    "propia"
                } else {
                    "alquilada"
                }
            })
            .collect();
        let w: Vec<f64> = (0..rows).map(|i| 1.0 + (i % 7) as f64).collect();
        let df =
            df!["psu" => psu, "w" => w, "zona" => zona, "tenencia" => tenencia].expect("frame");
        let d =
            SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("psu")).expect("design");
        for rule in [ReliabilityRule::ine_chile(), ReliabilityRule::cepal_2023()] {
            let t = d
                .clone()
                .with_reliability(rule)
                .by(["zona"])
                .expect("by")
                .prop("tenencia")
                .expect("prop");
            for level in ["propia", "alquilada"] {
                let e = t.find(&["norte"], Some(level)).expect("norte");
                assert!(e.estimate == 0.0 || e.estimate == 1.0, "{}", e.estimate);
                assert_eq!(e.se, 0.0);
                assert_eq!(e.quality, Quality::Unreliable, "{} {level}", rule.name());
                let s = t.find(&["sur"], Some(level)).expect("sur");
                assert!(s.estimate > 0.0 && s.estimate < 1.0 && s.se > 0.0);
            }
            if matches!(rule, ReliabilityRule::IneChile(_)) {
                let s = t.find(&["sur"], Some("propia")).expect("sur");
                let limit = s.estimate.min(1.0 - s.estimate).powf(2.0 / 3.0) / 9.0;
                let want = if s.se <= limit {
                    Quality::Reliable
                } else {
                    Quality::Caution
                };
                assert_eq!(s.quality, want);
            }
        }
    }
}
