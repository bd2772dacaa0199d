//! The problem module (tree, validation, SVG diagram, Markdown ficha) and
//! the teaching checks, tested through the public API.
//!
//! Expected numbers are computed here from the inputs (normal 95 % interval
//! z = 1.959963984540054, CV = SE/estimate), never copied from our output.

use lapaz_survey::problem::*;
use lapaz_survey::teaching::*;

const Z95: f64 = 1.959_963_984_540_054;

fn ine(level: Quality, why: &str) -> Reliability {
    Reliability::new(level, why).scheme("INE Chile")
}

fn affected() -> Population {
    Population::new(
        "Personas ocupadas que tardan más de 60 minutos en llegar al trabajo",
        Figure::total("Ocupados con viaje > 60 min", 84_300.0, 5_120.0)
            .unit("personas")
            .n(505)
            .reliability(ine(Quality::Reliable, "")),
    )
}

/// A complete tree: baseline, four causes of every evidence kind, effects,
/// affected population by sex, beneficiaries, synthetic source.
fn full_tree() -> ProblemTree {
    let by_macro = DomainEvidence::new("Tiempo de viaje al trabajo (min)", "macrodistrito").rows([
        Figure::new("Tiempo", 58.2, 2.1)
            .domain("Max Paredes")
            .n(410),
        Figure::new("Tiempo", 41.0, 1.7).domain("Centro").n(380),
        Figure::new("Tiempo", 71.5, 9.8)
            .domain("Hampaturi")
            .n(38)
            .reliability(ine(Quality::Unreliable, "n = 38 < 60")),
    ]);
    ProblemTree::builder()
        .title("Tiempos de viaje en las laderas")
        .sector("Movilidad urbana")
        .team("Equipo Illimani")
        .members(["Ana Mamani", "Luis Quispe"])
        .problem("Largos tiempos de viaje al trabajo en transporte público")
        .baseline(
            Figure::new("Tiempo medio de viaje al trabajo", 47.3, 0.9)
                .unit("min")
                .n(2200)
                .reliability(ine(Quality::Reliable, "")),
        )
        .baseline(
            Figure::proportion("Viajes | en bicicleta", 0.004, 0.002)
                .n(2200)
                .reliability(ine(Quality::Unreliable, "CV 50 % > 30 %")),
        )
        .cause(
            Cause::new("Dependencia del minibús").evidence(
                Figure::proportion("Viajes al trabajo en minibús", 0.5432, 0.021)
                    .ci(0.502, 0.584)
                    .n(2200),
            ),
        )
        .cause(Cause::new("Las laderas están lejos del empleo").evidence(by_macro))
        .cause(
            Cause::new("Hogares pobres no pagan modos rápidos").evidence(
                TestEvidence::new("χ² de Rao–Scott", "Modo × quintil de ingreso")
                    .statistic("F", 6.31)
                    .df(7.4, Some(2480.2))
                    .p_value(0.0002),
            ),
        )
        .cause("Congestión en el centro")
        .effect("Menos horas de descanso")
        .effect(
            Effect::new("Mayor gasto en transporte")
                .evidence(Figure::new("Gasto diario en transporte", 9.4, 0.3).unit("Bs")),
        )
        .affected(
            affected().by(DomainEvidence::new("Afectados", "sexo").rows([
                Figure::total("Afectados", 46_100.0, 3_300.0).domain("Mujer"),
                Figure::total("Afectados", 38_200.0, 3_050.0).domain("Hombre"),
            ])),
        )
        .direct_beneficiaries(Population::new(
            "Usuarios de transporte público de las laderas",
            Figure::total("Usuarios", 152_000.0, 8_400.0).unit("personas"),
        ))
        .indirect_beneficiaries(Population::new(
            "Miembros de sus hogares",
            Figure::total("Miembros", 410_000.0, 21_000.0).unit("personas"),
        ))
        .source(DataSource::emh_synthetic())
        .date("2024-05-10")
        .build()
        .expect("a complete tree builds")
}

/// Formats a whole number with the house's thousands point.
fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

// ---------------------------------------------------------------- validation

#[test]
fn a_tree_without_a_central_problem_is_an_error_in_spanish() {
    let err = ProblemTree::builder()
        .affected(affected())
        .build()
        .expect_err("no problem stated");
    assert!(matches!(err, ProblemError::MissingProblem));
    let msg = err.to_string();
    assert!(msg.contains("Falta el problema central"), "{msg}");
    assert!(
        msg.contains(".problem("),
        "the message says how to fix it: {msg}"
    );

    // Blank text is no problem statement either.
    let err = ProblemTree::builder()
        .problem("   ")
        .affected(affected())
        .build()
        .expect_err("blank problem");
    assert!(matches!(err, ProblemError::MissingProblem));
}

#[test]
fn a_tree_without_quantified_affected_population_is_an_error_in_spanish() {
    let err = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .cause("Dependencia del minibús")
        .build()
        .expect_err("no affected population");
    assert!(matches!(err, ProblemError::MissingAffected));
    let msg = err.to_string();
    assert!(msg.contains("población afectada"), "{msg}");
    assert!(msg.contains("error estándar"), "{msg}");
}

#[test]
fn affected_population_and_beneficiaries_must_be_totals() {
    let share = Population::new(
        "Ocupados con viajes largos",
        Figure::proportion("Proporción con viaje > 60 min", 0.23, 0.01),
    );
    let err = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(share.clone())
        .build()
        .expect_err("a proportion is not a population");
    let msg = err.to_string();
    assert!(matches!(err, ProblemError::NotATotal { .. }));
    assert!(
        msg.contains("es una proporción") && msg.contains("debe ser un total"),
        "{msg}"
    );

    let err = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .direct_beneficiaries(share)
        .build()
        .expect_err("beneficiaries are checked too");
    assert!(err.to_string().contains("beneficiarios directos"), "{err}");
}

