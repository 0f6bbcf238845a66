//! Push time, with real git: a bare repository with `hooks/pre-receive` installed, and
//! `git push` from a clone. No mocks.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, flask_login, git_env, Repo, FLASK_HEADER};

fn vulnerable() -> String {
    format!("{FLASK_HEADER}{}", flask_login("login", false))
}

fn safe() -> String {
    format!("{FLASK_HEADER}{}", flask_login("login", true))
}

struct Server {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    home: PathBuf,
}

impl Server {
    /// A bare repository on `main`, with the pre-receive hook installed.
    fn new() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("server.git");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut cmd = Command::new("git");
        cmd.args(["init", "-q", "--bare", "-b", "main"]).arg(&bare);
        git_env(&mut cmd, &home);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let server = Server {
            _dir: dir,
            bare,
            home,
        };
        server.install_hook(include_str!("../hooks/pre-receive"));
        server
    }

    fn install_hook(&self, script: &str) {
        let path = self.bare.join("hooks/pre-receive");
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    fn git(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(&self.bare);
        git_env(&mut cmd, &self.home);
        let out = cmd.output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn rev(&self, refname: &str) -> String {
        self.git(&["rev-parse", "--verify", "-q", refname])
            .trim()
            .to_string()
    }

    /// A clone to push from.
    fn clone(&self) -> Repo {
        let r = Repo::plain();
        let mut cmd = Command::new("git");
        cmd.args(["clone", "-q"]).arg(&self.bare).arg(r.path());
        git_env(&mut cmd, &self.home);
        // Captured: git warns "You appear to have cloned an empty repository" even with
        // -q, and an inherited stderr put a dozen of those in the middle of the test output.
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        r.git(&["checkout", "-q", "-B", "main"]);
        r
    }
}

/// `git push ARGS` from `r`; (success, everything git printed).
fn push(r: &Repo, args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new("git");
    cmd.arg("push")
        .args(args)
        .current_dir(r.path())
        .env("SIDGUARD", bin());
    git_env(&mut cmd, &r.home());
    cmd.env("SIDGUARD", bin());
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn commit(r: &Repo, path: &str, content: &str, msg: &str) {
    r.write(path, content);
    r.git(&["add", "-A"]);
    r.git(&["commit", "-q", "--no-verify", "-m", msg]);
}

#[test]
fn safe_push_is_accepted_and_vulnerable_push_rejected() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "app.py", &safe(), "safe login");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("remote: sidguard: refs/heads/main: checking the net change"),
        "{out}"
    );
    let accepted = s.rev("refs/heads/main");

    commit(&r, "app.py", &vulnerable(), "drop the clear");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("remote: error[SID001]: session not regenerated after login"),
        "{out}"
    );
    assert!(
        out.contains("remote:    = ref: refs/heads/main; last touched in"),
        "{out}"
    );
    assert!(
        out.contains("\"drop the clear\""),
        "the commit that last touched the function is named: {out}"
    );
    assert!(
        out.contains("remote:    | +        session.clear()"),
        "the remediation patch is shown: {out}"
    );
    assert!(!out.contains('\x1b'), "no colour codes unless asked");
    assert_eq!(s.rev("refs/heads/main"), accepted, "the ref did not move");
}

#[test]
fn pushed_objects_are_read_from_quarantine() {
    let s = Server::new();
    // A wrapper that records git's quarantine variable, then runs the real hook.
    let log = s.bare.join("quarantine.log");
    s.install_hook(&format!(
        "#!/bin/sh\necho \"${{GIT_QUARANTINE_PATH:-none}}\" > '{}'\nexec \"$SIDGUARD\" pre-receive\n",
        log.display()
    ));
    let r = s.clone();
    commit(&r, "app.py", &vulnerable(), "vulnerable");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("error[SID001]"), "{out}");
    let q = std::fs::read_to_string(&log).unwrap();
    assert!(q.contains("incoming"), "git quarantined the objects: {q}");
}

