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
    body_may_matter(text, config)
        || crate::rules::cookie_settings::may_be_production(path, &String::from_utf8_lossy(text))
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

/// Which outline entries can produce a function finding: every finding needs a session
/// write, removal or ID, which needs one of the filter's words in the entry's own text, in a
/// function of this file it calls (followed to a fixed point: a helper may write through a
/// local helper), or a call to one of `writers` (`name(`: helpers from other modules whose
/// summaries leave identity written). Entries without any are not analysed: their events
/// could only be authentication or rotation, which alone never make a finding.
pub fn relevant(
    text: &str,
    outline: &crate::python::outline::Outline,
    writers: &[String],
    config: &Config,
) -> Vec<bool> {
    use crate::python::outline::DefKind;
    let defs = &outline.defs;
    let mut keep = vec![false; defs.len()];
    if defs.is_empty() {
        return keep;
    }
    let bytes = text.as_bytes();
    // One pass over the file: every match marks the innermost definition holding it and
    // that definition's ancestors (whose bodies hold it too). Non-overlapping matches are
    // enough: no pattern spans a line end, so a match hidden by an overlapping one is on the
    // same line, in the same definitions.
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
    for m in matcher().find_iter(bytes) {
        fresh.extend(mark(&mut keep, m.start(), m.end()));
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
    // Callers of kept functions in the same file, to a fixed point (inlining follows them).
    for _ in 0..defs.len().min(64) {
        let calls: Vec<String> = fresh
            .iter()
            .filter(|i| defs[**i].kind == DefKind::Function)
            .map(|i| format!("{}(", defs[*i].name))
            .collect();
        fresh.clear();
        // Nothing new, or nothing left to add (a file where every function already counts).
        if calls.is_empty() || keep.iter().all(|k| *k) {
            break;
        }
        let Ok(ac) = AhoCorasick::new(&calls) else {
            break;
        };
        for m in ac.find_iter(bytes) {
            fresh.extend(mark(&mut keep, m.start(), m.end()));
        }
    }
    keep
}

/// Top-level functions of a passing file that may leave identity written (for step two).
pub fn helper_names(
    text: &str,
    outline: &crate::python::outline::Outline,
    config: &Config,
) -> Vec<String> {
    use crate::python::outline::DefKind;
    relevant(text, outline, &[], config)
        .into_iter()
        .zip(&outline.defs)
        .filter(|(keep, d)| *keep && d.kind == DefKind::Function && d.parent.is_none())
        .map(|(_, d)| d.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::outline::{self, DefKind};

    /// The definition `relevant` must keep to: each body tested on its own, callers added
    /// round by round.
    fn naive(text: &str, o: &outline::Outline, writers: &[String], config: &Config) -> Vec<bool> {
        let defs = &o.defs;
        let body = |i: usize| text.get(defs[i].start_byte..defs[i].end_byte).unwrap_or("");
        let mut keep: Vec<bool> = (0..defs.len())
            .map(|i| {
                body_may_matter(body(i).as_bytes(), config)
                    || writers.iter().any(|w| body(i).contains(w.as_str()))
            })
            .collect();
        for _ in 0..defs.len().min(64) {
            let calls: Vec<String> = (0..defs.len())
                .filter(|i| keep[*i] && defs[*i].kind == DefKind::Function)
                .map(|i| format!("{}(", defs[i].name))
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

    #[test]
    fn relevant_matches_the_naive_definition() {
        let mut sources: Vec<String> = vec![
            "class A:\n    def a(self):\n        b()\n    def c(self):\n        pass\n\ndef b():\n    x = 1\n    def inner():\n        SESSION.clear()\n    return inner\n\ndef d():\n    a()\n    e()\n\ndef e():\n    rotate_it()\n".into(),
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
            assert_eq!(
                relevant(src, &o, &writers, &config),
                naive(src, &o, &writers, &config)
            );
        }
    }
}
