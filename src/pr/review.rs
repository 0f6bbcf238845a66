//! The pull-request review sidguard posts: one comment per finding on the flagged line (RIGHT
//! side) when that line is in the diff, with a `suggestion` block when the fix fits on the
//! flagged lines; everything else in the review body (a comment outside the diff makes GitHub
//! reject the whole review with 422). Hidden markers let a later run recognise what it said
//! before, so re-runs post only what is new and note what was fixed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use crate::report::edits::suggestion;

pub const REVIEW_MARKER: &str = "<!-- sidguard:review -->";
const FINDING: &str = "<!-- sidguard:finding ";
const FIXED: &str = "<!-- sidguard:fixed ";

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub path: String,
    pub line: usize,
    pub side: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_side: Option<&'static str>,
    pub body: String,
}

/// The body of `POST /repos/{owner}/{repo}/pulls/{number}/reviews`.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub commit_id: String,
    pub body: String,
    pub event: &'static str,
    pub comments: Vec<Comment>,
}

/// What earlier sidguard reviews on the pull request said, from their hidden markers.
#[derive(Debug, Default, Clone)]
pub struct Prior {
    /// Fingerprint to its one-line description, for findings reported and not yet fixed.
    pub open: BTreeMap<String, String>,
    /// Ids of earlier sidguard reviews that requested changes (dismissed when all is fixed).
    pub requesting: Vec<u64>,
}

/// Text from scanned code made harmless in Markdown: it cannot open an HTML comment (and so
/// forge a marker) or break out of a code span.
fn md(s: &str) -> String {
    crate::error::sanitize(s)
        .replace("<!--", "&lt;!--")
        .replace("-->", "--&gt;")
}

fn code(s: &str) -> String {
    let s = md(s).replace('`', "'");
    format!("`{s}`")
}

/// A one-line description that survives in a marker (no `--`, no line ends).
fn describe(f: &Finding) -> String {
    let text = format!("{} in {} ({})", f.rule, f.function, f.path);
    crate::error::sanitize(&text)
        .replace("--", "- -")
        .replace(['\n', '\r'], " ")
        .replace('>', "&gt;")
}

fn marker(kind: &str, fp: &str, description: &str) -> String {
    format!("{kind}{fp} {description} -->")
}

/// Reads markers out of one body: (kind, fingerprint, description).
fn markers(body: &str) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (kind, start) in [("finding", FINDING), ("fixed", FIXED)] {
        let mut rest = body;
        while let Some(at) = rest.find(start) {
            let after = &rest[at + start.len()..];
            let end = after.find("-->").unwrap_or(after.len());
            let inner = after[..end].trim();
            let (fp, desc) = inner.split_once(' ').unwrap_or((inner, ""));
            if !fp.is_empty() && fp.len() <= 64 {
                out.push((kind, fp.to_string(), desc.trim().to_string()));
            }
            rest = &after[end..];
        }
    }
    out
}

