//! Replicate-weight options of `lapaz-survey estimate`: use replicate weight columns of the data
//! (`--repweights`, R's `svrepdesign`) or create replicates from the design (`--replicates`, R's
//! `as.svrepdesign`), with a progress bar on stderr.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use lapaz_survey::design::SurveyDesign;
use lapaz_survey::weighting::{Progress, ReplicateColumns, ReplicateMethod, ReplicateType};

/// Replicate weights for `estimate`.
#[derive(Debug, Clone, Args)]
pub struct ReplicateArgs {
    /// Columnas de pesos replicados: un prefijo (p. ej. `repw` toma repw1, repw2, …) o una lista
    /// separada por comas.
    #[arg(long, value_name = "PREFIJO|COLS", conflicts_with = "replicates")]
    repweights: Option<String>,
    /// Tipo de los pesos replicados dados: JK1, JKn, BRR, Fay, bootstrap, SDR u other.
    #[arg(long, value_name = "TIPO", requires = "repweights")]
    rep_type: Option<String>,
    /// Coeficiente rho de Fay (para --rep-type Fay o --replicates fay).
    #[arg(long, value_name = "R")]
    fay_rho: Option<f64>,
    /// Factor de escala de la varianza (scale de R) para los pesos dados.
    #[arg(long, value_name = "S", requires = "repweights")]
    scale: Option<f64>,
    /// Escalas por réplica (rscales de R): una por columna de --repweights, separadas por comas
    /// (p. ej. (n_h − 1)/n_h de cada réplica JKn; obligatorias con --rep-type jkn).
    #[arg(long, value_name = "R1,R2,…", requires = "repweights")]
    rscales: Option<String>,
    /// Los pesos dados son factores del peso muestral, no pesos de análisis.
    #[arg(long, requires = "repweights")]
    rep_factors: bool,
    /// Centrar la varianza en la estimación completa (mse de R).
    #[arg(long)]
    mse: bool,
    /// Crear réplicas del diseño: jk1, jkn, brr, fay, bootstrap, canty-davison o sdr.
    #[arg(long, value_name = "TIPO")]
    replicates: Option<String>,
    /// Semilla del bootstrap.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Número de réplicas bootstrap.
    #[arg(long, value_name = "R", default_value_t = 100)]
    count: usize,
}

/// `--rscales`: finite numbers ≥ 0 separated by commas.
fn parse_rscales(list: &str) -> Result<Vec<f64>, String> {
    list.split(',')
        .map(str::trim)
        .enumerate()
        .map(|(i, v)| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "--rscales: el valor {} (`{v}`) no es un número finito ≥ 0; use números                          separados por comas, p. ej. 0.5,0.5,0.75",
                        i + 1
                    )
                })
        })
        .collect()
}

/// A progress bar on stderr.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64, what: &str) {
        self.0.set_length(total);
        self.0.set_message(what.to_string());
    }
    fn inc(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl ReplicateArgs {
    /// The design with the requested replicate weights (unchanged when none).
    pub fn apply(&self, design: SurveyDesign) -> Result<SurveyDesign, String> {
        if let Some(spec) = &self.repweights {
            let rep_type =
                ReplicateType::parse(self.rep_type.as_deref().unwrap_or("other"), self.fay_rho)
                    .map_err(|e| e.to_string())?;
            let mut cols = if spec.contains(',') {
                ReplicateColumns::new(spec.split(',').map(str::trim), rep_type)
            } else if design.data().column(spec).is_ok() {
                ReplicateColumns::new([spec.as_str()], rep_type)
            } else {
                ReplicateColumns::with_prefix(&design, spec, rep_type)
            };
            if cols.columns.is_empty() {
                return Err(format!(
                    "--repweights {spec}: ninguna columna empieza con `{spec}`"
                ));
            }
            if let Some(s) = self.scale {
                cols = cols.scale(s);
            }
            if let Some(list) = &self.rscales {
                let rscales = parse_rscales(list)?;
                if rscales.len() != cols.columns.len() {
                    return Err(format!(
                        "--rscales: se esperaba una escala por réplica ({} columnas en                          --repweights {spec}), se recibieron {}",
                        cols.columns.len(),
                        rscales.len()
                    ));
                }
                cols = cols.rscales(rscales);
            }
            if self.rep_factors {
                cols = cols.factors();
            }
            cols = cols.mse(self.mse);
            return design
                .with_replicate_columns(&cols)
                .map_err(|e| e.to_string());
        }
        if let Some(kind) = &self.replicates {
            let method = ReplicateMethod::parse(kind, self.count, self.seed, self.fay_rho)
                .map_err(|e| e.to_string())?;
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
                bar.set_style(style);
            }
            let rep = design
                .replicate_with_progress(method, &Bar(bar))
                .map_err(|e| e.to_string())?;
            return Ok(match rep.replicate_weights() {
                Some(_) if self.mse => rep.with_mse(true),
                _ => rep,
            });
        }
        Ok(design)
    }
}
