//! The scan's pre-filter: a file is parsed only if its bytes can hold something a rule needs.
//!
//! Every event a rule acts on comes from text the file itself contains: a session object or
//! session setting (`session`, case-insensitive: `request.session`, `SessionStore`,
//! `SESSION_COOKIE_SECURE`, `get_session`, `beaker.session`), a login or logout helper
//! (`login_user`, `logout_user`, `remember`, `forget`: whole words, as code spells them, or
//! their local names when an import renames them), a session ID (`.sid`), a cookie
//! (`set_cookie`), a configured identity writer or regeneration function, or a production
//! settings marker (`DEBUG` in a `prod` file or `Prod` class) - with one exception: a call to
//! a project helper in another module whose summary leaves identity written. Such a helper's
//! own file passes the filter (its write needs one of those words), so the filter runs in two
//! steps: the files that pass by their text, then the files that call a top-level function of
//! a passing file by name (`name(`), since that function may be such a helper.
//!
//! A word is not enough, though: `session` is common (an SSL session, a database session).
//! The session events of SID001-SID003 come only from names the analysis resolves through a
//! framework: an import (or the file's own path, for a vendored framework) spelling one of
//! [`FRAMEWORKS`], project facts that make any `request.session` a framework's (a Django,
//! Starlette or Pyramid project), configured identity writers or regeneration functions, or
//! a call to a project helper whose summary writes identity. A file with none of those can
//! still hold SID004 (a session ID taken from the request), whose source is always spelled
//! `request.`/`req.` in the function: so there a definition counts only if it also holds
//! `req` ([`events_possible`], [`relevant`]).
//!
//! Files that fail both steps cannot produce a finding: a test checks that `scan` reports
//! exactly the same with the filter on and off (`--no-prefilter`).

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::config::Config;
use crate::project::{FileFacts, ProjectFacts};
use crate::python::file::Prepared;
use crate::python::imports::ModuleScope;
use crate::words::{is_word_byte, whole_word, word_matcher, Words};

/// Filter words in any case (`SessionStore`, `SESSION_COOKIE_NAME`, `request.session`), and
/// the one library whose session write is named for something else: django-otp's
/// `login(request, device)` (imported as it is, or renamed: [`renamed_imports`]).
const NEEDLES: &[&str] = &["session", "set_cookie", ".sid", "django_otp"];

/// Filter words that are framework functions' own names: code spells them exactly, as whole
/// words (`login_user(`, `security.remember(`), or renames them on import (followed through
/// [`renamed_imports`]); "Remember, ..." in a comment is not one.
const NAMES: &[&str] = &["login_user", "logout_user", "remember", "forget"];

/// The whole-word matches of a [`word_matcher`] in `text`.
fn whole_words<'t>(
    m: &'t AhoCorasick,
    text: &'t [u8],
) -> impl Iterator<Item = aho_corasick::Match> + 't {
    m.find_iter(text)
        .filter(move |hit| whole_word(text, hit.start(), hit.end()))
}

/// Where [`NAMES`] occur in `text` as whole words, name by name. A SIMD substring search per
/// name: for these few names several times faster than one automaton, whose prefilter finds
/// only two rare bytes in them. `remember` and `forget` count only in a file that can reach
/// the frameworks that define them (see [`reaches_remember`]): elsewhere they are English
/// ("Did you forget to register this tag?"). `reaches`: does the file reach them (asked at
/// most once, and only when one of the two is found)?
fn names_in(text: &[u8], reaches: &dyn Fn() -> bool) -> Vec<(usize, usize)> {
    static FINDERS: OnceLock<Vec<memchr::memmem::Finder<'static>>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        NAMES
            .iter()
            .map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned())
            .collect()
    });
    let mut out = Vec::new();
    let mut reached: Option<bool> = None;
    for (name, f) in NAMES.iter().zip(finders) {
        let n = name.len();
        for at in f.find_iter(text) {
            if !whole_word(text, at, at + n) {
                continue;
            }
            if matches!(*name, "remember" | "forget") && !*reached.get_or_insert_with(reaches) {
                break;
            }
            out.push((at, at + n));
        }
    }
    out
}

/// Can `remember`/`forget` in this file be Pyramid's or aiohttp-security's? Only through an
/// import that spells the framework's module (`from pyramid.security import remember`,
/// `import aiohttp_security`) or, in a vendored copy, through the file's own path
/// (`vendor/pyramid/views.py` importing `.security`): the knowledge tables name them
/// `pyramid.security.*` and `aiohttp_security.*`, nothing else resolves to them.
pub fn reaches_remember(text: &[u8], path: &str) -> bool {
    const DEFINERS: &[&str] = &["pyramid", "aiohttp_security"];
    DEFINERS.iter().any(|d| {
        let has = |hay: &[u8]| {
            memchr::memmem::find_iter(hay, d.as_bytes()).any(|at| whole_word(hay, at, at + d.len()))
        };
        has(text) || has(path.as_bytes())
    })
}

