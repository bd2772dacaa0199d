//! Domains: which rows belong to which estimation domain (the combinations
//! of the `by` variables, within the design's subset), and the map from rows
//! to `(unit, domain)` cells that lets every domain come out of one pass.
//!
//! Domains never drop rows: a domain is the full design with zero weight
//! outside it, as R's `svyby` and `subset` give. Rows whose `by` value is
//! missing belong to no domain (R's `svyby` drops the `NA` group too).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::columns::{Label, MISSING, codes_of};
use super::error::DesignError;
use super::structure::Structure;
use crate::codebook::Codebook;
use polars::prelude::DataFrame;

/// A `by` variable of a domain table: its name and label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByVariable {
    /// Column name.
    pub name: String,
    /// Variable label from the codebook (the name when unknown).
    pub label: Label,
}

/// The value of one `by` variable that defines a domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainValue {
    /// The `by` column.
    pub variable: String,
    /// The value's label (Spanish and English).
    pub value: Label,
}

/// Rows → domains.
#[derive(Debug, Clone)]
pub(crate) struct Domains {
    /// Row → domain, or [`MISSING`] when the row is in no domain.
    pub row_domain: Vec<u32>,
    /// Per domain, the value of each `by` variable.
    pub keys: Vec<Vec<DomainValue>>,
    /// The `by` variables.
    pub by: Vec<ByVariable>,
}

impl Domains {
    /// Number of domains.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// One domain: the rows where `mask` holds (all rows without a mask).
    pub fn single(n: usize, mask: Option<&[bool]>) -> Domains {
        let row_domain = match mask {
            Some(m) => m.iter().map(|&b| if b { 0 } else { MISSING }).collect(),
            None => vec![0; n],
        };
        Domains {
            row_domain,
            keys: vec![Vec::new()],
            by: Vec::new(),
        }
    }

