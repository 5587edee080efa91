//! Helpers for the classroom tests (`tests/serve.rs`, `tests/browser.rs`): the real
//! `catchup serve` started on a free port, a tiny HTTP/1.1 client over `std::net`,
//! and a check of a run's `series.csv` against rows the API returned.

#![allow(dead_code)] // each test file uses its own part of the helpers

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// `catchup serve --port 0` running as a child process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// The port the server reported.
    pub port: u16,
    /// Kept open: the server's later lines must not meet a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// Where the server's standard error goes (refused requests are logged there).
    pub stderr: PathBuf,
    _dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts the server and reads the port from the URL on its first line.
    pub fn start() -> ServerProcess {
        ServerProcess::start_with(&[])
    }

    /// Starts the server with more arguments of `catchup serve`.
    pub fn start_with(args: &[&str]) -> ServerProcess {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let stderr = dir.path().join("stderr.txt");
        let mut child = Command::new(env!("CARGO_BIN_EXE_catchup"))
            .args(["serve", "--port", "0"])
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(File::create(&stderr).expect("stderr file")))
            .spawn()
            .expect("catchup serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the server prints its URL");
        let port = line
            .trim()
            .strip_prefix("catchup classroom: http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "the first line of `catchup serve --port 0` should name the URL, got {line:?}; stderr: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            });
        assert_ne!(port, 0, "the printed port is the one bound, not 0");
        ServerProcess {
            child,
            port,
            _stdout: stdout,
            stderr,
            _dir: dir,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// What the server wrote on standard error so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path, None, b"").expect("the server answers")
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        request(
            self.port,
            "POST",
            path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
        .expect("the server answers")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("the body is UTF-8")
    }

    /// The body as JSON, failing with the body in the message.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: the body is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`). Writing errors
/// are ignored so that a server that answers before reading a large body (413) is
/// still heard.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(300)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str("\r\n");
    let written = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
    let raw = match read_response(&mut stream) {
        Ok(raw) => raw,
        Err(e) => return Err(written.err().unwrap_or(e)),
    };
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not an HTTP response: {:?}",
                String::from_utf8_lossy(&raw[..raw.len().min(200)])
            ),
        )
    })
}

/// Reads one response: up to the end of its body as framed by Content-Length or
/// chunked encoding, or to the end of the connection when it has neither. (A peer
/// that keeps the connection open despite `Connection: close` does not hang us.)
pub fn read_response(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some(len) = framed_length(&raw) {
            raw.truncate(len);
            return Ok(raw);
        }
        match stream.read(&mut buf) {
            Ok(0) => return Ok(raw),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if raw.is_empty() => return Err(e),
            // A reset after part of an answer: parse what came.
            Err(_) => return Ok(raw),
        }
    }
}

/// The length of the whole response once all of it is in `raw`.
fn framed_length(raw: &[u8]) -> Option<usize> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split])
        .ok()?
        .to_ascii_lowercase();
    let body_start = split + 4;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match (name.trim(), value.trim()) {
            ("content-length", n) => {
                let end = body_start + n.parse::<usize>().ok()?;
                return (raw.len() >= end).then_some(end);
            }
            ("transfer-encoding", "chunked") => {
                return dechunk(&raw[body_start..]).map(|_| raw.len());
            }
            _ => {}
        }
    }
    None
}

/// Parses a whole response: status line, headers, and a body framed by
/// Content-Length, chunked, or the end of the connection.
pub fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let body = if let Some(n) = find("content-length") {
        let n: usize = n.parse().ok()?;
        rest.get(..n)?.to_vec()
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Some(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Runs `catchup run FILE --out DIR -q` and returns the path of its series.csv.
pub fn run_file(scenario: &Path, out: &Path) -> PathBuf {
    let output = Command::new(env!("CARGO_BIN_EXE_catchup"))
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .output()
        .expect("catchup run starts");
    assert!(
        output.status.success(),
        "catchup run {} failed: {}",
        scenario.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    out.join("series.csv")
}

/// Asserts that every `column` of every row the API returned equals exactly the same
/// cell of `series.csv`. Returns how many values were compared.
#[track_caller]
pub fn assert_rows_match_csv(rows: &[Value], series: &Path, columns: &[&str]) -> usize {
    let mut reader = csv::Reader::from_path(series).expect("series.csv opens");
    let headers = reader.headers().expect("a header row").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in series.csv"))
    };
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    let mut compared = 0;
    for row in rows {
        let period = row["period"].as_u64().expect("a period").to_string();
        let sector = row["sector"].as_str().expect("a sector");
        let record = records
            .iter()
            .find(|r| r[col("period")] == *period && &r[col("sector")] == sector)
            .unwrap_or_else(|| panic!("series.csv has no row for {sector} in period {period}"));
        for &c in columns {
            let page = row[c].as_f64();
            let cell = &record[col(c)];
            let file =
                (!cell.is_empty()).then(|| cell.parse::<f64>().expect("a number in series.csv"));
            // Exact equality (0.0 and -0.0 are equal: JavaScript writes -0 as 0).
            assert_eq!(
                page, file,
                "`{c}` of {sector} in period {period}: the page had {page:?}, series.csv {cell:?}"
            );
            compared += 1;
        }
    }
    compared
}
