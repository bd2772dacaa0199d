use lapaz_survey::prelude::*;
let lapaz_listo: bool = "true".parse::<bool>()?;
