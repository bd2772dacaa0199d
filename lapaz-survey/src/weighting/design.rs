//! Weighting at the design level: replicate designs, calibration, post-stratification, raking
//! and trimming on a [`SurveyDesign`], each returning a new design (the old one is untouched)
//! whose estimators — mean, total, ratio, proportions, domains — keep the same `Estimate` shape.
//!
//! * Replicate designs estimate every domain's statistic under all replicate columns at once: the
//!   one-pass cell sums are multiplied by the PSU × replicate factor matrix (or, after a
//!   calibration, one pass adds each row's features times its replicate weights).
//! * Calibrated Taylor designs replace the linearised values by calibration residuals before the
//!   stage sums ([`VarianceAdjustment`]), as R's `svyrecvar` does with `postStrata`.

use std::sync::{Arc, OnceLock};

use ndarray::{Array2, ArrayView2, Axis};

use super::calibrate::{
    CalibrationOptions, CalibrationReport, g_range, g_weights, include_implied, make_report,
};
use super::replicate::{
    LonelyPsu as RepLonely, PsuLayout, ReplicateType, ReplicateWeights, bootstrap_factors,
    brr_factors, canty_davison_factors, jk1_factors, jkn_factors, replicate_covariance,
    sdr_factors,
};
use super::{
    Margin, NoProgress, Progress, RakeControl, VarianceAdjustment, WeightingError,
    poststratify_replicates, poststratify_weights, rake_weights, trim_weights,
};
use crate::design::taylor::{CellTotals, taylor_vcov};
use crate::design::{
    CellMap, DesignData, LonelyPsu, MISSING, SurveyDesign, VarianceMethod, codes_of, numeric_values,
};

/// Replicate weights and calibration steps carried by a design.
#[derive(Debug, Clone, Default)]
pub(crate) struct DesignWeighting {
    /// Replicate weights (a replicate design) and the map from the design's PSU codes to theirs.
    pub replicates: Option<Arc<ReplicateState>>,
    /// Calibration steps, in order (Taylor variance adjustments).
    pub adjustments: Vec<Arc<VarianceAdjustment>>,
    /// Reports of the calibrations made.
    pub reports: Vec<CalibrationReport>,
}

/// Replicate weights of a design.
#[derive(Debug, Clone)]
pub(crate) struct ReplicateState {
    pub weights: ReplicateWeights,
    /// Design PSU code → replicate PSU index (for compressed factors).
    pub psu_map: Vec<u32>,
}

/// How to create replicate weights from a design (R's `as.svrepdesign(type = ...)`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ReplicateMethod {
    /// Delete-one-PSU jackknife, unstratified designs (R `JK1`).
    Jk1,
    /// Stratified jackknife (R `JKn`).
    Jkn,
    /// Balanced repeated replication, two PSUs per stratum (R `BRR`).
    Brr,
    /// Fay's BRR with coefficient `rho` (R `Fay`).
    Fay {
        /// 0 ≤ rho < 1.
        rho: f64,
    },
    /// Rao–Wu rescaled bootstrap (R `subbootstrap`), seeded.
    Bootstrap {
        /// Number of replicates.
        replicates: usize,
        /// Seed of the ChaCha8 generator.
        seed: u64,
    },
    /// R's `bootstrap` type (Canty–Davison; uses the first-stage fpc), seeded.
    CantyDavison {
        /// Number of replicates.
        replicates: usize,
        /// Seed.
        seed: u64,
    },
    /// Successive difference replication over the PSUs in data order.
    Sdr,
}

impl ReplicateMethod {
    /// Parses the command line's `--replicates TYPE` (`jk1`, `jkn`, `brr`, `fay`, `bootstrap`,
    /// `canty-davison`, `sdr`).
    pub fn parse(
        name: &str,
        count: usize,
        seed: u64,
        fay_rho: Option<f64>,
    ) -> Result<Self, WeightingError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "jk1" => Self::Jk1,
            "jkn" => Self::Jkn,
            "brr" => Self::Brr,
            "fay" => Self::Fay {
                rho: fay_rho.unwrap_or(0.5),
            },
            "bootstrap" | "subbootstrap" => Self::Bootstrap {
                replicates: count,
                seed,
            },
            "canty-davison" => Self::CantyDavison {
                replicates: count,
                seed,
            },
            "sdr" | "successive-difference" => Self::Sdr,
            other => {
                return Err(WeightingError::InvalidArgument {
                    argument: "replicates".into(),
                    expected: "jk1, jkn, brr, fay, bootstrap, canty-davison o sdr".into(),
                    found: other.into(),
                });
            }
        })
    }
}

/// User-supplied replicate weight columns (R's `svrepdesign`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateColumns {
    /// Column names, in replicate order.
    pub columns: Vec<String>,
    /// Replicate type (fixes the default scale).
    pub rep_type: ReplicateType,
    /// Columns are replicate analysis weights (`true`, R's default) or factors of the weight.
    pub combined: bool,
    /// Overall scale (R's `scale`), when not the type's default.
    pub scale: Option<f64>,
    /// Per-replicate scales (R's `rscales`).
    pub rscales: Option<Vec<f64>>,
    /// Centre variances on the full-sample estimate (R's `mse`).
    pub mse: bool,
}

impl ReplicateColumns {
    /// Columns named explicitly.
    pub fn new<I, S>(columns: I, rep_type: ReplicateType) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            columns: columns.into_iter().map(Into::into).collect(),
            rep_type,
            combined: true,
            scale: None,
            rscales: None,
            mse: false,
        }
    }
    /// All columns of `design` whose names start with `prefix`, in data order.
    pub fn with_prefix(design: &SurveyDesign, prefix: &str, rep_type: ReplicateType) -> Self {
        let cols = design
            .data()
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .filter(|c| c.starts_with(prefix))
            .collect::<Vec<_>>();
        Self::new(cols, rep_type)
    }
    /// Sets `scale`.
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = Some(scale);
        self
    }
    /// Sets `rscales`.
    pub fn rscales(mut self, rscales: Vec<f64>) -> Self {
        self.rscales = Some(rscales);
        self
    }
    /// Sets `mse`.
    pub fn mse(mut self, mse: bool) -> Self {
        self.mse = mse;
        self
    }
    /// The columns are factors multiplying the sampling weight (R's `combined.weights = FALSE`).
    pub fn factors(mut self) -> Self {
        self.combined = false;
        self
    }
}

