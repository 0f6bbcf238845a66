//! Project-wide facts that change what a finding means: which session backend the project
//! configures (Flask-Session, Flask-KVSession, a custom interface, Django's signed_cookies
//! engine) and whether it is a Django project.
//!
//! Facts are computed per file as a small bit set (`FileFacts`) so that the diff modes can
//! cache them by blob id and combine them without re-reading unchanged files.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::frameworks::{Backend, Framework};

/// Bit set of facts one file contributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FileFacts(pub u32);

impl FileFacts {
    pub const FLASK_SESSION: u32 = 1;
    pub const FLASK_KVSESSION: u32 = 1 << 1;
    pub const FLASK_CUSTOM_INTERFACE: u32 = 1 << 2;
    pub const DJANGO_SIGNED_COOKIES: u32 = 1 << 3;
    pub const DJANGO: u32 = 1 << 4;
    pub const FLASK: u32 = 1 << 5;
    pub const STARLETTE: u32 = 1 << 6;
    pub const STARSESSIONS: u32 = 1 << 7;
    pub const PYRAMID: u32 = 1 << 8;
    pub const PYRAMID_SERVER: u32 = 1 << 9;
    pub const PYRAMID_SESSION_AUTH: u32 = 1 << 10;
    pub const AIOHTTP_SERVER: u32 = 1 << 11;
    pub const AIOHTTP_SESSION_IDENTITY: u32 = 1 << 12;
    pub const QUART_SESSION: u32 = 1 << 13;
    /// A class of the project's own derives from Flask's `SecureCookieSessionInterface`.
    pub const FLASK_COOKIE_INTERFACE: u32 = 1 << 14;
    /// A class of the project's own derives from another session interface.
    pub const FLASK_OTHER_INTERFACE: u32 = 1 << 15;
    /// The app sets a Pyramid session factory (`config.set_session_factory(...)`,
    /// `Configurator(session_factory=...)`).
    pub const PYRAMID_SETS_FACTORY: u32 = 1 << 16;
    /// A Pyramid cookie session factory is built (`SignedCookieSessionFactory(...)`).
    pub const PYRAMID_COOKIE_FACTORY: u32 = 1 << 17;
    /// A session class of the project's own has a method that rotates the ID (see
    /// [`rotating_session_methods`]); the methods' names are in [`FileFacts::NAMES`].
    pub const SESSION_METHOD_ROTATES: u32 = 1 << 18;
    /// aiohttp-security's identity is kept in a cookie or a token of its own
    /// (`CookiesIdentityPolicy()`, `JWTIdentityPolicy(...)`), not in the session.
    pub const AIOHTTP_OTHER_IDENTITY: u32 = 1 << 19;
    /// Facts an application decides for itself: where a repository holds several that
    /// disagree, a file has its own application's (see [`LocalFacts`]).
    pub const LOCAL: u32 = FileFacts::AIOHTTP_SESSION_IDENTITY | FileFacts::AIOHTTP_OTHER_IDENTITY;
    /// Bits 20 to 27: a Bloom filter of the project's session names (two bits a name): the
    /// names of those methods, and of [`FileFacts::SESSION_WRAPPER`] classes (hashed apart),
    /// so the facts stay one word a file (cached by blob id) and a union stays a union.
    pub const NAMES: u32 = 0xff << 20;
    /// The project sets a Pyramid security or authentication policy, or defines one
    /// (`config.set_security_policy(...)`, `Configurator(authentication_policy=...)`,
    /// `AuthTktAuthenticationPolicy(...)`, a class with `def remember(self, request, ...)`).
    /// Where none is, the application that uses the project chooses it, possibly one that
    /// keeps the identity in the session.
    pub const PYRAMID_SETS_POLICY: u32 = 1 << 28;
    /// A class of the project's own has a `__setattr__` that writes into a session
    /// (`self.session[key] = value`): an attribute written on an instance is a session key
    /// written. The classes' names are in [`FileFacts::NAMES`] (see [`session_wrappers`]).
    pub const SESSION_WRAPPER: u32 = 1 << 29;
    /// An aiohttp-session cookie storage is built (`EncryptedCookieStorage(...)`,
    /// `NaClCookieStorage`, `SimpleCookieStorage`).
    pub const AIOHTTP_COOKIE: u32 = 1 << 30;
    /// A class of the project's own derives from aiohttp-session's `AbstractStorage`.
    pub const AIOHTTP_OWN_STORAGE: u32 = 1 << 31;

    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// Facts for the whole project: the union of every file's facts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectFacts(pub FileFacts);

impl ProjectFacts {
    pub fn add(&mut self, f: FileFacts) {
        self.0 .0 |= f.0;
    }

    /// The session backend a framework's session uses in this project.
    pub fn backend(self, framework: Framework) -> Backend {
        let f = self.0;
        match framework {
            Framework::Flask => {
                if f.has(FileFacts::FLASK_KVSESSION) {
                    Backend::FlaskKvSession
                } else if f.has(FileFacts::FLASK_SESSION) {
                    Backend::FlaskSession
                } else if f.has(FileFacts::FLASK_CUSTOM_INTERFACE)
                    && (f.has(FileFacts::FLASK_OTHER_INTERFACE)
                        || !f.has(FileFacts::FLASK_COOKIE_INTERFACE))
                {
                    // An interface of the project's own is server-side, unless every one it
                    // defines derives from Flask's signed-cookie interface.
                    Backend::FlaskCustom
                } else {
                    Backend::FlaskCookie
                }
            }
            Framework::Django => {
                if f.has(FileFacts::DJANGO_SIGNED_COOKIES) {
                    Backend::DjangoSignedCookies
                } else {
                    Backend::DjangoDb
                }
            }
            Framework::Starlette if f.has(FileFacts::STARSESSIONS) => Backend::Starsessions,
            Framework::Starlette => Backend::StarletteCookie,
            Framework::Pyramid if f.has(FileFacts::PYRAMID_SERVER) => Backend::PyramidServer,
            // A factory of the project's own, where no cookie factory is built: its sessions
            // live on the server (warehouse's Redis session).
            Framework::Pyramid
                if f.has(FileFacts::PYRAMID_SETS_FACTORY)
                    && !f.has(FileFacts::PYRAMID_COOKIE_FACTORY) =>
            {
                Backend::PyramidServer
            }
            Framework::Pyramid if f.has(FileFacts::PYRAMID_COOKIE_FACTORY) => {
                Backend::PyramidCookie
            }
            // Pyramid has no default session factory: a project that sets none is a library
            // or plug-in whose application chooses the store.
            Framework::Pyramid => Backend::PyramidUnset,
            Framework::Aiohttp
                if f.has(FileFacts::AIOHTTP_SERVER) || f.has(FileFacts::AIOHTTP_OWN_STORAGE) =>
            {
                Backend::AiohttpServer
            }
            Framework::Aiohttp if f.has(FileFacts::AIOHTTP_COOKIE) => Backend::AiohttpCookie,
            // aiohttp-session has no default storage (`setup(app, storage)` is required): a
            // project that builds none leaves the choice to the application.
            Framework::Aiohttp => Backend::AiohttpUnset,
            Framework::Quart if f.has(FileFacts::QUART_SESSION) => Backend::QuartSession,
            Framework::Quart => Backend::QuartCookie,
            Framework::Beaker => Backend::Beaker,
            Framework::CherryPy => Backend::CherryPy,
            Framework::Bottle => Backend::BottleSessions,
        }
    }