/// Where [`NEEDLES`] occur in `text`, in any ASCII case, as (start, end), needle by needle.
/// `found` returns true to stop. The text is lowered into a per-thread buffer by setting bit
/// 0x20 of every byte (letters become lower case; other bytes may change, so every candidate
/// is checked against the text itself), then each needle is a plain SIMD substring search:
/// many times faster than a case-insensitive automaton.
fn needles_in(text: &[u8], mut found: impl FnMut(usize, usize) -> bool) -> bool {
    thread_local! {
        static LOWERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    static FINDERS: OnceLock<Vec<memchr::memmem::Finder<'static>>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        NEEDLES
            .iter()
            .map(|n| {
                let lowered: Vec<u8> = n.bytes().map(|b| b | 0x20).collect();
                memchr::memmem::Finder::new(&lowered).into_owned()
            })
            .collect()
    });
    LOWERED.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        buf.extend(text.iter().map(|b| b | 0x20));
        for (needle, finder) in NEEDLES.iter().zip(finders) {
            for at in finder.find_iter(&buf) {
                let end = at + needle.len();
                if text[at..end].eq_ignore_ascii_case(needle.as_bytes()) && found(at, end) {
                    return true;
                }
            }
        }
        false
    })
}

/// Roots of every module whose names the analysis resolves to a session, a login or a logout
/// (`flask.session`, `flask_login.login_user`, `aiohttp_session.new_session`,
/// `pyramid.security.remember`, `django.contrib.auth.login`...), and Beaker's
/// `beaker.session` key. An import spells its root as a whole word (case and all), and so
/// does a vendored copy's path; a test holds every qualified path of the knowledge tables
/// to this list.
pub const FRAMEWORKS: &[&str] = &[
    "aiohttp",
    "aiohttp_security",
    "aiohttp_session",
    "allauth",
    "beaker",
    "bottle",
    "cherrypy",
    "django",
    "fastapi",
    "flask",
    "flask_kvsession",
    "flask_login",
    "flask_security",
    "flask_session",
    "pylons",
    "pyramid",
    "quart",
    "quart_auth",
    "quart_session",
    "social_django",
    "starlette",
    "starsessions",
];

/// Does `text` hold one of [`FRAMEWORKS`] as a whole word?
fn names_a_framework(text: &[u8]) -> bool {
    static M: OnceLock<Words> = OnceLock::new();
    M.get_or_init(|| Words::new(FRAMEWORKS, false))
        .any(text, |start, end| whole_word(text, start, end))
}

/// Can a session event (SID001-SID003) arise in this file? See the module documentation.
/// `writers`: the file calls project helpers whose summaries write identity.
pub fn events_possible(
    path: &str,
    text: &[u8],
    facts: ProjectFacts,
    config: &Config,
    writers: bool,
) -> bool {
    let s = &config.settings;
    writers
        || !s.identity_writers.is_empty()
        || !s.regeneration_functions.is_empty()
        || facts.is_django()
        || facts.has(FileFacts::STARLETTE)
        || facts.has(FileFacts::PYRAMID)
        || names_a_framework(path.as_bytes())
        || names_a_framework(text)
        // TurboGears' Beaker session (`from tg import session`): a root too short to look for
        // as a word in every file.
        || memchr::memmem::find(text, b"from tg import").is_some()
        // A Flask project's helper handed the session by its caller (`def save(session,
        // user): session["user_id"] = ...`), in a module that imports no framework.
        || (facts.has(FileFacts::FLASK) && memchr::memmem::find(text, b"session[").is_some())
        // A star import of a project module (`from .core import *`) can bind the
        // framework's names (`get_session`) without the module naming the framework: where
        // the module uses a session by them (a key written or read, aiohttp's getter).
        || (memchr::memmem::find(text, b"import *").is_some()
            && (memchr::memmem::find(text, b"session[").is_some()
                || memchr::memmem::find(text, b"get_session(").is_some()))
}

/// The word every SID004 source holds (`request.args`, `req.query`, `self.request.GET`).
const REQUEST: &[u8] = b"req";

/// Can a function's text log someone in itself: a login primitive called (`login_user`,
/// `remember`), a session key assigned (`session["uid"] = ...`), or a configured identity
/// writer? The start of a chain of helpers (`prefiltered`), narrower than
/// [`body_may_matter`], which keeps any mention of a session.
pub fn body_may_log_in(text: &[u8], reaches: &dyn Fn() -> bool, config: &Config) -> bool {
    !names_in(text, reaches).is_empty()
        || memchr::memmem::find(text, b"session[").is_some()
        || names_a_configured(text, &config.settings.identity_writers)
}

/// Does the text hold the last segment of one of the configured dotted names
/// (`myapp.auth.sign_in` -> `sign_in`)? Configured names are called under their own name or
/// through their module, so the last segment is in every call.
fn names_a_configured<'a>(text: &[u8], names: impl IntoIterator<Item = &'a String>) -> bool {
    names
        .into_iter()
        .map(|n| n.rsplit('.').next().unwrap_or(n))
        .any(|n| !n.is_empty() && memchr::memmem::find(text, n.as_bytes()).is_some())
}