/// Population totals to calibrate to (R's `calibrate(design, ~formula, population)`).
///
/// Categorical terms give the population count of every category (or combination of
/// categories of several columns); numeric terms give the population total of a column. The
/// model has no separate intercept: the first categorical term's categories add up to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CalibrationTargets {
    terms: Vec<TargetTerm>,
}

#[derive(Debug, Clone, PartialEq)]
enum TargetTerm {
    Categorical {
        columns: Vec<String>,
        totals: Vec<(Vec<String>, f64)>,
    },
    Numeric {
        column: String,
        total: f64,
    },
    Population(f64),
}

impl CalibrationTargets {
    /// No targets yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Total population size (an intercept); not needed when a categorical term is given.
    pub fn population(mut self, total: f64) -> Self {
        self.terms.push(TargetTerm::Population(total));
        self
    }
    /// Counts of each category of `column` (labels as in the data or the codebook's Spanish
    /// label).
    pub fn categorical<I, S>(self, column: &str, totals: I) -> Self
    where
        I: IntoIterator<Item = (S, f64)>,
        S: Into<String>,
    {
        self.crossed(
            &[column],
            totals.into_iter().map(|(l, t)| (vec![l.into()], t)),
        )
    }
    /// Counts of each combination of categories of `columns` (e.g. macrodistrict × sex × age
    /// group): one entry per combination, labels in the order of `columns`.
    pub fn crossed<I>(mut self, columns: &[&str], totals: I) -> Self
    where
        I: IntoIterator<Item = (Vec<String>, f64)>,
    {
        self.terms.push(TargetTerm::Categorical {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            totals: totals.into_iter().collect(),
        });
        self
    }
    /// Population total of a numeric column.
    pub fn numeric(mut self, column: &str, total: f64) -> Self {
        self.terms.push(TargetTerm::Numeric {
            column: column.into(),
            total,
        });
        self
    }
}

fn design_err(e: crate::design::DesignError) -> crate::Error {
    crate::Error::from(e)
}

/// Codes of each row's combination of `columns` matched against `totals`' labels; returns codes
/// (index into totals) per row.
fn combination_codes(
    design: &SurveyDesign,
    columns: &[String],
    totals: &[(Vec<String>, f64)],
) -> crate::Result<Vec<u32>> {
    let frame = design.data();
    let mut per_col = Vec::new();
    for c in columns {
        per_col.push(codes_of(frame, c, "calibración", design.codebook()).map_err(design_err)?);
    }
    // For each column, label text (es and en) → code.
    let n = design.n_rows();
    let key_index: std::collections::HashMap<Vec<String>, u32> = totals
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i as u32))
        .collect();
    let mut codes = Vec::with_capacity(n);
    for i in 0..n {
        let mut key_es = Vec::with_capacity(columns.len());
        let mut key_en = Vec::with_capacity(columns.len());
        for (col, codes_c) in columns.iter().zip(&per_col) {
            let c = codes_c.codes[i];
            if c == MISSING {
                return Err(WeightingError::Column {
                    column: col.clone(),
                    problem: format!("valor faltante en la fila {i}: la calibración necesita la categoría de cada fila"),
                }
                .into());
            }
            let label = &codes_c.labels[c as usize];
            key_es.push(label.es.clone());
            key_en.push(label.en.clone());
        }
        let code = key_index
            .get(&key_es)
            .or_else(|| key_index.get(&key_en))
            .ok_or_else(|| WeightingError::MissingCategory {
                variable: columns.join(" × "),
                category: key_es.join(" × "),
                problem: format!("está en la muestra (fila {i}) pero no tiene total poblacional"),
                hint: "dé un total para cada categoría presente en los datos".into(),
            })?;
        codes.push(*code);
    }
    Ok(codes)
}

impl SurveyDesign {
    /// The replicate weights, when this is a replicate design.
    pub fn replicate_weights(&self) -> Option<&ReplicateWeights> {
        self.data
            .weighting
            .replicates
            .as_deref()
            .map(|r| &r.weights)
    }

    /// The same replicate design with variances centred on the full-sample estimate (`mse =
    /// true`, R's `mse = TRUE`) or on the mean of the replicates (`false`, R's default). No
    /// effect on a design without replicates.
    pub fn with_mse(&self, mse: bool) -> SurveyDesign {
        match self.data.weighting.replicates.as_deref() {
            None => self.clone(),
            Some(state) => {
                let weights = state.weights.clone().with_mse(mse);
                self.with_weighting(
                    None,
                    Some(ReplicateState {
                        weights,
                        psu_map: state.psu_map.clone(),
                    }),
                    None,
                    None,
                )
            }
        }
    }

    /// Reports of the calibrations applied to this design, in order.
    pub fn calibration_reports(&self) -> &[CalibrationReport] {
        &self.data.weighting.reports
    }

    /// The first-stage layout (strata, PSUs, fpc) replicate builders need.
    fn psu_layout(&self) -> crate::Result<(PsuLayout, Vec<u32>)> {
        let s = &self.data.structure;
        let psus: Vec<u64> = s.row_psu.iter().map(|&p| u64::from(p)).collect();
        let popsize = s
            .stages
            .first()
            .and_then(|st| st.group_popsize.as_ref())
            .map(|pop| {
                s.row_stratum
                    .iter()
                    .map(|&h| pop.get(h as usize).copied().unwrap_or(f64::NAN))
                    .collect::<Vec<f64>>()
            });
        let layout = PsuLayout::from_rows(
            &s.row_stratum,
            &psus,
            |h| s.stratum_labels[h as usize].clone(),
            popsize.as_deref(),
        )?;
        let mut map = vec![0u32; s.n_psu()];
        for (row, &p) in s.row_psu.iter().enumerate() {
            map[p as usize] = layout.row_psu[row];
        }
        Ok((layout, map))
    }

