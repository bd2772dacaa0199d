//! The check functions: numbers, estimates, categories, true/false and
//! multiple choice.

use std::collections::BTreeSet;
use std::fmt;

use super::check::{Check, Outcome};
use crate::problem::Figure;

/// How close a number must be to the reference to count as correct.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// |answer − reference| ≤ the value (*tolerancia absoluta*).
    Absolute(f64),
    /// |answer − reference| ≤ the value × |reference| (*tolerancia relativa*):
    /// `Relative(0.01)` accepts 1 %.
    Relative(f64),
}

impl Tolerance {
    /// Whether `answer` is within tolerance of `expected`.
    pub fn accepts(self, answer: f64, expected: f64) -> bool {
        let diff = (answer - expected).abs();
        // A hair of slack so that e.g. 0.3 vs 0.1 + 0.2 with tolerance 0 passes.
        let slack = 1e-12 * expected.abs().max(1e-300);
        match self {
            Tolerance::Absolute(a) => diff <= a.abs() + slack,
            Tolerance::Relative(r) => diff <= r.abs() * expected.abs() + slack,
        }
    }

    /// The same tolerance ten times wider (to say "you are close").
    fn widened(self) -> Tolerance {
        match self {
            Tolerance::Absolute(a) => Tolerance::Absolute(a * 10.0),
            Tolerance::Relative(r) => Tolerance::Relative(r * 10.0),
        }
    }
}

impl fmt::Display for Tolerance {
    /// `± 0,01` or `± 1 %`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tolerance::Absolute(a) => write!(f, "±\u{a0}{}", show(*a)),
            Tolerance::Relative(r) => write!(f, "±\u{a0}{}\u{a0}%", show(r * 100.0)),
        }
    }
}

/// A number as a student wrote it: decimal comma, up to six significant
/// digits, no trailing zeros.
pub(crate) fn show(x: f64) -> String {
    if !x.is_finite() {
        return "sin valor".to_owned();
    }
    if x == x.round() && x.abs() < 1e15 {
        return crate::problem::format_number(x, 0);
    }
    let magnitude = x.abs().log10().floor() as i64;
    let decimals = (5 - magnitude).clamp(0, 8) as usize;
    let s = crate::problem::format_number(x, decimals);
    if s.contains(',') {
        s.trim_end_matches('0').trim_end_matches(',').to_owned()
    } else {
        s
    }
}

const UNANSWERED: &str =
    "Todavía no hay respuesta: escríbala en la celda del ejercicio y vuelva a ejecutar esta celda.";

/// Hints about scale slips: a percentage written as a proportion or back.
fn scale_hint(answer: f64, expected: f64, tol: Tolerance) -> Option<String> {
    if expected != 0.0 && tol.accepts(answer / 100.0, expected) {
        Some(
            "Parece que escribió un porcentaje: la respuesta se pide como proporción \
             (entre 0 y 1). Divida entre 100."
                .to_owned(),
        )
    } else if expected != 0.0 && tol.accepts(answer * 100.0, expected) {
        Some(
            "Parece que escribió una proporción: la respuesta se pide como porcentaje. \
             Multiplique por 100."
                .to_owned(),
        )
    } else {
        None
    }
}

