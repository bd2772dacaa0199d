//! Seeded random streams and the few distributions the generator needs.
//!
//! The distributions are written here (Box–Muller normal, log-normal,
//! Poisson, categorical) rather than taken from `rand_distr`, so that the
//! stream of numbers — and therefore the shipped archive — cannot change when
//! a dependency changes its sampling algorithm. Each generation step gets its
//! own stream (same key, different ChaCha stream id), so changing one step does
//! not shift the numbers of the others.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// Stream ids of the generation steps (fixed: changing one changes the data).
pub(crate) mod stream {
    pub const FRAME: u64 = 1;
    pub const SAMPLE: u64 = 2;
    pub const HOUSEHOLDS: u64 = 3;
    pub const EMPLOYMENT: u64 = 4;
    pub const INCOME: u64 = 5;
    pub const HOUSING: u64 = 6;
    pub const RISK: u64 = 7;
    pub const MOBILITY: u64 = 8;
}

/// A seeded random stream.
#[derive(Debug, Clone)]
pub(crate) struct Rand(ChaCha8Rng);

/// SplitMix64, used only to spread a `u64` seed over the 32-byte ChaCha key.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rand {
    /// The stream `stream` of the generator seeded with `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut key = [0u8; 32];
        let mut state = seed;
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        Rand(rng)
    }

    /// Uniform on [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on (0, 1).
    fn uniform_open(&mut self) -> f64 {
        loop {
            let u = self.uniform();
            if u > 0.0 {
                return u;
            }
        }
    }

    /// Uniform on [lo, hi).
    pub(crate) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal (Box–Muller; one of the pair is used).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.uniform_open();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Normal with mean `mean` and standard deviation `sd`.
    pub(crate) fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Log-normal with median `median` and log standard deviation `sdlog`.
    pub(crate) fn lognormal(&mut self, median: f64, sdlog: f64) -> f64 {
        median * (sdlog * self.normal()).exp()
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Poisson with mean `lambda` (Knuth's method; fine for small means).
    pub(crate) fn poisson(&mut self, lambda: f64) -> u32 {
        let limit = (-lambda).exp();
        let mut k = 0u32;
        let mut p = self.uniform_open();
        while p > limit && k < 1000 {
            k += 1;
            p *= self.uniform_open();
        }
        k
    }

    /// Index drawn with probability proportional to `weights` (non-negative,
    /// not all zero; otherwise index 0).
    pub(crate) fn categorical(&mut self, weights: &[f64]) -> usize {
        pick(weights, self.uniform())
    }
}

/// The index whose cumulative share first exceeds `u` (inverse-CDF draw).
pub(crate) fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    if total <= 0.0 {
        return 0;
    }
    let target = u * total;
    let mut acc = 0.0;
    let mut last = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w.is_finite() && w > 0.0 {
            acc += w;
            last = i;
            if target < acc {
                return i;
            }
        }
    }
    last
}

/// The logistic function.
pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let mut a = Rand::new(7, stream::FRAME);
        let mut b = Rand::new(7, stream::FRAME);
        let mut c = Rand::new(7, stream::SAMPLE);
        let xa: Vec<f64> = (0..5).map(|_| a.uniform()).collect();
        let xb: Vec<f64> = (0..5).map(|_| b.uniform()).collect();
        let xc: Vec<f64> = (0..5).map(|_| c.uniform()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = Rand::new(1, 99);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
    }

    #[test]
    fn poisson_and_categorical_match_their_means() {
        let mut r = Rand::new(3, 5);
        let n = 100_000;
        let m = (0..n).map(|_| f64::from(r.poisson(2.5))).sum::<f64>() / n as f64;
        assert!((m - 2.5).abs() < 0.03, "poisson mean {m}");
        let hits = (0..n).filter(|_| r.categorical(&[1.0, 3.0]) == 1).count();
        let share = hits as f64 / n as f64;
        assert!((share - 0.75).abs() < 0.01, "share {share}");
    }
}
