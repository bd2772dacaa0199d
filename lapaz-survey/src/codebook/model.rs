//! Codebook data model and its TOML (serde) form.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Which file (unit of analysis) a variable belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    /// Households: one row per household (`folio`); INE calls the file *Vivienda*.
    Vivienda,
    /// Persons: one row per household member (`folio`, `nro`).
    Persona,
}

impl Table {
    /// The table's file stem inside a survey archive (`vivienda`, `persona`).
    pub fn file_stem(self) -> &'static str {
        match self {
            Table::Vivienda => "vivienda",
            Table::Persona => "persona",
        }
    }

    /// Both tables, households first.
    pub const ALL: [Table; 2] = [Table::Vivienda, Table::Persona];
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.file_stem())
    }
}

/// How a variable is stored and analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VarType {
    /// Integer codes with value labels; loaded as a polars `Enum` of the
    /// Spanish labels, in code order.
    Categorical,
    /// Whole numbers (counts, ages, years of schooling); loaded as `Int64`.
    Integer,
    /// Real numbers (money, minutes, weights); loaded as `Float64`.
    Float,
    /// Identifiers and free text (`folio`, `upm`); loaded as `String`.
    String,
}

/// The part a variable plays in the sample design or as a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Household identifier (`folio`); the join key between tables.
    HouseholdId,
    /// Person number within the household (`nro`).
    PersonId,
    /// Primary sampling unit (`upm`).
    Psu,
    /// Design stratum (`estrato`).
    Strata,
    /// Expansion factor (`factor`).
    Weight,
    /// Finite population correction of the first stage (PSUs in the stratum).
    Fpc,
}

/// One labelled value of a categorical variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueLabel {
    /// The code as stored in the file.
    pub code: i64,
    /// Spanish label.
    pub es: String,
    /// English label.
    pub en: String,
}

/// Label language for tables and charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Spanish (the default: the survey's users read Spanish).
    #[default]
    Es,
    /// English.
    En,
}

/// One variable of the survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Column name as in the files (lower case, INE style: `s01a_02`).
    pub name: String,
    /// The table that holds it.
    pub table: Table,
    /// Questionnaire module (`geografia`, `vivienda`, `empleo`, `movilidad`, …).
    pub module: String,
    /// Datathon sector it serves, if any (`movilidad`, `resiliencia`, `riesgos`, `empleo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Spanish label.
    pub label_es: String,
    /// English label.
    pub label_en: String,
    /// Storage and analysis type.
    #[serde(rename = "type")]
    pub var_type: VarType,
    /// Unit of measurement (`Bs/mes`, `minutos`, `años`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Design or key role, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Codes that mean "missing" (INE: 9/99/999 for *no sabe / no responde*);
    /// loaders turn them into nulls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<i64>,
    /// Value labels of a categorical variable, in code order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueLabel>,
    /// Who answers or when the variable is missing by design
    /// (`"personas de 10 años o más"`), in Spanish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub universe: Option<String>,
    /// Longer note: derivation, source question, caveats (Spanish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Variable {
    /// The label in the requested language.
    pub fn label(&self, lang: Language) -> &str {
        match lang {
            Language::Es => &self.label_es,
            Language::En => &self.label_en,
        }
    }

    /// The value label of `code`, if the variable declares it.
    pub fn value_label(&self, code: i64) -> Option<&ValueLabel> {
        self.values.iter().find(|v| v.code == code)
    }

    /// Position of `code` among the declared values (the polars `Enum` index).
    pub fn code_index(&self, code: i64) -> Option<usize> {
        self.values.iter().position(|v| v.code == code)
    }

    /// Whether `code` is one of the declared missing-value codes.
    pub fn is_missing_code(&self, code: i64) -> bool {
        self.missing.contains(&code)
    }

    /// The labels of all values in the requested language, in code order.
    pub fn labels(&self, lang: Language) -> Vec<&str> {
        self.values
            .iter()
            .map(|v| match lang {
                Language::Es => v.es.as_str(),
                Language::En => v.en.as_str(),
            })
            .collect()
    }
}

