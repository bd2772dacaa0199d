//! Survey designs: weights, strata, multistage clusters and finite
//! population corrections, validated once into compact arrays.
//!
//! A [`SurveyDesign`] is R's `svydesign` object: one immutable value that
//! every estimator is a function of. Build it from a `DataFrame` and a
//! [`DesignSpec`]; take subpopulations with [`SurveyDesign::subset`] and
//! domain tables with [`SurveyDesign::by`] — both keep the full design (zero
//! weight outside the domain), so their standard errors are right.
//!
//! ```
//! use lapaz_survey::design::{DesignSpec, Filter, SurveyDesign};
//! use lapaz_survey::polars::prelude::*;
//!
//! let df = df![
//!     "estrato" => ["A", "A", "A", "A", "B", "B", "B", "B"],
//!     "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
//!     "factor"  => [10.0, 10.0, 12.0, 12.0, 20.0, 20.0, 18.0, 18.0],
//!     "ingreso" => [100.0, 120.0, 90.0, 110.0, 300.0, 280.0, 260.0, 310.0],
//!     "sexo"    => ["M", "F", "F", "M", "M", "F", "M", "F"],
//! ]?;
//! let spec = DesignSpec::new().weights("factor").strata("estrato").cluster("upm");
//! let design = SurveyDesign::new(df, spec)?;
//!
//! let mean = design.mean("ingreso")?;              // svymean(~ingreso, d)
//! let by_sex = design.by(["sexo"])?.mean("ingreso")?; // svyby(~ingreso, ~sexo, d, svymean)
//! let women = design.subset(Filter::eq("sexo", "F"))?.mean("ingreso")?;
//! assert_eq!(by_sex.estimates()[0].se, women.estimates()[0].se);
//! println!("{mean}");
//! # Ok::<(), lapaz_survey::Error>(())
//! ```

mod columns;
mod derive;
mod domain;
mod error;
mod filter;
mod spec;
pub(crate) mod structure;
mod survey;
pub(crate) mod taylor;
mod variance;

use std::sync::{Arc, OnceLock};

use polars::prelude::DataFrame;

pub use columns::Label;
pub(crate) use columns::{MISSING, codes_of, numeric_slice, numeric_values};
pub use domain::{ByVariable, DomainValue};
pub(crate) use domain::{CellMap, Domains};
pub use error::DesignError;
pub use filter::{Compare, Filter, Value};
pub use spec::{DesignSpec, LonelyPsu};
pub(crate) use structure::Structure;
pub use variance::VarianceMethod;

use crate::codebook::Codebook;
use crate::quality::ReliabilityRule;

/// Which simple-random-sampling variance the design effect compares with
/// (R's `deff = TRUE` or `deff = "replace"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DeffKind {
    /// SRS without replacement of the same size (R `deff = TRUE`): the SRS
    /// variance carries the factor `(N̂ − n)/N̂`.
    #[default]
    WithoutReplacement,
    /// SRS with replacement (R `deff = "replace"`).
    WithReplacement,
}

/// Settings that shape every estimate of a design: confidence level,
/// design-effect kind, missing values and the reliability rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimationOptions {
    /// Confidence level of intervals (0.95).
    pub level: f64,
    /// Design effect against SRS without (default) or with replacement.
    pub deff: DeffKind,
    /// Leave rows with a missing analysis value out of that estimate, as R's
    /// `na.rm = TRUE` (default `true`; R's default is `FALSE`, which returns
    /// `NA` — here a NaN estimate — for any domain with a missing value).
    pub na_rm: bool,
    /// The reliability rule that flags each estimate (INE Chile).
    pub reliability: ReliabilityRule,
}

impl Default for EstimationOptions {
    fn default() -> Self {
        EstimationOptions {
            level: 0.95,
            deff: DeffKind::WithoutReplacement,
            na_rm: true,
            reliability: ReliabilityRule::default(),
        }
    }
}

/// The validated design and its data, shared by every view of it.
#[derive(Debug)]
pub(crate) struct DesignData {
    pub frame: DataFrame,
    pub spec: DesignSpec,
    pub structure: Structure,
    pub codebook: Option<Arc<Codebook>>,
    pub variance: VarianceMethod,
    /// Cells of the whole sample as one domain (built on first use).
    pub whole_cells: OnceLock<Arc<CellMap>>,
    /// Replicate weights and calibration steps (weighting layer).
    pub weighting: crate::weighting::design::DesignWeighting,
}