#[test]
fn new_branch_is_checked_from_its_fork_point() {
    let s = Server::new();
    // A pre-existing finding on main, pushed before the hook existed.
    s.install_hook("#!/bin/sh\nexit 0\n");
    let r = s.clone();
    commit(&r, "legacy.py", &vulnerable(), "legacy");
    assert!(push(&r, &["origin", "main"]).0);
    s.install_hook(include_str!("../hooks/pre-receive"));

    // A branch that only adds safe code is accepted: main's old finding is not its change.
    r.git(&["checkout", "-q", "-b", "feature"]);
    commit(&r, "new.py", &safe(), "safe feature");
    let (ok, out) = push(&r, &["origin", "feature"]);
    assert!(ok, "{out}");

    // A branch that adds a vulnerable login is rejected.
    r.git(&["checkout", "-q", "-b", "bad", "main"]);
    commit(&r, "bad.py", &vulnerable(), "bad feature");
    let (ok, out) = push(&r, &["origin", "bad"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("bad.py") && !out.contains("legacy.py:"),
        "{out}"
    );
    assert!(out.contains("refs/heads/bad"), "{out}");
}

#[test]
fn deletion_tags_and_several_refs() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "app.py", &safe(), "safe");
    assert!(push(&r, &["origin", "main"]).0);
    r.git(&["branch", "old"]);
    assert!(push(&r, &["origin", "old"]).0);

    // Deleting a branch checks nothing.
    let (ok, out) = push(&r, &["origin", "--delete", "old"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("refs/heads/old: deleted; nothing to check"),
        "{out}"
    );

    // A tag on already-accepted history is fine; a tag on a new vulnerable commit is not.
    r.git(&["tag", "v1"]);
    assert!(push(&r, &["origin", "v1"]).0);
    r.git(&["checkout", "-q", "--detach"]);
    commit(&r, "app.py", &vulnerable(), "release hack");
    r.git(&["tag", "-a", "v2", "-m", "v2"]);
    let (ok, out) = push(&r, &["origin", "v2"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("refs/tags/v2") && out.contains("error[SID001]"),
        "{out}"
    );

    // Several refs in one push: one bad ref rejects the whole push, and is named.
    r.git(&["checkout", "-q", "main"]);
    commit(&r, "other.py", "x = 1\n", "harmless");
    r.git(&["checkout", "-q", "-b", "feature"]);
    commit(&r, "feature.py", &vulnerable(), "vulnerable feature");
    let before = s.rev("refs/heads/main");
    let (ok, out) = push(&r, &["origin", "main", "feature"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("refs/heads/feature") && out.contains("feature.py"),
        "{out}"
    );
    assert_eq!(
        s.rev("refs/heads/main"),
        before,
        "nothing of the push landed"
    );
}

#[test]
fn force_push_is_judged_by_what_the_branch_becomes() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "app.py", &safe(), "safe");
    assert!(push(&r, &["origin", "main"]).0);
    commit(&r, "notes.py", "x = 1\n", "notes");
    assert!(push(&r, &["origin", "main"]).0);
    // Rewrite: drop "notes", add a vulnerable change instead.
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    commit(&r, "app.py", &vulnerable(), "rewritten");
    let (ok, out) = push(&r, &["--force", "origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("error[SID001]"), "{out}");
    // A force push that only rewrites safe history is accepted.
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    commit(&r, "notes.py", "x = 2\n", "notes again");
    let (ok, out) = push(&r, &["--force", "origin", "main"]);
    assert!(ok, "{out}");
}

#[test]
fn net_change_over_many_commits() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "app.py", &safe(), "safe");
    assert!(push(&r, &["origin", "main"]).0);
    // Introduced and fixed within the same push: accepted.
    commit(&r, "app.py", &vulnerable(), "oops");
    commit(&r, "app.py", &safe(), "fix");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    // Hundreds of commits: the check follows the net change, not the commit count.
    for i in 0..300 {
        commit(
            &r,
            "counter.py",
            &format!("COUNT = {i}\n"),
            &format!("bump {i}"),
        );
    }
    commit(&r, "app.py", &vulnerable(), "finally break it");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("\"finally break it\""), "{out}");
}

#[test]
fn pushed_configuration_cannot_disable_the_check() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "app.py", &safe(), "safe");
    assert!(push(&r, &["origin", "main"]).0);
    r.write(
        "pyproject.toml",
        "[tool.sidguard]\ndisable = [\"SID001\"]\nexclude = [\"**\"]\n",
    );
    r.write(".sidguard.toml", "disable = [\"SID001\"]\n");
    r.write(
        "app.py",
        vulnerable().replace(
            "session[\"user_id\"] = user.id",
            "session[\"user_id\"] = user.id  # sidguard: ignore[SID001] trust me",
        ),
    );
    r.git(&["add", "-A"]);
    r.git(&["commit", "-q", "-m", "turn it off"]);
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("error[SID001]"), "{out}");
}

