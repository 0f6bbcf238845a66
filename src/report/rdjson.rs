//! reviewdog's diagnostic format (`--format rdjson`), for teams that already post with
//! reviewdog: positions are 1-based with byte columns, and the remediation is a whole-line
//! suggestion (reviewdog turns it into a GitHub suggestion block) when it fits on the flagged
//! lines.

use serde_json::{json, Value};

use super::edits::suggestion;
use crate::check::Outcome;
use crate::finding::{Finding, Severity};

/// Converts a 1-based character column on `line` of the finding to a 1-based byte column.
fn byte_column(f: &Finding, line: usize, column: usize) -> usize {
    match f.lines.get(&line) {
        Some(text) => {
            text.chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum::<usize>()
                + 1
        }
        None => column,
    }
}

fn diagnostic(f: &Finding) -> Value {
    let mut d = json!({
        "message": format!("{}\n{}\nFix: {}", f.message, f.why, f.remediation.summary),
        "location": {
            "path": f.path,
            "range": {
                "start": { "line": f.span.line, "column": byte_column(f, f.span.line, f.span.column) },
                "end": { "line": f.span.end_line, "column": byte_column(f, f.span.end_line, f.span.end_column) },
            },
        },
        "severity": match f.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        },
        "source": { "name": "sidguard" },
        "code": { "value": f.rule },
        "original_output": f.remediation.patch,
    });
    if let Some(lines) = suggestion(&f.remediation.patch, f.span.line, f.span.end_line) {
        // Whole lines: start and end without columns cover the lines with their line ends.
        let mut text = lines.join("\n");
        if !lines.is_empty() {
            text.push('\n');
        }
        d["suggestions"] = json!([{
            "range": {
                "start": { "line": f.span.line, "column": 1 },
                "end": { "line": f.span.end_line + 1, "column": 1 },
            },
            "text": text,
        }]);
    }
    d
}

pub fn render(outcome: &Outcome) -> String {
    let mut diagnostics: Vec<Value> = outcome.findings.iter().map(diagnostic).collect();
    for s in &outcome.skipped {
        diagnostics.push(json!({
            "message": format!("sidguard did not check this file: {}", s.reason),
            "location": { "path": s.path },
            "severity": "WARNING",
            "source": { "name": "sidguard" },
            "code": { "value": "skipped" },
        }));
    }
    let value = json!({
        "source": { "name": "sidguard" },
        "severity": if outcome.blocking() > 0 { "ERROR" } else { "WARNING" },
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
