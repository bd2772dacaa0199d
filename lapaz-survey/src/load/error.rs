//! [`LoadError`]: everything that can go wrong while loading a survey, with
//! the place (file, row, column), what was expected, what was found and a
//! hint for the student, in Spanish.

use std::fmt;
use std::path::PathBuf;

use crate::codebook::{CodebookError, Table};

/// What is wrong with a weight (`factor`) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightProblem {
    /// The cell is empty (or holds a missing-value code).
    Missing,
    /// The weight is zero.
    Zero,
    /// The weight is negative.
    Negative,
}

impl WeightProblem {
    fn describe(self) -> &'static str {
        match self {
            WeightProblem::Missing => "vacío",
            WeightProblem::Zero => "cero",
            WeightProblem::Negative => "negativo",
        }
    }
}

/// An error while loading a survey.
///
/// Every variant names the place of the problem: the file (for archive
/// entries `archivo.zip:vivienda.csv`), the row as an editor shows it (in a
/// CSV file the header is row 1, so the first data row is row 2; in `.sav`
/// and Parquet files the first case is row 1), and the column. The accessors
/// [`file`](Self::file), [`row`](Self::row), [`column`](Self::column),
/// [`expected`](Self::expected), [`found`](Self::found) and
/// [`hint`](Self::hint) give these pieces uniformly; `Display` writes them as
/// one Spanish sentence.
///
/// In strict mode (the default) the first error stops loading; in lenient
/// mode the row-level errors (wrong column count, non-numeric value, unknown
/// code, bad weight, missing or duplicate key, orphan person) reject just
/// their row, and are listed in the [`LoadReport`](super::LoadReport).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The path given does not exist.
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The operating system refused to read a file.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file expected to be a zip archive is not one.
    NotZip {
        /// The file.
        file: String,
        /// Its first bytes, escaped.
        found: String,
    },
    /// A zip archive is truncated or damaged (central directory missing,
    /// CRC mismatch, an entry ending early).
    CorruptZip {
        /// The archive.
        file: String,
        /// The entry being read, if the damage was found inside one.
        entry: Option<String>,
        /// The zip reader's description.
        detail: String,
    },
    /// An archive entry or file is larger than the configured limit
    /// ([`LoadOptions::max_entry_bytes`](super::LoadOptions::max_entry_bytes)):
    /// a protection against zip bombs. The limit is applied to the bytes
    /// actually decompressed, not only to the size the archive declares.
    EntryTooLarge {
        /// The archive or folder.
        file: String,
        /// The entry.
        entry: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A table (`vivienda`, `persona`) has no file in the archive or folder.
    MissingTable {
        /// The archive or folder.
        file: String,
        /// The table.
        table: Table,
        /// The file names that were looked for.
        expected: String,
        /// The files present.
        found: String,
    },
    /// The survey has no codebook (`codebook.toml`) and none was given.
    MissingCodebook {
        /// The archive or folder.
        file: String,
    },
    /// The codebook does not parse or is inconsistent.
    Codebook {
        /// The codebook file.
        file: String,
        /// The codebook error.
        #[source]
        source: CodebookError,
    },
    /// The column mapping does not parse or names something unknown.
    Mapping {
        /// The mapping file (or `<mapeo>` when given in code).
        file: String,
        /// What is wrong.
        detail: String,
    },
    /// A column of the codebook is not in the file.
    MissingColumn {
        /// The file.
        file: String,
        /// The column (codebook name; the file name it was mapped from, if any,
        /// appears in `expected`).
        column: String,
        /// The column names looked for.
        expected: String,
        /// The columns present in the file.
        found: String,
    },
    /// Two columns of a file have the same name (after lower-casing).
    DuplicateColumn {
        /// The file.
        file: String,
        /// The repeated name.
        column: String,
    },
    /// A row has a different number of fields than the header.
    ColumnCount {
        /// The file.
        file: String,
        /// The row in the file.
        row: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A value that should be a number (or a whole number) is not.
    NotNumeric {
        /// The file.
        file: String,
        /// The row in the file.
        row: u64,
        /// The column.
        column: String,
        /// What was expected (`"número entero"`, `"número"`).
        expected: &'static str,
        /// The value found.
        found: String,
    },
    /// A categorical value whose code the codebook does not declare.
    UnknownCode {
        /// The file.
        file: String,
        /// The row in the file.
        row: u64,
        /// The column.
        column: String,
        /// The code found.
        found: i64,
        /// The declared codes (and missing-value codes), as a list.
        expected: String,
    },
    /// A missing, zero or negative weight.
    BadWeight {
        /// The file.
        file: String,
        /// The row in the file.
        row: u64,
        /// The weight column.
        column: String,
        /// What is wrong.
        problem: WeightProblem,
        /// The value found (empty when missing).
        found: String,
    },
    /// An identifier (`folio`, `nro`) is empty.
    MissingKey {
        /// The file.
        file: String,
        /// The row in the file.
        row: u64,
        /// The key column.
        column: String,
    },
    /// A household (`folio`) or person (`folio`, `nro`) appears twice.
    DuplicateKey {
        /// The file.
        file: String,
        /// The row of the repeated occurrence.
        row: u64,
        /// The key column(s), e.g. `folio` or `folio, nro`.
        column: String,
        /// The key value, e.g. `0101…1` or `0101…1, 3`.
        key: String,
        /// The row of the first occurrence (kept).
        first_row: u64,
    },
    /// A person whose household (`folio`) is not among the loaded households.
    OrphanPerson {
        /// The persons file.
        file: String,
        /// The row in the file.
        row: u64,
        /// The household key column.
        column: String,
        /// The household key.
        folio: String,
    },
    /// Text that is not valid in the expected encoding.
    Encoding {
        /// The file.
        file: String,
        /// The row in the file.
        row: u64,
        /// The column (its header name; `encabezado` for the header row).
        column: String,
        /// The offending bytes, escaped.
        found: String,
    },
    /// A Parquet or SPSS table while the cargo feature that reads it is off.
    FeatureDisabled {
        /// The file.
        file: String,
        /// The cargo feature (`parquet`, `spss`).
        feature: &'static str,
    },
    /// A file with an extension the loader does not read.
    UnsupportedFormat {
        /// The file.
        file: String,
    },
    /// A Parquet or SPSS file that its reader rejects (damaged or unusual).
    Format {
        /// The file.
        file: String,
        /// The reader's description.
        detail: String,
    },
    /// A malformed CSV file (e.g. an unterminated quote), other than a
    /// wrong field count.
    Csv {
        /// The file.
        file: String,
        /// The row in the file, if known.
        row: Option<u64>,
        /// The CSV reader's description.
        detail: String,
    },
    /// A row that does not convert into the requested row struct.
    Row {
        /// The table.
        table: Table,
        /// The row in the DataFrame (1-based).
        row: u64,
        /// What is wrong.
        detail: String,
    },
    /// Building a DataFrame failed (a bug: please report it).
    Frame {
        /// The polars error message.
        detail: String,
    },
}

impl LoadError {
    /// The file (or archive entry, `archivo.zip:persona.csv`) concerned.
    pub fn file(&self) -> Option<String> {
        use LoadError::*;
        match self {
            NotFound { path } | Io { path, .. } => Some(path.display().to_string()),
            NotZip { file, .. }
            | MissingTable { file, .. }
            | MissingCodebook { file }
            | Codebook { file, .. }
            | Mapping { file, .. }
            | MissingColumn { file, .. }
            | DuplicateColumn { file, .. }
            | ColumnCount { file, .. }
            | NotNumeric { file, .. }
            | UnknownCode { file, .. }
            | BadWeight { file, .. }
            | MissingKey { file, .. }
            | DuplicateKey { file, .. }
            | OrphanPerson { file, .. }
            | Encoding { file, .. }
            | FeatureDisabled { file, .. }
            | UnsupportedFormat { file }
            | Format { file, .. }
            | Csv { file, .. } => Some(file.clone()),
            CorruptZip { file, entry, .. } => Some(match entry {
                Some(e) => format!("{file}:{e}"),
                None => file.clone(),
            }),
            EntryTooLarge { file, entry, .. } if entry.is_empty() => Some(file.clone()),
            EntryTooLarge { file, entry, .. } => Some(format!("{file}:{entry}")),
            Row { table, .. } => Some(table.file_stem().to_string()),
            Frame { .. } => None,
        }
    }

    /// The row in the file (CSV: the header is row 1; `.sav`/Parquet: the
    /// first case is row 1), when the error concerns one row.
    pub fn row(&self) -> Option<u64> {
        use LoadError::*;
        match self {
            ColumnCount { row, .. }
            | NotNumeric { row, .. }
            | UnknownCode { row, .. }
            | BadWeight { row, .. }
            | MissingKey { row, .. }
            | DuplicateKey { row, .. }
            | OrphanPerson { row, .. }
            | Encoding { row, .. }
            | Row { row, .. } => Some(*row),
            Csv { row, .. } => *row,
            _ => None,
        }
    }

    /// The column concerned, if any.
    pub fn column(&self) -> Option<&str> {
        use LoadError::*;
        match self {
            MissingColumn { column, .. }
            | DuplicateColumn { column, .. }
            | NotNumeric { column, .. }
            | UnknownCode { column, .. }
            | BadWeight { column, .. }
            | MissingKey { column, .. }
            | DuplicateKey { column, .. }
            | OrphanPerson { column, .. }
            | Encoding { column, .. } => Some(column),
            _ => None,
        }
    }

    /// What the loader expected, in Spanish, if it says something useful.
    pub fn expected(&self) -> Option<String> {
        use LoadError::*;
        Some(match self {
            NotZip { .. } => "un archivo zip (empieza con `PK`)".into(),
            MissingTable { expected, .. } => expected.clone(),
            MissingColumn { expected, .. } => expected.clone(),
            ColumnCount { expected, .. } => format!("{expected} campos"),
            NotNumeric { expected, .. } => (*expected).into(),
            UnknownCode { expected, .. } => format!("uno de los códigos {expected}"),
            BadWeight { .. } => "un factor de expansión mayor que cero".into(),
            MissingKey { .. } => "un identificador no vacío".into(),
            DuplicateKey { .. } => "un identificador único".into(),
            OrphanPerson { .. } => "un `folio` presente en la tabla de hogares".into(),
            Encoding { .. } => "texto UTF-8".into(),
            EntryTooLarge { limit, .. } => format!("como máximo {limit} bytes"),
            _ => return None,
        })
    }

    /// What the loader found, if it says something useful.
    pub fn found(&self) -> Option<String> {
        use LoadError::*;
        Some(match self {
            NotZip { found, .. } => found.clone(),
            MissingTable { found, .. } | MissingColumn { found, .. } => found.clone(),
            ColumnCount { found, .. } => format!("{found} campos"),
            NotNumeric { found, .. } => format!("`{found}`"),
            UnknownCode { found, .. } => found.to_string(),
            BadWeight { problem, found, .. } => {
                if found.is_empty() {
                    problem.describe().to_string()
                } else {
                    format!("{} (`{found}`)", problem.describe())
                }
            }
            DuplicateKey { key, first_row, .. } => {
                format!("`{key}`, ya visto en la fila {first_row}")
            }
            OrphanPerson { folio, .. } => format!("`{folio}`"),
            Encoding { found, .. } => found.clone(),
            _ => return None,
        })
    }

    /// A hint for fixing the problem, in Spanish.
    pub fn hint(&self) -> Option<String> {
        use LoadError::*;
        Some(match self {
            NotFound { .. } => "revise la ruta: debe ser un archivo .zip o una carpeta con \
                `vivienda` y `persona` (en CSV, Parquet o .sav)"
                .into(),
            Io { .. } => "revise los permisos del archivo".into(),
            NotZip { .. } => "si los datos están en una carpeta, pase la carpeta; si es un zip, \
                descárguelo de nuevo"
                .into(),
            CorruptZip { .. } => "el archivo está incompleto o dañado: descárguelo o cópielo de \
                nuevo"
                .into(),
            EntryTooLarge { .. } => "si el archivo es legítimo, aumente el límite con \
                `LoadOptions::with_max_entry_bytes`"
                .into(),
            MissingTable { table, .. } => format!(
                "nombre el archivo `{}.csv` (o .parquet/.sav), o indique su nombre en el mapeo \
                 de columnas (`[files] {} = \"…\"`)",
                table.file_stem(),
                table.file_stem()
            ),
            MissingCodebook { .. } => "agregue `codebook.toml` a los datos o páselo con \
                `LoadOptions::with_codebook`"
                .into(),
            Codebook { .. } => "corrija el libro de códigos; compare con el de los datos \
                embebidos"
                .into(),
            Mapping { .. } => "compare el mapeo con `data/mappings/ine-eh2023.toml`".into(),
            MissingColumn { column, .. } => format!(
                "si la columna tiene otro nombre, indíquelo en el mapeo (`{column} = \"nombre\"`); \
                 si no existe en estos datos, use `missing_columns = \"null\"` en el mapeo"
            ),
            DuplicateColumn { .. } => "renombre una de las dos columnas".into(),
            ColumnCount { .. } => "revise comillas y separadores en esa fila; ¿el separador es \
                `;`? (`delimiter = \";\"` en el mapeo)"
                .into(),
            NotNumeric { .. } => "corrija el valor, o déjelo vacío si falta; con coma decimal use \
                `decimal = \",\"` en el mapeo; `LoadOptions::lenient()` descarta la fila y la \
                informa"
                .into(),
            UnknownCode { .. } => "corrija el código o recodifíquelo en el mapeo \
                (`[recode.<tabla>.<columna>]`); `LoadOptions::lenient()` descarta la fila y la \
                informa"
                .into(),
            BadWeight { .. } => "cada fila necesita un factor de expansión positivo; \
                `LoadOptions::lenient()` descarta la fila y la informa"
                .into(),
            MissingKey { .. } => "cada fila necesita su identificador".into(),
            DuplicateKey { .. } => {
                "elimine la fila repetida; `LoadOptions::lenient()` conserva la \
                primera y descarta las demás"
                    .into()
            }
            OrphanPerson { .. } => "falta el hogar de esta persona en la tabla de hogares (o fue \
                descartado); `LoadOptions::lenient()` descarta a la persona y la informa"
                .into(),
            Encoding { .. } => "el archivo no es UTF-8; si viene del INE (Latin-1/Windows-1252), \
                use `encoding = \"latin1\"` en el mapeo o `LoadOptions::with_encoding(\
                TextEncoding::Latin1)`"
                .into(),
            FeatureDisabled { feature, .. } => format!(
                "active la característica de cargo `{feature}`: \
                 lapaz-survey = {{ version = \"…\", features = [\"{feature}\"] }}"
            ),
            UnsupportedFormat { .. } => "use CSV, Parquet (.parquet) o SPSS (.sav)".into(),
            Format { .. } => "el archivo parece dañado; expórtelo de nuevo".into(),
            Csv { .. } => "revise las comillas de esa fila".into(),
            Row { .. } => "revise que los tipos de los campos de la estructura coincidan con el \
                libro de códigos"
                .into(),
            Frame { .. } => "es un error del programa: por favor, infórmelo".into(),
        })
    }

    /// The one-line description of the problem, without place or hint.
    fn summary(&self) -> String {
        use LoadError::*;
        match self {
            NotFound { .. } => "no existe el archivo o la carpeta".into(),
            Io { source, .. } => format!("no se pudo leer ({source})"),
            NotZip { .. } => "no es un archivo zip".into(),
            CorruptZip { detail, .. } => format!("el zip está truncado o dañado ({detail})"),
            EntryTooLarge { .. } => "el contenido descomprimido es demasiado grande".into(),
            MissingTable { table, .. } => format!("falta la tabla `{table}`"),
            MissingCodebook { .. } => "falta el libro de códigos (`codebook.toml`)".into(),
            Codebook { source, .. } => format!("libro de códigos inválido: {source}"),
            Mapping { detail, .. } => format!("mapeo de columnas inválido: {detail}"),
            MissingColumn { .. } => "falta una columna del libro de códigos".into(),
            DuplicateColumn { .. } => "columna repetida".into(),
            ColumnCount { .. } => "la fila no tiene tantos campos como el encabezado".into(),
            NotNumeric { .. } => "valor no numérico en una columna numérica".into(),
            UnknownCode { .. } => "código que el libro de códigos no declara".into(),
            BadWeight { problem, .. } => {
                format!("factor de expansión {}", problem.describe())
            }
            MissingKey { .. } => "identificador vacío".into(),
            DuplicateKey { .. } => "identificador repetido".into(),
            OrphanPerson { .. } => "persona sin hogar".into(),
            Encoding { .. } => "texto con codificación inválida".into(),
            FeatureDisabled { feature, .. } => {
                format!("este formato necesita la característica `{feature}`")
            }
            UnsupportedFormat { .. } => "formato de archivo no soportado".into(),
            Format { detail, .. } => format!("archivo ilegible ({detail})"),
            Csv { detail, .. } => format!("CSV mal formado ({detail})"),
            Row { detail, .. } => format!("la fila no se convierte en la estructura ({detail})"),
            Frame { detail } => format!("error interno al construir la tabla ({detail})"),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())?;
        let mut place = Vec::new();
        if let Some(file) = self.file() {
            place.push(format!("archivo `{file}`"));
        }
        if let Some(row) = self.row() {
            place.push(format!("fila {row}"));
        }
        if let Some(col) = self.column() {
            place.push(format!("columna `{col}`"));
        }
        if !place.is_empty() {
            write!(f, " — {}", place.join(", "))?;
        }
        if let Some(e) = self.expected() {
            write!(f, "; se esperaba {e}")?;
        }
        if let Some(x) = self.found() {
            write!(f, "; se encontró {x}")?;
        }
        if let Some(h) = self.hint() {
            write!(f, ". Sugerencia: {h}")?;
        }
        Ok(())
    }
}

/// Escapes up to 16 bytes for display in an error (`b"\xf3n"` style).
pub(crate) fn escape_bytes(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(16)];
    let mut s: String = shown.escape_ascii().to_string();
    if bytes.len() > shown.len() {
        s.push('…');
    }
    format!("`{s}`")
}
