#![doc = include_str!("session_id_from_request.md")]
//!
//! ## Implementation
//! A walk over the function's nodes (iterative: no recursion on hostile nesting). A value is
//! request data when its text reads the query string, form, body, headers or URL of the
//! request (`request.args`, `request.GET`, `request.query_params`, `request.match_info`...),
//! directly or through a local assigned from such a read. Cookies are not request data
//! here: reading the session cookie is what the framework itself does.

use crate::python::parse::Fields;
use tree_sitter::Node;

use super::{fix, make, span_of, walk, Context};
use crate::finding::{Finding, Remediation, Severity};
use crate::python::file::FunctionRef;
use crate::python::imports::FunctionScope;

const CODE: &str = "SID004";

/// Attributes that hold a session's ID.
const ID_ATTRIBUTES: &[&str] = &[
    "sid",
    "session_id",
    "session_key",
    "_session_key",
    "sessionid",
];

/// Request attributes that carry attacker-controlled data (not cookies).
const REQUEST_DATA: &[&str] = &[
    "args",
    "form",
    "values",
    "GET",
    "POST",
    "REQUEST",
    "query_params",
    "path_params",
    "headers",
    "META",
    "query",
    "query_string",
    "match_info",
    "params",
    "matchdict",
    "json",
    "get_json",
    "data",
    "body",
    "forms",
    "view_args",
    "rel_url",
    "url",
    "path",
];

/// Cookie names that are a session cookie.
pub const SESSION_COOKIES: &[&str] = &[
    "session",
    "sessionid",
    "session_id",
    "sid",
    "beaker.session.id",
    "AIOHTTP_SESSION",
    "JSESSIONID",
];

/// SID004 findings for outline function `def`.
pub fn check(ctx: &Context<'_>, def: usize) -> Vec<Finding> {
    let Some(func) = ctx.file.function(def) else {
        return Vec::new();
    };
    let Some(node) = func.node() else {
        return Vec::new();
    };
    let src = func.parsed.text.as_str();
    let scope = FunctionScope::build(node, src);
    let text = |n: Node<'_>| src.get(n.byte_range()).unwrap_or("");
    let tainted = |n: Node<'_>| request_data(text(n), &scope, 0);
    let mut out = Vec::new();
    for n in walk(node) {
        let hit: Option<(Node<'_>, String)> = match n.kind() {
            "assignment" => {
                let (Some(left), Some(right)) = (n.field("left"), n.field("right")) else {
                    continue;
                };
                let attr = (left.kind() == "attribute")
                    .then(|| left.field("attribute"))
                    .flatten()
                    .map(text);
                match (attr, tainted(right)) {
                    (Some(a), Some(src_text)) if ID_ATTRIBUTES.contains(&a) => {
                        Some((n, format!("`{}` is set from `{src_text}`", text(left))))
                    }
                    _ => None,
                }
            }
            "call" => call_hit(n, &text, &tainted),
            _ => None,
        };
        if let Some((at, what)) = hit {
            out.push(finding(ctx, def, &func, at, what));
        }
    }
    out
}

