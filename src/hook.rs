//! Push-time drivers: `sidguard pre-receive` on the server and `sidguard pre-push` on a
//! client. Both read git's ref lines on stdin, check each ref's net change (see
//! `source::push`), and report per ref on stderr (git relays a server hook's output to the
//! pusher as `remote:` lines). Exit 1 rejects the push.
//!
//! On the server, every error and every limit (malformed stdin, an unknown object, a blob
//! over `max-blob-bytes`, the time budget) follows the policy's fail mode: `closed` (the
//! default) rejects the push, `open` accepts it with a warning. Nothing the pusher sends can
//! change the policy.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::check::{self, Outcome};
use crate::error::{Error, Result};
use crate::exit;
use crate::finding::CommitInfo;
use crate::policy::{FailMode, Policy, PolicyColor};
use crate::report::{self, Format};
use crate::source::git;
use crate::source::push::{self, Existing, RefCheck};

/// Reads stdin completely (bounded), refusing a terminal: hooks get their input from git.
fn read_stdin(what: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Error::Usage(format!(
            "`sidguard {what}` reads git's ref updates on stdin; it is meant to run as a git hook"
        )));
    }
    let mut buf = Vec::new();
    // 64 MiB is far more ref lines than any real push has.
    stdin
        .lock()
        .take(64 << 20)
        .read_to_end(&mut buf)
        .map_err(|e| Error::Io {
            path: "<stdin>".into(),
            source: e,
        })?;
    String::from_utf8(buf).map_err(|_| {
        Error::Usage("stdin is not UTF-8 text; expected git's ref update lines".into())
    })
}

fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// Prints the report: text on stderr (git relays it to the pusher), other formats on stdout.
fn emit(outcome: &Outcome, format: Format, color: bool, quiet: bool) {
    let rendered = report::render_with(outcome, format, color, quiet);
    if format.is_human() {
        eprint(&rendered);
    } else {
        print!("{rendered}");
    }
}

/// Push options the pusher sent with `git push -o` (only if the server advertises them).
fn push_options() -> Vec<String> {
    let count: usize = std::env::var("GIT_PUSH_OPTION_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (0..count.min(100))
        .filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok())
        .collect()
}

/// The server policy: `--policy PATH`, else git config `sidguard.config` (relative paths from
/// the git directory), else the defaults.
fn load_policy(repo: &git2::Repository, cli: Option<&Path>) -> Result<Policy> {
    if let Some(path) = cli {
        return Policy::load(path);
    }
    let configured = repo
        .config()
        .ok()
        .and_then(|c| c.get_path("sidguard.config").ok());
    match configured {
        Some(p) => {
            let p: PathBuf = if p.is_absolute() {
                p
            } else {
                repo.path().join(p)
            };
            Policy::load(&p)
        }
        None => Ok(Policy::default()),
    }
}

/// Checks every planned ref; findings carry their ref and the commit that last touched them.
fn check_refs(
    repo: &git2::Repository,
    checks: Vec<RefCheck>,
    opts: &check::Options,
    repo_config: bool,
    text: bool,
) -> Result<Outcome> {
    let mut total = Outcome::default();
    for rc in checks {
        let name = rc.update.refname.clone();
        let Some(input) = rc.input else {
            if text {
                eprint(&format!(
                    "sidguard: {}: {}\n",
                    crate::error::sanitize(&name),
                    rc.note.unwrap_or_default()
                ));
            }
            continue;
        };
        if text {
            let range = match (rc.base, rc.tip) {
                (Some(b), Some(t)) => format!("{}..{}", &b.to_string()[..12], &t.to_string()[..12]),
                (None, Some(t)) => format!("everything up to {}", &t.to_string()[..12]),
                _ => String::new(),
            };
            let what = if input.files.is_empty() && input.skipped.is_empty() {
                "no Python changes"
            } else {
                "checking the net change"
            };
            eprint(&format!(
                "sidguard: {}: {what} ({range})\n",
                crate::error::sanitize(&name)
            ));
        }
        // The pushed tree's own configuration, only where the server policy allows it.
        let mut ref_opts = opts.clone();
        if repo_config {
            if let Some(file) = &input.config_file {
                if let Some(c) = crate::config::Config::parse(file)? {
                    ref_opts.config = c.with_selection(opts.config.selection().clone());
                }
            }
        }
        let mut outcome = check::run_with(input, &ref_opts);
        for f in &mut outcome.findings {
            f.git_ref = Some(name.clone());
            if let Some(tip) = rc.tip {
                let (start, end) = f.function_lines;
                f.commit = push::last_commit(repo, &f.path, start, end, rc.base, tip)
                    .map(|(id, subject)| CommitInfo { id, subject });
            }
        }
        for s in &mut outcome.skipped {
            s.path = format!("{name}: {}", s.path);
        }
        total.findings.extend(outcome.findings);
        total.files += outcome.files;
        total.functions += outcome.functions;
        total.skipped.extend(outcome.skipped);
        total.parsed_lines += outcome.parsed_lines;
        total.internal_errors += outcome.internal_errors;
        total.baselined += outcome.baselined;
    }
    Ok(total)
}

fn load_baseline(path: Option<&Path>) -> Result<Option<std::sync::Arc<crate::baseline::Baseline>>> {
    path.map(|p| crate::baseline::Baseline::load(p).map(std::sync::Arc::new))
        .transpose()
}

