//! SID005 (insecure-session-cookie) and SID006 (unbounded-session-lifetime): session cookie
//! settings, wherever they are written. Settings live at module level (Django settings, Flask
//! config modules), in config classes, in `app.config[...]`/`app.config.update(...)` calls
//! inside factories, in dictionaries (Beaker, CherryPy), and as keyword arguments of session
//! middleware and factories (Starlette, starsessions, Pyramid, aiohttp-session) and of
//! `set_cookie()` on a session cookie. So these rules read the whole file's parse, not one
//! function; in the diff modes they report only settings on changed lines (explicit
//! weakening), and `scan` also warns about a production settings file that leaves `Secure`
//! off by default.
//!
//! Lifetimes are evaluated from literals: integers and their arithmetic (`60 * 60 * 24 * 90`)
//! and `timedelta(days=..., weeks=..., hours=..., minutes=..., seconds=...)`. Anything else
//! (an environment variable, a name) is not judged.

use crate::python::parse::Fields;
use tree_sitter::Node;

use super::session_id_from_request::SESSION_COOKIES;
use super::{fix, make, span_of, walk, Context};
use std::sync::Arc;

use crate::config::Config;
use crate::finding::{Evidence, Finding, Remediation, Severity, Span};
use crate::python::parse::Parsed;
use crate::source::Touched;

/// What a setting controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A flag that must stay on (`HttpOnly`, `Secure`).
    Flag(&'static str),
    /// The SameSite attribute: `None` turns its protection off.
    SameSite,
    /// A lifetime; the factor turns the written number into seconds.
    Lifetime(u64),
    /// An idle timeout whose `None` means "never".
    Timeout(u64),
    /// Read for another setting's message (`SESSION_EXPIRE_AT_BROWSER_CLOSE`), never a finding.
    Recorded,
}

/// Settings written by name (module constants, config keys, dictionary keys).
const NAMED: &[(&str, Kind, &str)] = &[
    ("SESSION_COOKIE_HTTPONLY", Kind::Flag("HttpOnly"), ""),
    ("SESSION_COOKIE_SECURE", Kind::Flag("Secure"), ""),
    ("SESSION_COOKIE_SAMESITE", Kind::SameSite, ""),
    ("PERMANENT_SESSION_LIFETIME", Kind::Lifetime(1), "Flask"),
    ("SESSION_COOKIE_AGE", Kind::Lifetime(1), "Django"),
    ("session.secure", Kind::Flag("Secure"), "Beaker"),
    ("session.httponly", Kind::Flag("HttpOnly"), "Beaker"),
    ("session.samesite", Kind::SameSite, "Beaker"),
    ("session.timeout", Kind::Timeout(1), "Beaker"),
    ("tools.sessions.secure", Kind::Flag("Secure"), "CherryPy"),
    (
        "tools.sessions.httponly",
        Kind::Flag("HttpOnly"),
        "CherryPy",
    ),
    ("tools.sessions.timeout", Kind::Lifetime(60), "CherryPy"),
];

/// Session middleware and factories, by the last segment of the callee, and their framework.
const CONSTRUCTORS: &[(&str, &str)] = &[
    ("SessionMiddleware", "Starlette"),
    ("SignedCookieSessionFactory", "Pyramid"),
    ("BaseCookieSessionFactory", "Pyramid"),
    ("EncryptedCookieStorage", "aiohttp"),
    ("NaClCookieStorage", "aiohttp"),
    ("SimpleCookieStorage", "aiohttp"),
    ("RedisStorage", "aiohttp"),
    ("MemcachedStorage", "aiohttp"),
];

/// Keyword arguments of those constructors (and of `set_cookie`).
const KEYWORDS: &[(&str, Kind)] = &[
    ("https_only", Kind::Flag("Secure")),
    ("cookie_https_only", Kind::Flag("Secure")),
    ("secure", Kind::Flag("Secure")),
    ("httponly", Kind::Flag("HttpOnly")),
    ("same_site", Kind::SameSite),
    ("cookie_same_site", Kind::SameSite),
    ("samesite", Kind::SameSite),
    ("max_age", Kind::Timeout(1)),
    ("lifetime", Kind::Lifetime(1)),
    ("timeout", Kind::Timeout(1)),
];

