//! `lapaz-survey generate`: regenerates the synthetic survey archive.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use lapaz_survey::codebook::Codebook;
use lapaz_survey::data::synth::{SynthConfig, SyntheticSurvey};

/// Genera el archivo zip de la EMH 2023 sintética.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Archivo zip de salida (p. ej. `lapaz-survey/data/emh2023_sintetica.zip`).
    #[arg(long, value_name = "RUTA")]
    out: Option<PathBuf>,
    /// Semilla (por defecto, la de `targets.toml`).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Compara el archivo generado con el incorporado en el programa y
    /// termina con error si difieren.
    #[arg(long)]
    check: bool,
    /// Escribe la página Markdown del libro de códigos
    /// (`docs/src/data/codebook.md`) y termina.
    #[arg(long, value_name = "RUTA")]
    codebook_md: Option<PathBuf>,
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// Runs the subcommand.
pub fn run(args: GenerateArgs) -> ExitCode {
    if let Some(path) = &args.codebook_md {
        return write_codebook_page(path);
    }
    let config = match SynthConfig::embedded() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = match args.seed {
        Some(seed) => config.with_seed(seed),
        None => config,
    };
    let start = Instant::now();
    let survey = match SyntheticSurvey::generate(&config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = match survey.to_zip_bytes() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = start.elapsed();
    let h = survey.headline();
    println!("EMH 2023 sintética — semilla {}", survey.seed());
    println!(
        "  {} hogares, {} personas, {} UPM, {} estratos; suma de factores {:.1} personas, {:.0} hogares",
        h.households, h.persons, h.psus, h.strata, h.weight_sum, h.household_weight_sum
    );
    println!(
        "  desocupación {} · informalidad {} · transporte público {} · a pie {} · pobreza {}",
        pct(h.unemployment),
        pct(h.informality),
        pct(h.public_transport),
        pct(h.walking),
        pct(h.poverty)
    );
    println!(
        "  riesgo moderado o más {} · evento en 12 meses {}",
        pct(h.moderate_risk),
        pct(h.event_rate)
    );
    println!("  escala de ingresos {:.3}", h.income_scale);
    println!(
        "  generado en {:.2} s; zip de {} bytes",
        elapsed.as_secs_f64(),
        bytes.len()
    );
    if let Some(path) = &args.out {
        if let Err(e) = std::fs::write(path, &bytes) {
            eprintln!("error: no se pudo escribir `{}`: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("  escrito en {}", path.display());
    }
    if args.check {
        let embedded = lapaz_survey::data::embedded_archive();
        if embedded == bytes.as_slice() {
            println!(
                "  idéntico al archivo incorporado ({}).",
                lapaz_survey::data::EMBEDDED_NAME
            );
        } else {
            eprintln!(
                "error: el archivo generado ({} bytes) difiere del incorporado {} ({} bytes). \
                 Regenérelo con `lapaz-survey generate --out lapaz-survey/data/{}` y vuelva a compilar.",
                bytes.len(),
                lapaz_survey::data::EMBEDDED_NAME,
                embedded.len(),
                lapaz_survey::data::EMBEDDED_NAME
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Writes `Codebook::to_markdown()` of the shipped codebook to `path`.
fn write_codebook_page(path: &std::path::Path) -> ExitCode {
    let codebook = match Codebook::from_toml_str(SynthConfig::embedded_codebook_toml()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(path, codebook.to_markdown()) {
        eprintln!("error: no se pudo escribir `{}`: {e}", path.display());
        return ExitCode::FAILURE;
    }
    println!("Página del libro de códigos escrita en {}", path.display());
    ExitCode::SUCCESS
}