    /// The combinations of `by` columns that occur among rows where `mask`
    /// holds, in the order of the first column, then the second, … (each
    /// column in its category order, or sorted).
    pub fn by_columns(
        df: &DataFrame,
        columns: &[String],
        mask: Option<&[bool]>,
        codebook: Option<&Codebook>,
    ) -> Result<Domains, DesignError> {
        let n = df.height();
        if columns.is_empty() {
            return Ok(Domains::single(n, mask));
        }
        let mut per_col = Vec::new();
        for col in columns {
            per_col.push(codes_of(df, col, "dominio (by)", codebook)?);
        }
        // Mixed-radix key of the per-column codes.
        let mut radix_total: u128 = 1;
        for c in &per_col {
            radix_total = radix_total.saturating_mul(c.labels.len().max(1) as u128);
        }
        if radix_total > u128::from(u64::MAX) {
            return Err(DesignError::TooManyDomains {
                count: usize::MAX,
                columns: columns.join(", "),
            });
        }
        // Mixed-radix key of row `i`, or `None` when it is in no domain.
        let key_of = |i: usize| -> Option<u64> {
            if mask.is_some_and(|m| !m[i]) {
                return None;
            }
            let mut key = 0u64;
            for c in &per_col {
                let code = c.codes[i];
                if code == MISSING {
                    return None;
                }
                key = key * c.labels.len().max(1) as u64 + u64::from(code);
            }
            Some(key)
        };
        let mut distinct: Vec<u64> = Vec::new();
        let mut row_domain: Vec<u32>;
        if radix_total <= (n as u128).max(1 << 16) * 4 {
            // Few possible combinations: a dense table indexed by the key, in
            // key order — two passes over the codes, no hashing, no sorting.
            if per_col.len() == 1 {
                // One column: its codes are the domains (taken, not copied);
                // only categories that never occur need renumbering.
                row_domain = std::mem::take(&mut per_col[0].codes);
                if let Some(m) = mask {
                    for (d, &keep) in row_domain.iter_mut().zip(m) {
                        if !keep {
                            *d = MISSING;
                        }
                    }
                }
                // Which categories occur: the scan stops once all have
                // (usually within the first rows).
                let mut seen = vec![false; radix_total as usize];
                let mut unseen = seen.len();
                for &code in &row_domain {
                    if let Some(s) = seen.get_mut(code as usize)
                        && !*s
                    {
                        *s = true;
                        unseen -= 1;
                        if unseen == 0 {
                            break;
                        }
                    }
                }
                distinct = (0..radix_total as u64)
                    .filter(|&k| seen[k as usize])
                    .collect();
                if distinct.len() < seen.len() {
                    let mut remap = vec![MISSING; seen.len()];
                    for (new, &old) in distinct.iter().enumerate() {
                        remap[old as usize] = new as u32;
                    }
                    for d in row_domain.iter_mut().filter(|d| **d != MISSING) {
                        *d = remap[*d as usize];
                    }
                }
            } else {
                row_domain = vec![MISSING; n];
                let mut slot = vec![MISSING; radix_total as usize];
                for i in 0..n {
                    if let Some(k) = key_of(i) {
                        slot[k as usize] = 0;
                    }
                }
                for (k, s) in slot.iter_mut().enumerate() {
                    if *s == 0 {
                        *s = distinct.len() as u32;
                        distinct.push(k as u64);
                    }
                }
                for (i, d) in row_domain.iter_mut().enumerate() {
                    if let Some(k) = key_of(i) {
                        *d = slot[k as usize];
                    }
                }
            }
        } else {
            row_domain = vec![MISSING; n];
            let mut map: HashMap<u64, u32> = HashMap::new();
            let mut last: Option<(u64, u32)> = None;
            for (i, out) in row_domain.iter_mut().enumerate() {
                let Some(k) = key_of(i) else {
                    continue;
                };
                let d = match last {
                    Some((lk, ld)) if lk == k => ld,
                    _ => {
                        let d = *map.entry(k).or_insert_with(|| {
                            distinct.push(k);
                            (distinct.len() - 1) as u32
                        });
                        last = Some((k, d));
                        d
                    }
                };
                *out = d;
            }
            // Domains in key order.
            let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
            order.sort_unstable_by_key(|&d| distinct[d as usize]);
            let mut remap = vec![0u32; distinct.len()];
            for (new, &old) in order.iter().enumerate() {
                remap[old as usize] = new as u32;
            }
            for d in row_domain.iter_mut() {
                if *d != MISSING {
                    *d = remap[*d as usize];
                }
            }
            distinct = order.iter().map(|&old| distinct[old as usize]).collect();
        }
        if distinct.len() >= MISSING as usize {
            return Err(DesignError::TooManyDomains {
                count: distinct.len(),
                columns: columns.join(", "),
            });
        }
        let keys_out = distinct
            .iter()
            .map(|&key| {
                let mut k = key;
                let mut values = vec![None; per_col.len()];
                for (j, c) in per_col.iter().enumerate().rev() {
                    let radix = c.labels.len().max(1) as u64;
                    let code = (k % radix) as usize;
                    k /= radix;
                    values[j] = Some(DomainValue {
                        variable: columns[j].clone(),
                        value: c
                            .labels
                            .get(code)
                            .cloned()
                            .unwrap_or_else(|| Label::same("")),
                    });
                }
                values.into_iter().flatten().collect()
            })
            .collect();
        let by = columns
            .iter()
            .map(|c| ByVariable {
                name: c.clone(),
                label: codebook
                    .and_then(|cb| cb.variable(c))
                    .map(|v| Label {
                        es: v.label_es.clone(),
                        en: v.label_en.clone(),
                    })
                    .unwrap_or_else(|| Label::same(c.clone())),
            })
            .collect();
        Ok(Domains {
            row_domain,
            keys: keys_out,
            by,
        })
    }
}

/// Cell → unit and cell → domain, shared.
type SharedCells = (Arc<[u32]>, Arc<[u32]>);

/// Rows → `(unit, domain)` cells, cells sorted by unit.
#[derive(Debug, Clone)]
pub(crate) struct CellMap {
    /// Row → cell, or [`MISSING`] for rows in no domain.
    pub cell_of_row: Vec<u32>,
    /// Cell → deepest-stage unit (non-decreasing).
    pub cell_unit: Vec<u32>,
    /// Cell → domain.
    pub cell_domain: Vec<u32>,
    /// Unit → its first cell (`n_units + 1` offsets): the cells of unit `u`
    /// are `unit_cells[u]..unit_cells[u + 1]`.
    pub unit_cells: Vec<u32>,
    /// Number of domains.
    pub n_domains: usize,
    /// `cell_unit` and `cell_domain` shared with the estimates' influence
    /// (made once, on first use).
    shared: OnceLock<SharedCells>,
}

