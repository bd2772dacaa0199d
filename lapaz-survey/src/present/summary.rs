//! HTML summaries of a survey design, a loaded survey and codebook entries.

use super::format::{format_count, format_number, format_percent};
use super::html::{Html, TableBuilder, escape, note};
use super::text::{self, Align};
use crate::codebook::{Codebook, Language, Role, VarType, Variable};
use crate::design::SurveyDesign;
use crate::load::{SYNTHETIC_LABEL, Survey, SurveyOverview};

/// A definition list (`<dl>`) from (term, value) pairs; values are escaped.
fn definition_list(items: &[(String, String)]) -> String {
    let mut out = String::from("<dl>");
    for (term, value) in items {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            escape(term),
            escape(value)
        ));
    }
    out.push_str("</dl>");
    out
}

fn definition_text(title: &str, items: &[(String, String)]) -> String {
    let width = items
        .iter()
        .map(|(t, _)| t.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!("{title}\n");
    for (term, value) in items {
        let pad = width - term.chars().count();
        out.push_str(&format!("  {term}:{} {value}\n", " ".repeat(pad)));
    }
    out
}

fn code_list(columns: &[String]) -> String {
    if columns.is_empty() {
        "—".to_owned()
    } else {
        columns.join(", ")
    }
}

// ---------------------------------------------------------------- design

impl SurveyDesign {
    /// A summary of the design: rows, strata, PSUs, sum of weights,
    /// variance method, degrees of freedom and the columns that define it.
    pub fn html(&self) -> Html {
        self.html_in(Language::Es)
    }

    /// [`html`](Self::html) in the chosen language.
    pub fn html_in(&self, lang: Language) -> Html {
        let spec = self.spec();
        let opts = self.options();
        let es = lang == Language::Es;
        let mut items: Vec<(String, String)> = Vec::new();
        let mut add = |es_term: &str, en_term: &str, value: String| {
            items.push((if es { es_term } else { en_term }.to_owned(), value));
        };
        add(
            "Filas (casos)",
            "Rows (cases)",
            format_count(self.n_rows() as f64, lang),
        );
        add(
            "Estratos",
            "Strata",
            format_count(self.n_strata() as f64, lang),
        );
        add(
            "UPM (conglomerados)",
            "PSUs (clusters)",
            format_count(self.n_psu() as f64, lang),
        );
        add(
            "Suma de pesos (población)",
            "Sum of weights (population)",
            format_count(self.population_size(), lang),
        );
        add(
            "Grados de libertad",
            "Degrees of freedom",
            format_number(self.degrees_of_freedom(), 0, lang),
        );
        let method = self.variance_method();
        add(
            "Varianza",
            "Variance",
            if es {
                method.name_es()
            } else {
                method.name_en()
            }
            .to_owned(),
        );
        add(
            "Pesos",
            "Weights",
            spec.weights_column().unwrap_or("—").to_owned(),
        );
        add(
            "Estratos (columna)",
            "Strata (column)",
            spec.strata_column().unwrap_or("—").to_owned(),
        );
        add(
            "Conglomerados",
            "Clusters",
            code_list(spec.cluster_columns()),
        );
        add(
            "Corrección por población finita",
            "Finite population correction",
            code_list(spec.fpc_columns()),
        );
        add(
            "UPM únicas en un estrato",
            "Lonely PSUs",
            spec.lonely_psu_policy().name().to_owned(),
        );
        add(
            "Nivel de confianza",
            "Confidence level",
            format_percent(opts.level, 0, lang),
        );
        add(
            "Regla de fiabilidad",
            "Reliability rule",
            opts.reliability.name().to_owned(),
        );
        if let Some(s) = self.subset_description() {
            add("Subpoblación", "Subpopulation", s.to_owned());
        }
        let title = if es {
            "Diseño muestral"
        } else {
            "Survey design"
        };
        let body = format!(
            "<div class=\"t\">{}</div>{}",
            escape(title),
            definition_list(&items)
        );
        Html::styled(&body, definition_text(title, &items))
    }
}

// ---------------------------------------------------------------- survey

fn overview_html(o: &SurveyOverview, lang: Language) -> Html {
    let es = lang == Language::Es;
    let mut body = String::new();
    body.push_str(&format!("<div class=\"t\">{}</div>", escape(&o.title)));
    if o.synthetic {
        let label = o.synthetic_label.as_deref().unwrap_or(SYNTHETIC_LABEL);
        body.push_str(&format!("<div class=\"synth\">⚠ {}</div>", escape(label)));
    }
    let source = if es { "Fuente" } else { "Source" };
    body.push_str(&format!(
        "<div class=\"note\" style=\"margin:0 0 6px\">{}: {}</div>",
        source,
        escape(&o.source)
    ));

    let opt_count =
        |x: Option<usize>| x.map_or_else(|| "—".to_owned(), |v| format_count(v as f64, lang));
    let opt_sum = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), |v| format_count(v, lang));
    let items: Vec<(String, String)> = vec![
        (
            if es { "Hogares" } else { "Households" }.to_owned(),
            format_count(o.households as f64, lang),
        ),
        (
            if es { "Personas" } else { "Persons" }.to_owned(),
            format_count(o.persons as f64, lang),
        ),
        (
            if es { "Estratos" } else { "Strata" }.to_owned(),
            opt_count(o.strata),
        ),
        (
            if es {
                "UPM (conglomerados)"
            } else {
                "PSUs (clusters)"
            }
            .to_owned(),
            opt_count(o.psus),
        ),
        (
            if es {
                "Macrodistritos"
            } else {
                "Macrodistricts"
            }
            .to_owned(),
            opt_count(o.macrodistricts),
        ),
        (
            if es {
                "Hogares expandidos"
            } else {
                "Weighted households"
            }
            .to_owned(),
            opt_sum(o.weight_sum_households),
        ),
        (
            if es {
                "Población expandida"
            } else {
                "Weighted population"
            }
            .to_owned(),
            opt_sum(o.weight_sum_persons),
        ),
    ];
    body.push_str(&definition_list(&items));

    let (t_table, t_file, t_read, t_kept, t_rej, t_cols) = if es {
        (
            "Tabla",
            "Archivo",
            "Filas leídas",
            "Válidas",
            "Rechazadas",
            "Columnas",
        )
    } else {
        ("Table", "File", "Rows read", "Kept", "Rejected", "Columns")
    };
    let mut table = TableBuilder::new("", None);
    table.header(&[
        (t_table.to_owned(), true),
        (t_file.to_owned(), true),
        (t_read.to_owned(), false),
        (t_kept.to_owned(), false),
        (t_rej.to_owned(), false),
        (t_cols.to_owned(), false),
    ]);
    let mut text_rows = Vec::new();
    for t in &o.tables {
        let row = vec![
            t.name.clone(),
            t.file.clone(),
            format_count(t.rows_read as f64, lang),
            format_count(t.rows_kept as f64, lang),
            format_count(t.rows_rejected as f64, lang),
            format_count(t.columns.len() as f64, lang),
        ];
        let class = if t.rows_rejected > 0 {
            Some("warn")
        } else {
            None
        };
        let cells: Vec<(String, &str)> = row
            .iter()
            .enumerate()
            .map(|(i, v)| (escape(v), if i < 2 { "l" } else { "" }))
            .collect();
        table.row(class, &cells);
        text_rows.push(row);
    }
    body.push_str("<div style=\"margin-top:8px\">");
    body.push_str(&table.finish());
    body.push_str("</div>");
    if o.rejected_rows > 0 {
        body.push_str(&note(&if es {
            format!(
                "{} filas rechazadas: vea el informe de carga (`survey.report()`).",
                format_count(o.rejected_rows as f64, lang)
            )
        } else {
            format!(
                "{} rows rejected: see the load report (`survey.report()`).",
                format_count(o.rejected_rows as f64, lang)
            )
        }));
    }
    let mut text_out = String::new();
    if o.synthetic {
        text_out.push_str(&format!(
            "⚠ {}\n",
            o.synthetic_label.as_deref().unwrap_or(SYNTHETIC_LABEL)
        ));
    }
    text_out.push_str(&definition_text(&o.title, &items));
    text_out.push_str(&text::table(
        &[t_table, t_file, t_read, t_kept, t_rej, t_cols],
        &[
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Right,
        ],
        &text_rows,
    ));
    Html::styled(&body, text_out)
}

