//! The scan's pre-filter: a file is parsed only if its bytes can hold something a rule needs.
//!
//! Every event a rule acts on comes from text the file itself contains: a session object or
//! session setting (`session`, case-insensitive: `request.session`, `SessionStore`,
//! `SESSION_COOKIE_SECURE`, `get_session`, `beaker.session`), a login or logout helper
//! (`login_user`, `logout_user`, `remember`, `forget`), a session ID (`.sid`), a cookie
//! (`set_cookie`), a configured identity writer or regeneration function, or a production
//! settings marker (`DEBUG` in a `prod` file or `Prod` class) - with one exception: a call to
//! a project helper in another module whose summary leaves identity written. Such a helper's
//! own file passes the filter (its write needs one of those words), so the filter runs in two
//! steps: the files that pass by their text, then the files that call a top-level function of
//! a passing file by name (`name(`), since that function may be such a helper.
//!
//! Files that fail both steps cannot produce a finding: a test checks that `scan` reports
//! exactly the same with the filter on and off (`--no-prefilter`).

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::config::Config;

const NEEDLES: &[&str] = &[
    "session",
    "set_cookie",
    ".sid",
    "login_user",
    "logout_user",
    "remember",
    "forget",
];

fn matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(NEEDLES)
            .expect("static patterns")
    })
}

/// Can a function's text hold a session write, removal or ID (the events a finding needs)?
pub fn body_may_matter(text: &[u8], config: &Config) -> bool {
    if matcher().is_match(text) {
        return true;
    }
    let s = &config.settings;
    s.identity_writers
        .iter()
        .chain(&s.regeneration_functions)
        .map(|n| n.rsplit('.').next().unwrap_or(n))
        .any(|n| !n.is_empty() && memchr::memmem::find(text, n.as_bytes()).is_some())
}

/// Does the file's text (or path) hold something a rule reads?
pub fn passes(path: &str, text: &[u8], config: &Config) -> bool {
    if matcher().is_match(text) {
        return true;
    }
    let s = &config.settings;
    let configured = s
        .identity_writers
        .iter()
        .chain(&s.regeneration_functions)
        .map(|n| n.rsplit('.').next().unwrap_or(n))
        .any(|n| !n.is_empty() && memchr::memmem::find(text, n.as_bytes()).is_some());
    if configured {
        return true;
    }
    // SID005's production default: `DEBUG = False` in a production module or class.
    memchr::memmem::find(text, b"DEBUG").is_some()
        && (path.to_ascii_lowercase().contains("prod")
            || memchr::memmem::find(text, b"class Prod").is_some())
}

/// Matches calls `name(` to helpers, in files that also name the helper's module (an
/// import of `app/auth_helpers.py` spells `auth_helpers`; of `app/auth/__init__.py`, `auth`).
pub struct Calls {
    matcher: Option<AhoCorasick>,
    /// Per pattern: the module names under which its helpers can be imported.
    modules: Vec<Vec<String>>,
}

impl Calls {
    /// `helpers`: (file path, function name) pairs.
    pub fn new(helpers: impl IntoIterator<Item = (String, String)>) -> Calls {
        let mut by_name: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (path, name) in helpers {
            let stem = path.trim_end_matches(".py");
            let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
            let module = stem.rsplit('/').next().unwrap_or(stem).to_string();
            by_name.entry(format!("{name}(")).or_default().push(module);
        }
        if by_name.is_empty() {
            return Calls {
                matcher: None,
                modules: Vec::new(),
            };
        }
        let pats: Vec<&String> = by_name.keys().collect();
        Calls {
            matcher: AhoCorasick::new(&pats).ok(),
            modules: by_name.into_values().collect(),
        }
    }

    pub fn any_in(&self, text: &[u8]) -> bool {
        let Some(m) = &self.matcher else {
            return false;
        };
        m.find_overlapping_iter(text).any(|hit| {
            self.modules[hit.pattern().as_usize()]
                .iter()
                .any(|module| memchr::memmem::find(text, module.as_bytes()).is_some())
        })
    }
}

/// Top-level functions of a passing file that may leave identity written: those whose body
/// passes the filter, and those calling such a function of the same file (a helper may do
/// the write through a local helper).
pub fn helper_names(text: &str, outline: &crate::python::outline::Outline) -> Vec<String> {
    use crate::python::outline::DefKind;
    let defs: Vec<&crate::python::outline::Def> = outline
        .defs
        .iter()
        .filter(|d| d.kind == DefKind::Function && d.parent.is_none())
        .collect();
    let body = |d: &crate::python::outline::Def| text.get(d.start_byte..d.end_byte).unwrap_or("");
    let mut keep: Vec<bool> = defs
        .iter()
        .map(|d| matcher().is_match(body(d).as_bytes()))
        .collect();
    // Local callers, to a fixed point (bounded by the number of functions).
    for _ in 0..defs.len().min(64) {
        let kept: Vec<String> = defs
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(d, _)| format!("{}(", d.name))
            .collect();
        if kept.is_empty() {
            break;
        }
        let mut changed = false;
        for (d, k) in defs.iter().zip(keep.iter_mut()) {
            if !*k && kept.iter().any(|c| body(d).contains(c.as_str())) {
                *k = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    defs.iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(d, _)| d.name.clone())
        .collect()
}
