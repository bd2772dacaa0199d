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
use crate::design::taylor::{CellLayout, CellTotals, taylor_vcov, taylor_vcov_computing};
use crate::design::{
    CellMap, DeffKind, Domains, Label, MISSING, Structure, SurveyDesign, VarianceMethod,
};
use crate::quality::Measures;

/// A statistic written as a smooth function of weighted domain totals.
///
/// Conventions: total 0 is `Σw` over rows with a value (the domain's
/// estimated population); `accumulate` adds a row's weighted features and
/// reports whether its value is present.
pub(crate) trait SmoothStatistic: Sync {
    /// [`n_totals`](Self::n_totals) when every value of the type has the
    /// same (0 when it varies). A constant width lets the compiler drop the
    /// bounds checks of the row pass.
    const TOTALS: usize = 0;
    /// [`n_domain_totals`](Self::n_domain_totals) when constant.
    const DOMAIN_TOTALS: Option<usize> = None;
    /// [`n_outputs`](Self::n_outputs) when constant (0 when it varies).
    const OUTPUTS: usize = 0;
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
    /// [`accumulate`](Self::accumulate) into `record[..m]` and, when the
    /// value is present, [`accumulate_domain`](Self::accumulate_domain) into
    /// `record[m..m + md]`, in one call. Statistics may override it to read
    /// the row's value once for both (the results must be the same bits).
    #[inline(always)]
    fn accumulate_record(&self, row: usize, w: f64, record: &mut [f64]) -> bool {
        let (m, md, _) = widths(self);
        let (features, domain) = record.split_at_mut(m);
        if !self.accumulate(row, w, features) {
            return false;
        }
        if md > 0 {
            self.accumulate_domain(row, w, &mut domain[..md]);
        }
        true
    }
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

/// `(m, md, k)`: totals, domain-only totals and outputs of `stat`,
/// compile-time constants for the statistics that declare them.
#[inline(always)]
pub(crate) fn widths<S: SmoothStatistic + ?Sized>(stat: &S) -> (usize, usize, usize) {
    let m = if S::TOTALS > 0 {
        S::TOTALS
    } else {
        stat.n_totals()
    };
    let md = S::DOMAIN_TOTALS.unwrap_or_else(|| stat.n_domain_totals());
    let k = if S::OUTPUTS > 0 {
        S::OUTPUTS
    } else {
        stat.n_outputs()
    };
    debug_assert_eq!(
        (m, md, k),
        (stat.n_totals(), stat.n_domain_totals(), stat.n_outputs())
    );
    (m, md, k)
}

/// Runs a smooth statistic over the domains of `cells` under `design`.
pub(crate) fn estimate_smooth<S: SmoothStatistic>(
    design: &SurveyDesign,
    cells: &CellMap,
    stat: &S,
) -> DomainResults {
    let s = &design.data.structure;
    let (m, md, k) = widths(stat);
    let nd = cells.n_domains;
    let nc = cells.len();

    // 1. The one pass over the rows.
    let Accumulated {
        acc,
        dom,
        has_rows,
        present,
        missing,
        missing_weighted,
        psus,
        strata,
    } = accumulate(s, cells, stat);
    let width = m + md + 1;

    // 2. Per domain: counts, estimates, gradients.
    let n: Vec<f64> = (0..nd).map(|d| dom[d * width + m + md]).collect();
    let n_weighted: Vec<f64> = (0..nd).map(|d| n[d] + missing_weighted[d]).collect();
    // The `m` totals followed by the domain-only ones, for `srs_spread`/`cases`.
    let all_totals = |d: usize| &dom[d * width..d * width + m + md];

    let mut theta = vec![0.0; nd * k];
    let mut jac = vec![0.0; nd * k * m];
    let mut cases = vec![0.0; nd * k];
    for d in 0..nd {
        let t = &dom[d * width..d * width + m];
        let counts = Counts {
            n: n[d],
            n_weighted: n_weighted[d],
        };
        stat.evaluate(t, counts, &mut theta[d * k..(d + 1) * k]);
        stat.jacobian(t, counts, &mut jac[d * k * m..(d + 1) * k * m]);
        stat.cases(all_totals(d), n[d], &mut cases[d * k..(d + 1) * k]);
    }

    // 3. Linearised cell totals J_d · S_cell, made while the variance
    //    visits each cell (or in a plain loop for the weighting layer).
    // Cells from `first` on, `k` values each into `out`.
    let z = |first: usize, out: &mut [f64]| {
        // The widths again, from `widths`: compile-time constants for most
        // statistics. (The variance pass that calls this closure is not
        // inlined, so captured `m`/`k` would be run-time values there, and
        // the dot products generic loops with a division per cell.)
        let (m, _, k) = widths(stat);
        if k == 0 {
            return;
        }
        let count = out.len() / k;
        let records = acc[first * m..(first + count) * m].chunks_exact(m);
        let domains = &cells.cell_domain[first..first + count];
        for ((v, a), &d) in out.chunks_exact_mut(k).zip(records).zip(domains) {
            let rows = &jac[d as usize * k * m..(d as usize + 1) * k * m];
            for (v, row) in v.iter_mut().zip(rows.chunks_exact(m)) {
                let mut t = 0.0;
                for (x, y) in row.iter().zip(a) {
                    t += x * y;
                }
                *v = t;
            }
        }
    };
    let mut values = Vec::new();
    let (unit, domain) = cells.shared_units_domains();
    // Replicate designs and calibrated designs: the weighting layer's variance step.
    let wt = &design.data.weighting;
    let weighted = if wt.replicates.is_some() || !wt.adjustments.is_empty() {
        values.resize(nc * k, 0.0);
        z(0, &mut values);
        crate::weighting::design::weighted_vcov(
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
        )
    } else {
        None
    };
    let (vcov, adjusted_cells, replicates) = match weighted {
        Some(v) => (v.vcov, v.cells, v.replicates),
        None => {
            let layout = CellLayout {
                unit: &cells.cell_unit,
                domain: &cells.cell_domain,
                present: &present,
                unit_cells: Some(&cells.unit_cells),
                k,
                n_domains: nd,
            };
            // The values are appended group by group, in cell order.
            values.reserve_exact(nc * k);
            let vcov = taylor_vcov_computing(s, &layout, &mut values, z);
            values.resize(nc * k, 0.0); // (already full: every cell is in a group)
            (vcov, None, None)
        }
    };
    drop(acc);
    let cell_totals = CellTotals {
        unit,
        domain,
        present,
        values,
        k,
        n_domains: nd,
    };

    // Design effects as R's `deff = TRUE` / `"replace"`.
    let mut deff = vec![f64::NAN; nd * k];
    for d in 0..nd {
        design_effects(
            design,
            stat,
            all_totals(d),
            n[d],
            &jac[d * k * m..(d + 1) * k * m],
            &vcov[d * k * k..(d + 1) * k * k],
            &mut deff[d * k..(d + 1) * k],
        );
    }

    let mut df: Vec<f64> = (0..nd)
        .map(|d| f64::from(psus[d]) - f64::from(strata[d]))
        .collect();
    if let Some(rdf) = crate::weighting::design::replicate_df(design) {
        df.fill(rdf); // R's degf of a replicate design
    }
    let population = (0..nd).map(|d| dom[d * width]).collect();
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
        influence: Arc::new(Influence::with_cells(
            Arc::clone(&design.data),
            adjusted_cells.unwrap_or(cell_totals),
            replicates,
        )),
    }
}

