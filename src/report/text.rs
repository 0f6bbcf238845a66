//! The text report, in the style of rustc and ruff: a header, the location, the function's
//! relevant lines with the identity write underlined (`^`, primary) and the credential check
//! marked (`-`, secondary), the reason for this framework and storage class, and a `help:`
//! with the remediation patch. Colours come from owo-colors, only when enabled.

use std::fmt::Write;

use owo_colors::{OwoColorize, Style};

use crate::check::Outcome;
use crate::error::sanitize;
use crate::finding::{Finding, Severity};
use crate::registry;

struct Paint {
    on: bool,
}

impl Paint {
    fn style(&self, s: &str, style: Style) -> String {
        if self.on {
            s.style(style).to_string()
        } else {
            s.to_string()
        }
    }
    fn err(&self, s: &str) -> String {
        self.style(s, Style::new().red().bold())
    }
    fn warn(&self, s: &str) -> String {
        self.style(s, Style::new().yellow().bold())
    }
    fn blue(&self, s: &str) -> String {
        self.style(s, Style::new().blue().bold())
    }
    fn bold(&self, s: &str) -> String {
        self.style(s, Style::new().bold())
    }
    fn cyan(&self, s: &str) -> String {
        self.style(s, Style::new().cyan().bold())
    }
    fn green(&self, s: &str) -> String {
        self.style(s, Style::new().green())
    }
    fn red(&self, s: &str) -> String {
        self.style(s, Style::new().red())
    }
}

