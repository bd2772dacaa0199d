//! Household income, the poverty line, poverty and per-capita quintiles.
//!
//! Variable incomes (labour, contributory pensions, transfers) are drawn at
//! the anchor level, then scaled by one factor so that the person-weighted
//! poverty headcount equals the target; the Renta Dignidad is a fixed amount
//! and is not scaled.

use super::config::Targets;
use super::random::{Rand, sigmoid};
use super::records::{Household, Person};
use super::tune::bisect;

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Generates incomes and poverty; returns the level scale that was applied.
pub(crate) fn generate(
    t: &Targets,
    households: &mut [Household],
    persons: &mut [Person],
    rural_of: &dyn Fn(usize) -> bool,
    rng: &mut Rand,
) -> f64 {
    let g = &t.ingresos;
    let [jub_median, jub_sd, jub_a, jub_b] = g.jubilacion.value;
    let [tr_median, tr_sd, tr_p] = g.transferencias.value;
    for (hi, h) in households.iter_mut().enumerate() {
        let members = &persons[h.first..h.first + h.size];
        let mut variable: f64 = members.iter().map(|p| p.labour_raw).sum();
        let mut fixed = 0.0;
        for p in members {
            if p.age >= 60 {
                fixed += g.renta_dignidad.value;
                if rng.chance(sigmoid(jub_a + jub_b * h.welfare)) {
                    variable += rng.lognormal(jub_median, jub_sd);
                }
            }
        }
        if rng.chance(tr_p) {
            variable += rng.lognormal(tr_median, tr_sd);
        }
        h.income_variable = variable;
        h.income_fixed = fixed;
        h.z = if rural_of(hi) {
            g.linea_pobreza.value[1]
        } else {
            g.linea_pobreza.value[0]
        };
    }
    // Poverty falls as the scale rises: solve on the non-poor share.
    let total: f64 = households.iter().map(|h| h.factor * h.size as f64).sum();
    let non_poor = |log_s: f64| -> f64 {
        let s = log_s.exp();
        households
            .iter()
            .filter(|h| (s * h.income_variable + h.income_fixed) / h.size as f64 >= h.z)
            .map(|h| h.factor * h.size as f64)
            .sum::<f64>()
            / total
    };
    let scale = bisect(non_poor, 1.0 - g.pobreza.value, -10.0, 10.0).exp();

    // Publish rounded values; household income is the sum of what is shown.
    for h in households.iter_mut() {
        let members = &mut persons[h.first..h.first + h.size];
        let mut labour = 0.0;
        let mut labour_scaled_raw = 0.0;
        for p in members.iter_mut() {
            if p.employed() {
                let y = round2(scale * p.labour_raw);
                p.ylab = Some(y);
                labour += y;
                labour_scaled_raw += p.labour_raw;
            }
        }
        let other = round2(scale * (h.income_variable - labour_scaled_raw) + h.income_fixed);
        h.yhog = round2(labour + other);
        h.yhogpc = round2(h.yhog / h.size as f64);
        h.p0 = i64::from(h.yhogpc < h.z);
    }

    // Quintiles of per-capita income among persons (weighted).
    let mut order: Vec<usize> = (0..households.len()).collect();
    order.sort_by(|&a, &b| {
        households[a]
            .yhogpc
            .total_cmp(&households[b].yhogpc)
            .then(households[a].folio.cmp(&households[b].folio))
    });
    let mut acc = 0.0;
    for i in order {
        let h = &mut households[i];
        let w = h.factor * h.size as f64;
        let mid = (acc + w / 2.0) / total;
        h.quintil = ((mid * 5.0).floor() as i64 + 1).clamp(1, 5);
        acc += w;
    }
    scale
}
