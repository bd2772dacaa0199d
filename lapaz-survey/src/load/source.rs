//! Where the files come from: a zip archive (in memory or on disk) or a
//! folder; listing entries and reading one with a size limit.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use zip::ZipArchive;
use zip::result::ZipError;

use super::error::{LoadError, escape_bytes};

/// An opened survey source.
pub(crate) enum Source {
    /// A zip archive held in memory.
    Zip {
        label: String,
        archive: Box<ZipArchive<Cursor<Cow<'static, [u8]>>>>,
    },
    /// A folder on disk.
    Folder { label: String, root: PathBuf },
}

/// The local-file-header and end-of-central-directory signatures.
const ZIP_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];

impl Source {
    /// Opens a zip held in memory (`label` names it in errors).
    pub fn zip_bytes(bytes: Cow<'static, [u8]>, label: String) -> Result<Self, LoadError> {
        if !ZIP_MAGIC.iter().any(|m| bytes.starts_with(m)) {
            return Err(LoadError::NotZip {
                file: label,
                found: escape_bytes(&bytes),
            });
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| LoadError::CorruptZip {
            file: label.clone(),
            entry: None,
            detail: zip_detail(&e),
        })?;
        Ok(Source::Zip {
            label,
            archive: Box::new(archive),
        })
    }

    /// Opens a path: a folder, or a file that must be a zip archive.
    pub fn open(path: &Path, max_bytes: u64) -> Result<Self, LoadError> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        let label = path.display().to_string();
        if meta.is_dir() {
            return Ok(Source::Folder {
                label,
                root: path.to_path_buf(),
            });
        }
        // The archive itself is compressed data; allow it the same limit.
        let bytes = read_limited(
            std::fs::File::open(path).map_err(|e| io_error(path, e))?,
            max_bytes,
        )
        .map_err(|e| match e {
            Limited::TooLarge => LoadError::EntryTooLarge {
                file: label.clone(),
                entry: String::new(),
                limit: max_bytes,
            },
            Limited::Io(e) => io_error(path, e),
        })?;
        Self::zip_bytes(Cow::Owned(bytes), label)
    }

    /// The source's name in messages.
    pub fn label(&self) -> &str {
        match self {
            Source::Zip { label, .. } | Source::Folder { label, .. } => label,
        }
    }

    /// The file name used in errors for an entry.
    pub fn entry_label(&self, entry: &str) -> String {
        match self {
            Source::Zip { label, .. } => format!("{label}:{entry}"),
            Source::Folder { root, .. } => root.join(entry).display().to_string(),
        }
    }

    /// All file entries, as relative paths with `/` separators (folders are
    /// walked two levels deep).
    pub fn entries(&self) -> Vec<String> {
        match self {
            Source::Zip { archive, .. } => archive
                .file_names()
                .filter_map(|n| n.ok())
                .filter(|n| !n.ends_with('/'))
                .map(|n| n.into_owned())
                .collect(),
            Source::Folder { root, .. } => {
                let mut out = Vec::new();
                walk(root, "", 0, &mut out);
                out.sort();
                out
            }
        }
    }

    /// Reads an entry, stopping with [`LoadError::EntryTooLarge`] as soon as
    /// more than `max_bytes` have been decompressed (whatever the archive
    /// declares).
    pub fn read(&mut self, entry: &str, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
        match self {
            Source::Zip { label, archive } => {
                let corrupt = |e: &ZipError| LoadError::CorruptZip {
                    file: label.clone(),
                    entry: Some(entry.to_string()),
                    detail: zip_detail(e),
                };
                let file = archive.by_name(entry).map_err(|e| corrupt(&e))?;
                let too_large = || LoadError::EntryTooLarge {
                    file: label.clone(),
                    entry: entry.to_string(),
                    limit: max_bytes,
                };
                if file.size() > max_bytes {
                    return Err(too_large());
                }
                read_limited(file, max_bytes).map_err(|e| match e {
                    Limited::TooLarge => too_large(),
                    Limited::Io(e) => LoadError::CorruptZip {
                        file: label.clone(),
                        entry: Some(entry.to_string()),
                        detail: e.to_string(),
                    },
                })
            }
            Source::Folder { label, root } => {
                let path = root.join(entry);
                let f = std::fs::File::open(&path).map_err(|e| io_error(&path, e))?;
                read_limited(f, max_bytes).map_err(|e| match e {
                    Limited::TooLarge => LoadError::EntryTooLarge {
                        file: label.clone(),
                        entry: entry.to_string(),
                        limit: max_bytes,
                    },
                    Limited::Io(e) => io_error(&path, e),
                })
            }
        }
    }
}

enum Limited {
    TooLarge,
    Io(std::io::Error),
}

/// Reads at most `max + 1` bytes; more than `max` is an error.
fn read_limited(reader: impl Read, max: u64) -> Result<Vec<u8>, Limited> {
    let mut buf = Vec::new();
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(Limited::Io)?;
    if buf.len() as u64 > max {
        return Err(Limited::TooLarge);
    }
    Ok(buf)
}

fn walk(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                if depth < 2 {
                    walk(&entry.path(), &rel, depth + 1, out);
                }
            }
            Ok(_) => out.push(rel),
            Err(_) => {}
        }
    }
}

pub(crate) fn io_error(path: &Path, e: std::io::Error) -> LoadError {
    if e.kind() == std::io::ErrorKind::NotFound {
        LoadError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        LoadError::Io {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

fn zip_detail(e: &ZipError) -> String {
    match e {
        ZipError::InvalidArchive(msg) => msg.to_string(),
        other => other.to_string(),
    }
}
