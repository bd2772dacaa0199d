//! Bootstrap replicates, seeded (ChaCha8), any number of replicates.
//!
//! * [`bootstrap_factors`]: the Rao–Wu rescaled bootstrap: in each stratum draw `n_h − 1` of the
//!   `n_h` PSUs with replacement; a PSU drawn `m` times gets factor `m · n_h/(n_h − 1)`. Variance
//!   scale `1/(R − 1)`. This is R's `as.svrepdesign(type = "subbootstrap")`.
//! * [`canty_davison_factors`]: R's `type = "bootstrap"` (Canty & Davison): draw `n_h` PSUs with
//!   replacement (without replacement from `N_h` copies when the first-stage fpc is known), factor
//!   `m`; scale `n̄/((n̄ − 1)(R − 1))` with `n̄` the harmonic mean of the `n_h`.
//!
//! The random draws cannot reproduce R's (different generators); the cross-check uses R's exported
//! factors, and the tests here check the defining properties.

use super::{PsuLayout, ReplicateFactors, ReplicateType};
use crate::weighting::{Progress, WeightingError};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn check_replicates(replicates: usize) -> Result<(), WeightingError> {
    if replicates < 2 {
        return Err(WeightingError::InvalidArgument {
            argument: "replicates".into(),
            expected: "al menos 2 réplicas".into(),
            found: replicates.to_string(),
        });
    }
    Ok(())
}

