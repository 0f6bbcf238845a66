//! Stage 1: the files to check. Files excluded by the configuration, test code (in the diff
//! modes: `scan` left it out of its walk) and files over `max-file-bytes` are not checked,
//! the last listed as skipped; in `scan`, only files whose text can hold something a rule
//! needs go on (`crate::prefilter`).

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::Options;
use crate::config::Config;
use crate::project::ProjectFacts;
use crate::python::file::Prepared;
use crate::source::{too_big, ChangedFile, Input, Mode, Skipped};

/// The input's files that are checked; those over `max-file-bytes` go to `skipped`.
pub(super) fn files<'i>(
    input: &'i Input,
    opts: &Options,
    skipped: &mut Vec<Skipped>,
) -> Vec<&'i ChangedFile> {
    let max_bytes = opts.config.settings.max_file_bytes;
    input
        .files
        .iter()
        .filter(|f| !opts.config.excluded(&f.path))
        // `scan` left test code out of its walk (paths there start with the walk's root).
        .filter(|f| input.mode == Mode::Scan || !opts.config.skips_test(&f.path))
        .filter(|f| {
            let big = f.new.len() as u64 > max_bytes;
            if big {
                skipped.push(Skipped {
                    path: f.path.clone(),
                    reason: too_big(f.new.len() as u64, max_bytes),
                    ..Skipped::default()
                });
            }
            !big
        })
        .collect()
}

/// In `scan` (unless `no_prefilter`), the files that can matter, with the new version of
/// those the pre-filter had to prepare; elsewhere every file, none prepared.
pub(super) fn prefilter<'i>(
    files: Vec<&'i ChangedFile>,
    input: &Input,
    opts: &Options,
) -> Vec<(&'i ChangedFile, Option<Prepared>)> {
    if input.mode == Mode::Scan && !opts.no_prefilter {
        prefiltered(files, input.facts, &opts.config)
    } else {
        files.into_iter().map(|f| (f, None)).collect()
    }
}

/// The scan's files that can matter (see `prefilter`): those whose text passes, and those
/// that call a top-level function of a passing file that may write identity.
fn prefiltered<'a>(
    files: Vec<&'a ChangedFile>,
    facts: ProjectFacts,
    config: &Config,
) -> Vec<(&'a ChangedFile, Option<Prepared>)> {
    let pass: Vec<bool> = files
        .par_iter()
        .map(|f| crate::prefilter::passes(&f.path, &f.new, facts, config))
        .collect();
    crate::timings::mark(|| "pre-filter step one".into());
    // Files with session events are prepared here (for their helper names), once.
    let prepared: Vec<Option<Prepared>> = files
        .par_iter()
        .zip(pass.par_iter())
        .map(|(f, p)| {
            (*p && crate::prefilter::events_possible(&f.path, &f.new, facts, config, false))
                .then(|| Prepared::new(f.path.clone(), &f.new))
        })
        .collect();
    let found: Vec<(String, String, bool)> = prepared
        .par_iter()
        .flatten()
        .flat_map_iter(|p| {
            crate::prefilter::helper_names(p, config)
                .into_iter()
                .map(|(n, method)| (p.path.clone(), n, method))
                .collect::<Vec<_>>()
        })
        .collect();
    // A method is called on an object whose class may come from anywhere (a package that
    // re-exports it, a model fetched by a query): a caller need not name its module. Only
    // for a method name one file defines: a name many classes define (`get_context_data`)
    // would keep every file that calls any of them.
    let mut defined: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (path, name, method) in &found {
        if *method {
            defined.entry(name).or_default().insert(path);
        }
    }
    // A method name several files' classes define is left out: which class's method a call
    // reaches is the helper stage's to tell, and every caller of such common names would pass.
    let names: Vec<(String, String)> = found
        .iter()
        .filter(|(_, name, method)| {
            !*method || defined.get(name.as_str()).is_some_and(|f| f.len() == 1)
        })
        .map(|(path, name, method)| {
            let path = if *method { String::new() } else { path.clone() };
            (path, name.clone())
        })
        .collect();
    let calls = crate::prefilter::Calls::new(names);
    crate::timings::mark(|| "pre-filter helper names".into());
    let pass: Vec<bool> = files
        .par_iter()
        .zip(pass.par_iter())
        .map(|(f, p)| *p || calls.any_in(&f.new))
        .collect();
    files
        .into_iter()
        .zip(prepared)
        .zip(pass)
        .filter(|(_, p)| *p)
        .map(|(f, _)| f)
        .collect()
}