#[test]
fn figures_without_usable_numbers_are_named_with_their_place() {
    let err = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .cause(Cause::new("Minibús").evidence(Figure::new("Viajes en minibús", 0.5, f64::NAN)))
        .build()
        .expect_err("an SE that is NaN");
    let msg = err.to_string();
    assert!(matches!(err, ProblemError::InvalidFigure { .. }));
    assert!(
        msg.contains("Viajes en minibús") && msg.contains("causa 1"),
        "{msg}"
    );
    assert!(msg.contains("error estándar"), "{msg}");

    let err = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .baseline(Figure::new("Tiempo", 40.0, 1.0).ci(45.0, 35.0))
        .build()
        .expect_err("an inverted interval");
    assert!(err.to_string().contains("línea base"), "{err}");
}

#[test]
fn more_than_six_causes_or_an_empty_cause_is_an_error() {
    let mut b = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected());
    for i in 0..7 {
        b = b.cause(format!("Causa {i}"));
    }
    let err = b.build().expect_err("seven causes");
    assert!(matches!(
        err,
        ProblemError::TooMany {
            found: 7,
            max: 6,
            ..
        }
    ));
    assert!(err.to_string().contains("7 causas"), "{err}");

    let err = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .cause("Minibús")
        .cause(" ")
        .build()
        .expect_err("an empty cause");
    assert!(err.to_string().contains("causa 2"), "{err}");
}

#[test]
fn a_minimal_tree_builds_and_keeps_what_was_given() {
    let t = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .build()
        .expect("problem and affected population suffice");
    assert_eq!(t.problem(), "Largos tiempos de viaje");
    assert_eq!(t.title(), "Largos tiempos de viaje");
    assert!(t.causes().is_empty() && t.effects().is_empty());
    assert_eq!(t.affected().total.estimate, 84_300.0);
    // Without a date, today's date in ISO form.
    let d = t.date();
    assert_eq!(d.len(), 10, "{d}");
    assert!(
        d.starts_with("20") && &d[4..5] == "-" && &d[7..8] == "-",
        "{d}"
    );
}

// ------------------------------------------------------------------- figures

#[test]
fn figure_defaults_to_the_normal_95_interval_and_the_cv() {
    let f = Figure::total("Hogares", 48_210.0, 3_105.0);
    assert!((f.ci_low - (48_210.0 - Z95 * 3_105.0)).abs() < 1e-9);
    assert!((f.ci_high - (48_210.0 + Z95 * 3_105.0)).abs() < 1e-9);
    assert!((f.cv - 3_105.0 / 48_210.0).abs() < 1e-15);
    assert_eq!(f.level, 0.95);
    assert_eq!(f.ci_label(), "IC\u{a0}95\u{a0}%");
}

// --------------------------------------------------------------------- ficha

#[test]
fn ficha_carries_every_number_with_se_ci_and_cv() {
    let md = full_tree().ficha().to_markdown();

    // Affected population: estimate, SE, CI computed here, CV, n, flag.
    let lo = grouped(84_300.0 - Z95 * 5_120.0);
    let hi = grouped(84_300.0 + Z95 * 5_120.0);
    let row = format!(
        "| Ocupados con viaje > 60 min | 84.300 personas | 5.120 | {lo} a {hi} | 6,1\u{a0}% | 505 | fiable (INE Chile) |"
    );
    assert!(md.contains(&row), "missing row {row}\n{md}");
    assert_eq!(lo, "74.265");

    // Beneficiaries, direct and indirect, with their intervals.
    for (est, se) in [(152_000.0, 8_400.0), (410_000.0, 21_000.0)] {
        let cell = format!(
            "| {} personas | {} | {} a {} |",
            grouped(est),
            grouped(se),
            grouped(est - Z95 * se),
            grouped(est + Z95 * se)
        );
        assert!(md.contains(&cell), "missing {cell}");
    }

    // Proportions as percentages, their SE in points, the interval given.
    assert!(
        md.contains("| Viajes al trabajo en minibús | 54,3\u{a0}% | 2,1\u{a0}pp | 50,2\u{a0}% a 58,4\u{a0}% |"),
        "{md}"
    );
    // A mean with the decimals that give its SE two significant digits
    // (0.9 → 0,90), unit kept.
    assert!(
        md.contains("| Tiempo medio de viaje al trabajo | 47,30 min | 0,90 |"),
        "{md}"
    );
    // Breakdown by domain, labelled by the domain.
    assert!(md.contains("Por sexo:"), "{md}");
    assert!(md.contains("| Mujer | 46.100 | 3.300 |"), "{md}");
    // Test and model evidence.
    assert!(md.contains("F = 6,31"), "{md}");
    assert!(md.contains("gl = 7,4 y 2.480,2"), "{md}");
    assert!(md.contains("p\u{a0}<\u{a0}0,001"), "{md}");
    assert!(md.contains("diferencia significativa al 5\u{a0}%"), "{md}");
}

