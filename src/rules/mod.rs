//! The rule registry: every rule's code, name, default severity and documentation, declared
//! once. `sidguard rules`, `sidguard explain CODE` and the README's table come from here.

pub mod fix;
pub mod login_without_regeneration;

use crate::finding::{Finding, Severity};
use crate::project::ProjectFacts;
use crate::python::file::SourceFile;

/// Static description of a rule.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown documentation: What it does / Why is this bad? / Example / Use instead / References.
    pub doc: &'static str,
}

pub static RULES: &[Rule] = &[
    Rule {
        code: "SID001",
        name: "login-without-regeneration",
        severity: Severity::Error,
        summary: "session not regenerated after login",
        doc: include_str!("login_without_regeneration.md"),
    },
    Rule {
        code: "SID900",
        name: "blanket-suppression",
        severity: Severity::Warning,
        summary: "suppression without a rule code",
        doc: include_str!("suppressions.md"),
    },
    Rule {
        code: "SID901",
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

/// Runs every rule on one function (an outline index) and returns its findings.
pub fn check_function(ctx: &Context<'_>, def: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    if ctx.config.enabled("SID001") {
        out.extend(login_without_regeneration::check(ctx, def));
    }
    out
}
