//! One test per error class: the variant and its place (file, row, column).

use lapaz_survey::Survey;
use lapaz_survey::codebook::Table;
use lapaz_survey::load::{LoadError, LoadOptions, TextEncoding, WeightProblem};

use crate::fixture::{self, PERSONA, VIVIENDA};

fn open_err(path: &std::path::Path) -> LoadError {
    match Survey::open(path) {
        Ok(_) => panic!("expected an error loading {}", path.display()),
        Err(e) => e,
    }
}

/// Loads the standard zip with `vivienda`/`persona` replaced, expecting an error.
fn err_with(name: &str, vivienda: &str, persona: &str) -> LoadError {
    open_err(&fixture::survey_zip(name, vivienda, persona))
}

fn assert_place(e: &LoadError, file_suffix: &str, row: Option<u64>, column: Option<&str>) {
    let file = e.file().unwrap_or_default();
    assert!(
        file.ends_with(file_suffix),
        "file `{file}` should end with `{file_suffix}` ({e})"
    );
    assert_eq!(e.row(), row, "row of {e}");
    assert_eq!(e.column(), column, "column of {e}");
    assert!(e.hint().is_some(), "every error has a hint: {e}");
    let text = e.to_string();
    if let Some(r) = row {
        assert!(
            text.contains(&format!("fila {r}")),
            "message names the row: {text}"
        );
    }
    if let Some(c) = column {
        assert!(text.contains(c), "message names the column: {text}");
    }
}

/// The message's "expected" and "found" parts: both present, with what the
/// test knows they must say.
fn assert_expected_found(e: &LoadError, expected: &str, found: &str) {
    let (Some(x), Some(f)) = (e.expected(), e.found()) else {
        panic!("says what was expected and what was found: {e:?}");
    };
    assert!(
        x.contains(expected),
        "expected part `{x}` should say `{expected}`"
    );
    assert!(f.contains(found), "found part `{f}` should say `{found}`");
    let text = e.to_string();
    assert!(
        text.contains(&format!("se esperaba {x}")) && text.contains(&format!("se encontró {f}")),
        "the message carries both: {text}"
    );
}

#[test]
fn missing_file() {
    let path = fixture::temp_dir("missing").join("no-existe.zip");
    let e = open_err(&path);
    assert!(
        matches!(&e, LoadError::NotFound { path: p } if *p == path),
        "{e:?}"
    );
    assert!(e.to_string().contains("no existe"));
}

#[test]
fn not_a_zip() {
    let path = fixture::temp_dir("notzip").join("datos.zip");
    std::fs::write(&path, "folio,upm\nF1,U1\n").expect("write");
    let e = open_err(&path);
    let LoadError::NotZip { file, found } = &e else {
        panic!("expected NotZip, got {e:?}");
    };
    assert!(file.ends_with("datos.zip"));
    assert!(found.contains("folio"), "shows the first bytes: {found}");
    assert_expected_found(&e, "zip", "folio");
}

#[test]
fn truncated_zip() {
    let bytes = fixture::zip(&fixture::files(VIVIENDA, PERSONA));
    let path = fixture::temp_dir("truncated").join("cortado.zip");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    let e = open_err(&path);
    assert!(
        matches!(&e, LoadError::CorruptZip { file, entry: None, .. } if file.ends_with("cortado.zip")),
        "{e:?}"
    );
}

#[test]
fn damaged_zip_entry() {
    // Flip bytes inside the compressed data of the first entry: the central
    // directory is intact, so the damage shows while reading that entry.
    let mut bytes = fixture::zip(&fixture::files(VIVIENDA, PERSONA));
    for b in bytes.iter_mut().skip(60).take(40) {
        *b ^= 0x5a;
    }
    let path = fixture::temp_dir("damaged").join("danado.zip");
    std::fs::write(&path, &bytes).expect("write");
    let e = open_err(&path);
    assert!(
        matches!(&e, LoadError::CorruptZip { entry: Some(entry), .. } if entry == "codebook.toml"),
        "damage is reported, not loaded: {e:?}"
    );
}

#[test]
fn missing_table() {
    let path = fixture::zip_file(
        "notable",
        &[
            ("codebook.toml", fixture::CODEBOOK.as_bytes()),
            ("vivienda.csv", VIVIENDA.as_bytes()),
        ],
    );
    let e = open_err(&path);
    let LoadError::MissingTable {
        table,
        expected,
        found,
        ..
    } = &e
    else {
        panic!("expected MissingTable, got {e:?}");
    };
    assert_eq!(*table, Table::Persona);
    assert!(expected.contains("persona.csv"), "{expected}");
    assert!(found.contains("vivienda.csv"), "{found}");
    assert_expected_found(&e, "persona.csv", "vivienda.csv");
}

