//! HTML fragments for notebooks: escaping, the house wrapper and the
//! [`Html`] value that carries a fragment together with its plain-text
//! fallback.

use std::fmt;

use super::style::CSS;

/// Escapes text for HTML element content and attribute values.
///
/// Newlines become `&#10;` so that a value can never break the line-based
/// protocol that evcxr uses to collect rich output.
///
/// ```
/// use lapaz_survey::present::escape;
///
/// assert_eq!(escape(r#"<b>"Tom" & 'Jerry'</b>"#),
///            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// A rendered HTML fragment with its plain-text version.
///
/// Every displayable value of the crate turns into one of these
/// (`estimate.to_html()`, `df.html()`, …). In a notebook it displays as the
/// HTML (evcxr shows the richest form it can); elsewhere `Display` prints the
/// text.
///
/// ```
/// use lapaz_survey::present::Html;
///
/// let h = Html::new("<p>hola</p>", "hola");
/// assert_eq!(h.as_html(), "<p>hola</p>");
/// assert_eq!(h.to_string(), "hola");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html {
    html: String,
    text: String,
}

impl Html {
    /// A fragment from its HTML and its text form (the HTML is used as is:
    /// escape what comes from data with [`escape`]).
    pub fn new(html: impl Into<String>, text: impl Into<String>) -> Self {
        Html {
            html: html.into(),
            text: text.into(),
        }
    }

    /// A fragment of the house style: `body` inside a `<div class="lpz">`
    /// with the scoped stylesheet.
    pub(crate) fn styled(body: &str, text: impl Into<String>) -> Self {
        Html::new(wrap(body), text)
    }

    /// The HTML source.
    pub fn as_html(&self) -> &str {
        &self.html
    }

    /// The plain-text form.
    pub fn as_text(&self) -> &str {
        &self.text
    }

    /// The HTML source, consuming the value.
    pub fn into_html(self) -> String {
        self.html
    }

