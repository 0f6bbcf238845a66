//! `sidguard pr`: checks a pull request's change (merge base of BASE and HEAD to HEAD) and
//! turns the findings into one GitHub pull-request review. Without a token (or with
//! `--dry-run`) it prints the review's JSON exactly as it would be sent; with `GITHUB_TOKEN`
//! it posts it, after reading what earlier sidguard reviews said so a re-run posts only what
//! is new. The exit code follows the findings, never a failed post that fell back to
//! annotations.

pub mod api;
pub mod review;

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::check::{self, Outcome};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exit;
use crate::report::{self, Format};
use api::{Api, ApiError};
use review::{Prior, Review};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Event {
    /// REQUEST_CHANGES when a new finding blocks, else COMMENT.
    RequestChanges,
    /// Always COMMENT (never blocks the merge through the review itself).
    Comment,
}

pub struct Args<'a> {
    pub base: &'a str,
    pub head: &'a str,
    pub number: Option<u64>,
    pub repo: Option<&'a str>,
    pub dry_run: bool,
    pub event: Event,
    pub strict: bool,
    pub config: Option<&'a Path>,
    pub color: bool,
    /// The report printed after posting (the dry run prints the review instead).
    pub format: Format,
    /// `--quiet`: no summary lines.
    pub quiet: bool,
    /// `--select`, `--ignore`.
    pub selection: crate::selection::Selection,
    /// `--baseline`: findings accepted already.
    pub baseline: Option<std::sync::Arc<crate::baseline::Baseline>>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes());
    let _ = o.flush();
}

/// The GitHub event payload (`GITHUB_EVENT_PATH`), when there is one.
fn event_payload() -> Result<Option<Value>> {
    let Some(path) = env("GITHUB_EVENT_PATH") else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
        path: path.clone().into(),
        source: e,
    })?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::Usage(format!(
            "GITHUB_EVENT_PATH ({path}) is not a JSON event payload: {e}"
        ))
    })
}

