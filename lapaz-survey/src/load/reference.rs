//! Reference tables shipped beside the survey (e.g. `geografia/*.csv`):
//! not in the codebook, so their column types are inferred.

use polars::prelude::*;

use super::error::LoadError;
use super::frame::frame_error;
use super::raw::{Cell, RawTable};

/// Builds a DataFrame from a raw table, typing each column as `Int64` when
/// every non-empty cell is a whole number, `Float64` when every one is a
/// number, and `String` otherwise.
/// A row with a wrong field count fails the whole table.
pub(crate) fn infer_frame(mut raw: RawTable) -> Result<DataFrame, LoadError> {
    let n = raw.n_rows();
    if let Some((_, e)) = raw.row_errors.pop_first() {
        return Err(e);
    }
    let mut columns = Vec::with_capacity(raw.columns.len());
    for (name, col) in raw.names.iter().zip(&raw.columns) {
        let cells: Vec<Cell<'_>> = (0..n).map(|i| col.cell(i)).collect();
        let ints: Option<Vec<Option<i64>>> = cells
            .iter()
            .map(|c| match c {
                Cell::Null => Some(None),
                Cell::Int(x) => Some(Some(*x)),
                Cell::Text(s) => s.trim().parse::<i64>().ok().map(Some),
                Cell::Float(_) => None,
            })
            .collect();
        let series = if let Some(ints) = ints {
            Series::new(name.as_str().into(), ints)
        } else {
            let floats: Option<Vec<Option<f64>>> = cells
                .iter()
                .map(|c| match c {
                    Cell::Null => Some(None),
                    Cell::Int(x) => Some(Some(*x as f64)),
                    Cell::Float(x) => Some(Some(*x)),
                    Cell::Text(s) => s
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(Some),
                })
                .collect();
            match floats {
                Some(floats) => Series::new(name.as_str().into(), floats),
                None => {
                    let texts: Vec<Option<String>> = (0..n)
                        .map(|i| match col.cell(i) {
                            Cell::Null => None,
                            _ => Some(col.cell_text(i)),
                        })
                        .collect();
                    Series::new(name.as_str().into(), texts)
                }
            }
        };
        columns.push(Column::from(series));
    }
    DataFrame::new(n, columns).map_err(frame_error)
}
