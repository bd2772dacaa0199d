//! [`Check`]: the result of comparing a student's answer with the
//! reference, shown as Spanish feedback.

use std::fmt;

/// Printed at the start of the line a failed check writes to stderr in a
/// notebook, so the notebook test harness (and a student) sees it:
/// `[lapaz-check] ✘ Ejercicio 1.2: incorrecto`.
pub const FAILURE_MARKER: &str = "[lapaz-check]";

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The answer matches the reference (*correcto*).
    Correct,
    /// The answer does not match (*incorrecto*).
    Incorrect,
    /// No answer yet: the placeholder (`f64::NAN`, `""`, `None`) is still
    /// there (*sin respuesta*).
    Unanswered,
}

impl Outcome {
    /// Spanish label: `correcto`, `incorrecto`, `sin respuesta`.
    pub fn label_es(self) -> &'static str {
        match self {
            Outcome::Correct => "correcto",
            Outcome::Incorrect => "incorrecto",
            Outcome::Unanswered => "sin respuesta",
        }
    }
}

/// The result of an exercise check: correct or not, Spanish feedback and,
/// when not correct, a hint (*pista*).
///
/// End a notebook cell with a check to see it (a green ✔ or red ✘ box under
/// the `notebook` feature, text otherwise). A check that is not correct
/// also writes one line starting with [`FAILURE_MARKER`] to stderr when
/// displayed, which makes the notebook tests fail when the reference
/// answers are filled in. Use [`Check::require`] to turn a failure into an
/// error instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub(crate) exercise: String,
    pub(crate) outcome: Outcome,
    pub(crate) feedback: String,
    pub(crate) auto_hint: Option<String>,
    pub(crate) hint: Option<String>,
}

/// The error [`Check::require`] returns for a check that did not pass.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{exercise}: {outcome}. {feedback}")]
pub struct CheckFailed {
    /// The exercise's name.
    pub exercise: String,
    /// `incorrecto` or `sin respuesta`.
    pub outcome: String,
    /// The feedback.
    pub feedback: String,
}

impl Check {
    pub(crate) fn new(
        exercise: impl Into<String>,
        outcome: Outcome,
        feedback: impl Into<String>,
        auto_hint: Option<String>,
    ) -> Self {
        Check {
            exercise: exercise.into(),
            outcome,
            feedback: feedback.into(),
            auto_hint,
            hint: None,
        }
    }

    /// Adds the exercise author's hint (*pista*), shown when the answer is
    /// not correct. It replaces the automatic hint, if any.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// True when the answer is correct.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Correct
    }

    /// Correct, incorrect or unanswered.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The exercise's name.
    pub fn exercise(&self) -> &str {
        &self.exercise
    }

    /// The Spanish feedback (without the hint).
    pub fn feedback(&self) -> &str {
        &self.feedback
    }

    /// The hint shown when not correct: the author's, else the automatic
    /// one. `None` for a correct answer.
    pub fn shown_hint(&self) -> Option<&str> {
        if self.passed() {
            None
        } else {
            self.hint.as_deref().or(self.auto_hint.as_deref())
        }
    }

    /// `Ok(self)` when correct, else [`CheckFailed`], so that
    /// `check_number(..).require()?` stops a cell.
    ///
    /// # Errors
    /// [`CheckFailed`] when the answer is incorrect or missing.
    pub fn require(self) -> Result<Check, CheckFailed> {
        if self.passed() {
            Ok(self)
        } else {
            Err(CheckFailed {
                exercise: self.exercise.clone(),
                outcome: self.outcome.label_es().to_owned(),
                feedback: self.feedback.clone(),
            })
        }
    }

    /// The one line written to stderr for a check that did not pass.
    pub fn failure_line(&self) -> Option<String> {
        (!self.passed()).then(|| {
            format!(
                "{FAILURE_MARKER} ✘ {}: {}",
                self.exercise,
                self.outcome.label_es()
            )
        })
    }

    fn symbol(&self) -> &'static str {
        if self.passed() { "✔" } else { "✘" }
    }

    fn title(&self) -> String {
        let what = match self.outcome {
            Outcome::Correct => "¡Correcto!",
            Outcome::Incorrect => "Todavía no es correcto",
            Outcome::Unanswered => "Sin respuesta",
        };
        format!("{} {} — {}", self.symbol(), self.exercise, what)
    }

    /// The check as an HTML box (green ✔ or red ✘), with a
    /// `data-lapaz-check="correcto|incorrecto|sin-respuesta"` attribute a
    /// test can look for.
    pub fn to_html(&self) -> String {
        let (border, background, state) = match self.outcome {
            Outcome::Correct => ("#1e8449", "#eafaf1", "correcto"),
            Outcome::Incorrect => ("#b03a2e", "#fdedec", "incorrecto"),
            Outcome::Unanswered => ("#9a6700", "#fef9e7", "sin-respuesta"),
        };
        let mut html = format!(
            "<div class=\"lapaz-check\" data-lapaz-check=\"{state}\" style=\"border-left:5px solid \
             {border};background:{background};padding:8px 12px;margin:4px 0;\
             border-radius:4px;color:#1c2833\"><strong>{}</strong><br>{}",
            escape_html(&self.title()),
            escape_html(&self.feedback)
        );
        if let Some(h) = self.shown_hint() {
            html.push_str(&format!("<br><em>Pista:</em> {}", escape_html(h)));
        }
        html.push_str("</div>");
        html
    }

    /// Shows the check in an evcxr notebook (HTML in the house container,
    /// with the text form as fallback); a check that did not pass also writes its
    /// [`Check::failure_line`] to stderr.
    #[cfg(feature = "notebook")]
    pub fn evcxr_display(&self) {
        crate::present::Html::styled(&self.to_html(), self.to_string()).evcxr_display();
        if let Some(line) = self.failure_line() {
            eprintln!("{line}");
        }
    }
}

impl fmt::Display for Check {
    /// `✔ Ejercicio 1 — ¡Correcto!` then the feedback and, when not
    /// correct, the hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  {}", self.title(), self.feedback)?;
        if let Some(h) = self.shown_hint() {
            write!(f, "\n  Pista: {h}")?;
        }
        Ok(())
    }
}

/// Escapes text for HTML.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
