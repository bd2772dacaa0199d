//! The single-pass Taylor kernel for means and totals: every domain's
//! estimate, standard error, design effect and degrees of freedom from one
//! pass over the rows, with no (unit, domain) cell map and no second pass.
//!
//! The general core ([`estimate_smooth`](super::smooth::estimate_smooth))
//! needs each domain's totals before it can linearise a cell (the gradient
//! `J_d` depends on them), so it keeps every (unit, domain) cell. When the
//! variance has one stage (strata and PSUs, with or without fpc: every
//! design whose later stages have no fpc, as R computes it) and the
//! statistic's features are `S = [Σw, Σw·(y − c)]`, the sum of squares of
//! the PSU totals `z = J_d·S` of the linearised variable is a quadratic
//! form in the cells' `S`:
//!
//! `Σ_u (z_u − z̄)² = J_d · [Σ_u (S_u − S̄)(S_u − S̄)ᵀ] · J_dᵀ`.
//!
//! So the pass adds each row to its domain's slot of a small table, and
//! when a PSU ends, folds the PSU's cells into sums and cross-products per
//! (stratum, domain); `J_d` is applied to those when the pass is done.
//!
//! Precision, so that the kernel agrees with the general core (and R) to
//! rounding: the values are centred per domain at one of its values
//! (`c_d`, the first with a positive weight), and the cells per stratum at
//! the domain's first cell there (`S₀`); `J_d` meets `S₀` before anything
//! is squared. A variable constant in a domain, or a domain in one PSU,
//! gives a variance of exactly 0, as R does.
//!
//! Lonely PSUs, self-representing strata, fpc and R's `Average` rescaling
//! follow the same [`GroupScale`]/[`StageOne`] rules as the general core.
//! The estimates' linearised cells (for covariances and contrasts) are made
//! only when asked for, by re-running the general core.

use std::sync::Arc;

use super::smooth::{Counts, DomainResults, SmoothStatistic, design_effects, widths};
use crate::design::taylor::{GroupScale, StageOne};
use crate::design::{Domains, MISSING, SurveyDesign, VarianceMethod};
use crate::estimate::influence::{Influence, MakeCells};

/// A statistic whose features are `[Σw, Σw·(y − c)]` and whose domain-only
/// total is `[Σw·(y − c)²]` for a centre `c` of its choosing (means and
/// totals): the kernel centres each domain at one of its own values.
pub(crate) trait Centred: SmoothStatistic + Sized {
    /// The analysed values (NaN when missing).
    fn values(&self) -> &[f64];
    /// The same statistic centred at `c`.
    fn centred_at(&self, c: f64) -> Self;
}

/// Whether the kernel computes `design`'s variances: Taylor linearisation
/// with one variance stage, no replicate weights and no calibration.
pub(crate) fn applies(design: &SurveyDesign) -> bool {
    let data = &design.data;
    data.variance == VarianceMethod::Taylor
        && data.weighting.replicates.is_none()
        && data.weighting.adjustments.is_empty()
        && data.structure.stages.len() == 1
}

/// A domain's running sums within the current PSU.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// `Σw`, `Σw·(y − c_d)`, `Σw·(y − c_d)²`, rows with a value.
    sums: [f64; 4],
    /// Rows with a value and a zero weight.
    zero: f64,
    /// The domain's centre `c_d`.
    centre: f64,
    /// The PSU it was last touched in.
    unit: u32,
}

/// A domain's cells in the current stratum: their count, the first one
/// (the shift), the sums and cross-products of the shifted cells, and the
/// plain sums of what the domain totals need.
#[derive(Debug, Clone, Copy)]
struct StratumCells {
    stratum: u32,
    cells: f64,
    first: [f64; 2],
    shifted: [f64; 2],
    cross: [f64; 3],
    plain: [f64; 4],
    psus: u32,
}

impl StratumCells {
    const NONE: StratumCells = StratumCells {
        stratum: MISSING,
        cells: 0.0,
        first: [0.0; 2],
        shifted: [0.0; 2],
        cross: [0.0; 3],
        plain: [0.0; 4],
        psus: 0,
    };
}

