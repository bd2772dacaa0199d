//! Design-based estimates: means, totals, ratios, proportions and variances
//! with standard errors, confidence intervals, CVs, design effects, degrees
//! of freedom and reliability flags — on every domain in one pass.
//!
//! Estimators are functions of a [`SurveyDesign`](crate::design::SurveyDesign)
//! (R's "one design object, estimators as functions of it"):
//!
//! | R `survey`                              | here                                   |
//! |-----------------------------------------|----------------------------------------|
//! | `svymean(~y, d, deff = TRUE)`           | `d.mean("y")`                          |
//! | `svytotal(~y, d)`                       | `d.total("y")`                         |
//! | `svyratio(~y, ~x, d)`                   | `d.ratio("y", "x")`                    |
//! | `svymean(~factor, d)`                   | `d.prop("factor")`                     |
//! | `svytotal(~factor, d)`                  | `d.total("factor")` (a count per level) |
//! | `svyvar(~y, d)`                         | `d.var("y")`                           |
//! | `svyby(~y, ~g1+g2, d, svymean)`         | `d.by(["g1", "g2"])?.mean("y")`        |
//! | `svymean(~y, subset(d, g == "a"))`      | `d.subset(Filter::eq("g", "a"))?.mean("y")` |
//! | `confint(est, level = 0.9)`             | `d.with_level(0.9).mean("y")`          |
//!
//! Every result is an [`EstimateTable`] of [`Estimate`]s. Means, totals,
//! ratios and proportions get R's normal (`confint`) intervals; the design
//! effect is R's `deff = TRUE`; `df` is R's `degf()` of the domain.
//!
//! **Missing values.** With the default `na_rm = true` a row whose analysis
//! value is missing is left out of that estimate only (R's `na.rm = TRUE`:
//! the design is kept, the row weighs zero), and counted in
//! [`Estimate::n_missing`]. With `with_na_rm(false)` a domain with any
//! missing value gives a NaN estimate, as R's default `NA`. Rows whose `by`
//! value is missing belong to no domain (R's `svyby` drops them too).
//!
//! **No arithmetic on estimates.** `Estimate` deliberately implements no
//! `+`, `-`, `*` or `/`: the difference of two estimates needs their
//! covariance, which two numbers do not carry (R 4.5 made `svystat`
//! arithmetic drop the variance for the same reason). Use
//! [`covariance`] — or the contrasts built on it — instead.

pub mod association;
mod basic;
mod ci;
pub mod ciprop;
pub mod contrast;
mod influence;
mod onepass;
pub mod quantile;
mod select;
mod smooth;
mod table;
#[cfg(test)]
mod tests;

pub use association::{ChisqStatistic, TestKind, TestResult};
pub use ciprop::PropCiMethod;
pub use contrast::{Contrast, contrast};
pub use quantile::{QuantileOptions, QuantileRule, WoodruffInterval};

pub use basic::DomainDesign;
pub(crate) use ci::{normal_quantile, t_quantile};
pub(crate) use influence::InfluenceRef;
pub use influence::covariance;
pub use table::EstimateTable;

use crate::design::{DesignError, DomainValue, Label};
use crate::quality::Quality;

/// Which statistic an estimate is.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Statistic {
    /// A mean (R `svymean`).
    Mean,
    /// A total (R `svytotal`).
    Total,
    /// A ratio of two totals (R `svyratio`).
    Ratio,
    /// The proportion of a level of a categorical variable (R `svymean` of a
    /// factor, `svyciprop`).
    Proportion,
    /// The estimated population count of a level (R `svytotal` of a factor).
    Count,
    /// The population variance (R `svyvar`).
    Variance,
    /// A quantile, with its probability (R `svyquantile`).
    Quantile(f64),
    /// A linear contrast of estimates (R `svycontrast`).
    Contrast,
}

impl Statistic {
    /// Short name in Spanish or English (`media`/`mean`, …).
    pub fn name(self, lang: crate::codebook::Language) -> String {
        use crate::codebook::Language::{En, Es};
        match (self, lang) {
            (Statistic::Mean, Es) => "media".into(),
            (Statistic::Mean, En) => "mean".into(),
            (Statistic::Total, Es) => "total".into(),
            (Statistic::Total, En) => "total".into(),
            (Statistic::Ratio, Es) => "razón".into(),
            (Statistic::Ratio, En) => "ratio".into(),
            (Statistic::Proportion, Es) => "proporción".into(),
            (Statistic::Proportion, En) => "proportion".into(),
            (Statistic::Count, Es) => "conteo".into(),
            (Statistic::Count, En) => "count".into(),
            (Statistic::Variance, Es) => "varianza".into(),
            (Statistic::Variance, En) => "variance".into(),
            (Statistic::Quantile(p), Es) => format!("cuantil {p}"),
            (Statistic::Quantile(p), En) => format!("quantile {p}"),
            (Statistic::Contrast, Es) => "contraste".into(),
            (Statistic::Contrast, En) => "contrast".into(),
        }
    }

    /// Machine name used in CSV/JSON output (`mean`, `total`, `ratio`,
    /// `proportion`, `count`, `variance`, `quantile`, `contrast`).
    pub fn code(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::Total => "total",
            Statistic::Ratio => "ratio",
            Statistic::Proportion => "proportion",
            Statistic::Count => "count",
            Statistic::Variance => "variance",
            Statistic::Quantile(_) => "quantile",
            Statistic::Contrast => "contrast",
        }
    }
}

