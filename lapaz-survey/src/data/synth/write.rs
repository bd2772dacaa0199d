//! Writing the generated survey: the two CSV tables, the README and the
//! byte-for-byte reproducible zip archive.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::frame::Block;
use super::records::{Household, Person};
use super::{GENERATOR_VERSION, Headline, SynthError, SyntheticSurvey};

/// Columns of `vivienda.csv`, in codebook order.
pub(crate) const VIVIENDA_COLUMNS: [&str; 36] = [
    "folio",
    "upm",
    "estrato",
    "factor",
    "factor_diseno",
    "macrodistrito",
    "distrito",
    "zona",
    "area",
    "nse",
    "totper",
    "tenencia",
    "pared",
    "cuartos",
    "dormitorios",
    "agua",
    "saneamiento",
    "electricidad",
    "internet",
    "yhog",
    "yhogpc",
    "z",
    "p0",
    "quintil",
    "riesgo_mapa",
    "riesgo_percibido",
    "evento_12m",
    "danio_vivienda",
    "evacuado",
    "ahorro_emergencia",
    "seguro_vivienda",
    "conoce_alerta_temprana",
    "plan_familiar_emergencia",
    "participa_org_vecinal",
    "indice_resiliencia",
    "tiempo_recuperacion",
];

/// Columns of `persona.csv`, in codebook order.
pub(crate) const PERSONA_COLUMNS: [&str; 32] = [
    "folio",
    "nro",
    "upm",
    "estrato",
    "factor",
    "factor_diseno",
    "macrodistrito",
    "area",
    "s01a_02",
    "s01a_03",
    "grupo_edad",
    "s01a_05",
    "s01a_09",
    "aestudio",
    "niv_ed_g",
    "pet",
    "condact",
    "s04b_12",
    "caeb_op",
    "s04b_14",
    "s04f_36",
    "informal",
    "tothrs",
    "ylab",
    "busca_trabajo_semanas",
    "viaja_habitual",
    "motivo",
    "modo_principal",
    "transbordos",
    "tiempo_viaje_min",
    "costo_bs",
    "destino_macrodistrito",
];

/// Appends one CSV field (no quoting needed: codes, numbers and folios only).
fn int(row: &mut String, x: Option<i64>) {
    if let Some(v) = x {
        let _ = write!(row, "{v}");
    }
    row.push(',');
}

fn float(row: &mut String, x: Option<f64>, decimals: usize) {
    if let Some(v) = x {
        let _ = write!(row, "{v:.decimals$}");
    }
    row.push(',');
}

fn text(row: &mut String, x: &str) {
    row.push_str(x);
    row.push(',');
}

fn finish(out: &mut String, mut row: String) {
    row.pop();
    out.push_str(&row);
    out.push('\n');
}

fn age_group(age: i64) -> i64 {
    match age {
        ..=14 => 1,
        15..=24 => 2,
        25..=44 => 3,
        45..=64 => 4,
        _ => 5,
    }
}

pub(crate) fn vivienda_csv(frame: &[Block], households: &[Household]) -> String {
    let mut out = VIVIENDA_COLUMNS.join(",");
    out.push('\n');
    for h in households {
        let b = &frame[h.block];
        let mut r = String::with_capacity(200);
        text(&mut r, &h.folio);
        text(&mut r, &b.upm);
        int(&mut r, Some(i64::from(b.stratum)));
        float(&mut r, Some(h.factor), 4);
        float(&mut r, Some(h.factor_diseno), 4);
        int(&mut r, Some(i64::from(b.macro_)));
        int(&mut r, Some(i64::from(b.district)));
        int(&mut r, Some(i64::from(b.zone)));
        int(&mut r, Some(i64::from(b.area)));
        int(&mut r, b.nse.map(|n| n as i64));
        int(&mut r, Some(h.size as i64));
        int(&mut r, h.tenencia);
        int(&mut r, h.pared);
        int(&mut r, h.cuartos);
        int(&mut r, h.dormitorios);
        int(&mut r, h.agua);
        int(&mut r, h.saneamiento);
        int(&mut r, h.electricidad);
        int(&mut r, h.internet);
        float(&mut r, Some(h.yhog), 2);
        float(&mut r, Some(h.yhogpc), 2);
        float(&mut r, Some(h.z), 2);
        int(&mut r, Some(h.p0));
        int(&mut r, Some(h.quintil));
        int(&mut r, Some(h.riesgo_mapa));
        int(&mut r, h.riesgo_percibido);
        int(&mut r, h.evento_12m);
        int(&mut r, h.danio_vivienda);
        int(&mut r, h.evacuado);
        int(&mut r, h.ahorro_emergencia);
        int(&mut r, h.seguro_vivienda);
        int(&mut r, h.conoce_alerta_temprana);
        int(&mut r, h.plan_familiar_emergencia);
        int(&mut r, h.participa_org_vecinal);
        int(&mut r, h.indice_resiliencia);
        int(&mut r, h.tiempo_recuperacion);
        finish(&mut out, r);
    }
    out
}

