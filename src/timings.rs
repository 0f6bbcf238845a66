//! Stage timings for benchmarking (`SIDGUARD_TIMINGS=1`): each mark prints the time since the
//! first one on stderr. Off by default; never part of any report.

use std::sync::OnceLock;
use std::time::Instant;

fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("SIDGUARD_TIMINGS").map(|_| Instant::now()))
}

/// Starts the clock (call first thing; later marks measure from here).
pub fn begin() {
    start();
}

/// Is timing on?
pub fn on() -> bool {
    start().is_some()
}

/// Prints `what` with the milliseconds since `begin`, when timing is on.
pub fn mark(what: impl FnOnce() -> String) {
    if let Some(t) = start() {
        eprintln!(
            "sidguard: timings: {:7.3} ms  {}",
            t.elapsed().as_secs_f64() * 1e3,
            what()
        );
    }
}