    pub fn has(self, bit: u32) -> bool {
        self.0.has(bit)
    }

    pub fn is_django(self) -> bool {
        self.0.has(FileFacts::DJANGO)
    }

    /// Does a session class of the project's own define `method` as a rotation of the ID
    /// (as far as the name filter tells: a name of another file's rotating method can share
    /// its two bits, one in a few dozen)?
    pub fn rotating_session_method(self, method: &str) -> bool {
        let bits = name_bits(method);
        self.has(FileFacts::SESSION_METHOD_ROTATES) && self.0 .0 & bits == bits
    }

    /// Does a class of the project's own named `class` write into a session from its
    /// `__setattr__` (as far as the name filter tells, as above)?
    pub fn session_wrapper(self, class: &str) -> bool {
        if !self.has(FileFacts::SESSION_WRAPPER) {
            return false;
        }
        let bits = wrapper_bits(class);
        self.0 .0 & bits == bits
    }
}

/// The files of a project holding [`FileFacts::LOCAL`] facts, with their paths. A repository
/// can hold several applications (a demos repository: one app keeps aiohttp-security's
/// identity in the session, another in a cookie of its own); the union of every file's facts
/// would give each app the other's. A file's local facts are those of the nearest directory
/// above it where any is configured; the union where none is. A few files a project, so a
/// look-up is a walk up the path over a short list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalFacts(Vec<(String, u32)>);

impl LocalFacts {
    /// Notes file `path`'s facts (kept only when it holds local ones).
    pub fn note(&mut self, path: &str, f: FileFacts) {
        if f.0 & FileFacts::LOCAL != 0 {
            self.0.push((path.to_string(), f.0 & FileFacts::LOCAL));
        }
    }

    /// The project's facts as seen from file `path`.
    pub fn facts_for(&self, facts: ProjectFacts, path: &str) -> ProjectFacts {
        if self.0.is_empty() {
            return facts;
        }
        let mut dir = path;
        while let Some(i) = dir.rfind('/') {
            dir = &dir[..i];
            let local = self
                .0
                .iter()
                .filter(|(p, _)| {
                    p.len() > dir.len() && p.starts_with(dir) && p.as_bytes()[dir.len()] == b'/'
                })
                .fold(0, |acc, (_, f)| acc | f);
            if local != 0 {
                return ProjectFacts(FileFacts(facts.0 .0 & !FileFacts::LOCAL | local));
            }
        }
        facts
    }
}

/// The two bits of `name` in [`FileFacts::NAMES`] (FNV-1a, two slices of the hash).
fn name_bits(name: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (1 << (20 + h % 8)) | (1 << (20 + (h >> 16) % 8))
}

/// The two bits of wrapper class `name` in [`FileFacts::NAMES`] (hashed apart from methods).
fn wrapper_bits(name: &str) -> u32 {
    name_bits(&format!("class {name}"))
}

const PATTERNS: &[&str] = &[
    "flask_session",
    "SESSION_TYPE",
    "flask_kvsession",
    "KVSessionExtension",
    "session_interface",
    "SESSION_ENGINE",
    "django",
    "flask",
    "starlette",
    "fastapi",
    "starsessions",
    "pyramid",
    "pyramid_session_redis",
    "pyramid_beaker",
    "pyramid_redis_sessions",
    "SessionAuthenticationHelper",
    "SessionAuthenticationPolicy",
    "RedisStorage",
    "MemcachedStorage",
    "SessionIdentityPolicy",
    "CookiesIdentityPolicy",
    "JWTIdentityPolicy",
    "quart_session",
    "SessionInterface",
    "set_session_factory",
    "session_factory",
    "SignedCookieSessionFactory",
    "UnencryptedCookieSessionFactoryConfig",
    "EncryptedCookieStorage",
    "NaClCookieStorage",
    "SimpleCookieStorage",
    "AbstractStorage",
];

fn matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(PATTERNS)
            .expect("static patterns")
    })
}

/// How many texts `matches` has searched.
static TEXTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The automaton's matches of [`PATTERNS`] in `src` (leftmost-longest, non-overlapping), as
/// (start, end, pattern). Building the automaton costs more than a commit hook's whole
/// search (it sees one or two new blobs): the first few small texts are searched pattern by
/// pattern with a SIMD substring search instead, every occurrence (overlapping ones too),
/// and the same matches are picked from those: the earliest start, the longest there, then
/// on from its end.
fn matches(src: &[u8]) -> Vec<(usize, usize, usize)> {
    use crate::words::{FEW_TEXTS, SMALL_TEXT};
    use std::sync::atomic::Ordering::Relaxed;
    static BUILT: OnceLock<()> = OnceLock::new();
    if src.len() > SMALL_TEXT || BUILT.get().is_some() || TEXTS.fetch_add(1, Relaxed) >= FEW_TEXTS {
        BUILT.get_or_init(|| ());
        return matcher()
            .find_iter(src)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
    }
    by_substrings(src)
}

/// `matches` without the automaton.
fn by_substrings(src: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut all = Vec::new();
    for (i, p) in PATTERNS.iter().enumerate() {
        let finder = memchr::memmem::Finder::new(p.as_bytes());
        let mut at = 0;
        while let Some(k) = finder.find(&src[at..]) {
            all.push((at + k, at + k + p.len(), i));
            at += k + 1;
        }
    }
    all.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut next = 0;
    all.retain(|&(start, end, _)| {
        let keep = start >= next;
        if keep {
            next = end;
        }
        keep
    });
    all
}

/// The line holding bytes `start..end` of `src`: where it starts, and its bytes.
fn line_of(src: &[u8], start: usize, end: usize) -> (usize, &[u8]) {
    let line_start = src[..start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &src[end..]).map_or(src.len(), |i| end + i);
    (line_start, &src[line_start..line_end])
}

/// Is the name ending at byte `end` of `line` a keyword argument (`session_factory=f`)?
fn is_keyword_argument(line: &[u8], end: usize) -> bool {
    let rest = trim_ascii_start(line.get(end..).unwrap_or(&[]));
    rest.starts_with(b"=") && !rest.starts_with(b"==")
}

