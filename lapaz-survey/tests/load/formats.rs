//! Parquet (feature `parquet`) and SPSS `.sav` (feature `spss`) tables: the
//! same survey written in each format loads into the same DataFrames as from
//! CSV.

#[cfg(any(feature = "parquet", feature = "spss"))]
use lapaz_survey::Survey;

#[cfg(any(feature = "parquet", feature = "spss"))]
use crate::fixture::{self, PERSONA, VIVIENDA};

#[cfg(any(feature = "parquet", feature = "spss"))]
fn from_csv() -> Survey {
    Survey::open(fixture::survey_zip("formats-csv", VIVIENDA, PERSONA)).expect("CSV loads")
}

/// A CSV text's cells, header first.
#[cfg(any(feature = "parquet", feature = "spss"))]
fn cells(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[cfg(feature = "parquet")]
mod parquet {
    use lapaz_survey::Survey;
    use lapaz_survey::load::LoadError;
    use lapaz_survey::polars::prelude::*;

    use super::{cells, from_csv};
    use crate::fixture::{self, CODEBOOK, PERSONA, VIVIENDA};

    /// Writes a CSV text as Parquet, with Int64 / Float64 / String columns
    /// as the text allows (codes stay integer codes, as INE stores them).
    fn parquet_bytes(csv: &str) -> Vec<u8> {
        let (header, rows) = cells(csv);
        let mut columns = Vec::new();
        for (j, name) in header.iter().enumerate() {
            let texts: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(j).map(String::as_str).filter(|s| !s.is_empty()))
                .collect();
            let ints: Option<Vec<Option<i64>>> = texts
                .iter()
                .map(|t| t.map_or(Some(None), |s| s.parse().ok().map(Some)))
                .collect();
            let floats: Option<Vec<Option<f64>>> = texts
                .iter()
                .map(|t| t.map_or(Some(None), |s| s.parse().ok().map(Some)))
                .collect();
            let series = match (ints, floats) {
                (Some(i), _) => Series::new(name.as_str().into(), i),
                (None, Some(f)) => Series::new(name.as_str().into(), f),
                _ => Series::new(name.as_str().into(), texts),
            };
            columns.push(Column::from(series));
        }
        let mut frame = DataFrame::new(rows.len(), columns).expect("frame");
        let mut out = Vec::new();
        ParquetWriter::new(&mut out)
            .finish(&mut frame)
            .expect("write parquet");
        out
    }

    #[test]
    fn parquet_tables_load_like_csv() {
        let v = parquet_bytes(VIVIENDA);
        let p = parquet_bytes(PERSONA);
        let path = fixture::zip_file(
            "parquet",
            &[
                ("codebook.toml", CODEBOOK.as_bytes()),
                ("vivienda.parquet", v.as_slice()),
                ("persona.parquet", p.as_slice()),
            ],
        );
        let survey = Survey::open(&path).expect("parquet loads");
        let csv = from_csv();
        assert!(survey.households().equals_missing(&csv.households()));
        assert!(survey.persons().equals_missing(&csv.persons()));
        let report = survey
            .report()
            .table(lapaz_survey::codebook::Table::Vivienda);
        assert!(report.expect("report").file.ends_with("vivienda.parquet"));
    }

    #[test]
    fn parquet_row_errors_count_cases_from_one() {
        let v = parquet_bytes(&VIVIENDA.replace("80.25,5,Obrajes", "80.25,7,Obrajes"));
        let p = parquet_bytes(PERSONA);
        let dir = fixture::folder(
            "parquet-err",
            &[
                ("codebook.toml", CODEBOOK.as_bytes()),
                ("vivienda.parquet", v.as_slice()),
                ("persona.parquet", p.as_slice()),
            ],
        );
        let e = Survey::open(&dir).map(|_| ()).expect_err("unknown code");
        assert!(
            matches!(
                &e,
                LoadError::UnknownCode {
                    row: 3,
                    found: 7,
                    ..
                }
            ),
            "third case: {e:?}"
        );
    }

    #[test]
    fn damaged_parquet_is_an_error() {
        let mut v = parquet_bytes(VIVIENDA);
        let mid = v.len() / 2;
        v.truncate(mid);
        let dir = fixture::folder(
            "parquet-bad",
            &[
                ("codebook.toml", CODEBOOK.as_bytes()),
                ("vivienda.parquet", v.as_slice()),
                ("persona.csv", PERSONA.as_bytes()),
            ],
        );
        let e = Survey::open(&dir).map(|_| ()).expect_err("damaged");
        assert!(
            matches!(&e, LoadError::Format { file, .. } if file.ends_with("vivienda.parquet")),
            "{e:?}"
        );
    }
}

