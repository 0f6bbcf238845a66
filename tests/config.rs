//! Configuration (`[tool.sidguard]`, `.sidguard.toml`, `--config`) and inline suppressions,
//! through the real binary.

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

fn vulnerable() -> String {
    format!("{FLASK_HEADER}{}", flask_login("login", false))
}

#[test]
fn disable_and_exclude() {
    let r = Repo::plain();
    r.write("app.py", vulnerable());
    r.write("tests/test_app.py", vulnerable());
    assert_eq!(r.sidguard(&["scan"]).code(), 1);
    r.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.sidguard]\nexclude = [\"tests/**\"]\n",
    );
    let run = r.sidguard(&["scan", "--format", "json"]);
    assert_eq!(run.findings().len(), 1, "{}", run.stdout());
    assert_eq!(run.findings()[0].1, "app.py");
    r.write(".sidguard.toml", "disable = [\"SID001\"]\n");
    let run = r.sidguard(&["scan"]);
    assert_eq!(
        run.code(),
        0,
        ".sidguard.toml wins over pyproject.toml: {}",
        run.stdout()
    );
    let shown = r.sidguard(&["config"]);
    assert!(
        shown.stdout().contains(".sidguard.toml")
            && shown.stdout().contains("disable = [\"SID001\"]"),
        "{}",
        shown.stdout()
    );
}

#[test]
fn extra_knowledge_from_configuration() {
    let r = Repo::plain();
    let src = "from flask import session, request\nfrom myapp.auth import verify_member, set_current_user\nfrom myapp.sessions import rotate_sid\n\n\
def a():\n    if verify_member(request.form['n']):\n        session['member_no'] = 1\n\n\
def b():\n    if verify_member(request.form['n']):\n        set_current_user(1)\n\n\
def c():\n    if verify_member(request.form['n']):\n        rotate_sid()\n        session['member_no'] = 1\n";
    r.write("app.py", src);
    let run = r.sidguard(&["scan", "--format", "json"]);
    assert!(
        run.findings().is_empty(),
        "without configuration nothing is known: {}",
        run.stdout()
    );
    r.write(
        ".sidguard.toml",
        "credential-checks = [\"myapp.auth.verify_member\"]\nidentity-writers = [\"set_current_user\"]\nregeneration-functions = [\"myapp.sessions.rotate_sid\"]\nidentity-keys = [\"member_no\"]\n",
    );
    let run = r.sidguard(&["scan", "--format", "json"]);
    let lines: Vec<u64> = run.findings().iter().map(|f| f.2).collect();
    assert_eq!(
        lines,
        vec![7, 11],
        "a: custom key after a custom check; b: custom writer; c: custom rotation is clean: {}",
        run.stdout()
    );
}

#[test]
fn client_cookie_severity_warning_does_not_block() {
    let r = Repo::plain();
    r.write("app.py", vulnerable());
    r.write(".sidguard.toml", "client-cookie-severity = \"warning\"\n");
    let run = r.sidguard(&["scan", "--format", "json"]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.json()["findings"][0]["severity"], "warning");
    let strict = r.sidguard(&["scan", "--strict"]);
    assert_eq!(
        strict.code(),
        0,
        "a warning by configuration does not block, even with --strict"
    );
}

#[test]
fn bad_configuration_is_an_error_with_its_location() {
    let r = Repo::plain();
    r.write("app.py", vulnerable());
    r.write(
        "pyproject.toml",
        "[tool.sidguard]\nexclude = [\"x\"]\ndisabled = [\"SID001\"]\n",
    );
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("pyproject.toml:")
            && run.stderr().contains("unknown field `disabled`"),
        "{}",
        run.stderr()
    );
    r.write("other.toml", "client-cookie-severity = 3\n");
    let run = r.sidguard(&["scan", "--config", "other.toml"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr()
            .contains("other.toml:1:26: invalid sidguard configuration"),
        "{}",
        run.stderr()
    );
}

#[test]
fn staged_reads_configuration_from_the_index() {
    let r = Repo::new();
    r.write("app.py", vulnerable());
    r.git(&["add", "app.py"]);
    // An unstaged configuration that would disable the rule does not count.
    r.write(".sidguard.toml", "disable = [\"SID001\"]\n");
    assert_eq!(r.sidguard(&["staged"]).code(), 1);
    r.git(&["add", ".sidguard.toml"]);
    assert_eq!(
        r.sidguard(&["staged"]).code(),
        0,
        "staged configuration counts"
    );
}

#[test]
fn suppressions() {
    let r = Repo::plain();
    let same_line = vulnerable().replace(
        "session[\"user_id\"] = user.id",
        "session[\"user_id\"] = user.id  # sidguard: ignore[SID001] cookie sessions, accepted",
    );
    r.write("a.py", &same_line);
    let line_before = vulnerable().replace(
        "        session[\"user_id\"] = user.id",
        "        # sidguard: ignore[sid001] accepted\n        session[\"user_id\"] = user.id",
    );
    r.write("b.py", &line_before);
    let bare = vulnerable().replace(
        "session[\"user_id\"] = user.id",
        "session[\"user_id\"] = user.id  # sidguard: ignore",
    );
    r.write("c.py", &bare);
    r.write(
        "d.py",
        format!("{FLASK_HEADER}x = 1  # sidguard: ignore[SID001] stale\n"),
    );
    let run = r.sidguard(&["scan", "--format", "json"]);
    let got: Vec<(String, String, u64, bool)> = run.findings();
    assert_eq!(
        got,
        vec![
            ("SID001".into(), "c.py".into(), 10, true),
            ("SID900".into(), "c.py".into(), 10, false),
            ("SID901".into(), "d.py".into(), 7, false),
        ],
        "{}",
        run.stdout()
    );
    assert_eq!(run.code(), 1, "the bare suppression suppresses nothing");
}
