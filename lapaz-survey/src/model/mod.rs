//! Regression with design-based standard errors: linear and logistic models, as R's `svyglm`.
//!
//! Coefficients are the weighted (pseudo-likelihood) estimates. Standard errors are the
//! sandwich (linearisation) estimator on Taylor designs — the influence of each row
//! `x_i w_i r_i · A⁻¹` (working residual `r_i`, `A = Xᵀ W X`) goes through the design's variance
//! step, with its strata, clusters, fpc and calibration — and, on replicate designs, the spread of
//! the coefficients refitted under every replicate weight. t tests use R's residual degrees of
//! freedom: design df + 1 − number of coefficients.
//!
//! Categorical predictors (text, `Enum` columns from the codebook) become 0/1 columns for every
//! level but the first, which is the reference (R's treatment contrasts); `Enum` levels keep the
//! codebook's order, text levels are sorted (as R's `factor`).
//!
//! ```
//! use lapaz_survey::design::{DesignSpec, SurveyDesign};
//! use lapaz_survey::model::Regression;
//! use lapaz_survey::polars::prelude::*;
//!
//! let df = df![
//!     "estrato" => ["A", "A", "A", "A", "B", "B", "B", "B"],
//!     "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
//!     "factor"  => [10.0, 10.0, 12.0, 12.0, 20.0, 20.0, 18.0, 18.0],
//!     "ingreso" => [100.0, 120.0, 90.0, 110.0, 300.0, 280.0, 260.0, 310.0],
//!     "edad"    => [25.0, 40.0, 33.0, 51.0, 45.0, 29.0, 38.0, 60.0],
//!     "sexo"    => ["M", "F", "F", "M", "M", "F", "M", "F"],
//! ]?;
//! let spec = DesignSpec::new().weights("factor").strata("estrato").cluster("upm");
//! let design = SurveyDesign::new(df, spec)?;
//! let model = Regression::linear("ingreso").predictors(["edad", "sexo"]).fit(&design)?;
//! println!("{model}");
//! assert_eq!(model.coefficients().len(), 3); // (Intercept), edad, sexo: M
//! # Ok::<(), lapaz_survey::Error>(())
//! ```

mod glm;
mod table;

pub use glm::Family;
pub use table::{Coefficient, RegressionTable};

use crate::design::{DesignError, SurveyDesign, codes_of, numeric_values};
use crate::weighting::WeightingError;
use nalgebra::{DMatrix, DVector};
use ndarray::Array2;

/// R's `glm.control` tolerance is `1e-8`; the reference values were computed with `1e-14`,
/// and so is every fit here (the coefficients are then exact to rounding).
const EPSILON: f64 = 1e-14;
const MAXIT: usize = 100;

/// How a predictor enters the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A number, as it is.
    Numeric(String),
    /// A category: one 0/1 column per level but the first.
    Categorical(String),
    /// Numeric when the column holds numbers (or booleans), categorical otherwise.
    Auto(String),
}

/// A regression to fit on a design: response, predictors and family.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    response: String,
    terms: Vec<Term>,
    family: Family,
    intercept: bool,
}