/// Can a function's text hold a session write, removal or ID (the events a finding needs)?
/// `reaches`: the file can reach `remember`/`forget` (see [`names_in`]).
pub fn body_may_matter(text: &[u8], reaches: &dyn Fn() -> bool, config: &Config) -> bool {
    if needles_in(text, |_, _| true) || !names_in(text, reaches).is_empty() {
        return true;
    }
    let s = &config.settings;
    names_a_configured(
        text,
        s.identity_writers.iter().chain(&s.regeneration_functions),
    )
}

/// Can a file's text hold a session write, removal or ID: [`body_may_matter`] over the whole
/// file, whose `remember`/`forget` count where the file can reach them ([`reaches_remember`]).
pub fn file_may_matter(path: &str, text: &[u8], config: &Config) -> bool {
    body_may_matter(text, &|| reaches_remember(text, path), config)
}

/// Does the file's text (or path) hold something a rule reads?
pub fn passes(path: &str, text: &[u8], facts: ProjectFacts, config: &Config) -> bool {
    use crate::rules::cookie_settings as cookies;
    let matters = file_may_matter(path, text, config);
    if matters
        && (events_possible(path, text, facts, config, false)
            || memchr::memmem::find(text, REQUEST).is_some())
    {
        return true;
    }
    // Cookie settings. A text without a filter word can only hold the triggers without one
    // (`RedisStorage`...): one pass looks for those and for `DEBUG` together.
    let found = |t: &&str| memchr::memmem::find(text, t.as_bytes()).is_some();
    if matters {
        return cookies::TRIGGERS.iter().any(found)
            || (found(&"DEBUG")
                && cookies::may_be_production(path, &String::from_utf8_lossy(text)));
    }
    static REST: OnceLock<(AhoCorasick, usize)> = OnceLock::new();
    let (rest, debug) = REST.get_or_init(|| {
        let mut pats: Vec<&str> = cookies::TRIGGERS
            .iter()
            .copied()
            .filter(|t| !body_may_matter(t.as_bytes(), &|| true, &Config::default()))
            .collect();
        pats.push("DEBUG");
        let debug = pats.len() - 1;
        // Leftmost-first lets the SIMD searcher run; no two patterns overlap, so no match
        // hides another.
        let ac = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(pats)
            .expect("static patterns");
        (ac, debug)
    });
    let mut production = false;
    for m in rest.find_iter(text) {
        if m.pattern().as_usize() != *debug {
            return true;
        }
        production = true;
    }
    production && cookies::may_be_production(path, &String::from_utf8_lossy(text))
}

/// Matches calls `name(` to helpers, or imports renaming them (`name as other`), in files
/// that can import them: files that name the helper's module as a word (an import of
/// `app/auth_helpers.py` spells `auth_helpers`; of `app/auth/__init__.py`, `auth`) or that
/// import relatively (`from . import name` spells no module at all).
pub struct Calls {
    matcher: Option<AhoCorasick>,
    /// Per pattern: the modules (ids) its helpers live in, if it is a helper's name.
    helpers: Vec<Vec<usize>>,
    /// Per pattern: the module (id) it names, if it is a module's name.
    module: Vec<Option<usize>>,
    /// Per module: it cannot be spelled as one word (never looked for: always counts).
    unspellable: Vec<bool>,
}

/// A Python identifier in ASCII (the only names this matcher looks for).
fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

impl Calls {
    /// `helpers`: (file path, function name) pairs; an empty path for a method, which a
    /// caller may reach without naming its module.
    pub fn new(helpers: impl IntoIterator<Item = (String, String)>) -> Calls {
        use std::collections::BTreeMap;
        let mut modules: BTreeMap<String, usize> = BTreeMap::new();
        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (path, name) in helpers {
            let stem = path.trim_end_matches(".py");
            let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
            let module = stem.rsplit('/').next().unwrap_or(stem).to_string();
            let next = modules.len();
            let id = *modules.entry(module).or_insert(next);
            by_name.entry(name).or_default().push(id);
        }
        let mut unspellable = vec![false; modules.len()];
        // One pattern per distinct word: helper names, module names, and `from`.
        let mut words: BTreeMap<String, (Vec<usize>, Option<usize>)> = BTreeMap::new();
        for (name, ids) in by_name {
            if is_word(&name) {
                words.entry(name).or_default().0 = ids;
            }
        }
        if words.is_empty() {
            return Calls {
                matcher: None,
                helpers: Vec::new(),
                module: Vec::new(),
                unspellable,
            };
        }
        for (module, id) in modules {
            if is_word(&module) {
                words.entry(module).or_default().1 = Some(id);
            } else {
                unspellable[id] = true;
            }
        }
        words.entry("from".into()).or_default();
        let matcher = word_matcher(words.keys(), false);
        let (helpers, module) = words.into_values().unzip();
        Calls {
            matcher,
            helpers,
            module,
            unspellable,
        }
    }

