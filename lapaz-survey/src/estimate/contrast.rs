//! Contrasts of estimates with their standard errors, as R's `svycontrast`.
//!
//! A contrast combines estimates `θ = (θ₁ … θₘ)` of the same design:
//! linearly, `c·θ`, with variance `cᵀ Σ c`, or through a smooth function
//! `g(θ)` with the delta-method variance `∇gᵀ Σ ∇g` (R's nonlinear
//! contrasts, where R differentiates the expression symbolically; here the
//! gradient is given with the function). `Σ` is the covariance of the
//! estimates *including their covariances* — for domain estimates, R's
//! `svyby(..., covmat = TRUE)` — which is what makes a difference of two
//! domain means right where `√(SE₁² + SE₂²)` is not.
//!
//! ```
//! use lapaz_survey::estimate::contrast::Contrast;
//! use ndarray::array;
//!
//! let theta = [10.0, 8.0];
//! let sigma = array![[4.0, 1.0], [1.0, 9.0]];
//! let diff = Contrast::linear("a − b", [1.0, -1.0]);
//! let ratio = Contrast::ratio("a / b", 0, 1);
//! let (values, vcov) = Contrast::apply_all(&[diff, ratio], &theta, sigma.view())?;
//! assert_eq!(values[0], 2.0);
//! assert_eq!(vcov[[0, 0]], 4.0 + 9.0 - 2.0 * 1.0);
//! assert_eq!(values[1], 1.25);
//! # Ok::<(), lapaz_survey::estimate::contrast::ContrastError>(())
//! ```

use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView2};

use super::influence::{Influence, InfluenceRef};
use super::{ConfidenceInterval, Estimate, EstimateError, EstimateTable, Statistic, covariance};
use crate::design::taylor::CellTotals;
use crate::quality::Quality;

/// A smooth function of the estimates with its gradient.
type SmoothFn = Arc<dyn Fn(&[f64]) -> (f64, Vec<f64>) + Send + Sync>;

/// One contrast: a name and either coefficients or a smooth function.
#[derive(Clone)]
pub struct Contrast {
    name: String,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Linear(Vec<f64>),
    /// A smooth function and the estimate indices it reads (checked before
    /// it is called; empty for user functions).
    Smooth(SmoothFn, Vec<usize>),
}

impl std::fmt::Debug for Contrast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Linear(c) => f
                .debug_struct("Contrast")
                .field("name", &self.name)
                .field("linear", c)
                .finish(),
            Kind::Smooth(..) => f
                .debug_struct("Contrast")
                .field("name", &self.name)
                .field("smooth", &"fn")
                .finish(),
        }
    }
}

/// Why a contrast cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ContrastError {
    /// The coefficients do not match the number of estimates.
    #[error(
        "el contraste «{name}» tiene {got} coeficientes pero hay {expected} estimaciones; \
         dé un coeficiente por estimación (0 para las que no entran)"
    )]
    WrongLength {
        /// The contrast.
        name: String,
        /// Number of estimates.
        expected: usize,
        /// Number of coefficients (or gradient entries) given.
        got: usize,
    },
    /// An estimate index is out of range.
    #[error(
        "el contraste «{name}» usa la estimación {index}, pero solo hay {len} (se cuentan desde 0)"
    )]
    BadIndex {
        /// The contrast.
        name: String,
        /// The index used.
        index: usize,
        /// Number of estimates.
        len: usize,
    },
    /// The covariance matrix does not match the estimates.
    #[error("la matriz de covarianzas es {rows}×{cols}, pero hay {len} estimaciones")]
    BadCovariance {
        /// Rows of the matrix.
        rows: usize,
        /// Columns of the matrix.
        cols: usize,
        /// Number of estimates.
        len: usize,
    },
}

impl Contrast {
    /// The linear contrast `Σ cᵢ θᵢ` (one coefficient per estimate, in order).
    pub fn linear(name: impl Into<String>, coefficients: impl Into<Vec<f64>>) -> Contrast {
        Contrast {
            name: name.into(),
            kind: Kind::Linear(coefficients.into()),
        }
    }

