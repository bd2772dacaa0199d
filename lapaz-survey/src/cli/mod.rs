//! Command-line interface: parses arguments, calls the library, prints.
//! Each subcommand lives in its own file.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod estimate;
mod generate;
mod info;
mod weighting_args;

/// Análisis de la Encuesta Municipal de Hogares de La Paz (EMH 2023).
#[derive(Debug, Parser)]
#[command(name = "lapaz-survey", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Estimaciones con diseño: media, total, proporciones, razón, cuantiles, por dominios.
    Estimate(estimate::EstimateArgs),
    /// Genera el archivo de la EMH 2023 sintética (datos incorporados).
    Generate(generate::GenerateArgs),
    /// Resume una encuesta: tablas, filas, columnas, estratos, UPM, suma de factores.
    Info(info::InfoArgs),
}

/// Runs the program and maps errors to a non-zero exit code, printing them
/// on stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Estimate(args) => estimate::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Info(args) => info::run(args),
    }
}
