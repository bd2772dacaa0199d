//! Weighted quantiles with R's `qrule`s and Woodruff confidence intervals,
//! as `svyquantile` computes them in R's `survey` (≥ 4.1).
//!
//! # The estimate
//!
//! The `p`th quantile is where the estimated distribution function
//! `F̂(x) = Σ_{xᵢ ≤ x} wᵢ / Σ wᵢ` reaches `p`. That pins it down only to an
//! interval between two observations; a [`QuantileRule`] picks the value
//! (R's `qrule`, described in R's vignette "Estimating quantiles"):
//!
//! * discrete rules return an observed value: [`QuantileRule::Math`] (R's
//!   default, the smallest `x` with `F̂(x) ≥ p`, also `Hf1`),
//!   [`QuantileRule::School`] (`Hf2`: the midpoint of the two candidates when
//!   `F̂` hits `p` exactly), [`QuantileRule::Hf3`] (the candidate at an even
//!   position among the distinct values) and [`QuantileRule::ShahVaish`];
//! * continuous rules `Hf4`–`Hf9` interpolate linearly between the points
//!   `(pₖ, xₖ)` built from the cumulative weights `Cₖ`: `Cₖ/Cₙ`,
//!   `(Cₖ − wₖ/2)/Cₙ`, `Cₖ/(Cₙ + wₙ)`, `Cₖ₋₁/Cₙ₋₁`, `(Cₖ − wₖ/3)/(Cₙ + wₙ/3)`,
//!   `(Cₖ − 3wₖ/8)/(Cₙ + wₙ/4)`.
//!
//! # R compatibility notes
//!
//! These reproduce R `survey` 4.1.1 value for value, including three of its
//! corner behaviours, on purpose (so that a result can be checked against R):
//!
//! * for `p` strictly below the weight share of the smallest observation,
//!   `Math`, `School`, `Hf1`, `Hf2` return the *second* smallest observation
//!   (and `Hf3` the second smallest distinct value), not the smallest;
//! * `Hf4` extrapolates linearly below its first point instead of stopping at
//!   the smallest observation (the other continuous rules stop there), and
//!   gives `NaN` at `p = 1`;
//! * `ShahVaish` builds its distribution function from the *unnormalised*
//!   weight `wₖ` in `(C*ₖ + ½ − wₖ/2)/(n + 1)` (with `C*` the cumulative
//!   weights rescaled to sum to `n`), exactly as R's vignette writes it; with
//!   very unequal weights that function is not monotone, and R's
//!   step-function reading of it (ties averaged) is followed.
//!
//! Cumulative weights are summed with compensated (Neumaier) summation, close
//! to R's extended-precision sums, and a design's weights are taken as R's
//! design object holds them (`1/(1/w)`, from the sampling probabilities), so
//! that ties such as `F̂(x) = 0.5` with equal weights are seen as R sees them.
//!
//! # The interval (Woodruff, 1952)
//!
//! With `q̂` the quantile, the share of the population at or below it,
//! `F̂(q̂)`, is a mean of the indicator `x ≤ q̂`; its design-based standard
//! error gives an interval `[p_L, p_U]` on the probability scale (a t interval
//! on the design degrees of freedom by default, see [`WoodruffInterval`]),
//! and the quantile interval is `[F̂⁻¹(p_L), F̂⁻¹(p_U)]`, read with the same
//! rule. An end outside `[0, 1]` gives `NaN`, as in R. The standard error is
//! the one R reports: the interval length divided by `2·t_{df, 1−α/2}`.
//!
//! The variance of `F̂(q̂)` comes from the design's variance method through
//! the estimation core (Taylor linearisation, or replicate weights when the
//! design has them), as R's `svymean` of the indicator.
//!
//! # Domains and missing values
//!
//! | R | here |
//! |---|---|
//! | `svyquantile(~y, d, c(.25, .5))` | `d.quantile("y", &[0.25, 0.5])` |
//! | `svyquantile(~y, d, .5)` | `d.median("y")` |
//! | `svyquantile(~y, d, p, qrule = "hf7", interval.type = "beta")` | `d.quantile_with("y", &[p], QuantileOptions::default().rule(QuantileRule::Hf7).interval(WoodruffInterval::Beta))` |
//! | `svyby(~y, ~g, d, svyquantile, quantiles = .5)` | `d.by(["g"])?.median("y")` |
//! | `svyquantile(~y, subset(d, g == "a"), .5)` | `d.subset(Filter::eq("g", "a"))?.median("y")` |
//!
//! Each domain is read off its own rows' `F̂` (rows grouped by domain, then
//! sorted by value within it; one grouped pass for all the `F̂(q̂)` and their
//! variances) and uses its own degrees of freedom — PSUs minus strata among the domain's
//! rows with a value, R's `degf()` of the subset design. Rows with a missing
//! value are left out (R's `na.rm = TRUE`, the crate's default) and counted
//! in `n_missing`; with `with_na_rm(false)` such a domain gives `NaN`.

use super::ciprop::{PropCiMethod, prop_interval};
use super::select::Selector;
use super::smooth::{Counts, SmoothStatistic, estimate_smooth};
use super::{
    CiMethod, ConfidenceInterval, DomainDesign, Estimate, EstimateError, EstimateTable, Statistic,
    t_quantile,
};
use crate::design::{Label, MISSING, SurveyDesign, numeric_slice};
use crate::quality::Measures;