/// Words whose presence makes a file worth parsing for these rules.
pub const TRIGGERS: &[&str] = &[
    "SESSION_COOKIE",
    "SESSION_LIFETIME",
    "SESSION_EXPIRE",
    "\"session.",
    "'session.",
    "tools.sessions.",
    "SessionMiddleware",
    "SessionFactory",
    "CookieStorage",
    "RedisStorage",
    "MemcachedStorage",
    "set_cookie",
];

/// Could the text hold a setting these rules read?
pub fn may_apply(text: &str) -> bool {
    TRIGGERS.iter().any(|t| text.contains(t))
}

/// Could the file be a production configuration (for the `scan`-only default check)?
pub fn may_be_production(path: &str, text: &str) -> bool {
    text.contains("DEBUG")
        && (path.to_ascii_lowercase().contains("prod") || text.contains("class Prod"))
}

/// Will `check` parse the whole of a file checked whole (`Touched::All`)? The caller then
/// takes the file's functions from that one tree rather than parsing them again as slices.
pub fn reads_whole_file(config: &Config, path: &str, text: &str, scan: bool) -> bool {
    (config.enabled("SID005") || config.enabled("SID006"))
        && (may_apply(text) || scan && may_be_production(path, text))
}

/// Can `production_default` find anything in this file? It needs `DEBUG = False` in a module
/// whose name says production, or in a class whose name does.
fn production_possible(path: &str, text: &str) -> bool {
    let prod = |t: &[u8]| t.windows(4).any(|w| w.eq_ignore_ascii_case(b"prod"));
    text.contains("DEBUG") && (prod(path.as_bytes()) || prod(text.as_bytes()))
}

/// The top-level items (definitions with their decorators, other statements) holding a
/// trigger word, each parsed alone. Every setting `settings_at` reads is in a statement
/// that spells a trigger (a setting's name, a constructor's, `set_cookie`), so these hold
/// them all; for most files they are a small part of the module. `None` (parse the whole
/// file) when a trigger is outside the outline's items or an item does not parse cleanly.
fn regions(file: &crate::python::file::SourceFile) -> Option<Vec<Arc<Parsed>>> {
    let text = file.text.as_bytes();
    let outline = &file.outline;
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for t in TRIGGERS {
        for at in memchr::memmem::find_iter(text, t.as_bytes()) {
            let def = outline
                .defs
                .iter()
                .find(|d| d.parent.is_none() && d.start_byte <= at && at < d.end_byte);
            spans.push(match def {
                Some(d) => (d.start_byte, d.end_byte, d.start_line),
                None => {
                    let l = outline
                        .top_lines
                        .iter()
                        .find(|l| l.start_byte <= at && at < l.end_byte)?;
                    (l.start_byte, l.end_byte, l.start_line)
                }
            });
        }
    }
    spans.sort_unstable();
    spans.dedup();
    spans
        .into_iter()
        .map(|(start, end, line)| {
            let slice = file.text.get(start..end)?;
            file.parsed_lines
                .set(file.parsed_lines.get() + slice.lines().count());
            let parsed = crate::python::parse::parse_slice(slice, line, 0)?;
            (!parsed.root().has_error()).then(|| Arc::new(parsed))
        })
        .collect()
}

