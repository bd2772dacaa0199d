//! Successful loads: types, labels, missing codes, accounting, lenient mode,
//! joins, row structs, mappings, reference tables.

use lapaz_survey::Survey;
use lapaz_survey::codebook::{Codebook, Table};
use lapaz_survey::load::{ColumnMapping, LoadError, LoadOptions};
use lapaz_survey::polars::prelude::*;

use crate::fixture::{self, CODEBOOK, PERSONA, VIVIENDA};

fn standard() -> Survey {
    Survey::open(fixture::survey_zip("standard", VIVIENDA, PERSONA)).expect("fixture loads")
}

fn strings(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    let s = frame
        .column(name)
        .expect("column exists")
        .as_materialized_series()
        .cast(&DataType::String)
        .expect("to string");
    s.str()
        .expect("string")
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn ints(frame: &DataFrame, name: &str) -> Vec<Option<i64>> {
    frame
        .column(name)
        .expect("column exists")
        .i64()
        .expect("Int64")
        .iter()
        .collect()
}

fn floats(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    frame
        .column(name)
        .expect("column exists")
        .f64()
        .expect("Float64")
        .iter()
        .collect()
}

#[test]
fn columns_get_codebook_dtypes() {
    let survey = standard();
    let h = survey.households();
    assert_eq!(h.height(), 3);
    let names: Vec<&str> = h
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "folio",
            "upm",
            "estrato",
            "factor",
            "macrodistrito",
            "nombre_zona",
            "totper",
            "internet",
            "yhog"
        ]
    );
    assert_eq!(h.column("folio").expect("folio").dtype(), &DataType::String);
    assert_eq!(
        h.column("totper").expect("totper").dtype(),
        &DataType::Int64
    );
    assert_eq!(
        h.column("factor").expect("factor").dtype(),
        &DataType::Float64
    );
    let DataType::Enum(categories, _) = h.column("macrodistrito").expect("md").dtype() else {
        panic!("categorical columns are Enum");
    };
    let labels: Vec<&str> = categories.categories().values_iter().collect();
    assert_eq!(
        labels,
        ["Cotahuma", "Max Paredes", "Sur"],
        "Spanish labels in code order"
    );
    // Code 5 is the third label.
    assert_eq!(
        strings(&h, "macrodistrito"),
        [
            Some("Cotahuma".into()),
            Some("Max Paredes".into()),
            Some("Sur".into())
        ]
    );
    assert_eq!(ints(&h, "totper"), [Some(2), Some(1), Some(3)]);
    assert_eq!(
        floats(&h, "factor"),
        [Some(100.5), Some(120.0), Some(80.25)]
    );
    assert_eq!(survey.persons().height(), 6);
    assert_eq!(survey.table(Table::Persona).height(), 6);
}

#[test]
fn missing_codes_become_nulls_and_are_counted() {
    let survey = standard();
    let h = survey.households();
    assert_eq!(
        strings(&h, "internet"),
        [Some("Sí".into()), None, Some("No".into())]
    );
    // Row 2 is empty (null, not counted), row 3 holds the code 99999.
    assert_eq!(floats(&h, "yhog"), [Some(3500.5), None, None]);
    assert_eq!(
        ints(&survey.persons(), "tothrs"),
        [Some(48), None, None, Some(40), Some(30), None]
    );
    let report = survey.report();
    let vivienda = report.table(Table::Vivienda).expect("report");
    assert_eq!(
        vivienda.missing_codes_to_null,
        [("internet".to_string(), 1), ("yhog".to_string(), 1)]
    );
    let persona = report.table(Table::Persona).expect("report");
    assert_eq!(persona.missing_codes_to_null, [("tothrs".to_string(), 1)]);
    assert!(report.to_string().contains("internet (1)"), "{report}");
}

