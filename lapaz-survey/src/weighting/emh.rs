//! Calibration of the embedded EMH 2023 stand-in: the design weight `factor_diseno` of every
//! person post-stratified to the population counts by macrodistrict × sex × age group of
//! `data/targets.toml` (`[poblacion.edad_sexo]`, the same file the generator uses; those counts
//! are labelled ASSUMPTION there), with a before/after table.

use std::fmt;

use polars::prelude::{Column, DataFrame, NamedFrom, Series};

use super::WeightingError;
use super::calibrate::CalibrationReport;
use crate::codebook::{Role, Table};
use crate::design::{DesignSpec, SurveyDesign, codes_of, numeric_values};
use crate::load::Survey;

/// The targets shipped with the crate (same file as the generator's).
const TARGETS: &str = include_str!("../../data/targets.toml");
/// Age groups of `[poblacion.edad_sexo]`, in its order.
const AGE_GROUPS: [&str; 5] = ["0–14", "15–24", "25–44", "45–64", "65+"];
/// Name of the age-group column added to the persons table.
pub const AGE_GROUP_COLUMN: &str = "grupo_edad";

/// The calibrated person design, its report and a before/after table by macrodistrict.
#[derive(Debug, Clone)]
pub struct EmhCalibration {
    /// Person design with the calibrated weights (variance with the post-stratification).
    pub design: SurveyDesign,
    /// What the post-stratification reached.
    pub report: CalibrationReport,
    /// Per macrodistrict: `meta` (target), `antes` (Σ factor_diseno), `despues` (Σ calibrated
    /// weight) and `factor` (Σ the weight the data ships with).
    pub comparison: DataFrame,
}

impl fmt::Display for EmhCalibration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.report)?;
        write!(f, "{}", self.comparison)
    }
}

fn age_group(age: f64) -> Option<&'static str> {
    if !age.is_finite() || age < 0.0 {
        return None;
    }
    Some(match age as u32 {
        0..=14 => AGE_GROUPS[0],
        15..=24 => AGE_GROUPS[1],
        25..=44 => AGE_GROUPS[2],
        45..=64 => AGE_GROUPS[3],
        _ => AGE_GROUPS[4],
    })
}

fn label_of(survey: &Survey, variable: &str, code: i64) -> Result<String, WeightingError> {
    survey
        .codebook()
        .variable(variable)
        .and_then(|v| v.values.iter().find(|l| l.code == code))
        .map(|l| l.es.clone())
        .ok_or_else(|| WeightingError::Column {
            column: variable.into(),
            problem: format!("el libro de códigos no tiene la categoría {code}"),
        })
}

/// Targets `[(macrodistrict, sex, age group) labels, count]` from `targets.toml`.
fn targets(survey: &Survey) -> Result<Vec<(Vec<String>, f64)>, WeightingError> {
    let bad = |problem: &str| WeightingError::Column {
        column: "targets.toml [poblacion.edad_sexo]".into(),
        problem: problem.into(),
    };
    let doc: toml::Table = TARGETS
        .parse()
        .map_err(|e: toml::de::Error| bad(&e.to_string()))?;
    let rows = doc
        .get("poblacion")
        .and_then(|p| p.get("edad_sexo"))
        .and_then(|e| e.get("value"))
        .and_then(|v| v.as_array())
        .ok_or_else(|| bad("falta la tabla"))?;
    let sexes = [
        ("hombres", label_of(survey, "s01a_02", 1)?),
        ("mujeres", label_of(survey, "s01a_02", 2)?),
    ];
    let mut out = Vec::new();
    for row in rows {
        let m = row
            .get("macrodistrito")
            .and_then(|v| v.as_integer())
            .ok_or_else(|| bad("fila sin macrodistrito"))?;
        let macro_label = label_of(survey, "macrodistrito", m)?;
        for (key, sex) in &sexes {
            let counts = row
                .get(*key)
                .and_then(|v| v.as_array())
                .ok_or_else(|| bad("fila sin conteos por sexo"))?;
            for (group, c) in AGE_GROUPS.iter().zip(counts) {
                let v = c
                    .as_float()
                    .or_else(|| c.as_integer().map(|i| i as f64))
                    .ok_or_else(|| bad("conteo no numérico"))?;
                out.push((
                    vec![macro_label.clone(), sex.clone(), (*group).to_string()],
                    v,
                ));
            }
        }
    }
    Ok(out)
}

