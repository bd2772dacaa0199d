//! Fitting model constants to the headline targets: the intercept of a
//! binary model so that its weighted rate hits the target exactly, the
//! constants of a multinomial logit so that its weighted shares do.

use super::random::sigmoid;

/// One unit of a binary model: its weight, linear predictor without the
/// intercept, and its fixed uniform draw (the outcome is `u < σ(α + η)`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BinaryUnit {
    pub weight: f64,
    pub eta: f64,
    pub u: f64,
}

/// Weighted share of units with outcome 1 at intercept `alpha`.
pub(crate) fn binary_share(units: &[BinaryUnit], alpha: f64) -> f64 {
    let total: f64 = units.iter().map(|x| x.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let yes: f64 = units
        .iter()
        .filter(|x| x.u < sigmoid(alpha + x.eta))
        .map(|x| x.weight)
        .sum();
    yes / total
}

/// The intercept at which the weighted share of ones reaches `target`
/// (bisection; the share increases with the intercept).
pub(crate) fn fit_intercept(units: &[BinaryUnit], target: f64) -> f64 {
    bisect(|a| binary_share(units, a), target, -30.0, 30.0)
}

/// Solves `f(x) = target` for `f` non-decreasing on [lo, hi] by bisection.
pub(crate) fn bisect(f: impl Fn(f64) -> f64, target: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Softmax of `asc + v` (in place into `out`).
pub(crate) fn softmax(asc: &[f64], v: &[f64], out: &mut [f64]) {
    let mut max = f64::NEG_INFINITY;
    for ((o, a), x) in out.iter_mut().zip(asc).zip(v) {
        *o = a + x;
        max = max.max(*o);
    }
    let mut sum = 0.0;
    for o in out.iter_mut() {
        *o = (*o - max).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// Alternative-specific constants of a multinomial logit such that the
/// weighted expected shares equal `target` (the classic iterative ASC
/// adjustment of transport modelling: `asc += ln(target / share)`, until
/// the largest step is below 1e-12 or after 300 rounds).
/// `utilities[i]` holds unit `i`'s systematic utilities without constants.
pub(crate) fn fit_constants(weights: &[f64], utilities: &[Vec<f64>], target: &[f64]) -> Vec<f64> {
    let k = target.len();
    let mut asc = vec![0.0; k];
    let mut p = vec![0.0; k];
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return asc;
    }
    let target_total: f64 = target.iter().sum();
    for _ in 0..300 {
        let mut share = vec![0.0; k];
        for (w, v) in weights.iter().zip(utilities) {
            softmax(&asc, v, &mut p);
            for (s, pj) in share.iter_mut().zip(&p) {
                *s += w * pj;
            }
        }
        let mut largest_step: f64 = 0.0;
        for j in 0..k {
            let s = share[j] / total;
            if s > 0.0 {
                let step = (target[j] / target_total / s).ln();
                asc[j] += step;
                largest_step = largest_step.max(step.abs());
            }
        }
        if largest_step < 1e-12 {
            break;
        }
    }
    asc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercept_hits_the_weighted_target() {
        let units: Vec<BinaryUnit> = (0..1000)
            .map(|i| BinaryUnit {
                weight: 1.0 + f64::from(i % 3),
                eta: f64::from(i % 10) / 10.0,
                u: (f64::from(i) * 0.618_033_988_7).fract(),
            })
            .collect();
        let a = fit_intercept(&units, 0.3);
        assert!((binary_share(&units, a) - 0.3).abs() < 0.005);
    }

    #[test]
    fn constants_reproduce_target_shares() {
        let weights = vec![1.0, 2.0, 1.0, 3.0];
        let utilities = vec![
            vec![0.0, 1.0, -1.0],
            vec![0.5, 0.0, 0.0],
            vec![0.0, 0.0, 2.0],
            vec![-1.0, 0.3, 0.1],
        ];
        let target = [0.5, 0.3, 0.2];
        let asc = fit_constants(&weights, &utilities, &target);
        let mut share = [0.0; 3];
        let mut p = [0.0; 3];
        for (w, v) in weights.iter().zip(&utilities) {
            softmax(&asc, v, &mut p);
            for j in 0..3 {
                share[j] += w * p[j] / 7.0;
            }
        }
        for j in 0..3 {
            assert!((share[j] - target[j]).abs() < 1e-6, "{share:?}");
        }
    }
}
