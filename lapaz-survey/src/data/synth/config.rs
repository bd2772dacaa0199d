//! The generator's figures (`targets.toml`) and the geography tables
//! (`geografia/*.csv`), parsed into typed structs.
//!
//! Every number the generator uses comes from here; the code holds only
//! structure (which figure feeds which model).

use serde::Deserialize;

use super::SynthError;

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(crate) enum Label {
    /// Taken from another survey, year or scope.
    #[serde(rename = "PROXY")]
    Proxy,
    /// A working assumption with no public source.
    #[serde(rename = "ASSUMPTION")]
    Assumption,
}

/// One figure of the config: its value plus provenance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Figure<T> {
    pub value: T,
    #[allow(dead_code)] // read by the TOML schema check, shown in the docs
    pub label: Label,
    #[allow(dead_code)]
    pub confidence: String,
    #[allow(dead_code)]
    pub source: String,
    #[serde(default)]
    #[allow(dead_code)]
    pub note: Option<String>,
    /// Band the generated figure must fall in (test target).
    #[serde(default)]
    #[allow(dead_code)]
    pub band: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Targets {
    pub semilla: Figure<u64>,
    pub poblacion: Poblacion,
    pub diseno: Diseno,
    pub zonas: Zonas,
    pub hogar: Hogar,
    pub bienestar: Bienestar,
    pub educacion: Educacion,
    pub empleo: Empleo,
    pub ingresos: Ingresos,
    pub vivienda: Vivienda,
    pub riesgos: Riesgos,
    pub resiliencia: Resiliencia,
    pub movilidad: Movilidad,
    pub faltantes: Faltantes,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Poblacion {
    pub personas: Figure<u64>,
    pub hogares: Figure<u64>,
    pub personas_macrodistrito: Figure<[f64; 9]>,
    pub edad_sexo: Figure<Vec<EdadSexo>>,
}

/// Calibration totals of one macrodistrict by sex and age group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EdadSexo {
    pub macrodistrito: u8,
    pub hombres: [u64; 5],
    pub mujeres: [u64; 5],
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Diseno {
    pub upm: Figure<usize>,
    pub upm_hampaturi: Figure<usize>,
    pub upm_zongo: Figure<usize>,
    pub upm_min_estrato: Figure<usize>,
    pub viviendas_por_upm: Figure<usize>,
    pub manzana_urbana: Figure<[f64; 2]>,
    pub comunidad_rural: Figure<[f64; 2]>,
    pub desactualizacion_marco: Figure<f64>,
    pub tasa_respuesta: Figure<[f64; 4]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Zonas {
    pub nse_alto: Figure<Vec<u16>>,
    pub nse_bajo: Figure<Vec<u16>>,
    pub mezcla_nse: Figure<[[f64; 3]; 3]>,
    pub ladera: Figure<Vec<u16>>,
    pub peligro_ladera: Figure<f64>,
    pub peligro_macrodistrito: Figure<[f64; 9]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Hogar {
    pub tamano_poisson: Figure<[f64; 4]>,
    pub jefa_mujer: Figure<f64>,
    pub con_conyuge: Figure<f64>,
    pub edad_jefe: Figure<[f64; 5]>,
    pub tamano_ciclo: Figure<[f64; 2]>,
    pub intervalo_hijos: Figure<[f64; 4]>,
    pub trabajador_hogar: Figure<[f64; 3]>,
    pub indigena: Figure<[f64; 4]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Bienestar {
    pub pobreza_macrodistrito: Figure<[f64; 9]>,
    pub efecto_nse: Figure<[f64; 3]>,
    pub sd_manzana: Figure<f64>,
    pub sd_hogar: Figure<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Educacion {
    pub anios_medios: Figure<f64>,
    pub efecto_bienestar: Figure<f64>,
    pub efecto_cohorte: Figure<[f64; 3]>,
    pub brecha_mujer_mayor: Figure<f64>,
    pub rural: Figure<f64>,
    pub sd: Figure<f64>,
    pub asiste_18_24: Figure<[f64; 2]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Empleo {
    pub edad_pet: Figure<u8>,
    pub participacion: Figure<f64>,
    pub desocupacion: Figure<f64>,
    pub informalidad: Figure<f64>,
    pub coeficientes: Figure<CoefEmpleo>,
    pub categoria: Figure<CoefCategoria>,
    pub rama: Figure<[f64; 21]>,
    pub publico: Figure<f64>,
    pub tamano: Figure<[[f64; 6]; 6]>,
    pub horas: Figure<[[f64; 2]; 3]>,
    pub semanas_busqueda: Figure<[f64; 2]>,
    pub ingreso_laboral_medio: Figure<f64>,
    pub ingreso: Figure<CoefIngreso>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoefEmpleo {
    pub part_mujer: f64,
    pub part_estudiante: f64,
    pub part_edad: [f64; 6],
    pub deso_joven: f64,
    pub deso_bienestar: f64,
    pub deso_superior: f64,
    pub formal_asalariado: f64,
    pub formal_cuenta_propia: f64,
    pub formal_empleador: f64,
    pub formal_familiar: f64,
    pub formal_hogar: f64,
    pub formal_cooperativa: f64,
    pub formal_publico: f64,
    pub formal_anio_estudio: f64,
    pub formal_tamano_grande: f64,
    pub formal_tamano_mediano: f64,
    pub formal_bienestar: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoefCategoria {
    pub asalariado: f64,
    pub cuenta_propia: f64,
    pub empleador: f64,
    pub familiar: f64,
    pub hogar: f64,
    pub cooperativa: f64,
    pub asal_anio_estudio: f64,
    pub asal_bienestar: f64,
    pub cp_mayor_40: f64,
    pub emp_bienestar: f64,
    pub fam_joven: f64,
    pub hogar_mujer: f64,
    pub hogar_bienestar: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoefIngreso {
    pub anio_estudio: f64,
    pub bienestar: f64,
    pub mujer: f64,
    pub empleador: f64,
    pub cuenta_propia: f64,
    pub hogar: f64,
    pub horas: f64,
    pub sd: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ingresos {
    pub pobreza: Figure<f64>,
    pub linea_pobreza: Figure<[f64; 2]>,
    pub renta_dignidad: Figure<f64>,
    pub jubilacion: Figure<[f64; 4]>,
    pub transferencias: Figure<[f64; 3]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Vivienda {
    pub sd_servicios: Figure<f64>,
    pub tenencia: Figure<[[f64; 8]; 2]>,
    pub adobe: Figure<[f64; 4]>,
    pub internet: Figure<[f64; 3]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Riesgos {
    pub moderado_o_mas: Figure<f64>,
    pub evento_12m: Figure<f64>,
    pub evento_macrodistrito: Figure<[f64; 9]>,
    pub evento_clase: Figure<f64>,
    pub sd_evento_manzana: Figure<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Resiliencia {
    pub coeficientes: Figure<CoefResiliencia>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoefResiliencia {
    pub ahorro: [f64; 2],
    pub seguro: [f64; 2],
    pub alerta: [f64; 2],
    pub alerta_riesgo: f64,
    pub plan: [f64; 2],
    pub plan_evento: f64,
    pub vecinal: [f64; 2],
    pub vecinal_propietario: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Movilidad {
    pub reparto_modal: Figure<[f64; 11]>,
    /// Test targets only (the shares follow from `reparto_modal`).
    #[allow(dead_code)]
    pub transporte_publico: Figure<f64>,
    #[allow(dead_code)]
    pub a_pie: Figure<f64>,
    pub tiempo_macrodistrito: Figure<[f64; 9]>,
    pub viaja: Figure<[f64; 5]>,
    pub atraccion: Figure<[f64; 11]>,
    pub mismo_macrodistrito: Figure<[f64; 3]>,
    pub el_alto_vecinos: Figure<f64>,
    pub utilidades: Figure<CoefModo>,
    pub tiempo_base: Figure<[f64; 11]>,
    pub tiempo_destino: Figure<[f64; 5]>,
    pub sd_tiempo: Figure<[f64; 2]>,
    pub tarifa: Figure<[f64; 11]>,
    pub tarifa_minuto: Figure<[f64; 2]>,
    pub transbordo: Figure<[f64; 3]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CoefModo {
    pub auto_bienestar: f64,
    pub taxi_bienestar: f64,
    pub pie_mismo: f64,
    pub pie_otro: f64,
    pub pie_nino: f64,
    pub minibus_san_antonio: f64,
    pub trufi_sur: f64,
    pub micro_cotahuma: f64,
    pub teleferico: [f64; 9],
    pub pumakatari: [f64; 9],
    pub teleferico_el_alto: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Faltantes {
    pub nsnr: Figure<f64>,
}

impl Targets {
    /// Parses `targets.toml`.
    pub(crate) fn from_toml_str(text: &str) -> Result<Self, SynthError> {
        let t: Targets = toml::from_str(text).map_err(|e| SynthError::Config {
            file: "targets.toml".into(),
            message: e.to_string(),
        })?;
        t.check()?;
        Ok(t)
    }

    fn check(&self) -> Result<(), SynthError> {
        let bad = |message: String| {
            Err(SynthError::Config {
                file: "targets.toml".into(),
                message,
            })
        };
        let total: f64 = self.poblacion.personas_macrodistrito.value.iter().sum();
        if (total - self.poblacion.personas.value as f64).abs() > 0.5 {
            return bad(format!(
                "`poblacion.personas_macrodistrito` suma {total}, no {} (`poblacion.personas`)",
                self.poblacion.personas.value
            ));
        }
        for row in &self.poblacion.edad_sexo.value {
            let m = usize::from(row.macrodistrito);
            let expected = match m
                .checked_sub(1)
                .and_then(|i| self.poblacion.personas_macrodistrito.value.get(i).copied())
            {
                Some(v) => v,
                None => {
                    return bad(format!(
                        "`poblacion.edad_sexo`: macrodistrito {m} no existe"
                    ));
                }
            };
            let sum: u64 = row.hombres.iter().chain(row.mujeres.iter()).sum();
            if (sum as f64 - expected).abs() > 0.5 {
                return bad(format!(
                    "`poblacion.edad_sexo`: el macrodistrito {m} suma {sum}, no {expected}"
                ));
            }
        }
        let d = &self.diseno;
        if d.upm.value < d.upm_hampaturi.value + d.upm_zongo.value + 2 {
            return bad("`diseno.upm` es menor que las UPM rurales".into());
        }
        if d.viviendas_por_upm.value == 0 || d.viviendas_por_upm.value > 999 {
            return bad("`diseno.viviendas_por_upm` debe estar entre 1 y 999".into());
        }
        for (name, v) in [
            ("empleo.participacion", self.empleo.participacion.value),
            ("empleo.desocupacion", self.empleo.desocupacion.value),
            ("empleo.informalidad", self.empleo.informalidad.value),
            ("ingresos.pobreza", self.ingresos.pobreza.value),
            ("riesgos.moderado_o_mas", self.riesgos.moderado_o_mas.value),
            ("riesgos.evento_12m", self.riesgos.evento_12m.value),
            ("faltantes.nsnr", self.faltantes.nsnr.value),
        ] {
            if !(v > 0.0 && v < 1.0) {
                return bad(format!(
                    "`{name}` debe ser una proporción entre 0 y 1; es {v}"
                ));
            }
        }
        for p in self.bienestar.pobreza_macrodistrito.value {
            if !(p > 0.0 && p < 1.0) {
                return bad("`bienestar.pobreza_macrodistrito` debe tener proporciones".into());
            }
        }
        if self.movilidad.reparto_modal.value.iter().any(|&s| s <= 0.0) {
            return bad("`movilidad.reparto_modal`: todas las proporciones deben ser > 0".into());
        }
        Ok(())
    }
}

/// One zone of `geografia/zonas.csv`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ZoneRow {
    pub zona: u16,
    #[allow(dead_code)]
    pub nombre: String,
    pub macrodistrito: u8,
    pub distrito: u8,
}

/// The geography the generator needs: zones with their macrodistrict and
/// (assumed) district.
#[derive(Debug, Clone)]
pub(crate) struct Geography {
    pub zones: Vec<ZoneRow>,
}

impl Geography {
    pub(crate) fn from_csv(zonas_csv: &str) -> Result<Self, SynthError> {
        let mut reader = csv::Reader::from_reader(zonas_csv.as_bytes());
        let mut zones = Vec::new();
        for (i, row) in reader.deserialize::<ZoneRow>().enumerate() {
            let row = row.map_err(|e| SynthError::Config {
                file: "geografia/zonas.csv".into(),
                message: format!("fila {}: {e}", i + 2),
            })?;
            if !(1..=9).contains(&row.macrodistrito) || !(1..=23).contains(&row.distrito) {
                return Err(SynthError::Config {
                    file: "geografia/zonas.csv".into(),
                    message: format!(
                        "fila {}: macrodistrito {} o distrito {} fuera de rango",
                        i + 2,
                        row.macrodistrito,
                        row.distrito
                    ),
                });
            }
            zones.push(row);
        }
        for m in 1..=9u8 {
            if !zones.iter().any(|z| z.macrodistrito == m) {
                return Err(SynthError::Config {
                    file: "geografia/zonas.csv".into(),
                    message: format!("el macrodistrito {m} no tiene zonas"),
                });
            }
        }
        Ok(Geography { zones })
    }
}