/// Checks a number against the reference within a tolerance.
///
/// `f64::NAN` (or `None`) as the answer means "not answered yet".
///
/// ```
/// use lapaz_survey::teaching::{check_number, Tolerance};
///
/// let bien = check_number("Ejercicio 1", 0.3421, 0.342, Tolerance::Absolute(0.001));
/// assert!(bien.passed());
///
/// let mal = check_number("Ejercicio 1", 34.2, 0.342, Tolerance::Absolute(0.001));
/// assert!(!mal.passed());
/// assert!(mal.shown_hint().unwrap_or("").contains("porcentaje"));
///
/// let vacio = check_number("Ejercicio 1", f64::NAN, 0.342, Tolerance::Absolute(0.001));
/// assert_eq!(vacio.outcome(), lapaz_survey::teaching::Outcome::Unanswered);
/// ```
pub fn check_number(
    exercise: impl Into<String>,
    answer: impl Into<Option<f64>>,
    expected: f64,
    tolerance: Tolerance,
) -> Check {
    let exercise = exercise.into();
    let answer = match answer.into() {
        Some(a) if !a.is_nan() => a,
        _ => return Check::new(exercise, Outcome::Unanswered, UNANSWERED, None),
    };
    if tolerance.accepts(answer, expected) {
        return Check::new(
            exercise,
            Outcome::Correct,
            format!(
                "Su respuesta, {}, coincide con la referencia, {} (tolerancia {tolerance}).",
                show(answer),
                show(expected)
            ),
            None,
        );
    }
    let direction = if answer > expected { "mayor" } else { "menor" };
    let hint = scale_hint(answer, expected, tolerance).or_else(|| {
        tolerance
            .widened()
            .accepts(answer, expected)
            .then(|| "Está cerca: revise el redondeo o el último paso del cálculo.".to_owned())
    });
    Check::new(
        exercise,
        Outcome::Incorrect,
        format!(
            "Su respuesta, {}, es {direction} que la referencia (tolerancia {tolerance}).",
            show(answer)
        ),
        hint,
    )
}

/// An answer that is an estimate with its standard error: an
/// [`Estimate`](crate::estimate::Estimate), a one-row
/// [`EstimateTable`](crate::estimate::EstimateTable), a [`Figure`], an
/// `(estimate, se)` pair, or an `Option` of any (`None` = not answered yet).
pub trait EstimateAnswer {
    /// The estimate and SE, or `None` when not answered.
    fn estimate_and_se(&self) -> Option<(f64, f64)>;
}

impl EstimateAnswer for Figure {
    fn estimate_and_se(&self) -> Option<(f64, f64)> {
        Some((self.estimate, self.se))
    }
}

impl EstimateAnswer for crate::estimate::Estimate {
    fn estimate_and_se(&self) -> Option<(f64, f64)> {
        Some((self.estimate, self.se))
    }
}

/// A table answers when it holds exactly one estimate (e.g. `d.mean("y")?`).
impl EstimateAnswer for crate::estimate::EstimateTable {
    fn estimate_and_se(&self) -> Option<(f64, f64)> {
        match self.estimates() {
            [only] => Some((only.estimate, only.se)),
            _ => None,
        }
    }
}

impl EstimateAnswer for (f64, f64) {
    fn estimate_and_se(&self) -> Option<(f64, f64)> {
        Some(*self)
    }
}

impl<T: EstimateAnswer> EstimateAnswer for Option<T> {
    fn estimate_and_se(&self) -> Option<(f64, f64)> {
        self.as_ref().and_then(EstimateAnswer::estimate_and_se)
    }
}

impl<T: EstimateAnswer + ?Sized> EstimateAnswer for &T {
    fn estimate_and_se(&self) -> Option<(f64, f64)> {
        (**self).estimate_and_se()
    }
}

