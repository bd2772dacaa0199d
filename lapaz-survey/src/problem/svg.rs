//! The problem tree as an SVG diagram: effects on top, the central problem
//! in the middle with the affected population, causes below with their
//! evidence, beneficiaries and the source underneath — the classic
//! *árbol de problemas*, in Spanish.
//!
//! Text is wrapped with an estimate of glyph widths (no font is loaded), on
//! the generous side so that wide fonts such as DejaVu Sans still fit.

use std::fmt::Write as _;

use super::evidence::Evidence;
use super::figure::{Figure, quality_es, quality_mark};
use super::tree::{Population, ProblemTree};
use crate::quality::Quality;

const MIN_WIDTH: f64 = 1000.0;
const MARGIN: f64 = 24.0;
/// Left gutter holding the rotated row labels.
const GUTTER: f64 = 30.0;
const GAP: f64 = 18.0;
const ROW_GAP: f64 = 58.0;
const PAD: f64 = 12.0;
const MAX_BOX: f64 = 300.0;
const MIN_BOX: f64 = 168.0;
const PROBLEM_MAX: f64 = 720.0;
/// The house font stack (as `present::style::CSS`).
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";

/// Colours: fill, stroke and heading of each kind of box.
struct Palette {
    fill: &'static str,
    stroke: &'static str,
    heading: &'static str,
}

// Box colours follow the house palette (Okabe–Ito, `present::style`):
// orange effects, vermillion problem, blue causes, green beneficiaries;
// fills are the stroke mixed with white, headings a darker shade.
const EFFECT: Palette = Palette {
    fill: "#fdf5e0",
    stroke: "#e69f00",
    heading: "#8a5a00",
};
const PROBLEM: Palette = Palette {
    fill: "#fbeee6",
    stroke: "#d55e00",
    heading: "#9c4500",
};
const CAUSE: Palette = Palette {
    fill: "#e6f1f8",
    stroke: "#0072b2",
    heading: "#005282",
};
const BENEFIT: Palette = Palette {
    fill: "#e5f5f0",
    stroke: "#009e73",
    heading: "#00694d",
};
// Text and reliability colours: the house ink, muted text and badge colours.
const TEXT: &str = "#1f2933";
const MUTED: &str = "#52606d";
const CAUTION: &str = "#8a5a00";
const UNRELIABLE: &str = "#b42318";
const CONNECTOR: &str = "#7b8794";

/// Horizontal alignment of a line.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    Center,
    Start,
}

/// One styled paragraph before wrapping.
#[derive(Clone)]
struct Para {
    text: String,
    size: f64,
    bold: bool,
    italic: bool,
    color: &'static str,
    align: Align,
    /// Extra space above the paragraph.
    space_before: f64,
}

impl Para {
    fn new(text: impl Into<String>, size: f64) -> Self {
        Para {
            text: text.into(),
            size,
            bold: false,
            italic: false,
            color: TEXT,
            align: Align::Start,
            space_before: 0.0,
        }
    }
    fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    fn italic(mut self) -> Self {
        self.italic = true;
        self
    }
    fn color(mut self, color: &'static str) -> Self {
        self.color = color;
        self
    }
    fn center(mut self) -> Self {
        self.align = Align::Center;
        self
    }
    fn space(mut self, px: f64) -> Self {
        self.space_before = px;
        self
    }
    fn line_height(&self) -> f64 {
        (self.size * 1.32).round()
    }
}

/// A box's content, wrapped to a width.
struct Block {
    lines: Vec<(Para, String)>,
    /// Total height of the lines, in px.
    height: f64,
}

impl Block {
    fn layout(paras: &[Para], width: f64) -> Block {
        let mut lines = Vec::new();
        let mut height = 0.0;
        for p in paras {
            let wrapped = wrap(&p.text, width, p.size, p.bold);
            for (i, l) in wrapped.into_iter().enumerate() {
                let mut para = p.clone();
                if i > 0 {
                    para.space_before = 0.0;
                }
                height += para.space_before + para.line_height();
                lines.push((para, l));
            }
        }
        Block { lines, height }
    }
}

/// Approximate advance width of a glyph, in em, for common sans fonts
/// (rounded up towards DejaVu Sans, the widest usual fallback).
fn glyph_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '|' | '!' | '.' | ',' | ':' | ';' | '\'' | 'í' | 'ï' => 0.30,
        'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' | ' ' | '\u{a0}' | '·' => 0.38,
        'm' | 'w' | 'M' | 'W' | '%' | '@' | '—' | '⚠' | '✖' | '✔' | '→' => 0.95,
        'A'..='Z' | 'Á' | 'É' | 'Í' | 'Ó' | 'Ú' | 'Ñ' => 0.72,
        '0'..='9' => 0.64,
        _ => 0.61,
    }
}