#[cfg(feature = "spss")]
mod spss {
    //! A minimal SPSS system-file writer (uncompressed `$FL2`, following the
    //! PSPP documentation of the format), independent of the reader under
    //! test: header, variable records (with continuation records for long
    //! strings), value labels, long variable names, the character encoding,
    //! dictionary end, then the cases.

    use lapaz_survey::Survey;
    use lapaz_survey::codebook::Table;
    use lapaz_survey::load::LoadError;

    use super::{cells, from_csv};
    use crate::fixture::{self, CODEBOOK, PERSONA, VIVIENDA};

    enum Var {
        Numeric,
        Text(usize),
    }

    fn i32le(out: &mut Vec<u8>, x: i32) {
        out.extend_from_slice(&x.to_le_bytes());
    }

    fn padded(out: &mut Vec<u8>, s: &str, len: usize) {
        let mut b = s.as_bytes().to_vec();
        b.resize(len, b' ');
        out.extend_from_slice(&b);
    }

    /// Writes a `.sav` with UPPERCASE names; columns whose every cell parses
    /// as a number are numeric, the others strings. `labels` adds value
    /// labels to one numeric variable, as INE files have.
    fn sav_bytes(csv: &str, labels: Option<(&str, &[(f64, &str)])>) -> Vec<u8> {
        let (header, rows) = cells(csv);
        let vars: Vec<Var> = (0..header.len())
            .map(|j| {
                let numeric = rows.iter().all(|r| {
                    r.get(j)
                        .is_none_or(|s| s.is_empty() || s.parse::<f64>().is_ok())
                });
                if numeric {
                    Var::Numeric
                } else {
                    let width = rows.iter().filter_map(|r| r.get(j)).map(String::len).max();
                    Var::Text(width.unwrap_or(1).max(1))
                }
            })
            .collect();
        let segments = |v: &Var| match v {
            Var::Numeric => 1,
            Var::Text(w) => w.div_ceil(8),
        };
        let case_size: usize = vars.iter().map(segments).sum();

        let mut out = Vec::new();
        out.extend_from_slice(b"$FL2");
        padded(&mut out, "@(#) SPSS DATA FILE lapaz-survey tests", 60);
        i32le(&mut out, 2); // layout code
        i32le(&mut out, case_size as i32);
        i32le(&mut out, 0); // no compression
        i32le(&mut out, 0); // no weight variable
        i32le(&mut out, rows.len() as i32);
        out.extend_from_slice(&100.0f64.to_le_bytes()); // bias
        padded(&mut out, "01 Jan 24", 9);
        padded(&mut out, "00:00:00", 8);
        padded(&mut out, "", 64);
        padded(&mut out, "", 3);

        let mut short_names = Vec::new();
        let mut dictionary_index = Vec::new();
        let mut index = 1;
        for (j, (name, var)) in header.iter().zip(&vars).enumerate() {
            let upper = name.to_uppercase();
            let short = format!("V{j:02}");
            short_names.push((short.clone(), upper));
            dictionary_index.push(index);
            index += segments(var);
            let (kind, format) = match var {
                Var::Numeric => (0, (5 << 16) | (8 << 8) | 2),
                Var::Text(w) => (*w as i32, (1 << 16) | ((*w as i32) << 8)),
            };
            i32le(&mut out, 2);
            i32le(&mut out, kind);
            i32le(&mut out, 0); // no variable label
            i32le(&mut out, 0); // no missing values
            i32le(&mut out, format);
            i32le(&mut out, format);
            padded(&mut out, &short, 8);
            for _ in 1..segments(var) {
                i32le(&mut out, 2);
                i32le(&mut out, -1);
                for _ in 0..4 {
                    i32le(&mut out, 0);
                }
                padded(&mut out, "", 8);
            }
        }
        if let Some((column, values)) = labels {
            i32le(&mut out, 3);
            i32le(&mut out, values.len() as i32);
            for (value, label) in values {
                out.extend_from_slice(&value.to_le_bytes());
                let len = label.len();
                out.push(len as u8);
                out.extend_from_slice(label.as_bytes());
                let pad = (8 - (len + 1) % 8) % 8;
                out.extend(std::iter::repeat_n(b' ', pad));
            }
            let j = header
                .iter()
                .position(|h| h == column)
                .expect("labelled column");
            i32le(&mut out, 4);
            i32le(&mut out, 1);
            i32le(&mut out, dictionary_index[j] as i32);
        }
        // Long variable names (record 7, subtype 13).
        let long: Vec<String> = short_names
            .iter()
            .map(|(s, l)| format!("{s}={l}"))
            .collect();
        let long = long.join("\t");
        i32le(&mut out, 7);
        i32le(&mut out, 13);
        i32le(&mut out, 1);
        i32le(&mut out, long.len() as i32);
        out.extend_from_slice(long.as_bytes());
        // Character encoding (record 7, subtype 20).
        i32le(&mut out, 7);
        i32le(&mut out, 20);
        i32le(&mut out, 1);
        i32le(&mut out, 5);
        out.extend_from_slice(b"UTF-8");
        // End of dictionary.
        i32le(&mut out, 999);
        i32le(&mut out, 0);

        for row in &rows {
            for (j, var) in vars.iter().enumerate() {
                let cell = row.get(j).map(String::as_str).unwrap_or("");
                match var {
                    Var::Numeric => {
                        // Empty → system-missing (the lowest double).
                        let x = cell.parse::<f64>().unwrap_or(-f64::MAX);
                        out.extend_from_slice(&x.to_le_bytes());
                    }
                    Var::Text(w) => padded(&mut out, cell, w.div_ceil(8) * 8),
                }
            }
        }
        out
    }

