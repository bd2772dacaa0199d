//! The presentation layer end to end: estimate tables, design, survey and
//! codebook displays as HTML (cells, classes, escaping, Spanish format), and
//! every chart as a well-formed SVG (parsed, Spanish labels, expected number
//! of marks) and a PNG (valid image, not blank), built from a real
//! `SurveyDesign` over a small generated survey.
//!
//! Charts are written to `target/tmp/present/` (`CARGO_TARGET_TMPDIR`) to be
//! looked at.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lapaz_survey::codebook::{Codebook, Language};
use lapaz_survey::design::{DesignSpec, SurveyDesign};
use lapaz_survey::estimate::EstimateTable;
use lapaz_survey::polars::prelude::*;
use lapaz_survey::present::{
    BarChart, DotChart, FrameHtml, Histogram, PlotError, Pyramid, StackedBars,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const MACROS: [(&str, usize); 9] = [
    ("Centro", 330),
    ("Cotahuma", 360),
    ("Max Paredes", 380),
    ("Periférica", 380),
    ("San Antonio", 350),
    ("Sur", 340),
    ("Mallasa", 70),
    ("Hampaturi", 40),
    ("Zongo", 30),
];
const MODES: [&str; 5] = ["Minibús", "Micro", "Mi Teleférico", "A pie", "Auto"];

const CODEBOOK: &str = r#"
[survey]
id = "prueba"
title_es = "Encuesta de prueba"
title_en = "Test survey"
synthetic = true

[[variable]]
name = "macrodistrito"
table = "persona"
module = "geografia"
label_es = "Macrodistrito"
label_en = "Macrodistrict"
type = "categorical"
values = [
  { code = 1, es = "Centro", en = "Centro" },
  { code = 2, es = "Cotahuma", en = "Cotahuma" },
  { code = 3, es = "Max Paredes", en = "Max Paredes" },
  { code = 4, es = "Periférica", en = "Periférica" },
  { code = 5, es = "San Antonio", en = "San Antonio" },
  { code = 6, es = "Sur", en = "Sur" },
  { code = 7, es = "Mallasa", en = "Mallasa" },
  { code = 8, es = "Hampaturi", en = "Hampaturi" },
  { code = 9, es = "Zongo", en = "Zongo" },
]

[[variable]]
name = "sexo"
table = "persona"
module = "demografia"
label_es = "Sexo"
label_en = "Sex"
type = "categorical"
values = [
  { code = 1, es = "Hombre", en = "Male" },
  { code = 2, es = "Mujer", en = "Female" },
]

[[variable]]
name = "edad"
table = "persona"
module = "demografia"
label_es = "Edad"
label_en = "Age"
type = "integer"
unit = "años"

[[variable]]
name = "ingreso"
table = "persona"
module = "empleo"
label_es = "Ingreso laboral"
label_en = "Labour income"
type = "float"
unit = "Bs/mes"
missing = [99999]
note = "Ingreso <mensual> & neto"

[[variable]]
name = "modo"
table = "persona"
module = "movilidad"
label_es = "Modo principal de transporte"
label_en = "Main transport mode"
type = "categorical"
values = [
  { code = 1, es = "Minibús", en = "Minibus" },
  { code = 2, es = "Micro", en = "Bus" },
  { code = 3, es = "Mi Teleférico", en = "Cable car" },
  { code = 4, es = "A pie", en = "On foot" },
  { code = 5, es = "Auto", en = "Car" },
]
"#;

fn enum_dtype(labels: &[&str]) -> PolarsResult<DataType> {
    Ok(DataType::from_frozen_categories(FrozenCategories::new(
        labels.iter().copied(),
    )?))
}

/// A small person-level survey: strata = macrodistricts, PSUs of ten
/// persons, weights around 300; small rural macrodistricts make some domain
/// estimates unreliable.
fn survey_frame() -> PolarsResult<DataFrame> {
    let mut rng = ChaCha8Rng::seed_from_u64(2023);
    let mut uniform = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let (mut macro_, mut estrato, mut upm, mut factor) = (vec![], vec![], vec![], vec![]);
    let (mut ingreso, mut sexo, mut edad, mut modo) = (vec![], vec![], vec![], vec![]);
    for (m, (name, n)) in MACROS.iter().enumerate() {
        for i in 0..*n {
            macro_.push(*name);
            estrato.push(format!("E{m}"));
            upm.push(format!("{m}-{}", i / 10));
            factor.push(250.0 + 100.0 * uniform());
            // Age: more young people than old (a pyramid).
            let age = (95.0 * uniform() * uniform().sqrt()).floor() as i64;
            edad.push(age);
            sexo.push(if uniform() < 0.48 { "Hombre" } else { "Mujer" });
            // Income: log-normal-ish, higher in Sur and Centro, missing for
            // children and 10 % of adults.
            let base = match *name {
                "Sur" => 4200.0,
                "Centro" => 3300.0,
                "Hampaturi" | "Zongo" => 1500.0,
                _ => 2500.0,
            };
            let z: f64 = (0..6).map(|_| uniform()).sum::<f64>() - 3.0;
            let spread = if *name == "Mallasa" { 0.9 } else { 0.5 };
            ingreso.push(if age >= 14 && uniform() > 0.1 {
                Some((base * (spread * z).exp()).round())
            } else {
                None
            });
            let u = uniform();
            let mode = match *name {
                "Sur" => [0.30, 0.10, 0.15, 0.10, 0.35],
                "Max Paredes" => [0.55, 0.15, 0.10, 0.15, 0.05],
                _ => [0.45, 0.15, 0.10, 0.20, 0.10],
            };
            let mut acc = 0.0;
            let mut pick = MODES.len() - 1;
            for (k, p) in mode.iter().enumerate() {
                acc += p;
                if u < acc {
                    pick = k;
                    break;
                }
            }
            modo.push(MODES[pick]);
        }
    }
    let macro_names: Vec<&str> = MACROS.iter().map(|m| m.0).collect();
    DataFrame::new_infer_height(vec![
        Series::new("macrodistrito".into(), macro_)
            .cast(&enum_dtype(&macro_names)?)?
            .into(),
        Series::new("estrato".into(), estrato).into(),
        Series::new("upm".into(), upm).into(),
        Series::new("factor".into(), factor).into(),
        Series::new("ingreso".into(), ingreso).into(),
        Series::new("sexo".into(), sexo)
            .cast(&enum_dtype(&["Hombre", "Mujer"])?)?
            .into(),
        Series::new("edad".into(), edad).into(),
        Series::new("modo".into(), modo)
            .cast(&enum_dtype(&MODES)?)?
            .into(),
    ])
}

fn design() -> Result<SurveyDesign, Box<dyn std::error::Error>> {
    let spec = DesignSpec::new()
        .weights("factor")
        .strata("estrato")
        .cluster("upm");
    Ok(SurveyDesign::with_codebook(
        survey_frame()?,
        spec,
        Codebook::from_toml_str(CODEBOOK)?,
    )?)
}

fn income_by_macro(d: &SurveyDesign) -> Result<EstimateTable, Box<dyn std::error::Error>> {
    Ok(d.by(["macrodistrito"])?.mean("ingreso")?)
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("present");
    // Several tests create it at once: an error here shows up as a failed
    // save below.
    let _ = std::fs::create_dir_all(&dir);
    dir
}

// ------------------------------------------------------------------ HTML

#[test]
fn estimate_table_html_has_cells_flags_and_spanish_numbers() -> TestResult {
    let d = design()?;
    let table = income_by_macro(&d)?;
    let html = table.html();
    let h = html.as_html();
    assert!(h.starts_with("<div class=\"lpz\"><style>.lpz{"));
    // The caption names the variable by its codebook label, then its column.
    assert!(h.contains("<caption>Media de ingreso laboral (ingreso) por macrodistrito"));
    assert!(h.contains("Intervalos de confianza al 95\u{a0}%"));
    for head in [
        "Macrodistrito",
        "Estimación",
        "EE",
        "IC 95\u{a0}%",
        "CV",
        "n",
        "Fiabilidad",
    ] {
        assert!(
            h.contains(&format!(">{head}</th>")),
            "missing header {head}"
        );
    }
    // One body row per domain, each classed by its flag with a badge.
    assert_eq!(h.matches("<tr class=\"").count(), table.len());
    for e in table.estimates() {
        let class = match e.quality {
            lapaz_survey::quality::Quality::Reliable => "ok",
            lapaz_survey::quality::Quality::Caution => "warn",
            lapaz_survey::quality::Quality::Unreliable => "bad",
            _ => "na",
        };
        let domain = &e.domain[0].value.es;
        let row_start = format!("<tr class=\"{class}\"><td class=\"l k\">{domain}</td>");
        assert!(h.contains(&row_start), "row of {domain} should be {class}");
    }
    // The small macrodistricts are flagged; the big ones are not.
    let zongo = table.find(&["Zongo"], None).ok_or("no Zongo")?;
    assert_ne!(zongo.quality, lapaz_survey::quality::Quality::Reliable);
    assert!(
        h.contains("<span class=\"b bad\">No fiable</span>")
            || h.contains("<span class=\"b warn\">Poco fiable</span>")
    );
    // Spanish numbers: thousands with '.', the CV with a decimal comma.
    let centro = table.find(&["Centro"], None).ok_or("no Centro")?;
    let mean = lapaz_survey::present::format_number(centro.estimate, 0, Language::Es);
    assert!(mean.contains('.'), "{mean}");
    assert!(h.contains(&format!("<td class=\"k\">{mean}</td>")));
    let cv = lapaz_survey::present::format_percent(centro.cv, 1, Language::Es);
    assert!(cv.contains(','), "{cv}");
    assert!(h.contains(&format!("<td>{cv}</td>")));
    // The footnote explains the flags.
    assert!(h.contains("Fiabilidad según la regla del diseño"));
    // Plain text fallback has the same rows.
    let text = html.as_text();
    assert!(text.starts_with("Media de ingreso laboral (ingreso) por macrodistrito"));
    assert!(text.contains("Periférica"));
    assert_eq!(text.lines().filter(|l| l.starts_with("Zongo")).count(), 1);
    Ok(())
}

#[test]
fn estimate_table_html_in_english() -> TestResult {
    let d = design()?;
    let html = income_by_macro(&d)?.html_in(Language::En);
    let h = html.as_html();
    assert!(h.contains("<caption>Mean of labour income (ingreso) by macrodistrict"));
    assert!(h.contains(">95% CI</th>"));
    assert!(h.contains(">Reliability</th>"));
    assert!(!h.contains("Fiabilidad"));
    Ok(())
}

#[test]
fn proportions_show_as_percentages_with_categories() -> TestResult {
    let d = design()?;
    let table = d.by(["macrodistrito"])?.prop("modo")?;
    let h = table.html().into_html();
    assert!(h.contains(">Categoría</th>"));
    assert!(h.contains("<td class=\"l\">Mi Teleférico</td>"));
    // Every estimate cell is a percentage.
    let estimate_cells = h.matches("<td class=\"k\">").count();
    assert_eq!(estimate_cells, table.len());
    assert!(h.matches("\u{a0}%</td><td>").count() >= table.len());
    Ok(())
}

#[test]
fn html_escapes_labels_from_data() -> TestResult {
    let df = df!(
        "zona" => ["<script>alert(1)</script>", "A & B", "<script>alert(1)</script>", "A & B"],
        "y" => [1.0, 2.0, 3.0, 4.0],
        "w" => [1.0, 1.0, 1.0, 1.0],
    )?;
    let d = SurveyDesign::new(df.clone(), DesignSpec::new().weights("w"))?;
    let h = d.by(["zona"])?.mean("y")?.html().into_html();
    assert!(!h.contains("<script>"));
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(h.contains("A &amp; B"));
    let frame = df.html().into_html();
    assert!(!frame.contains("<script>"));
    assert!(frame.contains("A &amp; B"));
    Ok(())
}

#[test]
fn design_summary_lists_the_structure() -> TestResult {
    let d = design()?;
    let h = d.html().into_html();
    assert!(h.contains("<div class=\"t\">Diseño muestral</div>"));
    let rows: usize = MACROS.iter().map(|m| m.1).sum();
    let psus: usize = MACROS.iter().map(|m| m.1.div_ceil(10)).sum();
    let fmt = |x: usize| lapaz_survey::present::format_count(x as f64, Language::Es);
    assert!(h.contains(&format!("<dt>Filas (casos)</dt><dd>{}</dd>", fmt(rows))));
    assert!(h.contains("<dt>Estratos</dt><dd>9</dd>"));
    assert!(h.contains(&format!("<dt>UPM (conglomerados)</dt><dd>{psus}</dd>")));
    assert!(h.contains(&format!("<dt>Grados de libertad</dt><dd>{}</dd>", psus - 9)));
    assert!(h.contains("<dd>linealización de Taylor</dd>"));
    assert!(h.contains(&format!(
        "<dt>Suma de pesos (población)</dt><dd>{}</dd>",
        lapaz_survey::present::format_count(d.population_size(), Language::Es)
    )));
    let sub = d.subset(lapaz_survey::design::Filter::eq("sexo", "Mujer"))?;
    assert!(sub.html().as_html().contains("<dt>Subpoblación</dt>"));
    Ok(())
}

#[test]
fn codebook_entries_show_labels_values_and_missing_codes() -> TestResult {
    let cb = Codebook::from_toml_str(CODEBOOK)?;
    let modo = cb.variable("modo").ok_or("no modo")?;
    let h = modo.html().into_html();
    assert!(h.contains("<code>modo</code> — Modo principal de transporte"));
    assert!(h.contains("<dd>Main transport mode</dd>"));
    assert!(h.contains("<dd>categórica</dd>"));
    assert_eq!(h.matches("<td class=\"k\">").count(), 5);
    assert!(h.contains("<td class=\"l\">Mi Teleférico</td><td class=\"l\">Cable car</td>"));
    let ingreso = cb
        .variable("ingreso")
        .ok_or("no ingreso")?
        .html()
        .into_html();
    assert!(ingreso.contains("<dt>Unidad</dt><dd>Bs/mes</dd>"));
    assert!(ingreso.contains("<dt>Códigos de dato faltante</dt><dd>99999</dd>"));
    assert!(ingreso.contains("<dd>Ingreso &lt;mensual&gt; &amp; neto</dd>"));
    let all = cb.html().into_html();
    assert!(all.contains("Libro de códigos: 5 variables"));
    assert!(all.contains("DATOS SINTÉTICOS"));
    Ok(())
}

#[test]
fn dataframe_html_shows_enum_labels_types_and_head_tail() -> TestResult {
    let df = survey_frame()?;
    let h = df.html().into_html();
    assert!(h.contains("Tabla de datos: 2.280 filas × 8 columnas"));
    assert!(h.contains("macrodistrito<span class=\"dt\">enum (9)</span>"));
    assert!(h.contains("factor<span class=\"dt\">f64</span>"));
    assert!(h.contains("<td class=\"l\">Centro</td>"));
    assert!(h.contains("<td class=\"l\">Zongo</td>"));
    assert!(h.contains("… 2.270 filas más …"));
    assert_eq!(h.matches("<tr>").count(), 1 + 10);
    Ok(())
}

// ---------------------------------------------------------------- charts

/// One SVG element: tag, attributes, text.
type Element = (String, BTreeMap<String, String>, String);

/// Parses an SVG, returning its elements.
fn parse_svg(svg: &str) -> Result<Vec<Element>, Box<dyn std::error::Error>> {
    let doc = roxmltree::Document::parse(svg)?;
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    Ok(root
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| {
            let attrs = n
                .attributes()
                .map(|a| (a.name().to_owned(), a.value().to_owned()))
                .collect();
            let text = n.text().unwrap_or_default().trim().to_owned();
            (n.tag_name().name().to_owned(), attrs, text)
        })
        .collect())
}

