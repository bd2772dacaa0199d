//! Turning polars columns into the compact arrays the estimators use:
//! `f64` values (NaN for missing) and dense `u32` codes with labels.

use std::collections::HashMap;

use polars::prelude::{Column, DataFrame, DataType};

use super::error::{DesignError, list_columns};
use crate::codebook::Codebook;

/// Marks a missing code in a `u32` code array.
pub(crate) const MISSING: u32 = u32::MAX;

/// A text label in Spanish and English. Without a codebook both are the raw
/// value as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    /// Spanish label (the value shown by default).
    pub es: String,
    /// English label.
    pub en: String,
}

impl Label {
    /// A label that reads the same in both languages (a raw value).
    pub fn same(text: impl Into<String>) -> Self {
        let es = text.into();
        Label { en: es.clone(), es }
    }

    /// The label in `lang`.
    pub fn get(&self, lang: crate::codebook::Language) -> &str {
        match lang {
            crate::codebook::Language::Es => &self.es,
            crate::codebook::Language::En => &self.en,
        }
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.es)
    }
}

/// Dense codes of a column: `codes[i]` indexes `labels`, or is [`MISSING`].
#[derive(Debug, Clone)]
pub(crate) struct Codes {
    pub codes: Vec<u32>,
    pub labels: Vec<Label>,
}

impl Codes {
    /// First missing row (0-based) and the number of missing rows.
    pub fn missing(&self) -> Option<(usize, usize)> {
        let first = self.codes.iter().position(|&c| c == MISSING)?;
        let count = self.codes.iter().filter(|&&c| c == MISSING).count();
        Some((first, count))
    }
}

/// Looks a column up, with an error listing the available ones.
pub(crate) fn get_column<'a>(
    df: &'a DataFrame,
    name: &str,
    role: &str,
) -> Result<&'a Column, DesignError> {
    crate::frame::column(df, name).ok_or_else(|| DesignError::MissingColumn {
        column: name.to_string(),
        role: role.to_string(),
        available: list_columns(df),
    })
}

fn polars_err(column: &str) -> impl FnOnce(polars::error::PolarsError) -> DesignError + '_ {
    move |source| DesignError::Polars {
        column: column.to_string(),
        source,
    }
}

/// Whether a dtype holds numbers (or booleans, read as 0/1).
pub(crate) fn is_numeric(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric() || matches!(dtype, DataType::Boolean)
}

/// Numeric values of a column as `f64`, NaN where null (or NaN).
pub(crate) fn numeric_values(
    df: &DataFrame,
    name: &str,
    role: &str,
) -> Result<Vec<f64>, DesignError> {
    let col = get_column(df, name, role)?;
    if !is_numeric(col.dtype()) {
        return Err(DesignError::WrongType {
            column: name.to_string(),
            role: role.to_string(),
            expected: "numérica".into(),
            found: col.dtype().to_string(),
        });
    }
    let series = col
        .as_materialized_series()
        .cast(&DataType::Float64)
        .map_err(polars_err(name))?;
    let ca = series.f64().map_err(polars_err(name))?;
    let mut out = Vec::with_capacity(ca.len());
    for chunk in ca.downcast_iter() {
        match chunk.validity() {
            None => out.extend_from_slice(chunk.values()),
            Some(valid) => out.extend(
                chunk
                    .values()
                    .iter()
                    .zip(valid.iter())
                    .map(|(&v, ok)| if ok { v } else { f64::NAN }),
            ),
        }
    }
    Ok(out)
}

/// Like [`numeric_values`], borrowing the column's own buffer when it is a
/// single-chunk `Float64` without nulls (no copy of a million rows).
pub(crate) fn numeric_slice<'a>(
    df: &'a DataFrame,
    name: &str,
    role: &str,
) -> Result<std::borrow::Cow<'a, [f64]>, DesignError> {
    let col = get_column(df, name, role)?;
    if let DataType::Float64 = col.dtype()
        && let Some(series) = col.as_series()
        && let Ok(ca) = series.f64()
        && ca.null_count() == 0
        && let Ok(slice) = ca.cont_slice()
    {
        return Ok(std::borrow::Cow::Borrowed(slice));
    }
    numeric_values(df, name, role).map(std::borrow::Cow::Owned)
}

