//! The design specification: which columns are weights, strata, clusters
//! and fpc, and how to treat strata with a single PSU.

use serde::{Deserialize, Serialize};

/// What to do with a stratum that has a single PSU (R's
/// `options(survey.lonely.psu=)`), applied at every stage whose variance is
/// computed.
///
/// A stratum whose fpc says every unit was taken (a *self-representing*
/// stratum, sampling fraction 1) contributes no variance and is never
/// "lonely", exactly as in R.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LonelyPsu {
    /// Refuse to build the design, naming the strata (R's default `"fail"`).
    /// Unlike R, which fails when an estimate touches such a stratum, the
    /// design fails when it is built: you learn about it once, up front.
    #[default]
    Fail,
    /// The stratum contributes no variance at that stage (R `"remove"`).
    Remove,
    /// The single PSU is treated as sampled with certainty: no variance at
    /// that stage (R `"certainty"`; in R 4.1 it gives the same numbers as
    /// `"remove"` for Taylor designs).
    Certainty,
    /// The PSU total is centred at zero — the population mean of the
    /// linearised variable — instead of its stratum mean (R `"adjust"`).
    Adjust,
    /// The stratum's contribution is replaced by the average contribution of
    /// the other strata present (R `"average"`).
    Average,
}

impl LonelyPsu {
    /// All policies, in the order the command line lists them.
    pub const ALL: [LonelyPsu; 5] = [
        LonelyPsu::Fail,
        LonelyPsu::Remove,
        LonelyPsu::Certainty,
        LonelyPsu::Adjust,
        LonelyPsu::Average,
    ];

    /// The policy's name as R and the command line spell it.
    pub fn name(self) -> &'static str {
        match self {
            LonelyPsu::Fail => "fail",
            LonelyPsu::Remove => "remove",
            LonelyPsu::Certainty => "certainty",
            LonelyPsu::Adjust => "adjust",
            LonelyPsu::Average => "average",
        }
    }
}

impl std::str::FromStr for LonelyPsu {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LonelyPsu::ALL
            .into_iter()
            .find(|p| p.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "política de UPM solitaria desconocida `{s}`; use una de: fail, remove, certainty, adjust, average"
                )
            })
    }
}

impl std::fmt::Display for LonelyPsu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A survey design specification, as R's `svydesign(ids, strata, weights,
/// fpc, nest)`: column names only, checked against the data when a
/// [`SurveyDesign`](crate::design::SurveyDesign) is built.
///
/// ```
/// use lapaz_survey::design::{DesignSpec, LonelyPsu};
///
/// // svydesign(id = ~upm, strata = ~estrato, weights = ~factor, nest = TRUE)
/// let spec = DesignSpec::new()
///     .weights("factor")
///     .strata("estrato")
///     .cluster("upm")
///     .nest(true)
///     .lonely_psu(LonelyPsu::Adjust);
/// assert_eq!(spec.cluster_columns(), ["upm"]);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weights: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    strata: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    clusters: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fpc: Vec<String>,
    #[serde(default)]
    nest: bool,
    #[serde(default)]
    lonely_psu: LonelyPsu,
    #[serde(default)]
    ultimate_cluster: bool,
}

impl DesignSpec {
    /// An empty specification: every row its own PSU, no strata, equal
    /// weights (as `svydesign(ids = ~1)`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The sampling-weight column (expansion factor; R `weights=`).
    pub fn weights(mut self, column: impl Into<String>) -> Self {
        self.weights = Some(column.into());
        self
    }

    /// The stratum column (first stage; R `strata=`).
    pub fn strata(mut self, column: impl Into<String>) -> Self {
        self.strata = Some(column.into());
        self
    }

    /// Adds a sampling stage: the cluster-id column of the next stage (the
    /// first call gives the PSUs; R `ids = ~psu + ssu`). Later-stage ids are
    /// read within their parent cluster, as R does.
    pub fn cluster(mut self, column: impl Into<String>) -> Self {
        self.clusters.push(column.into());
        self
    }

    /// Sets all stages' cluster columns at once.
    pub fn clusters<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.clusters = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Adds the finite population correction of the next stage: a column
    /// holding, for each row, the population size of its stratum (stage 1)
    /// or of its parent cluster (later stages), or the sampling fraction
    /// when every value is ≤ 1 — as R reads `fpc=`. Give one per stage.
    pub fn fpc(mut self, column: impl Into<String>) -> Self {
        self.fpc.push(column.into());
        self
    }

    /// Sets all stages' fpc columns at once.
    pub fn fpcs<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fpc = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Whether PSU ids are only unique within strata (R `nest=TRUE`).
    /// Without it, a PSU id found in two strata is an error.
    pub fn nest(mut self, nest: bool) -> Self {
        self.nest = nest;
        self
    }

    /// The policy for strata with a single PSU.
    pub fn lonely_psu(mut self, policy: LonelyPsu) -> Self {
        self.lonely_psu = policy;
        self
    }

    /// Use only the first stage for the variance even when fpc is given for
    /// every stage (R `options(survey.ultimate.cluster = TRUE)`; off by default).
    pub fn ultimate_cluster(mut self, on: bool) -> Self {
        self.ultimate_cluster = on;
        self
    }

    /// The weight column, if any.
    pub fn weights_column(&self) -> Option<&str> {
        self.weights.as_deref()
    }

    /// The stratum column, if any.
    pub fn strata_column(&self) -> Option<&str> {
        self.strata.as_deref()
    }

    /// The cluster columns, one per stage (empty: each row its own PSU).
    pub fn cluster_columns(&self) -> &[String] {
        &self.clusters
    }

    /// The fpc columns, one per stage (empty: sampling with replacement).
    pub fn fpc_columns(&self) -> &[String] {
        &self.fpc
    }

    /// Whether PSU ids are nested in strata.
    pub fn is_nested(&self) -> bool {
        self.nest
    }

    /// The lonely-PSU policy.
    pub fn lonely_psu_policy(&self) -> LonelyPsu {
        self.lonely_psu
    }

    /// Whether only the first stage is used for the variance.
    pub fn is_ultimate_cluster(&self) -> bool {
        self.ultimate_cluster
    }
}