fn texts(elements: &[Element]) -> Vec<String> {
    elements
        .iter()
        .filter(|(t, _, _)| t == "text")
        .map(|(_, _, s)| s.clone())
        .collect()
}

/// Checks a PNG: signature, size (twice the logical size) and that a fair
/// share of pixels is not white.
fn check_png(bytes: &[u8], width: u32, height: u32) -> TestResult {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("no size")?];
    let info = reader.next_frame(&mut buf)?;
    assert_eq!((info.width, info.height), (2 * width, 2 * height));
    let pixels = &buf[..info.buffer_size()];
    let inked = pixels
        .chunks(3)
        .filter(|p| p.iter().any(|&c| c < 200))
        .count();
    let share = inked as f64 / (pixels.len() / 3) as f64;
    assert!(share > 0.03, "PNG looks blank: {share:.3} inked");
    Ok(())
}

fn save_both<F>(name: &str, svg: F, png: impl Fn(&PathBuf) -> Result<(), PlotError>) -> TestResult
where
    F: Fn(&PathBuf) -> Result<(), PlotError>,
{
    let dir = out_dir();
    svg(&dir.join(format!("{name}.svg")))?;
    png(&dir.join(format!("{name}.png")))?;
    let bytes = std::fs::read(dir.join(format!("{name}.png")))?;
    assert_eq!(&bytes[..4], b"\x89PNG");
    let text = std::fs::read_to_string(dir.join(format!("{name}.svg")))?;
    roxmltree::Document::parse(&text)?;
    Ok(())
}

