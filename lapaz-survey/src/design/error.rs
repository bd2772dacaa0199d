//! Errors building a survey design or a domain of it.
//!
//! Messages are in Spanish (students read them in notebooks); each variant
//! carries the column, row, stratum or value involved and a hint.

/// Something is wrong with the design specification or the design columns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// The data have no rows.
    #[error("los datos no tienen filas: no se puede construir un diseño muestral")]
    Empty,
    /// A design column named in the specification is not in the data.
    #[error(
        "no existe la columna `{column}` ({role}); columnas disponibles: {available}. \
         Sugerencia: revise el nombre (mayúsculas/minúsculas) en el libro de códigos"
    )]
    MissingColumn {
        /// Column asked for.
        column: String,
        /// Its role in the design (`pesos`, `estratos`, `conglomerados etapa 1`, …).
        role: String,
        /// Columns of the data, comma separated (truncated when long).
        available: String,
    },
    /// A design column has a type that cannot play its role.
    #[error("la columna `{column}` ({role}) debe ser {expected}, pero es de tipo {found}")]
    WrongType {
        /// Column name.
        column: String,
        /// Its role in the design.
        role: String,
        /// What is expected, in Spanish.
        expected: String,
        /// The polars type found.
        found: String,
    },
    /// A missing value (null or NaN) in a design column.
    #[error(
        "falta el valor de `{column}` ({role}) en la fila {row} (numeradas desde 1); \
         {count} fila(s) en total. Sugerencia: un diseño no admite pesos, estratos, \
         conglomerados ni fpc faltantes; corrija o excluya esas filas antes de construirlo"
    )]
    MissingValue {
        /// Column name.
        column: String,
        /// Its role in the design.
        role: String,
        /// First row (1-based) with a missing value.
        row: usize,
        /// How many rows have one.
        count: usize,
    },
    /// A weight that is negative or not finite.
    #[error(
        "peso inválido en la fila {row} (numeradas desde 1) de `{column}`: {value}. \
         Los pesos deben ser números finitos mayores o iguales a 0"
    )]
    BadWeight {
        /// Weight column.
        column: String,
        /// Row (1-based).
        row: usize,
        /// The value found.
        value: f64,
    },
    /// A PSU appears in more than one stratum and `nest` is off.
    #[error(
        "la UPM `{psu}` (columna `{column}`) aparece en los estratos `{stratum_a}` y `{stratum_b}`. \
         Sugerencia: si los códigos de UPM se repiten entre estratos, use `nest(true)` \
         (`--nest` en la línea de comandos)"
    )]
    NotNested {
        /// First-stage cluster column.
        column: String,
        /// The PSU identifier.
        psu: String,
        /// One stratum that holds it.
        stratum_a: String,
        /// Another stratum that holds it.
        stratum_b: String,
    },
    /// The whole design has a single PSU (as R: "Design has only one primary sampling unit").
    #[error(
        "el diseño tiene una sola unidad primaria de muestreo: no se puede estimar la varianza. \
         Sugerencia: revise la columna de conglomerados o use `nest(true)` con estratos"
    )]
    SinglePsu,
    /// Strata with a single PSU under the default `LonelyPsu::Fail` policy.
    #[error(
        "{count} estrato(s) con una sola UPM en la etapa {stage}: {strata}. \
         Sugerencia: elija una política para UPM solitarias: `remove`, `certainty`, \
         `adjust` o `average` (`LonelyPsu`, `--lonely-psu`)"
    )]
    LonelyPsu {
        /// Sampling stage (1 = PSUs).
        stage: usize,
        /// How many strata (or clusters, at later stages) are affected.
        count: usize,
        /// Their labels, comma separated (first few).
        strata: String,
    },
    /// Finite population corrections that are inconsistent.
    #[error("fpc inválido en `{column}` (etapa {stage}): {problem}")]
    BadFpc {
        /// fpc column.
        column: String,
        /// Stage (1-based).
        stage: usize,
        /// What is wrong, in Spanish, with the row or stratum.
        problem: String,
    },
    /// More fpc columns than stages, or fewer than stages.
    #[error(
        "se dieron {fpc} columna(s) de fpc para {stages} etapa(s) de conglomerados. \
         Sugerencia: dé una columna de fpc por etapa (como `svydesign` de R), \
         o declare solo las etapas que tienen fpc"
    )]
    FpcStages {
        /// Number of fpc columns.
        fpc: usize,
        /// Number of stages.
        stages: usize,
    },
    /// A filter or `by` refers to something the data cannot answer.
    #[error("filtro inválido sobre `{column}`: {problem}")]
    BadFilter {
        /// Column of the filter.
        column: String,
        /// What is wrong, in Spanish.
        problem: String,
    },
    /// A filter mask of the wrong length.
    #[error("la máscara del filtro tiene {found} valores pero los datos tienen {expected} filas")]
    MaskLength {
        /// Rows in the data.
        expected: usize,
        /// Length of the mask.
        found: usize,
    },
    /// Too many domains (the by-variables' combinations do not fit in 32 bits).
    #[error("demasiados dominios ({count}) al cruzar {columns}")]
    TooManyDomains {
        /// Domains found.
        count: usize,
        /// By columns.
        columns: String,
    },
    /// A new analysis column would replace a weight, stratum, cluster or
    /// fpc column of the design.
    #[error(
        "la columna `{column}` es parte del diseño (pesos, estratos, conglomerados o fpc) \
         y no se puede reemplazar. Sugerencia: dé otro nombre a la variable nueva"
    )]
    DesignColumn {
        /// The column name.
        column: String,
    },
    /// A polars operation failed while reading design columns.
    #[error("error de polars al leer `{column}`: {source}")]
    Polars {
        /// Column being read.
        column: String,
        /// The polars error.
        source: polars::error::PolarsError,
    },
}

/// Lists column names for an error message, truncated after 30.
pub(crate) fn list_columns(df: &polars::prelude::DataFrame) -> String {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    truncated_list(&names, 30)
}

/// Joins up to `max` items with ", ", noting how many more there are.
pub(crate) fn truncated_list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" … (y {} más)", items.len() - max));
    }
    s
}