/// How a quantile is read off the weighted distribution function: R's
/// `svyquantile(qrule = …)`. The default is R's default, `"math"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum QuantileRule {
    /// R's `"math"`: the smallest value `x` with `F̂(x) ≥ p` (same as `Hf1`).
    #[default]
    Math,
    /// R's `"school"`: like `Math`, but the midpoint of that value and the
    /// next one when `F̂` equals `p` exactly (same as `Hf2`).
    School,
    /// R's `"shahvaish"`: the rule of Shah & Vaish (2006), used by some
    /// SUDAAN versions.
    ShahVaish,
    /// Hyndman–Fan type 1, weighted (same as `Math`).
    Hf1,
    /// Hyndman–Fan type 2, weighted (same as `School`).
    Hf2,
    /// Hyndman–Fan type 3, weighted: nearest even order statistic.
    Hf3,
    /// Hyndman–Fan type 4, weighted: `pₖ = Cₖ/Cₙ`.
    Hf4,
    /// Hyndman–Fan type 5, weighted: `pₖ = (Cₖ − wₖ/2)/Cₙ`.
    Hf5,
    /// Hyndman–Fan type 6, weighted: `pₖ = Cₖ/(Cₙ + wₙ)`.
    Hf6,
    /// Hyndman–Fan type 7 (R's `quantile()` default), weighted:
    /// `pₖ = Cₖ₋₁/Cₙ₋₁`.
    Hf7,
    /// Hyndman–Fan type 8, weighted: `pₖ = (Cₖ − wₖ/3)/(Cₙ + wₙ/3)`.
    Hf8,
    /// Hyndman–Fan type 9, weighted: `pₖ = (Cₖ − 3wₖ/8)/(Cₙ + wₙ/4)`.
    Hf9,
}

impl QuantileRule {
    /// Every rule, in R's order.
    pub const ALL: [QuantileRule; 12] = [
        QuantileRule::Math,
        QuantileRule::School,
        QuantileRule::ShahVaish,
        QuantileRule::Hf1,
        QuantileRule::Hf2,
        QuantileRule::Hf3,
        QuantileRule::Hf4,
        QuantileRule::Hf5,
        QuantileRule::Hf6,
        QuantileRule::Hf7,
        QuantileRule::Hf8,
        QuantileRule::Hf9,
    ];

    /// R's name of the rule (`"math"`, `"school"`, `"shahvaish"`, `"hf1"`…).
    pub fn r_name(self) -> &'static str {
        match self {
            QuantileRule::Math => "math",
            QuantileRule::School => "school",
            QuantileRule::ShahVaish => "shahvaish",
            QuantileRule::Hf1 => "hf1",
            QuantileRule::Hf2 => "hf2",
            QuantileRule::Hf3 => "hf3",
            QuantileRule::Hf4 => "hf4",
            QuantileRule::Hf5 => "hf5",
            QuantileRule::Hf6 => "hf6",
            QuantileRule::Hf7 => "hf7",
            QuantileRule::Hf8 => "hf8",
            QuantileRule::Hf9 => "hf9",
        }
    }

    /// The rule with R's name `name` (case-insensitive), if there is one.
    pub fn from_r_name(name: &str) -> Option<QuantileRule> {
        let lower = name.to_ascii_lowercase();
        QuantileRule::ALL.into_iter().find(|r| r.r_name() == lower)
    }
}

impl QuantileRule {
    /// Whether the rule returns an observed value (or the midpoint of two)
    /// read from `F̂` at one crossing: `Math`, `School` and their `Hf1`,
    /// `Hf2` aliases, which weighted selection answers without sorting.
    fn is_discrete(self) -> bool {
        matches!(
            self,
            QuantileRule::Math | QuantileRule::Hf1 | QuantileRule::School | QuantileRule::Hf2
        )
    }
}

impl std::fmt::Display for QuantileRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.r_name())
    }
}

/// How Woodruff's interval for the share below the quantile is built
/// (R's `interval.type`), before it is mapped back through `F̂⁻¹`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WoodruffInterval {
    /// R's default `"mean"`: `F̂(q̂) ± t·SE`.
    #[default]
    Mean,
    /// R's `"beta"`: Korn–Graubard (Clopper–Pearson on an effective sample
    /// size), as [`PropCiMethod::Beta`].
    Beta,
    /// R's `"xlogit"`: a Wald interval on the logit scale, as
    /// [`PropCiMethod::Xlogit`].
    Xlogit,
    /// R's `"asin"`: a Wald interval on the arcsine-square-root scale, as
    /// [`PropCiMethod::Asin`].
    Asin,
}

impl WoodruffInterval {
    fn prop_method(self) -> PropCiMethod {
        match self {
            WoodruffInterval::Mean => PropCiMethod::Mean,
            WoodruffInterval::Beta => PropCiMethod::Beta,
            WoodruffInterval::Xlogit => PropCiMethod::Xlogit,
            WoodruffInterval::Asin => PropCiMethod::Asin,
        }
    }

    /// R's name of the interval type (`"mean"`, `"beta"`, `"xlogit"`, `"asin"`).
    pub fn r_name(self) -> &'static str {
        match self {
            WoodruffInterval::Mean => "mean",
            WoodruffInterval::Beta => "beta",
            WoodruffInterval::Xlogit => "xlogit",
            WoodruffInterval::Asin => "asin",
        }
    }
}

