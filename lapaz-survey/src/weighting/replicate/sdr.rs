//! Successive difference replication (SDR; Fay & Train 1995), for systematic samples where the
//! data order is the selection order.
//!
//! PSUs are taken in order of first appearance `i = 0..n−1`. With a ±1 Hadamard matrix `H` of
//! order `R ≥ n + 2` (chosen as for BRR), PSU `i` gets in replicate `r` the factor
//! `1 + 2^(−3/2) (H[i+1, r] − H[i+2, r])`; the variance scale is `4/R` (R's
//! `svrepdesign(type = "successive-difference")`). For a total this gives exactly
//! `½ [z₀² + Σ_{i≥1} (z_i − z_{i−1})² + z_{n−1}²]` with `z_i` the weighted PSU totals (tested).
//! Strata are ignored: sort the data in the systematic order first.

use super::{PsuLayout, ReplicateFactors, ReplicateType};
use crate::weighting::WeightingError;
use crate::weighting::hadamard::Hadamard;
use ndarray::Array2;

/// SDR factors: one row per PSU, `R` columns (the Hadamard order).
pub fn sdr_factors(layout: &PsuLayout) -> Result<ReplicateFactors, WeightingError> {
    let n = layout.n_psu();
    if n < 2 {
        return Err(WeightingError::UnsuitableDesign {
            method: "SDR".into(),
            detail: format!("hay {n} UPM"),
            hint: "las diferencias sucesivas necesitan al menos 2 UPM".into(),
        });
    }
    let h = Hadamard::for_strata(n + 1);
    let r = h.order();
    let c = 2f64.powf(-1.5);
    let factors = Array2::from_shape_fn((n, r), |(i, col)| {
        1.0 + c * f64::from(h.get(i + 1, col) - h.get(i + 2, col))
    });
    Ok(ReplicateFactors {
        factors,
        scale: 4.0 / r as f64,
        rscales: vec![1.0; r],
        rep_type: ReplicateType::SuccessiveDifference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weighting::replicate::replicate_variance;

    #[test]
    fn variance_of_a_total_is_the_successive_difference_formula() {
        let z = [3.0, 7.5, 1.0, 4.0, 9.0, 2.5, 6.0, 5.0, 8.0];
        let strata = vec![0u32; z.len()];
        let psus: Vec<u64> = (0..z.len() as u64).collect();
        let l = PsuLayout::from_rows(&strata, &psus, |s| s.to_string(), None).expect("layout");
        let f = sdr_factors(&l).expect("sdr");
        let total: f64 = z.iter().sum();
        let reps: Vec<f64> = (0..f.factors.ncols())
            .map(|r| {
                z.iter()
                    .enumerate()
                    .map(|(i, zi)| zi * f.factors[[i, r]])
                    .sum()
            })
            .collect();
        let v = replicate_variance(total, &reps, f.scale, &f.rscales, true);
        let mut want = z[0] * z[0] + z[z.len() - 1] * z[z.len() - 1];
        for i in 1..z.len() {
            want += (z[i] - z[i - 1]).powi(2);
        }
        want *= 0.5;
        assert!((v - want).abs() < 1e-10 * want, "{v} vs {want}");
    }
}
