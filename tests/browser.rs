//! The classroom page in a real browser: Chromium, headless, driven through the W3C
//! WebDriver protocol by `chromedriver` and a tiny client (`std::net` and serde_json).
//!
//! The test chooses a scenario, presses Setup, moves sliders before and during the
//! run, steps, plays and pauses, checks that the charts grew, downloads the scenario
//! file, runs it with `catchup run` and checks that its `series.csv` holds exactly the
//! numbers the page showed. It checks the firm view against the series, the export of
//! charts as SVG and PNG, keyboard use of the sliders and presentation mode, keeps a
//! run, starts another, and saves screenshots (the page at 1280x800, 1920x1080 and a
//! phone width, presentation mode, the firm view) to `$TMPDIR/catchup-classroom*.png`
//! (and those the docs show to `docs/img/` with `CATCHUP_UPDATE_SCREENSHOT=1`).
//!
//! Needs the Debian packages `chromium` and `chromium-driver`, so the test is
//! `#[ignore]`d: `.ci/run` installs them and runs it with `--include-ignored`. Asked to
//! run without them, it fails and says what is missing.

mod classroom;

use std::env;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use classroom::{ServerProcess, assert_rows_match_csv, request, run_file};
use serde_json::{Value, json};

/// The W3C name of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The columns compared between the page and `catchup run`.
const COLUMNS: &[&str] = &[
    "gap",
    "capacity",
    "utilization",
    "soe_capacity_share",
    "import_share",
    "innovations",
    "fiscal_cost",
    "transfers",
    "bailout_spending",
    "tariff",
];

