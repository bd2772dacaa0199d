//! What the command-line tests share: the repository's `tests/` folder (R's
//! exported data and reference values) and running `lapaz-survey estimate`.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository's `tests/` folder.
pub fn repo_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

/// Runs `lapaz-survey estimate ARGS` as a user does.
pub fn estimate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lapaz-survey"))
        .arg("estimate")
        .args(args)
        .output()
        .expect("the binary runs")
}
