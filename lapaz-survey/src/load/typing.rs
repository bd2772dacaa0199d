//! [`RawTable`] + codebook → typed columns, with one error per bad row:
//! numbers are parsed, codes recoded and checked against the value labels,
//! missing-value codes turned into nulls, weights and keys checked.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::codebook::{Codebook, Role, Table, VarType, Variable};

use super::error::{LoadError, WeightProblem};
use super::mapping::{ColumnMapping, MissingColumns};
use super::raw::{Cell, RawTable, format_float};

/// Typed values of one column, one per row (rejected rows included until
/// the table is finished).
#[derive(Debug)]
pub(crate) enum Values {
    /// Index into the variable's value labels.
    Cat(Vec<Option<u32>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
}

/// One typed column, named and typed as in the codebook.
#[derive(Debug)]
pub(crate) struct TypedColumn {
    pub var: Variable,
    pub values: Values,
    /// The column's index in the raw table (`None` if null-filled).
    pub source: Option<usize>,
    /// Rows whose value was a missing-value code, now null.
    pub missing_hits: Vec<usize>,
}

impl TypedColumn {
    /// The value of row `i` as key text (`None` when null).
    pub fn key_text(&self, i: usize) -> Option<String> {
        match &self.values {
            Values::Str(v) => v.get(i).cloned().flatten(),
            Values::Int(v) => v.get(i).copied().flatten().map(|x| x.to_string()),
            Values::Float(v) => v.get(i).copied().flatten().map(format_float),
            Values::Cat(v) => v
                .get(i)
                .copied()
                .flatten()
                .and_then(|k| self.var.values.get(k as usize))
                .map(|l| l.code.to_string()),
        }
    }
}

/// A table after typing: columns in codebook order, the raw table (for the
/// fields of rejected rows) and the rejected rows so far.
#[derive(Debug)]
pub(crate) struct TypedTable {
    pub table: Table,
    pub raw: RawTable,
    pub columns: Vec<TypedColumn>,
    pub rejected: BTreeMap<usize, LoadError>,
    pub null_filled: Vec<String>,
    pub ignored: Vec<String>,
}

impl TypedTable {
    pub fn column_with_role(&self, role: Role) -> Option<&TypedColumn> {
        self.columns.iter().find(|c| c.var.role == Some(role))
    }

    /// Records a problem with row `i`, unless the row already has one.
    pub fn reject(&mut self, i: usize, error: LoadError) {
        self.rejected.entry(i).or_insert(error);
    }

