//! The estimation core: every estimator is a smooth function of domain
//! totals, computed in one grouped pass.
//!
//! 1. **One pass.** Each row adds its weighted contributions `w·g(y)` (the
//!    statistic's *features*) to its cell — the pair (deepest sampled unit,
//!    domain) — so all domains come out of one pass over slices, never one
//!    pass per domain, and nothing of size rows × domains is allocated.
//! 2. **Point estimates.** Cells are summed per domain into totals `S_d`
//!    and the statistic evaluates `θ_d = f(S_d)`.
//! 3. **Variance.** Taylor: the gradient `J_d = ∂f/∂S` turns each cell's
//!    feature totals into the cell total of the linearised variable
//!    `J_d · S_cell` (exactly R's influence values summed by unit), and
//!    [`taylor_vcov`] gives their covariance from the stage structure. A
//!    replicate method would instead re-evaluate `f` on totals under each
//!    replicate weight column.

use std::sync::Arc;

use ndarray::{Array2, ArrayView2};

use super::influence::{Influence, InfluenceRef};
use super::{ConfidenceInterval, Estimate, Statistic};
use crate::design::taylor::{CellTotals, taylor_vcov};
use crate::design::{CellMap, DeffKind, Domains, Label, MISSING, SurveyDesign, VarianceMethod};
use crate::quality::Measures;

/// A statistic written as a smooth function of weighted domain totals.
///
/// Conventions: total 0 is `Σw` over rows with a value (the domain's
/// estimated population); `accumulate` adds a row's weighted features and
/// reports whether its value is present.
pub(crate) trait SmoothStatistic: Sync {
    /// Number of totals `m` the statistic needs per domain.
    fn n_totals(&self) -> usize;
    /// Number of outputs `k` (1, or one per level).
    fn n_outputs(&self) -> usize;
    /// Adds row `row`'s contributions with weight `w` to `acc` (length
    /// `m`); returns `false`, adding nothing, when the value is missing.
    fn accumulate(&self, row: usize, w: f64, acc: &mut [f64]) -> bool;
    /// Number of extra totals needed per domain only, never per cell (second
    /// moments for the design effect, unweighted case counts): they do not
    /// enter `evaluate`/`jacobian`, so cells stay small.
    fn n_domain_totals(&self) -> usize {
        0
    }
    /// Adds a row with a value to the domain-only totals (length
    /// [`n_domain_totals`](Self::n_domain_totals)).
    fn accumulate_domain(&self, _row: usize, _w: f64, _acc: &mut [f64]) {}
    /// Outputs from domain totals and row counts.
    fn evaluate(&self, totals: &[f64], n: Counts, out: &mut [f64]);
    /// Gradient `k × m` (row-major) of the outputs at the totals.
    fn jacobian(&self, totals: &[f64], n: Counts, jac: &mut [f64]);
    /// For the design effect: `Σ w (ψ − ψ̄)²` per output, where `ψ = J·g` is
    /// a row's (unweighted) linearised value. `None`: no design effect.
    /// `totals` holds the `m` totals followed by the domain-only ones.
    fn srs_spread(&self, totals: &[f64], n: f64, jac: &[f64]) -> Option<Vec<f64>>;
    /// Whether the statistic has a design effect (R's `deff=` argument).
    fn has_deff(&self) -> bool {
        true
    }
    /// Whether R checks `Σw ≥ n` for the design effect (means and
    /// proportions: `svymean` does, `svytotal` does not).
    fn deff_checks_population(&self) -> bool;
    /// Unweighted cases behind each output (defaults to `n`); `totals` as in
    /// [`srs_spread`](Self::srs_spread).
    fn cases(&self, _totals: &[f64], n: f64, out: &mut [f64]) {
        out.fill(n);
    }
    /// The statistic and, per output, its level label.
    fn describe(&self) -> (Statistic, String, Vec<Option<Label>>);
    /// Whether outputs are proportions (for reliability rules).
    fn is_proportion(&self) -> bool {
        false
    }
}

/// Row counts of a domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Counts {
    /// Rows with a value and positive weight.
    pub n: f64,
    /// Rows with positive weight, with or without a value (R's `svyvar`
    /// counts these in its `n/(n − 1)`).
    pub n_weighted: f64,
}

/// Row counts of one domain.
#[derive(Debug, Clone, Copy, Default)]
struct DomainCount {
    /// Rows of the domain.
    rows: u32,
    /// Rows with a value and positive weight.
    positive: u32,
    /// Rows with positive weight.
    weighted: u32,
    /// Rows with a missing value.
    missing: u32,
}

