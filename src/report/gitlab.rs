//! GitLab Code Quality (`--format gitlab`): the JSON array GitLab reads from a job's
//! `artifacts:reports:codequality`, shown in merge request widgets and diffs.

use serde_json::{json, Value};

use crate::check::Outcome;
use crate::finding::Severity;

pub fn render(outcome: &Outcome) -> String {
    let mut issues: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let severity = match f.severity {
                Severity::Error if f.blocking => "critical",
                Severity::Error => "major",
                Severity::Warning => "minor",
            };
            json!({
                "type": "issue",
                "check_name": f.rule,
                "description": format!("{}: {}", f.rule, f.message),
                "content": { "body": format!("{}\n\nFix: {}\n\n```diff\n{}```", f.why, f.remediation.summary, f.remediation.patch) },
                "categories": ["Security"],
                "fingerprint": f.fingerprint,
                "severity": severity,
                "location": {
                    "path": f.path,
                    "lines": { "begin": f.span.line, "end": f.span.end_line },
                },
            })
        })
        .collect();
    // A skipped file is reported too, so the widget never shows a silent pass.
    for s in &outcome.skipped {
        issues.push(json!({
            "type": "issue",
            "check_name": "skipped",
            "description": format!("sidguard did not check this file: {}", s.reason),
            "categories": ["Security"],
            "fingerprint": crate::finding::fingerprint_text(&["skipped", &s.path]),
            "severity": "info",
            "location": { "path": s.path, "lines": { "begin": 1 } },
        }));
    }
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
