//! Raking (iterative proportional fitting), as R's `rake`: post-stratify on each margin in turn,
//! repeat, and stop when no cell of the joint table of all the margin variables moved by
//! `epsilon` or more (in weighted count) during a full sweep. R's defaults: at most 10 sweeps,
//! `epsilon = 1`; an `epsilon < 1` is taken as a fraction of the total weight.
//!
//! Replicate weights are raked alongside with their own sums, for the same number of sweeps.

use super::WeightingError;
use super::calibrate::{CalibrationReport, g_range};
use super::poststratify::group_sums;
use ndarray::Array2;
use std::collections::HashMap;

/// One raking margin: a category code per row and the population count of each code.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    /// Variable name (for messages).
    pub variable: String,
    /// Category code (`0..totals.len()`) of each row.
    pub codes: Vec<u32>,
    /// Population count of each category.
    pub totals: Vec<f64>,
    /// Category labels (for messages), by code.
    pub labels: Vec<String>,
}

/// Stopping rule of [`rake_weights`] (R's `control`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RakeControl {
    /// Maximum number of sweeps (default 10).
    pub maxit: usize,
    /// Largest allowed change of a joint-table cell in a sweep (default 1 weighted unit; a
    /// value < 1 means that fraction of the total weight).
    pub epsilon: f64,
}

impl Default for RakeControl {
    fn default() -> Self {
        Self {
            maxit: 10,
            epsilon: 1.0,
        }
    }
}

/// Result of raking: new weights, the weights right after each margin's step in the last sweep
/// (what the linearised variance uses, as R), the report.
#[derive(Debug, Clone)]
pub struct Raked {
    /// Raked weights.
    pub weights: Vec<f64>,
    /// Weights after each margin's post-stratification in the final sweep.
    pub step_weights: Vec<Vec<f64>>,
    /// Raked replicate analysis weights, when given.
    pub replicates: Option<Array2<f64>>,
    /// What was reached.
    pub report: CalibrationReport,
}

