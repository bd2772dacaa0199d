//! Row filters for subpopulations (`design.subset(...)`), usable without
//! polars' lazy API.
//!
//! Comparisons follow R's `subset()`: a row whose value is missing is not in
//! the subpopulation (missing compares as unknown, and unknown is dropped),
//! with three-valued logic for `and`, `or` and `!`.

use std::sync::Arc;

use polars::prelude::{DataFrame, DataType};

use super::columns::{MISSING, codes_of, get_column, is_numeric, numeric_values};
use super::error::DesignError;
use crate::codebook::Codebook;

/// A value a filter compares a column with: text (a category label in
/// Spanish or English, or a string) or a number (a numeric value, or the
/// codebook code of a category).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text: matches a category label (Spanish or English) or a string.
    Text(String),
    /// A number: matches a numeric value or a category's code.
    Number(f64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Number(x)
    }
}
impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Value::Number(x as f64)
    }
}
impl From<i32> for Value {
    fn from(x: i32) -> Self {
        Value::Number(f64::from(x))
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(s) => write!(f, "\"{s}\""),
            Value::Number(x) => write!(f, "{x}"),
        }
    }
}

/// A numeric comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl Compare {
    fn symbol(self) -> &'static str {
        match self {
            Compare::Gt => ">",
            Compare::Ge => ">=",
            Compare::Lt => "<",
            Compare::Le => "<=",
        }
    }
    fn test(self, a: f64, b: f64) -> bool {
        match self {
            Compare::Gt => a > b,
            Compare::Ge => a >= b,
            Compare::Lt => a < b,
            Compare::Le => a <= b,
        }
    }
}

/// Which rows form a subpopulation.
///
/// ```
/// use lapaz_survey::design::Filter;
///
/// let urban_adults = Filter::eq("area", "Urbana").and(Filter::ge("edad", 18));
/// assert_eq!(urban_adults.to_string(), "area == \"Urbana\" & edad >= 18");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Filter {
    /// The column equals the value.
    Eq(String, Value),
    /// The column equals one of the values.
    In(String, Vec<Value>),
    /// A numeric comparison of the column with a number.
    Cmp(String, Compare, f64),
    /// The column is not missing.
    NotMissing(String),
    /// A boolean column is true.
    IsTrue(String),
    /// An explicit mask, one entry per row.
    Mask(Arc<Vec<bool>>),
    /// Both filters hold.
    And(Box<Filter>, Box<Filter>),
    /// Either filter holds.
    Or(Box<Filter>, Box<Filter>),
    /// The filter does not hold.
    Not(Box<Filter>),
}

impl Filter {
    /// `column == value` (a category label in Spanish or English, a string,
    /// a number, or a category code).
    pub fn eq(column: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::Eq(column.into(), value.into())
    }
    /// `column %in% values`.
    pub fn is_in<V: Into<Value>>(
        column: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Filter::In(column.into(), values.into_iter().map(Into::into).collect())
    }
    /// `column > x`.
    pub fn gt(column: impl Into<String>, x: impl Into<f64>) -> Self {
        Filter::Cmp(column.into(), Compare::Gt, x.into())
    }
    /// `column >= x`.
    pub fn ge(column: impl Into<String>, x: impl Into<f64>) -> Self {
        Filter::Cmp(column.into(), Compare::Ge, x.into())
    }
    /// `column < x`.
    pub fn lt(column: impl Into<String>, x: impl Into<f64>) -> Self {
        Filter::Cmp(column.into(), Compare::Lt, x.into())
    }
    /// `column <= x`.
    pub fn le(column: impl Into<String>, x: impl Into<f64>) -> Self {
        Filter::Cmp(column.into(), Compare::Le, x.into())
    }
    /// `!is.na(column)`.
    pub fn not_missing(column: impl Into<String>) -> Self {
        Filter::NotMissing(column.into())
    }
    /// A boolean column is true.
    pub fn is_true(column: impl Into<String>) -> Self {
        Filter::IsTrue(column.into())
    }
    /// An explicit row mask (length = rows of the design's data).
    pub fn mask(mask: Vec<bool>) -> Self {
        Filter::Mask(Arc::new(mask))
    }
    /// Both filters hold.
    pub fn and(self, other: Filter) -> Self {
        Filter::And(Box::new(self), Box::new(other))
    }
    /// Either filter holds.
    pub fn or(self, other: Filter) -> Self {
        Filter::Or(Box::new(self), Box::new(other))
    }