impl CellMap {
    /// Builds the cells of `domains` over the design's units: one pass over
    /// the rows in unit order.
    pub fn build(structure: &Structure, domains: &Domains) -> CellMap {
        let n = structure.n;
        let nd = domains.len();
        let n_units = structure.n_units();
        // At most one cell per row: cells are written unconditionally at the
        // next free slot and kept only when new (no unpredictable branch).
        let slots = n.min(n_units.saturating_mul(nd.max(1))) + 1;
        let row_domain = &domains.row_domain;
        let mut cell_of_row = match structure.order {
            None => Vec::with_capacity(n),
            Some(_) => vec![MISSING; n],
        };
        let mut builder = CellBuilder {
            cell_domain: vec![0; slots],
            len: 0,
            current: vec![(MISSING, 0); nd],
        };
        let mut unit_cells = Vec::with_capacity(n_units + 1);
        for u in 0..n_units {
            unit_cells.push(builder.len as u32);
            let rows = structure.unit_start[u] as usize..structure.unit_start[u + 1] as usize;
            let u = u as u32;
            match structure.order.as_deref() {
                // Rows in unit order are rows in order: appended.
                None => cell_of_row.extend(row_domain[rows].iter().map(|&d| builder.cell(u, d))),
                Some(order) => {
                    for &i in &order[rows] {
                        let i = i as usize;
                        cell_of_row[i] = builder.cell(u, row_domain[i]);
                    }
                }
            }
        }
        unit_cells.push(builder.len as u32);
        let CellBuilder {
            mut cell_domain,
            len,
            ..
        } = builder;
        // Cell → unit from the units' cell ranges (not stored row by row).
        let mut cell_unit = Vec::with_capacity(len);
        for (u, range) in unit_cells.windows(2).enumerate() {
            cell_unit.extend(std::iter::repeat_n(
                u as u32,
                (range[1] - range[0]) as usize,
            ));
        }
        cell_domain.truncate(len);
        cell_domain.shrink_to_fit();
        CellMap {
            cell_of_row,
            cell_unit,
            cell_domain,
            unit_cells,
            n_domains: nd,
            shared: OnceLock::new(),
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cell_unit.len()
    }

    /// Rows of each cell.
    pub fn cell_rows(&self) -> Vec<u32> {
        let mut rows = vec![0u32; self.len()];
        for &c in &self.cell_of_row {
            if c != MISSING {
                rows[c as usize] += 1;
            }
        }
        rows
    }

    /// `cell_unit` and `cell_domain` as shared slices (copied once per map).
    pub fn shared_units_domains(&self) -> SharedCells {
        let (u, d) = self.shared.get_or_init(|| {
            (
                self.cell_unit.as_slice().into(),
                self.cell_domain.as_slice().into(),
            )
        });
        (Arc::clone(u), Arc::clone(d))
    }
}

/// The state of [`CellMap::build`].
struct CellBuilder {
    /// Cell → domain, in slots beyond `len` too.
    cell_domain: Vec<u32>,
    /// Cells made.
    len: usize,
    /// Domain → (unit, cell) of its latest cell.
    current: Vec<(u32, u32)>,
}

impl CellBuilder {
    /// The cell of unit `u` and domain `d` (made on its first row), or
    /// [`MISSING`] for rows in no domain.
    #[inline(always)]
    fn cell(&mut self, u: u32, d: u32) -> u32 {
        if d == MISSING {
            return MISSING;
        }
        let current = &mut self.current[d as usize];
        let new = current.0 != u;
        // The next slot gets this cell whether it is new or not; only a new
        // one advances `len` (a select instead of a branch).
        self.cell_domain[self.len] = d;
        let c = std::hint::select_unpredictable(new, self.len as u32, current.1);
        *current = (u, c);
        self.len += usize::from(new);
        c
    }
}