pub(crate) fn persona_csv(frame: &[Block], households: &[Household], persons: &[Person]) -> String {
    let mut out = PERSONA_COLUMNS.join(",");
    out.push('\n');
    for p in persons {
        let h = &households[p.hh];
        let b = &frame[h.block];
        let mut r = String::with_capacity(160);
        text(&mut r, &h.folio);
        int(&mut r, Some(p.nro));
        text(&mut r, &b.upm);
        int(&mut r, Some(i64::from(b.stratum)));
        float(&mut r, Some(h.factor), 4);
        float(&mut r, Some(h.factor_diseno), 4);
        int(&mut r, Some(i64::from(b.macro_)));
        int(&mut r, Some(i64::from(b.area)));
        int(&mut r, Some(p.sex));
        int(&mut r, Some(p.age));
        int(&mut r, Some(age_group(p.age)));
        int(&mut r, Some(p.relation));
        int(&mut r, p.indigenous);
        int(&mut r, p.aestudio);
        int(&mut r, p.niv_ed_g);
        int(&mut r, Some(p.pet));
        int(&mut r, p.condact);
        int(&mut r, p.categoria);
        int(&mut r, p.caeb);
        int(&mut r, p.tamano);
        int(&mut r, p.aporta);
        int(&mut r, p.informal);
        int(&mut r, p.tothrs);
        float(&mut r, p.ylab, 2);
        int(&mut r, p.semanas);
        int(&mut r, p.viaja);
        int(&mut r, p.motivo);
        int(&mut r, p.modo);
        int(&mut r, p.transbordos);
        int(&mut r, p.tiempo);
        float(&mut r, p.costo, 2);
        int(&mut r, p.destino);
        finish(&mut out, r);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x).replace('.', ",")
}

