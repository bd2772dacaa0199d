//! The two-stage sample: PSUs with probability proportional to size
//! (systematic, within strata), then dwellings systematically from the fresh
//! listing, then unit non-response and the design weights.

use std::collections::BTreeMap;

use super::config::Targets;
use super::frame::Block;
use super::random::Rand;

/// One selected and interviewed dwelling (= household; one per dwelling).
#[derive(Debug, Clone)]
pub(crate) struct SampledDwelling {
    /// Index of the block in the frame.
    pub block: usize,
    /// Dwelling number in the listing (1–999).
    pub number: u16,
    /// 1/(π₁·π₂) × non-response adjustment of its stratum.
    pub design_weight: f64,
}

/// Result of the sampling step.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// Responding dwellings, in stratum, PSU, dwelling order.
    pub dwellings: Vec<SampledDwelling>,
    /// Number of selected PSUs.
    pub psus: usize,
    /// Number of selected dwellings (respondents and non-respondents).
    pub selected: usize,
}

/// Allocates the PSUs to strata: the rural strata get their fixed numbers,
/// the urban ones a share proportional to their dwellings with a minimum.
pub(crate) fn allocate(
    t: &Targets,
    strata: &BTreeMap<u8, Vec<usize>>,
    frame: &[Block],
) -> BTreeMap<u8, usize> {
    let d = &t.diseno;
    let size = |h: &u8| -> f64 {
        strata[h]
            .iter()
            .map(|&i| f64::from(frame[i].dwellings))
            .sum()
    };
    let urban: Vec<u8> = strata.keys().copied().filter(|&h| h < 80).collect();
    let n_urban = d.upm.value - d.upm_hampaturi.value - d.upm_zongo.value;
    let total_urban: f64 = urban.iter().map(size).sum();
    let mut alloc = BTreeMap::new();
    let mut quota = BTreeMap::new();
    for &h in &urban {
        let q = n_urban as f64 * size(&h) / total_urban;
        let cap = strata[&h].len();
        let n = (q.floor() as usize).max(d.upm_min_estrato.value).min(cap);
        quota.insert(h, q);
        alloc.insert(h, n);
    }
    // Largest-remainder adjustment to the exact urban total.
    let mut guard = 0;
    loop {
        let sum: usize = alloc.values().sum();
        guard += 1;
        if sum == n_urban || guard > 10_000 {
            break;
        }
        if sum < n_urban {
            let best = urban
                .iter()
                .filter(|h| alloc[*h] < strata[*h].len())
                .max_by(|a, b| {
                    (quota[*a] - alloc[*a] as f64).total_cmp(&(quota[*b] - alloc[*b] as f64))
                });
            match best {
                Some(&h) => *alloc.entry(h).or_insert(0) += 1,
                None => break,
            }
        } else {
            let best = urban
                .iter()
                .filter(|h| alloc[*h] > d.upm_min_estrato.value)
                .max_by(|a, b| {
                    (alloc[*a] as f64 - quota[*a]).total_cmp(&(alloc[*b] as f64 - quota[*b]))
                });
            match best {
                Some(&h) => *alloc.entry(h).or_insert(0) -= 1,
                None => break,
            }
        }
    }
    for (h, n) in [(80u8, d.upm_hampaturi.value), (90u8, d.upm_zongo.value)] {
        if let Some(units) = strata.get(&h) {
            alloc.insert(h, n.min(units.len()));
        }
    }
    alloc
}

