//! A fuzz test of the four loaders of untrusted text: scenario files, sweep files,
//! calibration files and classroom API request bodies.
//!
//! Rust stable has no `cargo fuzz`, so this is a mutation fuzzer driven by proptest:
//! each case takes a seed input from `tests/fuzz-corpus/` and mutates it (bit flips,
//! deletions, insertions of random bytes and TOML/JSON tokens, a duplicated line,
//! truncation, numbers replaced with extreme values). Every loader must then return
//! either a value or a short, non-empty error; scenarios that load must pass
//! validation and step three periods with finite rows.
//!
//! The RNG seed is fixed, so a run is reproducible. The number of cases per loader
//! is `CATCHUP_FUZZ_CASES` (default below); for a longer hunt:
//! `CATCHUP_FUZZ_CASES=200000 cargo test --release --test fuzz`.
//! `CATCHUP_FUZZ_SEED` picks another seed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use catchup::World;
use catchup::calibrate::Calibration;
use catchup::observe::sector_row;
use catchup::scenario::{parse_scenario, validate::validate};
use catchup::serve::api;
use catchup::sweep::spec::Sweep;

/// Cases per loader unless `CATCHUP_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: u32 = 20_000;
/// Inputs are cut to this size after mutation.
const MAX_INPUT: usize = 64 * 1024;
/// The longest error message accepted.
const MAX_MESSAGE: usize = 8 * 1024;
/// The most lines an error message may have (a capped list of problems).
const MAX_MESSAGE_LINES: usize = 40;
/// The longest time a single case may take, even in a debug build.
const MAX_CASE_TIME: Duration = Duration::from_secs(30);
/// Scenarios with more firms than this are checked but not stepped (time per case).
const MAX_STEPPED_FIRMS: u64 = 5_000;

/// TOML and JSON fragments worth inserting.
const TOKENS: &[&str] = &[
    "=",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    ",",
    ".",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "#",
    "\n",
    ":",
    "\\",
    "\\u0000",
    "\\uD800",
    "true",
    "false",
    "null",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "+inf",
    "0",
    "-0",
    "-0.0",
    "1e308",
    "-1e308",
    "1e309",
    "5e-324",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "0x7f",
    "0o7",
    "0b1",
    "1_000",
    "1979-05-27T07:32:00Z",
    "[[sector]]",
    "[[schedule]]",
    "[policy]",
    "[model]",
    "[design]",
    "[[design.factor]]",
    "[[metric]]",
    "version = 1",
    "version = 2",
    "kind = \"saltelli-random\"",
    "periods = 3",
    "sector.",
    "policy.",
    "name = \"a\"",
    "regime = \"leading\"",
    "firms_private = ",
    "\"NaN\"",
    "\"base\": ",
    "\"scenario\": ",
    "\"schedule\": [",
    "\"policy\": {",
    "\"sectors\": {",
    "\"until\": ",
    "\"columns\": [",
    "\"levers\": {",
    "\"period\": ",
    "[]",
    "{}",
    "[[]]",
];

