//! Calibration of the embedded EMH 2023 stand-in: the design weight `factor_diseno` calibrated,
//! household by household (integrated weighting), to the population counts by macrodistrict ×
//! sex × age group of `data/targets.toml` (`[poblacion.edad_sexo]`, the same file the generator
//! uses; those counts are labelled ASSUMPTION there), with a before/after table by margin.
//!
//! The shipped `factor` is different: the generator post-stratifies households by macrodistrict
//! only (`data::synth::calibrate`). The full calibration is this one call.

use std::collections::HashMap;
use std::fmt;

use ndarray::Array2;
use polars::prelude::{Column, DataFrame, NamedFrom, Series};

use super::WeightingError;
use super::calibrate::{CalibrationOptions, CalibrationReport};
use crate::codebook::{Role, Table};
use crate::design::{DesignSpec, SurveyDesign, codes_of, numeric_values};
use crate::load::Survey;

/// The targets shipped with the crate (same file as the generator's).
const TARGETS: &str = include_str!("../../data/targets.toml");
/// Age groups of `[poblacion.edad_sexo]`, in its order.
const AGE_GROUPS: [&str; 5] = ["0–14", "15–24", "25–44", "45–64", "65+"];
/// Name of the age-group column added to the persons table.
pub const AGE_GROUP_COLUMN: &str = "grupo_edad";

/// The calibrated person design, its report and a before/after table by macrodistrict, sex and
/// age group.
#[derive(Debug, Clone)]
pub struct EmhCalibration {
    /// Person design with the calibrated weights (one weight per household; variance with the
    /// calibration residuals).
    pub design: SurveyDesign,
    /// What the calibration reached.
    pub report: CalibrationReport,
    /// One row per category of each margin (`margen`: macrodistrito, sexo, grupo_edad;
    /// `categoria`): `meta` (target), `antes` (Σ factor_diseno), `despues` (Σ calibrated weight)
    /// and `factor` (Σ the weight the data ships with, post-stratified by macrodistrict only).
    pub comparison: DataFrame,
}