/// Facts of one Python file. Only code counts: a match inside a `#` comment does not.
pub fn file_facts(src: &[u8]) -> FileFacts {
    let mut facts = 0u32;
    let mut strings = TripleStrings::default();
    for (start, end, pattern) in matches(src) {
        // Docstrings show setups (`app.session_interface = MySessionInterface()`) they
        // do not make.
        if strings.inside(src, start) {
            continue;
        }
        let (line_start, line) = line_of(src, start, end);
        let at = start - line_start;
        if in_comment(line, at) {
            continue;
        }
        let trimmed = trim_ascii_start(line);
        let is_import = trimmed.starts_with(b"import ") || trimmed.starts_with(b"from ");
        facts |= match PATTERNS[pattern] {
            // The module imported, not a name bound to Flask's own session (`from flask
            // import session as flask_session`).
            "flask_session" if is_import && imports_module(line, at) => FileFacts::FLASK_SESSION,
            // `SESSION_TYPE = "redis"` or `app.config["SESSION_TYPE"] = ...`: Flask-Session's key.
            "SESSION_TYPE" if has_assignment(line) => FileFacts::FLASK_SESSION,
            "flask_kvsession" if is_import => FileFacts::FLASK_KVSESSION,
            "KVSessionExtension" if !is_import => FileFacts::FLASK_KVSESSION,
            // `app.session_interface = MyInterface()`: a server-side interface of the app's own.
            "session_interface" if is_interface_assignment(line, at) => {
                FileFacts::FLASK_CUSTOM_INTERFACE
            }
            "SESSION_ENGINE" if contains(line, b"signed_cookies") => {
                FileFacts::DJANGO_SIGNED_COOKIES
            }
            "django" if is_import => FileFacts::DJANGO,
            "flask" if is_import => FileFacts::FLASK,
            "starlette" | "fastapi" if is_import => FileFacts::STARLETTE,
            "starsessions" if is_import => FileFacts::STARSESSIONS,
            "pyramid" if is_import => FileFacts::PYRAMID,
            // pyramid_beaker also configures Beaker's caches (`from pyramid_beaker import
            // set_cache_regions_from_settings`): only a session factory imported from it
            // (`session_factory_from_settings`, `BeakerSessionFactoryConfig`) is a store.
            "pyramid_beaker"
                if is_import
                    && trimmed.starts_with(b"from ")
                    && !contains(line.get(at..).unwrap_or(&[]), b"ession") =>
            {
                FileFacts::PYRAMID
            }
            "pyramid_session_redis" | "pyramid_beaker" | "pyramid_redis_sessions" if is_import => {
                FileFacts::PYRAMID_SERVER | FileFacts::PYRAMID
            }
            // `config.include("pyramid_beaker")`: the factory is set by the plug-in.
            "pyramid_session_redis" | "pyramid_beaker" | "pyramid_redis_sessions"
                if contains(line, b"include") =>
            {
                FileFacts::PYRAMID_SERVER
            }
            "SessionAuthenticationHelper" | "SessionAuthenticationPolicy" if !is_import => {
                FileFacts::PYRAMID_SESSION_AUTH | FileFacts::PYRAMID_SETS_POLICY
            }
            "RedisStorage" | "MemcachedStorage" if !is_import => FileFacts::AIOHTTP_SERVER,
            "SessionIdentityPolicy" if !is_import => FileFacts::AIOHTTP_SESSION_IDENTITY,
            "CookiesIdentityPolicy" | "JWTIdentityPolicy" if !is_import => {
                FileFacts::AIOHTTP_OTHER_IDENTITY
            }
            "quart_session" if is_import => FileFacts::QUART_SESSION,
            "set_session_factory" if !is_import => FileFacts::PYRAMID_SETS_FACTORY,
            "session_factory" if !is_import && is_keyword_argument(line, end - line_start) => {
                FileFacts::PYRAMID_SETS_FACTORY
            }
            "SignedCookieSessionFactory" | "UnencryptedCookieSessionFactoryConfig"
                if !is_import =>
            {
                FileFacts::PYRAMID_COOKIE_FACTORY
            }
            "EncryptedCookieStorage" | "NaClCookieStorage" | "SimpleCookieStorage"
                if !is_import =>
            {
                FileFacts::AIOHTTP_COOKIE
            }
            // `class RedisLikeStorage(AbstractStorage):`: a storage of the project's own.
            "AbstractStorage"
                if trimmed.starts_with(b"class ")
                    && memchr::memchr(b'(', line).is_some_and(|p| p < at) =>
            {
                FileFacts::AIOHTTP_OWN_STORAGE
            }
            // `class MyInterface(SecureCookieSessionInterface):` or another base.
            "SessionInterface"
                if trimmed.starts_with(b"class ")
                    && memchr::memchr(b'(', line).is_some_and(|p| p < at) =>
            {
                if line[..at].ends_with(b"SecureCookie") {
                    FileFacts::FLASK_COOKIE_INTERFACE
                } else {
                    FileFacts::FLASK_OTHER_INTERFACE
                }
            }
            _ => 0,
        };
    }
    // A wrapper writes into a store the code calls a session (`session`, `Session`): files
    // without the word are not scanned line by line.
    if memchr::memmem::find(src, b"def __setattr__").is_some()
        && (memchr::memmem::find(src, b"ession").is_some()
            || memchr::memmem::find(src, b"ESSION").is_some())
    {
        let names = session_wrappers(src);
        if !names.is_empty() {
            facts |= FileFacts::SESSION_WRAPPER;
            for n in names {
                facts |= wrapper_bits(n);
            }
        }
    }
    // A security policy of the project's own whose `remember()` stores the identity in the
    // session (`request.session["user"] = userid`): Pyramid's `remember()` writes it there,
    // as with `SessionAuthenticationPolicy`.
    if facts & FileFacts::PYRAMID != 0 {
        if sets_policy(src) {
            facts |= FileFacts::PYRAMID_SETS_POLICY;
        }
        match own_policy(src) {
            Some(true) => facts |= FileFacts::PYRAMID_SESSION_AUTH | FileFacts::PYRAMID_SETS_POLICY,
            Some(false) => facts |= FileFacts::PYRAMID_SETS_POLICY,
            None => {}
        }
    }
    if facts & FileFacts::FLASK_OTHER_INTERFACE != 0 {
        let names = rotating_session_methods(src);
        if !names.is_empty() {
            facts |= FileFacts::SESSION_METHOD_ROTATES;
            for n in names {
                facts |= name_bits(n);
            }
        }
    }
    FileFacts(facts)
}