/// A weighted sample sorted by value, with its cumulative weights: the
/// estimated distribution function `F̂` that quantile rules read.
#[derive(Debug, Clone)]
pub struct WeightedCdf {
    x: Vec<f64>,
    w: Vec<f64>,
    /// Compensated cumulative weights `Cₖ`.
    cum: Vec<f64>,
    total: f64,
}

impl WeightedCdf {
    /// Sorts `values` (stably, as R's `order`) with their `weights`. Returns
    /// `None` when there are no values, when lengths differ, or when a value
    /// or weight is not finite, a weight is negative, or all weights are zero.
    pub fn new(values: &[f64], weights: &[f64]) -> Option<WeightedCdf> {
        if values.is_empty() || values.len() != weights.len() {
            return None;
        }
        if values.iter().any(|v| !v.is_finite())
            || weights.iter().any(|w| !w.is_finite() || *w < 0.0)
        {
            return None;
        }
        let mut idx: Vec<usize> = (0..values.len()).collect();
        idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let x: Vec<f64> = idx.iter().map(|&i| values[i]).collect();
        let w: Vec<f64> = idx.iter().map(|&i| weights[i]).collect();
        Self::from_sorted(x, w)
    }

    /// Builds from values already sorted ascending, with their weights.
    pub(crate) fn from_sorted(x: Vec<f64>, w: Vec<f64>) -> Option<WeightedCdf> {
        let cum = compensated_cumsum(&w);
        let total = *cum.last()?;
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        Some(WeightedCdf { x, w, cum, total })
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Always `false`: a `WeightedCdf` has at least one observation.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// The sum of the weights.
    pub fn total_weight(&self) -> f64 {
        self.total
    }

    /// `F̂(q)`: the weight share of observations `≤ q`.
    pub fn share_at_or_below(&self, q: f64) -> f64 {
        let k = self.x.partition_point(|&v| v <= q);
        if k == 0 {
            0.0
        } else {
            self.cum[k - 1] / self.total
        }
    }

    /// The `p` quantile under `rule` (`p` in `[0, 1]`; `NaN` otherwise).
    pub fn quantile(&self, p: f64, rule: QuantileRule) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        match rule {
            QuantileRule::Math | QuantileRule::Hf1 => self.discrete(p, false),
            QuantileRule::School | QuantileRule::Hf2 => self.discrete(p, true),
            QuantileRule::Hf3 => self.nearest_even(p),
            QuantileRule::ShahVaish => self.shah_vaish(p),
            QuantileRule::Hf4 => self.hf4(p),
            QuantileRule::Hf5 => {
                let pk: Vec<f64> = (0..self.len())
                    .map(|k| (self.cum[k] - self.w[k] / 2.0) / self.total)
                    .collect();
                self.interpolate(&pk, p)
            }
            QuantileRule::Hf6 => {
                let denom = self.total + self.last_weight();
                let pk: Vec<f64> = self.cum.iter().map(|c| c / denom).collect();
                self.interpolate(&pk, p)
            }
            QuantileRule::Hf7 => {
                let n = self.len();
                if n == 1 {
                    return self.x[0];
                }
                let denom = self.cum[n - 2];
                let pk: Vec<f64> = (0..n)
                    .map(|k| if k == 0 { 0.0 } else { self.cum[k - 1] / denom })
                    .collect();
                self.interpolate(&pk, p)
            }
            QuantileRule::Hf8 => {
                let denom = self.total + self.last_weight() / 3.0;
                let pk: Vec<f64> = (0..self.len())
                    .map(|k| (self.cum[k] - self.w[k] / 3.0) / denom)
                    .collect();
                self.interpolate(&pk, p)
            }
            QuantileRule::Hf9 => {
                let denom = self.total + self.last_weight() / 4.0;
                let pk: Vec<f64> = (0..self.len())
                    .map(|k| (self.cum[k] - 3.0 * self.w[k] / 8.0) / denom)
                    .collect();
                self.interpolate(&pk, p)
            }
        }
    }

    fn last_weight(&self) -> f64 {
        self.w.last().copied().unwrap_or(0.0)
    }

    /// `F̂` at each observation (0-based index k → `Cₖ/Cₙ`).
    fn share(&self, k: usize) -> f64 {
        self.cum[k] / self.total
    }

    /// The index (0-based) R starts from: the last observation with
    /// `F̂ ≤ p`, or the first one when there is none.
    fn lower_index(&self, p: f64) -> usize {
        // Shares are non-decreasing: count those ≤ p by bisection.
        let count = self.cum.partition_point(|c| c / self.total <= p);
        count.max(1) - 1
    }

    /// `Math` (`midpoint = false`) and `School` (`midpoint = true`).
    fn discrete(&self, p: f64, midpoint: bool) -> f64 {
        let n = self.len();
        let l = self.lower_index(p);
        let next = (l + 1).min(n - 1);
        if self.share(l) == p {
            if midpoint {
                (self.x[l] + self.x[next]) / 2.0
            } else {
                self.x[l]
            }
        } else {
            self.x[next]
        }
    }

