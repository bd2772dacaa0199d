//! Plain-text tables: the fallback of every HTML display and what `Display`
//! prints outside notebooks.

/// Column alignment in a text table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// Renders an aligned text table: a header, a rule and the rows. Widths
/// count characters, so accented Spanish labels align.
pub(crate) fn table(header: &[&str], align: &[Align], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut parts = Vec::with_capacity(columns);
        for (i, cell) in cells.enumerate().take(columns) {
            let pad = widths[i].saturating_sub(cell.chars().count());
            let a = align.get(i).copied().unwrap_or(Align::Right);
            parts.push(match a {
                Align::Left => format!("{cell}{}", " ".repeat(pad)),
                Align::Right => format!("{}{cell}", " ".repeat(pad)),
            });
        }
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(&mut out, &mut header.iter().copied());
    let total: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
    out.push_str(&"─".repeat(total));
    out.push('\n');
    for row in rows {
        line(&mut out, &mut row.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_accented_text() {
        let t = table(
            &["Dominio", "Media"],
            &[Align::Left, Align::Right],
            &[
                vec!["Periférica".into(), "1,5".into()],
                vec!["Sur".into(), "12,25".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "Dominio     Media");
        assert_eq!(lines[2], "Periférica    1,5");
        assert_eq!(lines[3], "Sur         12,25");
        assert_eq!(lines[1].chars().count(), 17);
    }
}
