//! `evcxr_display` for the crate's types: what a notebook shows when a
//! value ends a cell.

use super::html::{Html, escape};

/// Shows an error in the cell (and on standard error, so that notebook
/// tests notice it).
pub(crate) fn show_error(error: &dyn std::fmt::Display) {
    let text = error.to_string();
    eprintln!("{text}");
    Html::styled(
        &format!(
            "<div class=\"synth\" style=\"border-left-color:#b42318\">{}</div>",
            escape(&text)
        ),
        text.clone(),
    )
    .evcxr_display();
}