    /// `Hf3`: on the distinct values (weights of ties summed), the candidate
    /// at an even (1-based) position when `F̂` equals `p` exactly.
    fn nearest_even(&self, p: f64) -> f64 {
        let mut values: Vec<f64> = Vec::new();
        let mut shares: Vec<f64> = Vec::new();
        for k in 0..self.len() {
            if k + 1 < self.len() && self.x[k + 1] == self.x[k] {
                continue;
            }
            values.push(self.x[k]);
            shares.push(self.share(k));
        }
        let m = values.len();
        let count = shares.partition_point(|&s| s <= p);
        let l = count.max(1) - 1;
        let next = (l + 1).min(m - 1);
        if shares[l] == p {
            // 1-based position l + 1 is even when l is odd.
            if l % 2 == 1 { values[l] } else { values[next] }
        } else {
            values[next]
        }
    }

    /// Shah & Vaish as R computes it: `G_k = (C*_k + ½ − w_k/2)/(n + 1)`, read
    /// as a left-continuous step function after sorting the `G_k` (values of
    /// tied `G_k` averaged), constant beyond its ends.
    fn shah_vaish(&self, p: f64) -> f64 {
        let n = self.len() as f64;
        let scale = n / self.total;
        let star: Vec<f64> = self.w.iter().map(|w| w * scale).collect();
        let cum_star = compensated_cumsum(&star);
        let mut pts: Vec<(f64, f64)> = (0..self.len())
            .map(|k| ((cum_star[k] + 0.5 - self.w[k] / 2.0) / (n + 1.0), self.x[k]))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Collapse tied G values to the mean of their x.
        let mut g: Vec<f64> = Vec::with_capacity(pts.len());
        let mut y: Vec<f64> = Vec::with_capacity(pts.len());
        let mut i = 0;
        while i < pts.len() {
            let mut j = i;
            let mut sum = 0.0;
            while j < pts.len() && pts[j].0 == pts[i].0 {
                sum += pts[j].1;
                j += 1;
            }
            g.push(pts[i].0);
            y.push(sum / (j - i) as f64);
            i = j;
        }
        let last = g.len() - 1;
        if p <= g[0] {
            return y[0];
        }
        if p >= g[last] {
            return y[last];
        }
        let k = g.partition_point(|&v| v <= p);
        y[k - 1]
    }

    /// `Hf4`: points `(Cₖ/Cₙ, xₖ)`, extrapolated linearly below the first
    /// point and `NaN` at `p = 1` (as R does).
    fn hf4(&self, p: f64) -> f64 {
        let n = self.len();
        let pk: Vec<f64> = (0..n).map(|k| self.share(k)).collect();
        if n >= 2 && p < pk[0] {
            let (x0, x1) = (self.x[0], self.x[1]);
            return x0 + (x1 - x0) * ((p - pk[0]) / (pk[1] - pk[0]));
        }
        if p >= pk[n - 1] {
            // R reads past the last observation here.
            return f64::NAN;
        }
        self.interpolate(&pk, p)
    }

    /// Linear interpolation through `(pk, x)` (`pk` non-decreasing), constant
    /// beyond the ends.
    fn interpolate(&self, pk: &[f64], p: f64) -> f64 {
        let n = pk.len();
        if p <= pk[0] {
            return self.x[0];
        }
        if p >= pk[n - 1] {
            return self.x[n - 1];
        }
        // pk[j-1] <= p < pk[j]
        let j = pk.partition_point(|&v| v <= p);
        let i = j - 1;
        if pk[i] == p {
            return self.x[i];
        }
        let (xi, xj) = (self.x[i], self.x[j]);
        xi + (xj - xi) * ((p - pk[i]) / (pk[j] - pk[i]))
    }
}

/// Cumulative sums with Neumaier compensation (each partial sum rounded once).
fn compensated_cumsum(values: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    let mut sum = 0.0_f64;
    let mut comp = 0.0_f64;
    for &v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            comp += (sum - t) + v;
        } else {
            comp += (v - t) + sum;
        }
        sum = t;
        out.push(sum + comp);
    }
    out
}

/// The `p` quantile of `values` weighted by `weights` under `rule`, or `None`
/// for empty/mismatched input, non-finite values or weights, negative weights
/// or a zero total weight.
///
/// ```
/// use lapaz_survey::estimate::quantile::{QuantileRule, weighted_quantile};
/// let x = [3.0, 1.0, 2.0, 4.0];
/// let w = [1.0, 1.0, 1.0, 1.0];
/// assert_eq!(weighted_quantile(&x, &w, 0.5, QuantileRule::Math), Some(2.0));
/// assert_eq!(weighted_quantile(&x, &w, 0.5, QuantileRule::School), Some(2.5));
/// ```
pub fn weighted_quantile(
    values: &[f64],
    weights: &[f64],
    p: f64,
    rule: QuantileRule,
) -> Option<f64> {
    WeightedCdf::new(values, weights).map(|cdf| cdf.quantile(p, rule))
}

/// What Woodruff's interval needs besides the distribution function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WoodruffInputs {
    /// `F̂(q̂)`, the estimated share at or below the quantile.
    pub share: f64,
    /// Its design-based standard error.
    pub share_se: f64,
    /// Degrees of freedom of the t reference (`f64::INFINITY` for normal).
    pub df: f64,
    /// Rows in the domain (for the Korn–Graubard effective sample size).
    pub n_rows: f64,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
}

/// A quantile interval and the SE R derives from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WoodruffResult {
    pub low: f64,
    pub high: f64,
    pub se: f64,
}

