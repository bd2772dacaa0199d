//! The *ficha del problema*: the problem tree as a Markdown document a team
//! hands in, every number with its SE and CI and a note for each figure a
//! flag calls unreliable.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use super::error::ProblemError;
use super::evidence::Evidence;
use super::figure::{Figure, quality_mark};
use super::markdown::{escape_inline, figure_table};
use super::tree::{Population, ProblemTree};
use crate::quality::Quality;

/// The exported *ficha del problema* of a [`ProblemTree`].
///
/// It owns a copy of the tree, so it can live in its own notebook
/// variable. Write it with [`Ficha::save`]; read it with
/// [`Ficha::to_markdown`] or `to_string()`.
///
/// ```no_run
/// # use lapaz_survey::problem::*;
/// # let arbol = ProblemTree::builder()
/// #     .problem("Largos tiempos de viaje")
/// #     .affected(Population::new("Ocupados", Figure::total("Ocupados", 1e5, 4e3)))
/// #     .build()?;
/// let ficha = arbol.ficha();
/// ficha.save("ficha.md")?;
/// // Markdown plus the diagram beside it (ficha.svg), linked from the text:
/// ficha.save_with_diagram("ficha.md")?;
/// # Ok::<(), ProblemError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ficha {
    tree: ProblemTree,
    diagram: Option<String>,
}

impl ProblemTree {
    /// The *ficha del problema* of this tree.
    pub fn ficha(&self) -> Ficha {
        Ficha {
            tree: self.clone(),
            diagram: None,
        }
    }
}

impl Ficha {
    /// The tree the ficha describes.
    pub fn tree(&self) -> &ProblemTree {
        &self.tree
    }

