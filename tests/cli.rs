//! CLI tests: real git repositories built in code, the real binary, exit codes and output.

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

fn vulnerable_app() -> String {
    format!("{FLASK_HEADER}{}", flask_login("login", false))
}

fn safe_app() -> String {
    format!("{FLASK_HEADER}{}", flask_login("login", true))
}

#[test]
fn first_commit_is_checked_against_the_empty_tree() {
    let r = Repo::new();
    r.write("app.py", vulnerable_app());
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 10, true)]
    );
}

#[test]
fn safe_first_commit_passes() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged"]);
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    assert!(
        run.stdout()
            .contains("no findings in 1 file, 1 function checked"),
        "{}",
        run.stdout()
    );
}

#[test]
fn deleting_the_clear_rechecks_the_function() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("safe");
    // A deletion-only hunk: the `session.clear()` line goes.
    r.write("app.py", vulnerable_app());
    r.git(&["add", "app.py"]);
    let diff = r.git(&["diff", "--cached", "-U0"]);
    assert!(
        diff.contains("@@ -10 +9,0 @@"),
        "a deletion-only hunk: {diff}"
    );
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 10, true)]
    );
}

#[test]
fn change_outside_the_vulnerable_function_does_not_report_it() {
    let r = Repo::new();
    let other = "def helper():\n    return 1\n";
    r.write("app.py", format!("{}\n\n{other}", vulnerable_app()));
    r.commit_all("pre-existing finding");
    r.write(
        "app.py",
        format!("{}\n\n{}", vulnerable_app(), other.replace("1", "2")),
    );
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(
        run.findings().is_empty(),
        "only `helper` changed: {}",
        run.stdout()
    );
    assert_eq!(run.json()["summary"]["functions"], 1);
}

#[test]
fn pre_existing_finding_in_a_touched_function_warns_unless_strict() {
    let r = Repo::new();
    r.write("app.py", vulnerable_app());
    r.commit_all("pre-existing finding");
    r.write(
        "app.py",
        vulnerable_app().replace(
            "    return redirect(\"/\")",
            "    # go home\n    return redirect(\"/\")",
        ),
    );
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "a pre-existing finding does not block");
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 10, false)]
    );
    assert_eq!(run.json()["findings"][0]["severity"], "warning");
    let text = r.sidguard(&["staged", "--color", "never"]);
    assert!(
        text.stdout().starts_with("warning[SID001]"),
        "{}",
        text.stdout()
    );
    let strict = r.sidguard(&["staged", "--strict", "--format", "json"]);
    assert_eq!(strict.code(), 1, "--strict blocks on it");
    assert_eq!(
        strict.findings(),
        vec![("SID001".into(), "app.py".into(), 10, true)]
    );
}

#[test]
fn staged_content_counts_not_the_working_tree() {
    let r = Repo::new();
    r.write("app.py", "x = 1\n");
    r.commit_all("init");
    // Staged: vulnerable. Working tree: reverted to safe (gitleaks#585).
    r.write("app.py", vulnerable_app());
    r.git(&["add", "app.py"]);
    r.write("app.py", safe_app());
    assert_eq!(r.sidguard(&["staged"]).code(), 1);
    // Staged: safe. Working tree: vulnerable, not staged.
    r.write("app.py", safe_app());
    r.git(&["add", "app.py"]);
    r.write("app.py", vulnerable_app());
    assert_eq!(r.sidguard(&["staged"]).code(), 0);
}

#[test]
fn a_pure_rename_is_not_a_change() {
    let r = Repo::new();
    r.write("app.py", vulnerable_app());
    r.commit_all("init");
    r.git(&["mv", "app.py", "login.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(
        run.stderr()
            .contains("no staged Python changes; nothing to check"),
        "{}",
        run.stderr()
    );
}

#[test]
fn path_filter_restricts_the_scan() {
    let r = Repo::new();
    r.write("a.py", vulnerable_app());
    r.write("pkg/b.py", vulnerable_app());
    r.git(&["add", "-A"]);
    let all = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(all.findings().len(), 2);
    let one = r.sidguard(&["staged", "--format", "json", "pkg/b.py"]);
    assert_eq!(
        one.findings(),
        vec![("SID001".into(), "pkg/b.py".into(), 10, true)]
    );
    // Relative to the current directory when run from a subdirectory.
    let sub = r.sidguard_in("pkg", &["staged", "--format", "json", "b.py"]);
    assert_eq!(
        sub.findings(),
        vec![("SID001".into(), "pkg/b.py".into(), 10, true)]
    );
    // A path that names nothing is an error, not a silent pass (see below).
    let none = r.sidguard(&["staged", "other.py"]);
    assert_eq!(none.code(), 2);
}

#[test]
fn a_syntax_error_elsewhere_does_not_hide_the_finding() {
    let r = Repo::new();
    let broken = "def broken(:\n    return (\n\n";
    r.write("app.py", format!("{}\n\n{broken}", safe_app()));
    r.commit_all("init");
    r.write("app.py", format!("{}\n\n{broken}", vulnerable_app()));
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 10, true)]
    );
}

#[test]
fn invalid_utf8_is_decoded_lossily() {
    let r = Repo::new();
    let mut bytes = b"# caf\xe9 latin-1 comment \xff\xfe\n".to_vec();
    bytes.extend_from_slice(vulnerable_app().as_bytes());
    r.write("app.py", &bytes);
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 11, true)]
    );
}

#[test]
fn diff_ignores_what_base_did_after_the_fork() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("feature.py", vulnerable_app());
    r.commit_all("feature adds a vulnerable login");
    r.git(&["checkout", "-q", "main"]);
    r.write("mainline.py", vulnerable_app());
    r.commit_all("main adds another after the fork");
    let run = r.sidguard(&["diff", "main", "feature", "--format", "json"]);
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "feature.py".into(), 10, true)]
    );
    // HEAD defaults to HEAD: on main, main...main changes nothing.
    let same = r.sidguard(&["diff", "main"]);
    assert_eq!(same.code(), 0);
    assert!(
        same.stderr().contains("nothing to check"),
        "{}",
        same.stderr()
    );
}