/// Woodruff's interval: the interval for the share below `q̂` (by
/// `interval`), mapped back through `F̂⁻¹` with `rule`; `NaN` ends where the
/// share interval leaves `[0, 1]`; SE = length / (2 t).
#[cfg(test)]
pub(crate) fn woodruff(
    cdf: &WeightedCdf,
    rule: QuantileRule,
    interval: WoodruffInterval,
    inputs: WoodruffInputs,
) -> WoodruffResult {
    woodruff_with(|p| cdf.quantile(p, rule), interval, inputs)
}

/// [`woodruff`] with `F̂⁻¹` given as a function.
fn woodruff_with(
    mut quantile: impl FnMut(f64) -> f64,
    interval: WoodruffInterval,
    inputs: WoodruffInputs,
) -> WoodruffResult {
    let (pl, pu) = prop_interval(
        interval.prop_method(),
        inputs.share,
        inputs.share_se * inputs.share_se,
        inputs.df,
        inputs.n_rows,
        inputs.level,
    );
    let low = quantile(pl);
    let high = quantile(pu);
    let t = t_quantile(1.0 - (1.0 - inputs.level) / 2.0, inputs.df);
    WoodruffResult {
        low,
        high,
        se: (high - low) / (2.0 * t),
    }
}

/// Options of a quantile estimate: the rule that reads `F̂⁻¹` and the type
/// of Woodruff interval. The default is R's (`qrule = "math"`,
/// `interval.type = "mean"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct QuantileOptions {
    /// How the quantile is read off `F̂`.
    pub rule: QuantileRule,
    /// How the interval for `F̂(q̂)` is built.
    pub interval: WoodruffInterval,
}

impl QuantileOptions {
    /// These options with `rule`.
    pub fn rule(mut self, rule: QuantileRule) -> Self {
        self.rule = rule;
        self
    }

    /// These options with `interval`.
    pub fn interval(mut self, interval: WoodruffInterval) -> Self {
        self.interval = interval;
        self
    }
}

impl SurveyDesign {
    /// Quantiles of a numeric variable at probabilities `probs` (R's
    /// `svyquantile(~y, d, probs)`): R's default rule and Woodruff interval
    /// with t on the design degrees of freedom; the SE is R's (interval
    /// length / 2t). See the [module docs](self).
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, SurveyDesign};
    /// use lapaz_survey::polars::prelude::*;
    ///
    /// let df = df![
    ///     "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
    ///     "factor"  => [10.0, 10.0, 12.0, 12.0, 8.0, 8.0, 9.0, 9.0],
    ///     "ingreso" => [100.0, 250.0, 180.0, 90.0, 300.0, 120.0, 210.0, 160.0],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let q = d.quantile("ingreso", &[0.25, 0.5, 0.75])?;
    /// assert_eq!(q.estimates()[1].estimate, 160.0); // the weighted median
    /// let median = d.median("ingreso")?;             // the same, alone
    /// assert_eq!(median.estimates()[0].estimate, 160.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantile(&self, variable: &str, probs: &[f64]) -> Result<EstimateTable, EstimateError> {
        self.whole().quantile(variable, probs)
    }

    /// The median (the 0.5 quantile) with its Woodruff interval.
    pub fn median(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        self.whole().quantile(variable, &[0.5])
    }

    /// Quantiles with a chosen rule and interval type (R's `qrule`,
    /// `interval.type`).
    pub fn quantile_with(
        &self,
        variable: &str,
        probs: &[f64],
        options: QuantileOptions,
    ) -> Result<EstimateTable, EstimateError> {
        self.whole().quantile_with(variable, probs, options)
    }
}

impl DomainDesign {
    /// Quantiles in every domain (R's `svyby(~y, ~g, d, svyquantile, …)`),
    /// all from one grouping, a sort within each domain and one grouped pass.
    pub fn quantile(&self, variable: &str, probs: &[f64]) -> Result<EstimateTable, EstimateError> {
        self.quantile_with(variable, probs, QuantileOptions::default())
    }

    /// The median in every domain.
    pub fn median(&self, variable: &str) -> Result<EstimateTable, EstimateError> {
        self.quantile_with(variable, &[0.5], QuantileOptions::default())
    }

    /// Quantiles in every domain with a chosen rule and interval type.
    pub fn quantile_with(
        &self,
        variable: &str,
        probs: &[f64],
        options: QuantileOptions,
    ) -> Result<EstimateTable, EstimateError> {
        if probs.is_empty() {
            return Err(EstimateError::BadOption(
                "dé al menos una probabilidad para los cuantiles (por ejemplo 0.5 para la mediana)"
                    .into(),
            ));
        }
        if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(EstimateError::BadOption(format!(
                "la probabilidad {p} de un cuantil debe estar entre 0 y 1"
            )));
        }
        let design = self.design();
        let y = numeric_slice(
            design.data(),
            variable,
            "variable de análisis para un cuantil",
        )?;
        let y: &[f64] = &y;
        let (domains, cells) = self.parts();
        let weights = design.weights();
        let nd = domains.len();
        let k = probs.len();