    /// Evaluates the filter: `true` for rows in the subpopulation (unknown
    /// results count as not in it, as R's `subset`).
    pub fn evaluate(
        &self,
        df: &DataFrame,
        codebook: Option<&Codebook>,
    ) -> Result<Vec<bool>, DesignError> {
        Ok(self
            .eval3(df, codebook)?
            .into_iter()
            .map(|v| v == Some(true))
            .collect())
    }

    /// Evaluates the filter with R's three-valued logic: `Some(true)`,
    /// `Some(false)`, or `None` where a compared value is missing and the
    /// result cannot be decided (used for indicators, where R gives `NA`).
    pub(crate) fn evaluate_nullable(
        &self,
        df: &DataFrame,
        codebook: Option<&Codebook>,
    ) -> Result<Vec<Option<bool>>, DesignError> {
        self.eval3(df, codebook)
    }

    fn eval3(
        &self,
        df: &DataFrame,
        codebook: Option<&Codebook>,
    ) -> Result<Vec<Option<bool>>, DesignError> {
        match self {
            Filter::Eq(col, v) => matches_values(df, codebook, col, std::slice::from_ref(v)),
            Filter::In(col, vs) => matches_values(df, codebook, col, vs),
            Filter::Cmp(col, op, x) => {
                let values = numeric_for_filter(df, col)?;
                Ok(values
                    .iter()
                    .map(|&v| (!v.is_nan()).then(|| op.test(v, *x)))
                    .collect())
            }
            Filter::NotMissing(col) => {
                let c = get_column(df, col, "filtro")?;
                let s = c.as_materialized_series();
                let mut out: Vec<Option<bool>> = s.is_not_null().iter().collect();
                if s.dtype().is_float() {
                    let v = numeric_values(df, col, "filtro")?;
                    for (o, x) in out.iter_mut().zip(v) {
                        if x.is_nan() {
                            *o = Some(false);
                        }
                    }
                }
                Ok(out)
            }
            Filter::IsTrue(col) => {
                let c = get_column(df, col, "filtro")?;
                let ca = c
                    .as_materialized_series()
                    .bool()
                    .map_err(|_| DesignError::BadFilter {
                        column: col.clone(),
                        problem: format!(
                            "se esperaba una columna lógica (Boolean), es {}",
                            c.dtype()
                        ),
                    })?;
                Ok(ca.iter().collect())
            }
            Filter::Mask(m) => {
                if m.len() != df.height() {
                    return Err(DesignError::MaskLength {
                        expected: df.height(),
                        found: m.len(),
                    });
                }
                Ok(m.iter().map(|&b| Some(b)).collect())
            }
            Filter::And(a, b) => {
                let (a, b) = (a.eval3(df, codebook)?, b.eval3(df, codebook)?);
                Ok(a.into_iter()
                    .zip(b)
                    .map(|(x, y)| match (x, y) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    })
                    .collect())
            }
            Filter::Or(a, b) => {
                let (a, b) = (a.eval3(df, codebook)?, b.eval3(df, codebook)?);
                Ok(a.into_iter()
                    .zip(b)
                    .map(|(x, y)| match (x, y) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    })
                    .collect())
            }
            Filter::Not(a) => Ok(a
                .eval3(df, codebook)?
                .into_iter()
                .map(|x| x.map(|b| !b))
                .collect()),
        }
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        Filter::Not(Box::new(self))
    }
}

