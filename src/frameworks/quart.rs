//! Quart (Flask's session design, async) and Quart-Session (server-side, no regenerate API).
//! Research: frameworks.md §14.

use super::{Backend, Effect};

pub const SESSION_PATHS: &[&str] = &["quart.session", "quart.globals.session"];

pub fn session_method(_backend: Backend, method: &str) -> Option<Effect> {
    match method {
        "clear" => Some(Effect::Reset),
        "regenerate" => Some(Effect::NoOp {
            why: "`session.regenerate()` does not exist in Quart or Quart-Session",
        }),
        _ => None,
    }
}

pub fn why(backend: Backend) -> &'static str {
    match backend {
        Backend::QuartSession => "Quart-Session keeps the session on the server under the ID in the cookie and has no API to regenerate it: an attacker who planted the session ID is logged in as the victim.",
        _ => "Quart keeps the whole session in a signed cookie (as Flask does), so there is no server-side ID to fix; but content planted before login survives into the logged-in session unless it is cleared first.",
    }
}