        // Rows of each domain with a value, grouped by domain (counting sort,
        // row order kept) into contiguous (value, weight) pairs. R's design
        // keeps sampling probabilities and reads weights back as 1/(1/w): the
        // same bits here, so that ties F̂ = p are R's ties.
        let mut offsets = vec![0usize; nd + 1];
        for (&d, &v) in domains.row_domain.iter().zip(y) {
            if d != MISSING && !v.is_nan() {
                offsets[d as usize + 1] += 1;
            }
        }
        for d in 0..nd {
            offsets[d + 1] += offsets[d];
        }
        let mut next = offsets.clone();
        let mut pairs = vec![(0.0_f64, 0.0_f64); offsets[nd]];
        for ((&d, &v), &w) in domains.row_domain.iter().zip(y).zip(weights) {
            if d != MISSING && !v.is_nan() {
                let slot = &mut next[d as usize];
                pairs[*slot] = (v, 1.0 / (1.0 / w));
                *slot += 1;
            }
        }
        // Each domain's F̂⁻¹: selection for the discrete rules, a stable
        // sort of the domain's pairs for the others.
        let mut readers: Vec<DomainCdf> = (0..nd)
            .map(|d| {
                let part = &mut pairs[offsets[d]..offsets[d + 1]];
                if options.rule.is_discrete() {
                    Selector::new(part).map_or(DomainCdf::Empty, DomainCdf::Select)
                } else {
                    sorted_cdf(part).map_or(DomainCdf::Empty, DomainCdf::Sorted)
                }
            })
            .collect();
        let mut thresholds = vec![f64::NAN; nd * k];
        for (d, reader) in readers.iter_mut().enumerate() {
            let part = &mut pairs[offsets[d]..offsets[d + 1]];
            for (j, &p) in probs.iter().enumerate() {
                thresholds[d * k + j] = reader.quantile(part, p, options.rule, || {
                    domain_pairs(y, weights, &domains.row_domain, d as u32)
                });
            }
        }

        // F̂(q̂) per domain and probability, with its design variance.
        let r = if k == 1 {
            let stat = ShareAtOrBelow::<1> {
                y,
                row_domain: &domains.row_domain,
                thresholds: &thresholds,
                k,
            };
            estimate_smooth(design, cells, &stat)
        } else {
            let stat = ShareAtOrBelow::<0> {
                y,
                row_domain: &domains.row_domain,
                thresholds: &thresholds,
                k,
            };
            estimate_smooth(design, cells, &stat)
        };

        let opts = design.options();
        let mut out = Vec::with_capacity(nd * k);
        for d in 0..nd {
            if !r.has_rows[d] {
                continue;
            }
            let na = !opts.na_rm && r.missing[d] > 0;
            for (j, &p) in probs.iter().enumerate() {
                let q = thresholds[d * k + j];
                let (estimate, ci) = match (&readers[d], na) {
                    (DomainCdf::Select(_) | DomainCdf::Sorted(_), false) => {
                        let share_var = r.vcov[d * k * k + j * k + j];
                        let part = &mut pairs[offsets[d]..offsets[d + 1]];
                        let reader = &mut readers[d];
                        let w = woodruff_with(
                            |p| {
                                reader.quantile(part, p, options.rule, || {
                                    domain_pairs(y, weights, &domains.row_domain, d as u32)
                                })
                            },
                            options.interval,
                            WoodruffInputs {
                                share: r.theta[d * k + j],
                                share_se: share_var.max(0.0).sqrt(),
                                df: r.df[d],
                                n_rows: r.n[d],
                                level: opts.level,
                            },
                        );
                        (q, w)
                    }
                    _ => (
                        f64::NAN,
                        WoodruffResult {
                            low: f64::NAN,
                            high: f64::NAN,
                            se: f64::NAN,
                        },
                    ),
                };
                let se = ci.se;
                let cv = se / estimate;
                let quality = opts.reliability.assess(&Measures {
                    estimate,
                    se,
                    cv,
                    deff: f64::NAN,
                    df: r.df[d],
                    n: r.n[d],
                    cases: r.n[d],
                    is_proportion: false,
                });
                out.push(Estimate {
                    statistic: Statistic::Quantile(p),
                    variable: variable.to_string(),
                    level: None,
                    domain: domains.keys[d].clone(),
                    estimate,
                    se,
                    ci: ConfidenceInterval {
                        low: ci.low,
                        high: ci.high,
                        level: opts.level,
                        method: CiMethod::Woodruff,
                    },
                    cv,
                    deff: None,
                    df: r.df[d],
                    n: r.n[d] as usize,
                    n_cases: r.n[d] as usize,
                    n_missing: r.missing[d],
                    population: r.population[d],
                    quality,
                    influence: None,
                });
            }
        }
        Ok(EstimateTable::new(
            out,
            domains.by.clone(),
            design.subset_description().map(str::to_string),
        )
        .labelled(design.codebook()))
    }
}

/// A domain's `F̂⁻¹`.
#[derive(Debug)]
enum DomainCdf {
    /// No values with weight.
    Empty,
    /// Weighted selection on the domain's (unsorted) pairs.
    Select(Selector),
    /// The sorted sample.
    Sorted(WeightedCdf),
}

