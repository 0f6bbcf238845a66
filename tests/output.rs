//! What users of ruff, gitleaks and semgrep expect: `--format concise`, `--quiet`,
//! `--exit-zero`, `--select`/`--ignore` and per-file ignores.

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

/// A Flask app with two findings: SID005 on line 5 and SID001 on line 11.
fn two_findings() -> String {
    format!(
        "{}app.config[\"SESSION_COOKIE_HTTPONLY\"] = False\n\n\n{}",
        FLASK_HEADER.trim_end_matches('\n').to_string() + "\n",
        flask_login("login", false)
    )
}

fn rules_of(run: &common::Run) -> Vec<String> {
    run.findings().into_iter().map(|f| f.0).collect()
}

#[test]
fn the_two_findings_fixture_has_both_rules() {
    let r = Repo::plain();
    r.write("app.py", two_findings());
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(rules_of(&run), vec!["SID005", "SID001"], "{}", run.stdout());
}

#[test]
fn concise_is_one_line_per_finding() {
    let r = Repo::plain();
    r.write("app.py", two_findings());
    let run = r.sidguard(&["scan", "app.py", "--format", "concise"]);
    assert_eq!(run.code(), 1);
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("app.py:5:41: SID005 `SESSION_COOKIE_HTTPONLY = False`"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("app.py:11:9: SID001 identity written with `session[\"user_id\"]`"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("sidguard: 2 blocking findings"),
        "{out}"
    );
    // No colour codes unless asked for, and --quiet leaves only the findings.
    assert!(!out.contains('\u{1b}'));
    let quiet = r.sidguard(&["scan", "app.py", "--format", "concise", "--quiet"]);
    assert_eq!(quiet.stdout(), format!("{}\n{}\n", lines[0], lines[1]));
    assert_eq!(quiet.code(), 1);
}

#[test]
fn concise_marks_what_does_not_block_and_lists_skipped_files() {
    let r = Repo::new();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.commit_all("old finding");
    // A touched function with a finding already there: a warning, said so on its line.
    let changed = format!("{FLASK_HEADER}{}", flask_login("login", false))
        .replace("    return redirect", "    log(user)\n    return redirect");
    r.write("app.py", changed);
    r.write("broken.py", "def f(:\n    pass\n");
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "concise"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let out = run.stdout();
    assert!(
        out.contains("app.py:10:9: SID001 ")
            && out.contains("(already there before this change; not blocking)"),
        "{out}"
    );
    assert!(
        out.contains("broken.py:1: warning: partly analysed"),
        "{out}"
    );
}

#[test]
fn quiet_leaves_out_the_summary_and_progress() {
    let r = Repo::new();
    r.write("app.py", two_findings());
    let text = r.sidguard(&["scan", "app.py"]);
    assert!(text.stdout().contains("sidguard: 2 blocking findings"));
    let quiet = r.sidguard(&["scan", "app.py", "--quiet"]);
    assert_eq!(quiet.code(), 1);
    assert!(
        quiet.stdout().contains("error[SID001]"),
        "{}",
        quiet.stdout()
    );
    assert!(
        !quiet.stdout().contains("sidguard:"),
        "no summary: {}",
        quiet.stdout()
    );
    // Nothing staged: no line at all.
    let nothing = r.sidguard(&["staged", "-q"]);
    assert_eq!((nothing.code(), nothing.stderr()), (0, String::new()));
    let said = r.sidguard(&["staged"]);
    assert!(said.stderr().contains("nothing is staged"));
}

#[test]
fn exit_zero_passes_findings_but_not_errors() {
    let r = Repo::new();
    r.write("app.py", two_findings());
    let run = r.sidguard(&["scan", "app.py", "--exit-zero"]);
    assert_eq!(run.code(), 0);
    assert!(
        run.stdout().contains("error[SID001]"),
        "the findings still show"
    );
    r.git(&["add", "app.py"]);
    assert_eq!(r.sidguard(&["staged"]).code(), 1);
    assert_eq!(r.sidguard(&["staged", "--exit-zero"]).code(), 0);
    // --strict's failure on a file not fully checked is a result too.
    r.write(
        "broken.py",
        format!(
            "{FLASK_HEADER}{}def helper(:\n    pass\n",
            flask_login("login", true)
        ),
    );
    let strict = r.sidguard(&["scan", "broken.py", "--strict"]);
    assert_eq!(strict.code(), 1, "{}", strict.stdout());
    assert_eq!(
        r.sidguard(&["scan", "broken.py", "--strict", "--exit-zero"])
            .code(),
        0
    );
    // Errors are errors.
    let bad = r.sidguard(&["diff", "no-such-branch", "--exit-zero"]);
    assert_eq!(bad.code(), 2, "{}", bad.stderr());
    // Only the checking commands take it.
    assert_eq!(r.sidguard(&["rules", "--exit-zero"]).code(), 2);
}

#[test]
fn select_and_ignore_take_codes_names_and_prefixes() {
    let r = Repo::plain();
    r.write("app.py", two_findings());
    let json = |args: &[&str]| {
        let mut all = vec!["scan", "app.py", "--format", "json"];
        all.extend_from_slice(args);
        r.sidguard(&all)
    };
    assert_eq!(rules_of(&json(&["--select", "SID001"])), vec!["SID001"]);
    assert_eq!(
        rules_of(&json(&["--select", "insecure-session-cookie"])),
        vec!["SID005"]
    );
    assert_eq!(
        rules_of(&json(&["--ignore", "login-without-regeneration"])),
        vec!["SID005"]
    );
    // Comma-separated and repeatable; --ignore applies after --select.
    assert_eq!(
        rules_of(&json(&["--select", "sid001,SID005", "--ignore", "SID005"])),
        vec!["SID001"]
    );
    assert_eq!(
        rules_of(&json(&[
            "--select", "SID00", "--ignore", "SID001", "--ignore", "SID005"
        ])),
        Vec::<String>::new()
    );
    let run = json(&["--ignore", "SID001,SID005"]);
    assert_eq!(run.code(), 0, "nothing left to block: {}", run.stdout());
    // An entry that names no rule is an error: one line, exit 2.
    let bad = r.sidguard(&["scan", "app.py", "--select", "SID001,login-without-regen"]);
    assert_eq!(bad.code(), 2);
    assert_eq!(bad.stderr().lines().count(), 1, "{}", bad.stderr());
    assert!(
        bad.stderr()
            .contains("`--select login-without-regen` names no rule"),
        "{}",
        bad.stderr()
    );
}

#[test]
fn a_suppression_of_an_ignored_rule_is_not_called_unused() {
    let r = Repo::plain();
    let login = flask_login("login", true).replace(
        "        session[\"user_id\"] = user.id\n",
        "        session[\"user_id\"] = user.id  # sidguard: ignore[SID002] reviewed\n",
    );
    r.write("app.py", format!("{FLASK_HEADER}{login}"));
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(rules_of(&run), vec!["SID901"], "{}", run.stdout());
    let run = r.sidguard(&["scan", "app.py", "--format", "json", "--ignore", "SID002"]);
    assert_eq!(rules_of(&run), Vec::<String>::new(), "{}", run.stdout());
    let run = r.sidguard(&["scan", "app.py", "--format", "json", "--ignore", "SID901"]);
    assert_eq!(rules_of(&run), Vec::<String>::new(), "{}", run.stdout());
}

#[test]
fn select_and_ignore_in_the_diff_and_push_modes() {
    let r = Repo::new();
    r.write("README", "x\n");
    r.commit_all("base");
    r.write("app.py", two_findings());
    r.git(&["add", "app.py"]);
    let staged = r.sidguard(&["staged", "--format", "json", "--ignore", "SID005"]);
    assert_eq!(rules_of(&staged), vec!["SID001"], "{}", staged.stdout());
    r.git(&["commit", "-q", "-m", "app"]);
    let diff = r.sidguard(&["diff", "HEAD~1", "--format", "json", "--select", "SID005"]);
    assert_eq!(rules_of(&diff), vec!["SID005"], "{}", diff.stdout());
    let pr = r.sidguard(&[
        "pr",
        "--base",
        "HEAD~1",
        "--dry-run",
        "--ignore",
        "SID001,SID005",
    ]);
    assert_eq!(pr.code(), 0, "{}", pr.stderr());
    // The server hook: the push of the app, with SID001 ignored, is judged on SID005 only.
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    let base = r.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let stdin = format!("{base} {head} refs/heads/main\n");
    let run_hook = |args: &[&str]| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.arg("pre-receive").args(args).current_dir(r.path());
        common::git_env(&mut cmd, &r.home());
        common::run_with_stdin(cmd, &stdin)
    };
    let run = run_hook(&["--format", "json", "--ignore", "SID001"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(rules_of(&run), vec!["SID005"], "{}", run.stdout());
    let run = run_hook(&["--ignore", "SID001,SID005", "--quiet"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.stderr(), "", "quiet: no progress lines");
}

#[test]
fn per_file_ignores_in_both_configuration_forms() {
    for (name, text) in [
        (
            "pyproject.toml",
            "[tool.sidguard]\nper-file-ignores = { \"legacy/*.py\" = [\"SID001\"], \"app.py\" = [\"insecure-session-cookie\"] }\n",
        ),
        (
            ".sidguard.toml",
            "[per-file-ignores]\n\"legacy/*.py\" = [\"SID001\"]\n\"app.py\" = [\"insecure-session-cookie\"]\n",
        ),
    ] {
        let r = Repo::new();
        r.write(name, text);
        r.write("app.py", two_findings());
        r.write("legacy/old.py", two_findings());
        let run = r.sidguard(&["scan", "--format", "json"]);
        let mut found: Vec<(String, String)> = run
            .findings()
            .into_iter()
            .map(|f| (f.0, f.1))
            .collect();
        found.sort();
        assert_eq!(
            found,
            vec![
                ("SID001".to_string(), "app.py".to_string()),
                ("SID005".to_string(), "legacy/old.py".to_string())
            ],
            "{name}: {}",
            run.stdout()
        );
        // The index's configuration, in the commit hook.
        r.git(&["add", "-A"]);
        let staged = r.sidguard(&["staged", "--format", "json"]);
        assert_eq!(staged.findings().len(), 2, "{name}: {}", staged.stdout());
    }
}

#[test]
fn per_file_ignores_naming_no_rule_is_a_configuration_error() {
    let r = Repo::new();
    r.write(
        ".sidguard.toml",
        "[per-file-ignores]\n\"*.py\" = [\"SID077\"]\n",
    );
    r.write("app.py", two_findings());
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr()
            .contains("`per-file-ignores` names an unknown rule `SID077`"),
        "{}",
        run.stderr()
    );
    r.write(
        ".sidguard.toml",
        "[per-file-ignores]\n\"[\" = [\"SID001\"]\n",
    );
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("bad `per-file-ignores` glob `[`"),
        "{}",
        run.stderr()
    );
}
