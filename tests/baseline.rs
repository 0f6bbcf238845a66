//! Adopting sidguard in an old codebase: each finding's stable `fingerprint`, and
//! `--baseline FILE` (sidguard's own JSON output) to hide the findings already accepted.

mod common;

use common::{flask_login, Repo, FLASK_HEADER};

fn fingerprints(run: &common::Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["fingerprint"]
                .as_str()
                .expect("a fingerprint")
                .to_string()
        })
        .collect()
}

fn scan_fps(r: &Repo) -> Vec<String> {
    let run = r.sidguard(&["scan", "app.py", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    fingerprints(&run)
}

#[test]
fn the_fingerprint_ignores_line_numbers_and_whitespace_but_not_the_code() {
    let r = Repo::plain();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    let fp = scan_fps(&r);
    assert_eq!(fp.len(), 1);
    assert_eq!(fp[0].len(), 32);
    assert!(fp[0].chars().all(|c| c.is_ascii_hexdigit()), "{}", fp[0]);
    // Code added above (a new function, comments): the finding keeps its fingerprint.
    r.write(
        "app.py",
        format!(
            "{FLASK_HEADER}# moved down\n\n\ndef other():\n    return 1\n\n\n{}",
            flask_login("login", false)
        ),
    );
    assert_eq!(scan_fps(&r), fp);
    // Re-spaced flagged line: the same.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)).replace(
            "session[\"user_id\"] = user.id",
            "session[\"user_id\"]  =  user.id",
        ),
    );
    assert_eq!(scan_fps(&r), fp);
    // Another function, another file, other code: another finding.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("sign_in", false)),
    );
    assert_ne!(scan_fps(&r), fp);
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)).replace(
            "session[\"user_id\"] = user.id",
            "session[\"uid\"] = user.id",
        ),
    );
    assert_ne!(scan_fps(&r), fp);
}

#[test]
fn every_format_and_mode_carries_the_same_fingerprint() {
    let r = Repo::new();
    r.write("README", "x\n");
    r.commit_all("base");
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    let fp = scan_fps(&r)[0].clone();
    r.git(&["add", "app.py"]);
    let staged = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(fingerprints(&staged), vec![fp.clone()]);
    let sarif = r.sidguard(&["staged", "--format", "sarif"]).json();
    assert_eq!(
        sarif["runs"][0]["results"][0]["partialFingerprints"]["sidguardFinding/v1"],
        fp.as_str()
    );
    let gitlab = r.sidguard(&["staged", "--format", "gitlab"]).json();
    assert_eq!(gitlab[0]["fingerprint"], fp.as_str());
    r.git(&["commit", "-q", "-m", "app"]);
    let diff = r.sidguard(&["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(fingerprints(&diff), vec![fp.clone()]);
    // The review's hidden marker, which a re-run matches, is the same fingerprint.
    let review = r.sidguard(&["pr", "--base", "HEAD~1", "--dry-run"]).json();
    let body = review["comments"][0]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("<!-- sidguard:finding {fp} ")),
        "{body}"
    );
}

/// Writes `sidguard scan --format json` of the repository to `baseline.json`.
fn write_baseline(r: &Repo) {
    let run = r.sidguard(&["scan", "--format", "json"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    r.write("baseline.json", run.stdout());
}

#[test]
fn a_baseline_hides_the_findings_it_holds_and_only_those() {
    let r = Repo::new();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    write_baseline(&r);
    let run = r.sidguard(&["scan", "--baseline", "baseline.json"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(!run.stdout().contains("error[SID001]"), "{}", run.stdout());
    assert!(
        run.stdout()
            .contains("sidguard: no findings in 1 file, 1 function checked; 1 finding in the baseline not shown"),
        "{}",
        run.stdout()
    );
    let json = r.sidguard(&["scan", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(json.json()["summary"]["baselined"], 1);
    assert_eq!(json.findings().len(), 0);
    // Code moved down and a new login added: only the new one is reported.
    r.write(
        "app.py",
        format!(
            "{FLASK_HEADER}{}\n\n{}",
            flask_login("sign_up", false),
            flask_login("login", false)
        ),
    );
    let run = r.sidguard(&["scan", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(run.code(), 1);
    let found = run.json();
    let findings = found["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{found}");
    assert_eq!(findings[0]["function"], "sign_up");
    assert_eq!(found["summary"]["baselined"], 1);
    // The other formats say so too.
    let concise = r.sidguard(&["scan", "--baseline", "baseline.json", "--format", "concise"]);
    assert!(
        concise
            .stdout()
            .ends_with("; 1 finding in the baseline not shown\n"),
        "{}",
        concise.stdout()
    );
}

#[test]
fn the_diff_modes_and_the_server_hook_take_a_baseline() {
    let r = Repo::new();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.commit_all("old code");
    write_baseline(&r);
    // A commit that touches the old login (its finding is there before: a warning) and adds
    // a new one elsewhere: the old one is in the baseline, the new one blocks.
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)).replace(
            "    return redirect",
            "    audit(user)\n    return redirect",
        ),
    );
    r.write(
        "signup.py",
        format!("{FLASK_HEADER}{}", flask_login("sign_up", false)),
    );
    r.git(&["add", "app.py", "signup.py"]);
    let staged = r.sidguard(&["staged", "--format", "json", "--baseline", "baseline.json"]);
    assert_eq!(staged.code(), 1);
    assert_eq!(
        staged.findings(),
        vec![("SID001".into(), "signup.py".into(), 10, true)]
    );
    let without = r.sidguard(&["staged", "--format", "json"]);
    assert_eq!(without.findings().len(), 2, "{}", without.stdout());
    r.git(&["commit", "-q", "-m", "change"]);
    let diff = r.sidguard(&[
        "diff",
        "HEAD~1",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
    ]);
    assert_eq!(diff.findings().len(), 1, "{}", diff.stdout());
    // The server hook, with the new login's finding added to the baseline: the push passes.
    write_baseline(&r);
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    let base = r.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let mut cmd = std::process::Command::new(common::bin());
    cmd.args(["pre-receive", "--baseline", "baseline.json"])
        .current_dir(r.path());
    common::git_env(&mut cmd, &r.home());
    let run = common::run_with_stdin(cmd, &format!("{base} {head} refs/heads/main\n"));
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("2 findings in the baseline not shown"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_missing_or_invalid_baseline_is_an_error() {
    let r = Repo::new();
    r.write(
        "app.py",
        format!("{FLASK_HEADER}{}", flask_login("login", false)),
    );
    r.write(
        "sarif.json",
        r.sidguard(&["scan", "--format", "sarif"]).stdout(),
    );
    for (args, why) in [
        (
            vec!["scan", "--baseline", "nope.json"],
            "baseline nope.json: cannot read it",
        ),
        (
            vec!["scan", "--baseline", "app.py"],
            "baseline app.py: not JSON",
        ),
        (
            vec!["scan", "--baseline", "sarif.json"],
            "not a sidguard JSON report",
        ),
        // Also when there is nothing to check.
        (vec!["staged", "--baseline", "nope.json"], "cannot read it"),
        (
            vec!["diff", "HEAD", "--baseline", "nope.json"],
            "cannot read it",
        ),
    ] {
        let run = r.sidguard(&args);
        assert_eq!(run.code(), 2, "{args:?}: {}", run.stderr());
        assert_eq!(
            run.stderr().lines().count(),
            1,
            "{args:?}: {}",
            run.stderr()
        );
        assert!(run.stderr().contains(why), "{args:?}: {}", run.stderr());
    }
}
