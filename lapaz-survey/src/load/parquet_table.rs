//! Parquet files → [`RawTable`], through polars' Parquet reader (feature
//! `parquet`). Integer columns stay integers, floating columns floats, text
//! and categorical columns text; the codebook types them afterwards like any
//! CSV column. Rows are numbered from 1.

use std::collections::BTreeMap;
use std::io::Cursor;

use polars::prelude::*;

use super::error::LoadError;
use super::raw::{RawColumn, RawTable};

fn format_error(file: &str, detail: impl std::fmt::Display) -> LoadError {
    LoadError::Format {
        file: file.to_string(),
        detail: detail.to_string(),
    }
}

/// Reads a whole Parquet file held in memory.
pub(crate) fn read_parquet(bytes: Vec<u8>, file: String) -> Result<RawTable, LoadError> {
    // A damaged file must give an error, never a panic: guard the reader.
    let read = std::panic::catch_unwind(move || ParquetReader::new(Cursor::new(bytes)).finish());
    let frame = match read {
        Ok(Ok(frame)) => frame,
        Ok(Err(e)) => return Err(format_error(&file, e)),
        Err(_) => return Err(format_error(&file, "el lector de Parquet falló")),
    };
    let n = frame.height();
    let mut names = Vec::with_capacity(frame.width());
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        names.push(column.name().to_string());
        let series = column.as_materialized_series();
        let dtype = series.dtype();
        let cast = |to: &DataType| series.cast(to).map_err(|e| format_error(&file, e));
        let raw = if dtype.is_integer() || dtype == &DataType::Boolean {
            let s = cast(&DataType::Int64)?;
            RawColumn::Int(
                s.i64()
                    .map_err(|e| format_error(&file, e))?
                    .iter()
                    .collect(),
            )
        } else if dtype.is_float() {
            let s = cast(&DataType::Float64)?;
            RawColumn::Float(
                s.f64()
                    .map_err(|e| format_error(&file, e))?
                    .iter()
                    .collect(),
            )
        } else {
            let s = cast(&DataType::String)?;
            RawColumn::Text(
                s.str()
                    .map_err(|e| format_error(&file, e))?
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect(),
            )
        };
        columns.push(raw);
    }
    Ok(RawTable {
        file,
        names,
        columns,
        rows: (1..=n as u64).collect(),
        row_errors: BTreeMap::new(),
        odd_rows: BTreeMap::new(),
    })
}
