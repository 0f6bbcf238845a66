//! Command-line interface (a contract: hooks, CI and later modes rely on it).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::report::{ColorChoice, Format};
use crate::{exit, registry};

#[derive(Debug, Parser)]
#[command(
    name = "sidguard",
    version,
    // The options go after the command, as every example writes them (clap would print
    // `sidguard [OPTIONS] <COMMAND>`).
    override_usage = "sidguard <COMMAND> [OPTIONS] [ARGS]",
    about = "Stops session fixation (CWE-384) from entering Python web code",
    long_about = "Stops session fixation (CWE-384) from entering Python web code.\n\n\
        sidguard reads what changed in git, re-parses only the Python functions the change touches, \
        and blocks logins that keep the pre-login session, with an explanation and a patch for your framework.\n\n\
        Exit codes: 0 nothing blocking, 1 at least one blocking finding, 2 usage or runtime error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line. The commit hooks run `sidguard staged` (the plain git hook) or
    /// `sidguard staged FILE...` (pre-commit passes the staged files): those are answered
    /// without building clap's parser, which costs a quarter of a millisecond (7% of a commit
    /// hook); a test holds the answer equal to clap's. Every other command line, and any
    /// argument that starts with `-` or is not UTF-8, goes to clap.
    fn parse_args() -> std::result::Result<Cli, clap::Error> {
        Cli::fast(std::env::args_os().skip(1)).map_or_else(Cli::try_parse, Ok)
    }

    /// `sidguard staged [FILE...]` with plain file names, as clap parses it; `None` for
    /// anything else.
    fn fast(mut args: impl Iterator<Item = std::ffi::OsString>) -> Option<Cli> {
        if args.next()? != "staged" {
            return None;
        }
        let paths = args
            .map(|a| a.into_string().ok().filter(|a| !a.starts_with('-')))
            .collect::<Option<Vec<String>>>()?;
        Some(Cli {
            global: Global {
                format: Format::Text,
                color: ColorChoice::Auto,
                strict: false,
                config: None,
            },
            command: Command::Staged {
                paths,
                check: CheckArgs::default(),
            },
        })
    }
}

