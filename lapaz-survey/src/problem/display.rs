//! How a tree shows itself: HTML for notebooks (the diagram and the
//! baseline table, in the house style of `present`) and plain text.

use std::fmt;

use super::figure::{Figure, quality_es, quality_mark};
use super::svg::xml_escape;
use super::tree::{Population, ProblemTree};
use crate::quality::Quality;

impl ProblemTree {
    /// The tree as an HTML fragment: the SVG diagram, then the baseline
    /// indicators as a table (rows shaded by reliability with the classes
    /// of the crate's house stylesheet), then a note on how to export the
    /// ficha. In a notebook the fragment is shown inside the house
    /// container.
    pub fn to_html(&self) -> String {
        let mut html = format!(
            "<div class=\"chart lapaz-problem-tree\" style=\"overflow-x:auto\">{}</div>",
            self.to_svg()
        );
        if !self.baseline.is_empty() {
            html.push_str(&baseline_table(&self.baseline));
        }
        html.push_str(
            "<div class=\"note\">Exporte la ficha del problema con \
             <code>arbol.ficha().save(\"ficha.md\")</code>.</div>",
        );
        html
    }

    /// The tree as plain text (what `println!("{arbol}")` prints).
    pub fn to_text(&self) -> String {
        let mut out = String::from("ÁRBOL DE PROBLEMAS");
        if let Some(s) = &self.sector {
            out.push_str(&format!(" — {s}"));
        }
        out.push('\n');
        out.push_str(&format!("Problema central: {}\n", self.problem));
        out.push_str(&population_line("Población afectada", &self.affected));
        out.push_str("Causas:\n");
        if self.causes.is_empty() {
            out.push_str("  (por definir)\n");
        }
        for (i, c) in self.causes.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, c.statement));
            if c.evidence.is_empty() {
                out.push_str("     hipótesis: sin evidencia cuantitativa\n");
            }
            for e in &c.evidence {
                out.push_str(&format!("     {}: {}\n", e.kind(), e.summary().join(" | ")));
            }
        }
        out.push_str("Efectos:\n");
        if self.effects.is_empty() {
            out.push_str("  (por definir)\n");
        }
        for (i, e) in self.effects.iter().enumerate() {
            out.push_str(&format!("  {}. {}\n", i + 1, e.statement));
            for ev in &e.evidence {
                out.push_str(&format!(
                    "     {}: {}\n",
                    ev.kind(),
                    ev.summary().join(" | ")
                ));
            }
        }
        for p in &self.direct {
            out.push_str(&population_line("Beneficiarios directos", p));
        }
        for p in &self.indirect {
            out.push_str(&population_line("Beneficiarios indirectos", p));
        }
        if !self.baseline.is_empty() {
            out.push_str("Línea base:\n");
            for f in &self.baseline {
                out.push_str(&format!("  {}: {f}\n", f.full_label()));
            }
        }
        match &self.source {
            Some(s) => out.push_str(&format!("Fuente: {}\n", s.line())),
            None => out.push_str("Fuente: no indicada\n"),
        }
        out
    }

    /// Shows the tree in an evcxr notebook: the diagram and the baseline
    /// table in the house container, with the text form as fallback.
    #[cfg(feature = "notebook")]
    pub fn evcxr_display(&self) {
        crate::present::Html::styled(&self.to_html(), self.to_text()).evcxr_display();
    }
}

impl fmt::Display for ProblemTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// `Población afectada: <description>: 84.300 personas (EE …)`.
fn population_line(heading: &str, p: &Population) -> String {
    format!("{heading}: {}: {}\n", p.description, p.total)
}

/// The baseline indicators as an HTML table with the house classes
/// (`warn`/`bad` rows, `b ok|warn|bad|na` badges).
fn baseline_table(figures: &[Figure]) -> String {
    // One confidence level for the column unless the figures differ.
    let same_level = figures
        .windows(2)
        .all(|w| (w[0].level - w[1].level).abs() < 1e-12);
    let ci_header = match figures.first() {
        Some(f) if same_level => f.ci_label(),
        _ => "IC".to_owned(),
    };
    let mut html = format!(
        "<table><caption>Indicadores de línea base<span class=\"sub\">Estimaciones con \
         error estándar (EE), intervalo de confianza (IC), coeficiente de variación (CV) y \
         fiabilidad</span></caption><thead><tr><th class=\"l\">Indicador</th>\
         <th>Estimación</th><th>EE</th><th>{}</th><th>CV</th><th>n</th>\
         <th class=\"l\">Fiabilidad</th></tr></thead><tbody>",
        xml_escape(&ci_header)
    );
    for f in figures {
        let (row_class, badge_class) = match f.reliability_level() {
            Some(Quality::Reliable) => ("", "ok"),
            Some(Quality::Caution) => (" class=\"warn\"", "warn"),
            Some(Quality::Unreliable) => (" class=\"bad\"", "bad"),
            _ => ("", "na"),
        };
        let flag = match (&f.reliability, f.reliability_level()) {
            (Some(r), Some(q)) => {
                let mark = quality_mark(q);
                let label = if mark.is_empty() {
                    quality_es(q).to_owned()
                } else {
                    format!("{mark} {}", quality_es(q))
                };
                format!(
                    "<span class=\"b {badge_class}\" title=\"{}\">{}</span>",
                    xml_escape(&r.describe()),
                    xml_escape(&label)
                )
            }
            _ => format!("<span class=\"b {badge_class}\">sin evaluar</span>"),
        };
        let n =
            f.n.map(|n| super::format::number(n as f64, 0))
                .unwrap_or_else(|| super::format::MISSING.to_owned());
        html.push_str(&format!(
            "<tr{row_class}><td class=\"l k\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td class=\"l\">{flag}</td></tr>",
            xml_escape(&f.full_label()),
            xml_escape(&f.estimate_text()),
            xml_escape(&f.se_text()),
            xml_escape(&if same_level {
                f.ci_text()
            } else {
                format!("{}: {}", f.ci_label(), f.ci_text())
            }),
            xml_escape(&f.cv_text()),
            n
        ));
    }
    html.push_str("</tbody></table>");
    html
}