fn exit_code(outcome: &Outcome, strict: bool) -> i32 {
    if outcome.internal_errors > 0 {
        exit::ERROR
    } else if outcome.blocking() > 0 || (strict && !outcome.skipped.is_empty()) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

struct Target {
    repo: String,
    number: u64,
}

fn read_prior(api: &Api, t: &Target) -> std::result::Result<Prior, ApiError> {
    let base = format!("/repos/{}/pulls/{}", t.repo, t.number);
    let reviews = api.list(&format!("{base}/reviews"))?;
    let comments = api.list(&format!("{base}/comments"))?;
    Ok(Prior::from_github(&reviews, &comments))
}

/// Adds the files that were not checked to the review body, so a skip is never silent.
fn note_skipped(review: &mut Review, outcome: &Outcome) {
    if outcome.skipped.is_empty() {
        return;
    }
    review.body.push_str("\n#### Not checked\n");
    for s in &outcome.skipped {
        review.body.push_str(&format!(
            "- `{}`: {}\n",
            crate::error::sanitize(&s.path)
                .replace('`', "'")
                .replace("<!--", "&lt;!--"),
            crate::error::sanitize(&s.reason).replace("<!--", "&lt;!--")
        ));
    }
}

pub fn run(args: &Args<'_>) -> Result<i32> {
    let pr = crate::source::git::pull_request(args.base, args.head)?;
    let config = match (args.config, &pr.input.config_file) {
        (Some(path), _) => Config::load_path(path)?,
        (None, Some(file)) => Config::parse(file)?.unwrap_or_default(),
        (None, None) => Config::default(),
    };
    let opts = check::Options {
        strict: args.strict,
        config: config.with_selection(args.selection.clone()),
        baseline: args.baseline.clone(),
        ..check::Options::default()
    };
    let outcome = check::run_with(pr.input, &opts);
    let code = exit_code(&outcome, args.strict);

    let token = env("GITHUB_TOKEN");
    let event = event_payload();
    let event = match (&event, args.number) {
        (Err(e), None) if token.is_some() && !args.dry_run => {
            return Err(Error::Usage(e.to_string()))
        }
        (Ok(Some(v)), _) => Some(v.clone()),
        _ => None,
    };
    let number = args.number.or_else(|| {
        let e = event.as_ref()?;
        e.pointer("/pull_request/number")
            .or_else(|| e.get("number"))
            .and_then(Value::as_u64)
    });
    let repo = args
        .repo
        .map(str::to_string)
        .or_else(|| env("GITHUB_REPOSITORY"));
    let target = match (repo, number) {
        (Some(repo), Some(number)) if valid_repo(&repo) => Some(Target { repo, number }),
        (Some(repo), Some(_)) => {
            return Err(Error::Usage(format!(
                "`{}` is not a repository name; expected OWNER/NAME",
                crate::error::sanitize(&repo)
            )))
        }
        _ => None,
    };
    if let Some(e) = &event {
        if let Some(sha) = e.pointer("/pull_request/head/sha").and_then(Value::as_str) {
            if sha != pr.head {
                eprintln!(
                    "sidguard: warning: the checked head {} is not the pull request's head {}; check out the head commit (actions/checkout with `ref: ${{{{ github.event.pull_request.head.sha }}}}`) so comments land on the right lines",
                    &pr.head[..pr.head.len().min(12)],
                    crate::error::sanitize(&sha.chars().take(12).collect::<String>())
                );
            }
        }
    }
    let dry_run = args.dry_run || token.is_none();
    if !dry_run && target.is_none() {
        return Err(Error::Usage(
            "posting a review needs the repository (--repo or GITHUB_REPOSITORY) and the pull request number (--number, or the event at GITHUB_EVENT_PATH); use --dry-run to print the review instead".into(),
        ));
    }
    let api_url = env("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
    let api = token.as_deref().map(|t| Api::new(&api_url, t));

    // Posting: the report first (in --format), then the API.
    if !dry_run {
        out(&report::render_with(
            &outcome,
            args.format,
            args.color,
            args.quiet,
        ));
    }
    // Annotations after a failed post, unless the report already was annotations.
    let annotate = args.format != Format::Github;
    // What earlier runs said. A dry run never touches the network: it shows a first review.
    let prior = match (&api, &target) {
        _ if dry_run => None,
        (Some(api), Some(t)) => match read_prior(api, t) {
            Ok(p) => Some(p),
            Err(e) if e.status() == Some(403) || e.status() == Some(404) => {
                return Ok(fallback(
                    &outcome,
                    code,
                    &api.redact(&e.to_string()),
                    annotate,
                ));
            }
            Err(e) => {
                return Err(Error::Usage(api.redact(&format!(
                    "reading the pull request's earlier reviews failed: {e}"
                ))))
            }
        },
        _ => None,
    };
    let prior_state = prior.clone().unwrap_or_default();
    let built = review::build(
        &outcome.findings,
        &pr.commentable,
        &prior_state,
        &pr.head,
        args.event == Event::RequestChanges,
    );
    let mut the_review = built.review;
    if let Some(r) = the_review.as_mut() {
        note_skipped(r, &outcome);
    }
    let summary = format!(
        "{} ({} blocking); review: {} new ({} as line comments, {} in the body), {} fixed",
        plural(outcome.findings.len(), "finding"),
        outcome.blocking(),
        built.new,
        built.new - built.in_body,
        built.in_body,
        built.fixed
    );

    if dry_run && args.format != Format::Text {
        // The report in the format asked for, as a posting run prints it (SARIF for an
        // upload, annotations...): never the review's JSON in place of it.
        out(&report::render(&outcome, args.format, args.color));
        eprintln!("sidguard: {summary} (dry run: nothing posted; without --format, the review's JSON is printed)");
        return Ok(code);
    }
    if dry_run {
        match &the_review {
            Some(r) => {
                let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
                s.push('\n');
                out(&report::json_safe(s));
            }
            None if args.quiet => {}
            None => eprintln!("sidguard: no review: nothing new to say"),
        }
        if !args.quiet {
            eprintln!("sidguard: {summary} (dry run: nothing posted)");
        }
        return Ok(code);
    }
    let (Some(api), Some(t)) = (api, target) else {
        unreachable!("posting needs a token and a target; checked above")
    };
    let Some(review) = the_review else {
        if !args.quiet {
            eprintln!("sidguard: no review posted: nothing new since the last one ({summary})");
        }
        return Ok(code);
    };
    match post(&api, &t, &review) {
        Ok(url) => {
            if !args.quiet {
                eprintln!(
                    "sidguard: posted a {} review on {}#{}{}: {summary}",
                    review.event,
                    t.repo,
                    t.number,
                    url.map(|u| format!(" ({u})")).unwrap_or_default()
                );
            }
            if outcome.blocking() == 0 {
                dismiss(&api, &t, &prior_state.requesting);
            }
            Ok(code)
        }
        Err(e) if e.status() == Some(403) || e.status() == Some(404) => Ok(fallback(
            &outcome,
            code,
            &api.redact(&e.to_string()),
            annotate,
        )),
        Err(e) => {
            if annotate {
                out(&report::render(&outcome, Format::Github, false));
            }
            Err(Error::Usage(api.redact(&format!(
                "posting the review failed: {e} (printed workflow annotations instead)"
            ))))
        }
    }
}

fn valid_repo(repo: &str) -> bool {
    let mut parts = repo.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// A token that cannot write (forks get read-only tokens): annotations instead, and the exit
/// code of the findings.
fn fallback(outcome: &Outcome, code: i32, why: &str, annotate: bool) -> i32 {
    eprintln!(
        "sidguard: warning: cannot post a review with this token ({why}); {}",
        if annotate {
            "printing workflow annotations instead"
        } else {
            "the workflow annotations above stand in for it"
        }
    );
    if annotate {
        out(&report::render(outcome, Format::Github, false));
    }
    code
}

/// Posts the review; on 422 retries once in the form GitHub accepts.
fn post(api: &Api, t: &Target, review: &Review) -> std::result::Result<Option<String>, ApiError> {
    let path = format!("/repos/{}/pulls/{}/reviews", t.repo, t.number);
    let send = |r: &Review| {
        let body = serde_json::to_value(r).unwrap_or(Value::Null);
        api.call("POST", &path, Some(&body)).map(|reply| {
            reply
                .body
                .get("html_url")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    };
    match send(review) {
        Err(e) if e.status() == Some(422) => {
            let own = e
                .message()
                .to_ascii_lowercase()
                .contains("own pull request");
            let mut retry = if own {
                // GitHub does not let an author request changes on their own pull request.
                review.clone()
            } else {
                review::without_comments(review)
            };
            if own {
                retry.event = "COMMENT";
            }
            eprintln!(
                "sidguard: warning: GitHub refused the review ({}); retrying {}",
                api.redact(e.message()),
                if own {
                    "as a comment review"
                } else {
                    "with every finding in the review body"
                }
            );
            send(&retry)
        }
        other => other,
    }
}

/// Dismisses earlier sidguard reviews that requested changes, once nothing blocks (best effort).
fn dismiss(api: &Api, t: &Target, ids: &[u64]) {
    for id in ids {
        let path = format!(
            "/repos/{}/pulls/{}/reviews/{id}/dismissals",
            t.repo, t.number
        );
        let body = serde_json::json!({
            "message": "sidguard: the session fixation findings are fixed",
            "event": "DISMISS",
        });
        if let Err(e) = api.call("PUT", &path, Some(&body)) {
            eprintln!(
                "sidguard: warning: could not dismiss the earlier review {id}: {}",
                api.redact(&e.to_string())
            );
        }
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
