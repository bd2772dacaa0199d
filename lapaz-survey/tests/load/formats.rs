//! Parquet (feature `parquet`) and SPSS `.sav` (feature `spss`) tables.
