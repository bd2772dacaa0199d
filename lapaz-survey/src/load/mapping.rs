//! [`ColumnMapping`]: how another survey's files map onto our schema.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::codebook::{Codebook, Table};

use super::error::LoadError;
use super::options::TextEncoding;

/// What to do with a codebook column that the files do not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingColumns {
    /// A [`MissingColumn`](super::LoadError::MissingColumn) error (the default).
    #[default]
    Error,
    /// The column is added with every value null, and listed in the report.
    Null,
}

/// A column mapping: how another survey's files map onto our schema, in
/// TOML, so that the real EMH 2023 or an INE *Encuesta de Hogares* year loads
/// without writing code.
///
/// ```toml
/// name = "INE Encuesta de Hogares 2023 (.sav)"
/// encoding = "latin1"          # CSV text: "utf8" (default) or "latin1"
/// delimiter = ";"              # CSV field separator (default ",")
/// decimal = ","                # decimal mark of CSV numbers (default ".")
/// missing_columns = "null"     # codebook columns absent from the files:
///                              # "error" (default) or "null" (all-null column)
///
/// [files]                      # file names (archive entries), if not vivienda.* / persona.*
/// vivienda = "EH2023_Vivienda.sav"
/// persona = "EH2023_Persona.sav"
///
/// [columns.vivienda]           # codebook name = name in the file (case-insensitive)
/// pared = "s06a_03"
///
/// [recode.persona.s01a_05]     # codes in the file = codes of the codebook
/// "12" = 10
/// ```
///
/// Column names in the files are compared case-insensitively (INE switched
/// some years to UPPERCASE names), and all loaded columns carry the
/// codebook's lower-case names. File columns that the codebook does not
/// declare are left out of the DataFrames and listed in the
/// [`LoadReport`](super::LoadReport).
///
/// `data/mappings/ine-eh2023.toml` in the crate is a complete, commented
/// example for INE's Encuesta de Hogares 2023.
///
/// ```
/// use lapaz_survey::codebook::Table;
/// use lapaz_survey::load::{ColumnMapping, LoadOptions};
///
/// let mapping = ColumnMapping::from_toml_str(r#"
///     [files]
///     vivienda = "EH2023_Vivienda.sav"
///     [columns.vivienda]
///     pared = "S06A_03"
/// "#)?;
/// assert_eq!(mapping.source_column(Table::Vivienda, "pared"), Some("S06A_03"));
/// let options = LoadOptions::default().with_mapping(mapping);
/// // Survey::open_with("EH2023.zip", options)?
/// # Ok::<(), lapaz_survey::load::LoadError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ColumnMapping {
    /// A name for the mapping (shown in the report).
    #[serde(default)]
    pub name: Option<String>,
    /// Text encoding of CSV files.
    #[serde(default)]
    pub encoding: Option<TextEncoding>,
    /// CSV field separator (an ASCII character; default `,`).
    #[serde(default)]
    pub delimiter: Option<char>,
    /// Decimal mark of numbers in CSV files (`.` or `,`; default `.`).
    #[serde(default)]
    pub decimal: Option<char>,
    /// What to do with codebook columns the files lack.
    #[serde(default)]
    pub missing_columns: MissingColumns,
    /// File (archive entry) name of each table.
    #[serde(default)]
    pub files: HashMap<Table, String>,
    /// Per table: codebook column name → column name in the file.
    #[serde(default)]
    pub columns: HashMap<Table, HashMap<String, String>>,
    /// Per table and codebook column: code in the file → code of the codebook.
    #[serde(default)]
    pub recode: HashMap<Table, HashMap<String, HashMap<String, i64>>>,
}

impl ColumnMapping {
    /// Parses a mapping from TOML text (the `file` name is used in errors).
    pub fn from_toml_str(text: &str) -> Result<Self, LoadError> {
        Self::parse(text, "<mapeo>")
    }

    /// Reads a mapping from a TOML file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                LoadError::NotFound {
                    path: path.to_path_buf(),
                }
            } else {
                LoadError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    fn parse(text: &str, file: &str) -> Result<Self, LoadError> {
        let mapping: ColumnMapping = toml::from_str(text).map_err(|e| LoadError::Mapping {
            file: file.to_string(),
            detail: e.message().to_string(),
        })?;
        let bad = |detail: String| LoadError::Mapping {
            file: file.to_string(),
            detail,
        };
        if let Some(d) = mapping.delimiter
            && !(d.is_ascii() && d != '"' && d != '\n' && d != '\r')
        {
            return Err(bad(format!(
                "`delimiter` debe ser un carácter ASCII, no `{d}`"
            )));
        }
        if let Some(d) = mapping.decimal
            && d != '.'
            && d != ','
        {
            return Err(bad(format!("`decimal` debe ser \".\" o \",\", no `{d}`")));
        }
        for (table, columns) in &mapping.recode {
            for (column, codes) in columns {
                for from in codes.keys() {
                    if from.trim().parse::<i64>().is_err() {
                        return Err(bad(format!(
                            "en [recode.{table}.{column}] la clave `{from}` no es un código entero"
                        )));
                    }
                }
            }
        }
        Ok(mapping)
    }

    /// Checks that every column the mapping names exists in the codebook.
    pub(crate) fn check_against(&self, codebook: &Codebook) -> Result<(), LoadError> {
        let names = self
            .columns
            .iter()
            .flat_map(|(t, m)| m.keys().map(move |k| (*t, k)))
            .chain(
                self.recode
                    .iter()
                    .flat_map(|(t, m)| m.keys().map(move |k| (*t, k))),
            );
        for (table, name) in names {
            if codebook.variable_in(table, name).is_none() {
                return Err(LoadError::Mapping {
                    file: self.name.clone().unwrap_or_else(|| "<mapeo>".into()),
                    detail: format!(
                        "la columna `{name}` no está en el libro de códigos de la tabla `{table}`"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The name in the file of the codebook column `name` of `table`.
    pub fn source_column(&self, table: Table, name: &str) -> Option<&str> {
        self.columns
            .get(&table)
            .and_then(|m| m.get(name))
            .map(String::as_str)
    }

    /// The recode table (file code → codebook code) of a column, if any.
    pub(crate) fn recodes(&self, table: Table, name: &str) -> Option<HashMap<i64, i64>> {
        let codes = self.recode.get(&table)?.get(name)?;
        Some(
            codes
                .iter()
                .filter_map(|(k, v)| k.trim().parse::<i64>().ok().map(|k| (k, *v)))
                .collect(),
        )
    }
}
