//! SPSS `.sav` / `.zsav` files → [`RawTable`], through the pure-Rust
//! `ambers` reader (feature `spss`).
//!
//! Numeric variables become numbers (system-missing → null), string
//! variables text (trailing blanks removed), dates and times their text form.
//! Variable names are kept as written (INE's UPPERCASE names match the
//! codebook because names are compared without case). The file's value
//! labels are not used: the codebook's labels are.

use std::collections::BTreeMap;
use std::io::Cursor;

use arrow::array::{Array, Float64Array, LargeStringArray, StringArray, StringViewArray};
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::error::LoadError;
use super::raw::{RawColumn, RawTable};

fn format_error(file: &str, detail: impl std::fmt::Display) -> LoadError {
    LoadError::Format {
        file: file.to_string(),
        detail: detail.to_string(),
    }
}

/// Reads a whole `.sav` file held in memory.
pub(crate) fn read_sav(bytes: Vec<u8>, file: String) -> Result<RawTable, LoadError> {
    // A damaged file must give an error, never a panic: guard the reader.
    let read = std::panic::catch_unwind(move || {
        let mut scanner = ambers::scan_sav_from_reader(Cursor::new(bytes), 100_000)?;
        let batch = scanner.collect_single()?;
        Ok::<_, ambers::error::SpssError>((batch, scanner.metadata().variable_names.clone()))
    });
    let (batch, names) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return Err(format_error(&file, e)),
        Err(_) => return Err(format_error(&file, "el lector de SPSS falló")),
    };
    let n = batch.num_rows();
    let mut columns = Vec::with_capacity(batch.num_columns());
    for array in batch.columns() {
        let any = array.as_any();
        let column = if let Some(a) = any.downcast_ref::<Float64Array>() {
            RawColumn::Float(a.iter().collect())
        } else if let Some(a) = any.downcast_ref::<StringViewArray>() {
            RawColumn::Text(a.iter().map(text).collect())
        } else if let Some(a) = any.downcast_ref::<StringArray>() {
            RawColumn::Text(a.iter().map(text).collect())
        } else if let Some(a) = any.downcast_ref::<LargeStringArray>() {
            RawColumn::Text(a.iter().map(text).collect())
        } else {
            let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())
                .map_err(|e| format_error(&file, e))?;
            RawColumn::Text(
                (0..n)
                    .map(|i| (!array.is_null(i)).then(|| formatter.value(i).to_string()))
                    .collect(),
            )
        };
        columns.push(column);
    }
    let names = if names.len() == columns.len() {
        names
    } else {
        batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    };
    Ok(RawTable {
        file,
        names,
        columns,
        rows: (1..=n as u64).collect(),
        row_errors: BTreeMap::new(),
        odd_rows: BTreeMap::new(),
    })
}

fn text(value: Option<&str>) -> Option<String> {
    value
        .map(|s| s.trim_end().to_string())
        .filter(|s| !s.is_empty())
}