/// Post-stratifies the embedded (or any EMH-shaped) survey's person design weight
/// `factor_diseno` to the population by macrodistrict × sex × age group, and compares it with the
/// weight the data ships with (`factor`).
///
/// ```no_run
/// use lapaz_survey::load::Survey;
/// use lapaz_survey::weighting::calibrate_embedded;
/// let survey = Survey::embedded()?;
/// let cal = calibrate_embedded(&survey)?;
/// println!("{cal}"); // report + before/after by macrodistrict
/// let income = cal.design.mean("ylab")?;
/// # Ok::<(), lapaz_survey::Error>(())
/// ```
pub fn calibrate_embedded(survey: &Survey) -> crate::Result<EmhCalibration> {
    let cb = survey.codebook();
    let mut df = survey.table(Table::Persona);
    let ages = numeric_values(&df, "s01a_03", "edad")?;
    let groups: Vec<Option<&str>> = ages.iter().map(|&a| age_group(a)).collect();
    if let Some(row) = groups.iter().position(Option::is_none) {
        return Err(WeightingError::Column {
            column: "s01a_03".into(),
            problem: format!(
                "edad faltante o negativa en la fila {row}: no se puede asignar el grupo de edad"
            ),
        }
        .into());
    }
    let groups: Vec<&str> = groups.into_iter().flatten().collect();
    df.with_column(Column::from(Series::new(AGE_GROUP_COLUMN.into(), groups)))
        .map_err(|e| WeightingError::Column {
            column: AGE_GROUP_COLUMN.into(),
            problem: e.to_string(),
        })?;
    let mut spec = DesignSpec::new().weights("factor_diseno");
    if let Some(h) = cb.role_column(Table::Persona, Role::Strata) {
        spec = spec.strata(h);
    }
    if let Some(p) = cb.role_column(Table::Persona, Role::Psu) {
        spec = spec.cluster(p);
    }
    let design = SurveyDesign::with_codebook(df, spec, cb.clone())?;
    let totals = targets(survey)?;
    let (calibrated, report) =
        design.post_stratify(&["macrodistrito", "s01a_02", AGE_GROUP_COLUMN], &totals)?;

    // Before/after by macrodistrict.
    let codes = codes_of(design.data(), "macrodistrito", "macrodistrito", Some(cb))?;
    let k = codes.labels.len();
    let shipped = numeric_values(design.data(), "factor", "peso")
        .unwrap_or_else(|_| vec![f64::NAN; design.n_rows()]);
    let mut sums = vec![[0.0f64; 4]; k];
    for (i, &c) in codes.codes.iter().enumerate() {
        if let Some(s) = sums.get_mut(c as usize) {
            s[1] += design.weights()[i];
            s[2] += calibrated.weights()[i];
            s[3] += shipped[i];
        }
    }
    for (label, total) in &totals {
        if let Some(j) = codes.labels.iter().position(|l| l.es == label[0]) {
            sums[j][0] += total;
        }
    }
    let col = |name: &str, j: usize| {
        Column::from(Series::new(
            name.into(),
            sums.iter().map(|s| s[j]).collect::<Vec<f64>>(),
        ))
    };
    let comparison = DataFrame::new(
        k,
        vec![
            Column::from(Series::new(
                "macrodistrito".into(),
                codes
                    .labels
                    .iter()
                    .map(|l| l.es.clone())
                    .collect::<Vec<_>>(),
            )),
            col("meta", 0),
            col("antes", 1),
            col("despues", 2),
            col("factor", 3),
        ],
    )
    .map_err(|e| WeightingError::Column {
        column: "comparación".into(),
        problem: e.to_string(),
    })?;
    Ok(EmhCalibration {
        design: calibrated,
        report,
        comparison,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_survey_calibrates_to_the_targets() {
        let survey = Survey::embedded().expect("embedded survey");
        let cal = calibrate_embedded(&survey).expect("calibrates");
        assert!(cal.report.converged, "{}", cal.report);
        let values = |name: &str| -> Vec<f64> {
            let col = cal.comparison.column(name).expect("column");
            col.f64()
                .expect("f64")
                .cont_slice()
                .expect("contiguous")
                .to_vec()
        };
        for (m, a) in values("meta").into_iter().zip(values("despues")) {
            assert!((m - a).abs() < 1e-6 * m, "{m} vs {a}");
        }
        let total: f64 = cal.design.weights().iter().sum();
        assert!((total - 755_732.0).abs() < 1e-6, "{total}");
        // The calibrated design estimates with the post-stratification in its variance.
        let by_sex = cal.design.total("s01a_02").expect("counts");
        assert!(by_sex.estimates().iter().all(|e| e.se < 1e-6 * e.estimate));
    }
}