/// Replacements for a number in the input.
const EXTREMES: &[&str] = &[
    "0",
    "-0",
    "-0.0",
    "-1",
    "1e308",
    "-1e308",
    "1e309",
    "5e-324",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "99999999999999999999999",
    "0.0000001",
    "2147483648",
    "100000",
    "\"1\"",
    "[1]",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Delete { at: usize, len: usize },
    InsertBytes { at: usize, bytes: Vec<u8> },
    InsertToken { at: usize, token: usize },
    DuplicateLine { line: usize, times: usize },
    Truncate { at: usize },
    ReplaceNumber { nth: usize, with: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        3 => (at, 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => (at, 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (at, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::InsertBytes { at, bytes }),
        4 => (at, 0..TOKENS.len())
            .prop_map(|(at, token)| Mutation::InsertToken { at, token }),
        2 => (any::<usize>(), prop_oneof![9 => Just(1usize), 1 => 2usize..2000])
            .prop_map(|(line, times)| Mutation::DuplicateLine { line, times }),
        1 => at.prop_map(|at| Mutation::Truncate { at }),
        5 => (any::<usize>(), 0..EXTREMES.len())
            .prop_map(|(nth, with)| Mutation::ReplaceNumber { nth, with }),
    ]
}

/// Start offsets and ends of the numbers in `input` (digit runs with sign, dot, exponent).
fn numbers(input: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let starts = input[i].is_ascii_digit()
            && (i == 0 || !(input[i - 1].is_ascii_alphanumeric() || input[i - 1] == b'_'));
        if !starts {
            i += 1;
            continue;
        }
        let start = if i > 0 && input[i - 1] == b'-' {
            i - 1
        } else {
            i
        };
        let mut end = i;
        while end < input.len()
            && (input[end].is_ascii_digit() || matches!(input[end], b'.' | b'e' | b'E' | b'_'))
        {
            end += 1;
        }
        found.push((start, end));
        i = end;
    }
    found
}

fn apply(input: &mut Vec<u8>, m: &Mutation) {
    let len = input.len();
    let pos = |at: usize| if len == 0 { 0 } else { at % (len + 1) };
    match *m {
        Mutation::Flip { at, bit } => {
            if len > 0 {
                input[at % len] ^= 1 << bit;
            }
        }
        Mutation::Delete { at, len: n } => {
            let start = pos(at);
            let end = (start + n).min(len);
            input.drain(start..end);
        }
        Mutation::InsertBytes { at, ref bytes } => {
            let p = pos(at);
            input.splice(p..p, bytes.iter().copied());
        }
        Mutation::InsertToken { at, token } => {
            let p = pos(at);
            input.splice(p..p, TOKENS[token].bytes());
        }
        Mutation::DuplicateLine { line, times } => {
            let lines: Vec<&[u8]> = input.split_inclusive(|&b| b == b'\n').collect();
            if lines.is_empty() {
                return;
            }
            let k = line % lines.len();
            let mut out = Vec::with_capacity(len + lines[k].len() * times);
            for (i, l) in lines.iter().enumerate() {
                out.extend_from_slice(l);
                if i == k {
                    for _ in 0..times {
                        if !l.ends_with(b"\n") {
                            out.push(b'\n');
                        }
                        out.extend_from_slice(l);
                    }
                }
            }
            *input = out;
        }
        Mutation::Truncate { at } => input.truncate(pos(at)),
        Mutation::ReplaceNumber { nth, with } => {
            let found = numbers(input);
            if let Some(&(start, end)) = found.get(nth % found.len().max(1)) {
                input.splice(start..end, EXTREMES[with].bytes());
            }
        }
    }
    input.truncate(MAX_INPUT);
}

fn corpus(kind: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no seed inputs", dir.display());
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect()
}

/// A deterministic runner: fixed seed, no persistence, no forking.
fn runner() -> TestRunner {
    let cases = std::env::var("CATCHUP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let seed: u64 = std::env::var("CATCHUP_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key))
}

/// Runs `check` on mutated inputs from the corpus `kind`.
fn fuzz(kind: &str, check: impl Fn(&[u8]) -> Result<bool, TestCaseError>) {
    let seeds = corpus(kind);
    // Every seed unmutated first.
    for (name, bytes) in &seeds {
        match check(bytes) {
            Err(e) => panic!("seed {kind}/{name} fails: {e}"),
            Ok(loaded) => eprintln!("seed {kind}/{name}: loads {loaded}"),
        }
    }
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 0..6));
    let started = Instant::now();
    let loaded = std::cell::Cell::new(0u32);
    let cases = std::cell::Cell::new(0u32);
    let result = runner().run(&strategy, |(seed, mutations)| {
        let mut input = seeds[seed].1.clone();
        for m in &mutations {
            apply(&mut input, m);
        }
        let t = Instant::now();
        // A panic is caught by the runner and reported as a failure with its input.
        cases.set(cases.get() + 1);
        if check(&input)? {
            loaded.set(loaded.get() + 1);
        }
        let took = t.elapsed();
        prop_assert!(
            took < MAX_CASE_TIME,
            "took {took:?} on {}",
            String::from_utf8_lossy(&input)
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("fuzzing the {kind} loader: {e}");
    }
    eprintln!(
        "fuzz {kind}: {} cases, {} loaded, {:?}",
        cases.get(),
        loaded.get(),
        started.elapsed()
    );
}

/// An error message must be non-empty, short and few lines.
fn check_message(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "empty error message");
    prop_assert!(
        message.len() <= MAX_MESSAGE,
        "error message of {} bytes: {}…",
        message.len(),
        message.chars().take(300).collect::<String>()
    );
    prop_assert!(
        message.lines().count() <= MAX_MESSAGE_LINES,
        "error message of {} lines",
        message.lines().count()
    );
    Ok(())
}