fn pre_receive_direct(bare: &Path, stdin: &str, args: &[&str]) -> (i32, String) {
    let mut cmd = Command::new(bin());
    cmd.arg("pre-receive").args(args).current_dir(bare);
    cmd.env("GIT_DIR", bare);
    let run = common::run_with_stdin(cmd, stdin);
    (run.code(), run.stderr())
}

#[test]
fn malformed_stdin_and_the_fail_mode() {
    let s = Server::new();
    let (code, err) = pre_receive_direct(&s.bare, "this is not a ref line\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("stdin line 1: expected `<old-oid> <new-oid> <refname>`"),
        "{err}"
    );
    assert!(
        err.contains("rejecting the push (policy: fail = \"closed\")"),
        "{err}"
    );

    let z = "0".repeat(40);
    let unknown = "1".repeat(40);
    let (code, err) = pre_receive_direct(&s.bare, &format!("{z} {unknown} refs/heads/x\n"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&unknown), "the unknown object is named: {err}");

    let policy = s.bare.join("policy.toml");
    std::fs::write(&policy, "fail = \"open\"\n").unwrap();
    let (code, err) = pre_receive_direct(
        &s.bare,
        "garbage\n",
        &["--policy", policy.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("accepting the push unchecked (policy: fail = \"open\")"),
        "{err}"
    );

    std::fs::write(&policy, "fail = \"sometimes\"\n").unwrap();
    let (code, err) = pre_receive_direct(&s.bare, "", &["--policy", policy.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("policy.toml:1:8: invalid sidguard policy"),
        "{err}"
    );

    let (code, err) = pre_receive_direct(&s.bare, "", &[]);
    assert_eq!(code, 0);
    assert!(err.contains("no ref updates on stdin"), "{err}");
}

#[test]
fn policy_limits_follow_the_fail_mode() {
    let s = Server::new();
    let policy = s.bare.join("policy.toml");
    std::fs::write(&policy, "max-blob-bytes = 100\n").unwrap();
    s.git(&["config", "sidguard.config", "policy.toml"]);
    let r = s.clone();
    commit(&r, "app.py", &safe(), "a file over the limit");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(
        !ok,
        "fail closed: an unchecked file rejects the push: {out}"
    );
    assert!(
        out.contains("over the policy's max-blob-bytes (100)"),
        "{out}"
    );
    std::fs::write(&policy, "max-blob-bytes = 100\nfail = \"open\"\n").unwrap();
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "fail open: accepted with a warning: {out}");
    assert!(out.contains("accepted (policy: fail = \"open\")"), "{out}");
}

#[test]
fn plain_pre_push_hook_blocks_a_vulnerable_push() {
    let s = Server::new();
    s.install_hook("#!/bin/sh\nexit 0\n");
    let r = s.clone();
    let hook = r.path().join(".git/hooks/pre-push");
    std::fs::write(&hook, include_str!("../hooks/pre-push")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    commit(&r, "app.py", &safe(), "safe");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    commit(&r, "app.py", &vulnerable(), "vulnerable");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("error[SID001]") && out.contains("refs/heads/main"),
        "{out}"
    );
    assert!(
        out.contains("to push once without this check: `git push --no-verify`"),
        "{out}"
    );
    // A new branch is checked from where the remote's history ends.
    r.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    commit(&r, "side.py", "x = 1\n", "side");
    let (ok, out) = push(&r, &["origin", "side"]);
    assert!(ok, "{out}");
}

#[test]
fn colour_only_when_asked_and_the_time_budget() {
    let s = Server::new();
    s.git(&["config", "receive.advertisePushOptions", "true"]);
    let r = s.clone();
    commit(&r, "app.py", &vulnerable(), "vulnerable");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok && !out.contains('\x1b'), "{out}");
    let (ok, out) = push(&r, &["-o", "sidguard.color=always", "origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("\x1b["), "the pusher asked for colour: {out}");

    // A time budget of zero: nothing can be checked in time, so fail closed rejects.
    let policy = s.bare.join("policy.toml");
    std::fs::write(&policy, "time-budget-seconds = 0\n").unwrap();
    s.git(&["config", "sidguard.config", "policy.toml"]);
    let r2 = s.clone();
    commit(&r2, "app.py", &safe(), "safe but late");
    let (ok, out) = push(&r2, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("the time budget ran out before it was checked"),
        "{out}"
    );
}

#[test]
fn policy_opts_in_to_pushed_suppressions_and_configuration() {
    let s = Server::new();
    let policy = s.bare.join("policy.toml");
    s.git(&["config", "sidguard.config", "policy.toml"]);
    let r = s.clone();
    let suppressed = vulnerable().replace(
        "session[\"user_id\"] = user.id",
        "session[\"user_id\"] = user.id  # sidguard: ignore[SID001] accepted risk",
    );
    commit(&r, "app.py", &suppressed, "suppressed");
    std::fs::write(&policy, "").unwrap();
    assert!(
        !push(&r, &["origin", "main"]).0,
        "suppressions in pushed code are ignored by default"
    );
    std::fs::write(&policy, "allow-suppressions = true\n").unwrap();
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");

    commit(&r, "login.py", &vulnerable(), "another login");
    commit(
        &r,
        ".sidguard.toml",
        "disable = [\"SID001\"]\n",
        "disable the rule",
    );
    assert!(
        !push(&r, &["origin", "main"]).0,
        "pushed configuration is ignored by default"
    );
    std::fs::write(&policy, "use-repository-config = true\n").unwrap();
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "the administrator opted in: {out}");
}

/// File names are data, never options or terminal commands, on the server too.
#[test]
fn pushed_file_names_cannot_steer_the_hook() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "README", "x\n", "base");
    assert!(push(&r, &["origin", "main"]).0);
    let name = "--no-verify \u{1b}[2J\nsidguard: all clear.py";
    commit(&r, name, &vulnerable(), "tricky name");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("error[SID001]"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        !out.lines().any(|l| l
            .trim_start_matches("remote: ")
            .starts_with("sidguard: all clear")),
        "a file name forged a report line: {out}"
    );
}