    /// Shows the fragment in an evcxr notebook cell (HTML, with the text as
    /// fallback for front-ends without HTML).
    #[cfg(feature = "notebook")]
    pub fn evcxr_display(&self) {
        emit(&self.html, &self.text);
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Wraps `body` in the house container with its scoped stylesheet.
pub(crate) fn wrap(body: &str) -> String {
    let mut out = String::with_capacity(CSS.len() + body.len() + 64);
    out.push_str("<div class=\"lpz\"><style>");
    out.push_str(CSS);
    out.push_str("</style>");
    out.push_str(body);
    out.push_str("</div>");
    out
}

/// The evcxr rich-output bundle of a fragment: a `text/html` and a
/// `text/plain` block between `EVCXR_BEGIN_CONTENT <mime>` and
/// `EVCXR_END_CONTENT` lines (evcxr_jupyter README, "Custom output").
#[cfg(feature = "notebook")]
pub(crate) fn evcxr_bundle(html: &str, text: &str) -> String {
    let mut block = String::with_capacity(html.len() + text.len() + 128);
    for (mime, content) in [("text/html", html), ("text/plain", text)] {
        block.push_str("EVCXR_BEGIN_CONTENT ");
        block.push_str(mime);
        block.push('\n');
        for line in content.lines() {
            // A line equal to the end marker would cut the content short.
            if line == "EVCXR_END_CONTENT" {
                block.push_str("EVCXR_END_CONTENT\u{200b}");
            } else {
                block.push_str(line);
            }
            block.push('\n');
        }
        block.push_str("EVCXR_END_CONTENT\n");
    }
    block
}

/// Writes the bundle to standard output in one locked write.
#[cfg(feature = "notebook")]
pub(crate) fn emit(html: &str, text: &str) {
    use std::io::Write;
    let block = evcxr_bundle(html, text);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    // Nothing sensible can be done in a notebook if stdout is closed.
    let _ = lock.write_all(block.as_bytes());
    let _ = lock.flush();
}

/// Small builder for HTML tables in the house style.
#[derive(Debug, Default)]
pub(crate) struct TableBuilder {
    out: String,
}

impl TableBuilder {
    /// Starts a table with an optional caption (title and subtitle are
    /// escaped here).
    pub(crate) fn new(title: &str, subtitle: Option<&str>) -> Self {
        let mut out = String::from("<table>");
        if !title.is_empty() || subtitle.is_some() {
            out.push_str("<caption>");
            out.push_str(&escape(title));
            if let Some(sub) = subtitle {
                out.push_str("<span class=\"sub\">");
                out.push_str(&escape(sub));
                out.push_str("</span>");
            }
            out.push_str("</caption>");
        }
        TableBuilder { out }
    }

    /// The header row; each cell is `(raw_html, left_aligned)`.
    pub(crate) fn header(&mut self, cells: &[(String, bool)]) {
        self.out.push_str("<thead><tr>");
        for (html, left) in cells {
            self.out
                .push_str(if *left { "<th class=\"l\">" } else { "<th>" });
            self.out.push_str(html);
            self.out.push_str("</th>");
        }
        self.out.push_str("</tr></thead><tbody>");
    }

    /// A body row with an optional CSS class; each cell is
    /// `(raw_html, class)`.
    pub(crate) fn row(&mut self, class: Option<&str>, cells: &[(String, &str)]) {
        match class {
            Some(c) => {
                self.out.push_str("<tr class=\"");
                self.out.push_str(c);
                self.out.push_str("\">");
            }
            None => self.out.push_str("<tr>"),
        }
        for (html, class) in cells {
            if class.is_empty() {
                self.out.push_str("<td>");
            } else {
                self.out.push_str("<td class=\"");
                self.out.push_str(class);
                self.out.push_str("\">");
            }
            self.out.push_str(html);
            self.out.push_str("</td>");
        }
        self.out.push_str("</tr>");
    }

    /// A full-width row (e.g. the "…" gap between head and tail).
    pub(crate) fn gap_row(&mut self, columns: usize, text: &str) {
        self.out.push_str(&format!(
            "<tr class=\"gap\"><td colspan=\"{columns}\">{}</td></tr>",
            escape(text)
        ));
    }

    /// Closes the table and returns its HTML.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</tbody></table>");
        self.out
    }
}

/// A note paragraph (escaped).
pub(crate) fn note(text: &str) -> String {
    format!("<div class=\"note\">{}</div>", escape(text))
}

/// A reliability badge.
pub(crate) fn badge(class: &str, label: &str, title: Option<&str>) -> String {
    match title {
        Some(t) => format!(
            "<span class=\"b {class}\" title=\"{}\">{}</span>",
            escape(t),
            escape(label)
        ),
        None => format!("<span class=\"b {class}\">{}</span>", escape(label)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_handles_every_special_character() {
        assert_eq!(escape("a<b>&\"c'\n"), "a&lt;b&gt;&amp;&quot;c&#39;&#10;");
        assert_eq!(escape("Periférica ñ"), "Periférica ñ");
    }

    #[test]
    fn table_builder_escapes_caption_and_closes() {
        let mut t = TableBuilder::new("<x>", Some("y & z"));
        t.header(&[("A".into(), true), ("B".into(), false)]);
        t.row(Some("ok"), &[("1".into(), "l"), ("2".into(), "")]);
        t.gap_row(2, "…");
        let html = t.finish();
        assert!(html.starts_with("<table><caption>&lt;x&gt;<span class=\"sub\">y &amp; z"));
        assert!(html.contains("<tr class=\"ok\"><td class=\"l\">1</td><td>2</td></tr>"));
        assert!(html.contains("colspan=\"2\""));
        assert!(html.ends_with("</tbody></table>"));
    }

    #[cfg(feature = "notebook")]
    #[test]
    fn evcxr_bundle_has_html_then_text() {
        let b = evcxr_bundle("<p>a</p>", "a\nEVCXR_END_CONTENT\nb");
        let lines: Vec<&str> = b.lines().collect();
        assert_eq!(
            lines,
            [
                "EVCXR_BEGIN_CONTENT text/html",
                "<p>a</p>",
                "EVCXR_END_CONTENT",
                "EVCXR_BEGIN_CONTENT text/plain",
                "a",
                "EVCXR_END_CONTENT\u{200b}",
                "b",
                "EVCXR_END_CONTENT",
            ]
        );
    }

    #[test]
    fn wrap_scopes_the_stylesheet() {
        let w = wrap("<p>x</p>");
        assert!(w.starts_with("<div class=\"lpz\"><style>.lpz{"));
        assert!(w.ends_with("<p>x</p></div>"));
    }
}
