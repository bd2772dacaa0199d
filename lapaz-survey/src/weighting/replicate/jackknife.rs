//! Delete-one-PSU jackknife replicates: JK1 (unstratified) and JKn (stratified), as R's
//! `as.svrepdesign(type = "JK1" | "JKn")`.
//!
//! Replicate `r` drops PSU `r` (factor 0) and reweights the other PSUs of its stratum by
//! `n_h/(n_h − 1)`. With a first-stage fpc the variance multipliers carry `(N_h − n_h)/N_h`; a
//! stratum sampled exhaustively (`N_h = n_h`) contributes no replicate (R's default
//! `survey.drop.replicates`).

use super::{PsuLayout, ReplicateFactors, ReplicateType};
use crate::weighting::WeightingError;
use ndarray::Array2;

/// What to do with a stratum that has a single PSU (R's `survey.lonely.psu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LonelyPsu {
    /// An error naming the stratum (R's default).
    #[default]
    Fail,
    /// The stratum contributes nothing to the variance.
    Remove,
    /// Treated as sampled with certainty: nothing to the variance.
    Certainty,
    /// One replicate that drops the stratum and reweights the others (R's `adjust`).
    Adjust,
    /// Nothing from the stratum, variance scaled up by `n_psu / replicates` (R's `average`).
    Average,
}

fn fpc_factor(
    method: &str,
    label: &str,
    n: usize,
    popsize: Option<f64>,
) -> Result<f64, WeightingError> {
    match popsize {
        None => Ok(1.0),
        Some(big_n) if big_n.is_finite() && big_n >= n as f64 => Ok((big_n - n as f64) / big_n),
        Some(big_n) => Err(WeightingError::UnsuitableDesign {
            method: method.into(),
            detail: format!(
                "el estrato `{label}` tiene {n} UPM en la muestra pero fpc = {big_n} en la población"
            ),
            hint: "el fpc debe ser el número de UPM en la población (≥ las de la muestra)".into(),
        }),
    }
}

/// JK1 replicates for an unstratified design: `n` replicates, scale `fpc · (n − 1)/n`.
pub fn jk1_factors(layout: &PsuLayout) -> Result<ReplicateFactors, WeightingError> {
    if layout.n_strata() > 1 {
        return Err(WeightingError::UnsuitableDesign {
            method: "JK1".into(),
            detail: format!("el diseño tiene {} estratos", layout.n_strata()),
            hint: "use JKn (o bootstrap) para diseños estratificados".into(),
        });
    }
    let n = layout.n_psu();
    if n < 2 {
        return Err(WeightingError::UnsuitableDesign {
            method: "JK1".into(),
            detail: format!("hay {n} UPM"),
            hint: "el jackknife necesita al menos 2 UPM".into(),
        });
    }
    let label = layout
        .stratum_labels
        .first()
        .map(String::as_str)
        .unwrap_or("");
    let pop = layout
        .stratum_popsize
        .as_ref()
        .and_then(|p| p.first().copied());
    let fpc = fpc_factor("JK1", label, n, pop)?;
    let nf = n as f64;
    if fpc == 0.0 {
        return Ok(ReplicateFactors {
            factors: Array2::zeros((n, 0)),
            scale: 0.0,
            rscales: Vec::new(),
            rep_type: ReplicateType::Jk1,
        });
    }
    let mut factors = Array2::from_elem((n, n), nf / (nf - 1.0));
    for r in 0..n {
        factors[[r, r]] = 0.0;
    }
    Ok(ReplicateFactors {
        factors,
        scale: fpc * (nf - 1.0) / nf,
        rscales: vec![1.0; n],
        rep_type: ReplicateType::Jk1,
    })
}

