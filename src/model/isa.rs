//! Which compiled form of the firm passes the processor runs.
//!
//! The three firm passes (`innovation::innovate`, `accounts::update_shares`,
//! `accounts::settle`) are compiled twice on x86-64: for the baseline instruction set
//! every x86-64 processor has, and for the AVX2 generation (x86-64-v3: AVX2, BMI1/2,
//! LZCNT, POPCNT, MOVBE). The second is chosen at run time where the processor has it.
//! With it the compiler runs the passes' branch-free blocks (`innovation::prepare_block`,
//! `accounts::settle_block`) on four firms at once and writes shorter code elsewhere:
//! a third fewer instructions per firm-period than the baseline form (486 against 720;
//! benches/README.md).
//!
//! Both forms give the same numbers, bit for bit: they execute the same floating-point
//! operations in the same order, each rounded as IEEE 754 says (no fused multiply-add
//! is enabled: it would round differently). `tests/isa.rs` checks it on whole runs.
//!
//! The choice is made once per process. [`force_baseline`] takes the baseline form
//! whatever the processor has (the command line does so when `CATCHUP_ISA=baseline`).

use std::sync::OnceLock;

/// A compiled form of the firm passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// Any x86-64 processor (or any other architecture).
    Baseline,
    /// x86-64-v3: AVX2 and its companions.
    Avx2,
}

impl Isa {
    /// The name recorded in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Isa::Baseline => "baseline",
            Isa::Avx2 => "x86-64-v3",
        }
    }
}

static CHOSEN: OnceLock<Isa> = OnceLock::new();

/// The best form this processor runs.
fn detected() -> Isa {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2")
            && std::arch::is_x86_feature_detected!("lzcnt")
            && std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("movbe")
        {
            return Isa::Avx2;
        }
    }
    Isa::Baseline
}

/// The form the firm passes run in this process: the best the processor has, unless
/// [`force_baseline`] was called first.
#[inline]
pub fn chosen() -> Isa {
    *CHOSEN.get_or_init(detected)
}

/// Runs the baseline form in this process, whatever the processor has. Returns false
/// (and changes nothing) when the choice was already made: call it before any pass.
pub fn force_baseline() -> bool {
    CHOSEN.set(Isa::Baseline).is_ok()
}

/// Defines a firm pass `$name` that runs `$body` (an `#[inline(always)]` function) as
/// compiled for the form [`chosen`] names: on x86-64 a second copy of the body is
/// compiled with the AVX2 generation's features enabled.
macro_rules! compiled_for_each_isa {
    ($(#[$meta:meta])* pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = $body:path;) => {
        $(#[$meta])*
        pub fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                // The same body, compiled for the AVX2 generation. No "fma": the
                // compiler fuses no multiply-add without it being asked for, and with
                // it a fused operation would round differently from the baseline.
                #[target_feature(enable = "avx,avx2,bmi1,bmi2,lzcnt,popcnt,movbe")]
                fn avx2($($arg: $ty),*) -> $ret {
                    $body($($arg),*)
                }
                if $crate::model::isa::chosen() == $crate::model::isa::Isa::Avx2 {
                    // SAFETY: `chosen` names the AVX2 form only where the processor
                    // has every feature enabled above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}
pub(crate) use compiled_for_each_isa;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_is_made_once() {
        let first = chosen();
        assert_eq!(chosen(), first);
        // Forcing the baseline after the choice was made changes nothing.
        assert!(!force_baseline());
        assert_eq!(chosen(), first);
    }
}