/// Checks an estimate and its standard error against the reference; the
/// tolerance applies to both. It tells apart a wrong estimate (weights,
/// domain) from a right estimate with a wrong SE (the design).
///
/// ```
/// use lapaz_survey::teaching::{check_estimate, Tolerance};
///
/// let referencia = (0.543, 0.021);
/// assert!(check_estimate("2.1", (0.543, 0.021), referencia, Tolerance::Relative(0.01)).passed());
///
/// // Right estimate, SE computed as if the sample were simple random:
/// let srs = check_estimate("2.1", (0.543, 0.011), referencia, Tolerance::Relative(0.01));
/// assert!(!srs.passed());
/// assert!(srs.feedback().contains("error estándar"));
/// ```
pub fn check_estimate(
    exercise: impl Into<String>,
    answer: impl EstimateAnswer,
    expected: impl EstimateAnswer,
    tolerance: Tolerance,
) -> Check {
    let exercise = exercise.into();
    let Some((est, se)) = answer
        .estimate_and_se()
        .filter(|(e, s)| !e.is_nan() && !s.is_nan())
    else {
        return Check::new(exercise, Outcome::Unanswered, UNANSWERED, None);
    };
    let Some((ref_est, ref_se)) = expected.estimate_and_se() else {
        return Check::new(
            exercise,
            Outcome::Incorrect,
            "Falta la respuesta de referencia de este ejercicio (error del cuaderno).",
            None,
        );
    };
    let est_ok = tolerance.accepts(est, ref_est);
    let se_ok = tolerance.accepts(se, ref_se);
    match (est_ok, se_ok) {
        (true, true) => Check::new(
            exercise,
            Outcome::Correct,
            format!(
                "La estimación, {}, y su error estándar, {}, coinciden con la referencia \
                 (tolerancia {tolerance}).",
                show(est),
                show(se)
            ),
            None,
        ),
        (true, false) => {
            let hint = if se < ref_se {
                "Su error estándar es menor que el de referencia: ¿declaró los estratos y \
                 las UPM (conglomerados) del diseño? Ignorar los conglomerados suele \
                 subestimar el error estándar."
            } else {
                "Su error estándar es mayor que el de referencia: ¿usó el diseño completo \
                 (con estratos) y el mismo dominio o subpoblación que pide el enunciado?"
            };
            Check::new(
                exercise,
                Outcome::Incorrect,
                format!(
                    "La estimación, {}, es correcta, pero su error estándar, {}, no coincide \
                     con la referencia.",
                    show(est),
                    show(se)
                ),
                Some(hint.to_owned()),
            )
        }
        (false, _) => {
            let hint = scale_hint(est, ref_est, tolerance).unwrap_or_else(|| {
                "¿Usaste el factor de expansión (la ponderación) y el mismo dominio o \
                 subpoblación que pide el enunciado?"
                    .to_owned()
            });
            let direction = if est > ref_est { "mayor" } else { "menor" };
            Check::new(
                exercise,
                Outcome::Incorrect,
                format!(
                    "La estimación, {}, es {direction} que la de referencia (tolerancia \
                     {tolerance}).",
                    show(est)
                ),
                Some(hint),
            )
        }
    }
}