impl DomainCdf {
    /// The `p` quantile under `rule` from the domain's `pairs`; a selection
    /// that cannot decide (see [`Selector::quantile`]) is replaced by the
    /// sorted sample of `row_order()` (the domain's pairs in row order).
    fn quantile(
        &mut self,
        pairs: &mut [(f64, f64)],
        p: f64,
        rule: QuantileRule,
        row_order: impl FnOnce() -> Vec<(f64, f64)>,
    ) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        if let DomainCdf::Select(sel) = self {
            let midpoint = matches!(rule, QuantileRule::School | QuantileRule::Hf2);
            if let Some(q) = sel.quantile(pairs, p, midpoint) {
                return q;
            }
            *self = sorted_cdf(&mut row_order()).map_or(DomainCdf::Empty, DomainCdf::Sorted);
        }
        match self {
            DomainCdf::Sorted(cdf) => cdf.quantile(p, rule),
            _ => f64::NAN,
        }
    }
}

/// The sorted sample of `pairs` (stably, as R's `order`: ties keep their
/// order).
fn sorted_cdf(pairs: &mut [(f64, f64)]) -> Option<WeightedCdf> {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (x, w) = pairs.iter().copied().unzip();
    WeightedCdf::from_sorted(x, w)
}

/// Domain `d`'s (value, weight) pairs in row order, weights read as R's.
fn domain_pairs(y: &[f64], weights: &[f64], row_domain: &[u32], d: u32) -> Vec<(f64, f64)> {
    row_domain
        .iter()
        .zip(y)
        .zip(weights)
        .filter(|((rd, v), _)| **rd == d && !v.is_nan())
        .map(|((_, &v), &w)| (v, 1.0 / (1.0 / w)))
        .collect()
}

/// `F̂_d(q̂_{d,j})`: the weight share of the domain's rows at or below each of
/// its quantiles — the mean of the indicator `y ≤ q̂` whose interval
/// Woodruff maps back. Totals `[Σw, Σw·1{y ≤ q̂_{d,1}}, …]`.
///
/// `K` is the number of probabilities when it is known at compile time (1:
/// one quantile, the common case), 0 otherwise.
struct ShareAtOrBelow<'a, const K: usize> {
    y: &'a [f64],
    row_domain: &'a [u32],
    /// `domains × k` quantiles.
    thresholds: &'a [f64],
    k: usize,
}

