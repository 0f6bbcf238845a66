//! The fuzz targets' bodies (`fuzz/`), shared with the regression test that replays the
//! stored corpus and every crash found (`tests/fuzz_corpus.rs`). Each panics on a failure.

use std::collections::BTreeMap;

use crate::check;
use crate::pr::review::{self, Prior};
use crate::report::{self, Format};
use crate::source::{self, hunks, ChangedFile, Mode, Touched};

const FORMATS: [Format; 7] = [
    Format::Text,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
    Format::Rdjson,
];

/// Renders every format; the JSON ones must parse.
fn render_all(outcome: &check::Outcome) {
    for format in FORMATS {
        let text = report::render(outcome, format, true);
        if format.is_document() {
            serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON output");
        }
    }
}

/// Arbitrary bytes as a Python file, through the whole analysis and every format.
pub fn analyze(data: &[u8]) {
    let file = ChangedFile {
        path: "app/views.py".into(),
        new: data.to_vec(),
        old: None,
        touched: Touched::All,
        new_id: None,
        old_id: None,
    };
    let outcome = check::run(source::memory(Mode::Scan, vec![file]), false);
    assert_eq!(outcome.internal_errors, 0, "the analysis panicked");
    render_all(&outcome);
}

/// The line that separates the old and the new version in a `diff` input.
pub const SPLIT: &[u8] = b"\n=====\n";

/// An old and a new version (split at the first `=====` line) in diff mode: hunks,
/// function-level re-parse, the old-version comparison, every format, and the review.
pub fn diff(data: &[u8]) {
    let (old, new) = match data.windows(SPLIT.len()).position(|w| w == SPLIT) {
        Some(at) => (&data[..at + 1], &data[at + SPLIT.len()..]),
        None => (&b""[..], data),
    };
    let lines = hunks::changed_lines(old, new);
    let file = ChangedFile {
        path: "app/views.py".into(),
        new: new.to_vec(),
        old: Some(old.to_vec()),
        touched: Touched::Lines(lines.clone()),
        new_id: None,
        old_id: None,
    };
    let outcome = check::run(source::memory(Mode::Diff, vec![file]), false);
    assert_eq!(outcome.internal_errors, 0, "the analysis panicked");
    render_all(&outcome);
    let mut commentable = BTreeMap::new();
    commentable.insert("app/views.py".to_string(), lines);
    let built = review::build(
        &outcome.findings,
        &commentable,
        &Prior::default(),
        "0",
        true,
    );
    if let Some(r) = built.review {
        serde_json::to_string(&r).expect("serialisable review");
        let _ = review::without_comments(&r);
    }
}