#[test]
fn missing_codebook_column() {
    let vivienda = VIVIENDA.replace(",nombre_zona", ",zona_nombre");
    let e = err_with("nocolumn", &vivienda, PERSONA);
    assert!(
        matches!(&e, LoadError::MissingColumn { column, found, .. }
        if column == "nombre_zona" && found.contains("zona_nombre")),
        "{e:?}"
    );
    assert_place(&e, "vivienda.csv", None, Some("nombre_zona"));
    assert_expected_found(&e, "nombre_zona", "zona_nombre");
}

#[test]
fn duplicate_column() {
    let vivienda = VIVIENDA.replace(",yhog\n", ",TOTPER\n");
    let e = err_with("dupcol", &vivienda, PERSONA);
    assert!(
        matches!(&e, LoadError::DuplicateColumn { column, .. } if column == "totper"),
        "{e:?}"
    );
}

#[test]
fn wrong_column_count() {
    let vivienda = VIVIENDA.replace("F002,U01,1,120,2,Villa Victoria,1,9,", "F002,U01,1,120,2");
    let e = err_with("colcount", &vivienda, PERSONA);
    assert!(
        matches!(
            &e,
            LoadError::ColumnCount {
                row: 3,
                expected: 9,
                found: 5,
                ..
            }
        ),
        "{e:?}"
    );
    assert_place(&e, "vivienda.csv", Some(3), None);
    assert_expected_found(&e, "9 campos", "5 campos");
}

#[test]
fn non_numeric_value() {
    let vivienda = VIVIENDA.replace("Obrajes,3,", "Obrajes,tres,");
    let e = err_with("nonnum", &vivienda, PERSONA);
    assert!(
        matches!(&e, LoadError::NotNumeric { row: 4, column, found, .. } if column == "totper" && found == "tres"),
        "{e:?}"
    );
    assert_place(&e, "vivienda.csv", Some(4), Some("totper"));
    assert_expected_found(&e, "entero", "`tres`");

    // A float column rejects text and non-finite values too.
    let vivienda = VIVIENDA.replace("3500.5", "NaN");
    let e = err_with("nan", &vivienda, PERSONA);
    assert!(
        matches!(&e, LoadError::NotNumeric { row: 2, column, .. } if column == "yhog"),
        "{e:?}"
    );
    // A whole-number column rejects 2.5 (but accepts 2.0).
    let vivienda = VIVIENDA
        .replace("Sopocachi,2,", "Sopocachi,2.0,")
        .replace("Obrajes,3,", "Obrajes,2.5,");
    let e = err_with("fraction", &vivienda, PERSONA);
    assert!(matches!(&e, LoadError::NotNumeric { row: 4, .. }), "{e:?}");
}

#[test]
fn code_not_in_codebook() {
    let vivienda = VIVIENDA.replace("80.25,5,Obrajes", "80.25,7,Obrajes");
    let e = err_with("badcode", &vivienda, PERSONA);
    let LoadError::UnknownCode {
        row,
        column,
        found,
        expected,
        ..
    } = &e
    else {
        panic!("expected UnknownCode, got {e:?}");
    };
    assert_eq!((*row, column.as_str(), *found), (4, "macrodistrito", 7));
    assert!(expected.contains("[1, 2, 5]"), "{expected}");
    assert_place(&e, "vivienda.csv", Some(4), Some("macrodistrito"));
    assert_expected_found(&e, "[1, 2, 5]", "7");
}

#[test]
fn missing_zero_or_negative_weight() {
    for (replacement, problem) in [
        ("F003,2,,2,44,30", WeightProblem::Missing),
        ("F003,2,0,2,44,30", WeightProblem::Zero),
        ("F003,2,-80.25,2,44,30", WeightProblem::Negative),
    ] {
        let persona = PERSONA.replace("F003,2,80.25,2,44,30", replacement);
        let e = err_with("weight", VIVIENDA, &persona);
        assert!(
            matches!(&e, LoadError::BadWeight { row: 6, column, problem: p, .. } if column == "factor" && *p == problem),
            "{replacement}: {e:?}"
        );
        assert_place(&e, "persona.csv", Some(6), Some("factor"));
        let shown = replacement.split(',').nth(2).unwrap_or_default();
        assert_expected_found(&e, "mayor que cero", shown);
    }
}

