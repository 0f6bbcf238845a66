//! Test helpers: git repositories built in code in a temp dir (ripgrep's `Dir` style), and
//! the real `sidguard` binary run inside them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test: cargo's build of this checkout, or the file `SIDGUARD_TEST_BIN`
/// names (scripts/static-binary runs the push scenarios against the static binary so).
pub fn bin() -> PathBuf {
    std::env::var_os("SIDGUARD_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sidguard")))
}

/// `PATH` with the directory of the binary under test first, as a hook or pre-commit finds
/// an installed `sidguard`.
pub fn path_with_bin() -> String {
    let bin = bin();
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

pub struct Repo {
    pub dir: tempfile::TempDir,
}

/// An environment that isolates git from the user's and the machine's configuration.
pub fn git_env(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env_remove("NO_COLOR")
        .env_remove("PRE_COMMIT_COLOR")
        // No test may reach GitHub: `pr` only talks to a server a test starts.
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_EVENT_PATH")
        .env_remove("GITHUB_API_URL");
}

impl Repo {
    /// A new repository on branch `main`, with no commits.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A directory that is not a repository.
    pub fn plain() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        let home = self.dir.path().join(".test-home");
        std::fs::create_dir_all(&home).unwrap();
        home
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_at(self.path(), &self.home(), args)
    }

    pub fn commit_all(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }

    pub fn sidguard(&self, args: &[&str]) -> Run {
        self.sidguard_in(".", args)
    }

    pub fn sidguard_in(&self, sub: &str, args: &[&str]) -> Run {
        self.sidguard_env(sub, args, &[])
    }

    /// Runs sidguard with extra environment variables.
    pub fn sidguard_env(&self, sub: &str, args: &[&str], vars: &[(&str, &str)]) -> Run {
        sidguard_at(&self.path().join(sub), &self.home(), args, vars)
    }
}

/// `git ARGS` in `dir` (a clone, a worktree, a bare repository), asserting success.
pub fn git_at(dir: &Path, home: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    cmd.args(args).current_dir(dir);
    git_env(&mut cmd, home);
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The real binary in `dir`, with extra environment variables.
pub fn sidguard_at(dir: &Path, home: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(dir);
    git_env(&mut cmd, home);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Run(cmd.output().expect("sidguard runs"))
}

/// Runs `cmd` with `stdin` written to its standard input (hooks read git's ref lines there).
pub fn run_with_stdin(mut cmd: Command, stdin: &str) -> Run {
    use std::io::Write;
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("sidguard runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    Run(child.wait_with_output().expect("sidguard ends"))
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout()))
    }
    /// (rule, path, line, blocking) of each finding in JSON output.
    pub fn findings(&self) -> Vec<(String, String, u64, bool)> {
        let v = self.json();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["blocking"].as_bool().unwrap(),
                )
            })
            .collect()
    }
}

/// A Flask login: `clear` decides whether the session is cleared before the identity write.
pub fn flask_login(name: &str, clear: bool) -> String {
    format!(
        "def {name}():\n    user = find_user(request.form[\"email\"])\n    if check_password_hash(user.pw_hash, request.form[\"password\"]):\n{}        session[\"user_id\"] = user.id\n    return redirect(\"/\")\n",
        if clear { "        session.clear()\n" } else { "" }
    )
}

pub const FLASK_HEADER: &str =
    "from flask import Flask, redirect, request, session\nfrom werkzeug.security import check_password_hash\n\napp = Flask(__name__)\n\n\n";
