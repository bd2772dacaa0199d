//! Replicate weights: how they are built (jackknife, BRR, Fay, bootstrap, successive differences),
//! how user-supplied columns are read (R's `svrepdesign` semantics), and the replicate variance.
//!
//! Replicates built from a design are stored compressed, as R does: one factor per PSU and
//! replicate (`n_psu × R`), multiplying the full-sample weight of every row of that PSU. After a
//! calibration the replicate weights differ row by row and are stored in full (`n × R`, analysis
//! weights). Estimators never loop over replicates over the data: they sum the data once per PSU
//! and multiply that small matrix by the factors ([`ReplicateWeights::replicate_totals`]).

mod bootstrap;
mod brr;
mod jackknife;
mod layout;
mod sdr;
mod variance;

pub use bootstrap::{bootstrap_factors, canty_davison_factors};
pub use brr::brr_factors;
pub use jackknife::{LonelyPsu, jk1_factors, jkn_factors};
pub use layout::PsuLayout;
pub use sdr::sdr_factors;
pub use variance::{replicate_covariance, replicate_variance};

use super::WeightingError;
use ndarray::{Array2, ArrayView2, Axis};

/// The kind of replicate weights, which fixes the variance formula's constants (as R's
/// `svrepdesign(type = ...)`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ReplicateType {
    /// Delete-one-PSU jackknife for unstratified designs; scale `(n − 1)/n` (times the fpc).
    Jk1,
    /// Stratified delete-one-PSU jackknife; `rscales = (n_h − 1)/n_h` (times the fpc), scale 1.
    Jkn,
    /// Balanced repeated replication; scale `1/R`.
    Brr,
    /// Fay's BRR with perturbation `rho`; scale `1/(R (1 − rho)²)`.
    Fay {
        /// Fay's coefficient, 0 ≤ rho < 1.
        rho: f64,
    },
    /// Bootstrap; scale `1/(R − 1)` for imported columns (R's default `bootstrap.average = 1`);
    /// built replicates carry their own scale.
    Bootstrap,
    /// Successive difference replication; scale `4/R`.
    SuccessiveDifference,
    /// Any other scheme: scale and rscales given by the user (default 1).
    Other,
}

impl ReplicateType {
    /// Parses R's names (`JK1`, `JKn`, `BRR`, `Fay`, `bootstrap`, `successive-difference`/`SDR`/
    /// `ACS`, `other`), case-insensitively. `Fay` needs `rho`.
    pub fn parse(name: &str, fay_rho: Option<f64>) -> Result<Self, WeightingError> {
        let t = match name.to_ascii_lowercase().as_str() {
            "jk1" => Self::Jk1,
            "jkn" => Self::Jkn,
            "brr" => Self::Brr,
            "fay" => {
                let rho = fay_rho.ok_or_else(|| WeightingError::InvalidArgument {
                    argument: "fay-rho".into(),
                    expected: "un valor 0 ≤ rho < 1 para réplicas de tipo Fay".into(),
                    found: "nada".into(),
                })?;
                check_rho(rho)?;
                Self::Fay { rho }
            }
            "bootstrap" => Self::Bootstrap,
            "sdr" | "successive-difference" | "acs" => Self::SuccessiveDifference,
            "other" => Self::Other,
            other => {
                return Err(WeightingError::InvalidArgument {
                    argument: "rep-type".into(),
                    expected: "JK1, JKn, BRR, Fay, bootstrap, SDR u other".into(),
                    found: other.into(),
                });
            }
        };
        Ok(t)
    }

    /// Short name, as R prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Jk1 => "JK1",
            Self::Jkn => "JKn",
            Self::Brr => "BRR",
            Self::Fay { .. } => "Fay",
            Self::Bootstrap => "bootstrap",
            Self::SuccessiveDifference => "successive-difference",
            Self::Other => "other",
        }
    }
}

pub(crate) fn check_rho(rho: f64) -> Result<(), WeightingError> {
    if (0.0..1.0).contains(&rho) {
        Ok(())
    } else {
        Err(WeightingError::InvalidArgument {
            argument: "fay-rho".into(),
            expected: "0 ≤ rho < 1".into(),
            found: rho.to_string(),
        })
    }
}