#[test]
#[ignore = "needs chromium and chromium-driver; .ci/run installs them and runs it with --include-ignored"]
fn the_classroom_page_runs_in_a_real_browser() {
    let (chromium, chromedriver) = browser();
    let server = ServerProcess::start();
    let driver = Driver::start(&chromedriver);
    let page = driver.session(&chromium);
    page.navigate(&format!("http://127.0.0.1:{}/", server.port));
    page.wait("document.body.dataset.ready === '1'", "the page to load");

    // Choose a scenario from the menu.
    page.click("#scenario option[value='soe-protection']");
    page.wait(
        "catchup.state.sc.name === 'soe-protection'",
        "the scenario to be chosen",
    );
    let about = page.script("return document.getElementById('about').innerText");
    let about = about.as_str().unwrap();
    assert!(
        about.contains("SOE protection, moderate against heavy"),
        "{about}"
    );
    assert!(
        about.contains("NOTICE") || about.contains("Notice"),
        "{about}"
    );
    assert_eq!(
        page.script("return document.getElementById('seed').value"),
        "42"
    );

    page.click("#setup");
    page.wait_idle();
    assert_eq!(page.period(), 0);

    // A slider moved before the first period sets the run's starting value.
    page.slider("rd_subsidy", "0.5");
    for k in 1..=3 {
        page.click("#step");
        page.wait(
            &format!(
                "document.body.dataset.period === '{k}' && document.body.dataset.busy === '0'"
            ),
            "a step",
        );
    }
    assert_eq!(page.points("capacity"), 2 * 3, "two sectors, three periods");
    // The charts are the scenario's own: those its Notice texts speak of.
    assert_eq!(
        page.script(
            "return [...document.querySelectorAll('#charts svg')].map(s => s.dataset.column)"
        ),
        page.script("return catchup.state.sc.charts"),
    );

    // The firm view: one mark per firm of period 3, in the colours and shapes of
    // ownership, the rescued ringed and the exiting crossed, as many as the series
    // count in that period.
    let firms = page.script(
        "const v = catchup.state.firmView; const svg = document.getElementById('fv-svg'); \
         const rows = catchup.state.rows.filter(r => r.period === v.period && r.sector !== 'all'); \
         const sum = (c) => rows.reduce((a, r) => a + r[c], 0); \
         return [v.period, Number(svg.dataset.firms), svg.querySelectorAll('.firm').length, \
                 sum('firms_private') + sum('firms_soe'), svg.querySelectorAll('rect.firm').length, sum('firms_soe'), \
                 svg.querySelectorAll('.rescued').length, sum('bailouts'), \
                 svg.querySelectorAll('.exiting').length, sum('exits'), \
                 document.getElementById('fv-period').textContent]",
    );
    assert_eq!(firms[0], 3, "the firm view follows the run: {firms}");
    assert_eq!(firms[1], firms[3], "every firm is shown: {firms}");
    assert_eq!(firms[2], firms[3], "one mark a firm: {firms}");
    assert_eq!(firms[4], firms[5], "SOEs are squares: {firms}");
    assert_eq!(firms[6], firms[7], "the rescued are ringed: {firms}");
    assert_eq!(firms[8], firms[9], "the exiting are crossed: {firms}");
    assert_eq!(firms[10], "3");
    // The list of changes says what a lever moved now would do: the run has started.
    let changes = page.script("return document.getElementById('changes').innerText");
    assert!(
        changes.as_str().unwrap().contains("from the next period"),
        "{changes}"
    );

    // A slider moved during the run becomes a schedule entry for the next period.
    page.choose("#target", "heavy");
    page.slider("tariff", "0.2");
    assert_eq!(
        page.script("return catchup.state.schedule"),
        json!([{"period": 4, "sector": "heavy", "levers": {"tariff": 0.2}}])
    );

    // Play at full speed, then pause.
    page.set_value("#speed", "30");
    page.click("#play");
    page.wait(
        "Number(document.body.dataset.period) >= 30",
        "Play to reach period 30",
    );
    page.click("#play");
    page.wait(
        "!catchup.state.playing && document.body.dataset.busy === '0'",
        "Pause to stop",
    );
    let paused_at = page.period();
    sleep(Duration::from_millis(800));
    assert_eq!(page.period(), paused_at, "paused means paused");
    assert!(paused_at >= 30);

    // Every chart grew with the run.
    let charts = page.script(
        "return [...document.querySelectorAll('#charts svg')].map(s => \
         [s.dataset.column, Number(s.dataset.points), s.querySelectorAll('path.line').length])",
    );
    let charts = charts.as_array().unwrap();
    assert_eq!(
        json!(charts.len()),
        page.script("return catchup.state.sc.charts.length")
    );
    for chart in charts {
        let (column, points, lines) = (
            &chart[0],
            chart[1].as_u64().unwrap(),
            chart[2].as_u64().unwrap(),
        );
        assert!(
            points > 6 && lines == 2,
            "chart {column}: {points} points, {lines} lines"
        );
    }
    assert_eq!(page.points("capacity"), 2 * u64::from(paused_at));
    // The firm view moved with the run, period by period, and the lever change of
    // period 4 is marked on every chart.
    assert_eq!(
        page.script("return [catchup.state.firmView.period, document.getElementById('fv-period').textContent]"),
        json!([paused_at, paused_at.to_string()])
    );
    let marked = page.script(
        "return [...document.querySelectorAll('#charts svg')].map(s => s.querySelectorAll('line.change[data-period=\"4\"]').length)",
    );
    assert!(
        marked.as_array().unwrap().iter().all(|n| n == 1),
        "the change at period 4 on every chart: {marked}"
    );

    // Each sector's line has the colour and the markers of its palette entry, the
    // palette served by the API (the PNG charts' own): a second cue beside colour.
    let drawn = page.script(
        "const svg = document.querySelector('#charts svg'); \
         const p = catchup.state.meta.palette.entries; \
         return [...svg.querySelectorAll('path.line')].map((l, i) => { \
           const marks = [...svg.querySelectorAll('.mark')].filter(m => m.getAttribute('stroke') === l.getAttribute('stroke')); \
           return [l.getAttribute('stroke'), p[i].colour, marks.length, \
                   [...new Set(marks.map(m => m.dataset.marker))], p[i].marker]; })",
    );
    let drawn = drawn.as_array().unwrap();
    assert_eq!(drawn.len(), 2, "{drawn:?}");
    for (i, line) in drawn.iter().enumerate() {
        assert_eq!(line[0], line[1], "sector {i}'s colour: {line:?}");
        assert!(
            line[2].as_u64().unwrap() >= 2,
            "sector {i}'s markers: {line:?}"
        );
        assert_eq!(line[3], json!([line[4]]), "sector {i}'s marker: {line:?}");
    }
    assert_ne!(drawn[0][4], drawn[1][4], "the sectors' markers differ");

    // What the page showed, and the scenario file it downloads.
    let rows: Vec<Value> = serde_json::from_str(
        page.script("return JSON.stringify(catchup.state.rows)")
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        rows.len(),
        3 * paused_at as usize,
        "two sectors and `all` per period"
    );

    // The monitors show the run's totals so far: the sums of the economy's rows.
    let monitors = page.script(
        "return Object.fromEntries([...document.querySelectorAll('#monitors .monitor')] \
           .map(m => [m.dataset.column, m.querySelector('b').textContent]))",
    );
    for column in ["innovations", "bailouts"] {
        let sum: f64 = rows
            .iter()
            .filter(|r| r["sector"] == "all")
            .map(|r| r[column].as_f64().unwrap())
            .sum();
        assert_eq!(
            monitors[column].as_str().unwrap().replace(',', ""),
            format!("{sum}"),
            "the {column} monitor: {monitors}"
        );
    }
    assert!(monitors["fiscal_cost"].is_string(), "{monitors}");
    // The cumulative view draws flows as totals so far, and leaves levels alone.
    let titles = "return [...document.querySelectorAll('#charts svg')].map(s => \
                  [s.dataset.column, s.querySelector('.axis-title.y').textContent])";
    let plain = page.script(titles);
    page.click("#cumulative");
    let cumulated = page.script(titles);
    for (a, b) in plain
        .as_array()
        .unwrap()
        .iter()
        .zip(cumulated.as_array().unwrap())
    {
        let unit = a[1].as_str().unwrap();
        let expected = unit.replace("per year", "so far");
        assert_eq!(b[1].as_str().unwrap(), expected, "{a} / {b}");
    }
    assert!(
        cumulated.to_string().contains("bailouts so far"),
        "{cumulated}"
    );
    page.click("#cumulative");
    assert_eq!(page.script(titles), plain);
    let toml = page.script_async(
        "const done = arguments[arguments.length - 1]; \
         catchup.scenarioToml().then(done, (e) => done('ERROR ' + e));",
    );
    let toml = toml.as_str().unwrap();
    for part in [
        "name = \"soe-protection-classroom\"",
        "rd_subsidy = 0.5",
        "[[schedule]]",
        "period = 4",
        "sector = \"heavy\"",
        "tariff = 0.2",
    ] {
        assert!(
            toml.contains(part),
            "the downloaded scenario lacks {part}:\n{toml}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("soe-protection-classroom.toml");
    std::fs::write(&file, toml).unwrap();

    // The API, asked directly with that file, gives the page's numbers ...
    let api = request(
        server.port,
        "POST",
        "/api/run",
        Some("application/json"),
        json!({"scenario": toml, "until": paused_at})
            .to_string()
            .as_bytes(),
    )
    .unwrap()
    .json();
    assert_same_rows(api["rows"].as_array().unwrap(), &rows);
    // ... and so does `catchup run` on it, to the last digit.
    let series = run_file(&file, &dir.path().join("out"));
    let compared = assert_rows_match_csv(&rows, &series, COLUMNS);
    assert_eq!(compared, rows.len() * COLUMNS.len());
    // "Download data" gives the rows on the screen with the columns of series.csv, in
    // its order, and its numbers.
    let csv = page.script("return catchup.rowsCsv(catchup.state.rows)");
    let csv = csv.as_str().unwrap();
    let file = std::fs::read_to_string(&series).unwrap();
    assert_eq!(
        csv.lines().next(),
        file.lines().next(),
        "the header of series.csv"
    );
    assert_eq!(csv.lines().count(), 1 + rows.len());
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let exported: Vec<Value> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: serde_json::Map<String, Value> = header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| {
                    let text = h == "sector" || h == "regime";
                    let v = match (v.parse::<u64>(), v.parse::<f64>()) {
                        (Ok(n), _) if !text => json!(n),
                        (_, Ok(x)) if !text => json!(x),
                        _ if v.is_empty() => Value::Null,
                        _ => json!(v),
                    };
                    (h.clone(), v)
                })
                .collect();
            Value::Object(row)
        })
        .collect();
    assert_eq!(
        assert_rows_match_csv(&exported, &series, COLUMNS),
        rows.len() * COLUMNS.len()
    );
    let tariff = |t: u64| {
        rows.iter()
            .find(|r| r["period"] == t && r["sector"] == "heavy")
            .unwrap()["tariff"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        (tariff(3), tariff(4)),
        (0.6, 0.2),
        "the change held from period 4"
    );

    // Keep this run; start another with a harder budget for heavy's SOEs.
    page.click("#keep");
    page.slider("soe_credit", "0.5");
    page.slider("bailout", "0.3");
    page.click("#setup");
    page.wait_idle();
    assert_eq!(page.period(), 0);
    page.click("#play");
    page.wait(
        "Number(document.body.dataset.period) >= 45",
        "Play to reach period 45",
    );
    page.click("#play");
    page.wait(
        "!catchup.state.playing && document.body.dataset.busy === '0'",
        "Pause to stop",
    );
    let kept = page.script(
        "return [document.querySelectorAll('#charts path.kept').length, \
                 2 * document.querySelectorAll('#charts svg').length]",
    );
    assert_eq!(
        kept[0], kept[1],
        "the kept run is drawn in every chart, two sectors each"
    );
    // The kept run's label says what differed: its own values of the levers moved.
    let legend = page.script("return document.getElementById('legend').innerText");
    let legend = legend.as_str().unwrap();
    assert!(legend.contains("kept: soe-protection"), "{legend}");
    assert!(legend.contains("differs: "), "{legend}");
    let kept_credit = page.script("return catchup.state.kept.initial.sectors.heavy.soe_credit");
    assert!(
        legend.contains(&format!("heavy soe_credit {kept_credit}")),
        "{legend}"
    );
    assert!(legend.contains("heavy bailout "), "{legend}");
    assert!(
        legend.contains("lever change(s) during the run"),
        "{legend}"
    );
    assert_eq!(
        page.script("return catchup.errors"),
        json!([]),
        "no script errors"
    );
    assert_eq!(
        page.script("return document.getElementById('message').hidden"),
        true,
        "no error message on the page"
    );

    // A bad setting is answered on the page, not by a broken page.
    page.click("#reset");
    page.wait_idle();

    // A slider keeps the keyboard focus: two arrow keys move it two steps.
    let before = page.script("return Number(document.querySelector('[data-lever=tariff]').value)");
    let step = page.script("return Number(document.querySelector('[data-lever=tariff]').step)");
    page.script("document.querySelector('[data-lever=tariff]').focus()");
    page.keys(&["\u{E014}", "\u{E014}"]);
    assert_eq!(
        page.script("return document.activeElement.dataset.lever || null"),
        "tariff",
        "the slider kept the focus"
    );
    let after = page.script("return catchup.state.initial.policy.tariff");
    let moved = after.as_f64().unwrap() - before.as_f64().unwrap();
    assert!(
        (moved - 2.0 * step.as_f64().unwrap()).abs() < 1e-9,
        "two arrow keys moved the tariff by {moved}, step {step}"
    );
    page.set_value("#seed", "12x");
    page.click("#setup");
    page.wait_idle();
    let message = page.script("return document.getElementById('message-text').textContent");
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("the seed must be a whole number"),
        "{message}"
    );

    // The picture for the README and the teaching notes: the scenario as it is,
    // kept, against a harder budget for heavy's SOEs with a change during the run.
    page.click("#reset");
    page.wait_idle();
    page.set_value("#periods", "60");
    page.click("#setup");
    page.wait_idle();
    page.click("#play");
    page.wait(
        "Number(document.body.dataset.period) >= 60",
        "Play to period 60",
    );
    page.wait_idle();
    page.click("#keep");
    page.choose("#target", "heavy");
    page.slider("soe_credit", "0.5");
    page.slider("bailout", "0.3");
    page.click("#setup");
    page.wait_idle();
    page.click("#play");
    page.wait(
        "Number(document.body.dataset.period) >= 25",
        "Play to period 25",
    );
    page.click("#play");
    page.wait_idle();
    // The tooltip follows the run under a mouse that stays put: hidden when a new run
    // is set up (it showed the old run's numbers), the new run's when it has them.
    page.hover("#charts figure:nth-child(3) svg", -100);
    let tip = "const t = document.querySelector('#charts figure:nth-child(3) .tip'); \
               return t.hidden ? null : t.textContent";
    let before = page.script(tip);
    let before = before.as_str().expect("the tooltip shows");
    assert!(before.contains("\nkept "), "{before}");
    let paused = page.period();
    page.script("catchup.setup()");
    page.wait_idle();
    assert_eq!(page.period(), 0);
    assert_eq!(
        page.script(tip),
        Value::Null,
        "the tooltip outlived its run"
    );
    page.script(&format!("catchup.step({paused})"));
    page.wait(
        &format!("Number(document.body.dataset.period) === {paused}"),
        "the run to come back",
    );
    page.wait_idle();
    assert_eq!(page.script(tip), json!(before));
    page.slider("soe_preference", "0.1");
    page.click("#play");
    page.wait(
        "Number(document.body.dataset.period) >= 60",
        "Play to period 60",
    );
    page.wait_idle();
    page.hover("#charts figure:nth-child(3) svg", 60);
    let png = page.screenshot();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    // The screenshot goes to the temporary directory for a person to look at; the
    // README's copy in docs/img/ is refreshed only when asked, so that a test run
    // never modifies the repository.
    std::fs::write(std::env::temp_dir().join("catchup-classroom.png"), &png).unwrap();
    if std::env::var_os("CATCHUP_UPDATE_SCREENSHOT").is_some() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img/classroom.png");
        std::fs::create_dir_all(repo.parent().unwrap()).unwrap();
        std::fs::write(&repo, &png).unwrap();
    }

    // Export of what is shown: each chart, and the firm view, as a standalone SVG file
    // (well-formed, with its title, legend, lines and style) and as a PNG image three
    // times its size, drawn by the browser from that SVG.
    for which in ["0", "2", "'firms'"] {
        let svg = page.script(&format!(
            "const text = catchup.chartSvg({which}); \
             const doc = new DOMParser().parseFromString(text, 'image/svg+xml'); \
             return [doc.querySelector('parsererror') === null, text.startsWith('<?xml'), \
                     doc.querySelectorAll('path.line').length, doc.querySelectorAll('.firm').length, \
                     doc.querySelector('.export-title').textContent, doc.querySelector('style').textContent.includes('.tick')]"
        ));
        assert_eq!(svg[0], true, "{which}: a well-formed SVG file: {svg}");
        assert_eq!(svg[1], true, "{which}: {svg}");
        assert_eq!(svg[5], true, "{which}: the file carries its style: {svg}");
        let title = svg[4].as_str().unwrap();
        assert!(
            title.ends_with("soe-protection, seed 42"),
            "{which}: {title}"
        );
        if which == "'firms'" {
            assert!(svg[3].as_u64().unwrap() > 100, "{which}: the firms: {svg}");
            assert!(title.starts_with("Firms at period 60"), "{title}");
        } else {
            // Two sectors, this run and the kept one.
            assert_eq!(svg[2], 4, "{which}: the lines: {svg}");
        }
        let png = page.script_async(&format!(
            "const done = arguments[arguments.length - 1]; \
             catchup.chartPng({which}).then(b => b.arrayBuffer()).then(a => {{ \
               const u = new Uint8Array(a); const v = new DataView(a); \
               done([[...u.slice(0, 8)], v.getUint32(16), v.getUint32(20)]); }}, e => done(String(e)))"
        ));
        assert_eq!(
            png[0],
            json!([0x89, b'P', b'N', b'G', 13, 10, 26, 10]),
            "{which}: a PNG image: {png}"
        );
        let width = png[1].as_u64().unwrap();
        assert!(width == 3 * 420 || width == 3 * 640, "{which}: {png}");
        // The exported image, for a person to look at.
        let exported = page.script_async(&format!(
            "const done = arguments[arguments.length - 1]; \
             catchup.chartPng({which}).then(b => {{ const r = new FileReader(); \
               r.onload = () => done(r.result.split(',')[1]); r.readAsDataURL(b); }})"
        ));
        let name = format!("catchup-classroom-export-{}.png", which.trim_matches('\''));
        save_screenshot(&name, &base64_decode(exported.as_str().unwrap()), false);
        // Not blank, nor all ink: the browser reads the image's pixels back.
        let inked = page.script_async(&format!(
            "const done = arguments[arguments.length - 1]; \
             catchup.chartPng({which}).then(b => createImageBitmap(b)).then(img => {{ \
               const c = document.createElement('canvas'); c.width = img.width; c.height = img.height; \
               const g = c.getContext('2d'); g.drawImage(img, 0, 0); \
               const d = g.getImageData(0, 0, c.width, c.height).data; let dark = 0; \
               for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 600) dark += 1; \
               done(dark / (d.length / 4)); }}, e => done(String(e)))"
        ));
        let inked = inked.as_f64().unwrap_or_else(|| panic!("{which}: {inked}"));
        assert!(
            inked > 0.005 && inked < 0.5,
            "{which}: {:.1}% of the PNG is drawn on",
            inked * 100.0
        );
    }

    // Presentation mode at 1920x1080: four charts filling the screen, tick labels of
    // at least 18 px, axis titles with the units of the column table.
    page.viewport(1920, 1080);
    page.click("#present");
    page.wait(
        "document.body.classList.contains('present')",
        "presentation mode",
    );
    assert!(
        page.script("return location.search")
            .as_str()
            .unwrap()
            .contains("present"),
        "the address says presentation mode"
    );
    // The charts are laid out again for the new size after the class changes; on a
    // loaded machine that takes longer than any fixed pause, so wait for four charts
    // inside the screen (a layout that never fits times out and fails).
    page.wait(
        "[...document.querySelectorAll('#charts figure')].filter(f => f.offsetParent !== null) \
           .filter(f => f.getBoundingClientRect().bottom <= 1080).length === 4",
        "four charts laid out inside the screen",
    );
    let shown = page.script(
        "return [...document.querySelectorAll('#charts figure')] \
           .filter(f => f.offsetParent !== null).map(f => { \
             const svg = f.querySelector('svg'); const tick = svg.querySelector('.tick'); \
             const unit = catchup.state.meta.columns.find(c => c.name === svg.dataset.column).unit; \
             return [parseFloat(getComputedStyle(tick).fontSize) * svg.getScreenCTM().a, \
                     f.getBoundingClientRect().bottom, \
                     [...svg.querySelectorAll('.axis-title')].map(t => t.textContent), unit]; })",
    );
    let shown = shown.as_array().unwrap();
    assert_eq!(
        shown.len(),
        4,
        "four charts in presentation mode: {shown:?}"
    );
    for chart in shown {
        let tick = chart[0].as_f64().unwrap();
        assert!(tick >= 18.0, "tick labels of {tick:.1} px: {chart:?}");
        assert!(
            chart[1].as_f64().unwrap() <= 1080.0,
            "a chart below the screen: {chart:?}"
        );
        assert_eq!(chart[2], json!(["period (years)", chart[3]]), "axis titles");
    }
    save_screenshot(
        "catchup-classroom-present.png",
        &page.screenshot_as_is(),
        true,
    );
    page.click("#present");
    assert!(
        !page
            .script("return location.search")
            .as_str()
            .unwrap()
            .contains("present")
    );

    // The normal layout uses the screen at 1280x800 and 1920x1080 and fits a phone:
    // nothing wider than the window.
    for (width, height, name, in_docs) in [
        (1280, 800, "catchup-classroom-1280.png", false),
        (1920, 1080, "catchup-classroom-1920.png", false),
        (390, 844, "catchup-classroom-phone.png", true),
    ] {
        page.viewport(width, height);
        sleep(Duration::from_millis(300));
        let wide = page.script(
            "return [document.documentElement.scrollWidth, \
               Math.max(...[...document.querySelectorAll('header *')].map(e => e.getBoundingClientRect().right))]",
        );
        assert!(
            wide[0].as_f64().unwrap() <= f64::from(width)
                && wide[1].as_f64().unwrap() <= f64::from(width),
            "at {width}x{height}, the page is {wide} px wide"
        );
        if width == 1920 {
            let bottom = page.script(
                "return document.querySelector('#charts figure:last-child').getBoundingClientRect().bottom",
            );
            let bottom = bottom.as_f64().unwrap();
            assert!(
                bottom > 0.6 * f64::from(height),
                "at {width}x{height} the charts end at {bottom} px: the screen is left empty"
            );
        }
        save_screenshot(name, &page.screenshot_as_is(), in_docs);
    }

    // The firm view alone, for the teaching notes.
    page.viewport(1440, 1000);
    sleep(Duration::from_millis(300));
    save_screenshot(
        "catchup-classroom-firms.png",
        &page.element_screenshot("#firm-view"),
        true,
    );

    // A paradigm shift is marked on every chart, at the first period of the new
    // paradigm, in the colour of its sector.
    page.script("catchup.choose('window-of-opportunity'); catchup.setup()");
    page.wait_idle();
    page.script("catchup.step(25)");
    page.wait(
        "Number(document.body.dataset.period) === 25 && document.body.dataset.busy === '0'",
        "25 periods of window-of-opportunity",
    );
    let shifts = page.script(
        "const rows = catchup.state.rows.filter(r => r.sector !== 'all'); \
         const want = rows.filter(r => rows.some(q => q.sector === r.sector && q.period === r.period - 1 && q.paradigm < r.paradigm)) \
           .map(r => r.sector + '@' + r.period).sort(); \
         const drawn = [...document.querySelectorAll('#charts svg')].map(s => \
           [...s.querySelectorAll('line.shift')].map(l => l.dataset.sector + '@' + l.dataset.period).sort()); \
         return [want, drawn]",
    );
    let want = &shifts[0];
    assert!(
        !want.as_array().unwrap().is_empty(),
        "no paradigm shift by period 25: {shifts}"
    );
    for drawn in shifts[1].as_array().unwrap() {
        assert_eq!(drawn, want, "paradigm-shift markers");
    }

    // `?present` in the address opens the page in presentation mode.
    page.navigate(&format!(
        "http://127.0.0.1:{}/?present#baseline",
        server.port
    ));
    page.wait("document.body.dataset.ready === '1'", "the page to load");
    assert_eq!(
        page.script("return [document.body.classList.contains('present'), catchup.state.sc.name]"),
        json!([true, "baseline"])
    );

    assert_eq!(
        page.script("return catchup.errors"),
        json!([]),
        "no script errors"
    );
    assert!(
        server.log().is_empty(),
        "the server refused a request of the page: {}",
        server.log()
    );
}

