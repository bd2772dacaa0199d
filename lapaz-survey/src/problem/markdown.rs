//! Markdown building blocks shared by the evidence kinds and the ficha:
//! escaping and the table of figures.

use super::figure::{Figure, quality_mark};
use super::format;

/// Escapes text for inline Markdown: backslash-escapes the characters that
/// would start emphasis, code, links, HTML or table cells, and folds line
/// breaks into spaces (a table cell or list item must stay on one line).
pub(crate) fn escape_inline(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut last_space = false;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            '\r' | '\n' => {
                if !last_space {
                    out.push(' ');
                }
                last_space = true;
                continue;
            }
            // Always special: emphasis, code, links, table cells.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            // Special only where they start a block (heading, quote, list).
            '#' | '>' | '+' | '-' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            // `<` only when it could open an HTML tag or an autolink.
            '<' if next.is_some_and(|n| n.is_ascii_alphabetic() || "/!?".contains(n)) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        last_space = c == ' ';
    }
    out
}

/// A Markdown table of figures: label (or domain) | estimate | SE | CI |
/// CV | n | reliability. `by_domain` labels rows by their domain.
pub(crate) fn figure_table(figures: &[Figure], by_domain: bool) -> String {
    let same_level = figures
        .windows(2)
        .all(|w| (w[0].level - w[1].level).abs() < 1e-12);
    let ci_header = match figures.first() {
        Some(f) if same_level => f.ci_label(),
        _ => "IC".to_owned(),
    };
    let first = if by_domain { "Dominio" } else { "Indicador" };
    let mut out = format!(
        "| {first} | Estimación | EE | {ci_header} | CV | n | Fiabilidad |\n\
         |---|---:|---:|---:|---:|---:|---|\n"
    );
    for f in figures {
        let label = if by_domain {
            f.domain.clone().unwrap_or_else(|| f.label.clone())
        } else {
            f.full_label()
        };
        let ci = if same_level {
            f.ci_text()
        } else {
            format!("{}: {}", format::level(f.level), f.ci_text())
        };
        let n =
            f.n.map(|n| format::number(n as f64, 0))
                .unwrap_or_else(|| "—".to_owned());
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            escape_inline(&label),
            escape_inline(&f.estimate_text()),
            escape_inline(&f.se_text()),
            escape_inline(&ci),
            escape_inline(&f.cv_text()),
            n,
            escape_inline(&reliability_cell(f)),
        ));
    }
    out
}

/// The reliability column: `fiable`, `⚠ poco fiable (CV 22 %)`, `sin evaluar`.
pub(crate) fn reliability_cell(f: &Figure) -> String {
    match &f.reliability {
        None => "sin evaluar".to_owned(),
        Some(r) => {
            let mark = quality_mark(r.level);
            if mark.is_empty() {
                r.describe()
            } else {
                format!("{mark} {}", r.describe())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_pipes_and_emphasis_and_folds_newlines() {
        assert_eq!(escape_inline("a|b"), "a\\|b");
        assert_eq!(escape_inline("*x* _y_"), "\\*x\\* \\_y\\_");
        assert_eq!(escape_inline("uno\ndos\r\ntres"), "uno dos tres");
        assert_eq!(escape_inline("<b>"), "\\<b>");
        // Comparisons stay readable: nothing to escape.
        assert_eq!(
            escape_inline("n = 38 < 60; CV > 30 %"),
            "n = 38 < 60; CV > 30 %"
        );
        assert_eq!(escape_inline("# no es título"), "\\# no es título");
        assert_eq!(escape_inline("> no es cita"), "\\> no es cita");
    }
}
