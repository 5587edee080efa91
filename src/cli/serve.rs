//! `catchup serve`: the classroom page.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

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
    /// Do not report refused requests on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn execute(args: ServeArgs) -> Result<(), Failure> {
    let server = Server::bind(SocketAddr::new(args.bind, args.port)).map_err(|e| {
        // A port in use or not ours to take is the caller's to change.
        Failure::bad_input(anyhow::Error::new(e).context("`catchup serve` could not start"))
    })?;
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
    let log = |line: &str| {
        if !args.quiet {
            eprintln!("{line}");
        }
    };
    server.run(&log);
    Ok(())
}