/// Does a Pyramid file set or build an authentication or security policy
/// (`config.set_security_policy(p)`, `set_authentication_policy(p)`,
/// `Configurator(authentication_policy=p)`, `AuthTktAuthenticationPolicy(secret)`,
/// `AuthTktCookieHelper(secret)`, `config.include("pyramid_multiauth")`)? Only code counts:
/// not an import, a comment or a docstring. Searched apart from the facts' automaton (which
/// every file goes through) since only Pyramid files can hold these.
fn sets_policy(src: &[u8]) -> bool {
    const NEEDLES: [&[u8]; 5] = [
        b"authentication_policy",
        b"security_policy",
        b"AuthenticationPolicy",
        b"AuthTkt",
        b"pyramid_multiauth",
    ];
    let mut hits: Vec<(usize, usize)> = NEEDLES
        .iter()
        .enumerate()
        .flat_map(|(n, needle)| memchr::memmem::find_iter(src, needle).map(move |at| (at, n)))
        .collect();
    if hits.is_empty() {
        return false;
    }
    hits.sort_unstable();
    let mut strings = TripleStrings::default();
    hits.into_iter().any(|(start, n)| {
        if strings.inside(src, start) {
            return false;
        }
        let (line_start, line) = line_of(src, start, start);
        let at = start - line_start;
        let end = at + NEEDLES[n].len();
        let trimmed = trim_ascii_start(line);
        if in_comment(line, at) || trimmed.starts_with(b"import ") || trimmed.starts_with(b"from ")
        {
            return false;
        }
        match n {
            // Set by a call or a keyword argument, not read (`registry.authentication_policy`).
            0 | 1 => {
                is_keyword_argument(line, end) || trim_ascii_start(&line[end..]).starts_with(b"(")
            }
            // A policy class built or derived from, other than the session's own (that one
            // is `PYRAMID_SESSION_AUTH`, and sets the policy too).
            // (Not the interface, `IAuthenticationPolicy`, which code looks policies up by.)
            2 => {
                let word = line[..at]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                let prefix = &line[at - word..at];
                prefix != b"I" && !prefix.ends_with(b"Session")
            }
            3 => true,
            // `config.include("pyramid_multiauth")`: its `includeme` sets the policies.
            _ => contains(line, b"include"),
        }
    })
}

/// A security policy of the file's own: does a method `remember(self, request, ...)` (a
/// Pyramid security policy's) exist, and does it write into `request.session` in its body?
/// A line scan: the body is the lines indented deeper than the `def`.
fn own_policy(src: &[u8]) -> Option<bool> {
    let at = memchr::memmem::find(src, b"def remember(self, request")?;
    let text = std::str::from_utf8(src).ok()?;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = at - line_start;
    if !text[line_start..at]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
    {
        return None;
    }
    let writes = text[at..]
        .lines()
        .skip(1)
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .any(|l| {
            let l = l.trim_start();
            l.starts_with("request.session[") && has_assignment(l.as_bytes())
        });
    Some(writes)
}

/// The classes of a file whose `__setattr__(self, key, value)` is one write of `value` under
/// `key` into a store the code calls a session (`self.session[key] = value`,
/// `self._session[key] = value`, `cherrypy.session[key] = value`), by a line scan: the
/// module that uses such a class (handed it by a decorator or an annotation) may be another.
/// The module defining it checks the store itself (`session_wrappers` of the login rule).
pub fn session_wrappers(src: &[u8]) -> Vec<&str> {
    let Ok(text) = std::str::from_utf8(src) else {
        return Vec::new();
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let code = |t: &str| !t.is_empty() && !t.starts_with('#');
    // Only the classes that define `__setattr__` are scanned (a module of docs or tests can
    // mention it among a megabyte of other code).
    let mut found = Vec::new();
    let mut done = 0;
    for at in memchr::memmem::find_iter(src, b"def __setattr__") {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        if at < done || !text[line_start..at].trim().is_empty() {
            continue;
        }
        let def_indent = at - line_start;
        // The enclosing class: the nearest line above that is less indented.
        let mut end = line_start;
        let mut class = None;
        while end > 0 {
            let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
            let line = &text[start..end - 1];
            if code(line.trim_start()) && indent(line) < def_indent {
                if line.trim_start().starts_with("class ") {
                    class = Some((start, indent(line)));
                }
                break;
            }
            end = start;
        }
        let Some((class_start, class_indent)) = class else {
            continue;
        };
        // Its end: the next line of code indented no deeper than the class.
        let mut class_end = text.len();
        let mut pos = line_start;
        for line in text[line_start..].split_inclusive('\n') {
            let t = line.trim_start();
            if code(t.trim_end()) && indent(line) <= class_indent {
                class_end = pos;
                break;
            }
            pos += line.len();
        }
        found.extend(wrappers_in(&text[class_start..class_end]));
        done = class_end;
    }
    found
}

/// A statement that returns a session (`return bottle.request.environ.get("beaker.session")`):
/// the method or property it ends is the store a wrapper writes into.
fn returns_a_session(statement: &str) -> bool {
    statement.starts_with("return ") && statement.contains("session")
}

/// `session_wrappers` over `text`, one class or a whole file.
fn wrappers_in(text: &str) -> Vec<&str> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    // The file's classes: (name, indent, methods as (name, `def` line, body statements)).
    type Method<'s> = (&'s str, &'s str, Vec<&'s str>);
    let mut classes: Vec<(&str, usize, Vec<Method>)> = Vec::new();
    let mut open = false;
    let mut def_indent: Option<usize> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = indent(line);
        if open && classes.last().is_some_and(|(_, c, _)| i <= *c) {
            open = false;
        }
        if let Some(rest) = t.strip_prefix("class ") {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            classes.push((&rest[..end], i, Vec::new()));
            open = true;
            def_indent = None;
            continue;
        }
        let Some((_, _, methods)) = classes.last_mut().filter(|_| open) else {
            continue;
        };
        if def_indent.is_none_or(|d| i <= d) {
            let def = t.strip_prefix("async ").unwrap_or(t).strip_prefix("def ");
            match def {
                Some(def) => {
                    let end = def
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(def.len());
                    methods.push((&def[..end], t, Vec::new()));
                    def_indent = Some(i);
                }
                // A decorator or a class attribute: no method body follows it.
                None => {
                    if !t.starts_with('@') {
                        def_indent = None;
                    }
                }
            }
            continue;
        }
        // Kept: `__setattr__`'s statements, and the `return` of a session that makes a
        // method or property the store (`session_store` below).
        if let Some((m, _, body)) = methods.last_mut() {
            if *m == "__setattr__" || returns_a_session(t) {
                body.push(t);
            }
        }
    }
    let mut found = Vec::new();
    for (name, _, methods) in &classes {
        // A store the code calls a session, or a method or property of the class whose
        // body names one (`return bottle.request.environ.get("beaker.session")`).
        let session_store = |store: &str| {
            if store.to_ascii_lowercase().contains("session") {
                return true;
            }
            let Some(attr) = store.strip_prefix("self.") else {
                return false;
            };
            let attr = attr.strip_suffix("()").unwrap_or(attr);
            methods
                .iter()
                .any(|(m, _, body)| *m == attr && body.iter().any(|l| returns_a_session(l)))
        };
        for (m, def, body) in methods {
            if *m != "__setattr__" {
                continue;
            }
            if forwards_to_session(def, body, &session_store) {
                found.push(*name);
            }
        }
    }
    found
}

