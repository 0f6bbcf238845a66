//! A syntax error must not hide the functions after it: `scan` finds and checks them and
//! reports the file as partly analysed (with the error's line), `--strict` fails on it, and
//! the diff modes re-check what a fix of the error reveals. (Push time: `tests/push.rs`.)

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

/// A typo in a helper above a vulnerable login: `(` never closed on the helper's line.
fn typo_above_login() -> String {
    format!(
        "{FLASK_HEADER}def helper(:\n    return 1\n\n\n@app.route(\"/login\", methods=[\"POST\"])\n{}",
        flask_login("login", false)
    )
}

/// The line of `def helper(:` in `typo_above_login`.
fn typo_line() -> u64 {
    FLASK_HEADER.lines().count() as u64 + 1
}

#[test]
fn scan_checks_the_functions_after_a_syntax_error() {
    let r = Repo::plain();
    r.write("app.py", typo_above_login());
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let found = run.findings();
    assert_eq!(found.len(), 1, "{}", run.stdout());
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("SID001", "app.py")
    );
    let v = run.json();
    let partly = &v["skipped"][0];
    assert_eq!(partly["path"], "app.py");
    assert_eq!(partly["partial"], true);
    assert_eq!(partly["line"].as_u64(), Some(typo_line()));
    let reason = partly["reason"].as_str().unwrap();
    assert!(reason.contains("`(` opened on line"), "{reason}");
    assert_eq!(
        v["summary"]["functions"], 2,
        "helper and login are both checked"
    );

    let text = r.sidguard(&["scan", "app.py", "--color", "never"]);
    assert!(
        text.stdout().contains(&format!(
            "warning: app.py:{}: partly analysed: syntax error",
            typo_line()
        )),
        "{}",
        text.stdout()
    );
    assert!(
        text.stdout().contains("(1 partly analysed)"),
        "{}",
        text.stdout()
    );
}

#[test]
fn strict_fails_on_a_partly_analysed_file_and_the_rest_passes() {
    let r = Repo::plain();
    // No login at all: nothing to find, but the file does not parse.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}x = compute(1,\n\ndef index():\n    return 'hi'\n"),
    );
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.json()["skipped"][0]["partial"], true);
    let strict = r.sidguard(&["scan", "app.py", "--strict"]);
    assert_eq!(strict.code(), 1, "{}", strict.stdout());
    assert!(
        strict.stderr().contains("not fully checked"),
        "{}",
        strict.stderr()
    );

    // Valid code with brackets across lines is not reported.
    r.write(
        "ok.py",
        format!("{FLASK_HEADER}x = compute(\n    1,\n    default=2,\n)\n\ndef index():\n    return (\n  'hi'\n)\n"),
    );
    let run = r.sidguard(&["scan", "ok.py", "--strict", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.json()["skipped"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_syntax_error_inside_the_login_still_leaves_the_login_checked() {
    let r = Repo::plain();
    let broken = flask_login("login", false)
        .replace("    return redirect", "    x = = 1\n    return redirect");
    r.write("app.py", format!("{FLASK_HEADER}{broken}"));
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(run.findings().len(), 1, "{}", run.stdout());
    assert_eq!(
        run.json()["skipped"][0]["partial"],
        true,
        "{}",
        run.stdout()
    );
}

/// Commit 1 adds the file with the typo; commit 2 only fixes the typo.
fn two_commits(first: &str, second: &str) -> (common::Run, common::Run) {
    let r = Repo::new();
    r.write("app.py", first);
    r.git(&["add", "-A"]);
    let one = r.sidguard(&["staged", "--format", "json"]);
    // As if accepted anyway (an older sidguard, or `--no-verify`).
    r.git(&["commit", "-q", "--no-verify", "-m", "one"]);
    r.write("app.py", second);
    r.git(&["add", "-A"]);
    let two = r.sidguard(&["staged", "--format", "json"]);
    (one, two)
}

#[test]
fn staged_blocks_the_commit_that_adds_the_typo_and_the_one_that_fixes_it() {
    let broken = typo_above_login();
    let fixed = broken.replace("def helper(:", "def helper():");
    let (one, two) = two_commits(&broken, &fixed);
    assert_eq!(one.code(), 1, "commit 1 is blocked: {}", one.stdout());
    assert_eq!(one.findings().len(), 1, "{}", one.stdout());
    assert_eq!(one.json()["skipped"][0]["line"].as_u64(), Some(typo_line()));
    assert_eq!(two.code(), 1, "commit 2 is blocked: {}", two.stdout());
    let found = two.findings();
    assert_eq!(found.len(), 1, "{}", two.stdout());
    assert!(
        found[0].3,
        "the login in a file that never compiled is new: {}",
        two.stdout()
    );
}

#[test]
fn staged_checks_a_login_that_an_unterminated_string_had_hidden() {
    // Commit 1: a docstring never closed swallows the login (no outline can see it).
    let login = flask_login("login", false);
    let broken =
        format!("{FLASK_HEADER}def helper():\n    \"\"\"Helps.\n    return 1\n\n\n{login}");
    let fixed = broken.replace("\"\"\"Helps.\n", "\"\"\"Helps.\"\"\"\n");
    let (one, two) = two_commits(&broken, &fixed);
    assert_eq!(one.code(), 0, "{}", one.stdout());
    assert_eq!(
        one.json()["skipped"][0]["partial"],
        true,
        "reported: {}",
        one.stdout()
    );
    assert_eq!(two.code(), 1, "the fix reveals the login: {}", two.stdout());
    assert_eq!(two.findings().len(), 1, "{}", two.stdout());
}

#[test]
fn staged_checks_a_function_the_change_reveals_without_a_changed_line_inside() {
    // Two typos: a docstring never closed hides the login, and a bracket never closed after
    // it. Commit 2 fixes only the first: the file still does not parse, and no changed line
    // falls inside the login, which the outline now sees for the first time.
    let login = flask_login("login", false);
    let broken = format!(
        "{FLASK_HEADER}def helper():\n    \"\"\"Helps.\n    return 1\n\n\n{login}\nx = compute(1,\n"
    );
    let fixed = broken.replace("\"\"\"Helps.\n", "\"\"\"Helps.\"\"\"\n");
    let (_, two) = two_commits(&broken, &fixed);
    assert_eq!(two.code(), 1, "{}", two.stdout());
    let found = two.findings();
    assert_eq!(found.len(), 1, "{}", two.stdout());
    assert!(found[0].3, "{}", two.stdout());
    assert_eq!(
        two.json()["skipped"][0]["partial"],
        true,
        "{}",
        two.stdout()
    );
}
