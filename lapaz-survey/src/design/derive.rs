//! New analysis variables on an existing design (R's `update(design, ...)`):
//! a 0/1 indicator from a [`Filter`], or any column computed with polars.
//!
//! The design's strata, clusters, weights (also calibrated or replicate
//! weights) and subpopulation are kept; only the data gain a column. R's
//! missing semantics hold: where the filter cannot be decided (a compared
//! value is missing) the indicator is missing too, so the row is left out of
//! that estimate — as `as.numeric(tiempo >= 45)` is `NA` when `tiempo` is.

use std::sync::{Arc, OnceLock};

use polars::prelude::Column;

use super::{DesignData, DesignError, Filter, SurveyDesign};

impl SurveyDesign {
    /// The same design with a 0/1 column `name`: 1 where `filter` holds, 0
    /// where it does not, missing where it cannot be decided (R's
    /// `update(d, name = as.numeric(condition))`). Its mean is the share of
    /// the (sub)population where the condition holds, with the design's SE.
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, Filter, SurveyDesign};
    /// use lapaz_survey::polars::prelude::*;
    ///
    /// let df = df![
    ///     "upm"    => [1, 1, 2, 2, 3, 3],
    ///     "factor" => [10.0, 10.0, 20.0, 20.0, 15.0, 15.0],
    ///     "tiempo" => [Some(20.0), Some(50.0), None, Some(70.0), Some(10.0), Some(45.0)],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let d = d.with_indicator("viaje_largo", Filter::ge("tiempo", 45.0))?;
    /// let largo = d.mean("viaje_largo")?;
    /// // (10 + 20 + 15) of the 70 people with a known time
    /// assert!((largo.estimates()[0].estimate - 45.0 / 70.0).abs() < 1e-12);
    /// assert_eq!(largo.estimates()[0].n_missing, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// The filter's errors (unknown column, a label that is not a category,
    /// a comparison on text), and [`DesignError::DesignColumn`] when `name`
    /// is one of the design's own columns.
    pub fn with_indicator(&self, name: &str, filter: Filter) -> Result<SurveyDesign, DesignError> {
        let decided = filter.evaluate_nullable(&self.data.frame, self.codebook())?;
        let values: Vec<Option<f64>> = decided
            .into_iter()
            .map(|v| v.map(|holds| if holds { 1.0 } else { 0.0 }))
            .collect();
        self.with_column(Column::new(name.into(), values))
    }

    /// The same design with `column` added to its data (or replacing a
    /// column of the same name that is not a design column). Build the
    /// column with polars from [`data`](Self::data); it must have one value
    /// per row of the design.
    ///
    /// # Errors
    /// [`DesignError::DesignColumn`] when the name is a weight, stratum,
    /// cluster or fpc column; [`DesignError::Polars`] when the length does
    /// not match the design's rows.
    pub fn with_column(&self, column: Column) -> Result<SurveyDesign, DesignError> {
        let name = column.name().to_string();
        let spec = &self.data.spec;
        let is_design_column = spec.weights_column() == Some(name.as_str())
            || spec.strata_column() == Some(name.as_str())
            || spec.cluster_columns().contains(&name)
            || spec.fpc_columns().contains(&name);
        if is_design_column {
            return Err(DesignError::DesignColumn { column: name });
        }
        let mut frame = crate::frame::detached(&self.data.frame);
        frame
            .with_column(column)
            .map_err(|source| DesignError::Polars {
                column: name.clone(),
                source,
            })?;
        let d = &self.data;
        Ok(SurveyDesign {
            data: Arc::new(DesignData {
                frame,
                spec: d.spec.clone(),
                structure: d.structure.clone(),
                codebook: d.codebook.clone(),
                variance: d.variance,
                whole_cells: OnceLock::new(),
                weighting: d.weighting.clone(),
            }),
            subset: self.subset.clone(),
            options: self.options,
        })
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;
    use crate::design::DesignSpec;

    fn frame() -> DataFrame {
        df![
            "estrato" => ["A", "A", "A", "A", "B", "B", "B", "B"],
            "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
            "factor"  => [10.0, 12.0, 12.0, 9.0, 20.0, 21.0, 18.0, 17.0],
            "tiempo"  => [Some(20.0), Some(50.0), None, Some(70.0), Some(10.0), Some(45.0), Some(30.0), Some(61.0)],
            "modo"    => [Some("bus"), Some("pie"), Some("bus"), None, Some("auto"), Some("bus"), Some("pie"), Some("bus")],
        ]
        .expect("valid frame")
    }

    fn design(df: DataFrame) -> SurveyDesign {
        let spec = DesignSpec::new()
            .weights("factor")
            .strata("estrato")
            .cluster("upm");
        SurveyDesign::new(df, spec).expect("valid design")
    }

    fn column_f64(d: &SurveyDesign, name: &str) -> Vec<Option<f64>> {
        d.data()
            .column(name)
            .expect("column exists")
            .f64()
            .expect("f64 column")
            .iter()
            .collect()
    }

    #[test]
    fn indicator_is_one_zero_or_missing_as_r() {
        let d = design(frame())
            .with_indicator("largo", Filter::ge("tiempo", 45.0))
            .expect("indicator");
        assert_eq!(
            column_f64(&d, "largo"),
            [
                Some(0.0),
                Some(1.0),
                None,
                Some(1.0),
                Some(0.0),
                Some(1.0),
                Some(0.0),
                Some(1.0)
            ]
        );
        let d = d
            .with_indicator("bus", Filter::is_in("modo", ["bus"]))
            .expect("indicator");
        assert_eq!(
            column_f64(&d, "bus"),
            [
                Some(1.0),
                Some(0.0),
                Some(1.0),
                None,
                Some(0.0),
                Some(1.0),
                Some(0.0),
                Some(1.0)
            ]
        );
    }

    #[test]
    fn estimates_match_a_design_built_with_the_column() {
        // The same column added before building the design: identical
        // estimates, SEs and df prove the design structure is reused right.
        let mut df = frame();
        let largo: Vec<Option<f64>> = [
            Some(0.0),
            Some(1.0),
            None,
            Some(1.0),
            Some(0.0),
            Some(1.0),
            Some(0.0),
            Some(1.0),
        ]
        .to_vec();
        df.with_column(Column::new("largo".into(), largo))
            .expect("column added");
        let built = design(df).by(["modo"]).expect("domains").mean("largo");
        let derived = design(frame())
            .with_indicator("largo", Filter::ge("tiempo", 45.0))
            .expect("indicator")
            .by(["modo"])
            .expect("domains")
            .mean("largo");
        let (built, derived) = (built.expect("mean"), derived.expect("mean"));
        assert_eq!(built.len(), derived.len());
        for (a, b) in built.estimates().iter().zip(derived.estimates()) {
            assert_eq!(a.estimate, b.estimate);
            assert_eq!(a.se, b.se);
            assert_eq!(a.df, b.df);
            assert_eq!(a.n_missing, b.n_missing);
        }
    }

    #[test]
    fn subset_and_options_are_kept() {
        let d = design(frame())
            .with_level(0.9)
            .subset(Filter::eq("modo", "bus"))
            .expect("subset");
        let d2 = d
            .with_indicator("largo", Filter::gt("tiempo", 40.0))
            .expect("indicator");
        assert_eq!(d2.in_subset(), d.in_subset());
        assert_eq!(d2.options().level, 0.9);
        // bus riders with a known time: rows 1, 6, 8 (weights 10, 21, 17), long: 6 and 8
        let m = d2.mean("largo").expect("mean");
        assert!((m.estimates()[0].estimate - 38.0 / 48.0).abs() < 1e-12);
    }

    #[test]
    fn design_columns_cannot_be_replaced() {
        let d = design(frame());
        for name in ["factor", "estrato", "upm"] {
            let err = d
                .with_indicator(name, Filter::ge("tiempo", 45.0))
                .expect_err("design column");
            assert!(matches!(err, DesignError::DesignColumn { ref column } if column == name));
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn wrong_length_and_unknown_columns_are_errors() {
        let d = design(frame());
        let short = Column::new("x".into(), [1.0, 2.0]);
        assert!(matches!(
            d.with_column(short),
            Err(DesignError::Polars { .. })
        ));
        assert!(d.with_indicator("x", Filter::ge("no_existe", 1.0)).is_err());
    }
}