    /// A replicate design built from this one (R's `as.svrepdesign`); quiet.
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, SurveyDesign};
    /// use lapaz_survey::weighting::ReplicateMethod;
    /// use lapaz_survey::polars::prelude::*;
    /// let df = df![
    ///     "estrato" => ["A", "A", "A", "A", "B", "B", "B", "B"],
    ///     "upm"     => [1, 1, 2, 2, 3, 3, 4, 4],
    ///     "factor"  => [10.0, 10.0, 12.0, 12.0, 20.0, 20.0, 18.0, 18.0],
    ///     "ingreso" => [100.0, 120.0, 90.0, 110.0, 300.0, 280.0, 260.0, 310.0],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").strata("estrato").cluster("upm"))?;
    /// let boot = d.replicate(ReplicateMethod::Bootstrap { replicates: 100, seed: 1 })?;
    /// let jk = d.replicate(ReplicateMethod::Jkn)?;
    /// println!("{}", boot.mean("ingreso")?);
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn replicate(&self, method: ReplicateMethod) -> crate::Result<SurveyDesign> {
        self.replicate_with_progress(method, &NoProgress)
    }

    /// [`replicate`](Self::replicate) reporting progress (the command line shows a bar).
    pub fn replicate_with_progress(
        &self,
        method: ReplicateMethod,
        progress: &dyn Progress,
    ) -> crate::Result<SurveyDesign> {
        let (layout, psu_map) = self.psu_layout()?;
        let lonely = match self.data.structure.lonely {
            LonelyPsu::Fail => RepLonely::Fail,
            LonelyPsu::Remove => RepLonely::Remove,
            LonelyPsu::Certainty => RepLonely::Certainty,
            LonelyPsu::Adjust => RepLonely::Adjust,
            LonelyPsu::Average => RepLonely::Average,
            #[allow(unreachable_patterns)]
            _ => RepLonely::Fail,
        };
        // R's BRR/Fay and Rao–Wu do not use the fpc.
        let no_fpc = |l: &PsuLayout| PsuLayout {
            stratum_popsize: None,
            ..l.clone()
        };
        let built = match method {
            ReplicateMethod::Jk1 => jk1_factors(&layout)?,
            ReplicateMethod::Jkn => jkn_factors(&layout, lonely)?,
            ReplicateMethod::Brr => brr_factors(&no_fpc(&layout), 0.0)?,
            ReplicateMethod::Fay { rho } => brr_factors(&no_fpc(&layout), rho)?,
            ReplicateMethod::Bootstrap { replicates, seed } => {
                bootstrap_factors(&layout, replicates, seed, progress)?
            }
            ReplicateMethod::CantyDavison { replicates, seed } => {
                canty_davison_factors(&layout, replicates, seed, progress)?
            }
            ReplicateMethod::Sdr => sdr_factors(&layout)?,
        };
        let weights = ReplicateWeights::from_factors(built, layout.row_psu.clone(), false)?;
        Ok(self.with_weighting(None, Some(ReplicateState { weights, psu_map }), None, None))
    }

    /// A replicate design from replicate weight columns in the data (R's `svrepdesign`).
    pub fn with_replicate_columns(&self, spec: &ReplicateColumns) -> crate::Result<SurveyDesign> {
        let n = self.n_rows();
        if spec.columns.is_empty() {
            return Err(WeightingError::InvalidArgument {
                argument: "repweights".into(),
                expected: "al menos una columna de pesos replicados".into(),
                found: "ninguna columna coincide".into(),
            }
            .into());
        }
        let mut m = Array2::<f64>::zeros((n, spec.columns.len()));
        for (j, c) in spec.columns.iter().enumerate() {
            let v = numeric_values(self.data(), c, "peso replicado").map_err(design_err)?;
            if let Some((row, x)) = v
                .iter()
                .enumerate()
                .find(|(_, x)| !x.is_finite() || **x < 0.0)
            {
                return Err(WeightingError::InvalidWeight {
                    column: c.clone(),
                    row,
                    found: *x,
                }
                .into());
            }
            m.column_mut(j).assign(&ndarray::Array1::from(v));
        }
        let weights = ReplicateWeights::from_columns(
            m,
            self.weights(),
            spec.rep_type,
            spec.combined,
            spec.scale,
            spec.rscales.clone(),
            spec.mse,
        )?;
        Ok(self.with_weighting(
            None,
            Some(ReplicateState {
                weights,
                psu_map: Vec::new(),
            }),
            None,
            None,
        ))
    }

    /// A new design sharing the data, with new weights, replicates or calibration steps.
    fn with_weighting(
        &self,
        new_weights: Option<Vec<f64>>,
        replicates: Option<ReplicateState>,
        adjustment: Option<VarianceAdjustment>,
        report: Option<CalibrationReport>,
    ) -> SurveyDesign {
        let d = &self.data;
        let mut structure = d.structure.clone();
        if let Some(w) = new_weights {
            structure.weights = w;
        }
        let mut weighting = d.weighting.clone();
        if let Some(r) = replicates {
            weighting.replicates = Some(Arc::new(r));
        }
        if let Some(a) = adjustment {
            weighting.adjustments.push(Arc::new(a));
        }
        if let Some(r) = report {
            weighting.reports.push(r);
        }
        let variance = if weighting.replicates.is_some() {
            VarianceMethod::Replicate
        } else {
            d.variance
        };
        SurveyDesign {
            data: Arc::new(DesignData {
                frame: d.frame.clone(),
                spec: d.spec.clone(),
                structure,
                codebook: d.codebook.clone(),
                variance,
                whole_cells: OnceLock::new(),
                weighting,
            }),
            subset: self.subset.clone(),
            options: self.options,
        }
    }

    /// Replicate analysis weights, recalibrated with `f` per column, as a new replicate state.
    fn recalibrated_replicates(
        &self,
        f: impl Fn(usize, &[f64]) -> Result<Vec<f64>, WeightingError>,
    ) -> crate::Result<Option<ReplicateState>> {
        let Some(state) = self.data.weighting.replicates.as_deref() else {
            return Ok(None);
        };
        let mut a = state.weights.analysis_weights(self.weights());
        for (r, mut col) in a.axis_iter_mut(Axis(1)).enumerate() {
            let w: Vec<f64> = col.to_vec();
            let g = f(r, &w)?;
            for (v, gi) in col.iter_mut().zip(g) {
                *v *= gi;
            }
        }
        Ok(Some(ReplicateState {
            weights: state.weights.with_full(a),
            psu_map: state.psu_map.clone(),
        }))
    }

    /// Calibrates the weights to population totals (R's `calibrate`): returns the calibrated
    /// design and the report. Replicate weights are calibrated to the same totals.
    ///
    /// ```
    /// use lapaz_survey::design::{DesignSpec, SurveyDesign};
    /// use lapaz_survey::weighting::{CalibrationOptions, CalibrationTargets};
    /// use lapaz_survey::polars::prelude::*;
    /// let df = df![
    ///     "upm"    => [1, 1, 2, 2, 3, 3],
    ///     "factor" => [10.0, 10.0, 12.0, 12.0, 20.0, 20.0],
    ///     "sexo"   => ["M", "F", "F", "M", "M", "F"],
    ///     "edad"   => [25.0, 40.0, 33.0, 51.0, 45.0, 29.0],
    /// ]?;
    /// let d = SurveyDesign::new(df, DesignSpec::new().weights("factor").cluster("upm"))?;
    /// let targets = CalibrationTargets::new().categorical("sexo", [("F", 50.0), ("M", 45.0)]).numeric("edad", 3600.0);
    /// let (cal, report) = d.calibrate(&targets, CalibrationOptions::raking())?;
    /// assert!(report.converged);
    /// println!("{report}");
    /// # Ok::<(), lapaz_survey::Error>(())
    /// ```
    pub fn calibrate(
        &self,
        targets: &CalibrationTargets,
        opts: CalibrationOptions,
    ) -> crate::Result<(SurveyDesign, CalibrationReport)> {
        opts.check()?;
        let n = self.n_rows();
        let mut cols: Vec<Vec<f64>> = Vec::new();
        let mut population = Vec::new();
        // Categories the model matrix leaves out (as R's): their totals are implied by the
        // others, checked against the supplied ones and included in the margin error.
        let mut implied_cols: Vec<Vec<f64>> = Vec::new();
        let mut implied_population = Vec::new();
        let intercept = targets.terms.iter().find_map(|t| match t {
            TargetTerm::Population(v) => Some(*v),
            _ => None,
        });
        // The population size every categorical term must add up to: the intercept's total, or
        // the first categorical term's sum.
        let size = intercept.or_else(|| {
            targets.terms.iter().find_map(|t| match t {
                TargetTerm::Categorical { totals, .. } => {
                    Some(totals.iter().map(|(_, v)| v).sum::<f64>())
                }
                _ => None,
            })
        });
        let mut first_categorical = true;
        for term in &targets.terms {
            match term {
                TargetTerm::Population(t) => {
                    cols.push(vec![1.0; n]);
                    population.push(*t);
                }
                TargetTerm::Numeric { column, total } => {
                    let v =
                        numeric_values(self.data(), column, "calibración").map_err(design_err)?;
                    if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                        return Err(WeightingError::Column {
                            column: column.clone(),
                            problem: format!("valor faltante en la fila {row}"),
                        }
                        .into());
                    }
                    cols.push(v);
                    population.push(*total);
                }
                TargetTerm::Categorical { columns, totals } => {
                    let codes = combination_codes(self, columns, totals)?;
                    // Like R's model matrix: all categories for the first categorical term when
                    // there is no intercept, all but the first otherwise.
                    let has_intercept = targets
                        .terms
                        .iter()
                        .any(|t| matches!(t, TargetTerm::Population(_)));
                    let skip = usize::from(has_intercept || !first_categorical);
                    first_categorical = false;
                    if let (1, Some((label, given)), Some(size)) = (skip, totals.first(), size) {
                        let others: f64 = totals.iter().skip(1).map(|(_, v)| v).sum();
                        let implied = size - others;
                        let off = (given - implied).abs() / (1.0 + implied.abs());
                        if off >= opts.epsilon || off.is_nan() {
                            let whole = if intercept.is_some() {
                                format!("la población {size}")
                            } else {
                                format!(
                                    "la suma de los totales del primer término categórico, {size}"
                                )
                            };
                            return Err(WeightingError::InconsistentTotals {
                                variable: columns.join(" × "),
                                category: label.join(" × "),
                                given: *given,
                                implied,
                                detail: format!("{whole}, menos {others} de las demás categorías"),
                            }
                            .into());
                        }
                        implied_cols
                            .push(codes.iter().map(|&c| f64::from(u8::from(c == 0))).collect());
                        implied_population.push(*given);
                    }
                    for (k, (_, total)) in totals.iter().enumerate().skip(skip) {
                        cols.push(
                            codes
                                .iter()
                                .map(|&c| f64::from(u8::from(c as usize == k)))
                                .collect(),
                        );
                        population.push(*total);
                    }
                }
            }
        }
        let p = cols.len();
        let x = Array2::from_shape_fn((n, p), |(i, j)| cols[j][i]);
        let x_implied = Array2::from_shape_fn((n, implied_cols.len()), |(i, j)| implied_cols[j][i]);
        self.calibrate_matrix(
            x,
            &population,
            x_implied.view(),
            &implied_population,
            opts,
            format!("{:?}", opts.calfun).to_lowercase(),
        )
    }

    /// Calibration to `population` with the model matrix `x` (`n × p`, one row per row of the
    /// data); `x_implied`/`implied_population` are totals implied by the model that are checked
    /// in the report only. Replicates are calibrated too; the design's Taylor variance gets the
    /// GREG residual step.
    pub(crate) fn calibrate_matrix(
        &self,
        x: Array2<f64>,
        population: &[f64],
        x_implied: ArrayView2<'_, f64>,
        implied_population: &[f64],
        opts: CalibrationOptions,
        method: String,
    ) -> crate::Result<(SurveyDesign, CalibrationReport)> {
        opts.check()?;
        let w = self.weights();
        let gw = g_weights(x.view(), w, population, &opts)?;
        let mut report = make_report(method, x.view(), w, &gw, population, opts.epsilon);
        include_implied(&mut report, x_implied, w, &gw.g, implied_population);
        if !report.converged {
            return Err(WeightingError::NotConverged { report }.into());
        }
        // Every replicate must reach the totals too (R's `calibrate` only warns).
        let reps = self.recalibrated_replicates(|r, wr| {
            let gw = g_weights(x.view(), wr, population, &opts)?;
            let mut rep_report = make_report(
                report.method.clone(),
                x.view(),
                wr,
                &gw,
                population,
                opts.epsilon,
            );
            include_implied(&mut rep_report, x_implied, wr, &gw.g, implied_population);
            if !rep_report.converged {
                return Err(WeightingError::ReplicateNotConverged {
                    replicate: r + 1,
                    report: rep_report,
                });
            }
            Ok(gw.g)
        })?;
        report.replicates = reps.as_ref().map_or(0, |r| r.weights.replicates());
        let new_w: Vec<f64> = w.iter().zip(&gw.g).map(|(a, b)| a * b).collect();
        let sqrt_d: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
        let adj = VarianceAdjustment::Greg {
            x,
            w: sqrt_d.iter().zip(&gw.g).map(|(s, g)| s * g).collect(),
            sqrt_d,
        };
        Ok((
            self.with_weighting(Some(new_w), reps, Some(adj), Some(report.clone())),
            report,
        ))
    }

    /// Post-stratifies on the combinations of `columns` (R's `postStratify`).
    pub fn post_stratify(
        &self,
        columns: &[&str],
        totals: &[(Vec<String>, f64)],
    ) -> crate::Result<(SurveyDesign, CalibrationReport)> {
        let cols: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let codes = combination_codes(self, &cols, totals)?;
        let pop: Vec<f64> = totals.iter().map(|t| t.1).collect();
        let label = |g: usize| totals[g].0.join(" × ");
        let w = self.weights();
        let (new_w, mut report) = poststratify_weights(w, &codes, &pop, &cols.join(" × "), &label)?;
        let reps = match self.data.weighting.replicates.as_deref() {
            None => None,
            Some(state) => {
                let mut a = state.weights.analysis_weights(w);
                poststratify_replicates(&mut a, &codes, &pop);
                report.replicates = a.ncols();
                Some(ReplicateState {
                    weights: state.weights.with_full(a),
                    psu_map: state.psu_map.clone(),
                })
            }
        };
        let adj = VarianceAdjustment::PostStratify {
            group: codes,
            n_groups: pop.len(),
            old: w.to_vec(),
            new: new_w.clone(),
        };
        Ok((
            self.with_weighting(Some(new_w), reps, Some(adj), Some(report.clone())),
            report,
        ))
    }

    /// Rakes to the margins (R's `rake`): each margin is a column and the population count of
    /// each of its categories.
    pub fn rake(
        &self,
        margins: &[(&str, Vec<(String, f64)>)],
        control: RakeControl,
    ) -> crate::Result<(SurveyDesign, CalibrationReport)> {
        let mut ms = Vec::new();
        for (col, totals) in margins {
            let t: Vec<(Vec<String>, f64)> =
                totals.iter().map(|(l, v)| (vec![l.clone()], *v)).collect();
            let codes = combination_codes(self, &[col.to_string()], &t)?;
            ms.push(Margin {
                variable: col.to_string(),
                codes,
                totals: totals.iter().map(|t| t.1).collect(),
                labels: totals.iter().map(|t| t.0.clone()).collect(),
            });
        }
        let reps = self
            .data
            .weighting
            .replicates
            .as_deref()
            .map(|s| s.weights.analysis_weights(self.weights()));
        let raked = rake_weights(self.weights(), &ms, control, reps)?;
        let state = match (self.data.weighting.replicates.as_deref(), raked.replicates) {
            (Some(s), Some(a)) => Some(ReplicateState {
                weights: s.weights.with_full(a),
                psu_map: s.psu_map.clone(),
            }),
            _ => None,
        };
        let adj = VarianceAdjustment::Rake {
            margins: ms
                .iter()
                .zip(raked.step_weights)
                .map(|(m, w)| (m.codes.clone(), m.totals.len(), w))
                .collect(),
        };
        Ok((
            self.with_weighting(
                Some(raked.weights),
                state,
                Some(adj),
                Some(raked.report.clone()),
            ),
            raked.report,
        ))
    }

    /// Trims the weights to `[lower, upper]`, sharing the trimmed amount equally among the other
    /// weights (R's `trimWeights`). Replicate analysis weights are trimmed column by column with
    /// the same rule (R 4.1's replicate version differs; see the docs).
    pub fn trim(
        &self,
        lower: f64,
        upper: f64,
        strict: bool,
    ) -> crate::Result<(SurveyDesign, CalibrationReport)> {
        let (new_w, mut report) = trim_weights(self.weights(), lower, upper, strict)?;
        let reps = self.recalibrated_replicates(|_, wr| {
            let (t, _) = trim_weights(wr, lower, upper, strict)?;
            Ok(t.iter()
                .zip(wr)
                .map(|(a, b)| if *b > 0.0 { a / b } else { 0.0 })
                .collect())
        })?;
        report.replicates = reps.as_ref().map_or(0, |r| r.weights.replicates());
        let g: Vec<f64> = new_w
            .iter()
            .zip(self.weights())
            .map(|(a, b)| if *b > 0.0 { a / b } else { 1.0 })
            .collect();
        let (g_min, g_max) = g_range(&g, self.weights());
        report.g_min = g_min;
        report.g_max = g_max;
        Ok((
            self.with_weighting(Some(new_w), reps, None, Some(report.clone())),
            report,
        ))
    }
}