/// Per domain, what the pass gathers.
#[derive(Debug, Clone, Copy, Default)]
struct DomainSums {
    /// `Σw`, `Σw·(y − c_d)`, `Σw·(y − c_d)²`, rows with positive weight.
    totals: [f64; 4],
    psus: u32,
    strata: u32,
    missing: usize,
    missing_weighted: f64,
    has_values: bool,
}

/// Runs `stat` over the domains of `domains` under `design` (for which
/// [`applies`] holds); `make_cells` re-runs it through the general core
/// when its linearised cells are asked for.
pub(crate) fn estimate_centred<S: Centred>(
    design: &SurveyDesign,
    domains: &Domains,
    stat: &S,
    make_cells: MakeCells,
) -> DomainResults {
    debug_assert_eq!(widths(stat), (2, 1, 1));
    let nd = domains.len();
    let pass = Pass::run(design, domains, stat.values());
    let stats: Vec<S> = pass.centre.iter().map(|&c| stat.centred_at(c)).collect();
    let counts: Vec<Counts> = pass
        .domains
        .iter()
        .map(|sums| Counts {
            n: sums.totals[3],
            n_weighted: sums.totals[3] + sums.missing_weighted,
        })
        .collect();
    let mut jacobians = vec![[0.0; 2]; nd];
    for (d, jac) in jacobians.iter_mut().enumerate() {
        let [w, wy, ..] = pass.domains[d].totals;
        stats[d].jacobian(&[w, wy], counts[d], jac);
    }
    // The variance: each (stratum, domain) with the gradient known.
    let mut stage1 = StageOne::new(nd, 1);
    for r in &pass.strata {
        let d = r.domain as usize;
        let (sum, css) = r.linearised(&jacobians[d]);
        stage1.add(r.scale, d, &[sum], &[css]);
    }
    let mut vcov = vec![0.0; nd];
    stage1.finish(&mut vcov);

    let mut theta = vec![0.0; nd];
    let mut deff = vec![f64::NAN; nd];
    let mut cases = vec![0.0; nd];
    let mut n = vec![0.0; nd];
    let mut df = vec![0.0; nd];
    let mut population = vec![0.0; nd];
    let mut missing = vec![0; nd];
    let mut has_rows = vec![false; nd];
    for d in 0..nd {
        let sums = &pass.domains[d];
        let [w, wy, wyy, rows] = sums.totals;
        let stat_d = &stats[d];
        stat_d.evaluate(&[w, wy], counts[d], &mut theta[d..=d]);
        let all = [w, wy, wyy];
        stat_d.cases(&all, rows, &mut cases[d..=d]);
        design_effects(
            design,
            stat_d,
            &all,
            rows,
            &jacobians[d],
            &vcov[d..=d],
            &mut deff[d..=d],
        );
        n[d] = rows;
        df[d] = f64::from(sums.psus) - f64::from(sums.strata);
        population[d] = w;
        missing[d] = sums.missing;
        has_rows[d] = sums.has_values || sums.missing > 0;
    }
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
        influence: Arc::new(Influence::deferred(Arc::clone(&design.data), make_cells)),
    }
}

/// The pass over the rows.
struct Pass {
    /// Per domain: the centre `c_d` (see [`centres`]).
    centre: Vec<f64>,
    domains: Vec<DomainSums>,
    /// Each domain's cells in each stratum.
    strata: Vec<StratumRecord>,
}

