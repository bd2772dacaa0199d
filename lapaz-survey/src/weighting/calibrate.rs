//! Calibration to population totals (generalised regression and raking estimators), as R's
//! `calibrate()`.
//!
//! Given design weights `d_i`, calibration variables `x_i` (a model matrix: intercept, dummies,
//! numbers) and population totals `X`, find g-weights `g_i = F(x_iᵀ η)` such that
//! `Σ d_i g_i x_i = X`. `F` is the calibration function ([`CalFun`]): linear `1 + u` (GREG) or
//! raking `exp(u)`, each truncated to `bounds` on `g`.
//!
//! * Linear calibration without bounds has a closed form (one linear solve, as R's
//!   `regcalibrate`).
//! * Otherwise Newton's method, exactly as R's `grake`: `η ← η + T⁺ (X − Σ d_i (1 + F⁻¹…))` with
//!   `T = Σ d_i F'(x_iᵀη) x_i x_iᵀ` and a Moore–Penrose solve (R's `MASS::ginv`), step halving
//!   when `g` is not finite, stop when every `|misfit_k|/(1 + |X_k|) < epsilon` or after `maxit`
//!   iterations. When the smallest `X_k / Σ d x_k` exceeds 20 the weights are first multiplied by
//!   the mean ratio (and bounds apply to the rescaled weights), as R does.
//!
//! Every call returns a [`CalibrationReport`]; not converging is an error
//! ([`WeightingError::NotConverged`]) carrying the report, never a silent result.

use super::WeightingError;
use nalgebra::{DMatrix, DVector};
use ndarray::{ArrayView2, Axis};
use std::fmt;

/// The calibration function (R's `calfun`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CalFun {
    /// `g = 1 + u` (generalised regression, GREG); may give negative weights without bounds.
    #[default]
    Linear,
    /// `g = exp(u)` (raking ratio); weights stay positive.
    Raking,
}

impl CalFun {
    /// `g(u)` truncated to the bounds, minus one (R's `Fm1`).
    fn fm1(self, u: f64, lower: f64, upper: f64) -> f64 {
        let g = match self {
            CalFun::Linear => u + 1.0,
            CalFun::Raking => u.exp(),
        };
        g.max(lower).min(upper) - 1.0
    }
    /// Derivative used by Newton's method (R's `dF`): zero where the bound is active.
    fn df(self, u: f64, lower: f64, upper: f64) -> f64 {
        let inside = u < upper - 1.0 && u > lower - 1.0;
        match (self, inside) {
            (_, false) => 0.0,
            (CalFun::Linear, true) => 1.0,
            (CalFun::Raking, true) => u.exp(),
        }
    }
    fn name(self) -> &'static str {
        match self {
            CalFun::Linear => "lineal",
            CalFun::Raking => "raking",
        }
    }
}

/// Options of [`calibrate_weights`], with R's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationOptions {
    /// Calibration function (default linear).
    pub calfun: CalFun,
    /// Bounds on the g-weights `(lower, upper)` (default unbounded).
    pub bounds: (f64, f64),
    /// Maximum number of Newton iterations (default 50).
    pub maxit: usize,
    /// Convergence tolerance on `|misfit|/(1 + |total|)` (default 1e-7).
    pub epsilon: f64,
}

impl Default for CalibrationOptions {
    fn default() -> Self {
        Self {
            calfun: CalFun::Linear,
            bounds: (f64::NEG_INFINITY, f64::INFINITY),
            maxit: 50,
            epsilon: 1e-7,
        }
    }
}

