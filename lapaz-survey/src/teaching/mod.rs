//! Exercise checks for the notebooks (*revisión de ejercicios*): compare a
//! student's answer with the reference and say, in Spanish, whether it is
//! right, with a hint (*pista*) when it is not.
//!
//! Each helper returns a [`Check`]. End a check cell with it, **without a
//! semicolon** (evcxr shows the value a cell ends with): under the
//! `notebook` feature it shows as a green ✔ or red ✘ box; otherwise it
//! prints as text.
//!
//! | answer | helper |
//! |---|---|
//! | a number, within a tolerance | [`check_number`] with [`Tolerance`] |
//! | an estimate and its SE | [`check_estimate`] |
//! | a category or short text | [`check_choice`] |
//! | true / false | [`check_bool`] |
//! | several options (a, c, …) | [`check_options`] |
//!
//! Placeholders mean "not answered yet" and never fail loudly with a
//! panic: `f64::NAN` for numbers, `""` for text, `None` for booleans and
//! estimates. A check that is not correct shows why.
//!
//! ## For notebook tests: the failure marker
//!
//! When displayed in a notebook, a check that did not pass (incorrect or
//! unanswered) also writes one line to **stderr** starting with
//! [`FAILURE_MARKER`] (`[lapaz-check] ✘ Ejercicio 1.2: incorrecto`). The
//! notebook harness fails on it, so running a notebook with the reference
//! answers filled in (its *solutions edition*) proves every check passes.
//! The HTML box also carries `data-lapaz-check="correcto"`,
//! `"incorrecto"` or `"sin-respuesta"`. [`Check::require`] turns a
//! failure into an error for `?`.
//!
//! ```
//! use lapaz_survey::teaching::*;
//!
//! // Exercise cell (the student writes the answer):
//! let respuesta: f64 = 0.231;
//! // Check cell:
//! let check = check_number("Ejercicio 1.1: proporción con viajes > 60 min",
//!                          respuesta, 0.2312, Tolerance::Absolute(0.001))
//!     .hint("Use la media ponderada de la variable indicadora.");
//! assert!(check.passed());
//! println!("{check}");
//! ```

mod check;
mod compare;

pub use check::{Check, CheckFailed, FAILURE_MARKER, Outcome};
pub use compare::{
    EstimateAnswer, Selection, Tolerance, check_bool, check_choice, check_estimate, check_number,
    check_options,
};
