//! Weight trimming, as R's `trimWeights`: weights above `upper` are set to `upper`, below `lower`
//! to `lower`, and the amount trimmed is shared equally among the weights that were inside the
//! bounds (so the total is unchanged). With `strict`, repeated until no weight is outside (the
//! redistribution can push weights over a bound again).

use super::WeightingError;
use super::calibrate::{CalibrationReport, g_range};

/// Trimmed weights and a report (`iterations` = passes; `max_margin_error` = relative change in
/// the weight total, 0 up to rounding).
pub fn trim_weights(
    w: &[f64],
    lower: f64,
    upper: f64,
    strict: bool,
) -> Result<(Vec<f64>, CalibrationReport), WeightingError> {
    if lower.is_nan() || upper.is_nan() || lower > upper {
        return Err(WeightingError::InvalidArgument {
            argument: "lower/upper".into(),
            expected: "lower ≤ upper".into(),
            found: format!("({lower}, {upper})"),
        });
    }
    let n = w.len() as f64;
    let total: f64 = w.iter().sum();
    if total > upper * n || total < lower * n {
        return Err(WeightingError::InvalidArgument {
            argument: "lower/upper".into(),
            expected: format!(
                "límites que permitan conservar el total {total} con {} pesos (promedio {:.4})",
                w.len(),
                total / n
            ),
            found: format!("[{lower}, {upper}]"),
        });
    }
    let mut cur = w.to_vec();
    let mut passes = 0;
    const MAX_PASSES: usize = 10_000;
    // A weight within 1e-12 (relative) of a bound counts as inside: strict trimming can approach
    // a bound geometrically.
    let tol = 1e-12 * upper.abs().max(lower.abs()).max(1.0);
    let outside = |v: &[f64]| v.iter().any(|&x| x < lower - tol || x > upper + tol);
    while outside(&cur) {
        cur = trim_once(&cur, lower, upper).0;
        passes += 1;
        if !strict || passes >= MAX_PASSES {
            break;
        }
    }
    let total_old: f64 = w.iter().sum();
    let total_new: f64 = cur.iter().sum();
    let g: Vec<f64> = cur
        .iter()
        .zip(w)
        .map(|(n, o)| if *o > 0.0 { n / o } else { 1.0 })
        .collect();
    let (g_min, g_max) = g_range(&g, w);
    let outside = outside(&cur);
    let report = CalibrationReport {
        method: format!("recorte de pesos a [{lower}, {upper}]"),
        iterations: passes,
        max_margin_error: (total_new - total_old).abs() / (1.0 + total_old.abs()),
        epsilon: 1e-9,
        g_min,
        g_max,
        converged: !strict || !outside,
        replicates: 0,
    };
    if strict && outside {
        return Err(WeightingError::NotConverged { report });
    }
    Ok((cur, report))
}

/// One pass; returns the new weights and whether any was outside the bounds.
pub(crate) fn trim_once(w: &[f64], lower: f64, upper: f64) -> (Vec<f64>, bool) {
    let outside: Vec<bool> = w.iter().map(|&v| v < lower || v > upper).collect();
    let n_inside = outside.iter().filter(|o| !**o).count();
    if n_inside == w.len() {
        return (w.to_vec(), false);
    }
    let clamped: Vec<f64> = w.iter().map(|&v| v.min(upper).max(lower)).collect();
    let trimmed: f64 = w.iter().zip(&clamped).map(|(a, b)| a - b).sum();
    let share = if n_inside > 0 {
        trimmed / n_inside as f64
    } else {
        0.0
    };
    let out = clamped
        .iter()
        .zip(&outside)
        .map(|(&c, &o)| if o { c } else { c + share })
        .collect();
    (out, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redistributes_equally_and_keeps_total() {
        let w = [1.0, 5.0, 5.0, 20.0];
        let (t, rep) = trim_weights(&w, 2.0, 10.0, false).expect("ok");
        // 20 → 10 (−10), 1 → 2 (+1): 9 shared by the two inside.
        assert_eq!(t, vec![2.0, 9.5, 9.5, 10.0]);
        assert!(rep.max_margin_error < 1e-15);
        let w = [4.0, 4.0, 4.0, 1.0, 1.0, 1.0, 20.0];
        let (t, rep) = trim_weights(&w, 0.0, 6.0, true).expect("strict");
        assert!(t.iter().all(|&v| v <= 6.0 + 1e-10), "{t:?}");
        assert!(rep.iterations > 1);
        assert!((t.iter().sum::<f64>() - 35.0).abs() < 1e-9);
        assert!(trim_weights(&[1.0, 1.0, 1.0, 30.0], 0.0, 8.0, true).is_err());
        assert!(trim_weights(&w, 3.0, 2.0, false).is_err());
    }
}