    pub fn any_in(&self, text: &[u8]) -> bool {
        let Some(m) = &self.matcher else {
            return false;
        };
        let mut mentioned = self.unspellable.clone();
        let mut relative = false;
        let mut called: Vec<usize> = Vec::new();
        for hit in whole_words(m, text) {
            let p = hit.pattern().as_usize();
            let rest = &text[hit.end()..];
            let rest = &rest[rest
                .iter()
                .take_while(|b| matches!(**b, b' ' | b'\t' | b'\n' | b'\r' | b'\\'))
                .count()..];
            if let Some(id) = self.module[p] {
                mentioned[id] = true;
            }
            if self.helpers[p].is_empty() && self.module[p].is_none() {
                // `from .` / `from ..`: a relative import.
                relative |= rest.first() == Some(&b'.');
                continue;
            }
            let call = rest.first() == Some(&b'(');
            let renamed = rest.starts_with(b"as") && !rest.get(2).is_some_and(|b| is_word_byte(*b));
            if (call || renamed) && !self.helpers[p].is_empty() && !called.contains(&p) {
                called.push(p);
            }
        }
        called
            .iter()
            .any(|p| relative || self.helpers[*p].iter().any(|id| mentioned[*id]))
    }
}

/// Which outline entries can produce a function finding: every finding needs a session
/// write, removal or ID, which needs one of the filter's words in the entry's own text, in a
/// function of this file it calls (followed to a fixed point: a helper may write through a
/// local helper), or a call to one of `writers` (`name(`: helpers from other modules whose
/// summaries leave identity written). Entries without any are not analysed: their events
/// could only be authentication or rotation, which alone never make a finding.
/// `events`: [`events_possible`] for the file; when false only SID004 can fire, so an entry
/// counts only if its own text also holds `req`, and callers are not followed.
pub fn relevant(
    path: &str,
    text: &str,
    outline: &crate::python::outline::Outline,
    module: &ModuleScope,
    writers: &[String],
    config: &Config,
    events: bool,
) -> Vec<bool> {
    use crate::python::outline::DefKind;
    let defs = &outline.defs;
    let mut keep = vec![false; defs.len()];
    if defs.is_empty() {
        return keep;
    }
    let bytes = text.as_bytes();
    // A few passes over the file: every match marks the innermost definition holding it and
    // that definition's ancestors (whose bodies hold it too).
    let innermost = |a: usize, b: usize| -> Option<usize> {
        let mut j = defs.partition_point(|d| d.start_byte <= a).checked_sub(1)?;
        loop {
            let d = &defs[j];
            if d.start_byte <= a && b <= d.end_byte {
                return Some(j);
            }
            j = d.parent?;
        }
    };
    let mark = |keep: &mut Vec<bool>, a: usize, b: usize| -> Vec<usize> {
        let mut newly = Vec::new();
        let mut at = innermost(a, b);
        while let Some(j) = at {
            if !keep[j] {
                keep[j] = true;
                newly.push(j);
            }
            at = defs[j].parent;
        }
        newly
    };
    let mut fresh: Vec<usize> = Vec::new();
    needles_in(bytes, |a, b| {
        fresh.extend(mark(&mut keep, a, b));
        false
    });
    for (a, b) in names_in(bytes, &|| reaches_remember(bytes, path)) {
        fresh.extend(mark(&mut keep, a, b));
    }
    let s = &config.settings;
    let names = s
        .identity_writers
        .iter()
        .chain(&s.regeneration_functions)
        .map(|n| n.rsplit('.').next().unwrap_or(n))
        .chain(writers.iter().map(String::as_str))
        .filter(|n| !n.is_empty());
    for n in names {
        for at in memchr::memmem::find_iter(bytes, n.as_bytes()) {
            fresh.extend(mark(&mut keep, at, at + n.len()));
        }
    }
    // Imports that rename a filter word away (`from flask import session as s`,
    // `from flask_login import login_user as sign_in`): their local names, as words.
    let renamed = renamed_imports(module, config);
    if let Some(ac) = (!renamed.is_empty())
        .then(|| word_matcher(&renamed, true))
        .flatten()
    {
        for m in whole_words(&ac, bytes) {
            fresh.extend(mark(&mut keep, m.start(), m.end()));
        }
    }
    if !events {
        let mut request = vec![false; defs.len()];
        for at in memchr::memmem::find_iter(bytes, REQUEST) {
            mark(&mut request, at, at + REQUEST.len());
        }
        for (k, r) in keep.iter_mut().zip(request) {
            *k &= r;
        }
        return keep;
    }
    // Callers of kept functions in the same file, to a fixed point (inlining follows them).
    let connects = memchr::memmem::find(bytes, b".connect(").is_some();
    // Module functions a class keeps in an attribute (`self._login_user = _login_default`):
    // they are also called as `self._login_user(...)`. One pass over the file.
    let callbacks: std::collections::HashMap<&str, Vec<&str>> = callback_attributes(text)
        .into_iter()
        .fold(Default::default(), |mut m, (value, attr)| {
            m.entry(value).or_default().push(attr);
            m
        });
    for _ in 0..defs.len().min(64) {
        let mut calls: Vec<String> = fresh
            .iter()
            .filter(|i| defs[**i].kind == DefKind::Function)
            .flat_map(|i| {
                let d = &defs[*i];
                // A property's setter runs where its attribute is assigned (`self.user = u`).
                match d.qualname.ends_with(".fset") {
                    true => vec![format!(".{} =", d.name), format!(".{}=", d.name)],
                    false if d.parent.is_none() => std::iter::once(format!("{}(", d.name))
                        .chain(
                            callbacks
                                .get(d.name.as_str())
                                .into_iter()
                                .flatten()
                                .map(|attr| format!("self.{attr}(")),
                        )
                        .collect(),
                    false => vec![format!("{}(", d.name)],
                }
            })
            .collect();
        // A receiver of a signal this module connects (`sig.connect(name, app)`) runs
        // where the module sends that signal (`sig.send(self, ...)`).
        if connects {
            let sends: Vec<String> = fresh
                .iter()
                .filter(|i| defs[**i].kind == DefKind::Function)
                .flat_map(|i| signal_sends(text, &defs[*i].name))
                .collect();
            calls.extend(sends);
        }
        fresh.clear();
        // Nothing new, or nothing left to add (a file where every function already counts).
        if calls.is_empty() || keep.iter().all(|k| *k) {
            break;
        }
        // A few names are searched one by one (nothing to build); more with one automaton,
        // built for one search of one file: an NFA, whose build costs far less than a DFA's.
        if calls.len() <= 8 {
            for call in &calls {
                for at in memchr::memmem::find_iter(bytes, call.as_bytes()) {
                    fresh.extend(mark(&mut keep, at, at + call.len()));
                }
            }
            continue;
        }
        let Ok(ac) = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(&calls)
        else {
            break;
        };
        for m in ac.find_iter(bytes) {
            fresh.extend(mark(&mut keep, m.start(), m.end()));
        }
    }
    keep
}