/// R's design effects (`deff = TRUE`, or `"replace"`) of a domain's `k`
/// outputs into `out` (left NaN when undefined): the variance `vcov`
/// (`k × k`) over that of a simple random sample of the same size, from the
/// statistic's `srs_spread` at the domain's totals `totals` (the `m` totals,
/// then the domain-only ones), its `n` rows with a value and gradient `jac`.
pub(crate) fn design_effects<S: SmoothStatistic>(
    design: &SurveyDesign,
    stat: &S,
    totals: &[f64],
    n: f64,
    jac: &[f64],
    vcov: &[f64],
    out: &mut [f64],
) {
    let k = out.len();
    let big_n = totals[0];
    let Some(spread) = stat.srs_spread(totals, n, jac) else {
        return;
    };
    for o in 0..k {
        let svyvar = n / (n - 1.0) * spread[o] / big_n;
        let factor = match design.options.deff {
            DeffKind::WithoutReplacement => {
                if stat.deff_checks_population() && big_n < n {
                    f64::NAN
                } else {
                    big_n * big_n * (big_n - n) / (big_n * n)
                }
            }
            DeffKind::WithReplacement => big_n * big_n / n,
        };
        out[o] = vcov[o * k + o] / (svyvar * factor);
    }
}

/// What the row pass of [`estimate_smooth`] gathers.
struct Accumulated {
    /// Per cell, the `m` weighted feature totals.
    acc: Vec<f64>,
    /// Per domain, `m` totals, `md` domain-only totals and the rows with a
    /// value and positive weight.
    dom: Vec<f64>,
    /// Per domain: whether it has rows.
    has_rows: Vec<bool>,
    /// Per cell: whether it has rows with a value.
    present: Vec<bool>,
    /// Per domain: rows with a missing value.
    missing: Vec<usize>,
    /// Per domain: rows with a missing value and positive weight.
    missing_weighted: Vec<f64>,
    /// Per domain: PSUs and strata with rows that have a value and positive
    /// weight.
    psus: Vec<u32>,
    strata: Vec<u32>,
}