pub struct HookArgs<'a> {
    pub format: Format,
    pub color: report::ColorChoice,
    pub strict: bool,
    pub policy: Option<&'a Path>,
    /// `--quiet`: no progress or summary lines.
    pub quiet: bool,
    /// `--select`, `--ignore`.
    pub selection: crate::selection::Selection,
    /// `--baseline`.
    pub baseline: Option<&'a Path>,
    /// `--config` (pre-push only: it replaces each pushed tree's own configuration).
    pub config: Option<&'a Path>,
}

/// `sidguard pre-receive`. Returns the exit code (errors are already reported).
pub fn pre_receive(args: &HookArgs<'_>) -> i32 {
    let started = Instant::now();
    // Until the policy is read, errors reject: fail closed is the safe default.
    let mut fail = FailMode::Closed;
    let result = (|| -> Result<i32> {
        let repo = git::open()?;
        let policy = load_policy(&repo, args.policy)?;
        fail = policy.fail;
        let text = read_stdin("pre-receive")?;
        let updates = push::parse_pre_receive(&text)?;
        if updates.is_empty() {
            if !args.quiet {
                eprint("sidguard: no ref updates on stdin; nothing to check\n");
            }
            return Ok(exit::CLEAN);
        }
        let deadline = started + Duration::from_secs(policy.time_budget_seconds);
        let checks = push::plan(
            &repo,
            &updates,
            Existing::Server,
            Some(policy.max_blob_bytes),
        )?;
        let opts = check::Options {
            strict: args.strict || policy.strict,
            deadline: Some(deadline),
            ignore_suppressions: !policy.allow_suppressions,
            config: crate::config::Config::default().with_selection(args.selection.clone()),
            baseline: load_baseline(args.baseline)?,
            ..check::Options::default()
        };
        let text_out = args.format == Format::Text && !args.quiet;
        let outcome = check_refs(&repo, checks, &opts, policy.use_repository_config, text_out)?;
        let color = match args.color {
            report::ColorChoice::Always => true,
            report::ColorChoice::Never => false,
            report::ColorChoice::Auto => {
                policy.color == PolicyColor::Always
                    || push_options().iter().any(|o| o == "sidguard.color=always")
            }
        };
        emit(&outcome, args.format, color, args.quiet);
        if outcome.internal_errors > 0 {
            return Err(Error::Usage(format!(
                "{} file(s) could not be analysed because of an internal error",
                outcome.internal_errors
            )));
        }
        // A file with a syntax error was still analysed around it (and its findings count);
        // it fails the push only under `strict`, as in `scan --strict`.
        let unchecked = outcome
            .skipped
            .iter()
            .filter(|s| opts.strict || !s.is_syntax_error())
            .count();
        if unchecked > 0 {
            let msg =
                format!("{unchecked} file(s) were not fully checked (see the warnings above)");
            match fail {
                FailMode::Closed => {
                    eprint(&format!(
                        "sidguard: {msg}; rejecting the push (policy: fail = \"closed\")\n"
                    ));
                    return Ok(exit::FINDINGS);
                }
                FailMode::Open => eprint(&format!(
                    "sidguard: warning: {msg}; accepted (policy: fail = \"open\")\n"
                )),
            }
        }
        if outcome.blocking() > 0 {
            eprint("sidguard: push rejected: it introduces session fixation (see above); fix it and push again\n");
            return Ok(exit::FINDINGS);
        }
        Ok(exit::CLEAN)
    })();
    match result {
        Ok(code) => code,
        Err(e) => {
            let e = crate::error::sanitize(&e.to_string()).into_owned();
            match fail {
                FailMode::Closed => {
                    eprint(&format!(
                        "sidguard: error: {e}; rejecting the push (policy: fail = \"closed\")\n"
                    ));
                    exit::ERROR
                }
                FailMode::Open => {
                    eprint(&format!("sidguard: warning: {e}; accepting the push unchecked (policy: fail = \"open\")\n"));
                    exit::CLEAN
                }
            }
        }
    }
}

/// `sidguard pre-push REMOTE [URL]`: what `git push` would send, against the remote's refs.
pub fn pre_push(args: &HookArgs<'_>, remote: &str) -> Result<i32> {
    let repo = git::open()?;
    let baseline = load_baseline(args.baseline)?;
    let text = read_stdin("pre-push")?;
    let updates = push::parse_pre_push(&text)?;
    if updates.is_empty() {
        if !args.quiet {
            eprint("sidguard: nothing to push; nothing to check\n");
        }
        return Ok(exit::CLEAN);
    }
    let checks = push::plan(&repo, &updates, Existing::Remote(remote), None)?;
    let text_out = args.format == Format::Text && !args.quiet;
    let mut opts = check::Options {
        strict: args.strict,
        config: crate::config::Config::default().with_selection(args.selection.clone()),
        baseline,
        ..check::Options::default()
    };
    // `--config` stands for the configuration of every pushed tree.
    if let Some(path) = args.config {
        opts.config =
            crate::config::Config::load_path(path)?.with_selection(args.selection.clone());
    }
    let outcome = check_refs(&repo, checks, &opts, args.config.is_none(), text_out)?;
    let color = match args.color {
        report::ColorChoice::Always => true,
        report::ColorChoice::Never => false,
        report::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    };
    emit(&outcome, args.format, color, args.quiet);
    if outcome.internal_errors > 0 {
        return Ok(exit::ERROR);
    }
    if args.strict && !outcome.skipped.is_empty() {
        return Ok(exit::FINDINGS);
    }
    if outcome.blocking() == 0 {
        return Ok(exit::CLEAN);
    }
    if text_out {
        let code = outcome
            .findings
            .iter()
            .find(|f| f.blocking)
            .map_or("SID001", |f| f.rule);
        eprint(&format!("{}\n", crate::report::way_out(code, "push")));
    }
    Ok(exit::FINDINGS)
}