fn call_hit<'t>(
    n: Node<'t>,
    text: &dyn Fn(Node<'_>) -> &'t str,
    tainted: &dyn Fn(Node<'_>) -> Option<String>,
) -> Option<(Node<'t>, String)> {
    let func = n.field("function")?;
    let args = n.field("arguments")?;
    let callee = text(func);
    let last = callee.rsplit('.').next().unwrap_or(callee);
    let mut cursor = args.walk();
    let list: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    let keyword = |name: &str| {
        list.iter().find_map(|a| {
            (a.kind() == "keyword_argument" && a.field("name").is_some_and(|k| text(k) == name))
                .then(|| a.field("value"))
                .flatten()
        })
    };
    let positional = |i: usize| {
        list.iter()
            .filter(|a| a.kind() != "keyword_argument")
            .nth(i)
            .copied()
    };
    match last {
        // Django: `SessionStore(session_key=...)` / `SessionStore(<key>)`.
        "SessionStore" => {
            let v = keyword("session_key").or_else(|| positional(0))?;
            let from = tainted(v)?;
            Some((
                n,
                format!("`{callee}(...)` loads the session named by `{from}`"),
            ))
        }
        // Beaker: `Session(request, id=...)` / `SessionObject(environ, id=...)`.
        "Session" | "SessionObject" | "CookieSession" => {
            let v = keyword("id")?;
            let from = tainted(v)?;
            Some((
                n,
                format!("`{callee}(...)` opens the session named by `{from}`"),
            ))
        }
        "set_cookie" => {
            let name = keyword("key").or_else(|| positional(0))?;
            let name_text = text(name);
            let literal = name_text.trim_matches(|c| c == '"' || c == '\'');
            let is_session = SESSION_COOKIES.contains(&literal)
                || name_text.contains("SESSION_COOKIE_NAME")
                || name_text.contains("session_cookie_name")
                || name_text.contains("cookie_name");
            if !is_session {
                return None;
            }
            let v = keyword("value").or_else(|| positional(1))?;
            let from = tainted(v)?;
            Some((
                n,
                format!("the session cookie `{literal}` is set from `{from}`"),
            ))
        }
        _ => None,
    }
}

/// The request-data read an expression's text contains, directly or through a local.
fn request_data(text: &str, scope: &FunctionScope, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for recv in ["request.", "req.", "self.request."] {
        let mut from = 0;
        while let Some(i) = compact[from..].find(recv) {
            let at = from + i;
            from = at + recv.len();
            // `myrequest.args` is not `request.args`.
            let before = compact[..at].chars().next_back();
            if before.is_some_and(|c| c == '_' || c.is_alphanumeric()) {
                continue;
            }
            let rest = &compact[from..];
            let attr: String = rest
                .chars()
                .take_while(|c| *c == '_' || c.is_alphanumeric())
                .collect();
            if REQUEST_DATA.contains(&attr.as_str()) {
                // The read itself: up to a separator outside brackets.
                let mut depth = 0usize;
                let mut end = compact.len();
                for (i, c) in compact[at..].char_indices() {
                    match c {
                        '(' | '[' => depth += 1,
                        ')' | ']' if depth == 0 => {
                            end = at + i;
                            break;
                        }
                        ')' | ']' => depth -= 1,
                        ',' | ';' if depth == 0 => {
                            end = at + i;
                            break;
                        }
                        _ => {}
                    }
                }
                return Some(compact[at..end].to_string());
            }
        }
    }
    // A local assigned from request data (`sid = request.args["sid"]`).
    let name = text.trim();
    if !name.is_empty() && name.chars().all(|c| c == '_' || c.is_alphanumeric()) {
        if let Some(values) = scope.aliases.get(name) {
            return values
                .iter()
                .find_map(|v| request_data(v, scope, depth + 1));
        }
    }
    None
}

fn finding(
    ctx: &Context<'_>,
    def: usize,
    func: &FunctionRef,
    node: Node<'_>,
    what: String,
) -> Finding {
    let file = ctx.file;
    let span = span_of(file, &func.parsed, node);
    let d = &file.outline.defs[def];
    let patch = fix::replace_line(
        file,
        span.line.saturating_sub(3).max(d.start_line),
        (span.line + 3).min(d.end_line),
        span.line,
        None,
    );
    // Only a whole one-line statement can be deleted safely.
    let patch = if span.line == span.end_line
        && file.line_text(span.line).trim_start().len()
            == file.line_text(span.line).len() - (span.column - 1)
    {
        patch
    } else {
        String::new()
    };
    make(
        file,
        CODE,
        Severity::Error,
        span,
        (d.qualname.clone(), (d.start_line, d.end_line)),
        format!("{what}: a session ID taken from the request lets anyone who sends the victim a link or a form choose the victim's session, the classic fixation vector"),
        "Session fixation needs one step: getting a known session ID into the victim's browser. Accepting the ID from the query string, a form, a header or the URL is that step done for the attacker: they send a link carrying an ID they know, the victim logs in under it, and the attacker's copy is logged in too. Session IDs must come only from the framework's own cookie, and be issued by the server.".to_string(),
        "",
        Remediation {
            summary: "Remove this: never take a session ID from request data. Let the framework read its own cookie, and issue a new ID at login (see SID001).".to_string(),
            patch,
        },
        String::new(),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_reads() {
        let scope = FunctionScope::default();
        assert!(request_data("request.args['sid']", &scope, 0).is_some());
        assert!(request_data("request.GET.get('s')", &scope, 0).is_some());
        assert!(request_data("self.request.query_params[\"x\"]", &scope, 0).is_some());
        assert!(request_data("request.cookies.get('sid')", &scope, 0).is_none());
        assert!(request_data("myrequest.args['x']", &scope, 0).is_none());
        assert!(request_data("uuid.uuid4().hex", &scope, 0).is_none());
    }
}
