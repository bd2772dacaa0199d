//! A table as read from a file, before typing: named columns of text or
//! numbers, the file row of every row, and the rows that already failed
//! while reading.

use std::collections::BTreeMap;

use super::error::LoadError;

/// One untyped column.
#[derive(Debug)]
#[cfg_attr(
    not(feature = "parquet"),
    allow(dead_code, reason = "numeric columns come from Parquet and SPSS files")
)]
pub(crate) enum RawColumn {
    /// Text cells (CSV, SPSS string variables); empty text is null.
    Text(TextColumn),
    /// Whole numbers (Parquet integer columns).
    Int(Vec<Option<i64>>),
    /// Real numbers (SPSS numeric variables, Parquet floats).
    Float(Vec<Option<f64>>),
}

/// One cell, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Float(f64),
}

impl RawColumn {
    pub fn len(&self) -> usize {
        match self {
            RawColumn::Text(v) => v.len(),
            RawColumn::Int(v) => v.len(),
            RawColumn::Float(v) => v.len(),
        }
    }

    pub fn cell(&self, i: usize) -> Cell<'_> {
        match self {
            RawColumn::Text(v) => v.get(i).map_or(Cell::Null, Cell::Text),
            RawColumn::Int(v) => v.get(i).copied().flatten().map_or(Cell::Null, Cell::Int),
            RawColumn::Float(v) => match v.get(i).copied().flatten() {
                Some(x) if !x.is_nan() => Cell::Float(x),
                _ => Cell::Null,
            },
        }
    }

    /// The cell as text, for reports.
    pub fn cell_text(&self, i: usize) -> String {
        match self.cell(i) {
            Cell::Null => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Int(x) => x.to_string(),
            Cell::Float(x) => format_float(x),
        }
    }
}

/// Text cells stored in one buffer (no allocation per cell), trimmed; an
/// empty cell is null.
#[derive(Debug, Default)]
pub(crate) struct TextColumn {
    data: String,
    ends: Vec<usize>,
}

impl TextColumn {
    /// Appends a cell (trimmed; `None` or blank is null).
    pub fn push(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.data.push_str(v.trim());
        }
        self.ends.push(self.data.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The cell of row `i`, `None` if null or out of range.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(j) => *self.ends.get(j)?,
            None => 0,
        };
        self.data.get(start..end).filter(|s| !s.is_empty())
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Self {
        let mut column = TextColumn::default();
        for value in iter {
            column.push(value.as_ref().map(AsRef::as_ref));
        }
        column
    }
}

/// Formats a float, writing whole numbers without a decimal part.
pub(crate) fn format_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        x.to_string()
    }
}

/// A table as read from one file.
#[derive(Debug)]
pub(crate) struct RawTable {
    /// The file name used in errors.
    pub file: String,
    /// Column names as in the file (header).
    pub names: Vec<String>,
    /// The columns, each with one cell per row.
    pub columns: Vec<RawColumn>,
    /// The file row of each row (CSV: header = 1).
    pub rows: Vec<u64>,
    /// Rows that already failed while reading (e.g. wrong field count),
    /// by row index.
    pub row_errors: BTreeMap<usize, LoadError>,
    /// The exact fields of rows whose field count was wrong (their cells in
    /// `columns` are padded or cut to the header's width).
    pub odd_rows: BTreeMap<usize, Vec<String>>,
}

impl RawTable {
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// The fields of row `i` as text, for the report of a rejected row.
    pub fn row_fields(&self, i: usize) -> Vec<String> {
        if let Some(fields) = self.odd_rows.get(&i) {
            return fields.clone();
        }
        self.columns.iter().map(|c| c.cell_text(i)).collect()
    }
}
