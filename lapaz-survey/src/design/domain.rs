//! Domains: which rows belong to which estimation domain (the combinations
//! of the `by` variables, within the design's subset), and the map from rows
//! to `(unit, domain)` cells that lets every domain come out of one pass.
//!
//! Domains never drop rows: a domain is the full design with zero weight
//! outside it, as R's `svyby` and `subset` give. Rows whose `by` value is
//! missing belong to no domain (R's `svyby` drops the `NA` group too).

use std::collections::HashMap;

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
        let mut keys: Vec<u64> = vec![0; n];
        let mut valid: Vec<bool> = match mask {
            Some(m) => m.to_vec(),
            None => vec![true; n],
        };
        for c in &per_col {
            let radix = c.labels.len().max(1) as u64;
            for i in 0..n {
                let code = c.codes[i];
                if code == MISSING {
                    valid[i] = false;
                } else {
                    keys[i] = keys[i] * radix + u64::from(code);
                }
            }
        }
        let mut distinct: Vec<u64> = Vec::new();
        let mut row_domain = vec![MISSING; n];
        if radix_total <= (n as u128).max(1 << 16) * 4 {
            // Few possible combinations: a dense table instead of hashing.
            let mut slot = vec![MISSING; radix_total as usize];
            for i in 0..n {
                if !valid[i] {
                    continue;
                }
                let k = keys[i];
                let s = &mut slot[k as usize];
                if *s == MISSING {
                    *s = distinct.len() as u32;
                    distinct.push(k);
                }
                row_domain[i] = *s;
            }
        } else {
            let mut map: HashMap<u64, u32> = HashMap::new();
            let mut last: Option<(u64, u32)> = None;
            for i in 0..n {
                if !valid[i] {
                    continue;
                }
                let k = keys[i];
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
                row_domain[i] = d;
            }
        }
        if distinct.len() >= MISSING as usize {
            return Err(DesignError::TooManyDomains {
                count: distinct.len(),
                columns: columns.join(", "),
            });
        }
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
        let keys_out = order
            .iter()
            .map(|&old| {
                let mut k = distinct[old as usize];
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

/// Rows → `(unit, domain)` cells, cells sorted by unit.
#[derive(Debug, Clone)]
pub(crate) struct CellMap {
    /// Row → cell, or [`MISSING`] for rows in no domain.
    pub cell_of_row: Vec<u32>,
    /// Cell → deepest-stage unit (non-decreasing).
    pub cell_unit: Vec<u32>,
    /// Cell → domain.
    pub cell_domain: Vec<u32>,
    /// Number of domains.
    pub n_domains: usize,
}

impl CellMap {
    /// Builds the cells of `domains` over the design's units: one pass over
    /// the rows in unit order.
    pub fn build(structure: &Structure, domains: &Domains) -> CellMap {
        let n = structure.n;
        let nd = domains.len();
        let mut cell_of_row = vec![MISSING; n];
        let mut cell_unit = Vec::new();
        let mut cell_domain = Vec::new();
        let mut stamp = vec![MISSING; nd];
        let mut slot = vec![0u32; nd];
        let mut visit = |i: usize| {
            let d = domains.row_domain[i];
            if d == MISSING {
                return;
            }
            let u = structure.row_unit[i];
            let du = d as usize;
            if stamp[du] != u {
                stamp[du] = u;
                slot[du] = cell_unit.len() as u32;
                cell_unit.push(u);
                cell_domain.push(d);
            }
            cell_of_row[i] = slot[du];
        };
        match &structure.order {
            None => (0..n).for_each(&mut visit),
            Some(order) => order.iter().for_each(|&i| visit(i as usize)),
        }
        CellMap {
            cell_of_row,
            cell_unit,
            cell_domain,
            n_domains: nd,
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cell_unit.len()
    }
}