/// The variance step for a smooth statistic under a design with replicates or calibrations.
/// `accumulate(row, w, buf)` adds the row's features with weight `w`; `evaluate(domain, totals,
/// out)` evaluates the statistic; `jac` is the `D × k × m` gradient; `values` (cells × k) are the
/// linearised cell totals, replaced by calibration residuals when the design has calibrations.
/// Returns `None` for a plain Taylor design (the caller uses `taylor_vcov`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn weighted_vcov(
    design: &SurveyDesign,
    cells: &CellMap,
    m: usize,
    k: usize,
    acc: &[f64],
    theta: &[f64],
    jac: &[f64],
    accumulate: &dyn Fn(usize, f64, &mut [f64]) -> bool,
    evaluate: &dyn Fn(usize, &[f64], &mut [f64]),
) -> Option<WeightedVariance> {
    let wt = &design.data.weighting;
    let s = &design.data.structure;
    let nd = cells.n_domains;
    if let Some(state) = wt.replicates.as_deref() {
        let rw = &state.weights;
        let r = rw.replicates();
        let width = nd * m;
        let reps: Array2<f64> = match rw.store() {
            super::ReplicateStore::Compressed { factors, .. } if !state.psu_map.is_empty() => {
                let mut sums = Array2::<f64>::zeros((factors.nrows(), width));
                for (c, (&unit, &d)) in cells.cell_unit.iter().zip(&cells.cell_domain).enumerate() {
                    let p = state.psu_map[s.unit_psu[unit as usize] as usize] as usize;
                    for j in 0..m {
                        sums[[p, d as usize * m + j]] += acc[c * m + j];
                    }
                }
                factors.t().dot(&sums)
            }
            _ => {
                let a = rw.analysis_weights(&s.weights);
                let mut out = Array2::<f64>::zeros((r, width));
                let mut buf = vec![0.0; m];
                for (i, &c) in cells.cell_of_row.iter().enumerate() {
                    if c == MISSING {
                        continue;
                    }
                    buf.fill(0.0);
                    if !accumulate(i, 1.0, &mut buf) {
                        continue;
                    }
                    let d = cells.cell_domain[c as usize] as usize;
                    let arow = a.row(i);
                    for (j, &g) in buf.iter().enumerate() {
                        if g != 0.0 {
                            out.column_mut(d * m + j).scaled_add(g, &arow);
                        }
                    }
                }
                out
            }
        };
        let mut vcov = vec![0.0; nd * k * k];
        let mut out = vec![0.0; k];
        let mut estimates = Array2::<f64>::zeros((r, nd * k));
        for d in 0..nd {
            let thetas: Vec<Vec<f64>> = (0..r)
                .map(|rep| {
                    let t: Vec<f64> = (0..m).map(|j| reps[[rep, d * m + j]]).collect();
                    evaluate(d, &t, &mut out);
                    for (o, v) in out.iter().enumerate() {
                        estimates[[rep, d * k + o]] = *v;
                    }
                    out.clone()
                })
                .collect();
            let v = replicate_covariance(
                &theta[d * k..(d + 1) * k],
                &thetas,
                rw.scale(),
                rw.rscales(),
                rw.mse(),
            );
            vcov[d * k * k..(d + 1) * k * k].copy_from_slice(&v);
        }
        return Some(WeightedVariance {
            vcov,
            cells: None,
            replicates: Some(Arc::new(ReplicateEstimates {
                theta: theta.to_vec(),
                values: estimates,
                k,
            })),
        });
    }
    if wt.adjustments.is_empty() {
        return None;
    }
    // Row-level linearised values, one column per (domain, output): after the calibration
    // residuals a domain's influence is non-zero also outside the domain (as in R), so every
    // (unit, domain) pair becomes a cell.
    let n = s.n;
    let mut x = Array2::<f64>::zeros((n, nd * k));
    let mut buf = vec![0.0; m];
    for (i, &c) in cells.cell_of_row.iter().enumerate() {
        if c == MISSING {
            continue;
        }
        buf.fill(0.0);
        if !accumulate(i, s.weights[i], &mut buf) {
            continue;
        }
        let d = cells.cell_domain[c as usize] as usize;
        for o in 0..k {
            let row = &jac[(d * k + o) * m..(d * k + o + 1) * m];
            x[[i, d * k + o]] = row.iter().zip(&buf).map(|(a, b)| a * b).sum();
        }
    }
    let (vcov, cells) = adjusted_cells(design, x, nd, k);
    Some(WeightedVariance {
        vcov,
        cells: Some(cells),
        replicates: None,
    })
}