/// Systematic PPS selection of `n` units with sizes `sizes` (in frame
/// order). Units whose probability would reach 1 are taken with certainty
/// first. Returns (position, inclusion probability) in frame order.
pub(crate) fn pps_systematic(sizes: &[f64], n: usize, rng: &mut Rand) -> Vec<(usize, f64)> {
    let n = n.min(sizes.len());
    let mut certain = vec![false; sizes.len()];
    loop {
        let n_rest = n - certain.iter().filter(|c| **c).count();
        let rest: f64 = sizes
            .iter()
            .zip(&certain)
            .filter(|(_, c)| !**c)
            .map(|(s, _)| s)
            .sum();
        if n_rest == 0 || rest <= 0.0 {
            break;
        }
        let mut changed = false;
        for (i, s) in sizes.iter().enumerate() {
            if !certain[i] && n_rest as f64 * s / rest >= 1.0 {
                certain[i] = true;
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    let n_rest = n - certain.iter().filter(|c| **c).count();
    let rest: f64 = sizes
        .iter()
        .zip(&certain)
        .filter(|(_, c)| !**c)
        .map(|(s, _)| s)
        .sum();
    let mut out: Vec<(usize, f64)> = certain
        .iter()
        .enumerate()
        .filter(|(_, c)| **c)
        .map(|(i, _)| (i, 1.0))
        .collect();
    if n_rest > 0 && rest > 0.0 {
        let interval = rest / n_rest as f64;
        let start = rng.uniform() * interval;
        let mut k = 0usize;
        let mut acc = 0.0;
        for (i, s) in sizes.iter().enumerate() {
            if certain[i] {
                continue;
            }
            let lo = acc;
            acc += s;
            while k < n_rest && start + k as f64 * interval < acc {
                if start + k as f64 * interval >= lo && out.last().map(|l| l.0) != Some(i) {
                    out.push((i, n_rest as f64 * s / rest));
                }
                k += 1;
            }
        }
    }
    out.sort_by_key(|x| x.0);
    out
}

/// Systematic selection of `m` dwelling numbers out of `listed` (1-based).
fn systematic_dwellings(listed: u32, m: usize, rng: &mut Rand) -> Vec<u16> {
    if listed as usize <= m {
        return (1..=listed).map(|x| x as u16).collect();
    }
    let interval = f64::from(listed) / m as f64;
    let start = rng.uniform() * interval;
    (0..m)
        .map(|k| ((start + k as f64 * interval).floor() as u32 + 1).min(listed) as u16)
        .collect()
}

/// Draws the sample from the frame.
pub(crate) fn draw_sample(t: &Targets, frame: &[Block], rng: &mut Rand) -> Sample {
    let mut strata: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
    for (i, b) in frame.iter().enumerate() {
        strata.entry(b.stratum).or_default().push(i);
    }
    // Implicit stratification: blocks sorted by zone within the stratum.
    for units in strata.values_mut() {
        units.sort_by_key(|&i| (frame[i].zone, i));
    }
    let allocation = allocate(t, &strata, frame);
    let m = t.diseno.viviendas_por_upm.value;
    let sd_list = t.diseno.desactualizacion_marco.value;
    let mut dwellings = Vec::new();
    let mut psus = 0;
    let mut selected = 0;
    for (h, units) in &strata {
        let n_h = allocation.get(h).copied().unwrap_or(0);
        let sizes: Vec<f64> = units
            .iter()
            .map(|&i| f64::from(frame[i].dwellings))
            .collect();
        let chosen = pps_systematic(&sizes, n_h, rng);
        let mut stratum_selected_weight = 0.0;
        let mut stratum_resp: Vec<SampledDwelling> = Vec::new();
        for (pos, pi1) in chosen {
            psus += 1;
            let bi = units[pos];
            let block = &frame[bi];
            let listed = (f64::from(block.dwellings) * rng.lognormal(1.0, sd_list))
                .round()
                .clamp(1.0, 999.0) as u32;
            let numbers = systematic_dwellings(listed, m, rng);
            let pi2 = numbers.len() as f64 / f64::from(listed);
            let rate = t.diseno.tasa_respuesta.value[block.level4()];
            for number in numbers {
                selected += 1;
                let d = 1.0 / (pi1 * pi2);
                stratum_selected_weight += d;
                if rng.chance(rate) {
                    stratum_resp.push(SampledDwelling {
                        block: bi,
                        number,
                        design_weight: d,
                    });
                }
            }
        }
        // Non-response adjustment within the stratum (weighting class).
        let resp_weight: f64 = stratum_resp.iter().map(|d| d.design_weight).sum();
        let adj = if resp_weight > 0.0 {
            stratum_selected_weight / resp_weight
        } else {
            1.0
        };
        for mut d in stratum_resp {
            d.design_weight *= adj;
            dwellings.push(d);
        }
    }
    Sample {
        dwellings,
        psus,
        selected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pps_selects_n_units_with_probabilities_summing_to_n() {
        let sizes: Vec<f64> = (0..50).map(|i| 10.0 + f64::from(i % 7) * 15.0).collect();
        let mut rng = Rand::new(11, 1);
        let chosen = pps_systematic(&sizes, 8, &mut rng);
        assert_eq!(chosen.len(), 8);
        let total: f64 = sizes.iter().sum();
        let sum_pi: f64 = sizes.iter().map(|s| 8.0 * s / total).sum();
        assert!((sum_pi - 8.0).abs() < 1e-9);
        for (i, pi) in chosen {
            assert!((pi - 8.0 * sizes[i] / total).abs() < 1e-12);
        }
    }

    #[test]
    fn pps_takes_big_units_with_certainty() {
        let sizes = [1000.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0];
        let mut rng = Rand::new(5, 1);
        let chosen = pps_systematic(&sizes, 3, &mut rng);
        assert_eq!(chosen.len(), 3);
        assert_eq!(chosen[0], (0, 1.0));
        for (_, pi) in &chosen[1..] {
            assert!((pi - 2.0 * 10.0 / 60.0).abs() < 1e-12);
        }
    }

    #[test]
    fn pps_inclusion_frequencies_match_probabilities() {
        let sizes = [5.0, 10.0, 20.0, 40.0, 25.0];
        let total: f64 = sizes.iter().sum();
        let mut rng = Rand::new(9, 3);
        let reps = 20_000;
        let mut hits = [0usize; 5];
        for _ in 0..reps {
            for (i, _) in pps_systematic(&sizes, 2, &mut rng) {
                hits[i] += 1;
            }
        }
        for i in 0..5 {
            let freq = hits[i] as f64 / f64::from(reps);
            let pi = 2.0 * sizes[i] / total;
            assert!((freq - pi).abs() < 0.015, "unit {i}: {freq} vs {pi}");
        }
    }

    #[test]
    fn systematic_dwellings_are_distinct_and_in_range() {
        let mut rng = Rand::new(2, 2);
        let d = systematic_dwellings(100, 13, &mut rng);
        assert_eq!(d.len(), 13);
        let mut s = d.clone();
        s.dedup();
        assert_eq!(s.len(), 13);
        assert!(d.iter().all(|&x| (1..=100).contains(&x)));
        assert_eq!(systematic_dwellings(5, 13, &mut rng), vec![1, 2, 3, 4, 5]);
    }
}
