//! The classroom server behind `catchup serve`: one page (HTML, CSS and JavaScript
//! compiled into the binary) and a small JSON API that runs scenarios.
//!
//! # Stateless, so that memory stays flat
//!
//! The server keeps nothing between requests: no sessions, no worlds, no caches that
//! grow. The page holds the state of its run (the scenario, the settings, the lever
//! changes made so far as a schedule, the rows drawn) and, to advance, posts all of
//! it with the period it wants to reach; the server builds the scenario, simulates
//! periods 1 to that period from scratch and answers with the rows the page has not
//! drawn yet. Classroom runs are small (a few hundred firms; a period costs well
//! under a millisecond), so redoing the early periods is cheap, and in exchange:
//!
//! - a page left open for a whole lecture, or forty of them, costs the server nothing
//!   between requests; there is no session to expire and nothing to leak;
//! - each request is bounded ([`classroom::MAX_FIRMS`] firms,
//!   [`classroom::MAX_PERIODS`] periods, [`classroom::MAX_SECTORS`] sectors,
//!   [`classroom::MAX_BODY_BYTES`] of body) and at most [`classroom::WORKERS`] are
//!   served at once, so peak memory is bounded: the largest possible request (all
//!   500 periods of 20,000 firms in 12 sectors, every column, a 10 MB answer) peaks
//!   near 25 MB, four of them at once under 100 MB, while the page's own requests
//!   (one period's rows each) need well under a megabyte;
//! - a run on the page is, by construction, a scenario file plus a number of periods:
//!   the file the page downloads is exactly what the server ran, and `catchup run` on
//!   it gives the same numbers;
//! - restarting the server loses nothing.
//!
//! The cost is work that grows with the square of the periods when stepping one
//! period at a time. At the limits (20,000 firms, 500 periods) that is about three
//! billion firm-periods over a whole run: a few minutes of one core in all, about a
//! second per request near the end. A classroom economy of a few hundred firms over
//! 100 periods costs well under a second in all.
//!
//! # Endpoints
//!
//! | method and path | answer |
//! |---|---|
//! | `GET /` | the page (`/app.js` and `/style.css` with it) |
//! | `GET /api/scenarios` | limits, levers with their slider bounds, chartable columns, and every built-in the classroom can run |
//! | `GET /api/scenarios/NAME` | one built-in, with its TOML text |
//! | `POST /api/run` | a run: see [`api::RunRequest`] and [`api::RunReply`] |
//!
//! Every refusal is a 4xx answer with a JSON body `{"error": ..., "kind": ...,
//! "status": ...}` (and the loader's located `diagnostics` for a bad scenario); the
//! server goes on serving.

pub mod api;
pub mod classroom;
pub mod error;
mod page;

use std::borrow::Cow;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};

pub use error::{ApiError, ServeError};

/// An answer: status, content type, body, and the `Allow` header of a 405.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Cow<'static, [u8]>,
    pub allow: Option<&'static str>,
}

const JSON: &str = "application/json; charset=utf-8";

impl Reply {
    fn asset(content_type: &'static str, text: &'static str) -> Reply {
        Reply {
            status: 200,
            content_type,
            body: Cow::Borrowed(text.as_bytes()),
            allow: None,
        }
    }

    fn json(value: &impl serde::Serialize) -> Reply {
        Reply {
            status: 200,
            content_type: JSON,
            body: Cow::Owned(serde_json::to_vec(value).expect("answers always serialize")),
            allow: None,
        }
    }

    fn error(e: &ApiError) -> Reply {
        let allow = match e {
            ApiError::MethodNotAllowed { allow, .. } => Some(*allow),
            _ => None,
        };
        Reply {
            status: e.status(),
            content_type: JSON,
            body: Cow::Owned(serde_json::to_vec(&e.to_json()).expect("errors always serialize")),
            allow,
        }
    }
}

/// Answers one request. `body` is the request body, or why it could not be read.
/// Pure: the same request always gets the same answer.
pub fn route(method: &str, url: &str, body: Result<&[u8], ApiError>) -> Reply {
    match answer(method, url, body) {
        Ok(reply) => reply,
        Err(e) => Reply::error(&e),
    }
}

fn answer(method: &str, url: &str, body: Result<&[u8], ApiError>) -> Result<Reply, ApiError> {
    // The query string plays no part; a page reloaded with one still loads.
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let only = |allowed: &'static str| -> Result<(), ApiError> {
        if method == allowed {
            Ok(())
        } else {
            Err(ApiError::MethodNotAllowed {
                message: format!("{path} answers {allowed} only, not {method}"),
                allow: allowed,
            })
        }
    };
    match path {
        "/" | "/index.html" => {
            only("GET")?;
            Ok(Reply::asset("text/html; charset=utf-8", page::INDEX_HTML))
        }
        "/app.js" => {
            only("GET")?;
            Ok(Reply::asset("text/javascript; charset=utf-8", page::APP_JS))
        }
        "/style.css" => {
            only("GET")?;
            Ok(Reply::asset("text/css; charset=utf-8", page::STYLE_CSS))
        }
        "/api/scenarios" => {
            only("GET")?;
            Ok(Reply::asset(JSON, api::catalogue_json()))
        }
        "/api/run" => {
            only("POST")?;
            Ok(Reply::json(&api::run_json(body?)?))
        }
        _ => {
            if let Some(name) = path.strip_prefix("/api/scenarios/") {
                only("GET")?;
                return Ok(Reply::json(&api::scenario_json(name)?));
            }
            Err(ApiError::NotFound(format!(
                "nothing at {path}; the page is at /, the API at /api/scenarios and /api/run"
            )))
        }
    }
}

