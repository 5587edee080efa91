//! The R path (docs/r.md): `docs/r/catchup-in-r.R` run by `Rscript` against the real
//! binary. It runs a scenario and a sweep, reads series.csv and runs.csv with base R,
//! checks that R reads every seed exactly and that integer columns stay integer, and
//! draws the capacity chart with base graphics.

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "needs Rscript (Debian's r-base-core); .ci/run installs it and runs this test"]
fn the_r_script_runs_a_scenario_and_a_sweep_and_draws_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/r/catchup-in-r.R");
    let run = Command::new("Rscript")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_catchup"))
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .expect("Rscript runs (install r-base-core)");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "the R script failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for part in [
        "series.csv: 180 rows, 54 columns, sectors moderate, heavy, all",
        "runs.csv: 12 runs, all 12 seeds read exactly",
        "policy_tariff policy_tolerance gap_final",
        "chart: ",
    ] {
        assert!(
            stdout.contains(part),
            "the R script's output lacks {part:?}:\n{stdout}"
        );
    }
    // Four design points, each a row of the means R computed.
    let means = stdout
        .lines()
        .skip_while(|l| !l.contains("policy_tariff policy_tolerance gap_final"))
        .skip(1)
        .take_while(|l| l.trim_start().starts_with(char::is_numeric))
        .count();
    assert_eq!(means, 4, "{stdout}");
    let png = std::fs::read(out.join("capacity.png")).expect("the chart is drawn");
    assert!(png.starts_with(b"\x89PNG"), "capacity.png is not a PNG");
}