/// SID005 and SID006 findings in `file`: on changed lines in the diff modes, all in `scan`.
pub fn check(ctx: &Context<'_>, touched: &Touched, scan: bool) -> Vec<Finding> {
    let (sid005, sid006) = (ctx.config.enabled("SID005"), ctx.config.enabled("SID006"));
    let file = ctx.file;
    let wanted = |line: usize| match touched {
        Touched::All => true,
        Touched::Lines(ranges) => ranges.iter().any(|&(s, e)| s <= line && line <= e),
    };
    let relevant = match touched {
        Touched::All => reads_whole_file(ctx.config, &file.path, &file.text, scan),
        Touched::Lines(ranges) => {
            (sid005 || sid006)
                && ranges.iter().any(|&(s, e)| {
                    (s..=e.min(file.outline.line_count().max(s)))
                        .any(|l| may_apply(file.line_text(l)))
                })
        }
    };
    if !relevant {
        return Vec::new();
    }
    // The production default reads the whole module; anything else is in the top-level
    // statements that hold a trigger word, parsed alone (see `regions`).
    let production = scan && sid005 && production_possible(&file.path, &file.text);
    let trees: Vec<Arc<Parsed>> = match file.full_if_parsed() {
        Some(full) => vec![full],
        None if production => file.full().into_iter().collect(),
        None => match regions(file) {
            Some(regions) => regions,
            None => file.full().into_iter().collect(),
        },
    };
    if trees.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut settings = Settings::default();
    for parsed in &trees {
        for node in walk(parsed.root()) {
            for (name, kind, framework, value) in settings_at(ctx, parsed, node) {
                settings.seen(&name, parsed, value);
                let line = parsed.line(value.start_position().row);
                if !wanted(line) {
                    continue;
                }
                let found = match kind {
                    Kind::Flag(_) | Kind::SameSite if sid005 => {
                        weakened(ctx, parsed, &name, kind, framework, value)
                    }
                    Kind::Lifetime(_) | Kind::Timeout(_) if sid006 => {
                        too_long(ctx, parsed, &name, kind, framework, value)
                    }
                    _ => None,
                };
                out.extend(found);
            }
        }
    }
    // Django: a long age that also survives closing the browser.
    if let Some(line) = settings.expire_at_close_off {
        for f in out.iter_mut().filter(|f| f.key == "SESSION_COOKIE_AGE") {
            f.evidence.push(Evidence {
                line,
                column: 1,
                end_column: file.line_text(line).chars().count() + 1,
                label: "and the cookie outlives the browser (`SESSION_EXPIRE_AT_BROWSER_CLOSE = False`)".into(),
            });
            f.lines.insert(line, file.line_text(line).to_string());
        }
    }
    if production {
        out.extend(production_default(ctx, &trees[0], &settings));
    }
    out.sort_by_key(|f| (f.span.line, f.span.column));
    out
}

/// What the walk saw, for the file-level judgements.
#[derive(Default)]
struct Settings {
    secure_mentioned: bool,
    expire_at_close_off: Option<usize>,
}

impl Settings {
    fn seen(&mut self, name: &str, parsed: &Parsed, value: Node<'_>) {
        if name == "SESSION_COOKIE_SECURE" {
            self.secure_mentioned = true;
        }
        if name == "SESSION_EXPIRE_AT_BROWSER_CLOSE" && parsed.node_text(value).trim() == "False" {
            self.expire_at_close_off = Some(parsed.line(value.start_position().row));
        }
    }
}

