//! Errors of the classroom server: a request the server refuses (answered with a 4xx
//! status and a JSON body), and failing to start at all.

use std::net::SocketAddr;

use serde_json::{Value, json};

use crate::scenario::{Diagnostic, ScenarioError};

/// A refused request, with the HTTP status it deserves. The server answers it and
/// goes on serving.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON, or not the shape the endpoint expects (400).
    #[error("{0}")]
    BadRequest(String),
    /// The scenario is invalid: the loader's located diagnostics (400).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A valid scenario that the classroom will not run: too many firms, periods,
    /// sectors or institutes (422).
    #[error("{0}")]
    OverLimit(String),
    /// No such page, endpoint or built-in scenario (404).
    #[error("{0}")]
    NotFound(String),
    /// The path exists but not for this method (405); `allow` lists the methods.
    #[error("{message}")]
    MethodNotAllowed {
        message: String,
        allow: &'static str,
    },
    /// The body is larger than the classroom accepts (413).
    #[error("{0}")]
    TooLarge(String),
    /// The body did not arrive within the read timeout (408).
    #[error("{0}")]
    Timeout(String),
    /// The server failed at its own work: a bug, answered rather than dropped (500).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) | ApiError::Scenario(_) => 400,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Timeout(_) => 408,
            ApiError::TooLarge(_) => 413,
            ApiError::OverLimit(_) => 422,
            ApiError::Internal(_) => 500,
        }
    }

    /// A stable name for the kind of error, for programs.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Scenario(_) => "invalid-scenario",
            ApiError::OverLimit(_) => "over-limit",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::TooLarge(_) => "too-large",
            ApiError::Timeout(_) => "timeout",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The JSON body of the answer: `error` (the message, one line per problem),
    /// `kind`, `status` and, for an invalid scenario, each located `diagnostic` (the
    /// first [`crate::scenario::error::MAX_REPORTED`]) and the number `omitted`.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "error": self.to_string(),
            "kind": self.kind(),
            "status": self.status(),
        });
        if let ApiError::Scenario(e) = self {
            body["diagnostics"] = e.diagnostics.iter().map(diagnostic_json).collect();
            // Past the first few problems only their number is sent.
            body["omitted"] = json!(e.omitted);
        }
        body
    }
}

fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "origin": d.origin,
        "line": d.line,
        "column": d.column,
        "key": d.key,
        "message": d.message,
        "suggestion": d.suggestion,
        "text": d.to_string(),
    })
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the HTTP server on {addr}: {message}")]
    Start { addr: SocketAddr, message: String },
}
