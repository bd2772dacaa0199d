//! Garbage in, error out: random bytes, truncations and mutations of an
//! archive must give an error (or a clean load), never a panic.

use lapaz_survey::Survey;
use lapaz_survey::codebook::Table;
use lapaz_survey::load::LoadOptions;

use crate::fixture::{self, PERSONA, VIVIENDA};

/// A small deterministic generator (xorshift64*), enough for fuzz-ish tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 24) as u8).collect()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn load(bytes: Vec<u8>, options: LoadOptions) -> Result<Survey, lapaz_survey::load::LoadError> {
    Survey::from_zip_bytes(bytes, "basura.zip", options)
}

/// Every load that succeeds must still account for every row.
fn check_accounting(survey: &Survey) {
    for t in &survey.report().tables {
        assert_eq!(t.rows_read, t.rows_kept + t.rows_rejected, "{t:?}");
        assert_eq!(survey.table(t.table).height(), t.rows_kept);
    }
}

#[test]
fn random_bytes_in_a_table_entry_are_an_error() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..40 {
        let n = 1 + rng.below(4000);
        let garbage = rng.bytes(n);
        let files = [
            ("codebook.toml", fixture::CODEBOOK.as_bytes()),
            ("vivienda.csv", VIVIENDA.as_bytes()),
            ("persona.csv", garbage.as_slice()),
        ];
        for options in [LoadOptions::strict(), LoadOptions::lenient()] {
            let lenient = options.is_lenient();
            let result = load(fixture::zip(&files), options);
            match result {
                Err(e) => assert!(!e.to_string().is_empty()),
                // Lenient mode may reject every garbage row and go on, but
                // it must say so.
                Ok(s) if lenient => {
                    check_accounting(&s);
                    let p = s.report().table(Table::Persona).expect("persona report");
                    assert_eq!(p.rows_kept, 0, "round {round}: garbage kept");
                }
                Ok(_) => panic!("round {round}: random bytes loaded as persons"),
            }
        }
    }
}

#[test]
fn random_bytes_as_an_archive_are_an_error() {
    let mut rng = Rng(42);
    for _ in 0..50 {
        let n = rng.below(3000);
        let mut bytes = rng.bytes(n);
        if rng.below(2) == 0 {
            // Start like a zip to reach the archive parser.
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        assert!(load(bytes, LoadOptions::default()).is_err());
    }
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = fixture::zip(&fixture::files(VIVIENDA, PERSONA));
    for cut in (0..bytes.len()).step_by(13) {
        assert!(
            load(bytes[..cut].to_vec(), LoadOptions::default()).is_err(),
            "truncated at {cut} of {}",
            bytes.len()
        );
    }
}

#[test]
fn mutated_archives_never_panic() {
    let original = fixture::zip(&fixture::files(VIVIENDA, PERSONA));
    let mut rng = Rng(7);
    for _ in 0..300 {
        let mut bytes = original.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(bytes.len());
            bytes[i] = (rng.next() >> 32) as u8;
        }
        let lenient = rng.below(2) == 0;
        let options = if lenient {
            LoadOptions::lenient()
        } else {
            LoadOptions::strict()
        };
        if let Ok(s) = load(bytes, options) {
            check_accounting(&s);
        }
    }
}

#[test]
fn random_csv_text_never_panics() {
    // Valid UTF-8 made of CSV's special characters and digits.
    let alphabet: Vec<char> = "0123456789,,,\"\"\n\n\r -.;aéñ".chars().collect();
    let mut rng = Rng(2024);
    for _ in 0..200 {
        let body: String = (0..rng.below(400))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let vivienda = format!("{}{body}", VIVIENDA);
        let files = fixture::files(&vivienda, PERSONA);
        for options in [LoadOptions::strict(), LoadOptions::lenient()] {
            if let Ok(s) = load(fixture::zip(&files), options) {
                check_accounting(&s);
            }
        }
    }
}
