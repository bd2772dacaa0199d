//! `lapaz-survey info`: an overview of a survey (tables, row counts,
//! columns, strata, PSUs, weight sums), as a text table or JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use lapaz_survey::Survey;
use lapaz_survey::load::{ColumnMapping, LoadError, LoadOptions, TextEncoding};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Texto legible.
    Table,
    /// JSON (para otros programas).
    Json,
}

/// Text encoding of CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// UTF-8.
    Utf8,
    /// Latin-1 / Windows-1252 (INE).
    Latin1,
}

/// Arguments of `info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Archivo zip o carpeta con los datos (sin esta opción: la EMH 2023
    /// sintética incorporada).
    #[arg(long, value_name = "RUTA")]
    data: Option<PathBuf>,
    /// Formato de salida.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Mapeo de columnas (TOML) para datos con otra estructura (p. ej. INE).
    #[arg(long, value_name = "ARCHIVO")]
    mapping: Option<PathBuf>,
    /// Codificación de los CSV.
    #[arg(long, value_enum)]
    encoding: Option<Encoding>,
    /// Descartar (e informar) las filas con errores en vez de detenerse.
    #[arg(long)]
    lenient: bool,
}

fn load(args: &InfoArgs) -> Result<Survey, LoadError> {
    let mut options = if args.lenient {
        LoadOptions::lenient()
    } else {
        LoadOptions::strict()
    };
    if let Some(path) = &args.mapping {
        options = options.with_mapping(ColumnMapping::from_file(path)?);
    }
    if let Some(encoding) = args.encoding {
        options = options.with_encoding(match encoding {
            Encoding::Utf8 => TextEncoding::Utf8,
            Encoding::Latin1 => TextEncoding::Latin1,
        });
    }
    match &args.data {
        Some(path) => Survey::open_with(path, options),
        None => Survey::embedded_with(options),
    }
}

/// Runs `info`.
pub fn run(args: InfoArgs) -> ExitCode {
    let survey = match load(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let overview = survey.overview();
    let text = match args.format {
        Format::Json => match serde_json::to_string_pretty(&overview) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("error: no se pudo escribir el JSON: {e}");
                return ExitCode::FAILURE;
            }
        },
        Format::Table => {
            let mut text = overview.to_string();
            let report = survey.report();
            let details = report.tables.iter().any(|t| {
                !t.missing_codes_to_null.is_empty()
                    || !t.null_filled_columns.is_empty()
                    || !t.ignored_columns.is_empty()
            });
            if details || !report.is_clean() || !report.notes.is_empty() {
                text.push('\n');
                text.push_str(&report.to_string());
            }
            text
        }
    };
    // A closed pipe (`info | head`) is not an error worth a panic.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: no se pudo escribir la salida: {e}");
            ExitCode::FAILURE
        }
    }
}
