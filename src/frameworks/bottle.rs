//! Bottle has no session of its own (frameworks.md §15): a plug-in that attaches one to the
//! request does. BottleSessions 21.9.21 (`BottleSessions(app)`) puts a server-side session at
//! `bottle.request.session`, backed by a cachelib cache. Read from its source
//! (`BottleSessions/Session.py`):
//! - `session_regenerate()` deletes the old record and issues a new ID, keeping the data
//!   (`:349-364`);
//! - `session_delete()` deletes the backing record only when `session_dict is None`, which it
//!   never is (it is only ever `False` or `True`, `:98,265,300`): it empties the dict in
//!   memory and stops the save, so the stored record keeps its data under the old ID
//!   (`:307-322`);
//! - a cookie naming an unknown ID is adopted (`session_load` falls through to `session_new`,
//!   which keeps `session_id`, `:280-300`).

use super::Effect;

/// `bottle.request`: where a session plug-in attaches its session (`request.session`).
pub const REQUEST: &str = "bottle.request";

pub fn session_method(method: &str) -> Option<Effect> {
    Some(match method {
        "session_regenerate" => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
        // Both empty the session in memory and keep the stored record under its ID.
        "session_delete" | "clear" => Effect::Reset,
        _ => return None,
    })
}

pub const WHY: &str = "BottleSessions keeps the session on the server under the ID in the cookie, and adopts an ID the client chose; only `request.session.session_regenerate()` deletes the old record and issues a new ID.";
