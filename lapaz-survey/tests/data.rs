//! Tests of the embedded synthetic survey: its codebook, its archive and the
//! generator that makes it.

use lapaz_survey::codebook::Codebook;

const CODEBOOK: &str = include_str!("../data/codebook.toml");

#[test]
fn codebook_parses() {
    let cb = Codebook::from_toml_str(CODEBOOK).expect("codebook.toml parses");
    assert!(cb.survey.synthetic);
}