    /// `θ_a − θ_b` (indices from 0).
    pub fn difference(name: impl Into<String>, a: usize, b: usize) -> Contrast {
        let f = move |t: &[f64]| {
            let mut g = vec![0.0; t.len()];
            g[a] = 1.0;
            g[b] -= 1.0;
            (t[a] - t[b], g)
        };
        Contrast {
            name: name.into(),
            kind: Kind::Smooth(Arc::new(f), vec![a, b]),
        }
    }

    /// `θ_a / θ_b` (indices from 0), by the delta method.
    pub fn ratio(name: impl Into<String>, a: usize, b: usize) -> Contrast {
        let f = move |t: &[f64]| {
            let mut g = vec![0.0; t.len()];
            g[a] += 1.0 / t[b];
            g[b] -= t[a] / (t[b] * t[b]);
            (t[a] / t[b], g)
        };
        Contrast {
            name: name.into(),
            kind: Kind::Smooth(Arc::new(f), vec![a, b]),
        }
    }

    /// A smooth function `g(θ)` of the estimates, with its gradient `∇g(θ)`
    /// (one entry per estimate); its variance is `∇gᵀ Σ ∇g` (delta method,
    /// as R's nonlinear `svycontrast`).
    pub fn nonlinear<F, G>(name: impl Into<String>, f: F, gradient: G) -> Contrast
    where
        F: Fn(&[f64]) -> f64 + Send + Sync + 'static,
        G: Fn(&[f64]) -> Vec<f64> + Send + Sync + 'static,
    {
        Contrast {
            name: name.into(),
            kind: Kind::Smooth(Arc::new(move |t: &[f64]| (f(t), gradient(t))), Vec::new()),
        }
    }

    /// The contrast's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Value and gradient at `theta`.
    pub(crate) fn evaluate(&self, theta: &[f64]) -> Result<(f64, Vec<f64>), ContrastError> {
        match &self.kind {
            Kind::Linear(c) => {
                if c.len() != theta.len() {
                    return Err(ContrastError::WrongLength {
                        name: self.name.clone(),
                        expected: theta.len(),
                        got: c.len(),
                    });
                }
                Ok((c.iter().zip(theta).map(|(a, b)| a * b).sum(), c.clone()))
            }
            Kind::Smooth(f, uses) => {
                if let Some(&index) = uses.iter().find(|&&i| i >= theta.len()) {
                    return Err(ContrastError::BadIndex {
                        name: self.name.clone(),
                        index,
                        len: theta.len(),
                    });
                }
                let (v, g) = f(theta);
                if g.len() != theta.len() {
                    return Err(ContrastError::WrongLength {
                        name: self.name.clone(),
                        expected: theta.len(),
                        got: g.len(),
                    });
                }
                Ok((v, g))
            }
        }
    }

    /// Values of `contrasts` at `theta` and their covariance `G Σ Gᵀ`, with
    /// `G` the coefficients/gradients stacked by row.
    pub fn apply_all(
        contrasts: &[Contrast],
        theta: &[f64],
        sigma: ArrayView2<'_, f64>,
    ) -> Result<(Vec<f64>, Array2<f64>), ContrastError> {
        let m = theta.len();
        if sigma.nrows() != m || sigma.ncols() != m {
            return Err(ContrastError::BadCovariance {
                rows: sigma.nrows(),
                cols: sigma.ncols(),
                len: m,
            });
        }
        let q = contrasts.len();
        let mut values = Vec::with_capacity(q);
        let mut g = Array2::<f64>::zeros((q, m));
        for (i, c) in contrasts.iter().enumerate() {
            let (v, grad) = c.evaluate(theta)?;
            values.push(v);
            g.row_mut(i).assign(&Array1::from(grad));
        }
        let vcov = g.dot(&sigma).dot(&g.t());
        Ok((values, vcov))
    }
}

