//! Beaker sessions (Bottle, plain WSGI): `request.environ["beaker.session"]`.
//! Research: frameworks.md §13. `regenerate_id()` keeps the data; `invalidate()` gives a new
//! ID and no data; `delete()` keeps the ID (probe t_beaker.py).

use super::Effect;

pub fn session_method(method: &str) -> Option<Effect> {
    Some(match method {
        "regenerate_id" => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
        "invalidate" => Effect::RotateAndReset,
        "delete" | "clear" => Effect::Reset,
        _ => return None,
    })
}

/// Frameworks whose session proxy is a Beaker session: TurboGears 2 (`from tg import
/// session`) and Pylons (`from pylons import session`) install Beaker's middleware.
pub const SESSION_PATHS: &[&str] = &["tg.session", "pylons.session"];

pub const WHY: &str = "Beaker keeps the session on the server under the ID in the cookie (and, without a `session.secret`, adopts an ID the client chose: the worst case). `delete()` keeps that ID; only `regenerate_id()` or `invalidate()` changes it.";
