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

/// How many helpers deep a login may call before its session write: as deep as the helper
/// summaries look.
const HELPER_CHAIN: usize = super::helpers::DEPTH;

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
    let calls = crate::prefilter::Calls::new(names.clone());
    crate::timings::mark(|| "pre-filter helper names".into());
    let mut pass: Vec<bool> = files
        .par_iter()
        .zip(pass.par_iter())
        .map(|(f, p)| *p || calls.any_in(&f.new))
        .collect();
    // A file that passes only by calling such a helper may hold the next helper up the
    // chain (`views.login -> _security_service.login_granted_response ->
    // security_web.remember_identity`): its top-level functions that call a helper found
    // so far are helpers too, and their callers pass, to the depth the helper summaries
    // follow. Only the files that passed last round are read for them, and only the names
    // found last round looked for.
    let mut fresh: Vec<bool> = pass
        .iter()
        .zip(&prepared)
        .map(|(p, prep)| *p && prep.is_none())
        .collect();
    let mut known: BTreeSet<String> = names.iter().map(|(_, n)| n.clone()).collect();
    // The chain starts at the helpers whose own text can log someone in (not those kept for
    // another reason, such as a mention of a session or reading request data).
    let mut last: Vec<String> = prepared
        .par_iter()
        .flatten()
        .flat_map_iter(|p| {
            let reaches = || crate::prefilter::reaches_remember(p.text.as_bytes(), &p.path);
            p.outline
                .defs
                .iter()
                .filter(|d| {
                    d.kind == crate::python::outline::DefKind::Function
                        && d.parent.is_none()
                        && known.contains(&d.name)
                        && p.text.get(d.start_byte..d.end_byte).is_some_and(|body| {
                            crate::prefilter::body_may_log_in(body.as_bytes(), &reaches, config)
                        })
                })
                .map(|d| d.name.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    last.sort();
    last.dedup();
    for _ in 1..HELPER_CHAIN {
        let Some(writers) = crate::words::word_matcher(last.iter(), false) else {
            break;
        };
        let found: Vec<(String, String)> = files
            .par_iter()
            .enumerate()
            .filter(|(i, _)| fresh[*i])
            .flat_map_iter(|(_, f)| {
                crate::prefilter::calling_functions(&f.new, &writers)
                    .into_iter()
                    .map(|n| (f.path.clone(), n))
                    .collect::<Vec<_>>()
            })
            .collect();
        let added: Vec<(String, String)> = found
            .into_iter()
            .filter(|(_, n)| !known.contains(n))
            .collect();
        if added.is_empty() {
            break;
        }
        known.extend(added.iter().map(|(_, n)| n.clone()));
        last = added.iter().map(|(_, n)| n.clone()).collect();
        let calls = crate::prefilter::Calls::new(added);
        let next: Vec<bool> = files
            .par_iter()
            .zip(pass.par_iter())
            .map(|(f, p)| !*p && calls.any_in(&f.new))
            .collect();
        for (i, n) in next.into_iter().enumerate() {
            fresh[i] = n;
            pass[i] |= n;
        }
        crate::timings::mark(|| "pre-filter: callers of callers".into());
    }
    files
        .into_iter()
        .zip(prepared)
        .zip(pass)
        .filter(|(_, p)| *p)
        .map(|(f, _)| f)
        .collect()
}
