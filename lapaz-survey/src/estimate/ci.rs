//! Quantiles of the normal and Student t distributions for intervals.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The `p` quantile of the standard normal.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// The `p` quantile of Student's t with `df` degrees of freedom (normal for
/// infinite df, NaN for df ≤ 0, as R's `qt`).
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return normal_quantile(p);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r() {
        // qnorm(0.975), qt(0.975, 10)
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!((t_quantile(0.975, 10.0) - 2.228138851986274).abs() < 1e-9);
        assert!(t_quantile(0.975, 0.0).is_nan());
    }
}