/// Whether the Debug text of a row shows a NaN or an infinity (outside its strings).
fn non_finite(debug: &str) -> bool {
    let mut bare = String::with_capacity(debug.len());
    let (mut quoted, mut escaped) = (false, false);
    for c in debug.chars() {
        if quoted {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => escaped = false,
            }
        } else if c == '"' {
            quoted = true;
        } else {
            bare.push(c);
        }
    }
    bare.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .any(|word| matches!(word, "NaN" | "inf" | "-inf"))
}

/// A scenario that loaded: it validates, and three periods give finite rows.
fn check_scenario(s: &catchup::scenario::ValidScenario) -> Result<(), TestCaseError> {
    let problems = validate(s);
    prop_assert!(
        problems.is_empty(),
        "a loaded scenario fails validation: {problems:?}"
    );
    let firms: u64 = s
        .sector
        .iter()
        .map(|x| u64::from(x.firms_private) + u64::from(x.firms_soe))
        .sum();
    if firms > MAX_STEPPED_FIRMS {
        return Ok(());
    }
    let mut world = World::new(s);
    for _ in 0..3.min(s.periods) {
        let records = world.step();
        for (sector, record) in world.sectors().iter().zip(&records) {
            let row = format!("{:?}", sector_row(sector, record));
            prop_assert!(
                !non_finite(&row),
                "non-finite value in period {}: {row}",
                world.period()
            );
        }
    }
    Ok(())
}

#[test]
fn scenario_loader_survives_mutated_inputs() {
    fuzz("scenario", |bytes| {
        let text = String::from_utf8_lossy(bytes);
        match parse_scenario(&text, "fuzz.toml", &[]) {
            Ok(s) => check_scenario(&s).map(|()| true),
            Err(e) => check_message(&e.to_string()).map(|()| false),
        }
    });
}

#[test]
fn sweep_loader_survives_mutated_inputs() {
    // Relative paths resolve in a folder that holds nothing.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/no-such-folder");
    fuzz("sweep", |bytes| {
        let text = String::from_utf8_lossy(bytes);
        match Sweep::parse(&text, "fuzz-sweep.toml", &dir) {
            Ok(sweep) => {
                let problems = validate(&sweep.scenario);
                prop_assert!(problems.is_empty(), "base fails validation: {problems:?}");
                Ok(true)
            }
            Err(e) => check_message(&e.to_string()).map(|()| false),
        }
    });
}

#[test]
fn calibration_loader_survives_mutated_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/no-such-folder");
    fuzz("calibration", |bytes| {
        let text = String::from_utf8_lossy(bytes);
        match Calibration::parse(&text, "fuzz-calibration.toml", &dir) {
            Ok(c) => {
                let problems = validate(&c.scenario);
                prop_assert!(problems.is_empty(), "base fails validation: {problems:?}");
                // Every parameter maps the whole unit interval into its bounds.
                for p in &c.spec.parameter {
                    for u in [0.0, 0.5, 1.0] {
                        let x = p.value(u);
                        prop_assert!(x >= p.min && x <= p.max, "{} at {u}: {x}", p.key);
                    }
                }
                Ok(true)
            }
            Err(e) => check_message(&e.to_string()).map(|()| false),
        }
    });
}

#[test]
fn api_request_loader_survives_mutated_inputs() {
    fuzz("api", |bytes| {
        // Parse as the server does, but simulate at most three periods.
        let mut request: api::RunRequest = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(_) => {
                let e = api::run_json(bytes).err();
                prop_assert!(e.is_some(), "run_json accepts what serde rejects");
                return check_message(&e.unwrap().to_string()).map(|()| false);
            }
        };
        request.until = Some(request.until.unwrap_or(3).min(3));
        match api::run(&request) {
            Ok(reply) => {
                let rows = format!("{:?}", reply.rows);
                prop_assert!(!non_finite(&rows), "non-finite value in the reply: {rows}");
                let s = parse_scenario(&reply.scenario, "reply", &[]);
                prop_assert!(
                    s.is_ok(),
                    "the reply's scenario does not load: {:?}",
                    s.err()
                );
                Ok(true)
            }
            Err(e) => check_message(&e.to_string()).map(|()| false),
        }
    });
}
