//! Project configuration: `[tool.sidguard]` in `pyproject.toml`, or `.sidguard.toml` (which
//! wins), at the repository root. In the diff modes it is read from the tree being checked
//! (the index for `staged`, the commit for `diff`), never from the working tree; `scan` reads
//! it from the current directory or its nearest ancestor that has one; `--config PATH` names
//! a file directly. In `pre-receive` it is read only if the server policy opts in.
//!
//! ```toml
//! [tool.sidguard]
//! credential-checks = ["myapp.auth.verify_user"]   # calls that authenticate (qualified or bare names)
//! identity-writers = ["myapp.auth.set_current_user"] # calls that write identity into the session
//! regeneration-functions = ["myapp.sessions.rotate"] # calls that rotate the session ID (data kept)
//! identity-keys = ["member_no"]                   # more session keys that carry identity
//! exclude = ["tests/**", "migrations/**"]         # paths not checked (globs)
//! disable = ["SID001"]                            # rules not run
//! client-cookie-severity = "error"                # or "warning": findings on cookie sessions do not block
//! max-session-lifetime-days = 30                  # SID006: longer absolute lifetimes are reported
//! max-file-bytes = 10485760                       # larger files are skipped (reported, never silent)
//! file-time-budget-ms = 10000                     # a file taking longer is skipped (reported)
//!
//! [tool.sidguard.severity]                        # per-rule severity: "error" blocks, "warning" does not
//! SID006 = "error"
//! ```
//!
//! `.sidguard.toml` takes the keys at the top level (`[severity]` for the per-rule table), or
//! the `[tool.sidguard]` form above when that table is all the file holds. Unknown keys and bad
//! values are errors naming the file and the line and column of the bad key or value (exit 2);
//! sidguard's keys elsewhere in `pyproject.toml` (the top-level form pasted in) are an error
//! that says where they go, never silently ignored.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CookieSeverity {
    #[default]
    Error,
    Warning,
}

/// The settings, as written (kebab-case keys).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    pub credential_checks: Vec<String>,
    pub identity_writers: Vec<String>,
    pub regeneration_functions: Vec<String>,
    pub identity_keys: Vec<String>,
    pub exclude: Vec<String>,
    pub disable: Vec<String>,
    pub client_cookie_severity: CookieSeverity,
    /// SID006: the longest acceptable absolute session lifetime, in days.
    pub max_session_lifetime_days: u64,
    /// Per-rule severity overrides, by code or name.
    pub severity: std::collections::BTreeMap<String, CookieSeverity>,
    /// Files larger than this are not analysed (listed as skipped).
    pub max_file_bytes: u64,
    /// A file whose analysis takes longer than this is abandoned (listed as skipped).
    pub file_time_budget_ms: u64,
    /// Check test code too (`tests/`, `test_*.py`, `conftest.py`...), skipped by default.
    pub include_tests: bool,
    /// Rules not reported in some files: a glob (as in `exclude`) to codes or names.
    pub per_file_ignores: std::collections::BTreeMap<String, Vec<String>>,
}

/// 10 MiB: generated or vendored code, not a view someone wrote by hand.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 << 20;
/// Ten seconds: the largest real files take well under one.
pub const DEFAULT_FILE_TIME_BUDGET_MS: u64 = 10_000;

/// The default SID006 threshold: OWASP's guidance keeps absolute lifetimes short; a month
/// is already generous for anything but low-risk sites.
pub const DEFAULT_MAX_LIFETIME_DAYS: u64 = 30;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            credential_checks: Vec::new(),
            identity_writers: Vec::new(),
            regeneration_functions: Vec::new(),
            identity_keys: Vec::new(),
            exclude: Vec::new(),
            disable: Vec::new(),
            client_cookie_severity: CookieSeverity::Error,
            max_session_lifetime_days: DEFAULT_MAX_LIFETIME_DAYS,
            severity: std::collections::BTreeMap::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            file_time_budget_ms: DEFAULT_FILE_TIME_BUDGET_MS,
            include_tests: false,
            per_file_ignores: std::collections::BTreeMap::new(),
        }
    }
}

/// Effective configuration: the settings plus where they came from and compiled globs.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub settings: Settings,
    /// Where the settings came from (`None`: built-in defaults).
    pub origin: Option<String>,
    exclude: Option<GlobSet>,
    /// `per-file-ignores`, compiled: each glob's set index to the codes it ignores.
    per_file: Option<(GlobSet, Vec<Vec<&'static str>>)>,
    /// The rules the command line kept (`--select`, `--ignore`).
    selection: crate::selection::Selection,
}