/// Cell flag: at least one row with a value.
const PRESENT: u8 = 1;
/// Cell flag: at least one row with a value and positive weight.
const POSITIVE: u8 = 2;

/// Per-domain results of the core before they become [`Estimate`]s.
#[derive(Debug, Clone)]
pub(crate) struct DomainResults {
    /// `D × k` estimates.
    pub theta: Vec<f64>,
    /// `D × k × k` covariance matrices.
    pub vcov: Vec<f64>,
    /// `D × k` design effects (NaN when undefined).
    pub deff: Vec<f64>,
    /// `D × k` unweighted cases.
    pub cases: Vec<f64>,
    /// Per domain: rows with a value and positive weight.
    pub n: Vec<f64>,
    /// Per domain: rows with a missing value.
    pub missing: Vec<usize>,
    /// Per domain: `Σw`.
    pub population: Vec<f64>,
    /// Per domain: degrees of freedom.
    pub df: Vec<f64>,
    /// Per domain: whether it has member rows at all.
    pub has_rows: Vec<bool>,
    /// Linearised cell totals, for covariances between estimates.
    pub influence: Arc<Influence>,
}

/// Runs a smooth statistic over the domains of `cells` under `design`.
pub(crate) fn estimate_smooth<S: SmoothStatistic>(
    design: &SurveyDesign,
    cells: &CellMap,
    stat: &S,
) -> DomainResults {
    let s = &design.data.structure;
    let m = stat.n_totals();
    let k = stat.n_outputs();
    let nd = cells.n_domains;
    let nc = cells.len();

    // 1. One pass: weighted features per cell; counts and domain-only
    //    totals per domain (small, cache-resident arrays).
    let md = stat.n_domain_totals();
    let mut acc = vec![0.0; nc * m];
    let mut dom_acc = vec![0.0; nd * md];
    let mut flags = vec![0u8; nc];
    let mut dcount = vec![DomainCount::default(); nd];
    for (i, (&c, &w)) in cells.cell_of_row.iter().zip(&s.weights).enumerate() {
        if c == MISSING {
            continue;
        }
        let c = c as usize;
        let d = cells.cell_domain[c] as usize;
        let dc = &mut dcount[d];
        let pos = w > 0.0;
        dc.weighted += u32::from(pos);
        if stat.accumulate(i, w, &mut acc[c * m..(c + 1) * m]) {
            if md > 0 {
                stat.accumulate_domain(i, w, &mut dom_acc[d * md..(d + 1) * md]);
            }
            dc.positive += u32::from(pos);
            flags[c] |= PRESENT | if pos { POSITIVE } else { 0 };
        } else {
            dc.missing += 1;
        }
        dc.rows += 1;
    }
    let present: Vec<bool> = flags.iter().map(|f| f & PRESENT != 0).collect();

    // 2. Domain totals and counts.
    let mut totals = vec![0.0; nd * m];
    for c in 0..nc {
        let d = cells.cell_domain[c] as usize;
        for j in 0..m {
            totals[d * m + j] += acc[c * m + j];
        }
    }
    let n: Vec<f64> = dcount.iter().map(|c| f64::from(c.positive)).collect();
    let n_weighted: Vec<f64> = dcount.iter().map(|c| f64::from(c.weighted)).collect();
    let missing: Vec<usize> = dcount.iter().map(|c| c.missing as usize).collect();
    let has_rows: Vec<bool> = dcount.iter().map(|c| c.rows > 0).collect();
    // Totals followed by the domain-only totals, for `srs_spread`/`cases`.
    let all_totals = |d: usize| -> Vec<f64> {
        let mut t = totals[d * m..(d + 1) * m].to_vec();
        t.extend_from_slice(&dom_acc[d * md..(d + 1) * md]);
        t
    };

    let mut theta = vec![0.0; nd * k];
    let mut jac = vec![0.0; nd * k * m];
    let mut cases = vec![0.0; nd * k];
    for d in 0..nd {
        let t = &totals[d * m..(d + 1) * m];
        let counts = Counts {
            n: n[d],
            n_weighted: n_weighted[d],
        };
        stat.evaluate(t, counts, &mut theta[d * k..(d + 1) * k]);
        stat.jacobian(t, counts, &mut jac[d * k * m..(d + 1) * k * m]);
        stat.cases(&all_totals(d), n[d], &mut cases[d * k..(d + 1) * k]);
    }

    // 3. Linearised cell totals J_d · S_cell.
    let mut values = vec![0.0; nc * k];
    for c in 0..nc {
        let d = cells.cell_domain[c] as usize;
        let a = &acc[c * m..(c + 1) * m];
        for o in 0..k {
            let row = &jac[(d * k + o) * m..(d * k + o + 1) * m];
            values[c * k + o] = row.iter().zip(a).map(|(x, y)| x * y).sum();
        }
    }
    let cell_totals = CellTotals {
        unit: cells.cell_unit.clone(),
        domain: cells.cell_domain.clone(),
        present,
        values,
        k,
        n_domains: nd,
    };
    // Replicate designs and calibrated designs: the weighting layer's variance step.
    let weighted = crate::weighting::design::weighted_vcov(
        design,
        cells,
        m,
        k,
        &acc,
        &theta,
        &jac,
        &|i, w, buf| stat.accumulate(i, w, buf),
        &|d, t, out| {
            let counts = Counts {
                n: n[d],
                n_weighted: n_weighted[d],
            };
            stat.evaluate(t, counts, out)
        },
    );
    let (vcov, adjusted_cells, replicates) = match (design.data.variance, weighted) {
        (_, Some(v)) => (v.vcov, v.cells, v.replicates),
        (VarianceMethod::Taylor | VarianceMethod::Replicate, None) => {
            (taylor_vcov(s, &cell_totals), None, None)
        }
    };

    // Design effects as R's `deff = TRUE` / `"replace"`.
    let mut deff = vec![f64::NAN; nd * k];
    for d in 0..nd {
        let t = all_totals(d);
        let big_n = t[0];
        let nn = n[d];
        let Some(spread) = stat.srs_spread(&t, nn, &jac[d * k * m..(d + 1) * k * m]) else {
            continue;
        };
        for o in 0..k {
            let svyvar = nn / (nn - 1.0) * spread[o] / big_n;
            let factor = match design.options.deff {
                DeffKind::WithoutReplacement => {
                    if stat.deff_checks_population() && big_n < nn {
                        f64::NAN
                    } else {
                        big_n * big_n * (big_n - nn) / (big_n * nn)
                    }
                }
                DeffKind::WithReplacement => big_n * big_n / nn,
            };
            let v = vcov[d * k * k + o * k + o];
            deff[d * k + o] = v / (svyvar * factor);
        }
    }

    let mut df = domain_df(design, cells, &cell_totals, &flags);
    if let Some(rdf) = crate::weighting::design::replicate_df(design) {
        df.fill(rdf); // R's degf of a replicate design
    }
    let population = (0..nd).map(|d| totals[d * m]).collect();
    DomainResults {
        theta,
        vcov,
        deff,
        cases,
        n,
        missing,
        population,
        df,
        has_rows,
        influence: Arc::new(Influence {
            design: Arc::clone(&design.data),
            cells: adjusted_cells.unwrap_or(cell_totals),
            replicates,
        }),
    }
}

