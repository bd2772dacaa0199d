//! Reading a polars `DataFrame` by column name in a way that also works
//! across notebook cells.
//!
//! In the evcxr kernel every cell is compiled into its own shared library,
//! and each one carries its own copy of polars and of its hasher's global
//! seed. A `DataFrame` caches its schema (a hash map from column name to
//! position) the first time it is asked for it; a lookup made later, from
//! the code of another cell, hashes the name with a different seed and does
//! not find a column that is there (`ColumnNotFound`, evcxr issue 311).
//!
//! The crate therefore never looks a column up through a cached schema of a
//! frame it did not build in the same call: [`column`] scans the names, and
//! [`detached`] gives a copy without the cached schema before a frame is
//! handed to polars operations that look columns up by name. Both are cheap
//! (a frame has tens of columns; a copy shares the column buffers).

use polars::prelude::{Column, DataFrame};

/// The column called `name`, found by comparing names (no hashing).
pub(crate) fn column<'a>(df: &'a DataFrame, name: &str) -> Option<&'a Column> {
    df.columns().iter().find(|c| c.name().as_str() == name)
}

/// A copy of `df` that shares its columns but not its cached schema, so the
/// schema is rebuilt by the code that uses the copy.
pub(crate) fn detached(df: &DataFrame) -> DataFrame {
    // `new` only re-validates what `df` already guarantees (equal lengths,
    // unique names); it cannot fail here, and falling back to a plain clone
    // keeps this function total.
    DataFrame::new(df.height(), df.columns().to_vec()).unwrap_or_else(|_| df.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn finds_columns_by_name_and_detaches_the_schema() {
        let df =
            df!["a" => [1, 2], "b" => ["x", "y"], "c" => [0.5, 1.5], "d" => [1, 1], "e" => [2, 2]]
                .expect("frame");
        let _ = df.schema(); // cache it
        assert!(df.cached_schema().is_some());
        assert_eq!(column(&df, "c").map(|c| c.name().as_str()), Some("c"));
        assert!(column(&df, "z").is_none());
        let copy = detached(&df);
        assert!(copy.cached_schema().is_none());
        assert_eq!(copy.get_column_names(), df.get_column_names());
        assert_eq!(copy.height(), 2);
    }
}