/// Survey-level metadata of a codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyInfo {
    /// Short identifier (`emh2023-sintetica`).
    pub id: String,
    /// Spanish title.
    pub title_es: String,
    /// English title.
    pub title_en: String,
    /// Whether the data are synthetic (the embedded stand-in always is).
    #[serde(default)]
    pub synthetic: bool,
    /// Free-text description (Spanish), e.g. how the data were made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Errors reading or checking a codebook.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodebookError {
    /// The TOML text does not parse or does not match the codebook schema.
    #[error("el libro de códigos no se puede leer: {0}")]
    Parse(#[from] toml::de::Error),
    /// A variable name appears twice in the same table.
    #[error("el libro de códigos declara dos veces la variable `{name}` en la tabla `{table}`")]
    Duplicate {
        /// Variable name.
        name: String,
        /// Table in which it is repeated.
        table: Table,
    },
    /// A categorical variable without value labels, or a value code repeated.
    #[error("la variable `{name}` es categórica pero {problem}")]
    BadValues {
        /// Variable name.
        name: String,
        /// What is wrong, in Spanish.
        problem: String,
    },
}

/// The codebook: survey metadata plus every variable of every table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codebook {
    /// Survey-level metadata.
    pub survey: SurveyInfo,
    /// All variables, households first, in file column order.
    #[serde(rename = "variable", default)]
    pub variables: Vec<Variable>,
}

impl Codebook {
    /// Parses and checks a codebook from its TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, CodebookError> {
        let codebook: Codebook = toml::from_str(text)?;
        codebook.check()?;
        Ok(codebook)
    }

    /// Serialises the codebook to TOML.
    pub fn to_toml_string(&self) -> String {
        // Serialising plain data structs cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks internal consistency: unique names per table, categorical
    /// variables with unique codes.
    pub fn check(&self) -> Result<(), CodebookError> {
        let mut seen: HashMap<(Table, &str), ()> = HashMap::new();
        for v in &self.variables {
            if seen.insert((v.table, v.name.as_str()), ()).is_some() {
                return Err(CodebookError::Duplicate {
                    name: v.name.clone(),
                    table: v.table,
                });
            }
            if v.var_type == VarType::Categorical {
                if v.values.is_empty() {
                    return Err(CodebookError::BadValues {
                        name: v.name.clone(),
                        problem: "no declara etiquetas de valores".into(),
                    });
                }
                let mut codes: Vec<i64> = v.values.iter().map(|x| x.code).collect();
                codes.sort_unstable();
                if codes.windows(2).any(|w| w[0] == w[1]) {
                    return Err(CodebookError::BadValues {
                        name: v.name.clone(),
                        problem: "repite un código en sus etiquetas".into(),
                    });
                }
            } else if !v.values.is_empty() {
                return Err(CodebookError::BadValues {
                    name: v.name.clone(),
                    problem: "tiene etiquetas de valores sin ser de tipo `categorical`".into(),
                });
            }
        }
        Ok(())
    }

    /// The first variable with this name (households are searched first).
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// The variable `name` of `table`.
    pub fn variable_in(&self, table: Table, name: &str) -> Option<&Variable> {
        self.variables
            .iter()
            .find(|v| v.table == table && v.name == name)
    }

    /// The variables of one table, in file column order.
    pub fn table_variables(&self, table: Table) -> impl Iterator<Item = &Variable> {
        self.variables.iter().filter(move |v| v.table == table)
    }

    /// The column that plays `role` in `table`, if declared.
    pub fn role_column(&self, table: Table, role: Role) -> Option<&str> {
        self.table_variables(table)
            .find(|v| v.role == Some(role))
            .map(|v| v.name.as_str())
    }

    /// Variables of a questionnaire module.
    pub fn module_variables<'a>(&'a self, module: &'a str) -> impl Iterator<Item = &'a Variable> {
        self.variables.iter().filter(move |v| v.module == module)
    }

    /// Variables that serve a datathon sector.
    pub fn sector_variables<'a>(&'a self, sector: &'a str) -> impl Iterator<Item = &'a Variable> {
        self.variables
            .iter()
            .filter(move |v| v.sector.as_deref() == Some(sector))
    }
}
