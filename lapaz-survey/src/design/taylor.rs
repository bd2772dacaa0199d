//! Taylor-linearisation variance of estimated totals, stage by stage, as R's
//! `svyrecvar` computes it — but from per-(unit, domain) totals of the
//! linearised variables instead of a full pass per domain.
//!
//! For each stage and group (stratum at stage 1, parent cluster later) with
//! `n_g` sampled units, finite population correction `f_g = (N_g − n_g)/N_g`
//! (1 without fpc) and unit totals `t_u` of the linearised variable in a
//! domain (0 for units without domain members):
//!
//! `V_g = f_g · n_g/(n_g − 1) · Σ_u (t_u − t̄)(t_u − t̄)ᵀ`, with `t̄ = Σ_u t_u / n_g`.
//!
//! Later stages (only when fpc is given, as in R) add their within-cluster
//! variance multiplied by the sampling fractions `n/N` of all ancestor
//! groups. Lonely groups (`n_g = 1`) follow [`LonelyPsu`]; groups with
//! `f_g < 1e-7` (self-representing) contribute nothing. With `Average`, the
//! stage-1 sum is scaled by (strata present)/(strata without a lonely PSU),
//! counting strata with members in the domain, as R does for a subset design.

use std::sync::Arc;

use super::spec::LonelyPsu;
use super::structure::{SELF_REPRESENTING, Stage, Structure};

/// Totals of `k` linearised (already weighted) variables per cell
/// `(unit, domain)`, where `unit` is a unit of the deepest stage whose
/// variance is computed. Cells are sorted by unit; a `(unit, domain)` pair
/// appears at most once.
#[derive(Debug, Clone)]
pub(crate) struct CellTotals {
    /// Deepest-stage unit of each cell (non-decreasing).
    pub unit: Arc<[u32]>,
    /// Domain of each cell.
    pub domain: Arc<[u32]>,
    /// Whether the cell has at least one member row (a row of the domain
    /// with a non-missing value, whatever its weight).
    pub present: Vec<bool>,
    /// `cells × k` values, row-major.
    pub values: Vec<f64>,
    /// Variables per cell.
    pub k: usize,
    /// Number of domains.
    pub n_domains: usize,
}

impl CellTotals {
    /// No cells (one variable), over `n_domains` domains.
    pub fn empty(n_domains: usize) -> CellTotals {
        CellTotals {
            unit: Arc::from(Vec::new()),
            domain: Arc::from(Vec::new()),
            present: Vec::new(),
            values: Vec::new(),
            k: 1,
            n_domains,
        }
    }
}

/// Variance–covariance matrices (`n_domains × k × k`, row-major) of the
/// estimated totals in `cells` under the Taylor design `structure`.
pub(crate) fn taylor_vcov(structure: &Structure, cells: &CellTotals) -> Vec<f64> {
    let layout = CellLayout {
        unit: &cells.unit,
        domain: &cells.domain,
        present: &cells.present,
        unit_cells: None,
        k: cells.k,
        n_domains: cells.n_domains,
    };
    vcov_of(structure, &layout, Given(&cells.values))
}

/// [`taylor_vcov`] of cells whose values are computed on the way and
/// appended to `values` (empty; `cells × k` when done): `fill(first, out)`
/// writes the values of the cells from `first` on into `out` (`k` per
/// cell), once per group of cells, in cell order — made while the cells are
/// in cache, with no separate pass over them (nor a zeroing one first).
pub(crate) fn taylor_vcov_computing(
    structure: &Structure,
    layout: &CellLayout<'_>,
    values: &mut Vec<f64>,
    fill: impl FnMut(usize, &mut [f64]),
) -> Vec<f64> {
    vcov_of(
        structure,
        layout,
        Computed {
            out: values,
            k: layout.k,
            fill,
        },
    )
}

/// The cells of a [`CellTotals`] without their values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CellLayout<'a> {
    /// Deepest-stage unit of each cell (non-decreasing).
    pub unit: &'a [u32],
    /// Domain of each cell.
    pub domain: &'a [u32],
    /// Whether the cell has at least one member row.
    pub present: &'a [bool],
    /// Unit → its first cell (`n_units + 1` offsets), when known: a group's
    /// cells are then found without looking at each cell's unit.
    pub unit_cells: Option<&'a [u32]>,
    /// Variables per cell.
    pub k: usize,
    /// Number of domains.
    pub n_domains: usize,
}

/// Where the deepest stage's cell values come from.
trait CellValues {
    /// Makes the values of cells `range` available (cells come in order).
    fn fill(&mut self, range: std::ops::Range<usize>);
    /// The values of every cell filled so far (`cells × k`).
    fn all(&self) -> &[f64];
}

