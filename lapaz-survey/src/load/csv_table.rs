//! CSV files → [`RawTable`], with the `csv` crate and our own decoding of
//! UTF-8 or Latin-1 (Windows-1252) text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::error::{LoadError, escape_bytes};
use super::options::TextEncoding;
use super::raw::{RawColumn, RawTable, TextColumn};

/// How to read a CSV file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CsvSettings {
    pub encoding: TextEncoding,
    pub delimiter: u8,
}

/// Reads a whole CSV file (header row first) into text columns.
///
/// Rows with a wrong field count are kept (padded) and recorded in
/// `row_errors`; invalid text in the chosen encoding is an error for the
/// whole file.
pub(crate) fn read_csv(
    bytes: &[u8],
    file: &str,
    settings: CsvSettings,
) -> Result<RawTable, LoadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(settings.delimiter)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let csv_error = |e: csv::Error| LoadError::Csv {
        file: file.to_string(),
        row: e.position().map(|p| p.line()),
        detail: e.to_string(),
    };

    // Header.
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Ok(RawTable {
            file: file.to_string(),
            names: Vec::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            row_errors: BTreeMap::new(),
            odd_rows: BTreeMap::new(),
        });
    }
    let header_row = record.position().map_or(1, |p| p.line());
    let mut names = Vec::with_capacity(record.len());
    for (j, field) in record.iter().enumerate() {
        let field = if j == 0 {
            field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
        } else {
            field
        };
        let name = decode(field, settings.encoding).ok_or_else(|| LoadError::Encoding {
            file: file.to_string(),
            row: header_row,
            column: "encabezado".to_string(),
            found: escape_bytes(field),
        })?;
        names.push(name.trim().to_string());
    }

    let width = names.len();
    let mut cells: Vec<TextColumn> = (0..width).map(|_| TextColumn::default()).collect();
    let mut rows = Vec::new();
    let mut row_errors = BTreeMap::new();
    let mut odd_rows = BTreeMap::new();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let row = record
            .position()
            .map_or(rows.len() as u64 + 2, |p| p.line());
        let index = rows.len();
        rows.push(row);
        let mut decoded = Vec::with_capacity(record.len());
        for (j, field) in record.iter().enumerate() {
            let text = decode(field, settings.encoding).ok_or_else(|| LoadError::Encoding {
                file: file.to_string(),
                row,
                column: names
                    .get(j)
                    .cloned()
                    .unwrap_or_else(|| format!("campo {}", j + 1)),
                found: escape_bytes(field),
            })?;
            decoded.push(text);
        }
        if decoded.len() != width {
            row_errors.insert(
                index,
                LoadError::ColumnCount {
                    file: file.to_string(),
                    row,
                    expected: width,
                    found: decoded.len(),
                },
            );
            odd_rows.insert(index, decoded.iter().map(|s| s.to_string()).collect());
        }
        let mut decoded = decoded.iter();
        for column in cells.iter_mut() {
            column.push(decoded.next().map(|s| s.as_ref()));
        }
    }

    Ok(RawTable {
        file: file.to_string(),
        names,
        columns: cells.into_iter().map(RawColumn::Text).collect(),
        rows,
        row_errors,
        odd_rows,
    })
}

/// Decodes one field; `None` if it is not valid in the encoding.
fn decode(bytes: &[u8], encoding: TextEncoding) -> Option<Cow<'_, str>> {
    match encoding {
        TextEncoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
        TextEncoding::Latin1 => Some(
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0,
        ),
    }
}
