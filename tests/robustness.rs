//! sidguard runs on untrusted content (a pre-receive hook sees whatever anyone pushes, a PR
//! bot sees strangers' code). Hostile and odd inputs, each with the real binary: no crash, no
//! hang, no silent pass, nothing that steers the tool or the reader's terminal.

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

fn vulnerable() -> String {
    format!("{FLASK_HEADER}{}", flask_login("login", false))
}

/// (rule, line) of each finding.
fn rules_and_lines(run: &common::Run) -> Vec<(String, u64)> {
    run.findings()
        .into_iter()
        .map(|(rule, _, line, _)| (rule, line))
        .collect()
}

fn skipped_reasons(run: &common::Run) -> Vec<String> {
    run.json()["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Files

#[test]
fn odd_encodings_and_line_ends_still_find_the_login() {
    let r = Repo::plain();
    let body = "def login():\n    if check_password_hash(h, p):\n        session['user_id'] = 1\n";
    let plain = format!("from flask import session\n{body}");
    // (file name, bytes, expected line of the identity write)
    let cases: Vec<(&str, Vec<u8>, u64)> = vec![
        ("plain.py", plain.clone().into_bytes(), 4),
        ("bom.py", [b"\xef\xbb\xbf".as_slice(), plain.as_bytes()].concat(), 4),
        ("crlf.py", plain.replace('\n', "\r\n").into_bytes(), 4),
        ("cr.py", plain.replace('\n', "\r").into_bytes(), 4),
        (
            "latin1.py",
            [b"# caf\xe9 \xff\xfe\n".as_slice(), plain.as_bytes()].concat(),
            5,
        ),
        (
            "tabs.py",
            "from flask import session\ndef login():\n\tif check_password_hash(h, p):\n\t\tsession['user_id'] = 1\n        \treturn 1\n"
                .as_bytes()
                .to_vec(),
            4,
        ),
        (
            "formfeed.py",
            format!("from flask import session\n\x0c\n\x0c{body}").into_bytes(),
            5,
        ),
        (
            "python2.py",
            "from flask import session\ndef login():\n    print 'hello'\n    if check_password_hash(h, p):\n        session['user_id'] = 1\n    exec 'x = 1'\n"
                .as_bytes()
                .to_vec(),
            5,
        ),
    ];
    for (name, bytes, line) in &cases {
        r.write(name, bytes);
        let run = r.sidguard(&["scan", name, "--format", "json"]);
        assert_eq!(run.code(), 1, "{name}: {}", run.stderr());
        assert_eq!(
            rules_and_lines(&run),
            vec![("SID001".to_string(), *line)],
            "{name}"
        );
        // The text report shows the line without a stray CR.
        let text = r.sidguard(&["scan", name, "--color", "never"]).stdout();
        assert!(!text.contains('\r'), "{name}: {text:?}");
    }
}

#[test]
fn empty_nul_and_invalid_files_are_reported_not_silently_passed() {
    let r = Repo::plain();
    r.write("empty.py", "");
    let run = r.sidguard(&["scan", "empty.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.findings().is_empty());
    assert_eq!(run.json()["summary"]["files"], 1);

    r.write(
        "nul.py",
        b"from flask import session\n\x00def login():\n    session['user_id'] = 1\n",
    );
    let run = r.sidguard(&["scan", "nul.py", "--format", "json"]);
    assert_eq!(run.code(), 0);
    assert!(skipped_reasons(&run)[0].contains("a NUL byte"));
    let strict = r.sidguard(&["scan", "nul.py", "--strict"]);
    assert_eq!(strict.code(), 1, "--strict: a skip is a failure");

    // Broken Python: the parser recovers, the login is still found.
    r.write(
        "broken.py",
        format!("{}\ndef oops(:\n    ][\n", vulnerable()),
    );
    let run = r.sidguard(&["scan", "broken.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(rules_and_lines(&run), vec![("SID001".to_string(), 10)]);
}

#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let r = Repo::plain();
    let n = 10_000;
    let shapes = [
        ("parens", format!("{}1{}", "(".repeat(n), ")".repeat(n))),
        ("lists", format!("{}{}", "[".repeat(n), "]".repeat(n))),
        ("calls", format!("{}1{}", "f(".repeat(n), ")".repeat(n))),
        ("unary", format!("{}1", "not ".repeat(n))),
        ("lambdas", format!("{}1", "lambda: ".repeat(n))),
        ("attributes", format!("a{}", ".b".repeat(n))),
        ("subscripts", format!("a{}", "[0]".repeat(n))),
        ("binops", format!("1{}", " + 1".repeat(10 * n))),
        ("dicts", format!("{}{}", "{1: ".repeat(n), "}".repeat(n))),
    ];
    for (name, expr) in &shapes {
        let src = format!(
            "{FLASK_HEADER}def login():\n    x = {expr}\n    if check_password_hash(u.h, request.form['p']):\n        session[{expr}] = 1\n        session['user_id'] = u.id\n"
        );
        r.write(&format!("{name}.py"), &src);
        let run = r.sidguard(&["scan", &format!("{name}.py"), "--format", "json"]);
        assert!(
            run.code() == 0 || run.code() == 1,
            "{name}: exit {} {}",
            run.code(),
            run.stderr()
        );
        assert!(
            run.json()["summary"]["files"] == 1,
            "{name}: {}",
            run.stdout()
        );
        // Either the login is found, or the file says why it was not fully analysed.
        let found = run.findings().iter().any(|f| f.0 == "SID001");
        let partly = skipped_reasons(&run).iter().any(|s| s.contains("nested"));
        assert!(found || partly, "{name}: {}", run.stdout());
    }
}

#[test]
fn a_huge_single_line_file_is_skipped_by_the_limit_and_analysed_when_allowed() {
    let r = Repo::plain();
    let line = format!(
        "from flask import session\nX = '{}'\n",
        "a".repeat(50 << 20)
    );
    r.write("huge.py", &line);
    let run = r.sidguard(&["scan", "huge.py", "--format", "json"]);
    assert_eq!(run.code(), 0);
    let reasons = skipped_reasons(&run);
    assert!(reasons[0].contains("larger than the limit"), "{reasons:?}");
    assert_eq!(r.sidguard(&["scan", "huge.py", "--strict"]).code(), 1);
    r.write(".sidguard.toml", "max-file-bytes = 104857600\n");
    let run = r.sidguard(&["scan", "huge.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(skipped_reasons(&run).is_empty(), "{}", run.stdout());
}

#[test]
fn a_hundred_thousand_functions_in_one_file() {
    let r = Repo::plain();
    let mut src = String::from(FLASK_HEADER);
    for i in 0..100_000 {
        src.push_str(&format!("def f{i}(x):\n    return x + {i}\n"));
    }
    // One vulnerable login at the very end.
    src.push_str(&flask_login("login", false));
    let line = src.lines().count() as u64 - 1;
    r.write("many.py", &src);
    let run = r.sidguard(&["scan", "many.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(rules_and_lines(&run), vec![("SID001".to_string(), line)]);
}

#[test]
fn the_time_budget_skips_a_slow_file_and_strict_fails() {
    let r = Repo::plain();
    let mut src = String::from(FLASK_HEADER);
    for i in 0..5_000 {
        src.push_str(&format!(
            "def f{i}():\n    if check_password_hash(h, p):\n        session.clear()\n        session['user_id'] = {}\n",
            i + 1
        ));
    }
    r.write("slow.py", &src);
    r.write(".sidguard.toml", "file-time-budget-ms = 1\n");
    let run = r.sidguard(&["scan", "slow.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        skipped_reasons(&run)[0].contains("per-file time budget (1 ms"),
        "{}",
        run.stdout()
    );
    assert_eq!(r.sidguard(&["scan", "slow.py", "--strict"]).code(), 1);
    r.write(".sidguard.toml", "file-time-budget-ms = 0\n");
    let run = r.sidguard(&["scan", "slow.py"]);
    assert_eq!(run.code(), 2);
    assert!(run
        .stderr()
        .contains("`file-time-budget-ms` must be at least 1"));
    r.write(".sidguard.toml", "max-file-bytes = \"big\"\n");
    let run = r.sidguard(&["scan", "slow.py"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains(".sidguard.toml"), "{}", run.stderr());
}

// ---------------------------------------------------------------------------------------
// Names, literals and safe output

/// A file name, a string literal and a session key full of terminal control sequences.
#[test]
fn control_sequences_in_names_and_literals_cannot_reach_the_terminal() {
    let r = Repo::new();
    let name = "evil\u{1b}[2J\u{1b}]0;title\u{7}\nerror[SID001]: forged \"q\" 'x' \u{e9}.py";
    let src = format!(
        "{FLASK_HEADER}def login():\n    \"\"\"\u{1b}[31mred\u{1b}[0m\"\"\"\n    if check_password_hash(u.h, request.form[\"p\"]):\n        session[\"user_id\u{1b}[2K\u{202e}\"] = u.id\n"
    );
    r.write(name, &src);
    r.git(&["add", "-A"]);
    for format in ["text", "json", "sarif", "github", "gitlab", "rdjson"] {
        let run = r.sidguard(&["staged", "--format", format, "--color", "never"]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        let out = run.stdout();
        assert!(!out.contains('\u{1b}'), "{format}: ESC in {out:?}");
        assert!(!out.contains('\u{7}'), "{format}: BEL in output");
        assert!(
            !out.contains('\u{202e}'),
            "{format}: bidi control in output"
        );
        match format {
            "text" => {
                // The file name's newline does not start a forged report line.
                let forged = out.lines().filter(|l| l.starts_with("error[")).count();
                assert_eq!(forged, 1, "{out}");
            }
            "github" => {
                assert_eq!(out.lines().count(), 1, "{out}");
                assert!(out.contains("%0Aerror[SID001]%3A forged"), "{out}");
            }
            _ => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let s = v.to_string();
                assert!(s.contains("\\u001b") || s.contains("evil"), "{format}");
            }
        }
    }
}

#[test]
fn unusual_but_legal_names_are_checked_like_any_other() {
    let r = Repo::new();
    for name in [
        "with space.py",
        "quote\"s.py",
        "ünïcödé/日本語.py",
        "-h.py",
        "--strict.py",
    ] {
        r.write(name, vulnerable());
    }
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let mut paths: Vec<String> = run.findings().into_iter().map(|f| f.1).collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "--strict.py",
            "-h.py",
            "quote\"s.py",
            "with space.py",
            "ünïcödé/日本語.py"
        ]
    );
    // The Python function name may be non-ASCII too.
    let r = Repo::plain();
    r.write(
        "u.py",
        format!("{FLASK_HEADER}{}", flask_login("connexion_réussie", false)),
    );
    let run = r.sidguard(&["scan", "u.py", "--format", "json"]);
    assert_eq!(run.json()["findings"][0]["function"], "connexion_réussie");
}

// ---------------------------------------------------------------------------------------
// Repositories

#[test]
fn shallow_clones_detached_heads_and_unborn_branches() {
    let r = Repo::new();
    r.write("a.py", "x = 1\n");
    r.commit_all("one");
    r.write("b.py", "y = 2\n");
    r.commit_all("two");
    let home = r.home();
    let outer = tempfile::tempdir().unwrap();
    let shallow = outer.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    common::git_at(
        outer.path(),
        &home,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    std::fs::write(shallow.join("app.py"), vulnerable()).unwrap();
    common::git_at(&shallow, &home, &["add", "app.py"]);
    let run = common::sidguard_at(&shallow, &home, &["staged", "--format", "json"], &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    // The parent is not in the shallow clone: a clear error, not a clean result.
    let run = common::sidguard_at(&shallow, &home, &["diff", "HEAD~1"], &[]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("HEAD~1"), "{}", run.stderr());

    // Detached HEAD.
    r.git(&["checkout", "-q", "--detach"]);
    r.write("app.py", vulnerable());
    r.commit_all("detached login");
    let run = r.sidguard(&["diff", "main", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    r.write("c.py", vulnerable());
    r.git(&["add", "c.py"]);
    assert_eq!(r.sidguard(&["staged"]).code(), 1);

    // An unborn branch (orphan): staged is checked against the empty tree.
    r.git(&["checkout", "-q", "--orphan", "fresh"]);
    r.git(&["rm", "-rq", "--cached", "."]);
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let run = r.sidguard(&["diff", "fresh"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("unknown revision `fresh`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn symlinks_are_never_followed_out_of_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("evil.py"), vulnerable()).unwrap();
    let r = Repo::new();
    r.write("ok.py", "x = 1\n");
    std::os::unix::fs::symlink(outside.path().join("evil.py"), r.path().join("link.py")).unwrap();
    std::os::unix::fs::symlink(outside.path(), r.path().join("linkdir")).unwrap();
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.findings().is_empty(), "{}", run.stdout());
    let run = r.sidguard(&["scan", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.findings().is_empty(), "{}", run.stdout());
    let run = r.sidguard(&["scan", "link.py", "--format", "json"]);
    assert_eq!(run.code(), 0);
    assert!(skipped_reasons(&run)[0].contains("symbolic links are not followed"));
}

#[test]
fn submodules_worktrees_sparse_checkouts_and_bare_repositories() {
    // A submodule whose content is vulnerable: the superproject's check does not read it.
    let sub = Repo::new();
    sub.write("evil.py", vulnerable());
    sub.commit_all("sub");
    let r = Repo::new();
    r.write("ok.py", "x = 1\n");
    r.commit_all("base");
    let url = format!("file://{}", sub.path().display());
    r.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &url,
        "vendor/sub",
    ]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.findings().is_empty());
    r.commit_all("add submodule");

    // A linked worktree.
    let outer = tempfile::tempdir().unwrap();
    let wt = outer.path().join("wt");
    r.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        wt.to_str().unwrap(),
    ]);
    let home = r.home();
    std::fs::write(wt.join("app.py"), vulnerable()).unwrap();
    common::git_at(&wt, &home, &["add", "app.py"]);
    let run = common::sidguard_at(&wt, &home, &["staged", "--format", "json"], &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(run.findings()[0].1, "app.py");
    common::git_at(&wt, &home, &["commit", "-q", "-m", "login"]);
    let run = common::sidguard_at(&wt, &home, &["diff", "main", "--format", "json"], &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());

    // A sparse checkout: files outside the cone are still in the index and the commits.
    r.write("keep/a.py", "x = 1\n");
    r.write("away/b.py", "y = 1\n");
    r.commit_all("two dirs");
    r.git(&["sparse-checkout", "set", "keep"]);
    assert!(!r.path().join("away/b.py").exists());
    r.write("keep/login.py", vulnerable());
    r.git(&["add", "keep/login.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let run = r.sidguard(&["diff", "feature", "main"]);
    assert!(run.code() == 0 || run.code() == 1, "{}", run.stderr());

    // A bare repository: revisions work, the index does not exist.
    let bare = outer.path().join("bare.git");
    common::git_at(
        outer.path(),
        &home,
        &[
            "clone",
            "-q",
            "--bare",
            r.path().to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let run = common::sidguard_at(
        &bare,
        &home,
        &["diff", "main", "feature", "--format", "json"],
        &[],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let run = common::sidguard_at(&bare, &home, &["staged"], &[]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("bare"), "{}", run.stderr());
}

#[test]
fn a_missing_object_is_an_error_naming_it_never_a_clean_result() {
    let r = Repo::new();
    r.write("a.py", "x = 1\n");
    r.commit_all("base");
    r.write("app.py", vulnerable());
    r.commit_all("login");
    let blob = r.git(&["rev-parse", "HEAD:app.py"]).trim().to_string();
    let object = r
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).unwrap();
    let run = r.sidguard(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(run.code(), 2, "{}", run.stdout());
    assert!(run.stderr().contains(&blob), "{}", run.stderr());
    assert!(run.stderr().contains("app.py"), "{}", run.stderr());
    assert!(
        run.stdout().is_empty(),
        "no partial report: {}",
        run.stdout()
    );

    // A corrupt object (garbage in place of the zlib stream): the same.
    std::fs::write(&object, b"not a git object").unwrap();
    let run = r.sidguard(&["diff", "HEAD~1"]);
    assert_eq!(run.code(), 2, "{}", run.stdout());
    assert!(run.stderr().contains(&blob), "{}", run.stderr());
}

// ---------------------------------------------------------------------------------------
// Security properties

/// Nothing in the repository is executed, imported or evaluated: files that would leave a
/// marker if Python ran them (setup.py, conftest.py, sitecustomize.py, a .pth, __init__.py,
/// a config file with a command) leave none.
#[test]
fn code_in_the_repository_is_never_executed() {
    let r = Repo::new();
    let marker = r.path().join("PWNED");
    let payload = format!("open({:?}, 'w').write('ran')\n", marker.to_str().unwrap());
    for name in [
        "setup.py",
        "conftest.py",
        "sitecustomize.py",
        "usercustomize.py",
        "pkg/__init__.py",
        "pkg/__main__.py",
        "evil.pth",
    ] {
        r.write(name, format!("import os\n{payload}{}", vulnerable()));
    }
    r.write(
        "pyproject.toml",
        format!(
            "[tool.sidguard]\nidentity-keys = [\"x\"]\n[tool.setuptools]\ncmd = '''{payload}'''\n"
        ),
    );
    r.git(&["add", "-A"]);
    for args in [
        vec!["staged"],
        vec!["scan", "."],
        vec!["scan", "--format", "sarif", "."],
    ] {
        let run = r.sidguard(&args);
        assert!(run.code() == 1, "{args:?}: {}", run.stderr());
    }
    r.commit_all("all");
    assert_eq!(r.sidguard(&["pr", "--base", "HEAD", "--dry-run"]).code(), 0);
    assert!(!marker.exists(), "repository code was executed");
}

/// A repository whose branch `f` adds a vulnerable login to `main`.
fn login_branch() -> Repo {
    let r = Repo::new();
    r.write("a.py", "x = 1\n");
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "f"]);
    r.write("app.py", vulnerable());
    r.commit_all("login");
    r
}

/// Only `pr` posting touches the network: every other command, and `pr --dry-run` even with
/// a token, makes no connection (a listener that counts connections stays at zero).
#[test]
fn no_command_but_posting_reaches_the_network() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let r = login_branch();
    r.write("b.py", vulnerable());
    r.git(&["add", "b.py"]);
    let env = [
        ("GITHUB_API_URL", url.as_str()),
        ("GITHUB_TOKEN", "ghs_notused_0123456789"),
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("HTTP_PROXY", url.as_str()),
        ("HTTPS_PROXY", url.as_str()),
        ("ALL_PROXY", url.as_str()),
    ];
    for args in [
        vec!["staged"],
        vec!["diff", "main"],
        vec!["scan", "."],
        vec!["scan", "--format", "sarif", "."],
        vec!["pr", "--base", "main", "--number", "3", "--dry-run"],
        vec!["rules"],
        vec!["config"],
    ] {
        let run = r.sidguard_env(".", &args, &env);
        assert!(
            run.code() == 0 || run.code() == 1,
            "{args:?}: {}",
            run.stderr()
        );
        assert!(!run.stdout().contains("ghs_notused"), "{args:?}");
        assert!(!run.stderr().contains("ghs_notused"), "{args:?}");
    }
    assert!(
        listener.accept().is_err(),
        "a command other than posting connected to the network"
    );
}

/// A token in a failing connection's URL or GitHub's error text never reaches the output.
#[test]
fn tokens_never_appear_in_errors() {
    let token = "ghp_SECRETSECRET0123456789";
    let r = login_branch();
    // Nothing listens on this port: a connection error, retried, then exit 2.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://x-access-token:{token}@127.0.0.1:{closed}");
    let run = r.sidguard_env(
        ".",
        &["pr", "--base", "main", "--number", "3"],
        &[
            ("GITHUB_API_URL", url.as_str()),
            ("GITHUB_TOKEN", token),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("SIDGUARD_HTTP_BACKOFF_MS", "1"),
        ],
    );
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(!run.stdout().contains("SECRETSECRET"), "{}", run.stdout());
    assert!(!run.stderr().contains("SECRETSECRET"), "{}", run.stderr());
}

#[test]
fn malformed_configuration_is_an_error_with_its_location() {
    let r = Repo::plain();
    r.write("app.py", vulnerable());
    for (name, text) in [
        (".sidguard.toml", "disable = [\"SID001\"\n"),
        (".sidguard.toml", "max-file-bytes = -1\n"),
        (".sidguard.toml", "[severity]\nSID001 = 3\n"),
        (".sidguard.toml", "\u{0}\u{1b}[2J = 1\n"),
    ] {
        r.write(name, text);
        let run = r.sidguard(&["scan", "app.py"]);
        assert_eq!(run.code(), 2, "{text:?}: {}", run.stderr());
        assert!(run.stderr().contains(".sidguard.toml:"), "{}", run.stderr());
        assert!(!run.stderr().contains('\u{1b}'), "{:?}", run.stderr());
        assert_eq!(run.stderr().lines().count(), 1, "{}", run.stderr());
    }
}