/// Replicate factors as a builder returns them: one row per PSU, one column per replicate, with
/// the variance constants of the method.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateFactors {
    /// `n_psu × R` multipliers of the full-sample weight.
    pub factors: Array2<f64>,
    /// Overall variance multiplier.
    pub scale: f64,
    /// Per-replicate variance multipliers (length R).
    pub rscales: Vec<f64>,
    /// The method.
    pub rep_type: ReplicateType,
}

/// How the replicate weights of a design are stored.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplicateStore {
    /// One factor per PSU and replicate; row `i`'s replicate weight is `w_i · factors[psu_i, r]`.
    Compressed {
        /// PSU index (0-based) of each row.
        row_psu: Vec<u32>,
        /// `n_psu × R` factors.
        factors: Array2<f64>,
    },
    /// Replicate analysis weights for every row: `n × R`.
    Full(Array2<f64>),
}

/// The replicate weights of a design and the constants of their variance formula
/// `v = scale · Σ_r rscales_r (θ_r − θ̄)²` (θ̄ = mean of the replicates, or the full-sample
/// estimate when `mse`), exactly R's `svrVar`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateWeights {
    rep_type: ReplicateType,
    store: ReplicateStore,
    scale: f64,
    rscales: Vec<f64>,
    mse: bool,
    degf: usize,
}

/// R's tolerance for the rank of the replicate weights (`degf`).
const RANK_TOL: f64 = 1e-5;

impl ReplicateWeights {
    /// Replicates built from a design: factors per PSU (from a builder) and the row → PSU map.
    pub fn from_factors(
        built: ReplicateFactors,
        row_psu: Vec<u32>,
        mse: bool,
    ) -> Result<Self, WeightingError> {
        let n_psu = built.factors.nrows();
        if let Some((row, &p)) = row_psu
            .iter()
            .enumerate()
            .find(|(_, p)| **p as usize >= n_psu)
        {
            return Err(WeightingError::LengthMismatch {
                what: format!("índice de UPM de la fila {row} (UPM {p})"),
                expected: n_psu,
                found: p as usize + 1,
            });
        }
        let degf = rank(built.factors.view()).saturating_sub(1);
        let r = built.factors.ncols();
        check_rscales(&built.rscales, r)?;
        Ok(Self {
            rep_type: built.rep_type,
            store: ReplicateStore::Compressed {
                row_psu,
                factors: built.factors,
            },
            scale: built.scale,
            rscales: built.rscales,
            mse,
            degf,
        })
    }

