//! `catchup serve`: the classroom page.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::Args;

use super::Failure;
use crate::serve::Server;

/// The port `catchup serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8321;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free port (the URL printed says which).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on. The default serves this computer only; `--bind 0.0.0.0`
    /// lets other computers (a class on the same network) open the page.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Seconds a client may take to send a request's head, and then its body; a
    /// slower one is cut off (its body with a 408 answer) so that it holds nothing.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::serve::classroom::READ_TIMEOUT.as_secs_f64(),
          value_parser = parse_timeout)]
    pub read_timeout: f64,
    /// Do not report refused requests on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: ServeArgs) -> Result<(), Failure> {
    let could_not_start =
        |e| Failure::bad_input(anyhow::Error::new(e).context("`catchup serve` could not start"));
    // A port in use or not ours to take is the caller's to change.
    let server = Server::bind(SocketAddr::new(args.bind, args.port))
        .map_err(could_not_start)?
        .with_read_timeout(Duration::from_secs_f64(args.read_timeout));
    let addr = server.local_addr();
    // The first line names the URL, with the real port when --port 0 picked one;
    // tests and scripts read it.
    println!("catchup classroom: http://{addr}/");
    if addr.ip().is_unspecified() {
        println!(
            "listening on every network interface: open http://127.0.0.1:{}/ here, or this \
             computer's network address from other computers",
            addr.port()
        );
    }
    println!("Ctrl-C stops the server.");
    let quiet = args.quiet;
    let log = move |line: &str| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    server
        .run(log)
        .map_err(|e| Failure::runtime(anyhow::Error::new(e).context("`catchup serve` stopped")))
}

/// A timeout in seconds: positive and finite.
fn parse_timeout(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds > 0.0 && seconds <= 86_400.0 {
        Ok(seconds)
    } else {
        Err(format!(
            "{seconds} s: expected a number of seconds above 0 and at most 86400"
        ))
    }
}
