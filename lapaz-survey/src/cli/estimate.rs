//! `lapaz-survey estimate`: design-based estimates (mean, total, proportions,
//! ratio, quantiles) with standard errors, intervals, CVs, design effects
//! and reliability flags, over the embedded survey or a CSV/Parquet/zip.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use lapaz_survey::Survey;
use lapaz_survey::codebook::{Language, Table};
use lapaz_survey::design::{DesignSpec, LonelyPsu, SurveyDesign};
use lapaz_survey::estimate::{Estimate, EstimateTable, PropCiMethod};
use lapaz_survey::polars::prelude::*;
use lapaz_survey::quality::ReliabilityRule;
use serde_json::{Map, Value, json};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tablas de texto alineadas.
    Table,
    /// CSV ordenado (una fila por estimación).
    Csv,
    /// JSON: {"estimates": [...]}.
    Json,
}

/// Which table of a survey archive to analyse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableArg {
    /// Hogares (vivienda).
    Hogares,
    /// Personas.
    Personas,
}

/// Arguments of `estimate`.
#[derive(Debug, Args)]
#[command(after_help = "Ejemplos:\n  \
    lapaz-survey estimate --mean yhogpc --by macrodistrito\n  \
    lapaz-survey estimate --data api.csv --weights pw --strata stype --mean api00 --format json\n  \
    lapaz-survey estimate --data api.csv --cluster dnum,snum --fpc fpc1,fpc2 --prop sch.wide")]
pub struct EstimateArgs {
    /// Datos: archivo .csv o .parquet, archivo zip o carpeta de una encuesta
    /// (sin esta opción: la EMH 2023 sintética incorporada).
    #[arg(long, value_name = "RUTA")]
    data: Option<PathBuf>,
    /// Tabla de una encuesta (zip/carpeta/incorporada); por omisión, hogares
    /// si todas las columnas pedidas están allí, si no personas.
    #[arg(long, value_enum)]
    table: Option<TableArg>,
    /// Columna de pesos (factor de expansión).
    #[arg(long, value_name = "COL")]
    weights: Option<String>,
    /// Columna de estratos.
    #[arg(long, value_name = "COL")]
    strata: Option<String>,
    /// Conglomerados por etapa, separados por comas (UPM primero).
    #[arg(long, value_name = "COL[,COL…]", value_delimiter = ',')]
    cluster: Vec<String>,
    /// Corrección por población finita por etapa (tamaño o fracción).
    #[arg(long, value_name = "COL[,COL…]", value_delimiter = ',')]
    fpc: Vec<String>,
    /// Los códigos de UPM solo son únicos dentro de cada estrato.
    #[arg(long)]
    nest: bool,
    /// Estratos con una sola UPM: fail, remove, certainty, adjust, average.
    #[arg(long, value_name = "POLÍTICA")]
    lonely_psu: Option<LonelyPsu>,
    /// Media de una variable (repetible).
    #[arg(long, value_name = "VAR")]
    mean: Vec<String>,
    /// Total de una variable (repetible; conteos por categoría si es categórica).
    #[arg(long, value_name = "VAR")]
    total: Vec<String>,
    /// Proporciones de las categorías de una variable (o de los 1 de una 0/1).
    #[arg(long, value_name = "VAR")]
    prop: Vec<String>,
    /// Razón de totales NUM/DEN (repetible).
    #[arg(long, value_name = "NUM/DEN")]
    ratio: Vec<String>,
    /// Cuantil VAR@P, p. ej. ingreso@0.5 (repetible).
    #[arg(long, value_name = "VAR@P")]
    quantile: Vec<String>,
    /// Dominios: una o más columnas separadas por comas.
    #[arg(long, value_name = "COL[,COL…]", value_delimiter = ',')]
    by: Vec<String>,
    /// Nivel de confianza de los intervalos.
    #[arg(long, value_name = "L", default_value_t = 0.95)]
    level: f64,
    /// Método del intervalo de las proporciones: logit, wilson, beta, mean, xlogit, asin.
    #[arg(long, value_name = "MÉTODO", default_value = "logit")]
    prop_ci: String,
    /// Regla de fiabilidad: ine-chile, cepal-2023, none.
    #[arg(long, value_name = "REGLA", default_value = "ine-chile")]
    reliability: ReliabilityRule,
    /// Formato de salida.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Pesos replicados (--repweights, --replicates …; módulo de ponderación).
    #[command(flatten)]
    replicate: super::weighting_args::ReplicateArgs,
}

