//! Confidence intervals for proportions, as R's `svyciprop` computes them.
//!
//! Every method starts from the estimated proportion `p̂`, its design-based
//! variance `v = SE²`, the degrees of freedom `df` of the design (of the
//! domain, for a domain proportion) and, for `Beta`, the number of rows `n`
//! in the (domain) sample. `t = t_{df, 1−α/2}` (the normal quantile when
//! `df` is infinite).
//!
//! | method | interval |
//! |---|---|
//! | [`PropCiMethod::Logit`] (default) | `expit(logit p̂ ± t·SE/(p̂(1−p̂)))` |
//! | [`PropCiMethod::Xlogit`] | the same formula (see below) |
//! | [`PropCiMethod::Mean`] | `p̂ ± t·SE` (can leave `[0, 1]`) |
//! | [`PropCiMethod::Asin`] | `sin²(asin √p̂ ± t·SE/(2√(p̂(1−p̂))))` |
//! | [`PropCiMethod::Beta`] | Korn–Graubard: Clopper–Pearson on `n* = p̂(1−p̂)/v · (t_{n−1,α/2}/t_{df,α/2})²` |
//! | [`PropCiMethod::Wilson`] | Wilson's score interval on `n_eff = p̂(1−p̂)/v` with `t` |
//!
//! R's `"logit"` fits a quasi-binomial `svyglm` with an intercept only; its
//! Wald interval on the log-odds scale is algebraically the `"xlogit"` one
//! (the sandwich variance of the intercept is `v/(p̂(1−p̂))²`). R's value
//! carries the IRLS convergence error of `glm` (relative ~1e-9 in the
//! point estimate and ends); ours is the exact value.
//!
//! For `Beta`, `df` must be the design degrees of freedom (R's `df` argument
//! does not apply to `"beta"`, which always uses `degf(design)`).
//!
//! R `survey` 4.1.1 (Debian's) predates `method = "wilson"` (added in 4.5):
//! the Wilson interval here follows the survey literature (Wilson's score
//! interval with the design-effective sample size, t on design df); its
//! reference values are computed independently, by inverting the score test
//! numerically. R's `"likelihood"` method (a profile-likelihood interval
//! found by root search) is not provided.
//!
//! None of the methods is defined at `p̂ = 0` or `1` (R says so too): they
//! return `NaN` ends there, except `Mean`, which returns `[p̂, p̂]` when the
//! variance is zero.

use statrs::distribution::{Beta, ContinuousCDF};

use super::smooth::{Counts, SmoothStatistic, estimate_smooth, to_estimates};
use super::{
    CiMethod, DomainDesign, Estimate, EstimateError, EstimateTable, Statistic, t_quantile,
};
use crate::design::{Label, SurveyDesign, numeric_values};

/// Confidence-interval method for a proportion (R's `svyciprop(method = …)`).
/// The default is R's default, `Logit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PropCiMethod {
    /// Wald interval on the log-odds scale, back-transformed (R's default
    /// `"logit"`).
    #[default]
    Logit,
    /// Wilson's score interval with the design-effective sample size.
    Wilson,
    /// Korn–Graubard (1998): Clopper–Pearson with an effective sample size
    /// (R's `"beta"`).
    Beta,
    /// Wald interval on the probability scale (R's `"mean"`).
    Mean,
    /// Logit transform of the mean, as SUDAAN and SPSS (R's `"xlogit"`).
    Xlogit,
    /// Arcsine-square-root transform (R's `"asin"`).
    Asin,
}

impl PropCiMethod {
    /// Every method.
    pub const ALL: [PropCiMethod; 6] = [
        PropCiMethod::Logit,
        PropCiMethod::Wilson,
        PropCiMethod::Beta,
        PropCiMethod::Mean,
        PropCiMethod::Xlogit,
        PropCiMethod::Asin,
    ];

