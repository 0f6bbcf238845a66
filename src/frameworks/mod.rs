//! Framework knowledge as data: which objects are sessions, which calls rotate the ID or only
//! clear data, which calls write identity or verify credentials, how each storage class is
//! explained, and the remediation line. Facts come from `shared/research/frameworks.md`
//! (read from the libraries' installed source and checked with probes).

pub mod aiohttp;
pub mod auth;
pub mod beaker;
pub mod bottle;
pub mod cherrypy;
pub mod django;
pub mod flask;
pub mod pyramid;
pub mod quart;
pub mod starlette;

/// A web framework whose session sidguard understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Flask,
    Django,
    Starlette,
    Pyramid,
    Aiohttp,
    Quart,
    Beaker,
    CherryPy,
    /// Bottle with a session plug-in that attaches the session to the request
    /// (`bottle.request.session`, BottleSessions); Bottle with Beaker is [`Framework::Beaker`].
    Bottle,
}

impl Framework {
    /// Every framework, in declaration order (`ALL[f as usize] == f`).
    pub const ALL: [Framework; 9] = [
        Framework::Flask,
        Framework::Django,
        Framework::Starlette,
        Framework::Pyramid,
        Framework::Aiohttp,
        Framework::Quart,
        Framework::Beaker,
        Framework::CherryPy,
        Framework::Bottle,
    ];

    /// The framework as the machine-readable formats name it (JSON and SARIF `framework`):
    /// lower case, as the cookie rules also name it.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Flask => "flask",
            Framework::Django => "django",
            Framework::Starlette => "starlette",
            Framework::Pyramid => "pyramid",
            Framework::Aiohttp => "aiohttp",
            Framework::Quart => "quart",
            Framework::Beaker => "beaker",
            Framework::CherryPy => "cherrypy",
            Framework::Bottle => "bottle",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Framework::Flask => "Flask",
            Framework::Django => "Django",
            Framework::Starlette => "Starlette",
            Framework::Pyramid => "Pyramid",
            Framework::Aiohttp => "aiohttp",
            Framework::Quart => "Quart",
            Framework::Beaker => "Beaker",
            Framework::CherryPy => "CherryPy",
            Framework::Bottle => "Bottle",
        }
    }
}

/// Where session data lives, which decides what fixation means (research §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    /// The whole session is a signed cookie: no server-side ID; planted *content* survives.
    ClientCookie,
    /// The cookie holds an ID; unknown IDs are replaced, but a valid one can be planted.
    ServerStrict,
    /// The cookie holds an ID and an attacker-chosen one is adopted: the worst case.
    ServerPermissive,
}

/// The concrete session backend in use, as far as the project shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// Flask's default `SecureCookieSessionInterface`.
    FlaskCookie,
    /// Flask-Session (`Session(app)`, `SESSION_TYPE`).
    FlaskSession,
    /// Flask-KVSession (`KVSessionExtension`), which has `session.regenerate()`.
    FlaskKvSession,
    /// A custom `app.session_interface = ...`: server-side, API unknown.
    FlaskCustom,
    /// Django's default database (or cache/file) engine.
    DjangoDb,
    /// Django's `signed_cookies` engine.
    DjangoSignedCookies,
    /// Starlette/FastAPI `SessionMiddleware` (signed cookie).
    StarletteCookie,
    /// starsessions (server-side, adopts client-chosen IDs).
    Starsessions,
    /// Pyramid's `SignedCookieSessionFactory`.
    PyramidCookie,
    /// pyramid_session_redis, pyramid_beaker, pyramid_redis_sessions.
    PyramidServer,
    /// No session factory set in this project (Pyramid has no default one): a library or
    /// plug-in whose application chooses the store, possibly a server-side one.
    PyramidUnset,
    /// aiohttp-session cookie storages.
    AiohttpCookie,
    /// aiohttp-session Redis/Memcached storage.
    AiohttpServer,
    /// No storage built in this project (aiohttp-session has no default one): a library
    /// whose application chooses the storage, possibly Redis.
    AiohttpUnset,
    /// Quart's default cookie session.
    QuartCookie,
    /// Quart-Session (server-side, no regenerate API).
    QuartSession,
    /// Beaker (Bottle, WSGI).
    Beaker,
    /// CherryPy sessions.
    CherryPy,
    /// BottleSessions (`bottle.request.session`): server-side, adopts client-chosen IDs.
    BottleSessions,
}

impl Backend {
    pub fn framework(self) -> Framework {
        match self {
            Backend::FlaskCookie
            | Backend::FlaskSession
            | Backend::FlaskKvSession
            | Backend::FlaskCustom => Framework::Flask,
            Backend::DjangoDb | Backend::DjangoSignedCookies => Framework::Django,
            Backend::StarletteCookie | Backend::Starsessions => Framework::Starlette,
            Backend::PyramidCookie | Backend::PyramidServer | Backend::PyramidUnset => {
                Framework::Pyramid
            }
            Backend::AiohttpCookie | Backend::AiohttpServer | Backend::AiohttpUnset => {
                Framework::Aiohttp
            }
            Backend::QuartCookie | Backend::QuartSession => Framework::Quart,
            Backend::Beaker => Framework::Beaker,
            Backend::CherryPy => Framework::CherryPy,
            Backend::BottleSessions => Framework::Bottle,
        }
    }

