//! Helpers shared by the cross-check tests: paths to committed reference
//! data, reading the data the R scripts export, and relative-tolerance
//! comparison.

use std::path::{Path, PathBuf};

use lapaz_survey::polars::prelude::*;

/// Root of the `tests/` folder (where `r/`, `reference/` and `data/` live).
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Asserts that `got` equals `want` to a relative tolerance `rel`
/// (absolute below 1e-300 in magnitude), naming `what` on failure.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{what}: expected NaN, got {got}");
        return;
    }
    if want.is_infinite() {
        assert_eq!(got, want, "{what}");
        return;
    }
    let scale = want.abs().max(1e-300);
    let err = (got - want).abs() / scale;
    assert!(
        err <= rel || (got - want).abs() <= 1e-300,
        "{what}: got {got:.17e}, want {want:.17e} (relative error {err:.3e} > {rel:.0e})"
    );
}

/// Reads one of the CSVs the R scripts export (`tests/data/*.csv`): a column
/// is Float64 when every value other than `NA` parses as a number, String
/// otherwise; `NA` is missing.
pub fn read_csv(path: &Path) -> DataFrame {
    let mut reader = csv::Reader::from_path(path).expect("exported CSV exists");
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    for rec in reader.records() {
        let rec = rec.expect("CSV record");
        for (j, v) in rec.iter().enumerate() {
            cols[j].push(if v == "NA" { None } else { Some(v.to_string()) });
        }
    }
    let columns: Vec<Column> = headers
        .iter()
        .zip(cols)
        .map(|(name, values)| {
            let numeric: Option<Vec<Option<f64>>> = values
                .iter()
                .map(|v| match v {
                    None => Some(None),
                    Some(s) => s.parse::<f64>().ok().map(Some),
                })
                .collect();
            match numeric {
                Some(x) => Series::new(name.as_str().into(), x).into_column(),
                None => Series::new(name.as_str().into(), values).into_column(),
            }
        })
        .collect();
    DataFrame::new_infer_height(columns).expect("frame")
}
