//! [`Survey`]: the loaded tables, their codebook and the load report.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::codebook::{Codebook, Role, Table};

use super::assemble;
use super::error::LoadError;
use super::frame::frame_error;
use super::options::LoadOptions;
use super::overview::{SurveyOverview, TableOverview};
use super::report::LoadReport;
use super::source::Source;

/// Where a survey came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Embedded,
    Path(PathBuf),
    Bytes(String),
}

/// The Spanish label shown wherever the embedded synthetic data appear.
pub const SYNTHETIC_LABEL: &str = "DATOS SINTÉTICOS: sustituto de enseñanza de la EMH 2023, \
     generado con semilla fija; no son los microdatos reales";

/// A loaded survey: the households (`vivienda`) and persons (`persona`)
/// tables as typed polars DataFrames, the codebook that typed them, and the
/// report of what happened to every row. Immutable once loaded.
///
/// Column types follow the codebook: categorical → polars `Enum` of the
/// Spanish labels in code order; integer → `Int64`; float → `Float64`;
/// string → `String`. Values equal to a variable's missing-value codes
/// (INE's 9/99/999 *no sabe / no responde*) become nulls, counted per column
/// in [`LoadReport`]. Persons join to households by `folio`
/// ([`persons_with_households`](Self::persons_with_households)).
///
/// Open a zip archive or a folder with `vivienda` and `persona` files (CSV,
/// Parquet with the `parquet` feature, SPSS `.sav` with the `spss` feature)
/// with [`Survey::open`]; other layouts load through a
/// [`ColumnMapping`](super::ColumnMapping).
#[derive(Debug, Clone)]
pub struct Survey {
    households: DataFrame,
    persons: DataFrame,
    codebook: Codebook,
    report: std::sync::Arc<LoadReport>,
    origin: Origin,
    references: BTreeMap<String, DataFrame>,
    documents: BTreeMap<String, String>,
}

impl Survey {
    pub(crate) fn new(
        households: DataFrame,
        persons: DataFrame,
        codebook: Codebook,
        report: LoadReport,
        origin: Origin,
        references: BTreeMap<String, DataFrame>,
        documents: BTreeMap<String, String>,
    ) -> Self {
        Survey {
            households,
            persons,
            codebook,
            report: std::sync::Arc::new(report),
            origin,
            references,
            documents,
        }
    }

    /// The embedded synthetic EMH 2023 stand-in (works offline; always
    /// labelled synthetic).
    ///
    /// ```
    /// let survey = lapaz_survey::Survey::embedded()?;
    /// assert!(survey.is_synthetic());
    /// assert!(survey.households().height() > 3_000);
    /// # Ok::<(), lapaz_survey::load::LoadError>(())
    /// ```
    pub fn embedded() -> Result<Survey, LoadError> {
        Self::embedded_with(LoadOptions::default())
    }

    /// The embedded survey, loaded with options (e.g. another codebook).
    pub fn embedded_with(options: LoadOptions) -> Result<Survey, LoadError> {
        let source = Source::zip_bytes(
            Cow::Borrowed(crate::data::embedded_archive()),
            format!("{} (embebido)", crate::data::EMBEDDED_NAME),
        )?;
        assemble::load(source, Origin::Embedded, &options)
    }

    /// Opens a survey: a zip archive or a folder holding `vivienda` and
    /// `persona` tables and, normally, `codebook.toml`. Strict: the first
    /// bad row is an error.
    pub fn open(path: impl AsRef<Path>) -> Result<Survey, LoadError> {
        Self::open_with(path, LoadOptions::default())
    }

    /// Opens a survey with options (lenient mode, encoding, mapping, size
    /// limit, codebook).
    pub fn open_with(path: impl AsRef<Path>, options: LoadOptions) -> Result<Survey, LoadError> {
        let path = path.as_ref();
        let source = Source::open(path, options.max_entry_bytes)?;
        assemble::load(source, Origin::Path(path.to_path_buf()), &options)
    }

    /// Loads a survey from the bytes of a zip archive (`label` names it in
    /// messages).
    pub fn from_zip_bytes(
        bytes: Vec<u8>,
        label: &str,
        options: LoadOptions,
    ) -> Result<Survey, LoadError> {
        let source = Source::zip_bytes(Cow::Owned(bytes), label.to_string())?;
        assemble::load(source, Origin::Bytes(label.to_string()), &options)
    }