    /// Rejects later occurrences of the same key among rows not yet rejected.
    pub fn check_unique(&mut self, roles: &[Role]) {
        let cols: Vec<usize> = roles
            .iter()
            .filter_map(|r| self.columns.iter().position(|c| c.var.role == Some(*r)))
            .collect();
        if cols.len() != roles.len() {
            return;
        }
        let column_names = cols
            .iter()
            .filter_map(|&c| self.columns.get(c).map(|c| c.var.name.clone()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut first: HashMap<Vec<String>, usize> = HashMap::new();
        let mut duplicates = Vec::new();
        for i in 0..self.raw.n_rows() {
            if self.rejected.contains_key(&i) {
                continue;
            }
            let key: Option<Vec<String>> = cols
                .iter()
                .map(|&c| self.columns.get(c).and_then(|col| col.key_text(i)))
                .collect();
            let Some(key) = key else { continue };
            match first.get(&key) {
                Some(&j) => duplicates.push((i, j, key.join(", "))),
                None => {
                    first.insert(key, i);
                }
            }
        }
        for (i, j, key) in duplicates {
            let error = LoadError::DuplicateKey {
                file: self.raw.file.clone(),
                row: self.file_row(i),
                column: column_names.clone(),
                key,
                first_row: self.file_row(j),
            };
            self.reject(i, error);
        }
    }

    /// The household keys of the rows not rejected.
    pub fn kept_keys(&self, role: Role) -> HashSet<String> {
        let Some(col) = self.column_with_role(role) else {
            return HashSet::new();
        };
        (0..self.raw.n_rows())
            .filter(|i| !self.rejected.contains_key(i))
            .filter_map(|i| col.key_text(i))
            .collect()
    }

    /// Rejects rows whose household key is not in `households`.
    pub fn check_parents(&mut self, households: &HashSet<String>) {
        let Some(pos) = self
            .columns
            .iter()
            .position(|c| c.var.role == Some(Role::HouseholdId))
        else {
            return;
        };
        let mut orphans = Vec::new();
        if let Some(col) = self.columns.get(pos) {
            for i in 0..self.raw.n_rows() {
                if self.rejected.contains_key(&i) {
                    continue;
                }
                if let Some(folio) = col.key_text(i)
                    && !households.contains(&folio)
                {
                    orphans.push((i, col.var.name.clone(), folio));
                }
            }
        }
        for (i, column, folio) in orphans {
            let error = LoadError::OrphanPerson {
                file: self.raw.file.clone(),
                row: self.file_row(i),
                column,
                folio,
            };
            self.reject(i, error);
        }
    }

    pub fn file_row(&self, i: usize) -> u64 {
        self.raw.rows.get(i).copied().unwrap_or(i as u64 + 1)
    }
}

/// How numbers are written in text cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberFormat {
    pub decimal_comma: bool,
}

/// Types a raw table against the codebook's variables of `table`.
pub(crate) fn type_table(
    raw: RawTable,
    table: Table,
    codebook: &Codebook,
    mapping: Option<&ColumnMapping>,
    format: NumberFormat,
) -> Result<TypedTable, LoadError> {
    // File names, lower-cased, → column index.
    let mut index: HashMap<String, usize> = HashMap::new();
    for (j, name) in raw.names.iter().enumerate() {
        let lower = name.to_lowercase();
        if index.insert(lower.clone(), j).is_some() {
            return Err(LoadError::DuplicateColumn {
                file: raw.file.clone(),
                column: lower,
            });
        }
    }

    let n = raw.n_rows();
    let mut rejected: BTreeMap<usize, LoadError> = BTreeMap::new();
    let mut columns = Vec::new();
    let mut used = HashSet::new();
    let mut null_filled = Vec::new();
    let null_missing = mapping.is_some_and(|m| m.missing_columns == MissingColumns::Null);

    for var in codebook.table_variables(table) {
        let source = mapping
            .and_then(|m| m.source_column(table, &var.name))
            .unwrap_or(&var.name)
            .to_lowercase();
        let Some(&j) = index.get(&source) else {
            if null_missing {
                null_filled.push(var.name.clone());
                columns.push(null_column(var, n));
                continue;
            }
            let mut expected = format!("`{source}`");
            if source != var.name {
                expected.push_str(&format!(" (mapeada a `{}`)", var.name));
            }
            return Err(LoadError::MissingColumn {
                file: raw.file.clone(),
                column: var.name.clone(),
                expected,
                found: list_names(&raw.names),
            });
        };
        used.insert(j);
        let recodes = mapping
            .and_then(|m| m.recodes(table, &var.name))
            .unwrap_or_default();
        let column = type_column(&raw, j, var, &recodes, format, &mut |i, e| {
            rejected.entry(i).or_insert(e);
        });
        columns.push(column);
    }

    let ignored = raw
        .names
        .iter()
        .enumerate()
        .filter(|(j, _)| !used.contains(j))
        .map(|(_, n)| n.to_lowercase())
        .collect();

    // Errors found while reading come first for their row.
    let mut typed = TypedTable {
        table,
        raw,
        columns,
        rejected: BTreeMap::new(),
        null_filled,
        ignored,
    };
    let read_errors = std::mem::take(&mut typed.raw.row_errors);
    typed.rejected = read_errors;
    for (i, e) in rejected {
        typed.reject(i, e);
    }
    check_roles(&mut typed);
    Ok(typed)
}

fn list_names(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(30).map(String::as_str).collect();
    let mut s = shown.join(", ");
    if names.len() > shown.len() {
        s.push_str(&format!(", … ({} columnas)", names.len()));
    }
    if s.is_empty() {
        s = "ninguna columna".into();
    }
    s
}

fn null_column(var: &Variable, n: usize) -> TypedColumn {
    let values = match var.var_type {
        VarType::Categorical => Values::Cat(vec![None; n]),
        VarType::Integer => Values::Int(vec![None; n]),
        VarType::Float => Values::Float(vec![None; n]),
        VarType::String => Values::Str(vec![None; n]),
    };
    TypedColumn {
        var: var.clone(),
        values,
        source: None,
        missing_hits: Vec::new(),
    }
}

const INTEGER: &str = "un número entero";
const NUMBER: &str = "un número";

fn type_column(
    raw: &RawTable,
    j: usize,
    var: &Variable,
    recodes: &HashMap<i64, i64>,
    format: NumberFormat,
    reject: &mut dyn FnMut(usize, LoadError),
) -> TypedColumn {
    let Some(column) = raw.columns.get(j) else {
        return null_column(var, raw.n_rows());
    };
    let n = column.len();
    let mut missing_hits = Vec::new();
    let not_numeric = |i: usize, expected: &'static str| LoadError::NotNumeric {
        file: raw.file.clone(),
        row: raw.rows.get(i).copied().unwrap_or(i as u64 + 1),
        column: var.name.clone(),
        expected,
        found: column.cell_text(i),
    };
    let values = match var.var_type {
        VarType::String => Values::Str(
            (0..n)
                .map(|i| match column.cell(i) {
                    Cell::Null => None,
                    Cell::Text(s) => Some(s.to_string()),
                    Cell::Int(x) => Some(x.to_string()),
                    Cell::Float(x) => Some(format_float(x)),
                })
                .collect(),
        ),
        VarType::Integer | VarType::Categorical => {
            let mut ints = Vec::with_capacity(n);
            for i in 0..n {
                let value = match to_int(column.cell(i), format) {
                    Ok(v) => v.map(|x| recodes.get(&x).copied().unwrap_or(x)),
                    Err(()) => {
                        reject(i, not_numeric(i, INTEGER));
                        None
                    }
                };
                let value = match value {
                    Some(x) if var.is_missing_code(x) => {
                        missing_hits.push(i);
                        None
                    }
                    other => other,
                };
                ints.push(value);
            }
            if var.var_type == VarType::Integer {
                Values::Int(ints)
            } else {
                let mut cats = Vec::with_capacity(n);
                for (i, code) in ints.into_iter().enumerate() {
                    cats.push(match code {
                        None => None,
                        Some(code) => match var.code_index(code) {
                            Some(k) => u32::try_from(k).ok(),
                            None => {
                                reject(
                                    i,
                                    LoadError::UnknownCode {
                                        file: raw.file.clone(),
                                        row: raw.rows.get(i).copied().unwrap_or(i as u64 + 1),
                                        column: var.name.clone(),
                                        found: code,
                                        expected: declared_codes(var),
                                    },
                                );
                                None
                            }
                        },
                    });
                }
                Values::Cat(cats)
            }
        }
        VarType::Float => {
            let mut floats = Vec::with_capacity(n);
            for i in 0..n {
                let value = match to_float(column.cell(i), format) {
                    Ok(v) => v,
                    Err(()) => {
                        reject(i, not_numeric(i, NUMBER));
                        None
                    }
                };
                let value = match value {
                    Some(x) if var.missing.iter().any(|&m| m as f64 == x) => {
                        missing_hits.push(i);
                        None
                    }
                    other => other,
                };
                floats.push(value);
            }
            Values::Float(floats)
        }
    };
    TypedColumn {
        var: var.clone(),
        values,
        source: Some(j),
        missing_hits,
    }
}

fn declared_codes(var: &Variable) -> String {
    let mut codes: Vec<String> = var.values.iter().map(|v| v.code.to_string()).collect();
    if codes.len() > 25 {
        let n = codes.len();
        codes.truncate(25);
        codes.push(format!("… ({n} códigos)"));
    }
    let mut s = format!("[{}]", codes.join(", "));
    if !var.missing.is_empty() {
        let missing: Vec<String> = var.missing.iter().map(|m| m.to_string()).collect();
        s.push_str(&format!(" o los de dato faltante [{}]", missing.join(", ")));
    }
    s
}

/// Largest integer that a float holds exactly (2^53).
const EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

fn to_int(cell: Cell<'_>, format: NumberFormat) -> Result<Option<i64>, ()> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Int(x) => Ok(Some(x)),
        Cell::Float(x) => float_to_int(x).map(Some),
        Cell::Text(s) => {
            if let Ok(x) = s.parse::<i64>() {
                return Ok(Some(x));
            }
            // "3.0" (as spreadsheets and SPSS exports write whole numbers).
            float_to_int(parse_float(s, format)?).map(Some)
        }
    }
}

