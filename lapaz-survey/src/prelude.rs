//! Everything a notebook needs with one `use lapaz_survey::prelude::*;`.
//!
//! It brings the crate's main types and the polars types they exchange, so a
//! notebook needs a single dependency line.

pub use crate::codebook::{Codebook, Language, Table, VarType, Variable};
pub use crate::design::{DesignSpec, Filter, LonelyPsu, SurveyDesign};
pub use crate::estimate::{
    Estimate, EstimateTable, PropCiMethod, QuantileRule, Statistic, TestResult,
};
pub use crate::load::{ColumnMapping, LoadError, LoadOptions, LoadReport, Survey, TextEncoding};
pub use crate::model::{Family, Regression, RegressionTable};
#[cfg(feature = "plot")]
pub use crate::present::{
    BarChart, DotChart, FrameHtml, Histogram, Html, PlotError, Pyramid, StackedBars,
};
pub use crate::problem::{
    Cause, CoefficientEvidence, DataSource, DomainEvidence, Effect, Ficha, Figure, Population,
    ProblemTree, TestEvidence,
};
pub use crate::quality::Quality;
pub use crate::teaching::{
    Check, Tolerance, check_bool, check_choice, check_estimate, check_number, check_options,
};
pub use crate::weighting::{
    CalFun, CalibrationOptions, CalibrationReport, CalibrationTargets, RakeControl,
    ReplicateColumns, ReplicateMethod, ReplicateType, calibrate_embedded,
};
pub use crate::{Error, Result};
pub use polars::prelude::{Column, DataFrame, DataType, NamedFrom, Series};