    #[test]
    fn sav_tables_load_like_csv() {
        let labels: &[(f64, &str)] = &[(1.0, "Centro"), (2.0, "Sur")];
        let v = sav_bytes(VIVIENDA, Some(("estrato", labels)));
        let p = sav_bytes(PERSONA, None);
        let path = fixture::zip_file(
            "sav",
            &[
                ("codebook.toml", CODEBOOK.as_bytes()),
                ("EH2023_Vivienda.sav", v.as_slice()),
                ("EH2023_Persona.sav", p.as_slice()),
            ],
        );
        let survey = Survey::open(&path).expect(".sav loads");
        let csv = from_csv();
        assert!(
            survey.households().equals_missing(&csv.households()),
            "{}\n{}",
            survey.households(),
            csv.households()
        );
        assert!(survey.persons().equals_missing(&csv.persons()));
        let t = survey.report().table(Table::Persona).expect("report");
        assert!(t.file.ends_with("EH2023_Persona.sav"));
        assert_eq!(t.missing_codes_to_null, [("tothrs".to_string(), 1)]);
    }

    #[test]
    fn sav_row_errors_count_cases_from_one() {
        let persona = PERSONA.replace("F003,2,80.25", "F003,2,0");
        let v = sav_bytes(VIVIENDA, None);
        let p = sav_bytes(&persona, None);
        let dir = fixture::folder(
            "sav-err",
            &[
                ("codebook.toml", CODEBOOK.as_bytes()),
                ("vivienda.sav", v.as_slice()),
                ("persona.sav", p.as_slice()),
            ],
        );
        let e = Survey::open(&dir).map(|_| ()).expect_err("zero weight");
        assert!(
            matches!(&e, LoadError::BadWeight { row: 5, column, .. } if column == "factor"),
            "fifth case: {e:?}"
        );
    }

    #[test]
    fn damaged_sav_is_an_error() {
        let mut v = sav_bytes(VIVIENDA, None);
        v.truncate(300);
        let dir = fixture::folder(
            "sav-bad",
            &[
                ("codebook.toml", CODEBOOK.as_bytes()),
                ("vivienda.sav", v.as_slice()),
                ("persona.csv", PERSONA.as_bytes()),
            ],
        );
        let e = Survey::open(&dir).map(|_| ()).expect_err("damaged");
        assert!(
            matches!(&e, LoadError::Format { file, .. } if file.ends_with("vivienda.sav")),
            "{e:?}"
        );
    }
}