impl Pass {
    fn run(design: &SurveyDesign, domains: &Domains, y: &[f64]) -> Pass {
        let s = &design.data.structure;
        let stage = &s.stages[0];
        let nd = domains.len();
        let row_domain = &domains.row_domain[..];
        let weights = &s.weights[..];
        let centre = centres(row_domain, y, weights, nd);
        // Slot `nd` gathers the rows in no domain (and is never read), so
        // that the row step has no branch on it.
        let mut rows = Rows {
            dummy: nd as u32,
            slots: centre
                .iter()
                .chain([&0.0])
                .map(|&centre| Slot {
                    sums: [0.0; 4],
                    zero: 0.0,
                    centre,
                    unit: MISSING,
                })
                .collect(),
            touched: vec![0; nd + 2],
            n_touched: 0,
            missing: vec![0; nd + 1],
            missing_weighted: vec![0.0; nd + 1],
        };
        let mut strata = vec![StratumCells::NONE; nd];
        let mut in_stratum: Vec<u32> = Vec::with_capacity(nd);
        let mut out = vec![DomainSums::default(); nd];
        let mut records = Vec::new();
        let n_units = s.n_units();
        let mut u = 0;
        while u < n_units {
            // The stratum's PSUs are contiguous.
            let h = stage.unit_group[u];
            let mut end = u;
            while end < n_units && stage.unit_group[end] == h {
                let range = s.unit_start[end] as usize..s.unit_start[end + 1] as usize;
                let unit = end as u32;
                let unit_rows = UnitRows {
                    order: s.order.as_deref(),
                    range,
                    row_domain,
                    y,
                    weights,
                };
                // Sweep the slots at the PSU's end unless there are many
                // more domains than rows (see `Rows::unit`).
                // (One domain: its sums go straight to its slot, swept.)
                let n_rows = unit_rows.range.len();
                let swept = nd == 1 || nd <= n_rows + n_rows / 2;
                if nd == 1 {
                    let mut one = OneDomain::new(centre[0]);
                    unit_rows.each(|d, y, w| one.row(d, y, w));
                    rows.one_domain(one);
                } else if swept {
                    rows.unit::<false>(unit_rows, unit);
                } else {
                    rows.unit::<true>(unit_rows, unit);
                }
                rows.end_unit(swept, h, &mut strata, &mut in_stratum);
                end += 1;
            }
            let scale = GroupScale::of(stage, h as usize, s.lonely);
            let n_h = f64::from(stage.group_units[h as usize]);
            for &d in &in_stratum {
                let cells = &strata[d as usize];
                let sums = &mut out[d as usize];
                for (t, p) in sums.totals.iter_mut().zip(&cells.plain) {
                    *t += p;
                }
                sums.psus += cells.psus;
                sums.strata += u32::from(cells.psus > 0);
                sums.has_values = true;
                records.push(StratumRecord {
                    domain: d,
                    scale,
                    n_h,
                    cells: *cells,
                });
            }
            in_stratum.clear();
            u = end;
        }
        for (d, o) in out.iter_mut().enumerate() {
            o.missing = rows.missing[d];
            o.missing_weighted = rows.missing_weighted[d];
        }
        Pass {
            centre,
            domains: out,
            strata: records,
        }
    }
}

/// Per domain, the centre `c_d` of its values: one with a positive weight
/// (the first in row order; 0 when there is none). The scan stops when
/// every domain has one — after a few rows, unless a domain has no weighted
/// value.
fn centres(row_domain: &[u32], y: &[f64], weights: &[f64], nd: usize) -> Vec<f64> {
    let mut centre = vec![f64::NAN; nd];
    let mut left = nd;
    for ((&d, &y), &w) in row_domain.iter().zip(y).zip(weights) {
        if left == 0 {
            break;
        }
        if let Some(c) = centre.get_mut(d as usize)
            && c.is_nan()
            && w > 0.0
            && y.is_finite()
        {
            *c = y;
            left -= 1;
        }
    }
    for c in &mut centre {
        if c.is_nan() {
            *c = 0.0;
        }
    }
    centre
}

/// The rows of a PSU: positions `range` in unit order.
struct UnitRows<'a> {
    order: Option<&'a [u32]>,
    range: std::ops::Range<usize>,
    row_domain: &'a [u32],
    y: &'a [f64],
    weights: &'a [f64],
}

impl UnitRows<'_> {
    /// Calls `f(domain, value, weight)` for each row.
    #[inline(always)]
    fn each(self, mut f: impl FnMut(u32, f64, f64)) {
        let range = self.range;
        match self.order {
            // Rows in unit order: plain slices.
            None => {
                let rows = self.row_domain[range.clone()]
                    .iter()
                    .zip(&self.y[range.clone()])
                    .zip(&self.weights[range]);
                for ((&d, &y), &w) in rows {
                    f(d, y, w);
                }
            }
            Some(order) => {
                for &i in &order[range] {
                    let i = i as usize;
                    f(self.row_domain[i], self.y[i], self.weights[i]);
                }
            }
        }
    }
}

