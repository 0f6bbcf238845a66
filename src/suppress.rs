//! Inline suppressions, applied after the rules, in one place.
//!
//! `# sidguard: ignore[SID001] reason` (or the rule's name, `ignore[login-without-regeneration]`)
//! on the flagged line or the line before it suppresses that rule's finding there. The rule code is required: a bare `# sidguard: ignore` is itself
//! reported (SID900), and so is a suppression that suppresses nothing (SID901, like ruff's
//! RUF100). Only suppressions inside the code that was analysed are judged unused, so a
//! function the diff did not touch never reports its suppressions as unused.

use std::collections::BTreeMap;

use crate::finding::{Finding, Remediation, Severity, Span};
use crate::python::file::SourceFile;

const MARKER: &str = "sidguard: ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub line: usize,
    /// 1-based character column of the comment.
    pub column: usize,
    pub codes: Vec<String>,
}

/// Every `# sidguard: ignore...` comment in the file.
pub fn parse(file: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    if memchr::memmem::find(file.text.as_bytes(), MARKER.as_bytes()).is_none() {
        return out;
    }
    for (i, line) in file.text.lines().enumerate() {
        let Some(hash) = line.find('#') else { continue };
        let comment = &line[hash..];
        let Some(at) = comment.find(MARKER) else {
            continue;
        };
        if !comment[1..at].trim().is_empty() {
            continue; // the marker must open the comment
        }
        let rest = &comment[at + MARKER.len()..];
        let codes = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(inside, _)| {
                // Codes or names (`ignore[login-without-regeneration]`), kept as codes.
                inside
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| match crate::registry::find(c) {
                        Some(rule) => rule.code.to_string(),
                        None => c.to_ascii_uppercase(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Suppression {
            line: i + 1,
            column: line[..hash].chars().count() + 1,
            codes,
        });
    }
    out
}

/// Removes suppressed findings; returns the findings about suppressions themselves.
/// `analysed`: the (first, last) lines of the code that was checked. `in_force`: whether a
/// rule runs in this file (a suppression of rules that were all disabled, deselected or
/// ignored for the file cannot be judged unused).
pub fn apply(
    findings: &mut Vec<Finding>,
    file: &SourceFile,
    analysed: &[(usize, usize)],
    in_force: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let sups = parse(file);
    if sups.is_empty() {
        return Vec::new();
    }
    let mut used = vec![false; sups.len()];
    findings.retain(|f| {
        let hit = sups.iter().position(|s| {
            (s.line == f.span.line || s.line + 1 == f.span.line)
                && s.codes.iter().any(|c| c == f.rule)
        });
        if let Some(i) = hit {
            used[i] = true;
        }
        hit.is_none()
    });
    let inside = |line: usize| analysed.iter().any(|&(a, b)| a <= line && line <= b);
    let mut out = Vec::new();
    for (s, used) in sups.iter().zip(used) {
        if !inside(s.line) {
            continue;
        }
        if s.codes.is_empty() {
            out.push(meta(
                file,
                s,
                "SID900",
                "blanket-suppression",
                "`# sidguard: ignore` without a rule code suppresses nothing; name the rule: `# sidguard: ignore[SID001] reason`".into(),
            ));
        } else if !used && s.codes.iter().any(|c| in_force(c)) {
            out.push(meta(
                file,
                s,
                "SID901",
                "unused-suppression",
                format!(
                    "this suppression of {} matches no finding on this line or the next; remove it",
                    s.codes.join(", ")
                ),
            ));
        }
    }
    out
}

fn meta(
    file: &SourceFile,
    s: &Suppression,
    rule: &'static str,
    name: &'static str,
    message: String,
) -> Finding {
    let text = file.line_text(s.line).to_string();
    let end = text.chars().count() + 1;
    let function = file
        .outline
        .function_at(s.line)
        .map(|d| file.outline.defs[d].qualname.clone())
        .unwrap_or_else(|| "<module>".to_string());
    let mut lines = BTreeMap::new();
    lines.insert(s.line, text);
    Finding {
        rule,
        name,
        severity: Severity::Warning,
        blocking: false,
        path: file.path.clone(),
        span: Span {
            line: s.line,
            column: s.column,
            end_line: s.line,
            end_column: end,
        },
        function,
        message,
        evidence: Vec::new(),
        why: String::new(),
        framework: "",
        storage: "",
        remediation: Remediation {
            summary: "Suppress findings by rule code, only where a finding is, and say why.".into(),
            patch: String::new(),
        },
        git_ref: None,
        commit: None,
        lines,
        function_lines: (s.line, s.line),
        key: String::new(),
        preexisting: false,
        fingerprint: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_bare_markers() {
        let f = SourceFile::new(
            "x.py".into(),
            b"a = 1  # sidguard: ignore[SID001, sid002] accepted risk\n# sidguard: ignore\nb = '# sidguard: ignore[SID001]'\n# note: sidguard: ignore[SID001]\n",
            false,
        );
        let s = parse(&f);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].codes, vec!["SID001", "SID002"]);
        assert_eq!(s[0].column, 8);
        assert!(s[1].codes.is_empty());
    }

    #[test]
    fn rule_names_are_read_as_their_codes() {
        let f = SourceFile::new(
            "x.py".into(),
            b"a = 1  # sidguard: ignore[login-without-regeneration, Privilege-Change-Without-Regeneration, SID003, no-such-rule]\n",
            false,
        );
        assert_eq!(
            parse(&f)[0].codes,
            vec!["SID001", "SID002", "SID003", "NO-SUCH-RULE"]
        );
    }
}