/// The (value, attribute) of each statement that keeps a name in an attribute of `self`, on a
/// line of its own (`self._login_user = _login_default`), in one pass over the file.
fn callback_attributes(text: &str) -> Vec<(&str, &str)> {
    let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    memchr::memmem::find_iter(text.as_bytes(), b"self.")
        .filter_map(|at| {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            if !text[line_start..at]
                .bytes()
                .all(|b| b == b' ' || b == b'\t')
            {
                return None;
            }
            let rest = &text[at + "self.".len()..];
            let line = rest.split('\n').next().unwrap_or(rest).trim_end();
            let (attr, value) = line.split_once(" = ")?;
            (word(attr) && word(value)).then_some((value, attr))
        })
        .collect()
}

/// `sig.send(` for each signal `sig` this file connects `receiver` to by a call
/// (`sig.connect(receiver, ...)`): up to four.
fn signal_sends(text: &str, receiver: &str) -> Vec<String> {
    crate::python::semantic::connected_signals(text, receiver)
        .into_iter()
        .take(4)
        .map(|signal| format!("{signal}.send("))
        .collect()
}

/// Local names of module-level imports whose qualified path holds a filter word (or a
/// configured function's name) that the local name itself does not.
fn renamed_imports(module: &ModuleScope, config: &Config) -> Vec<String> {
    module
        .imports()
        .filter(|(local, path)| {
            body_may_matter(
                path.as_bytes(),
                &|| reaches_remember(path.as_bytes(), ""),
                config,
            ) && !body_may_matter(local.as_bytes(), &|| false, config)
        })
        .map(|(local, _)| local.to_string())
        .collect()
}

