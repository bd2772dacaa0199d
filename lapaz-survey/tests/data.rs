//! Tests of the embedded synthetic survey: the generator reproduces the
//! committed archive byte for byte, the archive holds what it should, the
//! codebook declares every code, and the data carry the structure the
//! targets ask for (weights, headline rates, clustering, gradients).
//!
//! The CSV tables are parsed here with the `csv` crate, independently of the
//! crate's loaders.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read};
use std::sync::OnceLock;

use lapaz_survey::codebook::{Codebook, Table, VarType};
use lapaz_survey::data::synth::{SynthConfig, SyntheticSurvey, generate_default};
use lapaz_survey::data::{EMBEDDED_NAME, embedded_archive};

const REGENERATE: &str =
    "cargo run -p lapaz-survey -- generate --out lapaz-survey/data/emh2023_sintetica.zip";

const CODEBOOK_TOML: &str = include_str!("../data/codebook.toml");
const TARGETS_TOML: &str = include_str!("../data/targets.toml");

/// The survey generated from the shipped config, once per test binary.
fn generated() -> &'static (SyntheticSurvey, Vec<u8>) {
    static CELL: OnceLock<(SyntheticSurvey, Vec<u8>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let survey = generate_default().expect("the shipped config generates");
        let zip = survey.to_zip_bytes().expect("the archive is written");
        (survey, zip)
    })
}

/// Entries of a zip archive, in archive order.
fn entries(zip: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a valid zip");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry readable");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8 entry");
        let name = file.name().expect("entry name").to_string();
        out.push((name, text));
    }
    out
}

fn entry<'a>(entries: &'a [(String, String)], name: &str) -> &'a str {
    entries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("the archive has no `{name}`"))
}

/// A parsed CSV table: header and rows of raw fields.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    index: HashMap<String, usize>,
}

impl Csv {
    fn parse(text: &str) -> Csv {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header row")
            .iter()
            .map(str::to_string)
            .collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.expect("well-formed row")
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        let index = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        Csv {
            header,
            rows,
            index,
        }
    }

    fn col(&self, name: &str) -> usize {
        *self
            .index
            .get(name)
            .unwrap_or_else(|| panic!("no column `{name}`"))
    }

    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }

    fn int(&self, row: &[String], name: &str) -> Option<i64> {
        let s = self.get(row, name);
        (!s.is_empty()).then(|| {
            s.parse()
                .unwrap_or_else(|_| panic!("`{name}` not an integer: {s}"))
        })
    }

    fn float(&self, row: &[String], name: &str) -> Option<f64> {
        let s = self.get(row, name);
        (!s.is_empty()).then(|| {
            s.parse()
                .unwrap_or_else(|_| panic!("`{name}` not a number: {s}"))
        })
    }
}

struct Tables {
    viv: Csv,
    per: Csv,
}

fn tables() -> &'static Tables {
    static CELL: OnceLock<Tables> = OnceLock::new();
    CELL.get_or_init(|| {
        let e = entries(&generated().1);
        Tables {
            viv: Csv::parse(entry(&e, "vivienda.csv")),
            per: Csv::parse(entry(&e, "persona.csv")),
        }
    })
}

/// `band` of a figure in `targets.toml`, e.g. `("empleo", "desocupacion")`.
fn band(section: &str, key: &str) -> (f64, f64) {
    let t: toml::Value = toml::from_str(TARGETS_TOML).expect("targets.toml parses");
    let b = t[section][key]["band"]
        .as_array()
        .expect("figure has a band");
    (
        b[0].as_float().expect("number"),
        b[1].as_float().expect("number"),
    )
}

/// Weighted mean of `value` over rows where it is `Some`.
fn weighted(
    t: &Csv,
    value: impl Fn(&[String]) -> Option<f64>,
    weight: impl Fn(&[String]) -> f64,
) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for r in &t.rows {
        if let Some(v) = value(r) {
            num += weight(r) * v;
            den += weight(r);
        }
    }
    assert!(den > 0.0, "empty domain");
    num / den
}

fn factor(t: &Csv) -> impl Fn(&[String]) -> f64 + '_ {
    move |r| t.float(r, "factor").expect("factor present")
}

fn assert_in(name: &str, value: f64, (lo, hi): (f64, f64)) {
    assert!(
        (lo..=hi).contains(&value),
        "{name} = {value:.4} is outside the target band [{lo}, {hi}]"
    );
}