    /// User-supplied replicate columns, with R's `svrepdesign` semantics.
    ///
    /// `columns` is `n × R`. When `combined` is true they are replicate *analysis* weights (as
    /// agencies publish them); otherwise they are factors multiplying `weights`. `scale` and
    /// `rscales` default as in R: BRR `1/R`; Fay `1/(R (1 − rho)²)`; bootstrap `1/(R − 1)`; SDR
    /// `4/R` (given values ignored, as R does); JK1 `(R − 1)/R` (R's guess, when not given); JKn
    /// needs `rscales`; other: 1. `rscales` defaults to 1.
    pub fn from_columns(
        columns: Array2<f64>,
        weights: &[f64],
        rep_type: ReplicateType,
        combined: bool,
        scale: Option<f64>,
        rscales: Option<Vec<f64>>,
        mse: bool,
    ) -> Result<Self, WeightingError> {
        let (n, r) = columns.dim();
        if n != weights.len() {
            return Err(WeightingError::LengthMismatch {
                what: "filas de los pesos replicados y pesos de la muestra".into(),
                expected: weights.len(),
                found: n,
            });
        }
        if r == 0 {
            return Err(WeightingError::InvalidArgument {
                argument: "repweights".into(),
                expected: "al menos una columna de pesos replicados".into(),
                found: "ninguna".into(),
            });
        }
        for ((row, col), &v) in columns.indexed_iter() {
            if !v.is_finite() || v < 0.0 {
                return Err(WeightingError::InvalidWeight {
                    column: format!("réplica {}", col + 1),
                    row,
                    found: v,
                });
            }
        }
        let rf = r as f64;
        let (scale, rscales) = match rep_type {
            ReplicateType::Brr => (1.0 / rf, rscales),
            ReplicateType::Fay { rho } => {
                check_rho(rho)?;
                (1.0 / (rf * (1.0 - rho).powi(2)), rscales)
            }
            ReplicateType::SuccessiveDifference => (4.0 / rf, None),
            ReplicateType::Bootstrap => (scale.unwrap_or(1.0 / (rf - 1.0)), rscales),
            ReplicateType::Jk1 => (scale.unwrap_or((rf - 1.0) / rf), rscales),
            ReplicateType::Jkn => {
                let Some(rs) = rscales else {
                    return Err(WeightingError::InvalidArgument {
                        argument: "rscales".into(),
                        expected: "rscales = (n_h − 1)/n_h para cada réplica JKn".into(),
                        found: "nada".into(),
                    });
                };
                (scale.unwrap_or(1.0), Some(rs))
            }
            ReplicateType::Other => (scale.unwrap_or(1.0), rscales),
        };
        let rscales = rscales.unwrap_or_else(|| vec![1.0; r]);
        check_rscales(&rscales, r)?;
        let mut analysis = columns;
        if !combined {
            for (mut row, &w) in analysis.axis_iter_mut(Axis(0)).zip(weights) {
                row *= w;
            }
        }
        let degf = rank(analysis.view()).saturating_sub(1);
        Ok(Self {
            rep_type,
            store: ReplicateStore::Full(analysis),
            scale,
            rscales,
            mse,
            degf,
        })
    }

    /// The method.
    pub fn rep_type(&self) -> ReplicateType {
        self.rep_type
    }
    /// Number of replicates R.
    pub fn replicates(&self) -> usize {
        match &self.store {
            ReplicateStore::Compressed { factors, .. } => factors.ncols(),
            ReplicateStore::Full(a) => a.ncols(),
        }
    }
    /// Overall variance multiplier.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Per-replicate variance multipliers.
    pub fn rscales(&self) -> &[f64] {
        &self.rscales
    }
    /// Whether variances are centred on the full-sample estimate (R's `mse = TRUE`).
    pub fn mse(&self) -> bool {
        self.mse
    }
    /// Returns the same replicates with `mse` set.
    pub fn with_mse(mut self, mse: bool) -> Self {
        self.mse = mse;
        self
    }
    /// Degrees of freedom: rank of the replicate weights minus one (R's `degf`).
    pub fn degf(&self) -> usize {
        self.degf
    }
    /// How the weights are stored.
    pub fn store(&self) -> &ReplicateStore {
        &self.store
    }

    /// Replicate analysis weights of every row (`n × R`), given the full-sample weights.
    pub fn analysis_weights(&self, weights: &[f64]) -> Array2<f64> {
        match &self.store {
            ReplicateStore::Compressed { row_psu, factors } => {
                let r = factors.ncols();
                let mut out = Array2::zeros((row_psu.len(), r));
                for ((mut row, &p), &w) in out.axis_iter_mut(Axis(0)).zip(row_psu).zip(weights) {
                    row.assign(&factors.row(p as usize));
                    row *= w;
                }
                out
            }
            ReplicateStore::Full(a) => a.clone(),
        }
    }

    /// Replaces the replicate weights by full analysis weights (after calibration or trimming).
    pub(crate) fn with_full(&self, analysis: Array2<f64>) -> Self {
        Self {
            rep_type: self.rep_type,
            store: ReplicateStore::Full(analysis),
            scale: self.scale,
            rscales: self.rscales.clone(),
            mse: self.mse,
            degf: self.degf,
        }
    }