impl Survey {
    /// A summary of the loaded survey: the synthetic-data banner, tables,
    /// rows, households, persons, strata, PSUs and weighted totals.
    pub fn html(&self) -> Html {
        overview_html(&self.overview(), Language::Es)
    }

    /// [`html`](Self::html) in the chosen language.
    pub fn html_in(&self, lang: Language) -> Html {
        overview_html(&self.overview(), lang)
    }
}

// -------------------------------------------------------------- codebook

fn type_name(t: VarType, lang: Language) -> &'static str {
    match (t, lang) {
        (VarType::Categorical, Language::Es) => "categórica",
        (VarType::Integer, Language::Es) => "entera",
        (VarType::Float, Language::Es) => "real",
        (VarType::String, Language::Es) => "texto",
        (VarType::Categorical, Language::En) => "categorical",
        (VarType::Integer, Language::En) => "integer",
        (VarType::Float, Language::En) => "real",
        (VarType::String, Language::En) => "text",
    }
}

fn role_name(r: Role, lang: Language) -> &'static str {
    match (r, lang) {
        (Role::HouseholdId, Language::Es) => "identificador del hogar",
        (Role::PersonId, Language::Es) => "número de persona",
        (Role::Psu, Language::Es) => "unidad primaria de muestreo (UPM)",
        (Role::Strata, Language::Es) => "estrato",
        (Role::Weight, Language::Es) => "factor de expansión",
        (Role::Fpc, Language::Es) => "corrección por población finita",
        (Role::HouseholdId, Language::En) => "household id",
        (Role::PersonId, Language::En) => "person number",
        (Role::Psu, Language::En) => "primary sampling unit (PSU)",
        (Role::Strata, Language::En) => "stratum",
        (Role::Weight, Language::En) => "expansion factor (weight)",
        (Role::Fpc, Language::En) => "finite population correction",
    }
}

