//! Starlette / FastAPI `SessionMiddleware` (signed cookie, class C) and starsessions
//! (server-side, adopts client-chosen IDs: class P). Research: frameworks.md §10, §10a.

use super::{Backend, Effect};

/// starsessions' regeneration: new ID, data kept, old record not deleted.
pub const REGENERATE: &str = "starsessions.regenerate_session_id";

pub fn session_method(_backend: Backend, method: &str) -> Option<Effect> {
    match method {
        "clear" => Some(Effect::Reset),
        _ => None,
    }
}

pub fn why(backend: Backend) -> &'static str {
    match backend {
        Backend::Starsessions => "starsessions keeps the session on the server under the ID in the cookie and adopts an ID the client chose, so the attacker need not even visit the site first: the worst case. Unless the ID is regenerated, the planted ID is logged in as the victim.",
        _ => "Starlette's SessionMiddleware keeps the whole session in a signed cookie, so there is no server-side ID to fix; but content planted in the session before login survives into the logged-in session unless it is cleared first.",
    }
}