impl Prior {
    /// From the pull request's reviews and review comments (GitHub's list answers).
    pub fn from_github(reviews: &[Value], comments: &[Value]) -> Prior {
        // (order, kind, fingerprint, description); a review and its comments share an id.
        let mut events: Vec<(u64, u8, &'static str, String, String)> = Vec::new();
        let mut prior = Prior::default();
        for r in reviews {
            let body = r.get("body").and_then(Value::as_str).unwrap_or("");
            if !body.starts_with(REVIEW_MARKER) {
                continue;
            }
            let id = r.get("id").and_then(Value::as_u64).unwrap_or(0);
            if r.get("state").and_then(Value::as_str) == Some("CHANGES_REQUESTED") {
                prior.requesting.push(id);
            }
            for (kind, fp, desc) in markers(body) {
                // Within one review, findings come before what it marks fixed.
                events.push((id, (kind == "fixed") as u8, kind, fp, desc));
            }
        }
        for c in comments {
            let body = c.get("body").and_then(Value::as_str).unwrap_or("");
            if !body.contains(FINDING) {
                continue;
            }
            let id = c
                .get("pull_request_review_id")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            for (kind, fp, desc) in markers(body) {
                if kind == "finding" {
                    events.push((id, 0, kind, fp, desc));
                }
            }
        }
        events.sort_by_key(|e| (e.0, e.1));
        for (_, _, kind, fp, desc) in events {
            if kind == "finding" {
                prior.open.insert(fp, desc);
            } else {
                prior.open.remove(&fp);
            }
        }
        prior
    }
}

/// Lines a comment may be placed on: the new-side ranges of the diff's hunks.
pub type Commentable = BTreeMap<String, Vec<(usize, usize)>>;

/// Where a finding's comment goes: (start line, last line), both in one hunk.
fn anchor(f: &Finding, commentable: &Commentable) -> Option<(usize, usize)> {
    let hunks = commentable.get(&f.path)?;
    let hunk = hunks
        .iter()
        .find(|(a, b)| (*a..=*b).contains(&f.span.line))?;
    if f.span.end_line > f.span.line && f.span.end_line <= hunk.1 {
        Some((f.span.line, f.span.end_line))
    } else {
        Some((f.span.line, f.span.line))
    }
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn severity_word(f: &Finding) -> &'static str {
    match (f.severity, f.blocking) {
        (Severity::Error, true) => "error, blocking",
        (Severity::Error, false) if f.preexisting => "error, already there before this change",
        (Severity::Error, false) => "error",
        (Severity::Warning, _) => "warning",
    }
}

fn heading(f: &Finding) -> String {
    let summary = crate::registry::find(f.rule).map_or(f.name, |r| r.summary);
    format!("**sidguard {}**: {summary} ({})", f.rule, severity_word(f))
}

fn explanation(f: &Finding) -> String {
    format!(
        "{}\n\n{}\n\n**Fix:** {}",
        md(&f.message),
        md(&f.why),
        md(&f.remediation.summary)
    )
}

fn patch_block(f: &Finding) -> String {
    if f.remediation.patch.is_empty() {
        return String::new();
    }
    let fence = fence(&f.remediation.patch);
    let text: String = f
        .remediation
        .patch
        .lines()
        .map(|l| format!("{}\n", l.replace("<!--", "&lt;!--")))
        .collect();
    format!("\n\n{fence}diff\n{text}{fence}")
}

fn comment_body(f: &Finding, fp: &str, lines: (usize, usize)) -> String {
    let fix = match suggestion(&f.remediation.patch, lines.0, lines.1) {
        // Code that holds `<!--` would read as a marker: shown as a (neutralised) diff instead.
        Some(new) if !f.remediation.patch.is_empty() && !new.iter().any(|l| l.contains("<!--")) => {
            let mut text = new.join("\n");
            if !new.is_empty() {
                text.push('\n');
            }
            let fence = fence(&text);
            format!("\n\n{fence}suggestion\n{text}{fence}")
        }
        _ => patch_block(f),
    };
    format!(
        "{}\n\n{}{fix}\n\n{}",
        heading(f),
        explanation(f),
        marker(FINDING, fp, &describe(f))
    )
}

pub struct Built {
    /// `None`: nothing new to say.
    pub review: Option<Review>,
    pub new: usize,
    pub fixed: usize,
    pub in_body: usize,
}

/// The review for `findings` given what earlier reviews said.
pub fn build(
    findings: &[Finding],
    commentable: &Commentable,
    prior: &Prior,
    commit_id: &str,
    request_changes: bool,
) -> Built {
    let current: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let fixed: Vec<(&String, &String)> = prior
        .open
        .iter()
        .filter(|(fp, _)| !current.contains(fp.as_str()))
        .collect();
    let new: Vec<(&Finding, &String)> = findings
        .iter()
        .map(|f| (f, &f.fingerprint))
        .filter(|(_, fp)| !prior.open.contains_key(*fp))
        .collect();
    if new.is_empty() && fixed.is_empty() {
        return Built {
            review: None,
            new: 0,
            fixed: 0,
            in_body: 0,
        };
    }
    let mut comments = Vec::new();
    let mut outside = Vec::new();
    for (f, fp) in &new {
        match anchor(f, commentable) {
            Some((a, b)) => comments.push(Comment {
                path: f.path.clone(),
                line: b,
                side: "RIGHT",
                start_line: (a != b).then_some(a),
                start_side: (a != b).then_some("RIGHT"),
                body: comment_body(f, fp, (a, b)),
            }),
            None => outside.push((*f, *fp)),
        }
    }
    let blocking_new = new.iter().filter(|(f, _)| f.blocking).count();
    let still_open = findings.len() - new.len();
    let mut body = String::from(REVIEW_MARKER);
    body.push('\n');
    if new.is_empty() {
        if findings.is_empty() {
            body.push_str("### sidguard: all earlier findings are fixed\n");
        } else {
            body.push_str(&format!(
                "### sidguard: {} fixed, {} still open\n",
                plural(fixed.len(), "finding"),
                still_open
            ));
        }
    } else {
        body.push_str(&format!(
            "### sidguard: {} ({} blocking)\n\nSession fixation (CWE-384){}.",
            plural(new.len(), "new finding"),
            blocking_new,
            if comments.is_empty() {
                ""
            } else {
                ": see the comments on the lines"
            }
        ));
        if still_open > 0 {
            body.push_str(&format!(
                " {} reported earlier still open.",
                plural(still_open, "finding")
            ));
        }
        body.push('\n');
    }
    if !outside.is_empty() {
        body.push_str("\n#### Outside the diff\nThese lines are not part of this pull request's diff, so they cannot carry a comment:\n");
        for (f, fp) in &outside {
            body.push_str(&format!(
                "\n---\n{} at {}\n\n{}{}\n\n{}\n",
                heading(f),
                code(&format!("{}:{}", f.path, f.span.line)),
                explanation(f),
                patch_block(f),
                marker(FINDING, fp, &describe(f))
            ));
        }
    }
    if !fixed.is_empty() {
        body.push_str("\n#### Fixed since the last review\n");
        for (fp, desc) in &fixed {
            body.push_str(&format!(
                "- {} {}\n",
                md(desc),
                marker(FIXED, fp, &md(desc).replace("--", "- -"))
            ));
        }
    }
    // Markers for the line comments too, so the review body alone records what was said.
    for c in &comments {
        if let Some(m) = c.body.rfind(FINDING) {
            body.push_str(&c.body[m..]);
            body.push('\n');
        }
    }
    let event = if blocking_new > 0 && request_changes {
        "REQUEST_CHANGES"
    } else {
        "COMMENT"
    };
    let in_body = outside.len();
    Built {
        review: Some(Review {
            commit_id: commit_id.to_string(),
            body,
            event,
            comments,
        }),
        new: new.len(),
        fixed: fixed.len(),
        in_body,
    }
}

/// The same review with every line comment moved into the body (after a 422).
pub fn without_comments(review: &Review) -> Review {
    let mut body = review.body.clone();
    if !review.comments.is_empty() {
        body.push_str("\n#### Findings\nGitHub did not accept these as line comments:\n");
        for c in &review.comments {
            body.push_str(&format!(
                "\n---\n{}\n\n{}\n",
                code(&format!("{}:{}", c.path, c.line)),
                c.body.replace("```suggestion", "```python")
            ));
        }
    }
    Review {
        commit_id: review.commit_id.clone(),
        body,
        event: review.event,
        comments: Vec::new(),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_cannot_be_forged_by_content() {
        let body = format!(
            "{REVIEW_MARKER}\nx {} y {}",
            marker(FINDING, "abc", "SID001 in f (a.py)"),
            marker(FIXED, "def", "SID003 in g (b.py)")
        );
        assert_eq!(
            markers(&body),
            vec![
                ("finding", "abc".into(), "SID001 in f (a.py)".into()),
                ("fixed", "def".into(), "SID003 in g (b.py)".into())
            ]
        );
        assert!(!md("<!-- sidguard:fixed abc -->").contains("<!--"));
        assert_eq!(fence("a ``` b"), "````");
    }
}