/// The settings a node writes: (name, kind, framework, value node).
fn settings_at<'t>(
    ctx: &Context<'_>,
    parsed: &'t Parsed,
    node: Node<'t>,
) -> Vec<(String, Kind, &'static str, Node<'t>)> {
    let text = |n: Node<'_>| parsed.node_text(n).to_string();
    let named = |name: &str| -> Option<(Kind, &'static str)> {
        if name == "SESSION_EXPIRE_AT_BROWSER_CLOSE" {
            // Recorded for SID006's message, never a finding by itself.
            return Some((Kind::Recorded, "Django"));
        }
        NAMED.iter().find(|(n, _, _)| *n == name).map(|(_, k, fw)| {
            let fw = if fw.is_empty() {
                django_or_flask_at(ctx, parsed.line(node.start_position().row))
            } else {
                fw
            };
            (*k, fw)
        })
    };
    let mut out = Vec::new();
    match node.kind() {
        "assignment" => {
            let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                return out;
            };
            let name = match left.kind() {
                "identifier" => text(left),
                "attribute" => left.field("attribute").map(text).unwrap_or_default(),
                "subscript" => left
                    .field("subscript")
                    .and_then(string_literal(parsed))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            if let Some((kind, fw)) = named(&name) {
                out.push((name, kind, fw, right));
            }
        }
        "pair" => {
            let (Some(k), Some(v)) = (node.field("key"), node.field("value")) else {
                return out;
            };
            if let Some(name) = string_literal(parsed)(k) {
                if let Some((kind, fw)) = named(&name) {
                    out.push((name, kind, fw, v));
                }
            }
        }
        "keyword_argument" => {
            let (Some(k), Some(v)) = (node.field("name"), node.field("value")) else {
                return out;
            };
            let name = text(k);
            if let Some((kind, fw)) = named(&name) {
                out.push((name, kind, fw, v));
                return out;
            }
            // A keyword of a session constructor or of `set_cookie(<session cookie>)`.
            let Some(call) = node.parent().and_then(|a| a.parent()) else {
                return out;
            };
            let Some(framework) = session_call(parsed, call) else {
                return out;
            };
            if let Some((_, kind)) = KEYWORDS.iter().find(|(n, _)| *n == name) {
                // `lifetime` is starsessions' absolute bound; elsewhere it means nothing.
                if name == "lifetime" && framework != "starsessions" {
                    return out;
                }
                // Pyramid's `timeout` is idle time; its `max_age` the cookie's.
                out.push((name, *kind, framework, v));
            }
        }
        _ => {}
    }
    out
}

/// The content of a plain string literal node.
fn string_literal<'p>(parsed: &'p Parsed) -> impl Fn(Node<'_>) -> Option<String> + 'p {
    move |n: Node<'_>| {
        if n.kind() != "string" {
            return None;
        }
        let t = parsed.node_text(n);
        let inner = t
            .trim_start_matches(['r', 'b', 'u', 'R', 'B', 'U'])
            .trim_matches(|c| c == '"' || c == '\'');
        Some(inner.to_string())
    }
}

/// The framework of a session constructor call, or of `set_cookie` on a session cookie.
fn session_call(parsed: &Parsed, call: Node<'_>) -> Option<&'static str> {
    if call.kind() != "call" {
        return None;
    }
    let callee = parsed.node_text(call.field("function")?);
    let last = callee.rsplit('.').next().unwrap_or(callee);
    let args = call.field("arguments")?;
    let first = args.named_child(0).map(|a| parsed.node_text(a));
    let starsessions = || {
        let mut c = args.walk();
        let kws: Vec<String> = args
            .named_children(&mut c)
            .filter_map(|a| a.field("name"))
            .map(|n| parsed.node_text(n).to_string())
            .collect();
        kws.iter()
            .any(|k| k.starts_with("cookie_") || k == "store" || k == "lifetime")
    };
    match last {
        "add_middleware" | "Middleware"
            if first.is_some_and(|f| f.rsplit('.').next() == Some("SessionMiddleware")) =>
        {
            Some(if starsessions() {
                "starsessions"
            } else {
                "Starlette"
            })
        }
        "SessionMiddleware" if starsessions() => Some("starsessions"),
        "set_cookie" => {
            let name = first?.trim_matches(|c| c == '"' || c == '\'');
            (SESSION_COOKIES.contains(&name) || name.contains("SESSION_COOKIE_NAME")).then_some("")
        }
        _ => CONSTRUCTORS
            .iter()
            .find(|(n, _)| *n == last)
            .map(|(_, fw)| *fw),
    }
}

/// Whose setting a name both Django and Flask (or Quart) read is, written at `line`. The
/// file's own evidence first: its imports, then its path (a vendored or installed copy of
/// the framework imports itself relatively), then its shape (a setting written as a class
/// attribute is a Flask config object: Django's settings are module attributes, unless
/// django-configurations' classes, which import `configurations`). The project's facts
/// decide only when the file says nothing, and only when they name one framework: a file
/// scanned alongside a Django project (or from outside it) is not Django's for that.
fn django_or_flask_at(ctx: &Context<'_>, line: usize) -> &'static str {
    let module = &ctx.file.module;
    if module.imports_root("django") || module.imports_root("configurations") {
        return "Django";
    }
    if module.imports_root("quart") {
        return "Quart";
    }
    if module.imports_root("flask") {
        return "Flask";
    }
    let dirs: Vec<&str> = ctx.file.path.split(['/', '\\']).collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    for (dir, fw) in [("django", "Django"), ("quart", "Quart"), ("flask", "Flask")] {
        if dirs.contains(&dir) {
            return fw;
        }
    }
    if ctx.file.outline.function_at(line).is_none() && class_at(ctx, line).is_some() {
        return "Flask";
    }
    let flask = ctx.facts.has(crate::project::FileFacts::FLASK);
    if ctx.facts.is_django() && !flask {
        "Django"
    } else {
        "Flask"
    }
}

/// The innermost class whose body holds `line`.
fn class_at(ctx: &Context<'_>, line: usize) -> Option<usize> {
    let outline = &ctx.file.outline;
    outline
        .defs
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.kind == crate::python::outline::DefKind::Class
                && d.start_line <= line
                && line <= d.end_line
        })
        .max_by_key(|(_, d)| d.start_line)
        .map(|(i, _)| i)
}

