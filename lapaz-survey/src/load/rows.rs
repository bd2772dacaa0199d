//! Row-wise access: any serde struct deserialised from a table's rows
//! ([`Survey::rows`]), and the ready-made [`Hogar`] and [`Persona`].
//!
//! Cells map to serde values as follows: null → `None`; `Int64` → `i64`;
//! `Float64` → `f64` (also accepted by integer fields when whole);
//! `String` → `&str`; categorical (`Enum`) → the **code** (`i64`) for number
//! fields and the **Spanish label** for `String` fields. Struct fields that
//! the table lacks are `None` if optional, else an error.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use polars::prelude::*;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

use crate::codebook::{Table, Variable};

use super::error::LoadError;
use super::frame::{enum_labels, frame_error};
use super::survey::Survey;

/// A column's cells, extracted once for row-wise reading.
enum Cells {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    Cat {
        idx: Vec<Option<u32>>,
        codes: Vec<i64>,
        labels: Vec<String>,
    },
}

fn extract(column: &Column, var: Option<&Variable>) -> Result<Cells, LoadError> {
    let series = column.as_materialized_series();
    let dtype = series.dtype();
    Ok(match dtype {
        DataType::Enum(..) | DataType::Categorical(..) => {
            let idx = series
                .to_physical_repr()
                .cast(&DataType::UInt32)
                .map_err(frame_error)?;
            let idx = idx.u32().map_err(frame_error)?.iter().collect();
            let (codes, labels) = match var {
                Some(var) => (
                    var.values.iter().map(|v| v.code).collect(),
                    enum_labels(var),
                ),
                None => {
                    let mapping = dtype.cat_mapping().map_err(frame_error)?;
                    let labels: Vec<String> = (0..mapping.num_cats_upper_bound())
                        .map(|i| {
                            u32::try_from(i)
                                .ok()
                                .and_then(|c| mapping.cat_to_str(c))
                                .unwrap_or_default()
                                .to_string()
                        })
                        .collect();
                    ((0..labels.len() as i64).collect(), labels)
                }
            };
            Cells::Cat { idx, codes, labels }
        }
        DataType::Boolean => Cells::Bool(series.bool().map_err(frame_error)?.iter().collect()),
        DataType::String => Cells::Str(
            series
                .str()
                .map_err(frame_error)?
                .iter()
                .map(|s| s.map(str::to_string))
                .collect(),
        ),
        d if d.is_float() => {
            let s = series.cast(&DataType::Float64).map_err(frame_error)?;
            Cells::Float(s.f64().map_err(frame_error)?.iter().collect())
        }
        d if d.is_integer() => {
            let s = series.cast(&DataType::Int64).map_err(frame_error)?;
            Cells::Int(s.i64().map_err(frame_error)?.iter().collect())
        }
        _ => {
            let s = series.cast(&DataType::String).map_err(frame_error)?;
            Cells::Str(
                s.str()
                    .map_err(frame_error)?
                    .iter()
                    .map(|s| s.map(str::to_string))
                    .collect(),
            )
        }
    })
}

/// The error type of the row deserialiser.
#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

/// One cell.
struct CellDe<'a> {
    cells: &'a Cells,
    row: usize,
    column: &'a str,
}

impl CellDe<'_> {
    fn is_null(&self) -> bool {
        let i = self.row;
        match self.cells {
            Cells::Int(v) => v.get(i).copied().flatten().is_none(),
            Cells::Float(v) => v.get(i).copied().flatten().is_none(),
            Cells::Str(v) => v.get(i).is_none_or(|x| x.is_none()),
            Cells::Bool(v) => v.get(i).copied().flatten().is_none(),
            Cells::Cat { idx, .. } => idx.get(i).copied().flatten().is_none(),
        }
    }

    fn code(&self) -> Option<(i64, &str)> {
        let Cells::Cat { idx, codes, labels } = self.cells else {
            return None;
        };
        let k = idx.get(self.row).copied().flatten()? as usize;
        Some((*codes.get(k)?, labels.get(k)?.as_str()))
    }

    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let Cells::Float(v) = self.cells
            && let Some(x) = v.get(self.row).copied().flatten()
            && x.fract() == 0.0
            && x.abs() < 9.0e15
        {
            return visitor.visit_i64(x as i64);
        }
        de::Deserializer::deserialize_any(self, visitor)
    }
}