#[test]
fn every_row_is_accounted_for() {
    let survey = standard();
    let report = survey.report();
    for (table, rows) in [(Table::Vivienda, 3), (Table::Persona, 6)] {
        let t = report.table(table).expect("table report");
        assert_eq!((t.rows_read, t.rows_kept, t.rows_rejected), (rows, rows, 0));
    }
    assert!(report.is_clean());
    let text = report.to_string();
    assert!(
        text.contains("vivienda") && text.contains("persona"),
        "{text}"
    );
}

#[test]
fn zip_and_folder_load_the_same() {
    let zipped = standard();
    let dir = fixture::folder("same", &fixture::files(VIVIENDA, PERSONA));
    let folder = Survey::open(&dir).expect("folder loads");
    assert!(zipped.households().equals_missing(&folder.households()));
    assert!(zipped.persons().equals_missing(&folder.persons()));
    let from_bytes = Survey::from_zip_bytes(
        fixture::zip(&fixture::files(VIVIENDA, PERSONA)),
        "memoria.zip",
        LoadOptions::default(),
    )
    .expect("bytes load");
    assert!(zipped.persons().equals_missing(&from_bytes.persons()));
}

#[test]
fn lenient_mode_rejects_rows_with_reasons() {
    // Household F002 has an unknown code; its person becomes an orphan.
    // Person (F003, 2) has a negative weight; (F001, 2) is repeated.
    let vivienda = VIVIENDA.replace("120,2,Villa", "120,4,Villa");
    let persona = PERSONA.replace("F003,2,80.25", "F003,2,-1") + "F001,2,100.5,2,38,20\n";
    let path = fixture::survey_zip("lenient", &vivienda, &persona);
    assert!(Survey::open(&path).is_err(), "strict mode stops");
    let survey = Survey::open_with(&path, LoadOptions::lenient()).expect("lenient loads");
    let report = survey.report();

    let v = report.table(Table::Vivienda).expect("vivienda");
    assert_eq!((v.rows_read, v.rows_kept, v.rows_rejected), (3, 2, 1));
    let p = report.table(Table::Persona).expect("persona");
    assert_eq!((p.rows_read, p.rows_kept, p.rows_rejected), (7, 4, 3));
    assert_eq!(survey.households().height(), 2);
    assert_eq!(survey.persons().height(), 4);

    let reasons: Vec<(Table, u64, &LoadError)> = report
        .rejected
        .iter()
        .map(|r| (r.table, r.row, &r.reason))
        .collect();
    assert!(matches!(
        reasons[0],
        (Table::Vivienda, 3, LoadError::UnknownCode { found: 4, .. })
    ));
    assert!(matches!(
        reasons[1],
        (Table::Persona, 4, LoadError::OrphanPerson { .. })
    ));
    assert!(matches!(
        reasons[2],
        (Table::Persona, 6, LoadError::BadWeight { .. })
    ));
    assert!(matches!(
        reasons[3],
        (
            Table::Persona,
            8,
            LoadError::DuplicateKey { first_row: 3, .. }
        )
    ));
    assert_eq!(report.rejected.len(), 4);
    // The rejected row's fields as read.
    assert_eq!(report.rejected[0].fields[0], "F002");
    assert_eq!(report.rejected[0].fields[4], "4");
    let text = report.to_string();
    assert!(
        text.contains("Filas rechazadas") && text.contains("fila 6"),
        "{text}"
    );
}

#[test]
fn lenient_mode_keeps_rows_with_wrong_field_count_out() {
    let vivienda = VIVIENDA.replace("Obrajes,3,2,99999", "Obrajes,3,2,99999,extra");
    let path = fixture::survey_zip("lenientcount", &vivienda, PERSONA);
    let survey = Survey::open_with(&path, LoadOptions::lenient()).expect("lenient loads");
    let r = &survey.report().rejected;
    assert!(matches!(
        r[0].reason,
        LoadError::ColumnCount {
            row: 4,
            expected: 9,
            found: 10,
            ..
        }
    ));
    assert_eq!(r[0].fields.len(), 10, "the exact fields are kept");
    // Its three persons are orphans now.
    assert_eq!(survey.report().rejected_in(Table::Persona).count(), 3);
}