    /// Replicate totals `T[r, k] = Σ_i w_{i,r} · values[i, k]` for all replicates at once.
    ///
    /// `values` is `n × K` (already multiplied by domain indicators where needed); `weights` are
    /// the full-sample weights. Compressed replicates sum each PSU once (`n × K` work) and then
    /// multiply the `n_psu × K` sums by the factors; full replicates use one matrix product.
    pub fn replicate_totals(&self, weights: &[f64], values: ArrayView2<'_, f64>) -> Array2<f64> {
        match &self.store {
            ReplicateStore::Compressed { row_psu, factors } => {
                let k = values.ncols();
                let mut sums = Array2::<f64>::zeros((factors.nrows(), k));
                for ((row, &p), &w) in values.axis_iter(Axis(0)).zip(row_psu).zip(weights) {
                    let mut s = sums.row_mut(p as usize);
                    s.scaled_add(w, &row);
                }
                factors.t().dot(&sums)
            }
            ReplicateStore::Full(a) => a.t().dot(&values),
        }
    }

    /// Replicate totals of one column per domain in one pass: `T[r, d·m + j] = Σ_{i: domain_i =
    /// d} w_{i,r} · values[j][i]`. Rows with `domain_i = None` are outside every domain.
    pub fn replicate_domain_totals(
        &self,
        weights: &[f64],
        domain: &[Option<u32>],
        n_domains: usize,
        values: &[&[f64]],
    ) -> Array2<f64> {
        let m = values.len();
        let k = n_domains * m;
        match &self.store {
            ReplicateStore::Compressed { row_psu, factors } => {
                let mut sums = Array2::<f64>::zeros((factors.nrows(), k));
                for (i, (&p, &w)) in row_psu.iter().zip(weights).enumerate() {
                    if let Some(Some(d)) = domain.get(i) {
                        let base = *d as usize * m;
                        for (j, v) in values.iter().enumerate() {
                            sums[[p as usize, base + j]] += w * v[i];
                        }
                    }
                }
                factors.t().dot(&sums)
            }
            ReplicateStore::Full(a) => {
                let r = a.ncols();
                let mut out = Array2::<f64>::zeros((r, k));
                for (i, arow) in a.axis_iter(Axis(0)).enumerate() {
                    if let Some(Some(d)) = domain.get(i) {
                        let base = *d as usize * m;
                        for (j, v) in values.iter().enumerate() {
                            let x = v[i];
                            if x != 0.0 {
                                out.column_mut(base + j).scaled_add(x, &arow);
                            }
                        }
                    }
                }
                out
            }
        }
    }

    /// Variance of an estimate from its replicates (R's `svrVar`).
    pub fn variance(&self, estimate: f64, replicates: &[f64]) -> f64 {
        replicate_variance(estimate, replicates, self.scale, &self.rscales, self.mse)
    }
}

fn check_rscales(rscales: &[f64], r: usize) -> Result<(), WeightingError> {
    if rscales.len() != r {
        return Err(WeightingError::LengthMismatch {
            what: "rscales y número de réplicas".into(),
            expected: r,
            found: rscales.len(),
        });
    }
    if let Some(bad) = rscales.iter().find(|v| !v.is_finite() || **v < 0.0) {
        return Err(WeightingError::InvalidArgument {
            argument: "rscales".into(),
            expected: "números finitos ≥ 0".into(),
            found: bad.to_string(),
        });
    }
    Ok(())
}

/// Numerical rank with R's `qr(tol = 1e-5)` idea: singular values above `tol · σ_max`. For tall
/// matrices the rank is computed from the `R × R` Gram matrix's eigenvalues.
pub(crate) fn rank(m: ArrayView2<'_, f64>) -> usize {
    let (n, r) = m.dim();
    if n == 0 || r == 0 {
        return 0;
    }
    let gram = m.t().dot(&m);
    let g = nalgebra::DMatrix::from_fn(r, r, |i, j| gram[[i, j]]);
    let eig = nalgebra::linalg::SymmetricEigen::new(g);
    let max = eig.eigenvalues.iter().cloned().fold(0.0_f64, f64::max);
    if max <= 0.0 {
        return 0;
    }
    let tol = RANK_TOL * RANK_TOL * max;
    eig.eigenvalues.iter().filter(|&&v| v > tol).count()
}
