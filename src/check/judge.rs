//! Stage 5: what blocks. A finding blocks when it is an `error` and the change introduced
//! it: the same rule does not fire on the same function (qualified name) in the old version
//! of the file, judged under the old tree's project facts and helper summaries, nor on the
//! same setting (SID005, SID006, identified by `key`). A finding already there is shown as a
//! warning and does not block, unless `strict`. A file without an old version (`scan`, a new
//! file, a file the change made valid Python) has nothing to compare with: every `error`
//! blocks.

use std::collections::HashMap;

use super::Options;
use crate::finding::{Finding, Severity};
use crate::project::ProjectFacts;
use crate::python::file::{Prepared, SourceFile};
use crate::python::summary::Summary;
use crate::rules::{self, Context};
use crate::source::Touched;

/// Marks which of a file's `findings` block, comparing with its `old` version (parsed only
/// when there is a finding to judge). Returns the lines parsed for that.
pub(super) fn blocking(
    findings: &mut [Finding],
    old: Option<Prepared>,
    old_facts: ProjectFacts,
    old_helpers: &HashMap<String, Summary>,
    opts: &Options,
) -> usize {
    for f in findings.iter_mut() {
        f.blocking = f.severity == Severity::Error;
    }
    let (Some(old), false) = (old, findings.is_empty()) else {
        return 0;
    };
    let old_file = SourceFile::from_prepared(old, false);
    let old_ctx = Context {
        file: &old_file,
        facts: old_facts,
        config: &opts.config,
        helpers: Some(old_helpers),
    };
    let mut old_settings: Option<Vec<Finding>> = None;
    for f in findings.iter_mut() {
        let existed = if f.key.is_empty() {
            old_file
                .outline
                .function_named(&f.function)
                .map(|d| rules::check_function(&old_ctx, d))
                .unwrap_or_default()
                .iter()
                .any(|b| b.rule == f.rule)
        } else {
            old_settings
                .get_or_insert_with(|| {
                    rules::cookie_settings::check(&old_ctx, &Touched::All, false)
                })
                .iter()
                .any(|b| b.rule == f.rule && b.key == f.key)
        };
        if existed && f.blocking && !opts.strict {
            f.blocking = false;
            f.severity = Severity::Warning;
            f.preexisting = true;
        }
    }
    old_file.parsed_lines.get()
}
