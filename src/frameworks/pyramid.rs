//! Pyramid: `request.session` from the session factory (signed cookie by default, class C;
//! pyramid_session_redis / pyramid_beaker are server-side, class S), and `remember()` when
//! the security policy stores identity in the session. Research: frameworks.md §11.

use super::{Backend, Effect};

/// `remember(request, userid)`: a session write only with `SessionAuthenticationHelper` /
/// `SessionAuthenticationPolicy` (it writes `auth.userid` and never invalidates; upstream
/// declined to change that, Pylons/pyramid#1569).
pub const REMEMBER: &[&str] = &["pyramid.security.remember"];

/// `forget()`: with session authentication it pops `auth.userid` and keeps the session.
pub const FORGET: &[&str] = &["pyramid.security.forget"];

/// Why `remember()`/`forget()` count where the project sets no security policy.
pub const POLICY_UNSET: &str = "This project sets no security policy either: the application that uses it chooses one, and with a session-based one (`SessionAuthenticationPolicy`, a security policy built on `SessionAuthenticationHelper`) `remember()` writes the identity into the session and `forget()` only removes it again (with `AuthTktAuthenticationPolicy` the identity is in a cookie of its own instead).";

pub fn session_method(backend: Backend, method: &str) -> Option<Effect> {
    Some(match method {
        // The ISession contract: a new session (ID) afterwards; data erased, so it must come
        // before the identity write (after it, the login is lost: a bug, not a fixation).
        "invalidate" => Effect::RotateAndReset,
        "regenerate_id" if backend == Backend::PyramidServer => Effect::Rotate {
            keeps_data: true,
            needs_nonempty: false,
        },
        "clear" => Effect::Reset,
        _ => return None,
    })
}

pub fn why(backend: Backend) -> &'static str {
    match backend {
        Backend::PyramidUnset => "this project sets no Pyramid session factory (Pyramid has none by default), so the application that uses it chooses one, possibly server-side (pyramid_session_redis, pyramid_beaker): there `remember()`/session writes keep the session ID, so an attacker who planted it is logged in as the victim. `request.session.invalidate()` first is safe on every session factory.",
        Backend::PyramidServer => "this Pyramid app keeps sessions on the server (pyramid_session_redis, pyramid_beaker or a session factory of its own) under the ID in the cookie, and `remember()`/session writes never invalidate it: an attacker who planted the session ID is logged in as the victim.",
        _ => "Pyramid's default SignedCookieSessionFactory keeps the session in a signed cookie, so there is no server-side ID to fix; but content planted before login survives into the logged-in session unless `request.session.invalidate()` runs first.",
    }
}
