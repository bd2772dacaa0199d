//! Weighted selection: R's discrete quantile rules (`"math"`, `"school"`)
//! read off an *unsorted* weighted sample in expected linear time, instead
//! of sorting it.
//!
//! The `p` quantile under `"math"` is the value at the first sorted position
//! `k` whose cumulative weight share `Cₖ/C` exceeds `p` (see
//! [`WeightedCdf`](super::quantile::WeightedCdf) for the exact rule and its
//! corners). A quickselect finds that position: partition around a pivot
//! value `v` into `< v`, `= v` and `> v`, add up the weights of each part,
//! and go on in the part where `Cₖ/C` crosses `p`. Every partition point
//! found is kept, so that the next quantile of the same sample (Woodruff's
//! interval ends, other probabilities) starts from the narrowest known
//! interval around its own crossing — usually a small fraction of the
//! sample.
//!
//! Only the cumulative sums at group boundaries (all values below `v`, all
//! values up to `v`) matter, and those do not depend on the order of the
//! sample, so the answer is the sorted rule's. The partitions sum weights
//! plainly; where a share comes within their rounding error of `p` (ties
//! such as `F̂ = ½` with equal weights) the weights before that point are
//! summed again, compensated, as the sorted cumulative sums are. The one
//! exception is a crossing that falls inside the weight of the *first* of
//! several tied values, where the stable order of the ties decides; then,
//! and when the pivots are unlucky, [`Selector::quantile`] gives `None` and
//! the caller falls back to sorting.

use std::cell::Cell;
use std::cmp::Ordering;

/// Neumaier-compensated sum (the same summation as the sorted cumulative
/// weights).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Compensated {
    sum: f64,
    comp: f64,
}

impl Compensated {
    #[inline(always)]
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.comp += (self.sum - t) + v;
        } else {
            self.comp += (v - t) + self.sum;
        }
        self.sum = t;
    }

    /// The rounded sum.
    fn value(self) -> f64 {
        self.sum + self.comp
    }
}

/// A known partition point: every value before `pos` is ≤ every value from
/// `pos` on, and `cum` is the weight before `pos` (summed plainly).
#[derive(Debug, Clone, Copy)]
struct Bound {
    pos: usize,
    cum: f64,
    /// The largest value before `pos`, when known.
    max_before: Option<f64>,
    /// The smallest value from `pos` on, when known.
    min_after: Option<f64>,
}

/// Quantile queries on one weighted sample `(value, weight)` (finite
/// weights ≥ 0, no NaN values), which it reorders.
#[derive(Debug, Clone)]
pub(crate) struct Selector {
    /// The weights' plain sum.
    total: f64,
    /// Their compensated sum (the sorted rule's last cumulative weight),
    /// made the first time a share comes close to `p`.
    exact_total: Cell<Option<f64>>,
    bounds: Vec<Bound>,
    /// Room for the out-of-place partitions (made on first use).
    buffer: Vec<(f64, f64)>,
    /// The middle part of a bracketing split (see [`split3`]).
    middle: Vec<(f64, f64)>,
}

/// Intervals longer than this are first cut by two pivots from a sample
/// (Floyd and Rivest's selection): one pass leaves a small middle part
/// that holds the crossing — and, usually, the crossings of Woodruff's
/// interval ends too.
const BRACKET_MIN: usize = 4096;

