//! Keyed random streams.
//!
//! A firm's draws depend only on (run seed, sector, period, phase, firm id): each firm
//! draws from its own counter-based generator, [`FirmRng`]: draw `n` of firm `id` is
//! SplitMix64's output at counter `id * 2^16 + n` of the phase's key ([`FirmKey`], a
//! hash of seed, sector, period and phase). Nothing in it depends on the slot the firm occupies, the
//! chunk of slots it falls in or the thread that runs the chunk, so a run is the same
//! whatever the number of threads, and slots may be compacted at any moment without
//! changing any firm's draws. The generator is 8 bytes, made on the spot for one firm
//! and one phase: no firm carries one around.
//!
//! Sector-level draws (frontier shifts, institutes, paths, entrants) come from a
//! ChaCha8 stream keyed by (seed, sector, period, phase), stream number 0 (or a fixed
//! number for the paths drawn at set-up).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Infallible, Rng, SeedableRng, TryRng};

/// What a stream is used for; part of its key so that phases never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Phase {
    Init = 1,
    Sector = 2,
    Innovation = 3,
    Accounts = 4,
    Entry = 5,
}

/// SplitMix64 finaliser: a well-mixed 64-bit function of its input.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of (seed, sector, period, phase): a well-mixed hash of the four.
fn phase_key(seed: u64, sector: u32, period: u32, phase: Phase) -> u64 {
    let mut h = mix(seed);
    h = mix(h ^ u64::from(sector));
    h = mix(h ^ u64::from(period));
    mix(h ^ phase as u64)
}

/// The key of every firm's draws in one phase of one period of a sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmKey(u64);

impl FirmKey {
    pub fn new(seed: u64, sector: u32, period: u32, phase: Phase) -> FirmKey {
        FirmKey(phase_key(seed, sector, period, phase))
    }

    /// The draws of the firm with this id.
    #[inline]
    pub fn firm(self, id: u32) -> FirmRng {
        FirmRng {
            state: self
                .0
                .wrapping_add(GOLDEN.wrapping_mul(u64::from(id) << DRAW_BITS)),
        }
    }
}

/// SplitMix64's increment, the golden ratio in 64 bits (odd, so counters never collide).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// A firm's draws in one phase take the counters `id << DRAW_BITS ..`: room for 65,536
/// draws a firm and phase (it makes at most a handful); ids are 32-bit.
const DRAW_BITS: u32 = 16;

/// One firm's draws in one phase of one period, counter-based: draw `n` of firm `id`
/// is SplitMix64's output at counter `id * 2^16 + n` of the phase's key, a function
/// of (key, id, n) alone. Cheap to make (one multiplication) and 8 bytes.
#[derive(Debug, Clone)]
pub struct FirmRng {
    state: u64,
}

impl TryRng for FirmRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        // `mix` adds the golden increment itself: this is SplitMix64's step.
        let out = mix(self.state);
        self.state = self.state.wrapping_add(GOLDEN);
        Ok(out)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for part in dst.chunks_mut(8) {
            let x = self.try_next_u64()?.to_le_bytes();
            part.copy_from_slice(&x[..part.len()]);
        }
        Ok(())
    }
}

/// The sector-level stream for (seed, sector, period, phase), stream number `number`.
pub fn stream(seed: u64, sector: u32, period: u32, phase: Phase, number: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    let mut x = phase_key(seed, sector, period, phase);
    for part in key.chunks_exact_mut(8) {
        x = mix(x);
        part.copy_from_slice(&x.to_le_bytes());
    }
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(number);
    rng
}

/// A uniform draw in [0, 1) with 53 random bits.
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Two uniform draws in [0, 1) with 32 random bits each, from one 64-bit word:
/// enough resolution for event probabilities, at half the cost.
#[inline]
pub fn uniform_pair<R: Rng + ?Sized>(rng: &mut R) -> (f64, f64) {
    let x = rng.next_u64();
    let scale = 1.0 / (1u64 << 32) as f64;
    ((x >> 32) as f64 * scale, (x & 0xFFFF_FFFF) as f64 * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = stream(7, 1, 3, Phase::Innovation, 5).next_u64();
        assert_eq!(a, stream(7, 1, 3, Phase::Innovation, 5).next_u64());
        assert_ne!(a, stream(7, 1, 3, Phase::Innovation, 6).next_u64());
        assert_ne!(a, stream(7, 1, 4, Phase::Innovation, 5).next_u64());
        assert_ne!(a, stream(7, 2, 3, Phase::Innovation, 5).next_u64());
        assert_ne!(a, stream(7, 1, 3, Phase::Accounts, 5).next_u64());
        assert_ne!(a, stream(8, 1, 3, Phase::Innovation, 5).next_u64());
    }

    #[test]
    fn a_firms_draws_depend_on_its_key_and_id_alone() {
        let key = FirmKey::new(7, 1, 3, Phase::Innovation);
        let draws = |k: FirmKey, id: u32| {
            let mut r = k.firm(id);
            [r.next_u64(), r.next_u64(), r.next_u64()]
        };
        let a = draws(key, 5);
        assert_eq!(a, draws(FirmKey::new(7, 1, 3, Phase::Innovation), 5));
        assert!(a[0] != a[1] && a[1] != a[2]);
        for other in [
            draws(key, 6),
            draws(FirmKey::new(7, 1, 4, Phase::Innovation), 5),
            draws(FirmKey::new(7, 2, 3, Phase::Innovation), 5),
            draws(FirmKey::new(7, 1, 3, Phase::Accounts), 5),
            draws(FirmKey::new(8, 1, 3, Phase::Innovation), 5),
        ] {
            assert!(other.iter().all(|x| !a.contains(x)));
        }
    }

    /// Neighbouring firms' first draws are uniform and uncorrelated: the means and the
    /// lag-one correlation over a million ids are within a few standard errors.
    #[test]
    fn neighbouring_firms_draw_independently() {
        let key = FirmKey::new(42, 0, 1, Phase::Innovation);
        let n = 1_000_000u32;
        let u: Vec<f64> = (0..n).map(|id| uniform(&mut key.firm(id))).collect();
        let mean = u.iter().sum::<f64>() / n as f64;
        assert!(
            (mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt(),
            "{mean}"
        );
        let cov = u
            .windows(2)
            .map(|w| (w[0] - 0.5) * (w[1] - 0.5))
            .sum::<f64>()
            / n as f64;
        // The standard error of the lag-one covariance is 1/12 / sqrt(n).
        assert!(cov.abs() < 4.0 / 12.0 / (n as f64).sqrt(), "{cov}");
    }

    #[test]
    fn uniforms_lie_in_the_unit_interval() {
        let mut r = stream(1, 0, 0, Phase::Init, 0);
        for _ in 0..10_000 {
            let u = uniform(&mut r);
            let (v, w) = uniform_pair(&mut r);
            assert!((0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) && (0.0..1.0).contains(&w));
        }
    }
}