#[test]
fn enabling_a_server_side_backend_blocks_a_login_that_only_clears() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("cookie sessions: clear() is the fix");
    // The change turns on Flask-Session: clear() keeps the session ID there.
    r.write(
        "extensions.py",
        "from flask_session import Session\n\nsess = Session()\n",
    );
    r.write(
        "app.py",
        safe_app().replace(
            "app = Flask(__name__)\n",
            "app = Flask(__name__)\napp.config[\"SESSION_TYPE\"] = \"redis\"\n",
        ),
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let f = &run.json()["findings"][0];
    assert_eq!(f["storage"], "server-strict");
    assert!(f["remediation"]["patch"]
        .as_str()
        .unwrap()
        .contains("+        app.session_interface.regenerate(session)"));
}

#[test]
fn nothing_staged_says_so() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("init");
    let run = r.sidguard(&["staged"]);
    assert_eq!(run.code(), 0);
    assert_eq!(
        run.stderr().trim(),
        "sidguard: nothing is staged; nothing to check"
    );
    r.write("README.md", "docs\n");
    r.git(&["add", "README.md"]);
    let run = r.sidguard(&["staged"]);
    assert_eq!(
        run.stderr().trim(),
        "sidguard: no staged Python changes; nothing to check"
    );
}

#[test]
fn errors_exit_2_with_one_line() {
    let plain = Repo::plain();
    let run = plain.sidguard(&["staged"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr()
            .starts_with("sidguard: error: not a git repository"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.stderr().lines().count(), 1);

    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("init");
    let run = r.sidguard(&["diff", "no-such-branch"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("unknown revision `no-such-branch`"),
        "{}",
        run.stderr()
    );

    let run = r.sidguard(&["scan", "missing-dir"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("missing-dir"), "{}", run.stderr());

    let run = r.sidguard(&["--bogus"]);
    assert_eq!(run.code(), 2);
    let run = r.sidguard(&["staged", "--format", "xml"]);
    assert_eq!(run.code(), 2);
    let run = r.sidguard(&["explain", "SID999"]);
    assert_eq!(run.code(), 2);
}

#[test]
fn json_follows_the_contract() {
    let r = Repo::new();
    r.write("app/auth.py", vulnerable_app());
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    let v = run.json();
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "SID001");
    assert_eq!(f["name"], "login-without-regeneration");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["blocking"], true);
    assert_eq!(f["path"], "app/auth.py");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(10), Some(9))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(10), Some(37))
    );
    assert_eq!(f["function"], "login");
    assert_eq!(f["evidence"][0]["line"], 9);
    assert_eq!(f["evidence"][0]["label"], "credentials verified here");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("session[\"user_id\"]"));
    assert!(f["remediation"]["summary"]
        .as_str()
        .unwrap()
        .contains("session.clear()"));
    let patch = f["remediation"]["patch"].as_str().unwrap();
    assert!(
        patch.starts_with("--- a/app/auth.py\n+++ b/app/auth.py\n@@ -7,"),
        "{patch}"
    );
    assert!(patch.contains("\n+        session.clear()\n"), "{patch}");
    assert_eq!(
        v["summary"],
        serde_json::json!({"files": 1, "functions": 1, "blocking": 1, "warnings": 0, "baselined": 0})
    );
}

#[test]
fn the_plain_hook_blocks_git_commit_a_through_the_temporary_index() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("init");
    let path = common::path_with_bin();
    let mut install = std::process::Command::new(common::bin());
    install.arg("install").current_dir(r.path());
    common::git_env(&mut install, &r.home());
    assert!(install.output().unwrap().status.success());
    // `git commit -a` stages into a temporary index that only GIT_INDEX_FILE reveals.
    r.write("app.py", vulnerable_app());
    let mut commit = std::process::Command::new("git");
    commit
        .args(["commit", "-a", "-m", "vulnerable"])
        .current_dir(r.path())
        .env("PATH", &path);
    common::git_env(&mut commit, &r.home());
    let out = commit.output().unwrap();
    assert!(!out.status.success(), "the commit must be blocked");
    // git connects a pre-commit hook's stdout to its stderr.
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(shown.contains("error[SID001]"), "{shown}");
    assert!(
        shown
            .trim_end()
            .ends_with("to commit once without this check: `git commit --no-verify`"),
        "the way out is the last line: {shown}"
    );
    assert_eq!(r.git(&["log", "--oneline"]).lines().count(), 1);
    // The same with `git commit PATH`.
    let mut commit = std::process::Command::new("git");
    commit
        .args(["commit", "app.py", "-m", "vulnerable"])
        .current_dir(r.path())
        .env("PATH", &path);
    common::git_env(&mut commit, &r.home());
    assert!(!commit.output().unwrap().status.success());
    // A safe change goes through.
    r.write("app.py", format!("{}\n# more\n", safe_app()));
    let mut commit = std::process::Command::new("git");
    commit
        .args(["commit", "-a", "-m", "safe"])
        .current_dir(r.path())
        .env("PATH", &path);
    common::git_env(&mut commit, &r.home());
    assert!(commit.output().unwrap().status.success());
}

#[test]
fn scan_walks_directories_respecting_gitignore_and_shebangs() {
    let r = Repo::plain();
    r.write("src/app.py", vulnerable_app());
    r.write(
        "src/manage",
        format!("#!/usr/bin/env python3\n{}", vulnerable_app()),
    );
    r.write("src/notes.txt", vulnerable_app());
    r.write("build/gen.py", vulnerable_app());
    r.write(".gitignore", "build/\n");
    let run = r.sidguard(&["scan", "--format", "json"]);
    assert_eq!(run.code(), 1);
    let paths: Vec<String> = run.findings().into_iter().map(|f| f.1).collect();
    assert_eq!(
        paths,
        vec!["src/app.py".to_string(), "src/manage".to_string()]
    );
}