fn variable_html(v: &Variable, lang: Language) -> Html {
    let es = lang == Language::Es;
    let mut items: Vec<(String, String)> = vec![
        (
            (if es { "Etiqueta (es)" } else { "Label (es)" }).to_owned(),
            v.label_es.clone(),
        ),
        (
            (if es { "Etiqueta (en)" } else { "Label (en)" }).to_owned(),
            v.label_en.clone(),
        ),
        (
            (if es { "Tabla" } else { "Table" }).to_owned(),
            v.table.to_string(),
        ),
        (
            (if es { "Módulo" } else { "Module" }).to_owned(),
            v.module.clone(),
        ),
        (
            (if es { "Tipo" } else { "Type" }).to_owned(),
            type_name(v.var_type, lang).to_owned(),
        ),
    ];
    if let Some(u) = &v.unit {
        items.push(((if es { "Unidad" } else { "Unit" }).to_owned(), u.clone()));
    }
    if let Some(r) = v.role {
        items.push((
            (if es {
                "Papel en el diseño"
            } else {
                "Design role"
            })
            .to_owned(),
            role_name(r, lang).to_owned(),
        ));
    }
    if let Some(s) = &v.sector {
        items.push(("Sector".to_owned(), s.clone()));
    }
    if !v.missing.is_empty() {
        let codes: Vec<String> = v.missing.iter().map(i64::to_string).collect();
        items.push((
            (if es {
                "Códigos de dato faltante"
            } else {
                "Missing-value codes"
            })
            .to_owned(),
            codes.join(", "),
        ));
    }
    if let Some(u) = &v.universe {
        items.push((
            (if es { "Universo" } else { "Universe" }).to_owned(),
            u.clone(),
        ));
    }
    if let Some(n) = &v.note {
        items.push(((if es { "Nota" } else { "Note" }).to_owned(), n.clone()));
    }
    let mut body = format!(
        "<div class=\"t\"><code>{}</code> — {}</div>{}",
        escape(&v.name),
        escape(v.label(lang)),
        definition_list(&items)
    );
    let title = format!("{} — {}", v.name, v.label(lang));
    let mut text_out = definition_text(&title, &items);
    if !v.values.is_empty() {
        let (code, label_es, label_en) = if es {
            ("Código", "Etiqueta (es)", "Etiqueta (en)")
        } else {
            ("Code", "Label (es)", "Label (en)")
        };
        let caption = if es { "Valores" } else { "Values" };
        let mut table = TableBuilder::new(caption, None);
        table.header(&[
            (code.to_owned(), false),
            (label_es.to_owned(), true),
            (label_en.to_owned(), true),
        ]);
        let mut rows = Vec::new();
        for value in &v.values {
            table.row(
                None,
                &[
                    (value.code.to_string(), "k"),
                    (escape(&value.es), "l"),
                    (escape(&value.en), "l"),
                ],
            );
            rows.push(vec![
                value.code.to_string(),
                value.es.clone(),
                value.en.clone(),
            ]);
        }
        body.push_str("<div style=\"margin-top:8px\">");
        body.push_str(&table.finish());
        body.push_str("</div>");
        text_out.push_str(&text::table(
            &[code, label_es, label_en],
            &[Align::Right, Align::Left, Align::Left],
            &rows,
        ));
    }
    Html::styled(&body, text_out)
}

