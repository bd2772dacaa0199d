//! Covariances between estimates: each estimate keeps its linearised totals
//! per sampled unit, so the covariance of any set of estimates — of
//! different domains, statistics or tables of the same design — comes from
//! the same variance machinery. Contrasts and tests build on [`covariance`].

use std::sync::{Arc, OnceLock};

use ndarray::Array2;

use super::{Estimate, EstimateError};
use crate::design::DesignData;
use crate::design::taylor::{CellTotals, taylor_vcov};

/// Linearised totals per (unit, domain) cell of one estimator run: kept
/// when the run made them, or made on first use (by a covariance or a
/// contrast) when the run did not need them — the single-pass kernel
/// computes standard errors without cells.
pub(crate) struct Influence {
    /// The design they belong to.
    pub design: Arc<DesignData>,
    /// The cells (`k` columns: one per output of the statistic).
    cells: Cells,
    /// Replicate designs: the estimates under every replicate (weighting layer).
    pub replicates: Option<Arc<crate::weighting::design::ReplicateEstimates>>,
}

/// Re-runs an estimator to obtain its cells.
pub(crate) type MakeCells = Box<dyn Fn() -> CellTotals + Send + Sync>;

/// Cells kept, or made on first use.
enum Cells {
    Kept(CellTotals),
    Deferred(OnceLock<CellTotals>, MakeCells),
}

impl Influence {
    /// An influence whose cells are known.
    pub fn with_cells(
        design: Arc<DesignData>,
        cells: CellTotals,
        replicates: Option<Arc<crate::weighting::design::ReplicateEstimates>>,
    ) -> Influence {
        Influence {
            design,
            cells: Cells::Kept(cells),
            replicates,
        }
    }

    /// An influence whose cells are made by `make` when first asked for.
    pub fn deferred(design: Arc<DesignData>, make: MakeCells) -> Influence {
        Influence {
            design,
            cells: Cells::Deferred(OnceLock::new(), make),
            replicates: None,
        }
    }

    /// The cells, made now if they were deferred.
    pub fn cells(&self) -> &CellTotals {
        match &self.cells {
            Cells::Kept(cells) => cells,
            Cells::Deferred(cells, make) => cells.get_or_init(make),
        }
    }
}

impl std::fmt::Debug for Influence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Influence")
            .field(
                "cells",
                &match &self.cells {
                    Cells::Kept(c) => Some(c),
                    Cells::Deferred(c, _) => c.get(),
                },
            )
            .field("replicates", &self.replicates.is_some())
            .finish_non_exhaustive()
    }
}

/// Where an estimate's linearisation lives: a domain and column of an
/// [`Influence`].
#[derive(Debug, Clone)]
pub(crate) struct InfluenceRef {
    pub influence: Arc<Influence>,
    pub domain: u32,
    pub column: usize,
}

/// The variance–covariance matrix of several estimates of the same design
/// (R's `vcov()` of a joint estimate, e.g. `svyby(..., covmat = TRUE)`),
/// in the order given. Domains estimated from the same clusters are
/// correlated; this matrix carries that, which a difference of two
/// standard errors cannot.
///
/// ```
/// use lapaz_survey::design::{DesignSpec, SurveyDesign};
/// use lapaz_survey::estimate::covariance;
/// use lapaz_survey::polars::prelude::*;
///
/// let df = df![
///     "upm" => [1, 1, 2, 2, 3, 3],
///     "w"   => [1.0, 2.0, 1.0, 1.5, 2.0, 1.0],
///     "y"   => [3.0, 4.0, 2.0, 8.0, 5.0, 1.0],
///     "g"   => ["a", "b", "a", "b", "a", "b"],
/// ]?;
/// let d = SurveyDesign::new(df, DesignSpec::new().weights("w").cluster("upm"))?;
/// let t = d.by(["g"])?.mean("y")?;
/// let e = t.estimates();
/// let v = covariance(&[&e[0], &e[1]])?;
/// assert!((v[[0, 0]] - e[0].se * e[0].se).abs() < 1e-12);
/// // Var(a − b) = Var(a) + Var(b) − 2 Cov(a, b)
/// let var_diff = v[[0, 0]] + v[[1, 1]] - 2.0 * v[[0, 1]];
/// assert!(var_diff >= 0.0);
/// # Ok::<(), lapaz_survey::Error>(())
/// ```
pub fn covariance(estimates: &[&Estimate]) -> Result<Array2<f64>, EstimateError> {
    let q = estimates.len();
    let refs: Vec<&InfluenceRef> = estimates
        .iter()
        .map(|e| e.influence.as_ref().ok_or(EstimateError::DifferentDesigns))
        .collect::<Result<_, _>>()?;
    let Some(first) = refs.first() else {
        return Ok(Array2::zeros((0, 0)));
    };
    let design = Arc::clone(&first.influence.design);
    if refs
        .iter()
        .any(|r| !Arc::ptr_eq(&r.influence.design, &design))
    {
        return Err(EstimateError::DifferentDesigns);
    }
    if let Some(v) = crate::weighting::design::replicate_estimate_covariance(&design, &refs) {
        return v;
    }
    // Gather (unit, estimate, value, present) from each distinct influence.
    let mut entries: Vec<(u32, usize, f64, bool)> = Vec::new();
    let mut done: Vec<*const Influence> = Vec::new();
    for r in &refs {
        let ptr = Arc::as_ptr(&r.influence);
        if done.contains(&ptr) {
            continue;
        }
        done.push(ptr);
        let inf = r.influence.cells();
        // Estimates served by this influence, keyed by domain.
        let mine: Vec<(usize, u32, usize)> = refs
            .iter()
            .enumerate()
            .filter(|(_, o)| Arc::as_ptr(&o.influence) == ptr)
            .map(|(a, o)| (a, o.domain, o.column))
            .collect();
        for c in 0..inf.unit.len() {
            let d = inf.domain[c];
            for &(a, od, col) in &mine {
                if od == d {
                    entries.push((inf.unit[c], a, inf.values[c * inf.k + col], inf.present[c]));
                }
            }
        }
    }
    entries.sort_by_key(|e| e.0);
    let mut unit = Vec::new();
    let mut present = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    for (u, a, v, p) in entries {
        if unit.last() != Some(&u) {
            unit.push(u);
            present.push(false);
            values.extend(std::iter::repeat_n(0.0, q));
        }
        let c = unit.len() - 1;
        values[c * q + a] += v;
        present[c] |= p;
    }
    let cells = CellTotals {
        domain: vec![0; unit.len()].into(),
        unit: unit.into(),
        present,
        values,
        k: q,
        n_domains: 1,
    };
    let flat = taylor_vcov(&design.structure, &cells);
    Array2::from_shape_vec((q, q), flat).map_err(|e| EstimateError::BadOption(e.to_string()))
}