const BAR_FILLS: [&str; 3] = ["#0072B2", "#A6CCE1", "#B8BEC6"];

#[test]
fn bar_chart_has_a_bar_per_domain_with_flags() -> TestResult {
    let d = design()?;
    let table = income_by_macro(&d)?;
    let chart = BarChart::new(&table).unit("Bs/mes");
    let svg = chart.to_svg()?;
    let el = parse_svg(&svg)?;
    let bars = el
        .iter()
        .filter(|(t, a, _)| {
            t == "rect"
                && a.get("fill")
                    .is_some_and(|f| BAR_FILLS.contains(&f.as_str()))
                && a.get("width")
                    .and_then(|w| w.parse::<f64>().ok())
                    .is_some_and(|w| w > 40.0)
        })
        .count();
    assert_eq!(bars, MACROS.len());
    let t = texts(&el);
    assert!(
        t.contains(&"Media de ingreso laboral (ingreso) por macrodistrito".to_owned()),
        "{t:?}"
    );
    assert!(t.contains(&"Periférica".to_owned()));
    assert!(t.contains(&"Bs/mes".to_owned()));
    assert!(t.iter().any(|s| s == "IC 95\u{a0}%"));
    // Unreliable estimates are explained in the legend.
    assert!(
        t.iter()
            .any(|s| s == "No fiable" || s.starts_with("Poco fiable"))
    );
    check_png(&chart.to_png()?, 760, 440)?;
    save_both("barras", |p| chart.save_svg(p), |p| chart.save_png(p))?;
    let en = chart.clone().language(Language::En);
    let t = texts(&parse_svg(&en.to_svg()?)?);
    assert!(
        t.contains(&"Mean of labour income (ingreso) by macrodistrict".to_owned()),
        "{t:?}"
    );
    assert!(!t.iter().any(|s| s.contains("Fiable")));
    en.save_png(out_dir().join("barras-en.png"))?;
    Ok(())
}