/// Calibration residuals of `x` (`n × (nd·k)`, weighted influence values per domain and output)
/// and their Taylor covariance, one `k × k` matrix per domain.
pub(crate) fn adjusted_vcov(
    design: &SurveyDesign,
    x: Array2<f64>,
    nd: usize,
    k: usize,
) -> Vec<f64> {
    adjusted_cells(design, x, nd, k).0
}

/// [`adjusted_vcov`] and the residual cell totals (every unit × domain), which serve as the
/// estimates' influence for covariances between them.
fn adjusted_cells(
    design: &SurveyDesign,
    mut x: Array2<f64>,
    nd: usize,
    k: usize,
) -> (Vec<f64>, CellTotals) {
    let s = &design.data.structure;
    adjust(design, &mut x);
    let n_units = s.n_units();
    let mut sums = vec![0.0; n_units * nd * k];
    let mut present = vec![false; n_units * nd];
    for (i, row) in x.axis_iter(Axis(0)).enumerate() {
        let u = s.row_unit[i] as usize;
        let base = u * nd * k;
        for (j, v) in row.iter().enumerate() {
            sums[base + j] += v;
        }
        if s.weights[i] > 0.0 {
            for d in 0..nd {
                present[u * nd + d] = true;
            }
        }
    }
    let cells = CellTotals {
        unit: (0..n_units as u32)
            .flat_map(|u| std::iter::repeat_n(u, nd))
            .collect(),
        domain: (0..n_units).flat_map(|_| 0..nd as u32).collect(),
        present,
        values: sums,
        k,
        n_domains: nd,
    };
    (taylor_vcov(s, &cells), cells)
}