/// A configuration file's text and its name, as found by a source.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub origin: String,
    pub text: String,
    /// `pyproject.toml` (read `[tool.sidguard]`) or a plain sidguard file.
    pub pyproject: bool,
}

/// The settings' keys, as written (a test holds this list equal to [`Settings`]' fields).
pub const KEYS: &[&str] = &[
    "credential-checks",
    "identity-writers",
    "regeneration-functions",
    "identity-keys",
    "exclude",
    "disable",
    "client-cookie-severity",
    "max-session-lifetime-days",
    "severity",
    "max-file-bytes",
    "file-time-budget-ms",
    "include-tests",
    "per-file-ignores",
];

/// The keys no other tool's table is likely to hold: found anywhere in a `pyproject.toml`
/// but `[tool.sidguard]`, they are sidguard's settings pasted in the wrong form.
const OWN_KEYS: &[&str] = &[
    "credential-checks",
    "identity-writers",
    "regeneration-functions",
    "identity-keys",
    "client-cookie-severity",
    "max-session-lifetime-days",
    "file-time-budget-ms",
];

/// Might this `pyproject.toml` text configure sidguard, rightly (`[tool.sidguard]`, or
/// `tool.sidguard.KEY = ...`) or wrongly (`.sidguard.toml`'s form pasted in: its keys, a
/// `[severity]` table)? A cheap test before parsing a file that usually has no sidguard part.
pub fn pyproject_mentions_sidguard(text: &str) -> bool {
    text.contains("tool.sidguard")
        || text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("[severity]")
                || OWN_KEYS.iter().any(|k| {
                    l.strip_prefix(k)
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
                })
        })
}

type DeTable<'i> = toml::de::DeTable<'i>;
type DeValue<'i> = toml::de::DeValue<'i>;
type Span = std::ops::Range<usize>;

/// The entry `key` of a parsed table: its key's span and its value.
fn entry<'t, 'i>(
    table: &'t DeTable<'i>,
    key: &str,
) -> Option<(Span, &'t toml::Spanned<DeValue<'i>>)> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(k, v)| (k.span(), v))
}

