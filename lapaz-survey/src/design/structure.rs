//! Validation: a [`DesignSpec`] plus a `DataFrame` become compact arrays —
//! weights, stratum and cluster codes per stage, units per group and
//! population sizes — checked once.

use std::collections::HashMap;

use polars::prelude::DataFrame;

use super::columns::{Codes, MISSING, codes_of, get_column, is_numeric, numeric_values};
use super::error::{DesignError, truncated_list};
use super::spec::{DesignSpec, LonelyPsu};
use crate::codebook::Codebook;

/// Sampling fractions below this make a group self-representing (R's `1e-7`).
pub(crate) const SELF_REPRESENTING: f64 = 1e-7;

/// One sampling stage whose variance is computed.
#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// Unit (dense code) → group: the stratum at stage 1, the parent unit
    /// (code at the previous stage) later. Units of a group are contiguous.
    pub unit_group: Vec<u32>,
    /// Group → units sampled in it (in the whole design).
    pub group_units: Vec<u32>,
    /// Group → population size `N_g` when fpc is given (may be infinite).
    pub group_popsize: Option<Vec<f64>>,
}

impl Stage {
    /// Finite population correction `(N − n)/N` of a group (1 without fpc),
    /// as R's `onestrat`.
    pub fn fpc_factor(&self, g: usize) -> f64 {
        match &self.group_popsize {
            None => 1.0,
            Some(pop) => {
                let big_n = pop[g];
                if big_n.is_infinite() {
                    1.0
                } else {
                    (big_n - f64::from(self.group_units[g])) / big_n
                }
            }
        }
    }

    /// Sampling fraction `n/N` of a group (0 without fpc or infinite N).
    pub fn sampling_fraction(&self, g: usize) -> f64 {
        match &self.group_popsize {
            None => 0.0,
            Some(pop) => f64::from(self.group_units[g]) / pop[g],
        }
    }

    /// Number of groups.
    pub fn n_groups(&self) -> usize {
        self.group_units.len()
    }
}

/// The validated design as arrays.
#[derive(Debug, Clone)]
pub(crate) struct Structure {
    /// Rows.
    pub n: usize,
    /// Sampling weight per row (≥ 0, finite).
    pub weights: Vec<f64>,
    /// Whether strata were declared.
    pub has_strata: bool,
    /// Stratum labels (one "1" when unstratified).
    pub stratum_labels: Vec<String>,
    /// Row → stratum.
    pub row_stratum: Vec<u32>,
    /// Row → PSU (stage-1 unit; codes sorted by stratum).
    pub row_psu: Vec<u32>,
    /// PSU → stratum.
    pub psu_stratum: Vec<u32>,
    /// Stages whose variance is computed (≥ 1).
    pub stages: Vec<Stage>,
    /// Row → unit of the deepest computed stage.
    pub row_unit: Vec<u32>,
    /// Deepest unit → PSU.
    pub unit_psu: Vec<u32>,
    /// Rows in order of `row_unit` when the data are not already sorted.
    pub order: Option<Vec<u32>>,
    /// Unit → its first position in unit order (`n_units + 1` offsets): the
    /// rows of unit `u` are positions `unit_start[u]..unit_start[u + 1]` of
    /// `order` (of the rows themselves when `order` is `None`).
    pub unit_start: Vec<u32>,
    /// Lonely-PSU policy.
    pub lonely: LonelyPsu,
    /// Number of stages declared (cluster columns; 1 when none).
    pub declared_stages: usize,
    /// Whether fpc was given.
    pub has_fpc: bool,
}

impl Structure {
    /// Number of units at the deepest computed stage.
    pub fn n_units(&self) -> usize {
        self.unit_psu.len()
    }

    /// Number of PSUs.
    pub fn n_psu(&self) -> usize {
        self.psu_stratum.len()
    }

    /// Number of strata.
    pub fn n_strata(&self) -> usize {
        self.stratum_labels.len()
    }