/// What the weighting layer's variance step returns for a smooth statistic.
#[derive(Debug)]
pub(crate) struct WeightedVariance {
    /// `D × k × k` covariance matrices.
    pub vcov: Vec<f64>,
    /// Calibrated designs: residual cell totals to keep as the estimates' influence.
    pub cells: Option<CellTotals>,
    /// Replicate designs: the estimates under every replicate.
    pub replicates: Option<Arc<ReplicateEstimates>>,
}

/// Estimates of one estimator run under every replicate (for covariances between estimates).
#[derive(Debug)]
pub(crate) struct ReplicateEstimates {
    /// Full-sample estimates, `D·k` (domain-major).
    pub theta: Vec<f64>,
    /// `R × D·k` replicate estimates.
    pub values: Array2<f64>,
    /// Outputs per domain.
    pub k: usize,
}

impl ReplicateEstimates {
    fn column(&self, domain: u32, output: usize) -> usize {
        domain as usize * self.k + output
    }
}

/// Covariance of estimates of a replicate design from their replicate values (R's `svrVar` on
/// `svyby(..., covmat = TRUE)` replicates). `None` when the design has no replicates.
pub(crate) fn replicate_estimate_covariance(
    design: &DesignData,
    refs: &[&crate::estimate::InfluenceRef],
) -> Option<Result<Array2<f64>, crate::estimate::EstimateError>> {
    let rw = &design.weighting.replicates.as_deref()?.weights;
    let mut theta = Vec::with_capacity(refs.len());
    let mut cols = Vec::with_capacity(refs.len());
    for r in refs {
        let Some(reps) = r.influence.replicates.as_deref() else {
            return Some(Err(crate::estimate::EstimateError::BadOption(
                "una de las estimaciones no tiene sus valores por réplica; calcúlela sobre el diseño replicado".into(),
            )));
        };
        let c = reps.column(r.domain, r.column);
        theta.push(reps.theta[c]);
        cols.push(reps.values.column(c).to_vec());
    }
    let r = rw.replicates();
    let thetas: Vec<Vec<f64>> = (0..r)
        .map(|rep| cols.iter().map(|c| c[rep]).collect())
        .collect();
    let q = refs.len();
    let flat = replicate_covariance(&theta, &thetas, rw.scale(), rw.rscales(), rw.mse());
    Some(
        Array2::from_shape_vec((q, q), flat)
            .map_err(|e| crate::estimate::EstimateError::BadOption(e.to_string())),
    )
}