fn table<'t, 'i>(value: &'t DeValue<'i>) -> Option<&'t DeTable<'i>> {
    match value {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// The first (in the file) of sidguard's own keys in `pyproject.toml` outside
/// `[tool.sidguard]`, or of its keys at the top level: its span, its name and the table it
/// is in (`""`: the top level).
fn misplaced(doc: &DeTable<'_>) -> Option<(Span, String, String)> {
    fn walk(t: &DeTable<'_>, path: &str, depth: usize, found: &mut Vec<(Span, String, String)>) {
        for (k, v) in t.iter() {
            let name = k.get_ref().as_ref();
            let here = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            if here == "tool.sidguard" {
                continue;
            }
            if OWN_KEYS.contains(&name) || (path.is_empty() && KEYS.contains(&name)) {
                found.push((k.span(), name.to_string(), path.to_string()));
            } else if depth < 3 {
                if let Some(t) = table(v.get_ref()) {
                    walk(t, &here, depth + 1, found);
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(doc, "", 0, &mut found);
    found.into_iter().min_by_key(|(span, ..)| span.start)
}

/// 1-based (line, column) of a byte span's start in `text` (TOML errors carry spans).
pub fn line_col(text: &str, span: Option<std::ops::Range<usize>>) -> (usize, usize) {
    span.map(|s| {
        let before = &text[..s.start.min(text.len())];
        (
            before.matches('\n').count() + 1,
            before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1,
        )
    })
    .unwrap_or((1, 1))
}

/// A configuration error at `span` of `text` (`origin:line:column:`), or in the file as a
/// whole when there is no span.
fn located(text: &str, origin: &str, span: Option<Span>, message: &str) -> Error {
    match span {
        Some(span) => {
            let (line, col) = line_col(text, Some(span));
            Error::Usage(format!(
                "{origin}:{line}:{col}: invalid sidguard configuration: {message}"
            ))
        }
        None => Error::Usage(format!(
            "{origin}: invalid sidguard configuration: {message}"
        )),
    }
}

impl Config {
    pub fn parse(file: &ConfigFile) -> Result<Option<Config>> {
        let text = &file.text;
        let origin = file.origin.as_str();
        let at = |span: Option<Span>, message: &str| located(text, origin, span, message);
        let doc = toml::de::DeTable::parse(text).map_err(|e| at(e.span(), e.message()))?;
        // The settings, as a value of the document (spans kept, so that every error can
        // point at its key or value).
        let value: toml::Spanned<DeValue<'_>> = if file.pyproject {
            if let Some((span, key, place)) = misplaced(doc.get_ref()) {
                let place = if place.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in `[{place}]`")
                };
                return Err(at(
                    Some(span),
                    &format!("`{key}` is {place}; in pyproject.toml sidguard's settings go in a `[tool.sidguard]` table (and `[tool.sidguard.severity]`); keys at the top level are the form of .sidguard.toml"),
                ));
            }
            let found = entry(doc.get_ref(), "tool")
                .and_then(|(_, tool)| table(tool.get_ref()))
                .and_then(|tool| entry(tool, "sidguard"));
            match found {
                Some((_, v)) => v.clone(),
                None => return Ok(None),
            }
        } else {
            // `.sidguard.toml` takes the keys at the top level; the `[tool.sidguard]` form of
            // pyproject.toml (the README's block, pasted) is read too when it is all there is.
            match entry(doc.get_ref(), "tool") {
                None => {
                    let span = doc.span();
                    toml::Spanned::new(span, DeValue::Table(doc.get_ref().clone()))
                }
                Some((span, tool)) => {
                    let only = doc.get_ref().len() == 1;
                    let nested = table(tool.get_ref())
                        .filter(|t| only && t.len() == 1)
                        .and_then(|t| entry(t, "sidguard"));
                    match nested {
                        Some((_, v)) => v.clone(),
                        None => {
                            return Err(at(
                                Some(span),
                                "`tool`: .sidguard.toml takes sidguard's settings at the top level (`exclude = [...]`, a `[severity]` table), or all of them in one `[tool.sidguard]` table as in pyproject.toml, not both and no other tables",
                            ))
                        }
                    }
                }
            }
        };
        let settings = Settings::deserialize(toml::de::ValueDeserializer::from(value.clone()))
            .map_err(|e| at(e.span().or(Some(value.span())), e.message()))?;
        let keys = table(value.get_ref());
        // Where `key` is (its name), or where its value holds the string `item`.
        let key_at = |key: &str| keys.and_then(|t| entry(t, key)).map(|(span, _)| span);
        let value_at = |key: &str| keys.and_then(|t| entry(t, key)).map(|(_, v)| v.span());
        let item_at = |key: &str, item: &str| {
            let (_, v) = keys.and_then(|t| entry(t, key))?;
            match v.get_ref() {
                DeValue::Array(items) => items
                    .iter()
                    .find(|i| matches!(i.get_ref(), DeValue::String(s) if s == item))
                    .map(|i| i.span()),
                _ => None,
            }
        };
        for code in &settings.disable {
            if crate::registry::find(code).is_none() {
                return Err(at(
                    item_at("disable", code).or_else(|| key_at("disable")),
                    &format!(
                        "`disable` names an unknown rule `{code}` (`sidguard rules` lists them)"
                    ),
                ));
            }
        }
        for code in settings.severity.keys() {
            if crate::registry::find(code).is_none() {
                let span = keys
                    .and_then(|t| entry(t, "severity"))
                    .and_then(|(_, v)| table(v.get_ref()))
                    .and_then(|t| entry(t, code))
                    .map(|(span, _)| span)
                    .or_else(|| key_at("severity"));
                return Err(at(
                    span,
                    &format!(
                        "`severity` names an unknown rule `{code}` (`sidguard rules` lists them)"
                    ),
                ));
            }
        }
        for (glob, codes) in &settings.per_file_ignores {
            let span = || {
                keys.and_then(|t| entry(t, "per-file-ignores"))
                    .and_then(|(_, v)| table(v.get_ref()))
                    .and_then(|t| entry(t, glob))
                    .map(|(span, _)| span)
                    .or_else(|| key_at("per-file-ignores"))
            };
            for code in codes {
                if crate::registry::find(code).is_none() {
                    return Err(at(
                        span(),
                        &format!("`per-file-ignores` names an unknown rule `{code}` (`sidguard rules` lists them)"),
                    ));
                }
            }
        }
        for (key, value) in [
            ("max-file-bytes", settings.max_file_bytes),
            ("file-time-budget-ms", settings.file_time_budget_ms),
            (
                "max-session-lifetime-days",
                settings.max_session_lifetime_days,
            ),
        ] {
            if value == 0 {
                return Err(at(value_at(key), &format!("`{key}` must be at least 1")));
            }
        }
        let mut config = Config {
            settings,
            origin: Some(file.origin.clone()),
            ..Config::default()
        };
        if !config.settings.exclude.is_empty() {
            let mut b = GlobSetBuilder::new();
            for g in &config.settings.exclude {
                let glob = Glob::new(g).map_err(|e| {
                    at(
                        item_at("exclude", g).or_else(|| key_at("exclude")),
                        &format!("bad `exclude` glob `{g}`: {e}"),
                    )
                })?;
                b.add(glob);
            }
            config.exclude = Some(
                b.build()
                    .map_err(|e| at(key_at("exclude"), &e.to_string()))?,
            );
        }
        if !config.settings.per_file_ignores.is_empty() {
            let mut b = GlobSetBuilder::new();
            let mut codes = Vec::new();
            for (g, rules) in &config.settings.per_file_ignores {
                let glob = Glob::new(g).map_err(|e| {
                    at(
                        key_at("per-file-ignores"),
                        &format!("bad `per-file-ignores` glob `{g}`: {e}"),
                    )
                })?;
                b.add(glob);
                codes.push(
                    rules
                        .iter()
                        .filter_map(|r| crate::registry::find(r).map(|r| r.code))
                        .collect(),
                );
            }
            let set = b
                .build()
                .map_err(|e| at(key_at("per-file-ignores"), &e.to_string()))?;
            config.per_file = Some((set, codes));
        }
        Ok(Some(config))
    }

    /// Reads `--config PATH` (a `pyproject.toml` is read for its `[tool.sidguard]` table).
    pub fn load_path(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        let file = ConfigFile {
            origin: path.display().to_string(),
            text,
            pyproject,
        };
        Ok(Config::parse(&file)?.unwrap_or_default())
    }

    /// Finds the configuration for `scan`: the nearest of the current directory and its
    /// ancestors holding `.sidguard.toml` or a `pyproject.toml` with `[tool.sidguard]`.
    pub fn discover(start: &Path) -> Result<Config> {
        let mut dir: Option<PathBuf> = Some(start.to_path_buf());
        while let Some(d) = dir {
            for (name, pyproject) in [(".sidguard.toml", false), ("pyproject.toml", true)] {
                let p = d.join(name);
                if let Ok(text) = std::fs::read_to_string(&p) {
                    let file = ConfigFile {
                        origin: p.display().to_string(),
                        text,
                        pyproject,
                    };
                    if let Some(c) = Config::parse(&file)? {
                        return Ok(c);
                    }
                }
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(Config::default())
    }

    pub fn excluded(&self, path: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// Is `path` (relative to the repository root) test code that is not checked?
    pub fn skips_test(&self, path: &str) -> bool {
        !self.settings.include_tests && is_test_path(path)
    }

    pub fn enabled(&self, code: &str) -> bool {
        self.selection.allows(code)
            && !self
                .settings
                .disable
                .iter()
                .any(|d| crate::registry::find(d).is_some_and(|r| r.code == code))
    }

    /// Is rule `code` reported in `path`: enabled, and not in a matching `per-file-ignores`?
    pub fn enabled_in(&self, path: &str, code: &str) -> bool {
        self.enabled(code)
            && !self.per_file.as_ref().is_some_and(|(set, codes)| {
                set.matches(path)
                    .into_iter()
                    .any(|i| codes[i].contains(&code))
            })
    }

    /// The rules the command line kept.
    pub fn selection(&self) -> &crate::selection::Selection {
        &self.selection
    }

    /// The same configuration, keeping only the rules `selection` keeps.
    pub fn with_selection(mut self, selection: crate::selection::Selection) -> Config {
        self.selection = selection;
        self
    }

    /// The severity of rule `code`: the configured one, else `default`.
    pub fn severity(
        &self,
        code: &str,
        default: crate::finding::Severity,
    ) -> crate::finding::Severity {
        self.settings
            .severity
            .iter()
            .find(|(k, _)| crate::registry::find(k).is_some_and(|r| r.code == code))
            .map(|(_, s)| match s {
                CookieSeverity::Error => crate::finding::Severity::Error,
                CookieSeverity::Warning => crate::finding::Severity::Warning,
            })
            .unwrap_or(default)
    }

    /// SID006's threshold in seconds.
    pub fn max_lifetime_seconds(&self) -> u64 {
        self.settings
            .max_session_lifetime_days
            .saturating_mul(86_400)
    }

    /// Does a callee (qualified path or dotted text) match one of `names`? Entries match the
    /// whole qualified name, or its last segment when they are a bare name.
    pub fn matches(names: &[String], path: &str) -> bool {
        let last = path.rsplit('.').next().unwrap_or(path);
        names
            .iter()
            .any(|n| n == path || (!n.contains('.') && n == last))
    }

    /// The effective configuration as TOML (for `sidguard config`).
    pub fn show(&self) -> String {
        let mut s = match &self.origin {
            Some(o) => format!("# from {o}\n"),
            None => "# no configuration file found: built-in defaults\n".to_string(),
        };
        s.push_str(&toml::to_string(&self.settings).unwrap_or_default());
        s
    }
}

/// Is `rel` (a path inside the tree being checked) test code: under a `tests`/`test`
/// directory, or a `test_*.py`, `*_test.py`, `*_tests.py`, `tests.py` or `conftest.py`?
/// Test code logs users in through test clients and fixtures; it is not served. Skipped
/// unless `include-tests` is set.
pub fn is_test_path(rel: &str) -> bool {
    let rel = rel.replace('\\', "/");
    let mut parts: Vec<&str> = rel
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some(name) = parts.pop() else {
        return false;
    };
    let dir = parts.iter().any(|p| {
        matches!(
            *p,
            "tests"
                | "test"
                | "testing"
                | "unittests"
                | "unit_tests"
                | "functional_tests"
                | "integration_tests"
        )
    });
    let stem = name.strip_suffix(".py").unwrap_or(name);
    dir || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || matches!(stem, "tests" | "conftest")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str, pyproject: bool) -> ConfigFile {
        ConfigFile {
            origin: "cfg".into(),
            text: text.into(),
            pyproject,
        }
    }

    #[test]
    fn parses_both_forms_and_locates_errors() {
        let c = Config::parse(&file(
            "disable = [\"SID001\"]\nexclude = [\"tests/**\"]\n",
            false,
        ))
        .unwrap()
        .unwrap();
        assert!(!c.enabled("SID001"));
        assert!(c.excluded("tests/a/b.py") && !c.excluded("app/b.py"));
        let c = Config::parse(&file(
            "[project]\nname = \"x\"\n[tool.sidguard]\nidentity-keys = [\"member_no\"]\n",
            true,
        ))
        .unwrap()
        .unwrap();
        assert_eq!(c.settings.identity_keys, vec!["member_no"]);
        assert!(Config::parse(&file("[project]\nname = \"x\"\n", true))
            .unwrap()
            .is_none());
        let e = Config::parse(&file("[tool.sidguard]\nexclude = []\nbogus = 1\n", true))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cfg:") && e.contains("unknown field `bogus`"),
            "{e}"
        );
        let e = Config::parse(&file("\ndisable = \"SID001\"\n", false))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cfg:2:11: invalid sidguard configuration"),
            "{e}"
        );
        let e = Config::parse(&file("client-cookie-severity = \"low\"\n", false))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cfg:1:"), "{e}");
        let e = Config::parse(&file("disable = [\"SID999\"]\n", false))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown rule `SID999`"), "{e}");
    }

    /// [`KEYS`] is every key of the settings, in any order.
    #[test]
    fn the_key_list_is_the_settings_keys() {
        let shown = toml::to_string(&Settings::default()).unwrap();
        let mut keys: Vec<&str> = shown
            .lines()
            .filter_map(|l| {
                l.strip_prefix('[')
                    .and_then(|l| l.strip_suffix(']'))
                    .or_else(|| l.split(" = ").next().filter(|_| l.contains(" = ")))
            })
            .collect();
        keys.sort_unstable();
        let mut want = KEYS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want);
        for own in OWN_KEYS {
            assert!(KEYS.contains(own), "{own}");
        }
    }

    #[test]
    fn matching_names() {
        let names = vec!["myapp.auth.verify".to_string(), "rotate".to_string()];
        assert!(Config::matches(&names, "myapp.auth.verify"));
        assert!(!Config::matches(&names, "other.verify"));
        assert!(Config::matches(&names, "helpers.rotate"));
    }
}