/// The scope a setting written at `line` is reported in, with the lines that hold it: its
/// function, else its class (a class attribute, as in a Flask config object: the line
/// itself), else `<module>`.
fn enclosing(ctx: &Context<'_>, line: usize) -> (String, (usize, usize)) {
    let file = ctx.file;
    if let Some(d) = file.outline.function_at(line) {
        let d = &file.outline.defs[d];
        return (d.qualname.clone(), (d.start_line, d.end_line));
    }
    match class_at(ctx, line) {
        Some(d) => (file.outline.defs[d].qualname.clone(), (line, line)),
        None => ("<module>".to_string(), (line, line)),
    }
}

/// The patch that replaces the value node's text with `new` (single-line values only).
fn replace_value(ctx: &Context<'_>, parsed: &Parsed, value: Node<'_>, new: &str) -> String {
    let file = ctx.file;
    let span = span_of(file, parsed, value);
    if span.line != span.end_line {
        return String::new();
    }
    let text = file.line_text(span.line);
    let chars: Vec<char> = text.chars().collect();
    let (a, b) = (span.column - 1, (span.end_column - 1).min(chars.len()));
    if a > b {
        return String::new();
    }
    let mut line: String = chars[..a].iter().collect();
    line.push_str(new);
    line.extend(&chars[b..]);
    let last = file.outline.line_count().max(1);
    fix::replace_line(
        file,
        span.line.saturating_sub(2).max(1),
        (span.line + 2).min(last),
        span.line,
        Some(&line),
    )
}

/// SID005: an explicit `False` (or SameSite `None`).
fn weakened(
    ctx: &Context<'_>,
    parsed: &Parsed,
    name: &str,
    kind: Kind,
    framework: &'static str,
    value: Node<'_>,
) -> Option<Finding> {
    let v = parsed.node_text(value).trim();
    let unquoted = v.trim_matches(|c| c == '"' || c == '\'');
    let (attribute, fix_to, why) = match kind {
        Kind::Flag(attr) => {
            if !matches!(v, "False" | "0") && !unquoted.eq_ignore_ascii_case("false") {
                return None;
            }
            let why = if attr == "Secure" {
                "Without `Secure` the browser also sends the session cookie over plain HTTP, where anyone on the network path (public Wi-Fi, a proxy) can read the session ID and ride the session, or set one for a fixation."
            } else {
                "Without `HttpOnly` any script on the page can read the session cookie: one XSS bug hands the session ID to an attacker, and script can also plant an ID (fixation)."
            };
            (attr, "True".to_string(), why)
        }
        Kind::SameSite => {
            let off = v == "None" || v == "False" || unquoted.eq_ignore_ascii_case("none");
            if !off {
                return None;
            }
            (
                "SameSite",
                if v == "None" || v == "False" {
                    "\"Lax\"".to_string()
                } else {
                    v.replace(unquoted, "Lax")
                },
                "With `SameSite` off the browser attaches the session cookie to requests other sites trigger (forms, images, scripts), which is what cross-site request forgery and login CSRF need.",
            )
        }
        _ => return None,
    };
    let file = ctx.file;
    let span = span_of(file, parsed, value);
    let patch = replace_value(ctx, parsed, value, &fix_to);
    let what = if framework.is_empty() {
        format!("`{name}={v}` on the session cookie")
    } else {
        format!("`{name} = {v}` ({framework})")
    };
    Some(make(
        file,
        "SID005",
        Severity::Error,
        span,
        enclosing(ctx, span.line),
        format!("{what} turns the session cookie's `{attribute}` attribute off"),
        why.to_string(),
        framework_name(framework),
        Remediation {
            summary: format!("Keep `{attribute}` on: set `{name}` to `{fix_to}`."),
            patch,
        },
        name.to_string(),
        Vec::new(),
    ))
}

