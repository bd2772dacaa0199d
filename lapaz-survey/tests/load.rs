//! Tests of the survey loaders (`lapaz_survey::load`): one test binary,
//! submodules under `tests/load/`. Fixtures are written by the tests into
//! unique temp folders.

#[path = "load/fixture.rs"]
mod fixture;

#[path = "load/errors.rs"]
mod errors;

#[path = "load/loading.rs"]
mod loading;

#[path = "load/garbage.rs"]
mod garbage;

#[path = "load/formats.rs"]
mod formats;

#[path = "load/embedded.rs"]
mod embedded;

#[path = "load/cli.rs"]
mod cli;