/// Width of `text` in px at `size` (bold is about 8 % wider).
fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text.chars().map(glyph_em).sum();
    em * size * if bold { 1.08 } else { 1.0 }
}

/// Greedy word wrap to `width` px; a word longer than a line is split.
fn wrap(text: &str, width: f64, size: f64, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if text_width(&candidate, size, bold) <= width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            // The word alone may still be too long: split it by characters.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if text_width(&piece, size, bold) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(format!("{piece}-"));
                    piece = c.to_string();
                }
            }
            current = piece;
        }
        if !current.is_empty() || lines.is_empty() {
            lines.push(current);
        }
    }
    lines
}

/// Escapes text for SVG/XML.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Colour of a summary line: flagged figures are drawn in the flag colour.
fn line_color(text: &str) -> &'static str {
    if text.contains(quality_mark(Quality::Unreliable)) {
        UNRELIABLE
    } else if text.contains(quality_mark(Quality::Caution)) {
        CAUTION
    } else {
        TEXT
    }
}

/// Paragraphs describing a piece of evidence.
fn evidence_paras(e: &dyn Evidence, first: bool) -> Vec<Para> {
    let mut out = vec![
        Para::new(e.kind(), 11.0)
            .bold()
            .color(MUTED)
            .space(if first { 6.0 } else { 8.0 }),
    ];
    for line in e.summary() {
        let color = line_color(&line);
        let mut p = Para::new(line, 12.0).color(color);
        if color != TEXT {
            p = p.bold();
        }
        out.push(p);
    }
    out
}

/// `84 300 personas` / `EE 5120 · IC 95 %: 74 265 a 94 335 · CV 6,1 %` /
/// the flag, as paragraphs.
fn figure_paras(f: &Figure, size: f64) -> Vec<Para> {
    let mut out = vec![
        Para::new(f.estimate_text(), size + 2.0).bold(),
        Para::new(
            format!(
                "EE\u{a0}{} · {}: {} · CV\u{a0}{}",
                f.se_text(),
                f.ci_label(),
                f.ci_text(),
                f.cv_text()
            ),
            size,
        ),
    ];
    if f.needs_note()
        && let Some(r) = &f.reliability
    {
        let color = if r.level == Quality::Unreliable {
            UNRELIABLE
        } else {
            CAUTION
        };
        out.push(
            Para::new(
                format!("{} Cifra {}", quality_mark(r.level), r.describe()),
                size,
            )
            .bold()
            .color(color),
        );
    }
    out
}

/// Whether any figure in the evidence list is flagged unreliable.
fn any_unreliable(evidence: &[std::sync::Arc<dyn Evidence>]) -> bool {
    evidence
        .iter()
        .any(|e| e.worst_reliability() == Some(Quality::Unreliable))
}

/// A box to draw: position, size, palette, content.
struct DrawBox<'a> {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    palette: &'a Palette,
    block: Block,
    dashed: bool,
    stroke_width: f64,
    /// CSS class of the box's group (`causa`, `efecto`, `problema`, …).
    class: &'static str,
}

fn draw_box(svg: &mut String, b: &DrawBox<'_>) {
    let dash = if b.dashed {
        " stroke-dasharray=\"7 4\""
    } else {
        ""
    };
    let _ = writeln!(svg, "<g class=\"{}\">", b.class);
    let _ = writeln!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"8\" fill=\"{}\" \
         stroke=\"{}\" stroke-width=\"{}\"{dash}/>",
        b.x, b.y, b.w, b.h, b.palette.fill, b.palette.stroke, b.stroke_width
    );
    draw_lines(svg, &b.block, b.x + PAD, b.y + PAD, b.w - 2.0 * PAD);
    svg.push_str("</g>\n");
}

