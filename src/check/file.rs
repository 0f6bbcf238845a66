//! Stages 4 and 5, one file at a time (in parallel across files): under the time budget
//! and a panic guard, the functions to analyse, the rules, the suppressions, and what
//! blocks (`judge`). A file that runs out of time or panics is reported as skipped, never as
//! clean.

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;

use super::functions::{affected, relevant_functions};
use super::helpers::HelperPair;
use super::judge;
use super::prepare::Versions;
use super::Options;
use crate::finding::Finding;
use crate::project::ProjectFacts;
use crate::python::file::{Prepared, SourceFile};
use crate::python::summary::Summary;
use crate::rules::{self, Context};
use crate::source::{ChangedFile, Input, Mode, Skipped, Touched};
use crate::suppress;

/// One file's findings and counts, and why it was not checked (or only in part), if so.
pub(super) struct FileResult {
    pub(super) findings: Vec<Finding>,
    pub(super) functions: usize,
    pub(super) parsed_lines: usize,
    /// The file's path, when its analysis panicked.
    pub(super) crashed: Option<String>,
    pub(super) refused: Option<Skipped>,
}

impl FileResult {
    /// Nothing checked, for `reason`.
    fn refused(reason: Skipped) -> FileResult {
        FileResult {
            findings: Vec::new(),
            functions: 0,
            parsed_lines: 0,
            crashed: None,
            refused: Some(reason),
        }
    }
}

/// Every file checked, in parallel; the results in the files' order.
pub(super) fn check_all(
    files: Vec<&ChangedFile>,
    versions: Vec<Versions>,
    helpers: &[HelperPair<'_>],
    input: &Input,
    opts: &Options,
) -> Vec<FileResult> {
    let mode = input.mode;
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
            // The facts of the file's own application (see `project::LocalFacts`).
            let facts = (
                input.local.facts_for(input.facts, &f.path),
                input.old_local.facts_for(input.old_facts, &f.path),
            );
            (i, guarded_check(f, versions, facts, mode, opts, helpers))
        })
        .collect();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
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
        return FileResult::refused(Skipped {
            path: f.path.clone(),
            reason: "the time budget ran out before it was checked".into(),
            ..Skipped::default()
        });
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

