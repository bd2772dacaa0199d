//! Weighted selection: R's discrete quantile rules (`"math"`, `"school"`)
//! read off an *unsorted* weighted sample in expected linear time, instead
//! of sorting it.
//!
//! The `p` quantile under `"math"` is the value at the first sorted position
//! `k` whose cumulative weight share `Cₖ/C` exceeds `p` (see
//! [`WeightedCdf`](super::quantile::WeightedCdf) for the exact rule and its
//! corners). A quickselect finds that position: partition around a pivot
//! value `v` into `< v`, `= v` and `> v`, add up the weights of each part
//! (compensated, as the sorted cumulative sums are), and go on in the part
//! where `Cₖ/C` crosses `p`. Every partition point found is kept, so that
//! the next quantile of the same sample (Woodruff's interval ends, other
//! probabilities) starts from the narrowest known interval around its own
//! crossing — usually a small fraction of the sample.
//!
//! Only the cumulative sums at group boundaries (all values below `v`, all
//! values up to `v`) matter, and those do not depend on the order of the
//! sample, so the answer is the sorted rule's. The one exception is a
//! crossing that falls inside the weight of the *first* of several tied
//! values, where the stable order of the ties decides; then, and when the
//! pivots are unlucky, [`Selector::quantile`] gives `None` and the caller
//! falls back to sorting.

/// Neumaier-compensated sum (the same summation as the sorted cumulative
/// weights).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Compensated {
    sum: f64,
    comp: f64,
}

impl Compensated {
    #[inline(always)]
    pub(crate) fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.comp += (self.sum - t) + v;
        } else {
            self.comp += (v - t) + self.sum;
        }
        self.sum = t;
    }

    /// `self + other`, both compensated.
    fn plus(mut self, other: Compensated) -> Compensated {
        self.add(other.sum);
        self.add(other.comp);
        self
    }

    /// The rounded sum.
    pub(crate) fn value(self) -> f64 {
        self.sum + self.comp
    }
}

/// A known partition point: every value before `pos` is ≤ every value from
/// `pos` on, and `cum` is the weight before `pos`.
#[derive(Debug, Clone, Copy)]
struct Bound {
    pos: usize,
    cum: Compensated,
    /// The largest value before `pos`, when known.
    max_before: Option<f64>,
    /// The smallest value from `pos` on, when known.
    min_after: Option<f64>,
}

/// Quantile queries on one weighted sample `(value, weight)` (finite
/// weights ≥ 0, no NaN values), which it reorders.
#[derive(Debug, Clone)]
pub(crate) struct Selector {
    total: f64,
    bounds: Vec<Bound>,
}

impl Selector {
    /// A selector over `pairs`, or `None` when they are empty or weigh
    /// nothing.
    pub(crate) fn new(pairs: &[(f64, f64)]) -> Option<Selector> {
        let mut total = Compensated::default();
        for &(_, w) in pairs {
            total.add(w);
        }
        if total.value().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        Some(Selector {
            total: total.value(),
            bounds: vec![
                Bound {
                    pos: 0,
                    cum: Compensated::default(),
                    max_before: None,
                    min_after: None,
                },
                Bound {
                    pos: pairs.len(),
                    cum: total,
                    max_before: None,
                    min_after: None,
                },
            ],
        })
    }

    /// Whether the weight share before `pos` (a cumulative sum `cum`) is at
    /// most `p`: sorted position `pos − 1` counts as "at or below p".
    fn at_most(&self, b: &Bound, p: f64) -> bool {
        b.pos == 0 || b.cum.value() / self.total <= p
    }

    fn record(&mut self, bound: Bound) {
        match self.bounds.binary_search_by_key(&bound.pos, |b| b.pos) {
            Ok(i) => {
                let b = &mut self.bounds[i];
                b.max_before = b.max_before.or(bound.max_before);
                b.min_after = b.min_after.or(bound.min_after);
            }
            Err(i) => self.bounds.insert(i, bound),
        }
    }

