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
        serde_json::json!({"files": 1, "functions": 1, "blocking": 1, "warnings": 0})
    );
}

#[test]
fn the_plain_hook_blocks_git_commit_a_through_the_temporary_index() {
    let r = Repo::new();
    r.write("app.py", safe_app());
    r.commit_all("init");
    let bin_dir = common::bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
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
fn install_refuses_a_foreign_hook_without_force() {
    let r = Repo::new();
    r.write(".git/hooks/pre-commit", "#!/bin/sh\necho other\n");
    assert_eq!(r.sidguard(&["install"]).code(), 2);
    assert_eq!(r.sidguard(&["install", "--force"]).code(), 0);
    let hook = std::fs::read_to_string(r.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("exec sidguard staged"));
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