/// The one pass over the rows of [`estimate_smooth`].
#[inline(never)]
fn accumulate<S: SmoothStatistic>(structure: &Structure, cells: &CellMap, stat: &S) -> Accumulated {
    // 1. The one pass over the rows, unit by unit. A row adds to its cell's
    //    record in a small buffer for the unit's cells (indexed by the cell
    //    code minus the unit's first): its `m` weighted features, its `md`
    //    domain-only totals and one count (a value and positive weight) —
    //    one record of constant width, so one index and one bounds check
    //    per row; it never looks its domain up. When a unit is done, its
    //    records — still in cache — give the cells' features (copied out in
    //    cell order) and are folded into the domain totals, flags and
    //    degrees of freedom. Rows with a missing value (rare) are counted
    //    per domain and per cell.
    let s = structure;
    let (m, md, _) = widths(stat);
    let (nd, nc) = (cells.n_domains, cells.len());
    // Per cell record and per domain: totals, domain-only totals, count.
    let width = m + md + 1;
    // Filled in cell order as units are done (no zeroing pass first).
    let mut acc = Vec::with_capacity(nc * m);
    let mut records: Vec<f64> = Vec::new();
    let mut dom = vec![0.0; nd * width];
    let mut present = vec![true; nc];
    let mut missing = vec![0usize; nd];
    let mut missing_weighted = vec![0.0; nd];
    let mut cell_missing: Vec<u32> = Vec::new();
    let mut fold = vec![DomainFold::default(); nd];
    for u in 0..s.n_units() {
        let (c0, c1) = (
            cells.unit_cells[u] as usize,
            cells.unit_cells[u + 1] as usize,
        );
        if c0 == c1 {
            continue;
        }
        records.clear();
        records.resize((c1 - c0) * width, 0.0);
        let rows = s.unit_start[u] as usize..s.unit_start[u + 1] as usize;
        UnitRows {
            stat,
            cells,
            weights: &s.weights,
            c0,
            records: &mut records,
            missing: &mut missing,
            missing_weighted: &mut missing_weighted,
            cell_missing: &mut cell_missing,
        }
        .add(rows, s.order.as_deref());
        let p = s.unit_psu[u];
        let h = s.psu_stratum[p as usize];
        // Units with cells come in cell order: their cells' features follow
        // the previous ones.
        debug_assert_eq!(acc.len(), c0 * m);
        for (record, &d) in records.chunks_exact(width).zip(&cells.cell_domain[c0..c1]) {
            acc.extend_from_slice(&record[..m]);
            let d = d as usize;
            for (t, v) in dom[d * width..(d + 1) * width].iter_mut().zip(record) {
                *t += v;
            }
            // R's `degf` of the domain: PSUs and strata with members that
            // have a value and positive weight (cells come in unit order, so
            // a new PSU or stratum differs from the domain's last one).
            // Branch-free: whether a cell has members is data, not a pattern.
            let f = &mut fold[d];
            let members = record[m + md] > 0.0;
            f.has_rows = true;
            f.psus += u32::from(members & (f.last_psu != p));
            f.strata += u32::from(members & (f.last_stratum != h));
            f.last_psu = if members { p } else { f.last_psu };
            f.last_stratum = if members { h } else { f.last_stratum };
        }
    }

    // A cell has members with a value unless all its rows miss it.
    if !cell_missing.is_empty() {
        for ((p, rows), missing) in present.iter_mut().zip(cells.cell_rows()).zip(&cell_missing) {
            *p = *missing < rows;
        }
    }
    Accumulated {
        acc,
        dom,
        has_rows: fold.iter().map(|f| f.has_rows).collect(),
        present,
        missing,
        missing_weighted,
        psus: fold.iter().map(|f| f.psus).collect(),
        strata: fold.iter().map(|f| f.strata).collect(),
    }
}