/// Replicate values of contrasts `G θ` of estimates that all carry replicates.
pub(crate) fn combine_replicates(
    refs: &[&crate::estimate::InfluenceRef],
    grads: &Array2<f64>,
) -> Option<Arc<ReplicateEstimates>> {
    let mut theta = vec![0.0; grads.nrows()];
    let mut values: Option<Array2<f64>> = None;
    for (a, r) in refs.iter().enumerate() {
        let reps = r.influence.replicates.as_deref()?;
        let c = reps.column(r.domain, r.column);
        let v = values.get_or_insert_with(|| Array2::zeros((reps.values.nrows(), grads.nrows())));
        for i in 0..grads.nrows() {
            theta[i] += grads[[i, a]] * reps.theta[c];
            v.column_mut(i)
                .scaled_add(grads[[i, a]], &reps.values.column(c));
        }
    }
    Some(Arc::new(ReplicateEstimates {
        theta,
        values: values?,
        k: grads.nrows(),
    }))
}

/// Applies the design's calibration residuals to row-level weighted influence values.
pub(crate) fn adjust(design: &SurveyDesign, x: &mut Array2<f64>) {
    for a in &design.data.weighting.adjustments {
        a.apply(x);
    }
}

/// Degrees of freedom of a replicate design (rank of the replicate weights − 1), if it is one.
pub(crate) fn replicate_df(design: &SurveyDesign) -> Option<f64> {
    design.replicate_weights().map(|r| r.degf() as f64)
}