/// Values given up front.
struct Given<'a>(&'a [f64]);

impl CellValues for Given<'_> {
    fn fill(&mut self, _range: std::ops::Range<usize>) {}
    fn all(&self) -> &[f64] {
        self.0
    }
}

/// Values computed and appended to `out`, a group of cells at a time.
struct Computed<'a, F> {
    out: &'a mut Vec<f64>,
    k: usize,
    fill: F,
}

impl<F: FnMut(usize, &mut [f64])> CellValues for Computed<'_, F> {
    fn fill(&mut self, range: std::ops::Range<usize>) {
        let k = self.k;
        // Groups come in cell order: the range starts where `out` ends.
        debug_assert_eq!(self.out.len(), range.start * k);
        self.out.resize(range.end * k, 0.0);
        (self.fill)(range.start, &mut self.out[range.start * k..range.end * k]);
    }
    fn all(&self) -> &[f64] {
        &self.out[..]
    }
}

#[inline(never)]
fn vcov_of(structure: &Structure, cells: &CellLayout<'_>, mut source: impl CellValues) -> Vec<f64> {
    let k = cells.k;
    let kk = k * k;
    let nd = cells.n_domains;
    let mut result = vec![0.0; nd * kk];
    if cells.unit.is_empty() || k == 0 {
        return result;
    }
    let lonely = structure.lonely;
    let stages = &structure.stages;
    let multipliers = ancestor_fractions(stages);

    // Cells of the current stage: the input at the deepest stage (borrowed,
    // not copied), merged parents above it.
    let mut merged: Option<Merged> = None;

    // Scratch per domain, reset per group through `touched`: the shift
    // (the domain's first unit total in the group), shifted sums and
    // cross-products, units with cells and whether any has members.
    let mut shift = vec![0.0; nd * k];
    let mut s1 = vec![0.0; nd * k];
    let mut s2 = vec![0.0; nd * kk];
    let mut seen = vec![false; nd];
    let mut here = vec![false; nd];
    let mut units_in = vec![0.0; nd];
    // Plain (unshifted) sums of the unit totals per domain: the parent
    // stage's cell values, merged on the way (added in cell order from 0,
    // as a separate merge pass would).
    let mut plain = vec![0.0; nd * k];
    let mut touched: Vec<usize> = Vec::new();
    // The same for one variable, kept together (k = 1, the common case).
    let mut one = vec![One::default(); if k == 1 { nd } else { 0 }];
    let mut contrib = vec![0.0; kk];
    let mut sums = vec![0.0; k];
    let mut css = vec![0.0; kk];
    let mut stage1 = StageOne::new(nd, k);

    for s in (0..stages.len()).rev() {
        let stage = &stages[s];
        // Group → its first unit (units of a group are contiguous, in order).
        let mut first_unit = Vec::with_capacity(stage.group_units.len() + 1);
        let mut next = 0u32;
        first_unit.push(0);
        for &n in &stage.group_units {
            next += n;
            first_unit.push(next);
        }
        let (unit, dom, present): (&[u32], &[u32], &[bool]) = match &merged {
            Some(m) => (&m.unit, &m.domain, &m.present),
            None => (cells.unit, cells.domain, cells.present),
        };
        // Above the first stage: the cells of the parent stage (a group of
        // this stage is a unit of the parent one), one per (group, domain)
        // with the plain sums of the group's cells, in the order of the
        // domains' first cells — made while each group is in cache.
        let mut next = (s > 0).then(|| Merged::with_capacity(unit.len(), k));
        let mut i = 0;
        while i < unit.len() {
            let g = stage.unit_group[unit[i] as usize];
            let n_g = f64::from(stage.group_units[g as usize]);
            // The group's factor, the same for all its domains.
            let scale = GroupScale::of(stage, g as usize, lonely);
            // The group's cells: up to the first unit of another group.
            let j = match (&merged, cells.unit_cells) {
                (None, Some(unit_cells)) => {
                    unit_cells[first_unit[g as usize + 1] as usize] as usize
                }
                _ => {
                    // One lookup per unit, not per cell.
                    let mut j = i;
                    let mut last_unit = unit[i];
                    while j < unit.len() {
                        let u = unit[j];
                        if u != last_unit {
                            if stage.unit_group[u as usize] != g {
                                break;
                            }
                            last_unit = u;
                        }
                        j += 1;
                    }
                    j
                }
            };
            if merged.is_none() {
                source.fill(i..j);
            }
            let values = match &merged {
                Some(m) => &m.values[..],
                None => source.all(),
            };
            // One pass over the group's cells: per domain, sums and
            // cross-products of the unit totals shifted by the domain's
            // first one (so that no large square cancels: the centred
            // cross-products are `S₂ − S₁S₁ᵀ/n_g` of values near their mean).
            if k == 1 {
                for ((&d, &p), &t) in dom[i..j].iter().zip(&present[i..j]).zip(&values[i..j]) {
                    let sc = &mut one[d as usize];
                    if !sc.seen {
                        touched.push(d as usize);
                        *sc = One {
                            shift: t,
                            seen: true,
                            ..One::default()
                        };
                    }
                    sc.here |= p;
                    sc.units += 1.0;
                    sc.plain += t;
                    let dev = t - sc.shift;
                    sc.s1 += dev;
                    sc.s2 += dev * dev;
                }
                for &d in &touched {
                    let sc = &mut one[d];
                    sc.seen = false;
                    seen[d] = true;
                    here[d] = sc.here;
                    units_in[d] = sc.units;
                    shift[d] = sc.shift;
                    s1[d] = sc.s1;
                    s2[d] = sc.s2;
                    plain[d] = sc.plain;
                }
            } else {
                for c in i..j {
                    let d = dom[c] as usize;
                    let t = &values[c * k..(c + 1) * k];
                    if !seen[d] {
                        seen[d] = true;
                        here[d] = false;
                        units_in[d] = 0.0;
                        touched.push(d);
                        shift[d * k..(d + 1) * k].copy_from_slice(t);
                        s1[d * k..(d + 1) * k].fill(0.0);
                        s2[d * kk..(d + 1) * kk].fill(0.0);
                        plain[d * k..(d + 1) * k].fill(0.0);
                    }
                    here[d] |= present[c];
                    units_in[d] += 1.0;
                    for (p, v) in plain[d * k..(d + 1) * k].iter_mut().zip(t) {
                        *p += v;
                    }
                    let sh = &shift[d * k..(d + 1) * k];
                    for a in 0..k {
                        let da = t[a] - sh[a];
                        s1[d * k + a] += da;
                        for b in 0..k {
                            s2[d * kk + a * k + b] += da * (t[b] - sh[b]);
                        }
                    }
                }
            }
            for &d in &touched {
                seen[d] = false;
                if let Some(next) = &mut next {
                    next.unit.push(g);
                    next.domain.push(d as u32);
                    next.present.push(here[d]);
                    next.values.extend_from_slice(&plain[d * k..(d + 1) * k]);
                }
                if !here[d] {
                    continue;
                }
                // Units without domain members are zeros (as R pads them):
                // deviations `−shift`.
                let sh = &shift[d * k..(d + 1) * k];
                let absent = n_g - units_in[d];
                for a in 0..k {
                    sums[a] = s1[d * k + a] - absent * sh[a];
                }
                for a in 0..k {
                    for b in 0..k {
                        css[a * k + b] = s2[d * kk + a * k + b] + absent * sh[a] * sh[b]
                            - sums[a] * sums[b] / n_g;
                    }
                }
                // The unit totals' sum, from the shifted one.
                for a in 0..k {
                    sums[a] += n_g * sh[a];
                }
                if s == 0 {
                    stage1.add(scale, d, &sums, &css);
                } else {
                    let ok = scale.apply(&sums, &css, &mut contrib);
                    // Within one parent cluster R's `onestage` sees one
                    // group: its factor is 1/1, or 1/0 (NaN) when lonely
                    // under `Average`.
                    let m = multipliers[s][g as usize];
                    for (acc, c) in result[d * kk..(d + 1) * kk].iter_mut().zip(&contrib) {
                        *acc += if ok { m * c } else { f64::NAN };
                    }
                }
            }
            touched.clear();
            i = j;
        }
        if next.is_some() {
            merged = next;
        }
    }
    stage1.finish(&mut result);
    result
}

