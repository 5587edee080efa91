//! Property tests over random valid scenarios: whatever the levers, regimes, seeds and
//! paradigm shifts, the world keeps its accounting invariants in every period, and
//! everything it records is a finite number.

use catchup::World;
use catchup::observe::{SeriesRow, check_finite, economy_row, sector_row};
use catchup::scenario::validate::validate;
use catchup::scenario::{Edit, LeverOverrides, Regime, Scenario, ScheduleEntry, parse_scenario};
use proptest::prelude::*;

/// Levers, drawn within (a subset of) their valid ranges.
#[derive(Debug, Clone)]
struct Levers {
    tariff: f64,
    rd_subsidy: f64,
    production_subsidy: f64,
    entry_barrier: f64,
    soe_preference: f64,
    soe_credit: f64,
    bailout: f64,
    tolerance: u32,
    bridge: f64,
    researcher_incentive: f64,
    consortium: bool,
}

fn levers() -> impl Strategy<Value = Levers> {
    (
        (
            0.0..=2.0,
            0.0..=2.0,
            0.0..=0.5,
            0.0..=1.0,
            0.0..=0.5,
            0.0..=3.0,
        ),
        (0.0..=1.0, 1u32..=20, 0.0..=1.0, 0.0..=1.0, any::<bool>()),
    )
        .prop_map(
            |(
                (tariff, rd_subsidy, production_subsidy, entry_barrier, soe_preference, soe_credit),
                (bailout, tolerance, bridge, researcher_incentive, consortium),
            )| Levers {
                tariff,
                rd_subsidy,
                production_subsidy,
                entry_barrier,
                soe_preference,
                soe_credit,
                bailout,
                tolerance,
                bridge,
                researcher_incentive,
                consortium,
            },
        )
}

/// One sector's draw: regime, population, and where (as a share of the run) a
/// paradigm shift falls, if any.
#[derive(Debug, Clone)]
struct SectorDraw {
    regime: Regime,
    firms_private: u32,
    firms_soe: u32,
    shift_at: Option<f64>,
}

fn sector_draw() -> impl Strategy<Value = SectorDraw> {
    (
        prop_oneof![
            Just(Regime::CatchUp),
            Just(Regime::Parallel),
            Just(Regime::Leading)
        ],
        5u32..=200,
        0u32..=40,
        proptest::option::weighted(0.3, 0.0..1.0),
    )
        .prop_map(|(regime, firms_private, firms_soe, shift_at)| SectorDraw {
            regime,
            firms_private,
            firms_soe,
            shift_at,
        })
}

/// A period in 1..=periods at the given share of the run.
fn period_at(share: f64, periods: u32) -> u32 {
    ((share * f64::from(periods)) as u32 + 1).min(periods)
}

/// A valid scenario built from the default one (three sectors).
fn scenario() -> impl Strategy<Value = Scenario> {
    (
        any::<u64>(),
        10u32..=40,
        levers(),
        proptest::collection::vec(sector_draw(), 3),
        proptest::option::weighted(0.3, (0.0..1.0, 0.0..=2.0)),
    )
        .prop_map(|(seed, periods, lv, sectors, tariff_change)| {
            let mut s = Scenario {
                seed,
                periods,
                ..Scenario::default()
            };
            let p = &mut s.policy;
            p.tariff = lv.tariff;
            p.rd_subsidy = lv.rd_subsidy;
            p.production_subsidy = lv.production_subsidy;
            p.entry_barrier = lv.entry_barrier;
            p.soe_preference = lv.soe_preference;
            p.soe_credit = lv.soe_credit;
            p.bailout = lv.bailout;
            p.tolerance = lv.tolerance;
            p.bridge = lv.bridge;
            p.researcher_incentive = lv.researcher_incentive;
            p.consortium = lv.consortium;
            assert_eq!(s.sector.len(), 3, "the default scenario has three sectors");
            for (spec, draw) in s.sector.iter_mut().zip(&sectors) {
                spec.regime = draw.regime;
                spec.firms_private = draw.firms_private;
                spec.firms_soe = draw.firms_soe;
                spec.paradigm_shifts = draw
                    .shift_at
                    .map(|a| vec![period_at(a, periods)])
                    .unwrap_or_default();
            }
            if let Some((at, tariff)) = tariff_change {
                s.schedule.push(ScheduleEntry {
                    period: period_at(at, periods),
                    sector: None,
                    levers: LeverOverrides {
                        tariff: Some(tariff),
                        ..LeverOverrides::default()
                    },
                });
            }
            s
        })
}