/// Top-level functions and methods of top-level classes of a passing file that may leave
/// identity written (for step two), each with whether it is a method: a method is called on
/// an object, whose class may come from anywhere (a package re-exporting it, a model
/// fetched by a query), so a caller need not name the method's module.
/// Only for a file where [`events_possible`]: without session events a helper cannot write
/// identity, so the caller skips (and does not prepare) the others.
pub fn helper_names(p: &Prepared, config: &Config) -> Vec<(String, bool)> {
    use crate::python::outline::DefKind;
    let outline = &p.outline;
    let defs = &outline.defs;
    let keep = relevant(&p.path, &p.text, outline, &p.module, &[], config, true);
    let body = |d: &crate::python::outline::Def| p.text.get(d.start_byte..d.end_byte);
    // A class's methods too, called on its instances (`check::methods`): those with a
    // public compound name (`mark_as_passed`); a one-word name (`get`, `save`) is called
    // everywhere, and would keep every file.
    let method = |d: &crate::python::outline::Def| {
        d.parent.is_some_and(|c| {
            defs[c].kind == DefKind::Class
                && defs[c].parent.is_none()
                && d.name.contains('_')
                && !d.name.starts_with('_')
        })
    };
    let mut names: Vec<bool> = keep
        .iter()
        .zip(defs)
        .map(|(keep, d)| {
            *keep
                && d.kind == DefKind::Function
                && (d.parent.is_none()
                    || method(d)
                        && body(d).is_some_and(|t| reaches_a_request_session(t.as_bytes())))
        })
        .collect();
    // And a method that calls one of those on `self` (`auth_successful()` ->
    // `self.start_login_session()`, inherited or its class's own): a caller's call of it
    // reaches the write as well.
    loop {
        let called: Vec<String> = defs
            .iter()
            .zip(&names)
            .filter(|(d, n)| **n && d.parent.is_some())
            .map(|(d, _)| format!("self.{}(", d.name))
            .collect();
        let mut grew = false;
        for (i, d) in defs.iter().enumerate() {
            if !names[i]
                && keep[i]
                && d.kind == DefKind::Function
                && method(d)
                && body(d).is_some_and(|t| called.iter().any(|c| t.contains(c.as_str())))
            {
                names[i] = true;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    names
        .into_iter()
        .zip(defs)
        .filter(|(n, _)| *n)
        .map(|(_, d)| (d.name.clone(), d.parent.is_some()))
        .collect()
}

/// The top-level functions of `text` that call one of the helpers `writers` matches (whole
/// names, followed by `(`): helpers in turn, for the files that call them.
pub fn calling_functions(text: &[u8], writers: &AhoCorasick) -> Vec<String> {
    use crate::python::outline::DefKind;
    if whole_words(writers, text).next().is_none() {
        return Vec::new();
    }
    let outline = crate::python::outline::scan(text);
    outline
        .defs
        .iter()
        .filter(|d| d.kind == DefKind::Function && d.parent.is_none())
        .filter(|d| {
            let body = text.get(d.start_byte..d.end_byte).unwrap_or(&[]);
            whole_words(writers, body).any(|hit| {
                let rest = &body[hit.end()..];
                rest.iter().find(|b| !matches!(**b, b' ' | b'\t')) == Some(&b'(')
            })
        })
        .map(|d| d.name.clone())
        .collect()
}

/// Can a function's text hold evidence of authentication (`summary.authenticates`): a
/// verifier, a password or a token, a one-time code, an exchange with an identity
/// provider, an account created? Every kind of evidence the semantic layer reads
/// (`frameworks::auth`, `python::semantic`) is named by one of these words in the text of
/// the call or its arguments, or by a configured credential check. Checked case-blind; a
/// word inside a longer one counts (`checkpw`, `verify_totp`), so this only ever says yes
/// too often (the words `frameworks::auth` reads are tested against it).
pub fn may_authenticate(text: &[u8], config: &Config) -> bool {
    #[rustfmt::skip]
    const AUTH_WORDS: &[&str] = &[
        "auth", "login", "log_in", "logon", "sign_", "signin", "signon", "signup", "signature",
        "signed", "signer", "passw", "passphrase", "_pass", "pass_", "pwd", "pw", "cred",
        "secret", "hash", "digest", "verif", "confirm", "token", "_tok", "ticket", "nonce",
        "otp", "2fa", "mfa", "jwt", "saml", "remote_user", "gss", "spnego", "kerberos", "ldap",
        "bind", "create_user", "register", "registration", "oauth", "openid", "oidc", "cas_",
        "compare", "_code", "code_", "grant_type", "consume", "revoke", "device", "tfa",
        "factor", "\"pass\"", "'pass'", "activat", "magic", "invit", "reset",
    ];
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    let m = M.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(AUTH_WORDS)
            .expect("fixed patterns")
    });
    // `register.` is a registry (`@register.filter` on every template filter), no sign-up.
    let registry = |at: usize| {
        text.get(at..at + 9)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"register."))
    };
    m.find_iter(text).any(|found| !registry(found.start()))
        || names_a_configured(text, &config.settings.credential_checks)
}