/// JKn replicates: one per PSU (of strata with ≥ 2 PSUs and not exhaustively sampled),
/// `rscales = fpc_h (n_h − 1)/n_h`, scale 1 (or `n_psu/R` with [`LonelyPsu::Average`]).
pub fn jkn_factors(
    layout: &PsuLayout,
    lonely: LonelyPsu,
) -> Result<ReplicateFactors, WeightingError> {
    let n_psu = layout.n_psu();
    let n_strata = layout.n_strata();
    let groups = layout.psus_by_stratum();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    let mut rscales = Vec::new();
    for (h, psus) in groups.iter().enumerate() {
        let label = &layout.stratum_labels[h];
        let nh = psus.len();
        let pop = layout.stratum_popsize.as_ref().map(|p| p[h]);
        let fpc = fpc_factor("JKn", label, nh, pop)?;
        if fpc == 0.0 {
            continue;
        }
        if nh == 1 {
            match lonely {
                LonelyPsu::Fail => {
                    return Err(WeightingError::UnsuitableDesign {
                        method: "JKn".into(),
                        detail: format!("el estrato `{label}` tiene una sola UPM"),
                        hint: "elija una política para UPM solitarias (remove, certainty, adjust, average)".into(),
                    });
                }
                LonelyPsu::Remove | LonelyPsu::Certainty | LonelyPsu::Average => continue,
                LonelyPsu::Adjust => {
                    let ns = n_strata as f64;
                    let col = layout
                        .psu_stratum
                        .iter()
                        .map(|&s| {
                            if s as usize == h {
                                0.0
                            } else {
                                ns / (ns - 1.0)
                            }
                        })
                        .collect();
                    columns.push(col);
                    rscales.push((ns - 1.0) / ns);
                    continue;
                }
            }
        }
        let nf = nh as f64;
        for &dropped in psus {
            let mut col = vec![1.0; n_psu];
            for &p in psus {
                col[p] = if p == dropped { 0.0 } else { nf / (nf - 1.0) };
            }
            columns.push(col);
            rscales.push(fpc * (nf - 1.0) / nf);
        }
    }
    if columns.is_empty() {
        return Err(WeightingError::UnsuitableDesign {
            method: "JKn".into(),
            detail: "todos los estratos fueron censados o tienen una sola UPM".into(),
            hint: "no hay variabilidad de muestreo que estimar".into(),
        });
    }
    let r = columns.len();
    let factors = Array2::from_shape_fn((n_psu, r), |(p, c)| columns[c][p]);
    let scale = if lonely == LonelyPsu::Average && r < n_psu {
        n_psu as f64 / r as f64
    } else {
        1.0
    };
    Ok(ReplicateFactors {
        factors,
        scale,
        rscales,
        rep_type: ReplicateType::Jkn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(strata: &[u32], psus: &[u64]) -> PsuLayout {
        PsuLayout::from_rows(strata, psus, |s| s.to_string(), None).expect("layout")
    }

    #[test]
    fn jk1_drops_one_psu_per_replicate() {
        let l = layout(&[0; 5], &[10, 10, 11, 12, 12]);
        let f = jk1_factors(&l).expect("jk1");
        assert_eq!(f.factors.dim(), (3, 3));
        assert_eq!(f.factors[[1, 1]], 0.0);
        assert_eq!(f.factors[[0, 1]], 1.5);
        assert!((f.scale - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn jkn_lonely_psu_policies() {
        let l = layout(&[0, 0, 1, 2, 2], &[1, 2, 3, 4, 5]);
        assert!(matches!(
            jkn_factors(&l, LonelyPsu::Fail),
            Err(WeightingError::UnsuitableDesign { .. })
        ));
        let removed = jkn_factors(&l, LonelyPsu::Remove).expect("remove");
        assert_eq!(removed.factors.ncols(), 4);
        assert_eq!(removed.rscales, vec![0.5; 4]);
        let avg = jkn_factors(&l, LonelyPsu::Average).expect("average");
        assert!((avg.scale - 5.0 / 4.0).abs() < 1e-15);
        let adj = jkn_factors(&l, LonelyPsu::Adjust).expect("adjust");
        assert_eq!(adj.factors.ncols(), 5);
        assert_eq!(adj.factors[[2, 2]], 0.0);
        assert_eq!(adj.factors[[0, 2]], 1.5);
    }

    #[test]
    fn exhaustive_stratum_gives_no_replicates() {
        let l = PsuLayout::from_rows(
            &[0, 0, 1, 1],
            &[1, 2, 3, 4],
            |s| s.to_string(),
            Some(&[2.0, 2.0, 10.0, 10.0]),
        )
        .expect("layout");
        let f = jkn_factors(&l, LonelyPsu::Fail).expect("jkn");
        assert_eq!(f.factors.ncols(), 2);
        assert!((f.rscales[0] - 0.8 * 0.5).abs() < 1e-15);
    }
}