    /// The households table (`vivienda`): one row per household.
    ///
    /// Like every table accessor, it returns a cheap copy (the columns are
    /// shared) that works in any later notebook cell; see [`Survey::table`].
    pub fn households(&self) -> DataFrame {
        crate::frame::detached(&self.households)
    }

    /// The persons table (`persona`): one row per household member.
    ///
    /// A cheap copy (the columns are shared); see [`Survey::table`].
    pub fn persons(&self) -> DataFrame {
        crate::frame::detached(&self.persons)
    }

    /// A table by name.
    ///
    /// The copy shares the column buffers, so it costs next to nothing, and
    /// it carries no cached schema: polars lookups by column name on it work
    /// in whichever notebook cell runs them (evcxr compiles each cell with
    /// its own copy of polars, whose name hashing differs between cells).
    pub fn table(&self, table: Table) -> DataFrame {
        crate::frame::detached(match table {
            Table::Vivienda => &self.households,
            Table::Persona => &self.persons,
        })
    }

    /// The codebook that typed the tables.
    pub fn codebook(&self) -> &Codebook {
        &self.codebook
    }

    /// What happened while loading: rows read / kept / rejected per table,
    /// rejected rows with reasons, missing codes turned to null.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Whether these are synthetic data (the embedded stand-in always is;
    /// other data are if their codebook says `synthetic = true`).
    pub fn is_synthetic(&self) -> bool {
        self.origin == Origin::Embedded || self.codebook.survey.synthetic
    }

    /// Where the data came from, in Spanish (for titles and captions).
    pub fn source_label(&self) -> String {
        let title = &self.codebook.survey.title_es;
        match &self.origin {
            Origin::Embedded => format!("{title} (datos embebidos)"),
            Origin::Path(p) => format!("{title} ({})", p.display()),
            Origin::Bytes(label) => format!("{title} ({label})"),
        }
    }

    /// Reference tables shipped with the data (e.g. `geografia/distritos`),
    /// by path without extension; column types are inferred.
    pub fn references(&self) -> &BTreeMap<String, DataFrame> {
        &self.references
    }

    /// One reference table, e.g. `survey.reference("geografia/macrodistritos")`.
    pub fn reference(&self, name: &str) -> Option<&DataFrame> {
        self.references.get(name)
    }

    /// A text document shipped with the data (`LEEME.md`, `targets.toml`).
    pub fn document(&self, name: &str) -> Option<&str> {
        self.documents.get(name).map(String::as_str)
    }

    /// The names of the shipped text documents.
    pub fn document_names(&self) -> impl Iterator<Item = &str> {
        self.documents.keys().map(String::as_str)
    }

