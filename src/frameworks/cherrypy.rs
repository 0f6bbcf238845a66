//! CherryPy `cherrypy.session` (server-side, strict). Research: frameworks.md §17.

use super::Effect;

pub const SESSION_PATHS: &[&str] = &["cherrypy.session"];
/// `cherrypy.lib.sessions.expire()`: back-dates the session cookie only; the stored session
/// keeps its ID and data (not a logout by itself: `cherrypy.session.regenerate()` is).
pub const EXPIRE: &str = "cherrypy.lib.sessions.expire";

pub fn session_method(method: &str) -> Option<Effect> {
    Some(match method {
        // Deletes the stored record, new ID, data kept in memory.
        "regenerate" => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
        "clear" => Effect::Reset,
        _ => return None,
    })
}

pub const WHY: &str = "CherryPy keeps the session on the server under the ID in the cookie; an attacker who planted that ID is logged in as the victim unless `cherrypy.session.regenerate()` runs.";