impl CalibrationOptions {
    /// Linear (GREG) calibration, unbounded.
    pub fn linear() -> Self {
        Self::default()
    }
    /// Raking calibration, unbounded.
    pub fn raking() -> Self {
        Self {
            calfun: CalFun::Raking,
            ..Self::default()
        }
    }
    /// Sets bounds on the g-weights.
    pub fn bounds(mut self, lower: f64, upper: f64) -> Self {
        self.bounds = (lower, upper);
        self
    }
    /// Sets the maximum number of iterations.
    pub fn maxit(mut self, maxit: usize) -> Self {
        self.maxit = maxit;
        self
    }
    /// Sets the tolerance.
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }
    fn unbounded_linear(&self) -> bool {
        self.calfun == CalFun::Linear
            && self.bounds.0 == f64::NEG_INFINITY
            && self.bounds.1 == f64::INFINITY
    }
    #[allow(
        clippy::neg_cmp_op_on_partial_ord,
        reason = "`!(epsilon > 0.0)` also refuses NaN"
    )]
    pub(crate) fn check(&self) -> Result<(), WeightingError> {
        let (lo, up) = self.bounds;
        if lo.is_nan() || up.is_nan() || lo > 1.0 || up < 1.0 {
            return Err(WeightingError::InvalidArgument {
                argument: "bounds".into(),
                expected: "límites inferior ≤ 1 ≤ superior para los factores g".into(),
                found: format!("({lo}, {up})"),
            });
        }
        if !(self.epsilon > 0.0) || self.maxit == 0 {
            return Err(WeightingError::InvalidArgument {
                argument: "epsilon/maxit".into(),
                expected: "epsilon > 0 y maxit ≥ 1".into(),
                found: format!("epsilon = {}, maxit = {}", self.epsilon, self.maxit),
            });
        }
        Ok(())
    }
}

/// What a calibration reached. Displayed in Spanish.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationReport {
    /// Method (post-estratificación, raking, lineal, …).
    pub method: String,
    /// Iterations used (1 for a closed form).
    pub iterations: usize,
    /// Largest remaining relative margin error `|Σ w x − X|/(1 + |X|)` over all totals, after
    /// the final weights.
    pub max_margin_error: f64,
    /// The tolerance it was compared with.
    pub epsilon: f64,
    /// Smallest g-weight (new weight / old weight).
    pub g_min: f64,
    /// Largest g-weight.
    pub g_max: f64,
    /// Whether the stopping rule was met.
    pub converged: bool,
    /// Replicates calibrated with the same totals (0 for a design without replicates).
    pub replicates: usize,
}

impl fmt::Display for CalibrationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Calibración {}: {} tras {} iteración(es); mayor error relativo en los totales {:.2e} (tolerancia {:.1e}); factores g entre {:.4} y {:.4}",
            self.method,
            if self.converged {
                "convergió"
            } else {
                "NO convergió"
            },
            self.iterations,
            self.max_margin_error,
            self.epsilon,
            self.g_min,
            self.g_max
        )?;
        if self.replicates > 0 {
            write!(f, "; {} réplicas calibradas", self.replicates)?;
        }
        Ok(())
    }
}

/// g-weights from one calibration, with R's iteration count and whether it converged.
#[derive(Debug, Clone)]
pub(crate) struct GWeights {
    pub g: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
}

/// Largest `|Σ w_i g_i x_i − X|/(1 + |X|)`.
pub(crate) fn margin_error(
    x: ArrayView2<'_, f64>,
    w: &[f64],
    g: &[f64],
    population: &[f64],
) -> f64 {
    let mut totals = vec![0.0; population.len()];
    for ((row, &wi), &gi) in x.axis_iter(Axis(0)).zip(w).zip(g) {
        for (t, &v) in totals.iter_mut().zip(row.iter()) {
            *t += wi * gi * v;
        }
    }
    totals
        .iter()
        .zip(population)
        .map(|(t, p)| (t - p).abs() / (1.0 + p.abs()))
        .fold(0.0, f64::max)
}

fn check_inputs(
    x: ArrayView2<'_, f64>,
    w: &[f64],
    population: &[f64],
) -> Result<(), WeightingError> {
    if x.nrows() != w.len() {
        return Err(WeightingError::LengthMismatch {
            what: "filas de las variables de calibración y pesos".into(),
            expected: w.len(),
            found: x.nrows(),
        });
    }
    if x.ncols() != population.len() {
        return Err(WeightingError::LengthMismatch {
            what: "variables de calibración y totales poblacionales".into(),
            expected: x.ncols(),
            found: population.len(),
        });
    }
    if let Some((row, &v)) = w
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(WeightingError::InvalidWeight {
            column: "peso".into(),
            row,
            found: v,
        });
    }
    if let Some(((row, col), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(WeightingError::Column {
            column: format!("variable de calibración {}", col + 1),
            problem: format!("valor no finito {v} en la fila {row}"),
        });
    }
    Ok(())
}