    /// R's name of the method (`"logit"`, `"wilson"`, `"beta"`, `"mean"`,
    /// `"xlogit"`, `"asin"`).
    pub fn r_name(self) -> &'static str {
        match self {
            PropCiMethod::Logit => "logit",
            PropCiMethod::Wilson => "wilson",
            PropCiMethod::Beta => "beta",
            PropCiMethod::Mean => "mean",
            PropCiMethod::Xlogit => "xlogit",
            PropCiMethod::Asin => "asin",
        }
    }

    /// The method with R's name `name` (case-insensitive; `"korn-graubard"`
    /// and `"clopper-pearson"` also mean `Beta`).
    pub fn from_r_name(name: &str) -> Option<PropCiMethod> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "korn-graubard" | "clopper-pearson" | "kg" => Some(PropCiMethod::Beta),
            _ => PropCiMethod::ALL.into_iter().find(|m| m.r_name() == lower),
        }
    }
}

impl std::fmt::Display for PropCiMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.r_name())
    }
}

/// The confidence interval `(low, high)` of a proportion `p` with design
/// variance `var`, design degrees of freedom `df`, `n_rows` sample rows (for
/// `Beta`) and confidence `level`. `NaN` ends where the method is undefined.
///
/// ```
/// use lapaz_survey::estimate::ciprop::{PropCiMethod, prop_interval};
/// let (lo, hi) = prop_interval(PropCiMethod::Mean, 0.5, 0.0025, f64::INFINITY, 100.0, 0.95);
/// assert!((lo - (0.5 - 1.959963984540054 * 0.05)).abs() < 1e-12);
/// assert!((hi - (0.5 + 1.959963984540054 * 0.05)).abs() < 1e-12);
/// ```
pub fn prop_interval(
    method: PropCiMethod,
    p: f64,
    var: f64,
    df: f64,
    n_rows: f64,
    level: f64,
) -> (f64, f64) {
    const NAN2: (f64, f64) = (f64::NAN, f64::NAN);
    if !(p.is_finite() && var.is_finite() && var >= 0.0 && level > 0.0 && level < 1.0) {
        return NAN2;
    }
    let alpha = 1.0 - level;
    let t = t_quantile(1.0 - alpha / 2.0, df);
    let se = var.sqrt();
    if method == PropCiMethod::Mean {
        return (p - t * se, p + t * se);
    }
    let inside = p > 0.0 && p < 1.0 && var > 0.0;
    if !inside {
        return NAN2;
    }
    let pq = p * (1.0 - p);
    match method {
        PropCiMethod::Mean => (p - t * se, p + t * se),
        PropCiMethod::Logit | PropCiMethod::Xlogit => {
            let eta = (p / (1.0 - p)).ln();
            let half = t * se / pq;
            (expit(eta - half), expit(eta + half))
        }
        PropCiMethod::Asin => {
            let a = p.sqrt().asin();
            let half = t * se / (2.0 * pq.sqrt());
            ((a - half).sin().powi(2), (a + half).sin().powi(2))
        }
        PropCiMethod::Wilson => {
            let n = pq / var;
            let z2 = t * t;
            let denom = 1.0 + z2 / n;
            let centre = (p + z2 / (2.0 * n)) / denom;
            let half = t / denom * (pq / n + z2 / (4.0 * n * n)).sqrt();
            (centre - half, centre + half)
        }
        PropCiMethod::Beta => {
            let ratio = t_quantile(alpha / 2.0, n_rows - 1.0) / t_quantile(alpha / 2.0, df);
            let n_eff = pq / var * ratio * ratio;
            let x = p * n_eff;
            (
                beta_quantile(alpha / 2.0, x, n_eff - x + 1.0),
                beta_quantile(1.0 - alpha / 2.0, x + 1.0, n_eff - x),
            )
        }
    }
}

