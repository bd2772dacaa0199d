use lapaz_survey::prelude::*;
