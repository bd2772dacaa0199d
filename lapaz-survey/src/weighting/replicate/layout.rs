//! The first-stage structure replicate builders need: which PSU each row is in, which stratum
//! each PSU is in, and the population number of PSUs per stratum (first-stage fpc).

use crate::weighting::WeightingError;
use std::collections::HashMap;

/// First-stage layout of a design. PSUs are numbered `0..n_psu` in order of first appearance in
/// the data (R's `unique(psu)` order), strata `0..n_strata` likewise.
#[derive(Debug, Clone, PartialEq)]
pub struct PsuLayout {
    /// PSU index of each row.
    pub row_psu: Vec<u32>,
    /// Stratum index of each PSU.
    pub psu_stratum: Vec<u32>,
    /// Stratum labels, by stratum index (BRR orders strata by label, as R does).
    pub stratum_labels: Vec<String>,
    /// Population number of PSUs in each stratum (`N_h`), when the design has a first-stage fpc.
    pub stratum_popsize: Option<Vec<f64>>,
}

impl PsuLayout {
    /// Builds the layout from row-level stratum and PSU keys (any codes; a PSU is identified by
    /// the pair stratum × PSU key, as with R's `nest = TRUE`). `popsize` is the first-stage
    /// population size per row (R's fpc as a number of PSUs), constant within strata.
    pub fn from_rows<S: AsRef<str>>(
        strata: &[u32],
        psus: &[u64],
        stratum_label: impl Fn(u32) -> S,
        popsize: Option<&[f64]>,
    ) -> Result<Self, WeightingError> {
        if strata.len() != psus.len() {
            return Err(WeightingError::LengthMismatch {
                what: "estratos y UPM".into(),
                expected: strata.len(),
                found: psus.len(),
            });
        }
        let mut stratum_index: HashMap<u32, u32> = HashMap::new();
        let mut stratum_labels = Vec::new();
        let mut psu_index: HashMap<(u32, u64), u32> = HashMap::new();
        let mut psu_stratum = Vec::new();
        let mut row_psu = Vec::with_capacity(psus.len());
        let mut pop: Vec<Option<f64>> = Vec::new();
        for (row, (&s, &p)) in strata.iter().zip(psus).enumerate() {
            let si = *stratum_index.entry(s).or_insert_with(|| {
                stratum_labels.push(stratum_label(s).as_ref().to_string());
                pop.push(None);
                (stratum_labels.len() - 1) as u32
            });
            let pi = *psu_index.entry((si, p)).or_insert_with(|| {
                psu_stratum.push(si);
                (psu_stratum.len() - 1) as u32
            });
            row_psu.push(pi);
            if let Some(ps) = popsize {
                let v = ps.get(row).copied().unwrap_or(f64::NAN);
                let slot = &mut pop[si as usize];
                match slot {
                    None => *slot = Some(v),
                    Some(old) if (*old - v).abs() > 1e-9 * old.abs().max(1.0) => {
                        return Err(WeightingError::UnsuitableDesign {
                            method: "fpc".into(),
                            detail: format!(
                                "el fpc cambia dentro del estrato `{}` ({old} y {v}, fila {row})",
                                stratum_labels[si as usize]
                            ),
                            hint: "el fpc de la primera etapa debe ser constante en cada estrato"
                                .into(),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        let stratum_popsize =
            popsize.map(|_| pop.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect());
        Ok(Self {
            row_psu,
            psu_stratum,
            stratum_labels,
            stratum_popsize,
        })
    }

    /// Number of PSUs.
    pub fn n_psu(&self) -> usize {
        self.psu_stratum.len()
    }
    /// Number of strata.
    pub fn n_strata(&self) -> usize {
        self.stratum_labels.len()
    }
    /// PSU indices of each stratum, in order of first appearance.
    pub fn psus_by_stratum(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.n_strata()];
        for (p, &s) in self.psu_stratum.iter().enumerate() {
            out[s as usize].push(p);
        }
        out
    }
}
