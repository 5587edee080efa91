//! `catchup serve` over real HTTP: the binary is started on a free port and spoken
//! to with a tiny HTTP/1.1 client (`tests/classroom`). Checks the page and the API,
//! that a run's downloaded scenario repeats it with `catchup run`, that bad requests
//! get a 4xx JSON answer and leave the server serving, that memory stays flat over
//! many requests, and that slow, silent or oversized uploads are cut off without
//! stalling anyone else.

mod classroom;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use classroom::{
    ServerProcess, assert_rows_match_csv, parse_response, read_response, request, run_file,
};
use serde_json::{Value, json};

/// The columns the page charts by default, and a few more.
const COLUMNS: &[&str] = &[
    "gap",
    "capacity",
    "utilization",
    "soe_capacity_share",
    "import_share",
    "innovations",
    "fiscal_cost",
    "transfers",
    "productivity_mean",
    "tariff",
];

#[test]
fn the_page_and_its_assets_are_served() {
    let server = ServerProcess::start();
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = page.text();
    for part in [
        "catchup <span>classroom</span>",
        "id=\"setup\"",
        "id=\"step\"",
        "id=\"play\"",
        "id=\"reset\"",
        "id=\"seed\"",
        "id=\"keep\"",
        "id=\"download\"",
        "/app.js",
        "/style.css",
    ] {
        assert!(html.contains(part), "the page lacks {part}");
    }
    let js = server.get("/app.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.text().contains("/api/run"));
    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    // Nothing may be fetched from elsewhere.
    let csp = page
        .header("content-security-policy")
        .expect("a CSP header");
    assert!(csp.contains("default-src 'self'"), "{csp}");
}

#[test]
fn the_catalogue_lists_scenarios_levers_and_limits() {
    let server = ServerProcess::start();
    let r = server.get("/api/scenarios");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let v = r.json();
    assert_eq!(v["limits"]["firms"], 20_000);
    assert_eq!(v["limits"]["periods"], 500);
    let levers: Vec<&str> = v["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        levers,
        [
            "rd_subsidy",
            "production_subsidy",
            "tolerance",
            "tariff",
            "entry_barrier",
            "soe_preference",
            "soe_credit",
            "bailout",
            "rd_patience",
            "bridge",
            "researcher_incentive",
            "consortium"
        ]
    );
    let tariff = &v["levers"][3];
    assert_eq!(
        (tariff["min"].as_f64(), tariff["max"].as_f64()),
        (Some(0.0), Some(1.0))
    );
    let columns = v["columns"].as_array().unwrap();
    let gap = columns.iter().find(|c| c["name"] == "gap").unwrap();
    assert_eq!(gap["label"], "Gap: productivity / frontier");
    assert_eq!(gap["share"], true);
    assert!(columns.iter().all(|c| c["name"] != "sector"));
    let names: Vec<&str> = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for name in [
        "baseline",
        "catch-up",
        "soe-protection",
        "research-bridge",
        "trial-and-error",
        "three-regimes",
        "window-of-opportunity",
        "consortium",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(
        !names.contains(&"bench-1m"),
        "a million firms is not for the classroom"
    );
    for s in v["scenarios"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        // A few texts each, so that the story fits beside the charts
        // (window-of-opportunity has five Notice texts since its claim 7b text).
        for list in ["notice", "try"] {
            let n = s[list].as_array().map_or(0, Vec::len);
            assert!((2..=5).contains(&n), "{name} has {n} `{list}` texts");
        }
        // Each opens on its own charts (src/serve/classroom.rs).
        let charts = s["charts"].as_array().unwrap();
        assert!((4..=9).contains(&charts.len()), "{name}: {charts:?}");
        assert!(!s["description"].as_str().unwrap().is_empty());
        assert!(!s["sectors"].as_array().unwrap().is_empty());
    }
    let one = server.get("/api/scenarios/soe-protection").json();
    assert_eq!(one["name"], "soe-protection");
    assert_eq!(one["sectors"][1]["policy"]["tariff"], 0.6);
    assert!(
        one["toml"]
            .as_str()
            .unwrap()
            .contains("name = \"soe-protection\"")
    );
}

#[test]
fn runs_return_the_rows_asked_for_and_stepping_gives_the_same_numbers() {
    let server = ServerProcess::start();
    let settings = json!({"base": "soe-protection", "seed": 5, "periods": 40});
    let with = |extra: Value| {
        let mut body = settings.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let whole = server.post_json("/api/run", &with(json!({"until": 6})));
    assert_eq!(whole.status, 200, "{}", whole.text());
    let whole = whole.json();
    assert_eq!(whole["until"], 6);
    assert_eq!(whole["periods"], 40);
    assert_eq!(whole["name"], "soe-protection-classroom");
    let rows = whole["rows"].as_array().unwrap();
    // Two sectors and the economy (`all`), six periods.
    assert_eq!(rows.len(), 18);
    assert_eq!(rows[0]["sector"], "moderate");
    assert_eq!(rows[2]["sector"], "all");
    assert_eq!(rows[17]["period"], 6);

    // As the page does it: one period at a time, asking only for the new rows.
    let mut stepped = Vec::new();
    for t in 1..=6 {
        let r = server
            .post_json("/api/run", &with(json!({"until": t, "from": t})))
            .json();
        assert_eq!(r["rows"].as_array().unwrap().len(), 3, "period {t}");
        stepped.extend(r["rows"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(
        &stepped, rows,
        "stepping must give the same numbers as one run"
    );

    // Only some columns, for a lighter answer.
    let light = server
        .post_json("/api/run", &with(json!({"until": 2, "columns": ["gap"]})))
        .json();
    let keys: Vec<&String> = light["rows"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "period, sector, regime and gap: {keys:?}");
    assert_eq!(light["rows"][0]["gap"], rows[0]["gap"]);

    // until = 0 only checks the settings and returns the scenario file.
    let check = server
        .post_json("/api/run", &with(json!({"until": 0})))
        .json();
    assert!(check["rows"].as_array().unwrap().is_empty());
    assert!(check["scenario"].as_str().unwrap().contains("seed = 5"));
}

#[test]
fn the_downloaded_scenario_repeats_the_run_with_catchup_run() {
    let server = ServerProcess::start();
    let body = json!({
        "base": "soe-protection",
        "seed": 9,
        "periods": 30,
        "regimes": {"moderate": "parallel"},
        "policy": {"rd_subsidy": 0.5},
        "sectors": {"heavy": {"soe_credit": 1.5}},
        "schedule": [
            {"period": 4, "levers": {"tariff": 0.3}},
            {"period": 7, "sector": "heavy", "levers": {"bailout": 0.2, "tolerance": 6}},
        ],
        "until": 12
    });
    let r = server.post_json("/api/run", &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let reply = r.json();
    let text = reply["scenario"].as_str().unwrap();
    for part in [
        "name = \"soe-protection-classroom\"",
        "seed = 9",
        "periods = 30",
        "regime = \"parallel\"",
        "rd_subsidy = 0.5",
        "soe_credit = 1.5",
        "[[schedule]]",
        "period = 7",
        "sector = \"heavy\"",
    ] {
        assert!(
            text.contains(part),
            "the scenario file lacks {part}:\n{text}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("classroom.toml");
    std::fs::write(&file, text).unwrap();
    let series = run_file(&file, &dir.path().join("out"));
    let rows = reply["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3 * 12);
    let compared = assert_rows_match_csv(rows, &series, COLUMNS);
    assert_eq!(compared, rows.len() * COLUMNS.len());
    // The scheduled tariff shows in the tariff column from period 4 on.
    let tariff = |t: u64| {
        rows.iter()
            .find(|x| x["period"] == t && x["sector"] == "moderate")
            .unwrap()["tariff"]
            .as_f64()
            .unwrap()
    };
    assert_eq!((tariff(3), tariff(4)), (0.1, 0.3));
}

/// A request the server must refuse: its status and a piece of its message.
struct Bad {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    body: String,
    status: u16,
    says: &'static str,
}

fn bad(
    what: &'static str,
    method: &'static str,
    path: &'static str,
    body: impl Into<String>,
    status: u16,
    says: &'static str,
) -> Bad {
    Bad {
        what,
        method,
        path,
        body: body.into(),
        status,
        says,
    }
}

#[test]
fn bad_requests_get_a_4xx_json_answer_and_the_server_goes_on_serving() {
    let mut server = ServerProcess::start();
    let over_firms = json!({
        "scenario": "version = 1\n[[sector]]\nname = \"big\"\nfirms_private = 20000\nfirms_soe = 1\n",
        "until": 1
    });
    let cases = [
        bad(
            "an unknown lever",
            "POST",
            "/api/run",
            json!({"base": "baseline", "policy": {"tarif": 0.3}}).to_string(),
            400,
            "settings: key `policy.tarif`: unknown key; expected one of `rd_subsidy`",
        ),
        bad(
            "an unknown lever in a schedule entry",
            "POST",
            "/api/run",
            json!({"base": "baseline", "schedule": [{"period": 2, "levers": {"bridg": 0.5}}]})
                .to_string(),
            400,
            "(did you mean `bridge`?)",
        ),
        bad(
            "an unknown request key",
            "POST",
            "/api/run",
            json!({"base": "baseline", "sed": 4}).to_string(),
            400,
            "unknown field `sed`",
        ),
        bad(
            "an out-of-range lever",
            "POST",
            "/api/run",
            json!({"base": "baseline", "sectors": {"leading": {"bailout": 1.5}}}).to_string(),
            400,
            "key `sector[2].policy.bailout`: expected a number from 0 to 1, found 1.5",
        ),
        bad(
            "a lever of the wrong type",
            "POST",
            "/api/run",
            json!({"base": "baseline", "policy": {"tolerance": 2.5}}).to_string(),
            400,
            "key `policy.tolerance`: expected a whole number from 0 to 4294967295, found a number `2.5`",
        ),
        bad(
            "an unknown sector",
            "POST",
            "/api/run",
            json!({"base": "baseline", "regimes": {"leadin": "parallel"}}).to_string(),
            400,
            "no sector named `leadin`",
        ),
        bad(
            "a schedule entry beyond the run",
            "POST",
            "/api/run",
            json!({"base": "baseline", "periods": 10,
                   "schedule": [{"period": 11, "levers": {"tariff": 0.2}}]})
            .to_string(),
            400,
            "key `schedule[0].period`: expected a period from 1 to periods = 10, found 11",
        ),
        bad(
            "too many firms",
            "POST",
            "/api/run",
            over_firms.to_string(),
            422,
            "20001 firms; the classroom runs at most 20000",
        ),
        bad(
            "too many periods",
            "POST",
            "/api/run",
            json!({"base": "catch-up", "periods": 501, "until": 1}).to_string(),
            422,
            "periods = 501; the classroom runs at most 500",
        ),
        bad(
            "a million firms",
            "POST",
            "/api/run",
            json!({"base": "bench-1m", "until": 1}).to_string(),
            422,
            "1000002 firms",
        ),
        bad(
            "periods beyond the run",
            "POST",
            "/api/run",
            json!({"base": "catch-up", "periods": 10, "until": 11}).to_string(),
            400,
            "`until` = 11 is beyond the run's last period",
        ),
        bad(
            "malformed JSON",
            "POST",
            "/api/run",
            "{\"base\": \"baseline\",",
            400,
            "malformed request",
        ),
        bad(
            "JSON that is not an object",
            "POST",
            "/api/run",
            "[1, 2, 3]",
            400,
            "malformed request",
        ),
        bad(
            "malformed TOML",
            "POST",
            "/api/run",
            json!({"scenario": "version = 1\nperiods = = 3\n"}).to_string(),
            400,
            "scenario:2:",
        ),
        bad(
            "a scenario without a version",
            "POST",
            "/api/run",
            json!({"scenario": "periods = 3\n"}).to_string(),
            400,
            "key `version`: missing",
        ),
        bad(
            "both a built-in and a text",
            "POST",
            "/api/run",
            json!({"base": "baseline", "scenario": "version = 1\n"}).to_string(),
            400,
            "exactly one of `base`",
        ),
        bad(
            "an unknown built-in",
            "POST",
            "/api/run",
            json!({"base": "basline"}).to_string(),
            404,
            "(did you mean `baseline`?)",
        ),
        bad(
            "an unknown built-in by path",
            "GET",
            "/api/scenarios/soe-protectoin",
            "",
            404,
            "(did you mean `soe-protection`?)",
        ),
        bad(
            "an unknown column",
            "POST",
            "/api/run",
            json!({"base": "catch-up", "until": 1, "columns": ["gapp"]}).to_string(),
            400,
            "(did you mean `gap`?)",
        ),
        bad(
            "GET on the run endpoint",
            "GET",
            "/api/run",
            "",
            405,
            "answers POST only",
        ),
        bad(
            "DELETE on the page",
            "DELETE",
            "/",
            "",
            405,
            "answers GET only",
        ),
        bad(
            "an unknown path",
            "GET",
            "/admin",
            "",
            404,
            "nothing at /admin",
        ),
        bad(
            "a body over the limit",
            "POST",
            "/api/run",
            format!(
                "{{\"base\": \"baseline\", \"scenario\": \"{}\"}}",
                "x".repeat(1 << 20)
            ),
            413,
            "larger than the classroom accepts",
        ),
    ];
    for case in &cases {
        let r = request(
            server.port,
            case.method,
            case.path,
            Some("application/json"),
            case.body.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{}: no answer: {e}", case.what));
        assert_eq!(r.status, case.status, "{}: {}", case.what, r.text());
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/json"),
            "{}: not JSON",
            case.what
        );
        let v = r.json();
        let message = v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no error", case.what));
        assert!(
            message.contains(case.says),
            "{}: the message should contain {:?}, got {message:?}",
            case.what,
            case.says
        );
        assert_eq!(v["status"], case.status, "{}", case.what);
        if case.status == 405 {
            assert!(
                r.header("allow").is_some(),
                "{}: no Allow header",
                case.what
            );
        }
        // After each refusal the server still serves.
        assert_eq!(
            server.get("/api/scenarios").status,
            200,
            "after {}",
            case.what
        );
    }
    // A located diagnostic for a bad scenario text.
    let r = server.post_json(
        "/api/run",
        &json!({"scenario": "version = 1\n[policy]\ntariff = 11\n", "until": 0}),
    );
    let v = r.json();
    assert_eq!(v["kind"], "invalid-scenario");
    assert_eq!(v["diagnostics"][0]["line"], 3);
    assert_eq!(v["diagnostics"][0]["key"], "policy.tariff");
    assert_eq!(v["omitted"], 0);
    // A near-megabyte of errors: the first 20 are answered at once, the rest counted.
    let mut text = String::from("version = 1\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "[[schedule]]\nperiod = 5\nsector = \"nope{i}\"\nlevers = {{ tariff = 0.0 }}\n"
        ));
    }
    let clock = std::time::Instant::now();
    let r = server.post_json("/api/run", &json!({"scenario": text, "until": 0}));
    assert!(clock.elapsed().as_secs() < 10, "{:?}", clock.elapsed());
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 20);
    assert_eq!(v["omitted"], 4980);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .ends_with("and 4980 more problems"),
        "{}",
        v["error"]
    );
    // A proper run still works, and the process is alive.
    let r = server.post_json("/api/run", &json!({"base": "catch-up", "until": 3}));
    assert_eq!(r.status, 200);
    assert!(
        server.alive(),
        "the server died; its log:\n{}",
        server.log()
    );
    assert!(
        server.log().contains("unknown key"),
        "refusals are logged on stderr:\n{}",
        server.log()
    );
}

/// The statuses of `n` runs of `base` to period `until` (seeds 0 to n - 1) sent at
/// once, each on its own connection; 0 where no answer came.
fn runs_at_once(port: u16, base: &str, n: u64, until: u32) -> Vec<u16> {
    thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|seed| {
                s.spawn(move || {
                    let body = json!({"base": base, "seed": seed, "until": until}).to_string();
                    request(
                        port,
                        "POST",
                        "/api/run",
                        Some("application/json"),
                        body.as_bytes(),
                    )
                    .map(|r| r.status)
                    .unwrap_or(0)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn requests_at_once_are_all_answered() {
    let server = ServerProcess::start();
    let port = server.port;
    let answers = runs_at_once(port, "baseline", 12, 5);
    assert!(answers.iter().all(|&s| s == 200), "{answers:?}");
}

/// Resident memory of a process in kB (Linux).
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn memory_stays_flat_over_a_lecture_of_requests() {
    let server = ServerProcess::start();
    // A page playing a run: one request per period, each from period 1 again.
    let play = |periods: u32| {
        for t in 1..=periods {
            let body = json!({
                "base": "soe-protection",
                "periods": 60,
                "schedule": [{"period": 10, "sector": "heavy", "levers": {"tariff": 0.2}}],
                "until": t,
                "from": t,
            });
            assert_eq!(server.post_json("/api/run", &body).status, 200);
        }
    };
    play(60);
    let Some(warm) = rss_kb(server.pid()) else {
        eprintln!("no /proc/PID/status here: the memory check did not run");
        return;
    };
    for _ in 0..4 {
        play(60);
    }
    let after = rss_kb(server.pid()).unwrap();
    // Nothing is kept between requests: four more plays may not add more than
    // allocator slack.
    assert!(
        after < warm + 8 * 1024,
        "resident memory grew from {warm} kB to {after} kB over 240 requests"
    );
}

#[test]
fn a_port_in_use_is_refused_with_a_message() {
    let server = ServerProcess::start();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_catchup"))
        .args(["serve", "--port", &server.port.to_string()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{}", server.port)),
        "{stderr}"
    );
    // The first server is unharmed.
    assert_eq!(server.get("/").status, 200);
}

/// A connection that has sent `head` (and nothing more yet), with a read timeout far
/// above any answer's normal latency: a read that times out means no answer came.
fn connect_and_send(port: u16, head: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    stream.write_all(head).expect("the head is sent");
    stream
}

/// The head of a POST to the run endpoint announcing a body of `length` bytes.
fn run_head(port: u16, length: usize) -> String {
    format!(
        "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\n\r\n"
    )
}

/// The answer on a raw connection, parsed.
fn answer_on(stream: &mut TcpStream) -> classroom::Response {
    let raw = read_response(stream).expect("an answer, not a read timeout");
    parse_response(&raw).unwrap_or_else(|| {
        panic!(
            "not an HTTP response: {:?}",
            String::from_utf8_lossy(&raw[..raw.len().min(200)])
        )
    })
}

#[test]
fn slow_uploads_do_not_stall_other_clients() {
    // A read timeout far above the time the other clients need: the slow uploads are
    // still hanging while the others are answered.
    let server = ServerProcess::start_with(&["--read-timeout", "600"]);
    // Twice as many slow uploads as runs may be simulated at once: each announces
    // 500 kB and sends one byte. (The former server gave each of its four threads to
    // one of them and answered nobody else until they timed out.)
    let mut slow: Vec<TcpStream> = (0..2 * 4)
        .map(|_| {
            let mut s = connect_and_send(server.port, run_head(server.port, 500_000).as_bytes());
            s.write_all(b"{").unwrap();
            s
        })
        .collect();
    // Everyone else is served: the page, the catalogue, and runs, several at once.
    assert_eq!(server.get("/").status, 200);
    assert_eq!(server.get("/api/scenarios").status, 200);
    let port = server.port;
    let runs = runs_at_once(port, "catch-up", 6, 3);
    assert_eq!(runs, [200; 6], "runs beside the slow uploads");
    // The slow uploads were not answered (nor dropped) in the meantime: they were
    // still waiting for their bodies while the others went through.
    for (i, stream) in slow.iter_mut().enumerate() {
        stream.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        match stream.read(&mut byte) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("slow upload {i} should still be waiting, got {other:?}"),
        }
    }
}

#[test]
fn a_body_late_past_the_read_timeout_gets_a_408_and_a_silent_head_is_closed() {
    let mut server = ServerProcess::start_with(&["--read-timeout", "1"]);
    // A body announced and never finished: answered 408 once the timeout has passed.
    let mut slow = connect_and_send(server.port, run_head(server.port, 500_000).as_bytes());
    slow.write_all(b"{\"base\": ").unwrap();
    let r = answer_on(&mut slow);
    assert_eq!(r.status, 408, "{}", r.text());
    let v = r.json();
    assert_eq!(v["kind"], "timeout");
    assert_eq!(
        v["error"], "the request body did not arrive within 1 s",
        "{v}"
    );
    // A head never finished: the connection is closed without an answer.
    let mut silent = connect_and_send(
        server.port,
        b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le",
    );
    let mut rest = Vec::new();
    match silent.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest)),
        Err(e) => assert!(
            e.kind() == std::io::ErrorKind::ConnectionReset,
            "the connection should be closed, got {e}"
        ),
    }
    // A kept-alive connection that goes silent after its answer is closed too.
    let mut idle = connect_and_send(
        server.port,
        format!(
            "GET /style.css HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            server.port
        )
        .as_bytes(),
    );
    assert_eq!(answer_on(&mut idle).status, 200);
    let mut rest = Vec::new();
    let closed = idle.read_to_end(&mut rest);
    assert!(
        closed.is_ok() && rest.is_empty(),
        "an idle connection should be closed: {closed:?}"
    );
    // A request sent at once is served as usual, and the timeout was logged.
    let r = server.post_json("/api/run", &json!({"base": "catch-up", "until": 2}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(server.alive());
    assert!(
        server.log().contains("POST /api/run: 408"),
        "{}",
        server.log()
    );
}

#[test]
fn oversized_bodies_are_refused_and_a_body_at_the_limit_is_read() {
    // A short read timeout: a server that waited for an announced body would answer
    // 408 rather than the 413 expected.
    let server = ServerProcess::start_with(&["--read-timeout", "2"]);
    let limit = 1 << 20;
    // Announced over the limit, nothing sent: refused from the head alone.
    let mut big = connect_and_send(server.port, run_head(server.port, 2 * limit).as_bytes());
    let r = answer_on(&mut big);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(r.json()["kind"], "too-large");
    // No length announced (chunked), more than the limit sent: refused once past it.
    let mut chunked = connect_and_send(
        server.port,
        format!(
            "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nTransfer-Encoding: chunked\r\n\r\n",
            server.port
        )
        .as_bytes(),
    );
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..(limit / chunk.len() + 1) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        // The server may answer and close before the last chunk: stop writing then.
        if chunked.write_all(&framed).is_err() {
            break;
        }
    }
    let r = answer_on(&mut chunked);
    assert_eq!(r.status, 413, "{}", r.text());
    // A body of exactly the limit (a request padded with spaces) is read and run; one
    // byte more is refused.
    let run = json!({"base": "catch-up", "until": 1}).to_string();
    let mut body = run.into_bytes();
    body.resize(limit, b' ');
    let r = request(
        server.port,
        "POST",
        "/api/run",
        Some("application/json"),
        &body,
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    body.push(b' ');
    let r = request(
        server.port,
        "POST",
        "/api/run",
        Some("application/json"),
        &body,
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
}