fn framework_name(fw: &str) -> &'static str {
    match fw {
        "Flask" => "flask",
        "Django" => "django",
        "Quart" => "quart",
        "Starlette" | "starsessions" => "starlette",
        "Pyramid" => "pyramid",
        "aiohttp" => "aiohttp",
        "Beaker" => "beaker",
        "CherryPy" => "cherrypy",
        _ => "",
    }
}

/// A lifetime's value in seconds: `Some(None)` for "unbounded", `None` when unknown.
fn seconds(parsed: &Parsed, node: Node<'_>, depth: usize) -> Option<Option<f64>> {
    if depth > 16 {
        return None;
    }
    let text = parsed.node_text(node).trim();
    match node.kind() {
        "none" => Some(None),
        "integer" | "float" => text.replace('_', "").parse::<f64>().ok().map(Some),
        "parenthesized_expression" => seconds(parsed, node.named_child(0)?, depth + 1),
        "binary_operator" => {
            let l = seconds(parsed, node.field("left")?, depth + 1)??;
            let r = seconds(parsed, node.field("right")?, depth + 1)??;
            let op = parsed.node_text(node.field("operator")?);
            Some(Some(match op {
                "*" => l * r,
                "+" => l + r,
                "-" => l - r,
                "//" | "/" if r != 0.0 => l / r,
                _ => return None,
            }))
        }
        "call" => {
            let callee = parsed.node_text(node.field("function")?);
            if callee.rsplit('.').next() != Some("timedelta") {
                return None;
            }
            let args = node.field("arguments")?;
            let mut total = 0.0;
            let mut c = args.walk();
            for (i, a) in args.named_children(&mut c).enumerate() {
                let (unit, v) = if a.kind() == "keyword_argument" {
                    let name = parsed.node_text(a.field("name")?);
                    (name.to_string(), a.field("value")?)
                } else {
                    let unit = [
                        "days",
                        "seconds",
                        "microseconds",
                        "milliseconds",
                        "minutes",
                        "hours",
                        "weeks",
                    ];
                    (unit.get(i)?.to_string(), a)
                };
                let n = seconds(parsed, v, depth + 1)??;
                total += n * match unit.as_str() {
                    "weeks" => 604_800.0,
                    "days" => 86_400.0,
                    "hours" => 3_600.0,
                    "minutes" => 60.0,
                    "seconds" => 1.0,
                    "milliseconds" => 0.001,
                    "microseconds" => 0.000_001,
                    _ => return None,
                };
            }
            Some(Some(total))
        }
        _ => None,
    }
}

fn human(secs: f64) -> String {
    let days = secs / 86_400.0;
    if days >= 1.0 {
        format!("{} days", (days * 10.0).round() / 10.0)
    } else {
        format!("{} hours", (secs / 3_600.0 * 10.0).round() / 10.0)
    }
}

