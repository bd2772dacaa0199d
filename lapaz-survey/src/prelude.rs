//! Everything a notebook needs with one `use lapaz_survey::prelude::*;`.
//!
//! It brings the crate's main types and the polars types they exchange, so a
//! notebook needs a single dependency line.

pub use crate::codebook::{Codebook, Language, Table, VarType, Variable};
pub use crate::load::{ColumnMapping, LoadError, LoadOptions, LoadReport, Survey, TextEncoding};
pub use crate::{Error, Result};
pub use polars::prelude::{Column, DataFrame, DataType, NamedFrom, Series};