#[test]
fn ficha_has_the_sections_a_team_hands_in_in_order() {
    let md = full_tree().ficha().to_markdown();
    let order = [
        "# Ficha del problema: Tiempos de viaje en las laderas",
        "| **Sector** | Movilidad urbana |",
        "| **Equipo** | Equipo Illimani |",
        "| **Integrantes** | Ana Mamani, Luis Quispe |",
        "| **Fecha** | 2024-05-10 |",
        "## 1. Problema central",
        "> Largos tiempos de viaje al trabajo en transporte público",
        "## 2. Indicadores de línea base",
        "## 3. Población afectada",
        "## 4. Causas y evidencia",
        "### 4.1 Dependencia del minibús",
        "### 4.4 Congestión en el centro",
        "## 5. Efectos",
        "### 5.2 Mayor gasto en transporte",
        "## 6. Beneficiarios",
        "### Beneficiarios directos",
        "### Beneficiarios indirectos",
        "## 7. Notas de fiabilidad",
        "## 8. Fuente y notas metodológicas",
        "_Ficha generada con lapaz-survey",
    ];
    let mut from = 0;
    for part in order {
        let at = md[from..]
            .find(part)
            .unwrap_or_else(|| panic!("«{part}» missing or out of order\n{md}"));
        from += at + part.len();
    }
    // A cause without evidence is marked as a hypothesis.
    let congestion = md.find("### 4.4").expect("cause 4");
    assert!(md[congestion..].starts_with("### 4.4 Congestión en el centro\n\n_Hipótesis"));
}

#[test]
fn ficha_notes_every_figure_a_flag_calls_unreliable() {
    let md = full_tree().ficha().to_markdown();
    let notes = &md[md.find("## 7. Notas de fiabilidad").expect("section 7")..];
    let notes = &notes[..notes.find("## 8.").expect("section 8")];
    // Baseline figure and a domain of a cause's evidence, each with place and reason.
    assert!(
        notes.contains("✖ «Viajes \\| en bicicleta» (línea base)"),
        "{notes}"
    );
    assert!(notes.contains("CV 50 % > 30 %"), "{notes}");
    assert!(notes.contains("«Tiempo — Hampaturi» (causa 2)"), "{notes}");
    assert!(notes.contains("n = 38 < 60"), "{notes}");
    assert_eq!(notes.matches("**No es fiable**").count(), 2, "{notes}");
    // Flag column in the tables.
    assert!(
        md.contains("| ✖ no fiable (n = 38 < 60; INE Chile) |"),
        "{md}"
    );
    // Figures never assessed are counted, not called reliable.
    assert!(notes.contains("«sin evaluar»"), "{notes}");

    // A caution flag gets its own advice.
    let t = ProblemTree::builder()
        .problem("Poco uso del teleférico")
        .affected(affected())
        .baseline(
            Figure::proportion("Usa Mi Teleférico", 0.071, 0.016)
                .reliability(ine(Quality::Caution, "CV 22,5 %")),
        )
        .build()
        .expect("builds");
    let md = t.ficha().to_markdown();
    assert!(md.contains("⚠ «Usa Mi Teleférico» (línea base)"), "{md}");
    assert!(md.contains("**Poco fiable**"), "{md}");
    assert!(!md.contains("**No es fiable**"), "{md}");
}

#[test]
fn ficha_without_flags_says_so_and_has_no_unreliable_note() {
    let t = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .source(DataSource::new("Encuesta Municipal de Hogares 2023, GAMLP"))
        .date("2024-05-10")
        .build()
        .expect("builds");
    let md = t.ficha().to_markdown();
    assert!(md.contains("Ninguna cifra evaluada tiene una bandera de baja fiabilidad."));
    assert!(!md.contains("No es fiable"));
    assert!(!md.contains('✖') && !md.contains('⚠'), "{md}");
    // A real source is not called synthetic.
    assert!(!md.contains("sintétic"), "{md}");
    assert!(md.contains("| **Fuente de datos** | Encuesta Municipal de Hogares 2023, GAMLP |"));
}

#[test]
fn ficha_labels_synthetic_data_and_states_the_method() {
    let md = full_tree().ficha().to_markdown();
    assert!(md.contains("(datos sintéticos)"), "{md}");
    assert!(md.contains("> **Datos sintéticos.**"), "{md}");
    assert!(md.contains("linealización de Taylor"), "{md}");
    assert!(md.contains("basados en el diseño muestral"), "{md}");
    assert!(
        md.contains("Fiabilidad evaluada según el criterio INE Chile."),
        "{md}"
    );

    let t = ProblemTree::builder()
        .problem("Largos tiempos de viaje")
        .affected(affected())
        .design_note("estratos: macrodistrito × área; UPM: manzanas")
        .build()
        .expect("builds");
    let md = t.ficha().to_markdown();
    assert!(md.contains("- Diseño: estratos: macrodistrito × área; UPM: manzanas."));
    // No source given: said plainly.
    assert!(
        md.contains("| **Fuente de datos** | ⚠ no indicada |"),
        "{md}"
    );
}