fn draw_lines(svg: &mut String, block: &Block, x: f64, y: f64, width: f64) {
    let mut cursor = y;
    for (para, text) in &block.lines {
        cursor += para.space_before;
        // Baseline sits at about 0.78 of the line box for these fonts.
        let lh = para.line_height();
        let baseline = cursor + (lh + para.size * 0.72) / 2.0;
        let (tx, anchor) = match para.align {
            Align::Center => (x + width / 2.0, "middle"),
            Align::Start => (x, "start"),
        };
        let weight = if para.bold {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let style = if para.italic {
            " font-style=\"italic\""
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            "<text x=\"{tx:.1}\" y=\"{baseline:.1}\" font-size=\"{}\" fill=\"{}\" \
             text-anchor=\"{anchor}\"{weight}{style}>{}</text>",
            para.size,
            para.color,
            xml_escape(text)
        );
        cursor += lh;
    }
}

/// Width of each box in a row of `n`, and the row's left edge.
fn row_geometry(n: usize, left: f64, avail: f64) -> (f64, f64) {
    let n = n.max(1) as f64;
    let w = ((avail - (n - 1.0) * GAP) / n).min(MAX_BOX);
    let row_w = n * w + (n - 1.0) * GAP;
    (w, left + (avail - row_w) / 2.0)
}

/// Paragraphs of a cause or effect box.
fn branch_paras(
    statement: &str,
    evidence: &[std::sync::Arc<dyn Evidence>],
    palette: &Palette,
    is_cause: bool,
) -> Vec<Para> {
    let mut paras = vec![
        Para::new(statement, 14.0)
            .bold()
            .center()
            .color(palette.heading),
    ];
    if evidence.is_empty() {
        if is_cause {
            paras.push(
                Para::new("Hipótesis: sin evidencia cuantitativa todavía", 11.5)
                    .italic()
                    .color(MUTED)
                    .center()
                    .space(6.0),
            );
        }
    } else {
        for (i, e) in evidence.iter().enumerate() {
            paras.extend(evidence_paras(e.as_ref(), i == 0));
        }
    }
    paras
}

/// Paragraphs describing a population (affected or beneficiaries).
fn population_paras(
    heading: &str,
    p: &Population,
    size: f64,
    heading_color: &'static str,
) -> Vec<Para> {
    let mut paras = vec![
        Para::new(heading, size)
            .bold()
            .color(heading_color)
            .space(4.0),
        Para::new(p.description.clone(), size),
    ];
    paras.extend(figure_paras(&p.total, size));
    for b in &p.breakdowns {
        // One compact line per breakdown: the largest domains first.
        let mut rows: Vec<&Figure> = b.rows.iter().collect();
        rows.sort_by(|a, b| b.estimate.total_cmp(&a.estimate));
        let shown: Vec<String> = rows
            .iter()
            .take(4)
            .map(|f| {
                let mark = match f.reliability_level() {
                    Some(l) if l != Quality::Reliable => format!(" {}", quality_mark(l)),
                    _ => String::new(),
                };
                format!(
                    "{} {} (EE\u{a0}{}){mark}",
                    f.domain.clone().unwrap_or_else(|| f.label.clone()),
                    f.estimate_text(),
                    f.se_text()
                )
            })
            .collect();
        let more = if rows.len() > 4 {
            format!(" · y {} más", rows.len() - 4)
        } else {
            String::new()
        };
        let text = format!("Por {}: {}{more}", b.by, shown.join(" · "));
        paras.push(Para::new(text, size - 1.0).space(2.0));
        // Flagged domains, shown or not, are named on a line of their colour.
        for level in [Quality::Unreliable, Quality::Caution] {
            let names: Vec<String> = b
                .rows
                .iter()
                .filter(|f| f.reliability_level() == Some(level))
                .map(|f| f.domain.clone().unwrap_or_else(|| f.label.clone()))
                .collect();
            if !names.is_empty() {
                let color = if level == Quality::Unreliable {
                    UNRELIABLE
                } else {
                    CAUTION
                };
                paras.push(
                    Para::new(
                        format!(
                            "{} {} por {}: {}",
                            quality_mark(level),
                            quality_es(level),
                            b.by,
                            names.join(", ")
                        ),
                        size - 1.0,
                    )
                    .bold()
                    .color(color),
                );
            }
        }
    }
    paras
}

/// Renders the tree as a standalone SVG document.
pub(crate) fn render(tree: &ProblemTree) -> String {
    let n_max = tree.effects.len().max(tree.causes.len()).max(1) as f64;
    let width = MIN_WIDTH.max(2.0 * MARGIN + GUTTER + n_max * MIN_BOX + (n_max - 1.0) * GAP);
    let left = MARGIN + GUTTER;
    let avail = width - left - MARGIN;
    let mut body = String::new();
    let mut y = MARGIN;

    // Header.
    let mut header = vec![Para::new("Árbol de problemas", 20.0).bold()];
    let mut sub = Vec::new();
    if let Some(s) = &tree.sector {
        sub.push(format!("Sector: {s}"));
    }
    if let Some(t) = &tree.team {
        sub.push(format!("Equipo: {t}"));
    }
    sub.push(tree.date.clone());
    header.push(Para::new(sub.join(" · "), 12.5).color(MUTED).space(2.0));
    let header_block = Block::layout(&header, width - 2.0 * MARGIN);
    draw_lines(&mut body, &header_block, MARGIN, y, width - 2.0 * MARGIN);
    y += header_block.height + 16.0;

    // Effects row.
    let effects_top = y;
    let (ew, ex) = row_geometry(tree.effects.len(), left, avail);
    let mut effect_boxes = Vec::new();
    if tree.effects.is_empty() {
        let block = Block::layout(
            &[Para::new("Efectos por definir", 13.0)
                .italic()
                .color(MUTED)
                .center()],
            ew - 2.0 * PAD,
        );
        effect_boxes.push((ex, ew, block, true));
    } else {
        for (i, e) in tree.effects.iter().enumerate() {
            let paras = branch_paras(&e.statement, &e.evidence, &EFFECT, false);
            let block = Block::layout(&paras, ew - 2.0 * PAD);
            let dashed = any_unreliable(&e.evidence);
            effect_boxes.push((ex + i as f64 * (ew + GAP), ew, block, dashed));
        }
    }
    let effects_h = (effect_boxes.iter().map(|b| b.2.height).fold(0.0, f64::max) + 2.0 * PAD)
        .max(label_min_height("EFECTOS"));
    let mut effect_centers = Vec::new();
    for (bx, bw, block, dashed) in effect_boxes {
        effect_centers.push(bx + bw / 2.0);
        let placeholder = tree.effects.is_empty();
        draw_box(
            &mut body,
            &DrawBox {
                x: bx,
                y: effects_top,
                w: bw,
                h: effects_h,
                palette: &EFFECT,
                class: if placeholder {
                    "efecto por-definir"
                } else {
                    "efecto"
                },
                block,
                dashed: dashed || placeholder,
                stroke_width: 1.5,
            },
        );
    }
    row_label(&mut body, "EFECTOS", effects_top, effects_h, EFFECT.heading);
    y = effects_top + effects_h + ROW_GAP;

    // Central problem with the affected population.
    let problem_top = y;
    let pw = avail.min(PROBLEM_MAX);
    let px = left + (avail - pw) / 2.0;
    let mut paras = vec![
        Para::new(tree.problem.clone(), 17.0)
            .bold()
            .center()
            .color(PROBLEM.heading),
    ];
    let mut affected =
        population_paras("Población afectada", &tree.affected, 12.5, PROBLEM.heading);
    if let Some(first) = affected.first_mut() {
        first.space_before = 10.0;
    }
    paras.extend(affected.into_iter().map(Para::center));
    let block = Block::layout(&paras, pw - 2.0 * PAD);
    let problem_h = (block.height + 2.0 * PAD).max(label_min_height("PROBLEMA CENTRAL"));
    // Dashed when the headline total itself is unreliable; flagged domains
    // are marked on their own line.
    let problem_unreliable = tree.affected.total.reliability_level() == Some(Quality::Unreliable);
    draw_box(
        &mut body,
        &DrawBox {
            x: px,
            y: problem_top,
            w: pw,
            h: problem_h,
            palette: &PROBLEM,
            class: "problema",
            block,
            dashed: problem_unreliable,
            stroke_width: 2.5,
        },
    );
    row_label(
        &mut body,
        "PROBLEMA CENTRAL",
        problem_top,
        problem_h,
        PROBLEM.heading,
    );
    let problem_cx = px + pw / 2.0;
    y = problem_top + problem_h + ROW_GAP;

    // Connectors problem → effects (arrows point at the effects).
    let effects_bottom = effects_top + effects_h;
    connectors(
        &mut body,
        problem_cx,
        problem_top,
        &effect_centers,
        effects_bottom,
        true,
    );

    // Causes row.
    let causes_top = y;
    let (cw, cx) = row_geometry(tree.causes.len(), left, avail);
    let mut cause_boxes = Vec::new();
    if tree.causes.is_empty() {
        let block = Block::layout(
            &[Para::new("Causas por definir", 13.0)
                .italic()
                .color(MUTED)
                .center()],
            cw - 2.0 * PAD,
        );
        cause_boxes.push((cx, cw, block, true));
    } else {
        for (i, c) in tree.causes.iter().enumerate() {
            let paras = branch_paras(&c.statement, &c.evidence, &CAUSE, true);
            let block = Block::layout(&paras, cw - 2.0 * PAD);
            let dashed = any_unreliable(&c.evidence) || c.evidence.is_empty();
            cause_boxes.push((cx + i as f64 * (cw + GAP), cw, block, dashed));
        }
    }
    let causes_h = (cause_boxes.iter().map(|b| b.2.height).fold(0.0, f64::max) + 2.0 * PAD)
        .max(label_min_height("CAUSAS"));
    let mut cause_centers = Vec::new();
    for (bx, bw, block, dashed) in cause_boxes {
        cause_centers.push(bx + bw / 2.0);
        draw_box(
            &mut body,
            &DrawBox {
                x: bx,
                y: causes_top,
                w: bw,
                h: causes_h,
                palette: &CAUSE,
                class: if tree.causes.is_empty() {
                    "causa por-definir"
                } else {
                    "causa"
                },
                block,
                dashed,
                stroke_width: 1.5,
            },
        );
    }
    row_label(&mut body, "CAUSAS", causes_top, causes_h, CAUSE.heading);
    // Causes → problem (arrows point at the problem).
    connectors(
        &mut body,
        problem_cx,
        problem_top + problem_h,
        &cause_centers,
        causes_top,
        false,
    );
    y = causes_top + causes_h + 28.0;

    // Beneficiaries.
    let mut paras = Vec::new();
    if tree.direct.is_empty() && tree.indirect.is_empty() {
        paras.push(
            Para::new("Beneficiarios: por cuantificar", 12.5)
                .italic()
                .color(MUTED),
        );
    }
    let groups = [
        ("Beneficiarios directos", &tree.direct),
        ("Beneficiarios indirectos", &tree.indirect),
    ];
    let n_groups = groups.iter().map(|g| g.1.len()).sum::<usize>();
    let bw_col = if n_groups >= 2 {
        (avail - GAP) / 2.0
    } else {
        avail
    };
    // Lay beneficiaries out in up to two columns.
    let mut columns: Vec<Vec<Para>> = Vec::new();
    for (heading, pops) in groups {
        for p in pops {
            columns.push(population_paras(heading, p, 12.0, BENEFIT.heading));
        }
    }
    let benefit_top = y;
    let blocks: Vec<Block> = if columns.is_empty() {
        vec![Block::layout(&paras, avail - 2.0 * PAD)]
    } else {
        columns
            .iter()
            .map(|c| Block::layout(c, bw_col - 2.0 * PAD))
            .collect()
    };
    let mut row_y = benefit_top;
    let mut benefit_bottom = benefit_top;
    for pair in blocks.chunks(2) {
        let h = pair.iter().map(|b| b.height).fold(0.0, f64::max) + 2.0 * PAD;
        let w = if pair.len() == 2 || n_groups >= 2 {
            bw_col
        } else {
            avail
        };
        for (i, block) in pair.iter().enumerate() {
            let x = left + i as f64 * (bw_col + GAP);
            let dashed = block.lines.iter().any(|(p, _)| p.color == UNRELIABLE);
            draw_box(
                &mut body,
                &DrawBox {
                    x,
                    y: row_y,
                    w,
                    h,
                    palette: &BENEFIT,
                    class: "beneficiarios",
                    block: Block {
                        lines: block.lines.clone(),
                        height: block.height,
                    },
                    dashed,
                    stroke_width: 1.5,
                },
            );
        }
        row_y += h + 10.0;
        benefit_bottom = row_y - 10.0;
    }
    y = benefit_bottom + 18.0;

    // Footer: source, method, legend.
    let mut footer = Vec::new();
    match &tree.source {
        Some(s) => footer.push(Para::new(format!("Fuente: {}", s.line()), 11.5).color(MUTED)),
        None => footer.push(Para::new("Fuente: no indicada", 11.5).color(UNRELIABLE)),
    }
    footer.push(
        Para::new(
            format!(
                "Errores estándar (EE) basados en el diseño muestral: {}. IC: intervalo de \
                 confianza; CV: coeficiente de variación.",
                tree.method.name_es()
            ),
            11.5,
        )
        .color(MUTED),
    );
    footer.push(
        Para::new(
            "⚠ poco fiable: usar con precaución · ✖ no fiable: no usar como cifra · \
             borde punteado: cifra no fiable o causa sin evidencia",
            11.5,
        )
        .color(MUTED),
    );
    let footer_block = Block::layout(&footer, width - 2.0 * MARGIN);
    draw_lines(&mut body, &footer_block, MARGIN, y, width - 2.0 * MARGIN);
    y += footer_block.height + MARGIN;

    let height = y.ceil();
    let mut svg = String::with_capacity(body.len() + 1024);
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" \
         aria-label=\"Árbol de problemas: {}\" font-family=\"{FONT}\" \
         style=\"max-width:100%;height:auto\">",
        xml_escape(&tree.problem)
    );
    let _ = writeln!(
        svg,
        "<title>Árbol de problemas: {}</title>",
        xml_escape(&tree.problem)
    );
    let _ = writeln!(
        svg,
        "<defs><marker id=\"flecha\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"{CONNECTOR}\"/></marker></defs>"
    );
    let _ = writeln!(
        svg,
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    svg.push_str(&body);
    svg.push_str("</svg>\n");
    svg
}

/// Width of a row label: bold, with 1 px of letter spacing.
fn label_width(text: &str, size: f64) -> f64 {
    text_width(text, size, true) + text.chars().count() as f64
}

/// Smallest row height whose rotated label fits at the small size.
fn label_min_height(text: &str) -> f64 {
    label_width(text, 9.0) + 12.0
}

/// A rotated label in the left gutter, centred on a row.
fn row_label(svg: &mut String, text: &str, top: f64, height: f64, color: &str) {
    let cx = MARGIN + 9.0;
    let cy = top + height / 2.0;
    let size = if label_width(text, 11.0) + 12.0 > height {
        9.0
    } else {
        11.0
    };
    let _ = writeln!(
        svg,
        "<text x=\"{cx:.1}\" y=\"{cy:.1}\" font-size=\"{size}\" font-weight=\"bold\" \
         letter-spacing=\"1\" fill=\"{color}\" text-anchor=\"middle\" \
         dominant-baseline=\"middle\" transform=\"rotate(-90 {cx:.1} {cy:.1})\">{}</text>",
        xml_escape(text)
    );
}

/// Elbow connectors between the problem (at `hub_x`, edge `hub_y`) and a
/// row of boxes (centres `xs`, edge `row_y`). `to_row` puts the arrowheads
/// on the row's boxes (effects); otherwise on the problem (causes).
fn connectors(svg: &mut String, hub_x: f64, hub_y: f64, xs: &[f64], row_y: f64, to_row: bool) {
    if xs.is_empty() {
        return;
    }
    let bus_y = (hub_y + row_y) / 2.0;
    let style = format!("stroke=\"{CONNECTOR}\" stroke-width=\"1.8\" fill=\"none\"");
    // Trunk between the problem and the bus.
    let trunk_marker = if to_row {
        ""
    } else {
        " marker-end=\"url(#flecha)\""
    };
    let _ = writeln!(
        svg,
        "<line x1=\"{hub_x:.1}\" y1=\"{bus_y:.1}\" x2=\"{hub_x:.1}\" y2=\"{hub_y:.1}\" {style}{trunk_marker}/>"
    );
    let lo = xs.iter().copied().fold(hub_x, f64::min);
    let hi = xs.iter().copied().fold(hub_x, f64::max);
    if hi - lo > 0.5 {
        let _ = writeln!(
            svg,
            "<line x1=\"{lo:.1}\" y1=\"{bus_y:.1}\" x2=\"{hi:.1}\" y2=\"{bus_y:.1}\" {style}/>"
        );
    }
    let branch_marker = if to_row {
        " marker-end=\"url(#flecha)\""
    } else {
        ""
    };
    for &x in xs {
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{bus_y:.1}\" x2=\"{x:.1}\" y2=\"{row_y:.1}\" {style}{branch_marker}/>"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_the_width_and_keeps_every_word() {
        let text = "Largos tiempos de viaje al trabajo en transporte público para quienes \
                    viven en las laderas";
        let lines = wrap(text, 150.0, 14.0, false);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 14.0, false) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn wrap_splits_a_word_longer_than_the_line() {
        let lines = wrap(
            "Desconcentración-administrativa-municipal",
            60.0,
            14.0,
            false,
        );
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(text_width(l, 14.0, false) <= 60.0 + text_width("-", 14.0, false));
        }
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml_escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