/// Rakes `w` to the margins. Not converging within `maxit` sweeps is an error carrying the
/// report (R only warns).
#[allow(
    clippy::neg_cmp_op_on_partial_ord,
    reason = "`!(t > 0.0)` also catches a NaN population total"
)]
pub fn rake_weights(
    w: &[f64],
    margins: &[Margin],
    control: RakeControl,
    replicates: Option<Array2<f64>>,
) -> Result<Raked, WeightingError> {
    if margins.is_empty() {
        return Err(WeightingError::InvalidArgument {
            argument: "margins".into(),
            expected: "al menos un margen".into(),
            found: "ninguno".into(),
        });
    }
    let n = w.len();
    for m in margins {
        if m.codes.len() != n {
            return Err(WeightingError::LengthMismatch {
                what: format!("filas del margen `{}`", m.variable),
                expected: n,
                found: m.codes.len(),
            });
        }
        // Checks codes, empty categories and totals once, up front.
        let sums = group_sums(w, &m.codes, m.totals.len(), &m.variable)?;
        for (k, (&s, &t)) in sums.iter().zip(&m.totals).enumerate() {
            let label = m.labels.get(k).cloned().unwrap_or_else(|| k.to_string());
            if s == 0.0 && t > 0.0 {
                return Err(WeightingError::MissingCategory {
                    variable: m.variable.clone(),
                    category: label,
                    problem: format!("tiene total poblacional {t} pero ningún caso en la muestra"),
                    hint: "agrupe esa categoría con otra vecina".into(),
                });
            }
            if s > 0.0 && !(t > 0.0) {
                return Err(WeightingError::MissingCategory {
                    variable: m.variable.clone(),
                    category: label,
                    problem: format!("está en la muestra pero su total poblacional es {t}"),
                    hint: "revise los totales".into(),
                });
            }
        }
    }
    let total: f64 = w.iter().sum();
    let epsilon = if control.epsilon < 1.0 {
        control.epsilon * total
    } else {
        control.epsilon
    };
    let cells = joint_cells(margins, n);
    let n_cells = cells.iter().copied().max().map_or(0, |c| c as usize + 1);
    let table = |w: &[f64]| {
        let mut t = vec![0.0; n_cells];
        for (&c, &wi) in cells.iter().zip(w) {
            t[c as usize] += wi;
        }
        t
    };
    let mut cur = w.to_vec();
    let mut reps = replicates;
    let mut old = table(&cur);
    let mut step_weights = vec![Vec::new(); margins.len()];
    let mut sweeps = 0;
    let mut converged = false;
    while sweeps < control.maxit {
        for (mi, m) in margins.iter().enumerate() {
            let sums = group_sums(&cur, &m.codes, m.totals.len(), &m.variable)?;
            for (wi, &c) in cur.iter_mut().zip(&m.codes) {
                let s = sums[c as usize];
                if s > 0.0 {
                    *wi *= m.totals[c as usize] / s;
                }
            }
            if let Some(r) = reps.as_mut() {
                super::poststratify::poststratify_replicates(r, &m.codes, &m.totals);
            }
            step_weights[mi] = cur.clone();
        }
        let new = table(&cur);
        let delta = old
            .iter()
            .zip(&new)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        sweeps += 1;
        if delta < epsilon {
            converged = true;
            break;
        }
        old = new;
    }
    let g: Vec<f64> = cur
        .iter()
        .zip(w)
        .map(|(a, b)| if *b > 0.0 { a / b } else { 1.0 })
        .collect();
    let (g_min, g_max) = g_range(&g, w);
    let mut max_margin_error: f64 = 0.0;
    for m in margins {
        let sums = group_sums(&cur, &m.codes, m.totals.len(), &m.variable)?;
        for (s, t) in sums.iter().zip(&m.totals) {
            max_margin_error = max_margin_error.max((s - t).abs() / (1.0 + t.abs()));
        }
    }
    let names: Vec<&str> = margins.iter().map(|m| m.variable.as_str()).collect();
    let report = CalibrationReport {
        method: format!("raking (IPF) por {}", names.join(" + ")),
        iterations: sweeps,
        max_margin_error,
        epsilon: epsilon / (1.0 + total),
        g_min,
        g_max,
        converged,
        replicates: reps.as_ref().map_or(0, |r| r.ncols()),
    };
    if !converged {
        return Err(WeightingError::NotConverged { report });
    }
    Ok(Raked {
        weights: cur,
        step_weights,
        replicates: reps,
        report,
    })
}

/// A dense code for each row's combination of margin categories.
fn joint_cells(margins: &[Margin], n: usize) -> Vec<u32> {
    let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
    (0..n)
        .map(|i| {
            let key: Vec<u32> = margins.iter().map(|m| m.codes[i]).collect();
            let next = index.len() as u32;
            *index.entry(key).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rakes_two_margins() {
        let w = vec![1.0; 8];
        let a = Margin {
            variable: "a".into(),
            codes: vec![0, 0, 0, 0, 1, 1, 1, 1],
            totals: vec![30.0, 70.0],
            labels: vec!["a0".into(), "a1".into()],
        };
        let b = Margin {
            variable: "b".into(),
            codes: vec![0, 1, 1, 1, 0, 0, 1, 1],
            totals: vec![40.0, 60.0],
            labels: vec!["b0".into(), "b1".into()],
        };
        let ctl = RakeControl {
            maxit: 100,
            epsilon: 1e-10,
        };
        let r = rake_weights(&w, &[a.clone(), b.clone()], ctl, None).expect("rakes");
        assert!(r.report.converged);
        assert!(r.report.max_margin_error < 1e-9);
        let err = rake_weights(
            &w,
            &[a, b],
            RakeControl {
                maxit: 1,
                epsilon: 1e-10,
            },
            None,
        );
        assert!(matches!(err, Err(WeightingError::NotConverged { .. })));
    }
}