/// Writes a screenshot to the temporary directory, for a person to look at; with
/// `CATCHUP_UPDATE_SCREENSHOT` set, those the teaching notes show (`in_docs`) also to
/// `docs/img/`.
fn save_screenshot(name: &str, png: &[u8], in_docs: bool) {
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(std::env::temp_dir().join(name), png).unwrap();
    if in_docs && std::env::var_os("CATCHUP_UPDATE_SCREENSHOT").is_some() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/img")
            .join(name.trim_start_matches("catchup-"));
        std::fs::create_dir_all(repo.parent().unwrap()).unwrap();
        std::fs::write(&repo, png).unwrap();
    }
}

/// Asserts that the API's rows and the page's are the same, value for value.
/// JavaScript writes 0.0 as 0, so numbers are compared as numbers, exactly.
#[track_caller]
fn assert_same_rows(api: &[Value], page: &[Value]) {
    assert_eq!(
        api.len(),
        page.len(),
        "as many rows on the page as from the API"
    );
    for (a, p) in api.iter().zip(page) {
        let (a, p) = (a.as_object().unwrap(), p.as_object().unwrap());
        assert_eq!(a.len(), p.len(), "the same columns: {a:?} against {p:?}");
        for (key, av) in a {
            let pv = &p[key];
            let same = match (av.as_f64(), pv.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => av == pv,
            };
            assert!(
                same,
                "`{key}` of {} in period {}: the API said {av}, the page had {pv}",
                a["sector"], a["period"]
            );
        }
    }
}

