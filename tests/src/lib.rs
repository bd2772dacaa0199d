//! Helpers shared by the cross-check tests: paths to committed reference
//! data and relative-tolerance comparison.

use std::path::PathBuf;

/// Root of the `tests/` folder (where `r/`, `reference/` and `data/` live).
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Asserts that `got` equals `want` to a relative tolerance `rel`
/// (absolute below 1e-300 in magnitude), naming `what` on failure.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    if want.is_nan() {
        assert!(got.is_nan(), "{what}: expected NaN, got {got}");
        return;
    }
    if want.is_infinite() {
        assert_eq!(got, want, "{what}");
        return;
    }
    let scale = want.abs().max(1e-300);
    let err = (got - want).abs() / scale;
    assert!(
        err <= rel || (got - want).abs() <= 1e-300,
        "{what}: got {got:.17e}, want {want:.17e} (relative error {err:.3e} > {rel:.0e})"
    );
}
