//! Small survey fixtures written by the tests themselves.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A small codebook with every type and role the loader handles.
pub const CODEBOOK: &str = r#"
[survey]
id = "prueba"
title_es = "Encuesta de prueba"
title_en = "Test survey"

[[variable]]
name = "folio"
table = "vivienda"
module = "claves"
label_es = "Folio"
label_en = "Household id"
type = "string"
role = "household_id"

[[variable]]
name = "upm"
table = "vivienda"
module = "claves"
label_es = "UPM"
label_en = "PSU"
type = "string"
role = "psu"

[[variable]]
name = "estrato"
table = "vivienda"
module = "claves"
label_es = "Estrato"
label_en = "Stratum"
type = "categorical"
role = "strata"
values = [
  { code = 1, es = "Centro", en = "Centre" },
  { code = 2, es = "Sur", en = "South" },
]

[[variable]]
name = "factor"
table = "vivienda"
module = "claves"
label_es = "Factor"
label_en = "Weight"
type = "float"
role = "weight"

[[variable]]
name = "macrodistrito"
table = "vivienda"
module = "geografia"
label_es = "Macrodistrito"
label_en = "Macrodistrict"
type = "categorical"
values = [
  { code = 1, es = "Cotahuma", en = "Cotahuma" },
  { code = 2, es = "Max Paredes", en = "Max Paredes" },
  { code = 5, es = "Sur", en = "South" },
]

[[variable]]
name = "nombre_zona"
table = "vivienda"
module = "geografia"
label_es = "Zona"
label_en = "Zone"
type = "string"

[[variable]]
name = "totper"
table = "vivienda"
module = "hogar"
label_es = "Tamaño del hogar"
label_en = "Household size"
type = "integer"

[[variable]]
name = "internet"
table = "vivienda"
module = "hogar"
label_es = "Internet"
label_en = "Internet"
type = "categorical"
missing = [9]
values = [
  { code = 1, es = "Sí", en = "Yes" },
  { code = 2, es = "No", en = "No" },
]

[[variable]]
name = "yhog"
table = "vivienda"
module = "ingresos"
label_es = "Ingreso del hogar"
label_en = "Household income"
type = "float"
missing = [99999]

[[variable]]
name = "folio"
table = "persona"
module = "claves"
label_es = "Folio"
label_en = "Household id"
type = "string"
role = "household_id"

[[variable]]
name = "nro"
table = "persona"
module = "claves"
label_es = "Número de persona"
label_en = "Person number"
type = "integer"
role = "person_id"

[[variable]]
name = "factor"
table = "persona"
module = "claves"
label_es = "Factor"
label_en = "Weight"
type = "float"
role = "weight"

[[variable]]
name = "s01a_02"
table = "persona"
module = "demografia"
label_es = "Sexo"
label_en = "Sex"
type = "categorical"
values = [
  { code = 1, es = "Hombre", en = "Man" },
  { code = 2, es = "Mujer", en = "Woman" },
]

[[variable]]
name = "s01a_03"
table = "persona"
module = "demografia"
label_es = "Edad"
label_en = "Age"
type = "integer"

[[variable]]
name = "tothrs"
table = "persona"
module = "empleo"
label_es = "Horas trabajadas"
label_en = "Hours worked"
type = "integer"
missing = [999]
"#;

/// Households: 3 rows (file rows 2–4).
pub const VIVIENDA: &str = "\
folio,upm,estrato,factor,macrodistrito,nombre_zona,totper,internet,yhog
F001,U01,1,100.5,1,Sopocachi,2,1,3500.5
F002,U01,1,120,2,Villa Victoria,1,9,
F003,U02,2,80.25,5,Obrajes,3,2,99999
";

/// Persons: 6 rows (file rows 2–7).
pub const PERSONA: &str = "\
folio,nro,factor,s01a_02,s01a_03,tothrs
F001,1,100.5,1,40,48
F001,2,100.5,2,38,999
F002,1,120,2,70,
F003,1,80.25,1,45,40
F003,2,80.25,2,44,30
F003,3,80.25,1,12,
";

/// A unique empty folder under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("lapaz-load-test-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes files into a fresh folder.
pub fn folder(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = temp_dir(name);
    for (path, bytes) in files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(p, bytes).expect("write fixture");
    }
    dir
}

/// A zip archive (deflated) holding `files`.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in files {
        writer.start_file(*path, options).expect("start zip entry");
        writer.write_all(bytes).expect("write zip entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

/// Writes a zip archive to a fresh folder and returns its path.
pub fn zip_file(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let path = temp_dir(name).join(format!("{name}.zip"));
    std::fs::write(&path, zip(files)).expect("write zip");
    path
}

/// The three standard files, with `vivienda` and `persona` replaced.
pub fn files<'a>(vivienda: &'a str, persona: &'a str) -> Vec<(&'static str, &'a [u8])> {
    vec![
        ("codebook.toml", CODEBOOK.as_bytes()),
        ("vivienda.csv", vivienda.as_bytes()),
        ("persona.csv", persona.as_bytes()),
    ]
}

/// A zip with the standard files (households and persons as given).
pub fn survey_zip(name: &str, vivienda: &str, persona: &str) -> PathBuf {
    zip_file(name, &files(vivienda, persona))
}
