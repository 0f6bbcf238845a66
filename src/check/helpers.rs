//! Stage 3: helpers in other modules of the project. What a function does through a helper
//! it imports comes from the helper's summary (`python::summary::Summary`, computed by
//! `rules::login_without_regeneration::summarize`), so a file's check needs the summaries of
//! the helpers it calls, for its new version and for its old one. And a change to a helper
//! can make a login elsewhere wrong: the callers of a helper whose summary the change alters
//! are checked too, whole. Summaries of blobs the repository had are kept in the summary
//! cache (`crate::summaries`) between runs.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::functions::{affected, relevant_functions, writer_calls};
use super::prepare::Versions;
use super::Options;
use crate::config::Config;
use crate::project::ProjectFacts;
use crate::python::file::{Prepared, SourceFile};
use crate::python::imports::Bound;
use crate::python::imports::ModuleScope;
use crate::python::modules;
use crate::python::outline::{self, DefKind};
use crate::python::summary::Summary;
use crate::rules::login_without_regeneration::summarize;
use crate::rules::Context;
use crate::source::{ChangedFile, Input, Mode, ProjectTree, Touched};
use crate::summaries::Summaries;

/// Files prepared for the helper summaries, shared between the stage's maps.
type Shared = HashMap<String, Arc<Prepared>>;

/// A file's project imports, resolved: (qualified path it uses, target).
type Imports = Arc<Vec<(String, modules::Target)>>;

/// The summary cache of the diff modes (commit hooks and pushes meet the same blobs again);
/// `scan` keeps none.
pub(super) fn cache(input: &Input, opts: &Options) -> Summaries {
    match &input.cache_dir {
        Some(dir) if input.mode != Mode::Scan => Summaries::open(dir, &opts.config),
        _ => Summaries::none(),
    }
}

/// The files outside the change to check as well (see `helper_dependents`), not excluded by
/// the configuration; their versions are prepared and added to `versions`.
pub(super) fn dependents(
    files: &[&ChangedFile],
    versions: &mut Vec<Versions>,
    input: &Input,
    index: &modules::ModuleIndex,
    opts: &Options,
    summaries: &Summaries,
) -> Vec<ChangedFile> {
    let mut dependents = helper_dependents(files, versions, input, index, opts, summaries);
    dependents.retain(|f| !opts.config.excluded(&f.path));
    versions.extend(dependents.par_iter().map(Versions::of).collect::<Vec<_>>());
    dependents
}

/// A file's method-call targets (`methods::Classes::targets`): those whose receiver's class
/// is known, and the calls left for the class-hierarchy fallback.
type MethodTargets = (
    Vec<(String, modules::Target)>,
    Vec<super::methods::Unresolved>,
);

/// A file's helper summaries, by the qualified path the file uses.
type Helpers = HashMap<String, Summary>;

/// Every file's helper summaries: for its new version, from the checked tree, and for its
/// old one (to judge what the change introduced), from the tree it is compared with. The
/// summaries computed are saved to the cache.
pub(super) fn summaries_of(
    versions: &[Versions],
    input: &Input,
    index: &modules::ModuleIndex,
    opts: &Options,
    summaries: &Summaries,
) -> (Vec<Helpers>, Vec<Helpers>) {
    let new_sources: Vec<Option<&Prepared>> = versions.iter().map(|v| Some(&v.new)).collect();
    let old_sources: Vec<Option<&Prepared>> = versions.iter().map(|v| v.old.as_ref()).collect();
    // What the run has read already (every file in `scan`): the fallback's search for
    // method definitions reads the rest of the tree only.
    let contents: HashMap<&str, &[u8]> = input
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.new.as_slice()))
        .collect();
    let new_helpers = helper_summaries(
        &new_sources,
        &contents,
        input.tree.as_deref(),
        index,
        input.facts,
        opts,
        summaries,
    );
    let old_helpers = helper_summaries(
        &old_sources,
        &HashMap::new(),
        input.old_tree.as_deref(),
        index,
        input.old_facts,
        opts,
        summaries,
    );
    summaries.save();
    (new_helpers, old_helpers)
}

/// Fills each version's `module.constants`: the string constants of other project modules
/// its text uses as session keys (`from .middleware import _SESSION_KEY` then
/// `request.session[_SESSION_KEY]`, or `settings.VERIFIED_KEY`), read from the module that
/// assigns them (`_SESSION_KEY = "_runas_id"`). The new version's from the checked tree,
/// the old one's from the tree it is compared with.
/// What each module takes from other project modules, once the project's modules are known:
/// the names its star imports bind (`star_names`), then the string constants it uses as
/// session keys (`fill_constants`); for both versions of a changed file.
pub(super) fn from_other_modules(
    versions: &mut [Versions],
    input: &Input,
    index: &modules::ModuleIndex,
) {
    let contents: HashMap<&str, &[u8]> = input
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.new.as_slice()))
        .collect();
    let none = HashMap::new();
    versions.par_iter_mut().for_each(|v| {
        if let Some(tree) = input.tree.as_deref() {
            star_names(&mut v.new, tree, &contents, index);
            fill_constants(&mut v.new, tree, &contents, index);
        }
        if let (Some(old), Some(tree)) = (v.old.as_mut(), input.old_tree.as_deref()) {
            star_names(old, tree, &none, index);
            fill_constants(old, tree, &none, index);
        }
    });
}

/// A project file's bytes: the change's version when it has one, else the tree's.
fn project_text<'a>(
    tree: &dyn ProjectTree,
    contents: &HashMap<&str, &'a [u8]>,
    path: &str,
) -> Option<Cow<'a, [u8]>> {
    match contents.get(path) {
        Some(c) => Some(Cow::Borrowed(*c)),
        None => tree.read(path).map(Cow::Owned),
    }
}

/// The names a module's star imports of project modules bind (`from .core import *`,
/// where `core` imports `get_session` from `aiohttp_session`): added to its scope, so that
/// the framework's session and helpers are known by the names the module uses. One level:
/// the star-imported module's own imports, not its star imports in turn.
fn star_names(
    p: &mut Prepared,
    tree: &dyn ProjectTree,
    contents: &HashMap<&str, &[u8]>,
    index: &modules::ModuleIndex,
) {
    let starred: Vec<String> = crate::python::imports::ModuleScope::star_imports(&p.text)
        .into_iter()
        .map(str::to_string)
        .collect();
    for module in starred {
        let Some(t) = index.resolve(&p.path, &module) else {
            continue;
        };
        if t.function.is_some() || t.file == p.path {
            continue;
        }
        let Some(text) = project_text(tree, contents, &t.file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&text);
        let outline = crate::python::outline::scan(text.as_bytes());
        let scope = crate::python::imports::ModuleScope::build(&text, &outline);
        p.module.add_star_imports(&scope);
    }
}

