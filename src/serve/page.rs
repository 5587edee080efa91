//! The page's files, compiled into the binary: the classroom works offline, and
//! nothing is fetched from anywhere but this server.

/// The page: layout and controls.
pub const INDEX_HTML: &str = include_str!("page/index.html");
/// The page's code: state, requests to the API, the charts (SVG, drawn here).
pub const APP_JS: &str = include_str!("page/app.js");
/// The page's style.
pub const STYLE_CSS: &str = include_str!("page/style.css");
