//! Loading a whole survey from a source: find the codebook and the table
//! files, read, type and check each table, account for every row.

use std::collections::BTreeMap;

use polars::prelude::DataFrame;

use crate::codebook::{Codebook, Role, Table};

use super::csv_table::{CsvSettings, read_csv};
use super::error::LoadError;
use super::mapping::ColumnMapping;
use super::options::{LoadOptions, TextEncoding};
use super::raw::RawTable;
use super::reference::infer_frame;
use super::report::LoadReport;
use super::source::Source;
use super::survey::{Origin, Survey};
use super::typing::{NumberFormat, TypedTable, type_table};

/// Table file extensions, in order of preference.
const TABLE_EXTENSIONS: [&str; 4] = ["csv", "parquet", "sav", "zsav"];

/// The last path component of an entry.
fn base_name(entry: &str) -> &str {
    entry.rsplit('/').next().unwrap_or(entry)
}

fn split_ext(name: &str) -> (&str, String) {
    match name.rsplit_once('.') {
        Some((stem, ext)) => (stem, ext.to_ascii_lowercase()),
        None => (name, String::new()),
    }
}

fn depth(entry: &str) -> usize {
    entry.matches('/').count()
}

/// Finds the file of `table`: the mapping's name if given, else
/// `vivienda.csv|parquet|sav` (any case, any folder level, shallowest
/// first), else a name ending in `_vivienda` (as INE's `EH2023_Vivienda.sav`).
fn find_table(
    entries: &[String],
    table: Table,
    mapping: Option<&ColumnMapping>,
    source: &str,
) -> Result<String, LoadError> {
    let missing = |expected: String| LoadError::MissingTable {
        file: source.to_string(),
        table,
        expected,
        found: if entries.is_empty() {
            "ningún archivo".into()
        } else {
            entries.join(", ")
        },
    };
    if let Some(name) = mapping.and_then(|m| m.files.get(&table)) {
        let wanted = name.to_lowercase();
        return entries
            .iter()
            .filter(|e| e.to_lowercase() == wanted || base_name(e).to_lowercase() == wanted)
            .min_by_key(|e| depth(e))
            .cloned()
            .ok_or_else(|| missing(format!("`{name}` (indicado en el mapeo)")));
    }
    let stem = table.file_stem();
    let suffix = format!("_{stem}");
    let rank = |entry: &String| -> Option<(usize, usize, usize)> {
        let (s, ext) = split_ext(base_name(entry));
        let ext_rank = TABLE_EXTENSIONS.iter().position(|e| *e == ext)?;
        let s = s.to_lowercase();
        let name_rank = if s == stem {
            0
        } else if s.ends_with(&suffix) {
            1
        } else {
            return None;
        };
        Some((name_rank, depth(entry), ext_rank))
    };
    entries
        .iter()
        .filter_map(|e| rank(e).map(|r| (r, e)))
        .min()
        .map(|(_, e)| e.clone())
        .ok_or_else(|| {
            missing(format!(
                "`{stem}.csv`, `{stem}.parquet` o `{stem}.sav` (o un nombre que termine en \
                 `_{stem}`)"
            ))
        })
}

/// Reads one table file into a raw table, by extension.
fn read_raw(
    source: &mut Source,
    entry: &str,
    options: &LoadOptions,
    csv: CsvSettings,
) -> Result<RawTable, LoadError> {
    let file = source.entry_label(entry);
    let (_, ext) = split_ext(base_name(entry));
    let bytes = source.read(entry, options.max_entry_bytes)?;
    match ext.as_str() {
        "csv" | "txt" => read_csv(&bytes, &file, csv),
        "parquet" => read_parquet(bytes, file),
        "sav" | "zsav" => read_sav(bytes, file),
        _ => Err(LoadError::UnsupportedFormat { file }),
    }
}

#[cfg(feature = "parquet")]
fn read_parquet(bytes: Vec<u8>, file: String) -> Result<RawTable, LoadError> {
    super::parquet_table::read_parquet(bytes, file)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(_bytes: Vec<u8>, file: String) -> Result<RawTable, LoadError> {
    Err(LoadError::FeatureDisabled {
        file,
        feature: "parquet",
    })
}

#[cfg(feature = "spss")]
fn read_sav(bytes: Vec<u8>, file: String) -> Result<RawTable, LoadError> {
    super::spss_table::read_sav(bytes, file)
}

#[cfg(not(feature = "spss"))]
fn read_sav(_bytes: Vec<u8>, file: String) -> Result<RawTable, LoadError> {
    Err(LoadError::FeatureDisabled {
        file,
        feature: "spss",
    })
}

/// Finds and parses the codebook.
fn load_codebook(
    source: &mut Source,
    entries: &[String],
    options: &LoadOptions,
    notes: &mut Vec<String>,
) -> Result<Codebook, LoadError> {
    if let Some(codebook) = &options.codebook {
        notes.push("libro de códigos dado en `LoadOptions`".into());
        return Ok(codebook.clone());
    }
    let entry = entries
        .iter()
        .filter(|e| base_name(e).eq_ignore_ascii_case("codebook.toml"))
        .min_by_key(|e| depth(e))
        .cloned();
    let Some(entry) = entry else {
        return fallback_codebook(source, notes);
    };
    let file = source.entry_label(&entry);
    let bytes = source.read(&entry, options.max_entry_bytes)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes
            .get(..e.valid_up_to())
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        LoadError::Encoding {
            file: file.clone(),
            row: line as u64 + 1,
            column: "—".into(),
            found: super::error::escape_bytes(bytes.get(e.valid_up_to()..).unwrap_or_default()),
        }
    })?;
    Codebook::from_toml_str(text).map_err(|source| LoadError::Codebook { file, source })
}

