//! Runs the rules over an `Input`: picks the functions a change affects, checks them, and
//! decides which findings block. Files are checked in parallel (rayon, one parser per thread,
//! nothing shared on the hot path); results keep the input's order.
//!
//! Affected functions, in the diff modes: the innermost function around each changed line;
//! functions that mention a name bound or used on a changed module- or class-level line
//! (imports, backend setup); and, transitively, functions that call an affected function
//! of the same module (their helper's summary changed).
//!
//! Blocking: a finding blocks when the same rule does not fire on the same function
//! (qualified name) in the old version of the file. Pre-existing findings become warnings,
//! unless `strict`. In `scan` every finding blocks.

use std::collections::BTreeSet;

use rayon::prelude::*;

use std::time::Instant;

use std::collections::HashMap;

use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::project::ProjectFacts;
use crate::python::file::{Prepared, SourceFile};
use crate::python::imports::ModuleScope;
use crate::python::outline::DefKind;
use crate::python::outline::Outline;
use crate::python::summary::Summary;
use crate::python::{modules, outline};
use crate::rules::login_without_regeneration::summarize;
use crate::rules::{self, Context};
use crate::source::ProjectTree;
use crate::source::{too_big, ChangedFile, Input, Mode, Skipped, Touched};
use crate::summaries::Summaries;
use crate::suppress;

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
}

impl Outcome {
    pub fn blocking(&self) -> usize {
        self.findings.iter().filter(|f| f.blocking).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| !f.blocking).count()
    }
}

