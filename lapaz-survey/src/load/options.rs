//! [`LoadOptions`]: strict or lenient, text encoding, size limit, column
//! mapping and codebook override.

use crate::codebook::Codebook;

use super::mapping::ColumnMapping;

/// How text files (CSV) are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    /// UTF-8 (the default). Invalid UTF-8 is an [`Encoding`](super::LoadError::Encoding)
    /// error naming the file, row and column.
    #[default]
    #[serde(alias = "utf8", alias = "utf-8")]
    Utf8,
    /// Latin-1, read as Windows-1252 (its superset, as the WHATWG encoding
    /// standard does): what INE Bolivia uses in some years. Every byte decodes.
    #[serde(
        alias = "latin-1",
        alias = "iso-8859-1",
        alias = "windows-1252",
        alias = "cp1252"
    )]
    Latin1,
}

/// Whether the first bad row stops loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strictness {
    /// The first error is returned (the default).
    #[default]
    Strict,
    /// Rows with errors are rejected and listed, with their reasons, in the
    /// [`LoadReport`](super::LoadReport); loading goes on. Errors that concern
    /// a whole file (missing table or column, encoding, damaged archive) still
    /// stop loading.
    Lenient,
}

/// The default limit of decompressed bytes per file: 512 MiB.
pub const DEFAULT_MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;

/// Options for [`Survey::open_with`](super::Survey::open_with).
///
/// ```
/// use lapaz_survey::load::{LoadOptions, TextEncoding};
///
/// let options = LoadOptions::lenient()
///     .with_encoding(TextEncoding::Latin1)
///     .with_max_entry_bytes(64 * 1024 * 1024);
/// assert_eq!(options.max_entry_bytes, 64 * 1024 * 1024);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Strict (default) or lenient.
    pub strictness: Strictness,
    /// Text encoding of CSV files; `None` uses the mapping's `encoding`, else UTF-8.
    pub encoding: Option<TextEncoding>,
    /// Largest number of bytes read from one file or archive entry
    /// (decompressed); larger entries are an
    /// [`EntryTooLarge`](super::LoadError::EntryTooLarge) error.
    pub max_entry_bytes: u64,
    /// How the files' names map onto the codebook's (see [`ColumnMapping`]).
    pub mapping: Option<ColumnMapping>,
    /// Use this codebook instead of the data's `codebook.toml` (or, when the
    /// data has none, the embedded survey's codebook).
    pub codebook: Option<Codebook>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            strictness: Strictness::Strict,
            encoding: None,
            max_entry_bytes: DEFAULT_MAX_ENTRY_BYTES,
            mapping: None,
            codebook: None,
        }
    }
}

impl LoadOptions {
    /// Strict options (the default): the first bad row stops loading.
    pub fn strict() -> Self {
        Self::default()
    }

    /// Lenient options: bad rows are rejected, listed with their reasons in
    /// the [`LoadReport`](super::LoadReport), and loading goes on.
    pub fn lenient() -> Self {
        LoadOptions {
            strictness: Strictness::Lenient,
            ..Self::default()
        }
    }

    /// Sets the text encoding of CSV files.
    pub fn with_encoding(mut self, encoding: TextEncoding) -> Self {
        self.encoding = Some(encoding);
        self
    }

    /// Sets the limit of decompressed bytes per file.
    pub fn with_max_entry_bytes(mut self, bytes: u64) -> Self {
        self.max_entry_bytes = bytes;
        self
    }

    /// Sets the column mapping.
    pub fn with_mapping(mut self, mapping: ColumnMapping) -> Self {
        self.mapping = Some(mapping);
        self
    }

    /// Uses this codebook instead of the data's own.
    pub fn with_codebook(mut self, codebook: Codebook) -> Self {
        self.codebook = Some(codebook);
        self
    }

    /// Whether rows with errors are rejected instead of stopping the load.
    pub fn is_lenient(&self) -> bool {
        self.strictness == Strictness::Lenient
    }
}
