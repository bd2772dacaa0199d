//! The `lapaz-survey info` command, run as a user runs it.

use std::process::Command;

use crate::fixture::{self, PERSONA, VIVIENDA};

fn info(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lapaz-survey"))
        .arg("info")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("valid JSON on stdout")
}

#[test]
fn info_json_on_the_embedded_survey() {
    let v = json(&info(&["--format", "json"]));
    assert_eq!(v["synthetic"], true);
    assert!(
        v["synthetic_label"]
            .as_str()
            .is_some_and(|s| s.contains("SINTÉTICOS"))
    );
    assert_eq!(v["macrodistricts"], 9);
    let households = v["households"].as_u64().expect("households");
    assert!(
        (3_500..=4_500).contains(&households),
        "about 4,000 households: {households}"
    );
    let persons = v["persons"].as_u64().expect("persons");
    assert!(persons > 2 * households, "persons: {persons}");
    let weights = v["weight_sum_persons"].as_f64().expect("weights");
    assert!(
        (weights - 755_732.0).abs() < 1.0,
        "weights sum to the census: {weights}"
    );
    let tables = v["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0]["name"], "vivienda");
    assert_eq!(tables[0]["rows_read"], tables[0]["rows_kept"]);
    assert_eq!(tables[1]["rows_kept"].as_u64(), Some(persons));
    assert!(
        tables[1]["columns"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x == "modo_principal"))
    );
    let strata = v["strata"].as_u64().expect("strata");
    let psus = v["psus"].as_u64().expect("psus");
    assert!(strata >= 9 && psus > strata, "strata {strata}, PSUs {psus}");
}

#[test]
fn info_table_on_a_folder() {
    let dir = fixture::folder("cli-folder", &fixture::files(VIVIENDA, PERSONA));
    let out = info(&["--data", dir.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("Encuesta de prueba"), "{text}");
    assert!(text.contains("Hogares:              3"), "{text}");
    assert!(text.contains("Personas:             6"), "{text}");
    assert!(
        !text.contains("SINTÉTICOS"),
        "a user's data are not labelled synthetic"
    );
}

#[test]
fn info_errors_go_to_stderr_with_failure() {
    let vivienda = VIVIENDA.replace("80.25,5,Obrajes", "80.25,7,Obrajes");
    let path = fixture::survey_zip("cli-bad", &vivienda, PERSONA);
    let out = info(&[
        "--data",
        path.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = String::from_utf8(out.stderr).expect("utf-8");
    assert!(
        err.contains("fila 4") && err.contains("macrodistrito"),
        "{err}"
    );

    // Lenient: loads, and the rejected row shows in the report.
    let out = info(&["--data", path.to_str().expect("utf-8 path"), "--lenient"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("Filas rechazadas"), "{text}");

    let out = info(&["--mapping", "/no/existe/mapeo.toml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mapeo.toml"));

    let out = info(&["--data", "/no/existe/datos.zip"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no existe"));
}