#[test]
fn dot_chart_prints_each_interval() -> TestResult {
    let d = design()?;
    let table = income_by_macro(&d)?;
    let total = d.mean("ingreso")?;
    let reference = total.estimates().first().ok_or("no total")?.estimate;
    let chart = DotChart::new(&table)
        .sorted()
        .measure("Ingreso laboral medio")
        .unit("Bs/mes")
        .reference(reference, "Promedio municipal");
    let el = parse_svg(&chart.to_svg()?)?;
    let t = texts(&el);
    let intervals = t
        .iter()
        .filter(|s| s.contains(" (") && s.contains(" – "))
        .count();
    assert_eq!(intervals, MACROS.len());
    assert!(
        t.contains(&"Ingreso laboral medio por macrodistrito".to_owned()),
        "{t:?}"
    );
    assert!(t.contains(&"Promedio municipal".to_owned()));
    // Sorted: the first row label drawn is the largest estimate.
    let best = table
        .estimates()
        .iter()
        .max_by(|a, b| a.estimate.total_cmp(&b.estimate))
        .ok_or("empty")?;
    let first_domain = MACROS
        .iter()
        .map(|m| m.0)
        .find(|name| t.iter().any(|s| s == name))
        .ok_or("no label")?;
    let order: Vec<&String> = t
        .iter()
        .filter(|s| MACROS.iter().any(|m| m.0 == s.as_str()))
        .collect();
    assert_eq!(
        order.first().map(|s| s.as_str()),
        Some(best.domain[0].value.es.as_str()),
        "{first_domain}"
    );
    check_png(&chart.to_png()?, 760, 440)?;
    save_both("puntos", |p| chart.save_svg(p), |p| chart.save_png(p))?;
    Ok(())
}