#[test]
fn duplicate_household() {
    let vivienda = VIVIENDA.replace("F003,U02", "F001,U02");
    let e = err_with("dupfolio", &vivienda, PERSONA);
    assert!(
        matches!(&e, LoadError::DuplicateKey { row: 4, first_row: 2, column, key, .. } if column == "folio" && key == "F001"),
        "{e:?}"
    );
    assert_place(&e, "vivienda.csv", Some(4), Some("folio"));
    assert_expected_found(&e, "único", "`F001`, ya visto en la fila 2");
}

#[test]
fn duplicate_person() {
    let persona = PERSONA.replace("F003,3,", "F003,2,");
    let e = err_with("dupperson", VIVIENDA, &persona);
    assert!(
        matches!(&e, LoadError::DuplicateKey { row: 7, first_row: 6, column, key, .. } if column == "folio, nro" && key == "F003, 2"),
        "{e:?}"
    );
    assert_place(&e, "persona.csv", Some(7), Some("folio, nro"));
    assert_expected_found(&e, "único", "`F003, 2`, ya visto en la fila 6");
}

#[test]
fn empty_key() {
    let persona = PERSONA.replace("F002,1,120", ",1,120");
    let e = err_with("nokey", VIVIENDA, &persona);
    assert!(
        matches!(&e, LoadError::MissingKey { row: 4, column, .. } if column == "folio"),
        "{e:?}"
    );
    assert_place(&e, "persona.csv", Some(4), Some("folio"));
    assert_eq!(e.expected().as_deref(), Some("un identificador no vacío"));
    assert!(
        e.to_string()
            .contains("se esperaba un identificador no vacío"),
        "{e}"
    );
}

#[test]
fn person_without_household() {
    let persona = format!("{PERSONA}F999,1,50,1,30,40\n");
    let e = err_with("orphan", VIVIENDA, &persona);
    assert!(
        matches!(&e, LoadError::OrphanPerson { row: 8, column, folio, .. } if column == "folio" && folio == "F999"),
        "{e:?}"
    );
    assert_place(&e, "persona.csv", Some(8), Some("folio"));
    assert_expected_found(&e, "tabla de hogares", "`F999`");
}

#[test]
fn wrong_encoding() {
    // "Villa Victoria" → "Villa Peña" in Latin-1: byte 0xF1 is not UTF-8.
    let latin1: Vec<u8> = VIVIENDA
        .replace("Villa Victoria", "Villa Pe\u{f1}a")
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("latin-1 char"))
        .collect();
    let files = [
        ("codebook.toml", fixture::CODEBOOK.as_bytes()),
        ("vivienda.csv", latin1.as_slice()),
        ("persona.csv", PERSONA.as_bytes()),
    ];
    let path = fixture::zip_file("latin1", &files);
    let e = open_err(&path);
    assert!(
        matches!(&e, LoadError::Encoding { row: 3, column, .. } if column == "nombre_zona"),
        "{e:?}"
    );
    assert_place(&e, "vivienda.csv", Some(3), Some("nombre_zona"));
    assert_expected_found(&e, "UTF-8", "\\xf1");
    assert!(e.to_string().contains("encoding = \"latin1\""), "hint: {e}");

    // With the encoding set, the same file loads and decodes the ñ.
    let survey = Survey::open_with(
        &path,
        LoadOptions::default().with_encoding(TextEncoding::Latin1),
    )
    .expect("loads as Latin-1");
    let zones = survey
        .households()
        .column("nombre_zona")
        .expect("column")
        .str()
        .expect("string")
        .get(1)
        .map(str::to_string);
    assert_eq!(zones.as_deref(), Some("Villa Peña"));
}

#[test]
fn oversized_entry() {
    // A zip bomb in miniature: 8 MiB of one byte compresses to a few KiB.
    let mut big = String::from(VIVIENDA);
    big.push_str(&" ".repeat(8 << 20));
    let path = fixture::survey_zip("bomb", &big, PERSONA);
    let compressed = std::fs::metadata(&path).expect("meta").len();
    assert!(
        compressed < 200_000,
        "the archive itself is small: {compressed}"
    );
    let e = match Survey::open_with(&path, LoadOptions::default().with_max_entry_bytes(1 << 20)) {
        Ok(_) => panic!("an 8 MiB entry passes a 1 MiB limit"),
        Err(e) => e,
    };
    assert!(
        matches!(&e, LoadError::EntryTooLarge { entry, limit, .. } if entry == "vivienda.csv" && *limit == 1 << 20),
        "{e:?}"
    );
}

