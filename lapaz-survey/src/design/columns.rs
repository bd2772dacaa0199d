//! Turning polars columns into the compact arrays the estimators use:
//! `f64` values (NaN for missing) and dense `u32` codes with labels.

use std::collections::HashMap;

use polars::prelude::{ChunkedArray, Column, DataFrame, DataType, PolarsNumericType, Series};

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
    // A categorical column whose physical codes cannot be read.
    let unreadable_codes = || DesignError::WrongType {
        column: name.to_string(),
        role: role.to_string(),
        expected: "categórica".into(),
        found: series.dtype().to_string(),
    };
    match series.dtype() {
        DataType::Enum(fcats, _) => {
            let variable = codebook.and_then(|cb| cb.variable(name));
            let labels = fcats
                .categories()
                .values_iter()
                .map(|es| {
                    let en = variable
                        .and_then(|v| v.values.iter().find(|l| l.es == es))
                        .map(|l| l.en.clone())
                        .unwrap_or_else(|| es.to_string());
                    Label {
                        es: es.to_string(),
                        en,
                    }
                })
                .collect();
            // The physical codes are the category positions: read them from
            // the column's buffers, no cast and no strings.
            let codes = physical_codes(series).ok_or_else(unreadable_codes)?;
            Ok(Codes { codes, labels })
        }
        DataType::Categorical(_, mapping) => {
            // Physical ids index the column's string mapping; only the
            // distinct ids are turned into text, then sorted.
            let ids = physical_codes(series).ok_or_else(unreadable_codes)?;
            Ok(dense_ids(&ids, |id| {
                mapping.cat_to_str(id).unwrap_or_default()
            }))
        }
        DataType::String => {
            let ca = series.str().map_err(polars_err(name))?;
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

/// The physical codes of an `Enum` or `Categorical` column (category
/// positions, or ids in its string mapping), [`MISSING`] where null, read
/// straight from the column's buffers; `None` for other types.
fn physical_codes(series: &Series) -> Option<Vec<u32>> {
    fn read<T>(ca: &ChunkedArray<T>) -> Vec<u32>
    where
        T: PolarsNumericType,
        T::Native: Into<u32>,
    {
        let mut out = Vec::with_capacity(ca.len());
        for chunk in ca.downcast_iter() {
            let values = chunk.values().as_slice();
            match chunk.validity() {
                Some(valid) if valid.unset_bits() > 0 => out.extend(
                    values
                        .iter()
                        .zip(valid.iter())
                        .map(|(&v, ok)| if ok { v.into() } else { MISSING }),
                ),
                _ => out.extend(values.iter().map(|&v| v.into())),
            }
        }
        out
    }
    if let Ok(ca) = series.cat8() {
        Some(read(ca.physical()))
    } else if let Ok(ca) = series.cat16() {
        Some(read(ca.physical()))
    } else if let Ok(ca) = series.cat32() {
        Some(read(ca.physical()))
    } else {
        None
    }
}

/// Dense codes of small non-negative ids ([`MISSING`] for none), in the
/// order of their labels: a table indexed by id, no hashing.
fn dense_ids<'a>(ids: &[u32], label: impl Fn(u32) -> &'a str) -> Codes {
    let bound = ids
        .iter()
        .filter(|&&c| c != MISSING)
        .max()
        .map_or(0, |&m| m as usize + 1);
    if bound > 4 * ids.len() + (1 << 16) {
        return dense_codes(
            ids.iter().map(|&c| (c != MISSING).then_some(c)),
            |&c| label(c).to_string(),
            |&a, &b| label(a).cmp(label(b)),
        );
    }
    let mut seen = vec![false; bound];
    for &c in ids {
        if c != MISSING {
            seen[c as usize] = true;
        }
    }
    let mut distinct: Vec<u32> = (0..bound as u32).filter(|&c| seen[c as usize]).collect();
    distinct.sort_by(|&a, &b| label(a).cmp(label(b)));
    let mut remap = vec![MISSING; bound];
    for (new, &old) in distinct.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    Codes {
        codes: ids
            .iter()
            .map(|&c| {
                if c == MISSING {
                    MISSING
                } else {
                    remap[c as usize]
                }
            })
            .collect(),
        labels: distinct.iter().map(|&c| Label::same(label(c))).collect(),
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
