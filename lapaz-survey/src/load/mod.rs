//! Loading a survey: zip archives or folders of CSV, Parquet (feature
//! `parquet`) or SPSS `.sav` (feature `spss`) tables, typed by the codebook
//! into polars DataFrames and serde row structs, with every row accounted
//! for.
//!
//! - [`Survey`]: the loaded, immutable survey: [`Survey::open`] a zip file or
//!   folder, [`Survey::open_with`] options.
//! - [`LoadOptions`]: strict (default) or [lenient](LoadOptions::lenient),
//!   text encoding, size limit, [`ColumnMapping`], codebook.
//! - [`LoadError`]: what went wrong, where (file, row, column), what was
//!   expected and found, and a hint — in Spanish.
//! - [`LoadReport`]: rows read / kept / rejected per table, rejected rows
//!   with their reasons, missing codes turned into nulls.
//! - [`Hogar`], [`Persona`]: row structs; [`Survey::rows`] deserialises any
//!   serde struct from a table.
//!
//! ```
//! use lapaz_survey::Survey;
//! use lapaz_survey::codebook::Table;
//!
//! // The embedded synthetic stand-in; `Survey::open("EMH2023.zip")` reads files.
//! let survey = Survey::embedded()?;
//! println!("{survey}"); // overview: tables, rows, strata, PSUs, weights
//!
//! // Typed DataFrames: categorical columns are labelled (polars Enum).
//! let hogares = survey.households();
//! assert!(hogares.column("macrodistrito")?.dtype().is_enum());
//!
//! // Every row is accounted for.
//! let report = survey.report().table(Table::Persona).expect("persons were loaded");
//! assert_eq!(report.rows_read, report.rows_kept + report.rows_rejected);
//!
//! // Row structs: categorical fields hold codes.
//! let personas = survey.personas()?;
//! assert_eq!(personas.len(), survey.persons().height());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout of a survey
//!
//! A zip archive or folder with `vivienda.csv` and `persona.csv` (or
//! `.parquet`, `.sav`; names compared without case, `EH2023_Vivienda.sav`
//! also found) and `codebook.toml` (without it, the embedded survey's
//! codebook is used). Other `.csv` files (e.g. `geografia/distritos.csv`)
//! load as [reference tables](Survey::reference); `.md` and `.toml` files as
//! [documents](Survey::document).
//!
//! CSV files: comma-separated (see [`ColumnMapping`] for `;`), header row,
//! empty field = null, categorical columns as integer codes, UTF-8 or
//! Latin-1. Row numbers in errors count the header as row 1.
//!
//! # Types
//!
//! Codebook type → polars dtype: categorical → `Enum` of the Spanish labels
//! in code order (a label repeated within a variable gets its code appended);
//! integer → `Int64`; float → `Float64`; string → `String`. A value equal to
//! one of the variable's `missing` codes becomes null; the report counts them
//! per column.
//!
//! # Checks
//!
//! Numbers parse; categorical codes are declared in the codebook; weights
//! (role `weight`) are present and positive; identifiers (roles
//! `household_id`, `person_id`) are present and unique (`folio` among
//! households, (`folio`, `nro`) among persons); every person's household is
//! loaded. Strict loading returns the first problem (the lowest row of the
//! first table); lenient loading rejects the row and goes on. Archive entries
//! are read with a limit on decompressed bytes (zip bombs).

mod assemble;
mod csv_table;
mod error;
mod frame;
mod mapping;
mod options;
mod overview;
#[cfg(feature = "parquet")]
mod parquet_table;
mod raw;
mod records;
mod reference;
mod report;
mod rows;
mod source;
#[cfg(feature = "spss")]
mod spss_table;
mod survey;
mod typing;

pub use error::{LoadError, WeightProblem};
pub use frame::dtype_of;
pub use mapping::{ColumnMapping, MissingColumns};
pub use options::{DEFAULT_MAX_ENTRY_BYTES, LoadOptions, Strictness, TextEncoding};
pub use overview::{SurveyOverview, TableOverview};
pub use records::{Hogar, Persona};
pub use report::{LoadReport, RejectedRow, TableReport};
pub use survey::{SYNTHETIC_LABEL, Survey};
