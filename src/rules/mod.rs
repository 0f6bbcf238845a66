//! The rules, run on one function: each rule's module finds its pattern in the Python
//! analysis's events and returns plain `Finding`s. Their codes, names and documentation are
//! declared in `crate::registry`.

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
use crate::registry::find;
use login_without_regeneration::Mode;

/// What the rules need besides the file: project facts.
pub struct Context<'a> {
    pub file: &'a SourceFile,
    pub facts: ProjectFacts,
    pub config: &'a crate::config::Config,
    /// Summaries of helpers in other project modules, by the qualified path this file uses.
    pub helpers: Option<&'a std::collections::HashMap<String, crate::python::summary::Summary>>,
}

/// Runs every function rule on one function (an outline index) and returns its findings.
pub fn check_function(ctx: &Context<'_>, def: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let on = |code| ctx.config.enabled(code);
    // The login walk also finds a login of the user already logged in, reported as SID002.
    if on("SID001") || on("SID002") {
        out.extend(login_without_regeneration::check(ctx, def));
        out.retain(|f| on(f.rule));
    }
    // A privilege is named in the file, or written by a helper it calls.
    let privilege = || {
        ctx.file.may_name_privilege()
            || ctx
                .file
                .module
                .constants
                .values()
                .any(|k| crate::frameworks::auth::may_name_privilege(k))
            || ctx
                .helpers
                .is_some_and(|h| h.values().any(|s| s.writes_privilege.is_some()))
    };
    // A login that also sets a role is one finding (SID001): its fix covers both.
    let login_found = !out.is_empty();
    if on("SID002") && !login_found && privilege() {
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