fn fill_constants(
    p: &mut Prepared,
    tree: &dyn ProjectTree,
    contents: &HashMap<&str, &[u8]>,
    index: &modules::ModuleIndex,
) {
    // Only a text that can name a session uses session keys.
    if memchr::memmem::find(p.text.as_bytes(), b"ession").is_none() {
        return;
    }
    // The names that can lead to a constant of the project: an upper-case name imported
    // (`from .keys import USER_KEY`), or a project module imported (`import keys`).
    let heads: Vec<&str> = p
        .module
        .imports()
        .filter(|(local, path)| {
            constant_name(local)
                || index
                    .resolve(&p.path, path)
                    .is_some_and(|t| t.function.is_none())
        })
        .map(|(local, _)| local)
        .collect();
    if heads.is_empty() {
        return;
    }
    let mut found = HashMap::new();
    for name in key_constant_uses(&p.text) {
        if !heads.contains(&name.split('.').next().unwrap_or(name)) {
            continue;
        }
        let Some(q) = p.module.qualify(name) else {
            continue;
        };
        if found.contains_key(&q) {
            continue;
        }
        let Some(t) = index.resolve(&p.path, &q) else {
            continue;
        };
        let Some(constant) = t.function.as_deref() else {
            continue;
        };
        let Some(text) = project_text(tree, contents, &t.file) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&text) else {
            continue;
        };
        if let Some(lit) = crate::python::semantic::module_constant_literal(text, constant) {
            found.insert(q, lit.to_string());
        }
    }
    p.module.constants = found;
}