    /// Where the session lives. A store the application chooses (`PyramidUnset`,
    /// `AiohttpUnset`) is judged as the server-side stores it may be: what is safe there is
    /// safe on every store.
    pub fn storage(self) -> Storage {
        match self {
            Backend::FlaskCookie
            | Backend::DjangoSignedCookies
            | Backend::StarletteCookie
            | Backend::PyramidCookie
            | Backend::AiohttpCookie
            | Backend::QuartCookie => Storage::ClientCookie,
            Backend::Starsessions | Backend::BottleSessions => Storage::ServerPermissive,
            _ => Storage::ServerStrict,
        }
    }

    /// Is the store chosen by the application rather than configured in this project?
    pub fn unset(self) -> bool {
        matches!(self, Backend::PyramidUnset | Backend::AiohttpUnset)
    }

    pub fn label(self) -> &'static str {
        match self {
            Backend::FlaskCookie => "Flask's signed-cookie session",
            Backend::FlaskSession => "Flask-Session",
            Backend::FlaskKvSession => "Flask-KVSession",
            Backend::FlaskCustom => "a custom Flask session interface",
            Backend::DjangoDb => "Django's server-side session engine",
            Backend::DjangoSignedCookies => "Django's signed_cookies session engine",
            Backend::StarletteCookie => "Starlette's cookie SessionMiddleware",
            Backend::Starsessions => "starsessions, which adopts client-chosen IDs",
            Backend::PyramidCookie => "Pyramid's signed-cookie session",
            Backend::PyramidServer => "a server-side Pyramid session factory",
            Backend::AiohttpCookie => "aiohttp-session cookie storage",
            Backend::AiohttpServer => "aiohttp-session server-side storage",
            Backend::PyramidUnset => "Pyramid, session factory chosen by the application",
            Backend::AiohttpUnset => "aiohttp-session, storage chosen by the application",
            Backend::QuartCookie => "Quart's default cookie session",
            Backend::QuartSession => "Quart-Session",
            Backend::Beaker => "Beaker",
            Backend::CherryPy => "CherryPy sessions",
            Backend::BottleSessions => "BottleSessions, which adopts client-chosen IDs",
        }
    }

    /// What `<session>.<method>()` does on this backend.
    pub fn session_method(self, method: &str) -> Option<Effect> {
        match self.framework() {
            Framework::Flask => flask::session_method(self, method),
            Framework::Django => django::session_method(method),
            Framework::Starlette => starlette::session_method(self, method),
            Framework::Pyramid => pyramid::session_method(self, method),
            Framework::Aiohttp => aiohttp::session_method(self, method),
            Framework::Quart => quart::session_method(self, method),
            Framework::Beaker => beaker::session_method(method),
            Framework::CherryPy => cherrypy::session_method(method),
            Framework::Bottle => bottle::session_method(method),
        }
    }

    /// Why a login that keeps the session is a problem on this backend.
    pub fn why(self) -> &'static str {
        match self.framework() {
            Framework::Flask => flask::why(self),
            Framework::Django => django::why(self == Backend::DjangoSignedCookies),
            Framework::Starlette => starlette::why(self),
            Framework::Pyramid => pyramid::why(self),
            Framework::Aiohttp => aiohttp::why(self),
            Framework::Quart => quart::why(self),
            Framework::Beaker => beaker::WHY,
            Framework::CherryPy => cherrypy::WHY,
            Framework::Bottle => bottle::WHY,
        }
    }
}

/// What a call or statement does to the session, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The session ID is replaced. `keeps_data`: the data survives (so calling it after the
    /// identity write is fine). `needs_nonempty`: a no-op on an empty session (Flask-Session).
    Rotate {
        keeps_data: bool,
        needs_nonempty: bool,
    },
    /// The data is erased and the ID kept (`clear()`); for cookie sessions this is the fix.
    Reset,
    /// Both: a new ID and no data (`flush()`, `logout()`).
    RotateAndReset,
    /// Looks like a regeneration but does nothing (or raises) on this backend.
    NoOp { why: &'static str },
}

/// Is the function `qualname` of the file at `path` a library's own implementation of a
/// primitive the rules know by its qualified path (Django's `login()` in
/// `django/contrib/auth/__init__.py`, Flask-Login's `login_user()`)? Its callers are judged
/// where they call it; the primitive itself is what the rules model, not a handler.
pub fn implements_primitive(path: &str, qualname: &str) -> bool {
    let own = || {
        let module = path
            .trim_end_matches(".py")
            .trim_end_matches("/__init__")
            .replace(['/', '\\'], ".");
        format!("{module}.{qualname}")
    };
    let known = django::ROTATING_CALLS
        .iter()
        .map(|(p, _)| *p)
        .chain(django::SECOND_FACTOR_LOGINS.iter().map(|(p, _)| *p))
        .chain(flask::LOGIN_HELPERS.iter().copied())
        .chain(flask::LOGOUT_HELPERS.iter().copied())
        .chain(pyramid::REMEMBER.iter().copied())
        .chain(pyramid::FORGET.iter().copied())
        .chain(aiohttp::REMEMBER.iter().copied())
        .chain(aiohttp::FORGET.iter().copied());
    // Most functions share no name with a primitive: the module path is built only for one
    // that does.
    let last = qualname.rsplit('.').next().unwrap_or(qualname);
    known
        .into_iter()
        .filter(|p| p.rsplit('.').next() == Some(last))
        .any(|p| {
            let own = own();
            own == p || own.strip_suffix(p).is_some_and(|head| head.ends_with('.'))
        })
}