struct FileResult {
    findings: Vec<Finding>,
    functions: usize,
    parsed_lines: usize,
    crashed: Option<String>,
    refused: Option<Skipped>,
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

pub fn run_with(input: Input, opts: &Options) -> Outcome {
    let facts = (input.facts, input.old_facts);
    let mode = input.mode;
    let mut out = Outcome {
        skipped: input.skipped.clone(),
        ..Outcome::default()
    };
    let index = input
        .tree
        .as_deref()
        .map(|t| modules::ModuleIndex::new(t.paths()))
        .unwrap_or_default();
    let max_bytes = opts.config.settings.max_file_bytes;
    let changed: Vec<&ChangedFile> = input
        .files
        .iter()
        .filter(|f| !opts.config.excluded(&f.path))
        // `scan` left test code out of its walk (paths there start with the walk's root).
        .filter(|f| mode == Mode::Scan || !opts.config.skips_test(&f.path))
        .filter(|f| {
            let big = f.new.len() as u64 > max_bytes;
            if big {
                out.skipped.push(Skipped {
                    path: f.path.clone(),
                    reason: too_big(f.new.len() as u64, max_bytes),
                    ..Skipped::default()
                });
            }
            !big
        })
        .collect();
    let scanned = changed.len();
    crate::timings::mark(|| "read; checking".into());
    let changed: Vec<(&ChangedFile, Option<Prepared>)> = if mode == Mode::Scan && !opts.no_prefilter
    {
        prefiltered(changed, input.facts, &opts.config)
    } else {
        changed.into_iter().map(|f| (f, None)).collect()
    };
    crate::timings::mark(|| format!("pre-filter: {} of {scanned} files pass", changed.len()));
    // Each version of each file is decoded, outlined and scoped once, in parallel.
    let (changed, mut versions): (Vec<&ChangedFile>, Vec<Versions>) = changed
        .into_par_iter()
        .map(|(f, new)| (f, Versions::with(f, new)))
        .unzip();
    crate::timings::mark(|| "prepared the files".into());
    // Callers elsewhere of helpers whose behaviour the change alters, checked whole.
    // Summaries already computed for blobs the repository had (commit hooks and pushes).
    let summaries = match &input.cache_dir {
        Some(dir) if mode != Mode::Scan => Summaries::open(dir, &opts.config),
        _ => Summaries::none(),
    };
    let dependents = helper_dependents(&changed, &mut versions, &input, &index, opts, &summaries);
    let dependents: Vec<&ChangedFile> = dependents
        .iter()
        .filter(|f| !opts.config.excluded(&f.path))
        .collect();
    versions.extend(
        dependents
            .par_iter()
            .map(|f| Versions::of(f))
            .collect::<Vec<_>>(),
    );
    let files: Vec<&ChangedFile> = changed.into_iter().chain(dependents).collect();
    out.files = if mode == Mode::Scan {
        scanned
    } else {
        files.len()
    };
    // Helpers in other modules: the new versions from the checked tree, the old ones (for
    // judging what the change introduced) from the tree it is compared with.
    let new_sources: Vec<Option<&Prepared>> = versions.iter().map(|v| Some(&v.new)).collect();
    let old_sources: Vec<Option<&Prepared>> = versions.iter().map(|v| v.old.as_ref()).collect();
    let new_helpers = helper_summaries(
        &new_sources,
        input.tree.as_deref(),
        &index,
        input.facts,
        opts,
        &summaries,
    );
    let old_helpers = helper_summaries(
        &old_sources,
        input.old_tree.as_deref(),
        &index,
        input.old_facts,
        opts,
        &summaries,
    );
    summaries.save();
    let helpers: Vec<HelperPair<'_>> = new_helpers.iter().zip(old_helpers.iter()).collect();
    crate::timings::mark(|| "prepared files, summarised helpers".into());
    // Biggest files first, one task each, so that no core is left with a large file at the
    // end; the results are put back in the walk's order.
    let mut tasks: Vec<(usize, (&ChangedFile, Versions), &HelperPair<'_>)> = files
        .into_iter()
        .zip(versions)
        .zip(helpers.iter())
        .enumerate()
        .map(|(i, (fv, h))| (i, fv, h))
        .collect();
    tasks.sort_by_key(|(i, (f, _), _)| (std::cmp::Reverse(f.new.len()), *i));
    let mut results: Vec<(usize, FileResult)> = tasks
        .into_par_iter()
        .with_max_len(1)
        .map(|(i, (f, versions), helpers)| {
            (i, guarded_check(f, versions, facts, mode, opts, helpers))
        })
        .collect();
    results.sort_by_key(|(i, _)| *i);
    for (_, r) in results {
        out.findings.extend(r.findings);
        out.functions += r.functions;
        out.parsed_lines += r.parsed_lines;
        out.skipped.extend(r.refused);
        if let Some(path) = r.crashed {
            out.internal_errors += 1;
            out.skipped.push(Skipped {
                path,
                reason: "internal error while analysing it (a sidguard bug: please report it)"
                    .into(),
                ..Skipped::default()
            });
        }
    }
    out
}

/// `check_file` under the time budget and a panic guard: a bug must not turn into a silent
/// pass or take the other files down, so such a file is reported as skipped (and so never
/// looks clean).
fn guarded_check(
    f: &ChangedFile,
    versions: Versions,
    facts: (ProjectFacts, ProjectFacts),
    mode: Mode,
    opts: &Options,
    helpers: &HelperPair<'_>,
) -> FileResult {
    if opts.deadline.is_some_and(|d| Instant::now() > d) {
        return FileResult {
            findings: Vec::new(),
            functions: 0,
            parsed_lines: 0,
            crashed: None,
            refused: Some(Skipped {
                path: f.path.clone(),
                reason: "the time budget ran out before it was checked".into(),
                ..Skipped::default()
            }),
        };
    }
    let started = Instant::now();
    let budget = std::time::Duration::from_millis(opts.config.settings.file_time_budget_ms);
    crate::budget::start(budget);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_file(f, versions, facts, mode, opts, helpers)
    }));
    let over = crate::budget::exceeded();
    crate::budget::clear();
    let r = r.map(|mut r| {
        if over {
            r.refused = Some(Skipped {
                path: f.path.clone(),
                reason: format!(
                    "its analysis took longer than the per-file time budget ({} ms, `file-time-budget-ms`); findings shown for it may be incomplete",
                    budget.as_millis()
                ),
                ..Skipped::default()
            });
        }
        r
    });
    if crate::timings::on() && started.elapsed().as_millis() >= 20 {
        crate::timings::mark(|| {
            format!(
                "{} took {:.1} ms",
                f.path,
                started.elapsed().as_secs_f64() * 1e3
            )
        });
    }
    r.unwrap_or_else(|_| FileResult {
        findings: Vec::new(),
        functions: 0,
        parsed_lines: 0,
        crashed: Some(f.path.clone()),
        refused: None,
    })
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
    let names: Vec<(String, String)> = prepared
        .par_iter()
        .flatten()
        .flat_map_iter(|p| {
            crate::prefilter::helper_names(p, config)
                .into_iter()
                .map(|n| (p.path.clone(), n))
                .collect::<Vec<_>>()
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

/// Project files outside the change that call a top-level function whose summary the change
/// alters (a regeneration removed from a helper, an identity write added): they are checked
/// whole, against their old versions under the old helpers, so the finding lands where the
/// helper is called. The rest of the tree is read only when such a summary changed.
fn helper_dependents(
    files: &[&ChangedFile],
    versions: &mut [Versions],
    input: &Input,
    index: &modules::ModuleIndex,
    opts: &Options,
    summaries: &Summaries,
) -> Vec<ChangedFile> {
    let Some(tree) = input.tree.as_deref() else {
        return Vec::new();
    };
    let mut altered: Vec<(String, String)> = Vec::new();
    for (cf, v) in files.iter().zip(versions) {
        let (Some(old), Touched::Lines(_)) = (&mut v.old, &cf.touched) else {
            continue;
        };
        // The versions' parses are handed back for the rules (each function parsed once).
        let new_file = SourceFile::from_prepared(std::mem::take(&mut v.new), false);
        let old_file = SourceFile::from_prepared(std::mem::take(old), false);
        for def in affected(
            &new_file,
            &cf.touched,
            Some((&old_file.outline, &old_file.text)),
        ) {
            let d = &new_file.outline.defs[def];
            if d.parent.is_some() {
                continue;
            }
            let ctx = |file, facts| Context {
                file,
                facts,
                config: &opts.config,
                helpers: None,
            };
            let now = summarize(&ctx(&new_file, input.facts), def);
            // Kept for the next change of this file, which will compare with this blob. A
            // summary is kept under its function's name only if that name finds it.
            if new_file.outline.function_named(&d.name) == Some(def) {
                let key = summaries.key(input.facts, cf.new_id, &new_file.path, &d.name);
                summaries.put(key, now);
            }
            let before = old_file.outline.function_named(&d.name).map(|od| {
                let key = summaries.key(input.old_facts, cf.old_id, &old_file.path, &d.name);
                summaries.get_or(key, || summarize(&ctx(&old_file, input.old_facts), od))
            });
            if before != Some(now) {
                altered.push((cf.path.clone(), d.name.clone()));
            }
        }
        v.new = new_file.into_prepared();
        *old = old_file.into_prepared();
    }
    if altered.is_empty() {
        return Vec::new();
    }
    let in_change: std::collections::HashSet<&str> =
        files.iter().map(|f| f.path.as_str()).collect();
    let mut out = Vec::new();
    for path in tree.paths().iter() {
        if in_change.contains(path) {
            continue;
        }
        let Some(content) = tree.read(path) else {
            continue;
        };
        if !altered
            .iter()
            .any(|(_, name)| memchr::memmem::find(&content, name.as_bytes()).is_some())
        {
            continue;
        }
        let text = String::from_utf8_lossy(&content);
        let outline = outline::scan(text.as_bytes());
        let module = ModuleScope::build(&text, &outline);
        let calls = module.import_paths().any(|p| {
            index.resolve(path, p).is_some_and(|t| {
                altered.iter().any(|(file, name)| {
                    t.file == *file
                        && match &t.function {
                            Some(f) => f == name,
                            None => text.contains(&format!("{name}(")),
                        }
                })
            })
        });
        if calls {
            let old = input
                .old_tree
                .as_deref()
                .and_then(|t| t.read(path))
                .or_else(|| Some(content.clone()));
            out.push(ChangedFile {
                path: path.to_string(),
                new: content,
                old,
                touched: Touched::All,
                new_id: None,
                old_id: None,
            });
        }
    }
    out
}

/// A helper file as read for the helper summaries: its bytes (empty for a file being
/// checked, whose text is at hand), whether session events are possible in it, whether its
/// text holds a filter word, and its blob id (which keys the summary cache; none for the
/// files being checked).
struct Target {
    bytes: Vec<u8>,
    open: bool,
    matters: bool,
    id: Option<git2::Oid>,
}

/// A file's helper summaries: for its new version and for its old one.
type HelperPair<'a> = (&'a HashMap<String, Summary>, &'a HashMap<String, Summary>);

/// Summaries of the project helpers each file imports from other modules, by the qualified
/// path the file uses. Only the imported project files are read (from the checked tree),
/// and only the functions a file calls are summarised, each once. Reading, preparing and
/// summarising run in parallel, one task per imported file.
fn helper_summaries(
    files: &[Option<&Prepared>],
    tree: Option<&dyn ProjectTree>,
    index: &modules::ModuleIndex,
    facts: ProjectFacts,
    opts: &Options,
    summaries: &Summaries,
) -> Vec<HashMap<String, Summary>> {
    let Some(tree) = tree else {
        return vec![HashMap::new(); files.len()];
    };
    // 1. What each file imports from the project: (qualified path it uses, target).
    let mut imports: Vec<Vec<(String, modules::Target)>> = files
        .par_iter()
        .map(|p| match p {
            Some(p) => p
                .module
                .import_paths()
                .filter_map(|path| index.resolve(&p.path, path).map(|t| (path.to_string(), t)))
                .collect(),
            None => Vec::new(),
        })
        .collect();
    // 2. Each imported file, read once. Summaries matter only to a file where session events
    // are possible (`prefilter::events_possible`): by its own text, or through a helper that
    // writes identity - which only a target with such events can be. Other files (most of a
    // tree like the standard library) need no summaries, and their targets are not prepared.
    let mut wanted_files: Vec<String> = imports
        .iter()
        .flatten()
        .map(|(_, t)| t.file.clone())
        .collect();
    wanted_files.sort();
    wanted_files.dedup();
    // Targets that are themselves among the files are not read or prepared again.
    let known: HashMap<&str, &Prepared> = files
        .iter()
        .flatten()
        .map(|p| (p.path.as_str(), *p))
        .collect();
    // Per target: its bytes, whether session events are possible in it, and whether its
    // text holds a filter word (else none of its functions can write, rotate or reset, and it
    // is prepared only if a caller needs its outline or its authentication summaries).
    let read: HashMap<String, Target> = wanted_files
        .into_par_iter()
        .filter_map(|f| {
            let marks = |text: &[u8]| {
                let open = crate::prefilter::events_possible(&f, text, facts, &opts.config, false);
                let reaches = || crate::prefilter::reaches_remember(text, &f);
                let matters = crate::prefilter::body_may_matter(text, &reaches, &opts.config);
                (open, matters)
            };
            // A file being checked: its text is at hand, and it has no blob id.
            let known_text = known.get(f.as_str()).map(|p| p.text.as_bytes());
            let (bytes, id) = match known_text {
                Some(_) => (Vec::new(), None),
                None => tree.read_with_id(&f)?,
            };
            let (open, matters) = marks(known_text.unwrap_or(&bytes));
            let target = Target {
                bytes,
                open,
                matters,
                id,
            };
            Some((f, target))
        })
        .collect();
    let own_open: Vec<bool> = files
        .par_iter()
        .map(|p| {
            p.is_some_and(|p| {
                crate::prefilter::events_possible(
                    &p.path,
                    p.text.as_bytes(),
                    facts,
                    &opts.config,
                    false,
                )
            })
        })
        .collect();
    // A file without events of its own looks only at targets with events (the possible
    // writers) until round one shows that it calls one.
    let full_imports = imports.clone();
    for (imps, open) in imports.iter_mut().zip(&own_open) {
        if !(*open || opts.no_prefilter) {
            imps.retain(|(_, t)| read.get(&t.file).is_some_and(|r| r.open));
        }
    }
    // Prepared now: targets that can write, and modules imported whole (their outline says
    // which calls are to their functions). The others wait for round two.
    let mut wanted_files: Vec<&String> = imports
        .iter()
        .flatten()
        .filter(|(_, t)| {
            opts.no_prefilter
                || t.function.is_none()
                || read.get(&t.file).is_some_and(|r| r.matters)
        })
        .map(|(_, t)| &t.file)
        .collect();
    wanted_files.sort();
    wanted_files.dedup();
    let prepare = |wanted: Vec<&String>| -> Vec<(String, Prepared)> {
        wanted
            .into_par_iter()
            .filter_map(|f| {
                if let Some(p) = known.get(f.as_str()) {
                    return Some((f.clone(), (*p).clone()));
                }
                Some((f.clone(), Prepared::new(f.clone(), &read.get(f)?.bytes)))
            })
            .collect()
    };
    let mut prepared: HashMap<String, Prepared> = prepare(wanted_files).into_iter().collect();
    let readable = |f: &str| read.contains_key(f);
    crate::timings::mark(|| format!("helpers: {} targets prepared", prepared.len()));
    // 3. The functions each file calls, by qualified path, and per target the names needed.
    let mut calls: Vec<Vec<(String, String, String)>> = files
        .iter()
        .zip(&imports)
        .map(|(p, imps)| {
            p.map(|p| calls_of(p, imps, &prepared, &readable))
                .unwrap_or_default()
        })
        .collect();
    let mut needed: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (_, file, name) in calls.iter().flatten() {
        needed.entry(file.clone()).or_default().insert(name.clone());
    }
    // 4. Summaries, one task per target file, in two rounds. Only a helper whose text (or a
    // same-file callee's) can hold a session event can write, rotate or reset; those are
    // summarised first, since they decide which of a caller's functions are analysed. The
    // rest can only authenticate, and matter only when called from a function that is.
    let summarise = |prepared: &HashMap<String, Prepared>,
                     needed: HashMap<String, BTreeSet<String>>|
     -> HashMap<(String, String), Summary> {
        needed
            .into_par_iter()
            .flat_map_iter(|(file, names)| {
                let Some(p) = prepared.get(&file) else {
                    return Vec::new();
                };
                let source = SourceFile::from_prepared(p.clone(), false);
                let ctx = Context {
                    file: &source,
                    facts,
                    config: &opts.config,
                    helpers: None,
                };
                let id = read.get(&file).and_then(|r| r.id);
                names
                    .into_iter()
                    .filter_map(|name| {
                        let def = source.outline.function_named(&name)?;
                        let key = summaries.key(facts, id, &file, &name);
                        let summary = summaries.get_or(key, || summarize(&ctx, def));
                        Some(((file.clone(), name), summary))
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let may_write: HashMap<&String, Vec<bool>> = prepared
        .par_iter()
        .filter(|(f, _)| needed.contains_key(*f))
        .map(|(f, p)| {
            let events =
                crate::prefilter::events_possible(f, p.text.as_bytes(), facts, &opts.config, false);
            (
                f,
                crate::prefilter::relevant(
                    f,
                    &p.text,
                    &p.outline,
                    &p.module,
                    &[],
                    &opts.config,
                    events,
                ),
            )
        })
        .collect();
    let writes = |file: &String, name: &String| {
        let (Some(p), Some(rel)) = (prepared.get(file), may_write.get(file)) else {
            return false;
        };
        p.outline.function_named(name).is_some_and(|d| rel[d])
    };
    let mut first: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (file, names) in &needed {
        let w: BTreeSet<String> = names.iter().filter(|n| writes(file, n)).cloned().collect();
        if !w.is_empty() {
            first.insert(file.clone(), w);
        }
    }
    if opts.no_prefilter {
        // Every helper any file calls, in one round (the equivalence tests compare).
        let all = summarise(&prepared, needed);
        return calls
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .filter_map(|(q, file, name)| all.get(&(file, name)).map(|s| (q, *s)))
                    .collect()
            })
            .collect();
    }
    let mut done = summarise(&prepared, first);
    // Files without events of their own that call a writer: now their other targets count.
    let promoted: Vec<usize> = (0..files.len())
        .filter(|i| !own_open[*i])
        .filter(|i| {
            calls[*i].iter().any(|(_, file, name)| {
                done.get(&(file.clone(), name.clone()))
                    .is_some_and(|s| s.writes_identity.is_some())
            })
        })
        .collect();
    if !promoted.is_empty() {
        let mut more: Vec<&String> = promoted
            .iter()
            .flat_map(|i| full_imports[*i].iter().map(|(_, t)| &t.file))
            .filter(|f| !prepared.contains_key(*f))
            .collect();
        more.sort();
        more.dedup();
        prepared.extend(prepare(more));
        for i in promoted {
            if let Some(p) = files[i] {
                let rest: Vec<(String, modules::Target)> = full_imports[i]
                    .iter()
                    .filter(|imp| !imports[i].contains(imp))
                    .cloned()
                    .collect();
                calls[i].extend(calls_of(p, &rest, &prepared, &readable));
            }
        }
    }
    // Round two: helpers called from the functions each file will analyse.
    let wanted: Vec<(String, String)> = files
        .par_iter()
        .zip(&calls)
        .flat_map_iter(|(p, list)| {
            let mut out: Vec<(String, String)> = Vec::new();
            let Some(p) = p else { return out };
            let pending: Vec<&(String, String, String)> = list
                .iter()
                .filter(|(_, file, name)| !done.contains_key(&(file.clone(), name.clone())))
                .collect();
            if pending.is_empty() {
                return out;
            }
            let (keep, _) = relevant_functions(
                p,
                list.iter()
                    .filter(|(_, file, name)| {
                        done.get(&(file.clone(), name.clone()))
                            .is_some_and(|s| s.writes_identity.is_some())
                    })
                    .map(|(q, _, _)| q.as_str()),
                facts,
                &opts.config,
            );
            let bodies: Vec<&str> = p
                .outline
                .defs
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .filter_map(|(d, _)| p.text.get(d.start_byte..d.end_byte))
                .collect();
            for (q, file, name) in pending {
                let mut spellings = writer_calls(&p.module, std::iter::once(q.as_str()));
                spellings.push(format!("{name}("));
                if bodies
                    .iter()
                    .any(|b| spellings.iter().any(|s| b.contains(s.as_str())))
                {
                    out.push((file.clone(), name.clone()));
                }
            }
            out
        })
        .collect();
    let mut second: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (file, name) in wanted {
        second.entry(file).or_default().insert(name);
    }
    let mut missing: Vec<&String> = second
        .keys()
        .filter(|f| !prepared.contains_key(*f))
        .collect();
    missing.sort();
    let more = prepare(missing);
    prepared.extend(more);
    done.extend(summarise(&prepared, second));
    calls
        .into_iter()
        .map(|list| {
            list.into_iter()
                .filter_map(|(q, file, name)| done.get(&(file, name)).map(|s| (q, *s)))
                .collect()
        })
        .collect()
}

/// The project functions file `p` calls through `imports`: (qualified path it uses, target
/// file, function name). A module import counts each top-level function the file calls as
/// `name(`.
fn calls_of(
    p: &Prepared,
    imports: &[(String, modules::Target)],
    prepared: &HashMap<String, Prepared>,
    readable: &dyn Fn(&str) -> bool,
) -> Vec<(String, String, String)> {
    let mut list = Vec::new();
    for (path, target) in imports {
        match &target.function {
            Some(f) => {
                if readable(&target.file) {
                    list.push((path.clone(), target.file.clone(), f.clone()));
                }
            }
            None => {
                let Some(tp) = prepared.get(&target.file) else {
                    continue;
                };
                for d in tp.outline.defs.iter().filter(|d| {
                    d.kind == DefKind::Function
                        && d.parent.is_none()
                        && p.text.contains(&format!("{}(", d.name))
                }) {
                    list.push((
                        format!("{path}.{}", d.name),
                        target.file.clone(),
                        d.name.clone(),
                    ));
                }
            }
        }
    }
    list
}

/// A changed file's new and old versions, prepared once.
struct Versions {
    new: Prepared,
    old: Option<Prepared>,
}

impl Versions {
    fn of(f: &ChangedFile) -> Versions {
        Versions::with(f, None)
    }

    /// With the new version already prepared, if it was (by the pre-filter).
    fn with(f: &ChangedFile, new: Option<Prepared>) -> Versions {
        Versions {
            new: new.unwrap_or_else(|| Prepared::new(f.path.clone(), &f.new)),
            old: f.old.as_ref().map(|o| Prepared::new(f.path.clone(), o)),
        }
    }
}

fn check_file(
    cf: &ChangedFile,
    versions: Versions,
    (facts, old_facts): (ProjectFacts, ProjectFacts),
    mode: Mode,
    opts: &Options,
    (helpers, old_helpers): &HelperPair<'_>,
) -> FileResult {
    let Versions {
        new,
        old: old_version,
    } = versions;
    // A previous version that was not valid Python (a bracket or string never closed) never
    // ran, and may have hidden functions from the diff: when the change makes the file
    // valid, every function is checked and every finding is new.
    let repaired = new.outline.problem.is_none()
        && old_version
            .as_ref()
            .is_some_and(|o| o.outline.problem.is_some());
    let (touched, old_version) = if repaired {
        (&Touched::All, None)
    } else {
        (&cf.touched, old_version)
    };
    // Without the pre-filter every function is analysed (the equivalence tests compare).
    let (relevant, events) = if opts.no_prefilter {
        (vec![true; new.outline.defs.len()], true)
    } else {
        relevant_functions(
            &new,
            helpers
                .iter()
                .filter(|(_, s)| s.writes_identity.is_some())
                .map(|(path, _)| path.as_str()),
            facts,
            &opts.config,
        )
    };
    // `scan` parses the whole file at once when most of it will be analysed, else only
    // the functions that can matter (each as a slice).
    // Not for files with thousands of functions: finding each one in a whole-file tree walks
    // the siblings before it (quadratic); slices keep it linear.
    let whole = matches!(touched, Touched::All)
        && mode == Mode::Scan
        && new.outline.defs.len() <= WHOLE_FILE_MAX_DEFS
        && ({
            let lines: usize = new
                .outline
                .defs
                .iter()
                .zip(&relevant)
                .filter(|(d, r)| **r && d.parent.is_none())
                .map(|(d, _)| d.end_line + 1 - d.start_line)
                .sum();
            lines * 2 > new.outline.line_count()
        });
    let file = SourceFile::from_prepared(new, whole);
    if let Some(reason) = &file.refused {
        return FileResult {
            findings: Vec::new(),
            functions: 0,
            parsed_lines: 0,
            crashed: None,
            refused: Some(Skipped {
                path: cf.path.clone(),
                reason: reason.clone(),
                ..Skipped::default()
            }),
        };
    }
    let ctx = Context {
        file: &file,
        facts,
        config: &opts.config,
        helpers: Some(helpers),
    };
    let defs = affected(
        &file,
        touched,
        old_version.as_ref().map(|o| (&o.outline, o.text.as_str())),
    );
    let mut findings = Vec::new();
    for &def in &defs {
        if crate::budget::exceeded() {
            break;
        }
        if relevant[def] {
            if events {
                findings.extend(rules::check_function(&ctx, def));
            } else {
                findings.extend(rules::check_request_data(&ctx, def));
            }
            file.release(def);
        }
    }
    // Cookie and lifetime settings (SID005, SID006): wherever they are written.
    findings.extend(rules::configured(
        &opts.config,
        rules::cookie_settings::check(&ctx, touched, mode == Mode::Scan),
    ));
    // Suppressions, after the rules: in the analysed functions (the whole file in `scan`).
    let mut meta = Vec::new();
    if !opts.ignore_suppressions {
        let analysed: Vec<(usize, usize)> = if matches!(touched, Touched::All) {
            vec![(1, usize::MAX)]
        } else {
            defs.iter()
                .map(|d| {
                    (
                        file.outline.defs[*d].start_line,
                        file.outline.defs[*d].end_line,
                    )
                })
                .collect()
        };
        meta = suppress::apply(&mut findings, &file, &analysed);
        meta.retain(|f| opts.config.enabled(f.rule));
    }
    let mut parsed_lines = file.parsed_lines.get();
    // Blocking: a finding blocks unless the same rule fired on the same function before.
    for f in &mut findings {
        f.blocking = f.severity == Severity::Error;
    }
    if let (Some(old), false) = (old_version, findings.is_empty()) {
        let old_file = SourceFile::from_prepared(old, false);
        let old_ctx = Context {
            file: &old_file,
            facts: old_facts,
            config: &opts.config,
            helpers: Some(old_helpers),
        };
        let mut old_settings: Option<Vec<Finding>> = None;
        for f in &mut findings {
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
        parsed_lines += old_file.parsed_lines.get();
    }
    findings.extend(meta);
    findings.sort_by_key(|f| (f.span.line, f.span.column));
    let partial = partly_analysed(&file, &cf.path);
    FileResult {
        findings,
        functions: defs.len(),
        parsed_lines,
        crashed: None,
        refused: partial,
    }
}

/// Why a checked file was analysed only in part, if it was: a syntax error (the code the
/// parser could not read is not analysed; the functions around it are), or code nested
/// deeper than the analysis follows.
fn partly_analysed(file: &SourceFile, path: &str) -> Option<Skipped> {
    let mut reasons = Vec::new();
    let line = file.syntax_error();
    if let Some(line) = line {
        let what = match &file.outline.problem {
            Some(p) if p.line == line => p.describe(),
            _ => format!("syntax error at line {line}"),
        };
        reasons.push(format!(
            "partly analysed: {what} (not valid Python; the functions around it were analysed, the broken code was not)"
        ));
    }
    if file.truncated.get() {
        reasons.push(format!(
            "partly analysed: code nested more than {} levels deep was not analysed",
            crate::python::flow::MAX_DEPTH
        ));
    }
    (!reasons.is_empty()).then(|| Skipped {
        path: path.to_string(),
        reason: reasons.join("; "),
        partial: true,
        line,
    })
}

/// Above this many functions a file is parsed function by function, never whole.
const WHOLE_FILE_MAX_DEFS: usize = 2_000;

/// `prefilter::relevant` for a file, with the writing helpers it imports from other modules,
/// and whether session events are possible in it at all (else only SID004 can fire).
/// `writers`: the qualified paths (as the file uses them) of helpers that write identity.
fn relevant_functions<'w>(
    p: &Prepared,
    writers: impl Iterator<Item = &'w str>,
    facts: ProjectFacts,
    config: &Config,
) -> (Vec<bool>, bool) {
    let writers = writer_calls(&p.module, writers);
    let events = crate::prefilter::events_possible(
        &p.path,
        p.text.as_bytes(),
        facts,
        config,
        !writers.is_empty(),
    );
    (
        crate::prefilter::relevant(
            &p.path, &p.text, &p.outline, &p.module, &writers, config, events,
        ),
        events,
    )
}

/// How calls to writing helpers look in a module (`set_session(`, `auth.login_as(` as
/// `login_as(`, and `sign_in(` for `from app.auth import login_as as sign_in`), from the
/// qualified paths the module uses for them.
fn writer_calls<'p>(module: &ModuleScope, paths: impl Iterator<Item = &'p str>) -> Vec<String> {
    let last = |q: &str| q.rsplit('.').next().unwrap_or(q).to_string() + "(";
    let mut out: Vec<String> = Vec::new();
    for q in paths {
        out.push(last(q));
        out.extend(module.spellings_of(q).map(|s| last(&s)));
    }
    out.sort();
    out.dedup();
    out
}

/// The functions (outline indices) a change touches, in source order. `old`: the previous
/// version's outline and text; a function whose text differs from the one of the same name
/// there, or that it did not have, is touched even where no changed line falls inside it
/// (a fixed typo above it that had hidden it from the outline, a boundary that moved).
pub fn affected(file: &SourceFile, touched: &Touched, old: Option<(&Outline, &str)>) -> Vec<usize> {
    let outline = &file.outline;
    let ranges = match touched {
        Touched::All => return file.functions().collect(),
        Touched::Lines(r) => r,
    };
    let mut set: BTreeSet<usize> = match old {
        Some((old_outline, old_text)) => changed_definitions(file, old_outline, old_text),
        None => BTreeSet::new(),
    };
    let mut names: BTreeSet<String> = BTreeSet::new();
    for &(start, end) in ranges {
        for line in start..=end.min(outline.line_count().max(start)) {
            if let Some(d) = outline.function_at(line) {
                set.insert(d);
            } else {
                // A module- or class-level line: remember the names on it.
                let text = file.line_text(line);
                names.extend(identifiers(text));
            }
        }
    }
    if !names.is_empty() {
        for d in file.functions() {
            let def = &outline.defs[d];
            let body = file.text.get(def.start_byte..def.end_byte).unwrap_or("");
            if identifiers(body).any(|w| names.contains(&w)) {
                set.insert(d);
            }
        }
    }
    // Callers of affected same-module functions: their helper's effect may have changed.
    let mut frontier: Vec<usize> = set.iter().copied().collect();
    let mut rounds = 0;
    while let Some(d) = frontier.pop() {
        rounds += 1;
        if rounds > 10_000 {
            break;
        }
        let name = outline.defs[d].name.clone();
        let call = format!("{name}(");
        for other in file.functions() {
            if set.contains(&other) {
                continue;
            }
            let def = &outline.defs[other];
            let body = file.text.get(def.start_byte..def.end_byte).unwrap_or("");
            if body.contains(&call) {
                set.insert(other);
                frontier.push(other);
            }
        }
    }
    set.into_iter()
        .filter(|d| outline.defs[*d].kind == DefKind::Function)
        .collect()
}

/// Functions of `file` that the previous version (`old`, `old_text`) did not have with the
/// same qualified name and the same text. The versions are walked side by side (most
/// functions keep their order); a name out of step is looked up among the old ones, and a
/// name defined more than once is compared with its first definition (a mismatch only
/// checks one function more).
fn changed_definitions(file: &SourceFile, old: &Outline, old_text: &str) -> BTreeSet<usize> {
    fn text_of<'t>(text: &'t str, d: &outline::Def) -> &'t [u8] {
        text.as_bytes()
            .get(d.start_byte..d.end_byte)
            .unwrap_or_default()
    }
    let old_fns: Vec<&outline::Def> = old
        .defs
        .iter()
        .filter(|d| d.kind == DefKind::Function)
        .collect();
    let mut by_name: Option<HashMap<&str, &outline::Def>> = None;
    let mut next = 0;
    let mut out = BTreeSet::new();
    for i in file.functions() {
        let d = &file.outline.defs[i];
        let before = match old_fns.get(next) {
            Some(o) if o.qualname == d.qualname => {
                next += 1;
                Some(*o)
            }
            _ => by_name
                .get_or_insert_with(|| {
                    let mut m = HashMap::new();
                    for o in old_fns.iter().rev() {
                        m.insert(o.qualname.as_str(), *o);
                    }
                    m
                })
                .get(d.qualname.as_str())
                .copied(),
        };
        if before.is_none_or(|o| text_of(old_text, o) != text_of(&file.text, d)) {
            out.insert(i);
        }
    }
    out
}

/// Identifier-like words of a text (a cheap tokenisation for dependency matching).
fn identifiers(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c == '_' || c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && !w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .filter(|w| {
            !matches!(
                *w,
                "import"
                    | "from"
                    | "as"
                    | "if"
                    | "else"
                    | "def"
                    | "class"
                    | "return"
                    | "True"
                    | "False"
                    | "None"
                    | "self"
                    | "and"
                    | "or"
                    | "not"
                    | "in"
                    | "is"
            )
        })
        .map(str::to_string)
}