/// A domain's cells in a stratum of `n_h` PSUs with variance factor
/// `scale`.
#[derive(Debug, Clone, Copy)]
struct StratumRecord {
    domain: u32,
    scale: GroupScale,
    n_h: f64,
    cells: StratumCells,
}

impl StratumRecord {
    /// With the domain's gradient `jac`: the sum of the PSU totals of the
    /// linearised variable `z = jac·S` and their centred sum of squares.
    ///
    /// PSUs without the domain's members are zero cells (as R pads them).
    /// With `D` the cells shifted by the first one `S₀` (`k` present,
    /// `n_h − k` absent at `−S₀`), `Σ(z − z̄)² = Σ(J·D)² − (Σ J·D)²/n_h`,
    /// where `Σ(J·D)² = J·M·Jᵀ + (n_h − k)(J·S₀)²` and `M` is the present
    /// cells' cross-products: the gradient meets `S₀` before any square,
    /// so a domain whose cells are alike (one cell, say) cancels nothing.
    fn linearised(&self, jac: &[f64; 2]) -> (f64, f64) {
        let c = &self.cells;
        let [j0, j1] = *jac;
        let absent = self.n_h - c.cells;
        let z0 = j0 * c.first[0] + j1 * c.first[1];
        let shifted = j0 * c.shifted[0] + j1 * c.shifted[1] - absent * z0;
        let squares = j0 * j0 * c.cross[0]
            + 2.0 * j0 * j1 * c.cross[1]
            + j1 * j1 * c.cross[2]
            + absent * z0 * z0;
        let css = squares - shifted * shifted / self.n_h;
        let sum = j0 * c.plain[0] + j1 * c.plain[1];
        (sum, css)
    }
}

/// The rows of a PSU when there is one domain: its sums kept in registers,
/// not in a slot, so that rows do not wait on each other's stores.
struct OneDomain {
    centre: f64,
    sums: [f64; 4],
    zero: f64,
    /// Weights of the rows without a value.
    missing: Vec<f64>,
}

impl OneDomain {
    fn new(centre: f64) -> OneDomain {
        OneDomain {
            centre,
            sums: [0.0; 4],
            zero: 0.0,
            missing: Vec::new(),
        }
    }

    #[inline(always)]
    fn row(&mut self, d: u32, y: f64, w: f64) {
        if d != 0 {
            return; // outside the subset
        }
        let v = y - self.centre;
        if v.is_nan() {
            self.missing.push(w);
            return;
        }
        add_row(&mut self.sums, &mut self.zero, w, v);
    }
}

/// Adds a row with weight `w` and centred value `v` to a domain's sums in a
/// PSU (`Σw`, `Σw·v`, `Σw·v²`, rows) and its count of zero weights (rare,
/// so counted apart from the others).
#[inline(always)]
fn add_row(sums: &mut [f64; 4], zero: &mut f64, w: f64, v: f64) {
    if w <= 0.0 {
        *zero += 1.0;
    }
    let wv = w * v;
    sums[0] += w;
    sums[1] += wv;
    sums[2] += wv * v;
    sums[3] += 1.0;
}

/// The row step and the PSU step of the pass.
struct Rows {
    /// The slot of the rows in no domain.
    dummy: u32,
    slots: Vec<Slot>,
    /// Domains met in the current PSU (the first `n_touched`), when tracked.
    touched: Vec<u32>,
    n_touched: usize,
    missing: Vec<usize>,
    missing_weighted: Vec<f64>,
}

