//! Reading the columns a chart needs from a polars `DataFrame`, with errors
//! that name the column and say what was expected.

use polars::prelude::{Column, DataFrame, DataType};

use crate::codebook::Codebook;
use crate::design::Label;

use super::PlotError;

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column, PlotError> {
    crate::frame::column(df, name).ok_or_else(|| PlotError::MissingColumn {
        column: name.to_owned(),
        available: df
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A numeric column as `f64` values (nulls and NaN as `None`).
pub(crate) fn numeric(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, PlotError> {
    let col = column(df, name)?;
    if !col.dtype().is_primitive_numeric() {
        return Err(PlotError::ColumnType {
            column: name.to_owned(),
            expected: "numérica (entera o real)".to_owned(),
            found: col.dtype().to_string(),
        });
    }
    let cast = col
        .cast(&DataType::Float64)
        .map_err(|e| PlotError::Draw(e.to_string()))?;
    let ca = cast.f64().map_err(|e| PlotError::Draw(e.to_string()))?;
    Ok(ca.iter().map(|v| v.filter(|x| x.is_finite())).collect())
}

/// Survey weights: numeric, present and non-negative in every row.
pub(crate) fn weights(df: &DataFrame, name: &str) -> Result<Vec<f64>, PlotError> {
    let values = numeric(df, name)?;
    let mut out = Vec::with_capacity(values.len());
    for (row, v) in values.into_iter().enumerate() {
        match v {
            Some(w) if w >= 0.0 => out.push(w),
            Some(w) => {
                return Err(PlotError::BadValue {
                    column: name.to_owned(),
                    problem: format!(
                        "el factor de expansión es negativo ({w}) en la fila {}",
                        row + 1
                    ),
                    hint: "los pesos deben ser cero o positivos; revise la columna de pesos"
                        .to_owned(),
                });
            }
            None => {
                return Err(PlotError::BadValue {
                    column: name.to_owned(),
                    problem: format!("falta el factor de expansión en la fila {}", row + 1),
                    hint: "cada fila necesita un peso; filtre las filas sin peso antes de graficar"
                        .to_owned(),
                });
            }
        }
    }
    Ok(out)
}

/// A categorical column: its labels in order and each row's label index.
///
/// `Enum` columns keep their declared order (the codebook's code order);
/// integer columns are ordered by value; text and `Categorical` columns
/// alphabetically.
pub(crate) fn categorical(
    df: &DataFrame,
    name: &str,
) -> Result<(Vec<String>, Vec<Option<usize>>), PlotError> {
    let col = column(df, name)?;
    let dtype = col.dtype().clone();
    let err = |e: polars::prelude::PolarsError| PlotError::Draw(e.to_string());
    match &dtype {
        DataType::Enum(cats, _) => {
            let labels: Vec<String> = cats.categories().values_iter().map(str::to_owned).collect();
            let as_text = col.cast(&DataType::String).map_err(err)?;
            let ca = as_text.str().map_err(err)?;
            let codes = ca
                .iter()
                .map(|v| v.and_then(|s| labels.iter().position(|l| l == s)))
                .collect();
            Ok((labels, codes))
        }
        DataType::String | DataType::Categorical(..) | DataType::Boolean => {
            let as_text = col.cast(&DataType::String).map_err(err)?;
            let ca = as_text.str().map_err(err)?;
            let mut labels: Vec<String> = ca.iter().flatten().map(str::to_owned).collect();
            labels.sort();
            labels.dedup();
            let codes = ca
                .iter()
                .map(|v| v.and_then(|s| labels.binary_search_by(|l| l.as_str().cmp(s)).ok()))
                .collect();
            Ok((labels, codes))
        }
        d if d.is_integer() => {
            let as_int = col.cast(&DataType::Int64).map_err(err)?;
            let ca = as_int.i64().map_err(err)?;
            let mut values: Vec<i64> = ca.iter().flatten().collect();
            values.sort_unstable();
            values.dedup();
            let codes = ca
                .iter()
                .map(|v| v.and_then(|x| values.binary_search(&x).ok()))
                .collect();
            Ok((values.iter().map(i64::to_string).collect(), codes))
        }
        other => Err(PlotError::ColumnType {
            column: name.to_owned(),
            expected: "categórica (Enum, texto o códigos enteros)".to_owned(),
            found: other.to_string(),
        }),
    }
}

/// Checks that the weights have one value per row of the data.
pub(crate) fn check_len(df: &DataFrame, weights: &[f64]) -> Result<(), PlotError> {
    if df.height() != weights.len() {
        return Err(PlotError::BadValue {
            column: "pesos".to_owned(),
            problem: format!("hay {} pesos para {} filas", weights.len(), df.height()),
            hint: "use los pesos del mismo diseño o tabla".to_owned(),
        });
    }
    Ok(())
}

/// Labels in both languages for the values of a categorical column: the
/// codebook's English label of each Spanish value label, or the value itself.
pub(crate) fn value_labels(
    codebook: Option<&Codebook>,
    column: &str,
    labels: &[String],
) -> Vec<Label> {
    let var = codebook.and_then(|cb| cb.variable(column));
    labels
        .iter()
        .map(
            |l| match var.and_then(|v| v.values.iter().find(|x| &x.es == l)) {
                Some(v) => Label {
                    es: v.es.clone(),
                    en: v.en.clone(),
                },
                None => Label::same(l.clone()),
            },
        )
        .collect()
}

/// A variable's label in both languages (`Ingreso laboral`), with its unit
/// in parentheses when `with_unit`; the column name when the codebook does
/// not know it.
pub(crate) fn variable_label(codebook: Option<&Codebook>, column: &str, with_unit: bool) -> Label {
    match codebook.and_then(|cb| cb.variable(column)) {
        Some(v) => {
            let unit = match (&v.unit, with_unit) {
                (Some(u), true) => format!(" ({u})"),
                _ => String::new(),
            };
            Label {
                es: format!("{}{unit}", v.label_es),
                en: format!("{}{unit}", v.label_en),
            }
        }
        None => Label::same(column),
    }
}

/// The note every chart of a design carries: synthetic data, subpopulation.
pub(crate) fn design_notes(design: &crate::design::SurveyDesign) -> Vec<Label> {
    let mut notes = Vec::new();
    if let Some(s) = design.subset_description() {
        notes.push(Label {
            es: format!("Subpoblación: {s}."),
            en: format!("Subpopulation: {s}."),
        });
    }
    if design.codebook().is_some_and(|cb| cb.survey.synthetic) {
        notes.push(Label {
            es: "Datos sintéticos: sustituto de enseñanza de la EMH 2023, no son los microdatos reales.".to_owned(),
            en: "Synthetic data: a teaching stand-in for EMH 2023, not the real microdata.".to_owned(),
        });
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn reads_numeric_and_rejects_text() -> PolarsResult<()> {
        let df = df!("x" => [Some(1i64), None, Some(3)], "s" => ["a", "b", "c"])?;
        assert!(matches!(
            numeric(&df, "x").as_deref(),
            Ok([Some(1.0), None, Some(3.0)])
        ));
        assert!(matches!(
            numeric(&df, "s"),
            Err(PlotError::ColumnType { .. })
        ));
        assert!(matches!(
            numeric(&df, "nope"),
            Err(PlotError::MissingColumn { .. })
        ));
        Ok(())
    }

    #[test]
    fn weights_must_be_present_and_non_negative() -> PolarsResult<()> {
        let df = df!("w" => [Some(1.5), None], "v" => [1.0, -2.0])?;
        let missing = weights(&df, "w");
        assert!(
            matches!(missing, Err(PlotError::BadValue { ref problem, .. }) if problem.contains("fila 2"))
        );
        assert!(matches!(weights(&df, "v"), Err(PlotError::BadValue { .. })));
        Ok(())
    }

    #[test]
    fn categorical_orders() -> PolarsResult<()> {
        let df = df!("s" => [Some("b"), Some("a"), None], "i" => [3i64, 1, 3])?;
        let (labels, codes) =
            categorical(&df, "s").map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
        assert_eq!(labels, ["a", "b"]);
        assert_eq!(codes, [Some(1), Some(0), None]);
        let (labels, codes) =
            categorical(&df, "i").map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
        assert_eq!(labels, ["1", "3"]);
        assert_eq!(codes, [Some(1), Some(0), Some(1)]);
        Ok(())
    }

    #[test]
    fn enum_keeps_declared_order() -> PolarsResult<()> {
        let dtype = DataType::from_frozen_categories(FrozenCategories::new(["Mujer", "Hombre"])?);
        let s = Series::new("sexo".into(), ["Hombre", "Mujer", "Hombre"]).cast(&dtype)?;
        let df = DataFrame::new_infer_height(vec![s.into()])?;
        let (labels, codes) = categorical(&df, "sexo")
            .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
        assert_eq!(labels, ["Mujer", "Hombre"]);
        assert_eq!(codes, [Some(1), Some(0), Some(1)]);
        Ok(())
    }
}