/// The cells of a row as written to `series.csv`; every one that reads as a number
/// must be finite (an empty cell is an undefined value, which is fine).
fn assert_row_finite(row: &SeriesRow) -> Result<(), TestCaseError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.serialize(row).expect("a row serializes");
    let bytes = writer.into_inner().expect("an in-memory writer flushes");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().expect("a header").clone();
    for record in reader.records() {
        let record = record.expect("a record");
        for (h, cell) in headers.iter().zip(record.iter()) {
            if let Ok(v) = cell.parse::<f64>() {
                prop_assert!(
                    v.is_finite(),
                    "period {} sector {}: `{h}` = {cell}",
                    row.period,
                    row.sector
                );
            }
        }
    }
    Ok(())
}

/// Ranges every row keeps, sector or economy.
fn assert_row_ranges(row: &SeriesRow) -> Result<(), TestCaseError> {
    let what = format!("period {} sector {}", row.period, row.sector);
    let unit = 0.0..=1.0 + 1e-9;
    prop_assert!(
        unit.contains(&row.import_share),
        "{what}: import_share {}",
        row.import_share
    );
    for (name, v) in [
        ("utilization", row.utilization),
        ("soe_output_share", row.soe_output_share),
        ("soe_capacity_share", row.soe_capacity_share),
        ("hhi", row.hhi),
        // The frontier is at least the best firm, so the gap never exceeds one, even
        // while old-paradigm firms still produce after a shift.
        ("gap", row.gap),
    ] {
        if let Some(v) = v {
            prop_assert!(unit.contains(&v), "{what}: {name} {v}");
        }
    }
    prop_assert!(
        row.capacity >= 0.0 && row.output >= 0.0,
        "{what}: capacity {} output {}",
        row.capacity,
        row.output
    );
    Ok(())
}

/// The scenario as the engine takes it; the tests only build valid ones.
fn valid(s: &Scenario) -> catchup::scenario::ValidScenario {
    catchup::scenario::ValidScenario::new(s.clone()).expect("a valid scenario")
}

