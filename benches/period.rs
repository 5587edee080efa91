//! Cost of one simulated period at 1,000, 100,000 and 1,000,000 firms.
//!
//! Each size builds the default three-sector economy (catch-up, parallel, leading)
//! with about N firms (10% SOEs) and steps it through a short warm-up, so that the
//! measured period has last period's exits, entrants and prices to work with rather
//! than the uniform population of period 0. Every measured iteration then steps a
//! fresh clone of that warmed world (the clone is not timed): each iteration
//! simulates the very same period from the very same state, so the figure does not
//! drift with how many iterations criterion happens to choose, and runs on
//! different machines or commits measure the same work.
//!
//! Throughput is reported in firm-periods per second (criterion's "elem/s"). The
//! element count is the population the measured period actually simulates (last
//! period's exits and entrants applied), not the nominal N: the population drifts
//! from its initial size, so after the warm-up it is some percent away from N.
//!
//! Run all sizes: `cargo bench --bench period`; one size: `cargo bench --bench
//! period -- period/1000000`; a quick check: `cargo bench --bench period -- --quick`.
//! The simulation runs on rayon's global pool, one thread per core by default; set
//! `RAYON_NUM_THREADS=1` to measure a single thread.

use std::hint::black_box;
use std::time::Duration;

use catchup::scenario::ValidScenario;
use catchup::scenario::validate::validate;
use catchup::{Scenario, World};
use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

/// Periods simulated before the measured one.
const WARM_UP_PERIODS: u32 = 5;
/// Fixed seed, as in `scenarios/bench-1m.toml`.
const SEED: u64 = 42;
/// Share of each sector's firms that are SOEs.
const SOE_SHARE: f64 = 0.1;
/// Firms per research institute (about 300 institutes per sector at a million firms,
/// as in `scenarios/bench-1m.toml`), and the fewest institutes a sector gets.
const FIRMS_PER_INSTITUTE: u64 = 3300;
const MIN_INSTITUTES: u64 = 3;

/// The default economy scaled to about `firms` firms, split evenly across its sectors.
fn scenario(firms: u64) -> Scenario {
    let mut s = Scenario {
        name: format!("bench-period-{firms}"),
        seed: SEED,
        ..Scenario::default()
    };
    let per_sector = firms.div_ceil(s.sector.len() as u64);
    let soe = (per_sector as f64 * SOE_SHARE).round() as u64;
    let institutes = (firms / FIRMS_PER_INSTITUTE / s.sector.len() as u64).max(MIN_INSTITUTES);
    for sector in &mut s.sector {
        sector.firms_soe = soe as u32;
        sector.firms_private = (per_sector - soe) as u32;
        sector.institutes = institutes as u32;
    }
    let problems = validate(&s);
    assert!(
        problems.is_empty(),
        "the benchmark scenario is invalid: {problems:?}"
    );
    s
}

/// The economy after `WARM_UP_PERIODS` periods.
fn warmed_world(firms: u64) -> World {
    let mut world = World::new(&ValidScenario::new(scenario(firms)).expect("a valid scenario"));
    for _ in 0..WARM_UP_PERIODS {
        world.step();
    }
    world
}

fn period(c: &mut Criterion) {
    let mut group = c.benchmark_group("period");
    for firms in [1_000u64, 100_000, 1_000_000] {
        let world = warmed_world(firms);
        // A step applies last period's exits and entries first and leaves this
        // period's pending, so the living firms after it are the ones it simulated.
        let simulated = {
            let mut probe = world.clone();
            probe.step();
            probe.firms()
        };
        assert!(simulated > 0, "the warmed economy has no firms left");
        group.throughput(Throughput::Elements(simulated));
        if firms >= 1_000_000 {
            // Some 0.1-1 s a period: ten samples of one or a few periods each.
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(10));
        } else if firms >= 100_000 {
            group
                .sample_size(20)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(5));
        } else {
            group
                .sample_size(100)
                .sampling_mode(SamplingMode::Auto)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
        }
        group.bench_with_input(BenchmarkId::from_parameter(firms), &world, |b, world| {
            b.iter_batched_ref(
                || world.clone(),
                |w| black_box(w.step()),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion draws them with plotters, which in this crate is built
    // with an embedded-font backend that criterion does not set up.
    config = Criterion::default().without_plots();
    targets = period
}
criterion_main!(benches);