/// A subpopulation: the rows in it and how it was described.
#[derive(Debug)]
pub(crate) struct Subset {
    pub mask: Vec<bool>,
    pub description: String,
}

/// A survey design: data, weights, strata, clusters per stage, fpc and the
/// lonely-PSU policy, validated once (R's `svydesign`).
///
/// Cloning is cheap (the data and arrays are shared). Every estimator —
/// [`mean`](Self::mean), [`total`](Self::total), [`ratio`](Self::ratio),
/// [`prop`](Self::prop), [`var`](Self::var) — returns an
/// [`EstimateTable`](crate::estimate::EstimateTable).
#[derive(Debug, Clone)]
pub struct SurveyDesign {
    pub(crate) data: Arc<DesignData>,
    pub(crate) subset: Option<Arc<Subset>>,
    pub(crate) options: EstimationOptions,
}

impl SurveyDesign {
    /// Builds and validates a design over `data`.
    ///
    /// Errors name the column and row of a missing weight, stratum or
    /// cluster id, the PSU found in two strata (without `nest`), the strata
    /// with a single PSU (under [`LonelyPsu::Fail`]) and inconsistent fpc.
    pub fn new(data: DataFrame, spec: DesignSpec) -> Result<SurveyDesign, DesignError> {
        Self::build(data, spec, None)
    }

    /// Builds a design whose domain labels come from `codebook` (categorical
    /// columns are polars `Enum`s of the Spanish labels; English labels are
    /// looked up in the codebook).
    pub fn with_codebook(
        data: DataFrame,
        spec: DesignSpec,
        codebook: Codebook,
    ) -> Result<SurveyDesign, DesignError> {
        Self::build(data, spec, Some(Arc::new(codebook)))
    }

    pub(crate) fn build(
        data: DataFrame,
        spec: DesignSpec,
        codebook: Option<Arc<Codebook>>,
    ) -> Result<SurveyDesign, DesignError> {
        let structure = Structure::build(&data, &spec, codebook.as_deref())?;
        Ok(SurveyDesign {
            data: Arc::new(DesignData {
                frame: data,
                spec,
                structure,
                codebook,
                variance: VarianceMethod::Taylor,
                whole_cells: OnceLock::new(),
                weighting: Default::default(),
            }),
            subset: None,
            options: EstimationOptions::default(),
        })
    }

    /// The subpopulation where `filter` holds, keeping the full design
    /// (R's `subset(design, ...)`: rows outside get zero weight, nothing is
    /// dropped). Subsets of subsets combine with "and".
    pub fn subset(&self, filter: Filter) -> Result<SurveyDesign, DesignError> {
        let mut mask = filter.evaluate(&self.data.frame, self.codebook())?;
        let mut description = filter.to_string();
        if let Some(prev) = &self.subset {
            for (m, p) in mask.iter_mut().zip(&prev.mask) {
                *m &= *p;
            }
            description = format!("{} & {}", prev.description, description);
        }
        Ok(SurveyDesign {
            data: Arc::clone(&self.data),
            subset: Some(Arc::new(Subset { mask, description })),
            options: self.options,
        })
    }

    /// The same design with another confidence level (e.g. 0.90).
    pub fn with_level(&self, level: f64) -> SurveyDesign {
        let mut d = self.clone();
        d.options.level = level;
        d
    }

    /// The same design with another design-effect kind.
    pub fn with_deff(&self, kind: DeffKind) -> SurveyDesign {
        let mut d = self.clone();
        d.options.deff = kind;
        d
    }

    /// The same design with R's `na.rm` set (default `true`).
    pub fn with_na_rm(&self, na_rm: bool) -> SurveyDesign {
        let mut d = self.clone();
        d.options.na_rm = na_rm;
        d
    }

    /// The same design flagging estimates with another reliability rule.
    pub fn with_reliability(&self, rule: ReliabilityRule) -> SurveyDesign {
        let mut d = self.clone();
        d.options.reliability = rule;
        d
    }

    /// The estimation options in force.
    pub fn options(&self) -> &EstimationOptions {
        &self.options
    }