fn float_to_int(x: f64) -> Result<i64, ()> {
    if x.is_finite() && x.fract() == 0.0 && x.abs() <= EXACT_FLOAT_INT {
        Ok(x as i64)
    } else {
        Err(())
    }
}

fn to_float(cell: Cell<'_>, format: NumberFormat) -> Result<Option<f64>, ()> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Int(x) => Ok(Some(x as f64)),
        Cell::Float(x) if x.is_finite() => Ok(Some(x)),
        Cell::Float(_) => Err(()),
        Cell::Text(s) => parse_float(s, format).map(Some),
    }
}

fn parse_float(s: &str, format: NumberFormat) -> Result<f64, ()> {
    let x = if format.decimal_comma {
        s.replace(',', ".").parse::<f64>()
    } else {
        s.parse::<f64>()
    };
    // Rust also parses "inf" and "NaN": not numbers a survey file should hold.
    match x {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(()),
    }
}

/// Weights must be positive; identifiers must be present.
fn check_roles(typed: &mut TypedTable) {
    let mut errors = Vec::new();
    let file = typed.raw.file.clone();
    for col in &typed.columns {
        match col.var.role {
            Some(Role::Weight) => {
                let raw_index = col.source;
                let weights: Vec<Option<f64>> = match &col.values {
                    Values::Float(v) => v.clone(),
                    Values::Int(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
                    _ => continue,
                };
                for (i, w) in weights.iter().enumerate() {
                    let problem = match w {
                        None => WeightProblem::Missing,
                        Some(x) if *x == 0.0 => WeightProblem::Zero,
                        Some(x) if *x < 0.0 => WeightProblem::Negative,
                        Some(_) => continue,
                    };
                    let found = raw_index
                        .and_then(|j| typed.raw.columns.get(j))
                        .map(|c| c.cell_text(i))
                        .unwrap_or_default();
                    errors.push((
                        i,
                        LoadError::BadWeight {
                            file: file.clone(),
                            row: typed.file_row(i),
                            column: col.var.name.clone(),
                            problem,
                            found,
                        },
                    ));
                }
            }
            Some(Role::HouseholdId | Role::PersonId) => {
                for i in 0..typed.raw.n_rows() {
                    if col.key_text(i).is_none() {
                        errors.push((
                            i,
                            LoadError::MissingKey {
                                file: file.clone(),
                                row: typed.file_row(i),
                                column: col.var.name.clone(),
                            },
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for (i, e) in errors {
        typed.reject(i, e);
    }
}
