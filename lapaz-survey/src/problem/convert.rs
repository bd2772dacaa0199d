//! Conversions from the estimation core: an [`Estimate`] becomes a
//! [`Figure`], an [`EstimateTable`] a [`DomainEvidence`], a [`TestResult`]
//! a [`TestEvidence`], a [`Survey`] a [`DataSource`]; anything of these can
//! back a cause through [`IntoEvidence`].

use std::sync::Arc;

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::error::ProblemError;
use super::evidence::{CoefficientEvidence, DomainEvidence, Evidence, TestEvidence};
use super::figure::{Figure, Reliability};
use super::format;
use super::tree::DataSource;
use crate::estimate::{ChisqStatistic, Estimate, EstimateTable, TestKind, TestResult};
use crate::load::Survey;
use crate::model::RegressionTable;
use crate::quality::Quality;

impl From<&Estimate> for Figure {
    /// The estimate's numbers, interval and flag. The label is the variable
    /// (and level); replace it with a sentence with [`Figure::label`].
    fn from(e: &Estimate) -> Self {
        let label = match &e.level {
            Some(level) => format!("{}: {}", e.variable, level.es),
            None => e.variable.clone(),
        };
        let mut f = Figure::new(label, e.estimate, e.se)
            .statistic(e.statistic)
            .ci(e.ci.low, e.ci.high)
            .level(e.ci.level)
            .cv(e.cv)
            .n(e.n_cases as u64);
        if !e.domain.is_empty() {
            let domain: Vec<&str> = e.domain.iter().map(|d| d.value.es.as_str()).collect();
            f = f.domain(domain.join(" · "));
        }
        if e.quality != Quality::NotAssessed {
            f = f.reliability(Reliability::new(e.quality, reason(e)));
        }
        f
    }
}

impl From<Estimate> for Figure {
    fn from(e: Estimate) -> Self {
        Figure::from(&e)
    }
}

/// What a reader needs to see why a figure is flagged: CV, cases, df.
fn reason(e: &Estimate) -> String {
    if e.quality == Quality::Reliable {
        return String::new();
    }
    let cv = if e.cv.is_finite() {
        format::percent(e.cv.abs())
    } else {
        format::MISSING.to_owned()
    };
    format!(
        "CV {cv}; n = {}; gl = {}",
        format::number(e.n_cases as f64, 0),
        format::number(e.df, if e.df.fract() == 0.0 { 0 } else { 1 })
    )
}

impl From<&EstimateTable> for DomainEvidence {
    /// One row per estimate, labelled by its domain (and level when the
    /// table has several). The title is the statistic and variable; give a
    /// sentence with [`DomainEvidence::from_table`].
    fn from(table: &EstimateTable) -> Self {
        let title = match table.estimates().first() {
            Some(e) => format!(
                "{} de {}",
                e.statistic.name(crate::codebook::Language::Es),
                e.variable
            ),
            None => String::new(),
        };
        DomainEvidence::from_table(title, table)
    }
}

impl From<EstimateTable> for DomainEvidence {
    fn from(table: EstimateTable) -> Self {
        DomainEvidence::from(&table)
    }
}

impl DomainEvidence {
    /// A domain comparison from an estimate table, with a title in words
    /// (`"Tiempo de viaje al trabajo (min)"`).
    ///
    /// The domain variable is named by its codebook label (several are
    /// joined with `y`); rows are labelled by their domain and, when the
    /// table holds several levels of a categorical variable, the level.
    pub fn from_table(title: impl Into<String>, table: &EstimateTable) -> Self {
        let by: Vec<String> = table
            .by()
            .iter()
            .map(|b| b.label.es.to_lowercase())
            .collect();
        let by = if by.is_empty() {
            "categoría".to_owned()
        } else {
            by.join(" y ")
        };
        let mut levels: Vec<&str> = table
            .estimates()
            .iter()
            .filter_map(|e| e.level.as_ref().map(|l| l.es.as_str()))
            .collect();
        levels.sort_unstable();
        levels.dedup();
        let rows = table.estimates().iter().map(|e| {
            let mut f = Figure::from(e);
            let level = e.level.as_ref().map(|l| l.es.clone());
            f.domain = match (f.domain.take(), level) {
                (Some(d), Some(l)) if levels.len() > 1 => Some(format!("{d} · {l}")),
                (Some(d), _) => Some(d),
                (None, Some(l)) => Some(l),
                (None, None) => None,
            };
            f
        });
        DomainEvidence::new(title, by).rows(rows)
    }
}