#[test]
fn persons_join_their_households() {
    let survey = standard();
    let joined = survey.persons_with_households().expect("join");
    assert_eq!(joined.height(), 6);
    let names: Vec<&str> = joined
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "folio",
            "nro",
            "factor",
            "s01a_02",
            "s01a_03",
            "tothrs", // persons
            "upm",
            "estrato",
            "macrodistrito",
            "nombre_zona",
            "totper",
            "internet",
            "yhog"
        ]
    );
    assert_eq!(
        strings(&joined, "nombre_zona"),
        [
            "Sopocachi",
            "Sopocachi",
            "Villa Victoria",
            "Obrajes",
            "Obrajes",
            "Obrajes"
        ]
        .map(|s| Some(s.to_string()))
    );
    assert!(matches!(
        joined.column("estrato").expect("estrato").dtype(),
        DataType::Enum(..)
    ));
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Codes {
    folio: String,
    nro: i64,
    s01a_02: Option<i64>,
    tothrs: Option<i32>,
    factor: f64,
    no_such_column: Option<String>,
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Labels {
    #[serde(rename = "s01a_02")]
    sexo: Option<String>,
}

#[test]
fn rows_deserialise_into_structs() {
    let survey = standard();
    let rows: Vec<Codes> = survey.rows(Table::Persona).expect("rows");
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[1],
        Codes {
            folio: "F001".into(),
            nro: 2,
            s01a_02: Some(2),
            tothrs: None,
            factor: 100.5,
            no_such_column: None,
        }
    );
    let labels: Vec<Labels> = survey.rows(Table::Persona).expect("labels");
    assert_eq!(labels[1].sexo.as_deref(), Some("Mujer"));

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        folio: i64,
    }
    let e = survey
        .rows::<Wrong>(Table::Persona)
        .expect_err("folio is text");
    assert!(
        matches!(
            e,
            LoadError::Row {
                table: Table::Persona,
                row: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn overview_counts_design_and_weights() {
    let survey = standard();
    let o = survey.overview();
    assert_eq!((o.households, o.persons), (3, 6));
    assert_eq!(o.strata, Some(2));
    assert_eq!(o.psus, Some(2));
    assert_eq!(o.macrodistricts, Some(3));
    assert_eq!(o.weight_sum_households, Some(300.75));
    assert_eq!(
        o.weight_sum_persons,
        Some(100.5 * 2.0 + 120.0 + 80.25 * 3.0)
    );
    assert!(!o.synthetic && !survey.is_synthetic());
    let text = survey.to_string();
    assert!(
        text.contains("Encuesta de prueba") && text.contains("Estratos:"),
        "{text}"
    );
    assert!(survey.source_label().contains("standard.zip"));
}

const MAPPING: &str = r#"
name = "estilo INE EH"
encoding = "latin1"
delimiter = ";"
decimal = ","
missing_columns = "null"

[files]
vivienda = "EH2099_Vivienda.csv"
persona = "EH2099_Persona.csv"

[columns.vivienda]
totper = "S06A_01"
nombre_zona = "zona"

[recode.vivienda.internet]
"0" = 2
"#;

#[test]
fn a_mapping_loads_an_ine_style_layout() {
    // UPPERCASE names, `;` and decimal commas, Latin-1, other file names,
    // renamed columns, a recode, and a codebook column (yhog) absent.
    let vivienda = "FOLIO;UPM;ESTRATO;FACTOR;MACRODISTRITO;ZONA;S06A_01;INTERNET;OTRA\n\
                    F001;U01;1;100,5;1;Peñalosa;2;0;x\n";
    let vivienda: Vec<u8> = vivienda
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("latin-1"))
        .collect();
    let persona = "FOLIO;NRO;FACTOR;S01A_02;S01A_03;TOTHRS\nF001;1;100,5;1;40;48\n";
    let dir = fixture::folder(
        "mapping",
        &[
            ("codebook.toml", CODEBOOK.as_bytes()),
            ("EH2099_Vivienda.csv", vivienda.as_slice()),
            ("EH2099_Persona.csv", persona.as_bytes()),
        ],
    );
    let mapping = ColumnMapping::from_toml_str(MAPPING).expect("mapping parses");
    let survey =
        Survey::open_with(&dir, LoadOptions::default().with_mapping(mapping)).expect("loads");
    let h = survey.households();
    assert_eq!(floats(&h, "factor"), [Some(100.5)]);
    assert_eq!(ints(&h, "totper"), [Some(2)]);
    assert_eq!(strings(&h, "nombre_zona"), [Some("Peñalosa".into())]);
    assert_eq!(
        strings(&h, "internet"),
        [Some("No".into())],
        "0 recoded to 2"
    );
    assert_eq!(floats(&h, "yhog"), [None]);
    let t = survey.report().table(Table::Vivienda).expect("report");
    assert_eq!(t.null_filled_columns, ["yhog"]);
    assert_eq!(t.ignored_columns, ["otra"]);
    assert!(t.file.ends_with("EH2099_Vivienda.csv"));
    assert!(
        survey
            .report()
            .notes
            .iter()
            .any(|n| n.contains("estilo INE EH"))
    );
}

#[test]
fn ine_file_names_are_found_without_a_mapping() {
    let dir = fixture::folder(
        "inenames",
        &[
            ("codebook.toml", CODEBOOK.as_bytes()),
            ("datos/EH2023_Vivienda.csv", VIVIENDA.as_bytes()),
            ("datos/EH2023_Persona.csv", PERSONA.as_bytes()),
        ],
    );
    let survey = Survey::open(&dir).expect("loads");
    assert_eq!(survey.persons().height(), 6);
}

#[test]
fn the_shipped_ine_mapping_parses_and_fits_the_codebook() {
    let text = include_str!("../../data/mappings/ine-eh2023.toml");
    let mapping = ColumnMapping::from_toml_str(text).expect("the example mapping parses");
    let codebook =
        Codebook::from_toml_str(include_str!("../../data/codebook.toml")).expect("codebook");
    for (table, columns) in &mapping.columns {
        for ours in columns.keys() {
            assert!(
                codebook.variable_in(*table, ours).is_some(),
                "`{ours}` of the mapping is in the codebook"
            );
        }
    }
    assert!(mapping.files.contains_key(&Table::Persona));
}

#[test]
fn reference_tables_and_documents_come_along() {
    let mut files = fixture::files(VIVIENDA, PERSONA);
    files.push((
        "geografia/macrodistritos.csv",
        "codigo,nombre,superficie\n1,Cotahuma,16.2\n2,Max Paredes,13.4\n".as_bytes(),
    ));
    files.push(("LEEME.md", "# Datos de prueba\n".as_bytes()));
    let survey = Survey::open(fixture::zip_file("refs", &files)).expect("loads");
    let md = survey
        .reference("geografia/macrodistritos")
        .expect("reference table");
    assert_eq!(md.height(), 2);
    assert_eq!(
        md.column("codigo").expect("codigo").dtype(),
        &DataType::Int64
    );
    assert_eq!(
        md.column("nombre").expect("nombre").dtype(),
        &DataType::String
    );
    assert_eq!(
        md.column("superficie").expect("sup").dtype(),
        &DataType::Float64
    );
    assert_eq!(survey.document("LEEME.md"), Some("# Datos de prueba\n"));
}

#[test]
fn a_codebook_can_be_given_in_code() {
    let dir = fixture::folder(
        "givencb",
        &[
            ("vivienda.csv", VIVIENDA.as_bytes()),
            ("persona.csv", PERSONA.as_bytes()),
        ],
    );
    let codebook = Codebook::from_toml_str(CODEBOOK).expect("codebook");
    let survey =
        Survey::open_with(&dir, LoadOptions::default().with_codebook(codebook)).expect("loads");
    assert_eq!(survey.households().height(), 3);
}
