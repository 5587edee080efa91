//! `catchup claims` through the binary: the strongest claims hold at a small number of
//! replicates (directions and verdicts, never timings), the result is complete and
//! does not depend on threads, and bad options are refused.

mod common;

use common::{Table, arg, bytes, catchup, entries};

/// The parts whose effects are large at ten replicates: every one must hold and be
/// caused by its mechanism, so the command exits 0.
const STRONG: &str = "1,2,4,5,6,8,10";

#[test]
fn the_strongest_claims_hold_and_are_caused_by_their_mechanisms() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("claims");
    let run = catchup(
        dir.path(),
        [
            "claims",
            "--replicates",
            "10",
            "--only",
            STRONG,
            "--out",
            arg(&out),
        ],
    )
    .ok();
    assert!(run.stdout.contains("hold and are caused"), "{}", run.stdout);

    let files = entries(&out);
    for f in [
        "claims.csv",
        "report.md",
        "forest.svg",
        "manifest.json",
        "claim-1a.svg",
        "claim-1a.png",
        "claim-4d.svg",
    ] {
        assert!(files.contains(f), "{f} missing: {files:?}");
    }
    let table = Table::read(&out.join("claims.csv"));
    let parts = table.column("part");
    for part in [
        "1a", "1b", "2", "4a", "4b", "4c", "4d", "5a", "5b", "6a", "6b", "8a", "8b", "8c", "10a",
        "10b",
    ] {
        assert!(parts.contains(&part), "part {part} missing");
    }
    for (r, part) in parts.iter().enumerate() {
        let cell = |c: &str| table.column(c)[r].to_string();
        assert_eq!(cell("verdict"), "holds", "part {part}");
        assert_eq!(cell("passes"), "true", "part {part}");
        assert_eq!(cell("replicates"), "10", "part {part}");
        // The effect lies on the side the claim predicts.
        let effect: f64 = cell("effect").parse().unwrap();
        match cell("expect").as_str() {
            "> 0" => assert!(effect > 0.0, "part {part}: {effect}"),
            "< 0" => assert!(effect < 0.0, "part {part}: {effect}"),
            other => panic!("unknown expectation {other}"),
        }
        // Where a mechanism can be switched off, doing so removes the effect.
        if cell("caused") != "n/a" {
            assert_eq!(cell("caused"), "yes", "part {part}");
        }
    }
    let report = String::from_utf8(bytes(&out.join("report.md"))).unwrap();
    assert!(report.contains("catchup claims --replicates 10 --seed 1 --only 1,2,4,5,6,8,10"));
    assert!(report.contains("## Claim 10"));
}

#[test]
fn claims_do_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let outs: Vec<_> = ["1", "2"]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("t{threads}"));
            catchup(
                dir.path(),
                [
                    "claims",
                    "--replicates",
                    "4",
                    "--only",
                    "3,5",
                    "--robust",
                    "--threads",
                    threads,
                    "-q",
                    "--out",
                    arg(&out),
                ],
            );
            out
        })
        .collect();
    for f in ["claims.csv", "report.md", "forest.svg", "claim-3a.svg"] {
        assert!(
            bytes(&outs[0].join(f)) == bytes(&outs[1].join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn bad_options_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["claims", "--only", "11"][..],
        &["claims", "--replicates", "1"][..],
        &["claims", "--only", "x"][..],
    ] {
        catchup(dir.path(), args).bad_input();
    }
    assert!(entries(dir.path()).is_empty());
}
