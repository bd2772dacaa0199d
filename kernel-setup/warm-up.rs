// Warm-up cell run once by kernel-setup/setup after the prelude: it compiles
// what a typical first cell needs, so that a fresh kernel starts warm.
let resumen: String = format!("{:?}", Language::Es);
resumen