    /// Validates `spec` against `df`.
    pub fn build(
        df: &DataFrame,
        spec: &DesignSpec,
        codebook: Option<&Codebook>,
    ) -> Result<Structure, DesignError> {
        let n = df.height();
        if n == 0 {
            return Err(DesignError::Empty);
        }
        if !spec.fpc_columns().is_empty()
            && spec.fpc_columns().len() != spec.cluster_columns().len().max(1)
        {
            return Err(DesignError::FpcStages {
                fpc: spec.fpc_columns().len(),
                stages: spec.cluster_columns().len().max(1),
            });
        }

        // Strata.
        let (has_strata, strata) = match spec.strata_column() {
            Some(col) => {
                let codes = codes_of(df, col, "estratos", codebook)?;
                check_no_missing(&codes, col, "estratos")?;
                (true, codes)
            }
            None => (
                false,
                Codes {
                    codes: vec![0; n],
                    labels: vec![super::columns::Label::same("1")],
                },
            ),
        };
        let stratum_labels: Vec<String> = strata.labels.iter().map(|l| l.es.clone()).collect();

        // Raw cluster ids per stage (rows are their own PSUs without clusters).
        let mut raw: Vec<Codes> = Vec::new();
        for (s, col) in spec.cluster_columns().iter().enumerate() {
            let role = format!("conglomerados etapa {}", s + 1);
            let codes = codes_of(df, col, &role, codebook)?;
            check_no_missing(&codes, col, &role)?;
            raw.push(codes);
        }
        let declared_stages = raw.len().max(1);

        // R: "Design has only one primary sampling unit".
        let n_raw_psu = match raw.first() {
            Some(c) => c.labels.len(),
            None => n,
        };
        if n_raw_psu == 1 && !(spec.is_nested() && has_strata) {
            return Err(DesignError::SinglePsu);
        }

        // Stage-1 units: (stratum, id) when nested, else the id (checked to
        // lie in a single stratum).
        let psu_key: Vec<u64> = match raw.first() {
            None => (0..n as u64)
                .map(|i| (u64::from(strata.codes[i as usize]) << 32) | i)
                .collect(),
            Some(ids) => {
                if !spec.is_nested() && has_strata {
                    check_nesting(ids, &strata, &spec.cluster_columns()[0])?;
                }
                ids.codes
                    .iter()
                    .zip(&strata.codes)
                    .map(|(&id, &h)| (u64::from(h) << 32) | u64::from(id))
                    .collect()
            }
        };
        let (row_psu, psu_keys) = dense_sorted(&psu_key);
        let psu_stratum: Vec<u32> = psu_keys.iter().map(|k| (k >> 32) as u32).collect();

        // Units of every declared stage: stage s ≥ 2 ids within their parent.
        let mut row_units: Vec<Vec<u32>> = vec![row_psu.clone()];
        let mut unit_groups: Vec<Vec<u32>> = vec![psu_stratum.clone()];
        for ids in raw.iter().skip(1) {
            let parent = row_units.last().map(Vec::as_slice).unwrap_or(&[]);
            let key: Vec<u64> = parent
                .iter()
                .zip(&ids.codes)
                .map(|(&p, &id)| (u64::from(p) << 32) | u64::from(id))
                .collect();
            let (row_unit, keys) = dense_sorted(&key);
            unit_groups.push(keys.iter().map(|k| (k >> 32) as u32).collect());
            row_units.push(row_unit);
        }
        let n_groups: Vec<usize> = std::iter::once(stratum_labels.len())
            .chain(row_units.iter().map(|u| count_codes(u)))
            .collect();
        let group_units: Vec<Vec<u32>> = unit_groups
            .iter()
            .zip(&n_groups)
            .map(|(ug, &ng)| {
                let mut counts = vec![0u32; ng];
                for &g in ug {
                    counts[g as usize] += 1;
                }
                counts
            })
            .collect();

        // fpc → population sizes per stage and group.
        let popsizes: Option<Vec<Vec<f64>>> = if spec.fpc_columns().is_empty() {
            None
        } else {
            Some(read_fpc(
                df,
                spec,
                &strata,
                &row_units,
                &unit_groups,
                &group_units,
            )?)
        };

        // Weights: the column, else from the fpc (R: popsize/sampsize over
        // stages), else 1 (R warns "assuming equal probability").
        let weights = match spec.weights_column() {
            Some(col) => read_weights(df, col)?,
            None => match &popsizes {
                Some(pops) => (0..n)
                    .map(|i| {
                        let mut w = 1.0;
                        for s in 0..declared_stages {
                            let g = if s == 0 {
                                strata.codes[i] as usize
                            } else {
                                row_units[s - 1][i] as usize
                            };
                            w *= pops[s][g] / f64::from(group_units[s][g]);
                        }
                        w
                    })
                    .collect(),
                None => vec![1.0; n],
            },
        };

        // Stages whose variance is computed: all with fpc (R recurses), the
        // first only otherwise.
        let used = if popsizes.is_some() && !spec.is_ultimate_cluster() {
            declared_stages
        } else {
            1
        };
        let stages: Vec<Stage> = (0..used)
            .map(|s| Stage {
                unit_group: unit_groups[s].clone(),
                group_units: group_units[s].clone(),
                group_popsize: popsizes.as_ref().map(|p| p[s].clone()),
            })
            .collect();

        let lonely = spec.lonely_psu_policy();
        if lonely == LonelyPsu::Fail {
            check_lonely(&stages, &stratum_labels)?;
        }

        let row_unit = row_units.swap_remove(used - 1);
        let mut unit_psu: Vec<u32> = (0..count_codes(&row_unit) as u32).collect();
        for s in (1..used).rev() {
            for u in unit_psu.iter_mut() {
                *u = stages[s].unit_group[*u as usize];
            }
        }
        let unit_start = unit_offsets(&row_unit, unit_psu.len());
        let order = if row_unit.windows(2).all(|w| w[0] <= w[1]) {
            None
        } else {
            Some(counting_order(&row_unit, &unit_start))
        };

        Ok(Structure {
            n,
            weights,
            has_strata,
            stratum_labels,
            row_stratum: strata.codes,
            row_psu,
            psu_stratum,
            stages,
            row_unit,
            unit_psu,
            order,
            unit_start,
            lonely,
            declared_stages,
            has_fpc: popsizes.is_some(),
        })
    }
}