/// `Σ w_i s_i x_i x_iᵀ` as a nalgebra matrix.
fn weighted_cross(x: ArrayView2<'_, f64>, w: &[f64], s: impl Fn(usize) -> f64) -> DMatrix<f64> {
    let p = x.ncols();
    let mut t = DMatrix::zeros(p, p);
    for (i, (row, &wi)) in x.axis_iter(Axis(0)).zip(w).enumerate() {
        let c = wi * s(i);
        if c == 0.0 {
            continue;
        }
        for a in 0..p {
            let ca = c * row[a];
            if ca == 0.0 {
                continue;
            }
            for b in a..p {
                t[(a, b)] += ca * row[b];
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            t[(a, b)] = t[(b, a)];
        }
    }
    t
}

/// Moore–Penrose solve `T⁺ b`, dropping singular values below `256 ε · σ_max` (R's `ginv`).
fn ginv_solve(t: DMatrix<f64>, b: &DVector<f64>) -> DVector<f64> {
    let svd = t.svd(true, true);
    let max = svd.singular_values.iter().cloned().fold(0.0_f64, f64::max);
    let tol = 256.0 * f64::EPSILON * max;
    let (Some(u), Some(vt)) = (svd.u, svd.v_t) else {
        return DVector::zeros(b.len());
    };
    let utb = u.transpose() * b;
    let scaled = DVector::from_iterator(
        utb.len(),
        utb.iter()
            .zip(svd.singular_values.iter())
            .map(|(v, &s)| if s > tol && max > 0.0 { v / s } else { 0.0 }),
    );
    vt.transpose() * scaled
}

/// Closed-form linear calibration (R's `regcalibrate`): `g = 1 + x_iᵀ T⁻¹ (X − Σ w x)`.
fn linear_closed_form(
    x: ArrayView2<'_, f64>,
    w: &[f64],
    population: &[f64],
) -> Result<GWeights, WeightingError> {
    let p = x.ncols();
    let t = weighted_cross(x, w, |_| 1.0);
    let mut sample = DVector::zeros(p);
    for (row, &wi) in x.axis_iter(Axis(0)).zip(w) {
        for a in 0..p {
            sample[a] += wi * row[a];
        }
    }
    let rhs = DVector::from_column_slice(population) - sample;
    let lu = t.lu();
    let coef = lu.solve(&rhs).ok_or_else(|| WeightingError::Singular {
        detail: "la matriz Σ w x xᵀ no es invertible".into(),
    })?;
    if coef.iter().any(|v| !v.is_finite()) {
        return Err(WeightingError::Singular {
            detail: "la solución no es finita".into(),
        });
    }
    let g = x
        .axis_iter(Axis(0))
        .map(|row| 1.0 + row.iter().zip(coef.iter()).map(|(a, b)| a * b).sum::<f64>())
        .collect();
    Ok(GWeights {
        g,
        iterations: 1,
        converged: true,
    })
}

/// Newton iterations of R's `grake`.
fn newton(
    x: ArrayView2<'_, f64>,
    w0: &[f64],
    population: &[f64],
    opts: &CalibrationOptions,
) -> GWeights {
    let n = x.nrows();
    let p = x.ncols();
    let (lower, upper) = opts.bounds;
    let calfun = opts.calfun;
    let mut w = w0.to_vec();
    let mut sample = vec![0.0; p];
    for (row, &wi) in x.axis_iter(Axis(0)).zip(&w) {
        for a in 0..p {
            sample[a] += wi * row[a];
        }
    }
    // R rescales the weights when every total is far above its sample estimate.
    let ratios: Vec<f64> = population.iter().zip(&sample).map(|(p, s)| p / s).collect();
    let rescale = if ratios.iter().cloned().fold(f64::INFINITY, f64::min) > 20.0 {
        let s = ratios.iter().sum::<f64>() / ratios.len() as f64;
        for v in &mut w {
            *v *= s;
        }
        for v in &mut sample {
            *v *= s;
        }
        Some(s)
    } else {
        None
    };
    let xeta = |eta: &DVector<f64>| -> Vec<f64> {
        x.axis_iter(Axis(0))
            .map(|row| row.iter().zip(eta.iter()).map(|(a, b)| a * b).sum())
            .collect()
    };
    let misfit_of = |u: &[f64]| -> DVector<f64> {
        let mut m = DVector::from_iterator(p, population.iter().zip(&sample).map(|(a, b)| a - b));
        for ((row, &wi), &ui) in x.axis_iter(Axis(0)).zip(&w).zip(u) {
            let f = wi * calfun.fm1(ui, lower, upper);
            if f != 0.0 {
                for a in 0..p {
                    m[a] -= f * row[a];
                }
            }
        }
        m
    };
    let mut eta = DVector::zeros(p);
    let mut u = vec![0.0; n];
    let mut iter = 1usize;
    let converged;
    loop {
        let t = weighted_cross(x, &w, |i| calfun.df(u[i], lower, upper));
        let misfit = misfit_of(&u);
        let mut deta = ginv_solve(t, &misfit);
        eta += &deta;
        u = xeta(&eta);
        let finite = |u: &[f64]| {
            u.iter().all(|&v| {
                calfun.fm1(v, lower, upper).is_finite() && calfun.df(v, lower, upper).is_finite()
            })
        };
        while iter < opts.maxit && !finite(&u) {
            iter += 1;
            deta /= 2.0;
            eta -= &deta;
            u = xeta(&eta);
        }
        let misfit = misfit_of(&u);
        let ok = misfit
            .iter()
            .zip(population)
            .all(|(m, p)| m.abs() / (1.0 + p.abs()) < opts.epsilon);
        if ok {
            converged = true;
            break;
        }
        iter += 1;
        if iter > opts.maxit {
            converged = false;
            break;
        }
    }
    let s = rescale.unwrap_or(1.0);
    let g = u
        .iter()
        .map(|&v| (1.0 + calfun.fm1(v, lower, upper)) * s)
        .collect();
    GWeights {
        g,
        iterations: iter,
        converged,
    }
}

/// g-weights for one set of weights (no report, no error on non-convergence).
pub(crate) fn g_weights(
    x: ArrayView2<'_, f64>,
    w: &[f64],
    population: &[f64],
    opts: &CalibrationOptions,
) -> Result<GWeights, WeightingError> {
    if opts.unbounded_linear() {
        linear_closed_form(x, w, population)
    } else {
        Ok(newton(x, w, population, opts))
    }
}

/// Calibrates weights `w` so that `Σ w_i g_i x_i = population`; returns the g-weights (new
/// weight = `w_i · g_i`) and the report, or [`WeightingError::NotConverged`].
///
/// `x` is the `n × p` model matrix (build it with an intercept and dummies, as R's
/// `model.matrix`; R drops a column whose sample total and population total are both 0 — here
/// such a column makes the system singular, so leave it out).
///
/// ```
/// use lapaz_survey::weighting::{calibrate_weights, CalibrationOptions};
/// use ndarray::array;
/// // Intercept and one 0/1 variable: population 100 people, 30 of them in the group.
/// let x = array![[1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// let w = [20.0, 20.0, 20.0, 20.0];
/// let (g, report) = calibrate_weights(x.view(), &w, &[100.0, 30.0], &CalibrationOptions::raking())?;
/// assert!(report.converged);
/// assert!((w[1] * g[1] + w[3] * g[3] - 30.0).abs() < 1e-6);
/// # Ok::<(), lapaz_survey::weighting::WeightingError>(())
/// ```
pub fn calibrate_weights(
    x: ArrayView2<'_, f64>,
    w: &[f64],
    population: &[f64],
    opts: &CalibrationOptions,
) -> Result<(Vec<f64>, CalibrationReport), WeightingError> {
    opts.check()?;
    check_inputs(x, w, population)?;
    let gw = g_weights(x, w, population, opts)?;
    let report = make_report(
        opts.calfun.name().to_string(),
        x,
        w,
        &gw,
        population,
        opts.epsilon,
    );
    if !report.converged {
        return Err(WeightingError::NotConverged { report });
    }
    Ok((gw.g, report))
}

pub(crate) fn make_report(
    method: String,
    x: ArrayView2<'_, f64>,
    w: &[f64],
    gw: &GWeights,
    population: &[f64],
    epsilon: f64,
) -> CalibrationReport {
    let max_margin_error = margin_error(x, w, &gw.g, population);
    let (g_min, g_max) = g_range(&gw.g, w);
    CalibrationReport {
        method,
        iterations: gw.iterations,
        max_margin_error,
        epsilon,
        g_min,
        g_max,
        // Never "converged" while the margins are off, whatever the stopping rule said.
        converged: gw.converged && max_margin_error < epsilon.max(1e-9),
        replicates: 0,
    }
}

/// Adds totals that are implied by the model (and so not calibration variables) to a report:
/// its largest margin error covers them too, and it is not "converged" when they are off.
pub(crate) fn include_implied(
    report: &mut CalibrationReport,
    x: ArrayView2<'_, f64>,
    w: &[f64],
    g: &[f64],
    population: &[f64],
) {
    if population.is_empty() {
        return;
    }
    let e = margin_error(x, w, g, population);
    if e > report.max_margin_error || e.is_nan() {
        report.max_margin_error = e;
    }
    report.converged = report.converged && e < report.epsilon.max(1e-9);
}

/// Range of g over rows with positive weight.
pub(crate) fn g_range(g: &[f64], w: &[f64]) -> (f64, f64) {
    g.iter()
        .zip(w)
        .filter(|(_, w)| **w > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&v, _)| {
            (lo.min(v), hi.max(v))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn toy() -> (Array2<f64>, Vec<f64>) {
        let x = Array2::from_shape_fn((8, 3), |(i, j)| match j {
            0 => 1.0,
            1 => (i % 2) as f64,
            _ => (i as f64) * 1.5 + 2.0,
        });
        (x, vec![10.0, 12.0, 9.0, 11.0, 10.0, 8.0, 13.0, 10.0])
    }

    #[test]
    fn linear_and_raking_hit_the_totals() {
        let (x, w) = toy();
        let pop = [90.0, 40.0, 600.0];
        for opts in [
            CalibrationOptions::linear(),
            CalibrationOptions::raking(),
            CalibrationOptions::linear().bounds(0.5, 1.6),
            CalibrationOptions::raking().bounds(0.5, 1.6),
        ] {
            let (g, rep) = calibrate_weights(x.view(), &w, &pop, &opts).expect("calibrates");
            assert!(rep.converged);
            assert!(margin_error(x.view(), &w, &g, &pop) < 1e-7, "{opts:?}");
            assert!(rep.g_min >= opts.bounds.0 - 1e-12 && rep.g_max <= opts.bounds.1 + 1e-12);
        }
    }

    #[test]
    fn infeasible_bounds_are_an_error_with_the_report() {
        let (x, w) = toy();
        let pop = [150.0, 40.0, 600.0];
        let err = calibrate_weights(
            x.view(),
            &w,
            &pop,
            &CalibrationOptions::linear().bounds(0.95, 1.05),
        )
        .expect_err("cannot reach +80% with g ≤ 1.05");
        match err {
            WeightingError::NotConverged { report } => {
                assert!(!report.converged);
                assert!(report.max_margin_error > 1e-3);
                assert_eq!(report.iterations, 51);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn collinear_linear_is_singular() {
        let x = Array2::from_shape_fn((4, 2), |_| 1.0);
        let err = calibrate_weights(
            x.view(),
            &[1.0; 4],
            &[5.0, 5.0],
            &CalibrationOptions::linear(),
        );
        assert!(err.is_err());
    }
}