// ───────────────────────────── Reproducibility and archive ─────────────────────────────

#[test]
fn regenerating_reproduces_the_committed_archive_byte_for_byte() {
    let (_, zip) = generated();
    let committed = embedded_archive();
    assert!(
        zip.as_slice() == committed,
        "the generated archive ({} bytes) differs from the committed {EMBEDDED_NAME} ({} bytes); \
         if the change is intended, regenerate it with `{REGENERATE}` and commit it",
        zip.len(),
        committed.len()
    );
}

#[test]
fn another_seed_gives_other_data_and_is_recorded() {
    let config = SynthConfig::embedded().expect("config").with_seed(7);
    let survey = SyntheticSurvey::generate(&config).expect("generates");
    assert_eq!(survey.seed(), 7);
    assert_ne!(survey.persona_csv(), generated().0.persona_csv());
    let e = entries(&survey.to_zip_bytes().expect("zip"));
    assert!(entry(&e, "targets.toml").contains("semilla = { value = 7,"));
    assert!(entry(&e, "LEEME.md").contains("semilla 7"));
}

#[test]
fn archive_holds_the_expected_entries_in_order() {
    let names: Vec<String> = entries(embedded_archive())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "LEEME.md",
            "codebook.toml",
            "vivienda.csv",
            "persona.csv",
            "geografia/macrodistritos.csv",
            "geografia/distritos.csv",
            "geografia/zonas.csv",
            "targets.toml",
        ]
    );
    let e = entries(embedded_archive());
    assert_eq!(entry(&e, "codebook.toml"), CODEBOOK_TOML);
    assert_eq!(entry(&e, "targets.toml"), TARGETS_TOML);
    let leeme = entry(&e, "LEEME.md");
    assert!(leeme.contains("DATOS SINTÉTICOS") && leeme.contains("SYNTHETIC DATA"));
    assert!(
        embedded_archive().len() < 2_000_000,
        "archive larger than 2 MB"
    );
}

// ───────────────────────────── Codebook ─────────────────────────────

#[test]
fn codebook_parses_and_matches_the_csv_columns() {
    let cb = Codebook::from_toml_str(CODEBOOK_TOML).expect("codebook.toml parses");
    assert!(cb.survey.synthetic);
    let t = tables();
    for (table, csv) in [(Table::Vivienda, &t.viv), (Table::Persona, &t.per)] {
        let names: Vec<&str> = cb.table_variables(table).map(|v| v.name.as_str()).collect();
        assert_eq!(
            csv.header, names,
            "columns of {table}.csv differ from the codebook order"
        );
    }
    use lapaz_survey::codebook::Role;
    assert_eq!(
        cb.role_column(Table::Vivienda, Role::HouseholdId),
        Some("folio")
    );
    assert_eq!(cb.role_column(Table::Persona, Role::PersonId), Some("nro"));
    assert_eq!(cb.role_column(Table::Vivienda, Role::Psu), Some("upm"));
    assert_eq!(
        cb.role_column(Table::Vivienda, Role::Strata),
        Some("estrato")
    );
    assert_eq!(cb.role_column(Table::Persona, Role::Weight), Some("factor"));
}

#[test]
fn every_value_in_the_csvs_is_declared_and_typed() {
    let cb = Codebook::from_toml_str(CODEBOOK_TOML).expect("codebook.toml parses");
    let t = tables();
    for (table, csv) in [(Table::Vivienda, &t.viv), (Table::Persona, &t.per)] {
        for v in cb.table_variables(table) {
            let c = csv.col(&v.name);
            for (i, row) in csv.rows.iter().enumerate() {
                let s = &row[c];
                if s.is_empty() {
                    continue;
                }
                let at = || format!("{table}.csv row {} column `{}`: `{s}`", i + 2, v.name);
                match v.var_type {
                    VarType::Categorical => {
                        let code: i64 = s
                            .parse()
                            .unwrap_or_else(|_| panic!("{} is not a code", at()));
                        assert!(
                            v.value_label(code).is_some() || v.is_missing_code(code),
                            "{} is not declared in the codebook",
                            at()
                        );
                    }
                    VarType::Integer => {
                        s.parse::<i64>()
                            .unwrap_or_else(|_| panic!("{} is not an integer", at()));
                    }
                    VarType::Float => {
                        s.parse::<f64>()
                            .unwrap_or_else(|_| panic!("{} is not a number", at()));
                    }
                    VarType::String => {}
                }
            }
        }
    }
}

