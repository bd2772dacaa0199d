//! The `lapaz-survey info` command.