#[derive(Debug, Args)]
pub struct Global {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When to use colour: auto means on a terminal, unless NO_COLOR is set (PRE_COMMIT_COLOR is honoured).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Also fail when a file could not be fully checked (skipped: too large, binary, over the
    /// time budget; or partly analysed after a syntax error), and, in the diff modes, block on
    /// findings that were already there before the change (`scan` blocks on every finding).
    #[arg(long, global = true)]
    pub strict: bool,
    /// Configuration file to use (`.sidguard.toml`, or a `pyproject.toml`, whose
    /// `[tool.sidguard]` is read) instead of the one found by default: `scan` and `config`
    /// use the nearest in the current directory or its ancestors; `staged`, `diff`, `pr` and
    /// `pre-push` the one at the root of the tree they check (the index, the commit), never
    /// the working tree's. Not for `pre-receive`, whose settings come from the server policy.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// Options of the commands that check code (staged, diff, scan, pre-receive, pre-push, pr).
#[derive(Debug, Clone, Default, Args)]
pub struct CheckArgs {
    /// Print only the findings and the files not fully checked: no summary, no progress lines.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit 0 even when a finding blocks (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Only these rules: codes, names or code prefixes (SID001, login-without-regeneration, SID00); comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Not these rules (as --select); applied after it.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Accept the findings of this earlier `--format json` report: not shown, not blocking.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

impl CheckArgs {
    /// The rules these flags keep; a flag naming no rule is an error.
    pub fn selection(&self) -> Result<crate::selection::Selection> {
        crate::selection::Selection::new(&self.select, &self.ignore)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check what is staged (the index against HEAD, or against the empty tree before the first commit).
    ///
    /// A FILE given that has nothing staged is checked whole, as the index has it: pre-commit
    /// passes the staged files at commit time and every file under `run --all-files`.
    Staged {
        /// Only these files or directories (relative to the repository root, as pre-commit passes them).
        paths: Vec<String>,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Check what HEAD changed since its merge base with BASE (as a pull request sees it).
    Diff {
        /// The branch the change will merge into.
        base: String,
        /// The tip of the change.
        #[arg(default_value = "HEAD")]
        head: String,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Check whole files and directories, no git needed (every function is analysed).
    Scan {
        /// Files and directories (default: the current directory).
        paths: Vec<String>,
        /// Apply the fixes that are safe to apply mechanically, then report what is left.
        #[arg(long)]
        fix: bool,
        /// Print those fixes as a unified diff instead of writing them (with or without --fix).
        #[arg(long)]
        diff: bool,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Print the effective configuration (the file `scan` would use, or --config).
    Config,
    /// List the rules.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule code (SID001) or name (login-without-regeneration).
        rule: String,
    },
    /// Server-side hook: check the refs git is about to accept (pre-receive protocol on stdin).
    #[command(name = "pre-receive")]
    PreReceive {
        /// Server policy file (default: git config `sidguard.config`, else built-in defaults).
        #[arg(long, value_name = "PATH")]
        policy: Option<PathBuf>,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Client-side hook: check what `git push` would send (pre-push protocol on stdin).
    #[command(name = "pre-push")]
    PrePush {
        /// The remote's name (git passes it).
        remote: String,
        /// The remote's URL (git passes it; unused).
        url: Option<String>,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Review a pull request: check its change and post (or print) a GitHub review.
    ///
    /// One comment per finding on the flagged line, with a suggestion when the fix fits.
    /// Posts with GITHUB_TOKEN, GITHUB_REPOSITORY and the PR number (--number or the event
    /// at GITHUB_EVENT_PATH) and then prints the report in --format. Without a token, or with
    /// --dry-run, it posts nothing and uses no network: it prints the review's JSON, or, with
    /// a --format other than text, the report in that format (as a posting run prints it).
    Pr {
        /// The branch the pull request merges into (e.g. origin/main).
        #[arg(long)]
        base: String,
        /// The pull request's head commit.
        #[arg(long, default_value = "HEAD")]
        head: String,
        /// The pull request number (default: from GITHUB_EVENT_PATH).
        #[arg(long)]
        number: Option<u64>,
        /// OWNER/NAME (default: GITHUB_REPOSITORY).
        #[arg(long, value_name = "OWNER/NAME")]
        repo: Option<String>,
        /// Post nothing: print the review's JSON (or, with --format, the report) instead (the
        /// default without GITHUB_TOKEN).
        #[arg(long)]
        dry_run: bool,
        /// The review event when a new finding blocks.
        #[arg(long, value_enum, default_value_t = crate::pr::Event::RequestChanges)]
        event: crate::pr::Event,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Install the plain git hooks into this repository (the pre-commit hook by default).
    Install {
        /// Keep an existing hook that is not sidguard's as `<hook>.legacy`: sidguard's hook
        /// runs it first, and a failure of it fails the commit or push.
        #[arg(long)]
        force: bool,
        /// The hook to install: pre-commit (default) or pre-push; repeat for both.
        #[arg(
            long = "hook-type",
            short = 't',
            value_enum,
            value_name = "HOOK",
            default_value = "pre-commit"
        )]
        hook_types: Vec<crate::install::HookType>,
    },
}

/// Parses arguments, runs, prints, and returns the process exit code.
pub fn main() -> i32 {
    crate::timings::begin();
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "sidguard: error: {}",
                crate::error::sanitize(&e.to_string())
            );
            exit::ERROR
        }
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                return false;
            }
            match std::env::var("PRE_COMMIT_COLOR").as_deref() {
                Ok("always") => true,
                Ok("never") => false,
                _ => std::io::stdout().is_terminal(),
            }
        }
    }
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
    }
}

impl Command {
    /// The checking options, for the commands that check code.
    fn check_args(&self) -> Option<&CheckArgs> {
        match self {
            Command::Staged { check, .. }
            | Command::Diff { check, .. }
            | Command::Scan { check, .. }
            | Command::PreReceive { check, .. }
            | Command::PrePush { check, .. }
            | Command::Pr { check, .. } => Some(check),
            Command::Config
            | Command::Rules
            | Command::Explain { .. }
            | Command::Install { .. } => None,
        }
    }
}

/// Runs the command; `--exit-zero` turns a blocking result into 0 (errors stay 2).
fn run(cli: &Cli) -> Result<i32> {
    let code = run_command(cli)?;
    let exit_zero = cli.command.check_args().is_some_and(|c| c.exit_zero);
    Ok(if exit_zero && code == exit::FINDINGS {
        exit::CLEAN
    } else {
        code
    })
}

fn run_command(cli: &Cli) -> Result<i32> {
    let g = &cli.global;
    let check = cli.command.check_args().cloned().unwrap_or_default();
    let selection = check.selection()?;
    // Read first: a missing or invalid baseline is an error even when nothing is to check.
    let baseline = match (&check.baseline, &cli.command) {
        (_, Command::PreReceive { .. } | Command::PrePush { .. }) | (None, _) => None,
        (Some(path), _) => Some(std::sync::Arc::new(crate::baseline::Baseline::load(path)?)),
    };

    let mut scan_config: Option<Config> = None;
    // What a blocked `staged` run stops: a commit, or (pre-commit's pre-push stage) a push.
    let mut stops: Option<&str> = None;
    // `--format` is global (it may follow any command), but only the checking commands have
    // a report to format: the others say so rather than ignore it.
    if g.format != Format::Text
        && matches!(
            cli.command,
            Command::Config | Command::Rules | Command::Explain { .. } | Command::Install { .. }
        )
    {
        return Err(Error::Usage(format!(
            "`--format {}` applies to the checking commands (staged, diff, scan, pre-receive, pre-push, pr); this one prints text",
            clap::ValueEnum::to_possible_value(&g.format).map(|v| v.get_name().to_string()).unwrap_or_default()
        )));
    }
    let input = match &cli.command {
        Command::Config => {
            let config = match &g.config {
                Some(path) => Config::load_path(path)?,
                None => Config::discover(&std::env::current_dir().unwrap_or_default())?,
            };
            print(&config.show())?;
            return Ok(exit::CLEAN);
        }
        Command::Rules => {
            print(&rules_table())?;
            return Ok(exit::CLEAN);
        }
        Command::Explain { rule } => {
            let r = registry::find(rule).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown rule `{rule}`; `sidguard rules` lists them"
                ))
            })?;
            print(r.doc)?;
            return Ok(exit::CLEAN);
        }
        Command::Install { force, hook_types } => {
            let mut done = Vec::new();
            for &hook in hook_types {
                if done.contains(&hook) {
                    continue;
                }
                done.push(hook);
                let installed = crate::install::install(hook, *force)?;
                eprintln!(
                    "sidguard: installed the {} hook at {}",
                    hook.name(),
                    installed.path.display()
                );
                if let Some(legacy) = installed.legacy {
                    eprintln!(
                        "sidguard: the hook that was there is kept as {}; it runs first, and when it fails the {} fails",
                        legacy.display(),
                        match hook {
                            crate::install::HookType::PreCommit => "commit",
                            crate::install::HookType::PrePush => "push",
                        }
                    );
                }
            }
            return Ok(exit::CLEAN);
        }
        Command::PreReceive { policy, .. } => {
            if g.config.is_some() {
                return Err(Error::Usage(
                    "pre-receive takes its settings from the server policy (--policy, or git config sidguard.config), not --config".into(),
                ));
            }
            return Ok(crate::hook::pre_receive(&crate::hook::HookArgs {
                format: g.format,
                color: g.color,
                strict: g.strict,
                policy: policy.as_deref(),
                quiet: check.quiet,
                selection,
                baseline: check.baseline.as_deref(),
                config: None,
            }));
        }
        Command::PrePush { remote, .. } => {
            return crate::hook::pre_push(
                &crate::hook::HookArgs {
                    format: g.format,
                    color: g.color,
                    strict: g.strict,
                    policy: None,
                    quiet: check.quiet,
                    selection,
                    baseline: check.baseline.as_deref(),
                    config: g.config.as_deref(),
                },
                remote,
            );
        }
        Command::Pr {
            base,
            head,
            number,
            repo,
            dry_run,
            event,
            ..
        } => {
            return crate::pr::run(&crate::pr::Args {
                base,
                head,
                number: *number,
                repo: repo.as_deref(),
                dry_run: *dry_run,
                event: *event,
                strict: g.strict,
                config: g.config.as_deref(),
                color: use_color(g.color),
                format: g.format,
                quiet: check.quiet,
                selection,
                baseline,
            });
        }
        Command::Staged { paths, .. } => {
            // pre-commit's pre-push stage (and `run --from-ref --to-ref`) passes the range in
            // the environment: check what would be pushed instead of the index.
            match (
                std::env::var("PRE_COMMIT_FROM_REF"),
                std::env::var("PRE_COMMIT_TO_REF"),
            ) {
                (Ok(from), Ok(to)) if !from.is_empty() && !to.is_empty() => {
                    stops = Some("push");
                    crate::source::git::range(&from, &to)?
                }
                _ => {
                    stops = Some("commit");
                    crate::source::git::staged(paths)?
                }
            }
        }
        Command::Diff { base, head, .. } => crate::source::git::range(base, head)?,
        Command::Scan { paths, .. } => {
            // The configuration first: its `max-file-bytes` decides which files are read.
            let config = match &g.config {
                Some(path) => Config::load_path(path)?,
                None => Config::discover(&std::env::current_dir().unwrap_or_default())?,
            };
            let input = crate::source::files::scan_limited(
                paths,
                config.settings.max_file_bytes,
                config.settings.include_tests,
            )?;
            scan_config = Some(config);
            input
        }
    };
    let mode = input.mode;
    if input.files.is_empty() && input.skipped.is_empty() {
        let what = match (mode, input.changed_paths) {
            (crate::source::Mode::Staged, 0) => "nothing is staged",
            (crate::source::Mode::Staged, _) => "no staged Python changes",
            (crate::source::Mode::Diff, 0) => "the range changes nothing",
            (crate::source::Mode::Diff, _) => "the range changes no Python code",
            (crate::source::Mode::Scan, _) => "no Python files found",
        };
        if !check.quiet {
            eprintln!("sidguard: {what}; nothing to check");
        }
        if g.format.is_document() {
            print(&crate::report::render(
                &crate::check::Outcome::default(),
                g.format,
                false,
            ))?;
        }
        return Ok(exit::CLEAN);
    }
    // Configuration: --config, else the file in the checked tree (diff modes), else the
    // nearest one on disk (`scan`).
    let config = match (&g.config, &input.config_file) {
        _ if scan_config.is_some() => scan_config.take().unwrap_or_default(),
        (Some(path), _) => Config::load_path(path)?,
        (None, Some(file)) => Config::parse(file)?.unwrap_or_default(),
        (None, None) if mode == crate::source::Mode::Scan => {
            Config::discover(&std::env::current_dir().unwrap_or_default())?
        }
        (None, None) => Config::default(),
    };
    let opts = crate::check::Options {
        strict: g.strict,
        config: config.with_selection(selection),
        baseline,
        ..crate::check::Options::default()
    };
    if input.files.len() <= 1 {
        // One file (the usual commit): rayon's worker threads would cost more to start than
        // they save, so the pool is this thread alone. (It can only be set before first use,
        // which is here in the diff modes; `scan` has used it already and keeps it.)
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build_global();
    }
    let mut outcome = crate::check::run_with(input, &opts);
    crate::timings::mark(|| format!("checked: {} lines parsed", outcome.parsed_lines));
    match &cli.command {
        Command::Scan { diff: true, .. } => {
            // The fixes as a diff on stdout (for `git apply`), nothing written; the exit
            // code is the scan's.
            let plans = crate::autofix::plan(&outcome.findings, &|p| std::fs::read(p));
            let diff: String = plans.iter().map(|p| p.diff()).collect();
            print(&crate::report::sanitize_keep_lines(&diff))?;
            if !check.quiet {
                report_fixes(&plans, "would fix");
            }
        }
        Command::Scan {
            paths, fix: true, ..
        } => {
            // Fixed, then checked again as the files are now: the report is what is left.
            let (plans, after) = crate::autofix::fix(&outcome.findings, &mut || {
                let input = crate::source::files::scan_limited(
                    paths,
                    opts.config.settings.max_file_bytes,
                    opts.config.settings.include_tests,
                )?;
                Ok(crate::check::run_with(input, &opts))
            })?;
            outcome = after;
            if !check.quiet {
                report_fixes(&plans, "fixed");
            }
            print(&crate::report::render_with(
                &outcome,
                g.format,
                use_color(g.color),
                check.quiet,
            ))?;
        }
        _ => print(&crate::report::render_with(
            &outcome,
            g.format,
            use_color(g.color),
            check.quiet,
        ))?,
    }
    if outcome.internal_errors > 0 {
        eprintln!("sidguard: error: {} file(s) could not be analysed because of an internal error; the result is incomplete", outcome.internal_errors);
        return Ok(exit::ERROR);
    }
    if g.strict && !outcome.skipped.is_empty() {
        eprintln!(
            "sidguard: {} not fully checked; --strict treats that as a failure",
            if outcome.skipped.len() == 1 {
                "1 file was".to_string()
            } else {
                format!("{} files were", outcome.skipped.len())
            }
        );
        return Ok(exit::FINDINGS);
    }
    if outcome.blocking() == 0 {
        return Ok(exit::CLEAN);
    }
    if let (Some(action), Format::Text) = (stops, g.format) {
        let code = outcome
            .findings
            .iter()
            .find(|f| f.blocking)
            .map_or("SID001", |f| f.rule);
        print(&format!("{}\n", crate::report::way_out(code, action)))?;
    }
    Ok(exit::FINDINGS)
}

