//! Weighting: replicate weights, calibration to population totals, post-stratification, raking
//! and trimming.
//!
//! The kernels here work on plain slices and `ndarray` matrices (weights, codes, model
//! matrices), independent of the design type, and are checked against R's `survey` package
//! (`tests/r/weighting.R`). The design-level API ([`crate::design`]) builds on them.
//!
//! Every calibration returns a [`CalibrationReport`] and fails with
//! [`WeightingError::NotConverged`] (carrying the report) when the totals were not reached.
//!
//! # Differences from R's `survey` (on purpose)
//!
//! * **Bootstrap.** [`ReplicateMethod::Bootstrap`] is the Rao–Wu rescaled bootstrap (R's
//!   `as.svrepdesign(type = "subbootstrap")`); R's `type = "bootstrap"` is
//!   [`ReplicateMethod::CantyDavison`]. Draws come from a seeded ChaCha8 generator, so replicates
//!   are reproducible here but are not R's draws (the cross-check imports R's factors).
//! * **Hadamard matrices.** The order (number of BRR replicates) is always R's; the matrix is
//!   R's too except where R uses its stored matrices of order 28 or 36 (and doublings), which we
//!   replace by Paley II matrices of the same order.
//! * **SDR.** R 4.1 cannot create SDR replicates; ours follow Fay & Train over PSUs in data order
//!   (see [`replicate::sdr_factors`]); imported SDR columns use R's `scale = 4/R`.
//! * **Non-convergence is an error** ([`WeightingError::NotConverged`]): R's `rake` only warns.
//! * **Trimming a replicate design** trims every replicate column with the same rule;
//!   `trimWeights` for replicate designs in R 4.1.1 does not (it keeps the old sampling
//!   weights), so it is not a reference.
//! * **Degrees of freedom** of a calibrated replicate design stay those of the replicates before
//!   calibration (R recomputes the rank after `postStratify`/`rake`/linear calibration; the rank
//!   does not change in practice).

mod adjustment;
mod calibrate;
pub(crate) mod design;
mod emh;
mod error;
pub mod hadamard;
mod poststratify;
mod rake;
pub mod replicate;
mod trim;

pub use adjustment::VarianceAdjustment;
pub use calibrate::{CalFun, CalibrationOptions, CalibrationReport, calibrate_weights};
pub use design::{CalibrationTargets, ReplicateColumns, ReplicateMethod};
pub use emh::{AGE_GROUP_COLUMN, EmhCalibration, calibrate_embedded};
pub use error::WeightingError;
pub use poststratify::{poststratify_replicates, poststratify_weights};
pub use rake::{Margin, RakeControl, Raked, rake_weights};
pub use replicate::{PsuLayout, ReplicateFactors, ReplicateStore, ReplicateType, ReplicateWeights};
pub use trim::trim_weights;

/// Progress of a long computation (building or calibrating many replicates). Library calls are
/// quiet by default ([`NoProgress`]); the command line shows a progress bar.
pub trait Progress {
    /// A task of `total` steps starts.
    fn start(&self, total: u64, what: &str);
    /// `n` more steps are done.
    fn inc(&self, n: u64);
    /// The task is done.
    fn finish(&self);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64, _what: &str) {}
    fn inc(&self, _n: u64) {}
    fn finish(&self) {}
}