    /// The `p` quantile of `pairs` (the same pairs, in any order left by
    /// earlier calls) under R's `"math"` rule, or `"school"` when
    /// `midpoint`; `None` when only the sorted order can tell (see the
    /// module docs). `p` must lie in `[0, 1]`.
    pub(crate) fn quantile(
        &mut self,
        pairs: &mut [(f64, f64)],
        p: f64,
        midpoint: bool,
    ) -> Option<f64> {
        let n = pairs.len();
        // The narrowest known interval [lo, hi) holding the crossing.
        let first_false = self.bounds.partition_point(|b| self.at_most(b, p));
        if first_false == self.bounds.len() {
            // Every share ≤ p (p = 1): the largest value.
            return pairs.iter().map(|e| e.0).reduce(f64::max);
        }
        let low = self.bounds[first_false - 1];
        let high = self.bounds[first_false];
        let (mut lo, mut hi) = (low.pos, high.pos);
        let mut base = low.cum;
        let mut prev_max = low.max_before;
        let limit = 2 * (usize::BITS - n.leading_zeros()) as usize + 16;
        for _ in 0..limit {
            if lo >= hi {
                return None;
            }
            let part = &mut pairs[lo..hi];
            let v = pivot(part);
            let Partition {
                less,
                equal,
                w_less,
                w_equal,
            } = partition(part, v);
            let a = lo + less;
            let b = a + equal;
            let cum_a = base.plus(w_less);
            let cum_b = cum_a.plus(w_equal);
            if less > 0 {
                self.record(Bound {
                    pos: a,
                    cum: cum_a,
                    max_before: None,
                    min_after: Some(v),
                });
            }
            self.record(Bound {
                pos: b,
                cum: cum_b,
                max_before: Some(v),
                min_after: None,
            });
            if less > 0 && cum_a.value() / self.total > p {
                // The crossing is among the values below v.
                hi = a;
                continue;
            }
            if cum_b.value() / self.total <= p {
                if b == hi {
                    // Only p = 1 reaches the end of the sample here; an
                    // inner end means sums that disagree in the last bit.
                    return (hi == n).then_some(v);
                }
                lo = b;
                base = cum_b;
                prev_max = Some(v);
                continue;
            }
            // The crossing is among the values equal to v, at the first one
            // (position a) or after it: the stable order of the ties decides
            // which one is first, so the answer must hold for all of them.
            let (w_min, w_max) = pairs[a..b]
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
                    (lo.min(e.1), hi.max(e.1))
                });
            let share_with = |w: f64| {
                let mut c = cum_a;
                c.add(w);
                c.value() / self.total <= p
            };
            // If the first tie is at or below p, the rule reads two values
            // equal to v; if it is above, it reads the value at position a
            // (v) or, when F̂ reaches p exactly before it, the value before.
            let maybe_below = share_with(w_min);
            let maybe_above = !share_with(w_max);
            if !maybe_above {
                return Some(v);
            }
            let above = if a == 0 {
                // R's corner below the first share: the second smallest
                // observation.
                if equal >= 2 || n == 1 {
                    Some(v)
                } else {
                    pairs[b..].iter().map(|e| e.0).reduce(f64::min)
                }
            } else if cum_a.value() / self.total != p {
                Some(v)
            } else {
                // F̂ reaches p exactly at the value before v.
                let before = if less > 0 {
                    pairs[lo..a].iter().map(|e| e.0).reduce(f64::max)
                } else {
                    prev_max.or_else(|| pairs[..a].iter().map(|e| e.0).reduce(f64::max))
                };
                before.map(|x| if midpoint { (x + v) / 2.0 } else { x })
            };
            // Both possible (the stable order of the ties decides): only an
            // answer that holds either way.
            return if maybe_below && above != Some(v) {
                None
            } else {
                above
            };
        }
        None
    }
}

/// The median of the first, middle and last values.
fn pivot(part: &[(f64, f64)]) -> f64 {
    let n = part.len();
    let (a, b, c) = (part[0].0, part[n / 2].0, part[n - 1].0);
    if (a <= b) == (b <= c) {
        b
    } else if (b <= a) == (a <= c) {
        a
    } else {
        c
    }
}

struct Partition {
    less: usize,
    equal: usize,
    w_less: Compensated,
    w_equal: Compensated,
}