/// Is method `def`, with these body statements, `__setattr__(self, key, value)` writing
/// `value` under `key` into a store `session_store` accepts, and nothing else (past a
/// docstring)?
fn forwards_to_session(def: &str, body: &[&str], session_store: &dyn Fn(&str) -> bool) -> bool {
    let Some(params) = def
        .strip_prefix("def __setattr__(")
        .and_then(|p| p.split_once(')'))
        .map(|(p, _)| p)
    else {
        return false;
    };
    let params: Vec<&str> = params
        .split(',')
        .map(|p| p.split(':').next().unwrap_or("").trim())
        .collect();
    let [_, key, value] = params.as_slice() else {
        return false;
    };
    let mut body = body;
    if let Some(first) = body.first() {
        for quote in ["\"\"\"", "'''"] {
            if let Some(rest) = first.strip_prefix(quote) {
                let closes = if rest.contains(quote) {
                    Some(0)
                } else {
                    body.iter()
                        .skip(1)
                        .position(|b| b.contains(quote))
                        .map(|p| p + 1)
                };
                match closes {
                    Some(c) => body = &body[c + 1..],
                    None => return false,
                }
                break;
            }
        }
    }
    let [write] = body else {
        return false;
    };
    let Some((left, right)) = write.split_once('=') else {
        return false;
    };
    let Some(store) = left
        .trim_end()
        .strip_suffix(']')
        .and_then(|l| l.strip_suffix(*key))
        .and_then(|l| l.strip_suffix('['))
    else {
        return false;
    };
    right.trim() == *value
        && !store.is_empty()
        && store
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'(' || b == b')')
        && session_store(store)
}

/// One class of a file, as a line scan sees it.
struct ClassText<'s> {
    name: &'s str,
    bases: &'s str,
    /// (method name, its body's lines).
    methods: Vec<(&'s str, Vec<&'s str>)>,
}