/// R's `degf` per domain: PSUs minus strata among cells with rows that have
/// a value and positive weight. Cells are sorted by unit, hence by PSU and
/// stratum.
fn domain_df(
    design: &SurveyDesign,
    cells: &CellMap,
    totals: &CellTotals,
    flags: &[u8],
) -> Vec<f64> {
    let s = &design.data.structure;
    let nd = cells.n_domains;
    let mut last_psu = vec![MISSING; nd];
    let mut last_stratum = vec![MISSING; nd];
    let mut psus = vec![0usize; nd];
    let mut strata = vec![0usize; nd];
    for c in 0..totals.unit.len() {
        if flags[c] & POSITIVE == 0 {
            continue;
        }
        let d = totals.domain[c] as usize;
        let p = s.unit_psu[totals.unit[c] as usize];
        let h = s.psu_stratum[p as usize];
        if last_psu[d] != p {
            last_psu[d] = p;
            psus[d] += 1;
        }
        if last_stratum[d] != h {
            last_stratum[d] = h;
            strata[d] += 1;
        }
    }
    (0..nd).map(|d| psus[d] as f64 - strata[d] as f64).collect()
}

/// Turns per-domain results into estimates (domains without rows are
/// dropped, as R's `svyby`).
pub(crate) fn to_estimates<S: SmoothStatistic>(
    design: &SurveyDesign,
    domains: &Domains,
    stat: &S,
    r: &DomainResults,
) -> Vec<Estimate> {
    let (statistic, variable, levels) = stat.describe();
    let k = stat.n_outputs();
    let opts = design.options;
    let mut out = Vec::new();
    for d in 0..domains.len() {
        if !r.has_rows[d] {
            continue;
        }
        let na = !opts.na_rm && r.missing[d] > 0;
        for o in 0..k {
            // An undefined estimate (R's NA; e.g. a mean over no rows) has
            // no standard error either (R would report 0).
            let (estimate, se) = if na || r.theta[d * k + o].is_nan() {
                (f64::NAN, f64::NAN)
            } else {
                let v = r.vcov[d * k * k + o * k + o];
                (r.theta[d * k + o], if v < 0.0 { 0.0 } else { v.sqrt() })
            };
            let deff = if na { f64::NAN } else { r.deff[d * k + o] };
            let cv = se / estimate;
            let quality = opts.reliability.assess(&Measures {
                estimate,
                se,
                cv,
                deff,
                df: r.df[d],
                n: r.n[d],
                cases: r.cases[d * k + o],
                is_proportion: stat.is_proportion(),
            });
            out.push(Estimate {
                statistic,
                variable: variable.clone(),
                level: levels.get(o).cloned().flatten(),
                domain: domains.keys[d].clone(),
                estimate,
                se,
                ci: ConfidenceInterval::normal(estimate, se, opts.level),
                cv,
                deff: stat.has_deff().then_some(deff),
                df: r.df[d],
                n: r.n[d] as usize,
                n_cases: r.cases[d * k + o] as usize,
                n_missing: r.missing[d],
                population: r.population[d],
                quality,
                influence: Some(InfluenceRef {
                    influence: Arc::clone(&r.influence),
                    domain: d as u32,
                    column: o,
                }),
            });
        }
    }
    out
}