impl fmt::Display for EmhCalibration {
    /// The report, then every row of the comparison (all margins, not a truncated frame).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.report)?;
        let text = |name: &str| -> Vec<String> {
            self.comparison
                .column(name)
                .ok()
                .and_then(|c| c.str().ok().cloned())
                .map(|c| c.iter().map(|v| v.unwrap_or("").to_string()).collect())
                .unwrap_or_default()
        };
        let number = |name: &str| -> Vec<f64> {
            self.comparison
                .column(name)
                .ok()
                .and_then(|c| c.f64().ok().cloned())
                .map(|c| c.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
                .unwrap_or_default()
        };
        let (margin, category) = (text("margen"), text("categoria"));
        let values = ["meta", "antes", "despues", "factor"].map(number);
        writeln!(
            f,
            "{:<14} {:<16} {:>12} {:>12} {:>12} {:>12}",
            "margen", "categoría", "meta", "antes", "después", "factor"
        )?;
        for (i, (m, c)) in margin.iter().zip(&category).enumerate() {
            write!(f, "{m:<14} {c:<16}")?;
            for v in &values {
                write!(f, " {:>12.1}", v.get(i).copied().unwrap_or(f64::NAN))?;
            }
            writeln!(f)?;
        }
        Ok(())
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

/// Calibrates the embedded (or any EMH-shaped) survey's design weight `factor_diseno` to the
/// population by macrodistrict × sex × age group, with **integrated household weighting**
/// (Lemaître & Dufour 1987): households are calibrated, each with its counts of persons in the
/// 90 macrodistrict × sex × age classes as auxiliary vector, so every member keeps the
/// household's weight and the weighted person counts of every class equal the targets.
///
/// Done as a person-level calibration whose auxiliary vector is the household's mean of the
/// class indicators (the same for every member, so the g-weight is too), raking (`g = exp(u)`,
/// positive weights), to a relative tolerance of 1e-12 (R's default is 1e-7); the variance of the returned person design
/// takes the calibration residuals (GREG step), as [`SurveyDesign::calibrate`] does.
///
/// The `factor` column the data ship with is **not** this calibration: the generator
/// post-stratifies households by macrodistrict only (every person of a macrodistrict gets the
/// same factor, and the sex and age margins are not fixed). The table `comparison` shows both, by
/// macrodistrict, sex and age group.
///
/// ```no_run
/// use lapaz_survey::load::Survey;
/// use lapaz_survey::weighting::calibrate_embedded;
/// let survey = Survey::embedded()?;
/// let cal = calibrate_embedded(&survey)?;
/// println!("{cal}"); // report + before/after by macrodistrict, sex and age group
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
    let n = design.n_rows();

    // Each person's class (index into `totals`) and its three margins' labels.
    let margins = ["macrodistrito", "s01a_02", AGE_GROUP_COLUMN];
    let mut codes = Vec::with_capacity(margins.len());
    for m in margins {
        codes.push(codes_of(design.data(), m, "calibración", Some(cb))?);
    }
    let index: HashMap<&[String], usize> = totals
        .iter()
        .enumerate()
        .map(|(k, (labels, _))| (labels.as_slice(), k))
        .collect();
    let mut class = Vec::with_capacity(n);
    for i in 0..n {
        let mut key = Vec::with_capacity(margins.len());
        for (m, c) in margins.iter().zip(&codes) {
            let label =
                c.labels
                    .get(c.codes[i] as usize)
                    .ok_or_else(|| WeightingError::Column {
                        column: (*m).into(),
                        problem: format!("valor faltante en la fila {i}"),
                    })?;
            key.push(label.es.clone());
        }
        let k =
            index
                .get(key.as_slice())
                .copied()
                .ok_or_else(|| WeightingError::MissingCategory {
                    variable: margins.join(" × "),
                    category: key.join(" × "),
                    problem: format!(
                        "está en la muestra (fila {i}) pero no tiene total poblacional"
                    ),
                    hint: "revise [poblacion.edad_sexo] de targets.toml".into(),
                })?;
        class.push(k);
    }

    // Households: counts of members per class; each member's auxiliary vector is the
    // household's counts divided by its size.
    let hid = cb
        .role_column(Table::Persona, Role::HouseholdId)
        .ok_or_else(|| WeightingError::Column {
            column: "hogar".into(),
            problem: "el libro de códigos no declara la columna de identificación del hogar".into(),
        })?;
    let households = codes_of(design.data(), hid, "hogar", None)?;
    let n_households = households.labels.len();
    let k = totals.len();
    let mut counts = vec![0.0f64; n_households * k];
    let mut size = vec![0.0f64; n_households];
    for (i, &h) in households.codes.iter().enumerate() {
        let h = h as usize;
        if h >= n_households {
            return Err(WeightingError::Column {
                column: hid.into(),
                problem: format!("identificador de hogar faltante en la fila {i}"),
            }
            .into());
        }
        counts[h * k + class[i]] += 1.0;
        size[h] += 1.0;
    }
    let x = Array2::from_shape_fn((n, k), |(i, j)| {
        let h = households.codes[i] as usize;
        counts[h * k + j] / size[h]
    });
    let population: Vec<f64> = totals.iter().map(|t| t.1).collect();
    let (calibrated, report) = design.calibrate_matrix(
        x,
        &population,
        Array2::<f64>::zeros((n, 0)).view(),
        &[],
        // Tighter than R's 1e-7: Newton's last step makes the totals exact to rounding.
        CalibrationOptions::raking().epsilon(1e-12),
        "integrada por hogar (raking, macrodistrito × sexo × grupo de edad)".into(),
    )?;

    // Before/after by each margin.
    let shipped = numeric_values(design.data(), "factor", "peso")
        .unwrap_or_else(|_| vec![f64::NAN; design.n_rows()]);
    let mut rows: Vec<(&str, String, [f64; 4])> = Vec::new();
    for (pos, (m, c)) in margins.iter().zip(&codes).enumerate() {
        let name = match *m {
            "s01a_02" => "sexo",
            other => other,
        };
        let first = rows.len();
        for l in &c.labels {
            rows.push((name, l.es.clone(), [0.0; 4]));
        }
        for (i, &code) in c.codes.iter().enumerate() {
            if let Some(r) = rows.get_mut(first + code as usize) {
                r.2[1] += design.weights()[i];
                r.2[2] += calibrated.weights()[i];
                r.2[3] += shipped[i];
            }
        }
        for (labels, total) in &totals {
            if let Some(r) = rows[first..]
                .iter_mut()
                .find(|r| labels.get(pos) == Some(&r.1))
            {
                r.2[0] += total;
            }
        }
    }
    let col = |name: &str, j: usize| {
        Column::from(Series::new(
            name.into(),
            rows.iter().map(|r| r.2[j]).collect::<Vec<f64>>(),
        ))
    };
    let comparison = DataFrame::new(
        rows.len(),
        vec![
            Column::from(Series::new(
                "margen".into(),
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            )),
            Column::from(Series::new(
                "categoria".into(),
                rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
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
    fn embedded_survey_calibrates_households_to_the_targets() {
        let survey = Survey::embedded().expect("embedded survey");
        let cal = calibrate_embedded(&survey).expect("calibrates");
        assert!(cal.report.converged, "{}", cal.report);
        let shown = cal.to_string();
        assert!(shown.contains("grupo_edad") && shown.contains("65+") && shown.contains("sexo"));
        // Every one of the 90 class totals is reached.
        assert!(cal.report.max_margin_error < 1e-12, "{}", cal.report);
        let values = |name: &str| -> Vec<f64> {
            let col = cal.comparison.column(name).expect("column");
            col.f64()
                .expect("f64")
                .cont_slice()
                .expect("contiguous")
                .to_vec()
        };
        let margin: Vec<String> = cal
            .comparison
            .column("margen")
            .expect("margen")
            .str()
            .expect("str")
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect();
        for m in ["macrodistrito", "sexo", "grupo_edad"] {
            let rows = margin.iter().filter(|x| *x == m).count();
            assert_eq!(
                rows,
                match m {
                    "macrodistrito" => 9,
                    "sexo" => 2,
                    _ => 5,
                },
                "{m}"
            );
        }
        for (m, a) in values("meta").into_iter().zip(values("despues")) {
            assert!((m - a).abs() < 1e-6 * m, "{m} vs {a}");
        }
        let total: f64 = cal.design.weights().iter().sum();
        assert!((total - 755_732.0).abs() < 1e-6, "{total}");
        // Integrated weighting: the g-weight is the same for every member of a household.
        let df = cal.design.data();
        let hid = survey
            .codebook()
            .role_column(Table::Persona, Role::HouseholdId)
            .expect("household id");
        let households = codes_of(df, hid, "hogar", None).expect("codes");
        let before = numeric_values(df, "factor_diseno", "peso").expect("weights");
        let mut g_of = vec![f64::NAN; households.labels.len()];
        let mut several = 0;
        for ((&h, &w), &d) in households
            .codes
            .iter()
            .zip(cal.design.weights())
            .zip(&before)
        {
            let g = w / d;
            let seen = &mut g_of[h as usize];
            if seen.is_nan() {
                *seen = g;
            } else {
                several += 1;
                assert!(
                    (g - *seen).abs() < 1e-12 * g,
                    "household {h}: {g} vs {seen}"
                );
            }
        }
        assert!(several > 1000, "households with several members: {several}");
        // The calibrated design estimates with the calibration in its variance.
        let by_sex = cal.design.total("s01a_02").expect("counts");
        assert!(by_sex.estimates().iter().all(|e| e.se < 1e-6 * e.estimate));
    }
}
