//! Iteratively reweighted least squares for weighted generalised linear models (identity-link
//! Gaussian and logit-link binomial), following the steps of R's `glm.fit` so that design-based
//! standard errors match R's `svyglm` to rounding: same starting values
//! (`mustart = (w y + 0.5)/(w + 1)` for the binomial, `y` for the Gaussian), the same deviance
//! stopping rule (`|dev − dev_old|/(|dev| + 0.1) < epsilon`), and — as R — the working weights of
//! the last iteration (computed before its update) in the covariance.

use nalgebra::{DMatrix, DVector};

/// The model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Family {
    /// Linear regression (Gaussian, identity link): R's `gaussian()`.
    #[default]
    Gaussian,
    /// Logistic regression for a 0/1 (or proportion) response, logit link: R's
    /// `quasibinomial()` (the design-based fit and SEs are the same as `binomial()`).
    Logistic,
}

impl Family {
    fn linkinv(self, eta: f64) -> f64 {
        match self {
            Family::Gaussian => eta,
            Family::Logistic => {
                // R's logit link inverse, with its thresholds at ±30.
                let t = if eta < -30.0 {
                    f64::EPSILON
                } else if eta > 30.0 {
                    1.0 / f64::EPSILON
                } else {
                    eta.exp()
                };
                t / (1.0 + t)
            }
        }
    }
    fn linkfun(self, mu: f64) -> f64 {
        match self {
            Family::Gaussian => mu,
            Family::Logistic => (mu / (1.0 - mu)).ln(),
        }
    }
    /// `dμ/dη`.
    fn mu_eta(self, eta: f64) -> f64 {
        match self {
            Family::Gaussian => 1.0,
            Family::Logistic => {
                let e = eta.abs();
                if e > 30.0 {
                    f64::EPSILON
                } else {
                    let x = eta.exp();
                    x / (1.0 + x).powi(2)
                }
            }
        }
    }
    fn variance(self, mu: f64) -> f64 {
        match self {
            Family::Gaussian => 1.0,
            Family::Logistic => mu * (1.0 - mu),
        }
    }
    fn dev_resid(self, y: f64, mu: f64, w: f64) -> f64 {
        match self {
            Family::Gaussian => w * (y - mu).powi(2),
            Family::Logistic => {
                let ylogy = |a: f64, b: f64| if a > 0.0 { a * (a / b).ln() } else { 0.0 };
                2.0 * w * (ylogy(y, mu) + ylogy(1.0 - y, 1.0 - mu))
            }
        }
    }
    /// Name in Spanish.
    pub fn name_es(self) -> &'static str {
        match self {
            Family::Gaussian => "lineal (gaussiana)",
            Family::Logistic => "logística (quasibinomial)",
        }
    }
}

/// Result of one weighted fit.
#[derive(Debug, Clone)]
pub(crate) struct GlmFit {
    /// Coefficients.
    pub coef: DVector<f64>,
    /// `(Xᵀ W X)⁻¹` with the last iteration's working weights (R's `cov.unscaled`).
    pub ainv: DMatrix<f64>,
    /// Per row: working residual × working weight, the score contribution `x_i · this`.
    pub score: Vec<f64>,
    /// IRLS iterations.
    pub iterations: usize,
    /// Whether the deviance criterion was met.
    pub converged: bool,
}

/// Fits the model to rows with weight > 0 (rows with zero weight contribute nothing).
/// `start`: coefficients to start from (as R's replicate refits); otherwise R's `mustart`.
pub(crate) fn fit(
    x: &DMatrix<f64>,
    y: &[f64],
    w: &[f64],
    family: Family,
    start: Option<&DVector<f64>>,
    epsilon: f64,
    maxit: usize,
) -> Option<GlmFit> {
    let n = x.nrows();
    let p = x.ncols();
    let mut eta: Vec<f64> = match start {
        Some(b) => (x * b).iter().copied().collect(),
        None => (0..n)
            .map(|i| match family {
                Family::Gaussian => y[i],
                Family::Logistic => family.linkfun((w[i] * y[i] + 0.5) / (w[i] + 1.0)),
            })
            .collect(),
    };
    let mut mu: Vec<f64> = eta.iter().map(|&e| family.linkinv(e)).collect();
    let deviance =
        |mu: &[f64]| -> f64 { (0..n).map(|i| family.dev_resid(y[i], mu[i], w[i])).sum() };
    let mut devold = deviance(&mu);
    let mut coef = DVector::zeros(p);
    let mut work_w = vec![0.0; n];
    let mut xtwx = DMatrix::zeros(p, p);
    let mut converged = false;
    let mut iterations = 0;
    for iter in 1..=maxit {
        iterations = iter;
        // Working response and weights at the current mu.
        let mut xtwz = DVector::zeros(p);
        xtwx.fill(0.0);
        for i in 0..n {
            let me = family.mu_eta(eta[i]);
            let good = w[i] > 0.0 && me != 0.0;
            work_w[i] = if good {
                w[i] * me * me / family.variance(mu[i])
            } else {
                0.0
            };
            if !good {
                continue;
            }
            let z = eta[i] + (y[i] - mu[i]) / me;
            let wi = work_w[i];
            for a in 0..p {
                let xa = x[(i, a)] * wi;
                if xa == 0.0 {
                    continue;
                }
                xtwz[a] += xa * z;
                for b in a..p {
                    xtwx[(a, b)] += xa * x[(i, b)];
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                xtwx[(a, b)] = xtwx[(b, a)];
            }
        }
        let chol = xtwx.clone().cholesky()?;
        coef = chol.solve(&xtwz);
        eta = (x * &coef).iter().copied().collect();
        mu = eta.iter().map(|&e| family.linkinv(e)).collect();
        let dev = deviance(&mu);
        if !dev.is_finite() {
            return None;
        }
        if (dev - devold).abs() / (dev.abs() + 0.1) < epsilon {
            converged = true;
            break;
        }
        devold = dev;
    }
    let ainv = xtwx.cholesky()?.inverse();
    let score = (0..n)
        .map(|i| {
            let me = family.mu_eta(eta[i]);
            if work_w[i] == 0.0 || me == 0.0 {
                0.0
            } else {
                (y[i] - mu[i]) / me * work_w[i]
            }
        })
        .collect();
    Some(GlmFit {
        coef,
        ainv,
        score,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_least_squares_is_exact() {
        // y = 1 + 2x exactly: any weights give the same line.
        let x = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0]);
        let y = [1.0, 3.0, 5.0, 7.0];
        let f = fit(
            &x,
            &y,
            &[1.0, 2.0, 3.0, 4.0],
            Family::Gaussian,
            None,
            1e-12,
            50,
        )
        .expect("fits");
        assert!((f.coef[0] - 1.0).abs() < 1e-12 && (f.coef[1] - 2.0).abs() < 1e-12);
        assert!(f.score.iter().all(|s| s.abs() < 1e-12));
    }

    #[test]
    fn logistic_score_equations_hold() {
        let xs = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 1.5, 2.5];
        let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        let x = DMatrix::from_fn(8, 2, |i, j| if j == 0 { 1.0 } else { xs[i] });
        let w = [1.0, 2.0, 1.0, 1.5, 1.0, 0.5, 1.0, 2.0];
        let f = fit(&x, &y, &w, Family::Logistic, None, 1e-14, 100).expect("fits");
        assert!(f.converged);
        for a in 0..2 {
            let s: f64 = (0..8).map(|i| x[(i, a)] * f.score[i]).sum();
            assert!(s.abs() < 1e-6, "score {a}: {s}");
        }
    }
}