/// Per domain, what [`accumulate`] gathers from the cells: whether it has
/// rows, and its PSUs and strata with members (R's `degf`) with the last of
/// each seen — kept together so that a cell touches one small record.
#[derive(Debug, Clone, Copy)]
struct DomainFold {
    has_rows: bool,
    psus: u32,
    strata: u32,
    last_psu: u32,
    last_stratum: u32,
}

impl Default for DomainFold {
    fn default() -> Self {
        DomainFold {
            has_rows: false,
            psus: 0,
            strata: 0,
            last_psu: MISSING,
            last_stratum: MISSING,
        }
    }
}

/// The row step of [`estimate_smooth`] for the rows of one unit.
struct UnitRows<'a, S> {
    stat: &'a S,
    cells: &'a CellMap,
    weights: &'a [f64],
    /// The unit's first cell.
    c0: usize,
    /// The unit's cells: `m` features, `md` domain-only totals and a count
    /// each.
    records: &'a mut [f64],
    missing: &'a mut [usize],
    missing_weighted: &'a mut [f64],
    /// Per cell, rows with a missing value (allocated on the first one).
    cell_missing: &'a mut Vec<u32>,
}

impl<S: SmoothStatistic> UnitRows<'_, S> {
    /// Adds the unit's rows: positions `rows` in unit order.
    fn add(mut self, rows: std::ops::Range<usize>, order: Option<&[u32]>) {
        match order {
            None => {
                // Rows in unit order: plain slices.
                let cell_of_row = &self.cells.cell_of_row[rows.clone()];
                let weights = &self.weights[rows.clone()];
                for ((&c, &w), i) in cell_of_row.iter().zip(weights).zip(rows) {
                    self.row(i, c, w);
                }
            }
            Some(order) => {
                for &i in &order[rows] {
                    let i = i as usize;
                    self.row(i, self.cells.cell_of_row[i], self.weights[i]);
                }
            }
        }
    }

    /// Row `i` of cell `c`, weight `w`.
    #[inline(always)]
    fn row(&mut self, i: usize, c: u32, w: f64) {
        let (m, md, _) = widths(self.stat);
        let width = m + md + 1;
        if c == MISSING {
            return;
        }
        let c = c as usize;
        let start = (c - self.c0) * width;
        let Some(record) = self.records.get_mut(start..start + width) else {
            return; // unreachable: the unit's cells are `c0..c1`
        };
        let (values, count) = record.split_at_mut(m + md);
        if self.stat.accumulate_record(i, w, values) {
            count[0] += if w > 0.0 { 1.0 } else { 0.0 };
        } else {
            let d = self.cells.cell_domain[c] as usize;
            self.missing[d] += 1;
            self.missing_weighted[d] += if w > 0.0 { 1.0 } else { 0.0 };
            if self.cell_missing.is_empty() {
                self.cell_missing.resize(self.cells.len(), 0);
            }
            self.cell_missing[c] += 1;
        }
    }
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
            unit: cells.cell_unit.into(),
            domain: cells.cell_domain.into(),
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
