//! Presentation: HTML and text tables for notebooks, and charts.
//!
//! Everything here is behind the `plot` feature; the `notebook` feature
//! turns it on and adds the `evcxr_display` methods that Jupyter's Rust
//! kernel (evcxr) calls to show a value that ends a cell.
//!
//! - **Tables**: [`EstimateTable`](crate::estimate::EstimateTable),
//!   [`Estimate`](crate::estimate::Estimate),
//!   [`SurveyDesign`](crate::design::SurveyDesign),
//!   [`Survey`](crate::load::Survey), codebook
//!   [`Variable`](crate::codebook::Variable)s and the
//!   [`Codebook`](crate::codebook::Codebook) have an `html()` method (and
//!   `html_in(Language::En)`) returning an [`Html`] fragment in the house
//!   style: Spanish labels, Bolivian number format (`2.812,5`), CV in %,
//!   estimate rows coloured by their reliability flag with a footnote that
//!   explains it. polars `DataFrame`s get `df.html()` from [`FrameHtml`]
//!   (first and last rows, column types, `Enum` labels).
//! - **Charts** ([`chart`]): [`BarChart`] and [`DotChart`] of estimates by
//!   domain with confidence intervals, and the weighted [`Histogram`],
//!   population [`Pyramid`] and [`StackedBars`] of a design. They draw
//!   inline in notebooks (SVG) and save as SVG or PNG with an embedded font.
//! - **Formatting helpers**: [`format_number`], [`format_percent`],
//!   [`format_count`], [`decimals_for`], [`escape`].
//!
//! Every HTML fragment carries its own `<style>` scoped by the `lpz` class,
//! so that it renders the same in JupyterLab, in exported HTML and in docs,
//! and never restyles the page around it. Charts use one palette
//! ([`style`]), readable by people with the common colour-vision
//! deficiencies.
//!
//! ```
//! use lapaz_survey::design::{DesignSpec, SurveyDesign};
//! use lapaz_survey::polars::prelude::*;
//! use lapaz_survey::present::{BarChart, DotChart};
//!
//! let df = df!(
//!     "zona"    => ["Norte", "Norte", "Norte", "Norte", "Sur", "Sur", "Sur", "Sur"],
//!     "upm"     => ["1", "2", "3", "4", "5", "6", "7", "8"],
//!     "ingreso" => [2100.0, 2500.0, 2300.0, 2650.0, 3900.0, 4200.0, 4100.0, 3700.0],
//!     "factor"  => [120.0, 80.0, 100.0, 95.0, 90.0, 110.0, 100.0, 105.0],
//! )?;
//! let design = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
//! let table = design.by(["zona"])?.mean("ingreso")?;
//!
//! // What a notebook shows when `table` ends a cell:
//! let html = table.html();
//! assert!(html.as_html().contains("<caption>Media de ingreso por zona"));
//! assert!(html.as_text().contains("Norte"));
//!
//! // A chart of the same estimates, inline or saved.
//! let chart = BarChart::new(&table).measure("Ingreso laboral medio").unit("Bs/mes");
//! assert!(chart.to_svg()?.contains("Ingreso laboral medio por zona"));
//! let dir = std::env::temp_dir();
//! chart.save_svg(dir.join("ingreso-por-zona.svg"))?;
//! chart.save_png(dir.join("ingreso-por-zona.png"))?;
//! let forest = DotChart::new(&table).language(lapaz_survey::codebook::Language::En);
//! assert!(forest.to_svg()?.contains("Mean of ingreso by zona"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod chart;
#[cfg(feature = "notebook")]
pub(crate) mod display;
mod error;
mod estimates;
mod format;
mod frame;
mod html;
mod results;
pub mod style;
mod summary;
mod text;

pub use chart::{BarChart, DotChart, Histogram, Pyramid, StackedBars};
pub use error::PlotError;
pub use format::{decimals_for, format_count, format_number, format_percent};
pub use frame::FrameHtml;
pub use html::{Html, escape};
