//! The bilingual codebook: every variable of the survey with its Spanish and
//! English labels, type, unit, value labels and missing-value codes.
//!
//! The codebook is data (`codebook.toml`, shipped inside the survey archive)
//! and travels with every loaded [`Survey`](crate::load::Survey): loaders use
//! it to type the columns, to turn categorical codes into labelled categories
//! and to reject codes it does not know; estimate tables use it to label
//! domains in both languages.
//!
//! ```
//! use lapaz_survey::codebook::{Codebook, VarType};
//!
//! let toml = r#"
//! [survey]
//! id = "demo"
//! title_es = "Encuesta de prueba"
//! title_en = "Test survey"
//!
//! [[variable]]
//! name = "area"
//! table = "vivienda"
//! module = "geografia"
//! label_es = "Área"
//! label_en = "Area"
//! type = "categorical"
//! values = [
//!   { code = 1, es = "Urbana", en = "Urban" },
//!   { code = 2, es = "Rural", en = "Rural" },
//! ]
//! "#;
//! let codebook = Codebook::from_toml_str(toml)?;
//! let area = codebook.variable("area").expect("declared above");
//! assert_eq!(area.var_type, VarType::Categorical);
//! assert_eq!(area.value_label(2).map(|v| v.es.as_str()), Some("Rural"));
//! # Ok::<(), lapaz_survey::codebook::CodebookError>(())
//! ```

mod markdown;
mod model;

pub use model::{
    Codebook, CodebookError, Language, Role, SurveyInfo, Table, ValueLabel, VarType, Variable,
};