/// Covariance of totals of row-level weighted influence values `z` (`n × k`) per domain under a
/// replicate design: the replicate totals `Σ_i (a_ir / w_i) z_i` and the replicate variance
/// formula. (Linearisation within replicates: exact for totals, a close approximation for
/// quantile intervals; see the docs.)
pub(crate) fn replicate_total_vcov(
    design: &SurveyDesign,
    domains: &[u32],
    n_domains: usize,
    z: ArrayView2<'_, f64>,
) -> Option<Vec<f64>> {
    let rw = design.replicate_weights()?;
    let w = &design.data.structure.weights;
    let k = z.ncols();
    let a = rw.analysis_weights(w);
    let r = a.ncols();
    let mut t = Array2::<f64>::zeros((r, n_domains * k));
    let mut full = vec![0.0; n_domains * k];
    for (i, (&d, zrow)) in domains.iter().zip(z.axis_iter(Axis(0))).enumerate() {
        if d == MISSING || zrow.iter().any(|v| v.is_nan()) || w[i] == 0.0 {
            continue;
        }
        let arow = a.row(i);
        for (o, &v) in zrow.iter().enumerate() {
            full[d as usize * k + o] += v;
            t.column_mut(d as usize * k + o).scaled_add(v / w[i], &arow);
        }
    }
    let mut out = vec![0.0; n_domains * k * k];
    for d in 0..n_domains {
        let thetas: Vec<Vec<f64>> = (0..r)
            .map(|rep| (0..k).map(|o| t[[rep, d * k + o]]).collect())
            .collect();
        let v = replicate_covariance(
            &full[d * k..(d + 1) * k],
            &thetas,
            rw.scale(),
            rw.rscales(),
            rw.mse(),
        );
        out[d * k * k..(d + 1) * k * k].copy_from_slice(&v);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{DesignSpec, Filter};
    use polars::prelude::*;

    fn design() -> SurveyDesign {
        let df = df![
            "estrato" => ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"],
            "upm"     => [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
            "factor"  => [10.0, 10.0, 12.0, 12.0, 11.0, 11.0, 20.0, 20.0, 18.0, 18.0, 19.0, 19.0],
            "ingreso" => [100.0, 120.0, 90.0, 110.0, 95.0, 130.0, 300.0, 280.0, 260.0, 310.0, 290.0, 270.0],
            "sexo"    => ["M", "F", "F", "M", "M", "F", "M", "F", "M", "F", "F", "M"],
        ]
        .expect("frame");
        SurveyDesign::new(
            df,
            DesignSpec::new()
                .weights("factor")
                .strata("estrato")
                .cluster("upm"),
        )
        .expect("design")
    }

    #[test]
    fn replicate_subset_equals_domain() {
        let rep = design().replicate(ReplicateMethod::Jkn).expect("jkn");
        let by = rep.by(["sexo"]).expect("by").mean("ingreso").expect("mean");
        let sub = rep
            .subset(Filter::eq("sexo", "F"))
            .expect("subset")
            .mean("ingreso")
            .expect("mean");
        let (a, b) = (&by.estimates()[0], &sub.estimates()[0]);
        assert!((a.estimate - b.estimate).abs() < 1e-12);
        assert!((a.se - b.se).abs() < 1e-12, "{} vs {}", a.se, b.se);
        assert!(a.se > 0.0);
        assert_eq!(a.df, 4.0); // rank of the 6 JKn replicates is 5 (their sums agree across strata): R degf = 4
    }

    #[test]
    fn brr_needs_two_psus_per_stratum() {
        let err = design()
            .replicate(ReplicateMethod::Brr)
            .expect_err("3 PSUs per stratum");
        assert!(err.to_string().contains("exactamente 2"), "{err}");
    }

    #[test]
    fn post_stratify_needs_every_total() {
        let d = design();
        let err = d
            .post_stratify(&["sexo"], &[(vec!["F".into()], 100.0)])
            .expect_err("M has no total");
        assert!(err.to_string().contains("no tiene total"), "{err}");
        let (ps, report) = d
            .post_stratify(
                &["sexo"],
                &[(vec!["F".into()], 100.0), (vec!["M".into()], 90.0)],
            )
            .expect("ps");
        assert!(report.converged);
        let total: f64 = ps.weights().iter().sum();
        assert!((total - 190.0).abs() < 1e-9);
        let counts = ps.total("sexo").expect("counts");
        assert!(
            counts.estimates().iter().all(|e| e.se.abs() < 1e-9),
            "post-stratified counts have no variance"
        );
    }

    #[test]
    fn calibration_on_replicates_hits_totals_in_every_replicate() {
        let rep = design()
            .replicate(ReplicateMethod::Bootstrap {
                replicates: 20,
                seed: 3,
            })
            .expect("boot");
        let targets = CalibrationTargets::new().categorical("sexo", [("F", 100.0), ("M", 90.0)]);
        let (cal, report) = rep
            .calibrate(&targets, CalibrationOptions::raking())
            .expect("calibrates");
        assert_eq!(report.replicates, 20);
        let a = cal
            .replicate_weights()
            .expect("replicates")
            .analysis_weights(cal.weights());
        for c in 0..a.ncols() {
            let s: f64 = a.column(c).sum();
            assert!((s - 190.0).abs() < 1e-5, "replicate {c}: {s}");
        }
        // Counts calibrated in every replicate: no variance.
        let counts = cal.total("sexo").expect("counts");
        assert!(counts.estimates().iter().all(|e| e.se < 1e-5), "{counts}");
    }

    #[test]
    fn every_supplied_total_is_checked_and_reached() {
        let d = design();
        // With a population size, the model leaves out F: its total must be 190 − 90 = 100.
        let err = d
            .calibrate(
                &CalibrationTargets::new()
                    .population(190.0)
                    .categorical("sexo", [("F", 110.0), ("M", 90.0)]),
                CalibrationOptions::linear(),
            )
            .expect_err("F + M ≠ population");
        match &err {
            crate::Error::Weighting(WeightingError::InconsistentTotals {
                category,
                given,
                implied,
                ..
            }) => {
                assert_eq!(category, "F");
                assert_eq!((*given, *implied), (110.0, 100.0));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("implican 100"), "{err}");
        // A second categorical term must add up to the first one's sum (190): A is off.
        let err = d
            .calibrate(
                &CalibrationTargets::new()
                    .categorical("sexo", [("F", 100.0), ("M", 90.0)])
                    .categorical("estrato", [("A", 50.0), ("B", 130.0)]),
                CalibrationOptions::raking(),
            )
            .expect_err("A + B ≠ F + M");
        assert!(
            matches!(&err, crate::Error::Weighting(WeightingError::InconsistentTotals { category, implied, .. }) if category == "A" && *implied == 60.0),
            "{err:?}"
        );
        // Consistent totals: the left-out categories are reached too.
        for opts in [CalibrationOptions::linear(), CalibrationOptions::raking()] {
            let (cal, report) = d
                .calibrate(
                    &CalibrationTargets::new()
                        .population(190.0)
                        .categorical("sexo", [("F", 100.0), ("M", 90.0)])
                        .categorical("estrato", [("A", 60.0), ("B", 130.0)]),
                    opts,
                )
                .expect("calibrates");
            assert!(
                report.converged && report.max_margin_error < 1e-7,
                "{report}"
            );
            let sum_where = |col: &str, v: &str| -> f64 {
                let vals = cal
                    .data()
                    .column(col)
                    .expect("col")
                    .str()
                    .expect("str")
                    .clone();
                vals.iter()
                    .zip(cal.weights())
                    .filter(|(x, _)| *x == Some(v))
                    .map(|(_, w)| w)
                    .sum()
            };
            assert!((sum_where("sexo", "F") - 100.0).abs() < 1e-5);
            assert!((sum_where("estrato", "A") - 60.0).abs() < 1e-5);
        }
    }

    #[test]
    fn bad_options_are_invalid_arguments() {
        let targets = CalibrationTargets::new().categorical("sexo", [("F", 100.0), ("M", 90.0)]);
        for opts in [
            CalibrationOptions::linear().bounds(1.5, 2.0),
            CalibrationOptions::raking().epsilon(0.0),
            CalibrationOptions::raking().maxit(0),
            CalibrationOptions::raking().bounds(f64::NAN, 2.0),
        ] {
            let err = design()
                .calibrate(&targets, opts)
                .expect_err("invalid options");
            assert!(
                matches!(
                    err,
                    crate::Error::Weighting(WeightingError::InvalidArgument { .. })
                ),
                "{opts:?}: {err:?}"
            );
        }
    }

    #[test]
    fn a_replicate_that_cannot_be_calibrated_is_an_error_naming_it() {
        // Each PSU has one man and one woman, 90 of each in the full sample; JKn replicate 1
        // (PSU 1 deleted) has 91.5 of each. Targets F = 100, M = 90 need g = (1.111, 1) in the
        // full sample, but g_M = 90/91.5 = 0.984 < 0.99 in replicate 1.
        let rep = design().replicate(ReplicateMethod::Jkn).expect("jkn");
        let targets = CalibrationTargets::new().categorical("sexo", [("F", 100.0), ("M", 90.0)]);
        let opts = CalibrationOptions::linear().bounds(0.99, 1.12);
        let (_, full) = design()
            .calibrate(&targets, opts)
            .expect("the full sample calibrates within the bounds");
        assert!(full.converged);
        let err = rep
            .calibrate(&targets, opts)
            .expect_err("replicate 1 cannot reach the totals");
        match &err {
            crate::Error::Weighting(WeightingError::ReplicateNotConverged {
                replicate,
                report,
            }) => {
                assert_eq!(*replicate, 1);
                assert!(!report.converged);
                assert_eq!(report.iterations, 51);
                assert!(report.max_margin_error > 1e-3, "{report}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("réplica 1") && msg.contains("no convergió"),
            "{msg}"
        );
    }
}