/// Dense codes of any column: categories of an `Enum` in their declared
/// order (labelled in English through the codebook when it knows the
/// variable), other values sorted (numbers numerically, text
/// alphabetically) and labelled by their text.
pub(crate) fn codes_of(
    df: &DataFrame,
    name: &str,
    role: &str,
    codebook: Option<&Codebook>,
) -> Result<Codes, DesignError> {
    let col = get_column(df, name, role)?;
    let series = col.as_materialized_series();
    match series.dtype() {
        DataType::Enum(fcats, _) => {
            let cats: Vec<String> = fcats
                .categories()
                .values_iter()
                .map(|s| s.to_string())
                .collect();
            let variable = codebook.and_then(|cb| cb.variable(name));
            let labels = cats
                .iter()
                .map(|es| {
                    let en = variable
                        .and_then(|v| v.values.iter().find(|l| &l.es == es))
                        .map(|l| l.en.clone())
                        .unwrap_or_else(|| es.clone());
                    Label { es: es.clone(), en }
                })
                .collect();
            let phys = series
                .to_physical_repr()
                .cast(&DataType::UInt32)
                .map_err(polars_err(name))?;
            let ca = phys.u32().map_err(polars_err(name))?;
            let codes = ca.iter().map(|c| c.unwrap_or(MISSING)).collect();
            Ok(Codes { codes, labels })
        }
        DataType::Categorical(_, _) | DataType::String => {
            let s = series.cast(&DataType::String).map_err(polars_err(name))?;
            let ca = s.str().map_err(polars_err(name))?;
            Ok(dense_codes(ca.iter(), |v| v.to_string(), |a, b| a.cmp(b)))
        }
        DataType::Boolean => {
            let ca = series.bool().map_err(polars_err(name))?;
            Ok(dense_codes(ca.iter(), |v| v.to_string(), |a, b| a.cmp(b)))
        }
        dt if dt.is_integer() => {
            let s = series.cast(&DataType::Int64).map_err(polars_err(name))?;
            let ca = s.i64().map_err(polars_err(name))?;
            Ok(dense_codes(ca.iter(), |v| v.to_string(), |a, b| a.cmp(b)))
        }
        dt if dt.is_float() => {
            let s = series.cast(&DataType::Float64).map_err(polars_err(name))?;
            let ca = s.f64().map_err(polars_err(name))?;
            // NaN counts as missing; values are keyed by their bits.
            let it = ca
                .iter()
                .map(|v| v.filter(|x| !x.is_nan()).map(f64::to_bits));
            Ok(dense_codes(
                it,
                |b| f64::from_bits(*b).to_string(),
                |a, b| f64::from_bits(*a).total_cmp(&f64::from_bits(*b)),
            ))
        }
        other => Err(DesignError::WrongType {
            column: name.to_string(),
            role: role.to_string(),
            expected: "categórica, texto, entera o numérica".into(),
            found: other.to_string(),
        }),
    }
}

/// Assigns dense codes in sorted order of the distinct values. Consecutive
/// equal values (sorted survey files) skip the hash lookup.
fn dense_codes<T, I, F, C>(values: I, to_label: F, cmp: C) -> Codes
where
    T: std::hash::Hash + Eq + Clone,
    I: Iterator<Item = Option<T>>,
    F: Fn(&T) -> String,
    C: Fn(&T, &T) -> std::cmp::Ordering,
{
    let mut seen: HashMap<T, u32> = HashMap::new();
    let mut distinct: Vec<T> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(values.size_hint().0);
    let mut last: Option<(T, u32)> = None;
    for v in values {
        let Some(v) = v else {
            codes.push(MISSING);
            continue;
        };
        if let Some((lv, lc)) = &last
            && *lv == v
        {
            codes.push(*lc);
            continue;
        }
        let code = *seen.entry(v.clone()).or_insert_with(|| {
            distinct.push(v.clone());
            (distinct.len() - 1) as u32
        });
        codes.push(code);
        last = Some((v, code));
    }
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_by(|&a, &b| cmp(&distinct[a as usize], &distinct[b as usize]));
    let mut remap = vec![0u32; distinct.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    for c in codes.iter_mut() {
        if *c != MISSING {
            *c = remap[*c as usize];
        }
    }
    let labels = order
        .iter()
        .map(|&old| Label::same(to_label(&distinct[old as usize])))
        .collect();
    Codes { codes, labels }
}