#[test]
fn zone_labels_match_the_geography_table() {
    let cb = Codebook::from_toml_str(CODEBOOK_TOML).expect("codebook.toml parses");
    let zona = cb
        .variable_in(Table::Vivienda, "zona")
        .expect("zona declared");
    let zonas = Csv::parse(include_str!("../data/geografia/zonas.csv"));
    assert_eq!(zonas.rows.len(), zona.values.len());
    for (row, label) in zonas.rows.iter().zip(&zona.values) {
        assert_eq!(zonas.int(row, "zona"), Some(label.code));
        assert_eq!(zonas.get(row, "nombre"), label.es);
        let macro_ = zonas.int(row, "macrodistrito").expect("macrodistrito");
        assert_eq!(
            label.code / 100,
            macro_,
            "zone code encodes its macrodistrict"
        );
    }
    let distritos = Csv::parse(include_str!("../data/geografia/distritos.csv"));
    assert_eq!(distritos.rows.len(), 23);
}

#[test]
fn codebook_page_in_docs_is_in_sync() {
    let cb = Codebook::from_toml_str(CODEBOOK_TOML).expect("codebook.toml parses");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/src/data/codebook.md");
    let page = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        page == cb.to_markdown(),
        "docs/src/data/codebook.md is not `Codebook::to_markdown()` of lapaz-survey/data/codebook.toml; \
         regenerate it with `cargo run -p lapaz-survey -- generate --codebook-md docs/src/data/codebook.md`"
    );
}

// ───────────────────────────── Design and weights ─────────────────────────────

#[test]
fn keys_and_design_are_consistent() {
    let t = tables();
    let (viv, per) = (&t.viv, &t.per);
    let n = viv.rows.len();
    assert!((3800..=4200).contains(&n), "{n} households");
    assert!(
        (12_000..=16_000).contains(&per.rows.len()),
        "{} persons",
        per.rows.len()
    );

    let mut folios = BTreeMap::new();
    let mut psu_stratum: BTreeMap<String, String> = BTreeMap::new();
    for r in &viv.rows {
        let folio = viv.get(r, "folio");
        let upm = viv.get(r, "upm");
        assert_eq!(folio.len(), 21, "folio {folio}");
        assert_eq!(upm.len(), 17, "upm {upm}");
        assert!(
            folio.starts_with(upm),
            "folio {folio} starts with its upm {upm}"
        );
        assert!(
            folios.insert(folio.to_string(), r).is_none(),
            "duplicate folio {folio}"
        );
        let stratum = viv.get(r, "estrato").to_string();
        let previous = psu_stratum.insert(upm.to_string(), stratum.clone());
        assert!(
            previous.is_none_or(|p| p == stratum),
            "PSU {upm} in two strata"
        );
        let size = viv.int(r, "totper").expect("totper");
        assert!(size >= 1);
    }
    let mut psus_per_stratum: BTreeMap<&str, usize> = BTreeMap::new();
    for s in psu_stratum.values() {
        *psus_per_stratum.entry(s).or_default() += 1;
    }
    assert!(
        psus_per_stratum.values().all(|&k| k >= 2),
        "a stratum has fewer than 2 PSUs"
    );
    assert!(
        (300..=360).contains(&psu_stratum.len()),
        "{} PSUs",
        psu_stratum.len()
    );

    let macros: BTreeSet<i64> = viv
        .rows
        .iter()
        .filter_map(|r| viv.int(r, "macrodistrito"))
        .collect();
    assert_eq!(macros, (1..=9).collect());

    // Persons: unique keys, households exist, same weight, sizes agree.
    let mut keys = BTreeSet::new();
    let mut members: BTreeMap<&str, i64> = BTreeMap::new();
    for r in &per.rows {
        let folio = per.get(r, "folio");
        let nro = per.int(r, "nro").expect("nro");
        assert!(keys.insert((folio, nro)), "duplicate person {folio} {nro}");
        let h = folios
            .get(folio)
            .unwrap_or_else(|| panic!("person of absent household {folio}"));
        assert_eq!(
            per.get(r, "factor"),
            viv.get(h, "factor"),
            "person weight = household weight"
        );
        assert_eq!(per.get(r, "upm"), viv.get(h, "upm"));
        *members.entry(folio).or_default() += 1;
    }
    for (folio, r) in &folios {
        assert_eq!(
            members.get(folio.as_str()).copied(),
            viv.int(r, "totper"),
            "totper of {folio}"
        );
    }
}