impl std::fmt::Display for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Filter::Eq(c, v) => write!(f, "{c} == {v}"),
            Filter::In(c, vs) => {
                let list: Vec<String> = vs.iter().map(|v| v.to_string()).collect();
                write!(f, "{c} %in% c({})", list.join(", "))
            }
            Filter::Cmp(c, op, x) => write!(f, "{c} {} {x}", op.symbol()),
            Filter::NotMissing(c) => write!(f, "!is.na({c})"),
            Filter::IsTrue(c) => write!(f, "{c}"),
            Filter::Mask(m) => write!(f, "máscara ({} filas)", m.iter().filter(|&&b| b).count()),
            Filter::And(a, b) => write!(f, "{a} & {b}"),
            Filter::Or(a, b) => write!(f, "({a} | {b})"),
            Filter::Not(a) => write!(f, "!({a})"),
        }
    }
}

fn numeric_for_filter(df: &DataFrame, col: &str) -> Result<Vec<f64>, DesignError> {
    let c = get_column(df, col, "filtro")?;
    if !is_numeric(c.dtype()) {
        return Err(DesignError::BadFilter {
            column: col.to_string(),
            problem: format!(
                "una comparación numérica necesita una columna numérica; es {}",
                c.dtype()
            ),
        });
    }
    numeric_values(df, col, "filtro")
}

/// `column ∈ values` with R's missing semantics.
fn matches_values(
    df: &DataFrame,
    codebook: Option<&Codebook>,
    col: &str,
    values: &[Value],
) -> Result<Vec<Option<bool>>, DesignError> {
    let c = get_column(df, col, "filtro")?;
    let dtype = c.dtype().clone();
    if is_numeric(&dtype) && !matches!(dtype, DataType::Boolean) {
        let mut wanted = Vec::new();
        for v in values {
            match v {
                Value::Number(x) => wanted.push(*x),
                Value::Text(t) => match t.trim().parse::<f64>() {
                    Ok(x) => wanted.push(x),
                    Err(_) => {
                        return Err(DesignError::BadFilter {
                            column: col.to_string(),
                            problem: format!(
                                "la columna es numérica y el valor \"{t}\" no es un número"
                            ),
                        });
                    }
                },
            }
        }
        let x = numeric_values(df, col, "filtro")?;
        return Ok(x
            .iter()
            .map(|&v| (!v.is_nan()).then(|| wanted.contains(&v)))
            .collect());
    }
    // Categories and text: compare labels.
    let codes = codes_of(df, col, "filtro", codebook)?;
    let variable = codebook.and_then(|cb| cb.variable(col));
    let mut hit = vec![false; codes.labels.len()];
    for v in values {
        let mut found = false;
        for (i, label) in codes.labels.iter().enumerate() {
            let is = match v {
                Value::Text(t) => label.es == *t || label.en == *t,
                Value::Number(x) => variable
                    .and_then(|var| var.values.iter().find(|l| l.code as f64 == *x))
                    .is_some_and(|l| l.es == label.es),
            };
            if is {
                hit[i] = true;
                found = true;
            }
        }
        if !found {
            // A value absent from the data is fine (empty subpopulation) if
            // the codebook knows it; otherwise it is most likely a typo.
            let known = variable.is_some_and(|var| {
                var.values.iter().any(|l| match v {
                    Value::Text(t) => l.es == *t || l.en == *t,
                    Value::Number(x) => l.code as f64 == *x,
                })
            });
            if !known {
                let shown: Vec<String> = codes
                    .labels
                    .iter()
                    .take(20)
                    .map(|l| format!("\"{}\"", l.es))
                    .collect();
                return Err(DesignError::BadFilter {
                    column: col.to_string(),
                    problem: format!(
                        "el valor {v} no aparece en la columna; valores presentes: {}",
                        shown.join(", ")
                    ),
                });
            }
        }
    }
    Ok(codes
        .codes
        .iter()
        .map(|&c| (c != MISSING).then(|| hit[c as usize]))
        .collect())
}