impl Variable {
    /// The codebook entry: labels in Spanish and English, type, unit,
    /// design role, missing-value codes and value labels.
    pub fn html(&self) -> Html {
        variable_html(self, Language::Es)
    }

    /// [`html`](Self::html) in the chosen language.
    pub fn html_in(&self, lang: Language) -> Html {
        variable_html(self, lang)
    }
}

fn codebook_html(cb: &Codebook, lang: Language) -> Html {
    let es = lang == Language::Es;
    let title = match lang {
        Language::Es => cb.survey.title_es.clone(),
        Language::En => cb.survey.title_en.clone(),
    };
    let caption = if es {
        format!("Libro de códigos: {} variables", cb.variables.len())
    } else {
        format!("Codebook: {} variables", cb.variables.len())
    };
    let heads: [&str; 6] = if es {
        ["Variable", "Tabla", "Módulo", "Etiqueta", "Tipo", "Unidad"]
    } else {
        ["Variable", "Table", "Module", "Label", "Type", "Unit"]
    };
    let mut table = TableBuilder::new(&caption, Some(&title));
    table.header(
        &heads
            .iter()
            .map(|h| ((*h).to_owned(), true))
            .collect::<Vec<_>>(),
    );
    let mut rows = Vec::new();
    for v in &cb.variables {
        let row = vec![
            v.name.clone(),
            v.table.to_string(),
            v.module.clone(),
            v.label(lang).to_owned(),
            type_name(v.var_type, lang).to_owned(),
            v.unit.clone().unwrap_or_default(),
        ];
        let cells: Vec<(String, &str)> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    (format!("<code>{}</code>", escape(c)), "l")
                } else {
                    (escape(c), "l")
                }
            })
            .collect();
        table.row(None, &cells);
        rows.push(row);
    }
    let mut body = String::new();
    if cb.survey.synthetic {
        body.push_str(&format!(
            "<div class=\"synth\">⚠ {}</div>",
            escape(SYNTHETIC_LABEL)
        ));
    }
    body.push_str(&table.finish());
    body.push_str(&note(if es {
        "Vea una variable con sus etiquetas de valores: `codebook.variable(\"nombre\")`."
    } else {
        "See one variable with its value labels: `codebook.variable(\"name\")`."
    }));
    let text_out = format!(
        "{caption} — {title}\n{}",
        text::table(&heads, &[Align::Left; 6], &rows)
    );
    Html::styled(&body, text_out)
}

impl Codebook {
    /// The list of variables (name, table, module, label, type, unit).
    pub fn html(&self) -> Html {
        codebook_html(self, Language::Es)
    }

    /// [`html`](Self::html) in the chosen language.
    pub fn html_in(&self, lang: Language) -> Html {
        codebook_html(self, lang)
    }
}
