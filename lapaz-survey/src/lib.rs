//! # lapaz-survey
//!
//! Design-based analysis of the **La Paz Municipal Household Survey (EMH 2023)**
//! for students, mentors and researchers: typed loaders with a bilingual
//! codebook, survey designs (weights, strata, multistage clusters, fpc),
//! estimates with standard errors, confidence intervals, CVs, design effects
//! and reliability flags, plots, notebook display and a problem-tree toolkit.
//!
//! The real EMH 2023 microdata is not public. The crate embeds a **synthetic
//! stand-in** generated from a fixed seed ([`data`]), shaped like an INE
//! Bolivia household survey and always labelled synthetic. Real files load
//! through a per-survey column mapping.
//!
//! Modules follow the way data flows: codebook and loaders → the embedded
//! data → designs → estimates, weighting and quality flags → presentation →
//! problem definition.
//!
//! **Start here:** the [`tutorial`] walks through the crate on the embedded
//! survey, from loading to the problem tree; the [`cookbook`] answers
//! specific questions with short runnable recipes.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Modules in the order data flows (load → design → estimate/weighting →
// present → problem definition). Keep this order when adding one.
mod frame;
pub mod codebook;
pub mod load;
pub mod data;
pub mod design;
pub mod estimate;
pub mod weighting;
pub mod model;
pub mod quality;
#[cfg(feature = "plot")]
#[cfg_attr(docsrs, doc(cfg(feature = "plot")))]
pub mod present;
// Problem definition comes last: it consumes every layer above.
pub mod problem;
pub mod teaching;
pub mod tutorial;
pub mod cookbook;
pub mod prelude;

mod error;

pub use error::{Error, Result};
pub use load::Survey;

/// The polars version this crate is built against, re-exported so that a
/// notebook or a downstream crate needs a single dependency line and always
/// gets the matching `DataFrame` type.
pub use polars;