fn check_no_missing(codes: &Codes, column: &str, role: &str) -> Result<(), DesignError> {
    match codes.missing() {
        Some((first, count)) => Err(DesignError::MissingValue {
            column: column.to_string(),
            role: role.to_string(),
            row: first + 1,
            count,
        }),
        None => Ok(()),
    }
}

fn check_nesting(ids: &Codes, strata: &Codes, column: &str) -> Result<(), DesignError> {
    let mut home: Vec<u32> = vec![MISSING; ids.labels.len()];
    for (&id, &h) in ids.codes.iter().zip(&strata.codes) {
        let slot = &mut home[id as usize];
        if *slot == MISSING {
            *slot = h;
        } else if *slot != h {
            return Err(DesignError::NotNested {
                column: column.to_string(),
                psu: ids.labels[id as usize].es.clone(),
                stratum_a: strata.labels[*slot as usize].es.clone(),
                stratum_b: strata.labels[h as usize].es.clone(),
            });
        }
    }
    Ok(())
}

/// Dense codes of 64-bit keys, assigned in sorted key order.
fn dense_sorted(keys: &[u64]) -> (Vec<u32>, Vec<u64>) {
    let mut map: HashMap<u64, u32> = HashMap::new();
    let mut distinct: Vec<u64> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(keys.len());
    let mut last: Option<(u64, u32)> = None;
    for &k in keys {
        if let Some((lk, lc)) = last
            && lk == k
        {
            codes.push(lc);
            continue;
        }
        let c = *map.entry(k).or_insert_with(|| {
            distinct.push(k);
            (distinct.len() - 1) as u32
        });
        codes.push(c);
        last = Some((k, c));
    }
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by_key(|&i| distinct[i as usize]);
    let mut remap = vec![0u32; distinct.len()];
    for (new, &old) in order.iter().enumerate() {
        remap[old as usize] = new as u32;
    }
    for c in codes.iter_mut() {
        *c = remap[*c as usize];
    }
    let sorted = order.iter().map(|&i| distinct[i as usize]).collect();
    (codes, sorted)
}

fn count_codes(codes: &[u32]) -> usize {
    codes.iter().copied().max().map_or(0, |m| m as usize + 1)
}

/// Offsets of each unit's rows in unit order (`n_units + 1`).
fn unit_offsets(row_unit: &[u32], n_units: usize) -> Vec<u32> {
    let mut start = vec![0u32; n_units + 1];
    for &u in row_unit {
        start[u as usize + 1] += 1;
    }
    for i in 0..n_units {
        start[i + 1] += start[i];
    }
    start
}

/// Row indices ordered by unit (a stable counting sort).
fn counting_order(row_unit: &[u32], unit_start: &[u32]) -> Vec<u32> {
    let mut next = unit_start.to_vec();
    let mut order = vec![0u32; row_unit.len()];
    for (i, &u) in row_unit.iter().enumerate() {
        let slot = &mut next[u as usize];
        order[*slot as usize] = i as u32;
        *slot += 1;
    }
    order
}

fn read_weights(df: &DataFrame, col: &str) -> Result<Vec<f64>, DesignError> {
    let w = numeric_values(df, col, "pesos")?;
    let missing: Vec<usize> = w
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_nan())
        .map(|(i, _)| i)
        .collect();
    if let Some(&first) = missing.first() {
        return Err(DesignError::MissingValue {
            column: col.to_string(),
            role: "pesos".into(),
            row: first + 1,
            count: missing.len(),
        });
    }
    if let Some((row, &value)) = w
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(DesignError::BadWeight {
            column: col.to_string(),
            row: row + 1,
            value,
        });
    }
    Ok(w)
}