#[test]
fn weights_sum_to_the_census_population() {
    let t = tables();
    let persons: f64 = t.per.rows.iter().map(|r| factor(&t.per)(r)).sum();
    assert!(
        (persons - 755_732.0).abs() < 1.0,
        "sum of person weights {persons}"
    );
    let targets: toml::Value = toml::from_str(TARGETS_TOML).expect("targets");
    let by_macro = targets["poblacion"]["personas_macrodistrito"]["value"]
        .as_array()
        .expect("array");
    for (m, target) in (1..=9).zip(by_macro) {
        let total: f64 = t
            .per
            .rows
            .iter()
            .filter(|r| t.per.int(r, "macrodistrito") == Some(m))
            .map(|r| factor(&t.per)(r))
            .sum();
        let target = target
            .as_float()
            .or_else(|| target.as_integer().map(|i| i as f64))
            .expect("number");
        assert!(
            (total - target).abs() < 1.0,
            "macrodistrict {m}: {total} vs {target}"
        );
    }
    // Households: close to the assumed count; weights positive and varied.
    let households: f64 = t.viv.rows.iter().map(|r| factor(&t.viv)(r)).sum();
    let assumed = targets["poblacion"]["hogares"]["value"]
        .as_integer()
        .expect("int") as f64;
    assert!(
        (households / assumed - 1.0).abs() < 0.05,
        "{households} households"
    );
    for r in &t.viv.rows {
        let f = t.viv.float(r, "factor").expect("factor");
        let d = t.viv.float(r, "factor_diseno").expect("factor_diseno");
        assert!(f > 0.0 && d > 0.0);
    }
    // Rural oversampling: rural weights are much smaller than urban ones.
    let mean_w = |area: i64| {
        weighted(
            &t.viv,
            |r| (t.viv.int(r, "area") == Some(area)).then(|| factor(&t.viv)(r)),
            |_| 1.0,
        )
    };
    assert!(
        mean_w(2) * 3.0 < mean_w(1),
        "rural {} vs urban {}",
        mean_w(2),
        mean_w(1)
    );
}

// ───────────────────────────── Headline figures ─────────────────────────────

#[test]
fn headline_rates_fall_in_the_target_bands() {
    let t = tables();
    let per = &t.per;
    let w = factor(per);
    let unemployment = weighted(
        per,
        |r| match per.int(r, "condact") {
            Some(1) => Some(0.0),
            Some(2) => Some(1.0),
            _ => None,
        },
        &w,
    );
    assert_in("unemployment", unemployment, band("empleo", "desocupacion"));
    let participation = weighted(
        per,
        |r| {
            (per.int(r, "pet") == Some(1))
                .then(|| f64::from(matches!(per.int(r, "condact"), Some(1 | 2))))
        },
        &w,
    );
    assert_in(
        "participation",
        participation,
        band("empleo", "participacion"),
    );
    let informality = weighted(per, |r| per.int(r, "informal").map(|x| x as f64), &w);
    assert_in("informality", informality, band("empleo", "informalidad"));
    let mode = |r: &[String]| per.int(r, "modo_principal").filter(|&m| m != 99);
    let public = weighted(
        per,
        |r| mode(r).map(|m| f64::from(matches!(m, 1 | 2 | 3 | 5 | 6))),
        &w,
    );
    assert_in(
        "public transport share",
        public,
        band("movilidad", "transporte_publico"),
    );
    let walking = weighted(per, |r| mode(r).map(|m| f64::from(m == 9)), &w);
    assert_in("walking share", walking, band("movilidad", "a_pie"));
    let viv = &t.viv;
    let poverty = weighted(
        viv,
        |r| viv.int(r, "p0").map(|x| x as f64),
        |r| factor(viv)(r) * viv.int(r, "totper").expect("totper") as f64,
    );
    assert_in("poverty", poverty, band("ingresos", "pobreza"));
    let moderate = weighted(
        viv,
        |r| viv.int(r, "riesgo_mapa").map(|c| f64::from(c >= 3)),
        factor(viv),
    );
    assert_in(
        "moderate+ risk",
        moderate,
        band("riesgos", "moderado_o_mas"),
    );
}