    /// Persons with their household's columns, joined by the household key
    /// (`folio`): every person column, then every household column that the
    /// persons table does not already have (a person's `factor`, `upm`,
    /// `estrato`… are kept, not duplicated). Loading guarantees that every
    /// kept person has its household, so no person is lost.
    pub fn persons_with_households(&self) -> Result<DataFrame, LoadError> {
        let key = self
            .codebook
            .role_column(Table::Vivienda, Role::HouseholdId)
            .unwrap_or("folio");
        let person_key = self
            .codebook
            .role_column(Table::Persona, Role::HouseholdId)
            .unwrap_or("folio");
        let household_keys = string_values(&self.households, key)?;
        let index: HashMap<&str, IdxSize> = household_keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((k.as_deref()?, IdxSize::try_from(i).ok()?)))
            .collect();
        let person_keys = string_values(&self.persons, person_key)?;
        let take: Vec<Option<IdxSize>> = person_keys
            .iter()
            .map(|k| k.as_deref().and_then(|k| index.get(k).copied()))
            .collect();
        let take = IdxCa::from_iter_options("hogar".into(), take.into_iter());
        let person_names: HashSet<&str> = self
            .persons
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect();
        let extra: Vec<&str> = self
            .households
            .get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .filter(|n| !person_names.contains(n))
            .collect();
        let household_part = crate::frame::detached(&self.households)
            .select(extra)
            .and_then(|h| h.take(&take))
            .map_err(frame_error)?;
        crate::frame::detached(&self.persons)
            .hstack(household_part.columns())
            .map_err(frame_error)
    }

    /// Summary figures: tables, row counts, columns, strata, PSUs, weight
    /// sums (what `lapaz-survey info` prints).
    pub fn overview(&self) -> SurveyOverview {
        let tables = Table::ALL
            .iter()
            .map(|&t| {
                let frame = self.table(t);
                let report = self.report.table(t);
                TableOverview {
                    name: t.file_stem().to_string(),
                    file: report.map(|r| r.file.clone()).unwrap_or_default(),
                    rows_read: report.map_or(frame.height(), |r| r.rows_read),
                    rows_kept: frame.height(),
                    rows_rejected: report.map_or(0, |r| r.rows_rejected),
                    columns: frame
                        .get_column_names()
                        .into_iter()
                        .map(|c| c.to_string())
                        .collect(),
                    missing_codes_to_null: report
                        .map(|r| r.missing_codes_to_null.clone())
                        .unwrap_or_default(),
                    null_filled_columns: report
                        .map(|r| r.null_filled_columns.clone())
                        .unwrap_or_default(),
                    ignored_columns: report
                        .map(|r| r.ignored_columns.clone())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let role = |t: Table, r: Role| self.codebook.role_column(t, r);
        let strata_col = role(Table::Vivienda, Role::Strata);
        let psu_col = role(Table::Vivienda, Role::Psu);
        let strata = strata_col.and_then(|s| distinct(&self.households, &[s]));
        let psus = psu_col.and_then(|p| {
            let cols: Vec<&str> = strata_col.into_iter().chain([p]).collect();
            distinct(&self.households, &cols)
        });
        let weight_sum = |t: Table| {
            let col = role(t, Role::Weight)?;
            let table = match t {
                Table::Vivienda => &self.households,
                Table::Persona => &self.persons,
            };
            let series = crate::frame::column(table, col)?.as_materialized_series();
            series.cast(&DataType::Float64).ok()?.f64().ok()?.sum()
        };
        SurveyOverview {
            title: self.codebook.survey.title_es.clone(),
            source: self.source_label(),
            synthetic: self.is_synthetic(),
            synthetic_label: self.is_synthetic().then(|| SYNTHETIC_LABEL.to_string()),
            tables,
            households: self.households.height(),
            persons: self.persons.height(),
            strata,
            psus,
            macrodistricts: distinct(&self.households, &["macrodistrito"]),
            weight_sum_households: weight_sum(Table::Vivienda),
            weight_sum_persons: weight_sum(Table::Persona),
            rejected_rows: self.report.rejected.len(),
            notes: self.report.notes.clone(),
        }
    }
}

/// A column's values as text (Enum → label), `None` for nulls.
fn string_values(frame: &DataFrame, name: &str) -> Result<Vec<Option<String>>, LoadError> {
    let series = crate::frame::column(frame, name)
        .ok_or_else(|| {
            frame_error(polars::prelude::PolarsError::ColumnNotFound(
                name.to_string().into(),
            ))
        })?
        .as_materialized_series()
        .cast(&DataType::String)
        .map_err(frame_error)?;
    let ca = series.str().map_err(frame_error)?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}

/// Distinct non-null combinations of some columns, if they all exist.
fn distinct(frame: &DataFrame, names: &[&str]) -> Option<usize> {
    let columns: Vec<Vec<Option<String>>> = names
        .iter()
        .map(|n| string_values(frame, n).ok())
        .collect::<Option<_>>()?;
    let mut seen: HashSet<Vec<&str>> = HashSet::new();
    for i in 0..frame.height() {
        let key: Option<Vec<&str>> = columns
            .iter()
            .map(|c| c.get(i).and_then(|v| v.as_deref()))
            .collect();
        if let Some(key) = key {
            seen.insert(key);
        }
    }
    Some(seen.len())
}

impl fmt::Display for Survey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.overview())
    }
}

/// The embedded survey's codebook, used when data come without one.
pub(crate) fn embedded_codebook() -> Option<Codebook> {
    static CODEBOOK: std::sync::OnceLock<Option<Codebook>> = std::sync::OnceLock::new();
    CODEBOOK
        .get_or_init(|| {
            let mut source = Source::zip_bytes(
                Cow::Borrowed(crate::data::embedded_archive()),
                crate::data::EMBEDDED_NAME.to_string(),
            )
            .ok()?;
            let bytes = source
                .read("codebook.toml", super::options::DEFAULT_MAX_ENTRY_BYTES)
                .ok()?;
            Codebook::from_toml_str(std::str::from_utf8(&bytes).ok()?).ok()
        })
        .clone()
}
