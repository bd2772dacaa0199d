//! Errors of the problem module, with Spanish messages saying what is
//! missing and how to add it.

use std::path::PathBuf;

/// Why a problem tree could not be built or its ficha not saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProblemError {
    /// No central problem was stated.
    #[error(
        "Falta el problema central del árbol. Enúncielo con `.problem(\"…\")`: una frase \
         que describa la situación negativa (p. ej. «Largos tiempos de viaje al trabajo»)."
    )]
    MissingProblem,

    /// The affected population was not quantified.
    #[error(
        "Falta cuantificar la población afectada. Agréguela con \
         `.affected(Population::new(\"descripción\", total))`, donde `total` es un total \
         estimado con la encuesta (con su error estándar e intervalo de confianza)."
    )]
    MissingAffected,

    /// A population (affected or beneficiaries) was given a statistic that
    /// is not a total.
    #[error(
        "La cifra de {role} («{label}») es {found}, pero debe ser un total \
         (número de personas u hogares). Estime un total con la encuesta, no una \
         proporción ni una media."
    )]
    NotATotal {
        /// Which population (`"la población afectada"`, `"los beneficiarios directos"`).
        role: String,
        /// The figure's label.
        label: String,
        /// The statistic found, in Spanish with its article (`"una proporción"`).
        found: String,
    },

    /// A figure has unusable numbers (missing SE, NaN, inverted interval).
    #[error("La cifra «{label}» ({place}) no es válida: {reason}.")]
    InvalidFigure {
        /// Where it is used (`"población afectada"`, `"causa 2"`).
        place: String,
        /// The figure's label.
        label: String,
        /// What is wrong, in Spanish.
        reason: String,
    },

    /// More causes or effects than the diagram can show.
    #[error(
        "El árbol tiene {found} {what}; admite hasta {max}. Agrupe las {what} parecidas \
         en una sola (p. ej. «Oferta de transporte insuficiente»)."
    )]
    TooMany {
        /// `"causas"` or `"efectos"`.
        what: String,
        /// How many were given.
        found: usize,
        /// The maximum.
        max: usize,
    },

    /// A cause, effect or population has no text.
    #[error("Falta el texto de {what}: escriba una frase que la describa.")]
    EmptyText {
        /// Which element (`"la causa 3"`).
        what: String,
    },

    /// A model has no term of that name.
    #[error("El modelo no tiene el término «{term}». Términos disponibles: {available}.")]
    UnknownTerm {
        /// The term asked for.
        term: String,
        /// The model's terms, comma-separated.
        available: String,
    },

    /// Writing the ficha or the diagram failed.
    #[error("No se pudo escribir el archivo «{}»: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}