/// What `--fix` (or `--diff`) did, on stderr: per file the findings fixed and those left
/// with the reason, then the totals.
fn report_fixes(plans: &[crate::autofix::FileFix], verb: &str) {
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let (mut fixed, mut left, mut files) = (0, 0, 0);
    for p in plans {
        let path = crate::error::sanitize(&p.path);
        if !p.fixed.is_empty() {
            files += 1;
            eprintln!(
                "sidguard: {verb} {} in {path}",
                plural(p.fixed.len(), "finding")
            );
        }
        for (_, why) in &p.left {
            eprintln!("sidguard: left in {path}: {}", crate::error::sanitize(why));
        }
        fixed += p.fixed.len();
        left += p.left.len();
    }
    eprintln!(
        "sidguard: {verb} {} of {} in {}; {} left",
        fixed,
        plural(fixed + left, "finding"),
        plural(files, "file"),
        left
    );
}

/// `sidguard rules`: one row per rule, each column as wide as its longest cell.
fn rules_table() -> String {
    let severity = |r: &registry::Rule| match r.severity {
        crate::finding::Severity::Error => "error",
        crate::finding::Severity::Warning => "warning",
    };
    let width = |head: &str, cell: &dyn Fn(&registry::Rule) -> usize| {
        registry::RULES
            .iter()
            .map(cell)
            .chain([head.len()])
            .max()
            .unwrap_or(0)
    };
    let code = width("code", &|r| r.code.len());
    let name = width("name", &|r| r.name.len());
    let sev = width("severity", &|r| severity(r).len());
    let mut s = format!(
        "{:<code$}  {:<name$}  {:<sev$}  summary\n",
        "code", "name", "severity"
    );
    for r in registry::RULES {
        s.push_str(&format!(
            "{:<code$}  {:<name$}  {:<sev$}  {}\n",
            r.code,
            r.name,
            severity(r),
            r.summary
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commit hooks' command lines, answered without clap, are what clap makes of them.
    #[test]
    fn the_hook_command_line_is_parsed_as_clap_parses_it() {
        let fast = |args: &[&str]| Cli::fast(args.iter().map(std::ffi::OsString::from));
        for args in [
            &["staged"][..],
            &["staged", "app.py"],
            &["staged", "app.py", "pkg/views.py", "a b.py", "staged"],
        ] {
            let clap =
                Cli::try_parse_from(std::iter::once(&"sidguard").chain(args)).expect("parses");
            let ours = fast(args).expect("answered without clap");
            assert_eq!(format!("{ours:?}"), format!("{clap:?}"), "{args:?}");
        }
        // Anything more is clap's.
        for args in [
            &["staged", "--strict"][..],
            &["staged", "app.py", "--format", "json"],
            &["staged", "-"],
            &["scan"],
            &[],
        ] {
            assert!(fast(args).is_none(), "{args:?}");
        }
    }
}