/// Chromium and chromedriver; a failure naming what is missing otherwise.
fn browser() -> (PathBuf, PathBuf) {
    let chromium = [Path::new("/usr/bin/chromium").to_path_buf()]
        .into_iter()
        .chain(find("chromium"))
        .chain(find("chromium-browser"))
        .find(|p| p.is_file());
    let driver = find("chromedriver");
    if let (Some(chromium), Some(driver)) = (chromium.clone(), driver.clone()) {
        return (chromium, driver);
    }
    let missing = [
        ("chromium", chromium.is_none()),
        ("chromedriver", driver.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(n, _)| *n)
    .collect::<Vec<_>>()
    .join(" and ");
    let rule = "!".repeat(78);
    let banner = format!(
        "\n{rule}\n!! BROWSER NOT INSTALLED: the browser test did not run ({missing} missing)\n\
         !! It needs the Debian packages chromium and chromium-driver\n\
         !! (apt-get install chromium chromium-driver), or leave this ignored test out.\n{rule}\n"
    );
    panic!("{banner}");
}

/// A program on the PATH.
fn find(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A free TCP port (there is a small race before chromedriver takes it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `chromedriver` running on a free port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Driver {
    fn start(program: &Path) -> Driver {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("chromedriver.log");
        let port = free_port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::from(File::create(&log).unwrap()))
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            port,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = request(port, "GET", "/status", None, b"")
                && r.status == 200
                && r.json()["value"]["ready"] == true
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready; its log:\n{}",
                std::fs::read_to_string(&driver.log).unwrap_or_default()
            );
            sleep(Duration::from_millis(100));
        }
    }

    /// A WebDriver command; the answer's `value`, failing with the error otherwise.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = request(
            self.port,
            method,
            path,
            (!body.is_empty()).then_some("application/json; charset=utf-8"),
            body.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{method} {path}: chromedriver does not answer: {e}"));
        let v = r.json();
        assert_eq!(r.status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    /// A headless Chromium session with background connections disabled: the
    /// machine may have no network, and the page must need none.
    fn session(&self, chromium: &Path) -> Session<'_> {
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_str().unwrap(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync", "--hide-scrollbars",
                    "--window-size=1440,1000", "--force-device-scale-factor=1",
                ],
            },
        }}});
        let value = self.call("POST", "/session", Some(capabilities));
        let id = value["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        Session { driver: self, id }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session; closed when dropped.
struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
    }

    fn navigate(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn script_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    fn wait(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if self.script(&format!("return Boolean({condition})")) == true {
                return;
            }
            if Instant::now() > deadline {
                let state = self.script(
                    "return {period: document.body.dataset.period, busy: document.body.dataset.busy, \
                     message: document.getElementById('message').hidden ? '' : \
                     document.getElementById('message-text').textContent, \
                     errors: window.catchup ? catchup.errors : 'no catchup'}",
                );
                panic!("timed out waiting for {what} ({condition}); page state: {state}");
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// Waits until no request is running and Play is off.
    fn wait_idle(&self) {
        self.wait(
            "document.body.dataset.busy === '0' && !catchup.state.playing",
            "the page to be idle",
        );
    }

    fn period(&self) -> u32 {
        self.script("return Number(document.body.dataset.period)")
            .as_u64()
            .unwrap() as u32
    }

    /// Points of the current run drawn in the chart of `column`.
    fn points(&self, column: &str) -> u64 {
        self.script(&format!(
            "return Number(document.querySelector('#charts svg[data-column={column}]').dataset.points)"
        ))
        .as_u64()
        .unwrap()
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().expect("an element").to_string()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Sets an input's value as a person dragging it would: `input`, then `change`.
    fn set_value(&self, css: &str, value: &str) {
        self.script(&format!(
            "const e = document.querySelector({css:?}); e.value = {value:?}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); \
             e.dispatchEvent(new Event('change', {{bubbles: true}}));"
        ));
    }

    fn slider(&self, lever: &str, value: &str) {
        self.set_value(&format!("[data-lever={lever}]"), value);
    }

    fn choose(&self, css: &str, value: &str) {
        self.set_value(css, value);
    }

    /// Presses keys (WebDriver key codes) in the element that has the focus, as a
    /// person at the keyboard would: unlike sending keys to an element, this does not
    /// focus anything first.
    fn keys(&self, keys: &[&str]) {
        let actions: Vec<Value> = keys
            .iter()
            .flat_map(|k| {
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
    }

    /// Makes the window's inside `width` x `height` pixels.
    fn viewport(&self, width: u32, height: u32) {
        let frame = self.script("return window.outerHeight - window.innerHeight");
        self.call(
            "POST",
            "/window/rect",
            Some(
                json!({"width": width, "height": u64::from(height) + frame.as_u64().unwrap_or(0)}),
            ),
        );
    }

    /// A PNG of the window as it is.
    /// A screenshot of one element only.
    fn element_screenshot(&self, css: &str) -> Vec<u8> {
        let id = self.element(css);
        let b64 = self.call("GET", &format!("/element/{id}/screenshot"), None);
        base64_decode(b64.as_str().expect("base64 text"))
    }

    fn screenshot_as_is(&self) -> Vec<u8> {
        let b64 = self.call("GET", "/screenshot", None);
        base64_decode(b64.as_str().expect("base64 text"))
    }

    /// Moves the mouse over an element, `dx` to the right of its centre.
    fn hover(&self, css: &str, dx: i64) {
        let id = self.element(css);
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{
                "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                "actions": [{"type": "pointerMove", "duration": 0, "x": dx, "y": 0,
                             "origin": {ELEMENT: id}}],
            }]})),
        );
    }

    /// A PNG of the page, the window as tall as the charts and the controls (the
    /// story column scrolls by itself, and its height follows the window's).
    fn screenshot(&self) -> Vec<u8> {
        for _ in 0..3 {
            let size = self.script(
                "return [Math.ceil(Math.max(...['.board', '.controls-panel'].map((s) => \
                 document.querySelector(s).getBoundingClientRect().bottom + window.scrollY)) + 12), \
                 window.innerHeight, window.outerHeight - window.innerHeight]",
            );
            let (page, viewport, frame) = (
                size[0].as_u64().unwrap(),
                size[1].as_u64().unwrap(),
                size[2].as_u64().unwrap(),
            );
            if page == viewport {
                break;
            }
            self.call(
                "POST",
                "/window/rect",
                Some(json!({"width": 1440, "height": page + frame})),
            );
            sleep(Duration::from_millis(300));
        }
        let b64 = self.call("GET", "/screenshot", None);
        base64_decode(b64.as_str().expect("base64 text"))
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = request(
            self.driver.port,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
            b"",
        );
    }
}

/// Standard base64 (the screenshot endpoint's encoding).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {:?}", c as char),
        }
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
    assert_eq!(base64_decode("YWJj"), b"abc");
}