#[test]
fn colour_follows_the_flags_and_environment() {
    let r = Repo::plain();
    r.write("app.py", vulnerable_app());
    let plain = r.sidguard(&["scan", "app.py"]);
    assert!(
        !plain.stdout().contains('\x1b'),
        "not a terminal: no colour"
    );
    let always = r.sidguard(&["scan", "app.py", "--color", "always"]);
    assert!(always.stdout().contains("\x1b["));
    let mut cmd = std::process::Command::new(common::bin());
    cmd.args(["scan", "app.py"])
        .current_dir(r.path())
        .env("PRE_COMMIT_COLOR", "always");
    assert!(String::from_utf8_lossy(&cmd.output().unwrap().stdout).contains("\x1b["));
    let mut cmd = std::process::Command::new(common::bin());
    cmd.args(["scan", "app.py"])
        .current_dir(r.path())
        .env("PRE_COMMIT_COLOR", "always")
        .env("NO_COLOR", "1");
    assert!(!String::from_utf8_lossy(&cmd.output().unwrap().stdout).contains('\x1b'));
}

#[test]
fn rules_and_explain() {
    let r = Repo::plain();
    let rules = r.sidguard(&["rules"]);
    assert_eq!(rules.code(), 0);
    assert!(rules
        .stdout()
        .contains("SID001  login-without-regeneration"));
    let explain = r.sidguard(&["explain", "sid001"]);
    assert_eq!(explain.code(), 0);
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## References",
    ] {
        assert!(explain.stdout().contains(section), "missing {section}");
    }
}

