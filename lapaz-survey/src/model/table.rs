//! The tidy coefficient table of a fitted regression.

use std::fmt;

use nalgebra::{DMatrix, DVector};
use polars::prelude::{DataFrame, NamedFrom, PolarsResult, Series};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::Family;

/// One coefficient: estimate, design-based SE, t statistic on the residual df, two-sided
/// p-value and confidence interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Term name (`(Intercept)`, a column, or `column: level` for a category).
    pub term: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// `estimate / se`.
    pub t: f64,
    /// `2 P(T > |t|)` with the residual degrees of freedom.
    pub p_value: f64,
    /// Lower confidence limit (t on the residual df).
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
}

impl Coefficient {
    pub(crate) fn new(term: String, estimate: f64, se: f64, df: f64, level: f64) -> Self {
        let t = estimate / se;
        let (p_value, q) = match StudentsT::new(0.0, 1.0, df) {
            Ok(dist) if df > 0.0 => (
                2.0 * dist.cdf(-t.abs()),
                dist.inverse_cdf(1.0 - (1.0 - level) / 2.0),
            ),
            _ => (f64::NAN, f64::NAN),
        };
        Coefficient {
            term,
            estimate,
            se,
            t,
            p_value,
            ci_low: estimate - q * se,
            ci_high: estimate + q * se,
        }
    }
}

/// A fitted design-based regression (R's `summary(svyglm(...))`).
#[derive(Debug, Clone)]
pub struct RegressionTable {
    pub(crate) response: String,
    pub(crate) family: Family,
    pub(crate) coefficients: Vec<Coefficient>,
    pub(crate) df_residual: f64,
    pub(crate) n: usize,
    pub(crate) iterations: usize,
    pub(crate) converged: bool,
    pub(crate) replicate: bool,
    /// Confidence level of the coefficients' intervals.
    pub(crate) level: f64,
    pub(crate) vcov: DMatrix<f64>,
    pub(crate) coef: DVector<f64>,
}

impl RegressionTable {
    /// The coefficients, in model order.
    pub fn coefficients(&self) -> &[Coefficient] {
        &self.coefficients
    }
    /// A coefficient by term name.
    pub fn coefficient(&self, term: &str) -> Option<&Coefficient> {
        self.coefficients.iter().find(|c| c.term == term)
    }
    /// Residual degrees of freedom (design df + 1 − number of coefficients).
    pub fn df_residual(&self) -> f64 {
        self.df_residual
    }
    /// Rows used (complete cases in the subpopulation).
    pub fn n(&self) -> usize {
        self.n
    }
    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }
    /// Confidence level of the coefficients' intervals (the design's).
    pub fn level(&self) -> f64 {
        self.level
    }
    /// Whether the fitting iterations converged.
    pub fn converged(&self) -> bool {
        self.converged
    }
    /// Covariance matrix of the coefficients (row-major, `p × p`).
    pub fn vcov(&self) -> Vec<f64> {
        self.vcov.transpose().iter().copied().collect()
    }
    /// The coefficient vector.
    pub fn estimates(&self) -> Vec<f64> {
        self.coef.iter().copied().collect()
    }

    /// A tidy DataFrame: `term, estimate, se, t, p_value, ci_low, ci_high`.
    pub fn to_dataframe(&self) -> PolarsResult<DataFrame> {
        let c = &self.coefficients;
        let col = |name: &str, f: &dyn Fn(&Coefficient) -> f64| {
            Series::new(name.into(), c.iter().map(f).collect::<Vec<_>>()).into()
        };
        DataFrame::new(
            c.len(),
            vec![
                Series::new(
                    "term".into(),
                    c.iter().map(|x| x.term.clone()).collect::<Vec<_>>(),
                )
                .into(),
                col("estimate", &|x| x.estimate),
                col("se", &|x| x.se),
                col("t", &|x| x.t),
                col("p_value", &|x| x.p_value),
                col("ci_low", &|x| x.ci_low),
                col("ci_high", &|x| x.ci_high),
            ],
        )
    }
}

impl fmt::Display for RegressionTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Regresión {} de `{}` — errores estándar {} — n = {}, gl residuales = {}",
            self.family.name_es(),
            self.response,
            if self.replicate {
                "por pesos replicados"
            } else {
                "por linealización (sándwich)"
            },
            self.n,
            self.df_residual
        )?;
        let w = self
            .coefficients
            .iter()
            .map(|c| c.term.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        writeln!(
            f,
            "{:<w$} {:>12} {:>12} {:>9} {:>10}",
            "término",
            "estimación",
            "e.e.",
            "t",
            "p",
            w = w
        )?;
        for c in &self.coefficients {
            writeln!(
                f,
                "{:<w$} {:>12.4} {:>12.4} {:>9.3} {:>10.4}",
                c.term,
                c.estimate,
                c.se,
                c.t,
                c.p_value,
                w = w
            )?;
        }
        if !self.converged {
            writeln!(
                f,
                "AVISO: el ajuste no convergió tras {} iteraciones",
                self.iterations
            )?;
        }
        Ok(())
    }
}