    /// Writes the Markdown to `path` (e.g. `"ficha.md"`).
    ///
    /// # Errors
    /// [`ProblemError::Write`] naming the file when it cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ProblemError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_markdown()).map_err(|source| ProblemError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Writes the Markdown to `path` and the tree diagram beside it (same
    /// name, `.svg`), with the diagram linked at the top of the ficha.
    ///
    /// # Errors
    /// [`ProblemError::Write`] naming the file when either cannot be written.
    pub fn save_with_diagram(&self, path: impl AsRef<Path>) -> Result<(), ProblemError> {
        let path = path.as_ref();
        let svg_path = path.with_extension("svg");
        std::fs::write(&svg_path, self.tree.to_svg()).map_err(|source| ProblemError::Write {
            path: svg_path.clone(),
            source,
        })?;
        let file_name = svg_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "arbol.svg".to_owned());
        let with = Ficha {
            tree: self.tree.clone(),
            diagram: Some(file_name),
        };
        with.save(path)
    }

    /// Saves the ficha and its diagram as `build/fichas/<name>.md` and
    /// `.svg` in the project: the nearest folder, from the current one up,
    /// that holds a `Cargo.toml` (so a notebook opened from `notebooks/` or
    /// `notebooks/estudiantes/` saves in the same place, outside git's
    /// tracked files), or the current folder when there is none. Returns
    /// the Markdown file's path.
    ///
    /// ```no_run
    /// # use lapaz_survey::problem::ProblemTree;
    /// # let tree: ProblemTree = todo!();
    /// let path = tree.ficha().save_in_project("01-movilidad-urbana")?;
    /// println!("Ficha guardada en {}", path.display());
    /// # Ok::<(), lapaz_survey::problem::ProblemError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProblemError::Write`] naming the folder or file that cannot be
    /// written.
    pub fn save_in_project(&self, name: &str) -> Result<PathBuf, ProblemError> {
        let here = std::env::current_dir().map_err(|source| ProblemError::Write {
            path: PathBuf::from("."),
            source,
        })?;
        self.save_in_project_from(&here, name)
    }

    /// [`save_in_project`](Self::save_in_project) starting from `here`.
    fn save_in_project_from(&self, here: &Path, name: &str) -> Result<PathBuf, ProblemError> {
        let root = here
            .ancestors()
            .find(|d| d.join("Cargo.toml").is_file())
            .unwrap_or(here);
        let folder = root.join("build").join("fichas");
        std::fs::create_dir_all(&folder).map_err(|source| ProblemError::Write {
            path: folder.clone(),
            source,
        })?;
        let path = folder.join(format!("{name}.md"));
        self.save_with_diagram(&path)?;
        Ok(path)
    }

    /// The ficha as Markdown.
    pub fn to_markdown(&self) -> String {
        let t = &self.tree;
        let mut md = String::new();
        md.push_str(&format!(
            "# Ficha del problema: {}\n\n",
            escape_inline(&t.title())
        ));

        // Identification.
        md.push_str("| | |\n|---|---|\n");
        if let Some(s) = &t.sector {
            md.push_str(&format!("| **Sector** | {} |\n", escape_inline(s)));
        }
        if let Some(team) = &t.team {
            md.push_str(&format!("| **Equipo** | {} |\n", escape_inline(team)));
        }
        if !t.members.is_empty() {
            let members: Vec<String> = t.members.iter().map(|m| escape_inline(m)).collect();
            md.push_str(&format!("| **Integrantes** | {} |\n", members.join(", ")));
        }
        md.push_str(&format!("| **Fecha** | {} |\n", escape_inline(&t.date)));
        md.push_str(&format!("| **Fuente de datos** | {} |\n\n", source_line(t)));
        if t.source.as_ref().is_some_and(|s| s.synthetic) {
            md.push_str(
                "> **Datos sintéticos.** Las cifras de esta ficha provienen de una réplica \
                 sintética de la encuesta, no de la encuesta real: sirven para aprender el \
                 método, no son cifras oficiales.\n\n",
            );
        }
        if let Some(svg) = &self.diagram {
            md.push_str(&format!("![Árbol de problemas]({svg})\n\n"));
        }

        // 1. Problem.
        md.push_str("## 1. Problema central\n\n");
        md.push_str(&format!("> {}\n\n", escape_inline(&t.problem)));

        // 2. Baseline.
        md.push_str("## 2. Indicadores de línea base\n\n");
        if t.baseline.is_empty() {
            md.push_str("_Sin indicadores de línea base._\n\n");
        } else {
            md.push_str(&figure_table(&t.baseline, false));
            md.push('\n');
        }

        // 3. Affected population.
        md.push_str("## 3. Población afectada\n\n");
        md.push_str(&population_md(&t.affected));

        // 4. Causes.
        md.push_str("## 4. Causas y evidencia\n\n");
        if t.causes.is_empty() {
            md.push_str("_Causas por definir._\n\n");
        }
        for (i, c) in t.causes.iter().enumerate() {
            md.push_str(&format!(
                "### 4.{} {}\n\n",
                i + 1,
                escape_inline(&c.statement)
            ));
            if c.evidence.is_empty() {
                md.push_str("_Hipótesis: todavía sin evidencia cuantitativa de la encuesta._\n\n");
            }
            for e in &c.evidence {
                md.push_str(&evidence_md(e.as_ref()));
            }
        }

        // 5. Effects.
        md.push_str("## 5. Efectos\n\n");
        if t.effects.is_empty() {
            md.push_str("_Efectos por definir._\n\n");
        }
        for (i, e) in t.effects.iter().enumerate() {
            md.push_str(&format!(
                "### 5.{} {}\n\n",
                i + 1,
                escape_inline(&e.statement)
            ));
            for ev in &e.evidence {
                md.push_str(&evidence_md(ev.as_ref()));
            }
        }

        // 6. Beneficiaries.
        md.push_str("## 6. Beneficiarios\n\n");
        md.push_str("### Beneficiarios directos\n\n");
        if t.direct.is_empty() {
            md.push_str("_Por cuantificar._\n\n");
        }
        for p in &t.direct {
            md.push_str(&population_md(p));
        }
        md.push_str("### Beneficiarios indirectos\n\n");
        if t.indirect.is_empty() {
            md.push_str("_Por cuantificar._\n\n");
        }
        for p in &t.indirect {
            md.push_str(&population_md(p));
        }

        // 7. Reliability notes.
        md.push_str("## 7. Notas de fiabilidad\n\n");
        md.push_str(&reliability_notes(t));

        // 8. Method.
        md.push_str("## 8. Fuente y notas metodológicas\n\n");
        md.push_str(&method_notes(t));
        for n in &t.notes {
            md.push_str(&format!("- {}\n", escape_inline(n)));
        }
        md.push_str(&format!(
            "\n_Ficha generada con lapaz-survey {} el {}._\n",
            env!("CARGO_PKG_VERSION"),
            escape_inline(&t.date)
        ));
        md
    }
}

impl fmt::Display for Ficha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

/// A piece of evidence: its kind as a bold lead paragraph, then its body.
fn evidence_md(e: &dyn Evidence) -> String {
    format!(
        "**Evidencia — {}.**\n\n{}\n\n",
        escape_inline(&e.kind()),
        e.to_markdown().trim_end()
    )
}