/// Rao–Wu rescaled bootstrap factors (R's `subbootstrap`), `replicates` columns.
pub fn bootstrap_factors(
    layout: &PsuLayout,
    replicates: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<ReplicateFactors, WeightingError> {
    check_replicates(replicates)?;
    let groups = layout.psus_by_stratum();
    if let Some((h, _)) = groups.iter().enumerate().find(|(_, g)| g.len() < 2) {
        return Err(WeightingError::UnsuitableDesign {
            method: "bootstrap".into(),
            detail: format!(
                "el estrato `{}` tiene una sola UPM",
                layout.stratum_labels[h]
            ),
            hint: "el bootstrap de Rao–Wu necesita al menos 2 UPM por estrato; agrupe estratos"
                .into(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut factors = Array2::zeros((layout.n_psu(), replicates));
    progress.start(replicates as u64, "réplicas bootstrap");
    for r in 0..replicates {
        for g in &groups {
            let nh = g.len();
            let rescale = nh as f64 / (nh as f64 - 1.0);
            for _ in 0..nh - 1 {
                let pick = g[rng.random_range(0..nh)];
                factors[[pick, r]] += rescale;
            }
        }
        progress.inc(1);
    }
    progress.finish();
    Ok(ReplicateFactors {
        factors,
        scale: 1.0 / (replicates as f64 - 1.0),
        rscales: vec![1.0; replicates],
        rep_type: ReplicateType::Bootstrap,
    })
}

/// R's `bootstrap` type (Canty–Davison), `replicates` columns; uses the first-stage fpc when the
/// layout has it.
pub fn canty_davison_factors(
    layout: &PsuLayout,
    replicates: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<ReplicateFactors, WeightingError> {
    check_replicates(replicates)?;
    let groups = layout.psus_by_stratum();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut factors = Array2::zeros((layout.n_psu(), replicates));
    let mut popsizes = Vec::with_capacity(groups.len());
    for (h, g) in groups.iter().enumerate() {
        let nh = g.len();
        let pop = match layout.stratum_popsize.as_ref().map(|p| p[h]) {
            None => None,
            Some(big_n) if big_n.is_finite() && big_n >= nh as f64 => Some(big_n.floor() as usize),
            Some(big_n) => {
                return Err(WeightingError::UnsuitableDesign {
                    method: "bootstrap".into(),
                    detail: format!(
                        "el estrato `{}` tiene {nh} UPM pero fpc = {big_n}",
                        layout.stratum_labels[h]
                    ),
                    hint: "el fpc debe ser el número de UPM en la población".into(),
                });
            }
        };
        popsizes.push(pop);
    }
    // Which PSUs get the extra copies when N_h is not a multiple of n_h: a random order per
    // stratum, drawn once (as R does).
    let shuffled: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            let mut s = g.clone();
            for k in (1..s.len()).rev() {
                let j = rng.random_range(0..=k);
                s.swap(k, j);
            }
            s
        })
        .collect();
    progress.start(replicates as u64, "réplicas bootstrap");
    let mut pool: Vec<usize> = Vec::new();
    for r in 0..replicates {
        for (g, pop) in shuffled.iter().zip(&popsizes) {
            let nh = g.len();
            match pop {
                None => {
                    for _ in 0..nh {
                        factors[[g[rng.random_range(0..nh)], r]] += 1.0;
                    }
                }
                Some(big_n) => {
                    // n_h draws without replacement from N_h copies of the PSUs (partial shuffle).
                    pool.clear();
                    pool.extend((0..*big_n).map(|j| g[j % nh]));
                    for k in 0..nh {
                        let j = rng.random_range(k..pool.len());
                        pool.swap(k, j);
                        factors[[pool[k], r]] += 1.0;
                    }
                }
            }
        }
        progress.inc(1);
    }
    progress.finish();
    let inv_mean: f64 =
        groups.iter().map(|g| 1.0 / g.len() as f64).sum::<f64>() / groups.len() as f64;
    let nbar = 1.0 / inv_mean;
    Ok(ReplicateFactors {
        factors,
        scale: nbar / ((nbar - 1.0) * (replicates as f64 - 1.0)),
        rscales: vec![1.0; replicates],
        rep_type: ReplicateType::Bootstrap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weighting::NoProgress;

    fn layout() -> PsuLayout {
        let strata: Vec<u32> = (0..30).map(|i| (i / 10) as u32).collect();
        let psus: Vec<u64> = (0..30).map(|i| i as u64 / 2).collect();
        PsuLayout::from_rows(&strata, &psus, |s| s.to_string(), None).expect("layout")
    }

    #[test]
    fn rao_wu_factors_sum_to_stratum_size_and_are_seeded() {
        let l = layout();
        let a = bootstrap_factors(&l, 200, 7, &NoProgress).expect("boot");
        let b = bootstrap_factors(&l, 200, 7, &NoProgress).expect("boot");
        let c = bootstrap_factors(&l, 200, 8, &NoProgress).expect("boot");
        assert_eq!(a, b);
        assert_ne!(a.factors, c.factors);
        for g in l.psus_by_stratum() {
            for r in 0..200 {
                let s: f64 = g.iter().map(|&p| a.factors[[p, r]]).sum();
                assert!((s - g.len() as f64).abs() < 1e-12);
            }
        }
        // Each PSU's expected factor is 1.
        let mean = a.factors.mean().expect("non-empty");
        assert!((mean - 1.0).abs() < 0.05, "{mean}");
    }

    #[test]
    fn canty_davison_without_replacement_never_exceeds_copies() {
        let l = PsuLayout::from_rows(&[0; 4], &[1, 2, 3, 4], |s| s.to_string(), Some(&[6.0; 4]))
            .expect("layout");
        let f = canty_davison_factors(&l, 100, 1, &NoProgress).expect("boot");
        for r in 0..100 {
            let s: f64 = f.factors.column(r).sum();
            assert_eq!(s, 4.0);
        }
        // 6 copies of 4 PSUs: two PSUs have 2 copies, two have one.
        assert!(f.factors.iter().all(|&v| v <= 2.0));
        let can_be_two = (0..4)
            .filter(|&p| f.factors.row(p).iter().any(|&v| v == 2.0))
            .count();
        assert!(can_be_two <= 2);
        assert!((f.scale - 4.0 / (3.0 * 99.0)).abs() < 1e-15);
    }
}
