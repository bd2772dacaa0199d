// Warm-up cell run once by kernel-setup/setup after the prelude, so that the
// template holds the compiled cell crate of a typical first cell.
let encuesta: Survey = Survey::embedded()?;
encuesta.persons().height()