impl Rows {
    /// The rows of PSU `u`. With `TRACK`, the domains met are listed in
    /// `touched` (for PSUs with fewer rows than domains); without, the end
    /// of the PSU sweeps every slot instead (cheaper when most domains
    /// occur in most PSUs: no bookkeeping per row).
    ///
    /// The state lives in locals here (not in `self`'s fields, which the
    /// compiler would reload and store on every row, since a slot write
    /// might alias them); not inlined, so that the loop's pointers stay in
    /// registers.
    #[inline(never)]
    fn unit<const TRACK: bool>(&mut self, rows: UnitRows<'_>, u: u32) {
        let dummy = self.dummy;
        let slots = &mut self.slots[..];
        let touched = &mut self.touched[..];
        let mut n = 0usize;
        let mut missing: Vec<(usize, f64)> = Vec::new();
        rows.each(|d, y, w| {
            let d = d.min(dummy) as usize;
            let Some(slot) = slots.get_mut(d) else {
                return; // unreachable: there are `dummy + 1` slots
            };
            // The centres are finite: NaN is a missing value.
            let v = y - slot.centre;
            if v.is_nan() {
                missing.push((d, w));
                return;
            }
            if TRACK {
                // The domain is new to the PSU unless it was touched in it;
                // written either way, counted only when new (no
                // unpredictable branch).
                if let Some(t) = touched.get_mut(n) {
                    *t = d as u32;
                }
                n += usize::from(slot.unit != u);
                slot.unit = u;
            }
            add_row(&mut slot.sums, &mut slot.zero, w, v);
        });
        self.n_touched = n;
        for (d, w) in missing {
            self.missing_row(d, w);
        }
    }

    /// Puts the sums of a PSU of a design with one domain (the whole sample
    /// or a subset), gathered by `one`, in the domain's slot.
    fn one_domain(&mut self, one: OneDomain) {
        for &w in &one.missing {
            self.missing_row(0, w);
        }
        if let Some(slot) = self.slots.first_mut() {
            slot.sums = one.sums;
            slot.zero = one.zero;
        }
    }

    /// A row of domain `d` without a value.
    #[cold]
    #[inline(never)]
    fn missing_row(&mut self, d: usize, w: f64) {
        if let (Some(m), Some(mw)) = (self.missing.get_mut(d), self.missing_weighted.get_mut(d)) {
            *m += 1;
            *mw += if w > 0.0 { 1.0 } else { 0.0 };
        }
    }

    /// Folds the PSU's cells into their stratum sums, listing in
    /// `in_stratum` the domains new to stratum `h`: the domains listed in
    /// `touched`, or (`swept`) every slot with rows.
    #[inline(never)]
    fn end_unit(
        &mut self,
        swept: bool,
        h: u32,
        strata: &mut [StratumCells],
        in_stratum: &mut Vec<u32>,
    ) {
        if swept {
            for d in 0..self.slots.len() {
                if self.slots[d].sums[3] > 0.0 {
                    self.fold(d, h, strata, in_stratum);
                }
            }
        } else {
            for i in 0..self.n_touched {
                let d = self.touched[i] as usize;
                self.fold(d, h, strata, in_stratum);
            }
            self.n_touched = 0;
        }
    }

    /// Folds domain `d`'s cell of the PSU into its stratum sums and empties
    /// its slot.
    #[inline(always)]
    fn fold(&mut self, d: usize, h: u32, strata: &mut [StratumCells], in_stratum: &mut Vec<u32>) {
        let Some(slot) = self.slots.get_mut(d) else {
            return;
        };
        let sums = std::mem::replace(&mut slot.sums, [0.0; 4]);
        let zero = std::mem::replace(&mut slot.zero, 0.0);
        let Some(c) = strata.get_mut(d) else {
            return; // the rows in no domain
        };
        let [a, b, q, rows] = sums;
        // Rows with a value and a positive weight.
        let members = rows - zero;
        if c.stratum != h {
            *c = StratumCells {
                stratum: h,
                first: [a, b],
                ..StratumCells::NONE
            };
            in_stratum.push(d as u32);
        }
        let (da, db) = (a - c.first[0], b - c.first[1]);
        c.cells += 1.0;
        c.shifted[0] += da;
        c.shifted[1] += db;
        c.cross[0] += da * da;
        c.cross[1] += da * db;
        c.cross[2] += db * db;
        for (p, v) in c.plain.iter_mut().zip([a, b, q, members]) {
            *p += v;
        }
        c.psus += u32::from(members > 0.0);
    }
}