/// The report; `quiet`: without the summary line.
pub fn render(outcome: &Outcome, color: bool, quiet: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    for f in &outcome.findings {
        finding(&mut out, f, &p);
    }
    for s in &outcome.skipped {
        let what = if s.partial { "" } else { "skipped " };
        let at = s.line.map(|l| format!(":{l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}: {what}{}{at}: {}",
            p.warn("warning"),
            sanitize(&s.path),
            sanitize(&s.reason)
        );
    }
    if !quiet {
        out.push_str(&summary(outcome, color));
    }
    out
}

/// The last line: what blocks, what warns, in how many files and functions.
pub fn summary(outcome: &Outcome, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let blocking = outcome.blocking();
    let warnings = outcome.warnings();
    let partly = outcome.skipped.iter().filter(|s| s.partial).count();
    let skipped = outcome.skipped.len() - partly;
    let files = match (skipped, partly) {
        (0, 0) => plural(outcome.files, "file"),
        (s, 0) => format!("{} ({s} skipped)", plural(outcome.files, "file")),
        (0, p) => format!("{} ({p} partly analysed)", plural(outcome.files, "file")),
        (s, p) => format!(
            "{} ({s} skipped, {p} partly analysed)",
            plural(outcome.files, "file")
        ),
    };
    let functions = plural(outcome.functions, "function");
    let line = if blocking > 0 {
        p.err(&format!(
            "sidguard: {} ({}) in {files}, {functions} checked",
            plural(blocking, "blocking finding"),
            plural(warnings, "warning")
        ))
    } else if warnings > 0 {
        p.warn(&format!(
            "sidguard: no blocking findings, {} in {files}, {functions} checked",
            plural(warnings, "warning")
        ))
    } else {
        p.green(&format!(
            "sidguard: no findings in {files}, {functions} checked"
        ))
    };
    let baselined = match outcome.baselined {
        0 => String::new(),
        n => format!("; {} in the baseline not shown", plural(n, "finding")),
    };
    let _ = writeln!(out, "{line}{baselined}");
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn finding(out: &mut String, f: &Finding, p: &Paint) {
    let rule = registry::find(f.rule);
    let title = rule.map(|r| r.summary).unwrap_or(f.name);
    let (level, paint_level): (&str, fn(&Paint, &str) -> String) = match f.severity {
        Severity::Error => ("error", Paint::err),
        Severity::Warning => ("warning", Paint::warn),
    };
    let _ = writeln!(
        out,
        "{}{}",
        paint_level(p, &format!("{level}[{}]", f.rule)),
        p.bold(&format!(": {title}"))
    );
    let last_line = f.lines.keys().max().copied().unwrap_or(f.span.line);
    let width = last_line.to_string().len();
    let pad = " ".repeat(width);
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        p.blue("-->"),
        sanitize(&f.path),
        f.span.line,
        f.span.column
    );
    let _ = writeln!(out, "{pad} {}", p.blue("|"));
    let mut prev: Option<usize> = None;
    for (&line, text) in &f.lines {
        if prev.is_some_and(|q| line > q + 1) {
            let _ = writeln!(out, "{}", p.blue("..."));
        }
        prev = Some(line);
        let text = sanitize(text);
        let _ = writeln!(
            out,
            "{} {} {}",
            p.blue(&format!("{line:>width$}")),
            p.blue("|"),
            text
        );
        if line == f.span.line {
            let end = if f.span.end_line == line {
                f.span.end_column
            } else {
                text.chars().count() + 1
            };
            let (start, len) = underline(f.span.column, end);
            let base = rule.map(|r| r.label).unwrap_or("");
            let label = if f.preexisting {
                format!("{base} (already there before this change)")
            } else {
                base.to_string()
            };
            let marks = paint_level(
                p,
                &format!("{}{} {label}", " ".repeat(start), "^".repeat(len)),
            );
            let _ = writeln!(out, "{pad} {} {marks}", p.blue("|"));
        }
        for e in f.evidence.iter().filter(|e| e.line == line) {
            let (start, len) = underline(e.column, e.end_column);
            let marks = p.blue(&format!(
                "{}{} {}",
                " ".repeat(start),
                "-".repeat(len),
                sanitize(&e.label)
            ));
            let _ = writeln!(out, "{pad} {} {marks}", p.blue("|"));
        }
    }
    let _ = writeln!(out, "{pad} {}", p.blue("|"));
    let _ = writeln!(
        out,
        "{pad} {} {} in `{}`: {}",
        p.blue("="),
        p.bold("note:"),
        sanitize(&f.function),
        sanitize(&f.message)
    );
    if let Some(r) = &f.git_ref {
        let commit = match &f.commit {
            Some(c) => format!("; last touched in {} \"{}\"", c.id, sanitize(&c.subject)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{pad} {} {} {}{commit}",
            p.blue("="),
            p.bold("ref:"),
            sanitize(r)
        );
    }
    if !f.why.is_empty() {
        let _ = writeln!(out, "{pad} {} {} {}", p.blue("="), p.bold("why:"), f.why);
    }
    if f.preexisting {
        let _ = writeln!(
            out,
            "{pad} {} {} this was already in the function before the change; it does not block (use --strict to block on it)",
            p.blue("="),
            p.bold("note:")
        );
    }
    let _ = writeln!(
        out,
        "{}: {}",
        p.cyan("help"),
        sanitize(&f.remediation.summary)
    );
    if !f.remediation.patch.is_empty() {
        let _ = writeln!(out, "{pad} {}", p.blue("|"));
        for l in f.remediation.patch.lines() {
            let l = sanitize(l);
            let painted = if l.starts_with("+++") || l.starts_with("---") {
                p.bold(&l)
            } else if l.starts_with('+') {
                p.green(&l)
            } else if l.starts_with('-') {
                p.red(&l)
            } else if l.starts_with("@@") {
                p.cyan(&l)
            } else {
                l.to_string()
            };
            let _ = writeln!(out, "{pad} {} {painted}", p.blue("|"));
        }
    }
    out.push('\n');
}

/// (offset, length) of an underline for 1-based columns `start..end`.
fn underline(start: usize, end: usize) -> (usize, usize) {
    let start = start.max(1);
    (start - 1, end.saturating_sub(start).max(1))
}