impl Regression {
    /// Linear regression of `response` (R `svyglm(y ~ ..., family = gaussian())`).
    pub fn linear(response: impl Into<String>) -> Self {
        Self {
            response: response.into(),
            terms: Vec::new(),
            family: Family::Gaussian,
            intercept: true,
        }
    }
    /// Logistic regression of a 0/1 `response` (R `family = quasibinomial()`).
    pub fn logistic(response: impl Into<String>) -> Self {
        Self {
            family: Family::Logistic,
            ..Self::linear(response)
        }
    }
    /// Adds predictors, each numeric or categorical by its column type.
    pub fn predictors<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.terms
            .extend(columns.into_iter().map(|c| Term::Auto(c.into())));
        self
    }
    /// Adds a numeric predictor.
    pub fn numeric(mut self, column: impl Into<String>) -> Self {
        self.terms.push(Term::Numeric(column.into()));
        self
    }
    /// Adds a categorical predictor (first level = reference).
    pub fn categorical(mut self, column: impl Into<String>) -> Self {
        self.terms.push(Term::Categorical(column.into()));
        self
    }
    /// Fits without an intercept.
    pub fn without_intercept(mut self) -> Self {
        self.intercept = false;
        self
    }

    /// Fits the model on `design` (Taylor or replicate variance, as the design has).
    pub fn fit(&self, design: &SurveyDesign) -> crate::Result<RegressionTable> {
        let frame = design.data();
        let n = design.n_rows();
        let y = numeric_values(frame, &self.response, "respuesta")?;
        let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
        if self.intercept {
            columns.push(("(Intercept)".into(), vec![1.0; n]));
        }
        for term in &self.terms {
            let (name, categorical) = match term {
                Term::Numeric(c) => (c, false),
                Term::Categorical(c) => (c, true),
                Term::Auto(c) => {
                    let col = crate::frame::column(frame, c).ok_or_else(|| {
                        DesignError::MissingColumn {
                            column: c.clone(),
                            role: "predictor".into(),
                            available: frame
                                .get_column_names()
                                .iter()
                                .map(|s| s.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        }
                    })?;
                    let numeric = col.dtype().is_primitive_numeric() || col.dtype().is_bool();
                    (c, !numeric)
                }
            };
            if categorical {
                let codes = codes_of(frame, name, "predictor", design.codebook())?;
                for (level, label) in codes.labels.iter().enumerate().skip(1) {
                    let col = codes
                        .codes
                        .iter()
                        .map(|&c| {
                            if c == crate::design::MISSING {
                                f64::NAN
                            } else if c as usize == level {
                                1.0
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    columns.push((format!("{name}: {}", label.es), col));
                }
            } else {
                columns.push((name.clone(), numeric_values(frame, name, "predictor")?));
            }
        }
        if self.family == Family::Logistic
            && let Some((row, v)) = y
                .iter()
                .enumerate()
                .find(|(_, v)| v.is_finite() && !(0.0..=1.0).contains(*v))
        {
            return Err(WeightingError::Column {
                column: self.response.clone(),
                problem: format!(
                    "la regresión logística necesita una respuesta 0/1 (o proporción); fila {row}: {v}"
                ),
            }
            .into());
        }
        // Rows used: in the subpopulation, with every value present (R's na.omit); others weigh 0.
        let mask = design.in_subset();
        let used: Vec<bool> = (0..n)
            .map(|i| {
                y[i].is_finite()
                    && columns.iter().all(|(_, c)| c[i].is_finite())
                    && mask.is_none_or(|m| m[i])
            })
            .collect();
        let p = columns.len();
        let x = DMatrix::from_fn(n, p, |i, j| if used[i] { columns[j].1[i] } else { 0.0 });
        let yv: Vec<f64> = (0..n).map(|i| if used[i] { y[i] } else { 0.0 }).collect();
        let weights = design.weights();
        // R rescales the weights to mean 1 over the design's rows (this affects the IRLS path).
        let mean_w = weights
            .iter()
            .zip(0..n)
            .filter(|(_, i)| mask.is_none_or(|m| m[*i]))
            .map(|(w, _)| *w)
            .sum::<f64>()
            / mask.map_or(n, |m| m.iter().filter(|b| **b).count()).max(1) as f64;
        let w: Vec<f64> = (0..n)
            .map(|i| if used[i] { weights[i] / mean_w } else { 0.0 })
            .collect();
        let names: Vec<String> = columns.into_iter().map(|(name, _)| name).collect();
        let n_used = used.iter().filter(|u| **u).count();
        let singular = || WeightingError::Singular {
            detail: format!(
                "los predictores de `{}` son colineales o una categoría está vacía",
                self.response
            ),
        };
        let full = glm::fit(&x, &yv, &w, self.family, None, EPSILON, MAXIT).ok_or_else(singular)?;
        let (vcov, df) = match design.replicate_weights() {
            None => {
                // Sandwich: influence rows (x_i · score_i) A⁻¹ through the design's variance.
                let mut z = Array2::<f64>::zeros((n, p));
                for i in 0..n {
                    if !used[i] {
                        continue;
                    }
                    for a in 0..p {
                        let mut v = 0.0;
                        for b in 0..p {
                            v += x[(i, b)] * full.score[i] * full.ainv[(b, a)];
                        }
                        z[[i, a]] = v;
                    }
                }
                let domains = vec![0u32; n];
                let vc = design.total_vcov(&domains, 1, z.view());
                let m = vc
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Array2::zeros((p, p)));
                (m, design.degrees_of_freedom())
            }
            Some(rep) => {
                let analysis = rep.analysis_weights(weights);
                let r = analysis.ncols();
                let mut thetas = Vec::with_capacity(r);
                for c in 0..r {
                    let col = analysis.column(c);
                    let total: f64 = (0..n).filter(|&i| used[i]).map(|i| col[i]).sum();
                    let wr: Vec<f64> = (0..n)
                        .map(|i| if used[i] { col[i] / total } else { 0.0 })
                        .collect();
                    let fail = |detail: &str| WeightingError::ReplicateFit {
                        response: self.response.clone(),
                        replicate: c + 1,
                        detail: detail.into(),
                    };
                    let f = glm::fit(&x, &yv, &wr, self.family, Some(&full.coef), EPSILON, MAXIT)
                        .ok_or_else(|| {
                            fail("predictores colineales o sin casos con esos pesos, o desvianza no finita")
                        })?;
                    if f.coef.iter().any(|v| !v.is_finite()) {
                        return Err(fail("coeficientes no finitos").into());
                    }
                    thetas.push(f.coef.iter().copied().collect());
                }
                let theta: Vec<f64> = full.coef.iter().copied().collect();
                let flat = crate::weighting::replicate::replicate_covariance(
                    &theta,
                    &thetas,
                    rep.scale(),
                    rep.rscales(),
                    rep.mse(),
                );
                (
                    Array2::from_shape_vec((p, p), flat).unwrap_or_else(|_| Array2::zeros((p, p))),
                    rep.degf() as f64,
                )
            }
        };
        let df_resid = df + 1.0 - p as f64;
        let coefficients = names
            .into_iter()
            .enumerate()
            .map(|(j, name)| {
                Coefficient::new(
                    name,
                    full.coef[j],
                    vcov[[j, j]].max(0.0).sqrt(),
                    df_resid,
                    design.options().level,
                )
            })
            .collect();
        Ok(RegressionTable {
            response: self.response.clone(),
            family: self.family,
            coefficients,
            df_residual: df_resid,
            n: n_used,
            iterations: full.iterations,
            converged: full.converged,
            replicate: design.replicate_weights().is_some(),
            level: design.options().level,
            vcov: DMatrix::from_fn(p, p, |a, b| vcov[[a, b]]),
            coef: DVector::from_iterator(p, full.coef.iter().copied()),
        })
    }
}

impl SurveyDesign {
    /// Linear regression of `response` on `predictors` (R's `svyglm(..., family = gaussian())`).
    pub fn lm<I, S>(&self, response: &str, predictors: I) -> crate::Result<RegressionTable>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Regression::linear(response)
            .predictors(predictors)
            .fit(self)
    }

    /// Logistic regression of a 0/1 `response` (R's `svyglm(..., family = quasibinomial())`).
    pub fn logit<I, S>(&self, response: &str, predictors: I) -> crate::Result<RegressionTable>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Regression::logistic(response)
            .predictors(predictors)
            .fit(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::DesignSpec;
    use crate::weighting::ReplicateMethod;
    use polars::prelude::*;

    #[test]
    fn a_replicate_that_cannot_be_refitted_is_an_error_naming_it() {
        // Category "c" only in PSU 3: the JK1 replicate that deletes PSU 3 (replicate 3) has no
        // case of it, so its coefficient cannot be refitted.
        let df = df![
            "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
            "factor"  => [10.0, 10.0, 12.0, 12.0, 20.0, 20.0, 18.0, 18.0],
            "ingreso" => [100.0, 120.0, 90.0, 110.0, 300.0, 280.0, 260.0, 310.0],
            "grupo"   => ["a", "b", "a", "b", "c", "c", "a", "b"],
        ]
        .expect("frame");
        let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))
            .expect("design");
        let model = Regression::linear("ingreso").predictors(["grupo"]);
        let taylor = model.fit(&d).expect("the full sample fits");
        assert!(taylor.coefficients().iter().all(|c| c.se.is_finite()));
        let jk = d.replicate(ReplicateMethod::Jk1).expect("jk1");
        let err = model.fit(&jk).expect_err("replicate 3 has no case of c");
        assert!(
            matches!(
                &err,
                crate::Error::Weighting(WeightingError::ReplicateFit { replicate: 3, .. })
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("réplica 3"), "{err}");
    }
}
