//! The rule registry: every rule's code, name, default severity and documentation, declared
//! once. `sidguard rules`, `sidguard explain CODE` and the README's table come from here.

pub mod cookie_settings;
pub mod fix;
pub mod login_without_regeneration;
pub mod session_id_from_request;

use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::finding::{Evidence, Finding, Remediation, Severity, Span};
use crate::project::ProjectFacts;
use crate::python::file::SourceFile;
use crate::python::parse::Parsed;
use login_without_regeneration::Mode;

/// Static description of a rule.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The text under the flagged code in the text report.
    pub label: &'static str,
    /// Markdown documentation: What it does / Why is this bad? / Example / Use instead / References.
    pub doc: &'static str,
}

pub static RULES: &[Rule] = &[
    Rule {
        code: "SID001",
        label: "identity written to the pre-login session",
        name: "login-without-regeneration",
        severity: Severity::Error,
        summary: "session not regenerated after login",
        doc: include_str!("login_without_regeneration.md"),
    },
    Rule {
        code: "SID002",
        label: "privilege raised in the same session",
        name: "privilege-change-without-regeneration",
        severity: Severity::Error,
        summary: "session not regenerated when privilege rises",
        doc: include_str!("privilege_change.md"),
    },
    Rule {
        code: "SID003",
        label: "identity removed, session kept alive",
        name: "logout-without-invalidation",
        severity: Severity::Error,
        summary: "logout keeps the session alive",
        doc: include_str!("logout_without_invalidation.md"),
    },
    Rule {
        code: "SID004",
        label: "session ID taken from the request",
        name: "session-id-from-request",
        severity: Severity::Error,
        summary: "session ID taken from request data",
        doc: include_str!("session_id_from_request.md"),
    },
    Rule {
        code: "SID005",
        label: "session cookie protection off",
        name: "insecure-session-cookie",
        severity: Severity::Error,
        summary: "session cookie flag turned off",
        doc: include_str!("insecure_session_cookie.md"),
    },
    Rule {
        code: "SID006",
        label: "session lifetime too long",
        name: "unbounded-session-lifetime",
        severity: Severity::Warning,
        summary: "session lifetime unbounded or too long",
        doc: include_str!("unbounded_session_lifetime.md"),
    },
    Rule {
        code: "SID900",
        label: "suppression without a code",
        name: "blanket-suppression",
        severity: Severity::Warning,
        summary: "suppression without a rule code",
        doc: include_str!("suppressions.md"),
    },
    Rule {
        code: "SID901",
        label: "suppresses nothing",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary: "suppression that suppresses nothing",
        doc: include_str!("suppressions.md"),
    },
];

pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name.eq_ignore_ascii_case(code))
}

/// What the rules need besides the file: project facts.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub facts: ProjectFacts,
    pub config: &'a crate::config::Config,
    /// Summaries of helpers in other project modules, by the qualified path this file uses.
    pub helpers: Option<&'a std::collections::HashMap<String, login_without_regeneration::Summary>>,
}

/// Runs every function rule on one function (an outline index) and returns its findings.
pub fn check_function(ctx: &Context<'_>, def: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let on = |code| ctx.config.enabled(code);
    if on("SID001") {
        out.extend(login_without_regeneration::check(ctx, def));
    }
    // A login that also sets a role is one finding (SID001): its fix covers both.
    if on("SID002") && !out.iter().any(|f| f.rule == "SID001") && ctx.file.may_name_privilege() {
        out.extend(login_without_regeneration::check_mode(
            ctx,
            def,
            Mode::Privilege,
        ));
    }
    if on("SID003") {
        out.extend(login_without_regeneration::check_mode(
            ctx,
            def,
            Mode::Logout,
        ));
    }
    if on("SID004") {
        out.extend(session_id_from_request::check(ctx, def));
    }
    configured(ctx.config, out)
}

/// The findings for outline function `def` in a file where no session event can arise
/// (`prefilter::events_possible`): SID001-SID003 need one, so only SID004 is run.
pub fn check_request_data(ctx: &Context<'_>, def: usize) -> Vec<Finding> {
    if !ctx.config.enabled("SID004") {
        return Vec::new();
    }
    configured(ctx.config, session_id_from_request::check(ctx, def))
}

/// Applies the configured per-rule severity (`[tool.sidguard.severity]`).
pub fn configured(config: &crate::config::Config, mut findings: Vec<Finding>) -> Vec<Finding> {
    for f in &mut findings {
        f.severity = config.severity(f.rule, f.severity);
    }
    findings
}

/// Every node under `root` (itself included), in document order, without recursion.
pub fn walk(root: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut cursor = root.walk();
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let node = cursor.node();
        if cursor.goto_first_child() {
            return Some(node);
        }
        loop {
            if cursor.node() == root {
                done = true;
                return Some(node);
            }
            if cursor.goto_next_sibling() {
                return Some(node);
            }
            if !cursor.goto_parent() {
                done = true;
                return Some(node);
            }
        }
    })
}

/// The 1-based, character-column span of `node` in `file`.
pub fn span_of(file: &SourceFile, parsed: &Parsed, node: Node<'_>) -> Span {
    let s = node.start_position();
    let e = node.end_position();
    let (line, end_line) = (parsed.line(s.row), parsed.line(e.row));
    let col = parsed.file_col(s.row, s.column);
    let end_col = parsed.file_col(e.row, e.column);
    let column = login_without_regeneration::char_col(file, line, col);
    let end_column = login_without_regeneration::char_col(file, end_line, end_col);
    Span {
        line,
        column,
        end_line,
        end_column,
    }
}

/// A finding of a rule that is not flow-based, located at `span` in `def` (or the module).
#[allow(clippy::too_many_arguments)]
pub fn make(
    file: &SourceFile,
    code: &'static str,
    severity: Severity,
    span: Span,
    (function, function_lines): (String, (usize, usize)),
    message: String,
    why: String,
    framework: &'static str,
    remediation: Remediation,
    key: String,
    evidence: Vec<Evidence>,
) -> Finding {
    let rule = find(code).expect("registered rule");
    let mut lines = BTreeMap::new();
    lines.insert(span.line, file.line_text(span.line).to_string());
    for e in &evidence {
        lines.insert(e.line, file.line_text(e.line).to_string());
    }
    Finding {
        rule: rule.code,
        name: rule.name,
        severity,
        blocking: true,
        path: file.path.clone(),
        span,
        function,
        message,
        evidence,
        why,
        framework,
        storage: "",
        remediation,
        git_ref: None,
        commit: None,
        lines,
        function_lines,
        key,
        preexisting: false,
        fingerprint: String::new(),
    }
}
