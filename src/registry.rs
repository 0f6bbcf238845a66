//! The rule registry: every rule's code, name, default severity and documentation, declared
//! once. `sidguard rules`, `sidguard explain CODE`, the rule pages under `docs/rules/` and the
//! README's table come from here. It sits with the shared types, below the rules: the
//! configuration checks rule names against it and the reports print it. Each rule's
//! documentation is the Markdown file beside its code in `src/rules/`.

use crate::finding::Severity;

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
        doc: include_str!("rules/login_without_regeneration.md"),
    },
    Rule {
        code: "SID002",
        label: "privilege raised in the same session",
        name: "privilege-change-without-regeneration",
        severity: Severity::Error,
        summary: "session not regenerated when privilege rises",
        doc: include_str!("rules/privilege_change.md"),
    },
    Rule {
        code: "SID003",
        label: "identity removed, session kept alive",
        name: "logout-without-invalidation",
        severity: Severity::Error,
        summary: "logout keeps the session alive",
        doc: include_str!("rules/logout_without_invalidation.md"),
    },
    Rule {
        code: "SID004",
        label: "session ID taken from the request",
        name: "session-id-from-request",
        severity: Severity::Error,
        summary: "session ID taken from request data",
        doc: include_str!("rules/session_id_from_request.md"),
    },
    Rule {
        code: "SID005",
        label: "session cookie protection off",
        name: "insecure-session-cookie",
        severity: Severity::Error,
        summary: "session cookie flag turned off",
        doc: include_str!("rules/insecure_session_cookie.md"),
    },
    Rule {
        code: "SID006",
        label: "session lifetime too long",
        name: "unbounded-session-lifetime",
        severity: Severity::Warning,
        summary: "session lifetime unbounded or too long",
        doc: include_str!("rules/unbounded_session_lifetime.md"),
    },
    Rule {
        code: "SID900",
        label: "suppression without a code",
        name: "blanket-suppression",
        severity: Severity::Warning,
        summary: "suppression without a rule code",
        doc: include_str!("rules/suppressions.md"),
    },
    Rule {
        code: "SID901",
        label: "suppresses nothing",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary: "suppression that suppresses nothing",
        doc: include_str!("rules/suppressions.md"),
    },
];

/// The rule with this code or name, in any case (`SID001`, `login-without-regeneration`).
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name.eq_ignore_ascii_case(code))
}