/// SID006: a lifetime over the configured bound, or none at all.
fn too_long(
    ctx: &Context<'_>,
    parsed: &Parsed,
    name: &str,
    kind: Kind,
    framework: &'static str,
    value: Node<'_>,
) -> Option<Finding> {
    let (factor, none_unbounded) = match kind {
        Kind::Lifetime(f) => (f, false),
        Kind::Timeout(f) => (f, true),
        _ => return None,
    };
    let limit = ctx.config.max_lifetime_seconds() as f64;
    let days = ctx.config.settings.max_session_lifetime_days;
    let v = parsed.node_text(value).trim().to_string();
    let what = match seconds(parsed, value, 0)? {
        None if none_unbounded => "no expiry at all".to_string(),
        None => return None,
        Some(s) => {
            let s = s * factor as f64;
            if s <= limit {
                return None;
            }
            format!("a lifetime of {}", human(s))
        }
    };
    // The fix keeps the author's spelling: a timedelta stays one.
    let fix_to = if v.contains("timedelta(") {
        let callee = v.split('(').next().unwrap_or("timedelta");
        format!("{callee}(days={days})")
    } else {
        let secs = days * 86_400 / factor;
        if factor == 1 {
            format!("60 * 60 * 24 * {days}")
        } else {
            secs.to_string()
        }
    };
    let file = ctx.file;
    let span = span_of(file, parsed, value);
    let patch = replace_value(ctx, parsed, value, &fix_to);
    let shown = if framework.is_empty() {
        format!("`{name}={v}` on the session cookie")
    } else {
        format!("`{name} = {v}` ({framework})")
    };
    Some(make(
        file,
        "SID006",
        Severity::Warning,
        span,
        enclosing(ctx, span.line),
        format!("{shown} gives sessions {what}, more than the {days}-day bound"),
        "A session that lives for months keeps a fixed or stolen session ID useful for months. An absolute bound (and an idle timeout) caps how long an attacker can ride a session they planted or captured, and forces a fresh login, with a fresh ID, now and then.".to_string(),
        framework_name(framework),
        Remediation {
            summary: format!("Bound the session: at most {days} days (`max-session-lifetime-days` in the configuration), less for sensitive applications."),
            patch,
        },
        name.to_string(),
        Vec::new(),
    ))
}

/// `scan` only: a production settings module (or config class) that leaves `Secure` at its
/// default, which is off in Flask and Django. Conservative: only when the file clearly is the
/// production configuration, sets `DEBUG = False`, and could not inherit the setting from
/// elsewhere (no star import, no base class from another module).
fn production_default(ctx: &Context<'_>, parsed: &Parsed, settings: &Settings) -> Option<Finding> {
    let file = ctx.file;
    if settings.secure_mentioned || file.text.contains("SESSION_COOKIE_SECURE") {
        return None;
    }
    if file.text.contains("import *") {
        return None;
    }
    let stem = file
        .path
        .rsplit('/')
        .next()
        .unwrap_or(&file.path)
        .trim_end_matches(".py")
        .to_ascii_lowercase();
    let root = parsed.root();
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        // Django: `settings/production.py` with `DEBUG = False` at module level.
        if stmt.kind() == "expression_statement" && stem.contains("prod") {
            if let Some(debug) = debug_false(parsed, stmt) {
                return Some(default_finding(ctx, parsed, debug, "Django"));
            }
        }
        // Flask: `class ProductionConfig(Config)` whose bases are all in this file.
        if stmt.kind() == "class_definition" {
            let name = stmt
                .field("name")
                .map(|n| parsed.node_text(n))
                .unwrap_or("");
            if !name.to_ascii_lowercase().contains("prod") {
                continue;
            }
            let local_bases = stmt.field("superclasses").is_none_or(|s| {
                let mut c2 = s.walk();
                let bases: Vec<&str> = s
                    .named_children(&mut c2)
                    .map(|b| parsed.node_text(b))
                    .collect();
                bases.iter().all(|b| {
                    *b == "object"
                        || file.text.contains(&format!("class {b}(")) && !b.contains('.')
                        || file.text.contains(&format!("class {b}:"))
                })
            });
            if !local_bases {
                continue;
            }
            let Some(body) = stmt.field("body") else {
                continue;
            };
            let mut c3 = body.walk();
            for s in body.named_children(&mut c3) {
                if let Some(debug) = debug_false(parsed, s) {
                    let line = parsed.line(debug.start_position().row);
                    return Some(default_finding(
                        ctx,
                        parsed,
                        debug,
                        django_or_flask_at(ctx, line),
                    ));
                }
            }
        }
    }
    None
}

