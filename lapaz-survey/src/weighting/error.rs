//! Errors of the weighting layer (replicate weights, calibration, trimming). Messages are in
//! Spanish, for students; each names what was expected, what was found and a hint.

use super::calibrate::CalibrationReport;

/// Something went wrong building replicate weights or calibrating.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WeightingError {
    /// A replicate method needs a design shape it does not have (e.g. BRR with a stratum that has
    /// three PSUs).
    #[error("réplicas {method}: {detail}. Sugerencia: {hint}")]
    UnsuitableDesign {
        /// The replicate method (JK1, JKn, BRR…).
        method: String,
        /// What was found.
        detail: String,
        /// What to do instead.
        hint: String,
    },
    /// An argument is out of range (rho, scale, number of replicates, bounds…).
    #[error("argumento inválido `{argument}`: se esperaba {expected}, se encontró {found}")]
    InvalidArgument {
        /// The argument's name.
        argument: String,
        /// What is allowed.
        expected: String,
        /// The value given.
        found: String,
    },
    /// Lengths of inputs disagree (weights, rows, replicate columns, totals).
    #[error("tamaños incompatibles en {what}: se esperaban {expected}, se encontraron {found}")]
    LengthMismatch {
        /// What was being combined.
        what: String,
        /// Expected length.
        expected: usize,
        /// Found length.
        found: usize,
    },
    /// A weight (or replicate weight) is missing, negative or not finite.
    #[error(
        "peso inválido en la fila {row} de `{column}`: {found}. Los pesos deben ser números finitos ≥ 0"
    )]
    InvalidWeight {
        /// Column (or replicate) name.
        column: String,
        /// Row number (0-based).
        row: usize,
        /// The value found.
        found: f64,
    },
    /// A calibration category present in the sample has no population total, or the reverse.
    #[error("calibración: la categoría `{category}` de `{variable}` {problem}. Sugerencia: {hint}")]
    MissingCategory {
        /// Variable (margin) name.
        variable: String,
        /// Category label.
        category: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: String,
    },
    /// The calibration did not reach the totals within the tolerance.
    #[error(
        "la calibración no convergió: tras {} iteraciones el mayor error relativo en los totales es {:.3e} (tolerancia {:.1e}); rango de g: [{:.4}, {:.4}]. Sugerencia: amplíe los límites (bounds), aumente maxit o revise que los totales sean coherentes",
        report.iterations, report.max_margin_error, report.epsilon, report.g_min, report.g_max
    )]
    NotConverged {
        /// What was reached.
        report: CalibrationReport,
    },
    /// The full-sample calibration converged but the same calibration of one replicate's
    /// weights did not (R's `calibrate` only warns; we fail).
    #[error(
        "la calibración de la réplica {replicate} no convergió: tras {} iteraciones el mayor error relativo en los totales es {:.3e} (tolerancia {:.1e}); rango de g: [{:.4}, {:.4}]. La muestra completa sí se calibra, pero esa réplica no alcanza los totales. Sugerencia: amplíe los límites (bounds), aumente maxit o use menos variables de calibración",
        report.iterations, report.max_margin_error, report.epsilon, report.g_min, report.g_max
    )]
    ReplicateNotConverged {
        /// The replicate, numbered from 1.
        replicate: usize,
        /// What that replicate's calibration reached.
        report: CalibrationReport,
    },
    /// Population totals that cannot all hold: a category's total (one the model matrix leaves
    /// out, as R's `model.matrix` does) differs from what the other totals imply.
    #[error(
        "calibración: el total de la categoría `{category}` de `{variable}` es {given}, pero los demás totales implican {implied} ({detail}). Sugerencia: revise que los totales de cada variable sumen la misma población"
    )]
    InconsistentTotals {
        /// Variable (term) name.
        variable: String,
        /// Category label.
        category: String,
        /// The total supplied.
        given: f64,
        /// The total the other totals imply.
        implied: f64,
        /// How the implied total was obtained.
        detail: String,
    },
    /// A regression could be fitted on the full sample but not with one replicate's weights
    /// (its coefficients and so the standard errors would not be finite).
    #[error(
        "regresión de `{response}`: el modelo no se puede reajustar con los pesos de la réplica {replicate} ({detail}); sin esa réplica no hay error estándar. Sugerencia: la réplica deja sin casos una categoría o combinación de predictores; agrupe categorías poco frecuentes o use otro tipo de réplicas"
    )]
    ReplicateFit {
        /// The response variable.
        response: String,
        /// The replicate, numbered from 1.
        replicate: usize,
        /// What failed.
        detail: String,
    },
    /// The calibration equations are singular (a calibration variable is constant or collinear).
    #[error(
        "calibración: las variables de calibración son colineales o constantes ({detail}). Sugerencia: quite una categoría o variable redundante"
    )]
    Singular {
        /// Detail.
        detail: String,
    },
    /// A column needed by the operation is missing or has the wrong type.
    #[error("columna `{column}`: {problem}")]
    Column {
        /// Column name.
        column: String,
        /// What is wrong.
        problem: String,
    },
}