/// One file: what changed, which functions can matter and how to parse them, the rules on
/// the affected ones, the suppressions, then what blocks.
fn check_file(
    cf: &ChangedFile,
    versions: Versions,
    (facts, old_facts): (ProjectFacts, ProjectFacts),
    mode: Mode,
    opts: &Options,
    (helpers, old_helpers): &HelperPair<'_>,
) -> FileResult {
    let (touched, new, old) = what_changed(cf, versions);
    let (relevant, events) = relevance(&new, helpers, facts, opts);
    let whole = parse_whole(touched, mode, &new, &relevant);
    let file = SourceFile::from_prepared(new, whole);
    if let Some(reason) = &file.refused {
        return FileResult::refused(Skipped {
            path: cf.path.clone(),
            reason: reason.clone(),
            ..Skipped::default()
        });
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
        old.as_ref().map(|o| (&o.outline, o.text.as_str())),
    );
    let mut findings = run_rules(&ctx, &defs, &relevant, events, touched, mode);
    // `per-file-ignores`: rules not reported in this file.
    findings.retain(|f| opts.config.enabled_in(&cf.path, f.rule));
    let meta = suppressions(&mut findings, &file, &cf.path, touched, &defs, opts);
    let mut parsed_lines = file.parsed_lines.get();
    parsed_lines += judge::blocking(&mut findings, old, old_facts, old_helpers, opts);
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

/// What the change touched, with the new and the old version. A previous version that was
/// not valid Python (a bracket or string never closed) never ran, and may have hidden
/// functions from the diff: when the change makes the file valid, every function is checked
/// and every finding is new (no old version to compare with).
fn what_changed(cf: &ChangedFile, versions: Versions) -> (&Touched, Prepared, Option<Prepared>) {
    let Versions { new, old } = versions;
    let repaired =
        new.outline.problem.is_none() && old.as_ref().is_some_and(|o| o.outline.problem.is_some());
    if repaired {
        (&Touched::All, new, None)
    } else {
        (&cf.touched, new, old)
    }
}

/// Which functions can matter (`relevant_functions`, given the helpers that write identity),
/// and whether session events are possible in the file at all (else only SID004 can fire).
/// Without the pre-filter every function is analysed (the equivalence tests compare).
fn relevance(
    new: &Prepared,
    helpers: &HashMap<String, Summary>,
    facts: ProjectFacts,
    opts: &Options,
) -> (Vec<bool>, bool) {
    if opts.no_prefilter {
        return (vec![true; new.outline.defs.len()], true);
    }
    relevant_functions(
        new,
        helpers
            .iter()
            .filter(|(_, s)| s.writes())
            .map(|(path, _)| path.as_str()),
        facts,
        &opts.config,
    )
}

/// Whether to parse the whole file at once: in `scan`, when most of it will be analysed;
/// else only the functions that can matter are parsed, each as a slice. Not for files with
/// thousands of functions: finding each one in a whole-file tree walks the siblings before
/// it (quadratic); slices keep it linear.
fn parse_whole(touched: &Touched, mode: Mode, new: &Prepared, relevant: &[bool]) -> bool {
    matches!(touched, Touched::All)
        && mode == Mode::Scan
        && new.outline.defs.len() <= WHOLE_FILE_MAX_DEFS
        && ({
            let lines: usize = new
                .outline
                .defs
                .iter()
                .zip(relevant)
                .filter(|(d, r)| **r && d.parent.is_none())
                .map(|(d, _)| d.end_line + 1 - d.start_line)
                .sum();
            lines * 2 > new.outline.line_count()
        })
}

/// The function rules on each affected function that can matter (SID004 alone where no
/// session event is possible), until the time budget runs out; then the settings rules
/// (SID005, SID006), wherever the settings are written.
fn run_rules(
    ctx: &Context<'_>,
    defs: &[usize],
    relevant: &[bool],
    events: bool,
    touched: &Touched,
    mode: Mode,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for &def in defs {
        if crate::budget::exceeded() {
            break;
        }
        if relevant[def] {
            if events {
                findings.extend(rules::check_function(ctx, def));
            } else {
                findings.extend(rules::check_request_data(ctx, def));
            }
            ctx.file.release(def);
        }
    }
    discharged_by_callers(ctx, &mut findings);
    findings.extend(rules::configured(
        ctx.config,
        rules::cookie_settings::check(ctx, touched, mode == Mode::Scan),
    ));
    findings
}

/// Drops a helper's findings that its callers in the file answer for.
///
/// Login and privilege findings (SID001, SID002) that the callers discharge: the helper is
/// called, and every function of the file calling it, walked with the helper's writes as its
/// own, leaves none of them under the old ID
/// (`rules::login_without_regeneration::discharges`): django-mfa's
/// `resolve_passkey_assertion(request)` marks the session verified and returns the user,
/// and its only caller logs that user in with Django's `login()`, which cycles the key.
///
/// Logout findings (SID003) of an undecorated helper not named as a logout, none of whose
/// callers is one either: a helper that drops the login keys on the way into a login
/// (django-workos' `clear_session_vars`, called as a login starts and after it) is a login
/// flow's clean-up, not the logout (a logout calling it is reported where it calls it).
///
/// A caller is a function of the file (of the method's class, for a method) whose text
/// calls the name (`helpers::calls_name`; one too many only asks more callers to discharge
/// it). Callers in other modules are not looked for (a caller there that leaves the write is
/// reported where it calls the helper, through the helper's summary).
fn discharged_by_callers(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    use crate::python::outline::DefKind;
    use std::collections::HashSet;
    let login_rule = |f: &Finding| matches!(f.rule, "SID001" | "SID002");
    let logout_rule = |f: &Finding| f.rule == "SID003";
    if !findings.iter().any(|f| login_rule(f) || logout_rule(f)) {
        return;
    }
    let outline = &ctx.file.outline;
    let reported = |rule: &dyn Fn(&Finding) -> bool| -> HashSet<&str> {
        findings
            .iter()
            .filter(|f| rule(f))
            .map(|f| f.function.as_str())
            .collect()
    };
    let logins = reported(&login_rule);
    let logouts = reported(&logout_rule);
    let is_function = |d: usize| outline.defs[d].kind == DefKind::Function;
    let within = |mut d: usize, ancestor: usize| {
        while let Some(p) = outline.defs[d].parent {
            if p == ancestor {
                return true;
            }
            d = p;
        }
        false
    };
    let mut discharged: HashSet<String> = HashSet::new();
    let mut not_logouts: HashSet<String> = HashSet::new();
    for (h, helper) in outline.defs.iter().enumerate() {
        let login = logins.contains(helper.qualname.as_str());
        let logout = logouts.contains(helper.qualname.as_str())
            && helper.start_line == helper.header_line
            && !rules::login_without_regeneration::logout_name(&helper.qualname);
        if !is_function(h) || !(login || logout) {
            continue;
        }
        let class = helper
            .parent
            .filter(|&p| outline.defs[p].kind == DefKind::Class);
        let callers: Vec<usize> = (0..outline.defs.len())
            .filter(|&d| {
                d != h
                    && is_function(d)
                    && !within(d, h)
                    && !within(h, d)
                    && class.is_none_or(|c| within(d, c))
                    && super::helpers::calls_name(
                        ctx.file.def_text(d).as_bytes(),
                        helper.name.as_bytes(),
                    )
            })
            .collect();
        if callers.is_empty() {
            continue;
        }
        if login
            && callers
                .iter()
                .all(|&d| rules::login_without_regeneration::discharges(ctx, d, &helper.qualname))
        {
            discharged.insert(helper.qualname.clone());
        }
        if logout
            && !callers
                .iter()
                .any(|&d| rules::login_without_regeneration::logout_name(&outline.defs[d].qualname))
        {
            not_logouts.insert(helper.qualname.clone());
        }
    }
    findings.retain(|f| {
        !(login_rule(f) && discharged.contains(&f.function)
            || logout_rule(f) && not_logouts.contains(&f.function))
    });
}

/// Suppressions, after the rules: those in the analysed functions (the whole file in `scan`)
/// remove the findings they name. Returns the findings about the suppressions themselves
/// (SID900, SID901) of the rules enabled; none when suppressions are ignored.
fn suppressions(
    findings: &mut Vec<Finding>,
    file: &SourceFile,
    path: &str,
    touched: &Touched,
    defs: &[usize],
    opts: &Options,
) -> Vec<Finding> {
    if opts.ignore_suppressions {
        return Vec::new();
    }
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
    let in_force = |code: &str| opts.config.enabled_in(path, code);
    let mut meta = suppress::apply(findings, file, &analysed, &in_force);
    meta.retain(|f| in_force(f.rule));
    meta
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
