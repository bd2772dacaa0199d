//! The design of a loaded survey, from its codebook's design roles.

use std::sync::Arc;

use super::{DesignError, DesignSpec, LonelyPsu, SurveyDesign};
use crate::codebook::{Role, Table};
use crate::load::Survey;

impl Survey {
    /// The household design: weights, strata and PSUs from the codebook's
    /// roles (`factor`, `estrato`, `upm` in the EMH), over the households
    /// table, with domain labels from the codebook.
    ///
    /// ```no_run
    /// use lapaz_survey::Survey;
    ///
    /// let survey = Survey::embedded()?;
    /// let design = survey.design()?;
    /// let income = design.by(["macrodistrito"])?.mean("yhogpc")?;
    /// println!("{income}");
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn design(&self) -> Result<SurveyDesign, DesignError> {
        self.table_design(Table::Vivienda, LonelyPsu::Fail)
    }

    /// The person design (the persons table, with the household's
    /// strata, PSU and weight as INE assigns them).
    pub fn person_design(&self) -> Result<SurveyDesign, DesignError> {
        self.table_design(Table::Persona, LonelyPsu::Fail)
    }

    /// The design of one table from the codebook roles, with a lonely-PSU
    /// policy.
    pub fn table_design(
        &self,
        table: Table,
        lonely: LonelyPsu,
    ) -> Result<SurveyDesign, DesignError> {
        let cb = self.codebook();
        let mut spec = DesignSpec::new().lonely_psu(lonely);
        if let Some(w) = cb.role_column(table, Role::Weight) {
            spec = spec.weights(w);
        }
        if let Some(h) = cb.role_column(table, Role::Strata) {
            spec = spec.strata(h);
        }
        if let Some(p) = cb.role_column(table, Role::Psu) {
            spec = spec.cluster(p);
        }
        if let Some(f) = cb.role_column(table, Role::Fpc) {
            spec = spec.fpc(f);
        }
        SurveyDesign::build(self.table(table).clone(), spec, Some(Arc::new(cb.clone())))
    }
}
