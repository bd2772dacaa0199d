//! HTML and text tables of estimates: estimate, standard error, confidence
//! interval, CV, design effect, sample size and reliability flag, each row
//! coloured by its flag, with a caption and a footnote explaining the flag.

use super::format::{decimals_for, format_count, format_number, format_percent};
use super::html::{Html, TableBuilder, badge, escape, note};
use super::style::Tone;
use super::text::{self, Align};
use crate::codebook::Language;
use crate::design::Label;
use crate::estimate::{Estimate, EstimateTable, Statistic};
use crate::quality::Quality;

impl From<Quality> for Tone {
    fn from(q: Quality) -> Tone {
        match q {
            Quality::Reliable => Tone::Reliable,
            Quality::Caution => Tone::Caution,
            Quality::Unreliable => Tone::Unreliable,
            Quality::NotAssessed => Tone::Unassessed,
        }
    }
}

/// A flag label with a capital first letter (`Poco fiable`).
pub(crate) fn flag_label(q: Quality, lang: Language) -> String {
    capitalize(q.label(lang))
}

/// `Ingreso laboral` → `ingreso laboral` (for a label inside a sentence);
/// acronyms (`UPM`) are kept.
pub(crate) trait LowercaseFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowercaseFirst for str {
    fn to_lowercase_first(&self) -> String {
        let mut chars = self.chars();
        match (chars.next(), chars.next()) {
            (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
                a.to_lowercase().chain(self.chars().skip(1)).collect()
            }
            _ => self.to_owned(),
        }
    }
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The statistic and variable as a phrase: `Media de ingreso per cápita
/// del hogar (yhogpc)` with the codebook's label, `Media de ylab` without.
pub(crate) fn measure_phrase(
    statistic: Statistic,
    variable: &str,
    label: Option<&Label>,
    lang: Language,
) -> String {
    let name = capitalize(&statistic.name(lang));
    let what = match label {
        Some(l) => format!("{} ({variable})", l.get(lang).to_lowercase_first()),
        None => variable.to_owned(),
    };
    match lang {
        Language::Es => format!("{name} de {what}"),
        Language::En => format!("{name} of {what}"),
    }
}

/// The label of an estimate's domain (`Centro`, `Centro · Mujer`), or
/// `Total` for the whole population.
pub(crate) fn domain_label(e: &Estimate, lang: Language) -> String {
    if e.domain.is_empty() {
        "Total".to_owned()
    } else {
        e.domain
            .iter()
            .map(|d| d.value.get(lang).to_owned())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// How one estimate's numbers are written.
pub(crate) struct NumberStyle {
    percent: bool,
    decimals: usize,
}

impl NumberStyle {
    pub(crate) fn of(e: &Estimate) -> Self {
        let percent = e.statistic == Statistic::Proportion;
        let se = if percent { e.se * 100.0 } else { e.se };
        let decimals = if matches!(e.statistic, Statistic::Total | Statistic::Count) {
            decimals_for(se).min(1)
        } else {
            decimals_for(se)
        };
        NumberStyle { percent, decimals }
    }

    pub(crate) fn value(&self, x: f64, lang: Language) -> String {
        if self.percent {
            format_percent(x, self.decimals.min(2), lang)
        } else {
            format_number(x, self.decimals, lang)
        }
    }
}

fn cv_text(cv: f64, lang: Language) -> String {
    format_percent(cv.abs(), 1, lang)
}

/// Column headers of the numbers.
struct Headers {
    estimate: &'static str,
    se: &'static str,
    cv: &'static str,
    deff: &'static str,
    n: &'static str,
    flag: &'static str,
    level: &'static str,
    statistic: &'static str,
}

fn headers(lang: Language) -> Headers {
    match lang {
        Language::Es => Headers {
            estimate: "Estimación",
            se: "EE",
            cv: "CV",
            deff: "deff",
            n: "n",
            flag: "Fiabilidad",
            level: "Categoría",
            statistic: "Estadístico",
        },
        Language::En => Headers {
            estimate: "Estimate",
            se: "SE",
            cv: "CV",
            deff: "deff",
            n: "n",
            flag: "Reliability",
            level: "Category",
            statistic: "Statistic",
        },
    }
}

/// The header of a confidence-interval column ("IC 95 %", "95% CI").
pub(super) fn ci_header(level: f64, lang: Language) -> String {
    let l = format_number(level * 100.0, 0, lang);
    match lang {
        Language::Es => format!("IC {l}\u{a0}%"),
        Language::En => format!("{l}% CI"),
    }
}

/// The footnote explaining the columns and the reliability flags.
pub(crate) fn footnote(lang: Language, with_deff: bool) -> String {
    match lang {
        Language::Es => format!(
            "EE: error estándar. IC: intervalo de confianza. CV: coeficiente de variación (EE / estimación).{} \
             n: casos en la muestra. Fiabilidad según la regla del diseño (por defecto INE Chile: fiable con \
             n ≥ 60, gl ≥ 9 y CV ≤ 15\u{a0}%; poco fiable —usar con cautela— con CV hasta 30\u{a0}%; no fiable \
             en otro caso; las proporciones se juzgan por su EE). Las filas en gris no deben publicarse como cifra puntual.",
            if with_deff {
                " deff: efecto de diseño."
            } else {
                ""
            }
        ),
        Language::En => format!(
            "SE: standard error. CI: confidence interval. CV: coefficient of variation (SE / estimate).{} \
             n: sample cases. Reliability under the design's rule (INE Chile by default: reliable with n ≥ 60, \
             df ≥ 9 and CV ≤ 15%; use with caution up to CV 30%; not reliable otherwise; proportions are judged \
             by their SE). Grey rows should not be published as point figures.",
            if with_deff {
                " deff: design effect."
            } else {
                ""
            }
        ),
    }
}

/// Renders estimates as an HTML table with a text fallback.
pub(crate) fn render(
    estimates: &[Estimate],
    by: &[(String, String)],
    subset: Option<&str>,
    label: Option<&Label>,
    lang: Language,
) -> Html {
    let h = headers(lang);
    let first = estimates.first();
    let same = |f: &dyn Fn(&Estimate) -> String| -> bool {
        first.is_none_or(|a| estimates.iter().all(|e| f(e) == f(a)))
    };
    let one_measure = same(&|e| format!("{:?}|{}", e.statistic, e.variable));
    let has_level = estimates.iter().any(|e| e.level.is_some());
    let has_deff = estimates.iter().any(|e| e.deff.is_some());
    let level = first.map_or(0.95, |e| e.ci.level);
    let one_level = estimates.iter().all(|e| (e.ci.level - level).abs() < 1e-12);

    // Caption: "Media de ingreso laboral (ylab) por macrodistrito".
    let title = match first {
        Some(e) if one_measure => {
            let mut t = measure_phrase(e.statistic, &e.variable, label, lang);
            if !by.is_empty() {
                let names: Vec<String> = by.iter().map(|(_, l)| l.to_lowercase_first()).collect();
                let sep = match lang {
                    Language::Es => " y ",
                    Language::En => " and ",
                };
                let by_word = match lang {
                    Language::Es => " por ",
                    Language::En => " by ",
                };
                t.push_str(by_word);
                t.push_str(&names.join(sep));
            }
            t
        }
        Some(_) => match lang {
            Language::Es => "Estimaciones".to_owned(),
            Language::En => "Estimates".to_owned(),
        },
        None => match lang {
            Language::Es => "Sin estimaciones".to_owned(),
            Language::En => "No estimates".to_owned(),
        },
    };
    let mut sub_parts = Vec::new();
    if one_level {
        sub_parts.push(match lang {
            Language::Es => format!(
                "Intervalos de confianza al {}\u{a0}%",
                format_number(level * 100.0, 0, lang)
            ),
            Language::En => format!(
                "{}% confidence intervals",
                format_number(level * 100.0, 0, lang)
            ),
        });
    }
    if let Some(s) = subset {
        sub_parts.push(match lang {
            Language::Es => format!("Subpoblación: {s}"),
            Language::En => format!("Subpopulation: {s}"),
        });
    }
    let subtitle = sub_parts.join(" · ");

    // Header.
    let mut head: Vec<(String, bool)> = Vec::new();
    let mut text_head: Vec<String> = Vec::new();
    let mut align = Vec::new();
    let mut push_head = |label: &str, left: bool| {
        head.push((escape(label), left));
        text_head.push(label.to_owned());
        align.push(if left { Align::Left } else { Align::Right });
    };
    if !one_measure {
        push_head(h.statistic, true);
        push_head("Variable", true);
    }
    for (_, label) in by {
        push_head(label, true);
    }
    if has_level {
        push_head(h.level, true);
    }
    push_head(h.estimate, false);
    push_head(h.se, false);
    let ci_head = if one_level {
        ci_header(level, lang)
    } else {
        "IC".to_owned()
    };
    push_head(&ci_head, false);
    push_head(h.cv, false);
    if has_deff {
        push_head(h.deff, false);
    }
    push_head(h.n, false);
    push_head(h.flag, true);

    let mut table = TableBuilder::new(&title, (!subtitle.is_empty()).then_some(subtitle.as_str()));
    table.header(&head);
    let mut text_rows = Vec::new();
    for e in estimates {
        let style = NumberStyle::of(e);
        let tone = Tone::from(e.quality);
        let mut cells: Vec<(String, &str)> = Vec::new();
        let mut text_row: Vec<String> = Vec::new();
        let mut push = |value: String, class: &'static str, cells: &mut Vec<(String, &str)>| {
            cells.push((escape(&value), class));
            text_row.push(value);
        };
        if !one_measure {
            push(capitalize(&e.statistic.name(lang)), "l", &mut cells);
            push(e.variable.clone(), "l", &mut cells);
        }
        for (name, _) in by {
            let v = e
                .domain_value(name)
                .map(|v| v.get(lang).to_owned())
                .unwrap_or_default();
            push(v, "l k", &mut cells);
        }
        if has_level {
            let v = e
                .level
                .as_ref()
                .map(|l| l.get(lang).to_owned())
                .unwrap_or_default();
            push(v, "l", &mut cells);
        }
        push(style.value(e.estimate, lang), "k", &mut cells);
        push(style.value(e.se, lang), "", &mut cells);
        push(
            format!(
                "{} – {}",
                style.value(e.ci.low, lang),
                style.value(e.ci.high, lang)
            ),
            "",
            &mut cells,
        );
        push(cv_text(e.cv, lang), "", &mut cells);
        if has_deff {
            push(
                e.deff
                    .map_or_else(|| "—".to_owned(), |d| format_number(d, 2, lang)),
                "",
                &mut cells,
            );
        }
        push(format_count(e.n as f64, lang), "", &mut cells);
        let label = flag_label(e.quality, lang);
        text_row.push(label.clone());
        cells.push((badge(tone.css_class(), &label, None), "l"));
        table.row(Some(tone.css_class()), &cells);
        text_rows.push(text_row);
    }
    let foot = footnote(lang, has_deff);
    let body = format!("{}{}", table.finish(), note(&foot));
    let head_refs: Vec<&str> = text_head.iter().map(String::as_str).collect();
    let mut text_out = format!("{title}\n");
    if !subtitle.is_empty() {
        text_out.push_str(&subtitle);
        text_out.push('\n');
    }
    text_out.push_str(&text::table(&head_refs, &align, &text_rows));
    text_out.push_str(&foot);
    Html::styled(&body, text_out)
}

fn by_labels(table: &EstimateTable, lang: Language) -> Vec<(String, String)> {
    table
        .by()
        .iter()
        .map(|b| (b.name.clone(), b.label.get(lang).to_owned()))
        .collect()
}

impl EstimateTable {
    /// The table as HTML (Spanish labels, rows coloured by reliability)
    /// with a plain-text fallback; what a notebook shows.
    pub fn html(&self) -> Html {
        self.html_in(Language::Es)
    }

    /// [`html`](Self::html) in the chosen language.
    pub fn html_in(&self, lang: Language) -> Html {
        let label = self
            .estimates()
            .first()
            .and_then(|e| self.variable_label(&e.variable));
        render(
            self.estimates(),
            &by_labels(self, lang),
            self.subset(),
            label,
            lang,
        )
    }
}

impl Estimate {
    /// The estimate as a one-row HTML table with a plain-text fallback.
    pub fn html(&self) -> Html {
        self.html_in(Language::Es)
    }

    /// [`html`](Self::html) in the chosen language.
    pub fn html_in(&self, lang: Language) -> Html {
        let by: Vec<(String, String)> = self
            .domain
            .iter()
            .map(|d| (d.variable.clone(), capitalize(&d.variable)))
            .collect();
        render(std::slice::from_ref(self), &by, None, None, lang)
    }
}