    /// The data the design was built on (all rows, also outside a subset).
    pub fn data(&self) -> &DataFrame {
        &self.data.frame
    }

    /// The specification.
    pub fn spec(&self) -> &DesignSpec {
        &self.data.spec
    }

    /// The codebook, when the design has one.
    pub fn codebook(&self) -> Option<&Codebook> {
        self.data.codebook.as_deref()
    }

    /// The variance method.
    pub fn variance_method(&self) -> VarianceMethod {
        self.data.variance
    }

    /// Sampling weight of each row (from the weight column, the fpc, or 1).
    pub fn weights(&self) -> &[f64] {
        &self.data.structure.weights
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.data.structure.n
    }

    /// Number of strata (1 when unstratified).
    pub fn n_strata(&self) -> usize {
        self.data.structure.n_strata()
    }

    /// Number of PSUs (rows when there are no clusters).
    pub fn n_psu(&self) -> usize {
        self.data.structure.n_psu()
    }

    /// The subset's description, if this is a subpopulation.
    pub fn subset_description(&self) -> Option<&str> {
        self.subset.as_deref().map(|s| s.description.as_str())
    }

    /// Rows in the subpopulation (all rows without a subset).
    pub fn in_subset(&self) -> Option<&[bool]> {
        self.subset.as_deref().map(|s| s.mask.as_slice())
    }

    /// Design degrees of freedom as R's `degf()`: PSUs minus strata, both
    /// counted over rows with non-zero weight in the subpopulation.
    pub fn degrees_of_freedom(&self) -> f64 {
        let s = &self.data.structure;
        let mask = self.in_subset();
        degf(s, |i| s.weights[i] != 0.0 && mask.is_none_or(|m| m[i]))
    }

    /// Estimated population size `Σw` (over the subpopulation).
    pub fn population_size(&self) -> f64 {
        let s = &self.data.structure;
        match self.in_subset() {
            None => s.weights.iter().sum(),
            Some(m) => s
                .weights
                .iter()
                .zip(m)
                .filter(|(_, in_)| **in_)
                .map(|(w, _)| w)
                .sum(),
        }
    }
}

/// PSUs minus strata among rows where `keep(row)`.
pub(crate) fn degf(s: &Structure, keep: impl Fn(usize) -> bool) -> f64 {
    let mut psu_seen = vec![false; s.n_psu()];
    let mut stratum_seen = vec![false; s.n_strata()];
    let (mut np, mut nh) = (0usize, 0usize);
    for i in 0..s.n {
        if !keep(i) {
            continue;
        }
        let p = s.row_psu[i] as usize;
        if !psu_seen[p] {
            psu_seen[p] = true;
            np += 1;
        }
        let h = s.row_stratum[i] as usize;
        if !stratum_seen[h] {
            stratum_seen[h] = true;
            nh += 1;
        }
    }
    np as f64 - nh as f64
}

impl std::fmt::Display for SurveyDesign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.data.structure;
        let spec = &self.data.spec;
        let stages = if spec.cluster_columns().is_empty() {
            0
        } else {
            s.declared_stages
        };
        writeln!(
            f,
            "Diseño muestral{}{}",
            if s.has_strata { " estratificado" } else { "" },
            match stages {
                0 => ", sin conglomerados (cada fila es una UPM)".to_string(),
                1 => ", por conglomerados en 1 etapa".to_string(),
                k => format!(", por conglomerados en {k} etapas"),
            }
        )?;
        writeln!(
            f,
            "  filas: {}   estratos: {}   UPM: {}   gl: {}",
            s.n,
            s.n_strata(),
            s.n_psu(),
            self.degrees_of_freedom()
        )?;
        writeln!(
            f,
            "  pesos: {}   fpc: {}   UPM solitarias: {}",
            spec.weights_column().unwrap_or(if s.has_fpc {
                "(de la fpc)"
            } else {
                "(iguales)"
            }),
            if spec.fpc_columns().is_empty() {
                "no (con reemplazo)".to_string()
            } else {
                spec.fpc_columns().join(", ")
            },
            spec.lonely_psu_policy()
        )?;
        if let Some(sub) = &self.subset {
            writeln!(f, "  subpoblación: {}", sub.description)?;
        }
        write!(f, "  varianza: {}", self.data.variance.name_es())
    }
}