/// The data have no codebook: use the embedded survey's.
fn fallback_codebook(source: &Source, notes: &mut Vec<String>) -> Result<Codebook, LoadError> {
    match super::survey::embedded_codebook() {
        Some(codebook) => {
            notes.push(
                "los datos no traen `codebook.toml`: se usa el libro de códigos de la encuesta \
                 embebida"
                    .into(),
            );
            Ok(codebook)
        }
        None => Err(LoadError::MissingCodebook {
            file: source.label().to_string(),
        }),
    }
}

/// Loads a survey from an opened source.
pub(crate) fn load(
    mut source: Source,
    origin: Origin,
    options: &LoadOptions,
) -> Result<Survey, LoadError> {
    let entries = source.entries();
    let mut notes = Vec::new();
    let codebook = load_codebook(&mut source, &entries, options, &mut notes)?;
    let mapping = options.mapping.as_ref();
    if let Some(m) = mapping {
        m.check_against(&codebook)?;
        if let Some(name) = &m.name {
            notes.push(format!("mapeo de columnas: {name}"));
        }
    }
    let csv = CsvSettings {
        encoding: options
            .encoding
            .or(mapping.and_then(|m| m.encoding))
            .unwrap_or(TextEncoding::Utf8),
        delimiter: mapping
            .and_then(|m| m.delimiter)
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(b','),
    };
    let format = NumberFormat {
        decimal_comma: mapping.and_then(|m| m.decimal) == Some(','),
    };

    let mut table_entries = Vec::new();
    let mut typed: Vec<TypedTable> = Vec::new();
    for table in Table::ALL {
        let entry = find_table(&entries, table, mapping, source.label())?;
        let raw = read_raw(&mut source, &entry, options, csv)?;
        table_entries.push(entry);
        typed.push(type_table(raw, table, &codebook, mapping, format)?);
    }
    let [mut households, mut persons] = match <[TypedTable; 2]>::try_from(typed) {
        Ok(tables) => tables,
        Err(_) => {
            return Err(LoadError::Frame {
                detail: "se esperaban dos tablas".into(),
            });
        }
    };

    households.check_unique(&[Role::HouseholdId]);
    if !options.is_lenient()
        && let Some(e) = households.first_error()
    {
        return Err(e);
    }
    let folios = households.kept_keys(Role::HouseholdId);
    persons.check_unique(&[Role::HouseholdId, Role::PersonId]);
    persons.check_parents(&folios);
    if !options.is_lenient()
        && let Some(e) = persons.first_error()
    {
        return Err(e);
    }

    let mut report = LoadReport {
        source: source.label().to_string(),
        ..LoadReport::default()
    };
    let mut frames = Vec::new();
    for t in [households, persons] {
        let finished = t.finish()?;
        report.tables.push(finished.report);
        report.rejected.extend(finished.rejected);
        frames.push(finished.frame);
    }
    let mut frames = frames.into_iter();
    let households = frames.next().unwrap_or_default();
    let persons = frames.next().unwrap_or_default();

    // Reference tables and documents that travel with the data.
    let mut references: BTreeMap<String, DataFrame> = BTreeMap::new();
    let mut documents: BTreeMap<String, String> = BTreeMap::new();
    for entry in &entries {
        if table_entries.contains(entry) || base_name(entry).eq_ignore_ascii_case("codebook.toml") {
            continue;
        }
        let (stem, ext) = split_ext(entry);
        match ext.as_str() {
            "csv" => {
                let file = source.entry_label(entry);
                let loaded = source
                    .read(entry, options.max_entry_bytes)
                    .and_then(|bytes| read_csv(&bytes, &file, csv))
                    .and_then(infer_frame);
                match loaded {
                    Ok(frame) => {
                        references.insert(stem.to_string(), frame);
                    }
                    Err(e) => notes.push(format!("tabla de referencia omitida: {e}")),
                }
            }
            "md" | "toml" | "txt" => {
                // Small text files only (documentation, calibration targets).
                if let Ok(bytes) = source.read(entry, 4 * 1024 * 1024)
                    && let Ok(text) = String::from_utf8(bytes)
                {
                    documents.insert(entry.clone(), text);
                }
            }
            _ => {}
        }
    }
    report.notes = notes;

    Ok(Survey::new(
        households, persons, codebook, report, origin, references, documents,
    ))
}
