//! Which functions of a file are analysed: those a change affects (in the diff modes), and
//! of those the ones that can matter (the relevance filter, `prefilter::relevant`).
//!
//! Affected functions, in the diff modes: the innermost function around each changed line;
//! functions whose text changed or that the old version did not have; functions that mention
//! a name bound or used on a changed module- or class-level line (imports, backend setup);
//! and, transitively, functions that call an affected function of the same module (their
//! helper's summary changed).

use std::collections::{BTreeSet, HashMap};

use crate::config::Config;
use crate::project::ProjectFacts;
use crate::python::file::{Prepared, SourceFile};
use crate::python::imports::ModuleScope;
use crate::python::outline::{self, DefKind, Outline};
use crate::source::Touched;

/// `prefilter::relevant` for a file, with the writing helpers it imports from other modules,
/// and whether session events are possible in it at all (else only SID004 can fire).
/// `writers`: the qualified paths (as the file uses them) of helpers that write identity.
pub(super) fn relevant_functions<'w>(
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
pub(super) fn writer_calls<'p>(
    module: &ModuleScope,
    paths: impl Iterator<Item = &'p str>,
) -> Vec<String> {
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
pub(super) fn affected(
    file: &SourceFile,
    touched: &Touched,
    old: Option<(&Outline, &str)>,
) -> Vec<usize> {
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