impl<const K: usize> SmoothStatistic for ShareAtOrBelow<'_, K> {
    const TOTALS: usize = if K > 0 { 1 + K } else { 0 };
    const DOMAIN_TOTALS: Option<usize> = Some(0);
    const OUTPUTS: usize = K;
    fn n_totals(&self) -> usize {
        1 + self.k
    }
    fn n_outputs(&self) -> usize {
        self.k
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let y = self.y[row];
        if y.is_nan() {
            return false;
        }
        let k = if K > 0 { K } else { self.k };
        let d = self.row_domain[row] as usize;
        acc[0] += w;
        for (j, q) in self.thresholds[d * k..(d + 1) * k].iter().enumerate() {
            // A select, not a branch: half the rows are below a median.
            acc[1 + j] += std::hint::select_unpredictable(y <= *q, w, 0.0);
        }
        true
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = t[1 + j] / t[0];
        }
    }
    fn jacobian(&self, t: &[f64], _n: Counts, jac: &mut [f64]) {
        let m = self.n_totals();
        jac.fill(0.0);
        for j in 0..self.k {
            jac[j * m] = -(t[1 + j] / t[0]) / t[0];
            jac[j * m + 1 + j] = 1.0 / t[0];
        }
    }
    fn srs_spread(&self, _t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        None
    }
    fn has_deff(&self) -> bool {
        false
    }
    fn deff_checks_population(&self) -> bool {
        false
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Proportion, String::new(), vec![None; self.k])
    }
    fn is_proportion(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(x: &[f64], w: &[f64], p: f64, rule: QuantileRule) -> f64 {
        weighted_quantile(x, w, p, rule).unwrap_or(f64::NAN)
    }

    #[test]
    fn math_is_the_inverse_cdf() {
        let x = [10.0, 20.0, 30.0, 40.0, 50.0];
        let w = [1.0, 2.0, 3.0, 1.0, 3.0]; // F = .1 .3 .6 .7 1
        assert_eq!(q(&x, &w, 0.1, QuantileRule::Math), 10.0);
        assert_eq!(q(&x, &w, 0.2, QuantileRule::Math), 20.0);
        assert_eq!(q(&x, &w, 0.3, QuantileRule::Math), 20.0);
        assert_eq!(q(&x, &w, 0.65, QuantileRule::Math), 40.0);
        assert_eq!(q(&x, &w, 1.0, QuantileRule::Math), 50.0);
        // R's corner: below the first share, the second observation.
        assert_eq!(q(&x, &w, 0.05, QuantileRule::Math), 20.0);
    }

    #[test]
    fn school_averages_on_exact_ties() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let w = [2.0; 4];
        assert_eq!(q(&x, &w, 0.5, QuantileRule::School), 2.5);
        assert_eq!(q(&x, &w, 0.6, QuantileRule::School), 3.0);
        assert_eq!(q(&x, &w, 0.5, QuantileRule::Math), 2.0);
    }

    #[test]
    fn hf7_matches_r_quantile_type7_with_equal_weights() {
        // R: quantile(c(1, 2, 4, 8, 16), c(.1, .5, .9)) = 1.4, 4, 12.8
        let x = [8.0, 1.0, 16.0, 2.0, 4.0];
        let w = [1.0; 5];
        assert!((q(&x, &w, 0.1, QuantileRule::Hf7) - 1.4).abs() < 1e-12);
        assert!((q(&x, &w, 0.5, QuantileRule::Hf7) - 4.0).abs() < 1e-12);
        assert!((q(&x, &w, 0.9, QuantileRule::Hf7) - 12.8).abs() < 1e-12);
    }

    #[test]
    fn single_observation_is_every_quantile() {
        for rule in QuantileRule::ALL {
            assert_eq!(q(&[5.0], &[2.0], 0.3, rule), 5.0, "{rule}");
        }
    }

    #[test]
    fn bad_input_gives_none() {
        assert!(weighted_quantile(&[], &[], 0.5, QuantileRule::Math).is_none());
        assert!(weighted_quantile(&[1.0], &[0.0], 0.5, QuantileRule::Math).is_none());
        assert!(weighted_quantile(&[1.0], &[-1.0], 0.5, QuantileRule::Math).is_none());
        assert!(weighted_quantile(&[f64::NAN], &[1.0], 0.5, QuantileRule::Math).is_none());
        assert!(weighted_quantile(&[1.0, 2.0], &[1.0], 0.5, QuantileRule::Math).is_none());
        assert!(q(&[1.0], &[1.0], 1.5, QuantileRule::Math).is_nan());
    }

    #[test]
    fn rule_names_round_trip() {
        for rule in QuantileRule::ALL {
            assert_eq!(QuantileRule::from_r_name(rule.r_name()), Some(rule));
        }
        assert_eq!(QuantileRule::from_r_name("HF7"), Some(QuantileRule::Hf7));
        assert_eq!(QuantileRule::from_r_name("type7"), None);
    }

    #[test]
    fn woodruff_se_is_length_over_two_t() {
        let x: Vec<f64> = (1..=100).map(f64::from).collect();
        let w = vec![1.0; 100];
        let cdf = WeightedCdf::new(&x, &w).expect("cdf");
        let r = woodruff(
            &cdf,
            QuantileRule::Math,
            WoodruffInterval::Mean,
            WoodruffInputs {
                share: 0.5,
                share_se: 0.05,
                df: 99.0,
                n_rows: 100.0,
                level: 0.95,
            },
        );
        let t = t_quantile(0.975, 99.0);
        // p interval 0.5 ± t·0.05 = [0.4008, 0.5992] → x = 41, 60
        assert_eq!((r.low, r.high), (41.0, 60.0));
        assert!((r.se - 19.0 / (2.0 * t)).abs() < 1e-12);
    }

    #[test]
    fn woodruff_end_outside_unit_interval_is_nan() {
        let cdf = WeightedCdf::new(&[1.0, 2.0, 3.0], &[1.0; 3]).expect("cdf");
        let r = woodruff(
            &cdf,
            QuantileRule::Math,
            WoodruffInterval::Mean,
            WoodruffInputs {
                share: 0.1,
                share_se: 0.2,
                df: 10.0,
                n_rows: 3.0,
                level: 0.95,
            },
        );
        assert!(r.low.is_nan() && r.se.is_nan());
        assert!(r.high.is_finite());
    }

    #[test]
    fn t_quantile_matches_r() {
        // The core's qt/qnorm, as used for every interval here.
        // R: qt(.975, c(14, 197)), qnorm(.975)
        assert!((t_quantile(0.975, 14.0) - 2.1447866879178039).abs() < 1e-12);
        assert!((t_quantile(0.975, 197.0) - 1.9720790337785010).abs() < 1e-12);
        assert!((t_quantile(0.975, f64::INFINITY) - 1.9599639845400536).abs() < 1e-12);
    }
    fn design() -> SurveyDesign {
        use crate::design::DesignSpec;
        use polars::prelude::*;
        let df = df![
            "upm" => [1, 1, 2, 2, 3, 3, 4, 4],
            "w"   => [1.0, 2.0, 1.0, 3.0, 2.0, 1.0, 1.0, 2.0],
            "g"   => ["a", "b", "a", "b", "a", "b", "a", "b"],
            "y"   => [Some(5.0), None, Some(1.0), None, Some(3.0), None, Some(7.0), None],
        ]
        .expect("frame");
        SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("upm")).expect("design")
    }

    #[test]
    fn domain_quantiles_are_the_domain_rows_quantiles() {
        let t = design().by(["g"]).expect("by").median("y").expect("median");
        let e = t.estimates();
        assert_eq!(e.len(), 2);
        // Domain a: y = 5, 1, 3, 7 with w = 1, 1, 2, 1 → F(3) = 3/5 ≥ 0.5.
        assert_eq!(e[0].estimate, 3.0);
        assert_eq!(e[0].n, 4);
        assert_eq!(e[0].df, 3.0);
        assert_eq!(e[0].ci.method, CiMethod::Woodruff);
        // Domain b has rows but no values: NaN, with its missing rows counted.
        assert!(e[1].estimate.is_nan() && e[1].se.is_nan());
        assert_eq!(e[1].n_missing, 4);
    }

    #[test]
    fn bad_probabilities_are_refused() {
        let d = design();
        assert!(matches!(
            d.quantile("y", &[]),
            Err(EstimateError::BadOption(_))
        ));
        assert!(matches!(
            d.quantile("y", &[1.5]),
            Err(EstimateError::BadOption(_))
        ));
        assert!(d.quantile("g", &[0.5]).is_err());
    }
}