/// The stage-1 (strata) part of the variance: the groups' contributions
/// per domain, and the strata counts that R's `Average` rescales by
/// (strata present / strata without a lonely PSU, counting strata with
/// members in the domain, as R does for a subset design).
pub(crate) struct StageOne {
    k: usize,
    sums: Vec<f64>,
    present: Vec<u32>,
    ok: Vec<u32>,
    contrib: Vec<f64>,
}

impl StageOne {
    pub fn new(nd: usize, k: usize) -> StageOne {
        StageOne {
            k,
            sums: vec![0.0; nd * k * k],
            present: vec![0; nd],
            ok: vec![0; nd],
            contrib: vec![0.0; k * k],
        }
    }

    /// Stratum `g`'s contribution to domain `d`, from the sum of its units'
    /// totals and their centred cross-products.
    pub fn add(&mut self, scale: GroupScale, d: usize, sums: &[f64], css: &[f64]) {
        let kk = self.k * self.k;
        self.present[d] += 1;
        if scale.apply(sums, css, &mut self.contrib) {
            self.ok[d] += 1;
            for (acc, c) in self.sums[d * kk..(d + 1) * kk]
                .iter_mut()
                .zip(&self.contrib)
            {
                *acc += c;
            }
        }
    }

    /// Adds the stage-1 sums, rescaled for `Average`, to `result`.
    pub fn finish(&self, result: &mut [f64]) {
        let kk = self.k * self.k;
        for (d, (&present, &ok)) in self.present.iter().zip(&self.ok).enumerate() {
            if present == 0 {
                continue;
            }
            let scale = f64::from(present) / f64::from(ok);
            for (r, s) in result[d * kk..(d + 1) * kk]
                .iter_mut()
                .zip(&self.sums[d * kk..(d + 1) * kk])
            {
                *r += s * scale;
            }
        }
    }
}