// ───────────────────────────── Structure to discover ─────────────────────────────

/// One-way ANOVA intraclass correlation of `value` between PSUs.
fn icc(t: &Csv, value: impl Fn(&[String]) -> Option<f64>) -> f64 {
    let mut groups: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in &t.rows {
        if let Some(v) = value(r) {
            groups.entry(t.get(r, "upm")).or_default().push(v);
        }
    }
    let n: f64 = groups.values().map(|g| g.len() as f64).sum();
    let k = groups.len() as f64;
    let grand: f64 = groups.values().flatten().sum::<f64>() / n;
    let mean = |g: &[f64]| g.iter().sum::<f64>() / g.len() as f64;
    let ssb: f64 = groups
        .values()
        .map(|g| g.len() as f64 * (mean(g) - grand).powi(2))
        .sum();
    let ssw: f64 = groups
        .values()
        .map(|g| {
            let m = mean(g);
            g.iter().map(|x| (x - m).powi(2)).sum::<f64>()
        })
        .sum();
    let msb = ssb / (k - 1.0);
    let msw = ssw / (n - k);
    let n0 = (n - groups
        .values()
        .map(|g| (g.len() as f64).powi(2))
        .sum::<f64>()
        / n)
        / (k - 1.0);
    (msb - msw) / (msb + (n0 - 1.0) * msw)
}

#[test]
fn cluster_level_traits_are_correlated_within_psus() {
    let viv = &tables().viv;
    let water = icc(viv, |r| viv.int(r, "agua").map(|a| f64::from(a == 1)));
    let risk = icc(viv, |r| {
        viv.int(r, "riesgo_mapa").map(|c| f64::from(c >= 4))
    });
    let poverty = icc(viv, |r| viv.int(r, "p0").map(|x| x as f64));
    assert!(water > 0.05, "ICC of piped water {water}");
    assert!(risk > 0.05, "ICC of high risk class {risk}");
    assert!(poverty > 0.03, "ICC of poverty {poverty}");
}

#[test]
fn risk_is_concentrated_on_the_hillside_macrodistricts() {
    let viv = &tables().viv;
    let hillside = |r: &[String]| matches!(viv.int(r, "macrodistrito"), Some(1 | 4 | 5));
    let rate = |in_group: bool, f: &dyn Fn(&[String]) -> Option<f64>| {
        weighted(
            viv,
            |r| if hillside(r) == in_group { f(r) } else { None },
            factor(viv),
        )
    };
    let high = |r: &[String]| viv.int(r, "riesgo_mapa").map(|c| f64::from(c >= 4));
    let event = |r: &[String]| {
        viv.int(r, "evento_12m")
            .filter(|&e| e != 9)
            .map(|e| f64::from(e >= 2))
    };
    assert!(
        rate(true, &high) > rate(false, &high) + 0.1,
        "high-risk class share"
    );
    assert!(
        rate(true, &event) > 1.5 * rate(false, &event),
        "adverse events"
    );
}

#[test]
fn resilience_is_lower_for_poorer_households() {
    let viv = &tables().viv;
    let by_quintile = |q: i64| {
        weighted(
            viv,
            |r| {
                (viv.int(r, "quintil") == Some(q))
                    .then(|| viv.int(r, "indice_resiliencia").map(|x| x as f64))
                    .flatten()
            },
            factor(viv),
        )
    };
    assert!(
        by_quintile(1) + 0.3 < by_quintile(5),
        "Q1 {} vs Q5 {}",
        by_quintile(1),
        by_quintile(5)
    );
}

#[test]
fn informality_is_higher_for_own_account_and_low_schooling() {
    let per = &tables().per;
    let rate = |keep: &dyn Fn(&[String]) -> bool| {
        weighted(
            per,
            |r| {
                if keep(r) {
                    per.int(r, "informal").map(|x| x as f64)
                } else {
                    None
                }
            },
            factor(per),
        )
    };
    let own = rate(&|r| per.int(r, "s04b_12") == Some(3));
    let employee = rate(&|r| matches!(per.int(r, "s04b_12"), Some(1 | 2)));
    assert!(
        own > employee + 0.2,
        "own-account {own} vs employees {employee}"
    );
    let low = rate(&|r| per.int(r, "aestudio").is_some_and(|y| y <= 8));
    let high = rate(&|r| per.int(r, "aestudio").is_some_and(|y| y >= 15));
    assert!(low > high + 0.2, "low schooling {low} vs high {high}");
}

