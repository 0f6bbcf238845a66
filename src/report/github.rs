//! GitHub Actions workflow commands (`--format github`): one `::error` or `::warning` line per
//! finding, which the runner turns into annotations on the pull request's files. Values are
//! escaped as the runner expects (`%`, CR and LF everywhere; `:` and `,` in properties too), so
//! scanned content cannot end a command early or forge another one.

use std::fmt::Write;

use crate::check::Outcome;
use crate::finding::{Finding, Severity};

/// Escapes a command's message; other control characters (which the log viewer would act
/// on) become visible `\u{..}` escapes.
pub fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() || crate::error::is_bidi(c) => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`file=`, `title=`).
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn annotation(f: &Finding) -> String {
    let kind = match f.severity {
        Severity::Error if f.blocking => "error",
        _ => "warning",
    };
    let title = format!(
        "{} {}",
        f.rule,
        crate::registry::find(f.rule).map_or(f.name, |r| r.summary)
    );
    let mut message = format!(
        "{}\n\n{}\n\nFix: {}",
        f.message, f.why, f.remediation.summary
    );
    if f.preexisting {
        message.push_str("\n\n(already there before this change; not blocking)");
    }
    let mut props = format!("file={},line={}", property(&f.path), f.span.line);
    if f.span.end_line != f.span.line {
        let _ = write!(props, ",endLine={}", f.span.end_line);
    } else {
        let _ = write!(
            props,
            ",col={},endColumn={}",
            f.span.column, f.span.end_column
        );
    }
    format!(
        "::{kind} {props},title={}::{}\n",
        property(&title),
        data(&message)
    )
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        out.push_str(&annotation(f));
    }
    for s in &outcome.skipped {
        let _ = writeln!(
            out,
            "::warning file={},title={}::{}",
            property(&s.path),
            property("sidguard: file not checked"),
            data(&format!("skipped {}: {}", s.path, s.reason))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cannot_forge_a_command() {
        assert_eq!(data("a%b\r\n::error::x"), "a%25b%0D%0A::error::x");
        assert_eq!(property("a,b:c\n"), "a%2Cb%3Ac%0A");
    }
}
