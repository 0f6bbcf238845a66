//! A real pre-commit run: `pre-commit try-repo` builds this repository's hook with cargo
//! (`language: rust`) and runs it against a temporary repository with a staged file.
//!
//! pre-commit comes from `SIDGUARD_PRE_COMMIT` (set by `scripts/test`, which installs it from
//! PyPI) or from PATH. Without it the test fails under CI and is skipped, loudly, elsewhere.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{flask_login, Repo, FLASK_HEADER};

fn pre_commit() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SIDGUARD_PRE_COMMIT") {
        return Some(PathBuf::from(p));
    }
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    found.then(|| PathBuf::from("pre-commit"))
}

fn try_repo(r: &Repo, pre_commit: &PathBuf, args: &[&str]) -> (i32, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let target = PathBuf::from(root).join("target");
    let mut cmd = Command::new(pre_commit);
    cmd.arg("try-repo")
        .arg(root)
        .args(args)
        .current_dir(r.path());
    common::git_env(&mut cmd, &r.home());
    // Keep pre-commit's hook environments and cargo's build between runs. Every try-repo
    // installs the hook again from a fresh clone; the test needs a working hook, not a fast
    // one, so the install builds without optimisation or LTO (minutes saved per install).
    cmd.env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", target.join("pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env("PRE_COMMIT_COLOR", "never");
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        cmd.env("CARGO_HOME", home);
    } else if let Some(home) = std::env::var_os("HOME") {
        cmd.env("CARGO_HOME", PathBuf::from(home).join(".cargo"));
    }
    if let Some(home) = std::env::var_os("RUSTUP_HOME") {
        cmd.env("RUSTUP_HOME", home);
    } else if let Some(home) = std::env::var_os("HOME") {
        cmd.env("RUSTUP_HOME", PathBuf::from(home).join(".rustup"));
    }
    let out = cmd.output().expect("pre-commit runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn pre_commit_try_repo_blocks_a_vulnerable_commit_and_passes_a_clean_one() {
    let Some(pc) = pre_commit() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is required under CI: run scripts/test, which installs it"
        );
        eprintln!(
            "SKIPPED: pre-commit not found; run scripts/test to include the real pre-commit run"
        );
        return;
    };
    let r = Repo::new();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", true)),
    );
    r.git(&["add", "app.py"]);
    let (code, out) = try_repo(&r, &pc, &["sidguard", "--verbose"]);
    assert_eq!(code, 0, "a clean staged file passes:\n{out}");
    assert!(out.contains("Passed"), "{out}");

    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.git(&["add", "app.py"]);
    let (code, out) = try_repo(&r, &pc, &["sidguard"]);
    assert_eq!(code, 1, "a vulnerable staged file is blocked:\n{out}");
    assert!(
        out.contains("error[SID001]") && out.contains("Failed"),
        "{out}"
    );
    assert!(
        out.contains("+        session.clear()"),
        "the remediation patch is shown:\n{out}"
    );
    assert!(
        out.contains("to commit once without this check: `SKIP=sidguard git commit`"),
        "pre-commit's way to skip one hook:\n{out}"
    );

    // `--all-files` (CI): nothing is staged, and the default hook checks every file it is
    // given whole, so a committed vulnerable login fails the run.
    r.git(&["commit", "-q", "--no-verify", "-m", "vulnerable"]);
    let (code, out) = try_repo(&r, &pc, &["sidguard", "--all-files"]);
    assert_eq!(
        code, 1,
        "the committed vulnerable login fails --all-files:\n{out}"
    );
    assert!(
        out.contains("error[SID001]") && out.contains("Failed"),
        "{out}"
    );
    // A commit that edits another function of that file is judged on its change alone, with
    // both hook ids configured (try-repo without a hook id runs every hook of the stage):
    // `sidguard-scan` runs only in the manual stage, so the old finding does not block.
    r.write(
        "app.py",
        format!(
            "{FLASK_HEADER}{}\n\ndef other():\n    return 2\n",
            flask_login("login", false)
        ),
    );
    r.git(&["add", "app.py"]);
    let (code, out) = try_repo(&r, &pc, &[]);
    assert_eq!(code, 0, "an edit elsewhere in the file passes:\n{out}");
    assert!(!out.contains("whole files"), "sidguard-scan ran:\n{out}");
    r.git(&["commit", "-q", "--no-verify", "-m", "other"]);
    // CI's whole-file run, as the README gives it.
    let (code, out) = try_repo(
        &r,
        &pc,
        &["sidguard-scan", "--all-files", "--hook-stage", "manual"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[SID001]"), "{out}");

    // The pre-push stage: pre-commit passes the pushed range in PRE_COMMIT_FROM_REF/TO_REF.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", true)),
    );
    r.git(&["commit", "-q", "--no-verify", "-am", "fix"]);
    let fixed = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.write("notes.py", "x = 1\n");
    r.git(&["add", "notes.py"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "notes"]);
    let notes = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    let stage = ["sidguard", "--hook-stage", "pre-push", "--from-ref"];
    let (code, out) = try_repo(
        &r,
        &pc,
        &[&stage[..], &[fixed.as_str(), "--to-ref", notes.as_str()]].concat(),
    );
    assert_eq!(code, 0, "a safe pushed range passes:\n{out}");
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.git(&["commit", "-q", "--no-verify", "-am", "break it again"]);
    let broken = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    let (code, out) = try_repo(
        &r,
        &pc,
        &[&stage[..], &[notes.as_str(), "--to-ref", broken.as_str()]].concat(),
    );
    assert_eq!(code, 1, "a vulnerable pushed range is blocked:\n{out}");
    assert!(out.contains("error[SID001]"), "{out}");
}