#[test]
fn trips_from_the_periphery_are_longer_and_costlier() {
    let per = &tables().per;
    let mean = |col: &str, macros: &[i64], missing: Option<i64>| {
        weighted(
            per,
            |r| {
                let m = per.int(r, "macrodistrito")?;
                if !macros.contains(&m) {
                    return None;
                }
                let v = per.float(r, col)?;
                (missing != Some(v as i64)).then_some(v)
            },
            factor(per),
        )
    };
    let centro = mean("tiempo_viaje_min", &[7], Some(999));
    let zongo = mean("tiempo_viaje_min", &[9], Some(999));
    let mallasa = mean("tiempo_viaje_min", &[6], Some(999));
    assert!(
        zongo > centro + 15.0 && mallasa > centro + 5.0,
        "Centro {centro}, Mallasa {mallasa}, Zongo {zongo}"
    );
    let cost_centro = mean("costo_bs", &[7], None);
    let cost_periphery = mean("costo_bs", &[6, 8, 9], None);
    assert!(
        cost_periphery > cost_centro + 0.5,
        "cost Centro {cost_centro} vs periphery {cost_periphery}"
    );
}

#[test]
fn structural_nulls_follow_the_universes() {
    let per = &tables().per;
    for r in &per.rows {
        let age = per.int(r, "s01a_03").expect("age");
        let pet = per.int(r, "pet").expect("pet");
        assert_eq!(pet == 1, age >= 14);
        let condact = per.int(r, "condact");
        assert_eq!(
            condact.is_some(),
            pet == 1,
            "condact only for the working-age population"
        );
        let employed = condact == Some(1);
        for col in ["s04b_12", "caeb_op", "s04b_14", "s04f_36", "tothrs", "ylab"] {
            assert_eq!(
                !per.get(r, col).is_empty(),
                employed,
                "`{col}` only for the employed"
            );
        }
        assert_eq!(
            !per.get(r, "busca_trabajo_semanas").is_empty(),
            condact == Some(2)
        );
        assert_eq!(per.int(r, "aestudio").is_some(), age >= 5);
        let travels = per.int(r, "viaja_habitual") == Some(1);
        assert_eq!(per.int(r, "viaja_habitual").is_some(), age >= 5);
        for col in [
            "motivo",
            "modo_principal",
            "transbordos",
            "tiempo_viaje_min",
            "destino_macrodistrito",
        ] {
            assert_eq!(
                !per.get(r, col).is_empty(),
                travels,
                "`{col}` only for usual travellers"
            );
        }
    }
    let viv = &tables().viv;
    for r in &viv.rows {
        let event = viv
            .int(r, "evento_12m")
            .is_some_and(|e| (2..=7).contains(&e));
        for col in ["danio_vivienda", "evacuado", "tiempo_recuperacion"] {
            assert_eq!(
                !viv.get(r, col).is_empty(),
                event,
                "`{col}` only after an event"
            );
        }
        assert_eq!(viv.int(r, "nse").is_some(), viv.int(r, "area") == Some(1));
    }
}

#[test]
fn missing_codes_appear_in_small_shares() {
    let cb = Codebook::from_toml_str(CODEBOOK_TOML).expect("codebook.toml parses");
    let t = tables();
    for (table, csv) in [(Table::Vivienda, &t.viv), (Table::Persona, &t.per)] {
        for v in cb.table_variables(table).filter(|v| !v.missing.is_empty()) {
            let answered: Vec<i64> = csv
                .rows
                .iter()
                .filter_map(|r| csv.int(r, &v.name))
                .collect();
            let missing = answered.iter().filter(|&&c| v.is_missing_code(c)).count();
            let share = missing as f64 / answered.len() as f64;
            assert!(
                missing > 0 && share < 0.06,
                "{table}.{}: {missing} NS/NR codes of {} answers",
                v.name,
                answered.len()
            );
        }
    }
}