/// Runs `estimate`: errors go to stderr with a non-zero exit.
pub fn run(args: EstimateArgs) -> ExitCode {
    match execute(&args) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One requested estimate.
enum Request {
    Mean(String),
    Total(String),
    Prop(String),
    Ratio(String, String),
    Quantile(String, f64),
}

impl Request {
    fn columns(&self) -> Vec<&str> {
        match self {
            Request::Mean(v) | Request::Total(v) | Request::Prop(v) | Request::Quantile(v, _) => {
                vec![v]
            }
            Request::Ratio(a, b) => vec![a, b],
        }
    }
}

fn requests(args: &EstimateArgs) -> Result<Vec<Request>, String> {
    let mut out = Vec::new();
    out.extend(args.mean.iter().cloned().map(Request::Mean));
    out.extend(args.total.iter().cloned().map(Request::Total));
    out.extend(args.prop.iter().cloned().map(Request::Prop));
    for r in &args.ratio {
        let (num, den) = r
            .split_once('/')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .ok_or_else(|| format!("--ratio espera NUM/DEN (p. ej. gasto/ingreso), no `{r}`"))?;
        out.push(Request::Ratio(num.to_string(), den.to_string()));
    }
    for q in &args.quantile {
        let (var, p) = q
            .split_once('@')
            .ok_or_else(|| format!("--quantile espera VAR@P (p. ej. ingreso@0.5), no `{q}`"))?;
        let p: f64 = p
            .parse()
            .ok()
            .filter(|p: &f64| (0.0..=1.0).contains(p))
            .ok_or_else(|| {
                format!("--quantile: la probabilidad de `{q}` debe estar entre 0 y 1")
            })?;
        out.push(Request::Quantile(var.to_string(), p));
    }
    if out.is_empty() {
        return Err(
            "pida al menos una estimación: --mean, --total, --prop, --ratio o --quantile".into(),
        );
    }
    Ok(out)
}

fn execute(args: &EstimateArgs) -> Result<String, String> {
    if !(args.level > 0.0 && args.level < 1.0) {
        return Err(format!(
            "--level debe estar entre 0 y 1 (p. ej. 0.95), no {}",
            args.level
        ));
    }
    let prop_ci = PropCiMethod::from_r_name(&args.prop_ci).ok_or_else(|| {
        format!(
            "--prop-ci desconocido `{}`; use logit, wilson, beta, mean, xlogit o asin",
            args.prop_ci
        )
    })?;
    let requests = requests(args)?;
    let design = args
        .replicate
        .apply(build_design(args, &requests)?)?
        .with_level(args.level)
        .with_reliability(args.reliability);
    let view = design.by(args.by.clone()).map_err(|e| e.to_string())?;
    let mut tables: Vec<EstimateTable> = Vec::new();
    for r in &requests {
        let t = match r {
            Request::Mean(v) => view.mean(v),
            Request::Total(v) => view.total(v),
            Request::Prop(v) => view.prop_ci(v, prop_ci),
            Request::Ratio(a, b) => view.ratio(a, b),
            Request::Quantile(v, p) => view.quantile(v, &[*p]),
        }
        .map_err(|e| e.to_string())?;
        tables.push(t);
    }
    Ok(match args.format {
        Format::Table => {
            let mut s = String::new();
            for t in &tables {
                s.push_str(&format!("{t}\n\n"));
            }
            s
        }
        Format::Csv => to_csv(&tables)?,
        Format::Json => to_json(&tables)?,
    })
}

/// The data and, for survey archives, the codebook's design.
fn build_design(args: &EstimateArgs, requests: &[Request]) -> Result<SurveyDesign, String> {
    let explicit = args.weights.is_some()
        || args.strata.is_some()
        || !args.cluster.is_empty()
        || !args.fpc.is_empty();
    let lonely = args.lonely_psu.unwrap_or_default();
    let spec = || {
        let mut s = DesignSpec::new()
            .clusters(args.cluster.clone())
            .fpcs(args.fpc.clone())
            .nest(args.nest)
            .lonely_psu(lonely);
        if let Some(w) = &args.weights {
            s = s.weights(w.clone());
        }
        if let Some(h) = &args.strata {
            s = s.strata(h.clone());
        }
        s
    };
    let path = args.data.as_deref();
    let extension = path
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (path, extension.as_deref()) {
        (Some(p), Some("csv")) => {
            let df = read_plain_csv(p)?;
            if !explicit {
                eprintln!(
                    "aviso: sin --weights/--strata/--cluster cada fila es una UPM con peso 1 \
                     (como svydesign(ids = ~1) de R)"
                );
            }
            SurveyDesign::new(df, spec()).map_err(|e| e.to_string())
        }
        (Some(p), Some("parquet")) => {
            let df = read_parquet(p)?;
            SurveyDesign::new(df, spec()).map_err(|e| e.to_string())
        }
        _ => {
            let survey = match path {
                Some(p) => Survey::open(p),
                None => Survey::embedded(),
            }
            .map_err(|e| e.to_string())?;
            let table = match args.table {
                Some(TableArg::Hogares) => Table::Vivienda,
                Some(TableArg::Personas) => Table::Persona,
                None => choose_table(&survey, args, requests),
            };
            if explicit {
                let df = survey.table(table).clone();
                SurveyDesign::with_codebook(df, spec(), survey.codebook().clone())
                    .map_err(|e| e.to_string())
            } else {
                survey
                    .table_design(table, lonely)
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Households when every requested column is there, persons otherwise.
fn choose_table(survey: &Survey, args: &EstimateArgs, requests: &[Request]) -> Table {
    let households = survey.table(Table::Vivienda);
    let mut wanted: Vec<&str> = requests.iter().flat_map(Request::columns).collect();
    wanted.extend(args.by.iter().map(String::as_str));
    if wanted.iter().all(|c| households.column(c).is_ok()) {
        Table::Vivienda
    } else {
        Table::Persona
    }
}

/// A plain CSV (UTF-8, header row): a column is numeric when every value
/// other than empty/`NA` parses as a number, text otherwise.
fn read_plain_csv(path: &Path) -> Result<DataFrame, String> {
    let shown = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("no se puede abrir `{shown}`: {e}"))?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("`{shown}`: encabezado ilegible: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); headers.len()];
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("`{shown}`, fila {}: {e}", i + 2))?;
        for (j, v) in rec.iter().enumerate() {
            let v = v.trim();
            cols[j].push((!v.is_empty() && v != "NA").then(|| v.to_string()));
        }
    }
    let columns: Vec<Column> = headers
        .iter()
        .zip(cols)
        .map(|(name, values)| {
            let numeric: Option<Vec<Option<f64>>> = values
                .iter()
                .map(|v| match v {
                    None => Some(None),
                    Some(s) => s.parse::<f64>().ok().map(Some),
                })
                .collect();
            match numeric {
                Some(x) => Series::new(name.as_str().into(), x).into_column(),
                None => Series::new(name.as_str().into(), values).into_column(),
            }
        })
        .collect();
    DataFrame::new_infer_height(columns).map_err(|e| format!("`{shown}`: {e}"))
}

#[cfg(feature = "parquet")]
fn read_parquet(path: &Path) -> Result<DataFrame, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("no se puede abrir `{}`: {e}", path.display()))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| format!("`{}`: {e}", path.display()))
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(path: &Path) -> Result<DataFrame, String> {
    Err(format!(
        "`{}`: este programa se compiló sin soporte Parquet; recompile con `--features parquet` \
         o convierta el archivo a CSV",
        path.display()
    ))
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn estimate_json(e: &Estimate) -> Value {
    let mut obj = Map::new();
    obj.insert("statistic".into(), json!(e.statistic.code()));
    obj.insert("variable".into(), json!(e.variable));
    if let lapaz_survey::estimate::Statistic::Quantile(p) = e.statistic {
        obj.insert("probability".into(), num(p));
    }
    if let Some(l) = &e.level {
        obj.insert("level".into(), json!(l.es));
        obj.insert("level_en".into(), json!(l.en));
    }
    let domain: Map<String, Value> = e
        .domain
        .iter()
        .map(|v| (v.variable.clone(), json!(v.value.es)))
        .collect();
    obj.insert("domain".into(), Value::Object(domain));
    obj.insert("estimate".into(), num(e.estimate));
    obj.insert("se".into(), num(e.se));
    obj.insert("ci_low".into(), num(e.ci.low));
    obj.insert("ci_high".into(), num(e.ci.high));
    obj.insert("ci_level".into(), num(e.ci.level));
    obj.insert("ci_method".into(), json!(e.ci.method.code()));
    obj.insert("cv".into(), num(e.cv));
    obj.insert("deff".into(), e.deff.map_or(Value::Null, num));
    obj.insert("df".into(), num(e.df));
    obj.insert("n".into(), json!(e.n));
    obj.insert("n_missing".into(), json!(e.n_missing));
    obj.insert("population".into(), num(e.population));
    obj.insert("quality".into(), json!(e.quality.label(Language::Es)));
    Value::Object(obj)
}

fn to_json(tables: &[EstimateTable]) -> Result<String, String> {
    let estimates: Vec<Value> = tables
        .iter()
        .flat_map(|t| t.estimates().iter().map(estimate_json))
        .collect();
    serde_json::to_string_pretty(&json!({ "estimates": estimates }))
        .map(|s| s + "\n")
        .map_err(|e| format!("no se pudo escribir el JSON: {e}"))
}

/// All tables as one CSV (they share the `by` variables), written by
/// [`EstimateTable::write_csv`].
fn to_csv(tables: &[EstimateTable]) -> Result<String, String> {
    let mut all = tables.iter().cloned();
    let Some(mut table) = all.next() else {
        return Ok(String::new());
    };
    all.for_each(|t| table.append(t));
    table
        .to_csv_string()
        .map_err(|e| format!("no se pudo escribir el CSV: {e}"))
}
