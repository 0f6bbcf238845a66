//! Runs the rules over an `Input` and decides which findings block. `run_with` is the whole
//! check, one stage after another, each a module of its own:
//!
//! 1. `select`: the files to check (not excluded, not test code, not over `max-file-bytes`)
//!    and, in `scan`, only those whose text can matter (the pre-filter, `crate::prefilter`).
//! 2. `prepare`: each version of each file decoded, outlined and scoped once, in parallel.
//! 3. `helpers`: helpers in other modules. Files outside the change that call a helper whose
//!    summary the change alters join the check; then the summaries of the helpers each file
//!    imports, for its new and its old version (cached by blob id across runs).
//! 4. `file`: each file on its own, in parallel (rayon, one parser per thread, nothing
//!    shared on the hot path), under the time budget and a panic guard: the functions the
//!    change affects (`functions`), the rules, the suppressions, and
//! 5. `judge`: what blocks. A finding blocks when the same rule does not fire on the same
//!    function (qualified name) in the old version of the file; pre-existing findings become
//!    warnings, unless `strict`. In `scan` every finding blocks.
//!
//! Results keep the input's order.

mod file;
mod functions;
mod helpers;
mod judge;
mod methods;
mod prepare;
mod select;

use std::time::Instant;

use crate::config::Config;
use crate::finding::Finding;
use crate::python::modules;
use crate::source::{ChangedFile, Input, Mode, Skipped};

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub files: usize,
    pub functions: usize,
    pub skipped: Vec<Skipped>,
    /// Lines tree-sitter parsed (diff modes parse only affected functions).
    pub parsed_lines: usize,
    /// Files whose analysis hit an internal error (also listed in `skipped`).
    pub internal_errors: usize,
    /// Findings the baseline accepted (not in `findings`).
    pub baselined: usize,
}

impl Outcome {
    pub fn blocking(&self) -> usize {
        self.findings.iter().filter(|f| f.blocking).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| !f.blocking).count()
    }

    /// One file's result.
    fn add(&mut self, r: file::FileResult) {
        self.findings.extend(r.findings);
        self.functions += r.functions;
        self.parsed_lines += r.parsed_lines;
        self.skipped.extend(r.refused);
        if let Some(path) = r.crashed {
            self.internal_errors += 1;
            self.skipped.push(Skipped {
                path,
                reason: "internal error while analysing it (a sidguard bug: please report it)"
                    .into(),
                ..Skipped::default()
            });
        }
    }
}

/// How to run: blocking policy, configuration, time budget, suppressions.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub strict: bool,
    pub config: Config,
    /// Files not started before this instant are skipped ("time budget").
    pub deadline: Option<Instant>,
    /// Honour inline suppressions (`# sidguard: ignore[...]`); pre-receive may forbid them.
    pub ignore_suppressions: bool,
    /// Parse every scanned file and analyse every function, even those the pre-filter and
    /// the relevance filter prove cannot matter (for the equivalence tests and debugging).
    pub no_prefilter: bool,
    /// Findings accepted already (`--baseline`): not reported, not blocking.
    pub baseline: Option<std::sync::Arc<crate::baseline::Baseline>>,
}

/// Runs with the default configuration.
pub fn run(input: Input, strict: bool) -> Outcome {
    run_with(
        input,
        &Options {
            strict,
            ..Options::default()
        },
    )
}

/// Checks `input` under `opts`: the stages above, in order.
pub fn run_with(input: Input, opts: &Options) -> Outcome {
    let mut out = Outcome {
        skipped: input.skipped.clone(),
        ..Outcome::default()
    };
    let index = input
        .tree
        .as_deref()
        .map(|t| modules::ModuleIndex::new(t.paths()))
        .unwrap_or_default();
    // 1. The files to check; in `scan`, those that can matter.
    let changed = select::files(&input, opts, &mut out.skipped);
    let scanned = changed.len();
    crate::timings::mark(|| "read; checking".into());
    let changed = select::prefilter(changed, &input, opts);
    crate::timings::mark(|| format!("pre-filter: {} of {scanned} files pass", changed.len()));
    // 2. Each version of each file, prepared once.
    let (changed, mut versions) = prepare::all(changed);
    crate::timings::mark(|| "prepared the files".into());
    // 3. Callers elsewhere of helpers whose behaviour the change alters, checked whole; then
    // the summaries of the helpers each file imports.
    let summaries = helpers::cache(&input, opts);
    let dependents = helpers::dependents(&changed, &mut versions, &input, &index, opts, &summaries);
    let files: Vec<&ChangedFile> = changed.into_iter().chain(&dependents).collect();
    out.files = if input.mode == Mode::Scan {
        scanned
    } else {
        files.len()
    };
    helpers::from_other_modules(&mut versions, &input, &index);
    let (new_helpers, old_helpers) =
        helpers::summaries_of(&versions, &input, &index, opts, &summaries);
    crate::timings::mark(|| "prepared files, summarised helpers".into());
    // 4, 5. Each file: its functions, the rules, suppressions, what blocks.
    let pairs: Vec<helpers::HelperPair<'_>> = new_helpers.iter().zip(&old_helpers).collect();
    for r in file::check_all(files, versions, &pairs, &input, opts) {
        out.add(r);
    }
    crate::finding::assign_fingerprints(&mut out.findings);
    if let Some(b) = &opts.baseline {
        out.baselined = b.apply(&mut out.findings);
    }
    out
}