macro_rules! integer_hint {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            self.integer(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for CellDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let i = self.row;
        match self.cells {
            Cells::Int(v) => match v.get(i).copied().flatten() {
                Some(x) => visitor.visit_i64(x),
                None => visitor.visit_none(),
            },
            Cells::Float(v) => match v.get(i).copied().flatten() {
                Some(x) => visitor.visit_f64(x),
                None => visitor.visit_none(),
            },
            Cells::Str(v) => match v.get(i).and_then(|x| x.as_deref()) {
                Some(s) => visitor.visit_str(s),
                None => visitor.visit_none(),
            },
            Cells::Bool(v) => match v.get(i).copied().flatten() {
                Some(b) => visitor.visit_bool(b),
                None => visitor.visit_none(),
            },
            Cells::Cat { .. } => match self.code() {
                Some((code, _)) => visitor.visit_i64(code),
                None => visitor.visit_none(),
            },
        }
        .map_err(|e: DeError| DeError(format!("columna `{}`: {e}", self.column)))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.code() {
            Some((_, label)) => visitor.visit_str(label),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    integer_hint! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char bytes byte_buf unit unit_struct
        newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The columns of a struct's fields, computed for the first row and reused
/// (serde passes the same `fields` slice for every row of one struct type).
type FieldCache = RefCell<Option<(&'static [&'static str], Rc<[usize]>)>>;

/// One row, as a map from column name to cell.
struct RowDe<'a> {
    names: &'a [String],
    cells: &'a [Cells],
    lookup: &'a HashMap<&'a str, usize>,
    cache: &'a FieldCache,
    row: usize,
}

struct RowMap<'a> {
    de: &'a RowDe<'a>,
    columns: Rc<[usize]>,
    next: usize,
}

impl<'de> MapAccess<'de> for RowMap<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(&j) = self.columns.get(self.next) else {
            return Ok(None);
        };
        let name = self.de.names.get(j).map_or("", String::as_str);
        seed.deserialize(name.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let j = self.columns.get(self.next).copied().unwrap_or(usize::MAX);
        self.next += 1;
        let cells = self
            .de
            .cells
            .get(j)
            .ok_or_else(|| DeError("columna inexistente".into()))?;
        seed.deserialize(CellDe {
            cells,
            row: self.de.row,
            column: self.de.names.get(j).map_or("", String::as_str),
        })
    }
}

impl<'de> de::Deserializer<'de> for &RowDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(RowMap {
            de: self,
            columns: (0..self.names.len()).collect::<Rc<[usize]>>(),
            next: 0,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let cached = match &*self.cache.borrow() {
            Some((f, columns)) if std::ptr::eq(*f, fields) => Some(Rc::clone(columns)),
            _ => None,
        };
        let columns = match cached {
            Some(columns) => columns,
            None => {
                let columns: Rc<[usize]> = fields
                    .iter()
                    .filter_map(|f| self.lookup.get(f).copied())
                    .collect();
                *self.cache.borrow_mut() = Some((fields, Rc::clone(&columns)));
                columns
            }
        };
        visitor.visit_map(RowMap {
            de: self,
            columns,
            next: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// Deserialises every row of `frame` (a table of `table` typed by the
/// survey's codebook) into `T`.
pub(crate) fn frame_rows<T: DeserializeOwned>(
    survey: &Survey,
    table: Table,
    frame: &DataFrame,
) -> Result<Vec<T>, LoadError> {
    let names: Vec<String> = frame
        .get_column_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect();
    let cells = frame
        .columns()
        .iter()
        .zip(&names)
        .map(|(c, n)| extract(c, survey.codebook().variable_in(table, n)))
        .collect::<Result<Vec<_>, _>>()?;
    let lookup: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(j, n)| (n.as_str(), j))
        .collect();
    let cache: FieldCache = RefCell::new(None);
    (0..frame.height())
        .map(|row| {
            let de = RowDe {
                names: &names,
                cells: &cells,
                lookup: &lookup,
                cache: &cache,
                row,
            };
            T::deserialize(&de).map_err(|e| LoadError::Row {
                table,
                row: row as u64 + 1,
                detail: e.0,
            })
        })
        .collect()
}

impl Survey {
    /// Every row of a table as a `T` (any `serde::Deserialize` struct whose
    /// field names are column names; it may take only some columns).
    /// Categorical columns give their code to number fields and their
    /// Spanish label to `String` fields; nulls need `Option` fields.
    ///
    /// ```
    /// # use lapaz_survey::Survey;
    /// # use lapaz_survey::codebook::Table;
    /// #[derive(serde::Deserialize)]
    /// struct Mini {
    ///     folio: String,
    ///     factor: f64,
    ///     macrodistrito: Option<i64>,        // the code
    /// }
    /// # fn demo(survey: &Survey) -> Result<(), lapaz_survey::load::LoadError> {
    /// let rows: Vec<Mini> = survey.rows(Table::Vivienda)?;
    /// # Ok(()) }
    /// ```
    pub fn rows<T: DeserializeOwned>(&self, table: Table) -> Result<Vec<T>, LoadError> {
        frame_rows(self, table, &self.table(table))
    }
}
