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

/// Every configuration error points at the bad key or value, in `[tool.sidguard]` of
/// `pyproject.toml` as in `.sidguard.toml`'s top-level keys (never at the table header).
#[test]
fn configuration_errors_point_at_the_bad_key_in_both_forms() {
    // (.sidguard.toml text, line, column, what the message says)
    let cases = [
        (
            "exclude = [\"x\"]\ndisabled = [\"SID001\"]\n",
            2,
            1,
            "unknown field `disabled`",
        ),
        (
            "exclude = [\"x\"]\nmax-file-bytes = \"big\"\n",
            2,
            18,
            "invalid type",
        ),
        (
            "exclude = [\"x\"]\ndisable = [\"SID001\", \"SID999\"]\n",
            2,
            22,
            "`disable` names an unknown rule `SID999`",
        ),
        (
            "\nmax-file-bytes = 0\n",
            2,
            18,
            "`max-file-bytes` must be at least 1",
        ),
        (
            "exclude = [\"ok\", \"[\"]\n",
            1,
            18,
            "bad `exclude` glob `[`",
        ),
        (
            "include-tests = true\n\n[severity]\nSID006 = \"error\"\nSID999 = \"error\"\n",
            5,
            1,
            "`severity` names an unknown rule `SID999`",
        ),
        (
            "[severity]\nSID006 = \"loud\"\n",
            2,
            10,
            "unknown variant `loud`",
        ),
    ];
    let r = Repo::plain();
    r.write("app.py", vulnerable());
    for (text, line, col, what) in cases {
        r.write(".sidguard.toml", text);
        let run = r.sidguard(&["scan"]);
        assert_eq!(run.code(), 2, "{text}");
        let want = format!(".sidguard.toml:{line}:{col}: invalid sidguard configuration: ");
        assert!(
            run.stderr().contains(&want) && run.stderr().contains(what),
            "{text}: want {want}{what}, got {}",
            run.stderr()
        );
        std::fs::remove_file(r.path().join(".sidguard.toml")).unwrap();

        // The same settings in pyproject.toml, three lines further down.
        let body = text.replace("[severity]", "[tool.sidguard.severity]");
        r.write(
            "pyproject.toml",
            format!("[project]\nname = \"x\"\n[tool.sidguard]\n{body}"),
        );
        let run = r.sidguard(&["scan"]);
        assert_eq!(run.code(), 2, "{body}");
        let want = format!(
            "pyproject.toml:{}:{col}: invalid sidguard configuration: ",
            line + 3
        );
        assert!(
            run.stderr().contains(&want) && run.stderr().contains(what),
            "{body}: want {want}{what}, got {}",
            run.stderr()
        );
        std::fs::remove_file(r.path().join("pyproject.toml")).unwrap();
    }
}

/// The README's `[tool.sidguard]` block pasted into `.sidguard.toml` works there; the
/// `.sidguard.toml` form pasted into `pyproject.toml` is an error that says where the keys go
/// (never silently ignored), and so is a mix of both forms.
#[test]
fn either_form_pasted_into_the_other_file_works_or_says_which_form_it_takes() {
    let readme = "[tool.sidguard]\nidentity-keys = [\"member_no\"]\ndisable = [\"SID001\"]\n\n[tool.sidguard.severity]\nSID006 = \"error\"\n";
    let r = Repo::plain();
    r.write("app.py", vulnerable());
    r.write(".sidguard.toml", readme);
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 0, "SID001 is disabled: {}", run.stderr());
    let shown = r.sidguard(&["config"]).stdout();
    assert!(
        shown.contains("disable = [\"SID001\"]") && shown.contains("SID006 = \"error\""),
        "{shown}"
    );

    // Both forms at once, or another tool's table: which form the file takes.
    r.write(".sidguard.toml", format!("exclude = []\n{readme}"));
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains(".sidguard.toml:2:2: invalid sidguard configuration: `tool`: .sidguard.toml takes sidguard's settings at the top level"),
        "{}",
        run.stderr()
    );
    std::fs::remove_file(r.path().join(".sidguard.toml")).unwrap();

    // .sidguard.toml's form pasted at the end of a pyproject.toml: the keys land in the table
    // above them, the `[severity]` table at the top level.
    let plain = "identity-keys = [\"member_no\"]\ndisable = [\"SID001\"]\n\n[severity]\nSID006 = \"error\"\n";
    r.write(
        "pyproject.toml",
        format!("[project]\nname = \"x\"\n\n[tool.black]\nline-length = 100\n{plain}"),
    );
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 2, "never ignored silently");
    assert!(
        run.stderr().contains("pyproject.toml:6:1: invalid sidguard configuration: `identity-keys` is in `[tool.black]`; in pyproject.toml sidguard's settings go in a `[tool.sidguard]` table"),
        "{}",
        run.stderr()
    );
    r.write(
        "pyproject.toml",
        format!("{plain}\n[project]\nname = \"x\"\n"),
    );
    let run = r.sidguard(&["scan"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr()
            .contains("pyproject.toml:1:1: invalid sidguard configuration: `identity-keys` is at the top level;"),
        "{}",
        run.stderr()
    );
    // The commit hook reads the index's pyproject.toml the same way.
    let g = Repo::new();
    g.write("app.py", vulnerable());
    g.write(
        "pyproject.toml",
        format!("[project]\nname = \"x\"\n\n[tool.black]\nline-length = 100\n{plain}"),
    );
    g.git(&["add", "-A"]);
    let run = g.sidguard(&["staged"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("pyproject.toml:6:1: invalid sidguard configuration"),
        "{}",
        run.stderr()
    );
}