fn debug_false<'t>(parsed: &Parsed, stmt: Node<'t>) -> Option<Node<'t>> {
    let a = stmt.named_child(0).filter(|a| a.kind() == "assignment")?;
    let left = parsed.node_text(a.field("left")?);
    let right = parsed.node_text(a.field("right")?);
    (left == "DEBUG" && right.trim() == "False").then_some(stmt)
}

fn default_finding(
    ctx: &Context<'_>,
    parsed: &Parsed,
    at: Node<'_>,
    framework: &'static str,
) -> Finding {
    let file = ctx.file;
    let span: Span = span_of(file, parsed, at);
    let patch = fix::patch(
        file,
        span.line.saturating_sub(2).max(1),
        (span.line + 2).min(file.outline.line_count().max(1)),
        &[fix::Insertion {
            line: span.line,
            after: true,
            code: "SESSION_COOKIE_SECURE = True".to_string(),
        }],
    );
    make(
        file,
        "SID005",
        Severity::Warning,
        span,
        enclosing(ctx, span.line),
        format!("this production configuration leaves `SESSION_COOKIE_SECURE` at {framework}'s default, which is off: the session cookie is also sent over plain HTTP"),
        "Flask and Django both default `SESSION_COOKIE_SECURE` to `False`. In production, behind HTTPS, the session cookie should never travel over plain HTTP, where it can be read or replaced.".to_string(),
        framework_name(framework),
        Remediation {
            summary: "Set `SESSION_COOKIE_SECURE = True` in the production configuration.".to_string(),
            patch,
        },
        "SESSION_COOKIE_SECURE(default)".to_string(),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::file::SourceFile;

    const SRC: &str = r#"import os
from starlette.middleware.sessions import SessionMiddleware

SESSION_COOKIE_SECURE = False


class Config:
    SESSION_COOKIE_HTTPONLY = False
    PERMANENT_SESSION_LIFETIME = 90 * 24 * 3600


def build(app):
    app.add_middleware(
        SessionMiddleware,
        secret_key="k",
        https_only=False,
    )
    opts = {"session.secure": False, "session.timeout": None}
    return opts


@decorated
def respond(resp):
    resp.set_cookie("sessionid", "v", httponly=False)


SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
"#;

    fn findings(file: &SourceFile) -> Vec<(usize, usize, String)> {
        let config = Config::default();
        let ctx = Context {
            file,
            facts: Default::default(),
            config: &config,
            helpers: None,
        };
        check(&ctx, &Touched::All, true)
            .into_iter()
            .map(|f| {
                (
                    f.span.line,
                    f.span.column,
                    format!("{} {:?}", f.message, f.evidence),
                )
            })
            .collect()
    }

    #[test]
    fn regions_find_what_the_whole_file_finds() {
        let sliced = SourceFile::new("app/settings.py".into(), SRC.as_bytes(), false);
        let got = findings(&sliced);
        assert!(
            sliced.full_if_parsed().is_none(),
            "the module was not parsed whole"
        );
        let whole = SourceFile::new("app/settings.py".into(), SRC.as_bytes(), false);
        whole.full();
        assert_eq!(got, findings(&whole));
        let lines: Vec<usize> = got.iter().map(|f| f.0).collect();
        assert_eq!(lines, vec![4, 8, 9, 16, 18, 18, 24, 28], "{got:#?}");
        // A trigger outside any item the outline knows, or an item that does not parse:
        // the whole file is parsed.
        let broken = SourceFile::new(
            "app/settings.py".into(),
            format!("{SRC}\ndef bad(:\n    SESSION_COOKIE_SECURE = False\n").as_bytes(),
            false,
        );
        findings(&broken);
        assert!(broken.full_if_parsed().is_some());
    }
}