#[test]
fn histogram_is_weighted_and_labelled_from_the_codebook() -> TestResult {
    let d = design()?;
    let chart = Histogram::new(&d, "ingreso")?.range(0.0, 12_000.0);
    let el = parse_svg(&chart.to_svg()?)?;
    let t = texts(&el);
    assert!(
        t.contains(&"Distribución de ingreso laboral (Bs/mes)".to_owned()),
        "{t:?}"
    );
    assert!(t.contains(&"Ingreso laboral (Bs/mes)".to_owned()));
    assert!(t.iter().any(|s| s.contains("casos sin dato")));
    assert!(t.iter().any(|s| s.starts_with("Datos sintéticos")));
    // Heights are population: they add up to the weights of the rows shown.
    let df = d.data();
    let y = df.column("ingreso")?.f64()?.clone();
    let w = df.column("factor")?.f64()?.clone();
    let expected: f64 = y
        .iter()
        .zip(w.iter())
        .filter_map(|(y, w)| match (y, w) {
            (Some(y), Some(w)) if (0.0..=12_000.0).contains(&y) => Some(w),
            _ => None,
        })
        .sum();
    let text_table = chart.to_html()?.as_text().to_owned();
    let shown: f64 = text_table
        .lines()
        .skip(3)
        .filter_map(|l| l.split_whitespace().last())
        .filter_map(|v| v.replace('.', "").parse::<f64>().ok())
        .sum();
    assert!(
        (shown - expected).abs() < 5.0 * 20.0,
        "{shown} vs {expected}"
    );
    check_png(&chart.to_png()?, 760, 440)?;
    save_both("histograma", |p| chart.save_svg(p), |p| chart.save_png(p))?;
    Ok(())
}