/// Contrasts of estimates of one design (R's `svycontrast`): each contrast
/// becomes an [`Estimate`] (statistic [`Statistic::Contrast`], variable =
/// the contrast's name) with the SE from the covariance of the estimates,
/// R's normal interval, and its own linearisation, so contrasts can be
/// combined again or put in [`covariance`]. Its `df` is the smallest of the
/// estimates' and `n` the largest; reliability rules are not applied to
/// contrasts (`Quality::NotAssessed`).
///
/// ```
/// use lapaz_survey::design::{DesignSpec, SurveyDesign};
/// use lapaz_survey::estimate::{Contrast, contrast};
/// use lapaz_survey::polars::prelude::*;
///
/// let df = df![
///     "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
///     "factor"  => [10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 10.0],
///     "zona"    => ["norte", "sur", "norte", "sur", "norte", "sur", "norte", "sur"],
///     "ingreso" => [300.0, 250.0, 280.0, 260.0, 310.0, 200.0, 330.0, 240.0],
/// ]?;
/// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
/// let means = d.by(["zona"])?.mean("ingreso")?;
/// let e = means.estimates();
/// let diff = contrast(&[&e[0], &e[1]], &[Contrast::linear("norte − sur", [1.0, -1.0])])?;
/// let c = &diff.estimates()[0];
/// assert!((c.estimate - (e[0].estimate - e[1].estimate)).abs() < 1e-9);
/// // the zones share clusters: the SE is not √(se₁² + se₂²)
/// assert!((c.se - (e[0].se.powi(2) + e[1].se.powi(2)).sqrt()).abs() > 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn contrast(
    estimates: &[&Estimate],
    contrasts: &[Contrast],
) -> Result<EstimateTable, EstimateError> {
    let sigma = covariance(estimates)?;
    let theta: Vec<f64> = estimates.iter().map(|e| e.estimate).collect();
    let (values, vcov) = Contrast::apply_all(contrasts, &theta, sigma.view())
        .map_err(|e| EstimateError::BadOption(e.to_string()))?;
    let mut grads = Array2::<f64>::zeros((contrasts.len(), theta.len()));
    for (i, c) in contrasts.iter().enumerate() {
        let (_, g) = c
            .evaluate(&theta)
            .map_err(|e| EstimateError::BadOption(e.to_string()))?;
        grads.row_mut(i).assign(&Array1::from(g));
    }
    let influence = combine_influence(estimates, &grads);
    let Some(first) = estimates.first() else {
        return Ok(EstimateTable::new(Vec::new(), Vec::new(), None));
    };
    let level = first.ci.level;
    let df = estimates.iter().map(|e| e.df).fold(f64::INFINITY, f64::min);
    let n = estimates.iter().map(|e| e.n).max().unwrap_or(0);
    let out = contrasts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let estimate = values[i];
            let se = vcov[[i, i]].max(0.0).sqrt();
            let cv = se / estimate;
            Estimate {
                statistic: Statistic::Contrast,
                variable: c.name().to_string(),
                level: None,
                domain: Vec::new(),
                estimate,
                se,
                ci: ConfidenceInterval::normal(estimate, se, level),
                cv,
                deff: None,
                df,
                n,
                n_cases: n,
                n_missing: 0,
                population: f64::NAN,
                quality: Quality::NotAssessed,
                influence: influence.as_ref().map(|inf| InfluenceRef {
                    influence: Arc::clone(inf),
                    domain: 0,
                    column: i,
                }),
            }
        })
        .collect();
    Ok(EstimateTable::new(out, Vec::new(), None))
}

impl EstimateTable {
    /// Contrasts of this table's estimates, in table order (see [`contrast`]).
    ///
    /// R's `svycontrast(svyby(..., covmat = TRUE), list(...))`.
    pub fn contrast(&self, contrasts: &[Contrast]) -> Result<EstimateTable, EstimateError> {
        let refs: Vec<&Estimate> = self.estimates().iter().collect();
        contrast(&refs, contrasts)
    }
}