/// pre-commit cannot build a `language: rust` hook with `--locked`; docs/commands.md gives a
/// local hook that runs a sidguard installed with `--locked` instead. That configuration,
/// as the docs print it, behaves as the `sidguard` hook: the staged change at commit time,
/// each file whole under `--all-files`, and `SKIP=sidguard` to skip it once.
#[test]
fn the_documented_local_hook_for_a_locked_build_works() {
    let Some(pc) = pre_commit() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is required under CI: run scripts/test, which installs it"
        );
        eprintln!("SKIPPED: pre-commit not found");
        return;
    };
    let docs = include_str!("../docs/commands.md");
    let section = &docs[docs
        .find("## pre-commit and `Cargo.lock`")
        .expect("the section")..];
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a yaml block");
    assert!(
        yaml.contains("repo: local") && yaml.contains("language: system"),
        "{yaml}"
    );

    let r = Repo::new();
    r.write(".pre-commit-config.yaml", yaml);
    r.write("notes.py", "x = 1\n");
    r.commit_all("config");
    // The built binary stands for the one `cargo install --locked` puts on PATH.
    let path = common::path_with_bin();
    let run = |args: &[&str], vars: &[(&str, &str)]| {
        let mut cmd = Command::new(&pc);
        cmd.arg("run").args(args).current_dir(r.path());
        common::git_env(&mut cmd, &r.home());
        let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
        cmd.env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
            .env("PRE_COMMIT_COLOR", "never")
            .env("PATH", &path);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("pre-commit runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    };
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.git(&["add", "app.py"]);
    let (code, out) = run(&[], &[]);
    assert_eq!(code, 1, "a vulnerable staged login is blocked:\n{out}");
    assert!(out.contains("error[SID001]"), "{out}");
    assert!(out.contains("`SKIP=sidguard git commit`"), "{out}");
    let (code, out) = run(&[], &[("SKIP", "sidguard")]);
    assert_eq!(code, 0, "SKIP=sidguard skips it once:\n{out}");
    r.git(&["commit", "-q", "--no-verify", "-m", "vulnerable"]);
    let (code, out) = run(&["--all-files"], &[]);
    assert_eq!(
        code, 1,
        "--all-files checks the committed files whole:\n{out}"
    );
    assert!(out.contains("error[SID001]"), "{out}");
}