#[test]
fn pyramid_has_two_sides_and_age_groups() -> TestResult {
    let d = design()?;
    let chart = Pyramid::new(&d, "sexo", "edad")?;
    assert_eq!(chart.sexes(), ["Hombre", "Mujer"]);
    let el = parse_svg(&chart.to_svg()?)?;
    let t = texts(&el);
    for label in ["0–4", "40–44", "80+", "◀ Hombre", "Mujer ▶", "Edad"] {
        assert!(t.contains(&label.to_owned()), "missing {label}: {t:?}");
    }
    let sides = ["#0072B2", "#E69F00"].map(|c| {
        el.iter()
            .filter(|(tag, a, _)| tag == "rect" && a.get("fill").map(String::as_str) == Some(c))
            .count()
    });
    // 17 age groups per side (all occupied in this sample), plus the
    // legend swatch of each sex.
    assert_eq!(sides, [17 + 1, 17 + 1]);
    check_png(&chart.to_png()?, 760, 440)?;
    save_both("piramide", |p| chart.save_svg(p), |p| chart.save_png(p))?;
    let en = chart.clone().language(Language::En);
    let t = texts(&parse_svg(&en.to_svg()?)?);
    assert!(t.contains(&"◀ Male".to_owned()), "{t:?}");
    Ok(())
}