fn expit(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

/// `qbeta(prob, a, b)`; `NaN` for invalid shapes.
fn beta_quantile(prob: f64, a: f64, b: f64) -> f64 {
    match Beta::new(a, b) {
        Ok(d) => d.inverse_cdf(prob),
        Err(_) => f64::NAN,
    }
}

impl PropCiMethod {
    /// The matching [`CiMethod`] of an [`Estimate`]'s interval.
    pub fn ci_method(self) -> CiMethod {
        match self {
            PropCiMethod::Logit => CiMethod::Logit,
            PropCiMethod::Wilson => CiMethod::Wilson,
            PropCiMethod::Beta => CiMethod::Beta,
            PropCiMethod::Mean => CiMethod::Mean,
            PropCiMethod::Xlogit => CiMethod::XLogit,
            PropCiMethod::Asin => CiMethod::Asin,
        }
    }
}

/// Replaces the interval of a proportion estimate by the `method` interval
/// (t on the estimate's design df; `Beta` also uses its `n`), keeping the
/// estimate's confidence level.
pub(crate) fn apply_prop_ci(estimate: &mut Estimate, method: PropCiMethod) {
    let level = estimate.ci.level;
    let (low, high) = prop_interval(
        method,
        estimate.estimate,
        estimate.se * estimate.se,
        estimate.df,
        estimate.n as f64,
        level,
    );
    estimate.ci = super::ConfidenceInterval {
        low,
        high,
        level,
        method: method.ci_method(),
    };
}

impl SurveyDesign {
    /// Proportions with R's `svyciprop` intervals: of every level of a
    /// categorical variable, or of the 1s of a 0/1 numeric variable.
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, SurveyDesign};
    /// use lapaz_survey::estimate::PropCiMethod;
    /// use lapaz_survey::polars::prelude::*;
    ///
    /// let df = df![
    ///     "upm"    => [1, 1, 2, 2, 3, 3, 4, 4],
    ///     "factor" => [10.0, 10.0, 12.0, 12.0, 8.0, 8.0, 9.0, 9.0],
    ///     "pobre"  => [1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let p = d.prop_ci("pobre", PropCiMethod::Logit)?;
    /// let e = &p.estimates()[0];
    /// assert!(e.ci.low > 0.0 && e.ci.low < e.estimate && e.estimate < e.ci.high);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prop_ci(
        &self,
        variable: &str,
        method: PropCiMethod,
    ) -> Result<EstimateTable, EstimateError> {
        self.whole().prop_ci(variable, method)
    }
}

impl DomainDesign {
    /// Proportions with R's `svyciprop` intervals in every domain (see
    /// [`SurveyDesign::prop_ci`]).
    pub fn prop_ci(
        &self,
        variable: &str,
        method: PropCiMethod,
    ) -> Result<EstimateTable, EstimateError> {
        let design = self.design();
        let is_numeric = crate::frame::column(design.data(), variable)
            .is_some_and(|c| c.dtype().is_primitive_numeric());
        let table = if is_numeric {
            let y = numeric_values(design.data(), variable, "variable 0/1 de una proporción")?;
            if let Some((row, v)) = y
                .iter()
                .enumerate()
                .find(|(_, v)| !v.is_nan() && **v != 0.0 && **v != 1.0)
            {
                return Err(EstimateError::WrongType {
                    variable: variable.to_string(),
                    statistic: "una proporción".into(),
                    problem: format!(
                        "debe valer 0 o 1, pero la fila {} vale {v}; cree una variable 0/1 o use una categórica",
                        row + 1
                    ),
                });
            }
            let (domains, cells) = self.parts();
            let stat = BinaryShare {
                name: variable,
                y: &y,
            };
            let r = estimate_smooth(design, cells, &stat);
            EstimateTable::new(
                to_estimates(design, domains, &stat, &r),
                domains.by.clone(),
                design.subset_description().map(str::to_string),
            )
        } else {
            self.prop(variable)?
        };
        let by = table.by().to_vec();
        let subset = table.subset().map(str::to_string);
        let mut list = table.into_estimates();
        for e in &mut list {
            apply_prop_ci(e, method);
        }
        Ok(EstimateTable::new(list, by, subset).labelled(design.codebook()))
    }
}

/// The share of 1s of a 0/1 variable: totals `[Σw, Σw·y, count(y = 1)]`.
struct BinaryShare<'a> {
    name: &'a str,
    y: &'a [f64],
}