/// Lower-case, trimmed, accents folded (á → a, ü → u; ñ is kept), inner
/// spaces collapsed, trailing period removed: how two category names are
/// compared.
pub(crate) fn normalize(text: &str) -> String {
    let folded: String = text
        .trim()
        .trim_end_matches('.')
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            other => other,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a chosen category or short text, ignoring case, accents,
/// surrounding spaces and a final period (`"Minibús"` = `"minibus"`).
/// An empty answer means "not answered yet".
///
/// ```
/// use lapaz_survey::teaching::check_choice;
///
/// assert!(check_choice("3.2", " minibus ", "Minibús").passed());
/// assert!(!check_choice("3.2", "Teleférico", "Minibús").passed());
/// ```
pub fn check_choice(exercise: impl Into<String>, answer: &str, expected: &str) -> Check {
    let exercise = exercise.into();
    if answer.trim().is_empty() {
        return Check::new(exercise, Outcome::Unanswered, UNANSWERED, None);
    }
    if normalize(answer) == normalize(expected) {
        Check::new(
            exercise,
            Outcome::Correct,
            format!("«{}» es la respuesta correcta.", answer.trim()),
            None,
        )
    } else {
        Check::new(
            exercise,
            Outcome::Incorrect,
            format!("«{}» no es la respuesta esperada.", answer.trim()),
            Some("Revise la tabla o el gráfico del ejercicio y escriba la categoría tal como aparece.".to_owned()),
        )
    }
}

/// Checks a true/false answer (*verdadero o falso*). `None` means "not
/// answered yet".
///
/// ```
/// use lapaz_survey::teaching::check_bool;
///
/// let c = check_bool("4.1", Some(false), true)
///     .hint("Mire si los intervalos de confianza se superponen.");
/// assert!(!c.passed());
/// assert_eq!(c.shown_hint(), Some("Mire si los intervalos de confianza se superponen."));
/// ```
pub fn check_bool(
    exercise: impl Into<String>,
    answer: impl Into<Option<bool>>,
    expected: bool,
) -> Check {
    let exercise = exercise.into();
    match answer.into() {
        None => Check::new(exercise, Outcome::Unanswered, UNANSWERED, None),
        Some(a) if a == expected => Check::new(
            exercise,
            Outcome::Correct,
            format!(
                "Sí: la afirmación es {}.",
                if expected { "verdadera" } else { "falsa" }
            ),
            None,
        ),
        Some(_) => Check::new(
            exercise,
            Outcome::Incorrect,
            "No es así: vuelva a leer la afirmación con cuidado.",
            None,
        ),
    }
}

/// The options a student picked in a multiple-choice exercise: a string
/// such as `"a, c"` (split on commas, semicolons and spaces) or a list.
pub trait Selection {
    /// The picked options, normalized.
    fn picked(&self) -> BTreeSet<String>;
}

impl Selection for str {
    fn picked(&self) -> BTreeSet<String> {
        self.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .map(normalize)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

impl Selection for String {
    fn picked(&self) -> BTreeSet<String> {
        self.as_str().picked()
    }
}

impl<S: AsRef<str>> Selection for [S] {
    fn picked(&self) -> BTreeSet<String> {
        self.iter()
            .map(|s| normalize(s.as_ref()))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

impl<S: AsRef<str>, const N: usize> Selection for [S; N] {
    fn picked(&self) -> BTreeSet<String> {
        self.as_slice().picked()
    }
}

impl<S: AsRef<str>> Selection for Vec<S> {
    fn picked(&self) -> BTreeSet<String> {
        self.as_slice().picked()
    }
}

impl<T: Selection + ?Sized> Selection for &T {
    fn picked(&self) -> BTreeSet<String> {
        (**self).picked()
    }
}

/// Checks a multiple-choice answer where several options may be right
/// (*selección múltiple*): correct only when the picked set equals the
/// reference set. The feedback says how many right options are missing and
/// how many picked ones are wrong, without naming them.
///
/// ```
/// use lapaz_survey::teaching::check_options;
///
/// assert!(check_options("1.4", "a, c", &["c", "a"]).passed());
/// let c = check_options("1.4", "a", &["a", "c"]);
/// assert!(c.feedback().contains("Te falta 1"));
/// ```
pub fn check_options(
    exercise: impl Into<String>,
    answer: impl Selection,
    expected: impl Selection,
) -> Check {
    let exercise = exercise.into();
    let picked = answer.picked();
    if picked.is_empty() {
        return Check::new(exercise, Outcome::Unanswered, UNANSWERED, None);
    }
    let reference = expected.picked();
    if picked == reference {
        let list: Vec<&str> = picked.iter().map(String::as_str).collect();
        return Check::new(
            exercise,
            Outcome::Correct,
            format!(
                "Elegiste exactamente las opciones correctas: {}.",
                list.join(", ")
            ),
            None,
        );
    }
    let missing = reference.difference(&picked).count();
    let wrong = picked.difference(&reference).count();
    let mut parts = Vec::new();
    if missing > 0 {
        parts.push(format!(
            "Te {} {missing} {} correcta{}",
            if missing == 1 { "falta" } else { "faltan" },
            if missing == 1 { "opción" } else { "opciones" },
            if missing == 1 { "" } else { "s" },
        ));
    }
    if wrong > 0 {
        parts.push(format!(
            "{wrong} de las que elegiste no {} correcta{}",
            if wrong == 1 { "es" } else { "son" },
            if wrong == 1 { "" } else { "s" },
        ));
    }
    Check::new(
        exercise,
        Outcome::Incorrect,
        format!("{}.", parts.join("; ")),
        Some("Lee cada opción por separado y decide si es verdadera por sí misma.".to_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerances() {
        assert!(Tolerance::Absolute(0.01).accepts(1.005, 1.0));
        assert!(!Tolerance::Absolute(0.01).accepts(1.02, 1.0));
        assert!(Tolerance::Relative(0.01).accepts(101.0, 100.0));
        assert!(!Tolerance::Relative(0.01).accepts(101.5, 100.0));
        assert!(Tolerance::Absolute(0.0).accepts(0.1 + 0.2, 0.3));
    }

    #[test]
    fn numbers_show_as_written() {
        assert_eq!(show(0.342), "0,342");
        assert_eq!(show(84_300.0), "84.300");
        assert_eq!(show(47.25), "47,25");
    }

    #[test]
    fn normalizing_folds_case_accents_and_spaces_but_keeps_enie() {
        assert_eq!(normalize("  Mi  Teleférico. "), "mi teleferico");
        assert_ne!(normalize("año"), normalize("ano"));
    }
}