impl TestEvidence {
    /// A test result from the estimation core, described by `about`
    /// (`"Modo principal × quintil de ingreso"`).
    pub fn from_test(about: impl Into<String>, result: &TestResult) -> Self {
        let symbol = match result.kind {
            TestKind::TwoSampleT | TestKind::OneSampleT => "t",
            TestKind::Independence(ChisqStatistic::Chisq) => "X²",
            _ => "F",
        };
        let mut t = TestEvidence::new(result.kind.label_es(), about)
            .statistic(symbol, result.statistic)
            .p_value(result.p_value);
        if result.df.is_finite() {
            t = t.df(result.df, result.denominator_df);
        }
        t
    }
}

impl From<&TestResult> for TestEvidence {
    fn from(result: &TestResult) -> Self {
        TestEvidence::from_test("", result)
    }
}

impl From<TestResult> for TestEvidence {
    fn from(result: TestResult) -> Self {
        TestEvidence::from(&result)
    }
}

impl CoefficientEvidence {
    /// The coefficient of `term` in a fitted design-based regression, with
    /// its SE, interval (t on the residual df) and p-value.
    ///
    /// # Errors
    /// [`ProblemError::UnknownTerm`] listing the model's terms when `term`
    /// is not one of them.
    pub fn from_model(model: &RegressionTable, term: &str) -> Result<Self, ProblemError> {
        let Some(c) = model.coefficient(term) else {
            let available: Vec<&str> = model
                .coefficients()
                .iter()
                .map(|c| c.term.as_str())
                .collect();
            return Err(ProblemError::UnknownTerm {
                term: term.to_owned(),
                available: available.join(", "),
            });
        };
        let description = format!(
            "Regresión {} de {}",
            model.family().name_es(),
            model.response
        );
        let mut evidence = CoefficientEvidence::new(description, &c.term, c.estimate, c.se)
            .ci(c.ci_low, c.ci_high)
            .p_value(c.p_value);
        // The table does not keep its confidence level: recover it from the
        // interval's half-width, which is t(df)·SE.
        if let Ok(t) = StudentsT::new(0.0, 1.0, model.df_residual())
            && c.se > 0.0
        {
            let q = (c.ci_high - c.estimate) / c.se;
            let level = 2.0 * t.cdf(q) - 1.0;
            if level.is_finite() && level > 0.0 && level < 1.0 {
                evidence.level = (level * 1000.0).round() / 1000.0;
            }
        }
        Ok(evidence)
    }
}

impl From<&Survey> for DataSource {
    /// The survey's title, marked synthetic when it is (the embedded
    /// stand-in always is).
    fn from(survey: &Survey) -> Self {
        let title = survey.codebook().survey.title_es.clone();
        let source = if survey.is_synthetic() {
            DataSource::synthetic(title)
        } else {
            DataSource::new(title)
        };
        source.detail(survey.source_label())
    }
}

/// Anything that can back a cause or an effect: a type implementing
/// [`Evidence`], or a result of the estimation core ([`Estimate`],
/// [`EstimateTable`], [`TestResult`]), which is converted on the way in.
pub trait IntoEvidence {
    /// The evidence, shared.
    fn into_evidence(self) -> Arc<dyn Evidence>;
}

impl<T: Evidence + 'static> IntoEvidence for T {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(self)
    }
}

impl IntoEvidence for &Estimate {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(Figure::from(self))
    }
}

impl IntoEvidence for Estimate {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(Figure::from(&self))
    }
}

impl IntoEvidence for &EstimateTable {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(DomainEvidence::from(self))
    }
}

impl IntoEvidence for EstimateTable {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(DomainEvidence::from(&self))
    }
}

impl IntoEvidence for &TestResult {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(TestEvidence::from(self))
    }
}

impl IntoEvidence for TestResult {
    fn into_evidence(self) -> Arc<dyn Evidence> {
        Arc::new(TestEvidence::from(&self))
    }
}