impl Selector {
    /// A selector over `pairs`, or `None` when they are empty or weigh
    /// nothing.
    pub(crate) fn new(pairs: &[(f64, f64)]) -> Option<Selector> {
        // Four running sums: no long chain of dependent additions.
        let mut sums = [0.0; 4];
        let mut chunks = pairs.chunks_exact(4);
        for c in &mut chunks {
            for (s, e) in sums.iter_mut().zip(c) {
                *s += e.1;
            }
        }
        for (s, e) in sums.iter_mut().zip(chunks.remainder()) {
            *s += e.1;
        }
        let total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
        if total.partial_cmp(&0.0) != Some(Ordering::Greater) {
            return None;
        }
        Some(Selector {
            total,
            exact_total: Cell::new(None),
            bounds: vec![
                Bound {
                    pos: 0,
                    cum: 0.0,
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
            buffer: Vec::new(),
            middle: Vec::new(),
        })
    }

    /// `(C + extra)/C_n` against `p`, with `C` the weight of `pairs[..pos]`
    /// (`cum`, summed plainly), as the sorted rule's compensated cumulative
    /// sums give it: far from `p` the plain sums decide; within their
    /// rounding error of `p`, compensated sums do.
    fn compare(&self, pairs: &[(f64, f64)], pos: usize, cum: f64, extra: f64, p: f64) -> Ordering {
        let c = cum + extra;
        let target = p * self.total;
        // A bound on the rounding errors of the plain sums (`c`, the total).
        let tol = (pos + pairs.len() + 4) as f64 * f64::EPSILON * c.abs().max(target.abs());
        let share = if (c - target).abs() > tol {
            c / self.total
        } else {
            let mut exact = Compensated::default();
            for e in &pairs[..pos] {
                exact.add(e.1);
            }
            exact.add(extra);
            let total = self.exact_total.get().unwrap_or_else(|| {
                let mut t = Compensated::default();
                for e in pairs {
                    t.add(e.1);
                }
                self.exact_total.set(Some(t.value()));
                t.value()
            });
            exact.value() / total
        };
        share.partial_cmp(&p).unwrap_or(Ordering::Greater)
    }

    /// Whether the share before bound `b` is at most `p` (sorted position
    /// `pos − 1` counts as "at or below p").
    fn at_most(&self, pairs: &[(f64, f64)], b: &Bound, p: f64) -> bool {
        b.pos == 0 || self.compare(pairs, b.pos, b.cum, 0.0, p).is_le()
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
        let first_false = self.bounds.partition_point(|b| self.at_most(pairs, b, p));
        if first_false == self.bounds.len() {
            // Every share ≤ p (p = 1): the largest value.
            return pairs.iter().map(|e| e.0).reduce(f64::max);
        }
        let low = self.bounds[first_false - 1];
        let high = self.bounds[first_false];
        let (mut lo, mut hi) = (low.pos, high.pos);
        let (mut base, mut top) = (low.cum, high.cum);
        let mut prev_max = low.max_before;
        let mut bracket_failed = false;
        let limit = 2 * (usize::BITS - n.leading_zeros()) as usize + 16;
        for _ in 0..limit {
            if lo >= hi {
                return None;
            }
            let part = &mut pairs[lo..hi];
            if part.len() > BRACKET_MIN
                && !bracket_failed
                && let Some((v_lo, v_hi)) = bracket(part, (p * self.total - base) / (top - base))
            {
                if self.buffer.len() < part.len() {
                    self.buffer.resize(part.len(), (0.0, 0.0));
                }
                let (low, mid, w_low, w_mid) = split3(
                    part,
                    &mut self.buffer[..part.len()],
                    &mut self.middle,
                    v_lo,
                    v_hi,
                );
                let (a, b) = (lo + low, lo + low + mid);
                let (cum_a, cum_b) = (base + w_low, base + w_low + w_mid);
                for (pos, cum) in [(a, cum_a), (b, cum_b)] {
                    if pos > lo && pos < hi {
                        self.record(Bound {
                            pos,
                            cum,
                            max_before: None,
                            min_after: None,
                        });
                    }
                }
                if low > 0 && self.compare(pairs, a, cum_a, 0.0, p) == Ordering::Greater {
                    (hi, top) = (a, cum_a);
                } else if b < hi && self.compare(pairs, b, cum_b, 0.0, p).is_le() {
                    (lo, base) = (b, cum_b);
                    prev_max = None;
                } else {
                    bracket_failed = (a, b) == (lo, hi);
                    (lo, hi, base, top) = (a, b, cum_a, cum_b);
                    if a > lo {
                        prev_max = None;
                    }
                }
                continue;
            }
            let v = pivot(part);
            if self.buffer.len() < part.len() {
                self.buffer.resize(part.len(), (0.0, 0.0));
            }
            let Partition {
                less,
                equal,
                w_less,
                w_equal,
            } = partition(part, &mut self.buffer[..part.len()], v);
            let a = lo + less;
            let b = a + equal;
            let cum_a = base + w_less;
            let cum_b = cum_a + w_equal;
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
            if less > 0 && self.compare(pairs, a, cum_a, 0.0, p) == Ordering::Greater {
                // The crossing is among the values below v.
                (hi, top) = (a, cum_a);
                continue;
            }
            if self.compare(pairs, b, cum_b, 0.0, p).is_le() {
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
            // If the first tie is at or below p, the rule reads two values
            // equal to v; if it is above, it reads the value at position a
            // (v) or, when F̂ reaches p exactly before it, the value before.
            let maybe_below = self.compare(pairs, a, cum_a, w_min, p).is_le();
            let maybe_above = self.compare(pairs, a, cum_a, w_max, p) == Ordering::Greater;
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
            } else if self.compare(pairs, a, cum_a, 0.0, p).is_ne() {
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

/// Two values of `part` that bracket its weighted `f` quantile with high
/// probability: the `f ∓ δ` quantiles of an evenly spaced sample, `δ` three
/// standard errors of a sample quantile. `None` when `f` is not a share.
fn bracket(part: &[(f64, f64)], f: f64) -> Option<(f64, f64)> {
    if !(0.0..=1.0).contains(&f) {
        return None;
    }
    let n = part.len();
    let s = (n / 16).clamp(64, 4096);
    let mut sample: Vec<(f64, f64)> = (0..s).map(|j| part[j * n / s]).collect();
    sample.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = sample.iter().map(|e| e.1).sum();
    if total.partial_cmp(&0.0) != Some(Ordering::Greater) {
        return None;
    }
    let delta = 3.0 * (f * (1.0 - f) / s as f64).sqrt() + 2.0 / s as f64;
    let (want_lo, want_hi) = ((f - delta) * total, (f + delta) * total);
    let mut cum = 0.0;
    let mut v_lo = sample[0].0;
    let mut v_hi = sample[s - 1].0;
    for &(x, w) in &sample {
        cum += w;
        if cum <= want_lo {
            v_lo = x;
        }
        if cum >= want_hi {
            v_hi = x;
            break;
        }
    }
    Some((v_lo, v_hi))
}

/// Reorders `part` into values `< lo`, `lo ..= hi` and `> hi` (the middle
/// through `middle`, the others out of place through `buffer`, as
/// [`partition`] does); returns the sizes of the first two parts and their
/// weights.
fn split3(
    part: &mut [(f64, f64)],
    buffer: &mut [(f64, f64)],
    middle: &mut Vec<(f64, f64)>,
    lo: f64,
    hi: f64,
) -> (usize, usize, f64, f64) {
    let n = part.len();
    middle.clear();
    let (mut front, mut back) = (0usize, n);
    let (mut w_low, mut w_mid) = (0.0, 0.0);
    for &e in part.iter() {
        let below = e.0 < lo;
        let above = e.0 > hi;
        if !below && !above {
            // Rare: the middle is a small part.
            middle.push(e);
            w_mid += e.1;
            continue;
        }
        buffer[front] = e;
        buffer[back - 1] = e;
        front += usize::from(below);
        back -= usize::from(above);
        w_low += keep_if(e.1, below);
    }
    let mid = middle.len();
    part[..front].copy_from_slice(&buffer[..front]);
    part[front..front + mid].copy_from_slice(middle);
    part[front + mid..].copy_from_slice(&buffer[back..]);
    (front, mid, w_low, w_mid)
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

/// `w` when `keep`, else 0 — a select, never a branch (a branch on
/// `value < v` is mispredicted half the time).
#[inline(always)]
fn keep_if(w: f64, keep: bool) -> f64 {
    std::hint::select_unpredictable(keep, w, 0.0)
}

struct Partition {
    less: usize,
    equal: usize,
    w_less: f64,
    w_equal: f64,
}

/// Reorders `part` into values `< v`, `= v`, `> v` and sums the weights of
/// the first two groups; `v` is one of the values. Out of place, through
/// `buffer` (as long as `part`), without branches on the data: each element
/// is written to both the next front and the next back slot, and only the
/// right one is kept — no loop-carried dependency through memory, as an
/// in-place swap would have.
fn partition(part: &mut [(f64, f64)], buffer: &mut [(f64, f64)], v: f64) -> Partition {
    let n = part.len();
    // Pass 1, part → buffer: values ≤ v to the front, > v to the back.
    let (mut front, mut back) = (0usize, n);
    let (mut w_less, mut w_equal) = (0.0, 0.0);
    let mut equal = 0usize;
    let mut last_equal = 0usize;
    for &e in part.iter() {
        let le = e.0 <= v;
        let eq = e.0 == v;
        buffer[front] = e;
        buffer[back - 1] = e;
        last_equal = if eq { front } else { last_equal };
        front += usize::from(le);
        back -= usize::from(!le);
        w_less += keep_if(e.1, le && !eq);
        w_equal += keep_if(e.1, eq);
        equal += usize::from(eq);
    }
    // The values above v go back as they are.
    part[front..].copy_from_slice(&buffer[front..]);
    if equal == 1 {
        // A single value equal to v (no ties): it goes last among ≤ v.
        buffer.swap(last_equal, front - 1);
        part[..front].copy_from_slice(&buffer[..front]);
    } else {
        // Pass 2, buffer → part: values < v to the front, = v to the back
        // of the ≤ v values.
        let (mut lt, mut ge) = (0usize, front);
        for &e in &buffer[..front] {
            let less = e.0 < v;
            part[lt] = e;
            part[ge - 1] = e;
            lt += usize::from(less);
            ge -= usize::from(!less);
        }
    }
    Partition {
        less: front - equal,
        equal,
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
        // Above BRACKET_MIN too, where a sampled bracket cuts first.
        for n in [1, 2, 3, 5, 10, 57, 400, 3000, 5000, 20_000, 70_000] {
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
