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
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tower_http::set_header::SetResponseHeaderLayer;

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

/// The path that runs the model: the one request that costs more than a lookup.
const RUN_PATH: &str = "/api/run";

/// A request's path: the query string plays no part, so a page reloaded with one
/// (`?present`) still loads.
fn path_of(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or_default()
}

/// Whether [`route`] would simulate for this request: such requests take a worker.
pub fn simulates(method: &str, url: &str) -> bool {
    method == "POST" && path_of(url) == RUN_PATH
}

fn answer(method: &str, url: &str, body: Result<&[u8], ApiError>) -> Result<Reply, ApiError> {
    let path = path_of(url);
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
        RUN_PATH => {
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
    listener: TcpListener,
    addr: SocketAddr,
    read_timeout: Duration,
}

/// What every connection's tasks share.
struct Shared {
    /// Permits to simulate: at most [`classroom::WORKERS`] runs at once.
    workers: Semaphore,
    read_timeout: Duration,
    log: Box<dyn Fn(&str) + Send + Sync>,
}

impl Server {
    /// Listens on `addr` (port 0: a free port, see [`Server::local_addr`]), with the
    /// default [`classroom::READ_TIMEOUT`].
    pub fn bind(addr: SocketAddr) -> Result<Server, ServeError> {
        let listener =
            TcpListener::bind(addr).map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server {
            listener,
            addr,
            read_timeout: classroom::READ_TIMEOUT,
        })
    }

    /// Sets how long a client may take to send a request's head, and then its body.
    pub fn with_read_timeout(mut self, timeout: Duration) -> Server {
        self.read_timeout = timeout;
        self
    }

    /// The address the server listens on, with the actual port.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process ends. `log` hears of refused requests and failed
    /// connections, one line each.
    pub fn run(self, log: impl Fn(&str) + Send + Sync + 'static) -> Result<(), ServeError> {
        let start = |message: String| ServeError::Start {
            addr: self.addr,
            message,
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| start(format!("cannot start the runtime: {e}")))?;
        let shared = Arc::new(Shared {
            workers: Semaphore::new(classroom::WORKERS),
            read_timeout: self.read_timeout,
            log: Box::new(log),
        });
        runtime.block_on(async move {
            self.listener
                .set_nonblocking(true)
                .map_err(|e| start(e.to_string()))?;
            let listener = tokio::net::TcpListener::from_std(self.listener)
                .map_err(|e| start(e.to_string()))?;
            accept_loop(listener, shared).await;
            Ok(())
        })
    }
}

/// Accepts connections, at most [`classroom::MAX_CONNECTIONS`] open at once: past
/// that, new ones wait in the system's queue until one closes, so that the bodies
/// held in memory stay bounded however many clients come.
async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let open = Arc::new(Semaphore::new(classroom::MAX_CONNECTIONS));
    let app = Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&shared))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ));
    loop {
        let permit = Arc::clone(&open)
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                (shared.log)(&format!("cannot accept a connection: {e}"));
                // An accept error can repeat at once (out of file descriptors, say):
                // pause rather than spin.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            // The head must arrive within the read timeout, and so must the next
            // request's on a kept-alive connection: a silent client is closed, not
            // kept waiting forever. (The body's deadline is `read_body`'s.)
            let served = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(shared.read_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served
                && !e.is_timeout()
                && !e.is_incomplete_message()
            {
                (shared.log)(&format!("a connection failed: {e}"));
            }
            drop(permit);
        });
    }
}

/// The page fetches nothing from elsewhere, and may not.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; \
     style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/// One request: its body read within the limits, answered by [`route`] (a run on a
/// worker thread, at most [`classroom::WORKERS`] at once), a refusal logged.
async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let url = parts.uri.to_string();
    let body = read_body(&parts.headers, body, shared.read_timeout).await;
    let reply = if simulates(&method, &url) {
        // Reading the body held no permit: a slow upload does not keep a run waiting.
        let _permit = shared
            .workers
            .acquire()
            .await
            .expect("the worker semaphore is never closed");
        let (m, u) = (method.clone(), url.clone());
        tokio::task::spawn_blocking(move || route(&m, &u, body.as_deref().map_err(ApiError::clone)))
            .await
            .unwrap_or_else(|e| Reply::error(&ApiError::Internal(format!("the run failed: {e}"))))
    } else {
        route(&method, &url, body.as_deref().map_err(ApiError::clone))
    };
    if reply.status >= 400 {
        let message = serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_default();
        (shared.log)(&format!("{method} {url}: {} {message}", reply.status));
    }
    let mut response = Response::new(axum::body::Body::from(reply.body.into_owned()));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).expect("replies carry valid status codes");
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    if let Some(allow) = reply.allow {
        headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    response
}

/// The body, refused when larger than [`classroom::MAX_BODY_BYTES`] (a declared
/// length is checked before reading anything) or when it has not all arrived within
/// `timeout` of starting to read it: a client that announces a body and sends it a
/// byte at a time gets a 408 rather than a connection held open for ever.
async fn read_body(
    headers: &HeaderMap,
    mut body: axum::body::Body,
    timeout: Duration,
) -> Result<Vec<u8>, ApiError> {
    let limit = classroom::MAX_BODY_BYTES;
    let too_large = || {
        ApiError::TooLarge(format!(
            "the request body is larger than the classroom accepts ({limit} bytes)"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let read = async {
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame
                .map_err(|e| ApiError::BadRequest(format!("cannot read the request body: {e}")))?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(bytes)
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::Timeout(format!(
                "the request body did not arrive within {} s",
                timeout.as_secs_f64()
            )))
        })
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