impl SmoothStatistic for BinaryShare<'_> {
    fn n_totals(&self) -> usize {
        3
    }
    fn n_outputs(&self) -> usize {
        1
    }
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool {
        let y = self.y[row];
        if y.is_nan() {
            return false;
        }
        acc[0] += w;
        acc[1] += w * y;
        acc[2] += y;
        true
    }
    fn evaluate(&self, t: &[f64], _n: Counts, out: &mut [f64]) {
        out[0] = t[1] / t[0];
    }
    fn jacobian(&self, t: &[f64], _n: Counts, jac: &mut [f64]) {
        jac[0] = -(t[1] / t[0]) / t[0];
        jac[1] = 1.0 / t[0];
        jac[2] = 0.0;
    }
    fn srs_spread(&self, t: &[f64], _n: f64, _jac: &[f64]) -> Option<Vec<f64>> {
        // ψ = (y − p̂)/N̂ and y² = y: Σw(y − p̂)² = Σwy − (Σwy)²/Σw.
        Some(vec![(t[1] - t[1] * t[1] / t[0]) / (t[0] * t[0])])
    }
    fn deff_checks_population(&self) -> bool {
        true
    }
    fn cases(&self, t: &[f64], _n: f64, out: &mut [f64]) {
        out[0] = t[2];
    }
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>) {
        (Statistic::Proportion, self.name.to_string(), vec![None])
    }
    fn is_proportion(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // R: svyciprop(~I(ell == 0), dclus1, method = m) with
    // dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc):
    // p = 0.021857923497267760, SE = 0.022622450861133944, df = 14, n = 183.
    const P: f64 = 0.021857923497267760;
    const SE: f64 = 0.022622450861133944;

    fn close(got: f64, want: f64) {
        assert!(
            ((got - want) / want).abs() < 1e-9,
            "got {got:e}, want {want:e}"
        );
    }

    #[test]
    fn xlogit_matches_r() {
        let (lo, hi) = prop_interval(PropCiMethod::Xlogit, P, SE * SE, 14.0, 183.0, 0.95);
        close(lo, 0.0023046912841355);
        close(hi, 0.1777477668227);
    }

    #[test]
    fn asin_matches_r() {
        let (lo, hi) = prop_interval(PropCiMethod::Asin, P, SE * SE, 14.0, 183.0, 0.95);
        close(lo, 0.000307192708887876);
        close(hi, 0.095576736366843);
    }

    #[test]
    fn beta_matches_r() {
        let (lo, hi) = prop_interval(PropCiMethod::Beta, P, SE * SE, 14.0, 183.0, 0.95);
        close(lo, 0.000216146832743157);
        close(hi, 0.137507763914981);
    }

    #[test]
    fn wilson_is_the_score_interval() {
        // Both ends satisfy (p − p0)² = t² p0 (1 − p0) / n_eff.
        let v = SE * SE;
        let (lo, hi) = prop_interval(PropCiMethod::Wilson, P, v, 14.0, 183.0, 0.95);
        let t = t_quantile(0.975, 14.0);
        let n = P * (1.0 - P) / v;
        for p0 in [lo, hi] {
            let lhs = (P - p0).powi(2);
            let rhs = t * t * p0 * (1.0 - p0) / n;
            assert!((lhs - rhs).abs() < 1e-15, "{lhs} vs {rhs}");
        }
        assert!(lo < P && P < hi);
    }

    #[test]
    fn undefined_at_zero_and_one() {
        for m in PropCiMethod::ALL {
            let (lo, hi) = prop_interval(m, 0.0, 0.0, 10.0, 20.0, 0.95);
            if m == PropCiMethod::Mean {
                assert_eq!((lo, hi), (0.0, 0.0));
            } else {
                assert!(lo.is_nan() && hi.is_nan(), "{m}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for m in PropCiMethod::ALL {
            assert_eq!(PropCiMethod::from_r_name(m.r_name()), Some(m));
        }
        assert_eq!(
            PropCiMethod::from_r_name("Korn-Graubard"),
            Some(PropCiMethod::Beta)
        );
        assert_eq!(PropCiMethod::from_r_name("likelihood"), None);
    }
}
