//! `lapaz-survey`: the command-line program over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