/// The linearisation of the contrasts: per sampled unit, `G ·` (the
/// estimates' linearised totals). `None` when an estimate has none.
fn combine_influence(estimates: &[&Estimate], grads: &Array2<f64>) -> Option<Arc<Influence>> {
    let refs: Vec<&InfluenceRef> = estimates
        .iter()
        .map(|e| e.influence.as_ref())
        .collect::<Option<_>>()?;
    let design = Arc::clone(&refs.first()?.influence.design);
    let q = grads.nrows();
    // (unit, contrast values, present) per cell of every estimate.
    let mut entries: Vec<(u32, usize, f64, bool)> = Vec::new();
    for (a, r) in refs.iter().enumerate() {
        let cells = r.influence.cells();
        for c in 0..cells.unit.len() {
            if cells.domain[c] == r.domain {
                entries.push((
                    cells.unit[c],
                    a,
                    cells.values[c * cells.k + r.column],
                    cells.present[c],
                ));
            }
        }
    }
    entries.sort_by_key(|e| e.0);
    let mut unit: Vec<u32> = Vec::new();
    let mut present: Vec<bool> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    for (u, a, v, p) in entries {
        if unit.last() != Some(&u) {
            unit.push(u);
            present.push(false);
            values.extend(std::iter::repeat_n(0.0, q));
        }
        let cell = unit.len() - 1;
        for i in 0..q {
            values[cell * q + i] += grads[[i, a]] * v;
        }
        present[cell] |= p;
    }
    let replicates = crate::weighting::design::combine_replicates(&refs, grads);
    Some(Arc::new(Influence::with_cells(
        design,
        CellTotals {
            domain: vec![0; unit.len()].into(),
            unit: unit.into(),
            present,
            values,
            k: q,
            n_domains: 1,
        },
        replicates,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn linear_contrasts_by_hand() {
        // The contrasts of R's svycontrast example, list(avg = c(.5, 0, .5),
        // diff = c(1, 0, -1)), on small numbers checked by hand:
        // avg = (t1 + t3)/2 with Var = (V11 + 2 V13 + V33)/4.
        let theta = [3.0, 5.0, 7.0];
        let sigma = array![[4.0, 0.5, 1.0], [0.5, 2.0, 0.3], [1.0, 0.3, 9.0]];
        let cs = [
            Contrast::linear("avg", [0.5, 0.0, 0.5]),
            Contrast::linear("diff", [1.0, 0.0, -1.0]),
        ];
        let (v, s) = Contrast::apply_all(&cs, &theta, sigma.view()).expect("contrast");
        assert_eq!(v, vec![5.0, -4.0]);
        assert!((s[[0, 0]] - (4.0 + 2.0 + 9.0) / 4.0).abs() < 1e-15);
        assert!((s[[1, 1]] - (4.0 - 2.0 + 9.0)).abs() < 1e-15);
        assert!((s[[0, 1]] - (4.0 - 9.0) / 2.0).abs() < 1e-15);
    }

    #[test]
    fn ratio_uses_the_delta_method() {
        let theta = [6.0, 3.0];
        let sigma = array![[1.0, 0.2], [0.2, 0.5]];
        let (v, s) = Contrast::apply_all(&[Contrast::ratio("r", 0, 1)], &theta, sigma.view())
            .expect("ratio");
        assert_eq!(v[0], 2.0);
        let g = [1.0 / 3.0, -6.0 / 9.0];
        let want = g[0] * g[0] * 1.0 + 2.0 * g[0] * g[1] * 0.2 + g[1] * g[1] * 0.5;
        assert!((s[[0, 0]] - want).abs() < 1e-15);
    }

    #[test]
    fn nonlinear_log_difference() {
        let c = Contrast::nonlinear(
            "log a − log b",
            |t| t[0].ln() - t[1].ln(),
            |t| vec![1.0 / t[0], -1.0 / t[1]],
        );
        let (v, _) = Contrast::apply_all(
            &[c],
            &[std::f64::consts::E, 1.0],
            array![[1.0, 0.0], [0.0, 1.0]].view(),
        )
        .expect("contrast");
        assert!((v[0] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn mismatches_are_errors() {
        let sigma = array![[1.0, 0.0], [0.0, 1.0]];
        let err = Contrast::apply_all(&[Contrast::linear("x", [1.0])], &[1.0, 2.0], sigma.view());
        assert!(matches!(
            err,
            Err(ContrastError::WrongLength {
                expected: 2,
                got: 1,
                ..
            })
        ));
        let err = Contrast::apply_all(
            &[Contrast::difference("x", 0, 5)],
            &[1.0, 2.0],
            sigma.view(),
        );
        assert!(matches!(err, Err(ContrastError::BadIndex { .. })));
        let err = Contrast::apply_all(&[Contrast::linear("x", [1.0])], &[1.0], sigma.view());
        assert!(matches!(err, Err(ContrastError::BadCovariance { .. })));
    }
}
