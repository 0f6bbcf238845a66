//! The data handed from the rules to suppression and reporting: plain values, no colours.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// How bad a finding is. `Error` findings block when new; `Warning` findings never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A 1-based region; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub line: usize,
    /// 1-based character columns of the marked code on that line.
    #[serde(skip)]
    pub column: usize,
    #[serde(skip)]
    pub end_column: usize,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remediation {
    pub summary: String,
    /// Unified diff of the function with the fix applied (empty when no safe edit exists).
    pub patch: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub blocking: bool,
    pub path: String,
    #[serde(flatten)]
    pub span: Span,
    pub function: String,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Why this is a problem for this framework and storage class.
    pub why: String,
    /// The framework, lower case (`flask`, `django`, `starlette`, `pyramid`, `aiohttp`,
    /// `quart`, `beaker`, `cherrypy`); empty when none applies. One casing in every format.
    pub framework: &'static str,
    pub storage: &'static str,
    pub remediation: Remediation,
    /// The ref a push check found this on (pre-receive, pre-push).
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// The commit of the push that last touched the flagged function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    /// Source lines the text report shows (line number to text); not part of JSON.
    #[serde(skip)]
    pub lines: BTreeMap<usize, String>,
    /// First and last line of the flagged function.
    #[serde(skip)]
    pub function_lines: (usize, usize),
    /// What identifies the finding within its function across versions (a setting's name
    /// for SID005/SID006; empty for rules judged per function).
    #[serde(skip)]
    pub key: String,
    /// The same finding was there before the change: reported, not blocking.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub preexisting: bool,
    /// What identifies the finding across runs and versions without line numbers (see
    /// `fingerprint`); set once the run's findings are known (`assign_fingerprints`).
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub subject: String,
}

/// A stable identity for a finding: rule, path, function (qualified name), setting, and the
/// flagged code's text with its whitespace normalised. Not its line number, so code moving
/// up or down the file keeps it; changing the flagged code, renaming the function or moving
/// it to another file makes a new one. SARIF `partialFingerprints`, GitLab's `fingerprint`,
/// the review's markers and baselines all use it.
pub fn fingerprint(f: &Finding) -> String {
    let line = f
        .lines
        .get(&f.span.line)
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    fingerprint_text(&[f.rule, &f.path, &f.function, &f.key, &line])
}

/// 32 hex digits of SHA-256 over the parts (each ended by a NUL).
pub fn fingerprint_text(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Sets each finding's `fingerprint`; identical ones get `:2`, `:3`... in order (two equal
/// findings can only be in one function, which is always checked whole).
pub fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for f in findings {
        let base = fingerprint(f);
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        f.fingerprint = if *n == 1 { base } else { format!("{base}:{n}") };
    }
}