/// The classroom server, listening.
pub struct Server {
    http: tiny_http::Server,
    addr: SocketAddr,
}

impl Server {
    /// Listens on `addr` (port 0: a free port, see [`Server::local_addr`]).
    pub fn bind(addr: SocketAddr) -> Result<Server, ServeError> {
        let listener =
            TcpListener::bind(addr).map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        let http =
            tiny_http::Server::from_listener(listener, None).map_err(|e| ServeError::Start {
                addr,
                message: e.to_string(),
            })?;
        Ok(Server { http, addr })
    }

    /// The address the server listens on, with the actual port.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process ends, [`classroom::WORKERS`] requests at a time.
    /// `log` hears of refused requests and failed connections, one line each.
    pub fn run(&self, log: &(dyn Fn(&str) + Sync)) {
        std::thread::scope(|scope| {
            for _ in 0..classroom::WORKERS {
                scope.spawn(|| self.work(log));
            }
        });
    }

    fn work(&self, log: &(dyn Fn(&str) + Sync)) {
        loop {
            match self.http.recv() {
                Ok(request) => serve_one(request, log),
                Err(e) => {
                    log(&format!("cannot accept a connection: {e}"));
                    // An accept error can repeat at once (out of file descriptors, say):
                    // pause rather than spin.
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
    }
}

/// Reads one request's body (within the limit), answers it and logs a refusal.
fn serve_one(mut request: tiny_http::Request, log: &(dyn Fn(&str) + Sync)) {
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let body = read_body(&mut request);
    let reply = route(&method, &url, body.as_deref().map_err(ApiError::clone));
    if reply.status >= 400 {
        let message = serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_default();
        log(&format!("{method} {url}: {} {message}", reply.status));
    }
    let length = reply.body.len();
    let mut response = tiny_http::Response::new(
        tiny_http::StatusCode(reply.status),
        Vec::new(),
        std::io::Cursor::new(reply.body.into_owned()),
        Some(length),
        None,
    )
    // Always a Content-Length, never chunked: simpler for every client.
    .with_chunked_threshold(usize::MAX);
    let headers = [
        ("Content-Type", reply.content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        // The page fetches nothing from elsewhere, and may not.
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; \
             script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    ];
    for (name, value) in headers {
        response.add_header(header(name, value));
    }
    if let Some(allow) = reply.allow {
        response.add_header(header("Allow", allow));
    }
    if let Err(e) = request.respond(response) {
        log(&format!("{method} {url}: cannot send the answer: {e}"));
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values are ASCII")
}

/// The body, refused when larger than [`classroom::MAX_BODY_BYTES`]: a declared
/// length is checked before reading, and reading stops one byte past the limit.
fn read_body(request: &mut tiny_http::Request) -> Result<Vec<u8>, ApiError> {
    let limit = classroom::MAX_BODY_BYTES;
    let too_large = || {
        ApiError::TooLarge(format!(
            "the request body is larger than the classroom accepts ({limit} bytes)"
        ))
    };
    if request.body_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ApiError::BadRequest(format!("cannot read the request body: {e}")))?;
    if body.len() > limit {
        return Err(too_large());
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(reply: &Reply) -> serde_json::Value {
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn the_page_and_its_assets_are_served() {
        for (path, kind) in [
            ("/", "text/html"),
            ("/app.js", "text/javascript"),
            ("/style.css", "text/css"),
            ("/?lecture=3", "text/html"),
        ] {
            let r = route("GET", path, Ok(b""));
            assert_eq!(r.status, 200, "{path}");
            assert!(r.content_type.starts_with(kind), "{path}");
        }
    }

    #[test]
    fn wrong_methods_and_paths_get_json_errors() {
        let r = route("POST", "/", Ok(b""));
        assert_eq!((r.status, r.allow), (405, Some("GET")));
        assert_eq!(json(&r)["kind"], "method-not-allowed");
        let r = route("GET", "/api/run", Ok(b""));
        assert_eq!((r.status, r.allow), (405, Some("POST")));
        let r = route("GET", "/nowhere", Ok(b""));
        assert_eq!(r.status, 404);
        let r = route("POST", "/api/run", Ok(b"{not json"));
        assert_eq!(r.status, 400);
        assert!(
            json(&r)["error"]
                .as_str()
                .unwrap()
                .starts_with("malformed request")
        );
    }

    #[test]
    fn the_page_fetches_nothing_from_elsewhere() {
        for text in [page::INDEX_HTML, page::APP_JS, page::STYLE_CSS] {
            // The SVG namespace is a name, not an address that is fetched.
            let text = text.replace("http://www.w3.org/2000/svg", "");
            assert!(!text.contains("http://") && !text.contains("https://"));
            assert!(!text.contains("//cdn") && !text.contains("import("));
        }
    }
}
