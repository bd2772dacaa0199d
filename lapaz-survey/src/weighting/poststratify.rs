//! Post-stratification, as R's `postStratify`: within each post-stratum the weights are scaled so
//! that they add up to the population count. Replicate weights are post-stratified each with
//! their own sums (so a replicate that lost every case of a post-stratum gets no finite estimate
//! and is left out of the variance, as in R).

use super::WeightingError;
use super::calibrate::{CalibrationReport, g_range};
use ndarray::{Array2, Axis};

/// New weights after post-stratifying `w` on `group` (codes `0..population.len()`), and the
/// report. Every post-stratum with population > 0 must have sample weight > 0 and vice versa.
/// `labels` names the groups in errors.
pub fn poststratify_weights(
    w: &[f64],
    group: &[u32],
    population: &[f64],
    variable: &str,
    labels: &dyn Fn(usize) -> String,
) -> Result<(Vec<f64>, CalibrationReport), WeightingError> {
    if w.len() != group.len() {
        return Err(WeightingError::LengthMismatch {
            what: "pesos y post-estratos".into(),
            expected: w.len(),
            found: group.len(),
        });
    }
    let k = population.len();
    let sums = group_sums(w, group, k, variable)?;
    let mut ratio = vec![0.0; k];
    for g in 0..k {
        let (s, p) = (sums[g], population[g]);
        if !(p.is_finite() && p >= 0.0) {
            return Err(WeightingError::MissingCategory {
                variable: variable.into(),
                category: labels(g),
                problem: format!("tiene un total poblacional inválido ({p})"),
                hint: "dé un total ≥ 0 para cada categoría".into(),
            });
        }
        if s > 0.0 && p == 0.0 {
            return Err(WeightingError::MissingCategory {
                variable: variable.into(),
                category: labels(g),
                problem: "está en la muestra pero su total poblacional es 0".into(),
                hint: "revise los totales o agrupe categorías".into(),
            });
        }
        if s == 0.0 && p > 0.0 {
            return Err(WeightingError::MissingCategory {
                variable: variable.into(),
                category: labels(g),
                problem: format!(
                    "tiene total poblacional {p} pero ningún caso (con peso) en la muestra"
                ),
                hint: "agrupe esa categoría con otra vecina".into(),
            });
        }
        ratio[g] = if s > 0.0 { p / s } else { 0.0 };
    }
    let new: Vec<f64> = w
        .iter()
        .zip(group)
        .map(|(wi, &g)| wi * ratio[g as usize])
        .collect();
    let g: Vec<f64> = group.iter().map(|&g| ratio[g as usize]).collect();
    let (g_min, g_max) = g_range(&g, w);
    let new_sums = group_sums(&new, group, k, variable)?;
    let max_margin_error = new_sums
        .iter()
        .zip(population)
        .map(|(s, p)| (s - p).abs() / (1.0 + p.abs()))
        .fold(0.0, f64::max);
    let report = CalibrationReport {
        method: format!("post-estratificación por {variable}"),
        iterations: 1,
        max_margin_error,
        epsilon: 1e-9,
        g_min,
        g_max,
        converged: max_margin_error < 1e-9,
        replicates: 0,
    };
    Ok((new, report))
}

/// Post-stratifies every column of replicate analysis weights (`n × R`) with its own sums.
pub fn poststratify_replicates(analysis: &mut Array2<f64>, group: &[u32], population: &[f64]) {
    let k = population.len();
    for mut col in analysis.axis_iter_mut(Axis(1)) {
        let mut sums = vec![0.0; k];
        for (&a, &g) in col.iter().zip(group) {
            sums[g as usize] += a;
        }
        for (a, &g) in col.iter_mut().zip(group) {
            *a *= population[g as usize] / sums[g as usize];
        }
    }
}

pub(crate) fn group_sums(
    w: &[f64],
    group: &[u32],
    k: usize,
    variable: &str,
) -> Result<Vec<f64>, WeightingError> {
    let mut sums = vec![0.0; k];
    for (row, (&wi, &g)) in w.iter().zip(group).enumerate() {
        let slot = sums
            .get_mut(g as usize)
            .ok_or_else(|| WeightingError::MissingCategory {
                variable: variable.into(),
                category: format!("código {g} (fila {row})"),
                problem: "no tiene total poblacional".into(),
                hint: "dé un total para cada categoría presente en los datos".into(),
            })?;
        *slot += wi;
    }
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_counts_and_reports() {
        let w = [1.0, 2.0, 3.0, 4.0];
        let (new, rep) =
            poststratify_weights(&w, &[0, 0, 1, 1], &[6.0, 14.0], "g", &|g| g.to_string())
                .expect("ok");
        assert_eq!(new, vec![2.0, 4.0, 6.0, 8.0]);
        assert!(rep.converged);
        assert_eq!((rep.g_min, rep.g_max), (2.0, 2.0));
        let err = poststratify_weights(&w, &[0, 0, 0, 0], &[6.0, 14.0], "g", &|g| g.to_string());
        assert!(matches!(err, Err(WeightingError::MissingCategory { .. })));
        let err = poststratify_weights(&w, &[0, 0, 2, 2], &[6.0, 14.0], "g", &|g| g.to_string());
        assert!(err.is_err());
    }
}
