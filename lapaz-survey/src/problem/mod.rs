//! Problem definition (*definición del problema*): the problem tree
//! (*árbol de problemas*) a team builds from the survey, and the
//! *ficha del problema* it hands in.
//!
//! A [`ProblemTree`] holds a central problem (*problema central*), its
//! causes (*causas*) each with the evidence behind it, its effects
//! (*efectos*), the affected population (*población afectada*) and the
//! beneficiaries (*beneficiarios directos e indirectos*), quantified as
//! survey totals with standard error and confidence interval, and the
//! baseline indicators (*indicadores de línea base*) with their
//! reliability flags.
//!
//! - Numbers are [`Figure`]s: estimate, SE, CI, CV, n and flag.
//! - Evidence is anything implementing [`Evidence`]: a [`Figure`], a
//!   [`DomainEvidence`] (one indicator by domain), a [`TestEvidence`]
//!   (Rao–Scott χ², t-test) or a [`CoefficientEvidence`] (a model term).
//! - [`ProblemTree::to_svg`] draws the tree (effects on top, problem in the
//!   middle, causes below); in a notebook the tree displays itself.
//! - [`ProblemTree::ficha`] exports the Markdown *ficha del problema*.
//!
//! ```
//! use lapaz_survey::problem::*;
//!
//! let informal = Figure::proportion("Ocupados en empleo informal", 0.68, 0.015)
//!     .n(2_350);
//! let arbol = ProblemTree::builder()
//!     .sector("Empleo")
//!     .problem("Alta informalidad laboral en jóvenes de 18 a 29 años")
//!     .baseline(informal.clone())
//!     .cause(Cause::new("Baja escolaridad").evidence(
//!         CoefficientEvidence::new("Regresión logística de informalidad",
//!                                  "años de estudio", -0.21, 0.04).p_value(0.0001)))
//!     .effect("Ingresos bajos e inestables")
//!     .affected(Population::new(
//!         "Jóvenes ocupados en empleo informal",
//!         Figure::total("Jóvenes ocupados informales", 61_200.0, 3_900.0).unit("personas")))
//!     .source(DataSource::emh_synthetic())
//!     .build()?;
//!
//! let svg = arbol.to_svg();
//! assert!(svg.starts_with("<svg"));
//! let md = arbol.ficha().to_markdown();
//! assert!(md.contains("61.200 personas"));
//! # Ok::<(), ProblemError>(())
//! ```

mod convert;
mod display;
mod error;
mod evidence;
mod ficha;
mod figure;
mod format;
mod markdown;
mod svg;
mod tree;

pub use convert::IntoEvidence;
pub use error::ProblemError;
pub use evidence::{CoefficientEvidence, DomainEvidence, Evidence, TestEvidence};
pub use ficha::Ficha;
pub use figure::{Figure, Reliability};
// The core's types, re-exported so that `use lapaz_survey::problem::*`
// suffices to build a tree by hand.
pub use crate::design::VarianceMethod;
pub use crate::estimate::Statistic;
pub use crate::quality::Quality;
/// Formats a number the Spanish way used across the module (decimal comma,
/// grouped thousands), for other modules of the crate.
pub(crate) fn format_number(x: f64, decimals: usize) -> String {
    format::number(x, decimals)
}

pub use tree::{
    Cause, DataSource, Effect, MAX_BRANCHES, Population, ProblemTree, ProblemTreeBuilder,
};

impl ProblemTree {
    /// The tree as a standalone SVG diagram: effects on top, the central
    /// problem with the affected population in the middle, causes with
    /// their evidence below, then beneficiaries and the data source.
    /// Unreliable figures are drawn in red with `✖`, figures to use with
    /// caution in amber with `⚠`.
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// Writes the SVG diagram to `path`.
    ///
    /// # Errors
    /// [`ProblemError::Write`] naming the file when it cannot be written.
    pub fn save_svg(&self, path: impl AsRef<std::path::Path>) -> Result<(), ProblemError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_svg()).map_err(|source| ProblemError::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}
