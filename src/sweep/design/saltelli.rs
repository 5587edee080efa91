//! The base rows (A, B) of a Saltelli design, for `sobol` (a scrambled Sobol'
//! sequence) and `saltelli-random` (ChaCha8 draws): row j computed on its own.

use rand_chacha::ChaCha8Rng;

use super::{design_rng, skip_draws};
use crate::model::rng::uniform;

/// The most base samples of a `sobol` design: the length of the scrambled Sobol'
/// sequence of `sobol_burley`.
pub const SOBOL_MAX_POINTS: u32 = 1 << 16;

/// The most factors of a `sobol` design: A and B take k dimensions each of the
/// sequence, which has `sobol_burley::NUM_DIMENSIONS` (256).
pub const SOBOL_MAX_FACTORS: usize = sobol_burley::NUM_DIMENSIONS as usize / 2;

/// The base rows (A, B) of a Saltelli design in the unit cube, one row at a time.
///
/// `scrambled`: row j is point j of an Owen-scrambled Sobol' sequence in 2k dimensions
/// (Burley 2020, from the `sobol_burley` crate), A its first k coordinates and B the
/// last k, as SALib's `sobol.sample` does; the scramble is seeded by the master seed.
/// Its first 2^m rows are a (t, m, 2k)-net, so a power of 2 for N balances the design
/// best; at most [`SOBOL_MAX_POINTS`] rows, [`SOBOL_MAX_FACTORS`] factors.
/// Otherwise A then B are k independent ChaCha8 draws each (`saltelli-random`, and
/// `sobol` in sweep format version 1): unlimited, and kept draw for draw.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliRows {
    k: usize,
    source: RowSource,
}

#[derive(Debug, Clone, PartialEq)]
enum RowSource {
    Scrambled {
        seed: u32,
    },
    /// The generator at row 0; row j is 2k draws further.
    Random(Box<ChaCha8Rng>),
}

impl SaltelliRows {
    pub fn new(scrambled: bool, k: usize, seed: u64) -> SaltelliRows {
        let source = if scrambled {
            // 32 bits of the master seed mixed with "sobol" in ASCII, for the scramble
            // and the shuffle.
            RowSource::Scrambled {
                seed: (crate::model::rng::mix(seed ^ 0x0073_6f62_6f6c) >> 32) as u32,
            }
        } else {
            RowSource::Random(Box::new(design_rng(seed)))
        };
        SaltelliRows { k, source }
    }

    /// Row j: (A, B) in the unit cube. For `sobol`, j must be below
    /// [`SOBOL_MAX_POINTS`] and k at most [`SOBOL_MAX_FACTORS`] (the sweep file is
    /// checked for both).
    pub fn row(&self, j: u64) -> (Vec<f64>, Vec<f64>) {
        let k = self.k;
        match &self.source {
            RowSource::Scrambled { seed } => {
                assert!(
                    j < u64::from(SOBOL_MAX_POINTS) && k <= SOBOL_MAX_FACTORS,
                    "row {j} of {k} factors is beyond the scrambled sequence"
                );
                let at = |d: usize| f64::from(sobol_burley::sample(j as u32, d as u32, *seed));
                ((0..k).map(at).collect(), (k..2 * k).map(at).collect())
            }
            RowSource::Random(start) => {
                let mut rng = start.as_ref().clone();
                skip_draws(&mut rng, j * 2 * k as u64);
                let a = (0..k).map(|_| uniform(&mut rng)).collect();
                let b = (0..k).map(|_| uniform(&mut rng)).collect();
                (a, b)
            }
        }
    }
}