#[test]
fn stacked_bars_from_data_and_from_proportions_agree() -> TestResult {
    let d = design()?;
    let from_data = StackedBars::new(&d, "macrodistrito", "modo")?.with_total();
    let table = d.by(["macrodistrito"])?.prop("modo")?;
    let from_table = StackedBars::from_table(&table)?;
    let a = from_data.shares();
    let b = from_table.shares();
    assert_eq!(a.len(), MACROS.len());
    for ((da, sa), (db, sb)) in a.iter().zip(&b) {
        assert_eq!(da, db);
        for (x, y) in sa.iter().zip(sb) {
            assert!((x - y).abs() < 1e-9, "{da}: {x} vs {y}");
        }
        assert!((sa.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    let el = parse_svg(&from_data.to_svg()?)?;
    let t = texts(&el);
    assert!(
        t.contains(&"Modo principal de transporte por macrodistrito".to_owned()),
        "{t:?}"
    );
    assert!(t.contains(&"Total".to_owned()));
    assert!(t.contains(&"Mi Teleférico".to_owned()));
    check_png(&from_data.to_png()?, 760, 440)?;
    save_both(
        "apiladas",
        |p| from_data.save_svg(p),
        |p| from_data.save_png(p),
    )?;
    let en = from_data.language(Language::En);
    let t = texts(&parse_svg(&en.to_svg()?)?);
    assert!(t.contains(&"Cable car".to_owned()), "{t:?}");
    // A mean table is refused with a hint.
    let err = StackedBars::from_table(&income_by_macro(&d)?)
        .err()
        .ok_or("accepted a mean")?;
    assert!(err.to_string().contains("proporciones"));
    Ok(())
}

#[test]
fn chart_errors_name_the_column() -> TestResult {
    let d = design()?;
    let err = Histogram::new(&d, "ingres").err().ok_or("no error")?;
    assert!(err.to_string().contains("`ingres` no existe"), "{err}");
    assert!(err.to_string().contains("ingreso"));
    let err = Histogram::new(&d, "modo").err().ok_or("no error")?;
    assert!(err.to_string().contains("debe ser numérica"), "{err}");
    let err = Pyramid::new(&d, "modo", "edad").err().ok_or("no error")?;
    assert!(err.to_string().contains("dos categorías"), "{err}");
    let missing_dir = out_dir().join("no-such-dir").join("x.png");
    let err = BarChart::new(&income_by_macro(&d)?)
        .save_png(&missing_dir)
        .err()
        .ok_or("no error")?;
    assert!(matches!(err, PlotError::Io { .. }));
    Ok(())
}

#[test]
fn chart_html_embeds_the_svg_with_a_text_fallback() -> TestResult {
    let d = design()?;
    let html = BarChart::new(&income_by_macro(&d)?).to_html()?;
    assert!(
        html.as_html()
            .contains("<div class=\"chart\"><svg width=\"760\" height=\"440\" role=\"img\"")
    );
    assert!(html.as_text().contains("Zongo"));
    Ok(())
}

/// Writes every display on one HTML page (`target/tmp/present/pagina.html`)
/// as a notebook would stack them, to be opened in a browser; checks that
/// each fragment is a self-contained `lpz` block.
#[test]
fn review_page_with_every_display() -> TestResult {
    let d = design()?;
    let cb = Codebook::from_toml_str(CODEBOOK)?;
    let table = income_by_macro(&d)?;
    let props = d.by(["macrodistrito"])?.prop("modo")?;
    let fragments = [
        d.html().into_html(),
        table.html().into_html(),
        props.html().into_html(),
        table.estimates().first().ok_or("empty")?.html().into_html(),
        cb.variable("modo").ok_or("no modo")?.html().into_html(),
        cb.html().into_html(),
        d.data().html().into_html(),
        BarChart::new(&table).unit("Bs/mes").to_html()?.into_html(),
        StackedBars::from_table(&props)?.to_html()?.into_html(),
    ];
    for f in &fragments {
        assert!(f.starts_with("<div class=\"lpz\"><style>"));
        assert!(f.ends_with("</div>"));
        assert_eq!(f.matches("<style>").count(), 1);
    }
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>lapaz-survey present</title></head>\
         <body style=\"font-family:sans-serif;margin:16px;background:#f7f7f7\">{}</body></html>",
        fragments
            .iter()
            .map(|f| format!("<div style=\"margin:12px 0\">{f}</div>"))
            .collect::<String>()
    );
    std::fs::write(out_dir().join("pagina.html"), page)?;
    Ok(())
}

#[test]
fn proportion_charts_pick_one_category_and_show_percentages() -> TestResult {
    let d = design()?;
    let table = d.by(["macrodistrito"])?.prop("modo")?;
    let all = BarChart::new(&table);
    assert_eq!(all.len(), table.len());
    let chart = DotChart::new(&table).level("Mi Teleférico").sorted();
    assert_eq!(chart.len(), MACROS.len());
    let t = texts(&parse_svg(&chart.to_svg()?)?);
    assert!(
        // A long title wraps onto a second line.
        t.contains(
            &"Proporción de modo principal de transporte (modo): Mi Teleférico por".to_owned()
        ) && t.contains(&"macrodistrito".to_owned()),
        "{t:?}"
    );
    assert!(t.contains(&"Porcentaje (%)".to_owned()));
    // Printed estimates are percentages of the table's proportions.
    let centro = table
        .find(&["Centro"], Some("Mi Teleférico"))
        .ok_or("no Centro")?;
    let pct = lapaz_survey::present::format_percent(centro.estimate, 1, Language::Es);
    assert!(
        t.iter().any(|s| s.starts_with(&format!("{pct} ("))),
        "{pct} in {t:?}"
    );
    // Domain labels no longer repeat the category.
    assert!(t.contains(&"Centro".to_owned()));
    assert!(!t.iter().any(|s| s == "Centro · Mi Teleférico"));
    check_png(&chart.to_png()?, 760, 440)?;
    save_both("proporciones", |p| chart.save_svg(p), |p| chart.save_png(p))?;
    Ok(())
}

#[test]
fn tests_regressions_and_load_reports_have_spanish_html_views() -> TestResult {
    let survey = lapaz_survey::Survey::embedded()?;
    let households = survey.design()?;

    let test = households.chisq("internet", "quintil")?;
    let html = test.html();
    let h = html.as_html();
    assert!(h.contains("<caption>Prueba de independencia"), "{h}");
    assert!(h.contains(">valor p<"), "{h}");
    // Spanish decimal comma, as everywhere in the notebooks.
    let shown = lapaz_survey::present::format_number(test.statistic, 4, Language::Es);
    assert!(shown.contains(','), "{shown}");
    assert!(h.contains(&shown), "statistic {shown} in {h}");
    assert_eq!(html.as_text(), test.to_string());

    let model = households.lm("yhogpc", ["area"])?;
    let html = model.html();
    let h = html.as_html();
    assert!(h.contains("<caption>Regresión"), "{h}");
    for c in model.coefficients() {
        assert!(
            h.contains(&format!(">{}<", c.term)),
            "term {} in {h}",
            c.term
        );
        let est = lapaz_survey::present::format_number(c.estimate, 4, Language::Es);
        assert!(h.contains(&est), "estimate {est} in {h}");
    }
    assert!(h.contains(">IC 95\u{a0}%<"), "{h}");
    // The interval column names the design's level, not a fixed 95 %.
    let model90 = households.with_level(0.90).lm("yhogpc", ["area"])?;
    assert_eq!(model90.level(), 0.90);
    let h90 = model90.html().into_html();
    assert!(h90.contains(">IC 90\u{a0}%<"), "{h90}");
    assert!(!h90.contains("IC 95"), "{h90}");

    let report = survey.report();
    let h = report.html().into_html();
    for t in &report.tables {
        let read = lapaz_survey::present::format_count(t.rows_read as f64, Language::Es);
        assert!(h.contains(&format!(">{read}<")), "rows read {read} in {h}");
    }
    assert!(h.contains("rechazadas"));
    Ok(())
}