#[test]
fn oversized_file_in_a_folder() {
    // Folders are read with the same limit, counting the bytes actually read.
    let mut big = String::from(VIVIENDA);
    big.push_str(&" ".repeat(2 << 20));
    let dir = fixture::folder("bigfolder", &fixture::files(&big, PERSONA));
    let e = match Survey::open_with(&dir, LoadOptions::default().with_max_entry_bytes(1 << 20)) {
        Ok(_) => panic!("a 2 MiB file passes a 1 MiB limit"),
        Err(e) => e,
    };
    assert!(
        matches!(&e, LoadError::EntryTooLarge { entry, .. } if entry == "vivienda.csv"),
        "{e:?}"
    );
}

#[test]
fn oversized_entry_with_lying_header() {
    // The archive declares a tiny uncompressed size for `vivienda.csv`: no
    // more than the declared bytes are decompressed.
    let mut big = String::from(VIVIENDA);
    big.push_str(&" ".repeat(4 << 20));
    let mut bytes = fixture::zip(&fixture::files(&big, PERSONA));
    let declared = u32::try_from(big.len()).expect("fits").to_le_bytes();
    let fake = 100u32.to_le_bytes();
    // Patch every occurrence of the true size (local header and central directory).
    let mut patched = 0;
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4] == declared {
            bytes[i..i + 4].copy_from_slice(&fake);
            patched += 1;
            i += 4;
        } else {
            i += 1;
        }
    }
    assert!(patched >= 2, "found the size fields");
    let result = Survey::from_zip_bytes(
        bytes,
        "mentira.zip",
        LoadOptions::default().with_max_entry_bytes(1 << 20),
    );
    let e = match result {
        Ok(_) => panic!("a lying archive loads"),
        Err(e) => e,
    };
    // The zip reader stops at the declared size and reports the lie.
    assert!(
        matches!(&e, LoadError::CorruptZip { entry: Some(entry), detail, .. }
            if entry == "vivienda.csv" && detail.contains("larger than its declared")),
        "{e:?}"
    );
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_feature() {
    let path = fixture::zip_file(
        "nofeature",
        &[
            ("codebook.toml", fixture::CODEBOOK.as_bytes()),
            ("vivienda.parquet", b"PAR1"),
            ("persona.csv", PERSONA.as_bytes()),
        ],
    );
    let e = open_err(&path);
    assert!(
        matches!(
            &e,
            LoadError::FeatureDisabled {
                feature: "parquet",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("features = [\"parquet\"]"));
}

#[test]
fn bad_mapping() {
    let e = lapaz_survey::load::ColumnMapping::from_toml_str("[columns.vivienda]\npared = 3\n")
        .expect_err("a number is not a column name");
    assert!(matches!(e, LoadError::Mapping { .. }), "{e:?}");
    let mapping =
        lapaz_survey::load::ColumnMapping::from_toml_str("[columns.vivienda]\nno_existe = \"x\"\n")
            .expect("parses");
    let path = fixture::survey_zip("badmap", VIVIENDA, PERSONA);
    let e = match Survey::open_with(&path, LoadOptions::default().with_mapping(mapping)) {
        Ok(_) => panic!("unknown column accepted"),
        Err(e) => e,
    };
    assert!(
        matches!(&e, LoadError::Mapping { detail, .. } if detail.contains("no_existe")),
        "{e:?}"
    );
}

#[test]
fn strict_returns_the_first_row_in_file_order() {
    // Problems in rows 4 (column totper) and 3 (column yhog): row 3 comes first.
    let vivienda = VIVIENDA
        .replace("Obrajes,3,", "Obrajes,x,")
        .replace("1,9,\n", "1,9,abc\n");
    let e = err_with("order", &vivienda, PERSONA);
    assert_eq!(e.row(), Some(3), "{e}");
    assert_eq!(e.column(), Some("yhog"));
}

#[test]
fn crate_error_wraps_load_error() {
    let path = fixture::temp_dir("wrap").join("nada");
    let e: lapaz_survey::Error = Survey::open(&path).map(|_| ()).expect_err("missing").into();
    assert!(matches!(
        e,
        lapaz_survey::Error::Load(LoadError::NotFound { .. })
    ));
}
