//! Flask (+ Flask-Login, Flask-Security-Too, Flask-Session, Flask-KVSession).
//! Research: frameworks.md §2-§7 and the "Checker knowledge table".

use super::{Backend, Effect};

/// Qualified paths of Flask's session proxy.
pub const SESSION_PATHS: &[&str] = &["flask.session", "flask.globals.session"];

/// Helpers that write identity into the session and never clear or regenerate (§5, §6).
pub const LOGIN_HELPERS: &[&str] = &[
    "flask_login.login_user",
    "flask_login.utils.login_user",
    "flask_security.login_user",
    "flask_security.utils.login_user",
];

/// Flask-Login's anonymous user: logging it in names nobody.
pub const ANONYMOUS_USERS: &[&str] = &[
    "flask_login.AnonymousUserMixin",
    "flask_login.mixins.AnonymousUserMixin",
];

/// Helpers that drop Flask-Login's keys and keep the session (and its ID) (§5).
pub const LOGOUT_HELPERS: &[&str] = &[
    "flask_login.logout_user",
    "flask_login.utils.logout_user",
    "flask_security.logout_user",
    "flask_security.utils.logout_user",
];

/// What Invenio-Accounts' `user_logged_in` receiver (`invenio_accounts.sessions.
/// login_listener`, connected by `InvenioAccounts.init_app` unless
/// `ACCOUNTS_SESSION_ACTIVITY_ENABLED` is off) does after the request of every
/// `login_user()`: Flask-KVSession's `session.regenerate()`, which keeps the data
/// (invenio-accounts 1.0.0 and later; commit fffe1ac, "sessions: security fixes").
pub const INVENIO_LOGIN_LISTENER: Effect = Effect::Rotate {
    keeps_data: true,
    needs_nonempty: false,
};

/// What `session.<method>()` does on each backend.
pub fn session_method(backend: Backend, method: &str) -> Option<Effect> {
    Some(match (backend, method) {
        (_, "clear") => Effect::Reset,
        // Only Flask-KVSession has `session.regenerate()` (§4, §19); it keeps the data.
        (Backend::FlaskKvSession, "regenerate") => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
        (Backend::FlaskKvSession, "destroy") => Effect::RotateAndReset,
        (_, "regenerate") => Effect::NoOp {
            why: "`session.regenerate()` does not exist in Flask or Flask-Session (AttributeError at run time)",
        },
        _ => return None,
    })
}

/// What `<app>.session_interface.regenerate(session)` does on each backend.
pub fn interface_regenerate(backend: Backend) -> Effect {
    match backend {
        // Flask-Session >= 0.7.0: deletes the old record and assigns a new sid, but its body
        // starts with `if session:` and is a no-op on an empty session (§3, pitfall 2).
        Backend::FlaskSession | Backend::FlaskCustom => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: true,
        },
        _ => Effect::NoOp {
            why: "Flask's default cookie session interface has no `regenerate()`",
        },
    }
}

pub fn why(backend: Backend) -> &'static str {
    match backend {
        Backend::FlaskCookie => "Flask keeps the whole session in a signed cookie, so there is no server-side ID to fix; but whatever an attacker planted in the victim's session before login (a known CSRF token, a `next` URL, flags) survives into the logged-in session unless it is cleared first.",
        Backend::FlaskSession => "Flask-Session keeps the session on the server under the ID in the cookie; `clear()` keeps that ID. An attacker who planted their session ID in the victim's browser is logged in as the victim once this identity is written.",
        Backend::FlaskKvSession => "Flask-KVSession keeps the session on the server under the ID in the cookie. An attacker who planted their session ID is logged in as the victim once this identity is written.",
        Backend::FlaskCustom => "this app installs its own server-side session interface, so the cookie carries a session ID; an attacker who planted that ID is logged in as the victim once this identity is written.",
        _ => "",
    }
}
