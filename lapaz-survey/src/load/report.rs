//! [`LoadReport`]: what happened to every row and column while loading.

use std::fmt;

use crate::codebook::Table;

use super::error::LoadError;

/// A row that lenient loading rejected, with its reason.
#[derive(Debug)]
#[non_exhaustive]
pub struct RejectedRow {
    /// The table.
    pub table: Table,
    /// The row in the file (CSV: the header is row 1).
    pub row: u64,
    /// Why the row was rejected (the first problem found in it).
    pub reason: LoadError,
    /// The row's fields as read (text), in file column order, for inspection.
    pub fields: Vec<String>,
}

/// The accounting of one table: `rows_read == rows_kept + rows_rejected`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TableReport {
    /// The table.
    pub table: Table,
    /// The file it was read from (`archivo.zip:vivienda.csv`).
    pub file: String,
    /// Data rows read from the file.
    pub rows_read: usize,
    /// Rows kept in the DataFrame.
    pub rows_kept: usize,
    /// Rows rejected (lenient mode; always 0 after a strict load).
    pub rows_rejected: usize,
    /// Per column: values that were missing-value codes (codebook `missing`)
    /// and became null, counted over the kept rows. Columns without any are
    /// left out.
    pub missing_codes_to_null: Vec<(String, usize)>,
    /// Codebook columns absent from the file, loaded as all-null columns
    /// (mapping `missing_columns = "null"`).
    pub null_filled_columns: Vec<String>,
    /// File columns that the codebook does not declare, left out of the
    /// DataFrame.
    pub ignored_columns: Vec<String>,
}

/// What happened while loading: rows read, kept and rejected per table, the
/// rejected rows with their reasons, and notes. Shown with `Display` as a
/// plain Spanish summary.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct LoadReport {
    /// Where the data came from.
    pub source: String,
    /// One entry per table, households first.
    pub tables: Vec<TableReport>,
    /// Rejected rows with reasons (lenient mode), in table and row order.
    pub rejected: Vec<RejectedRow>,
    /// Other notes (which codebook was used, mapping name, …), in Spanish.
    pub notes: Vec<String>,
}

impl LoadReport {
    /// The report of one table.
    pub fn table(&self, table: Table) -> Option<&TableReport> {
        self.tables.iter().find(|t| t.table == table)
    }

    /// The rejected rows of one table.
    pub fn rejected_in(&self, table: Table) -> impl Iterator<Item = &RejectedRow> {
        self.rejected.iter().filter(move |r| r.table == table)
    }

    /// Whether every row read was kept.
    pub fn is_clean(&self) -> bool {
        self.rejected.is_empty()
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Informe de carga: {}", self.source)?;
        writeln!(
            f,
            "  {:<10} {:>9} {:>9} {:>10}  archivo",
            "tabla", "leídas", "válidas", "rechazadas"
        )?;
        for t in &self.tables {
            writeln!(
                f,
                "  {:<10} {:>9} {:>9} {:>10}  {}",
                t.table.file_stem(),
                t.rows_read,
                t.rows_kept,
                t.rows_rejected,
                t.file
            )?;
        }
        for line in self.note_lines() {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

impl LoadReport {
    /// What the report says beyond the row counts, one line each (missing
    /// codes made null, absent and ignored columns, rejected rows, notes):
    /// shared by the text report and its HTML view.
    pub(crate) fn note_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for t in &self.tables {
            if !t.missing_codes_to_null.is_empty() {
                let cols: Vec<String> = t
                    .missing_codes_to_null
                    .iter()
                    .map(|(c, n)| format!("{c} ({n})"))
                    .collect();
                lines.push(format!(
                    "{}: códigos de «no sabe / no responde» convertidos en nulos: {}",
                    t.table,
                    cols.join(", ")
                ));
            }
            if !t.null_filled_columns.is_empty() {
                lines.push(format!(
                    "{}: columnas ausentes, cargadas como nulas: {}",
                    t.table,
                    t.null_filled_columns.join(", ")
                ));
            }
            if !t.ignored_columns.is_empty() {
                lines.push(format!(
                    "{}: {} columnas fuera del libro de códigos, omitidas: {}",
                    t.table,
                    t.ignored_columns.len(),
                    abbreviate(&t.ignored_columns, 12)
                ));
            }
        }
        if !self.rejected.is_empty() {
            lines.push("Filas rechazadas:".to_owned());
            for r in self.rejected.iter().take(20) {
                lines.push(format!("  {}", r.reason));
            }
            if self.rejected.len() > 20 {
                lines.push(format!("  … y {} más", self.rejected.len() - 20));
            }
        }
        for n in &self.notes {
            lines.push(format!("Nota: {n}"));
        }
        lines
    }
}

fn abbreviate(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(", … (+{})", items.len() - max));
    }
    s
}