/// Does a method's text name a request or a session by its own name (`request.session`,
/// `session["k"]`, `self.request`), not a session class's own state (`self._session.get(`)?
/// Only such a method of a class is a helper name for step two: the methods of a session
/// implementation are called everywhere under common names.
pub fn reaches_a_request_session(text: &[u8]) -> bool {
    if memchr::memmem::find(text, b"request").is_some() {
        return true;
    }
    memchr::memmem::find_iter(text, b"session").any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        !before.is_some_and(|b| b == b'_' || b.is_ascii_alphanumeric())
            && matches!(text.get(at + 7), Some(b'[' | b'.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::outline::{self, DefKind};

    /// The definition `relevant` must keep to: each body tested on its own, callers added
    /// round by round.
    fn naive(
        path: &str,
        text: &str,
        o: &outline::Outline,
        module: &ModuleScope,
        writers: &[String],
        config: &Config,
        events: bool,
    ) -> Vec<bool> {
        let defs = &o.defs;
        let body = |i: usize| text.get(defs[i].start_byte..defs[i].end_byte).unwrap_or("");
        let renamed = renamed_imports(module, config);
        let words = |t: &str| -> Vec<String> {
            t.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                .map(str::to_string)
                .collect()
        };
        let mut keep: Vec<bool> = (0..defs.len())
            .map(|i| {
                (body_may_matter(
                    body(i).as_bytes(),
                    &|| reaches_remember(text.as_bytes(), path),
                    config,
                ) || writers.iter().any(|w| body(i).contains(w.as_str()))
                    || words(body(i)).iter().any(|w| renamed.contains(w)))
                    && (events || body(i).contains("req"))
            })
            .collect();
        if !events {
            return keep;
        }
        for _ in 0..defs.len().min(64) {
            let calls: Vec<String> = (0..defs.len())
                .filter(|i| keep[*i] && defs[*i].kind == DefKind::Function)
                .flat_map(|i| match defs[i].qualname.ends_with(".fset") {
                    true => vec![
                        format!(".{} =", defs[i].name),
                        format!(".{}=", defs[i].name),
                    ],
                    false if defs[i].parent.is_none() => {
                        std::iter::once(format!("{}(", defs[i].name))
                            .chain(
                                callback_attributes(text)
                                    .into_iter()
                                    .filter(|(value, _)| *value == defs[i].name)
                                    .map(|(_, attr)| format!("self.{attr}(")),
                            )
                            .collect()
                    }
                    false => vec![format!("{}(", defs[i].name)],
                })
                .collect();
            let mut changed = false;
            for (i, k) in keep.iter_mut().enumerate() {
                if !*k && calls.iter().any(|c| body(i).contains(c.as_str())) {
                    *k = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        keep
    }

    /// Every qualified path the knowledge tables resolve a session, login, logout or rotation
    /// through starts with (or names) a word of `FRAMEWORKS`, so a file without one of those
    /// words cannot produce those events through an import.
    #[test]
    fn frameworks_cover_the_knowledge_tables() {
        use crate::frameworks::{aiohttp, cherrypy, django, flask, pyramid, quart, starlette};
        let mut paths: Vec<&str> = Vec::new();
        paths.extend(flask::SESSION_PATHS);
        paths.extend(flask::LOGIN_HELPERS);
        paths.extend(flask::LOGOUT_HELPERS);
        paths.extend(quart::SESSION_PATHS);
        paths.extend(cherrypy::SESSION_PATHS);
        paths.push(cherrypy::EXPIRE);
        paths.extend(django::ROTATING_CALLS.iter().map(|(p, _)| *p));
        paths.extend(pyramid::REMEMBER);
        paths.extend(pyramid::FORGET);
        paths.extend(aiohttp::GET_SESSION);
        paths.push(aiohttp::NEW_SESSION);
        paths.extend(aiohttp::REMEMBER);
        paths.extend(aiohttp::FORGET);
        paths.push(starlette::REGENERATE);
        assert!(paths.len() > 20);
        // TurboGears' `tg` is looked for as its import (`from tg import`), not as a word.
        for p in crate::frameworks::beaker::SESSION_PATHS {
            let root = p.split('.').next().unwrap();
            let import = format!("from {root} import session\n");
            assert!(
                FRAMEWORKS.contains(&root)
                    || events_possible(
                        "x.py",
                        import.as_bytes(),
                        ProjectFacts::default(),
                        &Config::default(),
                        false
                    ),
                "{p}"
            );
        }
        for p in paths {
            let root = p.split('.').next().unwrap();
            assert!(
                FRAMEWORKS.contains(&root),
                "{p}: its root is not in FRAMEWORKS"
            );
        }
        let config = Config::default();
        let none = ProjectFacts::default();
        assert!(!events_possible(
            "x.py",
            b"import ssl\nsession = ssl.x",
            none,
            &config,
            false
        ));
        assert!(events_possible(
            "x.py",
            b"from flask import session",
            none,
            &config,
            false
        ));
        assert!(events_possible(
            "flask_login/utils.py",
            b"",
            none,
            &config,
            false
        ));
        assert!(events_possible("x.py", b"", none, &config, true));
        let mut django = ProjectFacts::default();
        django.add(crate::project::FileFacts(crate::project::FileFacts::DJANGO));
        assert!(events_possible("x.py", b"", django, &config, false));
        let mut configured = Config::default();
        configured.settings.identity_writers = vec!["app.auth.set_user".into()];
        assert!(events_possible("x.py", b"", none, &configured, false));
    }

    #[test]
    fn needles_in_any_case_and_only_those() {
        let hits = |t: &[u8]| {
            let mut out = Vec::new();
            needles_in(t, |a, b| {
                out.push((a, b));
                false
            });
            out.sort();
            out
        };
        assert_eq!(hits(b"x = SeSsIoN"), vec![(4, 11)]);
        assert_eq!(hits(b"r.SET_COOKIE(1); s.Sid"), vec![(2, 12), (18, 22)]);
        // Bytes that only look like a needle once bit 0x20 is set are not needles.
        assert!(hits(b"set\x7fcookie \x0esid sessio\x0e").is_empty());
        assert!(hits(b"").is_empty());
        assert!(needles_in(b"a session b", |_, _| true));
    }

    #[test]
    fn calls_need_the_helper_and_a_way_to_import_it() {
        let calls = Calls::new([
            ("app/auth_helpers.py".to_string(), "put_user".to_string()),
            ("app/members/__init__.py".to_string(), "seat".to_string()),
            ("app/my-mod.py".to_string(), "odd".to_string()),
        ]);
        let yes: &[&str] = &[
            "from app.auth_helpers import put_user\nput_user(u)",
            "import app.auth_helpers as h\nh.put_user (u)",
            "from app.auth_helpers import put_user as keep\nkeep(u)",
            "from app.auth_helpers import (\n    put_user\n    as keep)",
            "from . import seat\nseat(u)",
            "from  ..members import x\nseat(u)",
            "from app import members\nmembers.seat(u)",
            "from.x import y\nseat(u)",
            "odd(u)",
        ];
        let no: &[&str] = &[
            "put_user(u)",
            "from app.auth_helpers_v2 import put_user\nput_user(u)",
            "from app.auth_helpers import x\nreput_user(u)",
            "from app.auth_helpers import x\nput_user_x(u)",
            "from app.auth_helpers import x\nput_user = 1",
            "from app import membership\nseat(u)",
            "import os.path\nseat(u)",
        ];
        for t in yes {
            assert!(calls.any_in(t.as_bytes()), "{t}");
        }
        for t in no {
            assert!(!calls.any_in(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn relevant_matches_the_naive_definition() {
        let mut sources: Vec<String> = vec![
            "class A:\n    def a(self):\n        b()\n    def c(self):\n        pass\n\ndef b():\n    x = 1\n    def inner():\n        SESSION.clear()\n    return inner\n\ndef d():\n    a()\n    e()\n\ndef e():\n    rotate_it()\n".into(),
            "from flask import session as s\nfrom flask_login import login_user as sign_in\n\ndef f(u):\n    s['k'] = 1\n\ndef g(u):\n    sign_in(u)\n\ndef h(ss):\n    return ss.sign_in_x\n".into(),
            "def f(r):\n    remember(r, 'u')\n\ndef g():\n    return 'do not forget'\n".into(),
            "from pyramid.security import forget\n\ndef f(r):\n    remember(r, 'u')\n\ndef g():\n    return 'do not forget'\n".into(),
            "from aiohttp_security import remember as keep\n\ndef f(r):\n    keep(r, 'u')\n\ndef g():\n    forget(r)\n".into(),
        ];
        for dir in ["tests/fixtures", "examples", "src"] {
            let mut stack = vec![std::path::PathBuf::from(dir)];
            while let Some(p) = stack.pop() {
                if p.is_dir() {
                    stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                } else if p.extension().is_some_and(|e| e == "py" || e == "rs") {
                    sources.push(std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        let mut config = Config::default();
        config.settings.regeneration_functions = vec!["pkg.rotate_it".into()];
        let writers = vec!["set_user(".to_string()];
        for src in &sources {
            let o = outline::scan(src.as_bytes());
            let m = ModuleScope::build(src, &o);
            for (events, path) in [
                (true, "app/views.py"),
                (false, "app/views.py"),
                (true, "vendor/pyramid/views.py"),
            ] {
                assert_eq!(
                    relevant(path, src, &o, &m, &writers, &config, events),
                    naive(path, src, &o, &m, &writers, &config, events)
                );
            }
        }
    }

    #[test]
    fn remember_and_forget_count_only_where_their_frameworks_reach() {
        let kept = |path: &str, src: &str| -> Vec<String> {
            let o = outline::scan(src.as_bytes());
            let m = ModuleScope::build(src, &o);
            relevant(path, src, &o, &m, &[], &Config::default(), true)
                .into_iter()
                .zip(&o.defs)
                .filter(|(k, _)| *k)
                .map(|(_, d)| d.name.clone())
                .collect()
        };
        let prose = "def tag(p):\n    raise Error('Did you forget to register this tag?')\n\ndef other():\n    remember = 1\n";
        assert!(kept("django/template/base.py", prose).is_empty());
        let pyramid = format!("from pyramid.security import remember, forget\n\n{prose}");
        assert_eq!(kept("app/views.py", &pyramid), vec!["tag", "other"]);
        let aio = format!("import aiohttp_security\n\n{prose}");
        assert_eq!(kept("app/views.py", &aio), vec!["tag", "other"]);
        // A vendored copy imports relatively; its path names the framework.
        assert_eq!(kept("vendor/pyramid/views.py", prose), vec!["tag", "other"]);
        // Not a whole word: `pyramids`, `my_pyramid`.
        let near = format!("import pyramids, my_pyramid\n\n{prose}");
        assert!(kept("app/views.py", &near).is_empty());
        // login_user counts everywhere (a project may define its own).
        assert_eq!(
            kept("app/x.py", "def f(u):\n    login_user(u)\n"),
            vec!["f"]
        );
    }

    /// A class's method is a helper name when its text reaches a request's session, or
    /// when it calls such a method of the file on `self` (to any depth); a one-word or
    /// private name is none.
    #[test]
    fn methods_that_reach_a_session_through_self_are_helper_names() {
        let src = "import cherrypy\n\n\nclass Base:\n    def start_user_session(self, n):\n        cherrypy.session['user'] = n\n\n\nclass Manager(Base):\n    def auth_successful(self, n):\n        self.start_user_session(n)\n\n    def finish_login(self, n):\n        return self.auth_successful(n)\n\n    def save(self, n):\n        self.start_user_session(n)\n\n    def _private_step(self, n):\n        self.start_user_session(n)\n\n    def render_page(self, n):\n        return n\n";
        let p = Prepared::new("app/m.py".into(), src.as_bytes());
        let mut names: Vec<String> = helper_names(&p, &Config::default())
            .into_iter()
            .map(|(n, method)| {
                assert!(method, "{n}");
                n
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec!["auth_successful", "finish_login", "start_user_session"]
        );
    }
}