/// A typo (`(` never closed) in a helper above a vulnerable login.
fn typo_above_login() -> String {
    format!(
        "{FLASK_HEADER}def helper(:\n    return 1\n\n\n{}",
        flask_login("login", false)
    )
}

#[test]
fn a_syntax_error_does_not_hide_a_login_from_the_push_check() {
    let s = Server::new();
    let r = s.clone();
    commit(&r, "app.py", &safe(), "safe login");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");

    // Push 1: the typo above a vulnerable login is rejected, and the file is reported.
    commit(&r, "app.py", &typo_above_login(), "wip");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "{out}");
    assert!(out.contains("remote: error[SID001]"), "{out}");
    assert!(out.contains("partly analysed: syntax error"), "{out}");

    // The same typo on a server without the hook (pushed before it was installed), then a
    // push that fixes only the typo: the login is in a file that never compiled, so it is new.
    s.install_hook("#!/bin/sh\nexit 0\n");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    s.install_hook(include_str!("../hooks/pre-receive"));
    let fixed = typo_above_login().replace("def helper(:", "def helper():");
    commit(&r, "app.py", &fixed, "fix the typo");
    let before = s.rev("refs/heads/main");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok, "the fix of the typo lets the login in: {out}");
    assert!(out.contains("remote: error[SID001]"), "{out}");
    assert_eq!(s.rev("refs/heads/main"), before);
}

/// `pre-push --config PATH` uses that configuration for the pushed trees (it was ignored).
#[test]
fn pre_push_takes_a_config_file() {
    let s = Server::new();
    s.install_hook("#!/bin/sh\nexit 0\n");
    let r = s.clone();
    let cfg = r.path().join("../local-sidguard.toml");
    std::fs::write(&cfg, "disable = [\"SID001\"]\n").unwrap();
    let hook = r.path().join(".git/hooks/pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec \"$SIDGUARD\" pre-push --config '{}' \"$@\"\n",
            cfg.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    commit(&r, "app.py", &safe(), "safe");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "{out}");
    commit(
        &r,
        "app.py",
        &vulnerable(),
        "vulnerable, but SID001 is disabled",
    );
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(ok, "the configuration given disables SID001: {out}");
    std::fs::write(&cfg, "disable = [\"SID002\"]\n").unwrap();
    commit(&r, "other.py", &vulnerable(), "another vulnerable login");
    let (ok, out) = push(&r, &["origin", "main"]);
    assert!(!ok && out.contains("error[SID001]"), "{out}");
}

/// `scripts/test` shows the tests' own lines only: no test lets a git command write to the
/// terminal (git warns "You appear to have cloned an empty repository" even with `-q`, a
/// dozen times over when the clones inherited stderr). Commands run with `.output()`, which
/// captures what they say for the assertion messages.
#[test]
fn no_test_lets_git_write_to_the_terminal() {
    let inherits = format!(".{}()", "status");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = vec![dir.join("common/mod.rs")];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            assert!(
                !line.contains(&inherits),
                "{}:{}: a command with inherited stderr: {line}",
                path.display(),
                i + 1
            );
        }
    }
}
