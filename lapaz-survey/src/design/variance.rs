//! How a design computes variances.
//!
//! Every estimator is written once as a smooth function of domain totals
//! (see `crate::estimate`); the variance method decides how its variance is
//! obtained:
//!
//! - [`VarianceMethod::Taylor`]: linearisation — the estimator's gradient
//!   turns per-(unit, domain) totals into totals of the linearised variable,
//!   whose variance the stage structure gives (R's `svyrecvar`).
//! - A replicate-weights method (R's `svrepdesign`) re-evaluates the same
//!   function under each replicate column; it is added as a new variant by
//!   the weighting layer, next to `Taylor`.

/// The variance method of a design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum VarianceMethod {
    /// Taylor linearisation with the design's strata, clusters and fpc.
    #[default]
    Taylor,
    /// Replicate weights (R's `svrepdesign`); the weights live in the design
    /// (`SurveyDesign::replicate_weights`). Added by the weighting layer.
    Replicate,
}

impl VarianceMethod {
    /// The method's name in Spanish (for tables and messages).
    pub fn name_es(self) -> &'static str {
        match self {
            VarianceMethod::Taylor => "linealización de Taylor",
            VarianceMethod::Replicate => "pesos replicados",
        }
    }

    /// The method's name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            VarianceMethod::Taylor => "Taylor linearization",
            VarianceMethod::Replicate => "replicate weights",
        }
    }
}
