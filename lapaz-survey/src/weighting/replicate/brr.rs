//! Balanced repeated replication (BRR) and Fay's variant, for designs with exactly two PSUs per
//! stratum, as R's `as.svrepdesign(type = "BRR" | "Fay")`.
//!
//! Strata are taken in the order of their labels (R sorts them) and stratum `k` follows row
//! `k + 1` of a Hadamard matrix chosen as R does ([`Hadamard::for_strata`]); one replicate per
//! column. Where the row has +1, the stratum's first PSU (in data order) gets factor `2 − rho` and
//! the second `rho`; where it has −1, the reverse. Plain BRR is `rho = 0`. Scale:
//! `1/(R (1 − rho)²)`.

use super::{PsuLayout, ReplicateFactors, ReplicateType, check_rho};
use crate::weighting::WeightingError;
use crate::weighting::hadamard::Hadamard;
use ndarray::Array2;

/// BRR (`rho = 0`) or Fay (`0 < rho < 1`) replicate factors.
pub fn brr_factors(layout: &PsuLayout, rho: f64) -> Result<ReplicateFactors, WeightingError> {
    check_rho(rho)?;
    let method = if rho == 0.0 { "BRR" } else { "Fay" };
    let groups = layout.psus_by_stratum();
    if let Some((h, g)) = groups.iter().enumerate().find(|(_, g)| g.len() != 2) {
        return Err(WeightingError::UnsuitableDesign {
            method: method.into(),
            detail: format!(
                "el estrato `{}` tiene {} UPM (se necesitan exactamente 2 por estrato)",
                layout.stratum_labels[h],
                g.len()
            ),
            hint: "agrupe estratos o UPM en pares, o use JKn o bootstrap".into(),
        });
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| layout.stratum_labels[a].cmp(&layout.stratum_labels[b]));
    let h = Hadamard::for_strata(groups.len());
    let r = h.order();
    let mut factors = Array2::zeros((layout.n_psu(), r));
    for (k, &stratum) in order.iter().enumerate() {
        let (first, second) = (groups[stratum][0], groups[stratum][1]);
        for c in 0..r {
            let (a, b) = if h.get(k + 1, c) > 0 {
                (2.0 - rho, rho)
            } else {
                (rho, 2.0 - rho)
            };
            factors[[first, c]] = a;
            factors[[second, c]] = b;
        }
    }
    let rep_type = if rho == 0.0 {
        ReplicateType::Brr
    } else {
        ReplicateType::Fay { rho }
    };
    Ok(ReplicateFactors {
        factors,
        scale: 1.0 / (r as f64 * (1.0 - rho).powi(2)),
        rscales: vec![1.0; r],
        rep_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_halves() {
        let strata = [0, 0, 1, 1, 2, 2];
        let psus = [1, 2, 3, 4, 5, 6];
        let l = PsuLayout::from_rows(&strata, &psus, |s| format!("s{s}"), None).expect("layout");
        let f = brr_factors(&l, 0.0).expect("brr");
        assert_eq!(f.factors.ncols(), 4);
        for c in 0..4 {
            for pair in [(0, 1), (2, 3), (4, 5)] {
                assert_eq!(f.factors[[pair.0, c]] + f.factors[[pair.1, c]], 2.0);
            }
        }
        // Each PSU is in half the replicates.
        for p in 0..6 {
            let s: f64 = f.factors.row(p).sum();
            assert_eq!(s, 4.0);
        }
        let fay = brr_factors(&l, 0.5).expect("fay");
        assert!((fay.scale - 1.0 / (4.0 * 0.25)).abs() < 1e-15);
        assert!(fay.factors.iter().all(|&v| v == 0.5 || v == 1.5));
    }

    #[test]
    fn three_psus_is_an_error() {
        let l =
            PsuLayout::from_rows(&[0, 0, 0], &[1, 2, 3], |s| s.to_string(), None).expect("layout");
        assert!(brr_factors(&l, 0.0).is_err());
        assert!(brr_factors(&l, 1.0).is_err());
    }
}