/// Reads the fpc columns as R's `as.fpc`: all values ≥ 1 (some > 1) are
/// population sizes, all ≤ 1 are sampling fractions; they must be constant
/// within each group (R only warns; a varying fpc has no meaning for a
/// non-PPS design, so it is an error here).
fn read_fpc(
    df: &DataFrame,
    spec: &DesignSpec,
    strata: &Codes,
    row_units: &[Vec<u32>],
    unit_groups: &[Vec<u32>],
    group_units: &[Vec<u32>],
) -> Result<Vec<Vec<f64>>, DesignError> {
    let mut values: Vec<Vec<f64>> = Vec::new();
    for (s, col) in spec.fpc_columns().iter().enumerate() {
        let role = format!("fpc etapa {}", s + 1);
        let c = get_column(df, col, &role)?;
        if !is_numeric(c.dtype()) {
            return Err(DesignError::WrongType {
                column: col.clone(),
                role,
                expected: "numérica".into(),
                found: c.dtype().to_string(),
            });
        }
        let v = numeric_values(df, col, &role)?;
        let missing: Vec<usize> = (0..v.len()).filter(|&i| v[i].is_nan()).collect();
        if let Some(&first) = missing.first() {
            return Err(DesignError::MissingValue {
                column: col.clone(),
                role,
                row: first + 1,
                count: missing.len(),
            });
        }
        values.push(v);
    }
    let any_big = values.iter().flatten().any(|&x| x > 1.0);
    let all_ge1 = values.iter().flatten().all(|&x| x >= 1.0);
    if any_big != all_ge1 {
        return Err(DesignError::BadFpc {
            column: spec.fpc_columns().join(", "),
            stage: 1,
            problem:
                "los valores deben ser todos ≥ 1 (tamaños de población, alguno > 1) o todos ≤ 1 \
                      (fracciones de muestreo, alguna < 1), como en R"
                    .into(),
        });
    }
    if let Some((row, &x)) = values.iter().flatten().enumerate().find(|(_, x)| **x < 0.0) {
        return Err(DesignError::BadFpc {
            column: spec.fpc_columns().join(", "),
            stage: row / df.height() + 1,
            problem: format!("valor {x} en la fila {}", row % df.height() + 1),
        });
    }
    let mut out = Vec::new();
    for (s, v) in values.iter().enumerate() {
        let col = &spec.fpc_columns()[s];
        let n_groups = group_units[s].len();
        let mut per_group = vec![f64::NAN; n_groups];
        for (i, &x) in v.iter().enumerate() {
            let g = if s == 0 {
                strata.codes[i] as usize
            } else {
                unit_groups[s][row_units[s][i] as usize] as usize
            };
            let slot = &mut per_group[g];
            if slot.is_nan() {
                *slot = x;
            } else if *slot != x {
                return Err(DesignError::BadFpc {
                    column: col.clone(),
                    stage: s + 1,
                    problem: format!(
                        "varía dentro de {} (fila {}: {x}, antes {}); debe ser constante",
                        if s == 0 {
                            format!("el estrato `{}`", strata.labels[g].es)
                        } else {
                            "un conglomerado de la etapa anterior".to_string()
                        },
                        i + 1,
                        *slot
                    ),
                });
            }
        }
        for (g, x) in per_group.iter_mut().enumerate() {
            let n_g = f64::from(group_units[s][g]);
            let pop = if any_big { *x } else { n_g / *x };
            if pop < n_g {
                return Err(DesignError::BadFpc {
                    column: col.clone(),
                    stage: s + 1,
                    problem: format!(
                        "implica muestrear más del 100%: tamaño de población {pop} con {n_g} unidades en la muestra{}",
                        if s == 0 {
                            format!(" (estrato `{}`)", strata.labels[g].es)
                        } else {
                            String::new()
                        }
                    ),
                });
            }
            *x = pop;
        }
        out.push(per_group);
    }
    Ok(out)
}

/// Under `LonelyPsu::Fail`, refuses groups with one unit that are not
/// self-representing, naming them.
fn check_lonely(stages: &[Stage], stratum_labels: &[String]) -> Result<(), DesignError> {
    for (s, stage) in stages.iter().enumerate() {
        let lonely: Vec<String> = (0..stage.n_groups())
            .filter(|&g| stage.group_units[g] == 1 && stage.fpc_factor(g) >= SELF_REPRESENTING)
            .map(|g| {
                if s == 0 {
                    format!("`{}`", stratum_labels[g])
                } else {
                    format!("conglomerado {}", g + 1)
                }
            })
            .collect();
        if !lonely.is_empty() {
            return Err(DesignError::LonelyPsu {
                stage: s + 1,
                count: lonely.len(),
                strata: truncated_list(&lonely, 10),
            });
        }
    }
    Ok(())
}
