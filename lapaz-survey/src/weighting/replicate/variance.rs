//! The replicate variance formula, as R's `svrVar`:
//! `v = scale · Σ_r rscales_r (θ_r − θ̄)²`, where `θ̄` is the mean of the replicates with
//! `rscales_r > 0`, or the full-sample estimate when `mse` is true. Replicates whose estimate is
//! not finite (e.g. a domain empty in that replicate) are left out, as R does (R warns).

/// Variance of one estimate `theta` from its replicate estimates.
pub fn replicate_variance(
    theta: f64,
    replicates: &[f64],
    scale: f64,
    rscales: &[f64],
    mse: bool,
) -> f64 {
    let kept: Vec<(f64, f64)> = replicates
        .iter()
        .zip(rscales)
        .filter(|(t, _)| t.is_finite())
        .map(|(&t, &s)| (t, s))
        .collect();
    if kept.is_empty() {
        return f64::NAN;
    }
    let centre = if mse {
        theta
    } else {
        let (sum, count) = kept
            .iter()
            .filter(|(_, s)| *s > 0.0)
            .fold((0.0, 0usize), |(a, c), (t, _)| (a + t, c + 1));
        if count == 0 {
            theta
        } else {
            sum / count as f64
        }
    };
    scale
        * kept
            .iter()
            .map(|(t, s)| s * (t - centre).powi(2))
            .sum::<f64>()
}

/// Covariance matrix (`K × K`, row-major) of `K` estimates from their replicates `reps[r][k]`.
/// A replicate with any non-finite estimate is left out for all of them (R's `na.omit`).
pub fn replicate_covariance(
    theta: &[f64],
    reps: &[Vec<f64>],
    scale: f64,
    rscales: &[f64],
    mse: bool,
) -> Vec<f64> {
    let k = theta.len();
    let kept: Vec<(&Vec<f64>, f64)> = reps
        .iter()
        .zip(rscales)
        .filter(|(t, _)| t.iter().all(|v| v.is_finite()))
        .map(|(t, &s)| (t, s))
        .collect();
    let mut centre = theta.to_vec();
    if !mse {
        let pos: Vec<&(&Vec<f64>, f64)> = kept.iter().filter(|(_, s)| *s > 0.0).collect();
        if !pos.is_empty() {
            for (j, c) in centre.iter_mut().enumerate() {
                *c = pos.iter().map(|(t, _)| t[j]).sum::<f64>() / pos.len() as f64;
            }
        }
    }
    let mut out = vec![0.0; k * k];
    for (t, s) in &kept {
        for a in 0..k {
            let da = t[a] - centre[a];
            for b in 0..k {
                out[a * k + b] += s * da * (t[b] - centre[b]);
            }
        }
    }
    for v in &mut out {
        *v *= scale;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mse_and_centred() {
        let reps = [1.0, 2.0, 3.0, f64::NAN];
        let rs = [1.0, 1.0, 1.0, 1.0];
        assert!((replicate_variance(2.5, &reps, 0.5, &rs, false) - 0.5 * 2.0).abs() < 1e-15);
        assert!(
            (replicate_variance(2.5, &reps, 0.5, &rs, true) - 0.5 * (2.25 + 0.25 + 0.25)).abs()
                < 1e-15
        );
        let cov = replicate_covariance(
            &[2.0, 0.0],
            &[vec![1.0, 1.0], vec![3.0, -1.0]],
            1.0,
            &[1.0, 1.0],
            false,
        );
        assert_eq!(cov, vec![2.0, -2.0, -2.0, 2.0]);
    }
}