/// The methods of the session classes of a file that defines a session interface of its own
/// (`session_class = ...`, a `SessionMixin`, and the classes of the file they derive from)
/// that rotate the session ID, as the project's interface implements it:
///
/// - the method assigns the session's ID (`self.sid = ...`: `None` too when the interface
///   issues a new one at save time, CTFd's `regenerate()`);
/// - or it sets a flag (`self._refresh_sid = True`) that the interface reads
///   (`getattr(session, "_refresh_sid")`) in a file whose interface assigns a new ID
///   (`session.sid = self.generate_sid()`: indico's `set_session_user()`);
/// - or it calls one of these methods on `self`.
///
/// A line scan, run only on the files defining an interface: one or two in a project.
pub fn rotating_session_methods(src: &[u8]) -> Vec<&str> {
    let Ok(text) = std::str::from_utf8(src) else {
        return Vec::new();
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut classes: Vec<ClassText> = Vec::new();
    // (indent of the class line, indent of its methods' `def`, indent of the current body)
    let mut class_indent: Option<usize> = None;
    let mut def_indent: Option<usize> = None;
    let mut in_method = false;
    let mut session_classes: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = indent(line);
        if let Some(rest) = t.strip_prefix("session_class") {
            if let Some(v) = rest.trim_start().strip_prefix('=') {
                let v = v.trim();
                if !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    session_classes.push(v);
                }
            }
        }
        if class_indent.is_some_and(|c| i <= c) {
            class_indent = None;
            def_indent = None;
            in_method = false;
        }
        if let Some(rest) = t.strip_prefix("class ") {
            let name_end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let bases = rest[name_end..]
                .strip_prefix('(')
                .and_then(|b| b.split_once(')'))
                .map_or("", |(b, _)| b);
            classes.push(ClassText {
                name: &rest[..name_end],
                bases,
                methods: Vec::new(),
            });
            class_indent = Some(i);
            def_indent = None;
            in_method = false;
            continue;
        }
        if class_indent.is_some() {
            let def = t.strip_prefix("async ").unwrap_or(t).strip_prefix("def ");
            if def_indent.is_none_or(|d| i <= d) {
                in_method = false;
                if let Some(def) = def {
                    def_indent = Some(i);
                    let name_end = def
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(def.len());
                    if let Some(c) = classes.last_mut() {
                        c.methods.push((&def[..name_end], Vec::new()));
                    }
                    in_method = true;
                }
                continue;
            }
            if in_method {
                if let Some((_, body)) = classes.last_mut().and_then(|c| c.methods.last_mut()) {
                    body.push(t);
                }
                continue;
            }
        }
    }
    // Which classes are session classes: named by `session_class`, mixing in Flask's
    // `SessionMixin`, and the classes of this file those derive from.
    let mut is_session: Vec<bool> = classes
        .iter()
        .map(|c| session_classes.contains(&c.name) || c.bases.contains("SessionMixin"))
        .collect();
    loop {
        let mut grew = false;
        for k in 0..classes.len() {
            if !is_session[k] {
                continue;
            }
            for (j, other) in classes.iter().enumerate() {
                let base = |b: &str| b.trim().rsplit('.').next() == Some(other.name);
                if !is_session[j] && classes[k].bases.split(',').any(base) {
                    is_session[j] = true;
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    // The interface: the lines of every method not of a session class.
    let interface_lines: Vec<&str> = classes
        .iter()
        .zip(&is_session)
        .filter(|(_, s)| !**s)
        .flat_map(|(c, _)| c.methods.iter().flat_map(|(_, body)| body.iter().copied()))
        .collect();
    // Does the interface assign a new ID (`session.sid = self.generate_sid()`)?
    let mut issues_new_id = false;
    for l in &interface_lines {
        if let Some((left, right)) = l.split_once('=') {
            let right = right.trim();
            if left.trim_end().ends_with(".sid")
                && !left.trim_start().starts_with("self.")
                && !right.starts_with('=')
                && right != "None"
                && !right.is_empty()
            {
                issues_new_id = true;
            }
        }
    }
    // The ID's attribute, public or private (`self.sid`, `self._sid`, `self._session_id`).
    const ID_ATTRS: [&str; 4] = ["sid", "session_id", "_sid", "_session_id"];
    let reads = |flag: &str| {
        interface_lines.iter().any(|l| {
            [
                format!("'{flag}'"),
                format!("\"{flag}\""),
                format!(".{flag}"),
            ]
            .iter()
            .any(|p| l.contains(p.as_str()))
        })
    };
    let assigned = |body: &[&str], attr: &str| -> Option<String> {
        body.iter().find_map(|l| {
            let rest = l.strip_prefix("self.")?.strip_prefix(attr)?;
            let value = rest.trim_start().strip_prefix('=')?;
            (!value.starts_with('=')).then(|| value.trim().to_string())
        })
    };
    let mut rotating: Vec<&str> = Vec::new();
    let methods: Vec<(&str, &Vec<&str>)> = classes
        .iter()
        .zip(&is_session)
        .filter(|(_, s)| **s)
        .flat_map(|(c, _)| c.methods.iter().map(|(n, b)| (*n, b)))
        .collect();
    // A session class that issues its own ID where it has none (`if self._sid is None:
    // self._sid = gen_sid()` in its `save()`): that method only fills in a missing ID, and
    // setting the ID to `None` elsewhere has the next save issue a new one.
    let fills_in = |body: &[&str]| {
        body.iter().any(|l| {
            l.starts_with("if ")
                && l.contains(" is None")
                && ID_ATTRS
                    .iter()
                    .any(|a| l.contains(&format!("self.{a} is None")))
        })
    };
    for (name, body) in &methods {
        if *name != "__init__"
            && fills_in(body)
            && ID_ATTRS
                .iter()
                .any(|a| assigned(body, a).is_some_and(|v| v != "None"))
        {
            issues_new_id = true;
        }
    }
    for (name, body) in &methods {
        if *name == "__init__" || fills_in(body) {
            continue;
        }
        let sid = ID_ATTRS.iter().find_map(|a| assigned(body, a));
        let new_id = sid.is_some_and(|v| v != "None" || issues_new_id);
        let flag = issues_new_id
            && body.iter().any(|l| {
                l.strip_prefix("self.").is_some_and(|rest| {
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    let (attr, after) = rest.split_at(end);
                    after
                        .trim_start()
                        .strip_prefix('=')
                        .is_some_and(|v| !v.starts_with('=') && v.trim() == "True")
                        && !matches!(attr, "modified" | "new" | "permanent" | "accessed")
                        && reads(attr)
                })
            });
        if new_id || flag {
            rotating.push(name);
        }
    }
    // A method calling a rotating one on `self` rotates too.
    loop {
        let before = rotating.len();
        for (name, body) in &methods {
            if rotating.contains(name) || *name == "__init__" {
                continue;
            }
            let calls = |r: &&str| body.iter().any(|l| l.contains(&format!("self.{r}(")));
            if rotating.iter().any(calls) {
                rotating.push(name);
            }
        }
        if rotating.len() == before {
            break;
        }
    }
    rotating
}

/// Whether offsets of a text lie inside a triple-quoted string, for offsets asked in
/// increasing order: the `"""` and `\'\'\'` before each one are counted once (an odd count of
/// one kind, the other kind closed, is inside). Quotes in comments or inside the other kind
/// of string are rare enough in real files to be counted as they come.
#[derive(Default)]
struct TripleStrings {
    at: usize,
    open: Option<u8>,
}

impl TripleStrings {
    fn inside(&mut self, src: &[u8], offset: usize) -> bool {
        while self.at + 3 <= offset {
            let rest = &src[self.at..offset];
            let Some(i) = memchr::memchr2(b'"', b'\'', rest) else {
                self.at = offset;
                break;
            };
            let q = rest[i];
            let triple = rest.get(i..i + 3) == Some(&[q, q, q][..]);
            match (triple, self.open) {
                (true, None) => self.open = Some(q),
                (true, Some(o)) if o == q => self.open = None,
                _ => {}
            }
            self.at += i + if triple { 3 } else { 1 };
        }
        self.open.is_some()
    }
}

fn trim_ascii_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// Is the name at byte `at` of an import line the module imported (`from NAME ...`,
/// `import NAME`, `import a, NAME`), not a name it binds (`... as NAME`, `from m import
/// NAME`)?
fn imports_module(line: &[u8], at: usize) -> bool {
    let before = line[..at].trim_ascii_end();
    let trimmed = trim_ascii_start(line);
    before.ends_with(b"from")
        || before.ends_with(b"import") && trimmed.starts_with(b"import ")
        || before.ends_with(b",") && trimmed.starts_with(b"import ")
}

fn has_assignment(line: &[u8]) -> bool {
    line.windows(2).any(|w| w[0] == b'=' && w[1] != b'=')
        || line.ends_with(b"=")
        || contains(line, b"SESSION_TYPE\":")
        || contains(line, b"SESSION_TYPE':")
        || contains(line, b"SESSION_TYPE=")
}

fn is_interface_assignment(line: &[u8], at: usize) -> bool {
    let rest = trim_ascii_start(&line[at + "session_interface".len()..]);
    rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=')
}

/// Is byte `at` of `line` inside a `#` comment (outside string quotes)?
fn in_comment(line: &[u8], at: usize) -> bool {
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < at {
        let b = line[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'#' => return true,
                b'"' | b'\'' => quote = Some(b),
                _ => {}
            },
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_interfaces_of_the_projects_own() {
        let cookie = file_facts(
            b"class OctoSessionInterface(flask.sessions.SecureCookieSessionInterface):\n    pass\napp.session_interface = OctoSessionInterface()\n",
        );
        let mut p = ProjectFacts::default();
        p.add(cookie);
        assert_eq!(p.backend(Framework::Flask), Backend::FlaskCookie);
        p.add(file_facts(
            b"class RedisInterface(SessionInterface):\n    pass\n",
        ));
        assert_eq!(p.backend(Framework::Flask), Backend::FlaskCustom);
        let mut q = ProjectFacts::default();
        q.add(file_facts(b"app.session_interface = Server()\n"));
        assert_eq!(q.backend(Framework::Flask), Backend::FlaskCustom);
    }

    #[test]
    fn session_wrapper_classes_by_their_setattr() {
        // A store the code calls a session, or a property whose body returns one.
        let src = b"import bottle\n\nclass Box(object):\n    @property\n    def store(self):\n        return bottle.request.environ.get('beaker.session')\n\n    def __setattr__(self, key, value):\n        \"\"\"Keys go to the session.\"\"\"\n        self.store[key] = value\n\n\nclass Direct:\n    def __setattr__(self, k, v):\n        self._session[k] = v\n\n\nclass Plain:\n    def __setattr__(self, key, value):\n        object.__setattr__(self, key, value)\n\n\nclass Logged:\n    def __setattr__(self, key, value):\n        log(key)\n        self.session[key] = value\n\n\nclass Cache:\n    def __setattr__(self, key, value):\n        self.data[key] = value\n";
        assert_eq!(session_wrappers(src), vec!["Box", "Direct"]);
        // The same with Windows line endings.
        let crlf = String::from_utf8_lossy(src).replace('\n', "\r\n");
        assert_eq!(session_wrappers(crlf.as_bytes()), vec!["Box", "Direct"]);
        let facts = ProjectFacts(file_facts(src));
        assert!(facts.has(FileFacts::SESSION_WRAPPER));
        assert!(facts.session_wrapper("Box") && facts.session_wrapper("Direct"));
        // Apart from the rotating methods' names: the same word is not a rotating method.
        assert!(!facts.rotating_session_method("Box"));
        assert!(!ProjectFacts(file_facts(b"class Plain:\n    def __setattr__(self, key, value):\n        object.__setattr__(self, key, value)\n")).has(FileFacts::SESSION_WRAPPER));
    }

    #[test]
    fn session_class_methods_that_rotate_as_the_interface_implements_it() {
        // A flag the interface reads at save time, where it issues a new ID.
        let flag = b"class Sess(CallbackDict, SessionMixin):\n    def log_in(self, user):\n        self['uid'] = user.id\n        self._renew = True\n\n    def remember(self):\n        self.touched = True\n\n    def sign_in(self, user):\n        self.log_in(user)\n\n\nclass Store(SessionInterface):\n    session_class = Sess\n\n    def save_session(self, app, session, response):\n        if getattr(session, '_renew', False):\n            session.sid = self.new_id()\n";
        assert_eq!(rotating_session_methods(flag), vec!["log_in", "sign_in"]);
        let facts = file_facts(flag);
        assert!(facts.has(FileFacts::SESSION_METHOD_ROTATES));
        let p = ProjectFacts(facts);
        assert!(p.rotating_session_method("log_in") && p.rotating_session_method("sign_in"));
        // The same flag, where the interface never issues a new ID: nothing rotates.
        let never = String::from_utf8_lossy(flag).replace("session.sid = self.new_id()", "pass");
        assert!(rotating_session_methods(never.as_bytes()).is_empty());
        // `self.sid = None` for the interface to fill in, or a new ID assigned outright; a
        // `regenerate()` that only marks the session modified keeps the ID.
        let sid = b"class Sess(dict, SessionMixin):\n    def regenerate(self):\n        store.delete(self.sid)\n        self.sid = None\n\n    def renew(self):\n        self.modified = True\n\nclass Iface(SessionInterface):\n    def save_session(self, app, session, response):\n        if session.sid is None:\n            session.sid = make_id()\n";
        assert_eq!(rotating_session_methods(sid), vec!["regenerate"]);
        // A session class that issues its own ID at save time where it has none (a private
        // attribute): `regenerate()` setting it to `None` rotates; `save()` fills in only
        // a missing one and is no rotation; `destroy()` calling `regenerate()` rotates too.
        let own = b"class Sess(CallbackDict, SessionMixin):\n    def regenerate(self):\n        self.delete()\n        self._sid = None\n\n    def destroy(self):\n        self.regenerate()\n\n    def touch(self):\n        self.modified = True\n\n    def save(self):\n        if self._sid is None:\n            self._sid = self.app.config.gen_sid()\n        store.put(self._sid, dict(self))\n\nclass Iface(SessionInterface):\n    def save_session(self, app, session, response):\n        session.save()\n";
        assert_eq!(rotating_session_methods(own), vec!["regenerate", "destroy"]);
        // Without the save that issues an ID, `self._sid = None` only drops it.
        let dropped =
            String::from_utf8_lossy(own).replace("self._sid = self.app.config.gen_sid()", "pass");
        assert!(rotating_session_methods(dropped.as_bytes()).is_empty());
    }

    #[test]
    fn each_application_has_its_own_identity_policy() {
        let mut local = LocalFacts::default();
        let session = file_facts(b"setup(app, SessionIdentityPolicy(), policy)\n");
        let cookie = file_facts(b"setup(app, CookiesIdentityPolicy(), policy)\n");
        local.note("demos/blog/blog/main.py", session);
        local.note("demos/twit/twit/main.py", cookie);
        local.note("demos/twit/twit/views.py", file_facts(b"x = 1\n"));
        let mut all = ProjectFacts::default();
        all.add(session);
        all.add(cookie);
        let id = FileFacts::AIOHTTP_SESSION_IDENTITY;
        assert!(local.facts_for(all, "demos/blog/blog/views.py").has(id));
        assert!(!local.facts_for(all, "demos/twit/twit/views.py").has(id));
        assert!(!local.facts_for(all, "demos/twit/twit/sub/views.py").has(id));
        // No application of its own: the union.
        assert!(local.facts_for(all, "demos/other/app.py").has(id));
        assert!(local.facts_for(all, "setup.py").has(id));
        // A directory whose name only starts like another's holds none of its files.
        let mut near = LocalFacts::default();
        near.note("apps/shopping/main.py", cookie);
        near.note("apps/blog/main.py", session);
        assert!(near.facts_for(all, "apps/shop/views.py").has(id));
    }

    #[test]
    fn setups_shown_in_docstrings_are_not_facts() {
        let src = b"def f():\n    \"\"\"Use it like this::\n\n        app.session_interface = MySessionInterface()\n        SESSION_TYPE = 'redis'\n    \"\"\"\n    return 1\nx = '''a'''\n";
        assert_eq!(file_facts(src), FileFacts::default());
        let after = b"'''doc'''\napp.session_interface = Mine()\n";
        assert!(file_facts(after).has(FileFacts::FLASK_CUSTOM_INTERFACE));
    }

    #[test]
    fn substring_search_picks_the_automatons_matches() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize % n
        };
        // Pieces that make patterns overlap, nest and run into each other.
        let pieces = [
            "pyramid",
            "_",
            "beaker",
            "pyramid_session_redis",
            "redis",
            "_sessions",
            "star",
            "sessions",
            "starsessions",
            "s",
            "flask",
            "_kv",
            "session",
            "flask_session",
            "SESSION_",
            "TYPE",
            "ENGINE",
            "Session",
            "Authentication",
            "Helper",
            "Policy",
            "django",
            "fast",
            "api",
            "quart_",
            " ",
            "\n",
            "import ",
            "# ",
            "=",
        ];
        let automaton = |src: &[u8]| -> Vec<(usize, usize, usize)> {
            matcher()
                .find_iter(src)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect()
        };
        let mut found = 0;
        for _ in 0..3000 {
            let text: String = (0..next(24)).map(|_| pieces[next(pieces.len())]).collect();
            let by = by_substrings(text.as_bytes());
            assert_eq!(by, automaton(text.as_bytes()), "{text:?}");
            found += by.len();
        }
        assert!(found > 3000, "the texts hold matches ({found})");
        // A pattern that overlaps itself ("starsessions" ends as it starts): its occurrence
        // inside a longer match is not taken, the one overlapping that occurrence is.
        let t = b"pyramid_redis_sessionstarsessionstarsessions";
        assert_eq!(by_substrings(t), automaton(t));
        assert_eq!(by_substrings(t).len(), 2);
    }

    #[test]
    fn stores_without_a_default_are_the_applications_when_none_is_built() {
        let backend = |src: &[u8], fw| {
            let mut p = ProjectFacts::default();
            p.add(file_facts(src));
            p.backend(fw)
        };
        let aio = Framework::Aiohttp;
        assert_eq!(
            backend(b"from aiohttp_session import get_session\n", aio),
            Backend::AiohttpUnset
        );
        assert_eq!(
            backend(b"setup(app, EncryptedCookieStorage(key))\n", aio),
            Backend::AiohttpCookie
        );
        assert_eq!(
            backend(b"setup(app, RedisStorage(pool))\n", aio),
            Backend::AiohttpServer
        );
        assert_eq!(
            backend(b"class DbStorage(AbstractStorage):\n    pass\n", aio),
            Backend::AiohttpServer
        );
        let pyr = Framework::Pyramid;
        assert_eq!(
            backend(b"from pyramid.security import forget\n", pyr),
            Backend::PyramidUnset
        );
        assert_eq!(
            backend(
                b"config.set_session_factory(SignedCookieSessionFactory('s'))\n",
                pyr
            ),
            Backend::PyramidCookie
        );
        assert_eq!(
            backend(b"config.include('pyramid_beaker')\n", pyr),
            Backend::PyramidServer
        );
        assert_eq!(
            backend(b"x = 'pyramid_beaker'\n", pyr),
            Backend::PyramidUnset
        );
        // pyramid_beaker's cache regions are no session store; its factory is.
        let cache_only = b"from pyramid_beaker import set_cache_regions_from_settings\nfactory = SignedCookieSessionFactory('s')\n";
        assert_eq!(backend(cache_only, pyr), Backend::PyramidCookie);
        assert_eq!(
            backend(
                b"from pyramid_beaker import session_factory_from_settings\n",
                pyr
            ),
            Backend::PyramidServer
        );
    }

    #[test]
    fn pyramid_policies_set_by_the_project() {
        // Only a file of a Pyramid application (it imports pyramid) is searched for these.
        let pyramid =
            |src: &[u8]| [&b"from pyramid.config import Configurator\n"[..], src].concat();
        let sets = |src: &[u8]| file_facts(&pyramid(src)).has(FileFacts::PYRAMID_SETS_POLICY);
        let session = |src: &[u8]| file_facts(&pyramid(src)).has(FileFacts::PYRAMID_SESSION_AUTH);
        assert!(!file_facts(b"config.set_security_policy(MyPolicy())\n")
            .has(FileFacts::PYRAMID_SETS_POLICY));
        // Set, by a call or a keyword, or a policy class built.
        assert!(sets(b"config.set_security_policy(MyPolicy())\n"));
        assert!(sets(b"config.set_authentication_policy(p)\n"));
        assert!(sets(b"config.set_jwt_authentication_policy(secret)\n"));
        assert!(sets(
            b"config = Configurator(settings=s, authentication_policy=p)\n"
        ));
        assert!(sets(b"policy = AuthTktAuthenticationPolicy(secret)\n"));
        assert!(sets(b"helper = AuthTktCookieHelper(secret)\n"));
        assert!(sets(
            b"class Policy(CallbackAuthenticationPolicy):\n    pass\n"
        ));
        assert!(sets(b"config.include('pyramid_multiauth')\n"));
        // A session-based policy is set too, and stores the identity in the session.
        let helper = b"helper = SessionAuthenticationHelper()\n";
        assert!(sets(helper) && session(helper));
        // A security policy class of the project's own: its `remember()` decides.
        let own = b"class Policy:\n    def remember(self, request, userid, **kw):\n        return self.helper.remember(request, userid)\n";
        assert!(sets(own) && !session(own));
        let own_session = b"class Policy:\n    def remember(self, request, userid, **kw):\n        request.session['uid'] = userid\n        return []\n";
        assert!(sets(own_session) && session(own_session));
        // Not set: imported, read, mentioned in a comment or a docstring.
        assert!(!sets(
            b"from pyramid.authentication import AuthTktAuthenticationPolicy\n"
        ));
        assert!(!sets(
            b"policy = registry.queryUtility(IAuthenticationPolicy)\n"
        ));
        assert!(!sets(b"p = request.registry.authentication_policy\n"));
        assert!(!sets(b"# config.set_security_policy(MyPolicy())\n"));
        assert!(!sets(
            b"def f():\n    \"\"\"config.set_security_policy(p)\"\"\"\n"
        ));
        assert!(!sets(b"from pyramid.security import remember, forget\n"));
    }

    #[test]
    fn detects_backends_from_code_only() {
        assert!(
            file_facts(b"from flask_session import Session\nSession(app)\n")
                .has(FileFacts::FLASK_SESSION)
        );
        assert!(file_facts(b"app.config['SESSION_TYPE'] = 'redis'\n").has(FileFacts::FLASK_SESSION));
        assert!(file_facts(b"SESSION_TYPE = 'filesystem'\n").has(FileFacts::FLASK_SESSION));
        assert!(!file_facts(b"# SESSION_TYPE = 'redis'\n").has(FileFacts::FLASK_SESSION));
        assert!(!file_facts(b"x = 1  # from flask_session import Session\n")
            .has(FileFacts::FLASK_SESSION));
        // Flask's own session under an alias is not the Flask-Session package.
        assert!(!file_facts(b"from flask import session as flask_session\n")
            .has(FileFacts::FLASK_SESSION));
        assert!(file_facts(b"import flask_session\n").has(FileFacts::FLASK_SESSION));
        assert!(file_facts(b"import os, flask_session\n").has(FileFacts::FLASK_SESSION));
        assert!(
            file_facts(b"from flask_session.redis import RedisSessionInterface\n")
                .has(FileFacts::FLASK_SESSION)
        );
        assert!(file_facts(
            b"SESSION_ENGINE = 'django.contrib.sessions.backends.signed_cookies'\n"
        )
        .has(FileFacts::DJANGO_SIGNED_COOKIES));
        assert!(file_facts(b"app.session_interface = RedisInterface()\n")
            .has(FileFacts::FLASK_CUSTOM_INTERFACE));
        assert!(!file_facts(b"app.session_interface.regenerate(session)\n")
            .has(FileFacts::FLASK_CUSTOM_INTERFACE));
        assert!(file_facts(b"from django.shortcuts import render\n").has(FileFacts::DJANGO));
    }
}
