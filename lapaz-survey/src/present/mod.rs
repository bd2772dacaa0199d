//! Presentation: HTML and text tables for notebooks, and charts.
//!
//! Everything here is behind the `plot` feature (the `notebook` feature
//! turns it on and adds the `evcxr_display` methods that Jupyter's Rust
//! kernel calls to show a value at the end of a cell).
//!
//! - **Tables**: estimates, estimate tables, survey designs, surveys and
//!   codebook variables display as HTML in the house style (Spanish labels,
//!   Bolivian number format, CV in %, rows coloured by reliability) with a
//!   plain-text fallback; polars `DataFrame`s through [`FrameHtml`]
//!   (`df.html()`).
//! - **Charts** ([`chart`]): bars with confidence intervals, dot-and-whisker,
//!   weighted histogram, population pyramid and stacked proportions, drawn
//!   inline as SVG and saved as SVG or PNG with an embedded font.
//! - **Formatting helpers**: [`format_number`], [`format_percent`],
//!   [`decimals_for`], [`escape`].

pub mod chart;
#[cfg(feature = "notebook")]
pub(crate) mod display;
mod error;
mod estimates;
mod format;
mod frame;
mod html;
pub mod style;
mod summary;
mod text;

pub use chart::{BarChart, DotChart, Histogram, Pyramid, StackedBars};
pub use error::PlotError;
pub use format::{decimals_for, format_count, format_number, format_percent};
pub use frame::FrameHtml;
pub use html::{Html, escape};