/// Reorders `part` into values `< v`, `= v`, `> v` (branch-free swaps) and
/// sums the weights of the first two groups. `v` is one of the values.
fn partition(part: &mut [(f64, f64)], v: f64) -> Partition {
    let mut w_less = Compensated::default();
    let mut left = 0;
    let mut equal = 0usize;
    for right in 0..part.len() {
        let e = part[right];
        let is_less = e.0 < v;
        part.swap(left, right);
        left += usize::from(is_less);
        w_less.add(if is_less { e.1 } else { 0.0 });
        equal += usize::from(e.0 == v);
    }
    let mut w_equal = Compensated::default();
    let rest = &mut part[left..];
    let mut mid = 0;
    for right in 0..rest.len() {
        let e = rest[right];
        let is_equal = e.0 == v;
        if equal == 1 && is_equal {
            // A single value equal to v (no ties): move it and stop.
            rest.swap(0, right);
            w_equal.add(e.1);
            mid = 1;
            break;
        }
        rest.swap(mid, right);
        mid += usize::from(is_equal);
        w_equal.add(if is_equal { e.1 } else { 0.0 });
    }
    Partition {
        less: left,
        equal: mid,
        w_less,
        w_equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::quantile::{QuantileRule, WeightedCdf};

    /// A small deterministic generator (no dependency needed for tests).
    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    fn check(x: &[f64], w: &[f64], probs: &[f64]) {
        let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
        let Some(cdf) = WeightedCdf::new(x, w) else {
            assert!(
                Selector::new(&pairs).is_none(),
                "no weight: no selector either"
            );
            return;
        };
        let mut sel = Selector::new(&pairs).expect("selector");
        let mut decided = 0;
        for &p in probs {
            for (midpoint, rule) in [(false, QuantileRule::Math), (true, QuantileRule::School)] {
                let want = cdf.quantile(p, rule);
                if let Some(got) = sel.quantile(&mut pairs, p, midpoint) {
                    assert_eq!(got, want, "p = {p}, {rule}, x = {x:?}, w = {w:?}");
                    decided += 1;
                }
            }
        }
        // Undecided answers (ties at the crossing) are rare, not the rule.
        assert!(
            decided * 4 >= 3 * 2 * probs.len(),
            "{decided} of {}",
            2 * probs.len()
        );
    }

    #[test]
    fn matches_the_sorted_rule_on_random_samples() {
        let mut seed = 7;
        let probs = [0.0, 0.01, 0.1, 0.25, 0.3, 0.5, 0.5001, 0.75, 0.9, 0.99, 1.0];
        for n in [1, 2, 3, 5, 10, 57, 400, 3000] {
            // Distinct values, unequal weights.
            let x: Vec<f64> = (0..n).map(|_| lcg(&mut seed) * 100.0).collect();
            let w: Vec<f64> = (0..n).map(|_| 0.5 + lcg(&mut seed) * 3.0).collect();
            check(&x, &w, &probs);
            // Heavy ties, equal weights (exact shares such as 0.5).
            let x: Vec<f64> = (0..n).map(|_| (lcg(&mut seed) * 6.0).floor()).collect();
            check(&x, &vec![1.0; n], &probs);
            // Ties, zero weights and sorted input.
            let mut x: Vec<f64> = (0..n).map(|_| (lcg(&mut seed) * 20.0).floor()).collect();
            x.sort_by(f64::total_cmp);
            let w: Vec<f64> = (0..n)
                .map(|i| {
                    if i % 7 == 0 {
                        0.0
                    } else {
                        1.0 + (i % 3) as f64
                    }
                })
                .collect();
            check(&x, &w, &probs);
        }
    }

    #[test]
    fn matches_the_sorted_rule_on_many_small_tied_samples() {
        let mut seed = 11;
        let mut probs: Vec<f64> = (0..=20).map(|i| f64::from(i) / 20.0).collect();
        probs.extend([1.0 / 3.0, 2.0 / 3.0, 1e-9, 1.0 - 1e-9]);
        for case in 0..400 {
            let n = 1 + case % 40;
            let levels = 1.0 + (case % 7) as f64;
            let x: Vec<f64> = (0..n).map(|_| (lcg(&mut seed) * levels).floor()).collect();
            let w: Vec<f64> = (0..n)
                .map(|_| match case % 3 {
                    0 => 1.0,
                    1 => (lcg(&mut seed) * 4.0).floor(),
                    _ => 0.25 + lcg(&mut seed),
                })
                .collect();
            let mut pairs: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
            let Some(cdf) = WeightedCdf::new(&x, &w) else {
                continue;
            };
            let mut sel = Selector::new(&pairs).expect("selector");
            for &p in &probs {
                for (midpoint, rule) in [(false, QuantileRule::Math), (true, QuantileRule::School)]
                {
                    if let Some(got) = sel.quantile(&mut pairs, p, midpoint) {
                        assert_eq!(got, cdf.quantile(p, rule), "p = {p}, {rule}, {x:?}, {w:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn exact_shares_read_the_value_before() {
        // F̂(2) = 0.5 exactly: "math" gives 2, "school" the midpoint 2.5.
        let x = [4.0, 1.0, 3.0, 2.0];
        let mut pairs: Vec<(f64, f64)> = x.iter().map(|&v| (v, 2.0)).collect();
        let mut sel = Selector::new(&pairs).expect("selector");
        assert_eq!(sel.quantile(&mut pairs, 0.5, false), Some(2.0));
        assert_eq!(sel.quantile(&mut pairs, 0.5, true), Some(2.5));
        assert_eq!(sel.quantile(&mut pairs, 0.6, false), Some(3.0));
        // Below the first share: R's second smallest observation.
        assert_eq!(sel.quantile(&mut pairs, 0.1, false), Some(2.0));
        assert_eq!(sel.quantile(&mut pairs, 1.0, false), Some(4.0));
    }

    #[test]
    fn empty_or_weightless_samples_have_no_selector() {
        assert!(Selector::new(&[]).is_none());
        assert!(Selector::new(&[(1.0, 0.0), (2.0, 0.0)]).is_none());
    }
}
