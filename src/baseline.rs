//! Baselines, for adopting sidguard in an old codebase (as gitleaks' `--baseline-path`):
//! `--baseline FILE` names a report sidguard wrote with `--format json`; the findings whose
//! fingerprint it holds are accepted, so they are neither reported nor blocking. Fingerprints
//! do not depend on line numbers (`finding::fingerprint`), so code moving around the file does
//! not revive them; changing the flagged code does. A file that is missing or is not such a
//! report is an error, never an empty baseline.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::finding::Finding;

#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    /// Reads a baseline file (sidguard's JSON output, `version` 1).
    pub fn load(path: &Path) -> Result<Baseline> {
        let shown = path.display();
        let bad = |why: String| {
            Error::Usage(format!(
                "baseline {shown}: {why}; write one with `sidguard scan --format json > {shown}`"
            ))
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it ({e})")))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON ({e})")))?;
        if doc.get("version").and_then(Value::as_u64) != Some(1) {
            return Err(bad(
                "not a sidguard JSON report (no `\"version\": 1`)".into()
            ));
        }
        let findings = doc
            .get("findings")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("not a sidguard JSON report (no `findings` list)".into()))?;
        let mut fingerprints = HashSet::with_capacity(findings.len());
        for (i, f) in findings.iter().enumerate() {
            let fp = f
                .get("fingerprint")
                .and_then(Value::as_str)
                .filter(|fp| !fp.is_empty())
                .ok_or_else(|| {
                    bad(format!(
                        "finding {} has no `fingerprint` (written by an older sidguard?)",
                        i + 1
                    ))
                })?;
            fingerprints.insert(fp.to_string());
        }
        Ok(Baseline { fingerprints })
    }

    /// Removes the findings the baseline accepts; returns how many.
    pub fn apply(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| !self.fingerprints.contains(&f.fingerprint));
        before - findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Baseline> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, text).unwrap();
        Baseline::load(&path)
    }

    #[test]
    fn reads_fingerprints_and_refuses_what_is_not_a_report() {
        let b = load(r#"{"version": 1, "findings": [{"fingerprint": "ab"}, {"fingerprint": "cd:2"}], "skipped": []}"#).unwrap();
        assert!(b.fingerprints.contains("ab") && b.fingerprints.contains("cd:2"));
        for (text, why) in [
            ("{", "not JSON"),
            ("[]", "no `\"version\": 1`"),
            (r#"{"version": 2, "findings": []}"#, "no `\"version\": 1`"),
            (r#"{"version": 1}"#, "no `findings` list"),
            (
                r#"{"version": 1, "findings": [{"rule": "SID001"}]}"#,
                "finding 1 has no `fingerprint`",
            ),
        ] {
            let e = load(text).unwrap_err().to_string();
            assert!(e.contains(why) && !e.contains('\n'), "{text}: {e}");
        }
        let e = Baseline::load(Path::new("no/such/baseline.json"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("baseline no/such/baseline.json: cannot read it"),
            "{e}"
        );
    }
}
