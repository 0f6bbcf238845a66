//! SARIF 2.1.0 (`--format sarif`): one run, the rule table, results with regions, related
//! locations for the evidence, the remediation as `fixes`, and `partialFingerprints` that stay
//! stable across runs (GitHub code scanning tracks alerts by them). Skipped files become tool
//! execution notifications, so a skip is never silent.

use serde_json::{json, Value};

use super::edits::edits;
use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use crate::registry::{self, Rule};

/// CVSS-like scores GitHub shows as low/medium/high/critical (`security-severity`).
fn security_severity(code: &str) -> Option<&'static str> {
    Some(match code {
        "SID001" | "SID002" | "SID004" => "8.1",
        "SID003" => "6.5",
        "SID005" => "5.4",
        "SID006" => "4.3",
        _ => return None,
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The first paragraph under `## {heading}` in a rule's Markdown documentation.
pub fn doc_section(doc: &str, heading: &str) -> String {
    let marker = format!("## {heading}");
    let Some(at) = doc.find(&marker) else {
        return String::new();
    };
    let rest = &doc[at + marker.len()..];
    rest.trim_start_matches(['\r', '\n'])
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// SARIF names are PascalCase identifiers.
fn pascal(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// Ends a SARIF message with a period, as the spec asks.
fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn rule(r: &Rule) -> Value {
    let mut properties = json!({
        "tags": if security_severity(r.code).is_some() {
            json!(["security", "external/cwe/cwe-384"])
        } else {
            json!(["maintainability"])
        },
        "precision": "high",
        "problem.severity": level(r.severity),
    });
    if let Some(s) = security_severity(r.code) {
        properties["security-severity"] = json!(s);
    }
    json!({
        "id": r.code,
        "name": pascal(r.name),
        "shortDescription": { "text": sentence(&capitalise(r.summary)) },
        "fullDescription": { "text": sentence(&doc_section(r.doc, "What it does")) },
        "help": { "text": r.doc, "markdown": r.doc },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": properties,
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn location(path: &str, region: Value) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(path), "uriBaseId": "%SRCROOT%" },
            "region": region,
        }
    })
}

/// A relative path as a URI reference (percent-encoding what a URI cannot hold).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn fixes(f: &Finding) -> Value {
    let changes = edits(&f.remediation.patch);
    if changes.is_empty() {
        return json!([]);
    }
    let replacements: Vec<Value> = changes
        .iter()
        .map(|e| {
            let mut text = e.inserted.join("\n");
            if !text.is_empty() {
                text.push('\n');
            }
            json!({
                "deletedRegion": {
                    "startLine": e.start,
                    "startColumn": 1,
                    "endLine": e.start + e.deleted,
                    "endColumn": 1,
                },
                "insertedContent": { "text": text },
            })
        })
        .collect();
    json!([{
        "description": { "text": sentence(&f.remediation.summary) },
        "artifactChanges": [{
            "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
            "replacements": replacements,
        }],
    }])
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let region = json!({
        "startLine": f.span.line,
        "startColumn": f.span.column,
        "endLine": f.span.end_line,
        "endColumn": f.span.end_column,
    });
    let mut region = region;
    if let Some(text) = f.lines.get(&f.span.line) {
        region["snippet"] = json!({ "text": text });
    }
    let related: Vec<Value> = f
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut loc = location(
                &f.path,
                json!({
                    "startLine": e.line,
                    "startColumn": e.column.max(1),
                    "endColumn": e.end_column.max(e.column.max(1)),
                }),
            );
            loc["id"] = json!(i + 1);
            loc["message"] = json!({ "text": sentence(&e.label) });
            loc
        })
        .collect();
    let mut properties = json!({
        "blocking": f.blocking,
        "function": f.function,
        "framework": f.framework,
        "storage": f.storage,
    });
    if f.preexisting {
        properties["preexisting"] = json!(true);
    }
    if let Some(r) = &f.git_ref {
        properties["ref"] = json!(r);
    }
    let mut out = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": format!("{} {}", sentence(&f.message), sentence(&f.why)) },
        "locations": [location(&f.path, region)],
        "partialFingerprints": { "sidguardFinding/v1": f.fingerprint },
        "properties": properties,
    });
    if !related.is_empty() {
        out["relatedLocations"] = json!(related);
    }
    let fixes = fixes(f);
    if fixes.as_array().is_some_and(|a| !a.is_empty()) {
        out["fixes"] = fixes;
    }
    out
}

pub fn render(outcome: &Outcome) -> String {
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let index = registry::RULES
                .iter()
                .position(|r| r.code == f.rule)
                .unwrap_or(0);
            result(f, index)
        })
        .collect();
    let notifications: Vec<Value> = outcome
        .skipped
        .iter()
        .map(|s| {
            json!({
                "level": "warning",
                "message": { "text": sentence(&format!("Skipped {}: {}", s.path, s.reason)) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&s.path), "uriBaseId": "%SRCROOT%" }
                    }
                }],
            })
        })
        .collect();
    let mut driver = json!({
        "name": "sidguard",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": registry::RULES.iter().map(rule).collect::<Vec<_>>(),
    });
    if let Some(uri) = option_env!("CARGO_PKG_REPOSITORY").filter(|u| !u.is_empty()) {
        driver["informationUri"] = json!(uri);
    }
    let mut invocation = json!({ "executionSuccessful": outcome.internal_errors == 0 });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(
            pascal("login-without-regeneration"),
            "LoginWithoutRegeneration"
        );
        assert_eq!(uri("a b/ü.py"), "a%20b/%C3%BC.py");
        assert_eq!(sentence("x"), "x.");
        assert!(doc_section(registry::RULES[0].doc, "What it does").starts_with("Flags a function"));
    }
}