/// How a confidence interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CiMethod {
    /// `estimate ± z·SE` (R's `confint` for `svymean`/`svytotal`).
    Normal,
    /// `estimate ± t(df)·SE`.
    StudentT,
    /// Logit-transformed interval with t on design df (R `svyciprop` default).
    Logit,
    /// Likelihood-based (R `svyciprop(method = "likelihood")`).
    Likelihood,
    /// Arcsine square-root transform (R `"asin"`).
    Asin,
    /// Clopper–Pearson with effective sample size, Korn–Graubard (R `"beta"`).
    Beta,
    /// Plain `svymean` interval with t on design df (R `"mean"`).
    Mean,
    /// Logit of `svymean` (R `"xlogit"`).
    XLogit,
    /// Wilson score interval with effective sample size (R `"wilson"`).
    Wilson,
    /// Woodruff interval for a quantile (R `svyquantile` default).
    Woodruff,
    /// Francisco–Fuller score interval for a quantile (R `interval.type = "score"`).
    Score,
}

impl CiMethod {
    /// Machine name (`normal`, `t`, `logit`, …).
    pub fn code(self) -> &'static str {
        match self {
            CiMethod::Normal => "normal",
            CiMethod::StudentT => "t",
            CiMethod::Logit => "logit",
            CiMethod::Likelihood => "likelihood",
            CiMethod::Asin => "asin",
            CiMethod::Beta => "beta",
            CiMethod::Mean => "mean",
            CiMethod::XLogit => "xlogit",
            CiMethod::Wilson => "wilson",
            CiMethod::Woodruff => "woodruff",
            CiMethod::Score => "score",
        }
    }
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceInterval {
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
    /// Confidence level (0.95).
    pub level: f64,
    /// How it was computed.
    pub method: CiMethod,
}

impl ConfidenceInterval {
    /// `estimate ± z·se` (R's `confint` for `svystat`).
    pub fn normal(estimate: f64, se: f64, level: f64) -> Self {
        let z = normal_quantile(1.0 - (1.0 - level) / 2.0);
        ConfidenceInterval {
            low: estimate - z * se,
            high: estimate + z * se,
            level,
            method: CiMethod::Normal,
        }
    }

    /// `estimate ± t(df)·se` (normal when `df` is infinite).
    pub fn student_t(estimate: f64, se: f64, df: f64, level: f64) -> Self {
        let t = t_quantile(1.0 - (1.0 - level) / 2.0, df);
        ConfidenceInterval {
            low: estimate - t * se,
            high: estimate + t * se,
            level,
            method: CiMethod::StudentT,
        }
    }
}

/// One design-based estimate with everything needed to judge it.
///
/// There is no arithmetic on estimates (see the [module docs](self)); use
/// [`covariance`] for combinations.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Estimate {
    /// Which statistic.
    pub statistic: Statistic,
    /// The analysis variable (`"num/den"` for a ratio).
    pub variable: String,
    /// The level of a categorical variable (proportions and counts).
    pub level: Option<Label>,
    /// The domain: one value per `by` variable (empty for the whole
    /// population or subpopulation).
    pub domain: Vec<DomainValue>,
    /// The point estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Confidence interval.
    pub ci: ConfidenceInterval,
    /// Coefficient of variation `se/estimate` (as R's `cv()`).
    pub cv: f64,
    /// Design effect (R `deff`), when the statistic has one.
    pub deff: Option<f64>,
    /// Degrees of freedom: PSUs minus strata with sampled members of the
    /// domain that have a value (R's `degf` of that subset).
    pub df: f64,
    /// Unweighted sample size: rows of the domain with a value and positive
    /// weight.
    pub n: usize,
    /// Unweighted cases behind the estimate: for a proportion or count, the
    /// rows with the level; otherwise `n`.
    pub n_cases: usize,
    /// Rows of the domain left out because the analysis value is missing.
    pub n_missing: usize,
    /// Estimated population size of the domain (`Σw` over rows with a value).
    pub population: f64,
    /// Reliability class under the design's rule.
    pub quality: Quality,
    /// Linearisation (or replicates) for covariances between estimates.
    pub(crate) influence: Option<InfluenceRef>,
}

impl Estimate {
    /// The estimate's variance `se²`.
    pub fn variance(&self) -> f64 {
        self.se * self.se
    }

    /// The label of the domain's value for the `by` variable `variable`
    /// (`None` when that variable does not define this estimate's domain).
    pub fn domain_value(&self, variable: &str) -> Option<&Label> {
        self.domain
            .iter()
            .find(|d| d.variable == variable)
            .map(|d| &d.value)
    }
}

/// Errors of estimators.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EstimateError {
    /// A domain or subset could not be formed.
    #[error(transparent)]
    Design(#[from] DesignError),
    /// The variable has the wrong type for the statistic.
    #[error("la variable `{variable}` no sirve para {statistic}: {problem}")]
    WrongType {
        /// Variable.
        variable: String,
        /// Statistic asked for, in Spanish.
        statistic: String,
        /// What is wrong and what to do, in Spanish.
        problem: String,
    },
    /// Estimates from different designs cannot be combined.
    #[error(
        "las estimaciones vienen de diseños distintos (o no guardan su linealización); \
         calcúlelas sobre el mismo diseño para combinarlas"
    )]
    DifferentDesigns,
    /// An invalid option value.
    #[error("opción inválida: {0}")]
    BadOption(String),
}
