//! [`SurveyOverview`]: the summary figures of a loaded survey, as text
//! (`Display`) or JSON (serde).

use std::fmt;

use serde::Serialize;

/// One table in the overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TableOverview {
    /// Table name (`vivienda`, `persona`).
    pub name: String,
    /// File it was read from.
    pub file: String,
    /// Data rows read.
    pub rows_read: usize,
    /// Rows kept.
    pub rows_kept: usize,
    /// Rows rejected (lenient mode).
    pub rows_rejected: usize,
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Per column: missing-value codes turned into nulls (kept rows).
    pub missing_codes_to_null: Vec<(String, usize)>,
    /// Codebook columns absent from the file, loaded as nulls.
    pub null_filled_columns: Vec<String>,
    /// File columns outside the codebook, left out.
    pub ignored_columns: Vec<String>,
}

/// Summary figures of a survey (what `lapaz-survey info` prints).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SurveyOverview {
    /// Survey title (Spanish).
    pub title: String,
    /// Where the data came from.
    pub source: String,
    /// Whether the data are synthetic.
    pub synthetic: bool,
    /// The synthetic-data warning, when synthetic.
    pub synthetic_label: Option<String>,
    /// The tables.
    pub tables: Vec<TableOverview>,
    /// Households kept.
    pub households: usize,
    /// Persons kept.
    pub persons: usize,
    /// Distinct strata among the households (codebook role `strata`).
    pub strata: Option<usize>,
    /// Distinct PSUs (codebook role `psu`), counted as distinct
    /// (stratum, PSU) pairs so that PSU codes reused across strata count once
    /// per stratum.
    pub psus: Option<usize>,
    /// Distinct macrodistricts among the households (column `macrodistrito`).
    pub macrodistricts: Option<usize>,
    /// Sum of the household weights: the estimated number of households.
    pub weight_sum_households: Option<f64>,
    /// Sum of the person weights: the estimated population.
    pub weight_sum_persons: Option<f64>,
    /// Rows rejected in all tables.
    pub rejected_rows: usize,
    /// Notes of the load report (codebook used, mapping), in Spanish.
    pub notes: Vec<String>,
}

fn opt<T: fmt::Display>(x: Option<T>) -> String {
    x.map_or_else(|| "—".to_string(), |x| x.to_string())
}

/// Formats a number with thousands separated by `.` and no decimals
/// (Bolivian usage: 755.732).
pub(crate) fn thousands(x: f64) -> String {
    let rounded = x.round();
    if !rounded.is_finite() || rounded.abs() >= 1e18 {
        return x.to_string();
    }
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        out.insert(0, '-');
    }
    out
}

impl fmt::Display for SurveyOverview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        if let Some(label) = &self.synthetic_label {
            writeln!(f, "⚠ {label}")?;
        }
        writeln!(f, "Fuente: {}", self.source)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<10} {:>9} {:>9} {:>10} {:>9}",
            "tabla", "leídas", "válidas", "rechazadas", "columnas"
        )?;
        for t in &self.tables {
            writeln!(
                f,
                "{:<10} {:>9} {:>9} {:>10} {:>9}",
                t.name,
                t.rows_read,
                t.rows_kept,
                t.rows_rejected,
                t.columns.len()
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "Hogares:              {}",
            thousands(self.households as f64)
        )?;
        writeln!(
            f,
            "Personas:             {}",
            thousands(self.persons as f64)
        )?;
        writeln!(f, "Estratos:             {}", opt(self.strata))?;
        writeln!(f, "UPM (conglomerados):  {}", opt(self.psus))?;
        writeln!(f, "Macrodistritos:       {}", opt(self.macrodistricts))?;
        writeln!(
            f,
            "Hogares expandidos:   {}",
            opt(self.weight_sum_households.map(thousands))
        )?;
        writeln!(
            f,
            "Población expandida:  {}",
            opt(self.weight_sum_persons.map(thousands))
        )?;
        for t in &self.tables {
            writeln!(f)?;
            writeln!(f, "Columnas de `{}` ({}):", t.name, t.file)?;
            let mut line = String::from(" ");
            for (i, c) in t.columns.iter().enumerate() {
                let piece = if i + 1 < t.columns.len() {
                    format!(" {c},")
                } else {
                    format!(" {c}")
                };
                if line.len() + piece.len() > 88 {
                    writeln!(f, "{line}")?;
                    line = String::from(" ");
                }
                line.push_str(&piece);
            }
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}
