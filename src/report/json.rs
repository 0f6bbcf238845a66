//! JSON output (`--format json`): a versioned, stable contract for scripts and other tools.

use serde_json::json;

use crate::check::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let value = json!({
        "version": 1,
        "findings": outcome.findings,
        "skipped": outcome.skipped,
        "summary": {
            "files": outcome.files,
            "functions": outcome.functions,
            "blocking": outcome.blocking(),
            "warnings": outcome.warnings(),
            "baselined": outcome.baselined,
        },
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