impl SurveyDesign {
    /// The covariance matrices of estimated totals of `k` linearised
    /// variables, one `k × k` matrix per domain — the primitive the other
    /// estimators (quantiles, `svyciprop`, Rao–Scott, contrasts) build on.
    ///
    /// `z` is `rows × k` and holds **weighted** influence values, as R's
    /// `svyrecvar(x/prob, ...)`: for the total of `y`, `z = w·y`; for a mean,
    /// `z = w·(y − ȳ)/N̂`. `domains[i]` is the domain of row `i` (or
    /// [`MISSING`] for rows outside every domain); a row with a NaN in `z` is
    /// treated as missing (R's `na.rm`). Domains with no rows get zeros.
    #[allow(dead_code)] // crate-internal API for the inference estimators
    pub(crate) fn total_vcov(
        &self,
        domains: &[u32],
        n_domains: usize,
        z: ArrayView2<'_, f64>,
    ) -> Vec<Array2<f64>> {
        let s = &self.data.structure;
        let k = z.ncols();
        let dom = Domains {
            row_domain: domains.to_vec(),
            keys: vec![Vec::new(); n_domains],
            by: Vec::new(),
        };
        let cells = CellMap::build(s, &dom);
        let nc = cells.len();
        let mut values = vec![0.0; nc * k];
        let mut present = vec![false; nc];
        for (i, &c) in cells.cell_of_row.iter().enumerate() {
            if c == MISSING {
                continue;
            }
            let row = z.row(i);
            if row.iter().any(|v| v.is_nan()) {
                continue;
            }
            let c = c as usize;
            present[c] = true;
            for (a, v) in row.iter().enumerate() {
                values[c * k + a] += v;
            }
        }
        let totals = CellTotals {
            unit: cells.cell_unit,
            domain: cells.cell_domain,
            present,
            values,
            k,
            n_domains,
        };
        let flat = match self.data.variance {
            VarianceMethod::Replicate => {
                crate::weighting::design::replicate_total_vcov(self, domains, n_domains, z)
                    .unwrap_or_else(|| taylor_vcov(s, &totals))
            }
            VarianceMethod::Taylor if !self.data.weighting.adjustments.is_empty() => {
                // Calibrated design: residuals of the row-level values, per domain.
                let mut x = Array2::<f64>::zeros((z.nrows(), n_domains * k));
                for (i, (&d, row)) in domains.iter().zip(z.rows()).enumerate() {
                    if d != MISSING && !row.iter().any(|v| v.is_nan()) {
                        for (a, v) in row.iter().enumerate() {
                            x[[i, d as usize * k + a]] = *v;
                        }
                    }
                }
                crate::weighting::design::adjusted_vcov(self, x, n_domains, k)
            }
            VarianceMethod::Taylor => taylor_vcov(s, &totals),
        };
        flat.chunks(k * k)
            .map(|c| {
                Array2::from_shape_vec((k, k), c.to_vec()).unwrap_or_else(|_| Array2::zeros((k, k)))
            })
            .collect()
    }
}