/// A constant's name: upper case, digits and `_` (`_SESSION_KEY`, `KEY2`).
fn constant_name(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The names a text uses as keys that a constant's spelling can hold (`[_SESSION_KEY]`,
/// `[settings.VERIFIED_KEY]`, `.get(USER_KEY`, `.pop(USER_KEY`): a dotted name whose last
/// segment is upper case.
fn key_constant_uses(text: &str) -> Vec<&str> {
    let constant = |n: &str| constant_name(n.rsplit('.').next().unwrap_or(n));
    fn name_at(rest: &str, constant: impl Fn(&str) -> bool) -> Option<&str> {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let after = rest[end..].trim_start();
        // (It starts with a letter or `_`: the caller looked.)
        (!name.is_empty()
            && !name.ends_with('.')
            && constant(name)
            && (after.starts_with(']') || after.starts_with(',') || after.starts_with(')')))
        .then_some(name)
    }
    let bytes = text.as_bytes();
    // After `[`, or `(` of a mapping's `get`/`pop`/`setdefault`; the next byte starts a
    // name that is upper case or `_` (whose last segment can be a constant), or a module's.
    let starts = memchr::memchr_iter(b'[', bytes)
        .chain(memchr::memmem::find_iter(bytes, b".get(").map(|i| i + 4))
        .chain(memchr::memmem::find_iter(bytes, b".pop(").map(|i| i + 4))
        .chain(memchr::memmem::find_iter(bytes, b".setdefault(").map(|i| i + 11));
    let mut out: Vec<&str> = Vec::new();
    for at in starts {
        if !bytes
            .get(at + 1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            continue;
        }
        if let Some(name) = name_at(&text[at + 1..], constant) {
            out.push(name);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
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
pub(super) type HelperPair<'a> = (&'a HashMap<String, Summary>, &'a HashMap<String, Summary>);

/// Summaries of the project helpers each file imports from other modules, by the qualified
/// path the file uses. Only the imported project files are read (from the checked tree),
/// and only the functions a file calls are summarised, each once. Reading, preparing and
/// summarising run in parallel, one task per imported file.
#[allow(clippy::too_many_arguments)]
fn helper_summaries(
    files: &[Option<&Prepared>],
    contents: &HashMap<&str, &[u8]>,
    tree: Option<&dyn ProjectTree>,
    index: &modules::ModuleIndex,
    facts: ProjectFacts,
    opts: &Options,
    summaries: &Summaries,
) -> Vec<HashMap<String, Summary>> {
    let Some(tree) = tree else {
        return vec![HashMap::new(); files.len()];
    };
    // 1. What each file imports from the project: (qualified path it uses, target), a
    // re-exported function followed to its module (each once per run).
    let followed: Followed = Default::default();
    let mut imports: Vec<Vec<(String, modules::Target)>> = files
        .par_iter()
        .map(|p| match p {
            Some(p) => resolved_imports(p, tree, contents, index, &followed),
            None => Vec::new(),
        })
        .collect();
    // Methods called on objects of project classes, as more targets. A call resolved to
    // several definitions (`multiple`, by key) gets a summary only if theirs agree.
    let mut multiple: Vec<HashMap<String, usize>> = vec![HashMap::new(); files.len()];
    // The files being checked, by path (their text is at hand).
    let class_known: HashMap<&str, &Prepared> = files
        .iter()
        .flatten()
        .map(|p| (p.path.as_str(), *p))
        .collect();
    // Kept for the helpers' own method calls (`Deep::method_targets`).
    let classes = super::methods::Classes::new(tree, index, class_known.clone());
    let class_files = {
        let known = &class_known;
        let more: Vec<MethodTargets> = files
            .par_iter()
            .map(|p| p.map(|p| classes.targets(p)).unwrap_or_default())
            .collect();
        crate::timings::mark(|| "helpers: method receivers typed".into());
        // The class-hierarchy fallback: calls whose receiver's class the text does not say,
        // resolved to the project's definitions of the method (one pass over the tree, only
        // when such a call exists).
        let mut names: Vec<String> = more
            .iter()
            .flat_map(|(_, u)| u.iter().filter(|u| !u.near).map(|u| u.method.clone()))
            .collect();
        names.sort();
        names.dedup();
        let defs = if names.is_empty() {
            HashMap::new()
        } else {
            let excluded = |p: &str| opts.config.excluded(p);
            let found = super::methods::definitions(tree, known, contents, &names, &excluded);
            crate::timings::mark(|| format!("helpers: {} method names looked for", names.len()));
            found
        };
        for (((imps, multi), (more, unresolved)), p) in
            imports.iter_mut().zip(&mut multiple).zip(more).zip(files)
        {
            imps.extend(more);
            let in_tests = p.is_some_and(|p| super::methods::test_path(&p.path));
            // The files a near call is looked up in: the caller's and those it imports.
            let near_files: Vec<String> = match (p, unresolved.iter().any(|u| u.near)) {
                (Some(p), true) => nearby_files(p, imps, &opts.config),
                _ => Vec::new(),
            };
            for u in unresolved {
                let nearby;
                let found = match u.near {
                    true => {
                        nearby = classes.nearby(&near_files, &u.method);
                        &nearby
                    }
                    false => match defs.get(&u.method) {
                        Some(found) => found,
                        None => continue,
                    },
                };
                let found: Vec<&(String, String)> = found
                    .iter()
                    .filter(|(f, _)| in_tests || !super::methods::test_path(f))
                    .collect();
                if found.is_empty() {
                    continue;
                }
                if found.len() > super::methods::MAX_DEFINITIONS {
                    continue;
                }
                if found.len() > 1 {
                    multi.insert(u.key.clone(), found.len());
                }
                for (file, function) in found {
                    imps.push((
                        u.key.clone(),
                        modules::Target {
                            file: file.clone(),
                            function: Some(function.clone()),
                        },
                    ));
                }
            }
        }
        crate::timings::mark(|| "helpers: method receivers resolved".into());
        classes.files()
    };
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
    let known = &class_known;
    // Per target: its bytes, whether session events are possible in it, and whether its
    // text holds a filter word (else none of its functions can write, rotate or reset, and it
    // is prepared only if a caller needs its outline or its authentication summaries).
    let read: HashMap<String, Target> = wanted_files
        .into_par_iter()
        .filter_map(|f| {
            let marks = |text: &[u8]| {
                let open = crate::prefilter::events_possible(&f, text, facts, &opts.config, false);
                (
                    open,
                    crate::prefilter::file_may_matter(&f, text, &opts.config),
                )
            };
            // A file being checked: its text is at hand, and it has no blob id.
            let known_text = known.get(f.as_str()).map(|p| p.text.as_bytes());
            let (bytes, id) = match (known_text, contents.get(f.as_str())) {
                (Some(_), _) => (Vec::new(), None),
                // Read by the run already (`scan`): taken from memory.
                (None, Some(c)) => (c.to_vec(), None),
                (None, None) => tree.read_with_id(&f)?,
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
    let prepare = |wanted: Vec<&String>| -> Vec<(String, Arc<Prepared>)> {
        wanted
            .into_par_iter()
            .filter_map(|f| {
                if let Some(p) = known.get(f.as_str()) {
                    return Some((f.clone(), Arc::new((*p).clone())));
                }
                let target = read.get(f)?;
                // Prepared already to follow a class (the same text: one tree, one run).
                if let Some(p) = class_files.get(f.as_str()) {
                    return Some((f.clone(), p.clone()));
                }
                Some((f.clone(), Arc::new(Prepared::new(f.clone(), &target.bytes))))
            })
            .collect()
    };
    let mut prepared: Shared = prepare(wanted_files).into_iter().collect();
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
    let deep = Deep {
        tree,
        index,
        facts,
        opts,
        summaries,
        known,
        contents,
        files: Default::default(),
        memo: Default::default(),
        marks: Default::default(),
        imports: Default::default(),
        followed: &followed,
        classes: &classes,
    };
    // 4. Summaries, one task per target file, in two rounds. Only a helper whose text (or a
    // same-file callee's) can hold a session event can write, rotate or reset; those are
    // summarised first, since they decide which of a caller's functions are analysed. The
    // rest can only authenticate, and matter only when called from a function that is.
    // `auth_only`: round two, whose helpers can at most authenticate.
    let summarise = |prepared: &Shared,
                     needed: HashMap<String, BTreeSet<String>>,
                     auth_only: bool|
     -> HashMap<(String, String), Summary> {
        needed
            .into_par_iter()
            .flat_map_iter(|(file, names)| {
                let Some(p) = prepared.get(&file) else {
                    return Vec::new();
                };
                if p.outline.defs.is_empty()
                    && names.iter().all(|n| reexported_path(p, n).is_none())
                {
                    return Vec::new();
                }
                // Bottom-up: each with the summaries of the helpers it calls (`Deep`). The
                // file's source is made once for all its helpers.
                let source = std::cell::OnceCell::new();
                names
                    .into_iter()
                    .filter_map(|name| {
                        // A method (`Class.method`, reached through an object) is summarised
                        // for its writes only when its class can reach a request's session:
                        // a session store's or a database wrapper's own methods are called
                        // everywhere and write no login; one that can authenticate is walked
                        // for that (a store's method that looks an activation token up,
                        // wherever its class is). A helper of round two (`auth_only`) has no
                        // session event: if it cannot authenticate either, its summary is
                        // known without a walk, and kept (a project helper with a summary
                        // is no unknown checker to its caller). Either way, one that calls
                        // a helper elsewhere is walked.
                        let authenticates = std::cell::OnceCell::new();
                        let authenticates = || {
                            *authenticates.get_or_init(|| may_authenticate(p, &name, &opts.config))
                        };
                        let unreached =
                            name.contains('.') && !method_may_matter(p, &name) && !authenticates();
                        let inert = auth_only && !unreached && !authenticates();
                        if (unreached || inert) && !deep.forwards(&file, &name, &read, prepared) {
                            return inert.then(|| ((file.clone(), name), Summary::default()));
                        }
                        let source =
                            source.get_or_init(|| SourceFile::from_prepared((**p).clone(), false));
                        let summary = deep.summary_in(
                            &file,
                            &name,
                            Some(source),
                            1,
                            &mut Vec::new(),
                            &read,
                            prepared,
                        )?;
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
        p.outline.callable_named(name).is_some_and(|d| rel[d]) || reexported_path(p, name).is_some()
    };
    let first: HashMap<String, BTreeSet<String>> = needed
        .par_iter()
        .filter_map(|(file, names)| {
            // A helper that calls a helper elsewhere may write through it (`Deep::forwards`).
            let w: BTreeSet<String> = names
                .iter()
                .filter(|n| writes(file, n) || deep.forwards(file, n, &read, &prepared))
                .cloned()
                .collect();
            (!w.is_empty()).then(|| (file.clone(), w))
        })
        .collect();
    if opts.no_prefilter {
        // Every helper any file calls, in one round (the equivalence tests compare).
        let all = summarise(&prepared, needed, false);
        return collect(calls, &all, &multiple);
    }
    let mut done = summarise(&prepared, first, false);
    // Files without events of their own that call a writer: now their other targets count.
    let promoted: Vec<usize> = (0..files.len())
        .filter(|i| !own_open[*i])
        .filter(|i| {
            calls[*i].iter().any(|(_, file, name)| {
                done.get(&(file.clone(), name.clone()))
                    .is_some_and(|s| s.writes())
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
                            .is_some_and(|s| s.writes())
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
    done.extend(summarise(&prepared, second, true));
    collect(calls, &done, &multiple)
}

/// Each file's helper summaries by qualified path, from the summaries computed. A path in
/// `multiple` (a method call resolved to several definitions, with their number) gets one only if every
/// definition's summary agrees (`methods::agree`).
fn collect(
    calls: Vec<Vec<(String, String, String)>>,
    done: &HashMap<(String, String), Summary>,
    multiple: &[HashMap<String, usize>],
) -> Vec<HashMap<String, Summary>> {
    calls
        .into_iter()
        .zip(multiple)
        .map(|(list, multi)| {
            let mut out: HashMap<String, Summary> = HashMap::new();
            let mut several: HashMap<String, Vec<Option<Summary>>> = HashMap::new();
            for (q, file, name) in list {
                let s = done.get(&(file, name)).copied();
                if multi.contains_key(&q) {
                    several.entry(q).or_default().push(s);
                } else if let Some(s) = s {
                    out.insert(q, s);
                }
            }
            for (q, list) in several {
                // Every definition listed (a caller without events of its own may have
                // looked at some only) and summarised, all agreeing.
                if list.len() != multi[&q] {
                    continue;
                }
                if let Some(s) = super::methods::agree(&list) {
                    out.insert(q, s);
                }
            }
            out
        })
        .collect()
}

/// The project functions file `p` calls through `imports`: (qualified path it uses, target
/// file, function name). A module import counts each top-level function the file calls as
/// `name(`.
fn calls_of(
    p: &Prepared,
    imports: &[(String, modules::Target)],
    prepared: &Shared,
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

/// How deep a helper's summary looks into the helpers it calls in other modules: a file's
/// helper (depth 1) is summarised with the summaries of the project helpers it calls (depth
/// 2), and so on down to this depth, whose helpers are summarised alone.
pub(super) const DEPTH: usize = 4;

/// A file read for the summaries below the first hop: prepared, with the pre-filter's marks
/// (`Target`) and its blob id.
struct DeepFile {
    /// None for a file that cannot matter (not prepared: none of its helpers is followed).
    prepared: Option<Arc<Prepared>>,
    matters: bool,
    id: Option<git2::Oid>,
}

/// Helper summaries computed bottom-up: a helper's summary is computed with those of the
/// project helpers it calls in other modules (`view -> flows.reauthenticate -> record`), to
/// `DEPTH`, each (file, function) once per run. Only helpers in files whose text can write,
/// rotate or reset (`prefilter::body_may_matter`) are followed: a helper elsewhere can at
/// most authenticate. A function met again while it is being summarised (a cycle between
/// modules) is left out of its caller's map.
struct Deep<'a, 'i> {
    tree: &'a dyn ProjectTree,
    index: &'a modules::ModuleIndex<'i>,
    facts: ProjectFacts,
    opts: &'a Options,
    summaries: &'a Summaries,
    /// The files being checked (their text is at hand, they have no blob id).
    known: &'a HashMap<&'a str, &'a Prepared>,
    /// What the run has read already (every file in `scan`), read from memory.
    contents: &'a HashMap<&'a str, &'a [u8]>,
    files: std::sync::Mutex<HashMap<String, Option<Arc<DeepFile>>>>,
    memo: std::sync::Mutex<HashMap<(String, String), Summary>>,
    /// `matters` of files not (yet) read by `file`.
    marks: std::sync::Mutex<HashMap<String, bool>>,
    /// Each file's resolved project imports (`imports_of`).
    imports: std::sync::Mutex<HashMap<String, Imports>>,
    /// Re-exported functions followed to their modules, shared with the first hop.
    followed: &'a Followed,
    /// The project's classes, for the methods a helper calls on objects of them.
    classes: &'a super::methods::Classes<'a, 'i>,
}

impl Deep<'_, '_> {
    /// File `path`, read and prepared once (from `prepared`, the first hop's targets, when
    /// it is there).
    fn file(
        &self,
        path: &str,
        read: &HashMap<String, Target>,
        prepared: &Shared,
    ) -> Option<Arc<DeepFile>> {
        if let Some(f) = self.files.lock().ok()?.get(path) {
            // Prepared since by the first hop (its round two): taken from there.
            if f.as_ref().is_none_or(|f| f.prepared.is_some()) || !prepared.contains_key(path) {
                return f.clone();
            }
        }
        let made = (|| {
            let config = &self.opts.config;
            // A target of the first hop (a file being checked included): shared from there.
            if let Some(p) = prepared.get(path) {
                let target = read.get(path);
                return Some(DeepFile {
                    prepared: Some(p.clone()),
                    matters: target.map_or_else(
                        || crate::prefilter::file_may_matter(path, p.text.as_bytes(), config),
                        |t| t.matters,
                    ),
                    id: target.and_then(|t| t.id),
                });
            }
            if let Some(p) = self.known.get(path) {
                return Some(DeepFile {
                    prepared: Some(Arc::new((*p).clone())),
                    matters: crate::prefilter::file_may_matter(path, p.text.as_bytes(), config),
                    id: None,
                });
            }
            let (bytes, id) = self.read_bytes(path)?;
            let matters = crate::prefilter::file_may_matter(path, &bytes, config);
            let prepared = (matters || self.opts.no_prefilter)
                .then(|| Arc::new(Prepared::new(path.to_string(), &bytes)));
            Some(DeepFile {
                prepared,
                matters,
                id,
            })
        })()
        .map(Arc::new);
        if let Ok(mut files) = self.files.lock() {
            files.insert(path.to_string(), made.clone());
        }
        made
    }

    /// The function's text and that of the same-file functions it calls by name, and the
    /// project imports (and package submodule functions) those texts use (`name(` or
    /// `module.`): most of a module's imports are not used by the one function summarised.
    fn used_imports<'p>(
        &self,
        p: &'p Prepared,
        def: usize,
    ) -> (Vec<&'p str>, Vec<(String, modules::Target)>) {
        let Some(d) = p.outline.defs.get(def) else {
            return (Vec::new(), Vec::new());
        };
        let own = p.text.get(d.start_byte..d.end_byte).unwrap_or("");
        let mut bodies = vec![own];
        for other in p.outline.defs.iter() {
            if other.kind == DefKind::Function
                && other.parent.is_none()
                && other.start_byte != d.start_byte
                && own.contains(&format!("{}(", other.name))
            {
                bodies.extend(p.text.get(other.start_byte..other.end_byte));
            }
        }
        let imports: Vec<(String, modules::Target)> = self
            .imports_of(p)
            .iter()
            .filter(|(path, _)| {
                p.module.spellings_of(path).any(|s| {
                    bodies
                        .iter()
                        .any(|b| followed_by(b.as_bytes(), s.as_bytes(), b"(."))
                })
            })
            .cloned()
            .collect();
        (bodies, imports)
    }

    /// The project imports of file `p` (and its package submodule functions), resolved once
    /// per file: each of its helpers looks at them.
    fn imports_of(&self, p: &Prepared) -> Imports {
        if let Some(found) = self
            .imports
            .lock()
            .ok()
            .and_then(|m| m.get(&p.path).cloned())
        {
            return found;
        }
        // As at the first hop: re-exports followed.
        let imports = Arc::new(resolved_imports(
            p,
            self.tree,
            self.contents,
            self.index,
            self.followed,
        ));
        if let Ok(mut m) = self.imports.lock() {
            m.insert(p.path.clone(), imports.clone());
        }
        imports
    }

    /// The project helpers function `def` of `f` calls in other modules that can matter:
    /// (qualified path `f` uses, file, function). Calls are looked for in the function's text
    /// and in that of the same-file functions it calls by name.
    fn callees(
        &self,
        f: &DeepFile,
        def: usize,
        read: &HashMap<String, Target>,
        prepared: &Shared,
    ) -> Vec<(String, String, String)> {
        let Some(p) = &f.prepared else {
            return Vec::new();
        };
        let (bodies, mut imports) = self.used_imports(p, def);
        let mut targets: Shared = HashMap::new();
        imports.retain(|(_, t)| {
            let Some(g) = self.file(&t.file, read, prepared) else {
                return false;
            };
            let Some(gp) = g
                .prepared
                .as_ref()
                .filter(|_| g.matters || self.opts.no_prefilter)
            else {
                return false;
            };
            if t.function.is_none() {
                targets.entry(t.file.clone()).or_insert_with(|| gp.clone());
            }
            true
        });
        let readable = |_: &str| true;
        let mut out: Vec<(String, String, String)> = calls_of(p, &imports, &targets, &readable)
            .into_iter()
            .filter(|(q, _, _)| {
                p.module.spellings_of(q).any(|s| {
                    bodies
                        .iter()
                        .any(|b| followed_by(b.as_bytes(), s.as_bytes(), b"("))
                })
            })
            .collect();
        // Methods it (or a method of its class it calls on `self`, which the walk inlines)
        // calls on objects of project classes (`session = UserSession(); session.login(u)`,
        // `self.store.save_user(u)`, an inherited `self.start_session(u)`), in files that
        // can matter.
        for (key, t) in self.method_targets(p, def, read, prepared) {
            let Some(function) = t.function else {
                continue;
            };
            if self
                .file(&t.file, read, prepared)
                .is_some_and(|g| g.prepared.is_some() && (g.matters || self.opts.no_prefilter))
            {
                out.push((key, t.file, function));
            }
        }
        out
    }

    /// The methods function `def` of `p` (or a method of its class it calls on `self`, which
    /// the walk inlines) calls on objects of project classes. (Asked by `forwards` and by
    /// `callees`, for a helper each; a memo of them measured slower than asking twice.)
    ///
    /// A call whose receiver's class the text does not say (`_security.plugins.tf_complete(u)`)
    /// goes to the method's definitions in the helper's own module and in the project modules
    /// it imports (where the classes it works with are, most often): each a target under the
    /// call's key, kept by `summary_in` only if all agree (`methods::agree`). Not a pass over
    /// the tree per depth, as the first hop's fallback is.
    fn method_targets(
        &self,
        p: &Prepared,
        def: usize,
        read: &HashMap<String, Target>,
        prepared: &Shared,
    ) -> Vec<(String, modules::Target)> {
        let mut out = Vec::new();
        let mut unresolved = Vec::new();
        for d in own_and_self_calls(p, def) {
            let (resolved, more) = self.classes.targets_of(p, d);
            out.extend(resolved);
            unresolved.extend(more);
        }
        if unresolved.is_empty() {
            return out;
        }
        let in_tests = super::methods::test_path(&p.path);
        let mut files = nearby_files(p, &self.imports_of(p), &self.opts.config);
        files.retain(|f| in_tests || !super::methods::test_path(f));
        for u in unresolved {
            let mut found = Vec::new();
            let mut elsewhere = false;
            for f in &files {
                let Some(g) = self.file(f, read, prepared) else {
                    continue;
                };
                match g
                    .prepared
                    .as_ref()
                    .filter(|_| g.matters || self.opts.no_prefilter)
                {
                    Some(gp) => found.extend(
                        super::methods::class_methods_named(gp, &u.method)
                            .into_iter()
                            .map(|q| (f.clone(), q)),
                    ),
                    // A definition in a file that can write nothing: the call may run it,
                    // which no summary of the others says.
                    None => {
                        elsewhere |= self.read_bytes(f).is_some_and(|(b, _)| {
                            calls_name(&b, format!("def {}", u.method).as_bytes())
                        })
                    }
                }
            }
            if elsewhere || found.is_empty() || found.len() > super::methods::MAX_DEFINITIONS {
                continue;
            }
            out.extend(found.into_iter().map(|(file, function)| {
                (
                    u.key.clone(),
                    modules::Target {
                        file,
                        function: Some(function),
                    },
                )
            }));
        }
        out
    }

    /// The summary of function `name` of `file`, summarised at `depth` (1: a helper the
    /// checked file calls) with the summaries of the helpers it calls, while `stack` is being
    /// summarised. The cache key holds those callees' summaries (`Summaries::key_with`).
    fn summary(
        &self,
        file: &str,
        name: &str,
        depth: usize,
        stack: &mut Vec<(String, String)>,
        read: &HashMap<String, Target>,
        prepared: &Shared,
    ) -> Option<Summary> {
        self.summary_in(file, name, None, depth, stack, read, prepared)
    }

    /// `summary`, with the file's source when the caller has it made already (`source`).
    #[allow(clippy::too_many_arguments)]
    fn summary_in(
        &self,
        file: &str,
        name: &str,
        source: Option<&SourceFile>,
        depth: usize,
        stack: &mut Vec<(String, String)>,
        read: &HashMap<String, Target>,
        prepared: &Shared,
    ) -> Option<Summary> {
        let at = (file.to_string(), name.to_string());
        if let Some(s) = self.memo.lock().ok()?.get(&at) {
            return Some(*s);
        }
        let f = self.file(file, read, prepared)?;
        let fp = f.prepared.as_ref()?;
        let Some(def) = fp.outline.callable_named(name) else {
            // A module of the project that re-exports a framework's primitive (`from
            // flask_security import login_user as login_user` in `app/auth/__init__.py`):
            // its callers call the primitive.
            let summary = self.reexported_primitive(file, name, fp)?;
            if let Ok(mut memo) = self.memo.lock() {
                memo.insert(at, summary);
            }
            return Some(summary);
        };
        let mut helpers: HashMap<String, Summary> = HashMap::new();
        if depth < DEPTH {
            stack.push(at.clone());
            // A call resolved to several definitions (`method_targets`) has a target each,
            // under one key: its summary is theirs only if they agree.
            let mut by_key: HashMap<String, Vec<Option<Summary>>> = HashMap::new();
            for (q, cf, cn) in self.callees(&f, def, read, prepared) {
                let s = match stack.iter().any(|(sf, sn)| *sf == cf && *sn == cn) {
                    true => None,
                    false => self.summary(&cf, &cn, depth + 1, stack, read, prepared),
                };
                by_key.entry(q).or_default().push(s);
            }
            for (q, found) in by_key {
                let s = match found.as_slice() {
                    [one] => *one,
                    several => super::methods::agree(several),
                };
                if let Some(s) = s {
                    // A privilege is carried one hop only (as before): set by a verifier
                    // further down (`request.session["mfa"] = {"verified": True}; return
                    // True`), it holds only on the path where the verifier's caller goes on
                    // to log in, which a summary does not say. Identity writes, rotations,
                    // resets and ended logins are carried the whole chain.
                    helpers.insert(
                        q,
                        Summary {
                            writes_privilege: None,
                            ..s
                        },
                    );
                }
            }
            stack.pop();
        }
        let key = self
            .summaries
            .key_with(self.facts, f.id, file, name, &helpers);
        let summary = self.summaries.get_or(key, || {
            let made;
            let source = match source {
                Some(s) => s,
                None => {
                    made = SourceFile::from_prepared((**fp).clone(), false);
                    &made
                }
            };
            let ctx = Context {
                file: source,
                facts: self.facts,
                config: &self.opts.config,
                helpers: (!helpers.is_empty()).then_some(&helpers),
            };
            summarize(&ctx, def)
        });
        let summary = match crate::frameworks::auth::sets_password(name) {
            true => Summary {
                writes_identity: None,
                ..summary
            },
            false => summary,
        };
        if let Ok(mut memo) = self.memo.lock() {
            memo.insert(at, summary);
        }
        Some(summary)
    }

    /// The summary of `name` in a module that binds it to a framework's or an auth library's
    /// function by an import (`from flask_security import login_user as login_user`, or
    /// `login_user = _login_user` after `from flask_login import login_user as
    /// _login_user`): the summary of a function that forwards to it, so that its callers
    /// see the primitive's login, logout or rotation.
    fn reexported_primitive(&self, file: &str, name: &str, fp: &Prepared) -> Option<Summary> {
        let path = reexported_path(fp, name)?;
        let (module, last) = path.rsplit_once('.')?;
        let text = format!(
            "from {module} import {last} as _reexported\n\n\ndef {name}(*args, **kwargs):\n    return _reexported(*args, **kwargs)\n"
        );
        let source =
            SourceFile::from_prepared(Prepared::new(file.to_string(), text.as_bytes()), false);
        let def = source.outline.function_named(name)?;
        // Made here each time (no blob id to key a cache entry by): a few lines' walk.
        let ctx = Context {
            file: &source,
            facts: self.facts,
            config: &self.opts.config,
            helpers: None,
        };
        let mut summary = summarize(&ctx, def);
        // Flask-Login's logout pops its keys: the login ends, the session lives on (what a
        // project helper that nulls the keys itself is summarised as).
        if crate::frameworks::flask::LOGOUT_HELPERS.contains(&path.as_str()) && !summary.resets {
            summary.ends_login = Some(crate::frameworks::Framework::Flask);
        }
        Some(summary)
    }

    /// Does function `name` of `file` call a project helper in another module that can
    /// matter (so that its summary may write though its own text cannot)? Told from the
    /// imported files' text alone: none is prepared for this.
    fn forwards(
        &self,
        file: &str,
        name: &str,
        read: &HashMap<String, Target>,
        prepared: &Shared,
    ) -> bool {
        let Some(f) = self.file(file, read, prepared) else {
            return false;
        };
        let Some(p) = &f.prepared else {
            return false;
        };
        let Some(def) = p.outline.callable_named(name) else {
            return false;
        };
        let (_, imports) = self.used_imports(p, def);
        imports.iter().any(|(_, t)| self.matters(&t.file, read))
            || self
                .method_targets(p, def, read, prepared)
                .iter()
                .any(|(_, t)| self.matters(&t.file, read))
    }

    /// The bytes of file `path`: from what the run has read (no blob id), else from the tree.
    fn read_bytes(&self, path: &str) -> Option<(Cow<'_, [u8]>, Option<git2::Oid>)> {
        match self.contents.get(path) {
            Some(c) => Some((Cow::Borrowed(*c), None)),
            None => {
                let (bytes, id) = self.tree.read_with_id(path)?;
                Some((Cow::Owned(bytes), id))
            }
        }
    }

    /// Can file `path` hold a session write, rotation or reset (`prefilter::body_may_matter`
    /// on its text), read once.
    fn matters(&self, path: &str, read: &HashMap<String, Target>) -> bool {
        if let Some(f) = self.files.lock().ok().and_then(|f| f.get(path).cloned()) {
            return f.is_some_and(|f| f.matters);
        }
        if let Some(m) = self.marks.lock().ok().and_then(|m| m.get(path).copied()) {
            return m;
        }
        let config = &self.opts.config;
        let m = if let Some(p) = self.known.get(path) {
            crate::prefilter::file_may_matter(path, p.text.as_bytes(), config)
        } else if let Some(t) = read.get(path) {
            t.matters
        } else {
            self.read_bytes(path)
                .is_some_and(|(bytes, _)| crate::prefilter::file_may_matter(path, &bytes, config))
        };
        if let Ok(mut marks) = self.marks.lock() {
            marks.insert(path.to_string(), m);
        }
        m
    }
}

/// The framework or auth library path a module binds `name` to without defining it: an
/// import (`from flask_security import login_user as login_user`) or a module-level alias
/// of one (`login_user = _lu` after `from flask_login import login_user as _lu`).
fn reexported_path(p: &Prepared, name: &str) -> Option<String> {
    if p.outline.function_named(name).is_some() {
        return None;
    }
    let path = match p.module.get(name)? {
        Bound::Import(path) => path.clone(),
        _ => {
            let pat = format!("\n{name} = ");
            let at = p.text.find(&pat)? + pat.len();
            let value = p.text[at..].lines().next()?.trim();
            match p.module.get(value)? {
                Bound::Import(path) => path.clone(),
                _ => return None,
            }
        }
    };
    let root = path.split('.').next()?;
    (path.contains('.') && crate::prefilter::FRAMEWORKS.contains(&root)).then_some(path)
}

/// Does `needle` occur in `text` followed by one of the bytes `next` (`name(`, `name.`)?
fn followed_by(text: &[u8], needle: &[u8], next: &[u8]) -> bool {
    memchr::memmem::find_iter(text, needle).any(|at| {
        text.get(at + needle.len())
            .is_some_and(|b| next.contains(b))
    })
}

/// Does `text` call `name` (`name(`, `self.name(`), as a whole name?
pub(super) fn calls_name(text: &[u8], name: &[u8]) -> bool {
    memchr::memmem::find_iter(text, name).any(|at| {
        text.get(at + name.len()) == Some(&b'(')
            && !at
                .checked_sub(1)
                .is_some_and(|b| text[b].is_ascii_alphanumeric() || text[b] == b'_')
    })
}

/// Can method `name` (`Class.method`) of `p` matter to a caller: does its class's text
/// name a request or a session by its own name (`prefilter::reaches_a_request_session`)?
fn method_may_matter(p: &Prepared, name: &str) -> bool {
    let defs = &p.outline.defs;
    let Some(class) = p.outline.function_named(name).and_then(|d| defs[d].parent) else {
        return true;
    };
    p.text
        .get(defs[class].start_byte..defs[class].end_byte)
        .is_none_or(|t| crate::prefilter::reaches_a_request_session(t.as_bytes()))
}

/// Can function `name` of `p` authenticate: can its text, or that of a function of its file
/// it calls (the walk inlines those, to any depth), hold evidence
/// (`prefilter::may_authenticate`)? Asked of the helpers summarised only for their
/// authentication (they cannot write): `gettext`, a view's `get_object` verify nothing.
fn may_authenticate(p: &Prepared, name: &str, config: &Config) -> bool {
    let defs = &p.outline.defs;
    let Some(def) = p.outline.callable_named(name) else {
        return true;
    };
    let mut seen = vec![false; defs.len()];
    let mut todo = vec![def];
    seen[def] = true;
    while let Some(d) = todo.pop() {
        let Some(text) = p.text.get(defs[d].start_byte..defs[d].end_byte) else {
            return true;
        };
        if crate::prefilter::may_authenticate(text.as_bytes(), config) {
            return true;
        }
        for (i, other) in defs.iter().enumerate() {
            if !seen[i]
                && other.kind == DefKind::Function
                && calls_name(text.as_bytes(), other.name.as_bytes())
            {
                seen[i] = true;
                todo.push(i);
            }
        }
    }
    false
}

/// Where a call on an object of unknown class is looked up below the whole-tree fallback:
/// file `p` and the project files it imports (`imports`), the excluded ones left out.
fn nearby_files(
    p: &Prepared,
    imports: &[(String, modules::Target)],
    config: &Config,
) -> Vec<String> {
    let mut files: Vec<String> = std::iter::once(p.path.clone())
        .chain(imports.iter().map(|(_, t)| t.file.clone()))
        .filter(|f| !config.excluded(f))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// Function `def` of `p` and the methods of its class it calls on `self` (`self.save(...)`:
/// the walk inlines them), each once.
fn own_and_self_calls(p: &Prepared, def: usize) -> Vec<usize> {
    let defs = &p.outline.defs;
    let mut out = vec![def];
    let Some(class) = defs[def].parent.filter(|c| defs[*c].kind == DefKind::Class) else {
        return out;
    };
    let mut i = 0;
    while i < out.len() {
        let text = p
            .text
            .get(defs[out[i]].start_byte..defs[out[i]].end_byte)
            .unwrap_or("");
        for (j, d) in defs.iter().enumerate() {
            if d.parent == Some(class)
                && d.kind == DefKind::Function
                && !out.contains(&j)
                && text.contains(&format!("self.{}(", d.name))
            {
                out.push(j);
            }
        }
        i += 1;
    }
    out
}

/// Does `name` occur in `text` as a name an import statement binds: after `import` on its
/// line, or inside the parentheses of a `from ... import (` spread over lines?
fn imported_by_name(text: &[u8], name: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    memchr::memmem::find_iter(text, name.as_bytes()).any(|at| {
        let end = at + name.len();
        if (at > 0 && word(text[at - 1])) || text.get(end).is_some_and(|b| word(*b)) {
            return false;
        }
        let before = &text[at.saturating_sub(400)..at];
        let Some(kw) = memchr::memmem::rfind(before, b"import") else {
            return false;
        };
        let between = &before[kw..];
        !between.contains(&b'\n') || (between.contains(&b'(') && !between.contains(&b')'))
    })
}

/// File `p`'s project imports, resolved: (qualified path it uses, target). A function the file
/// calls (`sign_in(`) is followed where its module only re-exports it, and so is a function
/// of an imported module (`security_web.remember_identity` from `._identity_web`). Other
/// imports (most are classes and constants) are not followed: following reads another
/// module.
fn resolved_imports(
    p: &Prepared,
    tree: &dyn ProjectTree,
    contents: &HashMap<&str, &[u8]>,
    index: &modules::ModuleIndex,
    followed: &Followed,
) -> Vec<(String, modules::Target)> {
    p.module
        .import_paths()
        .filter_map(|path| {
            let t = index.resolve(&p.path, path)?;
            let called = t.function.is_some()
                && p.module.spellings_of(path).any(|s| {
                    memchr::memmem::find(p.text.as_bytes(), format!("{s}(").as_bytes()).is_some()
                });
            let t = if called {
                follow_reexport(t, tree, contents, index, followed)
            } else {
                t
            };
            Some((path.to_string(), t))
        })
        .chain(
            submodule_imports(p, index)
                .into_iter()
                .map(|(q, t)| (q, follow_reexport(t, tree, contents, index, followed))),
        )
        .collect()
}

/// Re-exported functions followed to the module that defines them, by (file, name), and
/// the modules read for that, by file (each parsed once per run).
#[derive(Default)]
struct Followed {
    targets: std::sync::Mutex<HashMap<(String, String), modules::Target>>,
    modules: std::sync::Mutex<HashMap<String, Arc<ReexportingModule>>>,
}

/// What a module re-exports: its imports' bindings, and the modules it star-imports.
struct ReexportingModule {
    scope: crate::python::imports::ModuleScope,
    starred: Vec<String>,
}

/// `reexported`, each (file, function) once per run.
fn follow_reexport(
    t: modules::Target,
    tree: &dyn ProjectTree,
    contents: &HashMap<&str, &[u8]>,
    index: &modules::ModuleIndex,
    followed: &Followed,
) -> modules::Target {
    let Some(name) = t.function.clone() else {
        return t;
    };
    let key = (t.file.clone(), name);
    if let Some(found) = followed
        .targets
        .lock()
        .ok()
        .and_then(|m| m.get(&key).cloned())
    {
        return found;
    }
    let found = reexported(t, tree, contents, index, followed, 0);
    if let Ok(mut m) = followed.targets.lock() {
        m.insert(key, found.clone());
    }
    found
}

/// Where an imported function is defined when the module it is imported from only
/// re-exports it (`myapp/auth/__init__.py: from .core import sign_in`, or `from .core import
/// *`): followed through such modules, a few deep. A module that defines the name (a
/// function or a class), or that the tree cannot read, is the target as resolved.
fn reexported(
    t: modules::Target,
    tree: &dyn ProjectTree,
    contents: &HashMap<&str, &[u8]>,
    index: &modules::ModuleIndex,
    followed: &Followed,
    depth: usize,
) -> modules::Target {
    let Some(name) = t.function.as_deref() else {
        return t;
    };
    if depth >= 3 {
        return t;
    }
    let owned;
    let text: &[u8] = match contents.get(t.file.as_str()) {
        Some(c) => c,
        None => match tree.read(&t.file) {
            Some(b) => {
                owned = b;
                &owned
            }
            None => return t,
        },
    };
    let defines = [format!("def {name}("), format!("class {name}")]
        .iter()
        .any(|d| memchr::memmem::find(text, d.as_bytes()).is_some());
    if defines || memchr::memmem::find(text, b"import").is_none() {
        return t;
    }
    // Parsed only when the name can be imported here: named in an import (`from .core
    // import sign_in`, or inside its parentheses), or a star import to look through.
    if memchr::memmem::find(text, b"import *").is_none() && !imported_by_name(text, name) {
        return t;
    }
    let known = followed
        .modules
        .lock()
        .ok()
        .and_then(|m| m.get(&t.file).cloned());
    let module = known.unwrap_or_else(|| {
        let text = String::from_utf8_lossy(text);
        let outline = crate::python::outline::scan(text.as_bytes());
        let scope = crate::python::imports::ModuleScope::build(&text, &outline);
        let starred = text
            .lines()
            .filter_map(|line| {
                let from = line.trim_start().strip_prefix("from ")?;
                let path = from.trim_end().strip_suffix("import *")?;
                Some(path.trim().to_string())
            })
            .collect();
        let made = Arc::new(ReexportingModule { scope, starred });
        if let Ok(mut m) = followed.modules.lock() {
            m.insert(t.file.clone(), made.clone());
        }
        made
    });
    // `from .core import sign_in` (or `... as name`).
    if let Some(Bound::Import(path)) = module.scope.get(name) {
        if let Some(next) = index.resolve(&t.file, path) {
            if next.function.is_some() {
                return reexported(next, tree, contents, index, followed, depth + 1);
            }
        }
        return t;
    }
    // `from .core import *`: the first starred module that defines it.
    for module_path in &module.starred {
        if let Some(m) = index.resolve(&t.file, &format!("{module_path}.{name}")) {
            if m.function.is_some() {
                let next = reexported(m, tree, contents, index, followed, depth + 1);
                if next.file != t.file {
                    return next;
                }
            }
        }
    }
    t
}

/// Functions of submodules a file reaches through a package it imports (`from app import
/// flows` then `flows.login.record(...)`): (qualified path, target) as `import_paths` would
/// give for `from app.flows.login import record`. Only packages (an `__init__.py` target)
/// are looked into, and only spellings `name.sub.function(` in the file's text.
fn submodule_imports(p: &Prepared, index: &modules::ModuleIndex) -> Vec<(String, modules::Target)> {
    let mut out: Vec<(String, modules::Target)> = Vec::new();
    let text = p.text.as_bytes();
    for (name, path) in p.module.imports() {
        let Some(t) = index.resolve(&p.path, path) else {
            continue;
        };
        if t.function.is_some() {
            continue;
        }
        let package = t.file.ends_with("__init__.py");
        let needle = format!("{name}.");
        for at in memchr::memmem::find_iter(text, needle.as_bytes()) {
            // A whole name: not `xflows.` nor `a.flows.`.
            if at > 0
                && (text[at - 1].is_ascii_alphanumeric() || matches!(text[at - 1], b'_' | b'.'))
            {
                continue;
            }
            let rest = &p.text[at + needle.len()..];
            let ident = |s: &str| {
                s.bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count()
            };
            let sub_len = ident(rest);
            // A module imported by name (`from .. import _security_service`, then
            // `_security_service.login_granted_response(...)`): its function.
            if sub_len > 0 && rest.as_bytes().get(sub_len) == Some(&b'(') {
                let q = format!("{path}.{}", &rest[..sub_len]);
                if out.iter().any(|(o, _)| *o == q) || p.module.get(name).is_none() {
                    continue;
                }
                if let Some(target) = index.resolve(&p.path, &q) {
                    if target.function.is_some() && target.file == t.file {
                        out.push((q, target));
                    }
                }
                continue;
            }
            if !package || sub_len == 0 || rest.as_bytes().get(sub_len) != Some(&b'.') {
                continue;
            }
            let after = &rest[sub_len + 1..];
            let func_len = ident(after);
            if func_len == 0 || after.as_bytes().get(func_len) != Some(&b'(') {
                continue;
            }
            let q = format!("{path}.{}.{}", &rest[..sub_len], &after[..func_len]);
            if out.iter().any(|(o, _)| *o == q) {
                continue;
            }
            if let Some(target) = index.resolve(&p.path, &q) {
                if target.function.is_some() && target.file != t.file {
                    out.push((q, target));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key_constant_uses;

    #[test]
    fn constants_used_as_keys() {
        let text = "from .keys import USER_KEY, THEME\nimport settings\n\ndef f(request, d):\n    request.session[USER_KEY] = 1\n    x = session.get(settings.VERIFIED_KEY, None)\n    session.pop(_RUNAS_ID)\n    d[index] = 2\n    d[CONST + 1] = 3\n    d[A.b] = 4\n    items[0] = 5\n    f(THEME)\n";
        assert_eq!(
            key_constant_uses(text),
            ["USER_KEY", "_RUNAS_ID", "settings.VERIFIED_KEY"]
        );
    }
}
