//! Typed columns → polars DataFrame (categorical → `Enum` of the Spanish
//! labels in code order), and the table's accounting.

use std::collections::HashSet;

use polars::prelude::*;

use crate::codebook::{VarType, Variable};

use super::error::LoadError;
use super::report::{RejectedRow, TableReport};
use super::typing::{TypedTable, Values};

pub(crate) fn frame_error(e: PolarsError) -> LoadError {
    LoadError::Frame {
        detail: e.to_string(),
    }
}

/// The Spanish labels of a categorical variable in code order, made unique
/// (a repeated label gets its code appended: `Otro (8)`), as polars `Enum`
/// categories must be.
pub(crate) fn enum_labels(var: &Variable) -> Vec<String> {
    let mut seen = HashSet::new();
    var.values
        .iter()
        .map(|v| {
            if seen.insert(v.es.clone()) {
                v.es.clone()
            } else {
                let label = format!("{} ({})", v.es, v.code);
                seen.insert(label.clone());
                label
            }
        })
        .collect()
}

/// The polars `Enum` dtype of a categorical variable.
pub(crate) fn enum_dtype(var: &Variable) -> Result<DataType, LoadError> {
    let labels = enum_labels(var);
    let categories =
        FrozenCategories::new(labels.iter().map(String::as_str)).map_err(frame_error)?;
    Ok(DataType::from_frozen_categories(categories))
}

/// The polars dtype a codebook variable loads as.
pub fn dtype_of(var: &Variable) -> Result<DataType, LoadError> {
    Ok(match var.var_type {
        VarType::Categorical => enum_dtype(var)?,
        VarType::Integer => DataType::Int64,
        VarType::Float => DataType::Float64,
        VarType::String => DataType::String,
    })
}

fn keep_values<T: Clone>(values: &[Option<T>], keep: &[bool]) -> Vec<Option<T>> {
    values
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(v, _)| v.clone())
        .collect()
}

/// A categorical column from label indices.
fn enum_series(name: &str, var: &Variable, idx: Vec<Option<u32>>) -> Result<Series, LoadError> {
    let dtype = enum_dtype(var)?;
    let physical = DataType::from(dtype.cat_physical().map_err(frame_error)?);
    let idx = Series::new(name.into(), idx)
        .strict_cast(&physical)
        .map_err(frame_error)?;
    Series::from_cats_and_dtype(&idx, &dtype, true).map_err(frame_error)
}

/// What a finished table gives back.
pub(crate) struct Finished {
    pub frame: DataFrame,
    pub report: TableReport,
    pub rejected: Vec<RejectedRow>,
}

impl TypedTable {
    /// The first error of the table (strict mode), if any row was rejected.
    pub fn first_error(&mut self) -> Option<LoadError> {
        self.rejected.pop_first().map(|(_, e)| e)
    }

    /// Builds the DataFrame of the kept rows and the table's accounting.
    pub fn finish(self) -> Result<Finished, LoadError> {
        let n = self.raw.n_rows();
        let keep: Vec<bool> = (0..n).map(|i| !self.rejected.contains_key(&i)).collect();
        let mut columns = Vec::with_capacity(self.columns.len());
        let mut missing_codes_to_null = Vec::new();
        for col in &self.columns {
            let name = col.var.name.as_str();
            let series = match &col.values {
                Values::Int(v) => Series::new(name.into(), keep_values(v, &keep)),
                Values::Float(v) => Series::new(name.into(), keep_values(v, &keep)),
                Values::Str(v) => Series::new(name.into(), keep_values(v, &keep)),
                Values::Cat(v) => enum_series(name, &col.var, keep_values(v, &keep))?,
            };
            columns.push(Column::from(series));
            let hits = col
                .missing_hits
                .iter()
                .filter(|&&i| keep.get(i).copied().unwrap_or(false))
                .count();
            if hits > 0 {
                missing_codes_to_null.push((col.var.name.clone(), hits));
            }
        }
        let kept = keep.iter().filter(|k| **k).count();
        let frame = DataFrame::new(kept, columns).map_err(frame_error)?;
        let file = self.raw.file.clone();
        let rejected: Vec<RejectedRow> = self
            .rejected
            .into_iter()
            .map(|(i, reason)| RejectedRow {
                table: self.table,
                row: self.raw.rows.get(i).copied().unwrap_or(i as u64 + 1),
                reason,
                fields: self.raw.row_fields(i),
            })
            .collect();
        let report = TableReport {
            table: self.table,
            file,
            rows_read: n,
            rows_kept: kept,
            rows_rejected: rejected.len(),
            missing_codes_to_null,
            null_filled_columns: self.null_filled,
            ignored_columns: self.ignored,
        };
        Ok(Finished {
            frame,
            report,
            rejected,
        })
    }
}
