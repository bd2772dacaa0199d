//! `evcxr_display` for the crate's types: what a Jupyter notebook (evcxr
//! kernel) shows when a value ends a cell. Each emits the HTML table of the
//! type's `html()` with its plain-text form as the fallback.
//!
//! polars' `DataFrame` is a foreign type and cannot get the method: end a
//! cell with `df.html()` ([`FrameHtml`](super::FrameHtml)) instead.

use super::html::{Html, escape};
use crate::codebook::{Codebook, Variable};
use crate::design::SurveyDesign;
use crate::estimate::{Estimate, EstimateTable};
use crate::load::Survey;

/// Shows an error in the cell (and on standard error, so that notebook
/// tests notice it).
pub(crate) fn show_error(error: &dyn std::fmt::Display) {
    let text = error.to_string();
    eprintln!("{text}");
    Html::styled(
        &format!(
            "<div class=\"synth\" style=\"border-left-color:#b42318;background:#fde2e1;color:#7a1c14\">{}</div>",
            escape(&text)
        ),
        text.clone(),
    )
    .evcxr_display();
}

macro_rules! display_via_html {
    ($($t:ty),* $(,)?) => {
        $(
            impl $t {
                /// Shows the value in an evcxr notebook cell as an HTML
                /// table (with a plain-text fallback).
                pub fn evcxr_display(&self) {
                    self.html().evcxr_display();
                }
            }
        )*
    };
}

display_via_html!(
    EstimateTable,
    Estimate,
    SurveyDesign,
    Survey,
    Variable,
    Codebook,
    crate::estimate::TestResult,
    crate::model::RegressionTable,
    crate::load::LoadReport,
);
