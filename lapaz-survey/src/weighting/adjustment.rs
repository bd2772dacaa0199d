//! How a calibration changes linearised (Taylor) variances, as R's `svyrecvar` does with a
//! design's `postStrata`: before the usual PSU sums, the weighted influence values `x` (`n × K`,
//! one column per estimate, already multiplied by the final weights) are replaced by residuals
//! from the calibration model. Steps are applied in the order the calibrations were made.
//!
//! * GREG / calibration (`calibrate`): `x ← w · resid_OLS(x / w ~ M)` with `M = X · √d` (the
//!   calibration variables times the square root of the weights before calibrating) and
//!   `w = g √d`.
//! * Post-stratification: `x ← x − w_new · (Σ_g x · w_old / w_new) / Σ_g w_old` per post-stratum.
//! * Raking: ten sweeps over the margins of `x ← x − w_m · mean_g(x / w_m)` with `w_m` the weights
//!   after margin `m`'s step and an unweighted mean within each category (R's rule).

use nalgebra::DMatrix;
use ndarray::{Array2, Axis};

/// One calibration's effect on linearised variances.
#[derive(Debug, Clone, PartialEq)]
pub enum VarianceAdjustment {
    /// Generalised regression residuals.
    Greg {
        /// Calibration variables (`n × p`).
        x: Array2<f64>,
        /// `√d` (square root of the weights before calibrating).
        sqrt_d: Vec<f64>,
        /// `g · √d`.
        w: Vec<f64>,
    },
    /// Post-stratification residuals.
    PostStratify {
        /// Post-stratum code of each row.
        group: Vec<u32>,
        /// Number of post-strata.
        n_groups: usize,
        /// Weights before.
        old: Vec<f64>,
        /// Weights after.
        new: Vec<f64>,
    },
    /// Raking residuals.
    Rake {
        /// For each margin: category codes, number of categories, weights after its step.
        margins: Vec<(Vec<u32>, usize, Vec<f64>)>,
    },
}

impl VarianceAdjustment {
    /// Replaces the weighted influence values `x` (`n × K`) by their residuals.
    pub fn apply(&self, x: &mut Array2<f64>) {
        match self {
            VarianceAdjustment::Greg { x: m, sqrt_d, w } => greg(x, m, sqrt_d, w),
            VarianceAdjustment::PostStratify {
                group,
                n_groups,
                old,
                new,
            } => {
                let k = x.ncols();
                let mut num = Array2::<f64>::zeros((*n_groups, k));
                let mut den = vec![0.0; *n_groups];
                for (i, row) in x.axis_iter(Axis(0)).enumerate() {
                    let g = group[i] as usize;
                    let (o, nw) = fix_zero(old[i], new[i]);
                    num.row_mut(g).scaled_add(o / nw, &row);
                    den[g] += old[i];
                }
                for (i, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
                    let g = group[i] as usize;
                    if den[g] != 0.0 {
                        let (_, nw) = fix_zero(old[i], new[i]);
                        row.scaled_add(-nw / den[g], &num.row(g));
                    }
                }
            }
            VarianceAdjustment::Rake { margins } => {
                let k = x.ncols();
                for _ in 0..10 {
                    for (codes, n_groups, psw) in margins {
                        let mut sums = Array2::<f64>::zeros((*n_groups, k));
                        let mut counts = vec![0usize; *n_groups];
                        for (i, row) in x.axis_iter(Axis(0)).enumerate() {
                            let g = codes[i] as usize;
                            counts[g] += 1;
                            if psw[i] != 0.0 {
                                sums.row_mut(g).scaled_add(1.0 / psw[i], &row);
                            }
                        }
                        for (g, c) in counts.iter().enumerate() {
                            if *c > 0 {
                                sums.row_mut(g).mapv_inplace(|v| v / *c as f64);
                            }
                        }
                        for (i, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
                            row.scaled_add(-psw[i], &sums.row(codes[i] as usize));
                        }
                    }
                }
            }
        }
    }
}

/// R sets the new weight to 1 where both weights are 0, to avoid 0/0.
fn fix_zero(old: f64, new: f64) -> (f64, f64) {
    if old == 0.0 && new == 0.0 {
        (0.0, 1.0)
    } else {
        (old, new)
    }
}

/// `x ← w · (y − M (MᵀM)⁻¹ Mᵀ y)` with `y = x / w`, `M = X √d`, column by column.
fn greg(x: &mut Array2<f64>, m: &Array2<f64>, sqrt_d: &[f64], w: &[f64]) {
    let p = m.ncols();
    let k = x.ncols();
    let mut mtm = DMatrix::<f64>::zeros(p, p);
    let mut mty = DMatrix::<f64>::zeros(p, k);
    for (i, (mrow, xrow)) in m.axis_iter(Axis(0)).zip(x.axis_iter(Axis(0))).enumerate() {
        let s = sqrt_d[i];
        let wi = w[i];
        for a in 0..p {
            let ma = mrow[a] * s;
            if ma == 0.0 {
                continue;
            }
            for b in 0..p {
                mtm[(a, b)] += ma * mrow[b] * s;
            }
            if wi != 0.0 {
                for c in 0..k {
                    mty[(a, c)] += ma * xrow[c] / wi;
                }
            }
        }
    }
    // Least squares via the pseudo-inverse: QR residuals in R are the same for full-rank M.
    let beta = match mtm.clone().cholesky() {
        Some(ch) => ch.solve(&mty),
        None => match mtm.pseudo_inverse(1e-12) {
            Ok(pinv) => pinv * mty,
            Err(_) => return,
        },
    };
    for (i, (mrow, mut xrow)) in m
        .axis_iter(Axis(0))
        .zip(x.axis_iter_mut(Axis(0)))
        .enumerate()
    {
        let s = sqrt_d[i];
        let wi = w[i];
        for c in 0..k {
            let fitted: f64 = (0..p).map(|a| mrow[a] * s * beta[(a, c)]).sum();
            let y = if wi != 0.0 { xrow[c] / wi } else { 0.0 };
            xrow[c] = (y - fitted) * wi;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn poststratify_and_greg_with_dummies_agree() {
        // Post-stratification is calibration on group dummies: both give the same residuals.
        let old = vec![2.0, 3.0, 1.0, 4.0, 2.0];
        let group = vec![0u32, 0, 1, 1, 1];
        let new = vec![4.0, 6.0, 1.5, 6.0, 3.0];
        let x0 = array![[1.0], [5.0], [2.0], [7.0], [3.0]];
        let mut a = x0.clone();
        VarianceAdjustment::PostStratify {
            group: group.clone(),
            n_groups: 2,
            old: old.clone(),
            new: new.clone(),
        }
        .apply(&mut a);
        let mut b = x0.clone();
        let m = Array2::from_shape_fn(
            (5, 2),
            |(i, j)| if group[i] as usize == j { 1.0 } else { 0.0 },
        );
        let sqrt_d: Vec<f64> = old.iter().map(|v: &f64| v.sqrt()).collect();
        let w: Vec<f64> = new
            .iter()
            .zip(&old)
            .map(|(n, o)| n / o * o.sqrt())
            .collect();
        VarianceAdjustment::Greg { x: m, sqrt_d, w }.apply(&mut b);
        for (u, v) in a.iter().zip(b.iter()) {
            assert!((u - v).abs() < 1e-12, "{a} vs {b}");
        }
        // Residuals sum to zero within each post-stratum (after dividing by the weights).
        let s0: f64 = (0..2).map(|i| a[[i, 0]] / new[i] * old[i]).sum();
        assert!(s0.abs() < 1e-12);
    }
}
