//! The embedded synthetic survey: it loads clean, its row structs follow
//! its codebook, and data without a codebook borrow the embedded one.

use std::sync::OnceLock;

use lapaz_survey::Survey;
use lapaz_survey::codebook::Table;
use lapaz_survey::load::{Hogar, Persona};
use lapaz_survey::polars::prelude::*;

use crate::fixture::{self, PERSONA, VIVIENDA};

fn survey() -> &'static Survey {
    static SURVEY: OnceLock<Survey> = OnceLock::new();
    SURVEY.get_or_init(|| Survey::embedded().expect("the embedded survey loads"))
}

#[test]
fn embedded_survey_loads_clean_and_labelled_synthetic() {
    let s = survey();
    assert!(s.is_synthetic());
    assert!(s.report().is_clean(), "{}", s.report());
    for t in &s.report().tables {
        assert_eq!(t.rows_read, t.rows_kept);
        assert!(t.ignored_columns.is_empty(), "{t:?}");
    }
    assert!(s.source_label().contains("embebidos"));
    assert!(s.to_string().contains("SINTÉTICOS"));
    // Every codebook column is there, categorical ones as Enum.
    let persons = s.persons();
    for v in s.codebook().table_variables(Table::Persona) {
        let col = persons.column(&v.name).expect("codebook column present");
        let is_enum = matches!(col.dtype(), DataType::Enum(..));
        assert_eq!(
            is_enum,
            v.var_type == lapaz_survey::codebook::VarType::Categorical,
            "{}",
            v.name
        );
    }
    assert_eq!(
        s.reference("geografia/macrodistritos")
            .map(DataFrame::height),
        Some(9)
    );
    assert!(s.document("LEEME.md").is_some());
}

#[test]
fn row_structs_follow_the_codebook() {
    let s = survey();
    for (table, fields) in [
        (Table::Vivienda, serde_json::to_value(Hogar::default())),
        (Table::Persona, serde_json::to_value(Persona::default())),
    ] {
        let fields = fields.expect("serialises");
        let keys: Vec<&str> = fields
            .as_object()
            .expect("struct")
            .keys()
            .map(String::as_str)
            .collect();
        let mut names: Vec<&str> = s
            .codebook()
            .table_variables(table)
            .map(|v| v.name.as_str())
            .collect();
        let mut keys_sorted = keys.clone();
        keys_sorted.sort_unstable();
        names.sort_unstable();
        assert_eq!(
            keys_sorted, names,
            "{table}: struct fields = codebook columns"
        );
    }
    let hogares = s.hogares().expect("every household deserialises");
    let personas = s.personas().expect("every person deserialises");
    assert_eq!(hogares.len(), s.households().height());
    assert_eq!(personas.len(), s.persons().height());
    // The struct holds the same values as the frame (codes for categoricals).
    let h0 = &hogares[0];
    let households = s.households();
    let folio = households
        .column("folio")
        .expect("folio")
        .str()
        .expect("str")
        .get(0);
    assert_eq!(Some(h0.folio.as_str()), folio);
    let md = households.column("macrodistrito").expect("md");
    let label = md
        .as_materialized_series()
        .cast(&DataType::String)
        .expect("cast");
    let label = label.str().expect("str").get(0).map(str::to_string);
    let var = s
        .codebook()
        .variable_in(Table::Vivienda, "macrodistrito")
        .expect("var");
    let code = h0.macrodistrito.expect("macrodistrito present");
    assert_eq!(var.value_label(code).map(|v| v.es.clone()), label);
    let weights: f64 = personas.iter().map(|p| p.factor).sum();
    assert!((weights - 755_732.0).abs() < 1.0, "{weights}");
}

#[test]
fn persons_with_households_keeps_every_person() {
    let s = survey();
    let joined = s.persons_with_households().expect("join");
    assert_eq!(joined.height(), s.persons().height());
    assert!(
        joined.column("riesgo_percibido").is_ok(),
        "household columns come along"
    );
    let risk = joined.column("riesgo_percibido").expect("col");
    assert!(
        risk.null_count() < joined.height(),
        "joined values, not nulls"
    );
}

#[test]
fn data_without_a_codebook_use_the_embedded_one() {
    // The fixture's columns are not the embedded schema: the embedded
    // codebook is used and reports the first missing column.
    let dir = fixture::folder(
        "nocodebook",
        &[
            ("vivienda.csv", VIVIENDA.as_bytes()),
            ("persona.csv", PERSONA.as_bytes()),
        ],
    );
    let e = Survey::open(&dir).map(|_| ()).expect_err("other schema");
    assert!(
        matches!(&e, lapaz_survey::load::LoadError::MissingColumn { column, .. } if column == "factor_diseno"),
        "{e:?}"
    );
}