/// Steps the world to the end, checking every period. Returns every row recorded.
fn run_checked(s: &Scenario) -> Result<Vec<SeriesRow>, TestCaseError> {
    let mut world = World::new(&valid(s));
    let mut rows = Vec::new();
    for t in 1..=s.periods {
        let records = world.step();
        prop_assert_eq!(world.period(), t);
        prop_assert_eq!(records.len(), world.sectors().len());
        for (sector, record) in world.sectors().iter().zip(&records) {
            let f = &sector.firms;
            let mut shares = 0.0;
            let mut living = 0usize;
            for i in 0..f.slots() {
                if !f.alive[i] {
                    continue;
                }
                living += 1;
                let (a, k, share) = (f.a[i], f.capacity[i], f.share[i]);
                prop_assert!(
                    a >= 0.0 && k >= 0.0 && share >= 0.0,
                    "period {t} sector {} firm {}: productivity {a}, capacity {k}, share {share}",
                    sector.name,
                    f.id[i]
                );
                prop_assert!(
                    f.net_worth[i].is_finite() && f.debt[i].is_finite() && f.output[i].is_finite(),
                    "period {t} sector {} firm {}: net worth {}, debt {}, output {}",
                    sector.name,
                    f.id[i],
                    f.net_worth[i],
                    f.debt[i],
                    f.output[i]
                );
                shares += share;
            }
            prop_assert_eq!(
                living,
                f.living(),
                "period {}: living firms of {}",
                t,
                &sector.name
            );
            let m = sector.import_share;
            prop_assert!(
                (0.0..=1.0).contains(&m),
                "period {t} sector {}: import share {m}",
                sector.name
            );
            prop_assert!(
                (shares + m - 1.0).abs() < 1e-9,
                "period {t} sector {}: firms' shares {shares} + import share {m} = {}",
                sector.name,
                shares + m
            );

            let row = sector_row(sector, record);
            prop_assert_eq!(row.period, t);
            prop_assert_eq!(&row.sector, &sector.name);
            prop_assert_eq!(
                row.firms_private + row.firms_soe,
                living as u64,
                "period {}: firms of {} in the series",
                t,
                &sector.name
            );
            assert_row_finite(&row)?;
            assert_row_ranges(&row)?;
            rows.push(row);
        }
        let all = economy_row(t, &records);
        prop_assert_eq!(all.firms_private + all.firms_soe, world.firms());
        assert_row_finite(&all)?;
        assert_row_ranges(&all)?;
        rows.push(all);
    }
    Ok(rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn shares_add_up_and_every_recorded_number_is_finite(s in scenario()) {
        prop_assume!(validate(&s).is_empty(), "invalid draw: {:?}", validate(&s));
        run_checked(&s)?;
    }

    #[test]
    fn the_same_scenario_runs_the_same_twice(s in scenario()) {
        prop_assume!(validate(&s).is_empty());
        let mut s = s;
        s.periods = s.periods.min(15);
        for spec in &mut s.sector {
            spec.paradigm_shifts.retain(|&t| t <= 15);
        }
        s.schedule.retain(|e| e.period <= 15);
        prop_assume!(validate(&s).is_empty());
        let (mut a, mut b) = (World::new(&valid(&s)), World::new(&valid(&s)));
        for _ in 0..s.periods {
            let (ra, rb) = (a.step(), b.step());
            for ((sa, sb), (x, y)) in a.sectors().iter().zip(b.sectors()).zip(ra.iter().zip(&rb)) {
                prop_assert_eq!(sector_row(sa, x), sector_row(sb, y));
            }
            prop_assert_eq!(economy_row(a.period(), &ra), economy_row(b.period(), &rb));
        }
    }

    #[test]
    fn the_saved_scenario_text_loads_back_as_the_same_scenario(s in scenario()) {
        prop_assume!(validate(&s).is_empty());
        // TOML integers are signed 64-bit: a seed of 2^63 or more cannot be written
        // back (a known limitation, reported separately), so it is kept below.
        let mut s = s;
        s.seed &= i64::MAX as u64;
        let filled = s.filled();
        let text = filled.to_toml();
        let loaded = parse_scenario(&text, "saved.toml", &[])
            .map_err(|e| TestCaseError::fail(format!("the saved text does not load: {e}\n{text}")))?;
        prop_assert_eq!(loaded.into_inner(), filled);
    }
}

/// Regression: right after a paradigm shift the frontier's growth is boosted; a
/// declining frontier (`frontier_growth` down to -0.5 is valid) once fell by more than
/// 100% and turned negative, dragging firms' productivity below zero.
#[test]
fn a_declining_frontier_stays_positive_through_a_paradigm_shift() {
    let mut s = Scenario {
        periods: 6,
        ..Scenario::default()
    };
    for spec in &mut s.sector {
        spec.frontier_growth = Some(-0.5);
        spec.paradigm_shifts = vec![2];
    }
    assert_eq!(validate(&s), vec![], "the scenario is valid");
    let mut world = World::new(&valid(&s));
    for _ in 0..s.periods {
        world.step();
        for sector in world.sectors() {
            assert!(
                sector.frontier > 0.0,
                "period {} sector {}: frontier {}",
                world.period(),
                sector.name,
                sector.frontier
            );
            let f = &sector.firms;
            for i in (0..f.slots()).filter(|&i| f.alive[i]) {
                assert!(
                    f.a[i] >= 0.0,
                    "period {}: productivity {}",
                    world.period(),
                    f.a[i]
                );
            }
        }
    }
}

/// Every range-checked key at both ends of its accepted range (the open-ended ones at
/// 1e-300 and 1e308): the model parameters, levers and structural keys from their
/// catalogues, the other sector keys listed here.
fn extremes() -> Vec<(String, String, String)> {
    use catchup::scenario::keys::{Kind, Range};
    let mut out: Vec<(String, String, String)> = SECTOR_EXTREMES
        .iter()
        .map(|&(k, lo, hi)| (k.to_string(), lo.to_string(), hi.to_string()))
        .collect();
    let structure = catchup::scenario::regime::STRUCTURE.iter().map(|k| &k.info);
    let catalogued = catchup::scenario::MODEL_PARAMS
        .iter()
        .chain(catchup::scenario::LEVERS.iter())
        .chain(structure);
    for key in catalogued {
        let text = |v: f64| match key.kind {
            Kind::Integer => format!("{}", v as u64),
            _ => format!("{v:?}"),
        };
        let (lo, hi) = match key.range {
            Range::Closed { min, max } => (text(min), text(max)),
            Range::Above { .. } => ("1e-300".to_string(), "1e308".to_string()),
            Range::Any => continue,
        };
        let path = match key.table {
            "sector" => format!("sector.a.{}", key.key),
            _ => key.path(),
        };
        out.push((path, lo, hi));
    }
    out
}

/// The sector keys' extremes.
const SECTOR_EXTREMES: &[(&str, &str, &str)] = &[
    ("sector.a.demand_per_firm", "1e-300", "1e308"),
    ("sector.a.institutes", "0", "1000"),
];

/// Valid inputs never panic and never record infinity: at every extreme of every
/// range, a run either stays finite to its end or stops with an error naming the
/// period and series (what `catchup run` reports, writing nothing).
#[test]
fn every_range_extreme_runs_finite_or_stops_with_a_named_blow_up() {
    let base = "version = 1\nname = \"edge\"\nperiods = 150\n\n[[sector]]\nname = \"a\"\nregime = \"leading\"\nfirms_private = 6\nfirms_soe = 2\ninstitutes = 1\nparadigm_shifts = [40]\n";
    let mut ran = 0;
    let mut blew_up = Vec::new();
    for (key, lo, hi) in extremes() {
        for value in [lo, hi] {
            let set = format!("{key}={value}");
            // An extreme may contradict another default (entrant_low = 10 is above
            // entrant_high): then it is refused, which is the point of validation.
            let Ok(s) =
                Edit::parse(&set).and_then(|edit| parse_scenario(base, "edge.toml", &[edit]))
            else {
                continue;
            };
            ran += 1;
            let mut world = World::new(&s);
            for _ in 0..s.periods {
                let records = match catchup::runner::step(&mut world) {
                    Ok(r) => r,
                    Err(e) => panic!("{set}: {e}"),
                };
                let mut rows: Vec<SeriesRow> = world
                    .sectors()
                    .iter()
                    .zip(&records)
                    .map(|(sec, r)| sector_row(sec, r))
                    .collect();
                rows.push(economy_row(world.period(), &records));
                if let Err(e) = check_finite(&rows) {
                    assert_eq!(e.period, world.period());
                    assert!(SeriesRow::NUMERIC_COLUMNS.contains(&e.series));
                    blew_up.push(set.clone());
                    break;
                }
            }
        }
    }
    assert!(ran > 150, "only {ran} extremes were valid");
    // Only the open-ended levels can overflow within 150 periods.
    for set in &blew_up {
        assert!(set.ends_with("=1e308"), "{set} blew up: {blew_up:?}");
    }
}
