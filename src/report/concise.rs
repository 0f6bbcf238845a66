//! The concise report (`--format concise`), as ruff's: one line per finding,
//! `path:line:col: SID001 message`, for editors, grep and quick reading. A finding that does
//! not block says so at the end of its line; files not fully checked get a line each (a skip
//! is never silent); the summary line of the text report ends it unless `--quiet`.

use std::fmt::Write;

use owo_colors::OwoColorize;

use crate::check::Outcome;
use crate::error::sanitize;
use crate::finding::Severity;

pub fn render(outcome: &Outcome, color: bool, quiet: bool) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let location = format!("{}:{}:{}:", sanitize(&f.path), f.span.line, f.span.column);
        let message = sanitize(&f.message).replace(['\n', '\r'], " ");
        let note = match (f.blocking, f.severity) {
            (true, _) => "",
            (false, _) if f.preexisting => " (already there before this change; not blocking)",
            (false, Severity::Warning) => " (warning)",
            (false, Severity::Error) => " (not blocking)",
        };
        if color {
            let code = match (f.blocking, f.severity) {
                (true, _) | (_, Severity::Error) => f.rule.red().bold().to_string(),
                (false, Severity::Warning) => f.rule.yellow().bold().to_string(),
            };
            let _ = writeln!(out, "{} {code} {message}{note}", location.bold());
        } else {
            let _ = writeln!(out, "{location} {} {message}{note}", f.rule);
        }
    }
    for s in &outcome.skipped {
        let at = s.line.map(|l| format!("{l}:")).unwrap_or_default();
        let what = if s.partial { "" } else { "skipped: " };
        let _ = writeln!(
            out,
            "{}:{at} warning: {what}{}",
            sanitize(&s.path),
            sanitize(&s.reason)
        );
    }
    if !quiet {
        out.push_str(&super::text::summary(outcome, color));
    }
    out
}
