//! Errors of the presentation layer (charts and the data they read).

use std::path::PathBuf;

/// An error drawing, saving or preparing the data of a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// plotters could not draw (a bug or an impossible size).
    #[error("no se pudo dibujar el gráfico: {0}")]
    Draw(String),
    /// The embedded font could not be loaded (a corrupt build).
    #[error("no se pudo cargar la fuente incluida para dibujar texto")]
    Font,
    /// Writing the file failed.
    #[error(
        "no se pudo escribir el gráfico en `{path}`: {source}. Sugerencia: revise que la carpeta exista y que tenga permiso de escritura"
    )]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Encoding the PNG failed.
    #[error("no se pudo codificar el PNG: {0}")]
    Png(String),
    /// A column the chart needs is not in the data.
    #[error("la columna `{column}` no existe en los datos; columnas disponibles: {available}")]
    MissingColumn {
        /// The requested column.
        column: String,
        /// The columns that exist, comma-separated.
        available: String,
    },
    /// A column has a type the chart cannot use.
    #[error("la columna `{column}` debe ser {expected}, pero es de tipo `{found}`")]
    ColumnType {
        /// The column.
        column: String,
        /// What the chart needs, in Spanish.
        expected: String,
        /// The column's polars type.
        found: String,
    },
    /// The data leave nothing to draw.
    #[error("no hay datos para dibujar: {0}")]
    NoData(String),
    /// A value the chart cannot use (negative weight, wrong number of
    /// categories, …).
    #[error("{problem} (columna `{column}`). Sugerencia: {hint}")]
    BadValue {
        /// The column.
        column: String,
        /// What is wrong, in Spanish.
        problem: String,
        /// How to fix it, in Spanish.
        hint: String,
    },
}