/// Splits a Markdown table row into cells at unescaped pipes.
fn cells(row: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in row.chars() {
        if c == '|' && !escaped {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

#[test]
fn ficha_escapes_text_that_would_break_tables_or_markdown() {
    let t = ProblemTree::builder()
        .title("Título con *asteriscos* y _guiones_")
        .problem("Problema con | barra\ny salto de línea")
        .affected(Population::new(
            "Afectados",
            Figure::total("Hogares | sin agua", 1_000.0, 100.0).domain("Zona [sur]"),
        ))
        .cause(
            Cause::new("Causa <b>HTML</b>").evidence(
                DomainEvidence::new("Tasa", "macro|distrito")
                    .row(Figure::new("Tasa", 1.0, 0.1).domain("A|B")),
            ),
        )
        .build()
        .expect("builds");
    let md = t.ficha().to_markdown();
    assert!(
        md.contains("# Ficha del problema: Título con \\*asteriscos\\* y \\_guiones\\_"),
        "{md}"
    );
    assert!(
        md.contains("> Problema con \\| barra y salto de línea"),
        "{md}"
    );
    assert!(md.contains("Causa \\<b>HTML\\</b>"), "{md}");
    // Every table row has exactly the header's number of cells.
    let mut rows = 0;
    for line in md.lines().filter(|l| {
        l.starts_with("| ") && l.contains("Estimación")
            || l.starts_with("| Hogares")
            || l.starts_with("| A")
    }) {
        assert_eq!(cells(line).len(), 9, "7 columns + 2 edges: {line}");
        rows += 1;
    }
    assert!(rows >= 4, "{md}");
    assert!(
        md.contains("| Hogares \\| sin agua — Zona \\[sur\\] |"),
        "{md}"
    );
    assert!(md.contains("| A\\|B |"), "{md}");
}

#[test]
fn ficha_saves_to_a_file_and_names_the_file_when_it_cannot() {
    let dir = std::env::temp_dir().join(format!("lapaz-ficha-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ficha = full_tree().ficha();
    let path = dir.join("ficha.md");
    ficha.save(&path).expect("writes");
    let written = std::fs::read_to_string(&path).expect("reads back");
    assert_eq!(written, ficha.to_markdown());
    assert_eq!(written, ficha.to_string());

    ficha.save_with_diagram(&path).expect("writes both");
    let svg = std::fs::read_to_string(dir.join("ficha.svg")).expect("diagram written");
    assert!(svg.starts_with("<svg"));
    let written = std::fs::read_to_string(&path).expect("reads back");
    assert!(
        written.contains("![Árbol de problemas](ficha.svg)"),
        "{written}"
    );

    let bad = dir.join("no-existe").join("ficha.md");
    let err = ficha.save(&bad).expect_err("missing folder");
    assert!(matches!(err, ProblemError::Write { .. }));
    assert!(err.to_string().contains("no-existe"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ----------------------------------------------------------------------- svg

/// Text of a group: its `<text>` lines joined by spaces.
fn group_text(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words of `statement` appear in order in `text` (lines may wrap).
fn contains_words(text: &str, statement: &str) -> bool {
    let mut from = 0;
    for word in statement.split_whitespace() {
        match text[from..].find(word) {
            Some(i) => from += i + word.len(),
            None => return false,
        }
    }
    true
}

/// (x, y, width, height) of a group's rect.
fn rect_of(node: roxmltree::Node<'_, '_>) -> (f64, f64, f64, f64) {
    let r = node
        .children()
        .find(|n| n.has_tag_name("rect"))
        .expect("a box has a rect");
    let num = |a: &str| {
        r.attribute(a)
            .and_then(|v| v.parse::<f64>().ok())
            .expect("numeric")
    };
    (num("x"), num("y"), num("width"), num("height"))
}

fn groups<'a, 'i>(doc: &'a roxmltree::Document<'i>, class: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some(class))
        .collect()
}

#[test]
fn svg_draws_effects_above_the_problem_above_the_causes() {
    let tree = full_tree();
    let svg = tree.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let effects = groups(&doc, "efecto");
    let problem = groups(&doc, "problema");
    let causes = groups(&doc, "causa");
    assert_eq!((effects.len(), problem.len(), causes.len()), (2, 1, 4));

    let (_, py, _, ph) = rect_of(problem[0]);
    for e in &effects {
        let (_, y, _, h) = rect_of(*e);
        assert!(y + h < py, "effects end above the problem");
    }
    for c in &causes {
        let (_, y, _, _) = rect_of(*c);
        assert!(y > py + ph, "causes start below the problem");
    }
    // Every statement is there, in its own box.
    for (g, cause) in causes.iter().zip(tree.causes()) {
        assert!(contains_words(&group_text(*g), &cause.statement));
    }
    let ptext = group_text(problem[0]);
    assert!(contains_words(&ptext, tree.problem()));
    // The affected population with SE and CI.
    assert!(ptext.contains("Población afectada"), "{ptext}");
    assert!(ptext.contains("84.300 personas"), "{ptext}");
    assert!(ptext.contains("EE\u{a0}5.120"), "{ptext}");
    assert!(ptext.contains("74.265 a 94.335"), "{ptext}");
    // Beneficiaries and the synthetic-data source line.
    assert_eq!(groups(&doc, "beneficiarios").len(), 2);
    assert!(svg.contains("(datos sintéticos)"));
    assert!(svg.contains("Árbol de problemas"));
}

#[test]
fn svg_marks_unreliable_figures_visibly() {
    let svg = full_tree().to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let causes = groups(&doc, "causa");
    // Cause 2 rests on an unreliable domain: red mark, dashed border.
    let c2 = causes[1];
    let flagged: Vec<_> = c2
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.contains('✖')))
        .collect();
    assert!(!flagged.is_empty(), "{}", group_text(c2));
    assert!(
        flagged
            .iter()
            .all(|n| n.attribute("fill") == Some("#b42318"))
    );
    let rect = c2
        .children()
        .find(|n| n.has_tag_name("rect"))
        .expect("rect");
    assert!(rect.attribute("stroke-dasharray").is_some());
    // Cause 1 is reliable with evidence: solid border, no mark.
    let c1 = causes[0];
    let rect = c1
        .children()
        .find(|n| n.has_tag_name("rect"))
        .expect("rect");
    assert!(rect.attribute("stroke-dasharray").is_none());
    assert!(!group_text(c1).contains('✖'));
    // The legend explains the marks.
    assert!(svg.contains("no fiable: no usar como cifra"));
}

#[test]
fn svg_wraps_long_spanish_text_and_fits_one_to_six_branches() {
    let long = "Insuficiente cobertura y frecuencia del transporte público formal en las \
                zonas periurbanas de las laderas, con rutas que no conectan con los centros \
                de empleo y estudio";
    for n in 1..=6 {
        let mut b = ProblemTree::builder().problem(long).affected(affected());
        for i in 0..n {
            b = b
                .cause(format!("{long} ({i})"))
                .effect(format!("Efecto {i}: {long}"));
        }
        let tree = b.build().expect("builds");
        let svg = tree.to_svg();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let width: f64 = doc
            .root_element()
            .attribute("width")
            .and_then(|w| w.parse().ok())
            .expect("width");
        for class in ["causa", "efecto"] {
            let gs = groups(&doc, class);
            assert_eq!(gs.len(), n);
            let mut right_edge = 0.0;
            for g in &gs {
                let (x, y, w, h) = rect_of(*g);
                assert!(x >= right_edge, "{class} boxes overlap with {n} branches");
                right_edge = x + w;
                assert!(right_edge <= width, "{class} box leaves the canvas");
                // Wrapped: several lines, all inside the box, no word lost.
                let texts: Vec<_> = g.descendants().filter(|t| t.has_tag_name("text")).collect();
                assert!(texts.len() > 2, "long text wraps");
                for t in &texts {
                    let ty: f64 = t.attribute("y").and_then(|v| v.parse().ok()).expect("y");
                    assert!(ty > y && ty < y + h, "line outside its box");
                }
                assert!(contains_words(&group_text(*g), long));
            }
        }
    }
}

#[test]
fn svg_escapes_markup_in_text() {
    let t = ProblemTree::builder()
        .problem("Agua < 20 litros & \"cortes\"")
        .affected(affected())
        .build()
        .expect("builds");
    let svg = t.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed despite < & \"");
    let p = groups(&doc, "problema");
    assert!(group_text(p[0]).contains("Agua < 20 litros & \"cortes\""));
    // Placeholders when causes and effects are still to be defined.
    assert_eq!(groups(&doc, "causa por-definir").len(), 1);
    assert_eq!(groups(&doc, "efecto por-definir").len(), 1);
}

#[test]
fn html_shows_the_diagram_and_the_baseline_table_and_text_summarises() {
    let tree = full_tree();
    let html = tree.to_html();
    assert!(
        html.starts_with("<div class=\"chart lapaz-problem-tree\""),
        "{html}"
    );
    assert!(html.contains("<svg"));
    // Baseline rows in the house classes: the unreliable one shaded "bad"
    // with its badge; the reliable one with an "ok" badge.
    assert!(
        html.contains("<caption>Indicadores de línea base"),
        "{html}"
    );
    assert!(
        html.contains("<tr class=\"bad\"><td class=\"l k\">Viajes | en bicicleta</td>"),
        "{html}"
    );
    assert!(html.contains("<span class=\"b bad\" title=\"no fiable (CV 50 % &gt; 30 %; INE Chile)\">✖ no fiable</span>"), "{html}");
    assert!(
        html.contains("<td class=\"l k\">Tiempo medio de viaje al trabajo</td><td>47,30 min</td>"),
        "{html}"
    );
    assert!(html.contains("<span class=\"b ok\""), "{html}");
    assert!(html.contains("arbol.ficha().save"), "{html}");

    let text = tree.to_string();
    assert!(
        text.starts_with("ÁRBOL DE PROBLEMAS — Movilidad urbana\n"),
        "{text}"
    );
    assert!(
        text.contains("Problema central: Largos tiempos de viaje al trabajo en transporte público")
    );
    assert!(text.contains("Población afectada: Personas ocupadas que tardan más de 60 minutos en llegar al trabajo: 84.300 personas (EE\u{a0}5.120;"), "{text}");
    assert!(
        text.contains("  4. Congestión en el centro\n     hipótesis: sin evidencia cuantitativa"),
        "{text}"
    );
    assert!(
        text.contains("Beneficiarios indirectos: Miembros de sus hogares: 410.000 personas"),
        "{text}"
    );
    assert!(text.contains("Fuente: Encuesta Municipal de Hogares 2023 (EMH 2023), GAMLP — réplica (datos sintéticos)"), "{text}");
}

// ------------------------------------------------------------------ teaching

#[test]
fn number_checks_accept_within_tolerance_and_explain_otherwise() {
    let ok = check_number("1.1", 0.2312, 0.231, Tolerance::Absolute(0.001));
    assert!(ok.passed());
    assert_eq!(ok.outcome(), Outcome::Correct);
    assert!(ok.to_string().starts_with("✔ 1.1 — ¡Correcto!"), "{ok}");
    assert_eq!(ok.shown_hint(), None);
    assert!(ok.failure_line().is_none());

    let high = check_number("1.1", 0.25, 0.231, Tolerance::Absolute(0.001));
    assert_eq!(high.outcome(), Outcome::Incorrect);
    assert!(
        high.feedback().contains("es mayor que la referencia"),
        "{high}"
    );
    let low = check_number("1.1", 0.20, 0.231, Tolerance::Relative(0.01));
    assert!(low.feedback().contains("es menor"), "{low}");
    // Relative tolerance: 1 % of 231 is 2.31.
    assert!(check_number("x", 233.0, 231.0, Tolerance::Relative(0.01)).passed());
    assert!(!check_number("x", 234.0, 231.0, Tolerance::Relative(0.01)).passed());

    // Scale slips get a specific hint.
    let pct = check_number("1.1", 23.1, 0.231, Tolerance::Absolute(0.001));
    assert!(
        pct.shown_hint().is_some_and(|h| h.contains("porcentaje")),
        "{pct}"
    );
    let prop = check_number("1.1", 0.231, 23.1, Tolerance::Absolute(0.1));
    assert!(
        prop.shown_hint().is_some_and(|h| h.contains("proporción")),
        "{prop}"
    );
    // Close but not within tolerance.
    let close = check_number("1.1", 0.236, 0.231, Tolerance::Absolute(0.001));
    assert!(
        close.shown_hint().is_some_and(|h| h.contains("cerca")),
        "{close}"
    );
    // The author's hint replaces the automatic one.
    let own = check_number("1.1", 23.1, 0.231, Tolerance::Absolute(0.001))
        .hint("Usa la media ponderada.");
    assert_eq!(own.shown_hint(), Some("Usa la media ponderada."));
    assert!(
        own.to_string()
            .contains("\n  Pista: Usa la media ponderada.")
    );

    // Placeholders mean "not answered yet".
    for unanswered in [
        check_number("1.1", f64::NAN, 0.231, Tolerance::Absolute(0.001)),
        check_number("1.1", None, 0.231, Tolerance::Absolute(0.001)),
    ] {
        assert_eq!(unanswered.outcome(), Outcome::Unanswered);
        assert!(unanswered.feedback().contains("Todavía no hay respuesta"));
    }
}

#[test]
fn estimate_checks_tell_a_wrong_estimate_from_a_wrong_standard_error() {
    let reference = Figure::proportion("Usa minibús", 0.5432, 0.0210);
    let tol = Tolerance::Relative(0.01);
    assert!(check_estimate("2.1", (0.5431, 0.0209), &reference, tol).passed());
    assert!(check_estimate("2.1", reference.clone(), (0.5432, 0.021), tol).passed());

    // Right estimate, SE as if simple random sampling (too small).
    let srs = check_estimate("2.1", (0.5432, 0.0110), &reference, tol);
    assert!(!srs.passed());
    assert!(
        srs.feedback()
            .contains("es correcta, pero su error estándar"),
        "{srs}"
    );
    assert!(
        srs.shown_hint()
            .is_some_and(|h| h.contains("conglomerados")),
        "{srs}"
    );
    let big = check_estimate("2.1", (0.5432, 0.0400), &reference, tol);
    assert!(
        big.shown_hint().is_some_and(|h| h.contains("mayor")),
        "{big}"
    );

    // Wrong estimate (unweighted): the hint points at the weights.
    let unweighted = check_estimate("2.1", (0.61, 0.021), &reference, tol);
    assert!(
        unweighted
            .feedback()
            .contains("es mayor que la de referencia"),
        "{unweighted}"
    );
    assert!(
        unweighted
            .shown_hint()
            .is_some_and(|h| h.contains("factor de expansión"))
    );

    let none: Option<Figure> = None;
    assert_eq!(
        check_estimate("2.1", none, &reference, tol).outcome(),
        Outcome::Unanswered
    );
    assert_eq!(
        check_estimate("2.1", (f64::NAN, f64::NAN), &reference, tol).outcome(),
        Outcome::Unanswered
    );
}

#[test]
fn choice_bool_and_option_checks() {
    assert!(check_choice("3.1", "  MINIBUS. ", "Minibús").passed());
    assert!(check_choice("3.1", "mi   teleférico", "Mi Teleférico").passed());
    let wrong = check_choice("3.1", "Trufi", "Minibús");
    assert!(!wrong.passed());
    assert!(
        wrong
            .feedback()
            .contains("«Trufi» no es la respuesta esperada")
    );
    assert_eq!(
        check_choice("3.1", "", "Minibús").outcome(),
        Outcome::Unanswered
    );
    // ñ is a letter of its own.
    assert!(!check_choice("3.1", "Ano", "Año").passed());

    assert!(check_bool("3.2", true, true).passed());
    assert!(check_bool("3.2", Some(false), false).passed());
    assert!(!check_bool("3.2", false, true).passed());
    assert_eq!(check_bool("3.2", None, true).outcome(), Outcome::Unanswered);

    assert!(check_options("3.3", "a, c", ["c", "a"]).passed());
    assert!(check_options("3.3", vec!["A", "C"], ["a", "c"]).passed());
    let partial = check_options("3.3", "a b", ["a", "c"]);
    assert!(!partial.passed());
    assert!(
        partial.feedback().contains("Te falta 1 opción correcta"),
        "{partial}"
    );
    assert!(
        partial
            .feedback()
            .contains("1 de las que elegiste no es correcta"),
        "{partial}"
    );
    assert_eq!(
        check_options("3.3", "", ["a"]).outcome(),
        Outcome::Unanswered
    );
}

#[test]
fn failed_checks_are_detectable_by_the_notebook_harness() {
    let bad = check_number("Ejercicio 4.2", 1.0, 2.0, Tolerance::Absolute(0.1));
    let line = bad
        .failure_line()
        .expect("a failed check has a failure line");
    assert!(line.starts_with(FAILURE_MARKER), "{line}");
    assert!(
        line.contains("Ejercicio 4.2") && line.contains("incorrecto"),
        "{line}"
    );
    let err = bad.clone().require().expect_err("require fails");
    assert!(err.to_string().contains("Ejercicio 4.2"));
    let crate_err: lapaz_survey::Error = err.into();
    assert!(crate_err.to_string().contains("incorrecto"));

    let html = bad.to_html();
    assert!(html.contains("data-lapaz-check=\"incorrecto\""), "{html}");
    assert!(html.contains("✘"));
    let unanswered = check_number("4.3", f64::NAN, 2.0, Tolerance::Absolute(0.1));
    assert!(
        unanswered
            .to_html()
            .contains("data-lapaz-check=\"sin-respuesta\"")
    );
    assert!(
        unanswered
            .failure_line()
            .is_some_and(|l| l.contains("sin respuesta"))
    );

    let good = check_number("4.4", 2.0, 2.0, Tolerance::Absolute(0.1));
    assert!(good.to_html().contains("data-lapaz-check=\"correcto\""));
    assert!(good.clone().require().is_ok());
    // Feedback text is escaped in HTML.
    let html = check_choice("4.5", "<script>", "x").to_html();
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "{html}"
    );
}

// ------------------------------------------------- from the estimation core

mod from_core {
    use lapaz_survey::design::{DesignSpec, SurveyDesign};
    use lapaz_survey::polars::prelude::*;
    use lapaz_survey::problem::*;
    use lapaz_survey::teaching::{Tolerance, check_estimate};

    /// 3 strata × 4 PSUs × 6 persons: enough to estimate, too few for the
    /// INE Chile rule (n < 60 makes every estimate "no fiable").
    fn design() -> SurveyDesign {
        let mut estrato = Vec::new();
        let mut upm = Vec::new();
        let mut factor = Vec::new();
        let mut afectado = Vec::new();
        let mut tiempo = Vec::new();
        let mut sexo = Vec::new();
        for s in 0..3 {
            for u in 0..4 {
                for k in 0..6 {
                    estrato.push(format!("E{s}"));
                    upm.push(s * 10 + u);
                    factor.push(100.0 + 25.0 * f64::from(s) + 5.0 * f64::from(u));
                    afectado.push(f64::from(u8::from((s + u + k) % 3 == 0)));
                    tiempo.push(30.0 + 7.0 * f64::from(s) + 3.0 * f64::from(u) + f64::from(k));
                    sexo.push(if k % 2 == 0 { "Mujer" } else { "Hombre" });
                }
            }
        }
        let df = df![
            "estrato" => estrato,
            "upm" => upm,
            "factor" => factor,
            "afectado" => afectado,
            "tiempo" => tiempo,
            "sexo" => sexo,
        ]
        .expect("frame");
        let spec = DesignSpec::new()
            .weights("factor")
            .strata("estrato")
            .cluster("upm");
        SurveyDesign::new(df, spec).expect("design")
    }

    #[test]
    fn an_estimate_becomes_a_figure_with_the_same_numbers_and_flag() {
        let d = design();
        let table = d.total("afectado").expect("total");
        let e = &table.estimates()[0];
        let f = Figure::from(e);
        assert_eq!(f.statistic, Statistic::Total);
        assert_eq!(f.estimate, e.estimate);
        assert_eq!(f.se, e.se);
        assert_eq!(
            (f.ci_low, f.ci_high, f.level),
            (e.ci.low, e.ci.high, e.ci.level)
        );
        assert_eq!(f.cv, e.cv);
        assert_eq!(f.n, Some(e.n_cases as u64));
        assert_eq!(f.label, "afectado");
        // Whatever class the core's rule gave, the figure carries it and
        // explains a flag that is not "fiable".
        match e.quality {
            Quality::NotAssessed => assert!(f.reliability.is_none()),
            q => {
                let r = f.reliability.as_ref().expect("flag kept");
                assert_eq!(r.level, q);
                if q != Quality::Reliable {
                    assert!(
                        r.reason.contains("CV") && r.reason.contains("gl ="),
                        "{}",
                        r.reason
                    );
                }
            }
        }
        // Relabel for the tree.
        let f = f.label("Personas afectadas");
        assert_eq!(f.label, "Personas afectadas");
    }

    #[test]
    fn a_domain_table_becomes_domain_evidence_labelled_by_domain() {
        let d = design();
        let by_sex = d.by(["sexo"]).expect("by").mean("tiempo").expect("mean");
        let ev = DomainEvidence::from_table("Tiempo de viaje (min)", &by_sex);
        assert_eq!(ev.rows.len(), by_sex.len());
        assert_eq!(ev.title, "Tiempo de viaje (min)");
        let mut domains: Vec<&str> = ev.rows.iter().filter_map(|r| r.domain.as_deref()).collect();
        domains.sort_unstable();
        assert_eq!(domains, ["Hombre", "Mujer"]);
        for (row, e) in ev.rows.iter().zip(by_sex.estimates()) {
            assert_eq!((row.estimate, row.se), (e.estimate, e.se));
        }
        // Default title from the statistic and variable.
        let plain = DomainEvidence::from(&by_sex);
        assert_eq!(plain.title, "media de tiempo");
    }

    #[test]
    fn a_tree_takes_estimates_tables_and_the_design_directly() {
        let d = design();
        let total = d.total("afectado").expect("total");
        let total_by_sex = d
            .by(["sexo"])
            .expect("by")
            .total("afectado")
            .expect("total");
        let mean_by_sex = d.by(["sexo"]).expect("by").mean("tiempo").expect("mean");
        let e = &total.estimates()[0];
        let tree = ProblemTree::builder()
            .problem("Largos tiempos de viaje")
            .cause(Cause::new("Distancia al empleo").evidence(&mean_by_sex))
            .cause(Cause::new("Minibús").evidence(d.mean("tiempo").expect("mean")))
            .affected(
                Population::new("Personas afectadas", Figure::from(e).unit("personas"))
                    .by(&total_by_sex),
            )
            .design(&d)
            .date("2024-05-10")
            .build()
            .expect("builds from core results");
        let md = tree.ficha().to_markdown();
        let f = Figure::from(e);
        let row = format!(
            "| afectado | {} personas | {} | {} |",
            grouped(e.estimate),
            grouped(e.se),
            f.ci_text()
        );
        assert!(md.contains(&row), "{row}\n{md}");
        assert!(md.contains("Comparación por sexo"), "{md}");
        assert!(
            md.contains(
                "- Diseño: 3 estratos, 12 unidades primarias de muestreo (UPM), 72 registros."
            ),
            "{md}"
        );
        assert!(md.contains("linealización de Taylor"), "{md}");
        assert!(
            md.contains("Fiabilidad evaluada según el criterio INE Chile."),
            "{md}"
        );
        // Every flagged core estimate gets its note, by label and place: the
        // by-sex domains have 36 persons each (< 60, INE Chile).
        let notes = &md[md.find("## 7.").expect("notes")..md.find("## 8.").expect("method")];
        let flagged: Vec<(String, Figure)> = tree
            .all_figures()
            .into_iter()
            .filter(|(_, f)| f.needs_note())
            .collect();
        assert!(
            flagged.len() >= 4,
            "by-sex totals and means are flagged: {flagged:?}"
        );
        for (place, f) in &flagged {
            let note = format!("«{}» ({place})", f.full_label());
            assert!(notes.contains(&note), "missing note {note}\n{notes}");
        }
        // And the diagram draws the evidence.
        assert!(tree.to_svg().contains("Comparación por sexo"));
    }

    #[test]
    fn a_share_estimate_cannot_quantify_the_affected_population() {
        let d = design();
        let share = d.mean("afectado").expect("mean");
        let err = ProblemTree::builder()
            .problem("Largos tiempos de viaje")
            .affected(Population::new("Afectados", &share.estimates()[0]))
            .build()
            .expect_err("a mean is not a population");
        assert!(err.to_string().contains("es una media"), "{err}");
    }

    #[test]
    fn estimates_answer_estimate_checks() {
        let d = design();
        let mean = d.mean("tiempo").expect("mean");
        let e = mean.estimates()[0].clone();
        assert!(check_estimate("1", &mean, (e.estimate, e.se), Tolerance::Relative(1e-9)).passed());
        assert!(check_estimate("1", &e, &e, Tolerance::Relative(1e-9)).passed());
        // A many-row table is not one answer.
        let by = d.by(["sexo"]).expect("by").mean("tiempo").expect("mean");
        assert!(!check_estimate("1", &by, &e, Tolerance::Relative(0.01)).passed());
    }

    #[test]
    fn a_model_term_becomes_coefficient_evidence() {
        let d = design();
        let model = d.lm("tiempo", ["afectado"]).expect("fits");
        let c = model.coefficient("afectado").expect("term").clone();
        let ev = CoefficientEvidence::from_model(&model, "afectado").expect("known term");
        assert_eq!((ev.estimate, ev.se), (c.estimate, c.se));
        assert_eq!((ev.ci_low, ev.ci_high), (c.ci_low, c.ci_high));
        assert_eq!(ev.p_value, Some(c.p_value));
        // The level is recovered from the interval: the design's 95 %.
        assert_eq!(ev.level, 0.95);
        assert!(ev.model.starts_with("Regresión lineal"), "{}", ev.model);
        let tree = ProblemTree::builder()
            .problem("Largos tiempos de viaje")
            .cause(Cause::new("Afectados viajan más").evidence(ev))
            .affected(Population::new(
                "Afectados",
                Figure::total("Afectados", 100.0, 10.0),
            ))
            .build()
            .expect("builds");
        assert!(tree.ficha().to_markdown().contains("β = "));

        let err = CoefficientEvidence::from_model(&model, "edad").expect_err("no such term");
        let msg = err.to_string();
        assert!(msg.contains("«edad»") && msg.contains("afectado"), "{msg}");
    }

    #[test]
    fn the_design_codebook_relabels_figures_named_by_their_column() {
        let toml = r#"
[survey]
id = "demo"
title_es = "Encuesta de prueba"
title_en = "Test survey"

[[variable]]
name = "tiempo"
table = "persona"
module = "movilidad"
label_es = "Tiempo de viaje al trabajo (min)"
label_en = "Travel time to work (min)"
type = "float"

[[variable]]
name = "afectado"
table = "persona"
module = "movilidad"
label_es = "Viaja más de 60 minutos"
label_en = "Travels over 60 minutes"
type = "float"
"#;
        let codebook = lapaz_survey::codebook::Codebook::from_toml_str(toml).expect("codebook");
        let plain = design();
        let d = SurveyDesign::with_codebook(plain.data().clone(), plain.spec().clone(), codebook)
            .expect("design with codebook");
        let mean = d.mean("tiempo").expect("mean");
        let total = d.total("afectado").expect("total");
        let tree = ProblemTree::builder()
            .problem("Largos tiempos de viaje")
            .baseline(&mean.estimates()[0])
            .baseline(Figure::from(&mean.estimates()[0]).label("Etiqueta propia"))
            .affected(Population::new("Afectados", &total.estimates()[0]))
            .design(&d)
            .build()
            .expect("builds");
        let labels: Vec<&str> = tree.baseline().iter().map(|f| f.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Tiempo de viaje al trabajo (min)", "Etiqueta propia"]
        );
        assert_eq!(tree.affected().total.label, "Viaja más de 60 minutos");
    }

    fn grouped(x: f64) -> String {
        super::grouped(x)
    }
}

#[test]
fn ficha_saves_in_the_project_build_folder_from_a_notebook_subfolder() {
    // The only test of this binary that depends on the current folder (all
    // others use absolute paths), so changing it here is safe.
    let root = std::env::temp_dir().join(format!("lapaz-proyecto-{}", std::process::id()));
    let notebooks = root.join("notebooks").join("estudiantes");
    std::fs::create_dir_all(&notebooks).expect("folders");
    std::fs::write(root.join("Cargo.toml"), "[workspace]\n").expect("Cargo.toml");
    let before = std::env::current_dir().expect("current folder");
    std::env::set_current_dir(&notebooks).expect("cd");
    let saved = full_tree().ficha().save_in_project("05-prueba");
    std::env::set_current_dir(before).expect("cd back");
    let path = saved.expect("saved");
    let expected = root.join("build").join("fichas").join("05-prueba.md");
    assert_eq!(
        path.canonicalize().expect("exists"),
        expected.canonicalize().expect("exists")
    );
    assert!(
        expected.with_extension("svg").is_file(),
        "diagram beside it"
    );
    let md = std::fs::read_to_string(&expected).expect("reads back");
    assert!(md.contains("05-prueba.svg"), "links its diagram");
    let _ = std::fs::remove_dir_all(&root);
}