/// The archive's README (Spanish, then an English summary).
pub(crate) fn leeme(s: &SyntheticSurvey) -> String {
    let h: &Headline = &s.headline;
    let mut o = String::new();
    let _ = writeln!(o, "# EMH 2023 — sustituto sintético · synthetic stand-in\n");
    let _ = writeln!(
        o,
        "> **DATOS SINTÉTICOS.** Este archivo NO contiene la Encuesta Municipal de Hogares 2023 \
         real del GAMLP, cuyos microdatos no son públicos. Es un conjunto de datos inventado por \
         un programa, con la forma de una encuesta de hogares del INE de Bolivia, para aprender \
         y probar métodos. Ninguna fila corresponde a un hogar real y sus cifras no son estadísticas \
         de La Paz.\n"
    );
    let _ = writeln!(o, "## Contenido\n");
    let _ = writeln!(
        o,
        "| Archivo | Qué es |\n|---|---|\n\
         | `vivienda.csv` | {} hogares (una fila por hogar, clave `folio`) |\n\
         | `persona.csv` | {} personas (clave `folio` + `nro`) |\n\
         | `codebook.toml` | libro de códigos: etiquetas en español e inglés, tipos, códigos faltantes |\n\
         | `targets.toml` | todas las cifras usadas por el generador, con su fuente o su marca de supuesto |\n\
         | `geografia/*.csv` | macrodistritos, distritos (asignación incierta) y zonas |\n",
        h.households, h.persons
    );
    let _ = writeln!(o, "## Cómo se generó\n");
    let _ = writeln!(
        o,
        "Generador `lapaz-survey generate` (módulo `lapaz_survey::data::synth`), versión {GENERATOR_VERSION}, \
         semilla {}. Con la misma versión y semilla el archivo se reproduce byte a byte.\n",
        s.seed
    );
    let _ = writeln!(
        o,
        "1. **Marco**: {} manzanas (UPM) con su número de viviendas, zona, nivel socioeconómico y \
         clase del mapa de riesgos; {} viviendas ocupadas.\n\
         2. **Muestra bietápica**: {} estratos (macrodistrito × nivel socioeconómico; Hampaturi y \
         Zongo aparte y sobremuestreados); {} UPM elegidas con probabilidad proporcional al tamaño \
         (sistemática); {} viviendas elegidas sistemáticamente del listado actualizado; {} hogares \
         respondieron.\n\
         3. **Pesos**: `factor_diseno` = 1/(π₁·π₂) × ajuste por no respuesta dentro del estrato; \
         `factor` = `factor_diseno` × postestratificación por macrodistrito al total de personas \
         del Censo 2024 (suma: {:.0} personas).\n\
         4. **Contenido**: un bienestar latente por hogar (efecto del macrodistrito, del nivel de la \
         manzana, de la manzana y del hogar) mueve educación, empleo, ingresos, servicios y \
         resiliencia; el riesgo viene del mapa de la manzana (laderas de Cotahuma, San Antonio y \
         Sur); la movilidad, de un modelo logit de modo. Los interceptos se ajustan para reproducir \
         las metas de `targets.toml`.\n",
        s.frame_blocks,
        s.frame_dwellings,
        h.strata,
        h.psus,
        s.selected_dwellings,
        h.households,
        h.weight_sum
    );
    let _ = writeln!(o, "## Cifras principales (ponderadas)\n");
    let _ = writeln!(
        o,
        "| Indicador | Valor |\n|---|---|\n\
         | Tasa de desocupación | {} |\n\
         | Informalidad (no aporta a pensiones) | {} |\n\
         | Viajes en transporte público | {} |\n\
         | Viajes a pie | {} |\n\
         | Pobreza por ingresos | {} |\n\
         | Hogares en manzanas de riesgo moderado o mayor | {} |\n\
         | Hogares con un evento adverso en 12 meses | {} |\n",
        pct(h.unemployment),
        pct(h.informality),
        pct(h.public_transport),
        pct(h.walking),
        pct(h.poverty),
        pct(h.moderate_risk),
        pct(h.event_rate)
    );
    let _ = writeln!(o, "## Qué es real y qué es supuesto\n");
    let _ = writeln!(
        o,
        "- **Real**: los nombres y códigos de los 9 macrodistritos, los 23 distritos, los nombres \
         de las zonas, el total de población del Censo 2024 (preliminar), la estructura de archivos \
         y nombres de variables al estilo del INE, y las cifras de referencia (PROXY) tomadas de \
         otras encuestas y fuentes, citadas en `targets.toml`.\n\
         - **Supuesto**: el diseño muestral, la población por macrodistrito, la asignación de \
         distritos y zonas, y todos los coeficientes de los modelos (marcados ASSUMPTION).\n\
         - **Inventado**: cada hogar y cada persona.\n"
    );
    let _ = writeln!(o, "## English summary\n");
    let _ = writeln!(
        o,
        "**SYNTHETIC DATA — not the real EMH 2023** (the La Paz Municipal Household Survey 2023, \
         whose microdata are not public). Generated by `lapaz-survey generate`, generator version \
         {GENERATOR_VERSION}, seed {}: a two-stage stratified cluster sample ({} PSUs, {} households, \
         {} persons) drawn from a synthetic frame of the real La Paz geography, with design weights, \
         a non-response adjustment and post-stratification to the 2024 census total (755,732 \
         persons). Every figure used is listed in `targets.toml` as PROXY (from another survey, \
         year or scope, with its source) or ASSUMPTION. Variable names follow INE Bolivia's \
         household survey; labels are in Spanish and English in `codebook.toml`.",
        s.seed, h.psus, h.households, h.persons
    );
    o
}

/// The entries of the archive, in order.
pub(crate) fn archive_entries(s: &SyntheticSurvey) -> Vec<(&'static str, String)> {
    vec![
        ("LEEME.md", leeme(s)),
        ("codebook.toml", s.inputs.codebook_toml.to_string()),
        ("vivienda.csv", s.vivienda_csv.clone()),
        ("persona.csv", s.persona_csv.clone()),
        (
            "geografia/macrodistritos.csv",
            s.inputs.macrodistritos_csv.to_string(),
        ),
        (
            "geografia/distritos.csv",
            s.inputs.distritos_csv.to_string(),
        ),
        ("geografia/zonas.csv", s.inputs.zonas_csv.to_string()),
        ("targets.toml", s.targets_toml.clone()),
    ]
}

/// Zips the entries: fixed order, fixed timestamps and permissions, deflate.
pub(crate) fn zip_bytes(entries: &[(&str, String)]) -> Result<Vec<u8>, SynthError> {
    let zip_err = |e: zip::result::ZipError| SynthError::Archive(e.to_string());
    let time = DateTime::from_date_and_time(2023, 12, 31, 0, 0, 0)
        .map_err(|e| SynthError::Archive(e.to_string()))?;
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer.start_file(*name, options).map_err(zip_err)?;
        writer
            .write_all(content.as_bytes())
            .map_err(|e| SynthError::Archive(e.to_string()))?;
    }
    let cursor = writer.finish().map_err(zip_err)?;
    Ok(cursor.into_inner())
}