/// `Name (datos sintéticos)` or a warning that the source is missing.
fn source_line(t: &ProblemTree) -> String {
    match &t.source {
        Some(s) => {
            let mut line = escape_inline(&s.line());
            if let Some(d) = &s.detail {
                line.push_str(". ");
                line.push_str(escape_inline(d).trim_end_matches('.'));
            }
            line
        }
        None => "⚠ no indicada".to_owned(),
    }
}

/// A population: description, total with SE, CI, CV and flag, breakdowns.
fn population_md(p: &Population) -> String {
    let mut md = format!("**{}**\n\n", escape_inline(&p.description));
    md.push_str(&figure_table(std::slice::from_ref(&p.total), false));
    md.push('\n');
    for b in &p.breakdowns {
        md.push_str(&format!("Por {}:\n\n", escape_inline(&b.by)));
        md.push_str(&figure_table(&b.rows, true));
        md.push('\n');
    }
    md
}

/// One bullet per flagged figure, and a line about figures not assessed.
fn reliability_notes(t: &ProblemTree) -> String {
    let mut md = String::new();
    let mut seen = BTreeSet::new();
    let mut unassessed = 0usize;
    for (place, f) in t.all_figures() {
        match f.reliability_level() {
            None => unassessed += 1,
            Some(Quality::Reliable) => {}
            Some(level) => {
                let key = (place.clone(), f.full_label(), f.estimate.to_bits());
                if seen.insert(key) {
                    md.push_str(&flag_note(&place, &f, level));
                }
            }
        }
    }
    if md.is_empty() {
        md.push_str("Ninguna cifra evaluada tiene una bandera de baja fiabilidad.\n");
    }
    if unassessed > 0 {
        md.push_str(&format!(
            "\n{unassessed} cifra(s) figuran «sin evaluar»: no se les aplicó un criterio de \
             fiabilidad; revise su CV y su tamaño de muestra antes de usarlas.\n"
        ));
    }
    md.push('\n');
    md
}

/// The note for one flagged figure.
fn flag_note(place: &str, f: &Figure, level: Quality) -> String {
    let why = f
        .reliability
        .as_ref()
        .map(|r| r.describe())
        .unwrap_or_default();
    let advice = match level {
        Quality::Unreliable => {
            "**No es fiable**: no la use como cifra del problema; agrupe dominios, use un \
             indicador más amplio o preséntela solo como referencia."
        }
        _ => "**Poco fiable**: úsela con precaución y cite siempre su intervalo de confianza.",
    };
    format!(
        "- {} «{}» ({}): {}, EE {}, CV {} — {}. {}\n",
        quality_mark(level),
        escape_inline(&f.full_label()),
        escape_inline(place),
        escape_inline(&f.estimate_text()),
        escape_inline(&f.se_text()),
        escape_inline(&f.cv_text()),
        escape_inline(&why),
        advice
    )
}

/// Data source and method bullets.
fn method_notes(t: &ProblemTree) -> String {
    let mut md = String::new();
    md.push_str(&format!("- **Fuente:** {}.\n", source_line(t)));
    if t.source.as_ref().is_some_and(|s| s.synthetic) {
        md.push_str(
            "- **Datos sintéticos:** réplica generada para la enseñanza; no citar como cifras \
             oficiales.\n",
        );
    }
    md.push_str("- Estimaciones ponderadas con los factores de expansión de la encuesta.\n");
    md.push_str(&format!(
        "- Errores estándar (EE) basados en el diseño muestral (estratos, conglomerados y \
         factores de expansión), calculados por {}.\n",
        t.method.name_es()
    ));
    if let Some(d) = &t.design_note {
        md.push_str(&format!("- Diseño: {}.\n", escape_inline(d)));
    }
    md.push_str(
        "- IC: intervalo de confianza (95 % salvo que se indique otro nivel). CV: coeficiente \
         de variación, EE / estimación. n: casos de la muestra sin ponderar. pp: puntos \
         porcentuales.\n",
    );
    let mut schemes: BTreeSet<String> = t
        .all_figures()
        .into_iter()
        .filter_map(|(_, f)| f.reliability.map(|r| r.scheme))
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(rule) = &t.reliability_rule {
        schemes.insert(rule.clone());
    }
    if !schemes.is_empty() {
        let list: Vec<String> = schemes.iter().map(|s| escape_inline(s)).collect();
        md.push_str(&format!(
            "- Fiabilidad evaluada según el criterio {}.\n",
            list.join(", ")
        ));
    }
    md.push_str(
        "- Las causas se sustentan en asociaciones observadas en una encuesta: no prueban \
         causalidad.\n",
    );
    md
}