/// Per-domain scratch of a group when there is one variable.
#[derive(Debug, Clone, Copy, Default)]
struct One {
    shift: f64,
    s1: f64,
    s2: f64,
    units: f64,
    plain: f64,
    here: bool,
    seen: bool,
}

/// How a group's units' totals make its variance contribution — the same
/// for every domain in the group, so it is worked out once per group.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GroupScale {
    /// Nothing: a self-representing group (`f_g < 1e-7`), or a lonely unit
    /// under `Remove`/`Certainty` (centred at its own single value).
    Zero,
    /// `c · Σ(t − t̄)(t − t̄)ᵀ` with `c = f_g · n_g/(n_g − 1)`.
    Centred(f64),
    /// `f_g · t tᵀ`: a lonely unit under `Adjust`, centred at zero (the
    /// population mean of a linearised variable).
    AtZero(f64),
    /// Undefined: a lonely unit under `Average`.
    Undefined,
}

impl GroupScale {
    /// The factor of group `g` of `stage`.
    pub fn of(stage: &Stage, g: usize, lonely: LonelyPsu) -> GroupScale {
        let f = stage.fpc_factor(g);
        if f < SELF_REPRESENTING {
            return GroupScale::Zero;
        }
        let n = f64::from(stage.group_units[g]);
        if stage.group_units[g] > 1 {
            return GroupScale::Centred(f * n / (n - 1.0));
        }
        match lonely {
            LonelyPsu::Remove | LonelyPsu::Certainty => GroupScale::Zero,
            LonelyPsu::Adjust => GroupScale::AtZero(f),
            // `Fail` designs are refused when built, so only `Average` is left.
            LonelyPsu::Average | LonelyPsu::Fail => GroupScale::Undefined,
        }
    }

    /// The group's contribution into `out` from the unit totals' sum `s1`
    /// and centred cross-products `css`; `false` when it is undefined.
    #[inline]
    fn apply(self, s1: &[f64], css: &[f64], out: &mut [f64]) -> bool {
        let k = s1.len();
        match self {
            GroupScale::Zero => {
                out.fill(0.0);
                true
            }
            GroupScale::Centred(scale) => {
                for (o, v) in out.iter_mut().zip(css) {
                    *o = scale * v;
                }
                true
            }
            // The single unit's total is `s1`.
            GroupScale::AtZero(f) => {
                for a in 0..k {
                    for b in 0..k {
                        out[a * k + b] = f * s1[a] * s1[b];
                    }
                }
                true
            }
            GroupScale::Undefined => {
                out.fill(0.0);
                false
            }
        }
    }
}

/// For each stage `s ≥ 1` and group (a unit of stage `s − 1`), the product
/// of the sampling fractions `n/N` of its ancestors' groups.
fn ancestor_fractions(stages: &[Stage]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![Vec::new()];
    for s in 1..stages.len() {
        let parent = &stages[s - 1];
        let m: Vec<f64> = parent
            .unit_group
            .iter()
            .map(|&pg| {
                let above = if s == 1 { 1.0 } else { out[s - 1][pg as usize] };
                parent.sampling_fraction(pg as usize) * above
            })
            .collect();
        out.push(m);
    }
    out
}

/// Cells merged to a parent stage.
struct Merged {
    unit: Vec<u32>,
    domain: Vec<u32>,
    present: Vec<bool>,
    values: Vec<f64>,
}

impl Merged {
    /// Room for up to `cells` cells of `k` values.
    fn with_capacity(cells: usize, k: usize) -> Merged {
        Merged {
            unit: Vec::with_capacity(cells),
            domain: Vec::with_capacity(cells),
            present: Vec::with_capacity(cells),
            values: Vec::with_capacity(cells * k),
        }
    }
}
