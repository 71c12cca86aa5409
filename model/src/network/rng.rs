//! Seeded random numbers of the network: a counter-based generator for spike sources (the draw of
//! neuron `i` at tick `t` depends only on the seed, the population, `t` and `i`, so results do not
//! depend on the number of threads or on the order of evaluation) and a sequential SplitMix64
//! stream for building connectivity and initial weights.

/// The SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of a population's (or projection's) stream: the network seed and a salt.
#[inline]
pub fn stream_key(seed: u64, salt: u64) -> u64 {
    mix64(seed ^ mix64(salt.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

/// The counter-based draw of neuron `i` at tick `tick` for stream `key`: 64 uniform bits.
#[inline]
pub fn draw(key: u64, tick: u64, i: u64) -> u64 {
    mix64(key ^ tick.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// Probability `p` (clamped to `0..=1`) as a threshold on 64 uniform bits: an event happens when
/// `draw < threshold`; `p = 1` always fires.
pub fn threshold(p: f64) -> u64 {
    if p.is_nan() || p <= 0.0 {
        0
    } else if p >= 1.0 {
        u64::MAX
    } else {
        (p * 18_446_744_073_709_551_616.0) as u64
    }
}

/// A sequential SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(key: u64) -> Self {
        SplitMix64 { state: key }
    }
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }
    /// Uniform in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform integer in `0..n` (`n > 0`), by multiply-shift (bias below 2^-32 for n < 2^32).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
    /// Standard normal (Box-Muller, one value per call).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_uniform_enough_and_reproducible() {
        let key = stream_key(7, 3);
        let th = threshold(0.1);
        let n = 200_000u64;
        let hits = (0..n).filter(|i| draw(key, i / 100, i % 100) < th).count() as f64;
        assert!((hits / n as f64 - 0.1).abs() < 0.003, "{hits}");
        assert_eq!(draw(key, 5, 9), draw(key, 5, 9));
        assert_ne!(draw(key, 5, 9), draw(key, 9, 5));
        assert_eq!(threshold(0.0), 0);
        assert_eq!(threshold(1.5), u64::MAX);
        let mut g = SplitMix64::new(1);
        let m: f64 = (0..100_000).map(|_| g.normal()).sum::<f64>() / 100_000.0;
        assert!(m.abs() < 0.02, "{m}");
        assert!((0..1000).all(|_| g.below(10) < 10));
    }
}
