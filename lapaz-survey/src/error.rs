//! The crate-wide error: one variant per layer, so that `?` works across
//! loading, design and estimation in a notebook cell.

use crate::codebook::CodebookError;
use crate::data::synth::SynthError;
use crate::design::DesignError;
use crate::estimate::EstimateError;
use crate::load::LoadError;
use crate::problem::ProblemError;
use crate::teaching::CheckFailed;
use crate::weighting::WeightingError;

/// Any error of this crate. Each layer has its own error type with the
/// details (file, row, column, stratum, …); this enum wraps them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or checking a codebook failed.
    #[error(transparent)]
    Codebook(#[from] CodebookError),
    /// Generating the synthetic survey failed (bad config, archive writing).
    #[error(transparent)]
    Synth(#[from] SynthError),
    /// Loading a survey failed (file, row, column, expected, found, hint).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Building a survey design (or a domain of it) failed.
    #[error(transparent)]
    Design(#[from] DesignError),
    /// An estimator failed.
    #[error(transparent)]
    Estimate(#[from] EstimateError),
    /// Building replicate weights, calibrating or trimming failed.
    #[error(transparent)]
    Weighting(#[from] WeightingError),
    /// Building a problem tree or writing its ficha failed.
    #[error(transparent)]
    Problem(#[from] ProblemError),
    /// An exercise check did not pass (`Check::require`).
    #[error(transparent)]
    Check(#[from] CheckFailed),
    /// A polars operation failed (building or reshaping a `DataFrame` in a
    /// notebook cell or a doc example).
    #[error("error de polars: {0}")]
    Polars(#[from] polars::prelude::PolarsError),
    /// Drawing, saving or preparing the data of a chart failed.
    #[cfg(feature = "plot")]
    #[error(transparent)]
    Plot(#[from] crate::present::PlotError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