/// tree-sitter-python aborts the process (a C assertion) on ~500 nested indentation levels:
/// such a file is reported as skipped, and --strict makes that a failure.
#[test]
fn hostile_nesting_is_skipped_not_a_crash() {
    let r = Repo::plain();
    let n = 10_000;
    // One space a level: still 50 MB, over the default `max-file-bytes` (reported, unread).
    let mut blocks = String::from("from flask import session\n\ndef g():\n");
    for i in 0..n {
        blocks.push_str(&format!("{}if x:\n", " ".repeat(i + 1)));
    }
    blocks.push_str(&format!("{}session['user_id'] = 1\n", " ".repeat(n + 1)));
    r.write("blocks.py", &blocks);
    let run = r.sidguard(&["scan", "blocks.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let reason = run.json()["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.starts_with("larger than the limit (50"), "{reason}");
    // With the limit raised, the parser is protected by the nesting check.
    r.write(".sidguard.toml", "max-file-bytes = 67108864\n");
    let run = r.sidguard(&["scan", "blocks.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let v = run.json();
    assert_eq!(v["skipped"][0]["path"], "blocks.py");
    assert!(v["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("nested more than"));
    let strict = r.sidguard(&["scan", "blocks.py", "--strict"]);
    assert_eq!(strict.code(), 1, "--strict turns a skip into a failure");
    assert!(
        strict.stdout().contains("(1 skipped)"),
        "{}",
        strict.stdout()
    );

    // Deep expressions parse; the walk is bounded, and the finding is still made.
    let exprs = format!(
        "{FLASK_HEADER}def f():\n    if check_password(p):\n        x = {}1{}\n        {}session{}['user_id'] = 1\n",
        "(".repeat(n),
        ")".repeat(n),
        "(".repeat(n),
        ")".repeat(n)
    );
    r.write("exprs.py", &exprs);
    let run = r.sidguard(&["scan", "exprs.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "exprs.py".into(), 10, true)]
    );
    // What lies past the walk's depth bound is reported, not silently passed.
    let v = run.json();
    let reason = v["skipped"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("partly analysed: code nested more than 200 levels"),
        "{}",
        run.stdout()
    );
}

#[test]
fn staged_follows_pre_commit_push_range() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("safe");
    let from = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("app.py", vulnerable_app());
    r.commit_all("vulnerable");
    let to = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    let mut cmd = std::process::Command::new(common::bin());
    cmd.args(["staged", "--format", "json"])
        .current_dir(r.path());
    common::git_env(&mut cmd, &r.home());
    cmd.env("PRE_COMMIT_FROM_REF", &from)
        .env("PRE_COMMIT_TO_REF", &to);
    let run = common::Run(cmd.output().unwrap());
    assert_eq!(
        run.code(),
        1,
        "nothing is staged, but the pushed range is vulnerable: {}",
        run.stderr()
    );
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 10, true)]
    );
}

#[test]
fn staged_reads_helpers_in_other_modules_from_the_index() {
    let r = Repo::new();
    let utils_clears =
        "from flask import session\n\n\ndef rotate_session():\n    session.clear()\n";
    let utils_noop = "from flask import session\n\n\ndef rotate_session():\n    pass\n";
    let views = |comment: &str| {
        format!(
            "{FLASK_HEADER}from .utils import rotate_session\n\n\ndef login():\n    user = find_user(request.form[\"email\"])\n    if check_password_hash(user.pw_hash, request.form[\"password\"]):\n        rotate_session(){comment}\n        session[\"user_id\"] = user.id\n    return redirect(\"/\")\n"
        )
    };
    r.write("app/__init__.py", "");
    r.write("app/utils.py", utils_clears);
    r.write("app/views.py", views(""));
    r.commit_all("helpers");
    // The working tree's helper stops clearing, but that is not staged: the index counts.
    r.write("app/utils.py", utils_noop);
    r.write("app/views.py", views("  # rotate first"));
    r.git(&["add", "app/views.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(
        run.code(),
        0,
        "the staged helper still clears: {}",
        run.stdout()
    );
    // Staged, the helper's change makes the (touched) login vulnerable.
    r.git(&["add", "app/utils.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(run.findings()[0].1, "app/views.py");
}

/// Summaries of helpers (and of the version a change replaces) are kept in the git directory
/// by blob id; what else a summary depends on is in the key. Here a helper's call counts as a
/// rotation only under a setting: with the same blobs, the answer follows the setting, run
/// after run, and equals a run without the cache.
#[test]
fn cached_summaries_follow_the_settings() {
    let r = Repo::new();
    r.write("app/__init__.py", "");
    r.write(
        "app/utils.py",
        "from auth_lib import rotate\n\n\ndef rotate_session():\n    rotate()\n",
    );
    let views = |comment: &str| {
        format!("{FLASK_HEADER}from .utils import rotate_session\n\n\ndef login():\n    user = find_user(request.form[\"email\"])\n    if check_password_hash(user.pw_hash, request.form[\"password\"]):\n        rotate_session(){comment}\n        session[\"user_id\"] = user.id\n    return redirect(\"/\")\n")
    };
    r.write("app/views.py", views(""));
    r.commit_all("helpers");
    r.write("app/views.py", views("  # rotate first"));
    r.git(&["add", "app/views.py"]);
    let cache = r.path().join(".git/sidguard/summaries-v1");
    let config = "regeneration-functions = [\"auth_lib.rotate\"]\n";
    let unset = || {
        r.git(&["rm", "-q", "--cached", "--ignore-unmatch", ".sidguard.toml"]);
    };
    let set = || {
        r.write(".sidguard.toml", config);
        r.git(&["add", ".sidguard.toml"]);
    };
    for (round, (configured, expected)) in [(false, 1), (true, 0), (false, 1), (true, 0)]
        .into_iter()
        .enumerate()
    {
        if configured {
            set()
        } else {
            unset()
        }
        for cached in [true, false] {
            if !cached {
                std::fs::remove_file(&cache).expect("the first run kept summaries");
                let _ = std::fs::remove_file(r.path().join(".git/sidguard/summaries-v1.log"));
            }
            let run = r.sidguard(&["staged", "--format", "json"]);
            // (The finding was there before the change too: reported, not blocking.)
            assert_eq!(
                run.findings().len(),
                expected,
                "round {round}, setting {configured}, cache {cached}: {}",
                run.stdout()
            );
        }
        assert!(cache.exists(), "round {round}: summaries are kept");
    }
}

#[test]
fn changing_only_a_helper_rechecks_its_callers_in_other_modules() {
    let r = Repo::new();
    r.write("app/__init__.py", "");
    r.write("app/utils.py", "from flask import session\n\n\ndef rotate_session():\n    session.clear()\n\n\ndef unrelated():\n    return 1\n");
    r.write(
        "app/views.py",
        format!("{FLASK_HEADER}from .utils import rotate_session\n\n\ndef login():\n    user = find_user(request.form[\"email\"])\n    if check_password_hash(user.pw_hash, request.form[\"password\"]):\n        rotate_session()\n        session[\"user_id\"] = user.id\n    return redirect(\"/\")\n"),
    );
    r.commit_all("helpers");
    // A change that leaves the helper's behaviour alone re-checks nothing elsewhere.
    r.write("app/utils.py", "from flask import session\n\n\ndef rotate_session():\n    # drop planted content\n    session.clear()\n\n\ndef unrelated():\n    return 2\n");
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(
        (run.code(), run.json()["summary"]["files"].as_u64()),
        (0, Some(1)),
        "{}",
        run.stdout()
    );
    // Only the helper changes, and it no longer clears: the caller's login is now vulnerable.
    r.write("app/utils.py", "from flask import session\n\n\ndef rotate_session():\n    pass\n\n\ndef unrelated():\n    return 2\n");
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app/views.py".into(), 14, true)]
    );
}

/// A function defined in the module a knowledge table names is known by that name: allauth's
/// own `perform_login` ends in django.contrib.auth.login (research §9), even in allauth's source.
#[test]
fn module_own_functions_match_the_knowledge_tables() {
    let src = "from django.http import HttpResponse\n\n\n\
def record(request, user):\n    request.session['_account_user_id'] = str(user.pk)\n\n\n\
def perform_login(request, login):\n    return get_adapter().login(request, login.user)\n\n\n\
def perform_password_login(request, credentials, login):\n    user = authenticate(request, **credentials)\n    record(request, user)\n    return perform_login(request, login)\n";
    let r = Repo::plain();
    r.write("src/allauth/account/internal/flows/login.py", src);
    r.write("myapp/flows/login.py", src);
    let run = r.sidguard(&["scan", "--format", "json"]);
    let paths: Vec<String> = run.findings().into_iter().map(|f| f.1).collect();
    assert_eq!(
        paths,
        vec!["myapp/flows/login.py".to_string()],
        "{}",
        run.stdout()
    );
}

/// Runs `sidguard pre-receive` in `r` with `stdin`, returning (exit code, stdout).
fn pre_receive(r: &Repo, stdin: &str, format: &str) -> (i32, String) {
    let mut cmd = std::process::Command::new(common::bin());
    cmd.args(["pre-receive", "--format", format])
        .current_dir(r.path());
    common::git_env(&mut cmd, &r.home());
    let run = common::run_with_stdin(cmd, stdin);
    (run.code(), run.stdout())
}

/// Checks one report in `format` holds the one SID001 finding on app.py line 10.
fn assert_report(format: &str, out: &str) {
    match format {
        "sarif" => {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            assert_eq!(v["version"], "2.1.0");
            let results = v["runs"][0]["results"].as_array().unwrap();
            assert_eq!(results.len(), 1, "{out}");
            assert_eq!(results[0]["ruleId"], "SID001");
            let loc = &results[0]["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], "app.py");
            assert_eq!(loc["region"]["startLine"], 10);
            let fp = results[0]["partialFingerprints"]["sidguardFinding/v1"]
                .as_str()
                .unwrap();
            assert_eq!(fp.len(), 32);
            let fix = &results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0];
            assert_eq!(fix["deletedRegion"]["startLine"], 10);
            assert_eq!(fix["insertedContent"]["text"], "        session.clear()\n");
        }
        "github" => {
            assert!(out.starts_with("::error file=app.py,line=10,"), "{out}");
            assert_eq!(out.lines().count(), 1, "{out}");
        }
        "gitlab" => {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 1, "{out}");
            assert_eq!(v[0]["check_name"], "SID001");
            assert_eq!(v[0]["severity"], "critical");
            assert_eq!(v[0]["location"]["path"], "app.py");
            assert_eq!(v[0]["location"]["lines"]["begin"], 10);
        }
        "rdjson" => {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            let d = &v["diagnostics"][0];
            assert_eq!(d["code"]["value"], "SID001");
            assert_eq!(d["location"]["range"]["start"]["line"], 10);
            assert_eq!(
                d["suggestions"][0]["text"],
                "        session.clear()\n        session[\"user_id\"] = user.id\n"
            );
        }
        _ => unreachable!(),
    }
}

#[test]
fn every_command_speaks_every_format() {
    let r = Repo::new();
    r.write("README", "x\n");
    r.commit_all("base");
    let base = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("app.py", vulnerable_app());
    r.git(&["add", "app.py"]);
    for format in ["sarif", "github", "gitlab", "rdjson"] {
        let run = r.sidguard(&["staged", "--format", format]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        assert_report(format, &run.stdout());
        let run = r.sidguard(&["scan", "--format", format, "app.py"]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        assert_report(format, &run.stdout());
    }
    r.git(&["commit", "-q", "-m", "login"]);
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    for format in ["sarif", "github", "gitlab", "rdjson"] {
        let run = r.sidguard(&["diff", &base, "--format", format]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        assert_report(format, &run.stdout());
        let (code, out) = pre_receive(&r, &format!("{base} {head} refs/heads/main\n"), format);
        assert_eq!(code, 1, "{format}");
        assert_report(format, &out);
    }
    // Nothing to check still gives a valid, empty document.
    let run = r.sidguard(&["diff", "HEAD", "--format", "sarif"]);
    assert_eq!(run.code(), 0);
    let v = run.json();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 0);
    let run = r.sidguard(&["diff", "HEAD", "--format", "gitlab"]);
    assert_eq!(run.json(), serde_json::json!([]));
}

#[test]
fn test_code_is_checked_only_with_include_tests() {
    let r = Repo::plain();
    let login = "from flask import Flask, session\nfrom werkzeug.security import check_password_hash\n\napp = Flask(__name__)\n\n\ndef test_login(user):\n    if check_password_hash(user.pw_hash, 'pw'):\n        session['user_id'] = user.id\n";
    r.write("app/tests/test_login.py", login);
    r.write("app/conftest.py", login);
    let run = r.sidguard(&["scan", "app", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.json()["summary"]["files"], 0, "{}", run.stdout());
    // A file named on the command line is checked.
    let run = r.sidguard(&["scan", "app/conftest.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    r.write(".sidguard.toml", "include-tests = true\n");
    let run = r.sidguard(&["scan", "app", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert_eq!(run.findings().len(), 2, "{}", run.stdout());
}

#[test]
fn staged_test_code_is_not_checked() {
    let r = Repo::new();
    r.write(
        "tests/test_login.py",
        "from flask import session\nfrom werkzeug.security import check_password_hash\n\n\ndef test_login(user):\n    if check_password_hash(user.pw_hash, 'pw'):\n        session['user_id'] = user.id\n",
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
}

#[test]
fn staged_with_a_path_that_names_nothing_is_an_error() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("init");
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.git(&["add", "app.py"]);
    // A typo for app.py: an error (exit 2), never "nothing is staged".
    let run = r.sidguard(&["staged", "ap.py"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert_eq!(
        run.stderr().trim(),
        "sidguard: error: `ap.py` matches no file in the work tree or the index"
    );
    // The right path is checked; a path that exists but has nothing staged passes.
    let run = r.sidguard(&["staged", "app.py"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    r.write("docs/notes.txt", "x\n");
    let run = r.sidguard(&["staged", "docs"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    // Staged but deleted from the work tree still names a file (the index has it).
    std::fs::remove_file(r.path().join("app.py")).unwrap();
    let run = r.sidguard(&["staged", "app.py"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
}

#[test]
fn suppressions_take_rule_names_as_well_as_codes() {
    let r = Repo::plain();
    let login = flask_login("login", false).replace(
        "        session[\"user_id\"] = user.id\n",
        "        session[\"user_id\"] = user.id  # sidguard: ignore[login-without-regeneration] accepted: cookie session, nothing planted\n",
    );
    r.write("app.py", format!("{FLASK_HEADER}{login}"));
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(
        run.findings().len(),
        0,
        "no finding and no SID901: {}",
        run.stdout()
    );
}

/// `pre-commit run --all-files` passes every file and nothing is staged: each file given
/// that has no staged change is checked whole (a committed vulnerable login fails CI), while
/// a commit, where pre-commit passes only staged files, is still judged on its change.
#[test]
fn files_given_with_nothing_staged_are_checked_whole() {
    let r = Repo::new();
    let old_finding = format!(
        "{FLASK_HEADER}{}\n\ndef other():\n    return 1\n",
        flask_login("login", false)
    );
    r.write("app.py", &old_finding);
    r.write("clean.py", safe_app());
    r.write(
        "manage",
        format!("#!/usr/bin/env python3\n{}", vulnerable_app()),
    );
    r.write("blob.py", b"x = 1\0\n");
    r.commit_all("init");

    // Nothing staged and no files: says so and passes, as before.
    let run = r.sidguard(&["staged"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    // The files pre-commit passes under --all-files: every one is checked whole.
    let run = r.sidguard(&[
        "staged", "--format", "json", "app.py", "clean.py", "manage", "blob.py",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(
        run.findings(),
        vec![
            ("SID001".into(), "app.py".into(), 10, true),
            ("SID001".into(), "manage".into(), 11, true),
        ]
    );
    assert_eq!(
        run.json()["skipped"][0]["path"],
        "blob.py",
        "{}",
        run.stdout()
    );
    // The same through the command line pre-commit uses (no flags: the hook's fast path).
    let run = r.sidguard(&["staged", "app.py", "clean.py"]);
    assert_eq!(run.code(), 1);
    assert!(run.stdout().contains("error[SID001]"), "{}", run.stdout());

    // A commit that edits another function of app.py: pre-commit passes app.py, which is
    // staged, so only the change is judged and the old finding does not block.
    r.write("app.py", old_finding.replace("return 1", "return 2"));
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "app.py"]);
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    // Under --all-files with that change staged, the other files are still checked whole.
    let run = r.sidguard(&["staged", "--format", "json", "app.py", "clean.py", "manage"]);
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "manage".into(), 11, true)]
    );
}

/// Under pre-commit the files given are its selection, not a restriction: a change that
/// turns on a server-side backend re-checks the logins in files the commit did not touch.
#[test]
fn a_backend_switch_under_pre_commit_rechecks_untouched_files() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("cookie sessions: clear() is the fix");
    r.write(
        "extensions.py",
        "from flask import current_app\nfrom flask_session import Session\n\ncurrent_app.config[\"SESSION_TYPE\"] = \"redis\"\nsess = Session()\n",
    );
    r.git(&["add", "-A"]);
    let run = r.sidguard_env(
        ".",
        &["staged", "--format", "json", "extensions.py"],
        &[("PRE_COMMIT", "1")],
    );
    assert_eq!(
        run.findings(),
        vec![("SID001".into(), "app.py".into(), 11, true)],
        "{}",
        run.stderr()
    );
    // Typed by a user, the path restricts the check.
    let run = r.sidguard(&["staged", "--format", "json", "extensions.py"]);
    assert_eq!(run.findings(), vec![]);
}

/// Runs `git ARGS` in `r` with the built sidguard first on PATH (as a hook finds it).
fn git_with_sidguard(r: &Repo, args: &[&str]) -> (bool, String) {
    let path = common::path_with_bin();
    let mut cmd = std::process::Command::new("git");
    cmd.args(args).current_dir(r.path()).env("PATH", &path);
    common::git_env(&mut cmd, &r.home());
    let out = cmd.output().unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), shown)
}

fn executable(path: &std::path::Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// `install --force` keeps the hook that was there as `pre-commit.legacy`, and sidguard's
/// hook runs it first: it still runs on every commit, and when it fails the commit fails.
#[test]
fn install_keeps_a_foreign_hook_as_legacy_and_runs_it_first() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("init");
    let hooks = r.path().join(".git/hooks");
    let foreign = "#!/bin/sh\n# the team's own checks\necho ran >> legacy.log\nexit 0\n";
    executable(&hooks.join("pre-commit"), foreign);
    let run = r.sidguard(&["install"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr()
            .contains("--force to keep it as pre-commit.legacy"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        foreign
    );
    let run = r.sidguard(&["install", "--force"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains("pre-commit.legacy"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit.legacy")).unwrap(),
        foreign
    );
    assert!(std::fs::read_to_string(hooks.join("pre-commit"))
        .unwrap()
        .contains("sidguard staged"));

    // A vulnerable commit: the legacy hook ran, and sidguard blocked.
    r.write("app.py", vulnerable_app());
    let (ok, out) = git_with_sidguard(&r, &["commit", "-qam", "vulnerable"]);
    assert!(!ok && out.contains("error[SID001]"), "{out}");
    assert_eq!(
        std::fs::read_to_string(r.path().join("legacy.log")).unwrap(),
        "ran\n"
    );
    // A safe commit passes through both.
    r.write("app.py", format!("{}\n# more\n", safe_app()));
    let (ok, out) = git_with_sidguard(&r, &["commit", "-qam", "safe"]);
    assert!(ok, "{out}");
    assert_eq!(
        std::fs::read_to_string(r.path().join("legacy.log")).unwrap(),
        "ran\nran\n"
    );
    // A failing legacy hook fails the commit, even a safe one.
    executable(
        &hooks.join("pre-commit.legacy"),
        "#!/bin/sh\necho no >&2\nexit 3\n",
    );
    r.write("app.py", format!("{}\n# more\n# again\n", safe_app()));
    let (ok, out) = git_with_sidguard(&r, &["commit", "-qam", "safe again"]);
    assert!(!ok, "{out}");

    // Installing again replaces sidguard's own hook and leaves the legacy one alone.
    assert_eq!(r.sidguard(&["install"]).code(), 0);
    assert!(hooks.join("pre-commit.legacy").exists());
    // A second foreign hook when `.legacy` is taken: nothing is moved or lost.
    executable(&hooks.join("pre-commit"), foreign);
    let run = r.sidguard(&["install", "--force"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        foreign
    );
    assert!(std::fs::read_to_string(hooks.join("pre-commit.legacy"))
        .unwrap()
        .contains("exit 3"));
}

/// `install --hook-type pre-push` installs the push hook; a foreign one is kept and gets
/// the same arguments and the same ref lines on its standard input.
#[test]
fn install_puts_the_pre_push_hook_in_place() {
    let remote = Repo::plain();
    common::git_at(
        remote.path(),
        &remote.home(),
        &["init", "-q", "--bare", "-b", "main"],
    );
    let r = Repo::new();
    r.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    let hooks = r.path().join(".git/hooks");
    executable(
        &hooks.join("pre-push"),
        "#!/bin/sh\necho \"$1\" >> pushed.log\ncat >> pushed.log\n",
    );
    let run = r.sidguard(&["install", "--hook-type", "pre-push", "--force"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        !hooks.join("pre-commit").exists(),
        "only the hook asked for"
    );
    assert!(std::fs::read_to_string(hooks.join("pre-push"))
        .unwrap()
        .contains("pre-push \"$@\""));

    r.write("app.py", safe_app());
    r.commit_all("safe");
    let (ok, out) = git_with_sidguard(&r, &["push", "-q", "origin", "main"]);
    assert!(ok, "{out}");
    let log = std::fs::read_to_string(r.path().join("pushed.log")).unwrap();
    assert!(
        log.starts_with("origin\nrefs/heads/main ") && log.ends_with('\n'),
        "the legacy hook got git's arguments and ref lines: {log:?}"
    );
    r.write("app.py", vulnerable_app());
    r.commit_all("vulnerable");
    let (ok, out) = git_with_sidguard(&r, &["push", "-q", "origin", "main"]);
    assert!(!ok && out.contains("error[SID001]"), "{out}");
    // Both hooks at once.
    let run = r.sidguard(&["install", "-t", "pre-commit", "-t", "pre-push"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(hooks.join("pre-commit").exists());
}

/// A `.py` file with a NUL byte is binary, whatever else it holds and wherever the NUL is: every
/// mode lists it as skipped with the same reason (never a silent pass), and `--strict` fails.
#[test]
fn binary_python_files_are_skipped_the_same_way_in_every_mode() {
    let r = Repo::new();
    r.write("notes.py", "x = 1\n");
    r.commit_all("init");
    let base = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    // No session words (the pre-filter would pass it over), session words, a NUL past the
    // first 8,000 bytes (git's own binary test stops there).
    r.write("a.py", b"x = 1\0\n");
    r.write(
        "b.py",
        b"from flask import session\n\ndef f():\n    session[\"user_id\"] = 1\n\0\n",
    );
    r.write("c.py", [&b"x = 1\n"[..], &[b'#'; 9000], b"\n\0\n"].concat());
    r.git(&["add", "-A"]);
    let reason =
        "binary: it contains a NUL byte (not Python source; CPython refuses to compile it)";
    let skipped = |run: &common::Run| -> Vec<(String, String)> {
        run.json()["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["path"].as_str().unwrap().to_string(),
                    s["reason"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let want: Vec<(String, String)> = ["a.py", "b.py", "c.py"]
        .iter()
        .map(|p| (p.to_string(), reason.to_string()))
        .collect();
    let check = |what: &str, args: &[&str]| {
        let run = r.sidguard(&[args, &["--format", "json"]].concat());
        assert_eq!(run.code(), 0, "{what}: {}", run.stderr());
        assert_eq!(skipped(&run), want, "{what}");
        let strict = r.sidguard(&[args, &["--strict"]].concat());
        assert_eq!(strict.code(), 1, "{what} --strict: {}", strict.stdout());
        assert!(
            strict
                .stdout()
                .contains(&format!("warning: skipped a.py: {reason}")),
            "{what}: {}",
            strict.stdout()
        );
    };
    check("scan", &["scan", "a.py", "b.py", "c.py", "notes.py"]);
    check("scan of a directory", &["scan"]);
    check("staged", &["staged"]);
    r.git(&["commit", "-q", "-m", "binary"]);
    check("diff", &["diff", &base]);
    // Files checked whole by `staged` (pre-commit's --all-files).
    check(
        "staged FILE...",
        &["staged", "a.py", "b.py", "c.py", "notes.py"],
    );
}

/// A file given by its absolute path, outside the project being scanned: a Flask config
/// object (no import says Flask) is not labelled Django for the Django project beside it, a
/// class attribute is reported in its class (not `<module>`), and the patch names the file
/// by its path (`--- /abs/path`, not `a//abs/path`).
#[test]
fn files_outside_the_project_get_their_own_labels() {
    let project = Repo::plain();
    project.write(
        "mysite/settings.py",
        "import django\n\nSESSION_COOKIE_SECURE = False\n",
    );
    let outside = tempfile::tempdir().unwrap();
    let config = outside.path().join("config.py");
    std::fs::write(
        &config,
        "class Config:\n    SECRET_KEY = \"dev\"\n    SESSION_COOKIE_HTTPONLY = False\n",
    )
    .unwrap();
    // Flask's own default configuration, as installed: a class attribute of a file under
    // `flask/` that imports Flask's modules relatively.
    let installed = outside.path().join("site-packages/flask/sansio/app.py");
    std::fs::create_dir_all(installed.parent().unwrap()).unwrap();
    std::fs::write(
        &installed,
        "from .config import ImmutableDict\n\n\nclass App:\n    default_config = ImmutableDict({\"SESSION_COOKIE_SECURE\": False})\n",
    )
    .unwrap();
    let (config, installed) = (config.to_str().unwrap(), installed.to_str().unwrap());
    let run = project.sidguard(&["scan", ".", config, installed, "--format", "json"]);
    let labels: Vec<(String, String, String)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["function"].as_str().unwrap().to_string(),
                f["framework"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        vec![
            (
                "mysite/settings.py".into(),
                "<module>".into(),
                "django".into()
            ),
            (config.into(), "Config".into(), "flask".into()),
            (installed.into(), "App".into(), "flask".into()),
        ]
    );
    let text = project
        .sidguard(&["scan", config, "--color", "never"])
        .stdout();
    assert!(
        text.contains(&format!("| --- {config}\n"))
            && text.contains(&format!("| +++ {config}\n"))
            && !text.contains("a//"),
        "{text}"
    );
    assert!(
        text.contains("note: in `Config`: `SESSION_COOKIE_HTTPONLY = False` (Flask)"),
        "{text}"
    );
}

/// What the help and the usage line say is what the commands do.
#[test]
fn help_usage_and_options_say_what_the_commands_do() {
    let r = Repo::plain();
    let help = r.sidguard(&["--help"]).stdout();
    // The options follow the command, as every example writes them.
    assert!(
        help.contains("Usage: sidguard <COMMAND> [OPTIONS] [ARGS]"),
        "{help}"
    );
    let none = r.sidguard(&[]);
    assert!(
        none.stderr()
            .contains("Usage: sidguard <COMMAND> [OPTIONS] [ARGS]"),
        "{}",
        none.stderr()
    );
    // --strict as `scan` means it: every finding blocks there already.
    let scan = r.sidguard(&["scan", "--help"]).stdout();
    assert!(
        scan.contains("Also fail when a file could not be fully checked")
            && scan.contains("(`scan` blocks on every finding)")
            && !scan.contains("Block on findings that were already there before the change, too"),
        "{scan}"
    );
    assert!(
        scan.contains("`scan` and `config` use the nearest"),
        "{scan}"
    );
    // A format the command has no report for is refused, not ignored.
    for cmd in [&["rules"][..], &["explain", "SID001"], &["config"]] {
        let run = r.sidguard(&[cmd, &["--format", "json"]].concat());
        assert_eq!(run.code(), 2, "{cmd:?}");
        assert!(
            run.stderr()
                .contains("`--format json` applies to the checking commands"),
            "{}",
            run.stderr()
        );
    }
    // pre-receive's settings come from the server policy.
    let run = r.sidguard(&["pre-receive", "--config", "x.toml"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("server policy"), "{}", run.stderr());
}

/// JSON (and SARIF) name the framework in one casing: lower case, from one list, or empty.
#[test]
fn json_names_frameworks_in_one_casing() {
    let root = env!("CARGO_MANIFEST_DIR");
    let r = Repo::plain();
    let run = r.sidguard(&[
        "scan",
        &format!("{root}/tests/fixtures"),
        &format!("{root}/examples"),
        "--format",
        "json",
    ]);
    let known = [
        "",
        "flask",
        "django",
        "starlette",
        "pyramid",
        "aiohttp",
        "quart",
        "beaker",
        "cherrypy",
        "bottle",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for f in run.json()["findings"].as_array().unwrap() {
        let fw = f["framework"].as_str().unwrap().to_string();
        assert!(known.contains(&fw.as_str()), "{fw}: {f:#}");
        seen.insert(fw);
    }
    assert!(
        seen.len() >= 8,
        "the fixtures cover the frameworks: {seen:?}"
    );
}

/// A blocked commit ends with one line saying how to accept a finding (the suppression it
/// names works) or to get past the check once, in the words of the hook that ran it.
#[test]
fn a_blocked_commit_ends_with_the_way_out() {
    let r = Repo::new();
    r.write("app.py", vulnerable_app());
    r.git(&["add", "app.py"]);
    let run = r.sidguard(&["staged", "--color", "never"]);
    assert_eq!(run.code(), 1);
    let out = run.stdout();
    assert_eq!(
        out.lines().last().unwrap(),
        "sidguard: to accept a finding, add `# sidguard: ignore[SID001] <reason>` to its line; to commit once without this check: `git commit --no-verify`",
        "{out}"
    );
    // Under pre-commit, `--no-verify` would skip every hook: SKIP names this one.
    let run = r.sidguard_env(".", &["staged", "--color", "never"], &[("PRE_COMMIT", "1")]);
    assert!(
        run.stdout()
            .lines()
            .last()
            .unwrap()
            .ends_with("to commit once without this check: `SKIP=sidguard git commit`"),
        "{}",
        run.stdout()
    );
    // pre-commit's pre-push stage stops a push.
    r.git(&["commit", "-q", "--no-verify", "-m", "vulnerable"]);
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("other.py", vulnerable_app());
    r.git(&["add", "other.py"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "another"]);
    let run = r.sidguard_env(
        ".",
        &["staged"],
        &[
            ("PRE_COMMIT", "1"),
            ("PRE_COMMIT_FROM_REF", &head),
            ("PRE_COMMIT_TO_REF", "HEAD"),
        ],
    );
    assert!(
        run.stdout()
            .lines()
            .last()
            .unwrap()
            .ends_with("`SKIP=sidguard git push`"),
        "{}",
        run.stdout()
    );
    // Machine-readable output has no such line.
    r.write("third.py", vulnerable_app());
    r.git(&["add", "third.py"]);
    let run = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(run.code(), 1);
    assert!(!run.stdout().contains("--no-verify") && !run.stderr().contains("--no-verify"));
    // The suppression it gives works.
    r.write(
        "third.py",
        vulnerable_app().replace(
            "        session[\"user_id\"] = user.id\n",
            "        session[\"user_id\"] = user.id  # sidguard: ignore[SID001] cookie session, reviewed\n",
        ),
    );
    r.git(&["add", "third.py"]);
    let run = r.sidguard(&["staged"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    // Nothing blocking: no such line.
    assert!(
        !run.stdout().contains("to accept a finding"),
        "{}",
        run.stdout()
    );
}

#[test]
fn version_names_the_version_users_pin() {
    // The version users pin (the wheel's, the mirror's tag, CHANGELOG.md's) is Cargo.toml's.
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .expect("Cargo.toml");
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("the package version");
    for flag in ["--version", "-V"] {
        let run = Repo::plain().sidguard(&[flag]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        assert_eq!(run.stdout(), format!("sidguard {version}\n"));
    }
}
