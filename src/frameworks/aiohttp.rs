//! aiohttp-session (+ aiohttp-security). Research: frameworks.md §12.
//! The session comes from `await get_session(request)`; only `await new_session(request)`
//! gives a new ID. `invalidate()` empties the data and keeps the key (probe t_aiohttp.py).

use super::{Backend, Effect};

pub const GET_SESSION: &[&str] = &["aiohttp_session.get_session", "aiohttp_session.new_session"];
pub const NEW_SESSION: &str = "aiohttp_session.new_session";
/// `await remember(request, response, identity)` with `SessionIdentityPolicy` writes the
/// identity into the session (`AIOHTTP_SECURITY`).
pub const REMEMBER: &[&str] = &["aiohttp_security.remember", "aiohttp_security.api.remember"];

/// `forget()`: with `SessionIdentityPolicy` it pops the identity and keeps the session.
pub const FORGET: &[&str] = &["aiohttp_security.forget", "aiohttp_security.api.forget"];

pub fn session_method(_backend: Backend, method: &str) -> Option<Effect> {
    match method {
        "invalidate" | "clear" => Some(Effect::Reset),
        _ => None,
    }
}

pub fn why(backend: Backend) -> &'static str {
    match backend {
        Backend::AiohttpUnset => "this project builds no aiohttp-session storage (aiohttp-session has none by default), so the application that uses it chooses one, often Redis: there the session lives on the server under the key in the cookie, and `invalidate()` keeps that key, so an attacker who planted the key is logged in as the victim. `new_session()` issues a new key on every storage.",
        Backend::AiohttpServer => "aiohttp-session's Redis/Memcached storage keeps the session on the server under the key in the cookie, and `invalidate()` keeps that key: an attacker who planted the key is logged in as the victim. Only `new_session()` issues a new one.",
        _ => "aiohttp-session's cookie storages keep the session in an encrypted cookie, so there is no server-side ID to fix; but content planted before login survives unless a new session is started with `new_session()`.",
    }
}
